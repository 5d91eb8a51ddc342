//===- NeuroToKernels.cpp - Populations and projections to step kernels ---===//
//
// Outlines the per-step work of an integrated network into functions with the
// signatures of runtime/include/neuro/Runtime/ABI.h:
//
//   neuro_step_<net>_<pop>(state: memref<?x?xf64>, spiked: memref<?xi8>, i64)
//   neuro_reset_<net>_<pop>(spikes: memref<?xi32>, state: memref<?x?xf64>)
//   neuro_deliver_<net>_<proj>(spikes, row_ptr: memref<?xi64>,
//                              cols: memref<?xi32>, syn, post, pre,
//                              mods: memref<?xf64>, step: i64)
//   neuro_deliver_post_<net>_<proj>(spikes, col_ptr: memref<?xi64>,
//                                   syn_index: memref<?xi64>,
//                                   srcs: memref<?xi32>, syn, post, pre,
//                                   mods, step)
//   neuro_update_<net>_<proj>(srcs, cols, syn, post, pre, mods, step)
//   neuro_init_<net>_<pop>(state, seed)
//   neuro_connect_<net>_<proj>(i: i64, j: i64, pre, post, seed) -> f64
//   neuro_syninit_<net>_<proj>(srcs, cols, syn, pre, post, seed)
//
// Refractoriness follows Brian2: with R the refractory period in steps and
// `_lastspike` the step of the last spike, a neuron is refractory in step k
// while k - _lastspike < R: its `unless refractory` states are held and it
// cannot spike.
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Streams.h"

#include "mlir/IR/IRMapping.h"

#include <cmath>

