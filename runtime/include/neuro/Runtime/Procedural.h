//===- Procedural.h - Projections kept as their rule ------------*- C++ -*-===//
//
// A projection whose synapses, weights and delays come only from its rule
// and from draws can be kept as that rule: no target, weight or delay is
// stored per synapse, only where each source's synapses start in CSR
// order (8 bytes per source). When a source spikes, its synapses are drawn
// again from the counter-based generator with the keys the stored form
// uses, so both forms deliver the same events in the same order and give
// the same spikes bit for bit (docs/procedural.md).
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_PROCEDURAL_H
#define NEURO_RUNTIME_PROCEDURAL_H

#include "neuro/Runtime/Model.h"

#include <cstddef>
#include <string>

namespace neuro::rt {

/// Why projection `j` of `model` cannot be kept as its rule: "" when it
/// can (fixed probability, out-degree or one-to-one; weights, per-synapse
/// values and delays constants or uniform/normal draws; synapses no kernel
/// writes, without `on post`, clock-driven equations or summed drives, not
/// recorded), else the reason, as in "in_degree draws the sources of each
/// target ...".
std::string proceduralBlocker(const ModelSpec &model, size_t j);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_PROCEDURAL_H
