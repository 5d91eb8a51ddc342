//===- Backend.cpp - The phases of a step on a GPU ------------------------===//
//
// attach() and upload(): the network copied to the device; then one hook
// per phase of the Simulator's schedule, each launching that phase's
// kernels; last, what comes back: the spike lists and staged samples of a
// batch (monitor(), sync()) and the rows.
//
//===----------------------------------------------------------------------===//

#include "cuda/Backend.h"
#include "neuro/Runtime/Kernels.h"

#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Simulator.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

using namespace neuro::rt;
using namespace neuro::rt::cuda;

bool DeviceOptions::set(const std::string &name, const char *value,
                        std::string &err) {
  if (!value || !*value)
    return true;
  if (name == "NEURO_GPU_DELIVERY") {
    std::string mode = value;
    if (mode == "pull")
      delivery = Delivery::Pull;
    else if (mode == "push")
      delivery = Delivery::Push;
    else {
      err = "NEURO_GPU_DELIVERY must be push or pull, not '" + mode + "'";
      return false;
    }
    return true;
  }
  // A whole number >= 0, else the default stays.
  char *end = nullptr;
  long long n = std::strtoll(value, &end, 10);
  if (*end || n < 0)
    return true;
  if (name == "NEURO_GPU_BATCH")
    batch = int64_t(n);
  else if (name == "NEURO_GPU_STAGING")
    stagingBytes = int64_t(n);
  return true;
}

std::unique_ptr<DeviceBackend>
DeviceBackend::attach(const BackendContext &context,
                      std::unique_ptr<Device> device,
                      const DeviceOptions &options, std::string &err) {
  for (size_t j = 0; j < context.net.projs.size(); ++j)
    if (context.net.projs[j].procedural) {
      err = "projection '" + context.net.model.projections[j].name +
            "' is procedural (kept as its rule), which runs on the CPU only";
      return nullptr;
    }
  std::string blocker = distributedBlocker(context.net, options);
  if (!blocker.empty()) {
    err = blocker;
    return nullptr;
  }
  std::unique_ptr<DeviceBackend> backend(
      new DeviceBackend(context, std::move(device), options));
  if (context.net.dist)
    backend->dev = holdFailures(std::move(backend->dev), backend->heldFailure);
  if (!backend->upload(context.step, err) ||
      !backend->agreeOnFailures(true, err))
    return nullptr;
  return backend;
}

std::string DeviceBackend::distributedBlocker(const Network &net,
                                              const DeviceOptions &options) {
  if (!net.dist)
    return "";
  std::string over = "over several processes the GPU backend ";
  if (options.delivery == DeviceOptions::Delivery::Pull)
    return "NEURO_GPU_DELIVERY=pull reads every source neuron's spike flag, "
           "and " +
           over + "keeps only its own neurons' flags: use push";
  for (size_t j = 0; j < net.projs.size(); ++j)
    if (net.replicated(j))
      return "projection '" + net.model.projections[j].name +
             "' reads a source state its events write, so every process "
             "holds it whole, which " +
             over + "does not do: run it on the CPU";
  return "";
}

bool DeviceBackend::agreeOnFailures(bool ok, std::string &err) {
  if (!network.dist)
    return ok;
  if (ok && !heldFailure.empty()) {
    ok = false;
    err = heldFailure;
  }
  return network.dist->comm.agree(ok, err);
}

std::optional<std::string>
DeviceBackend::install(Simulator &sim, std::unique_ptr<Device> device,
                       const DeviceOptions &options, std::string &err) {
  // Without a device the Simulator still hears of it: over several
  // processes all agree there whether every one has its backend.
  std::string name = device ? device->name() : "";
  std::string why = err;
  auto make = [&](const BackendContext &context,
                  std::string &e) -> std::unique_ptr<Backend> {
    if (!device) {
      e = why;
      return nullptr;
    }
    return attach(context, std::move(device), options, e);
  };
  if (!sim.setBackend(make, err))
    return std::nullopt;
  return name;
}

std::vector<std::string> DeviceBackend::kernelParts(const std::string &base) {
  if (dev->hasKernel(base))
    return {base};
  std::vector<std::string> parts;
  for (int k = 0;; ++k) {
    std::string name = base + NEURO_GPU_PART_SEPARATOR + std::to_string(k);
    if (!dev->hasKernel(name))
      return parts;
    parts.push_back(name);
  }
}

void DeviceBackend::downloaded() { network.kernelRowsWritten(); }

