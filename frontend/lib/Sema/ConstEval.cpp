//===- ConstEval.cpp - Compile-time constants -----------------------------===//
//
// Parameters, initial values, sizes, dt, p and delays are evaluated when
// the module is checked, in SI units with their dimensions: constant
// expressions, initial values (constants, uniform, normal) and timed
// parameters.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "neuro/Runtime/Steps.h"

#include <algorithm>
#include <cmath>
#include <memory>

using namespace neuro;
using namespace neuro::sema;

/// a % b as Brian2's C++ computes it, a - b floor(a / b) (the sign of b),
/// with the operations the kernels use (MLIRGen.cpp).
static double floorMod(double a, double b) { return a - b * std::floor(a / b); }

/// The value of built-in function `f` (its arguments checked by callType)
/// at `args`.
static double evalBuiltin(const std::string &f,
                          const std::vector<Value> &args) {
  double x = args[0].first;
  double r = 0;
  if (f == "exp")
    r = std::exp(x);
  else if (f == "log")
    r = std::log(x);
  else if (f == "log10")
    r = std::log10(x);
  else if (f == "sin")
    r = std::sin(x);
  else if (f == "cos")
    r = std::cos(x);
  else if (f == "tan")
    r = std::tan(x);
  else if (f == "arcsin")
    r = std::asin(x);
  else if (f == "arccos")
    r = std::acos(x);
  else if (f == "arctan")
    r = std::atan(x);
  else if (f == "int")
    r = std::trunc(x);
  else if (f == "sign")
    r = x > 0 ? 1.0 : x < 0 ? -1.0 : x; // NaN and zeros as they are
  else if (f == "tanh")
    r = std::tanh(x);
  else if (f == "sinh")
    r = std::sinh(x);
  else if (f == "cosh")
    r = std::cosh(x);
  else if (f == "expm1")
    r = std::expm1(x);
  else if (f == "log1p")
    r = std::log1p(x);
  else if (f == "exprel")
    r = x == 0 ? 1.0 : std::expm1(x) / x; // as MLIRGen emits it
  else if (f == "sqrt")
    r = std::sqrt(x);
  else if (f == "abs")
    r = std::abs(x);
  else if (f == "floor")
    r = std::floor(x);
  else if (f == "ceil")
    r = std::ceil(x);
  else if (f == "min")
    r = std::min(x, args[1].first);
  else if (f == "max")
    r = std::max(x, args[1].first);
  else if (f == "clip")
    r = std::min(std::max(x, args[1].first), args[2].first);
  else if (f == "pow")
    r = std::pow(x, args[1].first);
  else if (f == "timestep") // as MLIRGen emits it
    r = std::trunc((x + 1e-3 * args[1].first) / args[1].first);
  return r;
}

