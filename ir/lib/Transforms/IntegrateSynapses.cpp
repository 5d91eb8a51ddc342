//===- IntegrateSynapses.cpp - Per-synapse equations of neuro-integrate ---===//
//
// A projection's per-synapse equations are solved exactly between the
// synapse's events where they allow it (Brian2's `(event-driven)`), else
// advanced every step (clock-driven):
//
// - dx/dt = a x + b, a a constant and b one plus constant multiples of
//   per-synapse states without an equation (which only events change):
//   neuro.decay.
// - States coupled without a cycle (dx/dt = -x / tau1, dy/dt = (x - y) /
//   tau2: a trace filtered again), each equation affine in the states with
//   constant coefficients, the eigenvectors of the system's triangular
//   matrix well-conditioned (rates a few percent apart or more):
//   neuro.decay_system, solved in those eigenvectors.
// - Everything else, the weight's equation, and what a clock-driven
//   equation or a summed drive reads: every step (clock-driven). States
//   whose equations are affine with constant coefficients in each other
//   (and in states only events change) take their exact one-step
//   propagator, as Brian2 integrates linear clock-driven equations: the
//   equation is rewritten as that step's increment over dt, method
//   "exact" (x' = x + f dt). The others: exponential Euler where each
//   equation is linear in its own variable, else RK4 (or the synapse's
//   @method, which also takes the place of the exact step).
//
//===----------------------------------------------------------------------===//

#include "LinearAnalysis.h"

#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/Expm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace neuro;
using namespace neuro::linear;

namespace {

/// The per-synapse states of one projection and the affine forms of the
/// equations that have one.
struct SynapseStates {
  llvm::StringMap<unsigned> index;
  std::vector<std::string> names;
  llvm::StringMap<OdeOp> byVar;
  llvm::StringMap<Affine> affine;
  /// States without an equation: constant between events.
  std::vector<bool> eventOnly;
  /// The weights among `names`: their equations are clock-driven.
  llvm::StringSet<> weights;

