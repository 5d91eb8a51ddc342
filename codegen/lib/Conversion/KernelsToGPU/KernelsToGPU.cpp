//===- KernelsToGPU.cpp - Per-step kernels as GPU kernels -----------------===//
//
// Moves the kernels that run every step (by their #neuro.kernel) into
// `gpu.module @neuro_kernels`: each top-level loop of a kernel becomes one
// `gpu.func` whose threads take the loop's iterations in a grid-stride
// loop. Accumulations into shared state become atomics, spike lists stay
// on the device (made in neuron order by the kernels of SpikeLists.cpp),
// and the runtime's random streams get device functions (see Passes.td). The
// GPU kernels' parameters are written down in
// runtime/include/neuro/Runtime/ABI.h (NEURO_GPU_*).
//
//===----------------------------------------------------------------------===//

#include "GPUKernels.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/Kernels.h"

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

namespace {

/// The argument holding the kernel's list of spikes (whose length the GPU
/// kernel reads from its spike count), or -1.
int spikeListArgument(KernelKind kind) {
  switch (kind) {
  case KernelKind::Reset:
    return NEURO_RESET_ARG_SPIKES;
  case KernelKind::Deliver:
    return NEURO_DELIVER_ARG_SPIKES;
  case KernelKind::DeliverPost:
    return NEURO_DELIVER_POST_ARG_SPIKES;
  default:
    return -1;
  }
}

/// The GPU kernel's parameter holding the spike count, the length of its
/// spike list, or -1.
int spikeCountParameter(KernelKind kind) {
  switch (kind) {
  case KernelKind::Reset:
    return NEURO_GPU_RESET_ARG_COUNT;
  case KernelKind::Deliver:
    return NEURO_GPU_DELIVER_ARG_COUNTS;
  case KernelKind::DeliverPost:
    return NEURO_GPU_DELIVER_POST_ARG_COUNT;
  default:
    return -1;
  }
}

/// The number of parameters of the GPU kernels of `kind`.
unsigned gpuParameters(KernelKind kind) {
  switch (kind) {
  case KernelKind::Step:
    return NEURO_GPU_STEP_NUM_ARGS;
  case KernelKind::Reset:
    return NEURO_GPU_RESET_NUM_ARGS;
  case KernelKind::Deliver:
    return NEURO_GPU_DELIVER_NUM_ARGS;
  case KernelKind::DeliverPost:
    return NEURO_GPU_DELIVER_POST_NUM_ARGS;
  default:
    return NEURO_GPU_UPDATE_NUM_ARGS;
  }
}

/// A device function for runtime function `name`, or null if the runtime
/// has none for the GPU.
func::FuncOp buildDeviceFunction(OpBuilder &b, Location loc, StringRef name) {
  if (name != "neuro_rt_uniform" && name != "neuro_rt_normal")
    return nullptr;
  auto type = b.getFunctionType(
      {b.getI64Type(), b.getI32Type(), b.getI64Type(), b.getI64Type()},
      {b.getF64Type()});
  auto fn = b.create<func::FuncOp>(loc, name, type);
  Block *entry = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(entry);
  Value r = buildRandomDraw(fb, loc, name, entry->getArguments());
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

Value toIndex(OpBuilder &b, Location loc, Value v) {
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v).getResult();
}

/// The ops that compute `values`, transitively (not `stop`, nor what only
/// it needs).
llvm::SmallPtrSet<Operation *, 16> definingOps(ArrayRef<Value> values,
                                               Operation *stop = nullptr) {
  llvm::SmallPtrSet<Operation *, 16> ops;
  SmallVector<Value> work(values.begin(), values.end());
  while (!work.empty()) {
    Operation *def = work.pop_back_val().getDefiningOp();
    if (!def || def == stop || !ops.insert(def).second)
      continue;
    work.append(def->operand_begin(), def->operand_end());
  }
  return ops;
}

/// Makes delivery kernel `kernel` read the spikes of a range of its
/// projection's delay groups from the source's ring of spike lists, so that
/// one launch delivers every group whose delay has elapsed. The kernel's
/// spike list, row pointers and count become the ring (`depth` lists of
/// `list_size` spikes), every group's row pointers one after another
/// (`row_stride` apart) and the ring's counts; the parameters after the
/// count give each group's delay in steps (`delays`), `depth`,
/// `list_size`, `row_stride` and the groups [first, end) of the launch,
/// which the y dimension of the grid strides over (NEURO_GPU_DELIVER_ARG_*
/// in ABI.h). The body runs for each group g whose spikes are from step
/// s = k - delays[g] >= 0, with the list and count of ring slot s mod depth
/// and the row pointers of g, the groups in descending order.
LogicalResult groupDelays(gpu::GPUFuncOp kernel) {
  Block &entry = kernel.getBody().front();
  Location loc = kernel.getLoc();
  Value list = kernel.getArgument(NEURO_DELIVER_ARG_SPIKES);
  Value rows = kernel.getArgument(NEURO_DELIVER_ARG_ROW_PTR);
  Value k = kernel.getArgument(NEURO_DELIVER_ARG_STEP);
  Value counts = kernel.getArgument(NEURO_GPU_DELIVER_ARG_COUNTS);
  Value delays = kernel.getArgument(NEURO_GPU_DELIVER_ARG_DELAYS);
  SmallVector<Operation *> ops;
  for (Operation &op : entry.without_terminator())
    ops.push_back(&op);

  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  auto index = [&](OpBuilder &ob, Value v) { return toIndex(ob, loc, v); };
  Value first = index(b, kernel.getArgument(NEURO_GPU_DELIVER_ARG_FIRST_GROUP));
  Value end = index(b, kernel.getArgument(NEURO_GPU_DELIVER_ARG_END_GROUP));
  Value start = b.create<arith::AddIOp>(
      loc, first, b.create<gpu::BlockIdOp>(loc, gpu::Dimension::y));
  Value stride = b.create<gpu::GridDimOp>(loc, gpu::Dimension::y);
  // Iteration i takes group first + end - 1 - i: the longest delay first,
  // in the CPU's order where one thread runs the groups.
  Value mirror =
      b.create<arith::SubIOp>(loc, b.create<arith::AddIOp>(loc, first, end),
                              b.create<arith::ConstantIndexOp>(loc, 1));
  auto groups = b.create<scf::ForOp>(loc, start, end, stride);
  OpBuilder gb = OpBuilder::atBlockBegin(groups.getBody());
  Value g = gb.create<arith::SubIOp>(loc, mirror, groups.getInductionVar());
  Value from = gb.create<arith::SubIOp>(
      loc, k, gb.create<memref::LoadOp>(loc, delays, ValueRange{g}));
  Value zero = gb.create<arith::ConstantIntOp>(loc, gb.getI64Type(), 0);
  Value elapsed =
      gb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, from, zero);
  auto ifOp = gb.create<scf::IfOp>(loc, elapsed, /*withElse=*/false);
  OpBuilder ib = OpBuilder::atBlockBegin(ifOp.thenBlock());
  Value depth = kernel.getArgument(NEURO_GPU_DELIVER_ARG_DEPTH);
  Value slot = index(ib, ib.create<arith::RemSIOp>(loc, from, depth));
  Value listBase = ib.create<arith::MulIOp>(
      loc, slot,
      index(ib, kernel.getArgument(NEURO_GPU_DELIVER_ARG_LIST_SIZE)));
  Value rowBase = ib.create<arith::MulIOp>(
      loc, g, index(ib, kernel.getArgument(NEURO_GPU_DELIVER_ARG_ROW_STRIDE)));
  for (Operation *op : ops)
    op->moveBefore(ifOp.thenBlock()->getTerminator());

