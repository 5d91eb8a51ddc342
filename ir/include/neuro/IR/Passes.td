//===- Passes.td - Transformations of the neuro dialect ----*- tablegen -*-===//

#ifndef NEURO_PASSES_TD
#define NEURO_PASSES_TD

include "mlir/Pass/PassBase.td"

def Elaborate : Pass<"neuro-elaborate", "::mlir::ModuleOp"> {
  let summary = "Instantiate neuron and synapse models into the network";
  let description = [{
    For every population, copies its neuron model into the population with
    parameters folded to constants, adds the post states of incoming
    projections as states, and replaces each input by the sum of what the
    incoming synapses drive into it. For every projection, copies the
    synapse's weight and `on pre` block, naming post states by their row in
    the target. Removes the model definitions.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def Integrate : Pass<"neuro-integrate", "::mlir::ModuleOp"> {
  let summary = "Choose and apply an integration scheme per population";
  let description = [{
    Replaces the `neuro.ode`s of each elaborated population by a
    `neuro.propagate`: the equations must be linear with constant
    coefficients (affine in the states), and are then integrated exactly by
    the matrix exponential of the augmented generator over one step, with a
    second matrix for the refractory period. Nonlinear systems are rejected
    with the offending equation's location.
  }];
}

#endif // NEURO_PASSES_TD
