//===- PerNeuronPropagators.cpp - Exact integration per neuron ------------===//
//
// Equations integrated exactly whose coefficients differ per neuron (rows
// set per neuron, or rows that events write and that are held over a step)
// get a propagator per neuron, x' = P x + p with [P p] = exp(G dt) and G
// the generator of dx/dt = A x + b:
//
//   init, derive kernels   the equations probed at x = 0 and x = e_j for G
//                          (with the neuron's rows as coefficients), P by
//                          neuro_rt_expm (Expm.cpp, extended precision);
//                          the entries become rows `_P<k>_<j>` (`_Q<k>_<j>`
//                          with the `unless refractory` rows of G zeroed),
//                          the held coefficients' values rows `_H<j>`
//   step kernel            before the propagator is applied, a neuron whose
//                          held coefficients no longer equal `_H<j>` gets
//                          G again and P by scaling and squaring in the
//                          kernel itself (expmInKernel: a degree-16 Taylor
//                          polynomial of exp(G dt / 2^s) - I, squared s
//                          times as such): the same code on the CPU and
//                          the GPU
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

PerNeuronPropagator neuro::detail::perNeuronPropagator(PopulationOp pop,
                                                       ArrayRef<OdeOp> odes) {
  PerNeuronPropagator p;
  llvm::StringSet<> constant, seen;
  NeuroDialect::ConstantAttrHelper constantAttr(pop.getContext());
  NeuroDialect::HeldCoefficientAttrHelper heldAttr(pop.getContext());
  for (StateOp st : pop.getBody().getOps<StateOp>()) {
    if (constantAttr.isAttrPresent(st))
      constant.insert(st.getSymName());
    if (heldAttr.isAttrPresent(st)) {
      constant.insert(st.getSymName());
      p.held.push_back(st.getSymName().str());
    }
  }
  for (OdeOp ode : odes) {
    p.vars.push_back(ode.getVar().str());
    seen.insert(ode.getVar());
    p.refractory |= ode.getUnlessRefractory();
    // Brian2's int(not_refractory) factor: Q takes it false.
    ode.getRhs().walk([&](NotRefractoryOp nr) {
      p.readsNotRefractory |= !nr.getPre() && !nr.getPost();
    });
  }
  p.refractory |= p.readsNotRefractory;
  p.odes = odes.size();
  for (OdeOp ode : odes)
    ode.getRhs().walk([&](RefOp ref) {
      if (!constant.contains(ref.getName()) &&
          seen.insert(ref.getName()).second)
        p.vars.push_back(ref.getName().str());
    });
  p.n = p.vars.size();
  // Which vars each equation reads, then what reaches it through others:
  // the entries of exp(A dt) that are not 0 (the diagonal always is).
  p.reaches.assign(p.odes, std::vector<bool>(p.n, false));
  for (size_t k = 0; k < p.odes; ++k) {
    p.reaches[k][k] = true;
    OdeOp ode = odes[k];
    ode.getRhs().walk([&](RefOp ref) {
      for (size_t j = 0; j < p.n; ++j)
        if (p.vars[j] == ref.getName())
          p.reaches[k][j] = true;
    });
  }
  for (size_t m = 0; m < p.odes; ++m) // Floyd-Warshall's closure
    for (size_t k = 0; k < p.odes; ++k)
      if (p.reaches[k][m])
        for (size_t j = 0; j < p.n; ++j)
          if (p.reaches[m][j])
            p.reaches[k][j] = true;
  return p;
}

