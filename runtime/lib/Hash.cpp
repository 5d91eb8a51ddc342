//===- Hash.cpp - XXH64 ---------------------------------------------------===//
//
// The reference algorithm (github.com/Cyan4973/xxHash), little-endian
// reads.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Hash.h"

#include <algorithm>
#include <cstring>

using namespace neuro::rt;

namespace {

constexpr uint64_t P1 = 11400714785074694791ULL;
constexpr uint64_t P2 = 14029467366897019727ULL;
constexpr uint64_t P3 = 1609587929392839161ULL;
constexpr uint64_t P4 = 9650029242287828579ULL;
constexpr uint64_t P5 = 2870177450012600261ULL;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t read64(const unsigned char *p) {
  uint64_t v = 0;
  for (int b = 7; b >= 0; --b)
    v = (v << 8) | p[b];
  return v;
}

uint32_t read32(const unsigned char *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

uint64_t round(uint64_t acc, uint64_t input) {
  acc += input * P2;
  acc = rotl(acc, 31);
  return acc * P1;
}

uint64_t merge(uint64_t acc, uint64_t value) {
  acc ^= round(0, value);
  return acc * P1 + P4;
}

} // namespace

Hash64::Hash64(uint64_t seed) : seed(seed) {
  acc[0] = seed + P1 + P2;
  acc[1] = seed + P2;
  acc[2] = seed;
  acc[3] = seed - P1;
}

void Hash64::update(const void *data, size_t n) {
  const unsigned char *p = static_cast<const unsigned char *>(data);
  total += n;
  if (pendingBytes) {
    size_t take = std::min(n, sizeof pending - pendingBytes);
    std::memcpy(pending + pendingBytes, p, take);
    pendingBytes += take;
    p += take;
    n -= take;
    if (pendingBytes < sizeof pending)
      return;
    for (int k = 0; k < 4; ++k)
      acc[k] = round(acc[k], read64(pending + 8 * k));
    pendingBytes = 0;
  }
  for (; n >= 32; p += 32, n -= 32)
    for (int k = 0; k < 4; ++k)
      acc[k] = round(acc[k], read64(p + 8 * k));
  std::memcpy(pending, p, n);
  pendingBytes = n;
}

uint64_t Hash64::digest() const {
  uint64_t h;
  if (total >= 32) {
    h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18);
    for (int k = 0; k < 4; ++k)
      h = merge(h, acc[k]);
  } else {
    h = seed + P5;
  }
  h += total;
  const unsigned char *p = pending;
  size_t n = pendingBytes;
  for (; n >= 8; p += 8, n -= 8)
    h = rotl(h ^ round(0, read64(p)), 27) * P1 + P4;
  if (n >= 4) {
    h = rotl(h ^ (uint64_t(read32(p)) * P1), 23) * P2 + P3;
    p += 4;
    n -= 4;
  }
  for (; n > 0; ++p, --n)
    h = rotl(h ^ (uint64_t(*p) * P5), 11) * P1;
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

uint64_t neuro::rt::hash64(const void *data, size_t n, uint64_t seed) {
  Hash64 h(seed);
  h.update(data, n);
  return h.digest();
}
