//===- CheckNetwork.cpp - Networks ----------------------------------------===//
//
// A network: its parameters and settings, populations, connects, records,
// ablations, runs and plasticity switches, instantiated as populations
// and projections with their values in SI.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Frontend/Imports.h"
#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/Table.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace neuro;
using namespace neuro::sema;

void Checker::checkNetwork(const NetworkDecl &decl) {
  NetworkInfo net;
  net.decl = &decl;
  inNetwork = true;
  checkNetworkParams(decl, net);
  checkNetworkSettings(decl, net);
  std::map<std::string, int> popIndex;
  for (const PopulationDecl &p : decl.populations)
    checkPopulation(p, net, popIndex);
  std::map<std::string, int> projNames;
  for (const ConnectDecl &c : decl.connects)
    checkConnect(c, net, popIndex, projNames);
  for (const RecordTarget &t : decl.ablated)
    checkAblated(t, net, popIndex);
  for (const RecordDecl &r : decl.records)
    checkRecord(r, net, popIndex);
  std::vector<int64_t> runStart;
  bool runsOk = checkRuns(decl, net, runStart);
  checkPlasticitySwitches(decl, net, runStart, runsOk);
  if (decl.populations.empty())
    diag.error(decl.range, "network '" + decl.name + "' has no population");
  for (PopulationInfo &pop : net.populations)
    if (pop.driveInputs && pop.size == 0) {
      diag.error(pop.decl->range,
                 "Poisson drive '" + pop.decl->name +
                     "' drives nothing; connect it to the populations it "
                     "drives");
      pop.size = 1;
    }
  netConstants.clear();
  inNetwork = false;
  result.networks.push_back(std::move(net));
}

void Checker::checkNetworkParams(const NetworkDecl &decl, NetworkInfo &net) {
  netConstants.clear();
  std::map<std::string, SourceRange> seen;
  for (const VarDecl &v : decl.params) {
    if (!seen.emplace(v.name, v.nameRange).second) {
      diag.error(v.nameRange,
                 "redefinition of '" + v.name + "' in '" + decl.name + "'");
      diag.note(seen[v.name], "previous definition is here");
      continue;
    }
    std::optional<Dim> declared;
    if (v.unit && !(declared = resolveUnit(*v.unit)))
      continue;
    auto value = netConst(*v.init, "the parameter '" + v.name + "'");
    if (!value)
      continue;
    if (declared && *declared != value->second) {
      diag.error(v.init->range, "parameter '" + v.name + "' is declared in " +
                                    declared->str() +
                                    " but its value has dimension " +
                                    value->second.str());
      continue;
    }
    if (auto o = overrides.find(v.name); o != overrides.end()) {
      std::string err;
      double given = 0;
      consumedOverrides.insert(v.name);
      if (rt::parseQuantityOf(o->second, value->second.symbol(),
                              "'" + v.name + "'", given, err))
        value->first = given;
      else
        diag.error(v.nameRange, "--set " + v.name + ": " + err);
    }
    netConstants[v.name] = *value;
    net.constants[v.name] = value->first;
  }
}

void Checker::checkNetworkSettings(const NetworkDecl &decl, NetworkInfo &net) {
  std::map<std::string, SourceRange> settingsSeen;
  for (const NamedExpr &s : decl.settings) {
    if (!settingsSeen.emplace(s.name, s.nameRange).second) {
      diag.error(s.nameRange, "'" + s.name + "' is set twice");
      diag.note(settingsSeen[s.name], "first set here");
      continue;
    }
    if (s.name == "dt") {
      if (auto v = netQuantity(*s.value, Dim::time(), "dt")) {
        if (*v <= 0)
          diag.error(s.value->range, "dt must be positive");
        else
          net.dt = *v;
      }
    } else if (s.name == "seed") {
      if (auto v = netQuantity(*s.value, Dim::none(), "seed")) {
        if (*v < 0 || *v != std::floor(*v) || *v > 1.8e19)
          diag.error(s.value->range, "seed must be a non-negative integer");
        else
          net.seed = static_cast<uint64_t>(*v);
      }
    } else {
      diag.error(s.nameRange, "unknown network setting '" + s.name +
                                  "' (expected 'dt', 'seed', or a "
                                  "population 'name = N of Model')");
    }
  }
}

bool Checker::checkRuns(const NetworkDecl &decl, NetworkInfo &net,
                        std::vector<int64_t> &runStart) {
  if (decl.runs.empty())
    diag.error(decl.range,
               "network '" + decl.name + "' has no 'run <duration>' statement");
  // Each run is a whole number of steps; switches of plasticity take
  // effect at the step where the next run starts.
  runStart = {0};
  bool runsOk = true;
  for (const RunDecl &r : decl.runs) {
    auto v = netQuantity(*r.duration, Dim::time(), "the duration");
    double steps = v ? std::round(*v / net.dt) : 0;
    if (!v) {
      runsOk = false;
    } else if (*v <= 0) {
      diag.error(r.duration->range, "the duration must be positive");
      runsOk = false;
    } else if (steps + double(runStart.back()) > 1e12) {
      diag.error(r.duration->range, "the duration is more than 1e12 steps");
      runsOk = false;
    } else {
      runStart.push_back(runStart.back() +
                         std::max<int64_t>(1, int64_t(steps)));
    }
  }
  if (runsOk && !decl.runs.empty())
    net.duration = double(runStart.back()) * net.dt;
  return runsOk;
}

void Checker::checkPlasticitySwitches(const NetworkDecl &decl, NetworkInfo &net,
                                      const std::vector<int64_t> &runStart,
                                      bool runsOk) {
  for (const PlasticityDecl &d : decl.plasticity) {
    if (d.afterRuns >= decl.runs.size() && !decl.runs.empty())
      diag.warning(d.range, "'plasticity' after the last 'run' has no "
                            "effect");
    for (const NameRef &name : d.projections) {
      int proj = -1;
      for (size_t j = 0; j < net.projections.size(); ++j)
        if (net.projections[j].name == name.name)
          proj = int(j);
      if (proj < 0) {
        diag.error(name.range, "unknown projection '" + name.name +
                                   "' (name it with 'connect ... as " +
                                   name.name + "')");
        continue;
      }
      if (runsOk && d.afterRuns < runStart.size())
        net.plasticSwitches.push_back(
            {runStart[d.afterRuns], proj, d.on, d.range});
    }
  }
}

std::optional<std::pair<double, double>>
Checker::cellSlice(const std::optional<std::pair<double, double>> &slice,
                   const std::optional<NameRef> &cell, const NetworkInfo &net,
                   int pop) {
  if (!cell)
    return slice;
  const PopulationInfo &p = net.populations[size_t(pop)];
  auto it = std::find(p.cells.begin(), p.cells.end(), cell->name);
  if (it == p.cells.end()) {
    diag.error(cell->range,
               p.cells.empty()
                   ? "population '" + p.decl->name +
                         "' has no named neurons (declare it 'named "
                         "\"FILE\"')"
                   : "population '" + p.decl->name + "' has no neuron '" +
                         cell->name + "'");
    return std::nullopt;
  }
  double k = double(it - p.cells.begin());
  return std::make_pair(k, k + 1);
}

void Checker::checkPopulation(const PopulationDecl &p, NetworkInfo &net,
                              std::map<std::string, int> &popIndex) {
  PopulationInfo pop;
  pop.decl = &p;
  if (popIndex.count(p.name)) {
    diag.error(p.range, "redefinition of population '" + p.name + "'");
    return;
  }
  const std::string &kind = p.model.name;
  bool source = !result.models.count(kind) &&
                (kind == "SpikeTimes" || kind == "PoissonInput" ||
                 kind == "PoissonDrive");
  if (source ? !checkSpikeSource(p, net.dt, pop)
             : !checkModelPopulation(p, net.dt, pop))
    return;
  readCells(p, pop);
  popIndex[p.name] = static_cast<int>(net.populations.size());
  net.populations.push_back(std::move(pop));
}

void Checker::checkPopulationSize(const PopulationDecl &p,
                                  PopulationInfo &pop) {
  if (auto v = netQuantity(*p.size, Dim::none(), "a population size")) {
    if (*v < 1 || *v != std::floor(*v) || *v > 2e9)
      diag.error(p.size->range, "a population size must be a whole number "
                                "from 1 to 2e9, got " +
                                    fmt(*v));
    else
      pop.size = static_cast<int64_t>(*v);
  }
}

