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
    Chooses how each elaborated population's `neuro.ode`s are integrated.
    Linear systems with constant coefficients (affine in the states) become
    one `neuro.propagate`, integrated exactly by the matrix exponential of
    the augmented generator over one step (a second matrix for the
    refractory period; with noise, the Cholesky factor of its covariance;
    per neuron when a coefficient is a per-neuron parameter). The others
    keep their `neuro.ode`s with a `method`: the one written, else
    exponential Euler for conditionally linear equations, RK4 otherwise,
    Euler-Maruyama with noise. Per-synapse equations become `neuro.decay`
    (solved exactly between events).
  }];
}

#endif // NEURO_PASSES_TD
