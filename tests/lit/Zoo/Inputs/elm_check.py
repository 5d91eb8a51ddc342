"""examples/zoo/elm: after the input (one spike at 200 ms, into neuron 0),
each memory unit decays with its own time constant exactly (the ratio of
its values at 0.5 s and 1.0 s is e^(-0.5 s / tau_k) to 1e-9), and the
membrane still responds at 1.49 s, 129 membrane time constants after the
input, while the neuron without input stays at rest.

usage: elm_check.py OUTDIR"""
import sys

import numpy as np

out = sys.argv[1]
taus = [5e-3, 50e-3, 0.5, 5.0]
v = np.load(f"{out}/N_v.npy")
good = True
i1, i2 = 50, 100  # samples every 10 ms: 0.5 s and 1.0 s
for k, tau in enumerate(taus):
    m = np.load(f"{out}/N_m_{k}.npy")[:, 0]
    ratio, exact = m[i2] / m[i1], np.exp(-0.5 / tau)
    ok = abs(ratio - exact) <= 1e-9 * exact
    good &= ok
    print(f"unit {k} (tau {tau:g} s): decay over 0.5 s {ratio:.12g}, "
          f"exact {exact:.12g}{'' if ok else '  WRONG'}")
late = v[149] * 1e3
print(f"membrane at 1.49 s: {late[0]:.3f} mV with the input 1.29 s earlier, "
      f"{late[1]:.3f} mV without")
good &= late[0] > 1.0 and abs(late[1]) < 1e-12
print("long memory" if good else "no long memory")
