//===- SonataNeuro.cpp - A SONATA circuit as a .neuro network -------------===//
//
// Node populations become populations of std.sonata models (one per node
// population, split where node types differ in template), parameters that
// differ between the neurons (the refractory period too) read from a table
// with values(...); virtual populations become SpikeTimes sources fed by the
// simulation's spike inputs; each edge type becomes a projection per pair
// of populations, its synapses (weight, delay) listed in a table read with
// `from`. docs/interop.md has the mapping and what is lost.
//
//===----------------------------------------------------------------------===//

#include "SonataInternal.h"

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <tuple>

using namespace neuro;
using namespace neuro::sonata;

namespace {

/// `ms` as %g writes it.
std::string fmtMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms);
  return buf;
}

/// A parameter of a template: its dynamics_params key, the model's name
/// and unit, the factor from the JSON's number to that unit, the default.
struct ParamDef {
  const char *key, *name, *unit;
  double fromJson, def;
};

/// A point-neuron template neuroc import maps to a std.sonata model.
struct Template {
  const char *name, *model, *synapse;
  const char *weightUnit;
  double weightSI; ///< SI value of 1 weightUnit (the tables are SI)
  /// Spikes are stamped one step after the template's simulator: delays
  /// from its cells are one step shorter (std.sonata.IntFire1).
  bool lateSpikes;
  std::vector<ParamDef> params;
  std::vector<const char *> ignored; ///< keys of metadata, not parameters
};

const std::vector<Template> &templates() {
  static const std::vector<Template> list = {
      {"nest:iaf_psc_alpha",
       "iaf_psc_alpha",
       "static_synapse",
       "pA",
       1e-12,
       false,
       {{"C_m", "C_m", "pF", 1, 250},
        {"tau_m", "tau_m", "ms", 1, 10},
        {"t_ref", "t_ref", "ms", 1, 2},
        {"E_L", "E_L", "mV", 1, -70},
        {"V_reset", "V_reset", "mV", 1, -70},
        {"V_th", "V_th", "mV", 1, -55},
        {"I_e", "I_e", "pA", 1, 0},
        {"tau_syn_ex", "tau_syn_ex", "ms", 1, 2},
        {"tau_syn_in", "tau_syn_in", "ms", 1, 2},
        {"V_m", "V_m", "mV", 1, -70}},
       {}},
      // BMTK gives IntFire1's tau and refrac in seconds.
      {"nrn:IntFire1",
       "IntFire1",
       "NetCon",
       "1",
       1,
       true,
       {{"tau", "tau", "ms", 1e3, 10}, {"refrac", "refrac", "ms", 1e3, 5}},
       {"type"}},
  };
  return list;
}

const Template *findTemplate(const std::string &name) {
  for (const Template &t : templates())
    if (name == t.name)
      return &t;
  return nullptr;
}

