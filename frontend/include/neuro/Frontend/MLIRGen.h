//===- MLIRGen.h - From the checked AST to the neuro dialect ----*- C++ -*-===//

#ifndef NEURO_FRONTEND_MLIRGEN_H
#define NEURO_FRONTEND_MLIRGEN_H

#include "neuro/Frontend/Sema.h"

#include "llvm/Support/SourceMgr.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace neuro {

/// Emits the neuro dialect for a module that passed Sema. Every op carries
/// the file:line:col of the construct it came from. Null if the result
/// fails to verify (an internal error, reported as an MLIR diagnostic).
/// `sourceMgr`, when given, names the file of each location's buffer
/// (imported models keep their own file in their locations).
mlir::OwningOpRef<mlir::ModuleOp>
mlirGen(mlir::MLIRContext &context, const Module &module,
        const SemaResult &sema, const llvm::SourceMgr *sourceMgr = nullptr);

} // namespace neuro

#endif // NEURO_FRONTEND_MLIRGEN_H
