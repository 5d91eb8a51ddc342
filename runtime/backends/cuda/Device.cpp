//===- Device.cpp - Memory and kernel launches of a GPU -------------------===//

#include "cuda/Device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

using namespace neuro::rt::cuda;

namespace {

constexpr unsigned kBlock = 256;
/// Threads sharing one spike's synapses.
constexpr unsigned kRowBlock = 128;

class CudaDevice final : public Device {
public:
  CudaDevice(const Driver &driver, const DeviceInfo &info)
      : driver(driver), fns(driver.api()), info(info) {}

  ~CudaDevice() override {
    if (!context)
      return;
    fns.cuCtxSetCurrent(context);
    for (CUdeviceptr p : allocations)
      fns.cuMemFree(p);
    if (module)
      fns.cuModuleUnload(module);
    fns.cuDevicePrimaryCtxRelease(device);
  }

  bool open(const std::vector<PtxImage> &images, std::string &err) {
    // The image for this chip, else the newest for an older one (PTX is
    // compiled by the driver for the device it runs on).
    // Architecture-specific images (sm_90a) only on their own chip.
    const PtxImage *best = nullptr;
    int want = info.major * 10 + info.minor, bestSm = -1;
    for (const PtxImage &image : images) {
      const char *digits = image.chip.c_str() + 3;
      char *end = nullptr;
      int sm = int(std::strtol(digits, &end, 10));
      bool generic = end != digits && *end == '\0';
      if (image.chip == info.chip()) {
        best = &image;
        break;
      }
      if (generic && sm <= want && sm > bestSm) {
        best = &image;
        bestSm = sm;
      }
    }
    if (!best) {
      err = "no PTX for " + info.chip() + " or an older chip";
      return false;
    }
    if (!check(fns.cuDeviceGet(&device, info.index), "cuDeviceGet", err) ||
        !check(fns.cuDevicePrimaryCtxRetain(&context, device),
               "cuDevicePrimaryCtxRetain", err) ||
        !check(fns.cuCtxSetCurrent(context), "cuCtxSetCurrent", err) ||
        !load(best->ptx, err))
      return false;
    // Enough blocks to fill every multiprocessor several times over.
    blocksCap = unsigned(std::max(1, info.multiprocessors)) * 16;
    return true;
  }

  std::string name() const override {
    return info.name + " (" + info.chip() + ")";
  }

