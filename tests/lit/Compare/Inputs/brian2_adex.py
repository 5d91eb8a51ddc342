"""Runs the eight AdEx neurons of examples/classic/adex_firing_patterns.neuro
(Naud et al. 2008, the parameters of Brian2's example
frompapers/Naud_et_al_2008_adex_firing_patterns.py) in Brian2, runtime mode
with the numpy target, method='euler', dt = 0.1 ms, and compares them with
what neuroc wrote to NEURO_DIR. Neuro stamps a spike with the end of its
step, Brian2 with the start (docs/semantics.md), so Neuro's times are
Brian2's plus dt.

Both take the same forward Euler step from the same state, so they differ
only by rounding (the order of the operations, the last bit of exp). How
much rounding matters is measured on Brian2 itself: each neuron runs seven
times, from v(0) = E_L and from E_L moved by 1, 2 and 3 units in the last
place (ulp) up and down. Neuro passes for a pattern when
  - its spikes fall into the same steps as Brian2's for at least as many
    spikes as the perturbed copy that departs first keeps (all of them
    when every copy keeps all), and it has as many spikes within 10%;
  - v, where both are below -40 mV (above, the exponential amplifies a
    rounding error by up to e^20 per step until the cut), is within
    1e-12 V of Brian2's, or within 10 times the largest deviation of the
    copies, up to the first spike that differs.
The irregular pattern is chaotic: a change of v(0) by one unit in the last
place moves one of its later spikes by steps, so only its first spikes and
its spike count can be compared.

usage: brian2_adex.py NEURO_DIR
"""
import os
import sys
import time

import numpy as np
from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, Network,
                    TimedArray, defaultclock, prefs, ms, mV, nS, pA, pF)

prefs.codegen.target = "numpy"
dt = 1e-4
defaultclock.dt = dt * 1000 * ms

# pattern: C (pF), g_L (nS), E_L (mV), a (nS), tau_w (ms), b (pA), V_r (mV),
# I (pA); V_T = -50 mV and Delta_T = 2 mV for all.
PATTERNS = [
    ("Tonic", 200, 10, -70, 2, 30, 0, -58, 500),
    ("Adapting", 200, 12, -70, 2, 300, 60, -58, 500),
    ("InitialBurst", 130, 18, -58, 4, 150, 120, -50, 400),
    ("Bursting", 200, 10, -58, 2, 120, 100, -46, 210),
    ("DelayedAccelerating", 200, 12, -70, -10, 300, 0, -58, 300),
    ("DelayedBursting", 100, 10, -65, -10, 90, 30, -47, 110),
    ("Transient", 100, 10, -65, 10, 90, 100, -47, 180),
    ("Irregular", 100, 12, -60, -11, 130, 30, -48, 160),
]

step = TimedArray([0.0, 1.0], dt=100 * ms)
eqs = """
dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T)
         + I*step(t) - w)/C : volt
dw/dt = (a*(v - E_L) - w)/tau_w : amp
C : farad (constant)
g_L : siemens (constant)
E_L : volt (constant)
a : siemens (constant)
tau_w : second (constant)
b : amp (constant)
V_r : volt (constant)
I : amp (constant)
"""
# Seven copies of the eight neurons: v(0) = E_L, then E_L moved by 1, 2, 3
# ulp up and down.
n = len(PATTERNS)
ULPS = [1, -1, 2, -2, 3, -3]
G = NeuronGroup((1 + len(ULPS)) * n, eqs, threshold="v > 0*mV",
                reset="v = V_r; w += b", method="euler",
                namespace={"V_T": -50 * mV, "Delta_T": 2 * mV, "step": step})
columns = [np.tile(c, 1 + len(ULPS)) for c in zip(*[p[1:] for p in PATTERNS])]
G.C = columns[0] * pF
G.g_L = columns[1] * nS
G.E_L = columns[2] * mV
G.a = columns[3] * nS
G.tau_w = columns[4] * ms
G.b = columns[5] * pA
G.V_r = columns[6] * mV
G.I = columns[7] * pA
E_L = np.asarray(G.E_L_[:])
v0 = E_L[:n].copy()
for u in ULPS:
    moved = E_L[:n].copy()
    for _ in range(abs(u)):
        moved = np.nextafter(moved, np.inf if u > 0 else -np.inf)
    v0 = np.concatenate([v0, moved])
G.v_ = v0
G.w = 0 * pA
M = SpikeMonitor(G)
V = StateMonitor(G, "v", record=True)
net = Network(G, M, V)
start = time.time()
net.run(700 * ms)
wall = time.time() - start

out_dir = sys.argv[1]
trains = [np.asarray(x) for x in M.spike_trains().values()]
vs = np.asarray(V.v)


def leading(a, b):
    """How many spikes of a and b, from the first, fall into the same step."""
    k = min(len(a), len(b))
    differ = np.flatnonzero(np.abs(a[:k] - b[:k]) > dt / 2)
    return int(differ[0]) if len(differ) else k


def until(spikes, k):
    """The samples before the k-th spike's step (all without it)."""
    return int(round(spikes[k] / dt)) if k < len(spikes) else vs.shape[1]


def v_error(a, b, end):
    below = (a[:end] < -40e-3) & (b[:end] < -40e-3)
    return float(np.max(np.abs(a[:end] - b[:end])[below], initial=0.0))


failed = 0
for k, (name, *_rest) in enumerate(PATTERNS):
    ours = np.load(os.path.join(out_dir, f"spikes_{name}.npy"))["t"] - dt
    theirs = trains[k]
    copies = [k + c * n for c in range(1, 1 + len(ULPS))]
    same = leading(ours, theirs)
    kept = min(leading(trains[c], theirs) for c in copies)
    v_ours = np.load(os.path.join(out_dir, f"{name}_v.npy"))[:, 0]
    end = until(theirs, same)
    err = v_error(v_ours, vs[k], end)
    bound = max(1e-12, 10 * max(v_error(vs[c], vs[k], end)
                                for c in copies))
    ok = (same >= min(kept, len(theirs)) and err <= bound and
          abs(len(ours) - len(theirs)) <= 0.1 * len(theirs))
    failed += not ok
    if same == len(ours) == len(theirs):
        what = f"{same} spikes in the same steps as Brian2's"
    else:
        what = (f"first {same} of {len(ours)} spikes in the same steps as "
                f"Brian2's (copies with v(0) 1-3 ulp off: {kept}); "
                f"Brian2 {len(theirs)} spikes")
    print(f"{name}: {what}; v within {err:.1e} V (bound {bound:.0e})"
          + ("" if ok else " DIFFERS"))
print(f"{n - failed} of {n} patterns as Brian2's")
print(f"Brian2 (numpy target) simulated 700 ms of {G.N} neurons in "
      f"{wall:.2f} s", file=sys.stderr)
