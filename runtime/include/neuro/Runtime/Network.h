//===- Network.h - The buffers of a built network ---------------*- C++ -*-===//
//
// A network as its backend steps it: each population's state rows, spike
// flags, ring of recent spike lists and Poisson schedule; each projection's
// synapses (CSR, delay groups, target ranges, by-target index), per-synapse
// rows and modulators; the host's threads and the count of synaptic events.
//
// The Simulator owns one and builds it from its ModelSpec: validate()
// checks every field first (Validate.cpp), allocate() fills the state rows
// (Initialize.cpp) and connects each projection (Connect.cpp);
// checkFinite() scans it between steps (CheckFinite.cpp). The rest is the
// host work every backend shares (Network.cpp, PoissonDrive.cpp): the rows
// the kernels update and their views, the spikes of generators, modulators
// and rows that follow a table in time.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_NETWORK_H
#define NEURO_RUNTIME_NETWORK_H

#include "neuro/Runtime/AlignedAllocator.h"
#include "neuro/Runtime/Binomial.h"
#include "neuro/Runtime/Connectivity.h"
#include "neuro/Runtime/DelayRing.h"
#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/RowIndex.h"
#include "neuro/Runtime/ThreadPool.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace neuro::rt {

class Distribution;

class Network {
public:
  /// Largest delay, in steps, a projection may have (each step of delay costs
  /// one spike-list slot per source population).
  static constexpr int64_t kMaxDelaySteps = int64_t(1) << 24;
  /// Targets per range of a projection whose delivery runs in parallel,
  /// and the most ranges (each costs a row pointer per source).
  static constexpr int64_t kTargetsPerPart = 4096;
  static constexpr int64_t kMaxParts = 8;

  /// The network of `model`, which outlives it; empty until allocate().
  explicit Network(const ModelSpec &model) : model(model) {}
  Network(const Network &) = delete;
  Network &operator=(const Network &) = delete;

  struct Population {
    AlignedVector<double> state; ///< [rows][rowWidth]
    /// Single precision: the rows the kernels update, [rows][rowWidth].
    AlignedVector<float> state32;
    /// The neurons whose rows are kept, [rowBegin, rowBegin + rowWidth):
    /// every neuron, but over several processes, where a population whose
    /// rows no kernel reads at other processes' neurons keeps only this
    /// process's (localizeRows).
    int64_t rowBegin = 0, rowWidth = 0;
    AlignedVector<int8_t> spiked; ///< [size]
    DelayRing ring;
    /// The longest delay of a projection leaving it, in steps: the ring
    /// holds at least this many past steps (more over several processes).
    int64_t longestDelay = 0;
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
    /// The targets drawn, ascending [begin, end) blocks: all, or over
    /// several processes those of this process's neurons (driveBlocks).
    std::vector<std::pair<int64_t, int64_t>> driveBlocks;
  };

  struct Projection {
    CSR csr;
    /// [synRows][numSynapses]. With float32 synapse rows
    /// (singleSynapses()): empty once built, until the host asks for them
    /// (hostSynapses); syn32 is then the rows and syn a copy kept in step.
    AlignedVector<double> syn;
    /// Single precision or float32 synapses: the rows the kernels update.
    AlignedVector<float> syn32;
    /// Synapses grouped by delay: group g holds the synapses of delay
    /// delays[g] steps, rows by source in rowPtrs[g] (offsets into cols and
    /// syn). A projection with one delay has one group, rowPtrs[0] ==
    /// csr.rowPtr while building (csr.rowPtr is dropped once built). Once
    /// built, row pointers are compacted (RowIndex).
    std::vector<int64_t> delays;
    std::vector<RowIndex> rowPtrs;
    /// Delivery in parallel: the targets split into `parts` ranges of
    /// partChunk neurons; partPtrs[g][i * (parts + 1) + p] is where the
    /// synapses of source i in group g onto range p start (rows are sorted
    /// by target). parts == 1: no split.
    int64_t parts = 1;
    int64_t partChunk = 0;
    std::vector<RowIndex> partPtrs;
    /// For `on post`: the synapses onto target t are
    /// postSyn[postPtr[t] .. postPtr[t+1]), by source (Brian2's order of
    /// creation), ids ascending within one source.
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
    /// Kept as its rule (Procedural.h): csr.rowPtr says where each
    /// source's synapses start in CSR order, csr.cols and syn stay empty,
    /// `delays` lists the delays some synapse has (rowPtrs stays empty)
    /// and groupOf[d] is the group of delay d steps.
    bool procedural = false;
    std::vector<int32_t> groupOf;
    /// Over ranks (Distribution::localize): the synapses of the whole
    /// projection (-1: all are here), and, when a state record samples
    /// them, the whole projection's index of each synapse kept.
    int64_t wholeSynapses = -1;
    std::vector<int64_t> wholeIndex;
    /// Over ranks: read from a file keeping only the rows onto this
    /// rank's neurons (Network::readsAtTargets).
    bool readAtTargets = false;
    /// While building at its targets over ranks (Distribution::keyRows):
    /// the whole projection's CSR index of the first synapse of each
    /// source's row here, by which its draws are keyed (empty: the CSR
    /// index itself).
    std::vector<int64_t> wholeRowStart;
  };

