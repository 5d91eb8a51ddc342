"""Recording of pyNN.neuro: spikes and state variables into Neo blocks.

The network records what PyNN's record() asked for (`record spikes of P`,
`record v, gsyn_exc of P[b:e] every T`, builder.py). A Recorder reads it
from the simulation when PyNN asks for data; when the network is compiled
again in the middle of a segment, it keeps what the old simulation
recorded (_harvest) and adds what the new one records. Signals are
sampled at multiples of the sampling interval, from the recording's start
to the current time included (the last sample is the current state, as
PyNN's other backends give it); where a variable was not yet recorded the
samples are NaN.
"""

import numpy as np

from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def __init__(self, population, file=None):
        recording.Recorder.__init__(self, population, file)
        self._chunks = []      # [(spikes, signals)] of earlier networks
        self._t_clear = -np.inf
        # {variable: {id: ms}}: cells added to a recording after the start
        # of the segment, and when (nothing of them before that time).
        self._since = {}

    # Which neurons and variables ------------------------------------------

    def record(self, variables, ids, sampling_interval=None):
        # Checked before PyNN's Recorder adds the cells: a refused interval
        # (or a population of an earlier setup()) leaves the recording as it
        # was.
        pop = getattr(self.population, "grandparent", self.population)
        if hasattr(pop, "_check_current"):
            pop._check_current()
        if sampling_interval is not None:
            steps = sampling_interval / self._simulator.state.dt
            if not (steps >= 0.5 and steps < 1e12) or abs(
                    steps - round(steps)) > 1e-9:
                raise ValueError("the sampling interval must be a whole "
                                 "number of time steps, at least one "
                                 f"({self._simulator.state.dt} ms)")
        recording.Recorder.record(self, variables, ids, sampling_interval)

    def _record(self, variable, new_ids, sampling_interval=None):
        state = self._simulator.state
        if sampling_interval is not None:
            self.sampling_interval = sampling_interval
        if not new_ids:
            return   # the cells were recorded already
        if state.t > 0:
            since = self._since.setdefault(variable, {})
            for id in new_ids:
                since[int(id)] = state.t
        net = state.network
        if net is not None and not net.records(self.population, variable,
                                               new_ids):
            state.changed()

    def state_variables(self):
        """The recorded state variables and the neurons' indices."""
        names = sorted(v for v in self.recorded if v != "spikes"
                       and self.recorded[v])
        ids = set()
        for v in names:
            ids |= self.recorded[v]
        return names, self._indices(sorted(ids))

    def _indices(self, ids):
        """The population's indices of `ids`, as int64; PyNN's id_to_index
        fails on none (a view that records none of a variable's cells)."""
        ids = np.asarray(ids, dtype=int)
        if not ids.size:
            return np.zeros(0, dtype=np.int64)
        return np.atleast_1d(np.asarray(self.population.id_to_index(ids),
                                        dtype=np.int64))

    # Data ---------------------------------------------------------------

    def _harvest(self, network):
        """Keeps what `network` recorded (it is to be compiled again)."""
        self._chunks.append(network.recorded(self.population, final=False))

    def _reset(self):
        # What is recorded stays; PyNN forgets which cells to record.
        self._since = {}

    def _new_segment(self):
        self._chunks = []
        self._t_clear = -np.inf
        self._since = {}

    def _starts(self, variable):
        """When each cell (by index) joined the recording of `variable`:
        -inf for those recorded from the segment's start; None when all
        were."""
        since = self._since.get(variable)
        if not since:
            return None
        start = np.full(self.population.size, -np.inf)
        ids = np.fromiter(since.keys(), dtype=int, count=len(since))
        start[np.atleast_1d(self.population.id_to_index(ids))] = list(
            since.values())
        return start

    def _clear_simulator(self):
        self._chunks = []
        self._t_clear = self._simulator.state.t

    def _data(self):
        chunks = list(self._chunks)
        net = self._simulator.state.network
        if net is not None and self._simulator.state.running:
            chunks.append(net.recorded(self.population, final=True))
        return chunks

    def _spikes(self):
        """(indices, times in ms) of the segment's recorded spikes."""
        idx, t = [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
        for spikes, _ in self._data():
            idx.append(spikes[0])
            t.append(spikes[1])
        idx, t = np.concatenate(idx), np.concatenate(t)
        keep = t > self._t_clear + 1e-9
        start = self._starts("spikes")
        if start is not None:
            keep &= t > start[idx] + 1e-9
        return idx[keep], t[keep]

    def _get_spiketimes(self, ids, clear=False):
        # A dict by id, as pyNN.neuron returns: PyNN then annotates each
        # train with source_id and source_index (plotting reads them).
        ids = np.asarray(ids, dtype=int)
        idx, t = self._spikes()
        id_array = np.asarray(self.population.all_cells, dtype=int)[idx]
        keep = np.isin(id_array, ids)
        id_array, t = id_array[keep], t[keep]
        order = np.argsort(id_array, kind="stable")
        id_array, t = id_array[order], t[order]
        cells, starts = np.unique(id_array, return_index=True)
        return {int(c): times for c, times in
                zip(cells, np.split(t, starts[1:]) if cells.size else [])}

    def _local_count(self, variable, filter_ids=None):
        ids = self.filter_recorded(variable, filter_ids)
        idx, _ = self._spikes()
        counts = np.bincount(idx, minlength=self.population.size)
        return {int(id): int(counts[self.population.id_to_index(id)])
                for id in ids}

    def _get_all_signals(self, variable, ids, clear=False):
        state = self._simulator.state
        step = self.sampling_interval
        start = float(self._recording_start_time.rescale("ms").magnitude)
        first = int(np.ceil(start / step - 1e-9))
        last = int(np.floor(state.t / step + 1e-9))
        n = max(last - first + 1, 0)
        cols = self._indices(ids)
        out = np.full((n, cols.size), np.nan)
        for _, signals in self._data():
            if variable not in signals:
                continue
            times, values, b = signals[variable]
            k = times / step
            on_grid = np.abs(k - np.rint(k)) < 1e-6
            row = np.rint(k).astype(np.int64) - first
            ok = on_grid & (row >= 0) & (row < n)
            c = cols - b
            have = (c >= 0) & (c < values.shape[1])
            out[np.ix_(row[ok], np.nonzero(have)[0])] = \
                values[ok][:, c[have]]
        # A cell added to the recording later has no samples before.
        start = self._starts(variable)
        if start is not None:
            times = (first + np.arange(n)) * step
            out[times[:, None] < start[cols][None, :] - 1e-9] = np.nan
        return out, None
