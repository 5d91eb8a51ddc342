//===- GPU.cpp - Kernels for NVIDIA GPUs through gpu, NVVM and PTX --------===//

#include "neuro/Codegen/GPU.h"
#include "neuro/Codegen/Pipeline.h"
#include "neuro/Conversion/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace mlir;
using namespace neuro;

void neuro::registerGPUDialects(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  // convert-gpu-to-nvvm lowers the other dialects of a kernel through
  // their ConvertToLLVM interfaces.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
}

void neuro::buildGPUOutliningPipeline(OpPassManager &pm, bool merge) {
  pm.addPass(createExpandMath());
  pm.addPass(createConvertKernelsToGPU());
  pm.addPass(createKernelCanonicalizer());
  pm.addPass(createCSEPass());
  if (!merge)
    return;
  // Shapes are compared once the kernels are canonical.
  pm.addPass(createMergeGPUKernels());
  pm.addPass(createKernelCanonicalizer());
  pm.addPass(createCSEPass());
}

/// The math ops of a kernel module that convert-gpu-to-nvvm would turn
/// into libdevice calls, as PTX instructions or arith ops instead: the
/// kernels then need no libdevice unless they call what only it has.
static void avoidLibdevice(gpu::GPUModuleOp m) {
  // sqrt is an instruction of PTX (sqrt.rn, correctly rounded as on the
  // CPU); convert-gpu-to-nvvm would call libdevice's.
  m.walk([](math::SqrtOp op) {
    auto type = dyn_cast<FloatType>(op.getType());
    if (!type || (!type.isF64() && !type.isF32()))
      return;
    OpBuilder ob(op);
    auto call = ob.create<LLVM::CallIntrinsicOp>(
        op.getLoc(), type,
        ob.getStringAttr(type.isF64() ? "llvm.nvvm.sqrt.rn.d"
                                      : "llvm.nvvm.sqrt.rn.f"),
        ValueRange{op.getOperand()});
    op.replaceAllUsesWith(call.getResult(0));
    op.erase();
  });
  // fma (exp's polynomial) is fma.rn, an instruction of PTX, rounded once
  // as on the CPU; convert-gpu-to-nvvm would call libdevice's.
  m.walk([](math::FmaOp op) {
    auto type = dyn_cast<FloatType>(op.getType());
    if (!type || (!type.isF64() && !type.isF32()))
      return;
    OpBuilder ob(op);
    auto fma = ob.create<LLVM::FMAOp>(op.getLoc(), type, op.getA(), op.getB(),
                                      op.getC());
    op.replaceAllUsesWith(fma.getResult());
    op.erase();
  });
  // trunc (int(), timestep()) as floor of the magnitude, which the NVVM
  // lowering has (math.trunc reached the LLVM translation unconverted):
  // x < 0 ? -floor(-x) : floor(x), -0 and NaN kept.
  m.walk([](math::TruncOp op) {
    OpBuilder ob(op);
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value zero =
        ob.create<arith::ConstantOp>(loc, ob.getFloatAttr(x.getType(), 0.0));
    Value negative =
        ob.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
    Value up = ob.create<arith::NegFOp>(
        loc, ob.create<math::FloorOp>(loc, ob.create<arith::NegFOp>(loc, x)));
    Value down = ob.create<math::FloorOp>(loc, x);
    op.replaceAllUsesWith(
        ob.create<arith::SelectOp>(loc, negative, up, down).getResult());
    op.erase();
  });
  // roundeven (exp's range reduction, Box-Muller's cos) in arith ops:
  // convert-gpu-to-nvvm would call libdevice's rint for it.
  m.walk([](math::RoundEvenOp op) {
    auto type = dyn_cast<FloatType>(op.getType());
    if (!type || (!type.isF64() && !type.isF32()))
      return;
    bool f64 = type.isF64();
    OpBuilder ob(op);
    Location loc = op.getLoc();
    Type intType = ob.getIntegerType(f64 ? 64 : 32);
    auto fconst = [&](double v) {
      return ob.create<arith::ConstantOp>(loc, ob.getFloatAttr(type, v));
    };
    auto iconst = [&](uint64_t v) {
      return ob.create<arith::ConstantOp>(
          loc, ob.getIntegerAttr(intType, APInt(f64 ? 64 : 32, v)));
    };
    Value x = op.getOperand();
    // Adding and taking away 1.5 2^52 rounds to an integer, half to even,
    // for |x| < 2^51; larger x are integers already.
    Value magic = fconst(f64 ? 0x1.8p52 : 0x1.8p23);
    Value t = ob.create<arith::SubFOp>(
        loc, ob.create<arith::AddFOp>(loc, x, magic), magic);
    Value bits = ob.create<arith::BitcastOp>(loc, intType, x);
    uint64_t sign = f64 ? 0x8000000000000000ull : 0x80000000ull;
    Value absBits = ob.create<arith::AndIOp>(loc, bits, iconst(sign - 1));
    Value absX = ob.create<arith::BitcastOp>(loc, type, absBits);
    Value small = ob.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, absX,
                                           fconst(f64 ? 0x1p51 : 0x1p22));
    Value r = ob.create<arith::SelectOp>(loc, small, t, x);
    // The sign of x, also on a zero (roundeven(-0.3) is -0).
    Value rBits = ob.create<arith::OrIOp>(
        loc, ob.create<arith::BitcastOp>(loc, intType, r),
        ob.create<arith::AndIOp>(loc, bits, iconst(sign)));
    op.replaceAllUsesWith(
        ob.create<arith::BitcastOp>(loc, type, rBits).getResult());
    op.erase();
  });
}

