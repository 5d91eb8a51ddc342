//===- PopulationKernels.cpp - Step and reset kernels of a population -----===//
//
// neuro_step_<net>_<pop>(state, spiked, step, seed, begin, end) advances
// neurons [begin, end) of the population by one step: their equations
// (NumericalMethods.cpp), then the threshold, which sets spiked[i] and,
// for a neuron that spikes, its `_lastspike` row. neuro_reset_<net>_<pop>
// (spikes, state) runs the reset of the neurons in the spike list.
//
// Refractoriness follows Brian2: with R the refractory period in steps and
// `_lastspike` the step of the last spike, a neuron is refractory in step k
// while k - _lastspike < R: its `unless refractory` states are held and it
// cannot spike.
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"

#include <cmath>

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

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
  PropagateOp propagate;
  for (Operation &op : body) {
    if (auto t = dyn_cast<ThresholdOp>(op))
      threshold = t;
    else if (auto r = dyn_cast<ResetOp>(op))
      reset = r;
    else if (auto p = dyn_cast<PropagateOp>(op))
      propagate = p;
  }
  if (threshold)
    declareLastSpikeRow(pop);
  // Exact integration with coefficients per neuron: the propagator's
  // entries become rows, set by the init kernel (convertInits).
  PerNeuronPropagator pnp;
  if (!odes.empty() && *odes.front().getMethod() == "exact") {
    pnp = perNeuronPropagator(pop, odes);
    declarePropagatorRows(pop, pnp);
  }
  llvm::StringMap<int64_t> rows = rowIndex<StateOp>(body);

  if (failed(buildStepKernel(pop, threshold, propagate, odes, pnp, rows)))
    return failure();
  if (reset && failed(convertReset(pop, reset, rows)))
    return failure();

  // The network keeps only what the runtime reads.
  for (Operation &op : llvm::make_early_inc_range(body))
    if (isa<PropagateOp, ThresholdOp, ResetOp>(op) ||
        (isa<OdeOp>(op) && !pnp.n))
      op.erase();
  return success();
}

void KernelBuilder::declareLastSpikeRow(PopulationOp pop) {
  Block &body = pop.getBody().front();
  Location loc = pop.getLoc();
  OpBuilder db(&getContextRef());
  Operation *lastDecl = nullptr;
  for (auto s : body.getOps<StateOp>())
    lastDecl = s;
  if (lastDecl)
    db.setInsertionPointAfter(lastDecl);
  else
    db.setInsertionPointToStart(&body);
  db.create<StateOp>(loc, "_lastspike", "1");
  db.setInsertionPointToEnd(&body);
  db.create<InitConstOp>(loc,
                         FlatSymbolRefAttr::get(db.getContext(), "_lastspike"),
                         db.getF64FloatAttr(kNeverSpiked));
}

void KernelBuilder::declarePropagatorRows(PopulationOp pop,
                                          const PerNeuronPropagator &pnp) {
  Block &body = pop.getBody().front();
  Location loc = pop.getLoc();
  OpBuilder db(&getContextRef());
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

LogicalResult KernelBuilder::buildStepKernel(PopulationOp pop,
                                             ThresholdOp threshold,
                                             PropagateOp propagate,
                                             SmallVectorImpl<OdeOp> &odes,
                                             const PerNeuronPropagator &pnp,
                                             llvm::StringMap<int64_t> &rows) {
  Location loc = pop.getLoc();
  auto fn =
      createKernel(loc, stepKernelName(network.getSymName(), pop.getSymName()),
                   {stateType(), vectorType(b.getI8Type()), b.getI64Type(),
                    b.getI64Type(), b.getI64Type(), b.getI64Type()});
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value state = fn.getArgument(0), spiked = fn.getArgument(1);
  Value stepF = b.create<arith::SIToFPOp>(loc, f64(), fn.getArgument(2));
  kernelDt = network.getDt().convertToDouble();
  kernelStep = fn.getArgument(2);
  kernelSeed = fn.getArgument(3);
  kernelPopulation = populationIndex(pop);
  Value startTime =
      b.create<arith::MulFOp>(loc, stepF, f64Constant(loc, kernelDt));
  kernelTime = startTime;
  // Neurons [begin, end): the runtime splits a population among threads.
  Value begin =
      b.create<arith::IndexCastOp>(loc, b.getIndexType(), fn.getArgument(4));
  Value end =
      b.create<arith::IndexCastOp>(loc, b.getIndexType(), fn.getArgument(5));
  auto loop = b.create<scf::ForOp>(loc, begin, end, index(loc, 1));
  loop->setAttr(kNeuronLoopAttr, b.getUnitAttr());
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i = loop.getInductionVar();
  kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);

  Value inRefractory, canSpike;
  if (threshold)
    std::tie(canSpike, inRefractory) =
        refractoryTest(pop, threshold, state, stepF, i, rows);

  // The new values of the states, which the threshold reads.
  llvm::StringMap<Value> current;
  if (propagate)
    expandPropagate(propagate, loc, rows, state, i, inRefractory, current);

  if (!odes.empty() && pnp.n) {
    applyPerNeuronPropagator(loc, odes, pnp, rows, state, i, inRefractory,
                             current);
  } else if (!odes.empty()) {
    llvm::StringMap<Value> x, next;
    for (auto &row : rows)
      x[row.getKey()] = load2d(loc, state, row.getValue(), i);
    if (failed(integrateNumerically(odes, x, inRefractory,
                                    network.getDt().convertToDouble(), next)))
      return failure();
    for (OdeOp ode : odes) {
      store2d(ode.getLoc(), next[ode.getVar()], state,
              rows.lookup(ode.getVar()), i);
      current[ode.getVar()] = next[ode.getVar()];
    }
  }

  Value flag;
  if (threshold) {
    FailureOr<Value> spiking =
        spikeFlag(threshold, current, rows, state, i, stepF, canSpike);
    if (failed(spiking))
      return failure();
    flag = *spiking;
  } else {
    flag = b.create<arith::ConstantOp>(loc, b.getI8IntegerAttr(0));
  }
  b.create<memref::StoreOp>(loc, flag, spiked, ValueRange{i});

  kernelTime = kernelSeed = kernelIndex = kernelStep = Value();
  kernelNotRefractory = nullptr;
  return success();
}

