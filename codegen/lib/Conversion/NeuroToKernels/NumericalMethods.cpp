//===- NumericalMethods.cpp - Integration of equations in the kernels -----===//
//
// What the step and update kernels do with the equations neuro-integrate
// gave a method:
//
//   exact (neuro.propagate)  x' = M x + c (+ L z: one standard normal z_j per
//                            noisy direction), with the matrices computed at
//                            compile time; M', L' while refractory
//   exact, per neuron        x' = P x + p with P = exp(G dt) per neuron, its
//                            entries rows (PerNeuronPropagators.cpp)
//   euler                    x' = x + f(x) dt
//   exact, per synapse       x' = x + f dt, f the increment of the exact
//                            step over dt, written by neuro-integrate
//   exponential_euler        x' = x + (A x + B) expm1(A dt) / A, A and B from
//                            f at x = 0 and x = 1 (x + B dt when A = 0)
//   euler_maruyama           x' = x + f dt + g sqrt(dt) N(0, 1), f and g from
//                            the right-hand side at xi = 0 and xi = 1
//   rk2                      the midpoint method: x' = x + f(x + f(x) dt/2,
//                            t + dt/2) dt, as Brian2's rk2
//   rk4                      classical Runge-Kutta on the whole system
//   heun                     Brian2's stochastic Heun (Stratonovich): with
//                            dW = sqrt(dt) N(0, 1), s = x + g(x, t) dW,
//                            x' = x + f dt + (g(x, t) + g(s, t + dt)) dW / 2;
//                            Euler without noise
//   milstein                 Brian2's derivative-free Milstein (Stratonovich,
//                            one noise per equation): with s_i = x_i + f_i dt
//                            + g_i sqrt(dt), the others at x, x_i' = x_i +
//                            f_i dt + g_i dW_i + (g_i(s_i, t) - g_i(x, t))
//                            dW_i^2 / (2 sqrt(dt)); Euler without noise
//
// `unless refractory` states are held while the neuron is refractory.
//
//===----------------------------------------------------------------------===//

#include "NeuroToKernelsInternal.h"

#include "neuro/Runtime/Streams.h"

#include <cmath>

using namespace mlir;
using namespace neuro;
using namespace neuro::detail;

LogicalResult KernelBuilder::checkOneMethod(ArrayRef<OdeOp> odes,
                                            StringRef owner) {
  OdeOp first = odes.empty() ? OdeOp() : odes.front();
  for (OdeOp ode : odes)
    if (!ode.getMethod() || ode.getMethod() != first.getMethod())
      return ode.emitOpError()
             << "has no integration method (run neuro-integrate) or one that "
                "differs from the "
             << owner << "'s other equations";
  return success();
}

//===----------------------------------------------------------------------===//
// Propagators computed at compile time
//===----------------------------------------------------------------------===//

/// Row `row` of the affine map `m` (rows of x.size() coefficients and a
/// constant) applied to `x`, with no product for a coefficient 0 or 1.
static Value affineRow(KernelBuilder &k, Location l, ArrayRef<Value> x,
                       ArrayRef<double> m, size_t row) {
  OpBuilder &b = k.b;
  size_t nv = x.size();
  Value acc;
  for (size_t j = 0; j < nv; ++j) {
    double coef = m[row * (nv + 1) + j];
    if (coef == 0.0)
      continue;
    Value term = coef == 1.0
                     ? x[j]
                     : b.create<arith::MulFOp>(l, x[j], k.f64Constant(l, coef))
                           .getResult();
    acc = acc ? b.create<arith::AddFOp>(l, acc, term).getResult() : term;
  }
  double c = m[row * (nv + 1) + nv];
  if (c != 0.0 || !acc) {
    Value cv = k.f64Constant(l, c);
    acc = acc ? b.create<arith::AddFOp>(l, acc, cv).getResult() : cv;
  }
  return acc;
}

