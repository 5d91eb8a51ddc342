//===- NeuroDialect.td - The neuro dialect and its op base -*- tablegen -*-===//

#ifndef NEURO_DIALECT_TD
#define NEURO_DIALECT_TD

include "mlir/IR/OpBase.td"

def Neuro_Dialect : Dialect {
  let name = "neuro";
  let cppNamespace = "::neuro";
  let summary = "Spiking neural network models and networks";
  let description = [{
    The top level of Neuro's compiler. Neuron and synapse models appear as
    the user wrote them (parameters, states, differential equations, spike
    condition, reset, event blocks), with every quantity in SI units and the
    unit recorded as an attribute. A network instantiates models into
    populations and projections. Passes elaborate networks (one flat model
    per population), choose integration schemes, and lower to kernels over
    structure-of-arrays memrefs.
  }];
}

class Neuro_Op<string mnemonic, list<Trait> traits = []>
    : Op<Neuro_Dialect, mnemonic, traits>;

#endif // NEURO_DIALECT_TD
