"""The values PyNN's standard models cannot take.

NEST refuses them when they are set (BadProperty); the std.pynn models
would run with them and give nonsense: a negative time constant makes the
membrane grow without bound, U > 1 a release larger than the resources,
a negative rate or a shape of the gamma process the model does not have
(docs/pynn-cells.md) no spikes at all, and a spike time that is not a
number no spike. pyNN.neuro refuses them with
PyNN's InvalidParameterValueError, naming the population or projection,
the first neuron or connection at fault and its value.

Each rule is (names, test, text): `test` takes the arrays of `names` (one
value per neuron or connection) and says which values are allowed.
"""

import numpy as np
from pyNN import errors


def _positive(x):
    return x > 0


def _not_negative(x):
    return x >= 0


def _rule(name, test, text):
    return ((name,), test, f"{name} must be {text}")


_POSITIVE = {name: _rule(name, _positive, "> 0")
             for name in ("cm", "tau_m", "tau_syn_E", "tau_syn_I", "tau_w",
                          "tau_rec", "tau_plus", "tau_minus", "tau")}
_NOT_NEGATIVE = {name: _rule(name, _not_negative, ">= 0")
                 for name in ("tau_refrac", "rate", "duration", "beta",
                              "gbar_Na", "gbar_K", "g_leak", "tau_facil",
                              "delta_T")}

# Rules on more than one value: each needs all of its names.
_JOINT = [
    (("rate", "tau_refrac"), lambda rate, tau: rate * tau <= 1000.0,
     "rate * tau_refrac must be at most 1 (the mean interval cannot be "
     "shorter than the dead time)"),
    (("w_min", "w_max"), lambda lo, hi: lo <= hi,
     "w_min must be at most w_max"),
]

_SINGLE = dict(_POSITIVE, **_NOT_NEGATIVE)
_SINGLE["U"] = _rule("U", lambda u: (u >= 0) & (u <= 1), "in [0, 1]")
_SINGLE["p"] = _rule("p", lambda p: (p >= 0) & (p <= 1), "in [0, 1]")
_SINGLE["alpha"] = _rule(
    "alpha", lambda a: (a == np.round(a)) & (a >= 1) & (a <= 16),
    "a whole number from 1 to 16 (the shapes SpikeSourceGamma has)")


def _rules(names):
    for name in names:
        if name in _SINGLE:
            yield _SINGLE[name]
    for rule in _JOINT:
        if all(n in names for n in rule[0]):
            yield rule
    if "rate" in names:
        # A source spikes at most once a step: a higher rate would be cut
        # to 1 / dt without a word.
        from .. import simulator
        dt = simulator.state.dt
        yield (("rate",), lambda rate: rate * dt <= 1000.0,
               f"rate must be at most 1 / dt ({1000.0 / dt:g} Hz at dt = "
               f"{dt:g} ms): a source spikes at most once a time step")


def _first_not_finite(values):
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if bad.size else None


def _not_finite(what, name, value, where):
    raise errors.InvalidParameterValueError(
        f"{what}: {name}: {value:g} is not a finite number ({where})")


def check(values, what, item):
    """Raises InvalidParameterValueError when a value of `values` ({name:
    array}, one value per `item`: "neuron" or "connection") is not finite
    or breaks a rule; `what` names the population or projection."""
    for name, value in values.items():
        value = np.asarray(value)
        if name == "spike_times":
            for i, seq in enumerate(value):
                t = np.asarray(getattr(seq, "value", seq), dtype=float)
                k = _first_not_finite(t.ravel())
                if k is not None:
                    _not_finite(what, "spike times", t.ravel()[k],
                                f"{item} {i}")
        elif value.dtype.kind == "f":
            k = _first_not_finite(value.ravel())
            if k is not None:
                _not_finite(what, name, value.ravel()[k], f"{item} {k}")
    for names, test, text in _rules(values.keys()):
        arrays = np.broadcast_arrays(
            *[np.atleast_1d(np.asarray(values[n], dtype=float))
              for n in names])
        ok = np.asarray(test(*arrays))
        if ok.all():
            continue
        k = int(np.flatnonzero(~ok)[0])
        got = ", ".join(f"{n} = {a[k]:g}" for n, a in zip(names, arrays))
        raise errors.InvalidParameterValueError(
            f"{what}: {text} ({item} {k} has {got})")
