//===- GroupSynapses.cpp - Synapse values and delay groups, on all threads ===//
//
// Network::groupSynapses: the per-synapse values and delays of a projection
// whose CSR by source is built (drawn by a rule or given per pair), its
// synapses then moved into their delay groups, on the threads of the
// network's pool. The sources are split into blocks:
//
//   1. values given by expressions: the synapse-initialization kernel run
//      over each block (its draws keyed by the synapse's index in CSR
//      order), the values kept in CSR order and the delays in steps;
//   2. the synapses of each (delay, source), each block counting its own;
//   3. the row pointers of the delay groups by prefix sums;
//   4. every synapse put in its slot with its values, each block writing
//      the slots of its own sources (values drawn, not given by
//      expressions, are drawn there, keyed by the CSR index).
//
// The result is the same bit for bit whatever the number of threads, and
// the same as a CSR grouped by a stable counting sort by delay.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Streams.h"

#include <algorithm>
#include <cmath>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

/// Synapses handed to the initialization kernel at a time.
constexpr int64_t kKernelChunk = 8192;

/// What a block of sources finds: per delay in steps, the synapses of each
/// of its sources (empty: none of that delay), and its first synapse whose
/// drawn delay is too long (-1: none).
struct BlockCounts {
  std::vector<std::vector<int64_t>> byDelay;
  int64_t tooLong = -1;
};

} // namespace

int64_t neuro::rt::detail::placeDelayGroups(
    Network::Projection &proj, int64_t nSrc,
    std::vector<std::vector<int64_t>> &byDelay,
    std::vector<std::vector<int64_t>> *wholeByDelay,
    std::vector<std::vector<int64_t>> *wholePtrs) {
  // Each group's row pointers by a prefix sum from where the one before
  // ends.
  auto place = [nSrc](std::vector<int64_t> &ptr, int64_t &start) {
    ptr[0] = start;
    for (int64_t i = 0; i < nSrc; ++i)
      ptr[size_t(i) + 1] += ptr[size_t(i)];
    start = ptr.back();
  };
  int64_t start = 0, wholeStart = 0;
  proj.delays.clear();
  proj.rowPtrs.clear();
  proj.groupOf.assign(byDelay.size(), -1);
  for (size_t d = 0; d < byDelay.size(); ++d) {
    std::vector<int64_t> &ptr = byDelay[d];
    if (ptr.empty())
      continue;
    place(ptr, start);
    if (wholeByDelay) {
      place((*wholeByDelay)[d], wholeStart);
      wholePtrs->push_back(std::move((*wholeByDelay)[d]));
    }
    proj.groupOf[d] = int32_t(proj.delays.size());
    proj.delays.push_back(int64_t(d));
    proj.rowPtrs.emplace_back(std::move(ptr));
  }
  byDelay.clear();
  if (wholeByDelay)
    wholeByDelay->clear();
  return start;
}

bool Network::canGroupInParallel(size_t j) const {
  const ProjectionSpec &spec = model.projections[j];
  if (spec.rule == ProjectionSpec::FromFile || !projs[j].explicitDelays.empty())
    return false;
  for (const InitSpec &init : spec.synInit)
    if (init.kind == InitSpec::Timed)
      return false;
  return true;
}

void Network::synapseCounts(size_t j, std::vector<int32_t> &in,
                            std::vector<int32_t> &out) {
  const ProjectionSpec &spec = model.projections[j];
  const Projection &proj = projs[j];
  in.clear();
  out.clear();
  if (!spec.synInitCounts)
    return;
  const std::vector<int64_t> &rowPtr = proj.csr.rowPtr;
  std::vector<int64_t> rows(rowPtr.size() - 1);
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i] = rowPtr[i + 1] - rowPtr[i];
  // Built at its targets over ranks, a row is the ranks' parts of it.
  if (!proj.wholeRowStart.empty()) {
    std::vector<int64_t> before, total;
    dist->comm.scanSums(rows, before, total);
    rows = std::move(total);
  }
  out.assign(rows.begin(), rows.end());
  // A target's synapses are all on its rank.
  in.assign(size_t(model.populations[size_t(spec.dst)].size), 0);
  for (int32_t t : proj.csr.cols)
    ++in[size_t(t)];
}

