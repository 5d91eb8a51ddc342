#!/usr/bin/python3
"""Compile time against model size: generated models with many populations,
many projections and many inline spike times, each compiled with
`neuroc run --no-cache --duration 1ms --json` at doubling sizes. Prints, and
writes into bench/RESULTS.md (section "Compile time against model size"),
the time to the first step (parse, check, lower, LLVM, JIT: t_compile_s)
and the building of the network (t_build_s) at each size, with the exponent
of the last doubling (1 is linear, 2 quadratic).

A second table times `neuroc emit --stage=lowered` (parse, check and the
MLIR passes, without LLVM) of one neuron with a nonlinear vector state of
512 to 4096 elements, integrated with rk4.

usage: bench/compile_scaling.py [--max-scale 4] [--no-write]
"""
import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from results import write_section  # noqa: E402
NEUROC = os.path.join(ROOT, "build", "bin", "neuroc")

NEURON = """neuron LIF {
  param tau_m: ms = 20 ms
  param v_th: mV = -50 mV
  param v_reset: mV = -60 mV
  state v: mV = v_reset
  input I: mV
  dv/dt = (-49 mV - v + I) / tau_m
  spike when v > v_th { v = v_reset }
}

synapse Kick {
  weight w: mV
  post v: mV
  on pre { v += w }
}
"""


def populations(n):
    """n one-neuron populations, each recorded."""
    body = [f"  P{i} = 1 of LIF(v = -55 mV)" for i in range(n)]
    body.append("  record spikes of " + ", ".join(f"P{i}" for i in range(n)))
    return body


def connects(n):
    """n one-neuron populations in a ring, one `connect` line each."""
    body = [f"  P{i} = 1 of LIF(v = -55 mV)" for i in range(n)]
    body += [f"  connect P{i} -> P{(i + 1) % n} with Kick(w = 0.5 mV)"
             for i in range(n)]
    return body


def spike_times(n):
    """One SpikeTimes source of 10 neurons with n spikes listed inline."""
    idx = ", ".join(str(i % 10) for i in range(n))
    times = ", ".join(f"{0.1 * (i // 10 + 1):.1f} ms" for i in range(n))
    return [f"  In = 10 of SpikeTimes(indices = [{idx}], times = [{times}])",
            "  P = 10 of LIF()",
            "  connect In -> P with Kick(w = 0.5 mV) one_to_one"]


CASES = (
    ("populations", populations, 125),
    ("connect lines", connects, 125),
    ("inline spike times", spike_times, 2500),
)


def model(body):
    return (NEURON + "\nnetwork Scale {\n  dt = 0.1 ms\n" + "\n".join(body) +
            "\n  run 1 ms\n}\n")


def measure(body, tmp):
    path = os.path.join(tmp, "model.neuro")
    with open(path, "w") as f:
        f.write(model(body))
    run = subprocess.run(
        [NEUROC, "run", "--json", "--no-cache", "--threads", "1", "-o",
         os.path.join(tmp, "out"), path],
        capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"neuroc failed:\n{run.stderr}")
    info = json.loads(run.stdout)
    return info["t_compile_s"], info["t_build_s"]


VECTOR_NEURON = """neuron V {{
  state m[{n}] = 0
  state v: mV = 0 mV
  dm/dt = (1 - m * m) / (10 ms)
  dv/dt = (sum(m) * 1 mV - v) / (10 ms)
  spike when v > 100 mV {{ v = 0 mV }}
}}
network Vec {{
  P = 10 of V
  run 1 ms
}}
"""


def measure_vector(n, tmp):
    """Seconds to lower a neuron with an n-element vector state."""
    path = os.path.join(tmp, "vector.neuro")
    with open(path, "w") as f:
        f.write(VECTOR_NEURON.format(n=n))
    start = time.perf_counter()
    run = subprocess.run([NEUROC, "emit", "--stage=lowered", path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    if run.returncode != 0:
        sys.exit(f"neuroc failed:\n{run.stderr}")
    return time.perf_counter() - start


def vector_table(tmp):
    lines = ["| vector elements | lowering (s) | exponent |", "|---|---|---|"]
    prev = None
    for n in (512, 1024, 2048, 4096):
        t = measure_vector(n, tmp)
        exp = f"{math.log2(t / prev):.2f}" if prev else ""
        lines.append(f"| {n} | {t:.2f} | {exp} |")
        print(lines[-1], flush=True)
        prev = t
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-scale", type=int, default=8,
                    help="largest size as a multiple of the first")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    lines = ["| model | size | compile (s) | build (s) | exponent |",
             "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, gen, first in CASES:
            prev = None
            scale = 1
            while scale <= a.max_scale:
                n = first * scale
                c, b = measure(gen(n), tmp)
                exp = ""
                if prev is not None and prev > 0.05:
                    exp = f"{math.log2((c + b) / prev):.2f}"
                lines.append(f"| {name} | {n} | {c:.3f} | {b:.4f} | {exp} |")
                print(lines[-1], flush=True)
                prev = c + b
                scale *= 2
        vectors = vector_table(tmp)
    section = ("## Compile time against model size, " +
               datetime.date.today().isoformat() + "\n\n" +
               "Written by `bench/compile_scaling.py`: `neuroc run --no-cache` "
               "on generated models (one-neuron populations; the same with a "
               "`connect` line each; one SpikeTimes source with its spikes "
               "inline). Exponent: log2 of the ratio of compile + build "
               "times at one size and at half of it (1: linear).\n\n" +
               "\n".join(lines) + "\n\n" +
               "Lowering one neuron with a nonlinear vector state (rk4), "
               "`neuroc emit --stage=lowered`, wall clock. Until "
               "2026-12-05 this was quadratic (4096 elements: 37 s): the "
               "canonicalizer ran top-down, revisiting the loop over neurons "
               "after each fold in its body, and the verifier and "
               "elaboration looked every name up by a scan of its model.\n\n" +
               "\n".join(vectors) + "\n")
    if a.no_write:
        return
    write_section("Compile time against model size", section)


if __name__ == "__main__":
    main()
