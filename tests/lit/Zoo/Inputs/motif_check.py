"""Scores examples/zoo/motif: a presentation counts as detected when the
detector fires 15-35 ms after it starts (the motif's spikes arrive 21 ms
after the first). Reports recall (motifs detected) and precision (detections
that were motifs, not shuffled versions). With --prune F ..., regenerates
the synapses without the weakest fraction F and reruns for each F.

usage: motif_check.py EXAMPLE_DIR OUT_DIR [--prune F ...]"""
import os
import shutil
import subprocess
import sys

import numpy as np


def score(out, schedule):
    spikes = np.sort(np.load(os.path.join(out, "spikes_Out.npy"))["t"])
    rows = np.loadtxt(schedule, delimiter=",", skiprows=1)

    def fired(t):
        k = np.searchsorted(spikes, t + 0.015)
        return k < len(spikes) and spikes[k] < t + 0.035

    hits = sum(fired(t) for t, kind in rows if kind == 1)
    motifs = int(np.sum(rows[:, 1] == 1))
    alarms = sum(fired(t) for t, kind in rows if kind == 0)
    return hits / motifs, hits / max(1, hits + alarms)


example, out = sys.argv[1], sys.argv[2]
fractions = [0.0]
if "--prune" in sys.argv:
    fractions = [float(f) for f in sys.argv[sys.argv.index("--prune") + 1:]]
good = True
for f in fractions:
    work = os.path.join(out, f"prune-{f}")
    os.makedirs(work, exist_ok=True)
    shutil.copy(os.path.join(example, "motif.neuro"), work)
    subprocess.run([sys.executable, os.path.join(example, "make_motif.py"),
                    "--prune", str(f), "--out", work], check=True)
    synapses = sum(1 for _ in open(os.path.join(work, "edges.csv"))) - 1
    subprocess.run(["neuroc", "run", "-o", os.path.join(work, "out"),
                    os.path.join(work, "motif.neuro")], check=True,
                   stdout=subprocess.DEVNULL)
    recall, precision = score(os.path.join(work, "out"),
                              os.path.join(work, "schedule.csv"))
    good &= recall >= 0.95 and precision >= 0.95
    print(f"pruned {100 * f:.0f}% ({synapses} synapses): recall "
          f"{recall:.3f}, precision {precision:.3f}")
print("motif detected" if good else "motif not detected")