/// Row `r` of the noise factor `factor` applied to the normal draws `z`
/// (drawn for the columns that are not all 0), the constant 0 for a row of
/// zeros; constants at `constantLoc`.
static Value noiseRow(KernelBuilder &k, Location l, Location constantLoc,
                      ArrayRef<Value> z, ArrayRef<double> factor, size_t r) {
  OpBuilder &b = k.b;
  size_t nv = z.size();
  Value acc;
  for (size_t j = 0; j < nv; ++j) {
    double c = factor[r * nv + j];
    if (c == 0.0)
      continue;
    Value term =
        b.create<arith::MulFOp>(l, z[j], k.f64Constant(constantLoc, c));
    acc = acc ? b.create<arith::AddFOp>(l, acc, term).getResult() : term;
  }
  return acc ? acc : k.f64Constant(constantLoc, 0.0);
}

/// A standard normal draw for `site` of the current population, neuron and
/// step.
static Value normalDraw(KernelBuilder &k, Location loc, uint32_t site) {
  OpBuilder &b = k.b;
  Value stream = b.create<arith::ConstantOp>(
      loc, b.getI32IntegerAttr(static_cast<int32_t>(
               rt::streams::generated(k.kernelPopulation, site))));
  return b
      .create<func::CallOp>(
          loc, k.runtimeFunction("neuro_rt_normal"),
          ValueRange{k.kernelSeed, stream, k.kernelIndex, k.kernelStep})
      .getResult(0);
}

void KernelBuilder::expandPropagate(PropagateOp propagate, Location loc,
                                    llvm::StringMap<int64_t> &rows, Value state,
                                    Value i, Value inRefractory,
                                    llvm::StringMap<Value> &current) {
  Location pl = propagate.getLoc();
  ArrayAttr vars = propagate.getVars();
  size_t nv = vars.size();
  SmallVector<Value> x;
  for (Attribute var : vars)
    x.push_back(
        load2d(pl, state, rows[cast<FlatSymbolRefAttr>(var).getValue()], i));
  SmallVector<double> m(propagate.getMatrix().getValues<double>());
  std::optional<SmallVector<double>> mr;
  if (auto attr = propagate.getRefractoryMatrix())
    mr.emplace(attr->getValues<double>());
  // Exact noise: L z with one standard normal z_j per direction that
  // carries noise (a nonzero column of L or of its refractory variant),
  // drawn from the stream of its state's row, whichever independent part
  // of the population's equations (one propagate each) the state is in.
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
      used |= l[r * nv + j] != 0.0 || (!lr.empty() && lr[r * nv + j] != 0.0);
    if (used)
      z[j] = normalDraw(*this, pl,
                        kNoiseSiteBase +
                            rows[cast<FlatSymbolRefAttr>(vars[j]).getValue()]);
  }
  for (size_t r = 0; r < nv; ++r) {
    Value next = affineRow(*this, pl, x, m, r);
    if (!l.empty())
      next =
          b.create<arith::AddFOp>(pl, next, noiseRow(*this, pl, loc, z, l, r));
    if (mr && inRefractory) {
      bool differs = false;
      for (size_t k = 0; k <= nv; ++k)
        differs |= m[r * (nv + 1) + k] != (*mr)[r * (nv + 1) + k];
      for (size_t k = 0; k < nv && !l.empty(); ++k)
        differs |= l[r * nv + k] != lr[r * nv + k];
      if (differs) {
        Value heldValue = affineRow(*this, pl, x, *mr, r);
        if (!lr.empty())
          heldValue = b.create<arith::AddFOp>(
              pl, heldValue, noiseRow(*this, pl, loc, z, lr, r));
        next = b.create<arith::SelectOp>(pl, inRefractory, heldValue, next);
      }
    }
    StringRef name = cast<FlatSymbolRefAttr>(vars[r]).getValue();
    current[name] = next;
  }
  for (size_t r = 0; r < nv; ++r) {
    StringRef name = cast<FlatSymbolRefAttr>(vars[r]).getValue();
    store2d(pl, current[name], state, rows[name], i);
  }
}

