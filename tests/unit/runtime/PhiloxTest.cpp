//===- PhiloxTest.cpp - Tests of the Philox4x32-10 generator --------------===//

#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Streams.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace neuro::rt;

namespace {

// Known-answer vectors from Random123's kat_vectors (philox4x32, 10 rounds).
TEST(PhiloxTest, KnownAnswerZero) {
  PhiloxCounter out = philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(
      out, (PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
}

TEST(PhiloxTest, KnownAnswerAllOnes) {
  PhiloxCounter out =
      philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                 {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(
      out, (PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
}

TEST(PhiloxTest, KnownAnswerPi) {
  PhiloxCounter out =
      philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                 {0xa4093822u, 0x299f31d0u});
  EXPECT_EQ(
      out, (PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(PhiloxTest, IsConstexpr) {
  constexpr PhiloxCounter out = philox4x32({0, 0, 0, 0}, {0, 0});
  static_assert(out[0] == 0x6627e8d5u, "compile-time evaluation");
  EXPECT_EQ(out[3], 0x9b00dbd8u);
}

TEST(PhiloxTest, Uniform53Range) {
  EXPECT_EQ(uniform53(0, 0), 0.0);
  double top = uniform53(0xffffffffu, 0xffffffffu);
  EXPECT_LT(top, 1.0);
  EXPECT_EQ(top, 1.0 - std::ldexp(1.0, -53));
  EXPECT_EQ(uniform53(0x80000000u, 0), 0.5);
  // The low 11 bits are dropped.
  EXPECT_EQ(uniform53(0, 0x7ffu), 0.0);
  EXPECT_EQ(uniform53(0, 0x800u), std::ldexp(1.0, -53));
}

TEST(PhiloxTest, StreamMatchesCounterLayout) {
  uint64_t seed = 0x0123456789abcdefull;
  uint32_t stream = 77;
  uint64_t entity = 0x0000000500000009ull;
  PhiloxStream rng(seed, stream, entity);
  for (uint32_t block = 0; block < 3; ++block) {
    PhiloxCounter w =
        philox4x32({9u, 5u, stream, block}, {0x89abcdefu, 0x01234567u});
    EXPECT_EQ(rng.nextUniform(), uniform53(w[0], w[1]));
    EXPECT_EQ(rng.nextUniform(), uniform53(w[2], w[3]));
  }
  EXPECT_EQ(rng.position(), 6u);
}

TEST(PhiloxTest, StreamIsReproducibleAndRandomAccess) {
  PhiloxStream a(42, 3, 1000), b(42, 3, 1000);
  std::vector<double> seq;
  for (int d = 0; d < 101; ++d)
    seq.push_back(a.nextUniform());
  for (int d = 0; d < 101; ++d)
    EXPECT_EQ(b.uniformAt(uint64_t(d)), seq[size_t(d)]);
  // Reading out of order gives the same numbers.
  PhiloxStream c(42, 3, 1000);
  c.seek(57);
  EXPECT_EQ(c.nextUniform(), seq[57]);
  EXPECT_EQ(c.nextUniform(), seq[58]);
  c.seek(4);
  EXPECT_EQ(c.nextUniform(), seq[4]);
}

TEST(PhiloxTest, KeysSeparateStreams) {
  double base = PhiloxStream(1, 2, 3).nextUniform();
  EXPECT_NE(base, PhiloxStream(2, 2, 3).nextUniform());
  EXPECT_NE(base, PhiloxStream(1, 3, 3).nextUniform());
  EXPECT_NE(base, PhiloxStream(1, 2, 4).nextUniform());
  EXPECT_NE(base, PhiloxStream(1, 2, 3 + (uint64_t(1) << 32)).nextUniform());
  EXPECT_NE(base, PhiloxStream(1 + (uint64_t(1) << 32), 2, 3).nextUniform());
}

TEST(PhiloxTest, UniformMoments) {
  // Mean 1/2 and variance 1/12, within 5 standard errors.
  const int n = 1 << 20;
  double sum = 0, sumSq = 0, lo = 1, hi = 0;
  PhiloxStream rng(2024, 1, 0);
  for (int d = 0; d < n; ++d) {
    double u = rng.nextUniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sumSq += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  double mean = sum / n;
  double var = sumSq / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  // Var of u^2 is 4/45; the variance estimate's error is about sqrt(1/180/n).
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / n));
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1 - 1e-4);
}

TEST(PhiloxTest, UniformAcrossEntitiesIsUniform) {
  // First draws of many entities (how state init uses the streams): a
  // chi-square test over 16 bins (15 degrees of freedom; 45 is p ~ 1e-4).
  const int n = 160000, bins = 16;
  std::vector<int> counts(bins, 0);
  for (int e = 0; e < n; ++e)
    ++counts[size_t(
        PhiloxStream(7, streams::neuronInit(0, 0), uint64_t(e)).nextUniform() *
        bins)];
  double expected = double(n) / bins, chi2 = 0;
  for (int c : counts)
    chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 45.0);
}

TEST(StreamsTest, IdsAreDistinct) {
  std::set<uint32_t> ids;
  for (uint32_t obj = 0; obj < 4; ++obj) {
    for (uint32_t row = 0; row < 4; ++row) {
      ids.insert(streams::neuronInit(obj, row));
      ids.insert(streams::synapseInit(obj, row));
    }
    ids.insert(streams::connectivity(obj));
  }
  EXPECT_EQ(ids.size(), 4u * 4u * 2u + 4u);
  EXPECT_EQ(streams::neuronInit(0x3ffff, 0xfff), 0x3fffffffu);
  EXPECT_EQ(streams::connectivity(1), 0x40001000u);
  EXPECT_EQ(streams::synapseInit(2, 3), 0x80002003u);
}

} // namespace
