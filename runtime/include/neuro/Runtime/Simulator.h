//===- Simulator.h - Builds and runs a compiled network ---------*- C++ -*-===//
//
// The Simulator builds the network a ModelSpec describes (Network.h:
// state rows, connectivity, per-synapse rows, spike histories for delays)
// and runs it: it owns the schedule of a step, and its backend (Backend.h)
// runs the compiled kernels (ABI.h) of each phase, on the host's threads
// (CpuBackend, the default) or on a GPU (cuda::DeviceBackend). The order is
// that of Brian2's default schedule:
//
//   inputs  state records sample the rows as they are at the start of step
//           k (Backend::sampleState); rows that follow a table in time and
//           plasticity switches take their value for step k on the host
//           (Backend::uploadRow, uploadMods hand them to the backend);
//   (0)     for each projection with a sum kernel: sum(..., k) sets the
//           summed drives' target rows from the values at the start of the
//           step; with an update kernel not marked updateAfterStep:
//           update(..., k) integrates the clock-driven synapse equations
//           from step k to k + 1 (Backend::updateProjections);
//   (1)+(2) for each population: step(state, spiked, k) integrates from step k
//           to k + 1 and evaluates the threshold; the spiked flags become the
//           sorted spike list of step k, stored in the population's DelayRing
//           (Backend::stepPopulations);
//           then the update kernels of the projections marked
//           updateAfterStep (equations that read neuron state), which so
//           see its end (Backend::updateProjections);
//   (3)     for each projection: deliver(spikes of step k - delaySteps, ...)
//           (`on pre`, Backend::deliver); then for each projection with
//           `on post`: deliverPost(spikes of its target at step k, ...)
//           (Backend::deliverPost);
//   (4)     for each population with a reset kernel and spikes at step k:
//           reset(spikes of step k, state) (Backend::reset);
//   (5)     monitors: the spikes of step k go to the Recorder (Recorder.h),
//           each recorded at t = (k + 1) * dt, the end of the step in which
//           the threshold crossing was seen (Backend::monitor).
//
// Every 100 steps and after the last step of a run(), the backend brings
// the host's buffers up to date (Backend::sync), and all state and synapse
// rows whose name does not start with '_' are checked for NaN and
// infinities.
//
// Over several processes (setComm), each integrates its share of the
// neurons and the steps exchange spikes and the rows read remotely between
// the phases (Distribution.h); every process calls build() and run() alike.
//
// Errors are reported as false + message; nothing throws out of this API.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_SIMULATOR_H
#define NEURO_RUNTIME_SIMULATOR_H

#include "neuro/Runtime/Backend.h"
#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/Recorder.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt {

/// A row-major [rows][cols] view of a runtime buffer (population state:
/// rows = state variables, cols = neurons; synapse state: cols = synapses).
template <typename T> struct RowsView {
  T *data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;

  /// First element of row `r`.
  T *row(int64_t r) const { return data + r * cols; }
  /// Element (r, c).
  T &operator()(int64_t r, int64_t c) const { return data[r * cols + c]; }
  /// rows * cols.
  int64_t numElements() const { return rows * cols; }
};

/// Mutable view of a state buffer.
using StateView = RowsView<double>;
/// Read-only view of a state buffer.
using ConstStateView = RowsView<const double>;

/// Builds the network described by a ModelSpec and runs it.
class Simulator {
public:
  /// Interval, in steps, of the NaN/Inf scan of the state.
  static constexpr int64_t kCheckInterval = 100;
  /// Largest delay, in steps, a projection may have.
  static constexpr int64_t kMaxDelaySteps = Network::kMaxDelaySteps;
  /// The last step a single precision run reaches (ModelSpec::
  /// singlePrecision), and a mixed one with a synapse's `_lastupdate`: step
  /// indices kept in float32 rows are exact up to 2^24.
  static constexpr int64_t kMaxSingleSteps = int64_t(1) << 24;

  /// Takes the model; nothing is checked or allocated before build().
  explicit Simulator(ModelSpec spec);
  ~Simulator();
  Simulator(const Simulator &) = delete;
  Simulator &operator=(const Simulator &) = delete;

  /// Targets per range of a projection whose delivery runs in parallel,
  /// and the most ranges (each costs a row pointer per source).
  static constexpr int64_t kTargetsPerPart = Network::kTargetsPerPart;
  static constexpr int64_t kMaxParts = Network::kMaxParts;
  /// Neurons per thread when the number of threads is automatic.
  static constexpr int64_t kNeuronsPerThread = 100000;