//===----------------------------------------------------------------------===//
// Numerical methods
//===----------------------------------------------------------------------===//

namespace {

/// One step of equations that all have the same method, held while
/// `inRefractory` (null: never).
class Integrator {
public:
  Integrator(KernelBuilder &k, Location loc, Value inRefractory, double dt)
      : k(k), b(k.b), inRefractory(inRefractory), dt(dt),
        zero(k.f64Constant(loc, 0.0)), dtV(k.f64Constant(loc, dt)) {}

  /// As KernelBuilder::integrateNumerically.
  LogicalResult step(SmallVectorImpl<OdeOp> &odes, llvm::StringMap<Value> &x,
                     llvm::StringMap<Value> &next);

private:
  /// Whether `ode` holds its state while the neuron is refractory.
  bool held(OdeOp ode) const {
    return ode.getUnlessRefractory() && inRefractory;
  }
  /// The right-hand side of `ode` with the variables taking `values`.
  /// The right-hand side of `ode` at `values`, its frozen reads of its
  /// state (exponential Euler's coefficients) at `frozen` where given.
  FailureOr<Value> evaluateRhs(OdeOp ode, const llvm::StringMap<Value> &values,
                               Value frozen = {});
  /// x + f(x) dt for the state `old` of `ode`.
  FailureOr<Value> eulerStep(OdeOp ode, const llvm::StringMap<Value> &x,
                             Value old);
  /// The exponential Euler step of the state `old` of `ode`.
  FailureOr<Value>
  exponentialEulerStep(OdeOp ode, const llvm::StringMap<Value> &x, Value old);
  /// `f` and `g` of `ode`, dx/dt = f + g xi, at `values`: the right-hand
  /// side at xi = 0 and its difference at xi = 1.
  LogicalResult driftAndNoise(OdeOp ode, const llvm::StringMap<Value> &values,
                              Value &f, Value &g);
  /// The Euler-Maruyama step of `odes`.
  LogicalResult eulerMaruyamaStep(SmallVectorImpl<OdeOp> &odes,
                                  llvm::StringMap<Value> &x,
                                  llvm::StringMap<Value> &next);
  /// The classical Runge-Kutta step of `odes`.
  LogicalResult rungeKutta4Step(SmallVectorImpl<OdeOp> &odes,
                                llvm::StringMap<Value> &x,
                                llvm::StringMap<Value> &next);
  /// The midpoint (rk2) step of `odes`.
  LogicalResult midpointStep(SmallVectorImpl<OdeOp> &odes,
                             llvm::StringMap<Value> &x,
                             llvm::StringMap<Value> &next);
  /// Brian2's stochastic Heun step of `odes`.
  LogicalResult heunStep(SmallVectorImpl<OdeOp> &odes,
                         llvm::StringMap<Value> &x,
                         llvm::StringMap<Value> &next);
  /// f, g and dW = sqrt(dt) N(0, 1) of each of `odes` at `x` (dW the draw
  /// euler_maruyama takes for the equation).
  LogicalResult noiseTerms(SmallVectorImpl<OdeOp> &odes,
                           const llvm::StringMap<Value> &x,
                           SmallVectorImpl<Value> &fs,
                           SmallVectorImpl<Value> &gs,
                           SmallVectorImpl<Value> &dWs);
  /// Brian2's derivative-free Milstein step of `odes`.
  LogicalResult milsteinStep(SmallVectorImpl<OdeOp> &odes,
                             llvm::StringMap<Value> &x,
                             llvm::StringMap<Value> &next);
  /// The derivatives of `odes` at `values` (0 for held states).
  LogicalResult slopes(SmallVectorImpl<OdeOp> &odes,
                       const llvm::StringMap<Value> &values,
                       SmallVectorImpl<Value> &out);
  /// `x` with each state of `odes` advanced by its slope times `h`.
  llvm::StringMap<Value> advance(SmallVectorImpl<OdeOp> &odes,
                                 const llvm::StringMap<Value> &x,
                                 ArrayRef<Value> slopes, double h);

