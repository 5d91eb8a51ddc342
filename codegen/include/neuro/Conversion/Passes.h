//===- Passes.h - Conversions out of the neuro dialect ----------*- C++ -*-===//

#ifndef NEURO_CONVERSION_PASSES_H
#define NEURO_CONVERSION_PASSES_H

#include "neuro/IR/NeuroDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <optional>

namespace neuro {

#define GEN_PASS_DECL
#include "neuro/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "neuro/Conversion/Passes.h.inc"

/// The symbol of kernel `kind` of population or projection `owner` of
/// `network` (without the `_mlir_ciface_` prefix): rt::kernelName.
std::string kernelName(KernelKind kind, llvm::StringRef network,
                       llvm::StringRef owner);

/// Rows of a projection's per-synapse state, in kernel order: the weight
/// (unless constantWeight), the per-synapse states, and `_lastupdate` (the
/// step of the synapse's last event) when states are solved between events
/// (`neuro.decay`).
std::vector<std::string> synapseRowNames(mlir::Operation *projection);
/// Refuses a projection with more synapse rows than the runtime's streams
/// key (rt::streams::kMaxRows), once converted to kernels.
mlir::LogicalResult checkSynapseRowCount(mlir::Operation *projection);

/// The weight of a projection whose synapses all have the same weight and
/// never change or record it (a constant initial value, no assignment or
/// equation, not from a file, not recorded): kernels use the constant and
/// the runtime stores no weight row. convert-neuro-to-kernels marks such
/// projections with `neuro.constant_weight`; nullopt for the others.
std::optional<double> constantWeight(mlir::Operation *projection);

/// The draw of runtime function `callee` (neuro_rt_uniform or
/// neuro_rt_normal) on `args` (seed i64, stream i32, entity i64, counter
/// i64) in arith and math ops, the runtime's number bit for bit; null for
/// other callees.
mlir::Value buildRandomDraw(mlir::OpBuilder &b, mlir::Location loc,
                            llvm::StringRef callee, mlir::ValueRange args);

/// The argument of a kernel of `kind` that holds the projection's synapse
/// rows (NEURO_<KIND>_ARG_SYN, ABI.h), or -1 for kinds without one. The
/// thread of a synapse's spike owns them on the GPU.
int synapseRowsArgument(KernelKind kind);

/// Sentinel step index of `_lastspike` for neurons that never spiked.
constexpr double kNeverSpiked = -1e15;

} // namespace neuro

#endif // NEURO_CONVERSION_PASSES_H
