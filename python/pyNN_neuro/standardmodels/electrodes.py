"""PyNN's current sources as tables of the cells' `i_inj`.

A source injected into cells adds its current to their `i_inj`, which the
network gives as `timed("FILE", EVERY, 1 nA)`: one row per EVERY (the
longest interval that divides every change of the sources), one column
per neuron of the population (one column when all its neurons get the
same), the sum of the sources injected into each neuron (builder.py).
Step k (from k dt to (k + 1) dt) takes the value the source has at k dt,
as PyNN's NEURON backend plays it into its IClamp; times are rounded to
the nearest step (half-way: the earlier, as NEURON delivers an event at
te in the step where te <= t + dt / 2; where the float sum of NEURON's
clock lands on the other side of a half-way time, NEURON switches a step
later). A source's parameters changed after the first run, or a source
injected then, take effect from the next run on (the network is compiled
again, carrying its state over).
"""

import numpy as np

from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import StandardCurrentSource, electrodes

from ..simulator import state
from . import identity

# Steps beyond this are "never" (PyNN's default stop is 1e12 ms).
_NEVER = 10**15
# Noise drawn at once (as PyNN's NEURON backend does) up to this many
# values; longer sources draw as the tables need them.
_DRAW_AT_ONCE = 10**7


def _step(t_ms, dt):
    # The nearest step, a time half-way between two taking the earlier:
    # NEURON delivers an event at te in the step where te <= t + dt / 2.
    k = np.ceil(np.asarray(t_ms, dtype=float) / dt - 0.5)
    return np.minimum(k, _NEVER).astype(np.int64)


def _targets(cells):
    """(population, index array) pairs of a Population, PopulationView,
    Assembly or list of IDs."""
    from pyNN import common
    if isinstance(cells, common.Assembly):
        out = []
        for p in cells.populations:
            out += _targets(p)
        return out
    if isinstance(cells, common.PopulationView):
        return [(cells.grandparent,
                 np.asarray(cells.index_in_grandparent(
                     np.arange(cells.size)), dtype=np.int64))]
    if isinstance(cells, common.Population):
        return [(cells, np.arange(cells.size, dtype=np.int64))]
    by_parent = {}
    for id in cells:
        by_parent.setdefault(id.parent, []).append(id.parent.id_to_index(id))
    return [(p, np.asarray(i, dtype=np.int64)) for p, i in by_parent.items()]


