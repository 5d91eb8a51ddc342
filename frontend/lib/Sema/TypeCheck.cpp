//===- TypeCheck.cpp - Units and the types of expressions -----------------===//
//
// Every expression of a model or network has a type: a physical dimension
// or a truth value. Units are looked up by name; operators, built-in
// functions and random draws check the dimensions of their operands.
//
//===----------------------------------------------------------------------===//

#include "SemaInternal.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstring>
#include <set>

using namespace neuro;
using namespace neuro::sema;

static bool isUnaryMath(const std::string &f) {
  static const std::set<std::string> fs = {
      "exp",  "log",   "log10", "sin",    "cos",    "tan",    "tanh",  "sinh",
      "cosh", "expm1", "log1p", "exprel", "arcsin", "arccos", "arctan"};
  return fs.count(f) != 0;
}

bool sema::isKnownFunction(const std::string &f) {
  static const std::set<std::string> fs = {"sqrt", "abs",  "floor",   "ceil",
                                           "min",  "max",  "clip",    "pow",
                                           "int",  "sign", "timestep"};
  return isUnaryMath(f) || fs.count(f) != 0;
}

std::optional<Unit> Checker::findUnit(const std::string &name,
                                      SourceRange range) {
  auto unit = lookupUnit(name);
  if (unit)
    return unit;
  if (size_t caret = name.find('^'); caret != std::string::npos)
    return findUnit(name.substr(0, caret), range); // `20000 foo^2`
  std::string like = unitSpelledLike(name);
  if (name == "integer" || name == "boolean")
    // Brian2's `k : integer`, `flag : boolean`.
    diag.error(range, "unknown unit '" + name +
                          "': states are numbers; a count is dimensionless "
                          "(': 1'), a flag a number 0 or 1 tested as "
                          "'if flag > 0.5 then ...'");
  else if (!like.empty()) {
    // With its quantity: 'pM' is no picomolar, and 'pm' a length.
    auto likeUnit = lookupUnit(like);
    diag.error(range,
               "unknown unit '" + name + "'; did you mean '" + like + "'" +
                   (likeUnit ? ", in " + likeUnit->dim.str() : "") + "?");
  } else
    diag.error(range, "unknown unit '" + name +
                          "' (known units: " + knownUnitsHint() + ")");
  return unit;
}

bool Checker::checkCallee(const Expr &e) {
  if (e.name == "uniform") {
    diag.error(e.range, "uniform(a, b) can only give a state's initial "
                        "value");
    return false;
  }
  if (e.name == "normal") {
    diag.error(e.range, "normal(mean, sd) can only give a state's initial "
                        "value");
    return false;
  }
  if (e.name == "timed") {
    diag.error(e.range,
               "timed(values, every) gives a parameter a table in time where "
               "a population is declared (E = 10 of LIF(I_ext = timed([...], "
               "100 ms))), not inside an expression: declare a parameter and "
               "give it the table there");
    return false;
  }
  if (!isKnownFunction(e.name)) {
    diag.error(e.range, notAFunction(e.name));
    return false;
  }
  return true;
}

std::optional<Dim> Checker::resolveUnit(const UnitSpec &spec) {
  Dim dim;
  for (const UnitFactor &f : spec.factors) {
    auto unit = findUnit(f.name, f.range);
    if (!unit)
      return std::nullopt;
    dim = dim * unit->dim.pow(f.exponent);
    if (dim.outOfRange()) {
      diag.error(f.range, "the unit has an exponent past " +
                              std::to_string(Dim::kMaxExponent / 2));
      return std::nullopt;
    }
  }
  return dim;
}

