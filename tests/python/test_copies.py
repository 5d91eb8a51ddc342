"""A Simulation is not copied or pickled behind the user's back: copies
would share the simulator. Checkpoints are the way to continue elsewhere."""
import copy
import pickle

import numpy as np
import pytest

import neuro

DECAY = """
neuron Decay {
  state v: mV = 10 mV
  dv/dt = -v / 10 ms
}
network D {
  P = 3 of Decay
  run 20 ms
}
"""


def test_simulations_are_not_copied_silently(tmp_path):
    # copy.copy shared the simulator: running the copy moved the original.
    model = neuro.compile_source(DECAY)
    sim = model.simulation()
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be (copied|pickled)"):
            attempt(sim)
    # What the messages offer instead: a checkpoint continued elsewhere.
    sim.run("5 ms")
    sim.save(str(tmp_path / "at5.ckpt"))
    other = model.simulation()
    other.restore(str(tmp_path / "at5.ckpt"))
    assert other.step == sim.step == 50
    assert np.array_equal(other["P.v"], sim["P.v"])
