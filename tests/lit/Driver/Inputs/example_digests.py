"""Runs every example and zoo model (each network of a file; the
microcircuit, 9 GB, left out) for 200 ms on one thread and prints a digest
(SHA-256, 16 hex digits) of each recording it writes, one line per file:
`MODEL[:NETWORK] FILE DIGEST`. With --check FILE, compares with the digests
listed there and names every recording that differs, appeared or vanished
(exit status 1); with --write FILE, writes them there. The digests pin the
recordings bit for bit while the code that makes them is reorganized.
With --threads N the runs take N threads; with --launch "CMD" each runs
under CMD (`mpirun -np 3`: over three processes), and must write the same
recordings; with --target T (cuda-emulated) each runs there.

usage: example_digests.py NEUROC ROOT OUTDIR (--check|--write) DIGESTS
                          [--threads N] [--launch CMD] [--target T]
"""
import hashlib
import os
import re
import subprocess
import sys

SKIP = {"examples/microcircuit.neuro"}


def models(root):
    for base, _, names in os.walk(os.path.join(root, "examples")):
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(base, name), root)
            if name.endswith(".neuro") and rel not in SKIP:
                yield rel


def networks(path):
    names = re.findall(r"^network\s+(\w+)", open(path).read(), re.M)
    return names if len(names) > 1 else [None]


def digests(neuroc, root, outdir, threads="1", launch=(), target=None):
    lines = []
    for rel in sorted(models(root)):
        for net in networks(os.path.join(root, rel)):
            label = rel + (":" + net if net else "")
            out = os.path.join(outdir, label.replace("/", "_").replace(":", "_"))
            cmd = list(launch) + [neuroc, "run", "--threads", threads,
                                  "--duration", "200ms", "-o", out]
            if net:
                cmd += ["--network", net]
            if target:
                cmd += ["--target", target]
            run = subprocess.run(cmd + [rel], cwd=root, capture_output=True,
                                 text=True)
            if run.returncode != 0:
                lines.append(f"{label} FAILED {run.stderr.strip()[:200]}")
                continue
            for name in sorted(os.listdir(out)):
                if name.endswith(".npy"):
                    with open(os.path.join(out, name), "rb") as f:
                        digest = hashlib.sha256(f.read()).hexdigest()[:16]
                    lines.append(f"{label} {name} {digest}")
    return lines


def main():
    neuroc, root, outdir, mode, listing = sys.argv[1:6]
    extra = dict(zip(sys.argv[6::2], sys.argv[7::2]))
    lines = digests(neuroc, root, outdir, extra.get("--threads", "1"),
                    extra.get("--launch", "").split(), extra.get("--target"))
    if mode == "--write":
        with open(listing, "w") as f:
            f.write("\n".join(lines) + "\n")
        return 0
    want = {}
    for line in open(listing):
        parts = line.split()
        if len(parts) == 3:
            want[(parts[0], parts[1])] = parts[2]
    have = {}
    bad = 0
    for line in lines:
        parts = line.split(" ", 2)
        if parts[1] == "FAILED":
            print(f"{parts[0]}: the run failed: {parts[2]}")
            bad += 1
            continue
        have[(parts[0], parts[1])] = parts[2]
    for key in sorted(set(want) | set(have)):
        if key not in have:
            print(f"{key[0]}: {key[1]} is no longer written")
        elif key not in want:
            print(f"{key[0]}: {key[1]} is new")
        elif have[key] != want[key]:
            print(f"{key[0]}: {key[1]} differs ({have[key]}, was {want[key]})")
        else:
            continue
        bad += 1
    print(f"{len(have)} recordings, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
