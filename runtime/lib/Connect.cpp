//===- Connect.cpp - Each projection's synapses, by rule ------------------===//
//
// The connectivity of each projection as a CSR over its whole source and
// target populations: drawn by the generators of Connectivity.h on the
// projection's slices and embedded, given per pair by a connection kernel
// (expressions), or read from a table file; then ablated neurons lose
// their synapses. The synapses are then grouped by delay and indexed for
// delivery (groupByDelay, planDeliveryParts, indexByTarget, indexSources).
// Every draw comes from the projection's connectivity stream (Streams.h),
// so the same seed gives the same network whatever the thread count.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Streams.h"
#include "neuro/Runtime/Table.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

/// A ConnectionSink of two callables.
template <typename Columns, typename Synapse>
class CallbackSink : public ConnectionSink {
public:
  CallbackSink(Columns &columns, Synapse &synapse)
      : onColumns(columns), onSynapse(synapse) {}
  bool columns(bool weights, bool delays, std::string &err) override {
    return onColumns(weights, delays, err);
  }
  bool synapse(uint64_t row, int64_t pre, int64_t post, double weight,
               double delay, std::string &err) override {
    return onSynapse(row, pre, post, weight, delay, err);
  }

private:
  Columns &onColumns;
  Synapse &onSynapse;
};

} // namespace

std::string neuro::rt::detail::tooLongDelay(double seconds, double dt) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "delay %g s is %.15g steps, more than the %lld a delay may "
                "have",
                seconds, std::round(seconds / dt),
                static_cast<long long>(Network::kMaxDelaySteps));
  return buf;
}

NeuroMemRef2DF64 Network::hostState(int pop) {
  const PopulationSpec &ps = model.populations[size_t(pop)];
  assert(pops[size_t(pop)].rowWidth == ps.size &&
         "the network is built on rows of every neuron");
  return memref2D(pops[size_t(pop)].state.data(), int64_t(ps.rows.size()),
                  ps.size);
}

void Network::connectByExpression(size_t j) {
  // Each pair (i, j) of the slices with the probability the kernel gives:
  // one uniform number per pair, keyed by (i, j).
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSrcAll = model.populations[size_t(spec.src)].size;
  int64_t nDstAll = model.populations[size_t(spec.dst)].size;
  int64_t srcBegin = spec.srcBegin, srcEnd = model.srcEndOf(spec);
  int64_t dstBegin = spec.dstBegin, dstEnd = model.dstEndOf(spec);
  NeuroMemRef2DF64 pre = hostState(spec.src), post = hostState(spec.dst);
  uint32_t pairs = streams::make(streams::Connectivity, uint32_t(j), 1);
  // Over ranks, only the pairs onto this rank's targets.
  if (builtAtTargets(j)) {
    std::pair<int64_t, int64_t> mine = owned(size_t(spec.dst));
    dstBegin = std::max(dstBegin, mine.first);
    dstEnd = std::max(dstBegin, std::min(dstEnd, mine.second));
  }
  proj.csr.rowPtr.assign(size_t(nSrcAll) + 1, 0);
  proj.csr.cols.clear();
  for (int64_t i = 0; i < nSrcAll; ++i) {
    // Every pair is evaluated: a large population takes minutes.
    if (interrupted())
      return;
    if (i >= srcBegin && i < srcEnd)
      for (int64_t t = dstBegin; t < dstEnd; ++t) {
        if (!spec.allowAutapses && spec.src == spec.dst && t == i)
          continue;
        double p = spec.connect(i, t, &pre, &post, int64_t(model.seed));
        if (!(p > 0))
          continue;
        if (p < 1) {
          PhiloxStream rng(model.seed, pairs,
                           uint64_t(i) * uint64_t(nDstAll) + uint64_t(t));
          if (!(rng.nextUniform() < p))
            continue;
        }
        proj.csr.cols.push_back(int32_t(t));
      }
    proj.csr.rowPtr[size_t(i) + 1] = int64_t(proj.csr.cols.size());
  }
}

