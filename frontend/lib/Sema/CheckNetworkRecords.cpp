//===- CheckNetworkRecords.cpp - Records and ablations of a network -------===//
//
// `record spikes of E`, `record v, g of E[0:10] every 1 ms`, `record w of
// E_to_I[0:100]`: what a run records, by population (spikes, states and
// what incoming projections add) or projection (per-synapse variables).
// `ablate E[0:10]`: neurons left without synapses.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Runtime/Steps.h"

#include <algorithm>
#include <cmath>

using namespace neuro;
using namespace neuro::sema;

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
      if (steps < 1)
        diag.error(r.every->range, "'every' must be at least one step (dt)");
      else if (!rt::onStepGrid(*v, net.dt))
        // Sampled at multiples of it, a recording would drift off the grid.
        diag.error(
            r.every->range,
            "'every' must be a whole number of steps (dt = " + fmt(net.dt) +
                " s), got " + fmt(*v) + " s, " + fmt(*v / net.dt) + " steps");
      else if (steps > 1e12)
        diag.error(r.every->range, "'every' is " + fmt(steps) +
                                       " steps, more than a run can have");
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
      if (proj < 0 && failedPopulations.count(t.population.name))
        continue;
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
      checkSpikeRecord(t, it->second, net);
      continue;
    }
    checkStateRecord(r, t, it->second, everySteps, net);
  }
}

bool Checker::recordedNeurons(const RecordTarget &t, int population,
                              const NetworkInfo &net, int64_t &begin,
                              int64_t &end) {
  const PopulationInfo &pop = net.populations[population];
  begin = 0;
  end = pop.size;
  auto slice = cellSlice(t.slice, t.cell, net, population);
  if (t.cell && !slice)
    return false;
  if (!slice)
    return true;
  double b = slice->first, e = slice->second;
  if (auto problem = sliceProblem(b, e, double(pop.size), t.population.name)) {
    diag.error(t.range, *problem);
    return false;
  }
  begin = int64_t(b);
  end = int64_t(e);
  return true;
}

void Checker::checkSpikeRecord(const RecordTarget &t, int population,
                               NetworkInfo &net) {
  SpikeRecordInfo rec;
  rec.population = population;
  rec.range = t.range;
  if (!recordedNeurons(t, population, net, rec.begin, rec.end))
    return;
  for (const SpikeRecordInfo &other : net.recordSpikes) {
    if (other.population != population)
      continue;
    // One spike monitor per population: the same range again is harmless.
    if (other.begin != rec.begin || other.end != rec.end) {
      diag.error(t.range,
                 "the spikes of '" + t.population.name +
                     "' are recorded for one range of neurons; this one (" +
                     std::to_string(rec.begin) + " to " +
                     std::to_string(rec.end) + ") differs from an earlier (" +
                     std::to_string(other.begin) + " to " +
                     std::to_string(other.end) + ")");
      diag.note(other.range, "recorded here");
    }
    return;
  }
  net.recordSpikes.push_back(rec);
}

void Checker::checkStateRecord(const RecordDecl &r, const RecordTarget &t,
                               int population, int64_t everySteps,
                               NetworkInfo &net) {
  const PopulationInfo &pop = net.populations[population];
  StateRecordInfo rec;
  rec.population = population;
  rec.every = everySteps;
  rec.range = r.range;
  if (!recordedNeurons(t, population, net, rec.begin, rec.end))
    return;
  bool ok = true;
  std::set<std::string> named;
  std::map<std::string, std::string> rowNamedBy;
  for (const NameRef &w : r.what) {
    if (w.name == "spikes") {
      diag.error(w.range, "record spikes in a statement of their own");
      ok = false;
      continue;
    }
    if (!named.insert(w.name).second) {
      // Both would be written to one file.
      diag.error(w.range, "'" + w.name + "' is named twice in this record");
      ok = false;
      continue;
    }
    if (w.name == "t") {
      bool declared = pop.model && pop.model->vars.count("t");
      diag.error(w.range,
                 declared ? "a variable named 't' cannot be recorded: '" +
                                t.population.name +
                                "_t.npy' holds the sample times; rename it"
                          : "'t' is no variable of '" + t.population.name +
                                "': the sample times of a record are written "
                                "with its values, as '" +
                                t.population.name + "_t.npy'");
      ok = false;
      continue;
    }
    auto var = pop.model ? pop.model->vars.find(w.name)
                         : decltype(pop.model->vars.end())();
    bool isState = pop.model && var != pop.model->vars.end() &&
                   var->second.decl->kind == VarDecl::Kind::State;
    if (pop.model && var != pop.model->vars.end() &&
        var->second.decl->kind == VarDecl::Kind::Let) {
      // Computed from the rows when sampled (neuro.let; a let draws
      // nothing).
      rec.vars.push_back(w.name);
      continue;
    }
    if (pop.model && var != pop.model->vars.end() &&
        var->second.decl->kind == VarDecl::Kind::Param &&
        !pop.model->isSynapse) {
      if (!recordableParam(pop, t.population.name, w)) {
        ok = false;
        continue;
      }
      isState = true;
    }
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
    if (auto [at, added] = rowNamedBy.emplace(row, w.name); !added) {
      // One row under two names would be written to one file.
      diag.error(w.range, "'" + w.name + "' is the row '" + row + "' that '" +
                              at->second + "' names already in this record");
      ok = false;
      continue;
    }
    rec.vars.push_back(row);
  }
  // Further recordings of the population are written under their own
  // prefix (rt::stateRecordPrefixes).
  if (ok)
    net.recordStates.push_back(std::move(rec));
}

