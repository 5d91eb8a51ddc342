"""Checks `neuroc run --json` output of CUBA and the spike files it wrote."""
import json
import os
import sys

import numpy as np

summary = json.load(open(sys.argv[1]))
out_dir = sys.argv[2]
for key in ("neurons", "synapses", "spikes", "rate_hz", "t_compile_s",
            "t_build_s", "t_sim_s", "populations"):
    assert key in summary, f"missing key {key}"
assert summary["neurons"] == 4000, summary["neurons"]
# Fixed probability 0.02 over 4000 x 4000 pairs: mean 320000, sd ~ 560.
assert abs(summary["synapses"] - 320000) < 5 * 560, summary["synapses"]
assert 4.0 <= summary["rate_hz"] <= 8.0, summary["rate_hz"]
pops = summary["populations"]
assert pops["E"]["neurons"] == 3200 and pops["I"]["neurons"] == 800
assert pops["E"]["spikes"] + pops["I"]["spikes"] == summary["spikes"]
for name, size in (("E", 3200), ("I", 800)):
    d = np.load(os.path.join(out_dir, f"spikes_{name}.npy"))
    assert d.dtype.names == ("i", "t"), d.dtype
    assert len(d) == pops[name]["spikes"], (len(d), pops[name])
    assert d["i"].min() >= 0 and d["i"].max() < size
    # Times are multiples of dt in (0, 1 s], in order.
    steps = d["t"] / 1e-4
    assert np.allclose(steps, np.round(steps), atol=1e-6)
    assert d["t"].min() > 0 and d["t"].max() <= 1.0 + 1e-12
    assert np.all(np.diff(d["t"]) >= 0)
    rate = len(d) / size / 1.0
    assert 4.0 <= rate <= 8.0, (name, rate)
print("ok")
