//===- Step.cpp - The phases of one time step -----------------------------===//
//
// Simulator::doStep runs the phases of step k in the order docs/semantics.md
// gives ("One step"), each a function of its own: inputs that follow time
// (state samples, timed parameters, plasticity switches), (0) the
// projections' clock-driven updates and summed drives, (1)+(2) integration
// and threshold of every population in ranges of neurons on the pool's
// threads, (3) delivery of the spikes whose delay has elapsed, then `on
// post`, (4) resets, (5) spike counts and monitors. Memref descriptors are
// rebuilt for every kernel call (a few stores), so buffers may be
// reallocated freely between calls.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"

#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Streams.h"

#include <algorithm>
#include <cstring>
#include <functional>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

/// Appends the indices in [begin, end) whose flag is set, ascending; skips
/// eight silent neurons at a time.
void compactSpikes(const int8_t *flags, int64_t begin, int64_t end,
                   std::vector<int32_t> &out) {
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    uint64_t word;
    std::memcpy(&word, flags + i, sizeof word);
    if (!word)
      continue;
    for (int64_t j = i; j < i + 8; ++j)
      if (flags[j])
        out.push_back(int32_t(j));
  }
  for (; i < end; ++i)
    if (flags[i])
      out.push_back(int32_t(i));
}

} // namespace

void Simulator::fillTimed(size_t p, size_t r, int64_t k) {
  const PopulationSpec &spec = model.populations[p];
  double *row = pops[p].state.data() + int64_t(r) * spec.size;
  fillTimedRow(row, spec.size, spec.init[r], k);
  if (single())
    for (int64_t i = 0; i < spec.size; ++i) {
      float v = float(row[i]);
      pops[p].state32[size_t(int64_t(r) * spec.size + i)] = v;
      row[i] = v;
    }
}

void Simulator::updateModulators(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  for (size_t m = 0; m < spec.modulators.size(); ++m) {
    const ProjectionSpec::Modulator &mod = spec.modulators[m];
    int64_t n = model.populations[size_t(mod.population)].size;
    const Population &pop = pops[size_t(mod.population)];
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

void Simulator::generatorSpikes(size_t p, int64_t k,
                                std::vector<int32_t> &list) {
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
  // Spikes given by time: those scheduled for step k.
  auto it =
      std::lower_bound(spec.schedule.begin(), spec.schedule.end(),
                       std::make_pair(k, std::numeric_limits<int32_t>::min()));
  for (; it != spec.schedule.end() && it->first == k; ++it)
    if (list.empty() || list.back() != it->second)
      list.push_back(it->second);
}

Simulator::SynapseArgs Simulator::synapseArgs(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  if (!spec.modulators.empty())
    updateModulators(j);
  return SynapseArgs{memref1D(proj.srcs.data(), int64_t(proj.srcs.size())),
                     memref1D(proj.csr.cols.data(), nSyn),
                     kernelSynapses(j),
                     kernelState(size_t(spec.dst)),
                     kernelState(size_t(spec.src)),
                     memref1D(proj.mods.data(), int64_t(proj.mods.size()))};
}

void Simulator::stepInputs(int64_t k) {
  size_t nPops = pops.size();
  // State monitors sample at the start of the step (time k dt), as Brian2's
  // StateMonitor does.
  if (!model.stateRecords.empty())
    sampleStates(k);

  // Parameters that follow a table in time.
  for (size_t p = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.init.size(); ++r)
      if (spec.init[r].kind == InitSpec::Timed && k % spec.init[r].every == 0)
        fillTimed(p, r, k);
  }

  for (const ModelSpec::PlasticSwitch &sw : model.plasticSwitches)
    if (sw.step == k)
      projs[size_t(sw.projection)].mods[0] = sw.plastic ? 1.0 : 0.0;
}

void Simulator::stepUpdates(int64_t k) {
  // (0): summed drives and clock-driven synapse equations, from the state
  // at the start of the step.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    if (!spec.update)
      continue;
    SynapseArgs a = synapseArgs(j);
    spec.update(&a.srcs, &a.cols, &a.syn, &a.post, &a.pre, &a.mods, k);
  }
}

