//===- Distribution.h - One network over the ranks of a run -----*- C++ -*-===//
//
// How a Network is spread over the processes of a Comm (docs/distributed.md):
//
// - Partition: rank r of K owns neurons [n r / K, n (r + 1) / K) of each
//   population of n neurons, integrates only those and, once built, keeps
//   only their state rows, but where kernels read a population at other
//   ranks' neurons or write it whole (Network::keptWhole): there what other
//   ranks own is a mirror, brought up to date only where a kernel reads
//   it. Generators (spike times, Poisson
//   sources) are drawn whole on every rank: their draws are keyed by
//   neuron, so every rank draws the same spikes. A Poisson drive's inputs
//   are drawn only for this rank's targets; their counts travel with the
//   spike counts.
// - Synapses live at their target: a stored projection is built as one
//   process builds it (every draw keyed by global indices) and keeps only
//   the synapses onto this rank's neurons, in the same order; a
//   procedural one draws a spiking source's synapses again and keeps those
//   onto this rank's neurons. Every target so receives the same events in
//   the same order as in one process, whatever K.
// - Spikes: the spike lists of this rank's neurons are exchanged
//   (MPI_Allgatherv) every `interval()` steps, the shortest delay of any
//   projection (every step, right after integration, when a delay is 0);
//   until then delivery needs only spikes older than the shortest delay,
//   which every rank has. The lists of a step reach the recorder once
//   exchanged.
// - Rows read remotely: before a kernel reads the source rows of a
//   projection (`pre.x`, modulators), the rows written since the last
//   exchange are gathered whole on every rank.
// - Recordings: spikes are whole on every rank and recorded on rank 0;
//   state samples are gathered to rank 0, which writes every file.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_DISTRIBUTION_H
#define NEURO_RUNTIME_DISTRIBUTION_H

#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/Model.h"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace neuro::rt {

class Network;
class Recorder;

class Distribution {
public:
  /// How spikes travel: every rank's to every rank (MPI_Allgatherv), or
  /// each spike only to the ranks that hold a synapse of its source, and
  /// to rank 0, which records (MPI_Alltoallv).
  enum class Exchange { Allgatherv, Alltoallv };

  /// `overlap`: spikes travel while the next steps run, where the
  /// shortest delay allows (overlapped()).
  Distribution(Comm &comm, const ModelSpec &model, Exchange exchange,
               bool overlap = true);

  Comm &comm;

  /// The exchange NEURO_MPI_EXCHANGE names (allgatherv, the default, or
  /// alltoallv); false and `err` for another value.
  static bool exchangeFromEnvironment(Exchange &out, std::string &err);
  static const char *name(Exchange exchange);
  Exchange exchangeKind() const { return exchange; }
  /// Bytes of spikes and spike counts this rank has received.
  int64_t receivedBytes() const { return spikeBytes; }

  /// The first neuron rank `rank` owns of a population of `n`.
  static int64_t blockStart(int64_t n, int rank, int ranks) {
    return n * rank / ranks;
  }
  /// The neurons of population `p` this rank owns: [begin, end).
  int64_t begin(size_t p) const;
  int64_t end(size_t p) const;

  //===--------------------------------------------------------------------===//
  // Building
  //===--------------------------------------------------------------------===//

  /// Keeps of stored projection `j` (built whole) only the synapses onto
  /// this rank's neurons, in their order, and remembers the whole
  /// projection's index of those a state record samples.
  void localize(Network &net, size_t j);
  /// For a projection built at this rank's targets alone
  /// (Network::builtAtTargets), its CSR by source of this rank's synapses just
  /// drawn: the whole projection's CSR index of each row's first synapse
  /// (wholeRowStart: the synapses of the same source on the ranks before,
  /// and of the sources before on all) and its size. Collective.
  void keyRows(Network &net, size_t j);
  /// Once such a projection is grouped: the same delay groups on every
  /// rank (empty where this rank has none of a delay), and, when a state
  /// record samples it, the whole projection's index of each synapse.
  /// Collective.
  void finishRows(Network &net, size_t j);
  /// For groupSynapses of such a projection: `byDelay` ([delay][source +
  /// 1] synapse counts, empty where this rank has none of that delay)
  /// gets an empty group for each delay some other rank has. Collective.
  void agreeDelays(std::vector<std::vector<int64_t>> &byDelay, int64_t nSrc);
  /// For each delay (in steps), how many processes have synapses of it,
  /// given here[d] != 0 where this one does. Collective.
  std::vector<int64_t> delaysAnywhere(std::vector<int64_t> here);
  /// Once a projection read from a file at this rank's targets alone
  /// (Network::Projection::readAtTargets) is grouped by delay: an empty
  /// group for each delay that only other ranks have, so that every rank
  /// has the same groups. Collective.
  void agreeGroups(Network &net, size_t j);
  /// Where each synapse of stored projection `j` held here lies in the
  /// whole projection's order (the order one process keeps): delay group
  /// by delay group, source by source, each source's synapses stably by
  /// target. Every process must have the same delay groups. Collective
  /// over `comm` (null: one process).
  static std::vector<int64_t> wholeSlots(const Network &net, size_t j,
                                         Comm *comm);
  /// Once every projection is built: the spike exchange interval, rings
  /// long enough for it, and on rank 0 the ends of recorded synapses.
  void finishBuild(Network &net, Recorder &recorder);
  /// The spike exchange interval in steps (0: right after integration).
  int64_t interval() const { return exchangeInterval; }

