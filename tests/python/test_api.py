"""The neuro package: compiling, running, state views, spikes, recordings,
errors, checkpoints. Numbers are checked against neuroc's own files (bit
for bit) or against analytic solutions with the tolerance stated."""

import json
import os
import re
import signal
import subprocess
import threading

import numpy as np
import pytest

import neuro
from conftest import EXAMPLES, NEUROC

DECAY = """
neuron Decay {
  param tau: ms = 10 ms
  state v: mV = 10 mV
  dv/dt = -v / tau
}
network D {
  P = 3 of Decay
  run 20 ms
}
"""


def test_spikes_equal_neuroc_run(tmp_path):
    cuba = os.path.join(EXAMPLES, "cuba.neuro")
    subprocess.run([NEUROC, "run", "--duration", "100ms", "-o",
                    str(tmp_path), cuba], check=True, capture_output=True)
    expected = np.load(tmp_path / "spikes_E.npy")
    sim = neuro.compile(cuba).simulation()
    sim.run("100 ms")
    i, t = sim.spikes("E")
    assert len(i) == len(expected) > 100
    assert np.array_equal(i, expected["i"])
    assert np.array_equal(t, expected["t"])  # bit for bit
    assert sim.step == 1000
    assert sim.t == pytest.approx(0.1, abs=1e-12)


def test_run_accepts_strings_and_seconds_and_repeats():
    sim = neuro.compile_source(DECAY).simulation()
    sim.run("5 ms")
    sim.run(0.005)
    assert sim.step == 100
    sim.run()  # the model's `run 20 ms`
    assert sim.step == 300
    with pytest.raises(ValueError):
        sim.run("5 mV")
    with pytest.raises(ValueError):
        sim.run(-1.0)
    # Text after a NUL was dropped (1 ms run); an int past a double's range
    # raised OverflowError.
    with pytest.raises(ValueError, match="holds a NUL character"):
        sim.run("1 ms\x00junk")
    with pytest.raises(ValueError, match="must be finite and >= 0"):
        sim.run(10**400)
    assert sim.step == 300


def test_consecutive_runs_count_steps_as_brian2():
    # Each run ends at the step covering the sum of the durations so far,
    # as Brian2's network time: 1.04 ms three times is 11, 10, 11 steps.
    sim = neuro.compile_source(DECAY).simulation()
    steps = []
    for _ in range(3):
        before = sim.step
        sim.run("1.04 ms")
        steps.append(sim.step - before)
    assert steps == [11, 10, 11]
    sim.run("0.04 ms")  # to 3.16 ms, inside step 32: no step
    assert sim.step == 32
    sim.run("0.05 ms")  # to 3.21 ms: step 33
    assert sim.step == 33
    sim.run_until("5 ms")  # by steps: the next run counts from 5 ms
    sim.run("1.04 ms")
    assert sim.step == 61


def test_exact_decay_matches_analytic():
    sim = neuro.compile_source(DECAY).simulation()
    sim.run("20 ms")
    # Linear equations are integrated exactly: v(t) = v0 exp(-t / tau).
    expected = 0.010 * np.exp(-0.020 / 0.010)
    np.testing.assert_allclose(sim["P.v"], expected, rtol=1e-12)
    assert sim.unit("P.v") == "V"


def test_views_share_the_simulators_memory():
    sim = neuro.compile_source(DECAY).simulation()
    v = sim["P.v"]
    assert np.shares_memory(v, sim["P.v"])
    v[1] = 0.020  # written through the view ...
    sim.run("10 ms")
    # ... and integrated by the kernels: 20 mV * e^-1 against 10 mV * e^-1.
    np.testing.assert_allclose(v, [0.010 / np.e, 0.020 / np.e, 0.010 / np.e],
                               rtol=1e-12)


def test_views_a_run_leaves_stale_become_read_only():
    # In single precision (synapse rows: mixed too) a view is the double
    # copy of float32 rows, synchronized when taken: after a run a write
    # through it would be lost, so it raises; a view taken again writes.
    # In double precision views stay the kernels' memory, until reset().
    single = neuro.compile_source(DECAY, precision="single").simulation()
    old = single["P.v"]
    old[1] = 0.020   # before the run: uploaded with it
    single.run("10 ms")
    np.testing.assert_allclose(single["P.v"][1], 0.020 / np.e, rtol=1e-6)
    with pytest.raises(ValueError, match="read-only"):
        old[1] = 0.0
    fresh = single["P.v"]
    fresh[1] = 0.0
    single.run("10 ms")
    assert single["P.v"][1] == 0.0
    double = neuro.compile_source(DECAY).simulation()
    v = double["P.v"]
    double.run("10 ms")
    v[1] = 0.0
    double.run("10 ms")
    assert double["P.v"][1] == 0.0
    double.reset()
    with pytest.raises(ValueError, match="read-only"):
        v[1] = 1.0


def test_set_refuses_complex_and_boolean_arrays():
    # A complex array lost its imaginary part, a boolean one set 1 V.
    sim = neuro.compile_source(DECAY).simulation()
    for values in (np.array([1e-3 + 1e-3j] * 3), np.array([True] * 3)):
        with pytest.raises(TypeError, match="an array of numbers"):
            sim.set("P.v", values)
    np.testing.assert_array_equal(sim["P.v"], [0.010] * 3)


def test_names_must_be_strings():
    # None gave pybind11's dump of the C++ signatures.
    sim = neuro.compile_source(DECAY).simulation()
    for call in (lambda: sim.record(None, "v"),
                 lambda: sim.record_spikes(None),
                 lambda: sim.plasticity(None, True)):
        with pytest.raises(TypeError, match="name, not None"):
            call()


def test_text_that_is_not_utf8_is_refused():
    # A name holding undecodable bytes (os.listdir gives them as lone
    # surrogates) gave pybind11's dump of the C++ signatures.
    with pytest.raises(ValueError, match="not valid UTF-8"):
        neuro.compile("model\udcff.neuro")
    with pytest.raises(ValueError, match="not valid UTF-8"):
        neuro.compile_source(DECAY + "// \ud800\n")


def test_a_source_name_is_one_line():
    # Diagnostics took their file, line and column from the name.
    with pytest.raises(ValueError, match="name is one line"):
        neuro.compile_source(DECAY, name="a.neuro:9:9\nb")


def test_an_empty_folder_name_is_refused():
    # "" wrote the recordings into the current folder.
    sim = neuro.compile_source(DECAY).simulation()
    sim.run("1 ms")
    for call in (sim.write, sim.stream_to):
        with pytest.raises(ValueError, match="must be a folder's name"):
            call("")


