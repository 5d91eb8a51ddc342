//===- CheckNetworkPopulations.cpp - Populations of a network -------------===//
//
// `E = 800 of LIF(tau_m = 20 ms, v = uniform(-70 mV, -50 mV))`: a
// population of a neuron model with its parameter values (overrides
// applied, some per neuron: drawn, timed, from files, or derived from
// those) and initial values. Which parameters a run can set (`--tunable`)
// is decided in the IR (neuro-select-rows). Spike sources (SpikeTimes,
// PoissonInput, PoissonDrive) are in CheckNetworkInputs.cpp.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Frontend/Imports.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>

using namespace neuro;
using namespace neuro::sema;

/// A refractory period evaluated to something other than a finite time
/// >= 0 (reported where it was evaluated).
static bool invalidRefractory(const std::optional<Value> &v) {
  return v &&
         (v->second != Dim::time() || !std::isfinite(v->first) || v->first < 0);
}

void Checker::checkPopulation(const PopulationDecl &p, NetworkInfo &net,
                              std::map<std::string, int> &popIndex) {
  PopulationInfo pop;
  pop.decl = &p;
  if (popIndex.count(p.name)) {
    diag.error(p.range, "redefinition of population '" + p.name + "'");
    return;
  }
  for (const VarDecl &v : net.decl->params)
    if (v.name == p.name) {
      diag.error(p.range, "population '" + p.name +
                              "' takes the name of a parameter of the "
                              "network; rename one of them");
      diag.note(v.nameRange, "the parameter is declared here");
      failedPopulations.insert(p.name);
      return;
    }
  const std::string &kind = p.model.name;
  bool source = !result.models.count(kind) &&
                (kind == "SpikeTimes" || kind == "PoissonInput" ||
                 kind == "PoissonDrive");
  if (source ? !checkSpikeSource(p, net.dt, pop)
             : !checkModelPopulation(p, net.dt, pop)) {
    failedPopulations.insert(p.name);
    return;
  }
  readCells(p, pop);
  popIndex[p.name] = static_cast<int>(net.populations.size());
  net.populations.push_back(std::move(pop));
}

bool Checker::checkPopulationSize(const PopulationDecl &p,
                                  PopulationInfo &pop) {
  auto v = netQuantity(*p.size, Dim::none(), "a population size");
  if (!v)
    return false;
  if (*v < 1 || *v != std::floor(*v) || *v > 2e9) {
    diag.error(p.size->range, "a population size must be a whole number "
                              "from 1 to 2e9, got " +
                                  fmt(*v));
    return false;
  }
  pop.size = static_cast<int64_t>(*v);
  return true;
}

void Checker::unknownPopulation(SourceRange where, const std::string &name) {
  if (!failedPopulations.count(name))
    diag.error(where, "unknown population '" + name + "'");
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
  if (!checkPopulationSize(p, pop))
    return false;
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
  checkTunableRefractory(p.name, pop);
  deriveFromParameters(p, pop);
  overridePerNeuron(p, pop);
  // The refractory period may depend on overridden parameters.
  pop.refractory = pop.model->refractory;
  const NeuronDecl &nd = *pop.model->neuron;
  // One that reads parameters set per neuron is an expression of their rows
  // (its dimension was checked with the model's defaults).
  if (pop.model->refractoryCondition) {
    // Parameters it reads are constants or rows alike.
  } else if (nd.spike && nd.spike->refractory &&
             llvm::any_of(pop.paramInits, [&](auto &pn) {
               return refersTo(*nd.spike->refractory, pn.first);
             })) {
    result.models[pop.model->name].refractoryPerNeuron = true;
  } else if (nd.spike && nd.spike->refractory &&
             !readsFailedParam(*nd.spike->refractory, *pop.model) &&
             !readsSpikeTime(*nd.spike->refractory) &&
             readsOnlyKnownNames(*nd.spike->refractory, *pop.model,
                                 /*report=*/false) &&
             // One reading a state or a let that is no condition is
             // reported with the model.
             llvm::none_of(pop.model->vars, [&](auto &var) {
               return var.second.decl->kind != VarDecl::Kind::Param &&
                      refersTo(*nd.spike->refractory, var.first);
             })) {
    auto v = evalRefractory(*nd.spike->refractory, pop.params,
                            paramDims(*pop.model), dt);
    // Neurons that never spiked count as having spiked 10^15 steps
    // before the start (kNeverSpiked): a longer period would hold them
    // from the first step.
    if (v && v->second == Dim::time() && std::isfinite(v->first) &&
        v->first >= 0 && v->first / dt > 1e12)
      diag.error(p.range, "the refractory period is " + fmt(v->first) +
                              " s here, more than 10^12 steps of dt: a "
                              "neuron could never spike");
    else if (v && v->second == Dim::time() && std::isfinite(v->first) &&
             v->first >= 0)
      pop.refractory = v->first;
    else if (v && !invalidRefractory(evalRefractory(
                      *nd.spike->refractory, paramEnv(*pop.model),
                      paramDims(*pop.model), dt))) // else said at the model
      diag.error(p.range, "with these parameters the refractory period "
                          "is not a time >= 0");
  }
  return true;
}

