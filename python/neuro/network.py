"""Networks built from Python: neuro.Network writes the .neuro source of a
network statement (and the table files of connections given as arrays) and
compiles it, so Python-built networks have the language's semantics and
checks, and its error messages point into the generated source."""

import os
import re
import shutil
import tempfile
import weakref

import numpy as np

from neuro._compile import compile_source

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_")


def _name(text, what):
    if (not isinstance(text, str) or not text or text[0].isdigit()
            or not set(text) <= _NAME_CHARS):
        raise ValueError(f"{what} must be a name (letters, digits, _), "
                         f"not {text!r}")
    return text


def _whole(value, what):
    """`value` as an int: a whole number (10 or 10.0), not True or 2.5."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if not np.isfinite(value) or value != np.floor(value):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    return int(value)


def _whole_array(values, what):
    """An int64 array of whole numbers (no truncation of 1.9 to 1)."""
    a = np.asarray(values)
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be whole numbers")
    if a.ndim > 1:
        raise ValueError(f"{what} must be one-dimensional, not shape "
                         f"{a.shape}")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.floor(a))):
        raise ValueError(f"{what} must be whole numbers")
    # Compared in the array's own kind: as floats, 2^63 equals 2^63 - 1.
    if a.size and ((a.dtype.kind == "u" and int(a.max()) > 2**63 - 1) or
                   (a.dtype.kind == "f" and (a.max() >= 2.0**63 or
                                             a.min() < -2.0**63))):
        raise ValueError(f"{what} must fit 64 bits")
    return a.astype(np.int64).ravel()


def _numbers(values, what):
    """A float64 array of `values` (numbers, in SI); a TypeError naming
    `what` for anything else (strings with units, booleans, objects)."""
    a = np.asarray(values)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be numbers (SI units: seconds, "
                        f"volts, ...), not {a.dtype} values such as "
                        f"{a.ravel()[:1].tolist()!r}")
    return a.astype(np.float64)


def _names(values, what):
    """A list of names: one name, or a list or tuple of them."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not values:
        raise TypeError(f"{what} must be a name or a list of names, not "
                        f"{values!r}")
    return [_name(v, what) for v in values]


_NAME_OR_SLICE = re.compile(r"[A-Za-z_]\w*(?:\[[^\]\n]*\])?")


def _name_or_slice(text, what):
    """A population (or projection) name, or a slice written as text
    ("E[0:10]"): nothing else goes into the line written."""
    if not isinstance(text, str) or not _NAME_OR_SLICE.fullmatch(
            text.strip()):
        raise ValueError(f"{what} must name a population (or a slice such "
                         f"as \"E[0:10]\"), not {text!r}")
    return text.strip()


