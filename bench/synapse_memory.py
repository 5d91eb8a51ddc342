#!/usr/bin/env python3
"""Memory and build time of a large network, stored and procedural.

A network of N LIF neurons (80% excitatory) in which every neuron has about
K = 1000 targets (p = K / N) with weights drawn per synapse (uniform) and
delays drawn per synapse (uniform(0.5 ms, 3 ms)), as in issue 23's
250,000-neuron network, built and run for a short time:

- stored: every synapse kept (CSR targets, weights, delay groups);
- procedural: the same projections with `procedural`: kept as their rule,
  the synapses of each spike drawn again;
- empty: the same network with p = 0, whose peak memory (the compiler, the
  JIT, the neurons) is taken away from the others' to give the synapses'.

For each: bytes per synapse kept (`bytes_per_synapse` of `neuroc run
--json`), bytes per synapse at the peak ((max RSS - the empty network's max
RSS) / synapses), build time and simulated time. Writes
bench/SYNAPSE_MEMORY.md unless --no-write.

    bench/synapse_memory.py [--neurons 50000] [--degree 1000] [--duration 0.1]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODEL = """
neuron LIF {{
  param tau_m: ms = 20 ms
  param v_rest: mV = -49 mV
  param v_th: mV = -50 mV
  param v_reset: mV = -60 mV
  param t_ref: ms = 5 ms
  state v: mV = v_reset
  input I: mV
  dv/dt = (v_rest - v + I) / tau_m   unless refractory
  spike when v > v_th {{ v = v_reset }}   refractory t_ref
}}

synapse ExpCurrent {{
  param tau: ms = 5 ms
  weight w: mV
  post state g: mV = 0 mV
  dg/dt = -g / tau
  on pre {{ g += w }}
  drives I = g
}}

network Big {{
  dt = 0.1 ms
  seed = 1
  E = {ne} of LIF(v = uniform(-60 mV, -50 mV))
  I = {ni} of LIF(v = uniform(-60 mV, -50 mV))
  connect E -> E, I with ExpCurrent(w = uniform(0.05 mV, 0.15 mV), tau = 5 ms)
      p = {p} delay = uniform(0.5 ms, 3 ms) {proc}
  connect I -> E, I with ExpCurrent(w = uniform(-0.9 mV, -0.3 mV), tau = 10 ms)
      p = {p} delay = uniform(0.5 ms, 3 ms) {proc}
  run {duration} s
}}
"""


def run(neuroc, path, out):
    """Runs one network in a child; returns its JSON summary and max RSS."""
    cmd = ["/usr/bin/time", "-f", "maxrss_kb %M", neuroc, "run", "--json",
           "--threads", "1", "-o", out, path]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    rss = None
    for line in proc.stderr.splitlines():
        if line.startswith("maxrss_kb "):
            rss = int(line.split()[1]) * 1024
    return json.loads(proc.stdout.strip().splitlines()[-1]), rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--neurons", type=int, default=50000)
    ap.add_argument("--degree", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=0.1)
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build", "bin",
                                                     "neuroc"))
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    ne = args.neurons * 4 // 5
    ni = args.neurons - ne
    p = args.degree / args.neurons
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for name, prob, proc in [("empty", 0, ""), ("stored", p, ""),
                                 ("procedural", p, "procedural")]:
            path = os.path.join(tmp, name + ".neuro")
            with open(path, "w") as f:
                f.write(MODEL.format(ne=ne, ni=ni, p=prob, proc=proc,
                                     duration=args.duration))
            summary, rss = run(args.neuroc, path, os.path.join(tmp, name))
            if name == "empty":
                base = rss
                continue
            syn = summary["synapses"]
            peak = (rss - base) / syn if syn else 0.0
            rows.append((name, syn, summary["bytes_per_synapse"], peak,
                         summary["t_build_s"], summary["t_sim_s"],
                         summary["spikes"], summary["synaptic_events"]))
            print(f"{name}: {syn} synapses, {summary['bytes_per_synapse']} "
                  f"B/synapse kept, {peak:.2f} B/synapse at the peak, build "
                  f"{summary['t_build_s']:.2f} s, simulate "
                  f"{summary['t_sim_s']:.2f} s, {summary['spikes']} spikes",
                  flush=True)
    if len(rows) == 2 and rows[0][6:] != rows[1][6:]:
        sys.exit("stored and procedural runs differ in spikes or events")
    table = [
        f"## {args.neurons:,} neurons, {args.degree} synapses per neuron, "
        f"{datetime.date.today().isoformat()}", "",
        "Written by `bench/synapse_memory.py --neurons "
        f"{args.neurons} --degree {args.degree} --duration {args.duration}` "
        "(one thread, double precision): weights and delays drawn per "
        "synapse. Peak: (max RSS - max RSS of the same network with no "
        "synapse) / synapses.", "",
        "| form | synapses | bytes/synapse kept | bytes/synapse at peak "
        "| build (s) | simulate (s) | spikes | events |",
        "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        table.append(f"| {r[0]} | {r[1]:,} | {r[2]:.2f} | {r[3]:.2f} | "
                     f"{r[4]:.2f} | {r[5]:.2f} | {r[6]} | {r[7]} |")
    text = "\n".join(table) + "\n"
    print(text)
    if not args.no_write:
        path = os.path.join(ROOT, "bench", "SYNAPSE_MEMORY.md")
        header = ("# Synapse memory\n\nThe latest runs of "
                  "`bench/synapse_memory.py`, newest first; see its "
                  "docstring and docs/procedural.md.\n\n")
        old = ""
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
            old = old[len(header):] if old.startswith(header) else old
        with open(path, "w") as f:
            f.write(header + text + "\n" + old)


if __name__ == "__main__":
    main()
