//===- PlasticityTest.cpp - STDP rules against their analytic windows -----===//
//
// The rules of stdlib/plasticity under pairing protocols: 101 independent
// synapses, synapse n seeing one presynaptic spike and one postsynaptic
// spike dt_n = t_post - t_pre apart, dt_n from -50 ms to +50 ms in 1 ms
// steps. The weight change of each synapse is compared with the rule's
// closed-form window to 1e-9 relative. The postsynaptic neurons spike once,
// all in step 1000 (t = 100 ms); presynaptic spikes come from a spike
// source given by times.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>
#include <functional>

using namespace neuro;

namespace {

using test::readStdlib;

constexpr int kPairs = 101;
constexpr double kDt = 1e-4;
/// The step in which every postsynaptic neuron spikes.
constexpr int kPostStep = 1000;
constexpr double kW0 = 0.5e-9; // initial weight, S

/// dt of pair n, in steps of 0.1 ms: -500, -490, ..., +500.
int pairOffset(int n) { return (n - 50) * 10; }

/// A network running the synapse model `name` of stdlib file `file` with
/// arguments `args` on the pairing protocol (plus `extraPost`, more
/// postsynaptic spike times in steps, shared by all post neurons).
std::string pairingSource(const std::string &file, const std::string &name,
                          const std::string &args,
                          const std::vector<int> &extraPost = {}) {
  std::string indices, times;
  for (int n = 0; n < kPairs; ++n) {
    int preStep = kPostStep - pairOffset(n);
    indices += (n ? ", " : "") + std::to_string(n);
    // Times as whole steps of 0.1 ms: exact after rounding to steps.
    times += (n ? ", " : "") + std::to_string(preStep) + " * 0.1 ms";
  }
  std::string condition = "t > 99.95 ms and t < 100.05 ms";
  for (int s : extraPost)
    condition += " or t > " + std::to_string(s) +
                 " * 0.1 ms - 0.05 ms and t < " + std::to_string(s) +
                 " * 0.1 ms + 0.05 ms";
  return readStdlib(file) +
         "\n// Spikes once per listed time; its input is not used.\n"
         "neuron Clock {\n  input g_e: nS\n  input g_i: nS\n"
         "  spike when " +
         condition +
         "\n}\n"
         "network Pairing {\n  dt = 0.1 ms\n"
         "  Pre = " +
         std::to_string(kPairs) + " of SpikeTimes(indices = [" + indices +
         "], times = [" + times +
         "])\n"
         "  Post = " +
         std::to_string(kPairs) +
         " of Clock\n"
         "  connect Pre -> Post with " +
         name + "(w = 0.5 nS" + (args.empty() ? "" : ", " + args) +
         ") one_to_one\n  record spikes of Post\n  run 200 ms\n}\n";
}

/// Runs the pairing protocol and returns the weight change of every pair.
std::vector<double> weightChanges(const std::string &source,
                                  const std::string &file,
                                  int postSpikesEach = 1) {
  test::Compiled c(source, file);
  EXPECT_TRUE(c.ok) << c.text;
  std::vector<double> dw;
  if (!c.ok)
    return dw;
  c.runAll();
  // Every post neuron spiked exactly once per listed time.
  EXPECT_EQ(c.sim->spikeCount(1), int64_t(kPairs) * postSpikesEach);
  rt::ConstStateView syn = std::as_const(*c.sim).synapseState(0);
  int w = c.sim->synRowIndex(0, "w");
  EXPECT_EQ(syn.cols, kPairs);
  for (int n = 0; n < kPairs && n < syn.cols; ++n)
    dw.push_back(syn(w, n) - kW0);
  return dw;
}

void expectWindow(const std::vector<double> &dw,
                  const std::function<double(double)> &window) {
  ASSERT_EQ(dw.size(), size_t(kPairs));
  for (int n = 0; n < kPairs; ++n) {
    double delta = pairOffset(n) * kDt;
    double want = window(delta);
    EXPECT_NEAR(dw[n], want, 1e-9 * std::abs(want) + 1e-30)
        << "dt = " << delta * 1e3 << " ms";
  }
}

const double wMax = 1e-9;

TEST(PlasticityTest, PairSTDPWindow) {
  auto dw = weightChanges(
      pairingSource("plasticity/stdp.neuro", "PairSTDP", ""), "stdp.neuro");
  expectWindow(dw, [](double d) {
    return d >= 0 ? 0.01 * wMax * std::exp(-d / 0.02)
                  : -0.0105 * wMax * std::exp(d / 0.02);
  });
}

TEST(PlasticityTest, PairSTDPWindowWithOtherTimeConstants) {
  auto dw = weightChanges(
      pairingSource("plasticity/stdp.neuro", "PairSTDP",
                    "tau_pre = 10 ms, tau_post = 30 ms, A_pre = 0.02, "
                    "A_post = -0.005"),
      "stdp.neuro");
  expectWindow(dw, [](double d) {
    return d >= 0 ? 0.02 * wMax * std::exp(-d / 0.01)
                  : -0.005 * wMax * std::exp(d / 0.03);
  });
}

TEST(PlasticityTest, SymmetricSTDPWindow) {
  auto dw =
      weightChanges(pairingSource("plasticity/stdp.neuro", "SymmetricSTDP", ""),
                    "stdp.neuro");
  expectWindow(
      dw, [](double d) { return 0.01 * wMax * std::exp(-std::abs(d) / 0.02); });
}

TEST(PlasticityTest, TripletSTDPPairWindow) {
  auto dw = weightChanges(
      pairingSource("plasticity/triplet.neuro", "TripletSTDP",
                    "A2_plus = 0.005, A3_plus = 0.006, A2_minus = 0.007, "
                    "A3_minus = 0.0002"),
      "triplet.neuro");
  expectWindow(dw, [](double d) {
    return d >= 0 ? 0.005 * wMax * std::exp(-d / 0.0168)
                  : -0.007 * wMax * std::exp(d / 0.0337);
  });
}

/// Pre at t_pre, post at 100 ms and again 10 ms later: the second post
/// spike adds the triplet term r1 (A2+ + A3+ o2), o2 = exp(-10 ms / tau_y).
TEST(PlasticityTest, TripletSTDPPostPostTriplet) {
  auto dw = weightChanges(
      pairingSource("plasticity/triplet.neuro", "TripletSTDP",
                    "A2_plus = 0.005, A3_plus = 0.006, A2_minus = 0.007, "
                    "A3_minus = 0.0002",
                    {kPostStep + 100}),
      "triplet.neuro", 2);
  double second = 0.010;
  expectWindow(dw, [&](double d) {
    double tPre = -d, t1 = 0.0, t2 = second; // relative to the first post
    double w = 0.0;
    double o1 = 0.0;
    // Events in time order; pre before post within a step.
    struct Ev {
      double t;
      bool pre;
    };
    std::vector<Ev> ev = {{tPre, true}, {t1, false}, {t2, false}};
    std::stable_sort(ev.begin(), ev.end(), [](const Ev &a, const Ev &b) {
      return a.t < b.t - 1e-12 ||
             (std::abs(a.t - b.t) < 1e-12 && a.pre && !b.pre);
    });
    double lastPost = NAN, lastPre = NAN, o2 = 0.0, r1 = 0.0, r2 = 0.0;
    double tPrev = ev.front().t;
    for (const Ev &e : ev) {
      double h = e.t - tPrev;
      r1 *= std::exp(-h / 0.0168);
      r2 *= std::exp(-h / 0.101);
      o1 *= std::exp(-h / 0.0337);
      o2 *= std::exp(-h / 0.125);
      tPrev = e.t;
      if (e.pre) {
        w -= wMax * o1 * (0.007 + 0.0002 * r2);
        r1 += 1;
        r2 += 1;
        lastPre = e.t;
      } else {
        w += wMax * r1 * (0.005 + 0.006 * o2);
        o1 += 1;
        o2 += 1;
        lastPost = e.t;
      }
    }
    (void)lastPost;
    (void)lastPre;
    return w;
  });
}

/// Nearest-spike pairing: with two presynaptic spikes before one
/// postsynaptic spike only the later one counts.
TEST(PlasticityTest, NearestSTDPPairsWithTheLatestSpikeOnly) {
  auto all = weightChanges(
      pairingSource("plasticity/stdp.neuro", "NearestSTDP", ""), "stdp.neuro");
  expectWindow(all, [](double d) {
    return d >= 0 ? 0.01 * wMax * std::exp(-d / 0.02)
                  : -0.0105 * wMax * std::exp(d / 0.02);
  });
  // Two post spikes 10 ms apart after each pre spike at dt >= 0: all-to-all
  // potentiates twice, nearest-spike also twice (each post pairs with the
  // one pre), but post-post-pre depression differs: nearest sees only the
  // later post spike.
  auto nearest =
      weightChanges(pairingSource("plasticity/stdp.neuro", "NearestSTDP", "",
                                  {kPostStep + 100}),
                    "stdp.neuro", 2);
  auto pair = weightChanges(
      pairingSource("plasticity/stdp.neuro", "PairSTDP", "", {kPostStep + 100}),
      "stdp.neuro", 2);
  ASSERT_EQ(nearest.size(), size_t(kPairs));
  ASSERT_EQ(pair.size(), size_t(kPairs));
  for (int n = 0; n < kPairs; ++n) {
    double d = pairOffset(n) * kDt; // pre at 100 ms - d
    double tPre = 0.1 - d;
    if (tPre > 0.110 + 1e-9) {
      // After both post spikes: depression by the latest post (nearest) or
      // by the sum of both (all-to-all).
      double l = std::exp(-(tPre - 0.110) / 0.02);
      double e = std::exp(-(tPre - 0.100) / 0.02);
      EXPECT_NEAR(nearest[n], -0.0105 * wMax * l, 1e-9 * 0.0105 * wMax * l);
      EXPECT_NEAR(pair[n], -0.0105 * wMax * (l + e),
                  1e-9 * 0.0105 * wMax * (l + e));
    }
  }
}

/// Inhibitory plasticity: a presynaptic spike alone depresses by
/// eta * 2 rho_0 tau_stdp; a pair adds eta * exp(-|dt| / tau_stdp).
TEST(PlasticityTest, VogelsISTDPWindow) {
  auto dw =
      weightChanges(pairingSource("plasticity/vogels.neuro", "VogelsISTDP",
                                  "eta = 0.001 nS, w_max = 10 nS"),
                    "vogels.neuro");
  expectWindow(dw, [](double d) {
    double eta = 1e-12, alpha = 2 * 3.0 * 0.02;
    return eta * (std::exp(-std::abs(d) / 0.02) - alpha);
  });
}

/// Weights stay within [0, w_max] whatever the pairing.
TEST(PlasticityTest, ClippingBoundsTheWeight) {
  auto dw = weightChanges(pairingSource("plasticity/stdp.neuro", "PairSTDP",
                                        "A_pre = 0.9, A_post = -0.9"),
                          "stdp.neuro");
  ASSERT_EQ(dw.size(), size_t(kPairs));
  for (int n = 0; n < kPairs; ++n) {
    double d = pairOffset(n) * kDt;
    double want = d >= 0
                      ? std::min(0.9 * wMax * std::exp(-d / 0.02), wMax - kW0)
                      : std::max(-0.9 * wMax * std::exp(d / 0.02), -kW0);
    EXPECT_NEAR(dw[n], want, 1e-9 * std::abs(want) + 1e-24) << d;
  }
}

} // namespace

