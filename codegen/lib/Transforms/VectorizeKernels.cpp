//===- VectorizeKernels.cpp - SIMD loops over the neurons of a kernel -----===//
//
// Rewrites every loop marked `neuro.neuron_loop` into a loop over vectors of
// `width` neurons, followed by the original loop for the neurons left over.
// In the vector loop each value that differs between neurons becomes a
// vector: state rows are read and written with vector.load / vector.store
// (the rows are contiguous in the neuron index), elementwise arith and math
// ops act on vectors, an `scf.if` is if-converted (both sides run; a store
// of theirs writes the whole vector back with the old value in the lanes
// whose condition is false, so a lane that does not spike or is refractory
// keeps its value, and their results become selects) and calls to the
// runtime's random number functions run once per lane. Values that are the
// same for all neurons stay scalar.
//
// A store that takes effect in some lanes only runs in an scf.if on whether
// any lane takes it (a spike's stores are skipped in most vectors).
//
// A state row the loop both reads and writes is read through llvm.freeze:
// without it LLVM turns `store (select m, x, (load p)), p` into a masked
// store, which AVX2 machines (vmaskmovpd; AMD Zen most of all) execute
// several times slower than a load, a blend and a store. Every lane of a
// vector lies in the loop's own range of neurons, so writing all of them
// back is safe, also when threads run neighbouring ranges.
//
// Without a width given, a vector is a register's worth of the loop's
// narrowest float type, two registers' worth where the loop computes long
// chains (math functions, divisions by variables); the neurons left over go
// through a loop of one register, then the scalar loop.
//
// Every lane computes the operations the scalar loop would compute for its
// neuron, in the same order, so the results are bit-identical. A loop with
// anything else (gathers, nested loops, other calls) is left as it is.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/TargetParser/Host.h"

namespace neuro {
#define GEN_PASS_DEF_VECTORIZEKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// Runtime functions that only compute a value from their arguments.
bool isPureRuntimeCall(func::CallOp call) {
  return llvm::is_contained({"neuro_rt_uniform", "neuro_rt_normal"},
                            call.getCallee());
}

/// Builds the body of the vector loop from the scalar loop's body.
class LoopVectorizer {
public:
  LoopVectorizer(OpBuilder &b, int64_t width, Value scalarIv, Value vectorIv,
                 Block &body)
      : b(b), width(width), scalarIv(scalarIv), vectorIv(vectorIv) {
    map.map(scalarIv, vectorIv);
    body.walk(
        [&](memref::StoreOp store) { written.insert(store.getMemRef()); });
  }

  /// Emits the ops of `block` (but its terminator) at the builder's
  /// position; `mask` (null: all lanes) selects the lanes whose stores take
  /// effect.
  LogicalResult visitBlock(Block &block, Value mask) {
    for (Operation &op : block.without_terminator())
      if (failed(visit(op, mask)))
        return failure();
    return success();
  }

private:
  VectorType vectorOf(Type t) { return VectorType::get({width}, t); }

  /// Whether `old` (a value of the scalar loop) differs between neurons.
  bool varies(Value old) {
    return old == scalarIv ||
           isa<VectorType>(map.lookupOrDefault(old).getType());
  }

  /// The value of `old` in the vector loop, as a vector.
  Value vector(Value old, Location loc) {
    if (old == scalarIv)
      return lanes(loc);
    Value v = map.lookupOrDefault(old);
    if (isa<VectorType>(v.getType()))
      return v;
    Value &splat = broadcasts[v];
    if (!splat)
      splat = b.create<vector::BroadcastOp>(loc, vectorOf(v.getType()), v);
    return splat;
  }

  /// The neuron index of every lane.
  Value lanes(Location loc) {
    if (!laneIndex) {
      SmallVector<APInt> offsets;
      for (int64_t l = 0; l < width; ++l)
        offsets.push_back(APInt(64, l));
      auto type = vectorOf(b.getIndexType());
      Value offset = b.create<arith::ConstantOp>(
          loc, type, DenseElementsAttr::get(type, offsets));
      Value base = b.create<vector::BroadcastOp>(loc, type, vectorIv);
      laneIndex = b.create<arith::AddIOp>(loc, base, offset);
    }
    return laneIndex;
  }

  /// Whether `indices` address a whole vector: the last one is the neuron
  /// index, the others are the same for all neurons.
  bool contiguous(ValueRange indices) {
    if (indices.empty() || indices.back() != scalarIv)
      return false;
    return llvm::none_of(indices.drop_back(),
                         [&](Value v) { return varies(v); });
  }

  SmallVector<Value> mapped(ValueRange values) {
    SmallVector<Value> out;
    for (Value v : values)
      out.push_back(map.lookupOrDefault(v));
    return out;
  }

