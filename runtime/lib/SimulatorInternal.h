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

#include <cstdint>

namespace neuro::rt::detail {

/// Fills `nCols` values starting at `dst` from `init`; random draws come
/// from the Philox stream (seed, stream, column index). Normal values use
/// the Box-Muller transform of the first two uniforms of the column.
void fillRow(double *dst, int64_t nCols, const InitSpec &init, uint64_t seed,
             uint32_t stream);
/// Row `step / every` (the last after the end) of a timed table.
void fillTimedRow(double *dst, int64_t nCols, const InitSpec &init,
                  int64_t step);

} // namespace neuro::rt::detail

#endif // NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H
