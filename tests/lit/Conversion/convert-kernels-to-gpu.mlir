// RUN: neuro-opt %s --convert-kernels-to-gpu | FileCheck %s

// The per-step kernels move into one gpu.module; the kernels that run once
// stay on the host, as do runtime declarations they still call.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:         func.func @neuro_init_N_P(
// CHECK:         func.call @neuro_rt_uniform
// CHECK:         func.func private @neuro_rt_uniform(
// CHECK-NOT:     func.func @neuro_step
// CHECK:         gpu.module @neuro_kernels

// Step: one thread per neuron from `begin` in a grid-stride loop, which
// sets the neuron's spike flag (the spike lists are made from the flags).
// CHECK-LABEL:   gpu.func @neuro_step_N_P(
// CHECK-SAME:      %[[STATE:[^:]*]]: memref<?x?xf64>, %[[FLAGS:[^:]*]]: memref<?xi8>, %[[STEP:[^:]*]]: i64, %{{[^:]*}}: i64, %[[BEGIN:[^:]*]]: i64, %[[END:[^:]*]]: i64) kernel
// CHECK-DAG:       %[[LB:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK-DAG:       %[[UB:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK:           %[[ID:.*]] = gpu.global_id x
// CHECK:           %[[BD:.*]] = gpu.block_dim x
// CHECK:           %[[GD:.*]] = gpu.grid_dim x
// CHECK:           %[[THREADS:.*]] = arith.muli %[[GD]], %[[BD]] : index
// CHECK:           %[[FIRST:.*]] = arith.addi %[[LB]], %[[ID]] : index
// CHECK:           scf.for %[[I:.*]] = %[[FIRST]] to %[[UB]] step %[[THREADS]] {
// CHECK:             func.call @neuro_rt_normal(
// CHECK:             func.call @neuro_rt_uniform(
// CHECK:             memref.store %[[V:.*]], %[[STATE]][%{{.*}}, %[[I]]]
// CHECK:             %[[SPIKED:.*]] = arith.cmpf ogt, %[[V]]
// CHECK:             %[[FLAG:.*]] = arith.extui %[[SPIKED]] : i1 to i8
// CHECK-NEXT:        memref.store %[[FLAG]], %[[FLAGS]][%[[I]]] : memref<?xi8>
// CHECK-NEXT:      } {neuro.neuron_loop}
// CHECK:           gpu.return
func.func @neuro_step_N_P(%state: memref<?x?xf64>, %spiked: memref<?xi8>, %step: i64, %seed: i64, %begin: i64, %end: i64) attributes {neuro.kernel = #neuro.kernel<step, "P">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : i32
  %th = arith.constant 1.0 : f64
  %lb = arith.index_cast %begin : i64 to index
  %ub = arith.index_cast %end : i64 to index
  scf.for %i = %lb to %ub step %c1 {
    %v = memref.load %state[%c0, %i] : memref<?x?xf64>
    %n = arith.index_cast %i : index to i64
    %xi = func.call @neuro_rt_normal(%seed, %c7, %n, %step) : (i64, i32, i64, i64) -> f64
    %u = func.call @neuro_rt_uniform(%seed, %c7, %n, %step) : (i64, i32, i64, i64) -> f64
    %vu = arith.addf %v, %u : f64
    %w = arith.addf %vu, %xi : f64
    memref.store %w, %state[%c0, %i] : memref<?x?xf64>
    %s = arith.cmpf ogt, %w, %th : f64
    %f = arith.extui %s : i1 to i8
    memref.store %f, %spiked[%i] : memref<?xi8>
  } {neuro.neuron_loop}
  return
}