void KernelBuilder::applyPerNeuronPropagator(
    Location loc, ArrayRef<OdeOp> odes, const PerNeuronPropagator &pnp,
    const llvm::StringMap<int64_t> &rows, Value state, Value i,
    Value inRefractory, llvm::StringMap<Value> &current) {
  // x' = P x + p, P from the neuron's own rows (Q while refractory).
  SmallVector<Value> x;
  for (const std::string &v : pnp.vars)
    x.push_back(load2d(loc, state, rows.lookup(v), i));
  auto apply = [&](char which, size_t k) {
    Value acc = load2d(loc, state, rows.lookup(pnp.entry(which, k, pnp.n)), i);
    for (size_t j = 0; j < pnp.n; ++j)
      if (pnp.reaches[k][j])
        acc = b.create<arith::AddFOp>(
            loc, acc,
            b.create<arith::MulFOp>(
                loc, x[j],
                load2d(loc, state, rows.lookup(pnp.entry(which, k, j)), i)));
    return acc;
  };
  SmallVector<Value> next;
  for (size_t k = 0; k < odes.size(); ++k) {
    Value v = apply('P', k);
    if (pnp.refractory && inRefractory)
      v = b.create<arith::SelectOp>(loc, inRefractory, apply('Q', k), v);
    next.push_back(v);
  }
  for (size_t k = 0; k < odes.size(); ++k) {
    OdeOp ode = odes[k];
    store2d(ode.getLoc(), next[k], state, rows.lookup(ode.getVar()), i);
    current[ode.getVar()] = next[k];
  }
}

/// `neuro_rt_expm(n, in, out)` of runtime/ABI.h, declared once.
static func::FuncOp expmFunction(ModuleOp module) {
  if (auto fn = module.lookupSymbol<func::FuncOp>("neuro_rt_expm"))
    return fn;
  OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
  auto fn = mb.create<func::FuncOp>(
      module.getLoc(), "neuro_rt_expm",
      mb.getFunctionType({mb.getI64Type(), mb.getI64Type(), mb.getI64Type()},
                         {}));
  fn.setPrivate();
  return fn;
}

LogicalResult KernelBuilder::probeGenerators(
    Location loc, ArrayRef<OdeOp> odes, const PerNeuronPropagator &pnp,
    const llvm::StringMap<int64_t> &rows, Value state, Value i,
    SmallVectorImpl<std::pair<char, Generator>> &out) {
  size_t n = pnp.n;
  llvm::StringMap<Value> base;
  for (auto &row : rows)
    base[row.getKey()] = load2d(loc, state, row.getValue(), i);
  Value zero = f64Constant(loc, 0.0), one = f64Constant(loc, 1.0);
  Value dtV = f64Constant(loc, kernelDt);
  // G with the neuron's own not_refractory given.
  auto probeWith = [&](bool notRefractory, Generator &g) -> LogicalResult {
    auto kept = kernelNotRefractory;
    kernelNotRefractory = [&](NotRefractoryOp op) -> FailureOr<Value> {
      if (op.getPre() || op.getPost())
        return op.emitOpError("is not available in a per-neuron propagator");
      return b
          .create<arith::ConstantOp>(op.getLoc(), b.getBoolAttr(notRefractory))
          .getResult();
    };
    auto restore = llvm::make_scope_exit([&] { kernelNotRefractory = kept; });
    // f_k at the probe point `at` (-1: all variables 0, else e_at).
    auto probe = [&](OdeOp ode, int at) -> FailureOr<Value> {
      llvm::StringMap<Value> values = base;
      for (size_t j = 0; j < n; ++j)
        values[pnp.vars[j]] = int(j) == at ? one : zero;
      auto read = [&](RefOp ref) -> FailureOr<Value> {
        auto it = values.find(ref.getName());
        if (it == values.end())
          return ref.emitOpError("names no state of the population");
        return it->second;
      };
      auto noWrite = [&](AssignOp a, Value) -> LogicalResult {
        return a.emitOpError("cannot assign in an equation");
      };
      auto r = inlineRegion(ode.getRhs(), read, noWrite);
      if (failed(r))
        return failure();
      return (*r)[0];
    };
    g.assign(odes.size(), SmallVector<Value>(n + 1, zero));
    for (auto [k, ode] : llvm::enumerate(odes)) {
      auto f0 = probe(ode, -1);
      if (failed(f0))
        return failure();
      g[k][n] = b.create<arith::MulFOp>(loc, *f0, dtV);
      for (size_t j = 0; j < n; ++j) {
        auto fj = probe(ode, int(j));
        if (failed(fj))
          return failure();
        g[k][j] = b.create<arith::MulFOp>(
            loc, b.create<arith::SubFOp>(loc, *fj, *f0), dtV);
      }
    }
    return success();
  };
  out.push_back({'P', {}});
  if (failed(probeWith(true, out.back().second)))
    return failure();
  if (!pnp.refractory)
    return success();
  Generator q;
  if (!pnp.readsNotRefractory)
    q = out.back().second;
  else if (failed(probeWith(false, q)))
    return failure();
  // While refractory, `unless refractory` states are held.
  for (size_t k = 0; k < odes.size(); ++k)
    if (OdeOp(odes[k]).getUnlessRefractory())
      q[k].assign(q[k].size(), zero);
  out.push_back({'Q', std::move(q)});
  return success();
}