  KernelBuilder &k;
  OpBuilder &b;
  Value inRefractory;
  double dt;
  /// 0 and dt, created before the step.
  Value zero, dtV;
};

} // namespace

LogicalResult KernelBuilder::integrateNumerically(
    SmallVectorImpl<OdeOp> &odes, llvm::StringMap<Value> &x, Value inRefractory,
    double dt, llvm::StringMap<Value> &next) {
  return Integrator(*this, odes.front().getLoc(), inRefractory, dt)
      .step(odes, x, next);
}

LogicalResult Integrator::step(SmallVectorImpl<OdeOp> &odes,
                               llvm::StringMap<Value> &x,
                               llvm::StringMap<Value> &next) {
  StringRef method = *odes.front().getMethod();
  // Brian2's heun and milstein treat the noise alone: Euler without.
  bool noisy = false;
  for (OdeOp ode : odes)
    ode.getRhs().walk([&](NoiseOp) { noisy = true; });
  // A projection's "exact" equations yield their exact step's increment
  // over dt (neuro-integrate, IntegrateSynapses.cpp).
  bool exactIncrement =
      method == "exact" && isa<ProjectionOp>(odes.front()->getParentOp());
  if (method == "euler" || method == "exponential_euler" || exactIncrement ||
      ((method == "heun" || method == "milstein") && !noisy)) {
    for (OdeOp ode : odes) {
      Value old = x[ode.getVar()];
      FailureOr<Value> updated = method == "exponential_euler"
                                     ? exponentialEulerStep(ode, x, old)
                                     : eulerStep(ode, x, old);
      if (failed(updated))
        return failure();
      if (held(ode))
        updated =
            b.create<arith::SelectOp>(ode.getLoc(), inRefractory, old, *updated)
                .getResult();
      next[ode.getVar()] = *updated;
    }
    return success();
  }
  if (method == "euler_maruyama")
    return eulerMaruyamaStep(odes, x, next);
  if (method == "rk4")
    return rungeKutta4Step(odes, x, next);
  if (method == "rk2")
    return midpointStep(odes, x, next);
  if (method == "heun")
    return heunStep(odes, x, next);
  if (method == "milstein")
    return milsteinStep(odes, x, next);
  return odes.front().emitOpError()
         << "unknown integration method '" << method << "'";
}

FailureOr<Value> Integrator::evaluateRhs(OdeOp ode,
                                         const llvm::StringMap<Value> &values,
                                         Value frozen) {
  auto read = [&](RefOp ref) -> FailureOr<Value> {
    if (ref.getFrozen() && frozen)
      return frozen;
    auto it = values.find(KernelBuilder::refKey(ref));
    if (it == values.end())
      return ref.emitOpError("names no variable the equation can read");
    return it->second;
  };
  auto write = [&](AssignOp assign, Value) -> LogicalResult {
    return assign.emitOpError("cannot assign in an equation");
  };
  auto result = k.inlineRegion(ode.getRhs(), read, write);
  if (failed(result))
    return failure();
  return (*result)[0];
}

FailureOr<Value>
Integrator::eulerStep(OdeOp ode, const llvm::StringMap<Value> &x, Value old) {
  Location l = ode.getLoc();
  auto f = evaluateRhs(ode, x);
  if (failed(f))
    return failure();
  return b.create<arith::AddFOp>(l, old, b.create<arith::MulFOp>(l, *f, dtV))
      .getResult();
}

