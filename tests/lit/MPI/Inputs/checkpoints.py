"""Checkpoints over processes: a run of 2T alone, then for K = 1, 2, 3 a
run of T on K processes that saves a checkpoint, and runs of T restored
from each checkpoint on other numbers of processes.

    checkpoints.py MPIRUN NEUROC OUTDIR MODEL T [neuroc run options...]

Prints whether each checkpoint has the bytes of the one a single process
writes, and for each restored run whether the first half plus it gives
every recording of the long run, bit for bit (each array the two halves
concatenated). Exits 1 when a run fails or anything differs.
"""
import filecmp
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return done.returncode == 0


def continues(full, first, second):
    """The recordings of `first` and `second` together are `full`'s."""
    names = sorted(n for n in os.listdir(full) if n.endswith(".npy"))
    bad = []
    for name in names:
        a = np.load(os.path.join(full, name))
        halves = [np.load(os.path.join(d, name)) for d in (first, second)]
        # The ends of recorded synapses are written whole by each run.
        if name.endswith(("_pre.npy", "_post.npy")):
            b = halves[1]
        else:
            b = np.concatenate(halves)
        if a.shape != b.shape or a.tobytes() != b.tobytes():
            bad.append(name)
    return names, bad


def main():
    mpirun, neuroc, outdir, model, half = sys.argv[1:6]
    options = sys.argv[6:]
    seconds = float(half.rstrip("ms")) / (1000 if half.endswith("ms") else 1)
    full = os.path.join(outdir, "full")
    if not run([neuroc, "run", "--duration", f"{2 * seconds}s", "-o", full,
                model] + options):
        return 1
    launch = lambda k: mpirun.split() + ["-np", str(k), neuroc, "run"]
    bad = 0
    for k in (1, 2, 3):
        ckp = os.path.join(outdir, f"np{k}.ckp")
        if not run(launch(k) + ["--duration", half, "--checkpoint", ckp, "-o",
                                os.path.join(outdir, f"first{k}"), model]
                   + options):
            return 1
        same = filecmp.cmp(ckp, os.path.join(outdir, "np1.ckp"),
                           shallow=False)
        print(f"checkpoint of np {k}: {'same bytes' if same else 'DIFFERENT'}")
        bad += not same
    for saved, k in ((2, 3), (3, 1), (1, 2), (2, 2)):
        second = os.path.join(outdir, f"second{saved}_{k}")
        if not run(launch(k) + ["--duration", half, "--restore",
                                os.path.join(outdir, f"np{saved}.ckp"),
                                "-o", second, model] + options):
            bad += 1
            continue
        names, differ = continues(full, os.path.join(outdir, "first1"), second)
        what = "DIFFERENT " + " ".join(differ) if differ else "continue the run"
        print(f"np {saved} -> np {k}: {len(names)} recordings {what}")
        bad += bool(differ)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