def test_a_weight_compiled_in_is_not_a_variable():
    sim = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro")).simulation()
    with pytest.raises(KeyError, match="'E_to_E' has no variable 'w' "
                       r"\(it has none: constants, such as a weight given "
                       "as one value, are compiled into the kernels"):
        sim["E_to_E.w"]


def test_set_checks_units_and_updates_propagators():
    model = neuro.compile_source(DECAY, tunable=["P.tau"])
    sim = model.simulation()
    sim.set("P.tau", "5 ms")
    sim.run("10 ms")
    np.testing.assert_allclose(sim["P.v"], 0.010 * np.exp(-2), rtol=1e-12)
    with pytest.raises(ValueError, match=r"'P.tau' is in s \(time\), but "
                       r"'5 mV' is V \(voltage\)"):
        sim.set("P.tau", "5 mV")
    with pytest.raises(KeyError, match="no variable 'x'"):
        sim["P.x"]
    with pytest.raises(KeyError, match="no population or projection"):
        sim["Q.v"]


def test_a_refused_set_keeps_the_old_values():
    # tau = 0 has no propagator: the set raises and nothing changes, so the
    # run decays with the old tau (v = 10 mV e^(-t / 10 ms)), without NaN.
    sim = neuro.compile_source(DECAY, tunable=["P.tau"]).simulation()
    with pytest.raises(RuntimeError, match="propagator of its equations is "
                       "not finite"):
        sim.set("P.tau", "0 ms")
    np.testing.assert_array_equal(sim["P.tau"], 0.010)
    sim.run("10 ms")
    np.testing.assert_allclose(sim["P.v"], 0.010 * np.exp(-1), rtol=1e-12)
    v = sim["P.v"].copy()
    with pytest.raises(TypeError, match="a value must be a number"):
        sim.set("P.v", None)
    with pytest.raises(ValueError, match="P.v: values must be finite"):
        sim.set("P.v", [0.0, np.nan, 0.0])
    np.testing.assert_array_equal(sim["P.v"], v)


def test_threads_past_the_hardware_are_capped_with_a_warning():
    model = neuro.compile_source(DECAY)
    with pytest.warns(RuntimeWarning, match="threads=100000 is more than"):
        sim = model.simulation(threads=100000)
    assert 1 <= sim.threads < 100000


def test_overrides_nothing_takes_are_errors():
    with pytest.raises(ValueError, match="overrides name no parameter of "
                       "network 'D' and no projection's variable: typo"):
        neuro.compile_source(DECAY, overrides={"typo": 1})


def test_wrong_names_and_types_say_what_was_expected():
    sim = neuro.compile_source(DECAY).simulation()
    with pytest.raises(KeyError, match="no state recording 'nope'"):
        sim.recording("nope")
    k = sim.record("P", "v")
    assert set(sim.recording(np.int64(k))) == {"t", "v"}
    with pytest.raises(KeyError, match="no state recording True"):
        sim.recording(True)
    with pytest.raises(KeyError, match="no population 'Z'"):
        sim.rate("Z")
    with pytest.raises(ValueError, match="select none of the 3"):
        sim.set("P.v", 0.0, neurons=slice(20, 30))
    with pytest.raises(ValueError, match="not one expression"):
        neuro.network.expr("1 mV\r")
    model = neuro.compile_source(DECAY)
    with pytest.raises(TypeError, match="connectivity of 'EE' must be a "
                       "dict"):
        model.simulation(connectivity={"EE": 0.1})
    with pytest.raises(TypeError, match="settings must be a list of dicts"):
        neuro.sweep(model, {"P.v": 0.0}, "1 ms")
    with pytest.raises(KeyError, match="expected 'POPULATION.VARIABLE'"):
        sim[None]
    with pytest.raises(TypeError, match="network must be a network's name"):
        neuro.compile_source(DECAY, network=5)
    with pytest.raises(TypeError, match="needs a compiled model"):
        neuro._core.Simulation(None, None, 1, [], {})
    with pytest.raises(TypeError, match="variables must be a name or a "
                       "list of names"):
        sim.record("P", 3)
    with pytest.raises(ValueError, match="named twice"):
        sim.record("P", ["v", "v"])
    with pytest.raises(TypeError, match="settings must be a list of dicts"):
        neuro.sweep(model, ["P.v"], "1 ms")
    with pytest.raises(ValueError, match="P.v: a starting value must be "
                       "finite, not nan"):
        model.simulation(set={"P.v": float("nan")})


def test_record_slices_have_pythons_meaning_and_sizes_are_whole(tmp_path):
    sim = neuro.compile_source(DECAY).simulation()
    k = sim.record("P", "v", neurons=slice(None, -1))
    sim.run("1 ms")
    assert sim.recording(k)["v"].shape[1] == 2
    with pytest.raises(TypeError, match="slice of whole numbers"):
        sim.record("P", "v", neurons=slice(0.5, 2))
    with pytest.raises(ValueError, match="select none"):
        sim.record("P", "v", neurons=slice(2, 1))
    with pytest.raises(ValueError, match="at least one variable"):
        sim.record("P", [])
    net = neuro.Network("W", dt="0.1 ms")
    with pytest.raises(ValueError, match="size must be a whole number, not 2.9"):
        net.population("A", 2.9, "Decay")
    with pytest.raises(TypeError, match="size must be a whole number"):
        net.population("A", True, "Decay")
    with pytest.raises(ValueError, match="sources must be whole numbers"):
        net.connect_arrays("A", "A", "S", [0.7], [0])
    sim.stream_to(tmp_path / "a")
    with pytest.raises(ValueError, match="streamed to"):
        sim.write(tmp_path / "b")
    # What is streamed out is in the folder: none here, with the width.
    assert sim.recording(k)["v"].shape == (0, 2)
    sim.stream_to(tmp_path / "a")   # the same folder: nothing changes
    with pytest.raises(ValueError, match="stream to .* already; a "
                       "simulation streams to one folder"):
        sim.stream_to(tmp_path / "b")


def test_starting_values_and_seed():
    model = neuro.compile_source(DECAY)
    sim = model.simulation(set={"P.v": "-3 mV"})
    np.testing.assert_array_equal(sim["P.v"], -0.003)
    sim = model.simulation(set={"P.v": 0.004})  # numbers are SI
    np.testing.assert_array_equal(sim["P.v"], 0.004)
    with pytest.raises(ValueError, match="compiled into the kernels|tunable"):
        model.simulation(set={"P.tau": "5 ms"})
    assert model.simulation(seed=7).seed == 7


