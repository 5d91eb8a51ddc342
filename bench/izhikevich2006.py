#!/usr/bin/python3
"""The Izhikevich (2006) polychronization network for its full 60 s in
Neuro and in Brian2's C++ standalone mode
(tests/lit/Compare/Inputs/brian2_izhikevich.py), one realization each, one
thread: rates, the excitatory weight distribution at the last sample and
the wall times. Writes the section "Izhikevich (2006), 60 s" of
bench/RESULTS.md (replacing an earlier one) and prints it.

usage: bench/izhikevich2006.py [--duration 60] [--no-brian2]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from results import write_section  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "lit", "Compare", "Inputs"))
import brian2_izhikevich as ref  # noqa: E402

NEUROC = os.path.join(ROOT, "build", "bin", "neuroc")
MODEL = os.path.join(ROOT, "examples", "classic", "izhikevich2006.neuro")
DT = 0.5e-3


def neuro(duration, out):
    start = time.time()
    run = subprocess.run(
        [NEUROC, "run", "--json", "--threads", "1", "--no-cache",
         "--duration", f"{duration}s", "-o", out, MODEL],
        capture_output=True, text=True, check=True)
    wall = time.time() - start
    info = json.loads(run.stdout)
    e = np.load(os.path.join(out, "spikes_E.npy"))
    inh = np.load(os.path.join(out, "spikes_I.npy"))
    w = np.load(os.path.join(out, "E_to_E_w.npy"))[-1]
    i = np.concatenate([e["i"], inh["i"] + ref.N_E])
    # Stamps at the end of the step, Brian2's at its start.
    t = np.concatenate([e["t"], inh["t"]]) - DT
    return wall, info["t_sim_s"], i, t, w


def row(who, wall, sim, i, t, w, duration):
    rate_e, rate_i, mean_w, low, high = ref.statistics(i, t, w, 1.0,
                                                       duration)
    hist = np.histogram(w * 1e3, bins=5, range=(0, 10))[0] / len(w)
    return (f"| {who} | {wall:.1f} | {sim:.1f} | {rate_e:.2f} | "
            f"{rate_i:.1f} | {mean_w * 1e3:.2f} | {low:.3f} | {high:.3f} | "
            + " ".join(f"{h:.2f}" for h in hist) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--no-brian2", action="store_true")
    args = ap.parse_args()
    d = args.duration
    lines = [
        f"## Izhikevich (2006), {d:g} s, {datetime.date.today()}", "",
        "examples/classic/izhikevich2006.neuro against "
        "tests/lit/Compare/Inputs/brian2_izhikevich.py (Brian2 C++ "
        f"standalone), {d:g} s simulated, one realization each (different "
        "random numbers), one thread. wall: the whole run (Neuro: compile, "
        "build, simulate, write; Brian2: code generation, g++, run). Rates "
        f"over 1-{d:g} s; weights: excitatory-to-excitatory at the last "
        "sample, the fractions below 0.5 mV and above 9.5 mV and in five "
        "bins of 2 mV. Written by `bench/izhikevich2006.py`.", "",
        "| | wall (s) | simulate (s) | E (Hz) | I (Hz) | mean w (mV) | "
        "w < 0.5 mV | w > 9.5 mV | w in 0-2, ..., 8-10 mV |",
        "|---|---|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        lines.append(row("Neuro", *neuro(d, os.path.join(tmp, "n")), d))
        if not args.no_brian2:
            start = time.time()
            i, t, w, block, _, sim = ref.brian2(1, d * ref.second)
            wall = time.time() - start
            lines.append(row("Brian2", wall, sim, i, t, w, d))
    section = "\n".join(lines) + "\n"
    print(section)
    write_section(f"Izhikevich (2006), {d:g} s", section)


if __name__ == "__main__":
    main()
