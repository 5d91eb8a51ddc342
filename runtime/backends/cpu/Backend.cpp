//===- Backend.cpp - The phases of a step on the host's threads -----------===//
//
// Each hook runs one phase of the Simulator's schedule (docs/semantics.md,
// "One step") for step k. Memref descriptors are rebuilt for every kernel
// call (a few stores), so buffers may be reallocated freely between calls.
//
//===----------------------------------------------------------------------===//

#include "cpu/Backend.h"

#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/MemRef.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>

using namespace neuro::rt;

namespace {

/// Fewest neurons a thread integrates, and fewest events a step's delivery
/// of one projection must have to be split over threads: a phase handed to
/// the pool costs about 10 us in a running simulation on a 2-core virtual
/// machine (bench/RESULTS.md), the step of 16,384 neurons about 5 us and
/// 8,192 events about 25 us. With 2,048 neurons per task, CUBA with
/// 4,000 to 20,000 neurons ran 4 to 7 times slower on two threads than on
/// one.
/// NEURO_SPLIT_SMALL=1 splits however little there is (tests of the
/// parallel paths on small networks).
constexpr int64_t kMinNeuronsPerTask = 16384;
constexpr int64_t kMinEventsToSplit = 8192;

/// Appends to `out` the indices base + b of the nonzero bytes b of `word`
/// (little-endian), ascending.
void appendSetBytes(uint64_t word, int64_t base, std::vector<int32_t> &out) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  // The high bit of each byte that is not zero.
  uint64_t set = (((word & kLow7) + kLow7) | word) & ~kLow7;
  for (; set; set &= set - 1)
    out.push_back(int32_t(base + __builtin_ctzll(set) / 8));
}

/// Appends the indices in [begin, end) whose flag is set, ascending; skips
/// 128 silent neurons at a time.
void compactSpikes(const int8_t *flags, int64_t begin, int64_t end,
                   std::vector<int32_t> &out) {
  int64_t i = begin;
  using Bytes16 = uint64_t __attribute__((vector_size(16)));
  auto load = [&](int64_t at) {
    Bytes16 v;
    std::memcpy(&v, flags + at, sizeof v);
    return v;
  };
  for (; i + 128 <= end; i += 128) {
    Bytes16 any =
        ((load(i) | load(i + 16)) | (load(i + 32) | load(i + 48))) |
        ((load(i + 64) | load(i + 80)) | (load(i + 96) | load(i + 112)));
    if (!(any[0] | any[1]))
      continue;
    for (int64_t q = i; q < i + 128; q += 8) {
      uint64_t word;
      std::memcpy(&word, flags + q, sizeof word);
      appendSetBytes(word, q, out);
    }
  }
  for (; i + 8 <= end; i += 8) {
    uint64_t word;
    std::memcpy(&word, flags + i, sizeof word);
    appendSetBytes(word, i, out);
  }
  for (; i < end; ++i)
    if (flags[i])
      out.push_back(int32_t(i));
}

} // namespace

CpuBackend::CpuBackend(Network &net, Recorder &recorder)
    : net(net), recorder(recorder), minNeuronsPerTask(kMinNeuronsPerTask),
      minEventsToSplit(kMinEventsToSplit), regenerateLimit(int64_t(1) << 24) {
  if (const char *v = std::getenv("NEURO_SPLIT_SMALL"); v && *v == '1') {
    minNeuronsPerTask = 64;
    minEventsToSplit = 0;
  }
  // A whole number of synapses >= 1 (tests of the runs of spikes).
  if (const char *v = std::getenv("NEURO_REGENERATE_LIMIT")) {
    char *end = nullptr;
    long long n = std::strtoll(v, &end, 10);
    if (end != v && *end == '\0' && n >= 1)
      regenerateLimit = n;
  }
  planStepTasks();
}

