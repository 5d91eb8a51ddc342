#!/usr/bin/env python3
"""Test accuracy of digits.neuro: for each held-out image (1,000 to 1,796,
shown for 400 ms of every 450 ms from t = 150 s) the class whose three
outputs fire most while it is shown, together, is the answer (a vote); no
spike is a wrong answer.

usage: score.py OUTPUT_DIR
"""
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
labels = np.loadtxt(os.path.join(here, "labels.csv"), skiprows=1, dtype=int)
spikes = np.load(os.path.join(sys.argv[1], "spikes_Out.npy"))
train, start, period, shown = 1000, 150.0, 0.45, 0.4
per_class = 3
test = np.arange(train, len(labels))
t = spikes["t"] - start
after = t >= 0
image = np.floor(t[after] / period + 1e-9).astype(int)
inside = (t[after] - image * period <= shown + 1e-9) & (image < len(test))
counts = np.zeros((len(test), 10 * per_class))
np.add.at(counts, (image[inside], spikes["i"][after][inside]), 1)
votes = counts.reshape(len(test), 10, per_class).sum(axis=2)
answer = votes.argmax(axis=1)
right = (answer == labels[test]) & (counts.sum(axis=1) > 0)
print(f"test accuracy {right.mean():.3f} on {len(test)} images")
