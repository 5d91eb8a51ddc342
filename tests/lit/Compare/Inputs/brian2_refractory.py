"""Runs the network of refractory.neuro in Brian2 (numpy target) and
compares every sample of v and x, and every spike, with what neuroc wrote
into the folder given. Prints A's v at 2.5 ms and 3.1 ms with 12 digits."""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, SpikeGeneratorGroup, Synapses, SpikeMonitor,
                    StateMonitor, Network, ms, mV, defaultclock, prefs)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
out = sys.argv[1]

eqs = """
dv/dt = -v / (20*ms) : volt (unless refractory)
dx/dt = -x / (5*ms) : volt
"""
groups, monitors, spikes = {}, {}, {}
net = Network()
In = SpikeGeneratorGroup(2, [0, 0, 1, 0], [0.5, 1.0, 2.0, 3.0] * ms)
net.add(In)
for name, v0, sources in (("A", 25, "i == 0"), ("B", 19.5, "True"),
                          ("C", 25, "True")):
    G = NeuronGroup(1, eqs, threshold="v > 20*mV", reset="v = 10*mV",
                    refractory=2 * ms, method="exact")
    G.v = v0 * mV
    S = Synapses(In, G, on_pre="v_post += 1*mV\nx_post += 1*mV")
    S.connect(condition=sources)
    monitors[name] = StateMonitor(G, ["v", "x"], record=0)
    spikes[name] = SpikeMonitor(G)
    net.add(G, S, monitors[name], spikes[name])
net.run(5 * ms)

for name in ("A", "B", "C"):
    t = np.load(os.path.join(out, f"{name}_t.npy"))
    assert np.allclose(t, np.asarray(monitors[name].t), rtol=0, atol=1e-12)
    for var in ("v", "x"):
        ours = np.load(os.path.join(out, f"{name}_{var}.npy"))[:, 0]
        theirs = np.asarray(getattr(monitors[name], var)[0])
        err = np.max(np.abs(ours - theirs))
        assert err < 1e-15, (name, var, err, ours[:40], theirs[:40])
    d = np.load(os.path.join(out, f"spikes_{name}.npy"))
    assert np.allclose(d["t"], np.asarray(spikes[name].t) + 1e-4, rtol=0,
                       atol=1e-9), (name, d["t"], spikes[name].t)
    print(f"{name}: {len(t)} samples of v and x and {len(d)} spikes "
          "identical to Brian2's")
for name in ("A", "C"):
    v = np.load(os.path.join(out, f"{name}_v.npy"))[:, 0]
    print(f"{name}.v at 2.5 ms: {v[25] * 1e3:.12f} mV, "
          f"at 3.1 ms: {v[31] * 1e3:.12f} mV")