bool Checker::checkModelPopulation(const PopulationDecl &p, double dt,
                                   PopulationInfo &pop) {
  auto mit = result.models.find(p.model.name);
  if (mit == result.models.end() || mit->second.isSynapse) {
    diag.error(p.model.range,
               mit == result.models.end()
                   ? "unknown neuron model '" + p.model.name + "'" +
                         libraryImportHint(p.model.name, ModelKind::Neuron)
                   : "'" + p.model.name + "' is a synapse, not a neuron");
    return false;
  }
  pop.model = &mit->second;
  checkPopulationSize(p, pop);
  pop.params = paramEnv(*pop.model);
  for (const VarDecl &v : pop.model->neuron->vars)
    if (v.kind == VarDecl::Kind::State)
      pop.inits.push_back({v.name, InitValue{}});
  timedDt = dt;
  timedSize = pop.size;
  std::map<std::string, Dim> env = populationEnv(*pop.model);
  argEnv = &env;
  applyArgs(*pop.model, p.model.range, p.args, pop.params, pop.inits,
            {VarDecl::Kind::State}, &pop.paramInits);
  argEnv = nullptr;
  makeTunable(p.name, pop);
  deriveFromParameters(p, pop);
  // The refractory period may depend on overridden parameters.
  pop.refractory = pop.model->refractory;
  const NeuronDecl &nd = *pop.model->neuron;
  if (nd.spike && nd.spike->refractory) {
    for (auto &pn : pop.paramInits)
      perNeuronNames.insert(pn.first);
    auto v = evalConst(*nd.spike->refractory, pop.params, paramDims(*pop.model),
                       "the refractory period");
    perNeuronNames.clear();
    if (v && v->second == Dim::time() && std::isfinite(v->first) &&
        v->first >= 0)
      pop.refractory = v->first;
    else if (v)
      diag.error(p.range, "with these parameters the refractory period "
                          "is not a time >= 0");
  }
  return true;
}

void Checker::makeTunable(const std::string &popName, PopulationInfo &pop) {
  if (tunable.empty())
    return;
  const NeuronDecl &nd = *pop.model->neuron;
  for (const VarDecl &v : nd.vars) {
    if (v.kind != VarDecl::Kind::Param)
      continue;
    bool named = tunable.count(popName + "." + v.name);
    if (!named && !tunable.count(popName + ".*") && !tunable.count("*"))
      continue;
    auto it = pop.params.find(v.name);
    if (it == pop.params.end())
      continue; // already per neuron
    if (nd.spike && nd.spike->refractory &&
        refersTo(*nd.spike->refractory, v.name)) {
      if (named)
        diag.error(pop.decl->range,
                   "'" + popName + "." + v.name +
                       "' sets the refractory period, which is compiled "
                       "into the kernels; it cannot be set per run");
      continue;
    }
    InitValue iv;
    iv.a = iv.b = it->second;
    pop.paramInits.push_back({v.name, iv});
    pop.params.erase(it);
  }
}

void Checker::deriveFromParameters(const PopulationDecl &p,
                                   PopulationInfo &pop) {
  const ModelInfo &model = *pop.model;
  const NeuronDecl &nd = *model.neuron;
  // Given at the population, or named to be set per run: not derived.
  std::set<std::string> given;
  for (const NamedExpr &a : p.args)
    given.insert(a.name);
  for (const VarDecl &v : nd.vars)
    if (tunable.count(p.name + "." + v.name))
      given.insert(v.name);
  deriveParams(p, given, pop);
  sortPerNeuron(pop);
  // Initial values of states that read per-neuron parameters.
  for (auto &[name, iv] : pop.inits) {
    const VarDecl *decl = model.vars.at(name).decl;
    if (given.count(name) || !decl->init)
      continue;
    bool readsRows = false;
    for (auto &[other, ov] : pop.paramInits)
      readsRows |= refersTo(*decl->init, other);
    if (!readsRows)
      continue;
    iv = InitValue{};
    iv.kind = InitValue::Kind::Expr;
    iv.expr = decl->init.get();
  }
}

void Checker::deriveParams(const PopulationDecl &p,
                           const std::set<std::string> &given,
                           PopulationInfo &pop) {
  const ModelInfo &model = *pop.model;
  const NeuronDecl &nd = *model.neuron;
  auto perNeuron = [&](const std::string &name) {
    return llvm::find_if(pop.paramInits,
                         [&](auto &e) { return e.first == name; });
  };
  std::map<std::string, Dim> dims = paramDims(model);
  for (const VarDecl &v : nd.vars) {
    if (v.kind != VarDecl::Kind::Param || given.count(v.name) || !v.init)
      continue;
    std::vector<std::string> rows;
    bool usesParams = false;
    for (const VarDecl &u : nd.vars)
      if (u.kind == VarDecl::Kind::Param && refersTo(*v.init, u.name)) {
        usesParams = true;
        if (perNeuron(u.name) != pop.paramInits.end())
          rows.push_back(u.name);
      }
    if (!usesParams)
      continue;
    auto entry = perNeuron(v.name);
    if (!rows.empty()) {
      for (const std::string &r : rows)
        if (perNeuron(r)->second.kind == InitValue::Kind::Timed &&
            perNeuron(r)->second.values &&
            perNeuron(r)->second.values->size() >
                size_t(perNeuron(r)->second.columns))
          diag.error(p.range, "'" + v.name + "' of '" + model.name +
                                  "' is computed from '" + r +
                                  "', which follows a table in time; give '" +
                                  v.name + "' a value of its own");
      InitValue iv;
      iv.kind = InitValue::Kind::Expr;
      iv.expr = v.init.get();
      iv.derived = true;
      if (entry != pop.paramInits.end())
        entry->second = iv;
      else
        pop.paramInits.push_back({v.name, iv});
      pop.params.erase(v.name);
      continue;
    }
    auto value = evalConst(*v.init, pop.params, dims, "a parameter's value");
    if (!value)
      continue;
    if (pop.params.count(v.name))
      pop.params[v.name] = value->first;
    else if (entry != pop.paramInits.end() &&
             entry->second.kind == InitValue::Kind::Constant)
      entry->second.a = entry->second.b = value->first;
  }
}

void Checker::sortPerNeuron(PopulationInfo &pop) {
  const NeuronDecl &nd = *pop.model->neuron;
  // In declaration order, each reading only those before it.
  auto order = [&](const std::string &name) {
    for (size_t k = 0; k < nd.vars.size(); ++k)
      if (nd.vars[k].name == name)
        return k;
    return nd.vars.size();
  };
  std::stable_sort(
      pop.paramInits.begin(), pop.paramInits.end(),
      [&](auto &a, auto &b) { return order(a.first) < order(b.first); });
  for (auto &[name, iv] : pop.paramInits) {
    if (iv.kind != InitValue::Kind::Expr)
      continue;
    for (auto &[other, ov] : pop.paramInits)
      if (order(other) >= order(name) && refersTo(*iv.expr, other))
        diag.error(iv.expr->range,
                   "'" + other + "' is set per neuron and declared after '" +
                       name + "', so the value of '" + name +
                       "' cannot use it");
  }
}

/// Two spikes of `spikes` (time, neuron) of one neuron in one step of
/// `dt` (round(t / dt), as the runtime schedules them), as indices into
/// `spikes`, earlier one first.
static std::optional<std::pair<size_t, size_t>>
sameStep(const std::vector<std::pair<double, int64_t>> &spikes, double dt) {
  std::vector<std::tuple<int64_t, int64_t, size_t>> keys;
  for (size_t n = 0; n < spikes.size(); ++n)
    keys.emplace_back(spikes[n].second, std::llround(spikes[n].first / dt), n);
  std::sort(keys.begin(), keys.end());
  for (size_t k = 1; k < keys.size(); ++k)
    if (std::get<0>(keys[k]) == std::get<0>(keys[k - 1]) &&
        std::get<1>(keys[k]) == std::get<1>(keys[k - 1]))
      return std::make_pair(std::get<2>(keys[k - 1]), std::get<2>(keys[k]));
  return std::nullopt;
}

