//===- ConnectByRows.cpp - Projections drawn per source, on all threads ---===//
//
// Network::connectByRows builds a projection whose synapses, values and
// delays are drawn per source (detail::drawnPerSource) straight into its
// delay groups, on the threads of the network's pool. The sources are split
// into blocks; each row is drawn again in each pass rather than held:
//
//   1. the length of every row (and, with one delay, its synapses kept per
//      group), in parallel; the rows' first synapse ids by a prefix sum;
//   2. with delays drawn per synapse, the synapses of each (delay, source),
//      in parallel, each block counting its own sources;
//   3. the row pointers of the delay groups by prefix sums (serial, one
//      entry per delay and source);
//   4. every synapse and its values put in its slot, in parallel: each block
//      writes the slots of its own sources.
//
// Every draw is keyed by global indices (the projection, the source, the
// synapse's id in CSR order: Streams.h), so the network is the same bit for
// bit whatever the number of threads or blocks.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Streams.h"

#include <algorithm>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

/// What the count pass of a block of sources [begin, end) finds with delays
/// drawn per synapse: per delay in steps, the synapses kept (and, when the
/// projection is recorded over ranks, drawn) of each source of the block
/// (empty: no synapse of that delay), and the first synapse whose delay is
/// too long (-1: none).
struct BlockDelays {
  std::vector<std::vector<int64_t>> kept, whole;
  int64_t tooLong = -1;
};

/// Step 2's counts of every block into [delay][source + 1] (the synapses
/// kept, and of the whole projection when recorded), the blocks' memory
/// released as they go.
void mergeBlocks(std::vector<BlockDelays> &found,
                 const std::vector<int64_t> &blocks, int64_t nSrc,
                 bool recorded, std::vector<std::vector<int64_t>> &byDelay,
                 std::vector<std::vector<int64_t>> &wholeByDelay) {
  for (size_t b = 0; b < found.size(); ++b) {
    BlockDelays &f = found[b];
    if (byDelay.size() < f.kept.size()) {
      byDelay.resize(f.kept.size());
      wholeByDelay.resize(f.kept.size());
    }
    for (size_t d = 0; d < f.kept.size(); ++d) {
      if (f.kept[d].empty())
        continue;
      if (byDelay[d].empty()) {
        byDelay[d].assign(size_t(nSrc) + 1, 0);
        if (recorded)
          wholeByDelay[d].assign(size_t(nSrc) + 1, 0);
      }
      std::copy(f.kept[d].begin(), f.kept[d].end(),
                byDelay[d].begin() + blocks[b] + 1);
      if (recorded)
        std::copy(f.whole[d].begin(), f.whole[d].end(),
                  wholeByDelay[d].begin() + blocks[b] + 1);
    }
    f = BlockDelays();
  }
}

} // namespace

