//===- Network.cpp - The host's work on a built network -------------------===//
//
// What every backend needs done on the host, whatever runs the kernels:
// the rows the kernels update (float32 copies in single precision) and the
// descriptors over them, rows that follow a table in time, modulators, the
// spikes of generators (spike times and Poisson sources; Poisson drives in
// PoissonDrive.cpp), and the synapses' delays and sources.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Distribution.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <limits>

using namespace neuro::rt;
using namespace neuro::rt::detail;

void Network::clear() {
  pops.clear();
  projs.clear();
  events = 0;
}

std::pair<int64_t, int64_t> Network::owned(size_t p) const {
  if (dist)
    return {dist->begin(p), dist->end(p)};
  return {0, model.populations[p].size};
}

bool Network::replicated(size_t j) const {
  return dist && model.projections[j].replicatedOverRanks();
}

std::pair<int64_t, int64_t> Network::ownedTargets(size_t j) const {
  const ProjectionSpec &spec = model.projections[j];
  if (replicated(j))
    return {0, model.populations[size_t(spec.dst)].size};
  return owned(size_t(spec.dst));
}

bool Network::countsHere(size_t j) const {
  return !replicated(j) || dist->comm.root();
}

bool Network::keptWhole(size_t p) const {
  for (const ProjectionSpec &j : model.projections) {
    if (j.src == int(p) && (j.readsSource || j.writesSource))
      return true;
    // Held whole by every process: its events write every target.
    if (j.dst == int(p) && j.replicatedOverRanks())
      return true;
    // A sum kernel clears the summed rows of every target.
    if (j.dst == int(p) && j.sum)
      return true;
    for (const ProjectionSpec::Modulator &m : j.modulators)
      if (m.population == int(p))
        return true;
  }
  return false;
}

namespace {
/// Rows of `from` ([rows][fromWidth], neurons from fromBegin) as rows of
/// neurons [begin, begin + width), 0 where `from` has none.
template <typename T>
AlignedVector<T> moveRows(const AlignedVector<T> &from, size_t rows,
                          int64_t fromBegin, int64_t fromWidth, int64_t begin,
                          int64_t width) {
  AlignedVector<T> to(rows * size_t(width), T(0));
  int64_t lo = std::max(begin, fromBegin);
  int64_t hi = std::min(begin + width, fromBegin + fromWidth);
  for (size_t r = 0; r < rows && lo < hi; ++r)
    std::copy_n(from.data() + int64_t(r) * fromWidth + (lo - fromBegin),
                hi - lo, to.data() + int64_t(r) * width + (lo - begin));
  return to;
}
} // namespace

void Network::localizeRows(size_t p, bool local) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  auto [begin, end] = owned(p);
  if (!local)
    begin = 0, end = spec.size;
  if (begin == pop.rowBegin && end - begin == pop.rowWidth)
    return;
  size_t rows = spec.rows.size();
  pop.state =
      moveRows(pop.state, rows, pop.rowBegin, pop.rowWidth, begin, end - begin);
  if (!pop.state32.empty())
    pop.state32 = moveRows(pop.state32, rows, pop.rowBegin, pop.rowWidth, begin,
                           end - begin);
  pop.rowBegin = begin;
  pop.rowWidth = end - begin;
}

void Network::replaceRows(size_t p, AlignedVector<double> whole) {
  Population &pop = pops[p];
  int64_t size = model.populations[p].size;
  bool local = pop.rowWidth != size;
  // The values go into the rows' own memory where the size allows: the
  // host may hold views of it (Python's numpy arrays).
  AlignedVector<double> kept = std::move(pop.state);
  pop.state = std::move(whole);
  pop.rowBegin = 0;
  pop.rowWidth = size;
  // The float rows are rounded from these before the next step.
  if (!pop.state32.empty())
    pop.state32.assign(pop.state.size(), 0.0f);
  localizeRows(p, local);
  if (kept.size() == pop.state.size()) {
    std::copy(pop.state.begin(), pop.state.end(), kept.begin());
    pop.state = std::move(kept);
  }
}