std::string knownTemplates() {
  std::string s;
  for (const Template &t : templates())
    s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

bool exists(const std::string &path) {
  std::string err;
  return rt::checkRegularFile(path, err);
}

/// `name` found in the --components folders, then in `dirs`.
std::string findComponent(const std::string &name,
                          const std::vector<std::string> &first,
                          const std::vector<std::string> &dirs,
                          const std::string &where) {
  std::string looked;
  for (const auto *list : {&first, &dirs})
    for (const std::string &d : *list) {
      std::string path = d + "/" + name;
      if (exists(path))
        return path;
      looked += (looked.empty() ? "" : ", ") + d;
    }
  throw Error(where + ": dynamics_params file '" + name + "' not found" +
              (looked.empty() ? " (the config names no components folder)"
                              : " (looked in " + looked + ")") +
              "; neuroc import --components DIR adds a folder");
}

/// A population of the model: neurons of one node population sharing a
/// template (tmpl null: virtual nodes, a spike source).
struct Group {
  std::string name;
  const NodePopulation *pop = nullptr;
  const Template *tmpl = nullptr;
  std::vector<int64_t> nodes;
  std::vector<std::vector<double>> values; ///< per parameter, per neuron
  std::vector<rt::SpikeRecord> spikes;     ///< sources: their inputs
};

std::string identifier(const std::string &name, std::set<std::string> &taken) {
  static const std::set<std::string> reserved = {"neuron",
                                                 "synapse",
                                                 "network",
                                                 "param",
                                                 "state",
                                                 "input",
                                                 "let",
                                                 "weight",
                                                 "post",
                                                 "on",
                                                 "pre",
                                                 "drives",
                                                 "spike",
                                                 "when",
                                                 "refractory",
                                                 "unless",
                                                 "connect",
                                                 "with",
                                                 "of",
                                                 "record",
                                                 "every",
                                                 "run",
                                                 "import",
                                                 "and",
                                                 "or",
                                                 "not",
                                                 "if",
                                                 "then",
                                                 "else",
                                                 "one_to_one",
                                                 "no_autapses",
                                                 "as",
                                                 "modulator",
                                                 "from",
                                                 "where",
                                                 "excitatory",
                                                 "inhibitory",
                                                 "function",
                                                 "named",
                                                 "ablate",
                                                 "t",
                                                 "dt",
                                                 "xi",
                                                 "i",
                                                 "j",
                                                 "N",
                                                 "SpikeTimes",
                                                 "iaf_psc_alpha",
                                                 "static_synapse",
                                                 "IntFire1",
                                                 "NetCon"};
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "p" + id;
  if (reserved.count(id))
    id += "_";
  std::string unique = id;
  for (int n = 2; taken.count(unique); ++n)
    unique = id + "_" + std::to_string(n);
  taken.insert(unique);
  return unique;
}

struct Importer {
  const Config &config;
  const ImportOptions &options;
  Circuit circuit;
  ImportResult result;
  double dtMs = 0.1, tstopMs = 1000;
  std::vector<Group> groups;
  /// Per node population: the group and index of each node.
  std::map<std::string, std::vector<std::pair<size_t, size_t>>> where;
  std::map<std::string, Params> paramFiles;

  const Params &params(const std::string &path) {
    auto it = paramFiles.find(path);
    if (it == paramFiles.end())
      it = paramFiles.emplace(path, readParams(path)).first;
    return it->second;
  }

  /// The dynamics_params of node type `id` checked against `t`, or null.
  const Params *nodeParams(const NodePopulation &p, int64_t id,
                           const Template &t) {
    const std::string *file = p.types.cell(id, "dynamics_params");
    if (!file)
      return nullptr;
    std::string at = p.types.file + ": node type " + std::to_string(id);
    const Params &ps = params(
        findComponent(*file, options.components, config.cellModelDirs, at));
    for (const auto &[key, text] : ps.texts)
      if (std::find_if(t.ignored.begin(), t.ignored.end(), [&](const char *k) {
            return key == k;
          }) == t.ignored.end())
        throw Error(ps.file + ": '" + key + "' must be a number");
    for (const auto &[key, value] : ps.numbers) {
      bool known = false;
      for (const ParamDef &d : t.params)
        known |= key == d.key;
      if (!known) {
        std::string names;
        for (const ParamDef &d : t.params)
          names += (names.empty() ? "" : ", ") + std::string(d.key);
        throw Error(ps.file + ": '" + key + "' is not a parameter of " +
                    t.name + " (its parameters: " + names + ")");
      }
    }
    return &ps;
  }

  double paramValue(const Params *ps, const ParamDef &d) {
    if (!ps)
      return d.def;
    auto it = ps->numbers.find(d.key);
    return it == ps->numbers.end() ? d.def : it->second * d.fromJson;
  }

  /// Refuses per-node dynamics_params that `nodes` of `p` (of template `t`,
  /// null for virtual nodes) would not use.
  void checkNodeParams(const NodePopulation &p, const Template *t,
                       const std::vector<int64_t> &nodes) {
    for (const auto &[key, column] : p.nodeParams) {
      bool known = false;
      if (t)
        for (const ParamDef &d : t->params)
          known |= key == d.key;
      if (known)
        continue;
      for (int64_t n : nodes)
        if (!std::isnan(column[size_t(n)])) {
          std::string names;
          if (t)
            for (const ParamDef &d : t->params)
              names += (names.empty() ? "" : ", ") + std::string(d.key);
          throw Error(
              p.file + ": /nodes/" + p.name + ": node " + std::to_string(n) +
              " has a dynamics_params '" + key +
              "', which is not a parameter of " +
              (t ? std::string(t->name) + " (its parameters: " + names + ")"
                 : std::string("a virtual node")));
        }
    }
  }

  void makeGroups();
  void readInputs();
  std::string writeTables(const std::string &dir, const std::string &stem);
  std::string projections(const std::string &dir, const std::string &stem,
                          std::set<std::string> &taken);
};

void Importer::makeGroups() {
  std::set<std::string> taken;
  for (const NodePopulation &p : circuit.nodes) {
    // Nodes by template: one group each (the refractory period, like every
    // parameter, may differ between the neurons of a group).
    std::map<std::string, std::vector<int64_t>> split;
    std::map<int64_t, const Params *> typeParams;
    for (size_t n = 0; n < p.typeIds.size(); ++n) {
      int64_t id = p.typeIds[n];
      const std::string *mt = p.types.cell(id, "model_type");
      const std::string *tmplName = p.types.cell(id, "model_template");
      bool virt = mt && *mt == "virtual";
      const Template *t =
          virt ? nullptr : findTemplate(tmplName ? *tmplName : "");
      if (!t && !virt)
        throw Error(p.types.file + ": node type " + std::to_string(id) +
                    " (population '" + p.name + "'): model_template '" +
                    (tmplName ? *tmplName : "") + "' (model_type '" +
                    (mt ? *mt : "") +
                    "') is not supported; neuroc import knows " +
                    knownTemplates() + " and virtual nodes");
      if (t && !typeParams.count(id))
        typeParams[id] = nodeParams(p, id, *t);
      split[t ? t->name : ""].push_back(int64_t(n));
    }
    std::vector<std::pair<size_t, size_t>> &map = where[p.name];
    map.resize(p.typeIds.size());
    for (auto &[key, nodes] : split) {
      Group g;
      g.pop = &p;
      g.tmpl = findTemplate(key);
      std::string suffix = g.tmpl ? g.tmpl->model : "virtual";
      g.name =
          identifier(split.size() == 1 ? p.name : p.name + "_" + suffix, taken);
      g.nodes = nodes;
      checkNodeParams(p, g.tmpl, nodes);
      if (g.tmpl)
        for (const ParamDef &d : g.tmpl->params) {
          auto own = p.nodeParams.find(d.key);
          std::vector<double> v;
          for (int64_t n : nodes) {
            // A node's own value (its group's) overrides its type's.
            double x = own == p.nodeParams.end() ? double(NAN)
                                                 : own->second[size_t(n)];
            v.push_back(std::isnan(x)
                            ? paramValue(typeParams[p.typeIds[size_t(n)]], d)
                            : x * d.fromJson);
          }
          g.values.push_back(std::move(v));
        }
      for (size_t k = 0; k < nodes.size(); ++k)
        map[size_t(nodes[k])] = {groups.size(), k};
      groups.push_back(std::move(g));
    }
    if (split.size() > 1)
      result.warnings.push_back(
          "node population '" + p.name + "' became " +
          std::to_string(split.size()) +
          " populations (its node types differ in template); their spikes are "
          "written under their own names, "
          "numbered within each");
  }
}

void Importer::readInputs() {
  int64_t steps = std::llround(tstopMs / dtMs);
  for (const SpikeInput &in : config.inputs) {
    InputSpikes spikes = readInputSpikes(config, circuit, in);
    for (size_t k = 0; k < spikes.nodes.size(); ++k) {
      auto [gi, index] = where[spikes.population][size_t(spikes.nodes[k])];
      Group &g = groups[gi];
      if (g.tmpl)
        throw Error(in.file + ": input '" + in.name + "' drives population '" +
                    spikes.population +
                    "', whose nodes are not virtual; neuroc import feeds "
                    "spike inputs to virtual nodes only");
      // Emitted one step before the spike's time, so that it acts at
      // t + delay as in NEST and NEURON (a SpikeTimes spike at t is
      // stamped t + dt).
      int64_t step =
          std::max<int64_t>(std::llround(spikes.timesMs[k] / dtMs) - 1, 0);
      g.spikes.push_back({int32_t(index), double(step) * dtMs * 1e-3});
      ++result.inputSpikes;
      result.inputSpikesInRun += step < steps;
    }
  }
  for (Group &g : groups)
    std::stable_sort(g.spikes.begin(), g.spikes.end(),
                     [](const rt::SpikeRecord &a, const rt::SpikeRecord &b) {
                       return a.t < b.t || (a.t == b.t && a.i < b.i);
                     });
}

void writeText(const std::string &path, const std::string &text) {
  std::string err;
  if (!rt::writeWholeFile(path, text, err))
    throw Error(err);
}

/// The populations: sources with their spike files, neurons with their
/// parameters (constants, or a column of `<stem>_<population>.csv`).
std::string Importer::writeTables(const std::string &dir,
                                  const std::string &stem) {
  std::ostringstream out;
  for (const Group &g : groups) {
    out << "  " << g.name << " = " << g.nodes.size() << " of ";
    if (!g.tmpl) {
      std::string file = stem + "_" + g.name + "_spikes.npy";
      std::string err;
      if (!rt::writeSpikesNpy(dir + file, g.spikes, err))
        throw Error(err);
      result.files.push_back(dir + file);
      // A node's inputs in one step are all emitted, as NEST and NEURON
      // deliver them.
      out << "SpikeTimes(file = \"" << file << "\", same_step = \"all\")\n";
      continue;
    }
    std::string table = stem + "_" + g.name + ".csv";
    std::vector<std::string> args;
    std::vector<size_t> columns;
    for (size_t k = 0; k < g.tmpl->params.size(); ++k) {
      const ParamDef &d = g.tmpl->params[k];
      const std::vector<double> &v = g.values[k];
      bool same =
          std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; });
      if (same && v[0] == d.def)
        continue;
      std::string unit =
          std::string(d.unit) == "1" ? "" : " " + std::string(d.unit);
      if (same)
        args.push_back(std::string(d.name) + " = " + formatNumber(v[0]) + unit);
      else {
        args.push_back(std::string(d.name) + " = values(\"" + table + "\", 1" +
                       unit + ")");
        columns.push_back(k);
      }
    }
    if (!columns.empty()) {
      std::ostringstream csv;
      csv << "# node_id and the parameters that differ (units of the "
             "model)\nnode_id";
      for (size_t k : columns)
        csv << "," << g.tmpl->params[k].name;
      csv << "\n";
      for (size_t n = 0; n < g.nodes.size(); ++n) {
        csv << g.nodes[n];
        for (size_t k : columns)
          csv << "," << formatNumber(g.values[k][n]);
        csv << "\n";
      }
      writeText(dir + table, csv.str());
      result.files.push_back(dir + table);
    }
    out << g.tmpl->model;
    for (size_t k = 0; k < args.size(); ++k)
      out << (k ? ",\n      " : "(") << args[k];
    out << (args.empty() ? "\n" : ")\n");
  }
  return out.str();
}

} // namespace

