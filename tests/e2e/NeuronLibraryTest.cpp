//===- NeuronLibraryTest.cpp - stdlib neurons: firing patterns ------------===//
//
// Compiles the models of stdlib/neurons with a one-neuron network, runs them
// under constant input and checks their firing against independent
// references: a fine-step integration written here (Izhikevich), closed
// forms (adaptive LIF) and qualitative signatures (adaptation).
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

using test::readStdlib;

/// Runs `model` (a stdlib file) as one neuron `N = 1 of NAME(ARGS)` and
/// returns its spike times in seconds.
std::vector<double> spikeTimes(const std::string &file, const std::string &name,
                               const std::string &args, const std::string &dt,
                               const std::string &duration) {
  std::string source = readStdlib(file) + "\nnetwork Test {\n  dt = " + dt +
                       "\n  N = 1 of " + name + "(" + args +
                       ")\n  record spikes of N\n  run " + duration + "\n}\n";
  test::Compiled c(source, file);
  EXPECT_TRUE(c.ok) << c.text;
  std::vector<double> times;
  if (!c.ok)
    return times;
  c.runAll();
  for (const rt::SpikeRecord &s : c.sim->spikes(0))
    times.push_back(s.t);
  return times;
}

std::vector<double> intervals(const std::vector<double> &t) {
  std::vector<double> isi;
  for (size_t k = 1; k < t.size(); ++k)
    isi.push_back(t[k] - t[k - 1]);
  return isi;
}

/// Izhikevich (2003) in the paper's units (mV, ms), RK4 at 1 us: the
/// independent reference. Returns spike times in seconds.
std::vector<double> izhikevichReference(double a, double b, double c, double d,
                                        double input, double durationMs) {
  const double h = 0.001;
  double v = -65, u = b * -65;
  std::vector<double> spikes;
  auto f = [&](double v, double u, double &dv, double &du) {
    dv = 0.04 * v * v + 5 * v + 140 - u + input;
    du = a * (b * v - u);
  };
  for (long k = 0; k * h < durationMs; ++k) {
    double k1v, k1u, k2v, k2u, k3v, k3u, k4v, k4u;
    f(v, u, k1v, k1u);
    f(v + h / 2 * k1v, u + h / 2 * k1u, k2v, k2u);
    f(v + h / 2 * k2v, u + h / 2 * k2u, k3v, k3u);
    f(v + h * k3v, u + h * k3u, k4v, k4u);
    v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    u += h / 6 * (k1u + 2 * k2u + 2 * k3u + k4u);
    if (v >= 30) {
      spikes.push_back((k + 1) * h * 1e-3);
      v = c;
      u += d;
    }
  }
  return spikes;
}

struct IzhikevichCase {
  const char *name;
  double a, b, c, d;
};

/// How GoogleTest shows a case (instead of its bytes).
void PrintTo(const IzhikevichCase &p, std::ostream *os) {
  *os << p.name << " (a " << p.a << ", b " << p.b << ", c " << p.c << " mV, d "
      << p.d << ")";
}

class IzhikevichPatterns : public ::testing::TestWithParam<IzhikevichCase> {};

/// The figure-2 parameter sets under I = 10 for 500 ms: the compiled model
/// (RK4 at 10 us) fires like the fine reference.
TEST_P(IzhikevichPatterns, MatchTheFineReference) {
  IzhikevichCase p = GetParam();
  char args[200];
  std::snprintf(args, sizeof args,
                "a = %g Hz, b = %g Hz, c = %g mV, d = %g mV, u = %g mV",
                p.a * 1e3, p.b * 1e3, p.c, p.d, p.b * -65);
  std::vector<double> ours = spikeTimes(
      "neurons/izhikevich.neuro", "Izhikevich", args, "0.01 ms", "500 ms");
  std::vector<double> ref =
      izhikevichReference(p.a, p.b, p.c, p.d, 10.0, 500.0);
  ASSERT_GE(ref.size(), 5u) << p.name;
  // Spike counts agree to within 2 %, and so do the first spike times.
  EXPECT_NEAR(double(ours.size()), double(ref.size()),
              std::max(1.0, 0.02 * ref.size()))
      << p.name;
  size_t n = std::min<size_t>(5, std::min(ours.size(), ref.size()));
  for (size_t k = 0; k < n; ++k)
    EXPECT_NEAR(ours[k], ref[k], 0.2e-3) << p.name << " spike " << k;
}

INSTANTIATE_TEST_SUITE_P(
    Figure2, IzhikevichPatterns,
    ::testing::Values(IzhikevichCase{"RS", 0.02, 0.2, -65, 8},
                      IzhikevichCase{"IB", 0.02, 0.2, -55, 4},
                      IzhikevichCase{"CH", 0.02, 0.2, -50, 2},
                      IzhikevichCase{"FS", 0.1, 0.2, -65, 2}),
    [](const auto &info) { return std::string(info.param.name); });

