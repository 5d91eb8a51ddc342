//===- Bindings.h - Shared declarations of the neuro._core module -*- C++
//-*-===//
//
// The Python extension neuro._core wraps neuro::compile (a CompiledModel)
// and rt::Simulator. The Python package `neuro` (python/neuro) builds its
// API on these two classes; nothing here is meant to be called directly.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_PYTHON_BINDINGS_H
#define NEURO_PYTHON_BINDINGS_H

#include "neuro/Codegen/Compiler.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

namespace neuro::python {

/// A compiled network, shared by every simulation made from it: the
/// kernels stay loaded while one of them lives.
struct Model {
  /// What the compiler reported (warnings of a model that compiled); the
  /// compiler keeps writing here as long as it lives.
  std::string diagText;
  std::unique_ptr<llvm::raw_string_ostream> diagnostics =
      std::make_unique<llvm::raw_string_ostream>(diagText);
  std::unique_ptr<CompiledModel> compiled;
  /// Build errors as reported at their declaration, by the error: the
  /// compiler reports each place once, and a model may be built again.
  std::map<std::string, std::string> locatedBuildErrors;
};

/// One simulation of a Model: the simulator is held by a shared pointer so
/// that numpy views of its buffers keep it alive (a view taken before
/// reset() still points at the old network's memory, never freed memory).
struct Simulation {
  std::shared_ptr<Model> model;
  std::shared_ptr<rt::Simulator> sim;
  /// Set while a run goes on without the GIL: every other use of the
  /// simulator, from another Python thread, is refused meanwhile.
  std::atomic<bool> running{false};
  /// The lock of the folder the recordings stream to (as `neuroc run -o`
  /// takes it), held until the simulation goes.
  std::unique_ptr<rt::OutputLock> streamLock;
};

/// Raises ValueError with `message`.
[[noreturn]] void throwValue(const std::string &message);
/// Raises RuntimeError with `message`.
[[noreturn]] void throwRuntime(const std::string &message);

void bindModel(pybind11::module_ &m);
void bindSimulation(pybind11::module_ &m);

} // namespace neuro::python

#endif // NEURO_PYTHON_BINDINGS_H
