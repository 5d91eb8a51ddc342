//===- MergeGPUKernels.cpp - One launch for kernels of one shape ----------===//
//
// Groups the step kernels (and the reset kernels, and the deliveries) of
// `gpu.module @neuro_kernels` whose bodies are equal up to the values of
// scalar constants, and makes each group of two or more one kernel whose
// blocks take the members in the grid's y (deliveries: z) dimension: each
// member's buffers are views of one allocation for all populations (or
// projections), and the constants that differ are read from the member's
// row of a table (ABI.h, NEURO_GPU_MERGED_*). Every member keeps its arithmetic
// op for op, so a merged kernel computes what the members' kernels did, bit for
// bit.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/ABI.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/DenseMap.h"

namespace neuro {
#define GEN_PASS_DEF_MERGEGPUKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// What an argument of an unmerged kernel becomes in the merged one.
enum class Role {
  Shared,   ///< a parameter of the merged kernel, the same for all members
  Scalar,   ///< a member's entry of the table
  Buffer1D, ///< a view of an arena: [offset, slot stride, size]
  Buffer2D  ///< a view of an arena: [offset, slot stride, rows, columns]
};
struct ArgLayout {
  Role role;
  int param;  ///< the merged kernel's parameter (not for Scalar)
  int column; ///< the first table entry (not for Shared)
};
/// How the kernels of a kind merge: ABI.h's NEURO_GPU_MERGED_<KIND>_*.
struct Layout {
  StringRef kind;
  SmallVector<ArgLayout> args; ///< per argument of the unmerged kernel
  int table, members;
  int slot; ///< the ring slot's parameter; -1: none (views at slot 0)
  int numArgs, columns;
  /// The grid's dimension that strides over the members.
  gpu::Dimension memberDim = gpu::Dimension::y;
};

Layout deliverLayout() {
  auto buffer = [](int param, int column) {
    return ArgLayout{Role::Buffer1D, param, column};
  };
  auto matrix = [](int param, int column) {
    return ArgLayout{Role::Buffer2D, param, column};
  };
  auto scalar = [](int column) { return ArgLayout{Role::Scalar, -1, column}; };
  auto shared = [](int param) { return ArgLayout{Role::Shared, param, -1}; };
  Layout l{
      "deliver",
      {buffer(NEURO_GPU_MERGED_DELIVER_ARG_SPIKES,
              NEURO_GPU_MERGED_DELIVER_SPIKES),
       buffer(NEURO_GPU_MERGED_DELIVER_ARG_ROW_PTR,
              NEURO_GPU_MERGED_DELIVER_ROW_PTR),
       scalar(NEURO_GPU_MERGED_DELIVER_STRIDE),
       scalar(NEURO_GPU_MERGED_DELIVER_PART),
       buffer(NEURO_GPU_MERGED_DELIVER_ARG_COLS, NEURO_GPU_MERGED_DELIVER_COLS),
       matrix(NEURO_GPU_MERGED_DELIVER_ARG_SYN, NEURO_GPU_MERGED_DELIVER_SYN),
       matrix(NEURO_GPU_MERGED_DELIVER_ARG_POST, NEURO_GPU_MERGED_DELIVER_POST),
       matrix(NEURO_GPU_MERGED_DELIVER_ARG_PRE, NEURO_GPU_MERGED_DELIVER_PRE),
       buffer(NEURO_GPU_MERGED_DELIVER_ARG_MODS, NEURO_GPU_MERGED_DELIVER_MODS),
       shared(NEURO_GPU_MERGED_DELIVER_ARG_STEP),
       shared(NEURO_GPU_MERGED_DELIVER_ARG_SEED),
       buffer(NEURO_GPU_MERGED_DELIVER_ARG_COUNTS,
              NEURO_GPU_MERGED_DELIVER_COUNTS),
       buffer(NEURO_GPU_MERGED_DELIVER_ARG_DELAYS,
              NEURO_GPU_MERGED_DELIVER_DELAYS),
       shared(NEURO_GPU_MERGED_DELIVER_ARG_DEPTH),
       scalar(NEURO_GPU_MERGED_DELIVER_LIST_SIZE),
       scalar(NEURO_GPU_MERGED_DELIVER_ROW_STRIDE),
       scalar(NEURO_GPU_MERGED_DELIVER_FIRST_GROUP),
       scalar(NEURO_GPU_MERGED_DELIVER_END_GROUP)},
      NEURO_GPU_MERGED_DELIVER_ARG_TABLE,
      NEURO_GPU_MERGED_DELIVER_ARG_MEMBERS,
      /*slot=*/-1,
      NEURO_GPU_MERGED_DELIVER_NUM_ARGS,
      NEURO_GPU_MERGED_DELIVER_COLUMNS};
  // y strides over a member's delay groups already.
  l.memberDim = gpu::Dimension::z;
  return l;
}

std::optional<Layout> layoutOf(KernelKind kind) {
  switch (kind) {
  case KernelKind::Step:
    return Layout{"step",
                  {{Role::Buffer2D, NEURO_GPU_MERGED_STEP_ARG_STATE,
                    NEURO_GPU_MERGED_STEP_STATE},
                   {Role::Buffer1D, NEURO_GPU_MERGED_STEP_ARG_FLAGS,
                    NEURO_GPU_MERGED_STEP_FLAGS},
                   {Role::Shared, NEURO_GPU_MERGED_STEP_ARG_STEP, -1},
                   {Role::Shared, NEURO_GPU_MERGED_STEP_ARG_SEED, -1},
                   {Role::Scalar, -1, NEURO_GPU_MERGED_STEP_BEGIN},
                   {Role::Scalar, -1, NEURO_GPU_MERGED_STEP_END}},
                  NEURO_GPU_MERGED_STEP_ARG_TABLE,
                  NEURO_GPU_MERGED_STEP_ARG_MEMBERS,
                  NEURO_GPU_MERGED_STEP_ARG_SLOT,
                  NEURO_GPU_MERGED_STEP_NUM_ARGS,
                  NEURO_GPU_MERGED_STEP_COLUMNS};
  case KernelKind::Reset:
    return Layout{"reset",
                  {{Role::Buffer1D, NEURO_GPU_MERGED_RESET_ARG_SPIKES,
                    NEURO_GPU_MERGED_RESET_SPIKES},
                   {Role::Buffer2D, NEURO_GPU_MERGED_RESET_ARG_STATE,
                    NEURO_GPU_MERGED_RESET_STATE},
                   {Role::Shared, NEURO_GPU_MERGED_RESET_ARG_STEP, -1},
                   {Role::Shared, NEURO_GPU_MERGED_RESET_ARG_SEED, -1},
                   {Role::Buffer1D, NEURO_GPU_MERGED_RESET_ARG_COUNT,
                    NEURO_GPU_MERGED_RESET_COUNT}},
                  NEURO_GPU_MERGED_RESET_ARG_TABLE,
                  NEURO_GPU_MERGED_RESET_ARG_MEMBERS,
                  NEURO_GPU_MERGED_RESET_ARG_SLOT,
                  NEURO_GPU_MERGED_RESET_NUM_ARGS,
                  NEURO_GPU_MERGED_RESET_COLUMNS};
  case KernelKind::Deliver:
    return deliverLayout();
  default:
    return std::nullopt;
  }
}

/// A scalar constant: a value a member's table row may give instead.
bool isHole(Operation *op) {
  auto c = dyn_cast<arith::ConstantOp>(op);
  return c && isa<IntegerType, IndexType, FloatType>(c.getType());
}
bool isHole(Value v) {
  Operation *def = v.getDefiningOp();
  return def && isHole(def);
}

/// The operations of a kernel's body that are not scalar constants, in
/// walk order (definitions before uses): what its shape is made of.
SmallVector<Operation *> shapeOps(gpu::GPUFuncOp kernel) {
  SmallVector<Operation *> ops;
  for (Operation &top : kernel.getBody().getOps())
    top.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isHole(op))
        ops.push_back(op);
    });
  return ops;
}

