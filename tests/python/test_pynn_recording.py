"""pyNN.neuro's current sources, recording into Neo (views, assemblies,
sampling, cells added later), the random spike sources, segments and
files. The rest of the API is in test_pynn_api.py; comparisons with
PyNN's NEURON backend are in test_pynn_neuron.py."""

import os

import numpy as np
import pytest

import neuro  # noqa: F401  (makes pyNN.neuro importable)
import pyNN.neuro as sim
from pyNN import errors

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Calling nonzero on 0d arrays:DeprecationWarning"),
    pytest.mark.usefixtures("pynn_session")]


def spike_lists(pop):
    return [st.magnitude.tolist()
            for st in pop.get_data("spikes").segments[-1].spiketrains]


# Current sources -------------------------------------------------------------


def test_current_sources_sum_and_late_injection():
    p = sim.Population(3, sim.IF_curr_exp(v_thresh=0.0))
    sim.DCSource(amplitude=1.0, start=5.0, stop=15.0).inject_into(p)
    sim.StepCurrentSource(times=[10.0, 20.0], amplitudes=[0.5, 0.0]
                          ).inject_into(p[[0, 2]])
    p.record("v")
    sim.run(30.0)
    # The table of i_inj has a row per 5 ms, the longest interval that
    # divides every change (a row per step and neuron would not fit long
    # runs of large populations).
    files = sim.simulator.state.network._net._files.name
    table = np.load(os.path.join(files, "i_inj_P0.npy"))
    assert table.tolist() == [[0, 0, 0], [1, 1, 1], [1.5, 1, 1.5],
                              [0.5, 0, 0.5], [0, 0, 0]]
    sim.DCSource(amplitude=2.0, start=35.0, stop=40.0).inject_into([p[1]])
    sim.run(20.0)
    v = p.get_data().segments[0].analogsignals[0].magnitude
    slope = np.diff(v, axis=0) / 0.1   # mV/ms at the start of each step
    leak = (-65.0 - v[:-1]) / 20.0
    current = (slope - leak)            # nA (1 nF)
    assert np.allclose(current[[70, 120, 170, 370, 450]],
                       [[1, 1, 1], [1.5, 1, 1.5], [0.5, 0, 0.5],
                        [0, 2, 0], [0, 0, 0]], atol=0.02)
    assert sim.simulator.state.builds == 2


def test_current_source_data():
    p = sim.Population(1, sim.IF_curr_exp())
    ac = sim.ACSource(amplitude=1.0, frequency=100.0, start=2.0, stop=8.0)
    ac.inject_into(p)
    ac.record()
    sim.run(10.0)
    sig = ac.get_data()
    assert sig.shape[0] == 101
    assert float(sig.magnitude[25]) == pytest.approx(
        np.sin(2 * np.pi * 0.1 * 0.5))
    assert float(sig.magnitude[90]) == 0.0


def test_noisy_current_switches_at_the_nearest_step():
    # dt 0.25 ms at a 0.1 ms step: value j from the step nearest 10 + 0.25
    # j ms, half-way to the earlier (NEURON's IClamp: 10.0, 10.2, 10.5,
    # 10.7, 11.0, ...), not the step after (10.3, 10.8, ...).
    p = sim.Population(1, sim.IF_curr_exp())
    np.random.seed(5)
    noise = sim.NoisyCurrentSource(mean=0.1, stdev=0.3, start=10.0,
                                   stop=12.0, dt=0.25)
    noise.inject_into(p)
    noise.record()
    sim.run(13.0)
    i = np.asarray(noise.get_data().magnitude).ravel()
    changes = np.nonzero(np.diff(i))[0] + 1
    assert [round(k * 0.1, 1) for k in changes] == [
        10.0, 10.2, 10.5, 10.7, 11.0, 11.2, 11.5, 11.7, 12.0]
    assert i[100] == pytest.approx(0.1 + 0.3 * noise._draws[0])
    assert i[102] == pytest.approx(0.1 + 0.3 * noise._draws[1])


# Recording -------------------------------------------------------------------


