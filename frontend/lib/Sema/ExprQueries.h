//===- ExprQueries.h - What an expression reads and calls -------*- C++ -*-===//
//
// Questions about an expression that need no checker state: the names it
// reads, whether it draws, whether it must be computed per neuron. Shared
// by the Sema sources; internal to NeuroFrontend.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_FRONTEND_LIB_SEMA_EXPRQUERIES_H
#define NEURO_FRONTEND_LIB_SEMA_EXPRQUERIES_H

#include "neuro/Frontend/Sema.h"

#include <set>
#include <string>

namespace neuro::sema {

/// Whether `e` reads the name `name` (any of `names`).
bool refersTo(const Expr &e, const std::string &name);
bool refersToAny(const Expr &e, const std::set<std::string> &names);
/// Whether `e` reads `t` or `lastspike` (an error in a refractory period,
/// reported once by checkNeuron).
inline bool readsSpikeTime(const Expr &e) {
  return refersTo(e, "t") || refersTo(e, "lastspike");
}
/// Adds the names `e` refers to to `out`.
void namesIn(const Expr &e, std::set<std::string> &out);
/// Whether a state's initial value may start from `v`'s: a state, or a
/// synapse's weight.
bool startsFrom(const VarDecl &v, const ModelInfo &info);
/// Whether `e` reads a variable of `info` a state's initial value may start
/// from (startsFrom).
bool readsStates(const Expr &e, const ModelInfo &info);
/// Whether `e` reads a parameter of `info` whose value was in error
/// (reported already: checks that need its value are skipped).
bool readsFailedParam(const Expr &e, const ModelInfo &info);

/// Whether `f` is a random draw: uniform, normal, lognormal, exponential,
/// rand or randn.
bool isDraw(const std::string &f);
/// The error for a call of `f` that is no function here: a draw where a
/// model does not take it, sum() of what is not a vector, or an unknown
/// name.
std::string notAFunction(const std::string &f);

/// Whether an initial value or connection expression needs to be
/// evaluated per neuron or synapse when the network is built: it uses the
/// index (i, j), a neuron's variable (x_pre, x_post) or a draw that is not
/// simply the whole value.
bool needsKernel(const Expr &e, bool top = true);

} // namespace neuro::sema

#endif // NEURO_FRONTEND_LIB_SEMA_EXPRQUERIES_H
