//===- HashTest.cpp - Tests of the XXH64 checksum -------------------------===//

#include "neuro/Runtime/Hash.h"

#include <gtest/gtest.h>

#include <string>

using namespace neuro::rt;

namespace {

TEST(HashTest, ReferenceValues) {
  // XXH64 with seed 0, as the reference implementation gives them.
  EXPECT_EQ(hash64("", 0), 0xef46db3751d8e999ULL);
  EXPECT_EQ(hash64("abc", 3), 0x44bc2cf5ad770999ULL);
  std::string s = "Nobody inspects the spammish repetition";
  EXPECT_EQ(hash64(s.data(), s.size()), 0xfbcea83c8a378bf1ULL);
  std::string t = "0123456789abcdef0123456789abcdef0123";
  EXPECT_EQ(hash64(t.data(), t.size()), 0xc4255ba3d1af5461ULL);
}

TEST(HashTest, PiecesGiveTheWholeHash) {
  std::string bytes;
  for (int k = 0; k < 1000; ++k)
    bytes += char(k * 37 + k / 7);
  uint64_t whole = hash64(bytes.data(), bytes.size());
  for (size_t piece : {1, 3, 8, 31, 32, 33, 100}) {
    Hash64 h;
    for (size_t at = 0; at < bytes.size(); at += piece)
      h.update(bytes.data() + at, std::min(piece, bytes.size() - at));
    EXPECT_EQ(h.digest(), whole) << piece;
  }
  // One flipped bit anywhere changes it.
  for (size_t at = 0; at < bytes.size(); at += 97) {
    std::string flipped = bytes;
    flipped[at] ^= 4;
    EXPECT_NE(hash64(flipped.data(), flipped.size()), whole) << at;
  }
}

} // namespace