def test_recording_shapes_units_and_sampling():
    p = sim.Population(5, sim.EIF_cond_exp_isfa_ista(i_offset=1.0),
                       label="eif")
    p[1:4].record(["v", "w", "gsyn_exc"], sampling_interval=1.0)
    p.record("spikes")
    sim.run(50.0)
    block = p.get_data()
    assert block.name == "eif"
    seg = block.segments[0]
    sigs = {s.name: s for s in seg.analogsignals}
    assert set(sigs) == {"v", "w", "gsyn_exc"}
    for s in sigs.values():
        assert s.shape == (51, 3)
        assert float(s.sampling_period.rescale("ms")) == 1.0
        assert float(s.t_start) == 0.0
        assert s.array_annotations["channel_index"].tolist() == [1, 2, 3]
    assert str(sigs["v"].units.dimensionality) == "mV"
    assert str(sigs["w"].units.dimensionality) == "nA"
    assert str(sigs["gsyn_exc"].units.dimensionality) == "uS"
    assert len(seg.spiketrains) == 5
    assert all(float(st.t_stop) == 50.0 for st in seg.spiketrains)
    # Each train names its cell, as PyNN's other backends annotate them.
    assert [st.annotations["source_index"] for st in seg.spiketrains] == \
        list(range(5))
    assert [st.annotations["source_id"] for st in seg.spiketrains] == \
        [int(c) for c in p.all_cells]
    # v from the simulation: the first sample is the initial value.
    assert sigs["v"].magnitude[0] == pytest.approx(-70.6)


def test_recording_added_after_a_run_and_clear():
    p = sim.Population(2, sim.IF_curr_exp(i_offset=2.0, tau_refrac=2.0))
    p.record("spikes")
    sim.run(20.0)
    p.record("v")
    sim.run(20.0)
    v = p.get_data("v").segments[0].analogsignals[0].magnitude
    assert v.shape == (401, 2)
    assert np.isnan(v[:200]).all() and not np.isnan(v[200:]).any()
    n = sum(len(st) for st in p.get_data().segments[0].spiketrains)
    assert n >= 6
    p.get_data(clear=True)
    sim.run(10.0)
    seg = p.get_data().segments[0]
    assert all(float(st.min()) > 40.0 for st in seg.spiketrains if len(st))
    assert float(seg.analogsignals[0].t_start) == 40.0


def test_recording_again_and_a_refused_interval_change_nothing():
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    with pytest.raises(ValueError, match="whole number of time steps"):
        p.record("v", sampling_interval=0.15)
    assert not p.recorder.recorded.get("v")
    assert p.recorder.sampling_interval == 0.1
    p.record("v", sampling_interval=1.0)
    sim.run(5.0)
    p.record("v")          # recorded already: as before
    p[0:2].record("v")
    sim.run(5.0)
    v = p.get_data("v").segments[0].analogsignals[0]
    assert v.shape == (11, 3) and not np.isnan(v.magnitude).any()


def test_bad_values_of_sources_cells_and_lists_are_refused():
    p = sim.Population(3, sim.IF_curr_exp(), label="cells")
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0], []]),
                         label="src")
    with pytest.raises(ValueError, match="DCSource: amplitude must be "
                       "finite, not nan"):
        sim.DCSource(amplitude=np.nan)
    with pytest.raises(ValueError, match=r"DCSource: stop \(1.0 ms\) is "
                       r"before start \(5.0 ms\)"):
        sim.DCSource(start=5.0, stop=1.0)
    with pytest.raises(ValueError, match="stdev must be >= 0"):
        sim.NoisyCurrentSource(stdev=-1.0)
    with pytest.raises(ValueError, match="cells: initial v: nan is not a "
                       "finite number"):
        p.initialize(v=np.nan)
    # A negative index would count from the end, as numpy's do.
    with pytest.raises(errors.ConnectionError, match="presynaptic index -1 "
                       "is not one of the 2 cells of src"):
        sim.Projection(src, p, sim.FromListConnector([(-1, 1, 5.0, 1.0)]),
                       sim.StaticSynapse())
    # PyNN's FromListConnector drops a postsynaptic index it does not find
    # among the local cells; here it is an error, as a presynaptic one.
    for post in (3, -1, 2.5):
        with pytest.raises(errors.ConnectionError, match=f"postsynaptic "
                           f"index {post:g} is not one of the 3 cells"):
            sim.Projection(src, p, sim.FromListConnector(
                [(0, post, 5.0, 1.0), (1, 1, 5.0, 1.0)]), sim.StaticSynapse())
    with pytest.raises(ValueError, match="delays must be at most 2"):
        sim.Projection(src, p, sim.AllToAllConnector(),
                       sim.StaticSynapse(delay=1e9))
    for prob in (-0.5, 1.5, np.nan):
        with pytest.raises(ValueError, match="p_connect must be in "
                           r"\[0, 1\]"):
            sim.FixedProbabilityConnector(prob)
    # A source spikes at most once a step: 20 kHz at dt = 0.1 ms would be
    # cut to 10 kHz.
    with pytest.raises(errors.InvalidParameterValueError, match=r"rate must "
                       r"be at most 1 / dt \(10000 Hz"):
        sim.Population(2, sim.SpikeSourcePoisson(rate=20000.0))
    # None of the refused ones is part of the network: it runs.
    with pytest.raises(ValueError, match="at least one cell, not 0"):
        sim.Population(0, sim.IF_curr_exp())
    sim.Projection(src, p, sim.FromListConnector([(1, 2, 5.0, 1.0)]),
                   sim.StaticSynapse())
    sim.run(2.0)
    assert len(sim.simulator.state.populations) == 2
    sim.reset()   # asks every recorder: the refused population has none
    sim.run(1.0)
    sim.end()
    sim.setup(timestep=0.1)
    q = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="src is not a "
                       "population of this simulation"):
        sim.Projection(src, q, sim.AllToAllConnector())


