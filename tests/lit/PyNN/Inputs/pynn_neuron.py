"""PyNN's NEURON backend as the reference of the std.pynn cells.

`import pynn_neuron` makes `import pyNN.neuron` work where the mechanisms
were built by scripts/pynn-nrnivmodl.sh outside PyNN's folder (a user
without write access to it): the library is loaded from the cache folder
first, and PyNN told it is loaded. `run(cell, dt)` simulates a cell's two
cases (CASES) and returns what was recorded.

Each cell has two single-neuron cases, as Inputs/<cell>.neuro builds them
(with dt = 0.1 ms, HH_cond_exp 0.01 ms):
- `Dc`: from rest, a current step of `dc` nA from 20 ms on (a DCSource,
  the model's i_inj in Neuro);
- `Syn`: held by `i_offset` (from `v0`), one excitatory spike arriving at
  11 ms and one inhibitory spike at 101 ms (sources at 10 and 100 ms,
  delay 1 ms), weights `w_exc`, `w_inh`.
"""
import os
import sys

import numpy as np

TSTOP = 200.0
T_EXC, T_INH, DELAY = 10.0, 100.0, 1.0

# name: (cell type in NEURON, parameters of both cases, DC amplitude (nA),
#        the Syn case's i_offset (nA), v0 (mV), w_exc, w_inh,
#        other initial values)
CASES = {
    "IF_curr_exp": ("IF_curr_exp", dict(tau_refrac=2.0), 1.0,
                    0.5, -55.0, 1.0, -1.0, {}),
    "IF_curr_alpha": ("IF_curr_alpha", dict(tau_refrac=2.0), 1.0,
                      0.5, -55.0, 1.0, -1.0, {}),
    # No NEURON model (compare_neuron.py takes IF_curr_exp's membrane and
    # the exact solution); weights in mV.
    "IF_curr_delta": ("IF_curr_delta", dict(tau_refrac=2.0), 1.0,
                      0.5, -55.0, 2.0, -2.0, {}),
    "IF_cond_exp": ("IF_cond_exp", dict(tau_refrac=2.0), 1.0,
                    0.5, -55.0, 0.01, 0.02, {}),
    "IF_cond_alpha": ("IF_cond_alpha", dict(tau_refrac=2.0), 1.0,
                      0.5, -55.0, 0.01, 0.02, {}),
    "EIF_cond_exp_isfa_ista": ("EIF_cond_exp_isfa_ista",
                               dict(tau_refrac=2.0), 1.0,
                               0.3, -60.6, 0.01, 0.02, {}),
    "EIF_cond_alpha_isfa_ista": ("EIF_cond_alpha_isfa_ista",
                                 dict(tau_refrac=2.0), 1.0,
                                 0.3, -60.6, 0.01, 0.02, {}),
    "HH_cond_exp": ("HH_cond_exp", {}, 0.5, 0.0, -65.0, 0.02, 0.1, {}),
    "Izhikevich": ("Izhikevich", {}, 0.01, 0.0, -70.0, 3.0, -3.0, {}),
}


def load_mechanisms():
    """Loads the mechanisms scripts/pynn-nrnivmodl.sh built into the cache
    folder when PyNN's own folder has none; True when pyNN.neuron can be
    imported."""
    import pyNN
    nmodl = os.path.join(pyNN.__path__[0], "neuron", "nmodl")
    lib = os.path.join("x86_64", ".libs", "libnrnmech.so")
    if os.path.exists(os.path.join(nmodl, lib)):
        return True
    cache = os.environ.get("XDG_CACHE_HOME",
                           os.path.join(os.path.expanduser("~"), ".cache"))
    built = os.path.join(cache, "neuro", "pynn-nmodl")
    if not os.path.exists(os.path.join(built, lib)):
        return False
    import neuron
    if nmodl not in neuron.nrn_dll_loaded:
        neuron.h.nrn_load_dll(os.path.join(built, lib))
        # pyNN.neuron loads from its folder unless told it is done.
        neuron.nrn_dll_loaded.append(nmodl)
    return True


def run(cell, dt=0.1):
    """Runs CASES[cell] in NEURON through PyNN with step dt (ms); returns
    {case: {"spikes": times (ms), "v": mV per step, other recorded
    variables}}, sampled at t = k dt."""
    load_mechanisms()
    import pyNN.neuron as sim
    name, params, dc, hold, v0, w_exc, w_inh, init = CASES[cell]
    sim.setup(timestep=dt, min_delay=dt)
    celltype = getattr(sim, name)
    pops = {}
    pops["Dc"] = sim.Population(1, celltype(**params))
    pops["Dc"].initialize(**init)
    sim.DCSource(amplitude=dc, start=20.0, stop=1e9).inject_into(pops["Dc"])
    syn_params = dict(params, i_offset=hold)
    pops["Syn"] = sim.Population(1, celltype(**syn_params))
    pops["Syn"].initialize(v=v0, **init)
    for t, w, receptor in ((T_EXC, w_exc, "excitatory"),
                           (T_INH, w_inh, "inhibitory")):
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[t]))
        sim.Projection(src, pops["Syn"], sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=w, delay=DELAY),
                       receptor_type=receptor)
    recordable = [r for r in ("v", "gsyn_exc", "gsyn_inh")
                  if r in celltype.recordable]
    for p in pops.values():
        p.record(recordable + ["spikes"])
    sim.run(TSTOP)
    out = {}
    for case, p in pops.items():
        seg = p.get_data().segments[0]
        rec = {"spikes": np.asarray(seg.spiketrains[0].magnitude, float)}
        for sig in seg.analogsignals:
            rec[sig.name] = np.asarray(sig.magnitude, float)[:, 0]
        out[case] = rec
    sim.end()
    return out


if __name__ == "__main__":
    # pynn_neuron.py CELL [DT]: prints the spikes of both cases.
    res = run(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.1)
    for case, rec in res.items():
        print(case, "spikes:", np.round(rec["spikes"], 4).tolist())
