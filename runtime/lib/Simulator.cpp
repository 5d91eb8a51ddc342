//===- Simulator.cpp - Builds and runs a compiled network -----------------===//
//
// The Simulator's life cycle: threads, build() (the network: Network.h; its
// monitors: Recorder.h), the backend, run() in batches of steps with the
// schedule of one step (doStep) and the checks between batches, and
// queries. Recordings live in Recorder.cpp, checkpoints in Checkpoint.cpp.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Simulator.h"

#include "SimulatorInternal.h"
#include "cpu/Backend.h"
#include "neuro/Runtime/Run.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <utility>

using namespace neuro::rt;
using namespace neuro::rt::detail;

namespace {

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

Backend::~Backend() = default;

Simulator::Simulator(ModelSpec spec) : model(std::move(spec)) {}

Simulator::~Simulator() = default;

void Simulator::setThreads(unsigned threads) {
  automaticThreads = threads == 0;
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
  if (comm)
    neurons /= comm->size();
  numThreads = unsigned(std::clamp<int64_t>(neurons / kNeuronsPerThread, 1,
                                            ThreadPool::hardwareThreads()));
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

bool Simulator::build(std::string &err) {
  auto start = std::chrono::steady_clock::now();
  built = false;
  backend.reset();
  net.clear();
  recorder.clear();
  stepIndex = 0;
  simSeconds = 0;
  bool distributed = comm && comm->distributed();
  Distribution::Exchange exchange = Distribution::Exchange::Allgatherv;
  bool overlap = true;
  bool ok = net.validate(err);
  if (distributed) {
    // Every process reads its own environment: a bad value on one, or
    // settings that differ, would run different collectives (a hang).
    ok = ok && Distribution::exchangeFromEnvironment(exchange, err) &&
         Distribution::overlapFromEnvironment(overlap, err);
    ok = comm->agree(ok, err);
    double mine = double(int(exchange) * 2 + int(overlap));
    // One collective per statement: the order is every process's.
    double most = ok ? comm->max(mine) : 0;
    double least = ok ? -comm->max(-mine) : 0;
    if (most != least) {
      ok = false;
      err = "the processes were given different NEURO_MPI_EXCHANGE or "
            "NEURO_MPI_OVERLAP settings; give every process the same";
    }
  }
  dist = distributed
             ? std::make_unique<Distribution>(*comm, model, exchange, overlap)
             : nullptr;
  net.dist = dist.get();
  // The build runs on the threads of the steps, or all when automatic.
  numBuildThreads = numThreads;
  if (automaticThreads)
    numBuildThreads =
        std::max(numThreads, ThreadPool::hardwareThreads() /
                                 unsigned(distributed ? comm->size() : 1));
  if (ok && (!net.pool || net.pool->size() != numBuildThreads))
    net.pool = std::make_unique<ThreadPool>(numBuildThreads);
  net.deliveryThreads = numThreads;
  // Out of memory anywhere in the build (the network, the float32 rows of
  // single precision, the recorders' buffers) is an error, not an abort.
  auto guarded = [&](auto &&step) {
    try {
      return step();
    } catch (const std::bad_alloc &) {
      err = "out of memory while building model '" + model.name + "'";
    } catch (const std::exception &e) {
      err = "cannot build model '" + model.name + "': " + e.what();
    }
    return false;
  };
  if (ok)
    ok = guarded([&] {
      if (!net.allocate(err))
        return false;
      net.hostStale = net.kernelStale = false;
      if (net.singleSynapses())
        net.pushKernelRows();
      return true;
    });
  // Initial values, weights and per-neuron propagators must be finite,
  // and weights must respect Dale's law.
  if (ok)
    ok = net.checkFinite(currentTime(), err, /*constantSynapses=*/true) &&
         net.checkPropagators(err);
  if (ok)
    ok = guarded([&] {
      recorder.build();
      return true;
    });
  // Every process stops when one cannot build (a file, memory).
  if (distributed)
    ok = comm->agree(ok, err);
  if (!ok) {
    net.clear();
    recorder.clear();
  } else {
    if (dist) {
      dist->finishBuild(net, recorder);
      recorder.keepRecordings(comm->root());
      // Built: each population keeps its own neurons' rows only, unless
      // kernels read them elsewhere.
      net.localizeRows(true);
    }
    if (!net.pool || net.pool->size() != numThreads)
      net.pool = std::make_unique<ThreadPool>(numThreads);
    backend = std::make_unique<CpuBackend>(net, recorder);
  }
  built = ok;
  buildSeconds = secondsSince(start);
  return ok;
}

bool Simulator::setBackend(const BackendFactory &make, std::string &err) {
  if (!built) {
    err = "model '" + model.name + "' is not built";
    return false;
  }
  if (!make) {
    net.localizeRows(true);
    backend = std::make_unique<CpuBackend>(net, recorder);
    return true;
  }
  // A backend starts from the rows the kernels take, every neuron's.
  net.localizeRows(false);
  if (net.kernelStale)
    net.pushKernelRows();
  std::unique_ptr<Backend> next =
      make(BackendContext{net, recorder, stepIndex}, err);
  // Over several processes, all run on the backend or none does.
  bool ok = next != nullptr;
  if (dist)
    ok = comm->agree(ok, err);
  if (!ok)
    return false;
  backend = std::move(next);
  return true;
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

int64_t Simulator::synapseBytes() const {
  int64_t bytes = 0;
  for (const Network::Projection &p : net.projs) {
    // The synapse rows the network keeps: double, or float32 (and a double
    // copy once the host asked for one).
    bytes += int64_t(
        p.csr.cols.size() * sizeof(int32_t) + p.syn.size() * sizeof(double) +
        p.syn32.size() * sizeof(float) + p.postPtr.size() * sizeof(int64_t) +
        p.postSyn.size() * sizeof(int64_t) + p.srcs.size() * sizeof(int32_t) +
        p.wholeIndex.size() * sizeof(int64_t));
    for (const RowIndex &r : p.rowPtrs)
      bytes += int64_t(r.bytes());
    // Where each source's synapses start (procedural).
    if (p.csr.rowPtr.size() > 1)
      bytes += int64_t(p.csr.rowPtr.size() * sizeof(int64_t));
    for (const RowIndex &r : p.partPtrs)
      bytes += int64_t(r.bytes());
  }
  return bytes;
}

std::vector<int32_t> Simulator::synapseDelays(int proj) const {
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return {};
  return net.synapseDelays(size_t(proj));
}

bool Simulator::setPlastic(int proj, bool plastic) {
  if (!built || proj < 0 || size_t(proj) >= net.projs.size())
    return false;
  net.projs[size_t(proj)].mods[0] = plastic ? 1.0 : 0.0;
  net.modsWritten = true;
  return true;
}

bool Simulator::isPlastic(int proj) const {
  return built && proj >= 0 && size_t(proj) < net.projs.size() &&
         net.projs[size_t(proj)].mods[0] != 0.0;
}

bool Simulator::doStep(int64_t k, std::string &err) {
  Backend &b = *backend;
  // Parameters that follow a table in time: their values of step k.
  for (size_t p = 0; p < net.pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.init.size(); ++r) {
      const InitSpec &init = spec.init[r];
      // values() tables were filled when the network was built: a value
      // written since (a view, a set before the first step) stays.
      if (!init.followsTable() || k % init.every != 0)
        continue;
      net.fillTimed(p, r, k);
      if (!b.uploadRow(p, r, err))
        return false;
    }
  }
  // State monitors sample at the start of the step (time k dt), as
  // Brian2's StateMonitor does; a parameter following a table in time, as
  // the step uses it (a TimedArray's value at k dt).
  for (size_t r = 0; r < model.stateRecords.size(); ++r)
    if (k % model.stateRecords[r].every == 0 && !b.sampleState(r, k, err))
      return false;
  for (const ModelSpec::PlasticSwitch &sw : model.plasticSwitches) {
    if (sw.step != k)
      continue;
    net.projs[size_t(sw.projection)].mods[0] = sw.plastic ? 1.0 : 0.0;
    if (!b.uploadMods(size_t(sw.projection), err))
      return false;
  }
  // (0) to (5), Simulator.h.
  return b.updateProjections(k, false, err) && b.stepPopulations(k, err) &&
         b.updateProjections(k, true, err) && b.deliver(k, err) &&
         b.deliverPost(k, err) && b.reset(k, err) && b.monitor(k, err);
}

bool Simulator::doRun(int64_t steps, std::string &err) {
  for (int64_t n = 0; n < steps; ++n) {
    if (!doStep(stepIndex, err))
      return false;
    ++stepIndex;
    if (stepIndex % kCheckInterval != 0 && n + 1 != steps)
      continue;
    if (!backend->sync(err))
      return false;
    bool ok = net.checkFinite(currentTime(), err, /*constantSynapses=*/false);
    recorder.setStepsDone(stepIndex);
    if (!ok) {
      std::string flushErr;
      if (isStreaming() && !recorder.flush(flushErr))
        err += "; " + flushErr;
    } else if (isStreaming() && (n + 1 == steps || recorder.flushDue())) {
      ok = recorder.flush(err);
    }
    // Every process stops at the same step when one fails.
    if (dist)
      ok = comm->agree(ok, err);
    if (!ok)
      return false;
  }
  return true;
}

bool Simulator::run(std::string &err) { return run(model.steps, err); }

bool Simulator::stepsFor(double seconds, int64_t &steps, std::string &err) {
  if (!durationSteps(seconds, model.dt, steps, err))
    return false;
  double from = runEndStep == stepIndex ? runEnd : currentTime();
  int64_t end = 0;
  if (!durationSteps(from + seconds, model.dt, end, err))
    return false;
  steps = std::max<int64_t>(0, end - stepIndex);
  runEnd = from + seconds;
  runEndStep = stepIndex + steps;
  return true;
}

bool Simulator::planRun(std::string &err) {
  return stepsFor(model.requestedDuration(), model.steps, err) &&
         checkStepLimit(stepIndex + model.steps, err);
}

bool Simulator::checkStepLimit(int64_t end, std::string &err) const {
  if (end <= kMaxSingleSteps)
    return true;
  // Step indices kept in float32 rows: every `_lastspike` in single
  // precision, a synapse's `_lastupdate` also in mixed precision.
  std::string what = net.single() ? "a single precision run" : "";
  for (size_t j = 0; j < model.projections.size() && what.empty(); ++j)
    for (const std::string &row : model.projections[j].synRows)
      if (net.singleSynapses() && row == "_lastupdate")
        what =
            "projection '" + model.projections[j].name + "' in mixed precision";
  if (what.empty())
    return true;
  err = what + " counts steps in float32, exactly only up to step " +
        std::to_string(kMaxSingleSteps) + "; this run would reach step " +
        std::to_string(end) + " (use double precision)";
  return false;
}

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
  if (!checkStepLimit(stepIndex + steps, err))
    return false;
  if (net.kernelStale)
    net.pushKernelRows();
  if (net.hostWritten) {
    if (!backend->uploadHostRows(err))
      return false;
    net.hostWritten = false;
  }
  if (net.modsWritten) {
    for (size_t j = 0; j < net.projs.size(); ++j)
      if (!backend->uploadMods(j, err))
        return false;
    net.modsWritten = false;
  }
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
  if (!built || pop < 0 || size_t(pop) >= net.pops.size())
    return true;
  const PopulationSpec &spec = model.populations[size_t(pop)];
  if (!spec.deriveFn)
    return true;
  // A derived parameter written itself keeps the value written.
  if (row >= 0 && size_t(row) < spec.rows.size() &&
      std::find(spec.derived.begin(), spec.derived.end(),
                spec.rows[size_t(row)]) != spec.derived.end())
    return true;
  net.syncHostRows();
  // The kernel computes every neuron's values: on rows of every neuron.
  Network::Population &rows = net.pops[size_t(pop)];
  bool local = rows.rowWidth != spec.size;
  net.localizeRows(size_t(pop), false);
  NeuroMemRef2DF64 state =
      memref2D(rows.state.data(), int64_t(spec.rows.size()), spec.size);
  spec.deriveFn(&state, int64_t(model.seed));
  net.localizeRows(size_t(pop), local);
  net.kernelStale |= net.single();
  return net.checkFinite(currentTime(), err, /*constantSynapses=*/false) &&
         net.checkPropagators(err);
}

bool Simulator::changeRow(int pop, int row, const std::function<void()> &write,
                          std::string &err) {
  // A row that follows a table in time is written from it during the run:
  // a value set here would be gone before the next step used it (a row
  // that a values() table only starts is set as any other).
  if (pop >= 0 && size_t(pop) < model.populations.size() && row >= 0 &&
      size_t(row) < model.populations[size_t(pop)].init.size() &&
      model.populations[size_t(pop)].init[size_t(row)].followsTable()) {
    const PopulationSpec &spec = model.populations[size_t(pop)];
    err = "'" + spec.name + "." + spec.rows[size_t(row)] +
          "' follows a table in time (timed), which sets it at every step; "
          "give it another table or value in the model";
    return false;
  }
  StateView view = state(pop);
  if (!view.data || row < 0 || row >= view.rows) {
    write();
    return rowsChanged(pop, row, err);
  }
  std::vector<double> before(view.row(row), view.row(row) + view.cols);
  write();
  if (rowsChanged(pop, row, err))
    return true;
  std::copy(before.begin(), before.end(), view.row(row));
  std::string again;
  rowsChanged(pop, row, again);
  return false;
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

int64_t Simulator::numSynapses() const {
  int64_t total = 0;
  // A projection every process holds whole counts on one; a procedural
  // one, whose whole count every process knows, too.
  bool root = !net.dist || net.dist->comm.root();
  for (size_t j = 0; j < net.projs.size(); ++j)
    if (net.projs[j].procedural ? root : net.countsHere(j))
      total += net.numSynapses(j);
  return total;
}

int64_t Simulator::numSynapses(int proj) const {
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return 0;
  return net.numSynapses(size_t(proj));
}

bool Simulator::isProcedural(int proj) const {
  return proj >= 0 && size_t(proj) < net.projs.size() &&
         net.projs[size_t(proj)].procedural;
}

int64_t Simulator::spikeCount(int pop) const {
  if (pop < 0 || size_t(pop) >= recorder.numPopulations())
    return 0;
  return recorder.spikeCount(size_t(pop));
}

const std::vector<SpikeRecord> &Simulator::spikes(int pop) const {
  if (pop < 0 || size_t(pop) >= recorder.numPopulations())
    return noSpikeRecords();
  return recorder.spikes(size_t(pop));
}

bool Simulator::isRecorded(int pop) const {
  return pop >= 0 && size_t(pop) < recorder.numPopulations() &&
         recorder.isRecorded(size_t(pop));
}

const std::vector<int32_t> &Simulator::spikesAtStep(int pop,
                                                    int64_t step) const {
  if (pop < 0 || size_t(pop) >= net.pops.size() || step >= stepIndex)
    return noSpikes();
  return net.pops[size_t(pop)].ring.at(step);
}

StateView Simulator::state(int pop) {
  ConstStateView view = std::as_const(*this).state(pop);
  // The caller may write: the kernels' rows are rounded from these before
  // the next step.
  net.kernelStale |= net.single() && view.data;
  net.hostWritten |= view.data != nullptr;
  return {const_cast<double *>(view.data), view.rows, view.cols};
}

ConstStateView Simulator::state(int pop) const {
  if (pop < 0 || size_t(pop) >= net.pops.size())
    return {};
  net.syncHostRows();
  // Over several processes, maybe the rows of this process's neurons only.
  const PopulationSpec &spec = model.populations[size_t(pop)];
  const Network::Population &rows = net.pops[size_t(pop)];
  return {rows.state.data(), int64_t(spec.rows.size()), rows.rowWidth};
}

StateView Simulator::synapseState(int proj) {
  ConstStateView view = std::as_const(*this).synapseState(proj);
  net.kernelStale |= net.singleSynapses() && view.data;
  net.hostWritten |= view.data != nullptr;
  return {const_cast<double *>(view.data), view.rows, view.cols};
}

bool Simulator::checkStored(int proj, std::string &err) const {
  if (!isProcedural(proj))
    return true;
  err = "projection '" + model.projections[size_t(proj)].name +
        "' is procedural: its synapses are drawn again for each spike, not "
        "stored (connect it without `procedural` to read or record them)";
  return false;
}

ConstStateView Simulator::synapseState(int proj) const {
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return {};
  const Network::Projection &p = net.projs[size_t(proj)];
  return {net.hostSynapses(size_t(proj)),
          int64_t(model.projections[size_t(proj)].synRows.size()),
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
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return emptyCSR();
  return net.projs[size_t(proj)].csr;
}

std::vector<int64_t> Simulator::rowPointers(int proj) const {
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return {};
  const Network::Projection &p = net.projs[size_t(proj)];
  if (p.procedural || p.rowPtrs.size() != 1)
    return {};
  return p.rowPtrs[0].decode();
}

void Simulator::synapseEnds(int proj, std::vector<int64_t> &pre,
                            std::vector<int64_t> &post) const {
  pre.clear();
  post.clear();
  if (proj < 0 || size_t(proj) >= net.projs.size())
    return;
  const Network::Projection &p = net.projs[size_t(proj)];
  pre.resize(p.csr.cols.size());
  post.assign(p.csr.cols.begin(), p.csr.cols.end());
  for (size_t s = 0; s < pre.size(); ++s)
    pre[s] = Network::synapseSource(p, int64_t(s));
}

//===----------------------------------------------------------------------===//
// Recordings
//===----------------------------------------------------------------------===//

bool Simulator::recordSpikes(int pop) {
  std::string err;
  return recordSpikes(RecordSpec{pop, 0, -1}, err);
}

bool Simulator::recordSpikes(const RecordSpec &record, std::string &err) {
  int pop = record.population;
  if (!built || pop < 0 || size_t(pop) >= net.pops.size()) {
    err = "no population " + std::to_string(pop) + " in a built network";
    return false;
  }
  const PopulationSpec &spec = model.populations[size_t(pop)];
  int64_t begin = record.begin;
  int64_t end = record.end == -1 ? spec.size : record.end;
  if (begin < 0 || end <= begin || end > spec.size) {
    err = "neurons [" + std::to_string(begin) + ", " + std::to_string(end) +
          ") are not a range of '" + spec.name + "' (" +
          std::to_string(spec.size) + " neurons)";
    return false;
  }
  if (recorder.isRecorded(size_t(pop))) {
    auto [b, e] = recorder.recordedRange(size_t(pop));
    if (b == begin && e == end)
      return true;
    err = "the spikes of '" + spec.name + "' are recorded for neurons [" +
          std::to_string(b) + ", " + std::to_string(e) +
          ") already; a population's spikes are recorded for one range";
    return false;
  }
  recorder.recordSpikes(size_t(pop), begin, end);
  model.records.push_back(record);
  return true;
}

bool Simulator::recordStates(const StateRecordSpec &record, std::string &err) {
  if (!built || isStreaming()) {
    err = "recordings can be added to a built network that is not streaming";
    return false;
  }
  bool synapses = record.projection >= 0;
  if (synapses ? size_t(record.projection) >= net.projs.size()
               : record.population < 0 ||
                     size_t(record.population) >= net.pops.size()) {
    err = synapses ? "no such projection" : "no such population";
    return false;
  }
  if (synapses && !checkStored(record.projection, err))
    return false;
  const std::vector<std::string> &rows =
      synapses ? model.projections[size_t(record.projection)].synRows
               : model.populations[size_t(record.population)].rows;
  int64_t size = synapses ? numSynapses(record.projection)
                          : model.populations[size_t(record.population)].size;
  for (int row : record.rows)
    if (row < 0 || size_t(row) >= rows.size()) {
      err = "no such variable";
      return false;
    }
  if (record.begin < 0 || record.end > size || record.begin >= record.end ||
      record.every < 1 || record.rows.empty()) {
    err = std::string(synapses ? "synapses [" : "neurons [") +
          std::to_string(record.begin) + ", " + std::to_string(record.end) +
          ") are not a range of 0.." + std::to_string(size);
    return false;
  }
  model.stateRecords.push_back(record);
  recorder.addStateRecording(record.begin, record.end);
  return true;
}

bool Simulator::streamTo(const std::string &dir, std::string &err) {
  if (!built) {
    err = "cannot stream recordings of model '" + model.name + "': not built";
    return false;
  }
  return recorder.streamTo(dir, err);
}

bool Simulator::writeSpikes(const std::string &dir, std::string &err) {
  if (!built && !isStreaming()) {
    err = "cannot write spikes of model '" + model.name + "': not built";
    return false;
  }
  recorder.setStepsDone(stepIndex);
  return recorder.writeSpikes(dir, err);
}

bool Simulator::writeStates(const std::string &dir, std::string &err) {
  recorder.setStepsDone(stepIndex);
  return recorder.writeStates(dir, err);
}
