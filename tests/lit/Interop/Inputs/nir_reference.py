"""A reference simulation of NIR graphs in numpy, written from the NIR
specification's equations and the discretisation docs/interop.md states:

- every step of length dt first integrates each neuron node exactly over the
  step, with its continuous input (weighted values of Input and LI/I/CubaLI
  nodes, and biases) held at its value at the start of the step;
- a neuron spikes when v > v_threshold after that integration;
- each spike of the step (and each input spike given for it) is a Dirac
  delta: it adds gain * (weighted spike) to the state it enters (v for LIF,
  IF, LI, I: gain r/tau or r; the synaptic current for CubaLIF and CubaLI:
  gain w_in/tau_syn);
- then spiking neurons reset (to v_reset, or v -= v_threshold).

The graph is evaluated node by node (convolutions, pooling, flatten and the
affine maps applied as NIR defines them), not through Neuro's synapse lists.
float32 parameters are taken as the decimal they print as, as neuroc import
reads them.
"""
import h5py
import numpy as np

NEURONS = {"LIF", "IF", "LI", "I", "CubaLIF", "CubaLI", "Threshold"}
SPIKING = {"LIF", "IF", "CubaLIF", "Threshold"}


def _decimal(a):
    a = np.asarray(a)
    if a.dtype == np.float32:
        return a.astype(str).astype(np.float64) if a.ndim else \
            np.float64(str(a))
    return a.astype(np.float64) if a.dtype.kind == "f" else a


def _read(group, prefix, nodes, edges):
    """Flattens a (nested) graph into nodes {name: (type, params)} and edges."""
    ports_in, ports_out = {}, {}
    names = set(group["nodes"].keys())
    for name, g in group["nodes"].items():
        t = g["type"][()].decode()
        if t == "NIRGraph":
            ins, outs = _read(g, prefix + name + ".", nodes, edges)
            ports_in[name], ports_out[name] = ins, outs
            continue
        params = {k: _decimal(v[()]) for k, v in g.items() if k != "type"}
        if prefix and t in ("Input", "Output"):
            (ports_in if t == "Input" else ports_out)[name] = [prefix + name]
            t = "Identity"
        nodes[prefix + name] = (t, params)
    raw = [(a.decode(), b.decode()) for a, b in group["edges"][()]]
    used = {x for e in raw for x in e}
    unknown = used - names
    if unknown:  # the repair neuroc import makes (and warns about)
        (bad,), (good,) = unknown, names - used
        raw = [(good if a == bad else a, good if b == bad else b)
               for a, b in raw]
    for a, b in raw:
        src = ports_out[a][0] if a in ports_out else prefix + a
        dst = ports_in[b][0] if b in ports_in else prefix + b
        edges.append((src, dst))
    return ([prefix + n for n, g in group["nodes"].items()
             if g["type"][()].decode() == "Input"],
            [prefix + n for n, g in group["nodes"].items()
             if g["type"][()].decode() == "Output"])


