//===- Simulator.h - Builds and runs a compiled network ---------*- C++ -*-===//
//
// The Simulator owns everything a compiled model needs at run time: state
// buffers, connectivity, per-synapse state, spike histories for delays and the
// spike monitors. The compiled kernels (ABI.h) do the arithmetic; the
// simulator calls them in the order of one step (the Brian2 default
// schedule):
//
//   (0)     for each projection with an update kernel: update(..., k) sums
//           per-synapse drives into their target rows and integrates the
//           clock-driven synapse equations from step k to k + 1;
//   (1)+(2) for each population: step(state, spiked, k) integrates from step k
//           to k + 1 and evaluates the threshold; the spiked flags become the
//           sorted spike list of step k, stored in the population's DelayRing;
//   (3)     for each projection: deliver(spikes of step k - delaySteps, ...)
//           (`on pre`); then for each projection with `on post`:
//           deliverPost(spikes of its target at step k, ...);
//   (4)     for each population with a reset kernel and spikes at step k:
//           reset(spikes of step k, state);
//   (5)     monitors: each spike of step k is recorded at t = (k + 1) * dt,
//           the end of the step in which the threshold crossing was seen.
//
// Every 100 steps and after the last step of a run(), all state and synapse
// rows whose name does not start with '_' are checked for NaN and infinities.
//
// Errors are reported as false + message; nothing throws out of this API.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_SIMULATOR_H
#define NEURO_RUNTIME_SIMULATOR_H

#include "neuro/Runtime/AlignedAllocator.h"
#include "neuro/Runtime/Binomial.h"
#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/DelayRing.h"
#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/ThreadPool.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt {

struct ConnectionList;

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
namespace cuda {
class DeviceBackend;
} // namespace cuda

/// Runs the steps of a built network on another device (a GPU, see
/// backends/cuda): the Simulator still builds the network, keeps the
/// recordings and writes the files.
class StepBackend {
public:
  virtual ~StepBackend() = default;
  /// Step k, in the order of the schedule above, on the device.
  virtual bool step(int64_t k, std::string &err) = 0;
  /// Brings the spikes, spike counts and synaptic events up to the current
  /// step, and the state rows and the synapse rows kernels write, into the
  /// Simulator's buffers.
  virtual bool sync(std::string &err) = 0;
};

class Simulator {
public:
  /// Interval, in steps, of the NaN/Inf scan of the state.
  static constexpr int64_t kCheckInterval = 100;
  /// Largest delay, in steps, a projection may have (each step of delay costs
  /// one spike-list slot per source population).
  static constexpr int64_t kMaxDelaySteps = int64_t(1) << 24;
  /// The last step a single precision run reaches (ModelSpec::
  /// singlePrecision): step indices (`_lastspike`) are exact in float32 up
  /// to 2^24.
  static constexpr int64_t kMaxSingleSteps = int64_t(1) << 24;

  /// Takes the model; nothing is checked or allocated before build().
  explicit Simulator(ModelSpec spec);
  ~Simulator();

  /// Targets per range of a projection whose delivery runs in parallel,
  /// and the most ranges (each costs a row pointer per source).
  static constexpr int64_t kTargetsPerPart = 4096;
  static constexpr int64_t kMaxParts = 8;
  /// Neurons per thread when the number of threads is automatic.
  static constexpr int64_t kNeuronsPerThread = 100000;

  /// Runs the population step kernels on `threads` threads (0: automatic,
  /// one per kNeuronsPerThread neurons up to one per hardware thread;
  /// default 1). Each population is split into ranges of neurons that are
  /// integrated independently, so results do not depend on the number of
  /// threads. Takes effect at the next build().
  void setThreads(unsigned threads);
  /// The threads build() uses.
  unsigned threads() const { return numThreads; }

  /// Validates the spec, allocates and initializes every buffer, generates
  /// the connectivity, and sets the current step to 0. May be called again to
  /// start over. Returns false and sets `err` on an invalid spec or when out
  /// of memory.
  bool build(std::string &err);

  /// After build(): runs the steps through `backend` from now on (null:
  /// on the host again). Before each NaN scan and at the end of every
  /// run() the backend syncs the host's buffers.
  void setBackend(std::unique_ptr<StepBackend> stepper) {
    backend = std::move(stepper);
  }
  bool hasBackend() const { return backend != nullptr; }

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
  /// The model.
  const ModelSpec &spec() const { return model; }