bool DeviceBackend::upload(int64_t step, std::string &err) {
  const ModelSpec &model = network.model;
  int64_t maxDelay = 0;
  for (const Network::Projection &p : network.projs)
    for (int64_t d : p.delays)
      maxDelay = std::max(maxDelay, d);
  // Over several processes a batch ends before the spikes of its first
  // step are delivered anywhere.
  if (network.dist)
    batch = std::clamp<int64_t>(network.dist->interval(), 1, batch);
  ringDepth = maxDelay + 1 + batch;
  if (!uploadPopulations(err))
    return false;

  if (!uploadProjections(err))
    return false;
  for (size_t j = 0; j < projs.size(); ++j) {
    const Network::Projection &host = network.projs[j];
    std::vector<int64_t> &out =
        pops[size_t(model.projections[j].src)].outDegree;
    out.resize(
        size_t(model.populations[size_t(model.projections[j].src)].size));
    for (const RowIndex &rows : host.rowPtrs)
      for (size_t i = 0; i + 1 < rows.size() && i < out.size(); ++i)
        out[i] += rows[i + 1] - rows[i];
  }
  // State monitors stage up to B samples on the device.
  recs.assign(model.stateRecords.size(), {});
  for (size_t r = 0; r < recs.size(); ++r) {
    const Recorder::StateRecording &rr = recorder.stateRecording(r);
    DeviceRecording &dr = recs[r];
    dr.sampleValues =
        int64_t(model.stateRecords[r].rows.size()) * (rr.end - rr.begin);
    int64_t bytes = batch * dr.sampleValues * recordBytes(r);
    // Without room on the device, the monitor copies back per sample; so
    // do all over several processes, where samples are gathered to rank 0,
    // and those of lets, which the host computes from the rows.
    std::string full;
    if (bytes > 0 && bytes <= stagingBytes && !network.dist &&
        !network.recordsLets(model.stateRecords[r]) &&
        !dev->alloc(size_t(bytes), dr.staging, full))
      dr.staging = 0;
  }
  // Spikes in flight from before (a restored checkpoint): delivered as
  // on the host; their events count as they are delivered.
  if (!uploadInFlight(step, maxDelay, err))
    return false;
  eventsFetched = 0;
  batchStart = stepsDone = step;
  eventsBefore = network.events + eventsInFlight(step);
  return dev->finish(err);
}

bool DeviceBackend::sampleState(size_t r, int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  const StateRecordSpec &rec = model.stateRecords[r];
  // Into the record's staging buffer, or on the host from rows copied back
  // (also a record added since attach()).
  if (r >= recs.size() || !recs[r].staging) {
    if (rec.projection >= 0 ? !fetchSynapses(size_t(rec.projection), err)
                            : !fetchState(size_t(rec.population), err))
      return false;
    network.computeLets(rec, k);
    // The device's rows hold the lets too (a checkpoint reads them there):
    // every let of the population, as the sample kernel computes them all.
    if (network.recordsLets(rec)) {
      const PopulationSpec &pop = model.populations[size_t(rec.population)];
      for (size_t row = 0; row < pop.rows.size(); ++row)
        if (pop.isSampled(pop.rows[row]) &&
            !uploadRow(size_t(rec.population), row, err))
          return false;
    }
    if (network.dist)
      network.dist->sample(network, recorder, r, k);
    else
      recorder.sample(r, k);
    return true;
  }
  DeviceRecording &dr = recs[r];
  const Recorder::StateRecording &rr = recorder.stateRecording(r);
  int64_t n = rr.end - rr.begin;
  CUdeviceptr base = rec.projection >= 0 ? projs[size_t(rec.projection)].syn
                                         : pops[size_t(rec.population)].state;
  int64_t stride = rec.projection >= 0
                       ? network.numSynapses(size_t(rec.projection))
                       : model.populations[size_t(rec.population)].size;
  int64_t sample = int64_t(dr.steps.size());
  int64_t bytes = recordBytes(r);
  for (size_t i = 0; i < rec.rows.size(); ++i)
    if (!dev->copy(
            at(dr.staging, (sample * dr.sampleValues + int64_t(i) * n) * bytes),
            at(base, (rec.rows[i] * stride + rr.begin) * bytes),
            size_t(n * bytes), err))
      return false;
  dr.steps.push_back(k);
  return true;
}

bool DeviceBackend::uploadRow(size_t p, size_t r, std::string &err) {
  int64_t size = network.model.populations[p].size;
  int64_t offset = int64_t(r) * size * valueBytes();
  return dev->upload(at(pops[p].state, offset),
                     static_cast<char *>(network.kernelRows(p)) + offset,
                     size_t(size * valueBytes()), err);
}

