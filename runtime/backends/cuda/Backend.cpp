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

#include "neuro/Runtime/Simulator.h"

#include <algorithm>
#include <cstdlib>

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
  if (context.step != 0) {
    err = "a run on the GPU starts at step 0 (this network is at step " +
          std::to_string(context.step) + ")";
    return nullptr;
  }
  for (size_t j = 0; j < context.net.projs.size(); ++j)
    if (context.net.projs[j].procedural) {
      err = "projection '" + context.net.model.projections[j].name +
            "' is procedural (kept as its rule), which runs on the CPU only";
      return nullptr;
    }
  std::unique_ptr<DeviceBackend> backend(
      new DeviceBackend(context, std::move(device), options));
  if (!backend->upload(context.step, err))
    return nullptr;
  return backend;
}

std::optional<std::string>
DeviceBackend::install(Simulator &sim, std::unique_ptr<Device> device,
                       const DeviceOptions &options, std::string &err) {
  if (!device)
    return std::nullopt;
  std::string name = device->name();
  auto make = [&](const BackendContext &context,
                  std::string &e) -> std::unique_ptr<Backend> {
    return attach(context, std::move(device), options, e);
  };
  if (!sim.setBackend(make, err))
    return std::nullopt;
  return name;
}

bool DeviceBackend::pulls(size_t j) const {
  const ProjectionSpec &spec = network.model.projections[j];
  const PopulationSpec &src = network.model.populations[size_t(spec.src)];
  return delivery == DeviceOptions::Delivery::Pull && !projs[j].pull.empty() &&
         spec.partitionable && !src.generator;
}

bool DeviceBackend::preparePull(size_t j, std::string &err) {
  DeviceProjection &d = projs[j];
  if (d.pullReady)
    return true;
  Network::Projection &host = network.projs[j];
  auto copy = [&](CUdeviceptr &dst, const void *src, size_t bytes) {
    return dev->alloc(bytes, dst, err) && dev->upload(dst, src, bytes, err);
  };
  // The synapses by target (ids ascending: a target takes its inputs in
  // the CPU's order) and their sources, unless `on post` and the kernels
  // needed them already and upload() copied them.
  if (host.postPtr.empty()) {
    network.indexByTarget(j);
    if (!copy(d.postPtr, host.postPtr.data(),
              host.postPtr.size() * sizeof(int64_t)) ||
        !copy(d.postSyn, host.postSyn.data(),
              host.postSyn.size() * sizeof(int64_t)))
      return false;
  }
  if (host.srcs.empty()) {
    network.indexSources(j);
    if (!copy(d.srcs, host.srcs.data(), host.srcs.size() * sizeof(int32_t)))
      return false;
  }
  std::vector<int32_t> delays = network.synapseDelays(j);
  if (!copy(d.synDelay, delays.data(), delays.size() * sizeof(int32_t)))
    return false;
  d.pullReady = true;
  return true;
}