void KernelBuilder::storeStamps(Location loc, const PerNeuronPropagator &pnp,
                                const llvm::StringMap<int64_t> &rows,
                                Value state, Value i) {
  for (auto [j, row] : llvm::enumerate(pnp.held))
    store2d(loc, load2d(loc, state, rows.lookup(row), i), state,
            rows.lookup(pnp.stamp(j)), i);
}

//===----------------------------------------------------------------------===//
// Propagators computed when the network is built
//===----------------------------------------------------------------------===//

LogicalResult
KernelBuilder::buildPropagators(PopulationOp pop, SmallVectorImpl<OdeOp> &odes,
                                const llvm::StringMap<int64_t> &rows,
                                Value state, Value i) {
  PerNeuronPropagator pnp = perNeuronPropagator(pop, odes);
  Location loc = pop.getLoc();
  size_t n = pnp.n, m = n + 1;
  SmallVector<std::pair<char, Generator>> generators;
  if (failed(probeGenerators(loc, odes, pnp, rows, state, i, generators)))
    return failure();
  Value zero = f64Constant(loc, 0.0);
  // Scratch for the generator and its exponential, once per call (an
  // alloca in the neuron loop would grow the stack with every neuron).
  auto type = MemRefType::get({int64_t(m * m)}, f64());
  OpBuilder entry = OpBuilder::atBlockBegin(kernelEntry);
  Value in = entry.create<memref::AllocaOp>(loc, type);
  Value out = entry.create<memref::AllocaOp>(loc, type);
  auto address = [&](Value buffer) -> Value {
    Value p = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, buffer);
    return b.create<arith::IndexCastOp>(loc, b.getI64Type(), p);
  };
  for (auto &[which, g] : generators) {
    for (size_t r = 0; r < m; ++r)
      for (size_t c = 0; c < m; ++c)
        b.create<memref::StoreOp>(loc, r < odes.size() ? g[r][c] : zero, in,
                                  ValueRange{index(loc, int64_t(r * m + c))});
    Value size = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(m));
    b.create<func::CallOp>(loc, expmFunction(module),
                           ValueRange{size, address(in), address(out)});
    for (size_t k = 0; k < odes.size(); ++k)
      for (size_t j = 0; j <= n; ++j) {
        Value e = b.create<memref::LoadOp>(
            loc, out, ValueRange{index(loc, int64_t(k * m + j))});
        store2d(loc, e, state, rows.lookup(pnp.entry(which, k, j)), i);
      }
  }
  storeStamps(loc, pnp, rows, state, i);
  return success();
}

//===----------------------------------------------------------------------===//
// Propagators recomputed in the step
//===----------------------------------------------------------------------===//

