"""Statistics of Inputs/poisson_input.neuro's spikes against a Bernoulli
process with p = rate * dt per step, each neuron independent."""
import sys

import numpy as np

out = sys.argv[1]
d = np.load(f"{out}/spikes_In.npy")
n, rate, T, dt = 4000, 40.0, 2.0, 1e-4
p = rate * dt
steps = np.rint(d["t"] / dt).astype(np.int64) - 1  # spikes stamped (k+1) dt
counts = np.bincount(d["i"], minlength=n)
# Mean count: binomial(T/dt, p) per neuron, n neurons.
mean, var = T / dt * p, T / dt * p * (1 - p)
z = (counts.sum() - n * mean) / np.sqrt(n * var)
print(f"total {counts.sum()} expected {n * mean:.0f} z {z:.2f}")
print("mean ok" if abs(z) < 5 else "MEAN OFF")
# Fano factor of the counts: 1 - p for a Bernoulli process.
fano = counts.var() / counts.mean()
se = np.sqrt(2.0 / (n - 1))
print(f"fano {fano:.3f} expected {1 - p:.3f}")
print("fano ok" if abs(fano - (1 - p)) < 5 * se else "FANO OFF")
# The step of each neuron's first spike is geometric from step 0: mean
# (1 - p) / p (later gaps are cut by the end of the run, the first is not).
order = np.lexsort((steps, d["i"]))
i, k = d["i"][order], steps[order]
first = k[np.r_[True, i[1:] != i[:-1]]]
fse = np.sqrt((1 - p) / p ** 2 / len(first))
print(f"first spike mean {first.mean():.1f} expected {(1 - p) / p:.1f}")
gaps = (k[1:] - k[:-1])[i[1:] == i[:-1]]
print("gaps ok" if len(first) == n and gaps.min() >= 1
      and abs(first.mean() - (1 - p) / p) < 5 * fse else "GAPS OFF")
# No neuron spikes twice in a step; within a step indices ascend.
key = steps * n + d["i"]
print("order ok" if np.all(np.diff(key) > 0) else "ORDER OFF")
# Neurons are independent: the correlation of counts in 10 ms bins between
# neighbours is small.
bins = np.zeros((n, int(T / 0.01)))
np.add.at(bins, (d["i"], (steps * dt / 0.01).astype(int)), 1)
r = np.mean([np.corrcoef(bins[j], bins[j + 1])[0, 1] for j in range(0, n, 2)])
print(f"neighbour correlation {r:.4f}")
print("independent" if abs(r) < 0.02 else "CORRELATED")