bool Network::connectFromFile(size_t j, std::vector<double> &fileWeights,
                              std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSrcAll = model.populations[size_t(spec.src)].size;
  int64_t nDstAll = model.populations[size_t(spec.dst)].size;
  // Over ranks, where nothing is drawn by the synapse's index: only the
  // rows onto this rank's neurons (what localize would keep). Every row is
  // checked on every rank.
  std::pair<int64_t, int64_t> kept{0, INT64_MAX}; // targets, whole population
  bool weights = false, delays = false;
  auto columns = [&](bool w, bool d, std::string &) {
    weights = w;
    delays = d;
    proj.readAtTargets = readsAtTargets(j, w, d);
    if (proj.readAtTargets)
      kept = owned(size_t(spec.dst));
    return true;
  };
  // The first pass checks each row and counts the kept rows of each source.
  proj.csr.rowPtr.assign(size_t(nSrcAll) + 1, 0);
  uint64_t rows = 0;
  auto count = [&](uint64_t r, int64_t pre, int64_t post, double, double delay,
                   std::string &why) {
    ++rows;
    if (pre >= nSrcAll || post >= nDstAll) {
      why = spec.file + ": row " + std::to_string(r + 1) +
            " joins neurons outside the source (" + std::to_string(nSrcAll) +
            ") or target (" + std::to_string(nDstAll) + ")";
      return false;
    }
    if (delays && !(std::round(delay / model.dt) <= double(kMaxDelaySteps))) {
      why = spec.file + ": row " + std::to_string(r + 1) + ": " +
            tooLongDelay(delay, model.dt);
      return false;
    }
    int64_t target = post + spec.dstBegin;
    if (target >= kept.first && target < kept.second)
      ++proj.csr.rowPtr[size_t(pre) + 1];
    return true;
  };
  std::string weightName = spec.synRows.empty() ? "" : spec.synRows[0];
  std::string why;
  CallbackSink<decltype(columns), decltype(count)> counter(columns, count);
  if (!scanConnections(spec.file, weightName, counter, why)) {
    err = "projection '" + spec.name + "': " + why;
    return false;
  }
  for (int64_t i = 0; i < nSrcAll; ++i)
    proj.csr.rowPtr[size_t(i) + 1] += proj.csr.rowPtr[size_t(i)];
  // The second places them by source, in file order within each source.
  size_t n = size_t(proj.csr.rowPtr.back());
  std::vector<int64_t> next(proj.csr.rowPtr.begin(), proj.csr.rowPtr.end() - 1);
  proj.csr.cols.assign(n, 0);
  fileWeights.assign(weights ? n : 0, 0.0);
  proj.explicitDelays.assign(delays ? n : 0, 0.0);
  bool changed = false;
  auto same = [&](bool w, bool d, std::string &) {
    changed = w != weights || d != delays;
    return !changed;
  };
  uint64_t again = 0;
  auto place = [&](uint64_t, int64_t pre, int64_t post, double weight,
                   double delay, std::string &) {
    changed = ++again > rows || pre >= nSrcAll || post >= nDstAll;
    if (changed)
      return false;
    int64_t target = post + spec.dstBegin;
    if (target < kept.first || target >= kept.second)
      return true;
    int64_t at = next[size_t(pre)]++;
    changed = at >= proj.csr.rowPtr[size_t(pre) + 1];
    if (changed)
      return false;
    proj.csr.cols[size_t(at)] = int32_t(post);
    if (weights)
      fileWeights[size_t(at)] = weight;
    if (delays)
      proj.explicitDelays[size_t(at)] = delay;
    return true;
  };
  CallbackSink<decltype(same), decltype(place)> placer(same, place);
  bool read = scanConnections(spec.file, weightName, placer, why);
  if (changed || (read && again != rows)) {
    err = "projection '" + spec.name + "': '" + spec.file +
          "' changed while it was read";
    return false;
  }
  if (!read) {
    err = "projection '" + spec.name + "': " + why;
    return false;
  }
  return true;
}

