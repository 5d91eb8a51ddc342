"""pyNN.neuro, PyNN 0.10's API on Neuro: populations, views, assemblies,
parameters, initial values, connectors, weights and delays, synapse
types, the procedural API, and what changes between runs. Current
sources, recording, spike sources and files are in test_pynn_recording.py;
comparisons with PyNN's NEURON backend in test_pynn_neuron.py."""

import os
import warnings

import numpy as np
import pytest

import neuro  # noqa: F401  (makes pyNN.neuro importable)
import pyNN.neuro as sim
from pyNN import errors
from pyNN.core import IndexBasedExpression
from pyNN.random import NumpyRNG, RandomDistribution

# PyNN's OneToOneConnector and AllToAllConnector call nonzero() on 0-d arrays.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Calling nonzero on 0d arrays:DeprecationWarning"),
    pytest.mark.usefixtures("pynn_session")]


def network():
    """The Neuro network the backend built."""
    return sim.simulator.state.network


def spike_lists(pop):
    return [st.magnitude.tolist()
            for st in pop.get_data("spikes").segments[-1].spiketrains]


# Models ---------------------------------------------------------------------


def test_standard_models_and_their_defaults():
    names = set(sim.list_standard_models())
    assert names == {
        "IF_curr_exp", "IF_curr_alpha", "IF_curr_delta", "IF_cond_exp",
        "IF_cond_alpha", "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista",
        "HH_cond_exp", "Izhikevich", "SpikeSourcePoisson",
        "SpikeSourcePoissonRefractory", "SpikeSourceGamma",
        "SpikeSourceArray"}
    pops = [sim.Population(2, getattr(sim, n)()) for n in sorted(names)]
    sim.run(1.0)  # every model compiles, parameters set from PyNN's
    for p in pops:
        ct = p.celltype
        if ct.neuro_model is None:
            continue
        name = network()._pops[p]
        for par, value in ct.default_parameters.items():
            if par in ct.compiled_parameters:
                continue
            row = network().sim[f"{name}.{par}"]
            assert row == pytest.approx(
                value * sim.standardmodels.si_factor(ct, par), rel=1e-12)


def test_parameters_get_set_and_views():
    p = sim.Population(6, sim.IF_cond_exp(tau_m=12.0, cm=[0.5 + 0.1 * i
                                                          for i in range(6)]))
    assert p.get("tau_m") == 12.0
    assert p.get("cm") == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    p[1:3].set(tau_m=30.0)
    p[4].tau_m = 40.0
    assert p.get("tau_m") == pytest.approx([12, 30, 30, 12, 40, 12])
    assert p[4].tau_m == 40.0
    view = p[[5, 0]]   # PyNN sorts a view's indices
    assert view.get("cm") == pytest.approx([0.5, 1.0])
    rng = NumpyRNG(seed=5)
    p.set(v_thresh=RandomDistribution("uniform", (-55.0, -45.0), rng=rng))
    expected = np.random.RandomState(5).uniform(-55.0, -45.0, 6)
    assert p.get("v_thresh") == pytest.approx(expected)
    sim.run(1.0)
    row = network().sim[f"{network()._pops[p]}.v_thresh"]
    assert row * 1e3 == pytest.approx(expected)
    p.set(tau_m=25.0)  # between runs: in the simulation at once
    assert network().sim[f"{network()._pops[p]}.tau_m"] == \
        pytest.approx(0.025)
    assert sim.simulator.state.stale is False


def test_a_population_of_an_earlier_setup_is_refused():
    # setup() starts a new network: a population made before it would be
    # left out of it (record, set and initialize did nothing, get_data
    # gave no spikes); now each says so.
    old = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    view = old[0:2]
    sim.setup(timestep=0.1)
    for use in (lambda: old.record("spikes"), lambda: old.set(tau_m=5.0),
                lambda: old.initialize(v=-50.0), lambda: view.set(tau_m=5.0),
                lambda: view.record("v")):
        with pytest.raises(RuntimeError, match="made before the last "
                           "setup.., which starts a new network"):
            use()
    fresh = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    fresh.record("spikes")
    sim.run(50.0)
    assert sum(len(s) for s in spike_lists(fresh)) > 0