/// A hash of a kernel's shape: its type, and its operations with their
/// attributes and result types, each operand a constant (of a type) or not.
llvm::hash_code shapeHash(gpu::GPUFuncOp kernel, ArrayRef<Operation *> ops) {
  llvm::hash_code h =
      llvm::hash_value(kernel.getFunctionType().getAsOpaquePointer());
  for (Operation *op : ops) {
    h = llvm::hash_combine(h, op->getName().getAsOpaquePointer(),
                           op->getAttrDictionary().getAsOpaquePointer(),
                           op->getNumRegions(), op->getNumOperands());
    for (Type t : op->getResultTypes())
      h = llvm::hash_combine(h, t.getAsOpaquePointer());
    for (Value v : op->getOperands())
      h = llvm::hash_combine(h, isHole(v) ? v.getType().getAsOpaquePointer()
                                          : nullptr);
  }
  return h;
}

/// Whether kernels `a` and `b` (their shape ops `sa`, `sb`) are equal up
/// to the values of scalar constants: same operations with the same
/// attributes and types, each operand the corresponding value, or a
/// constant of the same type in both.
bool sameShape(gpu::GPUFuncOp a, gpu::GPUFuncOp b, ArrayRef<Operation *> sa,
               ArrayRef<Operation *> sb) {
  if (a.getFunctionType() != b.getFunctionType() || sa.size() != sb.size())
    return false;
  IRMapping map;
  map.map(a.getArguments(), b.getArguments());
  for (auto [x, y] : llvm::zip(sa, sb)) {
    if (x->getName() != y->getName() ||
        x->getAttrDictionary() != y->getAttrDictionary() ||
        x->getResultTypes() != y->getResultTypes() ||
        x->getNumOperands() != y->getNumOperands() ||
        x->getNumRegions() != y->getNumRegions() ||
        x->getNumSuccessors() != 0 || y->getNumSuccessors() != 0)
      return false;
    for (auto [u, v] : llvm::zip(x->getOperands(), y->getOperands())) {
      if (isHole(u) != isHole(v))
        return false;
      if (isHole(u) ? u.getType() != v.getType() : map.lookupOrNull(u) != v)
        return false;
    }
    map.map(x->getResults(), y->getResults());
    for (auto [rx, ry] : llvm::zip(x->getRegions(), y->getRegions())) {
      if (rx.getBlocks().size() != ry.getBlocks().size())
        return false;
      for (auto [bx, by] : llvm::zip(rx, ry)) {
        if (bx.getArgumentTypes() != by.getArgumentTypes())
          return false;
        map.map(bx.getArguments(), by.getArguments());
      }
    }
  }
  return true;
}

