"""PyNN's standard models for Neuro: the cells of std.pynn, their synapses
and PyNN's current sources. Translations are the identity: the std.pynn
models have PyNN's parameter names and units (docs/pynn-cells.md)."""

from pyNN.standardmodels import build_translations

# A PyNN unit -> the factor that makes it SI (the units of Neuro's rows).
SI = {
    "mV": 1e-3, "ms": 1e-3, "nA": 1e-9, "nF": 1e-9, "uS": 1e-6, "nS": 1e-9,
    "Hz": 1.0, "/ms": 1e3, "mV/ms": 1.0, "": 1.0, "dimensionless": 1.0,
}


def si_factor(model, name):
    """The factor from PyNN's unit of `name` (a parameter or state of a
    cell type) to SI."""
    return SI[model.units.get(name, "")]


def identity(*names):
    """PyNN names kept as they are (std.pynn uses PyNN's names and
    units)."""
    return build_translations(*[(n, n) for n in names])