namespace {

/// Tsodyks-Markram: the conductance jumps of a regular train (every 20
/// ms, 10 spikes) equal the closed-form recursion
///   A_n = w u_n x_n,  x_{n+1} = 1 + (x_n (1 - u_n) - 1) e^(-T/tau_d),
///   u_{n+1} = U + (u_n + U (1 - u_n) - U) e^(-T/tau_f),  u_1 = U, x_1 = 1,
/// for a depressing and a facilitating parameter set.
/// Returns the amplitudes.
std::vector<double> expectTsodyksMarkram(double U, double tauD, double tauF) {
  const int spikes = 10, period = 200; // steps of 0.1 ms
  std::string times, indices;
  for (int n = 0; n < spikes; ++n) {
    times += (n ? ", " : "") + std::to_string(10 + n * period) + " * 0.1 ms";
    indices += n ? ", 0" : "0";
  }
  std::string source =
      readStdlib("synapses/tsodyks_markram.neuro") +
      "\nneuron Sink {\n  state v: mV = 0 mV\n  input g_e: nS\n"
      "  dv/dt = -v / 10 ms\n}\n"
      "network STP {\n  dt = 0.1 ms\n"
      "  Pre = 1 of SpikeTimes(indices = [" +
      indices + "], times = [" + times +
      "])\n  Post = 1 of Sink\n"
      "  connect Pre -> Post with TsodyksMarkram(w = 2 nS, U = " +
      std::to_string(U) + ", tau_d = " + std::to_string(tauD * 1e3) +
      " ms, tau_f = " + std::to_string(tauF * 1e3) + " ms)\n  run 250 ms\n}\n";
  std::vector<double> amplitudes;
  test::Compiled c(source, "stp.neuro");
  EXPECT_TRUE(c.ok) << c.text;
  if (!c.ok)
    return amplitudes;
  double decay = std::exp(-1e-4 / 0.005);
  double u = U, x = 1.0, before = 0.0;
  int n = 0;
  for (int k = 0; k < 10 + spikes * period; ++k) {
    c.step();
    double now = c.state("Post", "g_Pre_to_Post", 0);
    if (k == 10 + n * period && n < spikes) {
      // Delivery follows the integration of the step.
      double jump = now - before * decay;
      double want = 2e-9 * u * x;
      EXPECT_NEAR(jump, want, 1e-9 * want) << "spike " << n;
      amplitudes.push_back(jump);
      double xPlus = x * (1 - u), uPlus = u + U * (1 - u);
      x = 1 + (xPlus - 1) * std::exp(-period * 1e-4 / tauD);
      u = U + (uPlus - U) * std::exp(-period * 1e-4 / tauF);
      ++n;
    }
    before = now;
  }
  EXPECT_EQ(n, spikes);
  return amplitudes;
}

TEST(PlasticityTest, TsodyksMarkramDepressing) {
  auto a = expectTsodyksMarkram(0.5, 0.2, 0.05);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_NEAR(a[0], 0.5 * 2e-9, 1e-20); // the first spike releases U
  EXPECT_LT(a[9], 0.6 * a[0]);          // depression
}

TEST(PlasticityTest, TsodyksMarkramFacilitating) {
  auto a = expectTsodyksMarkram(0.1, 0.05, 0.5);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_GT(a[3], 1.5 * a[0]); // facilitation
}

} // namespace