// The same delivery pulled: a thread per target T visits the synapses
// onto T (POSTSYN[POSTPTR[T]] ...); a synapse whose source SRCS[S] spiked
// DELAYS[S] steps ago (its flag in ring slot (step - delay) mod DEPTH) runs
// `on pre`. Each target is one thread's, so the add stays a plain store.
// CHECK-LABEL:   gpu.func @neuro_deliver_N_E$by_target(
// CHECK-SAME:      %[[PSYN:[^:]*]]: memref<?x?xf64>, %[[PPOST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[PSTEP:[^:]*]]: i64, %{{[^:]*}}: i64, %[[POSTPTR:[^:]*]]: memref<?xi64>, %[[POSTSYN:[^:]*]]: memref<?xi64>, %[[SRCS:[^:]*]]: memref<?xi32>, %[[DELAYS:[^:]*]]: memref<?xi32>, %[[FLAGS:[^:]*]]: memref<?xi8>, %[[PDEPTH:[^:]*]]: i64, %[[PSIZE:[^:]*]]: i64, %[[TARGETS:[^:]*]]: i64) kernel attributes {neuro.kernel = #neuro.kernel<deliver, "E">} {
// CHECK:           %[[NT:.*]] = arith.index_cast %[[TARGETS]] : i64 to index
// CHECK:           scf.for %[[T:.*]] = %{{.*}} to %[[NT]] step %{{.*}} {
// CHECK:             memref.load %[[POSTPTR]][%[[T]]] : memref<?xi64>
// CHECK:             scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:               %[[S64:.*]] = memref.load %[[POSTSYN]][%[[J]]] : memref<?xi64>
// CHECK:               %[[S:.*]] = arith.index_cast %[[S64]] : i64 to index
// CHECK:               %[[SRC:.*]] = memref.load %[[SRCS]][%[[S]]] : memref<?xi32>
// CHECK:               %[[D32:.*]] = memref.load %[[DELAYS]][%[[S]]] : memref<?xi32>
// CHECK:               %[[D:.*]] = arith.extsi %[[D32]] : i32 to i64
// CHECK:               %[[WHEN:.*]] = arith.subi %[[PSTEP]], %[[D]] : i64
// CHECK:               scf.if
// CHECK:                 %[[PSLOT:.*]] = arith.remsi %[[WHEN]], %[[PDEPTH]] : i64
// CHECK:                 %[[F:.*]] = memref.load %[[FLAGS]][%{{.*}}] : memref<?xi8>
// CHECK:                 %[[FIRED:.*]] = arith.cmpi ne, %[[F]], %{{.*}} : i8
// CHECK:                 scf.if %[[FIRED]] {
// CHECK:                   %[[PW:.*]] = memref.load %[[PSYN]][%{{.*}}, %[[S]]]
// CHECK:                   %[[PG:.*]] = memref.load %[[PPOST]]
// CHECK:                   %[[PSUM:.*]] = arith.addf %[[PG]], %[[PW]] : f64
// CHECK:                   memref.store %[[PSUM]], %[[PPOST]]
// CHECK-NOT:               memref.atomic_rmw
// CHECK:           gpu.return

