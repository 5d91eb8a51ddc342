//===- MethodsTest.cpp - Numerical integration methods: order and exactness ==//
//
// Compiles small models with each integration method, runs them for a fixed
// time at several step sizes and measures the error against closed-form
// solutions: the empirical order of convergence (slope of log error against
// log dt) must be that of the method.
//
//===----------------------------------------------------------------------===//

#include "Compiled.h"

#include <cmath>

using namespace neuro;

namespace {

/// Compiles `source`, runs its only network to the end and returns the
/// final value of state `row` of neuron 0 of population `pop`.
double finalState(const std::string &source, const std::string &pop,
                  const std::string &row) {
  test::Compiled c(source, "methods.neuro");
  EXPECT_TRUE(c.ok) << c.text;
  if (!c.ok)
    return NAN;
  c.runAll();
  return c.state(pop, row, 0);
}

/// dx/dt = r x (1 - x), x(0) = 0.1: x(t) = 1 / (1 + 9 e^{-r t}).
std::string logistic(const std::string &method, double dtMs) {
  return "@method(" + method + R"()
neuron Logistic {
  param r: Hz = 5 Hz
  state x: 1 = 0.1
  dx/dt = r * x * (1 - x)
}
network Net {
  dt = )" +
         std::to_string(dtMs) +
         R"( ms
  P = 1 of Logistic
  run 1 s
}
)";
}

double logisticError(const std::string &method, double dtMs) {
  double exact = 1.0 / (1.0 + 9.0 * std::exp(-5.0));
  return std::abs(finalState(logistic(method, dtMs), "P", "x") - exact);
}

/// Slope of log(error) over log(dt) between dt and 2 dt.
double order(double errorFine, double errorCoarse) {
  return std::log2(errorCoarse / errorFine);
}

TEST(Methods, EulerConvergesWithOrderOne) {
  double e1 = logisticError("euler", 1.0);
  double e2 = logisticError("euler", 2.0);
  double e4 = logisticError("euler", 4.0);
  EXPECT_NEAR(order(e1, e2), 1.0, 0.1) << e1 << " " << e2;
  EXPECT_NEAR(order(e2, e4), 1.0, 0.1) << e2 << " " << e4;
}

TEST(Methods, RK4ConvergesWithOrderFour) {
  double e1 = logisticError("rk4", 10.0);
  double e2 = logisticError("rk4", 20.0);
  double e4 = logisticError("rk4", 40.0);
  EXPECT_NEAR(order(e1, e2), 4.0, 0.25) << e1 << " " << e2;
  EXPECT_NEAR(order(e2, e4), 4.0, 0.25) << e2 << " " << e4;
  EXPECT_LT(e1, 1e-7);
}

/// dx/dt = -(1 + y^2) x / s, dy/dt = 1: x(t) = exp(-(t + t^3/3)), linear in
/// x with a coefficient that changes with y: exponential Euler applies and
/// is first order.
std::string conditional(double dtMs) {
  return R"(@method(exponential_euler)
neuron Cond {
  state x: 1 = 1
  state y: 1 = 0
  dx/dt = -(1 + y * y) * x / 1 s
  dy/dt = 1 / 1 s
}
network Net {
  dt = )" +
         std::to_string(dtMs) +
         R"( ms
  P = 1 of Cond
  run 1 s
}
)";
}

TEST(Methods, ExponentialEulerConvergesWithOrderOne) {
  double exact = std::exp(-(1.0 + 1.0 / 3.0));
  double e1 = std::abs(finalState(conditional(1.0), "P", "x") - exact);
  double e2 = std::abs(finalState(conditional(2.0), "P", "x") - exact);
  double e4 = std::abs(finalState(conditional(4.0), "P", "x") - exact);
  EXPECT_NEAR(order(e1, e2), 1.0, 0.1) << e1 << " " << e2;
  EXPECT_NEAR(order(e2, e4), 1.0, 0.1) << e2 << " " << e4;
}

TEST(Methods, ExponentialEulerIsExactOnLinearEquations) {
  // dv/dt = (E - v) / tau with an exponential Euler step of any size.
  const char *source = R"(@method(exponential_euler)
neuron Leak {
  param tau: ms = 10 ms
  param E: mV = -50 mV
  state v: mV = -70 mV
  dv/dt = (E - v) / tau
}
network Net {
  dt = 2.5 ms
  P = 1 of Leak
  run 100 ms
}
)";
  double exact = -50e-3 - 20e-3 * std::exp(-10.0);
  EXPECT_NEAR(finalState(source, "P", "v"), exact, 1e-12 * std::abs(exact));
}

TEST(Methods, AutomaticChoiceFollowsTheEquations) {
  // Logistic without an annotation: nonlinear in x -> RK4, so the error at
  // 10 ms is RK4's, far below Euler's.
  std::string source =
      logistic("rk4", 10.0).substr(std::string("@method(rk4)").size());
  double exact = 1.0 / (1.0 + 9.0 * std::exp(-5.0));
  EXPECT_LT(std::abs(finalState(source, "P", "x") - exact), 1e-7);
}

TEST(Expressions, ConditionalSwitchesTheDriveOffAtTheStepBoundary) {
  // Steps 0..49 start before 5 ms: x = 50 dt = 5e-3 after 10 ms.
  const char *source = R"(
neuron Ramp {
  state x: 1 = 0
  dx/dt = if t < 5 ms then 1 / 1 s else 0 / 1 s
}
network Net {
  dt = 0.1 ms
  P = 1 of Ramp
  run 10 ms
}
)";
  EXPECT_NEAR(finalState(source, "P", "x"), 5e-3, 1e-15);
}

/// The Traub-Miles HH neuron of stdlib/neurons/traub_hh.neuro relaxing from
/// v = -65 mV with its gates at 0 (no spike in 3 ms): v(3 ms) with `method`.
double hhVoltage(const std::string &method, double dtMs) {
  std::string model = test::readStdlib("neurons/traub_hh.neuro");
  size_t at = model.find("@method(exponential_euler)");
  EXPECT_NE(at, std::string::npos);
  model.replace(at, std::string("@method(exponential_euler)").size(),
                "@method(" + method + ")");
  return finalState(model + "\nnetwork Net {\n  dt = " + std::to_string(dtMs) +
                        " ms\n  N = 1 of TraubHH(v = -65 mV)\n  run 3 ms\n}\n",
                    "N", "v");
}

TEST(Methods, ExponentialEulerConvergesWithOrderOneOnHodgkinHuxley) {
  double reference = hhVoltage("rk4", 0.0005);
  double e1 = std::abs(hhVoltage("exponential_euler", 0.01) - reference);
  double e2 = std::abs(hhVoltage("exponential_euler", 0.02) - reference);
  double e4 = std::abs(hhVoltage("exponential_euler", 0.04) - reference);
  EXPECT_NEAR(order(e1, e2), 1.0, 0.15) << e1 << " " << e2;
  EXPECT_NEAR(order(e2, e4), 1.0, 0.15) << e2 << " " << e4;
}

} // namespace