/// "neuron 0 spikes twice in step 10 (t = ...)" for two spikes of
/// `sameStep`.
static std::string twiceInStep(const std::pair<double, int64_t> &a,
                               const std::pair<double, int64_t> &b, double dt) {
  return "neuron " + std::to_string(a.second) + " spikes twice in step " +
         std::to_string(std::llround(a.first / dt)) + " (t = " + fmt(a.first) +
         " s and " + fmt(b.first) +
         " s); a neuron spikes at most once per step of dt = " + fmt(dt) + " s";
}

bool Checker::checkSpikeSource(const PopulationDecl &p, double dt,
                               PopulationInfo &pop) {
  checkPopulationSize(p, pop);
  if (p.model.name == "SpikeTimes")
    pop.generator = checkSpikeTimes(p, pop.size, dt);
  else
    pop.poissonRate = checkPoissonInput(p, dt);
  if (!pop.generator && !pop.poissonRate)
    return false;
  if (p.model.name == "PoissonDrive") {
    // K inputs per target; one neuron per target, counted as the drive is
    // connected.
    pop.driveInputs = pop.size;
    pop.size = 0;
    if (p.cells || p.sign)
      diag.error(p.range, "a PoissonDrive has no named neurons and no "
                          "sign of its own");
  }
  return true;
}

std::optional<double> Checker::checkPoissonInput(const PopulationDecl &p,
                                                 double dt) {
  const Expr *rate = nullptr;
  const std::string &kind = p.model.name;
  for (const NamedExpr &a : p.args) {
    if (a.name == "rate" && !rate)
      rate = a.value.get();
    else
      diag.error(a.nameRange,
                 kind + " takes 'rate' (once), not '" + a.name + "'");
  }
  if (!rate) {
    diag.error(p.range,
               kind + " needs rate = RATE, e.g. " + kind + "(rate = 15 Hz)");
    return std::nullopt;
  }
  auto v = netQuantity(*rate, Dim::none() / Dim::time(), "the rate");
  if (!v)
    return std::nullopt;
  if (!(*v >= 0) || !std::isfinite(*v)) {
    diag.error(rate->range,
               "the rate must be finite and >= 0, got " + fmt(*v) + " Hz");
    return std::nullopt;
  }
  if (*v * dt > 1) {
    diag.error(rate->range, "rate * dt = " + fmt(*v * dt) +
                                " exceeds 1: a source spikes at most once "
                                "per step; lower the rate or dt");
    return std::nullopt;
  }
  return v;
}

std::optional<Spikes> Checker::checkSpikeTimes(const PopulationDecl &p,
                                               int64_t size, double dt) {
  const Expr *indices = nullptr, *times = nullptr, *file = nullptr;
  for (const NamedExpr &a : p.args) {
    if (a.name == "indices" && !indices)
      indices = a.value.get();
    else if (a.name == "times" && !times)
      times = a.value.get();
    else if (a.name == "file" && !file)
      file = a.value.get();
    else
      diag.error(a.nameRange, "SpikeTimes takes 'indices' and 'times', or "
                              "'file' (once each), not '" +
                                  a.name + "'");
  }
  if (file) {
    if (file->kind != Expr::Kind::String || indices || times) {
      diag.error(file->range, "SpikeTimes(file = \"FILE\") takes a file "
                              "name in quotes and no 'indices' or 'times'");
      return std::nullopt;
    }
    return readSpikeTimesFile(p, *file, size, dt);
  }
  if (!indices || !times || indices->kind != Expr::Kind::List ||
      times->kind != Expr::Kind::List) {
    diag.error(p.range, "SpikeTimes needs indices = [...] and "
                        "times = [...], lists of the same length, or "
                        "file = \"FILE\"");
    return std::nullopt;
  }
  if (indices->args.size() != times->args.size()) {
    diag.error(times->range, "'times' has " +
                                 std::to_string(times->args.size()) +
                                 " entries, 'indices' " +
                                 std::to_string(indices->args.size()));
    return std::nullopt;
  }
  Spikes spikes;
  bool ok = true;
  for (size_t n = 0; n < times->args.size(); ++n) {
    auto i = netQuantity(*indices->args[n], Dim::none(), "an index");
    auto t = netQuantity(*times->args[n], Dim::time(), "a spike time");
    if (!i || !t) {
      ok = false;
      continue;
    }
    if (*i < 0 || *i != std::floor(*i) || *i >= double(size)) {
      diag.error(indices->args[n]->range,
                 "index " + fmt(*i) + " is not a neuron of the " +
                     std::to_string(size) + " of '" + p.name + "'");
      ok = false;
    } else if (*t < 0) {
      diag.error(times->args[n]->range, "spike times must be >= 0");
      ok = false;
    } else {
      spikes.push_back({*t, static_cast<int64_t>(*i)});
    }
  }
  if (!ok)
    return std::nullopt;
  if (auto twice = sameStep(spikes, dt)) {
    diag.error(times->args[twice->second]->range,
               twiceInStep(spikes[twice->first], spikes[twice->second], dt));
    diag.note(times->args[twice->first]->range, "its other spike");
    return std::nullopt;
  }
  return spikes;
}

std::optional<Spikes> Checker::readSpikeTimesFile(const PopulationDecl &p,
                                                  const Expr &file,
                                                  int64_t size, double dt) {
  std::vector<int64_t> is;
  std::vector<double> ts;
  std::string err;
  if (!rt::readSpikeTimes(resolvePath(file.text), is, ts, err)) {
    diag.error(file.range, "cannot read the spike times: " + err);
    return std::nullopt;
  }
  Spikes spikes;
  for (size_t r = 0; r < is.size(); ++r) {
    if (is[r] >= size) {
      diag.error(file.range, file.text + ": row " + std::to_string(r + 1) +
                                 ": index " + std::to_string(is[r]) +
                                 " is not a neuron of the " +
                                 std::to_string(size) + " of '" + p.name + "'");
      return std::nullopt;
    }
    spikes.push_back({ts[r], is[r]});
  }
  if (auto twice = sameStep(spikes, dt)) {
    diag.error(file.range, file.text + ": rows " +
                               std::to_string(twice->first + 1) + " and " +
                               std::to_string(twice->second + 1) + ": " +
                               twiceInStep(spikes[twice->first],
                                           spikes[twice->second], dt));
    return std::nullopt;
  }
  return spikes;
}

bool Checker::connectDrive(const ConnectDecl &c, const ModelInfo &syn,
                           bool rule, PopulationInfo &drive,
                           ProjectionInfo &proj) {
  const std::string &name = drive.decl->name;
  // Connected, if wrongly: not also "drives nothing".
  drive.size = std::max<int64_t>(drive.size, 1);
  if (rule || c.sourceSlice || c.sourceCell || c.where || c.file) {
    diag.error(c.range, "'" + name +
                            "' drives every target with its own inputs; a "
                            "connect from it takes no rule, slice or file");
    return false;
  }
  const SynapseDecl &s = *syn.synapse;
  bool perSynapse = !s.odes.empty();
  for (const VarDecl &v : s.vars)
    perSynapse |= v.kind == VarDecl::Kind::State ||
                  v.kind == VarDecl::Kind::PreVar ||
                  v.kind == VarDecl::Kind::Modulator;
  for (const EventDecl &e : s.events)
    perSynapse |= e.event == "post";
  for (const DrivesDecl &d : s.drives) {
    std::set<VarDecl::Kind> kinds;
    collectKinds(*d.value, syn, kinds);
    perSynapse |=
        kinds.count(VarDecl::Kind::Weight) || kinds.count(VarDecl::Kind::State);
  }
  if (perSynapse) {
    diag.error(c.synapse.range,
               "a synapse from Poisson drive '" + name +
                   "' stands for all the inputs of its target, so '" +
                   syn.name +
                   "' may only act on the target ('on pre', post states "
                   "and drives of them): no per-synapse states, "
                   "equations, 'on post' or summed drives");
    return false;
  }
  proj.rule = "one_to_one";
  proj.srcBegin = drive.connected;
  proj.srcEnd = drive.connected + (proj.dstEnd - proj.dstBegin);
  drive.size = drive.connected = proj.srcEnd;
  return true;
}

std::map<std::string, Dim> Checker::populationEnv(const ModelInfo &model) {
  std::map<std::string, Dim> env{{"i", Dim::none()}, {"N", Dim::none()}};
  for (const auto &[name, vi] : model.vars)
    if (vi.decl->kind == VarDecl::Kind::Param)
      env[name] = vi.dim;
  return env;
}

