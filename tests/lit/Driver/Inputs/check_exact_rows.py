import sys

import numpy as np

out = sys.argv[1]
a = np.load(f"{out}/A_v.npy") * 1e3
t = np.load(f"{out}/A_t.npy") * 1e3
k = int(np.argmin(np.abs(t - 1.0)))
print("A", " ".join(f"{v:.6f}" for v in a[k]))
exact = [i_ext * (1 - np.exp(-t[k] / 10)) for i_ext in (10, 15, 20)]
print("A analytic", " ".join(f"{v:.6f}" for v in exact))
g1 = np.load(f"{out}/G1_v.npy")[:, 0] * 1e3
g2 = np.load(f"{out}/G2_v.npy")[:, 0] * 1e3
decay = np.exp(-0.1 / 10)
x1, x2, err = 10.0, 0.0, 0.0
for step in range(len(g1)):
    err = max(err, abs(g1[step] - x1), abs(g2[step] - x2))
    i1, i2 = 0.5 * (x2 - x1), 0.5 * (x1 - x2)
    x1, x2 = x1 * decay + i1 * (1 - decay), x2 * decay + i2 * (1 - decay)
print(f"gap {g1[-1]:.6f} {g2[-1]:.6f} max error below 1e-12: {err < 1e-12}")