def test_a_run_that_fails_names_the_label_and_keeps_its_data():
    p = sim.Population(3, sim.Izhikevich(i_offset=1e30), label="cortex")
    p.record("v")
    with pytest.raises(RuntimeError, match="population 'cortex'"):
        sim.run(10.0)
    t = sim.get_current_time()
    assert 0.0 < t < 10.0
    v = p.get_data().segments[0].analogsignals[0]
    assert v.shape[0] == int(round(t / 0.1)) + 1


def test_cells_added_to_a_recording_have_nothing_before():
    # Neuron 1 joins the recordings of neuron 0 at 30 ms: its spikes and
    # samples start there (NaN before), as on NEURON, even though the
    # network already recorded it. A reset starts every cell at 0 again.
    p = sim.Population(2, sim.IF_curr_exp(i_offset=1.5, tau_refrac=2.0))
    p[0:1].record(["spikes", "v"])
    sim.run(30.0)
    p[1:2].record(["spikes", "v"])
    sim.run(30.0)
    seg = p.get_data().segments[0]
    first, late = (np.asarray(st.magnitude) for st in seg.spiketrains)
    assert len(first) == 3 and first[0] < 30.0
    assert late.tolist() == first[first > 30.0].tolist()
    v = seg.analogsignals[0].magnitude
    assert v.shape == (601, 2)
    assert not np.isnan(v[:, 0]).any()
    assert np.isnan(v[:300, 1]).all() and not np.isnan(v[300:, 1]).any()
    assert p.get_spike_counts() == {p[0]: 3, p[1]: 1}
    sim.reset()
    sim.run(20.0)
    seg = p.get_data().segments[1]
    assert [len(st) for st in seg.spiketrains] == [1, 1]
    assert not np.isnan(seg.analogsignals[0].magnitude).any()


def test_spike_source_array_times_are_kept():
    times = [[0.5, 3.0, 12.34], [7.0], []]   # on the grid: 12.3
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=times))
    src.record("spikes")
    sim.run(20.0)
    assert spike_lists(src) == [pytest.approx([0.5, 3.0, 12.3]),
                                pytest.approx([7.0]), []]
    src[2:3].set(spike_times=[25.0, 26.0])
    sim.run(10.0)
    assert spike_lists(src)[2] == pytest.approx([25.0, 26.0])


def test_random_spike_sources():
    sim.setup(timestep=0.1, rng_seed=4)
    n = 200
    pois = sim.Population(n, sim.SpikeSourcePoisson(rate=20.0, start=100.0,
                                                     duration=400.0))
    refr = sim.Population(n, sim.SpikeSourcePoissonRefractory(
        rate=50.0, tau_refrac=5.0))
    gamma = sim.Population(n, sim.SpikeSourceGamma(alpha=4, beta=200.0))
    for p in (pois, refr, gamma):
        p.record("spikes")
    sim.run(600.0)
    t = np.concatenate(spike_lists(pois))
    assert t.min() > 100.0 and t.max() <= 500.0
    assert len(t) / (n * 0.4) == pytest.approx(20.0, rel=0.1)
    isi = np.concatenate([np.diff(s) for s in spike_lists(refr)])
    assert isi.min() >= 5.0 - 1e-9
    assert 1000.0 / isi.mean() == pytest.approx(50.0, rel=0.1)
    isi = np.concatenate([np.diff(s) for s in spike_lists(gamma)])
    assert isi.mean() == pytest.approx(20.0, rel=0.1)
    assert isi.std() / isi.mean() == pytest.approx(0.5, rel=0.15)