namespace neuro {
#define GEN_PASS_DEF_CONVERTNEUROTOKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

std::string neuro::stepKernelName(StringRef network, StringRef population) {
  return ("neuro_step_" + network + "_" + population).str();
}
std::string neuro::resetKernelName(StringRef network, StringRef population) {
  return ("neuro_reset_" + network + "_" + population).str();
}
std::string neuro::deliverKernelName(StringRef network, StringRef projection) {
  return ("neuro_deliver_" + network + "_" + projection).str();
}
std::string neuro::deliverPostKernelName(StringRef network,
                                         StringRef projection) {
  return ("neuro_deliver_post_" + network + "_" + projection).str();
}
std::string neuro::updateKernelName(StringRef network, StringRef projection) {
  return ("neuro_update_" + network + "_" + projection).str();
}
std::string neuro::initKernelName(StringRef network, StringRef population) {
  return ("neuro_init_" + network + "_" + population).str();
}
std::string neuro::deriveKernelName(StringRef network, StringRef population) {
  return ("neuro_derive_" + network + "_" + population).str();
}
std::string neuro::connectKernelName(StringRef network, StringRef projection) {
  return ("neuro_connect_" + network + "_" + projection).str();
}
std::string neuro::synInitKernelName(StringRef network, StringRef projection) {
  return ("neuro_syninit_" + network + "_" + projection).str();
}

std::optional<double> neuro::constantWeight(Operation *projection) {
  if (auto attr = projection->getAttrOfType<FloatAttr>(kConstantWeightAttr))
    return attr.getValueAsDouble();
  return std::nullopt;
}

/// The weight of `proj` when it is the same constant for every synapse and
/// nothing changes or records it (before its statements become kernels).
static std::optional<double> findConstantWeight(ProjectionOp proj) {
  Block &body = proj.getBody().front();
  StringRef weight;
  for (auto w : body.getOps<WeightOp>())
    weight = w.getSymName();
  // Weights from a file are per synapse whatever the model says; a weight
  // the runtime may set stays a row.
  if (weight.empty() || proj.getRule() == "file" || proj.getWeightRow())
    return std::nullopt;
  std::optional<double> value;
  for (auto init : body.getOps<InitConstOp>())
    if (init.getVar() == weight)
      value = init.getValue().convertToDouble();
  if (!value)
    return std::nullopt;
  // Nothing may change it: no statement assigns it, no equation moves it.
  bool written = false;
  proj.walk([&](Operation *op) {
    if (auto a = dyn_cast<AssignOp>(op))
      written |= !a.getPost() && a.getName() == weight;
    else if (auto o = dyn_cast<OdeOp>(op))
      written |= o.getVar() == weight;
    else if (auto d = dyn_cast<DecayOp>(op))
      written |= d.getVar() == weight;
  });
  // Nor may it be recorded.
  if (auto network = proj->getParentOfType<NetworkOp>())
    for (auto rec : network.getBody().getOps<RecordSynapsesOp>())
      if (rec.getProjection() == proj.getSymName())
        for (Attribute var : rec.getVars())
          written |= cast<FlatSymbolRefAttr>(var).getValue() == weight;
  if (written)
    return std::nullopt;
  return value;
}

std::vector<std::string> neuro::synapseRowNames(Operation *projection) {
  std::vector<std::string> rows;
  Block &body = cast<ProjectionOp>(projection).getBody().front();
  if (!constantWeight(projection))
    for (auto w : body.getOps<WeightOp>())
      rows.push_back(w.getSymName().str());
  for (auto s : body.getOps<StateOp>())
    rows.push_back(s.getSymName().str());
  if (!body.getOps<DecayOp>().empty())
    rows.push_back("_lastupdate");
  return rows;
}

/// The random stream of init call site `site`: row 2048 + site of the
/// population's (projection's) init streams, apart from its rows' and
/// from row 4095 (drawn delays).
static uint32_t initSite(uint32_t site) { return 2048 + site % 2047; }

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

LogicalResult KernelBuilder::convertInits(PopulationOp pop) {
  SmallVector<InitExprOp> inits(pop.getBody().getOps<InitExprOp>());
  SmallVector<OdeOp> exact(pop.getBody().getOps<OdeOp>());
  if (inits.empty() && exact.empty())
    return success();
  SmallVector<InitExprOp> derived;
  for (InitExprOp init : inits)
    if (init.getDerived())
      derived.push_back(init);
  if (failed(buildInitKernel(
          pop, initKernelName(network.getSymName(), pop.getSymName()), inits,
          exact)))
    return failure();
  if ((!derived.empty() || !exact.empty()) &&
      failed(buildInitKernel(
          pop, deriveKernelName(network.getSymName(), pop.getSymName()),
          derived, exact)))
    return failure();
  for (OdeOp ode : exact)
    ode.erase();
  return success();
}

LogicalResult KernelBuilder::buildInitKernel(PopulationOp pop, StringRef name,
                                             ArrayRef<InitExprOp> inits,
                                             SmallVectorImpl<OdeOp> &exact) {
  llvm::StringMap<int64_t> rows = rowIndex<StateOp>(pop.getBody().front());
  Location loc = pop.getLoc();
  auto fn = createKernel(loc, name, {stateType(), b.getI64Type()});
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value state = fn.getArgument(0);
  Value n = b.create<memref::DimOp>(loc, state, index(loc, 1));
  auto loop = b.create<scf::ForOp>(loc, index(loc, 0), n, index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i = loop.getInductionVar();
  uint32_t popIndex = populationIndex(pop);
  kernelSeed = fn.getArgument(1);
  kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);
  kernelStep = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  kernelIndexSelf = b.create<arith::SIToFPOp>(loc, f64(), kernelIndex);
  kernelStreamOf = [&](uint32_t site) {
    return rt::streams::neuronInit(popIndex, initSite(site));
  };
  // The neuron's own rows (parameters set per neuron), as set so far.
  auto readRow = [&](RefOp ref) -> FailureOr<Value> {
    auto row = rows.find(ref.getName());
    if (ref.getPost() || ref.getPre() || row == rows.end())
      return ref.emitOpError("an initial value of a population reads only "
                             "the population's own rows");
    return load2d(ref.getLoc(), state, row->second, i);
  };
  auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
    return a.emitOpError("cannot assign here");
  };
  for (InitExprOp init : inits) {
    auto row = rows.find(init.getVar());
    if (row == rows.end())
      return init.emitOpError("names no state of the population");
    auto v = inlineRegion(init.getValue(), readRow, noWrite);
    if (failed(v))
      return failure();
    store2d(init.getLoc(), (*v)[0], state, row->second, i);
  }
  // After the initial values: the propagators may depend on them.
  if (!exact.empty()) {
    kernelDt = network.getDt().convertToDouble();
    if (failed(buildPropagators(pop, exact, rows, state, i)))
      return failure();
  }
  resetKernelValues();
  return success();
}

