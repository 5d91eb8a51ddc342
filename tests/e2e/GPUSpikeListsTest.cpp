//===- GPUSpikeListsTest.cpp - Spike lists from flags, in neuron order ----===//
//
// convert-kernels-to-gpu adds `neuro_spikes_count` and
// `neuro_spikes_compact` to a module with step kernels. Compiled for the
// host (as --target=cuda-emulated runs them), they must turn the flags of
// one ring slot of every population in their table into that slot's spike
// lists and counts, in neuron order, for populations of any size and any
// chunk size, and leave the other slots alone.
//
//===----------------------------------------------------------------------===//

#include "cuda/Driver.h"

#include "neuro/Codegen/GPU.h"
#include "neuro/Codegen/Pipeline.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/ABI.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"

#include "gtest/gtest.h"

using namespace mlir;
using neuro::rt::cuda::CUdeviceptr;
using neuro::rt::cuda::KernelArgs;

namespace {

const char *kKernel = R"mlir(
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>,
                          %step: i64, %seed: i64, %begin: i64, %end: i64)
    attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c1 = arith.constant 1 : index
  %one = arith.constant 1 : i8
  %lb = arith.index_cast %begin : i64 to index
  %ub = arith.index_cast %end : i64 to index
  scf.for %i = %lb to %ub step %c1 {
    memref.store %one, %spiked[%i] : memref<?xi8>
  }
  return
}
)mlir";

template <typename T> CUdeviceptr address(std::vector<T> &v) {
  return CUdeviceptr(reinterpret_cast<uintptr_t>(v.data()));
}

TEST(GPUSpikeLists, NeuronOrderForAnySizeAndChunk) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  neuro::registerNeuroDialects(registry);
  neuro::registerGPUDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kKernel, &context);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  pm.addPass(neuro::createConvertKernelsToGPU());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  OwningOpRef<ModuleOp> host = neuro::gpuKernelsForHost(*module);
  ASSERT_TRUE(host);
  auto engine = ExecutionEngine::create(*host);
  ASSERT_TRUE(bool(engine)) << llvm::toString(engine.takeError());
  auto count = (*engine)->lookup(NEURO_GPU_SPIKES_COUNT_KERNEL "_packed");
  auto compact = (*engine)->lookup(NEURO_GPU_SPIKES_COMPACT_KERNEL "_packed");
  ASSERT_TRUE(bool(count) && bool(compact));
  using Packed = void (*)(void **);

  // Populations of (size, neurons per chunk): one neuron, chunks that end
  // with the population or not, a chunk of one, none set and all set.
  const std::vector<std::pair<int64_t, int64_t>> pops = {
      {1, 64}, {64, 64}, {65, 64}, {200, 7}, {1000, 64}, {37, 1}, {50, 64}};
  const int64_t depth = 3, slot = 1;
  int64_t neurons = 0, chunks = 0;
  std::vector<int64_t> table;
  for (size_t p = 0; p < pops.size(); ++p) {
    auto [size, chunk] = pops[p];
    int64_t row[NEURO_GPU_SPIKES_COLUMNS];
    row[NEURO_GPU_SPIKES_SIZE] = size;
    row[NEURO_GPU_SPIKES_FLAGS] = depth * neurons;
    row[NEURO_GPU_SPIKES_LIST] = depth * neurons;
    row[NEURO_GPU_SPIKES_COUNT] = depth * int64_t(p);
    row[NEURO_GPU_SPIKES_CHUNK_BASE] = chunks;
    row[NEURO_GPU_SPIKES_CHUNK] = chunk;
    table.insert(table.end(), row, row + NEURO_GPU_SPIKES_COLUMNS);
    neurons += size;
    chunks += (size + chunk - 1) / chunk;
  }
  std::vector<int8_t> flags(size_t(depth * neurons), 1);
  std::vector<int32_t> lists(size_t(depth * neurons), -7);
  std::vector<int32_t> counts(size_t(depth) * pops.size(), -7);
  std::vector<int32_t> chunkCounts(size_t(chunks), -7);
  // Flags of the slot: a pseudo-random fifth of the neurons, except the
  // last two populations (none, all).
  std::vector<std::vector<int32_t>> expected(pops.size());
  uint32_t state = 12345;
  for (size_t p = 0; p < pops.size(); ++p) {
    int64_t size = pops[p].first;
    int64_t at = table[p * NEURO_GPU_SPIKES_COLUMNS + NEURO_GPU_SPIKES_FLAGS] +
                 slot * size;
    for (int64_t i = 0; i < size; ++i) {
      state = state * 1664525u + 1013904223u;
      bool set = p + 2 == pops.size()   ? false
                 : p + 1 == pops.size() ? true
                                        : (state >> 24) % 5 == 0;
      flags[size_t(at + i)] = set ? int8_t(1 + (state >> 8) % 100) : 0;
      if (set)
        expected[p].push_back(int32_t(i));
    }
  }

  KernelArgs a(NEURO_GPU_SPIKES_NUM_ARGS);
  a.buffer(address(flags), int64_t(flags.size()));
  a.buffer(address(lists), int64_t(lists.size()));
  a.buffer(address(counts), int64_t(counts.size()));
  a.buffer(address(chunkCounts), chunks);
  a.buffer(address(table), int64_t(table.size()));
  a.i64(int64_t(pops.size())).i64(slot);
  reinterpret_cast<Packed> (*count)(a.pointers());
  reinterpret_cast<Packed> (*compact)(a.pointers());

  for (size_t p = 0; p < pops.size(); ++p) {
    int64_t size = pops[p].first;
    const int64_t *row = table.data() + p * NEURO_GPU_SPIKES_COLUMNS;
    int64_t n = int64_t(expected[p].size());
    EXPECT_EQ(counts[size_t(row[NEURO_GPU_SPIKES_COUNT] + slot)], n)
        << "population " << p;
    for (int64_t s = 0; s < depth; ++s) {
      const int32_t *list =
          lists.data() + row[NEURO_GPU_SPIKES_LIST] + s * size;
      if (s != slot) {
        EXPECT_EQ(counts[size_t(row[NEURO_GPU_SPIKES_COUNT] + s)], -7);
        for (int64_t i = 0; i < size; ++i)
          ASSERT_EQ(list[i], -7) << "population " << p << " slot " << s;
        continue;
      }
      std::vector<int32_t> got(list, list + n);
      EXPECT_EQ(got, expected[p]) << "population " << p;
      for (int64_t i = n; i < size; ++i)
        ASSERT_EQ(list[i], -7) << "population " << p << " entry " << i;
    }
  }
}

} // namespace