void Network::embedSlices(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSrcAll = model.populations[size_t(spec.src)].size;
  int64_t srcBegin = spec.srcBegin, dstBegin = spec.dstBegin;
  int64_t nSrc = model.srcEndOf(spec) - srcBegin;
  if (srcBegin == 0 && nSrc == nSrcAll && dstBegin == 0)
    return;
  CSR full;
  full.rowPtr.assign(size_t(nSrcAll) + 1, 0);
  full.cols.reserve(proj.csr.cols.size());
  for (int64_t i = 0; i < nSrcAll; ++i) {
    int64_t r = i - srcBegin;
    if (r >= 0 && r < nSrc)
      for (int64_t s = proj.csr.rowPtr[size_t(r)];
           s < proj.csr.rowPtr[size_t(r) + 1]; ++s) {
        int64_t target = proj.csr.cols[size_t(s)] + dstBegin;
        // Overlapping slices of one population: no i -> i if asked (the
        // generators skip it already; one_to_one does not).
        if (!spec.allowAutapses && spec.src == spec.dst && target == i)
          continue;
        full.cols.push_back(int32_t(target));
      }
    full.rowPtr[size_t(i) + 1] = int64_t(full.cols.size());
  }
  proj.csr = std::move(full);
}

void Network::ablate(size_t j, std::vector<double> &fileWeights) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  const std::vector<int64_t> &deadSrc =
      model.populations[size_t(spec.src)].ablated;
  const std::vector<int64_t> &deadDst =
      model.populations[size_t(spec.dst)].ablated;
  if (deadSrc.empty() && deadDst.empty())
    return;
  auto dead = [](const std::vector<int64_t> &list, int64_t n) {
    return std::binary_search(list.begin(), list.end(), n);
  };
  CSR kept;
  std::vector<double> keptWeights;
  std::vector<double> keptDelays;
  kept.rowPtr.assign(proj.csr.rowPtr.size(), 0);
  for (size_t i = 0; i + 1 < proj.csr.rowPtr.size(); ++i) {
    for (int64_t q = proj.csr.rowPtr[i]; q < proj.csr.rowPtr[i + 1]; ++q)
      if (!dead(deadSrc, int64_t(i)) &&
          !dead(deadDst, proj.csr.cols[size_t(q)])) {
        kept.cols.push_back(proj.csr.cols[size_t(q)]);
        if (!fileWeights.empty())
          keptWeights.push_back(fileWeights[size_t(q)]);
        if (!proj.explicitDelays.empty())
          keptDelays.push_back(proj.explicitDelays[size_t(q)]);
      }
    kept.rowPtr[i + 1] = int64_t(kept.cols.size());
  }
  proj.csr = std::move(kept);
  if (!fileWeights.empty())
    fileWeights = std::move(keptWeights);
  if (!proj.explicitDelays.empty())
    proj.explicitDelays = std::move(keptDelays);
}

