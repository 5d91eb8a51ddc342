//===- GPUKernelArgsTest.cpp - Launch parameters match the PTX kernels ----===//
//
// The GPU backend launches kernels with parameters packed by
// rt::cuda::KernelArgs (memref descriptors expanded field by field, every
// parameter 8 bytes) in the order of ABI.h (NEURO_GPU_*). The PTX the
// compiler emits must declare exactly those parameters for each kind of
// kernel, in that number and size.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"
#include "cuda/Driver.h"

#include "neuro/Codegen/CompileOptions.h"
#include "neuro/Codegen/GPU.h"
#include "neuro/Runtime/ABI.h"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace {

/// `.entry NAME(` to the list of its parameters' declarations.
std::map<std::string, std::vector<std::string>>
entryParams(const std::string &ptx) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(ptx);
  std::string line, current;
  std::regex entry(R"(^\.visible \.entry ([\w$]+)\()");
  std::regex param(
      R"(^\s*\.param (\.[a-z0-9]+)( \.ptr)?( \.align \d+)? [\w$]+)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, entry)) {
      current = m[1];
      out[current];
    } else if (!current.empty() && std::regex_search(line, m, param)) {
      out[current].push_back(m[1]);
    } else if (line.rfind(")", 0) == 0) {
      current.clear();
    }
  }
  return out;
}

/// The parameters of the kernels of CUBA's sm_90 PTX, with the
/// populations' kernels merged or not.
std::map<std::string, std::vector<std::string>> cubaParams(bool merge) {
  std::ifstream file(std::string(NEURO_SOURCE_DIR) + "/examples/cuba.neuro");
  std::stringstream source;
  source << file.rdbuf();
  std::string text;
  llvm::raw_string_ostream diagnostics(text);
  neuro::CompileOptions options;
  options.gpu.merge = merge;
  neuro::Compiler c(diagnostics, options);
  c.loadString("cuba.neuro", source.str());
  std::vector<neuro::GPUImage> images;
  bool compiled = c.parse() && c.check() && c.generate() && c.lowerToGPU() &&
                  c.compileGPU({}, images);
  EXPECT_TRUE(compiled) << text;
  EXPECT_EQ(images.size(), 2u);
  if (images.size() != 2)
    return {};
  EXPECT_EQ(images[0].chip, "sm_80");
  EXPECT_EQ(images[1].chip, "sm_90");
  return entryParams(images[1].ptx);
}

