//===- Simulator.cpp - Builds and runs a compiled network -----------------===//
//
// Single-threaded reference implementation of the step loop described in
// Simulator.h. Memref descriptors are rebuilt for every kernel call (a few
// stores), so buffers may be reallocated freely between calls.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Simulator.h"
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

namespace {

// Kernels must never see a null pointer, even for an empty buffer.
alignas(kBufferAlignment) double dummyF64[8];
alignas(kBufferAlignment) int64_t dummyI64[8];
alignas(kBufferAlignment) int32_t dummyI32[16];
alignas(kBufferAlignment) int8_t dummyI8[64];

template <typename T> T *orDummy(T *p, T *dummy) { return p ? p : dummy; }

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

/// Fewest neurons a thread integrates: smaller ranges cost more to hand out
/// than they save.
constexpr int64_t kMinNeuronsPerTask = 2048;

NeuroMemRef2DF64 memref2D(double *data, int64_t rows, int64_t cols) {
  double *p = orDummy(data, dummyF64);
  return {p, p, 0, {rows, cols}, {cols, 1}};
}

NeuroMemRefI8 memref1D(int8_t *data, int64_t size) {
  int8_t *p = orDummy(data, dummyI8);
  return {p, p, 0, size, 1};
}

NeuroMemRefI32 memref1D(int32_t *data, int64_t size) {
  int32_t *p = orDummy(data, dummyI32);
  return {p, p, 0, size, 1};
}

NeuroMemRefI64 memref1D(int64_t *data, int64_t size) {
  int64_t *p = orDummy(data, dummyI64);
  return {p, p, 0, size, 1};
}

NeuroMemRefF64 memref1D(double *data, int64_t size) {
  double *p = orDummy(data, dummyF64);
  return {p, p, 0, size, 1};
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Checks one InitSpec; `what` names the row in messages.
bool validateInit(const InitSpec &init, const std::string &what,
                  std::string &err) {
  if (init.kind == InitSpec::Constant)
    return true;
  if (init.kind == InitSpec::Timed) {
    if (init.values && !init.values->empty() && init.every >= 1 &&
        init.columns >= 1 && init.values->size() % size_t(init.columns) == 0)
      return true;
    err = what + ": invalid table of timed values";
    return false;
  }
  if (init.kind == InitSpec::Normal) {
    if (std::isfinite(init.a) && std::isfinite(init.b) && init.b >= 0)
      return true;
    char buf[128];
    std::snprintf(buf, sizeof(buf), "normal(%g, %g)", init.a, init.b);
    err = what + ": invalid " + buf;
    return false;
  }
  if (init.kind != InitSpec::Uniform) {
    err = what + ": unknown init kind " + std::to_string(int(init.kind));
    return false;
  }
  if (!std::isfinite(init.a) || !std::isfinite(init.b) || init.a > init.b) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "uniform(%g, %g)", init.a, init.b);
    err = what + ": invalid " + buf;
    return false;
  }
  return true;
}

/// Checks a list of row names against its inits; `owner` prefixes messages.
bool validateRows(const std::vector<std::string> &rows,
                  const std::vector<InitSpec> &init, const std::string &owner,
                  std::string &err) {
  if (rows.size() != init.size()) {
    err = owner + ": " + std::to_string(init.size()) + " initializers for " +
          std::to_string(rows.size()) + " rows";
    return false;
  }
  if (int64_t(rows.size()) > streams::kMaxRows) {
    err = owner + ": " + std::to_string(rows.size()) + " rows, at most " +
          std::to_string(streams::kMaxRows) + " are supported";
    return false;
  }
  std::set<std::string> seen;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].empty()) {
      err = owner + ": row " + std::to_string(r) + " has no name";
      return false;
    }
    if (!seen.insert(rows[r]).second) {
      err = owner + ": duplicate row '" + rows[r] + "'";
      return false;
    }
    if (!validateInit(init[r], owner + ", row '" + rows[r] + "'", err))
      return false;
  }
  return true;
}

/// Fills `nCols` values starting at `dst` from `init`; random draws come
/// from the Philox stream (seed, stream, column index). Normal values use
/// the Box-Muller transform of the first two uniforms of the column.
/// Row `step / every` (the last after the end) of a timed table.
void fillTimedRow(double *dst, int64_t nCols, const InitSpec &init,
                  int64_t step) {
  int64_t rows = int64_t(init.values->size()) / init.columns;
  int64_t r = std::min(step / init.every, rows - 1);
  const double *src = init.values->data() + r * init.columns;
  for (int64_t c = 0; c < nCols; ++c)
    dst[c] = init.columns == 1 ? src[0] : src[c];
}

