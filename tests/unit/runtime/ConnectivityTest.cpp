//===- ConnectivityTest.cpp - Tests of the connectivity generators --------===//

#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace neuro::rt;

namespace {

/// Checks the CSR invariants: shape, monotone rowPtr, sorted unique columns
/// within each row, columns in range.
void expectWellFormed(const CSR &csr, int64_t nSrc, int64_t nDst) {
  ASSERT_EQ(csr.rowPtr.size(), size_t(nSrc) + 1);
  EXPECT_EQ(csr.rowPtr.front(), 0);
  EXPECT_EQ(csr.rowPtr.back(), csr.numSynapses());
  for (int64_t i = 0; i < nSrc; ++i) {
    ASSERT_LE(csr.rowPtr[size_t(i)], csr.rowPtr[size_t(i) + 1]);
    for (int64_t s = csr.rowPtr[size_t(i)]; s < csr.rowPtr[size_t(i) + 1];
         ++s) {
      ASSERT_GE(csr.cols[size_t(s)], 0);
      ASSERT_LT(csr.cols[size_t(s)], nDst);
      if (s > csr.rowPtr[size_t(i)]) {
        ASSERT_LT(csr.cols[size_t(s) - 1], csr.cols[size_t(s)])
            << "row " << i << " not strictly ascending";
      }
    }
  }
}

TEST(ConnectivityTest, SameSeedSameNetwork) {
  CSR a = buildFixedProbability(500, 400, 0.05, true, 1234, 7);
  CSR b = buildFixedProbability(500, 400, 0.05, true, 1234, 7);
  EXPECT_EQ(a.rowPtr, b.rowPtr);
  EXPECT_EQ(a.cols, b.cols);
  expectWellFormed(a, 500, 400);
}

TEST(ConnectivityTest, DifferentSeedOrStreamDiffers) {
  CSR a = buildFixedProbability(500, 400, 0.05, true, 1234, 7);
  CSR b = buildFixedProbability(500, 400, 0.05, true, 1235, 7);
  CSR c = buildFixedProbability(500, 400, 0.05, true, 1234, 8);
  EXPECT_NE(a.cols, b.cols);
  EXPECT_NE(a.cols, c.cols);
}

TEST(ConnectivityTest, RowsDependOnlyOnTheirIndex) {
  // Row i of a larger network equals row i of a smaller one.
  CSR small = buildFixedProbability(10, 300, 0.1, true, 99, 1);
  CSR large = buildFixedProbability(50, 300, 0.1, true, 99, 1);
  for (size_t i = 0; i < 10; ++i) {
    std::vector<int32_t> rs(small.cols.begin() + small.rowPtr[i],
                            small.cols.begin() + small.rowPtr[i + 1]);
    std::vector<int32_t> rl(large.cols.begin() + large.rowPtr[i],
                            large.cols.begin() + large.rowPtr[i + 1]);
    EXPECT_EQ(rs, rl) << "row " << i;
  }
}

TEST(ConnectivityTest, CountWithinFiveSigma) {
  for (double p : {0.001, 0.02, 0.3, 0.9}) {
    const int64_t nSrc = 1000, nDst = 800;
    CSR csr = buildFixedProbability(nSrc, nDst, p, true, 5, 0);
    expectWellFormed(csr, nSrc, nDst);
    double n = double(nSrc) * double(nDst);
    double mean = p * n, sigma = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(double(csr.numSynapses()), mean, 5 * sigma) << "p = " << p;
  }
}

TEST(ConnectivityTest, ColumnsAreUniform) {
  // Every target is hit about equally often: chi-square over 10 column bins.
  const int64_t nSrc = 2000, nDst = 1000;
  CSR csr = buildFixedProbability(nSrc, nDst, 0.05, true, 11, 2);
  std::vector<double> bins(10, 0);
  for (int32_t c : csr.cols)
    bins[size_t(c / 100)] += 1;
  double expected = double(csr.numSynapses()) / 10, chi2 = 0;
  for (double b : bins)
    chi2 += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi2, 33.7); // 9 degrees of freedom, p ~ 1e-4
}

