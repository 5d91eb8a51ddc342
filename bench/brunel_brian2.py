#!/usr/bin/python3
"""Brunel (2000), model A, in Brian2's C++ standalone mode (one thread), as
examples/classic/brunel2000.neuro writes it: 10,000 + 2,500 LIF neurons,
p = 0.1, delta synapses of J = 0.1 mV (-g J), delay 1.5 ms, and
PoissonInput(C_E = 1000 inputs of rate eta nu_thr) per neuron.

usage: /usr/bin/python3 bench/brunel_brian2.py G ETA DURATION_S OUT.npz [SEED]

Writes the excitatory spikes (i, t) to OUT.npz and prints one JSON object
with the compile and simulation times.
"""
import json
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, PoissonInput, SpikeMonitor, Synapses,
                    defaultclock, device, ms, mV, second, seed, set_device)


def main():
    g, eta, duration, out = (float(sys.argv[1]), float(sys.argv[2]),
                             float(sys.argv[3]), sys.argv[4])
    rng_seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(rng_seed)
        defaultclock.dt = 0.1 * ms
        start = time.time()
        N_E, N_I, C_E = 10000, 2500, 1000
        J, D, tau, theta = 0.1 * mV, 1.5 * ms, 20 * ms, 20 * mV
        nu_thr = theta / (J * C_E * tau)
        group = NeuronGroup(N_E + N_I,
                            "dv/dt = -v / tau : volt (unless refractory)",
                            threshold="v > theta", reset="v = 10*mV",
                            refractory=2 * ms, method="exact")
        group.v = "rand() * 20*mV"
        exc = Synapses(group[:N_E], group, on_pre="v_post += J", delay=D)
        exc.connect(p=0.1)
        inh = Synapses(group[N_E:], group, on_pre="v_post += -g * J",
                       delay=D)
        inh.connect(p=0.1)
        drive = PoissonInput(group, "v", C_E, eta * nu_thr, weight=J)
        monitor = SpikeMonitor(group[:N_E])
        from brian2 import run
        run(duration * second)
        device.build(directory=d, compile=True, run=True, with_output=False)
        total = time.time() - start
        binary = device.timers["run_binary"]
        np.savez(out, i=np.asarray(monitor.i), t=np.asarray(monitor.t))
        print(json.dumps({"t_compile_s": total - binary,
                          "t_sim_s": float(device._last_run_time),
                          "t_binary_s": binary}))


if __name__ == "__main__":
    main()
