//===- NIRExport.cpp - .neuro networks as NIR graphs ----------------------===//
//
// networkFromSema reads a checked network back into the Network that
// writeNeuro writes (so that export then import gives the same model);
// networkToGraph turns a Network into NIR nodes: a node per population,
// an Affine (when the target has a bias) or Linear node per projection with
// its dense weight matrix, and an Output node per recorded population.
//
//===----------------------------------------------------------------------===//

#include "neuro/Interop/NIRExport.h"
#include "NIRInternal.h"
#include "neuro/Frontend/Sema.h"
#include "neuro/Runtime/Table.h"

#include <algorithm>
#include <cmath>
#include <set>

using namespace neuro;
using namespace neuro::nir;

namespace {

/// The NIR type of a neuron model neuroc import writes, and whether it
/// resets by subtraction.
bool nirType(const std::string &model, std::string &type, bool &subtract) {
  static const std::set<std::string> types = {
      "Input", "LIF", "IF", "LI", "CubaLIF", "CubaLI", "Threshold"};
  subtract = false;
  std::string base = model;
  const std::string suffix = "Subtract";
  if (base.size() > suffix.size() &&
      base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
    base = base.substr(0, base.size() - suffix.size());
    subtract = true;
  }
  if (base == "Integrator" && !subtract) {
    type = "I";
    return true;
  }
  if (!types.count(base) ||
      (subtract && base != "LIF" && base != "IF" && base != "CubaLIF"))
    return false;
  type = base;
  return true;
}

struct Reader {
  const NetworkInfo &info;
  const std::string &file;
  Network net;
  std::set<std::string> resets;

  std::vector<double> perNeuron(const PopulationInfo &p,
                                const std::string &name) {
    std::string where = file + ": population '" + p.decl->name + "'";
    if (auto it = p.params.find(name); it != p.params.end())
      return std::vector<double>(size_t(p.size), it->second);
    for (const auto &[n, init] : p.paramInits) {
      if (n != name)
        continue;
      if (init.expr || init.kind != rt::InitSpec::Timed || !init.values ||
          init.values->size() != size_t(p.size))
        throw Error(where + ": parameter '" + name +
                    "' is drawn or computed per neuron; NIR needs its values "
                    "(give them with values(\"FILE\"))");
      return *init.values;
    }
    throw Error(where + ": model '" + p.model->name + "' has no parameter '" +
                name + "'");
  }

  void population(const PopulationInfo &p) {
    Population pop;
    pop.name = p.decl->name;
    pop.size = p.size;
    pop.shape = {uint64_t(p.size)};
    if (p.generator) {
      pop.type = "Input";
      pop.spikeInput = true;
      net.populations.push_back(std::move(pop));
      return;
    }
    bool subtract = false;
    if (!p.model || !nirType(p.model->name, pop.type, subtract))
      throw Error(file + ": population '" + pop.name + "' uses model '" +
                  (p.model ? p.model->name : std::string("?")) +
                  "', which has no NIR node (export knows the models neuroc "
                  "import writes: Input, LIF, IF, LI, Integrator, CubaLIF, "
                  "CubaLI, Threshold)");
    if (pop.type != "Input") {
      resets.insert(subtract ? "subtract" : "zero");
      for (const std::string &name : typeParams(pop.type))
        pop.params[name] = name == "v_reset" && subtract
                               ? std::vector<double>(size_t(p.size), 0.0)
                               : perNeuron(p, name);
      pop.params["bias"] = perNeuron(p, "bias");
    }
    net.populations.push_back(std::move(pop));
  }

  double constantInit(const ProjectionInfo &proj, const std::string &name) {
    for (const auto &[n, init] : proj.inits)
      if (n == name) {
        if (init.expr || init.kind != rt::InitSpec::Constant)
          throw Error(file + ": projection '" + proj.name + "': '" + name +
                      "' is drawn per synapse; NIR needs its values (list "
                      "them in a table)");
        return init.a;
      }
    return 0.0;
  }

  void projection(const ProjectionInfo &info) {
    std::string where = file + ": projection '" + info.name + "'";
    std::string syn = info.model ? info.model->name : "";
    if (syn != "SpikeV" && syn != "SpikeSyn" && syn != "Drive" &&
        syn != "InputDrive")
      throw Error(where + ": synapse model '" + syn +
                  "' has no NIR counterpart (export knows SpikeV, SpikeSyn, "
                  "Drive and InputDrive)");
    Projection proj;
    proj.name = info.name;
    proj.src = size_t(info.src);
    proj.dst = size_t(info.dst);
    rt::ConnectionList list;
    if (info.rule == "file") {
      std::string err;
      if (!rt::readConnections(info.file, "w", list, err))
        throw Error(where + ": " + err);
    } else if (info.rule == "one_to_one" ||
               (info.rule == "probability" && info.p == 1.0)) {
      for (int64_t i = info.srcBegin; i < info.srcEnd; ++i)
        for (int64_t j = info.dstBegin; j < info.dstEnd; ++j)
          if (info.rule != "one_to_one" ||
              i - info.srcBegin == j - info.dstBegin)
            if (info.autapses || info.src != info.dst || i != j) {
              list.pre.push_back(i);
              list.post.push_back(j);
            }
    } else {
      throw Error(where + ": synapses made by the rule '" + info.rule +
                  "' are random; NIR needs them listed (connect ... from "
                  "\"FILE\")");
    }
    double w = constantInit(info, "w");
    auto gain = info.params.find("gain");
    const Population &dst = net.populations[proj.dst];
    for (size_t s = 0; s < list.pre.size(); ++s) {
      double weight = list.weight.empty() ? w : list.weight[s];
      if (gain != info.params.end()) {
        double g = spikeGain(dst, size_t(list.post[s]));
        if (g != gain->second)
          weight = weight * gain->second / g;
      }
      double delay = list.delay.empty() ? info.delay : list.delay[s];
      proj.pre.push_back(list.pre[s]);
      proj.post.push_back(list.post[s]);
      proj.weight.push_back(weight);
      proj.delay.push_back(int64_t(std::llround(delay / net.dt)));
    }
    net.projections.push_back(std::move(proj));
  }
};

} // namespace

