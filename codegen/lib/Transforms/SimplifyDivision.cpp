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
//    the quotient is rounded to a whole number or compared (`i % 49` would
//    give 49 at i = 49: 49 times the rounded 1/49 is just below 1);
//  - divides by a quotient as one division, a / (b / c) = (a c) / b, also
//    through a select of 1 and the quotient (exprel's value at 0), where
//    nothing else reads the quotient (within two ulp, unless a c overflows
//    or underflows where the quotient did not: magnitudes beyond 1e150).
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

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

/// Whether the quotient `q` is rounded to a whole number or compared
/// (`floor(i / 49)`, `a % b` as a - b floor(a / b), `timestep`, `x / 0.1
/// >= 3`): there a product one ulp off can land on the other side of a
/// whole number or a bound, so the quotient stays IEEE's.
bool quotientIsRoundedOrCompared(Value q) {
  return llvm::any_of(q.getUsers(), [](Operation *user) {
    return isa<math::FloorOp, math::CeilOp, math::TruncOp, math::RoundOp,
               math::RoundEvenOp, arith::FPToSIOp, arith::FPToUIOp,
               arith::CmpFOp>(user);
  });
}

/// a / (b / c) -> (a c) / b, and a / select(k, 1, b / c) -> select(k, a,
/// (a c) / b), where the quotient and the select have no other use.
bool divideByQuotient(arith::DivFOp op) {
  Value divisor = op.getRhs();
  auto select = divisor.getDefiningOp<arith::SelectOp>();
  if (select) {
    std::optional<APFloat> one = constantOf(select.getTrueValue());
    if (!select->hasOneUse() || !one || !one->isExactlyValue(1.0))
      return false;
    divisor = select.getFalseValue();
  }
  auto quotient = divisor.getDefiningOp<arith::DivFOp>();
  if (!quotient || !quotient->hasOneUse())
    return false;
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
  return true;
}

struct SimplifyDivision
    : public neuro::impl::SimplifyDivisionBase<SimplifyDivision> {
  void runOnOperation() override {
    // Divisions by quotients, outermost first: a rewrite erases the
    // quotient, which was collected after the division that reads it.
    SmallVector<arith::DivFOp> divisions;
    getOperation().walk([&](arith::DivFOp op) { divisions.push_back(op); });
    llvm::DenseSet<Operation *> erased;
    for (arith::DivFOp op : llvm::reverse(divisions)) {
      if (erased.contains(op))
        continue;
      Value divisor = op.getRhs();
      if (auto select = divisor.getDefiningOp<arith::SelectOp>())
        divisor = select.getFalseValue();
      Operation *quotient = divisor.getDefiningOp<arith::DivFOp>();
      if (divideByQuotient(op))
        erased.insert(quotient);
    }
    // Then divisions by constants, the new ones included.
    divisions.clear();
    getOperation().walk([&](arith::DivFOp op) { divisions.push_back(op); });
    for (arith::DivFOp op : divisions) {
      if (quotientIsRoundedOrCompared(op.getResult()))
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