  /// Steps done since build().
  int64_t currentStep() const { return stepIndex; }
  /// Simulated time, currentStep() * dt, in seconds.
  double currentTime() const { return double(stepIndex) * model.dt; }

  /// Number of synapses of all projections.
  int64_t numSynapses() const;
  /// Number of synapses of projection `proj` (0 if out of range).
  int64_t numSynapses(int proj) const;

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

  /// State of population `pop`, [rows][size]; empty view if out of range or
  /// not built. Writes through the view are seen by the next step.
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
  /// its synapse state (empty if out of range or not built).
  std::vector<int32_t> synapseDelays(int proj) const;

  /// Switches the plasticity of projection `proj` on or off: while off,
  /// its weights do not change (per-synapse states still evolve). Returns
  /// false if `proj` is out of range or the simulator is not built.
  bool setPlastic(int proj, bool plastic);
  /// Whether projection `proj` is plastic.
  bool isPlastic(int proj) const;

  /// Connectivity of projection `proj` (empty if out of range or not built).
  /// With per-synapse delays the synapses are ordered by delay, then
  /// source, and rowPtr does not describe them (see synapseDelays).
  const CSR &connectivity(int proj) const;

  /// Bytes the synapses of all projections take: targets, synapse rows,
  /// row pointers (per delay group and target range), the by-target index
  /// for `on post` and sources where kernels read them.
  int64_t synapseBytes() const;

  /// Target ranges projection `proj` is delivered in (1: not split).
  int64_t deliveryParts(int proj) const {
    return proj >= 0 && size_t(proj) < projs.size() ? projs[size_t(proj)].parts
                                                    : 0;
  }

  /// Synaptic events delivered since build(): for every delivered spike,
  /// the number of synapses of its source row.
  int64_t synapticEvents() const { return events; }

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
  /// count), with spike counts and the spikes in flight of such
  /// populations. Returns what was kept, one "POP.VAR" per entry.
  std::vector<std::string> adoptState(const Simulator &old);

  /// After build(): records the spikes of population `pop` from now on
  /// (no effect if already recorded). false if out of range.
  bool recordSpikes(int pop);
  /// After build(): adds a state recording (as a `record` statement would)
  /// sampled from now on. false and `err` for a bad population, row or
  /// range, or while streaming.
  bool recordStates(const StateRecordSpec &record, std::string &err);

  /// Whether recordings stream to files.
  bool isStreaming() const { return !streamDir.empty(); }

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
    return stateRecordings[size_t(rec)].values;
  }
  const std::vector<double> &stateSampleTimes(int rec) const {
    return stateRecordings[size_t(rec)].times;
  }

  /// The source and target neuron of every synapse of projection `proj`,
  /// in the order of its synapse state (as `<PROJ>_pre.npy` and
  /// `_post.npy` give them); empty if out of range or not built.
  void synapseEnds(int proj, std::vector<int64_t> &pre,
                   std::vector<int64_t> &post) const;