std::optional<Type> Checker::drawType(const Expr &e, const ModelInfo &info) {
  size_t arity = e.name == "rand" || e.name == "randn" ? 0
                 : e.name == "exponential"             ? 1
                                                       : 2;
  if (e.args.size() != arity) {
    diag.error(e.range, e.name + " takes " + std::to_string(arity) +
                            " argument" + (arity == 1 ? "" : "s") + ", got " +
                            std::to_string(e.args.size()));
    return std::nullopt;
  }
  std::vector<Type> args;
  for (const ExprPtr &a : e.args) {
    auto t = typeOf(*a, info);
    if (!t)
      return std::nullopt;
    if (t->isBool) {
      diag.error(a->range, e.name + " takes numbers, not truth values");
      return std::nullopt;
    }
    args.push_back(*t);
  }
  if (arity == 0)
    return Type{Dim::none()};
  if (e.name == "lognormal") {
    if (!args[1].dim.isDimensionless()) {
      diag.error(e.args[1]->range,
                 "sigma of lognormal(median, sigma) is dimensionless");
      return std::nullopt;
    }
    return args[0];
  }
  if (arity == 2 && args[0].dim != args[1].dim) {
    diag.error(e.range, "the arguments of " + e.name +
                            " have different dimensions: " + args[0].dim.str() +
                            " and " + args[1].dim.str());
    return std::nullopt;
  }
  return args[0];
}

bool sema::isIndexOrSize(const std::string &n) {
  return n == "i" || n == "j" || n == "N" || n == "N_pre" || n == "N_post" ||
         isSynapseCount(n);
}

bool sema::isSynapseCount(const std::string &n) {
  return n == "N_incoming" || n == "N_outgoing";
}

std::optional<Type> Checker::typeNetExpr(const Expr &e,
                                         const std::map<std::string, Dim> &env,
                                         const std::string &what) {
  static const ModelInfo none;
  netNames = &env;
  netWhat = what;
  auto t = typeOf(e, none);
  netNames = nullptr;
  return t;
}

void Checker::mismatch(const Expr &e, const Dim &l, const Dim &r) {
  diag.error(e.range, "dimension mismatch in '" + e.op + "': left is " +
                          l.str() + ", right is " + r.str());
}

std::optional<Type> Checker::callType(const Expr &e,
                                      const std::vector<Type> &args) {
  const std::string &f = e.name;
  auto arity = [&](size_t n) {
    if (args.size() == n)
      return true;
    diag.error(e.range, "'" + f + "' takes " + std::to_string(n) + " argument" +
                            (n == 1 ? "" : "s") + ", got " +
                            std::to_string(args.size()));
    return false;
  };
  // int() of a truth value is 0 or 1, as in Brian2.
  if (f == "int" && args.size() == 1 && args[0].isBool)
    return Type{Dim::none()};
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].isBool) {
      diag.error(e.args[i]->range, "'" + f +
                                       "' needs a number, not a "
                                       "truth value");
      return std::nullopt;
    }
  if (isUnaryMath(f)) {
    if (!arity(1))
      return std::nullopt;
    if (!args[0].dim.isDimensionless()) {
      diag.error(e.args[0]->range, "the argument of '" + f +
                                       "' must be dimensionless, got " +
                                       args[0].dim.str());
      return std::nullopt;
    }
    return Type{Dim::none()};
  }
  if (f == "sqrt") {
    if (!arity(1))
      return std::nullopt;
    Dim half;
    if (!args[0].dim.sqrt(half)) {
      diag.error(e.args[0]->range,
                 "cannot take the square root of " + args[0].dim.str());
      return std::nullopt;
    }
    return Type{half};
  }
  if (f == "int") {
    // Brian2's int(): toward zero, of a dimensionless value.
    if (!arity(1))
      return std::nullopt;
    if (!args[0].dim.isDimensionless()) {
      diag.error(e.args[0]->range,
                 "the argument of 'int' must be dimensionless or a truth "
                 "value, got " +
                     args[0].dim.str());
      return std::nullopt;
    }
    return Type{Dim::none()};
  }
  if (f == "sign") {
    if (!arity(1))
      return std::nullopt;
    return Type{Dim::none()};
  }
  if (f == "abs" || f == "floor" || f == "ceil") {
    if (!arity(1))
      return std::nullopt;
    return args[0];
  }
  if (f == "min" || f == "max" || f == "clip") {
    if (!arity(f == "clip" ? 3 : 2))
      return std::nullopt;
    for (size_t i = 1; i < args.size(); ++i)
      if (args[i].dim != args[0].dim) {
        diag.error(e.args[i]->range,
                   "argument " + std::to_string(i + 1) + " of '" + f +
                       "' has dimension " + args[i].dim.str() +
                       ", the first has " + args[0].dim.str());
        return std::nullopt;
      }
    return args[0];
  }
  if (f == "timestep") {
    // Brian2's timestep(t, dt): the step holding time t.
    if (!arity(2))
      return std::nullopt;
    for (size_t i = 0; i < 2; ++i)
      if (args[i].dim != Dim::time()) {
        diag.error(e.args[i]->range,
                   "the arguments of 'timestep' are times (timestep(t, dt), "
                   "the step holding t), got " +
                       args[i].dim.str());
        return std::nullopt;
      }
    return Type{Dim::none()};
  }
  if (f == "pow") {
    if (!arity(2))
      return std::nullopt;
    if (!args[0].dim.isDimensionless() || !args[1].dim.isDimensionless()) {
      diag.error(e.range, "pow(x, y) needs dimensionless arguments; use "
                          "x^n with an integer n for quantities");
      return std::nullopt;
    }
    return Type{Dim::none()};
  }
  diag.error(e.range, notAFunction(f));
  return std::nullopt;
}