def test_compile_error_carries_diagnostics():
    source = "network N {\n  P = 3 of Nothing\n}\n"
    with pytest.raises(neuro.CompileError) as info:
        neuro.compile_source(source, name="bad.neuro")
    d = info.value.errors[0]
    assert (d.file, d.line, d.column) == ("bad.neuro", 2, 12)
    assert "Nothing" in d.message
    assert d.snippet.splitlines()[0] == "  P = 3 of Nothing"
    assert d.snippet.splitlines()[1].strip().startswith("^")
    assert "bad.neuro:2:12: error:" in str(info.value)


def test_compile_error_of_a_file(tmp_path):
    path = tmp_path / "syntax.neuro"
    path.write_text("neuron N {\n  state v: mV = \n}\n")
    with pytest.raises(neuro.CompileError) as info:
        neuro.compile(path)
    d = info.value.errors[0]
    assert d.file == str(path) and d.line == 3
    with pytest.raises(neuro.CompileError, match="cannot"):
        neuro.compile(tmp_path / "missing.neuro")


def test_nan_names_population_neuron_and_variable():
    source = """
neuron Blow {
  state v: mV = 1 mV
  dv/dt = v * v / (1 mV * 1 ms)
}
network B {
  P = 2 of Blow
  run 1 s
}
"""
    sim = neuro.compile_source(source).simulation()
    with pytest.raises(RuntimeError, match=r"P.*v|v.*P"):
        sim.run()
    assert 0 < sim.step < 10000


def _continues(model, checkpoint, step, duration, i_late, t_late):
    """A simulation of `model` restored from `checkpoint` is at `step` and
    spikes in E over `duration` as (i_late, t_late)."""
    other = model.simulation()
    other.restore(checkpoint)
    assert other.step == step
    other.run(duration)
    i, t = other.spikes("E")
    assert np.array_equal(i, i_late) and np.array_equal(t, t_late)


def test_checkpoint_restore_and_reset(tmp_path):
    model = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro"))
    sim = model.simulation()
    sim.run("50 ms")
    sim.save(tmp_path / "cp")
    sim.run("50 ms")
    i_all, t_all = sim.spikes("E")
    late = t_all > 0.05 + 1e-9
    _continues(model, tmp_path / "cp", 500, "50 ms", i_all[late], t_all[late])
    sim.reset()
    assert sim.step == 0
    sim.run("100 ms")
    assert np.array_equal(sim.spikes("E")[0], i_all)


def test_restore_keeps_the_recordings_before_the_checkpoint(tmp_path):
    # Going back to a checkpoint drops what the run past it recorded and
    # keeps what came before: the recordings are those of one run to the
    # end, bit for bit.
    model = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro"))
    whole = model.simulation()
    whole.record("I", "v", every="1 ms")
    whole.run("25 ms")
    sim = model.simulation()
    handle = sim.record("I", "v", every="1 ms")
    sim.run("10 ms")
    sim.save(tmp_path / "cp")
    sim.run("30 ms")
    sim.restore(tmp_path / "cp")
    sim.run("15 ms")
    got, want = sim.recording(handle), whole.recording(handle)
    assert len(got["t"]) == 25
    assert np.array_equal(got["t"], want["t"])
    assert np.array_equal(got["v"], want["v"])
    for a, b in zip(sim.spikes("E"), whole.spikes("E")):
        assert len(a) > 100 and np.array_equal(a, b)
    # While streaming, going back would write a second history after the
    # first: refused.
    sim.stream_to(tmp_path / "out")
    sim.run("5 ms")
    with pytest.raises(RuntimeError, match="cannot go back to the "
                       "checkpoint's t = 0.01 s while the recordings stream"
                       r".*\(restore into a new simulation, which may "
                       r"stream to another folder\)"):
        sim.restore(tmp_path / "cp")
    assert sim.t == pytest.approx(0.030)
    # Jumping ahead to another run's state keeps nothing (a gap otherwise).
    sim.save(tmp_path / "late")
    other = model.simulation()
    handle = other.record("I", "v", every="1 ms")
    other.run("5 ms")
    other.restore(tmp_path / "late")
    other.run("2 ms")
    got = other.recording(handle)
    assert np.allclose(got["t"], [0.030, 0.031])


def test_restore_counts_from_the_time_asked_for(tmp_path):
    # Runs of 1.05 ms at dt = 0.1 ms: 11 steps, then 10 (the sum, 2.1 ms,
    # is 21 steps), also when the second runs in a new simulation from a
    # checkpoint; the model's own run (no duration) counts the same way.
    model = neuro.compile_source(DECAY.replace("run 20 ms", "run 1.05 ms"))
    assert model.duration == pytest.approx(1.05e-3, rel=1e-12)
    sim = model.simulation()
    sim.run()
    assert sim.step == 11
    sim.save(tmp_path / "cp")
    other = model.simulation()
    other.restore(tmp_path / "cp")
    other.run("1.05 ms")
    assert other.step == 21
    other.run()
    assert other.step == 32
    sim.run("1.05 ms")
    assert sim.step == 21


def test_views_see_the_restored_state(tmp_path):
    # restore() writes into the rows' own memory: a view taken before
    # reads the checkpoint's values, and what it writes the next run uses.
    sim = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro")).simulation()
    sim.run("5 ms")
    saved = sim["E.v"].copy()
    sim.save(tmp_path / "cp")
    v = sim["E.v"]
    sim.run("5 ms")
    assert not np.array_equal(v, saved)
    sim.restore(tmp_path / "cp")
    assert np.shares_memory(v, sim["E.v"])
    assert np.array_equal(v, saved)
    v[:] = -0.06
    assert np.all(sim["E.v"] == -0.06)


def test_records_added_from_python(tmp_path):
    sim = neuro.compile_source(DECAY).simulation()
    sim.record("P", "v", every="1 ms", neurons=slice(0, 2))
    sim.run("10 ms")
    rec = sim.recording("P")
    assert rec["v"].shape == (10, 2)
    np.testing.assert_allclose(rec["t"], np.arange(10) * 1e-3, atol=1e-15)
    np.testing.assert_allclose(rec["v"][:, 0], 0.010 * np.exp(-rec["t"] / 0.01),
                               rtol=1e-12)
    sim.write(tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / "P_v.npy"), rec["v"])


