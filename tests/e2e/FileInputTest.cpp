//===- FileInputTest.cpp - Connectivity and spike times from files --------===//
//
// `connect ... from "FILE"` builds exactly the listed synapses with their
// weights and delays, and `SpikeTimes(file = "FILE")` replays spikes, from
// CSV or .npy, paths relative to the model file. A spike crosses each
// synapse in exactly round(delay / dt) steps.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include "neuro/Runtime/Npy.h"

#include <cmath>
#include <filesystem>

using namespace neuro;
namespace fs = std::filesystem;

namespace {

class FileInputTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir =
        fs::temp_directory_path() /
        ("neuro-files-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
  }
  void TearDown() override { fs::remove_all(dir); }

  void write(const std::string &name, const std::string &text) {
    std::ofstream(dir / name) << text;
  }

  fs::path dir;
};

/// Delta synapses: each target's v jumps by w when the spike arrives.
constexpr const char *kModels = R"(
synapse Delta {
  weight w: mV
  post v: mV
  on pre { v += w }
}
neuron Sum {
  state v: mV = 0 mV
}
)";

TEST_F(FileInputTest, ListedSynapsesWithWeightsAndDelaysFromCsv) {
  // Source 0 spikes at 1 ms, source 1 at 2 ms (from an .npy written as
  // Neuro writes spike files); five synapses with delays that round to
  // 0, 3, 3, 12 and 25 steps.
  std::string err;
  ASSERT_TRUE(rt::writeSpikesNpy((dir / "data/in.npy").string(),
                                 {{0, 1e-3}, {1, 2e-3}}, err))
      << err;
  write("data/edges.csv", "pre,post,w,delay\n"
                          "1,4,0.5e-3,2.5e-3\n"
                          "0,0,1e-3,0\n"
                          "0,1,2e-3,0.3e-3\n"
                          "1,2,3e-3,0.26e-3\n"
                          "0,3,4e-3,1.2e-3\n");
  test::Compiled c(std::string(kModels) + R"(
network Listed {
  dt = 0.1 ms
  In = 2 of SpikeTimes(file = "data/in.npy")
  Out = 5 of Sum
  connect In -> Out with Delta from "data/edges.csv" as E
  run 6 ms
}
)",
                   (dir / "model.neuro").string());
  ASSERT_TRUE(c.ok) << c.text;
  int e = c.sim->projectionIndex("E");
  ASSERT_EQ(c.sim->numSynapses(e), 5);
  // Target n: source spike step s, delay d steps, weight w.
  struct Expect {
    int spikeStep, delay;
    double w;
  } expect[5] = {{10, 0, 1e-3},
                 {10, 3, 2e-3},
                 {20, 3, 3e-3},
                 {10, 12, 4e-3},
                 {20, 25, 0.5e-3}};
  for (int k = 0; k < 60; ++k) {
    c.step();
    for (int n = 0; n < 5; ++n) {
      double want =
          k >= expect[n].spikeStep + expect[n].delay ? expect[n].w : 0.0;
      ASSERT_EQ(c.state("Out", "v", n), want)
          << "target " << n << " after step " << k;
    }
  }
}

TEST_F(FileInputTest, NpyTableOfSynapsesAndCsvSpikeTimes) {
  // Unnamed columns: pre, post, weight.
  double edges[] = {0, 1, 1e-3, 1, 0, 2e-3, 1, 1, 5e-3};
  std::string err;
  ASSERT_TRUE(rt::writeNpyF64((dir / "edges.npy").string(), edges, {3, 3}, err))
      << err;
  write("spikes.csv", "i,t\n1,0.5e-3\n");
  test::Compiled c(std::string(kModels) + R"(
network Listed {
  dt = 0.1 ms
  In = 2 of SpikeTimes(file = "spikes.csv")
  Out = 2 of Sum
  connect In -> Out with Delta from "edges.npy" delay = 1 ms
  run 3 ms
}
)",
                   (dir / "model.neuro").string());
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  // Only source 1 spikes: targets 0 and 1 get 2 mV and 5 mV.
  EXPECT_EQ(c.state("Out", "v", 0), 2e-3);
  EXPECT_EQ(c.state("Out", "v", 1), 5e-3);
}

