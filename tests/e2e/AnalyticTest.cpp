//===- AnalyticTest.cpp - Compiled models against closed-form solutions ---===//
//
// Each test compiles a .neuro source through the whole pipeline (parse,
// check, neuro dialect, exact integration, kernels, JIT), steps the runtime
// one step at a time and compares states and spike times with the analytic
// solution of the model's equations.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <set>

#include <cmath>

using namespace neuro;
using neuro::test::Compiled;

namespace {

constexpr double kRelTol = 1e-12;

const char *kDrivenLIF = R"(
neuron LIF {
  param tau_m: ms = 20 ms
  param v_rest: mV = -40 mV     // above threshold: constant suprathreshold drive
  param v_th: mV = -50 mV
  param v_reset: mV = -70 mV
  state v: mV = v_reset
  dv/dt = (v_rest - v) / tau_m  unless refractory
  spike when v > v_th { v = v_reset }  refractory 2 ms
}
network One {
  dt = 0.1 ms
  N = 1 of LIF
  record spikes of N
  run 100 ms
}
)";

TEST(AnalyticLIF, MembraneFollowsExponentialAndSpikesAtRoundedUpCrossings) {
  Compiled c(kDrivenLIF);
  ASSERT_TRUE(c.ok) << c.text;
  const double tau = 20e-3, vRest = -40e-3, vTh = -50e-3, vReset = -70e-3,
               tRef = 2e-3, dt = 1e-4;
  // Crossing time from reset: v(t) = v_rest + (v_reset - v_rest) e^{-t/tau}.
  const double tCross = tau * std::log((vReset - vRest) / (vTh - vRest));
  const int64_t crossSteps = static_cast<int64_t>(std::ceil(tCross / dt));

  std::vector<double> expectedSpikes;
  double segmentStart = 0.0; // time the current free trajectory starts
  double firstRefEnd = -1.0;
  for (int k = 0; k < 1000; ++k) {
    c.step();
    double t = (k + 1) * dt;
    // The next spike is stamped at the first grid time past the crossing.
    double nextSpike = segmentStart + crossSteps * dt;
    if (std::abs(t - nextSpike) < dt / 2) {
      expectedSpikes.push_back(t);
      // Refractory for t_ref from the start of the spiking step (Brian2):
      // held at reset until t + t_ref - dt, free from there.
      segmentStart = t + tRef - dt;
      firstRefEnd = segmentStart;
      EXPECT_DOUBLE_EQ(c.state("N", "v", 0), vReset) << "reset at t = " << t;
      continue;
    }
    double v = c.state("N", "v", 0);
    if (t < segmentStart + dt / 2) { // refractory: held at reset
      EXPECT_DOUBLE_EQ(v, vReset) << "refractory at t = " << t;
      continue;
    }
    double expected =
        vRest + (vReset - vRest) * std::exp(-(t - segmentStart) / tau);
    ASSERT_NEAR(v, expected, kRelTol * std::abs(expected)) << "t = " << t;
  }
  ASSERT_GT(firstRefEnd, 0.0);
  const auto &spikes = c.sim->spikes(0);
  ASSERT_EQ(spikes.size(), expectedSpikes.size());
  ASSERT_EQ(spikes.size(), 4u); // 100 ms / (22 ms + 1.9 ms)
  for (size_t s = 0; s < spikes.size(); ++s) {
    EXPECT_NEAR(spikes[s].t, expectedSpikes[s], 1e-12) << "spike " << s;
    EXPECT_EQ(spikes[s].i, 0);
  }
  // The first crossing is 21.97 ms: stamped 22.0 ms.
  EXPECT_NEAR(spikes[0].t, 22.0e-3, 1e-12);
}

const char *kCoupled = R"(
neuron Src {
  param v_th: mV = -50 mV
  state v: mV = 0 mV                 // starts above threshold: spikes at once
  spike when v > v_th { v = -100 mV }
}
neuron LIF {
  param tau_m: ms = 20 ms
  param v_rest: mV = -65 mV
  state v: mV = v_rest
  input I: mV
  dv/dt = (v_rest - v + I) / tau_m
}
synapse ExpCurrent {
  param tau: ms = 5 ms
  weight w: mV
  post state g: mV = 0 mV
  dg/dt = -g / tau
  on pre { g += w }
  drives I = g
}
network Pair {
  dt = 0.1 ms
  S = 1 of Src
  T = 3 of LIF
  connect S -> T with ExpCurrent(w = 2 mV, tau = 5 ms) p = 1 delay = 0.3 ms
  run 50 ms
}
)";