  LogicalResult visit(Operation &op, Value mask) {
    Location loc = op.getLoc();
    bool anyVaries =
        llvm::any_of(op.getOperands(), [&](Value v) { return varies(v); });

    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (!anyVaries) {
        b.clone(op, map);
        return success();
      }
      if (!contiguous(load.getIndices()))
        return failure();
      Value v = b.create<vector::LoadOp>(loc, vectorOf(load.getType()),
                                         map.lookupOrDefault(load.getMemRef()),
                                         mapped(load.getIndices()));
      if (written.contains(load.getMemRef()))
        v = b.create<LLVM::FreezeOp>(loc, v);
      map.map(load.getResult(), v);
      return success();
    }

    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (!anyVaries && !mask) {
        b.clone(op, map); // the same value to the same place
        return success();
      }
      if (!contiguous(store.getIndices()))
        return failure();
      Value memref = map.lookupOrDefault(store.getMemRef());
      Value value = vector(store.getValue(), loc);
      SmallVector<Value> indices = mapped(store.getIndices());
      if (!mask) {
        b.create<vector::StoreOp>(loc, value, memref, indices);
        return success();
      }
      // Only where a lane takes the store: a spike's or a reset's stores
      // are skipped in most vectors.
      Value any =
          b.create<vector::ReductionOp>(loc, vector::CombiningKind::OR, mask);
      auto taken = b.create<scf::IfOp>(loc, any, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(taken.thenBlock());
      Value old =
          b.create<vector::LoadOp>(loc, value.getType(), memref, indices);
      old = b.create<LLVM::FreezeOp>(loc, old);
      value = b.create<arith::SelectOp>(loc, mask, value, old);
      b.create<vector::StoreOp>(loc, value, memref, indices);
      return success();
    }

    if (auto call = dyn_cast<func::CallOp>(op)) {
      if (!isPureRuntimeCall(call))
        return failure();
      if (!anyVaries) {
        b.clone(op, map);
        return success();
      }
      // One call per lane.
      SmallVector<SmallVector<Value>> results(call.getNumResults());
      for (int64_t l = 0; l < width; ++l) {
        SmallVector<Value> args;
        for (Value arg : call.getOperands())
          args.push_back(varies(arg) ? b.create<vector::ExtractOp>(
                                            loc, vector(arg, loc), l)
                                           .getResult()
                                     : map.lookupOrDefault(arg));
        auto lane = b.create<func::CallOp>(loc, call.getCallee(),
                                           call.getResultTypes(), args);
        for (auto [r, v] : llvm::enumerate(lane.getResults()))
          results[r].push_back(v);
      }
      for (auto [r, v] : llvm::enumerate(call.getResults()))
        map.map(v, b.create<vector::FromElementsOp>(loc, vectorOf(v.getType()),
                                                    results[r]));
      return success();
    }

    if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      // Both sides run; each one's stores take effect in its lanes.
      Value cond = vector(ifOp.getCondition(), loc);
      Value thenMask =
          mask ? b.create<arith::AndIOp>(loc, mask, cond).getResult() : cond;
      if (failed(visitBlock(ifOp.getThenRegion().front(), thenMask)))
        return failure();
      Block *elseBlock = ifOp.elseBlock();
      if (elseBlock) {
        Value all = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(vectorOf(b.getI1Type()), true));
        Value notCond = b.create<arith::XOrIOp>(loc, cond, all);
        Value elseMask =
            mask ? b.create<arith::AndIOp>(loc, mask, notCond).getResult()
                 : notCond;
        if (failed(visitBlock(*elseBlock, elseMask)))
          return failure();
      }
      for (auto [r, result] : llvm::enumerate(ifOp.getResults())) {
        Value t = ifOp.thenYield().getOperand(r);
        Value e = ifOp.elseYield().getOperand(r);
        Value tv = vector(t, loc);
        Value ev = vector(e, loc);
        map.map(result, b.create<arith::SelectOp>(loc, cond, tv, ev));
      }
      return success();
    }

    if (op.getNumRegions() || !isMemoryEffectFree(&op))
      return failure();
    if (!anyVaries) {
      b.clone(op, map);
      return success();
    }
    // Integer division of a lane that does not take this path may trap.
    if (!OpTrait::hasElementwiseMappableTraits(&op) ||
        isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
            arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(op))
      return failure();
    OperationState state(loc, op.getName());
    for (Value v : op.getOperands())
      state.addOperands(vector(v, loc));
    for (Type t : op.getResultTypes()) {
      if (!t.isIntOrIndexOrFloat())
        return failure();
      state.addTypes(vectorOf(t));
    }
    state.addAttributes(op.getAttrs());
    Operation *vop = b.create(state);
    for (auto [old, v] : llvm::zip(op.getResults(), vop->getResults()))
      map.map(old, v);
    return success();
  }

  OpBuilder &b;
  int64_t width;
  Value scalarIv, vectorIv;
  IRMapping map;
  DenseMap<Value, Value> broadcasts;
  Value laneIndex;
  /// The memrefs the scalar loop stores to.
  llvm::SmallPtrSet<Value, 4> written;
};