/// Whether every use of the buffer arguments is a load, store, atomic or
/// size query of the buffer, which a view of an arena serves as well.
bool viewsServe(gpu::GPUFuncOp kernel, const Layout &layout) {
  for (auto [arg, l] : llvm::zip(kernel.getArguments(), layout.args)) {
    if (l.role != Role::Buffer1D && l.role != Role::Buffer2D)
      continue;
    for (OpOperand &use : arg.getUses()) {
      Operation *user = use.getOwner();
      bool memrefOperand =
          (isa<memref::LoadOp>(user) && use.getOperandNumber() == 0) ||
          (isa<memref::DimOp>(user) && use.getOperandNumber() == 0) ||
          (isa<memref::StoreOp>(user) && use.getOperandNumber() == 1) ||
          (isa<memref::AtomicRMWOp>(user) && use.getOperandNumber() == 1);
      if (!memrefOperand)
        return false;
    }
  }
  return true;
}

/// Whether `kernel` writes argument `arg` (a store or an atomic into it).
bool writes(gpu::GPUFuncOp kernel, unsigned arg) {
  return llvm::any_of(kernel.getArgument(arg).getUses(), [](OpOperand &use) {
    return isa<memref::StoreOp, memref::AtomicRMWOp>(use.getOwner());
  });
}

/// Whether the runtime launches every delay group of this kind of kernel
/// at once, as a merged kernel does: not a delivery that writes its
/// source's state or the modulators (the runtime then launches it per
/// delay group).
bool allGroupsAtOnce(gpu::GPUFuncOp kernel, KernelKind kind) {
  return kind != KernelKind::Deliver ||
         (!writes(kernel, NEURO_DELIVER_ARG_PRE) &&
          !writes(kernel, NEURO_DELIVER_ARG_MODS));
}

/// A constant of the members that differs between them: where it is used
/// (shape op, operand) and each member's value.
struct Param {
  Type type;
  SmallVector<std::pair<unsigned, unsigned>> uses;
  SmallVector<Attribute> values;
};

