//===- CompiledModel.cpp - One call from a file to runnable kernels -------===//
//
// compile(): the stages of Compiler in order for one network and target,
// and the backend the target needs (the CUDA device, or the host standing
// for it) made when a Simulator is attached.
//
//===----------------------------------------------------------------------===//

#include "neuro/Codegen/Compiler.h"

#include "cuda/Backend.h"
#include "cuda/Device.h"
#include "cuda/Driver.h"

using namespace neuro;

const std::set<std::string> &CompiledModel::compiledOverrides() const {
  return owner->sema().usedOverrides;
}

std::optional<std::string>
CompiledModel::attach(rt::Simulator &sim,
                      const rt::cuda::DeviceOptions &options,
                      std::string &err) {
  Target target = owner->options().target;
  if (target == Target::CPU)
    return std::nullopt;
  std::unique_ptr<rt::cuda::Device> device;
  if (target == Target::CUDA) {
    device = rt::cuda::openCudaDevice(images, err);
  } else {
    Compiler *c = owner.get();
    device = rt::cuda::hostDevice([c](const std::string &name) {
      return reinterpret_cast<rt::cuda::HostKernel>(
          c->hostKernel(name + "_packed"));
    });
  }
  return rt::cuda::DeviceBackend::install(sim, std::move(device), options, err);
}

std::unique_ptr<CompiledModel> neuro::compile(const std::string &file,
                                              const CompileOptions &options,
                                              llvm::raw_ostream &diagOS) {
  return compileBuffer(file, nullptr, options, diagOS);
}

std::unique_ptr<CompiledModel>
neuro::compileSource(const std::string &name, const std::string &text,
                     const CompileOptions &options, llvm::raw_ostream &diagOS) {
  return compileBuffer(name, &text, options, diagOS);
}

std::unique_ptr<CompiledModel>
neuro::compileBuffer(const std::string &file, const std::string *text,
                     const CompileOptions &options, llvm::raw_ostream &diagOS) {
  CompileOptions opts = options;
  bool gpu = opts.target != Target::CPU;
  if (opts.target == Target::CUDA) {
    // Before compiling: say at once why there is no GPU.
    std::string err;
    if (!rt::cuda::Driver::load(err)) {
      diagOS << "neuroc: error: --target=cuda: " << err << "\n";
      return nullptr;
    }
  }
  // The device runs scalar kernels; the host keeps those of the build.
  if (gpu)
    opts.vectorWidth = 1;
  auto model = std::unique_ptr<CompiledModel>(new CompiledModel);
  model->owner = std::make_unique<Compiler>(diagOS, opts);
  Compiler &c = *model->owner;
  c.setKeepLowered(gpu);
  if (text)
    c.loadString(file, *text);
  if ((!text && !c.loadFile(file)) || !c.parse() || !c.check() ||
      !c.generate() || !c.compileNetwork(opts.network, model->modelSpec))
    return nullptr;
  if (gpu && !c.compileGPUKernels(opts.gpu,
                                  opts.target == Target::CUDA ? &model->images
                                                              : nullptr,
                                  opts.target == Target::CUDAEmulated))
    return nullptr;
  model->hit = c.cacheHit();
  return model;
}