/// Whether the product or quotient `e` ends with a number (`2 mV`,
/// `x * 2 mV`, `-1`): a unit name after it is a factor of its unit.
static bool endsWithNumber(const Expr &e) {
  if (e.kind == Expr::Kind::Number)
    return true;
  if (e.kind == Expr::Kind::Binary && (e.op == "*" || e.op == "/"))
    return endsWithNumber(*e.args[1]);
  if (e.kind == Expr::Kind::Unary && e.op == "-")
    return endsWithNumber(*e.args[0]);
  return false;
}

bool Checker::declaresName(const std::string &name,
                           const ModelInfo &info) const {
  if (netNames)
    return netNames->count(name) || netConstants.count(name);
  return info.vars.count(name) || name == "xi" || name == "t" || name == "dt" ||
         isNotRefractoryName(name) || isLastSpikeName(name);
}

void Checker::bindUnitOperand(
    const Expr &binary,
    const std::function<bool(const std::string &)> &declared) {
  if ((binary.op != "*" && binary.op != "/") ||
      !endsWithNumber(*binary.args[0]))
    return;
  const Expr *e = binary.args[1].get();
  if (e->kind == Expr::Kind::Binary && e->op == "^")
    e = e->args[0].get();
  if (e->kind != Expr::Kind::Ref || declared(e->name) || !lookupUnit(e->name))
    return;
  // Sema owns the module while it checks it; this is its one rewrite.
  Expr &unit = const_cast<Expr &>(*e);
  unit.kind = Expr::Kind::Number;
  unit.value = 1.0;
  unit.text = "1";
  unit.unit = e->name;
  unit.unitRange = e->range;
  unit.name.clear();
}

std::optional<Type> Checker::typeOf(const Expr &e, const ModelInfo &info) {
  switch (e.kind) {
  case Expr::Kind::Number: {
    if (e.unit.empty())
      return Type{Dim::none()};
    auto unit = findUnit(e.unit, e.unitRange);
    if (!unit)
      return std::nullopt;
    return Type{unit->dim};
  }
  case Expr::Kind::Ref:
    return typeOfRef(e, info);
  case Expr::Kind::Member:
    diag.error(e.range, "'" + e.name + "." + e.member +
                            "' names a state of a population; it can only "
                            "bind a modulator at 'connect' (in a synapse, "
                            "declare 'modulator NAME: UNIT')");
    return std::nullopt;
  case Expr::Kind::String:
    diag.error(e.range, "a file name is not a number");
    return std::nullopt;
  case Expr::Kind::Unary: {
    auto t = typeOf(*e.args[0], info);
    if (!t)
      return std::nullopt;
    if (e.op == "!") {
      if (!t->isBool) {
        diag.error(e.range, "'not' needs a truth value (it binds tighter "
                            "than comparisons: 'not (x > 0)')");
        return std::nullopt;
      }
      return t;
    }
    if (t->isBool) {
      diag.error(e.range, "'" + e.op + "' needs a number");
      return std::nullopt;
    }
    return t;
  }
  case Expr::Kind::Binary: {
    auto t = typeOfBinary(e, info);
    if (t && t->dim.outOfRange()) {
      diag.error(e.range, unitOutOfRange());
      return std::nullopt;
    }
    return t;
  }
  case Expr::Kind::List:
    diag.error(e.range, "a list is not allowed here; lists give the "
                        "indices and times of SpikeTimes and the elements "
                        "of vectors");
    return std::nullopt;
  case Expr::Kind::Index:
    diag.error(e.range, "'" + e.name + "' is not a vector of the model");
    return std::nullopt;
  case Expr::Kind::Conditional: {
    auto c = typeOf(*e.args[0], info);
    auto a = typeOf(*e.args[1], info);
    auto b = typeOf(*e.args[2], info);
    if (!c || !a || !b)
      return std::nullopt;
    if (!c->isBool) {
      diag.error(e.args[0]->range, "the condition of 'if' must be a truth "
                                   "value, such as 'v > v_th'");
      return std::nullopt;
    }
    if (a->isBool != b->isBool || a->dim != b->dim) {
      diag.error(e.range,
                 "the branches of 'if' differ: 'then' is " +
                     (a->isBool ? std::string("a truth value") : a->dim.str()) +
                     ", 'else' is " +
                     (b->isBool ? std::string("a truth value") : b->dim.str()));
      return std::nullopt;
    }
    return a;
  }
  case Expr::Kind::Call:
    return typeOfCall(e, info);
  }
  return std::nullopt;
}

