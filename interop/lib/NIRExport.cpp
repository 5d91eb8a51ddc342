//===- NIRExport.cpp - .neuro networks as NIR graphs ----------------------===//
//
// networkFromModule reads a network's `neuro.network` ops back into the
// Network that writeNeuro writes (so that export then import gives the
// same model);
// networkToGraph turns a Network into NIR nodes: a node per population,
// an Affine (when the target has a bias) or Linear node per projection with
// its dense weight matrix, and an Output node per recorded population.
//
//===----------------------------------------------------------------------===//

#include "neuro/Interop/NIRExport.h"
#include "NIRInternal.h"
#include "neuro/IR/NeuroOps.h"
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

/// Reads the `neuro.network` ops of the neuro stage (before
/// neuro-elaborate, which removes the models): populations name their
/// model (`of @LIF`) and hold their parameters in `params` (SI) or, set
/// per neuron, as initial-value ops in their body; projections name their
/// synapse and hold their rule, table file, slices and the initial value
/// of the weight.
struct Reader {
  const std::string &file;
  Network net;
  std::set<std::string> resets;
  llvm::StringMap<size_t> index;

  std::vector<double> perNeuron(neuro::PopulationOp pop,
                                const std::string &name) {
    size_t size = size_t(pop.getSize());
    std::string where = file + ": population '" + pop.getSymName().str() + "'";
    if (mlir::DictionaryAttr params = pop.getParamsAttr())
      if (auto value = params.getAs<mlir::FloatAttr>(name))
        return std::vector<double>(size, value.getValueAsDouble());
    for (mlir::Operation &op : pop.getBody().front()) {
      mlir::FlatSymbolRefAttr var = getInitVar(&op);
      if (!var || var.getValue() != name)
        continue;
      // values("FILE"): a table of one row, one column per neuron.
      auto table = llvm::dyn_cast<neuro::InitTimedOp>(op);
      auto shape = table ? table.getValues().getType().getShape()
                         : llvm::ArrayRef<int64_t>();
      if (!table || shape.size() != 2 || shape[0] != 1 ||
          shape[1] != int64_t(size))
        throw Error(where + ": parameter '" + name +
                    "' is drawn or computed per neuron; NIR needs its values "
                    "(give them with values(\"FILE\"))");
      auto values = table.getValues().getValues<double>();
      return std::vector<double>(values.begin(), values.end());
    }
    throw Error(where + ": model '" + pop.getModel()->str() +
                "' has no parameter '" + name +
                "', which NIR's node of that name has: export takes the "
                "models 'neuroc import' writes, not others of the same "
                "name");
  }

  void population(neuro::PopulationOp op) {
    Population pop;
    pop.name = op.getSymName().str();
    pop.size = int64_t(op.getSize());
    pop.shape = {uint64_t(pop.size)};
    index[pop.name] = net.populations.size();
    if (op.getSpikeTimes()) {
      pop.type = "Input";
      pop.spikeInput = true;
      net.populations.push_back(std::move(pop));
      return;
    }
    bool subtract = false;
    // A population without a model is a Poisson source here.
    std::string model = op.getModel()    ? op.getModel()->str()
                        : op.getInputs() ? "PoissonDrive"
                                         : "PoissonInput";
    if (!op.getModel() || !nirType(model, pop.type, subtract))
      throw Error(file + ": population '" + pop.name + "' uses model '" +
                  model +
                  "', which has no NIR node (export knows the models neuroc "
                  "import writes: Input, LIF, IF, LI, Integrator, CubaLIF, "
                  "CubaLI, Threshold)");
    if (pop.type != "Input") {
      resets.insert(subtract ? "subtract" : "zero");
      for (const std::string &name : typeParams(pop.type))
        pop.params[name] = name == "v_reset" && subtract
                               ? std::vector<double>(size_t(pop.size), 0.0)
                               : perNeuron(op, name);
      pop.params["bias"] = perNeuron(op, "bias");
    }
    net.populations.push_back(std::move(pop));
  }

  /// The weight every synapse of `proj` starts with (0 when the synapse
  /// gives none).
  double constantWeight(neuro::ProjectionOp proj) {
    for (mlir::Operation &op : proj.getBody().front()) {
      mlir::FlatSymbolRefAttr var = getInitVar(&op);
      if (!var || var.getValue() != "w")
        continue;
      if (auto init = llvm::dyn_cast<neuro::InitConstOp>(op))
        return init.getValue().convertToDouble();
      throw Error(file + ": projection '" + proj.getSymName().str() +
                  "': 'w' is drawn per synapse; NIR needs its values (list "
                  "them in a table)");
    }
    return 0.0;
  }

