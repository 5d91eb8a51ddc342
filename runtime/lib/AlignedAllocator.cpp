//===- AlignedAllocator.cpp - Huge pages for large buffers ----------------===//

#include "neuro/Runtime/AlignedAllocator.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

void neuro::rt::adviseHugePages(void *p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Whole huge pages inside the buffer; a refusal only costs speed.
  auto begin =
      (reinterpret_cast<std::uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHugePage - 1);
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}