  /// The synapses of a list of spikes of a procedural projection, drawn
  /// again (regenerate): those of spike m in delay group g are
  /// [starts[m * (G + 1) + g], starts[m * (G + 1) + g + 1]) of `cols`, of
  /// `ids` (their CSR indices) and of each row of the synapse rows
  /// ([synRows][cols.size()]: `syn`, or `syn32` in single precision), by
  /// target within a group, as the stored form holds them.
  struct Regenerated {
    int64_t step = -1; ///< the step of the spikes; -1: none yet
    std::vector<int32_t> cols;
    std::vector<int64_t> ids;
    AlignedVector<double> syn;
    AlignedVector<float> syn32;
    std::vector<int64_t> starts;
  };

  const ModelSpec &model;
  std::vector<Population> pops;
  std::vector<Projection> projs;
  /// The host's threads: population steps on the CPU, Poisson drives.
  std::unique_ptr<ThreadPool> pool;
  /// Set by another thread to stop a build (Python's Ctrl-C): allocate()
  /// checks it between projections and the long loops between blocks of
  /// sources, and fails with "the build was interrupted".
  const std::atomic<bool> *interrupt = nullptr;
  bool interrupted() const {
    return interrupt && interrupt->load(std::memory_order_relaxed);
  }
  /// interrupted(), with the build's error in `err`.
  bool stopBuild(std::string &err) const {
    bool stop = interrupted();
    if (stop)
      err = "the build was interrupted";
    return stop;
  }
  /// The threads the steps will run on: delivery is split by target range
  /// (partPtrs, a row pointer per source, delay group and range) only with
  /// more than one.
  unsigned deliveryThreads = 1;
  /// Synaptic events delivered since the network was built: for every
  /// delivered spike, the number of synapses of its source row.
  int64_t events = 0;
  /// Over several processes: how the network is spread (null: one).
  Distribution *dist = nullptr;
  /// The neurons of population `p` this process integrates: [first,
  /// second).
  std::pair<int64_t, int64_t> owned(size_t p) const;
  /// Whether projection `j` is held whole by every process of a run over
  /// several (ProjectionSpec::replicatedOverRanks).
  bool replicated(size_t j) const;
  /// The targets of projection `j` whose synapses this process holds: its
  /// own neurons of the target population, or all where replicated.
  std::pair<int64_t, int64_t> ownedTargets(size_t j) const;
  /// Whether this process counts projection `j`'s synapses and events in
  /// the run's totals (one process only where it is replicated).
  bool countsHere(size_t j) const;
  /// Whether kernels read population `p`'s rows at neurons other processes
  /// own (`pre` reads, modulators; its rows are gathered) or write them
  /// all (a summed drive's update kernel): its rows are kept whole.
  bool keptWhole(size_t p) const;
  /// Over several processes, once built: each population not read
  /// remotely keeps the rows of this process's neurons only (`local`), or,
  /// for a backend that takes whole rows (a GPU), every neuron's again,
  /// those of other processes 0 (never read).
  void localizeRows(bool local);
  void localizeRows(size_t p, bool local);
  /// Population `p`'s double rows become `whole` (every neuron's), of which
  /// it keeps what it kept before: every neuron's or this process's.
  void replaceRows(size_t p, AlignedVector<double> whole);
  /// Bytes of state rows this process keeps (double and float rows).
  int64_t stateBytes() const;

