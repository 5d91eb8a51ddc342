//===- NeuroToKernels.cpp - Networks to the kernels the runtime calls -----===//
//
// convert-neuro-to-kernels turns each network into functions with the C
// interface and the signatures of runtime/include/neuro/Runtime/ABI.h (state,
// syn, post, pre: memref<?x?xf64>; spiked: memref<?xi8>; spikes, cols, srcs:
// memref<?xi32>; row_ptr, col_ptr, syn_index: memref<?xi64>; mods:
// memref<?xf64>; the rest i64; the order of each kind's arguments is
// NEURO_<KIND>_ARG_*), each marked #neuro.kernel<kind, "owner">, built by
// kind:
//
//   PopulationKernels.cpp  neuro_step_<net>_<pop>(state, spiked, step, seed,
//                          begin, end), neuro_reset_<net>_<pop>(spikes, state)
//   ProjectionKernels.cpp  neuro_deliver_<net>_<proj>(spikes, row_ptr, stride,
//                          part, cols, syn, post, pre, mods, step),
//                          neuro_deliver_post_<net>_<proj>(spikes, col_ptr,
//                          syn_index, srcs, syn, post, pre, mods, step),
//                          neuro_update_<net>_<proj>(srcs, cols, syn, post,
//                          pre, mods, step)
//   InitKernels.cpp        neuro_init_<net>_<pop>(state, seed),
//                          neuro_derive_<net>_<pop>(state, seed),
//                          neuro_connect_<net>_<proj>(i, j, pre, post, seed)
//                          -> f64, neuro_syninit_<net>_<proj>(srcs, cols, syn,
//                          pre, post, seed)
//   NumericalMethods.cpp   the equations in the step and update kernels, the
//                          per-neuron propagators in the init kernels
//
// Populations given by spike times or a Poisson rate have no kernels. What
// remains of a network is what the runtime reads: states (with the rows the
// kernels add: `_lastspike`, propagator entries), initial values,
// projections and recordings.
// This file holds the pass, which also adds `neuro_abi_version() -> i64`
// (NEURO_ABI_VERSION) once per module, the creation of each kernel (its
// symbol, C interface and #neuro.kernel), the rows of a projection's
// synapses, and what every kernel uses: constants at the kernel's entry,
// row access and the inlining of neuro regions.
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"
#include "neuro/Runtime/Kernels.h"

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Streams.h"

#include "mlir/IR/IRMapping.h"

namespace neuro {
#define GEN_PASS_DEF_CONVERTNEUROTOKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

// The names are the runtime's (rt::kernelName), which binds them.
std::string neuro::kernelName(KernelKind kind, StringRef network,
                              StringRef owner) {
  return rt::kernelName(runtimeKind(kind), network.str(), owner.str());
}

std::optional<double> neuro::constantWeight(Operation *projection) {
  if (FloatAttr attr =
          NeuroDialect::ConstantWeightAttrHelper(projection->getContext())
              .getAttr(projection))
    return attr.getValueAsDouble();
  return std::nullopt;
}

std::vector<std::string> neuro::synapseRowNames(Operation *projection) {
  std::vector<std::string> rows;
  Block &body = cast<ProjectionOp>(projection).getBody().front();
  // A weight that is a row only because a run may set it comes after the
  // states, whose random streams are keyed by their row (Streams.h).
  bool tuned = NeuroDialect::TunedAttrHelper(projection->getContext())
                   .getAttr(projection) != nullptr;
  auto weights = [&] {
    if (!constantWeight(projection))
      for (auto w : body.getOps<WeightOp>())
        rows.push_back(w.getSymName().str());
  };
  if (!tuned)
    weights();
  for (auto s : body.getOps<StateOp>())
    rows.push_back(s.getSymName().str());
  if (tuned)
    weights();
  if (!body.getOps<DecayOp>().empty() || !body.getOps<DecaySystemOp>().empty())
    rows.push_back("_lastupdate");
  return rows;
}

LogicalResult neuro::checkSynapseRowCount(Operation *projection) {
  size_t rows = synapseRowNames(projection).size();
  if (int64_t(rows) <= rt::streams::kMaxRows)
    return success();
  return projection->emitError()
         << "projection '" << cast<ProjectionOp>(projection).getSymName()
         << "' has " << rows << " variables per synapse; at most "
         << rt::streams::kMaxRows << " are supported";
}

LogicalResult KernelBuilder::run() {
  for (auto pop : network.getBody().getOps<PopulationOp>())
    if (!pop.getSpikeTimes() && !pop.getPoissonRate() &&
        (failed(convertPopulation(pop)) || failed(convertInits(pop))))
      return failure();
  for (auto proj : network.getBody().getOps<ProjectionOp>())
    if (failed(convertProjection(proj)) || failed(convertSynapseInits(proj)))
      return failure();
  return success();
}

void KernelBuilder::resetKernelValues() {
  kernelTime = kernelSeed = kernelIndex = kernelStep = Value();
  kernelIndexSelf = kernelIndexPre = kernelIndexPost = Value();
  kernelStreamOf = nullptr;
  kernelNotRefractory = nullptr;
  kernelLastSpike = nullptr;
  kernelDegree = nullptr;
}

func::FuncOp KernelBuilder::declareKernel(Location loc, KernelKind kind,
                                          StringRef owner, FunctionType type) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn = b.create<func::FuncOp>(
      loc, kernelName(kind, network.getSymName(), owner), type);
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  setKernelAttr(fn, KernelAttr::get(b.getContext(), kind, owner));
  return fn;
}

