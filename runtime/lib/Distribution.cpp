//===- Distribution.cpp - One network over the ranks of a run -------------===//
//
// The partition, the synapses kept at their target, the exchanges of
// spikes and of rows read remotely, and the gathering of state samples to
// rank 0 (Distribution.h, docs/distributed.md).
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Distribution.h"

#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Recorder.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>

using namespace neuro::rt;

Distribution::Distribution(Comm &comm, const ModelSpec &model,
                           Exchange exchange, bool overlap)
    : comm(comm), model(model), overlap(overlap), exchange(exchange) {
  int ranks = comm.size();
  starts.resize(model.populations.size());
  for (size_t p = 0; p < model.populations.size(); ++p) {
    int64_t n = model.populations[p].size;
    for (int r = 0; r <= ranks; ++r)
      starts[p].push_back(blockStart(n, r, ranks));
  }
  stale.assign(model.populations.size(), false);
}

bool Distribution::exchangeFromEnvironment(Exchange &out, std::string &err) {
  out = Exchange::Allgatherv;
  const char *v = std::getenv("NEURO_MPI_EXCHANGE");
  if (!v || !*v || std::strcmp(v, "allgatherv") == 0)
    return true;
  if (std::strcmp(v, "alltoallv") == 0) {
    out = Exchange::Alltoallv;
    return true;
  }
  err = "NEURO_MPI_EXCHANGE must be 'allgatherv' or 'alltoallv', not '" +
        std::string(v) + "'";
  return false;
}

bool Distribution::overlapFromEnvironment(bool &out, std::string &err) {
  out = true;
  const char *v = std::getenv("NEURO_MPI_OVERLAP");
  if (!v || !*v || std::strcmp(v, "1") == 0)
    return true;
  if (std::strcmp(v, "0") == 0) {
    out = false;
    return true;
  }
  err = "NEURO_MPI_OVERLAP must be 0 or 1, not '" + std::string(v) + "'";
  return false;
}

const char *Distribution::name(Exchange exchange) {
  return exchange == Exchange::Alltoallv ? "alltoallv" : "allgatherv";
}

int64_t Distribution::begin(size_t p) const {
  if (model.populations[p].generator)
    return 0;
  return starts[p][size_t(comm.rank())];
}