bool Network::connectByRows(size_t j, std::string &err) {
  // Over several processes only the synapses onto this process's targets
  // are kept, every draw keyed by the whole projection's synapse index as
  // one process draws it; every process has the same delay groups (the
  // delays of all synapses), and for a recorded projection the index each
  // kept synapse has in the whole projection (Distribution.h).
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  proj = Projection();
  int64_t nSrc = model.populations[size_t(spec.src)].size;
  auto [lo, hi] = ownedTargets(j);
  bool recorded = false;
  for (const StateRecordSpec &rec : model.stateRecords)
    recorded |= dist && rec.projection == int(j);
  bool drawn = spec.heterogeneousDelay;
  auto mine = [&](int32_t t) { return t >= lo && t < hi; };
  // A row costs about its synapses: blocks of sources, a few per thread.
  std::vector<int64_t> blocks = splitRange(pool.get(), nSrc, 64);

  // [delay][source + 1]: the synapses kept, and those of the whole
  // projection when recorded; rowStart[i]: the id of source i's first
  // synapse in CSR order.
  std::vector<std::vector<int64_t>> byDelay, wholeByDelay;
  std::vector<int64_t> rowStart(size_t(nSrc) + 1, 0);
  if (!drawn) {
    byDelay.resize(size_t(spec.delaySteps) + 1);
    wholeByDelay.resize(byDelay.size());
    byDelay.back().assign(size_t(nSrc) + 1, 0);
    if (recorded)
      wholeByDelay.back().assign(size_t(nSrc) + 1, 0);
  }
  // 1. Row lengths (with one delay: the synapses kept per source too).
  forBlocks(pool.get(), blocks, [&](int64_t begin, int64_t end) {
    if (interrupted())
      return;
    std::vector<int32_t> row;
    for (int64_t i = begin; i < end; ++i) {
      regenerateRow(j, i, row);
      rowStart[size_t(i) + 1] = int64_t(row.size());
      if (drawn)
        continue;
      byDelay.back()[size_t(i) + 1] =
          int64_t(std::count_if(row.begin(), row.end(), mine));
      if (recorded)
        wholeByDelay.back()[size_t(i) + 1] = int64_t(row.size());
    }
  });
  // Blocks skipped once a build is interrupted leave the counts wrong:
  // nothing may be placed by them.
  if (stopBuild(err))
    return false;
  for (int64_t i = 0; i < nSrc; ++i)
    rowStart[size_t(i) + 1] += rowStart[size_t(i)];
  int64_t nSyn = rowStart.back();

  // 2. With delays drawn per synapse: the synapses of each delay.
  if (drawn) {
    std::vector<BlockDelays> found(blocks.size() - 1);
    runTasks(pool.get(), int64_t(found.size()), [&](int64_t b) {
      int64_t begin = blocks[size_t(b)], end = blocks[size_t(b) + 1];
      BlockDelays &f = found[size_t(b)];
      std::vector<int32_t> row;
      for (int64_t i = begin; i < end && f.tooLong < 0; ++i) {
        regenerateRow(j, i, row);
        for (size_t q = 0; q < row.size(); ++q) {
          int64_t id = rowStart[size_t(i)] + int64_t(q);
          int64_t d = drawnDelaySteps(j, id);
          if (d > kMaxDelaySteps) {
            f.tooLong = id;
            break;
          }
          if (f.kept.size() <= size_t(d)) {
            f.kept.resize(size_t(d) + 1);
            f.whole.resize(size_t(d) + 1);
          }
          if (f.kept[size_t(d)].empty()) {
            f.kept[size_t(d)].assign(size_t(end - begin), 0);
            if (recorded)
              f.whole[size_t(d)].assign(size_t(end - begin), 0);
          }
          f.kept[size_t(d)][size_t(i - begin)] += mine(row[q]);
          if (recorded)
            ++f.whole[size_t(d)][size_t(i - begin)];
        }
      }
    });
    for (const BlockDelays &f : found)
      if (f.tooLong >= 0) { // the first in CSR order, as one thread finds it
        err = drawnDelayError(model, j, f.tooLong);
        return false;
      }
    mergeBlocks(found, blocks, nSrc, recorded, byDelay, wholeByDelay);
  }

  // 3. The row pointers of the delay groups, one after the other.
  std::vector<std::vector<int64_t>> wholePtrs;
  int64_t start = placeDelayGroups(
      proj, nSrc, byDelay, recorded ? &wholeByDelay : nullptr, &wholePtrs);

  // 4. Every synapse in its slot, with its values.
  size_t nRows = spec.synRows.size(), groups = proj.delays.size();
  int64_t kept = start;
  proj.csr.cols.resize(size_t(kept));
  proj.syn.resize(nRows * size_t(kept)); // every slot written below
  if (recorded)
    proj.wholeIndex.resize(size_t(kept));
  std::vector<uint32_t> streams(nRows);
  for (size_t r = 0; r < nRows; ++r)
    streams[r] = streams::synapseInit(uint32_t(j), uint32_t(r));
  forBlocks(pool.get(), blocks, [&](int64_t begin, int64_t end) {
    if (interrupted())
      return;
    std::vector<int32_t> row;
    std::vector<int64_t> next(groups), wholeNext(groups);
    for (int64_t i = begin; i < end; ++i) {
      regenerateRow(j, i, row);
      for (size_t g = 0; g < groups; ++g) {
        next[g] = proj.rowPtrs[g][size_t(i)];
        if (recorded)
          wholeNext[g] = wholePtrs[g][size_t(i)];
      }
      int64_t id = rowStart[size_t(i)];
      for (size_t q = 0; q < row.size(); ++q, ++id) {
        bool here = mine(row[q]);
        if (!here && !recorded)
          continue;
        size_t g =
            drawn ? size_t(proj.groupOf[size_t(drawnDelaySteps(j, id))]) : 0;
        int64_t whole = recorded ? wholeNext[g]++ : 0;
        if (!here)
          continue;
        int64_t at = next[g]++;
        proj.csr.cols[size_t(at)] = row[q];
        if (recorded)
          proj.wholeIndex[size_t(at)] = whole;
        for (size_t r = 0; r < nRows; ++r)
          proj.syn[r * size_t(kept) + size_t(at)] =
              initValue(spec.synInit[r], model.seed, streams[r], id);
      }
    }
  });
  if (stopBuild(err))
    return false;
  if (dist)
    proj.wholeSynapses = nSyn;
  proj.groupOf.clear();
  // Built, the synapses are found through their delay groups' rows alone
  // (compactRows drops any CSR by source).
  proj.csr.rowPtr = {0};
  prepareDelivery(j);
  return true;
}
