//===- RunSlices.cpp - A run in slices: progress, signals -----------------===//
//
// Between slices of steps a run looks at the signals that asked it to stop
// (and, over several processes, agrees on them) and shows its progress.
//
//===----------------------------------------------------------------------===//

#include "RunInternal.h"

#include "neuro/Runtime/Comm.h"
#include "neuro/Runtime/Simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace neuro::rt;

volatile std::sig_atomic_t detail::stopSignal = 0;

namespace {

void onStopSignal(int sig) { detail::stopSignal = sig; }

std::string stoppedMessage(int sig, const Simulator &sim) {
  return std::string("stopped by ") +
         (sig == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM") +
         " at t = " + std::to_string(sim.currentTime()) + " s";
}

} // namespace

detail::StopOnSignals::StopOnSignals() {
  stopSignal = 0;
  struct sigaction on = {};
  on.sa_handler = onStopSignal;
  sigemptyset(&on.sa_mask);
  ::sigaction(SIGINT, &on, &oldInt);
  ::sigaction(SIGTERM, &on, &oldTerm);
}

detail::StopOnSignals::~StopOnSignals() {
  ::sigaction(SIGINT, &oldInt, nullptr);
  ::sigaction(SIGTERM, &oldTerm, nullptr);
}

bool detail::runWithProgress(Simulator &sim, int64_t steps, double after,
                             std::ostream &errs, std::string &err) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  int64_t done = 0, slice = 100;
  bool shown = false;
  double dt = sim.spec().dt;
  while (done < steps) {
    int64_t n = std::min(slice, steps - done);
    auto t0 = clock::now();
    if (!sim.run(n, err)) {
      if (shown)
        errs << "\n";
      return false;
    }
    done += n;
    if (stopSignal && done < steps) {
      if (shown)
        errs << "\n";
      err = stoppedMessage(stopSignal, sim);
      return false;
    }
    double took = std::chrono::duration<double>(clock::now() - t0).count();
    slice = std::clamp<int64_t>(
        took > 0 ? int64_t(double(n) * 0.25 / took) : slice * 4, 1, 1 << 24);
    double wall = std::chrono::duration<double>(clock::now() - start).count();
    if (wall < after || done == steps)
      continue;
    double simulated = double(done) * dt, total = double(steps) * dt;
    double eta = wall * double(steps - done) / double(done);
    int width = 24, filled = int(double(width) * double(done) / double(steps));
    char line[160];
    std::snprintf(line, sizeof(line),
                  "\r[%-*s] %3d%%  %.4g of %.4g s simulated, ETA %.1f s, "
                  "%.3gx real time",
                  width, std::string(size_t(filled), '=').c_str(),
                  int(100.0 * double(done) / double(steps)), simulated, total,
                  eta, simulated / wall);
    errs << line << std::flush;
    shown = true;
  }
  if (shown)
    errs << "\r\033[K" << std::flush;
  return true;
}

bool detail::runTogether(Simulator &sim, Comm &comm, int64_t steps,
                         int &stoppedBy, std::string &err) {
  stoppedBy = 0;
  // A slice's length may not follow each process's clock: every process
  // must agree after the same step. 1000 steps: 0.1 s simulated at the
  // usual dt, one allreduce per slice.
  const int64_t slice = 1000;
  int64_t done = 0;
  while (done < steps) {
    int64_t n = std::min(slice, steps - done);
    if (!sim.run(n, err))
      return false;
    done += n;
    int sig = int(comm.max(double(stopSignal)));
    if (sig && done < steps) {
      stoppedBy = sig;
      err = stoppedMessage(sig, sim);
      return false;
    }
  }
  return true;
}
