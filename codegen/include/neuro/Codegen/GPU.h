//===- GPU.h - Kernels for NVIDIA GPUs through gpu, NVVM and PTX -*- C++
//-*-===//
//
// The CUDA target branches off the lowered stage (scalar kernels):
//
//   lowered ──neuro-expand-math, convert-kernels-to-gpu,
//             neuro-merge-gpu-kernels──▶ gpu   (gpu.module)
//     ──nvvm targets, SCF→CF, GPU→NVVM, gpu-module-to-binary──▶ ptx
//
// One PTX image per chip (sm_80 and sm_90 by default, PTX ISA 8.0), with
// libdevice linked for the math functions left after neuro-expand-math.
// The host keeps the kernels that run once (init, connect, synapse init),
// compiled for the CPU like any other.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CODEGEN_GPU_H
#define NEURO_CODEGEN_GPU_H

#include "cuda/Device.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace neuro {

/// PTX of the device kernels for one chip: what the runtime's GPU backend
/// loads.
using GPUImage = rt::cuda::PtxImage;

struct GPUOptions {
  /// Chips to build PTX for.
  std::vector<std::string> chips = {"sm_80", "sm_90"};
  /// libdevice's bitcode; empty: none (kernels calling libm functions are
  /// refused). CompileOptions::fromEnvironment() finds it.
  std::string libdevice;
  /// Merge the kernels of populations that differ only in constants
  /// (neuro-merge-gpu-kernels); NEURO_GPU_MERGE=0 turns it off
  /// (CompileOptions::fromEnvironment()).
  bool merge = true;
};

/// The GPU and NVVM dialects, the NVVM target and their translations.
void registerGPUDialects(mlir::DialectRegistry &registry);

/// Adds the passes from the lowered stage (vector width 1) to the gpu stage;
/// `merge`: neuro-merge-gpu-kernels too.
void buildGPUOutliningPipeline(mlir::OpPassManager &pm, bool merge);

/// Compiles the `gpu.module` of a module at the gpu stage into one PTX
/// image per chip, and removes it: what is left are the host kernels.
/// Errors (a chip the NVVM target does not know, math functions without
/// libdevice) are reported on the module.
mlir::LogicalResult compileGPUModule(mlir::ModuleOp module,
                                     const GPUOptions &options,
                                     std::vector<GPUImage> &images);

/// The kernels of the `gpu.module` of a module at the gpu stage as a host
/// module in the LLVM dialect: each kernel a function run by one thread
/// (thread 0 of a grid of one), plus `<kernel>_packed(void **args)` taking
/// its parameters as rt::cuda::KernelArgs packs them for a launch. Runs
/// the device step loop on the CPU where there is no GPU.
mlir::OwningOpRef<mlir::ModuleOp> gpuKernelsForHost(mlir::ModuleOp module);

} // namespace neuro

#endif // NEURO_CODEGEN_GPU_H