def test_spikes_in_flight_are_not_delivered_twice():
    # One spike sent at 0.5 ms to four cells at delays 0.3 to 1.2 ms; at
    # 1 ms the delays change, which compiles the network again. The new
    # network would replay the spikes in flight through its own delays
    # (the first cell's spike a second time, the others' at 2 ms): they are
    # dropped, with a warning, instead.
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.5]))
    tgt = sim.Population(4, sim.IF_curr_delta(
        tau_m=1e9, v_thresh=100.0, v_rest=0.0, v_reset=0.0),
        initial_values={"v": 0.0})
    prj = sim.Projection(src, tgt, sim.AllToAllConnector(), sim.StaticSynapse(
        weight=1.0, delay=np.array([[0.3, 0.6, 0.9, 1.2]])))
    tgt.record("v")
    sim.run(1.0)
    prj.set(delay=2.0)
    with pytest.warns(UserWarning, match="the spikes in flight are lost"):
        sim.run(2.0)
    v = tgt.get_data().segments[-1].filter(name="v")[0]
    assert np.allclose(np.asarray(v)[-1], [1.0, 0.0, 0.0, 0.0])


def test_half_steps_round_up():
    # Delays and spike times half a step off the grid go to the later step,
    # as NEURON delivers them (np.rint took 0.35 ms down, 0.45 ms up, and
    # 5.05 ms down to 5.0).
    delays = [0.25, 0.35, 0.45, 1.05]
    a = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.05]))
    b = sim.Population(len(delays), sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FromListConnector(
        [(0, j, 0.1, d) for j, d in enumerate(delays)]),
        sim.StaticSynapse())
    # Read back as the numbers of ms they are (3 steps of 0.1 ms were
    # 0.30000000000000004): == holds, as NEURON returns its delays.
    assert prj.get("delay", format="array")[0].tolist() == [0.3, 0.4, 0.5,
                                                            1.1]
    a.record("spikes")
    sim.run(10.0)
    assert np.allclose(spike_lists(a), [[5.1]])


def test_an_empty_projection_has_its_synapse_parameters():
    a = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    b = sim.Population(3, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(
        0.0, rng=NumpyRNG(1)), sim.TsodyksMarkramSynapse(weight=0.1, U=0.3))
    assert len(prj) == 0
    assert prj.get("U", format="list") == []
    assert np.isnan(prj.get("U", format="array")).all()
    prj.set(U=0.5)
    sim.run(1.0)


def test_a_refused_set_keeps_the_values_the_network_runs_with():
    p = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    sim.run(5.0)
    # Above 0, as limits.py asks, but 1 / tau_m overflows: the propagator
    # the simulation computes is not finite.
    with pytest.raises(RuntimeError, match="propagator"):
        p.set(tau_m=1e-320)
    assert p.get("tau_m") == 20.0
    p.record("v")  # compiles the network again, from the kept values
    sim.run(5.0)
    assert network().sim[f"{network()._pops[p]}.tau_m"] == \
        pytest.approx(0.02)


def test_negative_delays_and_non_finite_weights_are_refused():
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(
        2, sim.IF_curr_exp())
    with pytest.raises(ValueError, match="delays must be finite and >= 0"):
        sim.Projection(a, b, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=0.1, delay=-1.0))
        sim.run(1.0)
    sim.end()
    sim.setup(timestep=0.1)
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(
        2, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.OneToOneConnector(),
                         sim.StaticSynapse(weight=0.1, delay=1.0))
    sim.run(1.0)
    with pytest.raises(ValueError, match="weight must be finite"):
        prj.set(weight=np.nan)
    assert prj.get("weight", format="array")[0, 0] == pytest.approx(0.1)


def test_non_finite_times_and_parameters_are_refused():
    for timestep in (0, -0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match="timestep must be a finite"):
            sim.setup(timestep=timestep)
    with pytest.raises(ValueError, match="timestep must be at least 1e-6"):
        sim.setup(timestep=1e-300)
    for kw, match in ((dict(min_delay=np.nan), "min_delay must be 'auto'"),
                      (dict(max_delay=0.01), "max_delay must be 'auto'"),
                      (dict(rng_seed=-1), "rng_seed must be a whole"),
                      (dict(rng_seed=1.5), "rng_seed must be a whole"),
                      (dict(rng_seed=2**70), "rng_seed must be a whole"),
                      (dict(threads=-1), "threads must be a whole")):
        with pytest.raises(ValueError, match=match):
            sim.setup(timestep=0.1, **kw)
    sim.setup(timestep=0.1)
    sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(ValueError, match="must be finite, not nan"):
        sim.run(np.nan)
    for interval in (np.nan, 1e-12, 0.15):
        with pytest.raises(ValueError, match="sampling interval must be a "
                           "whole number of time steps"):
            sim.Population(2, sim.IF_curr_exp()).record(
                "v", sampling_interval=interval)
    with pytest.raises(ValueError, match=r": tau_refrac: nan is not a finite "
                       r"number \(neuron 0\)"):
        sim.Population(1, sim.IF_curr_exp(tau_refrac=np.nan))
    with pytest.raises(ValueError, match=r"src: spike times: nan is not a "
                       r"finite number \(neuron 1\)"):
        sim.Population(2, sim.SpikeSourceArray(
            spike_times=[[1.0], [2.0, np.nan]]), label="src")
    sim.run(1.0)


