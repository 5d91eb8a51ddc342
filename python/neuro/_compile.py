"""Compiling models: neuro.compile, neuro.compile_source and CompileError."""

import os
import re
import numpy as np

from neuro import _core

_HEADER = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<column>\d+): "
                     r"(?P<severity>error|warning|note): (?P<message>.*)$")
_PLAIN = re.compile(r"^(?P<file>[^:\n]*): (?P<severity>error|warning|note): "
                    r"(?P<message>.*)$")


class Diagnostic:
    """One message of the compiler: where, how severe, what, and the source
    line with its caret as `neuroc check` shows them (`snippet`)."""

    def __init__(self, file, line, column, severity, message, snippet=""):
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.snippet = snippet

    def __str__(self):
        where = (f"{self.file}:{self.line}:{self.column}" if self.line
                 else self.file)
        text = f"{where}: {self.severity}: {self.message}"
        return text + ("\n" + self.snippet if self.snippet else "")

    def __repr__(self):
        return (f"Diagnostic({self.file!r}, {self.line}, {self.column}, "
                f"{self.severity!r}, {self.message!r})")


def parse_diagnostics(text):
    """The diagnostics in the compiler's text output, in order."""
    out = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            out.append(Diagnostic(m["file"], int(m["line"]), int(m["column"]),
                                  m["severity"], m["message"]))
            continue
        m = _PLAIN.match(line)
        if m and not line.startswith(" "):
            out.append(Diagnostic(m["file"], 0, 0, m["severity"],
                                  m["message"]))
            continue
        if out:
            out[-1].snippet += ("\n" if out[-1].snippet else "") + line
    return out


class CompileError(Exception):
    """A model did not compile. `diagnostics` lists the messages (each with
    file, line, column, severity, message and snippet); str() gives them as
    `neuroc check` prints them."""

    def __init__(self, text):
        super().__init__(text.rstrip("\n"))
        self.text = text
        self.diagnostics = parse_diagnostics(text)

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.severity == "error"]


def _string(value, what):
    """`value` (a str or path) as text for the compiler: a NUL would cut
    it short where C++ reads it."""
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, not {value!r}")
    if "\0" in text:
        raise ValueError(f"{what} has an embedded null character: {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A file name of undecodable bytes (os.listdir's surrogates), or a
        # lone surrogate in source text.
        raise ValueError(f"{what} is not valid UTF-8 text: {text!r}") \
            from None
    return text


def _names(value, what):
    """One name or an iterable of them, as a list of strings."""
    if isinstance(value, (str, os.PathLike)):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a name or a list of names, not "
                        f"{value!r}") from None
    return [_string(v, what) for v in items]


def _options(network, tunable, overrides, precision, target, search_paths,
             cache, cache_dir, werror, vector_width):
    if network is not None:
        if not isinstance(network, str):
            raise TypeError(f"network must be a network's name, not "
                            f"{network!r}")
        network = _string(network, "network")
    if overrides is not None and not hasattr(overrides, "items"):
        raise TypeError("overrides must be a dict of names and values, not "
                        f"{overrides!r}")
    for name in overrides or {}:
        parts = str(name).split(".")
        if len(parts) > 2 or not all(parts):
            raise ValueError(f"overrides name {str(name)!r}: expected a "
                             "network parameter's name or POP.VAR, "
                             "PROJ.VAR")
    for name, value, kinds in (("precision", precision,
                                ("double", "mixed", "single")),
                               ("target", target,
                                ("cpu", "cuda", "cuda-emulated"))):
        if value not in kinds:
            raise ValueError(f"{name} must be '{kinds[0]}', '{kinds[1]}' or "
                             f"'{kinds[2]}', not {value!r}")
    if (isinstance(vector_width, bool) or
            not isinstance(vector_width, (int, np.integer)) or
            not 0 <= vector_width <= 64):
        raise ValueError("vector_width must be a whole number from 1 to 64 "
                         f"(0: the host's), not {vector_width!r}")
    return {
        "network": network,
        "tunable": _names(tunable, "tunable"),
        "overrides": {_string(str(k), "an override's name"): _text(v)
                      for k, v in (overrides or {}).items()},
        "precision": precision,
        "target": target,
        "search_paths": _names(search_paths, "search_paths"),
        "cache": bool(cache),
        "cache_dir": (None if cache_dir is None
                      else _string(cache_dir, "cache_dir")),
        "werror": bool(werror),
        "vector_width": int(vector_width),
    }


def _text(value):
    """A value for --set: quantities as text ("5 mV"), numbers as numbers."""
    if isinstance(value, bool):
        raise TypeError("a value must be a number or a quantity such as '5 mV'")
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value)


