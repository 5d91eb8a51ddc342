//===- Run.h - Build, run and report a compiled network ---------*- C++ -*-===//
//
// What `neuroc run` and executables from `neuroc build` do once the kernels
// are bound: build the network, run it, write the recordings (also when the
// run stops early) and print the summary, as text or one JSON object.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_RUN_H
#define NEURO_RUNTIME_RUN_H

#include "neuro/Runtime/Model.h"
#include "neuro/Runtime/SpikeSink.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace neuro::rt {

class Comm;
class Simulator;

struct RunOptions {
  std::string outDir = "neuro_out";
  bool json = false;
  std::optional<uint64_t> seed;
  /// Simulated time in seconds instead of the model's (rounded to steps).
  std::optional<double> duration;
  unsigned threads = 0; ///< 0: automatic (Simulator::setThreads)
  /// Prefix of errors without a source ("neuroc", the executable's name).
  std::string program = "neuroc";
  /// Prefix of errors of the run itself (the model's file).
  std::string source;
  /// The files the model read (its tables and spike times), which no
  /// recording may replace.
  std::vector<std::string> inputs;
  /// Seconds spent before the simulator, reported as parse+compile.
  double tCompile = 0;
  /// Reported as "cache" in JSON when not empty ("hit", "miss", "off").
  std::string cache;
  /// A progress line on `err` (simulated time, ETA, real-time factor) once
  /// the run has taken more than `progressAfter` seconds; by default
  /// (nullopt) when standard error is a terminal; true shows it from the
  /// start, false never (RunEnvironment::progress).
  std::optional<bool> progress;
  double progressAfter = 2.0;
  /// `--set POP.VAR=VALUE`: the starting value of a state or of a
  /// parameter built as a row, for every neuron of POP.
  std::vector<std::pair<std::string, std::string>> sets;
  /// Continue from this checkpoint (then run the duration again).
  std::string restore;
  /// Save a checkpoint here when the run ends.
  std::string checkpoint;
  /// Reports a failed build where the model says more than the runtime
  /// (the source line of the population or projection named); true when
  /// it did, else the runtime reports it. May be empty.
  std::function<bool(const std::string &err)> buildError;
  /// Called once the network is built, before it runs: moves the steps to
  /// another device (Simulator::setBackend); returns a description of the
  /// device ("device" in the summary), or nullopt and `err`.
  std::function<std::optional<std::string>(Simulator &, std::string &err)>
      attach;
  /// Spike files: `spikes_<population>.npy` when `npySpikes`, and the file
  /// `spikeSink` opens, if given (called once the network is built; null
  /// and `err` when it cannot), named `spikeSinkFile` in the summary.
  bool npySpikes = true;
  std::function<std::unique_ptr<SpikeSink>(const ModelSpec &, std::string &err)>
      spikeSink;
  std::string spikeSinkFile;
  /// The processes the run is spread over (Distribution.h; null: this
  /// one). Every process calls runModel alike; rank 0 prints and writes.
  Comm *processes = nullptr;
};

/// `s` as a JSON string literal (quotes and backslashes escaped).
std::string jsonString(const std::string &s);

/// Seconds from "2s", "500ms", "20 us", with any time unit of the language
/// (a bare number only if it is 0); false and `err` if malformed, not a
/// time, without a unit, or negative.
bool parseDuration(const std::string &text, double &seconds, std::string &err);

/// Applies `--set POP.VAR=VALUE` to the initial values of `spec`; false and
/// `err` for an unknown name, a malformed value, a value of another
/// dimension than the variable's or a bare number for a variable with a
/// dimension (units from the language's table, neuro/Runtime/Units.h), a
/// parameter compiled into the kernels, or one computed from others.
/// What applySet's messages advise where a run cannot set a value, NAME
/// standing for the variable, each read after "with": compile another
/// value in, keep it as a row (`tunable`), or build with a starting value
/// (`buildSet`). The command line's by default; the Python API gives its
/// own.
struct SetAdvice {
  std::string compileIn = "neuroc run --set NAME=VALUE";
  std::string tunable = "--tunable NAME when building";
  std::string buildSet = "--set NAME=VALUE when building";
  /// One of the above with NAME replaced.
  static std::string with(const std::string &text, const std::string &name);
};

