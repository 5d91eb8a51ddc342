//===- PoissonDrive.cpp - The inputs of a Poisson drive per target --------===//
//
// A population `K of PoissonDrive(rate = R)` stands for K independent Poisson
// inputs to each neuron of the population it is connected to: each step, one
// Binomial(K, R dt) draw per target (Binomial.h) from the target's own
// stream, delivered as that many spikes of the target's index (docs/
// semantics.md, "Random numbers"). Over several processes each draws the
// counts of its own targets only (driveBlocks): nothing else reads them.
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
  // With one uniform per target and step, one Philox block serves an even
  // step and the next: the second uniforms wait in driveNext. Blocks are
  // computed for many targets at once (philoxUniformPairs).
  bool pairs = pop.drive.uniforms() == 1;
  bool cached = pairs && (k & 1) && pop.driveCached == k - 1;
  if (pairs) {
    pop.driveNow.resize(size_t(spec.size));
    pop.driveNext.resize(size_t(spec.size));
  }
  // The targets drawn (driveBlocks) in ranges on the pool's threads, each
  // range's spikes in order.
  int64_t drawn = 0;
  for (auto [first, last] : pop.driveBlocks)
    drawn += last - first;
  int64_t ranges = std::clamp<int64_t>(drawn / 1024, 1, int64_t(pool->size()));
  pop.driveLists.resize(size_t(ranges));
  pop.driveLengths.resize(size_t(ranges));
  pool->run(ranges, [&](int64_t r) {
    // The buffer keeps its size from step to step; driveLengths says how
    // much of it this step fills.
    std::vector<int32_t> &out = pop.driveLists[size_t(r)];
    size_t at = 0;
    // The range's share of the blocks: draws [from, to) of `drawn`.
    int64_t from = drawn * r / ranges, to = drawn * (r + 1) / ranges;
    int64_t seen = 0;
    for (auto [first, last] : pop.driveBlocks) {
      int64_t begin = first + std::max<int64_t>(0, from - seen);
      int64_t end = std::min(last, first + (to - seen));
      seen += last - first;
      if (begin < end)
        at = drawBlock(p, k, begin, end, pairs, cached, out, at);
    }
    pop.driveLengths[size_t(r)] = at;
  });
  pop.driveCached = pairs && !(k & 1) ? k : -1;
  for (size_t r = 0; r < pop.driveLists.size(); ++r)
    list.insert(list.end(), pop.driveLists[r].begin(),
                pop.driveLists[r].begin() +
                    std::ptrdiff_t(pop.driveLengths[r]));
}

size_t Network::drawBlock(size_t p, int64_t k, int64_t begin, int64_t end,
                          bool pairs, bool cached, std::vector<int32_t> &out,
                          size_t at) {
  Population &pop = pops[p];
  uint64_t per = uint64_t(pop.drive.uniforms());
  uint32_t stream = streams::poissonDrive(uint32_t(p));
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
  return at;
}

std::vector<std::pair<int64_t, int64_t>> Network::driveBlocks(size_t p) const {
  int64_t size = model.populations[p].size;
  if (!dist)
    return {{0, size}};
  // Each connection from the drive is one-to-one from its neurons
  // [srcBegin, srcEnd) onto a slice of its target: the part of the slice
  // this process owns.
  std::vector<std::pair<int64_t, int64_t>> blocks;
  for (const ProjectionSpec &spec : model.projections) {
    if (size_t(spec.src) != p)
      continue;
    auto [lo, hi] = owned(size_t(spec.dst));
    int64_t first = std::max(lo, spec.dstBegin);
    int64_t last = std::min(hi, model.dstEndOf(spec));
    int64_t shift = spec.srcBegin - spec.dstBegin;
    first = std::clamp<int64_t>(first + shift, 0, size);
    last = std::clamp<int64_t>(last + shift, first, size);
    if (first < last)
      blocks.push_back({first, last});
  }
  std::sort(blocks.begin(), blocks.end());
  // Merged where they touch or overlap.
  std::vector<std::pair<int64_t, int64_t>> merged;
  for (auto [first, last] : blocks)
    if (!merged.empty() && first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, last);
    else
      merged.push_back({first, last});
  return merged;
}