class Model:
    """A compiled network. Simulations made from it with simulation() reuse
    its kernels: another seed, other values of states and of parameters
    kept as rows (`tunable`), other connection probabilities or degrees need
    no compilation. Values compiled into the kernels (a network's `param`,
    `overrides`) need a new compile(), which the cache makes fast."""

    def __init__(self, core, keep=None):
        self._core = core
        self._keep = keep  # what the model's files need alive (Network)
        self.warnings = parse_diagnostics(core.warnings)
        # overrides= of compile(): what a restore puts back where the
        # checkpoint holds rows of them.
        self._overrides = {}
        # False for a Network without `run`: simulation.run() needs a time.
        self.has_duration = True

    network = property(lambda self: self._core.network)
    dt = property(lambda self: self._core.dt, doc="time step, seconds")
    cache_hit = property(lambda self: self._core.cache_hit)
    single_precision = property(lambda self: self._core.single_precision)
    precision = property(lambda self: self._core.precision,
                         doc='"double", "mixed" or "single"')

    @property
    def duration(self):
        """What the model's `run` statements add up to, in seconds (as
        written; the steps run are those that cover it)."""
        return self._core.duration

    @property
    def populations(self):
        """{name: {"size", "rows", "units", ...}} in the model's order."""
        return {p["name"]: p for p in self._core.populations}

    @property
    def projections(self):
        """{name: {"pre", "post", "rows", "units", "weight", ...}}."""
        return {p["name"]: p for p in self._core.projections}

    @property
    def compiled_overrides(self):
        return set(self._core.compiled_overrides)

    def simulation(self, seed=None, threads=1, set=None, connectivity=None):
        """A built network, ready to run. `set` gives starting values of
        states and of parameters kept as rows ({"E.v": "-60 mV",
        "E_to_I.w": "1 mV"}; numbers are SI); `connectivity` changes a
        projection's rule: {"E_to_I": {"p": 0.05}} (or in_degree,
        out_degree). Nothing is compiled again."""
        from neuro.simulation import Simulation
        return Simulation(self, seed=seed, threads=threads, set=set,
                          connectivity=connectivity)

    def __repr__(self):
        pops = ", ".join(f"{n}={p['size']}" for n, p in
                         self.populations.items())
        return f"<neuro.Model {self.network}: {pops}>"


def _compile(core_call, keep, **kw):
    try:
        core = core_call(_options(**kw))
    except _core._CompileFailure as e:
        raise CompileError(str(e)) from None
    model = Model(core, keep)
    model._overrides = dict(kw.get("overrides") or {})
    # As `neuroc run --set`, except that what is not compiled in has no
    # run to go to here: a name nothing took is an error, not ignored.
    unused = sorted(set(map(str, kw.get("overrides") or {})) -
                    model.compiled_overrides)
    if unused:
        raise ValueError(
            "overrides name no parameter of network "
            f"{model.network!r} and no projection's variable: "
            f"{', '.join(unused)} (states and parameters kept as rows are "
            "set with simulation(set=...))")
    return model


def compile(path, *, network=None, tunable=(), overrides=None,
            precision="double", target="cpu", search_paths=(), cache=True,
            cache_dir=None, werror=False, vector_width=0):
    """Compiles network `network` (default: the only one) of a .neuro file.

    tunable: parameters kept as per-neuron rows so that simulations can set
      them ("E.tau_m", "E.*", "*"), as `neuroc run --tunable`.
    overrides: values of compile-time constants ({"g": 5, "J": "0.2 mV"}),
      as `neuroc run --set g=5`.
    precision: "double", "mixed" (float32 synapse rows, the rest double) or
      "single"; target: "cpu", "cuda", "cuda-emulated".
    Raises CompileError with the diagnostics."""
    path = _string(path, "the model's path")
    return _compile(lambda o: _core.compile_file(path, o), None,
                    network=network, tunable=tunable, overrides=overrides,
                    precision=precision, target=target,
                    search_paths=search_paths, cache=cache,
                    cache_dir=cache_dir, werror=werror,
                    vector_width=vector_width)


def compile_source(text, *, name="<string>", network=None, tunable=(),
                   overrides=None, precision="double", target="cpu",
                   search_paths=(), cache=True, cache_dir=None, werror=False,
                   vector_width=0, _keep=None):
    """compile() for source text; `name` stands for the file in
    diagnostics, and files it names are found from the current folder."""
    name = _string(name, "name")
    if "\n" in name or "\r" in name:
        # Diagnostics say file:line:column: a line break in the file's
        # name would be read as part of them.
        raise ValueError(f"name is one line, not {name!r}")
    text = _string(text, "text")
    return _compile(lambda o: _core.compile_source(name, text, o), _keep,
                    network=network, tunable=tunable, overrides=overrides,
                    precision=precision, target=target,
                    search_paths=search_paths, cache=cache,
                    cache_dir=cache_dir, werror=werror,
                    vector_width=vector_width)
