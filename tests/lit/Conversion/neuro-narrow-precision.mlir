// RUN: neuro-opt %s --neuro-narrow-precision | FileCheck %s

// --precision=single: per-step kernels take float32 rows and compute in
// f32; kernels that run once stay f64.
// CHECK: module attributes {neuro.single_precision}
func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64

// A step kernel: f64 constants are rounded, a uniform draw is rounded and
// kept below 1, the scf.if's result and the row's load and store are f32.
// CHECK-LABEL: func.func @neuro_step_N_P(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf32>, %{{.*}}: memref<?xi8>, %{{.*}}: i64, %[[SEED:.*]]: i64, %{{.*}}: index, %{{.*}}: index)
// CHECK-DAG:     %[[DECAY:.*]] = arith.constant 0.951229453 : f32
// CHECK-DAG:     %[[THETA:.*]] = arith.constant 2.000000e-02 : f32
// CHECK:         scf.for %[[I:.*]] =
// CHECK:           %[[V:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[U64:.*]] = func.call @neuro_rt_uniform(%[[SEED]], {{.*}}) : (i64, i32, i64, i64) -> f64
// CHECK:           %[[U32:.*]] = arith.truncf %[[U64]] : f64 to f32
// CHECK:           %[[BELOW1:.*]] = arith.constant 0.99999994 : f32
// CHECK:           %[[U:.*]] = arith.minimumf %[[U32]], %[[BELOW1]] : f32
// CHECK:           %[[D:.*]] = arith.mulf %[[V]], %[[DECAY]] : f32
// CHECK:           %[[N:.*]] = arith.addf %[[D]], %[[U]] : f32
// CHECK:           %[[ABOVE:.*]] = arith.cmpf ogt, %[[N]], %[[THETA]] : f32
// CHECK:           %[[R:.*]] = scf.if %[[ABOVE]] -> (f32) {
// CHECK:             arith.constant 0.000000e+00 : f32
// CHECK:           } else {
// CHECK:             scf.yield %[[N]] : f32
// CHECK:           memref.store %[[R]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:         } {neuro.neuron_loop}
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %lo: index, %hi: index) attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %decay = arith.constant 0.95122942450071402 : f64
  %theta = arith.constant 2.0e-2 : f64
  %stream = arith.constant 3 : i32
  scf.for %i = %lo to %hi step %c1 {
    %v = memref.load %state[%c0, %i] : memref<?x?xf64>
    %idx = arith.index_cast %i : index to i64
    %u = func.call @neuro_rt_uniform(%seed, %stream, %idx, %step) : (i64, i32, i64, i64) -> f64
    %d = arith.mulf %v, %decay : f64
    %n = arith.addf %d, %u : f64
    %above = arith.cmpf ogt, %n, %theta : f64
    %r = scf.if %above -> (f64) {
      %z = arith.constant 0.0 : f64
      scf.yield %z : f64
    } else {
      scf.yield %n : f64
    }
    memref.store %r, %state[%c0, %i] : memref<?x?xf64>
  } {neuro.neuron_loop}
  return
}

// Memory other than the rows keeps f64: the modulators are rounded when
// loaded, a scratch buffer widens what is stored and rounds what is
// loaded; loop-carried values are f32.
// CHECK-LABEL: func.func @neuro_deliver_N_J(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf32>, %[[MODS:.*]]: memref<?xf64>, %{{.*}}: index)
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[M64:.*]] = memref.load %[[MODS]][%{{.*}}] : memref<?xf64>
// CHECK:         %[[M:.*]] = arith.truncf %[[M64]] : f64 to f32
// CHECK:         %[[BUF:.*]] = memref.alloca() : memref<4xf64>
// CHECK:         %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK:           %[[W:.*]] = memref.load %[[S]]{{.*}} : memref<?x?xf32>
// CHECK:           %[[P:.*]] = arith.mulf %[[W]], %[[M]] : f32
// CHECK:           %[[A:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:           scf.yield %[[A]] : f32
// CHECK:         %[[WIDE:.*]] = arith.extf %[[SUM]] : f32 to f64
// CHECK:         memref.store %[[WIDE]], %[[BUF]][%{{.*}}] : memref<4xf64>
// CHECK:         %[[BACK64:.*]] = memref.load %[[BUF]][%{{.*}}] : memref<4xf64>
// CHECK:         %[[BACK:.*]] = arith.truncf %[[BACK64]] : f64 to f32
// CHECK:         memref.store %[[BACK]], %[[S]][%{{.*}}] : memref<?x?xf32>
func.func @neuro_deliver_N_J(%state: memref<?x?xf64>, %mods: memref<?xf64>, %n: index) attributes {neuro.kernel = #neuro.kernel<deliver, "J">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %m = memref.load %mods[%c1] : memref<?xf64>
  %scratch = memref.alloca() : memref<4xf64>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %w = memref.load %state[%c0, %i] : memref<?x?xf64>
    %p = arith.mulf %w, %m : f64
    %a = arith.addf %acc, %p : f64
    scf.yield %a : f64
  }
  memref.store %sum, %scratch[%c0] : memref<4xf64>
  %back = memref.load %scratch[%c0] : memref<4xf64>
  memref.store %back, %state[%c1, %c0] : memref<?x?xf64>
  return
}

