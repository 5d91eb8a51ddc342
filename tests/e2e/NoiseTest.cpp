//===- NoiseTest.cpp - Stochastic equations: statistics and reproducibility ==//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

/// An Ornstein-Uhlenbeck process per neuron, dv/dt = -v/tau +
/// sigma sqrt(2/tau) xi: stationary mean 0 and variance sigma^2.
std::vector<double> ouFinalStates(int seed) {
  std::string source = R"(
neuron OU {
  param tau: ms = 10 ms
  param sigma: mV = 2 mV
  state v: mV = 0 mV
  dv/dt = -v / tau + sigma * sqrt(2 / tau) * xi
}
network N {
  dt = 0.1 ms
  seed = )" + std::to_string(seed) +
                       R"(
  P = 10000 of OU
  run 100 ms
}
)";
  test::Compiled c(source, "ou.neuro");
  std::vector<double> v;
  if (!c.ok) {
    ADD_FAILURE() << c.text;
    return v;
  }
  c.runAll();
  for (int64_t i = 0; i < c.spec.populations[0].size; ++i)
    v.push_back(c.state("P", "v", int(i)));
  return v;
}

TEST(Noise, OrnsteinUhlenbeckReachesItsStationaryVariance) {
  std::vector<double> v = ouFinalStates(1);
  ASSERT_EQ(v.size(), 10000u);
  double n = double(v.size()), sum = 0, sq = 0;
  for (double x : v) {
    sum += x;
    sq += x * x;
  }
  double mean = sum / n, var = sq / n - mean * mean;
  const double sigma2 = 4e-6; // (2 mV)^2
  // After 10 tau the start is forgotten (e^-20); Euler-Maruyama's own bias
  // at dt/tau = 0.01 is 0.5 %, well inside 3 standard errors (4.2 %).
  double seVar = sigma2 * std::sqrt(2.0 / n);
  EXPECT_NEAR(var, sigma2, 3 * seVar);
  EXPECT_NEAR(mean, 0.0, 3 * std::sqrt(sigma2 / n));
}

TEST(Noise, SameSeedIsBitIdenticalOtherSeedDiffers) {
  std::vector<double> a = ouFinalStates(3), b = ouFinalStates(3),
                      c = ouFinalStates(4);
  ASSERT_EQ(a.size(), 10000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

} // namespace
