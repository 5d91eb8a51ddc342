//===- PopulationKernels.cpp - Step and reset kernels of a population -----===//
//
// neuro_step_<net>_<pop>(state, spiked, step, seed, begin, end) advances
// neurons [begin, end) of the population by one step: their equations
// (NumericalMethods.cpp), then the threshold, which sets spiked[i] and,
// for a neuron that spikes, its `_lastspike` row. neuro_reset_<net>_<pop>
// (spikes, state) runs the reset of the neurons in the spike list.
// neuro_sample_<net>_<pop>(state, step, begin, end) computes the lets the
// network records into their rows, before the runtime samples them.
//
// Refractoriness follows Brian2: with R the refractory period in steps and
// `_lastspike` the step of the last spike, a neuron is refractory in step k
// while k - _lastspike < R: its `unless refractory` states are held and it
// cannot spike. R may differ between neurons (the threshold's `period`
// region). Refractoriness given by a condition holds from a spike until
// the condition is false at the start of a step: a row `_refractory` (1
// from a spike, 0 once the condition is false) says whether it holds, and
// `_lastspike` keeps the spike, as Brian2's `lastspike`.
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"
#include "neuro/Runtime/Steps.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

/// The period of refractoriness given by a condition, as far as a reset
/// and `refractorySteps` see it: longer than any run (the `_refractory` row
/// says whether the condition still holds).
static constexpr double kConditionSteps = 1e13;

/// Declares the row `name` after the population's states, first set to
/// `init`.
static void declareInternalRow(PopulationOp pop, StringRef name, double init) {
  Block &body = pop.getBody().front();
  Location loc = pop.getLoc();
  OpBuilder db(pop.getContext());
  Operation *lastDecl = nullptr;
  for (auto s : body.getOps<StateOp>())
    lastDecl = s;
  if (lastDecl)
    db.setInsertionPointAfter(lastDecl);
  else
    db.setInsertionPointToStart(&body);
  db.create<StateOp>(loc, name, "1");
  db.setInsertionPointToEnd(&body);
  db.create<InitConstOp>(loc, FlatSymbolRefAttr::get(db.getContext(), name),
                         db.getF64FloatAttr(init));
}

/// Declares the rows of the entries of `pnp` after the population's
/// states, first set to 0 (the init kernel computes them).
static void declarePropagatorRows(PopulationOp pop,
                                  const PerNeuronPropagator &pnp) {
  Block &body = pop.getBody().front();
  Location loc = pop.getLoc();
  OpBuilder db(pop.getContext());
  Operation *lastDecl = nullptr;
  for (auto st : body.getOps<StateOp>())
    lastDecl = st;
  db.setInsertionPointAfter(lastDecl);
  for (const std::string &row : pnp.rowNames())
    db.create<StateOp>(loc, row, "1");
  db.setInsertionPointToEnd(&body);
  for (const std::string &row : pnp.rowNames())
    db.create<InitConstOp>(loc, FlatSymbolRefAttr::get(db.getContext(), row),
                           db.getF64FloatAttr(0.0));
}

namespace {

/// The kernels of one population, whose states have the rows `rows`.
class PopulationKernels {
public:
  PopulationKernels(KernelBuilder &k, PopulationOp pop,
                    llvm::StringMap<int64_t> &rows)
      : k(k), b(k.b), pop(pop), rows(rows) {}