int64_t Distribution::end(size_t p) const {
  if (model.populations[p].generator)
    return model.populations[p].size;
  return starts[p][size_t(comm.rank()) + 1];
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

void Distribution::localize(Network &net, size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Network::Projection &proj = net.projs[j];
  if (proj.procedural)
    return; // drawn again for this rank's targets (Network::regenerate)
  // (A replicated projection keeps every synapse.)
  auto [lo, hi] = net.ownedTargets(j);
  int64_t n = proj.csr.numSynapses();
  proj.wholeSynapses = n;
  // kept[s]: the synapses kept before position s; every offset into the
  // synapses (row starts of each delay group) maps through it.
  std::vector<int64_t> kept(size_t(n) + 1, 0);
  for (int64_t s = 0; s < n; ++s) {
    int32_t t = proj.csr.cols[size_t(s)];
    kept[size_t(s) + 1] = kept[size_t(s)] + (t >= lo && t < hi ? 1 : 0);
  }
  int64_t m = kept.back();
  auto remap = [&](std::vector<int64_t> &offsets) {
    for (int64_t &o : offsets)
      o = kept[size_t(o)];
  };
  for (RowIndex &ptr : proj.rowPtrs)
    remap(ptr.wide());
  remap(proj.csr.rowPtr);
  // What state records of this projection sample: the whole projection's
  // index of each synapse kept (recorded ranges are clipped later).
  std::vector<int64_t> whole;
  bool recorded = false;
  for (const StateRecordSpec &rec : model.stateRecords)
    recorded |= rec.projection == int(j);
  // In place, row after row: nothing is written before it is read.
  auto compact = [&](auto *values) {
    for (int64_t s = 0; s < n; ++s)
      if (kept[size_t(s) + 1] != kept[size_t(s)])
        values[kept[size_t(s)]] = values[s];
  };
  compact(proj.csr.cols.data());
  size_t nRows = spec.synRows.size();
  for (size_t r = 0; r < nRows; ++r) {
    double *row = proj.syn.data() + r * size_t(n);
    compact(row);
    std::copy_n(row, size_t(m), proj.syn.data() + r * size_t(m));
  }
  for (int64_t s = 0; recorded && s < n; ++s)
    if (kept[size_t(s) + 1] != kept[size_t(s)])
      whole.push_back(s);
  proj.csr.cols.resize(size_t(m));
  proj.csr.cols.shrink_to_fit();
  proj.syn.resize(nRows * size_t(m));
  proj.syn.shrink_to_fit();
  proj.wholeIndex = std::move(whole);
}

// A process holds the synapses onto a block of targets, in the whole
// projection's order, so a whole row in that order is the processes' parts of
// it one after the other: each process needs only how many synapses of each row
// the processes before it hold, and how many all hold. Collective over
// `comm` (null: one process).
std::vector<int64_t> Distribution::wholeSlots(const Network &net, size_t j,
                                              Comm *comm) {
  const Network::Projection &proj = net.projs[j];
  const AlignedVector<int32_t> &cols = proj.csr.cols;
  std::vector<int64_t> counts, before, total;
  for (const RowIndex &rowPtr : proj.rowPtrs)
    for (size_t i = 0; i + 1 < rowPtr.size(); ++i)
      counts.push_back(rowPtr[i + 1] - rowPtr[i]);
  if (comm) {
    comm->scanSums(counts, before, total);
  } else {
    before.assign(counts.size(), 0);
    total = counts;
  }
  std::vector<int64_t> slots(proj.procedural ? 0 : cols.size(), 0);
  std::vector<int64_t> order;
  int64_t start = 0;
  size_t row = 0;
  for (const RowIndex &rowPtr : proj.rowPtrs)
    for (size_t i = 0; i + 1 < rowPtr.size(); ++i, ++row) {
      int64_t first = rowPtr[i], last = rowPtr[i + 1];
      order.resize(size_t(last - first));
      for (int64_t q = first; q < last; ++q)
        order[size_t(q - first)] = q;
      // Rows are sorted by target but for those read from a file.
      if (!std::is_sorted(cols.begin() + first, cols.begin() + last))
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          return cols[size_t(a)] < cols[size_t(b)];
        });
      int64_t base = start + before[row];
      for (size_t q = 0; q < order.size(); ++q)
        slots[size_t(order[q])] = base + int64_t(q);
      start += total[row];
    }
  return slots;
}

void Distribution::keyRows(Network &net, size_t j) {
  Network::Projection &proj = net.projs[j];
  const std::vector<int64_t> &rowPtr = proj.csr.rowPtr;
  size_t nSrc = rowPtr.size() - 1;
  std::vector<int64_t> counts(nSrc), before, total;
  for (size_t i = 0; i < nSrc; ++i)
    counts[i] = rowPtr[i + 1] - rowPtr[i];
  // Ranks hold contiguous blocks of targets in rank order, and rows are
  // sorted by target: a whole row is the ranks' parts one after another.
  comm.scanSums(counts, before, total);
  proj.wholeRowStart.resize(nSrc);
  int64_t start = 0;
  for (size_t i = 0; i < nSrc; ++i) {
    proj.wholeRowStart[i] = start + before[i];
    start += total[i];
  }
  proj.wholeSynapses = start;
}

std::vector<int64_t> Distribution::delaysAnywhere(std::vector<int64_t> here) {
  int64_t longest = 0;
  for (int64_t n : comm.allgather(int64_t(here.size())))
    longest = std::max(longest, n);
  here.resize(size_t(longest));
  std::vector<int64_t> before, total;
  comm.scanSums(here, before, total);
  return total;
}

void Distribution::agreeDelays(std::vector<std::vector<int64_t>> &byDelay,
                               int64_t nSrc) {
  std::vector<int64_t> here(byDelay.size());
  for (size_t d = 0; d < byDelay.size(); ++d)
    here[d] = byDelay[d].empty() ? 0 : 1;
  std::vector<int64_t> anywhere = delaysAnywhere(std::move(here));
  byDelay.resize(anywhere.size());
  for (size_t d = 0; d < byDelay.size(); ++d)
    if (anywhere[d] > 0 && byDelay[d].empty())
      byDelay[d].assign(size_t(nSrc) + 1, 0);
}

