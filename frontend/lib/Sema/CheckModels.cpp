//===- CheckModels.cpp - Neurons and synapses -----------------------------===//
//
// A neuron or synapse declaration: its variables with their dimensions
// and default values, its equations, spike condition, reset, events and
// drives, and warnings about unused or shadowing declarations.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace neuro;
using namespace neuro::sema;

void Checker::declareVars(ModelInfo &info, const std::vector<VarDecl> &vars) {
  // Params may refer to params declared before them.
  std::map<std::string, double> env;
  std::map<std::string, Dim> envDims;
  for (const VarDecl &v : vars) {
    // The compiler's own rows (_lastspike, propagator entries _P0_1, ...)
    // start with '_': a variable of that name would collide with them.
    if (!v.name.empty() && v.name[0] == '_')
      diag.error(v.nameRange, "'" + v.name +
                                  "': names starting with '_' are the "
                                  "compiler's own (rows it adds to "
                                  "populations); rename it");
    if (info.vars.count(v.name)) {
      diag.error(v.nameRange,
                 "redefinition of '" + v.name + "' in '" + info.name + "'");
      diag.note(info.vars[v.name].decl->nameRange,
                "previous definition is here");
      continue;
    }
    VarInfo vi;
    vi.decl = &v;
    std::optional<Dim> declared;
    if (v.unit) {
      declared = resolveUnit(*v.unit);
      if (!declared) {
        vi.unitKnown = false;
        info.vars[v.name] = vi;
        continue;
      }
    }
    if (v.kind == VarDecl::Kind::Let) {
      // A named subexpression: typed with what is declared before it. It
      // may read the time and the last spike; where it is used says
      // whether they may be read there.
      bool time = allowTime, last = allowLastSpike;
      allowTime = allowLastSpike = true;
      auto t = typeOf(*v.init, info);
      allowTime = time;
      allowLastSpike = last;
      letTimes[&v] = timesRead(*v.init, info);
      if (t && t->isBool)
        diag.error(v.init->range, "'let " + v.name +
                                      "' must be a number, not a truth "
                                      "value");
      else if (t && declared && *declared != t->dim)
        diag.error(v.init->range,
                   "'let " + v.name + "' is declared in " + declared->str() +
                       " but its value has dimension " + t->dim.str());
      vi.dim = declared ? *declared : (t ? t->dim : Dim::none());
    } else if (v.kind == VarDecl::Kind::Param) {
      auto value = evalConst(*v.init, env, envDims, "a parameter's value");
      if (value && !std::isfinite(value->first)) {
        diag.error(v.init->range, "the value of parameter '" + v.name +
                                      "' is not a finite number (" +
                                      (std::isnan(value->first)
                                           ? std::string("NaN")
                                           : fmt(value->first)) +
                                      ")");
        value.reset();
      }
      if (value)
        warnSuspiciousRate(*v.init, value->second, value->first);
      if (value) {
        vi.defaultValue = value->first;
        vi.hasDefault = true;
        if (declared && *declared != value->second) {
          diag.error(v.init->range, "parameter '" + v.name +
                                        "' is declared in " + declared->str() +
                                        " but its value has dimension " +
                                        value->second.str());
        }
        vi.dim = declared ? *declared : value->second;
        env[v.name] = vi.defaultValue;
        envDims[v.name] = vi.dim;
      } else if (declared) {
        vi.dim = *declared;
      }
    } else if (v.kind == VarDecl::Kind::State && v.init &&
               llvm::any_of(vars, [&](const VarDecl &w) {
                 return startsFrom(w, info) && refersTo(*v.init, w.name);
               })) {
      // Starts from other states' initial values (`state u = b * v`; a
      // synapse's also from its weight, `state w0 = w`).
      auto t = typeOfStateInit(v, info, vars);
      vi.dim = declared ? *declared : (t ? *t : Dim::none());
      if (t && declared && *t != *declared)
        diag.error(v.init->range, "initial value has dimension " + t->str() +
                                      " but '" + v.name + "' is in " +
                                      declared->str());
    } else if (declared) {
      vi.dim = *declared;
    } else if (v.init) {
      // State without a unit: the dimension of its initial value.
      if (auto t = typeOfInit(*v.init, env, envDims))
        vi.dim = *t;
    }
    info.vars[v.name] = vi;
    // `post v` is also `v_post`, as in Brian2.
    if (v.kind == VarDecl::Kind::PostVar && !info.vars.count(v.name + "_post"))
      info.vars[v.name + "_post"] = vi;
  }
}

