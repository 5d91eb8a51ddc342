//===- SonataCircuit.cpp - Node and edge populations, spike inputs --------===//
//
// nodes.h5: `/nodes/<population>/{node_type_id, node_id, node_group_id,
// node_group_index, <group>/...}`; edges.h5: `/edges/<population>/
// {source_node_id, target_node_id (attribute node_population),
// edge_type_id, edge_group_id, edge_group_index, <group>/{syn_weight,
// delay, nsyns}}`; spike files: `/spikes/<population>/{timestamps,
// node_ids}` or, in older files, `/spikes/{timestamps, gids}`.
//
//===----------------------------------------------------------------------===//

#include "SonataInternal.h"

#include "neuro/Interop/HDF5.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <fstream>
#include <set>

using namespace neuro;
using namespace neuro::sonata;

namespace {

std::vector<int64_t> readInts(const h5::Group &g, const std::string &name) {
  if (!g.isDataset(name))
    throw Error(g.where(name) + ": missing dataset (expected one number per " +
                (g.path().rfind("/edges", 0) == 0 ? "edge" : "node") + ")");
  h5::Array a = g.read(name);
  if (a.kind != h5::Kind::Int || a.shape.size() != 1) {
    const char *kind = a.kind == h5::Kind::Float    ? "floating-point numbers"
                       : a.kind == h5::Kind::String ? "strings"
                       : a.kind == h5::Kind::Int    ? "integers"
                                                    : "values of another type";
    throw Error(g.where(name) +
                ": expected a one-dimensional array of integers, found " +
                kind + " of shape " + a.shapeString());
  }
  return a.ints;
}

std::string attributeText(const h5::Group &g, const std::string &dataset,
                          const std::string &name) {
  if (!g.hasAttribute(name, dataset))
    return "";
  h5::Array a = g.readAttribute(name, dataset);
  return a.kind == h5::Kind::String && !a.strings.empty() ? a.strings[0] : "";
}

/// The per-node dynamics_params of node population `g` (`count` nodes):
/// each node's value from `<group>/dynamics_params/<key>` at its
/// node_group_index, NaN where its group gives none. SONATA lets these
/// override the node type's dynamics_params.
std::map<std::string, std::vector<double>> readNodeParams(const h5::Group &g,
                                                          size_t count) {
  std::map<std::string, std::vector<double>> out;
  std::vector<std::pair<int64_t, std::string>> withParams;
  for (const std::string &gn : g.children())
    if (!gn.empty() &&
        gn.find_first_not_of("0123456789") == std::string::npos &&
        gn.size() < 18 && g.isGroup(gn) &&
        g.group(gn).isGroup("dynamics_params"))
      withParams.emplace_back(std::stoll(gn), gn);
  if (withParams.empty())
    return out;
  std::string at = g.where(withParams[0].second + "/dynamics_params");
  for (const char *name : {"node_group_id", "node_group_index"})
    if (!g.isDataset(name))
      throw Error(at + ": per-node parameters need the dataset '" + name +
                  "' (which group and row hold each node's values)");
  std::vector<int64_t> ids = readInts(g, "node_group_id"),
                       index = readInts(g, "node_group_index");
  for (const auto *v : {&ids, &index})
    if (v->size() != count)
      throw Error(g.where(v == &ids ? "node_group_id" : "node_group_index") +
                  ": " + std::to_string(v->size()) + " values for " +
                  std::to_string(count) + " nodes");
  for (const auto &[id, gn] : withParams) {
    h5::Group dp = g.group(gn).group("dynamics_params");
    for (const std::string &key : dp.children()) {
      if (!dp.isDataset(key))
        continue;
      h5::Array a = dp.read(key);
      if (!a.isNumeric() || a.shape.size() != 1)
        throw Error(dp.where(key) +
                    ": expected a one-dimensional array of numbers");
      std::vector<double> &column =
          out.try_emplace(key, count, double(NAN)).first->second;
      for (size_t n = 0; n < count; ++n) {
        if (ids[n] != id)
          continue;
        if (index[n] < 0 || size_t(index[n]) >= a.numbers.size())
          throw Error(g.where("node_group_index") + ": node " +
                      std::to_string(n) + " points past the end of " +
                      dp.where(key));
        double v = a.numbers[size_t(index[n])];
        if (!std::isfinite(v))
          throw Error(dp.where(key) + ": the value of node " +
                      std::to_string(n) + " is not a finite number");
        column[n] = v;
      }
    }
  }
  return out;
}

void readNodes(Circuit &c, const std::string &file, const TypeTable &types) {
  h5::File f = h5::File::open(file);
  if (!f.root().isGroup("nodes"))
    throw Error(file + ": not a SONATA nodes file: expected a group '/nodes'");
  h5::Group nodes = f.root().group("nodes");
  for (const std::string &name : nodes.children()) {
    if (!nodes.isGroup(name))
      continue;
    h5::Group g = nodes.group(name);
    NodePopulation p;
    p.name = name;
    p.file = file;
    p.types = types;
    p.typeIds = readInts(g, "node_type_id");
    if (g.isDataset("node_id")) {
      std::vector<int64_t> ids = readInts(g, "node_id");
      for (size_t k = 0; k < ids.size(); ++k)
        if (ids[k] != int64_t(k))
          throw Error(g.where("node_id") + ": node " + std::to_string(k) +
                      " has id " + std::to_string(ids[k]) +
                      "; neuroc import reads nodes whose ids are their "
                      "indices (0, 1, ...)");
    }
    p.nodeParams = readNodeParams(g, p.typeIds.size());
    for (int64_t t : p.typeIds)
      if (!types.rows.count(t))
        throw Error(g.where("node_type_id") + ": node type " +
                    std::to_string(t) + " is not in " + types.file);
    if (c.population(name))
      throw Error(file + ": node population '" + name +
                  "' is also in another nodes file");
    c.nodes.push_back(std::move(p));
  }
}

/// One attribute of every edge from its edge group, NaN where the group
/// lacks it.
std::vector<double> groupColumn(const h5::Group &g, const std::string &name,
                                const std::vector<int64_t> &groupIds,
                                const std::vector<int64_t> &groupIndex) {
  std::map<int64_t, std::vector<double>> byGroup;
  std::set<int64_t> groups(groupIds.begin(), groupIds.end());
  for (int64_t id : groups) {
    std::string gn = std::to_string(id);
    if (!g.isGroup(gn) || !g.group(gn).isDataset(name))
      continue;
    h5::Array a = g.group(gn).read(name);
    if (!a.isNumeric() || a.shape.size() != 1)
      throw Error(g.where(gn + "/" + name) +
                  ": expected a one-dimensional array of numbers");
    for (size_t k = 0; k < a.numbers.size(); ++k)
      if (!std::isfinite(a.numbers[k]))
        throw Error(g.where(gn + "/" + name) + ": value " + std::to_string(k) +
                    " is not a finite number");
    byGroup[id] = a.numbers;
  }
  std::vector<double> out(groupIds.size(), NAN);
  for (size_t e = 0; e < groupIds.size(); ++e) {
    auto it = byGroup.find(groupIds[e]);
    if (it == byGroup.end())
      continue;
    if (groupIndex[e] < 0 || size_t(groupIndex[e]) >= it->second.size())
      throw Error(g.where("edge_group_index") + ": edge " + std::to_string(e) +
                  " points past the end of group " +
                  std::to_string(groupIds[e]));
    out[e] = it->second[size_t(groupIndex[e])];
  }
  return out;
}

void readEdges(Circuit &c, const std::string &file, const TypeTable &types) {
  h5::File f = h5::File::open(file);
  if (!f.root().isGroup("edges"))
    throw Error(file + ": not a SONATA edges file: expected a group '/edges'");
  h5::Group edges = f.root().group("edges");
  for (const std::string &name : edges.children()) {
    if (!edges.isGroup(name))
      continue;
    h5::Group g = edges.group(name);
    EdgePopulation p;
    p.name = name;
    p.file = file;
    p.types = types;
    p.src = readInts(g, "source_node_id");
    p.dst = readInts(g, "target_node_id");
    p.typeIds = readInts(g, "edge_type_id");
    p.source = attributeText(g, "source_node_id", "node_population");
    p.target = attributeText(g, "target_node_id", "node_population");
    if (p.source.empty() || p.target.empty())
      throw Error(g.where("source_node_id") +
                  ": source_node_id and target_node_id need the attribute "
                  "'node_population'");
    size_t n = p.src.size();
    if (p.dst.size() != n || p.typeIds.size() != n)
      throw Error(g.where() + ": source_node_id, target_node_id and "
                              "edge_type_id differ in length");
    std::vector<int64_t> groupIds(n, 0), groupIndex(n);
    if (g.isDataset("edge_group_id"))
      groupIds = readInts(g, "edge_group_id");
    if (g.isDataset("edge_group_index"))
      groupIndex = readInts(g, "edge_group_index");
    else
      for (size_t e = 0; e < n; ++e)
        groupIndex[e] = int64_t(e);
    if (groupIds.size() != n || groupIndex.size() != n)
      throw Error(g.where() + ": edge_group_id and edge_group_index must "
                              "have one entry per edge");
    p.weight = groupColumn(g, "syn_weight", groupIds, groupIndex);
    p.delay = groupColumn(g, "delay", groupIds, groupIndex);
    p.nsyns = groupColumn(g, "nsyns", groupIds, groupIndex);
    for (int64_t t : std::set<int64_t>(p.typeIds.begin(), p.typeIds.end()))
      if (!types.rows.count(t))
        throw Error(g.where("edge_type_id") + ": edge type " +
                    std::to_string(t) + " is not in " + types.file);
    c.edges.push_back(std::move(p));
  }
}

void checkEnds(const Circuit &c, const EdgePopulation &p) {
  auto check = [&](const std::string &pop, const std::vector<int64_t> &ids,
                   const char *what) {
    const NodePopulation *np = c.population(pop);
    if (!np)
      throw Error(p.file + ": /edges/" + p.name + "/" + what +
                  ": node population '" + pop + "' is in no nodes file");
    for (int64_t id : ids)
      if (id < 0 || size_t(id) >= np->typeIds.size())
        throw Error(p.file + ": /edges/" + p.name + "/" + what + ": node " +
                    std::to_string(id) + " is not in population '" + pop +
                    "' (" + std::to_string(np->typeIds.size()) + " nodes)");
  };
  check(p.source, p.src, "source_node_id");
  check(p.target, p.dst, "target_node_id");
}

/// The population and node ids of a node set: the node sets file's entry
/// (`population`, optionally `node_id`), else a population of that name.
std::pair<std::string, std::optional<std::set<int64_t>>>
resolveNodeSet(const Config &config, const Circuit &circuit,
               const std::string &name) {
  namespace json = llvm::json;
  std::string text, unread;
  if (!config.nodeSetsFile.empty() &&
      rt::readWholeFile(config.nodeSetsFile, text, unread)) {
    llvm::Expected<json::Value> v = !jsonTooDeep(text)
                                        ? json::parse(text)
                                        : llvm::Expected<json::Value>(nullptr);
    if (!v || !v->getAsObject()) {
      if (!v)
        llvm::consumeError(v.takeError());
      throw Error(config.nodeSetsFile + ": not a JSON object of node sets");
    }
    if (const json::Object *set = v->getAsObject()->getObject(name)) {
      std::string where = config.nodeSetsFile + ": node set '" + name + "'";
      std::optional<llvm::StringRef> pop = set->getString("population");
      if (!pop)
        throw Error(where + ": neuroc import reads node sets of one "
                            "'population' (optionally with 'node_id')");
      std::optional<std::set<int64_t>> ids;
      for (const auto &[key, value] : *set) {
        if (key == "population")
          continue;
        const json::Array *list = value.getAsArray();
        if (key != "node_id" || !list)
          throw Error(where + ": '" + key.str() +
                      "' is not supported (neuroc import reads "
                      "'population' and a list 'node_id')");
        ids.emplace();
        for (const json::Value &x : *list) {
          std::optional<int64_t> id = x.getAsInteger();
          if (!id)
            throw Error(where + ": 'node_id' must list whole numbers");
          ids->insert(*id);
        }
      }
      const NodePopulation *nodes = circuit.population(pop->str());
      if (!nodes)
        throw Error(where + ": population '" + pop->str() +
                    "' is not a node population of the circuit");
      if (ids && !ids->empty() &&
          (*ids->begin() < 0 ||
           uint64_t(*ids->rbegin()) >= nodes->typeIds.size()))
        throw Error(
            where + ": node_id " +
            std::to_string(*ids->begin() < 0 ? *ids->begin() : *ids->rbegin()) +
            " is not a node of '" + pop->str() + "' (0 to " +
            std::to_string(int64_t(nodes->typeIds.size()) - 1) + ")");
      return {pop->str(), ids};
    }
  }
  if (circuit.population(name))
    return {name, std::nullopt};
  std::string pops;
  for (const NodePopulation &p : circuit.nodes)
    pops += (pops.empty() ? "" : ", ") + p.name;
  throw Error(
      (config.simulationFile.empty() ? config.file : config.simulationFile) +
      ": node set '" + name + "' is " +
      (config.nodeSetsFile.empty()
           ? std::string("not a node population")
           : "neither in " + config.nodeSetsFile + " nor a node population") +
      " (populations: " + pops + ")");
}

} // namespace

