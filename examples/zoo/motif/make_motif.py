"""Writes the inputs of motif.neuro.

100 inputs; a motif: 20 of them (the first 20) spike once each at offsets
in [0, 20) ms. Every 200 ms the inputs present either the motif or a
time-shuffled version (the same inputs and offsets, offsets permuted), half
each, over 5 Hz Poisson background spikes on every input, for 40 s.

inputs.csv (i, t): all input spikes, at most one per input and step of
0.1 ms (neuroc refuses two in one step).
edges.csv (pre, post, w, delay): the detector's synapses. Motif inputs get
a strong weight and the delay 21 ms - offset, so that the motif's spikes
arrive together; the other 80 inputs get weak weights and random delays.
With --prune F, the weakest fraction F of synapses is left out.
schedule.csv (t, kind): presentation times, kind 1 motif, 0 shuffled."""
import argparse
import math
import os

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--prune", type=float, default=0.0)
ap.add_argument("--out", default=".")
args = ap.parse_args()
rng = np.random.default_rng(3)
n, k, duration, period = 100, 20, 40.0, 0.2
offsets = rng.uniform(0, 0.02, k)
spikes, schedule = [], []
t = 0.05
while t < duration - period:
    motif = rng.random() < 0.5
    times = offsets if motif else rng.permutation(offsets)
    spikes += [(i, t + o) for i, o in enumerate(times)]
    schedule.append((t, int(motif)))
    t += period
for i in range(n):
    count = rng.poisson(5.0 * duration)
    spikes += [(i, s) for s in rng.uniform(0, duration, count)]
spikes.sort(key=lambda s: (s[1], s[0]))
seen = set()
for i, s in list(spikes):
    # The step neuroc puts the spike in, as written: the step holding t,
    # floor(t / dt + 1e-3) (Brian2's time bins).
    step = (i, math.floor(float("%.5f" % s) / 1e-4 + 1e-3))
    if step in seen:
        spikes.remove((i, s))
    seen.add(step)

edges = []
for i in range(n):
    if i < k:
        edges.append((i, 0, 1.0e-9 * rng.uniform(0.9, 1.1), 0.021 - offsets[i]))
    else:
        edges.append((i, 0, 1.0e-9 * rng.uniform(0.0, 0.3), rng.uniform(0.001, 0.021)))
edges.sort(key=lambda e: e[2])
edges = edges[int(round(args.prune * len(edges))):]

def write(name, header, rows, fmt):
    with open(os.path.join(args.out, name), "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(fmt % tuple(r) + "\n")

write("inputs.csv", "i,t", spikes, "%d,%.5f")
write("edges.csv", "pre,post,w,delay", sorted(edges), "%d,%d,%.4e,%.5f")
write("schedule.csv", "t,kind", schedule, "%.4f,%d")
