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

#include "neuro/Runtime/Streams.h"

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

namespace {

/// Where the synapse code of a kernel finds its variables: synapse `j`
/// from source `src` onto target `tgt`; `src` is loaded from `srcs` on
/// first use when not given.
struct SynapseContext {
  Value syn, post, pre, mods, j, tgt, src, srcs, plastic;
  /// The step (f64) the kernel runs in.
  Value now;
  /// Event kernels: the step (i64), the network's seed and, where the
  /// events draw, the number of entries of the same neuron before this one
  /// in the step's list (i64).
  Value step, seed, copies;
  /// The kernel runs after the step's threshold but stands for the moment
  /// before it (clock-driven equations, as Brian2's synapses' state
  /// updater, which runs before its thresholder): a neuron that spiked in
  /// this step counts as not refractory, which it was when it spiked.
  bool beforeThreshold = false;
};

/// An event kernel inside its two loops: for every neuron `s` that spiked,
/// the entries `q` of its synapse list.
struct EventLoop {
  SynapseContext c;
  Value now, s, q;
  func::FuncOp fn;
};

/// The positions of the arguments that event kernels share (ABI.h), and
/// their number.
struct EventArgs {
  unsigned spikes, ptr, syn, post, pre, mods, step, seed, count;
};

/// The kernels of one projection.
class ProjectionKernels {
public:
  ProjectionKernels(KernelBuilder &k, ProjectionOp proj, PopulationOp source,
                    PopulationOp target, std::optional<double> fixedWeight);

  /// neuro_deliver_<net>_<proj>: `on pre` for each spike's synapses.
  LogicalResult buildDeliverKernel();
  /// neuro_deliver_post_<net>_<proj>: `on post` for the synapses onto each
  /// target that spiked.
  LogicalResult buildDeliverPostKernels();
  /// neuro_sum_<net>_<proj>: the summed drives, every step.
  LogicalResult buildSumKernel();
  /// neuro_update_<net>_<proj>: the clock-driven equations, every step.
  LogicalResult buildUpdateKernel();

  /// Whether a kernel loads the source of its synapses from `srcs`.
  bool needsSources = false;

private:
  /// Event kernel `kind` (deliver or deliver_post: spikes, ptr, [stride,
  /// part,] lists..., syn, post, pre, mods, step, `lists` at the positions
  /// given), built up to the body of its loop over the entries
  /// ptr[s]..ptr[s+1] (ptr[s * stride + part] .. ptr[s * stride + part +
  /// 1] for deliver: the part of each row whose targets lie in one range)
  /// for every neuron s that spiked; the caller maps s and the entry q to
  /// the synapse and its ends.
  EventLoop eventLoop(Location l, KernelKind kind,
                      ArrayRef<std::pair<unsigned, Type>> lists, bool draws);
  /// The number of entries of `spikes` before `at` that hold the same
  /// neuron (SynapseContext::copies).
  Value copiesBefore(Location l, Value spikes, Value at);
  /// Synapse `c.j` sees an event in the step `now` (as f64): advance its
  /// per-synapse states from its last event, then run the statements of
  /// `region`.
  LogicalResult eventBody(Region &region, SynapseContext &c, Value now);
  /// Binds the draws of `region` (rand(), randn()) to the event of synapse
  /// `c.j`.
  void bindDraws(Region &region, SynapseContext &c);
  /// The states solved between events of synapse `c.j`, advanced from its
  /// last event to `now`, which becomes its last event.
  void advanceDecays(SynapseContext &c, Value now);
  /// `x` of `decay` after `n` steps.
  Value decayStep(DecayOp decay, Value x, Value n);

