//===- NeuroDialect.h - The neuro dialect -----------------------*- C++ -*-===//

#ifndef NEURO_IR_NEURODIALECT_H
#define NEURO_IR_NEURODIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

namespace neuro::rt {
enum class KernelKind; // runtime/include/neuro/Runtime/Kernels.h
} // namespace neuro::rt

#include "neuro/IR/NeuroEnums.h.inc"

namespace neuro {
/// The runtime's name for `kind`: the same value (NeuroDialect.cpp checks
/// every kind).
inline rt::KernelKind runtimeKind(KernelKind kind) {
  return static_cast<rt::KernelKind>(kind);
}
} // namespace neuro

#define GET_ATTRDEF_CLASSES
#include "neuro/IR/NeuroAttrs.h.inc"

#include "neuro/IR/NeuroDialect.h.inc"

namespace neuro {

/// The #neuro.kernel that marks `op` as a kernel of the runtime contract,
/// or null.
inline KernelAttr getKernelAttr(mlir::Operation *op) {
  return NeuroDialect::KernelAttrHelper(op->getContext()).getAttr(op);
}

/// Marks `op` as the kernel `kernel`.
inline void setKernelAttr(mlir::Operation *op, KernelAttr kernel) {
  NeuroDialect::KernelAttrHelper(op->getContext()).setAttr(op, kernel);
}

} // namespace neuro

#endif // NEURO_IR_NEURODIALECT_H