  //===--------------------------------------------------------------------===//
  // Building
  //===--------------------------------------------------------------------===//

  /// Checks every field of the model before anything is allocated.
  bool validate(std::string &err) const;
  /// Allocates and initializes the network (Initialize.cpp): state rows,
  /// connectivity and per-synapse variables, delay rings.
  bool allocate(std::string &err);
  /// Forgets every population and projection.
  void clear();
  /// Scans the state rows and the synapse rows kernels write (also those
  /// no kernel writes when `constantSynapses`) for NaN, infinities and
  /// weights of the wrong sign; `time` (seconds) goes into the message.
  bool checkFinite(double time, std::string &err, bool constantSynapses) const;
  bool checkPropagators(std::string &err) const;

  //===--------------------------------------------------------------------===//
  // The rows the kernels update
  //===--------------------------------------------------------------------===//

  /// Single precision (ModelSpec::singlePrecision): the kernels work on
  /// float32 copies of the state and synapse rows (state32, syn32). The
  /// double rows are what the host sees (Simulator::state(), checkpoints);
  /// they are rounded into the float rows before a run when the host may
  /// have written them, and brought up to date from them when read.
  bool single() const { return model.singlePrecision; }
  /// Float32 synapse rows (single and mixed precision): syn32 is what the
  /// network keeps; `syn` exists only once the host asked for it.
  bool singleSynapses() const {
    return model.singlePrecision || model.singleSynapses;
  }
  /// The rows the kernels update of population `p` (projection `j`):
  /// float32 in single precision, else the double rows; the bytes of one
  /// value; and the descriptors the kernels take.
  void *kernelRows(size_t p);
  void *kernelSynapseRows(size_t j);
  int64_t kernelValueBytes() const {
    return single() ? int64_t(sizeof(float)) : int64_t(sizeof(double));
  }
  int64_t kernelSynapseBytes() const {
    return singleSynapses() ? int64_t(sizeof(float)) : int64_t(sizeof(double));
  }
  NeuroMemRef2DF64 kernelState(size_t p);
  NeuroMemRef2DF64 kernelSynapses(size_t j);
  /// Before state record `rec` samples at the start of step k: the lets
  /// it records (PopulationSpec::sampled) computed into their rows by the
  /// population's sample kernel, for the recorded neurons this process
  /// holds.
  void computeLets(const StateRecordSpec &rec, int64_t k);
  /// Whether state record `rec` records lets.
  bool recordsLets(const StateRecordSpec &rec) const;
  /// Double rows -> float rows (and the double rows rounded to them).
  void pushKernelRows();
  /// Float rows -> double rows, when the kernels ran since the last time.
  void syncHostRows() const;
  /// Says that kernels (or copies from a device) wrote the float rows.
  void kernelRowsWritten() const { hostStale = singleSynapses(); }
  /// Float32 synapse rows: rounds the double rows of projection `j` just
  /// built into syn32 and frees them.
  void narrowSynapses(size_t j);
  /// The double synapse rows of projection `j` as the host sees them:
  /// with float32 synapse rows, made from syn32 the first time and kept in
  /// step with them from then on (the caller may write them: set
  /// kernelStale).
  double *hostSynapses(size_t j) const;
  /// The values of projection `j`'s synapse rows the kernels update.
  size_t kernelSynapseValues(size_t j) const {
    return singleSynapses() ? projs[j].syn32.size() : projs[j].syn.size();
  }
  mutable bool hostStale = false; ///< the float rows are newer
  bool kernelStale = false;       ///< the double rows may be newer
  /// The host's rows were handed out writable since the last run: a
  /// device takes them again before the next step.
  bool hostWritten = false;
  /// A projection's plasticity was switched between runs (setPlastic): a
  /// device takes every projection's flags again before the next step.
  bool modsWritten = false;

  //===--------------------------------------------------------------------===//
  // Host work of a step, whatever runs the kernels
  //===--------------------------------------------------------------------===//

  /// Sets state row `row` of population `pop` from its table for step k
  /// (an InitSpec::Timed row), in the double and the kernels' rows.
  void fillTimed(size_t pop, size_t row, int64_t k);
  /// The means of population rows projection `j`'s kernels read as
  /// modulators, from the rows the kernels update, into its mods.
  void updateModulators(size_t j);
  /// Appends the spikes of generator population `p` in step k to `list`
  /// (empty), ascending.
  void generatorSpikes(size_t p, int64_t k, std::vector<int32_t> &list);