namespace {

/// The first rows of an augmented matrix whose other rows are those of the
/// identity (an exponential) or 0 (a generator): `rows` of `cols` each.
using TopRows = SmallVector<SmallVector<Value>>;

/// The top rows of X Y: Y's other rows those of the identity
/// (`identityBelow`) or 0.
TopRows multiplyTop(OpBuilder &b, Location loc, const TopRows &x,
                    const TopRows &y, bool identityBelow) {
  size_t rows = x.size(), cols = x.front().size();
  TopRows r(rows, SmallVector<Value>(cols));
  for (size_t k = 0; k < rows; ++k)
    for (size_t j = 0; j < cols; ++j) {
      Value acc = identityBelow && j >= rows ? x[k][j] : Value();
      for (size_t l = 0; l < rows; ++l) {
        Value p = b.create<arith::MulFOp>(loc, x[k][l], y[l][j]);
        acc = acc ? b.create<arith::AddFOp>(loc, acc, p).getResult() : p;
      }
      r[k][j] = acc;
    }
  return r;
}

SmallVector<Value> flatten(const TopRows &m) {
  SmallVector<Value> flat;
  for (const auto &row : m)
    flat.append(row.begin(), row.end());
  return flat;
}

TopRows unflatten(ValueRange flat, size_t rows) {
  size_t cols = flat.size() / rows;
  TopRows m(rows);
  for (size_t k = 0; k < rows; ++k)
    m[k].assign(flat.begin() + k * cols, flat.begin() + (k + 1) * cols);
  return m;
}

} // namespace

/// The top rows of exp(G) for the top rows `g` of an augmented generator
/// (its other rows 0), in the kernel. s halvings bring the infinity norm
/// of G's columns of the equations' states to at most 1/2 (the other
/// columns, inputs and the constant, enter linearly and need no scaling
/// for the series to converge); F = exp(G / 2^s) - I by a Taylor
/// polynomial of degree 16 in Horner's form (its remainder below 1e-19 of
/// the result); then s squarings of F itself, F <- 2 F + F^2, and exp(G) =
/// I + F. Squaring F rather than I + F keeps a slow decay next to a fast
/// one: 1 - 1e-17 is 1 in double precision, -1e-17 is not. The loops are
/// loops in the kernel, so the code grows with the square, not the cube,
/// of the number of states per product. A norm that is not finite leaves
/// s at 0 (or stops it at 1100), so that NaN and infinity reach the
/// state, where the run's check finds them.
static TopRows expmInKernel(OpBuilder &b, Location loc, const TopRows &g,
                            Value zero, Value one) {
  size_t rows = g.size(), cols = g.front().size();
  Value norm = zero;
  for (const auto &row : g) {
    Value sum = zero;
    for (size_t j = 0; j < rows; ++j)
      sum = b.create<arith::AddFOp>(loc, sum,
                                    b.create<math::AbsFOp>(loc, row[j]));
    norm = b.create<arith::MaximumFOp>(loc, norm, sum);
  }
  // while (norm > 1/2 && s < 1100) { norm /= 2; scale /= 2; ++s }
  Value half = b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(0.5));
  Value sZero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value sOne = b.create<arith::ConstantIndexOp>(loc, 1);
  Value sMax = b.create<arith::ConstantIndexOp>(loc, 1100);
  Type f = norm.getType(), idx = b.getIndexType();
  auto loop = b.create<scf::WhileOp>(
      loc, TypeRange{f, f, idx}, ValueRange{norm, one, sZero},
      [&](OpBuilder &w, Location l, ValueRange args) {
        Value big = w.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT,
                                            args[0], half);
        Value room = w.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult,
                                             args[2], sMax);
        w.create<scf::ConditionOp>(l, w.create<arith::AndIOp>(l, big, room),
                                   args);
      },
      [&](OpBuilder &w, Location l, ValueRange args) {
        w.create<scf::YieldOp>(
            l, ValueRange{w.create<arith::MulFOp>(l, args[0], half),
                          w.create<arith::MulFOp>(l, args[1], half),
                          w.create<arith::AddIOp>(l, args[2], sOne)});
      });
  Value scale = loop.getResult(1), squarings = loop.getResult(2);
  TopRows a(rows, SmallVector<Value>(cols));
  for (size_t k = 0; k < rows; ++k)
    for (size_t j = 0; j < cols; ++j)
      a[k][j] = b.create<arith::MulFOp>(loc, g[k][j], scale);
  // R = I + A/16 (I + A/15 (... (I + A/2))) for d = 16, ..., 2, then
  // F = exp(A) - I = A R.
  TopRows identity(rows, SmallVector<Value>(cols, zero));
  for (size_t k = 0; k < rows; ++k)
    identity[k][k] = one;
  Value sixteen = b.create<arith::ConstantIndexOp>(loc, 16);
  Value fifteen = b.create<arith::ConstantIndexOp>(loc, 15);
  auto horner = b.create<scf::ForOp>(
      loc, sZero, fifteen, sOne, flatten(identity),
      [&](OpBuilder &fb, Location l, Value step, ValueRange iter) {
        // d = 16 - step
        Value d = fb.create<arith::SubIOp>(l, sixteen, step);
        Value dF = fb.create<arith::SIToFPOp>(
            l, f, fb.create<arith::IndexCastOp>(l, fb.getI64Type(), d));
        Value inv = fb.create<arith::DivFOp>(l, one, dF);
        TopRows ar = multiplyTop(fb, l, a, unflatten(iter, rows),
                                 /*identityBelow=*/true);
        for (size_t k = 0; k < rows; ++k)
          for (size_t j = 0; j < cols; ++j) {
            Value v = fb.create<arith::MulFOp>(l, ar[k][j], inv);
            ar[k][j] =
                j == k ? fb.create<arith::AddFOp>(l, one, v).getResult() : v;
          }
        fb.create<scf::YieldOp>(l, flatten(ar));
      });
  TopRows fm = multiplyTop(b, loc, a, unflatten(horner.getResults(), rows),
                           /*identityBelow=*/true);
  auto squares = b.create<scf::ForOp>(
      loc, sZero, squarings, sOne, flatten(fm),
      [&](OpBuilder &fb, Location l, Value, ValueRange iter) {
        TopRows e = unflatten(iter, rows);
        TopRows ee = multiplyTop(fb, l, e, e, /*identityBelow=*/false);
        for (size_t k = 0; k < rows; ++k)
          for (size_t j = 0; j < cols; ++j)
            ee[k][j] = fb.create<arith::AddFOp>(
                l, fb.create<arith::AddFOp>(l, e[k][j], e[k][j]), ee[k][j]);
        fb.create<scf::YieldOp>(l, flatten(ee));
      });
  TopRows result = unflatten(squares.getResults(), rows);
  for (size_t k = 0; k < rows; ++k)
    result[k][k] = b.create<arith::AddFOp>(loc, one, result[k][k]);
  return result;
}

