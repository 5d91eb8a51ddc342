//===- AttachRules.cpp - Plasticity rules attached at connect -------------===//
//
// `connect A -> B with S + R`: the synapse S with rule R merged in, a
// new synapse `S+R` checked like any other. The merge needs the checked
// dimensions of S and R and reports at the connect, so it happens while
// networks are checked, once per combination.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Frontend/Imports.h"

#include <algorithm>

using namespace neuro;
using namespace neuro::sema;

const ModelInfo *Checker::attachRules(const ModelInfo &syn,
                                      const ConnectDecl &c) {
  // `S+R`: a name no declaration can take.
  std::string name = syn.name;
  for (const NameRef &r : c.rules)
    name += "+" + r.name;
  if (auto it = result.models.find(name); it != result.models.end())
    return it->second.synapse ? &it->second : nullptr;
  SynapseDecl merged;
  merged.name = name;
  merged.range = syn.synapse->range;
  for (const VarDecl &v : syn.synapse->vars)
    merged.vars.push_back(cloneVar(v));
  for (const OdeDecl &o : syn.synapse->odes)
    merged.odes.push_back(cloneOde(o));
  for (const EventDecl &e : syn.synapse->events)
    merged.events.push_back(cloneEvent(e));
  for (const DrivesDecl &d : syn.synapse->drives)
    merged.drives.push_back(cloneDrives(d));
  bool ok = true;
  for (const NameRef &r : c.rules)
    if (!mergeRule(syn, r, merged))
      ok = false;
  if (!ok) {
    result.models[name].synapse = nullptr; // remembered as failed
    return nullptr;
  }
  result.composites.push_back(std::move(merged));
  unsigned before = diag.numErrors();
  checkSynapse(result.composites.back(), /*composite=*/true);
  if (diag.numErrors() != before) {
    result.models[name].synapse = nullptr; // remembered as failed
    return nullptr;
  }
  return &result.models[name];
}

bool Checker::mergeRule(const ModelInfo &syn, const NameRef &r,
                        SynapseDecl &merged) {
  auto it = result.models.find(r.name);
  if (it == result.models.end() || !it->second.isRule) {
    diag.error(r.range, it == result.models.end()
                            ? "unknown plasticity rule '" + r.name + "'" +
                                  libraryImportHint(r.name, ModelKind::Rule)
                            : "'" + r.name +
                                  "' is not a plasticity rule; attach "
                                  "rules declared with 'plasticity'");
    return false;
  }
  bool ok = true;
  const ModelInfo &rule = it->second;
  for (const VarDecl &v : rule.synapse->vars) {
    auto mine =
        std::find_if(merged.vars.begin(), merged.vars.end(),
                     [&](const VarDecl &m) { return m.name == v.name; });
    if (v.kind == VarDecl::Kind::Weight) {
      // The weight the rule changes is the synapse's.
      const VarDecl *w = nullptr;
      for (const VarDecl &m : merged.vars)
        if (m.kind == VarDecl::Kind::Weight)
          w = &m;
      if (!w || w->name != v.name ||
          syn.vars.at(w->name).dim != rule.vars.at(v.name).dim) {
        diag.error(r.range, "rule '" + r.name + "' changes weight '" + v.name +
                                "' in " + rule.vars.at(v.name).dim.str() +
                                ", but synapse '" + syn.name + "' has " +
                                (w ? "weight '" + w->name + "' in " +
                                         syn.vars.at(w->name).dim.str()
                                   : std::string("no weight")));
        diag.note(v.range, "the rule's weight is declared here");
        ok = false;
      }
      continue;
    }
    // A target variable, source state or modulator the synapse declares
    // alike is the same one: a rule may write the `v` its synapse adds to.
    bool shared = v.kind == VarDecl::Kind::PostVar ||
                  v.kind == VarDecl::Kind::PreVar ||
                  v.kind == VarDecl::Kind::Modulator;
    if (mine != merged.vars.end() && shared && mine->kind == v.kind &&
        syn.vars.count(v.name) &&
        syn.vars.at(v.name).dim == rule.vars.at(v.name).dim)
      continue;
    if (mine != merged.vars.end()) {
      diag.error(r.range, "rule '" + r.name + "' declares '" + v.name +
                              "', which synapse '" + syn.name +
                              "' (or an earlier rule) declares too");
      diag.note(v.nameRange, "declared in the rule here");
      diag.note(mine->nameRange, "and here");
      ok = false;
      continue;
    }
    merged.vars.push_back(cloneVar(v));
  }
  for (const OdeDecl &o : rule.synapse->odes)
    merged.odes.push_back(cloneOde(o));
  for (const EventDecl &e : rule.synapse->events) {
    auto same =
        std::find_if(merged.events.begin(), merged.events.end(),
                     [&](const EventDecl &m) { return m.event == e.event; });
    EventDecl copy = cloneEvent(e);
    if (same == merged.events.end())
      merged.events.push_back(std::move(copy));
    else
      for (Stmt &st : copy.body)
        same->body.push_back(std::move(st));
  }
  return ok;
}
