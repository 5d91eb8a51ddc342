//===- SonataInternal.h - A SONATA circuit as read ---------------*- C++
//-*-===//
//
// What SonataCircuit.cpp reads (node and edge populations, their type
// tables and the spike inputs) and SonataNeuro.cpp writes as a model.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_SONATAINTERNAL_H
#define NEURO_INTEROP_SONATAINTERNAL_H

#include "neuro/Interop/Sonata.h"
#include "neuro/Runtime/Files.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neuro::sonata {

/// A space-separated type table (node_types.csv, edge_types.csv): one row
/// per type id, cells by column name ("NULL" and absent cells are absent).
struct TypeTable {
  std::string file;
  std::vector<std::string> columns;
  std::map<int64_t, std::map<std::string, std::string>> rows;
  /// The cell of type `id` in `column`, or nullptr.
  const std::string *cell(int64_t id, const std::string &column) const;
};
TypeTable readTypeTable(const std::string &path);

/// A JSON file of numbers by name (dynamics_params); other values are
/// kept as text.
struct Params {
  std::string file;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> texts;
};
Params readParams(const std::string &path);

using rt::jsonTooDeep;
using rt::kMaxJsonDepth;

struct NodePopulation {
  std::string name, file;
  TypeTable types;
  std::vector<int64_t> typeIds; ///< per node, in node_id order
  /// Per-node dynamics_params of the nodes' groups (`<group>/
  /// dynamics_params/<key>`), by key: NaN where a node's group has none.
  std::map<std::string, std::vector<double>> nodeParams;
};

/// One edge population; weights, delays and multiplicities per edge are NaN
/// where the edge's group does not give them.
struct EdgePopulation {
  std::string name, file, source, target;
  TypeTable types;
  std::vector<int64_t> src, dst, typeIds;
  std::vector<double> weight, delay, nsyns;
};

struct Circuit {
  std::vector<NodePopulation> nodes;
  std::vector<EdgePopulation> edges;
  const NodePopulation *population(const std::string &name) const;
};
Circuit readCircuit(const Config &config);

/// The spikes of an input for one node population: node ids and times in
/// milliseconds.
struct InputSpikes {
  std::string population;
  std::vector<int64_t> nodes;
  std::vector<double> timesMs;
};
InputSpikes readInputSpikes(const Config &config, const Circuit &circuit,
                            const SpikeInput &input);

/// The shortest decimal that reads back as `x`.
std::string formatNumber(double x);

} // namespace neuro::sonata

#endif // NEURO_INTEROP_SONATAINTERNAL_H
