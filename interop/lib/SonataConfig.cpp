//===- SonataConfig.cpp - SONATA's JSON configs and type tables -----------===//
//
// circuit_config.json (`networks.nodes`, `networks.edges`, `components`),
// simulation_config.json (`run.dt`, `run.tstop`, `inputs`,
// `node_sets_file`, `network`), a config.json naming both (`network`,
// `simulation`), the `manifest` variables they use ("$NETWORK_DIR",
// "${configdir}") and the space-separated node and edge type tables.
//
//===----------------------------------------------------------------------===//

#include "SonataInternal.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace neuro;
using namespace neuro::sonata;
namespace json = llvm::json;

namespace {

std::string dirOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string readFile(const std::string &path, const std::string &what) {
  std::string text, err;
  if (!rt::readWholeFile(path, text, err))
    throw Error(err + (what.empty() ? "" : " (" + what + ")"));
  return text;
}

/// A section of the wrong kind is an error, not a config without it.
void checkSections(const json::Object &root, const std::string &path) {
  for (const char *section : {"networks", "run", "inputs", "components"})
    if (root.get(section) && !root.getObject(section))
      throw Error(path + ": " + section + ": expected an object" +
                  (std::string(section) == "inputs" ? " (input name -> input)"
                                                    : ""));
}

json::Object readJson(const std::string &path, const std::string &what) {
  std::string text = readFile(path, what);
  if (jsonTooDeep(text))
    throw Error(path + ": arrays and objects nested more than " +
                std::to_string(kMaxJsonDepth) + " deep");
  llvm::Expected<json::Value> value = json::parse(text);
  if (!value)
    throw Error(path +
                ": not valid JSON: " + llvm::toString(value.takeError()));
  json::Object *object = value->getAsObject();
  if (!object)
    throw Error(path + ": expected a JSON object");
  return std::move(*object);
}

/// A config's `manifest`: variables and their values, each value with the
/// variables before it substituted; "${configdir}" is the config's folder.
struct Manifest {
  std::string file, dir, absDir;
  std::vector<std::pair<std::string, std::string>> vars;

  Manifest(const std::string &file, const json::Object &config)
      : file(file), dir(dirOf(file)),
        absDir(std::filesystem::absolute(dirOf(file)).lexically_normal()) {
    if (absDir.size() > 1 && absDir.back() == '/')
      absDir.pop_back();
    if (const json::Object *m = config.getObject("manifest"))
      for (const auto &[key, value] : *m) {
        std::optional<llvm::StringRef> text = value.getAsString();
        if (!text)
          throw Error(file + ": manifest: '" + key.str() +
                      "' must be a string");
        if (key.str().empty())
          throw Error(file + ": manifest: a variable has an empty name");
        vars.push_back({key.str(), text->str()});
      }
    // Longest names first, so "$BASE_DIR_X" is not read as "$BASE_DIR".
    std::stable_sort(vars.begin(), vars.end(), [](auto &a, auto &b) {
      return a.first.size() > b.first.size();
    });
  }

  static constexpr size_t kMaxPath = 1 << 16;

  /// `s` with each variable substituted once, left to right (a value is
  /// not searched again in the same round).
  std::string substituteOnce(const std::string &s, bool &changed) const {
    std::string out;
    changed = false;
    for (size_t at = 0; at < s.size();) {
      const std::string *value = nullptr;
      size_t length = 0;
      for (const char *cd : {"${configdir}", "$configdir"})
        if (s.compare(at, strlen(cd), cd) == 0) {
          value = &absDir;
          length = strlen(cd);
          break;
        }
      for (const auto &[name, v] : vars) {
        if (value)
          break;
        if (s.compare(at, name.size(), name) == 0) {
          value = &v;
          length = name.size();
        }
      }
      if (!value) {
        out += s[at++];
        continue;
      }
      out += *value;
      at += length;
      changed = true;
      if (out.size() > kMaxPath)
        break;
    }
    return out;
  }

