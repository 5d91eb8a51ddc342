//===- SimulatorInternal.h - Helpers of the Simulator's files --*- C++ -*-===//
//
// The filling of rows from their InitSpec, used by the files that build,
// step and restore a network, with the memref descriptors over its
// buffers (MemRef.h).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H
#define NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H

#include "neuro/Runtime/MemRef.h"
#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Philox.h"

#include <cmath>
#include <cstdint>
#include <vector>

namespace neuro::rt::detail {

/// Value `c` of a row that `init` (a constant, uniform or normal draw, not
/// Timed) fills: draws come from the Philox stream (seed, stream, c); a
/// normal value is the Box-Muller transform of its first two uniforms.
inline double initValue(const InitSpec &init, uint64_t seed, uint32_t stream,
                        int64_t c) {
  if (init.kind == InitSpec::Constant)
    return init.a;
  PhiloxStream rng(seed, stream, uint64_t(c));
  if (init.kind == InitSpec::Normal) {
    const double twoPi = 6.283185307179586;
    double u1 = 1.0 - rng.nextUniform(); // (0, 1]: log is finite
    double u2 = rng.nextUniform();
    return init.a +
           init.b * std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
  }
  return init.a + (init.b - init.a) * rng.nextUniform();
}

/// "delay D s is N steps, more than the 16777216 a delay may have".
std::string tooLongDelay(double seconds, double dt);

/// The error for the drawn delay of synapse `id` (CSR order) of projection
/// `j`, too long.
std::string drawnDelayError(const ModelSpec &model, size_t j, int64_t id);

/// The delay groups of `proj` (its delays, row pointers and groupOf, the
/// group of each delay) from `byDelay`, the synapses of each [delay][source
/// + 1] (empty: none of that delay), one group after the other; with
/// `wholeByDelay`, the whole projection's counts likewise into `wholePtrs`.
/// Returns the synapses placed.
int64_t placeDelayGroups(Network::Projection &proj, int64_t nSrc,
                         std::vector<std::vector<int64_t>> &byDelay,
                         std::vector<std::vector<int64_t>> *wholeByDelay,
                         std::vector<std::vector<int64_t>> *wholePtrs);

/// Whether the synapses of `spec`, their values and delays are drawn per
/// source (fixed probability, out-degree, one-to-one; values and delays
/// constants or draws): Network::connectByRows can then build it.
bool drawnPerSource(const ProjectionSpec &spec);

/// Fills `nCols` values starting at `dst` from `init`; random draws come
/// from the Philox stream (seed, stream, column index). Normal values use
/// the Box-Muller transform of the first two uniforms of the column.
void fillRow(double *dst, int64_t nCols, const InitSpec &init, uint64_t seed,
             uint32_t stream);
/// Row `step / every` (the last after the end) of a timed table, its
/// columns [first, first + nCols) (or its one column).
void fillTimedRow(double *dst, int64_t first, int64_t nCols,
                  const InitSpec &init, int64_t step);

} // namespace neuro::rt::detail

#endif // NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H