void Distribution::agreeGroups(Network &net, size_t j) {
  Network::Projection &proj = net.projs[j];
  // The delays of the groups that hold synapses here, then anywhere.
  std::vector<int64_t> here;
  for (size_t g = 0; g < proj.delays.size(); ++g)
    if (proj.rowPtrs[g].back() > proj.rowPtrs[g].front()) {
      here.resize(std::max(here.size(), size_t(proj.delays[g]) + 1));
      here[size_t(proj.delays[g])] = 1;
    }
  std::vector<int64_t> anywhere = delaysAnywhere(std::move(here));
  if (std::none_of(anywhere.begin(), anywhere.end(),
                   [](int64_t n) { return n > 0; }))
    return; // no synapses anywhere: every rank has the same groups
  // Groups are contiguous in delay order: an empty one starts and ends
  // where the one before it ends.
  int64_t nSrc = model.populations[size_t(model.projections[j].src)].size;
  std::vector<int64_t> delays;
  std::vector<RowIndex> rows;
  int64_t end = 0;
  size_t g = 0;
  for (size_t d = 0; d < anywhere.size(); ++d) {
    while (g < proj.delays.size() && proj.delays[g] < int64_t(d))
      ++g; // a group empty everywhere
    if (anywhere[d] == 0)
      continue;
    delays.push_back(int64_t(d));
    if (g < proj.delays.size() && proj.delays[g] == int64_t(d)) {
      end = proj.rowPtrs[g].back();
      rows.push_back(std::move(proj.rowPtrs[g]));
    } else {
      rows.emplace_back(std::vector<int64_t>(size_t(nSrc) + 1, end));
    }
  }
  proj.delays = std::move(delays);
  proj.rowPtrs = std::move(rows);
}

void Distribution::finishRows(Network &net, size_t j) {
  Network::Projection &proj = net.projs[j];
  bool recorded = false;
  for (const StateRecordSpec &rec : model.stateRecords)
    recorded |= rec.projection == int(j);
  if (recorded)
    proj.wholeIndex = wholeSlots(net, j, &comm);
  proj.wholeRowStart = std::vector<int64_t>();
}

void Distribution::finishBuild(Network &net, Recorder &recorder) {
  // Spikes travel every `interval` steps: the shortest delay anywhere.
  // Spikes of generators never travel (every process draws them, a
  // Poisson drive's for its own targets): their delays do not count.
  exchangeInterval = 100;
  for (size_t j = 0; j < net.projs.size(); ++j) {
    const Network::Projection &p = net.projs[j];
    if (!p.delays.empty() &&
        !model.populations[size_t(model.projections[j].src)].generator)
      exchangeInterval = std::min(exchangeInterval, p.delays.front());
    // A projection held whole runs `on post` for every target's spikes of
    // the step: they travel at once.
    if (net.replicated(j) && model.projections[j].deliverPost)
      exchangeInterval = 0;
  }
  for (Network::Population &pop : net.pops)
    if (pop.ring.maxDelay() < exchangeInterval)
      pop.ring = DelayRing(exchangeInterval);
  // Overlapped: the counts of an interval of D / 3 steps travel during the
  // next interval and its spikes during the one after, arriving before any
  // delivery needs them (D steps after the interval's first step).
  overlapInterval = overlap ? exchangeInterval / 3 : 0;
  spiking.clear();
  drives.clear();
  for (size_t p = 0; p < model.populations.size(); ++p)
    if (!model.populations[p].generator)
      spiking.push_back(p);
    else if (model.populations[p].driveInputs)
      drives.push_back(p);
  pending.clear();
  flights.clear();
  exchanged.clear();
  if (exchange == Exchange::Alltoallv)
    planTargets(net);
  // Rank 0 learns where the samples of each synapse record come from, and
  // the ends of the recorded synapses.
  recordedSynapses.assign(model.stateRecords.size(), {});
  gatheredSlots.assign(model.stateRecords.size(), {});
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    if (rec.projection < 0)
      continue;
    const Network::Projection &proj = net.projs[size_t(rec.projection)];
    const Recorder::StateRecording &range = recorder.stateRecording(r);
    std::vector<int64_t> mine, ends;
    // A replicated projection's samples come from rank 0 alone.
    size_t held =
        net.countsHere(size_t(rec.projection)) ? proj.wholeIndex.size() : 0;
    for (size_t s = 0; s < held; ++s) {
      int64_t g = proj.wholeIndex[s];
      if (g < range.begin || g >= range.end)
        continue;
      recordedSynapses[r].push_back(int64_t(s));
      mine.push_back(g);
      ends.push_back(Network::synapseSource(proj, int64_t(s)));
      ends.push_back(proj.csr.cols[s]);
    }
    std::vector<int64_t> counts = comm.allgather(int64_t(mine.size()));
    int64_t total = 0;
    for (int64_t c : counts)
      total += c;
    std::vector<int64_t> where(size_t(comm.root() ? total : 0));
    std::vector<int64_t> allEnds(size_t(comm.root() ? 2 * total : 0));
    comm.gatherv(mine.data(), where.data(), counts, sizeof(int64_t));
    comm.gatherv(ends.data(), allEnds.data(), counts, 2 * sizeof(int64_t));
    if (!comm.root())
      continue;
    int64_t width = range.end - range.begin;
    std::vector<int64_t> pre(size_t(width), -1), post(size_t(width), -1);
    for (size_t q = 0; q < where.size(); ++q) {
      int64_t c = where[q] - range.begin;
      gatheredSlots[r].push_back(c);
      pre[size_t(c)] = allEnds[2 * q];
      post[size_t(c)] = allEnds[2 * q + 1];
    }
    recorder.setSynapseEnds(r, std::move(pre), std::move(post));
  }
}