  //===--------------------------------------------------------------------===//
  // Synapses
  //===--------------------------------------------------------------------===//

  int64_t numSynapses(size_t j) const {
    const Projection &p = projs[j];
    return p.procedural ? p.csr.rowPtr.back() : p.csr.numSynapses();
  }
  /// The synapses of projection `j` in the whole network (of every rank).
  int64_t wholeSynapses(size_t j) const {
    return projs[j].wholeSynapses >= 0 ? projs[j].wholeSynapses
                                       : numSynapses(j);
  }
  /// The targets of source `i` of procedural projection `j`, drawn again
  /// (Procedural.cpp), ascending, as in its stored CSR.
  void regenerateRow(size_t j, int64_t i, std::vector<int32_t> &targets) const;
  /// regenerateRow's targets once each: a pair's `multiplicity` synapses
  /// are positions [t * multiplicity, (t + 1) * multiplicity) of the row.
  void distinctTargets(size_t j, int64_t i,
                       std::vector<int32_t> &targets) const;
  /// The synapses of `spikes` (sources of procedural projection `j`) into
  /// `out`, grouped by delay, with their synapse rows: those at positions
  /// [from, to) of each spike's row (by default all).
  void regenerate(size_t j, const std::vector<int32_t> &spikes,
                  Regenerated &out, int64_t from = 0,
                  int64_t to = INT64_MAX) const;
  /// regenerate's targets of `count` spikes, without the synapse rows, on
  /// this thread.
  void regenerateTargets(size_t j, const int32_t *spikes, size_t count,
                         Regenerated &out, int64_t from, int64_t to) const;
  /// Fills postPtr and postSyn (the synapses by target) of a projection.
  void indexByTarget(size_t j);
  /// Fills srcs (each synapse's source) of a projection.
  void indexSources(size_t j);
  /// Delay in steps of every synapse of projection `j`, in the order of
  /// its synapse rows.
  std::vector<int32_t> synapseDelays(size_t j) const;
  /// The whole projection's CSR index of synapse `s` of source `i` (its
  /// draws' key): `s` itself unless the projection is built at its targets
  /// over ranks.
  static int64_t wholeId(const Projection &proj, int64_t i, int64_t s) {
    return proj.wholeRowStart.empty() ? s
                                      : proj.wholeRowStart[size_t(i)] +
                                            (s - proj.csr.rowPtr[size_t(i)]);
  }
  /// The source neuron of synapse `synapse` of `proj` (-1: none).
  static int64_t synapseSource(const Projection &proj, int64_t synapse);
  /// Starts the schedule of Poisson population `p` at step `step` (a
  /// rebuilt network that starts there): each neuron's first spike is a
  /// gap after `step - 1`, as the process has no memory (replaying the
  /// steps before would cost time in proportion to them), drawn from the
  /// neuron's draw counter as it stands.
  void skipPoisson(size_t p, int64_t step);

private:
  /// Draws the step of neuron i's next spike after step `after` (-1: its
  /// first) into the heap of Poisson population `p`.
  void schedulePoisson(size_t p, int32_t i, int64_t after);
  /// generatorSpikes of a Poisson drive: each target's count of inputs.
  void driveSpikes(size_t p, int64_t k, std::vector<int32_t> &list);
  /// The counts of drive `p`'s targets [begin, end) in step k, as spikes
  /// appended to `out` from `at` (it grows as needed); returns the end.
  /// `pairs`: one uniform per target (from driveNow/driveNext, filled
  /// unless `cached`).
  size_t drawBlock(size_t p, int64_t k, int64_t begin, int64_t end, bool pairs,
                   bool cached, std::vector<int32_t> &out, size_t at);
  /// The neurons of Poisson drive `p` whose targets this process owns
  /// (all with one process), as ascending blocks: a drive's neuron stands
  /// for the inputs of one target, which only that target's process needs.
  std::vector<std::pair<int64_t, int64_t>> driveBlocks(size_t p) const;

