//===- Streams.h - Random stream ids of the runtime -------------*- C++ -*-===//
//
// Every use of random numbers gets its own Philox stream id (the third counter
// word, see Philox.h), so adding a population, a row or a projection never
// changes the numbers drawn for another one. A stream id is 32 bits:
//
//   bits 31..30  kind: 0 neuron state init, 1 connectivity, 2 synapse init,
//                      3 reserved for generated code (noise, Poisson, ...)
//   bits 29..12  object: population or projection index (< 2^18; kind 3:
//                population < 2^17, or 2^17 + projection)
//   bits 11..0   row: state row or synapse row index (< 2^12)
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_STREAMS_H
#define NEURO_RUNTIME_STREAMS_H

#include <cstdint>

namespace neuro::rt::streams {

/// Number of populations / projections that can get distinct stream ids:
/// half the object field, generated code's streams (kind 3) taking the other
/// half for the projections' events (synapseEvent).
constexpr int64_t kMaxObjects = int64_t(1) << 17;
/// Number of rows per population / projection that get distinct stream ids.
constexpr int64_t kMaxRows = int64_t(1) << 12;

/// Stream kinds (bits 31..30).
enum Kind : uint32_t {
  NeuronInit = 0,
  Connectivity = 1,
  SynapseInit = 2,
  Generated = 3,
};

/// Stream id for `kind`, `object` and `row` (all assumed in range).
constexpr uint32_t make(Kind kind, uint32_t object, uint32_t row) {
  return (uint32_t(kind) << 30) | ((object & 0x3ffffu) << 12) | (row & 0xfffu);
}

/// Initial values of state row `row` of population `pop`; entity = neuron.
constexpr uint32_t neuronInit(uint32_t pop, uint32_t row) {
  return make(NeuronInit, pop, row);
}

/// Connectivity of projection `proj`; entity = source neuron (CSR row).
constexpr uint32_t connectivity(uint32_t proj) {
  return make(Connectivity, proj, 0);
}

/// Initial values of synapse row `row` of projection `proj`; entity = synapse
/// index in CSR order.
constexpr uint32_t synapseInit(uint32_t proj, uint32_t row) {
  return make(SynapseInit, proj, row);
}

/// Random numbers drawn by generated code: call site `site` of population
/// `pop`; entity = neuron, counter = step.
constexpr uint32_t generated(uint32_t pop, uint32_t site) {
  return make(Generated, pop, site);
}

/// Random numbers drawn by the events of projection `proj` (`on pre`, `on
/// post`): call site `site`; entity = source << 32 | target (global
/// indices), counter = step. Bit 17 of the object sets these apart from the
/// populations' streams of the same kind.
constexpr uint32_t synapseEvent(uint32_t proj, uint32_t site) {
  return make(Generated, (1u << 17) | proj, site);
}

/// The gaps between the spikes of Poisson source population `pop` (which
/// has no generated code, so no call sites); entity = neuron, counter = the
/// neuron's spike number.
constexpr uint32_t poissonGaps(uint32_t pop) {
  return make(Generated, pop, 0xfffu);
}

/// The input counts of Poisson drive population `pop`; entity = the target
/// (the drive's neuron), counter = step * chunks + chunk (Binomial.h).
constexpr uint32_t poissonDrive(uint32_t pop) {
  return make(Generated, pop, 0xffeu);
}

} // namespace neuro::rt::streams

#endif // NEURO_RUNTIME_STREAMS_H
