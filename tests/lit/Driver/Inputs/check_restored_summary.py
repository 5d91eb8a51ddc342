"""Checks that the summary of a restored run (third file) reports the full
run's spikes and events (first file) minus the first half's (second file),
with rates over its own duration. Prints one line for FileCheck."""
import json
import sys

full, first, second = (json.load(open(p)) for p in sys.argv[1:4])
for pop in ("E", "I"):
    want = full["populations"][pop]["spikes"] - first["populations"][pop]["spikes"]
    got = second["populations"][pop]["spikes"]
    assert got == want, (pop, got, want)
    rate = got / (second["populations"][pop]["neurons"] * 0.2)
    assert abs(second["populations"][pop]["rate_hz"] - rate) < 1e-3 * rate, (
        pop, second["populations"][pop]["rate_hz"], rate)
assert second["spikes"] == full["spikes"] - first["spikes"]
events = full["synaptic_events"] - first["synaptic_events"]
assert second["synaptic_events"] == events, (second["synaptic_events"], events)
assert second["t_start_s"] == 0.2 and first["t_start_s"] == 0
e = second["populations"]["E"]
print(f"second half: E {e['spikes']} spikes at {e['rate_hz']:.3f} Hz, "
      f"I {second['populations']['I']['spikes']} spikes, events {events}: "
      "the full run minus the first half")
