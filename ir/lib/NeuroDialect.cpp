//===- NeuroDialect.cpp - The neuro dialect -------------------------------===//

#include "neuro/IR/NeuroDialect.h"
#include "neuro/IR/NeuroOps.h"

using namespace mlir;
using namespace neuro;

#include "neuro/IR/NeuroDialect.cpp.inc"

void NeuroDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "neuro/IR/NeuroOps.cpp.inc"
      >();
}