  //===--------------------------------------------------------------------===//
  // Steps
  //===--------------------------------------------------------------------===//

  /// After integration of step k: the rows of every population changed;
  /// with an interval of 0 the spikes are exchanged now.
  void afterIntegration(Network &net, int64_t k);
  /// The end of step k: its spikes are exchanged when due, and the spikes
  /// of every exchanged step go to the recorder.
  void endStep(Network &net, Recorder &recorder, int64_t k);
  /// Exchanges every step not yet exchanged (the end of a run, a sync).
  void flush(Network &net, Recorder &recorder);
  /// For a backend that keeps its spike lists elsewhere (a GPU): the
  /// lists of steps [first, end) in the rings, of this rank's neurons,
  /// exchanged now (whole in the rings afterwards), then to the recorder.
  /// Collective.
  void exchangeSteps(Network &net, Recorder &recorder, int64_t first,
                     int64_t end);
  /// Population `p`'s rows were written here.
  void touch(size_t p) { stale[p] = true; }
  /// Whether population `p`'s rows were written since they were last
  /// gathered (prepare() would gather them).
  bool isStale(size_t p) const { return stale[p]; }
  /// Before projection `j`'s kernels run: the rows they read of other
  /// ranks' neurons (its source's, its modulators') brought up to date.
  void prepare(Network &net, size_t j);
  /// The spikes of `list` (a whole population's, ascending) of neurons
  /// this rank owns: [first, last).
  void ownSpikes(size_t p, const std::vector<int32_t> &list,
                 const int32_t *&first, const int32_t *&last) const;

  //===--------------------------------------------------------------------===//
  // Recordings
  //===--------------------------------------------------------------------===//

  /// State record `r` sampled at the start of step k, gathered on rank 0
  /// into `recorder`.
  void sample(Network &net, Recorder &recorder, size_t r, int64_t k);

  /// Steps between the starts of two overlapped exchanges (0: each
  /// exchange blocks, every interval() steps).
  int64_t overlapped() const { return overlapInterval; }
  /// Whether NEURO_MPI_OVERLAP lets exchanges overlap the steps (unset or
  /// 1: yes; 0: no); false and `err` for another value.
  static bool overlapFromEnvironment(bool &out, std::string &err);

private:
  /// An exchange of the spikes of some steps: what this rank sends (and to
  /// whom), the counts of every list from every rank, what it receives,
  /// and the collectives under way (counts, then spikes), or `blocking`:
  /// done at once by the blocking collectives.
  struct Flight {
    bool blocking = false;
    std::vector<int64_t> steps;
    std::vector<int32_t> send, recv;
    std::vector<int64_t> counts, allCounts, sendTotals, totals;
    Comm::Request countsDone, spikesDone;
  };
  void exchangeRows(Network &net, size_t p);
  /// The spikes of the pending steps, from every rank, into every ring
  /// (all of them, or with Alltoallv those this rank needs), after those
  /// under way; blocking.
  void exchangeSpikes(Network &net);
  /// This rank's spikes of `f`'s steps, and their counts per list.
  void pack(Network &net, Flight &f);
  /// Starts the exchange of the counts.
  void startCounts(Flight &f);
  /// Once the counts are in: starts the exchange of the spikes.
  void startSpikes(Flight &f);
  /// Once the spikes are in: every rank's lists into the rings.
  void unpack(Network &net, Flight &f);
  /// Overlapped, at the end of an interval: the oldest exchange finishes,
  /// the next sends its spikes, and the pending steps' counts set out.
  void advanceFlights(Network &net);
  /// Finishes every exchange under way, oldest first.
  void finishFlights(Network &net);
  /// Alltoallv: which ranks need the spikes of each neuron this rank owns.
  void planTargets(const Network &net);
  /// The spikes of the exchanged steps to the recorder.
  void record(Network &net, Recorder &recorder);

  const ModelSpec &model;
  /// By population, the first neuron of each rank and the end.
  std::vector<std::vector<int64_t>> starts;
  std::vector<bool> stale;
  int64_t exchangeInterval = 1;
  bool overlap = true;
  int64_t overlapInterval = 0;
  /// The populations whose spikes are exchanged (not generators), and the
  /// Poisson drives, whose inputs each process draws for its own targets
  /// and whose counts are exchanged.
  std::vector<size_t> spiking, drives;
  /// Entries of a flight's counts per process: a count per list, then one
  /// per step and drive.
  size_t countsWidth(const Flight &f) const;
  /// Exchanges under way, oldest first (at most two), and the blocking one.
  std::deque<Flight> flights;
  Flight now;
  /// Steps whose spikes are not exchanged yet, and those exchanged but not
  /// yet recorded, with the inputs of each drive in them over all processes.
  std::vector<int64_t> pending;
  std::vector<std::pair<int64_t, std::vector<int64_t>>> exchanged;
  /// By state record of synapses: this rank's synapses it samples, and on
  /// rank 0 where each gathered value goes in the record's range.
  std::vector<std::vector<int64_t>> recordedSynapses;
  std::vector<std::vector<int64_t>> gatheredSlots;
  std::vector<double> packed, gathered, sampleValues;
  Exchange exchange;
  int64_t spikeBytes = 0;
  /// Alltoallv, by population: whether rank q needs the spikes of the
  /// i-th neuron this rank owns, at [i * K + q].
  std::vector<std::vector<uint8_t>> wanted;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_DISTRIBUTION_H
