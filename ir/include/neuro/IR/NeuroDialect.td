//===- NeuroDialect.td - The neuro dialect, its attributes -*- tablegen -*-===//

#ifndef NEURO_DIALECT_TD
#define NEURO_DIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Neuro_Dialect : Dialect {
  let name = "neuro";
  let cppNamespace = "::neuro";
  let summary = "Spiking neural network models and networks";
  let description = [{
    The top level of Neuro's compiler. Neuron and synapse models appear as
    the user wrote them (parameters, states, differential equations, spike
    condition, reset, event blocks), with every quantity in SI units and the
    unit recorded as an attribute. A network instantiates models into
    populations and projections. Passes elaborate networks (one flat model
    per population), choose integration schemes, and lower to kernels over
    structure-of-arrays memrefs.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  // Attributes the dialect's passes put on other dialects' operations
  // (functions, loops, the module) and on its own; each has a generated
  // helper, NeuroDialect::<Name>AttrHelper.
  let discardableAttrs = (ins
    // A function that is a kernel of the runtime contract (ABI.h).
    "::neuro::KernelAttr":$kernel,
    // A row of an elaborated population that keeps its value during a run
    // (neuro.state; neuro-elaborate).
    "::mlir::UnitAttr":$constant,
    // A row without an equation that events write (on pre, on post, a
    // reset), read as a coefficient by equations integrated exactly per
    // neuron: the step kernel recomputes a neuron's propagator when the
    // row no longer holds the value it was computed from (neuro-integrate).
    "::mlir::UnitAttr":$held_coefficient,
    // A projection whose synapses all have this weight, kept in no row
    // (convert-neuro-to-kernels).
    "::mlir::FloatAttr":$constant_weight,
    // A projection whose kernels read the source of each synapse.
    "::mlir::UnitAttr":$needs_sources,
    // The loop over neurons of a step kernel: independent iterations.
    "::mlir::UnitAttr":$neuron_loop,
    // A loop over vectors of this many neurons (neuro-vectorize-kernels).
    "::mlir::IntegerAttr":$vector_width,
    // A module whose per-step kernels take float32 rows
    // (neuro-narrow-precision).
    "::mlir::UnitAttr":$single_precision,
    // A module whose per-step synapse kernels take float32 synapse rows,
    // the rest staying f64 (neuro-narrow-precision{synapses-only}).
    "::mlir::UnitAttr":$single_synapses,
    // A step count times dt (a time, or a rate times one) that single
    // precision computes in f64 with what is derived from it, as Brian2
    // keeps its clock in float64 (convert-neuro-to-kernels).
    "::mlir::UnitAttr":$step_time,
    // A GPU delivery kernel run by a block per spike
    // (convert-kernels-to-gpu).
    "::mlir::UnitAttr":$row_parallel,
    // The initial value of a parameter that is a row only because a run may
    // set it (--tunable, or computed from such a row; neuro-select-rows):
    // its row goes after the others, whose random streams are keyed by
    // their row index, so that making a parameter tunable changes no draw.
    "::mlir::UnitAttr":$tuned
  );
}

class Neuro_Op<string mnemonic, list<Trait> traits = []>
    : Op<Neuro_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Kernels of the runtime contract
//===----------------------------------------------------------------------===//

// The same values as rt::KernelKind (runtime/include/neuro/Runtime/
// Kernels.h); NeuroDialect.cpp checks them.
def Neuro_KernelKind : I32EnumAttr<"KernelKind",
    "the kind of a kernel the runtime calls", [
  I32EnumAttrCase<"Step", 0, "step">,
  I32EnumAttrCase<"Reset", 1, "reset">,
  I32EnumAttrCase<"Init", 2, "init">,
  I32EnumAttrCase<"Derive", 3, "derive">,
  I32EnumAttrCase<"Deliver", 4, "deliver">,
  I32EnumAttrCase<"DeliverPost", 5, "deliver_post">,
  I32EnumAttrCase<"Update", 6, "update">,
  I32EnumAttrCase<"Connect", 7, "connect">,
  I32EnumAttrCase<"SynInit", 8, "syninit">,
  I32EnumAttrCase<"Sum", 9, "sum">,
  I32EnumAttrCase<"Sample", 10, "sample">
]> {
  let cppNamespace = "::neuro";
  let genSpecializedAttr = 0;
}

def Neuro_KernelAttr : AttrDef<Neuro_Dialect, "Kernel"> {
  let mnemonic = "kernel";
  let summary = "the kind and owner of a kernel of the runtime contract";
  let description = [{
    `#neuro.kernel<deliver, "E_to_I">` marks a function (under the
    dialect's discardable attribute `neuro.kernel`) as the kernel of kind
    `deliver` of the population or projection `E_to_I`: its arguments are
    those of the kind in runtime/include/neuro/Runtime/ABI.h, and its
    symbol is rt::kernelName of the kind, network and owner.
    convert-neuro-to-kernels marks every kernel it creates; the passes
    after it read the kind from here, never from the symbol, and
    convert-kernels-to-gpu marks the GPU kernels it makes of them.
  }];
  let parameters = (ins
    EnumParameter<Neuro_KernelKind>:$kind,
    StringRefParameter<"the population or projection">:$owner);
  let assemblyFormat = "`<` $kind `,` $owner `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The runtime's name for the kind.
    ::neuro::rt::KernelKind getRuntimeKind() const {
      return ::neuro::runtimeKind(getKind());
    }
    /// Whether the kernel runs in every step (rt::runsEveryStep).
    bool runsEveryStep() const;
    /// Whether it takes the rows the step kernels update, in the run's
    /// precision (rt::takesStepRows).
    bool takesStepRows() const;
  }];
}

#endif // NEURO_DIALECT_TD
