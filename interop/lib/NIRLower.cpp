//===- NIRLower.cpp - A checked NIR graph as populations and synapses -----===//
//
// Neuron nodes (and Input nodes) become populations; the linear nodes on
// the paths between two of them are composed into one synapse list, a
// projection. The biases met on the way become the target's `bias`
// parameter (a constant current). Output nodes mark the populations to
// record.
//
//===----------------------------------------------------------------------===//

#include "NIRInternal.h"

#include <algorithm>
#include <deque>
#include <set>

using namespace neuro;
using namespace neuro::nir;

const std::vector<std::string> &nir::typeParams(const std::string &type) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"Input", {}},
      {"I", {"r"}},
      {"IF", {"r", "v_threshold", "v_reset"}},
      {"LI", {"tau", "r", "v_leak"}},
      {"LIF", {"tau", "r", "v_leak", "v_threshold", "v_reset"}},
      {"CubaLI", {"tau_syn", "tau_mem", "r", "v_leak", "w_in"}},
      {"CubaLIF",
       {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"}},
      {"Threshold", {"threshold"}},
  };
  static const std::vector<std::string> none;
  auto it = table.find(type);
  return it == table.end() ? none : it->second;
}

bool Population::spiking() const {
  return type == "IF" || type == "LIF" || type == "CubaLIF" ||
         type == "Threshold" || spikeInput;
}

namespace {

bool isPopulation(const FlatNode &n) {
  return n.type == "Input" || isNeuronType(n.type);
}

struct Lowering {
  const FlatGraph &g;
  const ImportOptions &options;
  Network net;
  std::map<std::string, size_t> popIndex; ///< flat node -> population

  /// What reaches the output of a linear node: one map per source
  /// population, and the bias.
  struct Reach {
    std::map<size_t, LinearMap> maps;
    std::vector<double> bias;
    std::string last; ///< the linear node nearest the target
  };
  std::map<std::string, Reach> memo;
  std::set<std::string> visiting;

  /// The maps from populations to the output of `name`, which feeds a
  /// node expecting `size` values.
  Reach reach(const std::string &name) {
    const FlatNode &n = g.at(name);
    if (isPopulation(n)) {
      Reach r;
      r.maps[popIndex.at(name)] =
          LinearMap::identity(int64_t(count(n.outShape)));
      r.bias.assign(size_t(count(n.outShape)), 0.0);
      return r;
    }
    if (n.type == "Output")
      throw Error(nodeWhere(g, n) + ": an Output node feeds '" + n.succs[0] +
                  "'");
    if (auto it = memo.find(name); it != memo.end())
      return it->second;
    if (!visiting.insert(name).second)
      throw Error(nodeWhere(g, n) + ": lies on a loop of linear nodes "
                                    "without a neuron node");
    LinearMap own = nodeMap(g, n, options.dt);
    Reach r;
    r.last = name;
    r.bias = own.bias;
    std::vector<double> inBias(size_t(own.inSize), 0.0);
    for (const std::string &p : n.preds) {
      Reach in = reach(p);
      // A nested graph's port is named after the node before it.
      if (n.type == "Identity" && n.preds.size() == 1 && !in.last.empty())
        r.last = in.last;
      for (size_t i = 0; i < inBias.size() && i < in.bias.size(); ++i)
        inBias[i] += in.bias[i];
      for (auto &[src, m] : in.maps) {
        LinearMap c = compose(own, m, nodeWhere(g, n));
        std::fill(c.bias.begin(), c.bias.end(), 0.0);
        accumulate(r.maps[src], c, nodeWhere(g, n));
      }
    }
    for (int64_t i = 0; i < own.outSize; ++i)
      for (const LinearMap::Entry &e : own.rows[size_t(i)])
        r.bias[size_t(i)] += e.w * inBias[size_t(e.col)];
    visiting.erase(name);
    memo[name] = r;
    return r;
  }

  /// Populations in the order a breadth-first walk from the inputs meets
  /// them (then any left, by name): the order of the written model.
  std::vector<std::string> populationOrder() {
    std::vector<std::string> order;
    std::set<std::string> seen;
    std::deque<std::string> queue;
    for (const FlatNode &n : g.nodes)
      if (n.type == "Input") {
        queue.push_back(n.name);
        seen.insert(n.name);
      }
    while (!queue.empty()) {
      std::string name = queue.front();
      queue.pop_front();
      if (isPopulation(g.at(name)))
        order.push_back(name);
      std::vector<std::string> next = g.at(name).succs;
      std::sort(next.begin(), next.end());
      for (const std::string &s : next)
        if (seen.insert(s).second)
          queue.push_back(s);
    }
    for (const FlatNode &n : g.nodes)
      if (isPopulation(n) && !seen.count(n.name))
        order.push_back(n.name);
    return order;
  }

