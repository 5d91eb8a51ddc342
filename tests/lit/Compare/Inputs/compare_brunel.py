"""Compares a Brunel (2000) run of Neuro (its output folder) with Brian2's
(bench/brunel_brian2.py's .npz) on the statistics of examples/classic/
brunel_stats.py over [T0, T1), with the bounds of the state:

  AI: rates within 12% (network realizations alone differ by about 4%),
      CV within 0.05, Fano factor of the population count within 35%;
  SR: rates within 5%, CV below 0.05 in both (regular firing), the
      spectral peak at the same frequency within 10% and holding more than
      30% of the power above 10 Hz in both.

usage: compare_brunel.py AI|SR NEURO_DIR BRIAN2.npz T0 T1
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "examples", "classic"))
from brunel_stats import stats  # noqa: E402

state, neuro_dir, brian_npz = sys.argv[1:4]
t0, t1 = float(sys.argv[4]), float(sys.argv[5])
d = np.load(os.path.join(neuro_dir, "spikes_E.npy"))
# Neuro stamps a spike at the end of its step, Brian2 at the start.
ours = stats(d["i"], d["t"] - 1e-4, 10000, t0, t1)
b = np.load(brian_npz)
theirs = stats(b["i"], b["t"], 10000, t0, t1)


def close(a, b, rel):
    return abs(a - b) <= rel * abs(b)


checks = {
    "AI": [("rate", close(ours["rate_hz"], theirs["rate_hz"], 0.12)),
           ("CV", abs(ours["cv"] - theirs["cv"]) <= 0.05),
           ("Fano", close(ours["fano"], theirs["fano"], 0.35))],
    "SR": [("rate", close(ours["rate_hz"], theirs["rate_hz"], 0.05)),
           ("CV", ours["cv"] < 0.05 and theirs["cv"] < 0.05),
           ("peak", close(ours["peak_hz"], theirs["peak_hz"], 0.10)),
           ("share", ours["peak_share"] > 0.3 and theirs["peak_share"] > 0.3)],
}[state]
for name, s in (("neuro", ours), ("brian2", theirs)):
    print(f"{state} {name}: rate {s['rate_hz']:.1f} Hz, CV {s['cv']:.3f}, "
          f"peak {s['peak_hz']:.1f} Hz ({s['peak_share']:.2f}), "
          f"Fano {s['fano']:.1f}")
failed = [name for name, ok in checks if not ok]
print(f"{state}: " + ("matches Brian2" if not failed else
                      "DIFFERS in " + ", ".join(failed)))
