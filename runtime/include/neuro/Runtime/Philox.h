//===- Philox.h - Counter-based Philox4x32-10 random numbers ----*- C++ -*-===//
//
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC'11), bit-identical to the Random123 reference implementation. A draw is a
// pure function of (key, counter), so a simulation's random numbers depend
// only on what they are for, never on thread count, vector width, backend or
// the order in which entities are visited.
//
// Counter layout used by the runtime (PhiloxStream):
//
//   key    = { seed & 0xffffffff, seed >> 32 }   the model's 64-bit seed
//   ctr[0] = entity & 0xffffffff                  neuron, synapse or row
//   ctr[1] = entity >> 32                         index (64 bits)
//   ctr[2] = stream                               what the numbers are for
//                                                 (see Streams.h)
//   ctr[3] = block                                draw index / 2
//
// Every block yields four 32-bit words, i.e. two 53-bit uniforms: draw 2b uses
// words {0, 1} of block b, draw 2b+1 uses words {2, 3}. A stream therefore
// holds 2^33 uniforms per (seed, stream, entity); the block counter wraps
// after that.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_PHILOX_H
#define NEURO_RUNTIME_PHILOX_H

#include <array>
#include <cstdint>

namespace neuro::rt {

/// Counter of one Philox4x32 block.
using PhiloxCounter = std::array<uint32_t, 4>;
/// Key of Philox4x32.
using PhiloxKey = std::array<uint32_t, 2>;

namespace detail {
constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u; // golden ratio
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u; // sqrt(3) - 1

/// One Philox4x32 round.
constexpr PhiloxCounter philoxRound(const PhiloxCounter &ctr,
                                    const PhiloxKey &key) {
  uint64_t p0 = uint64_t(kPhiloxM0) * ctr[0];
  uint64_t p1 = uint64_t(kPhiloxM1) * ctr[2];
  uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
  uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
  return {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
}
} // namespace detail

/// Philox4x32 with 10 rounds: the block for counter `ctr` under `key`.
constexpr PhiloxCounter philox4x32(PhiloxCounter ctr, PhiloxKey key) {
  ctr = detail::philoxRound(ctr, key);
  for (int r = 1; r < 10; ++r) {
    key[0] += detail::kPhiloxW0;
    key[1] += detail::kPhiloxW1;
    ctr = detail::philoxRound(ctr, key);
  }
  return ctr;
}

/// Uniform double in [0, 1) with 53 random bits taken from the 64-bit word
/// `(hi << 32) | lo` (its top 53 bits). Exactly representable, never 1.0.
constexpr double uniform53(uint32_t hi, uint32_t lo) {
  uint64_t bits = (uint64_t(hi) << 32) | uint64_t(lo);
  // Below 2^53: the signed conversion is exact and cheaper.
  return double(int64_t(bits >> 11)) * (1.0 / 9007199254740992.0); // 2^-53
}

/// Key for a 64-bit seed (low word first).
constexpr PhiloxKey philoxKey(uint64_t seed) {
  return {uint32_t(seed), uint32_t(seed >> 32)};
}

/// Successive uniforms for one (seed, stream, entity), laid out as documented
/// at the top of this file. Draw d is always the same number, however many
/// other streams exist and in whatever order they are used.
class PhiloxStream {
public:
  /// Stream of `entity` (a neuron, synapse or row index) in `stream` under
  /// the model seed `seed`, positioned at draw 0.
  PhiloxStream(uint64_t seed, uint32_t stream, uint64_t entity)
      : key(philoxKey(seed)), base{uint32_t(entity), uint32_t(entity >> 32),
                                   stream, 0u} {}

  /// The next uniform in [0, 1).
  double nextUniform() {
    uint64_t block = draw >> 1;
    if (!cacheValid || block != cachedBlock) {
      cache = blockAt(block);
      cachedBlock = block;
      cacheValid = true;
    }
    double u = (draw & 1) ? uniform53(cache[2], cache[3])
                          : uniform53(cache[0], cache[1]);
    ++draw;
    return u;
  }

  /// Draw number `d` of this stream without changing the position.
  double uniformAt(uint64_t d) const {
    PhiloxCounter w = blockAt(d >> 1);
    return (d & 1) ? uniform53(w[2], w[3]) : uniform53(w[0], w[1]);
  }

  /// Draws 2b and 2b + 1 (one Philox block) without changing the position.
  void uniformPairAt(uint64_t b, double &first, double &second) const {
    PhiloxCounter w = blockAt(b);
    first = uniform53(w[0], w[1]);
    second = uniform53(w[2], w[3]);
  }

  /// Index of the next draw.
  uint64_t position() const { return draw; }
  /// Moves to draw `d`.
  void seek(uint64_t d) { draw = d; }

private:
  PhiloxCounter blockAt(uint64_t block) const {
    PhiloxCounter ctr = base;
    ctr[3] = uint32_t(block);
    return philox4x32(ctr, key);
  }

  PhiloxKey key;
  PhiloxCounter base;
  uint64_t draw = 0;
  PhiloxCounter cache{};
  uint64_t cachedBlock = 0;
  bool cacheValid = false;
};

/// Draws 2 block and 2 block + 1 of entities first .. first + count - 1 of
/// `stream` (PhiloxStream::uniformPairAt of each), several entities at
/// once with SIMD where the CPU has it (runtime/lib/PhiloxBatch.cpp).
void philoxUniformPairs(uint64_t seed, uint32_t stream, uint64_t first,
                        int64_t count, uint64_t block, double *firstOut,
                        double *secondOut);

/// Draws `first` .. `first` + `count` - 1 of `entity` in `stream`, in order
/// (PhiloxStream::uniformAt of each), several blocks at once with SIMD where
/// the CPU has it (runtime/lib/PhiloxBatch.cpp).
void philoxUniforms(uint64_t seed, uint32_t stream, uint64_t entity,
                    uint64_t first, int64_t count, double *out);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_PHILOX_H
