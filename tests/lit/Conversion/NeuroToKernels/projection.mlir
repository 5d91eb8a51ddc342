// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file | FileCheck %s

// The event and update kernels of projections (ProjectionKernels.cpp).

// The weight is the same for every synapse and nothing changes it: the
// kernels use the constant and the runtime stores no weight row.
neuro.network @Net dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(4) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @g = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e-01) delay(0.000000e+00) {
    neuro.weight @w : "V"
    neuro.init_const @w = 1.000000e-03
    neuro.on_pre {
      %w = neuro.ref @w
      %g = neuro.ref post @g
      %s = arith.addf %g, %w : f64
      neuro.assign post @g = %s
      neuro.yield
    }
  }
  neuro.record_spikes @P
}
// CHECK-LABEL: neuro.network @Net
// CHECK:       neuro.projection @P_to_P @P -> @P p(1.000000e-01) delay(0.000000e+00) attributes {neuro.constant_weight = 1.000000e-03 : f64} {
// CHECK-NEXT:    neuro.weight @w : "V"
// CHECK-NEXT:    neuro.init_const @w = 1.000000e-03
// CHECK-NEXT:  }
// CHECK-NEXT:  neuro.record_spikes @P

// Delivery kernel: each spike's CSR row, or the part of it onto one range
// of targets (rowPtr[s * stride + part] .. rowPtr[s * stride + part + 1]);
// the plasticity flag mods[0] != 0 once per call; the weight a constant, g
// (row 1) of the target.
// CHECK-LABEL: func.func @neuro_deliver_Net_P_to_P(
// CHECK-SAME:    %[[SP:.*]]: memref<?xi32>, %[[ROWPTR:.*]]: memref<?xi64>, %[[STRIDE:.*]]: i64, %[[PART:.*]]: i64, %[[COLS:.*]]: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf64>, %[[POST:.*]]: memref<?x?xf64>, %[[PRE:.*]]: memref<?x?xf64>, %[[MODS:.*]]: memref<?xf64>, %[[STEP:[^:]*]]: i64, %{{[^:]*}}: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<deliver, "P_to_P">}
// CHECK-DAG:     %[[W:.*]] = arith.constant 1.000000e-03 : f64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[Z:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[FLAG:.*]] = memref.load %[[MODS]][%[[C0]]] : memref<?xf64>
// CHECK-NEXT:    arith.cmpf une, %[[FLAG]], %[[Z]] : f64
// CHECK-NEXT:    arith.sitofp %[[STEP]] : i64 to f64
// CHECK-NEXT:    %[[M:.*]] = memref.dim %[[SP]], %[[C0]] : memref<?xi32>
// CHECK-NEXT:    scf.for %[[K:.*]] = %[[C0]] to %[[M]] step %[[C1]] {
// CHECK-NEXT:      %[[SI:.*]] = memref.load %[[SP]][%[[K]]] : memref<?xi32>
// CHECK-NEXT:      %[[S:.*]] = arith.index_cast %[[SI]] : i32 to index
// CHECK-NEXT:      %[[P:.*]] = arith.index_cast %[[PART]] : i64 to index
// CHECK-NEXT:      %[[ST:.*]] = arith.index_cast %[[STRIDE]] : i64 to index
// CHECK-NEXT:      %[[SS:.*]] = arith.muli %[[S]], %[[ST]] : index
// CHECK-NEXT:      %[[AT:.*]] = arith.addi %[[SS]], %[[P]] : index
// CHECK-NEXT:      %[[LO64:.*]] = memref.load %[[ROWPTR]][%[[AT]]] : memref<?xi64>
// CHECK-NEXT:      %[[LO:.*]] = arith.index_cast %[[LO64]] : i64 to index
// CHECK-NEXT:      %[[AT1:.*]] = arith.addi %[[AT]], %[[C1]] : index
// CHECK-NEXT:      %[[HI64:.*]] = memref.load %[[ROWPTR]][%[[AT1]]] : memref<?xi64>
// CHECK-NEXT:      %[[HI:.*]] = arith.index_cast %[[HI64]] : i64 to index
// CHECK-NEXT:      scf.for %[[J:.*]] = %[[LO]] to %[[HI]] step %[[C1]] {
// CHECK-NEXT:        %[[TI:.*]] = memref.load %[[COLS]][%[[J]]] : memref<?xi32>
// CHECK-NEXT:        %[[T:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK-NEXT:        %[[GP:.*]] = memref.load %[[POST]][%[[C1]], %[[T]]] : memref<?x?xf64>
// CHECK-NEXT:        %[[SUM:.*]] = arith.addf %[[GP]], %[[W]] : f64
// CHECK-NEXT:        memref.store %[[SUM]], %[[POST]][%[[C1]], %[[T]]] : memref<?x?xf64>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// No update kernel: no equations, no summed drives.
// CHECK-NOT:   func.func @neuro_update_Net_P_to_P(

