#!/usr/bin/env python3
"""Neuro on an NVIDIA GPU: the examples against the CPU, and timings.

usage: bench/gpu.py build [--neuroc build/bin/neuroc] [--dir build/gpu]
                          [--only NAME,...]
       bench/gpu.py run [--dir build/gpu] [--only NAME,...] [--out FILE]

`build` compiles every model below into a program with `neuroc build
--target=cuda` (the PTX embedded; no LLVM needed to run it) and writes
DIR/manifest.json; it needs no GPU. `run`, on the machine with the GPU,
needs only DIR and Python 3. It first runs one program briefly on the GPU:
without one it says why, lists the targets left unmeasured and exits with
status 2, having measured nothing. Then:

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
           factor (wall time / simulated time), synaptic events per second,
           kernel launches per step; the `_unmerged` programs are built with
           NEURO_GPU_MERGE=0 (each population's kernels apart); for the
           microcircuit also each population's rate against the published
           one;
  repro    CUBA 4,000 twice on the GPU with each delivery strategy: whether
           the two runs write the same files, and whether they are the
           CPU's (pulled deliveries add in the CPU's order);
  ranks    where `mpirun` is found: CUBA 4,000 and the microcircuit (those
           built) under `mpirun -np K`, one GPU per process (K the GPUs
           nvidia-smi lists, at least 2; processes share a GPU when there
           are fewer), against one process on one GPU: spike counts within
           the bound of `checks`, wall times, time communicating;
  targets  issue #25's targets against what was measured: the
           microcircuit's real-time factor in double (at most 0.6) and single
           precision (at most 0.3), CUBA 4,000 against one CPU core, the
           launches per step of the microcircuit.

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
    ("brunel2000", "examples/classic/brunel2000.neuro", "1s"),
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
# Names ending in _unmerged are built with NEURO_GPU_MERGE=0.
BENCHES = [
    ("cuba", "examples/cuba.neuro", "1s", True),
    ("cuba_unmerged", "examples/cuba.neuro", "1s", False),
    ("cuba40k", 40000, "1s", True),
    ("cuba400k", 400000, "1s", True),
    ("cuba400k_f32", 400000, "1s", True),
    ("cobahh", "examples/cobahh.neuro", "1s", True),
    ("cobahh_f32", "examples/cobahh.neuro", "1s", True),
    ("microcircuit", "examples/microcircuit.neuro", "1s", False),
    ("microcircuit_f32", "examples/microcircuit.neuro", "1s", False),
    ("microcircuit_unmerged", "examples/microcircuit.neuro", "1s", False),
]
# Issue #25's targets: what, the benchmark, and the test of a row of the
# benchmarks table (None: not measured).
TARGETS = [
    ("microcircuit, double precision: real-time factor", "at most 0.6",
     "microcircuit", lambda r: r["rtf"] <= 0.6, lambda r: f"{r['rtf']:.3f}"),
    ("microcircuit, single precision: real-time factor", "at most 0.3",
     "microcircuit_f32", lambda r: r["rtf"] <= 0.3,
     lambda r: f"{r['rtf']:.3f}"),
    ("CUBA 4,000: one CPU core's time / the GPU's", "more than 1", "cuba",
     lambda r: r["speedup"] is not None and r["speedup"] > 1,
     lambda r: "—" if r["speedup"] is None else f"{r['speedup']:.2f}"),
    ("microcircuit: kernel launches per step", "a handful", "microcircuit",
     lambda r: r["launches"] <= 10, lambda r: f"{r['launches']:.1f}"),
]
# Targets no program here can measure yet.
UNBUILT = [("multi-area model (4·10^6 neurons, 2.4·10^10 synapses, "
            "procedural): real-time factor and memory",
            "procedural connectivity runs on the CPU only")]
# The delivery strategies on a dense network (tests/lit/GPU/Inputs/
# dense.neuro, 20,000 neurons, 400 inputs each, 1 s) at two time steps:
# name, dt.
DENSE = [("dense_1ms", "1 ms"), ("dense_01ms", "0.1 ms")]
from microcircuit import POPS, REFERENCE, rates, seconds  # noqa: E402


def build(args):
    from compare import cuba_model
    os.makedirs(args.dir, exist_ok=True)
    manifest = {"checks": [], "benches": []}
    only = set(args.only.split(",")) if args.only else None

    def compile_(name, model):
        program = os.path.join(args.dir, name)
        model, _, network = model.partition("#")
        cmd = [args.neuroc, "build", "--target=cuda", "-o", program, model]
        if name.endswith("_f32"):
            cmd.append("--precision=single")
        if network:
            cmd += ["--network", network]
        env = dict(os.environ)
        if name.endswith("_unmerged"):
            env["NEURO_GPU_MERGE"] = "0"
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            sys.exit(f"{name}: {run.stderr}")
        return name

    for name, model, duration in CHECKS:
        if only and name not in only:
            continue
        manifest["checks"].append(
            {"name": compile_(name, os.path.join(ROOT, model)),
             "duration": duration})
    built = {c["name"] for c in manifest["checks"]}
    for name, model, duration, cpu in BENCHES:
        if only and name not in only:
            continue
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
        if only and name not in only:
            continue
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


def execute(program, target, out, duration, timeout, env=None,
            launcher=()):
    cmd = list(launcher) + [program, "--json", "--target", target, "-o", out]
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


class Table(list):
    """Markdown lines, printed (and written to `out`) as they come."""

    def __init__(self, out):
        super().__init__()
        self.out = out

    def append(self, line):
        super().append(line)
        print(line, flush=True)
        if self.out:
            self.out.write(line + "\n")
            self.out.flush()

    def __iadd__(self, more):
        for line in more:
            self.append(line)
        return self


def gpu_missing(args, manifest, tmp):
    """Why no program runs on the GPU here (None: one does)."""
    names = [e["name"] for part in ("checks", "benches", "dense")
             for e in manifest.get(part, [])]
    if not names:
        return "nothing was built"
    program = os.path.join(args.dir, "cuba" if "cuba" in names else names[0])
    _, err = execute(program, "cuda", os.path.join(tmp, "gpu-check"), "1ms",
                     args.timeout)
    return err


def unmeasured(lines, reason):
    lines += ["", f"No GPU: {reason}. Nothing was measured; on a machine "
              "with a GPU, `bench/gpu.py run` measures:", ""]
    for what, wanted, *_ in TARGETS:
        lines.append(f"- {what} ({wanted})")
    for what, why in UNBUILT:
        lines.append(f"- {what}: not measurable yet ({why})")


def run_checks(args, checks, tmp, lines):
    """Each check on the CPU and the GPU; the number of failures."""
    failed = 0
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
    return failed


def run_dense(args, dense, tmp, lines):
    """The delivery strategies on the dense networks; failures."""
    failed = 0
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
    return failed


def run_benches(args, benches, tmp, lines):
    """The benchmarks; each one's real-time factor, speed-up over one CPU
    core and launches per step by name, and the number of failures."""
    failed, results, micros = 0, {}, []
    if benches:
        lines += ["", "| model | neurons | synapses | simulated | GPU wall (s) "
                  "| GPU real-time factor | GPU events/s | launches per step "
                  "| CPU wall, 1 thread (s) | CPU / GPU |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
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
        launches = gpu.get("kernel_launches", 0) / max(gpu["steps"], 1)
        results[b["name"]] = {
            "rtf": t / duration, "launches": launches,
            "speedup": cpu["t_sim_s"] / t if cpu and t > 0 else None}
        lines.append(
            f"| {b['name']} | {gpu['neurons']} | {gpu['synapses']} | "
            f"{duration:g} s | {t:.3f} | {t / duration:.3f} | "
            f"{gpu['synaptic_events'] / t:.3g} | {launches:.1f} | "
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
    return results, failed


def gpu_count():
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                                text=True).stdout
    except OSError:
        return 0
    return sum(line.startswith("GPU ") for line in listed.splitlines())


def run_ranks(args, benches, tmp, lines):
    """CUBA and the microcircuit over K processes with a GPU each, against
    one process on one GPU; the number of failures."""
    import shutil
    mpirun = shutil.which("mpirun")
    chosen = [b for b in benches if b["name"] in ("cuba", "microcircuit")]
    if not mpirun or not chosen:
        if chosen:
            lines += ["", "No mpirun: the runs over several processes were "
                      "not measured.", ""]
        return 0
    ranks = max(2, gpu_count())
    launcher = [mpirun, "--oversubscribe", "--allow-run-as-root", "-np",
                str(ranks)]
    lines += ["", f"Over {ranks} processes, a GPU each ({gpu_count()} "
              "GPUs here):", "",
              "| model | population | 1 GPU spikes | spikes | bound | rate "
              "| 1 GPU sim (s) | sim (s) | communicating (s) |",
              "|---|---|---|---|---|---|---|---|---|"]
    failed = 0
    for b in chosen:
        program = os.path.join(args.dir, b["name"])
        one, err = execute(program, "cuda", os.path.join(
            tmp, b["name"] + "-1gpu"), b["duration"], args.timeout)
        many, err2 = (None, None) if err else execute(
            program, "cuda", os.path.join(tmp, b["name"] + "-ranks"),
            b["duration"], args.timeout, launcher=launcher)
        if err or err2:
            lines.append(f"| {b['name']} | — | failed: {err or err2} |")
            failed += 1
            continue
        for pop, mine in one["populations"].items():
            a, c = mine["spikes"], many["populations"][pop]["spikes"]
            bound = max(0.05 * a, 4 * math.sqrt(max(a, 1)))
            ok = abs(a - c) <= bound
            failed += not ok
            lines.append(
                f"| {b['name']} | {pop} | {a} | {c} | {bound:.0f} | "
                f"{'ok' if ok else 'FAIL'} | {one['t_sim_s']:.3f} | "
                f"{many['t_sim_s']:.3f} | {many.get('t_comm_s', 0):.3f} |")
    return failed


def run_repro(args, names, tmp, lines):
    """CUBA twice on the GPU per delivery strategy: are the runs' files
    the same, and the CPU's? The number of failures (pulled runs must be
    the same; pushed ones may differ: atomic adds)."""
    if "cuba" not in names:
        return 0
    program = os.path.join(args.dir, "cuba")
    lines += ["", "| model | delivery | two GPU runs equal | equal to the "
              "CPU's |", "|---|---|---|---|"]
    cpu_dir = os.path.join(tmp, "repro-cpu")
    _, err = execute(program, "cpu", cpu_dir, "", args.timeout)
    if err:
        lines.append(f"| cuba | — | CPU failed: {err} | |")
        return 1
    failed = 0
    for mode in ("push", "pull"):
        dirs = [os.path.join(tmp, f"repro-{mode}-{i}") for i in (1, 2)]
        errs = [execute(program, "cuda", d, "", args.timeout,
                        {"NEURO_GPU_DELIVERY": mode})[1] for d in dirs]
        if any(errs):
            lines.append(f"| cuba | {mode} | failed: {errs[0] or errs[1]} | |")
            failed += 1
            continue
        twice = same_files(*dirs)
        cpu = same_files(cpu_dir, dirs[0])
        failed += mode == "pull" and not (twice and cpu)
        lines.append(f"| cuba | {mode} | {'yes' if twice else 'no'} | "
                     f"{'yes' if cpu else 'no'} |")
    return failed


def report_targets(lines, results):
    lines += ["", "| target (issue #25) | wanted | measured | met |",
              "|---|---|---|---|"]
    for what, wanted, bench, met, shown in TARGETS:
        r = results.get(bench)
        if r is None:
            lines.append(f"| {what} | {wanted} | not run | — |")
            continue
        lines.append(f"| {what} | {wanted} | {shown(r)} | "
                     f"{'yes' if met(r) else 'no'} |")
    for what, why in UNBUILT:
        lines.append(f"| {what} | reported | not measurable yet ({why}) "
                     "| — |")


def run(args):
    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    only = set(args.only.split(",")) if args.only else None

    def chosen(part):
        return [e for e in manifest.get(part, [])
                if not only or e["name"] in only]

    tmp = os.path.join(args.dir, "out")
    lines = Table(open(args.out, "a") if args.out else None)
    lines += ["", f"GPU run of {datetime.date.today()} on {machine()}", ""]
    reason = gpu_missing(args, manifest, tmp)
    if reason:
        unmeasured(lines, reason)
        return 2
    failed = run_checks(args, chosen("checks"), tmp, lines)
    failed += run_dense(args, chosen("dense"), tmp, lines)
    results, f = run_benches(args, chosen("benches"), tmp, lines)
    failed += f
    failed += run_ranks(args, chosen("benches"), tmp, lines)
    names = {e["name"] for part in ("checks", "benches")
             for e in chosen(part)}
    failed += run_repro(args, names, tmp, lines)
    report_targets(lines, results)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    b.add_argument("--dir", default=os.path.join(ROOT, "build/gpu"))
    b.add_argument("--only", help="build only these checks and benchmarks")
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
