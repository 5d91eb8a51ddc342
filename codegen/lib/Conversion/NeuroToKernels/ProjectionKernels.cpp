//===- ProjectionKernels.cpp - Event and update kernels of a projection ---===//
//
// The kernels of a projection, over `syn` (its synapse rows, [rows][synapses]
// in CSR order), `post` and `pre` (the states of its target and source) and
// `mods` (mods[0]: the plasticity flag, then its modulators):
//
//   neuro_deliver_<net>_<proj>(spikes, row_ptr, stride, part, cols, syn,
//                              post, pre, mods, step)
//       `on pre` for the synapses of every source that spiked whose targets
//       lie in part `part` of the targets (row_ptr[s * stride + part] ..
//       row_ptr[s * stride + part + 1]); exists even without `on pre`
//   neuro_deliver_post_<net>_<proj>(spikes, col_ptr, syn_index, srcs, syn,
//                                   post, pre, mods, step)
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

#include "NeuroToKernelsInternal.h"

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

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

/// What the kernels of a projection read and write.
struct KernelBuilder::ProjectionLayout {
  ProjectionOp proj;
  PopulationOp source, target;
  /// The rows of the target's and the source's states and of the synapses.
  llvm::StringMap<int64_t> postRows, preRows, synRows;
  /// mods[0] is the plasticity flag, modulators follow.
  llvm::StringMap<int64_t> modSlots;
  StringRef weight;
  /// The weight of every synapse when it is a constant (no row).
  std::optional<double> fixedWeight;
  SmallVector<DecayOp> decays;
  /// Whether a kernel loads the source of its synapses from `srcs`.
  bool needsSources = false;
};

/// Where the synapse code of a kernel finds its variables: synapse `j`
/// from source `src` onto target `tgt`; `src` is loaded from `srcs` on
/// first use when not given.
struct KernelBuilder::SynapseContext {
  Value syn, post, pre, mods, j, tgt, src, srcs, plastic;
  /// The step (f64) the kernel runs in.
  Value now;
};

/// An event kernel inside its two loops: for every neuron `s` that spiked,
/// the entries `q` of its synapse list.
struct KernelBuilder::EventLoop {
  SynapseContext c;
  Value now, s, q;
  func::FuncOp fn;
};

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
  ProjectionLayout p;
  p.proj = proj;
  p.source = source;
  p.target = target;
  p.postRows = rowIndex<StateOp>(target.getBody().front());
  p.preRows = rowIndex<StateOp>(source.getBody().front());
  Block &body = proj.getBody().front();
  for (const std::string &name : synapseRowNames(proj))
    p.synRows[name] = static_cast<int64_t>(p.synRows.size());
  for (auto m : body.getOps<ModulatorOp>())
    p.modSlots[m.getSymName()] = static_cast<int64_t>(p.modSlots.size()) + 1;
  for (auto w : body.getOps<WeightOp>())
    p.weight = w.getSymName();
  p.fixedWeight = fixedWeight;
  p.decays.assign(body.getOps<DecayOp>().begin(), body.getOps<DecayOp>().end());
  kernelDt = network.getDt().convertToDouble();

  if (failed(buildDeliverKernel(p)) || failed(buildDeliverPostKernels(p)) ||
      failed(buildUpdateKernel(p)))
    return failure();
  if (p.needsSources)
    proj->setAttr("neuro.needs_sources", b.getUnitAttr());
  // The decays stay: with the declarations they describe the projection's
  // rows to the runtime (synapseRowNames).
  return success();
}

//===----------------------------------------------------------------------===//
// Synapse code
//===----------------------------------------------------------------------===//

Value KernelBuilder::sourceOf(ProjectionLayout &p, SynapseContext &c,
                              Location l) {
  if (!c.src) {
    p.needsSources = true;
    c.src = loadIndex(l, c.srcs, c.j);
  }
  return c.src;
}