std::optional<Value>
Checker::evalConst(const Expr &e, const std::map<std::string, double> &env,
                   const std::map<std::string, Dim> &dims,
                   const std::string &what) {
  switch (e.kind) {
  case Expr::Kind::Number: {
    if (e.unit.empty())
      return Value{e.value, Dim::none()};
    auto unit = findUnit(e.unit, e.unitRange);
    if (!unit)
      return std::nullopt;
    return Value{literalValue(e), unit->dim};
  }
  case Expr::Kind::Ref: {
    used.insert(e.name);
    auto it = env.find(e.name);
    if (it == env.end() && perNeuronNames.count(e.name)) {
      diag.error(e.range, "'" + e.name +
                              "' is set per neuron here (drawn, an "
                              "expression of i or a table), so " +
                              what +
                              " cannot use it; give it one value for the "
                              "population");
      return std::nullopt;
    }
    if (it == env.end())
      if (auto c = netConstants.find(e.name); c != netConstants.end())
        return c->second;
    if (auto c = builtinConstant(e.name); it == env.end() && c)
      return Value{*c, Dim::none()};
    if (it == env.end()) {
      if (lookupUnit(e.name))
        diag.error(e.range, unitNotValue(e.name));
      else if (e.name == "multisynaptic_index")
        diag.error(e.range, "'multisynaptic_index' (Brian2's index of a "
                            "synapse among the copies of one pair) is not "
                            "provided: the n copies of `connect ... n = K` "
                            "share their expressions of i and j; give them "
                            "a drawn value (uniform(...)) or a `from` file "
                            "to tell them apart");
      else if (isSynapseCount(e.name))
        diag.error(e.range, "'" + e.name + "' is not a constant: it counts "
                                "a projection's synapses at each synapse, "
                                "so it may set the weight, per-synapse "
                                "states and the delay, not " +
                                what);
      else if ((e.name == "i" || e.name == "j") &&
               what.rfind("parameter '", 0) == 0)
        // Only a connect's arguments get here with i and j.
        diag.error(e.range, "'" + e.name +
                                "' is not a constant: a "
                                "synapse's parameters are one value for its "
                                "projection; declare it a per-synapse "
                                "'state' to set it from i and j");
      else
        diag.error(e.range, "'" + e.name + "' is not a constant: " + what +
                                " may only use numbers and parameters "
                                "declared before it");
      return std::nullopt;
    }
    auto dim = dims.find(e.name);
    if (dim == dims.end()) // a parameter in error, reported already
      return std::nullopt;
    return Value{it->second, dim->second};
  }
  case Expr::Kind::Member:
    diag.error(e.range, "'" + e.name + "." + e.member +
                            "' is not a constant: a population's state "
                            "only binds a synapse's modulator");
    return std::nullopt;
  case Expr::Kind::String:
    diag.error(e.range, "a file name is not a number; files are read by "
                        "'connect ... from \"FILE\"' and "
                        "SpikeTimes(file = \"FILE\")");
    return std::nullopt;
  case Expr::Kind::Unary: {
    auto v = evalConst(*e.args[0], env, dims, what);
    if (!v)
      return std::nullopt;
    if (e.op == "-")
      return Value{-v->first, v->second};
    if (e.op == "+")
      return v;
    diag.error(e.range, "'" + e.op + "' is not allowed in " + what);
    return std::nullopt;
  }
  case Expr::Kind::Binary: {
    auto v = evalBinary(e, env, dims, what);
    if (v && v->second.outOfRange()) {
      diag.error(e.range, unitOutOfRange());
      return std::nullopt;
    }
    return v;
  }
  case Expr::Kind::Conditional: {
    auto c = evalTruth(*e.args[0], env, dims, what);
    auto a = evalConst(*e.args[1], env, dims, what);
    auto b = evalConst(*e.args[2], env, dims, what);
    if (!c || !a || !b)
      return std::nullopt;
    if (a->second != b->second) {
      diag.error(e.range, "the branches of 'if' differ: 'then' is " +
                              a->second.str() + ", 'else' is " +
                              b->second.str());
      return std::nullopt;
    }
    return *c ? a : b;
  }
  case Expr::Kind::List:
    diag.error(e.range, "a list is not allowed in " + what +
                            "; lists give the indices and times of "
                            "SpikeTimes and the elements of vectors");
    return std::nullopt;
  case Expr::Kind::Index:
    diag.error(e.range, "'" + e.name + "' is not a vector of the model");
    return std::nullopt;
  case Expr::Kind::Call:
    return evalCall(e, env, dims, what);
  }
  return std::nullopt;
}

namespace {
bool isComparison(const std::string &op) {
  return op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" ||
         op == "!=";
}
/// Whether `e` is written as a truth value.
bool isTruth(const Expr &e) {
  return (e.kind == Expr::Kind::Unary && e.op == "!") ||
         (e.kind == Expr::Kind::Binary &&
          (e.op == "and" || e.op == "or" || isComparison(e.op)));
}
} // namespace

std::optional<bool> Checker::evalTruth(const Expr &e,
                                       const std::map<std::string, double> &env,
                                       const std::map<std::string, Dim> &dims,
                                       const std::string &what) {
  if (e.kind == Expr::Kind::Unary && e.op == "!") {
    auto v = evalTruth(*e.args[0], env, dims, what);
    return v ? std::optional<bool>(!*v) : std::nullopt;
  }
  if (e.kind == Expr::Kind::Binary && (e.op == "and" || e.op == "or")) {
    auto l = evalTruth(*e.args[0], env, dims, what);
    auto r = evalTruth(*e.args[1], env, dims, what);
    if (!l || !r)
      return std::nullopt;
    return e.op == "and" ? *l && *r : *l || *r;
  }
  if (e.kind == Expr::Kind::Binary && isComparison(e.op)) {
    if (isComparison(e.args[0]->op) && e.args[0]->kind == Expr::Kind::Binary) {
      diag.error(e.range, "comparisons do not chain: write 'a < x and x < b'");
      return std::nullopt;
    }
    auto l = evalConst(*e.args[0], env, dims, what);
    auto r = evalConst(*e.args[1], env, dims, what);
    if (!l || !r)
      return std::nullopt;
    if (l->second != r->second) {
      mismatch(e, l->second, r->second);
      return std::nullopt;
    }
    double a = l->first, b = r->first;
    const std::string &op = e.op;
    return op == "<"    ? a < b
           : op == "<=" ? a <= b
           : op == ">"  ? a > b
           : op == ">=" ? a >= b
           : op == "==" ? a == b
                        : a != b;
  }
  diag.error(e.range, "the condition of 'if' must be a truth value, such as "
                      "'v > v_th'");
  return std::nullopt;
}

