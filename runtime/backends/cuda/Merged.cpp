//===- Merged.cpp - Kernels for several populations or projections --------===//
//
// The runtime's side of neuro-merge-gpu-kernels (ABI.h,
// NEURO_GPU_MERGED_*): which group each population's step or reset kernel
// and each projection's delivery joined, as its member kernel says; each
// group's table (a row per member: its offsets into the allocations for
// all populations and projections, its sizes and its constants); and the
// launches.
//
//===----------------------------------------------------------------------===//

#include "cuda/Backend.h"

#include <algorithm>
#include <numeric>

using namespace neuro::rt;
using namespace neuro::rt::cuda;

namespace {

/// A member of a merged kernel not found yet.
constexpr size_t kNoMember = ~size_t(0);

const char *kindName(KernelKind kind) {
  switch (kind) {
  case KernelKind::Step:
    return "step";
  case KernelKind::Reset:
    return "reset";
  default:
    return "deliver";
  }
}

int64_t columns(KernelKind kind) {
  switch (kind) {
  case KernelKind::Step:
    return NEURO_GPU_MERGED_STEP_COLUMNS;
  case KernelKind::Reset:
    return NEURO_GPU_MERGED_RESET_COLUMNS;
  default:
    return NEURO_GPU_MERGED_DELIVER_COLUMNS;
  }
}

} // namespace

bool DeviceBackend::joinGroup(const std::string &member, KernelKind kind,
                              size_t owner, std::vector<MergedGroup> &groups,
                              std::string &err) {
  std::vector<int64_t> info(NEURO_GPU_MEMBER_INFO_SIZE);
  size_t bytes = info.size() * sizeof(int64_t);
  KernelArgs a(1);
  if (!memberInfo && !dev->alloc(bytes, memberInfo, err))
    return false;
  a.buffer(memberInfo, NEURO_GPU_MEMBER_INFO_SIZE);
  if (!dev->launch(member, 1, a, err) ||
      !dev->download(info.data(), memberInfo, bytes, err))
    return false;
  std::string kernel = std::string(NEURO_GPU_MERGED_PREFIX) + kindName(kind) +
                       "_" + std::to_string(info[NEURO_GPU_MEMBER_INFO_GROUP]);
  auto group =
      std::find_if(groups.begin(), groups.end(),
                   [&](const MergedGroup &g) { return g.kernel == kernel; });
  if (group == groups.end()) {
    MergedGroup fresh;
    fresh.kernel = kernel;
    fresh.kind = kind;
    fresh.members.assign(
        size_t(std::max<int64_t>(0, info[NEURO_GPU_MEMBER_INFO_MEMBERS])),
        kNoMember);
    fresh.params.resize(fresh.members.size());
    groups.push_back(std::move(fresh));
    group = std::prev(groups.end());
  }
  int64_t m = info[NEURO_GPU_MEMBER_INFO_INDEX];
  int64_t params = info[NEURO_GPU_MEMBER_INFO_PARAMS];
  if (m < 0 || m >= int64_t(group->members.size()) || params < 0 ||
      params > NEURO_GPU_MERGED_MAX_PARAMS ||
      group->members[size_t(m)] != kNoMember) {
    err = "'" + member + "' does not describe a member of '" + kernel + "'";
    return false;
  }
  group->members[size_t(m)] = owner;
  auto first = info.begin() + NEURO_GPU_MEMBER_INFO_FIRST_PARAM;
  group->params[size_t(m)].assign(first, first + params);
  return true;
}

std::vector<int64_t> DeviceBackend::memberRow(KernelKind kind,
                                              size_t owner) const {
  const ModelSpec &model = network.model;
  std::vector<int64_t> row(size_t(columns(kind)));
  // Each buffer as [offset, slot stride, sizes...] (ABI.h).
  auto put = [&](int column, std::initializer_list<int64_t> entries) {
    std::copy(entries.begin(), entries.end(), row.begin() + column);
  };
  if (kind != KernelKind::Deliver) {
    const PopulationSpec &spec = model.populations[owner];
    const DevicePopulation &d = pops[owner];
    int64_t n = spec.size, rows = int64_t(spec.rows.size());
    if (kind == KernelKind::Step) {
      put(NEURO_GPU_MERGED_STEP_STATE, {d.stateAt, 0, rows, n});
      put(NEURO_GPU_MERGED_STEP_FLAGS, {d.ringAt, n, n});
      // Over several processes, this process's neurons only.
      auto [begin, end] = network.owned(owner);
      put(NEURO_GPU_MERGED_STEP_BEGIN, {begin});
      put(NEURO_GPU_MERGED_STEP_END, {end});
    } else {
      put(NEURO_GPU_MERGED_RESET_SPIKES, {d.listAt, d.width, d.width});
      put(NEURO_GPU_MERGED_RESET_STATE, {d.stateAt, 0, rows, n});
      put(NEURO_GPU_MERGED_RESET_COUNT, {d.countAt, 1, 1});
    }
    return row;
  }
  // What deliveryArgs and deliverGroups pass, as offsets.
  const ProjectionSpec &spec = model.projections[owner];
  const PopulationSpec &src = model.populations[size_t(spec.src)];
  const PopulationSpec &dst = model.populations[size_t(spec.dst)];
  const DevicePopulation &from = pops[size_t(spec.src)];
  const DeviceProjection &d = projs[owner];
  int64_t groups = int64_t(network.projs[owner].delays.size());
  int64_t nSyn = network.numSynapses(owner);
  put(NEURO_GPU_MERGED_DELIVER_SPIKES,
      {from.listAt, 0, ringDepth * from.width});
  put(NEURO_GPU_MERGED_DELIVER_ROW_PTR, {d.rowPtrsAt, 0, groups * d.rowStride});
  put(NEURO_GPU_MERGED_DELIVER_STRIDE, {1});
  put(NEURO_GPU_MERGED_DELIVER_PART, {0});
  put(NEURO_GPU_MERGED_DELIVER_COLS, {d.colsAt, 0, nSyn});
  put(NEURO_GPU_MERGED_DELIVER_SYN,
      {d.synAt, 0, int64_t(spec.synRows.size()), nSyn});
  put(NEURO_GPU_MERGED_DELIVER_POST,
      {pops[size_t(spec.dst)].stateAt, 0, int64_t(dst.rows.size()), dst.size});
  put(NEURO_GPU_MERGED_DELIVER_PRE,
      {from.stateAt, 0, int64_t(src.rows.size()), src.size});
  put(NEURO_GPU_MERGED_DELIVER_MODS,
      {d.modsAt, 0, int64_t(network.projs[owner].mods.size())});
  put(NEURO_GPU_MERGED_DELIVER_COUNTS, {from.countAt, 0, ringDepth});
  put(NEURO_GPU_MERGED_DELIVER_DELAYS, {d.delaysAt, 0, groups});
  put(NEURO_GPU_MERGED_DELIVER_LIST_SIZE, {from.width});
  put(NEURO_GPU_MERGED_DELIVER_ROW_STRIDE, {d.rowStride});
  put(NEURO_GPU_MERGED_DELIVER_FIRST_GROUP, {0});
  put(NEURO_GPU_MERGED_DELIVER_END_GROUP, {groups});
  return row;
}

