"""Neuro from Python: compile .neuro models, run them, read their state.

    import neuro
    model = neuro.compile("examples/cuba.neuro")
    sim = model.simulation(seed=2)
    sim.run("100 ms")
    i, t = sim.spikes("E")
    sim["E.v"][:10] = -0.06            # SI units, writes the simulator's row

A Model holds compiled kernels; every Simulation made from it (another
seed, other parameter values, other connection probabilities) reuses them
without compiling again. See docs/python.md.
"""

from neuro._compile import (CompileError, Diagnostic, Model, compile,
                            compile_source)
from neuro.network import Network
from neuro.simulation import Simulation
from neuro.sweep import sweep

try:  # `import pyNN.neuro` works once neuro is imported
    import _neuro_editable  # noqa: F401
except ImportError:
    pass

__all__ = ["CompileError", "Diagnostic", "Model", "Network", "Simulation",
           "compile", "compile_source", "sweep"]
