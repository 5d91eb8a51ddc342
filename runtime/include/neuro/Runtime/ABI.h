//===- ABI.h - Contract between generated kernels and the runtime -*- C -*-===//
//
// The only interface between code produced by the Neuro compiler and the
// runtime. Kernels are emitted with MLIR's C interface
// (`llvm.emit_c_interface`), so every memref argument arrives as a pointer
// to a strided descriptor and every scalar by value. Written down here:
// each kind of kernel's signature (the function types below), the position
// of each of its arguments (NEURO_<KIND>_ARG_*, which the compiler builds
// and reads the kernels with), and the parameters of the GPU kernels made
// from them (NEURO_GPU_*, which the CUDA backend launches them with). The
// kinds and their symbol names are rt::KernelKind and rt::kernelName
// (Kernels.h); in the IR a kernel function carries #neuro.kernel<kind,
// "owner">. Bump NEURO_ABI_VERSION on any change to the binary contract.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_ABI_H
#define NEURO_RUNTIME_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Version of this contract. Generated modules export
/// `int64_t neuro_abi_version(void)` returning the version they were built for.
#define NEURO_ABI_VERSION 17

/// memref<?xT> as laid out by MLIR's LLVM lowering.
#define NEURO_MEMREF_1D(NAME, T)                                               \
  typedef struct NAME {                                                        \
    T *allocated;                                                              \
    T *aligned;                                                                \
    int64_t offset;                                                            \
    int64_t size;                                                              \
    int64_t stride;                                                            \
  } NAME

/// memref<?x?xT> (row-major) as laid out by MLIR's LLVM lowering.
#define NEURO_MEMREF_2D(NAME, T)                                               \
  typedef struct NAME {                                                        \
    T *allocated;                                                              \
    T *aligned;                                                                \
    int64_t offset;                                                            \
    int64_t sizes[2];                                                          \
    int64_t strides[2];                                                        \
  } NAME

NEURO_MEMREF_1D(NeuroMemRefI8, int8_t);
NEURO_MEMREF_1D(NeuroMemRefI32, int32_t);
NEURO_MEMREF_1D(NeuroMemRefI64, int64_t);
NEURO_MEMREF_1D(NeuroMemRefF64, double);
NEURO_MEMREF_2D(NeuroMemRef2DF64, double);

/// Single precision (ModelSpec::singlePrecision, `--precision=single`):
/// the per-step kernels (step, reset, deliver, deliver_post, sum, update) take
/// the state and synapse rows as memref<?x?xf32>. The descriptors have the
/// same layout; the runtime passes NeuroMemRef2DF64 descriptors whose
/// pointers address float arrays, and the kernels only read their
/// addresses. `mods` stays f64; init, connect and syninit stay f64 and
/// work on the runtime's double rows before they are rounded. Mixed
/// precision (ModelSpec::singleSynapses without singlePrecision,
/// `--precision=mixed`): only the `syn` argument of deliver, deliver_post
/// sum and update is memref<?x?xf32>.

/// After each kind's signature: the position of each argument
/// (NEURO_<KIND>_ARG_<NAME>) and their number (NEURO_<KIND>_NUM_ARGS), by
/// which convert-neuro-to-kernels builds the kernels and later passes read
/// their arguments.

/// Population update: integrates neurons `begin` to `end - 1` of the
/// population from step `step` to `step + 1`, evaluates the threshold and sets
/// `spiked[i]` to 1 (else 0) for each of them. `state` is [rows][neurons],
/// structure of arrays, of the whole population. Kernels index state rows
/// by neuron through `aligned` and `strides[0]` alone (identity layout):
/// over several processes a descriptor may hold only some neurons' rows,
/// its `aligned` then being where neuron 0 would be and `strides[0]` the
/// number of neurons held; only those neurons are passed (`begin`..`end`,
/// spike lists, synapse targets). Init and derive kernels always get rows
/// of every neuron. `seed` is the network's
/// seed, for the random numbers the kernel draws through neuro_rt_uniform.
/// Neurons are independent: disjoint ranges may run on different threads.
/// Symbol: `_mlir_ciface_neuro_step_<network>_<population>`.
typedef void (*NeuroStepFn)(NeuroMemRef2DF64 *state, NeuroMemRefI8 *spiked,
                            int64_t step, int64_t seed, int64_t begin,
                            int64_t end);