bool Network::connect(size_t j, std::vector<double> &fileWeights,
                      std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  // The slices: generators work on [srcBegin, srcEnd) x [dstBegin, dstEnd)
  // with relative indices, embedded into the full populations below.
  int64_t srcBegin = spec.srcBegin, srcEnd = model.srcEndOf(spec);
  int64_t dstBegin = spec.dstBegin, dstEnd = model.dstEndOf(spec);
  int64_t nSrc = srcEnd - srcBegin, nDst = dstEnd - dstBegin;
  // Source i of the slice is target i + selfShift: without autapses the
  // generators skip that pair while drawing (a fixed degree stays exact).
  bool autapses = spec.allowAutapses || spec.src != spec.dst;
  int64_t selfShift = srcBegin - dstBegin;
  uint32_t stream = streams::connectivity(uint32_t(j));
  proj.explicitDelays.clear();
  proj.order.clear();
  bool full = false; // the CSR already spans the whole populations
  switch (spec.rule) {
  case ProjectionSpec::Expression:
    connectByExpression(j);
    full = true;
    break;
  case ProjectionSpec::FromFile:
    if (!connectFromFile(j, fileWeights, err))
      return false;
    break;
  case ProjectionSpec::FixedProbability:
    proj.csr = buildFixedProbability(nSrc, nDst, spec.p, autapses, model.seed,
                                     stream, selfShift);
    break;
  case ProjectionSpec::FixedInDegree: {
    // Over ranks, only this rank's targets draw their sources.
    int64_t first = 0, last = nDst;
    if (builtAtTargets(j)) {
      std::pair<int64_t, int64_t> mine = owned(size_t(spec.dst));
      first = std::clamp<int64_t>(mine.first - dstBegin, 0, nDst);
      last = std::clamp<int64_t>(mine.second - dstBegin, first, nDst);
    }
    proj.csr = buildFixedInDegree(nSrc, nDst, spec.degree, autapses, model.seed,
                                  stream, selfShift, pool.get(), first, last);
    break;
  }
  case ProjectionSpec::FixedOutDegree:
    proj.csr = buildFixedOutDegree(nSrc, nDst, spec.degree, autapses,
                                   model.seed, stream, selfShift);
    break;
  case ProjectionSpec::OneToOne:
    proj.csr = buildOneToOne(nSrc, nDst);
    break;
  }
  if (!full)
    embedSlices(j);
  // Ablated neurons lose their synapses (and the file's weights).
  ablate(j, fileWeights);
  repeatSynapses(j, fileWeights);
  if (proj.readAtTargets)
    proj.wholeSynapses = dist->comm.sum(proj.csr.numSynapses());
  return true;
}

void Network::repeatSynapses(size_t j, std::vector<double> &fileWeights) {
  int64_t n = model.projections[j].multiplicity;
  if (n <= 1)
    return;
  Projection &proj = projs[j];
  repeatEach(proj.csr.cols, n);
  repeatEach(fileWeights, n);
  repeatEach(proj.explicitDelays, n);
  for (int64_t &start : proj.csr.rowPtr)
    start *= n;
}

bool Network::readsAtTargets(size_t j, bool fileWeights,
                             bool fileDelays) const {
  const ProjectionSpec &spec = model.projections[j];
  if (!dist || spec.rule != ProjectionSpec::FromFile || spec.synInitFn ||
      replicated(j))
    return false;
  for (size_t r = 0; r < spec.synInit.size(); ++r)
    if (spec.synInit[r].kind != InitSpec::Constant && !(r == 0 && fileWeights))
      return false;
  if (spec.heterogeneousDelay && !fileDelays &&
      spec.delayInit.kind != InitSpec::Constant)
    return false;
  return std::none_of(
      model.stateRecords.begin(), model.stateRecords.end(),
      [&](const StateRecordSpec &rec) { return rec.projection == int(j); });
}

bool Network::builtAtTargets(size_t j) const {
  const ProjectionSpec &spec = model.projections[j];
  return dist && !replicated(j) &&
         (spec.rule == ProjectionSpec::FixedInDegree ||
          spec.rule == ProjectionSpec::Expression) &&
         !projs[j].procedural && canGroupInParallel(j);
}

