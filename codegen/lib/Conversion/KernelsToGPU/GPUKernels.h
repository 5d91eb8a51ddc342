//===- GPUKernels.h - Kernels of the GPU target made by hand ----*- C++ -*-===//
//
// Kernels that convert-kernels-to-gpu adds to `gpu.module @neuro_kernels`
// whatever the model: they come from no kernel of the lowered stage.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CONVERSION_KERNELSTOGPU_GPUKERNELS_H
#define NEURO_CONVERSION_KERNELSTOGPU_GPUKERNELS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace neuro {

/// Adds `neuro_spikes_count` and `neuro_spikes_compact` (ABI.h,
/// NEURO_GPU_SPIKES_*): the spike lists of a step in neuron order, from
/// the flags the step kernels set, by a prefix sum over chunk counts.
void buildSpikeListKernels(mlir::gpu::GPUModuleOp gpuModule,
                           mlir::Location loc);

} // namespace neuro

#endif // NEURO_CONVERSION_KERNELSTOGPU_GPUKERNELS_H
