"""What the Python API changes between runs reaches the device: the
emulated device runs the GPU path on the CPU, with the CPU's results."""
import numpy as np
import pytest

import neuro

PLASTIC = """
import std.plasticity.PairSTDP
neuron Out {
  state v: mV = -60 mV
  input g_e: nS
  dv/dt = (g_e / 10 nS * (0 mV - v) + (-55 mV) - v) / 10 ms
  spike when v > -54 mV { v = -60 mV }
}
network Net {
  In = 60 of PoissonInput(rate = 30 Hz)
  A = 4 of Out
  connect In -> A with PairSTDP(w = uniform(0 nS, 1 nS), w_max = 1 nS) p = 0.5 as S
  run 50 ms
}
"""


@pytest.mark.parametrize("target", ["cpu", "cuda-emulated"])
def test_plasticity_switched_from_python_reaches_the_device(target):
    # sim.plasticity() changed the host's flag only: on the device the
    # weights kept learning (98 of 130 changed while switched off).
    sim = neuro.compile_source(PLASTIC, target=target).simulation()
    sim.run("30 ms")
    learned = np.array(sim["S.w"], copy=True)
    sim.plasticity("S", False)
    sim.run("20 ms")
    frozen = np.array(sim["S.w"], copy=True)
    assert np.array_equal(frozen, learned)
    sim.plasticity("S", True)
    sim.run("50 ms")
    assert not np.array_equal(sim["S.w"], frozen)  # learning again