namespace {

/// A rule attached at connect (`ExpConductance + PairRule`) is the same
/// synapse as PairSTDP, written as one: on 100 Poisson inputs driving one
/// neuron for 2 s, every weight is bitwise equal.
TEST(PlasticityRules, AttachedRuleEqualsTheWrittenOutSynapse) {
  std::string models = readStdlib("plasticity/stdp.neuro") +
                       readStdlib("plasticity/rules.neuro") +
                       readStdlib("synapses/exp_conductance.neuro") +
                       readStdlib("neurons/poisson.neuro") + R"(
neuron Out {
  state v: mV = -60 mV
  input g_e: nS
  dv/dt = (g_e / 10 nS * (0 mV - v) + (-74 mV) - v) / 10 ms
  spike when v > -54 mV { v = -60 mV }
}
)";
  auto network = [&](const std::string &with) {
    return models +
           "network Learn {\n  seed = 4\n"
           "  In = 100 of PoissonSource(rate = 15 Hz)\n"
           "  N = 1 of Out\n"
           "  connect In -> N with " +
           with +
           "(w = uniform(0 nS, 1 nS), w_max = 1 nS) as S\n  run 2 s\n}\n";
  };
  test::Compiled attached(network("ExpConductance + PairRule"));
  ASSERT_TRUE(attached.ok) << attached.text;
  test::Compiled written(network("PairSTDP"));
  ASSERT_TRUE(written.ok) << written.text;
  attached.runAll();
  written.runAll();
  int a = attached.sim->projectionIndex("S");
  int b = written.sim->projectionIndex("S");
  int wa = attached.sim->synRowIndex(a, "w"),
      wb = written.sim->synRowIndex(b, "w");
  ASSERT_EQ(attached.sim->numSynapses(a), 100);
  int changed = 0;
  for (int s = 0; s < 100; ++s) {
    double w = attached.sim->synapseState(a)(wa, s);
    EXPECT_EQ(w, written.sim->synapseState(b)(wb, s)) << "synapse " << s;
    changed += w != 0.0 && w != 1e-9;
  }
  EXPECT_GT(attached.sim->spikeCount(1), 10);
  EXPECT_GT(changed, 0);
}