void CpuBackend::planStepTasks() {
  const ModelSpec &model = net.model;
  int64_t threads = int64_t(net.pool->size());
  stepTasks.clear();
  int64_t total = 0;
  for (size_t p = 0; p < model.populations.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    if (spec.generator)
      continue;
    // This process's neurons (all but over several processes).
    auto [first, last] = net.owned(p);
    int64_t n = last - first;
    total += n;
    int64_t parts = std::clamp<int64_t>(n / minNeuronsPerTask, 1, threads);
    // Range boundaries on multiples of 64 neurons: whole vectors and
    // cache lines of the spike flags.
    int64_t chunk = (n + parts - 1) / parts;
    chunk = (chunk + 63) / 64 * 64;
    for (int64_t begin = first; begin < last; begin += chunk) {
      StepTask task;
      task.pop = int(p);
      task.begin = begin;
      task.end = std::min(last, begin + chunk);
      stepTasks.push_back(std::move(task));
    }
  }
  // Populations too small to split are not worth a phase on the pool
  // either, one per thread (CUBA 40,000: no faster on two threads).
  stepOnPool = total >= 4 * minNeuronsPerTask;
}

CpuBackend::SynapseArgs CpuBackend::synapseArgs(size_t j) {
  const ProjectionSpec &spec = net.model.projections[j];
  Network::Projection &proj = net.projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  if (!spec.modulators.empty())
    net.updateModulators(j);
  return SynapseArgs{memref1D(proj.srcs.data(), int64_t(proj.srcs.size())),
                     memref1D(proj.csr.cols.data(), nSyn),
                     net.kernelSynapses(j),
                     net.kernelState(size_t(spec.dst)),
                     net.kernelState(size_t(spec.src)),
                     memref1D(proj.mods.data(), int64_t(proj.mods.size()))};
}

// The host's rows are the kernels': samples, timed rows and plasticity
// switches need nothing more. Over several processes samples are gathered.
bool CpuBackend::sampleState(size_t rec, int64_t k, std::string &) {
  net.computeLets(net.model.stateRecords[rec], k);
  if (net.dist)
    net.dist->sample(net, recorder, rec, k);
  else
    recorder.sample(rec, k);
  return true;
}

bool CpuBackend::uploadRow(size_t, size_t, std::string &) { return true; }

bool CpuBackend::uploadMods(size_t, std::string &) { return true; }

bool CpuBackend::updateProjections(int64_t k, bool afterStep, std::string &) {
  const ModelSpec &model = net.model;
  // From here on the kernels write the (float) rows.
  net.kernelRowsWritten();
  // (0): summed drives, then clock-driven synapse equations, from the
  // state at the start of the step (or, for equations that read neuron
  // state, at its end).
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    NeuroUpdateFn sum = afterStep ? nullptr : spec.sum;
    NeuroUpdateFn update =
        spec.updateAfterStep == afterStep ? spec.update : nullptr;
    if (!sum && !update)
      continue;
    if (net.dist) {
      net.dist->prepare(net, j);
      net.dist->touch(size_t(spec.dst));
    }
    SynapseArgs a = synapseArgs(j);
    for (NeuroUpdateFn fn : {sum, update})
      if (fn)
        fn(&a.srcs, &a.cols, &a.syn, &a.post, &a.pre, &a.mods, k);
  }
  return true;
}

bool CpuBackend::stepPopulations(int64_t k, std::string &) {
  const ModelSpec &model = net.model;
  size_t nPops = net.pops.size();
  // (1) + (2): integrate and threshold, each population in ranges of
  // neurons on the pool's threads; collect the spikes of step k.
  runTasks(stepOnPool ? net.pool.get() : nullptr, int64_t(stepTasks.size()),
           [&](int64_t t) {
             StepTask &task = stepTasks[size_t(t)];
             const PopulationSpec &spec = model.populations[size_t(task.pop)];
             Network::Population &pop = net.pops[size_t(task.pop)];
             NeuroMemRef2DF64 state = net.kernelState(size_t(task.pop));
             NeuroMemRefI8 spiked = memref1D(pop.spiked.data(), spec.size);
             spec.step(&state, &spiked, k, int64_t(model.seed), task.begin,
                       task.end);
             task.spikes.clear();
             compactSpikes(pop.spiked.data(), task.begin, task.end,
                           task.spikes);
           });
  for (size_t p = 0, t = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    Network::Population &pop = net.pops[p];
    if (spec.generator) {
      net.generatorSpikes(p, k, pop.ring.beginPush(k));
      continue;
    }
    std::vector<int32_t> &list = pop.ring.beginPush(k);
    for (; t < stepTasks.size() && stepTasks[t].pop == int(p); ++t)
      list.insert(list.end(), stepTasks[t].spikes.begin(),
                  stepTasks[t].spikes.end());
  }
  if (net.dist)
    net.dist->afterIntegration(net, k);
  return true;
}

