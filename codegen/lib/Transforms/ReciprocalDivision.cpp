//===- ReciprocalDivision.cpp - x / c as x * (1 / c) ----------------------===//
//
// A division by a compile-time constant becomes a multiplication by the
// constant's reciprocal, rounded to the element type. Step kernels divide
// by unit constants and parameters in every neuron and step (COBAHH's rate
// functions: `/ 1 ms`, `/ 4 mV`, `/ C_m`), and a vector division occupies
// the divider for 8 to 16 cycles where a multiplication takes half of one.
// The product is within one ulp of the quotient (exactly it when c is a
// power of two), the rounding C++ compilers apply under -ffast-math.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"

namespace neuro {
#define GEN_PASS_DEF_RECIPROCALDIVISION
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// The reciprocal of the constant divisor `divisor` as an attribute of
/// `type` (a float or a vector of floats), or null when it is not a
/// constant or its reciprocal is not a normal number (0, infinities, NaN,
/// and constants so small or so large that 1/c overflows or is subnormal).
TypedAttr reciprocalOf(Value divisor, Type type) {
  Attribute value;
  if (!matchPattern(divisor, m_Constant(&value)))
    return {};
  std::optional<APFloat> c;
  if (auto scalar = dyn_cast<FloatAttr>(value))
    c = scalar.getValue();
  else if (auto splat = dyn_cast<SplatElementsAttr>(value))
    c = splat.getSplatValue<APFloat>();
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

struct ReciprocalDivision
    : public neuro::impl::ReciprocalDivisionBase<ReciprocalDivision> {
  void runOnOperation() override {
    SmallVector<arith::DivFOp> divisions;
    getOperation().walk([&](arith::DivFOp op) { divisions.push_back(op); });
    for (arith::DivFOp op : divisions) {
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
