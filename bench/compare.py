#!/usr/bin/env python3
"""Neuro against Brian2's C++ standalone mode on the same networks.

usage: bench/compare.py [--neuroc build/bin/neuroc] [--out bench/RESULTS.md]
                        [--only cuba4k,...] [--no-brian2]

Benchmarks (1 s of simulated time unless said, dt = 0.1 ms, seed 1):
  cuba4k, cuba40k, cuba400k  Vogels-Abbott CUBA (examples/cuba.neuro) with
                             4,000 / 40,000 / 400,000 neurons, 80% excitatory,
                             p = 80 / N (80 inputs per neuron)
  cobahh                     examples/cobahh.neuro, 4,000 Traub-Miles HH neurons
  song2000                   examples/stdp_song2000.neuro, 1,000 Poisson inputs,
                             STDP, 100 s
Neuro runs single-threaded (--threads 1), double precision, and once more
with two threads for CUBA 40,000 and 400,000. Brian2 (Debian's python3-brian
under /usr/bin/python3; scripts/setup.sh installs it, or this script does
with apt when it is missing) runs single-threaded in cpp_standalone mode.
CUBA and COBAHH run once more in single precision: Neuro with
--precision=single, Brian2 with float32 variables.

Columns: compile latency (Neuro: parse to first step, JIT included;
Brian2: code generation and g++), simulation wall time (Neuro's step
loop; Brian2's own measurement of its run loop), synaptic events per
second of simulation (Neuro: counted; Brian2: its spikes times the mean
out-degree), peak memory of the simulating process, spikes and mean rate
(to show both did the same work) and the ratio Brian2 / Neuro.

The table, the machine and a bandwidth probe (neuro-stream) go to --out.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BRIAN_PY = "/usr/bin/python3"

# Bytes a CUBA neuron-step moves: 4 state rows read (v, two currents,
# last spike step), 3 written, 1 spike flag written.
CUBA_BYTES_PER_NEURON_STEP = 4 * 8 + 3 * 8 + 1
CUBA_BYTES_PER_NEURON_STEP_SINGLE = 4 * 4 + 3 * 4 + 1


def cuba_model(n, path):
    src = open(os.path.join(ROOT, "examples/cuba.neuro")).read()
    ne = n * 4 // 5
    src = (src.replace("E = 3200 of", f"E = {ne} of")
              .replace("I = 800 of", f"I = {n - ne} of")
              .replace("p = 0.02", f"p = {80.0 / n:g}"))
    with open(path, "w") as f:
        f.write(src)
    return path


def neuroc_run(neuroc, model, threads, tmp, cache=None, single=False):
    """One run; compiles afresh unless `cache` names a cache folder."""
    rss = os.path.join(tmp, "rss.txt")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rss, neuroc, "run", "--json",
           "--threads", str(threads), "-o", os.path.join(tmp, "out"), model]
    if single:
        cmd.insert(cmd.index("--json"), "--precision=single")
    env = dict(os.environ)
    if cache:
        env["NEURO_CACHE_DIR"] = cache
    else:
        cmd.insert(cmd.index("run") + 1, "--no-cache")
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True, env=env).stdout
    r = json.loads(out)
    with open(rss) as f:
        r["peak_mb"] = int(f.read().split()[-1]) / 1024.0
    return r


def brian2_run(name, n, single=False):
    cmd = [BRIAN_PY, os.path.join(ROOT, "bench/brian2_models.py"), name, str(n)]
    if single:
        cmd.append("float32")
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ensure_brian2():
    probe = subprocess.run([BRIAN_PY, "-c", "import brian2"],
                           capture_output=True)
    if probe.returncode == 0:
        return True
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing python3-brian with apt", file=sys.stderr)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q",
                           "--no-install-recommends", "python3-brian"])
    return subprocess.run([BRIAN_PY, "-c", "import brian2"],
                          capture_output=True).returncode == 0


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read())
                 .group(1))
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def fmt(x, digits=3):
    if x is None:
        return "—"
    if abs(x) >= 1e5:
        return f"{x:.3g}"
    return f"{x:.{digits}g}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--neuroc", default=os.path.join(ROOT, "build/bin/neuroc"))
    ap.add_argument("--stream", default=os.path.join(ROOT, "build/bin/neuro-stream"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/RESULTS.md"))
    ap.add_argument("--only", default="cuba4k,cuba40k,cuba400k,cobahh,song2000")
    ap.add_argument("--no-brian2", action="store_true")
    args = ap.parse_args()
    wanted = args.only.split(",")
    brian = not args.no_brian2 and ensure_brian2()

    rows = []
    single_rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Load neuroc's shared libraries into the page cache first: the
        # first start after a build reads them from disk.
        neuroc_run(args.neuroc, os.path.join(ROOT, "examples/cuba.neuro"), 1, tmp)
        benches = []
        for n, key in ((4000, "cuba4k"), (40000, "cuba40k"), (400000, "cuba400k")):
            if key in wanted:
                benches.append((key, f"CUBA {n:,}", cuba_model(n, os.path.join(tmp, f"{key}.neuro")),
                                ("cuba", n), n))
        if "cobahh" in wanted:
            benches.append(("cobahh", "COBAHH 4,000", os.path.join(ROOT, "examples/cobahh.neuro"),
                            ("cobahh", 4000), 4000))
        if "song2000" in wanted:
            benches.append(("song2000", "Song 2000 STDP, 100 s",
                            os.path.join(ROOT, "examples/stdp_song2000.neuro"),
                            ("song2000", 1), 1001))
        # Compile latency on a cache hit: the second run of CUBA 4,000
        # with an on-disk cache.
        cache = os.path.join(tmp, "cache")
        cuba = os.path.join(ROOT, "examples/cuba.neuro")
        neuroc_run(args.neuroc, cuba, 1, tmp, cache)
        hit = neuroc_run(args.neuroc, cuba, 1, tmp, cache)
        for key, title, model, (bname, bn), neurons in benches:
            print(f"{title}: neuroc", file=sys.stderr)
            r = neuroc_run(args.neuroc, model, 1, tmp)
            if key == "song2000":
                # Spikes and rate of the output neuron, as Brian2 records.
                out = r["populations"]["Out"]
                r["spikes"], r["rate_hz"] = out["spikes"], out["rate_hz"]
            r2 = None
            if key in ("cuba40k", "cuba400k"):
                r2 = neuroc_run(args.neuroc, model, 2, tmp)
            b = None
            if brian:
                print(f"{title}: Brian2", file=sys.stderr)
                b = brian2_run(bname, bn)
            # Single precision: Neuro's --precision=single, Brian2's float32.
            rs = bs = None
            if key != "song2000":
                print(f"{title}: neuroc, single precision", file=sys.stderr)
                rs = neuroc_run(args.neuroc, model, 1, tmp, single=True)
                if brian:
                    print(f"{title}: Brian2, float32", file=sys.stderr)
                    bs = brian2_run(bname, bn, single=True)
            rows.append((key, title, r, r2, b))
            single_rows[key] = (rs, bs)

    stream = None
    if os.path.exists(args.stream):
        stream = subprocess.run([args.stream], capture_output=True,
                                text=True).stdout.strip()

    lines = []
    lines.append(f"## Neuro vs Brian2 C++ standalone, {datetime.date.today()}")
    lines.append("")
    lines.append(f"Machine: {machine()}. Written by `bench/compare.py`.")
    if stream:
        lines.append(f"Bandwidth probe (`neuro-stream`, one core): {stream}.")
    lines.append("")
    lines.append("| benchmark | | compile (s) | simulate (s) | events/s | peak MB | spikes | rate (Hz) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    def row(title, label, x, events):
        """One run's row; `events` is the key of its synaptic events."""
        ev = x[events] / x["t_sim_s"] if x["t_sim_s"] > 0 else None
        lines.append(f"|{' ' + title if title else ''} | {label} | {fmt(x['t_compile_s'])} | {fmt(x['t_sim_s'])} | "
                     f"{fmt(ev)} | {fmt(x['peak_mb'])} | {x['spikes']} | {fmt(x['rate_hz'], 4)} |")

    for key, title, r, r2, b in rows:
        row(title, "Neuro", r, "synaptic_events")
        if r2:
            row("", "Neuro, 2 threads", r2, "synaptic_events")
        if b:
            row("", "Brian2", b, "synaptic_events_estimate")
            lines.append(f"| | **Brian2 / Neuro** | **{b['t_compile_s'] / r['t_compile_s']:.0f}x** | "
                         f"**{b['t_sim_s'] / r['t_sim_s']:.2f}x** | | | | |")
        rs, bs = single_rows.get(key, (None, None))
        if rs:
            row("", "Neuro, single", rs, "synaptic_events")
        if bs:
            row("", "Brian2, float32", bs, "synaptic_events_estimate")
            lines.append(f"| | **Brian2 float32 / Neuro single** | | "
                         f"**{bs['t_sim_s'] / rs['t_sim_s']:.2f}x** | | | | |")
    lines.append("")
    # Targets of the performance issue, measured here.
    lines.append("| target | measured | met |")
    lines.append("|---|---|---|")
    by = {k: (r, r2, b) for k, _, r, r2, b in rows}

    def target(text, value, ok):
        lines.append(f"| {text} | {value} | {'yes' if ok else 'no'} |")

    for key, n in (("cuba4k", "4,000"), ("cuba40k", "40,000")):
        if key in by and by[key][2]:
            r, _, b = by[key]
            q = r["t_sim_s"] / b["t_sim_s"]
            target(f"CUBA {n}: simulation ≤ 1/8 of Brian2", f"{q:.2f} of Brian2", q <= 1 / 8)
    if "cuba400k" in by:
        r, _, b = by["cuba400k"]
        n = r["neurons"] * r["steps"]
        gbs = CUBA_BYTES_PER_NEURON_STEP * n / r["t_sim_s"] / 1e9
        if b:
            q = r["t_sim_s"] / b["t_sim_s"]
            target("CUBA 400,000, double: ≤ 1/2 of Brian2", f"{q:.2f} of Brian2", q <= 0.5)
            rs, bs = single_rows.get("cuba400k", (None, None))
            if rs:
                q = rs["t_sim_s"] / b["t_sim_s"]
                also = (f"; {rs['t_sim_s'] / bs['t_sim_s']:.2f} of Brian2 float32"
                        if bs else "")
                target("CUBA 400,000, single: ≤ 1/4 of Brian2",
                       f"{q:.2f} of Brian2 (double){also}", q <= 0.25)
        lines.append(f"| CUBA 400,000: bytes per neuron-step, bandwidth | "
                     f"{CUBA_BYTES_PER_NEURON_STEP} B, {gbs:.1f} GB/s | — |")
        rs, _ = single_rows.get("cuba400k", (None, None))
        if rs:
            gbs = CUBA_BYTES_PER_NEURON_STEP_SINGLE * n / rs["t_sim_s"] / 1e9
            lines.append(f"| CUBA 400,000, single: bytes per neuron-step, bandwidth | "
                         f"{CUBA_BYTES_PER_NEURON_STEP_SINGLE} B, {gbs:.1f} GB/s | — |")
    if "cobahh" in by and by["cobahh"][2]:
        r, _, b = by["cobahh"]
        q = r["t_sim_s"] / b["t_sim_s"]
        target("COBAHH, double: ≤ 1/10 of Brian2", f"{q:.2f} of Brian2", q <= 0.1)
        rs, bs = single_rows.get("cobahh", (None, None))
        if rs and bs:
            q = rs["t_sim_s"] / bs["t_sim_s"]
            target("COBAHH, single: ≤ 1/10 of Brian2 float32", f"{q:.2f} of Brian2 float32",
                   q <= 0.1)
    if "song2000" in by and by["song2000"][2]:
        r, _, b = by["song2000"]
        q = r["t_sim_s"] / b["t_sim_s"]
        target("Song 2000, 100 s: ≤ 1/5 of Brian2", f"{q:.2f} of Brian2", q <= 0.2)
    comp = [(r["t_compile_s"], b["t_compile_s"]) for r, _, b in by.values() if b]
    if comp:
        worst = max(n / bb for n, bb in comp)
        target("compile latency ≤ 1/20 of Brian2's", f"at most {worst:.3f} of Brian2", worst <= 0.05)
        if "cuba4k" in by and by["cuba4k"][2]:
            q = hit["t_compile_s"] / by["cuba4k"][2]["t_compile_s"]
            target("cache hit ≤ 1/100 of Brian2's compile (CUBA 4,000)",
                   f"{hit['t_compile_s']:.3f} s ({hit['cache']}), {q:.4f} of Brian2",
                   q <= 0.01 and hit["cache"] == "hit")
    for key, n in (("cuba40k", "40,000"), ("cuba400k", "400,000")):
        if key in by and by[key][1]:
            r, r2, _ = by[key]
            s = r["t_sim_s"] / r2["t_sim_s"]
            target(f"two threads ≥ 1.7x one on CUBA {n}", f"{s:.2f}x", s >= 1.7)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write("# Benchmark results\n\nThe latest run of `bench/compare.py`; "
                    "see bench/README.md for how to read it.\n\n" + text)


if __name__ == "__main__":
    sys.exit(main())
