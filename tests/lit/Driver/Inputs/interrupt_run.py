"""Starts `NEUROC run -o OUT MODEL` (argv[1:5]: NEUROC, INT or TERM, OUT,
MODEL; argv[5], when given, a --checkpoint file), sends the signal once it
has recorded for a while, and checks what it left: with a checkpoint, a
restored run goes on from the time the signal stopped it. With `--launch
CMD` first, the run goes through CMD (mpirun and its options), which gets
the signal; its exit status is then said as nonzero or 0."""
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import numpy as np

args = sys.argv[1:]
launch = []
if args[0] == "--launch":
    launch, args = shlex.split(args[1]), args[2:]
neuroc, sig, out, model = args[:4]
checkpoint = args[4:]
proc = subprocess.Popen(launch + [neuroc, "run", "-o", out, model] +
                        (["--checkpoint", checkpoint[0]] if checkpoint else []),
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        text=True)
# Running once the streamed files exist; a little later, stopped.
deadline = time.time() + 60
while not os.path.exists(f"{out}/E_t.npy") and time.time() < deadline:
    time.sleep(0.05)
time.sleep(0.5)
proc.send_signal(getattr(signal, "SIG" + sig))
_, err = proc.communicate(timeout=60)
print(f"exit {proc.returncode}" if not launch else
      "exit " + ("nonzero" if proc.returncode else "0"))
# OpenMPI's event library may warn while mpirun tears the processes down
# ("[warn] Epoll MOD(1) on fd 23 failed"): not the run's words.
print("\n".join(line for line in err.strip().splitlines()
                if not line.startswith("[warn] Epoll ")))
t = np.load(f"{out}/E_t.npy")
v = np.load(f"{out}/E_v.npy")
match = re.search(r"at t = ([0-9.]+) s", err)
if match:
    steps = round(float(match.group(1)) / 1e-4)
    every = 1 if len(t) < 2 else round((t[1] - t[0]) / 1e-4)
    print("samples equal the steps run, values row for row: "
          f"{len(t) == -(-steps // every) and v.shape[0] == len(t)}")
    if checkpoint:
        again = subprocess.run([neuroc, "run", "--duration", "1ms",
                                "--restore", checkpoint[0], "-o",
                                out + "-restored", model],
                               capture_output=True, text=True)
        start = re.search(r"from t = ([0-9.e+-]+) s", again.stdout)
        stopped = float(match.group(1))
        print("restored from the stopping time: " + str(
            start is not None and
            abs(float(start.group(1)) - stopped) <= 1e-5 * stopped))