// Delivery: one launch takes the delay groups [FIRST, END), the last (the
// longest delay) first, striding over the grid's y dimension; a group
// whose delay has elapsed reads the spike list and count of ring slot
// (step - delay) mod depth, and its own row pointers. A block per spike, whose threads take the spike's synapses in
// turn; the target's input accumulates atomically, the synapse's own row
// (argument 5) is written plainly.
// CHECK-LABEL:   gpu.func @neuro_deliver_N_E(
// CHECK-SAME:      %[[SPIKES:[^:]*]]: memref<?xi32>, %[[ROWS:[^:]*]]: memref<?xi64>, %{{.*}}, %[[SYN:[^:]*]]: memref<?x?xf64>, %[[POST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[STEP:[^:]*]]: i64, %{{[^:]*}}: i64, %[[N:[^:]*]]: memref<?xi32>, %[[DELAYS:[^:]*]]: memref<?xi64>, %[[DEPTH:[^:]*]]: i64, %[[SIZE:[^:]*]]: i64, %[[RSTRIDE:[^:]*]]: i64, %[[FIRST:[^:]*]]: i64, %[[END:[^:]*]]: i64) kernel attributes {neuro.kernel = #neuro.kernel<deliver, "E">, neuro.row_parallel}
// CHECK-NOT:       memref.dim %[[SPIKES]]
// CHECK:           %[[F:.*]] = arith.index_cast %[[FIRST]] : i64 to index
// CHECK:           %[[E:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK:           %[[BY:.*]] = gpu.block_id y
// CHECK:           %[[G0:.*]] = arith.addi %[[F]], %[[BY]] : index
// CHECK:           %[[GY:.*]] = gpu.grid_dim y
// CHECK:           %[[FE:.*]] = arith.addi %[[F]], %[[E]] : index
// CHECK:           %[[LAST:.*]] = arith.subi %[[FE]], %{{.*}} : index
// CHECK:           scf.for %[[I:.*]] = %[[G0]] to %[[E]] step %[[GY]] {
// CHECK:             %[[G:.*]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK:             %[[D:.*]] = memref.load %[[DELAYS]][%[[G]]] : memref<?xi64>
// CHECK:             %[[S:.*]] = arith.subi %[[STEP]], %[[D]] : i64
// CHECK:             %[[LIVE:.*]] = arith.cmpi sge, %[[S]], %{{.*}} : i64
// CHECK:             scf.if %[[LIVE]] {
// CHECK:               %[[SLOT64:.*]] = arith.remsi %[[S]], %[[DEPTH]] : i64
// CHECK:               %[[SLOT:.*]] = arith.index_cast %[[SLOT64]] : i64 to index
// CHECK:               %[[SZ:.*]] = arith.index_cast %[[SIZE]] : i64 to index
// CHECK:               %[[LBASE:.*]] = arith.muli %[[SLOT]], %[[SZ]] : index
// CHECK:               %[[RST:.*]] = arith.index_cast %[[RSTRIDE]] : i64 to index
// CHECK:               %[[RBASE:.*]] = arith.muli %[[G]], %[[RST]] : index
// CHECK:               %[[LEN:.*]] = memref.load %[[N]][%[[SLOT]]] : memref<?xi32>
// CHECK:               %[[LENX:.*]] = arith.index_cast %[[LEN]] : i32 to index
// CHECK:               %[[BID:.*]] = gpu.block_id x
// CHECK:               %[[GD2:.*]] = gpu.grid_dim x
// CHECK:               scf.for %[[B:.*]] = %[[BID]] to %[[LENX]] step %[[GD2]] {
// CHECK:                 %[[AT:.*]] = arith.addi %[[LBASE]], %[[B]] : index
// CHECK:                 memref.load %[[SPIKES]][%[[AT]]] : memref<?xi32>
// CHECK:                 %[[RAT:.*]] = arith.addi %[[RBASE]], %{{.*}} : index
// CHECK:                 memref.load %[[ROWS]][%[[RAT]]] : memref<?xi64>
// CHECK:                 %[[TID:.*]] = gpu.thread_id x
// CHECK:                 %[[BD2:.*]] = gpu.block_dim x
// CHECK:                 %[[FROM:.*]] = arith.addi %{{.*}}, %[[TID]] : index
// CHECK:                 scf.for %[[K:.*]] = %[[FROM]] to %{{.*}} step %[[BD2]] {
// CHECK:                   %[[W:.*]] = memref.load %[[SYN]][%{{.*}}, %[[K]]]
// CHECK:                   memref.atomic_rmw addf %[[W]], %[[POST]][%{{.*}}, %{{.*}}] : (f64, memref<?x?xf64>) -> f64
// CHECK:                   %[[OLD:.*]] = memref.load %[[SYN]][%{{.*}}, %[[K]]]
// CHECK:                   %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}} : f64
// CHECK:                   memref.store %[[NEW]], %[[SYN]][%{{.*}}, %[[K]]]
// CHECK:           gpu.return
func.func @neuro_deliver_N_E(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "E">} {
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

// `-=` becomes an atomic add of the negation; writes to the spiking
// neuron's own state (`pre`, indexed by the spike) stay plain, and keep
// the spike to one thread. Such a delivery gets no pull kernel.
// CHECK-NOT:     gpu.func @neuro_deliver_N_R$by_target
// CHECK-LABEL:   gpu.func @neuro_deliver_N_R(
// CHECK-SAME:      %[[RSP:[^:]*]]: memref<?xi32>, %{{.*}}, %[[RPOST:[^:]*]]: memref<?x?xf64>, %[[RPRE:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %{{[^:]*}}: i64) kernel attributes {neuro.kernel = #neuro.kernel<deliver, "R">} {
// CHECK:           gpu.global_id x
// CHECK:           scf.for %[[RS:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:             %[[RAT:.*]] = arith.addi %{{.*}}, %[[RS]] : index
// CHECK:             %[[RSRC:.*]] = memref.load %[[RSP]][%[[RAT]]]
// CHECK:             %[[RSI:.*]] = arith.index_cast %[[RSRC]]
// CHECK:             scf.for
// CHECK:               %[[NEG:.*]] = arith.negf %[[DW:.*]] : f64
// CHECK:               memref.atomic_rmw addf %[[NEG]], %[[RPOST]][%{{.*}}, %{{.*}}]
// CHECK:             memref.store %{{.*}}, %[[RPRE]][%{{.*}}, %[[RSI]]]
func.func @neuro_deliver_N_R(%spikes: memref<?xi32>, %rowptr: memref<?xi64>, %stride: i64, %part: i64, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<deliver, "R">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
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
      %g2 = arith.subf %g, %w : f64
      memref.store %g2, %post[%c1, %ti] : memref<?x?xf64>
    }
    memref.store %one, %pre[%c0, %si] : memref<?x?xf64>
  }
  return
}

