//===- JIT.cpp - Compile LLVM-dialect kernels for the host and bind them --===//

#include "neuro/Codegen/JIT.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/Kernels.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/AbsoluteSymbols.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

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
  // Position-independent: the object is also linked into executables.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder->createTargetMachine();
}

} // namespace

/// The module as LLVM IR for the host, optimised at -O3 when `optimize`.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translate(mlir::ModuleOp module, llvm::LLVMContext &context,
          llvm::TargetMachine &tm, bool optimize) {
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  if (optimize)
    if (auto err = mlir::makeOptimizingTransformer(3, 0, &tm)(llvmModule.get()))
      return std::move(err);
  return std::move(llvmModule);
}

/// Code generation's level for `module`. The instruction schedulers take
/// time that grows faster than a basic block's length, and the step kernel
/// of a neuron with thousands of variables is one block of tens of
/// thousands of instructions: 2049 exact states took 19 s at -O3 and 8 s at
/// -O1, nearly all of it scheduling. Blocks that long gain little from a
/// schedule on an out-of-order core; the kernels of usual models (blocks of
/// at most a few hundred instructions) keep -O3.
static llvm::CodeGenOptLevel codeGenLevel(const llvm::Module &module) {
  constexpr size_t kLongBlock = 5000;
  for (const llvm::Function &f : module)
    for (const llvm::BasicBlock &block : f)
      if (block.size() > kLongBlock)
        return llvm::CodeGenOptLevel::Less;
  return llvm::CodeGenOptLevel::Aggressive;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
neuro::emitObject(mlir::ModuleOp module) {
  initializeTargets();
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext context;
  auto llvmModule = translate(module, context, **tm, /*optimize=*/true);
  if (!llvmModule)
    return llvmModule.takeError();
  (*tm)->setOptLevel(codeGenLevel(**llvmModule));
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager pm;
  if ((*tm)->addPassesToEmitFile(pm, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the host target cannot emit objects");
  pm.run(**llvmModule);
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(bytes), "neuro-kernels.o", /*RequiresNullTerminator=*/false);
}

std::string neuro::hostTargetId() {
  initializeTargets();
  auto tm = hostTargetMachine();
  if (!tm) {
    llvm::consumeError(tm.takeError());
    return llvm::sys::getProcessTriple();
  }
  return (*tm)->getTargetTriple().str() + " " + (*tm)->getTargetCPU().str() +
         " " + (*tm)->getTargetFeatureString().str();
}

JITModule::~JITModule() = default;

llvm::Expected<std::unique_ptr<JITModule>>
JITModule::create(std::unique_ptr<llvm::MemoryBuffer> object) {
  initializeTargets();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*builder))
                 .create();
  if (!jit)
    return jit.takeError();
  llvm::orc::JITDylib &lib = (*jit)->getMainJITDylib();
  // libm and libc from this process; the runtime's functions by address.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return process.takeError();
  lib.addGenerator(std::move(*process));
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char *name, void *address) {
    symbols[(*jit)->mangleAndIntern(name)] = {
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported};
  };
  add("neuro_rt_uniform", reinterpret_cast<void *>(&neuro_rt_uniform));
  add("neuro_rt_normal", reinterpret_cast<void *>(&neuro_rt_normal));
  add("neuro_rt_expm", reinterpret_cast<void *>(&neuro_rt_expm));
  if (auto err = lib.define(llvm::orc::absoluteSymbols(std::move(symbols))))
    return std::move(err);
  if (auto err = (*jit)->addObjectFile(std::move(object)))
    return std::move(err);
  std::unique_ptr<JITModule> module(new JITModule());
  module->jit = std::move(*jit);
  return std::move(module);
}

void *JITModule::lookup(llvm::StringRef name) {
  auto sym = jit->lookup(name);
  if (!sym) {
    llvm::consumeError(sym.takeError());
    return nullptr;
  }
  return sym->toPtr<void *>();
}

llvm::Error JITModule::bind(llvm::StringRef network, rt::ModelSpec &spec) {
  auto version = jit->lookup("neuro_abi_version");
  if (!version)
    return version.takeError();
  int64_t v = version->toPtr<NeuroAbiVersionFn>()();
  if (v != NEURO_ABI_VERSION)
    return llvm::createStringError(
        "compiled kernels use ABI version %lld, the runtime %d",
        static_cast<long long>(v), NEURO_ABI_VERSION);
  std::string err;
  if (!rt::bindKernels(
          spec, network.str(),
          [&](const std::string &name) { return lookup(name); }, err))
    return llvm::createStringError(err);
  return llvm::Error::success();
}

llvm::Expected<std::string> neuro::emitLLVMIR(mlir::ModuleOp module,
                                              bool optimize) {
  initializeTargets();
  auto tm = hostTargetMachine();
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext context;
  auto llvmModule = translate(module, context, **tm, optimize);
  if (!llvmModule)
    return llvmModule.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  (*llvmModule)->print(os, nullptr);
  return text;
}