def _names_or_slices(values, what):
    """Population names or slices written as text ("E[0:10]"): one, or a
    non-empty list of them."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)) or not values or not all(
            isinstance(v, str) and v for v in values):
        raise TypeError(f"{what} must name a population (or a slice such "
                        f"as \"E[0:10]\"), or list some, not {values!r}")
    return [_name_or_slice(v, what) for v in values]


_TOKEN = re.compile(r"""\s*(?:
    (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<string>"[^"]*")
  | (?P<open>[(\[])
  | (?P<close>[)\]])
  | (?P<comma>,)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%^<>!.])
  | (?P<other>\S))""", re.X)
# Words that end an expression in a statement: a string holding one would
# add an option to the line it is written into.
_STATEMENT_WORDS = {"delay", "p", "n", "where", "no_autapses", "procedural",
                    "with", "as", "from", "in_degree", "out_degree",
                    "one_to_one", "every", "of", "record", "run", "connect",
                    "plasticity", "named"}
_OPERATOR_WORDS = {"and", "or", "not", "if", "then", "else"}


def _one_expression(text):
    """Why `text` is not one expression of the language (the reason), or
    None: brackets balanced, no comma or `=` outside them, no comment, and
    no two operands in a row but a number and its unit (`20 ms`)."""
    depth, prev, at = 0, None, 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if not m or m.end() == at:
            break
        at = m.end()
        kind = m.lastgroup
        word = m.group(kind)
        if kind == "other":
            return f"unexpected {word!r}"
        if kind == "op" and word == "/" and text[at:at + 1] in "/*":
            return "a comment"
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                return f"unbalanced {word!r}"
        elif kind == "comma" and depth == 0:
            return "a ',' outside brackets"
        if kind == "name" and word in _OPERATOR_WORDS:
            kind = "op"
        operand = kind in ("number", "name", "string")
        if operand and prev in ("number", "name", "string", "close", "unit"):
            unit = prev == "number" and kind == "name"
            if not unit or word in _STATEMENT_WORDS:
                return f"unexpected {word!r} after an operand"
        prev = "unit" if prev == "number" and kind == "name" else kind
    if text[at:].strip():
        return f"unexpected {text[at:].strip()[:10]!r}"
    if depth:
        return "unbalanced brackets"
    return None


def expr(value):
    """A value as an expression of the language: strings as written
    ("-60 mV", "uniform(1 ms, 3 ms)"), numbers as plain numbers (so
    dimensionless), lists as [a, b, ...]."""
    if isinstance(value, bool):
        raise TypeError("booleans are not values of the language")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return repr(float(value))
    if isinstance(value, str):
        why = ("a line break" if "\n" in value or "\r" in value else
               "a '}'" if "}" in value else _one_expression(value))
        if why:
            raise ValueError(f"not one expression: {value!r} ({why})")
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(expr(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a value")


def _args(model, args):
    if not args:
        return model
    return model + "(" + ", ".join(f"{_name(k, 'an argument')} = {expr(v)}"
                                   for k, v in args.items()) + ")"


class _Folder:
    """A temporary folder, removed when nothing holds it any more (the
    network and the models compiled from it), without the ResourceWarning
    of TemporaryDirectory's implicit cleanup."""

    def __init__(self, base):
        self.name = tempfile.mkdtemp(prefix="neuro-net-", dir=base)
        self._remove = weakref.finalize(self, shutil.rmtree, self.name,
                                        ignore_errors=True)

    def cleanup(self):
        self._remove()


def _table_folder():
    """A temporary folder for the network's tables, whose path a .neuro
    string can hold (no quote or line break: $TMPDIR may have one)."""
    for base in (None, "/tmp", os.getcwd()):
        if base is not None and not os.path.isdir(base):
            continue
        folder = _Folder(base)
        if not any(c in folder.name for c in '"\r\n'):
            return folder
        folder.cleanup()
    raise ValueError("no temporary folder whose path has no quote or line "
                     "break for the network's tables (set TMPDIR)")