std::optional<Type> Checker::typeOfRef(const Expr &e, const ModelInfo &info) {
  if (netNames) {
    auto it = netNames->find(e.name);
    // The index and sizes come before a network parameter of their name
    // (Generator::populationNames, projectionNames).
    if (it != netNames->end() && isIndexOrSize(e.name))
      return Type{it->second};
    if (auto c = netConstants.find(e.name); c != netConstants.end())
      return Type{c->second.second};
    if (it != netNames->end())
      return Type{it->second};
    if (builtinConstant(e.name))
      return Type{Dim::none()};
    if (lookupUnit(e.name))
      diag.error(e.range, unitNotValue(e.name));
    else if (isSynapseCount(e.name))
      diag.error(e.range, "'" + e.name +
                              "' counts the projection's synapses, known "
                              "once they are made: it may be used in a "
                              "synapse's arguments and its delay, not in " +
                              netWhat);
    else
      diag.error(e.range, "'" + e.name + "' is not available in " + netWhat);
    return std::nullopt;
  }
  used.insert(e.name);
  auto it = info.vars.find(e.name);
  if (it == info.vars.end() && e.name == "xi") {
    if (!allowNoise) {
      diag.error(e.range, "white noise 'xi' can only be used in a neuron's "
                          "equations");
      return std::nullopt;
    }
    Dim perRootSecond;
    perRootSecond.e[2] = -1; // s^-1/2
    return Type{perRootSecond};
  }
  if (it == info.vars.end() && (e.name == "t" || e.name == "dt")) {
    if (e.name == "t" && !allowTime) {
      diag.error(e.range, "the time 't' can only be used in equations, "
                          "spike conditions, resets and synapse events");
      return std::nullopt;
    }
    return Type{Dim::time()};
  }
  if (it == info.vars.end() && builtinConstant(e.name))
    return Type{Dim::none()};
  if (it == info.vars.end() && isNotRefractoryName(e.name))
    return typeOfNotRefractory(e, info);
  if (it == info.vars.end() && isLastSpikeName(e.name))
    return typeOfLastSpike(e, info);
  if (it == info.vars.end()) {
    std::string msg = undeclaredName(info, e.name);
    if (lookupUnit(e.name))
      msg += "; '" + e.name + "' is a unit (of " +
             [&] {
               std::string q = lookupUnit(e.name)->dim.str();
               auto open = q.find(" (");
               return open == std::string::npos
                          ? q
                          : q.substr(open + 2, q.size() - open - 3);
             }() +
             "): write a number before it for a quantity ('1 " + e.name +
             "'), or declare a value named '" + e.name + "'";
    diag.error(e.range, msg);
    return std::nullopt;
  }
  // Declared with a unit already reported as unknown: no second error.
  if (!it->second.unitKnown)
    return std::nullopt;
  if (auto times = letTimes.find(it->second.decl); times != letTimes.end()) {
    if (times->second.first && !allowTime) {
      diag.error(e.range, "'" + e.name +
                              "' reads the time 't', which can only be used "
                              "in equations, spike conditions, resets and "
                              "synapse events");
      return std::nullopt;
    }
    if (times->second.second && !allowLastSpike) {
      diag.error(e.range, "'" + e.name +
                              "' reads the last spike, which can only be "
                              "used in spike conditions, resets and synapse "
                              "events (on pre, on post)");
      return std::nullopt;
    }
  }
  return Type{it->second.dim};
}