/// The constants that differ between `members` (whose shape ops are
/// `shapes`), one Param per distinct list of values.
SmallVector<Param> paramsOf(ArrayRef<SmallVector<Operation *>> shapes) {
  SmallVector<Param> params;
  ArrayRef<Operation *> first = shapes.front();
  for (auto [i, op] : llvm::enumerate(first))
    for (auto [j, v] : llvm::enumerate(op->getOperands())) {
      if (!isHole(v))
        continue;
      SmallVector<Attribute> values;
      for (ArrayRef<Operation *> shape : shapes)
        values.push_back(
            cast<arith::ConstantOp>(shape[i]->getOperand(j).getDefiningOp())
                .getValue());
      if (llvm::all_equal(values))
        continue;
      auto same = llvm::find_if(params, [&](const Param &p) {
        return p.type == v.getType() && p.values == values;
      });
      if (same == params.end()) {
        params.push_back({v.getType(), {}, values});
        same = std::prev(params.end());
      }
      same->uses.push_back({unsigned(i), unsigned(j)});
    }
  return params;
}

/// The 64 bits a table holds for constant `value`.
int64_t bitsOf(Attribute value) {
  if (auto i = dyn_cast<IntegerAttr>(value))
    return i.getValue().getSExtValue();
  return int64_t(
      cast<FloatAttr>(value).getValue().bitcastToAPInt().getZExtValue());
}

/// `bits` (an i64 of the table) as a value of `type`.
Value fromBits(OpBuilder &b, Location loc, Value bits, Type type) {
  if (isa<IndexType>(type))
    return b.create<arith::IndexCastOp>(loc, type, bits);
  if (auto i = dyn_cast<IntegerType>(type))
    return i.getWidth() == 64 ? bits
                              : b.create<arith::TruncIOp>(loc, type, bits);
  unsigned width = cast<FloatType>(type).getWidth();
  Value raw = bits;
  if (width != 64)
    raw = b.create<arith::TruncIOp>(loc, b.getIntegerType(width), bits);
  return b.create<arith::BitcastOp>(loc, type, raw);
}

