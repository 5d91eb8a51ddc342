//===- JIT.cpp - Compile LLVM-dialect kernels for the host and bind them --===//

#include "neuro/Codegen/JIT.h"
#include "neuro/Conversion/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

using namespace neuro;

namespace {

void initializeTargets() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)done;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostTargetMachine() {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return builder->createTargetMachine();
}

} // namespace

JITModule::~JITModule() = default;

llvm::Expected<std::unique_ptr<JITModule>>
JITModule::create(mlir::ModuleOp module) {
  initializeTargets();
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  auto optimize = mlir::makeOptimizingTransformer(3, 0, tm->get());
  mlir::ExecutionEngineOptions options;
  options.transformer = optimize;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  options.enableGDBNotificationListener = false;
  options.enablePerfNotificationListener = false;
  auto engine = mlir::ExecutionEngine::create(module, options);
  if (!engine)
    return engine.takeError();
  std::unique_ptr<JITModule> jit(new JITModule());
  jit->engine = std::move(*engine);
  // What the runtime provides to generated code (runtime/ABI.h).
  jit->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("neuro_rt_uniform")] = {
        llvm::orc::ExecutorAddr::fromPtr(&neuro_rt_uniform),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("neuro_rt_normal")] = {
        llvm::orc::ExecutorAddr::fromPtr(&neuro_rt_normal),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("neuro_rt_expm")] = {
        llvm::orc::ExecutorAddr::fromPtr(&neuro_rt_expm),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return std::move(jit);
}

llvm::Error JITModule::bind(llvm::StringRef network, rt::ModelSpec &spec) {
  auto lookup = [&](const std::string &name, bool required,
                    void *&out) -> llvm::Error {
    auto sym = engine->lookup("_mlir_ciface_" + name);
    if (sym) {
      out = *sym;
      return llvm::Error::success();
    }
    llvm::consumeError(sym.takeError());
    out = nullptr;
    if (!required)
      return llvm::Error::success();
    return llvm::createStringError("kernel '%s' missing from the compiled "
                                   "module",
                                   name.c_str());
  };
  auto version = engine->lookup("neuro_abi_version");
  if (!version)
    return version.takeError();
  int64_t v = reinterpret_cast<NeuroAbiVersionFn>(*version)();
  if (v != NEURO_ABI_VERSION)
    return llvm::createStringError(
        "compiled kernels use ABI version %lld, the runtime %d",
        static_cast<long long>(v), NEURO_ABI_VERSION);
  for (rt::PopulationSpec &p : spec.populations) {
    if (p.generator)
      continue; // spikes given by time: no kernels
    void *step = nullptr, *reset = nullptr;
    if (auto err = lookup(stepKernelName(network, p.name), true, step))
      return err;
    if (auto err = lookup(resetKernelName(network, p.name), false, reset))
      return err;
    p.step = reinterpret_cast<NeuroStepFn>(step);
    p.reset = reinterpret_cast<NeuroResetFn>(reset);
    void *init = nullptr;
    if (auto err = lookup(initKernelName(network, p.name), false, init))
      return err;
    p.initFn = reinterpret_cast<NeuroInitFn>(init);
  }
  for (rt::ProjectionSpec &p : spec.projections) {
    void *deliver = nullptr;
    if (auto err = lookup(deliverKernelName(network, p.name), true, deliver))
      return err;
    p.deliver = reinterpret_cast<NeuroDeliverFn>(deliver);
    void *deliverPost = nullptr;
    if (auto err =
            lookup(deliverPostKernelName(network, p.name), false, deliverPost))
      return err;
    p.deliverPost = reinterpret_cast<NeuroDeliverPostFn>(deliverPost);
    void *update = nullptr;
    if (auto err = lookup(updateKernelName(network, p.name), false, update))
      return err;
    p.update = reinterpret_cast<NeuroUpdateFn>(update);
    void *connect = nullptr, *synInit = nullptr;
    if (auto err = lookup(connectKernelName(network, p.name),
                          p.rule == rt::ProjectionSpec::Expression, connect))
      return err;
    if (auto err = lookup(synInitKernelName(network, p.name), false, synInit))
      return err;
    p.connect = reinterpret_cast<NeuroConnectFn>(connect);
    p.synInitFn = reinterpret_cast<NeuroSynInitFn>(synInit);
  }
  return llvm::Error::success();
}

llvm::Expected<std::string> neuro::emitLLVMIR(mlir::ModuleOp module,
                                              bool optimize) {
  initializeTargets();
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  llvmModule->setDataLayout((*tm)->createDataLayout());
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  if (optimize)
    if (auto err =
            mlir::makeOptimizingTransformer(3, 0, tm->get())(llvmModule.get()))
      return std::move(err);
  std::string text;
  llvm::raw_string_ostream os(text);
  llvmModule->print(os, nullptr);
  return text;
}
