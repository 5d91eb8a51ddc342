//===- InitKernels.cpp - Kernels the runtime runs to build the network ----===//
//
// The values given by expressions, computed when the runtime builds the
// network (after it set the other initial values):
//
//   neuro_init_<net>_<pop>(state, seed)
//       per neuron and in the body's order, each reading the rows set
//       before it: the population's initial values given by expressions
//       (neuro.init_expr), then the entries of the propagators of equations
//       integrated exactly with coefficients per neuron
//   neuro_derive_<net>_<pop>(state, seed)
//       the `derived` parameters and the propagators alone, which the
//       runtime calls again when the host changed rows
//   neuro_connect_<net>_<proj>(i, j, pre, post, seed) -> f64
//       the probability that source i connects to target j
//   neuro_syninit_<net>_<proj>(srcs, cols, syn, pre, post, seed, first,
//                              in_degree, out_degree)
//       per synapse s from srcs[s] to cols[s], the synapse rows given by
//       expressions (`syn` has the synapse rows, then `_delay` when the
//       delay is an expression); neuro.degree reads the synapse counts of
//       the target (in_degree) or the source (out_degree)
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"

#include "neuro/Runtime/Streams.h"

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

/// The random stream of init call site `site`: row 2048 + site of the
/// population's (projection's) init streams, apart from its rows' and
/// from row 4095 (drawn delays).
static uint32_t initSite(uint32_t site) { return 2048 + site % 2047; }

/// An assignment where an initial value is computed: an error.
static LogicalResult noWrite(AssignOp a, Value) {
  return a.emitOpError("cannot assign here");
}