def test_several_recordings_of_one_population_keep_their_files(tmp_path):
    # The first recording of P is written as P_*.npy, the next ones as
    # P_2_*.npy, P_3_*.npy: none overwrites another.
    sim = neuro.compile_source(DECAY).simulation()
    with pytest.raises(ValueError, match=r"every must be a whole number of "
                       r"steps \(dt = 0.1 ms\), got 0.25 ms"):
        sim.record("P", "v", every="0.25 ms")
    first = sim.record("P", "v", every="1 ms", neurons=slice(0, 2))
    second = sim.record("P", "v", every="2 ms", neurons=slice(1, 3))
    third = sim.record("P", "v")
    sim.run("10 ms")
    with pytest.raises(KeyError, match="3 state recordings"):
        sim.recording("P")
    a, b, c = (sim.recording(k) for k in (first, second, third))
    assert a["v"].shape == (10, 2) and b["v"].shape == (5, 2)
    assert c["v"].shape[0] == 100
    np.testing.assert_array_equal(b["v"][:, 0], a["v"][::2, 1])
    sim.write(tmp_path)
    for prefix, rec in (("P", a), ("P_2", b), ("P_3", c)):
        np.testing.assert_array_equal(np.load(tmp_path / f"{prefix}_v.npy"),
                                      rec["v"])
        np.testing.assert_array_equal(np.load(tmp_path / f"{prefix}_t.npy"),
                                      rec["t"])
    files = json.loads((tmp_path / "recordings.json").read_text())["files"]
    assert files["P_2_v.npy"]["times"] == "P_2_t.npy"
    assert files["P_3_t.npy"]["population"] == "P"


