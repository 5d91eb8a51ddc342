#!/usr/bin/env python3
"""Benchmark: the two spike exchanges over MPI (docs/distributed.md).

Runs two networks under `mpirun -np K` with NEURO_MPI_EXCHANGE=allgatherv
and =alltoallv, one thread per process, checks that both write the same
recordings, and prints a Markdown table: simulation time, time in MPI
calls, and the bytes of spikes and counts all processes received.

- CUBA 40,000 (random connectivity, p = 0.02): every source has targets
  on every process, so both send every spike everywhere.
- A ring of 8,000 neurons connected within 200 neurons of each other
  (`where abs(i - j) <= 200`): a source has targets on one or two
  processes, and Alltoallv sends its spikes there (and to rank 0, which
  records).

usage: bench/mpi_exchange.py [--neuroc build/bin/neuroc] [--ranks 2,4]
                             [--duration 1s]
"""
import argparse
import filecmp
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from compare import cuba_model  # noqa: E402

MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root",
          "--mca", "btl", "self,vader"]

RING = """
neuron LIF {
  param tau_m: ms = 20 ms
  state v: mV = -60 mV
  input I: mV
  dv/dt = (-49 mV - v + I) / tau_m   unless refractory
  spike when v > -50 mV { v = -60 mV }   refractory 5 ms
}
synapse ExpCurrent {
  param tau: ms = 5 ms
  weight w: mV
  post state g: mV = 0 mV
  dg/dt = -g / tau
  on pre { g += w }
  drives I = g
}
network Ring {
  dt = 0.1 ms
  seed = 3
  P = 8000 of LIF(v = uniform(-60 mV, -50 mV))
  connect P -> P with ExpCurrent(w = -0.4 mV) p = 0.1
      where abs(i - j) <= 200 and i != j
  record spikes of P
  run 1 s
}
"""


def run(neuroc, model, ranks, exchange, duration, out):
    env = dict(os.environ, NEURO_MPI_EXCHANGE=exchange)
    cmd = MPIRUN + ["-np", str(ranks), neuroc, "run", "--json", "--threads",
                    "1", "--duration", duration, "-o", out, model]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True,
                          env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--ranks", default="2,4")
    ap.add_argument("--duration", default="1s")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ring = os.path.join(tmp, "ring.neuro")
        with open(ring, "w") as f:
            f.write(RING)
        models = [("CUBA 40,000", cuba_model(40000, os.path.join(tmp, "c.neuro"))),
                  ("ring 8,000", ring)]
        print("| network | processes | exchange | simulate s | MPI s | "
              "MB received | same recordings |")
        print("|---|---|---|---|---|---|---|")
        for name, model in models:
            for k in [int(x) for x in args.ranks.split(",")]:
                outs = []
                for exchange in ("allgatherv", "alltoallv"):
                    out = os.path.join(tmp, f"{name[:4]}{k}{exchange}")
                    r = run(args.neuroc, model, k, exchange, args.duration, out)
                    outs.append(out)
                    same = ""
                    if len(outs) == 2:
                        cmp = filecmp.dircmp(outs[0], outs[1])
                        same = "yes" if not (cmp.diff_files or cmp.left_only
                                             or cmp.right_only) else "NO"
                    print(f"| {name} | {k} | {exchange} | {r['t_sim_s']:.2f} | "
                          f"{r['t_comm_s']:.2f} | "
                          f"{r['exchange_bytes'] / 1e6:.2f} | {same} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
