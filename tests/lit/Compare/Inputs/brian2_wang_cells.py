"""The network of wang_cells.neuro in Brian2 (numpy target, RK4 as
Neuro chooses), fed the same spike times.

  brian2_wang_cells.py input DIR    writes DIR/ext.npy (numpy only): 200
      sources, each spiking in a step with probability 0.04 (400 Hz),
      100 ms, from a fixed seed.
  brian2_wang_cells.py compare DIR  runs Brian2 and compares every sample
      of v, s_ampa, s_gaba, s_ext, x_nmda and s_nmda of every neuron, and
      every spike, with what neuroc wrote into DIR/out. Both take the same
      steps in another order of operations, so they agree to rounding:
      each state within 1e-12 of its largest value.
"""
import os
import sys

import numpy as np

from brian2_wang2002 import CELL_EQUATIONS

STEPS = 1000
STATES = (("v", "V"), ("s_ampa", "s_AMPA"), ("s_gaba", "s_GABA"),
          ("s_ext", "s_ext"), ("x_nmda", "x"), ("s_nmda", "s_NMDA"))


def write_input(folder):
    rng = np.random.default_rng(5)
    fire = rng.random((200, STEPS)) < 0.04
    n, k = np.nonzero(fire)
    order = np.lexsort((n, k))
    d = np.zeros(len(n), dtype=[("i", "<i8"), ("t", "<f8")])
    d["i"], d["t"] = n[order], k[order] * 1e-4 + 1e-5
    np.save(os.path.join(folder, "ext.npy"), d)


def brian2(folder):
    from brian2 import (NeuronGroup, SpikeGeneratorGroup, Synapses,
                        StateMonitor, SpikeMonitor, Network, defaultclock,
                        prefs, ms, mV, nS, nF, kHz, mmole, second)
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    Jp = 1.7
    Jm = 1 - 0.15 * (Jp - 1) / (1 - 0.15)
    ns = {"El": -70 * mV, "Vt": -50 * mV, "Vr": -55 * mV, "V_E": 0 * mV,
          "V_I": -70 * mV, "tau_AMPA": 2 * ms, "tau_rise": 2 * ms,
          "tau_decay": 100 * ms, "tau_GABA": 5 * ms, "alpha": 0.5 * kHz,
          "C": 1 * mmole}
    eqs = CELL_EQUATIONS

    def group(n, inhibitory=False):
        g = NeuronGroup(n, eqs, threshold="V > Vt", reset="V = Vr",
                        refractory=(1 if inhibitory else 2) * ms,
                        method="rk4", namespace=ns)
        if inhibitory:
            g.gL, g.Cm, g.gN = 20 * nS, 0.2 * nF, 0.13 * nS
        else:
            g.gL, g.Cm, g.gN = 25 * nS, 0.5 * nF, 0.165 * nS
        g.V = -52 * mV
        return g

    pops = {"E1": group(24), "E2": group(24), "E3": group(112),
            "I": group(40, True)}
    E1, E2, E3, I = pops.values()
    d = np.load(os.path.join(folder, "ext.npy"))
    X = SpikeGeneratorGroup(200, d["i"], d["t"] * second)
    objects = [X, *pops.values()]

    def synapses(src, dst, model="", on_pre=None, **kw):
        s = Synapses(src, dst, model, on_pre=on_pre, namespace={}, **kw)
        objects.append(s)
        return s

    for lo, g, w in ((0, E1, 12), (24, E2, 12), (48, E3, 12), (160, I, 9)):
        synapses(X, g, on_pre=f"s_ext_post += {w}*nS").connect(
            j=f"i - {lo}", skip_if_invalid=True)
    g = 0.5
    for a, b, w in ((E1, E1, Jp * g), (E1, E2, Jm * g), (E2, E2, Jp * g),
                    (E2, E1, Jm * g), (E1, E3, g), (E2, E3, g),
                    (E3, E1, Jm * g), (E3, E2, Jm * g), (E3, E3, g),
                    (E1, I, 0.4), (E2, I, 0.4), (E3, I, 0.4)):
        synapses(a, b, on_pre=f"s_AMPA_post += {w!r}*nS",
                 delay=0.5 * ms).connect()
    for b in (E1, E2, E3):
        synapses(I, b, on_pre="s_GABA_post += 13*nS",
                 delay=0.5 * ms).connect()
    synapses(I, I, on_pre="s_GABA_post += 10*nS", delay=0.5 * ms).connect()
    for a in (E1, E2, E3):
        synapses(a, a, on_pre="x_post += 1", delay=0.5 * ms).connect(j="i")
    # The mean s_NMDA of each pool, as Neuro's modulators read it.
    pools = NeuronGroup(1, "s0 : 1\ns1 : 1\ns2 : 1")
    objects.append(pools)
    for k, a in enumerate((E1, E2, E3)):
        synapses(a, pools, f"s{k}_post = s_NMDA_pre / {len(a)} : 1 "
                 "(summed)").connect()
    weights = {"E1": (240 * Jp, 240 * Jm, 1120 * Jm),
               "E2": (240 * Jm, 240 * Jp, 1120 * Jm),
               "E3": (240, 240, 1120), "I": (240, 240, 1120)}
    for name, (a, b, c) in weights.items():
        synapses(pools, pops[name],
                 f"s_NMDA_tot_post = {a!r}*s0_pre + {b!r}*s1_pre + "
                 f"{c!r}*s2_pre : 1 (summed)").connect()
    states = {n: StateMonitor(g, [s for _, s in STATES], record=True)
              for n, g in pops.items()}
    spikes = {n: SpikeMonitor(g) for n, g in pops.items()}
    Network(*objects, *states.values(), *spikes.values()).run(
        STEPS * 0.1 * ms)
    return states, spikes


def compare(folder):
    states, spikes = brian2(folder)
    out = os.path.join(folder, "out")
    worst = 0.0
    for name, monitor in states.items():
        for ours, theirs in STATES:
            a = np.load(os.path.join(out, f"{name}_{ours}.npy"))
            b = np.asarray(getattr(monitor, theirs)).T
            # I has no NMDA rise: x_nmda and s_nmda stay 0 there.
            err = np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)
            assert err < 1e-12, (name, ours, err)
            worst = max(worst, err)
        d = np.load(os.path.join(out, f"spikes_{name}.npy"))
        ours = sorted(zip(np.round(d["t"] * 1e4).astype(int) - 1, d["i"]))
        m = spikes[name]
        theirs = sorted(zip(np.round(np.asarray(m.t) * 1e4).astype(int),
                            np.asarray(m.i)))
        assert ours == theirs, (name, ours[:10], theirs[:10])
        print(f"{name}: {len(ours)} spikes in Brian2's steps")
    print(f"every state within {worst:.0e} of its largest value")


if __name__ == "__main__":
    {"input": write_input, "compare": compare}[sys.argv[1]](sys.argv[2])
