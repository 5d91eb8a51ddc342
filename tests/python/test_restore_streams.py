"""Checkpoints with starting values and float32 synapse rows, streamed
folders after a change of directory, and values that are not numbers in
range: what a restore, a stream and the argument checks leave."""

import os

import numpy as np
import pytest

import neuro
from conftest import CELL, KICK

PLASTIC = CELL + """
synapse Grow {
  weight w: mV
  post v: mV
  on pre { v += w  w = w + 0.1 mV }
}
network G {
  In = 2 of SpikeTimes(indices = [0, 1], times = [1 ms, 2 ms], period = 3 ms)
  P = 2 of Cell
  connect In -> P with Grow(w = 0.5 mV) as L
  run 10 ms
}
"""


def test_restore_applies_the_starting_values_that_are_rows(tmp_path):
    # As `neuroc run --restore FILE --set P.v=...`: set= replaces the
    # checkpoint's value of a row; the checkpoint's other rows stay.
    model = neuro.compile_source(PLASTIC)
    first = model.simulation()
    first.run("10 ms")
    first.save(tmp_path / "cp")
    other = model.simulation(set={"P.v": "0.25 mV"})
    other.restore(tmp_path / "cp")
    np.testing.assert_array_equal(other["P.v"], 0.00025)
    np.testing.assert_array_equal(other["L.w"], first["L.w"])


def test_mixed_precision_views_write_after_a_restore(tmp_path):
    # A synapse view taken before restore() writes the double rows, which
    # the float32 rows of the next run follow.
    model = neuro.compile_source(PLASTIC, precision="mixed")
    model.simulation().save(tmp_path / "cp")
    sim = model.simulation()
    w = sim["L.w"]
    sim.restore(tmp_path / "cp")
    w[:] = 0.002
    sim.run("0.1 ms")
    np.testing.assert_array_equal(sim["L.w"], np.float32(0.002))


def test_a_relative_stream_folder_survives_chdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sim = neuro.compile_source(PLASTIC).simulation()
    sim.record_spikes("P")
    sim.stream_to("out")
    os.mkdir("elsewhere")
    monkeypatch.chdir("elsewhere")
    sim.run("10 ms")
    sim.write(tmp_path / "out")
    spikes = np.load(tmp_path / "out" / "spikes_P.npy")
    assert len(spikes) > 0
    assert not os.path.exists(tmp_path / "elsewhere" / "out")


def test_numbers_out_of_range_are_value_errors():
    model = neuro.compile_source(CELL + KICK + """
network N { P = 2 of Cell  run 1 ms }
""")
    for seed in (2**64, 10**30, -1):
        with pytest.raises(ValueError, match="seed must be a whole number"):
            model.simulation(seed=seed)
    with pytest.raises(ValueError, match="must be finite"):
        model.simulation(set={"P.v": 10**400})


def test_a_single_precision_run_past_float32_steps_is_refused_first():
    # The whole run's last step is checked before the first step, not
    # each slice's as it comes.
    model = neuro.compile_source(CELL + """
network N { P = 2 of Cell  run 1 ms }
""", precision="single")
    sim = model.simulation()
    with pytest.raises(RuntimeError, match="would reach step 20000000 "):
        sim.run("2000 s")
    assert sim.step == 0
