//===- Run.cpp - Build, run and report a compiled network -----------------===//

#include "neuro/Runtime/Run.h"
#include "RunInternal.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/OptionNames.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Simulator.h"
#include "neuro/Runtime/Units.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <optional>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

using namespace neuro::rt;

namespace {

std::string format(const char *spec, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), spec, value);
  return buf;
}

} // namespace

std::string neuro::rt::jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      // Control characters (a tab in a folder's name) as JSON requires.
      char code[8];
      std::snprintf(code, sizeof(code), "\\u%04x", unsigned(c));
      out += code;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool neuro::rt::parseDuration(const std::string &text, double &seconds,
                              std::string &err) {
  double value = 0;
  Dim dim;
  bool unit = false;
  if (!parseQuantity(text, value, dim, unit, err)) {
    if (err.find("not a number") != std::string::npos)
      err = quoted(text) + " is not a time such as 2 s or 500 ms";
    return false;
  }
  // A bare number has no unit to say whether it is seconds or
  // milliseconds; only zero means the same in both.
  if (!unit && value != 0) {
    err =
        quoted(text) + " has no unit: write " + text + " s or " + text + " ms";
    return false;
  }
  if (unit && dim != Dim::time()) {
    err = quoted(text) + " is not a time: it is in " + dim.str();
    return false;
  }
  if (!(value >= 0)) {
    err = "a time must not be negative, got " + quoted(text);
    return false;
  }
  seconds = value;
  return true;
}

std::string neuro::rt::SetAdvice::with(const std::string &text,
                                       const std::string &name) {
  return OptionNames::with(text, shortened(name));
}

bool neuro::rt::applySet(ModelSpec &spec, const std::string &name,
                         const std::string &text, std::string &err,
                         const SetAdvice &advice) {
  std::string compileIn = SetAdvice::with(advice.compileIn, name);
  std::string tunable = SetAdvice::with(advice.tunable, name);
  auto dot = name.find('.');
  if (dot == std::string::npos) {
    err = quoted(name) +
          " is not a variable of a population or projection (POP.VAR); a "
          "network's parameters are compiled in: give one another value "
          "with " +
          compileIn;
    return false;
  }
  std::string pop = name.substr(0, dot), var = name.substr(dot + 1);
  for (ProjectionSpec &p : spec.projections) {
    if (p.name != pop)
      continue;
    for (size_t r = 0; r < p.synRows.size(); ++r) {
      if (p.synRows[r] != var || var[0] == '_')
        continue;
      double value = 0;
      if (!parseQuantityOf(text, r < p.synUnits.size() ? p.synUnits[r] : "",
                           quoted(name), value, err))
        return false;
      p.synInit[r] = InitSpec::constant(value);
      return true;
    }
    err = quoted(name) +
          " is not a variable of the projection's synapses that a built "
          "program can set (a constant weight and the synapse's parameters "
          "are compiled in: make a weight settable with " +
          tunable + ", or compile another value with " + compileIn + ")";
    return false;
  }
  for (PopulationSpec &p : spec.populations) {
    if (p.name != pop)
      continue;
    if (p.generator && p.rows.empty()) {
      err = quoted(pop) +
            " is an input population (PoissonInput, PoissonDrive, "
            "SpikeTimes): its rate or spike times are fixed in the model; "
            "it has no variable to set";
      return false;
    }
    for (size_t r = 0; r < p.rows.size(); ++r) {
      if (p.rows[r] != var || var[0] == '_')
        continue;
      if (std::find(p.derived.begin(), p.derived.end(), var) !=
          p.derived.end()) {
        err = quoted(name) +
              " is computed from other parameters of the model; set those, "
              "or make it settable itself with " +
              tunable;
        return false;
      }
      if (p.isSampled(var)) {
        err = quoted(name) +
              " is a let, computed from the states whenever it is sampled; "
              "set what it reads";
        return false;
      }
      if (std::find(p.computed.begin(), p.computed.end(), var) !=
          p.computed.end()) {
        err = quoted(name) +
              " starts from an expression the program computes per neuron, "
              "which other starting values may read; give it a value with " +
              SetAdvice::with(advice.buildSet, name) + ", or in the model";
        return false;
      }
      double value = 0;
      if (!parseQuantityOf(text, r < p.units.size() ? p.units[r] : "",
                           quoted(name), value, err))
        return false;
      p.init[r] = InitSpec::constant(value);
      return true;
    }
    err = quoted(name) +
          " is not a state or a parameter built to be set; "
          "parameters are compiled into the kernels (make one settable with " +
          tunable + ")";
    return false;
  }
  err = "no population or projection " + quoted(pop);
  return false;
}