bool DeviceBackend::uploadMods(size_t j, std::string &err) {
  const std::vector<double> &mods = network.projs[j].mods;
  return dev->upload(projs[j].mods, mods.data(), mods.size() * sizeof(double),
                     err);
}

bool DeviceBackend::prepareRows(size_t j, std::string &err) {
  if (Distribution *dist = network.dist) {
    const ModelSpec &model = network.model;
    const ProjectionSpec &spec = model.projections[j];
    std::vector<size_t> read;
    if (spec.readsSource)
      read.push_back(size_t(spec.src));
    for (const ProjectionSpec::Modulator &m : spec.modulators)
      read.push_back(size_t(m.population));
    std::vector<size_t> stale;
    for (size_t p : read)
      if (dist->isStale(p) && !model.populations[p].generator &&
          std::find(stale.begin(), stale.end(), p) == stale.end()) {
        stale.push_back(p);
        if (!fetchState(p, err))
          return false;
      }
    dist->prepare(network, j);
    for (size_t p : stale)
      if (!dev->upload(pops[p].state, network.kernelRows(p),
                       network.pops[p].state.size() * size_t(valueBytes()),
                       err))
        return false;
  }
  return refreshModulators(j, err);
}

bool DeviceBackend::refreshModulators(size_t j, std::string &err) {
  const ModelSpec &model = network.model;
  const ProjectionSpec &spec = model.projections[j];
  const Network::Projection &host = network.projs[j];
  if (spec.modulators.empty())
    return true;
  for (const ProjectionSpec::Modulator &m : spec.modulators) {
    int64_t n = model.populations[size_t(m.population)].size;
    int64_t offset = int64_t(m.row) * n * valueBytes();
    if (!dev->download(
            static_cast<char *>(network.kernelRows(size_t(m.population))) +
                offset,
            at(pops[size_t(m.population)].state, offset),
            size_t(n * valueBytes()), err))
      return false;
    downloaded();
  }
  network.updateModulators(j);
  return dev->upload(projs[j].mods, host.mods.data(),
                     host.mods.size() * sizeof(double), err);
}

void DeviceBackend::synapseArgs(size_t j, KernelArgs &a) const {
  const ModelSpec &model = network.model;
  const ProjectionSpec &spec = model.projections[j];
  const PopulationSpec &dst = model.populations[size_t(spec.dst)];
  const PopulationSpec &src = model.populations[size_t(spec.src)];
  const DeviceProjection &d = projs[j];
  a.matrix(d.syn, int64_t(spec.synRows.size()), network.numSynapses(j));
  a.matrix(pops[size_t(spec.dst)].state, int64_t(dst.rows.size()), dst.size);
  a.matrix(pops[size_t(spec.src)].state, int64_t(src.rows.size()), src.size);
  a.buffer(d.mods, int64_t(network.projs[j].mods.size()));
}

bool DeviceBackend::updateProjections(int64_t k, bool afterStep,
                                      std::string &err) {
  const ModelSpec &model = network.model;
  // (0) summed drives (before the step), then clock-driven synapse
  // equations (before it, or after it where they read neuron state).
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const std::vector<std::string> *kernels[] = {
        afterStep ? nullptr : &projs[j].sum,
        spec.updateAfterStep == afterStep ? &projs[j].update : nullptr};
    if (std::all_of(std::begin(kernels), std::end(kernels),
                    [](auto *parts) { return !parts || parts->empty(); }))
      continue;
    const Network::Projection &host = network.projs[j];
    int64_t nSyn = host.csr.numSynapses();
    if (!prepareRows(j, err))
      return false;
    for (const std::vector<std::string> *parts : kernels)
      for (size_t p = 0; parts && p < parts->size(); ++p) {
        KernelArgs a(NEURO_GPU_UPDATE_NUM_ARGS);
        a.buffer(projs[j].srcs, int64_t(host.srcs.size()));
        a.buffer(projs[j].cols, nSyn);
        synapseArgs(j, a);
        a.i64(k);
        if (!launch((*parts)[p],
                    std::max(nSyn, model.populations[size_t(spec.dst)].size), a,
                    err))
          return false;
      }
    touch(size_t(spec.dst));
  }
  return true;
}

