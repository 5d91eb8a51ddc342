//===- DelayRing.h - Spike history of one population ------------*- C++ -*-===//
//
// The spikes a population emitted during the last maxDelay + 1 steps, one
// sorted index list per step, in a ring of maxDelay + 1 slots. A projection
// with a delay of d steps reads the list of step k - d at step k.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_DELAYRING_H
#define NEURO_RUNTIME_DELAYRING_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace neuro::rt {

/// Ring buffer of per-step spike lists.
class DelayRing {
public:
  /// An empty ring with a single slot (maxDelay 0).
  DelayRing() : DelayRing(0) {}
  /// A ring that can serve delays 0 .. `maxDelay` (clamped to >= 0).
  explicit DelayRing(int64_t maxDelay);

  /// Largest delay the ring can serve.
  int64_t maxDelay() const { return int64_t(slots.size()) - 1; }
  /// Number of slots, maxDelay() + 1.
  int64_t capacity() const { return int64_t(slots.size()); }

  /// Stores `spikes` as the spikes of `step`, overwriting the slot of
  /// step - capacity(). A step may be negative: the spikes of a network
  /// that ran before this one, still to be delivered.
  void push(int64_t step, const std::vector<int32_t> &spikes);

  /// Claims the slot of `step`, clears it and returns it to be filled in
  /// place (no allocation once the slot has grown).
  std::vector<int32_t> &beginPush(int64_t step);

  /// The spikes emitted at `step`; empty if `step` was never pushed or has
  /// since been overwritten.
  const std::vector<int32_t> &at(int64_t step) const;
  /// The stored list of `step` (pushed and not overwritten), to rewrite.
  std::vector<int32_t> &modify(int64_t step);

  /// Forgets every stored step.
  void clear();

private:
  std::vector<std::vector<int32_t>> slots;
  /// The slot of `step` (steps below 0 included).
  size_t slotOf(int64_t step) const;

  std::vector<int64_t> slotStep; ///< step held by each slot, INT64_MIN if none
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_DELAYRING_H
