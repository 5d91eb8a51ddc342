"""PyNN's synapse types as std.pynn synapse models.

The model of a connection depends on the synapse type, the target's cell
type (its `neuro_family`) and the receptor:

  StaticSynapse           ExcCurrent, InhConductanceAlpha, ... (synapses.neuro),
                          std.synapses.Delta for IF_curr_delta, Izhikevich
  TsodyksMarkramSynapse   ExcCurrentTM, ..., DeltaTM (tsodyks_markram.neuro)
  SimpleStochasticSynapse ExcCurrentStochastic, ..., DeltaStochastic
                          (stochastic.neuro)
  StochasticTsodyksMarkramSynapse  ExcCurrentStochasticTM, ...,
                          DeltaStochasticTM (stochastic_tsodyks_markram.neuro)
  ElectricalSynapse       Gap (synapses.neuro), both ways, HH_cond_exp only
  STDPMechanism           ExcCurrentAddSTDP, ExcCurrentMulSTDP, ...,
                          DeltaAddSTDP, DeltaMulSTDP (stdp.neuro),
                          ...GutigSTDP (stdp_gutig.neuro), ...VogelsSTDP
                          (stdp_vogels.neuro)

Parameters other than the weight and the delay (`neuro_parameters`) are
constants of a Neuro projection: a PyNN projection whose connections have
several values becomes one Neuro projection per value (builder.py).
"""

import warnings

from pyNN import errors
from pyNN.standardmodels import synapses

from ..simulator import state
from . import identity

# Units of the synapse models' parameters ("w": the weight's own unit).
UNITS = {"U": "", "tau_rec": "ms", "tau_facil": "ms", "tau_syn": "ms",
         "tau_plus": "ms", "tau_minus": "ms", "A_plus": "", "A_minus": "",
         "w_min": "w", "w_max": "w", "mu_plus": "", "mu_minus": "",
         "tau": "ms", "eta": "w", "rho": "/ms", "p": ""}

# Weight units of the families (PyNN's: nA, uS, mV for voltage jumps).
WEIGHT_UNIT = {"Current": "nA", "CurrentAlpha": "nA", "Conductance": "uS",
               "ConductanceAlpha": "uS", "Delta": "mV"}


# HH_cond_exp's gap-junction receptor (PyNN's name), ElectricalSynapse's.
GAP_RECEPTOR = "source_section.gap"


def _receptor(receptor):
    if receptor == "excitatory":
        return "Exc"
    if receptor == "inhibitory":
        return "Inh"
    raise NotImplementedError(
        f"receptor type {receptor!r}: pyNN.neuro has the standard cells' "
        f"'excitatory' and 'inhibitory' receptors ({GAP_RECEPTOR!r}: "
        "ElectricalSynapse only)")


class BaseSynapse:
    """The minimum delay as PyNN's other backends take it ('auto': dt)."""
    neuro_parameters = ()
    neuro_constants = {}    # constants of the model, not PyNN parameters
    suffix = ""
    both_ways = False       # also connected from the target to the source

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


class ElectricalSynapse(BaseSynapse, synapses.ElectricalSynapse):
    __doc__ = synapses.ElectricalSynapse.__doc__ + """
    pyNN.neuro: between HH_cond_exp cells (receptor_type
    'source_section.gap', as PyNN's NEURON backend), std.pynn.Gap from the
    source to the target and from the target to the source.
    """
    translations = identity("weight")
    both_ways = True

    def neuro_synapse(self, family, receptor):
        if receptor != GAP_RECEPTOR:
            raise NotImplementedError(
                f"ElectricalSynapse connects HH_cond_exp cells through "
                f"receptor_type={GAP_RECEPTOR!r}, not {receptor!r}")
        return "Gap", "std.pynn.Gap"


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


class SimpleStochasticSynapse(BaseSynapse,
                              synapses.SimpleStochasticSynapse):
    __doc__ = synapses.SimpleStochasticSynapse.__doc__ + """
    pyNN.neuro: ExcCurrentStochastic, ..., DeltaStochastic
    (stochastic.neuro), a draw per spike and connection.
    """
    translations = identity("weight", "delay", "p")
    neuro_parameters = ("p",)
    suffix = "Stochastic"
    draws_per_event = True   # a pair connected twice is refused