/// The first reference to `name` in `e`, or null.
static const Expr *findRef(const Expr &e, const std::string &name) {
  if (e.kind == Expr::Kind::Ref && e.name == name)
    return &e;
  for (const ExprPtr &a : e.args)
    if (const Expr *r = a ? findRef(*a, name) : nullptr)
      return r;
  return nullptr;
}

std::optional<Dim> Checker::typeOfStateInit(const VarDecl &v,
                                            const ModelInfo &info,
                                            const std::vector<VarDecl> &vars) {
  bool ok = true, after = false;
  for (const VarDecl &w : vars) {
    after |= &w == &v;
    const Expr *ref = findRef(*v.init, w.name);
    if (!ref)
      continue;
    if (after && startsFrom(w, info)) {
      diag.error(ref->range, readsLater(w, v.name));
      ok = false;
    } else if (!after && !startsFrom(w, info) &&
               w.kind != VarDecl::Kind::Param) {
      diag.error(ref->range,
                 std::string("an initial value reads parameters and the ") +
                     (info.isSynapse ? "weight and states" : "states") +
                     " declared before it, not " + kindName(w.kind) + " '" +
                     w.name + "'");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  auto t = typeOf(*v.init, info);
  if (t && t->isBool) {
    diag.error(v.init->range, "an initial value is a number, not a truth "
                              "value");
    return std::nullopt;
  }
  return t ? std::optional<Dim>(t->dim) : std::nullopt;
}

std::optional<Dim> Checker::typeOfInit(const Expr &e,
                                       const std::map<std::string, double> &env,
                                       const std::map<std::string, Dim> &dims) {
  auto v = evalInit(e, env, dims, std::nullopt);
  if (!v)
    return std::nullopt;
  return v->second;
}

void Checker::checkOdes(ModelInfo &info, const std::vector<OdeDecl> &odes,
                        bool neuron) {
  std::map<std::string, SourceRange> seen;
  for (const OdeDecl &ode : odes) {
    auto it = info.vars.find(ode.var);
    if (it == info.vars.end()) {
      diag.error(ode.varRange,
                 "'d" + ode.var + "/dt' names no state of '" + info.name + "'");
      continue;
    }
    auto kind = it->second.decl->kind;
    bool weightOde = !neuron && kind == VarDecl::Kind::Weight;
    if (kind != VarDecl::Kind::State && kind != VarDecl::Kind::PostState &&
        !weightOde) {
      diag.error(ode.varRange, "'" + ode.var + "' is " + aKindName(kind) +
                                   "; only states have derivatives");
      continue;
    }
    if (!seen.emplace(ode.var, ode.range).second) {
      diag.error(ode.range, "second equation for d" + ode.var + "/dt");
      diag.note(seen[ode.var], "first equation is here");
      continue;
    }
    if (ode.unlessRefractory && !neuron)
      diag.error(ode.range, "'unless refractory' is only meaningful in a "
                            "neuron");
    Dim want = it->second.dim / Dim::time();
    // Per-synapse states (and a weight with an equation) may read
    // anything of the synapse; post states are one value per target.
    bool perSynapse = !neuron && (kind == VarDecl::Kind::State || weightOde);
    if (!neuron && !perSynapse)
      checkSynapseReads(*ode.rhs, info,
                        "the equation of post state '" + ode.var + "'");
    allowTime = true;
    allowNoise = !perSynapse;
    auto t = typeOf(*ode.rhs, info);
    allowTime = allowNoise = false;
    if (!t)
      continue;
    if (t->isBool) {
      diag.error(ode.rhs->range,
                 "the right-hand side of d" + ode.var + "/dt is a truth value");
    } else if (t->dim != want) {
      std::string msg = "the right-hand side of d" + ode.var +
                        "/dt must have dimension " + want.str() + ", got " +
                        t->dim.str();
      if (t->dim == it->second.dim)
        msg += "; divide by a time constant";
      diag.error(ode.rhs->range, msg);
    }
  }
}

void Checker::checkSynapseReads(const Expr &e, const ModelInfo &info,
                                const std::string &what, unsigned depth) {
  if (depth > 64)
    return;
  if (e.kind == Expr::Kind::Ref) {
    auto it = info.vars.find(e.name);
    if (it == info.vars.end() && e.name == "not_refractory_pre")
      diag.error(e.range, what + " cannot use 'not_refractory_pre': it is "
                                 "one value per target neuron, not per "
                                 "synapse");
    if (it == info.vars.end())
      return; // reported by typeOf
    const VarDecl &d = *it->second.decl;
    if (d.kind == VarDecl::Kind::Let && d.init) {
      checkSynapseReads(*d.init, info, what, depth + 1);
      return;
    }
    if (d.kind == VarDecl::Kind::Weight || d.kind == VarDecl::Kind::State ||
        d.kind == VarDecl::Kind::PreVar || d.kind == VarDecl::Kind::Modulator) {
      diag.error(e.range,
                 what + " cannot use " +
                     (d.kind == VarDecl::Kind::State ? "per-synapse state"
                                                     : kindName(d.kind)) +
                     " '" + e.name +
                     (d.kind == VarDecl::Kind::Modulator
                          ? "': modulators are read per synapse (in "
                            "events, per-synapse equations and summed "
                            "drives)"
                          : "': it is one value per target neuron, not "
                            "per synapse"));
      diag.note(d.nameRange, "declared here");
    }
    return;
  }
  for (const ExprPtr &a : e.args)
    if (a)
      checkSynapseReads(*a, info, what, depth + 1);
}

void Checker::collectKinds(const Expr &e, const ModelInfo &info,
                           std::set<VarDecl::Kind> &kinds, unsigned depth) {
  if (depth > 64)
    return;
  if (e.kind == Expr::Kind::Ref) {
    auto it = info.vars.find(e.name);
    if (it == info.vars.end())
      return;
    const VarDecl &d = *it->second.decl;
    if (d.kind == VarDecl::Kind::Let && d.init)
      collectKinds(*d.init, info, kinds, depth + 1);
    else
      kinds.insert(d.kind);
    return;
  }
  for (const ExprPtr &a : e.args)
    if (a)
      collectKinds(*a, info, kinds, depth + 1);
}

void Checker::checkStmts(const ModelInfo &info, const std::vector<Stmt> &stmts,
                         const std::set<VarDecl::Kind> &assignable,
                         const std::string &where) {
  for (const Stmt &s : stmts) {
    auto it = info.vars.find(s.target);
    if (it == info.vars.end()) {
      std::string msg = undeclaredName(info, s.target);
      if (s.op == "=")
        msg += "; a value named in statements (Brian2's temporary '" +
               s.target + " = ...') is a 'let " + s.target +
               " = ...' of the model (computed before the first statement "
               "that reads it, not where the assignment stands) or a state "
               "assigned here";
      diag.error(s.targetRange, msg);
      continue;
    }
    if (!assignable.count(it->second.decl->kind)) {
      diag.error(s.targetRange, "cannot assign to " +
                                    kindName(it->second.decl->kind) + " '" +
                                    s.target + "' in " + where);
      continue;
    }
    Dim want = it->second.dim;
    if (s.op == "*=" || s.op == "/=")
      want = Dim::none();
    // `t` in a reset or an event is the start of the step that runs it
    // (Brian2's t in reset, on_pre and on_post).
    allowTime = allowLastSpike = true;
    expectDim(*s.value, info, want,
              "the value " +
                  std::string(s.op == "=" ? "assigned to '" : "applied to '") +
                  s.target + "'");
    allowTime = allowLastSpike = false;
  }
}

void Checker::checkNeuron(const NeuronDecl &n) {
  used.clear();
  ModelInfo &info = result.models[n.name];
  info.name = n.name;
  info.neuron = &n;
  info.method = readMethod(
      n.annotations,
      {"exact", "exponential_euler", "euler", "rk2", "rk4", "euler_maruyama",
       "heun", "milstein"},
      " (expected exact, exponential_euler, euler, rk2, rk4, euler_maruyama, "
      "heun or milstein)");
  for (const VarDecl &v : n.vars)
    if (v.kind == VarDecl::Kind::Input && v.init)
      diag.error(v.range, "an input has no initial value");
  declareVars(info, n.vars);
  for (const VarDecl &v : n.vars)
    if (v.kind == VarDecl::Kind::State && v.unit && !readsStates(*v.init, info))
      checkInitDim(*v.init, info, info.vars[v.name]);
  checkOdes(info, n.odes, true);
  bool hasUnless = false;
  for (const OdeDecl &o : n.odes)
    hasUnless |= o.unlessRefractory;
  if (n.spike) {
    allowTime = allowRand = allowLastSpike = true;
    auto t = typeOf(*n.spike->condition, info);
    allowTime = allowRand = allowLastSpike = false;
    if (t && !t->isBool)
      diag.error(n.spike->condition->range,
                 "the spike condition must be a comparison, such as "
                 "'v > v_th'");
    allowRand = true; // keyed by neuron and step, as in the condition
    checkStmts(info, n.spike->reset, {VarDecl::Kind::State}, "a reset");
    allowRand = false;
    // One that reads a state is a condition (Brian2's refractory='v >
    // -40*mV'): refractory from a spike until it is false at the start of
    // a step.
    const Expr *refractory = n.spike->refractory.get();
    bool readsState = refractory && llvm::any_of(info.vars, [&](auto &var) {
                        return var.second.decl->kind != VarDecl::Kind::Param &&
                               refersTo(*refractory, var.first);
                      });
    if (readsState && refersTo(*refractory, "not_refractory")) {
      diag.error(refractory->range,
                 "a refractory condition cannot read 'not_refractory': it "
                 "is what the condition defines");
    } else if (readsState) {
      allowTime = true;
      std::optional<Type> type = typeOf(*refractory, info);
      allowTime = false;
      if (type && type->isBool)
        info.refractoryCondition = true;
      else if (type)
        diag.error(refractory->range,
                   "a refractory period that reads a state must be a "
                   "condition, such as 'v > -40 mV' (refractory while it "
                   "holds), got " +
                       type->dim.str());
    } else if (refractory && readsSpikeTime(*refractory)) {
      diag.error(refractory->range,
                 "a refractory period cannot read 't' or 'lastspike': it "
                 "counts from the neuron's last spike already (Brian2's "
                 "'(t - lastspike) < 5*ms' is 'refractory 5 ms')");
    } else if (refractory && !readsFailedParam(*refractory, info) &&
               readsOnlyKnownNames(*refractory, info)) {
      // With the default step: each population evaluates it again with
      // its network's.
      auto v = evalRefractory(*n.spike->refractory, paramEnv(info),
                              paramDims(info), NetworkInfo().dt);
      if (v) {
        if (v->second != Dim::time())
          diag.error(n.spike->refractory->range,
                     "the refractory period must be a time, got " +
                         v->second.str());
        else if (!std::isfinite(v->first))
          diag.error(n.spike->refractory->range,
                     "the refractory period must be finite, got " +
                         std::to_string(v->first) + " s");
        else if (v->first < 0)
          diag.error(n.spike->refractory->range,
                     "the refractory period must be >= 0");
        else
          info.refractory = v->first;
      }
    }
  } else if (hasUnless) {
    for (const OdeDecl &o : n.odes)
      if (o.unlessRefractory)
        diag.error(o.range, "'unless refractory' needs a 'spike when' "
                            "declaration with a refractory period");
  }
  if (n.spike && !n.spike->refractory && hasUnless)
    for (const OdeDecl &o : n.odes)
      if (o.unlessRefractory)
        diag.warning(o.range, "'unless refractory' has no effect: the "
                              "neuron has no refractory period (add "
                              "'refractory T' after its 'spike when')");
  warnAboutModel(info, n.vars);
  result.modelOrder.push_back(&info);
}

bool Checker::readsOnlyKnownNames(const Expr &e, const ModelInfo &info,
                                  bool report) {
  if (e.kind == Expr::Kind::Ref && !info.vars.count(e.name) && e.name != "dt" &&
      !builtinConstant(e.name) && !netConstants.count(e.name) &&
      !lookupUnit(e.name)) {
    if (report)
      diag.error(e.range, undeclaredName(info, e.name));
    return false;
  }
  bool ok = true;
  for (const ExprPtr &a : e.args)
    ok &= !a || readsOnlyKnownNames(*a, info, report);
  return ok;
}

bool Checker::checkInitDim(const Expr &init, const ModelInfo &info,
                           const VarInfo &var) {
  if (!var.unitKnown)
    return true;
  auto v = evalInit(init, paramEnv(info), paramDims(info), var.dim,
                    "'" + var.decl->name + "'");
  return v.has_value();
}

std::string Checker::readMethod(const std::vector<Annotation> &annotations,
                                const std::vector<std::string> &allowed,
                                const std::string &expected) {
  std::string method;
  const Annotation *first = nullptr;
  for (const Annotation &a : annotations) {
    if (a.name == "method" && first) {
      diag.error(a.range, "the integration method is given twice");
      diag.note(first->range, "first given here");
      continue;
    }
    if (a.name == "method")
      first = &a;
    if (a.name != "method")
      diag.error(a.range, "unknown annotation '@" + a.name +
                              "' (expected '@method(...)')");
    else if (a.value == "linear" && llvm::is_contained(allowed, "exact"))
      method = "exact"; // Brian2's other name for it
    else if (!llvm::is_contained(allowed, a.value))
      diag.error(a.range,
                 "unknown integration method '" + a.value + "'" + expected);
    else
      method = a.value;
  }
  return method;
}

void Checker::checkSynapse(const SynapseDecl &s, bool composite) {
  used.clear();
  ModelInfo &info = result.models[s.name];
  info.name = s.name;
  info.isSynapse = true;
  info.isRule = s.isRule;
  info.synapse = &s;
  // The clock-driven equations' method; event-driven ones are solved
  // exactly between events whatever it says.
  info.method =
      readMethod(s.annotations, {"exponential_euler", "euler", "rk2", "rk4"},
                 " for a synapse (expected exponential_euler, euler, rk2 or "
                 "rk4, for its clock-driven equations)");
  if (s.isRule)
    for (const DrivesDecl &d : s.drives)
      diag.error(d.range, "a plasticity rule changes synapses; it drives "
                          "nothing (drives belong to the synapse model)");
  declareVars(info, s.vars);
  unsigned weights = 0;
  for (const VarDecl &v : s.vars) {
    if (v.kind == VarDecl::Kind::Weight) {
      if (++weights > 1)
        diag.error(v.range, "a synapse has one weight");
      if (v.init && v.unit)
        checkInitDim(*v.init, info, info.vars[v.name]);
    }
    if (v.kind == VarDecl::Kind::PostState && v.unit)
      checkInitDim(*v.init, info, info.vars[v.name]);
  }
  if (weights == 0)
    diag.error(s.range, "synapse '" + s.name +
                            "' declares no weight (every synapse has one; "
                            "one that only drives or sums, as Brian2's "
                            "summed-only Synapses, may declare `weight w: 1 "
                            "= 1` and leave it unused)");
  for (const VarDecl &v : s.vars)
    if (v.kind == VarDecl::Kind::State && v.unit && !readsStates(*v.init, info))
      checkInitDim(*v.init, info, info.vars[v.name]);
  checkOdes(info, s.odes, false);
  std::set<std::string> events;
  for (const EventDecl &e : s.events) {
    if (e.event != "pre" && e.event != "post") {
      diag.error(e.range, "unknown event 'on " + e.event +
                              "': synapses react to 'on pre' and 'on post'");
      continue;
    }
    if (!events.insert(e.event).second)
      diag.error(e.range, "second 'on " + e.event + "' block");
    allowRand = true; // keyed by the synapse's ends and the step
    checkStmts(info, e.body,
               {VarDecl::Kind::PostState, VarDecl::Kind::Weight,
                VarDecl::Kind::PostVar, VarDecl::Kind::State},
               "'on " + e.event + "'");
    allowRand = false;
  }
  for (const DrivesDecl &d : s.drives) {
    auto t = typeOf(*d.value, info);
    if (t && t->isBool)
      diag.error(d.value->range, "a synapse drives a number, not a truth "
                                 "value");
    // Reading per-synapse variables makes it a sum over the synapses onto
    // each target; otherwise it is one value per target.
    std::set<VarDecl::Kind> kinds;
    collectKinds(*d.value, info, kinds);
    if (!kinds.count(VarDecl::Kind::Weight) &&
        !kinds.count(VarDecl::Kind::State) &&
        !kinds.count(VarDecl::Kind::PreVar))
      checkSynapseReads(*d.value, info, "what a synapse drives per target");
  }
  if (!composite)
    warnAboutModel(info, s.vars);
  if (!s.isRule)
    result.modelOrder.push_back(&info);
}

void Checker::warnAboutModel(const ModelInfo &info,
                             const std::vector<VarDecl> &vars) {
  for (const VarDecl &v : vars) {
    if (v.name == "t" || v.name == "dt" || v.name == "xi" ||
        isNotRefractoryName(v.name) || isLastSpikeName(v.name))
      diag.warning(v.nameRange, "'" + v.name + "' shadows the built-in " +
                                    (v.name == "xi"   ? std::string("noise")
                                     : v.name == "t"  ? "time"
                                     : v.name == "dt" ? "time step"
                                     : isLastSpikeName(v.name)
                                         ? "time of the last spike"
                                         : "truth value of refractoriness") +
                                    " in '" + info.name + "'");
    // A parameter whose value was in error is reported already.
    if (v.kind == VarDecl::Kind::Param && !used.count(v.name) &&
        !usedByNetworks.count(v.name) && info.vars.count(v.name) &&
        info.vars.at(v.name).hasDefault)
      diag.warning(v.nameRange, "parameter '" + v.name +
                                    "' is never used in '" + info.name + "'");
  }
}
