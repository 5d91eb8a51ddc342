//===- Backend.cpp - The step loop of a network on a GPU ------------------===//

#include "cuda/Backend.h"
#include "neuro/Runtime/Kernels.h"

#include <algorithm>
#include <cstdlib>

using namespace neuro::rt;
using namespace neuro::rt::cuda;

namespace {
/// A positive integer from environment variable `name`, else `fallback`.
int64_t envInt(const char *name, int64_t fallback) {
  const char *v = std::getenv(name);
  if (!v || !*v)
    return fallback;
  char *end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  return *end || n < 0 ? fallback : int64_t(n);
}

CUdeviceptr at(CUdeviceptr base, int64_t bytes) {
  return base + CUdeviceptr(bytes);
}
} // namespace

std::unique_ptr<DeviceBackend>
DeviceBackend::attach(Simulator &sim, std::unique_ptr<Device> device,
                      std::string &err) {
  const ModelSpec &model = sim.model;
  if (!sim.built) {
    err = "model '" + model.name + "' is not built";
    return nullptr;
  }
  if (sim.stepIndex != 0) {
    err = "a run on the GPU starts at step 0 (this network is at step " +
          std::to_string(sim.stepIndex) + ")";
    return nullptr;
  }
  // The device starts from the rows the kernels take.
  if (sim.kernelStale)
    sim.pushKernelRows();
  std::unique_ptr<DeviceBackend> backend(
      new DeviceBackend(sim, std::move(device)));
  // Tuning, and tests of ring wrap-around and per-step copies.
  backend->batch = std::max<int64_t>(1, envInt("NEURO_GPU_BATCH", 64));
  backend->stagingBytes = envInt("NEURO_GPU_STAGING", int64_t(256) << 20);
  if (const char *v = std::getenv("NEURO_GPU_DELIVERY")) {
    std::string mode = v;
    if (mode == "pull")
      backend->delivery = Delivery::Pull;
    else if (!mode.empty() && mode != "push") {
      err = "NEURO_GPU_DELIVERY must be push or pull, not '" + mode + "'";
      return nullptr;
    }
  }
  if (!backend->upload(err))
    return nullptr;
  return backend;
}

std::optional<std::string>
DeviceBackend::install(Simulator &sim, std::unique_ptr<Device> device,
                       std::string &err) {
  if (!device)
    return std::nullopt;
  std::string name = device->name();
  std::unique_ptr<DeviceBackend> backend = attach(sim, std::move(device), err);
  if (!backend)
    return std::nullopt;
  sim.setBackend(std::move(backend));
  return name;
}

CUdeviceptr DeviceBackend::listOf(size_t pop, int64_t slot) const {
  int64_t size = sim.model.populations[pop].size;
  return at(pops[pop].lists, slot * size * int64_t(sizeof(int32_t)));
}

CUdeviceptr DeviceBackend::flagsOf(size_t pop, int64_t slot) const {
  return at(pops[pop].flags, slot * sim.model.populations[pop].size);
}

bool DeviceBackend::pulls(size_t j) const {
  const ProjectionSpec &spec = sim.model.projections[j];
  const PopulationSpec &src = sim.model.populations[size_t(spec.src)];
  return delivery == Delivery::Pull && !projs[j].pull.empty() &&
         spec.partitionable && !src.generator;
}