std::map<std::string, Dim> Checker::connectEnv(const ModelInfo &syn,
                                               const PopulationInfo &src,
                                               const PopulationInfo &dst) {
  std::map<std::string, Dim> env{{"i", Dim::none()},
                                 {"j", Dim::none()},
                                 {"N_pre", Dim::none()},
                                 {"N_post", Dim::none()}};
  for (auto [pop, suffix] :
       {std::make_pair(&src, "_pre"), std::make_pair(&dst, "_post")})
    if (pop->model)
      for (const auto &[name, vi] : pop->model->vars)
        if (vi.decl->kind == VarDecl::Kind::Param ||
            vi.decl->kind == VarDecl::Kind::State)
          env[name + suffix] = vi.dim;
  for (const auto &[name, vi] : syn.vars)
    if (vi.decl->kind == VarDecl::Kind::Param)
      env[name] = vi.dim;
  return env;
}

void Checker::applyArgs(const ModelInfo &model, SourceRange modelRef,
                        const std::vector<NamedExpr> &args,
                        std::map<std::string, double> &params, Inits &inits,
                        const std::vector<VarDecl::Kind> &initKinds,
                        Inits *perNeuron) {
  std::map<std::string, SourceRange> given;
  for (const NamedExpr &a : args) {
    if (!given.emplace(a.name, a.nameRange).second) {
      diag.error(a.nameRange, "'" + a.name + "' given twice");
      continue;
    }
    auto it = model.vars.find(a.name);
    if (it == model.vars.end()) {
      diag.error(a.nameRange, "'" + model.name +
                                  "' has no parameter or state named '" +
                                  a.name + "'");
      continue;
    }
    applyArg(model, a, it->second, params, inits, initKinds, perNeuron);
  }
  applyDefaultInits(model, modelRef, given, params, inits, perNeuron);
}

void Checker::applyArg(const ModelInfo &model, const NamedExpr &a,
                       const VarInfo &var,
                       std::map<std::string, double> &params, Inits &inits,
                       const std::vector<VarDecl::Kind> &initKinds,
                       Inits *perNeuron) {
  VarDecl::Kind kind = var.decl->kind;
  if (kind == VarDecl::Kind::Modulator)
    return; // bound by bindModulators
  // A population's argument that reads the model's parameters is
  // computed per neuron too (from the rows of those set per neuron).
  bool readsParams = false;
  if (perNeuron)
    for (const auto &[name, vi] : model.vars)
      readsParams |=
          vi.decl->kind == VarDecl::Kind::Param && refersTo(*a.value, name);
  if (argEnv && (needsKernel(*a.value) || readsParams) &&
      (kind == VarDecl::Kind::State ||
       (kind == VarDecl::Kind::Param && perNeuron) ||
       (kind == VarDecl::Kind::Weight && !perNeuron))) {
    applyKernelArg(a, var, params, inits, perNeuron);
    return;
  }
  bool timed = a.value->kind == Expr::Kind::Call && a.value->name == "timed";
  bool fromFile =
      a.value->kind == Expr::Kind::Call && a.value->name == "values";
  if ((kind == VarDecl::Kind::Param || kind == VarDecl::Kind::State) &&
      fromFile && perNeuron) {
    // One value per neuron from a table file.
    if (auto v = evalValues(*a.value, a.name, var.dim)) {
      if (kind == VarDecl::Kind::Param) {
        perNeuron->push_back({a.name, *v});
        params.erase(a.name);
      } else {
        for (auto &[name, iv] : inits)
          if (name == a.name)
            iv = *v;
      }
    }
    return;
  }
  if (kind == VarDecl::Kind::Param && timed && perNeuron) {
    // A parameter that changes in time: a row the runtime refills.
    if (auto v = evalTimed(*a.value, var.dim)) {
      perNeuron->push_back({a.name, *v});
      params.erase(a.name);
    }
    return;
  }
  bool drawn =
      a.value->kind == Expr::Kind::Call &&
      (a.value->name == "uniform" || a.value->name == "normal" || timed);
  if (kind == VarDecl::Kind::Param && drawn) {
    // A parameter drawn per neuron: it becomes a row of the population.
    if (!perNeuron) {
      diag.error(a.value->range, "per-synapse parameters are not "
                                 "supported yet; only neuron parameters "
                                 "can be drawn per neuron");
      return;
    }
    static const std::map<std::string, double> env;
    static const std::map<std::string, Dim> dims;
    if (auto v = evalInit(*a.value, env, dims, var.dim)) {
      perNeuron->push_back({a.name, v->first});
      params.erase(a.name);
    }
  } else if (kind == VarDecl::Kind::Param) {
    auto v = netQuantity(*a.value, var.dim, "parameter '" + a.name + "'");
    if (v)
      params[a.name] = *v;
  } else if (std::find(initKinds.begin(), initKinds.end(), kind) !=
             initKinds.end()) {
    static const std::map<std::string, double> env;
    static const std::map<std::string, Dim> dims;
    auto v = evalInit(*a.value, env, dims, var.dim);
    if (v)
      for (auto &[name, iv] : inits)
        if (name == a.name)
          iv = v->first;
  } else {
    diag.error(a.nameRange,
               "cannot set " + kindName(kind) + " '" + a.name + "' here");
  }
}

void Checker::applyKernelArg(const NamedExpr &a, const VarInfo &var,
                             std::map<std::string, double> &params,
                             Inits &inits, Inits *perNeuron) {
  // Evaluated per neuron (synapse) when the network is built.
  auto t = typeNetExpr(*a.value, *argEnv,
                       perNeuron ? "a population's initial values (use "
                                   "i, N, parameters and draws)"
                                 : "a synapse's initial values (use i, "
                                   "j, N_pre, N_post, NAME_pre, "
                                   "NAME_post, parameters and draws)");
  if (!t)
    return;
  if (t->isBool || t->dim != var.dim) {
    diag.error(a.value->range,
               "initial value has dimension " +
                   (t->isBool ? std::string("truth value") : t->dim.str()) +
                   " but '" + a.name + "' is in " + var.dim.str());
    return;
  }
  InitValue iv;
  iv.kind = InitValue::Kind::Expr;
  iv.expr = a.value.get();
  if (var.decl->kind == VarDecl::Kind::Param) {
    perNeuron->push_back({a.name, iv});
    params.erase(a.name);
  } else {
    for (auto &[name, v] : inits)
      if (name == a.name)
        v = iv;
  }
}

void Checker::applyDefaultInits(const ModelInfo &model, SourceRange modelRef,
                                const std::map<std::string, SourceRange> &given,
                                const std::map<std::string, double> &params,
                                Inits &inits, const Inits *perNeuron) {
  // Initial values that depend on parameters see the overrides.
  for (auto &[name, iv] : inits) {
    if (given.count(name))
      continue;
    const VarDecl *decl = model.vars.at(name).decl;
    if (!decl->init) {
      diag.error(modelRef, "'" + model.name + "' needs a value for " +
                               kindName(decl->kind) + " '" + name + "'");
      continue;
    }
    std::map<std::string, Dim> dims = paramDims(model);
    perNeuronNames.clear();
    bool readsRows = false;
    if (perNeuron)
      for (auto &p : *perNeuron) {
        perNeuronNames.insert(p.first);
        readsRows |= refersTo(*decl->init, p.first);
      }
    if (readsRows) {
      // Computed per neuron from the rows (deriveFromParameters).
      perNeuronNames.clear();
      continue;
    }
    auto v = evalInit(*decl->init, params, dims, model.vars.at(name).dim);
    perNeuronNames.clear();
    if (v)
      iv = v->first;
  }
}

/// A connect statement being checked: what its options and file give, and
/// its source neurons; each of its targets makes one projection.
struct sema::Connection {
  const ConnectDecl *decl = nullptr;
  /// The synapse model, with the rules attached.
  const ModelInfo *syn = nullptr;
  double p = 1.0, delay = 0.0;
  std::optional<InitValue> delayInit;
  /// `p` and `delay` as expressions of the pair (needsKernel).
  const Expr *probExpr = nullptr, *delayExpr = nullptr;
  std::string rule = "probability";
  int64_t degree = 0;
  bool autapses = true;
  /// Where the rule is given; empty when none is.
  SourceRange ruleRange;
  /// `from "FILE"`: the synapses listed, and the file's resolved path.
  std::optional<rt::ConnectionList> listed;
  std::string listedPath;
  /// The source population and its neurons [srcBegin, srcEnd).
  int src = 0;
  int64_t srcBegin = 0, srcEnd = 0;
};

