//===- CompileOptions.h - What a compilation depends on ---------*- C++ -*-===//
//
// Everything a compilation depends on besides the source, in one value:
// the driver (neuroc, the REPL, a binding) fills it from its flags and reads
// the environment once, with fromEnvironment(); the libraries read no
// environment variables of their own.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_COMPILEOPTIONS_H
#define NEURO_CODEGEN_COMPILEOPTIONS_H

#include "neuro/Codegen/GPU.h"
#include "neuro/Runtime/OptionNames.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace neuro {

/// Where kernels run.
enum class Target { CPU, CUDA, CUDAEmulated };

/// `--precision`: double; mixed (double state and arithmetic, float32
/// synapse rows); single (float32 state, synapse rows and arithmetic in the
/// per-step kernels).
enum class Precision { Double, Mixed, Single };

/// "double", "mixed" or "single"; nullopt for anything else.
std::optional<Precision> parsePrecision(const std::string &name);

struct CompileOptions {
  /// Folders searched by `import a.b.Model`, in order (-I first, then
  /// $NEURO_PATH's).
  std::vector<std::string> searchPaths;
  /// The model library (`import std...`): $NEURO_STDLIB, else the folder
  /// this build was configured with.
  std::string stdlibDir;
  /// Compiled kernels are kept in and reused from this folder; empty: no
  /// cache. fromEnvironment() gives $NEURO_CACHE_DIR, else
  /// $XDG_CACHE_HOME/neuro, else ~/.cache/neuro.
  std::string cacheDir;
  /// The network to compile; empty: the file's only network.
  std::string network;
  /// -Werror and --diagnostics-format=json.
  bool warningsAsErrors = false;
  bool jsonDiagnostics = false;
  /// Neurons per vector in the step kernels (0: from the host CPU).
  unsigned vectorWidth = 0;
  /// --precision.
  Precision precision = Precision::Double;
  /// Parameters kept as rows that a run may set (--tunable).
  std::set<std::string> tunable;
  /// Compile-time constants given values (`--set g=5`).
  std::map<std::string, std::string> overrides;
  /// What diagnostics call the options above (the Python API's arguments
  /// instead of the flags).
  OptionNames optionNames;
  Target target = Target::CPU;
  /// For Target::CUDA: the chips and libdevice (fromEnvironment() finds
  /// it: $NEURO_LIBDEVICE, $CUDA_HOME, ...).
  GPUOptions gpu;
  /// The C++ compiler `neuroc build` links with: $NEURO_CXX, else the one
  /// Neuro was built with.
  std::string cxx;

  /// The defaults, with what the environment says filled in; `cache`
  /// false leaves cacheDir empty.
  static CompileOptions fromEnvironment(bool cache = true);
};

} // namespace neuro

#endif // NEURO_CODEGEN_COMPILEOPTIONS_H