bool DeviceBackend::preparePull(size_t j, std::string &err) {
  DeviceProjection &d = projs[j];
  if (d.pullReady)
    return true;
  Simulator::Projection &host = sim.projs[j];
  auto copy = [&](CUdeviceptr &dst, const void *src, size_t bytes) {
    return dev->alloc(bytes, dst, err) && dev->upload(dst, src, bytes, err);
  };
  // The synapses by target (ids ascending: a target takes its inputs in
  // the CPU's order) and their sources, unless `on post` and the kernels
  // needed them already and upload() copied them.
  if (host.postPtr.empty()) {
    sim.indexByTarget(j);
    if (!copy(d.postPtr, host.postPtr.data(),
              host.postPtr.size() * sizeof(int64_t)) ||
        !copy(d.postSyn, host.postSyn.data(),
              host.postSyn.size() * sizeof(int64_t)))
      return false;
  }
  if (host.srcs.empty()) {
    sim.indexSources(j);
    if (!copy(d.srcs, host.srcs.data(), host.srcs.size() * sizeof(int32_t)))
      return false;
  }
  std::vector<int32_t> delays = sim.synapseDelays(int(j));
  if (!copy(d.synDelay, delays.data(), delays.size() * sizeof(int32_t)))
    return false;
  d.pullReady = true;
  return true;
}

