// RUN: neuro-opt %s --neuro-vectorize-kernels=width=4 | FileCheck %s
// RUN: neuro-opt %s --neuro-vectorize-kernels=register-bits=256 \
// RUN:   | FileCheck %s --check-prefix=REG

// A step kernel as convert-neuro-to-kernels emits it: a refractory check, a
// decay, a noise draw, a threshold with a conditional store of the spike
// time, and the spike flag. The state memref is written, so its rows are
// read through llvm.freeze (else LLVM turns select-and-store into a masked
// store).
func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64

// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[S:.*]]: memref<?x?xf64>, %[[F:.*]]: memref<?xi8>, %[[K:.*]]: f64, %[[LO:.*]]: index, %[[HI:.*]]: index, %[[SEED:.*]]: i64)
// Four neurons per iteration up to lo + floor((hi - lo) / 4) * 4.
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK:         %[[LEN:.*]] = arith.subi %[[HI]], %[[LO]] : index
// CHECK:         %[[POS:.*]] = arith.maxsi %[[LEN]], %{{.*}} : index
// CHECK:         %[[Q:.*]] = arith.divui %[[POS]], %[[C4]] : index
// CHECK:         %[[WHOLE:.*]] = arith.muli %[[Q]], %[[C4]] : index
// CHECK:         %[[VEND:.*]] = arith.addi %[[LO]], %[[WHOLE]] : index
// CHECK:         scf.for %[[I:.*]] = %[[LO]] to %[[VEND]] step %[[C4]] {
// CHECK:           %[[LASTLOAD:.*]] = vector.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK:           %[[LAST:.*]] = llvm.freeze %[[LASTLOAD]] : vector<4xf64>
// CHECK:           %[[KV:.*]] = vector.broadcast %[[K]] : f64 to vector<4xf64>
// CHECK:           %[[SINCE:.*]] = arith.subf %[[KV]], %[[LAST]] : vector<4xf64>
// CHECK:           %[[CAN:.*]] = arith.cmpf oge, %[[SINCE]], %{{.*}} : vector<4xf64>
// CHECK:           %[[VLOAD:.*]] = vector.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK:           %[[V:.*]] = llvm.freeze %[[VLOAD]] : vector<4xf64>
// The uniform parameter stays scalar.
// CHECK:           %[[TAU:.*]] = memref.load %[[S]][%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK:           %[[TAUV:.*]] = vector.broadcast %[[TAU]] : f64 to vector<4xf64>
// CHECK:           %[[DEC:.*]] = arith.mulf %[[V]], %[[TAUV]] : vector<4xf64>
// One draw per lane, at the lane's neuron index.
// CHECK:           %[[LANES:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<4xindex>
// CHECK:           %[[IDX:.*]] = arith.index_cast %[[LANES]] : vector<4xindex> to vector<4xi64>
// CHECK:           %[[I0:.*]] = vector.extract %[[IDX]][0] : i64 from vector<4xi64>
// CHECK:           %[[U0:.*]] = func.call @neuro_rt_uniform(%[[SEED]], %{{.*}}, %[[I0]], %{{.*}})
// CHECK:           %[[I3:.*]] = vector.extract %[[IDX]][3] : i64 from vector<4xi64>
// CHECK:           %[[U3:.*]] = func.call @neuro_rt_uniform(%[[SEED]], %{{.*}}, %[[I3]], %{{.*}})
// CHECK:           %[[U:.*]] = vector.from_elements %[[U0]], %{{.*}}, %{{.*}}, %[[U3]] : vector<4xf64>
// CHECK:           %[[NEW:.*]] = arith.addf %[[DEC]], %[[U]] : vector<4xf64>
// CHECK:           %[[HELD:.*]] = arith.select %[[CAN]], %[[NEW]], %[[V]] : vector<4xi1>, vector<4xf64>
// CHECK:           vector.store %[[HELD]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK:           %[[ABOVE:.*]] = arith.cmpf ogt, %[[HELD]], %{{.*}} : vector<4xf64>
// CHECK:           %[[SPIKE:.*]] = arith.andi %[[ABOVE]], %[[CAN]] : vector<4xi1>
// CHECK:           %[[FLAG:.*]] = arith.extui %[[SPIKE]] : vector<4xi1> to vector<4xi8>
// The spike time is written only in the lanes that spike (the others write
// back what they read), and only in a vector where some lane spikes; the
// reset value of the if's result is selected per lane.
// CHECK-NEXT:      %[[ANY:.*]] = vector.reduction <or>, %[[SPIKE]] : vector<4xi1> into i1
// CHECK-NEXT:      scf.if %[[ANY]] {
// CHECK-NEXT:        %[[OLD:.*]] = vector.load %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK-NEXT:        %[[OLDF:.*]] = llvm.freeze %[[OLD]] : vector<4xf64>
// CHECK-NEXT:        %[[STAMP:.*]] = arith.select %[[SPIKE]], %[[KV]], %[[OLDF]] : vector<4xi1>, vector<4xf64>
// CHECK-NEXT:        vector.store %[[STAMP]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK-NEXT:      }
// CHECK-NOT:       vector.maskedstore
// CHECK:           %[[R:.*]] = arith.select %[[SPIKE]], %{{.*}}, %[[HELD]] : vector<4xi1>, vector<4xf64>
// CHECK:           vector.store %[[R]], %[[S]][%{{.*}}, %[[I]]] : memref<?x?xf64>, vector<4xf64>
// CHECK:           vector.store %[[FLAG]], %[[F]][%[[I]]] : memref<?xi8>, vector<4xi8>
// CHECK:         } {neuro.vector_width = 4 : i64}
// The neurons left over, one at a time, as before.
// CHECK:         scf.for %[[J:.*]] = %[[VEND]] to %[[HI]] step %{{.*}} {
// CHECK:           memref.load %[[S]][%{{.*}}, %[[J]]] : memref<?x?xf64>
// CHECK:           scf.if
// CHECK:             memref.store %[[K]], %[[S]][%{{.*}}, %[[J]]] : memref<?x?xf64>
// CHECK:         }
// CHECK-NOT:     neuro.neuron_loop
// CHECK:         return
func.func @step(%s: memref<?x?xf64>, %f: memref<?xi8>, %k: f64, %lo: index,
                %hi: index, %seed: i64) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %ref = arith.constant 2.0e+01 : f64
  %th = arith.constant -5.0e-02 : f64
  %reset = arith.constant -6.0e-02 : f64
  %stream = arith.constant 0 : i32
  %k64 = arith.fptosi %k : f64 to i64
  scf.for %i = %lo to %hi step %c1 {
    %last = memref.load %s[%c2, %i] : memref<?x?xf64>
    %since = arith.subf %k, %last : f64
    %can = arith.cmpf oge, %since, %ref : f64
    %v = memref.load %s[%c0, %i] : memref<?x?xf64>
    %tau = memref.load %s[%c1, %c0] : memref<?x?xf64>
    %dec = arith.mulf %v, %tau : f64
    %idx = arith.index_cast %i : index to i64
    %u = func.call @neuro_rt_uniform(%seed, %stream, %idx, %k64)
        : (i64, i32, i64, i64) -> f64
    %new = arith.addf %dec, %u : f64
    %held = arith.select %can, %new, %v : f64
    memref.store %held, %s[%c0, %i] : memref<?x?xf64>
    %above = arith.cmpf ogt, %held, %th : f64
    %spike = arith.andi %above, %can : i1
    %flag = arith.extui %spike : i1 to i8
    %r = scf.if %spike -> f64 {
      memref.store %k, %s[%c2, %i] : memref<?x?xf64>
      scf.yield %reset : f64
    } else {
      scf.yield %held : f64
    }
    memref.store %r, %s[%c0, %i] : memref<?x?xf64>
    memref.store %flag, %f[%i] : memref<?xi8>
  } {neuro.neuron_loop}
  return
}