// Initial values are computed once, in f64.
// CHECK-LABEL: func.func @neuro_init_N_P(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf64>
// CHECK:         %[[V:.*]] = arith.constant -6.500000e-02 : f64
// CHECK:         memref.store %[[V]], %[[S]]{{.*}} : memref<?x?xf64>
func.func @neuro_init_N_P(%state: memref<?x?xf64>, %seed: i64) attributes {neuro.kernel = #neuro.kernel<init, "P">} {
  %c0 = arith.constant 0 : index
  %v = arith.constant -6.5e-2 : f64
  memref.store %v, %state[%c0, %c0] : memref<?x?xf64>
  return
}

// The kind of kernel is its #neuro.kernel, not its name: a function without
// one stays f64.
// CHECK-LABEL: func.func @neuro_step_N_Q(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf64>
// CHECK:         memref.store %{{.*}}, %[[S]]{{.*}} : memref<?x?xf64>
func.func @neuro_step_N_Q(%state: memref<?x?xf64>) {
  %c0 = arith.constant 0 : index
  %v = arith.constant 1.0 : f64
  memref.store %v, %state[%c0, %c0] : memref<?x?xf64>
  return
}

// Time stays f64: `t` and `lastspike` (neuro.step_time) and the arithmetic
// that reads them; the step count and the rows they meet are widened, the
// f64 constants they read keep their value (dt here, also rounded for the
// f32 arithmetic that reads it), and what reaches a row is rounded.
// CHECK-LABEL: func.func @neuro_step_N_T(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf32>, %[[STEP:.*]]: i64, %{{.*}}: index, %{{.*}}: index)
// CHECK-DAG:     %[[DT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK-DAG:     %[[DT32:.*]] = arith.constant 9.99999974E-5 : f32
// CHECK-DAG:     %[[FIFTY:.*]] = arith.constant 5.000000e+01 : f64
// CHECK:         %[[K:.*]] = arith.sitofp %[[STEP]] : i64 to f32
// CHECK:         %[[K64:.*]] = arith.extf %[[K]] : f32 to f64
// CHECK:         %[[T:.*]] = arith.mulf %[[K64]], %[[DT]] {neuro.step_time} : f64
// CHECK:         scf.for %[[I:.*]] =
// CHECK:           %[[L:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[L64:.*]] = arith.extf %[[L]] : f32 to f64
// CHECK:           %[[LS:.*]] = arith.mulf %[[L64]], %[[DT]] {neuro.step_time} : f64
// CHECK:           %[[SINCE:.*]] = arith.subf %[[T]], %[[LS]] : f64
// CHECK:           %[[STEPS:.*]] = arith.divf %[[SINCE]], %[[DT]] : f64
// CHECK:           arith.cmpf oge, %[[STEPS]], %[[FIFTY]] : f64
// CHECK:           %[[ON:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[ON64:.*]] = arith.extf %[[ON]] : f32 to f64
// CHECK:           arith.cmpf oge, %[[T]], %[[ON64]] : f64
// CHECK:           %[[V:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[VDT:.*]] = arith.mulf %[[V]], %[[DT32]] : f32
// CHECK:           %[[VDT64:.*]] = arith.extf %[[VDT]] : f32 to f64
// CHECK:           %[[SUM:.*]] = arith.addf %[[VDT64]], %[[T]] : f64
// CHECK:           %[[ROUNDED:.*]] = arith.truncf %[[SUM]] : f64 to f32
// CHECK:           memref.store %[[ROUNDED]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
func.func @neuro_step_N_T(%state: memref<?x?xf64>, %step: i64, %lo: index, %hi: index) attributes {neuro.kernel = #neuro.kernel<step, "T">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %dt = arith.constant 1.0e-4 : f64
  %fifty = arith.constant 50.0 : f64
  %k = arith.sitofp %step : i64 to f64
  %t = arith.mulf %k, %dt {neuro.step_time} : f64
  scf.for %i = %lo to %hi step %c1 {
    %last = memref.load %state[%c0, %i] : memref<?x?xf64>
    %ls = arith.mulf %last, %dt {neuro.step_time} : f64
    %since = arith.subf %t, %ls : f64
    %steps = arith.divf %since, %dt : f64
    %free = arith.cmpf oge, %steps, %fifty : f64
    %on = memref.load %state[%c1, %i] : memref<?x?xf64>
    %started = arith.cmpf oge, %t, %on : f64
    %v = memref.load %state[%c2, %i] : memref<?x?xf64>
    %vdt = arith.mulf %v, %dt : f64
    %sum = arith.addf %vdt, %t : f64
    memref.store %sum, %state[%c2, %i] : memref<?x?xf64>
  } {neuro.neuron_loop}
  return
}

