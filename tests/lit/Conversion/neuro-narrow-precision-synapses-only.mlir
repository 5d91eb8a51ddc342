// RUN: neuro-opt %s --split-input-file --verify-diagnostics --neuro-narrow-precision=synapses-only | FileCheck %s

// --precision=mixed: only the synapse rows of the per-step synapse kernels
// become float32. A load from them is widened, a store rounded; the state
// rows, the modulators and the arithmetic stay f64.
// CHECK: module attributes {neuro.single_synapses}
// CHECK-NOT: neuro.single_precision

// A delivery (NEURO_DELIVER_ARG_SYN = 5): g += w, then w = w * m.
// CHECK-LABEL: func.func @neuro_deliver_N_J(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi64>, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf32>, %[[POST:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %[[MODS:.*]]: memref<?xf64>, %{{.*}}: i64)
// CHECK:         %[[W32:.*]] = memref.load %[[SYN]][%{{.*}}, %{{.*}}] : memref<?x?xf32>
// CHECK-NEXT:    %[[W:.*]] = arith.extf %[[W32]] : f32 to f64
// CHECK:         %[[G:.*]] = memref.load %[[POST]][%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK:         %[[SUM:.*]] = arith.addf %[[G]], %[[W]] : f64
// CHECK:         memref.store %[[SUM]], %[[POST]][%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK:         %[[M:.*]] = memref.load %[[MODS]][%{{.*}}] : memref<?xf64>
// CHECK:         %[[NEW:.*]] = arith.mulf %[[W]], %[[M]] : f64
// CHECK:         %[[NEW32:.*]] = arith.truncf %[[NEW]] : f64 to f32
// CHECK-NEXT:    memref.store %[[NEW32]], %[[SYN]][%{{.*}}, %{{.*}}] : memref<?x?xf32>
func.func @neuro_deliver_N_J(%spikes: memref<?xi32>, %rowPtr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "J">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = memref.load %syn[%c0, %c1] : memref<?x?xf64>
  %g = memref.load %post[%c0, %c1] : memref<?x?xf64>
  %sum = arith.addf %g, %w : f64
  memref.store %sum, %post[%c0, %c1] : memref<?x?xf64>
  %m = memref.load %mods[%c1] : memref<?xf64>
  %new = arith.mulf %w, %m : f64
  memref.store %new, %syn[%c0, %c1] : memref<?x?xf64>
  return
}

// The clock-driven update (NEURO_UPDATE_ARG_SYN = 2) likewise.
// CHECK-LABEL: func.func @neuro_update_N_J(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf32>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?xf64>, %{{.*}}: i64)
// CHECK:         %[[X32:.*]] = memref.load %[[SYN]]{{.*}} : memref<?x?xf32>
// CHECK-NEXT:    %[[X:.*]] = arith.extf %[[X32]] : f32 to f64
// CHECK-NEXT:    %[[D:.*]] = arith.mulf %[[X]], %{{.*}} : f64
// CHECK-NEXT:    %[[D32:.*]] = arith.truncf %[[D]] : f64 to f32
// CHECK-NEXT:    memref.store %[[D32]], %[[SYN]]{{.*}} : memref<?x?xf32>
func.func @neuro_update_N_J(%srcs: memref<?xi32>, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64) attributes {neuro.kernel = #neuro.kernel<update, "J">} {
  %c0 = arith.constant 0 : index
  %decay = arith.constant 0.98 : f64
  %x = memref.load %syn[%c0, %c0] : memref<?x?xf64>
  %d = arith.mulf %x, %decay : f64
  memref.store %d, %syn[%c0, %c0] : memref<?x?xf64>
  return
}

// A population's step keeps its f64 state; so does the synapse
// initialization, which runs once on the runtime's double rows.
// CHECK-LABEL: func.func @neuro_step_N_P(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf64>
// CHECK:         arith.constant 1.000000e+00 : f64
// CHECK:         memref.store %{{.*}}, %[[S]]{{.*}} : memref<?x?xf64>
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %lo: index, %hi: index) attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c0 = arith.constant 0 : index
  %v = arith.constant 1.0 : f64
  memref.store %v, %state[%c0, %c0] : memref<?x?xf64>
  return
}
// CHECK-LABEL: func.func @neuro_syninit_N_J(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi32>, %{{.*}}: memref<?x?xf64>
func.func @neuro_syninit_N_J(%srcs: memref<?xi32>, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %pre: memref<?x?xf64>, %post: memref<?x?xf64>, %seed: i64, %first: i64) attributes {neuro.kernel = #neuro.kernel<syninit, "J">} {
  return
}

// -----

// expected-error @below {{a synapse kernel takes its synapse rows as argument 5; this one has 2 arguments}}
func.func @neuro_deliver_N_K(%syn: memref<?x?xf64>, %n: index) attributes {neuro.kernel = #neuro.kernel<deliver, "K">} {
  return
}

// -----

// Synapse rows passed on to a call cannot be narrowed in place.
func.func private @use(memref<?x?xf64>)
func.func @neuro_update_N_L(%srcs: memref<?xi32>, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64) attributes {neuro.kernel = #neuro.kernel<update, "L">} {
  // expected-error @below {{cannot narrow the synapse rows used by 'func.call'}}
  func.call @use(%syn) : (memref<?x?xf64>) -> ()
  return
}
