//===- Connectivity.cpp - Connectivity generators -------------------------===//
//
// Fixed-probability connectivity by geometric skipping: the gap to the next
// connected column is geometrically distributed, so a row costs O(p * nDst)
// draws instead of nDst.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Connectivity.h"

#include "neuro/Runtime/Philox.h"

#include <algorithm>
#include <cmath>

using namespace neuro::rt;

void neuro::rt::fixedProbabilityRow(int64_t i, int64_t nDst, double p,
                                    bool allowAutapses, uint64_t seed,
                                    uint32_t streamId, int64_t selfShift,
                                    std::vector<int32_t> &out) {
  if (nDst <= 0 || !(p > 0.0))
    return;
  if (p >= 1.0) {
    for (int64_t j = 0; j < nDst; ++j)
      if (allowAutapses || j != i + selfShift)
        out.push_back(int32_t(j));
    return;
  }
  double logQ = std::log1p(-p); // < 0
  PhiloxStream rng(seed, streamId, uint64_t(i));
  int64_t j = -1;
  for (;;) {
    double u = rng.nextUniform(); // [0, 1): log1p(-u) is finite
    double gap = std::floor(std::log1p(-u) / logQ) + 1.0;
    // Compare in double first: for tiny p the gap may exceed int64.
    if (gap >= double(nDst - j))
      break;
    j += int64_t(gap);
    if (j >= nDst)
      break;
    if (!allowAutapses && j == i + selfShift)
      continue;
    out.push_back(int32_t(j));
  }
}

CSR neuro::rt::buildFixedProbability(int64_t nSrc, int64_t nDst, double p,
                                     bool allowAutapses, uint64_t seed,
                                     uint32_t streamId, int64_t selfShift) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  if (nDst <= 0 || !(p > 0.0))
    return csr;

  if (p >= 1.0) {
    csr.cols.reserve(size_t(nSrc) * size_t(nDst));
    for (int64_t i = 0; i < nSrc; ++i) {
      for (int64_t j = 0; j < nDst; ++j)
        if (allowAutapses || j != i + selfShift)
          csr.cols.push_back(int32_t(j));
      csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
    }
    return csr;
  }

  // Expected count plus a few standard deviations, to avoid regrowth.
  double expected = p * double(nSrc) * double(nDst);
  csr.cols.reserve(size_t(expected + 5.0 * std::sqrt(expected) + 16.0));

  for (int64_t i = 0; i < nSrc; ++i) {
    fixedProbabilityRow(i, nDst, p, allowAutapses, seed, streamId, selfShift,
                        csr.cols);
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}

/// `k` distinct values of [0, n) except `excluded` (none when outside [0, n)),
/// sorted: Robert Floyd's sampling without replacement, drawing from `rng`.
static std::vector<int32_t>
sampleDistinct(int64_t n, int64_t k, int64_t excluded, PhiloxStream &rng) {
  int64_t pool = excluded >= 0 && excluded < n ? n - 1 : n;
  k = std::min(k, pool);
  std::vector<int32_t> chosen;
  if (k <= 0)
    return chosen;
  // Membership in a byte per candidate, kept between calls and cleared
  // after each (hash sets cost a node allocation per value).
  thread_local std::vector<uint8_t> taken;
  if (taken.size() < size_t(pool))
    taken.resize(size_t(pool), 0);
  std::vector<int64_t> picked;
  picked.reserve(size_t(k));
  for (int64_t j = pool - k; j < pool; ++j) {
    int64_t t = int64_t(rng.nextUniform() * double(j + 1));
    t = std::min(t, j);
    int64_t v = taken[size_t(t)] ? j : t;
    taken[size_t(v)] = 1;
    picked.push_back(v);
  }
  chosen.reserve(size_t(k));
  auto add = [&](int64_t v) {
    // Map [0, pool) onto [0, n) skipping the excluded value.
    chosen.push_back(int32_t(pool < n && v >= excluded ? v + 1 : v));
  };
  if (k * 16 >= pool) {
    // Dense: the marks in order.
    for (int64_t v = 0; v < pool; ++v)
      if (taken[size_t(v)]) {
        add(v);
        taken[size_t(v)] = 0;
      }
    return chosen;
  }
  std::sort(picked.begin(), picked.end());
  for (int64_t v : picked) {
    add(v);
    taken[size_t(v)] = 0;
  }
  return chosen;
}

