//===- LinearAnalysis.cpp - Affine forms of equation regions -------------===//

#include "LinearAnalysis.h"

#include "neuro/IR/NeuroOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <functional>

using namespace mlir;
using namespace neuro;
using namespace neuro::linear;

bool LinearAnalysis::isYield(Operation &op) { return isa<YieldOp>(op); }

FailureOr<Affine> LinearAnalysis::analyze(Region &region, Operation *&culprit) {
  values.clear();
  failedAt.clear();
  dividedByZero.clear();
  for (Operation &op : region.front()) {
    if (isYield(op)) {
      Value result = op.getOperand(0);
      if (auto it = values.find(result); it != values.end()) {
        divisionByZero = false;
        return it->second;
      }
      divisionByZero = dividedByZero.contains(result);
      culprit = failedAt.lookup(result);
      if (!culprit)
        culprit = &op;
      return failure();
    }
    // An op that is not affine fails only the values that need it (a
    // select on a constant condition needs one branch): each failed value
    // keeps the op it failed at first, and whether a division by a
    // constant zero is why.
    divisionByZero = false;
    std::optional<Affine> result = visit(op);
    if (result) {
      values[op.getResult(0)] = *result;
      continue;
    }
    if (op.getNumResults() != 1)
      continue;
    Operation *at = &op;
    bool zero = divisionByZero;
    // A select on a constant condition fails as its chosen branch does.
    SmallVector<Value> operands(op.getOperands());
    if (isa<arith::SelectOp>(op))
      if (auto cond = values.find(op.getOperand(0));
          cond != values.end() && cond->second.isConstant())
        operands = {op.getOperand(cond->second.c != 0.0 ? 1 : 2)};
    for (Value v : operands)
      if (Operation *before = failedAt.lookup(v)) {
        at = before;
        zero = dividedByZero.contains(v);
        break;
      }
    failedAt[op.getResult(0)] = at;
    if (zero)
      dividedByZero.insert(op.getResult(0));
  }
  culprit = region.getParentOp();
  divisionByZero = false;
  return failure();
}