  // Every read of the list, the row pointers and the count now indexes
  // the ring and the group's rows.
  for (auto [arg, base] : {std::pair(list, listBase), std::pair(rows, rowBase),
                           std::pair(counts, Value())}) {
    for (OpOperand &use : llvm::make_early_inc_range(arg.getUses())) {
      auto load = dyn_cast<memref::LoadOp>(use.getOwner());
      if (!load || load.getIndices().size() != 1)
        return use.getOwner()->emitError(
            "a delivery must only load from its spike list, row pointers "
            "and spike count to run on the GPU");
      Value at = slot;
      if (base) {
        OpBuilder lb(load);
        at =
            lb.create<arith::AddIOp>(load.getLoc(), base, load.getIndices()[0]);
      }
      load.getIndicesMutable()[0].assign(at);
    }
  }
  return success();
}

/// Whether `fn` stores into its argument `index`.
bool storesInto(func::FuncOp fn, unsigned index) {
  Value arg = fn.getArgument(index);
  WalkResult found = fn.walk([&](Operation *op) {
    if (auto store = dyn_cast<memref::StoreOp>(op);
        store && store.getMemref() == arg)
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return found.wasInterrupted();
}

/// `<delivery>_by_target`: delivery `fn` (one loop over spikes holding one
/// loop over each spike's synapses, `row`) with a thread per target that
/// pulls its inputs instead of a thread or block per spike pushing them.
/// Thread t visits the synapses onto t in the order of their ids (those of
/// `postPtr[t]` to `postPtr[t + 1]` in `postSyn`), and runs the synapse's
/// `on pre` when its source `srcs[s]` spiked `delays[s]` steps ago, as the
/// spike flags of the source's ring say (`flags`, `depth` slots of `size`
/// bytes). A target is one thread's alone, so its inputs need no atomics
/// and add up in the CPU's order. None when the delivery writes the
/// source's state or the modulators, or uses its spike loop's index for
/// anything but reading the spike list. Its parameters are
/// NEURO_GPU_PULL_ARG_* of ABI.h.
void buildPullKernel(func::FuncOp fn, scf::ForOp loop, scf::ForOp row,
                     gpu::GPUModuleOp gpuModule) {
  Value list = fn.getArgument(NEURO_DELIVER_ARG_SPIKES);
  if (storesInto(fn, NEURO_DELIVER_ARG_PRE) ||
      storesInto(fn, NEURO_DELIVER_ARG_MODS))
    return;
  memref::LoadOp spike;
  for (Operation *user : loop.getInductionVar().getUsers()) {
    auto load = dyn_cast<memref::LoadOp>(user);
    if (!load || load.getMemref() != list || spike)
      return;
    spike = load;
  }
  if (!spike)
    return;

  MLIRContext *ctx = fn.getContext();
  Location loc = fn.getLoc();
  auto i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32),
       i64 = IntegerType::get(ctx, 64);
  auto buffer = [](Type t) {
    return MemRefType::get({ShapedType::kDynamic}, t);
  };
  SmallVector<Type> argTypes(fn.getArgumentTypes());
  argTypes.resize(NEURO_GPU_PULL_NUM_ARGS);
  argTypes[NEURO_GPU_PULL_ARG_POST_PTR] = buffer(i64);
  argTypes[NEURO_GPU_PULL_ARG_POST_SYN] = buffer(i64);
  argTypes[NEURO_GPU_PULL_ARG_SRCS] = buffer(i32);
  argTypes[NEURO_GPU_PULL_ARG_DELAYS] = buffer(i32);
  argTypes[NEURO_GPU_PULL_ARG_FLAGS] = buffer(i8);
  argTypes[NEURO_GPU_PULL_ARG_DEPTH] = i64;
  argTypes[NEURO_GPU_PULL_ARG_LIST_SIZE] = i64;
  argTypes[NEURO_GPU_PULL_ARG_TARGETS] = i64;
  OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
  auto kernel = mb.create<gpu::GPUFuncOp>(
      loc, (fn.getName() + NEURO_GPU_PULL_SUFFIX).str(),
      mb.getFunctionType(argTypes, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), mb.getUnitAttr());
  setKernelAttr(kernel, getKernelAttr(fn));
  unsigned n = fn.getNumArguments();
  Value postPtr = kernel.getArgument(NEURO_GPU_PULL_ARG_POST_PTR);
  Value postSyn = kernel.getArgument(NEURO_GPU_PULL_ARG_POST_SYN);
  Value srcs = kernel.getArgument(NEURO_GPU_PULL_ARG_SRCS);
  Value delays = kernel.getArgument(NEURO_GPU_PULL_ARG_DELAYS);
  Value flags = kernel.getArgument(NEURO_GPU_PULL_ARG_FLAGS);
  Value depth = kernel.getArgument(NEURO_GPU_PULL_ARG_DEPTH);
  Value size = kernel.getArgument(NEURO_GPU_PULL_ARG_LIST_SIZE);
  Value targets = kernel.getArgument(NEURO_GPU_PULL_ARG_TARGETS);
  Value step = kernel.getArgument(NEURO_DELIVER_ARG_STEP);

  IRMapping map;
  for (unsigned i = 0; i < n; ++i)
    map.map(fn.getArgument(i), kernel.getArgument(i));
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
  auto index = [&](OpBuilder &ob, Value v) { return toIndex(ob, loc, v); };

  // What the synapse loop needs from the spike loop's body and from the
  // top of the kernel, the spike list's entry aside.
  llvm::SetVector<Value> used;
  getUsedValuesDefinedAbove(row.getRegion(), used);
  llvm::SmallPtrSet<Operation *, 16> needed =
      definingOps(used.getArrayRef(), spike);
  for (Operation &op : fn.getBody().front())
    if (needed.contains(&op))
      b.clone(op, map);

  Value c1 = b.create<arith::ConstantIndexOp>(loc, 1);
  Value zero64 = b.create<arith::ConstantIntOp>(loc, i64, 0);
  Value zero8 = b.create<arith::ConstantIntOp>(loc, i8, 0);
  Value thread = b.create<gpu::GlobalIdOp>(loc, gpu::Dimension::x);
  Value threads = b.create<arith::MulIOp>(
      loc, b.create<gpu::GridDimOp>(loc, gpu::Dimension::x),
      b.create<gpu::BlockDimOp>(loc, gpu::Dimension::x));
  auto perTarget =
      b.create<scf::ForOp>(loc, thread, index(b, targets), threads);
  OpBuilder tb = OpBuilder::atBlockBegin(perTarget.getBody());
  Value t = perTarget.getInductionVar();
  Value from = index(tb, tb.create<memref::LoadOp>(loc, postPtr, t));
  Value next = tb.create<arith::AddIOp>(loc, t, c1);
  Value to = index(tb, tb.create<memref::LoadOp>(loc, postPtr, next));
  auto perSynapse = tb.create<scf::ForOp>(loc, from, to, c1);
  OpBuilder sb = OpBuilder::atBlockBegin(perSynapse.getBody());
  Value syn = index(sb, sb.create<memref::LoadOp>(
                            loc, postSyn, perSynapse.getInductionVar()));
  Value source = sb.create<memref::LoadOp>(loc, srcs, syn);
  Value delay = sb.create<arith::ExtSIOp>(
      loc, i64, sb.create<memref::LoadOp>(loc, delays, syn));
  Value when = sb.create<arith::SubIOp>(loc, step, delay);
  auto elapsed = sb.create<scf::IfOp>(
      loc,
      sb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, when, zero64),
      /*withElse=*/false);
  OpBuilder eb = OpBuilder::atBlockBegin(elapsed.thenBlock());
  Value slot = index(eb, eb.create<arith::RemSIOp>(loc, when, depth));
  Value at = eb.create<arith::AddIOp>(
      loc, eb.create<arith::MulIOp>(loc, slot, index(eb, size)),
      index(eb, source));
  Value flag = eb.create<memref::LoadOp>(loc, flags, at);
  auto spiked = eb.create<scf::IfOp>(
      loc, eb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, flag, zero8),
      /*withElse=*/false);
  OpBuilder body = OpBuilder::atBlockBegin(spiked.thenBlock());
  body.setInsertionPoint(spiked.thenBlock()->getTerminator());
  map.map(spike.getResult(), source);
  for (Operation &op : loop.getBody()->without_terminator())
    if (needed.contains(&op))
      body.clone(op, map);
  map.map(row.getInductionVar(), syn);
  for (Operation &op : row.getBody()->without_terminator())
    body.clone(op, map);
  b.create<gpu::ReturnOp>(loc);
}

