//===- ExpandMath.cpp - exp and expm1 as arithmetic -----------------------===//
//
// Replaces f64 and f32 `math.exp` and `math.expm1`, scalar or vector, by range
// reduction and a polynomial in arith ops, so that vector loops stay vector
// loops (LLVM would call libm once per lane) and every lane of a vector and
// the scalar loop computing the neurons left over get the same function.
//
//   x = n ln2 + r, n = x / ln2 rounded to an integer by adding 1.5 2^52
//   (its low bits then hold n as an integer), |r| <= ln2 / 2 (Cody-Waite:
//   ln2 in two parts, n ln2_hi exact), expm1(r) = r + r^2 (1/2! + r/3! + ... +
//   r^11/13!) (f32: 7!; truncation below 2^-56 (2^-27) relative; 1/2! + r
//   q' with q' by Estrin's scheme in fused multiply-adds, five deep instead
//   of Horner's eleven: the step kernels that call exp are bound by
//   latency), exp(x) =
//   2^n (1 + expm1(r)) and expm1(x) = 2^n expm1(r) + (2^n - 1), both terms of
//   the same sign. 2^n is applied as two factors so that results that overflow,
//   underflow or are subnormal come out right. NaN in, NaN out.
//
// Errors are within 2 ulp of the exact result over the whole range (checked
// against libm in tests/lit/Driver/math-accuracy.test); MLIR's own lowering
// of expm1 (exp(x) - 1) loses all digits as x -> 0. log1p, which MLIR
// lowers to log(1 + x) by default, becomes x log(u) / (u - 1) with
// u = 1 + x (Goldberg's formula, a few ulp), log computed by libm.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

namespace neuro {
#define GEN_PASS_DEF_EXPANDMATH
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

class Expander {
public:
  Expander(OpBuilder &b, Location loc, Type type)
      : b(b), loc(loc), floatType(type),
        single(getElementTypeOrSelf(type).isF32()),
        intType(intTypeLike(type, single ? 32 : 64)) {}

  Value exp(Value x) {
    Value nan = isNan(x);
    Value xc = single ? clamp(finite(x, nan), -104.0, 88.8)
                      : clamp(finite(x, nan), -746.0, 709.8);
    Value n, ni, p;
    reduce(xc, n, ni, p);
    Value e = add(constant(1.0), p);
    return b.create<arith::SelectOp>(loc, nan, x, scale(e, ni));
  }

  Value expm1(Value x) {
    Value nan = isNan(x);
    Value xc = single ? clamp(finite(x, nan), -30.0, 88.8)
                      : clamp(finite(x, nan), -60.0, 709.8);
    Value n, ni, p;
    reduce(xc, n, ni, p);
    Value t = scale(constant(1.0), ni);
    // One operation per statement: the order of the ops in the IR must not
    // depend on the order in which C++ evaluates arguments.
    Value tm1 = sub(t, constant(1.0));
    Value small = fma(p, t, tm1);
    // Above 2^53 (2^24 in f32) the -1 no longer shows: exp(x) itself.
    Value big = scale(add(constant(1.0), p), ni);
    Value isBig = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, n,
                                          constant(single ? 24.0 : 53.0));
    Value r = b.create<arith::SelectOp>(loc, isBig, big, small);
    return b.create<arith::SelectOp>(loc, nan, x, r);
  }

  /// log1p(x) = x log(u) / (u - 1) with u = 1 + x rounded (the rounding
  /// error of u cancels), x where u == 1, u's log where u is infinite.
  Value log1p(Value x) {
    Value u = add(constant(1.0), x);
    Value logU = b.create<math::LogOp>(loc, u);
    Value num = mul(logU, x);
    Value den = sub(u, constant(1.0));
    Value q = b.create<arith::DivFOp>(loc, num, den);
    Value one = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, u,
                                        constant(1.0));
    Value inf = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, u,
                                        constant(INFINITY));
    Value r = b.create<arith::SelectOp>(loc, inf, logU, q);
    return b.create<arith::SelectOp>(loc, one, x, r);
  }