//===----------------------------------------------------------------------===//
// Steps
//===----------------------------------------------------------------------===//

void Distribution::ownSpikes(size_t p, const std::vector<int32_t> &list,
                             const int32_t *&first,
                             const int32_t *&last) const {
  first = std::lower_bound(list.data(), list.data() + list.size(),
                           int32_t(begin(p)));
  last = std::lower_bound(first, list.data() + list.size(), int32_t(end(p)));
}

void Distribution::afterIntegration(Network &net, int64_t k) {
  for (size_t p = 0; p < model.populations.size(); ++p)
    if (!model.populations[p].generator)
      stale[p] = true;
  if (exchangeInterval == 0) {
    pending.push_back(k);
    exchangeSpikes(net);
  }
}

void Distribution::endStep(Network &net, Recorder &recorder, int64_t k) {
  if (exchangeInterval > 0)
    pending.push_back(k);
  if (overlapInterval > 0) {
    if (int64_t(pending.size()) >= overlapInterval) {
      advanceFlights(net);
    } else {
      for (Flight &f : flights) {
        comm.progress(f.countsDone);
        comm.progress(f.spikesDone);
      }
    }
  } else if (exchangeInterval > 0 &&
             int64_t(pending.size()) >= exchangeInterval) {
    exchangeSpikes(net);
  }
  record(net, recorder);
}

void Distribution::flush(Network &net, Recorder &recorder) {
  if (!pending.empty())
    exchangeSpikes(net);
  else
    finishFlights(net);
  record(net, recorder);
}

void Distribution::exchangeSteps(Network &net, Recorder &recorder,
                                 int64_t first, int64_t end) {
  pending.clear();
  for (int64_t s = first; s < end; ++s)
    pending.push_back(s);
  if (!pending.empty())
    exchangeSpikes(net);
  record(net, recorder);
}

void Distribution::record(Network &net, Recorder &recorder) {
  // A drive's lists are this process's part: its inputs are counted from
  // every process's counts instead (drives are not recorded).
  for (const auto &[s, inputs] : exchanged) {
    for (size_t p = 0; p < net.pops.size(); ++p)
      if (!model.populations[p].driveInputs)
        recorder.addSpikes(p, s, net.pops[p].ring.at(s));
    for (size_t d = 0; d < drives.size(); ++d)
      recorder.countSpikes(drives[d], inputs[d]);
  }
  exchanged.clear();
}