  /// A kernel of `kind` (sum or update) with NeuroUpdateFn's arguments,
  /// bound to `c`, which the kernel's `t` and `not_refractory` read; the
  /// builder at the start of its body.
  func::FuncOp synapseKernel(Location loc, KernelKind kind, SynapseContext &c);
  /// The loop over the kernel's synapses, `c.j` from `c.tgt`'s column; the
  /// builder in its body.
  void synapseLoop(Location loc, func::FuncOp fn, SynapseContext &c);
  /// Sums the drives `summed` of synapse `c.j` into the target rows
  /// `sumRows`.
  LogicalResult sumDrives(SynapseContext &c, SmallVectorImpl<DrivesOp> &summed,
                          ArrayRef<int64_t> sumRows, llvm::StringMap<Value> &x);
  /// One step of the clock-driven equations of synapse `c.j`.
  LogicalResult integrateSynapses(SynapseContext &c,
                                  SmallVectorImpl<OdeOp> &odes,
                                  llvm::StringMap<Value> &x);
  /// What `ref` reads in the sum and update kernels: its value at the start of
  /// the step, read once into `x` (by refKey).
  FailureOr<Value> readAtStepStart(SynapseContext &c, llvm::StringMap<Value> &x,
                                   RefOp ref);

  /// What `ref` reads in synapse code: a state of the source or target
  /// neuron, a modulator, the constant weight or a synapse row.
  FailureOr<Value> readSynapseVar(SynapseContext &c, RefOp ref);
  /// An assignment of synapse code, to a state of the target neuron or a
  /// synapse row.
  LogicalResult writeSynapseVar(SynapseContext &c, AssignOp assign, Value v);
  /// Stores `v` into synapse row `name`; the weight changes only while the
  /// projection is plastic.
  void writeSynapseRow(SynapseContext &c, Location l, StringRef name, Value v);
  /// The source neuron of synapse `c.j`, loaded from `c.srcs` on first use.
  Value sourceOf(SynapseContext &c, Location l);
  /// neuro.not_refractory in synapse code: of the synapse's target or
  /// source (`pre`) in step c.now.
  FailureOr<Value> endNotRefractory(SynapseContext &c, NotRefractoryOp op);
  /// neuro.last_spike in an event: the time of the last spike of the
  /// synapse's target or source (`pre`), this step's if it spiked now.
  Value lastSpikeOf(SynapseContext &c, LastSpikeOp op);
  /// Whether neuron `at` (a row index of `rows`) of population `pop`, whose
  /// state is `state`, is not refractory in step `now` (f64): now -
  /// _lastspike >= its refractory period (with a refractory condition:
  /// `_refractory` is 0), or (`beforeThreshold`) _lastspike == now. True
  /// for a population that does not spike.
  FailureOr<Value> notRefractoryAt(Location loc, StringRef pop, Value state,
                                   Value at, Value now, bool beforeThreshold,
                                   const llvm::StringMap<int64_t> &rows);
  /// `value`, about to be stored into element (row, at) of `mem`, as it is
  /// when the write is discarded while `keep` is false: `old + d` (`old -
  /// d`) with `old` that element becomes `old + select(keep, d, 0)`, so
  /// that it stays an accumulation (atomic on the GPU); anything else
  /// `select(keep, value, old)`.
  Value guardedWrite(Location loc, Value value, Value keep, Value mem,
                     int64_t row, Value at);
  /// The `plastic` flag of a synapse kernel: mods[0] != 0 (the runtime
  /// clears it while the projection's plasticity is off).
  Value plasticFlag(Location loc, Value mods);

  KernelBuilder &k;
  OpBuilder &b;
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
};

} // namespace

