//===- Populations.cpp - The phases of a step that update populations -----===//
//
// The state rows and the rings of spike flags, lists and counts of every
// population (one allocation per kind for all of them), phases (1) + (2)
// (step kernels, then the spike lists in neuron order) and (4) (resets).
//
//===----------------------------------------------------------------------===//

#include "cuda/Backend.h"
#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Kernels.h"

#include <algorithm>
#include <cmath>

using namespace neuro::rt;
using namespace neuro::rt::cuda;

namespace {
/// The most chunks of a population the spike lists kernels count: the
/// thread of chunk c adds up c counts.
constexpr int64_t kMaxChunks = 1024;
/// The fewest neurons of a chunk.
constexpr int64_t kMinChunk = 64;
} // namespace

CUdeviceptr DeviceBackend::listOf(size_t pop, int64_t slot) const {
  return at(pops[pop].lists, slot * pops[pop].width * int64_t(sizeof(int32_t)));
}

int64_t DeviceBackend::listWidth(size_t p) const {
  const PopulationSpec &spec = network.model.populations[p];
  if (!spec.schedule.empty()) {
    // Given spikes: a neuron may be listed several times in a step.
    int64_t most = spec.size, n = 0;
    for (size_t s = 0; s < spec.schedule.size(); ++s) {
      n = s > 0 && spec.schedule[s].first == spec.schedule[s - 1].first ? n + 1
                                                                        : 1;
      most = std::max(most, n);
    }
    return most;
  }
  if (!spec.driveInputs)
    return spec.size;
  // Binomial(size K, R dt) entries a step: more than ten standard
  // deviations above the mean has a chance below 1e-20 (and stops the run
  // with a message, stepPopulations).
  double p1 = std::min(1.0, spec.poissonRate * network.model.dt);
  double mean = double(spec.size) * double(spec.driveInputs) * p1;
  double sd = std::sqrt(mean * (1 - p1));
  return std::max<int64_t>(spec.size, int64_t(std::ceil(mean + 10 * sd)) + 64);
}

CUdeviceptr DeviceBackend::flagsOf(size_t pop, int64_t slot) const {
  return at(pops[pop].flags, slot * network.model.populations[pop].size);
}

CUdeviceptr DeviceBackend::countOf(size_t pop, int64_t slot) const {
  return at(pops[pop].counts, slot * int64_t(sizeof(int32_t)));
}

bool DeviceBackend::uploadPopulations(std::string &err) {
  pops.resize(network.pops.size());
  // Every population's rows in one allocation, which merged kernels view.
  states.values = 0;
  for (const Network::Population &host : network.pops)
    states.values += int64_t(host.state.size());
  if (!dev->alloc(size_t(states.values * valueBytes()), states.rows, err))
    return false;
  int64_t at = 0;
  for (size_t p = 0; p < pops.size(); ++p) {
    const Network::Population &host = network.pops[p];
    DevicePopulation &d = pops[p];
    size_t stateBytes = host.state.size() * size_t(valueBytes());
    d.stateAt = at;
    d.state = this->at(states.rows, at * valueBytes());
    at += int64_t(host.state.size());
    if (!dev->upload(d.state, network.kernelRows(p), stateBytes, err))
      return false;
    d.recent.assign(size_t(ringDepth), {});
  }
  return allocateRings(err) && findKernels(KernelKind::Step, err) &&
         findKernels(KernelKind::Reset, err);
}

