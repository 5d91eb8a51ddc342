//===- CheckNetworkArgs.cpp - Arguments of populations and connects -------===//
//
// `LIF(tau_m = 20 ms, v = uniform(-70 mV, -50 mV))` at a population and
// `S(w = 0.5 mV)` at a connect: each argument sets a parameter or an
// initial value, as a constant, a draw, a table of values or times, or an
// expression evaluated per neuron or synapse when the network is built.
// Initial values the arguments leave alone are evaluated with the
// parameters they give.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include <algorithm>

using namespace neuro;
using namespace neuro::sema;

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
  // A state that starts from the states declared before it (Brian2's
  // `G.u = 'b * v'`, `S.w0 = 'w'`): computed per neuron (synapse) after
  // them.
  if (argEnv && (perNeuron || model.isSynapse) &&
      kind == VarDecl::Kind::State && readsStates(*a.value, model)) {
    std::map<std::string, Dim> env = *argEnv;
    if (!earlierStates(model, a, env))
      return;
    const std::map<std::string, Dim> *outer = argEnv;
    argEnv = &env;
    applyKernelArg(a, var, params, inits, perNeuron);
    argEnv = outer;
    return;
  }
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
    // One value per neuron from a table file. A parameter whose table
    // cannot be read (reported) is still given per neuron, so that what
    // reads it (a record) draws no second error.
    std::optional<InitValue> v = evalValues(*a.value, a.name, var.dim);
    if (kind == VarDecl::Kind::Param) {
      perNeuron->push_back({a.name, v ? *v : InitValue()});
      params.erase(a.name);
    } else if (v) {
      for (auto &[name, iv] : inits)
        if (name == a.name)
          iv = *v;
    }
    return;
  }
  if (kind == VarDecl::Kind::Param && timed && perNeuron) {
    // A parameter that changes in time: a row the runtime refills (given
    // so also where its table cannot be read, as above).
    std::optional<InitValue> v = evalTimed(*a.value, var.dim);
    perNeuron->push_back({a.name, v ? *v : InitValue()});
    params.erase(a.name);
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
    if (auto v = evalInit(*a.value, env, dims, var.dim, "'" + a.name + "'")) {
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
    auto v = evalInit(*a.value, env, dims, var.dim, "'" + a.name + "'");
    if (v)
      for (auto &[name, iv] : inits)
        if (name == a.name)
          iv = v->first;
  } else {
    diag.error(a.nameRange,
               "cannot set " + kindName(kind) + " '" + a.name + "' here");
  }
}

bool Checker::earlierStates(const ModelInfo &model, const NamedExpr &a,
                            std::map<std::string, Dim> &env) {
  bool after = false, ok = true;
  for (const VarDecl &v :
       model.neuron ? model.neuron->vars : model.synapse->vars) {
    if (!startsFrom(v, model))
      continue;
    after |= v.name == a.name;
    if (!after) {
      env[v.name] = model.vars.at(v.name).dim;
    } else if (refersTo(*a.value, v.name)) {
      diag.error(a.value->range, readsLater(v, a.name));
      ok = false;
    }
  }
  return ok;
}

void Checker::applyKernelArg(const NamedExpr &a, const VarInfo &var,
                             std::map<std::string, double> &params,
                             Inits &inits, Inits *perNeuron) {
  // Evaluated per neuron (synapse) when the network is built.
  auto t = typeNetExpr(*a.value, *argEnv,
                       perNeuron ? "a population's initial values (use "
                                   "i, N, parameters and draws)"
                                 : "a synapse's initial values (use i, "
                                   "j, N_pre, N_post, N_incoming, "
                                   "N_outgoing, NAME_pre, NAME_post, "
                                   "parameters and draws)");
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
  const std::map<std::string, Dim> dims = paramDims(model);
  perNeuronNames.clear();
  if (perNeuron)
    for (auto &p : *perNeuron)
      perNeuronNames.insert(p.first);
  for (auto &[name, iv] : inits) {
    if (given.count(name) || !model.vars.at(name).unitKnown)
      continue;
    const VarDecl *decl = model.vars.at(name).decl;
    if (!decl->init) {
      diag.error(modelRef, "'" + model.name + "' needs a value for " +
                               kindName(decl->kind) + " '" + name + "'");
      continue;
    }
    // One that reads rows is computed per neuron (deriveFromParameters);
    // one of a synapse that reads its weight or states, per synapse.
    if (model.isSynapse && readsStates(*decl->init, model)) {
      iv = InitValue{};
      iv.expr = decl->init.get();
      continue;
    }
    if (refersToAny(*decl->init, perNeuronNames) ||
        readsStates(*decl->init, model))
      continue;
    auto v = evalInit(*decl->init, params, dims, model.vars.at(name).dim,
                      "'" + name + "'");
    if (v)
      iv = v->first;
  }
  perNeuronNames.clear();
}
