//===- RunArgs.cpp - Checking the arguments of a run ----------------------===//
//
// The flags `neuroc run`, built programs and the REPL share: seeds and
// thread counts are read strictly (digits only, no wrap-around), thread
// counts are capped at the machine's, and durations are checked against
// the step limit of a model's `run` statements before they become steps.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"
#include "neuro/Runtime/Steps.h"

#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/ThreadPool.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

using namespace neuro::rt;

namespace {

/// `text` as a whole number of digits only; false if empty, signed,
/// spaced or above UINT64_MAX.
bool parseWhole(const std::string &text, uint64_t &value) {
  if (text.empty())
    return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    uint64_t digit = uint64_t(c - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return false;
    v = v * 10 + digit;
  }
  value = v;
  return true;
}

std::string general(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

bool neuro::rt::parseSeed(const std::string &text, uint64_t &seed,
                          std::string &err) {
  if (parseWhole(text, seed))
    return true;
  err = "--seed needs a whole number from 0 to 18446744073709551615, got " +
        quoted(text);
  return false;
}

RunEnvironment RunEnvironment::read() {
  RunEnvironment env;
  if (const char *v = std::getenv("NEURO_PROGRESS"))
    env.progress = std::string(v) != "0";
  env.maxThreads = ThreadPool::hardwareThreads();
  // OpenMPI's, PMIx's and MPICH/Slurm's launchers.
  for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    env.launchedByMpi |= std::getenv(v) != nullptr;
  for (const char *v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char *rank = std::getenv(v); rank && !env.launchRank)
      parseWhole(rank, env.launchRank);
  if (const char *v = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) {
    uint64_t n = 0;
    if (parseWhole(v, n) && n >= 1)
      env.localProcesses = unsigned(std::min<uint64_t>(n, 1u << 16));
  }
  if (const char *v = std::getenv("NEURO_MAX_THREADS")) {
    uint64_t n = 0;
    if (parseWhole(v, n) && n >= 1)
      env.maxThreads = unsigned(std::min<uint64_t>(n, 1u << 16));
  }
  return env;
}

bool neuro::rt::parseThreads(const std::string &text, unsigned most,
                             unsigned &threads, std::string &note,
                             std::string &err) {
  uint64_t n = 0;
  note.clear();
  if (!parseWhole(text, n) || n < 1) {
    err = "--threads needs a whole number >= 1, got " + quoted(text);
    return false;
  }
  if (n > most) {
    note = "--threads " + text + " is more than the " + std::to_string(most) +
           " threads a run may use here (the hardware threads, or "
           "NEURO_MAX_THREADS); running on " +
           std::to_string(most);
    n = most;
  }
  threads = unsigned(n);
  return true;
}

bool neuro::rt::durationSteps(double seconds, double dt, int64_t &steps,
                              std::string &err) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) {
    err = "the duration must be finite and >= 0";
    return false;
  }
  // In double before any conversion: 1e15 s is no int64 of steps.
  double n = runSteps(seconds, dt);
  if (!(n <= double(kMaxSteps))) {
    std::string limit = general(double(kMaxSteps));
    err = "the duration " + general(seconds) + " s is " +
          (std::isfinite(n) ? general(n) + " steps of dt = " + general(dt) +
                                  " s, more than the " + limit
                            : "more than the " + limit +
                                  " steps of dt = " + general(dt) + " s") +
          " a run may have";
    return false;
  }
  steps = int64_t(n);
  return true;
}

bool neuro::rt::joinProcesses(const RunEnvironment &env, RunOptions &options,
                              std::string &err) {
  if (!env.launchedByMpi)
    return true;
  if (!Comm::init(true, err))
    return false;
  options.processes = &Comm::world();
  if (options.threads == 0 && env.localProcesses > 1)
    options.threads = std::max(1u, env.maxThreads / env.localProcesses);
  return true;
}

bool neuro::rt::failBeforeJoining(const RunEnvironment &env,
                                  const std::string &message) {
  std::string err;
  if (!env.launchedByMpi || !Comm::init(true, err))
    return true;
  Comm &world = Comm::world();
  bool root = world.root();
  std::string why = message;
  world.agree(false, why);
  Comm::finalize();
  // mpirun ends the job when a process fails: the others wait for rank 0
  // to say why and fail first, else it could be ended before it speaks.
  if (!root)
    std::this_thread::sleep_for(std::chrono::seconds(10));
  return root;
}
