"""Projections of pyNN.neuro: connection lists.

PyNN's connectors call Projection._convergent_connect with the
connections onto each target and their (native) parameters; the
projection keeps them as arrays, in the order they were made. The network
written at the first run gives them to Neuro as connection tables
(`connect ... from "FILE"`, builder.py), one Neuro projection per
population pair and value of the synapse model's constants. Weights are
then read from and written to the simulation (sim["PROJ.w"]); delays and
the other parameters are compiled into the network: setting them after
the first run compiles it again at the next run (carrying the state
over).
"""

import numpy as np

from pyNN import common, errors
from pyNN.connectors import FromListConnector
from pyNN.parameters import LazyArray
from pyNN.space import Space

from . import simulator
from .standardmodels import limits
from .standardmodels.synapses import StaticSynapse


def whole_steps(steps):
    """`steps` (a number of steps, not whole) rounded to the nearest whole
    number, half a step up (np.rint rounds halves to even, and 0.35 / 0.1 is
    3.4999...: 0.35 ms would go down and 0.45 ms up)."""
    return np.floor(np.asarray(steps, dtype=float) + 0.5 + 1e-9)


class Connection(common.Connection):
    """One connection of a projection: its indices, weight, delay and
    parameters (read from the simulation where they live there)."""

    def __init__(self, projection, index):
        self.projection = projection
        self.index = index

    @property
    def presynaptic_index(self):
        return int(self.projection._columns()["pre"][self.index])

    @property
    def postsynaptic_index(self):
        return int(self.projection._columns()["post"][self.index])

    def _get(self, name):
        return self.projection._values(name)[self.index]

    def _set(self, name, value):
        self.projection._set_values(name, value, self.index)

    weight = property(lambda self: self._get("weight"),
                      lambda self, w: self._set("weight", w))
    delay = property(lambda self: self._get("delay"),
                     lambda self, d: self._set("delay", d))

    def __getattr__(self, name):
        if name in ("projection", "index"):
            raise AttributeError(name)
        if name in self.projection._columns():
            return self._get(name)
        raise AttributeError(name)

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


def _steps(delays):
    """Delays (ms) rounded to whole steps (half a step up, as NEURON
    delivers them), at least one (one step is the least PyNN's other
    backends take). A delay that is negative or not finite is an error, not
    one step."""
    delays = np.asarray(delays, dtype=float)
    if not np.all(np.isfinite(delays) & (delays >= 0)):
        raise ValueError("delays must be finite and >= 0 (ms)")
    dt = simulator.state.dt
    steps = whole_steps(delays / dt)
    if steps.size and steps.max() > 2 ** 24:
        raise ValueError(f"delays must be at most 2^24 time steps "
                         f"({2 ** 24 * dt:g} ms at dt = {dt:g} ms); one is "
                         f"{delays.max():g} ms")
    # The delay the steps make, to 12 decimals of a ms: 7 steps of 0.1 ms
    # read back as 0.7, not 0.7000000000000001 (the steps are unchanged).
    return np.round(np.maximum(steps, 1) * dt, 12)


