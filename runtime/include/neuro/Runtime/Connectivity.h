//===- Connectivity.h - Connectivity generators -----------------*- C++ -*-===//
//
// Connectivity of a projection in compressed sparse row form: row i lists the
// targets of source neuron i. Generators draw through Philox streams keyed by
// (seed, stream id, source index), so a given seed always yields the same
// network, whatever the order in which rows are generated.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_CONNECTIVITY_H
#define NEURO_RUNTIME_CONNECTIVITY_H

#include "neuro/Runtime/AlignedAllocator.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace neuro::rt {

class ThreadPool;

/// Synapses of one projection. The targets of source i are
/// cols[rowPtr[i] .. rowPtr[i+1]), sorted ascending; synapse j (an index into
/// cols) is also the column of its per-synapse state.
struct CSR {
  std::vector<int64_t> rowPtr{0}; ///< nSrc + 1 entries, rowPtr[0] == 0
  AlignedVector<int32_t> cols;    ///< target neuron of each synapse

  /// Number of source rows.
  int64_t numRows() const { return int64_t(rowPtr.size()) - 1; }
  /// Number of synapses.
  int64_t numSynapses() const { return int64_t(cols.size()); }
};

/// Source i and target i + `selfShift` are the same neuron (slices of one
/// population: the source slice's start minus the target slice's); when
/// `allowAutapses` is false, the generators below never join such a pair.
/// A shift that puts i + selfShift outside the targets excludes nothing.

/// Each of the nSrc x nDst pairs (i, j) is connected independently with
/// probability `p` (pairs with j == i + selfShift are skipped when
/// `allowAutapses` is false). Row i is drawn by geometric skipping,
/// j += floor(log(1 - u) / log(1 - p)) + 1, from the Philox stream
/// (seed, streamId, i). p <= 0 (or NaN) gives no synapse, p >= 1 all pairs.
CSR buildFixedProbability(int64_t nSrc, int64_t nDst, double p,
                          bool allowAutapses, uint64_t seed, uint32_t streamId,
                          int64_t selfShift = 0);

/// Each source gets exactly `k` distinct targets (fewer when fewer exist:
/// checkFixedDegree refuses that), drawn uniformly without replacement
/// through the stream of that source, among the targets other than itself
/// when `allowAutapses` is false.
CSR buildFixedOutDegree(int64_t nSrc, int64_t nDst, int64_t k,
                        bool allowAutapses, uint64_t seed, uint32_t streamId,
                        int64_t selfShift = 0);

/// Each target gets exactly `k` distinct sources (fewer when fewer exist:
/// checkFixedDegree refuses that), drawn through the stream of that target,
/// among the sources other than itself when `allowAutapses` is false;
/// stored by source. Built on the threads of `pool` when given, the same
/// whatever their number. Only the targets in [targetBegin, targetEnd)
/// are drawn and kept (-1: to nDst): a process builds its own targets.
CSR buildFixedInDegree(int64_t nSrc, int64_t nDst, int64_t k,
                       bool allowAutapses, uint64_t seed, uint32_t streamId,
                       int64_t selfShift = 0, ThreadPool *pool = nullptr,
                       int64_t targetBegin = 0, int64_t targetEnd = -1);

/// Row i alone of buildFixedProbability (fixedOutDegreeRow: of
/// buildFixedOutDegree), appended to `out`: the same targets from the same
/// draws, so that a projection kept as its rule can regenerate the synapses
/// of one source when it spikes.
void fixedProbabilityRow(int64_t i, int64_t nDst, double p, bool allowAutapses,
                         uint64_t seed, uint32_t streamId, int64_t selfShift,
                         std::vector<int32_t> &out);
void fixedOutDegreeRow(int64_t i, int64_t nDst, int64_t k, bool allowAutapses,
                       uint64_t seed, uint32_t streamId, int64_t selfShift,
                       std::vector<int32_t> &out);

/// Whether slices [srcBegin, srcEnd) and [dstBegin, dstEnd) of one
/// population share a neuron.
inline bool slicesOverlap(int64_t srcBegin, int64_t srcEnd, int64_t dstBegin,
                          int64_t dstEnd) {
  return (srcBegin > dstBegin ? srcBegin : dstBegin) <
         (srcEnd < dstEnd ? srcEnd : dstEnd);
}

/// Whether a fixed in-degree (`inDegree`) or out-degree of `k` can be met
/// between nSrc sources and nDst targets: each target (source) needs `k`
/// distinct sources (targets), one fewer being available when some neurons
/// are both (the same population, slices that overlap) and may not connect
/// to themselves (`allowAutapses` false). False
/// and `err` ("in_degree = 100 needs 100 distinct sources for each target,
/// but the source has 10 neurons") when it cannot: the generators would
/// give fewer.
bool checkFixedDegree(bool inDegree, int64_t k, int64_t nSrc, int64_t nDst,
                      bool allowAutapses, std::string &err);

/// Source i connects to target i, for i < min(nSrc, nDst).
CSR buildOneToOne(int64_t nSrc, int64_t nDst);

/// Repeats each of `values` `n` times in place, one after another
/// ([a, b] becomes [a, a, b, b] for n = 2): the synapses of a projection
/// with several per pair (Brian2's connect(n=...)).
template <typename Vector> void repeatEach(Vector &values, int64_t n) {
  if (n <= 1)
    return;
  size_t m = values.size();
  values.resize(m * size_t(n));
  for (size_t q = m; q-- > 0;) {
    auto v = values[q];
    std::fill_n(values.begin() + std::ptrdiff_t(q * size_t(n)), n, v);
  }
}

} // namespace neuro::rt

#endif // NEURO_RUNTIME_CONNECTIVITY_H
