"""PyNN's synapse types as std.pynn synapse models.

The model of a connection depends on the synapse type, the target's cell
type (its `neuro_family`) and the receptor:

  StaticSynapse           ExcCurrent, InhConductanceAlpha, ... (synapses.neuro),
                          std.synapses.Delta for IF_curr_delta, Izhikevich
  TsodyksMarkramSynapse   ExcCurrentTM, ..., DeltaTM (tsodyks_markram.neuro)
  STDPMechanism           ExcCurrentAddSTDP, ExcCurrentMulSTDP, ...,
                          DeltaAddSTDP, DeltaMulSTDP (stdp.neuro)

Parameters other than the weight and the delay (`neuro_parameters`) are
constants of a Neuro projection: a PyNN projection whose connections have
several values becomes one Neuro projection per value (builder.py).
"""

import warnings

from pyNN.standardmodels import synapses

from ..simulator import state
from . import identity

# Units of the synapse models' parameters ("w": the weight's own unit).
UNITS = {"U": "", "tau_rec": "ms", "tau_facil": "ms", "tau_syn": "ms",
         "tau_plus": "ms", "tau_minus": "ms", "A_plus": "", "A_minus": "",
         "w_min": "w", "w_max": "w"}

# Weight units of the families (PyNN's: nA, uS, mV for voltage jumps).
WEIGHT_UNIT = {"Current": "nA", "CurrentAlpha": "nA", "Conductance": "uS",
               "ConductanceAlpha": "uS", "Delta": "mV"}


def _receptor(receptor):
    if receptor == "excitatory":
        return "Exc"
    if receptor == "inhibitory":
        return "Inh"
    raise NotImplementedError(
        f"receptor type {receptor!r}: pyNN.neuro has the standard cells' "
        "'excitatory' and 'inhibitory' receptors")


class BaseSynapse:
    """The minimum delay as PyNN's other backends take it ('auto': dt)."""
    neuro_parameters = ()
    suffix = ""

    def _get_minimum_delay(self):
        d = state.min_delay
        return state.dt if d == "auto" else d

    def neuro_synapse(self, family, receptor):
        """The std.pynn model (and its import) for a target family and
        receptor."""
        if family is None:
            raise TypeError("a spike source has no receptors")
        if family == "Delta":
            name = "Delta" + self.suffix
            return name, ("std.synapses.Delta" if not self.suffix
                          else "std.pynn." + name)
        name = _receptor(receptor) + family + self.suffix
        return name, "std.pynn." + name


class StaticSynapse(BaseSynapse, synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = identity("weight", "delay")


class TsodyksMarkramSynapse(BaseSynapse, synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = identity("weight", "delay", "U", "tau_rec", "tau_facil")
    neuro_parameters = ("U", "tau_rec", "tau_facil")
    suffix = "TM"
    # The model's tau_syn: the target's (as PyNN's NEST and NEURON backends).
    tau_syn_var = {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}
    synapse_states = ("u",)


class STDPMechanism(BaseSynapse, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__ + """
    pyNN.neuro: the synapse sees the presynaptic spike when it arrives
    (dendritic_delay_fraction = 0); another fraction is run as 0, with a
    warning (docs/pynn.md).
    """
    base_translations = identity("weight", "delay",
                                 "dendritic_delay_fraction")
    neuro_parameters = ("tau_plus", "tau_minus", "A_plus", "A_minus",
                        "w_min", "w_max")
    synapse_states = ()
    _warned = False

    def __init__(self, timing_dependence=None, weight_dependence=None,
                 voltage_dependence=None, dendritic_delay_fraction=1.0,
                 weight=0.0, delay=None):
        if voltage_dependence is not None:
            raise NotImplementedError("pyNN.neuro has no voltage-dependent "
                                      "STDP")
        if timing_dependence is None or weight_dependence is None:
            raise ValueError("STDPMechanism needs a timing dependence and a "
                             "weight dependence")
        if dendritic_delay_fraction != 0 and not STDPMechanism._warned:
            STDPMechanism._warned = True
            warnings.warn(
                "pyNN.neuro: STDP sees the presynaptic spike after the "
                "delay (dendritic_delay_fraction = 0); "
                f"dendritic_delay_fraction={dendritic_delay_fraction} is "
                "run as 0 (see docs/pynn.md)", stacklevel=2)
        super().__init__(timing_dependence, weight_dependence,
                         voltage_dependence, dendritic_delay_fraction,
                         weight, delay)
        self.suffix = self.model

    def _build_translations(self):
        # PyNN's version updates the class's dictionary in place.
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = identity("w_min", "w_max")
    possible_models = {"AddSTDP"}


class MultiplicativeWeightDependence(
        synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = identity("w_min", "w_max")
    possible_models = {"MulSTDP"}


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = identity("tau_plus", "tau_minus", "A_plus", "A_minus")
    possible_models = {"AddSTDP", "MulSTDP"}
