//===- JIT.h - Compile LLVM-dialect kernels for the host and bind them ----===//
//
// Kernels go from the LLVM dialect to LLVM IR, the -O3 pipeline for the
// host CPU and object code (emitObject); the object is linked in memory by
// ORC's LLJIT (JITModule), which resolves the runtime's functions and libm.
// Keeping the object as the unit lets it be cached on disk (ObjectCache.h)
// and linked again without compiling.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_JIT_H
#define NEURO_CODEGEN_JIT_H

#include "neuro/Runtime/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace neuro {

/// Object code of an LLVM-dialect module (Stage::LLVMDialect), optimised at
/// -O3 for the host CPU.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
emitObject(mlir::ModuleOp module);

/// The host target as code generation sees it: triple, CPU and features.
std::string hostTargetId();

/// The kernels of one object, linked into this process.
class JITModule {
public:
  /// Links `object` (from emitObject); fails on a malformed object.
  static llvm::Expected<std::unique_ptr<JITModule>>
  create(std::unique_ptr<llvm::MemoryBuffer> object);
  ~JITModule();

  /// Fills the kernel pointers of `spec` (network `network`) and checks the
  /// module's ABI version against the runtime's.
  llvm::Error bind(llvm::StringRef network, rt::ModelSpec &spec);

  /// The address of symbol `name`, or null.
  void *lookup(llvm::StringRef name);

private:
  JITModule() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

/// Translates an LLVM-dialect module to LLVM IR text, optimised at -O3 for
/// the host CPU when `optimize` is set.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module, bool optimize);

} // namespace neuro

#endif // NEURO_CODEGEN_JIT_H
