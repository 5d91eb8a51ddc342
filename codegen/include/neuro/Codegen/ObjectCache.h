//===- ObjectCache.h - Compiled kernels kept on disk ------------*- C++ -*-===//
//
// Object code of compiled models, keyed by a hash of the kernels as lowered
// (the `func.func`s at Stage::Lowered, without locations), the compiler (its
// version, ABI, LLVM version and its executable's size and time) and the
// host target. A model whose kernels have not changed since the last run
// skips the LLVM lowering, optimisation and code generation; changes that
// do not reach the kernels (durations, seeds, recordings, connectivity)
// keep the entry. Entries are written to a temporary file and renamed, so
// concurrent runs and interrupted writes never leave a partial entry under
// a key. Each entry ends with a 128-bit hash (XXH3) of its key and object,
// checked by lookup(): a damaged entry is not used but compiled again and
// replaced, as is one that does not link or lacks a kernel
// (Compiler::compileNetwork).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_OBJECTCACHE_H
#define NEURO_CODEGEN_OBJECTCACHE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace neuro {

class ObjectCache {
public:
  /// A cache in `dir` (created when first written); empty: no cache.
  explicit ObjectCache(std::string dir) : dir(std::move(dir)) {}

  bool enabled() const { return !dir.empty(); }
  const std::string &directory() const { return dir; }

  /// The key of `module`'s kernels (Stage::Lowered) with `vectorWidth`.
  static std::string key(mlir::ModuleOp module, unsigned vectorWidth);

  /// The object stored under `key`, or null (also when its checksum does
  /// not match).
  std::unique_ptr<llvm::MemoryBuffer> lookup(const std::string &key) const;
  /// Stores `object` under `key`; empty, or why it could not (a read-only
  /// disk, no space, a file where the folder should be), which the caller
  /// may say: the cache is an optimisation, the run goes on without it.
  std::string store(const std::string &key, llvm::MemoryBufferRef object) const;

private:
  std::string path(const std::string &key) const;
  std::string dir;
};

} // namespace neuro

#endif // NEURO_CODEGEN_OBJECTCACHE_H
