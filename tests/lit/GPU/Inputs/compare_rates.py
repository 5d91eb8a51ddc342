"""Runs models on the CPU and on the GPU and compares their rates.

usage: compare_rates.py OUTDIR MODEL[:DURATION]...

On the GPU, the inputs of a neuron arrive in no fixed order (atomic
additions), so spike trains may part from the CPU's after a while; the
rates must agree: for each population, the GPU's spike count must be
within 5% of the CPU's or within 4 Poisson standard deviations
(4 sqrt(count)), whichever is larger. Prints one line per population
and "N failed".
"""
import json
import math
import os
import subprocess
import sys

outdir, models = sys.argv[1], sys.argv[2:]
failed = 0
for arg in models:
    model, _, duration = arg.partition(":")
    name = os.path.splitext(os.path.basename(model))[0]
    runs = {}
    for target in ("cpu", "cuda"):
        cmd = ["neuroc", "run", "--json", "--target", target,
               "-o", os.path.join(outdir, f"{name}-{target}"), model]
        if duration:
            cmd += ["--duration", duration]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name} {target}: {run.stderr.strip()}")
            failed += 1
            break
        runs[target] = json.loads(run.stdout)
    if len(runs) != 2:
        continue
    print(f"{name}: device {runs['cuda'].get('device')}")
    for pop, cpu in runs["cpu"]["populations"].items():
        a, b = cpu["spikes"], runs["cuda"]["populations"][pop]["spikes"]
        bound = max(0.05 * a, 4 * math.sqrt(max(a, 1)))
        ok = abs(a - b) <= bound
        failed += not ok
        print(f"{'ok' if ok else 'FAIL'} {name}.{pop} cpu {a} gpu {b} "
              f"(bound {bound:.0f})")
print(f"{failed} failed")
sys.exit(1 if failed else 0)
