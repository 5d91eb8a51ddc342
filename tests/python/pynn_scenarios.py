"""PyNN scripts run by both pyNN.neuro and PyNN's NEURON backend
(test_pynn_neuron.py): each scenario takes the backend module `sim` and
returns plain numbers (JSON), so that the NEURON side can run in a process
of its own:

    python3 pynn_scenarios.py '[["cells", {"dt": 0.01, ...}], ...]'

prints one JSON list of results, or exits with 3 when pyNN.neuron or its
compiled mechanisms are missing (scripts/pynn-nrnivmodl.sh builds them;
tests/lit/PyNN/Inputs/pynn_neuron.py finds them).
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LIT_INPUTS = os.path.join(os.path.dirname(HERE), "lit", "PyNN", "Inputs")

# Cell: (parameters, DC amplitude in nA), as tests/lit/PyNN's Dc cases.
CELLS = {
    "IF_curr_exp": (dict(tau_refrac=2.0), 1.0),
    "IF_curr_alpha": (dict(tau_refrac=2.0), 1.0),
    "IF_curr_delta": (dict(tau_refrac=2.0), 1.0),
    "IF_cond_exp": (dict(tau_refrac=2.0), 1.0),
    "IF_cond_alpha": (dict(tau_refrac=2.0), 1.0),
    "EIF_cond_exp_isfa_ista": (dict(tau_refrac=2.0), 1.0),
    "EIF_cond_alpha_isfa_ista": (dict(tau_refrac=2.0), 1.0),
    "HH_cond_exp": ({}, 0.5),
    "Izhikevich": ({}, 0.01),
}


def _is_neuron(sim):
    return sim.__name__ == "pyNN.neuron"


def cells(sim, dt, names):
    """One neuron per cell type: a DCSource from 20 ms on plus a
    StepCurrentSource (+20% at 50 ms, -10% at 120 ms, off at 150 ms), 200
    ms; the spike times of each. PyNN's NEURON backend has no
    IF_curr_delta: its IF_curr_exp (the same membrane) stands for it."""
    sim.setup(timestep=dt, min_delay=dt)
    pops = {}
    for name in names:
        params, amp = CELLS[name]
        model = name
        if name == "IF_curr_delta" and _is_neuron(sim):
            model = "IF_curr_exp"
        p = sim.Population(1, getattr(sim, model)(**params))
        if name == "HH_cond_exp":
            p.initialize(h=0.0)  # NEURON's hh_traub starts its gates at 0
        sim.DCSource(amplitude=amp, start=20.0).inject_into(p)
        sim.StepCurrentSource(times=[50.0, 120.0, 150.0],
                              amplitudes=[0.2 * amp, -0.1 * amp, 0.0]
                              ).inject_into(p)
        p.record("spikes")
        pops[name] = p
    sim.run(200.0)
    out = {name: p.get_data().segments[0].spiketrains[0].magnitude.tolist()
           for name, p in pops.items()}
    sim.end()
    return out


def currents(sim, dt):
    """The four current sources on views of a population that does not
    spike: the membrane potentials (mV, every step) of its 5 neurons."""
    sim.setup(timestep=dt, min_delay=dt)
    p = sim.Population(5, sim.IF_curr_exp(tau_refrac=2.0, v_thresh=0.0))
    sim.DCSource(amplitude=0.5, start=10.0, stop=60.0).inject_into(p[0:2])
    sim.StepCurrentSource(times=[20.0, 40.0, 70.0],
                          amplitudes=[0.4, -0.3, 0.1]).inject_into(p[1:3])
    sim.ACSource(amplitude=0.3, start=15.0, stop=85.0, frequency=40.0,
                 offset=0.1, phase=30.0).inject_into(p[[2, 4]])
    np.random.seed(11)  # both backends draw the noise from numpy
    sim.NoisyCurrentSource(mean=0.05, stdev=0.2, start=5.0, stop=95.0,
                           dt=1.0).inject_into(p[3:5])
    p.record("v")
    sim.run(100.0)
    v = p.get_data().segments[0].analogsignals[0].magnitude
    sim.end()
    return v.tolist()


def network(sim, dt):
    """A feed-forward network of FromListConnector projections with
    static synapses (weights and delays per connection, both receptors):
    6 spike sources -> 6 IF_cond_exp (A) -> 4 IF_curr_alpha (B), 2
    inhibitory sources -> A. Every input drives its target well past the
    threshold, so that each spike has a cause and no spike is marginal;
    the spike times of A and B."""
    sim.setup(timestep=dt, min_delay=dt)
    rng = np.random.RandomState(3)
    times = [list(10.0 + 30.0 * np.arange(6) + 5.0 * i
                  + np.round(rng.uniform(0, 3, 6), 1)) for i in range(6)]
    src = sim.Population(6, sim.SpikeSourceArray(spike_times=times))
    inh = sim.Population(2, sim.SpikeSourceArray(
        spike_times=[[7.0, 51.0, 97.0], [33.0, 120.0, 160.0]]))
    A = sim.Population(6, sim.IF_cond_exp(tau_refrac=2.0, tau_syn_E=2.0))
    B = sim.Population(4, sim.IF_curr_alpha(tau_refrac=2.0))

    def conns(n_pre, n_post, k, low, high):
        return [(int(i), j, float(np.round(rng.uniform(low, high), 3)),
                 float(np.round(rng.uniform(0.5, 3.0), 1)))
                for j in range(n_post)
                for i in rng.choice(n_pre, k, replace=False)]
    sim.Projection(src, A, sim.FromListConnector(conns(6, 6, 1, 0.15, 0.25)),
                   sim.StaticSynapse(), receptor_type="excitatory")
    sim.Projection(inh, A, sim.FromListConnector(conns(2, 6, 1, 0.01, 0.02)),
                   sim.StaticSynapse(), receptor_type="inhibitory")
    sim.Projection(A, B, sim.FromListConnector(conns(6, 4, 2, 15.0, 20.0)),
                   sim.StaticSynapse(), receptor_type="excitatory")
    for p in (A, B):
        p.record("spikes")
    sim.run(200.0)
    out = {label: [st.magnitude.tolist()
                   for st in p.get_data().segments[0].spiketrains]
           for label, p in (("A", A), ("B", B))}
    sim.end()
    return out


STDP_PRE = [10.0, 60.0, 110.0, 160.0, 210.0]
STDP_KICK = [15.0, 52.0, 120.0, 150.0]
STDP_DELAY = 2.0
STDP_RULE = dict(tau_plus=20.0, tau_minus=15.0, A_plus=0.05, A_minus=0.06)
STDP_READ = [30.0, 80.0, 130.0, 180.0, 230.0]


def stdp(sim, dt, multiplicative):
    """A pairing protocol: one presynaptic spike train through an STDP
    synapse (delay 2 ms, dendritic_delay_fraction 0) onto an IF_curr_exp
    that a strong static input makes spike at known times; the weight read
    at STDP_READ and the postsynaptic spike times."""
    sim.setup(timestep=dt, min_delay=dt)
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=STDP_PRE))
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=STDP_KICK))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0, tau_syn_E=0.5))
    wd = (sim.MultiplicativeWeightDependence if multiplicative
          else sim.AdditiveWeightDependence)(w_min=0.0, w_max=1.0)
    rule = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(**STDP_RULE),
        weight_dependence=wd, weight=0.5, delay=STDP_DELAY,
        dendritic_delay_fraction=0.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), rule,
                         receptor_type="excitatory")
    sim.Projection(kick, post, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=100.0, delay=1.0))
    post.record("spikes")
    weights = []
    for t in STDP_READ:
        sim.run_until(t)
        weights.append(float(prj.get("weight", format="array")[0, 0]))
    spikes = post.get_data().segments[0].spiketrains[0].magnitude.tolist()
    sim.end()
    return {"w": weights, "post": spikes}


# Three presynaptic trains, postsynaptic spikes made by kicks (1.1 or 1.2 ms
# after them): no arrival (spike + 2 ms) shares a step with a postsynaptic
# spike.
RULES_PRE = [[10.0, 60.0, 110.0, 160.0, 210.0],
             [5.0, 41.0, 57.0, 101.0, 126.0, 171.0, 204.0],
             [21.0, 50.0, 91.0, 146.5, 181.0, 214.0]]
RULES_KICK = [15.0, 52.0, 85.0, 120.0, 150.0, 185.0]
RULES_READ = [30.0, 80.0, 130.0, 180.0, 230.0]
RULES = {
    "gutig": dict(timing=dict(tau_plus=20.0, tau_minus=15.0, A_plus=0.05,
                              A_minus=0.06),
                  weight=dict(w_min=0.1, w_max=1.0, mu_plus=0.4,
                              mu_minus=0.8), w0=[0.1, 0.6, 0.9]),
    "add_mul": dict(timing=dict(tau_plus=20.0, tau_minus=15.0, A_plus=0.05,
                                A_minus=0.3),
                    weight=dict(w_min=0.1, w_max=1.0), w0=[0.1, 0.6, 0.9]),
    # onto the inhibitory conductance (uS): one weight is clipped at w_min,
    # one at w_max
    "vogels": dict(timing=dict(tau=20.0, eta=0.012, rho=0.02),
                   weight=dict(w_min=0.0, w_max=0.09), w0=[0.005, 0.06, 0.09]),
}


def _rule(sim, name):
    r = RULES[name]
    if name == "vogels":
        return (sim.Vogels2011Rule(**r["timing"]),
                sim.AdditiveWeightDependence(**r["weight"]))
    wd = (sim.GutigWeightDependence if name == "gutig"
          else sim.AdditivePotentiationMultiplicativeDepression)
    return sim.SpikePairRule(**r["timing"]), wd(**r["weight"])


def rules(sim, dt, rule):
    """STDP with the weight dependences of the NEURON backend's
    StdwaGuetig and StdwaVogels2011 mechanisms (RULES): three presynaptic
    trains through STDP synapses (delay 2 ms, dendritic_delay_fraction 0)
    onto one cell (IF_curr_exp, excitatory; IF_cond_exp, inhibitory, for
    Vogels2011Rule) that static kicks make spike at known times; the
    weights read at RULES_READ and the postsynaptic spike times."""
    sim.setup(timestep=dt, min_delay=dt)
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=RULES_PRE))
    kick = sim.Population(1, sim.SpikeSourceArray(spike_times=RULES_KICK))
    vogels = rule == "vogels"
    cell = sim.IF_cond_exp if vogels else sim.IF_curr_exp
    post = sim.Population(1, cell(tau_refrac=2.0, tau_syn_E=0.5))
    timing, weight = _rule(sim, rule)
    stdp = sim.STDPMechanism(timing_dependence=timing,
                             weight_dependence=weight, delay=2.0,
                             dendritic_delay_fraction=0.0)
    # Not a FromListConnector: PyNN passes no extra_parameters through it
    # (the NEURON backend's AdditivePotentiationMultiplicativeDepression
    # then gets StdwaGuetig's default muLTD = 0, additive depression).
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp,
                         receptor_type="inhibitory" if vogels
                         else "excitatory")
    prj.set(weight=np.array(RULES[rule]["w0"])[:, None])
    sim.Projection(kick, post, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=5.0 if vogels else 100.0,
                                     delay=1.0),
                   receptor_type="excitatory")
    post.record("spikes")
    weights = []
    for t in RULES_READ:
        sim.run_until(t)
        weights.append(prj.get("weight", format="array")[:, 0].tolist())
    spikes = post.get_data().segments[0].spiketrains[0].magnitude.tolist()
    sim.end()
    return {"w": weights, "post": spikes}


def _neuron_gap_junctions():
    """pyNN.neuron 0.10.1 calls ParallelContext.source_var with the
    segment's section not accessed, which NEURON 8.2 refuses ("Pointer to
    src is not in the currently accessed section"): the section is pushed
    around the call (the junction is made as PyNN makes it)."""
    from pyNN.neuron import simulator
    make = simulator.GapJunction._make_connection
    if getattr(make, "pushes_section", False):
        return

    def pushed(self, segment, *args):
        segment.push()
        try:
            make(self, segment, *args)
        finally:
            simulator.h.pop_section()
    pushed.pushes_section = True
    simulator.GapJunction._make_connection = pushed


GAP_WEIGHTS = [0.01, 0.02]   # uS: cells 0-1 and 1-2 (g_leak 0.01 uS)
GAP_SET = 0.03               # both, from 80 ms


def gap(sim, dt):
    """ElectricalSynapse: three HH_cond_exp cells in a chain of gap
    junctions (GAP_WEIGHTS, GAP_SET from 80 ms), a step current into cell 0
    (-0.1 nA from 10 ms, +0.05 nA from 40 ms, off at 70 ms; below the
    threshold); the membrane potentials (mV, every 0.1 ms) to 150 ms."""
    if _is_neuron(sim):
        _neuron_gap_junctions()
    sim.setup(timestep=dt, min_delay=dt)
    cells = sim.Population(3, sim.HH_cond_exp())
    cells.initialize(h=0.0)  # NEURON's hh_traub starts its gates at 0
    prj = sim.Projection(
        cells, cells, sim.FromListConnector(
            [(0, 1, GAP_WEIGHTS[0]), (1, 2, GAP_WEIGHTS[1])],
            column_names=["weight"]),
        sim.ElectricalSynapse(), receptor_type="source_section.gap",
        source="source_section.gap")
    sim.StepCurrentSource(times=[10.0, 40.0, 70.0],
                          amplitudes=[-0.1, 0.05, 0.0]).inject_into(cells[0:1])
    cells.record("v")
    sim.run(80.0)
    # One value: pyNN.neuron sets an array's values transposed on the
    # junctions' source side (Projection._set_attributes zips the sources'
    # components with the targets' columns).
    prj.set(weight=GAP_SET)
    sim.run(70.0)
    every = int(round(0.1 / dt))
    out = cells.get_data().segments[0].analogsignals[0].magnitude[::every]
    sim.end()
    return out.tolist()


def tsodyks_markram(sim, dt):
    """TsodyksMarkramSynapse onto IF_curr_exp and IF_cond_exp (depressing
    and facilitating), driven by one spike train; the membrane
    potentials (mV, every 0.1 ms)."""
    sim.setup(timestep=dt, min_delay=dt)
    pre = sim.Population(1, sim.SpikeSourceArray(
        spike_times=[10.0, 20.0, 30.0, 40.0, 100.0, 150.0]))
    pops = []
    for cell, w in ((sim.IF_curr_exp, 1.0), (sim.IF_cond_exp, 0.01)):
        for facil in (0.0, 50.0):
            post = sim.Population(1, cell(tau_refrac=2.0, v_thresh=0.0))
            sim.Projection(pre, post, sim.AllToAllConnector(),
                           sim.TsodyksMarkramSynapse(weight=w, delay=1.0,
                                                     U=0.4, tau_rec=80.0,
                                                     tau_facil=facil),
                           receptor_type="excitatory")
            post.record("v")
            pops.append(post)
    sim.run(200.0)
    every = int(round(0.1 / dt))
    out = [p.get_data().segments[0].analogsignals[0].magnitude[::every, 0]
           .tolist() for p in pops]
    sim.end()
    return out


def same_step(sim, dt):
    """Three SpikeSourceArray cells, one spike time each listed twice,
    three times and once, each through a static synapse onto its own
    IF_curr_exp; the membrane potentials (mV, every 0.1 ms). NEURON
    delivers every event."""
    sim.setup(timestep=dt, min_delay=dt)
    pre = sim.Population(3, sim.SpikeSourceArray(
        spike_times=[[10.0, 10.0], [10.0, 10.0, 10.0], [10.0]]))
    post = sim.Population(3, sim.IF_curr_exp(tau_refrac=2.0, v_thresh=0.0))
    sim.Projection(pre, post, sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=0.5, delay=1.0),
                   receptor_type="excitatory")
    post.record("v")
    sim.run(50.0)
    every = int(round(0.1 / dt))
    out = post.get_data().segments[0].analogsignals[0].magnitude[::every]
    sim.end()
    return out.tolist()


REFRACTORY = [1.27, 1.33, 1.7, 2.0]


def refractory(sim, dt, periods=REFRACTORY):
    """IF_curr_exp driven by i_offset, with refractory periods that are
    whole numbers of steps and (1.27, 1.33 ms) that are not: the spike
    times."""
    sim.setup(timestep=dt, min_delay=dt)
    pops = [sim.Population(1, sim.IF_curr_exp(i_offset=2.0, tau_refrac=t,
                                              v_reset=-70.0))
            for t in periods]
    for p in pops:
        p.record("spikes")
    sim.run(100.0)
    out = [p.get_data().segments[0].spiketrains[0].magnitude.tolist()
           for p in pops]
    sim.end()
    return out


def steep_eif(sim, dt):
    """Both EIF cells with a steep spike (delta_T = 1.5 mV) driven by
    i_offset for 200 ms: the spike times and the largest |w| (nA)."""
    sim.setup(timestep=dt, min_delay=dt)
    pops = [sim.Population(1, cell(delta_T=1.5, i_offset=1.0))
            for cell in (sim.EIF_cond_exp_isfa_ista,
                         sim.EIF_cond_alpha_isfa_ista)]
    for p in pops:
        p.record(["spikes", "w"])
    sim.run(200.0)
    out = []
    for p in pops:
        seg = p.get_data().segments[0]
        w = seg.filter(name="w")[0].magnitude
        out.append([seg.spiketrains[0].magnitude.tolist(),
                    float(np.abs(w).max())])
    sim.end()
    return out


SCENARIOS = {"cells": cells, "currents": currents, "network": network,
             "stdp": stdp, "rules": rules, "gap": gap,
             "tsodyks_markram": tsodyks_markram,
             "refractory": refractory, "same_step": same_step,
             "steep_eif": steep_eif}


def neuron_backend():
    """pyNN.neuron with its mechanisms loaded, or None."""
    sys.path.insert(0, LIT_INPUTS)
    try:
        import pynn_neuron
        if not pynn_neuron.load_mechanisms():
            return None
        import pyNN.neuron as sim
    except Exception:  # noqa: BLE001 (no NEURON, no PyNN, no mechanisms)
        return None
    return sim


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    sim = neuron_backend()
    if sim is None:
        sys.exit(3)
    calls = json.loads(sys.argv[1])
    print(json.dumps([SCENARIOS[name](sim, **kwargs)
                      for name, kwargs in calls]))
