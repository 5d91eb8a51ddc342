//===- NeuroToKernelsInternal.h - Kernels of one network --------*- C++ -*-===//
//
// What the files of convert-neuro-to-kernels share. The pass builds the
// kernels of each network with one KernelBuilder: its entry points are
// defined by kind of kernel (PopulationKernels.cpp, ProjectionKernels.cpp,
// InitKernels.cpp), the integration of equations in NumericalMethods.cpp
// (propagators per neuron in PerNeuronPropagators.cpp), and what every
// kernel uses in NeuroToKernels.cpp. Its state describes the kernel being
// built: what neuro.time, neuro.rand, neuro.index and neuro.not_refractory
// become in it.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CONVERSION_NEUROTOKERNELS_INTERNAL_H
#define NEURO_CONVERSION_NEUROTOKERNELS_INTERNAL_H

#include "neuro/Conversion/Passes.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/ABI.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>

namespace neuro::detail {

/// Random stream sites of a population: rand() call sites count from 0,
/// the noise of the population's equations from here.
constexpr uint32_t kNoiseSiteBase = 2048;

/// Row index of every state of a population (or weight of a projection).
template <typename DeclOp>
llvm::StringMap<int64_t> rowIndex(mlir::Block &body) {
  llvm::StringMap<int64_t> rows;
  for (auto decl : body.getOps<DeclOp>())
    rows[decl.getSymName()] = static_cast<int64_t>(rows.size());
  return rows;
}

/// A propagator per neuron for equations integrated exactly with
/// coefficients that differ per neuron: the variables it advances (the
/// equations' states, then the other varying rows they read, with
/// derivative 0) and the rows that hold its entries.
struct PerNeuronPropagator {
  std::vector<std::string> vars;
  size_t n = 0;            ///< vars.size(); 0: none
  size_t odes = 0;         ///< the first `odes` vars have equations
  bool refractory = false; ///< a second propagator while refractory
  /// Whether an equation reads the neuron's own not_refractory (the
  /// second propagator's generator is then probed with it false).
  bool readsNotRefractory = false;
  /// reaches[k][j]: whether var j reaches equation k's state through the
  /// equations (directly or through others): elsewhere entry (k, j) is 0
  /// for every neuron, and an infinite j would make 0 * inf = NaN of k.
  std::vector<std::vector<bool>> reaches;
  /// Rows without an equation that events write, read as coefficients
  /// (neuro.held_coefficient): a neuron's propagator is computed again in
  /// the step when they no longer hold the values in rows `stamp(j)`.
  std::vector<std::string> held;
  std::string stamp(size_t j) const { return "_H" + std::to_string(j); }
  /// Row of entry (k, j) of propagator 'P' or 'Q' (j = n: the constant).
  std::string entry(char which, size_t k, size_t j) const {
    return "_" + std::string(1, which) + std::to_string(k) + "_" +
           std::to_string(j);
  }
  /// The rows of the entries: P's, then Q's when there is one.
  std::vector<std::string> rowNames() const {
    std::vector<std::string> names;
    for (char which : {'P', 'Q'}) {
      if (which == 'Q' && !refractory)
        continue;
      for (size_t k = 0; k < odes; ++k)
        for (size_t j = 0; j <= n; ++j)
          names.push_back(entry(which, k, j));
    }
    for (size_t j = 0; j < held.size(); ++j)
      names.push_back(stamp(j));
    return names;
  }
};

/// The per-neuron propagator of `odes` of `pop`: the rows the equations
/// read that are neither `neuro.constant` nor `neuro.held_coefficient`
/// join the equations' states.
PerNeuronPropagator perNeuronPropagator(PopulationOp pop,
                                        llvm::ArrayRef<OdeOp> odes);

/// Builds the kernels of one network into its module. The code of each kind
/// of kernel reaches the builder, the helpers and the state below directly.
class KernelBuilder {
public:
  KernelBuilder(mlir::ModuleOp module, NetworkOp network)
      : module(module), network(network), b(module.getContext()) {}

  /// The kernels of every population and projection of the network.
  mlir::LogicalResult run();

  //===--------------------------------------------------------------------===//
  // Population kernels (PopulationKernels.cpp)
  //===--------------------------------------------------------------------===//