LogicalResult KernelBuilder::refreshPropagators(
    Location loc, ArrayRef<OdeOp> odes, const PerNeuronPropagator &pnp,
    const llvm::StringMap<int64_t> &rows, Value state, Value i) {
  if (pnp.held.empty())
    return success();
  // Unordered: a NaN coefficient recomputes (and spreads) every step.
  Value changed;
  for (auto [j, row] : llvm::enumerate(pnp.held)) {
    Value now = load2d(loc, state, rows.lookup(row), i);
    Value then = load2d(loc, state, rows.lookup(pnp.stamp(j)), i);
    Value ne =
        b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, now, then);
    changed =
        changed ? b.create<arith::OrIOp>(loc, changed, ne).getResult() : ne;
  }
  auto ifOp = b.create<scf::IfOp>(loc, changed, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  SmallVector<std::pair<char, Generator>> generators;
  if (failed(probeGenerators(loc, odes, pnp, rows, state, i, generators)))
    return failure();
  Value zero = f64Constant(loc, 0.0), one = f64Constant(loc, 1.0);
  for (auto &[which, g] : generators) {
    TopRows e = expmInKernel(b, loc, g, zero, one);
    for (size_t k = 0; k < odes.size(); ++k)
      for (size_t j = 0; j <= pnp.n; ++j)
        store2d(loc, e[k][j], state, rows.lookup(pnp.entry(which, k, j)), i);
  }
  storeStamps(loc, pnp, rows, state, i);
  return success();
}
