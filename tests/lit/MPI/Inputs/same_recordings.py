"""Compares the recordings of runs: every file of the first directory
(spikes_*.npy, states, synapse variables and their ends, recordings.json)
must exist in each other directory with the same bytes.

    same_recordings.py DIR_A DIR_B [DIR_C ...]

Prints "same: N files (names)" or what differs, and exits 1 then.
"""
import os
import sys


def files(d):
    return sorted(f for f in os.listdir(d)
                  if f.endswith((".npy", ".json", ".h5")) and not f.startswith("."))


def main():
    first, others = sys.argv[1], sys.argv[2:]
    names = files(first)
    if not names:
        print(f"no recordings in {first}")
        return 1
    bad = 0
    for other in others:
        if files(other) != names:
            print(f"{other}: files {files(other)} != {names}")
            bad += 1
            continue
        for n in names:
            with open(os.path.join(first, n), "rb") as a, \
                    open(os.path.join(other, n), "rb") as b:
                if a.read() != b.read():
                    print(f"{other}/{n} differs from {first}/{n}")
                    bad += 1
    if bad:
        return 1
    print(f"same: {len(names)} files ({' '.join(names)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