std::pair<bool, bool> Checker::timesRead(const Expr &e, const ModelInfo &info) {
  std::set<std::string> names;
  namesIn(e, names);
  std::pair<bool, bool> reads{false, false};
  for (const std::string &n : names) {
    auto it = info.vars.find(n);
    if (it == info.vars.end()) {
      reads.first |= n == "t";
      reads.second |= isLastSpikeName(n);
    } else if (auto let = letTimes.find(it->second.decl);
               let != letTimes.end()) {
      reads.first |= let->second.first;
      reads.second |= let->second.second;
    }
  }
  return reads;
}

std::optional<Type> Checker::typeOfBinary(const Expr &e,
                                          const ModelInfo &info) {
  auto l = typeOf(*e.args[0], info);
  bindUnitOperand(
      e, [&](const std::string &name) { return declaresName(name, info); });
  auto r = typeOf(*e.args[1], info);
  if (!l || !r)
    return std::nullopt;
  const std::string &op = e.op;
  if (op == "and" || op == "or") {
    if (!l->isBool || !r->isBool) {
      diag.error(e.range, "'" + op + "' needs truth values on both sides");
      return std::nullopt;
    }
    return Type{Dim::none(), true};
  }
  auto isComparison = [](const std::string &o) {
    return o == "<" || o == "<=" || o == ">" || o == ">=" || o == "==" ||
           o == "!=";
  };
  if (isComparison(op) && e.args[0]->kind == Expr::Kind::Binary &&
      isComparison(e.args[0]->op)) {
    // `a < x < b` is (a < x) < b here, not Python's chain.
    diag.error(e.range, "comparisons do not chain: write 'a < x and x < b'");
    return std::nullopt;
  }
  if (l->isBool || r->isBool) {
    // Brian2 takes a truth value as 0 or 1 (`w * (rand() < p)`).
    diag.error(e.range, "'" + op +
                            "' needs numbers, not truth values (a "
                            "truth value as a number is 'if COND "
                            "then 1 else 0')");
    return std::nullopt;
  }
  if (op == "+" || op == "-" || op == "%" || op == "<" || op == "<=" ||
      op == ">" || op == ">=" || op == "==" || op == "!=") {
    if (l->dim != r->dim) {
      mismatch(e, l->dim, r->dim);
      return std::nullopt;
    }
    return Type{l->dim, !(op == "+" || op == "-" || op == "%")};
  }
  if (op == "*")
    return Type{l->dim * r->dim};
  if (op == "/")
    return Type{l->dim / r->dim};
  if (op == "^") {
    if (!r->dim.isDimensionless()) {
      diag.error(e.args[1]->range, "an exponent must be dimensionless");
      return std::nullopt;
    }
    if (l->dim.isDimensionless())
      return Type{Dim::none()};
    const Expr &ex = *e.args[1];
    bool negLit = ex.kind == Expr::Kind::Unary && ex.op == "-" &&
                  ex.args[0]->kind == Expr::Kind::Number;
    const Expr &lit = negLit ? *ex.args[0] : ex;
    // Whole and half powers (Brian2's (2 / tau)**.5, s^-1/2 for noise).
    std::string err;
    std::optional<Dim> d;
    if (lit.kind == Expr::Kind::Number && lit.unit.empty())
      d = powerDim(l->dim, negLit ? -lit.value : lit.value, err);
    else
      powerDim(l->dim, 0.25, err); // the message
    if (!d) {
      diag.error(ex.range, err);
      return std::nullopt;
    }
    return Type{*d};
  }
  diag.error(e.range, "unknown operator '" + op + "'");
  return std::nullopt;
}

