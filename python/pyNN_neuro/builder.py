"""The Neuro network of a PyNN script (pyNN.neuro).

Network writes what the script created as one neuro.Network: a
population per Population (the std.pynn model; SpikeSourceArray as a
SpikeTimes source), the current sources as `i_inj = timed(...)` tables,
each Projection as connection tables (one Neuro projection per population
pair and value of the synapse model's constants), the recordings; it
compiles it with every parameter a per-neuron row (tunable "*"), builds a
simulation and sets every row from the values PyNN holds. Then it is the
interface of the rest of the backend to the simulation: parameters,
states, weights, recordings.

Compiled again in the middle of a segment (something compiled changed,
or the current tables end), a network starts at the current time t0: it
takes the state of the previous one (snapshot, _restore: neurons' states,
weights, synapse states, the times of last spikes), and everything that
depends on absolute time (spike times, current tables, sources' start) is
written from t0 on. Spikes still in flight in the previous simulation (sent,
their delays not yet over) are carried over: delivered after their delays
as the previous simulation would have.
"""

import math
import os
import warnings

import numpy as np

import neuro
from pyNN import errors

from .standardmodels import SI, si_factor
from .standardmodels.cells import SpikeSourceArray
from .projections import whole_steps
from .standardmodels.synapses import UNITS, WEIGHT_UNIT


def _q(value, unit, what):
    """A number with its unit as an expression of the language; `what`
    names it in the error when it is not finite."""
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what}: {value} is not a finite number")
    return repr(value) + (f" {unit}" if unit else "")


def _last(row):
    """Rows holding the step of an event (`_lastspike`, `_lastupdate`):
    counted from the new start when the state is carried to a network
    starting later."""
    return row.startswith("_last")


class _Group:
    """One Neuro projection: connections `conns` of a PyNN projection (in
    the Neuro projection's order), weights scaled to SI by `factor`; a
    `mirror` runs them from the target to the source (a gap junction's
    other way), with the same weights."""

    def __init__(self, name, conns, factor, pre, post, mirror=False):
        self.name = name
        self.conns = conns
        self.factor = factor
        self.pre = pre
        self.post = post
        self.mirror = mirror