void fillRow(double *dst, int64_t nCols, const InitSpec &init, uint64_t seed,
             uint32_t stream) {
  if (init.kind == InitSpec::Timed) {
    fillTimedRow(dst, nCols, init, 0);
    return;
  }
  if (init.kind == InitSpec::Constant) {
    for (int64_t c = 0; c < nCols; ++c)
      dst[c] = init.a;
    return;
  }
  if (init.kind == InitSpec::Normal) {
    const double twoPi = 6.283185307179586;
    for (int64_t c = 0; c < nCols; ++c) {
      PhiloxStream rng(seed, stream, uint64_t(c));
      double u1 = 1.0 - rng.nextUniform(); // (0, 1]: log is finite
      double u2 = rng.nextUniform();
      dst[c] = init.a +
               init.b * std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
    }
    return;
  }
  double width = init.b - init.a;
  for (int64_t c = 0; c < nCols; ++c) {
    PhiloxStream rng(seed, stream, uint64_t(c));
    dst[c] = init.a + width * rng.nextUniform();
  }
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

bool Simulator::validate(std::string &err) const {
  if (!(model.dt > 0) || !std::isfinite(model.dt)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%g", model.dt);
    err = std::string("invalid dt ") + buf + " s: must be positive and finite";
    return false;
  }
  if (model.steps < 0) {
    err = "invalid number of steps " + std::to_string(model.steps);
    return false;
  }
  int64_t nPops = int64_t(model.populations.size());
  int64_t nProjs = int64_t(model.projections.size());
  if (nPops > streams::kMaxObjects || nProjs > streams::kMaxObjects) {
    err = "too many populations or projections (at most " +
          std::to_string(streams::kMaxObjects) + " each)";
    return false;
  }

  std::set<std::string> popNames;
  for (int64_t p = 0; p < nPops; ++p) {
    const PopulationSpec &pop = model.populations[size_t(p)];
    std::string owner = "population " + std::to_string(p);
    if (pop.name.empty()) {
      err = owner + " has no name";
      return false;
    }
    // The name becomes part of output file names.
    if (pop.name.find_first_of("/\\") != std::string::npos ||
        pop.name.find('\0') != std::string::npos || pop.name == "." ||
        pop.name == "..") {
      err = owner + ": invalid name '" + pop.name + "'";
      return false;
    }
    owner = "population '" + pop.name + "'";
    if (!popNames.insert(pop.name).second) {
      err = "duplicate population name '" + pop.name + "'";
      return false;
    }
    if (pop.size <= 0 || pop.size > std::numeric_limits<int32_t>::max()) {
      err = owner + ": invalid size " + std::to_string(pop.size);
      return false;
    }
    if (!validateRows(pop.rows, pop.init, owner, err))
      return false;
    for (int64_t n : pop.ablated)
      if (n < 0 || n >= pop.size) {
        err = owner + ": ablated neuron " + std::to_string(n) + " out of range";
        return false;
      }
    for (const InitSpec &init : pop.init)
      if (init.kind == InitSpec::Timed && init.columns != 1 &&
          init.columns != pop.size) {
        err = owner + ": timed values need 1 column or " +
              std::to_string(pop.size) + ", have " +
              std::to_string(init.columns);
        return false;
      }
    if (pop.generator) {
      for (auto &[step, index] : pop.schedule)
        if (index < 0 || index >= pop.size || step < 0) {
          err = owner + ": scheduled spike of neuron " + std::to_string(index) +
                " at step " + std::to_string(step) + " out of range";
          return false;
        }
      // Sorted, and one spike per neuron and step (not merged silently).
      for (size_t s = 1; s < pop.schedule.size(); ++s)
        if (!(pop.schedule[s - 1] < pop.schedule[s])) {
          const auto &[step, index] = pop.schedule[s];
          err = owner + (pop.schedule[s - 1] == pop.schedule[s]
                             ? ": neuron " + std::to_string(index) +
                                   " is scheduled to spike twice in step " +
                                   std::to_string(step)
                             : ": scheduled spikes are not sorted by step");
          return false;
        }
    } else if (!pop.step) {
      err = owner + ": no step kernel";
      return false;
    }
  }

  std::set<std::string> projNames;
  for (int64_t j = 0; j < nProjs; ++j) {
    const ProjectionSpec &proj = model.projections[size_t(j)];
    std::string owner = proj.name.empty() ? "projection " + std::to_string(j)
                                          : "projection '" + proj.name + "'";
    if (!proj.name.empty() && !projNames.insert(proj.name).second) {
      err = "duplicate projection name '" + proj.name + "'";
      return false;
    }
    if (proj.src < 0 || proj.src >= nPops) {
      err = owner + ": source population index " + std::to_string(proj.src) +
            " out of range (" + std::to_string(nPops) + " populations)";
      return false;
    }
    if (proj.dst < 0 || proj.dst >= nPops) {
      err = owner + ": target population index " + std::to_string(proj.dst) +
            " out of range (" + std::to_string(nPops) + " populations)";
      return false;
    }
    if (!(proj.p >= 0.0 && proj.p <= 1.0)) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%g", proj.p);
      err = owner + ": connection probability " + buf + " not in [0, 1]";
      return false;
    }
    if (proj.delaySteps < 0 || proj.delaySteps > kMaxDelaySteps) {
      err = owner + ": delay of " + std::to_string(proj.delaySteps) +
            " steps not in [0, " + std::to_string(kMaxDelaySteps) + "]";
      return false;
    }
    if (proj.heterogeneousDelay &&
        !validateInit(proj.delayInit, owner + ", delays", err))
      return false;
    {
      int64_t srcSize = model.populations[size_t(proj.src)].size;
      int64_t dstSize = model.populations[size_t(proj.dst)].size;
      int64_t se = proj.srcEnd < 0 ? srcSize : proj.srcEnd;
      int64_t de = proj.dstEnd < 0 ? dstSize : proj.dstEnd;
      if (proj.srcBegin < 0 || se <= proj.srcBegin || se > srcSize ||
          proj.dstBegin < 0 || de <= proj.dstBegin || de > dstSize) {
        err = owner + ": source or target slice out of range";
        return false;
      }
      bool shared = proj.src == proj.dst &&
                    slicesOverlap(proj.srcBegin, se, proj.dstBegin, de);
      bool in = proj.rule == ProjectionSpec::FixedInDegree;
      if ((in || proj.rule == ProjectionSpec::FixedOutDegree) &&
          !checkFixedDegree(in, proj.degree, se - proj.srcBegin,
                            de - proj.dstBegin, proj.allowAutapses || !shared,
                            err)) {
        err = owner + ": " + err;
        return false;
      }
    }
    if (!validateRows(proj.synRows, proj.synInit, owner, err))
      return false;
    for (const InitSpec &init : proj.synInit)
      if (init.kind == InitSpec::Timed) {
        err = owner + ": synapse variables cannot follow timed values";
        return false;
      }
    if (!proj.deliver) {
      err = owner + ": no deliver kernel";
      return false;
    }
    if (proj.rule == ProjectionSpec::Expression && !proj.connect) {
      err = owner + ": no connection kernel";
      return false;
    }
    if (proj.rule == ProjectionSpec::FromFile && proj.file.empty()) {
      err = owner + ": no file of synapses";
      return false;
    }
    for (const ProjectionSpec::Modulator &m : proj.modulators) {
      if (m.population < 0 || m.population >= nPops || m.row < 0 ||
          size_t(m.row) >=
              model.populations[size_t(m.population)].rows.size()) {
        err = owner + ": modulator source out of range";
        return false;
      }
    }
  }

  for (const ModelSpec::PlasticSwitch &sw : model.plasticSwitches)
    if (sw.projection < 0 ||
        size_t(sw.projection) >= model.projections.size() || sw.step < 0) {
      err = "plasticity switch: projection or step out of range";
      return false;
    }
  for (size_t r = 0; r < model.records.size(); ++r) {
    int pop = model.records[r].population;
    if (pop < 0 || pop >= nPops) {
      err = "record " + std::to_string(r) + ": population index " +
            std::to_string(pop) + " out of range (" + std::to_string(nPops) +
            " populations)";
      return false;
    }
  }
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    std::string owner = "state record " + std::to_string(r);
    size_t numRows = 0;
    if (rec.projection >= 0) {
      if (size_t(rec.projection) >= model.projections.size()) {
        err = owner + ": projection out of range";
        return false;
      }
      numRows = model.projections[size_t(rec.projection)].synRows.size();
      if (rec.begin < 0 || (rec.end != -1 && rec.end <= rec.begin)) {
        err = owner + ": invalid synapse range";
        return false;
      }
    } else {
      if (rec.population < 0 || int64_t(rec.population) >= nPops) {
        err = owner + ": population out of range";
        return false;
      }
      const PopulationSpec &pop = model.populations[size_t(rec.population)];
      numRows = pop.rows.size();
      if (rec.begin < 0 || rec.end <= rec.begin || rec.end > pop.size) {
        err = owner + ": invalid neuron range";
        return false;
      }
    }
    if (rec.every < 1 || rec.rows.empty()) {
      err = owner + ": invalid interval or no rows";
      return false;
    }
    for (int row : rec.rows)
      if (row < 0 || size_t(row) >= numRows) {
        err = owner + ": row " + std::to_string(row) + " out of range";
        return false;
      }
  }
  return true;
}

/// Physical memory of the machine in bytes (0 if unknown).
static double physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long pageSize = sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? double(pages) * double(pageSize) : 0.0;
}

/// "delay D s is N steps, more than the 16777216 a delay may have".
static std::string tooLongDelay(double seconds, double dt) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "delay %g s is %.0f steps, more than the %lld a delay may "
                "have",
                seconds, std::round(seconds / dt),
                static_cast<long long>(Simulator::kMaxDelaySteps));
  return buf;
}