def test_a_run_without_populations_advances_time():
    sim.run(10.0)
    assert sim.get_current_time() == pytest.approx(10.0)
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[12.0]))
    p.record("spikes")
    sim.run(5.0)
    assert sim.get_current_time() == pytest.approx(15.0)
    assert spike_lists(p) == [[12.0]]


def test_spike_times_set_in_the_past_are_said_to_be_lost():
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 10.0]))
    p.record("spikes")
    sim.run(10.0)
    # 5.0 and 10.0 were sent already (no word); 3.0 passed before it was
    # set.
    p.set(spike_times=[3.0, 5.0, 10.0, 12.0])
    with pytest.warns(UserWarning, match="1 spike time.s. set before the "
                      "current time 10.0 ms are not sent"):
        sim.run(10.0)
    assert spike_lists(p) == [[5.0, 10.0, 12.0]]


def test_run_times_between_steps_stop_as_neuron_does():
    # pyNN.neuron (NEURON's fixed step) stops at the last step not past the
    # time asked for; run(simtime) counts from the current step's time.
    # Measured there: run_until 1.0, 1.04, 1.08, 1.12, 6.66 end at 1.0,
    # 1.0, 1.0, 1.1, 6.6; then run 0.05, 0.15, 0.3 at 6.6, 6.7, 7.0.
    sim.Population(1, sim.IF_curr_exp())
    times = []
    for t in (1.0, 1.04, 1.08, 1.12, 6.66):
        sim.run_until(t)
        times.append(round(sim.get_current_time(), 9))
    for t in (0.05, 0.15, 0.3):
        sim.run(t)
        times.append(round(sim.get_current_time(), 9))
    assert times == [1.0, 1.0, 1.0, 1.1, 6.6, 6.6, 6.7, 7.0]


@pytest.mark.parametrize("cell, params, message", [
    (sim.IF_curr_exp, {"tau_m": -10.0}, r"tau_m must be > 0 \(neuron 0 has "
     r"tau_m = -10\)"),
    (sim.IF_cond_exp, {"cm": 0.0}, r"cm must be > 0"),
    (sim.IF_curr_alpha, {"tau_syn_E": [5.0, 0.0, -1.0]},
     r"tau_syn_E must be > 0 \(neuron 1 has tau_syn_E = 0\)"),
    (sim.IF_curr_exp, {"tau_refrac": -0.1}, r"tau_refrac must be >= 0"),
    (sim.EIF_cond_exp_isfa_ista, {"tau_w": -1.0}, r"tau_w must be > 0"),
    (sim.HH_cond_exp, {"gbar_K": -6.0}, r"gbar_K must be >= 0"),
    (sim.SpikeSourcePoisson, {"rate": -5.0}, r"rate must be >= 0"),
    (sim.SpikeSourcePoissonRefractory, {"rate": 200.0, "tau_refrac": 6.0},
     r"rate \* tau_refrac must be at most 1 .*\(neuron 0 has rate = 200, "
     r"tau_refrac = 6\)"),
    (sim.SpikeSourceGamma, {"alpha": 17}, r"alpha must be a whole number "
     r"from 1 to 16"),
    (sim.SpikeSourceGamma, {"alpha": 0}, r"alpha must be a whole number"),
    # Refused as written, not cut to an integer first.
    (sim.SpikeSourceGamma, {"alpha": 2.5}, r"alpha must be a whole number "
     r".*\(neuron 0 has alpha = 2.5\)"),
    (sim.SpikeSourceGamma, {"alpha": 0.5}, r"alpha must be a whole number "
     r".*\(neuron 0 has alpha = 0.5\)"),
])
def test_values_the_standard_cells_cannot_take_are_refused(cell, params,
                                                           message):
    with pytest.raises(errors.InvalidParameterValueError,
                       match="^cells: " + message):
        sim.Population(3, cell(**params), label="cells")


