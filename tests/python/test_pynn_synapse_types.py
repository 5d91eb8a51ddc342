"""pyNN.neuro's synapse types that only PyNN's NEURON backend has besides:
the STDP weight dependences of its StdwaGuetig mechanism, its
Vogels2011Rule, ElectricalSynapse and SimpleStochasticSynapse; which Neuro
models they become and what is refused. Their dynamics are compared with
NEURON's in test_pynn_neuron.py (the stochastic synapse's statistics
here)."""

import numpy as np
import pytest

import neuro  # noqa: F401  (makes pyNN.neuro importable)
import pyNN.neuro as sim
from pyNN import errors

pytestmark = pytest.mark.usefixtures("pynn_session")


def network():
    """The Neuro network the backend built."""
    return sim.simulator.state.network


def test_stdp_weight_dependences_of_neuron_mechanisms():
    """GutigWeightDependence and AdditivePotentiationMultiplicativeDepression
    are ...GutigSTDP (the latter with mu_plus = 0, mu_minus = 1, whatever
    the connector), Vogels2011Rule with AdditiveWeightDependence
    ...VogelsSTDP, onto every receptor of every cell family; the other
    combinations have no model, as in PyNN's NEURON backend."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    pair = sim.SpikePairRule()
    mechanisms = [
        sim.STDPMechanism(pair, sim.GutigWeightDependence(mu_plus=0.3),
                          dendritic_delay_fraction=0),
        sim.STDPMechanism(
            pair, sim.AdditivePotentiationMultiplicativeDepression(),
            dendritic_delay_fraction=0),
        sim.STDPMechanism(sim.Vogels2011Rule(rho=0.004),
                          sim.AdditiveWeightDependence(),
                          dendritic_delay_fraction=0)]
    for cell in ("IF_curr_exp", "IF_curr_alpha", "IF_cond_exp",
                 "IF_cond_alpha", "IF_curr_delta"):
        post = sim.Population(1, getattr(sim, cell)())
        for receptor in ("excitatory", "inhibitory"):
            for syn in mechanisms:
                sim.Projection(src, post, sim.FromListConnector([(0, 0)]),
                               syn, receptor_type=receptor)
    sim.run(1.0)   # every model compiles
    source = network()._net.source()
    for model in ("ExcCurrentGutigSTDP", "InhCurrentAlphaGutigSTDP",
                  "ExcConductanceVogelsSTDP", "InhConductanceAlphaVogelsSTDP",
                  "DeltaGutigSTDP", "DeltaVogelsSTDP"):
        assert model in source
    assert "mu_plus = 0.3" in source and "mu_minus = 0.5" in source
    assert "mu_plus = 0.0" in source and "mu_minus = 1.0" in source
    assert "rho = 0.004 /ms" in source
    for weight in (sim.MultiplicativeWeightDependence(),
                   sim.GutigWeightDependence()):
        with pytest.raises(errors.NoModelAvailableError):
            sim.STDPMechanism(sim.Vogels2011Rule(), weight,
                              dendritic_delay_fraction=0)


def test_gap_junctions_both_ways_between_hh_cells():
    """ElectricalSynapse: std.pynn.Gap from the source to the target and
    back, with the same weights (also when set per connection); only
    between HH_cond_exp cells, through 'source_section.gap'."""
    hh = sim.Population(3, sim.HH_cond_exp())
    cond = sim.Population(1, sim.IF_cond_exp())
    gap = dict(receptor_type="source_section.gap")
    prj = sim.Projection(hh, hh, sim.FromListConnector(
        [(0, 1, 0.01), (2, 1, 0.02)], column_names=["weight"]),
        sim.ElectricalSynapse(), **gap)
    sim.run(1.0)
    prj.set(weight=np.array([[0, 0.03, 0], [0, 0, 0], [0, 0.04, 0]]))
    assert "std.pynn.Gap" in network()._net.source()
    forward, back = network()._groups[prj]
    assert back.mirror and not forward.mirror
    for g in (forward, back):
        w = np.empty(2)
        w[g.conns] = network().sim[f"{g.name}.w"]
        np.testing.assert_allclose(w, [0.03e-6, 0.04e-6], rtol=1e-12)
    assert sorted(prj.get("weight", format="list")) == [
        (0, 1, 0.03), (2, 1, 0.04)]
    with pytest.raises(errors.ConnectionError, match="receptor"):
        sim.Projection(cond, hh, sim.AllToAllConnector(),
                       sim.ElectricalSynapse(weight=0.01), **gap)
    with pytest.raises(errors.ConnectionError):
        sim.Projection(hh, cond, sim.AllToAllConnector(),
                       sim.ElectricalSynapse(weight=0.01), **gap)
    with pytest.raises(NotImplementedError, match="ElectricalSynapse"):
        sim.Projection(hh, hh, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.01), **gap)
    with pytest.raises(NotImplementedError, match="source_section.gap"):
        sim.Projection(hh, hh, sim.AllToAllConnector(),
                       sim.ElectricalSynapse(weight=0.01),
                       receptor_type="excitatory")



def test_simple_stochastic_synapse_transmits_a_share_p():
    """SimpleStochasticSynapse: each spike passes with probability p, a
    draw per spike and connection. 400 spikes of one source onto 5
    IF_curr_delta cells that only add up their kicks (no leak to speak
    of, the threshold out of reach): each cell's v rises by w = 0.1 mV per
    spike passed, Binomial(400, 0.3) (mean 120, sd 9.2): every count
    within 5 sd, the 2,000 together within 0.045 of 0.3 (4.4 sd); the
    cells' counts differ; a second run of the same script is the same."""
    def run():
        sim.setup(timestep=0.1)
        src = sim.Population(1, sim.SpikeSourceArray(
            spike_times=np.arange(1.0, 401.0)))
        cells = sim.Population(5, sim.IF_curr_delta(
            tau_m=1e9, v_rest=0.0, v_reset=0.0, v_thresh=1e4))
        cells.initialize(v=0.0)
        sim.Projection(src, cells, sim.AllToAllConnector(),
                       sim.SimpleStochasticSynapse(weight=0.1, delay=0.5,
                                                   p=0.3))
        cells.record("v")
        sim.run(402.0)
        v = cells.get_data().segments[0].analogsignals[0].magnitude[-1]
        return np.rint(v / 0.1).astype(int), v
    counts, v = run()
    assert np.all(np.abs(v - 0.1 * counts) < 1e-4)   # leak: 2.5e-6 mV
    assert np.all(np.abs(counts - 120) < 46), counts
    assert abs(counts.sum() / 2000 - 0.3) < 0.045, counts
    assert np.unique(counts).size > 1, counts
    again, _ = run()
    assert np.array_equal(counts, again)


