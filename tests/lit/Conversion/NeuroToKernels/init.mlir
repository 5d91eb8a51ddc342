// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file | FileCheck %s

// The kernels the runtime runs while it builds a network (InitKernels.cpp):
// values given by expressions of populations (init, derive) and of
// projections (connect, syninit).

// A population's initial values from the index and from the rows set
// before them; a connection rule from the pair; a weight from the source's
// row and a random draw, a delay from the target's row. Random numbers use
// the init streams: population 1 (after the spike source @Q), row 2048 +
// site 1: 4096 + 2049; projection 1, row 2048 + site 3, kind 2: 2^31 + 4096
// + 2051, as i32.
neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @Q size(2) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @P size(4) {
    neuro.state @x : "m"
    neuro.state @y : "1"
    neuro.init_expr @x {
      %i = neuro.index "self"
      %c = arith.constant 1.000000e-05 : f64
      %r = arith.mulf %i, %c : f64
      neuro.yield %r : f64
    }
    neuro.init_expr @y {
      %x = neuro.ref @x
      %u = neuro.rand site(1)
      %r = arith.addf %x, %u : f64
      neuro.yield %r : f64
    }
  }
  neuro.projection @Q_to_P @Q -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00)
      attributes {rule = "expression"} {
    neuro.weight @w : "1"
    neuro.init_expr @w {
      %x = neuro.ref pre @x
      %u = neuro.rand site(3)
      %r = arith.addf %x, %u : f64
      neuro.yield %r : f64
    }
    neuro.init_expr @_delay {
      %y = neuro.ref post @y
      %n = neuro.degree "incoming"
      %m = neuro.degree "outgoing"
      %yn = arith.mulf %y, %n : f64
      %d = arith.addf %yn, %m : f64
      neuro.yield %d : f64
    }
    neuro.connect_rule {
      %i = neuro.index "pre"
      %j = neuro.index "post"
      %lt = arith.cmpf olt, %i, %j : f64
      %one = arith.constant 1.000000e+00 : f64
      %zero = arith.constant 0.000000e+00 : f64
      %p = arith.select %lt, %one, %zero : f64
      neuro.yield %p : f64
    }
  }
}
// Expressions stay in the network (the runtime reads them); the connection
// rule is gone.
// CHECK-LABEL: neuro.network @X
// CHECK:       neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) attributes {rule = "expression"} {
// CHECK-NEXT:    neuro.weight @w : "1"
// CHECK-NEXT:    neuro.init_expr @w {
// CHECK:         neuro.init_expr @_delay {
// CHECK-NEXT:      %[[Y:.*]] = neuro.ref post @y
// CHECK-NEXT:      %[[N:.*]] = neuro.degree "incoming"
// CHECK-NEXT:      %[[M:.*]] = neuro.degree "outgoing"
// CHECK-NEXT:      %[[YN:.*]] = arith.mulf %[[Y]], %[[N]] : f64
// CHECK-NEXT:      %[[D:.*]] = arith.addf %[[YN]], %[[M]] : f64
// CHECK-NEXT:      neuro.yield %[[D]] : f64
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NEXT: }
// A spike source has no init kernel.
// CHECK-NOT:   func.func @neuro_init_X_Q(
// CHECK-LABEL: func.func @neuro_init_X_P(
// CHECK-SAME:    %[[IST:.*]]: memref<?x?xf64>, %[[ISEED:.*]]: i64) attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<init, "P">}
// CHECK-DAG:     %[[I0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[I1:.*]] = arith.constant 1 : index
// CHECK:         %[[N:.*]] = memref.dim %[[IST]], %[[I1]] : memref<?x?xf64>
// CHECK-NEXT:    scf.for %[[IN:.*]] = %[[I0]] to %[[N]] step %[[I1]] {
// CHECK-NEXT:      %[[I64:.*]] = arith.index_cast %[[IN]] : index to i64
// CHECK-NEXT:      %[[NOSTEP:.*]] = arith.constant 0 : i64
// CHECK-NEXT:      %[[IF:.*]] = arith.sitofp %[[I64]] : i64 to f64
// CHECK-NEXT:      %[[C:.*]] = arith.constant 1.000000e-05 : f64
// CHECK-NEXT:      %[[X:.*]] = arith.mulf %[[IF]], %[[C]] : f64
// CHECK-NEXT:      memref.store %[[X]], %[[IST]][%[[I0]], %[[IN]]]
// CHECK-NEXT:      %[[XR:.*]] = memref.load %[[IST]][%[[I0]], %[[IN]]]
// CHECK-NEXT:      %[[ISTREAM:.*]] = arith.constant 6145 : i32
// CHECK-NEXT:      %[[IU:.*]] = func.call @neuro_rt_uniform(%[[ISEED]], %[[ISTREAM]], %[[I64]], %[[NOSTEP]])
// CHECK-NEXT:      %[[YV:.*]] = arith.addf %[[XR]], %[[IU]] : f64
// CHECK-NEXT:      memref.store %[[YV]], %[[IST]][%[[I1]], %[[IN]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// No derive kernel: nothing derived, no propagators.
// CHECK-NOT:   func.func @neuro_derive_X_P(
// CHECK-LABEL: func.func @neuro_connect_X_P_to_P(
// CHECK-SAME:    %[[CI:.*]]: i64, %[[CJ:.*]]: i64, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: i64) -> f64 attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<connect, "P_to_P">}
// CHECK-NEXT:    arith.index_cast %[[CI]] : i64 to index
// CHECK-NEXT:    arith.index_cast %[[CJ]] : i64 to index
// CHECK-NEXT:    %[[FI:.*]] = arith.sitofp %[[CI]] : i64 to f64
// CHECK-NEXT:    %[[FJ:.*]] = arith.sitofp %[[CJ]] : i64 to f64
// CHECK-NEXT:    %[[LT:.*]] = arith.cmpf olt, %[[FI]], %[[FJ]] : f64
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:    %[[P:.*]] = arith.select %[[LT]], %[[ONE]], %[[ZERO]] : f64
// CHECK-NEXT:    return %[[P]] : f64
// The synapse rows: the weight (row 0), then `_delay` (row 1), which
// reads the synapse counts of the target (N_incoming) and the source
// (N_outgoing).
// CHECK-LABEL: func.func @neuro_syninit_X_P_to_P(
// CHECK-SAME:    %[[SRCS:.*]]: memref<?xi32>, %[[SCOLS:.*]]: memref<?xi32>, %[[SSYN:.*]]: memref<?x?xf64>, %[[SPRE:.*]]: memref<?x?xf64>, %[[SPOST:.*]]: memref<?x?xf64>, %[[SSEED:.*]]: i64, %[[SFIRST:.*]]: i64, %[[SIN:.*]]: memref<?xi32>, %[[SOUT:.*]]: memref<?xi32>) attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<syninit, "P_to_P">}
// CHECK-DAG:     %[[S1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[S0:.*]] = arith.constant 0 : index
// CHECK:         %[[NSYN:.*]] = memref.dim %[[SCOLS]], %[[S0]] : memref<?xi32>
// CHECK-NEXT:    scf.for %[[S:.*]] = %[[S0]] to %[[NSYN]] step %[[S1]] {
// CHECK-NEXT:      %[[SI:.*]] = memref.load %[[SRCS]][%[[S]]] : memref<?xi32>
// CHECK-NEXT:      %[[SRC:.*]] = arith.index_cast %[[SI]] : i32 to index
// CHECK-NEXT:      %[[TI:.*]] = memref.load %[[SCOLS]][%[[S]]] : memref<?xi32>
// CHECK-NEXT:      %[[TGT:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK-NEXT:      %[[SREL:.*]] = arith.index_cast %[[S]] : index to i64
// CHECK-NEXT:      %[[S64:.*]] = arith.addi %[[SREL]], %[[SFIRST]] : i64
// CHECK-NEXT:      %[[SNOSTEP:.*]] = arith.constant 0 : i64
// CHECK:           %[[XP:.*]] = memref.load %[[SPRE]][%[[S0]], %[[SRC]]]
// CHECK-NEXT:      %[[STREAM:.*]] = arith.constant -2147477501 : i32
// CHECK-NEXT:      %[[U:.*]] = func.call @neuro_rt_uniform(%[[SSEED]], %[[STREAM]], %[[S64]], %[[SNOSTEP]])
// CHECK-NEXT:      %[[W:.*]] = arith.addf %[[XP]], %[[U]] : f64
// CHECK-NEXT:      memref.store %[[W]], %[[SSYN]][%[[S0]], %[[S]]]
// CHECK-NEXT:      %[[YP:.*]] = memref.load %[[SPOST]][%[[S1]], %[[TGT]]]
// CHECK-NEXT:      %[[NI:.*]] = memref.load %[[SIN]][%[[TGT]]] : memref<?xi32>
// CHECK-NEXT:      %[[NF:.*]] = arith.sitofp %[[NI]] : i32 to f64
// CHECK-NEXT:      %[[MI:.*]] = memref.load %[[SOUT]][%[[SRC]]] : memref<?xi32>
// CHECK-NEXT:      %[[MF:.*]] = arith.sitofp %[[MI]] : i32 to f64
// CHECK-NEXT:      %[[YN2:.*]] = arith.mulf %[[YP]], %[[NF]] : f64
// CHECK-NEXT:      %[[D2:.*]] = arith.addf %[[YN2]], %[[MF]] : f64
// CHECK-NEXT:      memref.store %[[D2]], %[[SSYN]][%[[S1]], %[[S]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// The other projection has neither.
// CHECK-NOT:   func.func @neuro_connect_X_Q_to_P(
// CHECK-NOT:   func.func @neuro_syninit_X_Q_to_P(