  Population makePopulation(const FlatNode &n) {
    Population p;
    p.name = n.name;
    p.type = n.type;
    p.shape = n.outShape;
    p.size = int64_t(count(n.outShape));
    for (const std::string &name : typeParams(n.type)) {
      std::vector<double> &v = p.params[name];
      const h5::Array *a = optParam(n, name);
      if (!a) {
        // Optional parameters of newer NIR versions.
        v.assign(size_t(p.size), name == "w_in" ? 1.0 : 0.0);
        continue;
      }
      for (int64_t i = 0; i < p.size; ++i)
        v.push_back(a->numbers[a->size() == 1 ? 0 : size_t(i)]);
      if (name.rfind("tau", 0) == 0)
        for (double t : v)
          if (!(t > 0))
            throw Error(nodeWhere(g, n) + ": '" + name +
                        "' must be a time > 0 (seconds)");
    }
    p.params["bias"].assign(size_t(p.size), 0.0);
    return p;
  }

  void addProjections(size_t dst, const FlatNode &n) {
    Population &target = net.populations[dst];
    std::vector<double> &bias = target.params["bias"];
    std::map<size_t, std::pair<LinearMap, std::string>> incoming;
    for (const std::string &p : n.preds) {
      Reach r = reach(p);
      for (size_t i = 0; i < bias.size() && i < r.bias.size(); ++i)
        bias[i] += r.bias[i];
      for (auto &[src, m] : r.maps) {
        auto &slot = incoming[src];
        accumulate(slot.first, m, nodeWhere(g, n));
        slot.second = slot.second.empty() ? r.last : slot.second;
      }
    }
    for (auto &[src, entry] : incoming) {
      const Population &source = net.populations[src];
      Projection proj;
      proj.src = src;
      proj.dst = dst;
      proj.name = entry.second.empty() ? source.name + "_to_" + target.name
                                       : entry.second;
      if (source.spiking() && target.type == "Threshold")
        throw Error(nodeWhere(g, n) +
                    ": a Threshold node takes a "
                    "continuous value, not the spikes of '" +
                    source.name + "'");
      const LinearMap &m = entry.first;
      for (int64_t i = 0; i < m.outSize; ++i)
        for (const LinearMap::Entry &e : m.rows[size_t(i)]) {
          if (e.delay && !source.spiking())
            throw Error(nodeWhere(g, n) +
                        ": a Delay on the continuous "
                        "output of '" +
                        source.name + "' (only spikes can be delayed)");
          proj.pre.push_back(e.col);
          proj.post.push_back(i);
          proj.weight.push_back(e.w);
          proj.delay.push_back(e.delay);
        }
      net.projections.push_back(std::move(proj));
    }
  }

  void run() {
    std::vector<std::string> order = populationOrder();
    for (const std::string &name : order) {
      popIndex[name] = net.populations.size();
      net.populations.push_back(makePopulation(g.at(name)));
      net.populations.back().spikeInput =
          g.at(name).type == "Input" && options.input == "spikes";
    }
    for (const std::string &name : order)
      addProjections(popIndex[name], g.at(name));
    for (const FlatNode &n : g.nodes) {
      if (n.type != "Output")
        continue;
      for (std::string p : n.preds) {
        while (g.at(p).type == "Identity" && g.at(p).preds.size() == 1)
          p = g.at(p).preds[0];
        if (!popIndex.count(p))
          throw Error(nodeWhere(g, n) + ": is fed by '" + p + "' (" +
                      g.at(p).type +
                      "); an Output must follow a neuron or Input node");
        net.populations[popIndex[p]].output = true;
      }
    }
  }
};

} // namespace

Network nir::lowerGraph(const FlatGraph &graph, const ImportOptions &options) {
  Lowering l{graph, options, {}, {}, {}, {}};
  l.net.dt = options.dt;
  l.net.reset = options.reset;
  l.net.input = options.input;
  l.net.warnings = graph.warnings;
  l.run();
  return std::move(l.net);
}