class Network:
    def __init__(self, state, t0, until, previous=None):
        self.state = state
        self.dt = state.dt
        self.t0 = t0
        self.horizon = math.inf
        self.build = 0 if previous is None else previous.build + 1
        carried = None
        if previous is not None:
            if previous.sim is not None:
                for rec in state.recorders:
                    rec._harvest(previous)
                carried = previous.snapshot()
            previous.close()
        # Each SpikeSourceArray's times as this network sends them, to
        # find times set after they passed (the next network's).
        self.spike_times = {}
        self._before = {} if previous is None else previous.spike_times
        self._net = neuro.Network("PyNN", dt=f"{self.dt!r} ms")
        self._pops = {}            # Population -> Neuro name
        self._groups = {}          # Projection -> [_Group]
        self._records = {}         # Population -> (variables, b, e, every)
        self._spikes = set()       # Populations whose spikes are recorded
        self._compiled_spikes = set()
        self._write_populations(until)
        self._write_projections()
        self._write_records()
        self.model = self._net.compile(tunable=["*"],
                                       **state.compile_options)
        self.sim = None
        self.restart(carried, align=True)

    # Writing the network --------------------------------------------------

    def _write_populations(self, until):
        for k, p in enumerate(self.state.populations):
            name = f"P{k}"
            self._pops[p] = name
            ct = p.celltype
            if isinstance(ct, SpikeSourceArray):
                idx, times = self._spike_array(p)
                self._net.spike_times(name, p.size, idx, times,
                                      same_step="all")
                continue
            self._net.use("std.pynn." + ct.neuro_model)
            args = {}
            for par in ct.compiled_parameters:
                values = np.unique(p._parameters[par])
                if values.size > 1:
                    raise errors.InvalidParameterValueError(
                        f"{p.label}: pyNN.neuro compiles {par} into the "
                        "network: it must have one value for the whole "
                        f"population (got {values.size})")
                args[par] = _q(values[0], ct.units[par], f"{p.label}: {par}")
            table = self._currents(p, name, until)
            if table is not None:
                path, every = table
                args["i_inj"] = (f'timed("{path}", {every} * {self.dt!r} ms, '
                                 f'1 nA)')
            self._net.population(name, p.size, ct.neuro_model, **args)

    def _spike_array(self, p):
        """A SpikeSourceArray's spikes as SpikeTimes takes them: the spike
        of PyNN's time t emitted in the step that ends at t (stamped t,
        delivered at t + delay, as NEURON and NEST deliver it). Spikes of
        one cell that fall into one step are all emitted (same_step =
        "all"), as NEURON and NEST deliver them."""
        dt, t0 = self.dt, self.t0
        idx, steps, early, missed = [], [], 0, 0
        sent = self.spike_times[p] = []
        before = self._before.get(p, [])
        for i, seq in enumerate(p._parameters["spike_times"]):
            t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
            sent.append(t)
            k = whole_steps((t - t0) / dt).astype(np.int64) - 1
            if t0 == 0:
                early += int((k < 0).sum())
                k = np.maximum(k, 0)
            else:
                # Before t0: the previous network sent them, unless they
                # were set since (set() between runs), and pass unsent.
                old = before[i] if i < len(before) else np.zeros(0)
                missed += int(np.setdiff1d(t[k < 0], old).size)
                k = k[k >= 0]
            k = np.sort(k)
            idx.append(np.full(k.size, i, dtype=np.int64))
            steps.append(k)
        if early:
            warnings.warn(f"{p.label}: {early} spike time(s) before dt; "
                          f"they are sent at dt = {dt} ms")
        if missed:
            warnings.warn(f"{p.label}: {missed} spike time(s) set before the "
                          f"current time {t0} ms are not sent")
        idx = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
        steps = np.concatenate(steps) if steps else np.zeros(0, np.int64)
        return idx, steps * (dt * 1e-3)

    def _currents(self, p, name, until):
        """(file, every): the summed current of the sources injected into
        p (nA, one row per `every` steps from t0; one column, or one per
        neuron), or None."""
        sources = [(s, idx) for s in self.state.current_sources
                   for pop, idx in s._targets if pop is p]
        if not sources:
            return None
        dt = self.dt
        k0 = int(round(self.t0 / dt))
        last = max(s.last_change(dt) for s, _ in sources)
        # Tables to twice the run's length at most; a source that changes
        # later makes a run beyond compile the network again.
        k_until = int(round(until / dt))
        end = max(2 * k_until - k0, k_until + 1000)
        if last + 1 > end:
            self.horizon = min(self.horizon, end * dt)
        else:
            end = last + 1
        rows = max(end - k0, 1)
        whole = all(idx.size == p.size and
                    np.array_equal(np.sort(idx), np.arange(p.size))
                    for _, idx in sources)
        # One row per `every` steps, the greatest that divides every change
        # of every source: a step source on part of a large population
        # over a long run needs a few rows, not one per step and neuron
        # (the last row holds after the end). The value is held over each
        # step either way.
        waves = [s.waveform(k0, k0 + rows, dt) for s, _ in sources]
        changes = np.concatenate([np.flatnonzero(np.diff(w)) + 1
                                  for w in waves])
        every = int(np.gcd.reduce(changes)) or rows
        table = np.zeros((-(-rows // every), 1 if whole else p.size))
        for wave, (s, idx) in zip(waves, sources):
            wave = wave[::every]
            if whole:
                table[:, 0] += wave
            else:
                table[:, idx] += wave[:, None]
        if not whole and np.all(table == table[:, :1]):
            table = table[:, :1]
        path = os.path.join(self._net._files.name, f"i_inj_{name}.npy")
        np.save(path, table)
        return path, every

    def _write_projections(self):
        pops = self.state.populations
        number = {p: i for i, p in enumerate(pops)}
        for j, prj in enumerate(self.state.projections):
            self._groups[prj] = []
            cols = prj._columns()
            if len(cols["pre"]) == 0:
                continue
            pre_pops, pre_idx, post_pops, post_idx = prj._parents()
            st = prj.synapse_type
            names = list(st.neuro_parameters)
            keys = [np.array([number[q] for q in pre_pops], float),
                    np.array([number[q] for q in post_pops], float)]
            keys += [cols[n] for n in names]
            if hasattr(st, "tau_syn_var"):
                names.append("tau_syn")
                keys.append(self._tau_syn(st, prj.receptor_type, post_pops,
                                          post_idx))
            if "tau_syn" in names and np.any(
                    keys[names.index("tau_rec") + 2] == keys[-1]):
                raise errors.InvalidParameterValueError(
                    f"{prj.label}: tau_rec equals the target's synaptic time "
                    "constant, which the Tsodyks-Markram model (NEST's, "
                    "NEURON's) cannot take")
            uniq, inverse = np.unique(np.stack(keys, axis=1), axis=0,
                                      return_inverse=True)
            inverse = np.asarray(inverse).ravel()
            for g, key in enumerate(uniq):
                conns = np.nonzero(inverse == g)[0]
                conns = conns[np.argsort(pre_idx[conns], kind="stable")]
                pre, post = pops[int(key[0])], pops[int(key[1])]
                family = post.celltype.neuro_family
                model, module = st.neuro_synapse(family, prj.receptor_type)
                self._net.use(module)
                unit = WEIGHT_UNIT[family]
                values = (list(zip(names, key[2:])) +
                          list(st.neuro_constants.items()))
                args = {n: _q(v, unit if UNITS[n] == "w" else UNITS[n],
                              f"{prj.label}: {n}") for n, v in values}
                sources, targets = pre_idx[conns], post_idx[conns]
                self._write_group(prj, f"J{j}_{g}", conns,
                                  (pre, post, sources, targets), model,
                                  SI[unit], args)
                if st.both_ways:
                    self._write_group(prj, f"J{j}_{g}r", conns,
                                      (post, pre, targets, sources), model,
                                      SI[unit], args, mirror=True)

    def _write_group(self, prj, name, conns, ends, model, factor, args,
                     mirror=False):
        """Connections `conns` of prj as the Neuro projection `name`;
        `ends`: (source population, target population, source indices,
        target indices)."""
        cols = prj._columns()
        pre, post, pre_idx, post_idx = ends
        delays = cols.get("delay")   # none: ElectricalSynapse
        self._net.connect_arrays(
            self._pops[pre], self._pops[post], model, pre_idx, post_idx,
            weights=cols["weight"][conns] * factor,
            delays=None if delays is None else delays[conns] * 1e-3,
            name=name, **args)
        self._groups[prj].append(_Group(name, conns, factor, pre_idx,
                                        post_idx, mirror))

    @staticmethod
    def _tau_syn(st, receptor, post_pops, post_idx):
        """Each connection's target's synaptic time constant (ms), the
        Tsodyks-Markram model's tau_syn; 1 ns for voltage jumps."""
        var = st.tau_syn_var[receptor]
        out = np.empty(len(post_pops))
        for i, (q, k) in enumerate(zip(post_pops, post_idx)):
            params = q._parameters
            out[i] = float(params[var][k]) if var in params else 1e-6
        return out

    def _write_records(self):
        for p, name in self._pops.items():
            rec = p.recorder
            if rec.recorded.get("spikes"):
                self._net.record_spikes(name)
                self._spikes.add(p)
                self._compiled_spikes.add(p)
            variables, idx = rec.state_variables()
            if not variables:
                continue
            b, e = int(idx.min()), int(idx.max()) + 1
            step = rec.sampling_interval
            aligned = abs(self.t0 / step - round(self.t0 / step)) < 1e-9
            every = step if aligned else self.dt
            self._net.record(f"{name}[{b}:{e}]", variables,
                             every=f"{every!r} ms")
            self._records[p] = (variables, b, e, every)

    # The simulation -------------------------------------------------------

    def restart(self, carried=None, align=False):
        """A new simulation of the compiled network, from its start (reset:
        a new segment), every row set from PyNN's values."""
        self.sim = self.model.simulation(seed=self.state.seed(self.build),
                                         threads=self.state.threads)
        if align:
            self._align()
        for groups in self._groups.values():
            for g in groups:
                # The synapses' states are those of t = 0: of the event
                # before step 0 (an event in step k is at (k + 1) dt).
                rows = self.model.projections[g.name]["rows"]
                if "_lastupdate" in rows:
                    self.sim._sim.synapse_state(g.name)[
                        rows.index("_lastupdate")][:] = -1
        for p in self._spikes - self._compiled_spikes:
            self.sim.record_spikes(self._pops[p])
        for p in self._pops:
            self._apply_parameters(p)
            name = self._pops[p]
            for var, values in p._initial.items():
                self.sim.set(f"{name}.{var}",
                             values * si_factor(p.celltype, var))
        for prj, groups in self._groups.items():
            if groups:
                self.set_weights(prj, prj._columns()["weight"])
                for var, values in prj._initial_states.items():
                    self.set_synapse_state(prj, var, values)
        if carried is not None:
            self._restore(*carried)

    def _align(self):
        """Puts each group's connections in the order of the built
        synapses (Neuro numbers them by source, and by delay where delays
        differ), matching (pre, post, delay, weight)."""
        for prj, groups in self._groups.items():
            cols = prj._columns()
            for g in groups:
                pre, post, delay = self.sim.connections(g.name)
                w = self.sim[f"{g.name}.w"]
                built = (w, np.rint(delay * 1e3 / self.dt), post, pre)
                delays = cols.get("delay", np.zeros(len(prj)))  # ms
                mine = (cols["weight"][g.conns] * g.factor,
                        whole_steps(delays[g.conns] / self.dt), g.post,
                        g.pre)
                a, b = np.lexsort(built), np.lexsort(mine)
                if len(a) != len(b) or not all(
                        np.array_equal(x[a], y[b])
                        for x, y in zip(built[1:], mine[1:])):
                    raise RuntimeError(f"pyNN.neuro: the synapses of {g.name} "
                                       "are not the ones written")
                conns = np.empty_like(g.conns)
                conns[a] = g.conns[b]
                g.conns, g.pre, g.post = conns, pre, post

    @property
    def t(self):
        """The current time (ms)."""
        return self.t0 + self.sim.step * self.dt

    def labelled(self, message):
        """`message` of the simulation with the PyNN labels of the
        populations it names instead of their names in the network."""
        for p, name in self._pops.items():
            message = message.replace(f"population '{name}'",
                                      f"population '{p.label}'")
        return message

    def run_until(self, tstop):
        # To the last step not past tstop (within 1e-6 dt), as NEURON's
        # fixed step stops (6.66 ms at dt = 0.1 ms ends at 6.6 ms).
        target = int(np.floor((tstop - self.t0) / self.dt + 1e-6))
        steps = target - self.sim.step
        if steps > 0:
            self.sim.run(steps * self.dt * 1e-3)

    def close(self):
        self.sim = None
        self.model = None

    # Values between runs ----------------------------------------------------

    def _apply_parameters(self, p, names=None):
        ct = p.celltype
        if isinstance(ct, SpikeSourceArray):
            return
        name = self._pops[p]
        for par in names or p._parameters:
            if par in ct.compiled_parameters:
                continue
            v = np.asarray(p._parameters[par], dtype=float) * si_factor(ct,
                                                                        par)
            if par in ct.time_parameters:
                v = v - self.t0 * 1e-3
            self.sim.set(f"{name}.{par}", v)

    def parameters_changed(self, p, names):
        """Population.set: rows are set at once; compiled values (the
        refractory period, spike times) compile the network again."""
        if p not in self._pops:
            return
        ct = p.celltype
        rows = [n for n in names if n not in ct.compiled_parameters
                and not isinstance(ct, SpikeSourceArray)]
        if len(rows) < len(names):
            self.state.changed()
        if rows and self.sim is not None:
            self._apply_parameters(p, rows)

    def set_state(self, p, variable, indices, values):
        if p in self._pops and self.sim is not None:
            view = self.sim[f"{self._pops[p]}.{variable}"]
            view[indices] = values * si_factor(p.celltype, variable)

    def weights(self, prj):
        """The weights in the simulation (PyNN's units, connection order),
        or None for a projection the network does not have."""
        groups = self._groups.get(prj)
        if groups is None or self.sim is None or (
                sum(len(g.conns) for g in groups if not g.mirror)
                != len(prj)):
            return None
        w = np.empty(len(prj))
        for g in groups:
            w[g.conns] = self.sim[f"{g.name}.w"] / g.factor
        return w

    def set_weights(self, prj, weights):
        for g in self._groups.get(prj, ()):
            if self.sim is not None:
                self.sim[f"{g.name}.w"][:] = weights[g.conns] * g.factor

    def set_synapse_state(self, prj, variable, values):
        for g in self._groups.get(prj, ()):
            if self.sim is not None:
                self.sim[f"{g.name}.{variable}"][:] = values[g.conns]

    # Carrying the state to a network compiled again ---------------------

    def snapshot(self):
        """The state of the simulation: ({Population: {row: values}},
        {Projection: {row: values per connection}}, {Population: spike
        lists of the steps before the current one, the latest first}),
        times of last events (steps) counted from the current step."""
        now = self.sim.step
        pops = {}
        for p, name in self._pops.items():
            params = set(p.celltype.default_parameters) | {"i_inj"}
            rows = self.model.populations[name]["rows"]
            arr = self.sim._sim.state(name)
            pops[p] = {r: (arr[i] - now if _last(r) else arr[i].copy())
                       for i, r in enumerate(rows)
                       if r not in params and (_last(r) or r[0] != "_")}
        projs = {}
        for prj, groups in self._groups.items():
            out = {}
            for g in groups:
                info = self.model.projections[g.name]
                arr = self.sim._sim.synapse_state(g.name)
                for i, r in enumerate(info["rows"]):
                    if r[0] == "_" and not _last(r):
                        continue
                    v = arr[i] - now if _last(r) else arr[i].copy()
                    if r == info["weight"]:
                        r, v = "weight", v / g.factor
                    out.setdefault(r, np.full(len(prj), np.nan))[g.conns] = v
            projs[prj] = out
        spikes = {}
        for p, name in self._pops.items():
            lists = self.sim._sim.recent_spikes(name)
            if any(len(x) for x in lists):
                spikes[p] = (lists, self._outgoing(p))
        return pops, projs, spikes

    def _outgoing(self, p):
        """The network's projections from population `p`, each one's
        sources, targets and delays as built: the new network replays the
        spikes in flight through its own projections, right only where they
        are these."""
        out = {}
        for prj, groups in self._groups.items():
            if any(p is q for q in prj._populations(prj.pre)):
                for g in groups:
                    out[g.name] = tuple(np.array(a, copy=True) for a in
                                        self.sim.connections(g.name))
        return out

    def _restore(self, pops, projs, spikes):
        on_cpu = self.state.compile_options.get("target", "cpu") == "cpu"
        for p, (lists, outgoing) in spikes.items():
            name = self._pops.get(p)
            if name is None:
                continue
            now = self._outgoing(p)
            if now.keys() != outgoing.keys() or any(
                    not all(np.array_equal(a, b)
                            for a, b in zip(now[k], outgoing[k]))
                    for k in now):
                # They would arrive again at the new delays, or through
                # projections made after they were sent.
                warnings.warn(f"{p.label}: the spikes in flight are lost "
                              "(its projections or their delays changed)")
                continue
            if on_cpu:
                self.sim._sim.carry_spikes(name, lists)
            else:   # a GPU target keeps its own rings
                warnings.warn(f"{p.label}: the spikes in flight are lost "
                              "(they are carried over on the CPU only)")
        for p, rows in pops.items():
            name = self._pops.get(p)
            if name is None:
                continue
            names = self.model.populations[name]["rows"]
            arr = self.sim._sim.state(name)
            for r, v in rows.items():
                if r in names and len(v) == p.size:
                    arr[names.index(r)][:] = v
        for prj, rows in projs.items():
            for g in self._groups.get(prj, ()):
                info = self.model.projections[g.name]
                arr = self.sim._sim.synapse_state(g.name)
                for r, v in rows.items():
                    row = info["weight"] if r == "weight" else r
                    if row not in info["rows"] or len(v) != len(prj):
                        continue
                    v = v[g.conns] * (g.factor if r == "weight" else 1.0)
                    ok = ~np.isnan(v)
                    arr[info["rows"].index(row)][ok] = v[ok]

    # Recordings -----------------------------------------------------------

    def records(self, p, variable, ids):
        """Whether the network records `variable` of the neurons `ids` of
        p; spikes are recorded from now on when they are not."""
        name = self._pops.get(p)
        if name is None:
            return True   # a population the next network will have
        if variable == "spikes":
            if p not in self._spikes and self.sim is not None:
                self.sim.record_spikes(name)
                self._spikes.add(p)
            return True
        if p not in self._records:
            return False
        variables, b, e, every = self._records[p]
        idx = np.atleast_1d(p.id_to_index(np.array(sorted(ids), dtype=int)))
        step = p.recorder.sampling_interval
        return (variable in variables and (idx.size == 0 or (
            idx.min() >= b and idx.max() < e)) and
            abs(step / every - round(step / every)) < 1e-9)

    def recorded(self, p, final):
        """What the simulation recorded of p: ((indices, times ms),
        {variable: (times ms, values [samples x (e - b)], b)}), in PyNN's
        units; `final` adds the current state as the sample at the current
        time (the next run would record it)."""
        name = self._pops.get(p)
        spikes = (np.zeros(0, dtype=np.int64), np.zeros(0))
        if name is None or self.sim is None:
            return spikes, {}
        if p in self._spikes:
            i, t = self.sim.spikes(name)
            # On PyNN's grid (k dt), the same whichever network recorded.
            k = np.rint((t * 1e3 + self.t0) / self.dt)
            spikes = (np.asarray(i, dtype=np.int64), k * self.dt)
        signals = {}
        if p in self._records:
            variables, b, e, every = self._records[p]
            r = self.sim.recording(name)
            times = r["t"] * 1e3 + self.t0
            every_steps = int(round(every / self.dt))
            add = final and self.sim.step % every_steps == 0
            if add:
                times = np.append(times, self.t)
            for v in variables:
                f = si_factor(p.celltype, v)
                values = np.asarray(r[v]) / f
                if add:
                    now = self.sim[f"{name}.{v}"][b:e] / f
                    values = np.vstack([values.reshape(-1, e - b), now])
                signals[v] = (times, values.reshape(-1, e - b), b)
        return spikes, signals