// -----

// A parameter derived from another (h = 2 k): the init kernel computes it,
// then v from it; the derive kernel computes h alone, again when the host
// changed k.
neuro.network @D dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
    neuro.state @k : "1" {neuro.constant}
    neuro.state @h : "1" {neuro.constant}
    neuro.state @v : "1"
    neuro.init_const @k = 2.000000e+00
    neuro.init_expr @h derived {
      %k = neuro.ref @k
      %two = arith.constant 2.000000e+00 : f64
      %h = arith.mulf %k, %two : f64
      neuro.yield %h : f64
    }
    neuro.init_expr @v {
      %h = neuro.ref @h
      neuro.yield %h : f64
    }
  }
}
// CHECK-LABEL: func.func @neuro_init_D_P(
// CHECK-SAME:    %[[DST:.*]]: memref<?x?xf64>, %{{.*}}: i64)
// CHECK-DAG:     %[[V:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[K:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[H:.*]] = arith.constant 1 : index
// CHECK:         scf.for %[[DI:.*]] =
// CHECK:           %[[KV:.*]] = memref.load %[[DST]][%[[K]], %[[DI]]]
// CHECK-NEXT:      %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-NEXT:      %[[HV:.*]] = arith.mulf %[[KV]], %[[TWO]] : f64
// CHECK-NEXT:      memref.store %[[HV]], %[[DST]][%[[H]], %[[DI]]]
// CHECK-NEXT:      %[[HR:.*]] = memref.load %[[DST]][%[[H]], %[[DI]]]
// CHECK-NEXT:      memref.store %[[HR]], %[[DST]][%[[V]], %[[DI]]]
// CHECK-NEXT:    }
// CHECK-LABEL: func.func @neuro_derive_D_P(
// CHECK-SAME:    %[[EST:.*]]: memref<?x?xf64>, %{{.*}}: i64)
// CHECK-SAME:    neuro.kernel = #neuro.kernel<derive, "P">
// CHECK-DAG:     %[[EK:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[EH:.*]] = arith.constant 1 : index
// CHECK:         scf.for %[[EI:.*]] =
// CHECK:           %[[EKV:.*]] = memref.load %[[EST]][%[[EK]], %[[EI]]]
// CHECK-NEXT:      %[[ETWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-NEXT:      %[[EHV:.*]] = arith.mulf %[[EKV]], %[[ETWO]] : f64
// CHECK-NEXT:      memref.store %[[EHV]], %[[EST]][%[[EH]], %[[EI]]]
// CHECK-NEXT:    }