/// Bits of the host's widest vector registers.
int64_t hostVectorBits() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 512;
  if (features.lookup("avx"))
    return 256;
  return 128;
}

/// Bits of the narrowest float type `loop` computes with (64 if none):
/// the lanes of a register are those of the state it updates, f32 with
/// single precision (a random draw's f64 ops then take two registers).
int64_t narrowestFloatBits(scf::ForOp loop) {
  int64_t bits = 64;
  loop.getBody()->walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto f = dyn_cast<FloatType>(getElementTypeOrSelf(t)))
        bits = std::min<int64_t>(bits, f.getWidth());
  });
  return bits;
}

/// Whether `loop` computes a chain of long-latency operations: a math
/// function (exp, log, ... as they stand before neuro-expand-math) or a
/// division by a variable (neuro-simplify-division has made those by
/// constants multiplications).
bool hasLongChains(scf::ForOp loop) {
  WalkResult found = loop.getBody()->walk([](Operation *op) {
    if (isa<arith::DivFOp, math::ExpOp, math::ExpM1Op, math::Exp2Op,
            math::LogOp, math::Log1pOp, math::Log2Op, math::Log10Op,
            math::PowFOp, math::SqrtOp, math::SinOp, math::CosOp, math::TanOp,
            math::TanhOp, math::SinhOp, math::CoshOp, math::AsinOp,
            math::AcosOp, math::AtanOp, math::Atan2Op>(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return found.wasInterrupted();
}

struct VectorizeKernels
    : public neuro::impl::VectorizeKernelsBase<VectorizeKernels> {
  using Base::Base;

  void runOnOperation() override {
    if (width == 1)
      return;
    SmallVector<scf::ForOp> loops;
    NeuroDialect::NeuronLoopAttrHelper neuronLoop(&getContext());
    getOperation().walk([&](scf::ForOp loop) {
      if (neuronLoop.isAttrPresent(loop))
        loops.push_back(loop);
    });
    if (width) {
      for (scf::ForOp loop : loops)
        vectorize(loop, width);
      return;
    }
    int64_t bits = registerBits ? int64_t(registerBits) : hostVectorBits();
    for (scf::ForOp loop : loops) {
      // A loop of long chains runs two registers' worth of neurons per
      // iteration: out-of-order cores overlap the two independent chains
      // (one iteration of COBAHH's step is some 600 instructions, more than
      // the reorder buffer holds). A vector loop of one register then takes
      // the neurons left over, the scalar loop the last few.
      int64_t lanes = bits / narrowestFloatBits(loop);
      if (hasLongChains(loop))
        vectorize(loop, 2 * lanes);
      vectorize(loop, lanes);
    }
  }

  /// Splits `loop` into a vector loop and the scalar rest; leaves it as it
  /// is when its body cannot be vectorized.
  void vectorize(scf::ForOp loop, int64_t lanes) {
    if (lanes < 2)
      return;
    auto step = loop.getStep().getDefiningOp<arith::ConstantIndexOp>();
    if (!step || step.value() != 1 || loop.getNumResults())
      return;
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    // [lb, lb + floor((ub - lb) / lanes) * lanes) in vectors.
    SmallVector<Operation *> bounds;
    auto track = [&](Operation *op) {
      bounds.push_back(op);
      return op->getResult(0);
    };
    Value zero = track(b.create<arith::ConstantIndexOp>(loc, 0));
    Value w = track(b.create<arith::ConstantIndexOp>(loc, lanes));
    Value len = track(b.create<arith::SubIOp>(loc, loop.getUpperBound(),
                                              loop.getLowerBound()));
    len = track(b.create<arith::MaxSIOp>(loc, len, zero));
    Value whole = track(b.create<arith::MulIOp>(
        loc, track(b.create<arith::DivUIOp>(loc, len, w)), w));
    Value vectorEnd =
        track(b.create<arith::AddIOp>(loc, loop.getLowerBound(), whole));
    auto vloop = b.create<scf::ForOp>(loc, loop.getLowerBound(), vectorEnd, w);
    OpBuilder body(vloop.getBody()->getTerminator());
    LoopVectorizer v(body, lanes, loop.getInductionVar(),
                     vloop.getInductionVar(), *loop.getBody());
    if (failed(v.visitBlock(*loop.getBody(), Value()))) {
      vloop.erase();
      for (Operation *op : llvm::reverse(bounds))
        op->erase();
      return;
    }
    NeuroDialect::VectorWidthAttrHelper(b.getContext())
        .setAttr(vloop, b.getI64IntegerAttr(lanes));
    loop.setLowerBound(vectorEnd);
    NeuroDialect::NeuronLoopAttrHelper(b.getContext()).removeAttr(loop);
  }
};

} // namespace