void KernelBuilder::resetKernelValues() {
  kernelTime = kernelSeed = kernelIndex = kernelStep = Value();
  kernelIndexSelf = kernelIndexPre = kernelIndexPost = Value();
  kernelStreamOf = nullptr;
  kernelNotRefractory = nullptr;
}

LogicalResult KernelBuilder::convertSynapseInits(ProjectionOp proj) {
  auto lookupPop = [&](FlatSymbolRefAttr name) {
    return dyn_cast_or_null<PopulationOp>(
        SymbolTable::lookupSymbolIn(network, name.getAttr()));
  };
  PopulationOp source = lookupPop(proj.getSourceAttr());
  PopulationOp target = lookupPop(proj.getTargetAttr());
  llvm::StringMap<int64_t> preRows =
      rowIndex<StateOp>(source.getBody().front());
  llvm::StringMap<int64_t> postRows =
      rowIndex<StateOp>(target.getBody().front());
  Value pre, post, i, j;
  auto read = [&](RefOp ref) -> FailureOr<Value> {
    const llvm::StringMap<int64_t> &rows = ref.getPre() ? preRows : postRows;
    auto it = rows.find(ref.getName());
    if ((!ref.getPre() && !ref.getPost()) || it == rows.end())
      return ref.emitOpError("names no state of the source or target");
    return load2d(ref.getLoc(), ref.getPre() ? pre : post, it->second,
                  ref.getPre() ? i : j);
  };
  auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
    return a.emitOpError("cannot assign here");
  };
  uint32_t projIndex = 0;
  for (auto other : network.getBody().getOps<ProjectionOp>()) {
    if (other == proj)
      break;
    ++projIndex;
  }
  Block &body = proj.getBody().front();
  for (auto rule : llvm::make_early_inc_range(body.getOps<ConnectRuleOp>())) {
    Location loc = rule.getLoc();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    auto fn = b.create<func::FuncOp>(
        loc, connectKernelName(network.getSymName(), proj.getSymName()),
        b.getFunctionType({b.getI64Type(), b.getI64Type(), stateType(),
                           stateType(), b.getI64Type()},
                          {f64()}));
    fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    kernelEntry = fn.addEntryBlock();
    indexConstants.clear();
    floatConstants.clear();
    b.setInsertionPointToEnd(kernelEntry);
    i = b.create<arith::IndexCastOp>(loc, b.getIndexType(), fn.getArgument(0));
    j = b.create<arith::IndexCastOp>(loc, b.getIndexType(), fn.getArgument(1));
    pre = fn.getArgument(2);
    post = fn.getArgument(3);
    kernelIndexPre = b.create<arith::SIToFPOp>(loc, f64(), fn.getArgument(0));
    kernelIndexPost = b.create<arith::SIToFPOp>(loc, f64(), fn.getArgument(1));
    auto p = inlineRegion(rule.getProbability(), read, noWrite);
    if (failed(p))
      return failure();
    b.create<func::ReturnOp>(loc, (*p)[0]);
    resetKernelValues();
    rule.erase();
  }
  SmallVector<InitExprOp> inits(body.getOps<InitExprOp>());
  if (inits.empty())
    return success();
  llvm::StringMap<int64_t> synRows;
  for (const std::string &name : synapseRowNames(proj))
    synRows[name] = static_cast<int64_t>(synRows.size());
  synRows["_delay"] = static_cast<int64_t>(synRows.size());
  Location loc = proj.getLoc();
  Type i32Vector = vectorType(b.getI32Type());
  auto fn = createKernel(
      loc, synInitKernelName(network.getSymName(), proj.getSymName()),
      {i32Vector, i32Vector, stateType(), stateType(), stateType(),
       b.getI64Type()});
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value cols = fn.getArgument(1), syn = fn.getArgument(2);
  pre = fn.getArgument(3);
  post = fn.getArgument(4);
  Value nsyn = b.create<memref::DimOp>(loc, cols, index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, index(loc, 0), nsyn, index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value s = loop.getInductionVar();
  i = loadIndex(loc, fn.getArgument(0), s);
  j = loadIndex(loc, cols, s);
  kernelSeed = fn.getArgument(5);
  kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), s);
  kernelStep = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  kernelIndexPre = b.create<arith::SIToFPOp>(
      loc, f64(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), i));
  kernelIndexPost = b.create<arith::SIToFPOp>(
      loc, f64(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), j));
  kernelStreamOf = [&](uint32_t site) {
    return rt::streams::synapseInit(projIndex, initSite(site));
  };
  for (InitExprOp init : inits) {
    auto row = synRows.find(init.getVar());
    if (row == synRows.end())
      return init.emitOpError("names no synapse variable");
    auto v = inlineRegion(init.getValue(), read, noWrite);
    if (failed(v))
      return failure();
    store2d(init.getLoc(), (*v)[0], syn, row->second, s);
  }
  resetKernelValues();
  return success();
}