// -----

// Plasticity: per-synapse traces advanced from `_lastupdate` (row 3 after
// the weight and the two states) to the current step at every event; the
// on-post kernel walks the synapses onto each spiking target.
neuro.network @S dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @A size(2) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @B size(2) spike_times dense<[2.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.projection @A_to_B @A -> @B p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @apre : "1"
    neuro.state @apost : "1"
    neuro.init_const @w = 5.000000e-01
    neuro.init_const @apre = 0.000000e+00
    neuro.init_const @apost = 0.000000e+00
    neuro.decay @apre rate(-5.000000e+01) offset(0.000000e+00)
    neuro.decay @apost rate(-2.000000e+01) offset(1.000000e+00)
    neuro.on_pre {
      %a = neuro.ref @apre
      %c = arith.constant 1.000000e-02 : f64
      %s = arith.addf %a, %c : f64
      neuro.assign @apre = %s
      neuro.yield
    }
    neuro.on_post {
      %w = neuro.ref @w
      %a = neuro.ref @apre
      %s = arith.addf %w, %a : f64
      neuro.assign @w = %s
      neuro.yield
    }
  }
}
// The decays stay: they describe the synapse rows to the runtime.
// CHECK-LABEL: neuro.network @S
// CHECK:       neuro.projection @A_to_B @A -> @B p(1.000000e+00) delay(0.000000e+00) {
// CHECK-NEXT:    neuro.weight @w : "1"
// CHECK-NEXT:    neuro.state @apre : "1"
// CHECK-NEXT:    neuro.state @apost : "1"
// CHECK-NEXT:    neuro.init_const @w = 5.000000e-01
// CHECK-NEXT:    neuro.init_const @apre = 0.000000e+00
// CHECK-NEXT:    neuro.init_const @apost = 0.000000e+00
// CHECK-NEXT:    neuro.decay @apre rate(-5.000000e+01) offset(0.000000e+00)
// CHECK-NEXT:    neuro.decay @apost rate(-2.000000e+01) offset(1.000000e+00)
// CHECK-NEXT:  }
// CHECK-LABEL: func.func @neuro_deliver_S_A_to_B(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi64>, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?xf64>, %[[STEP:[^:]*]]: i64, %{{[^:]*}}: i64)
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[RDT:.*]] = arith.constant -5.000000e-03 : f64
// CHECK-DAG:     %[[R2DT:.*]] = arith.constant -2.000000e-03 : f64
// CHECK-DAG:     %[[RATE2:.*]] = arith.constant -2.000000e+01 : f64
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// The step as f64, once per call, outside the loops.
// CHECK:         %[[NOW:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         scf.for
// CHECK:           scf.for %[[J:.*]] =
// CHECK:             %[[LU:.*]] = memref.load %[[SYN]][%[[C3]], %[[J]]]
// CHECK-NEXT:        %[[N:.*]] = arith.subf %[[NOW]], %[[LU]] : f64
// apre' = apre exp(-50 dt n)
// CHECK-NEXT:        %[[APRE:.*]] = memref.load %[[SYN]][%[[C1]], %[[J]]]
// CHECK-NEXT:        %[[ARG:.*]] = arith.mulf %[[N]], %[[RDT]] : f64
// CHECK-NEXT:        %[[E:.*]] = math.exp %[[ARG]] : f64
// CHECK-NEXT:        %[[APRE2:.*]] = arith.mulf %[[APRE]], %[[E]] : f64
// CHECK-NEXT:        memref.store %[[APRE2]], %[[SYN]][%[[C1]], %[[J]]]
// apost' = apost + (-20 apost + 1) expm1(-20 dt n) / -20
// CHECK-NEXT:        %[[APOST:.*]] = memref.load %[[SYN]][%{{.*}}, %[[J]]]
// CHECK-NEXT:        %[[ARG2:.*]] = arith.mulf %[[N]], %[[R2DT]] : f64
// CHECK-NEXT:        %[[RX:.*]] = arith.mulf %[[APOST]], %[[RATE2]] : f64
// CHECK-NEXT:        %[[SLOPE:.*]] = arith.addf %[[RX]], %[[ONE]] : f64
// CHECK-NEXT:        %[[EM1:.*]] = math.expm1 %[[ARG2]] : f64
// CHECK-NEXT:        %[[PHI:.*]] = arith.divf %[[EM1]], %[[RATE2]] : f64
// CHECK-NEXT:        %[[INC:.*]] = arith.mulf %[[SLOPE]], %[[PHI]] : f64
// CHECK-NEXT:        %[[APOST2:.*]] = arith.addf %[[APOST]], %[[INC]] : f64
// CHECK-NEXT:        memref.store %[[APOST2]], %[[SYN]]
// CHECK-NEXT:        memref.store %[[NOW]], %[[SYN]][%[[C3]], %[[J]]]
// Then the statements.
// CHECK-NEXT:        %[[A:.*]] = memref.load %[[SYN]][%[[C1]], %[[J]]]
// CHECK-NEXT:        arith.constant 1.000000e-02 : f64
// CHECK-NEXT:        %[[A2:.*]] = arith.addf %[[A]], %{{.*}} : f64
// CHECK-NEXT:        memref.store %[[A2]], %[[SYN]][%[[C1]], %[[J]]]
// CHECK-LABEL: func.func @neuro_deliver_post_S_A_to_B(
// CHECK-SAME:    %[[PSP:.*]]: memref<?xi32>, %[[CP:.*]]: memref<?xi64>, %[[IDX:.*]]: memref<?xi64>, %{{.*}}: memref<?xi32>, %[[PSYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %[[PMODS:.*]]: memref<?xf64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64)
// CHECK-SAME:    neuro.kernel = #neuro.kernel<deliver_post, "A_to_B">
// CHECK-DAG:     %[[W0:.*]] = arith.constant 0 : index
// The plasticity flag, mods[0] != 0, once per call.
// CHECK:         %[[FLAG:.*]] = memref.load %[[PMODS]][%[[W0]]] : memref<?xf64>
// CHECK-NEXT:    %[[PLASTIC:.*]] = arith.cmpf une, %[[FLAG]], %{{.*}} : f64
// CHECK:         scf.for %[[K:.*]] =
// CHECK-NEXT:      %[[TI:.*]] = memref.load %[[PSP]][%[[K]]] : memref<?xi32>
// CHECK-NEXT:      %[[T:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK-NEXT:      memref.load %[[CP]][%[[T]]] : memref<?xi64>
// CHECK:           scf.for %[[Q:.*]] =
// CHECK-NEXT:        %[[JS:.*]] = memref.load %[[IDX]][%[[Q]]] : memref<?xi64>
// CHECK-NEXT:        %[[JP:.*]] = arith.index_cast %[[JS]] : i64 to index
// CHECK:             math.exp
// The weight (row 0) changes only while plastic.
// CHECK:             %[[W:.*]] = memref.load %[[PSYN]][%[[W0]], %[[JP]]]
// CHECK-NEXT:        %[[PA:.*]] = memref.load %[[PSYN]]
// CHECK-NEXT:        %[[NEWW:.*]] = arith.addf %[[W]], %[[PA]] : f64
// CHECK-NEXT:        %[[OLDW:.*]] = memref.load %[[PSYN]][%[[W0]], %[[JP]]]
// CHECK-NEXT:        %[[KEPT:.*]] = arith.select %[[PLASTIC]], %[[NEWW]], %[[OLDW]] : f64
// CHECK-NEXT:        memref.store %[[KEPT]], %[[PSYN]][%[[W0]], %[[JP]]]

