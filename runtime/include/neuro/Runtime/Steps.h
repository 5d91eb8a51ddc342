//===- Steps.h - Instants as steps, as Brian2 counts them -------*- C++ -*-===//
//
// Times that are not a whole number of steps count as in Brian2. An instant
// (a spike time, the length of a refractory period) lands in the step that
// holds it, as Brian2's timestep() puts it: floor((t + 1e-3 dt) / dt),
// in that order of operations, so that an instant near the shifted edge
// of a step rounds as in Brian2; the shift keeps a multiple of dt that the
// division leaves just below a whole number in its own step. A run lasts the
// steps that cover its duration, as Brian2's Clock counts them.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_STEPS_H
#define NEURO_RUNTIME_STEPS_H

#include <cmath>

namespace neuro::rt {

/// The step holding instant `t` >= 0 at `dt`, as a double (callers bound
/// it before converting).
inline double stepOf(double t, double dt) {
  return std::floor((t + 1e-3 * dt) / dt);
}

/// The steps of a run of `seconds` >= 0 at `dt`: round(seconds / dt) when
/// that is within 1e-4 dt of it, else the steps that cover it (a run never
/// ends before its time), as a double (callers bound it before converting).
inline double runSteps(double seconds, double dt) {
  double n = std::round(seconds / dt);
  if (std::abs(n * dt - seconds) <= 1e-4 * dt)
    return n;
  return std::ceil(seconds / dt);
}

/// Whether interval `t` > 0 is a whole number of steps of `dt` (to 1e-9
/// of it): what samples or a table at its multiples need to stay on the
/// step grid (records' `every`, timed tables).
inline bool onStepGrid(double t, double dt) {
  return std::abs(std::round(t / dt) * dt - t) <= 1e-9 * t;
}

} // namespace neuro::rt

#endif // NEURO_RUNTIME_STEPS_H
