#!/usr/bin/env python3
"""Neuro on an NVIDIA GPU: the examples against the CPU, and timings.

usage: bench/gpu.py build [--neuroc build/bin/neuroc] [--dir build/gpu]
       bench/gpu.py run [--dir build/gpu] [--only NAME,...] [--out FILE]

`build` compiles every model below into a program with `neuroc build
--target=cuda` (the PTX embedded; no LLVM needed to run it) and writes
DIR/manifest.json. `run`, on the machine with the GPU, needs only DIR and
Python 3:

  checks   each example and GPU test input runs once on the CPU (--target
           cpu, one thread) and once on the GPU; the table gives both spike
           counts per population, whether the recordings are the same bytes,
           and "ok" when the GPU's count is within max(5%, 4 sqrt(n)) of the
           CPU's (inputs of a neuron are summed in no fixed order on the GPU,
           so spike trains may part after a while; rates must not);
  dense    a dense network (half of its neurons spike per step at dt =
           1 ms) with each delivery strategy (NEURO_GPU_DELIVERY=push, pull),
           at dt = 1 ms and 0.1 ms;
  benches  CUBA 4,000, 40,000 and 400,000, COBAHH and the Potjans-Diesmann
           microcircuit on the GPU, with the CPU's time on one thread next
           to them (not for the microcircuit, whose CPU figure is in
           RESULTS.md's microcircuit table): simulation wall time, real-time
           factor (wall time / simulated time), synaptic events per second;
           for the microcircuit also each population's rate against the
           published one.

The programs carry the tables their models read, so DIR may be copied
anywhere.
"""
import argparse
import datetime
import json
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# name, model (from the repository root; #NAME picks a network), duration
# ("" = the model's own)
CHECKS = [
    ("cuba", "examples/cuba.neuro", ""),
    ("cobahh", "examples/cobahh.neuro", ""),
    ("stdp_song2000", "examples/stdp_song2000.neuro", "20s"),
    ("delays", "tests/lit/GPU/Inputs/delays.neuro", ""),
    ("rmw", "tests/lit/GPU/Inputs/rmw.neuro", ""),
    ("libm", "tests/lit/GPU/Inputs/libm.neuro", ""),
    ("parallel", "tests/lit/Driver/Inputs/parallel.neuro", "50ms"),
    ("astrocyte", "examples/zoo/astrocyte/astrocyte.neuro", "2s"),
    ("celegans_touch", "examples/zoo/celegans/celegans.neuro#Touch", ""),
    ("celegans_ablated", "examples/zoo/celegans/celegans.neuro#Ablated", ""),
    ("dendrites", "examples/zoo/dendrites/dendrites.neuro", ""),
    ("digits", "examples/zoo/digits/digits.neuro", "5s"),
    ("elm", "examples/zoo/elm/elm.neuro", ""),
    ("export_learn", "examples/zoo/export/export.neuro#Learn", ""),
    ("export_replay", "examples/zoo/export/export.neuro#Replay", ""),
    ("motif", "examples/zoo/motif/motif.neuro", ""),
    ("patterns", "examples/zoo/patterns/patterns.neuro", ""),
    ("reservoir", "examples/zoo/reservoir/reservoir.neuro", ""),
    ("subspace", "examples/zoo/subspace/subspace.neuro", ""),
]
# name, model, duration, CPU reference run (one thread); names ending in
# _f32 are built with --precision=single.
BENCHES = [
    ("cuba", "examples/cuba.neuro", "1s", True),
    ("cuba40k", 40000, "1s", True),
    ("cuba400k", 400000, "1s", True),
    ("cuba400k_f32", 400000, "1s", True),
    ("cobahh", "examples/cobahh.neuro", "1s", True),
    ("cobahh_f32", "examples/cobahh.neuro", "1s", True),
    ("microcircuit", "examples/microcircuit.neuro", "1s", False),
    ("microcircuit_f32", "examples/microcircuit.neuro", "1s", False),
]
# The delivery strategies on a dense network (tests/lit/GPU/Inputs/
# dense.neuro, 20,000 neurons, 400 inputs each, 1 s) at two time steps:
# name, dt.
DENSE = [("dense_1ms", "1 ms"), ("dense_01ms", "0.1 ms")]
from microcircuit import POPS, REFERENCE, rates, seconds  # noqa: E402