def _flatten(neurons):
    """Every neuron of a Population, PopulationView or Assembly as
    (its Population, its index there), in the order of `neurons`."""
    if isinstance(neurons, common.Assembly):
        parts = [_flatten(p) for p in neurons.populations]
        return ([p for part in parts for p in part[0]],
                np.concatenate([part[1] for part in parts]))
    if isinstance(neurons, common.PopulationView):
        idx = np.asarray(neurons.index_in_grandparent(
            np.arange(neurons.size)), dtype=np.int64)
        return [neurons.grandparent] * neurons.size, idx
    return [neurons] * neurons.size, np.arange(neurons.size, dtype=np.int64)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population,
                 connector, synapse_type=None, source=None,
                 receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population,
                                   postsynaptic_population, connector,
                                   synapse_type, source, receptor_type,
                                   space, label)
        if not hasattr(self.synapse_type, "neuro_synapse"):
            raise TypeError("pyNN.neuro has PyNN's standard synapse types")
        for pop in (self._populations(self.pre) +
                    self._populations(self.post)):
            if not any(pop is known for known in simulator.state.populations):
                raise errors.ConnectionError(
                    f"{pop.label} is not a population of this simulation "
                    "(made before the last setup()?)")
        for pop in self._populations(self.post):
            # Fails early for a receptor or a synapse type the cell lacks.
            self.synapse_type.neuro_synapse(pop.celltype.neuro_family,
                                            self.receptor_type)
        self._check_both_ways()
        self._chunks = []
        self._cols = None
        self._initial_states = {}
        connector.connect(self)
        self._check_list(connector)
        self._check_distinct_pairs()
        limits.check(self._columns(), self.label, "connection")
        simulator.state.projections.append(self)
        simulator.state.changed()

    def _check_distinct_pairs(self):
        """A synapse type that draws per spike and connection cannot join
        a pair twice: the two would draw the same numbers."""
        if not getattr(self.synapse_type, "draws_per_event", False):
            return
        cols = self._columns()
        pairs = cols["pre"] * (int(cols["post"].max(initial=0)) + 1) + \
            cols["post"]
        values, first, counts = np.unique(pairs, return_index=True,
                                          return_counts=True)
        if (counts > 1).any():
            k = first[np.argmax(counts > 1)]
            raise errors.ConnectionError(
                f"{self.label}: {type(self.synapse_type).__name__} joins "
                f"cells {cols['pre'][k]} and {cols['post'][k]} twice; it "
                "draws per spike and connection, and the two would draw "
                "alike")

    def _check_both_ways(self):
        """A gap junction acts on its source as on its target: the source
        needs the receptor too (HH_cond_exp's)."""
        if not self.synapse_type.both_ways:
            return
        for pop in self._populations(self.pre):
            if self.receptor_type not in pop.celltype.receptor_types:
                raise errors.ConnectionError(
                    f"{self.label}: {type(self.synapse_type).__name__} "
                    f"joins cells that have the {self.receptor_type!r} "
                    f"receptor; {pop.label} has not")

    def _check_list(self, connector):
        """A FromListConnector's indices must be cells of the populations:
        PyNN's drops connections to a postsynaptic index it does not find
        among the local cells, so a wrong one would vanish without a
        word."""
        if not isinstance(connector, FromListConnector):
            return
        # (A FromFileConnector has read its file into the list by now.)
        conns = np.asarray(connector.conn_list)
        if conns.size == 0:
            return
        for col, what, cells in ((0, "presynaptic", self.pre),
                                 (1, "postsynaptic", self.post)):
            idx = conns[:, col]
            bad = idx[~((idx >= 0) & (idx < cells.size) &
                        (idx == np.round(idx)))]
            if bad.size:
                raise errors.ConnectionError(
                    f"{self.label}: {what} index {bad[0]:g} is not one "
                    f"of the {cells.size} cells of {cells.label}")

    @staticmethod
    def _populations(neurons):
        if isinstance(neurons, common.Assembly):
            return [p.grandparent if isinstance(p, common.PopulationView)
                    else p for p in neurons.populations]
        if isinstance(neurons, common.PopulationView):
            return [neurons.grandparent]
        return [neurons]

    # Connections ---------------------------------------------------------

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            **connection_parameters):
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        n = pre.size
        if n == 0:
            return
        # Negative indices would count from the end, as numpy's do.
        post = np.array([int(postsynaptic_index)])
        for what, idx, cells in (("presynaptic", pre, self.pre),
                                 ("postsynaptic", post, self.post)):
            bad = idx[(idx < 0) | (idx >= cells.size)]
            if bad.size:
                raise errors.ConnectionError(
                    f"{self.label}: {what} index {int(bad[0])} is not one "
                    f"of the {cells.size} cells of {cells.label}")
        chunk = {"pre": pre,
                 "post": np.full(n, int(postsynaptic_index), dtype=np.int64)}
        for name, value in connection_parameters.items():
            chunk[name] = np.broadcast_to(
                np.asarray(value, dtype=float), (n,)).copy()
        self._chunks.append(chunk)
        self._cols = None

    def _columns(self):
        """{"pre", "post", "weight", "delay", ...}: one array each, one
        value per connection (the stored values: weights as connected or
        last set)."""
        if self._cols is None:
            # Without connections, the synapse type's parameters all the
            # same (empty), as a projection with some has them.
            names = self._chunks[0].keys() if self._chunks else \
                list(dict.fromkeys(
                    ["pre", "post", "weight", "delay"] +
                    list(self.synapse_type.get_parameter_names())))
            cols = {}
            for name in names:
                parts = [c[name] for c in self._chunks]
                dtype = np.int64 if name in ("pre", "post") else float
                cols[name] = (np.concatenate(parts) if parts
                              else np.zeros(0, dtype=dtype))
            if "delay" in cols:
                cols["delay"] = _steps(cols["delay"])
            self._chunks = [cols] if len(cols["pre"]) else []
            self._cols = cols
        return self._cols

    def _parents(self):
        """Each connection's source and target as (Population, index)."""
        cols = self._columns()
        pre_pops, pre_idx = _flatten(self.pre)
        post_pops, post_idx = _flatten(self.post)
        return ([pre_pops[i] for i in cols["pre"]], pre_idx[cols["pre"]],
                [post_pops[i] for i in cols["post"]], post_idx[cols["post"]])

    def __len__(self):
        return len(self._columns()["pre"])

    def __getitem__(self, i):
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return Connection(self, i % len(self))

    @property
    def connections(self):
        return (Connection(self, i) for i in range(len(self)))

    # Values --------------------------------------------------------------

    def _values(self, name):
        """One value per connection: weights from the simulation where
        there is one (plasticity changes them), the rest as stored."""
        cols = self._columns()
        if name == "weight":
            net = simulator.state.network
            if net is not None:
                live = net.weights(self)
                if live is not None:
                    return live
        if name not in cols:
            raise KeyError(f"{self.synapse_type.__class__.__name__} has no "
                           f"parameter {name!r}")
        return cols[name]

    def _set_values(self, name, values, index=slice(None)):
        """Sets the values of connections `index` (all by default)."""
        cols = self._columns()
        if name not in cols:
            raise KeyError(f"{self.synapse_type.__class__.__name__} has no "
                           f"parameter {name!r}")
        if name == "delay":
            values = _steps(values)
        elif not np.all(np.isfinite(np.asarray(values, dtype=float))):
            raise ValueError(f"{name} must be finite")
        before = cols[name][index].copy()
        cols[name][index] = values
        try:
            limits.check(cols, self.label, "connection")
        except errors.InvalidParameterValueError:
            cols[name][index] = before
            raise
        net = simulator.state.network
        if net is None:
            return
        if name == "weight":
            live = net.weights(self)
            if live is not None:
                live[index] = values
                net.set_weights(self, live)
        else:
            simulator.state.changed()  # compiled into the network

    def _set_attributes(self, parameter_space):
        cols = self._columns()
        for name, value in parameter_space.items():
            if name == "dendritic_delay_fraction":
                continue
            if value.is_homogeneous:
                value.shape = (1,)
                v = np.full(len(self), float(value.evaluate(simplify=True)))
            else:
                v = np.asarray(value.evaluate(simplify=False), dtype=float)
                v = v[cols["pre"], cols["post"]]
            self._set_values(name, v)

    def _get_attributes_as_list(self, names):
        cols = self._columns()
        values = []
        for name in names:
            if name == "presynaptic_index":
                values.append(cols["pre"])
            elif name == "postsynaptic_index":
                values.append(cols["post"])
            else:
                values.append(self._values(name))
        return list(zip(*[v.tolist() for v in values]))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        cols = self._columns()
        ops = {"sum": (np.add.at, 0.0), "min": (np.minimum.at, np.inf),
               "max": (np.maximum.at, -np.inf)}
        out = []
        for name in names:
            values = self._values(name)
            shape = (self.pre.size, self.post.size)
            if multiple_synapses in ops:
                op, start = ops[multiple_synapses]
                a = np.full(shape, start)
                op(a, (cols["pre"], cols["post"]), values)
            else:
                a = np.full(shape, np.nan)
                order = (np.arange(len(values)) if multiple_synapses == "last"
                         else np.arange(len(values))[::-1])
                a[cols["pre"][order], cols["post"][order]] = values[order]
            empty = np.ones(shape, bool)
            empty[cols["pre"], cols["post"]] = False
            a[empty] = np.nan
            out.append(a)
        return out

    def initialize(self, **initial_values):
        """Initial values of the synapses' states (TsodyksMarkramSynapse:
        u): a number, a RandomDistribution, or one value per connection."""
        allowed = getattr(self.synapse_type, "synapse_states", ())
        for variable, value in initial_values.items():
            if variable not in allowed:
                raise ValueError(f"{self.synapse_type.__class__.__name__} "
                                 f"has no state {variable!r} to initialize")
            v = LazyArray(value, shape=(len(self),), dtype=float)
            values = np.array(v.evaluate(simplify=False), dtype=float)
            self._initial_states[variable] = values
            self.initial_values[variable] = values
            net = simulator.state.network
            if net is not None:
                net.set_synapse_state(self, variable, values)