// -----

// Every step, summed drives and clock-driven equations, in two kernels
// (the runtime runs them at two moments of the step): the sum kernel sets
// the target's row _I_A_to_B to zero, then adds a gap-junction-like drive
// w (v_pre - v_post); the update kernel integrates ds/dt = -s + d w
// (exponential Euler), d a modulator in mods[1]. The sum kernel reads the
// source of each synapse from `srcs`, which the projection then asks for
// (neuro.needs_sources). The delivery kernel exists even without `on pre`.
neuro.network @U dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @A size(2) {
    neuro.state @v : "1"
    neuro.state @d : "1"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @d = 0.000000e+00
  }
  neuro.population @B size(3) {
    neuro.state @v : "1"
    neuro.state @_I_A_to_B : "1"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @_I_A_to_B = 0.000000e+00
  }
  neuro.projection @A_to_B @A -> @B p(1.000000e+00) delay(0.000000e+00)
      modulators {d = @A::@d} {
    neuro.weight @w : "1"
    neuro.state @s : "1"
    neuro.modulator @d : "1"
    neuro.init_const @w = 5.000000e-01
    neuro.init_const @s = 0.000000e+00
    neuro.ode @s method "exponential_euler" {
      %s = neuro.ref @s
      %d = neuro.ref @d
      %w = neuro.ref @w
      %n = arith.negf %s : f64
      %dw = arith.mulf %d, %w : f64
      %r = arith.addf %n, %dw : f64
      neuro.yield %r : f64
    }
    neuro.drives @I into @_I_A_to_B {
      %w = neuro.ref @w
      %vp = neuro.ref pre @v
      %vq = neuro.ref post @v
      %diff = arith.subf %vp, %vq : f64
      %r = arith.mulf %w, %diff : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: neuro.network @U
// CHECK:       neuro.projection @A_to_B @A -> @B p(1.000000e+00) delay(0.000000e+00) modulators {d = @A::@d} attributes {neuro.constant_weight = 5.000000e-01 : f64, neuro.needs_sources} {
// CHECK-NEXT:    neuro.weight @w : "1"
// CHECK-NEXT:    neuro.state @s : "1"
// CHECK-NEXT:    neuro.modulator @d : "1"
// CHECK-NEXT:    neuro.init_const @w = 5.000000e-01
// CHECK-NEXT:    neuro.init_const @s = 0.000000e+00
// CHECK-NEXT:  }
// CHECK-LABEL: func.func @neuro_deliver_U_A_to_B(
// CHECK:         scf.for
// CHECK:           scf.for %[[EJ:.*]] =
// CHECK-NEXT:        %[[ETI:.*]] = memref.load %{{.*}}[%[[EJ]]] : memref<?xi32>
// CHECK-NEXT:        arith.index_cast %[[ETI]] : i32 to index
// CHECK-NEXT:      }
// CHECK-LABEL: func.func @neuro_sum_U_A_to_B(
// CHECK-SAME:    %[[SRCS:.*]]: memref<?xi32>, %[[UCOLS:.*]]: memref<?xi32>, %{{.*}}: memref<?x?xf64>, %[[UPOST:.*]]: memref<?x?xf64>, %[[UPRE:.*]]: memref<?x?xf64>, %{{.*}}: memref<?xf64>, %{{.*}}: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<sum, "A_to_B">}
// CHECK-DAG:     %[[W:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-DAG:     %[[ROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[Z:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[R0:.*]] = arith.constant 0 : index
// CHECK:         %[[NT:.*]] = memref.dim %[[UPOST]], %[[ROW]]
// CHECK-NEXT:    scf.for %[[N:.*]] = %[[R0]] to %[[NT]] step %[[ROW]] {
// CHECK-NEXT:      memref.store %[[Z]], %[[UPOST]][%[[ROW]], %[[N]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[NSYN:.*]] = memref.dim %[[UCOLS]], %[[R0]]
// CHECK-NEXT:    scf.for %[[J:.*]] = %[[R0]] to %[[NSYN]] step %[[ROW]] {
// CHECK-NEXT:      %[[TI:.*]] = memref.load %[[UCOLS]][%[[J]]] : memref<?xi32>
// CHECK-NEXT:      %[[TGT:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK-NEXT:      %[[SI:.*]] = memref.load %[[SRCS]][%[[J]]] : memref<?xi32>
// CHECK-NEXT:      %[[SRC:.*]] = arith.index_cast %[[SI]] : i32 to index
// CHECK-NEXT:      %[[VPRE:.*]] = memref.load %[[UPRE]][%[[R0]], %[[SRC]]]
// CHECK-NEXT:      %[[VPOST:.*]] = memref.load %[[UPOST]][%[[R0]], %[[TGT]]]
// CHECK-NEXT:      %[[DIFF:.*]] = arith.subf %[[VPRE]], %[[VPOST]] : f64
// CHECK-NEXT:      %[[DRIVE:.*]] = arith.mulf %[[W]], %[[DIFF]] : f64
// CHECK-NEXT:      %[[ACC:.*]] = memref.load %[[UPOST]][%[[ROW]], %[[TGT]]]
// CHECK-NEXT:      %[[SUM:.*]] = arith.addf %[[ACC]], %[[DRIVE]] : f64
// CHECK-NEXT:      memref.store %[[SUM]], %[[UPOST]][%[[ROW]], %[[TGT]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-LABEL: func.func @neuro_update_U_A_to_B(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %[[UCOLS:.*]]: memref<?xi32>, %[[USYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %[[UMODS:.*]]: memref<?xf64>, %[[USTEP:.*]]: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<update, "A_to_B">}
// CHECK-DAG:     %[[ROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[DT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK-DAG:     %[[Z:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[R0:.*]] = arith.constant 0 : index
// CHECK:         %[[FLAG:.*]] = memref.load %[[UMODS]][%[[R0]]] : memref<?xf64>
// CHECK-NEXT:    arith.cmpf une, %[[FLAG]], %[[Z]] : f64
// CHECK-NEXT:    %[[NOWF:.*]] = arith.sitofp %[[USTEP]] : i64 to f64
// CHECK-NEXT:    arith.mulf %[[NOWF]], %[[DT]] {neuro.step_time} : f64
// CHECK-NEXT:    %[[NSYN:.*]] = memref.dim %[[UCOLS]], %[[R0]]
// CHECK-NEXT:    scf.for %[[J:.*]] = %[[R0]] to %[[NSYN]] step %[[ROW]] {
// CHECK-NEXT:      memref.load %[[UCOLS]][%[[J]]] : memref<?xi32>
// CHECK-NEXT:      arith.index_cast
// Then the equation (NumericalMethods.cpp) from s (row 0, no weight row)
// and the modulator, each read once.
// CHECK-NEXT:      %[[S:.*]] = memref.load %[[USYN]][%[[R0]], %[[J]]]
// CHECK-NEXT:      %[[D:.*]] = memref.load %[[UMODS]][%[[ROW]]] : memref<?xf64>
// CHECK:           math.expm1
// CHECK:           %[[SN:.*]] = arith.addf %[[S]], %{{.*}} : f64
// CHECK-NEXT:      memref.store %[[SN]], %[[USYN]][%[[R0]], %[[J]]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return

// -----

// Refractoriness: the threshold clamps v and u (`unless refractory`), so a
// write of `on pre` to them is discarded while the target is refractory
// (now - _lastspike < 20 steps): `v + w` becomes `v + select(not
// refractory, w, 0)` and `u - w` becomes `u - select(not refractory, w,
// 0)`, still accumulations. A plain assignment keeps the old value instead.
// `neuro.not_refractory` reads the same test in synapse code, of the target
// or (`pre`) of the source, loaded from `srcs` in the on-post kernel.
neuro.network @R dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @u : "V"
    neuro.state @x : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @u = 0.000000e+00
    neuro.init_const @x = 0.000000e+00
    neuro.threshold refractory(2.000000e-03) clamped [@v, @u] {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "V"
    neuro.init_const @w = 1.000000e-03
    neuro.on_pre {
      %w = neuro.ref @w
      %v = neuro.ref post @v
      %s = arith.addf %v, %w : f64
      neuro.assign post @v = %s
      %u = neuro.ref post @u
      %t = arith.subf %u, %w : f64
      neuro.assign post @u = %t
      %nr = neuro.not_refractory post
      %x = neuro.ref post @x
      %z = arith.constant 0.000000e+00 : f64
      %k = arith.select %nr, %w, %z : f64
      %y = arith.addf %x, %k : f64
      neuro.assign post @x = %y
      neuro.yield
    }
    neuro.on_post {
      %c = arith.constant 1.000000e-02 : f64
      neuro.assign post @v = %c
      %nr = neuro.not_refractory pre
      %x = neuro.ref pre @x
      %y = arith.select %nr, %x, %c : f64
      neuro.assign post @x = %y
      neuro.yield
    }
  }
}
// CHECK-LABEL: neuro.network @R
// CHECK:       neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) attributes {neuro.constant_weight = 1.000000e-03 : f64, neuro.needs_sources} {
// CHECK-LABEL: func.func @neuro_deliver_R_P_to_P(
// CHECK-SAME:    %[[RSP:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[RCOLS:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %[[RPOST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[RNOW:[^:]*]]: i64, %{{[^:]*}}: i64)
// CHECK-DAG:     %[[XROW:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[REFR:.*]] = arith.constant 2.000000e+01 : f64
// CHECK-DAG:     %[[LROW:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[RW:.*]] = arith.constant 1.000000e-03 : f64
// CHECK-DAG:     %[[UROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[RZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[VROW:.*]] = arith.constant 0 : index
// CHECK:         %[[NOWF:.*]] = arith.sitofp %[[RNOW]] : i64 to f64
// CHECK:             %[[TI:.*]] = memref.load %[[RCOLS]]
// CHECK-NEXT:        %[[TGT:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK-NEXT:        %[[OLD:.*]] = memref.load %[[RPOST]][%[[VROW]], %[[TGT]]]
// CHECK-NEXT:        arith.addf %[[OLD]], %[[RW]] : f64
// CHECK-NEXT:        %[[LAST:.*]] = memref.load %[[RPOST]][%[[LROW]], %[[TGT]]]
// CHECK-NEXT:        %[[SINCE:.*]] = arith.subf %[[NOWF]], %[[LAST]] : f64
// CHECK-NEXT:        %[[KEEP:.*]] = arith.cmpf oge, %[[SINCE]], %[[REFR]] : f64
// CHECK-NEXT:        %[[D:.*]] = arith.select %[[KEEP]], %[[RW]], %[[RZERO]] : f64
// CHECK-NEXT:        %[[NEW:.*]] = arith.addf %[[OLD]], %[[D]] : f64
// CHECK-NEXT:        memref.store %[[NEW]], %[[RPOST]][%[[VROW]], %[[TGT]]]
// CHECK-NEXT:        %[[UOLD:.*]] = memref.load %[[RPOST]][%[[UROW]], %[[TGT]]]
// CHECK-NEXT:        arith.subf %[[UOLD]], %[[RW]] : f64
// CHECK-NEXT:        %[[ULAST:.*]] = memref.load %[[RPOST]][%[[LROW]], %[[TGT]]]
// CHECK-NEXT:        %[[USINCE:.*]] = arith.subf %[[NOWF]], %[[ULAST]] : f64
// CHECK-NEXT:        %[[UKEEP:.*]] = arith.cmpf oge, %[[USINCE]], %[[REFR]] : f64
// CHECK-NEXT:        %[[UD:.*]] = arith.select %[[UKEEP]], %[[RW]], %[[RZERO]] : f64
// CHECK-NEXT:        %[[UNEW:.*]] = arith.subf %[[UOLD]], %[[UD]] : f64
// CHECK-NEXT:        memref.store %[[UNEW]], %[[RPOST]][%[[UROW]], %[[TGT]]]
// x is not clamped: written as computed, with the user's own test.
// CHECK-NEXT:        %[[XLAST:.*]] = memref.load %[[RPOST]][%[[LROW]], %[[TGT]]]
// CHECK-NEXT:        %[[XSINCE:.*]] = arith.subf %[[NOWF]], %[[XLAST]] : f64
// CHECK-NEXT:        %[[XNR:.*]] = arith.cmpf oge, %[[XSINCE]], %[[REFR]] : f64
// CHECK-NEXT:        %[[X:.*]] = memref.load %[[RPOST]][%[[XROW]], %[[TGT]]]
// CHECK-NEXT:        %[[XZ:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:        %[[XK:.*]] = arith.select %[[XNR]], %[[RW]], %[[XZ]] : f64
// CHECK-NEXT:        %[[XN:.*]] = arith.addf %[[X]], %[[XK]] : f64
// CHECK-NEXT:        memref.store %[[XN]], %[[RPOST]][%[[XROW]], %[[TGT]]]
// CHECK-LABEL: func.func @neuro_deliver_post_R_P_to_P(
// CHECK-SAME:    %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %[[PIDX:[^:]*]]: memref<?xi64>, %[[PSRCS:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %[[PPOST:[^:]*]]: memref<?x?xf64>, %[[PPRE:[^:]*]]: memref<?x?xf64>
// CHECK:             %[[PJS:.*]] = memref.load %[[PIDX]]
// CHECK-NEXT:        %[[PJ:.*]] = arith.index_cast %[[PJS]] : i64 to index
// CHECK-NEXT:        %[[PC:.*]] = arith.constant 1.000000e-02 : f64
// CHECK-NEXT:        memref.load %[[PPOST]]
// CHECK-NEXT:        arith.subf
// CHECK-NEXT:        %[[PKEEP:.*]] = arith.cmpf oge
// CHECK-NEXT:        %[[POLD:.*]] = memref.load %[[PPOST]]
// CHECK-NEXT:        %[[PV:.*]] = arith.select %[[PKEEP]], %[[PC]], %[[POLD]] : f64
// CHECK-NEXT:        memref.store %[[PV]], %[[PPOST]]
// The source's refractoriness and row from one load of srcs[j].
// CHECK-NEXT:        %[[PSI:.*]] = memref.load %[[PSRCS]][%[[PJ]]] : memref<?xi32>
// CHECK-NEXT:        %[[PSRC:.*]] = arith.index_cast %[[PSI]] : i32 to index
// CHECK-NEXT:        %[[PLAST:.*]] = memref.load %[[PPRE]][%{{.*}}, %[[PSRC]]]
// CHECK-NEXT:        arith.subf %{{.*}}, %[[PLAST]] : f64
// CHECK-NEXT:        %[[PNR:.*]] = arith.cmpf oge
// CHECK-NEXT:        %[[PX:.*]] = memref.load %[[PPRE]][%{{.*}}, %[[PSRC]]]
// CHECK-NEXT:        %[[PY:.*]] = arith.select %[[PNR]], %[[PX]], %[[PC]] : f64
// CHECK-NEXT:        memref.store %[[PY]], %[[PPOST]]

// -----

// rand() in events: keyed by the synapse's ends (source << 32 | target),
// XOR c * 0x9E3779B97F4A7C15 with c the entries of the same neuron before
// this one in the step's list (once per spike: a scan back while they are
// equal), and the step, from the seed argument; stream 0xE0000000 + site
// (kind 3,
// object 2^17 + 0: streams::synapseEvent), -536870907 for site 5. In `on
// post` the source comes from srcs (neuro.needs_sources).
neuro.network @Q dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(4) {
    neuro.state @v : "V"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "V"
    neuro.init_const @w = 1.000000e-03
    neuro.on_pre {
      %u = neuro.rand site(5)
      %v = neuro.ref post @v
      %s = arith.addf %v, %u : f64
      neuro.assign post @v = %s
      neuro.yield
    }
    neuro.on_post {
      %u = neuro.rand site(6)
      %v = neuro.ref post @v
      %s = arith.subf %v, %u : f64
      neuro.assign post @v = %s
      neuro.yield
    }
  }
}
// CHECK-LABEL: neuro.network @Q
// CHECK:       attributes {neuro.constant_weight = 1.000000e-03 : f64, neuro.needs_sources}
// CHECK-LABEL: func.func @neuro_deliver_Q_P_to_P(
// CHECK-SAME:    %[[QSP:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[QCOLS:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[QSTEP:[^:]*]]: i64, %[[QSEED:[^:]*]]: i64)
// CHECK:         scf.for %[[QK:[^ ]*]] =
// CHECK-NEXT:      %[[QSI:.*]] = memref.load %[[QSP]][%[[QK]]]
// CHECK-NEXT:      %[[QS:.*]] = arith.index_cast %[[QSI]] : i32 to index
// CHECK-NEXT:      %[[SELF:.*]] = memref.load %[[QSP]][%[[QK]]]
// CHECK-NEXT:      %[[C:.*]] = scf.while (%[[CI:.*]] = %{{.*}}) : (index) -> index {
// CHECK-NEXT:        %[[IN:.*]] = arith.cmpi ult, %[[CI]], %[[QK]] : index
// CHECK-NEXT:        %[[SAME:.*]] = scf.if %[[IN]] -> (i1) {
// CHECK-NEXT:          %[[B1:.*]] = arith.subi %[[QK]], %[[CI]] : index
// CHECK-NEXT:          %[[B2:.*]] = arith.subi %[[B1]], %{{.*}} : index
// CHECK-NEXT:          %[[OTHER:.*]] = memref.load %[[QSP]][%[[B2]]]
// CHECK-NEXT:          %[[EQ:.*]] = arith.cmpi eq, %[[OTHER]], %[[SELF]] : i32
// CHECK-NEXT:          scf.yield %[[EQ]] : i1
// CHECK:             scf.condition(%[[SAME]]) %[[CI]] : index
// CHECK:           %[[C64:.*]] = arith.index_cast %[[C]] : index to i64
// CHECK:           scf.for %[[QJ:[^ ]*]] =
// CHECK-NEXT:        %[[QTI:.*]] = memref.load %[[QCOLS]][%[[QJ]]] : memref<?xi32>
// CHECK-NEXT:        %[[QT:.*]] = arith.index_cast %[[QTI]] : i32 to index
// CHECK-NEXT:        %[[QS64:.*]] = arith.index_cast %[[QS]] : index to i64
// CHECK-NEXT:        %[[C32:.*]] = arith.constant 32 : i64
// CHECK-NEXT:        %[[HIGH:.*]] = arith.shli %[[QS64]], %[[C32]] : i64
// CHECK-NEXT:        %[[QT64:.*]] = arith.index_cast %[[QT]] : index to i64
// CHECK-NEXT:        %[[PAIR:.*]] = arith.ori %[[HIGH]], %[[QT64]] : i64
// CHECK-NEXT:        %[[PHI:.*]] = arith.constant -7046029254386353131 : i64
// CHECK-NEXT:        %[[CPHI:.*]] = arith.muli %[[C64]], %[[PHI]] : i64
// CHECK-NEXT:        %[[KEY:.*]] = arith.xori %[[PAIR]], %[[CPHI]] : i64
// CHECK-NEXT:        %[[STREAM:.*]] = arith.constant -536870907 : i32
// CHECK-NEXT:        %[[U:.*]] = func.call @neuro_rt_uniform(%[[QSEED]], %[[STREAM]], %[[KEY]], %[[QSTEP]]) : (i64, i32, i64, i64) -> f64
// CHECK-LABEL: func.func @neuro_deliver_post_Q_P_to_P(
// CHECK-SAME:    %[[PSP2:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %[[PIDX2:[^:]*]]: memref<?xi64>, %[[PSRCS2:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[PSTEP2:[^:]*]]: i64, %[[PSEED2:[^:]*]]: i64)
// CHECK:           scf.while
// CHECK:             %[[PJS2:.*]] = memref.load %[[PIDX2]]
// CHECK-NEXT:        %[[PJ2:.*]] = arith.index_cast %[[PJS2]] : i64 to index
// CHECK-NEXT:        %[[PSI2:.*]] = memref.load %[[PSRCS2]][%[[PJ2]]] : memref<?xi32>
// CHECK-NEXT:        %[[PS2:.*]] = arith.index_cast %[[PSI2]] : i32 to index
// CHECK-NEXT:        %[[PS64:.*]] = arith.index_cast %[[PS2]] : index to i64
// CHECK-NEXT:        arith.constant 32 : i64
// CHECK-NEXT:        %[[PHIGH:.*]] = arith.shli %[[PS64]]
// CHECK-NEXT:        arith.index_cast
// CHECK-NEXT:        arith.ori %[[PHIGH]]
// CHECK-NEXT:        arith.constant -7046029254386353131 : i64
// CHECK-NEXT:        arith.muli
// CHECK-NEXT:        %[[PKEY:.*]] = arith.xori
// CHECK-NEXT:        %[[PSTREAM:.*]] = arith.constant -536870906 : i32
// CHECK-NEXT:        func.call @neuro_rt_uniform(%[[PSEED2]], %[[PSTREAM]], %[[PKEY]], %[[PSTEP2]])

