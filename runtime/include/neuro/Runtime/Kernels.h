//===- Kernels.h - The kernels of a network, by kind and name ---*- C++ -*-===//
//
// Every kernel a compiled network may have (ABI.h gives their signatures),
// the symbol each is exported under, and the binding of a ModelSpec's
// kernel pointers from a symbol lookup: the JIT, built programs and the C
// API bind through this one function.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_KERNELS_H
#define NEURO_RUNTIME_KERNELS_H

#include "neuro/Runtime/Model.h"

#include <functional>
#include <string>

namespace neuro::rt {

/// The kinds of kernel: per population (Step, Reset, Init, Derive) and per
/// projection (the others).
enum class KernelKind {
  Step,
  Reset,
  Init,
  Derive,
  Deliver,
  DeliverPost,
  Update,
  Connect,
  SynInit
};

/// The kinds a population (that is not a spike source) may have, and those
/// a projection may have.
inline constexpr KernelKind kPopulationKernels[] = {
    KernelKind::Step, KernelKind::Reset, KernelKind::Init, KernelKind::Derive};
inline constexpr KernelKind kProjectionKernels[] = {
    KernelKind::Deliver, KernelKind::DeliverPost, KernelKind::Update,
    KernelKind::Connect, KernelKind::SynInit};

/// `neuro_<kind>_<network>_<owner>` (`neuro_step_CUBA_E`); the symbol with
/// the C interface the runtime calls is `_mlir_ciface_` followed by it.
std::string kernelName(KernelKind kind, const std::string &network,
                       const std::string &owner);

/// Sets every kernel pointer of `spec` from `lookup`, which gets a symbol
/// (`_mlir_ciface_<kernelName>`) and returns its address or null. False
/// with `err` when a kernel every network of that shape has is missing (a
/// population's step, a projection's deliver, an expression rule's
/// connect).
bool bindKernels(ModelSpec &spec, const std::string &network,
                 const std::function<void *(const std::string &)> &lookup,
                 std::string &err);

} // namespace neuro::rt

#endif // NEURO_RUNTIME_KERNELS_H
