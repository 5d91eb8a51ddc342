"""Checkpoints on the emulated GPU against the CPU's:

    checkpoint_gpu.py NEUROC OUTDIR MODEL T [MPIRUN NP]

Runs MODEL for T on the CPU and on the device (under MPIRUN -np NP, one
device per process, when given), each saving a checkpoint,
and prints whether the two have the same bytes; then restores the CPU's
checkpoint on the CPU and on the device, runs T more on each and prints
whether every recording of the two is the same, byte for byte. Exits 1
when a run fails or anything differs.
"""
import filecmp
import os
import shlex
import subprocess
import sys


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{' '.join(cmd)} failed:\n{done.stderr}")
        sys.exit(1)


def main():
    neuroc, out, model, t = sys.argv[1:5]
    launch = {"cpu": [], "cuda-emulated": []}
    if len(sys.argv) > 6:
        launch["cuda-emulated"] = shlex.split(sys.argv[5]) + ["-np",
                                                              sys.argv[6]]
    os.makedirs(out, exist_ok=True)
    ckp = {}
    for target in ("cpu", "cuda-emulated"):
        ckp[target] = os.path.join(out, target + ".ckp")
        run(launch[target] + [neuroc, "run", f"--target={target}", "--duration", t,
             "--checkpoint", ckp[target], "-o",
             os.path.join(out, "first-" + target), model])
    same = filecmp.cmp(ckp["cpu"], ckp["cuda-emulated"], shallow=False)
    print("checkpoint:", "same bytes" if same else "DIFFERENT bytes")
    dirs = {}
    for target in ("cpu", "cuda-emulated"):
        dirs[target] = os.path.join(out, "second-" + target)
        run(launch[target] + [neuroc, "run", f"--target={target}", "--duration", t,
             "--restore", ckp["cpu"], "-o", dirs[target], model])
    def listed(d):
        return sorted(n for n in os.listdir(d) if not n.startswith("."))

    names = listed(dirs["cpu"])
    differ = [n for n in names
              if not filecmp.cmp(os.path.join(dirs["cpu"], n),
                                 os.path.join(dirs["cuda-emulated"], n),
                                 shallow=False)]
    if listed(dirs["cuda-emulated"]) != names:
        differ.append("(the files)")
    print("restored on the device:",
          f"same recordings ({len(names)} files)" if not differ
          else "DIFFERENT " + " ".join(differ))
    sys.exit(1 if differ or not same else 0)


if __name__ == "__main__":
    main()
