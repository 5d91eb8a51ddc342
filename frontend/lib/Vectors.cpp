//===- Vectors.cpp - Fixed-size vector states, expanded per element -------===//
//
// `state m[3] = 0` with `dm/dt = -m / tau` (tau a vector parameter too) is
// three states m_0, m_1, m_2 with three equations: every declaration,
// equation, statement and argument that uses a vector is repeated per
// element, with each vector name replaced by its element. `m[k]` (k an
// integer literal) is one element and `sum(m)` the sum of all; a list
// `[a, b, c]` is a vector of its items. Lengths must agree; a number next
// to a vector applies to every element. Sema and everything after it see
// scalars only, so vectors cost nothing at run time beyond their elements.
//
//===----------------------------------------------------------------------===//

#include "neuro/Frontend/AST.h"
#include "neuro/Frontend/Diagnostics.h"
#include "neuro/Frontend/Sema.h"

#include <cmath>
#include <cstdio>
#include <map>

using namespace neuro;

namespace {

std::string element(const std::string &name, int64_t k) {
  return name + "_" + std::to_string(k);
}

class Expander {
public:
  explicit Expander(DiagEngine &diag) : diag(diag) {}

  bool run(Module &module) {
    for (NeuronDecl &n : module.neurons)
      expandNeuron(n);
    for (SynapseDecl &s : module.synapses)
      expandSynapse(s);
    for (NetworkDecl &net : module.networks)
      expandNetwork(net, module);
    return ok;
  }

private:
  /// Vector length of `e` (0: a number), -1 after an error.
  int64_t length(const Expr &e) {
    switch (e.kind) {
    case Expr::Kind::Ref: {
      auto it = sizes.find(e.name);
      return it == sizes.end() ? 0 : it->second;
    }
    case Expr::Kind::List:
      if (e.args.empty()) {
        error(e.range, "an empty list has no elements");
        return -1;
      }
      return int64_t(e.args.size());
    case Expr::Kind::Index:
    case Expr::Kind::Number:
    case Expr::Kind::String:
    case Expr::Kind::Member:
      return 0;
    case Expr::Kind::Call:
      if (e.name == "sum" && e.args.size() == 1 && length(*e.args[0]) > 0)
        return 0;
      // A table's list is its values in time: one number at each step.
      if (e.name == "timed")
        return 0;
      [[fallthrough]];
    default: {
      int64_t n = 0;
      for (const ExprPtr &a : e.args) {
        if (!a)
          continue;
        int64_t m = length(*a);
        if (m < 0)
          return -1;
        if (m && n && m != n) {
          error(e.range, "vectors of different lengths (" + std::to_string(n) +
                             " and " + std::to_string(m) +
                             ") in one "
                             "expression");
          return -1;
        }
        n = m ? m : n;
      }
      return n;
    }
    }
  }

  /// How many nodes the elements of `e` come to over `n` elements (sum()
  /// of a vector is the sum of all its elements in each of them).
  double expandedNodes(const Expr &e) {
    double nodes = 1;
    if (e.kind == Expr::Kind::Call && e.name == "sum" && e.args.size() == 1 &&
        e.args[0]) {
      int64_t n = length(*e.args[0]);
      if (n > 0)
        return double(2 * n - 1) * expandedNodes(*e.args[0]);
    }
    for (const ExprPtr &a : e.args)
      if (a)
        nodes += expandedNodes(*a);
    return nodes;
  }

  /// Whether `e` reads sum() of a vector.
  bool readsVectorSum(const Expr &e) {
    if (e.kind == Expr::Kind::Call && e.name == "sum" && e.args.size() == 1 &&
        e.args[0] && length(*e.args[0]) > 0)
      return true;
    for (const ExprPtr &a : e.args)
      if (a && readsVectorSum(*a))
        return true;
    return false;
  }

  /// Whether `e`, repeated for `n` elements, stays within what the compiler
  /// handles in reasonable time; reports it at `range` if not. Only sum()
  /// of a vector multiplies the expression: without one, an element is
  /// what the model wrote, and n of them what it asked for.
  bool withinBudget(const Expr &e, int64_t n, SourceRange range) {
    if (!readsVectorSum(e))
      return true;
    double nodes = double(n) * expandedNodes(e);
    if (nodes <= kMaxExpandedNodes)
      return true;
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", nodes);
    error(range, "this stands for " + std::string(count) + " operations" +
                     (n > 1 ? " over its " + std::to_string(n) +
                                  " elements (sum() of a vector in each of "
                                  "them)"
                            : std::string(" (sum() of a vector in a sum())")) +
                     ", more than the " +
                     std::to_string(int64_t(kMaxExpandedNodes)) +
                     " a model may expand to: read the sum through a let "
                     "(`let s = sum(h)`), or use fewer elements");
    return false;
  }
  static constexpr double kMaxExpandedNodes = 1 << 18;

