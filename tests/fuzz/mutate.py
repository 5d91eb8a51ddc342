#!/usr/bin/env python3
"""Mutation fuzzing of neuroc: malformed input must give a diagnostic, never
a crash, a hang or an internal error.

Each mutant of the seed files (characters or tokens deleted, duplicated,
swapped or replaced by others from the corpus) is run through `neuroc
<command>`; the exit status must be 0 or 1 and an error exit must print a
`file:line:col: error:` diagnostic (or a `neuroc: error:`).

usage: mutate.py NEUROC SEED_FILE... [--count N] [--seed S]
                 [--command check|emit-lowered|emit-ptx|run|run-gpu]

emit-ptx compiles for the GPU (PTX for sm_90); run-gpu runs on the
emulated GPU backend (--target=cuda-emulated).
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

TOKENS = ["{", "}", "(", ")", "=", "+=", "-", "*", "/", "^", ",", ";", "->",
          "mV", "ms", "1e400", "0", "-0", "1e-400", "nan", "neuron", "synapse",
          "network", "param", "state", "input", "weight", "post", "on", "pre",
          "drives", "spike", "when", "refractory", "unless", "connect", "with",
          "of", "record", "spikes", "run", "dv/dt", "uniform(", "exp(", "v",
          "I", "g", "w", "\u00b5", "\x00", "\"", "import", "and", "not", "dt",
          "let", "if", "then", "else", "one_to_one", "no_autapses", "in_degree = 3", "every 1 ms", "[0:2]", "SpikeTimes(indices = [0], times = [1 ms])", "[", "@method(rk4)", "@method(", "@", "rand()", "t", "post v: mV",
          "normal(", "exprel(", "^3", "^-2", "^0.5", "v_post", "1e-30 ms",
          "function f(x: mV) = x", "f(", "pre v: mV", "modulator d: 1",
          "A.v", "where i != j", "from \"x.csv\"", "timed([1 Hz], 1 ms)",
          "excitatory", "plasticity off", "lognormal(", "x_pre", "i", "j",
          "N", "lastspike", "lastspike_post", "lastspike_pre",
          "same_step = \"all\"", "not_refractory_post", "timestep(t, dt)", "period = 5 ms", "n = 2",
          "N_incoming", "N_outgoing", "//", "@method(linear)", "refractory 0 ms",
          "procedural"]


def mutate(text, rng):
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        pos = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            del chars[pos:pos + rng.randint(1, 8)]
        elif op == 1:
            chars[pos:pos] = list(rng.choice(TOKENS) + rng.choice([" ", ""]))
        elif op == 2 and chars:
            end = min(len(chars), pos + rng.randint(1, 40))
            chars[pos:pos] = chars[pos:end]
        elif op == 3 and chars:
            i, j = rng.randrange(len(chars)), rng.randrange(len(chars))
            chars[i], chars[j] = chars[j], chars[i]
        elif chars:
            m = re.search(r"-?\d+(\.\d+)?", "".join(chars[pos:]))
            if m:
                s = pos + m.start()
                chars[s:pos + m.end()] = list(rng.choice(
                    ["0", "1e308", "-1e308", "1e-320", "3.5", "-2", "99999999999"]))
    return "".join(chars)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("neuroc")
    ap.add_argument("seeds", nargs="+")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--command", default="check")
    ap.add_argument("--timeout", type=float, default=20)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = [open(p, encoding="utf-8").read() for p in args.seeds]
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mutant.neuro")
        for n in range(args.count):
            text = mutate(rng.choice(texts), rng)
            with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
                f.write(text)
            if args.command == "check":
                cmd = [args.neuroc, "check", path]
            elif args.command == "emit-lowered":
                cmd = [args.neuroc, "emit", "--stage=lowered", path]
            elif args.command == "emit-ptx":
                cmd = [args.neuroc, "emit", "--stage=ptx", "--chip", "sm_90",
                       path]
            elif args.command == "run-gpu":
                cmd = [args.neuroc, "run", "--target=cuda-emulated",
                       "--duration", "20ms", "-o", os.path.join(d, "out"),
                       path]
            else:
                cmd = [args.neuroc, "run", "-o", os.path.join(d, "out"), path]
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"mutant {n}: timeout\n{text}")
                failures += 1
                continue
            err = p.stderr.decode(errors="replace")
            ok = p.returncode in (0, 1)
            if p.returncode == 1 and not re.search(
                    r"(:\d+:\d+: error: |neuroc: error: |: error: )", err):
                ok = False
            if "internal" in err or "Assertion" in err or "LLVM ERROR" in err:
                ok = False
            if not ok:
                failures += 1
                print(f"mutant {n}: exit {p.returncode}\n--- input\n{text}\n"
                      f"--- stderr\n{err[-2000:]}")
    print(f"{args.count - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