std::optional<Affine> LinearAnalysis::visit(Operation &op) {
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    if (auto f = dyn_cast<FloatAttr>(c.getValue()))
      return constant(f.getValueAsDouble());
    if (auto b = dyn_cast<BoolAttr>(c.getValue()))
      return constant(b.getValue() ? 1.0 : 0.0);
    return std::nullopt;
  }
  // The neuron's own refractoriness is a constant of each of the two
  // propagators (Brian2's linear integration treats not_refractory so).
  if (auto nr = dyn_cast<NotRefractoryOp>(op)) {
    if (nr.getPost() || nr.getPre() || !notRefractory)
      return std::nullopt;
    return constant(*notRefractory ? 1.0 : 0.0);
  }
  if (isa<TimeStepOp>(op))
    return constant(dt);
  if (isa<NoiseOp>(op)) {
    if (!noise)
      return std::nullopt;
    return constant(*noise);
  }
  if (auto ref = dyn_cast<RefOp>(op)) {
    auto it = index.find(ref.getName());
    if (ref.getPost() || ref.getPre() || ref.getFrozen() || it == index.end())
      return std::nullopt;
    Affine a = constant(0.0);
    a.coef[it->second] = 1.0;
    return a;
  }
  if (op.getNumResults() != 1)
    return std::nullopt;
  // A constant condition chooses its branch; the other may not be affine.
  if (isa<arith::SelectOp>(op)) {
    auto cond = values.find(op.getOperand(0));
    if (cond == values.end() || !cond->second.isConstant())
      return std::nullopt;
    auto chosen = values.find(op.getOperand(cond->second.c != 0.0 ? 1 : 2));
    if (chosen == values.end())
      return std::nullopt;
    return chosen->second;
  }
  SmallVector<Affine, 2> args;
  for (Value v : op.getOperands()) {
    auto it = values.find(v);
    if (it == values.end())
      return std::nullopt;
    args.push_back(it->second);
  }
  auto combine = [&](double sa, double sb) {
    Affine r = constant(sa * args[0].c + sb * args[1].c);
    for (size_t i = 0; i < r.coef.size(); ++i)
      r.coef[i] = sa * args[0].coef[i] + sb * args[1].coef[i];
    return r;
  };
  auto scaled = [&](const Affine &x, double s) {
    Affine r = x;
    r.c *= s;
    for (double &v : r.coef)
      v *= s;
    return r;
  };
  if (isa<arith::AddFOp>(op))
    return combine(1.0, 1.0);
  if (isa<arith::SubFOp>(op))
    return combine(1.0, -1.0);
  if (isa<arith::NegFOp>(op))
    return scaled(args[0], -1.0);
  if (isa<arith::MulFOp>(op)) {
    if (args[0].isConstant())
      return scaled(args[1], args[0].c);
    if (args[1].isConstant())
      return scaled(args[0], args[1].c);
    return std::nullopt;
  }
  if (isa<arith::DivFOp>(op)) {
    if (!args[1].isConstant())
      return std::nullopt;
    if (args[1].c == 0.0) {
      divisionByZero = true;
      return std::nullopt;
    }
    return scaled(args[0], 1.0 / args[1].c);
  }
  // Functions of constants fold; of states they are nonlinear.
  for (const Affine &a : args)
    if (!a.isConstant())
      return std::nullopt;
  double x = args.empty() ? 0.0 : args[0].c;
  if (auto cmp = dyn_cast<arith::CmpFOp>(op))
    return constant(arith::applyCmpPredicate(cmp.getPredicate(),
                                             llvm::APFloat(x),
                                             llvm::APFloat(args[1].c))
                        ? 1.0
                        : 0.0);
  if (isa<arith::AndIOp>(op))
    return constant(x != 0.0 && args[1].c != 0.0 ? 1.0 : 0.0);
  if (isa<arith::OrIOp>(op))
    return constant(x != 0.0 || args[1].c != 0.0 ? 1.0 : 0.0);
  if (isa<arith::XOrIOp>(op))
    return constant((x != 0.0) != (args[1].c != 0.0) ? 1.0 : 0.0);
  if (isa<math::ExpOp>(op))
    return constant(std::exp(x));
  if (isa<math::LogOp>(op))
    return constant(std::log(x));
  if (isa<math::SqrtOp>(op))
    return constant(std::sqrt(x));
  if (isa<math::PowFOp>(op))
    return constant(std::pow(x, args[1].c));
  if (isa<math::AbsFOp>(op))
    return constant(std::abs(x));
  // int() of a truth value (`int(not_refractory)`) and of a number.
  if (isa<arith::UIToFPOp>(op))
    return constant(x);
  if (isa<math::TruncOp>(op))
    return constant(std::trunc(x));
  if (isa<math::FloorOp>(op))
    return constant(std::floor(x));
  if (isa<math::CeilOp>(op))
    return constant(std::ceil(x));
  if (isa<math::TanhOp>(op))
    return constant(std::tanh(x));
  if (isa<math::SinOp>(op))
    return constant(std::sin(x));
  if (isa<math::CosOp>(op))
    return constant(std::cos(x));
  if (isa<math::TanOp>(op))
    return constant(std::tan(x));
  if (isa<math::AsinOp>(op))
    return constant(std::asin(x));
  if (isa<math::AcosOp>(op))
    return constant(std::acos(x));
  if (isa<math::AtanOp>(op))
    return constant(std::atan(x));
  if (isa<math::SinhOp>(op))
    return constant(std::sinh(x));
  if (isa<math::CoshOp>(op))
    return constant(std::cosh(x));
  if (isa<math::Log10Op>(op))
    return constant(std::log10(x));
  if (isa<math::ExpM1Op>(op))
    return constant(std::expm1(x));
  if (isa<math::Log1pOp>(op))
    return constant(std::log1p(x));
  if (isa<arith::MinimumFOp>(op))
    return constant(std::min(x, args[1].c));
  if (isa<arith::MaximumFOp>(op))
    return constant(std::max(x, args[1].c));
  return std::nullopt;
}

unsigned
neuro::linear::regionDegree(Region &region,
                            llvm::function_ref<unsigned(Operation &)> leaf,
                            Operation *&culprit) {
  llvm::DenseMap<Value, unsigned> degree;
  for (Operation &op : region.front()) {
    if (auto yield = dyn_cast<YieldOp>(op))
      return degree.lookup(yield.getValues()[0]);
    unsigned d = 0;
    if (op.getNumOperands() == 0) {
      d = leaf(op);
    } else {
      SmallVector<unsigned, 2> in;
      for (Value v : op.getOperands())
        in.push_back(degree.lookup(v));
      unsigned maxIn = 0;
      for (unsigned x : in)
        maxIn = std::max(maxIn, x);
      if (isa<arith::AddFOp, arith::SubFOp, arith::NegFOp>(op))
        d = maxIn;
      else if (isa<arith::MulFOp>(op))
        d = std::min(2u, in[0] + in[1]);
      else if (isa<arith::DivFOp>(op))
        d = in[1] == 0 ? in[0] : 2;
      else
        d = maxIn == 0 ? 0 : 2;
    }
    if (d > 1 && !culprit)
      culprit = &op;
    for (Value r : op.getResults())
      degree[r] = d;
  }
  return 2;
}