std::optional<Value>
Checker::evalBinary(const Expr &e, const std::map<std::string, double> &env,
                    const std::map<std::string, Dim> &dims,
                    const std::string &what) {
  auto l = evalConst(*e.args[0], env, dims, what);
  bindUnitOperand(e, [&](const std::string &name) {
    return env.count(name) || perNeuronNames.count(name) ||
           netConstants.count(name);
  });
  auto r = evalConst(*e.args[1], env, dims, what);
  if (!l || !r)
    return std::nullopt;
  if (e.op == "+" || e.op == "-" || e.op == "%") {
    if (l->second != r->second) {
      mismatch(e, l->second, r->second);
      return std::nullopt;
    }
    double v = e.op == "+"   ? l->first + r->first
               : e.op == "-" ? l->first - r->first
                             : floorMod(l->first, r->first);
    return Value{v, l->second};
  }
  if (e.op == "*")
    return Value{l->first * r->first, l->second * r->second};
  if (e.op == "/")
    return Value{l->first / r->first, l->second / r->second};
  if (e.op == "^") {
    if (!r->second.isDimensionless()) {
      diag.error(e.args[1]->range, "an exponent must be dimensionless");
      return std::nullopt;
    }
    if (!l->second.isDimensionless()) {
      std::string err;
      std::optional<Dim> d = powerDim(l->second, r->first, err);
      if (!d) {
        diag.error(e.args[1]->range, err);
        return std::nullopt;
      }
      return Value{std::pow(l->first, r->first), *d};
    }
    return Value{std::pow(l->first, r->first), Dim::none()};
  }
  diag.error(e.range, "'" + e.op + "' is not allowed in " + what);
  return std::nullopt;
}

std::optional<Value> Checker::evalCall(const Expr &e,
                                       const std::map<std::string, double> &env,
                                       const std::map<std::string, Dim> &dims,
                                       const std::string &what) {
  if (const FunctionInfo *fn = findFunction(e))
    return foldFunction(e, *fn, env, dims, what);
  // A truth value as a number, 1 or 0.
  if (e.name == "int" && e.args.size() == 1 && isTruth(*e.args[0])) {
    auto v = evalTruth(*e.args[0], env, dims, what);
    return v ? std::optional<Value>(Value{*v ? 1.0 : 0.0, Dim::none()})
             : std::nullopt;
  }
  if (!checkCallee(e))
    return std::nullopt;
  std::vector<Value> args;
  for (auto &a : e.args) {
    auto v = evalConst(*a, env, dims, what);
    if (!v)
      return std::nullopt;
    args.push_back(*v);
  }
  std::vector<Type> types;
  for (auto &a : args)
    types.push_back({a.second, false});
  auto t = callType(e, types);
  if (!t)
    return std::nullopt;
  return Value{evalBuiltin(e.name, args), t->dim};
}

