#!/usr/bin/python3
"""The Potjans-Diesmann microcircuit (examples/microcircuit.neuro): rates
against the published reference and the real-time factor.

usage: bench/microcircuit.py [--neuroc build/bin/neuroc] [--duration 1s]
                             [--skip 0.2] [--threads N] [--target cpu|cuda]
                             [--out FILE]

Runs the full-scale model (77,169 neurons, 298,905,266 synapses; about
9 GB of memory), reads the spike files and prints a markdown table: each
population's rate over [skip, duration] next to the reference rate of the
full-scale model (../shared/data/potjans_diesmann_2014.md), and the
network's build time, simulation time and real-time factor (simulation
wall time / simulated time). --target cuda runs it on a GPU. --out
appends the table to FILE.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POPS = ["L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"]
REFERENCE = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]


def seconds(text):
    text = text.strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.rstrip("s"))


def rates(out, result, duration, skip):
    """Each population's rate (spikes/s) over [skip, duration] from the
    spike files of a run in `out` and its --json `result`."""
    import numpy as np
    found = []
    for pop in POPS:
        spikes = np.load(os.path.join(out, f"spikes_{pop}.npy"))
        n = result["populations"][pop]["neurons"]
        late = np.count_nonzero(spikes["t"] > skip)
        found.append(late / n / (duration - skip))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--duration", default="1s")
    ap.add_argument("--skip", type=float, default=0.2,
                    help="seconds of transient left out of the rates")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--target", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--out")
    args = ap.parse_args()
    duration = seconds(args.duration)
    with tempfile.TemporaryDirectory() as out:
        cmd = [args.neuroc, "run", "--json", "--duration", args.duration,
               "-o", out, os.path.join(ROOT, "examples/microcircuit.neuro")]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        if args.target != "cpu":
            cmd += ["--target", args.target]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(run.stderr)
        result = json.loads(run.stdout)
        measured = rates(out, result, duration, args.skip)
    lines = [
        f"Microcircuit, {duration:g} s, rates over [{args.skip:g} s, "
        f"{duration:g} s]; {platform.node()}, "
        + (f"device {result['device']}" if "device" in result
           else f"{result['threads']} thread(s)"),
        "",
        "| population | Neuro (spikes/s) | reference | ratio |",
        "|---|---|---|---|",
    ]
    for pop, rate, ref in zip(POPS, measured, REFERENCE):
        lines.append(f"| {pop} | {rate:.3f} | {ref:.3f} | {rate / ref:.2f} |")
    rtf = result["t_sim_s"] / duration
    lines += [
        "",
        f"neurons {result['neurons']}, synapses {result['synapses']}, "
        f"synaptic events {result['synaptic_events']}; compile "
        f"{result['t_compile_s']:.2f} s, build {result['t_build_s']:.1f} s, "
        f"simulation {result['t_sim_s']:.1f} s: real-time factor "
        f"{rtf:.1f} ({result['synaptic_events'] / result['t_sim_s']:.3g} "
        f"events/s)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
