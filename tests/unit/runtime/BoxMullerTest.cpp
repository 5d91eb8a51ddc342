//===- BoxMullerTest.cpp - log and cos of normal draws --------------------===//
//
// boxmuller::log and boxmuller::cos against long double references over
// their domains (u in [2^-53, 1], y in [0, 2 pi)), with the error in ulp of
// the reference; and the normal draws' mean and variance.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/BoxMuller.h"
#include "neuro/Runtime/ABI.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace neuro::rt;

namespace {

double ulps(double got, long double want) {
  double w = double(want);
  if (got == w)
    return 0.0;
  double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return double(std::fabs((long double)got - want) / ulp);
}

TEST(BoxMuller, LogWithinTwoUlp) {
  std::mt19937_64 gen(7);
  double worst = 0;
  for (int n = 0; n < 2000000; ++n) {
    double u = 1.0 - double(gen() >> 11) * 0x1p-53; // (0, 1]
    worst = std::max(worst, ulps(boxmuller::log(u), logl((long double)u)));
  }
  for (double u : {1.0, 0x1p-53, 0.5, 0.25, 0.7071067811865475,
                   0.7071067811865476, 1.0 - 0x1p-53, 0.999999})
    worst = std::max(worst, ulps(boxmuller::log(u), logl((long double)u)));
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(boxmuller::log(1.0), 0.0);
}

TEST(BoxMuller, CosWithinTwoUlp) {
  std::mt19937_64 gen(8);
  double worst = 0;
  for (int n = 0; n < 2000000; ++n) {
    double y = boxmuller::kTwoPi * (double(gen() >> 11) * 0x1p-53);
    worst = std::max(worst, ulps(boxmuller::cos(y), cosl((long double)y)));
  }
  // Near the zeros and the quadrant boundaries.
  for (double y : {0.0, 1.5707963267948966, 3.141592653589793, 4.71238898038469,
                   0.7853981633974483, 2.356194490192345, 3.9269908169872414,
                   5.497787143782138, 6.283185307179585})
    worst = std::max(worst, ulps(boxmuller::cos(y), cosl((long double)y)));
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(boxmuller::cos(0.0), 1.0);
}

TEST(BoxMuller, NormalDrawsAreStandard) {
  const int n = 1000000;
  double sum = 0, sum2 = 0, sum4 = 0;
  for (int i = 0; i < n; ++i) {
    double x = neuro_rt_normal(42, 3, i % 977, i / 977);
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
  }
  double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(double(n)));
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum4 / n, 3.0, 5.0 * std::sqrt(96.0 / n)); // kurtosis
}

} // namespace