bool CpuBackend::deliver(int64_t k, std::string &) {
  const ModelSpec &model = net.model;
  // (3): deliver the spikes whose delay has elapsed, one call per delay.
  // Projections split by target range deliver the ranges on the pool's
  // threads; each target still receives its events in the same order.
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    Network::Projection &proj = net.projs[j];
    // Over several processes: the source rows it reads, up to date; the
    // targets' rows it writes.
    if (net.dist) {
      net.dist->prepare(net, j);
      net.dist->touch(size_t(spec.dst));
    }
    if (proj.procedural) {
      deliverProcedural(j, k);
      continue;
    }
    deliverStored(j, k);
  }
  return true;
}

void CpuBackend::deliverStored(size_t j, int64_t k) {
  const ProjectionSpec &spec = net.model.projections[j];
  Network::Projection &proj = net.projs[j];
  const DelayRing &ring = net.pops[size_t(spec.src)].ring;
  size_t spikes = 0;
  for (size_t g = 0; g < proj.delays.size(); ++g)
    spikes += ring.at(k - proj.delays[g]).size();
  if (spikes == 0)
    return;
  SynapseArgs a = synapseArgs(j);
  ThreadPool &pool = *net.pool;
  int64_t nSrc = net.model.populations[size_t(spec.src)].size;
  // Split where the step's events (spikes times the mean row) are worth it;
  // each target receives its events in the same order either way.
  double events = double(spikes) * double(proj.csr.numSynapses()) /
                  double(std::max<int64_t>(nSrc, 1));
  bool split =
      proj.parts > 1 && pool.size() > 1 && events >= double(minEventsToSplit);
  size_t nParts = size_t(split ? proj.parts : 1);
  if (partRows.size() < nParts)
    partRows.resize(nParts);
  std::array<int64_t, Network::kMaxParts> delivered{};
  // Each part's thread gathers its part of each spiking source's row as
  // int64 pairs (whatever width the row pointers are kept in: RowIndex)
  // and counts the events it delivers.
  auto deliverPart = [&](int64_t part) {
    int64_t stride = split ? proj.parts + 1 : 1;
    std::vector<int64_t> &rows = partRows[size_t(part)];
    if (rows.size() < size_t(2 * nSrc))
      rows.resize(size_t(2 * nSrc));
    NeuroMemRefI64 rowPtr = memref1D(rows.data(), 2 * nSrc);
    // The longest delay first: spikes in the order they were emitted, as
    // Brian2's queue holds them (docs/semantics.md).
    for (size_t g = proj.delays.size(); g-- > 0;) {
      const std::vector<int32_t> &list = ring.at(k - proj.delays[g]);
      if (list.empty())
        continue;
      const RowIndex &ptrs = split ? proj.partPtrs[g] : proj.rowPtrs[g];
      delivered[size_t(part)] +=
          ptrs.gather(list.data(), list.size(), stride, part, rows.data());
      NeuroMemRefI32 spikes =
          memref1D(const_cast<int32_t *>(list.data()), int64_t(list.size()));
      spec.deliver(&spikes, &rowPtr, 2, 0, &a.cols, &a.syn, &a.post, &a.pre,
                   &a.mods, k, int64_t(net.model.seed));
    }
  };
  if (split)
    pool.run(proj.parts, deliverPart);
  else
    deliverPart(0);
  // A projection every process holds whole counts on one.
  if (net.countsHere(j))
    for (int64_t n : delivered)
      net.events += n;
}