  /// Element k of `e`: vector names become their element k.
  ExprPtr elementOf(const Expr &e, int64_t k) {
    switch (e.kind) {
    case Expr::Kind::Ref: {
      auto r = cloneExpr(e);
      if (sizes.count(e.name))
        r->name = element(e.name, k);
      return r;
    }
    case Expr::Kind::List:
      if (size_t(k) >= e.args.size())
        return cloneExpr(e); // reported by length()
      return elementOf(*e.args[size_t(k)], k);
    case Expr::Kind::Index: {
      auto it = sizes.find(e.name);
      const Expr &index = *e.args[0];
      if (it == sizes.end()) {
        error(e.range, "'" + e.name + "' is not a vector");
        return cloneExpr(e);
      }
      if (index.kind != Expr::Kind::Number || !index.unit.empty() ||
          index.value != std::floor(index.value) || index.value < 0 ||
          index.value >= double(it->second)) {
        error(index.range, "the index of '" + e.name +
                               "' must be a whole number from 0 to " +
                               std::to_string(it->second - 1));
        return cloneExpr(e);
      }
      auto r = std::make_unique<Expr>(Expr::Kind::Ref, e.range);
      r->name = element(e.name, int64_t(index.value));
      return r;
    }
    case Expr::Kind::Call:
      if (e.name == "sum" && e.args.size() == 1) {
        int64_t n = length(*e.args[0]);
        if (n > 0) {
          ExprPtr total = elementOf(*e.args[0], 0);
          for (int64_t j = 1; j < n; ++j) {
            auto add = std::make_unique<Expr>(Expr::Kind::Binary, e.range);
            add->op = "+";
            add->args.push_back(std::move(total));
            add->args.push_back(elementOf(*e.args[0], j));
            total = std::move(add);
          }
          return total;
        }
      }
      [[fallthrough]];
    default: {
      ExprPtr r = copyNode(e);
      for (const ExprPtr &a : e.args)
        r->args.push_back(a ? elementOf(*a, k) : nullptr);
      return r;
    }
    }
  }

  /// `e` where a number is expected: vectors only inside sum() or indexed.
  /// Lists (SpikeTimes' arguments) are left alone.
  ExprPtr scalarOf(const Expr &e, const std::string &what) {
    if (e.kind == Expr::Kind::List)
      return cloneExpr(e);
    int64_t n = length(e);
    if (n > 0)
      error(e.range, what + " is a number, but this is a vector of " +
                         std::to_string(n) +
                         "; use sum(...) or an element such as m[0]");
    // sum() nested in sum() expands to n^2 terms in one number too.
    if (!withinBudget(e, 1, e.range))
      return cloneExpr(e);
    return elementOf(e, 0);
  }

  /// Checks that `e` fits a vector of n elements (a number or length n).
  bool fits(const Expr &e, int64_t n) {
    int64_t m = length(e);
    if (m < 0)
      return false;
    if (m && m != n) {
      error(e.range, "a vector of " + std::to_string(m) + " elements where " +
                         std::to_string(n) + " are expected");
      return false;
    }
    return true;
  }

  void expandVars(std::vector<VarDecl> &vars) {
    for (const VarDecl &v : vars)
      if (v.size > 0)
        sizes[v.name] = v.size;
    std::vector<VarDecl> out;
    for (VarDecl &v : vars) {
      int64_t n = v.size;
      if (v.kind == VarDecl::Kind::Let && v.init) {
        n = length(*v.init);
        if (n > 0)
          sizes[v.name] = n;
      }
      if (n <= 0) {
        if (v.init)
          v.init = scalarOf(*v.init, "the value of '" + v.name + "'");
        out.push_back(std::move(v));
        continue;
      }
      if (v.init && (!fits(*v.init, n) || !withinBudget(*v.init, n, v.range)))
        continue;
      for (int64_t k = 0; k < n; ++k) {
        VarDecl e = cloneVar(v);
        e.name = element(v.name, k);
        e.size = 0;
        if (v.init)
          e.init = elementOf(*v.init, k);
        out.push_back(std::move(e));
      }
    }
    vars = std::move(out);
  }

  void expandOdes(std::vector<OdeDecl> &odes) {
    std::vector<OdeDecl> out;
    for (OdeDecl &o : odes) {
      auto it = sizes.find(o.var);
      if (it == sizes.end()) {
        o.rhs = scalarOf(*o.rhs, "the derivative of '" + o.var + "'");
        out.push_back(std::move(o));
        continue;
      }
      if (!fits(*o.rhs, it->second) ||
          !withinBudget(*o.rhs, it->second, o.range))
        continue;
      for (int64_t k = 0; k < it->second; ++k) {
        OdeDecl e = cloneOde(o);
        e.var = element(o.var, k);
        e.rhs = elementOf(*o.rhs, k);
        out.push_back(std::move(e));
      }
    }
    odes = std::move(out);
  }

