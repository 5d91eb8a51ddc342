//===- RowIndex.h - Row pointers kept in few bytes --------------*- C++ -*-===//
//
// A projection keeps, for each delay group, where each source's synapses
// start (nSrc + 1 non-decreasing offsets), and with delivery split by
// target range one offset per source and range. With many delay groups
// those offsets cost more than the synapses' own bytes would suggest: 8
// bytes per source and group. RowIndex holds such a sequence as plain
// int64 while the network is built (wide(): offsets may still move), and
// compact() then keeps it in the fewest bytes its spans allow:
//
//   16-bit: one int64 base per block of kBlock entries and, per entry, its
//           offset from its block's base (every block spans < 2^16);
//   32-bit: one base and, per entry, its offset from it (the whole
//           sequence spans < 2^32);
//   64-bit: the entries themselves.
//
// Reading an entry is one or two loads either way; the values never change.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_ROWINDEX_H
#define NEURO_RUNTIME_ROWINDEX_H

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace neuro::rt {

class RowIndex {
public:
  /// Entries per block of the 16-bit form.
  static constexpr size_t kBlockShift = 6;
  static constexpr size_t kBlock = size_t(1) << kBlockShift;

  RowIndex() = default;
  /// `offsets`, non-decreasing, kept as they are until compact().
  explicit RowIndex(std::vector<int64_t> offsets)
      : n(offsets.size()), plain(std::move(offsets)) {}

  size_t size() const { return n; }
  bool empty() const { return n == 0; }
  int64_t operator[](size_t i) const {
    assert(i < n && "row index out of range");
    if (!off16.empty())
      return base[i >> kBlockShift] + off16[i];
    if (!off32.empty())
      return base[0] + off32[i];
    return plain[i];
  }
  int64_t front() const { return (*this)[0]; }
  int64_t back() const { return (*this)[n - 1]; }
  /// The i with (*this)[i] <= s < (*this)[i + 1] (the row holding offset
  /// s), or -1 when s lies outside [front(), back()).
  int64_t rowOf(int64_t s) const;

  /// The entries, to change while building; only before compact().
  std::vector<int64_t> &wide() {
    assert(!compacted() && "a compacted row index does not change");
    return plain;
  }
  /// The entries as int64 when they are kept so (else null).
  const int64_t *wideData() const {
    return compacted() || plain.empty() ? nullptr : plain.data();
  }
  bool compacted() const { return !off16.empty() || !off32.empty(); }
  /// Keeps the entries in 16 or 32 bits where their spans allow.
  void compact();
  /// Bits per entry as kept: 16, 32 or 64.
  int bits() const { return !off16.empty() ? 16 : !off32.empty() ? 32 : 64; }
  /// For each source i of `list` (n of them): its row [lo, hi) = entries
  /// i * stride + part and the one after, written to rows[2 i] and
  /// rows[2 i + 1]. Returns the sum of the rows' lengths.
  int64_t gather(const int32_t *list, size_t n, int64_t stride, int64_t part,
                 int64_t *rows) const;
  /// The entries as int64 (the GPU's tables).
  std::vector<int64_t> decode() const;
  /// The bytes the entries take as kept.
  size_t bytes() const {
    return plain.size() * sizeof(int64_t) + base.size() * sizeof(int64_t) +
           off32.size() * sizeof(uint32_t) + off16.size() * sizeof(uint16_t);
  }

private:
  size_t n = 0;
  std::vector<int64_t> plain;
  std::vector<int64_t> base;
  std::vector<uint32_t> off32;
  std::vector<uint16_t> off16;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_ROWINDEX_H
