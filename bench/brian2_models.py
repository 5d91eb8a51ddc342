#!/usr/bin/python3
"""The benchmark networks in Brian2's C++ standalone mode, one per call.

usage: /usr/bin/python3 bench/brian2_models.py cuba|cobahh|song2000 [N]
                                                 [float32]

Prints one JSON object: code generation + compilation time, simulation
time (Brian2's own measurement of the run loop), wall time of the compiled
binary, its peak memory, spikes and rates. Single-threaded (Brian2's
default), with Brian2's default compiler flags (-O3 -ffast-math
-march=native). The models are those of Brian2's examples (CUBA.py,
COBAHH.py, synapses/STDP.py), scaled as bench/compare.py describes.
With `float32`, every variable is float32 (prefs.core.default_float_dtype).
"""
import json
import os
import sys
import tempfile
import time

from brian2 import (Equations, NeuronGroup, PoissonGroup, SpikeMonitor,
                    Synapses, defaultclock, device, exprel, ms, mV, nS,
                    prefs, run, second, seed, set_device, siemens, cm,
                    ufarad, msiemens, umetre, Hz)


def cuba(n):
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr",
                    refractory=5 * ms, method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    ne = n * 4 // 5
    Ce = Synapses(P[:ne], P, on_pre="ge += 1.62*mV")
    Ce.connect(p=80.0 / n)
    Ci = Synapses(P[ne:], P, on_pre="gi += -9*mV")
    Ci.connect(p=80.0 / n)
    M = SpikeMonitor(P)
    run(1 * second)
    return M, n, 1.0, 80.0


def cobahh(n):
    area = 20000 * umetre ** 2
    Cm = (1 * ufarad * cm ** -2) * area
    gl = 5e-5 * siemens * cm ** -2 * area
    El, EK, ENa = -60 * mV, -90 * mV, 50 * mV
    g_na = 100 * msiemens * cm ** -2 * area
    g_kd = 30 * msiemens * cm ** -2 * area
    VT = -63 * mV
    taue, taui = 5 * ms, 10 * ms
    Ee, Ei = 0 * mV, -80 * mV
    we, wi = 6 * nS, 67 * nS
    eqs = Equations("""
    dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
             g_na*(m*m*m)*h*(v-ENa)-
             g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m)-beta_m*m : 1
    dn/dt = alpha_n*(1-n)-beta_n*n : 1
    dh/dt = alpha_h*(1-h)-beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    """)
    P = NeuronGroup(n, model=eqs, threshold="v>-20*mV", refractory=3 * ms,
                    method="exponential_euler")
    ne = n * 4 // 5
    Ce = Synapses(P[:ne], P, on_pre="ge+=we")
    Ci = Synapses(P[ne:], P, on_pre="gi+=wi")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "(randn() * 1.5 + 4) * 10.*nS"
    P.gi = "(randn() * 12 + 20) * 10.*nS"
    M = SpikeMonitor(P)
    run(1 * second)
    return M, n, 1.0, 0.02 * n


def song2000(_):
    N = 1000
    taum, taupre, taupost = 10 * ms, 20 * ms, 20 * ms
    Ee, vt, vr, El, taue = 0 * mV, -54 * mV, -60 * mV, -74 * mV, 5 * ms
    F = 15 * Hz
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    eqs_neurons = """
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    """
    inputs = PoissonGroup(N, rates=F)
    neurons = NeuronGroup(1, eqs_neurons, threshold="v>vt", reset="v = vr",
                          method="euler")
    S = Synapses(inputs, neurons,
                 """w : 1
                    dApre/dt = -Apre / taupre : 1 (event-driven)
                    dApost/dt = -Apost / taupost : 1 (event-driven)""",
                 on_pre="""ge += w
                    Apre += dApre
                    w = clip(w + Apost, 0, gmax)""",
                 on_post="""Apost += dApost
                    w = clip(w + Apre, 0, gmax)""")
    S.connect()
    S.w = "rand() * gmax"
    M = SpikeMonitor(neurons)
    run(100 * second)
    # Synaptic events: the inputs' spikes (15 Hz x 1000 x 100 s expected),
    # one synapse each.
    return M, 1, 100.0, None


def main():
    name = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    if len(sys.argv) > 3 and sys.argv[3] == "float32":
        import numpy
        prefs.core.default_float_dtype = numpy.float32
    with tempfile.TemporaryDirectory() as d:
        rss = os.path.join(d, "maxrss.txt")
        prefs.devices.cpp_standalone.run_cmd_unix = [
            "/usr/bin/time", "-f", "%M", "-o", rss, "./main"]
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(1)
        defaultclock.dt = 0.1 * ms
        start = time.time()
        M, neurons, duration, fanout = {"cuba": cuba, "cobahh": cobahh,
                                        "song2000": song2000}[name](n)
        device.build(directory=d, compile=True, run=True, with_output=False)
        total = time.time() - start
        binary = device.timers["run_binary"]
        with open(rss) as f:
            peak_kb = int(f.read().split()[-1])
        spikes = int(M.num_spikes)
        events = (spikes * fanout if fanout is not None
                  else 15 * 1000 * duration)
        print(json.dumps({
            "t_compile_s": total - binary,
            "t_sim_s": float(device._last_run_time),
            "t_binary_s": binary,
            "peak_mb": peak_kb / 1024.0,
            "spikes": spikes,
            "rate_hz": spikes / neurons / duration,
            "synaptic_events_estimate": events,
        }))


if __name__ == "__main__":
    main()
