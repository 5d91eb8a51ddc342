//===- SimulatorInternal.h - Helpers of the Simulator's files --*- C++ -*-===//
//
// Memref descriptors over the Simulator's buffers (never a null pointer,
// even for an empty buffer) and the filling of rows from their InitSpec,
// used by the files that build, step, record and restore a network.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H
#define NEURO_RUNTIME_LIB_SIMULATORINTERNAL_H

#include "neuro/Runtime/Simulator.h"

#include <cstdint>

namespace neuro::rt::detail {

// Kernels must never see a null pointer, even for an empty buffer.
alignas(kBufferAlignment) inline double dummyF64[8];
alignas(kBufferAlignment) inline int64_t dummyI64[8];
alignas(kBufferAlignment) inline int32_t dummyI32[16];
alignas(kBufferAlignment) inline int8_t dummyI8[64];

template <typename T> T *orDummy(T *p, T *dummy) { return p ? p : dummy; }

inline NeuroMemRef2DF64 memref2D(double *data, int64_t rows, int64_t cols) {
  double *p = orDummy(data, dummyF64);
  return {p, p, 0, {rows, cols}, {cols, 1}};
}

inline NeuroMemRefI8 memref1D(int8_t *data, int64_t size) {
  int8_t *p = orDummy(data, dummyI8);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefI32 memref1D(int32_t *data, int64_t size) {
  int32_t *p = orDummy(data, dummyI32);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefI64 memref1D(int64_t *data, int64_t size) {
  int64_t *p = orDummy(data, dummyI64);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefF64 memref1D(double *data, int64_t size) {
  double *p = orDummy(data, dummyF64);
  return {p, p, 0, size, 1};
}

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
