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

namespace {

/// Calls are inlined (MLIRGen emits a function's body at each call with
/// other arguments), so nested calls multiply: `f1(x) = f0(f0(x))` thirty
/// levels deep is 2^30 operations. Past this many a function is refused
/// rather than compiled for minutes or out of memory.
constexpr uint64_t kInlineLimit = 100000;

/// A call's key when its arguments are names: MLIRGen emits such a call
/// once however often the body repeats it (a name is one value; each
/// number written is a constant of its own); empty otherwise.
std::string repeatableCall(const Expr &e) {
  std::string key = e.name + "(";
  for (const auto &arg : e.args) {
    if (arg->kind != Expr::Kind::Ref)
      return "";
    key += arg->name + ",";
  }
  return key;
}

/// Operations of `e` with the user functions it calls inlined (an upper
/// bound: other calls repeated with the same arguments are also emitted
/// once), held at kInlineLimit + 1. `find`: Checker::findFunction; `seen`:
/// the repeatable calls counted.
template <typename Find>
uint64_t inlinedSize(const Expr &e, const Find &find,
                     std::set<std::string> &seen) {
  uint64_t n = 1;
  for (const auto &arg : e.args)
    n = std::min(n + inlinedSize(*arg, find, seen), kInlineLimit + 1);
  if (e.kind != Expr::Kind::Call)
    return n;
  const FunctionInfo *f = find(e);
  if (!f)
    return n;
  std::string key = repeatableCall(e);
  if (!key.empty() && !seen.insert(key).second)
    return n;
  return std::min(n + f->inlinedSize, kInlineLimit + 1);
}

} // namespace

std::string Checker::functionKey(const std::string &name, unsigned privateTo) {
  return privateTo ? name + "@" + std::to_string(privateTo) : name;
}

FunctionInfo *Checker::findFunction(const Expr &call) {
  unsigned buffer = call.range.begin.buffer;
  if (auto it = functions.find(functionKey(call.name, buffer));
      it != functions.end())
    return &it->second;
  auto it = functions.find(call.name);
  if (it == functions.end())
    return nullptr;
  bool library =
      std::find(module.libraryBuffers.begin(), module.libraryBuffers.end(),
                buffer) != module.libraryBuffers.end();
  if (library && it->second.decl->range.begin.buffer != buffer)
    return nullptr;
  return &it->second;
}

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
    if (p.name == "t" || p.name == "dt" || p.name == "xi")
      diag.warning(p.range, "parameter '" + p.name + "' of '" + f.name +
                                "' shadows the built-in " +
                                (p.name == "t"    ? "time"
                                 : p.name == "dt" ? "time step"
                                                  : "noise") +
                                ": the body reads the argument");
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
  functions[functionKey(f.name, f.privateTo)] = info;
}

void Checker::checkFunction(const FunctionDecl &f) {
  std::string self = functionKey(f.name, f.privateTo);
  const FunctionInfo info = functions[self];
  std::map<std::string, Dim> env;
  for (auto &[name, dim] : info.params)
    env[name] = dim;
  // Later functions are not visible yet: no recursion.
  std::map<std::string, FunctionInfo> later;
  bool after = false;
  for (const FunctionDecl &g : module.functions) {
    if (&g == &f)
      after = true;
    std::string key = functionKey(g.name, g.privateTo);
    if (after && functions.count(key)) {
      later[key] = functions[key];
      functions.erase(key);
      // Said "declared later" only where f's file could call it.
      if (!g.privateTo || g.privateTo == f.range.begin.buffer)
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
    functions[self].ok = false;
    return;
  }
  if (t->isBool) {
    diag.error(f.body->range, "function '" + f.name +
                                  "' gives a truth value; functions give "
                                  "numbers");
    functions[self].ok = false;
  } else if (f.result && t->dim != info.result) {
    diag.error(f.body->range,
               "function '" + f.name + "' is declared in " + info.result.str() +
                   " but its body has dimension " + t->dim.str());
    functions[self].ok = false;
  } else {
    functions[self].result = t->dim;
  }
  std::set<std::string> seen;
  uint64_t size = inlinedSize(
      *f.body, [this](const Expr &e) { return findFunction(e); }, seen);
  functions[self].inlinedSize = size;
  if (size > kInlineLimit) {
    diag.error(f.body->range,
               "function '" + f.name + "' expands to more than " +
                   std::to_string(kInlineLimit) +
                   " operations: each call copies the body of the functions "
                   "it calls, so nested calls multiply; compute the inner "
                   "call once in a 'let' of the model");
    functions[self].ok = false;
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
