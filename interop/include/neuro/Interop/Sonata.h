//===- Sonata.h - SONATA circuits in, SONATA spike files out ----*- C++ -*-===//
//
// SONATA (Dai et al., PLoS Comput Biol 16:e1007696, 2020) describes a
// circuit as node and edge populations in HDF5 (nodes.h5, edges.h5) with
// space-separated type tables (node and edge types, CSV), parameters of
// cell and synapse models in JSON files, and a simulation (step, duration,
// spike inputs in HDF5) in JSON configs. docs/interop.md says what each
// part becomes.
//
//   readConfig     circuit_config.json, simulation_config.json or a
//                  config.json naming both -> Config (SonataConfig.cpp)
//   importCircuit  Config -> a .neuro model, its tables and spike inputs
//                  (SonataCircuit.cpp reads the files, SonataNeuro.cpp
//                  maps templates to std.sonata models and writes)
//   SpikeWriter    spikes of a run as SONATA's spike report
//                  (/spikes/<population>/timestamps, node_ids), streamed
//                  (SonataSpikes.cpp)
//
// Every failure throws sonata::Error naming the file and what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_SONATA_H
#define NEURO_INTEROP_SONATA_H

#include "neuro/Runtime/SpikeSink.h"

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace neuro::sonata {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A spike input of the simulation config (`inputs`), of type "spikes".
struct SpikeInput {
  std::string name;    ///< its key in `inputs`
  std::string file;    ///< the HDF5 spike file, resolved
  std::string nodeSet; ///< the node set it drives
};

/// What the configs say, with every path resolved (manifest variables
/// substituted, relative paths taken from the config's folder).
struct Config {
  std::string file; ///< the config given, for messages
  std::string circuitFile, simulationFile;
  /// `networks.nodes` and `networks.edges`: the HDF5 file and its types.
  std::vector<std::pair<std::string, std::string>> nodes, edges;
  /// `components`: where dynamics_params files are looked for.
  std::vector<std::string> cellModelDirs, synapseModelDirs;
  /// `run` (milliseconds), when a simulation config is given.
  std::optional<double> dtMs, tstopMs;
  std::vector<SpikeInput> inputs;
  /// `node_sets_file` (resolved), empty when none; node sets a spike input
  /// names are looked up there, else taken as population names.
  std::string nodeSetsFile;
};

/// Reads a circuit config, a simulation config (and the circuit config its
/// `network` names) or a config with `network` and `simulation`.
Config readConfig(const std::string &path);

struct ImportOptions {
  /// The step in seconds instead of the simulation's `run.dt`.
  std::optional<double> dt;
  /// Folders searched for dynamics_params files before the config's.
  std::vector<std::string> components;
};

/// What importCircuit wrote and met.
struct ImportResult {
  std::vector<std::string> files; ///< the model first, then its tables
  size_t populations = 0, projections = 0, synapses = 0;
  /// Input spikes written, and those of them within the run's duration.
  size_t inputSpikes = 0, inputSpikesInRun = 0;
  std::vector<std::string> warnings;
};

/// Reads the circuit and simulation of `config` and writes `modelPath`
/// (a .neuro network of std.sonata models) with its tables beside it.
ImportResult importCircuit(const Config &config, const ImportOptions &options,
                           const std::string &modelPath);

/// Opens `path` as a SONATA spike report for the populations named
/// (indexed like the model's populations; empty names are not recorded):
/// `/spikes/<name>/timestamps` (float64, ms, attribute units = "ms") and
/// `node_ids` (int64, the neuron's index), attribute sorting = by_time (an
/// HDF5 enumeration of none, by_id, by_time).
/// Throws Error when the file cannot be created.
std::unique_ptr<rt::SpikeSink>
createSpikeWriter(const std::string &path,
                  const std::vector<std::string> &populations);

} // namespace neuro::sonata

#endif // NEURO_INTEROP_SONATA_H