enum NeuroStepArg {
  NEURO_STEP_ARG_STATE = 0,
  NEURO_STEP_ARG_SPIKED = 1,
  NEURO_STEP_ARG_STEP = 2,
  NEURO_STEP_ARG_SEED = 3,
  NEURO_STEP_ARG_BEGIN = 4,
  NEURO_STEP_ARG_END = 5,
  NEURO_STEP_NUM_ARGS = 6
};

/// Reset of the neurons listed in `spikes` (indices into the population),
/// called after spike delivery of step `step`; `seed` is the network's, for
/// the random numbers a reset draws (keyed by neuron and step, as the step
/// kernel's).
/// Symbol: `_mlir_ciface_neuro_reset_<network>_<population>`.
typedef void (*NeuroResetFn)(NeuroMemRefI32 *spikes, NeuroMemRef2DF64 *state,
                             int64_t step, int64_t seed);
enum NeuroResetArg {
  NEURO_RESET_ARG_SPIKES = 0,
  NEURO_RESET_ARG_STATE = 1,
  NEURO_RESET_ARG_STEP = 2,
  NEURO_RESET_ARG_SEED = 3,
  NEURO_RESET_NUM_ARGS = 4
};

/// Synapse kernels share these arguments: `syn` [rows][synapses] is the
/// projection's synapse state, `post` and `pre` the state of its target and
/// source population, `mods` holds the plasticity flag (mods[0]: 1 while the
/// projection is plastic, else 0; its weight is then left unchanged) and
/// the values of the synapse's modulators (mods[1 + m]), and `step` is the
/// current step (per-synapse states solved between events advance from the
/// step in their `_lastupdate` row). The event kernels (deliver,
/// deliver_post) also take the network's `seed`, for the random numbers an
/// event draws: keyed by the synapse's source and target (global indices)
/// and the step, so that the same event draws the same number whatever the
/// threads, processes, backend or form (stored, procedural) of the
/// projection.

/// `on pre` of one projection for the source neurons listed in `spikes`:
/// for every synapse j in row_ptr[s * stride + part] .. row_ptr[s * stride +
/// part + 1] of each spike s, with target cols[j]. With stride 1 and part 0,
/// row_ptr is a CSR row pointer; with stride P + 1, row_ptr[s * (P + 1) + p]
/// .. [s * (P + 1) + p + 1] is the part of row s whose targets lie in the
/// p-th of P target ranges, and calls for different parts may run at once.
/// Only the entries of the listed sources are read, and only they need
/// hold anything: the CPU backend passes stride 2, part 0 and, at 2 s and
/// 2 s + 1, the start and end of each listed source's row (or of its part),
/// gathered from row pointers it keeps in fewer bytes (RowIndex.h).
/// Symbol: `_mlir_ciface_neuro_deliver_<network>_<projection>`.
typedef void (*NeuroDeliverFn)(NeuroMemRefI32 *spikes, NeuroMemRefI64 *rowPtr,
                               int64_t stride, int64_t part,
                               NeuroMemRefI32 *cols, NeuroMemRef2DF64 *syn,
                               NeuroMemRef2DF64 *post, NeuroMemRef2DF64 *pre,
                               NeuroMemRefF64 *mods, int64_t step,
                               int64_t seed);
enum NeuroDeliverArg {
  NEURO_DELIVER_ARG_SPIKES = 0,
  NEURO_DELIVER_ARG_ROW_PTR = 1,
  NEURO_DELIVER_ARG_STRIDE = 2,
  NEURO_DELIVER_ARG_PART = 3,
  NEURO_DELIVER_ARG_COLS = 4,
  NEURO_DELIVER_ARG_SYN = 5,
  NEURO_DELIVER_ARG_POST = 6,
  NEURO_DELIVER_ARG_PRE = 7,
  NEURO_DELIVER_ARG_MODS = 8,
  NEURO_DELIVER_ARG_STEP = 9,
  NEURO_DELIVER_ARG_SEED = 10,
  NEURO_DELIVER_NUM_ARGS = 11
};