FailureOr<Value>
Integrator::exponentialEulerStep(OdeOp ode, const llvm::StringMap<Value> &x,
                                 Value old) {
  // dx/dt = A x + B with A, B depending on the other states (and on x
  // through its frozen reads, held at `old`): B = f(x = 0), A = f(x = 1) -
  // B, and x' = x + (A x + B) * expm1(A dt) / A   (x + B dt when A = 0).
  Location l = ode.getLoc();
  llvm::StringMap<Value> at0 = x, at1 = x;
  at0[ode.getVar()] = zero;
  at1[ode.getVar()] = k.f64Constant(l, 1.0);
  auto f0 = evaluateRhs(ode, at0, old);
  auto f1 = evaluateRhs(ode, at1, old);
  if (failed(f0) || failed(f1))
    return failure();
  Value a = b.create<arith::SubFOp>(l, *f1, *f0);
  Value adt = b.create<arith::MulFOp>(l, a, dtV);
  Value phi = b.create<arith::DivFOp>(l, b.create<math::ExpM1Op>(l, adt), a);
  Value isZero = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a, zero);
  phi = b.create<arith::SelectOp>(l, isZero, dtV, phi);
  Value slope =
      b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, a, old), *f0);
  return b.create<arith::AddFOp>(l, old, b.create<arith::MulFOp>(l, slope, phi))
      .getResult();
}

LogicalResult Integrator::driftAndNoise(OdeOp ode,
                                        const llvm::StringMap<Value> &values,
                                        Value &f, Value &g) {
  k.kernelNoise = zero;
  auto f0 = evaluateRhs(ode, values);
  k.kernelNoise = k.f64Constant(ode.getLoc(), 1.0);
  auto f1 = evaluateRhs(ode, values);
  k.kernelNoise = Value();
  if (failed(f0) || failed(f1))
    return failure();
  f = *f0;
  g = b.create<arith::SubFOp>(ode.getLoc(), *f1, *f0);
  return success();
}

LogicalResult Integrator::eulerMaruyamaStep(SmallVectorImpl<OdeOp> &odes,
                                            llvm::StringMap<Value> &x,
                                            llvm::StringMap<Value> &next) {
  // dx/dt = f + g xi: x' = x + f dt + g sqrt(dt) N(0, 1), f and g from
  // the right-hand side at xi = 0 and xi = 1; an independent normal
  // draw per equation, neuron and step.
  Value sqrtDt = k.f64Constant(odes.front().getLoc(), std::sqrt(dt));
  unsigned site = 0;
  for (OdeOp ode : odes) {
    Location l = ode.getLoc();
    Value old = x[ode.getVar()];
    Value f, g;
    if (failed(driftAndNoise(ode, x, f, g)))
      return failure();
    Value normal = normalDraw(k, l, kNoiseSiteBase + site++);
    Value drift = b.create<arith::MulFOp>(l, f, dtV);
    Value diffusion = b.create<arith::MulFOp>(
        l, g, b.create<arith::MulFOp>(l, sqrtDt, normal));
    Value updated = b.create<arith::AddFOp>(
        l, old, b.create<arith::AddFOp>(l, drift, diffusion));
    if (held(ode))
      updated = b.create<arith::SelectOp>(l, inRefractory, old, updated);
    next[ode.getVar()] = updated;
  }
  return success();
}

LogicalResult Integrator::slopes(SmallVectorImpl<OdeOp> &odes,
                                 const llvm::StringMap<Value> &values,
                                 SmallVectorImpl<Value> &out) {
  // Held states have derivative 0.
  for (OdeOp ode : odes) {
    auto f = evaluateRhs(ode, values);
    if (failed(f))
      return failure();
    Value v = *f;
    if (held(ode))
      v = b.create<arith::SelectOp>(ode.getLoc(), inRefractory, zero, v);
    out.push_back(v);
  }
  return success();
}

llvm::StringMap<Value> Integrator::advance(SmallVectorImpl<OdeOp> &odes,
                                           const llvm::StringMap<Value> &x,
                                           ArrayRef<Value> slopes, double h) {
  llvm::StringMap<Value> values = x;
  Location loc = odes.front().getLoc();
  Value hV = k.f64Constant(loc, h);
  for (auto [ode, kv] : llvm::zip(odes, slopes))
    values[ode.getVar()] = b.create<arith::AddFOp>(
        loc, x.lookup(ode.getVar()), b.create<arith::MulFOp>(loc, kv, hV));
  return values;
}