std::optional<Type> Checker::typeOfCall(const Expr &e, const ModelInfo &info) {
  if (const FunctionInfo *fn = findFunction(e))
    return callFunction(e, *fn, info);
  if (hiddenFunctions.count(e.name)) {
    diag.error(e.range, "'" + e.name +
                            "' is not declared before this function: a "
                            "function may call only the functions "
                            "declared before it (no recursion)");
    return std::nullopt;
  }
  if (netNames && isDraw(e.name) && noDraws) {
    diag.error(e.range, "a connection rule gives each pair one "
                        "probability; random draws are not allowed in "
                        "'p' or 'where' (each pair draws its own number "
                        "against p)");
    return std::nullopt;
  }
  if (netNames && isDraw(e.name) && !inFunction)
    return drawType(e, info);
  if (e.name == "rand" || e.name == "randn") {
    if (!e.args.empty()) {
      diag.error(e.range, e.name + "() takes no arguments");
      return std::nullopt;
    }
    if (!allowRand) {
      diag.error(e.range, inFunction
                              ? "a function's body draws no random numbers "
                                "(pass the draw as an argument: f(rand()))"
                              : e.name + "() can only be used in spike "
                                         "conditions, resets and synapse "
                                         "events (on pre, on post) so far");
      return std::nullopt;
    }
    return Type{Dim::none()};
  }
  if (!checkCallee(e))
    return std::nullopt;
  std::vector<Type> args;
  for (auto &a : e.args) {
    auto t = typeOf(*a, info);
    if (!t)
      return std::nullopt;
    args.push_back(*t);
  }
  return callType(e, args);
}

void Checker::expectDim(const Expr &e, const ModelInfo &info, const Dim &want,
                        const std::string &what) {
  auto t = typeOf(e, info);
  if (!t)
    return;
  if (t->isBool) {
    diag.error(e.range, what + " must be a number, not a truth value");
    return;
  }
  if (t->dim != want)
    diag.error(e.range, what + " must have dimension " + want.str() + ", got " +
                            t->dim.str());
}

std::string Checker::unitNotValue(const std::string &name) {
  std::string quantity = lookupUnit(name)->dim.str();
  if (auto open = quantity.find(" ("); open != std::string::npos)
    quantity = quantity.substr(open + 2, quantity.size() - open - 3);
  return "'" + name + "' is not declared; '" + name + "' is a unit (of " +
         quantity + "): write a number before it for a quantity ('1 " + name +
         "'), or declare a value named '" + name + "' ('param " + name +
         " = ...'" + (inNetwork ? " in the network)" : ")");
}

bool Checker::checkNeuronBuiltin(const Expr &e, const ModelInfo &info,
                                 const std::string &own,
                                 const std::string &what,
                                 const std::string &ownWhat,
                                 const std::string &noSpike) {
  bool isOwn = e.name == own;
  if (info.isSynapse && isOwn) {
    diag.error(e.range, "a synapse reads " + what + " of its target as '" +
                            own + "_post' (of its source: '" + own + "_pre')");
    return false;
  }
  if (!info.isSynapse && !isOwn) {
    diag.error(e.range, "'" + e.name + "' is for synapses; a neuron reads " +
                            ownWhat + " as '" + own + "'");
    return false;
  }
  if (info.neuron && !info.neuron->spike) {
    diag.error(e.range, "'" + own + "' needs a 'spike when' declaration (" +
                            noSpike + ")");
    return false;
  }
  return true;
}

std::optional<Type> Checker::typeOfNotRefractory(const Expr &e,
                                                 const ModelInfo &info) {
  if (!checkNeuronBuiltin(e, info, "not_refractory", "the refractoriness",
                          "its own refractoriness",
                          "a neuron that cannot spike is never refractory"))
    return std::nullopt;
  return Type{Dim::none(), /*isBool=*/true};
}

std::optional<Type> Checker::typeOfLastSpike(const Expr &e,
                                             const ModelInfo &info) {
  if (!checkNeuronBuiltin(e, info, "lastspike", "the last spike",
                          "the time of its last spike",
                          "a neuron that cannot spike has no last spike"))
    return std::nullopt;
  if (!allowLastSpike) {
    diag.error(e.range, "'" + e.name +
                            "' can only be used in spike conditions, resets "
                            "and synapse events (on pre, on post)");
    return std::nullopt;
  }
  return Type{Dim::time()};
}