/// `on post` of one projection for the target neurons listed in `spikes`
/// (spiked in step `step`): for every target t, the synapses
/// syn_index[col_ptr[t]..col_ptr[t+1]] onto it; `srcs[j]` is the source of
/// synapse j (needed only when the projection says so, else may be empty).
/// Only projections whose synapse has `on post` have this kernel.
/// Symbol: `_mlir_ciface_neuro_deliver_post_<network>_<projection>`.
typedef void (*NeuroDeliverPostFn)(
    NeuroMemRefI32 *spikes, NeuroMemRefI64 *colPtr, NeuroMemRefI64 *synIndex,
    NeuroMemRefI32 *srcs, NeuroMemRef2DF64 *syn, NeuroMemRef2DF64 *post,
    NeuroMemRef2DF64 *pre, NeuroMemRefF64 *mods, int64_t step, int64_t seed);
enum NeuroDeliverPostArg {
  NEURO_DELIVER_POST_ARG_SPIKES = 0,
  NEURO_DELIVER_POST_ARG_COL_PTR = 1,
  NEURO_DELIVER_POST_ARG_SYN_INDEX = 2,
  NEURO_DELIVER_POST_ARG_SRCS = 3,
  NEURO_DELIVER_POST_ARG_SYN = 4,
  NEURO_DELIVER_POST_ARG_POST = 5,
  NEURO_DELIVER_POST_ARG_PRE = 6,
  NEURO_DELIVER_POST_ARG_MODS = 7,
  NEURO_DELIVER_POST_ARG_STEP = 8,
  NEURO_DELIVER_POST_ARG_SEED = 9,
  NEURO_DELIVER_POST_NUM_ARGS = 10
};

/// Two kernels of a projection take these arguments, for synapses
/// j = 0..size(cols) from srcs[j] to cols[j]:
/// - sum, every step before the populations' step kernels: sets the target
///   rows of summed drives to the sum over each target's synapses, from the
///   values at the start of the step. Only projections with summed drives
///   have it. Symbol: `_mlir_ciface_neuro_sum_<network>_<projection>`.
/// - update, every step: integrates the clock-driven per-synapse equations
///   from step `step` to `step + 1`, before the populations' step kernels,
///   or after them and their threshold where the equations read neuron
///   state (ProjectionSpec::updateAfterStep). Only projections with such
///   equations have it.
///   Symbol: `_mlir_ciface_neuro_update_<network>_<projection>`.
typedef void (*NeuroUpdateFn)(NeuroMemRefI32 *srcs, NeuroMemRefI32 *cols,
                              NeuroMemRef2DF64 *syn, NeuroMemRef2DF64 *post,
                              NeuroMemRef2DF64 *pre, NeuroMemRefF64 *mods,
                              int64_t step);
enum NeuroUpdateArg {
  NEURO_UPDATE_ARG_SRCS = 0,
  NEURO_UPDATE_ARG_COLS = 1,
  NEURO_UPDATE_ARG_SYN = 2,
  NEURO_UPDATE_ARG_POST = 3,
  NEURO_UPDATE_ARG_PRE = 4,
  NEURO_UPDATE_ARG_MODS = 5,
  NEURO_UPDATE_ARG_STEP = 6,
  NEURO_UPDATE_NUM_ARGS = 7
};

/// Initial values given by expressions of the neuron index, once when the
/// network is built, after the other initial values are set.
/// Symbol: `_mlir_ciface_neuro_init_<network>_<population>`. The derived
/// parameters (`_mlir_ciface_neuro_derive_<network>_<population>`) have
/// the same signature.
typedef void (*NeuroInitFn)(NeuroMemRef2DF64 *state, int64_t seed);
enum NeuroInitArg {
  NEURO_INIT_ARG_STATE = 0,
  NEURO_INIT_ARG_SEED = 1,
  NEURO_INIT_NUM_ARGS = 2
};

/// The lets a network records of a population (neuro.let): for neurons
/// `begin` to `end - 1`, each let's value at the start of step `step` into
/// its row, from the rows as the step kernel of that step finds them.
/// `state` is described as the step kernel's (rows of some neurons over
/// several processes; float32 in single precision), but the kernel runs on
/// the host only, before the runtime samples those rows.
/// Symbol: `_mlir_ciface_neuro_sample_<network>_<population>`.
typedef void (*NeuroSampleFn)(NeuroMemRef2DF64 *state, int64_t step,
                              int64_t begin, int64_t end);
