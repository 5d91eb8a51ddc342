"""Checks the weights of tests/lit/Driver/Inputs/synapse-counts.neuro
against the synapse counts of the recorded pre/post indices, and the
spikes its delays give."""
import collections
import sys

import numpy as np

out = sys.argv[1]


def load(name):
    pre = np.load(f"{out}/{name}_pre.npy")
    post = np.load(f"{out}/{name}_post.npy")
    w = np.load(f"{out}/{name}_w.npy")[0]
    return pre, post, w, collections.Counter(post.tolist()), collections.Counter(
        pre.tolist())


def check(name, expected, what):
    pre, post, w, nin, nout = load(name)
    want = np.array([expected(nin[b], nout[a]) for a, b in zip(pre, post)])
    err = np.max(np.abs(w - want) / np.abs(want))
    print(f"{name}: {what}: {'ok' if err < 1e-12 else 'WRONG'} "
          f"(in {min(nin.values())}-{max(nin.values())}, "
          f"out {min(nout.values())}-{max(nout.values())})")


check("A", lambda i, o: 1e-3 / i, "w = 1 mV / N_incoming")
check("B", lambda i, o: 1e-3 / o, "w = 1 mV / N_outgoing")
check("C", lambda i, o: 1e-3 * (i + o / 1000), "w = N_incoming + N_outgoing")
check("D", lambda i, o: 30e-3 / i, "w = 30 mV / N_incoming")
s = np.load(f"{out}/spikes_Q.npy")
print("Q spikes:", ", ".join(f"{i} at {t * 1e3:.1f} ms" for i, t in zip(s["i"], s["t"])))
