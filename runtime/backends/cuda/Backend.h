//===- Backend.h - The step loop of a network on a GPU ----------*- C++ -*-===//
//
// DeviceBackend is the Backend (neuro/Runtime/Backend.h) of a Simulator
// whose steps run on a Device. The Simulator builds the network on the host
// (initial values, connectivity, delay groups) as for the CPU; attach()
// copies it to the device, and each hook of the Simulator's schedule
// launches the kernels of its phase with no copy back to the host:
//
//   - each population owns a ring of R = D + B spike lists on the device (D:
//     its longest outgoing delay + 1, B: the batch), one list of `size`
//     entries, a counter and `size` spike flags per step; step kernels
//     set the flags of the slot of step k, two launches for all
//     populations make its lists and counts from them in neuron order (a
//     prefix sum, no atomics), deliveries read the slots of k - delay,
//     resets the slot of k;
//   - populations whose step (reset) kernels the compiler merged run in
//     one launch of the merged kernel, which reads each member's offsets
//     into the allocations for all populations (state rows, rings) and its
//     parameters from a table built at attach() (ABI.h,
//     NEURO_GPU_MERGED_*); so do the deliveries of projections, whose
//     connectivity and synapse rows lie in allocations for all
//     projections, consecutive members in one launch;
//   - a delivery pushes (a block per spike, all delay groups in one
//     launch), or with DeviceOptions::Delivery::Pull
//     ($NEURO_GPU_DELIVERY=pull in the drivers), where the projection has a
//     `_by_target` kernel, pulls (a thread per target reading the flags:
//     no atomics, each target's inputs added in the CPU's order). Pushing
//     is the default: on an H100 it was twice as fast as pulling even with
//     half of the neurons spiking in every step (bench/RESULTS.md);
//   - the spike lists of generators (Poisson, spike times) are drawn on the
//     host, as on the CPU, and uploaded into their slot;
//   - every B steps (in the hook of phase (5)), and when the Simulator
//     syncs (NaN scans, the end of a run), the counts and lists of the steps
//     since the last batch come back in one copy each; they are sorted per
//     step, handed to the Recorder and counted as synaptic events as the
//     CPU does;
//   - state monitors copy the neurons (synapses) they record, in the steps
//     they sample, into a staging buffer of B samples on the device, which
//     comes back with the batch's spikes; a monitor whose B samples would
//     take more than 256 MiB copies its rows back in each sample.
//
// Over several processes (one GPU each, docs/distributed.md) the step
// kernels integrate the process's neurons only, so a step's lists hold its
// own spikes, which resets and `on post` need. A batch is at most the
// exchange interval D, the shortest delay: at its end the own lists come
// back, are exchanged as on the CPU (Distribution::exchangeSteps) and go
// up again whole into their ring slots, which deliveries read no earlier
// than D steps later. With a delay of 0 each step's lists are exchanged
// right after the step kernels. State monitors copy back in each sample and are
// gathered to rank 0. A failure of the device is held (holdFailures) until
// the next exchange, where every process learns of it and all stop.
// Kernels that read other processes' rows (`pre` reads, summed drives,
// modulators) get them as on the CPU: rows written since they were last
// gathered come back, are gathered whole and go up again first.
//
// Parameters that follow a table in time are set on the host and uploaded
// in the steps they change; the modulators of a synapse (means of
// population rows) are computed on the host from rows copied back before
// each kernel that reads them, as the CPU does: exact, but a round trip
// per step for modulated projections.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_CUDA_BACKEND_H
#define NEURO_RUNTIME_CUDA_BACKEND_H

#include "cuda/Device.h"
#include "neuro/Runtime/Backend.h"
#include "neuro/Runtime/Distribution.h"
#include "neuro/Runtime/Kernels.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Recorder.h"

#include <algorithm>
#include <optional>

namespace neuro::rt {
class Simulator;
} // namespace neuro::rt

namespace neuro::rt::cuda {

/// How a DeviceBackend runs: set by the drivers (neuroc, the programs
/// neuroc build makes) from the environment variables below.
struct DeviceOptions {
  /// Steps between two copies of the spike lists to the host (B).
  int64_t batch = 64;
  /// The most a state monitor stages on the device, in bytes.
  int64_t stagingBytes = int64_t(256) << 20;
  enum class Delivery { Push, Pull };
  Delivery delivery = Delivery::Push;

