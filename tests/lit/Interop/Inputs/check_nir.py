"""Drives a model neuroc import wrote from a NIR graph with a synthetic
input and compares its spikes with nir_reference.py, spike for spike.

  check_nir.py prepare NIR MODEL --input current|spikes --steps K --seed S
      writes MODEL's input table and records the spikes of every population
  check_nir.py compare NIR OUTDIR --input ... --steps K --seed S --reset R
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from nir_reference import Reference, SPIKING  # noqa: E402

DT = 1e-4
RESERVED = set("""neuron synapse network param state input let weight post on
    pre drives spike when refractory unless connect with of record every run
    import and or not if then else one_to_one no_autapses as modulator from
    where excitatory inhibitory function named ablate plasticity dt t xi seed
    i j N spikes""".split())


def ident(name):
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if s[0].isdigit():
        s = "n" + s
    return s + "_" if s in RESERVED else s


def synthetic(ref, mode, steps, seed):
    (inp,) = [n for n, (t, _) in ref.nodes.items() if t == "Input"]
    size = int(np.prod(ref.nodes[inp][1]["shape"]))
    rng = np.random.default_rng(seed)
    if mode == "spikes":
        return inp, rng.random((steps, size)) < 0.15
    return inp, np.round(rng.random((steps, size)) * 4) / 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what")
    ap.add_argument("nir")
    ap.add_argument("path")
    ap.add_argument("--input", default="current")
    ap.add_argument("--reset", default="zero")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ref = Reference(a.nir, DT, a.reset)
    inp, data = synthetic(ref, a.input, a.steps, a.seed)
    if a.what == "prepare":
        stem = os.path.splitext(a.path)[0]
        with open(stem + "_input.csv", "w") as f:
            if a.input == "spikes":
                f.write("i,t\n")
                for k, i in zip(*np.nonzero(data)):
                    f.write("%d,%r\n" % (i, k * DT))
            else:
                f.write(",".join("x%d" % i for i in range(data.shape[1])))
                f.write("\n")
                for row in data:
                    f.write(",".join(repr(float(v)) for v in row) + "\n")
        text = open(a.path).read()
        records = "".join("  record spikes of %s\n" % ident(n)
                          for n, (t, _) in ref.nodes.items() if t in SPIKING)
        text = text.replace("  run 100 ms\n", records + "  run 100 ms\n")
        text = re.sub(r"  record spikes of (\w+)\n(?=(.|\n)*record spikes "
                      r"of \1\n)", "", text)
        open(a.path, "w").write(text)
        return
    got = {n: [] for n in ref.state}
    for k in range(a.steps):
        out = ref.step(x=data[k] if a.input == "current" else None,
                       spikes=data[k] if a.input == "spikes" else None)
        for n, s in out.items():
            got[n] += [(k, int(i)) for i in np.nonzero(s.reshape(-1))[0]]
    ok = True
    for n, (t, _) in sorted(ref.nodes.items()):
        if t not in SPIKING:
            continue
        rec = np.load(os.path.join(a.path, "spikes_%s.npy" % ident(n)))
        mine = sorted((int(round(s["t"] / DT)) - 1, int(s["i"])) for s in rec)
        theirs = sorted(got[n])
        print("%s: %d spikes, reference %d" % (n, len(mine), len(theirs)))
        if mine != theirs:
            ok = False
            diff = sorted(set(mine) ^ set(theirs))
            print("  first difference (step, neuron):", diff[:5])
    print("spikes equal" if ok else "spikes differ")


main()