def test_a_set_outside_the_limits_keeps_the_values():
    p = sim.Population(3, sim.IF_curr_exp(tau_m=20.0), label="p")
    sim.run(1.0)
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"^p: tau_m must be > 0 \(neuron 2 has "):
        p[1:].set(tau_m=[15.0, -15.0])
    assert list(p.get("tau_m", simplify=False)) == [20.0, 20.0, 20.0]
    sources = sim.Population(2, sim.SpikeSourcePoissonRefractory(
        rate=100.0, tau_refrac=5.0))
    sources.set(rate=50.0, tau_refrac=20.0)   # one step within the limit
    sim.run(1.0)


def test_synapse_values_outside_the_limits_are_refused():
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(
        2, sim.IF_curr_exp())
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"^tm: U must be in \[0, 1\] \(connection 0 "
                       r"has U = 1.5\)"):
        sim.Projection(a, b, sim.OneToOneConnector(),
                       sim.TsodyksMarkramSynapse(U=1.5), label="tm")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0,
                                                       w_max=0.5),
        weight=0.1, delay=1.0, dendritic_delay_fraction=0)
    prj = sim.Projection(a, b, sim.OneToOneConnector(), stdp, label="stdp")
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"^stdp: w_min must be at most w_max "
                       r"\(connection 0 has w_min = 1, w_max = 0.5\)"):
        prj.set(w_min=1.0)
    assert list(prj.get("w_min", format="list", with_address=False)) == \
        [0.0, 0.0]
    with pytest.raises(errors.InvalidParameterValueError,
                       match=r"tau_minus must be > 0"):
        prj.set(tau_minus=0.0)
    sim.run(1.0)


def test_refractory_period_per_neuron():
    """tau_refrac set per neuron: each neuron fires as a population with
    its value alone, and setting it between runs needs no new build."""
    cell = dict(i_offset=2.0, v_thresh=-60.0)
    p = sim.Population(3, sim.IF_curr_exp(tau_refrac=[1.0, 2.0, 3.0], **cell))
    alone = [sim.Population(1, sim.IF_curr_exp(tau_refrac=t, **cell))
             for t in (1.0, 2.0, 3.0)]
    for q in [p] + alone:
        q.record("spikes")
    sim.run(40.0)
    per_neuron = spike_lists(p)
    assert per_neuron == [spike_lists(q)[0] for q in alone]
    isi = [np.diff(s)[:3] for s in per_neuron]
    assert all(len(d) == 3 for d in isi)
    # Regular firing; one more millisecond of refractoriness, 10 more steps
    # per interval.
    for a, b in zip(isi, isi[1:]):
        assert np.allclose(a, a[0], rtol=0, atol=1e-9)
        assert np.allclose(b - a, 1.0, rtol=0, atol=1e-9)
    p.set(tau_refrac=2.0)
    sim.run(40.0)
    assert sim.simulator.state.builds == 1
    later = [np.diff([t for t in s if t > 45.0]) for s in spike_lists(p)]
    assert np.allclose(later[0], later[2], rtol=0, atol=1e-9)
    assert np.allclose(later[0], isi[1][-1], rtol=0, atol=1e-9)


def test_initialize_with_random_distributions():
    p = sim.Population(50, sim.IF_cond_exp(v_thresh=0.0))
    rng = NumpyRNG(seed=9)
    p.initialize(v=RandomDistribution("normal", (-60.0, 3.0), rng=rng),
                 gsyn_exc=0.01)
    expected = np.random.RandomState(9).normal(-60.0, 3.0, 50)
    p.record(["v", "gsyn_exc"])
    sim.run(2.0)
    seg = p.get_data().segments[0]
    v = seg.filter(name="v")[0]
    assert v.magnitude[0] == pytest.approx(expected)
    g = seg.filter(name="gsyn_exc")[0]
    assert g.magnitude[0] == pytest.approx(0.01)
    assert g.magnitude[-1] == pytest.approx(0.01 * np.exp(-2.0 / 5.0))
    # The same values after reset (drawn once).
    sim.reset()
    sim.run(1.0)
    v = p.get_data().segments[1].filter(name="v")[0]
    assert v.magnitude[0] == pytest.approx(expected)
    assert p[3].get_initial_value("v") == pytest.approx(expected[3])


def test_initialize_between_runs_sets_the_state():
    p = sim.Population(2, sim.IF_curr_exp(v_thresh=0.0))
    p.record("v")
    sim.run(5.0)
    p[1:2].initialize(v=-40.0)
    sim.run(5.0)
    v = p.get_data().segments[0].analogsignals[0].magnitude
    assert v[50, 1] == pytest.approx(-40.0)
    assert v[50, 0] < -64.9


