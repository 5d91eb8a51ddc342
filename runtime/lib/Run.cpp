//===- Run.cpp - Build, run and report a compiled network -----------------===//

#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Simulator.h"

#include <cmath>
#include <cstdio>

using namespace neuro::rt;

namespace {

std::string format(const char *spec, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), spec, value);
  return buf;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

int neuro::rt::runModel(ModelSpec spec, const RunOptions &options,
                        std::ostream &os, std::ostream &errs) {
  if (options.seed)
    spec.seed = *options.seed;
  if (options.duration) {
    if (!(*options.duration >= 0) || !std::isfinite(*options.duration)) {
      errs << options.program << ": error: the duration must be >= 0\n";
      return 1;
    }
    spec.steps = int64_t(std::llround(*options.duration / spec.dt));
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
  // Recordings go to their files while the run goes.
  bool records = !spec.records.empty() || !spec.stateRecords.empty();
  if (records && !sim.streamTo(options.outDir, err)) {
    errs << options.program << ": error: " << err << "\n";
    return 1;
  }
  bool ok = sim.run(err);
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
       << ", \"threads\": " << sim.threads();
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
     << " ms, " << format("%g", duration) << " s simulated\n";
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