  /// neuro_step_<net>_<pop> and, with a reset, neuro_reset_<net>_<pop>;
  /// leaves in the population what the runtime reads.
  mlir::LogicalResult convertPopulation(PopulationOp pop);

  //===--------------------------------------------------------------------===//
  // Projection kernels (ProjectionKernels.cpp)
  //===--------------------------------------------------------------------===//

  /// neuro_deliver_<net>_<proj>, neuro_deliver_post_<net>_<proj> (with `on
  /// post`) and neuro_update_<net>_<proj> (with equations or summed
  /// drives); marks a projection of constant weight.
  mlir::LogicalResult convertProjection(ProjectionOp proj);

  //===--------------------------------------------------------------------===//
  // Init kernels (InitKernels.cpp)
  //===--------------------------------------------------------------------===//

  /// neuro_init_<net>_<pop>(state, seed): the population's values given by
  /// expressions (neuro.init_expr), per neuron and in the body's order, each
  /// reading the rows set before it, then the propagators of equations
  /// integrated exactly with coefficients per neuron; the runtime calls it
  /// after the other initial values are set. neuro_derive_<net>_<pop>
  /// (same arguments): the `derived` parameters and the propagators alone,
  /// which the runtime calls again when the host changed rows.
  mlir::LogicalResult convertInits(PopulationOp pop);
  /// neuro_connect_<net>_<proj>(i, j, pre, post, seed) -> probability, and
  /// neuro_syninit_<net>_<proj>(srcs, cols, syn, pre, post, seed): the
  /// connection rule and the per-synapse initial values given by
  /// expressions (`syn` has the synapse rows, then `_delay` when the delay
  /// is an expression).
  mlir::LogicalResult convertSynapseInits(ProjectionOp proj);

  //===--------------------------------------------------------------------===//
  // Numerical methods (NumericalMethods.cpp)
  //===--------------------------------------------------------------------===//

  /// Fails unless every equation of `odes` has the same method; `owner`
  /// ("population" or "projection") names where they are.
  static mlir::LogicalResult checkOneMethod(llvm::ArrayRef<OdeOp> odes,
                                            llvm::StringRef owner);
  /// neuro.propagate in the step kernel for neuron `i` (`loc`: the
  /// population's): the new values are stored and go to `current`.
  void expandPropagate(PropagateOp propagate, mlir::Location loc,
                       llvm::StringMap<int64_t> &rows, mlir::Value state,
                       mlir::Value i, mlir::Value inRefractory,
                       llvm::StringMap<mlir::Value> &current);
  /// The per-neuron propagator `pnp` of `odes` in the step kernel for
  /// neuron `i`: the new values are stored and go to `current`.
  void applyPerNeuronPropagator(mlir::Location loc, llvm::ArrayRef<OdeOp> odes,
                                const PerNeuronPropagator &pnp,
                                const llvm::StringMap<int64_t> &rows,
                                mlir::Value state, mlir::Value i,
                                mlir::Value inRefractory,
                                llvm::StringMap<mlir::Value> &current);
  /// The per-neuron propagators, in the init kernel for neuron `i`: the
  /// generator G from the equations probed at x = 0 and x = e_j (with the
  /// neuron's constant rows), then P = exp(G dt) by the runtime (and Q with
  /// not_refractory false and the `unless refractory` rows zeroed).
  mlir::LogicalResult buildPropagators(PopulationOp pop,
                                       llvm::SmallVectorImpl<OdeOp> &odes,
                                       const llvm::StringMap<int64_t> &rows,
                                       mlir::Value state, mlir::Value i);
  /// In the step kernel for neuron `i`, before `applyPerNeuronPropagator`:
  /// the propagators again (by scaling and squaring in the kernel) when a
  /// held coefficient of `pnp` changed since they were computed.
  mlir::LogicalResult refreshPropagators(mlir::Location loc,
                                         llvm::ArrayRef<OdeOp> odes,
                                         const PerNeuronPropagator &pnp,
                                         const llvm::StringMap<int64_t> &rows,
                                         mlir::Value state, mlir::Value i);
  /// The first rows (one per equation) of a generator G dt.
  using Generator = llvm::SmallVector<llvm::SmallVector<mlir::Value>>;
  /// The generators of `pnp` for neuron `i`, loaded at the builder's
  /// position: 'P', the equations probed at x = 0 and x = e_j with the
  /// neuron's rows, and with a refractory propagator 'Q', the same with
  /// the rows of `unless refractory` equations 0 (probed again with
  /// not_refractory false where an equation reads it).
  mlir::LogicalResult
  probeGenerators(mlir::Location loc, llvm::ArrayRef<OdeOp> odes,
                  const PerNeuronPropagator &pnp,
                  const llvm::StringMap<int64_t> &rows, mlir::Value state,
                  mlir::Value i,
                  llvm::SmallVectorImpl<std::pair<char, Generator>> &out);
  /// The held coefficients' values into their stamp rows.
  void storeStamps(mlir::Location loc, const PerNeuronPropagator &pnp,
                   const llvm::StringMap<int64_t> &rows, mlir::Value state,
                   mlir::Value i);