// A state set from time is rounded into its row, and later readers (the
// spike condition) read the rounded value; `x += a` (a from time) rounds
// a and adds in f32, so the GPU backend keeps one atomic add.
// CHECK-LABEL: func.func @neuro_step_N_U(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf32>, %[[STEP:.*]]: i64, %{{.*}}: index, %{{.*}}: index)
// CHECK:         %[[T:.*]] = arith.mulf %{{.*}}, %{{.*}} {neuro.step_time} : f64
// CHECK:         scf.for %[[I:.*]] =
// CHECK:           %[[V:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[V64:.*]] = arith.extf %[[V]] : f32 to f64
// CHECK:           %[[NEW:.*]] = arith.addf %[[V64]], %[[T]] : f64
// CHECK-NEXT:      %[[NEW32:.*]] = arith.truncf %[[NEW]] : f64 to f32
// CHECK-NEXT:      %[[ASREAD:.*]] = arith.extf %[[NEW32]] : f32 to f64
// CHECK:           memref.store %[[NEW32]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           arith.cmpf ogt, %[[ASREAD]], %{{.*}} : f64
// CHECK:           %[[G:.*]] = memref.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
// CHECK:           %[[A:.*]] = arith.mulf %{{.*}}, %[[T]] : f64
// CHECK:           %[[A32:.*]] = arith.truncf %[[A]] : f64 to f32
// CHECK-NEXT:      %[[SUM:.*]] = arith.addf %[[G]], %[[A32]] : f32
// CHECK-NEXT:      memref.store %[[SUM]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf32>
func.func @neuro_step_N_U(%state: memref<?x?xf64>, %step: i64, %lo: index, %hi: index) attributes {neuro.kernel = #neuro.kernel<step, "U">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %dt = arith.constant 1.0e-4 : f64
  %th = arith.constant 0.5 : f64
  %k = arith.sitofp %step : i64 to f64
  %t = arith.mulf %k, %dt {neuro.step_time} : f64
  scf.for %i = %lo to %hi step %c1 {
    %v = memref.load %state[%c0, %i] : memref<?x?xf64>
    %new = arith.addf %v, %t : f64
    memref.store %new, %state[%c0, %i] : memref<?x?xf64>
    %above = arith.cmpf ogt, %new, %th : f64
    %g = memref.load %state[%c1, %i] : memref<?x?xf64>
    %a = arith.mulf %v, %t : f64
    %sum = arith.addf %g, %a : f64
    memref.store %sum, %state[%c1, %i] : memref<?x?xf64>
  } {neuro.neuron_loop}
  return
}