  /// Runs the population step kernels on `threads` threads (0: automatic,
  /// one per kNeuronsPerThread neurons up to one per hardware thread;
  /// default 1). Each population is split into ranges of neurons that are
  /// integrated independently, so results do not depend on the number of
  /// threads. Takes effect at the next build(), which builds the network
  /// on as many threads, or, when automatic, on every hardware thread (over
  /// K processes, a K-th of them each); the network is the same bit for bit
  /// whatever their number.
  void setThreads(unsigned threads);
  /// A flag another thread may set to stop build() (which then fails with
  /// "the build was interrupted"); null: builds run to the end.
  void setBuildInterrupt(const std::atomic<bool> *flag) {
    net.interrupt = flag;
  }
  /// The threads the steps run on.
  unsigned threads() const { return numThreads; }
  /// The threads the last build() ran on.
  unsigned buildThreads() const { return numBuildThreads; }

  /// Spreads the network over the processes of `comm` (Distribution.h)
  /// from the next build(): each integrates its share of the neurons and
  /// holds the synapses onto them; the recordings are whole on rank 0.
  void setComm(Comm &processes) { comm = &processes; }
  /// The processes of the run (null: this one alone).
  Comm *processes() const { return comm; }
  /// How the network is spread over the processes (null: one process).
  const Distribution *distribution() const { return dist.get(); }

  /// Validates the spec, allocates and initializes every buffer, generates
  /// the connectivity, and sets the current step to 0; the steps then run
  /// on the host's threads (CpuBackend). May be called again to start over.
  /// Returns false and sets `err` on an invalid spec or when out of memory.
  bool build(std::string &err);

  /// After build(): runs the steps through the backend `make` returns
  /// (empty: CpuBackend, on the host's threads, as build() installs). The
  /// kernels' rows are brought up to date from the host's first. false and
  /// `err` when not built or when `make` fails (the backend in place
  /// stays).
  bool setBackend(const BackendFactory &make, std::string &err);

  /// Runs spec().steps steps from the current step.
  bool run(std::string &err);

  /// Runs `steps` more steps from the current step. Returns false and sets
  /// `err` if the simulator is not built, `steps` < 0, or a state variable
  /// became NaN or infinite (the run stops at the step that detected it).
  bool run(int64_t steps, std::string &err);

  /// Whether build() succeeded.
  bool isBuilt() const { return built; }

  /// Says that the host wrote row `row` (-1: any) of population `pop`
  /// through state(): what the compiler derived from the population's
  /// parameters (parameters computed from others, such as AdEx's V_peak,
  /// and the propagators of equations integrated exactly with per-neuron
  /// coefficients) is computed again now. A derived parameter written
  /// itself keeps the value written until a row it is computed from
  /// changes. false and `err` when a propagator comes out infinite or NaN
  /// (a time constant of 0).
  bool rowsChanged(int pop, int row, std::string &err);
  /// Writes row `row` of population `pop` with `write` (through state())
  /// and then calls rowsChanged(); when that fails, puts the row back as it
  /// was and recomputes from it, so that a value the propagators cannot
  /// follow is not kept. False and `err` then.
  bool changeRow(int pop, int row, const std::function<void()> &write,
                 std::string &err);
  /// The model.
  const ModelSpec &spec() const { return model; }

  /// Steps done since build().
  int64_t currentStep() const { return stepIndex; }
  /// Simulated time, currentStep() * dt, in seconds.
  double currentTime() const { return double(stepIndex) * model.dt; }
  /// The steps of a run of `seconds` more, counted as Brian2 counts runs
  /// one after another: to the step that covers the sum of the durations
  /// run so far (Brian2's network time, which a run that is not a whole
  /// number of steps leaves between steps), so that three runs of 1.04 ms
  /// at 0.1 ms take 11, 10 and 11 steps. False and `err` for a negative or
  /// non-finite duration or one of more than kMaxSteps steps.
  bool stepsFor(double seconds, int64_t &steps, std::string &err);
  /// Makes spec().steps, which run() takes, the stepsFor() of the model's
  /// requested duration: a run after a restored checkpoint counts on from
  /// the time the runs before it asked for. False and `err` as stepsFor().
  bool planRun(std::string &err);
  /// False and `err` when step indices up to `end` cannot be kept exactly
  /// (float32 rows count steps in single and mixed precision).
  bool checkStepLimit(int64_t end, std::string &err) const;

