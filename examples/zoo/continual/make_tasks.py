#!/usr/bin/env python3
"""Inputs of continual.neuro from the 8x8 digits
(../shared/data/digits_8x8.csv.gz: 1,797 images, 64 pixels 0..16, then the
label).

Three tasks, learned one after another: digits 0-2, 3-5 and 6-9. Training
uses the first 1,000 images, testing the other 797. Each image is one row
of inputs.npy (pixels / 16), shown for 5 ms; target.npy holds the matching
row of the ten readout targets (1 for the image's digit while a task is
trained, else 0). The rows come in phases, in this order (timings in
continual.neuro):

  train 1, consolidate 1, test, train 2, consolidate 2, test, train 3, test

and one blank row ends them.
A training phase shows its task's training images three times, each time
in a new random order; a consolidation phase shows them three times again,
without targets; a test phase shows all 797 test images in order.
phases.csv lists each phase (name, first row, rows); labels.csv the label
of each test image.

usage: make_tasks.py [PATH_TO_digits_8x8.csv.gz]
"""
import gzip
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    here, "../../../../shared/data/digits_8x8.csv.gz")
data = np.array([list(map(int, line.split(",")))
                 for line in gzip.open(src, "rt")])
pixels, labels = data[:, :64] / 16.0, data[:, 64]
TRAIN, EPOCHS = 1000, 3
TASKS = [(0, 1, 2), (3, 4, 5), (6, 7, 8, 9)]
rng = np.random.default_rng(1)
test = np.arange(TRAIN, len(labels))

rows, targets, phases = [], [], []


def phase(name, images, teach):
    phases.append((name, len(rows), len(images)))
    for k in images:
        rows.append(pixels[k])
        t = np.zeros(10)
        if teach:
            t[labels[k]] = 1
        targets.append(t)


for n, task in enumerate(TASKS, 1):
    mine = np.flatnonzero(np.isin(labels[:TRAIN], task))
    phase(f"train{n}", np.concatenate(
        [rng.permutation(mine) for _ in range(EPOCHS)]), True)
    if n < len(TASKS):
        phase(f"consolidate{n}", np.concatenate(
            [rng.permutation(mine) for _ in range(EPOCHS)]), False)
    phase(f"test{n}", test, False)

# One blank row at the end: the last test image's answer is sampled at its
# start.
rows.append(np.zeros(64))
targets.append(np.zeros(10))
np.save(os.path.join(here, "inputs.npy"), np.array(rows, dtype=np.float32))
np.save(os.path.join(here, "target.npy"), np.array(targets, dtype=np.float32))
with open(os.path.join(here, "phases.csv"), "w") as f:
    f.write("phase,first,rows\n" +
            "".join(f"{p},{a},{b}\n" for p, a, b in phases))
with open(os.path.join(here, "labels.csv"), "w") as f:
    f.write("label\n" + "".join(f"{labels[k]}\n" for k in test))
