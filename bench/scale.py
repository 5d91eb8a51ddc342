#!/usr/bin/env python3
"""Scale on one machine (issue #23): two balanced networks (Brunel 2000's
model, excitatory and inhibitory LIF neurons with delta synapses, 1.5 ms
delays and a Poisson drive), built and run for a short time:

- stored: 10^6 neurons, each with 10^3 targets (out_degree: 800
  excitatory, 200 inhibitory), 10^9 synapses kept;
- procedural: 4.1·10^6 neurons, each with 6,000 targets (4,800 + 1,200),
  2.4·10^10 synapses kept as their rule (`procedural`), the size of the
  multi-area model.

Weights are J = 0.1 mV (-g J inhibitory), in-degrees C_E = 4 C_I, and the
drive is eta = 2 times the threshold rate through C_E Poisson inputs, so
both are in Brunel's inhibition-dominated regime. For each: build time,
peak resident memory (/usr/bin/time), bytes per synapse kept, simulated
time, wall time of the simulation, spikes and synaptic events per second
of wall time. Prints a Markdown table.

    bench/scale.py [--neuroc build/bin/neuroc] [--threads 1]
                   [--stored-duration 0.1s] [--procedural-duration 0.01s]
                   [--only stored,procedural]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = """import std.synapses.Delta
neuron BrunelLIF {{
  param tau: ms = 20 ms
  param theta: mV = 20 mV
  param V_r: mV = 10 mV
  param tau_rp: ms = 2 ms
  state v: mV = 0 mV
  dv/dt = -v / tau   unless refractory
  spike when v > theta {{ v = V_r }}   refractory tau_rp
}}
network Scale {{
  param g = 5
  param eta = 2
  param J: mV = 0.1 mV
  param C_E = {ce}
  param nu_thr: Hz = 20 mV / (J * C_E * 20 ms)
  dt = 0.1 ms
  seed = 1
  E = {ne} of BrunelLIF(v = uniform(0 mV, 20 mV))
  I = {ni} of BrunelLIF(v = uniform(0 mV, 20 mV))
  Ext = C_E of PoissonDrive(rate = eta * nu_thr)
  connect E -> E with Delta(w = J) out_degree = {ee} delay = 1.5 ms {p}
  connect E -> I with Delta(w = J) out_degree = {ei} delay = 1.5 ms {p}
  connect I -> E with Delta(w = -g * J) out_degree = {ee} delay = 1.5 ms {p}
  connect I -> I with Delta(w = -g * J) out_degree = {ei} delay = 1.5 ms {p}
  connect Ext -> E, I with Delta(w = J)
  run 1 s
}}
"""

NETWORKS = {
    # name: (excitatory, inhibitory, out-degree to E, to I, procedural)
    "stored": (800_000, 200_000, 800, 200, False),
    "procedural": (3_280_000, 820_000, 4_800, 1_200, True),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--threads", default="1")
    ap.add_argument("--stored-duration", default="0.1s")
    ap.add_argument("--procedural-duration", default="0.01s")
    ap.add_argument("--only", default="stored,procedural")
    args = ap.parse_args()
    print("| network | neurons | synapses | threads | build s | peak RSS GB | "
          "bytes/synapse kept | simulated s | simulate s | spikes | events/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            ne, ni, ee, ei, proc = NETWORKS[name]
            # Every target receives ee * N_E / N_E = ee excitatory inputs.
            ce = ee
            path = os.path.join(tmp, name + ".neuro")
            with open(path, "w") as f:
                f.write(MODEL.format(ne=ne, ni=ni, ee=ee, ei=ei, ce=ce,
                                     p="procedural" if proc else ""))
            duration = (args.procedural_duration if proc
                        else args.stored_duration)
            cmd = ["/usr/bin/time", "-v", args.neuroc, "run", "--json",
                   "--threads", args.threads, "--duration", duration,
                   "-o", os.path.join(tmp, name), path]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"| {name} | failed: {done.stderr.strip()[-300:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                            done.stderr)
            spikes = sum(p["spikes"] for k, p in r["populations"].items()
                         if k != "Ext")
            print(f"| {name} | {ne + ni:,} | {r['synapses']:,} | "
                  f"{args.threads} | {r['t_build_s']:.1f} | "
                  f"{int(rss.group(1)) / 1e6:.2f} | "
                  f"{r['bytes_per_synapse']:.3f} | {duration} | "
                  f"{r['t_sim_s']:.1f} | {spikes:,} | "
                  f"{r['synaptic_events'] / r['t_sim_s']:.3g} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