const NodePopulation *Circuit::population(const std::string &name) const {
  for (const NodePopulation &p : nodes)
    if (p.name == name)
      return &p;
  return nullptr;
}

Circuit sonata::readCircuit(const Config &config) {
  Circuit c;
  try {
    for (const auto &[file, types] : config.nodes)
      readNodes(c, file, readTypeTable(types));
    for (const auto &[file, types] : config.edges)
      readEdges(c, file, readTypeTable(types));
    for (const EdgePopulation &p : c.edges)
      checkEnds(c, p);
  } catch (const h5::Error &e) {
    throw Error(e.what());
  }
  return c;
}

InputSpikes sonata::readInputSpikes(const Config &config,
                                    const Circuit &circuit,
                                    const SpikeInput &input) {
  auto [pop, ids] = resolveNodeSet(config, circuit, input.nodeSet);
  InputSpikes out;
  out.population = pop;
  try {
    h5::File f = h5::File::open(input.file);
    if (!f.root().isGroup("spikes"))
      throw Error(input.file + ": not a SONATA spike file: expected a group "
                               "'/spikes'");
    h5::Group g = f.root().group("spikes");
    if (g.isGroup(pop))
      g = g.group(pop);
    else if (!g.isDataset("timestamps"))
      throw Error(g.where() + ": no spikes of population '" + pop +
                  "' (expected /spikes/" + pop +
                  "/timestamps, or /spikes/timestamps)");
    std::string idName = g.isDataset("node_ids") ? "node_ids" : "gids";
    if (!g.isDataset("timestamps") || !g.isDataset(idName))
      throw Error(g.where() + ": expected datasets 'timestamps' and "
                              "'node_ids' (or 'gids')");
    h5::Array t = g.read("timestamps");
    if (!t.isNumeric() || t.shape.size() != 1)
      throw Error(g.where("timestamps") +
                  ": expected a one-dimensional array of times");
    std::vector<int64_t> nodes = readInts(g, idName);
    if (nodes.size() != t.numbers.size())
      throw Error(g.where() + ": timestamps and " + idName +
                  " differ in length");
    std::string units = attributeText(g, "timestamps", "units");
    if (units.empty())
      units = attributeText(g, ".", "units");
    double scale = units.empty() || units == "ms" ? 1 : units == "s" ? 1e3 : 0;
    if (scale == 0)
      throw Error(g.where("timestamps") + ": units '" + units +
                  "' (expected ms or s)");
    size_t size = circuit.population(pop)->typeIds.size();
    for (size_t k = 0; k < nodes.size(); ++k) {
      if (ids && !ids->count(nodes[k]))
        continue;
      if (nodes[k] < 0 || size_t(nodes[k]) >= size)
        throw Error(g.where(idName) + ": node " + std::to_string(nodes[k]) +
                    " is not in population '" + pop + "' (" +
                    std::to_string(size) + " nodes)");
      if (!std::isfinite(t.numbers[k]) || t.numbers[k] < 0)
        throw Error(g.where("timestamps") + ": spike " + std::to_string(k) +
                    " at " + formatNumber(t.numbers[k]) +
                    " (expected a time >= 0)");
      out.nodes.push_back(nodes[k]);
      out.timesMs.push_back(t.numbers[k] * scale);
    }
  } catch (const h5::Error &e) {
    throw Error(e.what());
  }
  return out;
}
