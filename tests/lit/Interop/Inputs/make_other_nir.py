"""Writes a graph of the node types the paper's graphs lack (argv[1]):
Input -> Linear -> LI -> Scale -> Threshold -> Affine -> IF, Input ->
Linear -> I -> Linear -> CubaLI -> Affine -> LIF -> Output, and, with
argv[2] = "delay", a Delay between Threshold and its Affine."""
import sys

import h5py
import numpy as np

f32 = np.float32
rng = np.random.default_rng(3)
nodes = {
    "input": {"type": "Input", "shape": np.array([3])},
    "a": {"type": "Linear", "weight": rng.normal(size=(4, 3)).astype(f32)},
    "li": {"type": "LI", "tau": np.full(4, 2e-4, f32), "r": np.full(4, 8, f32),
           "v_leak": np.zeros(4, f32)},
    "scale": {"type": "Scale", "scale": np.array([1, -1, 2, 0.5], f32)},
    "thr": {"type": "Threshold", "threshold": np.full(4, 0.5, f32)},
    "b": {"type": "Affine", "weight": 4 * rng.random((2, 4)).astype(f32),
          "bias": np.array([0.1, 0.2], f32)},
    "if": {"type": "IF", "r": np.ones(2, f32), "v_threshold": np.ones(2, f32)},
    "c": {"type": "Linear", "weight": rng.normal(size=(2, 3)).astype(f32)},
    "int": {"type": "I", "r": np.full(2, 500, f32)},
    "d": {"type": "Linear", "weight": rng.normal(size=(3, 2)).astype(f32)},
    "culi": {"type": "CubaLI", "tau_syn": np.full(3, 3e-4, f32),
             "tau_mem": np.full(3, 5e-4, f32), "r": np.full(3, 4, f32),
             "v_leak": np.zeros(3, f32), "w_in": np.ones(3, f32)},
    "e": {"type": "Affine", "weight": rng.normal(size=(2, 3)).astype(f32),
          "bias": np.zeros(2, f32)},
    "lif": {"type": "LIF", "tau": np.full(2, 1e-3, f32), "r": np.full(2, 3, f32),
            "v_leak": np.zeros(2, f32), "v_threshold": np.full(2, 0.3, f32)},
    "output": {"type": "Output", "shape": np.array([2])},
}
edges = [("input", "a"), ("a", "li"), ("li", "scale"), ("scale", "thr"),
         ("thr", "b"), ("b", "if"), ("input", "c"), ("c", "int"),
         ("int", "d"), ("d", "culi"), ("culi", "e"), ("e", "lif"),
         ("lif", "output"), ("if", "lif")]
if len(sys.argv) > 2:
    nodes["delay"] = {"type": "Delay", "delay": np.full(4, 3e-4, f32)}
    edges[4] = ("thr", "delay")
    edges.append(("delay", "b"))
with h5py.File(sys.argv[1], "w") as f:
    f["version"] = "0.2.0"
    g = f.create_group("node")
    g["type"] = "NIRGraph"
    for name, params in nodes.items():
        for k, v in params.items():
            g["nodes/%s/%s" % (name, k)] = v
    g["edges"] = np.array(edges, dtype="S16")
