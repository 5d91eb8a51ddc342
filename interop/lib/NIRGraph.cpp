//===- NIRGraph.cpp - Checking and flattening NIR graphs ------------------===//
//
// checkGraph inlines nested graphs (a nested graph's Input and Output nodes
// become "Identity" nodes named "<graph>.<port>"), checks that every node
// has a known type and the parameters that type needs, and infers the
// shape each node takes and gives, so that a mismatch is reported with
// both nodes' names and shapes.
//
//===----------------------------------------------------------------------===//

#include "NIRInternal.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

using namespace neuro;
using namespace neuro::nir;

namespace {

/// The parameters each node type needs (NIR 0.2 to 1.0); optional ones
/// are looked up where they are used.
const std::map<std::string, std::vector<std::string>> &requiredParams() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"Input", {"shape"}},
      {"Output", {"shape"}},
      {"Affine", {"weight", "bias"}},
      {"Linear", {"weight"}},
      {"Scale", {"scale"}},
      {"I", {"r"}},
      {"IF", {"r", "v_threshold"}},
      {"LI", {"tau", "r", "v_leak"}},
      {"LIF", {"tau", "r", "v_leak", "v_threshold"}},
      {"CubaLI", {"tau_syn", "tau_mem", "r", "v_leak"}},
      {"CubaLIF", {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold"}},
      {"Threshold", {"threshold"}},
      {"Delay", {"delay"}},
      {"Flatten", {"start_dim", "end_dim"}},
      {"Conv1d", {"weight", "stride", "padding", "dilation", "groups"}},
      {"Conv2d", {"weight", "stride", "padding", "dilation", "groups"}},
      {"SumPool2d", {"kernel_size", "stride", "padding"}},
      {"AvgPool2d", {"kernel_size", "stride", "padding"}},
  };
  return table;
}

std::string knownTypes() {
  std::string s;
  for (const auto &[type, params] : requiredParams())
    s += (s.empty() ? "" : ", ") + type;
  return s + ", NIRGraph";
}

struct Flattener {
  FlatGraph &out;
  const std::string &file;

  /// Adds the nodes of `g` with names prefixed by `prefix`; returns the
  /// graph's ports: its Input and Output nodes' flat names.
  void add(const Graph &g, const std::string &prefix,
           std::vector<std::string> &inputs,
           std::vector<std::string> &outputs) {
    std::map<std::string, std::vector<std::string>> subIn, subOut;
    for (const Node &n : g.nodes) {
      std::string flat = prefix + n.name;
      if (n.graph) {
        add(*n.graph, flat + ".", subIn[n.name], subOut[n.name]);
        continue;
      }
      FlatNode fn;
      fn.name = flat;
      fn.type = n.type;
      fn.node = &n;
      if (!prefix.empty() && (n.type == "Input" || n.type == "Output"))
        fn.type = "Identity";
      if (n.type == "Input")
        inputs.push_back(flat);
      if (n.type == "Output")
        outputs.push_back(flat);
      out.index[flat] = out.nodes.size();
      out.nodes.push_back(std::move(fn));
    }
    std::string where =
        file + (prefix.empty()
                    ? ": graph"
                    : ": graph '" + prefix.substr(0, prefix.size() - 1) + "'");
    auto edges = repairEdges(g, where, subIn);
    for (auto [a, b] : edges) {
      auto port = [&](const std::string &name, bool in) -> std::string {
        auto &ports = in ? subIn : subOut;
        if (auto it = ports.find(name); it != ports.end()) {
          if (it->second.size() != 1)
            throw Error(where + ": edge names the nested graph '" + name +
                        "', which has " + std::to_string(it->second.size()) +
                        (in ? " Input" : " Output") + " nodes; name one as '" +
                        name + ".<node>'");
          return it->second[0];
        }
        return prefix + name;
      };
      std::string from = port(a, false), to = port(b, true);
      if (!out.index.count(from) || !out.index.count(to))
        throw Error(where + ": edge '" + a + "' -> '" + b +
                    "' names no node of the graph");
      out.nodes[out.index[from]].succs.push_back(to);
      out.nodes[out.index[to]].preds.push_back(from);
    }
  }