  /// One step of `odes` (all with the same method) from the values `x`
  /// (every variable the equations read, by refKey): the new values of the
  /// integrated variables go to `next`. Variables of `unless refractory`
  /// equations are held while `inRefractory` (may be null: never).
  mlir::LogicalResult integrateNumerically(llvm::SmallVectorImpl<OdeOp> &odes,
                                           llvm::StringMap<mlir::Value> &x,
                                           mlir::Value inRefractory, double dt,
                                           llvm::StringMap<mlir::Value> &next);

  //===--------------------------------------------------------------------===//
  // What every kernel uses (NeuroToKernels.cpp)
  //===--------------------------------------------------------------------===//

  mlir::Type f64() { return b.getF64Type(); }
  /// A population's state or a projection's synapse rows: [rows][columns].
  mlir::MemRefType stateType() {
    return mlir::MemRefType::get(
        {mlir::ShapedType::kDynamic, mlir::ShapedType::kDynamic}, f64());
  }
  /// A vector of `element`s: spike lists, CSR arrays, `mods`.
  mlir::MemRefType vectorType(mlir::Type element) {
    return mlir::MemRefType::get({mlir::ShapedType::kDynamic}, element);
  }

  /// Kernel `kind` of `owner` (a population or projection of the network)
  /// with the C interface, of `type`, at the end of the module: its symbol
  /// (kernelName) and its #neuro.kernel; no body.
  mlir::func::FuncOp declareKernel(mlir::Location loc, KernelKind kind,
                                   llvm::StringRef owner,
                                   mlir::FunctionType type);
  /// An empty kernel `kind` of `owner` taking `inputs` (in the order of
  /// ABI.h: NEURO_<KIND>_ARG_*) and returning nothing; the kernel being
  /// built from here on.
  mlir::func::FuncOp createKernel(mlir::Location loc, KernelKind kind,
                                  llvm::StringRef owner,
                                  llvm::ArrayRef<mlir::Type> inputs);
  /// Index and f64 constants, created once per kernel at its entry.
  mlir::Value index(mlir::Location loc, int64_t v);
  mlir::Value f64Constant(mlir::Location loc, double v);
  /// `steps` (f64) times `scale` seconds (or a rate times them): marked
  /// neuro.step_time, so that single precision computes it, and what is
  /// derived from it, in f64.
  mlir::Value stepTime(mlir::Location loc, mlir::Value steps, double scale);
  /// Element (row, col) of a [rows][columns] memref.
  /// The time (s) of the last spike of neuron `at` whose population's
  /// rows are `state` (`rows` by name): its `_lastspike` row times dt, or
  /// kNeverSpiked steps for a population without one.
  mlir::Value lastSpikeSeconds(mlir::Location loc, mlir::Value state,
                               const llvm::StringMap<int64_t> &rows,
                               mlir::Value at);
  mlir::Value load2d(mlir::Location loc, mlir::Value mem, int64_t row,
                     mlir::Value col);
  void store2d(mlir::Location loc, mlir::Value value, mlir::Value mem,
               int64_t row, mlir::Value col);
  /// Element `at` of an integer vector, as an index.
  mlir::Value loadIndex(mlir::Location loc, mlir::Value mem, mlir::Value at);
  /// Inlines the ops of `region` at the builder's position: neuro.ref and
  /// neuro.assign go through the callbacks; returns the yielded values.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> inlineRegion(
      mlir::Region &region,
      llvm::function_ref<mlir::FailureOr<mlir::Value>(RefOp)> read,
      llvm::function_ref<mlir::LogicalResult(AssignOp, mlir::Value)> write);
  /// Clears what the kernel being built made of neuro.time, neuro.rand,
  /// neuro.index and neuro.not_refractory.
  void resetKernelValues();
  /// The position of `pop` among the network's populations.
  uint32_t populationIndex(PopulationOp pop);
  /// The position of `proj` among the network's projections.
  uint32_t projectionIndex(ProjectionOp proj);
  /// `neuro_rt_uniform` or `neuro_rt_normal` of runtime/ABI.h (same
  /// signature), declared once per module.
  mlir::func::FuncOp runtimeFunction(llvm::StringRef name);
  /// The key of what `ref` reads in the value maps of integrateNumerically:
  /// its name, prefixed for a variable of the target or source neuron.
  static std::string refKey(RefOp ref);