def test_simple_stochastic_synapse_models_and_limits():
    """SimpleStochasticSynapse is ...Stochastic onto every receptor;
    p outside [0, 1] is refused."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    st = sim.SimpleStochasticSynapse(p=0.2)
    assert st.neuro_synapse("ConductanceAlpha", "inhibitory") == (
        "InhConductanceAlphaStochastic",
        "std.pynn.InhConductanceAlphaStochastic")
    assert st.neuro_synapse("Delta", "excitatory") == (
        "DeltaStochastic", "std.pynn.DeltaStochastic")
    cells = sim.Population(2, sim.IF_cond_alpha())
    sim.Projection(src, cells, sim.AllToAllConnector(), st,
                   receptor_type="inhibitory")
    sim.run(10.0)
    with pytest.raises(errors.ConnectionError, match="joins cells 0 and 1 "
                       "twice"):
        sim.Projection(src, cells, sim.FromListConnector(
            [(0, 0), (0, 1), (0, 1)]), st)
    with pytest.raises(errors.InvalidParameterValueError, match="p must be"):
        sim.Projection(src, cells, sim.AllToAllConnector(),
                       sim.SimpleStochasticSynapse(p=1.5))
        sim.run(10.0)


def _stochastic_tm_replay(times, U, tau_rec, tau_facil, n, seed):
    """The share of n synapses that release at each spike, by the
    algorithm of NEURON's StochasticTsodyksMarkramWA (numpy's draws)."""
    rng = np.random.default_rng(seed)
    u, recovered, t_surv = np.zeros(n), np.ones(n, bool), np.zeros(n)
    t_last, shares = 0.0, []
    for t in times:
        u = (u * np.exp(-(t - t_last) / tau_facil) * (1 - U) + U
             if tau_facil > 0 else np.full(n, U))
        t_last = t
        back = ~recovered & (rng.random(n) > np.exp(-(t - t_surv) / tau_rec))
        t_surv[~recovered & ~back] = t
        recovered |= back
        release = recovered & (rng.random(n) < u)
        recovered &= ~release
        t_surv[release] = t
        shares.append(release.mean())
    return np.array(shares)


@pytest.mark.parametrize("tau_facil", [0.0, 50.0])
def test_stochastic_tsodyks_markram_releases_as_neuron_mechanism(tau_facil):
    """StochasticTsodyksMarkramSynapse: the share of 2,000 connections that
    release at each of 15 spikes 20 ms apart (from IF_curr_delta cells
    that add up their kicks) against NEURON's algorithm replayed on
    200,000 synapses: within 0.045 (5 sd of the 2,000) at every spike,
    the first spike's share within it of U; depression brings it below
    half of U."""
    U, tau_rec = 0.4, 100.0
    times = np.arange(15) * 20.0 + 1.0
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=times))
    cells = sim.Population(2000, sim.IF_curr_delta(
        tau_m=1e9, v_rest=0.0, v_reset=0.0, v_thresh=1e4))
    cells.initialize(v=0.0)
    sim.Projection(src, cells, sim.AllToAllConnector(),
                   sim.StochasticTsodyksMarkramSynapse(
                       weight=0.1, delay=1.0, U=U, tau_rec=tau_rec,
                       tau_facil=tau_facil))
    cells.record("v", sampling_interval=1.0)
    sim.run(300.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    kicks = np.rint(v[(times + 10.0).astype(int)] / 0.1)   # after arrival
    shares = np.diff(np.vstack([np.zeros(2000), kicks]), axis=0).mean(axis=1)
    want = _stochastic_tm_replay(times, U, tau_rec, tau_facil, 200000, 5)
    assert np.all(np.abs(shares - want) < 0.045), (shares, want)
    assert abs(shares[0] - U) < 0.045
    assert shares[-5:].mean() < U / 2, shares
