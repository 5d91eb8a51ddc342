//===- MemRef.h - Descriptors over runtime buffers for kernels --*- C++ -*-===//
//
// The memref descriptors (ABI.h) the runtime passes to compiled kernels,
// made over its buffers. A kernel never sees a null pointer, even for an
// empty buffer: those get a small aligned dummy instead.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_MEMREF_H
#define NEURO_RUNTIME_MEMREF_H

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/AlignedAllocator.h"

#include <cstdint>

namespace neuro::rt {

namespace detail {
alignas(kBufferAlignment) inline double dummyF64[8];
alignas(kBufferAlignment) inline int64_t dummyI64[8];
alignas(kBufferAlignment) inline int32_t dummyI32[16];
alignas(kBufferAlignment) inline int8_t dummyI8[64];

template <typename T> T *orDummy(T *p, T *dummy) { return p ? p : dummy; }
} // namespace detail

/// A [rows][cols] row-major view of `data`.
inline NeuroMemRef2DF64 memref2D(double *data, int64_t rows, int64_t cols) {
  double *p = detail::orDummy(data, detail::dummyF64);
  return {p, p, 0, {rows, cols}, {cols, 1}};
}

inline NeuroMemRefI8 memref1D(int8_t *data, int64_t size) {
  int8_t *p = detail::orDummy(data, detail::dummyI8);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefI32 memref1D(int32_t *data, int64_t size) {
  int32_t *p = detail::orDummy(data, detail::dummyI32);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefI64 memref1D(int64_t *data, int64_t size) {
  int64_t *p = detail::orDummy(data, detail::dummyI64);
  return {p, p, 0, size, 1};
}

inline NeuroMemRefF64 memref1D(double *data, int64_t size) {
  double *p = detail::orDummy(data, detail::dummyF64);
  return {p, p, 0, size, 1};
}

} // namespace neuro::rt

#endif // NEURO_RUNTIME_MEMREF_H