namespace {

/// `--set` together with `--restore`: the values replace the checkpoint's
/// (a state, or a parameter kept as a row), so a restored run can go on
/// with another parameter.
bool setRestored(Simulator &sim,
                 const std::vector<std::pair<std::string, std::string>> &sets,
                 std::string &err) {
  // applySet has checked the names: each is a population's row or a
  // projection's synapse row.
  for (const auto &[name, text] : sets) {
    auto dot = name.find('.');
    std::string owner = name.substr(0, dot), var = name.substr(dot + 1);
    double value = 0;
    if (int j = sim.projectionIndex(owner); j >= 0) {
      const ProjectionSpec &proj = sim.spec().projections[size_t(j)];
      int r = sim.synRowIndex(j, var);
      if (r < 0 || !sim.checkStored(j, err) ||
          !parseQuantityOf(
              text,
              size_t(r) < proj.synUnits.size() ? proj.synUnits[size_t(r)] : "",
              quoted(name), value, err))
        return false;
      StateView syn = sim.synapseState(j);
      std::fill(syn.row(r), syn.row(r) + syn.cols, value);
      continue;
    }
    int p = sim.populationIndex(owner);
    int r = p < 0 ? -1 : sim.rowIndex(p, var);
    if (r < 0) {
      err = "no variable " + quoted(name) + " to set after the restore";
      return false;
    }
    const PopulationSpec &pop = sim.spec().populations[size_t(p)];
    if (!parseQuantityOf(
            text, size_t(r) < pop.units.size() ? pop.units[size_t(r)] : "",
            quoted(name), value, err))
      return false;
    StateView state = sim.state(p);
    std::fill(state.row(r), state.row(r) + state.cols, value);
    if (!sim.rowsChanged(p, r, err))
      return false;
  }
  return true;
}

/// Whether to show progress: as the options say, else on a terminal.
void progressSetting(const RunOptions &options, bool &show, double &after) {
  after = options.progressAfter;
  if (options.progress) {
    show = *options.progress;
    if (show)
      after = 0;
  } else {
    show = isatty(2) != 0;
  }
}

/// The peak resident memory of this process so far, in bytes (0 if
/// unknown).
int64_t peakResidentBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  return int64_t(usage.ru_maxrss) * 1024; // kilobytes on Linux
}

/// The figures of the whole network, over every process of the run.
struct Totals {
  int ranks = 1;
  int64_t synapses = 0, events = 0, bytes = 0;
  /// The state rows of all processes, and the most one process keeps.
  int64_t stateBytes = 0, stateBytesMax = 0;
  /// The largest peak resident memory of a process, in bytes.
  int64_t peakRss = 0;
  double tComm = 0;
  /// The spike exchange ("": one process) and the bytes it delivered to
  /// all processes together.
  std::string exchange;
  int64_t exchangeBytes = 0;
  /// Steps between overlapped exchanges (0: each exchange blocks).
  int64_t overlapSteps = 0;

  /// Sums over the processes (collective); `eventsBefore` of this one.
  Totals(const Simulator &sim, int64_t eventsBefore) {
    Comm *comm = sim.processes();
    synapses = sim.numSynapses();
    events = sim.synapticEvents() - eventsBefore;
    bytes = sim.synapseBytes();
    stateBytes = stateBytesMax = sim.stateBytes();
    peakRss = peakResidentBytes();
    if (!comm)
      return;
    ranks = comm->size();
    synapses = comm->sum(synapses);
    events = comm->sum(events);
    bytes = comm->sum(bytes);
    stateBytes = comm->sum(stateBytes);
    stateBytesMax = int64_t(comm->max(double(stateBytesMax)));
    peakRss = int64_t(comm->max(double(peakRss)));
    tComm = comm->max(comm->seconds());
    if (const Distribution *dist = sim.distribution()) {
      exchange = Distribution::name(dist->exchangeKind());
      exchangeBytes = comm->sum(dist->receivedBytes());
      overlapSteps = dist->overlapped();
    }
  }
};

/// What runModel reports: this run's spikes, rates and events (a restored
/// run counts from its checkpoint).
struct Report {
  const Simulator &sim;
  const RunOptions &options;
  const std::string &network, &device;
  bool records;
  const std::vector<int64_t> &spikesBefore;
  const Totals &totals;
  double startTime;

