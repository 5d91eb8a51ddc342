//===- SynapseTest.cpp - Continuous synapses, modulators and plasticity ---===//
//
// Synapses that act every step rather than at spikes: gap junctions (a drive
// summed over the synapses onto each target, reading both neurons), NMDA
// (a nonlinear per-synapse state and a magnesium block reading the target's
// voltage) and reward-modulated STDP (a weight equation driven by a
// modulator broadcast from a population). Each is checked against the
// recursion the kernels implement (to rounding) and against the continuous
// solution.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

using test::readStdlib;

constexpr double kDt = 1e-4;

/// Two cells joined both ways by GapJunction(w): with v_A(0) = 10 mV and
/// v_B(0) = 0, the difference d = v_A - v_B decays with (1 + 2w) / tau and
/// the sum with 1 / tau. The drive is the coupling at the start of each
/// step, held over the step, which the exact propagator of dv/dt =
/// (-v + I) / tau then integrates: d' = (2P - 1 - 2w (1 - P) + ...) exactly
/// as below.
TEST(GapJunction, CouplesTwoCellsAsTheStepRecursionAndTheContinuousSolution) {
  constexpr double kTau = 10e-3, kW = 0.5, kV0 = 10e-3;
  test::Compiled c(readStdlib("synapses/gap_junction.neuro") + R"(
neuron Cell {
  param tau: ms = 10 ms
  state v: mV = 0 mV
  input I: mV
  dv/dt = (-v + I) / tau
}
network Gap {
  dt = 0.1 ms
  A = 1 of Cell(v = 10 mV)
  B = 1 of Cell
  connect A -> B with GapJunction(w = 0.5)
  connect B -> A with GapJunction(w = 0.5)
  run 20 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  double p = std::exp(-kDt / kTau);
  double a = kV0, b = 0.0;
  for (int k = 1; k <= 200; ++k) {
    c.step();
    double ia = kW * (b - a), ib = kW * (a - b);
    a = p * a + (1 - p) * ia;
    b = p * b + (1 - p) * ib;
    double va = c.state("A", "v", 0), vb = c.state("B", "v", 0);
    ASSERT_NEAR(va, a, 1e-12 * kV0) << "step " << k;
    ASSERT_NEAR(vb, b, 1e-12 * kV0) << "step " << k;
    // The continuous solution, to the O(dt) error of holding the drive.
    double t = k * kDt;
    double d = kV0 * std::exp(-(1 + 2 * kW) * t / kTau);
    double s = kV0 * std::exp(-t / kTau);
    EXPECT_NEAR(va - vb, d, 0.02 * kV0) << "t = " << t;
    EXPECT_NEAR(va + vb, s, 1e-12 * kV0) << "t = " << t;
  }
  // The sum row the target reads holds the drive of the last step.
  EXPECT_NEAR(c.state("B", "I_A_to_B", 0),
              kW * (c.state("A", "v", 0) - c.state("B", "v", 0)), 0.02 * kV0);
}

/// dx/dt = -x / tau_r, ds/dt = -s / tau_d + alpha x (1 - s) from x = 1,
/// s = 0, by RK4 with a step far below dt: the reference for NMDA's s.
std::vector<double> nmdaReference(int steps) {
  constexpr double kTauR = 2e-3, kTauD = 100e-3, kAlpha = 500.0;
  constexpr int kSub = 100;
  double h = kDt / kSub, x = 1.0, s = 0.0;
  std::vector<double> out{s};
  auto f = [&](double x, double s, double &dx, double &ds) {
    dx = -x / kTauR;
    ds = -s / kTauD + kAlpha * x * (1 - s);
  };
  for (int k = 0; k < steps * kSub; ++k) {
    double x1, s1, x2, s2, x3, s3, x4, s4;
    f(x, s, x1, s1);
    f(x + h / 2 * x1, s + h / 2 * s1, x2, s2);
    f(x + h / 2 * x2, s + h / 2 * s2, x3, s3);
    f(x + h * x3, s + h * s3, x4, s4);
    x += h / 6 * (x1 + 2 * x2 + 2 * x3 + x4);
    s += h / 6 * (s1 + 2 * s2 + 2 * s3 + s4);
    if ((k + 1) % kSub == 0)
      out.push_back(s);
  }
  return out;
}

/// One spike onto two voltage-clamped cells. Both equations are linear in
/// their own state, so they are integrated by exponential Euler: x exactly,
/// s with x held over the step. s follows that recursion to rounding and
/// the fine reference to its first-order error; each cell's summed NMDA
/// current is w s (E - v) / (1 + [Mg] / 3.57 mM e^(-0.062 v / mV)) with
/// its own clamped v.
TEST(NMDA, OpenFractionAndMagnesiumBlockReadTheTargetVoltage) {
  constexpr double kTauR = 2e-3, kTauD = 100e-3, kAlpha = 500.0;
  test::Compiled c(readStdlib("synapses/nmda.neuro") + R"(
neuron Clamp {
  state v: mV = -70 mV
  input I_nmda: nA
}
network Block {
  dt = 0.1 ms
  In = 1 of SpikeTimes(indices = [0], times = [1 ms])
  Lo = 1 of Clamp(v = -70 mV)
  Hi = 1 of Clamp(v = -20 mV)
  connect In -> Lo with NMDA(w = 2 nS) as L
  connect In -> Hi with NMDA(w = 2 nS) as H
  run 50 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  // The spike arrives in step 10 (the 11th); s moves from step 11 on.
  constexpr int kFirst = 12;
  constexpr int kCalls = 400;
  std::vector<double> ref = nmdaReference(kCalls);
  auto block = [](double v) {
    return 1.0 / (1.0 + 1.0 / 3.57 * std::exp(-0.062 * v / 1e-3));
  };
  int lo = c.sim->projectionIndex("L"), hi = c.sim->projectionIndex("H");
  int sRow = c.sim->synRowIndex(lo, "s");
  ASSERT_GE(sRow, 0);
  double x = 1.0, s = 0.0, peak = 0.0, peakRef = 0.0;
  for (int k = 1; k < kFirst + kCalls; ++k) {
    double sBefore = c.sim->synapseState(lo)(sRow, 0);
    c.step();
    // The currents of a step come from s at its start.
    double iLo = c.state("Lo", "I_nmda_L", 0);
    double iHi = c.state("Hi", "I_nmda_H", 0);
    EXPECT_NEAR(iLo, 2e-9 * sBefore * 70e-3 * block(-70e-3), 1e-24)
        << "step " << k;
    EXPECT_NEAR(iHi, 2e-9 * sBefore * 20e-3 * block(-20e-3), 1e-24)
        << "step " << k;
    double got = c.sim->synapseState(lo)(sRow, 0);
    EXPECT_EQ(c.sim->synapseState(hi)(sRow, 0), got);
    if (k < kFirst) {
      EXPECT_EQ(got, 0.0) << "step " << k;
      continue;
    }
    double a = -1 / kTauR;
    double as = -1 / kTauD - kAlpha * x, bs = kAlpha * x;
    s += (as * s + bs) * std::expm1(as * kDt) / as;
    x += a * x * std::expm1(a * kDt) / a;
    EXPECT_NEAR(got, s, 1e-12) << "step " << k;
    EXPECT_NEAR(got, ref[size_t(k - kFirst + 1)], 0.03) << "step " << k;
    peak = std::max(peak, got);
    peakRef = std::max(peakRef, ref[size_t(k - kFirst + 1)]);
  }
  // A saturating rise, the peak within 2% of the continuous one.
  EXPECT_GT(peakRef, 0.5);
  EXPECT_LT(peakRef, 1.0);
  EXPECT_NEAR(peak, peakRef, 0.02 * peakRef);
  // At -70 mV the block removes most of the current, at -20 mV little.
  EXPECT_LT(block(-70e-3), 0.1);
  EXPECT_GT(block(-20e-3), 0.4);
}

/// Reward-modulated STDP (Izhikevich 2007) on two one-to-one synapses:
/// synapse 0 pairs pre (90 ms) before post (100 ms) and dopamine arrives at
/// 300 ms, while its eligibility lasts; synapse 1 pairs at 2.99 s / 3 s,
/// when the dopamine has decayed. With eligibility c0 = A_pre w_max
/// e^(-10 ms / tau_pre) set in step 1000 and d = D e^(-(k - 3001) dt /
/// tau_d) from step 3001, the weight grows by
/// sum_k c0 e^(-(k - 1001) dt / tau_c) d_k dt.
std::string rewardSource(const std::string &runs = "run 6 s") {
  return readStdlib("plasticity/reward.neuro") + R"(
neuron Clock {
  input g_e: nS
  spike when t > 99.95 ms and t < 100.05 ms or t > 2999.95 ms and t < 3000.05 ms
}
network RL {
  dt = 0.1 ms
  Pre = 2 of SpikeTimes(indices = [0, 1], times = [90 ms, 2990 ms])
  Post = 2 of Clock
  R = 1 of SpikeTimes(indices = [0], times = [300 ms])
  DA = 1 of Dopamine
  connect R -> DA with Reward(w = 20 Hz)
  connect Pre -> Post with RewardSTDP(w = 0.5 nS, d = DA.d) one_to_one as S
)" + runs +
         "\n}\n";
}

/// sum_k c_k d_k dt over steps [from, to) for synapse 0 (see above).
double rewardIntegral(int from, int to) {
  double c0 = 0.1 * 1e-9 * std::exp(-10e-3 / 20e-3), dw = 0.0;
  for (int k = std::max(from, 3001); k < to; ++k)
    dw += c0 * std::exp(-(k - 1001) * kDt / 1.0) * 20.0 *
          std::exp(-(k - 3001) * kDt / 0.2) * kDt;
  return dw;
}

TEST(RewardSTDP,
     RewardedPairingGrowsAsTheEligibilityIntegralUnrewardedDoesNot) {
  test::Compiled c(rewardSource());
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  constexpr double kW0 = 0.5e-9, kWMax = 1e-9, kAPre = 0.1, kD = 20.0;
  constexpr double kTauC = 1.0, kTauD = 0.2, kTauPre = 20e-3;
  double c0 = kAPre * kWMax * std::exp(-10e-3 / kTauPre);
  double dw = rewardIntegral(0, 60000);
  int s = c.sim->projectionIndex("S");
  int wRow = c.sim->synRowIndex(s, "w");
  double w0 = c.sim->synapseState(s)(wRow, 0);
  double w1 = c.sim->synapseState(s)(wRow, 1);
  EXPECT_NEAR(w0 - kW0, dw, 1e-9 * dw);
  // About c0 D / (1 / tau_c + 1 / tau_d) e^(-0.2 s / tau_c) continuously.
  double continuous =
      c0 * kD * std::exp(-0.2 / kTauC) / (1 / kTauC + 1 / kTauD);
  EXPECT_NEAR(w0 - kW0, continuous, 1e-3 * continuous);
  // Synapse 1's eligibility meets only the tail of the dopamine.
  EXPECT_GE(w1, kW0);
  EXPECT_LT(w1 - kW0, 1e-4 * dw);
}

TEST(RewardSTDP, PlasticityOffKeepsTheWeightWhileTheEligibilityEvolves) {
  test::Compiled c(rewardSource());
  ASSERT_TRUE(c.ok) << c.text;
  int s = c.sim->projectionIndex("S");
  ASSERT_TRUE(c.sim->isPlastic(s));
  ASSERT_TRUE(c.sim->setPlastic(s, false));
  EXPECT_FALSE(c.sim->isPlastic(s));
  std::string err;
  ASSERT_TRUE(c.sim->run(5000, err)) << err;
  int wRow = c.sim->synRowIndex(s, "w"), cRow = c.sim->synRowIndex(s, "c");
  EXPECT_EQ(c.sim->synapseState(s)(wRow, 0), 0.5e-9);
  double c0 = 0.1 * 1e-9 * std::exp(-0.5);
  EXPECT_NEAR(c.sim->synapseState(s)(cRow, 0),
              c0 * std::exp(-(5000 - 1001) * kDt / 1.0), 1e-12 * c0);
  // Back on: the rest of the dopamine still reaches the weight.
  ASSERT_TRUE(c.sim->setPlastic(s, true));
  ASSERT_TRUE(c.sim->run(1000, err)) << err;
  EXPECT_GT(c.sim->synapseState(s)(wRow, 0), 0.5e-9);
}

/// `plasticity off` and `on` between runs of the network: off for the first
/// second, the weight takes only what the dopamine still gives after it;
/// off from 200 ms, before the reward, the weight never changes.
TEST(RewardSTDP, NetworkSwitchesPlasticityBetweenRuns) {
  {
    test::Compiled c(rewardSource(
        "plasticity off S\n  run 1 s\n  plasticity on S\n  run 5 s"));
    ASSERT_TRUE(c.ok) << c.text;
    EXPECT_EQ(c.sim->spec().steps, 60000);
    c.runAll();
    int s = c.sim->projectionIndex("S");
    double w = c.sim->synapseState(s)(c.sim->synRowIndex(s, "w"), 0);
    double dw = rewardIntegral(10000, 60000);
    EXPECT_NEAR(w - 0.5e-9, dw, 1e-9 * dw);
    EXPECT_LT(dw, 0.05 * rewardIntegral(0, 60000));
  }
  {
    test::Compiled c(
        rewardSource("run 200 ms\n  plasticity off S\n  run 5.8 s"));
    ASSERT_TRUE(c.ok) << c.text;
    c.runAll();
    int s = c.sim->projectionIndex("S");
    EXPECT_EQ(c.sim->synapseState(s)(c.sim->synRowIndex(s, "w"), 0), 0.5e-9);
    EXPECT_FALSE(c.sim->isPlastic(s));
  }
}

} // namespace

namespace {

/// Synaptic scaling onto a target whose rate is held: the weight follows
/// w0 e^((r_t - r) t / (r_t tau)) exactly (exponential Euler is exact for
/// a constant rate).
TEST(Homeostasis, ScalingFollowsTheRateErrorExactly) {
  test::Compiled c(test::readStdlib("plasticity/homeostasis.neuro") + R"(
neuron Held {
  state rate: Hz = 8 Hz
  input g_e: nS
}
network Scale {
  dt = 0.1 ms
  In = 1 of SpikeTimes(indices = [0], times = [1 s])
  Out = 2 of Held(rate = i * 8 Hz)
  connect In -> Out with ScaledConductance(w = 2 nS, tau_scale = 1 s) as S
  run 500 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  int s = c.sim->projectionIndex("S");
  int w = c.sim->synRowIndex(s, "w");
  for (int n = 0; n < 2; ++n) {
    double rate = n * 8.0;
    double want = 2e-9 * std::exp((5.0 - rate) * 0.5 / 5.0);
    EXPECT_NEAR(c.sim->synapseState(s)(w, n), want, 1e-12 * want)
        << "target " << n;
  }
}

/// A HomeostaticLIF neuron overdriven by 200 Poisson inputs: scaling brings
/// its rate estimate from far above to near the 5 Hz target, and each spike
/// raised the threshold theta, which is the sum of its decayed increments.
TEST(Homeostasis, ScalingBringsTheRateToTheTarget) {
  test::Compiled c(test::readStdlib("plasticity/homeostasis.neuro") +
                   test::readStdlib("neurons/poisson.neuro") + R"(
network Home {
  dt = 0.1 ms
  seed = 3
  In = 200 of PoissonSource(rate = 10 Hz)
  Out = 1 of HomeostaticLIF
  connect In -> Out with ScaledConductance(w = 3 nS, tau_scale = 2 s) as S
  record spikes of Out
  run 30 s
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  std::string err;
  ASSERT_TRUE(c.sim->run(10000, err)) << err; // the first second
  double early = double(c.sim->spikeCount(1));
  ASSERT_TRUE(c.sim->run(290000, err)) << err; // to 30 s
  const auto &spikes = c.sim->spikes(1);
  int64_t last5 = 0;
  double theta = 0.0;
  for (const rt::SpikeRecord &sp : spikes) {
    last5 += sp.t > 25.0;
    // Raised at the end of the spike's step, decaying from the next.
    int64_t k = std::llround(sp.t / 1e-4) - 1;
    theta += 0.05e-3 * std::exp(-double(300000 - 1 - k) * 1e-4 / 10.0);
  }
  EXPECT_GT(early, 20.0); // far above 5 Hz at first
  EXPECT_NEAR(double(last5) / 5.0, 5.0, 2.5);
  EXPECT_NEAR(c.state("Out", "theta", 0), theta, 1e-9 * theta);
}

} // namespace

namespace {

/// The third factor from a time-varying input: the dopamine level is a
/// timed parameter, 20 Hz from 300 ms to 600 ms, and the rewarded weight
/// grows by c0 sum_k e^(-(k - 1001) dt / tau_c) 20 Hz dt over those steps.
TEST(RewardSTDP, ModulatorFromATimedInput) {
  test::Compiled c(test::readStdlib("plasticity/reward.neuro") + R"(
neuron Clock {
  input g_e: nS
  spike when t > 99.95 ms and t < 100.05 ms
}
neuron Signal {
  param d: Hz = 0 Hz
}
network RL {
  dt = 0.1 ms
  Pre = 1 of SpikeTimes(indices = [0], times = [90 ms])
  Post = 1 of Clock
  DA = 1 of Signal(d = timed([0 Hz, 20 Hz, 0 Hz], 300 ms))
  connect Pre -> Post with RewardSTDP(w = 0.5 nS, d = DA.d) as S
  run 1 s
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  int s = c.sim->projectionIndex("S");
  double c0 = 0.1 * 1e-9 * std::exp(-0.5), dw = 0.0;
  for (int k = 3000; k < 6000; ++k)
    dw += c0 * std::exp(-(k - 1001) * kDt / 1.0) * 20.0 * kDt;
  EXPECT_NEAR(c.sim->synapseState(s)(c.sim->synRowIndex(s, "w"), 0) - 0.5e-9,
              dw, 1e-9 * dw);
}

} // namespace