  /// The variables the options come from: NEURO_GPU_BATCH (tuning, and
  /// tests of ring wrap-around), NEURO_GPU_STAGING (bytes; 0 tests the
  /// per-sample copies) and NEURO_GPU_DELIVERY (push or pull).
  static constexpr const char *kVariables[] = {
      "NEURO_GPU_BATCH", "NEURO_GPU_STAGING", "NEURO_GPU_DELIVERY"};
  /// Sets the option of variable `name` from its value (null, empty: the
  /// default stays; so does a size that is not a whole number >= 0). false
  /// and `err` for a delivery other than push or pull.
  bool set(const std::string &name, const char *value, std::string &err);
};

class DeviceBackend final : public Backend {
public:
  /// Copies the built network of `context` to `device`; null with the
  /// reason if the network uses what the device cannot run, is not at step
  /// 0, or memory runs out.
  static std::unique_ptr<DeviceBackend> attach(const BackendContext &context,
                                               std::unique_ptr<Device> device,
                                               const DeviceOptions &options,
                                               std::string &err);

  /// Runs the steps of `sim` on `device` from now on (Simulator::setBackend)
  /// and returns the device's name; nullopt with `err` when `device` is
  /// null (`err` says why already) or attach() fails. What
  /// RunOptions::attach does for a GPU.
  static std::optional<std::string> install(Simulator &sim,
                                            std::unique_ptr<Device> device,
                                            const DeviceOptions &options,
                                            std::string &err);

  bool sampleState(size_t rec, int64_t k, std::string &err) override;
  bool uploadRow(size_t pop, size_t row, std::string &err) override;
  bool uploadMods(size_t proj, std::string &err) override;
  bool updateProjections(int64_t k, bool afterStep, std::string &err) override;
  bool stepPopulations(int64_t k, std::string &err) override;
  bool deliver(int64_t k, std::string &err) override;
  bool deliverPost(int64_t k, std::string &err) override;
  bool reset(int64_t k, std::string &err) override;
  bool monitor(int64_t k, std::string &err) override;
  bool sync(std::string &err) override;
  int64_t launches() const override { return launchCount; }
  bool readsHostRings() const override { return false; }

  const Device &device() const { return *dev; }

private:
  DeviceBackend(const BackendContext &context, std::unique_ptr<Device> device,
                const DeviceOptions &options)
      : network(context.net), recorder(context.recorder),
        dev(std::move(device)), delivery(options.delivery),
        stagingBytes(options.stagingBytes),
        batch(std::max<int64_t>(1, options.batch)) {}
  bool upload(int64_t step, std::string &err);
  /// Device::launch, counted.
  bool launch(const std::string &kernel, int64_t work, KernelArgs &args,
              std::string &err, Device::Grid grid = Device::Grid::PerThread,
              int64_t groups = 1, int64_t members = 1) {
    ++launchCount;
    return dev->launch(kernel, work, args, err, grid, groups, members);
  }
  /// The state rows and rings of every population, and their kernels.
  bool uploadPopulations(std::string &err);
  /// The rings of every population and the table of the spike lists
  /// kernels.
  bool allocateRings(std::string &err);
  /// Each population's kernel of `kind` (step or reset), or the merged
  /// kernel it is a member of, with the table of the group.
  bool findKernels(KernelKind kind, std::string &err);
  /// The projections' connectivity and synapse rows, and their kernels.
  bool uploadProjections(std::string &err);
  /// Each projection's delivery, or the merged one it is a member of.
  bool findDeliveries(std::string &err);
  /// The spike lists and counts of ring slot `slot` from its flags.
  bool compactSpikes(int64_t slot, std::string &err);
  /// Brings the spikes of steps [batchStart, end) back (over several
  /// processes, exchanges them and puts the whole lists up).
  bool fetchSpikes(int64_t end, std::string &err);
  /// The lists of population `p` in steps [batchStart, end), from the
  /// device.
  bool downloadLists(size_t p, int64_t end,
                     std::vector<std::vector<int32_t>> &lists,
                     std::string &err);
  /// Spike list `list` of population `p` in step `s`, whole: kept for the
  /// count of events in flight and counted.
  void keepList(size_t p, int64_t s, const std::vector<int32_t> &list);
  /// fetchSpikes over several processes.
  bool exchangeSpikes(int64_t end, std::string &err);
  /// At attach in step `step`: the spike lists of the last `maxDelay`
  /// steps the host's rings hold (a restored checkpoint, or steps run on
  /// the host) into their ring slots, flags and `recent`, so that they are
  /// delivered as they would have been on the host.
  bool uploadInFlight(int64_t step, int64_t maxDelay, std::string &err);
  /// With one process: the fetched spike lists still in flight into the
  /// host's rings (which a checkpoint saves), as the CPU keeps them.
  void keepRingsOnHost();
  /// Over several processes: whether every process is `ok` and none holds
  /// a failure of its device (false on all, with the first one's message,
  /// when one does). Collective. `ok` with one process.
  bool agreeOnFailures(bool ok, std::string &err);
  /// What a distributed run on the GPU cannot do ("" if nothing).
  static std::string distributedBlocker(const Network &net,
                                        const DeviceOptions &options);
  /// The events of fetched spikes not yet delivered by step `end`.
  int64_t eventsInFlight(int64_t end) const;
  /// Brings the staged samples of state monitors back.
  bool fetchRecordings(std::string &err);
  bool uploadHostRows(std::string &err) override;
  bool fetchState(size_t pop, std::string &err);
  bool fetchSynapses(size_t proj, std::string &err);
  /// The address `bytes` past `base`.
  static CUdeviceptr at(CUdeviceptr base, int64_t bytes) {
    return base + CUdeviceptr(bytes);
  }
  /// The room of a spike list of population `p`: its size, or for a
  /// Poisson drive, which lists a target once per input spiking, the mean
  /// count of inputs in a step and ten standard deviations.
  int64_t listWidth(size_t p) const;
  /// The spike list and the spike count of population `pop` in ring slot
  /// `slot` (on the device).
  CUdeviceptr listOf(size_t pop, int64_t slot) const;
  CUdeviceptr countOf(size_t pop, int64_t slot) const;
  /// Kernel `base`, or its parts `base_0`, `base_1`, ... in order.
  std::vector<std::string> kernelParts(const std::string &base);

