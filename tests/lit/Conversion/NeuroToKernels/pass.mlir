// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file | FileCheck %s -DABI=%abi_version

// The pass over a module (NeuroToKernels.cpp): the kernels of every
// network, the runtime functions they call declared once at the top, and one
// `neuro_abi_version` for the module. neuro.time_step is the network's dt.
neuro.network @A dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "euler" {
      %dt = neuro.time_step
      %u = neuro.rand site(0)
      %r = arith.mulf %dt, %u : f64
      neuro.yield %r : f64
    }
  }
}
neuro.network @B dt(2.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "euler" {
      %u = neuro.rand site(0)
      neuro.yield %u : f64
    }
  }
}
// CHECK-LABEL: module {
// CHECK-NEXT:    func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64
// CHECK-NEXT:    neuro.network @A
// CHECK:         neuro.network @B
// CHECK-NOT:     func.func private @neuro_rt_uniform
// CHECK-LABEL:   func.func @neuro_step_A_P(
// CHECK-DAG:       %[[ADT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:             %[[AU:.*]] = func.call @neuro_rt_uniform(
// CHECK-NEXT:        arith.mulf %[[ADT]], %[[AU]] : f64
// CHECK-LABEL:   func.func @neuro_step_B_P(
// CHECK-DAG:       arith.constant 2.000000e-03 : f64
// CHECK:             func.call @neuro_rt_uniform(
// CHECK-LABEL:   func.func @neuro_abi_version() -> i64 {
// CHECK-NEXT:      %[[VER:.*]] = arith.constant [[ABI]] : i64
// CHECK-NEXT:      return %[[VER]] : i64
// CHECK-NEXT:    }
// CHECK-NEXT:  }

// -----

// Nothing for a module without networks.
func.func @f() {
  return
}
// CHECK-LABEL: module {
// CHECK-NEXT:    func.func @f() {
// CHECK-NEXT:      return
// CHECK-NEXT:    }
// CHECK-NEXT:  }
