//===- AlignedAllocator.h - Cache-line aligned std::vector ------*- C++ -*-===//
//
// State buffers handed to vectorized kernels start on a 64-byte boundary (a
// cache line, and the widest SIMD register) so that aligned loads of a row
// start are legal.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_ALIGNEDALLOCATOR_H
#define NEURO_RUNTIME_ALIGNEDALLOCATOR_H

#include <cstddef>
#include <new>
#include <vector>

namespace neuro::rt {

/// Alignment of every runtime-owned buffer passed to kernels, in bytes.
constexpr std::size_t kBufferAlignment = 64;

/// std::allocator replacement returning kBufferAlignment-aligned storage.
template <typename T> class AlignedAllocator {
public:
  using value_type = T;

  AlignedAllocator() noexcept = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U> &) noexcept {}

  /// Storage for `n` objects of T, 64-byte aligned; throws std::bad_alloc.
  T *allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T))
      throw std::bad_array_new_length();
    return static_cast<T *>(
        ::operator new(n * sizeof(T), std::align_val_t(kBufferAlignment)));
  }

  /// Releases storage from allocate().
  void deallocate(T *p, std::size_t) noexcept {
    ::operator delete(p, std::align_val_t(kBufferAlignment));
  }

  template <typename U> bool operator==(const AlignedAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const AlignedAllocator<U> &) const {
    return false;
  }
};

/// A std::vector whose data() is 64-byte aligned.
template <typename T> using AlignedVector = std::vector<T, AlignedAllocator<T>>;

} // namespace neuro::rt

#endif // NEURO_RUNTIME_ALIGNEDALLOCATOR_H
