"""Writes the spike files of patterns.neuro: 40 inputs, spatial patterns of
8 inputs that spike at the same instant, one presentation every 50 ms.

inputs.csv (i, t): 0-20 s training, the target pattern (index 0) or one of
10 distractors, half each; 20-30 s test, the target and 20 held-out random
patterns, 10 presentations each, in random order.
teacher.csv (i, t): the teacher spikes 2 ms after every training
presentation of the target.
schedule.csv (t, pattern, phase): every presentation, for the test's
evaluation (pattern 0 is the target; phase 0 train, 1 test).
With --overlap K the held-out patterns share exactly K of the 8 inputs of
a trained pattern; with --trained P the teacher trains P patterns (the
sweeps of tests/lit/Zoo/patterns.test)."""
import argparse
import os

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--overlap", type=int, default=-1,
                help="held-out patterns share exactly this many inputs with "
                     "the target (default: random patterns)")
ap.add_argument("--trained", type=int, default=1,
                help="number of patterns the teacher trains (the first is "
                     "the target; all count as targets in the test)")
ap.add_argument("--out", default=".")
args = ap.parse_args()
rng = np.random.default_rng(7)
n_inputs, size, period = 40, 8, 0.05
target = rng.choice(n_inputs, size, replace=False)
distractors = [rng.choice(n_inputs, size, replace=False) for _ in range(10)]
held_out = [rng.choice(n_inputs, size, replace=False) for _ in range(20)]
trained = [target] + [rng.choice(n_inputs, size, replace=False)
                     for _ in range(args.trained - 1)]
if args.overlap >= 0:
    # Test patterns that share exactly `overlap` inputs with a trained one.
    held_out = []
    for _ in range(20):
        base = trained[rng.integers(len(trained))] if len(trained) > 1 else target
        others = np.setdiff1d(np.arange(n_inputs), base)
        held_out.append(np.concatenate([
            rng.choice(base, args.overlap, replace=False),
            rng.choice(others, size - args.overlap, replace=False)]))

spikes, teacher, schedule = [], [], []
t = 0.01
while t < 20.0 - 1e-9:
    if rng.random() < 0.5:
        pattern = 0
        cells = trained[rng.integers(len(trained))] if len(trained) > 1 else target
        teacher.append((0, t + 0.002))
    else:
        k = rng.integers(len(distractors))
        pattern, cells = 1 + k, distractors[k]
    spikes += [(int(i), t) for i in cells]
    schedule.append((t, pattern, 0))
    t += period
order = [-1 - q for q in range(len(trained)) for _ in range(10)] + \
    [p for p in range(1, 21) for _ in range(10)]
if len(trained) == 1:
    order = [0] * 10 + [p for p in range(1, 21) for _ in range(10)]
rng.shuffle(order)
t = 20.01
for p in order:
    cells = trained[-1 - p] if p < 0 else target if p == 0 else held_out[p - 1]
    p = max(p, 0)
    spikes += [(int(i), t) for i in cells]
    schedule.append((t, 0 if p == 0 else 100 + p, 1))
    t += period

def write(name, header, rows, fmt):
    with open(os.path.join(args.out, name), "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(fmt % r + "\n")

write("inputs.csv", "i,t", sorted(spikes, key=lambda s: (s[1], s[0])), "%d,%.4f")
write("teacher.csv", "i,t", teacher, "%d,%.4f")
write("schedule.csv", "t,pattern,phase", schedule, "%.4f,%d,%d")