enum NeuroSampleArg {
  NEURO_SAMPLE_ARG_STATE = 0,
  NEURO_SAMPLE_ARG_STEP = 1,
  NEURO_SAMPLE_ARG_BEGIN = 2,
  NEURO_SAMPLE_ARG_END = 3,
  NEURO_SAMPLE_NUM_ARGS = 4
};

/// The probability that source i connects to target j (a connection rule
/// given by an expression); `pre` and `post` are the populations' states.
/// Symbol: `_mlir_ciface_neuro_connect_<network>_<projection>`.
typedef double (*NeuroConnectFn)(int64_t i, int64_t j, NeuroMemRef2DF64 *pre,
                                 NeuroMemRef2DF64 *post, int64_t seed);
enum NeuroConnectArg {
  NEURO_CONNECT_ARG_I = 0,
  NEURO_CONNECT_ARG_J = 1,
  NEURO_CONNECT_ARG_PRE = 2,
  NEURO_CONNECT_ARG_POST = 3,
  NEURO_CONNECT_ARG_SEED = 4,
  NEURO_CONNECT_NUM_ARGS = 5
};

/// Per-synapse initial values given by expressions, for synapses
/// s = 0..size(cols) from srcs[s] to cols[s], which are synapses first + s
/// of the projection (CSR order; their draws are keyed by first + s, so
/// that a projection can be initialized in blocks, on several threads):
/// writes the rows of `syn` that have expressions ([synapse rows, then the
/// delay in seconds when it is an expression][size(cols)]). `inDegree`
/// (by target) and `outDegree` (by source) count the whole projection's
/// synapses of each neuron, for expressions that read them (N_incoming,
/// N_outgoing); empty when none does.
/// Symbol: `_mlir_ciface_neuro_syninit_<network>_<projection>`.
typedef void (*NeuroSynInitFn)(NeuroMemRefI32 *srcs, NeuroMemRefI32 *cols,
                               NeuroMemRef2DF64 *syn, NeuroMemRef2DF64 *pre,
                               NeuroMemRef2DF64 *post, int64_t seed,
                               int64_t first, NeuroMemRefI32 *inDegree,
                               NeuroMemRefI32 *outDegree);
enum NeuroSynInitArg {
  NEURO_SYNINIT_ARG_SRCS = 0,
  NEURO_SYNINIT_ARG_COLS = 1,
  NEURO_SYNINIT_ARG_SYN = 2,
  NEURO_SYNINIT_ARG_PRE = 3,
  NEURO_SYNINIT_ARG_POST = 4,
  NEURO_SYNINIT_ARG_SEED = 5,
  NEURO_SYNINIT_ARG_FIRST = 6,
  NEURO_SYNINIT_ARG_IN_DEGREE = 7,
  NEURO_SYNINIT_ARG_OUT_DEGREE = 8,
  NEURO_SYNINIT_NUM_ARGS = 9
};