  /// neuro_step_<net>_<pop>(state, spiked, step, seed, begin, end): the
  /// population's equations (`propagates`, one per independent part;
  /// `odes` with the per-neuron propagator `pnp` when it has entries) and
  /// threshold, for neurons [begin, end).
  LogicalResult buildStepKernel(ThresholdOp threshold,
                                ArrayRef<PropagateOp> propagates,
                                SmallVectorImpl<OdeOp> &odes,
                                const PerNeuronPropagator &pnp);
  /// neuro_reset_<net>_<pop>(spikes, state): the reset of the neurons in
  /// the spike list.
  LogicalResult buildResetKernel(ResetOp reset);
  /// neuro_sample_<net>_<pop>(state, step, begin, end): `lets` at the start
  /// of the step, for neurons [begin, end), after the step kernel was
  /// built (it records the population's refractoriness).
  LogicalResult buildSampleKernel(ArrayRef<LetOp> lets, ThresholdOp threshold);

private:
  /// In kernel `fn` (its arguments `stepArg`, `beginArg`, `endArg`): the
  /// step (stepF, neuro.time at its start) and the loop over neurons
  /// [begin, end), the builder inside it with `i` the neuron.
  void enterNeuronLoop(func::FuncOp fn, int stepArg, int beginArg, int endArg);
  /// Whether neuron `i` can spike in this step (not refractory), and its
  /// negation; records the population's refractoriness for projections
  /// and makes neuro.not_refractory the first.
  FailureOr<std::pair<Value, Value>> refractoryTest(ThresholdOp threshold);
  /// The row `ref` names, of neuron `i`.
  FailureOr<Value> readOwnRow(RefOp ref);
  /// The spike flag (i8) of neuron `i`: its threshold on the `current`
  /// values of the states (the others from its rows) while it can spike;
  /// a neuron that spikes has `_lastspike` set to the step.
  FailureOr<Value> spikeFlag(ThresholdOp threshold,
                             const llvm::StringMap<Value> &current,
                             Value canSpike);

  KernelBuilder &k;
  OpBuilder &b;
  PopulationOp pop;
  llvm::StringMap<int64_t> &rows;
  /// The state and the neuron of the kernel being built, and the step (f64)
  /// in the step kernel.
  Value state, i, stepF;
};

} // namespace

LogicalResult KernelBuilder::convertPopulation(PopulationOp pop) {
  if (pop.getModelAttr())
    return pop.emitOpError("must be elaborated before conversion to "
                           "kernels");
  SmallVector<OdeOp> odes(pop.getBody().getOps<OdeOp>());
  if (failed(checkOneMethod(odes, "population")))
    return failure();
  Block &body = pop.getBody().front();
  ThresholdOp threshold;
  ResetOp reset;
  SmallVector<PropagateOp> propagates(body.getOps<PropagateOp>());
  for (Operation &op : body) {
    if (auto t = dyn_cast<ThresholdOp>(op))
      threshold = t;
    else if (auto r = dyn_cast<ResetOp>(op))
      reset = r;
  }
  if (threshold)
    declareInternalRow(pop, "_lastspike", kNeverSpiked);
  if (threshold && threshold.isRefractoryCondition())
    declareInternalRow(pop, "_refractory", 0.0);
  // Exact integration with coefficients per neuron: the propagator's
  // entries become rows, set by the init kernel (convertInits).
  PerNeuronPropagator pnp;
  if (!odes.empty() && *odes.front().getMethod() == "exact") {
    pnp = perNeuronPropagator(pop, odes);
    declarePropagatorRows(pop, pnp);
  }
  llvm::StringMap<int64_t> rows = rowIndex<StateOp>(body);

  PopulationKernels kernels(*this, pop, rows);
  if (failed(kernels.buildStepKernel(threshold, propagates, odes, pnp)))
    return failure();
  if (reset && failed(kernels.buildResetKernel(reset)))
    return failure();
  SmallVector<LetOp> lets(body.getOps<LetOp>());
  if (!lets.empty() && failed(kernels.buildSampleKernel(lets, threshold)))
    return failure();

  // The network keeps only what the runtime reads.
  for (Operation &op : llvm::make_early_inc_range(body))
    if (isa<PropagateOp, ThresholdOp, ResetOp>(op) ||
        (isa<OdeOp>(op) && !pnp.n))
      op.erase();
  return success();
}

