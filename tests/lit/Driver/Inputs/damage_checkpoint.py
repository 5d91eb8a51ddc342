"""Damages a checkpoint and restores each damaged copy with neuroc:
flips single bits spread over the file, then sets the length of a spike
list to 2^30 (4 GiB of indices) with the checksum recomputed, so that only
the bound on lengths stands between the file and the allocation, and the
step past any run the same way. Prints
what became of each kind of damage and the largest memory a restore
took."""
import resource
import struct
import subprocess
import sys

neuroc, model, checkpoint, work = sys.argv[1:5]
data = open(checkpoint, "rb").read()

M = (1 << 64) - 1
P1, P2, P3 = 11400714785074694791, 14029467366897019727, 1609587929392839161
P4, P5 = 9650029242287828579, 2870177450012600261


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def rnd(acc, v):
    return rotl((acc + v * P2) & M, 31) * P1 & M


def xxh64(b):
    """XXH64 with seed 0, as the runtime computes it."""
    n, p = len(b), 0
    u64 = lambda i: int.from_bytes(b[i:i + 8], "little")
    if n >= 32:
        v = [(P1 + P2) & M, P2, 0, (-P1) & M]
        while p + 32 <= n:
            v = [rnd(v[k], u64(p + 8 * k)) for k in range(4)]
            p += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
        for k in range(4):
            h = ((h ^ rnd(0, v[k])) * P1 + P4) & M
    else:
        h = P5
    h = (h + n) & M
    while p + 8 <= n:
        h = (rotl(h ^ rnd(0, u64(p)), 27) * P1 + P4) & M
        p += 8
    if p + 4 <= n:
        h = (rotl(h ^ (int.from_bytes(b[p:p + 4], "little") * P1 & M), 23) * P2 + P3) & M
        p += 4
    while p < n:
        h = rotl(h ^ (b[p] * P5 & M), 11) * P1 & M
        p += 1
    h ^= h >> 33
    h = h * P2 & M
    h ^= h >> 29
    h = h * P3 & M
    return h ^ (h >> 32)


assert xxh64(data[:-8]) == int.from_bytes(data[-8:], "little"), "checksum"


def restore(damaged):
    path = f"{work}/damaged.ckp"
    open(path, "wb").write(damaged)
    r = subprocess.run([neuroc, "run", "--duration", "1ms", "--restore", path,
                        "-o", f"{work}/out", model], capture_output=True,
                        text=True)
    return r.returncode, r.stderr.strip().splitlines()[-1:] or [""]


outcomes = {}
flips = 60
for k in range(flips):
    at = k * len(data) // flips
    damaged = bytearray(data)
    damaged[at] ^= 1 << (k % 8)
    rc, last = restore(bytes(damaged))
    # Flips in the magic or version say so; the others fail the checksum.
    refused = rc == 1 and any(why in last[0] for why in (
        "truncated or damaged", "not a Neuro checkpoint", "format version"))
    key = "refused" if refused else f"rc {rc}: {last[0]}"
    outcomes[key] = outcomes.get(key, 0) + 1
for key, count in sorted(outcomes.items()):
    print(f"bit flips: {count} of {flips} {key}")

# The first spike list's length, past the fingerprint, the layout, step,
# time asked for, events, the first population's state, its spike count
# and the number of lists.
u64 = lambda i: int.from_bytes(data[i:i + 8], "little")
at = 16
at += 8 + u64(at)
at += 8 + u64(at)
at += 24
at += 8 + 8 * u64(at)
at += 8
assert u64(at) >= 1, "the population keeps spike lists"
at += 8
huge = bytearray(data[:-8])
huge[at:at + 8] = (1 << 30).to_bytes(8, "little")
huge += xxh64(bytes(huge)).to_bytes(8, "little")
rc, last = restore(bytes(huge))
print(f"length 2^30: rc {rc}: {last[0]}")

# The step, right after the fingerprint and the layout, set past any run
# (10^12 steps).
at = 16
at += 8 + u64(at)
at += 8 + u64(at)
late = bytearray(data[:-8])
late[at:at + 8] = (1 << 50).to_bytes(8, "little")
late += xxh64(bytes(late)).to_bytes(8, "little")
rc, last = restore(bytes(late))
print(f"step 2^50: rc {rc}: {last[0]}")

# The time asked for, after the step, made NaN or a second away from it.
for name, value in (("NaN", b"\x00" * 6 + b"\xf8\x7f"),
                    ("1 s later", None)):
    later = bytearray(data[:-8])
    if value is None:
        value = struct.pack("<d", struct.unpack("<d", data[at + 8:at + 16])[0] + 1)
    later[at + 8:at + 16] = value
    later += xxh64(bytes(later)).to_bytes(8, "little")
    rc, last = restore(bytes(later))
    print(f"time asked {name}: rc {rc}: {last[0]}")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print("peak under 1 GB" if peak < 1024 else f"peak {peak} MB")
