//===- DelayRing.cpp - Spike history of one population --------------------===//

#include "neuro/Runtime/DelayRing.h"

using namespace neuro::rt;

static const std::vector<int32_t> &emptyList() {
  static const std::vector<int32_t> empty;
  return empty;
}

/// No step: a slot that holds nothing.
static constexpr int64_t kNone = INT64_MIN;

DelayRing::DelayRing(int64_t maxDelay)
    : slots(size_t(maxDelay > 0 ? maxDelay : 0) + 1),
      slotStep(slots.size(), kNone) {}

size_t DelayRing::slotOf(int64_t step) const {
  int64_t n = capacity(), r = step % n;
  return size_t(r < 0 ? r + n : r);
}

std::vector<int32_t> &DelayRing::beginPush(int64_t step) {
  size_t slot = slotOf(step);
  slotStep[slot] = step;
  slots[slot].clear();
  return slots[slot];
}

void DelayRing::push(int64_t step, const std::vector<int32_t> &spikes) {
  std::vector<int32_t> &slot = beginPush(step);
  slot.assign(spikes.begin(), spikes.end());
}

const std::vector<int32_t> &DelayRing::at(int64_t step) const {
  size_t slot = slotOf(step);
  if (slotStep[slot] != step)
    return emptyList();
  return slots[slot];
}

void DelayRing::clear() {
  for (size_t s = 0; s < slots.size(); ++s) {
    slots[s].clear();
    slotStep[s] = kNone;
  }
}

std::vector<int32_t> &DelayRing::modify(int64_t step) {
  if (slotStep[slotOf(step)] != step)
    return beginPush(step);
  return slots[slotOf(step)];
}