func::FuncOp KernelBuilder::createKernel(Location loc, StringRef name,
                                         ArrayRef<Type> inputs) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto fn =
      b.create<func::FuncOp>(loc, name, b.getFunctionType(inputs, TypeRange{}));
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
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

void KernelBuilder::store2d(Location loc, Value value, Value mem, int64_t row,
                            Value col) {
  b.create<memref::StoreOp>(loc, value, mem, ValueRange{index(loc, row), col});
}

Value KernelBuilder::loadIndex(Location loc, Value mem, Value at) {
  Value v = b.create<memref::LoadOp>(loc, mem, ValueRange{at});
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v);
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
        return op.emitOpError("noise is only available in equations "
                              "integrated with euler_maruyama");
      mapping.map(op.getResult(0), kernelNoise);
    } else if (isa<TimeStepOp>(op)) {
      mapping.map(op.getResult(0), f64Constant(op.getLoc(), kernelDt));
    } else if (auto nr = dyn_cast<NotRefractoryOp>(op)) {
      if (!kernelNotRefractory)
        return op.emitOpError("refractoriness is not available here");
      FailureOr<Value> v = kernelNotRefractory(nr);
      if (failed(v))
        return failure();
      mapping.map(nr.getResult(), *v);
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

uint32_t KernelBuilder::populationIndex(PopulationOp pop) {
  uint32_t n = 0;
  for (auto other : network.getBody().getOps<PopulationOp>()) {
    if (other == pop)
      return n;
    ++n;
  }
  return n;
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

/// Where the synapse code of a kernel finds its variables: synapse `j`
/// from source `src` onto target `tgt`; `src` is loaded from `srcs` on
/// first use when not given.
struct KernelBuilder::SynapseContext {
  Value syn, post, pre, mods, j, tgt, src, srcs, plastic;
  /// The step (f64) the kernel runs in.
  Value now;
};

Value KernelBuilder::notRefractoryAt(Location loc, StringRef pop, Value state,
                                     Value at, Value now,
                                     const llvm::StringMap<int64_t> &rows) {
  auto it = refractoriness.find(pop);
  auto last = rows.find("_lastspike");
  if (it == refractoriness.end() || last == rows.end())
    return b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
  Value since =
      b.create<arith::SubFOp>(loc, now, load2d(loc, state, last->second, at));
  return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, since,
                                 f64Constant(loc, it->second.steps));
}

Value KernelBuilder::guardedWrite(Location loc, Value value, Value keep,
                                  Value mem, int64_t row, Value at) {
  auto isOld = [&](Value v) {
    auto load = v.getDefiningOp<memref::LoadOp>();
    return load && load.getMemref() == mem && load.getIndices().size() == 2 &&
           load.getIndices()[0] == index(loc, row) &&
           load.getIndices()[1] == at;
  };
  Value zero = f64Constant(loc, 0.0);
  if (auto add = value.getDefiningOp<arith::AddFOp>()) {
    if (isOld(add.getLhs()) || isOld(add.getRhs())) {
      bool lhsOld = isOld(add.getLhs());
      Value old = lhsOld ? add.getLhs() : add.getRhs();
      Value d = lhsOld ? add.getRhs() : add.getLhs();
      return b.create<arith::AddFOp>(
          loc, old, b.create<arith::SelectOp>(loc, keep, d, zero));
    }
  }
  if (auto sub = value.getDefiningOp<arith::SubFOp>();
      sub && isOld(sub.getLhs()))
    return b.create<arith::SubFOp>(
        loc, sub.getLhs(),
        b.create<arith::SelectOp>(loc, keep, sub.getRhs(), zero));
  return b.create<arith::SelectOp>(loc, keep, value, load2d(loc, mem, row, at));
}

Value KernelBuilder::plasticFlag(Location loc, Value mods) {
  Value flag = b.create<memref::LoadOp>(loc, mods, ValueRange{index(loc, 0)});
  return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, flag,
                                 f64Constant(loc, 0.0));
}