bool Simulator::allocate(std::string &err) {
  size_t nPops = model.populations.size();
  size_t nProjs = model.projections.size();

  // Refuse networks that cannot fit rather than let the system kill us:
  // expected state, spike flags, and per synapse a column index, its
  // variables and (per source) a row pointer.
  double bytes = 0.0;
  for (const PopulationSpec &spec : model.populations)
    bytes += double(spec.size) * (8.0 * double(spec.rows.size()) + 1.0);
  for (const ProjectionSpec &spec : model.projections) {
    // Only the slices connect; row pointers cover the whole source.
    double nSrcAll = double(model.populations[size_t(spec.src)].size);
    double nDstAll = double(model.populations[size_t(spec.dst)].size);
    double nSrc = (spec.srcEnd < 0 ? nSrcAll : double(spec.srcEnd)) -
                  double(spec.srcBegin);
    double nDst = (spec.dstEnd < 0 ? nDstAll : double(spec.dstEnd)) -
                  double(spec.dstBegin);
    double nSyn = std::max(0.0, std::min(1.0, spec.p)) * nSrc * nDst;
    if (spec.rule == ProjectionSpec::FixedInDegree)
      nSyn = double(spec.degree) * nDst;
    else if (spec.rule == ProjectionSpec::FixedOutDegree)
      nSyn = double(spec.degree) * nSrc;
    else if (spec.rule == ProjectionSpec::OneToOne)
      nSyn = std::min(nSrc, nDst);
    else if (spec.rule == ProjectionSpec::FromFile ||
             spec.rule == ProjectionSpec::Expression)
      nSyn = 0.0; // known only once built; the allocation itself may fail
    bytes += nSyn * (4.0 + 8.0 * double(spec.synRows.size())) + 8.0 * nSrcAll;
  }
  double available = physicalMemoryBytes();
  if (available > 0 && bytes > 0.8 * available) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer,
                  "the network needs about %.1f GB of memory, more than the "
                  "%.1f GB this machine has",
                  bytes / 1e9, available / 1e9);
    err = buffer;
    return false;
  }

  std::vector<int64_t> maxDelay(nPops, 0);
  for (const ProjectionSpec &proj : model.projections)
    maxDelay[size_t(proj.src)] =
        std::max(maxDelay[size_t(proj.src)], proj.delaySteps);

  pops.resize(nPops);
  for (size_t p = 0; p < nPops; ++p) {
    const PopulationSpec &spec = model.populations[p];
    Population &pop = pops[p];
    int64_t nRows = int64_t(spec.rows.size());
    pop.state.assign(size_t(nRows * spec.size), 0.0);
    for (int64_t r = 0; r < nRows; ++r)
      fillRow(pop.state.data() + r * spec.size, spec.size, spec.init[size_t(r)],
              model.seed, streams::neuronInit(uint32_t(p), uint32_t(r)));
    pop.spiked.assign(size_t(spec.size), 0);
    pop.nextSpikes.clear();
    pop.draws.clear();
    if (spec.driveInputs > 0) {
      pop.drive =
          BinomialSampler(spec.driveInputs, spec.poissonRate * model.dt);
    } else if (spec.generator && spec.poissonRate >= 0) {
      pop.draws.assign(size_t(spec.size), 0);
      for (int64_t i = 0; i < spec.size; ++i)
        schedulePoisson(p, int32_t(i), -1);
    }
    if (spec.initFn) {
      NeuroMemRef2DF64 state = memref2D(pop.state.data(), nRows, spec.size);
      spec.initFn(&state, int64_t(model.seed));
    }
  }

  projs.resize(nProjs);
  for (size_t j = 0; j < nProjs; ++j) {
    const ProjectionSpec &spec = model.projections[j];
    Projection &proj = projs[j];
    int64_t nSrcAll = model.populations[size_t(spec.src)].size;
    int64_t nDstAll = model.populations[size_t(spec.dst)].size;
    // The slices: generators work on [srcBegin, srcEnd) x [dstBegin, dstEnd)
    // with relative indices, embedded into the full populations below.
    int64_t srcBegin = spec.srcBegin,
            srcEnd = spec.srcEnd < 0 ? nSrcAll : spec.srcEnd;
    int64_t dstBegin = spec.dstBegin,
            dstEnd = spec.dstEnd < 0 ? nDstAll : spec.dstEnd;
    int64_t nSrc = srcEnd - srcBegin, nDst = dstEnd - dstBegin;
    // Source i of the slice is target i + selfShift: without autapses the
    // generators skip that pair while drawing (a fixed degree stays exact).
    bool autapses = spec.allowAutapses || spec.src != spec.dst;
    int64_t selfShift = srcBegin - dstBegin;
    uint32_t stream = streams::connectivity(uint32_t(j));
    // FromFile: the listed synapses, and for each synapse of the CSR the
    // row of the file it came from.
    ConnectionList listed;
    std::vector<int64_t> origin;
    proj.explicitDelays.clear();
    proj.order.clear();
    auto stateOf = [&](int pop) {
      const PopulationSpec &ps = model.populations[size_t(pop)];
      return memref2D(pops[size_t(pop)].state.data(), int64_t(ps.rows.size()),
                      ps.size);
    };
    bool full = false; // the CSR already spans the whole populations
    switch (spec.rule) {
    case ProjectionSpec::Expression: {
      // Each pair (i, j) of the slices with the probability the kernel
      // gives: one uniform number per pair, keyed by (i, j).
      NeuroMemRef2DF64 pre = stateOf(spec.src), post = stateOf(spec.dst);
      uint32_t pairs = streams::make(streams::Connectivity, uint32_t(j), 1);
      proj.csr.rowPtr.assign(size_t(nSrcAll) + 1, 0);
      proj.csr.cols.clear();
      for (int64_t i = 0; i < nSrcAll; ++i) {
        if (i >= srcBegin && i < srcEnd)
          for (int64_t t = dstBegin; t < dstEnd; ++t) {
            if (!spec.allowAutapses && spec.src == spec.dst && t == i)
              continue;
            double p = spec.connect(i, t, &pre, &post, int64_t(model.seed));
            if (!(p > 0))
              continue;
            if (p < 1) {
              PhiloxStream rng(model.seed, pairs,
                               uint64_t(i) * uint64_t(nDstAll) + uint64_t(t));
              if (!(rng.nextUniform() < p))
                continue;
            }
            proj.csr.cols.push_back(int32_t(t));
          }
        proj.csr.rowPtr[size_t(i) + 1] = int64_t(proj.csr.cols.size());
      }
      full = true;
      break;
    }
    case ProjectionSpec::FromFile: {
      std::string why;
      if (!readConnections(spec.file,
                           spec.synRows.empty() ? "" : spec.synRows[0], listed,
                           why)) {
        err = "projection '" + spec.name + "': " + why;
        return false;
      }
      size_t n = listed.pre.size();
      for (size_t r = 0; r < n; ++r)
        if (listed.pre[r] >= nSrcAll || listed.post[r] >= nDstAll) {
          err = "projection '" + spec.name + "': " + spec.file + ": row " +
                std::to_string(r + 1) + " joins neurons outside the source (" +
                std::to_string(nSrcAll) + ") or target (" +
                std::to_string(nDstAll) + ")";
          return false;
        }
      for (size_t r = 0; r < listed.delay.size(); ++r)
        if (!(std::round(listed.delay[r] / model.dt) <=
              double(kMaxDelaySteps))) {
          err = "projection '" + spec.name + "': " + spec.file + ": row " +
                std::to_string(r + 1) + ": " +
                tooLongDelay(listed.delay[r], model.dt);
          return false;
        }
      // By source, in file order within each source.
      proj.csr.rowPtr.assign(size_t(nSrcAll) + 1, 0);
      for (int64_t i : listed.pre)
        ++proj.csr.rowPtr[size_t(i) + 1];
      for (int64_t i = 0; i < nSrcAll; ++i)
        proj.csr.rowPtr[size_t(i) + 1] += proj.csr.rowPtr[size_t(i)];
      std::vector<int64_t> next(proj.csr.rowPtr.begin(),
                                proj.csr.rowPtr.end() - 1);
      proj.csr.cols.assign(n, 0);
      origin.assign(n, 0);
      for (size_t r = 0; r < n; ++r) {
        int64_t at = next[size_t(listed.pre[r])]++;
        proj.csr.cols[size_t(at)] = int32_t(listed.post[r]);
        origin[size_t(at)] = int64_t(r);
      }
      if (!listed.delay.empty()) {
        proj.explicitDelays.resize(n);
        for (size_t s = 0; s < n; ++s)
          proj.explicitDelays[s] = listed.delay[size_t(origin[s])];
      }
      break;
    }
    case ProjectionSpec::FixedProbability:
      proj.csr = buildFixedProbability(nSrc, nDst, spec.p, autapses, model.seed,
                                       stream, selfShift);
      break;
    case ProjectionSpec::FixedInDegree:
      proj.csr = buildFixedInDegree(nSrc, nDst, spec.degree, autapses,
                                    model.seed, stream, selfShift);
      break;
    case ProjectionSpec::FixedOutDegree:
      proj.csr = buildFixedOutDegree(nSrc, nDst, spec.degree, autapses,
                                     model.seed, stream, selfShift);
      break;
    case ProjectionSpec::OneToOne:
      proj.csr = buildOneToOne(nSrc, nDst);
      break;
    }
    if (!full && (srcBegin != 0 || nSrc != nSrcAll || dstBegin != 0)) {
      CSR full;
      full.rowPtr.assign(size_t(nSrcAll) + 1, 0);
      full.cols.reserve(proj.csr.cols.size());
      for (int64_t i = 0; i < nSrcAll; ++i) {
        int64_t r = i - srcBegin;
        if (r >= 0 && r < nSrc)
          for (int64_t s = proj.csr.rowPtr[size_t(r)];
               s < proj.csr.rowPtr[size_t(r) + 1]; ++s) {
            int64_t target = proj.csr.cols[size_t(s)] + dstBegin;
            // Overlapping slices of one population: no i -> i if asked
            // (the generators skip it already; one_to_one does not).
            if (!spec.allowAutapses && spec.src == spec.dst && target == i)
              continue;
            full.cols.push_back(int32_t(target));
          }
        full.rowPtr[size_t(i) + 1] = int64_t(full.cols.size());
      }
      proj.csr = std::move(full);
    }
    // Ablated neurons lose their synapses (the file's row map with them).
    const std::vector<int64_t> &deadSrc =
        model.populations[size_t(spec.src)].ablated;
    const std::vector<int64_t> &deadDst =
        model.populations[size_t(spec.dst)].ablated;
    if (!deadSrc.empty() || !deadDst.empty()) {
      auto dead = [](const std::vector<int64_t> &list, int64_t n) {
        return std::binary_search(list.begin(), list.end(), n);
      };
      CSR kept;
      std::vector<int64_t> keptOrigin;
      std::vector<double> keptDelays;
      kept.rowPtr.assign(proj.csr.rowPtr.size(), 0);
      for (size_t i = 0; i + 1 < proj.csr.rowPtr.size(); ++i) {
        for (int64_t q = proj.csr.rowPtr[i]; q < proj.csr.rowPtr[i + 1]; ++q)
          if (!dead(deadSrc, int64_t(i)) &&
              !dead(deadDst, proj.csr.cols[size_t(q)])) {
            kept.cols.push_back(proj.csr.cols[size_t(q)]);
            if (!origin.empty())
              keptOrigin.push_back(origin[size_t(q)]);
            if (!proj.explicitDelays.empty())
              keptDelays.push_back(proj.explicitDelays[size_t(q)]);
          }
        kept.rowPtr[i + 1] = int64_t(kept.cols.size());
      }
      proj.csr = std::move(kept);
      if (!origin.empty())
        origin = std::move(keptOrigin);
      if (!proj.explicitDelays.empty())
        proj.explicitDelays = std::move(keptDelays);
    }
    // Per-synapse initial values given by expressions, in CSR order (with
    // the delays when they are an expression), before grouping by delay.
    int64_t nRows = int64_t(spec.synRows.size());
    std::vector<double> initial;
    if (spec.synInitFn) {
      int64_t n = proj.csr.numSynapses();
      int64_t rows = nRows + (spec.delayFromInit ? 1 : 0);
      initial.assign(size_t(rows * n), 0.0);
      for (int64_t r = 0; r < nRows; ++r)
        fillRow(initial.data() + r * n, n, spec.synInit[size_t(r)], model.seed,
                streams::synapseInit(uint32_t(j), uint32_t(r)));
      std::vector<int32_t> srcs(static_cast<size_t>(n));
      for (size_t i = 0; i + 1 < proj.csr.rowPtr.size(); ++i)
        for (int64_t q = proj.csr.rowPtr[i]; q < proj.csr.rowPtr[i + 1]; ++q)
          srcs[size_t(q)] = int32_t(i);
      NeuroMemRefI32 srcRef = memref1D(srcs.data(), n);
      NeuroMemRefI32 cols = memref1D(proj.csr.cols.data(), n);
      NeuroMemRef2DF64 syn = memref2D(initial.data(), rows, n);
      NeuroMemRef2DF64 pre = stateOf(spec.src), post = stateOf(spec.dst);
      spec.synInitFn(&srcRef, &cols, &syn, &pre, &post, int64_t(model.seed));
      if (spec.delayFromInit) {
        proj.explicitDelays.assign(initial.begin() + nRows * n,
                                   initial.begin() + (nRows + 1) * n);
        for (double d : proj.explicitDelays)
          if (!(d >= 0) || !std::isfinite(d)) {
            err = "projection '" + spec.name + "': a delay expression gave " +
                  std::to_string(d) + " s; delays must be finite and >= 0";
            return false;
          }
      }
    }
    if (!groupByDelay(j, err))
      return false;
    planDeliveryParts(j);
    int64_t nSyn = proj.csr.numSynapses();
    if (spec.deliverPost)
      indexByTarget(j);
    if (spec.needsSources)
      indexSources(j);
    proj.mods.assign(spec.modulators.size() + 1, 0.0);
    proj.mods[0] = spec.plastic ? 1.0 : 0.0;
    proj.syn.assign(size_t(nRows * nSyn), 0.0);
    if (!initial.empty()) {
      for (int64_t r = 0; r < nRows; ++r)
        for (int64_t q = 0; q < nSyn; ++q)
          proj.syn[size_t(r * nSyn + q)] = initial[size_t(
              r * nSyn + (proj.order.empty() ? q : proj.order[size_t(q)]))];
    } else {
      for (int64_t r = 0; r < nRows; ++r)
        fillRow(proj.syn.data() + r * nSyn, nSyn, spec.synInit[size_t(r)],
                model.seed, streams::synapseInit(uint32_t(j), uint32_t(r)));
    }
    if (!listed.weight.empty() && nRows > 0)
      for (int64_t s = 0; s < nSyn; ++s) {
        int64_t before = proj.order.empty() ? s : proj.order[size_t(s)];
        proj.syn[size_t(s)] = listed.weight[size_t(origin[size_t(before)])];
      }
    proj.explicitDelays.clear();
    proj.order.clear();
  }

  // The neurons or synapses each state recording samples.
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    StateRecording &out = stateRecordings[r];
    if (rec.projection >= 0) {
      int64_t nSyn = projs[size_t(rec.projection)].csr.numSynapses();
      out.end = rec.end < 0 ? nSyn : std::min(rec.end, nSyn);
      out.begin = std::min(rec.begin, out.end);
    } else {
      out.begin = rec.begin;
      out.end = rec.end;
    }
  }

  // Delay rings sized by the longest delay leaving each population.
  for (size_t j = 0; j < nProjs; ++j)
    for (int64_t d : projs[j].delays)
      maxDelay[size_t(model.projections[j].src)] =
          std::max(maxDelay[size_t(model.projections[j].src)], d);
  for (size_t p = 0; p < nPops; ++p)
    pops[p].ring = DelayRing(maxDelay[p]);

  for (const RecordSpec &rec : model.records) {
    Population &pop = pops[size_t(rec.population)];
    if (pop.recorded)
      continue;
    pop.recorded = true;
    recordedOrder.push_back(rec.population);
  }
  (void)err;
  return true;
}

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