// Reset: one thread per spike of the device's list.
// CHECK-LABEL:   gpu.func @neuro_reset_N_P(
// CHECK-SAME:      %[[RS:[^:]*]]: memref<?xi32>, %[[RSTATE:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[RN:[^:]*]]: memref<?xi32>) kernel
// CHECK:           memref.load %[[RN]]
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %[[RSTATE]]
func.func @neuro_reset_N_P(%spikes: memref<?xi32>, %state: memref<?x?xf64>, %step: i64, %seed: i64) attributes {neuro.kernel = #neuro.kernel<reset, "P">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %vr = arith.constant 0.0 : f64
  %n = memref.dim %spikes, %c0 : memref<?xi32>
  scf.for %s = %c0 to %n step %c1 {
    %i = memref.load %spikes[%s] : memref<?xi32>
    %ii = arith.index_cast %i : i32 to index
    memref.store %vr, %state[%c0, %ii] : memref<?x?xf64>
  }
  return
}

// Update with two loops: two kernels, launched in order; each recomputes
// what it uses from the top of the kernel.
// CHECK-LABEL:   gpu.func @neuro_update_N_E$0(
// CHECK:           %[[D:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?x?xf64>
// CHECK:           scf.for %[[T:.*]] = %{{.*}} to %[[D]] step
// CHECK:             memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[T]]]
// CHECK:           gpu.return
// CHECK-LABEL:   gpu.func @neuro_update_N_E$1(
// CHECK:           scf.for
// CHECK:             memref.atomic_rmw addf
// CHECK:           gpu.return
func.func @neuro_update_N_E(%srcs: memref<?xi32>, %cols: memref<?xi32>, %syn: memref<?x?xf64>, %post: memref<?x?xf64>, %pre: memref<?x?xf64>, %mods: memref<?xf64>, %step: i64) attributes {neuro.kernel = #neuro.kernel<update, "E">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f64
  %targets = memref.dim %post, %c1 : memref<?x?xf64>
  scf.for %t = %c0 to %targets step %c1 {
    memref.store %zero, %post[%c4, %t] : memref<?x?xf64>
  }
  %n = memref.dim %cols, %c0 : memref<?xi32>
  scf.for %k = %c0 to %n step %c1 {
    %t = memref.load %cols[%k] : memref<?xi32>
    %ti = arith.index_cast %t : i32 to index
    %w = memref.load %syn[%c0, %k] : memref<?x?xf64>
    %g = memref.load %post[%c4, %ti] : memref<?x?xf64>
    %g2 = arith.addf %g, %w : f64
    memref.store %g2, %post[%c4, %ti] : memref<?x?xf64>
  }
  return
}

// Random draws get device functions with the runtime's Philox4x32-10:
// ten rounds of two 32x32->64 multiplications, then 53 bits to [0, 1);
// Box-Muller with the runtime's own log (exponent and mantissa apart, an
// odd series in s = f / (2 + f)) and cos (pi/2 in three parts, quadrant
// selects): no math.log or math.cos, so no libdevice, and the CPU's bits.
// CHECK-LABEL:   func.func @neuro_rt_normal(
// CHECK-COUNT-20:  arith.mului_extended
// CHECK-NOT:       math.log
// CHECK:           arith.bitcast %{{.*}} : f64 to i64
// CHECK:           arith.divf
// CHECK:           arith.sitofp
// CHECK:           math.sqrt
// CHECK:           math.roundeven
// CHECK-NOT:       math.cos
// CHECK:           arith.andi %{{.*}}, %{{.*}} : i64
// CHECK:           arith.select
// CHECK:           return
// CHECK-LABEL:   func.func @neuro_rt_uniform(
// CHECK-SAME:      %{{.*}}: i64, %{{.*}}: i32, %{{.*}}: i64, %{{.*}}: i64) -> f64
// CHECK-COUNT-20:  arith.mului_extended
// CHECK:           arith.uitofp
// CHECK:           arith.constant 1.1102230246251565E-16 : f64
// CHECK:           arith.select

// Kernels that run once stay on the host.
func.func @neuro_init_N_P(%state: memref<?x?xf64>, %seed: i64) attributes {neuro.kernel = #neuro.kernel<init, "P">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : i32
  %n = memref.dim %state, %c1 : memref<?x?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %u = func.call @neuro_rt_uniform(%seed, %c3, %ii, %ii) : (i64, i32, i64, i64) -> f64
    memref.store %u, %state[%c0, %i] : memref<?x?xf64>
  }
  return
}
func.func private @neuro_rt_normal(i64, i32, i64, i64) -> f64
func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64
