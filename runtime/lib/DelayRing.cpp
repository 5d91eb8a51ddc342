//===- DelayRing.cpp - Spike history of one population --------------------===//

#include "neuro/Runtime/DelayRing.h"

using namespace neuro::rt;

static const std::vector<int32_t> &emptyList() {
  static const std::vector<int32_t> empty;
  return empty;
}

DelayRing::DelayRing(int64_t maxDelay)
    : slots(size_t(maxDelay > 0 ? maxDelay : 0) + 1),
      slotStep(slots.size(), -1) {}

std::vector<int32_t> &DelayRing::beginPush(int64_t step) {
  if (step < 0) { // Not storable: hand out a scratch list nobody reads.
    scratch.clear();
    return scratch;
  }
  size_t slot = size_t(step % capacity());
  slotStep[slot] = step;
  slots[slot].clear();
  return slots[slot];
}

void DelayRing::push(int64_t step, const std::vector<int32_t> &spikes) {
  std::vector<int32_t> &slot = beginPush(step);
  slot.assign(spikes.begin(), spikes.end());
}

const std::vector<int32_t> &DelayRing::at(int64_t step) const {
  if (step < 0)
    return emptyList();
  size_t slot = size_t(step % capacity());
  if (slotStep[slot] != step)
    return emptyList();
  return slots[slot];
}

void DelayRing::clear() {
  for (size_t s = 0; s < slots.size(); ++s) {
    slots[s].clear();
    slotStep[s] = -1;
  }
}

std::vector<int32_t> &DelayRing::modify(int64_t step) {
  if (step < 0 || slotStep[size_t(step % capacity())] != step)
    return beginPush(step);
  return slots[size_t(step % capacity())];
}
