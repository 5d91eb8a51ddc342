//===- NIRExport.h - A compiled .neuro network as a NIR network -*- C++ -*-===//
//
// The network of a model at the neuro stage (the `neuro.network` ops
// MLIRGen emits), when its parts have NIR nodes: the neuron models and
// synapses `neuroc import` writes (recognised by name, with their
// parameters), Input populations and SpikeTimes sources, and projections
// whose synapses are listed in a table (`from "FILE"`), made one to one or
// all to all. Anything else is an nir::Error naming it.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_INTEROP_NIREXPORT_H
#define NEURO_INTEROP_NIREXPORT_H

#include "neuro/Interop/NIR.h"

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace neuro::nir {

/// The network `name` (empty: the only one) of `module`, a module at the
/// neuro stage (before neuro-elaborate, which removes the models), as a
/// Network; `file` names the model in messages.
Network networkFromModule(mlir::ModuleOp module, const std::string &name,
                          const std::string &file);

} // namespace neuro::nir

#endif // NEURO_INTEROP_NIREXPORT_H
