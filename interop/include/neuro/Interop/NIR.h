//===- NIR.h - NIR graphs: read, check, lower to Neuro, export --*- C++ -*-===//
//
// NIR (the Neuromorphic Intermediate Representation, Pedersen et al. 2024)
// describes a network as a graph of continuous-time primitives stored in
// HDF5: `/version`, and `/node` (type "NIRGraph") holding `nodes/<name>/`
// (`type` and the parameters, arrays of any rank, times in seconds) and
// `edges`, an (E, 2) array of node names. A node may itself be a graph.
//
// Four steps, one file each (docs/interop.md says what each node becomes):
//
//   readGraph     HDF5 -> Graph             (NIRFile.cpp)
//   checkGraph    Graph -> FlatGraph: nested graphs inlined, node types and
//                 parameters checked, shapes inferred (NIRGraph.cpp)
//   lowerGraph    FlatGraph -> Network: populations for neuron nodes and
//                 synapse lists for the linear maps between them
//                 (NIRLower.cpp, with NIRLinear.cpp)
//   writeNeuro    Network -> a .neuro file and its tables (NIRNeuro.cpp)
//
// and back: networkFromModule (NIRExport.h: the `neuro.network` ops of a
// compiled .neuro model -> Network) and networkToGraph / writeGraph
// (NIRExport.cpp, NIRFile.cpp).
// Every failure throws nir::Error with the file name and what was
// expected.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_NIR_H
#define NEURO_INTEROP_NIR_H

#include "neuro/Interop/HDF5.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace neuro::nir {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A node of a NIR graph as stored: its type and every dataset of its
/// group (parameters, and for NIRGraph nodes `graph`).
struct Graph;
struct Node {
  std::string name;
  std::string type;
  std::map<std::string, h5::Array> params;
  std::shared_ptr<Graph> graph; ///< type "NIRGraph"
};

struct Graph {
  std::string version;
  std::vector<Node> nodes; ///< in name order
  std::vector<std::pair<std::string, std::string>> edges;
};

/// Reads a .nir file. Throws Error naming the file for a file that is not
/// HDF5 or lacks the NIR layout.
Graph readGraph(const std::string &path);
/// Writes `graph` as h5py and the NIR library do.
void writeGraph(const std::string &path, const Graph &graph);

/// A node of the flattened graph with its input and output shapes.
struct FlatNode {
  std::string name; ///< nested nodes as "outer.inner"
  std::string type; ///< NIR type; "Identity" for a nested graph's ports
  const Node *node = nullptr;
  std::vector<uint64_t> inShape, outShape;
  std::vector<std::string> preds, succs;
};

/// A graph with nested graphs inlined, checked and with shapes inferred.
struct FlatGraph {
  std::string file; ///< for messages
  std::vector<FlatNode> nodes;
  std::map<std::string, size_t> index;
  /// Notes for the user (repairs made, parameters ignored).
  std::vector<std::string> warnings;
  const FlatNode &at(const std::string &name) const {
    return nodes[index.at(name)];
  }
};

FlatGraph checkGraph(const Graph &graph, const std::string &file);

/// How an imported network is driven and reset.
struct ImportOptions {
  double dt = 1e-4; ///< seconds
  /// Reset after a spike: "zero" (to v_reset, 0 when the node has none)
  /// or "subtract" (v -= v_threshold).
  std::string reset = "zero";
  /// "current": an Input node is a population whose value `x` follows a
  /// table in time (one row per step); "spikes": a SpikeTimes population.
  std::string input = "current";
};

/// A population of the network: one neuron node (or an Input).
struct Population {
  std::string name;
  /// "Input", "LIF", "IF", "LI", "I", "CubaLIF", "CubaLI", "Threshold".
  std::string type;
  std::vector<uint64_t> shape;
  int64_t size = 0;
  /// Each parameter of the type, one value per neuron (in SI: seconds).
  std::map<std::string, std::vector<double>> params;
  bool output = false; ///< feeds an Output node
  /// An Input given as spike times (ImportOptions::input "spikes").
  bool spikeInput = false;
  bool spiking() const;
};

/// The synapses of one linear map between two populations.
struct Projection {
  std::string name;
  size_t src = 0, dst = 0;
  std::vector<int64_t> pre, post;
  std::vector<double> weight; ///< NIR's weight (before a spike's gain)
  std::vector<int64_t> delay; ///< steps
};

struct Network {
  std::string name;
  double dt = 1e-4;
  std::string reset = "zero";
  std::string input = "current";
  std::vector<Population> populations;
  std::vector<Projection> projections;
  std::vector<std::string> warnings;
};

/// The parameters of each neuron type, in the order they are written.
const std::vector<std::string> &typeParams(const std::string &type);

Network lowerGraph(const FlatGraph &graph, const ImportOptions &options);

/// Writes `net` as the model `path` (.neuro) and its tables beside it
/// (`<stem>_<population or projection>.csv|npy`). Returns the files
/// written.
std::vector<std::string> writeNeuro(const Network &net,
                                    const std::string &path);

/// The NIR graph of a network (neuron nodes, Affine or Linear nodes for
/// the projections, Input and Output nodes).
Graph networkToGraph(const Network &net);

/// Shortest decimal text that reads back as `v` ("0.1", "2.5e-05").
std::string formatNumber(double v);

} // namespace neuro::nir

#endif // NEURO_INTEROP_NIR_H
