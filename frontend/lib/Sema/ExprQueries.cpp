//===- ExprQueries.cpp - What an expression reads and calls ---------------===//
//
// The questions the checker asks of an expression that need no checker
// state (ExprQueries.h).
//
//===----------------------------------------------------------------------===//

#include "ExprQueries.h"
#include "SemaMessages.h"

#include "llvm/ADT/STLExtras.h"

#include <cstring>

using namespace neuro;
using namespace neuro::sema;

std::string sema::notAFunction(const std::string &f) {
  if (isDraw(f))
    return drawInModel(f);
  // Sums of vectors are expanded before types are checked.
  if (f == "sum")
    return "sum() adds up the elements of a vector (a state or parameter "
           "declared with [N]); its argument here is not one";
  return "unknown function '" + f + "'";
}

bool sema::readsFailedParam(const Expr &e, const ModelInfo &info) {
  for (const auto &[name, vi] : info.vars)
    if (vi.decl->kind == VarDecl::Kind::Param && !vi.hasDefault &&
        refersTo(e, name))
      return true;
  return false;
}

bool sema::refersTo(const Expr &e, const std::string &name) {
  if (e.kind == Expr::Kind::Ref && e.name == name)
    return true;
  for (const ExprPtr &a : e.args)
    if (a && refersTo(*a, name))
      return true;
  return false;
}

void sema::namesIn(const Expr &e, std::set<std::string> &out) {
  if (e.kind == Expr::Kind::Ref)
    out.insert(e.name);
  for (const ExprPtr &a : e.args)
    if (a)
      namesIn(*a, out);
}

bool sema::startsFrom(const VarDecl &v, const ModelInfo &info) {
  return v.kind == VarDecl::Kind::State ||
         (info.isSynapse && v.kind == VarDecl::Kind::Weight);
}

bool sema::readsStates(const Expr &e, const ModelInfo &info) {
  std::set<std::string> names;
  namesIn(e, names);
  return llvm::any_of(names, [&](const std::string &n) {
    auto it = info.vars.find(n);
    return it != info.vars.end() && startsFrom(*it->second.decl, info);
  });
}

bool sema::refersToAny(const Expr &e, const std::set<std::string> &names) {
  if (names.empty())
    return false;
  if (e.kind == Expr::Kind::Ref && names.count(e.name))
    return true;
  for (const ExprPtr &a : e.args)
    if (a && refersToAny(*a, names))
      return true;
  return false;
}

bool sema::isDraw(const std::string &f) {
  return f == "uniform" || f == "normal" || f == "lognormal" ||
         f == "exponential" || f == "rand" || f == "randn";
}

bool sema::needsKernel(const Expr &e, bool top) {
  if (e.kind == Expr::Kind::Ref) {
    const std::string &n = e.name;
    auto endsWith = [&](const char *suffix) {
      size_t k = std::strlen(suffix);
      return n.size() > k && n.compare(n.size() - k, k, suffix) == 0;
    };
    return isIndexOrSize(n) || endsWith("_pre") || endsWith("_post");
  }
  if (e.kind == Expr::Kind::Call &&
      (e.name == "lognormal" || e.name == "exponential" || e.name == "rand" ||
       e.name == "randn" ||
       (!top && (e.name == "uniform" || e.name == "normal"))))
    return true;
  for (const ExprPtr &a : e.args)
    if (a && needsKernel(*a, false))
      return true;
  return false;
}