// A loop that reads through an index array (a gather) stays scalar.
// CHECK-LABEL: func.func @gather(
// CHECK-NOT:     vector.
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           memref.load
// CHECK:         } {neuro.neuron_loop}
func.func @gather(%s: memref<?xf64>, %ix: memref<?xindex>, %lo: index,
                  %hi: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %j = memref.load %ix[%i] : memref<?xindex>
    %x = memref.load %s[%j] : memref<?xf64>
    memref.store %x, %s[%i] : memref<?xf64>
  } {neuro.neuron_loop}
  return
}

// Unmarked loops are not touched.
// CHECK-LABEL: func.func @unmarked(
// CHECK-NOT:     vector.
// CHECK:         return
func.func @unmarked(%s: memref<?xf64>, %lo: index, %hi: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %x = memref.load %s[%i] : memref<?xf64>
    %y = arith.addf %x, %x : f64
    memref.store %y, %s[%i] : memref<?xf64>
  }
  return
}

// Without a width, a vector is a register of the loop's float type (256
// bits: 4 f64); a loop with a math function or a division by a variable
// runs two registers' worth per iteration, then one register, then the
// scalar rest.
// REG-LABEL: func.func @long_chains(
// REG:         scf.for %{{.*}} step %[[C8:.*]] {
// REG:           math.exp %{{.*}} : vector<8xf64>
// REG:         } {neuro.vector_width = 8 : i64}
// REG:         scf.for %{{.*}} step %[[C4:.*]] {
// REG:           math.exp %{{.*}} : vector<4xf64>
// REG:         } {neuro.vector_width = 4 : i64}
// REG:         scf.for
// REG:           math.exp %{{.*}} : f64
// REG-NOT:     neuro.neuron_loop
// REG:         return
func.func @long_chains(%s: memref<?xf64>, %lo: index, %hi: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %x = memref.load %s[%i] : memref<?xf64>
    %y = math.exp %x : f64
    memref.store %y, %s[%i] : memref<?xf64>
  } {neuro.neuron_loop}
  return
}

// REG-LABEL: func.func @division(
// REG:         arith.divf %{{.*}} : vector<8xf64>
// REG:         arith.divf %{{.*}} : vector<4xf64>
// REG:         arith.divf %{{.*}} : f64
func.func @division(%s: memref<?xf64>, %lo: index, %hi: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %x = memref.load %s[%i] : memref<?xf64>
    %y = arith.divf %x, %x : f64
    memref.store %y, %s[%i] : memref<?xf64>
  } {neuro.neuron_loop}
  return
}

// Short chains: one register per iteration.
// REG-LABEL: func.func @short_chains(
// REG:         scf.for %{{.*}} step %{{.*}} {
// REG:           arith.mulf %{{.*}} : vector<4xf64>
// REG:         } {neuro.vector_width = 4 : i64}
// REG-NOT:     vector<8xf64>
// REG:         scf.for
// REG:           arith.mulf %{{.*}} : f64
// REG:         return
func.func @short_chains(%s: memref<?xf64>, %lo: index, %hi: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lo to %hi step %c1 {
    %x = memref.load %s[%i] : memref<?xf64>
    %y = arith.mulf %x, %x : f64
    memref.store %y, %s[%i] : memref<?xf64>
  } {neuro.neuron_loop}
  return
}