void Checker::checkTunableRefractory(const std::string &popName,
                                     const PopulationInfo &pop) {
  // Which parameters are rows is decided in the IR (neuro-select-rows);
  // where a run sets one the refractory period reads, the period is an
  // expression of its row, as for a parameter set per neuron.
  const NeuronDecl &nd = *pop.model->neuron;
  if (tunable.empty() || !nd.spike || !nd.spike->refractory)
    return;
  bool all = tunable.count("*") || tunable.count(popName + ".*");
  for (const VarDecl &v : nd.vars)
    if (v.kind == VarDecl::Kind::Param &&
        (all || tunable.count(popName + "." + v.name)) &&
        pop.params.count(v.name) && refersTo(*nd.spike->refractory, v.name))
      result.models[pop.model->name].refractoryPerNeuron = true;
}

void Checker::deriveFromParameters(const PopulationDecl &p,
                                   PopulationInfo &pop) {
  const ModelInfo &model = *pop.model;
  // Given at the population: not derived.
  std::set<std::string> given;
  for (const NamedExpr &a : p.args)
    given.insert(a.name);
  std::map<std::string, double> before = pop.params;
  deriveParams(p, given, pop);
  sortPerNeuron(pop);
  // Initial values computed with a parameter this population derives
  // again (`state z = w`, `param w = 2 f`, `N(f = 7 Hz)`): computed again.
  std::set<std::string> changed;
  for (const auto &[name, value] : pop.params)
    if (auto b = before.find(name); b != before.end() && b->second != value)
      changed.insert(name);
  std::set<std::string> rows;
  for (const auto &row : pop.paramInits)
    rows.insert(row.first);
  for (auto &[name, iv] : pop.inits) {
    const VarInfo &var = model.vars.at(name);
    if (given.count(name) || !var.decl->init || !var.unitKnown || iv.expr ||
        !refersToAny(*var.decl->init, changed) ||
        refersToAny(*var.decl->init, rows) ||
        readsStates(*var.decl->init, model))
      continue;
    if (auto v = evalInit(*var.decl->init, pop.params, paramDims(model),
                          var.dim, "'" + var.decl->name + "'"))
      iv = v->first;
  }
  // Initial values of states that read per-neuron parameters or other
  // states (each state's row is set before the states declared after it
  // read it: pop.inits is in declaration order).
  for (auto &[name, iv] : pop.inits) {
    const VarDecl *decl = model.vars.at(name).decl;
    if (given.count(name) || !decl->init)
      continue;
    std::set<std::string> reads;
    namesIn(*decl->init, reads);
    if (llvm::none_of(pop.paramInits,
                      [&](auto &row) { return reads.count(row.first); }) &&
        !readsStates(*decl->init, model))
      continue;
    iv = InitValue{};
    iv.expr = decl->init.get();
  }
}

