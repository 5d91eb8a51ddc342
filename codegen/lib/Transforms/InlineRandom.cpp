//===- InlineRandom.cpp - Random draws as arith and math ops --------------===//
//
// Replaces calls of the runtime's neuro_rt_uniform and neuro_rt_normal by
// the same computation in arith and math ops: Philox4x32-10 on the draw's
// counter, 53-bit uniforms, and Box-Muller with the log and cos of
// runtime/include/neuro/Runtime/BoxMuller.h, op for op. The numbers are
// the runtime's, bit for bit; inline, the vectorizer draws a vector of
// neurons at once instead of calling the runtime once per lane, and GPU
// kernels need no device functions.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/BoxMuller.h"

namespace neuro {
#define GEN_PASS_DEF_INLINERANDOM
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;
namespace boxmuller = neuro::rt::boxmuller;

namespace {

/// Philox4x32-10 and the runtime's uniform and normal draws
/// (runtime/include/neuro/Runtime/Philox.h, runtime/lib/Random.cpp) in
/// arith and math ops.
class RandomBuilder {
public:
  RandomBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// neuro_rt_uniform(seed, stream, entity, draw) -> f64 in [0, 1).
  Value uniformAt(Value seed, Value stream, Value entity, Value draw) {
    Value block = shr(draw, 1);
    SmallVector<Value, 4> w = philox(seed, stream, entity, block);
    Value odd = b.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ne,
        b.create<arith::AndIOp>(loc, draw, i64(1)), i64(0));
    Value even53 = uniform53(w[0], w[1]);
    Value odd53 = uniform53(w[2], w[3]);
    return b.create<arith::SelectOp>(loc, odd, odd53, even53);
  }

  /// neuro_rt_normal: Box-Muller on draws 2c and 2c + 1, with the log and
  /// cos of runtime/include/neuro/Runtime/BoxMuller.h, op for op.
  Value normalAt(Value seed, Value stream, Value entity, Value counter) {
    // Draws 2c and 2c + 1 are the two halves of Philox block c.
    SmallVector<Value, 4> w = philox(seed, stream, entity, counter);
    Value first = uniform53(w[0], w[1]);
    Value second = uniform53(w[2], w[3]);
    Value u1 = b.create<arith::SubFOp>(loc, f64(1.0), first);
    Value radius = b.create<math::SqrtOp>(
        loc, b.create<arith::MulFOp>(loc, f64(-2.0), log(u1)));
    Value angle = b.create<arith::MulFOp>(loc, f64(boxmuller::kTwoPi), second);
    return b.create<arith::MulFOp>(loc, radius, cos(angle));
  }

private:
  /// boxmuller::log: x normal in (0, 1].
  Value log(Value x) {
    Type i64Type = b.getI64Type(), f64Type = b.getF64Type();
    Value bits = b.create<arith::BitcastOp>(loc, i64Type, x);
    Value e = b.create<arith::SubIOp>(loc, shr(bits, 52), i64(1023));
    Value mbits = b.create<arith::OrIOp>(
        loc, b.create<arith::AndIOp>(loc, bits, i64(0x000FFFFFFFFFFFFFll)),
        i64(0x3FF0000000000000ll));
    Value m = b.create<arith::BitcastOp>(loc, f64Type, mbits);
    Value big = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, m,
                                        f64(boxmuller::kSqrt2));
    m = b.create<arith::SelectOp>(loc, big,
                                  b.create<arith::MulFOp>(loc, m, f64(0.5)), m);
    e = b.create<arith::SelectOp>(loc, big,
                                  b.create<arith::AddIOp>(loc, e, i64(1)), e);
    Value f = b.create<arith::SubFOp>(loc, m, f64(1.0));
    Value s = b.create<arith::DivFOp>(
        loc, f, b.create<arith::AddFOp>(loc, f64(2.0), f));
    Value z = b.create<arith::MulFOp>(loc, s, s);
    Value p = f64(boxmuller::logCoefficient(boxmuller::kLogTerms));
    for (int k = boxmuller::kLogTerms - 1; k >= 1; --k)
      p = b.create<arith::AddFOp>(loc, f64(boxmuller::logCoefficient(k)),
                                  b.create<arith::MulFOp>(loc, z, p));
    Value twoS = b.create<arith::MulFOp>(loc, f64(2.0), s);
    Value logM = b.create<arith::AddFOp>(
        loc, twoS,
        b.create<arith::MulFOp>(loc, twoS, b.create<arith::MulFOp>(loc, z, p)));
    Value de = b.create<arith::SIToFPOp>(loc, f64Type, e);
    Value low = b.create<arith::AddFOp>(
        loc, b.create<arith::MulFOp>(loc, de, f64(boxmuller::kLn2Lo)), logM);
    return b.create<arith::AddFOp>(
        loc, b.create<arith::MulFOp>(loc, de, f64(boxmuller::kLn2Hi)), low);
  }

