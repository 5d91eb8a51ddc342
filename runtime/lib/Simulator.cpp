//===- Simulator.cpp - Builds and runs a compiled network -----------------===//
//
// The Simulator's life cycle: threads and their tasks, build() (validate,
// allocate: Validate.cpp, Initialize.cpp, Connect.cpp), run() in batches
// of steps (the step itself: Step.cpp; numerical checks: CheckFinite.cpp),
// the host's view of the kernels' rows, and queries. Recordings live in
// Recorder.cpp, checkpoints in Checkpoint.cpp.
//
//===----------------------------------------------------------------------===//

#include "SimulatorInternal.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Table.h"

#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Streams.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>
#include <unistd.h>
#include <utility>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

/// Fewest neurons a thread integrates: smaller ranges cost more to hand out
/// than they save.
constexpr int64_t kMinNeuronsPerTask = 2048;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

const std::vector<SpikeRecord> &noSpikeRecords() {
  static const std::vector<SpikeRecord> empty;
  return empty;
}

const std::vector<int32_t> &noSpikes() {
  static const std::vector<int32_t> empty;
  return empty;
}

const CSR &emptyCSR() {
  static const CSR empty;
  return empty;
}

} // namespace

Simulator::Simulator(ModelSpec spec) : model(std::move(spec)) {}

Simulator::~Simulator() = default;

void Simulator::setThreads(unsigned threads) {
  if (threads) {
    numThreads = threads;
    return;
  }
  // Automatic: one thread per kNeuronsPerThread neurons, at most one per
  // hardware thread. Below that the step kernels are too short for a
  // second thread to pay for itself while delivery runs on one thread.
  int64_t neurons = 0;
  for (const PopulationSpec &p : model.populations)
    neurons += p.generator ? 0 : p.size;
  numThreads = unsigned(std::clamp<int64_t>(neurons / kNeuronsPerThread, 1,
                                            ThreadPool::hardwareThreads()));
}

