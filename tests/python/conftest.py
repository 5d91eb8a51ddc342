"""pytest setup for the neuro package's tests: the package of this build
(NEURO_PYTHON_DIR, set by ctest) and a kernel cache of the test run's own."""

import os
import sys

import pytest

_here = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(_here))
PYTHON_DIR = os.environ.get("NEURO_PYTHON_DIR",
                            os.path.join(SOURCE_DIR, "build", "python"))
sys.path.insert(0, PYTHON_DIR)
NEUROC = os.path.join(os.path.dirname(PYTHON_DIR), "bin", "neuroc")
EXAMPLES = os.path.join(SOURCE_DIR, "examples")

# A neuron that decays to 0 mV and spikes above 1 mV, and a synapse that
# kicks its target's v by w: the models of several tests' small networks.
CELL = """
neuron Cell {
  state v: mV = 0 mV
  dv/dt = -v / 10 ms
  spike when v > 1 mV
}
"""
KICK = """
synapse S {
  weight w: mV
  post v: mV
  on pre { v += w }
}
"""


@pytest.fixture(autouse=True, scope="session")
def _cache(tmp_path_factory):
    os.environ["NEURO_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def pynn_session():
    """A PyNN script's setup (dt 0.1 ms) and end() around a test."""
    import pyNN.neuro as sim
    sim.setup(timestep=0.1)
    yield sim
    sim.end()
