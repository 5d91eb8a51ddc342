//===- ProjectionKernels.cpp - Event and update kernels of a projection ---===//
//
// The kernels of a projection, over `syn` (its synapse rows, [rows][synapses]
// in CSR order), `post` and `pre` (the states of its target and source) and
// `mods` (mods[0]: the plasticity flag, then its modulators):
//
//   neuro_deliver_<net>_<proj>(spikes, row_ptr, stride, part, cols, syn,
//                              post, pre, mods, step, seed)
//       `on pre` for the synapses of every source that spiked whose targets
//       lie in part `part` of the targets (row_ptr[s * stride + part] ..
//       row_ptr[s * stride + part + 1]); exists even without `on pre`
//   neuro_deliver_post_<net>_<proj>(spikes, col_ptr, syn_index, srcs, syn,
//                                   post, pre, mods, step, seed)
//       `on post` for the synapses syn_index[col_ptr[t] .. col_ptr[t + 1]]
//       onto every target t that spiked
//   neuro_update_<net>_<proj>(srcs, cols, syn, post, pre, mods, step)
//       every step: the summed drives into their target rows (cleared
//       first) and the clock-driven equations, from the values at the start
//       of the step
//
// An event first advances the synapse's states solved between events
// (neuro.decay) from its last event (row `_lastupdate`). The weight changes
// only while the projection is plastic; a write to a target state that the
// target holds while refractory is discarded then.
//
//===----------------------------------------------------------------------===//

#include "ProjectionKernels.h"

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

