"""Principal angles between the subspace the network learned (the rows of
F = M^-1 W, from the last weight sample) and the top-2 eigenvectors of the
inputs' covariance, by numpy's eigendecomposition.

usage: subspace_check.py OUTDIR COV.npy"""
import sys

import numpy as np

out, cov = sys.argv[1], np.load(sys.argv[2])
w_all = np.load(f"{out}/W_w.npy")   # [samples][In i -> Out k at i * 2 + k]
m_all = np.load(f"{out}/M_m.npy")   # [samples][Out a -> Out b at a * 2 + b]
_, vectors = np.linalg.eigh(cov)
top = vectors[:, -2:]


def angles(sample):
    w = w_all[sample].reshape(8, 2).T
    m = m_all[sample].reshape(2, 2).T
    f = np.linalg.solve(m, w)
    q, _ = np.linalg.qr(f.T)
    cosines = np.linalg.svd(top.T @ q, compute_uv=False)
    return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))


first, last = angles(0), angles(-1)
print(f"initial angles: {first[0]:.1f} {first[1]:.1f} degrees")
print(f"learned angles: {last[0]:.2f} {last[1]:.2f} degrees")
# The weights fluctuate around the fixed point with the learning rate
# (eta = 0.5 Hz against a new sample every 5 ms): a few degrees.
print("learned the principal subspace" if max(last) < 5.0 and min(first) > 30.0
      else "did not learn the principal subspace")
