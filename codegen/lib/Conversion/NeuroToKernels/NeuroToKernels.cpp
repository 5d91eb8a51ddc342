//===- NeuroToKernels.cpp - Populations and projections to step kernels ---===//
//
// Outlines the per-step work of an integrated network into functions with the
// signatures of runtime/include/neuro/Runtime/ABI.h:
//
//   neuro_step_<net>_<pop>(state: memref<?x?xf64>, spiked: memref<?xi8>, i64)
//   neuro_reset_<net>_<pop>(spikes: memref<?xi32>, state: memref<?x?xf64>)
//   neuro_deliver_<net>_<proj>(spikes, row_ptr: memref<?xi64>,
//                              cols: memref<?xi32>, syn, post: memref<?x?xf64>,
//                              step: i64)
//   neuro_deliver_post_<net>_<proj>(spikes, col_ptr: memref<?xi64>,
//                                   syn_index: memref<?xi64>, syn, post, i64)
//
// Refractoriness follows Brian2: with R the refractory period in steps and
// `_lastspike` the step of the last spike, a neuron is refractory in step k
// while k - _lastspike < R: its `unless refractory` states are held and it
// cannot spike.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Streams.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <cmath>

namespace neuro {
#define GEN_PASS_DEF_CONVERTNEUROTOKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

/// Random stream sites of a population: rand() call sites count from 0,
/// the noise of the population's equations from here.
static constexpr uint32_t kNoiseSiteBase = 2048;

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

std::vector<std::string> neuro::synapseRowNames(Operation *projection) {
  std::vector<std::string> rows;
  Block &body = cast<ProjectionOp>(projection).getBody().front();
  for (auto w : body.getOps<WeightOp>())
    rows.push_back(w.getSymName().str());
  for (auto s : body.getOps<StateOp>())
    rows.push_back(s.getSymName().str());
  if (!body.getOps<DecayOp>().empty())
    rows.push_back("_lastupdate");
  return rows;
}

namespace {

/// Row index of every state of a population (or weight of a projection).
template <typename DeclOp> llvm::StringMap<int64_t> rowIndex(Block &body) {
  llvm::StringMap<int64_t> rows;
  for (auto decl : body.getOps<DeclOp>())
    rows[decl.getSymName()] = static_cast<int64_t>(rows.size());
  return rows;
}

class KernelBuilder {
public:
  KernelBuilder(ModuleOp module, NetworkOp network)
      : module(module), network(network), b(module.getContext()) {}

  LogicalResult run() {
    for (auto pop : network.getBody().getOps<PopulationOp>())
      if (!pop.getSpikeTimes() && failed(convertPopulation(pop)))
        return failure();
    for (auto proj : network.getBody().getOps<ProjectionOp>())
      if (failed(convertProjection(proj)))
        return failure();
    return success();
  }

private:
  Type f64() { return b.getF64Type(); }
  MemRefType stateType() {
    return MemRefType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f64());
  }
  MemRefType vectorType(Type element) {
    return MemRefType::get({ShapedType::kDynamic}, element);
  }

  func::FuncOp createKernel(Location loc, StringRef name,
                            ArrayRef<Type> inputs) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    auto fn = b.create<func::FuncOp>(loc, name,
                                     b.getFunctionType(inputs, TypeRange{}));
    fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    b.create<func::ReturnOp>(loc);
    kernelEntry = entry;
    indexConstants.clear();
    floatConstants.clear();
    return fn;
  }

  /// Index and f64 constants, created once per kernel at its entry.
  Value index(Location loc, int64_t v) {
    Value &c = indexConstants[v];
    if (!c) {
      OpBuilder eb = OpBuilder::atBlockBegin(kernelEntry);
      c = eb.create<arith::ConstantIndexOp>(loc, v);
    }
    return c;
  }

  Value f64Constant(Location loc, double v) {
    Value &c = floatConstants[llvm::bit_cast<uint64_t>(v)];
    if (!c) {
      OpBuilder eb = OpBuilder::atBlockBegin(kernelEntry);
      c = eb.create<arith::ConstantOp>(loc, eb.getF64FloatAttr(v));
    }
    return c;
  }