LogicalResult neuro::compileGPUModule(ModuleOp module,
                                      const GPUOptions &options,
                                      std::vector<GPUImage> &images) {
  MLIRContext *ctx = module.getContext();
  auto gpuModules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
  if (gpuModules.empty())
    return success();
  std::string libdevice = options.libdevice;
  Builder b(ctx);
  ArrayAttr link =
      libdevice.empty() ? ArrayAttr() : b.getStrArrayAttr({libdevice});
  SmallVector<Attribute> targets;
  for (const std::string &chip : options.chips) {
    auto target = NVVM::NVVMTargetAttr::getChecked(
        [&] { return module.emitError(); }, ctx, /*optLevel=*/3,
        llvm::StringRef("nvptx64-nvidia-cuda"), llvm::StringRef(chip),
        llvm::StringRef("+ptx80"), DictionaryAttr(), link,
        /*verifyTarget=*/true);
    if (!target)
      return failure();
    targets.push_back(target);
  }
  for (gpu::GPUModuleOp m : gpuModules) {
    m.setTargetsAttr(b.getArrayAttr(targets));
    avoidLibdevice(m);
  }

  PassManager pm(ctx);
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  device.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (failed(pm.run(module)))
    return failure();

  for (auto bin : llvm::make_early_inc_range(module.getOps<gpu::BinaryOp>())) {
    for (Attribute a : bin.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(a);
      GPUImage image;
      image.chip = cast<NVVM::NVVMTargetAttr>(object.getTarget()).getChip();
      image.ptx = object.getObject().getValue().str();
      // Math functions that only libdevice has stay external without it.
      size_t ext = image.ptx.find(".extern .func");
      if (ext != std::string::npos) {
        size_t nameAt = image.ptx.find("__nv_", ext);
        std::string name =
            nameAt == std::string::npos
                ? std::string("a device function")
                : image.ptx.substr(
                      nameAt, image.ptx.find_first_of("( \n", nameAt) - nameAt);
        return module.emitError()
               << "the GPU kernels call " << name
               << ", which needs CUDA's libdevice (nvvm/libdevice/"
                  "libdevice.10.bc): install the CUDA toolkit or set "
                  "NEURO_LIBDEVICE";
      }
      images.push_back(std::move(image));
    }
    bin.erase();
  }
  module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  return success();
}

OwningOpRef<ModuleOp> neuro::gpuKernelsForHost(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  OwningOpRef<ModuleOp> host = ModuleOp::create(module.getLoc());
  OpBuilder b = OpBuilder::atBlockEnd(host->getBody());
  std::vector<std::string> kernels;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
    for (Operation &op : gpuModule.getBody()->getOperations()) {
      if (auto fn = dyn_cast<func::FuncOp>(op)) {
        // Device functions (random draws) under names of their own: the
        // runtime's functions of the same names are the host's.
        auto copy = cast<func::FuncOp>(b.clone(*fn));
        copy.setName(("neuro_device_" + fn.getName()).str());
        continue;
      }
      auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
      if (!kernel)
        continue;
      auto fn = b.create<func::FuncOp>(kernel.getLoc(), kernel.getName(),
                                       kernel.getFunctionType());
      IRMapping map;
      kernel.getBody().cloneInto(&fn.getBody(), map);
      kernels.push_back(kernel.getName().str());
    }
  // One thread: thread 0 of one block of one.
  SmallVector<Operation *> gpuOps;
  host->walk([&](Operation *op) {
    if (isa<gpu::GlobalIdOp, gpu::BlockIdOp, gpu::ThreadIdOp, gpu::GridDimOp,
            gpu::BlockDimOp, gpu::ReturnOp>(op))
      gpuOps.push_back(op);
    if (auto call = dyn_cast<func::CallOp>(op))
      call.setCallee(("neuro_device_" + call.getCallee()).str());
  });
  for (Operation *op : gpuOps) {
    OpBuilder ob(op);
    if (isa<gpu::ReturnOp>(op)) {
      ob.create<func::ReturnOp>(op->getLoc());
    } else {
      bool id = isa<gpu::GlobalIdOp, gpu::BlockIdOp, gpu::ThreadIdOp>(op);
      Value v = ob.create<arith::ConstantIndexOp>(op->getLoc(), id ? 0 : 1);
      op->getResult(0).replaceAllUsesWith(v);
    }
    op->erase();
  }
  PassManager pm(ctx);
  buildLLVMLoweringPipeline(pm);
  if (failed(pm.run(*host)))
    return nullptr;

  // <kernel>_packed(args): the parameters are args[0], args[1], ...
  OpBuilder lb = OpBuilder::atBlockEnd(host->getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  for (const std::string &name : kernels) {
    auto kernel = host->lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!kernel)
      return nullptr;
    Location loc = kernel.getLoc();
    auto packed = lb.create<LLVM::LLVMFuncOp>(
        loc, name + "_packed",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr}));
    Block *entry = packed.addEntryBlock(lb);
    OpBuilder eb = OpBuilder::atBlockEnd(entry);
    SmallVector<Value> params;
    for (auto [i, type] :
         llvm::enumerate(kernel.getFunctionType().getParams())) {
      Value slot = eb.create<LLVM::GEPOp>(loc, ptr, ptr, entry->getArgument(0),
                                          ArrayRef<LLVM::GEPArg>{int32_t(i)});
      Value where = eb.create<LLVM::LoadOp>(loc, ptr, slot);
      params.push_back(eb.create<LLVM::LoadOp>(loc, type, where));
    }
    eb.create<LLVM::CallOp>(loc, kernel, params);
    eb.create<LLVM::ReturnOp>(loc, ValueRange{});
  }
  return host;
}
