//===- KernelsToGPU.cpp - Per-step kernels as GPU kernels -----------------===//
//
// Moves the kernels that run every step into `gpu.module @neuro_kernels`:
// each top-level loop of a kernel becomes one `gpu.func` whose threads take
// the loop's iterations in a grid-stride loop. Accumulations into shared
// state become atomics, spike lists stay on the device, and the runtime's
// random streams get device functions (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/BoxMuller.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace neuro {
#define GEN_PASS_DEF_CONVERTKERNELSTOGPU
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;
namespace boxmuller = neuro::rt::boxmuller;

namespace {

/// Marks a delivery kernel run by a block per spike (see Passes.td).
constexpr llvm::StringLiteral kRowParallelAttr = "neuro.row_parallel";

enum class KernelKind { Step, Reset, Deliver, DeliverPost, Update };

std::optional<KernelKind> kernelKind(StringRef name) {
  if (name.starts_with("neuro_step_"))
    return KernelKind::Step;
  if (name.starts_with("neuro_reset_"))
    return KernelKind::Reset;
  if (name.starts_with("neuro_deliver_post_"))
    return KernelKind::DeliverPost;
  if (name.starts_with("neuro_deliver_"))
    return KernelKind::Deliver;
  if (name.starts_with("neuro_update_"))
    return KernelKind::Update;
  return std::nullopt;
}

/// The argument holding a projection's synapse rows (owned by the thread of
/// the synapse's spike), or -1.
int synapseArgument(KernelKind kind) {
  switch (kind) {
  case KernelKind::Deliver:
    return 5;
  case KernelKind::DeliverPost:
    return 4;
  case KernelKind::Update:
    return 2;
  default:
    return -1;
  }
}

bool takesSpikeList(KernelKind kind) {
  return kind == KernelKind::Reset || kind == KernelKind::Deliver ||
         kind == KernelKind::DeliverPost;
}

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
    Value twice = b.create<arith::MulIOp>(loc, counter, i64(2));
    Value first = uniformAt(seed, stream, entity, twice);
    Value next = b.create<arith::AddIOp>(loc, twice, i64(1));
    Value second = uniformAt(seed, stream, entity, next);
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

/// A device function for runtime function `name`, or null if the runtime
/// has none for the GPU.
func::FuncOp buildDeviceFunction(OpBuilder &b, Location loc, StringRef name) {
  bool uniform = name == "neuro_rt_uniform";
  if (!uniform && name != "neuro_rt_normal")
    return nullptr;
  auto type = b.getFunctionType(
      {b.getI64Type(), b.getI32Type(), b.getI64Type(), b.getI64Type()},
      {b.getF64Type()});
  auto fn = b.create<func::FuncOp>(loc, name, type);
  Block *entry = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(entry);
  RandomBuilder rng(fb, loc);
  Value r = uniform
                ? rng.uniformAt(entry->getArgument(0), entry->getArgument(1),
                                entry->getArgument(2), entry->getArgument(3))
                : rng.normalAt(entry->getArgument(0), entry->getArgument(1),
                               entry->getArgument(2), entry->getArgument(3));
  fb.create<func::ReturnOp>(loc, r);
  return fn;
}

/// Makes the read-modify-write of one element that `store` ends atomic:
/// `x + a` and `x - a` (x the element's old value) become one
/// `memref.atomic_rmw addf`. False for anything else, and when x is not
/// read in the same block with nothing written in between. (MLIR lowers
/// `memref.generic_atomic_rmw` on f64 to a cmpxchg that the LLVM dialect
/// rejects, so other updates cannot be made atomic this way yet.)
bool makeAtomic(memref::StoreOp store) {
  Value mem = store.getMemref();
  Block *block = store->getBlock();
  // What the stored value is computed from in this block.
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> work = {store.getValue()};
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || def->getBlock() != block || !slice.insert(def))
      continue;
    if (!isa<memref::LoadOp>(def))
      work.append(def->operand_begin(), def->operand_end());
  }
  memref::LoadOp load;
  for (Operation *op : slice)
    if (auto l = dyn_cast<memref::LoadOp>(op);
        l && l.getMemref() == mem && l.getIndices() == store.getIndices() &&
        (!load || l->isBeforeInBlock(load)))
      load = l;
  if (!load)
    return false;
  for (Operation *op = load->getNextNode(); op != store; op = op->getNextNode())
    if (!isMemoryEffectFree(op) && !isa<memref::LoadOp>(op))
      return false;

  OpBuilder b(store);
  Location loc = store.getLoc();
  Value old = load.getResult();
  Value value = store.getValue();
  Value delta;
  if (auto add = value.getDefiningOp<arith::AddFOp>()) {
    if (add.getLhs() == old && add.getRhs() != old)
      delta = add.getRhs();
    else if (add.getRhs() == old && add.getLhs() != old)
      delta = add.getLhs();
  } else if (auto sub = value.getDefiningOp<arith::SubFOp>();
             sub && sub.getLhs() == old && sub.getRhs() != old) {
    delta = b.create<arith::NegFOp>(loc, sub.getRhs());
  }
  if (!delta)
    return false;
  b.create<memref::AtomicRMWOp>(loc, arith::AtomicRMWKind::addf, delta, mem,
                                store.getIndices());
  store.erase();
  // What only the plain write used (users come first in the slice).
  for (Operation *op : slice)
    if (op->use_empty() && isMemoryEffectFree(op))
      op->erase();
  if (load->use_empty())
    load.erase();
  return true;
}

