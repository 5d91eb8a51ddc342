//===- Initialize.cpp - Allocating and initializing a network -------------===//
//
// Network::allocate: refuses networks that cannot fit in memory, fills
// each population's state rows from their initial values (constants,
// draws, tables, expressions), connects each projection (Connect.cpp),
// sets its per-synapse variables (drawn, given by expressions or read
// from its file) in the order delivery reads them, and sizes the delay
// rings.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Procedural.h"
#include "neuro/Runtime/Streams.h"
#include "neuro/Runtime/Table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <unistd.h>

using namespace neuro::rt;
using namespace neuro::rt::detail;

/// Row `step / every` (the last after the end) of a timed table.
void neuro::rt::detail::fillTimedRow(double *dst, int64_t first, int64_t nCols,
                                     const InitSpec &init, int64_t step) {
  int64_t rows = int64_t(init.values->size()) / init.columns;
  int64_t r = std::min(step / init.every, rows - 1);
  const double *src = init.values->data() + r * init.columns;
  for (int64_t c = 0; c < nCols; ++c)
    dst[c] = init.columns == 1 ? src[0] : src[first + c];
}

/// Fills `nCols` values starting at `dst` from `init`; random draws come
/// from the Philox stream (seed, stream, column index). Normal values use
/// the Box-Muller transform of the first two uniforms of the column.
void neuro::rt::detail::fillRow(double *dst, int64_t nCols,
                                const InitSpec &init, uint64_t seed,
                                uint32_t stream) {
  if (init.kind == InitSpec::Timed) {
    fillTimedRow(dst, 0, nCols, init, 0);
    return;
  }
  for (int64_t c = 0; c < nCols; ++c)
    dst[c] = initValue(init, seed, stream, c);
}

/// Physical memory of the machine in bytes (0 if unknown).
static double physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long pageSize = sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? double(pages) * double(pageSize) : 0.0;
}

void Network::schedulePoisson(size_t p, int32_t i, int64_t after) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  double prob = spec.poissonRate * model.dt;
  if (!(prob > 0))
    return; // never spikes
  // Bernoulli trials with success probability `prob` in each step: the gap
  // to the next success is geometric, 1 + floor(log(u) / log(1 - prob))
  // for u uniform in (0, 1].
  PhiloxStream rng{model.seed, streams::poissonGaps(uint32_t(p)), uint64_t(i)};
  double u = 1.0 - rng.uniformAt(pop.draws[size_t(i)]++);
  double gap =
      prob >= 1 ? 1.0 : 1.0 + std::floor(std::log(u) / std::log1p(-prob));
  // Beyond any run: leave the neuron out.
  if (!(gap < 4e18))
    return;
  pop.nextSpikes.push_back({after + int64_t(gap), i});
  std::push_heap(pop.nextSpikes.begin(), pop.nextSpikes.end(),
                 std::greater<std::pair<int64_t, int32_t>>());
}

void Network::skipPoisson(size_t p, int64_t step) {
  Population &pop = pops[p];
  pop.nextSpikes.clear();
  for (int32_t i = 0; i < int32_t(pop.draws.size()); ++i)
    schedulePoisson(p, i, step - 1);
}

bool Network::checkMemory(std::vector<bool> &procedural,
                          std::string &err) const {
  // Refuse networks that cannot fit rather than let the system kill us:
  // expected state, spike flags, and per synapse a column index, its
  // variables and (per source) a row pointer.
  // Single precision keeps float32 rows for the kernels beside them.
  double perValue = single() ? 12.0 : 8.0;
  double bytes = 0.0;
  for (const PopulationSpec &spec : model.populations)
    bytes += double(spec.size) * (perValue * double(spec.rows.size()) + 1.0);
  size_t nProjs = model.projections.size();
  std::vector<double> synapseBytes(nProjs, 0.0);
  procedural.assign(nProjs, false);
  for (size_t j = 0; j < nProjs; ++j) {
    const ProjectionSpec &spec = model.projections[j];
    // Only the slices connect; row pointers cover the whole source.
    double nSrcAll = double(model.populations[size_t(spec.src)].size);
    double nSrc = double(model.srcEndOf(spec) - spec.srcBegin);
    double nDst = double(model.dstEndOf(spec) - spec.dstBegin);
    double nSyn = std::max(0.0, std::min(1.0, spec.p)) * nSrc * nDst;
    if (spec.rule == ProjectionSpec::FixedInDegree)
      nSyn = double(spec.degree) * nDst;
    else if (spec.rule == ProjectionSpec::FixedOutDegree)
      nSyn = double(spec.degree) * nSrc;
    else if (spec.rule == ProjectionSpec::OneToOne)
      nSyn = std::min(nSrc, nDst);
    else if (spec.rule == ProjectionSpec::FromFile ||
             spec.rule == ProjectionSpec::Expression)
      nSyn = 0.0; // known only once built; the allocation itself may fail
    nSyn *= double(spec.multiplicity);
    // Over K processes, those drawn per source or with a fixed in-degree
    // are built at their targets alone (others whole, then pruned: the
    // build's peak).
    bool timed = std::any_of(
        spec.synInit.begin(), spec.synInit.end(),
        [](const InitSpec &init) { return init.kind == InitSpec::Timed; });
    if (dist && !spec.replicatedOverRanks() &&
        (drawnPerSource(spec) ||
         (spec.rule == ProjectionSpec::FixedInDegree && !timed)))
      nSyn /= double(dist->comm.size());
    bytes += 8.0 * nSrcAll;
    procedural[j] = spec.procedural;
    if (!spec.procedural)
      synapseBytes[j] = nSyn * (4.0 + 8.0 * double(spec.synRows.size()));
    bytes += synapseBytes[j];
  }
  double available = physicalMemoryBytes();
  // Too large stored: keep the largest projections that can be as their
  // rule until the rest fits.
  std::vector<size_t> order;
  for (size_t j = 0; j < nProjs; ++j)
    if (!procedural[j] && synapseBytes[j] > 0)
      order.push_back(j);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return synapseBytes[a] > synapseBytes[b];
  });
  for (size_t j : order) {
    if (!(available > 0 && bytes > 0.8 * available))
      break;
    if (!proceduralBlocker(model, j).empty())
      continue;
    procedural[j] = true;
    bytes -= synapseBytes[j];
  }
  if (available > 0 && bytes > 0.8 * available) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer,
                  "the network needs about %.1f GB of memory, more than 80%% "
                  "(%.1f GB) of the %.1f GB this machine has (the rest is "
                  "left for the run and the system)",
                  bytes / 1e9, 0.8 * available / 1e9, available / 1e9);
    err = buffer;
    return false;
  }
  return true;
}

