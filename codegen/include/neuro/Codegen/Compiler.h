//===- Compiler.h - From .neuro source to runnable kernels ------*- C++ -*-===//
//
// The whole compilation of one source buffer, stage by stage: parse, check,
// generate the neuro dialect, lower, JIT. Used by neuroc and by tests.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_COMPILER_H
#define NEURO_CODEGEN_COMPILER_H

#include "neuro/Codegen/CompileOptions.h"
#include "neuro/Codegen/GPU.h"
#include "neuro/Codegen/JIT.h"
#include "neuro/Codegen/Pipeline.h"
#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Frontend/Sema.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>

namespace mlir {
class Diagnostic;
} // namespace mlir

namespace neuro::rt {
class Simulator;
namespace cuda {
struct DeviceOptions;
} // namespace cuda
} // namespace neuro::rt

namespace neuro {

/// Source text and the name diagnostics give it (a file, or "<repl>").
struct SourcePart {
  std::string name;
  std::string text;
};

class Compiler {
public:
  /// Diagnostics are printed to `diagOS`; `options` as the driver filled
  /// them (CompileOptions::fromEnvironment() for the environment's).
  explicit Compiler(llvm::raw_ostream &diagOS, CompileOptions options = {});
  ~Compiler();

  /// Loads a file ("-" for standard input); false with a message if it
  /// cannot be read.
  bool loadFile(const std::string &path);
  /// Loads source text under a buffer name used in diagnostics.
  void loadString(const std::string &name, const std::string &text);
  /// Loads the declarations of a module that come from several places
  /// (the REPL's loaded files and input), one buffer per part; parse()
  /// reads them as one module, in order.
  void loadParts(const std::vector<SourcePart> &parts);

  /// -Werror: warnings count as errors (set before loading).
  void setWarningsAsErrors(bool value) { opts.warningsAsErrors = value; }
  /// Diagnostics as JSON objects, one per line (--diagnostics-format=json).
  void setJsonDiagnostics(bool value);
  /// Reports an error that has no source position (a file that cannot be
  /// read, a missing network), in the diagnostics format.
  void plainError(const llvm::Twine &message);
  /// Reports a diagnostic of `severity` ("error", "warning") that has no
  /// source position, in the diagnostics format.
  void plainDiagnostic(llvm::StringRef severity, const llvm::Twine &message);

  /// Neurons per vector in the step kernels (0: from the host CPU, the
  /// default; 1: scalar loops). Results do not depend on it.
  void setVectorWidth(unsigned value) { opts.vectorWidth = value; }
  /// --precision=single: the per-step kernels keep and compute their state
  /// in float32 (set before lowering).
  void setPrecision(Precision value) { opts.precision = value; }

  /// Parameters ("POP.NAME", "POP.*", "*") kept as per-neuron rows that a
  /// run can set instead of constants of the kernels, and weights
  /// ("PROJ.w") kept as rows (set before check(), which checks the names;
  /// lower() makes the rows: neuro-select-rows).
  void setTunable(std::set<std::string> names) {
    opts.tunable = std::move(names);
  }
  /// Values for compile-time constants (`--set g=5`, `--set E_to_I.w=1mV`):
  /// a network's parameters and a projection's parameters and initial
  /// values, compiled in (see runSema). After check(), sema().usedOverrides
  /// says which names were such constants.
  void setOverrides(std::map<std::string, std::string> values) {
    opts.overrides = std::move(values);
  }

  /// Keeps compiled kernels in `dir` and reuses them (empty: no cache).
  void setCacheDir(std::string dir) { opts.cacheDir = std::move(dir); }
  /// Whether the last compileNetwork() found its kernels in the cache.
  bool cacheHit() const { return hit; }

  /// A folder searched by `import a.b.Model` (before those the options
  /// came with, $NEURO_PATH's).
  void addSearchPath(const std::string &dir) {
    opts.searchPaths.insert(opts.searchPaths.begin() + numIncludes++, dir);
  }
  /// The options in effect.
  const CompileOptions &options() const { return opts; }

