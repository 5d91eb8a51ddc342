"""Same seed: identical results; a different seed: a different network."""
import json
import sys

first, same, other = (json.load(open(p)) for p in sys.argv[1:4])
for key in ("synapses", "spikes"):
    assert first[key] == same[key], (key, first[key], same[key])
assert first["populations"] == same["populations"]
assert other["synapses"] != first["synapses"] or other["spikes"] != first["spikes"]
assert 4.0 <= other["rate_hz"] <= 8.0, other["rate_hz"]
print("ok")