bool Network::groupByDelay(size_t j, std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  if (!spec.heterogeneousDelay && proj.explicitDelays.empty()) {
    proj.delays = {spec.delaySteps};
    proj.rowPtrs = {RowIndex(proj.csr.rowPtr)};
    // Read at its targets over ranks: a rank that kept no rows of a file
    // with delays gets here too, and drops its empty group.
    if (proj.readAtTargets)
      dist->agreeGroups(*this, j);
    return true;
  }
  // Each synapse's delay (given, or drawn in source-major order), rounded
  // to steps.
  std::vector<double> seconds = std::move(proj.explicitDelays);
  if (seconds.empty()) {
    seconds.resize(size_t(nSyn));
    fillRow(seconds.data(), nSyn, spec.delayInit, model.seed,
            streams::synapseInit(uint32_t(j), streams::kMaxRows - 1));
  }
  std::vector<int32_t> steps(static_cast<size_t>(nSyn));
  int64_t maxSteps = 0;
  for (int64_t s = 0; s < nSyn; ++s) {
    double d = std::round(std::max(0.0, seconds[size_t(s)]) / model.dt);
    if (!(d <= double(kMaxDelaySteps))) {
      err = "projection '" + spec.name +
            "': " + tooLongDelay(seconds[size_t(s)], model.dt);
      return false;
    }
    steps[size_t(s)] = int32_t(d);
    maxSteps = std::max<int64_t>(maxSteps, steps[size_t(s)]);
  }
  std::vector<double>().swap(seconds);
  // Stable counting sort by delay keeps source-major, target-sorted order
  // within each delay.
  std::vector<int64_t> start(size_t(maxSteps) + 2, 0);
  for (int32_t d : steps)
    ++start[size_t(d) + 1];
  for (size_t d = 1; d < start.size(); ++d)
    start[d] += start[d - 1];
  std::vector<int64_t> next(start.begin(), start.end() - 1);
  int64_t nSrc = proj.csr.numRows();
  AlignedVector<int32_t> cols(static_cast<size_t>(nSyn)); // all written
  std::vector<int32_t> source(static_cast<size_t>(nSyn));
  std::vector<int64_t> order(static_cast<size_t>(nSyn));
  for (int64_t i = 0; i < nSrc; ++i)
    for (int64_t s = proj.csr.rowPtr[size_t(i)];
         s < proj.csr.rowPtr[size_t(i) + 1]; ++s) {
      int64_t to = next[size_t(steps[size_t(s)])]++;
      cols[size_t(to)] = proj.csr.cols[size_t(s)];
      source[size_t(to)] = int32_t(i);
      order[size_t(to)] = s;
    }
  proj.delays.clear();
  proj.rowPtrs.clear();
  for (int64_t d = 0; d <= maxSteps; ++d) {
    if (start[size_t(d) + 1] == start[size_t(d)])
      continue;
    std::vector<int64_t> rowPtr(size_t(nSrc) + 1, 0);
    for (int64_t s = start[size_t(d)]; s < start[size_t(d) + 1]; ++s)
      ++rowPtr[size_t(source[size_t(s)]) + 1];
    rowPtr[0] = start[size_t(d)];
    for (int64_t i = 0; i < nSrc; ++i)
      rowPtr[size_t(i) + 1] += rowPtr[size_t(i)];
    proj.delays.push_back(d);
    proj.rowPtrs.emplace_back(std::move(rowPtr));
  }
  proj.csr.cols = std::move(cols);
  proj.csr.rowPtr = {0}; // synapses are no longer grouped by source
  proj.order = std::move(order);
  if (proj.readAtTargets)
    dist->agreeGroups(*this, j);
  return true;
}

/// The source of every synapse of `proj`: every delay group holds its
/// synapses by source.
static std::vector<int32_t> sourcesOf(const Network::Projection &proj) {
  std::vector<int32_t> source(size_t(proj.csr.numSynapses()), 0);
  for (const RowIndex &rowPtr : proj.rowPtrs)
    for (size_t i = 0; i + 1 < rowPtr.size(); ++i)
      for (int64_t s = rowPtr[i]; s < rowPtr[i + 1]; ++s)
        source[size_t(s)] = int32_t(i);
  return source;
}