  int64_t spikes(size_t pop) const {
    return sim.spikeCount(static_cast<int>(pop)) - spikesBefore[pop];
  }
  /// The spikes and neurons of the network; a Poisson drive's inputs are
  /// not neurons of it.
  int64_t totalSpikes() const {
    int64_t total = 0;
    for (size_t i = 0; i < spikesBefore.size(); ++i)
      if (!sim.spec().populations[i].driveInputs)
        total += spikes(i);
    return total;
  }
  int64_t neurons() const {
    int64_t total = 0;
    for (const PopulationSpec &p : sim.spec().populations)
      if (!p.driveInputs)
        total += p.size;
    return total;
  }
  /// The inputs of a population: its neurons, or a drive's inputs.
  int64_t inputs(const PopulationSpec &p) const {
    return p.driveInputs ? p.size * p.driveInputs : p.size;
  }
  double duration() const { return double(sim.spec().steps) * sim.spec().dt; }
  double rate(int64_t count, int64_t n) const {
    return n > 0 && duration() > 0 ? double(count) / (double(n) * duration())
                                   : 0.0;
  }
};

void reportJson(std::ostream &os, const Report &r) {
  const ModelSpec &spec = r.sim.spec();
  const Simulator &sim = r.sim;
  int64_t spikes = r.totalSpikes(), neurons = r.neurons();
  os << "{\"network\": " << jsonString(r.network)
     << ", \"neurons\": " << neurons << ", \"synapses\": " << r.totals.synapses
     << ", \"spikes\": " << spikes
     << ", \"rate_hz\": " << format("%.6g", r.rate(spikes, neurons))
     << ", \"t_compile_s\": " << format("%.6f", r.options.tCompile)
     << ", \"t_build_s\": " << format("%.6f", sim.tBuild())
     << ", \"t_sim_s\": " << format("%.6f", sim.tSim())
     << ", \"synaptic_events\": " << r.totals.events
     << ", \"bytes_per_synapse\": "
     << format("%.2f", r.totals.synapses
                           ? double(r.totals.bytes) / double(r.totals.synapses)
                           : 0.0)
     << ", \"procedural\": [";
  for (size_t j = 0, n = 0; j < spec.projections.size(); ++j)
    if (sim.isProcedural(int(j)))
      os << (n++ ? ", " : "") << jsonString(spec.projections[j].name);
  os << "], \"dt_s\": " << format("%.6g", spec.dt)
     << ", \"t_start_s\": " << format("%.6g", r.startTime)
     << ", \"steps\": " << spec.steps << ", \"seed\": " << spec.seed
     << ", \"threads\": " << sim.threads() << ", \"precision\": " << '"'
     << precisionName(spec) << '"';
  if (!r.device.empty())
    os << ", \"device\": " << jsonString(r.device)
       << ", \"kernel_launches\": " << sim.kernelLaunches();
  if (!r.options.cache.empty())
    os << ", \"cache\": " << jsonString(r.options.cache);
  os << ", \"ranks\": " << r.totals.ranks
     << ", \"t_comm_s\": " << format("%.6f", r.totals.tComm)
     << ", \"exchange\": "
     << (r.totals.exchange.empty() ? "null" : jsonString(r.totals.exchange))
     << ", \"exchange_bytes\": " << r.totals.exchangeBytes
     << ", \"exchange_overlap_steps\": " << r.totals.overlapSteps
     << ", \"synapse_bytes\": " << r.totals.bytes
     << ", \"state_bytes\": " << r.totals.stateBytes
     << ", \"state_bytes_max_rank\": " << r.totals.stateBytesMax
     << ", \"build_threads\": " << sim.buildThreads()
     << ", \"build_synapses_per_s\": "
     << format("%.6g", sim.tBuild() > 0
                           ? double(r.totals.synapses) / sim.tBuild()
                           : 0.0)
     << ", \"peak_rss_bytes\": " << r.totals.peakRss;
  os << ", \"populations\": {";
  for (size_t i = 0; i < spec.populations.size(); ++i) {
    const PopulationSpec &p = spec.populations[i];
    int64_t s = r.spikes(i);
    os << (i ? ", " : "") << jsonString(p.name) << ": {";
    if (p.driveInputs)
      os << "\"targets\": " << p.size
         << ", \"inputs_per_target\": " << p.driveInputs;
    else
      os << "\"neurons\": " << p.size;
    os << ", \"spikes\": " << s
       << ", \"rate_hz\": " << format("%.6g", r.rate(s, r.inputs(p))) << "}";
  }
  os << "}, \"output_dir\": "
     << (r.records ? jsonString(r.options.outDir) : "null") << "}\n";
}