  /// The graph's edges. An edge naming no node of the graph is an error,
  /// but for one repair: when exactly one name is unknown and exactly one
  /// node is named by no edge, the name is taken to mean that node (the
  /// nested graph of the NIR paper's Braille network names its neuron
  /// node 'lif1' and its edges 'lif').
  std::vector<std::pair<std::string, std::string>>
  repairEdges(const Graph &g, const std::string &where,
              const std::map<std::string, std::vector<std::string>> &subs) {
    std::set<std::string> names, used, unknown;
    for (const Node &n : g.nodes)
      names.insert(n.name);
    auto known = [&](const std::string &s) {
      if (names.count(s))
        return true;
      size_t dot = s.find('.');
      return dot != std::string::npos && subs.count(s.substr(0, dot));
    };
    for (const auto &[a, b] : g.edges)
      for (const std::string &s : {a, b}) {
        used.insert(s);
        if (!known(s))
          unknown.insert(s);
      }
    if (unknown.empty())
      return g.edges;
    std::vector<std::string> unused;
    for (const std::string &n : names)
      if (!used.count(n))
        unused.push_back(n);
    if (unknown.size() != 1 || unused.size() != 1) {
      std::string list;
      for (const std::string &n : names)
        list += (list.empty() ? "" : ", ") + n;
      throw Error(where + ": an edge names '" + *unknown.begin() +
                  "', which is no node of the graph (its nodes: " + list + ")");
    }
    std::string bad = *unknown.begin(), good = unused[0];
    out.warnings.push_back(where + ": edges name '" + bad +
                           "', which is no node; taken to be '" + good +
                           "', the one node no edge names");
    auto edges = g.edges;
    for (auto &[a, b] : edges) {
      if (a == bad)
        a = good;
      if (b == bad)
        b = good;
    }
    return edges;
  }
};

struct ShapeInference {
  FlatGraph &g;
  std::map<std::string, int> state; ///< 1: in progress, 2: done

  std::vector<uint64_t> inputShape(FlatNode &n) {
    if (n.preds.empty())
      return {};
    std::vector<uint64_t> shape;
    for (size_t i = 0; i < n.preds.size(); ++i) {
      FlatNode &p = g.nodes[g.index.at(n.preds[i])];
      const std::vector<uint64_t> &s = outShape(p);
      if (i == 0)
        shape = s;
      else if (count(s) != count(shape))
        throw Error(nodeWhere(g, n) + ": its inputs '" + n.preds[0] +
                    "' (shape " + h5::shapeString(shape) + ") and '" + p.name +
                    "' (shape " + h5::shapeString(s) + ") differ in size");
    }
    return shape;
  }

  const std::vector<uint64_t> &outShape(FlatNode &n) {
    int &s = state[n.name];
    if (s == 2)
      return n.outShape;
    if (s == 1)
      throw Error(nodeWhere(g, n) +
                  ": lies on a cycle of nodes without a neuron node; the "
                  "shapes cannot be inferred");
    s = 1;
    if (auto own = ownShape(g, n)) {
      // Known from the node's parameters: set before the inputs are
      // looked at, which ends the recursion around a recurrent loop.
      n.outShape = *own;
      s = 2;
      n.inShape = inputShape(n);
      return n.outShape;
    }
    n.inShape = inputShape(n);
    n.outShape = derivedOutShape(g, n);
    s = 2;
    return n.outShape;
  }
};

} // namespace

FlatGraph nir::checkGraph(const Graph &graph, const std::string &file) {
  FlatGraph flat;
  flat.file = file;
  Flattener f{flat, file};
  std::vector<std::string> inputs, outputs;
  f.add(graph, "", inputs, outputs);
  if (inputs.empty())
    throw Error(file + ": the graph has no Input node");
  const auto &table = requiredParams();
  for (FlatNode &n : flat.nodes) {
    std::string type = n.type == "Identity" ? n.node->type : n.type;
    auto it = table.find(type);
    if (it == table.end())
      throw Error(nodeWhere(flat, n) + ": unknown node type '" + n.type +
                  "' (known: " + knownTypes() + ")");
    for (const std::string &p : it->second)
      param(flat, n, p);
    for (const auto &[name, a] : n.node->params) {
      if (!a.isNumeric() && name != "padding")
        throw Error(nodeWhere(flat, n) + ": parameter '" + name +
                    "' holds strings; expected numbers");
      for (size_t k = 0; k < a.numbers.size(); ++k)
        if (!std::isfinite(a.numbers[k]))
          throw Error(nodeWhere(flat, n) + ": parameter '" + name + "' is " +
                      (std::isnan(a.numbers[k]) ? "NaN" : "infinite") +
                      (a.numbers.size() > 1 ? " at index " + std::to_string(k)
                                            : std::string()) +
                      "; expected finite numbers");
    }
  }
  ShapeInference infer{flat, {}};
  for (FlatNode &n : flat.nodes) {
    // Each value becomes a neuron (a population has at most 2e9).
    uint64_t values = count(infer.outShape(n));
    if (values > uint64_t(2e9))
      throw Error(nodeWhere(flat, n) + ": has shape " +
                  h5::shapeString(n.outShape) +
                  ", more values than the 2e9 neurons a population may have");
  }
  for (FlatNode &n : flat.nodes)
    checkShapes(flat, n);
  return flat;
}