// -----

// A trace relaxing to a per-synapse state without an equation (c, row 0; the
// constant weight is no row): at each event, b = 0.5 + 100 c, then
// a' = a + (-100 a + b) expm1(-100 dt n) / -100.
neuro.network @In dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @A size(2) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @B size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @A_to_B @A -> @B p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @c : "1"
    neuro.state @a : "1"
    neuro.init_const @w = 5.000000e-01
    neuro.init_const @c = 1.000000e+00
    neuro.init_const @a = 0.000000e+00
    neuro.decay @a rate(-1.000000e+02) offset(5.000000e-01) inputs [@c] gains [1.000000e+02]
    neuro.on_pre {
      %a = neuro.ref @a
      %v = neuro.ref post @v
      %s = arith.addf %v, %a : f64
      neuro.assign post @v = %s
      neuro.yield
    }
  }
}
// CHECK-LABEL: func.func @neuro_deliver_In_A_to_B(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi64>, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: memref<?xi32>, %[[ISYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?xf64>, %[[ISTEP:[^:]*]]: i64, %{{[^:]*}}: i64)
// CHECK-DAG:     %[[IRATE:.*]] = arith.constant -1.000000e+02 : f64
// CHECK-DAG:     %[[IRDT:.*]] = arith.constant -1.000000e-02 : f64
// CHECK-DAG:     %[[IGAIN:.*]] = arith.constant 1.000000e+02 : f64
// CHECK-DAG:     %[[IOFF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-DAG:     %[[IC2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[IC1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[IC0:.*]] = arith.constant 0 : index
// CHECK:         %[[INOW:.*]] = arith.sitofp %[[ISTEP]] : i64 to f64
// CHECK:         scf.for
// CHECK:           scf.for %[[IJ:.*]] =
// CHECK:             %[[ILU:.*]] = memref.load %[[ISYN]][%[[IC2]], %[[IJ]]]
// CHECK-NEXT:        %[[IN:.*]] = arith.subf %[[INOW]], %[[ILU]] : f64
// CHECK-NEXT:        %[[IA:.*]] = memref.load %[[ISYN]][%[[IC1]], %[[IJ]]]
// CHECK-NEXT:        %[[ICV:.*]] = memref.load %[[ISYN]][%[[IC0]], %[[IJ]]]
// CHECK-NEXT:        %[[IGC:.*]] = arith.mulf %[[ICV]], %[[IGAIN]] : f64
// CHECK-NEXT:        %[[IB:.*]] = arith.addf %[[IOFF]], %[[IGC]] : f64
// CHECK-NEXT:        %[[IARG:.*]] = arith.mulf %[[IN]], %[[IRDT]] : f64
// CHECK-NEXT:        %[[IRX:.*]] = arith.mulf %[[IA]], %[[IRATE]] : f64
// CHECK-NEXT:        %[[ISLOPE:.*]] = arith.addf %[[IRX]], %[[IB]] : f64
// CHECK-NEXT:        %[[IEM1:.*]] = math.expm1 %[[IARG]] : f64
// CHECK-NEXT:        %[[IPHI:.*]] = arith.divf %[[IEM1]], %[[IRATE]] : f64
// CHECK-NEXT:        %[[IINC:.*]] = arith.mulf %[[ISLOPE]], %[[IPHI]] : f64
// CHECK-NEXT:        %[[IA2:.*]] = arith.addf %[[IA]], %[[IINC]] : f64
// CHECK-NEXT:        memref.store %[[IA2]], %[[ISYN]][%[[IC1]], %[[IJ]]]
// CHECK-NEXT:        memref.store %[[INOW]], %[[ISYN]][%[[IC2]], %[[IJ]]]