bool DeviceBackend::uploadTable(MergedGroup &group, std::string &err) {
  const ModelSpec &model = network.model;
  if (!dev->hasKernel(group.kernel)) {
    err = "the GPU kernels have no '" + group.kernel + "'";
    return false;
  }
  size_t params = group.params.empty() ? 0 : group.params.front().size();
  group.width = columns(group.kind) + int64_t(params);
  for (size_t m = 0; m < group.members.size(); ++m)
    if (group.members[m] == kNoMember || group.params[m].size() != params) {
      err = "member " + std::to_string(m) + " of '" + group.kernel +
            "' is missing or does not match the others";
      return false;
    }
  // Rows in the order of their populations (projections); a projection
  // that pulls its inputs has none.
  std::vector<size_t> order(group.members.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return group.members[a] < group.members[b];
  });
  std::vector<int64_t> table;
  group.owners.clear();
  for (size_t m : order) {
    size_t owner = group.members[m];
    bool deliver = group.kind == KernelKind::Deliver;
    if (deliver && pulls(owner))
      continue;
    std::vector<int64_t> row = memberRow(group.kind, owner);
    row.insert(row.end(), group.params[m].begin(), group.params[m].end());
    table.insert(table.end(), row.begin(), row.end());
    group.owners.push_back(owner);
    if (deliver) {
      const ProjectionSpec &spec = model.projections[owner];
      group.widest =
          std::max(group.widest, model.populations[size_t(spec.src)].size);
      group.groups =
          std::max(group.groups, int64_t(network.projs[owner].delays.size()));
    } else {
      group.widest = std::max(group.widest, model.populations[owner].size);
    }
  }
  size_t bytes = table.size() * sizeof(int64_t);
  return dev->alloc(bytes, group.table, err) &&
         dev->upload(group.table, table.data(), bytes, err);
}

bool DeviceBackend::launchMerged(const MergedGroup &group, int64_t k,
                                 int64_t first, int64_t rows,
                                 std::string &err) {
  if (rows == 0)
    return true;
  int64_t ring = ringDepth * rings.neurons, lists = ringDepth * rings.listRoom;
  int64_t counts = ringDepth * int64_t(pops.size());
  CUdeviceptr table = at(group.table, first * group.width * 8);
  switch (group.kind) {
  case KernelKind::Step: {
    KernelArgs a(NEURO_GPU_MERGED_STEP_NUM_ARGS);
    a.buffer(states.rows, states.values).buffer(rings.flags, ring);
    a.i64(k).i64(int64_t(network.model.seed));
    a.buffer(table, rows * group.width).i64(rows).i64(k % ringDepth);
    return launch(group.kernel, group.widest, a, err, Device::Grid::PerThread,
                  rows);
  }
  case KernelKind::Reset: {
    KernelArgs a(NEURO_GPU_MERGED_RESET_NUM_ARGS);
    a.buffer(rings.lists, lists).buffer(states.rows, states.values);
    a.buffer(rings.counts, counts);
    a.i64(k).i64(int64_t(network.model.seed));
    a.buffer(table, rows * group.width).i64(rows).i64(k % ringDepth);
    return launch(group.kernel, group.widest, a, err, Device::Grid::PerThread,
                  rows);
  }
  default: {
    // The grid as a member's own launch: a block per spike, y over delay
    // groups; z over the members.
    KernelArgs a(NEURO_GPU_MERGED_DELIVER_NUM_ARGS);
    a.buffer(rings.lists, lists).buffer(synapses.rowPtrs, synapses.rowPtrsSize);
    a.buffer(synapses.cols, synapses.colsSize);
    a.buffer(synapses.syn, synapses.synSize);
    a.buffer(states.rows, states.values).buffer(states.rows, states.values);
    a.buffer(synapses.mods, synapses.modsSize).i64(k);
    a.i64(int64_t(network.model.seed));
    a.buffer(rings.counts, counts);
    a.buffer(synapses.delays, synapses.delaysSize).i64(ringDepth);
    a.buffer(table, rows * group.width).i64(rows);
    return launch(group.kernel, group.widest, a, err, Device::Grid::PerBlock,
                  group.groups, rows);
  }
  }
}