std::string nir::nodeWhere(const FlatGraph &g, const FlatNode &n) {
  return g.file + ": node '" + n.name + "' (" + n.type + ")";
}

const h5::Array *nir::optParam(const FlatNode &n, const std::string &name) {
  auto it = n.node->params.find(name);
  return it == n.node->params.end() ? nullptr : &it->second;
}

const h5::Array &nir::param(const FlatGraph &g, const FlatNode &n,
                            const std::string &name) {
  const h5::Array *a = optParam(n, name);
  if (!a)
    throw Error(nodeWhere(g, n) + ": missing parameter '" + name + "'");
  return *a;
}

bool nir::isNeuronType(const std::string &type) {
  static const std::set<std::string> types = {
      "I", "IF", "LI", "LIF", "CubaLI", "CubaLIF", "Threshold"};
  return types.count(type) > 0;
}

uint64_t nir::count(const std::vector<uint64_t> &shape) {
  uint64_t n = 1;
  for (uint64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return UINT64_MAX; // more than anything can hold
  return n;
}

std::vector<uint64_t> nir::neuronShape(const FlatGraph &g, const FlatNode &n) {
  const std::vector<std::string> &names = typeParams(n.type);
  std::string widest;
  std::vector<uint64_t> shape;
  for (const std::string &p : names)
    if (const h5::Array *a = optParam(n, p))
      if (widest.empty() || a->size() > count(shape)) {
        widest = p;
        shape = a->shape;
      }
  for (const std::string &p : names)
    if (const h5::Array *a = optParam(n, p))
      if (a->size() != 1 && a->size() != count(shape))
        throw Error(nodeWhere(g, n) + ": parameter '" + p + "' has shape " +
                    a->shapeString() + " but '" + widest + "' has shape " +
                    h5::shapeString(shape));
  if (shape.empty())
    shape = {1};
  return shape;
}

/// A node's output shape, from the node's own parameters: known for every
/// type but convolutions, pooling and Flatten.
std::optional<std::vector<uint64_t>> nir::ownShape(const FlatGraph &g,
                                                   const FlatNode &n) {
  auto intShape = [&](const std::string &p) {
    const h5::Array &a = param(g, n, p);
    std::vector<uint64_t> shape;
    for (double v : a.numbers) {
      if (v < 0 || v != double(int64_t(v)))
        throw Error(nodeWhere(g, n) + ": '" + p +
                    "' must hold whole numbers >= 0");
      shape.push_back(uint64_t(v));
    }
    return shape;
  };
  if (n.type == "Input" || n.type == "Output" || n.type == "Identity")
    return intShape("shape");
  if (isNeuronType(n.type))
    return neuronShape(g, n);
  if (n.type == "Affine" || n.type == "Linear") {
    const h5::Array &w = param(g, n, "weight");
    if (w.shape.size() != 2)
      throw Error(nodeWhere(g, n) +
                  ": weight must be a matrix (outputs, "
                  "inputs), found shape " +
                  w.shapeString());
    if (n.type == "Affine") {
      const h5::Array &b = param(g, n, "bias");
      if (b.size() != w.shape[0] && b.size() != 1)
        throw Error(nodeWhere(g, n) + ": bias has shape " + b.shapeString() +
                    " for a weight of shape " + w.shapeString());
    }
    return std::vector<uint64_t>{w.shape[0]};
  }
  if (n.type == "Scale")
    return param(g, n, "scale").shape;
  if (n.type == "Delay")
    return param(g, n, "delay").shape;
  return std::nullopt;
}

void nir::checkShapes(const FlatGraph &g, const FlatNode &n) {
  if (n.preds.empty())
    return;
  uint64_t in = count(n.inShape);
  std::string from = "'" + n.preds[0] + "' gives " + std::to_string(in) +
                     " values (shape " + h5::shapeString(n.inShape) + ")";
  if (n.type == "Affine" || n.type == "Linear") {
    const h5::Array &w = param(g, n, "weight");
    if (w.shape[1] != in)
      throw Error(nodeWhere(g, n) + ": weight of shape " + w.shapeString() +
                  " expects " + std::to_string(w.shape[1]) + " inputs but " +
                  from);
    return;
  }
  if (n.type == "Input")
    throw Error(nodeWhere(g, n) +
                ": an Input node has an incoming edge (from '" + n.preds[0] +
                "')");
  bool sameSize = n.type == "Scale" || n.type == "Delay" ||
                  n.type == "Output" || n.type == "Identity" ||
                  isNeuronType(n.type);
  if (sameSize && in != count(n.outShape))
    throw Error(nodeWhere(g, n) + ": has shape " + h5::shapeString(n.outShape) +
                " (" + std::to_string(count(n.outShape)) + " values) but " +
                from);
}