/// Whether synapse `syn` needs states of its target neuron (post states,
/// post variables or drives); a spike source given by times can only be
/// the target of a synapse that does not (e.g. pure plasticity).
static bool touchesTarget(const ModelInfo &syn) {
  if (!syn.synapse->drives.empty())
    return true;
  for (const VarDecl &v : syn.synapse->vars)
    if (v.kind == VarDecl::Kind::PostState || v.kind == VarDecl::Kind::PostVar)
      return true;
  return false;
}

void Checker::checkConnect(const ConnectDecl &c, NetworkInfo &net,
                           const std::map<std::string, int> &popIndex,
                           std::map<std::string, int> &projNames) {
  auto src = popIndex.find(c.source.name);
  if (src == popIndex.end()) {
    diag.error(c.source.range, "unknown population '" + c.source.name + "'");
    return;
  }
  auto mit = result.models.find(c.synapse.name);
  if (mit == result.models.end() || !mit->second.isSynapse) {
    diag.error(c.synapse.range,
               mit == result.models.end()
                   ? "unknown synapse model '" + c.synapse.name + "'" +
                         libraryImportHint(c.synapse.name, ModelKind::Synapse)
                   : "'" + c.synapse.name + "' is a neuron, not a synapse");
    return;
  }
  if (mit->second.isRule) {
    diag.error(c.synapse.range,
               "'" + c.synapse.name +
                   "' is a plasticity rule; attach it to a synapse "
                   "model, as in 'with ExpConductance + " +
                   c.synapse.name + "'");
    return;
  }
  const ModelInfo *withRules = &mit->second;
  if (!c.rules.empty()) {
    withRules = attachRules(mit->second, c);
    if (!withRules)
      return;
  }
  Connection conn;
  conn.decl = &c;
  conn.syn = withRules;
  conn.src = src->second;
  readConnectOptions(conn);
  // `from "FILE"`: the synapses as listed, checked against the sizes of the
  // source and target below.
  if (c.file && !readListed(conn))
    return;
  if (!sliceNeurons(cellSlice(c.sourceSlice, c.sourceCell, net, conn.src), net,
                    conn.src, c.source.range, conn.srcBegin, conn.srcEnd))
    return;
  for (size_t ti = 0; ti < c.targets.size(); ++ti)
    if (!checkTarget(conn, ti, net, popIndex, projNames))
      break;
}

void Checker::readConnectOptions(Connection &conn) {
  auto setRule = [&](const std::string &r, SourceRange where) {
    if (conn.rule != "probability" || conn.ruleRange.begin.line) {
      diag.error(where, "a connection has one rule: p, in_degree, "
                        "out_degree or one_to_one");
      return false;
    }
    conn.rule = r;
    conn.ruleRange = where;
    return true;
  };
  for (const NamedExpr &o : conn.decl->options) {
    if (!o.value) {
      if (o.name == "one_to_one")
        setRule("one_to_one", o.range);
      else if (o.name == "no_autapses")
        conn.autapses = false;
      else
        diag.error(o.nameRange,
                   "unknown connect option '" + o.name +
                       "' (expected one_to_one, no_autapses, or p, "
                       "in_degree, out_degree, delay with a value)");
      continue;
    }
    if (o.name == "p" && needsKernel(*o.value)) {
      // A probability per pair, typed per target below.
      if (setRule("probability", o.range))
        conn.probExpr = o.value.get();
    } else if (o.name == "delay" && needsKernel(*o.value)) {
      conn.delayExpr = o.value.get();
    } else if (o.name == "p") {
      if (auto v = netQuantity(*o.value, Dim::none(),
                               "the connection probability p")) {
        if (*v < 0 || *v > 1)
          diag.error(o.value->range,
                     "the connection probability p must lie in [0, 1], "
                     "got " +
                         fmt(*v));
        else if (setRule("probability", o.range))
          conn.p = *v;
      }
    } else if (o.name == "in_degree" || o.name == "out_degree") {
      if (auto v = netQuantity(*o.value, Dim::none(), o.name)) {
        if (*v < 0 || *v != std::floor(*v) || *v > 2e9)
          diag.error(o.value->range,
                     o.name + " must be a whole number >= 0, got " + fmt(*v));
        else if (setRule(o.name, o.range))
          conn.degree = static_cast<int64_t>(*v);
      }
    } else if (o.name == "delay" && o.value->kind == Expr::Kind::Call &&
               (o.value->name == "uniform" || o.value->name == "normal")) {
      // A delay per synapse.
      static const std::map<std::string, double> env;
      static const std::map<std::string, Dim> dims;
      if (auto v = evalInit(*o.value, env, dims, Dim::time())) {
        if (v->first.kind == InitValue::Kind::Uniform && v->first.a < 0)
          diag.error(o.value->range, "delays must be >= 0");
        else {
          conn.delayInit = v->first;
          conn.delay = v->first.kind == InitValue::Kind::Uniform
                           ? (v->first.a + v->first.b) / 2
                           : std::max(0.0, v->first.a);
        }
      }
    } else if (o.name == "delay") {
      if (auto v = netQuantity(*o.value, Dim::time(), "delay")) {
        if (*v < 0)
          diag.error(o.value->range, "delay must be >= 0");
        else
          conn.delay = *v;
      }
    } else {
      std::string msg = "unknown connect option '" + o.name +
                        "' (expected p, in_degree, out_degree, delay, "
                        "one_to_one or no_autapses)";
      if (o.name == "dt" || o.name == "seed")
        msg += "; network settings go before the connect statements";
      diag.error(o.nameRange, msg);
    }
  }
}

bool Checker::readListed(Connection &conn) {
  const ConnectDecl &c = *conn.decl;
  bool sliced = c.sourceSlice.has_value();
  for (const auto &ts : c.targetSlices)
    sliced |= ts.has_value();
  std::string weightName;
  for (const VarDecl &v : conn.syn->synapse->vars)
    if (v.kind == VarDecl::Kind::Weight)
      weightName = v.name;
  conn.listedPath = resolvePath(c.file->name);
  rt::ConnectionList list;
  std::string err;
  if (conn.ruleRange.begin.line) {
    diag.error(conn.ruleRange, "'from' lists the synapses; a connect from a "
                               "file takes no rule");
  } else if (c.targets.size() != 1 || sliced) {
    diag.error(c.file->range, "a connect from a file has one target "
                              "and no slices (the file gives neuron "
                              "indices)");
  } else if (!rt::readConnections(conn.listedPath, weightName, list, err)) {
    diag.error(c.file->range, "cannot read the synapses: " + err);
  } else if (!list.delay.empty() && conn.delayInit) {
    diag.error(c.file->range, "the file gives the delays; remove the "
                              "'delay' option");
  } else {
    for (const NamedExpr &a : c.args)
      if (!list.weight.empty() && a.name == weightName)
        diag.error(a.nameRange, "the file gives the weights; '" + weightName +
                                    "' is set twice");
    conn.listed = std::move(list);
    conn.rule = "file";
  }
  return conn.listed.has_value();
}

bool Checker::sliceNeurons(
    const std::optional<std::pair<double, double>> &slice,
    const NetworkInfo &net, int pop, SourceRange where, int64_t &begin,
    int64_t &end) {
  int64_t size = net.populations[size_t(pop)].size;
  begin = 0;
  end = size;
  if (!slice)
    return true;
  double b = slice->first, e = slice->second;
  if (b != std::floor(b) || e != std::floor(e) || b < 0 || e <= b ||
      e > double(size)) {
    diag.error(where, "the slice must satisfy 0 <= begin < end <= " +
                          std::to_string(size) + " (the size of '" +
                          net.populations[size_t(pop)].decl->name + "')");
    return false;
  }
  begin = int64_t(b);
  end = int64_t(e);
  return true;
}

