//===- Random.cpp - Random numbers for generated code ---------------------===//

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Philox.h"

extern "C" double neuro_rt_uniform(int64_t seed, int32_t stream, int64_t index,
                                   int64_t counter) {
  neuro::rt::PhiloxStream rng{static_cast<uint64_t>(seed),
                              static_cast<uint32_t>(stream),
                              static_cast<uint64_t>(index)};
  return rng.uniformAt(uint64_t(counter));
}
