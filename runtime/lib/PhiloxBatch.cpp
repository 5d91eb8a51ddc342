//===- PhiloxBatch.cpp - Many Philox blocks at once -----------------------===//
//
// The blocks of many entities (targets of a Poisson drive) for one counter,
// or many blocks of one entity (the draws of a sampled row), four at a time
// with AVX2 where the CPU has it (chosen at run time; the runtime is built
// for the baseline x86-64), else one by one. Each block
// equals PhiloxStream's (Philox.h) bit for bit (tests/unit/runtime/
// PhiloxTest.cpp).
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Philox.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

using namespace neuro::rt;

namespace {

constexpr int kLanes = 4;

#if defined(__x86_64__) && defined(__GNUC__)
/// The ten rounds of four blocks with AVX2: each 32-bit word of the counter
/// in a 64-bit lane, so that one _mm256_mul_epu32 gives the four 64-bit
/// products of a round's multiplication. The four 53-bit uniforms of each
/// block go to `firstOut` (words 0, 1) and `secondOut` (words 2, 3).
__attribute__((target("avx2"))) void roundsAvx2(PhiloxKey key, __m256i c0,
                                                __m256i c1, __m256i c2,
                                                __m256i c3, double *firstOut,
                                                double *secondOut) {
  const __m256i low = _mm256_set1_epi64x(0xffffffffLL);
  const __m256i m0 = _mm256_set1_epi64x(detail::kPhiloxM0);
  const __m256i m1 = _mm256_set1_epi64x(detail::kPhiloxM1);
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; ++r) {
    __m256i p0 = _mm256_mul_epu32(c0, m0);
    __m256i p1 = _mm256_mul_epu32(c2, m1);
    __m256i n0 =
        _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1),
                         _mm256_set1_epi64x(int64_t(k0)));
    __m256i n2 =
        _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3),
                         _mm256_set1_epi64x(int64_t(k1)));
    c1 = _mm256_and_si256(p1, low);
    c3 = _mm256_and_si256(p0, low);
    c0 = n0;
    c2 = n2;
    k0 += detail::kPhiloxW0;
    k1 += detail::kPhiloxW1;
  }
  // uniform53: the top 53 bits of (hi << 32) | lo, times 2^-53.
  alignas(32) int64_t w[2][4];
  _mm256_store_si256(
      reinterpret_cast<__m256i *>(w[0]),
      _mm256_srli_epi64(_mm256_or_si256(_mm256_slli_epi64(c0, 32), c1), 11));
  _mm256_store_si256(
      reinterpret_cast<__m256i *>(w[1]),
      _mm256_srli_epi64(_mm256_or_si256(_mm256_slli_epi64(c2, 32), c3), 11));
  for (int l = 0; l < kLanes; ++l) {
    firstOut[l] = double(w[0][l]) * (1.0 / 9007199254740992.0);
    secondOut[l] = double(w[1][l]) * (1.0 / 9007199254740992.0);
  }
}

/// Block `block` of 4 consecutive entities.
__attribute__((target("avx2"))) void
entitiesAvx2(PhiloxKey key, uint32_t stream, uint64_t first, uint32_t block,
             double *firstOut, double *secondOut) {
  const __m256i low = _mm256_set1_epi64x(0xffffffffLL);
  __m256i entity = _mm256_add_epi64(_mm256_set1_epi64x(int64_t(first)),
                                    _mm256_set_epi64x(3, 2, 1, 0));
  roundsAvx2(key, _mm256_and_si256(entity, low), _mm256_srli_epi64(entity, 32),
             _mm256_set1_epi64x(int64_t(stream)),
             _mm256_set1_epi64x(int64_t(block)), firstOut, secondOut);
}

/// Blocks `block` .. `block` + 3 of one entity (the counter's block word
/// wraps at 2^32, as PhiloxStream's does).
__attribute__((target("avx2"))) void blocksAvx2(PhiloxKey key, uint32_t stream,
                                                uint64_t entity, uint64_t block,
                                                double *firstOut,
                                                double *secondOut) {
  const __m256i low = _mm256_set1_epi64x(0xffffffffLL);
  __m256i blocks =
      _mm256_and_si256(_mm256_add_epi64(_mm256_set1_epi64x(int64_t(block)),
                                        _mm256_set_epi64x(3, 2, 1, 0)),
                       low);
  roundsAvx2(key, _mm256_set1_epi64x(int64_t(entity & 0xffffffffu)),
             _mm256_set1_epi64x(int64_t(entity >> 32)),
             _mm256_set1_epi64x(int64_t(stream)), blocks, firstOut, secondOut);
}

bool hasAvx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
}
#endif

} // namespace

void neuro::rt::philoxUniformPairs(uint64_t seed, uint32_t stream,
                                   uint64_t first, int64_t count,
                                   uint64_t block, double *firstOut,
                                   double *secondOut) {
  int64_t at = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (hasAvx2()) {
    PhiloxKey key = philoxKey(seed);
    for (; at + kLanes <= count; at += kLanes)
      entitiesAvx2(key, stream, first + uint64_t(at), uint32_t(block),
                   firstOut + at, secondOut + at);
  }
#endif
  for (; at < count; ++at) {
    PhiloxStream rng{seed, stream, first + uint64_t(at)};
    rng.uniformPairAt(block, firstOut[at], secondOut[at]);
  }
}

void neuro::rt::philoxUniforms(uint64_t seed, uint32_t stream, uint64_t entity,
                               uint64_t first, int64_t count, double *out) {
  PhiloxStream rng{seed, stream, entity};
  int64_t at = 0;
  // To a block boundary, then four blocks (eight draws) at a time.
  if (count > 0 && (first & 1))
    out[at++] = rng.uniformAt(first);
#if defined(__x86_64__) && defined(__GNUC__)
  if (hasAvx2()) {
    PhiloxKey key = philoxKey(seed);
    double firstOf[kLanes], secondOf[kLanes];
    for (; at + 2 * kLanes <= count; at += 2 * kLanes) {
      blocksAvx2(key, stream, entity, (first + uint64_t(at)) >> 1, firstOf,
                 secondOf);
      for (int l = 0; l < kLanes; ++l) {
        out[at + 2 * l] = firstOf[l];
        out[at + 2 * l + 1] = secondOf[l];
      }
    }
  }
#endif
  for (; at < count; ++at)
    out[at] = rng.uniformAt(first + uint64_t(at));
}