TEST_F(FileInputTest, BadFilesAreReportedAtTheFileName) {
  write("edges.csv", "pre,post\n0,7\n");
  write("weights.csv", "pre,post,w\n0,0,1e-3\n");
  write("delays.csv", "pre,post,delay\n0,0,1e-3\n");
  test::Compiled c(std::string(kModels) + R"(
network Bad {
  In = 2 of SpikeTimes(file = "missing.npy")
  A = 2 of Sum
  connect A -> A with Delta(w = 1 mV) from "edges.csv"
  connect A -> A with Delta(w = 1 mV) from "weights.csv"
  connect A -> A with Delta(w = 1 mV) from "edges.csv" p = 0.5
  connect A -> A with Delta(w = 1 mV) from "delays.csv" delay = 2 ms
  connect A -> A with Delta(w = 1 mV) from "weights.csv" no_autapses
  run 1 ms
}
)",
                   (dir / "bad.neuro").string());
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.text.find("bad.neuro:12:31: error: cannot read the spike "
                        "times: cannot open '"),
            std::string::npos)
      << c.text;
  EXPECT_NE(c.text.find("bad.neuro:14:44: error: edges.csv: row 1: post 7 is "
                        "not a neuron of the 2 of 'A'"),
            std::string::npos)
      << c.text;
  EXPECT_NE(c.text.find("bad.neuro:15:29: error: the file gives the weights; "
                        "'w' is set twice"),
            std::string::npos)
      << c.text;
  EXPECT_NE(c.text.find("bad.neuro:16:56: error: 'from' lists the synapses; a "
                        "connect from a file takes no rule"),
            std::string::npos)
      << c.text;
  // Options the file overrides or cannot honour are errors, not ignored.
  EXPECT_NE(c.text.find("bad.neuro:17:65: error: the file gives the delays; "
                        "remove the 'delay' option"),
            std::string::npos)
      << c.text;
  EXPECT_NE(c.text.find("bad.neuro:18:58: error: a connect from a file makes "
                        "exactly the synapses it lists: no_autapses does not "
                        "apply"),
            std::string::npos)
      << c.text;
}

} // namespace

namespace {

/// A Poisson source whose rate follows timed([0 Hz, 50 Hz, 10 Hz], 200 ms):
/// no spike in the first 200 ms, then the counts of each window within 5
/// standard deviations of 1000 neurons x rate x duration (the last value
/// holds after the table ends).
TEST(TimedInput, PoissonRateFollowsTheTable) {
  test::Compiled c(test::readStdlib("neurons/poisson.neuro") + R"(
network Stim {
  dt = 0.1 ms
  In = 1000 of PoissonSource(rate = timed([0 Hz, 50 Hz, 10 Hz], 200 ms))
  record spikes of In
  run 800 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  int64_t counts[3] = {0, 0, 0};
  for (const rt::SpikeRecord &s : c.sim->spikes(0)) {
    int64_t step = std::llround(s.t / 1e-4) - 1;
    counts[std::min<int64_t>(step / 2000, 2)]++;
  }
  EXPECT_EQ(counts[0], 0);
  double expect1 = 1000 * 50 * 0.2, expect2 = 1000 * 10 * 0.4;
  EXPECT_NEAR(double(counts[1]), expect1, 5 * std::sqrt(expect1));
  EXPECT_NEAR(double(counts[2]), expect2, 5 * std::sqrt(expect2));
}

} // namespace

/// A current per neuron from a CSV table (one column per neuron, in mV):
/// dv/dt = I / 1 s integrates the held values exactly.
TEST_F(FileInputTest, TimedCurrentPerNeuronFromCsv) {
  write("drive.csv", "a,b\n1,-2\n3,0.5\n");
  test::Compiled c(R"(
neuron Integrator {
  param I: mV = 0 mV
  state v: mV = 0 mV
  dv/dt = I / 1 s
}
network Drive {
  dt = 0.1 ms
  P = 2 of Integrator(I = timed("drive.csv", 1 ms, 1 mV))
  run 3 ms
}
)",
                   (dir / "drive.neuro").string());
  ASSERT_TRUE(c.ok) << c.text;
  double a = 0, b = 0;
  for (int k = 0; k < 30; ++k) {
    c.step();
    a += (k < 10 ? 1e-3 : 3e-3) * 1e-4;
    b += (k < 10 ? -2e-3 : 0.5e-3) * 1e-4;
    ASSERT_NEAR(c.state("P", "v", 0), a, 1e-15) << "step " << k;
    ASSERT_NEAR(c.state("P", "v", 1), b, 1e-15) << "step " << k;
  }
  EXPECT_EQ(c.state("P", "I", 1), 0.5e-3);
}

TEST_F(FileInputTest, TimedErrors) {
  write("three.csv", "a,b,c\n1,2,3\n");
  test::Compiled c(R"(
neuron Integrator {
  param I: mV = 0 mV
  state v: mV = 0 mV
  dv/dt = I / 1 s
}
network Drive {
  dt = 0.1 ms
  P = 2 of Integrator(I = timed([1 mV, 2 mV], 0.25 ms))
  Q = 2 of Integrator(I = timed("three.csv", 1 ms, 1 mV))
  R = 2 of Integrator(I = timed([1 mV, 2 Hz], 1 ms))
  S = 2 of Integrator(I = timed("three.csv", 1 ms))
  run 3 ms
}
)",
                   (dir / "errors.neuro").string());
  EXPECT_FALSE(c.ok);
  for (const char *want :
       {"errors.neuro:9:47: error: the interval of timed must be a whole "
        "number of steps (dt = 0.0001 s), got 0.00025 s (time)",
        "errors.neuro:10:33: error: 'three.csv' has 3 columns: give one, "
        "shared by all neurons, or one per neuron (2)",
        "errors.neuro:11:40: error: timed value has dimension Hz (frequency) "
        "but the parameter is in V (voltage)",
        "errors.neuro:12:27: error: the numbers of 'three.csv' are 1 "
        "(dimensionless) but the parameter is in V (voltage); give their "
        "unit, as in timed(\"three.csv\", every, 1 V)"})
    EXPECT_NE(c.text.find(want), std::string::npos) << want << "\n" << c.text;
}