  /// boxmuller::cos: y in [0, 2 pi).
  Value cos(Value y) {
    Value n = b.create<math::RoundEvenOp>(
        loc, b.create<arith::MulFOp>(loc, y, f64(boxmuller::kTwoOverPi)));
    auto times = [&](double part) {
      return b.create<arith::MulFOp>(loc, n, f64(part)).getResult();
    };
    Value r1 = b.create<arith::SubFOp>(loc, y, times(boxmuller::kPio2_1));
    Value r2 = b.create<arith::SubFOp>(loc, r1, times(boxmuller::kPio2_2));
    Value r = b.create<arith::SubFOp>(loc, r2, times(boxmuller::kPio2_2t));
    Value z = b.create<arith::MulFOp>(loc, r, r);
    Value c = f64(boxmuller::cosCoefficient(boxmuller::kTrigTerms));
    for (int k = boxmuller::kTrigTerms - 1; k >= 2; --k)
      c = b.create<arith::AddFOp>(loc, f64(boxmuller::cosCoefficient(k)),
                                  b.create<arith::MulFOp>(loc, z, c));
    Value zz = b.create<arith::MulFOp>(loc, z, z);
    Value cosR = b.create<arith::SubFOp>(
        loc, f64(1.0),
        b.create<arith::SubFOp>(loc, b.create<arith::MulFOp>(loc, f64(0.5), z),
                                b.create<arith::MulFOp>(loc, zz, c)));
    Value sc = f64(boxmuller::sinCoefficient(boxmuller::kTrigTerms));
    for (int k = boxmuller::kTrigTerms - 1; k >= 1; --k)
      sc = b.create<arith::AddFOp>(loc, f64(boxmuller::sinCoefficient(k)),
                                   b.create<arith::MulFOp>(loc, z, sc));
    Value sinR = b.create<arith::AddFOp>(
        loc, r,
        b.create<arith::MulFOp>(loc, r, b.create<arith::MulFOp>(loc, z, sc)));
    Value q = b.create<arith::AndIOp>(
        loc, b.create<arith::FPToSIOp>(loc, b.getI64Type(), n), i64(3));
    auto is = [&](int64_t v) {
      return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, q, i64(v));
    };
    Value negSin = b.create<arith::NegFOp>(loc, sinR);
    Value negCos = b.create<arith::NegFOp>(loc, cosR);
    Value v = b.create<arith::SelectOp>(loc, is(2), negCos, sinR);
    v = b.create<arith::SelectOp>(loc, is(1), negSin, v);
    return b.create<arith::SelectOp>(loc, is(0), cosR, v);
  }

  SmallVector<Value, 4> philox(Value seed, Value stream, Value entity,
                               Value block) {
    Value k0 = lo(seed), k1 = lo(shr(seed, 32));
    SmallVector<Value, 4> c = {lo(entity), lo(shr(entity, 32)), stream,
                               lo(block)};
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 = b.create<arith::AddIOp>(loc, k0, i32(0x9E3779B9u));
        k1 = b.create<arith::AddIOp>(loc, k1, i32(0xBB67AE85u));
      }
      auto p0 = b.create<arith::MulUIExtendedOp>(loc, i32(0xD2511F53u), c[0]);
      auto p1 = b.create<arith::MulUIExtendedOp>(loc, i32(0xCD9E8D57u), c[2]);
      Value x0 = b.create<arith::XOrIOp>(
          loc, b.create<arith::XOrIOp>(loc, p1.getHigh(), c[1]), k0);
      Value x2 = b.create<arith::XOrIOp>(
          loc, b.create<arith::XOrIOp>(loc, p0.getHigh(), c[3]), k1);
      c = {x0, p1.getLow(), x2, p0.getLow()};
    }
    return c;
  }

  /// The top 53 bits of (hi << 32) | lo as a double in [0, 1).
  Value uniform53(Value hi, Value lo) {
    Value h = b.create<arith::ExtUIOp>(loc, b.getI64Type(), hi);
    Value l = b.create<arith::ExtUIOp>(loc, b.getI64Type(), lo);
    Value bits = b.create<arith::OrIOp>(
        loc, b.create<arith::ShLIOp>(loc, h, i64(32)), l);
    Value top = b.create<arith::UIToFPOp>(loc, b.getF64Type(), shr(bits, 11));
    return b.create<arith::MulFOp>(loc, top, f64(1.0 / 9007199254740992.0));
  }

  Value shr(Value x, int64_t n) {
    return b.create<arith::ShRUIOp>(loc, x, i64(n));
  }
  Value lo(Value x) {
    return b.create<arith::TruncIOp>(loc, b.getI32Type(), x);
  }
  Value i64(int64_t v) {
    return b.create<arith::ConstantIntOp>(loc, b.getI64Type(), v);
  }
  Value i32(uint32_t v) {
    return b.create<arith::ConstantIntOp>(loc, b.getI32Type(),
                                          static_cast<int32_t>(v));
  }
  Value f64(double v) {
    return b.create<arith::ConstantFloatOp>(loc, b.getF64Type(),
                                            llvm::APFloat(v));
  }

  OpBuilder &b;
  Location loc;
};

struct InlineRandom : public neuro::impl::InlineRandomBase<InlineRandom> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (call.getCallee() == "neuro_rt_uniform" ||
          call.getCallee() == "neuro_rt_normal")
        calls.push_back(call);
    });
    for (func::CallOp call : calls) {
      OpBuilder b(call);
      Value draw = buildRandomDraw(b, call.getLoc(), call.getCallee(),
                                   call.getOperands());
      call.getResult(0).replaceAllUsesWith(draw);
      call.erase();
    }
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (fn.isExternal() &&
          (fn.getName() == "neuro_rt_uniform" ||
           fn.getName() == "neuro_rt_normal") &&
          SymbolTable::symbolKnownUseEmpty(fn, module))
        fn.erase();
  }
};

} // namespace

Value neuro::buildRandomDraw(OpBuilder &b, Location loc, StringRef callee,
                             ValueRange args) {
  if (args.size() != 4)
    return nullptr;
  RandomBuilder rng(b, loc);
  if (callee == "neuro_rt_uniform")
    return rng.uniformAt(args[0], args[1], args[2], args[3]);
  if (callee == "neuro_rt_normal")
    return rng.normalAt(args[0], args[1], args[2], args[3]);
  return nullptr;
}