  mlir::ModuleOp module;
  NetworkOp network;
  mlir::OpBuilder b;
  /// The entry block of the kernel being built, where its constants go.
  mlir::Block *kernelEntry = nullptr;
  /// What neuro.time becomes in the kernel being built, and the seed,
  /// entity and counter of its random draws (null where they are not
  /// available).
  mlir::Value kernelTime, kernelSeed, kernelIndex, kernelStep;
  /// What neuro.noise becomes while an equation integrated with
  /// euler_maruyama is expanded (null elsewhere).
  mlir::Value kernelNoise;
  /// What neuro.index becomes (f64), and the random stream of a call site
  /// when it is not the population's generated stream.
  mlir::Value kernelIndexSelf, kernelIndexPre, kernelIndexPost;
  std::function<uint32_t(uint32_t)> kernelStreamOf;
  /// What neuro.not_refractory becomes in the kernel being built (null:
  /// not available).
  std::function<mlir::FailureOr<mlir::Value>(NotRefractoryOp)>
      kernelNotRefractory;
  /// What neuro.last_spike becomes (null: not available).
  std::function<mlir::FailureOr<mlir::Value>(LastSpikeOp)> kernelLastSpike;
  /// What neuro.degree becomes (null: not available).
  std::function<mlir::FailureOr<mlir::Value>(DegreeOp)> kernelDegree;
  /// Per population with a threshold: its refractory period in steps and
  /// the states it clamps (held, and not written by synapse events, while
  /// refractory). Filled as populations are converted, read by projections.
  struct Refractoriness {
    double steps = 0.0;
    llvm::StringSet<> clamped;
    /// A period that differs between neurons: a detached copy of the
    /// threshold, whose `period` region yields it in seconds (`steps` is
    /// then unused).
    mlir::OwningOpRef<ThresholdOp> perNeuron;
    /// The model gives a period (ThresholdOp `from_spike`): a neuron is
    /// refractory for the rest of the step of its spike at least.
    bool fromSpike = false;
    /// Whether a neuron may be refractory.
    bool any() const { return steps > 0.0 || perNeuron || fromSpike; }
  };
  llvm::StringMap<Refractoriness> refractoriness;
  /// A neuron's refractory period in steps (f64, rounded as rt::stepOf
  /// rounds), its rows read through `read`.
  mlir::FailureOr<mlir::Value>
  refractorySteps(mlir::Location loc, const Refractoriness &r,
                  llvm::function_ref<mlir::FailureOr<mlir::Value>(RefOp)> read);
  /// The time step (what neuro.time_step becomes), and the population whose
  /// generated random streams the kernel draws from.
  double kernelDt = 0.0;
  uint32_t kernelPopulation = 0;
  /// The constants at the entry of the kernel being built, by value.
  llvm::DenseMap<int64_t, mlir::Value> indexConstants;
  llvm::DenseMap<uint64_t, mlir::Value> floatConstants;
};

} // namespace neuro::detail

#endif // NEURO_CONVERSION_NEUROTOKERNELS_INTERNAL_H