/// One projection per edge population, edge type and pair of populations:
/// `<stem>_<projection>.npy`, columns pre, post, weight (SI) and delay (s).
std::string Importer::projections(const std::string &dir,
                                  const std::string &stem,
                                  std::set<std::string> &taken) {
  std::ostringstream out;
  for (const EdgePopulation &e : circuit.edges) {
    std::map<std::tuple<int64_t, size_t, size_t>, std::vector<double>> rows;
    std::map<int64_t, double> sign, paramDelay;
    std::set<int64_t> defaultDelay;
    for (int64_t id : std::set<int64_t>(e.typeIds.begin(), e.typeIds.end())) {
      std::string at = e.types.file + ": edge type " + std::to_string(id);
      const std::string *wf = e.types.cell(id, "weight_function");
      if (wf && *wf != "wmax")
        throw Error(at + ": weight_function '" + *wf +
                    "' is not known (neuroc import knows wmax: the weight "
                    "is syn_weight)");
      const std::string *mt = e.types.cell(id, "model_template");
      if (mt && *mt != "static_synapse")
        throw Error(at + ": model_template '" + *mt +
                    "' is not supported (neuroc import knows static_synapse)");
      sign[id] = 1;
      if (const std::string *dp = e.types.cell(id, "dynamics_params")) {
        const Params &ps = params(findComponent(*dp, options.components,
                                                config.synapseModelDirs, at));
        if (auto it = ps.numbers.find("sign"); it != ps.numbers.end()) {
          if (it->second != 1 && it->second != -1)
            throw Error(ps.file + ": 'sign' must be 1 or -1, got " +
                        formatNumber(it->second));
          sign[id] = it->second;
        } else if (ps.texts.count("sign")) {
          throw Error(ps.file + ": 'sign' must be a number (1 or -1)");
        }
        if (auto it = ps.numbers.find("delay"); it != ps.numbers.end())
          paramDelay[id] = it->second;
      }
    }
    auto number = [&](int64_t id, const char *column, double fallback) {
      const std::string *c = e.types.cell(id, column);
      if (!c)
        return fallback;
      char *end = nullptr;
      double x = std::strtod(c->c_str(), &end);
      if (*end || !std::isfinite(x))
        throw Error(e.types.file + ": edge type " + std::to_string(id) + ": " +
                    column + " '" + *c + "' is not a finite number");
      return x;
    };
    for (size_t k = 0; k < e.src.size(); ++k) {
      int64_t id = e.typeIds[k];
      auto [sg, si] = where[e.source][size_t(e.src[k])];
      auto [tg, ti] = where[e.target][size_t(e.dst[k])];
      if (!groups[tg].tmpl)
        throw Error(e.file + ": /edges/" + e.name + ": edge " +
                    std::to_string(k) + " ends at a virtual node of '" +
                    e.target + "'");
      double w =
          std::isnan(e.weight[k]) ? number(id, "syn_weight", NAN) : e.weight[k];
      if (std::isnan(w))
        throw Error(e.file + ": /edges/" + e.name + ": edge type " +
                    std::to_string(id) +
                    " has no syn_weight (in the edge group or " + e.types.file +
                    ")");
      double nsyns =
          std::isnan(e.nsyns[k]) ? number(id, "nsyns", 1) : e.nsyns[k];
      // The edge's delay, else its type's, else its synapse parameters'.
      double d = std::isnan(e.delay[k]) ? number(id, "delay", NAN) : e.delay[k];
      if (std::isnan(d) && paramDelay.count(id))
        d = paramDelay[id];
      if (std::isnan(d)) {
        d = 1;
        defaultDelay.insert(id);
      }
      if (!(d >= 0) || !std::isfinite(d))
        throw Error((std::isnan(e.delay[k])
                         ? e.types.file + ": edge type " + std::to_string(id)
                         : e.file + ": /edges/" + e.name + ": edge " +
                               std::to_string(k)) +
                    ": delay " + fmtMs(d) + " ms; a delay is a time >= 0");
      if (groups[sg].tmpl && groups[sg].tmpl->lateSpikes)
        d = std::max(d - dtMs, 0.0);
      double weight = w * nsyns * sign[id] * groups[tg].tmpl->weightSI;
      if (!std::isfinite(weight))
        throw Error(e.file + ": /edges/" + e.name + ": edge " +
                    std::to_string(k) + ": its weight (syn_weight " +
                    formatNumber(w) + " times nsyns " + formatNumber(nsyns) +
                    ") is not a finite number");
      std::vector<double> &r = rows[{id, sg, tg}];
      r.insert(r.end(), {double(si), double(ti), weight, d * 1e-3});
    }
    for (int64_t id : defaultDelay)
      result.warnings.push_back(e.types.file + ": edge type " +
                                std::to_string(id) +
                                " gives no delay; 1 ms (NEST's default)");
    std::map<int64_t, int> pairs;
    for (const auto &entry : rows)
      ++pairs[std::get<0>(entry.first)];
    for (const auto &[key, data] : rows) {
      auto [id, sg, tg] = key;
      std::string name = e.name + "_" + std::to_string(id);
      if (pairs[id] > 1)
        name += "_" + groups[sg].name + "_" + groups[tg].name;
      name = identifier(name, taken);
      std::string file = stem + "_" + name + ".npy";
      std::string err;
      int64_t n = int64_t(data.size() / 4);
      if (!rt::writeNpyF64(dir + file, data.data(), {n, 4}, err))
        throw Error(err);
      result.files.push_back(dir + file);
      result.synapses += size_t(n);
      ++result.projections;
      out << "  connect " << groups[sg].name << " -> " << groups[tg].name
          << " with " << groups[tg].tmpl->synapse << " from \"" << file
          << "\" as " << name << "\n";
    }
  }
  return out.str();
}

