//===- Pipeline.h - Staged lowering from neuro to LLVM ----------*- C++ -*-===//
//
// The compiler's stages, each printable with `neuroc emit --stage=`:
//
//   neuro       as MLIRGen produced it: models and networks as written
//   elaborated  after neuro-select-rows (which parameters are rows) and
//               neuro-elaborate: one flat model per population
//   integrated  after neuro-integrate: equations replaced by propagators
//   lowered     after convert-neuro-to-kernels, neuro-narrow-precision
//               (single precision), neuro-simplify-division,
//               neuro-inline-random and
//               neuro-vectorize-kernels: func/scf/arith/math/memref/vector
//               kernels, the network reduced to the data the runtime reads
//               (extractModelSpec, Conversion/NeuroToModelSpec/; printed
//               by neuro-opt --neuro-print-model-spec)
//   llvm-dialect  after neuro-merge-kernels (CPU), neuro-expand-math and
//               the upstream conversions
//   llvm        LLVM IR, optimised at -O3 for the host (JIT input)
// The GPU path branches off the lowered stage (GPU.h: gpu, ptx).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_PIPELINE_H
#define NEURO_CODEGEN_PIPELINE_H

#include "neuro/Codegen/CompileOptions.h"
#include "neuro/Runtime/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <optional>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace neuro {

enum class Stage { Neuro, Elaborated, Integrated, Lowered, LLVMDialect, LLVM };

/// Parses a stage name (`ast` is the frontend's and not handled here).
std::optional<Stage> parseStage(llvm::StringRef name);

/// Every dialect and translation the compiler and neuro-opt use.
void registerNeuroDialects(mlir::DialectRegistry &registry);

/// Registers the neuro passes and the upstream ones the pipeline uses with
/// the global registry (for neuro-opt).
void registerNeuroPasses();

/// Adds the passes that take IR at stage `from` to `until` (at most
/// Lowered). `vectorWidth` is neurons per vector in the step kernels (0:
/// from the host CPU, 1: scalar loops); `precision` Single makes the
/// per-step kernels keep and compute their state in float32, Mixed keeps
/// only their synapse rows in float32 (neuro-narrow-precision); `tunable`
/// names the parameters and weights kept as rows that a run can set
/// ("POP.NAME", "POP.*", "*", "PROJ.W": neuro-select-rows).
void buildNeuroPipeline(mlir::OpPassManager &pm, Stage from, Stage until,
                        unsigned vectorWidth = 0,
                        Precision precision = Precision::Double,
                        llvm::ArrayRef<std::string> tunable = {});

/// The canonicalizer as the pipelines use it: bottom-up. Top-down (the
/// pass's default) visits a loop before its body, and every body op it
/// folds puts the loop back on the worklist, where checking whether the
/// loop is dead walks the whole body again: quadratic in the body, which
/// a neuron with thousands of states makes long.
std::unique_ptr<mlir::Pass> createKernelCanonicalizer();

/// Adds the passes from the lowered stage to the LLVM dialect.
void buildLLVMLoweringPipeline(mlir::OpPassManager &pm);

/// Runs the pipeline from stage `from` to `until` (at most LLVMDialect).
/// Diagnostics go to the context's handler. Going to LLVMDialect removes
/// the network description from the module: extract it first, at Lowered.
mlir::LogicalResult lowerModule(mlir::ModuleOp module, Stage from, Stage until,
                                unsigned vectorWidth = 0,
                                Precision precision = Precision::Double,
                                llvm::ArrayRef<std::string> tunable = {});

/// Reads the runtime's description of `network` from a lowered module.
/// Kernel pointers stay null; the JIT binds them.
mlir::LogicalResult extractModelSpec(mlir::ModuleOp module,
                                     llvm::StringRef network,
                                     rt::ModelSpec &spec);

/// Names of the networks in a module, in order.
std::vector<std::string> networkNames(mlir::ModuleOp module);

} // namespace neuro

#endif // NEURO_CODEGEN_PIPELINE_H