class Network:
    """A network assembled statement by statement:

        net = neuro.Network("Demo", dt="0.1 ms", seed=1)
        net.use("std.neurons.LIF", "std.synapses.ExpCurrent")
        net.population("E", 80, "LIF", v="uniform(-60 mV, -50 mV)")
        net.connect("E", "E", "ExpCurrent", w="0.5 mV", p=0.1)
        net.record_spikes("E")
        sim = net.compile().simulation()

    Models come from imports (use) or from source text (define). Connections
    given as arrays (connect_arrays) are written to a table file that lives
    as long as the compiled model does."""

    def __init__(self, name="Net", dt=None, seed=None):
        self.name = _name(name, "the network's name")
        self._imports = []
        self._models = []
        self._settings = []
        self._lines = []
        self._files = _table_folder()
        self._count = 0
        self._projections = {}   # the projections' names so far
        self._sizes = {}         # population name: its number of neurons
        self._populations_written = set()  # by statement(), sizes unread
        if dt is not None:
            self._settings.append(f"dt = {expr(dt)}")
        if seed is not None:
            seed = _whole(seed, "seed")
            if not 0 <= seed < 2**64:
                raise ValueError(f"seed must be from 0 to 2^64 - 1, not "
                                 f"{seed}")
            self._settings.append(f"seed = {seed}")

    def use(self, *imports):
        """Imports models: "std.neurons.LIF", "mymodels.Cell"."""
        for i in imports:
            if not isinstance(i, str):
                raise TypeError(f"an import is a dotted name such as "
                                f"\"std.neurons.LIF\", not {i!r}")
            if not all(_name(p, "an import") for p in i.split(".")):
                raise ValueError(f"bad import {i!r}")
            if i not in self._imports:
                self._imports.append(i)
        return self

    def define(self, source):
        """Adds neuron/synapse definitions written in the language."""
        if not isinstance(source, str):
            raise TypeError(f"define() takes the definitions as text, not "
                            f"{type(source).__name__}")
        self._models.append(source.strip())
        return self

    def param(self, name, value):
        """A constant of the network (`param NAME = VALUE`)."""
        self._lines.append(f"param {_name(name, 'a parameter')} = "
                           f"{expr(value)}")
        return self

    def population(self, name, size, model, excitatory=None, **args):
        """`NAME = SIZE of MODEL(ARGS)`; excitatory=True/False for Dale's
        law. Arguments are expressions (see expr), or one value per neuron:
        an array of SIZE numbers, dimensionless, or (array, "mV") in that
        unit (Brian2's `G.v = array * mV`), written to a table that the
        model reads with `values`."""
        n = _whole(size, "size")
        args = {k: self._per_neuron(k, v, n) for k, v in args.items()}
        line = (f"{_name(name, 'a population')} = {n} of "
                f"{_args(_name(model, 'a model'), args)}")
        self._not_a_projection(name)
        self._sizes[name] = _whole(size, "size")
        if excitatory is not None and not isinstance(excitatory,
                                                     (bool, np.bool_)):
            raise TypeError(f"excitatory is True, False or None, not "
                            f"{excitatory!r}")
        if excitatory is not None:
            line += " excitatory" if excitatory else " inhibitory"
        self._lines.append(line)
        return name

    def spike_times(self, name, size, indices, times, same_step=None,
                    period=None):
        """A SpikeTimes source: neuron indices[n] spikes at times[n] (s).
        same_step="all" emits every spike of a neuron that falls into one
        step (NEST, NEURON); by default a second one is an error (Brian2).
        period ("100 ms", or seconds) repeats the spikes every period, as
        Brian2's SpikeGeneratorGroup(period=...)."""
        indices = _whole_array(indices, "indices")
        times = _numbers(times, "times")
        if times.ndim > 1:
            raise ValueError(f"times must be one-dimensional, not shape "
                             f"{times.shape}")
        times = times.ravel()
        if indices.shape != times.shape:
            raise ValueError("indices and times must have the same length")
        if same_step not in (None, "all", "error"):
            raise ValueError(f'same_step is "all" or "error", not '
                             f'{same_step!r}')
        self._not_a_projection(_name(name, "a population"))
        self._sizes[name] = _whole(size, "size")
        path = self._table({"i": indices, "t": times})
        same = "" if same_step is None else f', same_step = "{same_step}"'
        if period is not None:
            if isinstance(period, (bool, np.bool_)):
                raise TypeError(f"period is a time (\"100 ms\" or seconds), "
                                f"not {period!r}")
            if isinstance(period, (int, float, np.integer, np.floating)):
                period = f"{expr(float(period))} s"
            same += f", period = {expr(period)}"
        self._lines.append(f"{_name(name, 'a population')} = "
                           f"{_whole(size, 'size')} of "
                           f"SpikeTimes(file = \"{path}\"{same})")
        return name

    def connect(self, pre, post, synapse, p=None, in_degree=None,
                out_degree=None, one_to_one=False, where=None, delay=None,
                no_autapses=False, name=None, n=None, procedural=False,
                **args):
        """`connect PRE -> POST with SYNAPSE(ARGS) RULE ...`; pre and post
        may be slices written as text ("E[0:10]"); post may be a list.
        n makes n synapses per pair (Brian2's connect(n=...)); procedural
        keeps the projection as its rule."""
        posts = _names_or_slices(post, "post")
        pre = _name_or_slice(pre, "pre")
        line = (f"connect {pre} -> {', '.join(posts)} with "
                f"{_args(_name(synapse, 'a synapse'), args)}")
        rules = [r for r in (p, in_degree, out_degree) if r is not None]
        if len(rules) + bool(one_to_one) > 1:
            raise ValueError("give one rule: p, in_degree, out_degree or "
                             "one_to_one")
        if p is not None:
            line += f" p = {expr(p)}"
        if in_degree is not None:
            line += f" in_degree = {_whole(in_degree, 'in_degree')}"
        if out_degree is not None:
            line += f" out_degree = {_whole(out_degree, 'out_degree')}"
        if one_to_one:
            line += " one_to_one"
        if where is not None:
            line += f" where {expr(where)}"
        if no_autapses:
            line += " no_autapses"
        if n is not None:
            line += f" n = {_whole(n, 'n')}"
        if delay is not None:
            line += f" delay = {expr(delay)}"
        if procedural:
            line += " procedural"
        if name is not None:
            line += f" as {_name(name, 'a projection')}"
        self._lines.append(line)
        return self._projection_names(pre, posts, name)[0]

    def connect_arrays(self, pre, post, synapse, sources, targets,
                       weights=None, delays=None, name=None, **args):
        """Exactly the synapses sources[k] -> targets[k], with weights (SI)
        and delays (seconds) per synapse when given (`from "FILE"`)."""
        pre = _name_or_slice(pre, "pre")
        post = _name_or_slice(post, "post")
        cols = {"pre": _whole_array(sources, "sources"),
                "post": _whole_array(targets, "targets")}
        n = len(cols["pre"])
        if len(cols["post"]) != n:
            raise ValueError("sources and targets must have the same length")
        # Said here rather than in the table file the network reads.
        for key, pop in (("pre", pre), ("post", post)):
            size = self._sizes.get(pop)
            bad = np.flatnonzero((cols[key] < 0) | (cols[key] >= size)) \
                if size is not None else []
            if len(bad):
                k = int(bad[0])
                what = "sources" if key == "pre" else "targets"
                raise ValueError(f"connect_arrays {pre} -> {post}: "
                                 f"{what}[{k}] = {cols[key][k]} is not a "
                                 f"neuron of the {size} of {pop!r}")
        for key, values in (("weight", weights), ("delay", delays)):
            if values is not None:
                values = _numbers(values, key + "s")
                if values.ndim > 1 or values.size not in (1, n):
                    raise ValueError(f"{key}s must be one number or one per "
                                     f"synapse ({n}), not shape "
                                     f"{values.shape}")
                cols[key] = np.ascontiguousarray(
                    np.broadcast_to(values.ravel(), (n,)))
        path = self._table(cols)
        line = (f"connect {pre} -> {post} with "
                f"{_args(_name(synapse, 'a synapse'), args)} from \"{path}\"")
        if name is not None:
            line += f" as {_name(name, 'a projection')}"
        self._lines.append(line)
        return self._projection_names(pre, [post], name)[0]

    def _not_a_projection(self, name):
        """A population may not take a projection's name: the compiler,
        which knows every population first, would name the projection
        otherwise than connect() said."""
        if name in self._projections:
            raise ValueError(f"{name!r} names a projection already; give "
                             f"the population another name")

    def _projection_names(self, pre, posts, name):
        """The names the compiler gives the projections of a connect to
        `posts`: `name`, or SRC_to_DST of the populations (slices left
        out), else the first of SRC_to_DST_1, SRC_to_DST_2, ... that no
        population or projection before it has."""
        if name is not None:
            self._projections[name] = self._projections.get(name, 0) + 1
            return [name]
        out = []
        for post in posts:
            base = (f"{str(pre).split('[')[0].strip()}_to_"
                    f"{str(post).split('[')[0].strip()}")
            taken = (self._projections.keys() | self._sizes.keys()
                     | self._populations_written)
            found, n = base, 0
            while found in taken:
                n += 1
                found = f"{base}_{n}"
            self._projections[found] = 1
            out.append(found)
        return out

    def record_spikes(self, *populations):
        pops = _names_or_slices(list(populations), "record_spikes()")
        self._lines.append("record spikes of " + ", ".join(pops))

    def record(self, owner, variables, every=None):
        """`record VARS of OWNER [every T]` (owner may be a slice)."""
        variables = _names(variables, "the variables of record()")
        owner = _name_or_slice(owner, "the owner of record()")
        line = f"record {', '.join(variables)} of {owner}"
        if every is not None:
            line += f" every {expr(every)}"
        self._lines.append(line)

    def run(self, duration):
        """A `run` statement: the duration simulation.run() runs by default."""
        self._lines.append(f"run {expr(duration)}")

    def statement(self, text):
        """Any other statement of a network, as written in the language.
        Populations and connects written here take their names as those
        of population() and connect() do, so that the names connect()
        returns stay the compiler's."""
        if not isinstance(text, str):
            raise TypeError(f"a statement is text, not {type(text).__name__}")
        text = text.strip()
        population = re.match(r"(\w+)\s*=\s*\S+\s+of\b", text)
        connect = re.match(r"connect\s+([\w\[\]:\s]+?)\s*->\s*(.+?)\s+"
                           r"with\b(?:.*\bas\s+(\w+)\s*$)?", text, re.S)
        if population:
            self._not_a_projection(population.group(1))
            self._populations_written.add(population.group(1))
        elif connect:
            posts = [p.strip() for p in connect.group(2).split(",")]
            self._projection_names(connect.group(1).strip(), posts,
                                   connect.group(3))
        self._lines.append(text)

    def _per_neuron(self, name, value, size):
        """`value` as an argument: an array (or (array, unit)) of one
        number per neuron becomes values("TABLE", unit); anything else is
        left to expr."""
        unit = "1"
        if (isinstance(value, tuple) and len(value) == 2
                and isinstance(value[1], str)):
            value, unit = value
            if not isinstance(value, (list, np.ndarray)):
                raise TypeError(f"{name}: (values, unit) takes an array of "
                                f"values, not {type(value).__name__}")
        elif not isinstance(value, np.ndarray):
            return value
        values = np.asarray(value)
        if values.dtype.kind not in "iuf" or values.ndim != 1:
            raise ValueError(f"{name}: one number per neuron (a 1-D array "
                             f"of numbers), got shape {values.shape} of "
                             f"{values.dtype}")
        if len(values) != size:
            raise ValueError(f"{name}: {len(values)} values for {size} "
                             f"neurons")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name}: the values must be finite numbers")
        path = self._table({name: values.astype(np.float64)})
        unit = expr(unit.strip())
        # "mV", "uS/mV" follow a number; "1/ms" is 1 / (1 ms).
        if unit == "1":
            quantity = "1"
        elif unit.startswith("1/"):
            quantity = f"1 / (1 {unit[2:].strip()})"
        else:
            quantity = f"1 {unit}"
        return f'values("{path}", {quantity})'

    def _table(self, columns):
        dtype = [(k, "<i8" if v.dtype.kind in "iu" else "<f8")
                 for k, v in columns.items()]
        n = len(next(iter(columns.values())))
        table = np.empty(n, dtype=dtype)
        for k, v in columns.items():
            table[k] = v
        self._count += 1
        path = os.path.join(self._files.name, f"table{self._count}.npy")
        np.save(path, table)
        return path

    def source(self):
        """The .neuro text of the network."""
        out = [f"import {i}" for i in self._imports]
        out += self._models
        # The network is built before the first run: runs and the switches
        # of plasticity between them go last, in their order.
        def sequenced(line):
            return line.startswith(("run ", "plasticity "))
        lines = [line for line in self._lines if not sequenced(line)]
        lines += [line for line in self._lines if sequenced(line)]
        body = "\n".join("  " + line for line in self._settings + lines)
        out.append(f"network {self.name} {{\n{body}\n}}")
        return "\n\n".join(out) + "\n"

    def compile(self, **options):
        """Compiles the network (options as neuro.compile_source)."""
        source = self.source()
        no_run = not any(line.startswith("run ") for line in self._lines)
        if no_run:
            # The language wants a duration; simulation.run() then needs one.
            source = source.rstrip()[:-1] + "  run 1 s\n}\n"
        model = compile_source(source, name=f"<network {self.name}>",
                               _keep=self._files, **options)
        model.has_duration = not no_run
        return model