LogicalResult KernelBuilder::convertProjection(ProjectionOp proj) {
  // The same weight for every synapse, never changed: a constant in the
  // kernels, no row in memory (synapseRowNames and the runtime read the
  // attribute).
  std::optional<double> fixedWeight = findConstantWeight(proj);
  if (fixedWeight)
    proj->setAttr(kConstantWeightAttr, b.getF64FloatAttr(*fixedWeight));
  if (proj.getSynapseAttr())
    return proj.emitOpError("must be elaborated before conversion to "
                            "kernels");
  auto lookupPop = [&](FlatSymbolRefAttr name) {
    return dyn_cast_or_null<PopulationOp>(
        SymbolTable::lookupSymbolIn(network, name.getAttr()));
  };
  PopulationOp target = lookupPop(proj.getTargetAttr());
  PopulationOp source = lookupPop(proj.getSourceAttr());
  if (!target || !source)
    return proj.emitOpError("unknown source or target population");
  llvm::StringMap<int64_t> postRows =
      rowIndex<StateOp>(target.getBody().front());
  llvm::StringMap<int64_t> preRows =
      rowIndex<StateOp>(source.getBody().front());
  Block &body = proj.getBody().front();
  llvm::StringMap<int64_t> synRows;
  for (const std::string &name : synapseRowNames(proj))
    synRows[name] = static_cast<int64_t>(synRows.size());
  // mods[0] is the plasticity flag, modulators follow.
  llvm::StringMap<int64_t> modSlots;
  for (auto m : body.getOps<ModulatorOp>())
    modSlots[m.getSymName()] = static_cast<int64_t>(modSlots.size()) + 1;
  StringRef weight;
  for (auto w : body.getOps<WeightOp>())
    weight = w.getSymName();
  SmallVector<DecayOp> decays(body.getOps<DecayOp>());
  kernelDt = network.getDt().convertToDouble();
  Location loc = proj.getLoc();
  bool needsSources = false;

  // Reads and writes of synapse code.
  auto read = [&](SynapseContext &c, RefOp ref) -> FailureOr<Value> {
    Location l = ref.getLoc();
    if (ref.getPre()) {
      auto it = preRows.find(ref.getName());
      if (it == preRows.end())
        return ref.emitOpError("names no state of the source population");
      if (!c.src) {
        needsSources = true;
        c.src = loadIndex(l, c.srcs, c.j);
      }
      return load2d(l, c.pre, it->second, c.src);
    }
    if (ref.getPost()) {
      auto it = postRows.find(ref.getName());
      if (it == postRows.end())
        return ref.emitOpError("names no state of the target population");
      return load2d(l, c.post, it->second, c.tgt);
    }
    if (auto it = modSlots.find(ref.getName()); it != modSlots.end())
      return b
          .create<memref::LoadOp>(l, c.mods, ValueRange{index(l, it->second)})
          .getResult();
    if (fixedWeight && ref.getName() == weight)
      return f64Constant(l, *fixedWeight);
    auto it = synRows.find(ref.getName());
    if (it == synRows.end())
      return ref.emitOpError("names no synapse variable");
    return load2d(l, c.syn, it->second, c.j);
  };
  // The weight changes only while the projection is plastic.
  auto writeSyn = [&](SynapseContext &c, Location l, StringRef name, Value v) {
    int64_t row = synRows.lookup(name);
    if (name == weight)
      v = b.create<arith::SelectOp>(l, c.plastic, v,
                                    load2d(l, c.syn, row, c.j));
    store2d(l, v, c.syn, row, c.j);
  };
  auto write = [&](SynapseContext &c, AssignOp assign,
                   Value v) -> LogicalResult {
    Location l = assign.getLoc();
    if (assign.getPost()) {
      auto it = postRows.find(assign.getName());
      if (it == postRows.end())
        return assign.emitOpError("names no state of the target population");
      // A state the target holds while refractory ignores the write then
      // (Brian2's and NEST's rule).
      auto r = refractoriness.find(target.getSymName());
      if (r != refractoriness.end() && r->second.steps > 0.0 &&
          r->second.clamped.contains(assign.getName()))
        v = guardedWrite(l, v,
                         notRefractoryAt(l, target.getSymName(), c.post, c.tgt,
                                         c.now, postRows),
                         c.post, it->second, c.tgt);
      store2d(l, v, c.post, it->second, c.tgt);
      return success();
    }
    if (!synRows.count(assign.getName()))
      return assign.emitOpError("names no synapse variable");
    writeSyn(c, l, assign.getName(), v);
    return success();
  };

  // The refractoriness of a synapse's target or source in step c.now.
  auto endNotRefractory = [&](SynapseContext &c,
                              NotRefractoryOp op) -> FailureOr<Value> {
    Location l = op.getLoc();
    if (!op.getPre())
      return notRefractoryAt(l, target.getSymName(), c.post, c.tgt, c.now,
                             postRows);
    if (!c.src) {
      needsSources = true;
      c.src = loadIndex(l, c.srcs, c.j);
    }
    return notRefractoryAt(l, source.getSymName(), c.pre, c.src, c.now,
                           preRows);
  };

  // Synapse `c.j` sees an event in the step `now` (as f64): advance its
  // per-synapse states from its last event, then run the statements.
  auto eventBody = [&](Region &region, SynapseContext &c,
                       Value now) -> LogicalResult {
    c.now = now;
    kernelNotRefractory = [&](NotRefractoryOp op) {
      return endNotRefractory(c, op);
    };
    if (!decays.empty()) {
      int64_t luRow = synRows.lookup("_lastupdate");
      Location l = decays.front().getLoc();
      Value n = b.create<arith::SubFOp>(l, now, load2d(l, c.syn, luRow, c.j));
      for (DecayOp decay : decays) {
        Location dl = decay.getLoc();
        double rate = decay.getRate().convertToDouble();
        double offset = decay.getOffset().convertToDouble();
        int64_t row = synRows.lookup(decay.getVar());
        Value x = load2d(dl, c.syn, row, c.j);
        Value next;
        if (rate == 0.0) {
          next = b.create<arith::AddFOp>(
              dl, x,
              b.create<arith::MulFOp>(dl, n,
                                      f64Constant(dl, offset * kernelDt)));
        } else {
          Value arg =
              b.create<arith::MulFOp>(dl, n, f64Constant(dl, rate * kernelDt));
          if (offset == 0.0) {
            next =
                b.create<arith::MulFOp>(dl, x, b.create<math::ExpOp>(dl, arg));
          } else {
            // x + (rate x + offset) expm1(rate h) / rate
            Value slope = b.create<arith::AddFOp>(
                dl, b.create<arith::MulFOp>(dl, x, f64Constant(dl, rate)),
                f64Constant(dl, offset));
            next = b.create<arith::AddFOp>(
                dl, x,
                b.create<arith::MulFOp>(
                    dl, slope,
                    b.create<arith::DivFOp>(dl,
                                            b.create<math::ExpM1Op>(dl, arg),
                                            f64Constant(dl, rate))));
          }
        }
        store2d(dl, next, c.syn, row, c.j);
      }
      store2d(l, now, c.syn, luRow, c.j);
    }
    LogicalResult result = failure(failed(inlineRegion(
        region, [&](RefOp ref) { return read(c, ref); },
        [&](AssignOp a, Value v) { return write(c, a, v); })));
    kernelNotRefractory = nullptr;
    return result;
  };

  Type i32Vector = vectorType(b.getI32Type());
  Type i64Vector = vectorType(b.getI64Type());
  Type f64Vector = vectorType(f64());

  // Both event kernels take (spikes, ptr, lists..., syn, post, pre, mods,
  // step) and walk, for every neuron s that spiked, the entries
  // ptr[s]..ptr[s+1] of its synapse list; the caller maps s and the entry
  // q to the synapse and its ends. A `partitioned` kernel takes (spikes,
  // ptr, stride, part, lists..., ...) and walks ptr[s * stride + part] ..
  // ptr[s * stride + part + 1]: the part of each row whose targets lie in
  // one range (the runtime delivers the parts on different threads).
  struct EventLoop {
    SynapseContext c;
    Value now, s, q;
    func::FuncOp fn;
  };
  auto eventLoop = [&](Location l, StringRef name, ArrayRef<Type> lists,
                       bool partitioned) {
    SmallVector<Type> args{i32Vector, i64Vector};
    if (partitioned)
      args.append({b.getI64Type(), b.getI64Type()});
    args.append(lists.begin(), lists.end());
    unsigned state = args.size();
    args.append(
        {stateType(), stateType(), stateType(), f64Vector, b.getI64Type()});
    EventLoop e;
    e.fn = createKernel(l, name, args);
    b.setInsertionPoint(e.fn.getBody().front().getTerminator());
    e.c.syn = e.fn.getArgument(state);
    e.c.post = e.fn.getArgument(state + 1);
    e.c.pre = e.fn.getArgument(state + 2);
    e.c.mods = e.fn.getArgument(state + 3);
    e.c.plastic = plasticFlag(l, e.c.mods);
    Value spikes = e.fn.getArgument(0), ptr = e.fn.getArgument(1);
    e.now = b.create<arith::SIToFPOp>(l, f64(), e.fn.getArgument(state + 4));
    Value one = index(l, 1);
    Value m = b.create<memref::DimOp>(l, spikes, index(l, 0));
    auto outer = b.create<scf::ForOp>(l, index(l, 0), m, one);
    b.setInsertionPoint(outer.getBody()->getTerminator());
    e.s = loadIndex(l, spikes, outer.getInductionVar());
    Value at = e.s;
    if (partitioned) {
      auto asIndex = [&](Value v) {
        return b.create<arith::IndexCastOp>(l, b.getIndexType(), v);
      };
      // One op per statement: a deterministic order in the IR.
      Value part = asIndex(e.fn.getArgument(3));
      Value stride = asIndex(e.fn.getArgument(2));
      Value first = b.create<arith::MulIOp>(l, e.s, stride);
      at = b.create<arith::AddIOp>(l, first, part);
    }
    Value lo = loadIndex(l, ptr, at);
    Value hi = loadIndex(l, ptr, b.create<arith::AddIOp>(l, at, one));
    auto inner = b.create<scf::ForOp>(l, lo, hi, one);
    b.setInsertionPoint(inner.getBody()->getTerminator());
    e.q = inner.getInductionVar();
    return e;
  };

  // on pre: deliver(spikes, rowPtr, stride, part, cols, ...): spike s
  // reaches synapses j = rowPtr[s * stride + part] .. rowPtr[s * stride +
  // part + 1] onto targets cols[j]. The kernel exists
  // even without `on pre`.
  {
    EventLoop e = eventLoop(
        loc, deliverKernelName(network.getSymName(), proj.getSymName()),
        {i32Vector}, /*partitioned=*/true);
    e.c.j = e.q;
    e.c.src = e.s;
    e.c.tgt = loadIndex(loc, e.fn.getArgument(4), e.c.j);
    for (auto on : llvm::make_early_inc_range(body.getOps<OnPreOp>())) {
      if (failed(eventBody(on.getBody(), e.c, e.now)))
        return failure();
      on.erase();
    }
  }

  // on post: deliver_post(spikes, colPtr, synIndex, srcs, ...): target t
  // that spiked reaches synapses synIndex[colPtr[t]..colPtr[t+1]].
  for (auto on : llvm::make_early_inc_range(body.getOps<OnPostOp>())) {
    Location l = on.getLoc();
    EventLoop e = eventLoop(
        l, deliverPostKernelName(network.getSymName(), proj.getSymName()),
        {i64Vector, i32Vector}, /*partitioned=*/false);
    e.c.srcs = e.fn.getArgument(3);
    e.c.tgt = e.s;
    e.c.j = loadIndex(l, e.fn.getArgument(2), e.q);
    if (failed(eventBody(on.getBody(), e.c, e.now)))
      return failure();
    on.erase();
  }

  // Every step: update(srcs, cols, syn, post, pre, mods, step) sums the
  // per-synapse drives into their target rows and integrates the
  // clock-driven equations, all from the values at the start of the step.
  SmallVector<OdeOp> odes(body.getOps<OdeOp>());
  SmallVector<DrivesOp> summed(body.getOps<DrivesOp>());
  if (failed(checkOneMethod(odes, "projection")))
    return failure();
  if (!odes.empty() || !summed.empty()) {
    auto fn = createKernel(
        loc, updateKernelName(network.getSymName(), proj.getSymName()),
        {i32Vector, i32Vector, stateType(), stateType(), stateType(), f64Vector,
         b.getI64Type()});
    b.setInsertionPoint(fn.getBody().front().getTerminator());
    SynapseContext c;
    c.srcs = fn.getArgument(0);
    c.syn = fn.getArgument(2);
    c.post = fn.getArgument(3);
    c.pre = fn.getArgument(4);
    c.mods = fn.getArgument(5);
    c.plastic = plasticFlag(loc, c.mods);
    Value stepF = b.create<arith::SIToFPOp>(loc, f64(), fn.getArgument(6));
    c.now = stepF;
    kernelTime =
        b.create<arith::MulFOp>(loc, stepF, f64Constant(loc, kernelDt));
    kernelNotRefractory = [&](NotRefractoryOp op) {
      return endNotRefractory(c, op);
    };
    Value one = index(loc, 1);
    SmallVector<int64_t> sumRows;
    for (DrivesOp d : summed) {
      auto it = postRows.find(d.getIntoAttr() ? d.getIntoAttr().getValue()
                                              : StringRef());
      if (it == postRows.end())
        return d.emitOpError("has no row of the target population to sum "
                             "into (run neuro-elaborate)");
      sumRows.push_back(it->second);
    }
    if (!sumRows.empty()) {
      Value n = b.create<memref::DimOp>(loc, c.post, one);
      auto clear = b.create<scf::ForOp>(loc, index(loc, 0), n, one);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(clear.getBody()->getTerminator());
      for (int64_t row : sumRows)
        store2d(loc, f64Constant(loc, 0.0), c.post, row,
                clear.getInductionVar());
    }
    Value cols = fn.getArgument(1);
    Value nsyn = b.create<memref::DimOp>(loc, cols, index(loc, 0));
    auto loop = b.create<scf::ForOp>(loc, index(loc, 0), nsyn, one);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    c.j = loop.getInductionVar();
    c.tgt = loadIndex(loc, cols, c.j);
    auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
      return a.emitOpError("cannot assign here");
    };
    // Values at the start of the step, each read once.
    llvm::StringMap<Value> x;
    auto readOnce = [&](RefOp ref) -> FailureOr<Value> {
      std::string key = refKey(ref);
      auto it = x.find(key);
      if (it != x.end())
        return it->second;
      FailureOr<Value> v = read(c, ref);
      if (succeeded(v))
        x[key] = *v;
      return v;
    };
    for (auto [d, row] : llvm::zip(summed, sumRows)) {
      auto v = inlineRegion(d.getValue(), readOnce, noWrite);
      if (failed(v))
        return failure();
      Location l = d.getLoc();
      Value acc = load2d(l, c.post, row, c.tgt);
      store2d(l, b.create<arith::AddFOp>(l, acc, (*v)[0]), c.post, row, c.tgt);
    }
    if (!odes.empty()) {
      // Everything the equations read, then one step of them.
      for (OdeOp ode : odes) {
        FailureOr<Value> self = [&]() -> FailureOr<Value> {
          auto it = x.find(ode.getVar());
          if (it != x.end())
            return it->second;
          Value v =
              load2d(ode.getLoc(), c.syn, synRows.lookup(ode.getVar()), c.j);
          x[ode.getVar()] = v;
          return v;
        }();
        WalkResult r = ode.getRhs().walk([&](RefOp ref) {
          return failed(readOnce(ref)) ? WalkResult::interrupt()
                                       : WalkResult::advance();
        });
        if (failed(self) || r.wasInterrupted())
          return failure();
      }
      llvm::StringMap<Value> next;
      if (failed(integrateNumerically(odes, x, Value(), kernelDt, next)))
        return failure();
      for (OdeOp ode : odes)
        writeSyn(c, ode.getLoc(), ode.getVar(), next[ode.getVar()]);
    }
    kernelTime = Value();
    kernelNotRefractory = nullptr;
    for (OdeOp ode : odes)
      ode.erase();
    for (DrivesOp d : summed)
      d.erase();
  }
  if (needsSources)
    proj->setAttr("neuro.needs_sources", b.getUnitAttr());
  // The decays stay: with the declarations they describe the projection's
  // rows to the runtime (synapseRowNames).
  return success();
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