TEST(AnalyticSynapse, CoupledExponentialCurrentMatchesClosedForm) {
  Compiled c(kCoupled);
  ASSERT_TRUE(c.ok) << c.text;
  const double tauM = 20e-3, tauS = 5e-3, w = 2e-3, vRest = -65e-3, dt = 1e-4;
  const int delay = 3;
  // The source spikes in step 0; the event arrives in step `delay`, after
  // that step's integration: g jumps at t0 = (delay + 1) dt.
  const double t0 = (delay + 1) * dt;
  for (int k = 0; k < 500; ++k) {
    c.step();
    double t = (k + 1) * dt;
    for (int i = 0; i < 3; ++i) {
      double g = c.state("T", "g_S_to_T", i);
      double v = c.state("T", "v", i);
      if (t < t0 - dt / 2) {
        EXPECT_EQ(g, 0.0) << "t = " << t;
        EXPECT_DOUBLE_EQ(v, vRest) << "t = " << t;
        continue;
      }
      double s = t - t0;
      double gExp = w * std::exp(-s / tauS);
      double uExp = w * tauS / (tauS - tauM) *
                    (std::exp(-s / tauS) - std::exp(-s / tauM));
      ASSERT_NEAR(g, gExp, kRelTol * gExp) << "t = " << t;
      ASSERT_NEAR(v - vRest, uExp, kRelTol * w) << "t = " << t;
    }
  }
  EXPECT_EQ(c.sim->spikeCount(0), 1);
  EXPECT_EQ(c.sim->numSynapses(), 3);
}

