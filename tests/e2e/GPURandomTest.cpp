//===- GPURandomTest.cpp - Device random streams equal the runtime's ------===//
//
// convert-kernels-to-gpu gives GPU kernels their own neuro_rt_uniform and
// neuro_rt_normal, built from arith and math ops. Compiled for the host,
// those functions must return the runtime's numbers bit for bit: the GPU
// then draws the same numbers as the CPU for every neuron and step.
//
//===----------------------------------------------------------------------===//

#include "neuro/Codegen/Pipeline.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/ABI.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace mlir;

namespace {

const char *kKernel = R"mlir(
func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64
func.func private @neuro_rt_normal(i64, i32, i64, i64) -> f64
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>,
                          %step: i64, %seed: i64, %begin: i64, %end: i64)
    attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : i32
  %lb = arith.index_cast %begin : i64 to index
  %ub = arith.index_cast %end : i64 to index
  scf.for %i = %lb to %ub step %c1 {
    %n = arith.index_cast %i : index to i64
    %u = func.call @neuro_rt_uniform(%seed, %c5, %n, %step)
        : (i64, i32, i64, i64) -> f64
    %g = func.call @neuro_rt_normal(%seed, %c5, %n, %step)
        : (i64, i32, i64, i64) -> f64
    %s = arith.addf %u, %g : f64
    memref.store %s, %state[%c0, %i] : memref<?x?xf64>
  }
  return
}
)mlir";

using Draw = double (*)(int64_t, int32_t, int64_t, int64_t);

TEST(GPURandom, DeviceFunctionsEqualTheRuntime) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  neuro::registerNeuroDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kKernel, &context);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  pm.addPass(neuro::createConvertKernelsToGPU());
  ASSERT_TRUE(succeeded(pm.run(*module)));

  // The device functions, moved into a host module under other names.
  OwningOpRef<ModuleOp> host = ModuleOp::create(UnknownLoc::get(&context));
  OpBuilder b = OpBuilder::atBlockEnd(host->getBody());
  int found = 0;
  for (auto gpuModule : module->getOps<gpu::GPUModuleOp>())
    for (auto fn : gpuModule.getOps<func::FuncOp>()) {
      auto copy = cast<func::FuncOp>(b.clone(*fn));
      copy.setName(("device_" + fn.getName()).str());
      ++found;
    }
  ASSERT_EQ(found, 2);
  PassManager lower(&context);
  neuro::buildLLVMLoweringPipeline(lower);
  ASSERT_TRUE(succeeded(lower.run(*host)));
  auto engine = ExecutionEngine::create(*host);
  ASSERT_TRUE(bool(engine)) << llvm::toString(engine.takeError());
  auto uniform = (*engine)->lookup("device_neuro_rt_uniform");
  auto normal = (*engine)->lookup("device_neuro_rt_normal");
  ASSERT_TRUE(bool(uniform) && bool(normal));
  Draw deviceUniform = reinterpret_cast<Draw>(*uniform);
  Draw deviceNormal = reinterpret_cast<Draw>(*normal);

  // Seeds and entities past 32 bits, streams, even and odd draws.
  const int64_t seeds[] = {0, 1, 12345, int64_t(0x123456789abcdefULL), -1};
  const int64_t entities[] = {0, 7, 4095, int64_t(1) << 33,
                              int64_t(0x7fffffffffffULL)};
  const int64_t draws[] = {0, 1, 2, 3, 1000, 99999, (int64_t(1) << 32) + 5};
  int compared = 0;
  for (int64_t seed : seeds)
    for (int32_t stream : {0, 3, 1 << 20})
      for (int64_t entity : entities)
        for (int64_t draw : draws) {
          double want = neuro_rt_uniform(seed, stream, entity, draw);
          double got = deviceUniform(seed, stream, entity, draw);
          ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0)
              << "uniform seed " << seed << " stream " << stream << " entity "
              << entity << " draw " << draw << ": " << got << " != " << want;
          double wantN = neuro_rt_normal(seed, stream, entity, draw);
          double gotN = deviceNormal(seed, stream, entity, draw);
          ASSERT_EQ(std::memcmp(&wantN, &gotN, sizeof wantN), 0)
              << "normal seed " << seed << " stream " << stream << " entity "
              << entity << " draw " << draw << ": " << gotN << " != " << wantN;
          ++compared;
        }
  EXPECT_EQ(compared, 5 * 3 * 5 * 7);
}

} // namespace