void Network::initPopulations() {
  size_t nPops = model.populations.size();
  pops.resize(nPops);
  for (size_t p = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    Population &pop = pops[p];
    int64_t nRows = int64_t(spec.rows.size());
    pop.state.resize(size_t(nRows * spec.size)); // every row filled below
    pop.rowBegin = 0;
    pop.rowWidth = spec.size;
    for (int64_t r = 0; r < nRows; ++r) {
      const InitSpec &init = spec.init[size_t(r)];
      double *row = pop.state.data() + r * spec.size;
      uint32_t stream = streams::neuronInit(uint32_t(p), uint32_t(r));
      if (init.kind == InitSpec::Timed) {
        fillRow(row, spec.size, init, model.seed, stream);
        continue;
      }
      // Draws keyed by the neuron: over blocks of neurons in parallel.
      parallelFor(pool.get(), spec.size, 4096, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
          row[i] = initValue(init, model.seed, stream, i);
      });
    }
    pop.spiked.assign(size_t(spec.size), 0);
    pop.nextSpikes.clear();
    pop.draws.clear();
    if (spec.driveInputs > 0) {
      pop.drive =
          BinomialSampler(spec.driveInputs, spec.poissonRate * model.dt);
      pop.driveBlocks = driveBlocks(p);
    } else if (spec.generator && spec.poissonRate >= 0) {
      pop.draws.assign(size_t(spec.size), 0);
      for (int64_t i = 0; i < spec.size; ++i)
        schedulePoisson(p, int32_t(i), -1);
    }
    if (spec.initFn) {
      NeuroMemRef2DF64 state = memref2D(pop.state.data(), nRows, spec.size);
      spec.initFn(&state, int64_t(model.seed));
    }
  }
}