  /// Each step needs the previous one; each returns false after reporting.
  /// parse() also resolves the imports.
  bool parse();
  bool check();
  bool generate();
  bool lower(Stage until);

  /// From the neuro stage: lowers, extracts `network` (empty: the only
  /// network), JIT-compiles and binds the kernels into `spec`.
  bool compileNetwork(std::string network, rt::ModelSpec &spec);

  /// For the GPU (--target=cuda): from the neuro stage, lowers with scalar
  /// kernels and moves the per-step kernels into a gpu.module (the gpu
  /// stage, see GPU.h).
  bool lowerToGPU();
  /// From the gpu stage: compiles the device kernels into one PTX image per
  /// chip; the module keeps the host kernels.
  bool compileGPU(const GPUOptions &options, std::vector<GPUImage> &images);

  /// Makes compileNetwork() and compileObject() keep a copy of the module
  /// at the lowered stage for compileGPUKernels() (set before them).
  void setKeepLowered(bool value) { keepLowered = value; }
  /// From the copy compileNetwork() kept: the device kernels as PTX per
  /// chip into `images` (when given) and, when `host`, compiled for this
  /// CPU (hostKernel()). Reports errors; false after them.
  bool compileGPUKernels(const GPUOptions &options,
                         std::vector<GPUImage> *images, bool host);
  /// A device kernel compiled for the host by compileGPUKernels():
  /// `<kernel>_packed` takes the launch parameters packed; null if absent.
  void *hostKernel(const std::string &name);

  /// From the neuro stage: lowers, extracts `network` (empty: the only
  /// network) into `spec` (kernel pointers null) and returns the kernels'
  /// object code, or null after reporting.
  std::unique_ptr<llvm::MemoryBuffer> compileObject(std::string network,
                                                    rt::ModelSpec &spec);

  /// The parameters of the model of population `population` of network
  /// `network`, in declaration order, as generate() emitted them (none for
  /// a spike source or an unknown name). The compiled model's rows say
  /// which of them a run can set.
  std::vector<std::string> modelParameters(const std::string &network,
                                           const std::string &population) const;

  unsigned numErrors() const { return diag ? diag->numErrors() : 0; }
  /// Where errors about the loaded source go (after load()).
  DiagEngine &diagnostics() { return *diag; }
  const Module &ast() const { return *astModule; }
  const SemaResult &sema() const { return semaResult; }
  /// The files the model reads (its data files) and `more`, as absolute
  /// paths: what recordings must not be written over.
  std::vector<std::string> readFiles(std::vector<std::string> more) const;
  /// Reports `err`, why building network `network` failed, at the
  /// population or projection it names (at the argument or option it
  /// names, when the declaration has it); false when it names none of them.
  bool reportBuildError(const std::string &network, const std::string &err);
  mlir::ModuleOp module() { return *mlirModule; }
  Stage stage() const { return current; }

private:
  /// One diagnostic of the compiler's passes (or a note of one) as the
  /// frontend prints its own, text or JSON.
  void printPassDiagnostic(mlir::Diagnostic &d, bool isNote);
  /// Refuses projections with more synapse rows than a run takes, once
  /// the module is converted to kernels.
  mlir::LogicalResult checkSynapseRows();
  /// Checks `network` (empty: the only one, filled in); false after
  /// reporting.
  bool resolveNetwork(std::string &network);
  /// Resolves `network`, lowers to the lowered stage, extracts its spec and
  /// keeps a copy of the module if asked; false after reporting.
  bool lowerNetwork(std::string &network, rt::ModelSpec &spec);
  /// For a GPU build: warns of each projection of `spec` whose events read
  /// a source row they write (rt::ProjectionSpec::readsWrittenSource).
  void warnDeviceEventOrder(const std::string &network,
                            const rt::ModelSpec &spec);
  /// The object code of an LLVM-dialect module, or null after reporting.
  std::unique_ptr<llvm::MemoryBuffer> objectOf(mlir::ModuleOp module);
  /// `object` linked into this process, or null after reporting `failure`
  /// and why.
  std::unique_ptr<JITModule> link(std::unique_ptr<llvm::MemoryBuffer> object,
                                  const llvm::Twine &failure);

