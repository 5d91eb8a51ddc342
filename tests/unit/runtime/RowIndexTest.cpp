//===- RowIndexTest.cpp - Row pointers kept in few bytes ------------------===//

#include "neuro/Runtime/RowIndex.h"

#include <gtest/gtest.h>

#include <random>

using neuro::rt::RowIndex;

namespace {

/// Row pointers of `rows` rows of lengths drawn in [0, maxLength], from
/// `start`.
std::vector<int64_t> rowPointers(size_t rows, int64_t maxLength, int64_t start,
                                 unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<int64_t> length(0, maxLength);
  std::vector<int64_t> ptr{start};
  for (size_t i = 0; i < rows; ++i)
    ptr.push_back(ptr.back() + length(gen));
  return ptr;
}

void expectSame(const RowIndex &index, const std::vector<int64_t> &ptr) {
  ASSERT_EQ(index.size(), ptr.size());
  for (size_t i = 0; i < ptr.size(); ++i)
    ASSERT_EQ(index[i], ptr[i]) << "entry " << i;
  EXPECT_EQ(index.decode(), ptr);
  EXPECT_EQ(index.front(), ptr.front());
  EXPECT_EQ(index.back(), ptr.back());
}

TEST(RowIndex, SixteenBitsWhenEveryBlockSpansLessThan65536) {
  // Rows of up to 1,000 synapses: a block of 64 spans at most 64,000.
  std::vector<int64_t> ptr = rowPointers(1000, 1000, int64_t(5) << 33, 1);
  RowIndex index(ptr);
  EXPECT_EQ(index.bits(), 64);
  EXPECT_EQ(index.bytes(), 1001 * 8u);
  index.compact();
  EXPECT_EQ(index.bits(), 16);
  // 2 bytes an entry and 8 per block of 64: 1001 * 2 + 16 * 8.
  EXPECT_EQ(index.bytes(), 1001u * 2 + 16 * 8);
  EXPECT_EQ(index.wideData(), nullptr);
  expectSame(index, ptr);
}

TEST(RowIndex, ThirtyTwoBitsWhenABlockSpansMore) {
  std::vector<int64_t> ptr = rowPointers(300, 5000, 7, 2);
  ptr[100] = ptr[99] + 70000; // one block spans more than 16 bits allow
  for (size_t i = 101; i < ptr.size(); ++i)
    ptr[i] += 70000;
  RowIndex index(ptr);
  index.compact();
  EXPECT_EQ(index.bits(), 32);
  EXPECT_EQ(index.bytes(), 301u * 4 + 8);
  expectSame(index, ptr);
}

TEST(RowIndex, SixtyFourBitsWhenTheWholeSpansMoreThan32) {
  std::vector<int64_t> ptr = {0, 10, int64_t(1) << 32, (int64_t(1) << 32) + 3};
  RowIndex index(ptr);
  index.compact();
  EXPECT_EQ(index.bits(), 64);
  EXPECT_EQ(index.bytes(), 4u * 8);
  ASSERT_NE(index.wideData(), nullptr);
  expectSame(index, ptr);
}

TEST(RowIndex, BlockBoundariesAndEmptyRows) {
  // Exactly 65,535 within a block fits; the entries at block edges.
  std::vector<int64_t> ptr(130, 0);
  for (size_t i = 1; i < 64; ++i)
    ptr[i] = 65535;
  for (size_t i = 64; i < 130; ++i)
    ptr[i] = 65535 + int64_t(i - 63) * 1000;
  RowIndex index(ptr);
  index.compact();
  EXPECT_EQ(index.bits(), 16);
  expectSame(index, ptr);
  ptr[63] = 65536; // now block 0 spans 65,536
  RowIndex wider(ptr);
  wider.compact();
  EXPECT_EQ(wider.bits(), 32);
  expectSame(wider, ptr);
}

TEST(RowIndex, RowOfFindsTheRowHoldingAnOffset) {
  // Rows 0..4 hold [0, 3), [3, 3), [3, 7), [7, 7), [7, 8).
  std::vector<int64_t> ptr = {0, 3, 3, 7, 7, 8};
  for (bool compact : {false, true}) {
    RowIndex index(ptr);
    if (compact)
      index.compact();
    std::vector<int64_t> rows;
    for (int64_t s = -1; s <= 8; ++s)
      rows.push_back(index.rowOf(s));
    EXPECT_EQ(rows, (std::vector<int64_t>{-1, 0, 0, 0, 2, 2, 2, 2, 4, -1}));
  }
  EXPECT_EQ(RowIndex().rowOf(0), -1);
  EXPECT_EQ(RowIndex({5}).rowOf(5), -1);
}

TEST(RowIndex, StaysWideWhileBuilding) {
  RowIndex index({0, 2, 4});
  index.wide()[1] = 1; // moved while building (a process keeps fewer)
  index.compact();
  expectSame(index, {0, 1, 4});
}

} // namespace