bool Network::initSynapses(size_t j, const std::vector<double> &fileWeights,
                           std::string &err) {
  if (canGroupInParallel(j))
    return groupSynapses(j, err);
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  // Per-synapse initial values given by expressions, in CSR order (with
  // the delays when they are an expression), before grouping by delay.
  int64_t nRows = int64_t(spec.synRows.size());
  std::vector<double> initial;
  if (spec.synInitFn) {
    int64_t n = proj.csr.numSynapses();
    int64_t rows = nRows + (spec.delayFromInit ? 1 : 0);
    initial.assign(size_t(rows * n), 0.0);
    for (int64_t r = 0; r < nRows; ++r)
      fillRow(initial.data() + r * n, n, spec.synInit[size_t(r)], model.seed,
              streams::synapseInit(uint32_t(j), uint32_t(r)));
    std::vector<int32_t> srcs(static_cast<size_t>(n));
    for (size_t i = 0; i + 1 < proj.csr.rowPtr.size(); ++i)
      for (int64_t q = proj.csr.rowPtr[i]; q < proj.csr.rowPtr[i + 1]; ++q)
        srcs[size_t(q)] = int32_t(i);
    NeuroMemRefI32 srcRef = memref1D(srcs.data(), n);
    NeuroMemRefI32 cols = memref1D(proj.csr.cols.data(), n);
    NeuroMemRef2DF64 syn = memref2D(initial.data(), rows, n);
    NeuroMemRef2DF64 pre = hostState(spec.src), post = hostState(spec.dst);
    std::vector<int32_t> inDegree, outDegree;
    synapseCounts(j, inDegree, outDegree);
    NeuroMemRefI32 in = memref1D(inDegree.data(), int64_t(inDegree.size()));
    NeuroMemRefI32 out = memref1D(outDegree.data(), int64_t(outDegree.size()));
    spec.synInitFn(&srcRef, &cols, &syn, &pre, &post, int64_t(model.seed), 0,
                   &in, &out);
    if (spec.delayFromInit) {
      proj.explicitDelays.assign(initial.begin() + nRows * n,
                                 initial.begin() + (nRows + 1) * n);
      for (double d : proj.explicitDelays)
        if (!(d >= 0) || !std::isfinite(d)) {
          err = "projection '" + spec.name + "': a delay expression gave " +
                std::to_string(d) + " s; delays must be finite and >= 0";
          return false;
        }
    }
  }
  if (!groupByDelay(j, err))
    return false;
  prepareDelivery(j);
  int64_t nSyn = proj.csr.numSynapses();
  proj.syn.assign(size_t(nRows * nSyn), 0.0);
  if (!initial.empty()) {
    for (int64_t r = 0; r < nRows; ++r)
      for (int64_t q = 0; q < nSyn; ++q)
        proj.syn[size_t(r * nSyn + q)] = initial[size_t(
            r * nSyn + (proj.order.empty() ? q : proj.order[size_t(q)]))];
  } else {
    // Draws are keyed by the synapse's index in CSR order (source-major),
    // also when grouping by delay moved it: the synapses of one source can
    // then be drawn alone (procedural projections, Procedural.cpp).
    for (int64_t r = 0; r < nRows; ++r) {
      const InitSpec &init = spec.synInit[size_t(r)];
      uint32_t stream = streams::synapseInit(uint32_t(j), uint32_t(r));
      double *row = proj.syn.data() + r * nSyn;
      if (proj.order.empty() || init.kind == InitSpec::Timed)
        fillRow(row, nSyn, init, model.seed, stream);
      else
        for (int64_t q = 0; q < nSyn; ++q)
          row[q] = initValue(init, model.seed, stream, proj.order[size_t(q)]);
    }
  }
  if (!fileWeights.empty() && nRows > 0)
    for (int64_t s = 0; s < nSyn; ++s) {
      int64_t before = proj.order.empty() ? s : proj.order[size_t(s)];
      proj.syn[size_t(s)] = fileWeights[size_t(before)];
    }
  proj.explicitDelays.clear();
  proj.order.clear();
  return true;
}

void Network::sizeRings() {
  size_t nPops = model.populations.size();
  size_t nProjs = model.projections.size();
  // Delay rings sized by the longest delay leaving each population.
  std::vector<int64_t> maxDelay(nPops, 0);
  for (const ProjectionSpec &proj : model.projections)
    maxDelay[size_t(proj.src)] =
        std::max(maxDelay[size_t(proj.src)], proj.delaySteps);
  for (size_t j = 0; j < nProjs; ++j)
    for (int64_t d : projs[j].delays)
      maxDelay[size_t(model.projections[j].src)] =
          std::max(maxDelay[size_t(model.projections[j].src)], d);
  for (size_t p = 0; p < nPops; ++p) {
    pops[p].ring = DelayRing(maxDelay[p]);
    pops[p].longestDelay = maxDelay[p];
  }
}

bool Network::allocate(std::string &err) {
  std::vector<bool> procedural;
  bool fits = checkMemory(procedural, err);
  if (dist) {
    // Every process keeps the same projections as their rule (their
    // machines may have different memory), and all stop when one cannot
    // fit the network: nothing later waits for a process that left.
    std::vector<int64_t> mine(procedural.begin(), procedural.end()), before,
        total;
    dist->comm.scanSums(mine, before, total);
    for (size_t j = 0; j < procedural.size(); ++j)
      procedural[j] = total[j] > 0;
    fits = dist->comm.agree(fits, err);
  }
  if (!fits)
    return false;
  initPopulations();
  projs.resize(model.projections.size());
  for (size_t j = 0; j < projs.size(); ++j) {
    if (stopBuild(err))
      return false;
    if (procedural[j] || drawnPerSource(model.projections[j])) {
      if (!(procedural[j] ? connectProcedural(j, err) : connectByRows(j, err)))
        return false;
      if (stopBuild(err))
        return false;
    } else {
      // FromFile: the weights the file gives, in CSR order.
      std::vector<double> fileWeights;
      if (!connect(j, fileWeights, err) || stopBuild(err))
        return false;
      bool atTargets = builtAtTargets(j);
      if (atTargets)
        dist->keyRows(*this, j);
      if (!initSynapses(j, fileWeights, err))
        return false;
      if (atTargets)
        dist->finishRows(*this, j);
    }
    // Over several processes: built whole, kept at its targets (drawn per
    // source: built only at its targets).
    if (dist && !projs[j].procedural && projs[j].wholeSynapses < 0) {
      dist->localize(*this, j);
      prepareDelivery(j);
    }
    // Float32 synapse rows: the double rows of one projection at a time.
    if (singleSynapses())
      narrowSynapses(j);
    if (!projs[j].procedural)
      compactRows(j);
  }
  sizeRings();
  return true;
}