bool DeviceBackend::deliverPost(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (3) then `on post` for the targets that spiked in step k.
  int64_t slot = k % ringDepth;
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    if (projs[j].deliverPost.empty())
      continue;
    if (!prepareRows(j, err))
      return false;
    touch(size_t(spec.dst));
    int64_t nDst = model.populations[size_t(spec.dst)].size;
    int64_t nSyn = host.csr.numSynapses();
    KernelArgs a(NEURO_GPU_DELIVER_POST_NUM_ARGS);
    a.buffer(listOf(size_t(spec.dst), slot), nDst);
    a.buffer(projs[j].postPtr, int64_t(host.postPtr.size()));
    a.buffer(projs[j].postSyn, nSyn);
    a.buffer(projs[j].srcs, int64_t(host.srcs.size()));
    synapseArgs(j, a);
    a.i64(k).i64(int64_t(network.model.seed));
    a.buffer(countOf(size_t(spec.dst), slot), 1);
    for (const std::string &part : projs[j].deliverPost)
      if (!launch(part, nDst, a, err, Device::Grid::PerBlock))
        return false;
  }
  return true;
}

bool DeviceBackend::monitor(int64_t k, std::string &err) {
  // (5) the spikes of a whole batch of steps come back at once.
  stepsDone = k + 1;
  if (stepsDone > batchStart && stepsDone - batchStart >= batch)
    return fetchSpikes(stepsDone, err) && fetchRecordings(err);
  return true;
}

bool DeviceBackend::fetchRecordings(std::string &err) {
  for (size_t r = 0; r < recs.size(); ++r) {
    DeviceRecording &dr = recs[r];
    if (dr.steps.empty())
      continue;
    Recorder::StateRecording &rr = recorder.stateRecording(r);
    size_t old = rr.values.size();
    size_t count = dr.steps.size() * size_t(dr.sampleValues);
    rr.values.resize(old + count);
    if (recordBytes(r) == int64_t(sizeof(float))) {
      std::vector<float> values(count);
      if (!dev->download(values.data(), dr.staging, count * sizeof(float), err))
        return false;
      std::copy(values.begin(), values.end(), rr.values.begin() + long(old));
    } else if (!dev->download(rr.values.data() + old, dr.staging,
                              count * sizeof(double), err)) {
      return false;
    }
    for (int64_t k : dr.steps)
      rr.times.push_back(double(k) * network.model.dt);
    dr.steps.clear();
  }
  return true;
}

bool DeviceBackend::downloadLists(size_t p, int64_t end,
                                  std::vector<std::vector<int32_t>> &lists,
                                  std::string &err) {
  const PopulationSpec &spec = network.model.populations[p];
  DevicePopulation &d = pops[p];
  std::vector<int32_t> counts(static_cast<size_t>(ringDepth));
  if (!dev->download(counts.data(), d.counts, counts.size() * sizeof(int32_t),
                     err))
    return false;
  // The batch's lists in one or two copies (the ring may wrap): the first
  // `widest` entries of each slot, `widest` the largest count.
  int64_t steps = end - batchStart;
  int64_t first = batchStart % ringDepth;
  int64_t before = std::min(steps, ringDepth - first);
  int32_t widest = 0;
  for (int64_t s = batchStart; s < end; ++s) {
    int32_t n = counts[size_t(s % ringDepth)];
    if (n < 0 || n > d.width) {
      err = "the GPU counted " + std::to_string(n) + " spikes of '" +
            spec.name + "' in step " + std::to_string(s);
      return false;
    }
    widest = std::max(widest, n);
  }
  size_t width = size_t(widest) * sizeof(int32_t);
  size_t pitch = size_t(d.width) * sizeof(int32_t);
  std::vector<int32_t> window(static_cast<size_t>(steps * widest));
  if (!dev->downloadRows(window.data(), width, listOf(p, first), pitch, width,
                         size_t(before), err) ||
      !dev->downloadRows(window.data() + before * widest, width, d.lists, pitch,
                         width, size_t(steps - before), err))
    return false;
  lists.resize(size_t(steps));
  for (int64_t s = batchStart; s < end; ++s) {
    std::vector<int32_t> &list = lists[size_t(s - batchStart)];
    const int32_t *from = window.data() + (s - batchStart) * widest;
    list.assign(from, from + counts[size_t(s % ringDepth)]);
    // The lists of step kernels are in neuron order as on the CPU; those
    // of generators are the host's.
    if (!std::is_sorted(list.begin(), list.end())) {
      err = "the spike list of '" + spec.name + "' in step " +
            std::to_string(s) + " is not in neuron order";
      return false;
    }
  }
  return true;
}

void DeviceBackend::keepList(size_t p, int64_t s,
                             const std::vector<int32_t> &list) {
  DevicePopulation &d = pops[p];
  d.recent[size_t(s % ringDepth)] = list;
  if (!d.outDegree.empty())
    for (int32_t i : list)
      eventsFetched += d.outDegree[size_t(i)];
}