# Segments and files ----------------------------------------------------------


def test_reset_starts_a_segment():
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 15.0]))
    pois = sim.Population(50, sim.SpikeSourcePoisson(rate=100.0))
    cells = sim.Population(2, sim.IF_cond_alpha(tau_refrac=2.0,
                                                i_offset=0.9))
    sim.Projection(src, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.05, delay=1.0))
    cells.record(["spikes", "v"])
    pois.record("spikes")
    sim.run(40.0)
    sim.reset({"trial": 1})
    assert sim.get_current_time() == 0.0
    sim.run(40.0)
    data = cells.get_data()
    assert len(data.segments) == 2
    assert data.segments[0].annotations["trial"] == 1
    a, b = (np.asarray(s.analogsignals[0].magnitude) for s in data.segments)
    assert a.shape == b.shape == (401, 2)
    assert np.array_equal(a, b)   # deterministic: the same again
    p = pois.get_data().segments
    assert [st.magnitude.tolist() for st in p[0].spiketrains] != \
        [st.magnitude.tolist() for st in p[1].spiketrains]


def test_write_data_round_trip(tmp_path):
    import neo
    p = sim.Population(3, sim.Izhikevich(i_offset=[0.005, 0.01, 0.015]),
                       label="izh")
    p.record(["spikes", "v", "u"])
    sim.run(50.0)
    path = str(tmp_path / "izh.pkl")
    p.write_data(path)
    back = neo.io.PickleIO(path).read_block()
    mine = p.get_data()
    assert back.name == "izh"
    for x, y in zip(back.segments[0].analogsignals,
                    mine.segments[0].analogsignals):
        assert x.name == y.name and np.array_equal(x.magnitude, y.magnitude)
    assert [len(s) for s in back.segments[0].spiketrains] == \
        [len(s) for s in mine.segments[0].spiketrains]


def test_views_get_the_data_of_their_own_cells():
    # A view asks for every variable the population records; those recorded
    # only on other cells give it nothing (as on NEURON), in an assembly
    # too, where the other population's signals remain.
    p = sim.Population(4, sim.IF_cond_exp(i_offset=1.0))
    q = sim.Population(2, sim.IF_curr_exp())
    p[0:2].record("v")
    p[2:4].record(["gsyn_exc", "spikes"])
    q.record("v")
    sim.run(5.0)
    shapes = [(s.name, s.shape)
              for s in p[0:2].get_data().segments[0].analogsignals]
    assert shapes == [("v", (51, 2))]
    assert p[0:2].get_data("gsyn_exc").segments[0].analogsignals == []
    assert len(p[0:2].get_data("spikes").segments[0].spiketrains) == 0
    seg = (p[2:4] + q).get_data("v").segments[0]
    assert [(s.name, s.shape) for s in seg.analogsignals] == [("v", (51, 2))]


@pytest.mark.parametrize("start, duration", [(100.0, 50.0), (50.0, 100.0),
                                             (0.0, 150.0), (0.3, 0.4)])
def test_poisson_sources_keep_to_start_and_duration(start, duration):
    # 1,000 cells at 1 kHz spike in every step of [start, start +
    # duration), stamped at each step's end: 100 ms + 50 ms is
    # 0.15000000000000002 s, and a step starting at 150 ms took it for
    # before the end (107 spikes past it).
    p = sim.Population(1000, sim.SpikeSourcePoisson(
        rate=1000.0, start=start, duration=duration))
    p.record("spikes")
    sim.run(200.0)
    t = np.concatenate([np.asarray(s) for s in
                        p.get_data().segments[0].spiketrains])
    steps = np.unique(np.rint(t / 0.1).astype(int))
    first, end = round(start / 0.1), round((start + duration) / 0.1)
    assert steps.tolist() == list(range(first + 1, end + 1))
