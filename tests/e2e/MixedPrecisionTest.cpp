//===- MixedPrecisionTest.cpp - Float32 synapse rows in double runs -------===//
//
// --precision=mixed keeps the synapse rows in float32 and everything else
// in double. Its kernels widen each weight exactly, so a mixed run is the
// double run whose weights were rounded to float32 first, bit for bit; the
// network keeps 4 bytes per weight, not 8, until the host asks for the
// rows as doubles.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>

namespace {

using neuro::Precision;
using neuro::test::Compiled;

const char *kDriven = R"(
neuron Driven {
  param tau_m: ms = 10 ms
  state v: mV = uniform(0 mV, 10 mV)
  dv/dt = (12 mV - v) / tau_m
  spike when v > 10 mV { v = 0 mV }
}
neuron Target {
  param tau_m: ms = 10 ms
  state v: mV = 0 mV
  input I: mV
  dv/dt = (I - v) / tau_m
  spike when v > 6 mV { v = 0 mV }
}
synapse Exp {
  weight w: mV
  post state g: mV = 0 mV
  dg/dt = -g / 5 ms
  on pre { g += w }
  drives I = g
}
synapse STDP {
  param w_max: mV = 3 mV
  weight w: mV
  state a_pre: mV = 0 mV
  state a_post: mV = 0 mV
  post state g: mV = 0 mV
  dg/dt = -g / 5 ms
  da_pre/dt = -a_pre / 20 ms
  da_post/dt = -a_post / 20 ms
  on pre {
    g += w
    a_pre += 0.01 * w_max
    w = clip(w + a_post, 0 mV, w_max)
  }
  on post {
    a_post += -0.0105 * w_max
    w = clip(w + a_pre, 0 mV, w_max)
  }
  drives I = g
}
network Net {
  dt = 0.1 ms
  seed = 7
  A = 200 of Driven
  B = 100 of Target
  C = 50 of Target
  connect A -> B with Exp(w = uniform(0.1 mV, 1.5 mV)) p = 0.2 delay = uniform(0.5 ms, 2 ms)
  connect A -> C with STDP(w = uniform(0 mV, 3 mV)) p = 0.2
  record spikes of B
  record spikes of C
  run 300 ms
}
)";

bool isFloat(double x) { return double(float(x)) == x; }

/// Every value of the synapse rows of projection `j`.
std::vector<double> synapseRows(Compiled &c, int j) {
  neuro::rt::StateView rows = c.sim->synapseState(j);
  return std::vector<double>(rows.data, rows.data + rows.rows * rows.cols);
}

/// Spikes of population `pop` as (step, neuron) pairs.
std::vector<std::pair<int64_t, int32_t>> spikesOf(Compiled &c, int pop) {
  std::vector<std::pair<int64_t, int32_t>> out;
  for (const neuro::rt::SpikeRecord &s : c.sim->spikes(pop))
    out.push_back({std::llround(s.t / 1e-4), s.i});
  return out;
}

TEST(MixedPrecision, EqualsTheDoubleRunWithWeightsRoundedToFloat) {
  Compiled mixed(kDriven, "test.neuro", Precision::Mixed);
  ASSERT_TRUE(mixed.ok) << mixed.text;
  EXPECT_TRUE(mixed.spec.singleSynapses);
  EXPECT_FALSE(mixed.spec.singlePrecision);
  Compiled exact(kDriven, "test.neuro", Precision::Double);
  ASSERT_TRUE(exact.ok) << exact.text;
  EXPECT_FALSE(exact.spec.singleSynapses);

  // The static projection's weights: the double run's draws, rounded.
  std::vector<double> wide = synapseRows(exact, 0);
  std::vector<double> narrow = synapseRows(mixed, 0);
  ASSERT_EQ(wide.size(), narrow.size());
  ASSERT_GT(wide.size(), 3000u);
  size_t inexact = 0;
  for (size_t s = 0; s < wide.size(); ++s) {
    ASSERT_EQ(narrow[s], double(float(wide[s]))) << "synapse " << s;
    inexact += !isFloat(wide[s]);
  }
  EXPECT_GT(inexact, wide.size() / 2); // the draws are not float already

  // Round the double run's weights of the static projection; the plastic
  // one is left out (it rounds at every update).
  neuro::rt::StateView rows = exact.sim->synapseState(0);
  for (int64_t s = 0; s < rows.cols; ++s)
    rows(0, s) = double(float(rows(0, s)));
  std::string err;
  ASSERT_TRUE(exact.sim->run(2000, err)) << err;
  ASSERT_TRUE(mixed.sim->run(2000, err)) << err;
  int b = exact.sim->populationIndex("B");
  std::vector<std::pair<int64_t, int32_t>> want = spikesOf(exact, b);
  EXPECT_GT(want.size(), 100u);
  EXPECT_EQ(spikesOf(mixed, b), want);
  // The state of B, driven by the static projection only, bit for bit.
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(mixed.state("B", "v", i), exact.state("B", "v", i))
        << "neuron " << i;
}