/// GPU kernels (convert-kernels-to-gpu; launched by runtime/backends/cuda).
/// The kernels that run every step (step, reset, deliver, deliver_post,
/// sum, update) become kernels of `gpu.module @neuro_kernels` under their own
/// symbol (neuro_step_<network>_<population>, ...), or `<symbol>_0`,
/// `<symbol>_1`, ... when one has several top-level loops (launched in that
/// order, with the same parameters). A kernel's parameters are the
/// arguments of its kind above, followed by:
///
///   step          nothing: it sets the spike flags, and the spike lists
///                 kernels below make the list (neuron order, no atomics).
///   reset         count (memref<?xi32>): the length of `spikes`.
///   deliver       counts (memref<?xi32>, one per ring slot), delays
///                 (memref<?xi64>, one per delay group, in steps), depth,
///                 list_size, row_stride, first_group, end_group (i64).
///                 `spikes` is the source's whole ring of spike lists
///                 (depth slots of list_size) and `row_ptr` the row pointers
///                 of every delay group, row_stride apart; the grid's y
///                 dimension strides over groups [first_group, end_group),
///                 and group g reads ring slot (step - delays[g]) mod depth.
///   deliver_post  count (memref<?xi32>): the length of `spikes`.
///   sum, update   nothing.
///
/// A delivery whose targets can pull their inputs also gets
/// `<symbol>$by_target` (NEURO_GPU_PULL_SUFFIX): deliver's arguments, then
/// post_ptr, post_syn (memref<?xi64>: the synapses by target), srcs,
/// delays (memref<?xi32>: each synapse's source and delay in steps), flags
/// (memref<?xi8>: the source's ring of spike flags, depth slots of
/// list_size), depth, list_size and targets (i64); thread t handles target
/// t.
///
/// Every memref parameter is passed as the fields of its descriptor
/// (allocated and aligned pointer, offset, sizes, strides), each 8 bytes
/// (rt::cuda::KernelArgs packs them so).
enum NeuroGpuStepArg { NEURO_GPU_STEP_NUM_ARGS = NEURO_STEP_NUM_ARGS };
enum NeuroGpuResetArg {
  NEURO_GPU_RESET_ARG_COUNT = NEURO_RESET_NUM_ARGS,
  NEURO_GPU_RESET_NUM_ARGS
};
enum NeuroGpuDeliverArg {
  NEURO_GPU_DELIVER_ARG_COUNTS = NEURO_DELIVER_NUM_ARGS,
  NEURO_GPU_DELIVER_ARG_DELAYS,
  NEURO_GPU_DELIVER_ARG_DEPTH,
  NEURO_GPU_DELIVER_ARG_LIST_SIZE,
  NEURO_GPU_DELIVER_ARG_ROW_STRIDE,
  NEURO_GPU_DELIVER_ARG_FIRST_GROUP,
  NEURO_GPU_DELIVER_ARG_END_GROUP,
  NEURO_GPU_DELIVER_NUM_ARGS
};
enum NeuroGpuDeliverPostArg {
  NEURO_GPU_DELIVER_POST_ARG_COUNT = NEURO_DELIVER_POST_NUM_ARGS,
  NEURO_GPU_DELIVER_POST_NUM_ARGS
};
enum NeuroGpuUpdateArg { NEURO_GPU_UPDATE_NUM_ARGS = NEURO_UPDATE_NUM_ARGS };
enum NeuroGpuPullArg {
  NEURO_GPU_PULL_ARG_POST_PTR = NEURO_DELIVER_NUM_ARGS,
  NEURO_GPU_PULL_ARG_POST_SYN,
  NEURO_GPU_PULL_ARG_SRCS,
  NEURO_GPU_PULL_ARG_DELAYS,
  NEURO_GPU_PULL_ARG_FLAGS,
  NEURO_GPU_PULL_ARG_DEPTH,
  NEURO_GPU_PULL_ARG_LIST_SIZE,
  NEURO_GPU_PULL_ARG_TARGETS,
  NEURO_GPU_PULL_NUM_ARGS
};
#define NEURO_GPU_PULL_SUFFIX "$by_target"

/// A kernel of several loops becomes one GPU kernel per loop, in order:
/// `<symbol>$0`, `<symbol>$1`, ... A `$` cannot appear in a model's names,
/// so a part never takes the name of another kernel (`P_to_Q` and the
/// default name `P_to_Q_1` of the next projection between them).
#define NEURO_GPU_PART_SEPARATOR "$"

