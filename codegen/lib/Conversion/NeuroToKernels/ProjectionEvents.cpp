//===- ProjectionEvents.cpp - The event kernels of a projection -----------===//
//
// neuro_deliver_<net>_<proj> (`on pre`, for the synapses of the sources
// that spiked) and neuro_deliver_post_<net>_<proj> (`on post`, for the
// synapses onto the targets that spiked): an event first advances the
// synapse's states solved between events (neuro.decay) from its last event
// (row `_lastupdate`), then runs the statements; its draws (rand(),
// randn()) are keyed by the synapse's ends, the step and the entries of
// its neuron before it in the step's list.
//
//===----------------------------------------------------------------------===//

#include "ProjectionKernels.h"

#include "neuro/Runtime/Streams.h"

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

//===----------------------------------------------------------------------===//
// Event kernels
//===----------------------------------------------------------------------===//

Value ProjectionKernels::decayStep(SynapseContext &c, DecayOp decay, Value x,
                                   Value n) {
  Location dl = decay.getLoc();
  double rate = decay.getRate().convertToDouble();
  double offset = decay.getOffset().convertToDouble();
  // b: the offset and the synapse's inputs, constant since its last event.
  bool inputs = decay.getInputs() && !decay.getInputs()->empty();
  Value b0 = inputs ? k.f64Constant(dl, offset) : Value();
  if (inputs)
    for (auto [input, gain] :
         llvm::zip_equal(*decay.getInputs(), *decay.getGains())) {
      int64_t row = synRows.lookup(cast<FlatSymbolRefAttr>(input).getValue());
      b0 = b.create<arith::AddFOp>(
          dl, b0,
          b.create<arith::MulFOp>(dl, k.load2d(dl, c.syn, row, c.j),
                                  k.f64Constant(dl, gain)));
    }
  if (rate == 0.0 && !inputs)
    return b.create<arith::AddFOp>(
        dl, x,
        b.create<arith::MulFOp>(dl, n, k.f64Constant(dl, offset * k.kernelDt)));
  if (rate == 0.0)
    return b.create<arith::AddFOp>(
        dl, x,
        b.create<arith::MulFOp>(
            dl, b.create<arith::MulFOp>(dl, n, k.f64Constant(dl, k.kernelDt)),
            b0));
  Value arg =
      b.create<arith::MulFOp>(dl, n, k.f64Constant(dl, rate * k.kernelDt));
  if (offset == 0.0 && !inputs)
    return b.create<arith::MulFOp>(dl, x, b.create<math::ExpOp>(dl, arg));
  // x + (rate x + b) expm1(rate h) / rate
  Value slope = b.create<arith::AddFOp>(
      dl, b.create<arith::MulFOp>(dl, x, k.f64Constant(dl, rate)),
      inputs ? b0 : k.f64Constant(dl, offset));
  return b.create<arith::AddFOp>(
      dl, x,
      b.create<arith::MulFOp>(
          dl, slope,
          b.create<arith::DivFOp>(dl, b.create<math::ExpM1Op>(dl, arg),
                                  k.f64Constant(dl, rate))));
}

void ProjectionKernels::advanceSystem(SynapseContext &c, DecaySystemOp system,
                                      Value n) {
  Location l = system.getLoc();
  size_t size = system.getVars().size();
  ArrayRef<double> rates = system.getRates(), modes = system.getModes(),
                   inverse = system.getInverse();
  auto rowOf = [&](Attribute name) {
    return synRows.lookup(cast<FlatSymbolRefAttr>(name).getValue());
  };
  // sum_j m[r * size + j] v[j], skipping zero entries.
  auto times = [&](ArrayRef<double> m, size_t r, ArrayRef<Value> v) {
    Value sum;
    for (size_t j = 0; j < v.size(); ++j) {
      if (m[r * v.size() + j] == 0.0)
        continue;
      Value term = m[r * v.size() + j] == 1.0
                       ? v[j]
                       : b.create<arith::MulFOp>(
                             l, v[j], k.f64Constant(l, m[r * v.size() + j]));
      sum = sum ? b.create<arith::AddFOp>(l, sum, term).getResult() : term;
    }
    return sum ? sum : k.f64Constant(l, 0.0);
  };
  SmallVector<Value> x, inputs, rhs, z, w;
  for (Attribute var : system.getVars())
    x.push_back(k.load2d(l, c.syn, rowOf(var), c.j));
  if (auto in = system.getInputs())
    for (Attribute input : *in)
      inputs.push_back(k.load2d(l, c.syn, rowOf(input), c.j));
  // b = offsets + gains inputs, constant since the last event.
  for (size_t r = 0; r < size; ++r) {
    Value br = k.f64Constant(l, system.getOffsets()[r]);
    if (!inputs.empty())
      br = b.create<arith::AddFOp>(l, br, times(*system.getGains(), r, inputs));
    rhs.push_back(br);
  }
  for (size_t i = 0; i < size; ++i) {
    Value zi = times(inverse, i, x), wi = times(inverse, i, rhs);
    if (rates[i] == 0.0) {
      Value h = b.create<arith::MulFOp>(l, n, k.f64Constant(l, k.kernelDt));
      z.push_back(
          b.create<arith::AddFOp>(l, zi, b.create<arith::MulFOp>(l, wi, h)));
      continue;
    }
    Value arg =
        b.create<arith::MulFOp>(l, n, k.f64Constant(l, rates[i] * k.kernelDt));
    // z e^(rate h) + w expm1(rate h) / rate
    Value grow = b.create<math::ExpM1Op>(l, arg);
    z.push_back(b.create<arith::AddFOp>(
        l, b.create<arith::AddFOp>(l, zi, b.create<arith::MulFOp>(l, zi, grow)),
        b.create<arith::MulFOp>(
            l, wi,
            b.create<arith::DivFOp>(l, grow, k.f64Constant(l, rates[i])))));
  }
  for (size_t r = 0; r < size; ++r)
    k.store2d(l, times(modes, r, z), c.syn, rowOf(system.getVars()[r]), c.j);
}

void ProjectionKernels::advanceDecays(SynapseContext &c, Value now) {
  int64_t luRow = synRows.lookup("_lastupdate");
  Location l =
      decays.empty() ? systems.front().getLoc() : decays.front().getLoc();
  Value n = b.create<arith::SubFOp>(l, now, k.load2d(l, c.syn, luRow, c.j));
  for (DecayOp decay : decays) {
    int64_t row = synRows.lookup(decay.getVar());
    Value x = k.load2d(decay.getLoc(), c.syn, row, c.j);
    k.store2d(decay.getLoc(), decayStep(c, decay, x, n), c.syn, row, c.j);
  }
  for (DecaySystemOp system : systems)
    advanceSystem(c, system, n);
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
  if (!decays.empty() || !systems.empty())
    advanceDecays(c, now);
  bindDraws(region, c);
  // `t`: the start of the step that delivers the event.
  if (!region.getOps<TimeOp>().empty()) {
    Location l = region.getLoc();
    k.kernelTime = k.stepTime(l, now, k.kernelDt);
  }
  LogicalResult result = failure(failed(k.inlineRegion(
      region, [&](RefOp ref) { return readSynapseVar(c, ref); },
      [&](AssignOp a, Value v) { return writeSynapseVar(c, a, v); })));
  k.resetKernelValues();
  return result;
}

bool neuro::detail::drawsIn(Region &region) {
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
