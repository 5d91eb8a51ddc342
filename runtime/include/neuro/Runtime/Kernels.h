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

#include "neuro/Runtime/ABI.h"
#include "neuro/Runtime/Model.h"

#include <functional>
#include <string>

namespace neuro::rt {

/// The kinds of kernel: per population (Step, Reset, Init, Derive, Sample)
/// and per projection (the others). The IR marks each kernel function with its
/// kind and owner, #neuro.kernel<step, "E"> (ir/include/neuro/IR/
/// NeuroDialect.td, whose enum has these values).
enum class KernelKind {
  Step,
  Reset,
  Init,
  Derive,
  Deliver,
  DeliverPost,
  Update,
  Connect,
  SynInit,
  Sum,
  Sample
};

/// The kinds a population (that is not a spike source) may have, and those
/// a projection may have.
inline constexpr KernelKind kPopulationKernels[] = {
    KernelKind::Step, KernelKind::Reset, KernelKind::Init, KernelKind::Derive,
    KernelKind::Sample};
inline constexpr KernelKind kProjectionKernels[] = {
    KernelKind::Deliver, KernelKind::DeliverPost, KernelKind::Sum,
    KernelKind::Update,  KernelKind::Connect,     KernelKind::SynInit};

/// Whether kernels of `kind` run in every step (step, reset, the
/// deliveries and update), rather than once when the network is built.
/// These take rows of single precision (ModelSpec::singlePrecision) and
/// become GPU kernels.
constexpr bool runsEveryStep(KernelKind kind) {
  return kind == KernelKind::Step || kind == KernelKind::Reset ||
         kind == KernelKind::Deliver || kind == KernelKind::DeliverPost ||
         kind == KernelKind::Sum || kind == KernelKind::Update;
}

/// Whether kernels of `kind` take the rows the per-step kernels update, in
/// the run's precision: those, and the sample kernel, which runs on the
/// host between steps (on a device's rows copied back).
constexpr bool takesStepRows(KernelKind kind) {
  return runsEveryStep(kind) || kind == KernelKind::Sample;
}

/// The number of arguments of kernels of `kind` (NEURO_<KIND>_NUM_ARGS).
constexpr int numArguments(KernelKind kind) {
  switch (kind) {
  case KernelKind::Step:
    return NEURO_STEP_NUM_ARGS;
  case KernelKind::Reset:
    return NEURO_RESET_NUM_ARGS;
  case KernelKind::Init:
  case KernelKind::Derive:
    return NEURO_INIT_NUM_ARGS;
  case KernelKind::Deliver:
    return NEURO_DELIVER_NUM_ARGS;
  case KernelKind::DeliverPost:
    return NEURO_DELIVER_POST_NUM_ARGS;
  case KernelKind::Sum:
  case KernelKind::Update:
    return NEURO_UPDATE_NUM_ARGS;
  case KernelKind::Connect:
    return NEURO_CONNECT_NUM_ARGS;
  case KernelKind::SynInit:
    return NEURO_SYNINIT_NUM_ARGS;
  case KernelKind::Sample:
    return NEURO_SAMPLE_NUM_ARGS;
  }
  return 0;
}

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
