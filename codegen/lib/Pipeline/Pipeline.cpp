//===- Pipeline.cpp - Staged lowering from neuro to LLVM ------------------===//

#include "neuro/Codegen/Pipeline.h"
#include "neuro/Codegen/GPU.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/IR/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include <cmath>

using namespace mlir;
using namespace neuro;

std::optional<Stage> neuro::parseStage(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Stage>>(name)
      .Case("neuro", Stage::Neuro)
      .Case("elaborated", Stage::Elaborated)
      .Case("integrated", Stage::Integrated)
      .Case("lowered", Stage::Lowered)
      .Case("llvm-dialect", Stage::LLVMDialect)
      .Case("llvm", Stage::LLVM)
      .Default(std::nullopt);
}

void neuro::registerNeuroDialects(DialectRegistry &registry) {
  registry.insert<NeuroDialect, arith::ArithDialect, math::MathDialect,
                  func::FuncDialect, scf::SCFDialect, memref::MemRefDialect,
                  cf::ControlFlowDialect, vector::VectorDialect,
                  LLVM::LLVMDialect>();
  registerGPUDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void neuro::registerNeuroPasses() {
  registerNeuroTransformsPasses();
  registerNeuroConversionPasses();
  registerCanonicalizerPass();
  registerCSEPass();
}

std::unique_ptr<Pass> neuro::createKernelCanonicalizer() {
  return createCanonicalizerPass(
      GreedyRewriteConfig().setUseTopDownTraversal(false));
}

void neuro::buildNeuroPipeline(OpPassManager &pm, Stage from, Stage until,
                               unsigned vectorWidth, Precision precision,
                               llvm::ArrayRef<std::string> tunable) {
  auto wants = [&](Stage s) { return from < s && s <= until; };
  if (wants(Stage::Elaborated)) {
    SelectRowsOptions rows;
    rows.tunable.assign(tunable.begin(), tunable.end());
    pm.addPass(createSelectRows(rows));
    pm.addPass(createElaborate());
  }
  if (wants(Stage::Integrated))
    pm.addPass(createIntegrate());
  if (wants(Stage::Lowered)) {
    pm.addPass(createConvertNeuroToKernels());
    pm.addPass(createKernelCanonicalizer());
    pm.addPass(createCSEPass());
    if (precision != Precision::Double)
      pm.addPass(createNarrowPrecision(
          NarrowPrecisionOptions{precision == Precision::Mixed}));
    pm.addPass(createSimplifyDivision());
    pm.addPass(createInlineRandom());
    pm.addPass(createVectorizeKernels({vectorWidth}));
    pm.addPass(createKernelCanonicalizer());
  }
}

void neuro::buildLLVMLoweringPipeline(OpPassManager &pm) {
  pm.addPass(createExpandMath());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

LogicalResult neuro::lowerModule(ModuleOp module, Stage from, Stage until,
                                 unsigned vectorWidth, Precision precision,
                                 llvm::ArrayRef<std::string> tunable) {
  PassManager pm(module.getContext());
  buildNeuroPipeline(pm, from, std::min(until, Stage::Lowered), vectorWidth,
                     precision, tunable);
  if (failed(pm.run(module)))
    return failure();
  if (until < Stage::LLVMDialect || from >= Stage::LLVMDialect)
    return success();
  // What is left of the networks is data for the runtime, not code.
  for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
    if (isa<NetworkOp>(op))
      op.erase();
  PassManager llvmPm(module.getContext());
  // Before the LLVM dialect: kernels equal up to their names are compiled
  // once (the GPU path lowers its kernels separately).
  llvmPm.addPass(createMergeKernels());
  buildLLVMLoweringPipeline(llvmPm);
  return llvmPm.run(module);
}

std::vector<std::string> neuro::networkNames(ModuleOp module) {
  std::vector<std::string> names;
  for (auto net : module.getOps<NetworkOp>())
    names.push_back(net.getSymName().str());
  return names;
}
