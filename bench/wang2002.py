#!/usr/bin/python3
"""Wang (2002) decision network (examples/classic/wang2002.neuro) against
Brian2 (C++ standalone, tests/lit/Compare/Inputs/brian2_wang2002.py) over
many trials per coherence: the fraction of trials in which pool 1 (the one
the coherence favours) wins, the decision time (a pool's rate over 50 ms
crosses 15 Hz) and the spontaneous rate before the stimulus. Neuro's
trials are seeds 1..N, one thread each; Brian2's are N disjoint copies of
the network in one build per coherence. Writes the section "Wang (2002)
decision network" of bench/RESULTS.md and prints it.

usage: bench/wang2002.py [--trials 12] [--duration 1.1]
                         [--coherences 0,0.064,0.128,0.256,0.512]
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
sys.path.insert(0, os.path.join(ROOT, "tests", "lit", "Compare", "Inputs"))
import brian2_wang2002 as wang  # noqa: E402

NEUROC = os.path.join(ROOT, "build", "bin", "neuroc")
MODEL = os.path.join(ROOT, "examples", "classic", "wang2002.neuro")


def neuro(coherence, seed, duration, out):
    run = subprocess.run(
        [NEUROC, "run", "--json", "--threads", "1", "--seed", str(seed),
         "--duration", f"{duration}s", "--set", f"coherence={coherence}",
         "-o", out, MODEL], capture_output=True, text=True, check=True)
    info = json.loads(run.stdout)
    return (wang.trial_stats(*wang.neuro_trial(out), duration),
            info["t_compile_s"] + info["t_build_s"] + info["t_sim_s"])


def row(c, who, stats, wall):
    p, undecided, mean, sd, _ = wang.summary(stats)
    spont = np.mean([s[0] for s in stats])
    return (f"| {c:.3f} | {who} | {p * 100:.0f}% | {undecided} | "
            f"{mean * 1e3:.0f} ± {sd * 1e3:.0f} | {spont:.2f} | "
            f"{wall:.1f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=12)
    ap.add_argument("--duration", type=float, default=1.1)
    ap.add_argument("--coherences", default="0,0.064,0.128,0.256,0.512")
    args = ap.parse_args()
    coherences = [float(c) for c in args.coherences.split(",")]
    n = args.trials
    lines = [
        f"## Wang (2002) decision network, {datetime.date.today()}", "",
        "examples/classic/wang2002.neuro (2,000 neurons, 4.1·10^6 "
        "synapses, RK4) against Brian2 C++ standalone on the same "
        f"parameters, {n} trials of {args.duration:g} s per coherence "
        "each (stimulus from 0.15 s). Choice: pool 1 crosses 15 Hz (50 ms "
        "window) first; decision time from the stimulus onset, mean ± sd "
        "over decided trials; spontaneous: excitatory rate over "
        "0.05-0.15 s (Neuro's trials are seeds 1..N at every coherence, "
        "so its spontaneous states are the same N at each). Wall: Neuro's "
        "seconds per trial (compile, build, "
        "simulate, one thread); Brian2's per trial of a build of all "
        "copies (code generation and g++ included). Written by "
        "`bench/wang2002.py`.", "",
        "| coherence | | pool 1 chosen | undecided | decision time (ms) | "
        "spontaneous (Hz) | wall per trial (s) |",
        "|---|---|---|---|---|---|---|"]
    spont = {"Neuro": [], "Brian2": []}
    with tempfile.TemporaryDirectory() as tmp:
        for c in coherences:
            ours, walls = [], []
            for seed in range(1, n + 1):
                s, w = neuro(c, seed, args.duration,
                             os.path.join(tmp, f"{c}_{seed}"))
                ours.append(s)
                walls.append(w)
            lines.append(row(c, "Neuro", ours, np.mean(walls)))
            copies, wall, _ = wang.brian2_trials([c] * n, args.duration,
                                                 rng_seed=int(c * 1000) + 1)
            theirs = [wang.trial_stats(i, t, args.duration)
                      for i, t in copies]
            lines.append(row(c, "Brian2", theirs, wall / n))
            spont["Neuro"] = [s[0] for s in ours]  # the same seeds each time
            spont["Brian2"] += [s[0] for s in theirs]
            print("\n".join(lines[-2:]), flush=True)
    lines += ["", "Spontaneous rate: " + ", ".join(
        f"{k} {np.mean(v):.2f} Hz (sd {np.std(v, ddof=1):.2f}, "
        f"{len(v)} trials)" for k, v in spont.items()) + "."]
    section = "\n".join(lines) + "\n"
    print(section)
    write_section("Wang (2002) decision network", section)


if __name__ == "__main__":
    main()