  /// The affine form of the equation of `var` (which has one).
  const Affine &of(llvm::StringRef var) const {
    return affine.find(var)->second;
  }
};

/// The states solved at events that `var`'s equation reads, or nullopt
/// when it reads one advanced every step.
std::optional<std::vector<unsigned>> coupledTo(const SynapseStates &s,
                                               const llvm::StringSet<> &clock,
                                               const std::string &var) {
  unsigned self = s.index.lookup(var);
  std::vector<unsigned> coupled;
  for (auto [j, c] : llvm::enumerate(s.of(var).coef)) {
    if (j == self || c == 0.0 || s.eventOnly[j])
      continue;
    if (!s.byVar.count(s.names[j]) || clock.contains(s.names[j]))
      return std::nullopt;
    coupled.push_back(unsigned(j));
  }
  return coupled;
}

/// The states of `members` in an order where each equation reads only
/// those before it (besides itself), or empty when they form a cycle.
std::vector<unsigned> triangularOrder(const SynapseStates &s,
                                      const std::vector<unsigned> &members) {
  std::vector<unsigned> order, left = members;
  while (!left.empty()) {
    auto ready = llvm::find_if(left, [&](unsigned m) {
      const Affine &a = s.of(s.names[m]);
      return llvm::all_of(
          left, [&](unsigned o) { return o == m || a.coef[o] == 0.0; });
    });
    if (ready == left.end())
      return {};
    order.push_back(*ready);
    left.erase(ready);
  }
  return order;
}

/// The largest condition number of a system's modes (infinity norms of V
/// and V^-1): x = V z loses about its log10 in digits, 3 of float's 7 in
/// single precision. Chains whose rates are a few percent apart or more
/// stay below it; close rates make V's entries large, equal ones infinite
/// or NaN.
constexpr double kMaxCondition = 1e3;

/// The modes V of the triangular system `order` (row-major, unit lower
/// triangular; not finite where rates are equal) and their inverse.
void modesOf(const SynapseStates &s, const std::vector<unsigned> &order,
             std::vector<double> &modes, std::vector<double> &inverse) {
  size_t k = order.size();
  modes.assign(k * k, 0.0);
  inverse.assign(k * k, 0.0);
  auto a = [&](size_t r, size_t c) {
    return s.of(s.names[order[r]]).coef[order[c]];
  };
  // Column i: the eigenvector of rate a(i, i), zero above i.
  for (size_t i = 0; i < k; ++i) {
    modes[i * k + i] = 1.0;
    for (size_t r = i + 1; r < k; ++r) {
      double sum = 0.0;
      for (size_t c = i; c < r; ++c)
        sum += a(r, c) * modes[c * k + i];
      modes[r * k + i] = sum / (a(i, i) - a(r, r));
    }
  }
  // V^-1 by forward substitution (V's diagonal is 1).
  for (size_t c = 0; c < k; ++c)
    for (size_t r = 0; r < k; ++r) {
      double sum = r == c ? 1.0 : 0.0;
      for (size_t l = 0; l < r; ++l)
        sum -= modes[r * k + l] * inverse[l * k + c];
      inverse[r * k + c] = sum;
    }
}

/// The states without an equation (which only events change) that the
/// equations of `states` read, in the projection's order.
std::vector<unsigned> eventInputs(const SynapseStates &s,
                                  const std::vector<unsigned> &states) {
  std::vector<unsigned> inputs;
  for (size_t j = 0; j < s.names.size(); ++j)
    if (s.eventOnly[j] && llvm::any_of(states, [&](unsigned m) {
          return s.of(s.names[m]).coef[j] != 0.0;
        }))
      inputs.push_back(unsigned(j));
  return inputs;
}

/// neuro.decay_system for the states `order` (triangular): A = V diag(rates)
/// V^-1, V unit lower triangular.
void emitSystem(OpBuilder &b, Location loc, const SynapseStates &s,
                const std::vector<unsigned> &order) {
  size_t k = order.size();
  std::vector<double> rates(k), modes, inverse, offsets(k);
  for (size_t r = 0; r < k; ++r) {
    rates[r] = s.of(s.names[order[r]]).coef[order[r]];
    offsets[r] = s.of(s.names[order[r]]).c + 0.0; // no -0
  }
  modesOf(s, order, modes, inverse);
  // The states without an equation the system reads, with their gains per
  // equation.
  std::vector<unsigned> inputs = eventInputs(s, order);
  std::vector<double> gains;
  for (unsigned m : order)
    for (unsigned j : inputs)
      gains.push_back(s.of(s.names[m]).coef[j] + 0.0); // no -0
  auto symbols = [&](ArrayRef<unsigned> which) {
    SmallVector<Attribute> out;
    for (unsigned j : which)
      out.push_back(FlatSymbolRefAttr::get(b.getContext(), s.names[j]));
    return b.getArrayAttr(out);
  };
  b.create<DecaySystemOp>(
      loc, symbols(order), b.getDenseF64ArrayAttr(rates),
      b.getDenseF64ArrayAttr(modes), b.getDenseF64ArrayAttr(inverse),
      b.getDenseF64ArrayAttr(offsets),
      inputs.empty() ? ArrayAttr() : symbols(inputs),
      inputs.empty() ? DenseF64ArrayAttr() : b.getDenseF64ArrayAttr(gains));
}

/// Whether the modes of `order` are well-conditioned (kMaxCondition).
bool wellConditioned(const SynapseStates &s,
                     const std::vector<unsigned> &order) {
  std::vector<double> modes, inverse;
  modesOf(s, order, modes, inverse);
  auto k = int64_t(order.size());
  return rt::infinityNorm(k, modes.data()) *
             rt::infinityNorm(k, inverse.data()) <=
         kMaxCondition;
}

/// The groups of states solved at events that are coupled to each other
/// (connected through the equations' coefficients).
std::vector<std::vector<unsigned>>
coupledGroups(const SynapseStates &s, const llvm::StringSet<> &clock) {
  std::vector<unsigned> group(s.names.size(), ~0u);
  std::vector<std::vector<unsigned>> groups;
  auto merge = [&](unsigned x, unsigned y) {
    unsigned gx = group[x], gy = group[y];
    if (gx == gy)
      return;
    for (unsigned m : groups[gy])
      group[m] = gx;
    groups[gx].insert(groups[gx].end(), groups[gy].begin(), groups[gy].end());
    groups[gy].clear();
  };
  for (size_t j = 0; j < s.names.size(); ++j)
    if (s.affine.count(s.names[j]) && !clock.contains(s.names[j])) {
      group[j] = unsigned(groups.size());
      groups.push_back({unsigned(j)});
    }
  for (size_t j = 0; j < s.names.size(); ++j) {
    if (group[j] == ~0u)
      continue;
    std::optional<std::vector<unsigned>> coupled =
        coupledTo(s, clock, s.names[j]);
    for (unsigned o : coupled.value_or(std::vector<unsigned>()))
      merge(unsigned(j), o);
  }
  llvm::erase_if(groups, [](auto &g) { return g.empty(); });
  for (auto &g : groups)
    llvm::sort(g);
  return groups;
}

/// Which states are advanced every step: those without an affine form,
/// what such an equation or a summed drive reads, what reads them, and the
/// members of coupled groups that cannot be solved at events.
void classify(ProjectionOp proj, SynapseStates &s, llvm::StringSet<> &clock) {
  for (const auto &[name, ode] : s.byVar)
    if (!s.affine.count(name) || s.weights.contains(name))
      clock.insert(name);
  for (bool changed = true; changed;) {
    changed = false;
    // What clock-driven equations and summed drives read must be current
    // at every step.
    auto visit = [&](Region &region) {
      region.walk([&](RefOp ref) {
        if (ref.getPost() || ref.getPre() || !s.byVar.count(ref.getName()))
          return;
        changed |= clock.insert(ref.getName()).second;
      });
    };
    for (auto &entry : s.byVar)
      if (clock.contains(entry.first()))
        visit(entry.second.getRhs());
    for (DrivesOp drives : proj.getBody().getOps<DrivesOp>())
      visit(drives.getValue());
    // An equation solved at events reads only states solved at events.
    for (const auto &[name, affine] : s.affine)
      if (!clock.contains(name) && !coupledTo(s, clock, name.str()))
        changed |= clock.insert(name).second;
    if (changed)
      continue;
    for (const std::vector<unsigned> &g : coupledGroups(s, clock)) {
      if (g.size() == 1)
        continue;
      std::vector<unsigned> order = triangularOrder(s, g);
      if (!order.empty() && wellConditioned(s, order))
        continue;
      for (unsigned m : g)
        changed |= clock.insert(s.names[m]).second;
    }
  }
}

/// The clock-driven states whose equations are affine in each other and in
/// states without an equation (constant coefficients), in projection
/// order: those with an affine form, less those reading a clock-driven
/// state outside the set, until none does.
std::vector<unsigned> linearClockStates(const SynapseStates &s,
                                        const llvm::StringSet<> &clock) {
  std::vector<bool> in(s.names.size(), false);
  for (size_t j = 0; j < s.names.size(); ++j)
    in[j] = clock.contains(s.names[j]) && s.affine.count(s.names[j]);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t j = 0; j < s.names.size(); ++j) {
      if (!in[j])
        continue;
      const Affine &a = s.of(s.names[j]);
      for (size_t c = 0; c < a.coef.size() && in[j]; ++c)
        if (a.coef[c] != 0.0 && !s.eventOnly[c] && !in[c])
          in[j] = false, changed = true;
    }
  }
  std::vector<unsigned> out;
  for (size_t j = 0; j < in.size(); ++j)
    if (in[j])
      out.push_back(unsigned(j));
  return out;
}

