//===- Connectivity.cpp - Connectivity generators -------------------------===//
//
// Fixed-probability connectivity by geometric skipping: the gap to the next
// connected column is geometrically distributed, so a row costs O(p * nDst)
// draws instead of nDst.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Connectivity.h"

#include "neuro/Runtime/Philox.h"

#include <cmath>

using namespace neuro::rt;

CSR neuro::rt::buildFixedProbability(int64_t nSrc, int64_t nDst, double p,
                                     bool allowAutapses, uint64_t seed,
                                     uint32_t streamId) {
  CSR csr;
  if (nSrc <= 0)
    return csr;
  csr.rowPtr.assign(size_t(nSrc) + 1, 0);
  if (nDst <= 0 || !(p > 0.0))
    return csr;

  if (p >= 1.0) {
    csr.cols.reserve(size_t(nSrc) * size_t(nDst));
    for (int64_t i = 0; i < nSrc; ++i) {
      for (int64_t j = 0; j < nDst; ++j)
        if (allowAutapses || j != i)
          csr.cols.push_back(int32_t(j));
      csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
    }
    return csr;
  }

  // Expected count plus a few standard deviations, to avoid regrowth.
  double expected = p * double(nSrc) * double(nDst);
  csr.cols.reserve(size_t(expected + 5.0 * std::sqrt(expected) + 16.0));

  double logQ = std::log1p(-p); // < 0
  for (int64_t i = 0; i < nSrc; ++i) {
    PhiloxStream rng(seed, streamId, uint64_t(i));
    int64_t j = -1;
    for (;;) {
      double u = rng.nextUniform(); // [0, 1): log1p(-u) is finite
      double gap = std::floor(std::log1p(-u) / logQ) + 1.0;
      // Compare in double first: for tiny p the gap may exceed int64.
      if (gap >= double(nDst - j))
        break;
      j += int64_t(gap);
      if (j >= nDst)
        break;
      if (!allowAutapses && j == i)
        continue;
      csr.cols.push_back(int32_t(j));
    }
    csr.rowPtr[size_t(i) + 1] = int64_t(csr.cols.size());
  }
  return csr;
}
