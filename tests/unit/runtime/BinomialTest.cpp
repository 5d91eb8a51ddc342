//===- BinomialTest.cpp - Input counts of Poisson drives ------------------===//

#include "neuro/Runtime/Binomial.h"
#include "neuro/Runtime/Philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace neuro::rt;

namespace {

/// Pearson's chi-square of `draws` counts of `sampler` against the
/// Binomial(n, p) probabilities, over the counts with at least 20 expected
/// (the rest pooled into one bin each side); returns (chi2, degrees).
std::pair<double, int> chiSquare(int64_t n, double p, int draws) {
  BinomialSampler sampler(n, p);
  PhiloxStream rng{7, 123, 0};
  std::vector<double> observed(size_t(n) + 1, 0.0);
  for (int d = 0; d < draws; ++d) {
    int64_t k = sampler.draw([&](int64_t) { return rng.nextUniform(); });
    EXPECT_GE(k, 0);
    EXPECT_LE(k, n);
    observed[size_t(k)] += 1;
  }
  // log pmf by lgamma, independent of the sampler's recurrence.
  auto pmf = [&](int64_t k) {
    return std::exp(std::lgamma(double(n + 1)) - std::lgamma(double(k + 1)) -
                    std::lgamma(double(n - k + 1)) + double(k) * std::log(p) +
                    double(n - k) * std::log1p(-p));
  };
  double chi2 = 0, pooledO = 0, pooledE = 0;
  int bins = 0;
  for (int64_t k = 0; k <= n; ++k) {
    double e = pmf(k) * draws;
    if (e < 20) {
      pooledO += observed[size_t(k)];
      pooledE += e;
      continue;
    }
    chi2 += (observed[size_t(k)] - e) * (observed[size_t(k)] - e) / e;
    ++bins;
  }
  if (pooledE > 0) {
    chi2 += (pooledO - pooledE) * (pooledO - pooledE) / pooledE;
    ++bins;
  }
  return {chi2, bins - 1};
}

TEST(Binomial, CountsHaveTheBinomialDistribution) {
  // Brunel's drive (mean 2), a sparse one (mean 0.05), one of mean 100
  // (four chunks of mean at most 30) and a small K with a large p.
  for (auto [n, p] : {std::pair<int64_t, double>{1000, 0.002},
                      {1000, 5e-5},
                      {10000, 0.01},
                      {8, 0.4}}) {
    auto [chi2, dof] = chiSquare(n, p, 200000);
    // The 99.9% quantile of chi-square is below dof + 4.5 sqrt(2 dof) + 6.
    EXPECT_LT(chi2, dof + 4.5 * std::sqrt(2.0 * dof) + 6)
        << "n " << n << ", p " << p << ": chi2 " << chi2 << " on " << dof;
  }
}

TEST(Binomial, EdgesAreExact) {
  PhiloxStream rng{1, 2, 3};
  auto u = [&](int64_t) { return rng.nextUniform(); };
  EXPECT_EQ(BinomialSampler(1000, 0.0).draw(u), 0);
  EXPECT_EQ(BinomialSampler(1000, 1.0).draw(u), 1000);
  EXPECT_EQ(BinomialSampler(0, 0.5).draw(u), 0);
  // u just below 1 takes the last count the table resolves, not beyond n.
  EXPECT_LE(
      BinomialSampler(5, 0.5).draw([](int64_t) { return 0.9999999999999999; }),
      5);
  EXPECT_EQ(BinomialSampler(5, 0.5).draw([](int64_t) { return 0.0; }), 0);
}

TEST(PhiloxBatch, EqualsTheStreamBitForBit) {
  // Odd counts and offsets: the vector lanes and the scalar rest.
  for (uint64_t first : {uint64_t(0), uint64_t(13), (uint64_t(1) << 32) - 2})
    for (int64_t count : {1, 4, 7, 37}) {
      std::vector<double> a(static_cast<size_t>(count)),
          b(static_cast<size_t>(count));
      philoxUniformPairs(0x1234567890abcdefULL, 0xc0ffee, first, count, 9,
                         a.data(), b.data());
      for (int64_t i = 0; i < count; ++i) {
        PhiloxStream rng{0x1234567890abcdefULL, 0xc0ffee, first + uint64_t(i)};
        double x, y;
        rng.uniformPairAt(9, x, y);
        EXPECT_EQ(a[size_t(i)], x) << first << " + " << i;
        EXPECT_EQ(b[size_t(i)], y) << first << " + " << i;
      }
    }
}

TEST(PhiloxBatch, DrawsOfOneEntityEqualTheStreamBitForBit) {
  // Odd starts, counts that leave a scalar rest, an entity above 2^32 and
  // block counters that wrap at 2^32.
  uint64_t wrap = (uint64_t(1) << 33) - 5;
  for (uint64_t entity : {uint64_t(7), (uint64_t(1) << 40) + 3})
    for (uint64_t first : {uint64_t(0), uint64_t(1), uint64_t(10), wrap})
      for (int64_t count : {0, 1, 8, 9, 23, 64}) {
        std::vector<double> got(static_cast<size_t>(count) + 1, -1.0);
        philoxUniforms(0x1234567890abcdefULL, 0xc0ffee, entity, first, count,
                       got.data());
        PhiloxStream rng{0x1234567890abcdefULL, 0xc0ffee, entity};
        for (int64_t i = 0; i < count; ++i)
          EXPECT_EQ(got[size_t(i)], rng.uniformAt(first + uint64_t(i)))
              << entity << ": " << first << " + " << i;
        EXPECT_EQ(got[size_t(count)], -1.0) << "wrote past the end";
      }
}

} // namespace
