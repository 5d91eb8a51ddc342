#!/usr/bin/python3
"""How fast networks are built, and with how much memory, on 1 and on all
threads.

usage: bench/build_speed.py [--neuroc build/bin/neuroc] [--threads 1,2]
                            [--models microcircuit,cuba,big] [--repeat 1]

Builds each model (`neuroc run --json --duration 0`; a 0-step run) on each
thread count and prints a markdown table from what --json reports:
synapses, build time (`t_build_s`), synapses built per second
(`build_synapses_per_s`) and per second and thread, bytes kept per synapse
(`synapse_bytes` / `synapses`), the peak resident memory of the process
(`peak_rss_bytes`: compiler, JIT and network) and its ratio to what the
synapses keep. The models:

- microcircuit: examples/microcircuit.neuro (77,169 neurons, 2.99e8
  synapses; fixed in-degree, weights and delays given by expressions:
  the synapse-initialization kernel, then grouping by delay);
- cuba: examples/cuba.neuro (4,000 neurons, fixed probability, constant
  weights: drawn per source);
- big: 50,000 neurons, 1,000 targets each (5e7 synapses), weights and
  delays drawn per synapse (bench/synapse_memory.py's network: drawn per
  source, 3 passes over the rows).

The build time is a wall time: it varies with what else the machine runs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))


def big_model(path):
    from synapse_memory import MODEL
    n, degree = 50000, 1000
    ne = n * 4 // 5
    with open(path, "w") as f:
        f.write(MODEL.format(ne=ne, ni=n - ne, p=degree / n, proc="",
                             duration=0.1))


def run(neuroc, model, threads):
    with tempfile.TemporaryDirectory() as out:
        cmd = [neuroc, "run", "--json", "--duration", "0", "--threads",
               str(threads), "-o", out, model]
        env = dict(os.environ, NEURO_MAX_THREADS=str(threads))
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")
        return json.loads(done.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--models", default="microcircuit,cuba,big")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per model and thread count (the fastest "
                    "build is kept)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    paths = {"microcircuit": os.path.join(ROOT, "examples/microcircuit.neuro"),
             "cuba": os.path.join(ROOT, "examples/cuba.neuro")}
    if "big" in args.models.split(","):
        paths["big"] = os.path.join(tmp, "big.neuro")
        big_model(paths["big"])
    print("| model | threads | synapses | build (s) | synapses/s | "
          "synapses/s/thread | bytes/synapse | peak RSS (GB) | "
          "peak / kept |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.models.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            runs = [run(args.neuroc, paths[name], threads)
                    for _ in range(args.repeat)]
            r = min(runs, key=lambda d: d["t_build_s"])
            syn = r["synapses"]
            rate = r["build_synapses_per_s"]
            kept = r["synapse_bytes"]
            peak = r["peak_rss_bytes"]
            print(f"| {name} | {r['build_threads']} | {syn:,} | "
                  f"{r['t_build_s']:.2f} | {rate:.3g} | "
                  f"{rate / r['build_threads']:.3g} | "
                  f"{kept / syn if syn else 0:.2f} | {peak / 1e9:.2f} | "
                  f"{peak / kept if kept else float('nan'):.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