CUdeviceptr DeviceBackend::countOf(size_t pop, int64_t slot) const {
  return at(pops[pop].counts, slot * int64_t(sizeof(int32_t)));
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

void DeviceBackend::downloaded() { sim.hostStale = sim.single(); }

bool DeviceBackend::upload(std::string &err) {
  const ModelSpec &model = sim.model;
  int64_t maxDelay = 0;
  for (const Simulator::Projection &p : sim.projs)
    for (int64_t d : p.delays)
      maxDelay = std::max(maxDelay, d);
  ringDepth = maxDelay + 1 + batch;
  const std::string &net = model.name;

  pops.resize(sim.pops.size());
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    const Simulator::Population &host = sim.pops[p];
    DevicePopulation &d = pops[p];
    size_t stateBytes = host.state.size() * size_t(valueBytes());
    if (!dev->alloc(stateBytes, d.state, err) ||
        !dev->upload(d.state, sim.kernelRows(p), stateBytes, err) ||
        !dev->alloc(size_t(ringDepth * spec.size), d.flags, err) ||
        !dev->alloc(size_t(ringDepth * spec.size) * sizeof(int32_t), d.lists,
                    err) ||
        !dev->alloc(size_t(ringDepth) * sizeof(int32_t), d.counts, err))
      return false;
    d.recent.assign(size_t(ringDepth), {});
    if (!spec.generator) {
      d.step = kernelName(KernelKind::Step, net, spec.name);
      if (!dev->hasKernel(d.step)) {
        err = "the GPU kernels have no '" + d.step + "'";
        return false;
      }
    }
    if (spec.reset)
      d.reset = kernelParts(kernelName(KernelKind::Reset, net, spec.name));
  }

  projs.resize(sim.projs.size());
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    DeviceProjection &d = projs[j];
    auto copy = [&](CUdeviceptr &dst, const void *src, size_t bytes) {
      return dev->alloc(bytes, dst, err) && dev->upload(dst, src, bytes, err);
    };
    if (!copy(d.cols, host.csr.cols.data(),
              host.csr.cols.size() * sizeof(int32_t)) ||
        !copy(d.syn, sim.kernelSynapseRows(j),
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
    const Simulator::Projection &host = sim.projs[j];
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
    const Simulator::StateRecording &rr = sim.stateRecordings[r];
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
  eventsBefore = sim.events;
  eventsFetched = 0;
  batchStart = stepsDone = sim.stepIndex;
  return dev->finish(err);
}

bool DeviceBackend::step(int64_t k, std::string &err) {
  const ModelSpec &model = sim.model;
  // State monitors sample at the start of the step: into their staging
  // buffer, or on the host from rows copied back.
  for (size_t r = 0; r < recs.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    if (k % rec.every != 0)
      continue;
    DeviceRecording &dr = recs[r];
    if (!dr.staging) {
      if (rec.projection >= 0 ? !fetchSynapses(size_t(rec.projection), err)
                              : !fetchState(size_t(rec.population), err))
        return false;
      sim.sampleState(r, k);
      continue;
    }
    const Simulator::StateRecording &rr = sim.stateRecordings[r];
    int64_t n = rr.end - rr.begin;
    CUdeviceptr base = rec.projection >= 0 ? projs[size_t(rec.projection)].syn
                                           : pops[size_t(rec.population)].state;
    int64_t stride = rec.projection >= 0
                         ? sim.projs[size_t(rec.projection)].csr.numSynapses()
                         : model.populations[size_t(rec.population)].size;
    int64_t sample = int64_t(dr.steps.size());
    for (size_t i = 0; i < rec.rows.size(); ++i)
      if (!dev->copy(
              at(dr.staging,
                 (sample * dr.sampleValues + int64_t(i) * n) * valueBytes()),
              at(base, (rec.rows[i] * stride + rr.begin) * valueBytes()),
              size_t(n * valueBytes()), err))
        return false;
    dr.steps.push_back(k);
  }

  // Parameters that follow a table in time: set on the host, uploaded.
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.init.size(); ++r) {
      if (spec.init[r].kind != InitSpec::Timed || k % spec.init[r].every != 0)
        continue;
      sim.fillTimed(p, r, k);
      int64_t offset = int64_t(r) * spec.size * valueBytes();
      if (!dev->upload(at(pops[p].state, offset),
                       static_cast<char *>(sim.kernelRows(p)) + offset,
                       size_t(spec.size * valueBytes()), err))
        return false;
    }
  }

  for (const ModelSpec::PlasticSwitch &sw : model.plasticSwitches)
    if (sw.step == k) {
      std::vector<double> &mods = sim.projs[size_t(sw.projection)].mods;
      mods[0] = sw.plastic ? 1.0 : 0.0;
      if (!dev->upload(projs[size_t(sw.projection)].mods, mods.data(),
                       mods.size() * sizeof(double), err))
        return false;
    }

  auto popSize = [&](int p) { return model.populations[size_t(p)].size; };
  auto popRows = [&](int p) {
    return int64_t(model.populations[size_t(p)].rows.size());
  };
  auto slotOf = [&](int64_t s) { return s % ringDepth; };
  // A projection's modulators (means of population rows) as of now, from
  // rows copied back, before the kernels of a phase read them.
  auto refreshModulators = [&](size_t j) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    if (spec.modulators.empty())
      return true;
    for (const ProjectionSpec::Modulator &m : spec.modulators) {
      int64_t n = popSize(m.population);
      int64_t offset = int64_t(m.row) * n * valueBytes();
      if (!dev->download(
              static_cast<char *>(sim.kernelRows(size_t(m.population))) +
                  offset,
              at(pops[size_t(m.population)].state, offset),
              size_t(n * valueBytes()), err))
        return false;
      downloaded();
    }
    sim.updateModulators(j);
    return dev->upload(projs[j].mods, host.mods.data(),
                       host.mods.size() * sizeof(double), err);
  };
  // The views of a projection's buffers every synapse kernel takes.
  auto synapseArgs = [&](size_t j, KernelArgs &a) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    const DeviceProjection &d = projs[j];
    int64_t nSyn = host.csr.numSynapses();
    a.matrix(d.syn, int64_t(spec.synRows.size()), nSyn);
    a.matrix(pops[size_t(spec.dst)].state, popRows(spec.dst),
             popSize(spec.dst));
    a.matrix(pops[size_t(spec.src)].state, popRows(spec.src),
             popSize(spec.src));
    a.buffer(d.mods, int64_t(host.mods.size()));
  };

  // (0) summed drives and clock-driven synapse equations.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    int64_t nSyn = host.csr.numSynapses();
    if (!projs[j].update.empty() && !refreshModulators(j))
      return false;
    for (const std::string &part : projs[j].update) {
      KernelArgs a(NEURO_GPU_UPDATE_NUM_ARGS);
      a.buffer(projs[j].srcs, int64_t(host.srcs.size()));
      a.buffer(projs[j].cols, nSyn);
      synapseArgs(j, a);
      a.i64(k);
      if (!dev->launch(part, std::max(nSyn, popSize(spec.dst)), a, err))
        return false;
    }
  }

  // (1) + (2): integrate, threshold, append the spikes of step k.
  int64_t slot = slotOf(k);
  // The counters of the batch's steps start at zero: one or two clears per
  // population and batch rather than one per step. Their slots last held
  // steps older than any delay, fetched already.
  if (k == batchStart)
    for (size_t p = 0; p < pops.size(); ++p) {
      int64_t before = std::min(batch, ringDepth - slot);
      if (!dev->zero(countOf(p, slot), size_t(before) * sizeof(int32_t), err) ||
          !dev->zero(countOf(p, 0), size_t(batch - before) * sizeof(int32_t),
                     err))
        return false;
    }
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    CUdeviceptr count = countOf(p, slot);
    CUdeviceptr list = listOf(p, slot);
    if (spec.generator) {
      std::vector<int32_t> spikes;
      sim.generatorSpikes(p, k, spikes);
      int32_t n = int32_t(spikes.size());
      if (!dev->upload(list, spikes.data(), spikes.size() * sizeof(int32_t),
                       err) ||
          !dev->upload(count, &n, sizeof n, err))
        return false;
      continue;
    }
    KernelArgs a(NEURO_GPU_STEP_NUM_ARGS);
    a.matrix(d.state, int64_t(spec.rows.size()), spec.size);
    a.buffer(flagsOf(p, slot), spec.size);
    a.i64(k).i64(int64_t(model.seed)).i64(0).i64(spec.size);
    a.buffer(count, 1).buffer(list, spec.size);
    if (!dev->launch(d.step, spec.size, a, err))
      return false;
  }

  // (3) `on pre` for the spikes whose delay has elapsed, then `on post`.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    if (projs[j].deliver.empty())
      continue;
    if (!refreshModulators(j))
      return false;
    int64_t nSrc = popSize(spec.src);
    int64_t groups = int64_t(host.delays.size());
    const DevicePopulation &src = pops[size_t(spec.src)];
    // Groups [first, end) in one launch, each reading the spikes of its
    // delay from the source's ring.
    // The arguments of the CPU's delivery, the spike list being the
    // source's whole ring and the row pointers those of every group.
    auto deliveryArgs = [&](KernelArgs &a) {
      a.buffer(src.lists, ringDepth * nSrc);
      a.buffer(projs[j].rowPtrs, groups * projs[j].rowStride);
      a.i64(1).i64(0);
      a.buffer(projs[j].cols, host.csr.numSynapses());
      synapseArgs(j, a);
      a.i64(k);
    };
    auto deliver = [&](int64_t first, int64_t end) {
      KernelArgs a(NEURO_GPU_DELIVER_NUM_ARGS);
      deliveryArgs(a);
      a.buffer(src.counts, ringDepth);
      a.buffer(projs[j].delays, groups);
      a.i64(ringDepth).i64(nSrc).i64(projs[j].rowStride).i64(first).i64(end);
      for (const std::string &part : projs[j].deliver)
        if (!dev->launch(part, nSrc, a, err, Device::Grid::PerBlock,
                         end - first))
          return false;
      return true;
    };
    if (pulls(j)) {
      // A thread per target, every delay group at once.
      if (!preparePull(j, err))
        return false;
      int64_t nSyn = host.csr.numSynapses();
      int64_t nDst = popSize(spec.dst);
      KernelArgs a(NEURO_GPU_PULL_NUM_ARGS);
      deliveryArgs(a);
      a.buffer(projs[j].postPtr, nDst + 1).buffer(projs[j].postSyn, nSyn);
      a.buffer(projs[j].srcs, nSyn).buffer(projs[j].synDelay, nSyn);
      a.buffer(src.flags, ringDepth * nSrc);
      a.i64(ringDepth).i64(nSrc).i64(nDst);
      if (!dev->launch(projs[j].pull, nDst, a, err))
        return false;
      continue;
    }
    // Deliveries that write only their synapses and targets take every
    // group at once; others write the source's state, and a neuron may
    // have spikes in two groups: one launch per group.
    if (spec.partitionable) {
      if (groups > 0 && !deliver(0, groups))
        return false;
      continue;
    }
    for (int64_t g = 0; g < groups; ++g)
      if (k >= host.delays[size_t(g)] && !deliver(g, g + 1))
        return false;
  }
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Simulator::Projection &host = sim.projs[j];
    if (projs[j].deliverPost.empty())
      continue;
    if (!refreshModulators(j))
      return false;
    int64_t nDst = popSize(spec.dst);
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
      if (!dev->launch(part, nDst, a, err, Device::Grid::PerBlock))
        return false;
  }

  // (4) reset the neurons that spiked in this step.
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    DevicePopulation &d = pops[p];
    if (d.reset.empty())
      continue;
    KernelArgs a(NEURO_GPU_RESET_NUM_ARGS);
    a.buffer(listOf(p, slot), spec.size);
    a.matrix(d.state, int64_t(spec.rows.size()), spec.size);
    a.buffer(countOf(p, slot), 1);
    for (const std::string &part : d.reset)
      if (!dev->launch(part, spec.size, a, err))
        return false;
  }

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
    Simulator::StateRecording &rr = sim.stateRecordings[r];
    size_t old = rr.values.size();
    size_t count = dr.steps.size() * size_t(dr.sampleValues);
    rr.values.resize(old + count);
    if (sim.single()) {
      std::vector<float> values(count);
      if (!dev->download(values.data(), dr.staging, count * sizeof(float), err))
        return false;
      std::copy(values.begin(), values.end(), rr.values.begin() + long(old));
    } else if (!dev->download(rr.values.data() + old, dr.staging,
                              count * sizeof(double), err)) {
      return false;
    }
    for (int64_t k : dr.steps)
      rr.times.push_back(double(k) * sim.model.dt);
    dr.steps.clear();
  }
  return true;
}