  /// Refuses a network whose estimated size exceeds 80% of the memory,
  /// after keeping as their rule the projections asked to be and, largest
  /// first, those that can be until it fits (`procedural`, by projection).
  bool checkMemory(std::vector<bool> &procedural, std::string &err) const;
  /// Builds projection `j` as its rule: the row starts, delays and Dale's
  /// law checked by drawing every synapse once (Procedural.cpp).
  bool connectProcedural(size_t j, std::string &err);
  /// Builds projection `j`, drawn per source (detail::drawnPerSource), stored
  /// without a CSR by source in between: each row drawn twice, to count
  /// the synapses of each delay group, then to place them and their
  /// values; the build's peak is what it keeps.
  bool connectByRows(size_t j, std::string &err);
  /// The delay in steps of synapse `id` (CSR order) of projection `j`,
  /// whose delays are drawn per synapse.
  int64_t drawnDelaySteps(size_t j, int64_t id) const;
  void initPopulations();
  /// The synapses of projection `j` (Connect.cpp): for a file that gives
  /// weights, also each synapse's weight in CSR order (`fileWeights`).
  bool connect(size_t j, std::vector<double> &fileWeights, std::string &err);
  void connectByExpression(size_t j);
  /// Reads the file in two passes, counting each source's rows and then
  /// placing them: nothing but the CSR, its weights and delays is held.
  bool connectFromFile(size_t j, std::vector<double> &fileWeights,
                       std::string &err);
  /// The CSR of projection `j`'s slices placed in its whole populations.
  void embedSlices(size_t j);
  /// Removes the synapses of ablated neurons (and their `fileWeights`).
  void ablate(size_t j, std::vector<double> &fileWeights);
  /// Repeats each synapse of projection `j` (with its file weight and
  /// delay) `multiplicity` times, one after another in its row.
  void repeatSynapses(size_t j, std::vector<double> &fileWeights);
  /// Per-synapse variables and delays of projection `j`, grouped by delay.
  bool initSynapses(size_t j, const std::vector<double> &fileWeights,
                    std::string &err);
  bool groupByDelay(size_t j, std::string &err);
  /// Whether groupSynapses can set the values and delay groups of
  /// projection `j`: not from a file, no per-synapse value following a
  /// table in time.
  bool canGroupInParallel(size_t j) const;
  /// Over ranks: whether stored projection `j` is built at this rank's
  /// targets alone (fixed in-degree: each target draws its own sources;
  /// an expression or `where`: each pair is drawn alone;
  /// Distribution::keyRows), rather than whole and then localized.
  bool builtAtTargets(size_t j) const;
  /// Over ranks: whether file projection `j`, whose file `listed` holds,
  /// keeps only the file's rows onto this rank's targets as it reads them:
  /// when nothing of a synapse is drawn by its index (every synapse row
  /// constant or, the weight, from the file; delays constant or from the
  /// file) and no state record samples it. The same on every rank.
  bool readsAtTargets(size_t j, bool fileWeights, bool fileDelays) const;
  /// The values and delay groups of projection `j`, its CSR by source
  /// built, on the threads of `pool` (GroupSynapses.cpp).
  bool groupSynapses(size_t j, std::string &err);
  /// The values its initialization kernel gives to every synapse of
  /// projection `j` ([synapse rows][synapses], CSR order) and, when it gives
  /// the delays, their steps; blocks of sources `blocks` in parallel.
  bool initByKernel(size_t j, const std::vector<int64_t> &blocks,
                    AlignedVector<double> &values,
                    AlignedVector<int32_t> &steps, std::string &err);
  /// The synapses of projection `j` onto each target (`in`) and from each
  /// source (`out`), every rank's counted, for an initialization kernel
  /// that reads them (N_incoming, N_outgoing); empty when it does not.
  void synapseCounts(size_t j, std::vector<int32_t> &in,
                     std::vector<int32_t> &out);
  void planDeliveryParts(size_t j);
  /// The last step of building stored projection `j`, its synapses grouped
  /// by delay: delivery parts, the indices by target and by source its
  /// synapse needs, and the modulator slots.
  void prepareDelivery(size_t j);
  /// Once stored projection `j` is built (and localized): its row pointers
  /// kept in as few bytes as they allow, and its CSR by source, a copy of
  /// its one delay group's, dropped.
  void compactRows(size_t j);
  /// Sizes each population's ring by the longest delay leaving it.
  void sizeRings();
  /// A memref over the (double) state rows of population `pop`.
  NeuroMemRef2DF64 hostState(int pop);
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_NETWORK_H
