//===- Run.cpp - Build, run and report a compiled network -----------------===//

#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

bool neuro::rt::parseDuration(const std::string &text, double &seconds) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str())
    return false;
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  double scale = unit.empty() || unit == "s" ? 1.0
                 : unit == "ms"              ? 1e-3
                 : unit == "us"              ? 1e-6
                                             : -1.0;
  if (scale < 0 || !(v >= 0) || !std::isfinite(v))
    return false;
  seconds = v * scale;
  return true;
}

bool neuro::rt::parseQuantity(const std::string &text, double &value) {
  static const std::pair<const char *, double> units[] = {
      {"", 1},       {"1", 1},      {"V", 1},      {"mV", 1e-3},  {"uV", 1e-6},
      {"s", 1},      {"ms", 1e-3},  {"us", 1e-6},  {"S", 1},      {"mS", 1e-3},
      {"uS", 1e-6},  {"nS", 1e-9},  {"pS", 1e-12}, {"A", 1},      {"mA", 1e-3},
      {"uA", 1e-6},  {"nA", 1e-9},  {"pA", 1e-12}, {"Hz", 1},     {"kHz", 1e3},
      {"F", 1},      {"uF", 1e-6},  {"nF", 1e-9},  {"pF", 1e-12}, {"ohm", 1},
      {"kohm", 1e3}, {"Mohm", 1e6}, {"Gohm", 1e9}};
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v))
    return false;
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  unit.erase(unit.find_last_not_of(' ') + 1);
  for (const auto &[name, scale] : units)
    if (unit == name) {
      value = v * scale;
      return true;
    }
  return false;
}

bool neuro::rt::applySet(ModelSpec &spec, const std::string &name,
                         const std::string &text, std::string &err) {
  auto dot = name.find('.');
  double value = 0;
  if (dot == std::string::npos || !parseQuantity(text, value)) {
    err = "--set needs POP.VAR=VALUE, e.g. E.tau_m=25ms, got '" + name + "=" +
          text + "'";
    return false;
  }
  std::string pop = name.substr(0, dot), var = name.substr(dot + 1);
  for (PopulationSpec &p : spec.populations) {
    if (p.name != pop)
      continue;
    for (size_t r = 0; r < p.rows.size(); ++r)
      if (p.rows[r] == var && var[0] != '_') {
        p.init[r] = InitSpec::constant(value);
        return true;
      }
    err = "'" + name +
          "' is not a state or a parameter built to be set; "
          "parameters are compiled into the kernels unless built with "
          "--tunable " +
          name;
    return false;
  }
  err = "no population '" + pop + "'";
  return false;
}

namespace {

/// Whether to show progress: NEURO_PROGRESS, else a terminal on stderr.
void progressSetting(const RunOptions &options, bool &show, double &after) {
  show = options.progress;
  after = options.progressAfter;
  if (const char *env = std::getenv("NEURO_PROGRESS")) {
    show = std::string(env) != "0";
    if (show)
      after = 0;
  } else if (!show) {
    show = isatty(2) != 0;
  }
}

/// Runs `steps` steps in slices of about a quarter of a second, printing
/// one progress line (rewritten in place) once `after` seconds have gone.
bool runWithProgress(Simulator &sim, int64_t steps, double after,
                     std::ostream &errs, std::string &err) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  int64_t done = 0, slice = 100;
  bool shown = false;
  double dt = sim.spec().dt;
  while (done < steps) {
    int64_t n = std::min(slice, steps - done);
    auto t0 = clock::now();
    if (!sim.run(n, err)) {
      if (shown)
        errs << "\n";
      return false;
    }
    done += n;
    double took = std::chrono::duration<double>(clock::now() - t0).count();
    slice = std::clamp<int64_t>(
        took > 0 ? int64_t(double(n) * 0.25 / took) : slice * 4, 1, 1 << 24);
    double wall = std::chrono::duration<double>(clock::now() - start).count();
    if (wall < after || done == steps)
      continue;
    double simulated = double(done) * dt, total = double(steps) * dt;
    double eta = wall * double(steps - done) / double(done);
    int width = 24, filled = int(double(width) * double(done) / double(steps));
    char line[160];
    std::snprintf(line, sizeof(line),
                  "\r[%-*s] %3d%%  %.4g of %.4g s simulated, ETA %.1f s, "
                  "%.3gx real time",
                  width, std::string(size_t(filled), '=').c_str(),
                  int(100.0 * double(done) / double(steps)), simulated, total,
                  eta, simulated / wall);
    errs << line << std::flush;
    shown = true;
  }
  if (shown)
    errs << "\r\033[K" << std::flush;
  return true;
}

} // namespace

