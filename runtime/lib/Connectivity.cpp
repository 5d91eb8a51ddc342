//===- Connectivity.cpp - Connectivity generators -------------------------===//
//
// Fixed-probability connectivity by geometric skipping: the gap to the next
// connected column is geometrically distributed, so a row costs O(p * nDst)
// draws instead of nDst.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Connectivity.h"

#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/ThreadPool.h"

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

  std::vector<int32_t> row;
  for (int64_t i = 0; i < nSrc; ++i) {
    row.clear();
    fixedProbabilityRow(i, nDst, p, allowAutapses, seed, streamId, selfShift,
                        row);
    csr.cols.insert(csr.cols.end(), row.begin(), row.end());
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}

/// Appends `k` distinct values of [0, n) except `excluded` (none when
/// outside [0, n)) to `out`, sorted: Robert Floyd's sampling without
/// replacement, draw q of (seed, stream, entity) choosing the q-th value.
/// The draws are made first, several blocks at once; the choices are
/// marked in a bit per candidate, kept between calls and cleared after
/// each, and read back in order by a scan of the marks when that costs
/// less than sorting them.
template <typename Out>
static void sampleDistinct(int64_t n, int64_t k, int64_t excluded,
                           uint64_t seed, uint32_t stream, uint64_t entity,
                           Out &out) {
  int64_t pool = excluded >= 0 && excluded < n ? n - 1 : n;
  k = std::min(k, pool);
  if (k <= 0)
    return;
  thread_local std::vector<uint64_t> marks;
  thread_local std::vector<double> draws;
  thread_local std::vector<int64_t> picked;
  size_t words = size_t(pool + 63) / 64;
  if (marks.size() < words)
    marks.resize(words, 0);
  draws.resize(size_t(k));
  philoxUniforms(seed, stream, entity, 0, k, draws.data());
  bool scan = int64_t(words) <= 8 * k;
  picked.clear();
  for (int64_t j = pool - k, q = 0; j < pool; ++j, ++q) {
    int64_t t = std::min(int64_t(draws[size_t(q)] * double(j + 1)), j);
    int64_t v = marks[size_t(t) >> 6] >> (t & 63) & 1 ? j : t;
    marks[size_t(v) >> 6] |= uint64_t(1) << (v & 63);
    if (!scan)
      picked.push_back(v);
  }
  // Map [0, pool) onto [0, n) skipping the excluded value.
  bool skip = pool < n;
  auto add = [&](int64_t v) {
    out.push_back(int32_t(skip && v >= excluded ? v + 1 : v));
  };
  if (scan) {
    for (size_t w = 0; w < words; ++w)
      for (uint64_t bits = marks[w]; bits; bits &= bits - 1)
        add(int64_t(w * 64) + __builtin_ctzll(bits));
    std::fill_n(marks.begin(), words, 0);
    return;
  }
  std::sort(picked.begin(), picked.end());
  for (int64_t v : picked) {
    add(v);
    marks[size_t(v) >> 6] = 0;
  }
}

void neuro::rt::fixedOutDegreeRow(int64_t i, int64_t nDst, int64_t k,
                                  bool allowAutapses, uint64_t seed,
                                  uint32_t streamId, int64_t selfShift,
                                  std::vector<int32_t> &out) {
  sampleDistinct(nDst, k, allowAutapses ? -1 : i + selfShift, seed, streamId,
                 uint64_t(i), out);
}

CSR neuro::rt::buildFixedOutDegree(int64_t nSrc, int64_t nDst, int64_t k,
                                   bool allowAutapses, uint64_t seed,
                                   uint32_t streamId, int64_t selfShift) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  std::vector<int32_t> row;
  for (int64_t i = 0; i < nSrc; ++i) {
    row.clear();
    fixedOutDegreeRow(i, nDst, k, allowAutapses, seed, streamId, selfShift,
                      row);
    csr.cols.insert(csr.cols.end(), row.begin(), row.end());
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}

CSR neuro::rt::buildFixedInDegree(int64_t nSrc, int64_t nDst, int64_t k,
                                  bool allowAutapses, uint64_t seed,
                                  uint32_t streamId, int64_t selfShift,
                                  ThreadPool *pool, int64_t targetBegin,
                                  int64_t targetEnd) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  nDst = std::max<int64_t>(nDst, 0);
  targetEnd = targetEnd < 0 ? nDst : std::min(targetEnd, nDst);
  targetBegin = std::clamp<int64_t>(targetBegin, 0, targetEnd);
  // Sources per target, drawn over blocks of targets in parallel, each
  // block counting its synapses per source; then a counting sort into rows
  // by source, each block writing from where the blocks before it end in
  // each row. Blocks hold a count per source: at least nSrc / k targets
  // each, so that the counts cost no more than the synapses.
  std::vector<int64_t> blocks =
      splitRange(pool, targetEnd - targetBegin,
                 std::max<int64_t>(16, nSrc / std::max<int64_t>(k, 1)));
  for (int64_t &b : blocks)
    b += targetBegin;
  size_t nBlocks = blocks.size() - 1;
  // Per block: the sources of its targets one after the other, where each
  // target's start, and the block's synapses per source.
  struct Block {
    AlignedVector<int32_t> sources;
    std::vector<int64_t> starts, count;
  };
  std::vector<Block> drawn(nBlocks);
  runTasks(pool, int64_t(nBlocks), [&](int64_t b) {
    Block &block = drawn[size_t(b)];
    int64_t first = blocks[size_t(b)], last = blocks[size_t(b) + 1];
    block.count.assign(size_t(nSrc), 0);
    block.sources.reserve(
        size_t((last - first) * std::clamp<int64_t>(k, 0, nSrc)));
    block.starts.reserve(size_t(last - first + 1));
    block.starts.push_back(0);
    for (int64_t j = first; j < last; ++j) {
      size_t from = block.sources.size();
      sampleDistinct(nSrc, k, allowAutapses ? -1 : j - selfShift, seed,
                     streamId, uint64_t(j), block.sources);
      for (size_t q = from; q < block.sources.size(); ++q)
        ++block.count[size_t(block.sources[q])];
      block.starts.push_back(int64_t(block.sources.size()));
    }
  });
  // Where each block's synapses start in each row.
  for (int64_t i = 0; i < nSrc; ++i) {
    int64_t next = csr.rowPtr[size_t(i)];
    for (Block &block : drawn) {
      int64_t c = block.count[size_t(i)];
      block.count[size_t(i)] = next;
      next += c;
    }
    csr.rowPtr[size_t(i) + 1] = next;
  }
  csr.cols.resize(size_t(csr.rowPtr.back())); // every slot written below
  runTasks(pool, int64_t(nBlocks), [&](int64_t b) {
    Block &block = drawn[size_t(b)];
    int64_t first = blocks[size_t(b)], last = blocks[size_t(b) + 1];
    // Ascending j: rows come out sorted.
    for (int64_t j = first; j < last; ++j)
      for (int64_t q = block.starts[size_t(j - first)];
           q < block.starts[size_t(j - first) + 1]; ++q) {
        int32_t i = block.sources[size_t(q)];
        csr.cols[size_t(block.count[size_t(i)]++)] = int32_t(j);
      }
    block = Block();
  });
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
