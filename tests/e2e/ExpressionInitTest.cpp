//===- ExpressionInitTest.cpp - Per-neuron and per-synapse expressions ----===//
//
// Initial values, parameters, connection rules, weights and delays given by
// expressions of the neuron index (i, N), the pair (i, j, N_pre, N_post),
// the neurons' variables (x_pre, x_post: positions) and random draws
// (uniform, normal, lognormal, exponential). They are compiled into kernels
// that the runtime runs once when it builds the network.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

constexpr const char *kModels = R"(
neuron Cell {
  param x: um = 0 um
  param tau: ms = 10 ms
  state v: mV = 0 mV
  dv/dt = -v / tau
}
synapse S {
  weight w: mV
  post v: mV
  on pre { v += w }
}
)";

/// Parameters and states per neuron from its index: each neuron decays
/// with its own time constant, exactly.
TEST(ExpressionInit, PerNeuronParametersAndStatesFromTheIndex) {
  test::Compiled c(std::string(kModels) + R"(
network Line {
  dt = 0.1 ms
  P = 20 of Cell(x = i * 10 um, tau = 10 ms + i * 1 ms, v = 1 mV + 2 mV * i / N)
  run 5 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(c.state("P", "x", i), i * 10e-6);
    EXPECT_DOUBLE_EQ(c.state("P", "v", i), 1e-3 + 2e-3 * i / 20);
  }
  c.runAll();
  for (int i = 0; i < 20; ++i) {
    double v0 = 1e-3 + 2e-3 * i / 20, tau = 10e-3 + i * 1e-3;
    EXPECT_NEAR(c.state("P", "v", i), v0 * std::exp(-5e-3 / tau), 1e-12 * v0)
        << "neuron " << i;
  }
}

/// Values per neuron read the parameters set per neuron before them, in
/// declaration order (parameters first, then states).
TEST(ExpressionInit, ValuesReadPerNeuronParameters) {
  test::Compiled c(std::string(kModels) + R"(
network Chain {
  P = 4 of Cell(v = x * 1 mV / 1 um + tau / 1 ms * 1 mV, x = i * 2 um,
                tau = 5 ms + x / 1 um * 1 ms)
  run 1 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(c.state("P", "x", i), 2e-6 * i);
    EXPECT_DOUBLE_EQ(c.state("P", "tau", i), 5e-3 + 2e-3 * i);
    EXPECT_DOUBLE_EQ(c.state("P", "v", i), 2e-3 * i + (5e-3 + 2e-3 * i));
  }
}

/// Draws inside expressions: sample means and spreads of 20000 neurons
/// within 5 standard errors; the same seed gives the same values.
TEST(ExpressionInit, RandomDrawsHaveTheirDistributions) {
  std::string source = std::string(kModels) + R"(
neuron Four {
  state a: mV = 0 mV
  state b: mV = 0 mV
  state c: mV = 0 mV
  state d: mV = 0 mV
}
network Draws {
  seed = 7
  P = 20000 of Four(a = exponential(2 mV) + 0 mV, b = lognormal(1 mV, 0.5) * 1,
                    c = 1 mV + normal(0 mV, 3 mV), d = 2 * uniform(0 mV, 1 mV))
  run 0.1 ms
}
)";
  test::Compiled c(source);
  ASSERT_TRUE(c.ok) << c.text;
  const int n = 20000;
  auto moments = [&](const char *row, double &mean, double &sd,
                     bool log = false) {
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      double v = c.state("P", row, i) / 1e-3;
      if (log)
        v = std::log(v);
      s += v;
      s2 += v * v;
    }
    mean = s / n;
    sd = std::sqrt(s2 / n - mean * mean);
  };
  double mean, sd;
  moments("a", mean, sd); // exponential: mean 2, sd 2
  EXPECT_NEAR(mean, 2.0, 5 * 2.0 / std::sqrt(n));
  EXPECT_NEAR(sd, 2.0, 0.1);
  moments("b", mean, sd, true); // log of lognormal: N(0, 0.5)
  EXPECT_NEAR(mean, 0.0, 5 * 0.5 / std::sqrt(n));
  EXPECT_NEAR(sd, 0.5, 0.02);
  moments("c", mean, sd); // N(1, 3)
  EXPECT_NEAR(mean, 1.0, 5 * 3.0 / std::sqrt(n));
  EXPECT_NEAR(sd, 3.0, 0.1);
  moments("d", mean, sd); // U(0, 2): mean 1, sd 2 / sqrt(12)
  EXPECT_NEAR(mean, 1.0, 5 * 0.578 / std::sqrt(n));
  EXPECT_NEAR(sd, 2.0 / std::sqrt(12.0), 0.02);
  test::Compiled again(source);
  ASSERT_TRUE(again.ok) << again.text;
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(again.state("P", "b", i), c.state("P", "b", i));
}