/// Rewrites the equations of `states` (linearClockStates) as the increment
/// of their exact step over dt: with [x'; u; 1] = exp(dt G) [x; u; 1], G
/// the generator of the states x, the event-only states u they read and
/// the constants, dx/dt becomes ((P - I) x + Q u + q) / dt, method "exact".
void emitExactClockStep(const SynapseStates &s,
                        const std::vector<unsigned> &states, double dt) {
  std::vector<unsigned> inputs = eventInputs(s, states);
  size_t k = states.size(), n = k + inputs.size() + 1;
  std::vector<double> g(n * n, 0.0), e(n * n);
  for (size_t r = 0; r < k; ++r) {
    const Affine &a = s.of(s.names[states[r]]);
    for (size_t c = 0; c < k; ++c)
      g[r * n + c] = a.coef[states[c]] * dt;
    for (size_t i = 0; i < inputs.size(); ++i)
      g[r * n + k + i] = a.coef[inputs[i]] * dt;
    g[r * n + n - 1] = a.c * dt;
  }
  rt::expmBlocks(int64_t(n), g.data(), e.data());
  std::vector<unsigned> columns(states);
  columns.insert(columns.end(), inputs.begin(), inputs.end());
  for (size_t r = 0; r < k; ++r) {
    OdeOp ode = s.byVar.lookup(s.names[states[r]]);
    Block &body = ode.getRhs().front();
    while (!body.empty())
      body.back().erase();
    OpBuilder b = OpBuilder::atBlockEnd(&body);
    Location loc = ode.getLoc();
    auto constant = [&](double v) {
      return b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(v + 0.0))
          .getResult();
    };
    Value sum = constant(e[r * n + n - 1] / dt);
    for (size_t c = 0; c < columns.size(); ++c) {
      double coef = (e[r * n + c] - (c == r ? 1.0 : 0.0)) / dt;
      if (coef == 0.0)
        continue;
      Value x = b.create<RefOp>(loc, b.getF64Type(), s.names[columns[c]], false,
                                false);
      sum = b.create<arith::AddFOp>(
          loc, sum, b.create<arith::MulFOp>(loc, constant(coef), x));
    }
    b.create<YieldOp>(loc, sum);
    ode.setMethodAttr(b.getStringAttr("exact"));
  }
}

} // namespace

