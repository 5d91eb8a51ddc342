//===- Passes.td - Conversions out of the neuro dialect ----*- tablegen -*-===//

#ifndef NEURO_CONVERSION_PASSES_TD
#define NEURO_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNeuroToKernels : Pass<"convert-neuro-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline populations and projections into step kernels";
  let description = [{
    Turns every integrated population into `neuro_step_<net>_<pop>` (update
    all neurons one step over the [rows][neurons] state memref, evaluate the
    threshold and refractoriness, flag spikes) and, when it has one,
    `neuro_reset_<net>_<pop>` (reset the neurons in a spike list); and every
    projection into `neuro_deliver_<net>_<proj>` (run `on pre` for every
    synapse of each spiking source over CSR connectivity). Kernels use
    func/scf/arith/math/memref and the C interface of runtime/ABI.h. What
    remains of the network is the data the runtime needs (states, initial
    values, projections, recordings), with the row `_lastspike` added to
    populations that spike.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // NEURO_CONVERSION_PASSES_TD