unsigned neuro::linear::degreeIn(Region &region, StringRef var,
                                 Operation *&culprit) {
  return regionDegree(
      region,
      [&](Operation &op) -> unsigned {
        if (auto ref = dyn_cast<RefOp>(op))
          return !var.empty() && !ref.getPost() && !ref.getPre() &&
                 !ref.getFrozen() && ref.getName() == var;
        return var.empty() && isa<NoiseOp>(op);
      },
      culprit);
}

/// Whether operand `i` of `op` is read as a polynomial in the equation's
/// state, `times` times (a power's exponent): the terms of a sum,
/// difference, negation or product, a dividend, the base of a power by a
/// constant natural number, the branches of a choice (c a + (1 - c) b).
/// The others (functions' arguments, divisors, conditions) are
/// coefficients.
static bool polynomialOperand(Operation &op, unsigned i, unsigned &times) {
  times = 1;
  if (isa<arith::AddFOp, arith::SubFOp, arith::NegFOp, arith::MulFOp>(op))
    return true;
  if (isa<arith::SelectOp>(op))
    return i > 0;
  if (isa<arith::DivFOp>(op))
    return i == 0;
  auto pow = dyn_cast<math::PowFOp>(op);
  FloatAttr exponent;
  if (!pow || i != 0 || !matchPattern(pow.getRhs(), m_Constant(&exponent)))
    return false;
  double n = exponent.getValueAsDouble();
  if (!(n >= 0 && n <= 64 && n == std::floor(n)))
    return false;
  times = unsigned(n);
  return true;
}

LogicalResult neuro::linear::freezeCoefficients(Region &region, StringRef var,
                                                Operation *&culprit) {
  Block &block = region.front();
  auto isVar = [&](Operation &op) {
    auto ref = dyn_cast<RefOp>(op);
    return ref && !ref.getPost() && !ref.getPre() && !ref.getFrozen() &&
           ref.getName() == var;
  };
  // The degree of each value in the reads of `var` outside coefficients
  // (0, 1, 2: more), and the values that read `var` at all.
  llvm::DenseMap<Value, unsigned> degree;
  llvm::DenseSet<Value> reads;
  SmallVector<OpOperand *> coefficients;
  unsigned result = 2;
  for (Operation &op : block) {
    if (auto yield = dyn_cast<YieldOp>(op)) {
      result = degree.lookup(yield.getValues()[0]);
      break;
    }
    unsigned d = isVar(op) ? 1 : 0, sum = 0, most = 0;
    bool read = isVar(op);
    for (OpOperand &use : op.getOpOperands()) {
      unsigned times = 1;
      bool inRead = reads.contains(use.get());
      read |= inRead;
      if (!polynomialOperand(op, use.getOperandNumber(), times)) {
        if (inRead)
          coefficients.push_back(&use);
        continue;
      }
      unsigned in = std::min(2u, degree.lookup(use.get()) * times);
      sum = std::min(2u, sum + in);
      most = std::max(most, in);
    }
    if (!isVar(op))
      d = isa<arith::MulFOp>(op) ? sum : most;
    if (d > 1 && !culprit)
      culprit = &op;
    for (Value r : op.getResults()) {
      degree[r] = d;
      if (read)
        reads.insert(r);
    }
  }
  if (result > 1)
    return failure();
  // Each coefficient reads a copy of what it reads whose reads of `var`
  // are frozen, next to the original.
  llvm::DenseMap<Value, Value> frozen;
  std::function<Value(Value)> freeze = [&](Value v) -> Value {
    if (!reads.contains(v))
      return v;
    if (Value f = frozen.lookup(v))
      return f;
    Operation *def = v.getDefiningOp();
    IRMapping mapping;
    for (Value in : def->getOperands())
      mapping.map(in, freeze(in));
    OpBuilder b(def->getContext());
    b.setInsertionPointAfter(def);
    Operation *copy = b.clone(*def, mapping);
    if (auto ref = dyn_cast<RefOp>(copy))
      ref.setFrozen(true);
    for (auto [from, to] : llvm::zip(def->getResults(), copy->getResults()))
      frozen[from] = to;
    return frozen.lookup(v);
  };
  for (OpOperand *use : coefficients)
    use->set(freeze(use->get()));
  // What only the frozen copies read now.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (isOpTriviallyDead(&op))
      op.erase();
  return success();
}

LogicalResult neuro::linear::exponentialEulerForm(OdeOp ode) {
  Operation *culprit = nullptr;
  if (succeeded(freezeCoefficients(ode.getRhs(), ode.getVar(), culprit)))
    return success();
  InFlightDiagnostic d = ode.emitError()
                         << "exponential Euler needs d" << ode.getVar()
                         << "/dt to be linear in " << ode.getVar()
                         << " (its coefficients may depend on other states, "
                            "and on "
                         << ode.getVar() << " inside functions)";
  if (culprit)
    d.attachNote(culprit->getLoc()) << "nonlinear term here";
  return failure();
}