/// A view of `arena` at the member's table entries from `column`.
Value viewOf(OpBuilder &b, Location loc, Value arena, bool twoD,
             llvm::function_ref<Value(int)> entry, Value slot) {
  Type element = cast<MemRefType>(arena.getType()).getElementType();
  Value offset = b.create<arith::AddIOp>(
      loc, entry(0), b.create<arith::MulIOp>(loc, slot, entry(1)));
  MLIRContext *ctx = b.getContext();
  int64_t dyn = ShapedType::kDynamic;
  if (!twoD) {
    auto type =
        MemRefType::get({dyn}, element, StridedLayoutAttr::get(ctx, dyn, {1}));
    return b.create<memref::ReinterpretCastOp>(
        loc, type, arena, OpFoldResult(offset),
        ArrayRef<OpFoldResult>{entry(2)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }
  Value cols = entry(3);
  auto type = MemRefType::get({dyn, dyn}, element,
                              StridedLayoutAttr::get(ctx, dyn, {dyn, 1}));
  return b.create<memref::ReinterpretCastOp>(
      loc, type, arena, OpFoldResult(offset),
      ArrayRef<OpFoldResult>{entry(2), cols},
      ArrayRef<OpFoldResult>{cols, b.getIndexAttr(1)});
}

/// The merged kernel of `members` (equal shapes `shapes`): a loop over
/// members in the grid's y dimension around the first member's body,
/// with the member's views, scalars and constants from its table row.
void buildMerged(gpu::GPUModuleOp gpuModule, const Layout &layout,
                 StringRef name, ArrayRef<gpu::GPUFuncOp> members,
                 ArrayRef<SmallVector<Operation *>> shapes,
                 ArrayRef<Param> params) {
  gpu::GPUFuncOp first = members.front();
  MLIRContext *ctx = first.getContext();
  Location loc = first.getLoc();
  Type i64 = IntegerType::get(ctx, 64);
  SmallVector<Type> types(layout.numArgs);
  for (auto [arg, l] : llvm::zip(first.getArguments(), layout.args))
    if (l.role == Role::Shared)
      types[l.param] = arg.getType();
    else if (l.role != Role::Scalar)
      types[l.param] =
          MemRefType::get({ShapedType::kDynamic},
                          cast<MemRefType>(arg.getType()).getElementType());
  types[layout.table] = MemRefType::get({ShapedType::kDynamic}, i64);
  types[layout.members] = i64;
  if (layout.slot >= 0)
    types[layout.slot] = i64;
  OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
  auto merged =
      mb.create<gpu::GPUFuncOp>(loc, name, mb.getFunctionType(types, {}));
  merged->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), mb.getUnitAttr());

  OpBuilder b = OpBuilder::atBlockBegin(&merged.getBody().front());
  auto index = [&](OpBuilder &ob, Value v) -> Value {
    return ob.create<arith::IndexCastOp>(loc, ob.getIndexType(), v);
  };
  Value slot = layout.slot >= 0
                   ? index(b, merged.getArgument(layout.slot))
                   : b.create<arith::ConstantIndexOp>(loc, 0).getResult();
  auto perMember =
      b.create<scf::ForOp>(loc, b.create<gpu::BlockIdOp>(loc, layout.memberDim),
                           index(b, merged.getArgument(layout.members)),
                           b.create<gpu::GridDimOp>(loc, layout.memberDim));
  b.create<gpu::ReturnOp>(loc);

  OpBuilder pb = OpBuilder::atBlockBegin(perMember.getBody());
  int64_t width = layout.columns + int64_t(params.size());
  Value row =
      pb.create<arith::MulIOp>(loc, perMember.getInductionVar(),
                               pb.create<arith::ConstantIndexOp>(loc, width));
  Value table = merged.getArgument(layout.table);
  auto load = [&](int64_t column) -> Value {
    Value at = pb.create<arith::AddIOp>(
        loc, row, pb.create<arith::ConstantIndexOp>(loc, column));
    return pb.create<memref::LoadOp>(loc, table, at);
  };
  IRMapping map;
  for (auto [arg, l] : llvm::zip(first.getArguments(), layout.args)) {
    switch (l.role) {
    case Role::Shared:
      map.map(arg, merged.getArgument(l.param));
      break;
    case Role::Scalar:
      map.map(arg, fromBits(pb, loc, load(l.column), arg.getType()));
      break;
    case Role::Buffer1D:
    case Role::Buffer2D: {
      auto entry = [&, column = l.column](int k) {
        return index(pb, load(column + k));
      };
      map.map(arg, viewOf(pb, loc, merged.getArgument(l.param),
                          l.role == Role::Buffer2D, entry, slot));
      break;
    }
    }
  }
  SmallVector<Value> values;
  for (auto [p, param] : llvm::enumerate(params))
    values.push_back(
        fromBits(pb, loc, load(layout.columns + int64_t(p)), param.type));
  for (Operation &op : first.getBody().front().without_terminator())
    pb.clone(op, map);
  ArrayRef<Operation *> shape = shapes.front();
  for (auto [param, value] : llvm::zip(params, values))
    for (auto [op, operand] : param.uses)
      map.lookup(shape[op])->setOperand(operand, value);
}

/// `<member>_member`: writes the group, the member's index, the number of
/// members, the number of parameters and the member's values of them
/// (NEURO_GPU_MEMBER_INFO_*).
void buildMemberInfo(gpu::GPUModuleOp gpuModule, gpu::GPUFuncOp member,
                     int64_t group, int64_t index, int64_t members,
                     ArrayRef<Param> params) {
  Location loc = member.getLoc();
  OpBuilder mb = OpBuilder::atBlockEnd(gpuModule.getBody());
  auto info = MemRefType::get({ShapedType::kDynamic}, mb.getI64Type());
  auto kernel = mb.create<gpu::GPUFuncOp>(
      loc, (member.getName() + NEURO_GPU_MEMBER_SUFFIX).str(),
      mb.getFunctionType({info}, {}));
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), mb.getUnitAttr());
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.getBody().front());
  Value out = kernel.getArgument(0);
  auto store = [&](int64_t at, int64_t value) {
    b.create<memref::StoreOp>(
        loc, b.create<arith::ConstantIntOp>(loc, b.getI64Type(), value), out,
        ValueRange{b.create<arith::ConstantIndexOp>(loc, at)});
  };
  store(NEURO_GPU_MEMBER_INFO_GROUP, group);
  store(NEURO_GPU_MEMBER_INFO_INDEX, index);
  store(NEURO_GPU_MEMBER_INFO_MEMBERS, members);
  store(NEURO_GPU_MEMBER_INFO_PARAMS, int64_t(params.size()));
  for (auto [p, param] : llvm::enumerate(params))
    store(NEURO_GPU_MEMBER_INFO_FIRST_PARAM + int64_t(p),
          bitsOf(param.values[index]));
  b.create<gpu::ReturnOp>(loc);
}

