//===- Device.h - Memory and kernel launches of a GPU -----------*- C++ -*-===//
//
// What the GPU backend needs of a device: memory, copies, and launching the
// compiled kernels by name. Two devices implement it:
//
//  - a CUDA GPU (openCudaDevice): the driver API through Driver.h, the
//    kernels from the compiler's PTX (the image for the device's chip, or
//    the newest older one, which the driver compiles for the device);
//  - the host (hostDevice): host memory stands for device memory and the
//    same kernels, compiled for the CPU with one thread per launch, run in
//    place. It runs the whole device step loop where no GPU is, so tests
//    check the backend's logic against the CPU simulator.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_CUDA_DEVICE_H
#define NEURO_RUNTIME_CUDA_DEVICE_H

#include "cuda/Driver.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt::cuda {

class Device {
public:
  virtual ~Device() = default;
  /// "NVIDIA H100 (sm_90)", "host".
  virtual std::string name() const = 0;
  /// `bytes` of device memory (at least 1), zeroed.
  virtual bool alloc(size_t bytes, CUdeviceptr &ptr, std::string &err) = 0;
  virtual bool upload(CUdeviceptr dst, const void *src, size_t bytes,
                      std::string &err) = 0;
  virtual bool download(void *dst, CUdeviceptr src, size_t bytes,
                        std::string &err) = 0;
  /// Device to device, in order with the launches.
  virtual bool copy(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                    std::string &err) = 0;
  /// `rows` rows of `width` bytes, `srcPitch` bytes apart on the device,
  /// into `dst`, `dstPitch` bytes apart: one copy.
  virtual bool downloadRows(void *dst, size_t dstPitch, CUdeviceptr src,
                            size_t srcPitch, size_t width, size_t rows,
                            std::string &err) = 0;
  virtual bool zero(CUdeviceptr dst, size_t bytes, std::string &err) = 0;
  /// Whether the kernels include `kernel`.
  virtual bool hasKernel(const std::string &kernel) = 0;
  /// How a kernel's iterations map onto the grid (sizing only: kernels
  /// stride over blocks and threads, so any grid is correct).
  enum class Grid {
    PerThread, ///< a thread per iteration
    PerBlock   ///< a block per iteration (a spike), threads share its row
  };
  /// Launches `kernel` for `work` iterations, `groups` times over in the
  /// grid's y dimension for kernels that stride over it (deliveries of
  /// several delay groups) and `members` times over in z (merged
  /// deliveries). Launches run in order.
  virtual bool launch(const std::string &kernel, int64_t work, KernelArgs &args,
                      std::string &err, Grid grid = Grid::PerThread,
                      int64_t groups = 1, int64_t members = 1) = 0;
  /// Waits for every launch and copy.
  virtual bool finish(std::string &err) = 0;
};

/// PTX of the kernels for one chip ("sm_90").
struct PtxImage {
  std::string chip;
  std::string ptx;
};

/// A GPU of the CUDA driver with the kernels of `images`, or null with the
/// reason (no driver, no image the device can run, a PTX the driver
/// rejects). The GPU is number `local rank mod GPUs`, the local rank the
/// process's place among those MPI started on this machine
/// (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID or SLURM_LOCALID; 0
/// without MPI): one GPU per process where the machine has several.
std::unique_ptr<Device> openCudaDevice(const std::vector<PtxImage> &images,
                                       std::string &err);

/// `device`, whose first failure is held: that call and every one after it
/// return true and do nothing, and `failure` (which must outlive the
/// device) keeps the message. Over several processes a process whose GPU
/// fails cannot stop at once, the others waiting for it in the next
/// exchange: it goes on to that exchange, where every process learns of
/// the failure and all stop.
std::unique_ptr<Device> holdFailures(std::unique_ptr<Device> device,
                                     std::string &failure);

/// A kernel compiled for the host, taking the launch parameters packed as
/// KernelArgs::pointers() gives them.
using HostKernel = void (*)(void **);

/// The host as a device; `lookup` finds a kernel by name (null: none).
std::unique_ptr<Device>
hostDevice(std::function<HostKernel(const std::string &)> lookup);

} // namespace neuro::rt::cuda

#endif // NEURO_RUNTIME_CUDA_DEVICE_H