bool DeviceBackend::allocateRings(std::string &err) {
  const ModelSpec &model = network.model;
  // One allocation per kind of ring for all populations, each population's
  // ring at an offset of its own, which the spike lists kernels find in
  // their table.
  int64_t neurons = 0, room = 0;
  for (size_t p = 0; p < pops.size(); ++p) {
    neurons += model.populations[p].size;
    room += listWidth(p);
  }
  int64_t populations = int64_t(pops.size());
  rings.neurons = neurons;
  rings.listRoom = room;
  if (!dev->alloc(size_t(ringDepth * neurons), rings.flags, err) ||
      !dev->alloc(size_t(ringDepth * room) * sizeof(int32_t), rings.lists,
                  err) ||
      !dev->alloc(size_t(ringDepth * populations) * sizeof(int32_t),
                  rings.counts, err))
    return false;
  std::vector<int64_t> table;
  int64_t first = 0, firstList = 0, chunks = 0;
  rings.widest = 0;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    int64_t flags = ringDepth * first, counts = ringDepth * int64_t(p);
    d.ringAt = flags;
    d.listAt = ringDepth * firstList;
    d.width = listWidth(p);
    d.countAt = counts;
    d.flags = at(rings.flags, flags);
    d.lists = at(rings.lists, d.listAt * int64_t(sizeof(int32_t)));
    d.counts = at(rings.counts, counts * int64_t(sizeof(int32_t)));
    first += spec.size;
    firstList += d.width;
    // Generators' lists come from the host.
    if (spec.generator || spec.size == 0)
      continue;
    int64_t chunk =
        std::max(kMinChunk, (spec.size + kMaxChunks - 1) / kMaxChunks);
    int64_t n = (spec.size + chunk - 1) / chunk;
    int64_t row[NEURO_GPU_SPIKES_COLUMNS];
    row[NEURO_GPU_SPIKES_SIZE] = spec.size;
    row[NEURO_GPU_SPIKES_FLAGS] = flags;
    row[NEURO_GPU_SPIKES_LIST] = d.listAt;
    row[NEURO_GPU_SPIKES_COUNT] = counts;
    row[NEURO_GPU_SPIKES_CHUNK_BASE] = chunks;
    row[NEURO_GPU_SPIKES_CHUNK] = chunk;
    table.insert(table.end(), row, row + NEURO_GPU_SPIKES_COLUMNS);
    chunks += n;
    rings.widest = std::max(rings.widest, n);
  }
  rings.spiking = int64_t(table.size()) / NEURO_GPU_SPIKES_COLUMNS;
  rings.chunks = chunks;
  if (rings.spiking == 0)
    return true;
  if (!dev->hasKernel(NEURO_GPU_SPIKES_COUNT_KERNEL) ||
      !dev->hasKernel(NEURO_GPU_SPIKES_COMPACT_KERNEL)) {
    err = "the GPU kernels have no '" NEURO_GPU_SPIKES_COMPACT_KERNEL "'";
    return false;
  }
  size_t tableBytes = table.size() * sizeof(int64_t);
  return dev->alloc(size_t(chunks) * sizeof(int32_t), rings.chunkCounts, err) &&
         dev->alloc(tableBytes, rings.table, err) &&
         dev->upload(rings.table, table.data(), tableBytes, err);
}

bool DeviceBackend::findKernels(KernelKind kind, std::string &err) {
  const ModelSpec &model = network.model;
  bool step = kind == KernelKind::Step;
  std::vector<MergedGroup> &groups = step ? mergedSteps : mergedResets;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    if (spec.generator || (!step && !spec.reset))
      continue;
    std::string name = kernelName(kind, model.name, spec.name);
    std::string member = name + NEURO_GPU_MEMBER_SUFFIX;
    if (dev->hasKernel(member)) {
      if (!joinGroup(member, kind, p, groups, err))
        return false;
      continue;
    }
    // A kernel of its own.
    if (!step) {
      d.reset = kernelParts(name);
      continue;
    }
    if (!dev->hasKernel(name)) {
      err = "the GPU kernels have no '" + name + "'";
      return false;
    }
    d.step = name;
  }
  for (MergedGroup &group : groups)
    if (!uploadTable(group, err))
      return false;
  return true;
}

bool DeviceBackend::compactSpikes(int64_t slot, std::string &err) {
  if (rings.spiking == 0)
    return true;
  int64_t populations = int64_t(pops.size());
  KernelArgs a(NEURO_GPU_SPIKES_NUM_ARGS);
  a.buffer(rings.flags, ringDepth * rings.neurons);
  a.buffer(rings.lists, ringDepth * rings.listRoom);
  a.buffer(rings.counts, ringDepth * populations);
  a.buffer(rings.chunkCounts, rings.chunks);
  a.buffer(rings.table, rings.spiking * NEURO_GPU_SPIKES_COLUMNS);
  a.i64(rings.spiking).i64(slot);
  // The counts of all chunks, then the lists from their prefix sums.
  return launch(NEURO_GPU_SPIKES_COUNT_KERNEL, rings.widest, a, err,
                Device::Grid::PerThread, rings.spiking) &&
         launch(NEURO_GPU_SPIKES_COMPACT_KERNEL, rings.widest, a, err,
                Device::Grid::PerThread, rings.spiking);
}

