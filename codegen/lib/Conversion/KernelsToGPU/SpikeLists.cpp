//===- SpikeLists.cpp - Spike lists in neuron order on the GPU ------------===//
//
// Step kernels set a flag per neuron; these two kernels turn the flags of
// every population into its spike list, in neuron order, without atomics:
// a thread per chunk of neurons counts the chunk's flags, then a thread per
// chunk adds up the counts of the chunks before its own and writes its
// chunk's spiking neurons from there. The lists, and so the order in which
// deliveries visit spikes, are the same in every run (and the CPU's).
//
//===----------------------------------------------------------------------===//

#include "GPUKernels.h"

#include "neuro/Runtime/ABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace neuro;

namespace {

/// One population's entry of the table, in the ring slot of the step.
struct Population {
  Value size;      ///< neurons
  Value flags;     ///< where its flags of the slot start
  Value list;      ///< where its list of the slot starts
  Value count;     ///< where its count of the slot is
  Value chunkBase; ///< its first chunk count
  Value chunk;     ///< neurons per chunk
  Value chunks;    ///< number of chunks
};

/// The body of a kernel for chunk `c` of population `pop`, at `b`.
using ChunkBody =
    llvm::function_ref<void(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
                            const Population &pop, Value c)>;

/// A kernel with the parameters of NEURO_GPU_SPIKES_ARG_*, whose blocks
/// stride over populations in y and whose threads stride over their
/// chunks in x, running `body` for each chunk.
void buildChunkKernel(gpu::GPUModuleOp gpuModule, Location loc, StringRef name,
                      ChunkBody body) {
  MLIRContext *ctx = gpuModule.getContext();
  auto buffer = [](Type t) {
    return MemRefType::get({ShapedType::kDynamic}, t);
  };
  Type i8 = IntegerType::get(ctx, 8), i32 = IntegerType::get(ctx, 32),
       i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> types(NEURO_GPU_SPIKES_NUM_ARGS);
  types[NEURO_GPU_SPIKES_ARG_FLAGS] = buffer(i8);
  types[NEURO_GPU_SPIKES_ARG_LISTS] = buffer(i32);
  types[NEURO_GPU_SPIKES_ARG_COUNTS] = buffer(i32);
  types[NEURO_GPU_SPIKES_ARG_CHUNKS] = buffer(i32);
  types[NEURO_GPU_SPIKES_ARG_TABLE] = buffer(i64);
  types[NEURO_GPU_SPIKES_ARG_POPULATIONS] = i64;
  types[NEURO_GPU_SPIKES_ARG_SLOT] = i64;
  OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
  auto kernel =
      mb.create<gpu::GPUFuncOp>(loc, name, mb.getFunctionType(types, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), mb.getUnitAttr());

  OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
  auto index = [&](OpBuilder &ob, Value v) -> Value {
    return ob.create<arith::IndexCastOp>(loc, ob.getIndexType(), v);
  };
  auto constant = [&](OpBuilder &ob, int64_t v) -> Value {
    return ob.create<arith::ConstantIndexOp>(loc, v);
  };
  Value populations =
      index(b, kernel.getArgument(NEURO_GPU_SPIKES_ARG_POPULATIONS));
  Value slot = index(b, kernel.getArgument(NEURO_GPU_SPIKES_ARG_SLOT));
  Value table = kernel.getArgument(NEURO_GPU_SPIKES_ARG_TABLE);
  auto perPopulation = b.create<scf::ForOp>(
      loc, b.create<gpu::BlockIdOp>(loc, gpu::Dimension::y), populations,
      b.create<gpu::GridDimOp>(loc, gpu::Dimension::y));
  b.create<gpu::ReturnOp>(loc);

  OpBuilder pb = OpBuilder::atBlockBegin(perPopulation.getBody());
  Value row = pb.create<arith::MulIOp>(loc, perPopulation.getInductionVar(),
                                       constant(pb, NEURO_GPU_SPIKES_COLUMNS));
  auto column = [&](int c) {
    Value at = pb.create<arith::AddIOp>(loc, row, constant(pb, c));
    return index(pb, pb.create<memref::LoadOp>(loc, table, at));
  };
  Population pop;
  pop.size = column(NEURO_GPU_SPIKES_SIZE);
  Value slotStart = pb.create<arith::MulIOp>(loc, slot, pop.size);
  pop.flags =
      pb.create<arith::AddIOp>(loc, column(NEURO_GPU_SPIKES_FLAGS), slotStart);
  pop.list =
      pb.create<arith::AddIOp>(loc, column(NEURO_GPU_SPIKES_LIST), slotStart);
  pop.count =
      pb.create<arith::AddIOp>(loc, column(NEURO_GPU_SPIKES_COUNT), slot);
  pop.chunkBase = column(NEURO_GPU_SPIKES_CHUNK_BASE);
  pop.chunk = column(NEURO_GPU_SPIKES_CHUNK);
  pop.chunks = pb.create<arith::DivUIOp>(
      loc,
      pb.create<arith::SubIOp>(
          loc, pb.create<arith::AddIOp>(loc, pop.size, pop.chunk),
          constant(pb, 1)),
      pop.chunk);
  Value threads = pb.create<arith::MulIOp>(
      loc, pb.create<gpu::GridDimOp>(loc, gpu::Dimension::x),
      pb.create<gpu::BlockDimOp>(loc, gpu::Dimension::x));
  auto perChunk = pb.create<scf::ForOp>(
      loc, pb.create<gpu::GlobalIdOp>(loc, gpu::Dimension::x), pop.chunks,
      threads);
  OpBuilder cb = OpBuilder::atBlockBegin(perChunk.getBody());
  cb.setInsertionPoint(perChunk.getBody()->getTerminator());
  body(cb, loc, kernel, pop, perChunk.getInductionVar());
}

/// Whether neuron `i` of `pop` spiked (its flag is not 0).
Value spiked(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
             const Population &pop, Value i) {
  Value at = b.create<arith::AddIOp>(loc, pop.flags, i);
  Value flag = b.create<memref::LoadOp>(
      loc, kernel.getArgument(NEURO_GPU_SPIKES_ARG_FLAGS), at);
  Value zero = b.create<arith::ConstantIntOp>(loc, b.getI8Type(), 0);
  return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, flag, zero);
}

