"""The Python API does what `neuroc run` does in the same case: restore
with values compiled in, Poisson drives' rates, recordings never written
over a file the model reads, malformed names."""
import os

import numpy as np
import pytest

import neuro

COMPUTED = """
neuron Cell {
  state v: mV = 0 mV
  dv/dt = (-65 mV - v) / 10 ms
}
network R {
  dt = 0.1 ms
  P = 3 of Cell(v = -70 mV + i * 1 mV)
  run 2 ms
}
"""


def test_restore_keeps_overrides_that_are_rows(tmp_path):
    # v is computed per neuron, so a new value is compiled in (overrides=);
    # after a restore the compiled value replaces the checkpoint's, as
    # `neuroc run --restore FILE --set P.v=-60mV` does.
    saved = neuro.compile_source(COMPUTED).simulation()
    saved.run()
    saved.save(tmp_path / "c.ckp")
    model = neuro.compile_source(COMPUTED, overrides={"P.v": "-60 mV"})
    sim = model.simulation()
    sim.restore(tmp_path / "c.ckp")
    assert np.array_equal(sim["P.v"], np.full(3, -0.06))
    # Without overrides the checkpoint's values stay.
    plain = neuro.compile_source(COMPUTED).simulation()
    plain.restore(tmp_path / "c.ckp")
    assert np.array_equal(plain["P.v"], saved["P.v"])


def test_poisson_drive_rate_is_per_input():
    # 100 inputs of 20 Hz per target: the rate is the inputs', as `neuroc
    # run --json` and the REPL report it (it was 100 times that).
    source = """
neuron Cell {
  state v: mV = 0 mV
  dv/dt = -v / 10 ms
}
synapse Kick {
  weight w: mV
  post v: mV
  on pre { v += w }
}
network D {
  dt = 0.1 ms
  seed = 3
  Ext = 100 of PoissonDrive(rate = 20 Hz)
  P = 10 of Cell
  connect Ext -> P with Kick(w = 0.1 mV)
  run 1 s
}
"""
    sim = neuro.compile_source(source).simulation()
    sim.run()
    spikes = sim.spike_count("Ext")
    # 1000 inputs over 1 s: about 20,000 spikes (sd 141).
    assert abs(spikes - 20000) < 1000
    assert sim.rate("Ext") == pytest.approx(spikes / 1000.0, rel=1e-12)
    assert sim.summary()["populations"]["Ext"]["rate_hz"] == \
        pytest.approx(spikes / 1000.0, rel=1e-12)


def test_write_refuses_the_models_input_after_chdir(tmp_path, monkeypatch):
    # The model replays spikes_S.npy from its folder; after os.chdir() a
    # write() into that folder still refuses to overwrite it (the list of
    # files the model reads held relative paths).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spikes.neuro").write_text("""
network S {
  dt = 0.1 ms
  S = 2 of SpikeTimes(indices = [0, 1], times = [1 ms, 2 ms])
  record spikes of S
  run 5 ms
}
""")
    first = neuro.compile("spikes.neuro").simulation()
    first.run()
    first.write(".")
    kept = (tmp_path / "spikes_S.npy").read_bytes()
    (tmp_path / "replay.neuro").write_text("""
network R {
  dt = 0.1 ms
  S = 2 of SpikeTimes(file = "spikes_S.npy")
  record spikes of S
  run 5 ms
}
""")
    sim = neuro.compile("replay.neuro").simulation()
    sim.run()
    os.mkdir("sub")
    os.chdir("sub")
    with pytest.raises(RuntimeError, match="which the model reads"):
        sim.write(str(tmp_path))
    assert (tmp_path / "spikes_S.npy").read_bytes() == kept


def test_malformed_override_name():
    with pytest.raises(ValueError, match=r"overrides name 'P\.': expected a "
                       r"network parameter's name or POP\.VAR, PROJ\.VAR"):
        neuro.compile_source(COMPUTED, overrides={"P.": 3})