bool Simulator::groupByDelay(size_t j, std::string &err) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  if (!spec.heterogeneousDelay && proj.explicitDelays.empty()) {
    proj.delays = {spec.delaySteps};
    proj.rowPtrs = {proj.csr.rowPtr};
    return true;
  }
  // Each synapse's delay (given, or drawn in source-major order), rounded
  // to steps.
  std::vector<double> seconds = proj.explicitDelays;
  if (seconds.empty()) {
    seconds.resize(size_t(nSyn));
    fillRow(seconds.data(), nSyn, spec.delayInit, model.seed,
            streams::synapseInit(uint32_t(j), streams::kMaxRows - 1));
  }
  std::vector<int32_t> steps(static_cast<size_t>(nSyn));
  int64_t maxSteps = 0;
  for (int64_t s = 0; s < nSyn; ++s) {
    double d = std::round(std::max(0.0, seconds[size_t(s)]) / model.dt);
    if (!(d <= double(kMaxDelaySteps))) {
      err = "projection '" + spec.name +
            "': " + tooLongDelay(seconds[size_t(s)], model.dt);
      return false;
    }
    steps[size_t(s)] = int32_t(d);
    maxSteps = std::max<int64_t>(maxSteps, steps[size_t(s)]);
  }
  // Stable counting sort by delay keeps source-major, target-sorted order
  // within each delay.
  std::vector<int64_t> start(size_t(maxSteps) + 2, 0);
  for (int32_t d : steps)
    ++start[size_t(d) + 1];
  for (size_t d = 1; d < start.size(); ++d)
    start[d] += start[d - 1];
  std::vector<int64_t> next(start.begin(), start.end() - 1);
  int64_t nSrc = proj.csr.numRows();
  std::vector<int32_t> cols(static_cast<size_t>(nSyn));
  std::vector<int32_t> source(static_cast<size_t>(nSyn));
  std::vector<int64_t> order(static_cast<size_t>(nSyn));
  for (int64_t i = 0; i < nSrc; ++i)
    for (int64_t s = proj.csr.rowPtr[size_t(i)];
         s < proj.csr.rowPtr[size_t(i) + 1]; ++s) {
      int64_t to = next[size_t(steps[size_t(s)])]++;
      cols[size_t(to)] = proj.csr.cols[size_t(s)];
      source[size_t(to)] = int32_t(i);
      order[size_t(to)] = s;
    }
  proj.delays.clear();
  proj.rowPtrs.clear();
  for (int64_t d = 0; d <= maxSteps; ++d) {
    if (start[size_t(d) + 1] == start[size_t(d)])
      continue;
    std::vector<int64_t> rowPtr(size_t(nSrc) + 1, 0);
    for (int64_t s = start[size_t(d)]; s < start[size_t(d) + 1]; ++s)
      ++rowPtr[size_t(source[size_t(s)]) + 1];
    rowPtr[0] = start[size_t(d)];
    for (int64_t i = 0; i < nSrc; ++i)
      rowPtr[size_t(i) + 1] += rowPtr[size_t(i)];
    proj.delays.push_back(d);
    proj.rowPtrs.push_back(std::move(rowPtr));
  }
  proj.csr.cols = std::move(cols);
  proj.csr.rowPtr = {0}; // synapses are no longer grouped by source
  proj.order = std::move(order);
  return true;
}

