//===- SimplifyDivision.cpp - Fewer divisions in the kernels --------------===//
//
// Step kernels divide in every neuron and step: by unit constants and
// parameters compiled in (COBAHH's rate functions: `/ 1 ms`, `/ 4 mV`,
// `/ C_m`) and by quotients (`4 / exprel(x)`, exprel being expm1(x) / x).
// A vector division occupies the divider for 8 to 16 cycles where a
// multiplication takes half of one, and its latency lies on the neuron's
// chain. This pass
//  - multiplies by the reciprocal of a constant divisor, rounded to the
//    element type (within one ulp of the quotient, equal to it for powers
//    of two: the rounding C++ compilers apply under -ffast-math), unless
//    the quotient reaches a rounding to a whole number or a comparison
//    (`i % 49` would give 49 at i = 49: 49 times the rounded 1/49 is just
//    below 1);
//  - divides by a quotient as one division, a / (b / c) = (a c) / b, also
//    through a select of 1 and the quotient (exprel's value at 0), where
//    nothing else reads the quotient (within two ulp, unless a c overflows
//    or underflows where the quotient did not: magnitudes beyond 1e150).
// Only in the kernels that run in every step (and the sample kernel, which
// computes what they compute): those that run once gain nothing, and the
// runtime rounds some of their results where the pass cannot see (delays
// to steps).
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"

namespace neuro {
#define GEN_PASS_DEF_SIMPLIFYDIVISION
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// The value of `v` when it is a float constant or a splat vector of one.
std::optional<APFloat> constantOf(Value v) {
  Attribute value;
  if (!matchPattern(v, m_Constant(&value)))
    return std::nullopt;
  if (auto scalar = dyn_cast<FloatAttr>(value))
    return scalar.getValue();
  if (auto splat = dyn_cast<SplatElementsAttr>(value))
    return splat.getSplatValue<APFloat>();
  return std::nullopt;
}

/// The reciprocal of the constant divisor `divisor` as an attribute of
/// `type` (a float or a vector of floats), or null when it is not a
/// constant or its reciprocal is not a normal number (0, infinities, NaN,
/// and constants so small or so large that 1/c overflows or is subnormal).
TypedAttr reciprocalOf(Value divisor, Type type) {
  std::optional<APFloat> c = constantOf(divisor);
  if (!c || !c->isNormal())
    return {};
  APFloat r(c->getSemantics(), 1);
  APFloat::opStatus status = r.divide(*c, APFloat::rmNearestTiesToEven);
  if ((status & (APFloat::opOverflow | APFloat::opUnderflow)) || !r.isNormal())
    return {};
  auto element = FloatAttr::get(getElementTypeOrSelf(type), r);
  if (auto vector = dyn_cast<VectorType>(type))
    return SplatElementsAttr::get(vector, element);
  return element;
}

/// Whether `v` is the constant 0 (or a splat of it).
bool isZero(Value v) {
  std::optional<APFloat> c = constantOf(v);
  return c && c->isZero();
}

/// The divisions of `fn` whose quotient reaches, through float arithmetic,
/// a rounding to a whole number (floor, ceil, trunc, round, a conversion
/// to an integer: `i % 49`, `floor(2 * (i / 49))`, `(t / dt) % 10`) or a
/// comparison with a value other than 0 (`x / 0.1 >= 3`): there a result
/// one ulp off can land on the other side of a whole number or a bound.
/// The walk stops at values stored into rows (a spike condition on the
/// new `v` leaves v's equation alone: its result is what the step
/// computed, bound included) and at anything but float arithmetic. A
/// comparison with 0 is safe: a product by a normal reciprocal is 0, or
/// negative, exactly when the quotient is.
llvm::DenseSet<Operation *> roundedOrCompared(func::FuncOp fn) {
  llvm::DenseSet<Value> stored;
  SmallVector<Value> work;
  fn.walk([&](Operation *op) {
    if (auto store = dyn_cast<memref::StoreOp>(op))
      stored.insert(store.getValue());
    else if (auto store = dyn_cast<vector::StoreOp>(op))
      stored.insert(store.getValueToStore());
    else if (isa<math::FloorOp, math::CeilOp, math::TruncOp, math::RoundOp,
                 math::RoundEvenOp, arith::FPToSIOp, arith::FPToUIOp>(op))
      work.push_back(op->getOperand(0));
    else if (auto cmp = dyn_cast<arith::CmpFOp>(op);
             cmp && !isZero(cmp.getLhs()) && !isZero(cmp.getRhs()))
      work.append({cmp.getLhs(), cmp.getRhs()});
  });
  llvm::DenseSet<Operation *> kept;
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second || stored.contains(v))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def ||
        !isa<arith::DivFOp, arith::MulFOp, arith::AddFOp, arith::SubFOp,
             arith::NegFOp, arith::RemFOp, arith::SelectOp, arith::MinimumFOp,
             arith::MaximumFOp, arith::MinNumFOp, arith::MaxNumFOp,
             math::AbsFOp, math::FmaOp, math::FloorOp, math::CeilOp,
             math::TruncOp, math::RoundOp, math::RoundEvenOp>(def))
      continue;
    if (isa<arith::DivFOp>(def))
      kept.insert(def);
    for (Value operand : def->getOperands())
      if (isa<FloatType>(getElementTypeOrSelf(operand.getType())))
        work.push_back(operand);
  }
  return kept;
}