bool Checker::checkTarget(const Connection &conn, size_t ti, NetworkInfo &net,
                          const std::map<std::string, int> &popIndex,
                          std::map<std::string, int> &projNames) {
  const ConnectDecl &c = *conn.decl;
  const ModelInfo &syn = *conn.syn;
  const NameRef &t = c.targets[ti];
  auto dst = popIndex.find(t.name);
  if (dst == popIndex.end()) {
    diag.error(t.range, "unknown population '" + t.name + "'");
    return true;
  }
  if (net.populations[size_t(dst->second)].generator && touchesTarget(syn)) {
    diag.error(t.range, "'" + t.name +
                            "' gives spikes by time and has no states "
                            "for synapse '" +
                            syn.name + "' to act on");
    return true;
  }
  ProjectionInfo proj;
  if (!sliceNeurons(
          cellSlice(c.targetSlices[ti], c.targetCells[ti], net, dst->second),
          net, dst->second, t.range, proj.dstBegin, proj.dstEnd))
    return true;
  proj.srcBegin = conn.srcBegin;
  proj.srcEnd = conn.srcEnd;
  proj.decl = &c;
  proj.targetRange = t.range;
  proj.src = conn.src;
  proj.dst = dst->second;
  proj.model = &syn;
  proj.p = conn.p;
  proj.delay = conn.delay;
  proj.delayInit = conn.delayInit;
  proj.rule = conn.rule;
  proj.degree = conn.degree;
  proj.autapses = conn.autapses;
  if (net.populations[size_t(conn.src)].driveInputs &&
      !connectDrive(c, syn, conn.ruleRange.begin.line || conn.probExpr,
                    net.populations[size_t(conn.src)], proj))
    return true;
  std::string degreeErr;
  if ((conn.rule == "in_degree" || conn.rule == "out_degree") &&
      !rt::checkFixedDegree(conn.rule == "in_degree", conn.degree,
                            conn.srcEnd - conn.srcBegin,
                            proj.dstEnd - proj.dstBegin,
                            conn.autapses || proj.src != proj.dst ||
                                !rt::slicesOverlap(conn.srcBegin, conn.srcEnd,
                                                   proj.dstBegin, proj.dstEnd),
                            degreeErr)) {
    diag.error(conn.ruleRange, degreeErr);
    return true;
  }
  if (c.alias && c.targets.size() > 1) {
    diag.error(c.alias->range, "'as " + c.alias->name +
                                   "' names one projection; give "
                                   "one target per named connect");
    return false;
  }
  if (!nameProjection(c, t, popIndex, projNames, proj))
    return true;
  proj.params = paramEnv(syn);
  std::map<std::string, Dim> env =
      connectEnv(syn, net.populations[proj.src], net.populations[proj.dst]);
  if (!checkConnectExprs(conn, env, proj))
    return true;
  if (conn.listed) {
    proj.file = conn.listedPath;
    proj.fileWeights = !conn.listed->weight.empty();
    proj.fileDelays = !conn.listed->delay.empty();
    if (!checkListed(*conn.listed, net.populations[proj.src],
                     net.populations[proj.dst], *c.file))
      return true;
  }
  for (const VarDecl &v : syn.synapse->vars)
    if ((v.kind == VarDecl::Kind::Weight && !proj.fileWeights) ||
        v.kind == VarDecl::Kind::PostState || v.kind == VarDecl::Kind::State)
      proj.inits.push_back({v.name, InitValue{}});
  argEnv = &env;
  applyArgs(
      syn, c.synapse.range, c.args, proj.params, proj.inits,
      {VarDecl::Kind::Weight, VarDecl::Kind::PostState, VarDecl::Kind::State});
  argEnv = nullptr;
  overrideProjection(syn, c, proj);
  if (proj.fileWeights)
    for (const VarDecl &v : syn.synapse->vars)
      if (v.kind == VarDecl::Kind::Weight)
        proj.inits.insert(proj.inits.begin(), {v.name, InitValue{}});
  proj.sign = net.populations[proj.src].decl->sign;
  if (proj.sign)
    checkDale(proj, syn, c, conn.listed ? &*conn.listed : nullptr,
              *net.populations[proj.src].decl);
  bindModulators(syn, c, net, popIndex, proj);
  checkNeuronVars(syn, net.populations[proj.src], VarDecl::Kind::PreVar,
                  c.source.range);
  checkDrives(syn, net.populations[proj.dst], t.range);
  net.projections.push_back(std::move(proj));
  return true;
}

bool Checker::nameProjection(const ConnectDecl &c, const NameRef &target,
                             const std::map<std::string, int> &popIndex,
                             std::map<std::string, int> &projNames,
                             ProjectionInfo &proj) {
  if (c.alias) {
    if (popIndex.count(c.alias->name) || projNames[c.alias->name]) {
      diag.error(c.alias->range, "'" + c.alias->name +
                                     "' already names a population or "
                                     "projection");
      return false;
    }
    proj.name = c.alias->name;
    ++projNames[c.alias->name];
    return true;
  }
  std::string base = c.source.name + "_to_" + target.name;
  int &count = projNames[base];
  proj.name = count ? base + "_" + std::to_string(count) : base;
  ++count;
  return true;
}

bool Checker::checkConnectExprs(const Connection &conn,
                                const std::map<std::string, Dim> &env,
                                ProjectionInfo &proj) {
  const ConnectDecl &c = *conn.decl;
  const Expr *probExpr = conn.probExpr, *delayExpr = conn.delayExpr;
  if (!probExpr && !c.where && !delayExpr)
    return true;
  const char *what = "a connection rule (use i, j, N_pre, N_post, "
                     "NAME_pre, NAME_post and parameters)";
  // Delays per synapse go with any rule; a file has its own.
  if (c.file || (conn.rule != "probability" && (probExpr || c.where))) {
    diag.error(c.where ? c.where->range : c.synapse.range,
               "'where' and an expression for p go with the "
               "probability rule only");
    return false;
  }
  noDraws = true;
  if (probExpr) {
    auto t = typeNetExpr(*probExpr, env, what);
    if (t && (t->isBool || !t->dim.isDimensionless()))
      diag.error(probExpr->range, "the connection probability p is "
                                  "a dimensionless number");
    if (!t) {
      noDraws = false;
      return false;
    }
    proj.probExpr = probExpr;
  }
  if (c.where) {
    auto t = typeNetExpr(*c.where, env, what);
    if (t && !t->isBool)
      diag.error(c.where->range, "'where' needs a truth value, such "
                                 "as abs(i - j) <= 2");
    if (!t) {
      noDraws = false;
      return false;
    }
    proj.whereExpr = c.where.get();
  }
  noDraws = false;
  if (probExpr || c.where)
    proj.rule = "expression";
  if (delayExpr) {
    auto t = typeNetExpr(*delayExpr, env, what);
    if (t && (t->isBool || t->dim != Dim::time()))
      diag.error(delayExpr->range, "the delay must be a time");
    if (!t)
      return false;
    InitValue iv;
    iv.kind = InitValue::Kind::Expr;
    iv.expr = delayExpr;
    proj.delayInit = iv;
  }
  return true;
}

void Checker::overrideProjection(const ModelInfo &syn, const ConnectDecl &c,
                                 ProjectionInfo &proj) {
  std::string prefix = proj.name + ".";
  for (auto &[name, text] : overrides)
    if (name.compare(0, prefix.size(), prefix) == 0 &&
        !syn.vars.count(name.substr(prefix.size()))) {
      diag.error(c.range, "--set " + name + ": synapse '" + syn.name +
                              "' has no parameter, weight or state named '" +
                              name.substr(prefix.size()) + "'");
      consumedOverrides.insert(name);
    }
  for (const VarDecl &v : syn.synapse->vars) {
    std::string name = proj.name + "." + v.name;
    auto o = overrides.find(name);
    if (v.kind == VarDecl::Kind::Weight && o == overrides.end() &&
        (tunable.count(name) || tunable.count(proj.name + ".*") ||
         tunable.count("*")))
      proj.weightRow = true;
    if (o == overrides.end())
      continue;
    const VarInfo &vi = syn.vars.at(v.name);
    double value = 0;
    std::string err;
    bool settable =
        v.kind == VarDecl::Kind::Param || v.kind == VarDecl::Kind::Weight ||
        v.kind == VarDecl::Kind::State || v.kind == VarDecl::Kind::PostState;
    if (!settable) {
      diag.error(c.range, "--set " + name + ": '" + v.name + "' is a " +
                              kindName(v.kind) + " of '" + syn.name +
                              "', which has no value of its own");
      consumedOverrides.insert(name);
      continue;
    }
    if (!rt::parseQuantityOf(o->second, vi.dim.symbol(), "'" + name + "'",
                             value, err)) {
      diag.error(c.range, "--set " + name + ": " + err);
      consumedOverrides.insert(name);
      continue;
    }
    consumedOverrides.insert(name);
    if (v.kind == VarDecl::Kind::Param) {
      proj.params[v.name] = value;
      continue;
    }
    for (auto &[var, iv] : proj.inits)
      if (var == v.name) {
        iv = InitValue{};
        iv.a = iv.b = value;
      }
  }
}