/// The parameters of the GPU kernels made of kernel `fn` of `kind`: its
/// arguments, then those of NEURO_GPU_<KIND>_ARG_* in ABI.h.
SmallVector<Type> gpuParameterTypes(func::FuncOp fn, KernelKind kind) {
  MLIRContext *ctx = fn.getContext();
  Type i64 = IntegerType::get(ctx, 64);
  auto buffer = [](Type t) {
    return MemRefType::get({ShapedType::kDynamic}, t);
  };
  SmallVector<Type> types(fn.getArgumentTypes());
  types.resize(gpuParameters(kind));
  if (int count = spikeCountParameter(kind); count >= 0)
    types[count] = buffer(IntegerType::get(ctx, 32));
  if (kind == KernelKind::Deliver) {
    types[NEURO_GPU_DELIVER_ARG_DELAYS] = buffer(i64);
    for (int arg :
         {NEURO_GPU_DELIVER_ARG_DEPTH, NEURO_GPU_DELIVER_ARG_LIST_SIZE,
          NEURO_GPU_DELIVER_ARG_ROW_STRIDE, NEURO_GPU_DELIVER_ARG_FIRST_GROUP,
          NEURO_GPU_DELIVER_ARG_END_GROUP})
      types[arg] = i64;
  }
  return types;
}