  Value load2d(Location loc, Value mem, int64_t row, Value col) {
    return b.create<memref::LoadOp>(loc, mem, ValueRange{index(loc, row), col});
  }

  void store2d(Location loc, Value value, Value mem, int64_t row, Value col) {
    b.create<memref::StoreOp>(loc, value, mem,
                              ValueRange{index(loc, row), col});
  }

  Value loadIndex(Location loc, Value mem, Value at) {
    Value v = b.create<memref::LoadOp>(loc, mem, ValueRange{at});
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v);
  }

  /// Inlines the ops of `region` at the builder's position: neuro.ref and
  /// neuro.assign go through the callbacks; returns the yielded values.
  FailureOr<SmallVector<Value>>
  inlineRegion(Region &region, llvm::function_ref<FailureOr<Value>(RefOp)> read,
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
      } else if (auto rand = dyn_cast<RandOp>(op)) {
        if (!kernelSeed)
          return op.emitOpError("random numbers are not available here");
        Value stream = b.create<arith::ConstantOp>(
            op.getLoc(),
            b.getI32IntegerAttr(static_cast<int32_t>(
                rt::streams::generated(kernelPopulation, rand.getSite()))));
        auto call = b.create<func::CallOp>(
            op.getLoc(), runtimeFunction("neuro_rt_uniform"),
            ValueRange{kernelSeed, stream, kernelIndex, kernelStep});
        mapping.map(rand.getResult(), call.getResult(0));
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

  LogicalResult convertPopulation(PopulationOp pop) {
    if (pop.getModelAttr())
      return pop.emitOpError("must be elaborated before conversion to "
                             "kernels");
    SmallVector<OdeOp> odes(pop.getBody().getOps<OdeOp>());
    for (OdeOp ode : odes)
      if (!ode.getMethod() || ode.getMethod() != odes.front().getMethod())
        return ode.emitOpError("has no integration method (run "
                               "neuro-integrate) or one that differs from "
                               "the population's other equations");
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
    double dt = network.getDt().convertToDouble();
    Location loc = pop.getLoc();
    if (threshold) {
      // The refractory bookkeeping row, appended after the model's states.
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
      db.create<InitConstOp>(
          loc, FlatSymbolRefAttr::get(db.getContext(), "_lastspike"),
          db.getF64FloatAttr(kNeverSpiked));
    }
    llvm::StringMap<int64_t> rows = rowIndex<StateOp>(body);

    // Step kernel.
    auto fn = createKernel(
        loc, stepKernelName(network.getSymName(), pop.getSymName()),
        {stateType(), vectorType(b.getI8Type()), b.getI64Type(),
         b.getI64Type()});
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
    Value n = b.create<memref::DimOp>(loc, state, index(loc, 1));
    auto loop = b.create<scf::ForOp>(loc, index(loc, 0), n, index(loc, 1));
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value i = loop.getInductionVar();
    kernelIndex = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);

    Value inRefractory, canSpike;
    if (threshold) {
      double steps =
          std::round(threshold.getRefractory().convertToDouble() / dt);
      Value refSteps = f64Constant(loc, steps);
      Value last = load2d(loc, state, rows["_lastspike"], i);
      Value since = b.create<arith::SubFOp>(loc, stepF, last);
      canSpike = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, since,
                                         refSteps);
      Value always = b.create<arith::ConstantOp>(loc, b.getBoolAttr(true));
      inRefractory = b.create<arith::XOrIOp>(loc, canSpike, always);
    }

    llvm::StringMap<Value> current;
    if (propagate) {
      ArrayAttr vars = propagate.getVars();
      size_t nv = vars.size();
      SmallVector<Value> x;
      for (Attribute var : vars)
        x.push_back(load2d(propagate.getLoc(), state,
                           rows[cast<FlatSymbolRefAttr>(var).getValue()], i));
      auto apply = [&](ArrayRef<double> m, size_t row) {
        Location l = propagate.getLoc();
        Value acc;
        for (size_t k = 0; k < nv; ++k) {
          double coef = m[row * (nv + 1) + k];
          if (coef == 0.0)
            continue;
          Value term =
              coef == 1.0
                  ? x[k]
                  : b.create<arith::MulFOp>(l, x[k], f64Constant(l, coef))
                        .getResult();
          acc = acc ? b.create<arith::AddFOp>(l, acc, term).getResult() : term;
        }
        double c = m[row * (nv + 1) + nv];
        if (c != 0.0 || !acc) {
          Value cv = f64Constant(l, c);
          acc = acc ? b.create<arith::AddFOp>(l, acc, cv).getResult() : cv;
        }
        return acc;
      };
      SmallVector<double> m(propagate.getMatrix().getValues<double>());
      std::optional<SmallVector<double>> mr;
      if (auto attr = propagate.getRefractoryMatrix())
        mr.emplace(attr->getValues<double>());
      // Exact noise: L z with one standard normal z_j per direction that
      // carries noise (a nonzero column of L or of its refractory variant).
      SmallVector<double> l, lr;
      if (auto attr = propagate.getNoise())
        l.assign(attr->getValues<double>().begin(),
                 attr->getValues<double>().end());
      if (auto attr = propagate.getRefractoryNoise())
        lr.assign(attr->getValues<double>().begin(),
                  attr->getValues<double>().end());
      SmallVector<Value> z(nv);
      for (size_t j = 0; j < nv && !l.empty(); ++j) {
        bool used = false;
        for (size_t r = 0; r < nv; ++r)
          used |=
              l[r * nv + j] != 0.0 || (!lr.empty() && lr[r * nv + j] != 0.0);
        if (used)
          z[j] = normalDraw(propagate.getLoc(), kNoiseSiteBase + j);
      }
      auto noiseTerm = [&](ArrayRef<double> factor, size_t r) -> Value {
        Value acc;
        for (size_t j = 0; j < nv; ++j) {
          double c = factor[r * nv + j];
          if (c == 0.0)
            continue;
          Value term = b.create<arith::MulFOp>(propagate.getLoc(), z[j],
                                               f64Constant(loc, c));
          acc = acc ? b.create<arith::AddFOp>(propagate.getLoc(), acc, term)
                          .getResult()
                    : term;
        }
        return acc ? acc : f64Constant(loc, 0.0);
      };
      for (size_t r = 0; r < nv; ++r) {
        Value next = apply(m, r);
        if (!l.empty())
          next = b.create<arith::AddFOp>(propagate.getLoc(), next,
                                         noiseTerm(l, r));
        if (mr && inRefractory) {
          bool differs = false;
          for (size_t k = 0; k <= nv; ++k)
            differs |= m[r * (nv + 1) + k] != (*mr)[r * (nv + 1) + k];
          for (size_t k = 0; k < nv && !l.empty(); ++k)
            differs |= l[r * nv + k] != lr[r * nv + k];
          if (differs) {
            Value held = apply(*mr, r);
            if (!lr.empty())
              held = b.create<arith::AddFOp>(propagate.getLoc(), held,
                                             noiseTerm(lr, r));
            next = b.create<arith::SelectOp>(propagate.getLoc(), inRefractory,
                                             held, next);
          }
        }
        StringRef name = cast<FlatSymbolRefAttr>(vars[r]).getValue();
        current[name] = next;
      }
      for (size_t r = 0; r < nv; ++r) {
        StringRef name = cast<FlatSymbolRefAttr>(vars[r]).getValue();
        store2d(propagate.getLoc(), current[name], state, rows[name], i);
      }
    }

    if (!odes.empty() && failed(integrateNumerically(
                             odes, rows, state, i, inRefractory,
                             network.getDt().convertToDouble(), current)))
      return failure();

    Value flag;
    if (threshold) {
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
      flag = b.create<arith::ExtUIOp>(tl, b.getI8Type(), spike);
      auto ifOp = b.create<scf::IfOp>(tl, spike, /*withElse=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      store2d(tl, stepF, state, rows["_lastspike"], i);
    } else {
      flag = b.create<arith::ConstantOp>(loc, b.getI8IntegerAttr(0));
    }
    b.create<memref::StoreOp>(loc, flag, spiked, ValueRange{i});

    kernelTime = kernelSeed = kernelIndex = kernelStep = Value();
    if (reset && failed(convertReset(pop, reset, rows)))
      return failure();

    // The network keeps only what the runtime reads.
    for (Operation &op : llvm::make_early_inc_range(body))
      if (isa<PropagateOp, ThresholdOp, ResetOp, OdeOp>(op))
        op.erase();
    return success();
  }

  MLIRContext &getContextRef() { return *module.getContext(); }

  /// A standard normal draw for `site` of the current population, neuron
  /// and step.
  Value normalDraw(Location loc, uint32_t site) {
    Value stream = b.create<arith::ConstantOp>(
        loc, b.getI32IntegerAttr(static_cast<int32_t>(
                 rt::streams::generated(kernelPopulation, site))));
    return b
        .create<func::CallOp>(
            loc, runtimeFunction("neuro_rt_normal"),
            ValueRange{kernelSeed, stream, kernelIndex, kernelStep})
        .getResult(0);
  }

  uint32_t populationIndex(PopulationOp pop) {
    uint32_t n = 0;
    for (auto other : network.getBody().getOps<PopulationOp>()) {
      if (other == pop)
        return n;
      ++n;
    }
    return n;
  }

  /// `neuro_rt_uniform` or `neuro_rt_normal` of runtime/ABI.h (same
  /// signature), declared once per module.
  func::FuncOp runtimeFunction(StringRef name) {
    if (auto fn = module.lookupSymbol<func::FuncOp>(name))
      return fn;
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    auto fn = mb.create<func::FuncOp>(
        module.getLoc(), name,
        mb.getFunctionType({mb.getI64Type(), mb.getI32Type(), mb.getI64Type(),
                            mb.getI64Type()},
                           {mb.getF64Type()}));
    fn.setPrivate();
    return fn;
  }

  /// One step of `odes` (all with the same method) for neuron `i`: loads
  /// every state, computes and stores the new values of the integrated ones
  /// and records them in `current`. States of `unless refractory` equations
  /// are held while `inRefractory` (may be null: never).
  LogicalResult integrateNumerically(SmallVectorImpl<OdeOp> &odes,
                                     const llvm::StringMap<int64_t> &rows,
                                     Value state, Value i, Value inRefractory,
                                     double dt,
                                     llvm::StringMap<Value> &current) {
    Location loc = odes.front().getLoc();
    llvm::StringMap<Value> x;
    for (auto &row : rows)
      x[row.getKey()] = load2d(loc, state, row.getValue(), i);
    // The derivative of `ode` with the states taking `values`.
    auto derivative =
        [&](OdeOp ode,
            const llvm::StringMap<Value> &values) -> FailureOr<Value> {
      auto read = [&](RefOp ref) -> FailureOr<Value> {
        auto it = values.find(ref.getName());
        if (it == values.end())
          return ref.emitOpError("names no state of the population");
        return it->second;
      };
      auto write = [&](AssignOp assign, Value) -> LogicalResult {
        return assign.emitOpError("cannot assign in an equation");
      };
      auto result = inlineRegion(ode.getRhs(), read, write);
      if (failed(result))
        return failure();
      return (*result)[0];
    };
    auto held = [&](OdeOp ode) {
      return ode.getUnlessRefractory() && inRefractory;
    };
    Value zero = f64Constant(loc, 0.0);
    Value dtV = f64Constant(loc, dt);
    StringRef method = *odes.front().getMethod();
    llvm::StringMap<Value> next;
    if (method == "euler" || method == "exponential_euler") {
      for (OdeOp ode : odes) {
        Location l = ode.getLoc();
        Value old = x[ode.getVar()];
        Value updated;
        if (method == "euler") {
          auto f = derivative(ode, x);
          if (failed(f))
            return failure();
          updated = b.create<arith::AddFOp>(
              l, old, b.create<arith::MulFOp>(l, *f, dtV));
        } else {
          // dx/dt = A x + B with A, B depending on the other states only:
          // B = f(x = 0), A = f(x = 1) - B, and
          // x' = x + (A x + B) * expm1(A dt) / A   (x + B dt when A = 0).
          llvm::StringMap<Value> at0 = x, at1 = x;
          at0[ode.getVar()] = zero;
          at1[ode.getVar()] = f64Constant(l, 1.0);
          auto f0 = derivative(ode, at0);
          auto f1 = derivative(ode, at1);
          if (failed(f0) || failed(f1))
            return failure();
          Value a = b.create<arith::SubFOp>(l, *f1, *f0);
          Value adt = b.create<arith::MulFOp>(l, a, dtV);
          Value phi =
              b.create<arith::DivFOp>(l, b.create<math::ExpM1Op>(l, adt), a);
          Value isZero =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a, zero);
          phi = b.create<arith::SelectOp>(l, isZero, dtV, phi);
          Value slope = b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, a, old), *f0);
          updated = b.create<arith::AddFOp>(
              l, old, b.create<arith::MulFOp>(l, slope, phi));
        }
        if (held(ode))
          updated = b.create<arith::SelectOp>(l, inRefractory, old, updated);
        next[ode.getVar()] = updated;
      }
    } else if (method == "euler_maruyama") {
      // dx/dt = f + g xi: x' = x + f dt + g sqrt(dt) N(0, 1), f and g from
      // the right-hand side at xi = 0 and xi = 1; an independent normal
      // draw per equation, neuron and step.
      Value sqrtDt = f64Constant(loc, std::sqrt(dt));
      unsigned index = 0;
      for (OdeOp ode : odes) {
        Location l = ode.getLoc();
        Value old = x[ode.getVar()];
        kernelNoise = zero;
        auto f = derivative(ode, x);
        kernelNoise = f64Constant(l, 1.0);
        auto fg = derivative(ode, x);
        kernelNoise = Value();
        if (failed(f) || failed(fg))
          return failure();
        Value g = b.create<arith::SubFOp>(l, *fg, *f);
        Value stream = b.create<arith::ConstantOp>(
            l, b.getI32IntegerAttr(static_cast<int32_t>(rt::streams::generated(
                   kernelPopulation, kNoiseSiteBase + index++))));
        Value normal =
            b.create<func::CallOp>(
                 l, runtimeFunction("neuro_rt_normal"),
                 ValueRange{kernelSeed, stream, kernelIndex, kernelStep})
                .getResult(0);
        Value drift = b.create<arith::MulFOp>(l, *f, dtV);
        Value diffusion = b.create<arith::MulFOp>(
            l, g, b.create<arith::MulFOp>(l, sqrtDt, normal));
        Value updated = b.create<arith::AddFOp>(
            l, old, b.create<arith::AddFOp>(l, drift, diffusion));
        if (held(ode))
          updated = b.create<arith::SelectOp>(l, inRefractory, old, updated);
        next[ode.getVar()] = updated;
      }
    } else if (method == "rk4") {
      // Classical Runge-Kutta on the whole system; held states have
      // derivative 0 at every stage.
      auto stage = [&](const llvm::StringMap<Value> &values,
                       SmallVectorImpl<Value> &k) -> LogicalResult {
        for (OdeOp ode : odes) {
          auto f = derivative(ode, values);
          if (failed(f))
            return failure();
          Value v = *f;
          if (held(ode))
            v = b.create<arith::SelectOp>(ode.getLoc(), inRefractory, zero, v);
          k.push_back(v);
        }
        return success();
      };
      auto advance = [&](ArrayRef<Value> k, double h) {
        llvm::StringMap<Value> values = x;
        Value hV = f64Constant(loc, h);
        for (auto [ode, kv] : llvm::zip(odes, k))
          values[ode.getVar()] = b.create<arith::AddFOp>(
              loc, x[ode.getVar()], b.create<arith::MulFOp>(loc, kv, hV));
        return values;
      };
      // Stage times: t, t + dt/2, t + dt/2, t + dt.
      Value start = kernelTime;
      auto at = [&](double offset) {
        kernelTime = start ? b.create<arith::AddFOp>(loc, start,
                                                     f64Constant(loc, offset))
                                 .getResult()
                           : Value();
      };
      SmallVector<Value> k1, k2, k3, k4;
      if (failed(stage(x, k1)))
        return failure();
      at(dt / 2);
      if (failed(stage(advance(k1, dt / 2), k2)) ||
          failed(stage(advance(k2, dt / 2), k3)))
        return failure();
      at(dt);
      if (failed(stage(advance(k3, dt), k4)))
        return failure();
      kernelTime = start;
      Value two = f64Constant(loc, 2.0);
      Value sixth = f64Constant(loc, dt / 6);
      for (size_t n = 0; n < odes.size(); ++n) {
        Value sum = b.create<arith::AddFOp>(
            loc, k1[n],
            b.create<arith::MulFOp>(
                loc, two, b.create<arith::AddFOp>(loc, k2[n], k3[n])));
        sum = b.create<arith::AddFOp>(loc, sum, k4[n]);
        next[odes[n].getVar()] = b.create<arith::AddFOp>(
            loc, x[odes[n].getVar()], b.create<arith::MulFOp>(loc, sum, sixth));
      }
    } else {
      return odes.front().emitOpError()
             << "unknown integration method '" << method << "'";
    }
    for (OdeOp ode : odes) {
      store2d(ode.getLoc(), next[ode.getVar()], state,
              rows.lookup(ode.getVar()), i);
      current[ode.getVar()] = next[ode.getVar()];
    }
    return success();
  }

  LogicalResult convertReset(PopulationOp pop, ResetOp reset,
                             const llvm::StringMap<int64_t> &rows) {
    Location loc = reset.getLoc();
    auto fn = createKernel(
        loc, resetKernelName(network.getSymName(), pop.getSymName()),
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
    return failure(failed(inlineRegion(reset.getBody(), read, write)));
  }

  LogicalResult convertProjection(ProjectionOp proj) {
    if (proj.getSynapseAttr())
      return proj.emitOpError("must be elaborated before conversion to "
                              "kernels");
    auto target = dyn_cast_or_null<PopulationOp>(
        SymbolTable::lookupSymbolIn(network, proj.getTargetAttr().getAttr()));
    if (!target)
      return proj.emitOpError("unknown target population");
    llvm::StringMap<int64_t> postRows =
        rowIndex<StateOp>(target.getBody().front());
    Block &body = proj.getBody().front();
    llvm::StringMap<int64_t> synRows;
    for (const std::string &name : synapseRowNames(proj))
      synRows[name] = static_cast<int64_t>(synRows.size());
    SmallVector<DecayOp> decays(body.getOps<DecayOp>());
    kernelDt = network.getDt().convertToDouble();
    Location loc = proj.getLoc();

    // Synapse `j` onto target `tgt` sees an event in the step `now` (as
    // f64): advance its per-synapse states from its last event, then run
    // the statements.
    auto eventBody = [&](Region &region, Value j, Value tgt, Value now,
                         Value syn, Value post) -> LogicalResult {
      if (!decays.empty()) {
        int64_t luRow = synRows.lookup("_lastupdate");
        Location l = decays.front().getLoc();
        Value n = b.create<arith::SubFOp>(l, now, load2d(l, syn, luRow, j));
        for (DecayOp decay : decays) {
          Location dl = decay.getLoc();
          double rate = decay.getRate().convertToDouble();
          double offset = decay.getOffset().convertToDouble();
          int64_t row = synRows.lookup(decay.getVar());
          Value x = load2d(dl, syn, row, j);
          Value next;
          if (rate == 0.0) {
            next = b.create<arith::AddFOp>(
                dl, x,
                b.create<arith::MulFOp>(dl, n,
                                        f64Constant(dl, offset * kernelDt)));
          } else {
            Value arg = b.create<arith::MulFOp>(
                dl, n, f64Constant(dl, rate * kernelDt));
            if (offset == 0.0) {
              next = b.create<arith::MulFOp>(dl, x,
                                             b.create<math::ExpOp>(dl, arg));
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
          store2d(dl, next, syn, row, j);
        }
        store2d(l, now, syn, luRow, j);
      }
      auto locate = [&](StringRef name, bool isPost, Operation *op, Value &mem,
                        Value &col, int64_t &row) -> LogicalResult {
        const llvm::StringMap<int64_t> &table = isPost ? postRows : synRows;
        auto it = table.find(name);
        if (it == table.end())
          return op->emitOpError() << "names no "
                                   << (isPost ? "state of the target population"
                                              : "synapse variable");
        mem = isPost ? post : syn;
        col = isPost ? tgt : j;
        row = it->second;
        return success();
      };
      auto read = [&](RefOp ref) -> FailureOr<Value> {
        Value mem, col;
        int64_t row = 0;
        if (failed(locate(ref.getName(), ref.getPost(), ref, mem, col, row)))
          return failure();
        return load2d(ref.getLoc(), mem, row, col);
      };
      auto write = [&](AssignOp assign, Value v) -> LogicalResult {
        Value mem, col;
        int64_t row = 0;
        if (failed(locate(assign.getName(), assign.getPost(), assign, mem, col,
                          row)))
          return failure();
        store2d(assign.getLoc(), v, mem, row, col);
        return success();
      };
      return failure(failed(inlineRegion(region, read, write)));
    };

    // A kernel (spikes, ptr, third, syn, post, step) that runs `event` for
    // q in ptr[s]..ptr[s+1] of every listed spike s.
    auto eventKernel =
        [&](Location l, StringRef name, Type thirdElement,
            function_ref<LogicalResult(Value s, Value q, Value third, Value syn,
                                       Value post, Value now)>
                event) -> LogicalResult {
      auto fn = createKernel(
          l, name,
          {vectorType(b.getI32Type()), vectorType(b.getI64Type()),
           vectorType(thirdElement), stateType(), stateType(), b.getI64Type()});
      b.setInsertionPoint(fn.getBody().front().getTerminator());
      Value spikes = fn.getArgument(0), ptr = fn.getArgument(1);
      Value now = b.create<arith::SIToFPOp>(l, f64(), fn.getArgument(5));
      Value one = index(l, 1);
      Value m = b.create<memref::DimOp>(l, spikes, index(l, 0));
      auto outer = b.create<scf::ForOp>(l, index(l, 0), m, one);
      b.setInsertionPoint(outer.getBody()->getTerminator());
      Value s = loadIndex(l, spikes, outer.getInductionVar());
      Value lo = loadIndex(l, ptr, s);
      Value hi = loadIndex(l, ptr, b.create<arith::AddIOp>(l, s, one));
      auto inner = b.create<scf::ForOp>(l, lo, hi, one);
      b.setInsertionPoint(inner.getBody()->getTerminator());
      return event(s, inner.getInductionVar(), fn.getArgument(2),
                   fn.getArgument(3), fn.getArgument(4), now);
    };

    // on pre: for every arriving spike, the synapses j of its source row,
    // onto targets cols[j]. The kernel exists even without `on pre`.
    if (failed(eventKernel(
            loc, deliverKernelName(network.getSymName(), proj.getSymName()),
            b.getI32Type(),
            [&](Value, Value j, Value cols, Value syn, Value post,
                Value now) -> LogicalResult {
              Value tgt = loadIndex(loc, cols, j);
              for (auto on :
                   llvm::make_early_inc_range(body.getOps<OnPreOp>())) {
                if (failed(eventBody(on.getBody(), j, tgt, now, syn, post)))
                  return failure();
                on.erase();
              }
              return success();
            })))
      return failure();

    // on post: for every target that spiked, the synapses onto it,
    // synIndex[colPtr[tgt]..colPtr[tgt+1]].
    for (auto on : llvm::make_early_inc_range(body.getOps<OnPostOp>())) {
      Location l = on.getLoc();
      if (failed(eventKernel(
              l, deliverPostKernelName(network.getSymName(), proj.getSymName()),
              b.getI64Type(),
              [&](Value tgt, Value q, Value synIndex, Value syn, Value post,
                  Value now) {
                return eventBody(on.getBody(), loadIndex(l, synIndex, q), tgt,
                                 now, syn, post);
              })))
        return failure();
      on.erase();
    }
    // The decays stay: with the declarations they describe the projection's
    // rows to the runtime (synapseRowNames).
    return success();
  }

  ModuleOp module;
  NetworkOp network;
  OpBuilder b;
  Block *kernelEntry = nullptr;
  /// What neuro.time, neuro.time_step and neuro.rand become in the kernel
  /// being built (null where they are not available).
  Value kernelTime, kernelSeed, kernelIndex, kernelStep, kernelNoise;
  double kernelDt = 0.0;
  uint32_t kernelPopulation = 0;
  llvm::DenseMap<int64_t, Value> indexConstants;
  llvm::DenseMap<uint64_t, Value> floatConstants;
};

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
