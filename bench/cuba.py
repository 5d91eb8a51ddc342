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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_neuroc(neuroc, model, out):
    # --no-cache: every run compiles, so parse+compile is the compile time.
    text = subprocess.run([neuroc, "run", "--json", "--no-cache", "-o", out,
                           model],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def run_brian2():
    """The same network in Brian2's cpp_standalone mode, through
    bench/brian2_models.py under Debian's python3 (where python3-brian is)."""
    out = subprocess.run(["/usr/bin/python3",
                          os.path.join(ROOT, "bench/brian2_models.py"),
                          "cuba", "4000"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


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
        print("CUBA with Brian2 cpp_standalone")
        print(f"  spikes {b['spikes']}, rate {b['rate_hz']:.3f} Hz, "
              f"code generation + compilation {b['t_compile_s']:.2f} s, "
              f"simulate {b['t_sim_s']:.3f} s")


if __name__ == "__main__":
    sys.exit(main())