TEST(IzhikevichClasses, PatternsHaveTheirSignatures) {
  auto run = [](const char *args) {
    return intervals(spikeTimes("neurons/izhikevich.neuro", "Izhikevich", args,
                                "0.01 ms", "500 ms"));
  };
  // Regular spiking adapts: the first interval is the shortest and the
  // later ones are regular.
  std::vector<double> rs = run("");
  ASSERT_GE(rs.size(), 5u);
  EXPECT_LT(rs.front(), rs.back());
  // Chattering fires in bursts: intra-burst intervals under 10 ms and
  // inter-burst intervals over 20 ms.
  std::vector<double> ch = run("c = -50 mV, d = 2 mV");
  int shortIsi = 0, longIsi = 0;
  for (double isi : ch) {
    shortIsi += isi < 10e-3;
    longIsi += isi > 20e-3;
  }
  EXPECT_GT(shortIsi, 2 * longIsi);
  EXPECT_GE(longIsi, 3);
  // Intrinsically bursting: an initial burst, then regular single spikes.
  std::vector<double> ib = run("c = -55 mV, d = 4 mV");
  ASSERT_GE(ib.size(), 6u);
  EXPECT_LT(ib[0], 10e-3);
  EXPECT_GT(ib.back(), 20e-3);
  // Fast spiking: much higher rate than regular spiking, little adaptation.
  std::vector<double> fs = run("a = 100 Hz, d = 2 mV");
  EXPECT_GT(fs.size(), 2 * rs.size());
  EXPECT_LT(fs.back() / fs[1], 1.5);
}

TEST(AdEx, AdaptationLengthensIntervals) {
  std::vector<double> isi = intervals(spikeTimes(
      "neurons/adex.neuro", "AdEx", "I_ext = 1 nA", "0.01 ms", "500 ms"));
  ASSERT_GE(isi.size(), 5u);
  // Intervals grow towards a steady state: each is at least the previous.
  for (size_t k = 1; k < isi.size(); ++k)
    EXPECT_GE(isi[k], isi[k - 1] - 1e-5) << "interval " << k;
  EXPECT_GT(isi.back(), 2 * isi.front());
}

TEST(AdaptiveLIF, FirstSpikeAtTheAnalyticCrossingAndThresholdAdapts) {
  // v(t) = v_rest + I (1 - e^{-t/tau}) crosses th_rest = v_rest + 20 mV at
  // t* = -tau ln(1 - 20/30) = 21.97 ms: stamped at the next 0.1 ms step.
  std::vector<double> t = spikeTimes("neurons/alif.neuro", "AdaptiveLIF",
                                     "I_ext = 30 mV", "0.1 ms", "300 ms");
  ASSERT_GE(t.size(), 4u);
  double crossing = -20e-3 * std::log(1.0 - 20.0 / 30.0);
  EXPECT_NEAR(t[0], std::ceil(crossing / 1e-4 - 1e-9) * 1e-4, 1e-12);
  std::vector<double> isi = intervals(t);
  EXPECT_GT(isi.back(), isi.front());
}

TEST(QIF, PeriodMatchesTheFineReference) {
  // tau dv/dt = k (v - v_rest)(v - v_c) + I: from v_reset to v_peak.
  std::vector<double> t = spikeTimes("neurons/qif.neuro", "QIF",
                                     "I_ext = 10 mV", "0.01 ms", "200 ms");
  ASSERT_GE(t.size(), 3u);
  // Reference: RK4 at 0.1 us of the same equation, in mV and ms.
  double v = -65, tMs = 0, h = 1e-4;
  auto f = [](double v) { return (0.04 * (v + 65) * (v + 50) + 10) / 10; };
  while (v <= 30) {
    double k1 = f(v), k2 = f(v + h / 2 * k1), k3 = f(v + h / 2 * k2),
           k4 = f(v + h * k3);
    v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    tMs += h;
  }
  EXPECT_NEAR(t[0], tMs * 1e-3, 0.02e-3);
}

/// Spike trains of `n` Poisson sources at `rate` for `seconds` with `seed`.
std::vector<std::vector<double>> poissonTrains(int n, double rate, int seed,
                                               int seconds = 1) {
  std::string source =
      readStdlib("neurons/poisson.neuro") +
      "\nnetwork Test {\n  dt = 0.1 ms\n  seed = " + std::to_string(seed) +
      "\n  S = " + std::to_string(n) +
      " of PoissonSource(rate = " + std::to_string(rate) +
      " Hz)\n  record spikes of S\n  run " + std::to_string(seconds) +
      " s\n}\n";
  test::Compiled c(source, "poisson.neuro");
  std::vector<std::vector<double>> trains(n);
  if (!c.ok) {
    ADD_FAILURE() << c.text;
    return trains;
  }
  c.runAll();
  for (const rt::SpikeRecord &s : c.sim->spikes(0))
    trains[s.i].push_back(s.t);
  return trains;
}