void Checker::checkDale(const ProjectionInfo &proj, const ModelInfo &syn,
                        const ConnectDecl &c, const rt::ConnectionList *listed,
                        const PopulationDecl &src) {
  const char *kind = proj.sign > 0 ? "excitatory" : "inhibitory";
  auto violates = [&](double v) { return proj.sign > 0 ? v < 0 : v > 0; };
  auto report = [&](SourceRange where, const std::string &what) {
    diag.error(where, what + ", but '" + src.name + "' is " + kind +
                          " (Dale's law: its weights must be " +
                          (proj.sign > 0 ? ">= 0" : "<= 0") + ")");
    diag.note(src.signRange, "declared " + std::string(kind) + " here");
  };
  if (listed && !listed->weight.empty()) {
    for (size_t r = 0; r < listed->weight.size(); ++r)
      if (violates(listed->weight[r])) {
        report(c.file->range, c.file->name + ": row " + std::to_string(r + 1) +
                                  " has weight " + fmt(listed->weight[r]));
        return;
      }
    return;
  }
  for (const auto &[name, iv] : proj.inits) {
    const VarDecl *decl = syn.vars.at(name).decl;
    if (decl->kind != VarDecl::Kind::Weight)
      continue;
    SourceRange where = c.synapse.range;
    for (const NamedExpr &a : c.args)
      if (a.name == name)
        where = a.value->range;
    if (iv.kind == InitValue::Kind::Normal && iv.b > 0)
      report(where, "weight '" + name +
                        "' is drawn from a normal distribution, which "
                        "takes either sign");
    else if (iv.kind == InitValue::Kind::Uniform &&
             (violates(iv.a) || violates(iv.b)))
      report(where, "weight '" + name + "' is drawn from [" + fmt(iv.a) + ", " +
                        fmt(iv.b) + "]");
    else if (iv.kind != InitValue::Kind::Uniform && violates(iv.a))
      report(where, "weight '" + name + "' is " + fmt(iv.a));
  }
}

void Checker::bindModulators(const ModelInfo &syn, const ConnectDecl &c,
                             const NetworkInfo &net,
                             const std::map<std::string, int> &popIndex,
                             ProjectionInfo &proj) {
  for (const VarDecl &v : syn.synapse->vars) {
    if (v.kind != VarDecl::Kind::Modulator)
      continue;
    const NamedExpr *arg = nullptr;
    for (const NamedExpr &a : c.args)
      if (a.name == v.name)
        arg = &a;
    if (!arg) {
      diag.error(c.synapse.range,
                 "'" + syn.name + "' needs a source for modulator '" + v.name +
                     "': bind it to a state of a population, " + "as in '" +
                     v.name + " = POPULATION." + v.name + "'");
      diag.note(v.range, "declared here");
      continue;
    }
    const Expr &e = *arg->value;
    if (e.kind != Expr::Kind::Member) {
      diag.error(e.range, "modulator '" + v.name +
                              "' is bound to a state of a population, as "
                              "in 'POPULATION.STATE'");
      continue;
    }
    auto pop = popIndex.find(e.name);
    if (pop == popIndex.end()) {
      diag.error(e.range, "unknown population '" + e.name + "'");
      continue;
    }
    const PopulationInfo &src = net.populations[size_t(pop->second)];
    const VarInfo *state = nullptr;
    if (src.model) {
      // A state, or a parameter set per neuron (e.g. timed input).
      auto it = src.model->vars.find(e.member);
      bool perNeuron = false;
      for (const auto &pi : src.paramInits)
        perNeuron |= pi.first == e.member;
      if (it != src.model->vars.end() &&
          (it->second.decl->kind == VarDecl::Kind::State ||
           (it->second.decl->kind == VarDecl::Kind::Param && perNeuron)))
        state = &it->second;
    }
    if (!state) {
      diag.error(e.range, "population '" + e.name + "' has no state '" +
                              e.member +
                              "' (or parameter set per neuron, such as a "
                              "timed input)");
      continue;
    }
    if (state->dim != syn.vars.at(v.name).dim) {
      diag.error(e.range, "modulator '" + v.name + "' is in " +
                              syn.vars.at(v.name).dim.str() + ", but '" +
                              e.name + "." + e.member + "' is in " +
                              state->dim.str());
      diag.note(v.range, "declared here");
      continue;
    }
    proj.modulators.push_back({v.name, pop->second, e.member});
  }
}

void Checker::checkNeuronVars(const ModelInfo &syn, const PopulationInfo &pop,
                              VarDecl::Kind kind, SourceRange where) {
  const char *keyword = kind == VarDecl::Kind::PreVar ? "pre" : "post";
  for (const VarDecl &v : syn.synapse->vars) {
    if (v.kind != kind)
      continue;
    if (!pop.model) {
      diag.error(where, "synapse '" + syn.name + "' reads 'pre " + v.neuronVar +
                            "', but '" + pop.decl->name +
                            "' gives spikes by time and has no states");
      continue;
    }
    auto it = pop.model->vars.find(v.neuronVar);
    // A source's parameter set per neuron (timed, drawn, from a file) is
    // a row too, and `pre` variables are only read.
    bool perNeuronParam = false;
    if (kind == VarDecl::Kind::PreVar)
      for (const auto &pi : pop.paramInits)
        perNeuronParam |= pi.first == v.neuronVar;
    if (it == pop.model->vars.end() ||
        (it->second.decl->kind != VarDecl::Kind::State && !perNeuronParam)) {
      diag.error(where, "synapse '" + syn.name + "' uses '" + keyword + " " +
                            v.neuronVar + "', but neuron '" + pop.model->name +
                            "' has no state of that name");
      diag.note(v.range, "declared here");
    } else if (it->second.dim != syn.vars.at(v.name).dim) {
      diag.error(where, "synapse '" + syn.name + "' declares '" + keyword +
                            " " + v.neuronVar + "' in " +
                            syn.vars.at(v.name).dim.str() + ", but '" +
                            v.neuronVar + "' of neuron '" + pop.model->name +
                            "' is in " + it->second.dim.str());
      diag.note(v.range, "declared here");
    }
  }
}

void Checker::checkDrives(const ModelInfo &syn, const PopulationInfo &target,
                          SourceRange where) {
  if (!target.model)
    return;
  checkNeuronVars(syn, target, VarDecl::Kind::PostVar, where);
  for (const DrivesDecl &d : syn.synapse->drives) {
    auto it = target.model->vars.find(d.target);
    if (it == target.model->vars.end() ||
        it->second.decl->kind != VarDecl::Kind::Input) {
      diag.error(where, "synapse '" + syn.name + "' drives '" + d.target +
                            "', but neuron '" + target.model->name +
                            "' has no input of that name");
      diag.note(d.targetRange, "declared here");
      continue;
    }
    auto t = typeOf(*d.value, syn);
    if (t && !t->isBool && t->dim != it->second.dim) {
      diag.error(d.value->range, "synapse '" + syn.name + "' drives input '" +
                                     d.target + "' of '" + target.model->name +
                                     "', which is in " + it->second.dim.str() +
                                     ", with " + t->dim.str());
      diag.note(where, "connected here");
    }
  }
}