void neuro::rt::fixedOutDegreeRow(int64_t i, int64_t nDst, int64_t k,
                                  bool allowAutapses, uint64_t seed,
                                  uint32_t streamId, int64_t selfShift,
                                  std::vector<int32_t> &out) {
  PhiloxStream rng(seed, streamId, uint64_t(i));
  std::vector<int32_t> targets =
      sampleDistinct(nDst, k, allowAutapses ? -1 : i + selfShift, rng);
  out.insert(out.end(), targets.begin(), targets.end());
}

CSR neuro::rt::buildFixedOutDegree(int64_t nSrc, int64_t nDst, int64_t k,
                                   bool allowAutapses, uint64_t seed,
                                   uint32_t streamId, int64_t selfShift) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  for (int64_t i = 0; i < nSrc; ++i) {
    fixedOutDegreeRow(i, nDst, k, allowAutapses, seed, streamId, selfShift,
                      csr.cols);
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}

CSR neuro::rt::buildFixedInDegree(int64_t nSrc, int64_t nDst, int64_t k,
                                  bool allowAutapses, uint64_t seed,
                                  uint32_t streamId, int64_t selfShift) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  // Sources per target, then a counting sort into rows by source.
  std::vector<std::vector<int32_t>> sources(size_t(std::max<int64_t>(nDst, 0)));
  for (int64_t j = 0; j < nDst; ++j) {
    PhiloxStream rng(seed, streamId, uint64_t(j));
    sources[size_t(j)] =
        sampleDistinct(nSrc, k, allowAutapses ? -1 : j - selfShift, rng);
    for (int32_t i : sources[size_t(j)])
      ++csr.rowPtr[size_t(i) + 1];
  }
  for (int64_t i = 0; i < nSrc; ++i)
    csr.rowPtr[size_t(i) + 1] += csr.rowPtr[size_t(i)];
  csr.cols.resize(size_t(csr.rowPtr.back()));
  std::vector<int64_t> next(csr.rowPtr.begin(), csr.rowPtr.end() - 1);
  for (int64_t j = 0; j < nDst; ++j) // ascending j: rows come out sorted
    for (int32_t i : sources[size_t(j)])
      csr.cols[size_t(next[size_t(i)]++)] = int32_t(j);
  return csr;
}

bool neuro::rt::checkFixedDegree(bool inDegree, int64_t k, int64_t nSrc,
                                 int64_t nDst, bool allowAutapses,
                                 std::string &err) {
  int64_t from = inDegree ? nSrc : nDst, to = inDegree ? nDst : nSrc;
  // Without autapses, a partner with the neuron's own index is excluded.
  int64_t available = !allowAutapses && to > 0 && from > 0 ? from - 1 : from;
  if (to <= 0 || k <= available)
    return true;
  const char *rule = inDegree ? "in_degree" : "out_degree";
  const char *partners = inDegree ? "sources" : "targets";
  const char *each = inDegree ? "target" : "source";
  const char *side = inDegree ? "source" : "target";
  err = std::string(rule) + " = " + std::to_string(k) + " needs " +
        std::to_string(k) + " distinct " + partners + " for each " + each +
        ", but the " + side + " has " + std::to_string(from) + " neurons";
  if (available < from)
    err += ", " + std::to_string(available) + " without the " + each +
           " itself (no_autapses)";
  return false;
}

CSR neuro::rt::buildOneToOne(int64_t nSrc, int64_t nDst) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  for (int64_t i = 0; i < nSrc; ++i) {
    if (i < nDst)
      csr.cols.push_back(int32_t(i));
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}