Network nir::networkFromSema(const SemaResult &sema, const std::string &name,
                             const std::string &file) {
  const NetworkInfo *info = nullptr;
  size_t matches = 0;
  for (const NetworkInfo &n : sema.networks)
    if (name.empty() || n.decl->name == name) {
      info = &n;
      ++matches;
    }
  if (matches != 1)
    throw Error(file + ": " +
                (name.empty() ? "expected exactly one network (choose one "
                                "with --network)"
                              : "has no network '" + name + "'"));
  Reader r{*info, file, {}, {}};
  r.net.name = info->decl->name;
  r.net.dt = info->dt;
  for (const PopulationInfo &p : info->populations)
    r.population(p);
  for (const ProjectionInfo &p : info->projections)
    r.projection(p);
  for (int p : info->recordSpikes)
    r.net.populations[size_t(p)].output = true;
  for (const StateRecordInfo &rec : info->recordStates)
    if (rec.projection < 0)
      r.net.populations[size_t(rec.population)].output = true;
  if (r.resets.size() > 1)
    r.net.warnings.push_back(file + ": populations reset both to v_reset and "
                                    "by subtraction; NIR says neither");
  r.net.reset = r.resets.count("subtract") ? "subtract" : "zero";
  return std::move(r.net);
}

namespace {

h5::Array floats(const std::vector<uint64_t> &shape, std::vector<double> v) {
  h5::Array a;
  a.kind = h5::Kind::Float;
  a.shape = shape;
  a.numbers = std::move(v);
  return a;
}

h5::Array intArray(std::vector<int64_t> v) {
  h5::Array a;
  a.kind = h5::Kind::Int;
  a.shape = {uint64_t(v.size())};
  a.ints = v;
  a.numbers.assign(v.begin(), v.end());
  return a;
}

} // namespace

Graph nir::networkToGraph(const Network &net) {
  Graph g;
  g.version = "0.2.0";
  std::set<size_t> biased;
  for (const Population &p : net.populations) {
    Node n;
    n.name = p.name;
    n.type = p.type;
    if (p.type == "Input")
      n.params["shape"] = intArray({p.size});
    for (const std::string &name : typeParams(p.type))
      n.params[name] = floats({uint64_t(p.size)}, p.params.at(name));
    g.nodes.push_back(std::move(n));
  }
  for (const Projection &proj : net.projections) {
    const Population &src = net.populations[proj.src];
    const Population &dst = net.populations[proj.dst];
    for (int64_t d : proj.delay)
      if (d != 0)
        throw Error("projection '" + proj.name +
                    "': delays have no NIR node "
                    "per synapse; remove them to export");
    Node n;
    n.name = proj.name;
    std::vector<double> w(size_t(dst.size * src.size), 0.0);
    for (size_t s = 0; s < proj.pre.size(); ++s)
      w[size_t(proj.post[s] * src.size + proj.pre[s])] += proj.weight[s];
    n.params["weight"] = floats({uint64_t(dst.size), uint64_t(src.size)}, w);
    auto bias = dst.params.find("bias");
    bool hasBias = false;
    if (bias != dst.params.end())
      for (double b : bias->second)
        hasBias |= b != 0.0;
    n.type = hasBias && biased.insert(proj.dst).second ? "Affine" : "Linear";
    if (n.type == "Affine")
      n.params["bias"] = floats({uint64_t(dst.size)}, bias->second);
    g.edges.push_back({src.name, proj.name});
    g.edges.push_back({proj.name, dst.name});
    g.nodes.push_back(std::move(n));
  }
  size_t outputs = 0;
  for (const Population &p : net.populations)
    outputs += p.output;
  for (size_t k = 0; k < net.populations.size(); ++k) {
    const Population &p = net.populations[k];
    auto bias = p.params.find("bias");
    if (bias != p.params.end() && !biased.count(k))
      for (double b : bias->second)
        if (b != 0.0)
          throw Error("population '" + p.name +
                      "' has a bias but no "
                      "incoming projection to carry it as an Affine node");
    if (!p.output)
      continue;
    Node n;
    n.name = outputs == 1 ? "output" : "output_" + p.name;
    n.type = "Output";
    n.params["shape"] = intArray({p.size});
    g.edges.push_back({p.name, n.name});
    g.nodes.push_back(std::move(n));
  }
  std::sort(g.nodes.begin(), g.nodes.end(),
            [](const Node &a, const Node &b) { return a.name < b.name; });
  return g;
}
