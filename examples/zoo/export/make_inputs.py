"""Writes inputs.csv for export.neuro: 20 inputs, Poisson at 20 Hz for
10 s of training (inputs 0-9 correlated: they share half their spikes),
silence from 10 s to 11 s, then 20 Hz test input from 11 s to 13 s. An
input spikes at most once per step of 0.1 ms (neuroc refuses two in one
step)."""
import math

import numpy as np

rng = np.random.default_rng(5)
spikes = []
for start, end in [(0.0, 10.0), (11.0, 13.0)]:
    shared = rng.uniform(start, end, rng.poisson(10.0 * (end - start)))
    for i in range(20):
        own = rng.uniform(start, end, rng.poisson((10.0 if i < 10 else 20.0) * (end - start)))
        times = np.concatenate([own, shared]) if i < 10 else own
        spikes += [(i, t) for t in times]
spikes.sort(key=lambda s: (s[1], s[0]))
seen = set()
for i, t in list(spikes):
    # The step neuroc puts the spike in, as written: round(t / dt).
    step = (i, math.floor(float(f"{t:.4f}") / 1e-4 + 0.5))
    if step in seen:
        spikes.remove((i, t))
    seen.add(step)
with open("inputs.csv", "w") as f:
    f.write("i,t\n" + "".join(f"{i},{t:.4f}\n" for i, t in spikes))
