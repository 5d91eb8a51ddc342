"""Runs the network of Driver/Inputs/brian2-steps.neuro in Brian2 (numpy
target) and compares its spike steps and the length of its run with what
neuroc wrote into the folder given: times between grid points (a
refractory period of 2.07 ms, spike times from 1.03 to 1.14 ms, a run of
20.04 ms at dt = 0.1 ms) must count alike."""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, SpikeGeneratorGroup, SpikeMonitor,
                    StateMonitor, Network, ms, mV, defaultclock, prefs)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
out = sys.argv[1]

N = NeuronGroup(1, "dv/dt = (30*mV - v) / (10*ms) : volt (unless refractory)",
                threshold="v > 10*mV", reset="v = 0*mV",
                refractory=2.07 * ms, method="exact")
N.v = 11 * mV
In = SpikeGeneratorGroup(6, [0, 1, 2, 3, 4, 5, 5],
                         [1, 1.03, 1.05, 1.07, 1.099, 1.06, 1.14] * ms)
sn, si, mv = SpikeMonitor(N), SpikeMonitor(In), StateMonitor(N, "v", record=0)
Network(N, In, sn, si, mv).run(20.04 * ms)


def steps(t):
    return [int(round(float(x) / 1e-4)) for x in t]


ours_n = np.load(os.path.join(out, "spikes_N.npy"))
ours_in = np.load(os.path.join(out, "spikes_In.npy"))
# Neuro stamps a spike found in step k with (k + 1) dt, Brian2 with k dt.
assert [k - 1 for k in steps(ours_n["t"])] == steps(sn.t), (ours_n, sn.t)
theirs = sorted(zip(np.asarray(si.i).tolist(), steps(si.t)))
ours = sorted((int(i), k - 1) for i, k in zip(ours_in["i"],
                                              steps(ours_in["t"])))
assert ours == theirs, (ours, theirs)
samples = len(np.load(os.path.join(out, "N_v.npy")))
assert samples == len(mv.t), (samples, len(mv.t))
print(f"N spikes in steps {steps(sn.t)}, In in steps {theirs}, "
      f"{samples} steps: as Brian2")
