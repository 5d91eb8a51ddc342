//===- CheckNetworkProjections.cpp - A projection against its neurons -----===//
//
// What a projection's synapse model needs of the populations it joins:
// the source's and target's variables it reads (`pre v`, `post v`), the
// inputs it drives, the states its modulators follow; Dale's law for the
// weights from an excitatory or inhibitory population; and `--set` for the
// projection's own values.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Runtime/Table.h"

using namespace neuro;
using namespace neuro::sema;

void Checker::overrideProjection(const ModelInfo &syn, const ConnectDecl &c,
                                 ProjectionInfo &proj) {
  std::string prefix = proj.name + ".";
  for (auto &[name, text] : overrides)
    if (name.compare(0, prefix.size(), prefix) == 0 &&
        !syn.vars.count(name.substr(prefix.size()))) {
      diag.error(c.range, names.set + " " + name + ": synapse '" + syn.name +
                              "' has no parameter, weight or state named '" +
                              name.substr(prefix.size()) + "'");
      consumedOverrides.insert(name);
    }
  for (const VarDecl &v : syn.synapse->vars) {
    std::string name = proj.name + "." + v.name;
    auto o = overrides.find(name);
    if (o == overrides.end())
      continue;
    const VarInfo &vi = syn.vars.at(v.name);
    double value = 0;
    std::string err;
    bool settable =
        v.kind == VarDecl::Kind::Param || v.kind == VarDecl::Kind::Weight ||
        v.kind == VarDecl::Kind::State || v.kind == VarDecl::Kind::PostState;
    if (!settable) {
      diag.error(c.range, names.set + " " + name + ": '" + v.name + "' is " +
                              aKindName(v.kind) + " of '" + syn.name +
                              "', which has no value of its own");
      consumedOverrides.insert(name);
      continue;
    }
    if (!rt::parseQuantityOf(o->second, vi.dim.symbol(), "'" + name + "'",
                             value, err)) {
      diag.error(c.range, names.set + " " + name + ": " + err);
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
                        const ConnectDecl &c,
                        const rt::ConnectionSummary *listed,
                        const PopulationDecl &src) {
  const char *kind = proj.sign > 0 ? "excitatory" : "inhibitory";
  auto violates = [&](double v) { return proj.sign > 0 ? v < 0 : v > 0; };
  auto report = [&](SourceRange where, const std::string &what) {
    diag.error(where, what + ", but '" + src.name + "' is " + kind +
                          " (Dale's law: its weights must be " +
                          (proj.sign > 0 ? ">= 0" : "<= 0") + ")");
    diag.note(src.signRange, "declared " + std::string(kind) + " here");
  };
  if (listed && listed->weights) {
    // The weight furthest on the wrong side, at the first row that has it.
    double w = proj.sign > 0 ? listed->minWeight : listed->maxWeight;
    uint64_t row = proj.sign > 0 ? listed->minWeightRow : listed->maxWeightRow;
    if (listed->rows && violates(w))
      report(c.file->range, c.file->name + ": row " + std::to_string(row + 1) +
                                " has weight " + fmt(w));
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
    // Values in SI, with the unit: -0.0007 V, not -0.0007.
    std::string symbol = syn.vars.at(name).dim.symbol();
    std::string unit = symbol == "1" ? "" : " " + symbol;
    if (iv.kind == InitValue::Kind::Normal && iv.b > 0)
      report(where, "weight '" + name +
                        "' is drawn from a normal distribution, which "
                        "takes either sign");
    else if (iv.kind == InitValue::Kind::Uniform &&
             (violates(iv.a) || violates(iv.b)))
      report(where, "weight '" + name + "' is drawn from [" + fmt(iv.a) + unit +
                        ", " + fmt(iv.b) + unit + "]");
    else if (iv.kind != InitValue::Kind::Uniform && violates(iv.a))
      report(where, "weight '" + name + "' is " + fmt(iv.a) + unit);
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
      unknownPopulation(e.range, e.name);
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
    if (it != pop.model->vars.end() &&
        it->second.decl->kind == VarDecl::Kind::Param && !perNeuronParam) {
      diag.error(where, "synapse '" + syn.name + "' uses '" + keyword + " " +
                            v.neuronVar + "', but '" + v.neuronVar +
                            "' is a parameter of neuron '" + pop.model->name +
                            (kind == VarDecl::Kind::PreVar
                                 ? "' that '" + pop.decl->name +
                                       "' does not set per neuron: 'pre' "
                                       "reads states and parameters set per "
                                       "neuron"
                                 : "': 'post' names a state of the target"));
      diag.note(v.range, "declared here");
    } else if (it == pop.model->vars.end() ||
               (it->second.decl->kind != VarDecl::Kind::State &&
                !perNeuronParam)) {
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

void Checker::checkTargetRows(const NetworkInfo &net) {
  // Per target population: row name -> the projection that adds it.
  std::map<std::pair<int, std::string>, const ProjectionInfo *> added;
  for (const ProjectionInfo &pr : net.projections) {
    if (!pr.model || !pr.model->synapse || !pr.decl)
      continue;
    const PopulationInfo &target = net.populations[size_t(pr.dst)];
    auto check = [&](const std::string &var, const char *what) {
      std::string row = var + "_" + pr.name;
      const SourceRange &at =
          pr.decl->alias ? pr.decl->alias->range : pr.decl->synapse.range;
      std::string start = "projection '" + pr.name + "' keeps " + what + " '" +
                          var + "' of synapse '" + pr.model->name +
                          "' in a row '" + row + "' of population '" +
                          target.decl->name + "', but ";
      const char *hint = ": name the projection otherwise (as NAME)";
      if (target.model && target.model->vars.count(row)) {
        diag.error(at, start + "neuron '" + target.model->name +
                           "' has a variable of that name" + hint);
        return;
      }
      auto [it, fresh] = added.emplace(std::make_pair(pr.dst, row), &pr);
      if (fresh)
        return;
      if (it->second == &pr)
        // Another name for the projection would not part them.
        diag.error(at, start +
                           "it adds a row of that name already (a post "
                           "state and an input of the same name): "
                           "rename one of them in synapse '" +
                           pr.model->name + "' or neuron '" +
                           target.model->name + "'");
      else
        diag.error(at, start + "projection '" + it->second->name +
                           "' adds a row of that name to it" + hint);
    };
    for (const VarDecl &v : pr.model->synapse->vars)
      if (v.kind == VarDecl::Kind::PostState)
        check(v.name, "its post state");
    for (const DrivesDecl &d : pr.model->synapse->drives)
      if (isSummedDrive(d, *pr.model))
        check(d.target, "the sum it drives into");
  }
}
