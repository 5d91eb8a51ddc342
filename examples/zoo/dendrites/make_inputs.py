"""Writes inputs.csv for dendrites.neuro: 400 random sparse patterns, each
30 of the 200 input cells spiking at the same instant, one every 5 ms, and
clear.csv: the clear signal 1 ms after each pattern."""
import numpy as np

rng = np.random.default_rng(11)
n, active, patterns, period = 200, 30, 400, 0.005
with open("inputs.csv", "w") as f, open("clear.csv", "w") as g:
    f.write("i,t\n")
    g.write("i,t\n")
    for p in range(patterns):
        t = 0.001 + p * period
        for i in sorted(rng.choice(n, active, replace=False)):
            f.write(f"{i},{t:.4f}\n")
        g.write(f"0,{t + 0.001:.4f}\n")