  /// Number of synapses of all projections.
  int64_t numSynapses() const;
  /// Number of synapses of projection `proj` (0 if out of range).
  int64_t numSynapses(int proj) const;
  /// Whether projection `proj` is kept as its rule (Procedural.h): it
  /// stores no synapse, and synapseState() and synapseEnds() are empty.
  bool isProcedural(int proj) const;
  /// False, with why in `err`, when projection `proj` is procedural: what
  /// reads or records its synapses asks this first.
  bool checkStored(int proj, std::string &err) const;

  /// Spikes emitted by population `pop` since build(), recorded or not.
  int64_t spikeCount(int pop) const;
  /// Recorded spikes of population `pop`, in time order (and by index within
  /// a step); empty if the population is not recorded. While streaming, only
  /// those not yet written.
  const std::vector<SpikeRecord> &spikes(int pop) const;
  /// Whether spikes of population `pop` are recorded.
  bool isRecorded(int pop) const;
  /// Spike list of population `pop` at `step` if still held by its delay
  /// ring (at least the last step is), else empty.
  const std::vector<int32_t> &spikesAtStep(int pop, int64_t step) const;

  /// State of population `pop`, [rows][size] (over several processes
  /// maybe [rows][this process's neurons]: Network::Population::rowBegin);
  /// empty view if out of range or not built. Writes through the view are
  /// seen by the next step.
  StateView state(int pop);
  /// Read-only state of population `pop`.
  ConstStateView state(int pop) const;
  /// Synapse state of projection `proj`, [synRows][numSynapses(proj)].
  StateView synapseState(int proj);
  /// Read-only synapse state of projection `proj`.
  ConstStateView synapseState(int proj) const;

  /// Index of population `name`, or -1.
  int populationIndex(const std::string &name) const;
  /// Index of projection `name`, or -1.
  int projectionIndex(const std::string &name) const;
  /// Index of state row `name` of population `pop`, or -1.
  int rowIndex(int pop, const std::string &name) const;
  /// Index of synapse row `name` of projection `proj`, or -1.
  int synRowIndex(int proj, const std::string &name) const;

  /// Delay in steps of every synapse of projection `proj`, in the order of
  /// its synapse state (empty if out of range, not built or procedural).
  std::vector<int32_t> synapseDelays(int proj) const;

  /// Switches the plasticity of projection `proj` on or off: while off,
  /// its weights do not change (per-synapse states still evolve). Returns
  /// false if `proj` is out of range or the simulator is not built.
  bool setPlastic(int proj, bool plastic);
  /// Whether projection `proj` is plastic.
  bool isPlastic(int proj) const;

  /// Connectivity of projection `proj` (empty if out of range or not built):
  /// its targets. Once built, rowPtr no longer describes them (see
  /// rowPointers); with per-synapse delays the synapses are ordered by
  /// delay, then source (see synapseDelays).
  const CSR &connectivity(int proj) const;
  /// Where each source's synapses of stored projection `proj` start in
  /// connectivity(proj).cols (nSrc + 1 entries) when they are held by
  /// source, as with one delay; empty otherwise.
  std::vector<int64_t> rowPointers(int proj) const;

  /// Bytes the synapses of all projections take: targets, synapse rows,
  /// row pointers (per delay group and target range, and by source), the
  /// by-target index for `on post`, sources where kernels read them and,
  /// over ranks, the whole projection's index of recorded synapses.
  int64_t synapseBytes() const;
  /// Bytes the neurons' state rows take in this process (all neurons', or
  /// over several processes, mostly its own: Network::localizeRows).
  int64_t stateBytes() const { return net.stateBytes(); }

  /// Target ranges projection `proj` is delivered in (1: not split).
  int64_t deliveryParts(int proj) const {
    return proj >= 0 && size_t(proj) < net.projs.size()
               ? net.projs[size_t(proj)].parts
               : 0;
  }

  /// Synaptic events delivered since build(): for every delivered spike,
  /// the number of synapses of its source row.
  int64_t synapticEvents() const { return net.events; }

