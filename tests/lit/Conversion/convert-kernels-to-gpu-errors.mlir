// RUN: neuro-opt %s --convert-kernels-to-gpu --split-input-file --verify-diagnostics

// Writes outside the loops could not be split between kernels.
func.func @neuro_update_N_E(%srcs: memref<?xi32>, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64) attributes {neuro.kernel = #neuro.kernel<update, "E">} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f64
  // expected-error @+1 {{only loops may write memory at the top of 'neuro_update_N_E' to make it a GPU kernel}}
  memref.store %zero, %mods[%c0] : memref<?xf64>
  return
}

// -----

// GPU kernels are scalar: one thread per neuron.
// expected-error @+1 {{'neuro_step_N_P' is vectorized; GPU kernels need vector width 1}}
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c0 = arith.constant 0 : index
  %v = vector.load %state[%c0, %c0] : memref<?x?xf64>, vector<4xf64>
  vector.store %v, %state[%c0, %c0] : memref<?x?xf64>, vector<4xf64>
  return
}

// -----

// Runtime functions without a device version.
func.func private @neuro_rt_expm(memref<?x?xf64>, memref<?x?xf64>)
func.func @neuro_step_N_Q(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) attributes {neuro.kernel = #neuro.kernel<step, "Q">} {
  %c1 = arith.constant 1 : index
  %lb = arith.index_cast %begin : i64 to index
  %ub = arith.index_cast %end : i64 to index
  scf.for %i = %lb to %ub step %c1 {
    // expected-error @+1 {{'neuro_rt_expm' has no device version for the GPU}}
    func.call @neuro_rt_expm(%state, %state) : (memref<?x?xf64>, memref<?x?xf64>) -> ()
  }
  return
}

// -----

// Assigning (not adding to) a target's state from different spikes races.
func.func @neuro_deliver_N_E(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "E">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
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
      // One constant from every thread: no warning.
      memref.store %zero, %post[%c0, %ti] : memref<?x?xf64>
      %w = memref.load %syn[%c0, %k] : memref<?x?xf64>
      %h = memref.load %post[%c0, %ti] : memref<?x?xf64>
      %h2 = arith.mulf %h, %w : f64
      // expected-warning @+1 {{on the GPU, threads of different spikes may assign this neuron's state at once (the last one wins); only += and -= are atomic}}
      memref.store %h2, %post[%c0, %ti] : memref<?x?xf64>
      // expected-warning @+1 {{on the GPU, threads of different spikes may assign this neuron's state at once (the last one wins); only += and -= are atomic}}
      memref.store %w, %post[%c1, %ti] : memref<?x?xf64>
    }
  }
  return
}

// -----

// The kind says which parameters the GPU kernel gets after the kernel's
// arguments (ABI.h): a kernel must take its kind's arguments.
// expected-error @+1 {{'neuro_reset_N_P' is marked #neuro.kernel<reset, "P"> but takes 1 arguments, not 4}}
func.func @neuro_reset_N_P(%state: memref<?x?xf64>) attributes {neuro.kernel = #neuro.kernel<reset, "P">} {
  return
}