def build(args):
    from compare import cuba_model
    os.makedirs(args.dir, exist_ok=True)
    manifest = {"checks": [], "benches": []}

    def compile_(name, model):
        program = os.path.join(args.dir, name)
        model, _, network = model.partition("#")
        cmd = [args.neuroc, "build", "--target=cuda", "-o", program, model]
        if name.endswith("_f32"):
            cmd.append("--precision=single")
        if network:
            cmd += ["--network", network]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{name}: {run.stderr}")
        return name

    for name, model, duration in CHECKS:
        manifest["checks"].append(
            {"name": compile_(name, os.path.join(ROOT, model)),
             "duration": duration})
    built = {c["name"] for c in manifest["checks"]}
    for name, model, duration, cpu in BENCHES:
        if isinstance(model, int):
            model = cuba_model(model, os.path.join(args.dir, name + ".neuro"))
        else:
            model = os.path.join(ROOT, model)
        if name not in built:
            compile_(name, model)
        manifest["benches"].append({"name": name, "duration": duration,
                                    "cpu": cpu})
    manifest["dense"] = []
    src = open(os.path.join(ROOT, "tests/lit/GPU/Inputs/dense.neuro")).read()
    for name, dt in DENSE:
        model = os.path.join(args.dir, name + ".neuro")
        with open(model, "w") as f:
            f.write(src.replace("N = 200 of", "N = 20000 of")
                    .replace("p = 0.2", "p = 0.02")
                    .replace("dt = 1 ms", f"dt = {dt}")
                    .replace("run 50 ms", "run 1 s")
                    .replace("record x of N every 5 ms\n", ""))
        compile_(name, model)
        manifest["dense"].append({"name": name, "dt": dt})
    with open(os.path.join(args.dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"built {len(manifest['checks'])} checks and "
          f"{len(manifest['benches'])} benchmarks into {args.dir}")


def execute(program, target, out, duration, timeout, env=None):
    cmd = [program, "--json", "--target", target, "-o", out]
    if target == "cpu":
        cmd += ["--threads", "1"]
    if duration:
        cmd += ["--duration", duration]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=timeout,
                             env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    if run.returncode != 0:
        return None, (run.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(run.stdout), None


def same_files(a, b):
    names = sorted(os.listdir(a))
    if names != sorted(os.listdir(b)):
        return False
    for n in names:
        with open(os.path.join(a, n), "rb") as f, \
                open(os.path.join(b, n), "rb") as g:
            if f.read() != g.read():
                return False
    return True


def machine():
    try:
        gpu = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
             "--format=csv,noheader"], capture_output=True, text=True).stdout
    except OSError:
        gpu = "no nvidia-smi"
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{gpu.strip()}; {cpu}, {os.cpu_count()} cores"


