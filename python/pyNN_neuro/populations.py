"""Populations, views and assemblies of pyNN.neuro.

A Population keeps its parameters as evaluated arrays (one value per
neuron, PyNN's names and units) and its initial values likewise; random
distributions are drawn once, with the RNG PyNN gives, when they are set.
The network written at the first run takes them from here; between runs,
Population.set and initialize write them into the simulation's rows as
well (builder.Network.parameters_changed, set_state).
"""

import numpy as np

from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .recording import Recorder
from .standardmodels import limits


class Assembly(common.Assembly):
    __doc__ = common.Assembly.__doc__
    _simulator = simulator

    @property
    def receptor_types(self):
        """The receptor types all populations have, in the order of the
        first (PyNN's returns them in a set's order, which makes a
        projection without receptor_type guess either)."""
        common_types = set.intersection(*(set(p.celltype.receptor_types)
                                          for p in self.populations))
        return [r for r in self.populations[0].celltype.receptor_types
                if r in common_types]


def _evaluate(value, size):
    """A LazyArray (or anything PyNN takes as a value) as a float array of
    `size` values."""
    if not isinstance(value, LazyArray):
        value = LazyArray(value, shape=(size,), dtype=float)
    if value.shape != (size,):
        value.shape = (size,)
    return np.array(value.evaluate(simplify=False), dtype=float)


class _ViewInitialValues:
    """A view's initial values: those of its population's neurons."""

    def __init__(self, view):
        self._view = view

    def __getitem__(self, variable):
        gp, idx = self._view.grandparent, self._view._parent_indices()
        return LazyArray(gp._initial[variable][idx], shape=(idx.size,),
                         dtype=float)

    def __setitem__(self, variable, value):
        pass  # _set_initial_value_array stored the values

    def __contains__(self, variable):
        return variable in self._view.grandparent._initial

    def keys(self):
        return self._view.grandparent._initial.keys()


class PopulationView(common.PopulationView):
    __doc__ = common.PopulationView.__doc__
    _assembly_class = Assembly
    _simulator = simulator

    def _parent_indices(self):
        """This view's neurons as indices of the Population at its root."""
        return np.asarray(self.index_in_grandparent(np.arange(self.size)),
                          dtype=np.int64)

    @property
    def initial_values(self):
        return _ViewInitialValues(self)

    def _get_parameters(self, *names):
        gp, idx = self.grandparent, self._parent_indices()
        return ParameterSpace({name: simplify(gp._parameters[name][idx])
                               for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        gp, idx = self.grandparent, self._parent_indices()
        gp._check_current()
        parameter_space.evaluate(simplify=False)
        before = {name: gp._parameters[name].copy()
                  for name in parameter_space.keys()}
        for name, value in parameter_space.items():
            gp._parameters[name][idx] = value
        gp._changed_or_restored(before)

    def _set_initial_value_array(self, variable, value):
        gp, idx = self.grandparent, self._parent_indices()
        gp._store_initial(variable, idx, _evaluate(value, self.size))

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size, cellclass, *args, **kwargs):
        # A population that fails to be made is not one of the network.
        state = simulator.state
        known = len(state.populations)
        try:
            common.Population.__init__(self, size, cellclass, *args,
                                       **kwargs)
        except Exception:
            del state.populations[known:]
            # PyNN made its recorder first: reset() and end() would ask it.
            state.recorders.discard(getattr(self, "recorder", None))
            raise

    def _create_cells(self):
        state = simulator.state
        if self.size < 1:
            raise ValueError(f"a Population needs at least one cell, "
                             f"not {self.size}")
        ids = np.arange(state.id_counter, state.id_counter + self.size)
        self.all_cells = np.array([simulator.ID(i) for i in ids],
                                  dtype=simulator.ID)
        self._mask_local = np.ones((self.size,), bool)
        for id in self.all_cells:
            id.parent = self
        state.id_counter += self.size
        if isinstance(self.celltype, StandardCellType):
            parameter_space = self.celltype.native_parameters
        else:
            raise TypeError("pyNN.neuro has PyNN's standard cell types "
                            "(list_standard_models())")
        parameter_space.shape = (self.size,)
        parameter_space.evaluate(simplify=False)
        self._parameters = {name: np.array(value) for name, value in
                            parameter_space.items()}
        limits.check(self._parameters, self.label, "neuron")
        self._initial = {}
        state.populations.append(self)
        state.changed()

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _check_current(self):
        """Raises when this population belongs to a simulation before the
        last setup() (which forgets the network): it would be ignored."""
        if not any(self is p for p in simulator.state.populations):
            raise RuntimeError(
                f"population {self.label!r} was made before the last "
                "setup(), which starts a new network: make it again")

    def _get_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameters[name])
                               for name in names}, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        self._check_current()
        parameter_space.evaluate(simplify=False)
        before = {name: self._parameters[name]
                  for name in parameter_space.keys()}
        for name, value in parameter_space.items():
            self._parameters[name] = np.array(value)
        self._changed_or_restored(before)

    def _changed_or_restored(self, before):
        """Passes the new values on; when the model cannot take them
        (limits.py) or the simulation refuses them, keeps the values it
        still runs with."""
        try:
            limits.check(self._parameters, self.label, "neuron")
            self._parameters_changed(list(before))
        except Exception:
            self._parameters.update(before)
            raise

    def _parameters_changed(self, names):
        net = simulator.state.network
        if net is not None:
            net.parameters_changed(self, names)

    def initialize(self, **initial_values):
        common.Population.initialize(self, **initial_values)
        # What was drawn is what the neurons start from, also after reset.
        for variable in initial_values:
            self.initial_values[variable] = LazyArray(
                self._initial[variable].copy(), shape=(self.size,),
                dtype=float)

    def _set_initial_value_array(self, variable, value):
        self._store_initial(variable, np.arange(self.size),
                            _evaluate(value, self.size))

    def _store_initial(self, variable, indices, values):
        self._check_current()
        known = set(self.celltype.default_initial_values)
        known |= {r for r in self.celltype.recordable if r != "spikes"}
        if variable not in known:
            raise errors.NonExistentParameterError(
                variable, self.celltype.__class__.__name__, sorted(known))
        bad = ~np.isfinite(np.asarray(values, dtype=float))
        if bad.any():
            raise ValueError(
                f"{self.label}: initial {variable}: "
                f"{np.asarray(values, dtype=float)[bad].ravel()[0]} is not a "
                "finite number")
        if variable not in self._initial:
            default = self.celltype.default_initial_values.get(variable, 0.0)
            self._initial[variable] = np.full(self.size, float(default))
        self._initial[variable][indices] = values
        net = simulator.state.network
        if net is not None:
            net.set_state(self, variable, indices, values)