def test_assembly():
    a = sim.Population(3, sim.IF_curr_exp(i_offset=1.0, tau_refrac=2.0),
                       label="a")
    b = sim.Population(2, sim.Izhikevich(i_offset=0.01), label="b")
    both = a + b
    assert both.size == 5
    both.record(["spikes", "v"])
    both.initialize(v=-66.0)
    sim.run(100.0)
    data = both.get_data()
    assert len(data.segments[0].spiketrains) == 5
    assert data.segments[0].analogsignals[0].shape == (1001, 5)
    assert all(len(st) > 2 for st in data.segments[0].spiketrains)
    counts = both.get_spike_counts()
    assert len(counts) == 5 and min(counts.values()) > 2


# Connectors ------------------------------------------------------------------


CONNECTORS = [
    ("AllToAll", lambda r: sim.AllToAllConnector(
        allow_self_connections=False)),
    ("OneToOne", lambda r: sim.OneToOneConnector()),
    ("FixedProbability", lambda r: sim.FixedProbabilityConnector(0.3, rng=r)),
    ("FixedNumberPre", lambda r: sim.FixedNumberPreConnector(3, rng=r)),
    ("FixedNumberPost", lambda r: sim.FixedNumberPostConnector(2, rng=r)),
    ("FixedTotalNumber", lambda r: sim.FixedTotalNumberConnector(17, rng=r)),
    ("DistanceDependent", lambda r: sim.DistanceDependentProbabilityConnector(
        "exp(-d / 3)", rng=r)),
    ("IndexBased", lambda r: sim.IndexBasedProbabilityConnector(
        _IndexProbability(), rng=r)),
    ("DisplacementDependent",
     lambda r: sim.DisplacementDependentProbabilityConnector(
         lambda d: np.exp(-abs(d[0]) / 2.0), rng=r)),
    ("FromList", lambda r: sim.FromListConnector(
        [(0, 1, 0.2, 1.5), (3, 1, 0.3, 2.0), (0, 1, 0.4, 0.5),
         (7, 0, 0.1, 1.0)])),
    ("Array", lambda r: sim.ArrayConnector(
        np.arange(8 * 6).reshape(8, 6) % 4 == 1)),
]


class _IndexProbability(IndexBasedExpression):
    def __call__(self, i, j):
        return np.where((i + j) % 3 == 0, 0.8, 0.1)


def _built_synapses(prj):
    """(pre, post) of every synapse of the Neuro network, as indices of
    the projection's pre and post (Populations here)."""
    out = []
    for g in network()._groups[prj]:
        pre, post, _ = network().sim.connections(g.name)
        out += list(zip(pre.tolist(), post.tolist()))
    return sorted(out)


@pytest.mark.parametrize("name,make", CONNECTORS, ids=[c[0] for c in
                                                       CONNECTORS])
def test_connectors_give_pynn_connection_lists(name, make):
    """Each connector gives the connections of PyNN's machinery (pyNN.mock
    with the same RNG seed), and the Neuro network has exactly them."""
    import pyNN.mock as mock

    def build(backend):
        backend.setup(timestep=0.1)
        pre = backend.Population(8, backend.IF_cond_exp())
        post = backend.Population(6, backend.IF_cond_exp())
        w = RandomDistribution("uniform", (0.01, 0.02), rng=NumpyRNG(3))
        return backend.Projection(pre, post, make(NumpyRNG(seed=11)),
                                  backend.StaticSynapse(weight=w, delay=1.0))
    expected = sorted(build(mock).get(["weight", "delay"], format="list"))
    prj = build(sim)
    got = sorted(prj.get(["weight", "delay"], format="list"))
    assert len(got) == len(expected) > 0
    for (i, j, w, d), (i2, j2, w2, d2) in zip(got, expected):
        assert (i, j) == (i2, j2)
        assert w == pytest.approx(w2) and d == pytest.approx(round(d2, 1))
    sim.run(0.1)
    assert _built_synapses(prj) == sorted((i, j) for i, j, _, _ in got)


