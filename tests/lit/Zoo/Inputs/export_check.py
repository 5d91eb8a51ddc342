"""examples/zoo/export: trains network Learn in a copy of the example,
exports its weights with export_weights.py, runs Replay on them, and
compares the spikes of the test phase (11-13 s).

usage: export_check.py EXAMPLE_DIR WORK_DIR"""
import os
import shutil
import subprocess
import sys

import numpy as np

example, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
for name in ["export.neuro", "inputs.csv", "trained.csv", "export_weights.py"]:
    shutil.copy(os.path.join(example, name), work)
model = os.path.join(work, "export.neuro")
run = lambda net, out: subprocess.run(
    ["neuroc", "run", "--network", net, "-o", os.path.join(work, out), model],
    check=True, stdout=subprocess.DEVNULL)
run("Learn", "learn")
subprocess.run([sys.executable, os.path.join(work, "export_weights.py"),
                os.path.join(work, "learn"), os.path.join(work, "trained.csv")],
               check=True)
run("Replay", "replay")
w = np.load(os.path.join(work, "learn", "S_w.npy"))
t = np.load(os.path.join(work, "learn", "S_t.npy"))
trained = w[int(np.argmin(np.abs(t - 11.0)))].reshape(20, 10)
print(f"mean weight of correlated inputs {1e3 * trained[:10].mean():.2f} mV, "
      f"of the others {1e3 * trained[10:].mean():.2f} mV")
a = np.load(os.path.join(work, "learn", "spikes_N.npy"))
b = np.load(os.path.join(work, "replay", "spikes_N.npy"))
a, b = a[a["t"] >= 11.0], b[b["t"] >= 11.0]
same = len(a) > 100 and np.array_equal(a["i"], b["i"]) and np.array_equal(a["t"], b["t"])
print(f"test spikes: trained network {len(a)}, reloaded {len(b)}")
print("identical behaviour after export" if same else "behaviour differs")
