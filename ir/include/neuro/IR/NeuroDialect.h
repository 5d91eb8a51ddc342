//===- NeuroDialect.h - The neuro dialect -----------------------*- C++ -*-===//

#ifndef NEURO_IR_NEURODIALECT_H
#define NEURO_IR_NEURODIALECT_H

#include "mlir/IR/Dialect.h"

#include "neuro/IR/NeuroDialect.h.inc"

#endif // NEURO_IR_NEURODIALECT_H