void reportText(std::ostream &os, const Report &r) {
  const ModelSpec &spec = r.sim.spec();
  const Simulator &sim = r.sim;
  const std::string &outDir = r.options.outDir;
  int64_t spikes = r.totalSpikes(), neurons = r.neurons();
  os << "network " << r.network << ": " << neurons << " neurons, "
     << r.totals.synapses << " synapses, dt " << format("%g", spec.dt * 1e3)
     << " ms, " << format("%g", r.duration()) << " s simulated";
  if (r.startTime > 0)
    os << " from t = " << format("%g", r.startTime) << " s";
  os << (spec.singlePrecision  ? ", single precision\n"
         : spec.singleSynapses ? ", float32 synapses\n"
                               : "\n");
  if (!r.device.empty()) {
    os << "device: " << r.device;
    if (spec.steps > 0)
      os << format(", %.1f kernel launches per step",
                   double(sim.kernelLaunches()) / double(spec.steps));
    os << "\n";
  }
  if (r.totals.ranks > 1)
    os << "processes: " << r.totals.ranks << " (MPI, " << r.totals.exchange
       << (r.totals.overlapSteps > 0
               ? ", overlapped every " + std::to_string(r.totals.overlapSteps) +
                     " steps"
               : "")
       << "), " << format("%.3f", r.totals.tComm) << " s communicating\n";
  for (size_t i = 0; i < spec.populations.size(); ++i) {
    const PopulationSpec &p = spec.populations[i];
    int64_t s = r.spikes(i);
    if (p.driveInputs)
      os << "  " << p.name << ": Poisson drive, " << p.driveInputs
         << " inputs to each of " << p.size << " targets, " << s << " spikes, "
         << format("%.3f", r.rate(s, r.inputs(p))) << " Hz per input\n";
    else
      os << "  " << p.name << ": " << p.size << " neurons, " << s << " spikes, "
         << format("%.3f", r.rate(s, p.size)) << " Hz\n";
  }
  std::string procedural;
  for (size_t j = 0; j < spec.projections.size(); ++j)
    if (sim.isProcedural(int(j)))
      procedural += (procedural.empty() ? "" : ", ") + spec.projections[j].name;
  if (!procedural.empty())
    os << "procedural (synapses drawn again for each spike): " << procedural
       << "\n";
  os << "spikes: " << spikes << ", mean rate "
     << format("%.3f", r.rate(spikes, neurons)) << " Hz\n";
  os << "time: parse+compile " << format("%.3f", r.options.tCompile)
     << " s, build " << format("%.3f", sim.tBuild()) << " s, simulate "
     << format("%.3f", sim.tSim()) << " s\n";
  if (!r.options.npySpikes) {
    // The spikes went to the sink's file only.
  } else if (spec.records.size() > 8) {
    // One line per run, however many populations are recorded.
    os << "spikes written to " << outDir << "/spikes_*.npy ("
       << spec.records.size() << " populations, listed in " << outDir
       << "/recordings.json)\n";
  } else if (!spec.records.empty()) {
    os << "spikes written to";
    for (const RecordSpec &rec : spec.records)
      os << " " << outDir << "/spikes_"
         << spec.populations[size_t(rec.population)].name << ".npy";
    os << "\n";
  }
  if (!spec.records.empty() && !r.options.spikeSinkFile.empty())
    os << "spikes written to " << r.options.spikeSinkFile << "\n";
  std::vector<std::string> prefixes = stateRecordPrefixes(spec);
  for (size_t k = 0; k < spec.stateRecords.size(); ++k) {
    const StateRecordSpec &rec = spec.stateRecords[k];
    bool synapses = rec.projection >= 0;
    const std::string &name = prefixes[k];
    const std::vector<std::string> &rows =
        synapses ? spec.projections[size_t(rec.projection)].synRows
                 : spec.populations[size_t(rec.population)].rows;
    os << (synapses ? "synapse variables" : "states") << " written to "
       << outDir << "/" << name << "_t.npy";
    for (int row : rec.rows)
      os << " " << outDir << "/" << name << "_" << rows[size_t(row)] << ".npy";
    os << "\n";
  }
}

} // namespace