void CpuBackend::deliverProcedural(size_t j, int64_t k) {
  const ModelSpec &model = net.model;
  const ProjectionSpec &spec = model.projections[j];
  const Network::Projection &proj = net.projs[j];
  const DelayRing &ring = net.pops[size_t(spec.src)].ring;
  size_t groups = proj.delays.size();
  if (regenerated.size() <= j)
    regenerated.resize(net.projs.size());
  std::vector<Network::Regenerated> &slots = regenerated[j];
  if (slots.empty())
    slots.resize(size_t(proj.delays.back()) + 1);
  int64_t nSrc = model.populations[size_t(spec.src)].size;
  if (spikeRows.size() < size_t(2 * nSrc))
    spikeRows.resize(size_t(2 * nSrc));
  std::optional<SynapseArgs> args;
  // Group g of `list` (a step's spikes, or some of them) from `rows`, their
  // synapses drawn again.
  auto deliverGroup = [&](size_t g, const int32_t *list, size_t n,
                          const Network::Regenerated &rows) {
    int64_t delivered = 0;
    for (size_t m = 0; m < n; ++m) {
      const int64_t *starts = rows.starts.data() + m * (groups + 1);
      spikeRows[2 * size_t(list[m])] = starts[g];
      spikeRows[2 * size_t(list[m]) + 1] = starts[g + 1];
      delivered += starts[g + 1] - starts[g];
    }
    if (net.countsHere(j))
      net.events += delivered;
    if (!delivered)
      return;
    if (!args)
      args = synapseArgs(j);
    int64_t c = int64_t(rows.cols.size());
    void *syn =
        net.singleSynapses()
            ? const_cast<float *>(rows.syn32.data())
            : static_cast<void *>(const_cast<double *>(rows.syn.data()));
    NeuroMemRefI32 spikes = memref1D(const_cast<int32_t *>(list), int64_t(n));
    NeuroMemRefI64 rowPtr = memref1D(spikeRows.data(), 2 * nSrc);
    NeuroMemRefI32 cols = memref1D(const_cast<int32_t *>(rows.cols.data()), c);
    NeuroMemRef2DF64 synRows =
        memref2D(static_cast<double *>(syn), int64_t(spec.synRows.size()), c);
    spec.deliver(&spikes, &rowPtr, 2, 0, &cols, &synRows, &args->post,
                 &args->pre, &args->mods, k, int64_t(net.model.seed));
  };
  // The longest delay first, as deliverStored.
  for (size_t g = groups; g-- > 0;) {
    int64_t step = k - proj.delays[g];
    const std::vector<int32_t> &list = ring.at(step);
    if (list.empty())
      continue;
    Network::Regenerated &rows = slots[size_t(step) % slots.size()];
    if (rows.step == step) {
      deliverGroup(g, list.data(), list.size(), rows);
      continue;
    }
    // The synapses of a step's spikes, drawn once and kept until its last
    // delay group is delivered; or, with one delay group (nothing to keep)
    // or when they would take more than regenerateLimit (a burst of a
    // large network), drawn for each group in runs of spikes of at most
    // that many synapses: the same events in the same order (group, spike,
    // target), in bounded memory.
    int64_t total = 0;
    for (int32_t i : list)
      total += proj.csr.rowPtr[size_t(i) + 1] - proj.csr.rowPtr[size_t(i)];
    if (groups > 1 && total <= regenerateLimit) {
      net.regenerate(j, list, rows);
      rows.step = step;
      deliverGroup(g, list.data(), list.size(), rows);
      continue;
    }
    auto length = [&](size_t m) {
      return proj.csr.rowPtr[size_t(list[m]) + 1] -
             proj.csr.rowPtr[size_t(list[m])];
    };
    for (size_t first = 0; first < list.size();) {
      // A source listed again stays in the run of its first entry: its
      // events' draws count the entries before them (ProjectionKernels).
      size_t last = first + 1;
      for (int64_t n = length(first);
           last < list.size() && (list[last] == list[last - 1] ||
                                  n + length(last) <= regenerateLimit);
           ++last)
        n += length(last);
      burst.assign(list.begin() + int64_t(first), list.begin() + int64_t(last));
      first = last;
      // One source whose row alone is beyond the limit (onto a large
      // population, or many synapses per pair) goes in pieces of its row,
      // a pair's synapses in one piece: the events of a piece's targets
      // are theirs alone, in the order of the whole row.
      int64_t row = length(last - 1);
      if (burst.front() != burst.back() || row <= regenerateLimit) {
        net.regenerate(j, burst, burstRows);
        deliverGroup(g, burst.data(), burst.size(), burstRows);
        continue;
      }
      int64_t mult = std::max<int64_t>(1, spec.multiplicity);
      int64_t piece = std::max<int64_t>(1, regenerateLimit / mult) * mult;
      for (int64_t q = 0; q < row; q += piece) {
        net.regenerate(j, burst, burstRows, q, q + piece);
        deliverGroup(g, burst.data(), burst.size(), burstRows);
      }
    }
  }
}