FailureOr<Value> KernelBuilder::readSynapseVar(ProjectionLayout &p,
                                               SynapseContext &c, RefOp ref) {
  Location l = ref.getLoc();
  if (ref.getPre()) {
    auto it = p.preRows.find(ref.getName());
    if (it == p.preRows.end())
      return ref.emitOpError("names no state of the source population");
    return load2d(l, c.pre, it->second, sourceOf(p, c, l));
  }
  if (ref.getPost()) {
    auto it = p.postRows.find(ref.getName());
    if (it == p.postRows.end())
      return ref.emitOpError("names no state of the target population");
    return load2d(l, c.post, it->second, c.tgt);
  }
  if (auto it = p.modSlots.find(ref.getName()); it != p.modSlots.end())
    return b.create<memref::LoadOp>(l, c.mods, ValueRange{index(l, it->second)})
        .getResult();
  if (p.fixedWeight && ref.getName() == p.weight)
    return f64Constant(l, *p.fixedWeight);
  auto it = p.synRows.find(ref.getName());
  if (it == p.synRows.end())
    return ref.emitOpError("names no synapse variable");
  return load2d(l, c.syn, it->second, c.j);
}

void KernelBuilder::writeSynapseRow(ProjectionLayout &p, SynapseContext &c,
                                    Location l, StringRef name, Value v) {
  int64_t row = p.synRows.lookup(name);
  if (name == p.weight)
    v = b.create<arith::SelectOp>(l, c.plastic, v, load2d(l, c.syn, row, c.j));
  store2d(l, v, c.syn, row, c.j);
}

LogicalResult KernelBuilder::writeSynapseVar(ProjectionLayout &p,
                                             SynapseContext &c, AssignOp assign,
                                             Value v) {
  Location l = assign.getLoc();
  if (assign.getPost()) {
    auto it = p.postRows.find(assign.getName());
    if (it == p.postRows.end())
      return assign.emitOpError("names no state of the target population");
    // A state the target holds while refractory ignores the write then
    // (Brian2's and NEST's rule).
    auto r = refractoriness.find(p.target.getSymName());
    if (r != refractoriness.end() && r->second.steps > 0.0 &&
        r->second.clamped.contains(assign.getName()))
      v = guardedWrite(l, v,
                       notRefractoryAt(l, p.target.getSymName(), c.post, c.tgt,
                                       c.now, p.postRows),
                       c.post, it->second, c.tgt);
    store2d(l, v, c.post, it->second, c.tgt);
    return success();
  }
  if (!p.synRows.count(assign.getName()))
    return assign.emitOpError("names no synapse variable");
  writeSynapseRow(p, c, l, assign.getName(), v);
  return success();
}

FailureOr<Value> KernelBuilder::endNotRefractory(ProjectionLayout &p,
                                                 SynapseContext &c,
                                                 NotRefractoryOp op) {
  Location l = op.getLoc();
  if (!op.getPre())
    return notRefractoryAt(l, p.target.getSymName(), c.post, c.tgt, c.now,
                           p.postRows);
  Value src = sourceOf(p, c, l);
  return notRefractoryAt(l, p.source.getSymName(), c.pre, src, c.now,
                         p.preRows);
}

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

//===----------------------------------------------------------------------===//
// Event kernels
//===----------------------------------------------------------------------===//

Value KernelBuilder::decayStep(DecayOp decay, Value x, Value n) {
  Location dl = decay.getLoc();
  double rate = decay.getRate().convertToDouble();
  double offset = decay.getOffset().convertToDouble();
  if (rate == 0.0)
    return b.create<arith::AddFOp>(
        dl, x,
        b.create<arith::MulFOp>(dl, n, f64Constant(dl, offset * kernelDt)));
  Value arg = b.create<arith::MulFOp>(dl, n, f64Constant(dl, rate * kernelDt));
  if (offset == 0.0)
    return b.create<arith::MulFOp>(dl, x, b.create<math::ExpOp>(dl, arg));
  // x + (rate x + offset) expm1(rate h) / rate
  Value slope = b.create<arith::AddFOp>(
      dl, b.create<arith::MulFOp>(dl, x, f64Constant(dl, rate)),
      f64Constant(dl, offset));
  return b.create<arith::AddFOp>(
      dl, x,
      b.create<arith::MulFOp>(
          dl, slope,
          b.create<arith::DivFOp>(dl, b.create<math::ExpM1Op>(dl, arg),
                                  f64Constant(dl, rate))));
}