def test_clone_and_file_connectors(tmp_path):
    pre = sim.Population(5, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(4, sim.IF_curr_exp())
    ref = sim.Projection(pre, post, sim.FixedProbabilityConnector(
        0.5, rng=NumpyRNG(2)), sim.StaticSynapse(weight=0.5, delay=2.0))
    clone = sim.Projection(pre, post, sim.CloneConnector(ref),
                           sim.StaticSynapse(weight=0.25, delay=1.0))
    assert sorted(clone.get("weight", format="list")) == sorted(
        (i, j, 0.25) for i, j, _ in ref.get("weight", format="list"))
    path = str(tmp_path / "conns.txt")
    ref.save(["weight", "delay"], path, format="list")
    back = sim.Projection(pre, post, sim.FromFileConnector(path),
                          sim.StaticSynapse())
    assert sorted(back.get(["weight", "delay"], format="list")) == sorted(
        ref.get(["weight", "delay"], format="list"))


def test_views_and_assemblies_as_pre_and_post():
    a = sim.Population(4, sim.SpikeSourceArray(
        spike_times=[[10.0], [20.0], [30.0], [40.0]]))
    b = sim.Population(3, sim.IF_curr_delta(v_thresh=0.0))
    c = sim.Population(2, sim.IF_curr_delta(v_thresh=0.0))
    prj = sim.Projection(a[[3, 1]], b[1:3] + c, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=1.0, delay=1.0))
    assert len(prj) == 8
    assert sorted(prj.get("weight", format="list")) == sorted(
        (i, j, 1.0) for i in range(2) for j in range(4))
    b.record("v")
    c.record("v")
    sim.run(50.0)
    vb = b.get_data().segments[0].analogsignals[0].magnitude
    vc = c.get_data().segments[0].analogsignals[0].magnitude
    # a[1] spikes at 20 ms, a[3] at 40 ms: +1 mV at 21 and 41 ms each, in
    # b[1], b[2], c[0], c[1], not in b[0].
    for v in (vb[:, 1], vb[:, 2], vc[:, 0], vc[:, 1]):
        assert v[210] - v[209] == pytest.approx(1.0, abs=0.01)
        assert v[410] - v[409] == pytest.approx(1.0, abs=0.01)
    assert abs(vb[415, 0] - vb[200, 0]) < 0.01


# Weights and delays --------------------------------------------------------


def test_weights_get_and_set_between_runs():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]))
    cells = sim.Population(3, sim.IF_curr_exp(v_thresh=0.0))
    prj = sim.Projection(src, cells, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=1.0, delay=1.0))
    prj.set(weight=np.array([[0.5, 1.0, 2.0]]))
    assert prj.get("weight", format="array").tolist() == [[0.5, 1.0, 2.0]]
    cells.record("isyn_exc")
    sim.run(20.0)
    w = network().sim[f"{network()._groups[prj][0].name}.w"]
    assert sorted(w * 1e9) == pytest.approx([0.5, 1.0, 2.0])
    prj.set(weight=0.0)
    prj[2].weight = 3.0
    assert prj.get("weight", format="list") == [(0, 0, 0.0), (0, 1, 0.0),
                                                (0, 2, 3.0)]
    sim.run(20.0)
    # A spike arriving at T shows in the sample at T (after its events).
    isyn = cells.get_data().segments[0].analogsignals[0].magnitude
    assert isyn[110] == pytest.approx([0.5, 1.0, 2.0], rel=1e-12)
    assert isyn[310] == pytest.approx(
        isyn[309] * np.exp(-0.02) + np.array([0.0, 0.0, 3.0]), rel=1e-12)
    assert sim.simulator.state.builds == 1   # weights need no rebuild


def test_delays_are_compiled_and_set_by_compiling_again():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 40.0]))
    cell = sim.Population(1, sim.IF_curr_delta(v_thresh=0.0))
    prj = sim.Projection(src, cell, sim.OneToOneConnector(),
                         sim.StaticSynapse(weight=1.0, delay=1.23))
    assert prj.get("delay", format="list") == [(0, 0, pytest.approx(1.2))]
    cell.record("v")
    sim.run(30.0)
    prj.set(delay=5.0)
    sim.run(30.0)
    assert sim.simulator.state.builds == 2
    v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    jumps = np.nonzero(np.diff(v) > 0.5)[0] + 1
    assert (jumps / 10.0).tolist() == pytest.approx([11.2, 45.0])


# Synapse types ---------------------------------------------------------------