TEST(GPUKernelArgs, PackingMatchesTheEmittedKernels) {
  auto params = cubaParams(/*merge=*/false);
  auto merged = cubaParams(/*merge=*/true);

  using neuro::rt::cuda::KernelArgs;
  const neuro::rt::cuda::CUdeviceptr p = 0x1000;
  // neuro_step: state, spiked, step, seed, begin, end.
  KernelArgs step(NEURO_GPU_STEP_NUM_ARGS);
  step.matrix(p, 4, 3200).buffer(p, 3200).i64(0).i64(1).i64(0).i64(3200);
  // neuro_spikes_count and _compact: the flag, list and count rings, the
  // chunk counts, the table, the number of populations and the slot.
  KernelArgs spikes(NEURO_GPU_SPIKES_NUM_ARGS);
  spikes.buffer(p, 65 * 4000).buffer(p, 65 * 4000).buffer(p, 65 * 2);
  spikes.buffer(p, 63).buffer(p, 2 * NEURO_GPU_SPIKES_COLUMNS).i64(2).i64(0);
  // neuro_reset: spikes, state, step, seed, count.
  KernelArgs reset(NEURO_GPU_RESET_NUM_ARGS);
  reset.buffer(p, 3200).matrix(p, 4, 3200).i64(0).i64(1).buffer(p, 1);
  // neuro_deliver: spike ring, row pointers, stride, part, cols, syn,
  // post, pre, mods, step, seed, counts; delays, ring depth, list size,
  // row stride, first and end group.
  KernelArgs deliver(NEURO_GPU_DELIVER_NUM_ARGS);
  deliver.buffer(p, 65 * 3200).buffer(p, 3201).i64(1).i64(0).buffer(p, 10);
  deliver.matrix(p, 0, 10).matrix(p, 4, 3200).matrix(p, 4, 3200);
  deliver.buffer(p, 1).i64(0).i64(1).buffer(p, 65);
  deliver.buffer(p, 1).i64(65).i64(3200).i64(3201).i64(0).i64(1);
  // neuro_deliver_...$by_target: the first eleven, then synapses by target
  // (pointers, ids), each synapse's source and delay, the flag ring, its
  // depth, the list size and the number of targets.
  KernelArgs pull(NEURO_GPU_PULL_NUM_ARGS);
  pull.buffer(p, 65 * 3200).buffer(p, 3201).i64(1).i64(0).buffer(p, 10);
  pull.matrix(p, 0, 10).matrix(p, 4, 3200).matrix(p, 4, 3200);
  pull.buffer(p, 1).i64(0).i64(1);
  pull.buffer(p, 3201).buffer(p, 10).buffer(p, 10).buffer(p, 10);
  pull.buffer(p, 65 * 3200).i64(65).i64(3200).i64(3200);

  // neuro_merged_step_<g>: the state rows and flag rings of all
  // populations, step, seed, the table, members, slot; reset: the list
  // rings, state rows, count rings, step, seed, table, members, slot; a
  // member's
  // kernel: its info buffer.
  KernelArgs mergedStep(NEURO_GPU_MERGED_STEP_NUM_ARGS);
  mergedStep.buffer(p, 16000).buffer(p, 65 * 4000).i64(0).i64(1);
  mergedStep.buffer(p, 18).i64(2).i64(0);
  KernelArgs mergedReset(NEURO_GPU_MERGED_RESET_NUM_ARGS);
  mergedReset.buffer(p, 65 * 4000).buffer(p, 16000).buffer(p, 130);
  mergedReset.i64(0).i64(1).buffer(p, 20).i64(2).i64(0);
  KernelArgs member(1);
  member.buffer(p, NEURO_GPU_MEMBER_INFO_SIZE);
  // neuro_merged_deliver_<g>: the list rings, row pointers, targets,
  // synapse rows, state rows (post, pre), modulators, step, seed, count
  // rings, delays, depth, the table and members.
  KernelArgs mergedDeliver(NEURO_GPU_MERGED_DELIVER_NUM_ARGS);
  mergedDeliver.buffer(p, 65 * 4000).buffer(p, 12804).buffer(p, 319896);
  mergedDeliver.buffer(p, 0).buffer(p, 16000).buffer(p, 16000);
  mergedDeliver.buffer(p, 4).i64(0).i64(1).buffer(p, 130).buffer(p, 4).i64(65);
  mergedDeliver.buffer(p, 4 * 36).i64(4);

  std::map<std::string, size_t> expected = {
      {"neuro_step_CUBA_E", step.size()},
      {"neuro_step_CUBA_I", step.size()},
      {NEURO_GPU_SPIKES_COUNT_KERNEL, spikes.size()},
      {NEURO_GPU_SPIKES_COMPACT_KERNEL, spikes.size()},
      {"neuro_reset_CUBA_E", reset.size()},
      {"neuro_reset_CUBA_I", reset.size()},
      {"neuro_deliver_CUBA_E_to_E", deliver.size()},
      {"neuro_deliver_CUBA_E_to_I", deliver.size()},
      {"neuro_deliver_CUBA_I_to_E", deliver.size()},
      {"neuro_deliver_CUBA_I_to_I", deliver.size()},
      {"neuro_deliver_CUBA_E_to_E$by_target", pull.size()},
      {"neuro_deliver_CUBA_E_to_I$by_target", pull.size()},
      {"neuro_deliver_CUBA_I_to_E$by_target", pull.size()},
      {"neuro_deliver_CUBA_I_to_I$by_target", pull.size()}};
  EXPECT_EQ(step.size(), 16u);
  EXPECT_EQ(spikes.size(), 27u);
  // As many arguments as ABI.h names for each kind.
  std::string err;
  for (const KernelArgs *args : {&step, &spikes, &reset, &deliver, &pull})
    EXPECT_TRUE(args->check("kernel", err)) << err;
  EXPECT_FALSE(KernelArgs(NEURO_GPU_RESET_NUM_ARGS).check("reset", err));
  EXPECT_EQ(err, "kernel 'reset' takes 5 arguments, launched with 0");
  // Merged: the pull and spike lists kernels as before; the populations'
  // step and reset kernels are one each, and the projections' deliveries.
  std::map<std::string, size_t> expectedMerged = expected;
  for (const char *name :
       {"neuro_step_CUBA_E", "neuro_step_CUBA_I", "neuro_reset_CUBA_E",
        "neuro_reset_CUBA_I", "neuro_deliver_CUBA_E_to_E",
        "neuro_deliver_CUBA_E_to_I", "neuro_deliver_CUBA_I_to_E",
        "neuro_deliver_CUBA_I_to_I"}) {
    expectedMerged.erase(name);
    expectedMerged[std::string(name) + NEURO_GPU_MEMBER_SUFFIX] = member.size();
  }
  expectedMerged[NEURO_GPU_MERGED_PREFIX "step_0"] = mergedStep.size();
  expectedMerged[NEURO_GPU_MERGED_PREFIX "reset_1"] = mergedReset.size();
  expectedMerged[NEURO_GPU_MERGED_PREFIX "deliver_2"] = mergedDeliver.size();
  EXPECT_EQ(mergedStep.size(), 19u);
  EXPECT_EQ(mergedDeliver.size(), 54u);
  for (const KernelArgs *args : {&mergedStep, &mergedReset, &mergedDeliver})
    EXPECT_TRUE(args->check("kernel", err)) << err;

  for (auto [found, want] :
       {std::pair(&params, &expected), std::pair(&merged, &expectedMerged)}) {
    EXPECT_EQ(found->size(), want->size());
    for (auto &[name, count] : *want) {
      ASSERT_TRUE(found->count(name)) << name << " is not in the PTX";
      EXPECT_EQ((*found)[name].size(), count) << name;
      for (const std::string &type : (*found)[name])
        EXPECT_TRUE(type == ".u64" || type == ".b64")
            << name << " has a parameter of type " << type;
    }
  }
}

} // namespace
