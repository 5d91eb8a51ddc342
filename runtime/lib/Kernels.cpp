//===- Kernels.cpp - Binding a ModelSpec's kernels by name ----------------===//

#include "neuro/Runtime/Kernels.h"

using namespace neuro::rt;

std::string neuro::rt::kernelName(KernelKind kind, const std::string &network,
                                  const std::string &owner) {
  const char *prefix = "";
  switch (kind) {
  case KernelKind::Step:
    prefix = "neuro_step_";
    break;
  case KernelKind::Reset:
    prefix = "neuro_reset_";
    break;
  case KernelKind::Init:
    prefix = "neuro_init_";
    break;
  case KernelKind::Derive:
    prefix = "neuro_derive_";
    break;
  case KernelKind::Deliver:
    prefix = "neuro_deliver_";
    break;
  case KernelKind::DeliverPost:
    prefix = "neuro_deliver_post_";
    break;
  case KernelKind::Sum:
    prefix = "neuro_sum_";
    break;
  case KernelKind::Update:
    prefix = "neuro_update_";
    break;
  case KernelKind::Connect:
    prefix = "neuro_connect_";
    break;
  case KernelKind::SynInit:
    prefix = "neuro_syninit_";
    break;
  case KernelKind::Sample:
    prefix = "neuro_sample_";
    break;
  }
  return prefix + network + "_" + owner;
}

bool neuro::rt::bindKernels(
    ModelSpec &spec, const std::string &network,
    const std::function<void *(const std::string &)> &lookup,
    std::string &err) {
  bool ok = true;
  // The address of kernel `kind` of `owner`; a missing required one is an
  // error (the first is reported).
  auto find = [&](KernelKind kind, const std::string &owner,
                  bool required) -> void * {
    std::string name = kernelName(kind, network, owner);
    void *address = lookup("_mlir_ciface_" + name);
    if (!address && required && ok) {
      err = "kernel '" + name + "' missing from the compiled module";
      ok = false;
    }
    return address;
  };
  for (PopulationSpec &p : spec.populations) {
    if (p.generator)
      continue; // spikes given by time: no kernels
    p.step =
        reinterpret_cast<NeuroStepFn>(find(KernelKind::Step, p.name, true));
    p.reset =
        reinterpret_cast<NeuroResetFn>(find(KernelKind::Reset, p.name, false));
    p.initFn =
        reinterpret_cast<NeuroInitFn>(find(KernelKind::Init, p.name, false));
    p.deriveFn =
        reinterpret_cast<NeuroInitFn>(find(KernelKind::Derive, p.name, false));
    p.sampleFn = reinterpret_cast<NeuroSampleFn>(
        find(KernelKind::Sample, p.name, !p.sampled.empty()));
  }
  for (ProjectionSpec &p : spec.projections) {
    p.deliver = reinterpret_cast<NeuroDeliverFn>(
        find(KernelKind::Deliver, p.name, true));
    p.deliverPost = reinterpret_cast<NeuroDeliverPostFn>(
        find(KernelKind::DeliverPost, p.name, false));
    p.sum =
        reinterpret_cast<NeuroUpdateFn>(find(KernelKind::Sum, p.name, false));
    p.update = reinterpret_cast<NeuroUpdateFn>(
        find(KernelKind::Update, p.name, false));
    p.connect = reinterpret_cast<NeuroConnectFn>(find(
        KernelKind::Connect, p.name, p.rule == ProjectionSpec::Expression));
    p.synInitFn = reinterpret_cast<NeuroSynInitFn>(
        find(KernelKind::SynInit, p.name, false));
  }
  return ok;
}