bool DeviceBackend::stepPopulations(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (1) + (2): integrate, threshold and flag the spikes of step k, then
  // the spike lists of step k from the flags.
  int64_t slot = k % ringDepth;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    if (spec.generator) {
      // Over several processes the host's ring keeps them for the
      // recorder (every process draws them whole).
      std::vector<int32_t> drawn;
      std::vector<int32_t> &spikes =
          network.dist ? network.pops[p].ring.beginPush(k) : drawn;
      network.generatorSpikes(p, k, spikes);
      if (int64_t(spikes.size()) > d.width) {
        err = "Poisson drive '" + spec.name + "' drew " +
              std::to_string(spikes.size()) + " inputs in step " +
              std::to_string(k) + ", more than the " + std::to_string(d.width) +
              " a spike list on the GPU holds";
        return false;
      }
      int32_t n = int32_t(spikes.size());
      if (!dev->upload(listOf(p, slot), spikes.data(),
                       spikes.size() * sizeof(int32_t), err) ||
          !dev->upload(countOf(p, slot), &n, sizeof n, err))
        return false;
      continue;
    }
    if (d.step.empty())
      continue; // in a merged kernel
    // Over several processes, this process's neurons only: the flags of
    // the others stay 0, and the lists hold this process's spikes until
    // they are exchanged (fetchSpikes).
    auto [begin, end] = network.owned(p);
    KernelArgs a(NEURO_GPU_STEP_NUM_ARGS);
    a.matrix(d.state, int64_t(spec.rows.size()), spec.size);
    a.buffer(flagsOf(p, slot), spec.size);
    a.i64(k).i64(int64_t(model.seed)).i64(begin).i64(end);
    if (!launch(d.step, end - begin, a, err))
      return false;
  }
  for (const MergedGroup &group : mergedSteps)
    if (!launchMerged(group, k, 0, int64_t(group.owners.size()), err))
      return false;
  if (!compactSpikes(slot, err))
    return false;
  for (size_t p = 0; p < pops.size(); ++p)
    if (!model.populations[p].generator)
      touch(p);
  // Over several processes with a delay of 0 the spikes of step k are
  // exchanged now, before they are delivered; resets and `on post` then
  // see every process's spikes, which touch only the mirrors of other
  // processes' neurons (never read) and no synapse of this process.
  if (network.dist && network.dist->interval() == 0)
    return fetchSpikes(k + 1, err);
  return true;
}

bool DeviceBackend::reset(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (4) reset the neurons that spiked in this step.
  int64_t slot = k % ringDepth;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    if (spec.reset)
      touch(p);
    if (d.reset.empty())
      continue;
    KernelArgs a(NEURO_GPU_RESET_NUM_ARGS);
    a.buffer(listOf(p, slot), spec.size);
    a.matrix(d.state, int64_t(spec.rows.size()), spec.size);
    a.i64(k).i64(int64_t(model.seed));
    a.buffer(countOf(p, slot), 1);
    for (const std::string &part : d.reset)
      if (!launch(part, spec.size, a, err))
        return false;
  }
  for (const MergedGroup &group : mergedResets)
    if (!launchMerged(group, k, 0, int64_t(group.owners.size()), err))
      return false;
  return true;
}

bool DeviceBackend::uploadInFlight(int64_t step, int64_t maxDelay,
                                   std::string &err) {
  const ModelSpec &model = network.model;
  std::vector<int8_t> flags;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    for (int64_t s = std::max<int64_t>(0, step - maxDelay); s < step; ++s) {
      const std::vector<int32_t> &list = network.pops[p].ring.at(s);
      if (list.empty())
        continue;
      if (int64_t(list.size()) > d.width) {
        err = "the spike list of '" + spec.name + "' in step " +
              std::to_string(s) + " holds more than a list on the GPU";
        return false;
      }
      int64_t slot = s % ringDepth;
      d.recent[size_t(slot)] = list;
      int32_t n = int32_t(list.size());
      if (!dev->upload(listOf(p, slot), list.data(),
                       list.size() * sizeof(int32_t), err) ||
          !dev->upload(countOf(p, slot), &n, sizeof n, err))
        return false;
      if (spec.generator)
        continue; // generators have no flags
      // The flags of this process's neurons only: the step kernel rewrites
      // no others when the slot comes round again, and a stale flag would
      // turn into a spike of this process.
      auto [begin, end] = network.owned(p);
      flags.assign(size_t(spec.size), 0);
      for (int32_t i : list)
        if (i >= begin && i < end)
          flags[size_t(i)] = 1;
      if (!dev->upload(flagsOf(p, slot), flags.data(), flags.size(), err))
        return false;
    }
  }
  return true;
}

void DeviceBackend::keepRingsOnHost() {
  for (size_t p = 0; p < pops.size(); ++p) {
    DelayRing &ring = network.pops[p].ring;
    for (int64_t s = std::max<int64_t>(0, stepsDone - ring.capacity());
         s < stepsDone; ++s)
      ring.beginPush(s) = pops[p].recent[size_t(s % ringDepth)];
  }
}
