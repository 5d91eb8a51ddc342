//===- NeuroDialect.cpp - The neuro dialect and its attributes ------------===//

#include "neuro/IR/NeuroDialect.h"
#include "neuro/IR/NeuroOps.h"
#include "neuro/Runtime/Kernels.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace neuro;

#include "neuro/IR/NeuroDialect.cpp.inc"
#include "neuro/IR/NeuroEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "neuro/IR/NeuroAttrs.cpp.inc"

// The kinds of the IR are the runtime's: one value each.
#define NEURO_SAME_KIND(K)                                                     \
  static_assert(static_cast<int>(KernelKind::K) ==                             \
                    static_cast<int>(rt::KernelKind::K),                       \
                "neuro::KernelKind::" #K " differs from the runtime's")
NEURO_SAME_KIND(Step);
NEURO_SAME_KIND(Reset);
NEURO_SAME_KIND(Init);
NEURO_SAME_KIND(Derive);
NEURO_SAME_KIND(Deliver);
NEURO_SAME_KIND(DeliverPost);
NEURO_SAME_KIND(Update);
NEURO_SAME_KIND(Connect);
NEURO_SAME_KIND(SynInit);
NEURO_SAME_KIND(Sum);
NEURO_SAME_KIND(Sample);
#undef NEURO_SAME_KIND
static_assert(getMaxEnumValForKernelKind() + 1 ==
                  std::size(rt::kPopulationKernels) +
                      std::size(rt::kProjectionKernels),
              "the IR and the runtime have different numbers of kernel kinds");

void NeuroDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "neuro/IR/NeuroOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "neuro/IR/NeuroAttrs.cpp.inc"
      >();
}

LogicalResult NeuroDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  if (attr.getName() == KernelAttrHelper::getNameStr()) {
    if (!isa<KernelAttr>(attr.getValue()))
      return op->emitOpError()
             << "'" << attr.getName().getValue() << "' must be a #neuro.kernel";
    if (!isa<FunctionOpInterface>(op))
      return op->emitOpError()
             << "'" << attr.getName().getValue() << "' marks functions only";
  }
  return success();
}

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 KernelKind kind, StringRef owner) {
  if (owner.empty())
    return emitError() << "a kernel of kind '" << stringifyKernelKind(kind)
                       << "' needs the name of its population or projection";
  return success();
}

bool KernelAttr::runsEveryStep() const {
  return rt::runsEveryStep(getRuntimeKind());
}

bool KernelAttr::takesStepRows() const {
  return rt::takesStepRows(getRuntimeKind());
}
