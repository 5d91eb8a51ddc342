//===- NoiseTest.cpp - Stochastic equations: statistics and reproducibility ==//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

/// An Ornstein-Uhlenbeck process per neuron, dv/dt = -v/tau +
/// sigma sqrt(2/tau) xi: stationary mean 0 and variance sigma^2.
std::vector<double> ouFinalStates(int seed, const std::string &dt = "0.1 ms",
                                  const std::string &method = "") {
  std::string source = method + R"(
neuron OU {
  param tau: ms = 10 ms
  param sigma: mV = 2 mV
  state v: mV = 0 mV
  dv/dt = -v / tau + sigma * sqrt(2 / tau) * xi
}
network N {
  dt = )" + dt + R"(
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
  // After 10 tau the start is forgotten (e^-20); the update is exact.
  double seVar = sigma2 * std::sqrt(2.0 / n);
  EXPECT_NEAR(var, sigma2, 3 * seVar);
  EXPECT_NEAR(mean, 0.0, 3 * std::sqrt(sigma2 / n));
}

/// Variance across neurons.
double variance(const std::vector<double> &v) {
  double n = double(v.size()), sum = 0, sq = 0;
  for (double x : v) {
    sum += x;
    sq += x * x;
  }
  return sq / n - (sum / n) * (sum / n);
}

TEST(Noise, OrnsteinUhlenbeckIsExactAtLargeSteps) {
  // dt = tau / 2. The exact (default) update keeps the stationary variance
  // sigma^2; Euler-Maruyama inflates it by 1 / (1 - dt / (2 tau)) = 4/3.
  const double sigma2 = 4e-6, se = sigma2 * std::sqrt(2.0 / 10000);
  double exact = variance(ouFinalStates(1, "5 ms"));
  EXPECT_NEAR(exact, sigma2, 3 * se);
  double em = variance(ouFinalStates(1, "5 ms", "@method(euler_maruyama)"));
  EXPECT_NEAR(em, sigma2 / 0.75, 3 * se / 0.75);
}

TEST(Noise, SameSeedIsBitIdenticalOtherSeedDiffers) {
  std::vector<double> a = ouFinalStates(3), b = ouFinalStates(3),
                      c = ouFinalStates(4);
  ASSERT_EQ(a.size(), 10000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

} // namespace