bool Network::initByKernel(size_t j, const std::vector<int64_t> &blocks,
                           AlignedVector<double> &values,
                           AlignedVector<int32_t> &steps, std::string &err) {
  // The kernel writes the rows given by expressions (and the delay); the
  // others keep their drawn values, as fillRow gives them.
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  int64_t nRows = int64_t(spec.synRows.size());
  int64_t rows = nRows + (spec.delayFromInit ? 1 : 0);
  values.resize(size_t(nRows * nSyn)); // every value written below
  if (spec.delayFromInit)
    steps.resize(size_t(nSyn));
  std::vector<uint32_t> streams(static_cast<size_t>(nRows));
  for (int64_t r = 0; r < nRows; ++r)
    streams[size_t(r)] = streams::synapseInit(uint32_t(j), uint32_t(r));
  NeuroMemRef2DF64 pre = hostState(spec.src), post = hostState(spec.dst);
  std::vector<int32_t> inDegree, outDegree;
  synapseCounts(j, inDegree, outDegree);
  const NeuroMemRefI32 in = memref1D(inDegree.data(), int64_t(inDegree.size()));
  const NeuroMemRefI32 out =
      memref1D(outDegree.data(), int64_t(outDegree.size()));
  // Per block, the first delay (synapse, seconds) not finite or negative,
  // and the first too long.
  struct Bad {
    int64_t invalid = -1, tooLong = -1;
    double invalidSeconds = 0, tooLongSeconds = 0;
  };
  std::vector<Bad> bad(blocks.size() - 1);
  runTasks(pool.get(), int64_t(bad.size()), [&](int64_t b) {
    int64_t begin = blocks[size_t(b)], end = blocks[size_t(b) + 1];
    AlignedVector<double> chunk;
    std::vector<int32_t> srcs;
    int64_t i = begin;
    // Built at its targets over ranks, a chunk's draws are keyed by whole
    // ids consecutive within a row only: chunks end with rows.
    bool byRow = !proj.wholeRowStart.empty();
    for (int64_t s0 = proj.csr.rowPtr[size_t(begin)],
                 last = proj.csr.rowPtr[size_t(end)], n = 0;
         s0 < last; s0 += n) {
      while (proj.csr.rowPtr[size_t(i) + 1] <= s0)
        ++i;
      n = std::min(kKernelChunk,
                   (byRow ? proj.csr.rowPtr[size_t(i) + 1] : last) - s0);
      int64_t id = wholeId(proj, i, s0);
      chunk.resize(size_t(rows * n));
      srcs.resize(size_t(n));
      for (int64_t q = 0, k = i; q < n; ++q) {
        while (proj.csr.rowPtr[size_t(k) + 1] <= s0 + q)
          ++k;
        srcs[size_t(q)] = int32_t(k);
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t q = 0; q < n; ++q)
          chunk[size_t(r * n + q)] =
              r < nRows ? initValue(spec.synInit[size_t(r)], model.seed,
                                    streams[size_t(r)], id + q)
                        : 0.0;
      NeuroMemRefI32 srcRef = memref1D(srcs.data(), n);
      NeuroMemRefI32 cols = memref1D(proj.csr.cols.data() + s0, n);
      NeuroMemRef2DF64 syn = memref2D(chunk.data(), rows, n);
      NeuroMemRef2DF64 preRef = pre, postRef = post;
      NeuroMemRefI32 inRef = in, outRef = out;
      spec.synInitFn(&srcRef, &cols, &syn, &preRef, &postRef,
                     int64_t(model.seed), id, &inRef, &outRef);
      for (int64_t r = 0; r < nRows; ++r)
        std::copy_n(chunk.data() + r * n, n, values.data() + r * nSyn + s0);
      if (!spec.delayFromInit)
        continue;
      const double *delay = chunk.data() + nRows * n;
      Bad &first = bad[size_t(b)];
      for (int64_t q = 0; q < n; ++q) {
        double d = delay[q];
        if (!(d >= 0) || !std::isfinite(d)) {
          if (first.invalid < 0)
            first = {s0 + q, first.tooLong, d, first.tooLongSeconds};
          steps[size_t(s0 + q)] = 0;
          continue;
        }
        double k = std::round(d / model.dt);
        if (!(k <= double(kMaxDelaySteps))) {
          if (first.tooLong < 0) {
            first.tooLong = s0 + q;
            first.tooLongSeconds = d;
          }
          k = 0;
        }
        steps[size_t(s0 + q)] = int32_t(k);
      }
    }
  });
  // The first error in CSR order, as one thread finds it: delays that are
  // not finite or negative before delays too long.
  for (const Bad &f : bad)
    if (f.invalid >= 0) {
      err = "projection '" + spec.name + "': a delay expression gave " +
            std::to_string(f.invalidSeconds) +
            " s; delays must be finite and >= 0";
      return false;
    }
  for (const Bad &f : bad)
    if (f.tooLong >= 0) {
      err = "projection '" + spec.name +
            "': " + tooLongDelay(f.tooLongSeconds, model.dt);
      return false;
    }
  return true;
}