TEST(MixedPrecision, PlasticWeightsStayFloatAndWithinTheirBounds) {
  Compiled mixed(kDriven, "test.neuro", Precision::Mixed);
  ASSERT_TRUE(mixed.ok) << mixed.text;
  std::vector<double> before = synapseRows(mixed, 1);
  mixed.runAll();
  EXPECT_GT(mixed.sim->spikeCount(mixed.sim->populationIndex("C")), 0);
  std::vector<double> after = synapseRows(mixed, 1);
  ASSERT_EQ(before.size(), after.size());
  size_t changed = 0;
  int64_t n = mixed.sim->numSynapses(1);
  for (int64_t s = 0; s < n; ++s) {
    double w = after[size_t(s)];
    ASSERT_TRUE(isFloat(w)) << "synapse " << s;
    ASSERT_GE(w, 0.0);
    ASSERT_LE(w, double(float(3e-3)));
    changed += w != before[size_t(s)];
  }
  EXPECT_GT(changed, size_t(n / 2));
  // The traces are synapse rows too, rounded at every store.
  for (double x : after)
    ASSERT_TRUE(isFloat(x) && std::isfinite(x));
}

TEST(MixedPrecision, KeepsFourBytesPerWeightUntilTheHostAsks) {
  Compiled mixed(kDriven, "test.neuro", Precision::Mixed);
  ASSERT_TRUE(mixed.ok) << mixed.text;
  Compiled exact(kDriven, "test.neuro", Precision::Double);
  ASSERT_TRUE(exact.ok) << exact.text;
  ASSERT_EQ(mixed.sim->numSynapses(), exact.sim->numSynapses());
  // Rows: w for the static projection; w, a_pre, a_post and _lastupdate
  // (the traces decay between events) for the plastic one.
  const auto &projs = mixed.spec.projections;
  ASSERT_EQ(projs[0].synRows.size(), 1u);
  ASSERT_EQ(projs[1].synRows.size(), 4u);
  int64_t values = mixed.sim->numSynapses(0) + 4 * mixed.sim->numSynapses(1);
  EXPECT_EQ(exact.sim->synapseBytes() - mixed.sim->synapseBytes(), 4 * values);
  // A double view of the plastic rows costs 8 bytes per value, kept (and
  // in step with the kernels) from then on.
  int64_t lean = mixed.sim->synapseBytes();
  synapseRows(mixed, 1);
  EXPECT_EQ(mixed.sim->synapseBytes(),
            lean + 8 * 4 * mixed.sim->numSynapses(1));
  // A write through it reaches the kernels, rounded.
  mixed.sim->synapseState(1)(0, 0) = 1e-3 + 1e-12;
  mixed.step();
  EXPECT_TRUE(isFloat(mixed.sim->synapseState(1)(0, 0)));
}

TEST(MixedPrecision, StepsOfPlasticSynapsesStopAtTwoToTheTwentyFour) {
  Compiled mixed(kDriven, "test.neuro", Precision::Mixed);
  ASSERT_TRUE(mixed.ok) << mixed.text;
  std::string err;
  EXPECT_FALSE(mixed.sim->run(neuro::rt::Simulator::kMaxSingleSteps + 1, err));
  EXPECT_EQ(err, "projection 'A_to_C' in mixed precision counts steps in "
                 "float32, exactly only up to step 16777216; this run would "
                 "reach step 16777217 (use double precision)");
  EXPECT_EQ(mixed.sim->currentStep(), 0);
}

TEST(MixedPrecision, SinglePrecisionKeepsNoDoubleSynapseRows) {
  Compiled single(kDriven, "test.neuro", Precision::Single);
  ASSERT_TRUE(single.ok) << single.text;
  Compiled mixed(kDriven, "test.neuro", Precision::Mixed);
  ASSERT_TRUE(mixed.ok) << mixed.text;
  EXPECT_TRUE(single.spec.singleSynapses);
  EXPECT_EQ(single.sim->synapseBytes(), mixed.sim->synapseBytes());
}

} // namespace