void Checker::overridePerNeuron(const PopulationDecl &p, PopulationInfo &pop) {
  auto override = [&](const std::string &name, InitValue &iv) {
    std::string key = p.name + "." + name;
    auto o = overrides.find(key);
    if (o == overrides.end() || !iv.expr)
      return;
    consumedOverrides.insert(key);
    double value = 0;
    std::string err;
    if (!rt::parseQuantityOf(o->second, pop.model->vars.at(name).dim.symbol(),
                             "'" + key + "'", value, err)) {
      diag.error(iv.expr->range, names.set + " " + key + ": " + err);
      return;
    }
    iv = InitValue{};
    iv.a = iv.b = value;
  };
  for (auto &[name, iv] : pop.inits)
    override(name, iv);
  for (auto &[name, iv] : pop.paramInits)
    override(name, iv);
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
  // The parameters by declaration order, to find those a value reads from
  // the names it holds, not by walking it once per parameter.
  std::map<std::string, size_t> paramOrder;
  for (size_t k = 0; k < nd.vars.size(); ++k)
    if (nd.vars[k].kind == VarDecl::Kind::Param)
      paramOrder.emplace(nd.vars[k].name, k);
  for (const VarDecl &v : nd.vars) {
    if (v.kind != VarDecl::Kind::Param || given.count(v.name) || !v.init)
      continue;
    std::set<std::string> names;
    namesIn(*v.init, names);
    std::vector<std::pair<size_t, std::string>> used;
    for (const std::string &n : names)
      if (auto it = paramOrder.find(n); it != paramOrder.end())
        used.emplace_back(it->second, n);
    if (used.empty())
      continue;
    std::sort(used.begin(), used.end());
    std::vector<std::string> rows;
    for (const auto &[order, name] : used)
      if (perNeuron(name) != pop.paramInits.end())
        rows.push_back(name);
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
    else if (entry != pop.paramInits.end() && !entry->second.expr &&
             entry->second.kind == InitValue::Kind::Constant)
      entry->second.a = entry->second.b = value->first;
  }
}

void Checker::sortPerNeuron(PopulationInfo &pop) {
  const NeuronDecl &nd = *pop.model->neuron;
  // In declaration order, each reading only those before it.
  std::map<std::string, size_t> declared;
  for (size_t k = 0; k < nd.vars.size(); ++k)
    declared.emplace(nd.vars[k].name, k);
  auto order = [&](const std::string &name) {
    auto it = declared.find(name);
    return it == declared.end() ? nd.vars.size() : it->second;
  };
  std::stable_sort(
      pop.paramInits.begin(), pop.paramInits.end(),
      [&](auto &a, auto &b) { return order(a.first) < order(b.first); });
  std::set<std::string> perNeuron;
  for (auto &entry : pop.paramInits)
    perNeuron.insert(entry.first);
  for (auto &[name, iv] : pop.paramInits) {
    if (!iv.expr)
      continue;
    // `N(tau = tau)`: inside the arguments the model's names are its own
    // variables, which shadow the network's names.
    if (refersTo(*iv.expr, name)) {
      diag.error(iv.expr->range,
                 "the value of '" + name + "' reads '" + name +
                     "' itself: in the arguments of '" + nd.name +
                     "', its own names mean its variables, not the "
                     "network's (rename a network parameter '" +
                     name + "' to use it here)");
      continue;
    }
    std::set<std::string> reads;
    namesIn(*iv.expr, reads);
    std::vector<std::pair<size_t, std::string>> later;
    for (const std::string &other : reads)
      if (perNeuron.count(other) && order(other) > order(name))
        later.emplace_back(order(other), other);
    std::sort(later.begin(), later.end());
    for (const auto &[k, other] : later)
      diag.error(iv.expr->range,
                 "'" + other + "' is set per neuron and declared after '" +
                     name + "', so the value of '" + name + "' cannot use it");
  }
}
