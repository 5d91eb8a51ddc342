"""Runs every code block of a Markdown file that declares a network.

usage: docs_examples.py FILE.md OUTDIR STDLIB
Each block goes to OUTDIR/example-N.neuro and is run with `neuroc run`
(from PATH) with NEURO_STDLIB=STDLIB. Prints one line per example and
exits 1 if any failed, with its diagnostics."""
import os
import re
import subprocess
import sys

text = open(sys.argv[1]).read()
out, stdlib = sys.argv[2], sys.argv[3]
blocks = re.findall(r"^ *```\n(.*?)^ *```", text, re.S | re.M)
env = dict(os.environ, NEURO_STDLIB=stdlib)
failed = 0
n = 0
for block in blocks:
    # Outlines (`neuron LIF { ... }`) are not programs.
    if not re.search(r"^\s*network \w+ \{", block, re.M) or "{ ... }" in block:
        continue
    n += 1
    path = f"{out}/example-{n}.neuro"
    with open(path, "w") as f:
        f.write(block)
    r = subprocess.run(["neuroc", "run", "-o", f"{out}/out-{n}", path],
                       capture_output=True, text=True, env=env)
    network = re.search(r"^\s*network (\w+)", block, re.M).group(1)
    print(f"example {n} ({network}): {'ok' if r.returncode == 0 else 'FAILED'}")
    if r.returncode != 0:
        failed += 1
        print(r.stderr)
print(f"{n} examples, {failed} failed")
sys.exit(1 if failed else 0)