void Simulator::schedulePoisson(size_t p, int32_t i, int64_t after) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  double prob = spec.poissonRate * model.dt;
  if (!(prob > 0))
    return; // never spikes
  // Bernoulli trials with success probability `prob` in each step: the gap
  // to the next success is geometric, 1 + floor(log(u) / log(1 - prob))
  // for u uniform in (0, 1].
  PhiloxStream rng{model.seed, streams::poissonGaps(uint32_t(p)), uint64_t(i)};
  double u = 1.0 - rng.uniformAt(pop.draws[size_t(i)]++);
  double gap =
      prob >= 1 ? 1.0 : 1.0 + std::floor(std::log(u) / std::log1p(-prob));
  // Beyond any run: leave the neuron out.
  if (!(gap < 4e18))
    return;
  pop.nextSpikes.push_back({after + int64_t(gap), i});
  std::push_heap(pop.nextSpikes.begin(), pop.nextSpikes.end(),
                 std::greater<std::pair<int64_t, int32_t>>());
}

void Simulator::indexByTarget(size_t j) {
  // A stable counting sort: each target's synapses in ascending ids.
  Projection &proj = projs[j];
  int64_t nSyn = proj.csr.numSynapses();
  int64_t nDst = model.populations[size_t(model.projections[j].dst)].size;
  proj.postPtr.assign(size_t(nDst) + 1, 0);
  for (int32_t c : proj.csr.cols)
    ++proj.postPtr[size_t(c) + 1];
  for (int64_t t = 0; t < nDst; ++t)
    proj.postPtr[size_t(t) + 1] += proj.postPtr[size_t(t)];
  std::vector<int64_t> next(proj.postPtr.begin(), proj.postPtr.end() - 1);
  proj.postSyn.resize(size_t(nSyn));
  for (int64_t s = 0; s < nSyn; ++s)
    proj.postSyn[size_t(next[size_t(proj.csr.cols[size_t(s)])]++)] = s;
}

void Simulator::indexSources(size_t j) {
  // Every delay group holds its synapses by source.
  Projection &proj = projs[j];
  proj.srcs.assign(size_t(proj.csr.numSynapses()), 0);
  for (const std::vector<int64_t> &rowPtr : proj.rowPtrs)
    for (size_t i = 0; i + 1 < rowPtr.size(); ++i)
      for (int64_t s = rowPtr[i]; s < rowPtr[i + 1]; ++s)
        proj.srcs[size_t(s)] = int32_t(i);
}