bool Checker::paramIsRow(const PopulationInfo &pop, const std::string &popName,
                         const std::string &name, int depth) {
  for (const auto &[given, init] : pop.paramInits)
    if (given == name)
      return true;
  if (tunable.count("*") || tunable.count(popName + ".*") ||
      tunable.count(popName + "." + name))
    return true;
  // A default reads only parameters declared before it: no cycles, but
  // bounded anyway.
  if (depth > 64 || !pop.model ||
      (pop.decl &&
       std::any_of(pop.decl->args.begin(), pop.decl->args.end(),
                   [&](const NamedExpr &a) { return a.name == name; })))
    return false;
  auto var = pop.model->vars.find(name);
  if (var == pop.model->vars.end() || !var->second.decl ||
      !var->second.decl->init)
    return false;
  std::set<std::string> reads;
  namesIn(*var->second.decl->init, reads);
  for (const std::string &read : reads) {
    auto other = pop.model->vars.find(read);
    if (read != name && other != pop.model->vars.end() && other->second.decl &&
        other->second.decl->kind == VarDecl::Kind::Param &&
        paramIsRow(pop, popName, read, depth + 1))
      return true;
  }
  return false;
}

bool Checker::recordableParam(const PopulationInfo &pop,
                              const std::string &popName, const NameRef &w) {
  // A row: set per neuron, following a table in time, made tunable, or
  // computed from such a row.
  if (paramIsRow(pop, popName, w.name))
    return true;
  auto value = pop.params.find(w.name);
  std::string unit = pop.model->vars.at(w.name).dim.symbol();
  diag.error(w.range,
             "parameter '" + w.name + "' of population '" + popName +
                 "' is one constant for every neuron" +
                 (value == pop.params.end()
                      ? std::string()
                      : " (" + fmt(value->second) +
                            (unit == "1" ? "" : " " + unit) + ")") +
                 ", compiled into the kernels: a parameter is recorded where "
                 "it is set per neuron or follows a table in time, or made a "
                 "row with " +
                 names.tunable + " " + popName + "." + w.name);
  return false;
}

bool Checker::isSummedDrive(const DrivesDecl &d, const ModelInfo &syn) {
  std::set<VarDecl::Kind> kinds;
  collectKinds(*d.value, syn, kinds);
  return kinds.count(VarDecl::Kind::Weight) ||
         kinds.count(VarDecl::Kind::State) ||
         kinds.count(VarDecl::Kind::PreVar) ||
         refersTo(*d.value, "not_refractory_pre");
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
      if (!isSummedDrive(d, *pr.model)) {
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
  auto var = net.populations[size_t(dst)].model->vars.find(w.name);
  if (matches.empty() && !drivenOtherwise &&
      var != net.populations[size_t(dst)].model->vars.end() &&
      var->second.decl->kind == VarDecl::Kind::Input)
    msg = "input '" + w.name + "' of population '" + popName +
          "' holds nothing to record: no incoming projection drives it with "
          "a sum (synapses that add to a state on a spike change that state, "
          "which can be recorded)";
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
  rec.every = everySteps;
  rec.range = r.range;
  rec.end = -1;
  if (t.slice) {
    double b = t.slice->first, e = t.slice->second;
    if (auto problem = sliceProblem(b, e, 9e15, "")) {
      diag.error(t.range, *problem);
      return;
    }
    rec.begin = int64_t(b);
    rec.end = int64_t(e);
  }
  for (const NameRef &w : r.what) {
    if (w.name == "t" || w.name == "pre" || w.name == "post") {
      diag.error(
          w.range,
          "a variable named '" + w.name + "' cannot be recorded: '" + pi.name +
              "_" + w.name + ".npy' holds the sample " +
              (w.name == "t" ? "times" : "synapses' " + w.name + " neurons") +
              "; rename it");
      return;
    }
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
  net.recordStates.push_back(std::move(rec));
}

void Checker::checkAblated(const RecordTarget &t, NetworkInfo &net,
                           const std::map<std::string, int> &popIndex) {
  auto it = popIndex.find(t.population.name);
  if (it == popIndex.end()) {
    unknownPopulation(t.population.range, t.population.name);
    return;
  }
  PopulationInfo &pop = net.populations[size_t(it->second)];
  auto slice = cellSlice(t.slice, t.cell, net, it->second);
  if (t.cell && !slice)
    return;
  if (slice) {
    if (auto problem = sliceProblem(slice->first, slice->second,
                                    double(pop.size), t.population.name)) {
      diag.error(t.range, *problem);
      return;
    }
  }
  int64_t b = slice ? int64_t(slice->first) : 0;
  int64_t e = slice ? int64_t(slice->second) : pop.size;
  for (int64_t n = b; n < e; ++n)
    pop.ablated.push_back(n);
  std::sort(pop.ablated.begin(), pop.ablated.end());
  pop.ablated.erase(std::unique(pop.ablated.begin(), pop.ablated.end()),
                    pop.ablated.end());
}