std::vector<std::string> DeviceBackend::kernelParts(const std::string &base) {
  if (dev->hasKernel(base))
    return {base};
  std::vector<std::string> parts;
  for (int k = 0;; ++k) {
    std::string name = base + "_" + std::to_string(k);
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
  ringDepth = maxDelay + 1 + batch;
  const std::string &net = model.name;
  if (!uploadPopulations(err))
    return false;

  projs.resize(network.projs.size());
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    DeviceProjection &d = projs[j];
    auto copy = [&](CUdeviceptr &dst, const void *src, size_t bytes) {
      return dev->alloc(bytes, dst, err) && dev->upload(dst, src, bytes, err);
    };
    if (!copy(d.cols, host.csr.cols.data(),
              host.csr.cols.size() * sizeof(int32_t)) ||
        !copy(d.syn, network.kernelSynapseRows(j),
              host.syn.size() * size_t(valueBytes())) ||
        !copy(d.mods, host.mods.data(), host.mods.size() * sizeof(double)) ||
        !copy(d.srcs, host.srcs.data(), host.srcs.size() * sizeof(int32_t)) ||
        !copy(d.postPtr, host.postPtr.data(),
              host.postPtr.size() * sizeof(int64_t)) ||
        !copy(d.postSyn, host.postSyn.data(),
              host.postSyn.size() * sizeof(int64_t)))
      return false;
    // One launch delivers several delay groups (see KernelsToGPU).
    std::vector<int64_t> rowPtrs;
    d.rowStride = host.rowPtrs.empty() ? 0 : int64_t(host.rowPtrs[0].size());
    for (const std::vector<int64_t> &rows : host.rowPtrs) {
      if (int64_t(rows.size()) != d.rowStride) {
        err = "the delay groups of '" + spec.name +
              "' have row pointers of different lengths";
        return false;
      }
      rowPtrs.insert(rowPtrs.end(), rows.begin(), rows.end());
    }
    std::vector<int64_t> delays(host.delays.begin(), host.delays.end());
    if (!copy(d.rowPtrs, rowPtrs.data(), rowPtrs.size() * sizeof(int64_t)) ||
        !copy(d.delays, delays.data(), delays.size() * sizeof(int64_t)))
      return false;
    if (spec.deliver) {
      std::string deliver = kernelName(KernelKind::Deliver, net, spec.name);
      d.deliver = kernelParts(deliver);
      std::string pull = deliver + NEURO_GPU_PULL_SUFFIX;
      if (dev->hasKernel(pull))
        d.pull = pull;
    }
    if (spec.deliverPost)
      d.deliverPost =
          kernelParts(kernelName(KernelKind::DeliverPost, net, spec.name));
    if (spec.update)
      d.update = kernelParts(kernelName(KernelKind::Update, net, spec.name));
  }
  for (size_t j = 0; j < projs.size(); ++j) {
    const Network::Projection &host = network.projs[j];
    std::vector<int64_t> &out =
        pops[size_t(model.projections[j].src)].outDegree;
    out.resize(
        size_t(model.populations[size_t(model.projections[j].src)].size));
    for (const std::vector<int64_t> &rows : host.rowPtrs)
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
    int64_t bytes = batch * dr.sampleValues * valueBytes();
    // Without room on the device, the monitor copies back per sample.
    std::string full;
    if (bytes > 0 && bytes <= stagingBytes &&
        !dev->alloc(size_t(bytes), dr.staging, full))
      dr.staging = 0;
  }
  eventsBefore = network.events;
  eventsFetched = 0;
  batchStart = stepsDone = step;
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
  for (size_t i = 0; i < rec.rows.size(); ++i)
    if (!dev->copy(at(dr.staging, (sample * dr.sampleValues + int64_t(i) * n) *
                                      valueBytes()),
                   at(base, (rec.rows[i] * stride + rr.begin) * valueBytes()),
                   size_t(n * valueBytes()), err))
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

bool DeviceBackend::updateProjections(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (0) summed drives and clock-driven synapse equations.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    int64_t nSyn = host.csr.numSynapses();
    if (!projs[j].update.empty() && !refreshModulators(j, err))
      return false;
    for (const std::string &part : projs[j].update) {
      KernelArgs a(NEURO_GPU_UPDATE_NUM_ARGS);
      a.buffer(projs[j].srcs, int64_t(host.srcs.size()));
      a.buffer(projs[j].cols, nSyn);
      synapseArgs(j, a);
      a.i64(k);
      if (!launch(part,
                  std::max(nSyn, model.populations[size_t(spec.dst)].size), a,
                  err))
        return false;
    }
  }
  return true;
}

void DeviceBackend::deliveryArgs(size_t j, int64_t k, KernelArgs &a) const {
  const ProjectionSpec &spec = network.model.projections[j];
  int64_t nSrc = network.model.populations[size_t(spec.src)].size;
  const DeviceProjection &d = projs[j];
  int64_t groups = int64_t(network.projs[j].delays.size());
  a.buffer(pops[size_t(spec.src)].lists, ringDepth * nSrc);
  a.buffer(d.rowPtrs, groups * d.rowStride);
  a.i64(1).i64(0);
  a.buffer(d.cols, network.numSynapses(j));
  synapseArgs(j, a);
  a.i64(k);
}

bool DeviceBackend::deliverGroups(size_t j, int64_t k, int64_t first,
                                  int64_t end, std::string &err) {
  // Groups [first, end) in one launch, each reading the spikes of its
  // delay from the source's ring.
  const ProjectionSpec &spec = network.model.projections[j];
  int64_t nSrc = network.model.populations[size_t(spec.src)].size;
  const DeviceProjection &d = projs[j];
  KernelArgs a(NEURO_GPU_DELIVER_NUM_ARGS);
  deliveryArgs(j, k, a);
  a.buffer(pops[size_t(spec.src)].counts, ringDepth);
  a.buffer(d.delays, int64_t(network.projs[j].delays.size()));
  a.i64(ringDepth).i64(nSrc).i64(d.rowStride).i64(first).i64(end);
  for (const std::string &part : d.deliver)
    if (!launch(part, nSrc, a, err, Device::Grid::PerBlock, end - first))
      return false;
  return true;
}

bool DeviceBackend::pullInputs(size_t j, int64_t k, std::string &err) {
  // A thread per target, every delay group at once.
  if (!preparePull(j, err))
    return false;
  const ProjectionSpec &spec = network.model.projections[j];
  int64_t nSrc = network.model.populations[size_t(spec.src)].size;
  int64_t nDst = network.model.populations[size_t(spec.dst)].size;
  int64_t nSyn = network.numSynapses(j);
  const DeviceProjection &d = projs[j];
  KernelArgs a(NEURO_GPU_PULL_NUM_ARGS);
  deliveryArgs(j, k, a);
  a.buffer(d.postPtr, nDst + 1).buffer(d.postSyn, nSyn);
  a.buffer(d.srcs, nSyn).buffer(d.synDelay, nSyn);
  a.buffer(pops[size_t(spec.src)].flags, ringDepth * nSrc);
  a.i64(ringDepth).i64(nSrc).i64(nDst);
  return launch(d.pull, nDst, a, err);
}

