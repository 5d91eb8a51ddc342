//===- Passes.h - Transformations of the neuro dialect ----------*- C++ -*-===//

#ifndef NEURO_IR_PASSES_H
#define NEURO_IR_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace neuro {

#define GEN_PASS_DECL
#include "neuro/IR/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "neuro/IR/Passes.h.inc"

} // namespace neuro

#endif // NEURO_IR_PASSES_H
