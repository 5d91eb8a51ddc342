#!/usr/bin/env python3
"""Test accuracy of digits.neuro: for each held-out image (1,000 to 1,796)
the output with the most spikes while it is shown (100 ms of every 150 ms)
is the answer; no spike is a wrong answer.

usage: score.py OUTPUT_DIR
"""
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
labels = np.loadtxt(os.path.join(here, "labels.csv"), skiprows=1, dtype=int)
spikes = np.load(os.path.join(sys.argv[1], "spikes_Out.npy"))
period, shown, train = 0.15, 0.1, 1000
image = np.floor(spikes["t"] / period + 1e-9).astype(int)
inside = spikes["t"] - image * period <= shown + 1e-9
counts = np.zeros((len(labels), 10))
np.add.at(counts, (image[inside], spikes["i"][inside]), 1)
test = np.arange(train, len(labels))
answer = counts[test].argmax(axis=1)
right = (answer == labels[test]) & (counts[test].sum(axis=1) > 0)
print(f"test accuracy {right.mean():.3f} on {len(test)} images")
