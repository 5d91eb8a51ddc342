//===- RowIndex.cpp - Row pointers kept in few bytes ----------------------===//

#include "neuro/Runtime/RowIndex.h"

#include <algorithm>
#include <limits>

namespace neuro::rt {

int64_t RowIndex::rowOf(int64_t s) const {
  if (n < 2 || s < front() || s >= back())
    return -1;
  // The last i with (*this)[i] <= s.
  size_t lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if ((*this)[mid] <= s)
      lo = mid;
    else
      hi = mid;
  }
  return int64_t(lo);
}

void RowIndex::compact() {
  if (compacted() || n < 2)
    return;
  const std::vector<int64_t> &v = plain;
  bool fits16 = true;
  for (size_t b = 0; b < n && fits16; b += kBlock) {
    size_t last = std::min(n, b + kBlock) - 1;
    fits16 = v[last] - v[b] <= int64_t(std::numeric_limits<uint16_t>::max());
  }
  if (fits16) {
    base.resize((n + kBlock - 1) / kBlock);
    off16.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (i % kBlock == 0)
        base[i / kBlock] = v[i];
      off16[i] = uint16_t(v[i] - base[i / kBlock]);
    }
  } else if (v.back() - v.front() <=
             int64_t(std::numeric_limits<uint32_t>::max())) {
    base = {v.front()};
    off32.resize(n);
    for (size_t i = 0; i < n; ++i)
      off32[i] = uint32_t(v[i] - v.front());
  } else {
    return;
  }
  plain.clear();
  plain.shrink_to_fit();
}

int64_t RowIndex::gather(const int32_t *list, size_t count, int64_t stride,
                         int64_t part, int64_t *rows) const {
  // One loop per form, so the form is not tested per entry.
  int64_t total = 0;
  auto each = [&](auto entry) {
    for (size_t m = 0; m < count; ++m) {
      size_t i = size_t(list[m]), at = size_t(int64_t(i) * stride + part);
      int64_t lo = entry(at), hi = entry(at + 1);
      rows[2 * i] = lo;
      rows[2 * i + 1] = hi;
      total += hi - lo;
    }
  };
  if (!off16.empty()) {
    const int64_t *b = base.data();
    const uint16_t *o = off16.data();
    each([b, o](size_t at) { return b[at >> kBlockShift] + o[at]; });
  } else if (!off32.empty()) {
    int64_t b = base[0];
    const uint32_t *o = off32.data();
    each([b, o](size_t at) { return b + o[at]; });
  } else {
    const int64_t *o = plain.data();
    each([o](size_t at) { return o[at]; });
  }
  return total;
}

std::vector<int64_t> RowIndex::decode() const {
  if (!compacted())
    return plain;
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = (*this)[i];
  return out;
}

} // namespace neuro::rt
