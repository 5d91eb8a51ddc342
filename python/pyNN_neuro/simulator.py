"""The state of a pyNN.neuro simulation: what the script created, the
network compiled from it, time, segments.

PyNN scripts are imperative, Neuro compiles a whole network: populations,
projections, current sources and recordings are collected as the script
creates them, and the first run() writes them as one Neuro network
(builder.Network), compiles it and builds a simulation. Later runs continue
it. Values that live in the simulation's rows (parameters, states,
weights) are changed there directly between runs; a change of what is
compiled (a new population, projection, current source or recording, a
delay, a synapse parameter, a refractory period) marks the network stale,
and the next run compiles it again and carries the state over (see
builder.Network.snapshot), continuing at the same time.

Classes and attributes used by PyNN's common implementation:
    ID     -- a cell's id
    state  -- the one State of the process
"""

import logging

import numpy as np
from pyNN import common

name = "Neuro"
logger = logging.getLogger("PyNN")


class ID(int, common.IDMixin):
    """A cell: an int (unique in the simulation) with its population."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


def _seed(base, segment, build):
    """The seed of the simulation of a segment's build-th network: a
    segment (after reset) or a network compiled again draws new numbers for
    its random spike sources, reproducibly."""
    return (int(base) + 1000003 * segment + 7919 * build) % 2**63


class State(common.control.BaseState):
    """The simulation of the process (a singleton, `state`)."""

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.network = None
        self.clear()

    def clear(self):
        """Forgets the network: setup() starts a new one."""
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.recorders = set()
        self.write_on_end = []
        self.id_counter = 0
        self.segment_counter = -1
        self.dt = 0.1
        self.min_delay = "auto"
        self.max_delay = "auto"
        self.rng_seed = 0
        self.threads = 1
        self.compile_options = {}
        if self.network is not None:
            self.network.close()
        self.network = None
        self.stale = True
        self.builds = 0
        self._t = 0.0
        self.running = False
        self.reset()

    @property
    def t(self):
        """The current time (ms)."""
        return self._t

    def changed(self):
        """What the network compiles changed: the next run compiles it
        again (and carries the state over)."""
        self.stale = True

    def seed(self, build):
        return _seed(self.rng_seed, max(self.segment_counter, 0), build)

    def run(self, simtime):
        self.run_until(self._t + simtime)

    def run_until(self, tstop):
        if not np.isfinite(tstop):
            raise ValueError(f"the time to run to must be finite, not {tstop}")
        if not self.populations:
            # Nothing to simulate: time passes, as with PyNN's other
            # backends; a network created later starts from here.
            self._t = max(self._t, tstop)
            self.running = True
            return
        net = self._prepare(tstop)
        try:
            net.run_until(tstop)
        except RuntimeError as e:
            # Time stands where the run stopped, with what was recorded
            # until then; the message names the populations by label.
            self._t = net.t
            self.running = True
            raise RuntimeError(net.labelled(str(e))) from None
        self._t = net.t
        self.running = True

    def _prepare(self, tstop):
        """Builds the network when there is none, it is stale, or its
        current tables end before tstop."""
        from .builder import Network
        net = self.network
        if net is not None and not self.stale and net.horizon >= tstop:
            return net
        self.network = Network(self, t0=self._t, until=tstop, previous=net)
        self.stale = False
        self.builds += 1
        return self.network

    def reset(self):
        """Time back to 0, a new segment: the network is built again from
        its start (parameters as last set, initial values, weights as
        connected or last set)."""
        self.segment_counter += 1
        self._t = 0.0
        self.t_start = 0
        self.running = False
        for rec in self.recorders:
            rec._new_segment()
        net = self.network
        if net is None:
            return
        if self.stale or net.t0 != 0:
            net.close()   # compiled for a later start: compiled again
            self.network = None
            self.stale = True
        else:
            net.restart()


state = State()
