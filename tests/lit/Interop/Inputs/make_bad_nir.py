"""Writes malformed NIR files into the folder argv[1] (h5py, as the NIR
library writes them): a graph Input -> Affine -> LIF -> Output, broken in
one way per file."""
import os
import sys

import h5py
import numpy as np


def graph(path, change=None):
    nodes = {
        "input": {"type": "Input", "shape": np.array([2])},
        "fc": {"type": "Affine", "weight": np.ones((3, 2), np.float32),
               "bias": np.zeros(3, np.float32)},
        "lif": {"type": "LIF", "tau": np.full(3, 0.01, np.float32),
                "r": np.ones(3, np.float32), "v_leak": np.zeros(3, np.float32),
                "v_threshold": np.ones(3, np.float32)},
        "output": {"type": "Output", "shape": np.array([3])},
    }
    edges = [("input", "fc"), ("fc", "lif"), ("lif", "output")]
    if change:
        change(nodes, edges)
    with h5py.File(path, "w") as f:
        f["version"] = "0.2.0"
        g = f.create_group("node")
        g["type"] = "NIRGraph"
        for name, params in nodes.items():
            ng = g.create_group("nodes/" + name)
            for k, v in params.items():
                ng[k] = v
        g["edges"] = np.array(edges, dtype="S32")


out = sys.argv[1]
graph(os.path.join(out, "good.nir"))
graph(os.path.join(out, "unknown.nir"),
      lambda n, e: n["fc"].update(type="Dense"))
graph(os.path.join(out, "missing.nir"), lambda n, e: n["lif"].pop("tau"))
graph(os.path.join(out, "shapes.nir"),
      lambda n, e: n["fc"].update(weight=np.ones((3, 5), np.float32)))
graph(os.path.join(out, "neuron-shapes.nir"),
      lambda n, e: n["lif"].update(r=np.ones(4, np.float32)))
graph(os.path.join(out, "edge.nir"), lambda n, e: e.append(("lif", "nowhere")))
graph(os.path.join(out, "negative-tau.nir"),
      lambda n, e: n["lif"].update(tau=np.full(3, -1, np.float32)))
graph(os.path.join(out, "nan-r.nir"),
      lambda n, e: n["lif"].update(r=np.array([1, np.nan, 1], np.float32)))
graph(os.path.join(out, "inf-weight.nir"),
      lambda n, e: n["fc"]["weight"].__setitem__((0, 0), np.inf))
# Not malformed: an Output fed by the Input itself (records the input).
graph(os.path.join(out, "input-output.nir"),
      lambda n, e: (n.update(seen={"type": "Output", "shape": np.array([2])}),
                    e.append(("input", "seen"))))


def long_delay(nodes, edges):
    nodes["delay"] = {"type": "Delay", "delay": np.full(2, 1e6)}
    edges[0] = ("input", "delay")
    edges.append(("delay", "fc"))


graph(os.path.join(out, "long-delay.nir"), long_delay)
# A shape whose product wraps around 2^64 (2^21+1 * 2^42+1 * 2 = 2 mod 2^64).
graph(os.path.join(out, "wrap.nir"),
      lambda n, e: n["input"].update(
          shape=np.array([2097153, 4398044413953, 2])))
with h5py.File(os.path.join(out, "nonode.nir"), "w") as f:
    f["version"] = "0.2.0"