void PopulationKernels::enterNeuronLoop(func::FuncOp fn, int stepArg,
                                        int beginArg, int endArg) {
  Location loc = pop.getLoc();
  Value step = fn.getArgument(unsigned(stepArg));
  stepF = b.create<arith::SIToFPOp>(loc, k.f64(), step);
  k.kernelDt = k.network.getDt().convertToDouble();
  k.kernelStep = step;
  k.kernelPopulation = k.populationIndex(pop);
  k.kernelTime = k.stepTime(loc, stepF, k.kernelDt);
  // Neurons [begin, end): the runtime splits a population among threads.
  Value begin = b.create<arith::IndexCastOp>(
      loc, b.getIndexType(), fn.getArgument(unsigned(beginArg)));
  Value end = b.create<arith::IndexCastOp>(loc, b.getIndexType(),
                                           fn.getArgument(unsigned(endArg)));
  auto loop = b.create<scf::ForOp>(loc, begin, end, k.index(loc, 1));
  NeuroDialect::NeuronLoopAttrHelper(b.getContext())
      .setAttr(loop, b.getUnitAttr());
  b.setInsertionPoint(loop.getBody()->getTerminator());
  i = loop.getInductionVar();
  k.kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);
}

LogicalResult PopulationKernels::buildStepKernel(
    ThresholdOp threshold, ArrayRef<PropagateOp> propagates,
    SmallVectorImpl<OdeOp> &odes, const PerNeuronPropagator &pnp) {
  Location loc = pop.getLoc();
  SmallVector<Type, NEURO_STEP_NUM_ARGS> args(NEURO_STEP_NUM_ARGS,
                                              b.getI64Type());
  args[NEURO_STEP_ARG_STATE] = k.stateType();
  args[NEURO_STEP_ARG_SPIKED] = k.vectorType(b.getI8Type());
  auto fn = k.createKernel(loc, KernelKind::Step, pop.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  state = fn.getArgument(NEURO_STEP_ARG_STATE);
  Value spiked = fn.getArgument(NEURO_STEP_ARG_SPIKED);
  k.kernelSeed = fn.getArgument(NEURO_STEP_ARG_SEED);
  enterNeuronLoop(fn, NEURO_STEP_ARG_STEP, NEURO_STEP_ARG_BEGIN,
                  NEURO_STEP_ARG_END);

  Value inRefractory, canSpike;
  if (threshold) {
    auto test = refractoryTest(threshold);
    if (failed(test))
      return failure();
    std::tie(canSpike, inRefractory) = *test;
  }

  // The new values of the states, which the threshold reads.
  llvm::StringMap<Value> current;
  for (PropagateOp propagate : propagates)
    k.expandPropagate(propagate, loc, rows, state, i, inRefractory, current);

  if (!odes.empty() && pnp.n) {
    if (failed(k.refreshPropagators(loc, odes, pnp, rows, state, i)))
      return failure();
    k.applyPerNeuronPropagator(loc, odes, pnp, rows, state, i, inRefractory,
                               current);
  } else if (!odes.empty()) {
    llvm::StringMap<Value> x, next;
    for (auto &row : rows)
      x[row.getKey()] = k.load2d(loc, state, row.getValue(), i);
    if (failed(k.integrateNumerically(
            odes, x, inRefractory, k.network.getDt().convertToDouble(), next)))
      return failure();
    for (OdeOp ode : odes) {
      k.store2d(ode.getLoc(), next[ode.getVar()], state,
                rows.lookup(ode.getVar()), i);
      current[ode.getVar()] = next[ode.getVar()];
    }
  }

  Value flag;
  if (threshold) {
    FailureOr<Value> spiking = spikeFlag(threshold, current, canSpike);
    if (failed(spiking))
      return failure();
    flag = *spiking;
  } else {
    flag = b.create<arith::ConstantOp>(loc, b.getI8IntegerAttr(0));
  }
  b.create<memref::StoreOp>(loc, flag, spiked, ValueRange{i});

  k.kernelTime = k.kernelSeed = k.kernelIndex = k.kernelStep = Value();
  k.kernelNotRefractory = nullptr;
  return success();
}

FailureOr<Value>
KernelBuilder::refractorySteps(Location loc, const Refractoriness &r,
                               function_ref<FailureOr<Value>(RefOp)> read) {
  if (!r.perNeuron)
    return f64Constant(loc, r.steps);
  double dt = network.getDt().convertToDouble();
  double savedDt = kernelDt;
  kernelDt = dt;
  auto period =
      inlineRegion(r.perNeuron.get().getPeriod(), read, [](AssignOp a, Value) {
        return a.emitOpError("cannot assign in a refractory period");
      });
  kernelDt = savedDt;
  if (failed(period))
    return failure();
  // rt::stepOf: floor((t + 1e-3 dt) / dt), at most the 10^12 steps a
  // model may ask for: a period set at run time (--set, Python) past
  // kNeverSpiked's distance would hold a neuron that never spiked from the
  // first step, where it spikes once. (A negative one acts as 0, as in
  // Brian2.)
  Value t =
      b.create<arith::AddFOp>(loc, (*period)[0], f64Constant(loc, 1e-3 * dt));
  Value steps = b.create<arith::DivFOp>(loc, t, f64Constant(loc, dt));
  Value floor = b.create<math::FloorOp>(loc, steps);
  return b.create<arith::MinNumFOp>(loc, floor, f64Constant(loc, 1e12))
      .getResult();
}

FailureOr<std::pair<Value, Value>>
PopulationKernels::refractoryTest(ThresholdOp threshold) {
  Location loc = pop.getLoc();
  double dt = k.network.getDt().convertToDouble();
  KernelBuilder::Refractoriness &r = k.refractoriness[pop.getSymName()];
  r.steps = rt::stepOf(threshold.getRefractory().convertToDouble(), dt);
  r.fromSpike = threshold.getFromSpike();
  bool condition = threshold.isRefractoryCondition();
  if (condition)
    r.steps = kConditionSteps;
  else if (!threshold.getPeriod().empty())
    r.perNeuron = cast<ThresholdOp>(threshold->clone());
  if (auto clamped = threshold.getClamped())
    for (Attribute name : *clamped)
      r.clamped.insert(cast<FlatSymbolRefAttr>(name).getValue());
  Value canSpike, inRefractory;
  if (condition) {
    // A refractory neuron whose condition is false at the start of the
    // step leaves refractoriness (Brian2: `not_refractory = not_refractory
    // or not (condition)`); its last spike stays.
    auto held = k.inlineRegion(
        threshold.getPeriod(), [&](RefOp ref) { return readOwnRow(ref); },
        [](AssignOp a, Value) {
          return a.emitOpError("cannot assign in a refractory condition");
        });
    if (failed(held))
      return failure();
    Value flag = k.load2d(loc, state, rows["_refractory"], i);
    Value was = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, flag,
                                        k.f64Constant(loc, 0.0));
    Value still = b.create<arith::AndIOp>(loc, was, (*held)[0]);
    Value always = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
    canSpike = b.create<arith::XOrIOp>(loc, still, always);
    inRefractory = still;
    k.store2d(loc, b.create<arith::UIToFPOp>(loc, k.f64(), still).getResult(),
              state, rows["_refractory"], i);
  } else {
    FailureOr<Value> refSteps =
        k.refractorySteps(loc, r, [&](RefOp ref) { return readOwnRow(ref); });
    if (failed(refSteps))
      return failure();
    Value last = k.load2d(loc, state, rows["_lastspike"], i);
    Value since = b.create<arith::SubFOp>(loc, stepF, last);
    canSpike = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, since,
                                       *refSteps);
    Value always = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
    inRefractory = b.create<arith::XOrIOp>(loc, canSpike, always);
  }
  k.kernelNotRefractory = [canSpike](NotRefractoryOp) { return canSpike; };
  return std::make_pair(canSpike, inRefractory);
}