void Simulator::planDeliveryParts(size_t j) {
  const ProjectionSpec &spec = model.projections[j];
  Projection &proj = projs[j];
  proj.parts = 1;
  proj.partPtrs.clear();
  int64_t nDst = model.populations[size_t(spec.dst)].size;
  int64_t parts = std::min(nDst / kTargetsPerPart, kMaxParts);
  if (!spec.partitionable || parts < 2)
    return;
  const std::vector<int32_t> &cols = proj.csr.cols;
  // Each row must hold its targets in order; rows from a file may not.
  for (const std::vector<int64_t> &rowPtr : proj.rowPtrs)
    for (size_t i = 0; i + 1 < rowPtr.size(); ++i)
      for (int64_t q = rowPtr[i] + 1; q < rowPtr[i + 1]; ++q)
        if (cols[size_t(q - 1)] > cols[size_t(q)])
          return;
  int64_t chunk = (nDst + parts - 1) / parts;
  for (const std::vector<int64_t> &rowPtr : proj.rowPtrs) {
    size_t nSrc = rowPtr.size() - 1;
    std::vector<int64_t> ptr(nSrc * size_t(parts + 1));
    for (size_t i = 0; i < nSrc; ++i) {
      auto first = cols.begin() + rowPtr[i],
           last = cols.begin() + rowPtr[i + 1];
      for (int64_t p = 0; p <= parts; ++p)
        ptr[i * size_t(parts + 1) + size_t(p)] =
            std::lower_bound(first, last, int32_t(std::min(p * chunk, nDst))) -
            cols.begin();
    }
    proj.partPtrs.push_back(std::move(ptr));
  }
  proj.parts = parts;
  proj.partChunk = chunk;
}

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

void Simulator::sampleStates(int64_t k) {
  for (size_t r = 0; r < model.stateRecords.size(); ++r)
    if (k % model.stateRecords[r].every == 0)
      sampleState(r, k);
}

void Simulator::sampleState(size_t r, int64_t k) {
  const StateRecordSpec &rec = model.stateRecords[r];
  StateRecording &rr = stateRecordings[r];
  rr.times.push_back(double(k) * model.dt);
  // Samples of the rows the kernels update (float32 ones widen exactly).
  auto append = [&](const auto *rows, int64_t cols) {
    for (int row : rec.rows)
      rr.values.insert(rr.values.end(), rows + row * cols + rr.begin,
                       rows + row * cols + rr.end);
  };
  if (rec.projection >= 0) {
    const Projection &proj = projs[size_t(rec.projection)];
    int64_t nSyn = proj.csr.numSynapses();
    if (single())
      append(proj.syn32.data(), nSyn);
    else
      append(proj.syn.data(), nSyn);
    return;
  }
  const PopulationSpec &spec = model.populations[size_t(rec.population)];
  const Population &pop = pops[size_t(rec.population)];
  if (single())
    append(pop.state32.data(), spec.size);
  else
    append(pop.state.data(), spec.size);
}

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

void Simulator::doStep(int64_t k) {
  size_t nPops = pops.size();
  hostStale = single();
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

  // Views of a projection's buffers for its kernels.
  struct SynapseArgs {
    NeuroMemRefI32 srcs, cols;
    NeuroMemRef2DF64 syn, post, pre;
    NeuroMemRefF64 mods;
  };
  auto synapseArgs = [&](size_t j) {
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
  };

  // (0): summed drives and clock-driven synapse equations, from the state
  // at the start of the step.
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    if (!spec.update)
      continue;
    SynapseArgs a = synapseArgs(j);
    spec.update(&a.srcs, &a.cols, &a.syn, &a.post, &a.pre, &a.mods, k);
  }

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

namespace {
/// A row of double or (single precision) float values, read as doubles.
struct RowValues {
  const double *d = nullptr;
  const float *f = nullptr;
  double operator[](int64_t i) const { return f ? double(f[i]) : d[i]; }
};
} // namespace

bool Simulator::checkFinite(std::string &err, bool constantSynapses) const {
  // The rows the kernels update.
  auto rowOf = [&](const AlignedVector<double> &d,
                   const AlignedVector<float> &f, int64_t offset) {
    return single() ? RowValues{nullptr, f.data() + offset}
                    : RowValues{d.data() + offset, nullptr};
  };
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.rows.size(); ++r) {
      const std::string &row = spec.rows[r];
      if (!row.empty() && row[0] == '_')
        continue;
      RowValues values =
          rowOf(pops[p].state, pops[p].state32, int64_t(r) * spec.size);
      for (int64_t i = 0; i < spec.size; ++i) {
        if (std::isfinite(values[i]))
          continue;
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%g", currentTime());
        err = "numerical error: population '" + spec.name + "', neuron " +
              std::to_string(i) + ", variable '" + row + "' is " +
              (std::isnan(values[i]) ? "nan" : "inf") + " at t = " + buf + " s";
        return false;
      }
    }
  }
  for (size_t j = 0; j < projs.size(); ++j) {
    const ProjectionSpec &spec = model.projections[j];
    const Projection &proj = projs[j];
    if (!spec.synapsesWritten && !constantSynapses)
      continue;
    int64_t nSyn = proj.csr.numSynapses();
    for (size_t r = 0; r < spec.synRows.size(); ++r) {
      const std::string &row = spec.synRows[r];
      if (!row.empty() && row[0] == '_')
        continue;
      RowValues values = rowOf(proj.syn, proj.syn32, int64_t(r) * nSyn);
      for (int64_t s = 0; s < nSyn; ++s) {
        bool wrongSign =
            int(r) == spec.weightRow && (spec.sign > 0   ? values[s] < 0
                                         : spec.sign < 0 ? values[s] > 0
                                                         : false);
        if (std::isfinite(values[s]) && !wrongSign)
          continue;
        // The source of synapse s: the row of its delay group holding it.
        int64_t source = -1;
        for (const std::vector<int64_t> &rowPtr : proj.rowPtrs)
          if (s >= rowPtr.front() && s < rowPtr.back())
            source = int64_t(std::upper_bound(rowPtr.begin(), rowPtr.end(), s) -
                             rowPtr.begin()) -
                     1;
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%g", currentTime());
        if (wrongSign) {
          char value[64];
          std::snprintf(value, sizeof(value), "%g", values[s]);
          err = "Dale's law: projection '" + spec.name + "', synapse " +
                std::to_string(s) + " (neuron " + std::to_string(source) +
                " of '" + model.populations[size_t(spec.src)].name +
                "' -> neuron " + std::to_string(proj.csr.cols[size_t(s)]) +
                " of '" + model.populations[size_t(spec.dst)].name +
                "'), weight '" + row + "' is " + value + " at t = " + buf +
                " s, but '" + model.populations[size_t(spec.src)].name +
                "' is " + (spec.sign > 0 ? "excitatory" : "inhibitory");
          return false;
        }
        err = "numerical error: projection '" + spec.name + "', synapse " +
              std::to_string(s) + " (neuron " + std::to_string(source) +
              " of '" + model.populations[size_t(spec.src)].name +
              "' -> neuron " + std::to_string(proj.csr.cols[size_t(s)]) +
              " of '" + model.populations[size_t(spec.dst)].name +
              "'), variable '" + row + "' is " +
              (std::isnan(values[s]) ? "nan" : "inf") + " at t = " + buf + " s";
        return false;
      }
    }
  }
  return true;
}

