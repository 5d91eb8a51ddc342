#!/usr/bin/env python3
"""Every truncation of every .neuro file checks without crashing or hanging.

For each file, `neuroc check` runs on the file cut at evenly spaced byte
offsets (and whole). Each run must exit 0 or 1 (1 with a diagnostic), never
crash or print an internal error, and finish within --limit seconds (a
hang guard, not a timing target: the slowest run is printed; compile-time
targets live in bench/).

usage: truncate.py NEUROC FILE... [--cuts N] [--limit S]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("neuroc")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--cuts", type=int, default=12)
    ap.add_argument("--limit", type=float, default=10.0)
    args = ap.parse_args()
    failed = runs = 0
    slowest = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.files:
            data = open(path, "rb").read()
            cuts = sorted({len(data) * k // args.cuts for k in range(args.cuts + 1)})
            for cut in cuts:
                name = os.path.join(tmp, os.path.basename(path))
                with open(name, "wb") as f:
                    f.write(data[:cut])
                env = dict(os.environ, NEURO_PATH=os.path.dirname(path))
                start = time.monotonic()
                try:
                    p = subprocess.run([args.neuroc, "check", name],
                                       capture_output=True, timeout=args.limit,
                                       env=env)
                except subprocess.TimeoutExpired:
                    print(f"{path} cut at {cut}: timeout")
                    failed += 1
                    continue
                took = time.monotonic() - start
                slowest = max(slowest, took)
                runs += 1
                err = p.stderr.decode("utf-8", "replace")
                bad = (p.returncode not in (0, 1) or "internal" in err or
                       "Assertion" in err or
                       (p.returncode == 1 and "error" not in err))
                if bad:
                    failed += 1
                    print(f"{path} cut at {cut}: exit {p.returncode}, "
                          f"{took:.2f} s\n{err[-2000:]}")
    print(f"{runs} runs, slowest {slowest:.2f} s")
    print(f"{runs - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