void Distribution::planTargets(const Network &net) {
  // Each rank marks the neurons whose spikes it needs (a synapse of theirs
  // here, its own, all on rank 0 which records, all for a procedural
  // projection), and sends each rank the marks of that rank's neurons.
  int ranks = comm.size();
  wanted.assign(model.populations.size(), {});
  for (size_t p = 0; p < model.populations.size(); ++p) {
    if (model.populations[p].generator)
      continue;
    int64_t n = model.populations[p].size;
    std::vector<uint8_t> need(size_t(n), comm.root() ? 1 : 0);
    std::fill(need.begin() + begin(p), need.begin() + end(p), 1);
    for (size_t j = 0; j < net.projs.size(); ++j) {
      if (size_t(model.projections[j].src) != p)
        continue;
      const Network::Projection &proj = net.projs[j];
      if (proj.procedural)
        std::fill(need.begin(), need.end(), 1);
      for (const RowIndex &rowPtr : proj.rowPtrs)
        for (int64_t i = 0; i < n; ++i)
          need[size_t(i)] |= rowPtr[size_t(i) + 1] > rowPtr[size_t(i)];
    }
    std::vector<int64_t> sendCounts(static_cast<size_t>(ranks)),
        recvCounts(static_cast<size_t>(ranks));
    int64_t mine = end(p) - begin(p);
    for (int r = 0; r < ranks; ++r) {
      sendCounts[size_t(r)] = starts[p][size_t(r) + 1] - starts[p][size_t(r)];
      recvCounts[size_t(r)] = mine;
    }
    std::vector<uint8_t> marks(size_t(mine) * size_t(ranks));
    comm.alltoallv(need.data(), sendCounts, marks.data(), recvCounts, 1);
    // By neuron, then rank.
    std::vector<uint8_t> &w = wanted[p];
    w.resize(marks.size());
    for (int q = 0; q < ranks; ++q)
      for (int64_t i = 0; i < mine; ++i)
        w[size_t(i) * size_t(ranks) + size_t(q)] =
            marks[size_t(q) * size_t(mine) + size_t(i)];
  }
}

void Distribution::pack(Network &net, Flight &f) {
  // Per step and population of neurons, this rank's spikes (to every
  // rank, or to each those it needs); counts[q * lists + l]: the spikes of
  // list l for rank q (toAll: q = 0).
  // Then, per step and Poisson drive, the inputs drawn here (each process
  // draws its own targets'), which only travel as counts.
  int ranks = comm.size();
  bool toAll = exchange == Exchange::Allgatherv;
  size_t width = countsWidth(f);
  size_t dests = toAll ? 1 : size_t(ranks);
  f.counts.assign(width * dests, 0);
  f.sendTotals.assign(dests, 0);
  f.send.clear();
  for (size_t q = 0; q < dests; ++q) {
    size_t l = 0;
    for (size_t s = 0; s < f.steps.size(); ++s)
      for (size_t p : spiking) {
        const std::vector<int32_t> &list = net.pops[p].ring.at(f.steps[s]);
        int64_t lo = begin(p);
        size_t before = f.send.size();
        for (int32_t i : list)
          if (toAll || wanted[p][size_t(i - lo) * size_t(ranks) + q])
            f.send.push_back(i);
        f.counts[q * width + l++] = int64_t(f.send.size() - before);
        f.sendTotals[q] += int64_t(f.send.size() - before);
      }
    for (size_t s = 0; s < f.steps.size(); ++s)
      for (size_t p : drives)
        f.counts[q * width + l++] =
            int64_t(net.pops[p].ring.at(f.steps[s]).size());
  }
}

size_t Distribution::countsWidth(const Flight &f) const {
  return f.steps.size() * (spiking.size() + drives.size());
}

void Distribution::startCounts(Flight &f) {
  size_t width = countsWidth(f);
  std::vector<int64_t> per(size_t(comm.size()), int64_t(width));
  f.allCounts.resize(width * size_t(comm.size()));
  bool toAll = exchange == Exchange::Allgatherv;
  if (f.blocking && toAll)
    comm.allgatherv(f.counts.data(), f.allCounts.data(), per, sizeof(int64_t));
  else if (f.blocking)
    comm.alltoallv(f.counts.data(), per, f.allCounts.data(), per,
                   sizeof(int64_t));
  else if (toAll)
    f.countsDone = comm.startAllgatherv(f.counts.data(), f.allCounts.data(),
                                        per, sizeof(int64_t));
  else
    f.countsDone = comm.startAlltoallv(f.counts.data(), per, f.allCounts.data(),
                                       per, sizeof(int64_t));
}