/// The weight of `proj` when it is the same constant for every synapse and
/// nothing changes or records it (before its statements become kernels),
/// but for a run setting it when `settable` is false.
static std::optional<double> findConstantWeight(ProjectionOp proj,
                                                bool settable = true) {
  Block &body = proj.getBody().front();
  StringRef weight;
  for (auto w : body.getOps<WeightOp>())
    weight = w.getSymName();
  // Weights from a file are per synapse whatever the model says; a weight
  // the runtime may set stays a row.
  if (weight.empty() || proj.getRule() == "file" ||
      (settable && proj.getWeightRow()))
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
    else if (auto d = dyn_cast<DecayOp>(op)) {
      written |= d.getVar() == weight;
      // A state relaxing toward the weight reads its row.
      if (auto inputs = d.getInputs())
        for (Attribute input : *inputs)
          written |= cast<FlatSymbolRefAttr>(input).getValue() == weight;
    } else if (auto s = dyn_cast<DecaySystemOp>(op)) {
      if (auto inputs = s.getInputs())
        for (Attribute input : *inputs)
          written |= cast<FlatSymbolRefAttr>(input).getValue() == weight;
    }
    // A state's initial value read from the weight needs its row.
    else if (auto r = dyn_cast<RefOp>(op))
      written |= !r.getPost() && !r.getPre() && r.getName() == weight &&
                 r->getParentOfType<InitExprOp>();
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

LogicalResult KernelBuilder::convertProjection(ProjectionOp proj) {
  // The same weight for every synapse, never changed: a constant in the
  // kernels, no row in memory (synapseRowNames and the runtime read the
  // attribute).
  std::optional<double> fixedWeight = findConstantWeight(proj);
  if (fixedWeight)
    NeuroDialect::ConstantWeightAttrHelper(b.getContext())
        .setAttr(proj, b.getF64FloatAttr(*fixedWeight));
  // A row only because a run may set it: after the others (Streams.h).
  else if (proj.getWeightRow() && findConstantWeight(proj, false))
    NeuroDialect::TunedAttrHelper(b.getContext())
        .setAttr(proj, b.getUnitAttr());
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
  kernelDt = network.getDt().convertToDouble();
  ProjectionKernels kernels(*this, proj, source, target, fixedWeight);
  if (failed(kernels.buildDeliverKernel()) ||
      failed(kernels.buildDeliverPostKernels()) ||
      failed(kernels.buildSumKernel()) || failed(kernels.buildUpdateKernel()))
    return failure();
  if (kernels.needsSources)
    NeuroDialect::NeedsSourcesAttrHelper(b.getContext())
        .setAttr(proj, b.getUnitAttr());
  // The decays stay: with the declarations they describe the projection's
  // rows to the runtime (synapseRowNames).
  return success();
}

ProjectionKernels::ProjectionKernels(KernelBuilder &k, ProjectionOp proj,
                                     PopulationOp source, PopulationOp target,
                                     std::optional<double> fixedWeight)
    : k(k), b(k.b), proj(proj), source(source), target(target),
      postRows(rowIndex<StateOp>(target.getBody().front())),
      preRows(rowIndex<StateOp>(source.getBody().front())),
      fixedWeight(fixedWeight) {
  Block &body = proj.getBody().front();
  for (const std::string &name : synapseRowNames(proj))
    synRows[name] = static_cast<int64_t>(synRows.size());
  for (auto m : body.getOps<ModulatorOp>())
    modSlots[m.getSymName()] = static_cast<int64_t>(modSlots.size()) + 1;
  for (auto w : body.getOps<WeightOp>())
    weight = w.getSymName();
  decays.assign(body.getOps<DecayOp>().begin(), body.getOps<DecayOp>().end());
  systems.assign(body.getOps<DecaySystemOp>().begin(),
                 body.getOps<DecaySystemOp>().end());
}

//===----------------------------------------------------------------------===//
// Synapse code
//===----------------------------------------------------------------------===//

Value ProjectionKernels::sourceOf(SynapseContext &c, Location l) {
  if (!c.src) {
    needsSources = true;
    c.src = k.loadIndex(l, c.srcs, c.j);
  }
  return c.src;
}

FailureOr<Value> ProjectionKernels::readSynapseVar(SynapseContext &c,
                                                   RefOp ref) {
  Location l = ref.getLoc();
  if (ref.getPre()) {
    auto it = preRows.find(ref.getName());
    if (it == preRows.end())
      return ref.emitOpError("names no state of the source population");
    return k.load2d(l, c.pre, it->second, sourceOf(c, l));
  }
  if (ref.getPost()) {
    auto it = postRows.find(ref.getName());
    if (it == postRows.end())
      return ref.emitOpError("names no state of the target population");
    return k.load2d(l, c.post, it->second, c.tgt);
  }
  if (auto it = modSlots.find(ref.getName()); it != modSlots.end())
    return b
        .create<memref::LoadOp>(l, c.mods, ValueRange{k.index(l, it->second)})
        .getResult();
  if (fixedWeight && ref.getName() == weight)
    return k.f64Constant(l, *fixedWeight);
  auto it = synRows.find(ref.getName());
  if (it == synRows.end())
    return ref.emitOpError("names no synapse variable");
  return k.load2d(l, c.syn, it->second, c.j);
}

void ProjectionKernels::writeSynapseRow(SynapseContext &c, Location l,
                                        StringRef name, Value v) {
  int64_t row = synRows.lookup(name);
  if (name == weight)
    v = b.create<arith::SelectOp>(l, c.plastic, v,
                                  k.load2d(l, c.syn, row, c.j));
  k.store2d(l, v, c.syn, row, c.j);
}

LogicalResult ProjectionKernels::writeSynapseVar(SynapseContext &c,
                                                 AssignOp assign, Value v) {
  Location l = assign.getLoc();
  if (assign.getPost()) {
    auto it = postRows.find(assign.getName());
    if (it == postRows.end())
      return assign.emitOpError("names no state of the target population");
    // A state the target holds while refractory ignores the write then
    // (Brian2's and NEST's rule).
    auto r = k.refractoriness.find(target.getSymName());
    if (r != k.refractoriness.end() && r->second.any() &&
        r->second.clamped.contains(assign.getName())) {
      FailureOr<Value> keep =
          notRefractoryAt(l, target.getSymName(), c.post, c.tgt, c.now,
                          /*beforeThreshold=*/false, postRows);
      if (failed(keep))
        return failure();
      v = guardedWrite(l, v, *keep, c.post, it->second, c.tgt);
    }
    k.store2d(l, v, c.post, it->second, c.tgt);
    return success();
  }
  if (!synRows.count(assign.getName()))
    return assign.emitOpError("names no synapse variable");
  writeSynapseRow(c, l, assign.getName(), v);
  return success();
}

FailureOr<Value> ProjectionKernels::endNotRefractory(SynapseContext &c,
                                                     NotRefractoryOp op) {
  Location l = op.getLoc();
  Value at = c.refractoryAt ? c.refractoryAt : c.now;
  if (!op.getPre())
    return notRefractoryAt(l, target.getSymName(), c.post, c.tgt, at,
                           c.beforeThreshold, postRows);
  Value src = sourceOf(c, l);
  return notRefractoryAt(l, source.getSymName(), c.pre, src, at,
                         c.beforeThreshold, preRows);
}

Value ProjectionKernels::lastSpikeOf(SynapseContext &c, LastSpikeOp op) {
  Location l = op.getLoc();
  if (op.getPre())
    return k.lastSpikeSeconds(l, c.pre, preRows, sourceOf(c, l));
  return k.lastSpikeSeconds(l, c.post, postRows, c.tgt);
}

FailureOr<Value>
ProjectionKernels::notRefractoryAt(Location loc, StringRef pop, Value state,
                                   Value at, Value now, bool beforeThreshold,
                                   const llvm::StringMap<int64_t> &rows) {
  auto it = k.refractoriness.find(pop);
  auto last = rows.find("_lastspike");
  if (it == k.refractoriness.end() || last == rows.end())
    return b.create<arith::ConstantOp>(loc, b.getBoolAttr(true)).getResult();
  Value lastSpike = k.load2d(loc, state, last->second, at);
  Value free;
  if (auto held = rows.find("_refractory"); held != rows.end()) {
    // A refractory condition: the row says whether it still holds.
    free = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ,
                                   k.load2d(loc, state, held->second, at),
                                   k.f64Constant(loc, 0.0));
  } else {
    // A period per neuron reads the neuron's own rows.
    FailureOr<Value> steps =
        k.refractorySteps(loc, it->second, [&](RefOp ref) -> FailureOr<Value> {
          auto row = rows.find(ref.getName());
          if (row == rows.end())
            return ref.emitOpError("names no row of population '")
                   << pop << "'";
          return k.load2d(ref.getLoc(), state, row->second, at);
        });
    if (failed(steps))
      return failure();
    Value since = b.create<arith::SubFOp>(loc, now, lastSpike);
    free =
        b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, since, *steps);
    // A period under one step still holds for the rest of the spike's step.
    if (it->second.fromSpike && !beforeThreshold)
      free = b.create<arith::AndIOp>(
          loc, free,
          b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::ONE, lastSpike,
                                  now));
  }
  if (!beforeThreshold)
    return free;
  Value spiked =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, lastSpike, now);
  return b.create<arith::OrIOp>(loc, free, spiked).getResult();
}

