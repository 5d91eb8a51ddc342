"""Checks the statistics of the std.pynn spike sources run by
Inputs/sources.neuro (recordings in OUT): rates, the coefficient of
variation of the intervals, the dead time and the active window. The
bounds are four standard deviations of the estimates (about 8000 to 20000
intervals each).

usage: check_sources.py OUT"""
import os
import sys

import numpy as np

out = sys.argv[1]
failed = False


def check(what, value, lo, hi):
    global failed
    ok = lo <= value <= hi
    failed |= not ok
    print(f"{what}: {value:.4g} in [{lo:g}, {hi:g}] {'ok' if ok else 'FAILED'}")


def load(pop):
    d = np.load(os.path.join(out, f"spikes_{pop}.npy"))
    t, i = np.asarray(d["t"]), np.asarray(d["i"])
    isi = np.concatenate([np.diff(np.sort(t[i == k])) for k in range(100)])
    return t, isi


# Poisson, 20 Hz from 100 ms for 4 s: stamps in (0.1 s, 4.1 s].
t, isi = load("P")
check("SpikeSourcePoisson rate (Hz)", len(t) / 100 / 4.0, 19.1, 20.9)
check("SpikeSourcePoisson CV", isi.std() / isi.mean(), 0.96, 1.04)
check("SpikeSourcePoisson first (s)", t.min(), 0.1 + 1e-9, 0.2)
check("SpikeSourcePoisson last (s)", t.max(), 4.0, 4.1 + 1e-9)
# Dead time 5 ms, mean interval 20 ms: CV (20 - 5) / 20 = 0.75.
t, isi = load("R")
check("SpikeSourcePoissonRefractory rate (Hz)", len(t) / 100 / 5.0,
      48.9, 51.1)
check("SpikeSourcePoissonRefractory min interval (ms)", isi.min() * 1e3,
      5 - 1e-6, 5 + 1e-6)
check("SpikeSourcePoissonRefractory CV", isi.std() / isi.mean(), 0.72, 0.78)
# Dead time of 12.7 steps, counted as 12 (as `refractory` counts it): the
# hazard took 13, and the rate came out 204 Hz (0.47 Hz a standard error).
t, isi = load("Q")
check("SpikeSourcePoissonRefractory 1.27 ms rate (Hz)", len(t) / 100 / 5.0,
      198.5, 201.5)
check("SpikeSourcePoissonRefractory 1.27 ms min interval (ms)",
      isi.min() * 1e3, 1.2 - 1e-6, 1.2 + 1e-6)
# Gamma of shape 3, rate 60 Hz from 100 ms: mean interval 50 ms, CV
# 1 / sqrt(3).
t, isi = load("G")
check("SpikeSourceGamma mean interval (ms)", isi.mean() * 1e3, 48.5, 51.5)
check("SpikeSourceGamma CV", isi.std() / isi.mean(), 0.55, 0.61)
check("SpikeSourceGamma first (s)", t.min(), 0.1 + 1e-9, 1.0)
print("sources: " + ("FAILED" if failed else "all within bounds"))
sys.exit(1 if failed else 0)
