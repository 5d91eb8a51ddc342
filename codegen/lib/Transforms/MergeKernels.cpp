//===- MergeKernels.cpp - One body for kernels that are the same ----------===//
//
// Groups the functions of the module by a structural hash of their bodies
// (operation names, attributes and result types in walk order, locations
// left out), confirms equality within a group with OperationEquivalence
// and turns every function equal to an earlier one into a call of it. A
// function's name and its #neuro.kernel (kind and owner) do not count, and
// each keeps its own.
//
//===----------------------------------------------------------------------===//

#include "neuro/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace neuro {
#define GEN_PASS_DEF_MERGEKERNELS
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

/// Whether attribute `name` of a function says what it computes (not its
/// name nor which kernel it is).
bool compared(StringRef name) {
  return name != SymbolTable::getSymbolAttrName() &&
         name != NeuroDialect::KernelAttrHelper::getNameStr();
}

/// A hash of `fn`'s type, compared attributes, and body.
llvm::hash_code bodyHash(func::FuncOp fn) {
  llvm::hash_code h =
      llvm::hash_value(fn.getFunctionType().getAsOpaquePointer());
  for (NamedAttribute attr : fn->getAttrs())
    if (compared(attr.getName()))
      h = llvm::hash_combine(h, attr.getName(), attr.getValue());
  fn.getBody().walk([&](Operation *op) {
    h = llvm::hash_combine(h,
                           OperationEquivalence::computeHash(
                               op, OperationEquivalence::ignoreHashValue,
                               OperationEquivalence::ignoreHashValue,
                               OperationEquivalence::IgnoreLocations),
                           op->getNumOperands(), op->getNumRegions(),
                           op->getNumSuccessors());
  });
  return h;
}

/// Whether `a` and `b` differ only in their names, kernel marks and
/// locations.
bool sameKernel(func::FuncOp a, func::FuncOp b) {
  if (a.getFunctionType() != b.getFunctionType())
    return false;
  auto attrs = [](func::FuncOp fn) {
    return llvm::count_if(fn->getAttrs(), [](NamedAttribute attr) {
      return compared(attr.getName());
    });
  };
  if (attrs(a) != attrs(b))
    return false;
  for (NamedAttribute attr : a->getAttrs())
    if (compared(attr.getName()) &&
        b->getAttr(attr.getName()) != attr.getValue())
      return false;
  return OperationEquivalence::isRegionEquivalentTo(
      &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations);
}

/// Replaces the body of `dup` by a call of `kept`.
void forward(func::FuncOp dup, func::FuncOp kept) {
  dup.getBody().getBlocks().clear();
  Block *entry = dup.addEntryBlock();
  auto b = OpBuilder::atBlockEnd(entry);
  auto call =
      func::CallOp::create(b, dup.getLoc(), kept, entry->getArguments());
  call.setNoInline(true);
  func::ReturnOp::create(b, dup.getLoc(), call.getResults());
}

struct MergeKernelsPass
    : public neuro::impl::MergeKernelsBase<MergeKernelsPass> {
  void runOnOperation() override {
    llvm::DenseMap<unsigned, SmallVector<func::FuncOp, 1>> groups;
    auto internal =
        LLVM::LinkageAttr::get(&getContext(), LLVM::Linkage::Internal);
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      // Called only through its `_mlir_ciface_` wrapper.
      if (fn->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName()))
        fn->setAttr("llvm.linkage", internal);
      auto &group = groups[static_cast<unsigned>(size_t(bodyHash(fn)))];
      auto kept = llvm::find_if(
          group, [&](func::FuncOp other) { return sameKernel(other, fn); });
      if (kept == group.end())
        group.push_back(fn);
      else
        forward(fn, *kept);
    }
  }
};

} // namespace