def conv2d(x, p):
    w, s, pad, d = p["weight"], p["stride"], p["padding"], p["dilation"]
    s, pad, d = (np.broadcast_to(np.asarray(v), (2,)) for v in (s, pad, d))
    c, h, wd = x.shape
    xp = np.zeros((c, h + 2 * pad[0], wd + 2 * pad[1]))
    xp[:, pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = x
    co, ci, kh, kw = w.shape
    ho = (h + 2 * pad[0] - d[0] * (kh - 1) - 1) // s[0] + 1
    wo = (wd + 2 * pad[1] - d[1] * (kw - 1) - 1) // s[1] + 1
    out = np.zeros((co, ho, wo))
    for dy in range(kh):
        for dx in range(kw):
            patch = xp[:, dy * d[0]:dy * d[0] + s[0] * (ho - 1) + 1:s[0],
                       dx * d[1]:dx * d[1] + s[1] * (wo - 1) + 1:s[1]]
            out += np.einsum("oc,chw->ohw", w[:, :, dy, dx], patch)
    return out + np.asarray(p.get("bias", 0.0)).reshape(-1, 1, 1)


def sumpool2d(x, p, avg=False):
    k = np.broadcast_to(np.asarray(p["kernel_size"]), (2,))
    s = np.broadcast_to(np.asarray(p["stride"]), (2,))
    c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.zeros((c, ho, wo))
    for dy in range(k[0]):
        for dx in range(k[1]):
            out += x[:, dy:dy + s[0] * (ho - 1) + 1:s[0],
                     dx:dx + s[1] * (wo - 1) + 1:s[1]]
    return out / (k[0] * k[1]) if avg else out


class Reference:
    def __init__(self, path, dt, reset="zero"):
        self.nodes, self.edges = {}, []
        with h5py.File(path, "r") as f:
            _read(f["node"], "", self.nodes, self.edges)
        self.preds = {n: [a for a, b in self.edges if b == n]
                      for n in self.nodes}
        self.dt, self.reset = dt, reset
        self.state = {}
        for n, (t, p) in self.nodes.items():
            if t in NEURONS:
                widest = max(p.values(), key=np.size)
                for k in p:
                    p[k] = np.ravel(p[k]) if np.size(p[k]) > 1 else \
                        float(np.ravel(p[k])[0])
                size = np.size(widest)
                v0 = p.get("v_leak", 0.0) if t in ("LIF", "LI", "CubaLIF",
                                                   "CubaLI") else 0.0
                self.state[n] = {"shape": np.shape(widest),
                                 "v": np.zeros(size) + v0,
                                 "i": np.zeros(size),
                                 "s": np.zeros(size, bool)}

    def _shape_in(self, node, x):
        t, p = self.nodes[node]
        if t == "Conv2d":
            c = p["weight"].shape[1] * int(p["groups"])
            return x.reshape(c, *[int(v) for v in p["input_shape"]])
        if x.ndim != 3:
            raise ValueError("reference: pooling needs a (C, H, W) input")
        return x

    def _in_size(self, node):
        t, p = self.nodes[node]
        if t == "Conv2d":
            return p["weight"].shape[1] * int(p["groups"]) * \
                int(np.prod(p["input_shape"]))
        return p["weight"].shape[1]

    def _apply(self, node, x, cont):
        t, p = self.nodes[node]
        if t in ("Affine", "Linear"):
            return p["weight"] @ x.reshape(-1) + (p["bias"] if t == "Affine"
                                                  and cont else 0)
        if t == "Scale":
            return p["scale"] * x.reshape(-1)
        if t in ("Identity", "Output"):
            return x
        if t == "Flatten":
            return x.reshape(-1)
        if t == "Conv2d":
            y = conv2d(self._shape_in(node, x), p)
            return y if cont else y - np.asarray(p["bias"]).reshape(-1, 1, 1)
        if t in ("SumPool2d", "AvgPool2d"):
            return sumpool2d(self._shape_in(node, x), p, t == "AvgPool2d")
        raise ValueError("reference: no " + t)

    def _out(self, node, kind, inputs, memo):
        """The value node gives: kind 'cont' (values) or 'spike'."""
        if (node, kind) in memo:
            return memo[node, kind]
        t, p = self.nodes[node]
        if t == "Input":
            x = inputs[kind]
        elif t in NEURONS:
            st = self.state[node]
            if (t in SPIKING) == (kind == "spike"):
                x = st["s"].astype(float) if kind == "spike" else st["v"]
                x = x.reshape(st["shape"])
            else:
                x = None
        else:
            parts = [self._out(q, kind, inputs, memo) for q in self.preds[node]]
            parts = [np.asarray(q, float) for q in parts if q is not None]
            x = None
            if parts:
                total = parts[0] if len(parts) == 1 else \
                    sum(q.reshape(-1) for q in parts)
                x = self._apply(node, total, kind == "cont")
            elif kind == "cont" and t in ("Affine", "Conv2d"):
                # A bias reaches the next node even without an input.
                x = self._apply(node, np.zeros(self._in_size(node)), True)
        memo[node, kind] = x
        return x

    def _input(self, node, kind, inputs, memo):
        parts = [self._out(q, kind, inputs, memo) for q in self.preds[node]]
        parts = [np.asarray(q, float).reshape(-1) for q in parts
                 if q is not None]
        return sum(parts) if parts else 0.0

    def step(self, x=None, spikes=None):
        """One step with Input values x (current input) or Input spikes."""
        dt = self.dt
        pre = {"cont": x, "spike": None}
        memo = {}
        drive = {n: self._input(n, "cont", pre, memo) for n in self.state}
        for n, st in self.state.items():
            t, p = self.nodes[n]
            I = drive[n] + np.zeros_like(st["v"])
            if t == "LIF" or t == "LI":
                target = p["v_leak"] + p["r"] * I
                st["v"] = target + (st["v"] - target) * np.exp(-dt / p["tau"])
            elif t in ("IF", "I"):
                st["v"] = st["v"] + p["r"] * I * dt
            elif t in ("CubaLIF", "CubaLI"):
                ts, tm = p["tau_syn"], p["tau_mem"]
                w_in = p.get("w_in", 1.0)
                i_inf = w_in * I
                a, b = np.exp(-dt / ts), np.exp(-dt / tm)
                c = p["r"] * (st["i"] - i_inf) * ts / (ts - tm)
                rest = p["v_leak"] + p["r"] * i_inf
                st["v"] = rest + c * a + (st["v"] - rest - c) * b
                st["i"] = i_inf + (st["i"] - i_inf) * a
            if t == "Threshold":
                st["s"] = I > p["threshold"]
            elif t in SPIKING:
                st["s"] = st["v"] > p["v_threshold"]
        # Dirac deltas of this step's spikes (and input spikes).
        memo = {}
        pre = {"cont": None, "spike": spikes}
        kicks = {n: self._input(n, "spike", pre, memo) for n in self.state}
        for n, st in self.state.items():
            t, p = self.nodes[n]
            k = kicks[n]
            if t in ("LIF", "LI"):
                st["v"] = st["v"] + p["r"] / p["tau"] * k
            elif t in ("IF", "I"):
                st["v"] = st["v"] + p["r"] * k
            elif t in ("CubaLIF", "CubaLI"):
                st["i"] = st["i"] + p.get("w_in", 1.0) / p["tau_syn"] * k
        for n, st in self.state.items():
            t, p = self.nodes[n]
            if t in SPIKING and t != "Threshold":
                s = st["s"]
                if self.reset == "subtract":
                    st["v"] = np.where(s, st["v"] - p["v_threshold"], st["v"])
                else:
                    st["v"] = np.where(s, p.get("v_reset", 0.0) +
                                       np.zeros_like(st["v"]), st["v"])
        return {n: st["s"].copy() for n, st in self.state.items()}