def test_one_writer_per_folder(tmp_path):
    # Streaming takes the folder's lock as neuroc run -o does: a second
    # simulation, or neuroc, cannot write there meanwhile (their
    # recordings overwrote each other's).
    model = neuro.compile_source(DECAY)
    a, b = model.simulation(), model.simulation()
    a.record("P", "v")
    b.record("P", "v")
    a.stream_to(tmp_path / "out")
    with pytest.raises(RuntimeError, match="another run is writing output "
                       "directory"):
        b.stream_to(tmp_path / "out")
    with pytest.raises(RuntimeError, match="another run is writing"):
        b.write(tmp_path / "out")
    src = tmp_path / "d.neuro"
    src.write_text(DECAY.replace("run 20 ms", "record v of P\n  run 20 ms"))
    r = subprocess.run([NEUROC, "run", "-o", str(tmp_path / "out"),
                        str(src)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "another run is writing output directory" in r.stderr
    a.run("3 ms")
    a.write(tmp_path / "out")   # the folder it streams to: its own lock
    assert np.load(tmp_path / "out" / "P_v.npy").shape == (30, 3)
    del a
    b.stream_to(tmp_path / "out")   # released with the simulation


def test_arguments_of_the_wrong_kind():
    model = neuro.compile_source(DECAY)
    with pytest.raises(TypeError, match="set must be a dict"):
        model.simulation(set=[("P.v", "1 mV")])
    with pytest.raises(TypeError, match="connectivity must be a dict"):
        model.simulation(connectivity="p=0.1")
    for seed in (float("nan"), float("inf"), "3"):
        with pytest.raises(ValueError, match="seed must be a whole number"):
            model.simulation(seed=seed)
    with pytest.raises(TypeError, match="text must be a string"):
        neuro.compile_source(None)
    sim = neuro.compile(os.path.join(EXAMPLES, "stdp_song2000.neuro")
                        ).simulation()
    proj = next(iter(sim.model.projections))
    with pytest.raises(TypeError, match="on is True or False, not 'off'"):
        sim.plasticity(proj, "off")


def test_network_statements_after_run_go_before_it():
    # The language builds the network before the first run; a Python
    # network puts runs (and plasticity switches) last, in their order.
    net = neuro.Network("Order")
    net.define(DECAY.split("network")[0])
    net.population("A", 2, "Decay")
    net.run("1 ms")
    net.record("A", "v")
    net.run("2 ms")
    body = net.source().split("network Order {")[1]
    assert body.index("record v of A") < body.index("run 1 ms") < \
        body.index("run 2 ms")
    sim = net.compile().simulation()
    sim.run()
    assert sim.recording(0)["v"].shape == (30, 2)


def test_network_from_python_with_arrays():
    net = neuro.Network("Arrays", seed=3)
    net.define("""
neuron Cell {
  state v: mV = 0 mV
  dv/dt = -v / 10 ms
  spike when v > 10 mV { v = 0 mV }
}
synapse Kick {
  weight w: mV
  post v: mV
  on pre { v += w }
}""")
    net.spike_times("In", 2, indices=[0, 1], times=[0.001, 0.002])
    net.population("Out", 3, "Cell")
    proj = net.connect_arrays("In", "Out", "Kick", sources=[0, 0, 1],
                              targets=[0, 2, 2], weights=[0.02, 0.005, 0.004],
                              delays=[0.0, 0.001, 0.0])
    net.record_spikes("Out")
    sim = net.compile().simulation()
    with pytest.raises(ValueError, match="no `run` statement"):
        sim.run()
    sim.run("5 ms")
    pre, post, delay = sim.connections(proj)
    order = np.lexsort((post, pre))
    assert pre[order].tolist() == [0, 0, 1]
    assert post[order].tolist() == [0, 2, 2]
    np.testing.assert_allclose(delay[order], [0.0, 0.001, 0.0], atol=1e-12)
    i, t = sim.spikes("Out")
    # Only neuron 0 gets 20 mV > 10 mV: it spikes in the step of the input
    # spike's delivery (1 ms input emitted in step 10, delivered there).
    assert i.tolist() == [0]
    assert sim["Out.v"][1] == 0.0
    # Neuron 2 gets 5 mV + 4 mV, below threshold, in step 20 (2 ms; the
    # 1 ms spike's 1 ms delay and the 2 ms spike), after that step's
    # integration; steps 21 to 49 then decay it exactly.
    np.testing.assert_allclose(sim["Out.v"][2], 0.009 * np.exp(-0.29),
                               rtol=1e-12)


def test_population_arguments_per_neuron_from_arrays():
    # Brian2's G.v = array * mV: an array of one value per neuron, in a
    # unit or dimensionless, read back as given; other shapes, lengths and
    # non-finite values are refused at the call.
    net = neuro.Network("PerNeuron")
    net.define("""
neuron Cell {
  param gain = 1
  param rate: Hz = 1 Hz
  state v: mV = 0 mV
  dv/dt = -gain * v / 10 ms
}""")
    v0 = np.array([-60.0, -55.5, -50.25])
    net.population("P", 3, "Cell", v=(v0, "mV"),
                   gain=np.array([1.0, 2.0, 0.5]),
                   rate=(np.array([10.0, 20.0, 30.0]), "1/s"))
    net.record("P", ["v", "rate"])
    sim = net.compile().simulation()
    sim.run("0.2 ms")
    v = sim.recording(0)["v"]
    np.testing.assert_array_equal(v[0], v0 * 1e-3)
    np.testing.assert_array_equal(sim.recording(0)["rate"][0], [10, 20, 30])
    # Exact decay at each neuron's own rate: the gains were read too.
    np.testing.assert_allclose(v[1], v0 * 1e-3 * np.exp(-np.array(
        [1.0, 2.0, 0.5]) * 1e-4 / 1e-2), rtol=1e-12)
    with pytest.raises(ValueError, match="2 values for 3 neurons"):
        net.population("Q", 3, "Cell", v=(np.zeros(2), "mV"))
    with pytest.raises(ValueError, match="one number per neuron"):
        net.population("Q", 2, "Cell", v=(np.zeros((2, 2)), "mV"))
    with pytest.raises(ValueError, match="finite"):
        net.population("Q", 2, "Cell", gain=np.array([1.0, np.nan]))


def test_a_recorded_let_reads_back_and_is_not_set():
    # Brian2's StateMonitor of a subexpression: the let's samples equal
    # its expression of the states sampled with it; its row is not a
    # value to set.
    net = neuro.Network("Lets")
    net.define("""
neuron Cell {
  state v: mV = -60 mV
  state g = 0.5
  let I: mV = g * (0 mV - v)
  dv/dt = (-60 mV - v + I) / 10 ms
  dg/dt = -g / 5 ms
}""")
    net.population("P", 2, "Cell")
    net.record("P", ["v", "g", "I"])
    sim = net.compile().simulation()
    sim.run("1 ms")
    r = sim.recording(0)
    np.testing.assert_array_equal(r["I"], r["g"] * (0 - r["v"]))
    with pytest.raises(ValueError, match="is a let"):
        sim["P.I"] = 1e-3


def test_spike_times_with_a_period():
    # Brian2's SpikeGeneratorGroup(period=...): the spikes again every 2 ms.
    net = neuro.Network("Periodic")
    net.spike_times("In", 2, indices=[0, 1], times=[0.0, 0.0013],
                    period="2 ms")
    net.record_spikes("In")
    sim = net.compile().simulation()
    sim.run("7 ms")
    i, t = sim.spikes("In")
    # Stamped at the end of the step holding each time (steps 0, 13, 20, ...).
    steps = np.round(t / 1e-4).astype(int).tolist()
    assert list(zip(i.tolist(), steps)) == [
        (0, 1), (1, 14), (0, 21), (1, 34), (0, 41), (1, 54), (0, 61)]
    with pytest.raises(neuro.CompileError, match="whole number of steps"):
        bad = neuro.Network("Bad")
        bad.spike_times("In", 1, indices=[0], times=[0.0], period=0.00015)
        bad.record_spikes("In")
        bad.compile()


def test_network_errors_point_into_the_source():
    net = neuro.Network("Bad")
    net.use("std.neurons.LIF")
    net.population("E", 10, "LIF", tau_m=5)  # a number where ms is needed
    with pytest.raises(neuro.CompileError) as info:
        net.compile()
    assert info.value.errors[0].file == "<network Bad>"
    with pytest.raises(ValueError):
        net.population("1bad", 3, "LIF")


def test_names_and_arrays_go_into_the_source_as_they_are_meant():
    # Owners are names or slices, never more source (a newline made a
    # statement of its own); index arrays are one-dimensional (a (3, 2)
    # array was flattened into 6 sources); tunable names name a variable.
    net = neuro.Network("N", dt="0.1 ms")
    net.use("std.neurons.LIF", "std.synapses.Delta")
    net.population("E", 4, "LIF")
    for call in (lambda: net.connect("E\nrun 5 ms", "E", "Delta", p=0.5,
                                     w="1 mV"),
                 lambda: net.connect_arrays("E", "E[0:2] x", "Delta", [0],
                                            [1], w="1 mV"),
                 lambda: net.record("E\nrun 1 ms", "v")):
        with pytest.raises(ValueError, match="must name a population"):
            call()
    with pytest.raises(ValueError, match=r"sources must be one-dimensional, "
                       r"not shape \(3, 2\)"):
        net.connect_arrays("E", "E", "Delta", np.zeros((3, 2), int),
                           np.zeros(6, int), w="1 mV")
    with pytest.raises(ValueError, match="times must be one-dimensional"):
        net.spike_times("S", 2, [0, 1, 0, 1], [[1e-3, 2e-3], [3e-3, 4e-3]])
    net.record("E[0:2]", "v")
    net.run("1 ms")
    assert net.compile().simulation().run().t == pytest.approx(1e-3)
    with pytest.raises(neuro.CompileError, match="expected POP.PARAM"):
        neuro.compile_source(DECAY, tunable=["P"])


def test_argument_strings_are_one_expression_each():
    # A string is written into the source as it is: one holding more (a
    # connect option, a second argument, a comment) is refused, not run.
    net = neuro.Network("I", dt="0.1 ms")
    net.use("std.neurons.LIF", "std.synapses.ExpCurrent")
    net.population("E", 10, "LIF", tau_m="uniform(10 ms, 20 ms)",
                   v="-60 mV + i * 0.1 mV")
    cases = [
        (dict(w="1 mV", p="0.1 delay = 5 ms"), "unexpected 'delay'"),
        (dict(w="1 mV", p=0.5, delay="1 ms n = 3"), "unexpected 'n'"),
        (dict(w="1 mV", where="i != j no_autapses"),
         "unexpected 'no_autapses'"),
        (dict(w="1 mV, tau = 1 ms", p=0.1), "a ',' outside brackets"),
        (dict(w="1 mV // note", p=0.1), "a comment"),
        (dict(w="(1 mV", p=0.1), "unbalanced brackets"),
        (dict(w="1 mV = 2", p=0.1), "unexpected '='"),
    ]
    for kwargs, why in cases:
        with pytest.raises(ValueError, match=r"not one expression: .*\(" +
                           re.escape(why)):
            net.connect("E", "E", "ExpCurrent", **kwargs)
    with pytest.raises(ValueError, match="unexpected 'v_th'"):
        net.population("F", 2, "LIF", tau_m="10 ms v_th = -40 mV")
    net.connect("E", "E", "ExpCurrent", w="0.5 mV * (1 + (i % 2))", p=0.5,
                where="i != j and j < 8", delay="0.1 ms * (1 + j % 3)")
    net.run("5 ms")
    net.compile()


def test_misuse_raises_errors_that_name_the_argument():
    # Wrong types raise TypeError (or KeyError, IndexError) naming what was
    # wrong, from the package, not numpy's or pybind11's own text.
    def net():
        n = neuro.Network("T", dt="0.1 ms")
        n.use("std.neurons.LIF", "std.synapses.ExpCurrent")
        n.population("E", 3, "LIF")
        return n
    cases = [
        (lambda: net().spike_times("S", 2, [0], ["10 ms"]), TypeError,
         "times must be numbers"),
        (lambda: net().spike_times("S", 2, [0], [0.01], period=True),
         TypeError, "period is a time"),
        (lambda: net().connect_arrays("E", "E", "ExpCurrent", [0], [1],
                                      weights=["1 mV"]), TypeError,
         "weights must be numbers"),
        (lambda: net().record("E", 5), TypeError,
         "the variables of record"),
        (lambda: net().population("Z", 3, "LIF", excitatory="no"),
         TypeError, "excitatory is True, False or None"),
        (lambda: net().connect("E", [], "ExpCurrent", p=0.1), TypeError,
         "post must name a population"),
        (lambda: net().define(None), TypeError, "define.. takes"),
        (lambda: net().use(None), TypeError, "an import is a dotted name"),
        (lambda: neuro.Network("T", seed=2**64), ValueError,
         "seed must be from 0 to 2.64 - 1"),
    ]
    for make, error, text in cases:
        with pytest.raises(error, match=text):
            make()
    sim = neuro.compile_source(DECAY).simulation()
    with pytest.raises(KeyError, match="no population None"):
        sim.spikes(None)
    with pytest.raises(KeyError, match="no projection 'P'"):
        sim.connections("P")
    with pytest.raises(IndexError, match="neurons .3. are not a selection "
                       "of the 3 of 'P.v'"):
        sim.set("P.v", 0.0, neurons=[3])


def test_build_errors_point_at_the_population():
    # tau_m of neuron 3 is 0: no propagator. The error names the
    # population line, as neuroc run does, each time the model is built;
    # the model's own diagnostics are left as the compilation wrote them.
    model = neuro.compile_source("""
neuron Decay {
  param tau: ms = 10 ms
  state v: mV = 10 mV
  dv/dt = -v / tau
}
network D {
  P = 5 of Decay(tau = (i - 3) * 1 ms)
  run 1 ms
}
""", name="decay.neuro")
    for _ in range(2):
        with pytest.raises(RuntimeError) as info:
            model.simulation()
        lines = str(info.value).splitlines()
        assert lines[0].startswith(
            "decay.neuro:8:3: error: building the network failed: "
            "population 'P', neuron 3: the exact propagator")
        assert lines[1] == "  P = 5 of Decay(tau = (i - 3) * 1 ms)"
    assert model._core.warnings == ""


def test_connect_returns_the_names_the_model_gives():
    # Unnamed projections between the same populations are E_to_E,
    # E_to_E_1, ...; slices are left out of the name.
    net = neuro.Network("T", dt="0.1 ms", seed=1)
    net.use("std.neurons.LIF", "std.synapses.ExpCurrent")
    e = net.population("E", 10, "LIF")
    names = [net.connect(e, e, "ExpCurrent", w="0.5 mV", p=0.5),
             net.connect(e, e, "ExpCurrent", w="0.7 mV", p=0.5,
                         name="Mine"),
             net.connect("E[0:5]", e, "ExpCurrent", w="0.7 mV", p=0.5),
             net.connect_arrays(e, e, "ExpCurrent", [0, 1], [1, 2],
                                weights=[1e-3, 1e-3])]
    assert names == ["E_to_E", "Mine", "E_to_E_1", "E_to_E_2"]
    model = net.compile()
    assert sorted(model.projections) == sorted(names)
    assert model.simulation().num_synapses("E_to_E_2") == 2
    for big in ([2**63], [2.0**63]):
        with pytest.raises(ValueError, match="sources must fit 64 bits"):
            net.connect_arrays(e, e, "ExpCurrent", big, [0])
    # An index out of range is said at the call, not in the table file.
    with pytest.raises(ValueError, match=r"connect_arrays E -> E: "
                       r"targets\[1\] = 10 is not a neuron of the 10 of 'E'"):
        net.connect_arrays(e, e, "ExpCurrent", [0, 1], [3, 10])
    with pytest.raises(ValueError, match=r"sources\[0\] = -1 is not"):
        net.connect_arrays(e, e, "ExpCurrent", [-1], [3])


def test_connect_takes_multiplicity_procedural_and_synapse_counts():
    # n synapses per pair (Brian2's connect(n=...)), each counted by
    # N_incoming; a procedural projection keeps no synapses.
    net = neuro.Network("T", dt="0.1 ms", seed=3)
    net.use("std.neurons.LIF", "std.synapses.ExpCurrent")
    e = net.population("E", 20, "LIF")
    many = net.connect(e, e, "ExpCurrent", w="1 mV / N_incoming",
                       in_degree=4, n=3)
    rule = net.connect(e, e, "ExpCurrent", w="uniform(0.1 mV, 0.2 mV)",
                       p=0.3, procedural=True)
    with pytest.raises(ValueError, match="n must be a whole number"):
        net.connect(e, e, "ExpCurrent", w="1 mV", p=0.1, n=1.5)
    sim = net.compile().simulation()
    pre, post, _ = sim.connections(many)
    assert len(pre) == 20 * 4 * 3
    assert np.all(np.bincount(post, minlength=20) == 12)
    # The three copies of a pair are one after another.
    assert np.all(pre[0::3] == pre[1::3]) and np.all(post[0::3] == post[2::3])
    np.testing.assert_allclose(sim[f"{many}.w"], 1e-3 / 12, rtol=1e-15)
    # Nothing of a procedural projection is stored to read or record.
    for read in (lambda: sim.connections(rule), lambda: sim[f"{rule}.w"],
                 lambda: sim.record(rule, "w"),
                 lambda: sim.set(f"{rule}.w", "1 mV")):
        with pytest.raises(ValueError, match=f"projection '{rule}' is "
                           "procedural: its synapses are drawn again"):
            read()
    sim.run("1 ms")


def test_options_of_the_wrong_kind_are_refused():
    with pytest.raises(ValueError, match="embedded null character"):
        neuro.compile("model.neuro\0junk")
    with pytest.raises(ValueError, match="embedded null character"):
        neuro.compile_source(DECAY, network="D\0x")
    for kw, match in ((dict(precision="half"), "precision must be"),
                      (dict(target=None), "target must be"),
                      (dict(vector_width=2.5), "vector_width must be"),
                      (dict(vector_width=65), "vector_width must be"),
                      (dict(tunable=3), "tunable must be a name"),
                      (dict(overrides=["g"]), "overrides must be a dict")):
        with pytest.raises((TypeError, ValueError), match=match):
            neuro.compile_source(DECAY, **kw)
    model = neuro.compile_source(DECAY)
    for threads in (1.5, True, -1, 2**40):
        with pytest.raises(ValueError, match="threads must be a whole"):
            model.simulation(threads=threads)
    sim = model.simulation()
    with pytest.raises(ValueError, match="embedded null character"):
        sim.write("out\0x")


def test_reset_keeps_the_recordings_added_from_python():
    sim = neuro.compile_source(DECAY).simulation()
    k = sim.record("P", "v", every="1 ms")
    sim.run("5 ms")
    sim.reset()
    sim.run("3 ms")
    rec = sim.recording(k)
    # Samples at the start of steps 0, 10 and 20 (the first run's are
    # gone with its network).
    np.testing.assert_allclose(rec["t"], [0.0, 0.001, 0.002], atol=1e-15)
    np.testing.assert_allclose(rec["v"][:, 0],
                               0.010 * np.exp(-rec["t"] / 0.010), rtol=1e-12)


def test_spikes_of_a_slice_recorded_from_python():
    # The spikes of E's last 800 neurons, indexed in E: those of the whole
    # population's recording from these neurons, bit for bit, also after
    # reset(). A population's spikes are recorded for one range.
    text = open(os.path.join(EXAMPLES, "cuba.neuro")).read()
    whole = neuro.compile_source(text).simulation()
    whole.run("100 ms")
    i_all, t_all = whole.spikes("E")
    model = neuro.compile_source(text.replace("record spikes of E, I", ""))
    sim = model.simulation()
    sim.record_spikes("E", neurons=slice(-800, None))
    for _ in range(2):
        sim.run("100 ms")
        i, t = sim.spikes("E")
        keep = i_all >= 2400
        assert len(i) == keep.sum() > 50
        assert np.array_equal(i, i_all[keep])
        assert np.array_equal(t, t_all[keep])
        assert sim.spike_count("E") == len(i_all)  # the population's count
        sim.reset()
    sim.record_spikes("E", neurons=slice(2400, 3200))  # the same: harmless
    with pytest.raises(ValueError, match=r"recorded for neurons \[2400, "
                       r"3200\) already"):
        sim.record_spikes("E", neurons=slice(0, 10))
    with pytest.raises(ValueError, match="select none"):
        sim.record_spikes("I", neurons=slice(5, 2))
    with pytest.raises(TypeError, match="slice of whole numbers"):
        sim.record_spikes("I", neurons=[1, 2])


def test_a_running_simulation_refuses_other_threads(tmp_path):
    # While run() goes on in one thread (without the GIL), calls from
    # another raise instead of racing it; afterwards both work.
    sim = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro")).simulation()
    runner = threading.Thread(target=sim.run, args=("2 s",))
    refused = 0
    runner.start()
    while runner.is_alive():
        try:
            sim.record("E", "v", every="1 ms", neurons=slice(0, 2))
        except RuntimeError as e:
            assert "running in another thread" in str(e)
            refused += 1
            if refused == 1:
                # reset() too: it would drop the run's network and
                # recordings.
                with pytest.raises(RuntimeError, match="another thread"):
                    sim.reset()
                # write() and stream_to() as well, before making the
                # folder (it was made, then the call refused).
                for call in (sim.write, sim.stream_to):
                    with pytest.raises(RuntimeError, match="another thread"):
                        call(tmp_path / "out")
                    assert not (tmp_path / "out").exists()
    runner.join()
    assert refused > 0
    assert sim.t == pytest.approx(2.0)
    assert sim.spike_count("E") > 0


def test_values_written_between_runs_reach_the_emulated_device():
    # The device takes the host's rows again before the next run: v set to
    # 10 mV after 10 ms decays from there, as on the CPU.
    for target in ("cpu", "cuda-emulated"):
        sim = neuro.compile_source(DECAY, target=target).simulation()
        sim.run("10 ms")
        sim.set("P.v", "10 mV")
        sim.run("10 ms")
        np.testing.assert_allclose(sim["P.v"], 0.010 * np.exp(-1),
                                   rtol=1e-12, err_msg=target)
        sim["P.v"][:] = 0.005
        sim.run("10 ms")
        np.testing.assert_allclose(sim["P.v"], 0.005 * np.exp(-1),
                                   rtol=1e-12, err_msg=target)


def test_connectivity_and_seed_reuse_the_kernels():
    model = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro"))
    a = model.simulation()
    b = model.simulation(connectivity={"E_to_E": {"p": 0.04}})
    ratio = b.num_synapses("E_to_E") / a.num_synapses("E_to_E")
    assert 1.9 < ratio < 2.1  # binomial, 3200^2 pairs: far inside
    c = model.simulation(seed=5)
    assert c.num_synapses("E_to_E") != a.num_synapses("E_to_E")
    with pytest.raises(ValueError, match="in_degree"):
        model.simulation(connectivity={"E_to_E": {"in_degree": 3}})


def test_sweep_compiles_once_and_cache_hits(tmp_path):
    source = tmp_path / "decay.neuro"
    source.write_text(DECAY)
    values = neuro.sweep(str(source), [{"P.tau": "5 ms"}, {"P.tau": "20 ms"}],
                         duration="10 ms", measure=lambda s: s["P.v"][0])
    np.testing.assert_allclose(values, [0.010 * np.exp(-2),
                                        0.010 * np.exp(-0.5)], rtol=1e-12)
    # Settings from a generator are the same settings (it was read empty).
    again = neuro.sweep(str(source),
                        ({"P.tau": t} for t in ("5 ms", "20 ms")),
                        duration="10 ms", measure=lambda s: s["P.v"][0])
    assert again == values
    with pytest.raises(TypeError, match="settings must be a list of dicts"):
        neuro.sweep(str(source), "P.tau", duration="10 ms")
    cache = tmp_path / "cache"
    first = neuro.compile(source, cache_dir=cache)
    again = neuro.compile(source, cache_dir=cache)
    assert not first.cache_hit and again.cache_hit


def test_notebook_example_runs(tmp_path):
    script = os.path.join(EXAMPLES, "python", "cuba_sweep.py")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(neuro.__path__[0]),
               MPLBACKEND="Agg")
    out = subprocess.run(["/usr/bin/python3", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    rates = [float(line.split("at ")[1].split(" Hz")[0])
             for line in out.stdout.splitlines() if line.startswith("w_I")]
    # More inhibition, less excitatory firing.
    assert len(rates) == 4 and rates == sorted(rates, reverse=True)


def test_synapse_recordings_added_from_python():
    sim = neuro.compile(os.path.join(EXAMPLES, "stdp_song2000.neuro")).simulation()
    handle = sim.record("Inputs_to_Out", "w", every="10 ms",
                        neurons=slice(2, 5))
    sim.run("100 ms")
    with pytest.raises(KeyError, match="2 state recordings"):
        sim.recording("Inputs_to_Out")  # the model records w too
    rec = sim.recording(handle)
    assert rec["w"].shape == (10, 3)
    pre, post, _ = sim.connections("Inputs_to_Out")
    assert rec["pre"].tolist() == pre[2:5].tolist()
    assert rec["post"].tolist() == post[2:5].tolist()
    # The last sample (at 90 ms) is the weight as it was then; weights move
    # slowly, so it is close to the value now.
    np.testing.assert_allclose(rec["w"][-1], sim["Inputs_to_Out.w"][2:5],
                               rtol=0.05)


def test_tunable_names_are_checked():
    with pytest.raises(neuro.CompileError, match="no parameter or state 'x'"):
        neuro.compile_source(DECAY, tunable=["P.x"])
    with pytest.raises(neuro.CompileError, match="no population or projection"):
        neuro.compile_source(DECAY, tunable=["Q.tau"])


def test_checkpoints_on_the_gpu(tmp_path):
    # The device saves what the CPU saves in the same step, and a simulation
    # the device runs restores a checkpoint (spikes in flight: Brunel's
    # delay is 1.5 ms) and continues as the CPU does.
    brunel = os.path.join(EXAMPLES, "classic", "brunel2000.neuro")
    gpu_model = neuro.compile(brunel, target="cuda-emulated")
    gpu = gpu_model.simulation()
    gpu.run("5 ms")
    gpu.save(tmp_path / "gpu")
    cpu = neuro.compile(brunel).simulation()
    cpu.run("5 ms")
    cpu.save(tmp_path / "cpu")
    assert (tmp_path / "gpu").read_bytes() == (tmp_path / "cpu").read_bytes()
    cpu.run("5 ms")
    i_all, t_all = cpu.spikes("E")
    late = t_all > 0.005 + 1e-9
    assert late.sum() > 100
    _continues(gpu_model, tmp_path / "cpu", 50, "5 ms", i_all[late],
               t_all[late])


def test_mixed_precision_weights_are_float32_views():
    song = os.path.join(EXAMPLES, "stdp_song2000.neuro")
    exact = neuro.compile(song).simulation()
    model = neuro.compile(song, precision="mixed")
    assert model.precision == "mixed" and not model.single_precision
    mixed = model.simulation()
    w = mixed["Inputs_to_Out.w"]
    # The double run's draws, rounded to float32.
    assert np.array_equal(w, exact["Inputs_to_Out.w"].astype(np.float32))
    # STDP moves them in float32 (a view taken after the run follows the
    # kernels' rows; one taken before is read-only).
    mixed.run("100 ms")
    with pytest.raises(ValueError, match="read-only"):
        w[:] = 0.5
    w = mixed["Inputs_to_Out.w"]
    assert np.array_equal(w, w.astype(np.float32).astype(np.float64))
    assert (w >= 0).all() and (w <= np.float32(1e-10)).all()
    assert not np.array_equal(w, exact["Inputs_to_Out.w"].astype(np.float32))
    with pytest.raises(ValueError, match="'double', 'mixed' or 'single'"):
        neuro.compile(song, precision="half")


def test_table_folder_goes_with_the_last_holder_quietly():
    """The folder of a network's tables lives while the network or a
    model compiled from it does, and goes without a ResourceWarning."""
    import gc
    import warnings
    net = neuro.Network("Tables", dt="0.1 ms")
    net.use("std.neurons.LIF", "std.synapses.Delta")
    net.population("P", 3, "LIF")
    net.connect_arrays("P", "P", "Delta", [0, 1], [1, 2], w="1 mV")
    folder = net._files.name
    model = net.compile()
    assert any(f.endswith(".npy") for f in os.listdir(folder))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        del net
        gc.collect()
        assert os.path.isdir(folder)   # the model still reads it
        del model
        gc.collect()
    assert not os.path.exists(folder)
    assert not [w for w in seen if w.category is ResourceWarning]


def test_streamed_recordings_json_lists_the_spikes_in_the_files(tmp_path):
    # stream_to after a run first writes what was recorded, then lists it:
    # recordings.json's count of each spike file is the file's (a replay
    # tells a replaced file by it), after more runs too.
    sim = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro")).simulation()
    sim.run("20 ms")
    out = tmp_path / "s"

    def listed_equal_written():
        listing = json.loads((out / "recordings.json").read_text())
        for pop in ("E", "I"):
            rows = len(np.load(out / f"spikes_{pop}.npy"))
            entry = listing["files"][f"spikes_{pop}.npy"]
            assert rows > 0 and entry["spikes"] == rows
    sim.stream_to(out)
    listed_equal_written()
    sim.run("10 ms")
    listed_equal_written()


def test_recordings_are_not_written_over_the_files_the_model_reads(tmp_path):
    # A replayed spike file in the output folder stays as it is: write()
    # and stream_to() refuse the folder, as neuroc run does.
    spikes = np.zeros(2, dtype=[("i", "<i8"), ("t", "<f8")])
    spikes["i"], spikes["t"] = [0, 1], [1e-3, 2e-3]
    np.save(tmp_path / "spikes_S.npy", spikes)
    model = neuro.compile_source(
        "network R {\n"
        f"  S = 2 of SpikeTimes(file = \"{tmp_path}/spikes_S.npy\")\n"
        "  record spikes of S\n  run 5 ms\n}\n")
    sim = model.simulation()
    sim.run()
    for write in (sim.write, sim.stream_to):
        with pytest.raises(RuntimeError, match="the spikes of 'S' would be "
                           "written to '.*spikes_S.npy', which the model "
                           "reads"):
            write(tmp_path)
    assert len(np.load(tmp_path / "spikes_S.npy")) == 2
    sim.write(tmp_path / "elsewhere")
    assert len(np.load(tmp_path / "elsewhere" / "spikes_S.npy")) == 2

