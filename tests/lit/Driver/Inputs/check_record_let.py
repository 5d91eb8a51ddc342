"""Checks the lets recorded by Inputs/record-let.neuro against the states
recorded with them and the spikes: argv[1] the output folder, argv[2]
'single' for a single-precision run."""
import sys

import numpy as np

out = sys.argv[1]
single = len(sys.argv) > 2 and sys.argv[2] == "single"
dt = 1e-4
load = lambda name: np.load(f"{out}/B_{name}.npy")
t, v, ge, g = load("t"), load("v"), load("ge"), load("g_B_to_B_1")
I_e, I_i, nr, since = load("I_e"), load("I_i"), load("nr"), load("since")
if single:
    f = np.float32
    want_e = (f(ge) * (f(0) - f(v))).astype(float)
    want_i = (f(g) * (f(-0.08) - f(v))).astype(float)
    same = lambda a, b: bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))
else:
    want_e, want_i = ge * (0 - v), g * (-0.08 - v)
    same = lambda a, b: bool(np.array_equal(a, b))
print(f"B: {len(t)} samples of {v.shape[1]} neurons; "
      f"I_e == ge (E_e - v): {same(I_e, want_e)}; "
      f"I_i == gi (E_i - v): {same(I_i, want_i)}")

# Brian2's `not_refractory` and `t - lastspike` at the start of step k,
# from the spikes: a spike in step s has the stamp (s + 1) dt.
spikes = np.load(f"{out}/spikes_B.npy")
steps = np.round(spikes["t"] / dt).astype(int) - 1
t_ref = 10 + (np.arange(v.shape[1]) % 4) * 10  # steps
nr_ok = since_ok = True
for row, k in enumerate(np.round(t / dt).astype(int)):
    for n in range(v.shape[1]):
        before = steps[(spikes["i"] == n) & (steps < k)]
        if len(before) == 0:
            nr_ok &= nr[row, n] == 1
            continue
        last = before.max()
        nr_ok &= nr[row, n] == float(k - 1 - last >= max(t_ref[n], 1))
        since_ok &= abs(since[row, n] - (k - last) * dt) < (1e-6 if single else 1e-12)
print(f"B: not_refractory as at the start of each step: {bool(nr_ok)}; "
      f"t - lastspike: {bool(since_ok)}; spikes: {len(steps)}")

t2, I_e2 = load("2_t"), load("2_I_e")
every_other = bool(np.array_equal(I_e2[::2], I_e[:, 100:200]))
print(f"B[100:200] every step: {len(t2)} samples; I_e equals B's at the "
      f"samples both take: {every_other}")