bool DeviceBackend::fetchSpikes(int64_t end, std::string &err) {
  const ModelSpec &model = sim.model;
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
      // Threads append in any order; the CPU's lists are ascending.
      std::sort(list.begin(), list.end());
      Simulator::Population &host = sim.pops[p];
      host.spikeCount += n;
      if (!d.outDegree.empty())
        for (int32_t i : list)
          eventsFetched += d.outDegree[size_t(i)];
      if (host.recorded) {
        double t = double(s + 1) * model.dt;
        for (int32_t i : list)
          host.spikes.push_back({i, t});
      }
    }
  }
  batchStart = end;
  return true;
}

int64_t DeviceBackend::eventsInFlight(int64_t end) const {
  const ModelSpec &model = sim.model;
  int64_t pending = 0;
  for (size_t j = 0; j < projs.size(); ++j) {
    const Simulator::Projection &host = sim.projs[j];
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
  return dev->download(sim.kernelRows(p), pops[p].state,
                       sim.pops[p].state.size() * size_t(valueBytes()), err);
}

bool DeviceBackend::fetchSynapses(size_t j, std::string &err) {
  downloaded();
  return dev->download(sim.kernelSynapseRows(j), projs[j].syn,
                       sim.projs[j].syn.size() * size_t(valueBytes()), err);
}

bool DeviceBackend::sync(std::string &err) {
  if (stepsDone > batchStart && !fetchSpikes(stepsDone, err))
    return false;
  if (!fetchRecordings(err))
    return false;
  // Synaptic events count when delivered, as on the CPU.
  sim.events = eventsBefore + eventsFetched - eventsInFlight(stepsDone);
  for (size_t p = 0; p < pops.size(); ++p)
    if (!fetchState(p, err))
      return false;
  for (size_t j = 0; j < projs.size(); ++j)
    if (sim.model.projections[j].synapsesWritten && !fetchSynapses(j, err))
      return false;
  return dev->finish(err);
}