  bool alloc(size_t bytes, CUdeviceptr &ptr, std::string &err) override {
    bytes = std::max<size_t>(bytes, 1);
    if (!current(err) || !check(fns.cuMemAlloc(&ptr, bytes), "cuMemAlloc", err))
      return false;
    allocations.push_back(ptr);
    return zero(ptr, bytes, err);
  }
  bool upload(CUdeviceptr dst, const void *src, size_t bytes,
              std::string &err) override {
    return bytes == 0 ||
           (current(err) &&
            check(fns.cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD", err));
  }
  bool download(void *dst, CUdeviceptr src, size_t bytes,
                std::string &err) override {
    return bytes == 0 ||
           (current(err) &&
            check(fns.cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH", err));
  }
  bool copy(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
            std::string &err) override {
    return bytes == 0 ||
           (current(err) &&
            check(fns.cuMemcpyDtoD(dst, src, bytes), "cuMemcpyDtoD", err));
  }
  bool downloadRows(void *dst, size_t dstPitch, CUdeviceptr src,
                    size_t srcPitch, size_t width, size_t rows,
                    std::string &err) override {
    if (width == 0 || rows == 0)
      return true;
    Memcpy2D copy;
    copy.srcMemoryType = 2;
    copy.srcDevice = src;
    copy.srcPitch = srcPitch;
    copy.dstMemoryType = 1;
    copy.dstHost = dst;
    copy.dstPitch = dstPitch;
    copy.WidthInBytes = width;
    copy.Height = rows;
    return current(err) && check(fns.cuMemcpy2D(&copy), "cuMemcpy2D", err);
  }
  bool zero(CUdeviceptr dst, size_t bytes, std::string &err) override {
    return bytes == 0 || (current(err) && check(fns.cuMemsetD8(dst, 0, bytes),
                                                "cuMemsetD8", err));
  }
  bool hasKernel(const std::string &kernel) override {
    return function(kernel) != nullptr;
  }
  bool launch(const std::string &kernel, int64_t work, KernelArgs &args,
              std::string &err, Grid grid, int64_t groups,
              int64_t members) override {
    CUfunction fn = function(kernel);
    if (!fn) {
      err = "the GPU kernels have no '" + kernel + "'";
      return false;
    }
    if (!args.check(kernel, err) || !current(err))
      return false;
    work = std::max<int64_t>(work, 1);
    bool perBlock = grid == Grid::PerBlock;
    unsigned threads = perBlock ? kRowBlock : kBlock;
    int64_t wanted = perBlock ? work : (work + kBlock - 1) / kBlock;
    // The y and z dimensions take at most 65535 blocks; kernels stride
    // over them.
    unsigned rows = unsigned(std::clamp<int64_t>(groups, 1, 65535));
    unsigned layers = unsigned(std::clamp<int64_t>(members, 1, 65535));
    unsigned blocks = unsigned(std::clamp<int64_t>(
        wanted, 1, std::max<int64_t>(1, blocksCap / (int64_t(rows) * layers))));
    return check(fns.cuLaunchKernel(fn, blocks, rows, layers, threads, 1, 1, 0,
                                    nullptr, args.pointers(), nullptr),
                 kernel.c_str(), err);
  }
  bool finish(std::string &err) override {
    return current(err) &&
           check(fns.cuCtxSynchronize(), "cuCtxSynchronize", err);
  }

private:
  /// Loads the PTX, which the driver compiles for the device; its log
  /// explains a failure.
  bool load(const std::string &ptx, std::string &err) {
    constexpr int kErrorLogBuffer = 5, kErrorLogBufferSize = 6;
    std::vector<char> log(8192, '\0');
    int options[] = {kErrorLogBuffer, kErrorLogBufferSize};
    void *values[] = {log.data(),
                      reinterpret_cast<void *>(uintptr_t(log.size() - 1))};
    CUresult r =
        fns.cuModuleLoadDataEx(&module, ptx.c_str(), 2, options, values);
    if (!check(r, "cuModuleLoadDataEx", err)) {
      if (log[0])
        err += ": " + std::string(log.data());
      return false;
    }
    return true;
  }
  /// The device's context is current on the calling thread.
  bool current(std::string &err) {
    return check(fns.cuCtxSetCurrent(context), "cuCtxSetCurrent", err);
  }
  bool check(CUresult r, const char *call, std::string &err) const {
    if (r == 0)
      return true;
    err = driver.error(r, call);
    return false;
  }
  CUfunction function(const std::string &kernel) {
    auto it = functions.find(kernel);
    if (it != functions.end())
      return it->second;
    CUfunction fn = nullptr;
    if (fns.cuCtxSetCurrent(context) != 0 ||
        fns.cuModuleGetFunction(&fn, module, kernel.c_str()) != 0)
      fn = nullptr;
    functions[kernel] = fn;
    return fn;
  }

  const Driver &driver;
  const DriverApi &fns;
  DeviceInfo info;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  unsigned blocksCap = 1024;
  std::vector<CUdeviceptr> allocations;
  std::map<std::string, CUfunction> functions;
};

class HostDevice final : public Device {
public:
  explicit HostDevice(std::function<HostKernel(const std::string &)> lookup)
      : lookup(std::move(lookup)) {}

  std::string name() const override { return "host"; }
  bool alloc(size_t bytes, CUdeviceptr &ptr, std::string &) override {
    blocks.emplace_back(new uint64_t[(std::max<size_t>(bytes, 1) + 7) / 8]());
    ptr = CUdeviceptr(reinterpret_cast<uintptr_t>(blocks.back().get()));
    return true;
  }
  bool upload(CUdeviceptr dst, const void *src, size_t bytes,
              std::string &) override {
    if (bytes)
      std::memcpy(address(dst), src, bytes);
    return true;
  }
  bool download(void *dst, CUdeviceptr src, size_t bytes,
                std::string &) override {
    if (bytes)
      std::memcpy(dst, address(src), bytes);
    return true;
  }
  bool copy(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
            std::string &) override {
    if (bytes)
      std::memcpy(address(dst), address(src), bytes);
    return true;
  }
  bool downloadRows(void *dst, size_t dstPitch, CUdeviceptr src,
                    size_t srcPitch, size_t width, size_t rows,
                    std::string &) override {
    for (size_t r = 0; r < rows && width; ++r)
      std::memcpy(static_cast<char *>(dst) + r * dstPitch,
                  static_cast<const char *>(address(src)) + r * srcPitch,
                  width);
    return true;
  }
  bool zero(CUdeviceptr dst, size_t bytes, std::string &) override {
    if (bytes)
      std::memset(address(dst), 0, bytes);
    return true;
  }
  bool hasKernel(const std::string &kernel) override {
    return function(kernel) != nullptr;
  }
  bool launch(const std::string &kernel, int64_t, KernelArgs &args,
              std::string &err, Grid, int64_t, int64_t) override {
    HostKernel fn = function(kernel);
    if (!fn) {
      err = "the kernels have no '" + kernel + "'";
      return false;
    }
    if (!args.check(kernel, err))
      return false;
    fn(args.pointers());
    return true;
  }
  bool finish(std::string &) override { return true; }

private:
  static void *address(CUdeviceptr p) {
    return reinterpret_cast<void *>(uintptr_t(p));
  }
  HostKernel function(const std::string &kernel) {
    auto it = functions.find(kernel);
    if (it != functions.end())
      return it->second;
    return functions[kernel] = lookup(kernel);
  }

  std::function<HostKernel(const std::string &)> lookup;
  std::vector<std::unique_ptr<uint64_t[]>> blocks;
  std::map<std::string, HostKernel> functions;
};

} // namespace

/// This process's place among the processes MPI started on its machine
/// (OpenMPI, MPICH or Slurm), 0 when none started it.
static int localRank() {
  for (const char *name :
       {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
    if (const char *value = std::getenv(name)) {
      char *end = nullptr;
      long rank = std::strtol(value, &end, 10);
      if (end != value && *end == '\0' && rank >= 0)
        return int(rank);
    }
  return 0;
}

std::unique_ptr<Device>
neuro::rt::cuda::openCudaDevice(const std::vector<PtxImage> &images,
                                std::string &err) {
  const Driver *driver = Driver::load(err);
  if (!driver)
    return nullptr;
  // One GPU per process where the machine has several.
  const std::vector<DeviceInfo> &found = driver->devices();
  auto device = std::make_unique<CudaDevice>(
      *driver, found[size_t(localRank()) % found.size()]);
  if (!device->open(images, err))
    return nullptr;
  return device;
}

namespace {

/// A device whose first failure is held (holdFailures).
class HeldDevice final : public Device {
public:
  HeldDevice(std::unique_ptr<Device> device, std::string &failure)
      : inner(std::move(device)), failure(failure) {}

  std::string name() const override { return inner->name(); }
  bool alloc(size_t bytes, CUdeviceptr &ptr, std::string &) override {
    return held([&](std::string &e) { return inner->alloc(bytes, ptr, e); });
  }
  bool upload(CUdeviceptr dst, const void *src, size_t bytes,
              std::string &) override {
    return held(
        [&](std::string &e) { return inner->upload(dst, src, bytes, e); });
  }
  bool download(void *dst, CUdeviceptr src, size_t bytes,
                std::string &) override {
    return held(
        [&](std::string &e) { return inner->download(dst, src, bytes, e); });
  }
  bool copy(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
            std::string &) override {
    return held(
        [&](std::string &e) { return inner->copy(dst, src, bytes, e); });
  }
  bool downloadRows(void *dst, size_t dstPitch, CUdeviceptr src,
                    size_t srcPitch, size_t width, size_t rows,
                    std::string &) override {
    return held([&](std::string &e) {
      return inner->downloadRows(dst, dstPitch, src, srcPitch, width, rows, e);
    });
  }
  bool zero(CUdeviceptr dst, size_t bytes, std::string &) override {
    return held([&](std::string &e) { return inner->zero(dst, bytes, e); });
  }
  bool hasKernel(const std::string &kernel) override {
    return inner->hasKernel(kernel);
  }
  bool launch(const std::string &kernel, int64_t work, KernelArgs &args,
              std::string &, Grid grid, int64_t groups,
              int64_t members) override {
    return held([&](std::string &e) {
      return inner->launch(kernel, work, args, e, grid, groups, members);
    });
  }
  bool finish(std::string &) override {
    return held([&](std::string &e) { return inner->finish(e); });
  }

private:
  /// Runs `call` unless a failure is held; keeps its failure.
  template <typename Call> bool held(Call &&call) {
    if (!failure.empty())
      return true;
    std::string e;
    if (!call(e))
      failure = e.empty() ? "the GPU failed" : e;
    return true;
  }

  std::unique_ptr<Device> inner;
  std::string &failure;
};

} // namespace

std::unique_ptr<Device>
neuro::rt::cuda::holdFailures(std::unique_ptr<Device> device,
                              std::string &failure) {
  return std::make_unique<HeldDevice>(std::move(device), failure);
}

std::unique_ptr<Device> neuro::rt::cuda::hostDevice(
    std::function<HostKernel(const std::string &)> lookup) {
  return std::make_unique<HostDevice>(std::move(lookup));
}
