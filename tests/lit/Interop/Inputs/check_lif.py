"""Compares the LIF run of nir-lif-paper.test with lif_exact.csv."""
import sys

import numpy as np

exact = np.loadtxt(sys.argv[1], delimiter=",")
out = sys.argv[2]
dt = 1e-4
spikes = np.load(out + "/spikes_n1.npy")
# A spike stamped t happened in the step ending at t: step t / dt - 1.
steps = [int(round(t / dt)) - 1 for t in spikes["t"]]
rows = list(np.nonzero(exact[:, 2])[0])
print("spike steps", *steps, end=", ")
print("exact", *rows)
# Samples at the start of step k hold the state at the end of step k - 1,
# the exact solution's row k - 1.
v = np.load(out + "/n1_v.npy")[1:, 0]
dv = np.abs(v - exact[:-1, 1])
first = rows[0]
assert dv[:first].max() < 1e-8, dv[:first].max()
print("before the first spike: max |dv| < 1e-08")
# After a spike at row s the exact v is the remainder r_s decaying with
# the input's effect added as in Neuro: the difference is r_s * a^(k - s).
a = np.exp(-dt / 0.0025)
expected = np.zeros_like(dv)
for s in rows:
    expected[s:] = exact[s, 1] * a ** np.arange(len(dv) - s)
assert np.abs(dv - expected).max() < 1e-8, np.abs(dv - expected).max()
assert dv.max() < 0.0063
print("after spikes: max |dv| < 0.0063, within the exact in-step remainder")