LogicalResult Integrator::midpointStep(SmallVectorImpl<OdeOp> &odes,
                                       llvm::StringMap<Value> &x,
                                       llvm::StringMap<Value> &next) {
  Location loc = odes.front().getLoc();
  SmallVector<Value> k1, k2;
  if (failed(slopes(odes, x, k1)))
    return failure();
  Value start = k.kernelTime;
  if (start)
    k.kernelTime =
        b.create<arith::AddFOp>(loc, start, k.f64Constant(loc, dt / 2));
  LogicalResult ok = slopes(odes, advance(odes, x, k1, dt / 2), k2);
  k.kernelTime = start;
  if (failed(ok))
    return failure();
  llvm::StringMap<Value> end = advance(odes, x, k2, dt);
  for (OdeOp ode : odes)
    next[ode.getVar()] = end[ode.getVar()];
  return success();
}

LogicalResult Integrator::heunStep(SmallVectorImpl<OdeOp> &odes,
                                   llvm::StringMap<Value> &x,
                                   llvm::StringMap<Value> &next) {
  // Only equations with noise come here (step).
  Location loc = odes.front().getLoc();
  SmallVector<Value> fs, gs, dWs;
  if (failed(noiseTerms(odes, x, fs, gs, dWs)))
    return failure();
  // A held state stays at the support point too (Brian2 multiplies its g
  // by not_refractory): the g of the others may read it.
  llvm::StringMap<Value> support = x;
  for (auto [n, ode] : llvm::enumerate(odes)) {
    Value moved = b.create<arith::AddFOp>(
        ode.getLoc(), x[ode.getVar()],
        b.create<arith::MulFOp>(ode.getLoc(), gs[n], dWs[n]));
    if (held(ode))
      moved = b.create<arith::SelectOp>(ode.getLoc(), inRefractory,
                                        x[ode.getVar()], moved);
    support[ode.getVar()] = moved;
  }
  // g at the support point, at the step's end.
  Value start = k.kernelTime;
  if (start)
    k.kernelTime = b.create<arith::AddFOp>(loc, start, dtV);
  Value half = k.f64Constant(loc, 0.5);
  for (auto [n, ode] : llvm::enumerate(odes)) {
    Location l = ode.getLoc();
    Value fs2, gs2;
    if (failed(driftAndNoise(ode, support, fs2, gs2))) {
      k.kernelTime = start;
      return failure();
    }
    Value noise =
        b.create<arith::MulFOp>(l, b.create<arith::MulFOp>(l, half, dWs[n]),
                                b.create<arith::AddFOp>(l, gs[n], gs2));
    Value updated = b.create<arith::AddFOp>(
        l, x[ode.getVar()],
        b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, fs[n], dtV),
                                noise));
    if (held(ode))
      updated =
          b.create<arith::SelectOp>(l, inRefractory, x[ode.getVar()], updated);
    next[ode.getVar()] = updated;
  }
  k.kernelTime = start;
  return success();
}

LogicalResult Integrator::noiseTerms(SmallVectorImpl<OdeOp> &odes,
                                     const llvm::StringMap<Value> &x,
                                     SmallVectorImpl<Value> &fs,
                                     SmallVectorImpl<Value> &gs,
                                     SmallVectorImpl<Value> &dWs) {
  Value sqrtDt = k.f64Constant(odes.front().getLoc(), std::sqrt(dt));
  unsigned site = 0;
  for (OdeOp ode : odes) {
    Location l = ode.getLoc();
    Value f, g;
    if (failed(driftAndNoise(ode, x, f, g)))
      return failure();
    fs.push_back(f);
    gs.push_back(g);
    dWs.push_back(b.create<arith::MulFOp>(
        l, sqrtDt, normalDraw(k, l, kNoiseSiteBase + site++)));
  }
  return success();
}

