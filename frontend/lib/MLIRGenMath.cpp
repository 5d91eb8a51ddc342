//===- MLIRGenMath.cpp - Built-in functions and powers as arith/math ------===//

#include "MLIRGenInternal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace neuro;
using mlir::Value;

namespace {

Value constant(mlir::OpBuilder &builder, mlir::Location l, double v) {
  return builder.create<mlir::arith::ConstantOp>(l, builder.getF64FloatAttr(v));
}

} // namespace

std::optional<int> mlirgen::integerExponent(const Expr &e) {
  bool negated = e.kind == Expr::Kind::Unary && e.op == "-";
  const Expr &lit = negated ? *e.args[0] : e;
  if (lit.kind != Expr::Kind::Number || !lit.unit.empty() ||
      lit.value != std::floor(lit.value) || lit.value > 16)
    return std::nullopt;
  int n = static_cast<int>(lit.value);
  return negated ? -n : n;
}

Value mlirgen::genIntegerPower(mlir::OpBuilder &builder, mlir::Location l,
                               Value x, int n) {
  if (n == 0)
    return constant(builder, l, 1.0);
  Value result = x;
  for (int k = 1; k < std::abs(n); ++k)
    result = builder.create<mlir::arith::MulFOp>(l, result, x);
  if (n < 0)
    result = builder.create<mlir::arith::DivFOp>(l, constant(builder, l, 1.0),
                                                 result);
  return result;
}

Value mlirgen::genBuiltinCall(mlir::OpBuilder &builder, mlir::Location l,
                              const std::string &f,
                              const std::vector<Value> &a) {
  namespace math = mlir::math;
  namespace arith = mlir::arith;
  if (f == "exp")
    return builder.create<math::ExpOp>(l, a[0]);
  if (f == "log")
    return builder.create<math::LogOp>(l, a[0]);
  if (f == "log10")
    return builder.create<math::Log10Op>(l, a[0]);
  if (f == "sin")
    return builder.create<math::SinOp>(l, a[0]);
  if (f == "cos")
    return builder.create<math::CosOp>(l, a[0]);
  if (f == "arcsin")
    return builder.create<math::AsinOp>(l, a[0]);
  if (f == "arccos")
    return builder.create<math::AcosOp>(l, a[0]);
  if (f == "arctan")
    return builder.create<math::AtanOp>(l, a[0]);
  if (f == "int") {
    // A truth value is 0 or 1; a number goes toward zero.
    if (a[0].getType().isInteger(1))
      return builder.create<arith::UIToFPOp>(l, builder.getF64Type(), a[0]);
    return builder.create<math::TruncOp>(l, a[0]);
  }
  if (f == "sign") {
    // 1 above zero, -1 below; zeros and NaN as they are.
    Value zero = constant(builder, l, 0.0);
    Value pos =
        builder.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], zero);
    Value neg =
        builder.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, a[0], zero);
    Value lower = builder.create<arith::SelectOp>(
        l, neg, constant(builder, l, -1.0), a[0]);
    return builder.create<arith::SelectOp>(l, pos, constant(builder, l, 1.0),
                                           lower);
  }
  if (f == "tan")
    return builder.create<math::TanOp>(l, a[0]);
  if (f == "tanh")
    return builder.create<math::TanhOp>(l, a[0]);
  if (f == "sinh")
    return builder.create<math::SinhOp>(l, a[0]);
  if (f == "cosh")
    return builder.create<math::CoshOp>(l, a[0]);
  if (f == "expm1")
    return builder.create<math::ExpM1Op>(l, a[0]);
  if (f == "log1p")
    return builder.create<math::Log1pOp>(l, a[0]);
  if (f == "exprel") {
    // (e^x - 1) / x, 1 at x = 0.
    Value e = builder.create<math::ExpM1Op>(l, a[0]);
    Value q = builder.create<arith::DivFOp>(l, e, a[0]);
    Value isZero = builder.create<arith::CmpFOp>(
        l, arith::CmpFPredicate::OEQ, a[0], constant(builder, l, 0.0));
    return builder.create<arith::SelectOp>(l, isZero, constant(builder, l, 1.0),
                                           q);
  }
  if (f == "sqrt")
    return builder.create<math::SqrtOp>(l, a[0]);
  if (f == "abs")
    return builder.create<math::AbsFOp>(l, a[0]);
  if (f == "floor")
    return builder.create<math::FloorOp>(l, a[0]);
  if (f == "ceil")
    return builder.create<math::CeilOp>(l, a[0]);
  if (f == "pow")
    return builder.create<math::PowFOp>(l, a[0], a[1]);
  if (f == "timestep") {
    // Brian2's: int((t + 1e-3 dt) / dt), toward zero.
    Value shift =
        builder.create<arith::MulFOp>(l, constant(builder, l, 1e-3), a[1]);
    Value t = builder.create<arith::AddFOp>(l, a[0], shift);
    Value q = builder.create<arith::DivFOp>(l, t, a[1]);
    return builder.create<math::TruncOp>(l, q);
  }
  if (f == "min")
    return builder.create<arith::MinimumFOp>(l, a[0], a[1]);
  if (f == "max")
    return builder.create<arith::MaximumFOp>(l, a[0], a[1]);
  if (f == "clip" && a.size() == 3) {
    Value lo = builder.create<arith::MaximumFOp>(l, a[0], a[1]);
    return builder.create<arith::MinimumFOp>(l, lo, a[2]);
  }
  // Sema admits only the functions above.
  llvm::report_fatal_error(llvm::Twine("MLIRGen: unhandled function '") + f +
                           "'");
}