/// `where` gives exactly the pairs it selects; positions give weights and
/// delays; each delay is round(delay / dt) steps.
TEST(ExpressionConnect, RingNeighboursWithDistanceWeightsAndDelays) {
  test::Compiled c(std::string(kModels) + R"(
network Ring {
  dt = 0.1 ms
  P = 30 of Cell(x = i * 35 um)
  connect P -> P with S(w = 1 mV * exp(-abs(x_pre - x_post) / 100 um))
      where abs(i - j) == 1 or abs(i - j) == N_pre - 1
      delay = abs(x_pre - x_post) / (0.1 m / 1 s) as R
  run 1 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  int r = c.sim->projectionIndex("R");
  ASSERT_EQ(c.sim->numSynapses(r), 60);
  std::vector<int32_t> delays = c.sim->synapseDelays(r);
  const rt::CSR &csr = c.sim->connectivity(r);
  int wRow = c.sim->synRowIndex(r, "w");
  std::vector<int> perTarget(30, 0);
  int wrapped = 0;
  for (int64_t s = 0; s < 60; ++s) {
    int j = csr.cols[size_t(s)];
    // The source is a ring neighbour of j; the distance fixes the delay.
    double w = c.sim->synapseState(r)(wRow, s);
    double dist = -100e-6 * std::log(w / 1e-3);
    int di = int(std::lround(dist / 35e-6));
    ASSERT_TRUE(di == 1 || di == 29) << "synapse " << s << " w " << w;
    EXPECT_EQ(delays[size_t(s)], std::lround(dist / 0.1 / 1e-4))
        << "synapse " << s;
    ++perTarget[size_t(j)];
    wrapped += di == 29;
  }
  for (int j = 0; j < 30; ++j)
    EXPECT_EQ(perTarget[size_t(j)], 2) << "target " << j;
  EXPECT_EQ(wrapped, 2); // 0 -> 29 and 29 -> 0
}

/// Delays given by expressions go with the fixed-degree rules too: each
/// synapse's delay is round(delay / dt) steps of its own expression.
TEST(ExpressionConnect, DelayExpressionsWithDegreeRules) {
  test::Compiled c(std::string(kModels) + R"(
network Degrees {
  dt = 0.1 ms
  P = 40 of Cell(x = i * 10 um)
  Q = 25 of Cell(x = i * 10 um)
  connect P -> Q with S(w = 1 mV) in_degree = 7
      delay = 1 ms + 2 * j * 0.1 ms as In
  connect P -> Q with S(w = 1 mV) out_degree = 3
      delay = max(normal(1.5 ms, 0.75 ms), 0.1 ms) as Out
  run 1 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  int in = c.sim->projectionIndex("In");
  ASSERT_EQ(c.sim->numSynapses(in), 25 * 7);
  std::vector<int32_t> delays = c.sim->synapseDelays(in);
  const rt::CSR &csr = c.sim->connectivity(in);
  std::vector<int> perTarget(25, 0);
  for (int64_t s = 0; s < 25 * 7; ++s) {
    int j = csr.cols[size_t(s)];
    ++perTarget[size_t(j)];
    EXPECT_EQ(delays[size_t(s)], 10 + 2 * j) << "synapse " << s;
  }
  for (int j = 0; j < 25; ++j)
    EXPECT_EQ(perTarget[size_t(j)], 7) << "target " << j;

  // Normal delays clipped at one step: at least 1 step, mean near 15.
  int out = c.sim->projectionIndex("Out");
  std::vector<int32_t> drawn = c.sim->synapseDelays(out);
  ASSERT_EQ(drawn.size(), size_t(40 * 3));
  double sum = 0;
  for (int32_t d : drawn) {
    EXPECT_GE(d, 1);
    sum += d;
  }
  EXPECT_NEAR(sum / double(drawn.size()), 15.3, 2.0);
}

/// p = exp(-|i - j| / 3): the number of synapses is binomial around the
/// sum of the probabilities; no self-connections with no_autapses.
TEST(ExpressionConnect, ProbabilityFromThePair) {
  test::Compiled c(std::string(kModels) + R"(
network Local {
  P = 300 of Cell
  connect P -> P with S(w = 1 mV) p = exp(-abs(i - j) / 3) no_autapses as L
  run 0.1 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  double mean = 0, var = 0;
  for (int i = 0; i < 300; ++i)
    for (int j = 0; j < 300; ++j)
      if (i != j) {
        double p = std::exp(-std::abs(i - j) / 3.0);
        mean += p;
        var += p * (1 - p);
      }
  int l = c.sim->projectionIndex("L");
  EXPECT_NEAR(double(c.sim->numSynapses(l)), mean, 5 * std::sqrt(var));
  const rt::CSR &csr = c.sim->connectivity(l);
  std::vector<int64_t> rows = c.sim->rowPointers(l);
  ASSERT_EQ(rows.size(), 301u);
  for (int64_t i = 0; i < 300; ++i)
    for (int64_t q = rows[size_t(i)]; q < rows[size_t(i) + 1]; ++q)
      ASSERT_NE(csr.cols[size_t(q)], i);
}

TEST(ExpressionInit, AnArgumentReadingItselfSaysTheModelShadowsTheNetwork) {
  test::Compiled c(std::string(kModels) + R"(
network Shadow {
  param tau: ms = 20 ms
  P = 3 of Cell(tau = tau * 2)
  run 1 ms
}
)");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.text.find("test.neuro:16:23: error: the value of 'tau' reads "
                        "'tau' itself: in the arguments of 'Cell', its own "
                        "names mean its variables, not the network's (rename "
                        "a network parameter 'tau' to use it here)"),
            std::string::npos)
      << c.text;
}

TEST(ExpressionConnect, ErrorsNameTheExpression) {
  test::Compiled c(std::string(kModels) + R"(
network Bad {
  P = 3 of Cell(x = i * 1 um, v = k * 1 mV, tau = i)
  Q = 3 of Cell(x = tau / 1 ms * 1 um, tau = 5 ms + i * 1 ms)
  connect P -> P with S(w = 1 mV) where i - j
  connect P -> P with S(w = 1 mV) p = i > j
  connect P -> P with S(w = x_pre / 1 um) delay = j * 1 mV
  connect P -> P with S(w = 1 mV) p = rand() * 0.5
  run 1 ms
}
)");
  EXPECT_FALSE(c.ok);
  for (const char *want :
       {"test.neuro:15:35: error: 'k' is not a constant: an initial value "
        "may only use numbers and parameters declared before it",
        "test.neuro:15:51: error: initial value has dimension 1 "
        "(dimensionless) but 'tau' is in s (time)",
        "test.neuro:16:21: error: 'tau' is set per neuron and declared after "
        "'x', so the value of 'x' cannot use it",
        "test.neuro:17:41: error: 'where' needs a truth value, such as "
        "abs(i - j) <= 2",
        "test.neuro:18:39: error: the connection probability p is a "
        "dimensionless number",
        "test.neuro:19:51: error: the delay must be a time",
        "test.neuro:19:29: error: initial value has dimension 1 "
        "(dimensionless) but 'w' is in V (voltage)",
        "test.neuro:20:39: error: a connection rule gives each pair one "
        "probability; random draws are not allowed in 'p' or 'where'"})
    EXPECT_NE(c.text.find(want), std::string::npos) << want << "\n" << c.text;
}

} // namespace

namespace {

/// A user function is inlined: a model that calls it evolves exactly as
/// one with the body written out; a call with constant arguments folds in
/// parameters.
TEST(Functions, InlineAsTheirBodiesAndFoldInParameters) {
  test::Compiled c(R"(
function sigmoid(x: mV, k: mV): 1 = 1 / (1 + exp(-x / k))
function rate(v: mV): Hz = 100 Hz * sigmoid(v + 50 mV, 2 mV)
neuron Called {
  param gain = sigmoid(0 mV, 1 mV) * 2
  state v: mV = -60 mV
  state r: Hz = 0 Hz
  dv/dt = (-45 mV - v) / 10 ms
  dr/dt = (rate(v) * gain - r) / 5 ms
}
neuron Written {
  state v: mV = -60 mV
  state r: Hz = 0 Hz
  dv/dt = (-45 mV - v) / 10 ms
  dr/dt = (100 Hz * (1 / (1 + exp(-(v + 50 mV) / 2 mV))) * 1 - r) / 5 ms
}
network F {
  A = 4 of Called(v = -60 mV + i * 5 mV)
  B = 4 of Written(v = -60 mV + i * 5 mV)
  run 20 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(c.state("A", "r", i), c.state("B", "r", i)) << i;
    EXPECT_GT(c.state("A", "r", i), 1.0);
  }
}

} // namespace
