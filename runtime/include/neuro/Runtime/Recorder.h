//===- Recorder.h - Spike and state monitors and their files ----*- C++ -*-===//
//
// What a Simulator records of its network: per population the spikes
// emitted (counted always, kept when the population is recorded), per
// state record (StateRecordSpec) the samples of its rows, and the files
// they go to: `spikes_<population>.npy`, `<owner>_<var>.npy` with
// `<owner>_t.npy` (and `_pre`/`_post` for synapse recordings) and
// `recordings.json`, written at the end or streamed while the run goes
// (flushed every few MiB and at least every second).
//
// The backend hands over each step's spike lists in phase (5) of the step
// (addSpikes) and takes the state samples at the start of a step (sample,
// or, for a device that stages them, stateRecording).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_RECORDER_H
#define NEURO_RUNTIME_RECORDER_H

#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/Npy.h"
#include "neuro/Runtime/SpikeSink.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt {

class Network;

/// The file prefix of each state record of `model`: its owner's name for
/// the owner's first recording; for further ones (added from the host,
/// where a population may have several) `<owner>_2`, `<owner>_3`, ...,
/// skipping names of populations and projections and prefixes taken, so
/// that no file of one recording overwrites another's.
std::vector<std::string> stateRecordPrefixes(const ModelSpec &model);

class Recorder {
public:
  /// The monitors of `model` over `net`; both outlive the recorder.
  Recorder(const ModelSpec &model, const Network &net)
      : model(model), net(net) {}
  Recorder(const Recorder &) = delete;
  Recorder &operator=(const Recorder &) = delete;

  /// The samples of one StateRecordSpec: the sample times and the values,
  /// [sample][row of the record][neuron in the range], flattened.
  struct StateRecording {
    std::vector<double> times;
    std::vector<double> values;
    /// The neurons or synapses recorded, [begin, end) (synapse ranges
    /// clipped to the projection's synapses when built).
    int64_t begin = 0, end = 0;
    /// Synapse records: the source and target of each synapse in the
    /// range, when set by setSynapseEnds.
    std::vector<int64_t> pre, post;
  };

  /// Forgets every monitor and what was recorded; state recordings stay,
  /// one (empty) per StateRecordSpec. Streams are kept.
  void clear();
  /// The monitors of the model for the network just built: spike monitors
  /// of its `record spikes`, the ranges of its state records.
  void build();

  //===--------------------------------------------------------------------===//
  // Spikes
  //===--------------------------------------------------------------------===//

  /// Phase (5): the spikes of population `pop` in step k (ascending) are
  /// counted and, if the population is recorded, kept with the time
  /// (k + 1) * dt, the end of the step in which the threshold was crossed.
  void addSpikes(size_t pop, int64_t k, const std::vector<int32_t> &list);
  int64_t spikeCount(size_t pop) const { return spikeMonitors[pop].count; }
  /// Counts `n` spikes of `pop` not listed here (a Poisson drive's inputs
  /// drawn by other processes).
  void countSpikes(size_t pop, int64_t n) { spikeMonitors[pop].count += n; }
  void setSpikeCount(size_t pop, int64_t count) {
    spikeMonitors[pop].count = count;
  }
  size_t numPopulations() const { return spikeMonitors.size(); }
  bool isRecorded(size_t pop) const { return spikeMonitors[pop].recorded; }
  /// Records the spikes of neurons [begin, end) of `pop` from now on (end
  /// -1: to the last neuron).
  void recordSpikes(size_t pop, int64_t begin = 0, int64_t end = -1);
  /// The neurons whose spikes are recorded, [first, second).
  std::pair<int64_t, int64_t> recordedRange(size_t pop) const {
    return {spikeMonitors[pop].begin, spikeMonitors[pop].end};
  }
  /// Recorded spikes not yet written to a stream.
  const std::vector<SpikeRecord> &spikes(size_t pop) const {
    return spikeMonitors[pop].spikes;
  }

  //===--------------------------------------------------------------------===//
  // States
  //===--------------------------------------------------------------------===//

  /// Appends state record `r`'s sample of step k, from the rows the
  /// kernels update (float32 ones widen exactly).
  void sample(size_t r, int64_t k);
  /// The samples of state record `r` (a device appends staged samples).
  StateRecording &stateRecording(size_t r) { return stateRecordings[r]; }
  const StateRecording &stateRecording(size_t r) const {
    return stateRecordings[r];
  }
  /// Appends state record `r`'s sample of step k given as `values`,
  /// [row of the record][neuron or synapse in the range] (samples gathered
  /// from other processes, Distribution.h).
  void appendSample(size_t r, int64_t k, const double *values);
  /// The source and target of each synapse state record `r` samples, when
  /// this process does not hold them all (Distribution.h).
  void setSynapseEnds(size_t r, std::vector<int64_t> pre,
                      std::vector<int64_t> post);
  /// Over several processes, every rank but rank 0 only counts spikes:
  /// what is recorded is kept (and written) where `keep` was left true.
  void keepRecordings(bool keep) { keeping = keep; }
  /// A recording for the StateRecordSpec just added to the model.
  void addStateRecording(int64_t begin, int64_t end);