/// The length of `kernel`'s spike list `list` is on the device: every size
/// query of the list becomes a load of element 0 of `count`.
void countOnDevice(gpu::GPUFuncOp kernel, Value list, Value count) {
  SmallVector<memref::DimOp> dims;
  kernel.walk([&](memref::DimOp d) {
    if (d.getSource() == list)
      dims.push_back(d);
  });
  for (memref::DimOp d : dims) {
    OpBuilder db(d);
    Value c0 = db.create<arith::ConstantIndexOp>(d.getLoc(), 0);
    Value n = db.create<memref::LoadOp>(d.getLoc(), count, ValueRange{c0});
    d.replaceAllUsesWith(
        db.create<arith::IndexCastOp>(d.getLoc(), db.getIndexType(), n)
            .getResult());
    d.erase();
  }
}

struct ConvertKernelsToGPU
    : public neuro::impl::ConvertKernelsToGPUBase<ConvertKernelsToGPU> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (KernelAttr kernel = getKernelAttr(fn);
          kernel && kernel.runsEveryStep() && !fn.isExternal())
        kernels.push_back(fn);
    if (kernels.empty())
      return;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto gpuModule =
        b.create<gpu::GPUModuleOp>(module.getLoc(), "neuro_kernels");
    for (func::FuncOp fn : kernels)
      if (failed(outline(fn, getKernelAttr(fn), gpuModule)))
        return signalPassFailure();
    // Step kernels set flags; the spike lists are made from them.
    if (llvm::any_of(kernels, [](func::FuncOp fn) {
          return getKernelAttr(fn).getKind() == KernelKind::Step;
        }))
      buildSpikeListKernels(gpuModule, module.getLoc());

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

  LogicalResult outline(func::FuncOp fn, KernelAttr kernelAttr,
                        gpu::GPUModuleOp gpuModule) {
    KernelKind kind = kernelAttr.getKind();
    int arguments = rt::numArguments(kernelAttr.getRuntimeKind());
    if (fn.getNumArguments() != unsigned(arguments))
      return fn.emitError("'")
             << fn.getName() << "' is marked " << kernelAttr << " but takes "
             << fn.getNumArguments() << " arguments, not " << arguments;
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

    // The kernel's spike list, if it has one.
    int listArg = spikeListArgument(kind);
    Value spikes = listArg >= 0 ? fn.getArgument(listArg) : Value();
    // Deliveries that can pull their inputs get a thread-per-target kernel
    // too; the runtime picks one of the two per projection and batch.
    if (kind == KernelKind::Deliver && loops.size() == 1)
      if (scf::ForOp row = rowLoop(loops.front(), spikes))
        buildPullKernel(fn, loops.front(), row, gpuModule);
    SmallVector<Type> argTypes = gpuParameterTypes(fn, kind);
    for (auto [k, loop] : llvm::enumerate(loops)) {
      std::string name = fn.getName().str();
      if (loops.size() > 1)
        name += NEURO_GPU_PART_SEPARATOR + std::to_string(k);
      OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
      auto kernel = mb.create<gpu::GPUFuncOp>(fn.getLoc(), name,
                                              mb.getFunctionType(argTypes, {}));
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      mb.getUnitAttr());
      setKernelAttr(kernel, kernelAttr);
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
      llvm::SmallPtrSet<Operation *, 16> needed =
          definingOps(used.getArrayRef());
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
          rowLoop(loop, spikes);
      Value thread, threads;
      if (perBlock) {
        thread = b.create<gpu::BlockIdOp>(loc, gpu::Dimension::x);
        threads = b.create<gpu::GridDimOp>(loc, gpu::Dimension::x);
        // Run by a block per spike (see Passes.td).
        NeuroDialect::RowParallelAttrHelper(b.getContext())
            .setAttr(kernel, b.getUnitAttr());
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

      if (listArg >= 0)
        countOnDevice(kernel, kernel.getArgument(listArg),
                      kernel.getArgument(spikeCountParameter(kind)));
      if (kind != KernelKind::Step && kind != KernelKind::Reset) {
        int syn = synapseRowsArgument(kind);
        makeAccumulationsAtomic(strided.getBody(), strided.getInductionVar(),
                                listArg >= 0 ? kernel.getArgument(listArg)
                                             : Value(),
                                syn >= 0 ? kernel.getArgument(syn) : Value());
      }
      if (kind == KernelKind::Deliver && failed(groupDelays(kernel)))
        return failure();
    }
    return success();
  }
};

} // namespace