void Checker::checkRecord(const RecordDecl &r, NetworkInfo &net,
                          const std::map<std::string, int> &popIndex) {
  bool spikes = r.what.size() == 1 && r.what[0].name == "spikes";
  int64_t everySteps = 1;
  if (r.every) {
    if (spikes)
      diag.error(r.every->range, "spikes are recorded as they happen; "
                                 "'every' applies to states");
    else if (auto v = netQuantity(*r.every, Dim::time(), "'every'")) {
      double steps = std::round(*v / net.dt);
      if (steps < 1 || steps > 1e12)
        diag.error(r.every->range, "'every' must be at least one step (dt)");
      else
        everySteps = static_cast<int64_t>(steps);
    }
  }
  for (const RecordTarget &t : r.targets) {
    auto it = popIndex.find(t.population.name);
    if (it == popIndex.end()) {
      int proj = -1;
      for (size_t j = 0; j < net.projections.size(); ++j)
        if (net.projections[j].name == t.population.name)
          proj = int(j);
      if (proj >= 0 && !spikes) {
        checkSynapseRecord(r, t, net, proj, everySteps);
        continue;
      }
      diag.error(t.population.range,
                 proj >= 0 ? "spikes are recorded for populations; '" +
                                 t.population.name + "' is a projection"
                           : "unknown population or projection '" +
                                 t.population.name + "'");
      continue;
    }
    const PopulationInfo &pop = net.populations[it->second];
    if (pop.driveInputs) {
      diag.error(t.population.range,
                 "'" + t.population.name +
                     "' is a Poisson drive: its inputs are not neurons to "
                     "record; record what they drive");
      continue;
    }
    if (spikes) {
      if (t.slice)
        diag.error(t.range, "spikes are recorded for whole populations so "
                            "far");
      else if (std::find(net.recordSpikes.begin(), net.recordSpikes.end(),
                         it->second) == net.recordSpikes.end())
        net.recordSpikes.push_back(it->second);
      continue;
    }
    checkStateRecord(r, t, it->second, everySteps, net);
  }
}

void Checker::checkStateRecord(const RecordDecl &r, const RecordTarget &t,
                               int population, int64_t everySteps,
                               NetworkInfo &net) {
  const PopulationInfo &pop = net.populations[population];
  StateRecordInfo rec;
  rec.population = population;
  rec.everySteps = everySteps;
  rec.range = r.range;
  rec.end = pop.size;
  auto slice = cellSlice(t.slice, t.cell, net, population);
  if (t.cell && !slice)
    return;
  if (slice) {
    double b = slice->first, e = slice->second;
    if (b != std::floor(b) || e != std::floor(e) || b < 0 || e <= b ||
        e > double(pop.size)) {
      diag.error(t.range, "the slice must satisfy 0 <= begin < end <= " +
                              std::to_string(pop.size) + " (the size of '" +
                              t.population.name + "')");
      return;
    }
    rec.begin = int64_t(b);
    rec.end = int64_t(e);
  }
  bool ok = true;
  for (const NameRef &w : r.what) {
    if (w.name == "spikes") {
      diag.error(w.range, "record spikes in a statement of their own");
      ok = false;
      continue;
    }
    auto var = pop.model ? pop.model->vars.find(w.name)
                         : decltype(pop.model->vars.end())();
    bool isState = pop.model && var != pop.model->vars.end() &&
                   var->second.decl->kind == VarDecl::Kind::State;
    std::string row = w.name;
    if (!isState && pop.model &&
        !incomingRow(w, net, population, t.population.name, row)) {
      ok = false;
      continue;
    }
    if (!isState && !pop.model) {
      diag.error(w.range,
                 "'" + t.population.name + "' gives spikes and has no states");
      ok = false;
      continue;
    }
    rec.vars.push_back(row);
  }
  for (const StateRecordInfo &other : net.recordStates)
    if (other.projection < 0 && other.population == rec.population) {
      diag.error(t.range, "'" + t.population.name +
                              "' already has a state recording; record "
                              "all its states in one statement");
      diag.note(other.range, "first recording is here");
      ok = false;
      break;
    }
  if (ok)
    net.recordStates.push_back(std::move(rec));
}

bool Checker::incomingRow(const NameRef &w, const NetworkInfo &net, int dst,
                          const std::string &popName, std::string &row) {
  std::vector<std::string> matches, all;
  bool drivenOtherwise = false;
  for (const ProjectionInfo &pr : net.projections) {
    if (pr.dst != dst)
      continue;
    for (const VarDecl &v : pr.model->synapse->vars)
      if (v.kind == VarDecl::Kind::PostState) {
        std::string name = v.name + "_" + pr.name;
        all.push_back(name);
        if (w.name == name || w.name == v.name)
          matches.push_back(name);
      }
    for (const DrivesDecl &d : pr.model->synapse->drives) {
      std::set<VarDecl::Kind> kinds;
      collectKinds(*d.value, *pr.model, kinds);
      bool summed = kinds.count(VarDecl::Kind::Weight) ||
                    kinds.count(VarDecl::Kind::State) ||
                    kinds.count(VarDecl::Kind::PreVar) ||
                    refersTo(*d.value, "not_refractory_pre");
      if (!summed) {
        drivenOtherwise |= w.name == d.target;
        continue;
      }
      std::string name = d.target + "_" + pr.name;
      all.push_back(name);
      if (w.name == name || w.name == d.target)
        matches.push_back(name);
    }
  }
  const std::string &model = net.populations[size_t(dst)].model->name;
  if (matches.size() == 1 && !(drivenOtherwise && matches[0] != w.name)) {
    row = matches[0];
    return true;
  }
  std::string msg = "'" + w.name + "' is not a state of neuron '" + model +
                    "' (population '" + popName + "')";
  if (matches.size() > 1 || drivenOtherwise)
    msg = "'" + w.name + "' of population '" + popName +
          "' is the sum of several projections' parts; record them by name";
  if (!all.empty()) {
    msg += "; what incoming projections add is ";
    for (size_t k = 0; k < all.size(); ++k)
      msg += (k ? ", " : "") + all[k];
  }
  diag.error(w.range, msg);
  return false;
}

void Checker::checkSynapseRecord(const RecordDecl &r, const RecordTarget &t,
                                 NetworkInfo &net, int proj,
                                 int64_t everySteps) {
  const ProjectionInfo &pi = net.projections[size_t(proj)];
  StateRecordInfo rec;
  rec.projection = proj;
  rec.everySteps = everySteps;
  rec.range = r.range;
  rec.end = -1;
  if (t.slice) {
    double b = t.slice->first, e = t.slice->second;
    if (b != std::floor(b) || e != std::floor(e) || b < 0 || e <= b ||
        e > 9e15) {
      diag.error(t.range, "the slice must satisfy 0 <= begin < end");
      return;
    }
    rec.begin = int64_t(b);
    rec.end = int64_t(e);
  }
  for (const NameRef &w : r.what) {
    auto var = pi.model->vars.find(w.name);
    bool ok = var != pi.model->vars.end() &&
              (var->second.decl->kind == VarDecl::Kind::Weight ||
               var->second.decl->kind == VarDecl::Kind::State);
    if (!ok) {
      diag.error(w.range, "'" + w.name +
                              "' is not the weight or a per-synapse state "
                              "of synapse '" +
                              pi.model->name + "' (projection '" + pi.name +
                              "')");
      return;
    }
    rec.vars.push_back(w.name);
  }
  for (const StateRecordInfo &other : net.recordStates)
    if (other.projection == proj) {
      diag.error(t.range, "'" + pi.name +
                              "' already has a recording; record all its "
                              "variables in one statement");
      diag.note(other.range, "first recording is here");
      return;
    }
  net.recordStates.push_back(std::move(rec));
}

void Checker::checkAblated(const RecordTarget &t, NetworkInfo &net,
                           const std::map<std::string, int> &popIndex) {
  auto it = popIndex.find(t.population.name);
  if (it == popIndex.end()) {
    diag.error(t.population.range,
               "unknown population '" + t.population.name + "'");
    return;
  }
  PopulationInfo &pop = net.populations[size_t(it->second)];
  auto slice = cellSlice(t.slice, t.cell, net, it->second);
  if (t.cell && !slice)
    return;
  int64_t b = slice ? int64_t(slice->first) : 0;
  int64_t e = slice ? int64_t(slice->second) : pop.size;
  if (b < 0 || e > pop.size || e <= b) {
    diag.error(t.range, "the slice must satisfy 0 <= begin < end <= " +
                            std::to_string(pop.size));
    return;
  }
  for (int64_t n = b; n < e; ++n)
    pop.ablated.push_back(n);
  std::sort(pop.ablated.begin(), pop.ablated.end());
  pop.ablated.erase(std::unique(pop.ablated.begin(), pop.ablated.end()),
                    pop.ablated.end());
}
