//===- BoxMuller.h - log and cos for normal draws, the same everywhere -*- C++
//-*-===//
//
// Normal draws are Box-Muller on two uniforms: sqrt(-2 log u1) cos(2 pi u2)
// with u1 in [2^-53, 1] and u2 in [0, 1). These are log and cos for exactly
// those arguments, written as a fixed sequence of IEEE operations (no
// fused multiply-adds): the runtime (Random.cpp) evaluates them in C++ and
// the GPU kernels (convert-kernels-to-gpu) emit the same operations in the
// same order, so a normal draw is the same double on the CPU and on a GPU,
// where libm and libdevice would differ in the last bits.
//
//   log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
//     s = f / (2 + f), log(m) = 2s + 2s z (1/3 + z (1/5 + ... + z / 23)),
//     z = s^2 <= 0.0295 (truncation below 2^-57), and
//     log(x) = e ln2_hi + (e ln2_lo + log(m)), ln2_hi with 11 zero bits.
//   cos(y), 0 <= y < 2 pi: n = roundeven(2y / pi) in 0..4, r = ((y - n
//     pio2_1) - n pio2_2) - n pio2_2t (pi/2 in three parts, n pio2_1 and
//     n pio2_2 exact, so r keeps its relative accuracy next to the zeros
//     of cos), and by the quadrant n mod 4: cos r, -sin r, -cos r, sin r,
//     from Taylor polynomials in z = r^2 up to z^9.
//
// Both are within 2 ulp of the correctly rounded result on their domain
// (tests/unit/runtime/BoxMullerTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_BOXMULLER_H
#define NEURO_RUNTIME_BOXMULLER_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace neuro::rt::boxmuller {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kLn2Hi = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000
constexpr double kLn2Lo = 1.90821492927058770002e-10; // 0x3DEA39EF35793C76
constexpr double kTwoOverPi = 6.36619772367581382433e-01;
// pi/2 in three parts (fdlibm's): the first two of 33 bits, so n times
// each is exact for n <= 4.
constexpr double kPio2_1 = 1.57079632673412561417e+00;
constexpr double kPio2_2 = 6.07710050630396597660e-11;
constexpr double kPio2_2t = 2.02226624879595063154e-21;
constexpr double kTwoPi = 6.283185307179586;

/// 1/3, 1/5, ..., 1/23: log(1+f) = 2s (1 + z/3 + z^2/5 + ...).
constexpr int kLogTerms = 11;
constexpr double logCoefficient(int k) { return 1.0 / double(2 * k + 1); }
/// cos r = 1 - z/2 + z^2/4! - ...; sin r = r (1 - z/3! + z^2/5! - ...).
constexpr int kTrigTerms = 9;
constexpr double factorial(int n) {
  return n <= 1 ? 1.0 : n * factorial(n - 1);
}
constexpr double cosCoefficient(int k) {
  return (k % 2 ? -1.0 : 1.0) / factorial(2 * k);
}
constexpr double sinCoefficient(int k) {
  return (k % 2 ? -1.0 : 1.0) / factorial(2 * k + 1);
}

/// log(x) for normal x in (0, 1].
inline double log(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int64_t e = int64_t(bits >> 52) - 1023;
  uint64_t mbits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m;
  std::memcpy(&m, &mbits, sizeof m);
  bool big = m > kSqrt2;
  m = big ? m * 0.5 : m;
  e = big ? e + 1 : e;
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double z = s * s;
  double p = logCoefficient(kLogTerms);
  for (int k = kLogTerms - 1; k >= 1; --k)
    p = logCoefficient(k) + z * p;
  double twoS = 2.0 * s;
  double logM = twoS + twoS * (z * p);
  double de = double(e);
  return de * kLn2Hi + (de * kLn2Lo + logM);
}

/// cos(y) for y in [0, 2 pi).
inline double cos(double y) {
  double n = std::nearbyint(y * kTwoOverPi); // round half to even
  double r = ((y - n * kPio2_1) - n * kPio2_2) - n * kPio2_2t;
  double z = r * r;
  double c = cosCoefficient(kTrigTerms);
  for (int k = kTrigTerms - 1; k >= 2; --k)
    c = cosCoefficient(k) + z * c;
  double cosR = 1.0 - (0.5 * z - (z * z) * c);
  double sc = sinCoefficient(kTrigTerms);
  for (int k = kTrigTerms - 1; k >= 1; --k)
    sc = sinCoefficient(k) + z * sc;
  double sinR = r + r * (z * sc);
  int64_t q = int64_t(n) & 3;
  double v = q == 0 ? cosR : q == 1 ? -sinR : q == 2 ? -cosR : sinR;
  return v;
}

/// A standard normal from uniforms u1 in [2^-53, 1] and u2 in [0, 1).
inline double normal(double u1, double u2) {
  return std::sqrt(-2.0 * boxmuller::log(u1)) * boxmuller::cos(kTwoPi * u2);
}

} // namespace neuro::rt::boxmuller

#endif // NEURO_RUNTIME_BOXMULLER_H
