#!/usr/bin/env python3
"""Inputs of digits.neuro from the 8x8 digits (../shared/data/digits_8x8.csv.gz:
1,797 images, 64 pixels 0..16, then the label).

The first 1,000 images train: each is shown for 100 ms (two 50 ms rows of
pixels.csv) while teacher.csv drives one output of the right class. Each
class has three outputs (outputs 3c, 3c + 1, 3c + 2 for class c), and the
teacher takes them in turn: the n-th training image of a class drives its
output n mod 3, so each output learns from a third of the class's images.
The other 797 test: each is shown for 400 ms (eight rows) without teacher.
Every image is followed by 50 ms without input (a row of zeros).
labels.csv holds the label of every image in order.

usage: make_digits.py [PATH_TO_digits_8x8.csv.gz]
"""
import gzip
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    here, "../../../../shared/data/digits_8x8.csv.gz")
images = [list(map(int, line.split(","))) for line in gzip.open(src, "rt")]
TRAIN, TRAIN_ROWS, TEST_ROWS = 1000, 2, 8
PER_CLASS = 3  # outputs per class
seen = [0] * 10  # training images of each class so far
with open(os.path.join(here, "pixels.csv"), "w") as px, \
        open(os.path.join(here, "teacher.csv"), "w") as te:
    for k, row in enumerate(images):
        pixels, label = row[:64], row[64]
        shown = TRAIN_ROWS if k < TRAIN else TEST_ROWS
        if k < TRAIN:
            output = label * PER_CLASS + seen[label] % PER_CLASS
            seen[label] += 1
        for r in range(shown + 1):
            px.write(",".join(map(str, pixels if r < shown else [0] * 64)) +
                     "\n")
            t = [0] * (10 * PER_CLASS)
            if k < TRAIN and r < shown:
                t[output] = 1
            te.write(",".join(map(str, t)) + "\n")
with open(os.path.join(here, "labels.csv"), "w") as f:
    f.write("label\n" + "".join(f"{row[64]}\n" for row in images))