/// Spike lists in neuron order, for every population the step kernels ran
/// for, in two launches after them: `neuro_spikes_count` counts the flags
/// of each chunk of a population's neurons, and `neuro_spikes_compact`
/// writes the spiking neurons of each chunk into the list from the sum of
/// the counts of the chunks before it (an exclusive prefix sum), and the
/// thread of the last chunk writes the count. No atomics: the list and the
/// count are the same in every run and on every device.
///
/// Both take the same parameters: the flag rings (memref<?xi8>), spike
/// list rings and count rings (memref<?xi32>) of all populations, each
/// population's ring at an offset of its own, the chunk counts (memref<?xi32>,
/// scratch), a table (memref<?xi64>) of NEURO_GPU_SPIKES_COLUMNS entries per
/// population, the number of populations and the ring slot of the step
/// (i64). The grid's y dimension strides over populations, x over a
/// population's chunks. Slot s of a population of `size` neurons has its
/// flags at `flags + s * size`, its list at `list + s * size` and its
/// count at `count + s`.
#define NEURO_GPU_SPIKES_COUNT_KERNEL "neuro_spikes_count"
#define NEURO_GPU_SPIKES_COMPACT_KERNEL "neuro_spikes_compact"
enum NeuroGpuSpikesArg {
  NEURO_GPU_SPIKES_ARG_FLAGS = 0,
  NEURO_GPU_SPIKES_ARG_LISTS = 1,
  NEURO_GPU_SPIKES_ARG_COUNTS = 2,
  NEURO_GPU_SPIKES_ARG_CHUNKS = 3,
  NEURO_GPU_SPIKES_ARG_TABLE = 4,
  NEURO_GPU_SPIKES_ARG_POPULATIONS = 5,
  NEURO_GPU_SPIKES_ARG_SLOT = 6,
  NEURO_GPU_SPIKES_NUM_ARGS = 7
};
/// A population's entries in the table of the spike lists kernels.
enum NeuroGpuSpikesColumn {
  NEURO_GPU_SPIKES_SIZE = 0,       ///< neurons
  NEURO_GPU_SPIKES_FLAGS = 1,      ///< offset of its flag ring
  NEURO_GPU_SPIKES_LIST = 2,       ///< offset of its spike list ring
  NEURO_GPU_SPIKES_COUNT = 3,      ///< offset of its count ring
  NEURO_GPU_SPIKES_CHUNK_BASE = 4, ///< its first chunk count
  NEURO_GPU_SPIKES_CHUNK = 5,      ///< neurons per chunk (at least 1)
  NEURO_GPU_SPIKES_COLUMNS = 6
};

/// Merged kernels (neuro-merge-gpu-kernels): the step kernels of
/// populations whose kernels differ only in the values of constants (their
/// parameters), and likewise their resets and the deliveries of
/// projections, become one kernel for all of them,
/// `neuro_merged_<kind>_<group>` (NEURO_GPU_MERGED_PREFIX, kind `step`,
/// `reset` or `deliver`), launched once per step. The grid's y dimension
/// (z for deliveries) strides over the group's members; member m reads its
/// entries from row
/// m of a table (memref<?xi64>, NEURO_GPU_MERGED_<KIND>_COLUMNS + P
/// entries a row, P the group's parameters). Each memref argument of the
/// unmerged kernel becomes one allocation for all populations (an arena),
/// of which a member sees the part its table entries give: a 1D memref
/// [offset, slot stride, size] (its elements start at offset + slot *
/// slot stride), a 2D one [offset, slot stride, rows, columns]. Scalars
/// the same for all members (step, seed) stay parameters; those of a
/// member (begin, end) are entries of its row. Then come the P values of
/// the member's constants that differ within the group, as 64-bit
/// patterns (integers sign-extended, floats' bits).
///
/// The kernel of each member's own symbol is gone; in its place,
/// `<symbol>$member` (NEURO_GPU_MEMBER_SUFFIX) takes an info buffer
/// (memref<?xi64>, NEURO_GPU_MEMBER_INFO_SIZE entries) and writes the
/// group, the member's index in it, the number of members, P and the P
/// values (NEURO_GPU_MEMBER_INFO_*), which the runtime reads once.
#define NEURO_GPU_MERGED_PREFIX "neuro_merged_"
#define NEURO_GPU_MEMBER_SUFFIX "$member"
/// The most parameters of a merged group: groups with more stay apart.
#define NEURO_GPU_MERGED_MAX_PARAMS 1024
enum NeuroGpuMemberInfo {
  NEURO_GPU_MEMBER_INFO_GROUP = 0,
  NEURO_GPU_MEMBER_INFO_INDEX = 1,
  NEURO_GPU_MEMBER_INFO_MEMBERS = 2,
  NEURO_GPU_MEMBER_INFO_PARAMS = 3,
  NEURO_GPU_MEMBER_INFO_FIRST_PARAM = 4,
  NEURO_GPU_MEMBER_INFO_SIZE = 4 + NEURO_GPU_MERGED_MAX_PARAMS
};
/// neuro_merged_step_<group>: the state rows and spike flag rings of all
/// populations, step, seed, the table, the number of members and the ring
/// slot of the step.
enum NeuroGpuMergedStepArg {
  NEURO_GPU_MERGED_STEP_ARG_STATE = 0,
  NEURO_GPU_MERGED_STEP_ARG_FLAGS = 1,
  NEURO_GPU_MERGED_STEP_ARG_STEP = 2,
  NEURO_GPU_MERGED_STEP_ARG_SEED = 3,
  NEURO_GPU_MERGED_STEP_ARG_TABLE = 4,
  NEURO_GPU_MERGED_STEP_ARG_MEMBERS = 5,
  NEURO_GPU_MERGED_STEP_ARG_SLOT = 6,
  NEURO_GPU_MERGED_STEP_NUM_ARGS = 7
};
/// A member's row: its state (2D), its flags (1D), begin and end.
enum NeuroGpuMergedStepColumn {
  NEURO_GPU_MERGED_STEP_STATE = 0,
  NEURO_GPU_MERGED_STEP_FLAGS = 4,
  NEURO_GPU_MERGED_STEP_BEGIN = 7,
  NEURO_GPU_MERGED_STEP_END = 8,
  NEURO_GPU_MERGED_STEP_COLUMNS = 9
};
/// neuro_merged_reset_<group>: the spike list rings, state rows and count
/// rings of all populations, step, seed, the table, the number of members
/// and the ring slot of the step.
enum NeuroGpuMergedResetArg {
  NEURO_GPU_MERGED_RESET_ARG_SPIKES = 0,
  NEURO_GPU_MERGED_RESET_ARG_STATE = 1,
  NEURO_GPU_MERGED_RESET_ARG_COUNT = 2,
  NEURO_GPU_MERGED_RESET_ARG_STEP = 3,
  NEURO_GPU_MERGED_RESET_ARG_SEED = 4,
  NEURO_GPU_MERGED_RESET_ARG_TABLE = 5,
  NEURO_GPU_MERGED_RESET_ARG_MEMBERS = 6,
  NEURO_GPU_MERGED_RESET_ARG_SLOT = 7,
  NEURO_GPU_MERGED_RESET_NUM_ARGS = 8
};
/// A member's row: its spike list (1D), state (2D) and count (1D).
enum NeuroGpuMergedResetColumn {
  NEURO_GPU_MERGED_RESET_SPIKES = 0,
  NEURO_GPU_MERGED_RESET_STATE = 3,
  NEURO_GPU_MERGED_RESET_COUNT = 7,
  NEURO_GPU_MERGED_RESET_COLUMNS = 10
};