void Distribution::startSpikes(Flight &f) {
  comm.wait(f.countsDone);
  int ranks = comm.size();
  size_t lists = f.steps.size() * spiking.size(), width = countsWidth(f);
  f.totals.assign(size_t(ranks), 0);
  for (int r = 0; r < ranks; ++r)
    for (size_t l = 0; l < lists; ++l)
      f.totals[size_t(r)] += f.allCounts[size_t(r) * width + l];
  int64_t all = 0;
  for (int64_t t : f.totals)
    all += t;
  f.recv.resize(size_t(all));
  bool toAll = exchange == Exchange::Allgatherv;
  if (f.blocking && toAll)
    comm.allgatherv(f.send.data(), f.recv.data(), f.totals, sizeof(int32_t));
  else if (f.blocking)
    comm.alltoallv(f.send.data(), f.sendTotals, f.recv.data(), f.totals,
                   sizeof(int32_t));
  else if (toAll)
    f.spikesDone = comm.startAllgatherv(f.send.data(), f.recv.data(), f.totals,
                                        sizeof(int32_t));
  else
    f.spikesDone = comm.startAlltoallv(
        f.send.data(), f.sendTotals, f.recv.data(), f.totals, sizeof(int32_t));
}

void Distribution::unpack(Network &net, Flight &f) {
  // Every rank's lists, in rank order: ascending, as one process lists
  // them.
  comm.wait(f.spikesDone);
  int ranks = comm.size();
  size_t lists = f.steps.size() * spiking.size(), width = countsWidth(f);
  std::vector<int64_t> offsets(size_t(ranks), 0);
  for (int r = 1; r < ranks; ++r)
    offsets[size_t(r)] = offsets[size_t(r) - 1] + f.totals[size_t(r) - 1];
  spikeBytes += int64_t(f.allCounts.size() * sizeof(int64_t) +
                        f.recv.size() * sizeof(int32_t));
  for (size_t s = 0, l = 0; s < f.steps.size(); ++s)
    for (size_t p : spiking) {
      std::vector<int32_t> &list = net.pops[p].ring.modify(f.steps[s]);
      list.clear();
      for (int r = 0; r < ranks; ++r) {
        int64_t c = f.allCounts[size_t(r) * width + l];
        const int32_t *from = f.recv.data() + offsets[size_t(r)];
        list.insert(list.end(), from, from + c);
        offsets[size_t(r)] += c;
      }
      ++l;
    }
  // The inputs of each drive, summed over the processes in rank order.
  for (size_t s = 0, l = lists; s < f.steps.size(); ++s) {
    std::vector<int64_t> inputs(drives.size(), 0);
    for (size_t d = 0; d < drives.size(); ++d, ++l)
      for (int r = 0; r < ranks; ++r)
        inputs[d] += f.allCounts[size_t(r) * width + l];
    exchanged.push_back({f.steps[s], std::move(inputs)});
  }
}

void Distribution::exchangeSpikes(Network &net) {
  // What is under way first, then the pending steps, at once, with the
  // blocking collectives (their buffers kept from one exchange to the
  // next).
  finishFlights(net);
  Flight &f = now;
  f.blocking = true;
  f.steps.assign(pending.begin(), pending.end());
  pending.clear();
  pack(net, f);
  startCounts(f);
  startSpikes(f);
  unpack(net, f);
}

void Distribution::advanceFlights(Network &net) {
  // At the end of interval m: the spikes of m - 2 arrive, those of m - 1
  // (whose counts have arrived) set out, and the counts of m.
  if (flights.size() == 2) {
    unpack(net, flights.front());
    flights.pop_front();
  }
  if (!flights.empty())
    startSpikes(flights.back());
  Flight f;
  f.steps = std::move(pending);
  pending.clear();
  pack(net, f);
  startCounts(f);
  flights.push_back(std::move(f));
}

void Distribution::finishFlights(Network &net) {
  for (Flight &f : flights) {
    if (f.countsDone.active())
      startSpikes(f);
    unpack(net, f);
  }
  flights.clear();
}