LogicalResult neuro::linear::integrateProjection(Operation *op, double dt) {
  auto proj = cast<ProjectionOp>(op);
  SmallVector<OdeOp> odes(proj.getBody().getOps<OdeOp>());
  if (odes.empty())
    return success();
  SynapseStates s;
  // The per-synapse variables, weights included (a weight may relax with an
  // equation that others read), in projection order.
  for (Operation &member : proj.getBody().getOps()) {
    StringRef name;
    if (auto st = dyn_cast<StateOp>(member))
      name = st.getSymName();
    else if (auto w = dyn_cast<WeightOp>(member))
      s.weights.insert(name = w.getSymName());
    else
      continue;
    s.index[name] = s.names.size();
    s.names.push_back(name.str());
  }
  for (OdeOp ode : odes)
    s.byVar[ode.getVar()] = ode;
  s.eventOnly.resize(s.names.size());
  for (size_t j = 0; j < s.names.size(); ++j)
    s.eventOnly[j] = !s.byVar.count(s.names[j]);
  LinearAnalysis analysis(s.index, dt);
  for (OdeOp ode : odes) {
    Operation *culprit = nullptr;
    FailureOr<Affine> rhs = analysis.analyze(ode.getRhs(), culprit);
    if (failed(rhs) && analysis.divisionByZero) {
      InFlightDiagnostic d = ode.emitError()
                             << "division by zero in d" << ode.getVar()
                             << "/dt: the divisor is 0 (check the parameter "
                                "values)";
      d.attachNote(culprit->getLoc()) << "division here";
      return failure();
    }
    if (succeeded(rhs) && s.index.count(ode.getVar()))
      s.affine[ode.getVar()] = *rhs;
  }
  llvm::StringSet<> clock;
  classify(proj, s, clock);
  // The exact step where every clock-driven equation is linear (one method
  // per projection) and the synapse asks for none.
  bool asked = llvm::any_of(odes, [&](OdeOp ode) {
    return clock.contains(ode.getVar()) && ode.getMethodAttr();
  });
  auto clockOdes = llvm::count_if(
      odes, [&](OdeOp ode) { return clock.contains(ode.getVar()); });
  llvm::StringSet<> exact;
  std::vector<unsigned> linear = linearClockStates(s, clock);
  if (!asked && !linear.empty() && size_t(clockOdes) == linear.size()) {
    emitExactClockStep(s, linear, dt);
    for (unsigned j : linear)
      exact.insert(s.names[j]);
  }
  bool conditionallyLinear = true;
  for (OdeOp ode : odes) {
    if (!clock.contains(ode.getVar()) || exact.contains(ode.getVar()))
      continue;
    Operation *ignored = nullptr;
    conditionallyLinear &= degreeIn(ode.getRhs(), ode.getVar(), ignored) <= 1;
  }
  // The synapse's `@method(...)` (on its equations), else exponential
  // Euler where it applies, else RK4.
  auto method = StringAttr::get(
      proj.getContext(), conditionallyLinear ? "exponential_euler" : "rk4");
  for (OdeOp ode : odes)
    if (clock.contains(ode.getVar()) && ode.getMethodAttr())
      method = ode.getMethodAttr();
  for (OdeOp ode : odes)
    if (clock.contains(ode.getVar()) && !exact.contains(ode.getVar())) {
      if (method.getValue() == "exponential_euler" &&
          failed(exponentialEulerForm(ode)))
        return failure();
      ode.setMethodAttr(method);
    }
  // In the order of their first equations.
  llvm::StringMap<size_t> position;
  for (auto [k, ode] : llvm::enumerate(odes))
    position[ode.getVar()] = k;
  std::vector<std::vector<unsigned>> groups = coupledGroups(s, clock);
  auto firstOf = [&](const std::vector<unsigned> &g) {
    size_t first = odes.size();
    for (unsigned m : g)
      first = std::min(first, position.lookup(s.names[m]));
    return first;
  };
  llvm::sort(groups, [&](auto &x, auto &y) { return firstOf(x) < firstOf(y); });
  for (const std::vector<unsigned> &g : groups) {
    OdeOp first = odes[firstOf(g)];
    OpBuilder b(first);
    if (g.size() > 1) {
      emitSystem(b, first.getLoc(), s, triangularOrder(s, g));
    } else {
      unsigned self = g.front();
      const Affine &rhs = s.of(s.names[self]);
      SmallVector<Attribute> inputs;
      SmallVector<double> gains;
      for (size_t j = 0; j < s.names.size(); ++j)
        if (j != self && rhs.coef[j] != 0.0) {
          inputs.push_back(FlatSymbolRefAttr::get(b.getContext(), s.names[j]));
          gains.push_back(rhs.coef[j]);
        }
      b.create<DecayOp>(
          first.getLoc(), first.getVarAttr(), b.getF64FloatAttr(rhs.coef[self]),
          b.getF64FloatAttr(rhs.c + 0.0), // no -0
          inputs.empty() ? ArrayAttr() : b.getArrayAttr(inputs),
          gains.empty() ? DenseF64ArrayAttr() : b.getDenseF64ArrayAttr(gains));
    }
    for (unsigned m : g)
      s.byVar.lookup(s.names[m]).erase();
  }
  return success();
}
