//===- AlignedAllocator.h - Cache-line aligned std::vector ------*- C++ -*-===//
//
// State buffers handed to vectorized kernels start on a 64-byte boundary (a
// cache line, and the widest SIMD register) so that aligned loads of a row
// start are legal. resize(n) leaves new elements of trivial types
// uninitialized (default-initialized), so that a large buffer the threads
// of a build fill is not first zeroed by one thread: whoever resizes must
// write every new element; assign(n, v) and resize(n, v) still fill.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_ALIGNEDALLOCATOR_H
#define NEURO_RUNTIME_ALIGNEDALLOCATOR_H

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace neuro::rt {

/// Alignment of every runtime-owned buffer passed to kernels, in bytes.
constexpr std::size_t kBufferAlignment = 64;
/// Buffers of at least this many bytes start on a huge page (2 MiB) and
/// are advised to use huge pages.
constexpr std::size_t kHugePage = std::size_t(2) << 20;
constexpr std::size_t kHugeBuffer = 4 * kHugePage;

/// The alignment AlignedAllocator gives a buffer of `bytes`.
constexpr std::size_t alignmentFor(std::size_t bytes) {
  return bytes >= kHugeBuffer ? kHugePage : kBufferAlignment;
}

/// Asks the system to back [p, p + bytes) with huge pages where it can
/// (madvise(MADV_HUGEPAGE) on Linux; nothing elsewhere).
void adviseHugePages(void *p, std::size_t bytes) noexcept;

/// std::allocator replacement returning kBufferAlignment-aligned storage.
template <typename T> class AlignedAllocator {
public:
  using value_type = T;

  AlignedAllocator() noexcept = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U> &) noexcept {}

  /// Storage for `n` objects of T, 64-byte aligned; throws std::bad_alloc.
  /// Large buffers start on a huge page and ask for huge pages (a network
  /// of 10^8 synapses touches millions of 4 KiB pages otherwise, each a
  /// page fault).
  T *allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T))
      throw std::bad_array_new_length();
    std::size_t bytes = n * sizeof(T);
    void *p = ::operator new(bytes, std::align_val_t(alignmentFor(bytes)));
    if (bytes >= kHugeBuffer)
      adviseHugePages(p, bytes);
    return static_cast<T *>(p);
  }

  /// Releases storage from allocate().
  void deallocate(T *p, std::size_t n) noexcept {
    ::operator delete(p, std::align_val_t(alignmentFor(n * sizeof(T))));
  }

  /// Default-initializes (leaves trivial types uninitialized) where
  /// std::allocator would value-initialize (zero).
  template <typename U>
  void construct(U *p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void *>(p)) U;
  }
  template <typename U, typename... Args> void construct(U *p, Args &&...args) {
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }

  template <typename U> bool operator==(const AlignedAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const AlignedAllocator<U> &) const {
    return false;
  }
};

/// A std::vector whose data() is 64-byte aligned and whose resize(n) leaves
/// new elements uninitialized.
template <typename T> using AlignedVector = std::vector<T, AlignedAllocator<T>>;

} // namespace neuro::rt

#endif // NEURO_RUNTIME_ALIGNEDALLOCATOR_H