  struct DevicePopulation {
    CUdeviceptr state = 0, flags = 0, lists = 0, counts = 0;
    /// Where its rows, its flag ring, its list ring and its count ring
    /// start in the allocations for all populations (elements), and the
    /// room of one spike list (listWidth).
    int64_t stateAt = 0, ringAt = 0, listAt = 0, countAt = 0, width = 0;
    /// Its kernels; none for a member of a merged kernel.
    std::string step;
    std::vector<std::string> reset;
    /// Host copies of the spike lists of the last R steps.
    std::vector<std::vector<int32_t>> recent;
    /// Each neuron's synapses in every outgoing projection: the events a
    /// spike of it makes once all its delays have elapsed.
    std::vector<int64_t> outDegree;
  };
  struct DeviceProjection {
    CUdeviceptr cols = 0, syn = 0, mods = 0, srcs = 0, postPtr = 0, postSyn = 0;
    /// The row pointers of every delay group one after another
    /// (`rowStride` apart), and each group's delay in steps.
    CUdeviceptr rowPtrs = 0, delays = 0;
    int64_t rowStride = 0;
    /// Each kernel's device parts, in launch order (none: it has nothing
    /// to do, such as a delivery without `on pre`).
    std::vector<std::string> sum, update, deliver, deliverPost;
    /// The thread-per-target delivery, if the kernels have one, and each
    /// synapse's delay in steps, which it reads (with postPtr, postSyn and
    /// srcs), copied on its first use.
    std::string pull;
    CUdeviceptr synDelay = 0;
    /// The synapses by target in the order the pull visits them (postSyn
    /// where the projection has one delay group).
    CUdeviceptr pullSyn = 0;
    bool pullReady = false;
    /// Where its targets, synapse rows, modulators, row pointers and delays
    /// start in the allocations for all projections (elements).
    int64_t colsAt = 0, synAt = 0, modsAt = 0, rowPtrsAt = 0, delaysAt = 0;
    /// The merged delivery that pushes its spikes and its row there
    /// (mergedDeliveries), or -1.
    int64_t mergedGroup = -1, mergedRow = -1;
  };
  /// Whether projection `j` pulls its inputs this step.
  bool pulls(size_t j) const;
  bool preparePull(size_t j, std::string &err);
  CUdeviceptr flagsOf(size_t pop, int64_t slot) const;
  /// A projection's modulators (means of population rows) as of now, from
  /// rows copied back, before the kernels of a phase read them.
  bool refreshModulators(size_t j, std::string &err);
  /// Before projection `j`'s kernels run: over several processes, the rows
  /// they read of other processes' neurons (its source's, its
  /// modulators'), when written since, come back, are gathered whole
  /// (Distribution::prepare) and go up again; then its modulators.
  bool prepareRows(size_t j, std::string &err);
  /// Over several processes: population `p`'s rows were written on the
  /// device (its mirrors elsewhere are stale).
  void touch(size_t p) {
    if (network.dist)
      network.dist->touch(p);
  }
  /// The views of projection `j`'s buffers every synapse kernel takes.
  void synapseArgs(size_t j, KernelArgs &a) const;
  /// Launches projection `j`'s deliveries of delay groups [first, end), or
  /// its thread-per-target delivery (pull).
  bool deliverGroups(size_t j, int64_t k, int64_t first, int64_t end,
                     std::string &err);
  bool pullInputs(size_t j, int64_t k, std::string &err);
  /// The arguments of the CPU's delivery for projection `j`, the spike
  /// list being the source's whole ring and the row pointers those of
  /// every group.
  void deliveryArgs(size_t j, int64_t k, KernelArgs &a) const;

