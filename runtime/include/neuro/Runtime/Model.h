//===- Model.h - Description of a compiled network for the runtime --------===//
//
// What the compiler hands the runtime besides the kernels: populations and
// their state rows, projections, recordings, dt and duration. All quantities
// are in SI units. Plain data, no MLIR/LLVM types.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_MODEL_H
#define NEURO_RUNTIME_MODEL_H

#include "neuro/Runtime/ABI.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt {

/// How one state row (or synapse variable) starts.
struct InitSpec {
  enum Kind { Constant, Uniform, Normal, Timed };
  Kind kind = Constant;
  /// The constant, the lower bound of uniform(a, b) or the mean of
  /// normal(a, b).
  double a = 0.0;
  /// The upper bound of uniform(a, b) or the standard deviation of
  /// normal(a, b).
  double b = 0.0;
  /// Timed: in step k the row takes row min(k / every, T - 1) of `values`
  /// ([T][columns], columns 1 (shared) or the population's size).
  int64_t every = 1;
  int64_t columns = 1;
  std::shared_ptr<const std::vector<double>> values;
  /// `every` of a table that only gives initial values (values()): filled
  /// when the network is built, never again.
  static constexpr int64_t kSetOnce = int64_t(1) << 62;

  /// Whether the run writes the row from its table again (a table in
  /// time), not only when the network is built.
  bool followsTable() const { return kind == Timed && every < kSetOnce; }

  static InitSpec constant(double v) { return {Constant, v, v}; }
  static InitSpec uniform(double lo, double hi) { return {Uniform, lo, hi}; }
  static InitSpec normal(double mean, double sd) { return {Normal, mean, sd}; }
};

struct PopulationSpec {
  std::string name;
  int64_t size = 0;
  /// Names of the state rows in kernel order; internal rows start with '_'
  /// (e.g. `_lastspike`, the step index of the last spike).
  std::vector<std::string> rows;
  std::vector<InitSpec> init; ///< one per row
  /// The unit of each row as written in the model ("V", "1"); may be empty.
  std::vector<std::string> units;
  NeuroStepFn step = nullptr;
  NeuroResetFn reset = nullptr; ///< may be null: no reset statements
  /// Initial values given by expressions; may be null.
  NeuroInitFn initFn = nullptr;
  /// The parameters computed from others (rows `derived`) and the
  /// per-neuron propagators, computed again after the host changed rows
  /// (Simulator::rowsChanged); may be null.
  NeuroInitFn deriveFn = nullptr;
  std::vector<std::string> derived;
  /// The other rows whose starting value initFn computes (an expression of
  /// the neuron's index, or of parameters set per neuron): replacing their
  /// InitSpec changes nothing, so `--set` refuses them in a built program.
  std::vector<std::string> computed;
  /// The rows of the lets a network records (`record I_syn of E`), which
  /// sampleFn computes for neurons [begin, end) at the start of a step
  /// before they are sampled; sampleFn is null when there are none.
  std::vector<std::string> sampled;
  NeuroSampleFn sampleFn = nullptr;
  /// Whether row `row` holds a let (one of `sampled`).
  bool isSampled(const std::string &row) const {
    return std::find(sampled.begin(), sampled.end(), row) != sampled.end();
  }
  /// A spike source with given times instead of a model (step is null):
  /// (step, neuron) pairs sorted; a neuron spikes in step k as many times
  /// as (k, neuron) is listed (its spike list then holds it that often,
  /// and each is delivered; the language lists a pair twice only where
  /// SpikeTimes is given same_step = "all").
  bool generator = false;
  std::vector<std::pair<int64_t, int32_t>> schedule;
  /// When > 0: the schedule repeats every `schedulePeriod` steps (step k
  /// emits the spikes scheduled for k mod schedulePeriod; every scheduled
  /// step is below it).
  int64_t schedulePeriod = 0;
  /// A Poisson source (a generator without schedule) when >= 0: each neuron
  /// spikes in each step with probability poissonRate * dt, independently.
  /// The runtime draws, per spike, the number of steps to the next one
  /// (geometric), so the cost is per spike, not per neuron and step.
  double poissonRate = -1;
  /// A Poisson drive when > 0 (with poissonRate): neuron i stands for the
  /// `driveInputs` independent inputs of one target of the drive's
  /// projections, and spikes in a step as many times as a Binomial
  /// (driveInputs, poissonRate dt) draw says (Binomial.h): its spike list
  /// repeats i that many times, and each repeat is delivered.
  int64_t driveInputs = 0;
  /// Neurons that lose every synapse to and from them (`ablate`),
  /// ascending.
  std::vector<int64_t> ablated;
};

