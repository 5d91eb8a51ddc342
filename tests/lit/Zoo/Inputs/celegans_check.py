"""examples/zoo/celegans: spikes of the backward command interneurons
AVAL, AVAR, AVDL, AVDR (by name, from cells.csv) before (0-1 s), during
(1-2 s) and after (2-3 s) the touch, in the intact worm and with the touch
cells ablated.

usage: celegans_check.py EXAMPLE_DIR TOUCH_OUT ABLATED_OUT"""
import csv
import os
import sys

import numpy as np

example, touch, ablated = sys.argv[1:4]
cells = [r["name"] for r in csv.DictReader(open(os.path.join(example, "cells.csv")))]
command = ["AVAL", "AVAR", "AVDL", "AVDR"]


def counts(out):
    s = np.load(os.path.join(out, "spikes_Worm.npy"))
    mask = np.isin(s["i"], [cells.index(c) for c in command])
    t = s["t"][mask]
    return [int(np.sum((t >= a) & (t < a + 1))) for a in (0, 1, 2)]


intact, cut = counts(touch), counts(ablated)
print(f"AVA/AVD spikes before, during, after touch: intact {intact}, "
      f"touch cells ablated {cut}")
ok = intact[1] > 20 and intact[0] == 0 and cut[1] == 0
print("touch drives AVA/AVD through ALM/AVM" if ok
      else "touch does not drive AVA/AVD as expected")
