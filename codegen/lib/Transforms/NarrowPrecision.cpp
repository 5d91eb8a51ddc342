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
// Time stays f64, as Brian2 keeps its clock in float64 in its float32
// runs: the products of a step count and dt marked neuro.step_time (`t`,
// `lastspike`) and the arithmetic that reads them, directly or through
// other such arithmetic, keep f64 results; their other float operands are
// widened with arith.extf (the f64 constants they read keep their value)
// and their results rounded where something else reads them (a state row,
// a loop's yield), as C++ promotes float to double where the two meet.
// A result stored into a row is rounded for every reader (a spike
// condition reads the state as its row holds it), and `x += a` into a row
// rounds `a` and adds in float32: one atomic add on the GPU.
// Step counts themselves stay exact in float32 up to 2^24.
//
// The module gets the unit attribute `neuro.single_precision`, from which
// the runtime learns the element type of the rows it passes.
//
// `--precision=mixed` (option synapses-only): only the synapse rows of the
// per-step synapse kernels (deliver, deliver_post, update) become
// memref<?x?xf32>; a load from them is widened with arith.extf and a store
// into them rounded with arith.truncf, and everything else stays f64. The
// module gets `neuro.single_synapses`.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "neuro/Runtime/ABI.h"

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

/// Whether `fn` is a kernel that takes the rows the steps update
/// (#neuro.kernel): those that run in every step, and the sample kernel.
bool isPerStepKernel(func::FuncOp fn) {
  KernelAttr kernel = getKernelAttr(fn);
  return !fn.isExternal() && kernel && kernel.takesStepRows();
}

/// Whether values loaded from `memref` are narrowed: the 2-D state rows
/// of the kernel's arguments, narrowed with the signature.
bool holdsF32(Value memref) {
  auto type = dyn_cast<MemRefType>(memref.getType());
  return type && type.getElementType().isF32();
}

/// Whether `t` is f32 or a vector of f32.
bool isF32Like(Type t) { return getElementTypeOrSelf(t).isF32(); }

/// `t` (f32 or a vector of f32) with f64 elements.
Type asF64(Type t) {
  Type f64 = Float64Type::get(t.getContext());
  if (auto v = dyn_cast<VectorType>(t))
    return v.clone(f64);
  return f64;
}

/// The arithmetic of `fn` that single precision keeps in f64: the
/// neuro.step_time products and the arith and math ops that read a float
/// one of these computes.
llvm::SetVector<Operation *> timeArithmetic(func::FuncOp fn) {
  llvm::SetVector<Operation *> wide;
  SmallVector<Operation *> work;
  NeuroDialect::StepTimeAttrHelper stepTime(fn.getContext());
  fn.walk([&](Operation *op) {
    if (stepTime.isAttrPresent(op) && wide.insert(op))
      work.push_back(op);
  });
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    for (Value r : op->getResults()) {
      if (!isa<FloatType>(getElementTypeOrSelf(r.getType())))
        continue;
      for (Operation *user : r.getUsers()) {
        bool arithmetic =
            isa<arith::ArithDialect, math::MathDialect>(user->getDialect()) &&
            !isa<arith::ConstantOp, arith::ExtFOp, arith::TruncFOp,
                 arith::BitcastOp>(user);
        if (arithmetic && wide.insert(user))
          work.push_back(user);
      }
    }
  }
  return wide;
}

class Narrower {
public:
  explicit Narrower(func::FuncOp fn) : fn(fn), wide(timeArithmetic(fn)) {}

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
    roundTimeWhereRead();
    return success();
  }

