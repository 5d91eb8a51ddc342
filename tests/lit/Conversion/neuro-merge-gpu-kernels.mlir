// RUN: neuro-opt %s --neuro-merge-gpu-kernels --canonicalize --cse | FileCheck %s
// RUN: neuro-opt %s --neuro-merge-gpu-kernels --canonicalize --cse | FileCheck %s --check-prefix=GONE

// Not merged, and left in place: C's body has another shape, and network
// M's A is alone. The members' own kernels are gone.
// CHECK-LABEL: gpu.func @neuro_step_N_C(
// CHECK-LABEL: gpu.func @neuro_step_M_A(
// GONE-NOT:    gpu.func @neuro_step_N_A(
// GONE-NOT:    gpu.func @neuro_step_N_B(
// GONE-NOT:    gpu.func @neuro_reset_N_A(
// GONE-NOT:    gpu.func @neuro_reset_N_B(

// A and B of network N differ only in a constant (0.5, 0.25; 1.0 is the
// same in both): one kernel whose blocks take the members in y. Each
// member's state and flags are views of one buffer for all populations at
// the offsets of its table row (9 entries, then the constant), and the
// constant is read from the row as bits.
// CHECK-LABEL: gpu.func @neuro_merged_step_0(
// CHECK-SAME:    %[[STATES:[^:]*]]: memref<?xf64>, %[[FLAGS:[^:]*]]: memref<?xi8>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[TABLE:[^:]*]]: memref<?xi64>, %[[MEMBERS:[^:]*]]: i64, %[[SLOT:[^:]*]]: i64) kernel {
// CHECK-DAG:     %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : index
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[S:.*]] = arith.index_cast %[[SLOT]] : i64 to index
// CHECK-DAG:     %[[N:.*]] = arith.index_cast %[[MEMBERS]] : i64 to index
// CHECK-DAG:     %[[Y:.*]] = gpu.block_id y
// CHECK-DAG:     %[[GY:.*]] = gpu.grid_dim y
// CHECK:         scf.for %[[M:.*]] = %[[Y]] to %[[N]] step %[[GY]] {
// CHECK:           %[[ROW:.*]] = arith.muli %[[M]], %[[C10]] : index
// CHECK:           %[[STATE:.*]] = memref.reinterpret_cast %[[STATES]] to offset: [%{{.*}}], sizes: [%{{.*}}, %[[COLS:.*]]], strides: [%[[COLS]], 1] : memref<?xf64> to memref<?x?xf64, strided<[?, 1], offset: ?>>
// CHECK:           arith.muli %[[S]], %{{.*}} : index
// CHECK:           %[[FLAG:.*]] = memref.reinterpret_cast %[[FLAGS]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1] : memref<?xi8> to memref<?xi8, strided<[1], offset: ?>>
// CHECK:           %[[AT:.*]] = arith.addi %[[ROW]], %[[C9]] : index
// CHECK:           %[[BITS:.*]] = memref.load %[[TABLE]][%[[AT]]] : memref<?xi64>
// CHECK:           %[[K:.*]] = arith.bitcast %[[BITS]] : i64 to f64
// CHECK:           scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:             %[[V:.*]] = memref.load %[[STATE]][%c0, %[[I]]] : memref<?x?xf64, strided<[?, 1], offset: ?>>
// CHECK:             %[[W:.*]] = arith.mulf %[[V]], %[[K]] : f64
// CHECK:             %[[X:.*]] = arith.addf %[[W]], %[[ONE]] : f64
// CHECK:             memref.store %[[X]], %[[STATE]][%c0, %[[I]]] : memref<?x?xf64, strided<[?, 1], offset: ?>>
// CHECK:             memref.store %{{.*}}, %[[FLAG]][%[[I]]] : memref<?xi8, strided<[1], offset: ?>>
// CHECK:           }
// CHECK:         }
// CHECK:         gpu.return

// Each member says its group, index, the number of members and
// parameters, and its values (the bits of 0.5 and 0.25).
// CHECK-LABEL: gpu.func @neuro_step_N_A$member(
// CHECK-DAG:     memref.store %c0_i64, %arg0[%c0] : memref<?xi64>
// CHECK-DAG:     memref.store %c0_i64, %arg0[%c1] : memref<?xi64>
// CHECK-DAG:     memref.store %c2_i64, %arg0[%c2] : memref<?xi64>
// CHECK-DAG:     memref.store %c1_i64, %arg0[%c3] : memref<?xi64>
// CHECK-DAG:     memref.store %c4602678819172646912_i64, %arg0[%c4] : memref<?xi64>
// CHECK-LABEL: gpu.func @neuro_step_N_B$member(
// CHECK-DAG:     memref.store %c1_i64, %arg0[%c1] : memref<?xi64>
// CHECK-DAG:     memref.store %c4598175219545276416_i64, %arg0[%c4] : memref<?xi64>