void Distribution::prepare(Network &net, size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  auto refresh = [&](size_t p) {
    if (stale[p] && !model.populations[p].generator)
      exchangeRows(net, p);
    stale[p] = false;
  };
  if (spec.readsSource)
    refresh(size_t(spec.src));
  // Held whole here: its kernels read every target's rows.
  if (spec.replicatedOverRanks())
    refresh(size_t(spec.dst));
  for (const ProjectionSpec::Modulator &m : spec.modulators)
    refresh(size_t(m.population));
}

void Distribution::exchangeRows(Network &net, size_t p) {
  const PopulationSpec &spec = model.populations[p];
  int ranks = comm.size();
  std::vector<int64_t> counts(static_cast<size_t>(ranks)),
      displs(static_cast<size_t>(ranks));
  for (int r = 0; r < ranks; ++r) {
    displs[size_t(r)] = starts[p][size_t(r)];
    counts[size_t(r)] = starts[p][size_t(r) + 1] - starts[p][size_t(r)];
  }
  assert(net.pops[p].rowWidth == spec.size && "rows read remotely are whole");
  int bytes = int(net.kernelValueBytes());
  char *rows = static_cast<char *>(net.kernelRows(p));
  for (size_t r = 0; r < spec.rows.size(); ++r)
    comm.allgathervInPlace(rows + r * size_t(spec.size) * size_t(bytes), counts,
                           displs, bytes);
}

//===----------------------------------------------------------------------===//
// Recordings
//===----------------------------------------------------------------------===//

void Distribution::sample(Network &net, Recorder &recorder, size_t r,
                          int64_t k) {
  const StateRecordSpec &rec = model.stateRecords[r];
  const Recorder::StateRecording &range = recorder.stateRecording(r);
  int64_t width = range.end - range.begin;
  size_t nRows = rec.rows.size();
  auto value = [&](const void *rows, int64_t at, bool single) {
    return single ? double(static_cast<const float *>(rows)[at])
                  : static_cast<const double *>(rows)[at];
  };
  int ranks = comm.size();
  std::vector<int64_t> counts;
  packed.clear();
  if (rec.projection >= 0) {
    size_t j = size_t(rec.projection);
    const void *rows = net.kernelSynapseRows(j);
    int64_t nSyn = net.projs[j].csr.numSynapses();
    for (int row : rec.rows)
      for (int64_t s : recordedSynapses[r])
        packed.push_back(value(rows, row * nSyn + s, net.singleSynapses()));
  } else {
    size_t p = size_t(rec.population);
    const Network::Population &pop = net.pops[p];
    int64_t lo = std::max(range.begin, begin(p));
    int64_t hi = std::min(range.end, end(p));
    const void *rows = net.kernelRows(p);
    for (int row : rec.rows)
      for (int64_t i = lo; i < hi; ++i)
        packed.push_back(
            value(rows, row * pop.rowWidth + i - pop.rowBegin, net.single()));
  }
  counts = comm.allgather(int64_t(packed.size()));
  int64_t total = 0;
  for (int64_t c : counts)
    total += c;
  gathered.resize(size_t(comm.root() ? total : 0));
  comm.gatherv(packed.data(), gathered.data(), counts, sizeof(double));
  if (!comm.root())
    return;
  // Rank by rank, [row][its neurons or synapses] into [row][range].
  sampleValues.assign(nRows * size_t(width), 0.0);
  if (rec.projection >= 0) {
    const std::vector<int64_t> &slots = gatheredSlots[r];
    size_t at = 0;
    int64_t first = 0;
    for (int q = 0; q < ranks; ++q) {
      int64_t n = counts[size_t(q)] / int64_t(std::max<size_t>(nRows, 1));
      for (size_t v = 0; v < nRows; ++v)
        for (int64_t s = 0; s < n; ++s)
          sampleValues[v * size_t(width) + size_t(slots[size_t(first + s)])] =
              gathered[at++];
      first += n;
    }
  } else {
    size_t p = size_t(rec.population), at = 0;
    for (int q = 0; q < ranks; ++q) {
      int64_t lo = std::max(range.begin, starts[p][size_t(q)]);
      int64_t hi = std::min(range.end, starts[p][size_t(q) + 1]);
      for (size_t v = 0; v < nRows; ++v)
        for (int64_t i = lo; i < hi; ++i)
          sampleValues[v * size_t(width) + size_t(i - range.begin)] =
              gathered[at++];
    }
  }
  recorder.appendSample(r, k, sampleValues.data());
}
