"""The false-match rate of dendritic segments against random sparse inputs
(examples/zoo/dendrites) against the hypergeometric prediction
P(overlap >= theta) for s = 20 synapses, n = 200 cells, a = 30 active,
within 5 binomial standard deviations (1000 segments x 400 patterns per
theta).

usage: dendrites_check.py OUTDIR"""
import sys
from math import comb, sqrt

import numpy as np

out = sys.argv[1]
n, s, a, segments, patterns = 200, 20, 30, 1000, 400
good = True
for theta in range(3, 9):
    events = len(np.load(f"{out}/spikes_S{theta}.npy"))
    trials = segments * patterns
    measured = events / trials
    predicted = sum(comb(s, b) * comb(n - s, a - b)
                    for b in range(theta, min(s, a) + 1)) / comb(n, a)
    sd = sqrt(predicted * (1 - predicted) / trials)
    ok = abs(measured - predicted) <= 5 * sd
    good &= ok
    print(f"theta {theta}: false matches {measured:.5f}, hypergeometric "
          f"{predicted:.5f} +- {sd:.5f}{'' if ok else '  OUT OF BAND'}")
print("false matches follow the hypergeometric prediction" if good
      else "false matches do not follow the prediction")