bool DeviceBackend::deliver(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (3) `on pre` for the spikes whose delay has elapsed.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    if (projs[j].deliver.empty())
      continue;
    if (!refreshModulators(j, err))
      return false;
    if (pulls(j)) {
      if (!pullInputs(j, k, err))
        return false;
      continue;
    }
    int64_t groups = int64_t(host.delays.size());
    // Deliveries that write only their synapses and targets take every
    // group at once; others write the source's state, and a neuron may
    // have spikes in two groups: one launch per group.
    if (spec.partitionable) {
      if (groups > 0 && !deliverGroups(j, k, 0, groups, err))
        return false;
      continue;
    }
    for (int64_t g = 0; g < groups; ++g)
      if (k >= host.delays[size_t(g)] && !deliverGroups(j, k, g, g + 1, err))
        return false;
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
    if (!refreshModulators(j, err))
      return false;
    int64_t nDst = model.populations[size_t(spec.dst)].size;
    int64_t nSyn = host.csr.numSynapses();
    KernelArgs a(NEURO_GPU_DELIVER_POST_NUM_ARGS);
    a.buffer(listOf(size_t(spec.dst), slot), nDst);
    a.buffer(projs[j].postPtr, int64_t(host.postPtr.size()));
    a.buffer(projs[j].postSyn, nSyn);
    a.buffer(projs[j].srcs, int64_t(host.srcs.size()));
    synapseArgs(j, a);
    a.i64(k);
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
  if (stepsDone - batchStart >= batch)
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
    if (network.single()) {
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

bool DeviceBackend::fetchSpikes(int64_t end, std::string &err) {
  const ModelSpec &model = network.model;
  std::vector<int32_t> counts(static_cast<size_t>(ringDepth));
  std::vector<int32_t> window;
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    if (!dev->download(counts.data(), d.counts, counts.size() * sizeof(int32_t),
                       err))
      return false;
    // The batch's lists in one or two copies (the ring may wrap): the
    // first `widest` entries of each slot, `widest` the largest count.
    int64_t steps = end - batchStart;
    int64_t first = batchStart % ringDepth;
    int64_t before = std::min(steps, ringDepth - first);
    int32_t widest = 0;
    for (int64_t s = batchStart; s < end; ++s) {
      int32_t n = counts[size_t(s % ringDepth)];
      if (n < 0 || n > spec.size) {
        err = "the GPU counted " + std::to_string(n) + " spikes of '" +
              spec.name + "' in step " + std::to_string(s);
        return false;
      }
      widest = std::max(widest, n);
    }
    size_t width = size_t(widest) * sizeof(int32_t);
    size_t pitch = size_t(spec.size) * sizeof(int32_t);
    window.resize(size_t(steps * widest));
    if (!dev->downloadRows(window.data(), width, listOf(p, first), pitch, width,
                           size_t(before), err) ||
        !dev->downloadRows(window.data() + before * widest, width, d.lists,
                           pitch, width, size_t(steps - before), err))
      return false;
    for (int64_t s = batchStart; s < end; ++s) {
      int64_t slot = s % ringDepth;
      std::vector<int32_t> &list = d.recent[size_t(slot)];
      int32_t n = counts[size_t(slot)];
      list.assign(window.data() + (s - batchStart) * widest,
                  window.data() + (s - batchStart) * widest + n);
      // The lists of step kernels are in neuron order as on the CPU;
      // those of generators are the host's.
      if (!std::is_sorted(list.begin(), list.end())) {
        err = "the spike list of '" + spec.name + "' in step " +
              std::to_string(s) + " is not in neuron order";
        return false;
      }
      recorder.addSpikes(p, s, list);
      if (!d.outDegree.empty())
        for (int32_t i : list)
          eventsFetched += d.outDegree[size_t(i)];
    }
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

bool DeviceBackend::fetchSynapses(size_t j, std::string &err) {
  downloaded();
  return dev->download(network.kernelSynapseRows(j), projs[j].syn,
                       network.projs[j].syn.size() * size_t(valueBytes()), err);
}

bool DeviceBackend::sync(std::string &err) {
  if (stepsDone > batchStart && !fetchSpikes(stepsDone, err))
    return false;
  if (!fetchRecordings(err))
    return false;
  // Synaptic events count when delivered, as on the CPU.
  network.events = eventsBefore + eventsFetched - eventsInFlight(stepsDone);
  for (size_t p = 0; p < pops.size(); ++p)
    if (!fetchState(p, err))
      return false;
  for (size_t j = 0; j < projs.size(); ++j)
    if (network.model.projections[j].synapsesWritten && !fetchSynapses(j, err))
      return false;
  return dev->finish(err);
}
