"""Compiles every example for the GPU and assembles its PTX with ptxas.

usage: check_ptx.py NEUROC PTXAS OUTDIR MODEL...

For each model and each chip (sm_80, sm_90), `neuroc emit --stage=ptx
--chip CHIP` must succeed and ptxas must assemble the PTX for that chip.
Prints one line per model and chip, and the failures' output.
"""
import os
import subprocess
import sys

neuroc, ptxas, outdir, models = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
os.makedirs(outdir, exist_ok=True)
failed = 0
for model in sorted(models):
    name = os.path.splitext(os.path.basename(model))[0]
    for chip in ("sm_80", "sm_90"):
        ptx = os.path.join(outdir, f"{name}.{chip}.ptx")
        with open(ptx, "w") as out:
            emit = subprocess.run([neuroc, "emit", "--stage=ptx", "--chip", chip,
                                   model], stdout=out, stderr=subprocess.PIPE,
                                  text=True)
        if emit.returncode != 0:
            print(f"FAIL emit {name} {chip}\n{emit.stderr}")
            failed += 1
            continue
        asm = subprocess.run([ptxas, f"-arch={chip}", ptx, "-o",
                              ptx[:-4] + ".cubin"], capture_output=True,
                             text=True)
        if asm.returncode != 0:
            print(f"FAIL ptxas {name} {chip}\n{asm.stdout}{asm.stderr}")
            failed += 1
            continue
        entries = sum(1 for line in open(ptx) if line.startswith(".visible .entry"))
        print(f"ok {name} {chip} {entries} kernels")
print(f"{failed} failed")
sys.exit(1 if failed else 0)