TEST(ConnectivityTest, ZeroProbabilityIsEmpty) {
  for (double p : {0.0, -0.5, std::nan("")}) {
    CSR csr = buildFixedProbability(30, 20, p, true, 1, 1);
    expectWellFormed(csr, 30, 20);
    EXPECT_EQ(csr.numSynapses(), 0);
  }
}

TEST(ConnectivityTest, FullProbabilityIsAllToAll) {
  CSR csr = buildFixedProbability(7, 5, 1.0, true, 1, 1);
  expectWellFormed(csr, 7, 5);
  EXPECT_EQ(csr.numSynapses(), 35);
  for (int64_t i = 0; i < 7; ++i)
    for (int64_t j = 0; j < 5; ++j)
      EXPECT_EQ(csr.cols[size_t(i * 5 + j)], j);

  CSR noSelf = buildFixedProbability(6, 6, 1.0, false, 1, 1);
  expectWellFormed(noSelf, 6, 6);
  EXPECT_EQ(noSelf.numSynapses(), 30);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(noSelf.rowPtr[size_t(i) + 1] - noSelf.rowPtr[size_t(i)], 5);
}

TEST(ConnectivityTest, NoAutapsesWhenDisallowed) {
  const int64_t n = 400;
  CSR csr = buildFixedProbability(n, n, 0.5, false, 3, 4);
  expectWellFormed(csr, n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t s = csr.rowPtr[size_t(i)]; s < csr.rowPtr[size_t(i) + 1]; ++s)
      ASSERT_NE(csr.cols[size_t(s)], i) << "autapse on " << i;
  double pairs = double(n) * double(n - 1);
  EXPECT_NEAR(double(csr.numSynapses()), 0.5 * pairs,
              5 * std::sqrt(pairs * 0.25));

  // With autapses allowed, some diagonal entries exist at p = 0.5.
  CSR with = buildFixedProbability(n, n, 0.5, true, 3, 4);
  int64_t diagonal = 0;
  for (int64_t i = 0; i < n; ++i)
    diagonal += std::binary_search(
        with.cols.begin() + with.rowPtr[size_t(i)],
        with.cols.begin() + with.rowPtr[size_t(i) + 1], int32_t(i));
  EXPECT_GT(diagonal, 0);
}

TEST(ConnectivityTest, TinyProbabilityAndEmptyShapes) {
  CSR tiny = buildFixedProbability(100, 100, 1e-300, true, 1, 1);
  expectWellFormed(tiny, 100, 100);
  EXPECT_EQ(tiny.numSynapses(), 0);

  CSR noSrc = buildFixedProbability(0, 10, 0.5, true, 1, 1);
  EXPECT_EQ(noSrc.rowPtr, std::vector<int64_t>{0});
  EXPECT_TRUE(noSrc.cols.empty());

  CSR noDst = buildFixedProbability(4, 0, 0.5, true, 1, 1);
  expectWellFormed(noDst, 4, 0);
  EXPECT_EQ(noDst.numSynapses(), 0);
}

} // namespace

namespace {

/// Rows sorted, columns in range, no i -> i when `noSelf`.
void expectWellFormed(const neuro::rt::CSR &csr, int64_t nDst, bool noSelf) {
  for (int64_t i = 0; i < csr.numRows(); ++i)
    for (int64_t s = csr.rowPtr[size_t(i)]; s < csr.rowPtr[size_t(i) + 1];
         ++s) {
      int32_t j = csr.cols[size_t(s)];
      EXPECT_GE(j, 0);
      EXPECT_LT(j, nDst);
      if (s > csr.rowPtr[size_t(i)]) {
        EXPECT_LT(csr.cols[size_t(s) - 1], j) << "row " << i;
      }
      if (noSelf) {
        EXPECT_NE(j, i);
      }
    }
}

} // namespace

TEST(FixedInDegree, EveryTargetHasExactlyKDistinctSources) {
  using namespace neuro::rt;
  CSR csr = buildFixedInDegree(300, 200, 25, false, 9, 4);
  EXPECT_EQ(csr.numSynapses(), 200 * 25);
  expectWellFormed(csr, 200, /*noSelf=*/true);
  std::vector<int> inDegree(200, 0);
  for (int32_t j : csr.cols)
    ++inDegree[size_t(j)];
  for (int d : inDegree)
    EXPECT_EQ(d, 25);
  // Same seed, same network; the sources are spread over all rows.
  CSR again = buildFixedInDegree(300, 200, 25, false, 9, 4);
  EXPECT_EQ(csr.cols, again.cols);
  EXPECT_EQ(csr.rowPtr, again.rowPtr);
  int64_t usedRows = 0;
  for (int64_t i = 0; i < 300; ++i)
    usedRows += csr.rowPtr[size_t(i) + 1] > csr.rowPtr[size_t(i)];
  EXPECT_GT(usedRows, 290);
}

