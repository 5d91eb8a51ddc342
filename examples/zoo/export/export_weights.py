"""Writes trained.csv (pre, post, w) from a run of network Learn: the
weights recorded at 11 s, after training ended and plasticity was switched
off, with the source and target of every synapse.

usage: export_weights.py OUTDIR [TRAINED_CSV]"""
import sys

import numpy as np

out = sys.argv[1]
target = sys.argv[2] if len(sys.argv) > 2 else "trained.csv"
t = np.load(f"{out}/S_t.npy")
w = np.load(f"{out}/S_w.npy")[int(np.argmin(np.abs(t - 11.0)))]
pre, post = np.load(f"{out}/S_pre.npy"), np.load(f"{out}/S_post.npy")
with open(target, "w") as f:
    f.write("pre,post,w\n")
    for a, b, x in zip(pre, post, w):
        f.write(f"{a},{b},{x!r}\n")
