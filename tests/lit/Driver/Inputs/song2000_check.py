"""Checks the outcome of examples/stdp_song2000.neuro (run with -o DIR).

Song, Miller & Abbott (2000): additive STDP with slightly dominant
depression splits initially uniform weights into two groups, near 0 and
near w_max. Brian2 2.5 gives for this network about 21% of the weights
below 0.1 w_max and 17% above 0.9 w_max after 100 s, and about 26 Hz out.

Bands: at the start each tail holds 10% (uniform weights); bimodality means
both tails grew by at least half (>= 15%) while the middle [0.2, 0.8],
60% at the start, shrank below 45%; the upper bounds (30%) keep a runaway
to one side (all weights at 0 or at w_max) from passing. The output rate
must stay where an STDP-balanced neuron sits (Brian2: ~26 Hz): 15-40 Hz
over the run. Other seeds move the tails by a few percent.
"""
import sys

import numpy as np

out = sys.argv[1]
w_max = 0.1e-9
w = np.load(out + "/Inputs_to_Out_w.npy")
t = np.load(out + "/Inputs_to_Out_t.npy")
assert w.shape == (100, 1000), w.shape
assert abs(t[-1] - 99.0) < 1e-9, t[-1]
start, end = w[0] / w_max, w[-1] / w_max
assert start.min() >= 0 and start.max() <= 1
assert end.min() >= 0 and end.max() <= 1 + 1e-12, "weights clipped to [0, w_max]"
low, high = np.mean(end < 0.1), np.mean(end > 0.9)
middle = np.mean((end > 0.2) & (end < 0.8))
print("start: low %.3f high %.3f" % (np.mean(start < 0.1), np.mean(start > 0.9)))
print("end: low %.3f high %.3f middle %.3f" % (low, high, middle))
assert 0.15 <= low <= 0.30, low
assert 0.15 <= high <= 0.30, high
assert middle < 0.45, middle
spikes = np.load(out + "/spikes_Out.npy")
rate = len(spikes) / 100.0
print("rate %.1f Hz" % rate)
assert 15 <= rate <= 40, rate
print("bimodal")
