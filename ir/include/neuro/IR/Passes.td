//===- Passes.td - Transformations of the neuro dialect ----*- tablegen -*-===//

#ifndef NEURO_PASSES_TD
#define NEURO_PASSES_TD

include "mlir/Pass/PassBase.td"

def SelectRows : Pass<"neuro-select-rows", "::mlir::ModuleOp"> {
  let summary = "Decide which parameters are per-neuron rows";
  let description = [{
    Makes the parameters named by `tunable` ("POP.NAME", "POP.*" or "*")
    per-neuron rows (`neuro.init_const` with their value, in declaration
    order), except those the refractory period reads; "PROJ.W" (with
    "PROJ.*" and "*") keeps the weight W of a projection a row
    (`weight_row`). A model default (`neuro.default`) that reads a row
    replaces the value of its parameter (a `derived` `neuro.init_expr`) or
    state (a `neuro.init_expr`); names given explicitly keep their value.
    Then every `neuro.ref` of an initial value or connection expression that
    names a parameter left constant becomes that constant, and the
    `neuro.default`s are removed. With nothing tunable the module is the
    one the values written give.
  }];
  let options = [
    ListOption<"tunable", "tunable", "std::string",
               "Parameters (POP.NAME, POP.*, *) and weights (PROJ.W) kept "
               "as rows that a run can set">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

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
    `neuro.propagate`s, one per independent part (states coupled in either
    direction; a state with derivative 0 and no noise needs none),
    integrated exactly by the matrix exponential of the part's augmented
    generator over one step (a second matrix for the
    refractory period; with noise, the Cholesky factor of its covariance;
    per neuron when a coefficient is a per-neuron parameter). The others
    keep their `neuro.ode`s with a `method`: the one written, else
    exponential Euler for conditionally linear equations, RK4 otherwise,
    Euler-Maruyama with noise. Per-synapse equations become `neuro.decay`
    or, for states coupled without a cycle, `neuro.decay_system` (solved
    exactly between events), else clock-driven `neuro.ode`s.
  }];
}

#endif // NEURO_PASSES_TD
