//===- Driver.cpp - The CUDA driver API, loaded at run time ---------------===//

#include "Driver.h"

#include <dlfcn.h>
#include <mutex>

using namespace neuro::rt::cuda;

namespace {
// Device attributes of the driver API (CUdevice_attribute).
constexpr int kMultiprocessorCount = 16;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;
} // namespace

bool Driver::open(std::string &err) {
  handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    err = std::string("no CUDA driver: ") +
          (why ? why : "libcuda.so.1 cannot be opened");
    return false;
  }
  bool ok = true;
  auto bind = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, name));
    if (!fn && ok) {
      err = std::string("the CUDA driver has no ") + name;
      ok = false;
    }
  };
  bind(fns.cuInit, "cuInit");
  bind(fns.cuDriverGetVersion, "cuDriverGetVersion");
  bind(fns.cuDeviceGetCount, "cuDeviceGetCount");
  bind(fns.cuDeviceGet, "cuDeviceGet");
  bind(fns.cuDeviceGetName, "cuDeviceGetName");
  bind(fns.cuDeviceGetAttribute, "cuDeviceGetAttribute");
  bind(fns.cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  bind(fns.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  bind(fns.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  bind(fns.cuCtxSetCurrent, "cuCtxSetCurrent");
  bind(fns.cuCtxSynchronize, "cuCtxSynchronize");
  bind(fns.cuModuleLoadDataEx, "cuModuleLoadDataEx");
  bind(fns.cuModuleUnload, "cuModuleUnload");
  bind(fns.cuModuleGetFunction, "cuModuleGetFunction");
  bind(fns.cuMemAlloc, "cuMemAlloc_v2");
  bind(fns.cuMemFree, "cuMemFree_v2");
  bind(fns.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  bind(fns.cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  bind(fns.cuMemcpy2D, "cuMemcpy2D_v2");
  bind(fns.cuMemcpyDtoD, "cuMemcpyDtoD_v2");
  bind(fns.cuMemsetD8, "cuMemsetD8_v2");
  bind(fns.cuLaunchKernel, "cuLaunchKernel");
  bind(fns.cuGetErrorString, "cuGetErrorString");
  if (!ok)
    return false;
  if (CUresult r = fns.cuInit(0)) {
    err = error(r, "cuInit");
    return false;
  }
  fns.cuDriverGetVersion(&driverVersion);
  // The kernels are PTX ISA 8.0, which drivers of CUDA 12.0 and later read.
  if (driverVersion < 12000) {
    err = "the CUDA driver is version " + std::to_string(driverVersion / 1000) +
          "." + std::to_string(driverVersion % 1000 / 10) +
          "; the GPU kernels (PTX 8.0) need 12.0 or later";
    return false;
  }
  int count = 0;
  if (CUresult r = fns.cuDeviceGetCount(&count)) {
    err = error(r, "cuDeviceGetCount");
    return false;
  }
  for (int i = 0; i < count; ++i) {
    DeviceInfo info;
    CUdevice dev = 0;
    if (fns.cuDeviceGet(&dev, i))
      continue;
    char name[256] = {0};
    fns.cuDeviceGetName(name, int(sizeof name) - 1, dev);
    info.index = i;
    info.name = name;
    fns.cuDeviceGetAttribute(&info.major, kComputeCapabilityMajor, dev);
    fns.cuDeviceGetAttribute(&info.minor, kComputeCapabilityMinor, dev);
    fns.cuDeviceGetAttribute(&info.multiprocessors, kMultiprocessorCount, dev);
    fns.cuDeviceTotalMem(&info.memory, dev);
    found.push_back(info);
  }
  if (found.empty()) {
    err = "the CUDA driver finds no GPU";
    return false;
  }
  return true;
}

const Driver *Driver::load(std::string &err) {
  static std::once_flag once;
  static Driver *driver = nullptr;
  static std::string why;
  std::call_once(once, [] {
    auto *d = new Driver;
    if (d->open(why))
      driver = d;
    // A driver that failed stays loaded: dlclose of libcuda is not safe.
  });
  if (!driver)
    err = why;
  return driver;
}

std::string Driver::error(CUresult result, const char *call) const {
  const char *text = nullptr;
  if (fns.cuGetErrorString)
    fns.cuGetErrorString(result, &text);
  return std::string(call) +
         " failed: " + (text ? text : "CUDA error " + std::to_string(result));
}