class NeuroCurrentSource(StandardCurrentSource):
    """A current source: its targets and its current per step."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_native", {})
        object.__setattr__(self, "_targets", [])
        object.__setattr__(self, "_recording", False)
        super(StandardCurrentSource, self).__init__(**parameters)
        ps = ParameterSpace(self.default_parameters, self.get_schema(),
                            shape=(1,))
        ps.update(**parameters)
        self.set_native_parameters(self.translate(ps))
        state.current_sources.append(self)

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        given = {}
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = value.value
            if not np.all(np.isfinite(np.asarray(value, dtype=float))):
                raise ValueError(f"{type(self).__name__}: {name} must be "
                                 f"finite, not {value}")
            given[name] = value
        p = {**self._native, **given}
        if "start" in p and "stop" in p and p["stop"] < p["start"]:
            raise ValueError(f"{type(self).__name__}: stop ({p['stop']} ms) "
                             f"is before start ({p['start']} ms)")
        if p.get("stdev", 0.0) < 0:
            raise ValueError(f"{type(self).__name__}: stdev must be >= 0, "
                             f"not {p['stdev']}")
        self._native.update(given)
        self._check()
        if self._targets:
            state.changed()

    def get_native_parameters(self):
        return ParameterSpace({k: (Sequence(v) if isinstance(v, np.ndarray)
                                   else v)
                               for k, v in self._native.items()},
                              shape=(1,))

    def _check(self):
        pass

    def inject_into(self, cells):
        """Injects the current into a Population, PopulationView, Assembly
        or list of IDs (from the next run on)."""
        for pop, idx in _targets(cells):
            if not pop.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
            self._targets.append((pop, idx))
        state.changed()

    def record(self):
        self._recording = True

    def _get_data(self):
        """The current (nA) at k dt for k = 0 .. t / dt."""
        dt = state.dt
        n = int(round(state.t / dt)) + 1
        return dt * np.arange(n), self.waveform(0, n, dt)

    # Subclasses: the value of every step in [k0, k1) (nA), and the step
    # after which the value stays as it is (_NEVER: it does not).
    def waveform(self, k0, k1, dt):
        raise NotImplementedError

    def last_change(self, dt):
        raise NotImplementedError


class DCSource(NeuroCurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = identity("amplitude", "start", "stop")

    def _window(self, dt):
        return (_step(self._native["start"], dt),
                _step(self._native["stop"], dt))

    def waveform(self, k0, k1, dt):
        a, b = self._window(dt)
        k = np.arange(k0, k1)
        return np.where((k >= a) & (k < b), self._native["amplitude"], 0.0)

    def last_change(self, dt):
        a, b = self._window(dt)
        return a if b >= _NEVER else b


class StepCurrentSource(NeuroCurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = identity("amplitudes", "times")

    def _check(self):
        times = np.asarray(self._native["times"], dtype=float)
        amps = np.asarray(self._native["amplitudes"], dtype=float)
        if times.shape != amps.shape:
            raise ValueError("times and amplitudes must have the same length")
        if (times < 0).any():
            raise ValueError("Step current cannot accept negative timestamps.")
        if (np.diff(times) <= 0).any():
            raise ValueError("Step current timestamps should be "
                             "monotonically increasing.")

    def _steps(self, dt):
        k = _step(self._native["times"], dt)
        amps = np.asarray(self._native["amplitudes"], dtype=float)
        # Times that round to one step: the last amplitude holds (NEURON's).
        keep = np.append(k[1:] != k[:-1], True) if k.size else k.astype(bool)
        return k[keep], amps[keep]

    def waveform(self, k0, k1, dt):
        k, amps = self._steps(dt)
        i = np.searchsorted(k, np.arange(k0, k1), side="right") - 1
        return np.where(i >= 0, amps[np.maximum(i, 0)] if amps.size else 0.0,
                        0.0)

    def last_change(self, dt):
        k, _ = self._steps(dt)
        return int(k[-1]) if k.size else 0


class ACSource(NeuroCurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = identity("amplitude", "start", "stop", "frequency",
                            "offset", "phase")

    def waveform(self, k0, k1, dt):
        p = self._native
        a, b = _step(p["start"], dt), _step(p["stop"], dt)
        k = np.arange(k0, k1)
        x = (k - a) * dt  # ms since start, on the step grid
        value = p["offset"] + p["amplitude"] * np.sin(
            2 * np.pi * p["frequency"] * x / 1000.0
            + 2 * np.pi * p["phase"] / 360.0)
        return np.where((k >= a) & (k < b), value, 0.0)

    def last_change(self, dt):
        return int(_step(self._native["stop"], dt))


class NoisyCurrentSource(NeuroCurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__ + """
    pyNN.neuro draws the values from numpy's global generator
    (np.random.randn, as PyNN's NEURON and Brian2 backends do), at
    creation when there are at most 10^7 of them, else as needed.
    """
    translations = identity("mean", "start", "stop", "stdev", "dt")

    def __init__(self, **parameters):
        super().__init__(**parameters)
        # PyNN's NEURON backend draws its values twice when it creates the
        # source (set_native_parameters, then _generate) and keeps the
        # second: the same here, so that a seeded script injects the same
        # noise into both.
        self._check()

    def _check(self):
        object.__setattr__(self, "_draws", np.zeros(0))
        n = self._count(state.dt) + 1   # NEURON's: one more, for `stop`
        if n <= _DRAW_AT_ONCE:
            self._draw(n)

    def _interval(self, dt):
        return max(self._native["dt"], dt)

    def _count(self, dt):
        p = self._native
        return int(round((p["stop"] - p["start"]) / self._interval(dt)))

    def _draw(self, n):
        have = self._draws.size
        if n > have:
            object.__setattr__(self, "_draws", np.append(
                self._draws, np.random.randn(n - have)))

    def waveform(self, k0, k1, dt):
        p = self._native
        a, b = _step(p["start"], dt), _step(p["stop"], dt)
        k = np.arange(k0, k1)
        # Value j from the step nearest start + j interval (NEURON's play,
        # as the other sources' times): the last j whose step is <= k.
        interval = self._interval(dt)

        def switch(j):
            return _step(p["start"] + j * interval, dt)

        i = np.floor(((k + 0.5) * dt - p["start"]) / interval).astype(np.int64)
        i = np.where(switch(i + 1) <= k, i + 1, i)
        i = np.where(switch(i) > k, i - 1, i)
        on = (k >= a) & (k < b) & (i < self._count(dt))
        if on.any():
            self._draw(int(i[on].max()) + 1)
        value = p["mean"] + p["stdev"] * self._draws[np.where(on, i, 0)] \
            if self._draws.size else np.zeros(k.size)
        return np.where(on, value, 0.0)

    def last_change(self, dt):
        return int(_step(self._native["stop"], dt))
