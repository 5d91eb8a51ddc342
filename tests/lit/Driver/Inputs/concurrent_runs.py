"""Two runs writing one output directory: the first runs long; once it
holds the directory's lock, a second run of another model into the same
directory must fail at once. The first is then stopped. Prints the second
run's exit status and error, and whether the first was still running."""
import os
import subprocess
import sys
import time

neuroc, long_model, short_model, out = sys.argv[1:5]
first = subprocess.Popen([neuroc, "run", "--duration", "100000s", "-o", out,
                          long_model], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 120
    # Its first recording exists once it holds the lock (probing the lock
    # could take it from under the first run).
    while not os.path.exists(os.path.join(out, "spikes_E.npy")):
        if first.poll() is not None or time.time() > deadline:
            sys.exit("the first run did not start recording")
        time.sleep(0.05)
    second = subprocess.run([neuroc, "run", "-o", out, short_model],
                            capture_output=True, text=True)
    print(f"second: rc {second.returncode}: {second.stderr.strip()}")
    print(f"first still running: {first.poll() is None}")
finally:
    first.kill()
    first.wait()
