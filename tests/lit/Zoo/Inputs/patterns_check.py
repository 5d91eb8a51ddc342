"""Scores examples/zoo/patterns: the output fired within 20 ms of a test
presentation (detected) or not. With --sweep, regenerates the inputs with
held-out patterns that share K of the target's 8 inputs, reruns the
network for each K, and prints the accuracy per K.

With --trained P before --sweep, the teacher trains P patterns.

usage: patterns_check.py EXAMPLE_DIR OUT_DIR [--trained P] [--sweep K ...]"""
import os
import shutil
import subprocess
import sys

import numpy as np


def score(out, schedule):
    spikes = np.sort(np.load(os.path.join(out, "spikes_Out.npy"))["t"])
    rows = np.loadtxt(schedule, delimiter=",", skiprows=1)

    def fired(t):
        k = np.searchsorted(spikes, t)
        return k < len(spikes) and spikes[k] < t + 0.02

    test = rows[rows[:, 2] == 1]
    hits = sum(fired(t) for t, p, _ in test if p == 0)
    targets = sum(1 for _, p, _ in test if p == 0)
    alarms = sum(fired(t) for t, p, _ in test if p != 0)
    others = sum(1 for _, p, _ in test if p != 0)
    accuracy = (hits + others - alarms) / (targets + others)
    return hits, targets, alarms, others, accuracy


example, out = sys.argv[1], sys.argv[2]
if "--sweep" not in sys.argv:
    h, n, a, m, acc = score(out, os.path.join(example, "schedule.csv"))
    print(f"target detected {h}/{n}, held-out false alarms {a}/{m}, "
          f"accuracy {100 * acc:.1f}%")
    sys.exit(0)
ks = [int(k) for k in sys.argv[sys.argv.index("--sweep") + 1:]]
trained = "1"
if "--trained" in sys.argv:
    trained = sys.argv[sys.argv.index("--trained") + 1]
accuracies = []
for k in ks:
    work = os.path.join(out, f"trained-{trained}-overlap-{k}")
    os.makedirs(work, exist_ok=True)
    shutil.copy(os.path.join(example, "patterns.neuro"), work)
    subprocess.run([sys.executable, os.path.join(example, "make_patterns.py"),
                    "--overlap", str(k), "--trained", trained, "--out", work],
                   check=True)
    subprocess.run(["neuroc", "run", "-o", os.path.join(work, "out"),
                    os.path.join(work, "patterns.neuro")], check=True,
                   stdout=subprocess.DEVNULL)
    h, n, a, m, acc = score(os.path.join(work, "out"),
                            os.path.join(work, "schedule.csv"))
    accuracies.append(acc)
    print(f"{trained} trained, overlap {k}/8: targets {h}/{n}, false alarms "
          f"{a}/{m}, accuracy {100 * acc:.1f}%")
falls = all(x >= y for x, y in zip(accuracies, accuracies[1:]))
print("accuracy falls as overlap grows" if falls and accuracies[-1] < 0.9
      else "accuracy does not fall with overlap")