/// Kernel `kind` (init or derive: state, seed) of `pop` that computes
/// `inits`, then the propagators of `exact`, for every neuron.
static LogicalResult buildInitKernel(KernelBuilder &k, PopulationOp pop,
                                     KernelKind kind,
                                     ArrayRef<InitExprOp> inits,
                                     SmallVectorImpl<OdeOp> &exact) {
  OpBuilder &b = k.b;
  llvm::StringMap<int64_t> rows = rowIndex<StateOp>(pop.getBody().front());
  Location loc = pop.getLoc();
  Type args[NEURO_INIT_NUM_ARGS];
  args[NEURO_INIT_ARG_STATE] = k.stateType();
  args[NEURO_INIT_ARG_SEED] = b.getI64Type();
  auto fn = k.createKernel(loc, kind, pop.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value state = fn.getArgument(NEURO_INIT_ARG_STATE);
  Value n = b.create<memref::DimOp>(loc, state, k.index(loc, 1));
  auto loop = b.create<scf::ForOp>(loc, k.index(loc, 0), n, k.index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i = loop.getInductionVar();
  uint32_t popIndex = k.populationIndex(pop);
  k.kernelSeed = fn.getArgument(NEURO_INIT_ARG_SEED);
  k.kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);
  k.kernelStep = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  k.kernelIndexSelf = b.create<arith::SIToFPOp>(loc, k.f64(), k.kernelIndex);
  k.kernelStreamOf = [popIndex](uint32_t site) {
    return rt::streams::neuronInit(popIndex, initSite(site));
  };
  // The neuron's own rows (parameters set per neuron), as set so far.
  auto readRow = [&](RefOp ref) -> FailureOr<Value> {
    auto row = rows.find(ref.getName());
    if (ref.getPost() || ref.getPre() || row == rows.end())
      return ref.emitOpError("an initial value of a population reads only "
                             "the population's own rows");
    return k.load2d(ref.getLoc(), state, row->second, i);
  };
  for (InitExprOp init : inits) {
    auto row = rows.find(init.getVar());
    if (row == rows.end())
      return init.emitOpError("names no state of the population");
    auto v = k.inlineRegion(init.getValue(), readRow, noWrite);
    if (failed(v))
      return failure();
    k.store2d(init.getLoc(), (*v)[0], state, row->second, i);
  }
  // After the initial values: the propagators may depend on them.
  if (!exact.empty()) {
    k.kernelDt = k.network.getDt().convertToDouble();
    if (failed(k.buildPropagators(pop, exact, rows, state, i)))
      return failure();
  }
  k.resetKernelValues();
  return success();
}

LogicalResult KernelBuilder::convertInits(PopulationOp pop) {
  SmallVector<InitExprOp> inits(pop.getBody().getOps<InitExprOp>());
  // The equations left after the step kernel: integrated exactly with
  // coefficients per neuron.
  SmallVector<OdeOp> exact(pop.getBody().getOps<OdeOp>());
  if (inits.empty() && exact.empty())
    return success();
  SmallVector<InitExprOp> derived;
  for (InitExprOp init : inits)
    if (init.getDerived())
      derived.push_back(init);
  if (failed(buildInitKernel(*this, pop, KernelKind::Init, inits, exact)))
    return failure();
  if ((!derived.empty() || !exact.empty()) &&
      failed(buildInitKernel(*this, pop, KernelKind::Derive, derived, exact)))
    return failure();
  for (OdeOp ode : exact)
    ode.erase();
  return success();
}

namespace {

/// The kernels of a projection's connection rule and of the initial values
/// of its synapses, which read the rows of its source and target.
class SynapseInitKernels {
public:
  SynapseInitKernels(KernelBuilder &k, ProjectionOp proj, PopulationOp source,
                     PopulationOp target)
      : k(k), b(k.b), proj(proj),
        preRows(rowIndex<StateOp>(source.getBody().front())),
        postRows(rowIndex<StateOp>(target.getBody().front())) {}

  /// neuro_connect_<net>_<proj>(i, j, pre, post, seed): the probability
  /// `rule` gives that source i connects to target j.
  LogicalResult buildConnectKernel(ConnectRuleOp rule);
  /// neuro_syninit_<net>_<proj>(srcs, cols, syn, pre, post, seed, first,
  /// in_degree, out_degree): `inits`
  /// for every synapse s from srcs[s] to cols[s].
  LogicalResult buildSynInitKernel(ArrayRef<InitExprOp> inits);

private:
  /// What `ref` reads: a row of the source neuron `i` or the target neuron
  /// `j`.
  FailureOr<Value> read(RefOp ref);

  KernelBuilder &k;
  OpBuilder &b;
  ProjectionOp proj;
  llvm::StringMap<int64_t> preRows, postRows, synRows;
  /// The states of the source and the target, the neurons, and (syninit)
  /// the synapse rows and the synapse, in the kernel being built.
  Value pre, post, i, j, syn, s;
};

} // namespace

LogicalResult KernelBuilder::convertSynapseInits(ProjectionOp proj) {
  auto lookupPop = [&](FlatSymbolRefAttr name) {
    return dyn_cast_or_null<PopulationOp>(
        SymbolTable::lookupSymbolIn(network, name.getAttr()));
  };
  PopulationOp source = lookupPop(proj.getSourceAttr());
  PopulationOp target = lookupPop(proj.getTargetAttr());
  SynapseInitKernels kernels(*this, proj, source, target);
  Block &body = proj.getBody().front();
  for (auto rule : llvm::make_early_inc_range(body.getOps<ConnectRuleOp>())) {
    if (failed(kernels.buildConnectKernel(rule)))
      return failure();
    rule.erase();
  }
  SmallVector<InitExprOp> inits(body.getOps<InitExprOp>());
  if (inits.empty())
    return success();
  return kernels.buildSynInitKernel(inits);
}

FailureOr<Value> SynapseInitKernels::read(RefOp ref) {
  // The synapse's weight or a state, as set so far (syninit).
  if (!ref.getPre() && !ref.getPost() && syn) {
    auto row = synRows.find(ref.getName());
    if (row == synRows.end())
      return ref.emitOpError("names no variable of the synapse");
    return k.load2d(ref.getLoc(), syn, row->second, s);
  }
  const llvm::StringMap<int64_t> &rows = ref.getPre() ? preRows : postRows;
  auto it = rows.find(ref.getName());
  if ((!ref.getPre() && !ref.getPost()) || it == rows.end())
    return ref.emitOpError("names no state of the source or target");
  return k.load2d(ref.getLoc(), ref.getPre() ? pre : post, it->second,
                  ref.getPre() ? i : j);
}

LogicalResult SynapseInitKernels::buildConnectKernel(ConnectRuleOp rule) {
  Location loc = rule.getLoc();
  OpBuilder::InsertionGuard guard(b);
  // Not createKernel: the kernel returns the probability.
  Type args[NEURO_CONNECT_NUM_ARGS];
  args[NEURO_CONNECT_ARG_I] = args[NEURO_CONNECT_ARG_J] =
      args[NEURO_CONNECT_ARG_SEED] = b.getI64Type();
  args[NEURO_CONNECT_ARG_PRE] = args[NEURO_CONNECT_ARG_POST] = k.stateType();
  auto fn = k.declareKernel(loc, KernelKind::Connect, proj.getSymName(),
                            b.getFunctionType(args, {k.f64()}));
  k.kernelEntry = fn.addEntryBlock();
  k.indexConstants.clear();
  k.floatConstants.clear();
  b.setInsertionPointToEnd(k.kernelEntry);
  Value srcIndex = fn.getArgument(NEURO_CONNECT_ARG_I);
  Value dstIndex = fn.getArgument(NEURO_CONNECT_ARG_J);
  i = b.create<arith::IndexCastOp>(loc, b.getIndexType(), srcIndex);
  j = b.create<arith::IndexCastOp>(loc, b.getIndexType(), dstIndex);
  pre = fn.getArgument(NEURO_CONNECT_ARG_PRE);
  post = fn.getArgument(NEURO_CONNECT_ARG_POST);
  k.kernelIndexPre = b.create<arith::SIToFPOp>(loc, k.f64(), srcIndex);
  k.kernelIndexPost = b.create<arith::SIToFPOp>(loc, k.f64(), dstIndex);
  auto p = k.inlineRegion(
      rule.getProbability(), [&](RefOp ref) { return read(ref); }, noWrite);
  if (failed(p))
    return failure();
  b.create<func::ReturnOp>(loc, (*p)[0]);
  k.resetKernelValues();
  return success();
}

LogicalResult
SynapseInitKernels::buildSynInitKernel(ArrayRef<InitExprOp> inits) {
  uint32_t projIndex = k.projectionIndex(proj);
  for (const std::string &name : synapseRowNames(proj))
    synRows[name] = static_cast<int64_t>(synRows.size());
  synRows["_delay"] = static_cast<int64_t>(synRows.size());
  Location loc = proj.getLoc();
  Type args[NEURO_SYNINIT_NUM_ARGS];
  args[NEURO_SYNINIT_ARG_SRCS] = args[NEURO_SYNINIT_ARG_COLS] =
      args[NEURO_SYNINIT_ARG_IN_DEGREE] = args[NEURO_SYNINIT_ARG_OUT_DEGREE] =
          k.vectorType(b.getI32Type());
  args[NEURO_SYNINIT_ARG_SYN] = args[NEURO_SYNINIT_ARG_PRE] =
      args[NEURO_SYNINIT_ARG_POST] = k.stateType();
  args[NEURO_SYNINIT_ARG_SEED] = args[NEURO_SYNINIT_ARG_FIRST] = b.getI64Type();
  auto fn = k.createKernel(loc, KernelKind::SynInit, proj.getSymName(), args);
  b.setInsertionPoint(fn.getBody().front().getTerminator());
  Value cols = fn.getArgument(NEURO_SYNINIT_ARG_COLS);
  syn = fn.getArgument(NEURO_SYNINIT_ARG_SYN);
  pre = fn.getArgument(NEURO_SYNINIT_ARG_PRE);
  post = fn.getArgument(NEURO_SYNINIT_ARG_POST);
  Value nsyn = b.create<memref::DimOp>(loc, cols, k.index(loc, 0));
  auto loop = b.create<scf::ForOp>(loc, k.index(loc, 0), nsyn, k.index(loc, 1));
  b.setInsertionPoint(loop.getBody()->getTerminator());
  s = loop.getInductionVar();
  i = k.loadIndex(loc, fn.getArgument(NEURO_SYNINIT_ARG_SRCS), s);
  j = k.loadIndex(loc, cols, s);
  k.kernelSeed = fn.getArgument(NEURO_SYNINIT_ARG_SEED);
  // Draws are keyed by the synapse's index in the whole projection.
  k.kernelIndex = b.create<arith::AddIOp>(
      loc, b.create<arith::IndexCastOp>(loc, b.getI64Type(), s),
      fn.getArgument(NEURO_SYNINIT_ARG_FIRST));
  k.kernelStep = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  k.kernelIndexPre = b.create<arith::SIToFPOp>(
      loc, k.f64(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), i));
  k.kernelIndexPost = b.create<arith::SIToFPOp>(
      loc, k.f64(), b.create<arith::IndexCastOp>(loc, b.getI64Type(), j));
  k.kernelStreamOf = [projIndex](uint32_t site) {
    return rt::streams::synapseInit(projIndex, initSite(site));
  };
  // N_incoming, N_outgoing: the counts of the synapse's target and source.
  k.kernelDegree = [&](DegreeOp op) -> FailureOr<Value> {
    bool in = op.getWhich() == "incoming";
    Value n = b.create<memref::LoadOp>(
        op.getLoc(),
        fn.getArgument(in ? NEURO_SYNINIT_ARG_IN_DEGREE
                          : NEURO_SYNINIT_ARG_OUT_DEGREE),
        in ? j : i);
    return b.create<arith::SIToFPOp>(op.getLoc(), k.f64(), n).getResult();
  };
  for (InitExprOp init : inits) {
    auto row = synRows.find(init.getVar());
    if (row == synRows.end())
      return init.emitOpError("names no synapse variable");
    auto v = k.inlineRegion(
        init.getValue(), [&](RefOp ref) { return read(ref); }, noWrite);
    if (failed(v))
      return failure();
    k.store2d(init.getLoc(), (*v)[0], syn, row->second, s);
  }
  k.resetKernelValues();
  return success();
}
