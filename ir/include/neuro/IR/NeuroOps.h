//===- NeuroOps.h - Operations of the neuro dialect -------------*- C++ -*-===//

#ifndef NEURO_IR_NEUROOPS_H
#define NEURO_IR_NEUROOPS_H

#include "neuro/IR/NeuroDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "neuro/IR/NeuroOps.h.inc"

namespace neuro {

/// The variable an initial-value op (`neuro.init_const`, `init_uniform`,
/// `init_normal`, `init_expr`, `init_timed`) sets; null for another op.
mlir::FlatSymbolRefAttr getInitVar(mlir::Operation *op);

/// Makes initial-value op `op` set `var` instead.
void setInitVar(mlir::Operation *op, mlir::FlatSymbolRefAttr var);

/// Fails, at `pop`, when it has more than rt::streams::kMaxRows `rows` (one
/// random stream each): checked once the population is elaborated, so
/// that `neuroc check` says so before the integration's cost, and again
/// with the rows the kernels add.
mlir::LogicalResult checkRowCount(PopulationOp pop, size_t rows);

} // namespace neuro

#endif // NEURO_IR_NEUROOPS_H
