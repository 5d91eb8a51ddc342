"""The files of a run killed midway: every one loads; the sample times are
a prefix of the step grid and the recorded values have at least as many
samples (times are flushed last); spikes are ordered and not later than
the last flushed step; recordings.json describes the files."""
import json
import sys

import numpy as np

out = sys.argv[1]
meta = json.load(open(f"{out}/recordings.json"))
t = np.load(f"{out}/E_t.npy")
v = np.load(f"{out}/E_v.npy")
spikes = [np.load(f"{out}/spikes_{p}.npy") for p in "EI"]
dt = meta["dt_s"]
print(f"samples {len(t)} values {v.shape} spikes {sum(len(s) for s in spikes)}")
every = meta["files"]["E_t.npy"]["every_steps"]
ok = len(t) > 100 and v.shape[0] >= len(t) and v.shape[1] == 20
ok &= bool(np.all(np.abs(t - np.arange(len(t)) * every * dt) < 1e-9))
ok &= len(t) * dt < 1000.0  # it was stopped before the end
for s in spikes:
    ok &= len(s) > 0 and bool(np.all(np.diff(s["t"]) >= 0))
ok &= meta["files"]["E_v.npy"]["unit"] == "V"
ok &= meta["files"]["E_v.npy"]["neurons"] == [0, 20]
print("readable" if ok else "BROKEN")
