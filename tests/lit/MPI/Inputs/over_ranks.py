"""Runs a model with `neuroc run` alone, then under mpirun on 1 to 4
processes with 1 and 2 threads each, and compares every recording of each
run with those of the run alone, byte for byte (same_recordings.py).

    over_ranks.py MPIRUN NEUROC OUTDIR MODEL [neuroc run options...]
                  [-- options of the runs under mpirun only]

MPIRUN is the launcher with its options, as one argument. The numbers of
processes and threads tried are 1-4 and 1-2, or those OVER_RANKS_NP and
OVER_RANKS_THREADS list (comma-separated). Options after
`--` (such as --target=cuda-emulated) go to the runs under mpirun, not to
the run alone they are compared with. Prints one line
per run, "np K threads T: same: N files (...)", or what differs; exits 1
when a run fails or differs.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return done.returncode == 0


def main():
    mpirun, neuroc, outdir, model = sys.argv[1:5]
    options = sys.argv[5:]
    ranked = []
    if "--" in options:
        at = options.index("--")
        options, ranked = options[:at], options[at + 1:]
    alone = os.path.join(outdir, "alone")
    if not run([neuroc, "run", "--threads", "1", "-o", alone, model] + options):
        return 1
    bad = 0
    def listed(name, default):
        value = os.environ.get(name)
        return [int(v) for v in value.split(",")] if value else default

    for threads in listed("OVER_RANKS_THREADS", [1, 2]):
        for ranks in listed("OVER_RANKS_NP", [1, 2, 3, 4]):
            out = os.path.join(outdir, f"np{ranks}_t{threads}")
            cmd = mpirun.split() + ["-np", str(ranks), neuroc, "run",
                                    "--threads", str(threads), "-o", out,
                                    model] + options + ranked
            if not run(cmd):
                bad += 1
                continue
            same = subprocess.run(
                [sys.executable, os.path.join(HERE, "same_recordings.py"),
                 alone, out], capture_output=True, text=True)
            print(f"np {ranks} threads {threads}: {same.stdout.strip()}")
            bad += same.returncode != 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
