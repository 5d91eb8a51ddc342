//===- NIRFile.cpp - NIR graphs from and to HDF5 files --------------------===//
//
// The layout the NIR library (nir.read / nir.write, through h5py) uses:
// `/version` (a string), `/node` with `type` = "NIRGraph", `nodes/<name>/`
// groups holding `type` and one dataset per parameter, and `edges`, an
// (E, 2) array of strings. A node of type NIRGraph has the same layout.
//
//===----------------------------------------------------------------------===//

#include "NIRInternal.h"

#include <cmath>

using namespace neuro;
using namespace neuro::nir;

namespace {

std::string readScalarString(const h5::Group &g, const std::string &name,
                             const std::string &what) {
  if (!g.isDataset(name))
    throw Error(g.where() + ": has no '" + name + "' dataset (" + what + ")");
  h5::Array a = g.read(name);
  if (a.kind != h5::Kind::String || a.size() != 1)
    throw Error(g.where(name) + ": expected one string (" + what + "), found " +
                (a.kind == h5::Kind::String ? "shape " + a.shapeString()
                                            : std::string("numbers")));
  return a.strings[0];
}

Graph readGraphGroup(const h5::Group &g, int depth) {
  if (depth > 32)
    throw Error(g.where() + ": graphs nested more than 32 deep");
  std::string type = readScalarString(g, "type", "the node type");
  if (type != "NIRGraph")
    throw Error(g.where() + ": expected a node of type NIRGraph, found '" +
                type + "'");
  if (!g.isGroup("nodes"))
    throw Error(g.where() + ": a NIRGraph needs a 'nodes' group");
  Graph graph;
  h5::Group nodes = g.group("nodes");
  for (const std::string &name : nodes.children()) {
    if (!nodes.isGroup(name))
      throw Error(nodes.where(name) + ": expected a node group");
    h5::Group ng = nodes.group(name);
    Node node;
    node.name = name;
    node.type = readScalarString(ng, "type", "the node type");
    if (node.type == "NIRGraph") {
      node.graph = std::make_shared<Graph>(readGraphGroup(ng, depth + 1));
    } else {
      for (const std::string &p : ng.children())
        if (p != "type" && ng.isDataset(p)) {
          h5::Array a = ng.read(p);
          if (a.kind == h5::Kind::Float && a.elementSize == 4)
            for (double &v : a.numbers)
              v = decimalValue(v);
          node.params[p] = std::move(a);
        }
    }
    graph.nodes.push_back(std::move(node));
  }
  if (!g.isDataset("edges"))
    throw Error(g.where() + ": a NIRGraph needs an 'edges' dataset");
  h5::Array edges = g.read("edges");
  bool empty = edges.size() == 0;
  if (!empty && (edges.kind != h5::Kind::String || edges.shape.size() != 2 ||
                 edges.shape[1] != 2))
    throw Error(g.where("edges") +
                ": expected an (E, 2) array of node names, found " +
                (edges.kind == h5::Kind::String ? "shape " + edges.shapeString()
                                                : std::string("numbers")));
  for (size_t e = 0; !empty && e < edges.shape[0]; ++e)
    graph.edges.push_back({edges.strings[2 * e], edges.strings[2 * e + 1]});
  return graph;
}

/// True when every value is the decimal of a float32 (as readGraph reads
/// float32 numbers), so that float32 (NIR's usual precision) loses nothing.
bool fitsFloat32(const std::vector<double> &values) {
  for (double v : values)
    if (decimalValue(double(float(v))) != v && !std::isnan(v))
      return false;
  return true;
}

void writeGraphGroup(const h5::Group &g, const Graph &graph) {
  g.writeString("type", "NIRGraph");
  h5::Group nodes = g.createGroup("nodes");
  for (const Node &node : graph.nodes) {
    h5::Group ng = nodes.createGroup(node.name);
    if (node.graph) {
      writeGraphGroup(ng, *node.graph);
      continue;
    }
    ng.writeString("type", node.type);
    for (const auto &[name, a] : node.params) {
      if (a.kind == h5::Kind::String)
        ng.writeStrings(name, a.shape, a.strings);
      else if (a.kind == h5::Kind::Int)
        ng.writeInts(name, a.shape, a.ints);
      else
        ng.writeNumbers(name, a.shape, a.numbers,
                        fitsFloat32(a.numbers) ? h5::Precision::Float32
                                               : h5::Precision::Float64);
    }
  }
  std::vector<std::string> edges;
  for (const auto &[a, b] : graph.edges) {
    edges.push_back(a);
    edges.push_back(b);
  }
  g.writeStrings("edges", {uint64_t(graph.edges.size()), 2}, edges);
}

} // namespace

Graph nir::readGraph(const std::string &path) {
  try {
    h5::File file = h5::File::open(path);
    h5::Group root = file.root();
    if (!root.isGroup("node"))
      throw Error(path + ": not a NIR graph: expected a group '/node' (with "
                         "'type', 'nodes' and 'edges')");
    Graph graph = readGraphGroup(root.group("node"), 0);
    if (root.isDataset("version")) {
      h5::Array v = root.read("version");
      if (v.kind == h5::Kind::String && v.size() == 1)
        graph.version = v.strings[0];
    }
    return graph;
  } catch (const h5::Error &e) {
    throw Error(e.what());
  }
}

void nir::writeGraph(const std::string &path, const Graph &graph) {
  try {
    h5::File file = h5::File::create(path);
    file.root().writeString("version",
                            graph.version.empty() ? "1.0.0" : graph.version);
    writeGraphGroup(file.root().createGroup("node"), graph);
  } catch (const h5::Error &e) {
    throw Error(e.what());
  }
}