/// The neurons [lo, hi) of chunk `c` of `pop`.
std::pair<Value, Value> chunkRange(OpBuilder &b, Location loc,
                                   const Population &pop, Value c) {
  Value lo = b.create<arith::MulIOp>(loc, c, pop.chunk);
  Value hi = b.create<arith::MinUIOp>(
      loc, b.create<arith::AddIOp>(loc, lo, pop.chunk), pop.size);
  return {lo, hi};
}

/// chunks[chunk_base + c] = the number of flags set in chunk c.
void countChunk(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
                const Population &pop, Value c) {
  auto [lo, hi] = chunkRange(b, loc, pop, c);
  Value zero = b.create<arith::ConstantIntOp>(loc, b.getI32Type(), 0);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto count = b.create<scf::ForOp>(
      loc, lo, hi, one, ValueRange{zero},
      [&](OpBuilder &fb, Location l, Value i, ValueRange acc) {
        Value add = fb.create<arith::ExtUIOp>(l, fb.getI32Type(),
                                              spiked(fb, l, kernel, pop, i));
        fb.create<scf::YieldOp>(
            l, fb.create<arith::AddIOp>(l, acc[0], add).getResult());
      });
  Value at = b.create<arith::AddIOp>(loc, pop.chunkBase, c);
  b.create<memref::StoreOp>(loc, count.getResult(0),
                            kernel.getArgument(NEURO_GPU_SPIKES_ARG_CHUNKS),
                            at);
}

/// Writes the spiking neurons of chunk c of `pop` into its list, from the
/// number of spikes of the chunks before it; the last chunk writes the
/// count.
void compactChunk(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
                  const Population &pop, Value c) {
  Value chunks = kernel.getArgument(NEURO_GPU_SPIKES_ARG_CHUNKS);
  Value list = kernel.getArgument(NEURO_GPU_SPIKES_ARG_LISTS);
  Value zero = b.create<arith::ConstantIntOp>(loc, b.getI32Type(), 0);
  Value one32 = b.create<arith::ConstantIntOp>(loc, b.getI32Type(), 1);
  Value c0 = b.create<arith::ConstantIndexOp>(loc, 0);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  // The exclusive prefix sum of the chunk counts.
  auto before = b.create<scf::ForOp>(
      loc, c0, c, one, ValueRange{zero},
      [&](OpBuilder &fb, Location l, Value d, ValueRange acc) {
        Value at = fb.create<arith::AddIOp>(l, pop.chunkBase, d);
        Value n = fb.create<memref::LoadOp>(l, chunks, at);
        fb.create<scf::YieldOp>(
            l, fb.create<arith::AddIOp>(l, acc[0], n).getResult());
      });
  auto [lo, hi] = chunkRange(b, loc, pop, c);
  auto fill = b.create<scf::ForOp>(
      loc, lo, hi, one, before.getResults(),
      [&](OpBuilder &fb, Location l, Value i, ValueRange at) {
        auto ifOp = fb.create<scf::IfOp>(
            l, spiked(fb, l, kernel, pop, i),
            [&](OpBuilder &tb, Location tl) {
              Value where = tb.create<arith::AddIOp>(
                  tl, pop.list,
                  tb.create<arith::IndexCastOp>(tl, tb.getIndexType(), at[0]));
              Value neuron =
                  tb.create<arith::IndexCastOp>(tl, tb.getI32Type(), i);
              tb.create<memref::StoreOp>(tl, neuron, list, where);
              tb.create<scf::YieldOp>(
                  tl, tb.create<arith::AddIOp>(tl, at[0], one32).getResult());
            },
            [&](OpBuilder &eb, Location el) {
              eb.create<scf::YieldOp>(el, at[0]);
            });
        fb.create<scf::YieldOp>(l, ifOp.getResults());
      });
  Value last =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, c,
                              b.create<arith::SubIOp>(loc, pop.chunks, one));
  b.create<scf::IfOp>(loc, last, [&](OpBuilder &tb, Location tl) {
    tb.create<memref::StoreOp>(tl, fill.getResult(0),
                               kernel.getArgument(NEURO_GPU_SPIKES_ARG_COUNTS),
                               pop.count);
    tb.create<scf::YieldOp>(tl);
  });
}

} // namespace

void neuro::buildSpikeListKernels(gpu::GPUModuleOp gpuModule, Location loc) {
  buildChunkKernel(gpuModule, loc, NEURO_GPU_SPIKES_COUNT_KERNEL, countChunk);
  buildChunkKernel(gpuModule, loc, NEURO_GPU_SPIKES_COMPACT_KERNEL,
                   compactChunk);
}
