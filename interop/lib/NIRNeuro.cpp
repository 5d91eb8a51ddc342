//===- NIRNeuro.cpp - A lowered NIR network as a .neuro model -------------===//
//
// Writes the model: one neuron model per NIR neuron type used, the synapse
// models the projections need, and a network with a population per
// neuron node and a `connect ... from "TABLE"` per projection. Parameters
// that differ between the neurons of a population go to a CSV table read
// with `values(...)`. docs/interop.md describes the models.
//
//===----------------------------------------------------------------------===//

#include "NIRInternal.h"
#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Npy.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

using namespace neuro;
using namespace neuro::nir;

/// What one spike of weight w does to a neuron of the target: the jump of
/// the state the Dirac delta enters, per unit weight.
double nir::spikeGain(const Population &p, size_t i) {
  auto at = [&](const char *name) { return p.params.at(name)[i]; };
  if (p.type == "LIF" || p.type == "LI")
    return at("r") / at("tau");
  if (p.type == "IF" || p.type == "I")
    return at("r");
  if (p.type == "CubaLIF" || p.type == "CubaLI")
    return at("w_in") / at("tau_syn");
  return 1.0;
}

double nir::decimalValue(double v) {
  float f = float(v);
  if (double(f) != v || !std::isfinite(v))
    return v;
  char buf[40];
  for (int precision = 1; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, double(f));
    if (std::strtof(buf, nullptr) == f)
      break;
  }
  return std::strtod(buf, nullptr);
}

