//===- JIT.h - Compile LLVM-dialect kernels for the host and bind them ----===//

#ifndef NEURO_CODEGEN_JIT_H
#define NEURO_CODEGEN_JIT_H

#include "neuro/Runtime/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace neuro {

/// The kernels of one module, compiled at -O3 for the host CPU.
class JITModule {
public:
  /// `module` must be in the LLVM dialect (Stage::LLVMDialect).
  static llvm::Expected<std::unique_ptr<JITModule>>
  create(mlir::ModuleOp module);
  ~JITModule();

  /// Fills the kernel pointers of `spec` (network `network`) and checks the
  /// module's ABI version against the runtime's.
  llvm::Error bind(llvm::StringRef network, rt::ModelSpec &spec);

private:
  JITModule() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// Translates an LLVM-dialect module to LLVM IR text, optimised at -O3 for
/// the host CPU when `optimize` is set.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module, bool optimize);

} // namespace neuro

#endif // NEURO_CODEGEN_JIT_H