  llvm::raw_ostream &diagOS;
  llvm::SourceMgr sourceMgr;
  unsigned bufferId = 0;
  /// The buffers of loadParts() after the first.
  std::vector<unsigned> moreBuffers;
  std::unique_ptr<DiagEngine> diag;
  std::unique_ptr<Module> astModule;
  SemaResult semaResult;
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> mlirModule;
  std::unique_ptr<JITModule> jit;
  bool keepLowered = false;
  mlir::OwningOpRef<mlir::ModuleOp> loweredCopy;
  std::unique_ptr<JITModule> hostKernels;
  Stage current = Stage::Neuro;
  CompileOptions opts;
  /// modelParameters(), by network and population.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      parameters;
  /// Search paths added by addSearchPath, at the front of opts.searchPaths.
  size_t numIncludes = 0;
  bool hit = false;
};

/// A compiled network: its ModelSpec with the kernels bound, the GPU images
/// when the target is a GPU, and the compiler that owns the kernels' code
/// (alive as long as this is). A parameter, seed or connectivity change
/// needs no new compilation: each rt::Simulator built from spec() (a copy
/// with other values) runs the same kernels.
class CompiledModel {
public:
  const rt::ModelSpec &spec() const { return modelSpec; }
  /// Whether the kernels came from the object cache.
  bool cacheHit() const { return hit; }
  /// Names set by CompileOptions::overrides that were compile-time
  /// constants (compiled in); a run sets the others.
  const std::set<std::string> &compiledOverrides() const;
  /// Installs the backend of the target compiled for into `sim` (nothing
  /// for the CPU), a GPU's run as `device` says: the value
  /// RunOptions::attach returns.
  std::optional<std::string> attach(rt::Simulator &sim,
                                    const rt::cuda::DeviceOptions &device,
                                    std::string &err);
  Compiler &compiler() { return *owner; }
  /// Compiler::reportBuildError for the network compiled.
  bool reportBuildError(const std::string &err) {
    return owner->reportBuildError(modelSpec.name, err);
  }

private:
  friend std::unique_ptr<CompiledModel>
  compileBuffer(const std::string &name, const std::string *text,
                const CompileOptions &options, llvm::raw_ostream &diagOS);
  std::unique_ptr<Compiler> owner;
  rt::ModelSpec modelSpec;
  std::vector<GPUImage> images;
  bool hit = false;
};

/// Compiles network `options.network` of `file` ("-": standard input) for
/// `options.target`: parse, check, generate, lower, JIT (from the cache
/// when options.cacheDir is set) and, for a GPU, the device kernels.
/// Null after the diagnostics went to `diagOS`.
std::unique_ptr<CompiledModel> compile(const std::string &file,
                                       const CompileOptions &options,
                                       llvm::raw_ostream &diagOS);

/// As compile(), for source text given as a string; `name` stands for its
/// file in diagnostics, and imports and table files are found as for a
/// file in the current directory.
std::unique_ptr<CompiledModel> compileSource(const std::string &name,
                                             const std::string &text,
                                             const CompileOptions &options,
                                             llvm::raw_ostream &diagOS);

/// compile() of the file `name` when `text` is null, else compileSource().
std::unique_ptr<CompiledModel> compileBuffer(const std::string &name,
                                             const std::string *text,
                                             const CompileOptions &options,
                                             llvm::raw_ostream &diagOS);

} // namespace neuro

#endif // NEURO_CODEGEN_COMPILER_H
