"""Parameter sweeps: neuro.sweep."""

from neuro._compile import Model, compile

_RUN_KEYS = {"seed", "threads", "connectivity"}


def sweep(model, settings, duration=None, measure=None, **compile_options):
    """Runs one simulation per setting and returns measure(simulation) for
    each (the simulation itself when measure is None).

    model: a Model, or a path to compile. A setting is a dict of values for
    states and parameters ("E.tau_m": "10 ms", numbers in SI) and of "seed",
    "threads" and "connectivity" ({"E_to_I": {"p": 0.05}}). All settings
    share one compilation: when `model` is a path, every "POP.VAR" named is
    compiled as a tunable row, so no setting compiles again. Names without
    a dot are the network's parameters, compiled in: each distinct set of
    their values is compiled once (the object cache makes repeats cheap).
    """
    # Any iterable of dicts (a generator is read once, here; what it
    # raises goes through).
    try:
        iter(settings)
    except TypeError:
        settings = None
    if isinstance(settings, (dict, str)):
        settings = None
    elif settings is not None:
        settings = list(settings)
    if settings is None or not all(isinstance(s, dict) for s in settings):
        raise TypeError("settings must be a list of dicts, one per "
                        "simulation ([{\"E.tau_m\": \"10 ms\"}, ...])")
    settings = [dict(s) for s in settings]
    names = sorted({k for s in settings for k in s
                    if k not in _RUN_KEYS and "." in k})
    compiled = {}

    def model_for(setting):
        if isinstance(model, Model):
            if any("." not in k and k not in _RUN_KEYS for k in setting):
                raise ValueError("network parameters need a path to "
                                 "compile, not a compiled Model")
            return model
        constants = tuple(sorted((k, str(v)) for k, v in setting.items()
                                 if "." not in k and k not in _RUN_KEYS))
        if constants not in compiled:
            opts = dict(compile_options)
            given = opts.get("tunable", ())
            opts["tunable"] = ([given] if isinstance(given, str)
                               else list(given)) + names
            opts["overrides"] = dict(opts.get("overrides") or {},
                                     **dict(constants))
            compiled[constants] = compile(model, **opts)
        return compiled[constants]

    results = []
    for setting in settings:
        m = model_for(setting)
        values = {k: v for k, v in setting.items()
                  if "." in k and k not in _RUN_KEYS}
        sim = m.simulation(seed=setting.get("seed"),
                           threads=setting.get("threads", 1), set=values,
                           connectivity=setting.get("connectivity"))
        sim.run(duration)
        results.append(sim if measure is None else measure(sim))
    return results
