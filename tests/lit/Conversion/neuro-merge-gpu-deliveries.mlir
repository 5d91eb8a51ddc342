// RUN: neuro-opt %s --convert-kernels-to-gpu --canonicalize --cse --neuro-merge-gpu-kernels --canonicalize --cse | FileCheck %s

// Deliveries of A and B differ in a constant (the learning step 0.5,
// 0.25): one kernel whose blocks take the members in z, y still striding
// over a member's delay groups. Every buffer of a member is a view at the
// offsets of its row (36 entries, then the constant); step, seed and the ring's
// depth are parameters. R writes its spiking neuron's state (the runtime
// launches it per delay group) and stays apart, as do the pull kernels.
// CHECK-LABEL: gpu.func @neuro_deliver_N_A$by_target(
// CHECK-LABEL: gpu.func @neuro_deliver_N_B$by_target(
// CHECK-LABEL: gpu.func @neuro_deliver_N_R(
// CHECK-LABEL: gpu.func @neuro_merged_deliver_0(
// CHECK-SAME:    %[[SPIKES:[^:]*]]: memref<?xi32>, %[[ROWS:[^:]*]]: memref<?xi64>, %[[COLS:[^:]*]]: memref<?xi32>, %[[SYN:[^:]*]]: memref<?xf64>, %[[POST:[^:]*]]: memref<?xf64>, %[[PRE:[^:]*]]: memref<?xf64>, %[[MODS:[^:]*]]: memref<?xf64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[COUNTS:[^:]*]]: memref<?xi32>, %[[DELAYS:[^:]*]]: memref<?xi64>, %{{[^:]*}}: i64, %[[TABLE:[^:]*]]: memref<?xi64>, %[[MEMBERS:[^:]*]]: i64) kernel {
// CHECK-DAG:     %[[C37:.*]] = arith.constant 37 : index
// CHECK-DAG:     %[[C36:.*]] = arith.constant 36 : index
// CHECK-DAG:     %[[N:.*]] = arith.index_cast %[[MEMBERS]] : i64 to index
// CHECK-DAG:     %[[Z:.*]] = gpu.block_id z
// CHECK-DAG:     %[[GZ:.*]] = gpu.grid_dim z
// CHECK:         scf.for %[[M:.*]] = %[[Z]] to %[[N]] step %[[GZ]] {
// CHECK:           %[[ROW:.*]] = arith.muli %[[M]], %[[C37]] : index
// CHECK-DAG:       memref.reinterpret_cast %[[SPIKES]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK-DAG:       memref.reinterpret_cast %[[ROWS]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK-DAG:       memref.reinterpret_cast %[[COLS]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK-DAG:       %[[S:.*]] = memref.reinterpret_cast %[[SYN]] to offset: [%{{.*}}], sizes: [%{{.*}}, %{{.*}}], strides: [%{{.*}}, 1]
// CHECK-DAG:       %[[P:.*]] = memref.reinterpret_cast %[[POST]] to offset: [%{{.*}}], sizes: [%{{.*}}, %{{.*}}], strides: [%{{.*}}, 1]
// CHECK-DAG:       memref.reinterpret_cast %[[COUNTS]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK-DAG:       memref.reinterpret_cast %[[DELAYS]] to offset: [%{{.*}}], sizes: [%{{.*}}], strides: [1]
// CHECK-DAG:       %[[AT:.*]] = arith.addi %[[ROW]], %[[C36]] : index
// CHECK-DAG:       %[[BITS:.*]] = memref.load %[[TABLE]][%[[AT]]] : memref<?xi64>
// CHECK-DAG:       %[[DW:.*]] = arith.bitcast %[[BITS]] : i64 to f64
// CHECK:           gpu.block_id y
// CHECK:           gpu.block_id x
// CHECK:           gpu.thread_id x
// CHECK:           %[[W:.*]] = memref.load %[[S]]
// CHECK:           memref.atomic_rmw addf %[[W]], %[[P]]
// CHECK:           %[[OLD:.*]] = memref.load %[[S]]
// CHECK:           arith.addf %[[OLD]], %[[DW]] : f64
// CHECK:         gpu.return
// CHECK-LABEL: gpu.func @neuro_deliver_N_A$member(
// CHECK-LABEL: gpu.func @neuro_deliver_N_B$member(
// CHECK-NOT:   gpu.func @neuro_deliver_N_A(
module {
  func.func @neuro_deliver_N_A(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "A">} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %dw = arith.constant 0.5 : f64
    %n = memref.dim %spikes, %c0 : memref<?xi32>
    scf.for %s = %c0 to %n step %c1 {
      %src = memref.load %spikes[%s] : memref<?xi32>
      %si = arith.index_cast %src : i32 to index
      %b64 = memref.load %rowptr[%si] : memref<?xi64>
      %b = arith.index_cast %b64 : i64 to index
      %si1 = arith.addi %si, %c1 : index
      %e64 = memref.load %rowptr[%si1] : memref<?xi64>
      %e = arith.index_cast %e64 : i64 to index
      scf.for %k = %b to %e step %c1 {
        %t = memref.load %cols[%k] : memref<?xi32>
        %ti = arith.index_cast %t : i32 to index
        %w = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %g = memref.load %post[%c1, %ti] : memref<?x?xf64>
        %g2 = arith.addf %g, %w : f64
        memref.store %g2, %post[%c1, %ti] : memref<?x?xf64>
        %w0 = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %w2 = arith.addf %w0, %dw : f64
        memref.store %w2, %syn[%c0, %k] : memref<?x?xf64>
      }
    }
    return
  }
  func.func @neuro_deliver_N_B(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "B">} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %dw = arith.constant 0.25 : f64
    %n = memref.dim %spikes, %c0 : memref<?xi32>
    scf.for %s = %c0 to %n step %c1 {
      %src = memref.load %spikes[%s] : memref<?xi32>
      %si = arith.index_cast %src : i32 to index
      %b64 = memref.load %rowptr[%si] : memref<?xi64>
      %b = arith.index_cast %b64 : i64 to index
      %si1 = arith.addi %si, %c1 : index
      %e64 = memref.load %rowptr[%si1] : memref<?xi64>
      %e = arith.index_cast %e64 : i64 to index
      scf.for %k = %b to %e step %c1 {
        %t = memref.load %cols[%k] : memref<?xi32>
        %ti = arith.index_cast %t : i32 to index
        %w = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %g = memref.load %post[%c1, %ti] : memref<?x?xf64>
        %g2 = arith.addf %g, %w : f64
        memref.store %g2, %post[%c1, %ti] : memref<?x?xf64>
        %w0 = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %w2 = arith.addf %w0, %dw : f64
        memref.store %w2, %syn[%c0, %k] : memref<?x?xf64>
      }
    }
    return
  }
  func.func @neuro_deliver_N_R(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "R">} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %dw = arith.constant 0.5 : f64
    %one = arith.constant 1.0 : f64
    %n = memref.dim %spikes, %c0 : memref<?xi32>
    scf.for %s = %c0 to %n step %c1 {
      %src = memref.load %spikes[%s] : memref<?xi32>
      %si = arith.index_cast %src : i32 to index
      %b64 = memref.load %rowptr[%si] : memref<?xi64>
      %b = arith.index_cast %b64 : i64 to index
      %si1 = arith.addi %si, %c1 : index
      %e64 = memref.load %rowptr[%si1] : memref<?xi64>
      %e = arith.index_cast %e64 : i64 to index
      scf.for %k = %b to %e step %c1 {
        %t = memref.load %cols[%k] : memref<?xi32>
        %ti = arith.index_cast %t : i32 to index
        %w = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %g = memref.load %post[%c1, %ti] : memref<?x?xf64>
        %g2 = arith.addf %g, %w : f64
        memref.store %g2, %post[%c1, %ti] : memref<?x?xf64>
        %w0 = memref.load %syn[%c0, %k] : memref<?x?xf64>
        %w2 = arith.addf %w0, %dw : f64
        memref.store %w2, %syn[%c0, %k] : memref<?x?xf64>
      }
      memref.store %one, %pre[%c0, %si] : memref<?x?xf64>
    }
    return
  }
}