  /// Kernels the backend launched on a device since it was installed
  /// (Backend::launches; 0 on the CPU).
  int64_t kernelLaunches() const { return backend ? backend->launches() : 0; }

  /// Wall time of the last build(), in seconds.
  double tBuild() const { return buildSeconds; }
  /// Wall time spent in run() since build(), in seconds.
  double tSim() const { return simSeconds; }

  /// Streams every recording to files in `dir` while the run goes:
  /// `spikes_<population>.npy` and the state files that writeSpikes and
  /// writeStates describe, plus `recordings.json` (dt, sizes, units, what
  /// each file holds). Recordings are then kept in memory only until the
  /// next flush (every few MiB, and at least every second of wall time and
  /// at the end of each run()), so memory stays bounded, and a run killed
  /// midway leaves readable files with everything up to the last flush.
  /// Call after build(); false and `err` if a file cannot be created.
  bool streamTo(const std::string &dir, std::string &err);
  /// Where streamed spikes go (Recorder::setSpikeOutput), before streamTo.
  void setSpikeOutput(bool npy, std::unique_ptr<SpikeSink> sink) {
    recorder.setSpikeOutput(npy, std::move(sink));
  }
  /// Flushes and closes the spike sink set, if any.
  bool closeSpikeOutput(std::string &err) {
    return recorder.closeSpikeSink(err);
  }
  /// Saves what evolves while the network runs (the step, states, synapse
  /// variables, spikes still in flight, Poisson schedules, plasticity
  /// flags) to `path` (written to a temporary file and renamed). Recordings
  /// are not part of it. false and `err` on failure.
  bool saveCheckpoint(const std::string &path, std::string &err) const;
  /// Restores a checkpoint of this network (same model, seed and dt) into a
  /// built simulator; the run then continues bit for bit as if it had not
  /// stopped. Checks everything before changing anything.
  bool restoreCheckpoint(const std::string &path, std::string &err);

  /// After build(): takes over the time and every variable of `old` that
  /// still exists here (state rows of a population of the same name and
  /// size, synapse rows of a projection of the same name and synapse
  /// count, in the same unit), with spike counts and the spikes in flight
  /// of such populations. Returns what was kept, one "POP.VAR" per entry.
  /// The two must have the same dt (time and spikes are kept in steps).
  /// Spikes in flight are kept only for a population whose outgoing
  /// projections are the old ones (names, synapses, delays): the new
  /// network replays them through its own projections, which would
  /// deliver them again at other delays or through projections made after
  /// they were sent; the populations whose spikes in flight were dropped
  /// go to `dropped` when given. Recordings carry over where the same is
  /// recorded here (Recorder::adoptRecordings); what they leave behind is
  /// described in `lost` when given.
  std::vector<std::string>
  adoptState(const Simulator &old, std::vector<std::string> *dropped = nullptr,
             std::vector<std::string> *lost = nullptr);
  /// adoptState for Poisson source `p`: the schedule of `old`'s population
  /// `q` (-1: none) when it is the same source, else its own from now on.
  void adoptPoisson(size_t p, const Simulator &old, int q);

  /// The spikes of population `pop` that a delivery may still read: at
  /// a - 1 the sorted list of step step() - a, for a = 1 up to the
  /// population's longest outgoing delay.
  std::vector<std::vector<int32_t>> recentSpikes(int pop) const;
  /// Takes `lists` (as recentSpikes() of a simulation that ran up to where
  /// this one stands gives them) as the spikes of population `pop` in the
  /// steps before the current one, delivered when their delays end, here
  /// in steps below 0 too; lists past the longest delay are dropped. False
  /// (err) for a list that is not sorted neurons of the population (a
  /// neuron may repeat: SpikeTimes' same_step = "all"), over several
  /// processes, and on a device backend.
  bool carrySpikes(int pop, const std::vector<std::vector<int32_t>> &lists,
                   std::string &err);

  /// After build(): records the spikes of population `pop` from now on
  /// (no effect if already recorded). false if out of range.
  bool recordSpikes(int pop);
  /// After build(): records the spikes of neurons [begin, end) of
  /// `record.population` from now on (end -1: to the last neuron), as a
  /// `record spikes` statement would. No effect if already recorded for the
  /// same neurons; false and `err` for a bad population or range, or
  /// another range already recorded.
  bool recordSpikes(const RecordSpec &record, std::string &err);
  /// After build(): adds a state recording of a population, or of a
  /// projection's synapse variables when `record.projection` >= 0 (as a
  /// `record` statement would), sampled from now on. false and `err` for a
  /// bad population, projection, row or range, or while streaming.
  bool recordStates(const StateRecordSpec &record, std::string &err);

