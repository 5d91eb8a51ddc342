#!/usr/bin/env python3
"""Benchmark: one network over MPI processes (docs/distributed.md).

Runs CUBA with 400,000 neurons (bench/compare.py's scaling: 80 inputs per
neuron) and, with --microcircuit, examples/microcircuit.neuro, alone and
under `mpirun -np K` for K in --ranks, one thread per process, and prints a
Markdown table: build and simulation time, speed-up over one process, time
in MPI calls, peak resident memory per process (the largest of the
processes, from /usr/bin/time of each) and the state rows the largest
process keeps (`--json`'s state_bytes_max_rank), ready for
bench/RESULTS.md.

usage: bench/mpi.py [--neuroc build/bin/neuroc] [--ranks 1,2]
                    [--duration 1s] [--microcircuit]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from compare import cuba_model  # noqa: E402

MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root",
          "--mca", "btl", "self,vader"]


def run(neuroc, model, ranks, duration, out):
    # Each process under /usr/bin/time -v: its peak resident set size.
    timed = ["/usr/bin/time", "-v"]
    cmd = [neuroc, "run", "--json", "--threads", "1", "--duration", duration,
           "-o", out, model]
    if ranks > 0:
        cmd = MPIRUN + ["-np", str(ranks)] + timed + cmd
    else:
        cmd = timed + cmd
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    rss = [int(m) for m in re.findall(r"Maximum resident set size \(kbytes\): (\d+)",
                                       done.stderr)]
    report["peak_rss_gb"] = max(rss) / 1e6 if rss else float("nan")
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--duration", default="1s")
    ap.add_argument("--microcircuit", action="store_true")
    args = ap.parse_args()
    ranks = [int(k) for k in args.ranks.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        models = [("CUBA 400,000", cuba_model(400000, os.path.join(tmp, "c.neuro")))]
        if args.microcircuit:
            models.append(("microcircuit",
                           os.path.join(ROOT, "examples/microcircuit.neuro")))
        print("| network | processes | build s | simulate s | speed-up | "
              "MPI s | peak RSS per process GB | state MB per process | "
              "events |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, model in models:
            base = None
            for k in [0] + ranks:
                r = run(args.neuroc, model, k, args.duration,
                        os.path.join(tmp, f"out{k}"))
                base = base or r["t_sim_s"]
                label = "alone" if k == 0 else f"mpirun -np {k}"
                print(f"| {name} | {label} | {r['t_build_s']:.2f} | "
                      f"{r['t_sim_s']:.2f} | {base / r['t_sim_s']:.2f} | "
                      f"{r['t_comm_s']:.2f} | {r['peak_rss_gb']:.2f} | "
                      f"{r['state_bytes_max_rank'] / 1e6:.2f} | "
                      f"{r['synaptic_events']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