  struct DeviceRecording {
    /// Room for B samples; 0: the monitor copies back in each sample.
    CUdeviceptr staging = 0;
    int64_t sampleValues = 0; ///< values per sample
    /// The steps of the samples staged since the last fetch.
    std::vector<int64_t> steps;
  };
  /// The device holds the rows the kernels update (Network::kernelRows,
  /// float32 in single precision) of `valueBytes()` each; a download into
  /// them makes the host's double rows stale (`downloaded()`).
  int64_t valueBytes() const { return network.kernelValueBytes(); }
  /// Those of the synapse rows (float32 also in mixed precision), and of
  /// what state record `r` samples.
  int64_t synapseBytes() const { return network.kernelSynapseBytes(); }
  int64_t recordBytes(size_t r) const {
    return network.model.stateRecords[r].projection >= 0 ? synapseBytes()
                                                         : valueBytes();
  }
  void downloaded();

  Network &network;
  Recorder &recorder;
  std::unique_ptr<Device> dev;
  DeviceOptions::Delivery delivery;
  /// The most a monitor stages (bytes).
  int64_t stagingBytes;
  std::vector<DeviceRecording> recs;
  /// The rings of all populations, one allocation per kind (ABI.h,
  /// NEURO_GPU_SPIKES_*), and what the spike lists kernels take.
  struct Rings {
    CUdeviceptr flags = 0, lists = 0, counts = 0, chunkCounts = 0, table = 0;
    int64_t neurons = 0; ///< of all populations
    int64_t listRoom = 0; ///< the room of one list of each, summed
    int64_t spiking = 0; ///< populations in the table (not generators)
    int64_t chunks = 0;  ///< of all of them
    int64_t widest = 0;  ///< the most chunks of one
  };
  Rings rings;
  /// The state rows of all populations.
  struct States {
    CUdeviceptr rows = 0;
    int64_t values = 0;
  };
  States states;
  /// The parts of every projection that deliveries read, one allocation
  /// per kind for all projections (sizes in elements).
  struct Synapses {
    CUdeviceptr cols = 0, syn = 0, mods = 0, rowPtrs = 0, delays = 0;
    int64_t colsSize = 0, synSize = 0, modsSize = 0, rowPtrsSize = 0,
            delaysSize = 0;
  };
  Synapses synapses;
  /// A merged kernel (ABI.h, NEURO_GPU_MERGED_*) and its table.
  struct MergedGroup {
    std::string kernel;
    KernelKind kind = KernelKind::Step;
    /// The population (projection) of each member, and its constants.
    std::vector<size_t> members;
    std::vector<std::vector<int64_t>> params;
    /// The population (projection) of each row of the table, ascending.
    std::vector<size_t> owners;
    CUdeviceptr table = 0;
    int64_t width = 0;  ///< table entries per row
    int64_t widest = 0; ///< the most neurons (sources) of a row
    int64_t groups = 0; ///< the most delay groups of a row
  };
  std::vector<MergedGroup> mergedSteps, mergedResets, mergedDeliveries;
  /// Where member kernels write what they say.
  CUdeviceptr memberInfo = 0;
  /// Adds population (projection) `owner` to the group of `groups` its
  /// member kernel `member` names.
  bool joinGroup(const std::string &member, KernelKind kind, size_t owner,
                 std::vector<MergedGroup> &groups, std::string &err);
  /// A member's row of a table of `kind`, its constants left out.
  std::vector<int64_t> memberRow(KernelKind kind, size_t owner) const;
  bool uploadTable(MergedGroup &group, std::string &err);
  /// One launch for rows [first, first + rows) of `group`'s table in step
  /// `k`.
  bool launchMerged(const MergedGroup &group, int64_t k, int64_t first,
                    int64_t rows, std::string &err);
  std::vector<DevicePopulation> pops;
  std::vector<DeviceProjection> projs;
  int64_t ringDepth = 1; ///< R
  int64_t batch;         ///< B
  int64_t batchStart = 0;
  /// Synaptic events at attach(), and of every spike fetched since then
  /// counted in full (outDegree); sync() takes away those still in flight.
  int64_t eventsBefore = 0, eventsFetched = 0;
  int64_t stepsDone = 0;
  int64_t launchCount = 0;
  /// Over several processes, the first failure of the device, held until
  /// the next exchange.
  std::string heldFailure;
};

} // namespace neuro::rt::cuda

#endif // NEURO_RUNTIME_CUDA_BACKEND_H
