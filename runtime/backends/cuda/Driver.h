//===- Driver.h - The CUDA driver API, loaded at run time -------*- C++ -*-===//
//
// A thin wrapper over the few CUDA driver API functions the GPU backend
// uses. libcuda.so.1 is opened with dlopen when first asked for, so Neuro
// builds and runs on machines without CUDA; there, load() says why no GPU
// can be used. No CUDA header is needed: the handful of types and the
// function signatures are declared here as the driver API (cuda.h, CUDA 12
// and 13) defines them.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_CUDA_DRIVER_H
#define NEURO_RUNTIME_CUDA_DRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace neuro::rt::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
using CUcontext = CUctx_st *;
using CUmodule = CUmod_st *;
using CUfunction = CUfunc_st *;
using CUstream = CUstream_st *;

/// The driver's entry points, resolved by name from libcuda.so.1.
/// The driver's description of a 2D copy (CUDA_MEMCPY2D, cuda.h's layout).
struct Memcpy2D {
  size_t srcXInBytes = 0, srcY = 0;
  int srcMemoryType = 0; ///< 1 host, 2 device
  const void *srcHost = nullptr;
  CUdeviceptr srcDevice = 0;
  void *srcArray = nullptr;
  size_t srcPitch = 0;
  size_t dstXInBytes = 0, dstY = 0;
  int dstMemoryType = 0;
  void *dstHost = nullptr;
  CUdeviceptr dstDevice = 0;
  void *dstArray = nullptr;
  size_t dstPitch = 0;
  size_t WidthInBytes = 0, Height = 0;
};

struct DriverApi {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemcpy2D)(const Memcpy2D *);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// One GPU as the driver describes it.
struct DeviceInfo {
  int index = 0;
  std::string name;
  int major = 0, minor = 0; ///< compute capability
  size_t memory = 0;        ///< bytes
  int multiprocessors = 0;

  /// "sm_90" for compute capability 9.0.
  std::string chip() const {
    return "sm_" + std::to_string(major) + std::to_string(minor);
  }
};

class Driver {
public:
  /// The driver of this process (loaded and initialised once), or null
  /// with the reason in `err`: no libcuda.so.1, a missing entry point, or
  /// cuInit failing (no device, driver and kernel module mismatch).
  static const Driver *load(std::string &err);

  const DriverApi &api() const { return fns; }
  /// The driver's version, 13000 for CUDA 13.0.
  int version() const { return driverVersion; }
  const std::vector<DeviceInfo> &devices() const { return found; }

  /// "OK" or the driver's name for `result`, with the call that failed.
  std::string error(CUresult result, const char *call) const;

private:
  Driver() = default;
  bool open(std::string &err);

  void *handle = nullptr;
  DriverApi fns{};
  int driverVersion = 0;
  std::vector<DeviceInfo> found;
};

/// The parameters of a kernel launch as the GPU kernels take them: MLIR's
/// lowering of a gpu.func expands each memref argument into its descriptor's
/// fields (allocated and aligned pointers, offset, sizes, strides) and
/// passes scalars as they are. cuLaunchKernel gets a pointer to each.
/// The arguments are appended in the order of ABI.h (NEURO_GPU_*).
class KernelArgs {
public:
  KernelArgs() = default;
  /// The arguments of a kernel that takes `expected` of them (a
  /// NEURO_GPU_*_NUM_ARGS of ABI.h), which launches check.
  explicit KernelArgs(int expected) : expected(expected) {}

  /// A memref<?xT> over `n` elements at device address `p`.
  KernelArgs &buffer(CUdeviceptr p, int64_t n) {
    ++args;
    push(p);
    push(p);
    push(int64_t(0));
    push(n);
    push(int64_t(1));
    return *this;
  }
  /// A row-major memref<?x?xT> of `rows` x `cols` at device address `p`.
  KernelArgs &matrix(CUdeviceptr p, int64_t rows, int64_t cols) {
    ++args;
    push(p);
    push(p);
    push(int64_t(0));
    push(rows);
    push(cols);
    push(cols);
    push(int64_t(1));
    return *this;
  }
  KernelArgs &i64(int64_t v) {
    ++args;
    push(v);
    return *this;
  }

  /// Number of kernel arguments (a memref counts once).
  int arguments() const { return args; }
  /// False with `err` when a number of arguments was expected and
  /// another was given.
  bool check(const std::string &kernel, std::string &err) const {
    if (expected < 0 || args == expected)
      return true;
    err = "kernel '" + kernel + "' takes " + std::to_string(expected) +
          " arguments, launched with " + std::to_string(args);
    return false;
  }

  /// Number of kernel parameters.
  size_t size() const { return values.size(); }
  /// The array cuLaunchKernel takes (valid while this object lives).
  void **pointers() {
    ptrs.clear();
    for (uint64_t &v : values)
      ptrs.push_back(&v);
    return ptrs.data();
  }

private:
  // Every parameter is 8 bytes: pointers, offsets, sizes, strides, i64.
  template <typename T> void push(T v) {
    static_assert(sizeof(T) == 8, "kernel parameters are 8 bytes");
    values.push_back(static_cast<uint64_t>(v));
  }

  std::vector<uint64_t> values;
  std::vector<void *> ptrs;
  int args = 0;
  int expected = -1;
};

} // namespace neuro::rt::cuda

#endif // NEURO_RUNTIME_CUDA_DRIVER_H