TEST(Poisson, CountsAndIntervalsAreThoseOfAPoissonProcess) {
  const int n = 200, seconds = 10;
  const double rate = 20.0, p = rate * 1e-4;
  auto trains = poissonTrains(n, rate, 5, seconds);
  // Total count: binomial over n * 1e5 steps; within 5 standard deviations.
  double count = 0, isiSum = 0, isiSq = 0, isiN = 0;
  for (const auto &train : trains) {
    count += double(train.size());
    for (size_t k = 1; k < train.size(); ++k) {
      double isi = train[k] - train[k - 1];
      isiSum += isi;
      isiSq += isi * isi;
      isiN += 1;
    }
  }
  double steps = n * seconds * 1e4;
  double mean = steps * p, sd = std::sqrt(steps * p * (1 - p));
  EXPECT_NEAR(count, mean, 5 * sd);
  // Intervals are geometric: mean dt/p = 1/rate, coefficient of variation
  // sqrt(1 - p), i.e. 1 for a Poisson process (within 3 %: the window of
  // 10 s shortens the observed mean by about 1 / (rate T) = 0.5 %).
  double isiMean = isiSum / isiN;
  double cv = std::sqrt(isiSq / isiN - isiMean * isiMean) / isiMean;
  EXPECT_NEAR(isiMean, 1.0 / rate, 0.03 / rate);
  EXPECT_NEAR(cv, 1.0, 0.03);
}

TEST(Poisson, SameSeedSameSpikesOtherSeedOthers) {
  auto a = poissonTrains(50, 30.0, 7);
  auto b = poissonTrains(50, 30.0, 7);
  auto c = poissonTrains(50, 30.0, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

} // namespace

namespace {

/// MAT (stdlib/neurons/mat.neuro): the vector threshold state h holds one
/// memory of the neuron's spikes per timescale, h[k](t) = sum over spikes
/// alpha[k] e^(-(t - t_spike) / tau[k]) exactly, and a spike happens only
/// where v exceeds omega + sum(h).
TEST(MAT, VectorThresholdRemembersSpikesOnEachTimescale) {
  test::Compiled c(test::readStdlib("neurons/mat.neuro") + R"(
network M {
  dt = 0.1 ms
  N = 2 of MAT(I_ext = 0.5 nA + i * 0.3 nA, alpha = [30 mV, 3 mV])
  record spikes of N
  run 500 ms
}
)");
  ASSERT_TRUE(c.ok) << c.text;
  c.runAll();
  const double alpha[2] = {30e-3, 3e-3}, tau[2] = {10e-3, 200e-3};
  const int64_t steps = 5000;
  for (int n = 0; n < 2; ++n) {
    double h[2] = {0, 0};
    int count = 0;
    for (const rt::SpikeRecord &s : c.sim->spikes(0)) {
      if (s.i != n)
        continue;
      ++count;
      // Raised at the end of the spike's step, relaxing from the next.
      int64_t k = std::llround(s.t / 1e-4) - 1;
      for (int m = 0; m < 2; ++m)
        h[m] += alpha[m] * std::exp(-double(steps - 1 - k) * 1e-4 / tau[m]);
    }
    EXPECT_GT(count, 5) << "neuron " << n;
    EXPECT_NEAR(c.state("N", "h_0", n), h[0], 1e-12) << "neuron " << n;
    EXPECT_NEAR(c.state("N", "h_1", n), h[1], 1e-12) << "neuron " << n;
  }
  // More drive, more spikes.
  int64_t spikes[2] = {0, 0};
  for (const rt::SpikeRecord &s : c.sim->spikes(0))
    ++spikes[s.i];
  EXPECT_GT(spikes[1], spikes[0]);
}

TEST(Vectors, ErrorsNameTheElementsAndLengths) {
  test::Compiled c(R"(
neuron V {
  param a[2]: ms = [1 ms, 2 ms, 3 ms]
  param b[3] = [1, 2, 3]
  state m[2] = 0
  state x = 0
  dm/dt = -m / a
  dx/dt = m / 1 s
  spike when x > b[3] { m += b }
}
neuron Empty {
  state e[2] = []
}
)");
  EXPECT_FALSE(c.ok);
  for (const char *want :
       {"test.neuro:3:20: error: a vector of 3 elements where 2 are expected",
        "test.neuro:8:11: error: the derivative of 'x' is a number, but this "
        "is a vector of 2; use sum(...) or an element such as m[0]",
        "test.neuro:9:20: error: the index of 'b' must be a whole number from "
        "0 to 2",
        "test.neuro:9:30: error: a vector of 3 elements where 2 are expected",
        "test.neuro:12:16: error: an empty list has no elements"})
    EXPECT_NE(c.text.find(want), std::string::npos) << want << "\n" << c.text;
}

} // namespace