TEST(FixedInDegree, AnyNumberOfThreadsBuildsTheSameNetwork) {
  // Targets drawn in blocks on 2 and 3 threads, each block writing its
  // part of every row: the rows as one thread writes them.
  CSR one = buildFixedInDegree(700, 2000, 40, false, 5, 3, 100);
  for (unsigned threads : {2u, 3u}) {
    ThreadPool pool(threads);
    CSR many = buildFixedInDegree(700, 2000, 40, false, 5, 3, 100, &pool);
    EXPECT_EQ(one.rowPtr, many.rowPtr);
    EXPECT_EQ(one.cols, many.cols);
  }
  EXPECT_EQ(one.numSynapses(), 2000 * 40);
}

TEST(FixedInDegree, TargetBlocksHoldTheirPartOfEveryRow) {
  // What each of three processes draws for its block of targets: row i of
  // the whole projection is the blocks' rows i one after the other.
  CSR whole = buildFixedInDegree(700, 2000, 40, false, 5, 3, 100);
  const int64_t bounds[] = {0, 666, 1333, 2000};
  std::vector<CSR> parts;
  ThreadPool pool(2);
  for (int r = 0; r < 3; ++r) {
    parts.push_back(buildFixedInDegree(700, 2000, 40, false, 5, 3, 100, &pool,
                                       bounds[r], bounds[r + 1]));
    EXPECT_EQ(parts.back().numSynapses(), (bounds[r + 1] - bounds[r]) * 40);
  }
  for (int64_t i = 0; i < 700; ++i) {
    std::vector<int32_t> joined;
    for (int r = 0; r < 3; ++r) {
      const CSR &p = parts[size_t(r)];
      for (int64_t q = p.rowPtr[size_t(i)]; q < p.rowPtr[size_t(i) + 1]; ++q) {
        ASSERT_GE(p.cols[size_t(q)], bounds[r]);
        ASSERT_LT(p.cols[size_t(q)], bounds[r + 1]);
        joined.push_back(p.cols[size_t(q)]);
      }
    }
    ASSERT_EQ(joined, std::vector<int32_t>(
                          whole.cols.begin() + whole.rowPtr[size_t(i)],
                          whole.cols.begin() + whole.rowPtr[size_t(i) + 1]))
        << "row " << i;
  }
}

TEST(FixedInDegree, DegreeIsCappedByTheAvailableSources) {
  using namespace neuro::rt;
  // 10 sources, self excluded: at most 9 per target.
  CSR csr = buildFixedInDegree(10, 10, 50, false, 1, 1);
  EXPECT_EQ(csr.numSynapses(), 10 * 9);
  expectWellFormed(csr, 10, /*noSelf=*/true);
}

TEST(FixedDegree, ImpossibleDegreesAreRefused) {
  using namespace neuro::rt;
  std::string err;
  EXPECT_TRUE(checkFixedDegree(true, 10, 10, 5, true, err));
  EXPECT_TRUE(checkFixedDegree(true, 9, 10, 10, false, err));
  EXPECT_TRUE(checkFixedDegree(false, 5, 10, 5, true, err));
  EXPECT_TRUE(checkFixedDegree(true, 100, 10, 0, true, err)); // no targets
  EXPECT_FALSE(checkFixedDegree(true, 100, 10, 5, true, err));
  EXPECT_EQ(err, "in_degree = 100 needs 100 distinct sources for each "
                 "target, but the source has 10 neurons");
  EXPECT_FALSE(checkFixedDegree(true, 10, 10, 10, false, err));
  EXPECT_EQ(err, "in_degree = 10 needs 10 distinct sources for each target, "
                 "but the source has 10 neurons, 9 without the target itself "
                 "(no_autapses)");
  EXPECT_FALSE(checkFixedDegree(false, 6, 10, 5, true, err));
  EXPECT_EQ(err, "out_degree = 6 needs 6 distinct targets for each source, "
                 "but the target has 5 neurons");
}

