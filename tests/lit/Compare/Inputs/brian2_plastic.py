"""Runs the network of plastic.neuro in Brian2 and compares spikes and
weights with what neuroc wrote: pair STDP with event-driven traces in both.
Spike stamps differ by dt (docs/semantics.md); weights, sampled at the start
of every 100th step in both, must agree to 1e-9 relative."""
import os
import re
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeGeneratorGroup, SpikeMonitor,
                    StateMonitor, Network, ms, mV, defaultclock, prefs)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
dt = 1e-4
out_dir = sys.argv[1]

# The input spikes, read from the .neuro file itself.
src = open(os.path.join(os.path.dirname(__file__), "plastic.neuro")).read()
indices = [int(x) for x in re.search(r"indices = \[([^\]]*)\]", src)
           .group(1).replace("\n", " ").split(",")]
times = [float(x.strip().split()[0]) for x in re.search(
    r"times = \[([^\]]*)\]", src).group(1).replace("\n", " ").split(",")]
In = SpikeGeneratorGroup(20, indices, np.array(times) * ms)

eqs = """
dv/dt = (v_rest - v + g) / tau_m : volt (unless refractory)
dg/dt = -g / (5*ms) : volt
v_rest : volt (constant)
tau_m : second (constant)
"""
groups = {}
for name, rest, tau in (("A", -48, 10), ("B", -51, 15)):
    G = NeuronGroup(1, eqs, threshold="v > -50*mV", reset="v = -60*mV",
                    refractory=2 * ms, method="exact", name=name)
    G.v = -60 * mV
    G.v_rest = rest * mV
    G.tau_m = tau * ms
    groups[name] = G

syn_model = """
w : volt
dapre/dt = -apre / (20*ms) : volt (event-driven)
dapost/dt = -apost / (15*ms) : volt (event-driven)
"""
on_pre = """
g_post += w
apre += 0.3*mV
w = clip(w + apost, 0*mV, 4*mV)
"""
on_post = """
apost += -0.35*mV
w = clip(w + apre, 0*mV, 4*mV)
"""
syns, monitors, spikes = {}, {}, {}
for name, G in groups.items():
    S = Synapses(In, G, syn_model, on_pre=on_pre, on_post=on_post,
                 name="In_to_" + name)
    S.connect()
    S.w = 1.2 * mV
    syns[name] = S
    monitors[name] = StateMonitor(S, ["w", "apre", "apost"],
                                  record=True, dt=100 * ms)
    spikes[name] = SpikeMonitor(G)
net = Network(In, *groups.values(), *syns.values(), *monitors.values(),
              *spikes.values())
net.run(1000 * ms)

total = 0
for name in groups:
    d = np.load(os.path.join(out_dir, f"spikes_{name}.npy"))
    ours = np.asarray(d["t"])
    theirs = np.asarray(spikes[name].t) + dt
    assert len(ours) == len(theirs), (name, len(ours), len(theirs))
    assert np.allclose(ours, theirs, rtol=0, atol=dt * 1e-3), name
    total += len(ours)
print(f"{total} spikes identical to Brian2's")

compared = 0
for name, variables in (("A", ("w", "a_pre", "a_post")), ("B", ("w",))):
    # (Brian2 reserves the suffixes _pre and _post: a_pre is apre there.)
    # Synapses by source (one target): the same order in both.
    src_order = np.argsort(np.asarray(syns[name].i), kind="stable")
    t_ours = np.load(os.path.join(out_dir, f"In_to_{name}_t.npy"))
    assert np.allclose(t_ours, np.asarray(monitors[name].t), atol=1e-12)
    for var in variables:
        ours = np.load(os.path.join(out_dir, f"In_to_{name}_{var}.npy"))
        theirs = np.asarray(getattr(monitors[name], var.replace("_", "")))
        theirs = theirs[src_order].T
        assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
        scale = np.maximum(np.abs(theirs), 1e-6)
        err = np.max(np.abs(ours - theirs) / scale)
        assert err < 1e-9, (name, var, err)
        compared += ours.size
final = np.load(os.path.join(out_dir, "In_to_B_w.npy"))[-1]
assert final.min() < 1.0e-3 and final.max() > 3.0e-3, "weights must move"
print(f"{compared} synapse samples identical to Brian2's to 1e-9")