/// The network of kernel `kernel` of `kind` and `owner` (its symbol is
/// kernelName(kind, network, owner)), or nullopt for the parts of a
/// kernel with several loops and others not so named.
std::optional<std::string> networkOf(gpu::GPUFuncOp kernel, KernelAttr attr) {
  StringRef name = kernel.getName(), owner = attr.getOwner();
  size_t prefix = kernelName(attr.getKind(), "", "").size() - 1;
  if (name.size() < prefix + owner.size() + 1)
    return std::nullopt;
  std::string network =
      name.substr(prefix, name.size() - prefix - owner.size() - 1).str();
  if (kernelName(attr.getKind(), network, owner) != name)
    return std::nullopt;
  return network;
}

struct MergeGPUKernels
    : public neuro::impl::MergeGPUKernelsBase<MergeGPUKernels> {
  void runOnOperation() override {
    int64_t group = 0;
    for (auto gpuModule : getOperation().getOps<gpu::GPUModuleOp>())
      for (KernelKind kind :
           {KernelKind::Step, KernelKind::Reset, KernelKind::Deliver})
        mergeKind(gpuModule, kind, group);
  }

  void mergeKind(gpu::GPUModuleOp gpuModule, KernelKind kind, int64_t &group) {
    Layout layout = *layoutOf(kind);
    struct Candidate {
      gpu::GPUFuncOp kernel;
      SmallVector<Operation *> shape;
    };
    // Candidates by network and shape; sets of equal shapes in order.
    llvm::DenseMap<std::pair<unsigned, unsigned>, SmallVector<size_t, 1>>
        buckets;
    SmallVector<SmallVector<Candidate>> sets;
    for (auto k : gpuModule.getOps<gpu::GPUFuncOp>()) {
      // Kernels of one loop (named as their kernel, not its parts) whose
      // buffers views serve.
      KernelAttr attr = getKernelAttr(k);
      if (!attr || attr.getKind() != kind ||
          k.getNumArguments() != layout.args.size() || !viewsServe(k, layout) ||
          !allGroupsAtOnce(k, kind))
        continue;
      std::optional<std::string> network = networkOf(k, attr);
      if (!network)
        continue;
      Candidate c{k, shapeOps(k)};
      std::pair<unsigned, unsigned> key(unsigned(llvm::hash_value(*network)),
                                        unsigned(shapeHash(k, c.shape)));
      SmallVector<size_t, 1> &bucket = buckets[key];
      auto same = llvm::find_if(bucket, [&](size_t s) {
        const Candidate &o = sets[s].front();
        return networkOf(o.kernel, getKernelAttr(o.kernel)) == network &&
               sameShape(o.kernel, k, o.shape, c.shape);
      });
      if (same != bucket.end()) {
        sets[*same].push_back(std::move(c));
        continue;
      }
      bucket.push_back(sets.size());
      sets.emplace_back();
      sets.back().push_back(std::move(c));
    }
    for (SmallVector<Candidate> &set : sets) {
      if (set.size() < 2)
        continue;
      SmallVector<gpu::GPUFuncOp> members;
      SmallVector<SmallVector<Operation *>> shapes;
      for (Candidate &c : set) {
        members.push_back(c.kernel);
        shapes.push_back(c.shape);
      }
      SmallVector<Param> params = paramsOf(shapes);
      if (params.size() > NEURO_GPU_MERGED_MAX_PARAMS)
        continue;
      std::string name =
          (NEURO_GPU_MERGED_PREFIX + layout.kind + "_" + std::to_string(group))
              .str();
      buildMerged(gpuModule, layout, name, members, shapes, params);
      for (auto [m, member] : llvm::enumerate(members))
        buildMemberInfo(gpuModule, member, group, int64_t(m),
                        int64_t(members.size()), params);
      for (gpu::GPUFuncOp member : members)
        member.erase();
      ++group;
    }
  }
};

} // namespace