/// Whether `index` is the thread's own: its iteration, or the neuron of
/// the spike it handles (`spikes[iteration]`).
bool ownIndex(Value index, Value iteration, Value spikes) {
  if (index == iteration)
    return true;
  if (auto cast = index.getDefiningOp<arith::IndexCastOp>())
    index = cast.getIn();
  auto load = index.getDefiningOp<memref::LoadOp>();
  return spikes && load && load.getMemref() == spikes &&
         load.getIndices().size() == 1 && load.getIndices()[0] == iteration;
}

/// The loop over a spike's synapses in `loop`, a delivery's loop over
/// spikes, when the threads of a block can share its iterations: it is the
/// only loop at the top of the body, nothing else there writes memory, and
/// it writes no state indexed by the spike's neuron (which its threads
/// would then share). Null otherwise.
scf::ForOp rowLoop(scf::ForOp loop, Value spikes) {
  scf::ForOp row;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto inner = dyn_cast<scf::ForOp>(op)) {
      if (row || inner.getNumResults() != 0)
        return nullptr;
      row = inner;
    } else if (!isMemoryEffectFree(&op) && !isa<memref::LoadOp>(op)) {
      return nullptr;
    }
  }
  if (!row)
    return nullptr;
  WalkResult shared = row.walk([&](memref::StoreOp store) {
    for (Value index : store.getIndices())
      if (ownIndex(index, loop.getInductionVar(), spikes))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return shared.wasInterrupted() ? nullptr : row;
}

/// Makes read-modify-writes of state that other threads may write too
/// atomic, and warns of plain writes to it: they race, the last one wins.
void makeAccumulationsAtomic(Block *body, Value iteration, Value spikes,
                             Value synapseRows) {
  SmallVector<memref::StoreOp> stores;
  body->walk([&](memref::StoreOp s) { stores.push_back(s); });
  for (memref::StoreOp store : stores) {
    if (store.getMemref() == synapseRows ||
        llvm::any_of(store.getIndices(),
                     [&](Value v) { return ownIndex(v, iteration, spikes); }))
      continue;
    Location loc = store.getLoc();
    // Threads that all store one constant agree on the result.
    bool constant = matchPattern(store.getValue(), m_Constant());
    if (!constant && !makeAtomic(store))
      emitWarning(loc) << "on the GPU, threads of different spikes may "
                          "assign this neuron's state at once (the last one "
                          "wins); only += and -= are atomic";
  }
}

/// After each neuron's spike flag is stored, a neuron that spiked appends
/// its index to the device's spike list.
void appendSpikes(Block *body, Value neuron, Value flags, Value count,
                  Value list) {
  SmallVector<memref::StoreOp> stores;
  body->walk([&](memref::StoreOp s) {
    if (s.getMemref() == flags)
      stores.push_back(s);
  });
  for (memref::StoreOp store : stores) {
    Location loc = store.getLoc();
    OpBuilder b(store->getContext());
    b.setInsertionPointAfter(store);
    Value spiked;
    if (auto ext = store.getValue().getDefiningOp<arith::ExtUIOp>();
        ext && ext.getIn().getType().isInteger(1))
      spiked = ext.getIn();
    else
      spiked = b.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ne, store.getValue(),
          b.create<arith::ConstantIntOp>(loc, b.getI8Type(), 0));
    auto ifOp = b.create<scf::IfOp>(loc, spiked, /*withElse=*/false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value one = b.create<arith::ConstantIntOp>(loc, b.getI32Type(), 1);
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
    Value slot = b.create<memref::AtomicRMWOp>(loc, arith::AtomicRMWKind::addi,
                                               one, count, ValueRange{c0});
    Value at = b.create<arith::IndexCastOp>(loc, b.getIndexType(), slot);
    Value index = b.create<arith::IndexCastOp>(loc, b.getI32Type(), neuron);
    b.create<memref::StoreOp>(loc, index, list, ValueRange{at});
  }
}

struct ConvertKernelsToGPU
    : public neuro::impl::ConvertKernelsToGPUBase<ConvertKernelsToGPU> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && kernelKind(fn.getName()))
        kernels.push_back(fn);
    if (kernels.empty())
      return;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto gpuModule =
        b.create<gpu::GPUModuleOp>(module.getLoc(), "neuro_kernels");
    for (func::FuncOp fn : kernels)
      if (failed(outline(fn, *kernelKind(fn.getName()), gpuModule)))
        return signalPassFailure();

    // Device versions of the runtime functions the kernels call.
    llvm::MapVector<StringRef, func::CallOp> callees;
    gpuModule.walk([&](func::CallOp call) {
      callees.insert({call.getCallee(), call});
    });
    OpBuilder gb = OpBuilder::atBlockEnd(gpuModule.getBody());
    for (auto [name, call] : callees)
      if (!buildDeviceFunction(gb, module.getLoc(), name)) {
        call.emitError() << "'" << name
                         << "' has no device version for the GPU";
        return signalPassFailure();
      }

    for (func::FuncOp fn : kernels)
      fn.erase();
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (fn.isExternal() && SymbolTable::symbolKnownUseEmpty(fn, module))
        fn.erase();
  }

  LogicalResult outline(func::FuncOp fn, KernelKind kind,
                        gpu::GPUModuleOp gpuModule) {
    WalkResult vectors = fn.walk([](Operation *op) {
      return op->getName().getDialectNamespace() == "vector"
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (vectors.wasInterrupted())
      return fn.emitError("'")
             << fn.getName()
             << "' is vectorized; GPU kernels need vector width 1";
    Block &entry = fn.getBody().front();
    SmallVector<scf::ForOp> loops;
    for (Operation &op : entry) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        if (loop.getNumResults() != 0)
          return loop.emitError("a loop with results at the top of '")
                 << fn.getName() << "' cannot become a GPU kernel";
        loops.push_back(loop);
        continue;
      }
      if (isa<func::ReturnOp, memref::LoadOp, memref::DimOp>(op) ||
          isMemoryEffectFree(&op))
        continue;
      return op.emitError("only loops may write memory at the top of '")
             << fn.getName() << "' to make it a GPU kernel";
    }

    auto i32Buffer = MemRefType::get({ShapedType::kDynamic},
                                     IntegerType::get(&getContext(), 32));
    for (auto [k, loop] : llvm::enumerate(loops)) {
      std::string name = fn.getName().str();
      if (loops.size() > 1)
        name += "_" + std::to_string(k);
      SmallVector<Type> argTypes(fn.getArgumentTypes());
      if (takesSpikeList(kind))
        argTypes.push_back(i32Buffer); // spike count
      if (kind == KernelKind::Step)
        argTypes.append({i32Buffer, i32Buffer}); // spike count, spike list
      OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
      auto kernel = mb.create<gpu::GPUFuncOp>(fn.getLoc(), name,
                                              mb.getFunctionType(argTypes, {}));
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      mb.getUnitAttr());
      OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
      IRMapping map;
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        map.map(fn.getArgument(i), kernel.getArgument(i));

      // The ops at the top of the kernel that this loop needs, in order.
      llvm::SetVector<Value> used;
      getUsedValuesDefinedAbove(loop.getRegion(), used);
      used.insert(loop.getLowerBound());
      used.insert(loop.getUpperBound());
      used.insert(loop.getStep());
      llvm::SmallPtrSet<Operation *, 16> needed;
      SmallVector<Value> work(used.begin(), used.end());
      while (!work.empty()) {
        Operation *def = work.pop_back_val().getDefiningOp();
        if (!def || !needed.insert(def).second)
          continue;
        work.append(def->operand_begin(), def->operand_end());
      }
      for (Operation &op : entry)
        if (needed.contains(&op))
          b.clone(op, map);

      Location loc = loop.getLoc();
      Value lb = map.lookupOrDefault(loop.getLowerBound());
      Value ub = map.lookupOrDefault(loop.getUpperBound());
      Value step = map.lookupOrDefault(loop.getStep());
      // Deliveries: a block per spike, its threads share the spike's
      // synapses; otherwise a thread per iteration.
      bool perBlock =
          (kind == KernelKind::Deliver || kind == KernelKind::DeliverPost) &&
          rowLoop(loop, fn.getArgument(0));
      Value thread, threads;
      if (perBlock) {
        thread = b.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
        threads = b.create<gpu::GridDimOp>(loc, gpu::Dimension::x);
        kernel->setAttr(kRowParallelAttr, b.getUnitAttr());
      } else {
        thread = b.create<gpu::GlobalIdOp>(loc, gpu::Dimension::x);
        threads = b.create<arith::MulIOp>(
            loc, b.create<gpu::GridDimOp>(loc, gpu::Dimension::x),
            b.create<gpu::BlockDimOp>(loc, gpu::Dimension::x));
      }
      Value start = b.createOrFold<arith::AddIOp>(
          loc, lb, b.createOrFold<arith::MulIOp>(loc, thread, step));
      Value stride = b.createOrFold<arith::MulIOp>(loc, threads, step);
      auto strided = b.create<scf::ForOp>(loc, start, ub, stride);
      strided->setDiscardableAttrs(loop->getDiscardableAttrDictionary());
      map.map(loop.getInductionVar(), strided.getInductionVar());
      OpBuilder body = OpBuilder::atBlockBegin(strided.getBody());
      for (Operation &op : loop.getBody()->without_terminator())
        body.clone(op, map);
      b.create<gpu::ReturnOp>(fn.getLoc());
      if (perBlock) {
        // The block's threads take the row's synapses in turn.
        scf::ForOp row = *strided.getBody()->getOps<scf::ForOp>().begin();
        OpBuilder rb(row);
        Location rl = row.getLoc();
        Value lane = rb.create<gpu::ThreadIdOp>(rl, gpu::Dimension::x);
        Value lanes = rb.create<gpu::BlockDimOp>(rl, gpu::Dimension::x);
        row.setLowerBound(rb.createOrFold<arith::AddIOp>(
            rl, row.getLowerBound(),
            rb.createOrFold<arith::MulIOp>(rl, lane, row.getStep())));
        row.setStep(rb.createOrFold<arith::MulIOp>(rl, lanes, row.getStep()));
      }

      // The spike list's length is on the device.
      unsigned extra = fn.getNumArguments();
      if (takesSpikeList(kind)) {
        Value list = kernel.getArgument(0);
        Value count = kernel.getArgument(extra);
        SmallVector<memref::DimOp> dims;
        kernel.walk([&](memref::DimOp d) {
          if (d.getSource() == list)
            dims.push_back(d);
        });
        for (memref::DimOp d : dims) {
          OpBuilder db(d);
          Value c0 = db.create<arith::ConstantIndexOp>(d.getLoc(), 0);
          Value n =
              db.create<memref::LoadOp>(d.getLoc(), count, ValueRange{c0});
          d.replaceAllUsesWith(
              db.create<arith::IndexCastOp>(d.getLoc(), db.getIndexType(), n)
                  .getResult());
          d.erase();
        }
      }
      if (kind == KernelKind::Step)
        appendSpikes(strided.getBody(), strided.getInductionVar(),
                     kernel.getArgument(1), kernel.getArgument(extra),
                     kernel.getArgument(extra + 1));
      else if (kind != KernelKind::Reset) {
        int syn = synapseArgument(kind);
        makeAccumulationsAtomic(strided.getBody(), strided.getInductionVar(),
                                takesSpikeList(kind) ? kernel.getArgument(0)
                                                     : Value(),
                                syn >= 0 ? kernel.getArgument(syn) : Value());
      }
    }
    return success();
  }
};

} // namespace