class StochasticTsodyksMarkramSynapse(
        BaseSynapse, synapses.StochasticTsodyksMarkramSynapse):
    __doc__ = synapses.StochasticTsodyksMarkramSynapse.__doc__ + """
    pyNN.neuro: ExcCurrentStochasticTM, ..., DeltaStochasticTM
    (stochastic_tsodyks_markram.neuro), as the NEURON backend's
    StochasticTsodyksMarkramWA; negative weights release too.
    """
    translations = identity("weight", "delay", "U", "tau_rec", "tau_facil")
    neuro_parameters = ("U", "tau_rec", "tau_facil")
    suffix = "StochasticTM"
    draws_per_event = True   # a pair connected twice is refused


class STDPMechanism(BaseSynapse, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__ + """
    pyNN.neuro: the synapse sees the presynaptic spike when it arrives
    (dendritic_delay_fraction = 0); another fraction is run as 0, with a
    warning (docs/pynn.md).
    """
    base_translations = identity("weight", "delay",
                                 "dendritic_delay_fraction")
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
        if not (timing_dependence.possible_models &
                weight_dependence.possible_models):
            # (PyNN's own check raises a NameError: it lacks the import.)
            raise errors.NoModelAvailableError(
                f"pyNN.neuro has no STDP model for "
                f"{type(timing_dependence).__name__} with "
                f"{type(weight_dependence).__name__}")
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
        self.neuro_parameters = (timing_dependence.neuro_parameters +
                                 weight_dependence.neuro_parameters)
        self.neuro_constants = getattr(weight_dependence, "neuro_constants",
                                       {})

    def _build_translations(self):
        # PyNN's version updates the class's dictionary in place.
        self.translations = dict(self.base_translations)
        for component in (self.timing_dependence, self.weight_dependence):
            self.translations.update(component.translations)


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = identity("w_min", "w_max")
    possible_models = {"AddSTDP", "VogelsSTDP"}
    neuro_parameters = ("w_min", "w_max")


class MultiplicativeWeightDependence(
        synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = identity("w_min", "w_max")
    possible_models = {"MulSTDP"}
    neuro_parameters = ("w_min", "w_max")


class AdditivePotentiationMultiplicativeDepression(
        synapses.AdditivePotentiationMultiplicativeDepression):
    __doc__ = (synapses.AdditivePotentiationMultiplicativeDepression.__doc__
               + """
    pyNN.neuro: the NEURON backend's StdwaGuetig with mu_plus = 0 and
    mu_minus = 1 (stdp_gutig.neuro): a potentiation is A_plus times the
    presynaptic trace, not scaled by w_max (docs/pynn.md).
    """)
    translations = identity("w_min", "w_max")
    possible_models = {"GutigSTDP"}
    neuro_parameters = ("w_min", "w_max")
    # Not PyNN's extra_parameters: FromListConnector would leave them out
    # (NEURON then runs StdwaGuetig with its defaults, muLTD = 0).
    neuro_constants = {"mu_plus": 0.0, "mu_minus": 1.0}


class GutigWeightDependence(synapses.GutigWeightDependence):
    __doc__ = synapses.GutigWeightDependence.__doc__
    translations = identity("w_min", "w_max", "mu_plus", "mu_minus")
    possible_models = {"GutigSTDP"}
    neuro_parameters = ("w_min", "w_max", "mu_plus", "mu_minus")


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = identity("tau_plus", "tau_minus", "A_plus", "A_minus")
    possible_models = {"AddSTDP", "MulSTDP", "GutigSTDP"}
    neuro_parameters = ("tau_plus", "tau_minus", "A_plus", "A_minus")


class Vogels2011Rule(synapses.Vogels2011Rule):
    __doc__ = synapses.Vogels2011Rule.__doc__ + """
    pyNN.neuro: with AdditiveWeightDependence, as the NEURON backend's
    StdwaVogels2011 (stdp_vogels.neuro): rho in 1/ms (alpha = 2 rho tau,
    tau in ms), eta in the weight's unit.
    """
    translations = identity("tau", "eta", "rho")
    possible_models = {"VogelsSTDP"}
    neuro_parameters = ("tau", "eta", "rho")