std::optional<Value>
Checker::foldFunction(const Expr &e, const FunctionInfo &f,
                      const std::map<std::string, double> &env,
                      const std::map<std::string, Dim> &dims,
                      const std::string &what) {
  // A user function of constants folds: its body with the arguments.
  if (!f.ok || e.args.size() != f.params.size()) {
    if (f.ok)
      diag.error(e.range, "'" + e.name + "' takes " +
                              std::to_string(f.params.size()) + " argument" +
                              (f.params.size() == 1 ? "" : "s") + ", got " +
                              std::to_string(e.args.size()));
    return std::nullopt;
  }
  std::map<std::string, double> argEnv;
  std::map<std::string, Dim> argDims;
  for (size_t k = 0; k < e.args.size(); ++k) {
    auto v = evalConst(*e.args[k], env, dims, what);
    if (!v)
      return std::nullopt;
    if (v->second != f.params[k].second) {
      diag.error(e.args[k]->range, "argument '" + f.params[k].first + "' of '" +
                                       e.name + "' must have dimension " +
                                       f.params[k].second.str() + ", got " +
                                       v->second.str());
      return std::nullopt;
    }
    argEnv[f.params[k].first] = v->first;
    argDims[f.params[k].first] = v->second;
  }
  std::string name = functionKey(f.decl->name, f.decl->privateTo);
  std::vector<double> key;
  for (const auto &param : f.params)
    key.push_back(argEnv[param.first]);
  // NaN arguments (which std::map cannot order) are not remembered.
  bool keyed = std::none_of(key.begin(), key.end(),
                            [](double x) { return std::isnan(x); });
  if (keyed)
    if (auto memo = folded.find({name, key}); memo != folded.end())
      return memo->second;
  auto v = evalConst(*f.decl->body, argEnv, argDims, what);
  if (v && keyed)
    folded[{name, std::move(key)}] = *v;
  return v;
}

std::optional<InitValue> Checker::evalTimed(const Expr &e, const Dim &want) {
  static const std::map<std::string, double> env;
  static const std::map<std::string, Dim> dims;
  if (e.args.size() != 2 && e.args.size() != 3) {
    diag.error(e.range, "timed takes (values, every) or (\"FILE\", every, "
                        "unit), got " +
                            std::to_string(e.args.size()) + " arguments");
    return std::nullopt;
  }
  InitValue iv;
  iv.kind = InitValue::Kind::Timed;
  auto every = evalConst(*e.args[1], env, dims, "the interval of timed");
  if (!every)
    return std::nullopt;
  double steps = std::round(every->first / timedDt);
  if (every->second != Dim::time() || !(steps >= 1) ||
      !rt::onStepGrid(every->first, timedDt)) {
    diag.error(e.args[1]->range,
               "the interval of timed must be a whole number of steps "
               "(dt = " +
                   fmt(timedDt) + " s), got " + fmt(every->first) + " " +
                   every->second.str());
    return std::nullopt;
  }
  if (steps > 1e15) {
    diag.error(e.args[1]->range, "the interval of timed is " + fmt(steps) +
                                     " steps, more than a run can have");
    return std::nullopt;
  }
  iv.every = int64_t(steps);
  auto values = std::make_shared<std::vector<double>>();
  const Expr &list = *e.args[0];
  if (list.kind == Expr::Kind::List) {
    if (e.args.size() == 3) {
      diag.error(e.args[2]->range, "a list of timed values carries its "
                                   "units; the third argument is for files");
      return std::nullopt;
    }
    for (const ExprPtr &item : list.args) {
      auto v = evalConst(*item, env, dims, "a timed value");
      if (!v)
        return std::nullopt;
      if (v->second != want) {
        diag.error(item->range, "timed value has dimension " + v->second.str() +
                                    " but the parameter is in " + want.str());
        return std::nullopt;
      }
      values->push_back(v->first);
    }
  } else if (list.kind == Expr::Kind::String) {
    if (!readTimedFile(e, want, iv.columns, *values))
      return std::nullopt;
  } else {
    diag.error(list.range, "timed takes a list of values [a, b, ...] or a "
                           "file name in quotes");
    return std::nullopt;
  }
  if (values->empty()) {
    diag.error(list.range, "timed needs at least one value");
    return std::nullopt;
  }
  for (double v : *values)
    if (!std::isfinite(v)) {
      diag.error(list.range, "timed values must be finite");
      return std::nullopt;
    }
  iv.a = iv.b = values->front();
  iv.values = std::move(values);
  return iv;
}