namespace {

/// The options of a run, applied to `spec`; false and `err` when one is
/// wrong (the same on every process).
bool applyOptions(ModelSpec &spec, const RunOptions &options,
                  std::string &err) {
  if (options.seed)
    spec.seed = *options.seed;
  for (const auto &[name, value] : options.sets)
    if (!applySet(spec, name, value, err))
      return false;
  if (options.duration &&
      !durationSteps(*options.duration, spec.dt, spec.steps, err)) {
    err = "--duration: " + err;
    return false;
  }
  if (options.duration)
    spec.duration = *options.duration;
  // Said before the run rather than after it.
  if (!options.checkpoint.empty() &&
      !checkCheckpointTarget(options.checkpoint, err)) {
    err = "--checkpoint: " + err;
    return false;
  }
  return true;
}

/// Opens the streams of the recordings (rank 0); false and `err`, on
/// every process, when they cannot be.
/// Places the network on the device (RunOptions::attach): the device's
/// name, or nothing with `err` said.
std::optional<std::string> attachDevice(Simulator &sim,
                                        const RunOptions &options,
                                        const std::string &model,
                                        std::string &err) {
  try {
    return options.attach(sim, err);
  } catch (const std::bad_alloc &) {
    err = "out of memory while placing model '" + model + "' on the device";
  }
  return std::nullopt;
}

bool openOutputs(Simulator &sim, const RunOptions &options, bool records,
                 std::string &err) {
  const ModelSpec &spec = sim.spec();
  Comm *comm = sim.processes();
  bool ok = true;
  if (records && (!comm || comm->root())) {
    if (!spec.records.empty() && (options.spikeSink || !options.npySpikes)) {
      std::unique_ptr<SpikeSink> sink;
      ok = !options.spikeSink || (sink = options.spikeSink(spec, err));
      if (ok)
        sim.setSpikeOutput(options.npySpikes, std::move(sink));
    }
    ok = ok && sim.streamTo(options.outDir, err);
  }
  return comm ? comm->agree(ok, err) : ok;
}

/// The steps of the run (a restored run counts on from the time the runs
/// before it asked for), the same on every process: another checkpoint or
/// duration on one of them would leave the others waiting for it. False
/// and `err` on every process otherwise.
bool planSteps(Simulator &sim, Comm *comm, std::string &err) {
  bool planned = sim.planRun(err);
  if (!comm || !comm->distributed())
    return planned;
  planned = comm->agree(planned, err);
  std::vector<int64_t> from = comm->allgather(sim.currentStep());
  std::vector<int64_t> steps = comm->allgather(planned ? sim.spec().steps : -1);
  for (size_t r = 1; r < steps.size() && planned; ++r)
    if (steps[r] != steps[0] || from[r] != from[0]) {
      err = "process " + std::to_string(r) + " would run steps " +
            std::to_string(from[r]) + " to " +
            std::to_string(from[r] + steps[r]) + " and process 0 " +
            std::to_string(from[0]) + " to " +
            std::to_string(from[0] + steps[0]) +
            " (a --duration or --restore that differs between them)";
      planned = false;
    }
  return planned;
}

/// --checkpoint of a run that did not finish: one a signal stopped (a
/// batch system's time limit) is saved at the step it reached, where
/// --restore goes on; one that failed is not.
void saveStoppedCheckpoint(Simulator &sim, const RunOptions &options,
                           bool bySignal, std::ostream &errs) {
  std::string err;
  if (!bySignal)
    errs << "note: no checkpoint was written (the run did not finish)\n";
  else if (!sim.saveCheckpoint(options.checkpoint, err))
    errs << options.program << ": error: " << err << "\n";
  else
    errs << "note: the state at t = " << std::to_string(sim.currentTime())
         << " s is in the checkpoint " << options.checkpoint
         << " (--restore goes on from there)\n";
}

} // namespace

