//===- MLIRGenInternal.h - Pieces of MLIRGen in their own files -*- C++ -*-===//
//
// What MLIRGen.cpp uses from the other MLIRGen sources. Internal to
// NeuroMLIRGen.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H
#define NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H

#include "neuro/Frontend/AST.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <string>
#include <vector>

namespace neuro::mlirgen {

/// `n` when `e` is a small integer literal (or its negation).
std::optional<int> integerExponent(const Expr &e);

/// x^n by multiplication (x^-n = 1 / x^n): exact for the integer powers
/// of gating variables, and cheaper than pow.
mlir::Value genIntegerPower(mlir::OpBuilder &builder, mlir::Location l,
                            mlir::Value x, int n);

/// A call of built-in function `f` (one Sema admits) with arguments `a`,
/// as arith and math ops.
mlir::Value genBuiltinCall(mlir::OpBuilder &builder, mlir::Location l,
                           const std::string &f,
                           const std::vector<mlir::Value> &a);

} // namespace neuro::mlirgen

#endif // NEURO_FRONTEND_LIB_MLIRGENINTERNAL_H