private:
  struct Population {
    AlignedVector<double> state; ///< [rows][size]
    /// Single precision: the rows the kernels update, [rows][size].
    AlignedVector<float> state32;
    AlignedVector<int8_t> spiked; ///< [size]
    DelayRing ring;
    int64_t spikeCount = 0;
    bool recorded = false;
    std::vector<SpikeRecord> spikes;
    /// Poisson sources: (step of the next spike, neuron), a min-heap, and
    /// the spikes drawn so far per neuron (the counter of its gap draws).
    std::vector<std::pair<int64_t, int32_t>> nextSpikes;
    std::vector<uint64_t> draws;
    /// Poisson drives: the count of inputs spiking per target and step, the
    /// second uniform of each target's last block (for step driveCached +
    /// 1) and the spikes of each range of targets.
    BinomialSampler drive;
    std::vector<double> driveNow, driveNext;
    int64_t driveCached = -1;
    std::vector<std::vector<int32_t>> driveLists;
    std::vector<size_t> driveLengths;
  };
  /// Draws the step of neuron i's next spike after step `after` (-1: its
  /// first) into the heap of Poisson population `p`.
  void schedulePoisson(size_t p, int32_t i, int64_t after);
  /// Appends the spikes of generator population `p` in step k to `list`
  /// (empty), ascending.
  void generatorSpikes(size_t p, int64_t k, std::vector<int32_t> &list);
  /// generatorSpikes of a Poisson drive: each target's count of inputs.
  void driveSpikes(size_t p, int64_t k, std::vector<int32_t> &list);

  struct Projection {
    CSR csr;
    AlignedVector<double> syn; ///< [synRows][numSynapses]
    /// Single precision: the rows the kernels update.
    AlignedVector<float> syn32;
    /// Synapses grouped by delay: group g holds the synapses of delay
    /// delays[g] steps, rows by source in rowPtrs[g] (offsets into cols and
    /// syn). A projection with one delay has one group, rowPtrs[0] ==
    /// csr.rowPtr.
    std::vector<int64_t> delays;
    std::vector<std::vector<int64_t>> rowPtrs;
    /// Delivery in parallel: the targets split into `parts` ranges of
    /// partChunk neurons; partPtrs[g][i * (parts + 1) + p] is where the
    /// synapses of source i in group g onto range p start (rows are sorted
    /// by target). parts == 1: no split.
    int64_t parts = 1;
    int64_t partChunk = 0;
    std::vector<std::vector<int64_t>> partPtrs;
    /// For `on post`: the synapses onto target t are
    /// postSyn[postPtr[t] .. postPtr[t+1]), ascending.
    std::vector<int64_t> postPtr;
    std::vector<int64_t> postSyn;
    /// Source of every synapse, when the kernels read it.
    std::vector<int32_t> srcs;
    /// While building: delays given per synapse (seconds, CSR order), and
    /// the CSR index each synapse had before grouping by delay.
    std::vector<double> explicitDelays;
    std::vector<int64_t> order;
    /// The kernels' `mods`: the plasticity flag, then the modulators.
    std::vector<double> mods;
  };
  /// Neurons [begin, end) of population `pop`, one task of phase (1)+(2);
  /// `spikes` receives the task's spikes of the step, ascending.
  struct StepTask {
    int pop = 0;
    int64_t begin = 0, end = 0;
    std::vector<int32_t> spikes;
  };
  /// Single precision (ModelSpec::singlePrecision): the kernels work on
  /// float32 copies of the state and synapse rows (state32, syn32). The
  /// double rows are what the host sees (state(), checkpoints); they are
  /// rounded into the float rows before a run when the host may have
  /// written them, and brought up to date from them when read.
  bool single() const { return model.singlePrecision; }
  /// The rows the kernels update of population `p` (projection `j`):
  /// float32 in single precision, else the double rows; the bytes of one
  /// value; and the descriptors the kernels take.
  void *kernelRows(size_t p);
  void *kernelSynapseRows(size_t j);
  int64_t kernelValueBytes() const {
    return single() ? int64_t(sizeof(float)) : int64_t(sizeof(double));
  }
  NeuroMemRef2DF64 kernelState(size_t p);
  NeuroMemRef2DF64 kernelSynapses(size_t j);
  /// Double rows -> float rows (and the double rows rounded to them).
  void pushKernelRows();
  /// Float rows -> double rows, when the kernels ran since the last time.
  void syncHostRows() const;
  mutable bool hostStale = false; ///< the float rows are newer
  bool kernelStale = false;       ///< the double rows may be newer

  void planStepTasks();
  void planDeliveryParts(size_t projIndex);
  /// Fills postPtr and postSyn (the synapses by target) of a projection.
  void indexByTarget(size_t projIndex);
  /// Fills srcs (each synapse's source) of a projection.
  void indexSources(size_t projIndex);
  void updateModulators(size_t projIndex);
  /// Sets state row `row` of population `pop` from its table for step k
  /// (an InitSpec::Timed row).
  void fillTimed(size_t pop, size_t row, int64_t k);
  bool groupByDelay(size_t projIndex, std::string &err);

  bool validate(std::string &err) const;
  /// Allocates and initializes the network (Initialize.cpp).
  bool allocate(std::string &err);
  /// Refuses a network whose estimated size exceeds 80% of the memory.
  bool checkMemory(std::string &err) const;
  void initPopulations();
  /// The synapses of projection `j` (Connect.cpp): for a file, also the
  /// rows read (`listed`) and the row each synapse came from (`origin`).
  bool connect(size_t j, ConnectionList &listed, std::vector<int64_t> &origin,
               std::string &err);
  void connectByExpression(size_t j);
  bool connectFromFile(size_t j, ConnectionList &listed,
                       std::vector<int64_t> &origin, std::string &err);
  /// The CSR of projection `j`'s slices placed in its whole populations.
  void embedSlices(size_t j);
  /// Removes the synapses of ablated neurons (and their `origin` rows).
  void ablate(size_t j, std::vector<int64_t> &origin);
  /// Per-synapse variables and delays of projection `j`, grouped by delay.
  bool initSynapses(size_t j, const ConnectionList &listed,
                    const std::vector<int64_t> &origin, std::string &err);
  void sizeRingsAndRecordings();
  /// A memref over the (double) state rows of population `pop`.
  NeuroMemRef2DF64 hostState(int pop);
  bool doRun(int64_t steps, std::string &err);
  /// One step: the phases below in order (Step.cpp).
  void doStep(int64_t k);
  /// State samples, timed parameters and plasticity switches of step k.
  void stepInputs(int64_t k);
  /// (0) Clock-driven synapse equations and summed drives.
  void stepUpdates(int64_t k);
  /// (1)+(2) Integration and threshold; the spikes of step k into the rings.
  void stepIntegrate(int64_t k);
  /// (3) Delivery of the spikes whose delay has elapsed (`on pre`).
  void stepDeliver(int64_t k);
  /// `on post` of the targets that spiked, after every `on pre`.
  void stepDeliverPost(int64_t k);
  /// (4) Resets of the neurons that spiked.
  void stepReset(int64_t k);
  /// (5) Spike counts and spike monitors.
  void stepMonitors(int64_t k);
  /// Views of projection `j`'s buffers for its kernels (modulators
  /// averaged first).
  struct SynapseArgs {
    NeuroMemRefI32 srcs, cols;
    NeuroMemRef2DF64 syn, post, pre;
    NeuroMemRefF64 mods;
  };
  SynapseArgs synapseArgs(size_t j);
  /// Scans the state rows and the synapse rows kernels write (also those
  /// no kernel writes when `constantSynapses`) for NaN, infinities and
  /// weights of the wrong sign.
  bool checkFinite(std::string &err, bool constantSynapses) const;
  bool checkPropagators(std::string &err) const;
  static int64_t synapseSource(const Projection &proj, int64_t synapse);

  ModelSpec model;
  std::vector<Population> pops;
  std::vector<Projection> projs;
  std::vector<int> recordedOrder; ///< recorded populations, first mention
  /// Per StateRecordSpec: the sample times and the samples, [sample][row
  /// of the record][neuron in the range], flattened.
  struct StateRecording {
    std::vector<double> times;
    std::vector<double> values;
    /// The neurons or synapses recorded, [begin, end) (synapse ranges
    /// clipped to the projection's synapses when built).
    int64_t begin = 0, end = 0;
  };
  std::vector<StateRecording> stateRecordings;
  void sampleStates(int64_t k);
  /// Appends state recording `r`'s sample of step k.
  void sampleState(size_t r, int64_t k);
  /// Appends what is buffered to the streamed files and syncs them.
  bool flushStreams(std::string &err);
  bool readCheckpoint(const std::string &path, std::string &err);
  /// Names and sizes a checkpoint must match.
  std::string fingerprint() const;
  /// `<base>/<prefix>pre.npy` and `post.npy` of synapse record `r`.
  bool writeSynapseEnds(const std::string &base, const std::string &prefix,
                        size_t r, std::string &err) const;
  /// The name (file prefix) and the row names of what a state record
  /// samples: a projection's or a population's.
  const std::string &recordOwner(const StateRecordSpec &rec) const;
  const std::vector<std::string> &recordRows(const StateRecordSpec &rec) const;
  /// `<base>/recordings.json`: what the recorded files hold.
  bool writeRecordingsJson(const std::string &base, std::string &err) const;
  static constexpr size_t kFlushBytes = size_t(4) << 20;
  static constexpr double kFlushSeconds = 1.0;
  /// Bytes of recordings buffered since the last flush.
  size_t bufferedBytes() const;
  std::string streamDir;
  std::vector<std::unique_ptr<NpyStream>> spikeStreams; ///< by population
  /// Per state record: the times, then one stream per recorded row.
  std::vector<std::vector<std::unique_ptr<NpyStream>>> stateStreams;
  std::chrono::steady_clock::time_point lastFlush;
  unsigned numThreads = 1;
  std::unique_ptr<ThreadPool> pool;
  std::vector<StepTask> stepTasks; ///< by population, ranges ascending
  bool built = false;
  int64_t stepIndex = 0;
  double buildSeconds = 0;
  double simSeconds = 0;
  int64_t events = 0;
  std::unique_ptr<StepBackend> backend;
  friend class cuda::DeviceBackend;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_SIMULATOR_H