private:
  /// Replaces the uses of `v` (f64) after its definition by its rounding
  /// to `type`.
  void roundAfter(OpBuilder &b, Value v, Type type) {
    auto t = b.create<arith::TruncFOp>(v.getLoc(), type, v);
    v.replaceAllUsesExcept(t, t);
  }

  /// Rounds the f64 results of time arithmetic where an op that is not
  /// time arithmetic reads them, except a call (its callee takes f64) and
  /// a store into f64 memory. A result stored into a row is a state's
  /// value: every later reader, time arithmetic too (a spike condition),
  /// reads it rounded, as the row holds it.
  void roundTimeWhereRead() {
    for (Operation *op : llvm::to_vector(wide)) {
      if (op->getNumResults() == 1 && roundAccumulation(op->getResult(0)))
        continue; // erased
      for (Value r : op->getResults()) {
        Type n = narrowed(r.getType());
        if (!n || isa<MemRefType>(n))
          continue;
        auto intoRow = [](Operation *user) {
          auto store = dyn_cast<memref::StoreOp>(user);
          return store && holdsF32(store.getMemRef());
        };
        Value rounded, widened;
        if (llvm::any_of(r.getUsers(), intoRow)) {
          OpBuilder b(r.getContext());
          b.setInsertionPointAfterValue(r);
          rounded = b.create<arith::TruncFOp>(r.getLoc(), n, r);
          widened = b.create<arith::ExtFOp>(r.getLoc(), r.getType(), rounded);
        }
        for (OpOperand &use : llvm::make_early_inc_range(r.getUses())) {
          Operation *user = use.getOwner();
          if (rounded && user == rounded.getDefiningOp())
            continue;
          auto store = dyn_cast<memref::StoreOp>(user);
          if (wide.contains(user) || isa<func::CallOp>(user) ||
              (store && !holdsF32(store.getMemRef()))) {
            if (widened)
              use.set(widened);
            continue;
          }
          if (!rounded) {
            OpBuilder b(user);
            use.set(b.create<arith::TruncFOp>(r.getLoc(), n, r));
            continue;
          }
          use.set(rounded);
        }
      }
    }
  }

  /// `x += a` or `x -= a` into a float32 row, `a` time arithmetic: the
  /// amount is rounded and added in float32, a read-modify-write that the
  /// GPU backend makes one atomic add (the CPU adds alike, so both give
  /// the same bits). True when `r` was such a sum, now replaced.
  bool roundAccumulation(Value r) {
    Operation *def = r.getDefiningOp();
    if (!isa_and_nonnull<arith::AddFOp, arith::SubFOp>(def) || !r.hasOneUse())
      return false;
    auto store = dyn_cast<memref::StoreOp>(*r.getUsers().begin());
    if (!store || !holdsF32(store.getMemRef()) || !r.getType().isF64())
      return false;
    // Which operand is the row's old value, widened.
    for (unsigned k = 0; k < 2; ++k) {
      if (k == 1 && isa<arith::SubFOp>(def))
        break;
      auto ext = def->getOperand(k).getDefiningOp<arith::ExtFOp>();
      auto load =
          ext ? ext.getIn().getDefiningOp<memref::LoadOp>() : memref::LoadOp();
      if (!load || load.getMemRef() != store.getMemRef() ||
          load.getIndices() != store.getIndices())
        continue;
      OpBuilder b(store);
      Value amount = b.create<arith::TruncFOp>(r.getLoc(), b.getF32Type(),
                                               def->getOperand(1 - k));
      Value sum =
          isa<arith::AddFOp>(def)
              ? b.create<arith::AddFOp>(r.getLoc(), load, amount).getResult()
              : b.create<arith::SubFOp>(r.getLoc(), load, amount).getResult();
      store.getValueMutable().assign(sum);
      wide.remove(def);
      def->erase();
      if (ext->use_empty())
        ext->erase();
      return true;
    }
    return false;
  }

  /// Time arithmetic keeps its f64 results; its f32 operands are widened
  /// (an f64 value rounded on reading, from f64 memory or a call, is read
  /// as it was).
  void widenOperands(Operation *op) {
    OpBuilder b(op);
    for (OpOperand &operand : op->getOpOperands()) {
      Type t = operand.get().getType();
      if (!isF32Like(t))
        continue;
      Type f64 = asF64(t);
      if (auto round = operand.get().getDefiningOp<arith::TruncFOp>();
          round && round.getIn().getType() == f64)
        operand.set(round.getIn());
      else
        operand.set(b.create<arith::ExtFOp>(op->getLoc(), f64, operand.get()));
    }
  }

  LogicalResult visit(Operation *op) {
    OpBuilder b(op);
    if (wide.contains(op)) {
      widenOperands(op);
      return success();
    }
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
      // Time arithmetic reads the f64 value.
      c.getResult().replaceUsesWithIf(narrow.getResult(), [&](OpOperand &use) {
        return !wide.contains(use.getOwner());
      });
      if (c.getResult().use_empty())
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
  /// The time arithmetic (timeArithmetic), found before any type changes.
  llvm::SetVector<Operation *> wide;
};

