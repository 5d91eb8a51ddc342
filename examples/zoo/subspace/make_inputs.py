"""Writes inputs.npy and cov.npy for subspace.neuro: 3000 samples of 8
correlated Gaussian inputs (covariance eigenvalues 4, 2, 0.5, 0.3, 0.2, 0.1,
0.1, 0.05 in a random orthonormal basis), float32, one row per 5 ms."""
import numpy as np

rng = np.random.default_rng(1)
d, samples = 8, 3000
eigenvalues = np.array([4, 2, 0.5, 0.3, 0.2, 0.1, 0.1, 0.05])
basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
cov = basis @ np.diag(eigenvalues) @ basis.T
x = rng.multivariate_normal(np.zeros(d), cov, size=samples)
np.save("inputs.npy", x.astype(np.float32))
np.save("cov.npy", cov)
