//===- Random.cpp - Random numbers for generated code ---------------------===//

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/BoxMuller.h"
#include "neuro/Runtime/Philox.h"

#include <cmath>

extern "C" double neuro_rt_uniform(int64_t seed, int32_t stream, int64_t index,
                                   int64_t counter) {
  neuro::rt::PhiloxStream rng{static_cast<uint64_t>(seed),
                              static_cast<uint32_t>(stream),
                              static_cast<uint64_t>(index)};
  return rng.uniformAt(uint64_t(counter));
}

extern "C" double neuro_rt_normal(int64_t seed, int32_t stream, int64_t index,
                                  int64_t counter) {
  neuro::rt::PhiloxStream rng{static_cast<uint64_t>(seed),
                              static_cast<uint32_t>(stream),
                              static_cast<uint64_t>(index)};
  // Draws 2c and 2c + 1 share one block.
  double first, u2;
  rng.uniformPairAt(uint64_t(counter), first, u2);
  double u1 = 1.0 - first; // (0, 1]
  // log and cos of our own, evaluated alike on every backend.
  return neuro::rt::boxmuller::normal(u1, u2);
}