std::optional<std::pair<InitValue, Dim>>
Checker::evalInit(const Expr &e, const std::map<std::string, double> &env,
                  const std::map<std::string, Dim> &dims,
                  std::optional<Dim> want, const std::string &what) {
  InitValue iv;
  Dim dim;
  bool isUniform = e.kind == Expr::Kind::Call && e.name == "uniform";
  bool isNormal = e.kind == Expr::Kind::Call && e.name == "normal";
  if (isUniform || isNormal) {
    const char *params = isUniform ? "(low, high)" : "(mean, sd)";
    if (e.args.size() != 2) {
      diag.error(e.range, e.name + " takes 2 arguments " + params + ", got " +
                              std::to_string(e.args.size()));
      return std::nullopt;
    }
    auto first = evalConst(*e.args[0], env, dims, "an initial value");
    auto second = evalConst(*e.args[1], env, dims, "an initial value");
    if (!first || !second)
      return std::nullopt;
    if (first->second != second->second) {
      diag.error(e.range,
                 "the arguments of " + e.name + " have different dimensions: " +
                     first->second.str() + " and " + second->second.str());
      return std::nullopt;
    }
    if (isUniform && !(first->first <= second->first)) {
      diag.error(e.range, "uniform(low, high) needs low <= high");
      return std::nullopt;
    }
    if (isNormal && !(second->first >= 0)) {
      diag.error(e.args[1]->range,
                 "the standard deviation of normal(mean, sd) must be >= 0");
      return std::nullopt;
    }
    iv.kind = isUniform ? InitValue::Kind::Uniform : InitValue::Kind::Normal;
    iv.a = first->first;
    iv.b = second->first;
    dim = first->second;
  } else {
    auto v = evalConst(e, env, dims, "an initial value");
    if (!v)
      return std::nullopt;
    iv.a = iv.b = v->first;
    dim = v->second;
  }
  if (want && *want != dim) {
    diag.error(e.range, "initial value has dimension " + dim.str() + " but " +
                            what + " is in " + want->str());
    return std::nullopt;
  }
  if (!std::isfinite(iv.a) || !std::isfinite(iv.b)) {
    diag.error(e.range, "initial value is not a finite number");
    return std::nullopt;
  }
  return std::make_pair(iv, dim);
}

std::map<std::string, double> Checker::paramEnv(const ModelInfo &info) {
  std::map<std::string, double> env;
  for (auto &[name, vi] : info.vars)
    if (vi.decl->kind == VarDecl::Kind::Param && vi.hasDefault)
      env[name] = vi.defaultValue;
  return env;
}

std::map<std::string, Dim> Checker::paramDims(const ModelInfo &info) {
  std::map<std::string, Dim> dims;
  for (auto &[name, vi] : info.vars)
    if (vi.decl->kind == VarDecl::Kind::Param && vi.hasDefault)
      dims[name] = vi.dim;
  return dims;
}

std::optional<Value> Checker::evalRefractory(const Expr &e,
                                             std::map<std::string, double> env,
                                             std::map<std::string, Dim> dims,
                                             double dt) {
  if (!dims.count("dt")) {
    env["dt"] = dt;
    dims["dt"] = Dim::time();
  }
  return evalConst(e, env, dims, "the refractory period");
}

std::optional<Value> Checker::netConst(const Expr &e, const std::string &what) {
  static const std::map<std::string, double> env;
  static const std::map<std::string, Dim> dims;
  return evalConst(e, env, dims, what);
}

std::optional<double> Checker::netQuantity(const Expr &e, const Dim &want,
                                           const std::string &what) {
  auto v = netConst(e, what);
  if (!v)
    return std::nullopt;
  if (v->second != want) {
    diag.error(e.range, what + " must have dimension " + want.str() + ", got " +
                            v->second.str());
    return std::nullopt;
  }
  if (!std::isfinite(v->first)) {
    diag.error(e.range, what + " is not a finite number");
    return std::nullopt;
  }
  warnSuspiciousRate(e, v->second, v->first);
  return v->first;
}

void Checker::warnSuspiciousRate(const Expr &e, const Dim &dim, double value) {
  if (dim != Dim::none() / Dim::time() || !(std::abs(value) > 100.0) ||
      e.kind != Expr::Kind::Binary || e.op != "/" ||
      e.args[1]->kind != Expr::Kind::Number || e.args[1]->unit != "ms")
    return;
  // `5 / ms` (the unit alone, bindUnitOperand) says per millisecond.
  const Expr &divisor = *e.args[1];
  if (divisor.range.begin.line == divisor.unitRange.begin.line &&
      divisor.range.begin.col == divisor.unitRange.begin.col)
    return;
  const Expr &num = *e.args[0];
  std::string meant = num.kind == Expr::Kind::Number && num.unit.empty()
                          ? num.text + " Hz"
                          : "the value in Hz";
  diag.warning(e.range, "this rate is " + fmt(value) +
                            " Hz (per millisecond); write '" + meant +
                            "' if you meant hertz");
}