  /// `text` with its variables substituted and, when relative, taken from
  /// the config's folder.
  std::string path(const std::string &text) const {
    std::string s = text;
    bool changed = true;
    for (int round = 0; round < 32 && changed; ++round)
      s = substituteOnce(s, changed);
    if (changed || s.size() > kMaxPath)
      throw Error(file + ": '" + text +
                  "': the manifest's variables name each other without end");
    if (s.find('$') != std::string::npos)
      throw Error(file + ": '" + text +
                  "' names a variable the manifest does not define");
    if (s.empty() || s[0] == '/')
      return s;
    while (s.rfind("./", 0) == 0)
      s = s.substr(2);
    return dir + "/" + s;
  }
};

std::string stringAt(const json::Object &o, llvm::StringRef key,
                     const std::string &where) {
  const json::Value *v = o.get(key);
  if (!v)
    return "";
  std::optional<llvm::StringRef> s = v->getAsString();
  if (!s)
    throw Error(where + ": '" + key.str() + "' must be a string");
  return s->str();
}

void readCircuitConfig(Config &c, const std::string &path) {
  json::Object root = readJson(path, "circuit config");
  checkSections(root, path);
  Manifest m(path, root);
  c.circuitFile = path;
  const json::Object *networks = root.getObject("networks");
  if (!networks)
    throw Error(path + ": a circuit config needs 'networks' (with 'nodes' "
                       "and 'edges')");
  auto files = [&](const char *kind, const char *fileKey, const char *typesKey,
                   std::vector<std::pair<std::string, std::string>> &out) {
    const json::Array *list = networks->getArray(kind);
    if (!list)
      return;
    for (const json::Value &v : *list) {
      const json::Object *o = v.getAsObject();
      std::string where = path + ": networks." + kind;
      if (!o)
        throw Error(where + ": expected objects");
      std::optional<bool> enabled = o->getBoolean("enabled");
      if (o->get("enabled") && !enabled)
        throw Error(where + ": 'enabled' must be true or false");
      if (enabled && !*enabled)
        continue;
      std::string file = stringAt(*o, fileKey, where);
      std::string types = stringAt(*o, typesKey, where);
      if (file.empty() || types.empty())
        throw Error(where + ": each entry needs '" + fileKey + "' and '" +
                    typesKey + "'");
      out.push_back({m.path(file), m.path(types)});
    }
  };
  files("nodes", "nodes_file", "node_types_file", c.nodes);
  files("edges", "edges_file", "edge_types_file", c.edges);
  if (c.nodes.empty())
    throw Error(path + ": networks.nodes names no node file");
  if (const json::Object *comp = root.getObject("components"))
    for (const auto &[key, value] : *comp) {
      std::optional<llvm::StringRef> dir = value.getAsString();
      if (!dir)
        continue;
      if (key == "point_neuron_models_dir")
        c.cellModelDirs.push_back(m.path(dir->str()));
      else if (key == "synaptic_models_dir")
        c.synapseModelDirs.push_back(m.path(dir->str()));
    }
}

void readSimulationConfig(Config &c, const std::string &path,
                          bool needNetwork) {
  json::Object root = readJson(path, "simulation config");
  checkSections(root, path);
  Manifest m(path, root);
  c.simulationFile = path;
  if (const json::Object *run = root.getObject("run")) {
    c.dtMs = run->getNumber("dt");
    c.tstopMs = run->getNumber("tstop");
    if ((run->get("dt") && !c.dtMs) ||
        (c.dtMs && !(*c.dtMs > 0 && std::isfinite(*c.dtMs))))
      throw Error(path + ": run.dt must be a step > 0 (ms)");
    if ((run->get("tstop") && !c.tstopMs) ||
        (c.tstopMs && !(*c.tstopMs >= 0 && std::isfinite(*c.tstopMs))))
      throw Error(path + ": run.tstop must be a time >= 0 (ms)");
  }
  std::string nodeSets = stringAt(root, "node_sets_file", path);
  if (!nodeSets.empty())
    c.nodeSetsFile = m.path(nodeSets);
  if (const json::Object *inputs = root.getObject("inputs"))
    for (const auto &[key, value] : *inputs) {
      std::string where = path + ": inputs." + key.str();
      const json::Object *o = value.getAsObject();
      if (!o)
        throw Error(where + ": expected an object");
      std::string type = stringAt(*o, "input_type", where);
      std::string module = stringAt(*o, "module", where);
      if (type != "spikes" || (module != "h5" && module != "sonata"))
        throw Error(where + ": input_type '" + type + "' (module '" + module +
                    "') is not supported: neuroc import reads spike inputs "
                    "in HDF5 (input_type \"spikes\", module \"h5\")");
      SpikeInput in;
      in.name = key.str();
      in.file = m.path(stringAt(*o, "input_file", where));
      in.nodeSet = stringAt(*o, "node_set", where);
      if (in.nodeSet.empty())
        throw Error(where + ": needs a 'node_set'");
      c.inputs.push_back(in);
    }
  std::string network = stringAt(root, "network", path);
  if (!network.empty() && c.circuitFile.empty())
    readCircuitConfig(c, m.path(network));
  else if (needNetwork && c.circuitFile.empty())
    throw Error(path + ": a simulation config needs 'network' (the circuit "
                       "config)");
}

std::vector<std::string> splitCells(const std::string &line) {
  std::vector<std::string> cells;
  size_t k = 0;
  while (k < line.size()) {
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t'))
      ++k;
    if (k >= line.size())
      break;
    std::string cell;
    if (line[k] == '"' || line[k] == '\'') {
      char quote = line[k++];
      while (k < line.size() && line[k] != quote)
        cell += line[k++];
      ++k;
    } else {
      while (k < line.size() && line[k] != ' ' && line[k] != '\t')
        cell += line[k++];
    }
    cells.push_back(cell);
  }
  return cells;
}

} // namespace

