// RUN: neuro-opt %s --neuro-merge-kernels | FileCheck %s

// @step_b equals @step_a up to its name, kernel mark and locations: it keeps
// its symbol, C interface and #neuro.kernel and calls @step_a, which LLVM
// may not inline there.
// @step_c scales by another constant and keeps its body; so does @helper,
// whose attributes differ. Kernels with a C interface get internal linkage.
// CHECK-LABEL: func.func @step_a(
// CHECK-SAME:    llvm.emit_c_interface, llvm.linkage = #llvm.linkage<internal>
// CHECK:         arith.constant 5.000000e-01 : f64
// CHECK:         memref.store
// CHECK-LABEL: func.func @step_b(
// CHECK-SAME:    %[[R:.*]]: memref<?xf64>, %[[N:.*]]: index)
// CHECK-SAME:    llvm.emit_c_interface, llvm.linkage = #llvm.linkage<internal>, neuro.kernel = #neuro.kernel<step, "B">
// CHECK-NEXT:    call @step_a(%[[R]], %[[N]]) {no_inline} : (memref<?xf64>, index) -> ()
// CHECK-NEXT:    return
// CHECK-NEXT:  }
// CHECK-LABEL: func.func @step_c(
// CHECK:         arith.constant 2.500000e-01 : f64
// CHECK:         memref.store
// CHECK-LABEL: func.func @helper(
// CHECK-NOT:     llvm.linkage
// CHECK:         arith.constant 5.000000e-01 : f64
// CHECK-LABEL: func.func @sum_b(
// CHECK-NEXT:    %[[S:.*]] = call @sum_a(%{{.*}}, %{{.*}}) {no_inline} : (f64, f64) -> f64
// CHECK-NEXT:    return %[[S]] : f64
// Operands in another order: another function.
// CHECK-LABEL: func.func @diff_b(
// CHECK-NEXT:    arith.subf %{{.*}}, %{{.*}} : f64
// CHECK-LABEL: func.func private @external(
func.func @step_a(%rows: memref<?xf64>, %n: index) attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<step, "A">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = arith.constant 0.5 : f64
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %rows[%i] : memref<?xf64>
    %w = arith.mulf %v, %h : f64
    memref.store %w, %rows[%i] : memref<?xf64>
  } loc("a.neuro":3:1)
  return
} loc("a.neuro":1:1)
func.func @step_b(%rows: memref<?xf64>, %n: index) attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<step, "B">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = arith.constant 0.5 : f64
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %rows[%i] : memref<?xf64>
    %w = arith.mulf %v, %h : f64
    memref.store %w, %rows[%i] : memref<?xf64>
  } loc("a.neuro":9:1)
  return
} loc("a.neuro":7:1)
func.func @step_c(%rows: memref<?xf64>, %n: index) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = arith.constant 0.25 : f64
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %rows[%i] : memref<?xf64>
    %w = arith.mulf %v, %h : f64
    memref.store %w, %rows[%i] : memref<?xf64>
  }
  return
}
func.func @helper(%rows: memref<?xf64>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = arith.constant 0.5 : f64
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %rows[%i] : memref<?xf64>
    %w = arith.mulf %v, %h : f64
    memref.store %w, %rows[%i] : memref<?xf64>
  }
  return
}
func.func @sum_a(%a: f64, %b: f64) -> f64 {
  %s = arith.addf %a, %b : f64
  return %s : f64
}
func.func @sum_b(%x: f64, %y: f64) -> f64 {
  %s = arith.addf %x, %y : f64
  return %s : f64
}
func.func @diff_a(%a: f64, %b: f64) -> f64 {
  %s = arith.subf %a, %b : f64
  return %s : f64
}
func.func @diff_b(%a: f64, %b: f64) -> f64 {
  %s = arith.subf %b, %a : f64
  return %s : f64
}
func.func private @external(f64) -> f64