TEST(PlasticityRules, ClashesAndMisuseAreReported) {
  test::Compiled c(readStdlib("plasticity/rules.neuro") +
                   readStdlib("synapses/exp_current.neuro") + R"(
synapse Traced {
  weight w: nS
  state a_pre: nS = 0 nS
  on pre { a_pre += w }
}
plasticity Drives {
  weight w: nS
  post state g: nS = 0 nS
  drives g_e = g
}
neuron N {
  state v: mV = 0 mV
  input I: mV
  input g_e: nS
}
network X {
  A = 2 of N
  connect A -> A with ExpCurrent + PairRule(w = 1 mV)
  connect A -> A with Traced + PairRule(w = 1 nS)
  connect A -> A with PairRule(w = 1 nS)
  connect A -> A with Traced + Nothing(w = 1 nS)
  run 1 ms
}
)");
  EXPECT_FALSE(c.ok);
  for (const char *want :
       {"test.neuro:70:3: error: a plasticity rule changes synapses; it "
        "drives nothing (drives belong to the synapse model)",
        "test.neuro:79:36: error: rule 'PairRule' changes weight 'w' in S "
        "(conductance), but synapse 'ExpCurrent' has weight 'w' in V "
        "(voltage)",
        "test.neuro:80:32: error: rule 'PairRule' declares 'a_pre', which "
        "synapse 'Traced' (or an earlier rule) declares too",
        "test.neuro:81:23: error: 'PairRule' is a plasticity rule; attach it "
        "to a synapse model, as in 'with ExpConductance + PairRule'",
        "test.neuro:82:32: error: unknown plasticity rule 'Nothing'"})
    EXPECT_NE(c.text.find(want), std::string::npos) << want << "\n" << c.text;
}

} // namespace