FailureOr<Value> PopulationKernels::readOwnRow(RefOp ref) {
  auto row = rows.find(ref.getName());
  if (ref.getPost() || ref.getPre() || row == rows.end())
    return ref.emitOpError("names no state of the population");
  return k.load2d(ref.getLoc(), state, row->second, i);
}

FailureOr<Value>
PopulationKernels::spikeFlag(ThresholdOp threshold,
                             const llvm::StringMap<Value> &current,
                             Value canSpike) {
  auto read = [&](RefOp ref) -> FailureOr<Value> {
    auto it = current.find(ref.getName());
    if (it != current.end())
      return it->second;
    auto row = rows.find(ref.getName());
    if (row == rows.end())
      return ref.emitOpError("names no state of the population");
    return k.load2d(ref.getLoc(), state, row->second, i);
  };
  auto noWrite = [&](AssignOp assign) -> LogicalResult {
    return assign.emitOpError("cannot assign in a threshold");
  };
  // `lastspike`: the spike before this step's, still in the row.
  k.kernelLastSpike = [&](LastSpikeOp op) -> FailureOr<Value> {
    return k.lastSpikeSeconds(op.getLoc(), state, rows, i);
  };
  auto cond = k.inlineRegion(threshold.getCondition(), read,
                             [&](AssignOp a, Value) { return noWrite(a); });
  k.kernelLastSpike = nullptr;
  if (failed(cond))
    return failure();
  Location tl = threshold.getLoc();
  Value spike = b.create<arith::AndIOp>(tl, (*cond)[0], canSpike);
  Value flag = b.create<arith::ExtUIOp>(tl, b.getI8Type(), spike);
  auto ifOp = b.create<scf::IfOp>(tl, spike, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  k.store2d(tl, stepF, state, rows["_lastspike"], i);
  if (threshold.isRefractoryCondition())
    k.store2d(tl, k.f64Constant(tl, 1.0), state, rows["_refractory"], i);
  return flag;
}

LogicalResult PopulationKernels::buildResetKernel(ResetOp reset) {
  Location loc = reset.getLoc();
  Type args[NEURO_RESET_NUM_ARGS];
  args[NEURO_RESET_ARG_SPIKES] = k.vectorType(b.getI32Type());
  args[NEURO_RESET_ARG_STATE] = k.stateType();
  args[NEURO_RESET_ARG_STEP] = b.getI64Type();
  args[NEURO_RESET_ARG_SEED] = b.getI64Type();
  auto fn = k.createKernel(loc, KernelKind::Reset, pop.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value spikes = fn.getArgument(NEURO_RESET_ARG_SPIKES);
  state = fn.getArgument(NEURO_RESET_ARG_STATE);
  Value m = b.create<memref::DimOp>(loc, spikes, k.index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, k.index(loc, 0), m, k.index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  i = k.loadIndex(loc, spikes, loop.getInductionVar());
  // rand(): keyed by neuron and step, as in the step kernel, with the
  // reset's own call sites.
  k.kernelStep = fn.getArgument(NEURO_RESET_ARG_STEP);
  k.kernelSeed = fn.getArgument(NEURO_RESET_ARG_SEED);
  k.kernelPopulation = k.populationIndex(pop);
  bool draws = false;
  reset.getBody().walk(
      [&](Operation *op) { draws |= isa<RandOp, RandNormalOp>(op); });
  if (draws)
    k.kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);
  auto read = [&](RefOp ref) { return readOwnRow(ref); };
  auto write = [&](AssignOp assign, Value v) -> LogicalResult {
    auto row = rows.find(assign.getName());
    if (row == rows.end())
      return assign.emitOpError("names no state of the population");
    k.store2d(assign.getLoc(), v, state, row->second, i);
    return success();
  };
  // The neurons reset spiked in this step: refractory when the model gives
  // a period (from the threshold on, as Brian2), otherwise unless the
  // period is zero steps.
  const KernelBuilder::Refractoriness &r = k.refractoriness[pop.getSymName()];
  k.kernelNotRefractory = [&](NotRefractoryOp op) -> FailureOr<Value> {
    Location l = op.getLoc();
    if (r.fromSpike || !r.perNeuron)
      return b
          .create<arith::ConstantOp>(
              l, b.getBoolAttr(!r.fromSpike && r.steps <= 0.0))
          .getResult();
    FailureOr<Value> steps = k.refractorySteps(l, r, read);
    if (failed(steps))
      return failure();
    return b
        .create<arith::CmpFOp>(l, arith::CmpFPredicate::OLE, *steps,
                               k.f64Constant(l, 0.0))
        .getResult();
  };
  // `t` and `lastspike`: the start of the step in which the neuron
  // spiked, the step its `_lastspike` row holds.
  if (!reset.getBody().getOps<TimeOp>().empty() && rows.count("_lastspike"))
    k.kernelTime = k.lastSpikeSeconds(loc, state, rows, i);
  k.kernelLastSpike = [&](LastSpikeOp op) -> FailureOr<Value> {
    return k.lastSpikeSeconds(op.getLoc(), state, rows, i);
  };
  LogicalResult result =
      failure(failed(k.inlineRegion(reset.getBody(), read, write)));
  k.kernelNotRefractory = nullptr;
  k.kernelLastSpike = nullptr;
  k.kernelTime = k.kernelSeed = k.kernelIndex = k.kernelStep = Value();
  return result;
}

LogicalResult PopulationKernels::buildSampleKernel(ArrayRef<LetOp> lets,
                                                   ThresholdOp threshold) {
  Location loc = pop.getLoc();
  Type args[NEURO_SAMPLE_NUM_ARGS];
  args[NEURO_SAMPLE_ARG_STATE] = k.stateType();
  args[NEURO_SAMPLE_ARG_STEP] = args[NEURO_SAMPLE_ARG_BEGIN] =
      args[NEURO_SAMPLE_ARG_END] = b.getI64Type();
  auto fn = k.createKernel(loc, KernelKind::Sample, pop.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  state = fn.getArgument(NEURO_SAMPLE_ARG_STATE);
  enterNeuronLoop(fn, NEURO_SAMPLE_ARG_STEP, NEURO_SAMPLE_ARG_BEGIN,
                  NEURO_SAMPLE_ARG_END);
  auto read = [&](RefOp ref) { return readOwnRow(ref); };
  // `not_refractory` as Brian2's variable holds it at the start of step k:
  // false from a spike in step k - 1 (set by the threshold) until the
  // state update of the first step past the period, or, for a condition,
  // what the last step left in `_refractory`.
  const KernelBuilder::Refractoriness &r = k.refractoriness[pop.getSymName()];
  k.kernelNotRefractory = [&](NotRefractoryOp op) -> FailureOr<Value> {
    Location l = op.getLoc();
    if (!threshold || !r.any())
      return b.create<arith::ConstantOp>(l, b.getBoolAttr(true)).getResult();
    if (threshold.isRefractoryCondition())
      return b
          .create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ,
                                 k.load2d(l, state, rows["_refractory"], i),
                                 k.f64Constant(l, 0.0))
          .getResult();
    FailureOr<Value> steps = k.refractorySteps(l, r, read);
    if (failed(steps))
      return failure();
    Value least = b.create<arith::MaximumFOp>(l, *steps, k.f64Constant(l, 1.0));
    Value before = b.create<arith::SubFOp>(l, stepF, k.f64Constant(l, 1.0));
    Value since = b.create<arith::SubFOp>(
        l, before, k.load2d(l, state, rows["_lastspike"], i));
    return b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGE, since, least)
        .getResult();
  };
  k.kernelLastSpike = [&](LastSpikeOp op) -> FailureOr<Value> {
    return k.lastSpikeSeconds(op.getLoc(), state, rows, i);
  };
  auto noWrite = [](AssignOp a, Value) -> LogicalResult {
    return a.emitOpError("cannot assign in a let");
  };
  LogicalResult result = success();
  for (LetOp let : lets) {
    auto v = k.inlineRegion(let.getValue(), read, noWrite);
    if (failed(v)) {
      result = failure();
      break;
    }
    k.store2d(let.getLoc(), (*v)[0], state, rows.lookup(let.getVar()), i);
  }
  k.resetKernelValues();
  return result;
}