void Network::localizeRows(bool local) {
  if (!dist)
    return;
  for (size_t p = 0; p < pops.size(); ++p)
    if (!model.populations[p].generator && !keptWhole(p))
      localizeRows(p, local);
}

int64_t Network::stateBytes() const {
  int64_t bytes = 0;
  for (const Population &pop : pops)
    bytes += int64_t(pop.state.size() * sizeof(double) +
                     pop.state32.size() * sizeof(float));
  return bytes;
}

void *Network::kernelRows(size_t p) {
  Population &pop = pops[p];
  return single() ? static_cast<void *>(pop.state32.data())
                  : static_cast<void *>(pop.state.data());
}

void *Network::kernelSynapseRows(size_t j) {
  Projection &proj = projs[j];
  return singleSynapses() ? static_cast<void *>(proj.syn32.data())
                          : static_cast<void *>(proj.syn.data());
}

// Float rows pass through the same descriptor: the kernels only take their
// address (memref<?x?xf32>, see ABI.h). Rows of some neurons only are
// indexed by neuron all the same: the descriptor's pointer is where neuron
// 0 would be (ABI.h).
NeuroMemRef2DF64 Network::kernelState(size_t p) {
  const PopulationSpec &spec = model.populations[p];
  const Population &pop = pops[p];
  auto *rows = static_cast<double *>(kernelRows(p));
  NeuroMemRef2DF64 d = memref2D(rows, int64_t(spec.rows.size()), spec.size);
  if (rows && pop.rowWidth != spec.size) {
    auto origin = reinterpret_cast<uintptr_t>(rows) -
                  uintptr_t(pop.rowBegin * kernelValueBytes());
    d.allocated = d.aligned = reinterpret_cast<double *>(origin);
    d.strides[0] = pop.rowWidth;
  }
  return d;
}

bool Network::recordsLets(const StateRecordSpec &rec) const {
  if (rec.projection >= 0)
    return false;
  const PopulationSpec &spec = model.populations[size_t(rec.population)];
  for (int row : rec.rows)
    if (spec.isSampled(spec.rows[size_t(row)]))
      return true;
  return false;
}

void Network::computeLets(const StateRecordSpec &rec, int64_t k) {
  if (!recordsLets(rec))
    return;
  const PopulationSpec &spec = model.populations[size_t(rec.population)];
  const Population &pop = pops[size_t(rec.population)];
  int64_t begin = std::max(rec.begin, pop.rowBegin);
  int64_t end =
      std::min(rec.end < 0 ? spec.size : rec.end, pop.rowBegin + pop.rowWidth);
  if (!spec.sampleFn || begin >= end)
    return;
  NeuroMemRef2DF64 state = kernelState(size_t(rec.population));
  spec.sampleFn(&state, k, begin, end);
}

NeuroMemRef2DF64 Network::kernelSynapses(size_t j) {
  return memref2D(static_cast<double *>(kernelSynapseRows(j)),
                  int64_t(model.projections[j].synRows.size()),
                  projs[j].csr.numSynapses());
}

namespace {
void round(AlignedVector<double> &from, AlignedVector<float> &to) {
  to.resize(from.size());
  for (size_t i = 0; i < from.size(); ++i) {
    to[i] = float(from[i]);
    from[i] = to[i];
  }
}
} // namespace

void Network::pushKernelRows() {
  if (single())
    for (Population &pop : pops)
      round(pop.state, pop.state32);
  // Float32 synapse rows: only those the host holds a copy of (a
  // projection without synapse rows has neither).
  if (singleSynapses())
    for (Projection &proj : projs)
      if (!proj.syn.empty())
        round(proj.syn, proj.syn32);
  kernelStale = false;
}

void Network::syncHostRows() const {
  if (!hostStale)
    return;
  if (single())
    for (const Population &pop : pops)
      std::copy(pop.state32.begin(), pop.state32.end(),
                const_cast<double *>(pop.state.data()));
  for (const Projection &proj : projs)
    if (!proj.syn.empty())
      std::copy(proj.syn32.begin(), proj.syn32.end(),
                const_cast<double *>(proj.syn.data()));
  hostStale = false;
}