  /// False and `err` when a recording would be written in `dir` over one
  /// of `inputs` (files the model reads: a replayed spike file, a table),
  /// two recordings over one file, or `checkpoint` (when given) would be
  /// one of the files written in `dir`; call before the run.
  bool checkOutputs(const std::string &dir,
                    const std::vector<std::string> &inputs, std::string &err,
                    const std::string &checkpoint = {}) const {
    return recorder.checkOutputs(dir, inputs, err, checkpoint);
  }

  /// Whether recordings stream to files.
  bool isStreaming() const { return recorder.isStreaming(); }
  bool recordingsFailed() const { return recorder.writeFailed(); }

  /// Writes `<dir>/spikes_<population>.npy` for each recorded population
  /// (see writeSpikesNpy), creating `dir` if needed. Returns false and sets
  /// `err`, naming the path, on any failure.
  /// While streaming, flushes the streamed files instead (`dir` unused).
  bool writeSpikes(const std::string &dir, std::string &err);

  /// Writes every state recording: `<dir>/<population>_<var>.npy`, a
  /// [samples][neurons] float64 array, and `<dir>/<population>_t.npy`, the
  /// sample times; for synapse recordings also `<dir>/<projection>_pre.npy`
  /// and `_post.npy`, the source and target neuron of each column. Returns
  /// false and sets `err`, naming the path, on any failure.
  /// While streaming, flushes the streamed files instead (`dir` unused).
  bool writeStates(const std::string &dir, std::string &err);

  /// Samples so far of state record `rec`, values [sample][var][neuron].
  const std::vector<double> &stateSamples(int rec) const {
    return recorder.stateRecording(size_t(rec)).values;
  }
  const std::vector<double> &stateSampleTimes(int rec) const {
    return recorder.stateRecording(size_t(rec)).times;
  }
  /// How many neurons (or synapses) state record `rec` samples.
  int64_t stateSampleWidth(int rec) const {
    const Recorder::StateRecording &r = recorder.stateRecording(size_t(rec));
    return r.end - r.begin;
  }

  /// The source and target neuron of every synapse of projection `proj`,
  /// in the order of its synapse state (as `<PROJ>_pre.npy` and
  /// `_post.npy` give them); empty if out of range or not built.
  void synapseEnds(int proj, std::vector<int64_t> &pre,
                   std::vector<int64_t> &post) const;

private:
  bool doRun(int64_t steps, std::string &err);
  /// Step k: the phases of the schedule above, each a hook of the backend.
  bool doStep(int64_t k, std::string &err);
  bool readCheckpoint(const std::string &path, std::string &err);
  /// Names and sizes a checkpoint must match. Earlier `formats` hashed
  /// more of the starting values, as older checkpoints did: 1 the tables
  /// of values() (starting values only), 0 also which starting values are
  /// computed per neuron.
  std::string fingerprint(int format = kFingerprintFormat) const;
  static constexpr int kFingerprintFormat = 2;
  /// What a checkpoint says of its network, to name what differs when the
  /// fingerprints do not match: a line per setting, population and
  /// projection ("population E 3200 v,g").
  std::string layout() const;

  ModelSpec model;
  Comm *comm = nullptr;
  std::unique_ptr<Distribution> dist;
  Network net{model};
  Recorder recorder{model, net};
  std::unique_ptr<Backend> backend;
  unsigned numThreads = 1;
  unsigned numBuildThreads = 1;
  bool automaticThreads = false;
  bool built = false;
  int64_t stepIndex = 0;
  /// The end of the last run that stepsFor() counted, in seconds, and the
  /// step it ends at (once another way of running moved the step away,
  /// the next run counts from the current time).
  double runEnd = 0;
  int64_t runEndStep = 0;
  double buildSeconds = 0;
  double simSeconds = 0;
};

/// Whether a checkpoint may be written to `path`: checkReplaceable, and an
/// existing file there is a checkpoint or empty (never the model, a
/// program or a recording); otherwise false and `err`.
bool checkCheckpointTarget(const std::string &path, std::string &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_SIMULATOR_H
