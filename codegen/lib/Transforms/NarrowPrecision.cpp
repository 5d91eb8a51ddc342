//===- NarrowPrecision.cpp - float32 state and arithmetic in step kernels -===//
//
// `--precision=single`: the kernels that run every step (their
// #neuro.kernel is step, reset, deliver, deliver_post or update; functions
// without one are left alone) keep their population and synapse state in
// float32 rows (their memref<?x?xf64> arguments become memref<?x?xf32>) and
// compute in float32: every f64 value, scalar or vector, becomes f32, and
// f64 constants are rounded to the nearest f32.
//
// Other memory keeps its element type: the modulators (`mods`) and the
// scratch buffers of exact propagators stay f64, so a load from them is
// followed by arith.truncf and a store into them is preceded by arith.extf.
// Calls keep their callees' types the same way (the runtime's random
// draws return f64, rounded to f32 here; a uniform draw that would round
// up to 1 is clamped to the largest f32 below 1, so [0, 1) stays [0, 1)).
// The kernels that run once (init, connect, synapse init) stay f64: they
// write the runtime's f64 copy of the state, which is rounded to f32
// before the first step.
//
// The module gets the unit attribute `neuro.single_precision`, from which
// the runtime learns the element type of the rows it passes.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace neuro {
#define GEN_PASS_DEF_NARROWPRECISION
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// `t` with f64 replaced by f32 (scalars, vectors, memrefs); null when `t`
/// holds no f64.
Type narrowed(Type t) {
  auto f32 = Float32Type::get(t.getContext());
  if (t.isF64())
    return f32;
  if (auto v = dyn_cast<VectorType>(t))
    return v.getElementType().isF64() ? v.clone(f32) : Type();
  if (auto m = dyn_cast<MemRefType>(t))
    return m.getElementType().isF64() ? m.clone(f32) : Type();
  return Type();
}

/// Whether `fn` is a kernel that runs in every step (#neuro.kernel).
bool isPerStepKernel(func::FuncOp fn) {
  KernelAttr kernel = getKernelAttr(fn);
  return !fn.isExternal() && kernel && kernel.runsEveryStep();
}

/// Whether values loaded from `memref` are narrowed: the 2-D state rows
/// of the kernel's arguments, narrowed with the signature.
bool holdsF32(Value memref) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  return type && type.getElementType().isF32();
}

class Narrower {
public:
  explicit Narrower(func::FuncOp fn) : fn(fn) {}

  LogicalResult run() {
    Block &entry = fn.getBody().front();
    OpBuilder b(fn.getContext());
    // The signature: 2-D f64 rows become f32; other f64 arguments keep
    // their type and are rounded once at the entry.
    SmallVector<Type> inputs;
    b.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      auto memref = dyn_cast<MemRefType>(arg.getType());
      if (memref && memref.getRank() == 2 && memref.getElementType().isF64())
        arg.setType(narrowed(memref));
      else if (arg.getType().isF64() || isa<VectorType>(arg.getType()))
        if (Type n = narrowed(arg.getType()))
          roundAfter(b, arg, n);
      inputs.push_back(arg.getType());
    }
    fn.setType(FunctionType::get(fn.getContext(), inputs, fn.getResultTypes()));
    if (llvm::any_of(fn.getResultTypes(), [](Type t) { return narrowed(t); }))
      return fn.emitError("a per-step kernel returning floats cannot be "
                          "narrowed to single precision");

    SmallVector<Operation *> ops;
    fn.getBody().walk<WalkOrder::PreOrder>(
        [&](Operation *op) { ops.push_back(op); });
    for (Operation *op : ops)
      if (failed(visit(op)))
        return failure();
    return success();
  }

private:
  /// Replaces the uses of `v` (f64) after its definition by its rounding
  /// to `type`.
  void roundAfter(OpBuilder &b, Value v, Type type) {
    auto t = b.create<arith::TruncFOp>(v.getLoc(), type, v);
    v.replaceAllUsesExcept(t, t);
  }

  LogicalResult visit(Operation *op) {
    OpBuilder b(op);
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      Type n = narrowed(c.getType());
      if (!n)
        return success();
      TypedAttr value;
      if (auto f = dyn_cast<FloatAttr>(c.getValue()))
        value = b.getFloatAttr(n, f.getValueAsDouble());
      else if (auto d = dyn_cast<DenseFPElementsAttr>(c.getValue()))
        value = cast<TypedAttr>(d.mapValues(
            cast<ShapedType>(n).getElementType(), [](const APFloat &x) {
              bool lost;
              APFloat y = x;
              y.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                        &lost);
              return y.bitcastToAPInt();
            }));
      if (!value)
        return op->emitError("cannot narrow this constant");
      auto narrow = b.create<arith::ConstantOp>(c.getLoc(), n, value);
      c.replaceAllUsesWith(narrow.getResult());
      c.erase();
      return success();
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      // Arguments as the callee takes them, results rounded.
      for (OpOperand &arg : call->getOpOperands())
        if (arg.get().getType().isF32())
          arg.set(b.create<arith::ExtFOp>(call.getLoc(), b.getF64Type(),
                                          arg.get()));
      b.setInsertionPointAfter(call);
      for (Value r : call.getResults())
        if (Type n = narrowed(r.getType())) {
          auto t = b.create<arith::TruncFOp>(call.getLoc(), n, r);
          Value rounded = t;
          if (call.getCallee() == "neuro_rt_uniform") {
            // Just below 1: the largest float32 less than 1.
            Value below = b.create<arith::ConstantOp>(
                call.getLoc(), b.getF32FloatAttr(0x1.fffffep-1f));
            rounded = b.create<arith::MinimumFOp>(call.getLoc(), t, below);
          }
          r.replaceAllUsesExcept(rounded, t);
        }
      return success();
    }
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (holdsF32(load.getMemRef())) {
        load.getResult().setType(b.getF32Type());
      } else if (load.getType().isF64()) {
        b.setInsertionPointAfter(load);
        roundAfter(b, load.getResult(), b.getF32Type());
      }
      return success();
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      // The value was narrowed where it was defined.
      if (!holdsF32(store.getMemRef()) &&
          store.getValueToStore().getType().isF32())
        store.getValueMutable().assign(b.create<arith::ExtFOp>(
            store.getLoc(), b.getF64Type(), store.getValueToStore()));
      return success();
    }
    if (isa<arith::ExtFOp, arith::TruncFOp, arith::BitcastOp, vector::LoadOp,
            vector::StoreOp, vector::MaskedStoreOp, memref::AllocaOp,
            memref::AllocOp, memref::AtomicRMWOp>(op)) {
      // Ops whose types tie floats to memory or to bits: none is emitted
      // before this pass, except the f64 scratch buffers.
      if (isa<memref::AllocaOp, memref::AllocOp>(op))
        return success();
      return op->emitError("cannot narrow '")
             << op->getName() << "' to single precision";
    }
    for (Value r : op->getResults())
      if (Type n = narrowed(r.getType()))
        if (!isa<MemRefType>(n))
          r.setType(n);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (Type n = narrowed(arg.getType()))
            arg.setType(n);
    return success();
  }

  func::FuncOp fn;
};

struct NarrowPrecision
    : public neuro::impl::NarrowPrecisionBase<NarrowPrecision> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (isPerStepKernel(fn) && failed(Narrower(fn).run()))
        return signalPassFailure();
    NeuroDialect::SinglePrecisionAttrHelper(module.getContext())
        .setAttr(module, UnitAttr::get(module.getContext()));
  }
};

} // namespace