int neuro::rt::runModel(ModelSpec spec, const RunOptions &options,
                        std::ostream &os, std::ostream &errs) {
  if (options.seed)
    spec.seed = *options.seed;
  for (const auto &[name, value] : options.sets) {
    std::string why;
    if (!applySet(spec, name, value, why)) {
      errs << options.program << ": error: " << why << "\n";
      return 1;
    }
  }
  if (options.duration) {
    std::string why;
    if (!durationSteps(*options.duration, spec.dt, spec.steps, why)) {
      errs << options.program << ": error: --duration: " << why << "\n";
      return 1;
    }
  }
  // Recordings: one run at a time writes the directory.
  OutputLock lock;
  std::string lockErr;
  bool records = !spec.records.empty() || !spec.stateRecords.empty();
  if (records && !lock.acquire(options.outDir, lockErr)) {
    errs << options.program << ": error: " << lockErr << "\n";
    return 1;
  }
  std::string network = spec.name;
  Simulator sim(spec);
  sim.setThreads(options.threads);
  std::string err;
  if (!sim.build(err)) {
    errs << options.program << ": error: building the network failed: " << err
         << "\n";
    return 1;
  }
  if (!options.restore.empty() &&
      !sim.restoreCheckpoint(options.restore, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  std::string device;
  if (options.attach) {
    std::optional<std::string> attached = options.attach(sim, err);
    if (!attached) {
      errs << options.program << ": error: " << err << "\n";
      return 1;
    }
    device = *attached;
  }
  // Recordings go to their files while the run goes.
  if (records && !sim.streamTo(options.outDir, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  bool showProgress = false;
  double progressAfter = 0;
  progressSetting(options, showProgress, progressAfter);
  bool ok = showProgress
                ? runWithProgress(sim, spec.steps, progressAfter, errs, err)
                : sim.run(err);
  // Whatever was recorded is written, also when the run stopped early.
  std::string writeErr;
  bool written =
      (spec.records.empty() || sim.writeSpikes(options.outDir, writeErr)) &&
      sim.writeStates(options.outDir, writeErr);
  if (!ok) {
    errs << (options.source.empty() ? options.program : options.source)
         << ": error: " << err << "\n";
    if (records && written)
      errs << "note: what was recorded until then is in " << options.outDir
           << "/\n";
  }
  if (!written)
    errs << options.program << ": error: " << writeErr << "\n";
  if (!ok || !written)
    return 1;
  if (!options.checkpoint.empty() &&
      !sim.saveCheckpoint(options.checkpoint, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }

  int64_t neurons = 0, spikes = 0;
  for (size_t i = 0; i < spec.populations.size(); ++i) {
    neurons += spec.populations[i].size;
    spikes += sim.spikeCount(static_cast<int>(i));
  }
  double duration = double(spec.steps) * spec.dt;
  auto rate = [&](int64_t count, int64_t n) {
    return n > 0 && duration > 0 ? double(count) / (double(n) * duration) : 0.0;
  };
  if (options.json) {
    os << "{\"network\": " << jsonString(network)
       << ", \"neurons\": " << neurons
       << ", \"synapses\": " << sim.numSynapses() << ", \"spikes\": " << spikes
       << ", \"rate_hz\": " << format("%.6g", rate(spikes, neurons))
       << ", \"t_compile_s\": " << format("%.6f", options.tCompile)
       << ", \"t_build_s\": " << format("%.6f", sim.tBuild())
       << ", \"t_sim_s\": " << format("%.6f", sim.tSim())
       << ", \"synaptic_events\": " << sim.synapticEvents()
       << ", \"bytes_per_synapse\": "
       << format("%.2f", sim.numSynapses() ? double(sim.synapseBytes()) /
                                                 double(sim.numSynapses())
                                           : 0.0)
       << ", \"dt_s\": " << format("%.6g", spec.dt)
       << ", \"steps\": " << spec.steps << ", \"seed\": " << spec.seed
       << ", \"threads\": " << sim.threads() << ", \"precision\": "
       << (spec.singlePrecision ? "\"single\"" : "\"double\"");
    if (!device.empty())
      os << ", \"device\": " << jsonString(device);
    if (!options.cache.empty())
      os << ", \"cache\": " << jsonString(options.cache);
    os << ", \"populations\": {";
    for (size_t i = 0; i < spec.populations.size(); ++i) {
      const PopulationSpec &p = spec.populations[i];
      int64_t s = sim.spikeCount(static_cast<int>(i));
      os << (i ? ", " : "") << jsonString(p.name)
         << ": {\"neurons\": " << p.size << ", \"spikes\": " << s
         << ", \"rate_hz\": " << format("%.6g", rate(s, p.size)) << "}";
    }
    os << "}, \"output_dir\": "
       << (records ? jsonString(options.outDir) : "null") << "}\n";
    return 0;
  }
  os << "network " << network << ": " << neurons << " neurons, "
     << sim.numSynapses() << " synapses, dt " << format("%g", spec.dt * 1e3)
     << " ms, " << format("%g", duration) << " s simulated"
     << (spec.singlePrecision ? ", single precision\n" : "\n");
  if (!device.empty())
    os << "device: " << device << "\n";
  for (size_t i = 0; i < spec.populations.size(); ++i) {
    const PopulationSpec &p = spec.populations[i];
    int64_t s = sim.spikeCount(static_cast<int>(i));
    os << "  " << p.name << ": " << p.size << " neurons, " << s << " spikes, "
       << format("%.3f", rate(s, p.size)) << " Hz\n";
  }
  os << "spikes: " << spikes << ", mean rate "
     << format("%.3f", rate(spikes, neurons)) << " Hz\n";
  os << "time: parse+compile " << format("%.3f", options.tCompile)
     << " s, build " << format("%.3f", sim.tBuild()) << " s, simulate "
     << format("%.3f", sim.tSim()) << " s\n";
  if (!spec.records.empty()) {
    os << "spikes written to";
    for (const RecordSpec &r : spec.records)
      os << " " << options.outDir << "/spikes_"
         << spec.populations[size_t(r.population)].name << ".npy";
    os << "\n";
  }
  for (const StateRecordSpec &r : spec.stateRecords) {
    bool synapses = r.projection >= 0;
    const std::string &name = synapses
                                  ? spec.projections[size_t(r.projection)].name
                                  : spec.populations[size_t(r.population)].name;
    const std::vector<std::string> &rows =
        synapses ? spec.projections[size_t(r.projection)].synRows
                 : spec.populations[size_t(r.population)].rows;
    os << (synapses ? "synapse variables" : "states") << " written to "
       << options.outDir << "/" << name << "_t.npy";
    for (int row : r.rows)
      os << " " << options.outDir << "/" << name << "_" << rows[size_t(row)]
         << ".npy";
    os << "\n";
  }
  return 0;
}