def test_synapse_models_per_receptor_and_cell():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(),
        weight_dependence=sim.MultiplicativeWeightDependence(w_max=0.5),
        weight=0.1, dendritic_delay_fraction=0)
    made = {}
    for cell in ("IF_curr_exp", "IF_curr_alpha", "IF_cond_exp",
                 "IF_cond_alpha", "EIF_cond_alpha_isfa_ista", "HH_cond_exp",
                 "IF_curr_delta", "Izhikevich"):
        post = sim.Population(1, getattr(sim, cell)())
        for receptor, w in (("excitatory", 0.1), ("inhibitory", -0.1)):
            if post.conductance_based:
                w = abs(w)
            for syn in (sim.StaticSynapse(weight=w),
                        sim.TsodyksMarkramSynapse(weight=w), stdp):
                if syn is stdp and w < 0:
                    continue
                prj = sim.Projection(src, post, sim.OneToOneConnector(), syn,
                                     receptor_type=receptor)
                made[(cell, receptor, type(syn).__name__)] = prj
    sim.run(1.0)
    model = network().model.projections
    names = {k: model[network()._groups[p][0].name] for k, p in made.items()}
    assert names[("IF_curr_exp", "inhibitory", "StaticSynapse")]["rows"] == \
        ["w"]
    src_text = network()._net.source()
    for imp in ("InhCurrent", "ExcCurrentAlphaTM", "InhConductanceTM",
                "ExcConductanceAlphaMulSTDP", "DeltaTM", "DeltaMulSTDP",
                "std.synapses.Delta"):
        assert imp in src_text


def test_tsodyks_markram_tau_syn_follows_the_target_and_u_is_initialized():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 10.0]))
    post = sim.Population(2, sim.IF_curr_exp(tau_syn_E=[2.0, 7.0]))
    prj = sim.Projection(src, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=1.0, U=0.2,
                                                   tau_facil=100.0))
    prj.initialize(u=0.5)
    sim.run(8.0)
    groups = network()._groups[prj]
    assert len(groups) == 2   # one Neuro projection per target tau_syn
    source = network()._net.source()
    assert "tau_syn = 2.0 ms" in source and "tau_syn = 7.0 ms" in source
    # u decays from 0.5 until the first spike arrives (5.1 ms: the delay is
    # the minimum, dt), which facilitates it by 0.2 (1 - u).
    u = 0.5 * np.exp(-5.1 / 100.0)
    for g in groups:
        assert network().sim[f"{g.name}.u"] == pytest.approx(
            u + 0.2 * (1 - u), rel=1e-12)


def test_stdp_dendritic_delay_fraction_is_zero():
    sim.STDPMechanism._warned = False
    with pytest.warns(UserWarning, match="dendritic_delay_fraction"):
        sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                          weight_dependence=sim.AdditiveWeightDependence())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                          weight_dependence=sim.AdditiveWeightDependence(),
                          dendritic_delay_fraction=0.0)


def test_procedural_api(tmp_path):
    assert sim.get_time_step() == 0.1
    assert sim.get_min_delay() == 0.1
    cells = sim.create(sim.IF_curr_exp, {"i_offset": 1.5, "tau_refrac": 2.0},
                       n=3)
    src = sim.create(sim.SpikeSourceArray, {"spike_times": [1.0]})
    prj = sim.connect(src, cells, weight=0.5, delay=1.0, p=1.0)
    assert len(prj) == 3
    sim.initialize(cells, v=-60.0)
    sim.set(cells, tau_m=15.0)
    path = str(tmp_path / "spikes.pkl")
    sim.record("spikes", cells, path)
    assert sim.run_for(20.0) == pytest.approx(20.0)
    assert sim.run_until(35.0) == pytest.approx(35.0)
    assert sim.get_current_time() == pytest.approx(35.0)
    sim.end()
    assert os.path.exists(path)


@pytest.mark.parametrize("switch", [50.0, 20.5])
def test_continuing_after_compiling_again_is_exact(switch):
    """A compiled value set between runs compiles the network again, which
    carries the neurons' and synapses' states over, and the spikes in
    flight (at 20.5 ms the sources' spikes of 20 ms, delayed 1 and 1.5 ms,
    and the cells' own through a 2 ms autapse): the same as without."""
    def run(recompile):
        sim.setup(timestep=0.1)
        src = sim.Population(2, sim.SpikeSourceArray(
            spike_times=[[5.0, 20.0, 35.0, 60.0, 75.0], [12.0, 44.0, 66.0]]))
        cells = sim.Population(3, sim.IF_cond_exp(tau_refrac=2.0,
                                                  i_offset=0.3))
        cells.initialize(v=[-60.0, -62.0, -64.0])
        sim.ACSource(amplitude=0.2, start=0, stop=100, frequency=30.0
                     ).inject_into(cells)
        sim.Projection(src, cells, sim.AllToAllConnector(),
                       sim.TsodyksMarkramSynapse(weight=0.02, delay=1.0,
                                                 tau_rec=50.0,
                                                 tau_facil=20.0))
        stdp = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(A_plus=0.1, A_minus=0.1),
            weight_dependence=sim.AdditiveWeightDependence(w_max=0.05),
            weight=0.03, delay=1.5, dendritic_delay_fraction=0)
        prj = sim.Projection(src, cells, sim.AllToAllConnector(), stdp)
        sim.Projection(cells, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=0.01, delay=2.0))
        cells.record(["v", "spikes"])
        sim.run(switch)
        if recompile:
            src.set(spike_times=[[5.0, 20.0, 35.0, 60.0, 75.0],
                                 [12.0, 44.0, 66.0]])
        sim.run(100.0 - switch)
        seg = cells.get_data().segments[0]
        return (seg.analogsignals[0].magnitude, spike_lists(cells),
                prj.get("weight", format="array"),
                sim.simulator.state.builds)
    v1, s1, w1, b1 = run(False)
    v2, s2, w2, b2 = run(True)
    assert (b1, b2) == (1, 2)
    assert np.array_equal(v1, v2)
    assert s1 == s2 and sum(len(s) for s in s1) > 3
    assert np.array_equal(w1, w2)