LogicalResult KernelBuilder::convertProjection(ProjectionOp proj) {
  // The same weight for every synapse, never changed: a constant in the
  // kernels, no row in memory (synapseRowNames and the runtime read the
  // attribute).
  std::optional<double> fixedWeight = findConstantWeight(proj);
  if (fixedWeight)
    NeuroDialect::ConstantWeightAttrHelper(b.getContext())
        .setAttr(proj, b.getF64FloatAttr(*fixedWeight));
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
  if (!op.getPre())
    return notRefractoryAt(l, target.getSymName(), c.post, c.tgt, c.now,
                           c.beforeThreshold, postRows);
  Value src = sourceOf(c, l);
  return notRefractoryAt(l, source.getSymName(), c.pre, src, c.now,
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
// Event kernels
//===----------------------------------------------------------------------===//

Value ProjectionKernels::decayStep(DecayOp decay, Value x, Value n) {
  Location dl = decay.getLoc();
  double rate = decay.getRate().convertToDouble();
  double offset = decay.getOffset().convertToDouble();
  if (rate == 0.0)
    return b.create<arith::AddFOp>(
        dl, x,
        b.create<arith::MulFOp>(dl, n, k.f64Constant(dl, offset * k.kernelDt)));
  Value arg =
      b.create<arith::MulFOp>(dl, n, k.f64Constant(dl, rate * k.kernelDt));
  if (offset == 0.0)
    return b.create<arith::MulFOp>(dl, x, b.create<math::ExpOp>(dl, arg));
  // x + (rate x + offset) expm1(rate h) / rate
  Value slope = b.create<arith::AddFOp>(
      dl, b.create<arith::MulFOp>(dl, x, k.f64Constant(dl, rate)),
      k.f64Constant(dl, offset));
  return b.create<arith::AddFOp>(
      dl, x,
      b.create<arith::MulFOp>(
          dl, slope,
          b.create<arith::DivFOp>(dl, b.create<math::ExpM1Op>(dl, arg),
                                  k.f64Constant(dl, rate))));
}

void ProjectionKernels::advanceDecays(SynapseContext &c, Value now) {
  int64_t luRow = synRows.lookup("_lastupdate");
  Location l = decays.front().getLoc();
  Value n = b.create<arith::SubFOp>(l, now, k.load2d(l, c.syn, luRow, c.j));
  for (DecayOp decay : decays) {
    int64_t row = synRows.lookup(decay.getVar());
    Value x = k.load2d(decay.getLoc(), c.syn, row, c.j);
    k.store2d(decay.getLoc(), decayStep(decay, x, n), c.syn, row, c.j);
  }
  k.store2d(l, now, c.syn, luRow, c.j);
}

LogicalResult ProjectionKernels::eventBody(Region &region, SynapseContext &c,
                                           Value now) {
  c.now = now;
  k.kernelNotRefractory = [this, &c](NotRefractoryOp op) {
    return endNotRefractory(c, op);
  };
  k.kernelLastSpike = [this, &c](LastSpikeOp op) -> FailureOr<Value> {
    return lastSpikeOf(c, op);
  };
  if (!decays.empty())
    advanceDecays(c, now);
  bindDraws(region, c);
  // `t`: the start of the step that delivers the event.
  if (!region.getOps<TimeOp>().empty()) {
    Location l = region.getLoc();
    k.kernelTime =
        b.create<arith::MulFOp>(l, now, k.f64Constant(l, k.kernelDt));
  }
  LogicalResult result = failure(failed(k.inlineRegion(
      region, [&](RefOp ref) { return readSynapseVar(c, ref); },
      [&](AssignOp a, Value v) { return writeSynapseVar(c, a, v); })));
  k.resetKernelValues();
  return result;
}

/// Whether `region` draws random numbers.
static bool drawsIn(Region &region) {
  bool draws = false;
  region.walk([&](Operation *op) { draws |= isa<RandOp, RandNormalOp>(op); });
  return draws;
}

void ProjectionKernels::bindDraws(Region &region, SynapseContext &c) {
  if (!drawsIn(region))
    return;
  // Keyed by the event: (source << 32 | target, both global indices) and
  // the step, each call site its own stream of the projection.
  Location l = region.getLoc();
  auto asI64 = [&](Value v) -> Value {
    return b.create<arith::IndexCastOp>(l, b.getI64Type(), v);
  };
  Value src = asI64(sourceOf(c, l));
  Value high = b.create<arith::ShLIOp>(
      l, src, b.create<arith::ConstantOp>(l, b.getI64IntegerAttr(32)));
  k.kernelIndex = b.create<arith::OrIOp>(l, high, asI64(c.tgt));
  // A neuron listed again in the step (a drive's inputs, SpikeTimes'
  // same_step = "all") makes events of one synapse in one step: the c-th
  // repeat draws for the key XOR c * 2^64 / phi, the first as without.
  if (c.copies)
    k.kernelIndex = b.create<arith::XOrIOp>(
        l, k.kernelIndex,
        b.create<arith::MulIOp>(
            l, c.copies,
            b.create<arith::ConstantOp>(
                l, b.getI64IntegerAttr(int64_t(0x9E3779B97F4A7C15ull)))));
  k.kernelSeed = c.seed;
  k.kernelStep = c.step;
  uint32_t index = k.projectionIndex(proj);
  k.kernelStreamOf = [index](uint32_t site) {
    return rt::streams::synapseEvent(index, site);
  };
}

static EventArgs eventArgs(KernelKind kind) {
  if (kind == KernelKind::Deliver)
    return {NEURO_DELIVER_ARG_SPIKES, NEURO_DELIVER_ARG_ROW_PTR,
            NEURO_DELIVER_ARG_SYN,    NEURO_DELIVER_ARG_POST,
            NEURO_DELIVER_ARG_PRE,    NEURO_DELIVER_ARG_MODS,
            NEURO_DELIVER_ARG_STEP,   NEURO_DELIVER_ARG_SEED,
            NEURO_DELIVER_NUM_ARGS};
  assert(kind == KernelKind::DeliverPost && "not an event kernel");
  return {NEURO_DELIVER_POST_ARG_SPIKES, NEURO_DELIVER_POST_ARG_COL_PTR,
          NEURO_DELIVER_POST_ARG_SYN,    NEURO_DELIVER_POST_ARG_POST,
          NEURO_DELIVER_POST_ARG_PRE,    NEURO_DELIVER_POST_ARG_MODS,
          NEURO_DELIVER_POST_ARG_STEP,   NEURO_DELIVER_POST_ARG_SEED,
          NEURO_DELIVER_POST_NUM_ARGS};
}

EventLoop
ProjectionKernels::eventLoop(Location l, KernelKind kind,
                             ArrayRef<std::pair<unsigned, Type>> lists,
                             bool draws) {
  EventArgs a = eventArgs(kind);
  bool partitioned = kind == KernelKind::Deliver;
  SmallVector<Type> args(a.count);
  args[a.spikes] = k.vectorType(b.getI32Type());
  args[a.ptr] = k.vectorType(b.getI64Type());
  if (partitioned)
    args[NEURO_DELIVER_ARG_STRIDE] = args[NEURO_DELIVER_ARG_PART] =
        b.getI64Type();
  for (auto [at, type] : lists)
    args[at] = type;
  args[a.syn] = args[a.post] = args[a.pre] = k.stateType();
  args[a.mods] = k.vectorType(k.f64());
  args[a.step] = args[a.seed] = b.getI64Type();
  assert(llvm::all_of(args, [](Type t) { return t; }) && "an argument missing");
  EventLoop e;
  e.fn = k.createKernel(l, kind, proj.getSymName(), args);
  b.setInsertionPoint(e.fn.getBody().front().getTerminator());
  e.c.syn = e.fn.getArgument(a.syn);
  e.c.post = e.fn.getArgument(a.post);
  e.c.pre = e.fn.getArgument(a.pre);
  e.c.mods = e.fn.getArgument(a.mods);
  e.c.plastic = plasticFlag(l, e.c.mods);
  e.c.step = e.fn.getArgument(a.step);
  e.c.seed = e.fn.getArgument(a.seed);
  Value spikes = e.fn.getArgument(a.spikes), ptr = e.fn.getArgument(a.ptr);
  e.now = b.create<arith::SIToFPOp>(l, k.f64(), e.fn.getArgument(a.step));
  Value one = k.index(l, 1);
  Value m = b.create<memref::DimOp>(l, spikes, k.index(l, 0));
  auto outer = b.create<scf::ForOp>(l, k.index(l, 0), m, one);
  b.setInsertionPoint(outer.getBody()->getTerminator());
  e.s = k.loadIndex(l, spikes, outer.getInductionVar());
  if (draws)
    e.c.copies = copiesBefore(l, spikes, outer.getInductionVar());
  Value at = e.s;
  if (partitioned) {
    auto asIndex = [&](Value v) {
      return b.create<arith::IndexCastOp>(l, b.getIndexType(), v);
    };
    // One op per statement: a deterministic order in the IR.
    Value part = asIndex(e.fn.getArgument(NEURO_DELIVER_ARG_PART));
    Value stride = asIndex(e.fn.getArgument(NEURO_DELIVER_ARG_STRIDE));
    Value first = b.create<arith::MulIOp>(l, e.s, stride);
    at = b.create<arith::AddIOp>(l, first, part);
  }
  Value lo = k.loadIndex(l, ptr, at);
  Value hi = k.loadIndex(l, ptr, b.create<arith::AddIOp>(l, at, one));
  auto inner = b.create<scf::ForOp>(l, lo, hi, one);
  b.setInsertionPoint(inner.getBody()->getTerminator());
  e.q = inner.getInductionVar();
  return e;
}

Value ProjectionKernels::copiesBefore(Location l, Value spikes, Value at) {
  // Entries of one neuron are next to each other (the lists are sorted):
  // scan back while they are equal.
  Type indexType = b.getIndexType();
  Value zero = k.index(l, 0), one = k.index(l, 1);
  Value self = b.create<memref::LoadOp>(l, spikes, at);
  auto scan = b.create<scf::WhileOp>(
      l, TypeRange{indexType}, ValueRange{zero},
      [&](OpBuilder &wb, Location wl, ValueRange c) {
        Value inList =
            wb.create<arith::CmpIOp>(wl, arith::CmpIPredicate::ult, c[0], at);
        auto same = wb.create<scf::IfOp>(
            wl, inList,
            [&](OpBuilder &ib, Location il) {
              Value back = ib.create<arith::SubIOp>(
                  il, ib.create<arith::SubIOp>(il, at, c[0]), one);
              Value other = ib.create<memref::LoadOp>(il, spikes, back);
              Value eq = ib.create<arith::CmpIOp>(il, arith::CmpIPredicate::eq,
                                                  other, self);
              ib.create<scf::YieldOp>(il, eq);
            },
            [&](OpBuilder &ib, Location il) {
              Value no =
                  ib.create<arith::ConstantOp>(il, ib.getBoolAttr(false));
              ib.create<scf::YieldOp>(il, no);
            });
        wb.create<scf::ConditionOp>(wl, same.getResult(0), c);
      },
      [&](OpBuilder &wb, Location wl, ValueRange c) {
        wb.create<scf::YieldOp>(
            wl, ValueRange{wb.create<arith::AddIOp>(wl, c[0], one)});
      });
  return b.create<arith::IndexCastOp>(l, b.getI64Type(), scan.getResult(0));
}

LogicalResult ProjectionKernels::buildDeliverKernel() {
  Location loc = proj.getLoc();
  Block &body = proj.getBody().front();
  bool draws = llvm::any_of(body.getOps<OnPreOp>(),
                            [](OnPreOp on) { return drawsIn(on.getBody()); });
  EventLoop e = eventLoop(
      loc, KernelKind::Deliver,
      {{NEURO_DELIVER_ARG_COLS, k.vectorType(b.getI32Type())}}, draws);
  e.c.j = e.q;
  e.c.src = e.s;
  e.c.tgt = k.loadIndex(loc, e.fn.getArgument(NEURO_DELIVER_ARG_COLS), e.c.j);
  for (auto on : llvm::make_early_inc_range(body.getOps<OnPreOp>())) {
    if (failed(eventBody(on.getBody(), e.c, e.now)))
      return failure();
    on.erase();
  }
  return success();
}

LogicalResult ProjectionKernels::buildDeliverPostKernels() {
  Block &body = proj.getBody().front();
  for (auto on : llvm::make_early_inc_range(body.getOps<OnPostOp>())) {
    Location l = on.getLoc();
    EventLoop e = eventLoop(
        l, KernelKind::DeliverPost,
        {{NEURO_DELIVER_POST_ARG_SYN_INDEX, k.vectorType(b.getI64Type())},
         {NEURO_DELIVER_POST_ARG_SRCS, k.vectorType(b.getI32Type())}},
        drawsIn(on.getBody()));
    e.c.srcs = e.fn.getArgument(NEURO_DELIVER_POST_ARG_SRCS);
    e.c.tgt = e.s;
    e.c.j =
        k.loadIndex(l, e.fn.getArgument(NEURO_DELIVER_POST_ARG_SYN_INDEX), e.q);
    if (failed(eventBody(on.getBody(), e.c, e.now)))
      return failure();
    on.erase();
  }
  return success();
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
  k.kernelTime =
      b.create<arith::MulFOp>(loc, stepF, k.f64Constant(loc, k.kernelDt));
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
