"""Neuro implementation of the PyNN 0.10 API (pyNN.neuro).

    import pyNN.neuro as sim
    sim.setup(timestep=0.1)
    cells = sim.Population(10, sim.IF_cond_exp(tau_refrac=2.0))
    ...
    sim.run(100.0)

The script's populations, projections, current sources and recordings are
collected as it creates them; the first run writes them as one Neuro
network of the std.pynn models, compiles and runs it (builder.py). See
docs/pynn.md for what maps to what and what differs from PyNN's NEST and
NEURON backends.

`import neuro` first makes `import pyNN.neuro` find this package (the
build's neuro.pth does it too).
"""

import logging

import numpy as np
from pyNN import common
from pyNN.common.control import (DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY,
                                 DEFAULT_TIMESTEP)
from pyNN import connectors as _connectors
from pyNN.connectors import *  # noqa: F401,F403
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import get_io
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from . import simulator
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .projections import Projection
from .standardmodels.cells import *  # noqa: F401,F403
from .standardmodels.electrodes import (ACSource, DCSource,  # noqa: F401
                                        NoisyCurrentSource,
                                        StepCurrentSource)
from .standardmodels.synapses import (  # noqa: F401
    AdditivePotentiationMultiplicativeDepression, AdditiveWeightDependence,
    ElectricalSynapse, GutigWeightDependence, MultiplicativeWeightDependence,
    SimpleStochasticSynapse, SpikePairRule, STDPMechanism, StaticSynapse,
    StochasticTsodyksMarkramSynapse, TsodyksMarkramSynapse, Vogels2011Rule)

logger = logging.getLogger("PyNN")


class FixedProbabilityConnector(_connectors.FixedProbabilityConnector):
    __doc__ = _connectors.FixedProbabilityConnector.__doc__

    def __init__(self, p_connect, *args, **kwargs):
        # PyNN's asserts 0 <= p (an AssertionError without a message, and
        # none for NaN's sake) and takes p > 1 as 1; NEST refuses both.
        p = float(p_connect)
        if not 0 <= p <= 1:
            raise ValueError(f"FixedProbabilityConnector: p_connect must be "
                             f"in [0, 1], not {p_connect!r}")
        _connectors.FixedProbabilityConnector.__init__(self, p, *args,
                                                       **kwargs)


def list_standard_models():
    """The StandardCellType classes this backend has."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)
            and obj is not StandardCellType]


def _number(x):
    return (isinstance(x, (int, float, np.integer, np.floating)) and
            not isinstance(x, bool))


def _whole(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY,
          **extra_params):
    """Starts a new simulation (ms). Neuro's options: `threads` (worker
    threads of the simulation; 0: as many as pay), `rng_seed` (or `seed`: the seed of the
    network's own random numbers, the spike sources'; 0 by default),
    `compile_options` (a dict given to neuro.Network.compile, e.g.
    {"precision": "single"})."""
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    if not (_number(timestep) and np.isfinite(timestep) and timestep > 0):
        raise ValueError(f"timestep must be a finite number of ms > 0, "
                         f"not {timestep!r}")
    if timestep < 1e-6:
        raise ValueError(f"timestep must be at least 1e-6 ms (a second is "
                         f"at most 10^9 steps), not {timestep!r}")
    for name, delay in (("min_delay", min_delay), ("max_delay", max_delay)):
        if delay != "auto" and not (_number(delay) and np.isfinite(delay)
                                    and delay >= timestep):
            raise ValueError(f"{name} must be 'auto' or a finite number of "
                             f"ms >= the timestep ({timestep}), not "
                             f"{delay!r}")
    seed = extra_params.get("rng_seed", extra_params.get("seed", 0))
    if seed is None:
        seed = 0
    if not (_whole(seed) and 0 <= seed < 2**64):
        raise ValueError(f"rng_seed must be a whole number from 0 to "
                         f"2^64 - 1, not {seed!r}")
    threads = extra_params.get("threads", 1)
    if threads is None:
        threads = 1
    if not (_whole(threads) and 0 <= threads < 2**31):
        raise ValueError(f"threads must be a whole number >= 0 (0: "
                         f"automatic), not {threads!r}")
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.clear()
    state.dt = float(timestep)
    state.min_delay = min_delay
    state.max_delay = max_delay
    state.threads = int(threads)
    state.rng_seed = int(seed)
    state.compile_options = dict(extra_params.get("compile_options", {}))
    return rank()


def end(compatible_output=True):
    """Writes the data asked for by record(..., to_file) and frees the
    simulation."""
    state = simulator.state
    for (population, variables, filename) in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    if state.network is not None:
        state.network.close()
        state.network = None
        state.stale = True


run, run_until = common.build_run(simulator)
run_for = run

reset = common.build_reset(simulator)

initialize = common.initialize

get_current_time, get_time_step, _get_min_delay, _get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)


def get_min_delay():
    """The minimum delay (ms): the time step unless setup() gave one."""
    d = _get_min_delay()
    return simulator.state.dt if d == "auto" else d


def get_max_delay():
    """The maximum delay (ms); Neuro has none ('auto': infinite)."""
    d = _get_max_delay()
    return float("inf") if d == "auto" else d

create = common.build_create(Population)

connect = common.build_connect(Projection, FixedProbabilityConnector,
                               StaticSynapse)

set = common.set

record = common.build_record(simulator)


def record_v(source, filename):
    return record(["v"], source, filename)


def record_gsyn(source, filename):
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