/// a / (b / c) -> (a c) / b, and a / select(k, 1, b / c) -> select(k, a,
/// (a c) / b), where the quotient and the select have no other use. The
/// quotient b / c, erased with `op`, or null where nothing was rewritten.
Operation *divideByQuotient(arith::DivFOp op) {
  Value divisor = op.getRhs();
  auto select = divisor.getDefiningOp<arith::SelectOp>();
  if (select) {
    std::optional<APFloat> one = constantOf(select.getTrueValue());
    if (!select->hasOneUse() || !one || !one->isExactlyValue(1.0))
      return nullptr;
    divisor = select.getFalseValue();
  }
  auto quotient = divisor.getDefiningOp<arith::DivFOp>();
  if (!quotient || !quotient->hasOneUse())
    return nullptr;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value product = b.create<arith::MulFOp>(loc, op.getLhs(), quotient.getRhs());
  Value result = b.create<arith::DivFOp>(loc, product, quotient.getLhs());
  if (select)
    result = b.create<arith::SelectOp>(loc, select.getCondition(), op.getLhs(),
                                       result);
  op.replaceAllUsesWith(result);
  op.erase();
  if (select)
    select.erase();
  quotient.erase();
  return quotient;
}

struct SimplifyDivision
    : public neuro::impl::SimplifyDivisionBase<SimplifyDivision> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp fn) {
      // Kernels that run once (initial values, connections, `where`,
      // delays the runtime rounds to steps, derived parameters) gain
      // nothing and keep IEEE's divisions.
      if (KernelAttr kernel = getKernelAttr(fn);
          kernel && !kernel.takesStepRows())
        return;
      simplify(fn);
    });
  }

  void simplify(func::FuncOp fn) {
    llvm::DenseSet<Operation *> kept = roundedOrCompared(fn);
    // Divisions by quotients, outermost first: a rewrite erases the
    // quotient, which was collected after the division that reads it.
    SmallVector<arith::DivFOp> divisions;
    fn.walk([&](arith::DivFOp op) { divisions.push_back(op); });
    llvm::DenseSet<Operation *> erased;
    for (arith::DivFOp op : llvm::reverse(divisions)) {
      if (!erased.contains(op) && !kept.contains(op))
        if (Operation *quotient = divideByQuotient(op))
          erased.insert(quotient);
    }
    // Then divisions by constants, the new ones included.
    divisions.clear();
    fn.walk([&](arith::DivFOp op) { divisions.push_back(op); });
    for (arith::DivFOp op : divisions) {
      if (kept.contains(op))
        continue;
      TypedAttr reciprocal = reciprocalOf(op.getRhs(), op.getType());
      if (!reciprocal)
        continue;
      OpBuilder b(op);
      Value r = b.create<arith::ConstantOp>(op.getLoc(), reciprocal);
      op.replaceAllUsesWith(
          b.create<arith::MulFOp>(op.getLoc(), op.getLhs(), r).getResult());
      op.erase();
    }
  }
};

} // namespace
