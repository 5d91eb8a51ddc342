//===- ProjectionKernels.h - The kernels of one projection -----*- C++ -*-===//
//
// ProjectionKernels builds the kernels of one projection
// (ProjectionKernels.cpp: synapse code and the per-step kernels;
// ProjectionEvents.cpp: the event kernels, `on pre` and `on post`).
// Private to convert-neuro-to-kernels.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_CONVERSION_NEUROTOKERNELS_PROJECTIONKERNELS_H
#define NEURO_CONVERSION_NEUROTOKERNELS_PROJECTIONKERNELS_H

#include "NeuroToKernelsInternal.h"

namespace neuro::detail {

using mlir::ArrayRef;
using mlir::FailureOr;
using mlir::Location;
using mlir::LogicalResult;
using mlir::OpBuilder;
using mlir::Region;
using mlir::SmallVector;
using mlir::SmallVectorImpl;
using mlir::StringRef;
using mlir::Type;
using mlir::Value;

/// Where the synapse code of a kernel finds its variables: synapse `j`
/// from source `src` onto target `tgt`; `src` is loaded from `srcs` on
/// first use when not given.
struct SynapseContext {
  Value syn, post, pre, mods, j, tgt, src, srcs, plastic;
  /// The step (f64) the kernel runs in.
  Value now;
  /// When given, the step (f64) at whose end `not_refractory` is read
  /// instead of now's: sum kernels, at the start of a step, read the value
  /// the step before left (Brian2's summed variables run before its state
  /// updater recomputes not_refractory).
  Value refractoryAt;
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
  mlir::func::FuncOp fn;
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
  /// `x` of `decay` after `n` steps, its inputs read from synapse `c.j`.
  Value decayStep(SynapseContext &c, DecayOp decay, Value x, Value n);
  /// The states of `system` of synapse `c.j` advanced by `n` steps.
  void advanceSystem(SynapseContext &c, DecaySystemOp system, Value n);

  /// A kernel of `kind` (sum or update) with NeuroUpdateFn's arguments,
  /// bound to `c`, which the kernel's `t` and `not_refractory` read; the
  /// builder at the start of its body.
  mlir::func::FuncOp synapseKernel(Location loc, KernelKind kind,
                                   SynapseContext &c);
  /// The loop over the kernel's synapses, `c.j` from `c.tgt`'s column; the
  /// builder in its body.
  void synapseLoop(Location loc, mlir::func::FuncOp fn, SynapseContext &c);
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
  SmallVector<DecaySystemOp> systems;
};

/// Whether `region` draws random numbers.
bool drawsIn(Region &region);

} // namespace neuro::detail

#endif // NEURO_CONVERSION_NEUROTOKERNELS_PROJECTIONKERNELS_H