TEST(AnalyticSynapse, DeltaSynapseJumpsTheTargetStateThenItDecays) {
  Compiled c(R"(
neuron Src {
  state x: 1 = 1
  spike when x > 0 { x = 0 }
}
neuron LIF {
  param tau_m: ms = 20 ms
  state v: mV = -70 mV
  dv/dt = (-70 mV - v) / tau_m
}
synapse Delta {
  weight w: mV
  post v: mV
  on pre { v += w }
}
network D {
  dt = 0.1 ms
  S = 1 of Src
  T = 2 of LIF
  connect S -> T with Delta(w = 5 mV) p = 1 delay = 1 ms
  run 20 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  const double dt = 1e-4, tau = 20e-3;
  const double t0 = (10 + 1) * dt; // spike in step 0, delivered in step 10
  for (int k = 0; k < 200; ++k) {
    c.step();
    double t = (k + 1) * dt;
    for (int i = 0; i < 2; ++i) {
      double v = c.state("T", "v", i);
      double expected =
          t < t0 - dt / 2 ? -70e-3 : -70e-3 + 5e-3 * std::exp(-(t - t0) / tau);
      ASSERT_NEAR(v, expected, 1e-9 * 70e-3) << "t = " << t;
    }
  }
}

TEST(Delays, EverySynapseDeliversAfterExactlyItsOwnDelay) {
  // One spike at step 0 reaches 200 targets through synapses whose delays
  // are drawn from uniform(0.5 ms, 3 ms); each target jumps in the step
  // round(delay / dt) of its synapse.
  Compiled c(R"(
neuron Src { state x: 1 = 1  spike when x > 0 { x = 0 } }
neuron T { state v: mV = 0 mV }
synapse D { weight w: mV = 1 mV  post v: mV  on pre { v += w } }
network H {
  dt = 0.1 ms
  S = 1 of Src
  P = 200 of T
  connect S -> P with D p = 1 delay = uniform(0.5 ms, 3 ms)
  run 4 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  const auto &delays = c.sim->synapseDelays(0);
  const auto &cols = c.sim->connectivity(0).cols;
  ASSERT_EQ(delays.size(), 200u);
  std::vector<int> delayOfTarget(200, -1);
  std::set<int> distinct;
  for (size_t s = 0; s < cols.size(); ++s) {
    delayOfTarget[size_t(cols[s])] = delays[s];
    distinct.insert(delays[s]);
    EXPECT_GE(delays[s], 5);
    EXPECT_LE(delays[s], 30);
  }
  EXPECT_GT(distinct.size(), 20u); // really heterogeneous
  for (int k = 0; k < 40; ++k) {
    c.step();
    for (int j = 0; j < 200; ++j) {
      double expected = k >= delayOfTarget[size_t(j)] ? 1e-3 : 0.0;
      ASSERT_EQ(c.state("P", "v", j), expected)
          << "target " << j << " step " << k;
    }
  }
}

TEST(Slices, ProjectionsConnectOnlyTheirSlices) {
  Compiled c(R"(
neuron N { state v: mV = 0 mV }
synapse S { weight w: mV = 1 mV  post v: mV  on pre { v += w } }
network X {
  P = 40 of N
  connect P[0:10] -> P[20:30] with S one_to_one
  connect P[30:40] -> P[0:5] with S p = 1
  run 1 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  const auto &a = c.sim->connectivity(0);
  std::vector<int64_t> aRows = c.sim->rowPointers(0);
  ASSERT_EQ(aRows.size(), 41u);
  for (int64_t i = 0; i < 40; ++i) {
    int64_t n = aRows[size_t(i) + 1] - aRows[size_t(i)];
    ASSERT_EQ(n, i < 10 ? 1 : 0) << "source " << i;
    if (n) {
      EXPECT_EQ(a.cols[size_t(aRows[size_t(i)])], i + 20);
    }
  }
  const auto &b = c.sim->connectivity(1);
  std::vector<int64_t> bRows = c.sim->rowPointers(1);
  ASSERT_EQ(bRows.size(), 41u);
  EXPECT_EQ(b.numSynapses(), 10 * 5);
  for (int64_t i = 0; i < 40; ++i)
    for (int64_t s = bRows[size_t(i)]; s < bRows[size_t(i) + 1]; ++s) {
      EXPECT_GE(i, 30);
      EXPECT_LT(b.cols[size_t(s)], 5);
    }
}

/// The post states of synapse `synapse` (imported from the library) after
/// one spike at t = dt, against `closedForm(s)` (s: time since the jump).
void checkSynapseKinetics(const std::string &synapse,
                          double (*closedForm)(double)) {
  Compiled c("import std.synapses." + synapse + R"(
neuron Src { state x: 1 = 1  spike when x > 0 { x = 0 } }
neuron T {
  state v: mV = 0 mV
  input I: mV
  dv/dt = (I - v) / 1 s
}
network K {
  dt = 0.1 ms
  S = 1 of Src
  P = 1 of T
  connect S -> P with )" +
             synapse + R"((w = 2 mV)
  run 30 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  double peak = 0;
  for (int k = 0; k < 300; ++k) {
    c.step();
    double s = k * 1e-4; // the event arrives at the end of step 0
    double g = c.state("P", "g_S_to_P", 0);
    ASSERT_NEAR(g, closedForm(s), 1e-12) << synapse << " t = " << s;
    peak = std::max(peak, g);
  }
  EXPECT_NEAR(peak, 2e-3, 2e-3 * 1e-3) << synapse; // peak w (to the grid)
}

TEST(SynapseLibrary, AlphaAndBiexponentialKineticsPeakAtW) {
  checkSynapseKinetics("AlphaCurrent", [](double s) {
    const double tau = 2e-3, w = 2e-3;
    return w * std::exp(1.0) * s / tau * std::exp(-s / tau);
  });
  checkSynapseKinetics("BiexpCurrent", [](double s) {
    const double tr = 1e-3, td = 5e-3, w = 2e-3;
    double tp = tr * td / (td - tr) * std::log(td / tr);
    double norm = 1 / (std::exp(-tp / td) - std::exp(-tp / tr));
    return w * norm * (std::exp(-s / td) - std::exp(-s / tr));
  });
}

TEST(SpikeTimes, SpikesAreEmittedInTheirStepAndDelivered) {
  // A spike at time t is emitted in step round(t / dt) (stamped one dt
  // later, the end of that step) and reaches its targets delay steps on.
  Compiled c(R"(
neuron T { state v: mV = 0 mV }
synapse D { weight w: mV = 1 mV  post v: mV  on pre { v += w } }
network G {
  dt = 0.1 ms
  S = 3 of SpikeTimes(indices = [2, 0, 1, 0], times = [3 ms, 1 ms, 2 ms, 10 ms])
  P = 1 of T
  connect S -> P with D delay = 0.5 ms
  record spikes of S
  run 20 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  std::vector<double> jumps;
  double last = 0.0;
  for (int k = 0; k < 200; ++k) {
    c.step();
    double v = c.state("P", "v", 0);
    if (v != last)
      jumps.push_back(k);
    last = v;
  }
  // Steps 10, 20, 30, 100, plus 5.
  EXPECT_EQ(jumps, (std::vector<double>{15, 25, 35, 105}));
  const auto &spikes = c.sim->spikes(0);
  ASSERT_EQ(spikes.size(), 4u);
  EXPECT_EQ(spikes[0].i, 0);
  EXPECT_NEAR(spikes[0].t, 1.1e-3, 1e-15);
  EXPECT_EQ(spikes[3].i, 0);
  EXPECT_NEAR(spikes[3].t, 10.1e-3, 1e-15);
}

TEST(SpikeTimes, TwoSpikesOfANeuronInOneStepAreRefused) {
  // As in Brian2's SpikeGeneratorGroup: not merged into one spike.
  Compiled c(R"(
neuron T { state v: mV = 0 mV }
network G {
  dt = 0.1 ms
  S = 3 of SpikeTimes(indices = [2, 0, 1, 0, 0], times = [3 ms, 1 ms, 2 ms, 10 ms, 1.04 ms])
  run 20 ms
}
)");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.text.find("test.neuro:5:84: error: neuron 0 spikes twice in "
                        "step 10 (t = 0.001 s and 0.00104 s)"),
            std::string::npos)
      << c.text;
}

TEST(StateMonitor, SamplesTheStartOfEveryKthStep) {
  // v(t) = -40 mV - 30 mV e^{-t/tau} before the first spike (21.97 ms):
  // samples at t = 0, 1, ..., 20 ms of neurons 1 and 2 of 4.
  Compiled c(R"(
neuron LIF {
  param tau_m: ms = 20 ms
  state v: mV = -70 mV
  dv/dt = (-40 mV - v) / tau_m
  spike when v > -50 mV { v = -70 mV }
}
network M {
  dt = 0.1 ms
  P = 4 of LIF
  record v of P[1:3] every 1 ms
  run 21 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  const auto &t = c.sim->stateSampleTimes(0);
  const auto &v = c.sim->stateSamples(0);
  ASSERT_EQ(t.size(), 21u);
  ASSERT_EQ(v.size(), 21u * 2);
  for (size_t s = 0; s < t.size(); ++s) {
    EXPECT_NEAR(t[s], s * 1e-3, 1e-15);
    double expected = -40e-3 - 30e-3 * std::exp(-t[s] / 20e-3);
    for (int n = 0; n < 2; ++n)
      EXPECT_NEAR(v[s * 2 + n], expected, kRelTol * 70e-3) << "sample " << s;
  }
}

TEST(Heterogeneity, PerNeuronParametersGiveEachNeuronItsOwnCrossing) {
  Compiled c(R"(
neuron LIF {
  param tau_m: ms = 20 ms
  param v_rest: mV = -40 mV
  param v_th: mV = -50 mV
  state v: mV = -70 mV
  dv/dt = (v_rest - v) / tau_m
  spike when v > v_th { v = -70 mV } refractory 2 ms
}
network H {
  dt = 0.1 ms
  seed = 4
  P = 200 of LIF(tau_m = uniform(10 ms, 30 ms), v_th = normal(-50 mV, 1 mV))
  record spikes of P
  run 20 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  // Every neuron keeps its own drawn values as rows.
  std::vector<double> tau(200), th(200);
  for (int i = 0; i < 200; ++i) {
    tau[i] = c.state("P", "tau_m", i);
    th[i] = c.state("P", "v_th", i);
    ASSERT_GE(tau[i], 10e-3);
    ASSERT_LT(tau[i], 30e-3);
  }
  EXPECT_NE(tau[0], tau[1]);
  std::vector<double> first(200, -1.0);
  for (int k = 0; k < 200; ++k) {
    c.step();
    for (int32_t i : c.sim->spikesAtStep(0, k))
      if (first[i] < 0)
        first[i] = (k + 1) * 1e-4;
  }
  int checked = 0;
  for (int i = 0; i < 200; ++i) {
    if (th[i] >= -40e-3)
      continue; // unreachable threshold
    double crossing = tau[i] * std::log(30e-3 / (-40e-3 - th[i]));
    double stamp = std::ceil(crossing / 1e-4 - 1e-9) * 1e-4;
    if (stamp > 20e-3) {
      EXPECT_LT(first[i], 0.0) << "neuron " << i;
      continue;
    }
    EXPECT_NEAR(first[i], stamp, 1e-12) << "neuron " << i;
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

/// A growing exponential (x grows by e^10 per step) that overflows to inf.
const char *kGrowing = R"(
neuron Grow {
  param tau: ms = 0.1 ms
  state x: 1 = 1
  dx/dt = x / tau
}
network Boom {
  dt = 1 ms
  G = 2 of Grow
  run 1 s
}
)";

TEST(AnalyticSynapse, NumericalBlowUpNamesPopulationNeuronAndVariable) {
  // The run must stop and say where.
  Compiled c(kGrowing);
  ASSERT_TRUE(c.ok) << c.text;
  std::string err;
  EXPECT_FALSE(c.sim->run(err));
  EXPECT_NE(err.find("population 'G', neuron 0, variable 'x' is inf"),
            std::string::npos)
      << err;
}

/// Whether `x` is a float32 value.
bool isFloat(double x) { return double(float(x)) == x; }

/// --precision=single: the same closed form, within the rounding of
/// float32 arithmetic. Each step multiplies by propagators rounded to
/// float32 (relative error up to 2^-24 each), so after k steps the error
/// is at most a few k 2^-24 relative: 1e-4 of w bounds 500 steps.
TEST(SinglePrecision, CoupledExponentialCurrentWithinFloat32Rounding) {
  Compiled c(kCoupled, "test.neuro", Precision::Single);
  ASSERT_TRUE(c.ok) << c.text;
  EXPECT_TRUE(c.spec.singlePrecision);
  const double tauM = 20e-3, tauS = 5e-3, w = 2e-3, vRest = -65e-3, dt = 1e-4;
  const double t0 = 4 * dt;
  double worst = 0;
  for (int k = 0; k < 500; ++k) {
    c.step();
    double t = (k + 1) * dt;
    for (int i = 0; i < 3; ++i) {
      double g = c.state("T", "g_S_to_T", i);
      double v = c.state("T", "v", i);
      // The state the host sees holds the kernels' float32 values.
      ASSERT_TRUE(isFloat(g) && isFloat(v)) << "t = " << t;
      if (t < t0 - dt / 2) {
        EXPECT_EQ(g, 0.0);
        EXPECT_EQ(v, double(float(vRest)));
        continue;
      }
      double s = t - t0;
      double gExp = w * std::exp(-s / tauS);
      double uExp = w * tauS / (tauS - tauM) *
                    (std::exp(-s / tauS) - std::exp(-s / tauM));
      ASSERT_NEAR(g, gExp, 1e-4 * w) << "t = " << t;
      ASSERT_NEAR(v - vRest, uExp, 1e-4 * w) << "t = " << t;
      worst = std::max(worst, std::abs(v - vRest - uExp));
    }
  }
  // Not double precision in disguise: the float32 error shows.
  EXPECT_GT(worst, 1e-12 * w);
  EXPECT_EQ(c.sim->spikeCount(0), 1);
}

TEST(SinglePrecision, LIFSpikesInTheSameStepsAsTheClosedForm) {
  Compiled c(kDrivenLIF, "test.neuro", Precision::Single);
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  // Crossings 21.97 ms after each reset, refractory 2 ms: spikes at 22.0,
  // 45.9, 69.8 and 93.7 ms, as in double precision.
  const auto &spikes = c.sim->spikes(0);
  ASSERT_EQ(spikes.size(), 4u);
  const double expected[] = {22.0e-3, 45.9e-3, 69.8e-3, 93.7e-3};
  for (size_t s = 0; s < spikes.size(); ++s)
    EXPECT_NEAR(spikes[s].t, expected[s], 1e-9) << "spike " << s;
}

TEST(SinglePrecision, HostWritesReachTheKernelsAndOverflowIsNamed) {
  Compiled c(kGrowing, "test.neuro", Precision::Single);
  ASSERT_TRUE(c.ok) << c.text;
  // x grows by e^10 a step: a value set through state() is the one the
  // next step starts from.
  int p = c.sim->populationIndex("G");
  c.sim->state(p)(c.sim->rowIndex(p, "x"), 1) = 0.5;
  c.step();
  EXPECT_NEAR(c.state("G", "x", 0), std::exp(10.0), 1e-6 * std::exp(10.0));
  EXPECT_NEAR(c.state("G", "x", 1), 0.5 * std::exp(10.0),
              1e-6 * std::exp(10.0));
  // float32 overflows after 9 steps (e^90 > 3.4e38); the check names it.
  std::string err;
  EXPECT_FALSE(c.sim->run(err));
  EXPECT_NE(err.find("population 'G', neuron 0, variable 'x' is inf"),
            std::string::npos)
      << err;
  EXPECT_LE(c.sim->currentStep(), 100);
}

TEST(SinglePrecision, StepsStopAtTwoToTheTwentyFour) {
  Compiled c(kDrivenLIF, "test.neuro", Precision::Single);
  ASSERT_TRUE(c.ok) << c.text;
  std::string err;
  EXPECT_FALSE(c.sim->run(rt::Simulator::kMaxSingleSteps + 1, err));
  EXPECT_NE(err.find("a single precision run counts steps in float32, "
                     "exactly only up to step 16777216; this run would "
                     "reach step 16777217"),
            std::string::npos)
      << err;
  EXPECT_EQ(c.sim->currentStep(), 0);
}

TEST(Compile, ErrorsAreReportedNotCrashed) {
  Compiled c("neuron N { state v: mV = 1 ms }");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.text.find("test.neuro:1:26: error: initial value has dimension "
                        "s (time) but 'v' is in V (voltage)"),
            std::string::npos)
      << c.text;
}

} // namespace

namespace {

/// Exact integration with a time constant per neuron (one propagator per
/// neuron, computed when the network is built): a membrane driven by a
/// decaying current, v(t) = R I0 tau_s / (tau_s - tau_m)
/// (e^(-t/tau_s) - e^(-t/tau_m)), to 1e-12 relative for every neuron,
/// with SI coefficients as large as R / tau_m = 1e10.
TEST(PerNeuronExact, CoupledLinearSystemWithTimeConstantsPerNeuron) {
  test::Compiled c(R"(
neuron Cell {
  param tau_m: ms = 20 ms
  param tau_s: ms = 5 ms
  param R: Mohm = 100 Mohm
  state v: mV = 0 mV
  state I: nA = 0.1 nA
  dv/dt = (-v + R * I) / tau_m
  dI/dt = -I / tau_s
}
network PerNeuron {
  dt = 0.1 ms
  P = 8 of Cell(tau_m = 10 ms + i * 5 ms, tau_s = uniform(2 ms, 8 ms))
  run 30 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  std::vector<double> tauS(8);
  for (int n = 0; n < 8; ++n)
    tauS[size_t(n)] = c.state("P", "tau_s", n);
  for (int k = 1; k <= 300; ++k) {
    c.step();
    double t = k * 1e-4;
    for (int n = 0; n < 8; ++n) {
      double tm = 10e-3 + n * 5e-3, ts = tauS[size_t(n)];
      double want = 1e8 * 1e-10 * ts / (ts - tm) *
                    (std::exp(-t / ts) - std::exp(-t / tm));
      ASSERT_NEAR(c.state("P", "v", n), want, 1e-12 * 1e-2)
          << "neuron " << n << ", step " << k;
      ASSERT_NEAR(c.state("P", "I", n), 1e-10 * std::exp(-t / ts),
                  1e-12 * 1e-10)
          << "neuron " << n << ", step " << k;
    }
  }
}

/// A per-neuron time constant of 0 makes the exact propagator infinite:
/// the network is not built, and the error names the neuron.
TEST(PerNeuronExact, NonFinitePropagatorIsReportedWhenBuilt) {
  test::Compiled c(R"(
neuron Cell {
  param tau_m: ms = 20 ms
  state v: mV = 1 mV
  state I: nA = 0.1 nA
  dv/dt = (-v + 100 Mohm * I) / tau_m
  dI/dt = -I / 5 ms
}
network Zero {
  P = 2 of Cell(tau_m = i * 10 ms)
  run 1 ms
}
)");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.text.find("population 'P', neuron 0: the exact propagator of "
                        "its equations is not finite"),
            std::string::npos)
      << c.text;
}

} // namespace
