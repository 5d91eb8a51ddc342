//===- ExpmTest.cpp - Propagators of linear systems -----------------------===//
//
// expmBlocks against closed forms: a single decaying state steps by exactly
// std::exp(-dt/tau) (what Brian2's exact updates multiply by), a chain of
// states keeps its own decays exact, and the coupled entries agree with the
// analytic solution of a current-driven membrane to a few ulp.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Expm.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace neuro::rt;

namespace {

constexpr double kDt = 1e-4;

TEST(Expm, OneStateDecayIsCorrectlyRounded) {
  for (double tau : {0.3e-3, 1e-3, 2e-3, 3e-3, 5e-3, 7e-3, 10e-3, 20e-3, 30e-3,
                     50e-3, 100e-3, 250e-3, 1.0, 17.3e-3}) {
    double g[4] = {-kDt / tau, 0.0, 0.0, 0.0}, e[4];
    expmBlocks(2, g, e);
    EXPECT_EQ(e[0], std::exp(-kDt / tau)) << "tau " << tau;
    EXPECT_EQ(e[1], 0.0);
    EXPECT_EQ(e[2], 0.0);
    EXPECT_EQ(e[3], 1.0);
  }
}

TEST(Expm, OneStateWithInputIsClosedForm) {
  // dv/dt = (El - v)/tau: v(dt) = El + (v - El) exp(-dt/tau).
  double tau = 20e-3, el = -0.065;
  double g[4] = {-kDt / tau, kDt * el / tau, 0.0, 0.0}, e[4];
  expmBlocks(2, g, e);
  EXPECT_EQ(e[0], std::exp(-kDt / tau));
  EXPECT_NEAR(e[1], -el * std::expm1(-kDt / tau), 1e-18);
  EXPECT_EQ(e[3], 1.0);
  // No decay: the input is added as it is.
  double flat[4] = {0.0, 0.25, 0.0, 0.0};
  expmBlocks(2, flat, e);
  EXPECT_EQ(e[0], 1.0);
  EXPECT_EQ(e[1], 0.25);
}

TEST(Expm, ChainKeepsExactDecays) {
  // v' = (-v + R I)/tm, I' = -I/ts (a membrane in volts driven by a current
  // in amperes): acyclic, so the diagonal is exp of the diagonal exactly and
  // the coupling is R ts (exp(-dt/ts) - exp(-dt/tm)) / (ts - tm) (rel 1e-13,
  // the cancellation in the reference).
  double tm = 10e-3, ts = 5e-3, r = 1e8;
  double g[9] = {-kDt / tm, kDt * r / tm, 0.0, //
                 0.0,       -kDt / ts,    0.0, //
                 0.0,       0.0,          0.0};
  double e[9];
  expmBlocks(3, g, e);
  EXPECT_EQ(e[0], std::exp(-kDt / tm));
  EXPECT_EQ(e[4], std::exp(-kDt / ts));
  double want =
      r * (std::exp(-kDt / ts) - std::exp(-kDt / tm)) * ts / (ts - tm);
  EXPECT_NEAR(e[1], want, 1e-13 * std::fabs(want));
  EXPECT_EQ(e[3], 0.0);
  EXPECT_EQ(e[8], 1.0);
}

TEST(Expm, CycleUsesTheSeries) {
  // x' = y, y' = -x (a rotation): exp is [[cos, sin], [-sin, cos]].
  double w = 0.3;
  double g[9] = {0.0, w, 0.0, -w, 0.0, 0.0, 0.0, 0.0, 0.0}, e[9];
  expmBlocks(3, g, e);
  EXPECT_NEAR(e[0], std::cos(w), 1e-15);
  EXPECT_NEAR(e[1], std::sin(w), 1e-15);
  EXPECT_NEAR(e[3], -std::sin(w), 1e-15);
  EXPECT_NEAR(e[4], std::cos(w), 1e-15);
}

TEST(Expm, StiffCycleIsAccurateAfterManySquarings) {
  // A coupled block whose fastest time constant is 1000 times below the
  // step (11 squarings): each squaring doubles the series' relative error,
  // 4e-13 in double arithmetic. The reference: mpmath's expm at 60 digits
  // of this very matrix, rounded to double.
  const double g[16] = {-1000.0, 0.0,   0.1,
                        5.0,     0.01,  -0.01,
                        0.0,     0.0,   -0.2,
                        0.03333333333333333, -0.03333333333333333, 0.0,
                        0.0,     0.0,   0.0,
                        0.0};
  const double want[12] = {
      -1.931267079484944e-08, 3.258737975461272e-06, 9.672290515486346e-05,
      0.004999901924540078,   9.900402173768634e-06, 0.9900498500898717,
      9.776213926383817e-07,  4.970083765576095e-05, -0.0001931199365121808,
      0.03261929484920013,    0.9671967912675788,    -0.000981720232757591};
  double e[16];
  expmBlocks(4, g, e);
  // Where long double is double, the series keeps double's error.
  double tolerance =
      std::numeric_limits<long double>::digits > 53 ? 4e-16 : 1e-12;
  for (int i = 0; i < 12; ++i)
    EXPECT_NEAR(e[i], want[i], tolerance * std::fabs(want[i])) << "entry " << i;
}

TEST(Expm, NonFiniteCoefficientGivesNaN) {
  double g[4] = {-INFINITY, 0.0, 0.0, 0.0}, e[4];
  expmBlocks(2, g, e);
  EXPECT_TRUE(std::isnan(e[0]));
}

} // namespace