std::pair<Value, Value>
KernelBuilder::refractoryTest(PopulationOp pop, ThresholdOp threshold,
                              Value state, Value stepF, Value i,
                              llvm::StringMap<int64_t> &rows) {
  Location loc = pop.getLoc();
  double dt = network.getDt().convertToDouble();
  double steps = std::round(threshold.getRefractory().convertToDouble() / dt);
  Value refSteps = f64Constant(loc, steps);
  Value last = load2d(loc, state, rows["_lastspike"], i);
  Value since = b.create<arith::SubFOp>(loc, stepF, last);
  Value canSpike =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, since, refSteps);
  Value always = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
  Value inRefractory = b.create<arith::XOrIOp>(loc, canSpike, always);
  Refractoriness &r = refractoriness[pop.getSymName()];
  r.steps = steps;
  if (auto clamped = threshold.getClamped())
    for (Attribute name : *clamped)
      r.clamped.insert(cast<FlatSymbolRefAttr>(name).getValue());
  kernelNotRefractory = [canSpike](NotRefractoryOp) { return canSpike; };
  return {canSpike, inRefractory};
}

FailureOr<Value> KernelBuilder::spikeFlag(ThresholdOp threshold,
                                          const llvm::StringMap<Value> &current,
                                          llvm::StringMap<int64_t> &rows,
                                          Value state, Value i, Value stepF,
                                          Value canSpike) {
  auto read = [&](RefOp ref) -> FailureOr<Value> {
    auto it = current.find(ref.getName());
    if (it != current.end())
      return it->second;
    auto row = rows.find(ref.getName());
    if (row == rows.end())
      return ref.emitOpError("names no state of the population");
    return load2d(ref.getLoc(), state, row->second, i);
  };
  auto noWrite = [&](AssignOp assign) -> LogicalResult {
    return assign.emitOpError("cannot assign in a threshold");
  };
  auto cond = inlineRegion(threshold.getCondition(), read,
                           [&](AssignOp a, Value) { return noWrite(a); });
  if (failed(cond))
    return failure();
  Location tl = threshold.getLoc();
  Value spike = b.create<arith::AndIOp>(tl, (*cond)[0], canSpike);
  Value flag = b.create<arith::ExtUIOp>(tl, b.getI8Type(), spike);
  auto ifOp = b.create<scf::IfOp>(tl, spike, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  store2d(tl, stepF, state, rows["_lastspike"], i);
  return flag;
}

LogicalResult
KernelBuilder::convertReset(PopulationOp pop, ResetOp reset,
                            const llvm::StringMap<int64_t> &rows) {
  Location loc = reset.getLoc();
  auto fn =
      createKernel(loc, resetKernelName(network.getSymName(), pop.getSymName()),
                   {vectorType(b.getI32Type()), stateType()});
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value spikes = fn.getArgument(0), state = fn.getArgument(1);
  Value m = b.create<memref::DimOp>(loc, spikes, index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, index(loc, 0), m, index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i = loadIndex(loc, spikes, loop.getInductionVar());
  auto read = [&](RefOp ref) -> FailureOr<Value> {
    auto row = rows.find(ref.getName());
    if (row == rows.end())
      return ref.emitOpError("names no state of the population");
    return load2d(ref.getLoc(), state, row->second, i);
  };
  auto write = [&](AssignOp assign, Value v) -> LogicalResult {
    auto row = rows.find(assign.getName());
    if (row == rows.end())
      return assign.emitOpError("names no state of the population");
    store2d(assign.getLoc(), v, state, row->second, i);
    return success();
  };
  // The neurons reset spiked in this step: refractory unless the period
  // is zero steps.
  bool never = refractoriness.lookup(pop.getSymName()).steps <= 0.0;
  kernelNotRefractory = [&, never](NotRefractoryOp op) -> FailureOr<Value> {
    return b.create<arith::ConstantOp>(op.getLoc(), b.getBoolAttr(never))
        .getResult();
  };
  LogicalResult result =
      failure(failed(inlineRegion(reset.getBody(), read, write)));
  kernelNotRefractory = nullptr;
  return result;
}
