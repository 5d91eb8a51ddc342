#!/usr/bin/python3
"""Brunel (2000) at full scale in Neuro and in Brian2's C++ standalone mode
(bench/brunel_brian2.py), both states, one thread each: rates, CV of the
inter-spike intervals, the population spectrum's peak, Fano factor and the
time to build and simulate. Writes the section "Brunel (2000), full scale"
of bench/RESULTS.md (replacing an earlier one) and prints it.

With --seeds N it instead runs the AI state with seeds 1 to N in both
(different networks, drives and initial states) and writes the section
"Brunel (2000), rate over seeds": whether the two rates differ by more than
the networks' spread.

usage: bench/brunel2000.py [--duration 1] [--no-brian2] [--seeds N]
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


def neuro(g, duration, out, seed=1):
    run = subprocess.run(
        [NEUROC, "run", "--json", "--threads", "1", "--no-cache",
         "--seed", str(seed), "--duration", f"{duration}s", "--set",
         f"g={g}", "-o", out, MODEL],
        capture_output=True, text=True, check=True)
    info = json.loads(run.stdout)
    d = np.load(os.path.join(out, "spikes_E.npy"))
    # Stamps at the end of the step, Brian2's at its start.
    return info["t_compile_s"] + info["t_build_s"], info["t_sim_s"], (
        d["i"], d["t"] - 1e-4)


def brian2(g, duration, out, seed=1):
    run = subprocess.run(
        ["/usr/bin/python3", os.path.join(ROOT, "bench", "brunel_brian2.py"),
         str(g), "2", str(duration), out, str(seed)],
        capture_output=True, text=True, check=True)
    info = json.loads(run.stdout.strip().splitlines()[-1])
    d = np.load(out)
    return info["t_compile_s"], info["t_sim_s"], (d["i"], d["t"])


def row(state, who, prepare, sim, spikes, duration):
    s = stats(*spikes, 10000, 0.1, duration)
    return (f"| {state} | {who} | {prepare:.2f} | {sim:.2f} | "
            f"{s['rate_hz']:.1f} | {s['cv']:.3f} | {s['peak_hz']:.0f} "
            f"({s['peak_share']:.2f}) | {s['fano']:.0f} |")


def over_seeds(seeds, duration):
    """The AI state's excitatory rate after 0.1 s for seeds 1..seeds in
    both simulators."""
    rates = {"Neuro": [], "Brian2": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, seeds + 1):
            for who, fn, out in (("Neuro", neuro, "n"),
                                 ("Brian2", brian2, "b.npz")):
                _, _, spikes = fn(5, duration, os.path.join(tmp, out), seed)
                rates[who].append(stats(*spikes, 10000, 0.1,
                                        duration)["rate_hz"])
    n, b = np.array(rates["Neuro"]), np.array(rates["Brian2"])
    se = np.sqrt(n.var(ddof=1) / len(n) + b.var(ddof=1) / len(b))
    lines = [
        f"## Brunel (2000), rate over seeds, {datetime.date.today()}", "",
        f"The AI state (g = 5, eta = 2), {duration:g} s simulated, seeds 1 "
        f"to {seeds} in each simulator (each seed another network, drive "
        "and initial state); rate of the excitatory neurons after 0.1 s. "
        "Written by `bench/brunel2000.py --seeds`.", "",
        "| seed | Neuro (Hz) | Brian2 (Hz) |", "|---|---|---|"]
    lines += [f"| {i + 1} | {x:.2f} | {y:.2f} |" for i, (x, y) in
              enumerate(zip(n, b))]
    lines += ["", f"Neuro {n.mean():.2f} Hz (sd {n.std(ddof=1):.2f}), "
              f"Brian2 {b.mean():.2f} Hz (sd {b.std(ddof=1):.2f}): the "
              f"means differ by {n.mean() - b.mean():+.2f} Hz, "
              f"{abs(n.mean() - b.mean()) / se:.1f} standard errors of the "
              "difference (Welch)."]
    section = "\n".join(lines) + "\n"
    print(section)
    write_section("Brunel (2000), rate over seeds", section)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=1.0)
    ap.add_argument("--no-brian2", action="store_true")
    ap.add_argument("--seeds", type=int, default=0)
    args = ap.parse_args()
    if args.seeds:
        over_seeds(args.seeds, args.duration)
        return
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