TEST(FixedOutDegree, EverySourceHasExactlyKDistinctTargets) {
  using namespace neuro::rt;
  CSR csr = buildFixedOutDegree(150, 400, 30, true, 3, 2);
  EXPECT_EQ(csr.numSynapses(), 150 * 30);
  for (int64_t i = 0; i < 150; ++i)
    EXPECT_EQ(csr.rowPtr[size_t(i) + 1] - csr.rowPtr[size_t(i)], 30);
  expectWellFormed(csr, 400, /*noSelf=*/false);
}

TEST(OneToOne, ConnectsIToI) {
  using namespace neuro::rt;
  CSR csr = buildOneToOne(5, 3);
  EXPECT_EQ(csr.rowPtr, (std::vector<int64_t>{0, 1, 2, 3, 3, 3}));
  EXPECT_EQ(std::vector<int32_t>(csr.cols.begin(), csr.cols.end()),
            (std::vector<int32_t>{0, 1, 2}));
}

TEST(FixedDegree, OverlappingSlicesExcludeTheSelfPairWhileDrawing) {
  using namespace neuro::rt;
  // P[0:10] -> P[5:15]: source i is target i - 5. Without autapses each
  // of targets 0..4 (neurons 5..9) draws 9 sources other than itself, and
  // each of sources 5..9 draws 9 targets other than itself: exactly K.
  CSR in = buildFixedInDegree(10, 10, 9, false, 3, 1, /*selfShift=*/-5);
  CSR out = buildFixedOutDegree(10, 10, 9, false, 3, 2, /*selfShift=*/-5);
  EXPECT_EQ(in.numSynapses(), 10 * 9);
  EXPECT_EQ(out.numSynapses(), 10 * 9);
  for (const CSR *csr : {&in, &out}) {
    expectWellFormed(*csr, int64_t(10), int64_t(10));
    for (int64_t i = 0; i < 10; ++i)
      for (int64_t s = csr->rowPtr[size_t(i)]; s < csr->rowPtr[size_t(i) + 1];
           ++s)
        EXPECT_NE(csr->cols[size_t(s)], i - 5) << "source " << i;
  }
  std::vector<int> inDegree(10, 0);
  for (int32_t j : in.cols)
    ++inDegree[size_t(j)];
  for (int d : inDegree)
    EXPECT_EQ(d, 9);
  for (int64_t i = 0; i < 10; ++i)
    EXPECT_EQ(out.rowPtr[size_t(i) + 1] - out.rowPtr[size_t(i)], 9);
  // Fixed probability skips the same pairs.
  CSR all = buildFixedProbability(10, 10, 1.0, false, 3, 3, -5);
  EXPECT_EQ(all.numSynapses(), 100 - 5);
  CSR some = buildFixedProbability(10, 10, 0.5, false, 3, 3, -5);
  for (int64_t i = 5; i < 10; ++i)
    for (int64_t s = some.rowPtr[size_t(i)]; s < some.rowPtr[size_t(i) + 1];
         ++s)
      EXPECT_NE(some.cols[size_t(s)], i - 5);
}

TEST(FixedDegree, DisjointSlicesDrawAsWithAutapses) {
  using namespace neuro::rt;
  // P[0:10] -> P[10:30]: no neuron is both, nothing to exclude, the same
  // draws as a projection that allows autapses.
  for (bool in : {true, false}) {
    CSR a = in ? buildFixedInDegree(10, 20, 4, false, 8, 1, -10)
               : buildFixedOutDegree(10, 20, 4, false, 8, 1, -10);
    CSR b = in ? buildFixedInDegree(10, 20, 4, true, 8, 1)
               : buildFixedOutDegree(10, 20, 4, true, 8, 1);
    EXPECT_EQ(a.cols, b.cols);
    EXPECT_EQ(a.rowPtr, b.rowPtr);
  }
  EXPECT_TRUE(slicesOverlap(0, 10, 5, 15));
  EXPECT_FALSE(slicesOverlap(0, 10, 10, 30));
  EXPECT_FALSE(slicesOverlap(10, 30, 0, 10));
}
