//===- DelayRingTest.cpp - Tests of the spike history ring ----------------===//

#include "neuro/Runtime/DelayRing.h"

#include <gtest/gtest.h>

using namespace neuro::rt;

namespace {

using List = std::vector<int32_t>;

TEST(DelayRingTest, EmptyBeforePush) {
  DelayRing ring(3);
  EXPECT_EQ(ring.maxDelay(), 3);
  EXPECT_EQ(ring.capacity(), 4);
  for (int64_t s = -5; s < 10; ++s)
    EXPECT_TRUE(ring.at(s).empty()) << "step " << s;
}

TEST(DelayRingTest, HoldsTheLastCapacitySteps) {
  DelayRing ring(2); // 3 slots
  for (int64_t s = 0; s < 10; ++s) {
    ring.push(s, {int32_t(s), int32_t(s + 100)});
    for (int64_t d = 0; d <= 2; ++d) {
      if (s - d < 0) {
        EXPECT_TRUE(ring.at(s - d).empty());
        continue;
      }
      EXPECT_EQ(ring.at(s - d), (List{int32_t(s - d), int32_t(s - d + 100)}))
          << "step " << s << " delay " << d;
    }
    // Older steps are gone (overwritten), later ones not pushed yet.
    EXPECT_TRUE(ring.at(s - 3).empty());
    EXPECT_TRUE(ring.at(s + 1).empty());
  }
}

TEST(DelayRingTest, ZeroDelayHasOneSlot) {
  DelayRing ring;
  EXPECT_EQ(ring.capacity(), 1);
  ring.push(0, {1, 2});
  EXPECT_EQ(ring.at(0), (List{1, 2}));
  ring.push(1, {});
  EXPECT_TRUE(ring.at(0).empty());
  EXPECT_TRUE(ring.at(1).empty());
  ring.push(2, {5});
  EXPECT_EQ(ring.at(2), List{5});
}

TEST(DelayRingTest, BeginPushFillsInPlace) {
  DelayRing ring(1);
  ring.push(0, {1, 2, 3});
  ring.push(1, {4});
  List &slot = ring.beginPush(2); // reuses the slot of step 0
  EXPECT_TRUE(slot.empty());
  slot.push_back(9);
  EXPECT_EQ(ring.at(2), List{9});
  EXPECT_EQ(ring.at(1), List{4});
  EXPECT_TRUE(ring.at(0).empty());
}

// Spikes of a network that ran before (carried over), in steps below 0:
// stored in their slots like any other, and delivered from step 0 on.
TEST(DelayRingTest, NegativeStepsAreStored) {
  DelayRing ring(2);
  ring.push(-1, {7});
  EXPECT_EQ(ring.at(-1), List{7});
  EXPECT_TRUE(ring.at(2).empty()); // the same slot, another step
  ring.beginPush(-3).push_back(1);
  EXPECT_EQ(ring.at(-3), List{1});
  EXPECT_TRUE(ring.at(0).empty());
  EXPECT_TRUE(ring.at(-4).empty()); // never pushed
  ring.push(2, {5});                // overwrites step -1
  EXPECT_TRUE(ring.at(-1).empty());
  EXPECT_EQ(ring.at(2), List{5});
}

TEST(DelayRingTest, ClearForgetsEverything) {
  DelayRing ring(4);
  for (int64_t s = 0; s < 5; ++s)
    ring.push(s, {int32_t(s)});
  ring.clear();
  for (int64_t s = 0; s < 5; ++s)
    EXPECT_TRUE(ring.at(s).empty());
}

} // namespace
