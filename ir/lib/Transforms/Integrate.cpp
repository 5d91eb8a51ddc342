//===- Integrate.cpp - Exact integration of linear state equations --------===//
//
// For the states x of an elaborated population with equations dx/dt = A x + b
// (A, b constant), one step of length dt is exactly
//
//   [x(t+dt); 1] = expm(dt * [[A, b], [0, 0]]) [x(t); 1].
//
// The pass proves each right-hand side affine in the states by abstract
// interpretation of its region, computes the propagator at compile time and
// replaces the equations by one neuro.propagate. States without an equation
// take part with a zero derivative; states declared `unless refractory` get a
// zero derivative in the second (refractory) propagator, and equations that
// read `not_refractory` are analysed with it true, then false, for the two.
//
//===----------------------------------------------------------------------===//

#include "LinearAnalysis.h"

#include "neuro/IR/NeuroOps.h"
#include "neuro/IR/Passes.h"
#include "neuro/Runtime/Expm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <functional>
#include <numeric>

namespace neuro {
#define GEN_PASS_DEF_INTEGRATE
#include "neuro/IR/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;
using namespace neuro::linear;

namespace {

using Matrix = std::vector<std::vector<double>>;

/// exp of a square matrix (the runtime's implementation, shared with
/// generated code: Expm.h); `blocks` for an augmented propagator generator,
/// exponentiated per block of coupled states.
Matrix exponential(const Matrix &a, bool blocks) {
  size_t n = a.size();
  std::vector<double> flat, out(n * n);
  for (const auto &row : a)
    flat.insert(flat.end(), row.begin(), row.end());
  if (blocks)
    rt::expmBlocks(int64_t(n), flat.data(), out.data());
  else
    rt::expm(int64_t(n), flat.data(), out.data());
  Matrix r(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      r[i][j] = out[i * n + j];
  return r;
}

/// Whether the value `region` yields is affine in the population's
/// variables with coefficients that may depend on its constant rows (the
/// parameters set per neuron, `neuro.constant`): then the system is linear
/// with coefficients fixed per neuron and integrates exactly with one
/// propagator per neuron (and one with `not_refractory` false). The time,
/// noise and draws are not allowed.
bool affineWithRowCoefficients(Region &region,
                               const llvm::StringSet<> &constantRows,
                               Operation *&culprit) {
  return regionDegree(
             region,
             [&](Operation &op) -> unsigned {
               if (auto ref = dyn_cast<RefOp>(op))
                 return !constantRows.contains(ref.getName());
               // The neuron's own refractoriness is a constant of each of
               // its two propagators.
               if (auto nr = dyn_cast<NotRefractoryOp>(op))
                 return nr.getPre() || nr.getPost() ? 2 : 0;
               return isa<TimeOp, NoiseOp, RandOp, RandNormalOp>(op) ? 2 : 0;
             },
             culprit) <= 1;
}

/// The population's parameters set per neuron (rows marked
/// `neuro.constant`).
llvm::StringSet<> constantRowsOf(PopulationOp pop) {
  llvm::StringSet<> rows;
  NeuroDialect::ConstantAttrHelper constantAttr(pop.getContext());
  for (StateOp s : pop.getBody().getOps<StateOp>())
    if (constantAttr.isAttrPresent(s))
      rows.insert(s.getSymName());
  return rows;
}

/// The rows of `pop` without an equation that only events (its reset, the
/// `on pre` and `on post` of projections onto it) or the host (a REPL's
/// `set`, a view) change: not the summed drives and timed tables the
/// runtime sets in every step (or every table entry), nor parameters.
llvm::StringSet<> heldCandidatesOf(PopulationOp pop, ArrayRef<OdeOp> odes) {
  llvm::StringSet<> perStep, rows;
  for (auto timed : pop.getBody().getOps<InitTimedOp>())
    perStep.insert(timed.getVar());
  if (auto net = pop->getParentOfType<NetworkOp>())
    for (auto proj : net.getBody().getOps<ProjectionOp>())
      if (proj.getTarget() == pop.getSymName())
        proj.walk([&](DrivesOp d) {
          if (d.getIntoAttr())
            perStep.insert(d.getIntoAttr().getValue());
        });
  NeuroDialect::ConstantAttrHelper constantAttr(pop.getContext());
  for (StateOp s : pop.getBody().getOps<StateOp>())
    if (!perStep.contains(s.getSymName()) && !constantAttr.isAttrPresent(s) &&
        llvm::none_of(odes,
                      [&](OdeOp o) { return o.getVar() == s.getSymName(); }))
      rows.insert(s.getSymName());
  return rows;
}

/// The rows in `candidates` that `op` (a term found not affine) reads,
/// directly or through its operands.
SmallVector<StringRef> rowsUnder(Operation *op,
                                 const llvm::StringSet<> &candidates) {
  SmallVector<StringRef> found;
  SmallVector<Operation *> work{op};
  llvm::DenseSet<Operation *> seen;
  while (!work.empty()) {
    Operation *o = work.pop_back_val();
    if (!seen.insert(o).second)
      continue;
    o->walk([&](RefOp ref) {
      if (candidates.contains(ref.getName()) &&
          !llvm::is_contained(found, ref.getName()))
        found.push_back(ref.getName());
    });
    for (Value v : o->getOperands())
      if (Operation *def = v.getDefiningOp())
        work.push_back(def);
  }
  return found;
}

/// Whether an equation of `odes` reads the state of another: exponential
/// Euler, which holds the others at the step's start, is then not exact.
bool coupled(ArrayRef<OdeOp> odes) {
  llvm::StringSet<> vars;
  for (OdeOp ode : odes)
    vars.insert(ode.getVar());
  for (OdeOp ode : odes) {
    bool reads = false;
    ode.getRhs().walk([&](RefOp ref) {
      reads |= ref.getName() != ode.getVar() && vars.contains(ref.getName());
    });
    if (reads)
      return true;
  }
  return false;
}

/// Exact integration when coefficients differ per neuron: marks the
/// equations `exact` (left as neuro.ode for the kernels, which compute a
/// propagator per neuron when the network is built) if each is affine in
/// the variables with coefficients from constant rows and from rows that
/// only events or the host write. The latter are held over a step, as Brian2
/// holds a variable without an equation in its `exact` solution; they are
/// marked `neuro.held_coefficient` (the step recomputes a neuron's propagator
/// when one changed), and only where the equations are coupled: alone, an
/// equation linear in its state with such a coefficient is integrated
/// exactly by exponential Euler already. Otherwise `failed` is the first
/// equation that is not affine and `culprit` the term at fault (when one
/// is found).
bool applyPerNeuronExact(PopulationOp pop, ArrayRef<OdeOp> odes, OdeOp &failed,
                         Operation *&culprit) {
  llvm::StringSet<> coefficients = constantRowsOf(pop);
  llvm::StringSet<> candidates = heldCandidatesOf(pop, odes);
  SmallVector<StringRef> held;
  while (true) {
    failed = OdeOp();
    culprit = nullptr;
    for (OdeOp ode : odes)
      if (coefficients.contains(ode.getVar()) ||
          !affineWithRowCoefficients(ode.getRhs(), coefficients, culprit)) {
        failed = ode;
        break;
      }
    if (!failed)
      break;
    // A product with a row that events or the host write: try it as a
    // coefficient held over the step.
    SmallVector<StringRef> more;
    if (culprit)
      more = rowsUnder(culprit, candidates);
    if (more.empty())
      return false;
    for (StringRef row : more) {
      candidates.erase(row);
      coefficients.insert(row);
      held.push_back(row);
    }
  }
  if (coefficients.empty() || (!held.empty() && !coupled(odes)))
    return false;
  NeuroDialect::HeldCoefficientAttrHelper heldAttr(pop.getContext());
  for (StateOp s : pop.getBody().getOps<StateOp>())
    if (llvm::is_contained(held, s.getSymName()))
      heldAttr.setAttr(s, UnitAttr::get(pop.getContext()));
  auto attr = StringAttr::get(pop.getContext(), "exact");
  for (OdeOp ode : odes)
    ode.setMethodAttr(attr);
  return true;
}

/// Leaves the equations to a numerical scheme: `method` on every neuro.ode.
LogicalResult applyNumericalMethod(PopulationOp pop, ArrayRef<OdeOp> odes,
                                   StringRef method) {
  if (method == "exponential_euler")
    for (OdeOp ode : odes)
      if (failed(exponentialEulerForm(ode)))
        return failure();
  auto attr = StringAttr::get(pop.getContext(), method);
  for (OdeOp ode : odes)
    ode.setMethodAttr(attr);
  return success();
}

/// Cholesky factor L (lower, L L^T = q) of a positive semi-definite
/// matrix; columns of deterministic directions stay 0.
Matrix choleskySemiDefinite(const Matrix &q) {
  size_t n = q.size();
  Matrix l(n, std::vector<double>(n, 0.0));
  double scale = 0.0;
  for (size_t i = 0; i < n; ++i)
    scale = std::max(scale, std::abs(q[i][i]));
  for (size_t j = 0; j < n; ++j) {
    double d = q[j][j];
    for (size_t k = 0; k < j; ++k)
      d -= l[j][k] * l[j][k];
    if (d <= 1e-14 * scale)
      continue; // no noise along this direction
    l[j][j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double v = q[i][j];
      for (size_t k = 0; k < j; ++k)
        v -= l[i][k] * l[j][k];
      l[i][j] = v / l[j][j];
    }
  }
  return l;
}

/// The covariance of the noise a linear system dx = A x dt + g dW (one
/// independent Wiener process per state, scaled by g) accumulates over dt:
/// Q = int_0^dt e^{As} diag(g^2) e^{A^T s} ds, by Van Loan's method.
Matrix noiseCovariance(const Matrix &generator, ArrayRef<double> g, double dt) {
  size_t n = g.size();
  Matrix m(2 * n, std::vector<double>(2 * n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      m[i][j] = -generator[i][j] * dt;
      m[n + i][n + j] = generator[j][i] * dt;
    }
    m[i][n + i] = g[i] * g[i] * dt;
  }
  Matrix e = exponential(m, /*blocks=*/false);
  // Q = F22^T F12 with F12 = e[0:n][n:2n], F22 = e[n:2n][n:2n].
  Matrix q(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      for (size_t k = 0; k < n; ++k)
        q[i][j] += e[n + k][n + i] * e[k][n + j];
  return q;
}

/// A variable without an equation that `culprit` (the first term found not
/// linear, a product or quotient) reads: a coefficient that changes during
/// the run, such as a parameter that follows a timed table.
static RefOp varyingCoefficient(OdeOp ode, Operation *culprit) {
  // A product or quotient is linear in a state where its other factor is
  // constant: what keeps it from being so is that factor changing.
  if (!culprit || !isa<arith::MulFOp, arith::DivFOp>(culprit))
    return RefOp();
  llvm::StringSet<> withEquation;
  ode->getParentOp()->walk(
      [&](OdeOp other) { withEquation.insert(other.getVar()); });
  for (Value operand : culprit->getOperands())
    if (auto ref = operand.getDefiningOp<RefOp>();
        ref && !withEquation.contains(ref.getName()))
      return ref;
  return RefOp();
}

/// What becomes of `pop` when equation `ode` has no exact propagator
/// (`rhs` failed, or its noise is not additive): per-neuron propagators,
/// the method asked for or chosen, or the error saying why.
static LogicalResult integrateInexactly(PopulationOp pop, ArrayRef<OdeOp> odes,
                                        OdeOp ode,
                                        std::optional<StringRef> requested,
                                        bool stochastic, bool rhsFailed,
                                        Operation *culprit) {
  SmallVector<OdeOp> all(odes.begin(), odes.end());
  OdeOp perNeuron;
  Operation *perNeuronCulprit = nullptr;
  if (!stochastic && (!requested || *requested == "exact") &&
      applyPerNeuronExact(pop, all, perNeuron, perNeuronCulprit))
    return success();
  if (!requested) {
    if (stochastic)
      return applyNumericalMethod(pop, all, "euler_maruyama");
    // Automatic choice: exponential Euler when every equation is linear
    // in its own state, else RK4 (Brian2 and NESTML choose alike).
    bool conditionallyLinear = true;
    for (OdeOp other : all) {
      Operation *ignored = nullptr;
      conditionallyLinear &=
          degreeIn(other.getRhs(), other.getVar(), ignored) <= 1;
    }
    return applyNumericalMethod(
        pop, all, conditionallyLinear ? "exponential_euler" : "rk4");
  }
  // An equation made inexact by coefficients set per neuron: the reason is
  // what the per-neuron propagators cannot take.
  llvm::StringSet<> rows = constantRowsOf(pop);
  bool readsRows = false;
  ode.getRhs().walk(
      [&](RefOp ref) { readsRows |= rows.contains(ref.getName()); });
  if (perNeuron && !stochastic && readsRows) {
    InFlightDiagnostic d =
        perNeuron.emitError()
        << "cannot integrate d" << perNeuron.getVar()
        << "/dt exactly: with coefficients set per neuron, each neuron gets "
           "its own propagator, which needs every equation linear in the "
           "states with coefficients of the neuron's parameters, reading "
           "no t, xi or rand() (@method(rk4) or exponential_euler "
           "integrates it)";
    if (perNeuronCulprit && perNeuronCulprit != perNeuron.getOperation())
      d.attachNote(perNeuronCulprit->getLoc()) << "this term";
    return failure();
  }
  InFlightDiagnostic d = ode.emitError()
                         << "cannot integrate d" << ode.getVar()
                         << "/dt exactly: the equation is not linear with "
                            "constant coefficients in the states"
                         << (rhsFailed ? "" : " (with additive noise)");
  if (culprit && isa<TimeOp>(culprit))
    d.attachNote(culprit->getLoc())
        << "the time t here: exact integration needs coefficients that do "
           "not change in time (@method(rk4) or exponential_euler "
           "integrates an equation that reads t)";
  else if (RefOp varying = varyingCoefficient(ode, culprit))
    d.attachNote(varying.getLoc())
        << "'" << varying.getName()
        << "' here is a variable without an equation (a timed table, or set "
           "during the run): exact integration needs coefficients that do "
           "not change in time (@method(rk4) or exponential_euler "
           "integrates it)";
  else if (culprit && culprit != ode.getOperation())
    d.attachNote(culprit->getLoc()) << "nonlinear term here";
  return failure();
}

/// The systems' matrices, for the population's `neuro.propagate`: the
/// generator over one step (and while refractory, when `anyUnless`), with
/// the noise's scale per row; what is integrated together.
struct LinearSystem {
  SmallVector<Attribute> vars;
  Matrix generator, refractoryGenerator;
  std::vector<double> noiseScale, refractoryNoiseScale;
  bool anyUnless = false;
  bool stochastic = false;
};

/// The parts of `sys` that evolve independently: its states grouped by
/// coupling in either direction, in either generator (a union-find over
/// the nonzero entries), each part with its states in `sys`'s order and
/// the parts in the order of their first state. A state that stays as it
/// is (derivative 0 and no noise, refractory or not) and that no other
/// state's equation reads is in no part.
static SmallVector<LinearSystem> independentParts(const LinearSystem &sys) {
  size_t n = sys.vars.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t(0));
  auto find = [&](size_t i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  };
  auto still = [&](size_t i) {
    for (const Matrix *g : {&sys.generator, &sys.refractoryGenerator})
      for (size_t j = 0; j <= n; ++j)
        if ((*g)[i][j] != 0.0)
          return false;
    return sys.noiseScale[i] == 0.0 && sys.refractoryNoiseScale[i] == 0.0;
  };
  for (const Matrix *g : {&sys.generator, &sys.refractoryGenerator})
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if ((*g)[i][j] != 0.0)
          parent[find(i)] = find(j);
  std::vector<SmallVector<size_t>> members(n);
  SmallVector<size_t> roots;
  for (size_t i = 0; i < n; ++i) {
    size_t r = find(i);
    if (members[r].empty())
      roots.push_back(r);
    members[r].push_back(i);
  }
  SmallVector<LinearSystem> parts;
  for (size_t r : roots) {
    ArrayRef<size_t> m = members[r];
    size_t k = m.size();
    if (k == 1 && still(m[0]))
      continue; // a state no other reads, and that keeps its value
    LinearSystem part;
    part.generator.assign(k + 1, std::vector<double>(k + 1, 0.0));
    part.refractoryGenerator = part.generator;
    for (size_t a = 0; a < k; ++a) {
      part.vars.push_back(sys.vars[m[a]]);
      for (size_t b = 0; b <= k; ++b) {
        size_t col = b < k ? m[b] : n;
        part.generator[a][b] = sys.generator[m[a]][col];
        part.refractoryGenerator[a][b] = sys.refractoryGenerator[m[a]][col];
      }
      part.noiseScale.push_back(sys.noiseScale[m[a]]);
      part.refractoryNoiseScale.push_back(sys.refractoryNoiseScale[m[a]]);
      part.anyUnless |=
          part.generator[a] != part.refractoryGenerator[a] ||
          part.noiseScale.back() != part.refractoryNoiseScale.back();
      part.stochastic |= part.noiseScale.back() != 0.0 ||
                         part.refractoryNoiseScale.back() != 0.0;
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

/// Adds an exact `neuro.propagate` of `sys` over `dt` at `b`'s point;
/// errors at `at`.
static LogicalResult emitPropagate(OpBuilder &b, OdeOp at,
                                   const LinearSystem &sys, double dt) {
  size_t n = sys.vars.size();
  auto propagator = [&](Matrix g) {
    for (auto &r : g)
      for (double &v : r)
        v *= dt;
    Matrix p = exponential(g, /*blocks=*/true);
    SmallVector<double> flat;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j <= n; ++j) {
        double v = p[i][j];
        // Flush rounding noise of exact zeros and ones of the structure.
        flat.push_back(std::abs(v) < 1e-300 ? 0.0 : v);
      }
    return flat;
  };
  // The noise's Cholesky factor over one step, n x n.
  auto noiseFactor = [&](const Matrix &g, ArrayRef<double> scale) {
    Matrix a(n, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        a[i][j] = g[i][j];
    Matrix l = choleskySemiDefinite(noiseCovariance(a, scale, dt));
    SmallVector<double> flat;
    for (auto &row : l)
      flat.append(row.begin(), row.end());
    return flat;
  };
  SmallVector<double> matrix = propagator(sys.generator);
  SmallVector<double> noise;
  if (sys.stochastic)
    noise = noiseFactor(sys.generator, sys.noiseScale);
  for (double v : llvm::concat<double>(matrix, noise))
    if (!std::isfinite(v))
      return at.emitError(
          "the exact propagator over one step is not finite: check time "
          "constants and dt");
  auto type = RankedTensorType::get(
      {static_cast<int64_t>(n), static_cast<int64_t>(n + 1)}, b.getF64Type());
  auto noiseType = RankedTensorType::get(
      {static_cast<int64_t>(n), static_cast<int64_t>(n)}, b.getF64Type());
  DenseElementsAttr refractory, noiseAttr, refractoryNoiseAttr;
  if (sys.anyUnless)
    refractory = DenseElementsAttr::get(
        type, ArrayRef<double>(propagator(sys.refractoryGenerator)));
  if (sys.stochastic) {
    noiseAttr = DenseElementsAttr::get(noiseType, ArrayRef<double>(noise));
    if (sys.anyUnless)
      refractoryNoiseAttr = DenseElementsAttr::get(
          noiseType, ArrayRef<double>(noiseFactor(sys.refractoryGenerator,
                                                  sys.refractoryNoiseScale)));
  }
  b.create<PropagateOp>(at.getLoc(), b.getArrayAttr(sys.vars),
                        b.getStringAttr("exact"),
                        DenseElementsAttr::get(type, ArrayRef<double>(matrix)),
                        refractory, noiseAttr, refractoryNoiseAttr);
  return success();
}

/// One row of a population's generator: dx/dt's coefficients of the
/// states and its constant, and the scale of its noise.
struct GeneratorRow {
  enum Status { Exact, Nonlinear, NotAdditive, Reported } status = Exact;
  std::vector<double> row;
  double noise = 0.0;
  Operation *culprit = nullptr; ///< the first op that is not affine
};

/// The generator row of `ode` over `n` states, as `analysis` reads it
/// (refractory or not); a division by a constant 0 is reported.
static GeneratorRow generatorRow(LinearAnalysis &analysis, OdeOp ode,
                                 bool stochastic, size_t n) {
  GeneratorRow result;
  analysis.noise = 0.0;
  FailureOr<Affine> rhs = analysis.analyze(ode.getRhs(), result.culprit);
  if (failed(rhs)) {
    result.status = GeneratorRow::Nonlinear;
    if (analysis.divisionByZero) {
      InFlightDiagnostic d = ode.emitError()
                             << "division by zero in d" << ode.getVar()
                             << "/dt: the divisor is 0 (check the parameter "
                                "values)";
      d.attachNote(result.culprit->getLoc()) << "division here";
      result.status = GeneratorRow::Reported;
    }
    return result;
  }
  // The noise's coefficient, which must not depend on the states.
  if (stochastic) {
    Operation *ignored = nullptr;
    analysis.noise = 1.0;
    FailureOr<Affine> withNoise = analysis.analyze(ode.getRhs(), ignored);
    bool additive = succeeded(withNoise);
    for (size_t j = 0; additive && j < n; ++j)
      additive &= withNoise->coef[j] == rhs->coef[j];
    if (!additive) {
      result.status = GeneratorRow::NotAdditive;
      return result;
    }
    result.noise = withNoise->c - rhs->c;
  }
  result.row.assign(rhs->coef.begin(), rhs->coef.end());
  result.row.push_back(rhs->c);
  return result;
}

/// Replaces `odes` by exact `neuro.propagate`s of `sys` over `dt`, one per
/// independent part: a dense propagator over every state of a population
/// grows with the square of their number, and its exponential with the
/// cube.
static LogicalResult emitPropagates(ArrayRef<OdeOp> odes,
                                    const LinearSystem &sys, double dt) {
  OpBuilder b(odes.front());
  // Past this many coupled states the propagator's n^2 terms cost more to
  // compile (and run) than a numerical method's evaluations.
  constexpr size_t kManyCoupled = 64;
  for (const LinearSystem &part : independentParts(sys)) {
    size_t n = part.vars.size();
    if (n > kManyCoupled)
      OdeOp(odes.front()).emitWarning()
          << n << " coupled states are integrated exactly with a " << n << " x "
          << n << " propagator (" << n * n
          << " multiply-adds per neuron and step), which is slow to "
             "compile; @method(rk4) before the model evaluates their "
             "equations 4 times per step instead";
    if (failed(emitPropagate(b, odes.front(), part, dt)))
      return failure();
  }
  for (OdeOp ode : SmallVector<OdeOp>(odes.begin(), odes.end()))
    ode.erase();
  return success();
}

/// Whether the noise of `ode` is multiplied by (or divided by) something
/// that reads one of `states` (those with an equation): its coefficient
/// changes with the states.
static bool noiseScaledByState(OdeOp ode, const llvm::StringSet<> &states) {
  llvm::DenseSet<Value> noise, state;
  bool scaled = false;
  ode.getRhs().walk([&](Operation *op) {
    auto ref = dyn_cast<RefOp>(op);
    bool n = isa<NoiseOp>(op), s = ref && (ref.getPost() || ref.getPre() ||
                                           states.contains(ref.getName()));
    SmallVector<bool, 2> inNoise, inState;
    for (Value v : op->getOperands()) {
      inNoise.push_back(noise.contains(v));
      inState.push_back(state.contains(v));
      n |= inNoise.back();
      s |= inState.back();
    }
    if (isa<arith::MulFOp>(op))
      scaled |= (inNoise[0] && inState[1]) || (inNoise[1] && inState[0]);
    if (isa<arith::DivFOp>(op))
      scaled |= inNoise[0] && inState[1];
    for (Value r : op->getResults()) {
      if (n)
        noise.insert(r);
      if (s)
        state.insert(r);
    }
  });
  return scaled;
}

LogicalResult integratePopulation(PopulationOp pop, double dt) {
  SmallVector<OdeOp> odes(pop.getBody().getOps<OdeOp>());
  if (odes.empty())
    return success();
  std::optional<StringRef> requested = pop.getMethod();

  OdeOp noisy;
  for (OdeOp ode : odes)
    ode.getRhs().walk([&](NoiseOp) {
      if (!noisy)
        noisy = ode;
    });
  bool stochastic = bool(noisy);
  if (stochastic) {
    // Brian2's euler is Euler-Maruyama where the noise is additive.
    // As Brian2's: the variables with an equation (a state only events
    // change is a coefficient of the noise like a parameter).
    llvm::StringSet<> states;
    for (OdeOp ode : odes)
      states.insert(ode.getVar());
    if (requested && *requested == "euler" &&
        llvm::none_of(
            odes, [&](OdeOp ode) { return noiseScaledByState(ode, states); }))
      requested = "euler_maruyama";
    if (requested && *requested != "euler_maruyama" && *requested != "heun" &&
        *requested != "milstein" && *requested != "exact")
      return noisy.emitError()
             << "equations with noise 'xi' are integrated with "
                "euler_maruyama (Ito), heun or milstein (Stratonovich) or "
                "exactly, not "
             << *requested
             << (*requested == "euler"
                     ? " (euler takes additive noise only, as Brian2's)"
                     : "");
    for (OdeOp ode : odes) {
      Operation *culprit = nullptr;
      if (degreeIn(ode.getRhs(), "", culprit) > 1) {
        InFlightDiagnostic d = ode.emitError()
                               << "the noise must enter d" << ode.getVar()
                               << "/dt linearly, as in f + g * xi";
        if (culprit)
          d.attachNote(culprit->getLoc()) << "nonlinear in xi here";
        return failure();
      }
    }
    if (requested && *requested != "exact")
      return applyNumericalMethod(pop, odes, *requested);
  } else if (requested && *requested != "exact") {
    return applyNumericalMethod(pop, odes, *requested);
  }

  // Try the exact propagator: every state takes part (states without an
  // equation have derivative 0); with noise, it must be additive.
  SmallVector<StateOp> states(pop.getBody().getOps<StateOp>());
  llvm::StringMap<unsigned> index;
  SmallVector<Attribute> vars;
  for (StateOp s : states) {
    index[s.getSymName()] = vars.size();
    vars.push_back(FlatSymbolRefAttr::get(s.getSymNameAttr()));
  }
  size_t n = states.size();
  Matrix generator(n + 1, std::vector<double>(n + 1, 0.0));
  Matrix refractoryGenerator = generator;
  std::vector<double> noiseScale(n, 0.0), refractoryNoiseScale(n, 0.0);
  bool anyUnless = false;
  LinearAnalysis analysis(index, dt);
  for (OdeOp ode : odes) {
    bool readsRefractory = false;
    ode.getRhs().walk([&](NotRefractoryOp nr) {
      readsRefractory |= !nr.getPost() && !nr.getPre();
    });
    unsigned row = index.lookup(ode.getVar());
    // The row of the generator while not refractory, then (when it
    // differs) while refractory.
    for (bool active : {true, false}) {
      if (!active && (ode.getUnlessRefractory() || !readsRefractory))
        break;
      analysis.notRefractory = active;
      GeneratorRow rhs = generatorRow(analysis, ode, stochastic, n);
      if (rhs.status == GeneratorRow::Reported)
        return failure();
      if (rhs.status != GeneratorRow::Exact)
        return integrateInexactly(pop, odes, ode, requested, stochastic,
                                  rhs.status == GeneratorRow::Nonlinear,
                                  rhs.culprit);
      (active ? generator : refractoryGenerator)[row] = rhs.row;
      (active ? noiseScale : refractoryNoiseScale)[row] = rhs.noise;
    }
    if (ode.getUnlessRefractory() || readsRefractory) {
      anyUnless = true;
    } else {
      refractoryGenerator[row] = generator[row];
      refractoryNoiseScale[row] = noiseScale[row];
    }
  }
  LinearSystem sys{vars,
                   generator,
                   refractoryGenerator,
                   noiseScale,
                   refractoryNoiseScale,
                   anyUnless,
                   stochastic};
  return emitPropagates(odes, sys, dt);
}

struct IntegratePass : neuro::impl::IntegrateBase<IntegratePass> {
  void runOnOperation() override {
    for (auto network : getOperation().getOps<NetworkOp>()) {
      double dt = network.getDt().convertToDouble();
      for (auto pop : network.getBody().getOps<PopulationOp>()) {
        if (pop.getModelAttr()) {
          pop.emitOpError("must be elaborated (run neuro-elaborate) before "
                          "integration");
          return signalPassFailure();
        }
        if (failed(integratePopulation(pop, dt)))
          return signalPassFailure();
      }
      for (auto proj : network.getBody().getOps<ProjectionOp>())
        if (failed(integrateProjection(proj, dt)))
          return signalPassFailure();
    }
  }
};

} // namespace
