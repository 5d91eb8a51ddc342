//===- Deliveries.cpp - The projections on the device and phase (3) ------===//
//
// The projections' connectivity and synapse rows on the device (each kind
// in one allocation for all projections, which merged deliveries view),
// and `on pre`: pushed by a block per spike (every delay group in one
// launch, consecutive members of a merged delivery in one launch) or
// pulled by a thread per target.
//
//===----------------------------------------------------------------------===//

#include "cuda/Backend.h"
#include "neuro/Runtime/Kernels.h"

#include <algorithm>

using namespace neuro::rt;
using namespace neuro::rt::cuda;

bool DeviceBackend::uploadProjections(std::string &err) {
  const ModelSpec &model = network.model;
  const std::string &net = model.name;
  projs.resize(network.projs.size());
  // Each projection's row pointers of every delay group one after another
  // (one launch delivers several delay groups, see KernelsToGPU), and the
  // offsets of its parts in the allocations for all projections.
  std::vector<std::vector<int64_t>> rowPtrs(projs.size());
  Synapses &all = synapses;
  all = {};
  for (size_t j = 0; j < projs.size(); ++j) {
    const Network::Projection &host = network.projs[j];
    DeviceProjection &d = projs[j];
    d.rowStride = host.rowPtrs.empty() ? 0 : int64_t(host.rowPtrs[0].size());
    for (const RowIndex &rows : host.rowPtrs) {
      if (int64_t(rows.size()) != d.rowStride) {
        err = "the delay groups of '" + model.projections[j].name +
              "' have row pointers of different lengths";
        return false;
      }
      // The device reads them as int64 (compacted on the host only).
      std::vector<int64_t> wide = rows.decode();
      rowPtrs[j].insert(rowPtrs[j].end(), wide.begin(), wide.end());
    }
    d.colsAt = all.colsSize;
    all.colsSize += int64_t(host.csr.cols.size());
    d.synAt = all.synSize;
    all.synSize += int64_t(network.kernelSynapseValues(j));
    d.modsAt = all.modsSize;
    all.modsSize += int64_t(host.mods.size());
    d.rowPtrsAt = all.rowPtrsSize;
    all.rowPtrsSize += int64_t(rowPtrs[j].size());
    d.delaysAt = all.delaysSize;
    all.delaysSize += int64_t(host.delays.size());
  }
  if (!dev->alloc(size_t(all.colsSize) * sizeof(int32_t), all.cols, err) ||
      !dev->alloc(size_t(all.synSize * synapseBytes()), all.syn, err) ||
      !dev->alloc(size_t(all.modsSize) * sizeof(double), all.mods, err) ||
      !dev->alloc(size_t(all.rowPtrsSize) * sizeof(int64_t), all.rowPtrs,
                  err) ||
      !dev->alloc(size_t(all.delaysSize) * sizeof(int64_t), all.delays, err))
    return false;
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    DeviceProjection &d = projs[j];
    auto copy = [&](CUdeviceptr &dst, const void *src, size_t bytes) {
      return dev->alloc(bytes, dst, err) && dev->upload(dst, src, bytes, err);
    };
    auto place = [&](CUdeviceptr &dst, CUdeviceptr base, int64_t offset,
                     int64_t size, const void *src, size_t elementBytes) {
      dst = at(base, offset * int64_t(elementBytes));
      return dev->upload(dst, src, size_t(size) * elementBytes, err);
    };
    std::vector<int64_t> delays(host.delays.begin(), host.delays.end());
    if (!place(d.cols, all.cols, d.colsAt, int64_t(host.csr.cols.size()),
               host.csr.cols.data(), sizeof(int32_t)) ||
        !place(d.syn, all.syn, d.synAt, int64_t(network.kernelSynapseValues(j)),
               network.kernelSynapseRows(j), size_t(synapseBytes())) ||
        !place(d.mods, all.mods, d.modsAt, int64_t(host.mods.size()),
               host.mods.data(), sizeof(double)) ||
        !place(d.rowPtrs, all.rowPtrs, d.rowPtrsAt, int64_t(rowPtrs[j].size()),
               rowPtrs[j].data(), sizeof(int64_t)) ||
        !place(d.delays, all.delays, d.delaysAt, int64_t(delays.size()),
               delays.data(), sizeof(int64_t)) ||
        !copy(d.srcs, host.srcs.data(), host.srcs.size() * sizeof(int32_t)) ||
        !copy(d.postPtr, host.postPtr.data(),
              host.postPtr.size() * sizeof(int64_t)) ||
        !copy(d.postSyn, host.postSyn.data(),
              host.postSyn.size() * sizeof(int64_t)))
      return false;
    if (spec.deliver) {
      std::string deliver = kernelName(KernelKind::Deliver, net, spec.name);
      std::string pull = deliver + NEURO_GPU_PULL_SUFFIX;
      if (dev->hasKernel(pull))
        d.pull = pull;
    }
    if (spec.deliverPost)
      d.deliverPost =
          kernelParts(kernelName(KernelKind::DeliverPost, net, spec.name));
    if (spec.sum)
      d.sum = kernelParts(kernelName(KernelKind::Sum, net, spec.name));
    if (spec.update)
      d.update = kernelParts(kernelName(KernelKind::Update, net, spec.name));
  }
  return findDeliveries(err);
}

