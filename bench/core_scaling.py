#!/usr/bin/python3
"""What a second core gives on this machine: threads against processes.

usage: bench/core_scaling.py [--neuroc build/bin/neuroc] [--neurons 40000]
                             [--repeat 7] [--duration 1s]

Builds CUBA with N neurons (examples/cuba.neuro, p = 80 / N) with
`neuroc build`, then runs it, interleaved, `--repeat` times each:

- alone: one process, one thread;
- pair: two processes at once, one thread each (no shared data, no
  synchronisation: the most a second core can add);
- threads: one process, two threads.

and prints a markdown table of the median simulation times (`t_sim_s`).
`pair` bounds what two threads can reach: 2 x alone / pair is the
throughput of two cores running independent copies, and alone / threads
the speed-up of two threads. Where the two cores share a physical core
or its memory bandwidth, the first is well below 2.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from compare import cuba_model  # noqa: E402


def start(prog, threads, duration, out):
    return subprocess.Popen([prog, "--json", "--threads", str(threads),
                             "--duration", duration, "-o", out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def t_sim(proc):
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"run failed:\n{err}")
    return json.loads(out)["t_sim_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--neurons", type=int, default=40000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--duration", default="1s")
    args = ap.parse_args()
    times = {"alone": [], "pair": [], "threads": []}
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "cuba.neuro")
        prog = os.path.join(tmp, "cuba")
        cuba_model(args.neurons, model)
        subprocess.run([args.neuroc, "build", model, "-o", prog], check=True,
                       capture_output=True)
        outs = [os.path.join(tmp, f"out{k}") for k in range(2)]
        for _ in range(args.repeat):
            times["alone"].append(t_sim(start(prog, 1, args.duration,
                                              outs[0])))
            pair = [start(prog, 1, args.duration, o) for o in outs]
            times["pair"].append(max(t_sim(p) for p in pair))
            times["threads"].append(t_sim(start(prog, 2, args.duration,
                                                outs[0])))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"CUBA {args.neurons:,}, {args.duration} simulated, median of "
          f"{args.repeat}:\n")
    print("| run | simulation (s) | throughput against alone |")
    print("|---|---:|---:|")
    print(f"| one process, one thread | {med['alone']:.3f} | 1.00 |")
    print(f"| two processes at once, one thread each | {med['pair']:.3f} | "
          f"{2 * med['alone'] / med['pair']:.2f} |")
    print(f"| one process, two threads | {med['threads']:.3f} | "
          f"{med['alone'] / med['threads']:.2f} |")


if __name__ == "__main__":
    main()