void KernelBuilder::advanceDecays(ProjectionLayout &p, SynapseContext &c,
                                  Value now) {
  int64_t luRow = p.synRows.lookup("_lastupdate");
  Location l = p.decays.front().getLoc();
  Value n = b.create<arith::SubFOp>(l, now, load2d(l, c.syn, luRow, c.j));
  for (DecayOp decay : p.decays) {
    int64_t row = p.synRows.lookup(decay.getVar());
    Value x = load2d(decay.getLoc(), c.syn, row, c.j);
    store2d(decay.getLoc(), decayStep(decay, x, n), c.syn, row, c.j);
  }
  store2d(l, now, c.syn, luRow, c.j);
}

LogicalResult KernelBuilder::eventBody(ProjectionLayout &p, Region &region,
                                       SynapseContext &c, Value now) {
  c.now = now;
  kernelNotRefractory = [this, &p, &c](NotRefractoryOp op) {
    return endNotRefractory(p, c, op);
  };
  if (!p.decays.empty())
    advanceDecays(p, c, now);
  LogicalResult result = failure(failed(inlineRegion(
      region, [&](RefOp ref) { return readSynapseVar(p, c, ref); },
      [&](AssignOp a, Value v) { return writeSynapseVar(p, c, a, v); })));
  kernelNotRefractory = nullptr;
  return result;
}

KernelBuilder::EventLoop KernelBuilder::eventLoop(Location l, StringRef name,
                                                  ArrayRef<Type> lists,
                                                  bool partitioned) {
  SmallVector<Type> args{vectorType(b.getI32Type()),
                         vectorType(b.getI64Type())};
  if (partitioned)
    args.append({b.getI64Type(), b.getI64Type()});
  args.append(lists.begin(), lists.end());
  unsigned state = args.size();
  args.append({stateType(), stateType(), stateType(), vectorType(f64()),
               b.getI64Type()});
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
}

LogicalResult KernelBuilder::buildDeliverKernel(ProjectionLayout &p) {
  ProjectionOp proj = p.proj;
  Location loc = proj.getLoc();
  EventLoop e =
      eventLoop(loc, deliverKernelName(network.getSymName(), proj.getSymName()),
                {vectorType(b.getI32Type())}, /*partitioned=*/true);
  e.c.j = e.q;
  e.c.src = e.s;
  e.c.tgt = loadIndex(loc, e.fn.getArgument(4), e.c.j);
  Block &body = proj.getBody().front();
  for (auto on : llvm::make_early_inc_range(body.getOps<OnPreOp>())) {
    if (failed(eventBody(p, on.getBody(), e.c, e.now)))
      return failure();
    on.erase();
  }
  return success();
}

