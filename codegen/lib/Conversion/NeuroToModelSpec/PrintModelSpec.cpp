//===- PrintModelSpec.cpp - The runtime's description as text -------------===//
//
// Runs extractModelSpec on each network of a lowered module (or the one
// named by the `network` option) and prints the result with
// rt::describeModel, so that what the runtime receives can be checked with
// FileCheck.
//
//===----------------------------------------------------------------------===//

#include "neuro/Codegen/Pipeline.h"
#include "neuro/Conversion/Passes.h"
#include "neuro/Runtime/ModelPrint.h"

#include "llvm/Support/raw_ostream.h"

namespace neuro {
#define GEN_PASS_DEF_PRINTMODELSPEC
#include "neuro/Conversion/Passes.h.inc"
} // namespace neuro

using namespace mlir;
using namespace neuro;

namespace {

struct PrintModelSpecPass
    : public neuro::impl::PrintModelSpecBase<PrintModelSpecPass> {
  using PrintModelSpecBase::PrintModelSpecBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::string> names;
    if (network.empty())
      names = networkNames(module);
    else
      names.push_back(network);
    for (const std::string &name : names) {
      rt::ModelSpec spec;
      if (failed(extractModelSpec(module, name, spec)))
        return signalPassFailure();
      llvm::outs() << rt::describeModel(spec);
    }
    llvm::outs().flush();
    markAllAnalysesPreserved();
  }
};

} // namespace