struct ProjectionSpec {
  std::string name; ///< e.g. "E_to_I"
  int src = 0;      ///< index into ModelSpec::populations
  int dst = 0;
  /// How the synapses are drawn; `p` is for FixedProbability, `degree`
  /// for the fixed in- and out-degree rules.
  enum Rule {
    FixedProbability,
    FixedInDegree,
    FixedOutDegree,
    OneToOne,
    FromFile,
    Expression ///< each pair with the probability `connect` gives
  };
  NeuroConnectFn connect = nullptr;
  /// Per-synapse initial values given by expressions; may be null.
  NeuroSynInitFn synInitFn = nullptr;
  /// The delays come from synInitFn (its last row, seconds).
  bool delayFromInit = false;
  /// synInitFn reads the synapse counts of targets and sources
  /// (N_incoming, N_outgoing).
  bool synInitCounts = false;
  Rule rule = FixedProbability;
  /// FromFile: the table of synapses (see readConnections in Table.h); its
  /// weight column, when present, sets the weight (synRows[0]; weights of
  /// such projections are never compiled in) and its delay column the
  /// per-synapse delays.
  std::string file;
  int64_t degree = 0;
  /// Only source neurons [srcBegin, srcEnd) connect, to targets
  /// [dstBegin, dstEnd); an end of -1 means the population's size.
  int64_t srcBegin = 0, srcEnd = -1, dstBegin = 0, dstEnd = -1;
  double p = 0.0;         ///< connection probability
  int64_t delaySteps = 0; ///< delay rounded to whole steps
  /// Per-synapse delays in seconds (uniform or normal draws, rounded to
  /// steps and clipped at 0), used instead of delaySteps when set.
  bool heterogeneousDelay = false;
  InitSpec delayInit;
  /// Per-synapse variables: the weight (weightRow: after the states when
  /// it is a row only because a run may set it), per-synapse states;
  /// internal rows start with '_' (`_lastupdate`, the step of the last
  /// event).
  std::vector<std::string> synRows;
  std::vector<InitSpec> synInit; ///< one per syn row
  /// The unit of each syn row; may be empty.
  std::vector<std::string> synUnits;
  bool allowAutapses = true; ///< src == dst: may neuron i connect to i
  /// Synapses per pair the rule selects (Brian2's connect(n=...)): each
  /// pair's synapses one after another in its row, each with its own
  /// index, so draws per synapse differ between them.
  int64_t multiplicity = 1;
  /// Whether any kernel writes the synapse state; if not, it is checked
  /// (finite values, Dale's law) only when the network is built.
  bool synapsesWritten = true;
  /// Whether `deliver` may run for disjoint target ranges at once: it
  /// writes only the synapses it visits and their targets (not the source
  /// state or `mods`), and reads no source row it writes.
  bool partitionable = false;
  /// Whether, with src == dst, `deliver` (or `deliverPost`) reads a row of
  /// the source that it writes through the target: an event then sees what
  /// the step's earlier events wrote, which only one pass over the events
  /// in order gives (one thread, one process).
  bool readsWrittenSource = false;
  /// The row of `synRows` holding the weight; -1 when every synapse has the
  /// same constant weight, compiled into the kernels (no row is stored).
  int weightRow = 0;
  NeuroDeliverFn deliver = nullptr;
  /// `on post`, run for the synapses onto each target that spiked; null
  /// when the synapse has none.
  NeuroDeliverPostFn deliverPost = nullptr;
  /// Summed drives, every step before the populations' step; may be null.
  NeuroUpdateFn sum = nullptr;
  /// Clock-driven equations, every step; may be null.
  NeuroUpdateFn update = nullptr;
  /// Whether `update` runs after the populations' integration and
  /// threshold instead of before: its equations read neuron state (v_post,
  /// v_pre), so they see the values at the end of the step, as Brian2's
  /// synapses do after its neurons' state updaters (while its summed
  /// variables, `sum` here, come before them).
  bool updateAfterStep = false;
  /// Whether the kernels read the source of each synapse (`srcs`).
  bool needsSources = false;
  /// Whether a kernel reads (writes) the state rows of the source
  /// population (`pre`): over several processes, rows of neurons other
  /// ranks own (Distribution.h).
  bool readsSource = true;
  bool writesSource = false;
  /// Whether, over several processes, every process holds and delivers the
  /// whole projection (docs/distributed.md): its events write source rows
  /// or read source rows they write, so each must see every earlier event
  /// of the step, which only the whole projection in one order gives.
  bool replicatedOverRanks() const {
    return writesSource || readsWrittenSource;
  }
  /// The synapse's modulators in kernel order: each the mean of state row
  /// `row` of population `population`, taken before the step's updates
  /// and again before spike delivery.
  struct Modulator {
    int population = 0;
    int row = 0;
  };
  std::vector<Modulator> modulators;
  /// Whether the weight may change at the start of the run.
  bool plastic = true;
  /// Dale's law: +1 (-1) when every weight (row weightRow) must stay >= 0
  /// (<= 0), checked when built and with the NaN/Inf checks; 0: no check.
  int sign = 0;
  /// Asked for with `procedural`: the projection is kept as its rule and
  /// the synapses of each spiking source are drawn again when it spikes
  /// (Procedural.h); building fails when it cannot be. Projections that can
  /// be are also kept so when the stored network would not fit in memory.
  bool procedural = false;
};