bool Network::groupSynapses(size_t j, std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSrc = proj.csr.numRows(), nSyn = proj.csr.numSynapses();
  size_t nRows = spec.synRows.size();
  bool kernel = spec.synInitFn != nullptr;
  bool grouped = spec.heterogeneousDelay || spec.delayFromInit;
  std::vector<int64_t> blocks = splitRange(pool.get(), nSrc, 64);
  std::vector<uint32_t> streams(nRows);
  for (size_t r = 0; r < nRows; ++r)
    streams[r] = streams::synapseInit(uint32_t(j), uint32_t(r));

  // 1. Values given by expressions, in CSR order. Draws are keyed by the
  // whole projection's CSR index (wholeId: over ranks, of a projection
  // built at its targets, not the index here).
  AlignedVector<double> values;
  AlignedVector<int32_t> steps; // delays given by an expression
  bool ok = !kernel || initByKernel(j, blocks, values, steps, err);
  auto delayOf = [&](int64_t i, int64_t s) -> int64_t {
    if (!steps.empty())
      return steps[size_t(s)];
    return spec.heterogeneousDelay ? drawnDelaySteps(j, wholeId(proj, i, s))
                                   : spec.delaySteps;
  };
  auto valueOf = [&](size_t r, int64_t i, int64_t s) {
    return kernel ? values[r * size_t(nSyn) + size_t(s)]
                  : initValue(spec.synInit[r], model.seed, streams[r],
                              wholeId(proj, i, s));
  };

  // 2. The synapses of each delay, per source.
  std::vector<BlockCounts> found(grouped ? blocks.size() - 1 : 0);
  runTasks(pool.get(), ok ? int64_t(found.size()) : 0, [&](int64_t b) {
    int64_t begin = blocks[size_t(b)], end = blocks[size_t(b) + 1];
    BlockCounts &f = found[size_t(b)];
    for (int64_t i = begin; i < end && f.tooLong < 0; ++i)
      for (int64_t s = proj.csr.rowPtr[size_t(i)];
           s < proj.csr.rowPtr[size_t(i) + 1]; ++s) {
        int64_t d = delayOf(i, s);
        if (d > kMaxDelaySteps) {
          f.tooLong = wholeId(proj, i, s);
          break;
        }
        if (f.byDelay.size() <= size_t(d))
          f.byDelay.resize(size_t(d) + 1);
        if (f.byDelay[size_t(d)].empty())
          f.byDelay[size_t(d)].assign(size_t(end - begin), 0);
        ++f.byDelay[size_t(d)][size_t(i - begin)];
      }
  });
  for (const BlockCounts &f : found)
    if (ok && f.tooLong >= 0) { // the first in CSR order, as one thread
      err = drawnDelayError(model, j, f.tooLong); // finds it
      ok = false;
    }
  // Over ranks, every process stops when one finds an error.
  if (!proj.wholeRowStart.empty())
    ok = dist->comm.agree(ok, err);
  if (!ok)
    return false;

  if (!grouped) {
    // One delay: the CSR is the group; the values in place.
    proj.delays = {spec.delaySteps};
    proj.rowPtrs = {RowIndex(proj.csr.rowPtr)};
    if (kernel) {
      proj.syn = std::move(values);
    } else {
      proj.syn.resize(nRows * size_t(nSyn)); // every value written below
      forBlocks(pool.get(), blocks, [&](int64_t begin, int64_t end) {
        for (size_t r = 0; r < nRows; ++r)
          for (int64_t i = begin; i < end; ++i)
            for (int64_t s = proj.csr.rowPtr[size_t(i)];
                 s < proj.csr.rowPtr[size_t(i) + 1]; ++s)
              proj.syn[r * size_t(nSyn) + size_t(s)] = valueOf(r, i, s);
      });
    }
    prepareDelivery(j);
    return true;
  }

  // 3. The row pointers of the delay groups, one after the other.
  std::vector<std::vector<int64_t>> byDelay;
  for (size_t b = 0; b < found.size(); ++b) {
    BlockCounts &f = found[b];
    if (byDelay.size() < f.byDelay.size())
      byDelay.resize(f.byDelay.size());
    for (size_t d = 0; d < f.byDelay.size(); ++d) {
      if (f.byDelay[d].empty())
        continue;
      if (byDelay[d].empty())
        byDelay[d].assign(size_t(nSrc) + 1, 0);
      std::copy(f.byDelay[d].begin(), f.byDelay[d].end(),
                byDelay[d].begin() + blocks[b] + 1);
    }
    f = BlockCounts();
  }
  // Over ranks, the same delay groups everywhere (some empty here).
  if (!proj.wholeRowStart.empty())
    dist->agreeDelays(byDelay, nSrc);
  placeDelayGroups(proj, nSrc, byDelay, nullptr, nullptr);

  // 4. Every synapse in its slot, with its values.
  size_t groups = proj.delays.size();
  AlignedVector<int32_t> cols(static_cast<size_t>(nSyn)); // all written
  AlignedVector<double> syn;
  syn.resize(nRows * size_t(nSyn)); // every value written below
  forBlocks(pool.get(), blocks, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> next(groups);
    for (int64_t i = begin; i < end; ++i) {
      for (size_t g = 0; g < groups; ++g)
        next[g] = proj.rowPtrs[g][size_t(i)];
      for (int64_t s = proj.csr.rowPtr[size_t(i)];
           s < proj.csr.rowPtr[size_t(i) + 1]; ++s) {
        int64_t at = next[size_t(proj.groupOf[size_t(delayOf(i, s))])]++;
        cols[size_t(at)] = proj.csr.cols[size_t(s)];
        for (size_t r = 0; r < nRows; ++r)
          syn[r * size_t(nSyn) + size_t(at)] = valueOf(r, i, s);
      }
    }
  });
  proj.csr.cols = std::move(cols);
  proj.csr.rowPtr = {0}; // synapses are no longer grouped by source
  proj.groupOf.clear();
  proj.syn = std::move(syn);
  prepareDelivery(j);
  return true;
}