bool DeviceBackend::findDeliveries(std::string &err) {
  const ModelSpec &model = network.model;
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    if (!spec.deliver)
      continue;
    std::string name = kernelName(KernelKind::Deliver, model.name, spec.name);
    std::string member = name + NEURO_GPU_MEMBER_SUFFIX;
    if (!dev->hasKernel(member))
      projs[j].deliver = kernelParts(name);
    else if (!joinGroup(member, KernelKind::Deliver, j, mergedDeliveries, err))
      return false;
  }
  for (size_t g = 0; g < mergedDeliveries.size(); ++g) {
    MergedGroup &group = mergedDeliveries[g];
    if (!uploadTable(group, err))
      return false;
    for (size_t row = 0; row < group.owners.size(); ++row) {
      projs[group.owners[row]].mergedGroup = int64_t(g);
      projs[group.owners[row]].mergedRow = int64_t(row);
    }
  }
  return true;
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
  // The synapses by target (by source) and their sources, unless `on post`
  // and the kernels needed them already and upload() copied them.
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
  // A target visits its synapses in the CPU's order of delivery: the
  // longest delay first, then by id (source, then row).
  d.pullSyn = d.postSyn;
  if (host.delays.size() > 1) {
    std::vector<int64_t> order(host.postSyn);
    for (size_t t = 0; t + 1 < host.postPtr.size(); ++t)
      std::stable_sort(order.begin() + host.postPtr[t],
                       order.begin() + host.postPtr[t + 1],
                       [&](int64_t a, int64_t b) {
                         return delays[size_t(a)] > delays[size_t(b)];
                       });
    if (!copy(d.pullSyn, order.data(), order.size() * sizeof(int64_t)))
      return false;
  }
  d.pullReady = true;
  return true;
}

void DeviceBackend::deliveryArgs(size_t j, int64_t k, KernelArgs &a) const {
  const ProjectionSpec &spec = network.model.projections[j];
  const DevicePopulation &src = pops[size_t(spec.src)];
  const DeviceProjection &d = projs[j];
  int64_t groups = int64_t(network.projs[j].delays.size());
  a.buffer(src.lists, ringDepth * src.width);
  a.buffer(d.rowPtrs, groups * d.rowStride);
  a.i64(1).i64(0);
  a.buffer(d.cols, network.numSynapses(j));
  synapseArgs(j, a);
  a.i64(k).i64(int64_t(network.model.seed));
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
  a.i64(ringDepth).i64(pops[size_t(spec.src)].width);
  a.i64(d.rowStride).i64(first).i64(end);
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
  a.buffer(d.postPtr, nDst + 1).buffer(d.pullSyn, nSyn);
  a.buffer(d.srcs, nSyn).buffer(d.synDelay, nSyn);
  a.buffer(pops[size_t(spec.src)].flags, ringDepth * nSrc);
  a.i64(ringDepth).i64(nSrc).i64(nDst);
  return launch(d.pull, nDst, a, err);
}

bool DeviceBackend::deliver(int64_t k, std::string &err) {
  const ModelSpec &model = network.model;
  // (3) `on pre` for the spikes whose delay has elapsed, projection by
  // projection: consecutive members of a merged delivery (their rows are
  // in projection order) in one launch, so that each target gets its
  // inputs in the CPU's order where one thread runs them.
  struct Run {
    int64_t group = -1, first = 0, rows = 0;
  } run;
  auto flush = [&] {
    bool ok = run.rows == 0 || launchMerged(mergedDeliveries[size_t(run.group)],
                                            k, run.first, run.rows, err);
    run.rows = 0;
    return ok;
  };
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Network::Projection &host = network.projs[j];
    const DeviceProjection &d = projs[j];
    if (d.deliver.empty() && d.mergedGroup < 0 && !pulls(j))
      continue;
    // Modulators, and rows gathered from other processes, come from rows
    // the deliveries before may write.
    bool reads = !spec.modulators.empty() || (network.dist && spec.readsSource);
    if (reads && !flush())
      return false;
    if (!prepareRows(j, err))
      return false;
    touch(size_t(spec.dst));
    if (d.mergedRow >= 0) {
      if (run.rows > 0 && run.group == d.mergedGroup &&
          run.first + run.rows == d.mergedRow) {
        ++run.rows;
        continue;
      }
      if (!flush())
        return false;
      run = {d.mergedGroup, d.mergedRow, 1};
      continue;
    }
    if (!flush())
      return false;
    if (pulls(j)) {
      if (!pullInputs(j, k, err))
        return false;
      continue;
    }
    int64_t groups = int64_t(host.delays.size());
    // Deliveries that write only their synapses and targets take every
    // group at once; others write the source's state, and a neuron may
    // have spikes in two groups: one launch per group, the longest delay
    // first, as on the CPU (the spikes in the order they were emitted).
    if (spec.partitionable) {
      if (groups > 0 && !deliverGroups(j, k, 0, groups, err))
        return false;
      continue;
    }
    for (int64_t g = groups; g-- > 0;)
      if (k >= host.delays[size_t(g)] && !deliverGroups(j, k, g, g + 1, err))
        return false;
  }
  return flush();
}