/// Synapse rows only: the synapse-row argument of `fn` becomes f32; its
/// loads are widened and its stores rounded.
LogicalResult narrowSynapseRows(func::FuncOp fn) {
  int index = synapseRowsArgument(getKernelAttr(fn).getKind());
  if (index < 0)
    return success();
  if (unsigned(index) >= fn.getNumArguments())
    return fn.emitError("a synapse kernel takes its synapse rows as argument ")
           << index << "; this one has " << fn.getNumArguments()
           << " arguments";
  BlockArgument rows = fn.getArgument(unsigned(index));
  auto type = dyn_cast<MemRefType>(rows.getType());
  if (!type || type.getRank() != 2 || !type.getElementType().isF64())
    return fn.emitError("the synapse rows of a kernel must be "
                        "memref<?x?xf64>, not ")
           << rows.getType();
  OpBuilder b(fn.getContext());
  Type f32 = b.getF32Type(), f64 = b.getF64Type();
  for (OpOperand &use : llvm::make_early_inc_range(rows.getUses())) {
    Operation *user = use.getOwner();
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      load.getResult().setType(f32);
      b.setInsertionPointAfter(load);
      auto wide = b.create<arith::ExtFOp>(load.getLoc(), f64, load.getResult());
      load.getResult().replaceAllUsesExcept(wide, wide);
    } else if (auto store = dyn_cast<memref::StoreOp>(user);
               store && store.getMemRef() == rows) {
      b.setInsertionPoint(store);
      store.getValueMutable().assign(b.create<arith::TruncFOp>(
          store.getLoc(), f32, store.getValueToStore()));
    } else {
      return user->emitError("cannot narrow the synapse rows used by '")
             << user->getName() << "'";
    }
  }
  rows.setType(type.clone(f32));
  SmallVector<Type> inputs(fn.getArgumentTypes());
  inputs[size_t(index)] = rows.getType();
  fn.setType(FunctionType::get(fn.getContext(), inputs, fn.getResultTypes()));
  return success();
}

struct NarrowPrecision
    : public neuro::impl::NarrowPrecisionBase<NarrowPrecision> {
  using NarrowPrecisionBase::NarrowPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (!isPerStepKernel(fn))
        continue;
      if (failed(synapsesOnly ? narrowSynapseRows(fn) : Narrower(fn).run()))
        return signalPassFailure();
    }
    if (synapsesOnly)
      NeuroDialect::SingleSynapsesAttrHelper(ctx).setAttr(module,
                                                          UnitAttr::get(ctx));
    else
      NeuroDialect::SinglePrecisionAttrHelper(ctx).setAttr(module,
                                                           UnitAttr::get(ctx));
  }
};

} // namespace

int neuro::synapseRowsArgument(KernelKind kind) {
  switch (kind) {
  case KernelKind::Deliver:
    return NEURO_DELIVER_ARG_SYN;
  case KernelKind::DeliverPost:
    return NEURO_DELIVER_POST_ARG_SYN;
  case KernelKind::Sum:
  case KernelKind::Update:
    return NEURO_UPDATE_ARG_SYN;
  default:
    return -1;
  }
}
