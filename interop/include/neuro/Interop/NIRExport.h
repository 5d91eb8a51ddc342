//===- NIRExport.h - A checked .neuro network as a NIR network --*- C++ -*-===//
//
// The network of a checked model, when its parts have NIR nodes: the neuron
// models and synapses `neuroc import` writes (recognised by name, with
// their parameters), Input populations and SpikeTimes sources, and
// projections whose synapses are listed in a table (`from "FILE"`), made
// one to one or all to all. Anything else is an nir::Error naming it.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_NIREXPORT_H
#define NEURO_INTEROP_NIREXPORT_H

#include "neuro/Interop/NIR.h"

namespace neuro {
struct SemaResult;

namespace nir {

/// The network `name` (empty: the only one) of `sema` as a Network;
/// `file` names the model in messages.
Network networkFromSema(const SemaResult &sema, const std::string &name,
                        const std::string &file);

} // namespace nir
} // namespace neuro

#endif // NEURO_INTEROP_NIREXPORT_H
