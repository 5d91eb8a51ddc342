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

#endif // NEURO_IR_NEUROOPS_H
