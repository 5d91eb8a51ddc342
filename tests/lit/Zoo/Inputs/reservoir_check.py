"""examples/zoo/reservoir: the readout's first spike after each cue. Over
the last 10 trials before the switch (target 80 ms) and the last 10 of the
run (target 150 ms) it must fire in at least 9 trials, within 10 ms of the
target on average.

usage: reservoir_check.py OUTDIR"""
import sys

import numpy as np

spikes = np.load(f"{sys.argv[1]}/spikes_Out.npy")["t"]
period = 0.4


def latency(trial):
    start = 0.01 + trial * period
    s = spikes[(spikes > start) & (spikes < start + period)]
    return (s[0] - start) * 1e3 if len(s) else None


good = True
for name, trials, target in [("before the switch", range(50, 60), 80.0),
                             ("after the switch", range(110, 120), 150.0)]:
    got = [latency(k) for k in trials]
    fired = [x for x in got if x is not None]
    mean = float(np.mean(fired)) if fired else float("nan")
    ok = len(fired) >= 9 and abs(mean - target) <= 10.0
    good &= ok
    print(f"{name}: fired in {len(fired)}/10 trials, mean latency "
          f"{mean:.1f} ms, target {target:.0f} ms")
first = [latency(k) for k in range(0, 5)]
print(f"first trials: {sum(x is not None for x in first)}/5 fired")
print("the readout learns the target delay and relearns it" if good
      else "the readout does not learn the target delay")
