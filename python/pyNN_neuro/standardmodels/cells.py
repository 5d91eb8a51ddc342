"""PyNN's standard cell types as the std.pynn models.

Each class names its Neuro model (`neuro_model`), the family of synapses
its receptors take (`neuro_family`: Current, CurrentAlpha, Conductance,
ConductanceAlpha, Delta; see synapses.py), the parameters compiled into
the kernels (`compiled_parameters`: none of the standard cells has one;
the refractory period is a row per neuron like the other parameters) and
the parameters that are absolute times (`time_parameters`, shifted when a
network is compiled again in the middle of a run).
"""

from pyNN.standardmodels import cells

from . import identity


class _Cell:
    neuro_model = None
    neuro_family = None
    compiled_parameters = ()
    time_parameters = ()


def _cell(base, model, family, compiled=(), extra_recordable=(),
          time_parameters=()):
    names = list(base.default_parameters)
    attrs = {
        "__doc__": base.__doc__,
        "__module__": __name__,
        "translations": identity(*names),
        "neuro_model": model,
        "neuro_family": family,
        "compiled_parameters": tuple(c for c in compiled if c in names),
        "time_parameters": time_parameters,
        "recordable": list(base.recordable) + [
            r for r in extra_recordable if r not in base.recordable],
    }
    return type(base.__name__, (_Cell, base), attrs)


IF_curr_exp = _cell(cells.IF_curr_exp, "IF_curr_exp", "Current",
                    extra_recordable=("isyn_exc", "isyn_inh"))
IF_curr_alpha = _cell(cells.IF_curr_alpha, "IF_curr_alpha", "CurrentAlpha",
                      extra_recordable=("isyn_exc", "isyn_inh"))
IF_curr_delta = _cell(cells.IF_curr_delta, "IF_curr_delta", "Delta")
IF_cond_exp = _cell(cells.IF_cond_exp, "IF_cond_exp", "Conductance")
IF_cond_alpha = _cell(cells.IF_cond_alpha, "IF_cond_alpha",
                      "ConductanceAlpha")
EIF_cond_exp_isfa_ista = _cell(cells.EIF_cond_exp_isfa_ista,
                               "EIF_cond_exp_isfa_ista", "Conductance")
EIF_cond_alpha_isfa_ista = _cell(cells.EIF_cond_alpha_isfa_ista,
                                 "EIF_cond_alpha_isfa_ista",
                                 "ConductanceAlpha")
HH_cond_exp = _cell(cells.HH_cond_exp, "HH_cond_exp", "Conductance",
                    compiled=(), extra_recordable=("m", "h", "n"))
Izhikevich = _cell(cells.Izhikevich, "Izhikevich", "Delta", compiled=())

_SOURCE_TIMES = ("start",)
SpikeSourcePoisson = _cell(cells.SpikeSourcePoisson, "SpikeSourcePoisson",
                           None, compiled=(), time_parameters=_SOURCE_TIMES)
SpikeSourcePoissonRefractory = _cell(
    cells.SpikeSourcePoissonRefractory, "SpikeSourcePoissonRefractory", None,
    time_parameters=_SOURCE_TIMES)
SpikeSourceGamma = _cell(cells.SpikeSourceGamma, "SpikeSourceGamma", None,
                         compiled=(), time_parameters=_SOURCE_TIMES)
# PyNN's integer default would make alpha an integer parameter and cut 2.5
# to 2 before limits.py sees it: a float default keeps the value given, so
# a shape that is not a whole number is refused as it was written.
SpikeSourceGamma.default_parameters = dict(
    cells.SpikeSourceGamma.default_parameters, alpha=2.0)
# The built-in SpikeTimes: its times are written into the network.
SpikeSourceArray = _cell(cells.SpikeSourceArray, None, None, compiled=())