void Simulator::planStepTasks() {
  stepTasks.clear();
  for (size_t p = 0; p < model.populations.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    if (spec.generator)
      continue;
    int64_t n = spec.size;
    int64_t parts =
        std::clamp<int64_t>(n / kMinNeuronsPerTask, 1, int64_t(numThreads));
    // Range boundaries on multiples of 64 neurons: whole vectors and
    // cache lines of the spike flags.
    int64_t chunk = (n + parts - 1) / parts;
    chunk = (chunk + 63) / 64 * 64;
    for (int64_t begin = 0; begin < n; begin += chunk) {
      StepTask task;
      task.pop = int(p);
      task.begin = begin;
      task.end = std::min(n, begin + chunk);
      stepTasks.push_back(std::move(task));
    }
  }
  if (!pool || pool->size() != numThreads)
    pool = std::make_unique<ThreadPool>(numThreads);
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

bool Simulator::build(std::string &err) {
  auto start = std::chrono::steady_clock::now();
  built = false;
  pops.clear();
  projs.clear();
  recordedOrder.clear();
  stateRecordings.assign(model.stateRecords.size(), {});
  stepIndex = 0;
  simSeconds = 0;
  events = 0;

  bool ok = validate(err);
  if (ok) {
    try {
      ok = allocate(err);
    } catch (const std::bad_alloc &) {
      err = "out of memory while building model '" + model.name + "'";
      ok = false;
    } catch (const std::exception &e) {
      err = "cannot build model '" + model.name + "': " + e.what();
      ok = false;
    }
  }
  // Initial values, weights and per-neuron propagators must be finite,
  // and weights must respect Dale's law.
  hostStale = kernelStale = false;
  if (ok && single())
    pushKernelRows();
  if (ok)
    ok = checkFinite(err, /*constantSynapses=*/true) && checkPropagators(err);
  if (!ok) {
    pops.clear();
    projs.clear();
    recordedOrder.clear();
  }
  if (ok)
    planStepTasks();
  built = ok;
  buildSeconds = secondsSince(start);
  return ok;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

int64_t Simulator::synapseBytes() const {
  int64_t bytes = 0;
  for (const Projection &p : projs) {
    bytes += int64_t(
        p.csr.cols.size() * sizeof(int32_t) +
        p.syn.size() * (single() ? sizeof(float) : sizeof(double)) +
        p.postPtr.size() * sizeof(int64_t) +
        p.postSyn.size() * sizeof(int64_t) + p.srcs.size() * sizeof(int32_t));
    for (const std::vector<int64_t> &r : p.rowPtrs)
      bytes += int64_t(r.size() * sizeof(int64_t));
    for (const std::vector<int64_t> &r : p.partPtrs)
      bytes += int64_t(r.size() * sizeof(int64_t));
  }
  return bytes;
}

std::vector<int32_t> Simulator::synapseDelays(int proj) const {
  std::vector<int32_t> delays;
  if (proj < 0 || size_t(proj) >= projs.size())
    return delays;
  // Each delay group is a contiguous block of synapses.
  const Projection &p = projs[size_t(proj)];
  delays.resize(size_t(p.csr.numSynapses()));
  for (size_t g = 0; g < p.delays.size(); ++g)
    std::fill(delays.begin() + p.rowPtrs[g].front(),
              delays.begin() + p.rowPtrs[g].back(), int32_t(p.delays[g]));
  return delays;
}

void *Simulator::kernelRows(size_t p) {
  Population &pop = pops[p];
  return single() ? static_cast<void *>(pop.state32.data())
                  : static_cast<void *>(pop.state.data());
}

void *Simulator::kernelSynapseRows(size_t j) {
  Projection &proj = projs[j];
  return single() ? static_cast<void *>(proj.syn32.data())
                  : static_cast<void *>(proj.syn.data());
}

// Float rows pass through the same descriptor: the kernels only take their
// address (memref<?x?xf32>, see ABI.h).
NeuroMemRef2DF64 Simulator::kernelState(size_t p) {
  const PopulationSpec &spec = model.populations[p];
  return memref2D(static_cast<double *>(kernelRows(p)),
                  int64_t(spec.rows.size()), spec.size);
}

NeuroMemRef2DF64 Simulator::kernelSynapses(size_t j) {
  return memref2D(static_cast<double *>(kernelSynapseRows(j)),
                  int64_t(model.projections[j].synRows.size()),
                  projs[j].csr.numSynapses());
}

void Simulator::pushKernelRows() {
  auto round = [](AlignedVector<double> &from, AlignedVector<float> &to) {
    to.resize(from.size());
    for (size_t i = 0; i < from.size(); ++i) {
      to[i] = float(from[i]);
      from[i] = to[i];
    }
  };
  for (Population &pop : pops)
    round(pop.state, pop.state32);
  for (Projection &proj : projs)
    round(proj.syn, proj.syn32);
  kernelStale = false;
}

void Simulator::syncHostRows() const {
  if (!hostStale)
    return;
  for (const Population &pop : pops)
    std::copy(pop.state32.begin(), pop.state32.end(),
              const_cast<double *>(pop.state.data()));
  for (const Projection &proj : projs)
    std::copy(proj.syn32.begin(), proj.syn32.end(),
              const_cast<double *>(proj.syn.data()));
  hostStale = false;
}

bool Simulator::setPlastic(int proj, bool plastic) {
  if (!built || proj < 0 || size_t(proj) >= projs.size())
    return false;
  projs[size_t(proj)].mods[0] = plastic ? 1.0 : 0.0;
  return true;
}

bool Simulator::isPlastic(int proj) const {
  return built && proj >= 0 && size_t(proj) < projs.size() &&
         projs[size_t(proj)].mods[0] != 0.0;
}

bool Simulator::doRun(int64_t steps, std::string &err) {
  for (int64_t n = 0; n < steps; ++n) {
    if (backend) {
      if (!backend->step(stepIndex, err))
        return false;
    } else {
      doStep(stepIndex);
    }
    ++stepIndex;
    if (stepIndex % kCheckInterval != 0 && n + 1 != steps)
      continue;
    if (backend && !backend->sync(err))
      return false;
    if (!checkFinite(err, /*constantSynapses=*/false)) {
      std::string flushErr;
      if (isStreaming() && !flushStreams(flushErr))
        err += "; " + flushErr;
      return false;
    }
    if (isStreaming() &&
        (n + 1 == steps || bufferedBytes() >= kFlushBytes ||
         secondsSince(lastFlush) >= kFlushSeconds) &&
        !flushStreams(err))
      return false;
  }
  return true;
}

bool Simulator::run(std::string &err) { return run(model.steps, err); }

bool Simulator::run(int64_t steps, std::string &err) {
  if (!built) {
    err = "model '" + model.name + "' is not built";
    return false;
  }
  if (steps < 0) {
    err =
        "cannot run a negative number of steps (" + std::to_string(steps) + ")";
    return false;
  }
  if (single() && stepIndex + steps > kMaxSingleSteps) {
    err = "a single precision run counts steps in float32, exactly only up "
          "to step " +
          std::to_string(kMaxSingleSteps) + "; this run would reach step " +
          std::to_string(stepIndex + steps) + " (use --precision=double)";
    return false;
  }
  if (kernelStale)
    pushKernelRows();
  auto start = std::chrono::steady_clock::now();
  bool ok;
  try {
    ok = doRun(steps, err);
  } catch (const std::bad_alloc &) {
    err = "out of memory at step " + std::to_string(stepIndex);
    ok = false;
  } catch (const std::exception &e) {
    err = "error at step " + std::to_string(stepIndex) + ": " + e.what();
    ok = false;
  }
  simSeconds += secondsSince(start);
  return ok;
}

bool Simulator::rowsChanged(int pop, int row, std::string &err) {
  if (!built || pop < 0 || size_t(pop) >= pops.size())
    return true;
  const PopulationSpec &spec = model.populations[size_t(pop)];
  if (!spec.deriveFn)
    return true;
  // A derived parameter written itself keeps the value written.
  if (row >= 0 && size_t(row) < spec.rows.size() &&
      std::find(spec.derived.begin(), spec.derived.end(),
                spec.rows[size_t(row)]) != spec.derived.end())
    return true;
  syncHostRows();
  NeuroMemRef2DF64 state = memref2D(pops[size_t(pop)].state.data(),
                                    int64_t(spec.rows.size()), spec.size);
  spec.deriveFn(&state, int64_t(model.seed));
  kernelStale |= single();
  return checkFinite(err, /*constantSynapses=*/false) && checkPropagators(err);
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

int64_t Simulator::numSynapses() const {
  int64_t total = 0;
  for (const Projection &proj : projs)
    total += proj.csr.numSynapses();
  return total;
}

int64_t Simulator::numSynapses(int proj) const {
  if (proj < 0 || size_t(proj) >= projs.size())
    return 0;
  return projs[size_t(proj)].csr.numSynapses();
}

int64_t Simulator::spikeCount(int pop) const {
  if (pop < 0 || size_t(pop) >= pops.size())
    return 0;
  return pops[size_t(pop)].spikeCount;
}

const std::vector<SpikeRecord> &Simulator::spikes(int pop) const {
  if (pop < 0 || size_t(pop) >= pops.size())
    return noSpikeRecords();
  return pops[size_t(pop)].spikes;
}

bool Simulator::isRecorded(int pop) const {
  return pop >= 0 && size_t(pop) < pops.size() && pops[size_t(pop)].recorded;
}

const std::vector<int32_t> &Simulator::spikesAtStep(int pop,
                                                    int64_t step) const {
  if (pop < 0 || size_t(pop) >= pops.size() || step >= stepIndex)
    return noSpikes();
  return pops[size_t(pop)].ring.at(step);
}

StateView Simulator::state(int pop) {
  ConstStateView view = std::as_const(*this).state(pop);
  // The caller may write: the kernels' rows are rounded from these before
  // the next step.
  kernelStale |= single() && view.data;
  return {const_cast<double *>(view.data), view.rows, view.cols};
}

ConstStateView Simulator::state(int pop) const {
  if (pop < 0 || size_t(pop) >= pops.size())
    return {};
  syncHostRows();
  const PopulationSpec &spec = model.populations[size_t(pop)];
  return {pops[size_t(pop)].state.data(), int64_t(spec.rows.size()), spec.size};
}

StateView Simulator::synapseState(int proj) {
  ConstStateView view = std::as_const(*this).synapseState(proj);
  kernelStale |= single() && view.data;
  return {const_cast<double *>(view.data), view.rows, view.cols};
}

ConstStateView Simulator::synapseState(int proj) const {
  if (proj < 0 || size_t(proj) >= projs.size())
    return {};
  syncHostRows();
  const Projection &p = projs[size_t(proj)];
  return {p.syn.data(), int64_t(model.projections[size_t(proj)].synRows.size()),
          p.csr.numSynapses()};
}

int Simulator::populationIndex(const std::string &name) const {
  for (size_t p = 0; p < model.populations.size(); ++p)
    if (model.populations[p].name == name)
      return int(p);
  return -1;
}

int Simulator::projectionIndex(const std::string &name) const {
  for (size_t j = 0; j < model.projections.size(); ++j)
    if (model.projections[j].name == name)
      return int(j);
  return -1;
}

int Simulator::rowIndex(int pop, const std::string &name) const {
  if (pop < 0 || size_t(pop) >= model.populations.size())
    return -1;
  const std::vector<std::string> &rows = model.populations[size_t(pop)].rows;
  for (size_t r = 0; r < rows.size(); ++r)
    if (rows[r] == name)
      return int(r);
  return -1;
}

int Simulator::synRowIndex(int proj, const std::string &name) const {
  if (proj < 0 || size_t(proj) >= model.projections.size())
    return -1;
  const std::vector<std::string> &rows =
      model.projections[size_t(proj)].synRows;
  for (size_t r = 0; r < rows.size(); ++r)
    if (rows[r] == name)
      return int(r);
  return -1;
}

const CSR &Simulator::connectivity(int proj) const {
  if (proj < 0 || size_t(proj) >= projs.size())
    return emptyCSR();
  return projs[size_t(proj)].csr;
}

void Simulator::synapseEnds(int proj, std::vector<int64_t> &pre,
                            std::vector<int64_t> &post) const {
  pre.clear();
  post.clear();
  if (proj < 0 || size_t(proj) >= projs.size())
    return;
  const Projection &p = projs[size_t(proj)];
  pre.resize(p.csr.cols.size());
  post.assign(p.csr.cols.begin(), p.csr.cols.end());
  for (size_t s = 0; s < pre.size(); ++s)
    pre[s] = synapseSource(p, int64_t(s));
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// Creates `dir` (the current directory when empty) if needed.

int64_t Simulator::synapseSource(const Projection &proj, int64_t s) {
  // The source of synapse s: the row of its delay group holding it.
  for (const std::vector<int64_t> &rowPtr : proj.rowPtrs)
    if (s >= rowPtr.front() && s < rowPtr.back())
      return int64_t(std::upper_bound(rowPtr.begin(), rowPtr.end(), s) -
                     rowPtr.begin()) -
             1;
  return -1;
}
