"""Runs the network of coupled.neuro in Brian2 and compares its spikes with
the .npy files neuroc wrote: every spike must match. Brian2 stamps a spike
with the start of the step in which the threshold is crossed, Neuro with its
end, so Neuro's times are Brian2's plus dt."""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, StateMonitor,
                    Network, ms, mV, defaultclock, prefs)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
dt = 1e-4
out_dir = sys.argv[1]

taum, v_th, v_reset = 20 * ms, -50 * mV, -60 * mV
eqs = """
dv/dt = (v_rest - v + ge5 + gi10 + gd5) / taum : volt (unless refractory)
dge5/dt = -ge5 / (5*ms) : volt
gi10 : volt
dgd5/dt = -gd5 / (5*ms) : volt
v_rest : volt (constant)
"""
# gi10 decays with 10 ms: written separately to keep the equations linear.
eqs = eqs.replace("gi10 : volt", "dgi10/dt = -gi10 / (10*ms) : volt")
G = NeuronGroup(4, eqs, threshold="v > v_th", reset="v = v_reset",
                refractory=5 * ms, method="exact")
G.v_rest = [-45, -47, -49.5, -48.5] * mV
G.v = [-60, -55, -52, -50.5] * mV
# A and B: +1.5 mV, delay 1.5 ms, into ge5; C: -2 mV, 0.5 ms, into gi10;
# D: +3 mV, no delay, into gd5.
sAB = Synapses(G, G, on_pre="ge5 += 1.5*mV", delay=1.5 * ms)
sAB.connect(condition="i < 2")
sC = Synapses(G, G, on_pre="gi10 += -2*mV", delay=0.5 * ms)
sC.connect(condition="i == 2")
sD = Synapses(G, G, on_pre="gd5 += 3*mV")
sD.connect(condition="i == 3")
M = SpikeMonitor(G)
V = StateMonitor(G, "v", record=[0, 3])
net = Network(G, sAB, sC, sD, M, V)
net.run(1000 * ms)

brian = {}
for idx, t in zip(np.asarray(M.i), np.asarray(M.t)):
    brian.setdefault(int(idx), []).append(float(t))
total = 0
for idx, name in enumerate("ABCD"):
    d = np.load(os.path.join(out_dir, f"spikes_{name}.npy"))
    ours = np.asarray(d["t"])
    theirs = np.asarray(brian.get(idx, [])) + dt
    assert len(ours) == len(theirs), (name, len(ours), len(theirs))
    assert np.allclose(ours, theirs, rtol=0, atol=dt * 1e-3), (
        name, ours[:10], theirs[:10])
    total += len(ours)
assert total > 80, total
print(f"{total} spikes identical to Brian2's")

# Membrane traces: both sample at the start of every step (t = k dt).
t_ours = np.load(os.path.join(out_dir, "A_t.npy"))
assert np.allclose(t_ours, np.asarray(V.t), rtol=0, atol=1e-12)
for column, (name, idx) in enumerate((("A", 0), ("D", 3))):
    ours = np.load(os.path.join(out_dir, f"{name}_v.npy"))[:, 0]
    theirs = np.asarray(V.v[column])
    err = np.max(np.abs(ours - theirs))
    assert err < 1e-9, (name, err)
print(f"{len(t_ours)} samples of v identical to Brian2's to 1e-9 V")
