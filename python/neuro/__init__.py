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



def _install_pynn_finder():
    """`import pyNN.neuro` works once neuro is imported: the backend of
    the build this package comes from (its _neuro_editable.py, loaded from
    its own folder: one imported earlier, by another build's neuro.pth,
    would find that build's backend)."""
    import importlib.util
    import os
    import sys
    folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(folder, "_neuro_editable.py")
    if not os.path.exists(path):
        return
    mod = sys.modules.get("_neuro_editable")
    if mod is None or os.path.abspath(getattr(mod, "__file__", "")) != path:
        spec = importlib.util.spec_from_file_location("_neuro_editable", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["_neuro_editable"] = mod
        spec.loader.exec_module(mod)
    mod.install()


_install_pynn_finder()

__all__ = ["CompileError", "Diagnostic", "Model", "Network", "Simulation",
           "compile", "compile_source", "sweep"]