/// neuro_merged_deliver_<group>: the deliveries that take every delay
/// group of their projection in one launch (those that write only their
/// synapses and targets). The grid's z dimension strides over the members,
/// y over a member's delay groups and x over its spikes, as in its own
/// kernel. The memref arguments of a delivery (NEURO_GPU_DELIVER_ARG_*)
/// are allocations for all populations (spike list and count rings, state
/// rows: post and pre are the same one) or all projections (row pointers,
/// targets, synapse rows, modulators, delays), of which a member sees the
/// part its row gives; step, seed and the rings' depth are the same for
/// all.
enum NeuroGpuMergedDeliverArg {
  NEURO_GPU_MERGED_DELIVER_ARG_SPIKES = 0,
  NEURO_GPU_MERGED_DELIVER_ARG_ROW_PTR = 1,
  NEURO_GPU_MERGED_DELIVER_ARG_COLS = 2,
  NEURO_GPU_MERGED_DELIVER_ARG_SYN = 3,
  NEURO_GPU_MERGED_DELIVER_ARG_POST = 4,
  NEURO_GPU_MERGED_DELIVER_ARG_PRE = 5,
  NEURO_GPU_MERGED_DELIVER_ARG_MODS = 6,
  NEURO_GPU_MERGED_DELIVER_ARG_STEP = 7,
  NEURO_GPU_MERGED_DELIVER_ARG_SEED = 8,
  NEURO_GPU_MERGED_DELIVER_ARG_COUNTS = 9,
  NEURO_GPU_MERGED_DELIVER_ARG_DELAYS = 10,
  NEURO_GPU_MERGED_DELIVER_ARG_DEPTH = 11,
  NEURO_GPU_MERGED_DELIVER_ARG_TABLE = 12,
  NEURO_GPU_MERGED_DELIVER_ARG_MEMBERS = 13,
  NEURO_GPU_MERGED_DELIVER_NUM_ARGS = 14
};
/// A member's row: its source's spike list ring (1D: the whole ring), its
/// row pointers (1D), stride and part, targets (1D), synapse rows, target
/// and source state (2D), modulators (1D), its source's count ring (1D),
/// its delays (1D), the list size, the row pointers' stride and its delay
/// groups [first, end).
enum NeuroGpuMergedDeliverColumn {
  NEURO_GPU_MERGED_DELIVER_SPIKES = 0,
  NEURO_GPU_MERGED_DELIVER_ROW_PTR = 3,
  NEURO_GPU_MERGED_DELIVER_STRIDE = 6,
  NEURO_GPU_MERGED_DELIVER_PART = 7,
  NEURO_GPU_MERGED_DELIVER_COLS = 8,
  NEURO_GPU_MERGED_DELIVER_SYN = 11,
  NEURO_GPU_MERGED_DELIVER_POST = 15,
  NEURO_GPU_MERGED_DELIVER_PRE = 19,
  NEURO_GPU_MERGED_DELIVER_MODS = 23,
  NEURO_GPU_MERGED_DELIVER_COUNTS = 26,
  NEURO_GPU_MERGED_DELIVER_DELAYS = 29,
  NEURO_GPU_MERGED_DELIVER_LIST_SIZE = 32,
  NEURO_GPU_MERGED_DELIVER_ROW_STRIDE = 33,
  NEURO_GPU_MERGED_DELIVER_FIRST_GROUP = 34,
  NEURO_GPU_MERGED_DELIVER_END_GROUP = 35,
  NEURO_GPU_MERGED_DELIVER_COLUMNS = 36
};

