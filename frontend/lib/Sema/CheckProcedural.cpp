//===- CheckProcedural.cpp - Projections kept as their rule ---------------===//
//
// `connect E -> E with S(w = normal(...)) p = 0.02 procedural` keeps the
// projection as its rule: the runtime stores no synapse and draws the
// synapses of each spike again (runtime/include/neuro/Runtime/
// Procedural.h). Only what can be drawn again for one source alone
// qualifies; the reasons here are the runtime's (proceduralBlocker), said
// in the terms of the source.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

using namespace neuro;
using namespace neuro::sema;

std::string Checker::proceduralBlocker(const NetworkInfo &net, size_t j) {
  const ProjectionInfo &pr = net.projections[j];
  if (pr.rule == "in_degree")
    return "in_degree draws the sources of each target, so the synapses of "
           "one source depend on the draws of every target (use p or "
           "out_degree)";
  if (pr.rule == "expression")
    return "a probability given per pair (an expression for p, or where) "
           "reads the neurons as they are when the network is built, and "
           "would be evaluated for every target of each spike";
  if (pr.rule == "file")
    return "its synapses are listed in a file";
  for (const auto &[name, iv] : pr.inits)
    if (iv.expr)
      return "'" + name + "' is " +
             (iv.expr->kind == Expr::Kind::Call && isDraw(iv.expr->name) &&
                      iv.expr->name != "uniform" && iv.expr->name != "normal"
                  ? "drawn from " + iv.expr->name + "()"
                  : std::string("an expression of the pair")) +
             " (only constants, uniform() and normal() can be drawn again)";
  if (pr.delayInit && pr.delayInit->expr)
    return "the delay is an expression of the pair (only constants, "
           "uniform() and normal() can be drawn again)";
  const ModelInfo &syn = *pr.model;
  for (const VarDecl &v : syn.synapse->vars)
    if (v.kind == VarDecl::Kind::State)
      return "synapse '" + syn.name + "' has the per-synapse state '" + v.name +
             "', which must be stored";
  for (const EventDecl &e : syn.synapse->events) {
    if (e.event == "post")
      return "synapse '" + syn.name + "' has 'on post'";
    for (const Stmt &s : e.body) {
      auto it = syn.vars.find(s.target);
      if (it != syn.vars.end() && it->second.decl &&
          it->second.decl->kind == VarDecl::Kind::Weight)
        return "synapse '" + syn.name + "' changes its weight '" + s.target +
               "', which must be stored";
    }
  }
  for (const DrivesDecl &d : syn.synapse->drives) {
    std::set<VarDecl::Kind> kinds;
    collectKinds(*d.value, syn, kinds);
    if (kinds.count(VarDecl::Kind::Weight) || kinds.count(VarDecl::Kind::State))
      return "synapse '" + syn.name + "' drives '" + d.target +
             "' with a sum over its synapses, computed every step";
  }
  for (const StateRecordInfo &rec : net.recordStates)
    if (rec.projection == int(j))
      return "its synapses are recorded";
  return "";
}

void Checker::checkProcedural(const NetworkInfo &net) {
  for (size_t j = 0; j < net.projections.size(); ++j) {
    const ProjectionInfo &pr = net.projections[j];
    if (!pr.procedural)
      continue;
    std::string why = proceduralBlocker(net, j);
    if (!why.empty())
      diag.error(pr.proceduralRange,
                 "projection '" + pr.name + "' cannot be procedural: " + why);
  }
}