/// The spikes of neurons [begin, end) of `population` are recorded (end -1:
/// to the last neuron), with the neurons' indices in the population.
struct RecordSpec {
  int population = 0;
  int64_t begin = 0, end = -1;
};

/// States `rows` of neurons [begin, end) of `population`, sampled at the
/// start of every step k with k % every == 0 (time k dt). With `projection`
/// >= 0: synapse rows `rows` of synapses [begin, end) of that projection
/// instead, the range clipped to its synapses when built (end -1: all).
struct StateRecordSpec {
  int population = 0;
  int projection = -1;
  std::vector<int> rows;
  int64_t begin = 0, end = 0;
  int64_t every = 1;
};

struct ModelSpec {
  std::string name;
  double dt = 1e-4;  ///< seconds
  int64_t steps = 0; ///< the steps that cover `duration` (runSteps)
  /// The duration asked for, in seconds (the sum of the network's runs),
  /// which need not be a whole number of steps: a run restored from a
  /// checkpoint counts on from the time asked for so far (0: steps * dt).
  double duration = 0;
  /// The duration its runs ask for: `duration`, or `steps` of dt for a
  /// spec that has none.
  double requestedDuration() const {
    return duration > 0 ? duration : double(steps) * dt;
  }
  uint64_t seed = 0;
  /// The per-step kernels keep the state and synapse rows in float32
  /// (`--precision=single`): they take memref<?x?xf32> rows. The
  /// Simulator's rows seen through state() and synapseState() stay double,
  /// holding the float values between runs.
  bool singlePrecision = false;
  /// The synapse rows are float32 everywhere (`--precision=single`, and
  /// `--precision=mixed`, where the state and arithmetic stay double): the
  /// per-step kernels that take synapse rows take memref<?x?xf32>, and the
  /// network keeps no double copy of them unless the host asks for one.
  bool singleSynapses = false;
  std::vector<PopulationSpec> populations;
  std::vector<ProjectionSpec> projections;
  std::vector<RecordSpec> records;
  std::vector<StateRecordSpec> stateRecords;
  /// At the start of step `step`, projection `projection` becomes plastic
  /// (or not).
  struct PlasticSwitch {
    int64_t step = 0;
    int projection = 0;
    bool plastic = false;
  };
  std::vector<PlasticSwitch> plasticSwitches;

  /// The end of a projection's source (target) slice: srcEnd (dstEnd), or
  /// its population's size when the slice runs to the end (-1).
  int64_t srcEndOf(const ProjectionSpec &p) const {
    return p.srcEnd < 0 ? populations[size_t(p.src)].size : p.srcEnd;
  }
  int64_t dstEndOf(const ProjectionSpec &p) const {
    return p.dstEnd < 0 ? populations[size_t(p.dst)].size : p.dstEnd;
  }
};

/// "double", "mixed" (double state, float32 synapse rows) or "single".
inline const char *precisionName(const ModelSpec &spec) {
  return spec.singlePrecision  ? "single"
         : spec.singleSynapses ? "mixed"
                               : "double";
}

} // namespace neuro::rt

#endif // NEURO_RUNTIME_MODEL_H