def test_spikes_in_flight_repeated_in_a_step_are_carried():
    """Two spikes of one source in one step (delivered twice, as NEURON and
    NEST do) still in flight when the network is compiled again: both
    arrive, as without compiling again."""
    def run(recompile):
        sim.setup(timestep=0.1)
        times = [[10.0, 10.0], [10.0]]
        src = sim.Population(2, sim.SpikeSourceArray(spike_times=times))
        cells = sim.Population(2, sim.IF_curr_exp())
        sim.Projection(src, cells, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=1.0, delay=3.0))
        cells.record("isyn_exc")
        sim.run(11.0)
        if recompile:
            src.set(spike_times=times)
        sim.run(10.0)
        return cells.get_data().segments[0].analogsignals[0].magnitude
    once, again = run(False), run(True)
    assert sim.simulator.state.builds == 2
    assert np.array_equal(once, again)
    # Cell 0 got both spikes: twice cell 1's jump, at 13 ms.
    assert once[131, 0] == pytest.approx(2 * once[131, 1]) and once[131, 1] > 0


def test_new_population_and_projection_after_a_run():
    """A population and a projection made after the first run: the network
    is compiled again at the next run, continuing the old neurons."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]))
    a = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0, i_offset=0.5))
    tm = sim.Projection(src, a, sim.OneToOneConnector(),
                        sim.TsodyksMarkramSynapse(weight=1.0, U=0.5,
                                                  delay=1.0))
    a.record(["v", "isyn_exc"])
    sim.run(20.0)
    v20 = a.get_data().segments[0].filter(name="v")[0].magnitude[-1, 0]
    b = sim.Population(2, sim.IF_curr_exp(v_thresh=0.0))
    sim.Projection(src, b, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=2.0, delay=1.0))
    b.record("isyn_exc")
    tm.set(U=0.25)   # compiled: applies from the next run
    sim.run(20.0)
    assert sim.simulator.state.builds == 2
    seg = a.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    assert v.shape == (401,) and v[200] == v20
    isyn = seg.filter(name="isyn_exc")[0].magnitude[:, 0]
    # The spike arriving at 31 ms releases U = 0.25 of the available
    # resources: after the first release (0.5 made active, y), 20 ms of
    # NEST's propagation (active decaying with tau_syn 5 ms into inactive,
    # recovering with tau_rec 100 ms).
    h, ts, tr = 20.0, 5.0, 100.0
    pxy = ((np.exp(-h / tr) - 1) * tr - (np.exp(-h / ts) - 1) * ts) / (ts - tr)
    x = 0.5 + pxy * 0.5
    assert isyn[310] - isyn[309] * np.exp(-0.02) == pytest.approx(
        0.25 * x, rel=1e-9)
    sig = b.get_data().segments[0].analogsignals[0]   # from its creation
    assert float(sig.t_start) == 20.0 and sig.shape == (201, 2)
    assert sig.magnitude[110] == pytest.approx([2.0, 2.0], rel=1e-12)


def test_tsodyks_markram_needs_tau_rec_other_than_tau_syn():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(1, sim.IF_curr_exp(tau_syn_E=100.0))
    sim.Projection(src, post, sim.AllToAllConnector(),
                   sim.TsodyksMarkramSynapse(weight=1.0, tau_rec=100.0))
    with pytest.raises(errors.InvalidParameterValueError, match="tau_rec"):
        sim.run(1.0)
