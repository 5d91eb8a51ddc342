//===- Passes.td - Conversions out of neuro, kernel passes -*- tablegen -*-===//

#ifndef NEURO_CONVERSION_PASSES_TD
#define NEURO_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNeuroToKernels : Pass<"convert-neuro-to-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline populations and projections into step kernels";
  let description = [{
    Turns every network into kernels with the C interface of runtime/ABI.h.
    Per population not given by spike times or a Poisson rate:
    `neuro_step_<net>_<pop>` (advance neurons [begin, end) one step over the
    [rows][neurons] state memref, evaluate the threshold and
    refractoriness, flag spikes), `neuro_reset_<net>_<pop>` when it has a
    reset, and `neuro_init_<net>_<pop>` and `neuro_derive_<net>_<pop>` for
    values given by expressions and propagators per neuron. Per projection:
    `neuro_deliver_<net>_<proj>` (run `on pre` for the synapses of each
    spiking source over CSR connectivity, in parts by target),
    `neuro_deliver_post_<net>_<proj>` (`on post`), `neuro_update_<net>_<proj>`
    (summed drives and clock-driven equations, every step), and
    `neuro_connect_<net>_<proj>` and `neuro_syninit_<net>_<proj>` for a
    connection rule and synapse values given by expressions. Each kernel is
    marked `neuro.kernel = #neuro.kernel<kind, "owner">`, from which later
    passes take its kind, and takes its arguments in the order ABI.h names
    (NEURO_<KIND>_ARG_*). Kernels use func/scf/arith/math/memref; the
    module exports `neuro_abi_version`. What remains of the network is the
    data the runtime needs (states, initial values, projections,
    recordings), with the row `_lastspike` added to populations that spike
    and the rows of per-neuron propagators.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::math::MathDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def VectorizeKernels : Pass<"neuro-vectorize-kernels", "::mlir::ModuleOp"> {
  let summary = "Vectorize the loops over neurons of the step kernels";
  let description = [{
    Splits every loop marked `neuro.neuron_loop` into a loop over vectors of
    `width` neurons (marked `neuro.vector_width`) and the scalar loop for the
    neurons left over. State rows are read and written with `vector.load` and
    `vector.store`; elementwise ops act on vectors; `scf.if` on a per-neuron
    condition is if-converted into `arith.select`s (threshold, reset-free
    refractory lanes), a store under it into a whole-vector store of the
    selected new and old values; rows the loop writes are read through
    `llvm.freeze`, so that LLVM does not turn the selects back into masked
    stores (slow on AVX2); random draws are made once per lane. Values the
    same for all neurons stay scalar. Each lane computes what the scalar
    loop computes, so results are bit-identical. Loops the pass cannot
    vectorize are left unchanged.
  }];
  let options = [
    Option<"width", "width", "unsigned", /*default=*/"0",
           "Neurons per vector; 0: from the host CPU (lanes of the loop's "
           "narrowest float type in its widest vector registers: f64 8 "
           "with AVX-512, 4 with AVX, else 2; f32 twice as many; twice "
           "that where the loop calls a math function or divides by a "
           "variable, followed by a loop of one register)">,
    Option<"registerBits", "register-bits", "unsigned", /*default=*/"0",
           "Bits of a vector register for width 0; 0: the host's (512 "
           "with AVX-512, 256 with AVX, else 128)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::LLVM::LLVMDialect"
  ];
}

def NarrowPrecision : Pass<"neuro-narrow-precision", "::mlir::ModuleOp"> {
  let summary = "Single precision: float32 state and arithmetic per step";
  let description = [{
    For `--precision=single`. In the kernels that run every step (marked
    `#neuro.kernel` step, reset, deliver, deliver_post or update), the 2-D
    state and synapse rows (`memref<?x?xf64>` arguments) become
    `memref<?x?xf32>` and every f64 value, scalar or vector, becomes f32;
    f64 constants are rounded to the nearest f32. Other memory keeps its
    type: loads from the modulators and from the scratch buffers of exact
    propagators are followed by `arith.truncf`, stores into them preceded
    by `arith.extf`, and calls keep their callees' types the same way. A
    uniform draw is rounded and then clamped below 1. Time stays f64: the
    products marked `neuro.step_time` (`t`, `lastspike`) and the arith and
    math ops that read them, transitively, keep f64 results; their f32
    operands are widened (f64 constants keep their value for them) and
    their results rounded where other ops read them; a result stored into
    a row is rounded for every reader, and `x += a` into a row rounds `a`
    and adds in f32 (one atomic add on the GPU). The kernels that run
    once (init, connect, synapse init) stay f64. The module gets the unit
    attribute `neuro.single_precision`. Runs before neuro-inline-random and
    neuro-vectorize-kernels, which gives f32 loops twice the lanes.

    With `synapses-only` (`--precision=mixed`), only the synapse rows of
    the deliver, deliver_post and update kernels become `memref<?x?xf32>`:
    each load from them is widened by `arith.extf`, each store into them
    rounded by `arith.truncf`, and the state rows and arithmetic stay f64.
    The module gets `neuro.single_synapses` instead.
  }];
  let options = [
    Option<"synapsesOnly", "synapses-only", "bool", /*default=*/"false",
           "Narrow only the synapse rows (mixed precision)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SimplifyDivision : Pass<"neuro-simplify-division", "::mlir::ModuleOp"> {
  let summary = "Fewer divisions: by constants as multiplications, by "
                "quotients as one division";
  let description = [{
    A division costs a vector loop 4 to 16 times the throughput of a
    multiplication and sits on the chain of every neuron's step. This pass
    replaces
    - `arith.divf %x, %c`, where `%c` is a scalar constant or a splat
      vector of one, by `arith.mulf %x, 1/c`, the reciprocal rounded to the
      element type, as C and C++ compilers do with -ffast-math (Brian2's
      C++ standalone default). Within one ulp of the quotient, equal to it
      when c is a power of two. Divisions whose reciprocal would overflow
      or be subnormal, by 0, infinities and NaN, and those whose quotient
      reaches through float arithmetic a rounding to a whole number
      (floor, ceil, trunc, round, fptosi: `a % b`, `floor(2 * (i / 49))`)
      or a comparison with a nonzero value stay divisions: one ulp there
      can move a whole result. The walk stops at values stored into rows.
    - `a / (b / c)` by `(a * c) / b`, also where the quotient is a
      `select` of 1 and `b / c` (`exprel`, 1 at 0: `4 / exprel(x)` in a
      Hodgkin-Huxley rate), when nothing else uses the quotient and the
      outer division is not kept by the walk above: one division instead
      of two, within two ulp unless `a * c` overflows or underflows where
      the quotient did not.
    Only functions that are not kernels or whose kernel takes the step
    rows (runs in every step, or samples between steps) are rewritten:
    kernels that run once gain nothing, and the runtime rounds some of
    their results (delays to steps) where the pass cannot see.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def InlineRandom : Pass<"neuro-inline-random", "::mlir::ModuleOp"> {
  let summary = "Compute random draws inline instead of calling the runtime";
  let description = [{
    Replaces `func.call @neuro_rt_uniform` and `@neuro_rt_normal` by the
    runtime's computation in arith and math ops: Philox4x32-10 (ten rounds
    of `arith.mului_extended`), 53-bit uniforms and, for normal draws,
    Box-Muller with the log and cos of runtime/include/neuro/Runtime/
    BoxMuller.h, op for op. Draws are the runtime's numbers bit for bit, so
    nothing else changes; inline, neuro-vectorize-kernels draws for a
    vector of neurons at once instead of calling the runtime per lane.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def ExpandMath : Pass<"neuro-expand-math", "::mlir::ModuleOp"> {
  let summary = "Expand f64 exp, expm1 and log1p into arithmetic";
  let description = [{
    Replaces f64 `math.exp` and `math.expm1` (scalars and vectors) by
    Cody-Waite range reduction, a degree-13 polynomial (Estrin's scheme
    but for its constant term: five fused multiply-adds deep) and scaling
    by powers of two in arith ops: vector loops keep vector math instead of
    one libm call per lane, every lane and the scalar rest use the same
    function, and expm1 stays accurate near 0 (MLIR's LLVM lowering computes exp(x) - 1).
    Within 2 ulp of the exact result; NaN and infinities propagate. log1p
    becomes x log(u) / (u - 1), u = 1 + x, instead of MLIR's default
    log(1 + x), which loses the digits of small x.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def MergeKernels : Pass<"neuro-merge-kernels", "::mlir::ModuleOp"> {
  let summary = "Compile kernels with identical bodies once";
  let description = [{
    Populations of one neuron model with the same compile-time parameters
    (and projections of one synapse model) get kernels whose bodies are
    equal up to locations. Of each set of such functions the first keeps
    its body; the others keep their symbols (the runtime binds kernels by
    name) and `#neuro.kernel` marks, which do not count in the comparison,
    and become a call of the first, marked `no_inline` so that LLVM
    does not copy the body back. Compile time then grows with the number of
    distinct kernels, not with the number of populations. Runs on the CPU
    path before the lowering to the LLVM dialect; bodies are compared
    structurally (OperationEquivalence), after grouping by a hash of their
    operations, so the pass is linear in the size of the module.
  }];
}

def PrintModelSpec : Pass<"neuro-print-model-spec", "::mlir::ModuleOp"> {
  let summary = "Print the runtime's description of each lowered network";
  let description = [{
    Reads the rt::ModelSpec of a network from a lowered module, as the
    compiler does before lowering to LLVM (extractModelSpec,
    ExtractModelSpec.cpp), and prints it to standard output in the text
    form of rt::describeModel (runtime/include/neuro/Runtime/ModelPrint.h):
    dt, steps and seed; each population's size, rows, units and initial
    values; each projection's source and target, rule, probability or
    degree, delay, synapse rows, weight row and flags; the recordings and
    the plasticity switches. The module is left unchanged. With `network`
    empty, every network of the module in order.
  }];
  let options = [
    Option<"network", "network", "std::string", /*default=*/"",
           "The network to print; empty: all of them">
  ];
}

def ConvertKernelsToGPU : Pass<"convert-kernels-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Move the per-step kernels into a gpu.module for NVIDIA GPUs";
  let description = [{
    Takes the scalar kernels of the lowered stage (vector width 1) that run
    every step (marked `#neuro.kernel` step, reset, deliver, deliver_post or
    update) into `gpu.module @neuro_kernels`, one `gpu.func` kernel with
    the same mark per top-level loop (`<name>` for one loop, `<name>_<k>`
    for the k-th of several, launched in order; a kernel without loops
    does nothing and gets none). Each
    thread runs the iterations `lb + (thread id) * step`, stepping by the
    grid's size (a grid-stride loop), so any launch size is correct: one
    thread per neuron of a step kernel, per spike of a reset or delivery,
    per synapse or target of an update. Values the loop uses from the top of
    the kernel are recomputed in each kernel.

    A delivery whose loop over spikes holds one loop over the spike's
    synapses (and writes no state of the spiking neuron in it) runs a block
    per spike whose threads take the synapses in turn (blocks and threads
    both stride), marked `neuro.row_parallel`: sparse activity with long
    rows still fills the GPU. Other kernels run a thread per iteration.

    Delivery threads of different spikes may write the same target:
    read-add-write sequences on population state at indices other than the
    thread's own become `memref.atomic_rmw addf`. Synapse rows are owned by
    the thread of their spike (each synapse has one source and one target)
    and stay plain stores.

    The parameters of each kind of GPU kernel are written down in
    runtime/include/neuro/Runtime/ABI.h (NEURO_GPU_*_ARG_*).

    A delivery takes every delay group of its projection in one launch:
    its spike list, row pointers and count (arguments 0, 1 and the added
    count) are the source's ring of spike lists, every group's row pointers
    one after another and the ring's counts, and six more arguments follow
    (each group's delay in steps, the ring's depth, the list size, the row
    pointers' stride, the groups [first, end) of the launch). The grid's y
    dimension strides over the groups; group g reads the list and count of
    ring slot (step - delay[g]) mod depth, when that step is not negative.

    Such a block-per-spike delivery that writes only its synapses and
    targets (not the source's state or the modulators) also gets
    `<name>$by_target`, a thread per target: it takes the first ten
    arguments, then the synapses by target (pointers, ids), each synapse's
    source and delay in steps, the sources' ring of spike flags, its depth,
    the flags per slot and the number of targets. Thread t runs `on pre` for
    each synapse onto t, in id order, whose source's flag is set in slot
    (step - delay) mod depth; its adds stay plain stores.

    Spike lists stay on the device: reset and `on post` kernels take the
    count of their spike list as a last argument (`memref<?xi32>`, element
    0) instead of the list's size. Step kernels only set spike flags; when
    there are any, the pass adds `neuro_spikes_count` and
    `neuro_spikes_compact`, which make every population's list from its
    flags in neuron order (per-chunk counts and their prefix sums, no
    atomics; NEURO_GPU_SPIKES_* in ABI.h). Calls to `neuro_rt_uniform` and
    `neuro_rt_normal` get device functions with the runtime's Philox4x32-10
    streams, so draws equal the CPU's. Kernels that run once (init,
    connect, synapse init) stay on the host.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"
  ];
}

def MergeGPUKernels : Pass<"neuro-merge-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "One kernel for the populations (projections) whose kernels differ only in constants";
  let description = [{
    Runs after convert-kernels-to-gpu. Step kernels (and reset kernels) of
    one network whose bodies are equal up to the values of scalar
    constants (populations of one neuron model with other parameters) are
    merged, as GeNN merges groups, into `neuro_merged_<kind>_<group>`: its
    blocks take the members in the grid's y dimension, each member's state,
    flags, spike list and count are views (`memref.reinterpret_cast`) of
    one buffer for all populations, at the offsets and sizes of the
    member's row of a table, and each constant that differs between the
    members is read from the row too. A step then takes one launch per
    group instead of one per population. Deliveries of projections that
    write only their synapses and targets merge the same way, their
    members in the grid's z dimension (y strides over a member's delay
    groups), their connectivity and synapse rows views of one buffer for
    all projections. The members' own kernels are replaced by
    `<symbol>$member`, which writes the member's group, index and
    constants into a buffer for the runtime
    (runtime/include/neuro/Runtime/ABI.h, NEURO_GPU_MERGED_*). A member
    keeps its operations one for one, so the merged kernel computes what
    its kernel did, bit for bit. Kernels whose buffers are used other than
    by loads, stores, atomics and size queries, kernels of several loops,
    and deliveries that write their source's state or the modulators (the
    runtime launches those per delay group) stay apart.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"
  ];
}

#endif // NEURO_CONVERSION_PASSES_TD