bool Simulator::checkPropagators(std::string &err) const {
  // Rows _P<k>_<j> / _Q<k>_<j> hold exact propagators per neuron.
  for (size_t p = 0; p < pops.size(); ++p) {
    const PopulationSpec &spec = model.populations[p];
    for (size_t r = 0; r < spec.rows.size(); ++r) {
      const std::string &row = spec.rows[r];
      if (row.size() < 3 || row[0] != '_' || (row[1] != 'P' && row[1] != 'Q') ||
          !std::isdigit(static_cast<unsigned char>(row[2])))
        continue;
      const double *values = pops[p].state.data() + int64_t(r) * spec.size;
      for (int64_t i = 0; i < spec.size; ++i)
        if (!std::isfinite(values[i])) {
          err = "population '" + spec.name + "', neuron " + std::to_string(i) +
                ": the exact propagator of its equations is not finite; "
                "check its per-neuron parameters (a time constant of 0?)";
          return false;
        }
    }
  }
  return true;
}

static bool outputDirectory(const std::string &dir, std::filesystem::path &base,
                            std::string &err) {
  namespace fs = std::filesystem;
  base = dir.empty() ? fs::path(".") : fs::path(dir);
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec || !fs::is_directory(base, ec)) {
    err = "cannot create directory '" + base.string() + "'";
    if (ec)
      err += ": " + ec.message();
    return false;
  }
  return true;
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

size_t Simulator::bufferedBytes() const {
  size_t bytes = 0;
  for (const Population &pop : pops)
    bytes += pop.spikes.size() * sizeof(SpikeRecord);
  for (const StateRecording &r : stateRecordings)
    bytes += (r.values.size() + r.times.size()) * sizeof(double);
  return bytes;
}

bool Simulator::streamTo(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (!built) {
    err = "cannot stream recordings of model '" + model.name + "': not built";
    return false;
  }
  try {
    fs::path base;
    if (!outputDirectory(dir, base, err))
      return false;
    spikeStreams.clear();
    spikeStreams.resize(pops.size());
    for (int pop : recordedOrder) {
      auto stream = std::make_unique<NpyStream>();
      fs::path file =
          base / ("spikes_" + model.populations[size_t(pop)].name + ".npy");
      if (!stream->open(file.string(), "[('i', '<i4'), ('t', '<f8')]", {}, 12,
                        err))
        return false;
      spikeStreams[size_t(pop)] = std::move(stream);
    }
    stateStreams.clear();
    for (size_t r = 0; r < model.stateRecords.size(); ++r) {
      const StateRecordSpec &rec = model.stateRecords[r];
      const StateRecording &data = stateRecordings[r];
      int64_t width = data.end - data.begin;
      const std::vector<std::string> &rows = recordRows(rec);
      std::string prefix = recordOwner(rec) + "_";
      std::vector<std::unique_ptr<NpyStream>> streams;
      streams.push_back(std::make_unique<NpyStream>());
      if (!streams.back()->open((base / (prefix + "t.npy")).string(), "'<f8'",
                                {}, sizeof(double), err))
        return false;
      for (int row : rec.rows) {
        streams.push_back(std::make_unique<NpyStream>());
        if (!streams.back()->open(
                (base / (prefix + rows[size_t(row)] + ".npy")).string(),
                "'<f8'", {width}, size_t(width) * sizeof(double), err))
          return false;
      }
      stateStreams.push_back(std::move(streams));
      if (rec.projection >= 0 &&
          !writeSynapseEnds(base.string(), prefix, r, err))
        return false;
    }
    if (!writeRecordingsJson(base.string(), err))
      return false;
  } catch (const std::exception &e) {
    err = "cannot stream recordings to '" + dir + "': " + e.what();
    return false;
  }
  streamDir = dir.empty() ? "." : dir;
  lastFlush = std::chrono::steady_clock::now();
  // Whatever was recorded before (by an earlier run()) goes out first.
  return flushStreams(err);
}