void Network::narrowSynapses(size_t j) {
  Projection &proj = projs[j];
  round(proj.syn, proj.syn32);
  proj.syn = AlignedVector<double>();
}

double *Network::hostSynapses(size_t j) const {
  auto &proj = const_cast<Projection &>(projs[j]);
  if (!singleSynapses())
    return proj.syn.data();
  syncHostRows();
  if (proj.syn.size() != proj.syn32.size())
    proj.syn.assign(proj.syn32.begin(), proj.syn32.end());
  return proj.syn.data();
}

void Network::fillTimed(size_t p, size_t r, int64_t k) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  double *row = pop.state.data() + int64_t(r) * pop.rowWidth;
  fillTimedRow(row, pop.rowBegin, pop.rowWidth, spec.init[r], k);
  if (single())
    for (int64_t i = 0; i < pop.rowWidth; ++i) {
      float v = float(row[i]);
      pop.state32[size_t(int64_t(r) * pop.rowWidth + i)] = v;
      row[i] = v;
    }
}

void Network::updateModulators(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  for (size_t m = 0; m < spec.modulators.size(); ++m) {
    const ProjectionSpec::Modulator &mod = spec.modulators[m];
    int64_t n = model.populations[size_t(mod.population)].size;
    const Population &pop = pops[size_t(mod.population)];
    assert(pop.rowWidth == n && "a modulator's rows are kept whole");
    // The mean of the row the kernels update.
    auto mean = [&](const auto *rows) {
      double sum = 0.0;
      for (int64_t i = 0; i < n; ++i)
        sum += rows[int64_t(mod.row) * n + i];
      return sum / double(n);
    };
    projs[j].mods[m + 1] =
        single() ? mean(pop.state32.data()) : mean(pop.state.data());
  }
}

void Network::generatorSpikes(size_t p, int64_t k, std::vector<int32_t> &list) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  if (spec.driveInputs > 0) {
    driveSpikes(p, k, list);
    return;
  }
  if (spec.poissonRate >= 0) {
    // Poisson sources: the neurons whose next spike is in step k.
    auto later = std::greater<std::pair<int64_t, int32_t>>();
    while (!pop.nextSpikes.empty() && pop.nextSpikes.front().first <= k) {
      std::pop_heap(pop.nextSpikes.begin(), pop.nextSpikes.end(), later);
      int32_t i = pop.nextSpikes.back().second;
      pop.nextSpikes.pop_back();
      list.push_back(i);
      schedulePoisson(p, i, k);
    }
    std::sort(list.begin(), list.end());
    return;
  }
  // Spikes given by time: those scheduled for step k (of its period), a
  // neuron listed twice twice.
  if (spec.schedulePeriod > 0)
    k %= spec.schedulePeriod;
  auto it =
      std::lower_bound(spec.schedule.begin(), spec.schedule.end(),
                       std::make_pair(k, std::numeric_limits<int32_t>::min()));
  for (; it != spec.schedule.end() && it->first == k; ++it)
    list.push_back(it->second);
}

std::vector<int32_t> Network::synapseDelays(size_t j) const {
  // Each delay group is a contiguous block of synapses; a procedural
  // projection stores none.
  const Projection &p = projs[j];
  if (p.procedural)
    return {};
  std::vector<int32_t> delays(size_t(p.csr.numSynapses()));
  for (size_t g = 0; g < p.delays.size(); ++g)
    std::fill(delays.begin() + p.rowPtrs[g].front(),
              delays.begin() + p.rowPtrs[g].back(), int32_t(p.delays[g]));
  return delays;
}

int64_t Network::synapseSource(const Projection &proj, int64_t s) {
  // The source of synapse s: the row of its delay group holding it.
  for (const RowIndex &rowPtr : proj.rowPtrs)
    if (int64_t i = rowPtr.rowOf(s); i >= 0)
      return i;
  return -1;
}