ImportResult sonata::importCircuit(const Config &config,
                                   const ImportOptions &options,
                                   const std::string &modelPath) {
  Importer imp{config, options, readCircuit(config), {}, 0.1, 1000, {}, {}, {}};
  if (options.dt)
    imp.dtMs = *options.dt * 1e3;
  else if (config.dtMs)
    imp.dtMs = *config.dtMs;
  else
    imp.result.warnings.push_back(config.file +
                                  ": no run.dt; the step is 0.1 ms");
  if (config.tstopMs)
    imp.tstopMs = *config.tstopMs;
  else
    imp.result.warnings.push_back(config.file +
                                  ": no run.tstop; the run is 1000 ms");
  imp.makeGroups();
  imp.readInputs();
  size_t slash = modelPath.find_last_of('/');
  std::string dir =
      slash == std::string::npos ? "" : modelPath.substr(0, slash + 1);
  std::string stem = modelPath.substr(dir.size());
  if (stem.size() > 6 && stem.substr(stem.size() - 6) == ".neuro")
    stem = stem.substr(0, stem.size() - 6);
  imp.result.files.push_back(modelPath);
  std::set<std::string> taken;
  for (const Group &g : imp.groups)
    taken.insert(g.name);
  std::string pops = imp.writeTables(dir, stem);
  std::string conns = imp.projections(dir, stem, taken);

  std::ostringstream out;
  out << "// Imported from the SONATA circuit " << config.file
      << "\n// by neuroc import (docs/interop.md): one population per node "
         "population\n// (virtual ones are spike sources fed by the "
         "simulation's inputs), one\n// projection per edge type, synapses "
         "listed in the tables beside this file.\n";
  std::set<std::string> imports;
  for (const Group &g : imp.groups)
    if (g.tmpl && imports.insert(g.tmpl->model).second)
      out << "import std.sonata." << g.tmpl->model << "\nimport std.sonata."
          << g.tmpl->synapse << "\n";
  std::set<std::string> none;
  out << "\nnetwork " << identifier(stem, none)
      << " {\n  dt = " << formatNumber(imp.dtMs) << " ms\n"
      << pops << conns;
  std::string recorded;
  for (const Group &g : imp.groups)
    if (g.tmpl)
      recorded += (recorded.empty() ? "" : ", ") + g.name;
  if (!recorded.empty())
    out << "  record spikes of " << recorded << "\n";
  out << "  run " << formatNumber(imp.tstopMs) << " ms\n}\n";
  writeText(modelPath, out.str());
  imp.result.populations = imp.groups.size();
  return imp.result;
}