/// values("FILE", UNIT): one parameter or initial value per neuron from a
/// table (the column named like the variable, or the only column).
TEST_F(FileInputTest, PerNeuronValuesFromFiles) {
  write("params.csv", "tau,I\n10,1\n20,2\n40,-1\n");
  write("v0.csv", "start\n0.5\n1.5\n2.5\n");
  test::Compiled c(R"(
neuron Leaky {
  param tau: ms = 10 ms
  param I: mV = 0 mV
  state v: mV = 0 mV
  dv/dt = (I - v) / tau
}
network Files {
  dt = 0.1 ms
  P = 3 of Leaky(tau = values("params.csv", 1 ms), I = values("params.csv", 1 mV),
                 v = values("v0.csv", 1 mV))
  run 5 ms
}
)",
                   (dir / "values.neuro").string());
  ASSERT_TRUE(c.ok) << c.text;
  const double tau[3] = {10e-3, 20e-3, 40e-3}, in[3] = {1e-3, 2e-3, -1e-3},
               v0[3] = {0.5e-3, 1.5e-3, 2.5e-3};
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(c.state("P", "tau", n), tau[n]);
    EXPECT_EQ(c.state("P", "v", n), v0[n]);
  }
  c.runAll();
  for (int n = 0; n < 3; ++n) {
    double want = in[n] + (v0[n] - in[n]) * std::exp(-5e-3 / tau[n]);
    EXPECT_NEAR(c.state("P", "v", n), want, 1e-12 * std::abs(want)) << n;
  }
  write("short.csv", "x\n1\n");
  test::Compiled bad(R"(
neuron Leaky {
  param tau: ms = 10 ms
  state v: mV = 0 mV
  dv/dt = -v / tau
}
network Files {
  P = 3 of Leaky(tau = values("short.csv", 1 ms))
  Q = 3 of Leaky(tau = values("params.csv", 1 mV))
  run 1 ms
}
)",
                     (dir / "bad.neuro").string());
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.text.find("bad.neuro:8:31: error: 'short.csv' has 1 values "
                          "for the 3 neurons of the population"),
            std::string::npos)
      << bad.text;
  EXPECT_NE(bad.text.find("bad.neuro:9:24: error: the numbers of "
                          "'params.csv' are V (voltage) but 'tau' is in s "
                          "(time)"),
            std::string::npos)
      << bad.text;
}
