"""Prints the shapes of the two recordings of P and S in OUT (argv[1]) and
whether the columns and samples they share are equal."""
import json
import os
import sys

import numpy as np

out = sys.argv[1]


def load(name):
    return np.load(os.path.join(out, name + ".npy"))


print("P_t", load("P_t").shape, "P_v", load("P_v").shape)
print("P_2_t", load("P_2_t").shape, "P_2_v", load("P_2_v").shape, "P_2_u",
      load("P_2_u").shape)
# P: neurons 1-2 every 1 ms; P_2: neurons 0-2 every 0.5 ms.
print("P_2 matches P:", bool(np.array_equal(load("P_2_v")[::2, 1:3],
                                            load("P_v"))
                             and np.allclose(load("P_2_t")[::2], load("P_t"),
                                             rtol=0, atol=1e-15)))
print("S_t", load("S_t").shape, "S_w", load("S_w").shape)
print("S_2_t", load("S_2_t").shape, "S_2_w", load("S_2_w").shape)
print("S_2 matches S:", bool(np.array_equal(load("S_2_w"),
                                            load("S_w")[::2, 2:4])))
files = json.load(open(os.path.join(out, "recordings.json")))["files"]
entry = files["P_2_v.npy"]
print("manifest: P_2_v.npy times", entry["times"], "population",
      entry["population"])