/// `neuro_abi_version` exported by every generated module.
typedef int64_t (*NeuroAbiVersionFn)(void);

/// Provided by the runtime to generated code: a uniform number in [0, 1)
/// that depends only on (seed, stream, index, counter): Philox4x32-10 keyed
/// by the seed, see Philox.h. Kernels pass the neuron index and the step.
double neuro_rt_uniform(int64_t seed, int32_t stream, int64_t index,
                        int64_t counter);

/// Provided by the runtime to generated code: out = exp(in) for the n x n
/// row-major matrices at the addresses `in` and `out` (see Expm.h), for
/// exact propagators whose coefficients differ per neuron.
void neuro_rt_expm(int64_t n, int64_t in, int64_t out);

/// A standard normal number from the same generator (Box-Muller on the
/// uniforms at 2 counter and 2 counter + 1).
double neuro_rt_normal(int64_t seed, int32_t stream, int64_t index,
                       int64_t counter);

#ifdef __cplusplus
} // extern "C"

static_assert(sizeof(NeuroMemRefI8) == 40, "memref<?xi8> descriptor");
static_assert(sizeof(NeuroMemRefI32) == 40, "memref<?xi32> descriptor");
static_assert(sizeof(NeuroMemRefI64) == 40, "memref<?xi64> descriptor");
static_assert(sizeof(NeuroMemRefF64) == 40, "memref<?xf64> descriptor");
static_assert(sizeof(NeuroMemRef2DF64) == 56, "memref<?x?xf64> descriptor");

namespace neuro::abi {
/// The number of parameters of function type `F`.
template <typename F> struct Arity;
template <typename R, typename... Args> struct Arity<R (*)(Args...)> {
  static constexpr int value = sizeof...(Args);
};
} // namespace neuro::abi

static_assert(neuro::abi::Arity<NeuroStepFn>::value == NEURO_STEP_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroResetFn>::value == NEURO_RESET_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroDeliverFn>::value ==
              NEURO_DELIVER_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroDeliverPostFn>::value ==
              NEURO_DELIVER_POST_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroUpdateFn>::value == NEURO_UPDATE_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroInitFn>::value == NEURO_INIT_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroConnectFn>::value ==
              NEURO_CONNECT_NUM_ARGS);
static_assert(neuro::abi::Arity<NeuroSynInitFn>::value ==
              NEURO_SYNINIT_NUM_ARGS);
#endif

#endif // NEURO_RUNTIME_ABI_H
