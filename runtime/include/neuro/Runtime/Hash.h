//===- Hash.h - A 64-bit checksum of byte streams ---------------*- C++ -*-===//
//
// XXH64 (xxHash, 64-bit), fed in pieces: checkpoints carry the hash of all
// their bytes, so that damage anywhere is found before anything is
// restored.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_HASH_H
#define NEURO_RUNTIME_HASH_H

#include <cstddef>
#include <cstdint>

namespace neuro::rt {

class Hash64 {
public:
  explicit Hash64(uint64_t seed = 0);
  /// Adds `n` bytes at `data`.
  void update(const void *data, size_t n);
  /// The hash of the bytes added so far (XXH64 with the seed).
  uint64_t digest() const;

private:
  uint64_t acc[4];
  uint64_t total = 0;
  unsigned char pending[32];
  size_t pendingBytes = 0;
  uint64_t seed;
};

/// XXH64 of `n` bytes at `data`.
uint64_t hash64(const void *data, size_t n, uint64_t seed = 0);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_HASH_H
