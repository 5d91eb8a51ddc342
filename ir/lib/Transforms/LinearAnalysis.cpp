//===- LinearAnalysis.cpp - Affine forms of equation regions -------------===//

#include "LinearAnalysis.h"

#include "neuro/IR/NeuroOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace neuro;
using namespace neuro::linear;

bool LinearAnalysis::isYield(Operation &op) { return isa<YieldOp>(op); }

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
    if (ref.getPost() || ref.getPre() || it == index.end())
      return std::nullopt;
    Affine a = constant(0.0);
    a.coef[it->second] = 1.0;
    return a;
  }
  if (op.getNumResults() != 1)
    return std::nullopt;
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
  // A condition that is constant chooses its branch.
  if (isa<arith::SelectOp>(op)) {
    if (!args[0].isConstant())
      return std::nullopt;
    return args[0].c != 0.0 ? args[1] : args[2];
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
                 ref.getName() == var;
        return var.empty() && isa<NoiseOp>(op);
      },
      culprit);
}