def run(args):
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    only = set(args.only.split(",")) if args.only else None
    tmp = os.path.join(args.dir, "out")
    out = open(args.out, "a") if args.out else None

    class Lines(list):
        """The table so far: printed and written as it grows."""

        def append(self, line):
            super().append(line)
            print(line, flush=True)
            if out:
                out.write(line + "\n")
                out.flush()

        def __iadd__(self, more):
            for line in more:
                self.append(line)
            return self

    lines = Lines()
    lines += ["", f"GPU run of {datetime.date.today()} on {machine()}", ""]
    failed = 0

    checks = [c for c in manifest["checks"] if not only or c["name"] in only]
    if checks:
        lines += ["| model | population | CPU spikes | GPU spikes | bound "
                  "| rate | recordings |", "|---|---|---|---|---|---|---|"]
    for c in checks:
        program = os.path.join(args.dir, c["name"])
        runs = {}
        for target in ("cpu", "cuda"):
            r, err = execute(program, target, os.path.join(
                tmp, f"{c['name']}-{target}"), c["duration"], args.timeout)
            if err:
                lines.append(f"| {c['name']} | — | {target} failed: "
                             f"{err}"
                             " | | | FAIL | |")
                failed += 1
                break
            runs[target] = r
        if len(runs) != 2:
            continue
        same = same_files(os.path.join(tmp, f"{c['name']}-cpu"),
                          os.path.join(tmp, f"{c['name']}-cuda"))
        for pop, cpu in runs["cpu"]["populations"].items():
            a = cpu["spikes"]
            b = runs["cuda"]["populations"][pop]["spikes"]
            bound = max(0.05 * a, 4 * math.sqrt(max(a, 1)))
            ok = abs(a - b) <= bound
            failed += not ok
            lines.append(f"| {c['name']} | {pop} | {a} | {b} | {bound:.0f} | "
                         f"{'ok' if ok else 'FAIL'} | "
                         f"{'same' if same else 'differ'} |")
    if checks:
        lines += ["", f"{failed} failed", ""]

    dense = [d for d in manifest.get("dense", [])
             if not only or d["name"] in only]
    if dense:
        lines += ["", "| network | dt | spikes per neuron-step | push (s) "
                  "| pull (s) | spikes equal |", "|---|---|---|---|---|---|"]
    for d in dense:
        program = os.path.join(args.dir, d["name"])
        runs = {}
        for mode in ("push", "pull"):
            r, err = execute(program, "cuda", os.path.join(
                tmp, f"{d['name']}-{mode}"), "", args.timeout,
                {"NEURO_GPU_DELIVERY": mode})
            if err:
                lines.append(f"| {d['name']} | {mode} failed: {err} |")
                failed += 1
                break
            runs[mode] = r
        if len(runs) != 2:
            continue
        r = runs["push"]
        frac = r["spikes"] / r["neurons"] / r["steps"]
        same = all(runs[m]["spikes"] == r["spikes"] for m in runs)
        lines.append(f"| {d['name']} | {d['dt']} | {frac:.3f} | "
                     + " | ".join(f"{runs[m]['t_sim_s']:.3f}"
                                  for m in ("push", "pull"))
                     + f" | {'yes' if same else 'no'} |")

    benches = [b for b in manifest["benches"] if not only or b["name"] in only]
    if benches:
        lines += ["", "| model | neurons | synapses | simulated | GPU wall (s) "
                  "| GPU real-time factor | GPU events/s | CPU wall, 1 thread "
                  "(s) | CPU / GPU |", "|---|---|---|---|---|---|---|---|---|"]
    micros = []
    for b in benches:
        program = os.path.join(args.dir, b["name"])
        duration = seconds(b["duration"])
        gpu, err = execute(program, "cuda", os.path.join(tmp, b["name"]),
                           b["duration"], args.timeout)
        if err:
            lines.append(f"| {b['name']} | GPU failed: {err} |")
            failed += 1
            continue
        cpu = None
        if b["cpu"] and not args.no_cpu:
            cpu, err = execute(program, "cpu", os.path.join(
                tmp, b["name"] + "-cpu"), b["duration"], args.timeout)
        t = gpu["t_sim_s"]
        lines.append(
            f"| {b['name']} | {gpu['neurons']} | {gpu['synapses']} | "
            f"{duration:g} s | {t:.3f} | {t / duration:.3f} | "
            f"{gpu['synaptic_events'] / t:.3g} | "
            + (f"{cpu['t_sim_s']:.3f} | {cpu['t_sim_s'] / t:.1f} |" if cpu
               else "— | — |"))
        if b["name"].startswith("microcircuit"):
            micros.append((b["name"], gpu, os.path.join(tmp, b["name"]),
                           duration))
    for name, gpu, spikes_dir, duration in micros:
        skip = 0.2 if duration > 0.4 else 0.0
        lines += ["", f"`{name}` on the GPU, rates over [{skip:g} s, "
                  f"{duration:g} s] (build on the host "
                  f"{gpu['t_build_s']:.1f} s):", "",
                  "| population | Neuro (spikes/s) | reference | ratio |",
                  "|---|---|---|---|"]
        measured = rates(spikes_dir, gpu, duration, skip)
        for pop, rate, ref in zip(POPS, measured, REFERENCE):
            lines.append(f"| {pop} | {rate:.3f} | {ref:.3f} | "
                         f"{rate / ref:.2f} |")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    b.add_argument("--dir", default=os.path.join(ROOT, "build/gpu"))
    r = sub.add_parser("run")
    r.add_argument("--dir", default=os.path.join(ROOT, "build/gpu"))
    r.add_argument("--only")
    r.add_argument("--out")
    r.add_argument("--timeout", type=int, default=300)
    r.add_argument("--no-cpu", action="store_true",
                   help="leave out the CPU runs of the benchmarks")
    args = ap.parse_args()
    if args.command == "build":
        build(args)
    else:
        sys.exit(run(args))


if __name__ == "__main__":
    main()