bool CpuBackend::deliverPost(int64_t k, std::string &) {
  const ModelSpec &model = net.model;
  // `on post` after every `on pre`, as Brian2 orders its pathways.
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    if (!spec.deliverPost)
      continue;
    if (net.dist) {
      net.dist->prepare(net, j);
      net.dist->touch(size_t(spec.dst));
    }
    const std::vector<int32_t> &list = net.pops[size_t(spec.dst)].ring.at(k);
    if (list.empty())
      continue;
    Network::Projection &proj = net.projs[j];
    int64_t nSyn = proj.csr.numSynapses();
    NeuroMemRefI32 spikes =
        memref1D(const_cast<int32_t *>(list.data()), int64_t(list.size()));
    NeuroMemRefI64 colPtr =
        memref1D(proj.postPtr.data(), int64_t(proj.postPtr.size()));
    NeuroMemRefI64 synIndex = memref1D(proj.postSyn.data(), nSyn);
    SynapseArgs a = synapseArgs(j);
    spec.deliverPost(&spikes, &colPtr, &synIndex, &a.srcs, &a.syn, &a.post,
                     &a.pre, &a.mods, k, int64_t(net.model.seed));
  }
  return true;
}

bool CpuBackend::reset(int64_t k, std::string &) {
  const ModelSpec &model = net.model;
  size_t nPops = net.pops.size();
  // (4): reset the neurons that spiked in this step.
  for (size_t p = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    if (!spec.reset)
      continue;
    Network::Population &pop = net.pops[p];
    const std::vector<int32_t> &list = pop.ring.at(k);
    // Only this process's neurons (the list is whole once exchanged).
    const int32_t *first = list.data(), *last = list.data() + list.size();
    if (net.dist) {
      net.dist->touch(p);
      net.dist->ownSpikes(p, list, first, last);
    }
    if (first == last)
      continue;
    NeuroMemRefI32 spikes =
        memref1D(const_cast<int32_t *>(first), int64_t(last - first));
    NeuroMemRef2DF64 state = net.kernelState(p);
    spec.reset(&spikes, &state, k, int64_t(model.seed));
  }
  return true;
}

bool CpuBackend::monitor(int64_t k, std::string &) {
  // (5): spike counts and spike monitors; over several processes, of the
  // steps whose spikes have been exchanged.
  if (net.dist) {
    net.dist->endStep(net, recorder, k);
    return true;
  }
  for (size_t p = 0; p < net.pops.size(); ++p)
    recorder.addSpikes(p, k, net.pops[p].ring.at(k));
  return true;
}

bool CpuBackend::sync(std::string &) {
  if (net.dist)
    net.dist->flush(net, recorder);
  return true;
}