private:
  static Type intTypeLike(Type t, unsigned bits) {
    Type i = IntegerType::get(t.getContext(), bits);
    if (auto v = dyn_cast<VectorType>(t))
      return v.clone(i);
    return i;
  }

  /// `v` rounded to the float type.
  Value constant(double v) {
    FloatAttr attr = b.getFloatAttr(getElementTypeOrSelf(floatType), v);
    if (auto shaped = dyn_cast<ShapedType>(floatType))
      return b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(shaped, attr.getValue()));
    return b.create<arith::ConstantOp>(loc, attr);
  }
  Value intConstant(int64_t v) {
    IntegerAttr attr = b.getIntegerAttr(getElementTypeOrSelf(intType), v);
    if (auto shaped = dyn_cast<ShapedType>(intType))
      return b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(shaped, attr.getValue()));
    return b.create<arith::ConstantOp>(loc, attr);
  }
  Value add(Value a, Value c) { return b.create<arith::AddFOp>(loc, a, c); }
  Value sub(Value a, Value c) { return b.create<arith::SubFOp>(loc, a, c); }
  Value mul(Value a, Value c) { return b.create<arith::MulFOp>(loc, a, c); }
  Value fma(Value a, Value c, Value d) {
    return b.create<math::FmaOp>(loc, a, c, d);
  }

  Value isNan(Value x) {
    return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
  }
  /// x with NaN replaced by 0, so that no NaN reaches the integer ops.
  Value finite(Value x, Value nan) {
    return b.create<arith::SelectOp>(loc, nan, constant(0.0), x);
  }
  Value clamp(Value x, double lo, double hi) {
    Value l = b.create<arith::MaximumFOp>(loc, x, constant(lo));
    return b.create<arith::MinimumFOp>(loc, l, constant(hi));
  }

  /// x = n ln2 + r; p = expm1(r); n as a float and as an integer.
  void reduce(Value x, Value &n, Value &ni, Value &p) {
    const double log2e = 1.4426950408889634074;
    // n ln2Hi is exact: ln2Hi has 32 significant bits in f64 (16 in f32),
    // n at most 11 (8).
    const double ln2Hi = single
                             ? 0x1.62e4p-1                 // 0.693145751953125
                             : 6.93147180369123816490e-01; // 0x3FE62E42FEE00000
    const double ln2Lo = single ? 1.42860682030941723212e-06
                                : 1.90821492927058770002e-10; // ln2 - ln2Hi
    // n = x log2e rounded to an integer (ties to even) by adding 1.5 2^52
    // (2^23): one FMA, the sum's last bit has weight 1; its low bits are n
    // as an integer. |x log2e| < 1100 after the clamp.
    const double shifter = single ? 0x1.8p23 : 0x1.8p52;
    Value log2eC = constant(log2e);
    Value shifterC = constant(shifter);
    Value shifted = fma(x, log2eC, shifterC);
    n = sub(shifted, shifterC);
    Value bits = b.create<arith::BitcastOp>(loc, intType, shifted);
    Value shifterBits =
        intConstant(single ? int64_t(llvm::bit_cast<uint32_t>(float(shifter)))
                           : llvm::bit_cast<int64_t>(shifter));
    ni = b.create<arith::SubIOp>(loc, bits, shifterBits);
    Value rHi = fma(n, constant(-ln2Hi), x);
    Value r = fma(n, constant(-ln2Lo), rHi);
    // 1/k!, k = 13 (f32: 7) down to 2; the truncation error is below
    // 2^-56 (2^-27) relative.
    static const double inverseFactorials[] = {
        1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
        1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
        1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
        1.0 / 24.0,         1.0 / 6.0,         1.0 / 2.0};
    auto coefficients = llvm::ArrayRef(inverseFactorials);
    if (single)
      coefficients = coefficients.drop_front(6);
    // q = 1/2 + r q' with q' = 1/3! + r/4! + ... by Estrin's scheme: pairs
    // a_2j + a_2j+1 r, then pairs of those in r^2, r^4, ...: five levels
    // of fused multiply-adds deep instead of Horner's eleven. (Estrin over
    // all of q, 1/2 included, was 2.04 ulp off at x = 0.3752234671841635.)
    SmallVector<Value> terms;
    for (double c : llvm::reverse(coefficients.drop_back()))
      terms.push_back(constant(c));
    Value half = constant(coefficients.back());
    Value r2 = mul(r, r);
    Value power = r;
    while (terms.size() > 1) {
      SmallVector<Value> pairs;
      for (size_t j = 0; j + 1 < terms.size(); j += 2)
        pairs.push_back(fma(terms[j + 1], power, terms[j]));
      if (terms.size() % 2)
        pairs.push_back(terms.back());
      terms = std::move(pairs);
      if (terms.size() > 1)
        power = power == r ? r2 : mul(power, power);
    }
    Value q = fma(terms.front(), r, half);
    p = fma(r2, q, r);
  }

  /// v 2^n for an integer n in [-1076, 1024] (f32: [-150, 128]), as two
  /// factors 2^(n/2).
  Value scale(Value v, Value ni) {
    Value n1 = b.create<arith::ShRSIOp>(loc, ni, intConstant(1));
    Value n2 = b.create<arith::SubIOp>(loc, ni, n1);
    auto power = [&](Value k) {
      Value biased =
          b.create<arith::AddIOp>(loc, k, intConstant(single ? 127 : 1023));
      Value bits =
          b.create<arith::ShLIOp>(loc, biased, intConstant(single ? 23 : 52));
      return b.create<arith::BitcastOp>(loc, floatType, bits).getResult();
    };
    Value s1 = power(n1);
    Value s2 = power(n2);
    return mul(mul(v, s1), s2);
  }

  OpBuilder &b;
  Location loc;
  Type floatType;
  bool single;
  Type intType;
};

struct ExpandMath : public neuro::impl::ExpandMathBase<ExpandMath> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<math::ExpOp, math::ExpM1Op, math::Log1pOp>(op) &&
          isa<Float64Type, Float32Type>(
              getElementTypeOrSelf(op->getResult(0).getType())))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Expander e(b, op->getLoc(), op->getResult(0).getType());
      Value x = op->getOperand(0);
      Value r = isa<math::ExpOp>(op)     ? e.exp(x)
                : isa<math::ExpM1Op>(op) ? e.expm1(x)
                                         : e.log1p(x);
      op->getResult(0).replaceAllUsesWith(r);
      op->erase();
    }
  }
};

} // namespace