Config sonata::readConfig(const std::string &path) {
  Config c;
  c.file = path;
  json::Object root = readJson(path, "");
  checkSections(root, path);
  bool circuit = root.getObject("networks") != nullptr;
  bool simulation = root.getObject("run") || root.getObject("inputs");
  std::string sim = stringAt(root, "simulation", path);
  std::string net = stringAt(root, "network", path);
  if (circuit)
    readCircuitConfig(c, path);
  if (simulation) {
    readSimulationConfig(c, path, !circuit);
  } else if (!sim.empty() || !net.empty()) {
    Manifest m(path, root);
    if (!net.empty() && !circuit)
      readCircuitConfig(c, m.path(net));
    if (!sim.empty())
      readSimulationConfig(c, m.path(sim), c.circuitFile.empty());
  }
  if (c.circuitFile.empty())
    throw Error(path + ": not a SONATA config: expected 'networks' (a "
                       "circuit config), 'run' and 'network' (a simulation "
                       "config) or 'network' and 'simulation'");
  return c;
}

const std::string *TypeTable::cell(int64_t id,
                                   const std::string &column) const {
  auto row = rows.find(id);
  if (row == rows.end())
    return nullptr;
  auto c = row->second.find(column);
  return c == row->second.end() ? nullptr : &c->second;
}

TypeTable sonata::readTypeTable(const std::string &path) {
  TypeTable t;
  t.file = path;
  std::istringstream in(readFile(path, "type table"));
  std::string line;
  while (std::getline(in, line) &&
         line.find_first_not_of(" \t\r") == std::string::npos) {
  }
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  t.columns = splitCells(line);
  int idColumn = -1;
  for (size_t k = 0; k < t.columns.size(); ++k)
    if (t.columns[k] == "node_type_id" || t.columns[k] == "edge_type_id")
      idColumn = int(k);
  if (idColumn < 0)
    throw Error(path + ": expected a column 'node_type_id' or "
                       "'edge_type_id' in the header (columns separated by "
                       "spaces)");
  std::map<long long, int> lineOf;
  for (int lineNo = 2; std::getline(in, line); ++lineNo) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::vector<std::string> cells = splitCells(line);
    if (cells.empty())
      continue;
    if (cells.size() != t.columns.size())
      throw Error(path + ":" + std::to_string(lineNo) + ": " +
                  std::to_string(cells.size()) + " cells, but the header has " +
                  std::to_string(t.columns.size()) + " columns");
    char *end = nullptr;
    long long id = std::strtoll(cells[size_t(idColumn)].c_str(), &end, 10);
    if (cells[size_t(idColumn)].empty() || *end)
      throw Error(path + ":" + std::to_string(lineNo) + ": type id '" +
                  cells[size_t(idColumn)] + "' is not a whole number");
    if (auto [at, fresh] = lineOf.emplace(id, lineNo); !fresh)
      throw Error(path + ":" + std::to_string(lineNo) + ": type id " +
                  std::to_string(id) + " is listed again (first at line " +
                  std::to_string(at->second) + ")");
    std::map<std::string, std::string> &row = t.rows[id];
    for (size_t k = 0; k < cells.size(); ++k)
      if (cells[k] != "NULL" && cells[k] != "None" && !cells[k].empty())
        row[t.columns[k]] = cells[k];
  }
  return t;
}

Params sonata::readParams(const std::string &path) {
  Params p;
  p.file = path;
  json::Object root = readJson(path, "dynamics_params");
  for (const auto &[key, value] : root) {
    if (std::optional<double> x = value.getAsNumber()) {
      if (!std::isfinite(*x))
        throw Error(path + ": '" + key.str() +
                    "' is not a finite number (it overflows a double)");
      p.numbers[key.str()] = *x;
    } else if (std::optional<llvm::StringRef> s = value.getAsString())
      p.texts[key.str()] = s->str();
    else
      p.texts[key.str()] = "(not a number)";
  }
  return p;
}

std::string sonata::formatNumber(double x) {
  char buf[64];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x)
      break;
  }
  // Without an exponent where that reads as well (1500, not 1.5e+03).
  if (std::strchr(buf, 'e') && std::fabs(x) >= 1 && std::fabs(x) < 1e15)
    std::snprintf(buf, sizeof buf, "%.*f",
                  std::max(0, precision - 1 - int(std::log10(std::fabs(x)))),
                  x);
  return buf;
}
