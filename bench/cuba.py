#!/usr/bin/env python3
"""Benchmark: the CUBA network (examples/cuba.neuro) with neuroc.

Runs `neuroc run --json` several times and reports compile, build and
simulation times, synaptic events per second (the delivered events counted
by the runtime) and neuron updates per second, next to the memory-bandwidth
bound of about 1e9 events/s per core (DESIGN.md section 6) and Brian2's
C++ standalone figure of about 2e7 events/s per core on this machine kind.

With --brian2 it also runs the same network in Brian2 (Debian's
python3-brian, cpp_standalone) and reports its times and rate.

usage: bench/cuba.py [--neuroc build/bin/neuroc] [--repeat 5] [--brian2]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_neuroc(neuroc, model, out):
    text = subprocess.run([neuroc, "run", "--json", "-o", out, model],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def run_brian2(duration_s=1.0):
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, run, ms, mV,
                        set_device, device, defaultclock, seed)
    with tempfile.TemporaryDirectory() as d:
        set_device("cpp_standalone", directory=d, build_on_run=False)
        seed(1)
        defaultclock.dt = 0.1 * ms
        taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
        Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
        eqs = """
        dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
        dge/dt = -ge/taue : volt
        dgi/dt = -gi/taui : volt
        """
        P = NeuronGroup(4000, eqs, threshold="v>Vt", reset="v = Vr",
                        refractory=5 * ms, method="exact")
        P.v = "Vr + rand() * (Vt - Vr)"
        Ce = Synapses(P[:3200], P, on_pre="ge += 1.62*mV")
        Ce.connect(p=0.02)
        Ci = Synapses(P[3200:], P, on_pre="gi += -9*mV")
        Ci.connect(p=0.02)
        M = SpikeMonitor(P)
        run(duration_s * 1000 * ms)
        t0 = time.time()
        device.build(directory=d, compile=True, run=True)
        total = time.time() - t0
        return {"spikes": int(M.num_spikes),
                "rate_hz": M.num_spikes / 4000 / duration_s,
                "t_total_s": total}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--model", default=os.path.join(ROOT, "examples/cuba.neuro"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--brian2", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as out:
        runs = [run_neuroc(args.neuroc, args.model, out)
                for _ in range(args.repeat)]
    med = lambda key: statistics.median(r[key] for r in runs)
    r = runs[0]
    t_sim = med("t_sim_s")
    events = r["synaptic_events"]
    updates = r["neurons"] * r["steps"]
    print(f"CUBA with neuroc, median of {args.repeat} runs")
    print(f"  neurons {r['neurons']}, synapses {r['synapses']}, "
          f"spikes {r['spikes']}, rate {r['rate_hz']:.3f} Hz")
    print(f"  parse+compile {med('t_compile_s'):.3f} s, build "
          f"{med('t_build_s'):.3f} s, simulate {t_sim:.3f} s")
    print(f"  synaptic events {events}: {events / t_sim:.3g} events/s "
          f"(bandwidth bound ~1e9, Brian2 C++ ~2e7 per core)")
    print(f"  neuron updates {updates}: {updates / t_sim:.3g} updates/s")
    if args.brian2:
        b = run_brian2()
        print("CUBA with Brian2 cpp_standalone (compile + run)")
        print(f"  spikes {b['spikes']}, rate {b['rate_hz']:.3f} Hz, "
              f"total {b['t_total_s']:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