LogicalResult Integrator::milsteinStep(SmallVectorImpl<OdeOp> &odes,
                                       llvm::StringMap<Value> &x,
                                       llvm::StringMap<Value> &next) {
  // Only equations with noise come here (step). Each equation's support
  // point moves its own state by f dt + g sqrt(dt), the others staying:
  // its noises are independent of the others', so only g's change with
  // its own state makes the Stratonovich correction (Brian2 moves every
  // state at once, the same where each g reads its own state only).
  Location loc = odes.front().getLoc();
  Value sqrtDt = k.f64Constant(loc, std::sqrt(dt));
  Value halfPerSqrtDt = k.f64Constant(loc, 0.5 / std::sqrt(dt));
  SmallVector<Value> fs, gs, dWs, supports;
  if (failed(noiseTerms(odes, x, fs, gs, dWs)))
    return failure();
  for (auto [n, ode] : llvm::enumerate(odes)) {
    Location l = ode.getLoc();
    fs[n] = b.create<arith::MulFOp>(l, fs[n], dtV); // the drift, f dt
    supports.push_back(b.create<arith::AddFOp>(
        l, x[ode.getVar()],
        b.create<arith::AddFOp>(l, fs[n],
                                b.create<arith::MulFOp>(l, gs[n], sqrtDt))));
  }
  for (auto [n, ode] : llvm::enumerate(odes)) {
    Location l = ode.getLoc();
    llvm::StringMap<Value> support = x;
    support[ode.getVar()] = supports[n];
    Value f2, g2;
    if (failed(driftAndNoise(ode, support, f2, g2)))
      return failure();
    Value dW = dWs[n];
    Value correction = b.create<arith::MulFOp>(
        l,
        b.create<arith::MulFOp>(l, b.create<arith::SubFOp>(l, g2, gs[n]),
                                halfPerSqrtDt),
        b.create<arith::MulFOp>(l, dW, dW));
    Value updated = b.create<arith::AddFOp>(
        l, x[ode.getVar()],
        b.create<arith::AddFOp>(
            l, fs[n],
            b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, gs[n], dW),
                                    correction)));
    if (held(ode))
      updated =
          b.create<arith::SelectOp>(l, inRefractory, x[ode.getVar()], updated);
    next[ode.getVar()] = updated;
  }
  return success();
}

LogicalResult Integrator::rungeKutta4Step(SmallVectorImpl<OdeOp> &odes,
                                          llvm::StringMap<Value> &x,
                                          llvm::StringMap<Value> &next) {
  // Classical Runge-Kutta on the whole system; held states have
  // derivative 0 at every stage.
  Location loc = odes.front().getLoc();
  // Stage times: t, t + dt/2, t + dt/2, t + dt.
  Value start = k.kernelTime;
  auto at = [&](double offset) {
    k.kernelTime =
        start ? b.create<arith::AddFOp>(loc, start, k.f64Constant(loc, offset))
                    .getResult()
              : Value();
  };
  SmallVector<Value> k1, k2, k3, k4;
  if (failed(slopes(odes, x, k1)))
    return failure();
  at(dt / 2);
  if (failed(slopes(odes, advance(odes, x, k1, dt / 2), k2)) ||
      failed(slopes(odes, advance(odes, x, k2, dt / 2), k3)))
    return failure();
  at(dt);
  if (failed(slopes(odes, advance(odes, x, k3, dt), k4)))
    return failure();
  k.kernelTime = start;
  Value two = k.f64Constant(loc, 2.0);
  Value sixth = k.f64Constant(loc, dt / 6);
  for (size_t n = 0; n < odes.size(); ++n) {
    Value sum = b.create<arith::AddFOp>(
        loc, k1[n],
        b.create<arith::MulFOp>(loc, two,
                                b.create<arith::AddFOp>(loc, k2[n], k3[n])));
    sum = b.create<arith::AddFOp>(loc, sum, k4[n]);
    next[odes[n].getVar()] = b.create<arith::AddFOp>(
        loc, x[odes[n].getVar()], b.create<arith::MulFOp>(loc, sum, sixth));
  }
  return success();
}