int neuro::rt::runModel(ModelSpec spec, const RunOptions &options,
                        std::ostream &out, std::ostream &errOut) {
  // Over several processes rank 0 speaks for all: what goes wrong is
  // agreed on by every process, and said once.
  Comm *comm = options.processes;
  bool root = !comm || comm->root();
  std::ostringstream quiet;
  std::ostream &os = root ? out : quiet;
  std::ostream &errs = root ? errOut : quiet;
  std::string err;
  // (Processes launched with other options stop together.)
  bool applied = applyOptions(spec, options, err);
  if (comm)
    applied = comm->agree(applied, err);
  if (!applied) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  // Recordings: one run at a time writes the directory.
  OutputLock lock;
  bool records = !spec.records.empty() || !spec.stateRecords.empty();
  bool locked = !records || !root || lock.acquire(options.outDir, err);
  if (comm)
    locked = comm->agree(locked, err);
  if (!locked) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  std::string network = spec.name;
  Simulator sim(spec);
  if (comm)
    sim.setComm(*comm);
  sim.setThreads(options.threads);
  if (!sim.build(err)) {
    if (!options.buildError || !options.buildError(err))
      errs << options.program << ": error: building the network failed: " << err
           << "\n";
    return 1;
  }
  // A replayed spike file or a table in the output folder stays as it is
  // (spikes_*.npy counted only when they are written: openOutputs sets the
  // format again with its sink).
  if (!spec.records.empty())
    sim.setSpikeOutput(options.npySpikes, nullptr);
  bool kept =
      !records || !root ||
      sim.checkOutputs(options.outDir, options.inputs, err, options.checkpoint);
  if (comm)
    kept = comm->agree(kept, err);
  if (!kept) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  if (!options.restore.empty() &&
      (!sim.restoreCheckpoint(options.restore, err) ||
       !setRestored(sim, options.sets, err))) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  if (!planSteps(sim, comm, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  // What this run adds: a restored run counts from the checkpoint.
  std::vector<int64_t> spikesBefore(spec.populations.size());
  for (size_t i = 0; i < spikesBefore.size(); ++i)
    spikesBefore[i] = sim.spikeCount(static_cast<int>(i));
  int64_t eventsBefore = sim.synapticEvents();
  double startTime = sim.currentTime();
  std::string device;
  if (options.attach) {
    std::optional<std::string> attached =
        attachDevice(sim, options, spec.name, err);
    if (!attached) {
      // At the population or projection the message names, as a build's.
      if (!options.buildError || !options.buildError(err))
        errs << options.program << ": error: " << err << "\n";
      return 1;
    }
    device = *attached;
  }
  // Recordings go to their files while the run goes.
  if (!openOutputs(sim, options, records, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  // Progress slices follow the wall clock: one process alone.
  bool showProgress = false;
  double progressAfter = 0;
  progressSetting(options, showProgress, progressAfter);
  // One process alone runs in slices (progress, signals); the processes
  // of a distributed run go step for step together.
  bool alone = !(comm && comm->distributed());
  showProgress &= alone;
  std::optional<detail::StopOnSignals> stoppable;
  stoppable.emplace();
  int stoppedBy = 0;
  bool ok =
      alone ? detail::runWithProgress(sim, sim.spec().steps,
                                      showProgress ? progressAfter : HUGE_VAL,
                                      errs, err)
            : detail::runTogether(sim, *comm, sim.spec().steps, stoppedBy, err);
  if (alone)
    stoppedBy = int(detail::stopSignal);
  stoppable.reset();
  // Whatever was recorded is written, also when the run stopped early.
  std::string writeErr;
  bool written =
      !root ||
      ((spec.records.empty() || sim.writeSpikes(options.outDir, writeErr)) &&
       sim.writeStates(options.outDir, writeErr) &&
       sim.closeSpikeOutput(writeErr));
  if (comm)
    written = comm->agree(written, writeErr);
  // A failed write (a full disk) is said once, with what the files hold.
  bool writeFailed = sim.recordingsFailed();
  if (!ok) {
    errs << (options.source.empty() ? options.program : options.source)
         << ": error: " << err << "\n";
    // (Nothing to say where the run was refused before its first step.)
    if (records && (written || writeFailed) && sim.currentTime() > startTime)
      errs << "note: what was recorded until then is in " << options.outDir
           << "/"
           << (written ? ""
                       : ", up to the last complete write (every file "
                         "loads; a recording's values and times agree)")
           << "\n";
  }
  if (!written && !(writeFailed && !ok) && !(!ok && writeErr == err))
    errs << options.program << ": error: " << writeErr << "\n";
  if (!ok && !options.checkpoint.empty())
    saveStoppedCheckpoint(sim, options, stoppedBy != 0, errs);
  if (!ok && stoppedBy)
    return 128 + stoppedBy;
  if (!ok || !written)
    return 1;
  if (!options.checkpoint.empty() &&
      !sim.saveCheckpoint(options.checkpoint, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  Totals totals(sim, eventsBefore);
  Report r{sim,     options,      network, device,
           records, spikesBefore, totals,  startTime};
  if (options.json)
    reportJson(os, r);
  else
    reportText(os, r);
  return 0;
}