  /// The synapses of `op` when its rule lists them.
  rt::ConnectionList synapses(neuro::ProjectionOp op,
                              const std::string &where) {
    rt::ConnectionList list;
    std::string rule = op.getRule().str();
    int64_t srcSize = net.populations[index.lookup(op.getSource())].size;
    int64_t dstSize = net.populations[index.lookup(op.getTarget())].size;
    llvm::SmallVector<int64_t, 4> slices{0, srcSize, 0, dstSize};
    if (std::optional<llvm::ArrayRef<int64_t>> s = op.getSlices())
      slices.assign(s->begin(), s->end());
    bool self = op.getSource() == op.getTarget();
    if (op.getMultiplicity() != 1)
      throw Error(where + ": " + std::to_string(op.getMultiplicity()) +
                  " synapses per pair (n); NIR has one weight per pair");
    if (rule == "file") {
      std::string err;
      if (!rt::readConnections(op.getFile()->str(), "w", list, err))
        throw Error(where + ": " + err);
    } else if (rule == "one_to_one" ||
               (rule == "probability" &&
                op.getProbability().convertToDouble() == 1.0)) {
      for (int64_t i = slices[0]; i < slices[1]; ++i)
        for (int64_t j = slices[2]; j < slices[3]; ++j)
          if (rule != "one_to_one" || i - slices[0] == j - slices[2])
            if (op.getAutapses() || !self || i != j) {
              list.pre.push_back(i);
              list.post.push_back(j);
            }
    } else {
      throw Error(where + ": synapses made by the rule '" + rule +
                  "' are random; NIR needs them listed (connect ... from "
                  "\"FILE\")");
    }
    return list;
  }

  void projection(neuro::ProjectionOp op) {
    std::string where = file + ": projection '" + op.getSymName().str() + "'";
    std::string syn = op.getSynapse() ? op.getSynapse()->str() : "";
    if (syn != "SpikeV" && syn != "SpikeSyn" && syn != "Drive" &&
        syn != "InputDrive")
      throw Error(where + ": synapse model '" + syn +
                  "' has no NIR counterpart (export knows SpikeV, SpikeSyn, "
                  "Drive and InputDrive)");
    Projection proj;
    proj.name = op.getSymName().str();
    proj.src = index.lookup(op.getSource());
    proj.dst = index.lookup(op.getTarget());
    rt::ConnectionList list = synapses(op, where);
    double w = constantWeight(op);
    mlir::FloatAttr gain;
    if (mlir::DictionaryAttr params = op.getParamsAttr())
      gain = params.getAs<mlir::FloatAttr>("gain");
    const Population &dst = net.populations[proj.dst];
    for (size_t s = 0; s < list.pre.size(); ++s) {
      double weight = list.weight.empty() ? w : list.weight[s];
      if (gain) {
        double g = spikeGain(dst, size_t(list.post[s]));
        if (g != gain.getValueAsDouble() && weight != 0.0)
          weight = weight * gain.getValueAsDouble() / g;
        // NIR's neuron scales its input by g (r, w_in): an input it scales
        // to nothing, or near it, has no NIR weight.
        if (!std::isfinite(weight))
          throw Error(where + ": the synapses onto neuron " +
                      std::to_string(list.post[s]) + " of '" + dst.name +
                      "' have gain " + formatNumber(gain.getValueAsDouble()) +
                      " where the neuron's input factor (r or w_in) is " +
                      formatNumber(g) +
                      "; NIR scales a neuron's input by that factor, so no "
                      "finite weight gives this input");
      }
      double delay =
          list.delay.empty() ? op.getDelay().convertToDouble() : list.delay[s];
      proj.pre.push_back(list.pre[s]);
      proj.post.push_back(list.post[s]);
      proj.weight.push_back(weight);
      proj.delay.push_back(int64_t(std::llround(delay / net.dt)));
    }
    net.projections.push_back(std::move(proj));
  }
};

} // namespace

Network nir::networkFromModule(mlir::ModuleOp module, const std::string &name,
                               const std::string &file) {
  neuro::NetworkOp network;
  size_t matches = 0;
  for (auto n : module.getOps<neuro::NetworkOp>())
    if (name.empty() || n.getSymName() == name) {
      network = n;
      ++matches;
    }
  if (matches != 1)
    throw Error(file + ": " +
                (name.empty() ? "expected exactly one network (choose one "
                                "with --network)"
                              : "has no network '" + name + "'"));
  Reader r{file, {}, {}, {}};
  r.net.name = network.getSymName().str();
  r.net.dt = network.getDt().convertToDouble();
  mlir::Block &body = network.getBody().front();
  for (auto pop : body.getOps<neuro::PopulationOp>())
    r.population(pop);
  for (auto proj : body.getOps<neuro::ProjectionOp>())
    r.projection(proj);
  for (auto rec : body.getOps<neuro::RecordSpikesOp>()) {
    r.net.populations[r.index.lookup(rec.getPopulation())].output = true;
    if (rec.getBegin())
      r.net.warnings.push_back(file + ": the spikes of part of '" +
                               rec.getPopulation().str() +
                               "' are recorded; NIR's output is the whole "
                               "population");
  }
  for (auto rec : body.getOps<neuro::RecordStateOp>())
    r.net.populations[r.index.lookup(rec.getPopulation())].output = true;
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