  void expandStmts(std::vector<Stmt> &stmts) {
    std::vector<Stmt> out;
    for (Stmt &s : stmts) {
      auto it = sizes.find(s.target);
      if (it == sizes.end()) {
        s.value =
            scalarOf(*s.value, "the value assigned to '" + s.target + "'");
        out.push_back(std::move(s));
        continue;
      }
      if (!fits(*s.value, it->second) ||
          !withinBudget(*s.value, it->second, s.range))
        continue;
      for (int64_t k = 0; k < it->second; ++k)
        out.push_back({element(s.target, k), s.op, elementOf(*s.value, k),
                       s.range, s.targetRange});
    }
    stmts = std::move(out);
  }

  void expandNeuron(NeuronDecl &n) {
    sizes.clear();
    expandVars(n.vars);
    expandOdes(n.odes);
    if (n.spike) {
      n.spike->condition = scalarOf(*n.spike->condition, "the spike condition");
      expandStmts(n.spike->reset);
      if (n.spike->refractory)
        n.spike->refractory =
            scalarOf(*n.spike->refractory, "the refractory period");
    }
    modelSizes[n.name] = sizes;
  }

  void expandSynapse(SynapseDecl &s) {
    sizes.clear();
    expandVars(s.vars);
    expandOdes(s.odes);
    for (EventDecl &e : s.events)
      expandStmts(e.body);
    for (DrivesDecl &d : s.drives)
      d.value = scalarOf(*d.value, "what a synapse drives");
    modelSizes[s.name] = sizes;
  }

  /// Arguments for vector variables of `model`: a list gives each element
  /// its item, anything else is repeated per element.
  void expandArgs(std::vector<NamedExpr> &args, const std::string &model) {
    auto it = modelSizes.find(model);
    if (it == modelSizes.end())
      return;
    std::vector<NamedExpr> out;
    sizes.clear();
    for (NamedExpr &a : args) {
      auto v = it->second.find(a.name);
      if (v == it->second.end() || !a.value) {
        out.push_back(std::move(a));
        continue;
      }
      int64_t n = v->second;
      if (!fits(*a.value, n))
        continue;
      for (int64_t k = 0; k < n; ++k) {
        NamedExpr e;
        e.name = element(a.name, k);
        e.value = a.value->kind == Expr::Kind::List &&
                          size_t(k) < a.value->args.size()
                      ? cloneExpr(*a.value->args[size_t(k)])
                      : cloneExpr(*a.value);
        e.range = a.range;
        e.nameRange = a.nameRange;
        out.push_back(std::move(e));
      }
    }
    args = std::move(out);
  }

  void expandNetwork(NetworkDecl &net, Module &module) {
    std::map<std::string, std::string> popModel, projModel;
    for (PopulationDecl &p : net.populations) {
      popModel[p.name] = p.model.name;
      expandArgs(p.args, p.model.name);
    }
    // Projections named as Sema names them (an alias taken already is
    // Sema's error to report).
    auto taken = [&](const std::string &name) {
      return popModel.count(name) > 0 || projModel.count(name) > 0;
    };
    for (ConnectDecl &c : net.connects) {
      expandArgs(c.args, c.synapse.name);
      if (c.alias) {
        projModel.emplace(c.alias->name, c.synapse.name);
        continue;
      }
      for (const NameRef &t : c.targets)
        projModel[defaultProjectionName(c.source.name, t.name, taken)] =
            c.synapse.name;
    }
    (void)module;
    // `record m of P` records every element of a vector m.
    for (RecordDecl &r : net.records) {
      if (r.targets.empty())
        continue;
      const std::string &target = r.targets[0].population.name;
      std::string model = popModel.count(target)    ? popModel[target]
                          : projModel.count(target) ? projModel[target]
                                                    : "";
      auto it = modelSizes.find(model);
      if (it == modelSizes.end())
        continue;
      std::vector<NameRef> what;
      for (const NameRef &w : r.what) {
        auto v = it->second.find(w.name);
        if (v == it->second.end()) {
          what.push_back(w);
          continue;
        }
        for (int64_t k = 0; k < v->second; ++k)
          what.push_back({element(w.name, k), w.range});
      }
      r.what = std::move(what);
    }
  }

  void error(SourceRange range, const std::string &message) {
    diag.error(range, message);
    ok = false;
  }

  DiagEngine &diag;
  bool ok = true;
  /// Vector variables (and vector lets) of the model being expanded.
  std::map<std::string, int64_t> sizes;
  /// Per model: its vector parameters and states.
  std::map<std::string, std::map<std::string, int64_t>> modelSizes;
};

} // namespace

bool neuro::expandVectors(Module &module, DiagEngine &diag) {
  return Expander(diag).run(module);
}
