//===- PoissonDrive.cpp - The inputs of a Poisson drive per target --------===//
//
// A population `K of PoissonDrive(rate = R)` stands for K independent Poisson
// inputs to each neuron of the population it is connected to: each step, one
// Binomial(K, R dt) draw per target (Binomial.h) from the target's own
// stream, delivered as that many spikes of the target's index (docs/
// semantics.md, "Random numbers").
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Network.h"
#include "neuro/Runtime/Philox.h"
#include "neuro/Runtime/Streams.h"

#include <algorithm>

using namespace neuro::rt;

void Network::driveSpikes(size_t p, int64_t k, std::vector<int32_t> &list) {
  const PopulationSpec &spec = model.populations[p];
  Population &pop = pops[p];
  uint64_t per = uint64_t(pop.drive.uniforms());
  uint32_t stream = streams::poissonDrive(uint32_t(p));
  // With one uniform per target and step, one Philox block serves an even
  // step and the next: the second uniforms wait in driveNext. Blocks are
  // computed for many targets at once (philoxUniformPairs).
  bool pairs = per == 1;
  bool cached = pairs && (k & 1) && pop.driveCached == k - 1;
  if (pairs) {
    pop.driveNow.resize(size_t(spec.size));
    pop.driveNext.resize(size_t(spec.size));
  }
  // Targets in ranges on the pool's threads, each range's spikes in order.
  int64_t ranges =
      std::clamp<int64_t>(spec.size / 1024, 1, int64_t(pool->size()));
  pop.driveLists.resize(size_t(ranges));
  pop.driveLengths.resize(size_t(ranges));
  pool->run(ranges, [&](int64_t r) {
    // The buffer keeps its size from step to step; driveLengths says how
    // much of it this step fills.
    std::vector<int32_t> &out = pop.driveLists[size_t(r)];
    size_t at = 0;
    int64_t begin = spec.size * r / ranges, end = spec.size * (r + 1) / ranges;
    if (pairs && !cached) {
      double *now = pop.driveNow.data() + begin,
             *next = pop.driveNext.data() + begin;
      philoxUniformPairs(model.seed, stream, uint64_t(begin), end - begin,
                         uint64_t(k) >> 1, (k & 1) ? next : now,
                         (k & 1) ? now : next);
    }
    for (int64_t i = begin; i < end; ++i) {
      int64_t n = pop.drive.draw([&](int64_t c) {
        if (pairs)
          return cached ? pop.driveNext[size_t(i)] : pop.driveNow[size_t(i)];
        PhiloxStream rng{model.seed, stream, uint64_t(i)};
        return rng.uniformAt(uint64_t(k) * per + uint64_t(c));
      });
      if (at + size_t(n) + 4 > out.size())
        out.resize(2 * out.size() + size_t(n) + 4096);
      // Four copies whatever n (most counts are small), then the rest.
      int32_t *o = out.data() + at;
      o[0] = o[1] = o[2] = o[3] = int32_t(i);
      for (int64_t c = 4; c < n; ++c)
        o[c] = int32_t(i);
      at += size_t(n);
    }
    pop.driveLengths[size_t(r)] = at;
  });
  pop.driveCached = pairs && !(k & 1) ? k : -1;
  for (size_t r = 0; r < pop.driveLists.size(); ++r)
    list.insert(list.end(), pop.driveLists[r].begin(),
                pop.driveLists[r].begin() +
                    std::ptrdiff_t(pop.driveLengths[r]));
}
