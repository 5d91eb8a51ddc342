//===- Functions.cpp - User functions -------------------------------------===//
//
// `function f(x: mV) = ...`: declared with their parameters' dimensions,
// their bodies typed with the functions declared before them (so no
// recursion), and their calls checked against the parameters.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

using namespace neuro;
using namespace neuro::sema;

void Checker::declareFunction(const FunctionDecl &f) {
  FunctionInfo info;
  info.decl = &f;
  info.ok = true;
  if (isKnownFunction(f.name) || isDraw(f.name) || f.name == "timed" ||
      f.name == "values") {
    diag.error(f.nameRange, "'" + f.name + "' is a built-in function");
    info.ok = false;
  }
  std::set<std::string> seen;
  for (const FunctionDecl::Param &p : f.params) {
    if (!seen.insert(p.name).second) {
      diag.error(p.range, "parameter '" + p.name + "' of '" + f.name +
                              "' is declared twice");
      info.ok = false;
    }
    auto dim = resolveUnit(p.unit);
    if (!dim)
      info.ok = false;
    info.params.push_back({p.name, dim ? *dim : Dim::none()});
  }
  if (f.result) {
    if (auto dim = resolveUnit(*f.result))
      info.result = *dim;
    else
      info.ok = false;
  }
  functions[f.name] = info;
}

void Checker::checkFunction(const FunctionDecl &f) {
  const FunctionInfo info = functions[f.name];
  std::map<std::string, Dim> env;
  for (auto &[name, dim] : info.params)
    env[name] = dim;
  // Later functions are not visible yet: no recursion.
  std::map<std::string, FunctionInfo> later;
  bool after = false;
  for (const FunctionDecl &g : module.functions) {
    if (&g == &f)
      after = true;
    if (after && functions.count(g.name)) {
      later[g.name] = functions[g.name];
      functions.erase(g.name);
      hiddenFunctions.insert(g.name);
    }
  }
  inFunction = true;
  auto t = typeNetExpr(*f.body, env,
                       "the body of function '" + f.name +
                           "' (it may use its parameters and the "
                           "functions declared before it)");
  inFunction = false;
  hiddenFunctions.clear();
  for (auto &[name, fi] : later)
    functions[name] = fi;
  if (!t) {
    functions[f.name].ok = false;
    return;
  }
  if (t->isBool) {
    diag.error(f.body->range, "function '" + f.name +
                                  "' gives a truth value; functions give "
                                  "numbers");
    functions[f.name].ok = false;
  } else if (f.result && t->dim != info.result) {
    diag.error(f.body->range,
               "function '" + f.name + "' is declared in " + info.result.str() +
                   " but its body has dimension " + t->dim.str());
    functions[f.name].ok = false;
  } else {
    functions[f.name].result = t->dim;
  }
}

std::optional<Type> Checker::callFunction(const Expr &e, const FunctionInfo &f,
                                          const ModelInfo &info) {
  if (e.args.size() != f.params.size()) {
    diag.error(e.range, "'" + e.name + "' takes " +
                            std::to_string(f.params.size()) + " argument" +
                            (f.params.size() == 1 ? "" : "s") + ", got " +
                            std::to_string(e.args.size()));
    return std::nullopt;
  }
  bool ok = f.ok;
  for (size_t k = 0; k < e.args.size(); ++k) {
    auto t = typeOf(*e.args[k], info);
    if (!t) {
      ok = false;
      continue;
    }
    if (t->isBool || t->dim != f.params[k].second) {
      diag.error(e.args[k]->range,
                 "argument '" + f.params[k].first + "' of '" + e.name +
                     "' must have dimension " + f.params[k].second.str() +
                     ", got " + (t->isBool ? "a truth value" : t->dim.str()));
      diag.note(f.decl->nameRange, "'" + e.name + "' is declared here");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return Type{f.result};
}