void Simulator::stepIntegrate(int64_t k) {
  size_t nPops = pops.size();
  // (1) + (2): integrate and threshold, each population in ranges of
  // neurons on the pool's threads; collect the spikes of step k.
  pool->run(int64_t(stepTasks.size()), [&](int64_t t) {
    StepTask &task = stepTasks[size_t(t)];
    const PopulationSpec &spec = model.populations[size_t(task.pop)];
    Population &pop = pops[size_t(task.pop)];
    NeuroMemRef2DF64 state = kernelState(size_t(task.pop));
    NeuroMemRefI8 spiked = memref1D(pop.spiked.data(), spec.size);
    spec.step(&state, &spiked, k, int64_t(model.seed), task.begin, task.end);
    task.spikes.clear();
    compactSpikes(pop.spiked.data(), task.begin, task.end, task.spikes);
  });
  for (size_t p = 0, t = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    Population &pop = pops[p];
    if (spec.generator) {
      generatorSpikes(p, k, pop.ring.beginPush(k));
      continue;
    }
    std::vector<int32_t> &list = pop.ring.beginPush(k);
    for (; t < stepTasks.size() && stepTasks[t].pop == int(p); ++t)
      list.insert(list.end(), stepTasks[t].spikes.begin(),
                  stepTasks[t].spikes.end());
  }
}

void Simulator::stepDeliver(int64_t k) {
  // (3): deliver the spikes whose delay has elapsed, one call per delay.
  // Projections split by target range deliver the ranges on the pool's
  // threads; each target still receives its events in the same order.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    Projection &proj = projs[j];
    const DelayRing &ring = pops[size_t(spec.src)].ring;
    bool anySpikes = false;
    for (size_t g = 0; g < proj.delays.size(); ++g) {
      const std::vector<int32_t> &list = ring.at(k - proj.delays[g]);
      anySpikes |= !list.empty();
      for (int32_t s : list)
        events += proj.rowPtrs[g][size_t(s) + 1] - proj.rowPtrs[g][size_t(s)];
    }
    if (!anySpikes)
      continue;
    SynapseArgs a = synapseArgs(j);
    bool split = proj.parts > 1 && pool->size() > 1;
    auto deliver = [&](int64_t part) {
      for (size_t g = 0; g < proj.delays.size(); ++g) {
        const std::vector<int32_t> &list = ring.at(k - proj.delays[g]);
        if (list.empty())
          continue;
        std::vector<int64_t> &ptrs = split ? proj.partPtrs[g] : proj.rowPtrs[g];
        NeuroMemRefI32 spikes =
            memref1D(const_cast<int32_t *>(list.data()), int64_t(list.size()));
        NeuroMemRefI64 rowPtr = memref1D(ptrs.data(), int64_t(ptrs.size()));
        spec.deliver(&spikes, &rowPtr, split ? proj.parts + 1 : 1, part,
                     &a.cols, &a.syn, &a.post, &a.pre, &a.mods, k);
      }
    };
    if (split)
      pool->run(proj.parts, deliver);
    else
      deliver(0);
  }
}

void Simulator::stepDeliverPost(int64_t k) {
  // `on post` after every `on pre`, as Brian2 orders its pathways.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    if (!spec.deliverPost)
      continue;
    const std::vector<int32_t> &list = pops[size_t(spec.dst)].ring.at(k);
    if (list.empty())
      continue;
    Projection &proj = projs[j];
    int64_t nSyn = proj.csr.numSynapses();
    NeuroMemRefI32 spikes =
        memref1D(const_cast<int32_t *>(list.data()), int64_t(list.size()));
    NeuroMemRefI64 colPtr =
        memref1D(proj.postPtr.data(), int64_t(proj.postPtr.size()));
    NeuroMemRefI64 synIndex = memref1D(proj.postSyn.data(), nSyn);
    SynapseArgs a = synapseArgs(j);
    spec.deliverPost(&spikes, &colPtr, &synIndex, &a.srcs, &a.syn, &a.post,
                     &a.pre, &a.mods, k);
  }
}

void Simulator::stepReset(int64_t k) {
  size_t nPops = pops.size();
  // (4): reset the neurons that spiked in this step.
  for (size_t p = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    if (!spec.reset)
      continue;
    Population &pop = pops[p];
    const std::vector<int32_t> &list = pop.ring.at(k);
    if (list.empty())
      continue;
    NeuroMemRefI32 spikes =
        memref1D(const_cast<int32_t *>(list.data()), int64_t(list.size()));
    NeuroMemRef2DF64 state = kernelState(p);
    spec.reset(&spikes, &state);
  }
}

void Simulator::stepMonitors(int64_t k) {
  // (5): monitors. A spike of step k is stamped with the end of the step.
  double t = double(k + 1) * model.dt;
  for (Population &pop : pops) {
    const std::vector<int32_t> &list = pop.ring.at(k);
    pop.spikeCount += int64_t(list.size());
    if (!pop.recorded)
      continue;
    for (int32_t i : list)
      pop.spikes.push_back({i, t});
  }
}

void Simulator::doStep(int64_t k) {
  hostStale = single();
  stepInputs(k);
  stepUpdates(k);
  stepIntegrate(k);
  stepDeliver(k);
  stepDeliverPost(k);
  stepReset(k);
  stepMonitors(k);
}
