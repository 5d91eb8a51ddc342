//===- RunInternal.h - How runModel runs its steps --------------*- C++ -*-===//
//
// The run of `neuroc run` and built programs goes in slices of steps:
// between them a signal (SIGINT, SIGTERM) can stop it with everything
// recorded written, and one process shows its progress. RunSlices.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_RUNINTERNAL_H
#define NEURO_RUNTIME_RUNINTERNAL_H

#include <csignal>
#include <cstdint>
#include <ostream>
#include <string>

namespace neuro::rt {
class Comm;
class Simulator;

namespace detail {

/// The signal (SIGINT, SIGTERM) that asked a run to stop, or 0.
extern volatile std::sig_atomic_t stopSignal;

/// While a run goes: SIGINT and SIGTERM stop it at the end of a slice of
/// steps, so that what was recorded is written and said; the handlers
/// before come back after it.
class StopOnSignals {
public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals &) = delete;
  StopOnSignals &operator=(const StopOnSignals &) = delete;

private:
  struct sigaction oldInt = {}, oldTerm = {};
};

/// One process: runs `steps` steps in slices of about a quarter of a
/// second, showing progress once `after` seconds of wall time have
/// passed; false and `err` where a step fails or a signal asked the run to
/// stop.
bool runWithProgress(Simulator &sim, int64_t steps, double after,
                     std::ostream &errs, std::string &err);

/// The processes of a distributed run: `steps` steps in slices of a fixed
/// number of steps, all processes together, agreeing after each whether a
/// signal reached any of them (mpirun forwards it to some or all); false
/// and `err` where a step fails or the run stops, then `stoppedBy` the
/// signal that stopped it, the same on every process (else 0).
bool runTogether(Simulator &sim, Comm &comm, int64_t steps, int &stoppedBy,
                 std::string &err);

} // namespace detail
} // namespace neuro::rt

#endif // NEURO_RUNTIME_RUNINTERNAL_H
