"""Running a compiled model: neuro.Simulation."""

import os
import weakref

import numpy as np

from neuro import _core
from neuro._compile import _string


def _owner_name(name, what):
    """A population's or projection's name given to `what`: a string (the
    run says which names there are)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} takes a population's or projection's name, "
                        f"not {name!r}")
    return name


def _folder(value):
    """A folder's name for write() and stream_to(): not empty (that wrote
    into the current folder)."""
    folder = _string(value, "folder")
    if not folder:
        raise ValueError("folder must be a folder's name, not ''")
    return folder


def _seconds(value, what="duration"):
    """Seconds from a number (seconds) or a string with a time unit."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number of seconds or a string "
                        "such as '100 ms'")
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            value = float(value)
        except OverflowError:
            raise ValueError(f"{what} must be finite and >= 0, not "
                             f"{value!r:.40}") from None
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{what} must be finite and >= 0, not {value}")
        return value
    if isinstance(value, str):
        if "\0" in value:
            raise ValueError(f"{what} {value!r} holds a NUL character")
        return _core.parse_duration(value)
    raise TypeError(f"{what} must be a number of seconds or a string such "
                    f"as '100 ms', not {type(value).__name__}")


class Simulation:
    """One network built from a Model, run in steps of the model's dt.

    State: sim["E.v"] is the row of state (or parameter kept as a row) v of
    population E, a numpy array over the simulator's own memory: reading it
    shows the current values, writing it changes them (in SI units: volts,
    seconds, siemens). sim["E_to_I.w"] is a synapse variable likewise.
    sim.unit("E.v") says the unit ("V"). To set with a unit, sim.set("E.v",
    "-60 mV"). In single precision (synapse rows: mixed too) a view is a
    copy synchronized when taken: after a run it is read-only, take it
    again. After reset() take views again: old ones show the old network
    and are read-only.
    """

    def __init__(self, model, seed=None, threads=1, set=None,
                 connectivity=None):
        self.model = model
        self._args = dict(seed=seed, threads=threads, set=set,
                          connectivity=connectivity)
        # Recordings added by record() and record_spikes(), which reset()
        # adds again.
        self._added = []
        self._streamed = None   # (folder as given, absolute) of stream_to
        # Views handed out (weak references), and whether a run leaves them
        # stale (the rows of float32 kernels): made read-only then, so that
        # a write through them raises instead of being lost.
        self._views = []
        self._sim = self._make()

    def _make(self):
        a = self._args
        for key in ("set", "connectivity"):
            if a[key] is not None and not isinstance(a[key], dict):
                raise TypeError(f"{key} must be a dict, not {a[key]!r}")
        sets = [(str(k), self._value_text(str(k), v))
                for k, v in (a["set"] or {}).items()]
        rules = {}
        for k, v in (a["connectivity"] or {}).items():
            if not isinstance(v, dict):
                raise TypeError(f"connectivity of {k!r} must be a dict such "
                                f"as {{\"p\": 0.05}}, not {v!r}")
            rules[str(k)] = {str(r): float(x) for r, x in v.items()}
        seed = a["seed"]
        if seed is not None and (
                isinstance(seed, bool) or
                not isinstance(seed, (int, float, np.integer, np.floating)) or
                (isinstance(seed, (float, np.floating)) and
                 not np.isfinite(seed)) or int(seed) != seed or
                not 0 <= int(seed) < 2**64):
            raise ValueError(f"seed must be a whole number in [0, 2^64), "
                             f"not {seed!r}")
        threads = a["threads"]
        if (isinstance(threads, bool) or
                not isinstance(threads, (int, np.integer)) or
                not 0 <= threads < 2**31):
            raise ValueError("threads must be a whole number >= 0 (0: "
                             f"automatic), not {threads!r}")
        threads = int(threads)
        return _core.Simulation(self.model._core,
                                None if seed is None else int(seed), threads,
                                sets, rules)

    def _value_text(self, name, value):
        """A starting value as --set takes it: numbers are SI, so they get
        the variable's SI unit."""
        if isinstance(value, bool):
            raise TypeError("a value must be a number or a quantity such as "
                            "'-60 mV'")
        if isinstance(value, (int, float, np.integer, np.floating)):
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(f"{name}: a starting value must be finite, "
                                 f"not {value!r}") from None
            if not np.isfinite(value):
                raise ValueError(f"{name}: a starting value must be finite, "
                                 f"not {value!r}")
            try:
                unit = self.unit(name)
            except KeyError:
                unit = "1"  # the run's own message names what is wrong
            return repr(float(value)) + ("" if unit == "1" else " " + unit)
        return str(value)

    # Time ----------------------------------------------------------------

    dt = property(lambda self: self._sim.dt, doc="time step, seconds")
    t = property(lambda self: self._sim.t, doc="simulated time, seconds")
    step = property(lambda self: self._sim.step, doc="steps done")
    seed = property(lambda self: self._sim.seed)
    threads = property(lambda self: self._sim.threads)

    def run(self, duration=None):
        """Runs `duration` more ("100 ms", or a number of seconds; default:
        the model's `run` statements). May be called again to go on.
        Ctrl-C stops at a step (KeyboardInterrupt; the simulation stays
        usable at the time reached). A NaN or infinite value stops the run
        with RuntimeError naming the population, neuron and variable."""
        if duration is None:
            if not self.model.has_duration:
                raise ValueError("the network has no `run` statement: give "
                                 "run() a duration")
            duration = self.model.duration
        # Counted as Brian2 counts runs one after another (to the step
        # covering the sum of the durations run).
        steps = self._sim.steps_to_run(_seconds(duration))
        self._run_steps(steps)
        return self

    def _run_steps(self, steps):
        try:
            self._sim.run_steps(steps)
        finally:
            self._freeze_views(stale_only=True)

    def _freeze_views(self, stale_only):
        kept = []
        for ref, stale in self._views:
            view = ref()
            if view is None:
                continue
            if stale or not stale_only:
                view.flags.writeable = False
            else:
                kept.append((ref, stale))
        self._views = kept

    def run_until(self, time):
        """Runs until simulated time `time` (seconds or "1 s")."""
        target = self._sim.steps_for(_seconds(time, "time"))
        if target < self.step:
            raise ValueError(f"time {time} is before the current time "
                             f"{self.t} s")
        self._run_steps(target - self.step)
        return self

    def reset(self):
        """Builds the network again from its start (same seed and values,
        the recordings added by record() and record_spikes() too)."""
        old = self._sim
        old.set_busy(True)  # raises while a run() goes on in another thread
        try:
            self._freeze_views(stale_only=False)
            self._sim = self._make()
        finally:
            old.set_busy(False)
        self._streamed = None
        for args in self._added:
            if len(args) == 3:
                self._sim.record_spikes(*args)
            else:
                self._sim.record(*args)
        return self

    # State ---------------------------------------------------------------

    def _split(self, name):
        if not isinstance(name, str):
            raise KeyError(f"expected 'POPULATION.VARIABLE' or "
                           f"'PROJECTION.VARIABLE', not {name!r}")
        owner, dot, var = name.partition(".")
        if not dot or not var:
            raise KeyError(f"expected 'POPULATION.VARIABLE' or "
                           f"'PROJECTION.VARIABLE', not {name!r}")
        return owner, var

    def _row(self, name):
        owner, var = self._split(name)
        for kind, what, owners in (("pop", "population",
                                    self.model.populations),
                                   ("proj", "projection",
                                    self.model.projections)):
            if owner not in owners:
                continue
            rows = owners[owner]["rows"]
            if var not in rows or var.startswith("_"):
                public = _public(rows)
                raise KeyError(
                    f"{what} {owner!r} has no variable {var!r} " +
                    (f"(it has {public})" if public else
                     "(it has none: constants, such as a weight given as "
                     "one value, are compiled into the kernels)"))
            return kind, owner, rows.index(var)
        raise KeyError(f"no population or projection {owner!r}")

    def __getitem__(self, name):
        kind, owner, row = self._row(name)
        rows = (self._sim.state(owner) if kind == "pop"
                else self._sim.synapse_state(owner))
        view = rows[row]
        precision = self.model.precision
        stale = precision == "single" or (precision == "mixed" and
                                          kind == "proj")
        if len(self._views) >= 1024:
            self._views = [(r, st) for r, st in self._views
                           if r() is not None]
        self._views.append((weakref.ref(view), stale))
        return view

    def __setitem__(self, name, value):
        self.set(name, value)

    def unit(self, name):
        """The SI unit of a variable ("V", "s", "1")."""
        kind, owner, row = self._row(name)
        info = (self.model.populations if kind == "pop"
                else self.model.projections)[owner]
        units = info["units"]
        return units[row] if row < len(units) and units[row] else "1"

    def set(self, name, value, neurons=None):
        """Sets a state or a parameter kept as a row: `value` is a quantity
        ("-60 mV", checked against the variable's unit), a number in SI, or
        an array (SI) of one value per neuron (or per selected neuron).
        What is computed from parameters (propagators, derived parameters)
        follows; values it cannot follow (a time constant of 0) raise and
        are not kept."""
        kind, owner, row = self._row(name)
        if kind == "pop" and self.model.populations[owner]["rows"][row] in \
                self.model.populations[owner]["sampled"]:
            raise ValueError(f"{name!r} is a let, computed from the states "
                             f"whenever it is sampled; set what it reads")
        view = self[name]
        sel = slice(None) if neurons is None else neurons
        if isinstance(value, str):
            value = _core.parse_quantity(value, self.unit(name), repr(name))
        elif value is None or isinstance(value, bool):
            raise TypeError("a value must be a number, an array or a "
                            "quantity such as '-60 mV'")
        kind_of = np.asarray(value).dtype.kind
        if kind_of not in "iuf":
            # Complex values lost their imaginary part, booleans became 1.
            raise TypeError(f"a value must be a number, an array of numbers "
                            f"or a quantity such as '-60 mV', not "
                            f"{np.asarray(value).dtype} values")
        try:
            values = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError("a value must be a number, an array or a "
                            "quantity such as '-60 mV'") from None
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name}: values must be finite")
        try:
            selected = view[sel]
        except (IndexError, TypeError, ValueError):
            raise IndexError(f"neurons {sel!r} are not a selection of the "
                             f"{len(view)} of {name!r} (a slice, indices "
                             f"from 0 to {len(view) - 1} or a mask)") from None
        if selected.size == 0:
            raise ValueError(f"neurons {sel} select none of the {len(view)} "
                             f"of {name!r}")
        if kind != "pop":
            view[sel] = values
            return
        self._sim.change_row(owner, row,
                             lambda: view.__setitem__(sel, values))

    # Spikes and recordings -------------------------------------------------

    def record_spikes(self, population, neurons=None):
        """Records the spikes of `population` from now on; with `neurons`
        (a slice such as slice(0, 10)) those of these neurons only, still
        indexed in the population. A population's spikes are recorded for
        one range."""
        _owner_name(population, "record_spikes()")
        begin, end = (self._range(population, neurons)
                      if population in self.model.populations else (0, -1))
        self._sim.record_spikes(population, begin, end)
        self._added.append((population, begin, end))

    def _named(self, name, what):
        """`name`, one of the model's populations or projections (`what`)."""
        known = getattr(self.model, what + "s")
        if not isinstance(name, str) or name not in known:
            raise KeyError(f"no {what} {name!r} ({what}s: "
                           f"{', '.join(known) or 'none'})")
        return name

    def _population(self, population):
        return self._named(population, "population")

    def _projection(self, projection):
        return self._named(projection, "projection")

    def spikes(self, population):
        """The recorded spikes as (indices int32, times float64 seconds),
        in time order; a spike seen in step k has time (k + 1) dt."""
        return self._sim.spikes(self._population(population))

    def spike_count(self, population):
        """Spikes of `population` since the start, recorded or not."""
        return self._sim.spike_count(self._population(population))

    def rate(self, population):
        """Mean rate of `population` since the start, Hz (per input of a
        PoissonDrive, as `neuroc run --json` reports it)."""
        p = self.model.populations[self._population(population)]
        n = p["size"] * max(1, p.get("drive_inputs", 0))
        return self.spike_count(population) / (n * self.t) if self.t else 0.0

    def _range(self, owner, neurons):
        """[begin, end) of `neurons`, a slice of the population (or of the
        projection's synapses); (0, -1) for None: all of them."""
        if neurons is None:
            return 0, -1
        whole = all(b is None or (isinstance(b, (int, np.integer)) and
                                  not isinstance(b, bool))
                    for b in (neurons.start, neurons.stop)
                    ) if isinstance(neurons, slice) else False
        if not whole or neurons.step not in (None, 1):
            raise TypeError("neurons must be a slice of whole numbers "
                            "such as slice(0, 10)")
        # Python's meaning of negative bounds, of the population (or of the
        # projection's synapses).
        size = (self.model.populations[owner]["size"]
                if owner in self.model.populations else
                self._sim.synapse_state(owner).shape[-1])
        begin, end, _ = neurons.indices(size)
        if begin >= end:
            raise ValueError(f"neurons {neurons} of {owner!r} select "
                             f"none of its {size}")
        return begin, end

    def record(self, owner, variables, every=None, neurons=None):
        """Records variables of a population or projection from now on
        (as a `record` statement): every step, or every `every` ("1 ms");
        `neurons` a slice (of synapses, for a projection). Returns the
        recording's number for recording()."""
        if isinstance(variables, str):
            variables = [variables]
        if not isinstance(variables, (list, tuple)) or not all(
                isinstance(v, str) for v in variables):
            raise TypeError(f"variables must be a name or a list of names, "
                            f"not {variables!r}")
        if len(set(variables)) != len(variables):
            raise ValueError(f"a variable is named twice in {variables!r}")
        steps = 1
        if every is not None:
            seconds = _seconds(every, "every")
            steps = self._sim.steps_for(seconds)
            if steps < 1:
                raise ValueError("every must be at least one step")
            dt = self.model.dt
            if not _core.on_step_grid(seconds, dt):
                raise ValueError(
                    f"every must be a whole number of steps (dt = "
                    f"{dt * 1e3:g} ms), got {seconds * 1e3:g} ms")
        if not variables:
            raise ValueError("record needs at least one variable")
        _owner_name(owner, "record()")
        begin, end = self._range(owner, neurons)
        self._sim.record(owner, list(variables), begin, end, steps)
        self._added.append((owner, list(variables), begin, end, steps))
        return len(self._sim.recordings()) - 1

    def recording(self, which):
        """A state recording: {"t": times, VAR: [samples x neurons]}; for a
        projection also "pre" and "post" (each column's neurons). `which`
        is what record() returned, or the name of a population or
        projection that has one state recording."""
        recs = self._sim.recordings()
        asked = which
        if isinstance(which, str):
            found = [k for k, r in enumerate(recs) if r["owner"] == which]
            if len(found) > 1:
                raise KeyError(f"{which!r} has {len(found)} state recordings: "
                               "give the number record() returned")
            which = found[0] if found else None
        elif isinstance(which, (int, np.integer)) and not isinstance(
                which, (bool, np.bool_)) and 0 <= which < len(recs):
            which = int(which)
        else:
            which = None
        for k, rec in enumerate(recs):
            if k != which:
                continue
            owner = rec["owner"]
            t, values = self._sim.recording(k)
            out = {"t": t}
            for v, var in enumerate(rec["vars"]):
                out[var] = values[:, v, :]
            if rec["synapses"]:
                pre, post, _ = self._sim.connections(owner)
                cols = slice(rec["begin"], rec["begin"] + values.shape[2])
                out["pre"], out["post"] = pre[cols], post[cols]
            return out
        raise KeyError(f"no state recording {asked!r} (a population or "
                       f"projection recorded, or a number below {len(recs)})")

    def recordings(self):
        """What is recorded: spikes of populations and state recordings."""
        pops = [p for p in self.model.populations
                if self._sim.is_recorded(p)]
        return {"spikes": pops,
                "states": [r["owner"] for r in self._sim.recordings()]}

    # Synapses ------------------------------------------------------------

    def connections(self, projection):
        """(pre, post, delay): source and target neuron of every synapse,
        int64, and its delay in seconds, in the order of its variables."""
        return self._sim.connections(self._projection(projection))

    def num_synapses(self, projection):
        return self._sim.num_synapses(self._projection(projection))

    def plasticity(self, projection, on):
        """Switches a projection's learning on or off (`plasticity on/off`):
        `on` is True or False."""
        if not isinstance(on, (bool, np.bool_)):
            raise TypeError(f"plasticity({projection!r}, on): on is True or "
                            f"False, not {on!r}")
        _owner_name(projection, "plasticity()")
        self._sim.set_plastic(projection, bool(on))

    @property
    def synaptic_events(self):
        return self._sim.synaptic_events

    # Files ---------------------------------------------------------------

    def write(self, folder):
        """Writes every recording as `neuroc run` does (spikes_POP.npy,
        POP_VAR.npy, POP_t.npy; an owner's further state recordings as
        POP_2_VAR.npy, POP_2_t.npy, ...) into `folder`. Streamed
        recordings (stream_to) are only in their folder."""
        streamed = self._streamed
        if streamed is not None and (
                os.path.abspath(os.fspath(folder)) != streamed[1]):
            raise ValueError(f"the recordings are streamed to {streamed[0]!r}"
                             " (stream_to); write() can only finish them "
                             "there")
        self._sim.write(_folder(folder))

    def stream_to(self, folder):
        """Streams recordings to files in `folder` while running, keeping
        only a few MiB in memory (spikes() then holds the unwritten ones).
        A simulation streams to one folder (until reset())."""
        folder = _folder(folder)
        if self._streamed is not None:
            if os.path.abspath(folder) == self._streamed[1]:
                return
            raise ValueError(f"the recordings stream to "
                             f"{self._streamed[0]!r} already; a simulation "
                             f"streams to one folder (until reset())")
        # Absolute: a later os.chdir() does not move the files.
        absolute = os.path.abspath(os.fspath(folder))
        self._sim.stream_to(absolute)
        self._streamed = (os.fspath(folder), absolute)

    def save(self, path):
        """Saves a checkpoint (state, spikes in flight, step)."""
        self._sim.save(_string(path, "path"))

    def restore(self, path):
        """Continues from a checkpoint of this network (same model, seed).
        The values given with set= (and with compile()'s overrides=) that
        are rows (states, parameters kept as rows, synapse variables)
        replace the checkpoint's, as `neuroc run --restore FILE --set ...`
        does."""
        self._sim.restore(_string(path, "path"))
        given = dict(self.model._overrides)
        given.update(self._args["set"] or {})
        for name, value in given.items():
            try:
                self._row(str(name))
            except KeyError:
                continue  # compiled in: the checkpoint holds no row of it
            self.set(str(name), value)

    def summary(self):
        """What `neuroc run --json` reports of the run so far."""
        pops = {name: {"size": p["size"], "spikes": self.spike_count(name),
                       "rate_hz": self.rate(name)}
                for name, p in self.model.populations.items()}
        return {"network": self.model.network, "t": self.t,
                "steps": self.step, "dt": self.dt, "seed": self.seed,
                "threads": self.threads, "populations": pops,
                "synapses": sum(self.num_synapses(j)
                                for j in self.model.projections),
                "synaptic_events": self.synaptic_events,
                "build_s": self._sim.t_build, "simulate_s": self._sim.t_sim}

    def __repr__(self):
        return (f"<neuro.Simulation {self.model.network} at t={self.t:g} s, "
                f"seed {self.seed}>")

    def __copy__(self):
        # A shallow copy would share the simulator: a run of either would
        # move both.
        raise TypeError(
            "a Simulation cannot be copied: build another with "
            "model.simulation(...) and continue from a checkpoint of this one "
            "(save(path), then restore(path) on the other)")

    def __deepcopy__(self, memo):
        self.__copy__()

    def __reduce__(self):
        raise TypeError(
            "a Simulation cannot be pickled: save(path) writes a checkpoint "
            "that model.simulation(...).restore(path) continues from")


def _public(rows):
    return ", ".join(r for r in rows if not r.startswith("_"))


