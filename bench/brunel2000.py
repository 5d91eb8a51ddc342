#!/usr/bin/python3
"""Brunel (2000) at full scale in Neuro and in Brian2's C++ standalone mode
(bench/brunel_brian2.py), both states, one thread each: rates, CV of the
inter-spike intervals, the population spectrum's peak, Fano factor and the
time to build and simulate. Writes the section "Brunel (2000), full scale"
of bench/RESULTS.md (replacing an earlier one) and prints it.

usage: bench/brunel2000.py [--duration 1] [--no-brian2]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from results import write_section  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "examples", "classic"))
from brunel_stats import stats  # noqa: E402

NEUROC = os.path.join(ROOT, "build", "bin", "neuroc")
MODEL = os.path.join(ROOT, "examples", "classic", "brunel2000.neuro")
STATES = (("AI", 5), ("SR", 3))  # (name, g); eta = 2


def neuro(g, duration, out):
    run = subprocess.run(
        [NEUROC, "run", "--json", "--threads", "1", "--no-cache",
         "--duration", f"{duration}s", "--set", f"g={g}", "-o", out, MODEL],
        capture_output=True, text=True, check=True)
    info = json.loads(run.stdout)
    d = np.load(os.path.join(out, "spikes_E.npy"))
    # Stamps at the end of the step, Brian2's at its start.
    return info["t_compile_s"] + info["t_build_s"], info["t_sim_s"], (
        d["i"], d["t"] - 1e-4)


def brian2(g, duration, out):
    run = subprocess.run(
        ["/usr/bin/python3", os.path.join(ROOT, "bench", "brunel_brian2.py"),
         str(g), "2", str(duration), out],
        capture_output=True, text=True, check=True)
    info = json.loads(run.stdout.strip().splitlines()[-1])
    d = np.load(out)
    return info["t_compile_s"], info["t_sim_s"], (d["i"], d["t"])


def row(state, who, prepare, sim, spikes, duration):
    s = stats(*spikes, 10000, 0.1, duration)
    return (f"| {state} | {who} | {prepare:.2f} | {sim:.2f} | "
            f"{s['rate_hz']:.1f} | {s['cv']:.3f} | {s['peak_hz']:.0f} "
            f"({s['peak_share']:.2f}) | {s['fano']:.0f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=1.0)
    ap.add_argument("--no-brian2", action="store_true")
    args = ap.parse_args()
    lines = [
        f"## Brunel (2000), full scale, {datetime.date.today()}", "",
        "examples/classic/brunel2000.neuro against bench/brunel_brian2.py "
        f"(Brian2 C++ standalone), {args.duration:g} s simulated, one "
        "thread, excitatory neurons after 0.1 s. prepare: Neuro's parse to "
        "first step plus network build; Brian2's code generation, g++ and "
        "build. Written by `bench/brunel2000.py`.", "",
        "| state | | prepare (s) | simulate (s) | rate (Hz) | CV | "
        "peak Hz (share) | Fano |",
        "|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for state, g in STATES:
            p, s, spikes = neuro(g, args.duration, os.path.join(tmp, state))
            lines.append(row(state, "Neuro", p, s, spikes, args.duration))
            if not args.no_brian2:
                bp, bs, bspikes = brian2(g, args.duration,
                                         os.path.join(tmp, state + ".npz"))
                lines.append(row(state, "Brian2", bp, bs, bspikes,
                                 args.duration))
                lines.append(f"| | **Brian2 / Neuro** | **{bp / p:.1f}x** | "
                             f"**{bs / s:.2f}x** | | | | |")
    section = "\n".join(lines) + "\n"
    print(section)
    write_section("Brunel (2000), full scale", section)


if __name__ == "__main__":
    main()