bool applySet(ModelSpec &spec, const std::string &name,
              const std::string &value, std::string &err,
              const SetAdvice &advice = {});

/// The most steps a run may have, as for the `run` statements of a model.
constexpr int64_t kMaxSteps = 1000000000000;

/// `--seed`: digits only, 0 to 2^64 - 1; false and `err` otherwise (a
/// sign, a space, an overflow).
bool parseSeed(const std::string &text, uint64_t &seed, std::string &err);

/// What the environment says about runs, read once by the drivers (neuroc,
/// the programs neuroc build makes, the Python package), as
/// CompileOptions::fromEnvironment() is for compiling; the runtime's
/// functions read no environment variables.
struct RunEnvironment {
  /// NEURO_PROGRESS: 1 shows progress from the start, 0 never; unset:
  /// nullopt (on a terminal).
  std::optional<bool> progress;
  /// The most threads a run uses: the hardware threads, or
  /// NEURO_MAX_THREADS (1 to 65536).
  unsigned maxThreads = 1;
  /// Started by mpirun (or another MPI launcher): the processes of the
  /// launch run one network (Comm::init).
  bool launchedByMpi = false;
  /// Processes of the launch on this machine (threads are shared out).
  unsigned localProcesses = 1;
  /// This process's rank in the launch, as the launcher says it before MPI
  /// starts (0 without one): what only the first process says.
  uint64_t launchRank = 0;

  static RunEnvironment read();
};

/// Joins the processes of an MPI launch when `env` says there is one
/// (Comm::init) and spreads the run over them (`options.processes`; with
/// automatic threads, the machine's threads shared out among its
/// processes). False and `err` when MPI cannot start. The driver calls
/// Comm::finalize() before it exits.
bool joinProcesses(const RunEnvironment &env, RunOptions &options,
                   std::string &err);

/// A process of an MPI launch that fails before it joins the others (a
/// usage error, a bad device setting) joins them to fail with them: they
/// wait for it at their first agreement (Comm::agree), which then stops
/// every process, rank 0 saying why. Returns whether this process prints
/// `message` itself (no launch, or rank 0).
bool failBeforeJoining(const RunEnvironment &env, const std::string &message);

/// `--threads`: a whole number >= 1, capped at `most` with `note` saying
/// so (empty otherwise); false and `err` when malformed.
bool parseThreads(const std::string &text, unsigned most, unsigned &threads,
                  std::string &note, std::string &err);

/// The steps of `seconds` at `dt` (rt::runSteps, as Brian2 counts a
/// run), checked before converting:
/// false and `err` for a negative or non-finite duration or more than
/// kMaxSteps steps.
bool durationSteps(double seconds, double dt, int64_t &steps, std::string &err);

/// An exclusive lock of an output directory while the object lives, so
/// that two runs never write the same files: flock() on DIR/.neuro.lock
/// (the directory is created if need be). The lock file stays; the lock
/// goes with the process, however it ends.
class OutputLock {
public:
  static constexpr const char *kFileName = ".neuro.lock";
  OutputLock() = default;
  OutputLock(const OutputLock &) = delete;
  OutputLock &operator=(const OutputLock &) = delete;
  ~OutputLock();
  /// Takes the lock of `dir` without waiting; false and `err` when another
  /// process holds it ("another run is writing ...") or it cannot be made.
  bool acquire(const std::string &dir, std::string &err);

private:
  int fd = -1;
};

/// Builds, runs and reports `spec`; returns the exit status (0, or 1 after
/// printing an error to `err`).
int runModel(ModelSpec spec, const RunOptions &options, std::ostream &out,
             std::ostream &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_RUN_H