void Network::indexByTarget(size_t j) {
  // A stable counting sort: each target's synapses in ascending ids.
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  int64_t nDst = model.populations[size_t(model.projections[j].dst)].size;
  proj.postPtr.assign(size_t(nDst) + 1, 0);
  for (int32_t c : proj.csr.cols)
    ++proj.postPtr[size_t(c) + 1];
  for (int64_t t = 0; t < nDst; ++t)
    proj.postPtr[size_t(t) + 1] += proj.postPtr[size_t(t)];
  std::vector<int64_t> next(proj.postPtr.begin(), proj.postPtr.end() - 1);
  proj.postSyn.resize(size_t(nSyn));
  for (int64_t s = 0; s < nSyn; ++s)
    proj.postSyn[size_t(next[size_t(proj.csr.cols[size_t(s)])]++)] = s;
  if (proj.rowPtrs.size() < 2)
    return;
  // Delay groups number their synapses group by group: `on post` runs a
  // target's synapses by source, as Brian2 runs them in the order they
  // were made (source by source), whatever their delays.
  std::vector<int32_t> source = sourcesOf(proj);
  for (int64_t t = 0; t < nDst; ++t)
    std::stable_sort(proj.postSyn.begin() + proj.postPtr[size_t(t)],
                     proj.postSyn.begin() + proj.postPtr[size_t(t) + 1],
                     [&](int64_t a, int64_t b) {
                       return source[size_t(a)] < source[size_t(b)];
                     });
}

void Network::indexSources(size_t j) { projs[j].srcs = sourcesOf(projs[j]); }

void Network::prepareDelivery(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  planDeliveryParts(j);
  if (spec.deliverPost)
    indexByTarget(j);
  if (spec.needsSources)
    indexSources(j);
  proj.mods.assign(spec.modulators.size() + 1, 0.0);
  proj.mods[0] = spec.plastic ? 1.0 : 0.0;
}

void Network::compactRows(size_t j) {
  Projection &proj = projs[j];
  for (RowIndex &rows : proj.rowPtrs)
    rows.compact();
  for (RowIndex &rows : proj.partPtrs)
    rows.compact();
  proj.csr.rowPtr = {0};
}

void Network::planDeliveryParts(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  proj.parts = 1;
  proj.partPtrs.clear();
  int64_t nDst = model.populations[size_t(spec.dst)].size;
  int64_t parts = std::min(nDst / kTargetsPerPart, kMaxParts);
  // One thread delivers whole rows: no memory for ranges it never splits.
  if (!spec.partitionable || parts < 2 || deliveryThreads < 2)
    return;
  const AlignedVector<int32_t> &cols = proj.csr.cols;
  // Each row must hold its targets in order; rows from a file may not.
  // Over blocks of sources on the pool's threads.
  for (const RowIndex &rowPtr : proj.rowPtrs) {
    std::vector<char> unsorted;
    std::vector<int64_t> blocks =
        splitRange(pool.get(), int64_t(rowPtr.size()) - 1, 256);
    unsorted.assign(blocks.size(), 0);
    runTasks(pool.get(), int64_t(blocks.size()) - 1, [&](int64_t b) {
      for (int64_t i = blocks[size_t(b)]; i < blocks[size_t(b) + 1]; ++i)
        for (int64_t q = rowPtr[size_t(i)] + 1; q < rowPtr[size_t(i) + 1]; ++q)
          if (cols[size_t(q - 1)] > cols[size_t(q)]) {
            unsorted[size_t(b)] = 1;
            return;
          }
    });
    if (std::count(unsorted.begin(), unsorted.end(), 1))
      return;
  }
  int64_t chunk = (nDst + parts - 1) / parts;
  for (const RowIndex &rowPtr : proj.rowPtrs) {
    int64_t nSrc = int64_t(rowPtr.size()) - 1;
    std::vector<int64_t> ptr(size_t(nSrc * (parts + 1)));
    parallelFor(pool.get(), nSrc, 256, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        auto first = cols.begin() + rowPtr[size_t(i)],
             last = cols.begin() + rowPtr[size_t(i) + 1];
        for (int64_t p = 0; p <= parts; ++p)
          ptr[size_t(i * (parts + 1) + p)] =
              std::lower_bound(first, last,
                               int32_t(std::min(p * chunk, nDst))) -
              cols.begin();
      }
    });
    proj.partPtrs.emplace_back(std::move(ptr));
  }
  proj.parts = parts;
  proj.partChunk = chunk;
}