Value ProjectionKernels::guardedWrite(Location loc, Value value, Value keep,
                                      Value mem, int64_t row, Value at) {
  auto isOld = [&](Value v) {
    auto load = v.getDefiningOp<memref::LoadOp>();
    return load && load.getMemref() == mem && load.getIndices().size() == 2 &&
           load.getIndices()[0] == k.index(loc, row) &&
           load.getIndices()[1] == at;
  };
  Value zero = k.f64Constant(loc, 0.0);
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
  return b.create<arith::SelectOp>(loc, keep, value,
                                   k.load2d(loc, mem, row, at));
}

Value ProjectionKernels::plasticFlag(Location loc, Value mods) {
  Value flag = b.create<memref::LoadOp>(loc, mods, ValueRange{k.index(loc, 0)});
  return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, flag,
                                 k.f64Constant(loc, 0.0));
}

//===----------------------------------------------------------------------===//
// Update kernel
//===----------------------------------------------------------------------===//

func::FuncOp ProjectionKernels::synapseKernel(Location loc, KernelKind kind,
                                              SynapseContext &c) {
  Type args[NEURO_UPDATE_NUM_ARGS];
  args[NEURO_UPDATE_ARG_SRCS] = args[NEURO_UPDATE_ARG_COLS] =
      k.vectorType(b.getI32Type());
  args[NEURO_UPDATE_ARG_SYN] = args[NEURO_UPDATE_ARG_POST] =
      args[NEURO_UPDATE_ARG_PRE] = k.stateType();
  args[NEURO_UPDATE_ARG_MODS] = k.vectorType(k.f64());
  args[NEURO_UPDATE_ARG_STEP] = b.getI64Type();
  auto fn = k.createKernel(loc, kind, proj.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  c.srcs = fn.getArgument(NEURO_UPDATE_ARG_SRCS);
  c.syn = fn.getArgument(NEURO_UPDATE_ARG_SYN);
  c.post = fn.getArgument(NEURO_UPDATE_ARG_POST);
  c.pre = fn.getArgument(NEURO_UPDATE_ARG_PRE);
  c.mods = fn.getArgument(NEURO_UPDATE_ARG_MODS);
  c.plastic = plasticFlag(loc, c.mods);
  Value stepF = b.create<arith::SIToFPOp>(
      loc, k.f64(), fn.getArgument(NEURO_UPDATE_ARG_STEP));
  c.now = stepF;
  k.kernelTime = k.stepTime(loc, stepF, k.kernelDt);
  k.kernelNotRefractory = [this, &c](NotRefractoryOp op) {
    return endNotRefractory(c, op);
  };
  return fn;
}

void ProjectionKernels::synapseLoop(Location loc, func::FuncOp fn,
                                    SynapseContext &c) {
  Value one = k.index(loc, 1);
  Value cols = fn.getArgument(NEURO_UPDATE_ARG_COLS);
  Value nsyn = b.create<memref::DimOp>(loc, cols, k.index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, k.index(loc, 0), nsyn, one);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  c.j = loop.getInductionVar();
  c.tgt = k.loadIndex(loc, cols, c.j);
}

LogicalResult ProjectionKernels::buildSumKernel() {
  Block &body = proj.getBody().front();
  SmallVector<DrivesOp> summed(body.getOps<DrivesOp>());
  if (summed.empty())
    return success();
  SmallVector<int64_t> sumRows;
  for (DrivesOp d : summed) {
    auto it = postRows.find(d.getIntoAttr() ? d.getIntoAttr().getValue()
                                            : StringRef());
    if (it == postRows.end())
      return d.emitOpError("has no row of the target population to sum "
                           "into (run neuro-elaborate)");
    sumRows.push_back(it->second);
  }
  Location loc = proj.getLoc();
  SynapseContext c;
  func::FuncOp fn = synapseKernel(loc, KernelKind::Sum, c);
  c.refractoryAt = b.create<arith::SubFOp>(loc, c.now, k.f64Constant(loc, 1.0));
  {
    // Every target's sums start from zero.
    Value one = k.index(loc, 1);
    Value n = b.create<memref::DimOp>(loc, c.post, one);
    auto clear = b.create<scf::ForOp>(loc, k.index(loc, 0), n, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(clear.getBody()->getTerminator());
    for (int64_t row : sumRows)
      k.store2d(loc, k.f64Constant(loc, 0.0), c.post, row,
                clear.getInductionVar());
  }
  synapseLoop(loc, fn, c);
  llvm::StringMap<Value> x;
  LogicalResult result = sumDrives(c, summed, sumRows, x);
  k.kernelTime = Value();
  k.kernelNotRefractory = nullptr;
  for (DrivesOp d : summed)
    d.erase();
  return result;
}

LogicalResult ProjectionKernels::buildUpdateKernel() {
  Block &body = proj.getBody().front();
  SmallVector<OdeOp> odes(body.getOps<OdeOp>());
  if (failed(k.checkOneMethod(odes, "projection")))
    return failure();
  if (odes.empty())
    return success();
  Location loc = proj.getLoc();
  SynapseContext c;
  c.beforeThreshold = true;
  func::FuncOp fn = synapseKernel(loc, KernelKind::Update, c);
  synapseLoop(loc, fn, c);
  // Values at the start of the step, each read once.
  llvm::StringMap<Value> x;
  LogicalResult result = integrateSynapses(c, odes, x);
  k.kernelTime = Value();
  k.kernelNotRefractory = nullptr;
  for (OdeOp ode : odes)
    ode.erase();
  return result;
}

FailureOr<Value> ProjectionKernels::readAtStepStart(SynapseContext &c,
                                                    llvm::StringMap<Value> &x,
                                                    RefOp ref) {
  std::string key = KernelBuilder::refKey(ref);
  auto it = x.find(key);
  if (it != x.end())
    return it->second;
  FailureOr<Value> v = readSynapseVar(c, ref);
  if (succeeded(v))
    x[key] = *v;
  return v;
}

LogicalResult ProjectionKernels::sumDrives(SynapseContext &c,
                                           SmallVectorImpl<DrivesOp> &summed,
                                           ArrayRef<int64_t> sumRows,
                                           llvm::StringMap<Value> &x) {
  auto readOnce = [&](RefOp ref) { return readAtStepStart(c, x, ref); };
  auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
    return a.emitOpError("cannot assign here");
  };
  for (auto [d, row] : llvm::zip(summed, sumRows)) {
    auto v = k.inlineRegion(d.getValue(), readOnce, noWrite);
    if (failed(v))
      return failure();
    Location l = d.getLoc();
    Value acc = k.load2d(l, c.post, row, c.tgt);
    k.store2d(l, b.create<arith::AddFOp>(l, acc, (*v)[0]), c.post, row, c.tgt);
  }
  return success();
}

LogicalResult ProjectionKernels::integrateSynapses(SynapseContext &c,
                                                   SmallVectorImpl<OdeOp> &odes,
                                                   llvm::StringMap<Value> &x) {
  // Everything the equations read, then one step of them.
  for (OdeOp ode : odes) {
    FailureOr<Value> self = [&]() -> FailureOr<Value> {
      auto it = x.find(ode.getVar());
      if (it != x.end())
        return it->second;
      Value v =
          k.load2d(ode.getLoc(), c.syn, synRows.lookup(ode.getVar()), c.j);
      x[ode.getVar()] = v;
      return v;
    }();
    WalkResult r = ode.getRhs().walk([&](RefOp ref) {
      return failed(readAtStepStart(c, x, ref)) ? WalkResult::interrupt()
                                                : WalkResult::advance();
    });
    if (failed(self) || r.wasInterrupted())
      return failure();
  }
  llvm::StringMap<Value> next;
  if (failed(k.integrateNumerically(odes, x, Value(), k.kernelDt, next)))
    return failure();
  for (OdeOp ode : odes)
    writeSynapseRow(c, ode.getLoc(), ode.getVar(), next[ode.getVar()]);
  return success();
}