bool DeviceBackend::fetchSpikes(int64_t end, std::string &err) {
  if (network.dist)
    return exchangeSpikes(end, err);
  std::vector<std::vector<int32_t>> lists;
  for (size_t p = 0; p < pops.size(); ++p) {
    if (!downloadLists(p, end, lists, err))
      return false;
    for (int64_t s = batchStart; s < end; ++s) {
      const std::vector<int32_t> &list = lists[size_t(s - batchStart)];
      recorder.addSpikes(p, s, list);
      keepList(p, s, list);
    }
  }
  batchStart = end;
  return true;
}

bool DeviceBackend::exchangeSpikes(int64_t end, std::string &err) {
  const ModelSpec &model = network.model;
  // This process's lists into the host's rings (generators' are there),
  // and every process learns of any failure before the exchange.
  std::vector<std::vector<int32_t>> lists;
  bool ok = true;
  for (size_t p = 0; p < pops.size() && ok; ++p) {
    if (model.populations[p].generator)
      continue;
    ok = downloadLists(p, end, lists, err);
    for (int64_t s = batchStart; s < end && ok; ++s)
      network.pops[p].ring.beginPush(s).swap(lists[size_t(s - batchStart)]);
  }
  if (!agreeOnFailures(ok, err))
    return false;
  // Whole lists in the rings, and to the recorder; then up into their ring
  // slots on the device, which deliveries read from D steps on.
  network.dist->exchangeSteps(network, recorder, batchStart, end);
  for (size_t p = 0; p < pops.size(); ++p)
    for (int64_t s = batchStart; s < end; ++s) {
      const std::vector<int32_t> &list = network.pops[p].ring.at(s);
      keepList(p, s, list);
      int32_t n = int32_t(list.size());
      int64_t slot = s % ringDepth;
      if (model.populations[p].generator)
        continue;
      if ((n > 0 && !dev->upload(listOf(p, slot), list.data(),
                                 list.size() * sizeof(int32_t), err)) ||
          !dev->upload(countOf(p, slot), &n, sizeof n, err))
        return false;
    }
  batchStart = end;
  return true;
}

int64_t DeviceBackend::eventsInFlight(int64_t end) const {
  const ModelSpec &model = network.model;
  int64_t pending = 0;
  for (size_t j = 0; j < projs.size(); ++j) {
    const Network::Projection &host = network.projs[j];
    const DevicePopulation &src = pops[size_t(model.projections[j].src)];
    for (size_t g = 0; g < host.delays.size(); ++g)
      for (int64_t s = std::max<int64_t>(0, end - host.delays[g]); s < end; ++s)
        for (int32_t i : src.recent[size_t(s % ringDepth)])
          pending +=
              host.rowPtrs[g][size_t(i) + 1] - host.rowPtrs[g][size_t(i)];
  }
  return pending;
}

bool DeviceBackend::fetchState(size_t p, std::string &err) {
  downloaded();
  return dev->download(network.kernelRows(p), pops[p].state,
                       network.pops[p].state.size() * size_t(valueBytes()),
                       err);
}

bool DeviceBackend::uploadHostRows(std::string &err) {
  for (size_t p = 0; p < pops.size(); ++p)
    if (!dev->upload(pops[p].state, network.kernelRows(p),
                     network.pops[p].state.size() * size_t(valueBytes()), err))
      return false;
  for (size_t j = 0; j < projs.size(); ++j)
    if (size_t n = network.kernelSynapseValues(j);
        n && !dev->upload(projs[j].syn, network.kernelSynapseRows(j),
                          n * size_t(synapseBytes()), err))
      return false;
  return true;
}

bool DeviceBackend::fetchSynapses(size_t j, std::string &err) {
  downloaded();
  return dev->download(network.kernelSynapseRows(j), projs[j].syn,
                       network.kernelSynapseValues(j) * size_t(synapseBytes()),
                       err);
}

bool DeviceBackend::sync(std::string &err) {
  // Over several processes every process syncs in the same steps.
  if (stepsDone > batchStart && !fetchSpikes(stepsDone, err))
    return false;
  if (!fetchRecordings(err))
    return false;
  // Over several processes the rings hold every list already.
  if (!network.dist)
    keepRingsOnHost();
  // Synaptic events count when delivered, as on the CPU.
  network.events = eventsBefore + eventsFetched - eventsInFlight(stepsDone);
  for (size_t p = 0; p < pops.size(); ++p)
    if (!fetchState(p, err))
      return false;
  for (size_t j = 0; j < projs.size(); ++j)
    if (network.model.projections[j].synapsesWritten && !fetchSynapses(j, err))
      return false;
  return dev->finish(err) && agreeOnFailures(true, err);
}