bool Simulator::flushStreams(std::string &err) {
  lastFlush = std::chrono::steady_clock::now();
  std::vector<char> packed;
  for (size_t p = 0; p < pops.size(); ++p) {
    if (p >= spikeStreams.size() || !spikeStreams[p])
      continue;
    std::vector<SpikeRecord> &spikes = pops[p].spikes;
    packed.resize(spikes.size() * 12);
    for (size_t n = 0; n < spikes.size(); ++n) {
      std::memcpy(packed.data() + 12 * n, &spikes[n].i, 4);
      std::memcpy(packed.data() + 12 * n + 4, &spikes[n].t, 8);
    }
    if (!spikeStreams[p]->append(packed.data(), int64_t(spikes.size()), err) ||
        !spikeStreams[p]->sync(err))
      return false;
    spikes.clear();
  }
  for (size_t r = 0; r < stateStreams.size(); ++r) {
    StateRecording &data = stateRecordings[r];
    std::vector<std::unique_ptr<NpyStream>> &streams = stateStreams[r];
    size_t samples = data.times.size();
    size_t width = size_t(data.end - data.begin);
    size_t vars = streams.size() - 1;
    std::vector<double> block(samples * width);
    for (size_t v = 0; v < vars; ++v) {
      for (size_t s = 0; s < samples; ++s)
        std::copy_n(data.values.data() + (s * vars + v) * width, width,
                    block.data() + s * width);
      if (!streams[v + 1]->append(block.data(), int64_t(samples), err) ||
          !streams[v + 1]->sync(err))
        return false;
    }
    // The times last: a reader that sees a time sees its values.
    if (!streams[0]->append(data.times.data(), int64_t(samples), err) ||
        !streams[0]->sync(err))
      return false;
    data.times.clear();
    data.values.clear();
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

bool Simulator::writeStates(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (isStreaming())
    return flushStreams(err);
  if (model.stateRecords.empty())
    return true;
  try {
    fs::path base;
    if (!outputDirectory(dir, base, err))
      return false;
    for (size_t r = 0; r < model.stateRecords.size(); ++r) {
      const StateRecordSpec &rec = model.stateRecords[r];
      const StateRecording &data = stateRecordings[r];
      size_t samples = data.times.size();
      size_t width = size_t(data.end - data.begin);
      const std::vector<std::string> &rows = recordRows(rec);
      std::string prefix = recordOwner(rec) + "_";
      if (!writeNpyF64((base / (prefix + "t.npy")).string(), data.times.data(),
                       {int64_t(samples)}, err))
        return false;
      if (rec.projection >= 0 &&
          !writeSynapseEnds(base.string(), prefix, r, err))
        return false;
      for (size_t v = 0; v < rec.rows.size(); ++v) {
        std::vector<double> block(samples * width);
        for (size_t s = 0; s < samples; ++s)
          std::copy_n(data.values.data() + (s * rec.rows.size() + v) * width,
                      width, block.data() + s * width);
        fs::path file = base / (prefix + rows[size_t(rec.rows[v])] + ".npy");
        if (!writeNpyF64(file.string(), block.data(),
                         {int64_t(samples), int64_t(width)}, err))
          return false;
      }
    }
    if (!writeRecordingsJson(base.string(), err))
      return false;
  } catch (const std::exception &e) {
    err = "cannot write states to '" + dir + "': " + e.what();
    return false;
  }
  return true;
}

bool Simulator::writeSynapseEnds(const std::string &base,
                                 const std::string &prefix, size_t r,
                                 std::string &err) const {
  // Which synapses the columns are: their source and target neurons, so
  // that recorded weights can be saved as a connection table.
  namespace fs = std::filesystem;
  const StateRecording &data = stateRecordings[r];
  const Projection &proj = projs[size_t(model.stateRecords[r].projection)];
  size_t width = size_t(data.end - data.begin);
  std::vector<int64_t> pre(width), post(width);
  for (size_t c = 0; c < width; ++c) {
    int64_t syn = data.begin + int64_t(c);
    pre[c] = synapseSource(proj, syn);
    post[c] = proj.csr.cols[size_t(syn)];
  }
  return writeNpyI64((fs::path(base) / (prefix + "pre.npy")).string(),
                     pre.data(), {int64_t(width)}, err) &&
         writeNpyI64((fs::path(base) / (prefix + "post.npy")).string(),
                     post.data(), {int64_t(width)}, err);
}

const std::string &Simulator::recordOwner(const StateRecordSpec &rec) const {
  return rec.projection >= 0 ? model.projections[size_t(rec.projection)].name
                             : model.populations[size_t(rec.population)].name;
}

const std::vector<std::string> &
Simulator::recordRows(const StateRecordSpec &rec) const {
  return rec.projection >= 0 ? model.projections[size_t(rec.projection)].synRows
                             : model.populations[size_t(rec.population)].rows;
}

bool Simulator::writeRecordingsJson(const std::string &base,
                                    std::string &err) const {
  auto unit = [](const std::vector<std::string> &units, size_t row) {
    return row < units.size() ? units[row] : std::string();
  };
  std::ostringstream os;
  os.precision(17);
  os << "{\n  \"network\": " << jsonString(model.name)
     << ",\n  \"dt_s\": " << model.dt << ",\n  \"steps\": " << model.steps
     << ",\n  \"seed\": " << model.seed << ",\n  \"populations\": {";
  for (size_t p = 0; p < model.populations.size(); ++p)
    os << (p ? ", " : "") << jsonString(model.populations[p].name)
       << ": {\"neurons\": " << model.populations[p].size << "}";
  os << "},\n  \"files\": {";
  bool first = true;
  auto entry = [&](const std::string &file) {
    os << (first ? "\n    " : ",\n    ") << jsonString(file) << ": ";
    first = false;
  };
  for (int pop : recordedOrder) {
    const std::string &name = model.populations[size_t(pop)].name;
    entry("spikes_" + name + ".npy");
    os << "{\"kind\": \"spikes\", \"population\": " << jsonString(name)
       << ", \"fields\": {\"i\": \"neuron\", \"t\": \"s\"}}";
  }
  for (size_t r = 0; r < model.stateRecords.size(); ++r) {
    const StateRecordSpec &rec = model.stateRecords[r];
    const StateRecording &data = stateRecordings[r];
    bool syn = rec.projection >= 0;
    const std::string &owner = recordOwner(rec);
    const std::vector<std::string> &rows = recordRows(rec);
    const std::vector<std::string> &units =
        syn ? model.projections[size_t(rec.projection)].synUnits
            : model.populations[size_t(rec.population)].units;
    std::string of =
        std::string(syn ? "\"projection\": " : "\"population\": ") +
        jsonString(owner);
    entry(owner + "_t.npy");
    os << "{\"kind\": \"sample times\", " << of
       << ", \"unit\": \"s\", \"every_steps\": " << rec.every << "}";
    if (syn)
      for (const char *end : {"pre", "post"}) {
        entry(owner + "_" + end + ".npy");
        os << "{\"kind\": \"synapse " << (end[1] == 'r' ? "sources" : "targets")
           << "\", " << of << "}";
      }
    for (int row : rec.rows) {
      entry(owner + "_" + rows[size_t(row)] + ".npy");
      os << "{\"kind\": " << (syn ? "\"synapse variable\"" : "\"state\"")
         << ", " << of << ", \"variable\": " << jsonString(rows[size_t(row)])
         << ", \"unit\": " << jsonString(unit(units, size_t(row)))
         << ", \"shape\": [\"samples\", "
         << (syn ? "\"synapses\"" : "\"neurons\"") << "], "
         << (syn ? "\"synapses\": [" : "\"neurons\": [") << data.begin << ", "
         << data.end << "], \"times\": " << jsonString(owner + "_t.npy") << "}";
    }
  }
  os << "\n  }\n}\n";
  std::string path = (std::filesystem::path(base) / "recordings.json").string();
  std::FILE *f = std::fopen(path.c_str(), "wb");
  std::string text = os.str();
  if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
    if (f)
      std::fclose(f);
    err = "cannot write '" + path + "'";
    return false;
  }
  if (std::fclose(f) != 0) {
    err = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool Simulator::writeSpikes(const std::string &dir, std::string &err) {
  namespace fs = std::filesystem;
  if (isStreaming())
    return flushStreams(err);
  if (!built) {
    err = "cannot write spikes of model '" + model.name + "': not built";
    return false;
  }
  try {
    fs::path base;
    if (!outputDirectory(dir, base, err))
      return false;
    for (int pop : recordedOrder) {
      fs::path file =
          base / ("spikes_" + model.populations[size_t(pop)].name + ".npy");
      if (!writeSpikesNpy(file.string(), pops[size_t(pop)].spikes, err))
        return false;
    }
    if (!writeRecordingsJson(base.string(), err))
      return false;
  } catch (const std::exception &e) {
    err = "cannot write spikes to '" + dir + "': " + e.what();
    return false;
  }
  return true;
}

bool Simulator::recordSpikes(int pop) {
  if (!built || pop < 0 || size_t(pop) >= pops.size())
    return false;
  if (!pops[size_t(pop)].recorded) {
    pops[size_t(pop)].recorded = true;
    recordedOrder.push_back(pop);
    model.records.push_back({pop});
  }
  return true;
}

bool Simulator::recordStates(const StateRecordSpec &record, std::string &err) {
  if (!built || isStreaming()) {
    err = "recordings can be added to a built network that is not streaming";
    return false;
  }
  if (record.population < 0 || size_t(record.population) >= pops.size() ||
      record.projection >= 0) {
    err = "no such population";
    return false;
  }
  const PopulationSpec &spec = model.populations[size_t(record.population)];
  for (int row : record.rows)
    if (row < 0 || size_t(row) >= spec.rows.size()) {
      err = "no such variable";
      return false;
    }
  if (record.begin < 0 || record.end > spec.size ||
      record.begin >= record.end || record.every < 1 || record.rows.empty()) {
    err = "neurons [" + std::to_string(record.begin) + ", " +
          std::to_string(record.end) + ") are not a range of 0.." +
          std::to_string(spec.size);
    return false;
  }
  model.stateRecords.push_back(record);
  StateRecording r;
  r.begin = record.begin;
  r.end = record.end;
  stateRecordings.push_back(std::move(r));
  return true;
}