  /// Forgets the spikes and samples recorded from step `step` on (a
  /// restored checkpoint of that step: what came before it stays, what a
  /// run past it recorded goes).
  void dropFrom(int64_t step);
  /// The folder recordings stream to; empty when they do not.
  const std::string &streamFolder() const { return streamDir; }
  /// Takes over what `old` recorded (a network rebuilt in its place,
  /// Simulator::adoptState): the spikes of each population of the same name
  /// whose spikes both record, of the neurons recorded now; the samples of
  /// each state record of the same owner, variables and interval (of a
  /// population's: of the neurons recorded now, NaN where the old record
  /// had no such neuron; of a projection's: only where its synapses are
  /// the same, `sameSynapses[j]`, NaN for synapses not recorded then). Each
  /// recording left behind in part or whole is described in `lost`, one
  /// sentence each, so that nothing recorded goes without a word.
  void adoptRecordings(const Recorder &old,
                       const std::vector<bool> &sameSynapses,
                       std::vector<std::string> &lost);

  //===--------------------------------------------------------------------===//
  // Files
  //===--------------------------------------------------------------------===//

  /// Where streamed spikes go (before streamTo): `spikes_<population>.npy`
  /// when `npy`, and `sink` when given (see SpikeSink.h). Files written at
  /// the end without streaming (writeSpikes) are always .npy.
  void setSpikeOutput(bool npy, std::unique_ptr<SpikeSink> sink);
  /// Flushes and closes the sink, if any; false and `err` when it fails.
  bool closeSpikeSink(std::string &err);
  /// See Simulator::streamTo.
  bool streamTo(const std::string &dir, std::string &err);
  /// See Simulator::checkOutputs.
  bool checkOutputs(const std::string &dir,
                    const std::vector<std::string> &inputs, std::string &err,
                    const std::string &checkpoint = {}) const;
  bool isStreaming() const { return !streamDir.empty(); }
  /// Whether a write to the streamed files failed (their files were cut
  /// back to the last complete flush and take nothing more).
  bool writeFailed() const { return streamFailed; }
  /// Whether the streams are due for a flush: every few MiB buffered, and
  /// at least every second of wall time.
  bool flushDue() const;
  /// Appends what is buffered to the streamed files and syncs them.
  bool flush(std::string &err);
  /// See Simulator::writeSpikes and Simulator::writeStates.
  bool writeSpikes(const std::string &dir, std::string &err);
  /// The steps simulated so far, which files written next report.
  void setStepsDone(int64_t steps) { stepsDone = steps; }
  bool writeStates(const std::string &dir, std::string &err);

private:
  struct SpikeMonitor {
    int64_t count = 0;
    bool recorded = false;
    int64_t begin = 0, end = 0; ///< the neurons recorded
    std::vector<SpikeRecord> spikes;
  };

  /// `<base>/<prefix>pre.npy` and `post.npy` of synapse record `r`.
  bool writeSynapseEnds(const std::string &base, const std::string &prefix,
                        size_t r, std::string &err) const;
  /// The name and the row names of what a state record samples: a
  /// projection's or a population's.
  const std::string &recordOwner(const StateRecordSpec &rec) const;
  /// "v, w of 'E'", and "v in V", ... (RecorderAdopt.cpp).
  std::string describe(const StateRecordSpec &rec) const;
  std::vector<std::string> rowsAndUnits(const StateRecordSpec &rec) const;
  void adoptSpikeRecordings(const Recorder &old,
                            std::vector<std::string> &lost);
  /// `from`'s samples in `to`'s range of neurons, NaN where `from` has none.
  static void layOut(const StateRecording &from, StateRecording &to,
                     size_t rows);
  const std::vector<std::string> &recordRows(const StateRecordSpec &rec) const;
  /// `<base>/recordings.json`: what the recorded files hold.
  /// False and `err` when two recordings would write one file name
  /// (`spikes_E.npy`: the spikes of E, and state E of a population named
  /// `spikes`).
  bool
  checkFileNames(std::string &err,
                 std::map<std::string, std::string> *files = nullptr) const;
  bool writeRecordingsJson(const std::string &base, std::string &err) const;
  /// Bytes of recordings buffered since the last flush.
  size_t bufferedBytes() const;

  /// Small enough that a streamed run reuses the buffer's pages while they
  /// are in the cache.
  static constexpr size_t kFlushBytes = size_t(1) << 20;
  static constexpr double kFlushSeconds = 1.0;

  const ModelSpec &model;
  const Network &net;
  /// The steps simulated when the files are written (recordings.json's
  /// "steps"); -1: the model's. A streamed run rewrites recordings.json
  /// when it flushes after more steps than the file says.
  int64_t stepsDone = -1;
  mutable int64_t stepsWritten = -1;
  bool keeping = true;
  std::vector<SpikeMonitor> spikeMonitors; ///< by population
  std::vector<int> recordedOrder; ///< recorded populations, first mention
  std::vector<StateRecording> stateRecordings; ///< by StateRecordSpec
  std::string streamDir;
  bool streamFailed = false;
  std::vector<std::unique_ptr<NpyStream>> spikeStreams; ///< by population
  bool npySpikes = true;
  std::unique_ptr<SpikeSink> spikeSink;
  /// The file spikeSink writes, kept after it is closed.
  std::string spikeSinkFile;
  /// Per state record: the times, then one stream per recorded row.
  std::vector<std::vector<std::unique_ptr<NpyStream>>> stateStreams;
  std::chrono::steady_clock::time_point lastFlush;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_RECORDER_H
