//===- CompiledModelTest.cpp - compile() and sweeps without recompiling ---===//

#include "neuro/Codegen/Compiler.h"
#include "neuro/Runtime/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace neuro;
namespace fs = std::filesystem;

namespace {

// dv/dt = (10 mV - v) / tau from 0 mV crosses 5 mV after tau ln 2, and the
// crossing is seen at the end of its step: every 70 steps of 0.1 ms for
// tau = 10 ms (14 spikes in 100 ms), every 139 for 20 ms (7 spikes).
const char *kModel = R"(
neuron N {
  param tau: ms = 10 ms
  state v: mV = 0 mV
  dv/dt = (10 mV - v) / tau
  spike when v > 5 mV { v = 0 mV }
}
network Net {
  dt = 0.1 ms
  param tau0: ms = 10 ms
  P = 2 of N(tau = tau0)
  run 100 ms
}
)";

fs::path writeModel(const std::string &name, const std::string &text) {
  fs::path path = fs::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path;
}

int64_t spikes(const rt::ModelSpec &spec,
               std::function<void(rt::Simulator &)> before = nullptr) {
  rt::Simulator sim(spec);
  std::string err;
  EXPECT_TRUE(sim.build(err)) << err;
  if (before)
    before(sim);
  EXPECT_TRUE(sim.run(err)) << err;
  return sim.spikeCount(0);
}

TEST(CompiledModel, CompilesAFileWithTheOptionsGiven) {
  fs::path file = writeModel("neuro-compiled-model.neuro", kModel);
  std::string text;
  llvm::raw_string_ostream diag(text);
  CompileOptions options;
  auto model = compile(file.string(), options, diag);
  ASSERT_TRUE(model) << text;
  EXPECT_EQ(spikes(model->spec()), 2 * 14);
  EXPECT_FALSE(model->cacheHit());

  // A network constant given a value is compiled in.
  options.overrides = {{"tau0", "20 ms"}};
  auto slower = compile(file.string(), options, diag);
  ASSERT_TRUE(slower) << text;
  EXPECT_EQ(slower->compiledOverrides().count("tau0"), 1u);
  EXPECT_EQ(spikes(slower->spec()), 2 * 7);
  fs::remove(file);
}

TEST(CompiledModel, SweepsATunableParameterWithoutCompilingAgain) {
  fs::path file = writeModel("neuro-compiled-sweep.neuro", kModel);
  std::string text;
  llvm::raw_string_ostream diag(text);
  CompileOptions options;
  options.tunable = {"P.tau"};
  auto model = compile(file.string(), options, diag);
  ASSERT_TRUE(model) << text;
  // Each simulator of the sweep runs the same kernels with its own value.
  std::vector<int64_t> counts;
  for (double tau : {10e-3, 20e-3}) {
    counts.push_back(spikes(model->spec(), [&](rt::Simulator &sim) {
      int row = sim.rowIndex(0, "tau");
      ASSERT_GE(row, 0);
      rt::StateView state = sim.state(0);
      for (int64_t i = 0; i < state.cols; ++i)
        state(row, i) = tau;
      std::string err;
      ASSERT_TRUE(sim.rowsChanged(0, row, err)) << err;
    }));
  }
  EXPECT_EQ(counts, (std::vector<int64_t>{2 * 14, 2 * 7}));
  fs::remove(file);
}

TEST(CompiledModel, ReportsErrorsWithTheirPosition) {
  fs::path file =
      writeModel("neuro-compiled-bad.neuro", "neuron N {\n  state v: = 0\n}\n");
  std::string text;
  llvm::raw_string_ostream diag(text);
  EXPECT_FALSE(compile(file.string(), CompileOptions(), diag));
  EXPECT_NE(text.find("neuro-compiled-bad.neuro:2:12: error:"),
            std::string::npos)
      << text;
  fs::remove(file);
}

} // namespace
