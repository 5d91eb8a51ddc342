//===- neuro-opt.cpp - mlir-opt for the neuro dialect and its passes ------===//

#include "neuro/Codegen/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  neuro::registerNeuroDialects(registry);
  neuro::registerNeuroPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Neuro optimizer driver\n", registry));
}