std::string nir::formatNumber(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

namespace {

/// The neuron models, by NIR type, with `RESET` standing for the reset
/// statement.
const std::map<std::string, std::string> &neuronModels() {
  static const std::map<std::string, std::string> models = {
      {"Input",
       R"(// An input value x that follows a table in time (one row per step).
neuron Input {
  param x = 0
}
)"},
      {"LIF", R"(// NIR LIF: tau dv/dt = (v_leak - v) + r (I + bias).
neuron LIF {
  param tau: s = 10 ms
  param r = 1
  param v_leak = 0
  param v_threshold = 1
  param v_reset = 0
  param bias = 0
  state v = v_leak
  input I: 1
  dv/dt = (v_leak - v + r * (I + bias)) / tau
  spike when v > v_threshold { RESET }
}
)"},
      {"IF", R"(// NIR IF: dv/dt = r (I + bias), time in seconds.
neuron IF {
  param r = 1
  param v_threshold = 1
  param v_reset = 0
  param bias = 0
  state v = 0
  input I: 1
  dv/dt = r * (I + bias) / 1 s
  spike when v > v_threshold { RESET }
}
)"},
      {"LI", R"(// NIR LI: tau dv/dt = (v_leak - v) + r (I + bias).
neuron LI {
  param tau: s = 10 ms
  param r = 1
  param v_leak = 0
  param bias = 0
  state v = v_leak
  input I: 1
  dv/dt = (v_leak - v + r * (I + bias)) / tau
}
)"},
      {"I", R"(// NIR I (integrator): dv/dt = r (I + bias), time in seconds.
neuron Integrator {
  param r = 1
  param bias = 0
  state v = 0
  input I: 1
  dv/dt = r * (I + bias) / 1 s
}
)"},
      {"CubaLIF",
       R"(// NIR CubaLIF: tau_syn di_syn/dt = -i_syn + w_in (I + bias),
// tau_mem dv/dt = (v_leak - v) + r i_syn.
neuron CubaLIF {
  param tau_syn: s = 5 ms
  param tau_mem: s = 10 ms
  param r = 1
  param v_leak = 0
  param v_threshold = 1
  param v_reset = 0
  param w_in = 1
  param bias = 0
  state i_syn = 0
  state v = v_leak
  input I: 1
  di_syn/dt = (w_in * (I + bias) - i_syn) / tau_syn
  dv/dt = (v_leak - v + r * i_syn) / tau_mem
  spike when v > v_threshold { RESET }
}
)"},
      {"CubaLI", R"(// NIR CubaLI: tau_syn di_syn/dt = -i_syn + w_in (I + bias),
// tau_mem dv/dt = (v_leak - v) + r i_syn.
neuron CubaLI {
  param tau_syn: s = 5 ms
  param tau_mem: s = 10 ms
  param r = 1
  param v_leak = 0
  param w_in = 1
  param bias = 0
  state i_syn = 0
  state v = v_leak
  input I: 1
  di_syn/dt = (w_in * (I + bias) - i_syn) / tau_syn
  dv/dt = (v_leak - v + r * i_syn) / tau_mem
}
)"},
      {"Threshold",
       R"(// NIR Threshold: spikes in every step its input exceeds the threshold.
neuron Threshold {
  param threshold = 0
  param bias = 0
  input I: 1
  spike when I + bias > threshold
}
)"},
  };
  return models;
}

/// The model name of a population's type ("Integrator" for I; the
/// spiking types with reset by subtraction get "Subtract" appended).
std::string modelName(const Population &p, const std::string &reset) {
  if (p.type == "I")
    return "Integrator";
  bool resets = p.type == "LIF" || p.type == "IF" || p.type == "CubaLIF";
  return p.type + (resets && reset == "subtract" ? "Subtract" : "");
}

std::string modelText(const Population &p, const std::string &reset) {
  std::string text = neuronModels().at(p.type);
  std::string name = modelName(p, reset);
  if (name != p.type && p.type != "I")
    text.replace(text.find("neuron " + p.type + " "), 7 + p.type.size(),
                 "neuron " + name);
  if (size_t at = text.find("RESET"); at != std::string::npos) {
    bool subtract = reset == "subtract";
    text.replace(at, 5, subtract ? "v -= v_threshold" : "v = v_reset");
    text.insert(text.find("\nneuron"),
                subtract ? "\n// After a spike v -= v_threshold."
                         : "\n// After a spike v = v_reset.");
    if (subtract)
      text.erase(text.find("  param v_reset = 0\n"), 20);
  }
  return text;
}

/// The synapse a projection from `src` into `dst` uses.
std::string synapseName(const Population &src, const Population &dst) {
  if (src.spiking())
    return dst.type.rfind("Cuba", 0) == 0 ? "SpikeSyn" : "SpikeV";
  return src.type == "Input" ? "InputDrive" : "Drive";
}

const std::map<std::string, std::string> &synapseModels() {
  static const std::map<std::string, std::string> models = {
      {"SpikeV",
       R"(// A spike is a Dirac delta: the target's v jumps by gain * w
// (gain = r / tau for LIF and LI, r for IF and I; tau in seconds).
synapse SpikeV {
  param gain = 1
  weight w: 1
  post v: 1
  on pre { v += gain * w }
}
)"},
      {"SpikeSyn",
       R"(// A spike is a Dirac delta: the target's i_syn jumps by gain * w
// (gain = w_in / tau_syn, tau_syn in seconds).
synapse SpikeSyn {
  param gain = 1
  weight w: 1
  post i_syn: 1
  on pre { i_syn += gain * w }
}
)"},
      {"InputDrive",
       R"(// The weighted input value, summed into the target's I every step.
synapse InputDrive {
  weight w: 1
  pre x: 1
  drives I = w * x_pre
}
)"},
      {"Drive",
       R"(// The weighted value v of a continuous source (LI, I, CubaLI), summed
// into the target's I every step.
synapse Drive {
  weight w: 1
  pre v: 1
  drives I = w * v_pre
}
)"},
  };
  return models;
}

std::string identifier(const std::string &name, std::set<std::string> &taken) {
  static const std::set<std::string> reserved = {
      "neuron",      "synapse",    "network",   "param", "state",
      "input",       "let",        "weight",    "post",  "on",
      "pre",         "drives",     "spike",     "when",  "refractory",
      "unless",      "connect",    "with",      "of",    "record",
      "every",       "run",        "import",    "and",   "or",
      "not",         "if",         "then",      "else",  "one_to_one",
      "no_autapses", "as",         "modulator", "from",  "where",
      "excitatory",  "inhibitory", "function",  "named", "ablate",
      "plasticity",  "dt",         "t",         "xi",    "seed",
      "i",           "j",          "N",         "spikes"};
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "n" + id;
  if (reserved.count(id))
    id += "_";
  std::string unique = id;
  for (int k = 2; taken.count(unique); ++k)
    unique = id + "_" + std::to_string(k);
  taken.insert(unique);
  return unique;
}

std::string stemOf(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  return base.substr(0, base.rfind(".neuro") == std::string::npos
                            ? base.size()
                            : base.rfind(".neuro"));
}

std::string dirOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

void writeText(const std::string &path, const std::string &text) {
  std::string err;
  if (!rt::writeWholeFile(path, text, err))
    throw Error(err);
}

bool uniform(const std::vector<double> &v) {
  for (double x : v)
    if (x != v[0])
      return false;
  return true;
}

struct Writer {
  const Network &net;
  std::string dir, stem;
  std::vector<std::string> written;
  std::vector<std::string> names; ///< population identifiers

  std::string table(const std::string &name) { return stem + "_" + name; }

  /// The arguments of a population: every parameter, as a constant when
  /// all neurons share it, else a column of the population's table.
  std::string populationArgs(const Population &p, const std::string &id) {
    std::vector<std::string> args;
    std::vector<std::string> columns;
    for (const auto &[name, values] : p.params)
      if (!uniform(values))
        columns.push_back(name);
    std::string file = table(id) + ".csv";
    for (const std::string &name : typeParams(p.type)) {
      const std::vector<double> &v = p.params.at(name);
      bool time = name.rfind("tau", 0) == 0;
      if (name == "v_reset" && net.reset == "subtract")
        continue;
      if (!uniform(v))
        args.push_back(name + " = values(\"" + file + "\", " +
                       (time ? "1 s" : "1") + ")");
      else if (!((name == "v_reset" &&
                  (v[0] == 0 || net.reset == "subtract")) ||
                 (name == "w_in" && v[0] == 1)))
        args.push_back(name + " = " + formatNumber(v[0]) + (time ? " s" : ""));
    }
    const std::vector<double> &bias = p.params.at("bias");
    if (!uniform(bias))
      args.push_back("bias = values(\"" + file + "\", 1)");
    else if (bias[0] != 0)
      args.push_back("bias = " + formatNumber(bias[0]));
    if (!columns.empty()) {
      std::ostringstream csv;
      for (size_t c = 0; c < columns.size(); ++c)
        csv << (c ? "," : "") << columns[c];
      csv << "\n";
      for (int64_t i = 0; i < p.size; ++i)
        for (size_t c = 0; c < columns.size(); ++c)
          csv << formatNumber(p.params.at(columns[c])[size_t(i)])
              << (c + 1 < columns.size() ? "," : "\n");
      writeText(dir + file, csv.str());
      written.push_back(dir + file);
    }
    std::string s;
    for (size_t a = 0; a < args.size(); ++a)
      s += (a ? ", " : "") + args[a];
    return s;
  }

  /// Writes a projection's synapses (pre, post, weight[, delay]) and
  /// returns the synapse's arguments.
  std::string projectionTable(const Projection &proj, const std::string &file,
                              std::string &args) {
    const Population &src = net.populations[proj.src];
    const Population &dst = net.populations[proj.dst];
    std::vector<double> gains;
    for (int64_t i = 0; i < dst.size; ++i)
      gains.push_back(spikeGain(dst, size_t(i)));
    bool spikes = src.spiking();
    bool shared = uniform(gains);
    if (spikes && shared)
      args = "(gain = " + formatNumber(gains[0]) + ")";
    bool delays = false;
    for (int64_t d : proj.delay)
      delays |= d != 0;
    size_t cols = delays ? 4 : 3, n = proj.pre.size();
    std::vector<double> data;
    data.reserve(n * cols);
    for (size_t s = 0; s < n; ++s) {
      double w = proj.weight[s];
      if (spikes && !shared)
        w *= gains[size_t(proj.post[s])];
      data.insert(data.end(), {double(proj.pre[s]), double(proj.post[s]), w});
      if (delays)
        data.push_back(double(proj.delay[s]) * net.dt);
    }
    std::string path = dir + file;
    if (file.size() > 4 && file.substr(file.size() - 4) == ".npy") {
      std::string err;
      if (!rt::writeNpyF64(path, data.data(), {int64_t(n), int64_t(cols)}, err))
        throw Error(err);
    } else {
      std::ostringstream csv;
      csv << "pre,post,weight" << (delays ? ",delay\n" : "\n");
      for (size_t s = 0; s < n; ++s)
        for (size_t c = 0; c < cols; ++c)
          csv << formatNumber(data[s * cols + c])
              << (c + 1 < cols ? "," : "\n");
      writeText(path, csv.str());
    }
    written.push_back(path);
    return synapseName(src, dst);
  }

  std::string network(std::set<std::string> &taken) {
    std::ostringstream out;
    out << "network " << identifier(stem, taken) << " {\n";
    out << "  dt = " << formatNumber(net.dt) << " s\n";
    for (size_t k = 0; k < net.populations.size(); ++k) {
      const Population &p = net.populations[k];
      const std::string &id = names[k];
      out << "  " << id << " = " << p.size << " of ";
      if (p.type == "Input") {
        std::string file = table("input") + ".csv";
        if (p.spikeInput) {
          out << "SpikeTimes(file = \"" << file << "\")";
          writeText(dir + file, "i,t\n");
        } else {
          out << "Input(x = timed(\"" << file << "\", " << formatNumber(net.dt)
              << " s, 1))";
          writeText(dir + file, "x\n0\n");
        }
        written.push_back(dir + file);
      } else {
        std::string args = populationArgs(p, id);
        out << modelName(p, net.reset)
            << (args.empty() ? "" : "(" + args + ")");
      }
      out << "\n";
    }
    std::set<std::string> projNames;
    for (const Projection &proj : net.projections) {
      std::string id = identifier(proj.name, taken);
      std::string file =
          table(id) + (proj.pre.size() > 10000 ? ".npy" : ".csv");
      std::string args;
      std::string syn = projectionTable(proj, file, args);
      out << "  connect " << names[proj.src] << " -> " << names[proj.dst]
          << " with " << syn << args << " from \"" << file << "\" as " << id
          << "\n";
    }
    for (size_t k = 0; k < net.populations.size(); ++k) {
      const Population &p = net.populations[k];
      if (!p.output)
        continue;
      // An Output fed by the graph's Input records what the input gives.
      if (p.type == "Input") {
        out << "  record " << (p.spikeInput ? "spikes" : "x") << " of "
            << names[k] << "\n";
        continue;
      }
      if (p.spiking())
        out << "  record spikes of " << names[k] << "\n";
      if (p.type != "Threshold")
        out << "  record v of " << names[k] << "\n";
    }
    out << "  run 100 ms\n}\n";
    return out.str();
  }
};

} // namespace

std::vector<std::string> nir::writeNeuro(const Network &net,
                                         const std::string &path) {
  Writer w{net, dirOf(path), stemOf(path), {}, {}};
  std::set<std::string> taken;
  for (const Population &p : net.populations)
    w.names.push_back(identifier(p.name, taken));
  std::ostringstream out;
  out << "// Imported from a NIR graph by neuroc import (dt "
      << formatNumber(net.dt) << " s, reset " << net.reset << ", input "
      << net.input << ").\n"
      << "// NIR is continuous in time; each step solves the linear dynamics "
         "exactly,\n// spikes are Dirac deltas delivered at the end of their "
         "step, and times\n// are in seconds (docs/interop.md).\n";
  std::set<std::string> models, synapses;
  for (const Population &p : net.populations)
    if (!p.spikeInput && models.insert(modelName(p, net.reset)).second)
      out << "\n" << modelText(p, net.reset);
  for (const Projection &proj : net.projections)
    synapses.insert(
        synapseName(net.populations[proj.src], net.populations[proj.dst]));
  for (const std::string &s : synapses)
    out << "\n" << synapseModels().at(s);
  out << "\n" << w.network(taken);
  writeText(path, out.str());
  w.written.insert(w.written.begin(), path);
  return w.written;
}