func::FuncOp KernelBuilder::createKernel(Location loc, KernelKind kind,
                                         StringRef owner,
                                         ArrayRef<Type> inputs) {
  OpBuilder::InsertionGuard guard(b);
  func::FuncOp fn =
      declareKernel(loc, kind, owner, b.getFunctionType(inputs, TypeRange{}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  b.create<func::ReturnOp>(loc);
  kernelEntry = entry;
  indexConstants.clear();
  floatConstants.clear();
  return fn;
}

Value KernelBuilder::index(Location loc, int64_t v) {
  Value &c = indexConstants[v];
  if (!c) {
    OpBuilder eb = OpBuilder::atBlockBegin(kernelEntry);
    c = eb.create<arith::ConstantIndexOp>(loc, v);
  }
  return c;
}

Value KernelBuilder::f64Constant(Location loc, double v) {
  Value &c = floatConstants[llvm::bit_cast<uint64_t>(v)];
  if (!c) {
    OpBuilder eb = OpBuilder::atBlockBegin(kernelEntry);
    c = eb.create<arith::ConstantOp>(loc, eb.getF64FloatAttr(v));
  }
  return c;
}

Value KernelBuilder::load2d(Location loc, Value mem, int64_t row, Value col) {
  return b.create<memref::LoadOp>(loc, mem, ValueRange{index(loc, row), col});
}

Value KernelBuilder::lastSpikeSeconds(Location loc, Value state,
                                      const llvm::StringMap<int64_t> &rows,
                                      Value at) {
  auto last = rows.find("_lastspike");
  Value steps = last == rows.end() ? f64Constant(loc, kNeverSpiked)
                                   : load2d(loc, state, last->second, at);
  return stepTime(loc, steps, network.getDt().convertToDouble());
}

Value KernelBuilder::stepTime(Location loc, Value steps, double scale) {
  auto product = b.create<arith::MulFOp>(loc, steps, f64Constant(loc, scale));
  NeuroDialect::StepTimeAttrHelper(b.getContext())
      .setAttr(product, b.getUnitAttr());
  return product;
}

void KernelBuilder::store2d(Location loc, Value value, Value mem, int64_t row,
                            Value col) {
  b.create<memref::StoreOp>(loc, value, mem, ValueRange{index(loc, row), col});
}

Value KernelBuilder::loadIndex(Location loc, Value mem, Value at) {
  Value v = b.create<memref::LoadOp>(loc, mem, ValueRange{at});
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v);
}

/// Maps the result of `op` to what the kernel's `hook` makes of it, or
/// reports `missing` where the kernel being built has none.
template <typename OpT>
static LogicalResult mapByHook(OpT op,
                               const std::function<FailureOr<Value>(OpT)> &hook,
                               StringRef missing, IRMapping &mapping) {
  if (!hook)
    return op.emitOpError(missing);
  FailureOr<Value> v = hook(op);
  if (failed(v))
    return failure();
  mapping.map(op.getResult(), *v);
  return success();
}

FailureOr<SmallVector<Value>> KernelBuilder::inlineRegion(
    Region &region, llvm::function_ref<FailureOr<Value>(RefOp)> read,
    llvm::function_ref<LogicalResult(AssignOp, Value)> write) {
  IRMapping mapping;
  for (Operation &op : region.front()) {
    if (auto ref = dyn_cast<RefOp>(op)) {
      FailureOr<Value> v = read(ref);
      if (failed(v))
        return failure();
      mapping.map(ref.getResult(), *v);
    } else if (auto assign = dyn_cast<AssignOp>(op)) {
      if (failed(write(assign, mapping.lookup(assign.getValue()))))
        return failure();
    } else if (isa<TimeOp>(op)) {
      if (!kernelTime)
        return op.emitOpError("the time is not available here");
      mapping.map(op.getResult(0), kernelTime);
    } else if (isa<NoiseOp>(op)) {
      if (!kernelNoise)
        return op.emitOpError(
            "noise is only available in equations "
            "integrated with euler_maruyama, heun or milstein");
      mapping.map(op.getResult(0), kernelNoise);
    } else if (isa<TimeStepOp>(op)) {
      mapping.map(op.getResult(0), f64Constant(op.getLoc(), kernelDt));
    } else if (auto nr = dyn_cast<NotRefractoryOp>(op)) {
      if (failed(mapByHook(nr, kernelNotRefractory,
                           "refractoriness is not available here", mapping)))
        return failure();
    } else if (auto last = dyn_cast<LastSpikeOp>(op)) {
      if (failed(mapByHook(last, kernelLastSpike,
                           "the last spike is not available here", mapping)))
        return failure();
    } else if (auto degree = dyn_cast<DegreeOp>(op)) {
      if (failed(mapByHook(degree, kernelDegree,
                           "synapse counts are only available in a "
                           "synapse's initial values",
                           mapping)))
        return failure();
    } else if (isa<RandOp, RandNormalOp>(op)) {
      if (!kernelSeed)
        return op.emitOpError("random numbers are not available here");
      uint32_t site = isa<RandOp>(op) ? cast<RandOp>(op).getSite()
                                      : cast<RandNormalOp>(op).getSite();
      Value stream = b.create<arith::ConstantOp>(
          op.getLoc(), b.getI32IntegerAttr(static_cast<int32_t>(
                           kernelStreamOf ? kernelStreamOf(site)
                                          : rt::streams::generated(
                                                kernelPopulation, site))));
      auto call = b.create<func::CallOp>(
          op.getLoc(),
          runtimeFunction(isa<RandOp>(op) ? "neuro_rt_uniform"
                                          : "neuro_rt_normal"),
          ValueRange{kernelSeed, stream, kernelIndex, kernelStep});
      mapping.map(op.getResult(0), call.getResult(0));
    } else if (auto index = dyn_cast<IndexOp>(op)) {
      Value v = index.getWhich() == "pre"    ? kernelIndexPre
                : index.getWhich() == "post" ? kernelIndexPost
                                             : kernelIndexSelf;
      if (!v)
        return op.emitOpError("this index is not available here");
      mapping.map(index.getResult(), v);
    } else if (auto yield = dyn_cast<YieldOp>(op)) {
      SmallVector<Value> results;
      for (Value v : yield.getValues())
        results.push_back(mapping.lookup(v));
      return results;
    } else {
      b.clone(op, mapping);
    }
  }
  return SmallVector<Value>();
}

/// The position of `op` among the ops of its kind in `network`.
template <typename OpT> static uint32_t positionIn(NetworkOp network, OpT op) {
  uint32_t n = 0;
  for (auto other : network.getBody().getOps<OpT>()) {
    if (other == op)
      return n;
    ++n;
  }
  return n;
}

uint32_t KernelBuilder::populationIndex(PopulationOp pop) {
  return positionIn(network, pop);
}

uint32_t KernelBuilder::projectionIndex(ProjectionOp proj) {
  return positionIn(network, proj);
}

func::FuncOp KernelBuilder::runtimeFunction(StringRef name) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
  auto fn = mb.create<func::FuncOp>(
      module.getLoc(), name,
      mb.getFunctionType(
          {mb.getI64Type(), mb.getI32Type(), mb.getI64Type(), mb.getI64Type()},
          {mb.getF64Type()}));
  fn.setPrivate();
  return fn;
}

std::string KernelBuilder::refKey(RefOp ref) {
  return ((ref.getPost()  ? "post:"
           : ref.getPre() ? "pre:"
                          : "") +
          ref.getName())
      .str();
}

namespace {

struct ConvertNeuroToKernelsPass
    : neuro::impl::ConvertNeuroToKernelsBase<ConvertNeuroToKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<NetworkOp> networks(module.getOps<NetworkOp>());
    for (NetworkOp network : networks)
      if (failed(KernelBuilder(module, network).run()))
        return signalPassFailure();
    // The version of the runtime contract these kernels were built for.
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    if (!module.lookupSymbol("neuro_abi_version") && !networks.empty()) {
      Location loc = networks.front().getLoc();
      auto fn = b.create<func::FuncOp>(loc, "neuro_abi_version",
                                       b.getFunctionType({}, {b.getI64Type()}));
      b.setInsertionPointToEnd(fn.addEntryBlock());
      Value v = b.create<arith::ConstantOp>(
          loc, b.getI64IntegerAttr(NEURO_ABI_VERSION));
      b.create<func::ReturnOp>(loc, v);
    }
  }
};

} // namespace