LogicalResult KernelBuilder::buildDeliverPostKernels(ProjectionLayout &p) {
  ProjectionOp proj = p.proj;
  Block &body = proj.getBody().front();
  for (auto on : llvm::make_early_inc_range(body.getOps<OnPostOp>())) {
    Location l = on.getLoc();
    EventLoop e = eventLoop(
        l, deliverPostKernelName(network.getSymName(), proj.getSymName()),
        {vectorType(b.getI64Type()), vectorType(b.getI32Type())},
        /*partitioned=*/false);
    e.c.srcs = e.fn.getArgument(3);
    e.c.tgt = e.s;
    e.c.j = loadIndex(l, e.fn.getArgument(2), e.q);
    if (failed(eventBody(p, on.getBody(), e.c, e.now)))
      return failure();
    on.erase();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Update kernel
//===----------------------------------------------------------------------===//

LogicalResult KernelBuilder::buildUpdateKernel(ProjectionLayout &p) {
  ProjectionOp proj = p.proj;
  Block &body = proj.getBody().front();
  SmallVector<OdeOp> odes(body.getOps<OdeOp>());
  SmallVector<DrivesOp> summed(body.getOps<DrivesOp>());
  if (failed(checkOneMethod(odes, "projection")))
    return failure();
  if (odes.empty() && summed.empty())
    return success();
  Location loc = proj.getLoc();
  Type i32Vector = vectorType(b.getI32Type());
  auto fn = createKernel(
      loc, updateKernelName(network.getSymName(), proj.getSymName()),
      {i32Vector, i32Vector, stateType(), stateType(), stateType(),
       vectorType(f64()), b.getI64Type()});
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
  kernelTime = b.create<arith::MulFOp>(loc, stepF, f64Constant(loc, kernelDt));
  kernelNotRefractory = [this, &p, &c](NotRefractoryOp op) {
    return endNotRefractory(p, c, op);
  };
  Value one = index(loc, 1);
  SmallVector<int64_t> sumRows;
  for (DrivesOp d : summed) {
    auto it = p.postRows.find(d.getIntoAttr() ? d.getIntoAttr().getValue()
                                              : StringRef());
    if (it == p.postRows.end())
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
      store2d(loc, f64Constant(loc, 0.0), c.post, row, clear.getInductionVar());
  }
  Value cols = fn.getArgument(1);
  Value nsyn = b.create<memref::DimOp>(loc, cols, index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, index(loc, 0), nsyn, one);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  c.j = loop.getInductionVar();
  c.tgt = loadIndex(loc, cols, c.j);
  // Values at the start of the step, each read once.
  llvm::StringMap<Value> x;
  if (failed(sumDrives(p, c, summed, sumRows, x)) ||
      (!odes.empty() && failed(integrateSynapses(p, c, odes, x))))
    return failure();
  kernelTime = Value();
  kernelNotRefractory = nullptr;
  for (OdeOp ode : odes)
    ode.erase();
  for (DrivesOp d : summed)
    d.erase();
  return success();
}

FailureOr<Value> KernelBuilder::readAtStepStart(ProjectionLayout &p,
                                                SynapseContext &c,
                                                llvm::StringMap<Value> &x,
                                                RefOp ref) {
  std::string key = refKey(ref);
  auto it = x.find(key);
  if (it != x.end())
    return it->second;
  FailureOr<Value> v = readSynapseVar(p, c, ref);
  if (succeeded(v))
    x[key] = *v;
  return v;
}

LogicalResult KernelBuilder::sumDrives(ProjectionLayout &p, SynapseContext &c,
                                       SmallVectorImpl<DrivesOp> &summed,
                                       ArrayRef<int64_t> sumRows,
                                       llvm::StringMap<Value> &x) {
  auto readOnce = [&](RefOp ref) { return readAtStepStart(p, c, x, ref); };
  auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
    return a.emitOpError("cannot assign here");
  };
  for (auto [d, row] : llvm::zip(summed, sumRows)) {
    auto v = inlineRegion(d.getValue(), readOnce, noWrite);
    if (failed(v))
      return failure();
    Location l = d.getLoc();
    Value acc = load2d(l, c.post, row, c.tgt);
    store2d(l, b.create<arith::AddFOp>(l, acc, (*v)[0]), c.post, row, c.tgt);
  }
  return success();
}

LogicalResult KernelBuilder::integrateSynapses(ProjectionLayout &p,
                                               SynapseContext &c,
                                               SmallVectorImpl<OdeOp> &odes,
                                               llvm::StringMap<Value> &x) {
  // Everything the equations read, then one step of them.
  for (OdeOp ode : odes) {
    FailureOr<Value> self = [&]() -> FailureOr<Value> {
      auto it = x.find(ode.getVar());
      if (it != x.end())
        return it->second;
      Value v =
          load2d(ode.getLoc(), c.syn, p.synRows.lookup(ode.getVar()), c.j);
      x[ode.getVar()] = v;
      return v;
    }();
    WalkResult r = ode.getRhs().walk([&](RefOp ref) {
      return failed(readAtStepStart(p, c, x, ref)) ? WalkResult::interrupt()
                                                   : WalkResult::advance();
    });
    if (failed(self) || r.wasInterrupted())
      return failure();
  }
  llvm::StringMap<Value> next;
  if (failed(integrateNumerically(odes, x, Value(), kernelDt, next)))
    return failure();
  for (OdeOp ode : odes)
    writeSynapseRow(p, c, ode.getLoc(), ode.getVar(), next[ode.getVar()]);
  return success();
}