// Resets of one shape and no differing constant: a table of 10 entries
// (3 for the list, 4 for the state, 3 for the count) a row.
// CHECK-LABEL: gpu.func @neuro_merged_reset_1(
// CHECK-SAME:    %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: memref<?xf64>, %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64) kernel {
// CHECK:         arith.muli %{{.*}}, %c10 : index
// CHECK-LABEL: gpu.func @neuro_reset_N_A$member(
// CHECK-LABEL: gpu.func @neuro_reset_N_B$member(
module attributes {gpu.container_module} {
  gpu.module @neuro_kernels {
    gpu.func @neuro_step_N_A(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) kernel attributes {neuro.kernel = #neuro.kernel<step, "A">} {
      %c0 = arith.constant 0 : index
      %k = arith.constant 0.5 : f64
      %one = arith.constant 1.0 : f64
      %flag = arith.constant 0 : i8
      %lb = arith.index_cast %begin : i64 to index
      %ub = arith.index_cast %end : i64 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      %first = arith.addi %lb, %id : index
      scf.for %i = %first to %ub step %threads {
        %v = memref.load %state[%c0, %i] : memref<?x?xf64>
        %w = arith.mulf %v, %k : f64
        %x = arith.addf %w, %one : f64
        memref.store %x, %state[%c0, %i] : memref<?x?xf64>
        memref.store %flag, %spiked[%i] : memref<?xi8>
      }
      gpu.return
    }
    gpu.func @neuro_step_N_B(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) kernel attributes {neuro.kernel = #neuro.kernel<step, "B">} {
      %c0 = arith.constant 0 : index
      %k = arith.constant 0.25 : f64
      %one = arith.constant 1.0 : f64
      %flag = arith.constant 0 : i8
      %lb = arith.index_cast %begin : i64 to index
      %ub = arith.index_cast %end : i64 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      %first = arith.addi %lb, %id : index
      scf.for %i = %first to %ub step %threads {
        %v = memref.load %state[%c0, %i] : memref<?x?xf64>
        %w = arith.mulf %v, %k : f64
        %x = arith.addf %w, %one : f64
        memref.store %x, %state[%c0, %i] : memref<?x?xf64>
        memref.store %flag, %spiked[%i] : memref<?xi8>
      }
      gpu.return
    }
    gpu.func @neuro_step_N_C(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) kernel attributes {neuro.kernel = #neuro.kernel<step, "C">} {
      %c0 = arith.constant 0 : index
      %k = arith.constant 0.5 : f64
      %flag = arith.constant 0 : i8
      %lb = arith.index_cast %begin : i64 to index
      %ub = arith.index_cast %end : i64 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      %first = arith.addi %lb, %id : index
      scf.for %i = %first to %ub step %threads {
        %v = memref.load %state[%c0, %i] : memref<?x?xf64>
        %w = arith.mulf %v, %k : f64
        memref.store %w, %state[%c0, %i] : memref<?x?xf64>
        memref.store %flag, %spiked[%i] : memref<?xi8>
      }
      gpu.return
    }
    gpu.func @neuro_step_M_A(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) kernel attributes {neuro.kernel = #neuro.kernel<step, "A">} {
      %c0 = arith.constant 0 : index
      %k = arith.constant 0.75 : f64
      %one = arith.constant 1.0 : f64
      %flag = arith.constant 0 : i8
      %lb = arith.index_cast %begin : i64 to index
      %ub = arith.index_cast %end : i64 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      %first = arith.addi %lb, %id : index
      scf.for %i = %first to %ub step %threads {
        %v = memref.load %state[%c0, %i] : memref<?x?xf64>
        %w = arith.mulf %v, %k : f64
        %x = arith.addf %w, %one : f64
        memref.store %x, %state[%c0, %i] : memref<?x?xf64>
        memref.store %flag, %spiked[%i] : memref<?xi8>
      }
      gpu.return
    }
    gpu.func @neuro_reset_N_A(%spikes: memref<?xi32>, %state: memref<?x?xf64>, %step: i64, %seed: i64, %count: memref<?xi32>) kernel attributes {neuro.kernel = #neuro.kernel<reset, "A">} {
      %c0 = arith.constant 0 : index
      %r = arith.constant -65.0 : f64
      %n32 = memref.load %count[%c0] : memref<?xi32>
      %n = arith.index_cast %n32 : i32 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      scf.for %s = %id to %n step %threads {
        %i32 = memref.load %spikes[%s] : memref<?xi32>
        %i = arith.index_cast %i32 : i32 to index
        memref.store %r, %state[%c0, %i] : memref<?x?xf64>
      }
      gpu.return
    }
    gpu.func @neuro_reset_N_B(%spikes: memref<?xi32>, %state: memref<?x?xf64>, %step: i64, %seed: i64, %count: memref<?xi32>) kernel attributes {neuro.kernel = #neuro.kernel<reset, "B">} {
      %c0 = arith.constant 0 : index
      %r = arith.constant -65.0 : f64
      %n32 = memref.load %count[%c0] : memref<?xi32>
      %n = arith.index_cast %n32 : i32 to index
      %id = gpu.global_id x
      %gd = gpu.grid_dim x
      %bd = gpu.block_dim x
      %threads = arith.muli %gd, %bd : index
      scf.for %s = %id to %n step %threads {
        %i32 = memref.load %spikes[%s] : memref<?xi32>
        %i = arith.index_cast %i32 : i32 to index
        memref.store %r, %state[%c0, %i] : memref<?x?xf64>
      }
      gpu.return
    }
  }
}
