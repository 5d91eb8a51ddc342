// RUN: neuro-opt %s --convert-neuro-to-kernels | FileCheck %s

neuro.network @Net dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(4) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.init_uniform @v = uniform(-6.000000e-02, -5.000000e-02)
    neuro.init_const @g = 0.000000e+00
    neuro.propagate [@v, @g] method "exact"
      matrix dense<[[0.5, 0.25, 1.0], [0.0, 0.75, 0.0]]> : tensor<2x3xf64>
      refractory dense<[[1.0, 0.0, 0.0], [0.0, 0.75, 0.0]]> : tensor<2x3xf64>
    neuro.threshold refractory(2.000000e-03) {
      %v = neuro.ref @v
      %th = arith.constant -5.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
    neuro.reset {
      %r = arith.constant -6.000000e-02 : f64
      neuro.assign @v = %r
      neuro.yield
    }
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

// What the runtime reads stays; the refractory row is appended.
// CHECK-LABEL: neuro.network @Net
// CHECK:       neuro.population @P size(4) {
// CHECK-NEXT:    neuro.state @v : "V"
// CHECK-NEXT:    neuro.state @g : "V"
// CHECK-NEXT:    neuro.state @_lastspike : "1"
// CHECK-NEXT:    neuro.init_uniform @v = uniform(-6.000000e-02, -5.000000e-02)
// CHECK-NEXT:    neuro.init_const @g = 0.000000e+00
// CHECK-NEXT:    neuro.init_const @_lastspike = -1.000000e+15
// CHECK-NEXT:  }
// The weight is the same for every synapse and nothing changes it: the
// kernels use the constant and the runtime stores no weight row.
// CHECK:       neuro.projection @P_to_P @P -> @P p(1.000000e-01) delay(0.000000e+00) attributes {neuro.constant_weight = 1.000000e-03 : f64} {
// CHECK-NEXT:    neuro.weight @w : "V"
// CHECK-NEXT:    neuro.init_const @w = 1.000000e-03
// CHECK-NEXT:  }
// CHECK-NEXT:  neuro.record_spikes @P

// Step kernel: one loop over the neurons [begin, end) the runtime hands this
// call; the refractory period is 20 steps. The seed is for kernels that draw
// random numbers (none here).
// CHECK-LABEL: func.func @neuro_step_Net_P(
// CHECK-SAME:    %[[STATE:.*]]: memref<?x?xf64>, %[[SPIKED:.*]]: memref<?xi8>, %[[STEP:.*]]: i64, %[[SEED:.*]]: i64, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// Constants are created once, at the kernel's entry.
// CHECK:         %[[R:.*]] = arith.constant 2.000000e+01 : f64
// CHECK:         %[[STEPF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         %[[LO:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK:         %[[HI:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK:         scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %{{.*}} {
// CHECK:           %[[LAST:.*]] = memref.load %[[STATE]][%{{.*}}, %[[I]]] : memref<?x?xf64>
// CHECK:           %[[SINCE:.*]] = arith.subf %[[STEPF]], %[[LAST]] : f64
// CHECK:           %[[CAN:.*]] = arith.cmpf oge, %[[SINCE]], %[[R]] : f64
// CHECK:           %[[INREF:.*]] = arith.xori %[[CAN]], %{{.*}} : i1
// CHECK:           %[[V:.*]] = memref.load %[[STATE]][%{{.*}}, %[[I]]]
// CHECK:           %[[G:.*]] = memref.load %[[STATE]][%{{.*}}, %[[I]]]
// v' = 0.5 v + 0.25 g + 1.0, or v held while refractory; g' = 0.75 g always.
// CHECK:           %[[A:.*]] = arith.mulf %[[V]], %{{.*}} : f64
// CHECK:           %[[B:.*]] = arith.mulf %[[G]], %{{.*}} : f64
// CHECK:           %[[AB:.*]] = arith.addf %[[A]], %[[B]] : f64
// CHECK:           %[[VN:.*]] = arith.addf %[[AB]], %{{.*}} : f64
// CHECK:           %[[VSEL:.*]] = arith.select %[[INREF]], %[[V]], %[[VN]] : f64
// CHECK:           %[[GN:.*]] = arith.mulf %[[G]], %{{.*}} : f64
// CHECK:           memref.store %[[VSEL]], %[[STATE]]
// CHECK:           memref.store %[[GN]], %[[STATE]]
// CHECK:           %[[ABOVE:.*]] = arith.cmpf ogt, %[[VSEL]], %{{.*}} : f64
// CHECK:           %[[SPIKE:.*]] = arith.andi %[[ABOVE]], %[[CAN]] : i1
// CHECK:           %[[FLAG:.*]] = arith.extui %[[SPIKE]] : i1 to i8
// CHECK:           scf.if %[[SPIKE]] {
// CHECK-NEXT:        memref.store %[[STEPF]], %[[STATE]]
// CHECK:           memref.store %[[FLAG]], %[[SPIKED]][%[[I]]] : memref<?xi8>
// CHECK-NEXT:    } {neuro.neuron_loop}

// Reset kernel: over the spike list.
// CHECK-LABEL: func.func @neuro_reset_Net_P(
// CHECK-SAME:    %[[SPIKES:.*]]: memref<?xi32>, %[[ST:.*]]: memref<?x?xf64>)
// CHECK:         scf.for %[[K:.*]] =
// CHECK:           %[[IDX:.*]] = memref.load %[[SPIKES]][%[[K]]] : memref<?xi32>
// CHECK:           %[[I2:.*]] = arith.index_cast %[[IDX]] : i32 to index
// CHECK:           memref.store %{{.*}}, %[[ST]][%{{.*}}, %[[I2]]] : memref<?x?xf64>

// Delivery kernel: each spike's CSR row, or the part of it onto one range
// of targets (rowPtr[s * stride + part] .. rowPtr[s * stride + part + 1]);
// weight from the synapse rows, g (row 1) of the target.
// CHECK-LABEL: func.func @neuro_deliver_Net_P_to_P(
// CHECK-SAME:    %[[SP:.*]]: memref<?xi32>, %[[ROWPTR:.*]]: memref<?xi64>, %[[STRIDE:.*]]: i64, %[[PART:.*]]: i64, %[[COLS:.*]]: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf64>, %[[POST:.*]]: memref<?x?xf64>, %[[PRE:.*]]: memref<?x?xf64>, %[[MODS:.*]]: memref<?xf64>, %{{.*}}: i64)
// CHECK-DAG:     %[[W:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         scf.for
// CHECK:           %[[S:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:           %[[P:.*]] = arith.index_cast %[[PART]] : i64 to index
// CHECK:           %[[ST:.*]] = arith.index_cast %[[STRIDE]] : i64 to index
// CHECK:           %[[SS:.*]] = arith.muli %[[S]], %[[ST]] : index
// CHECK:           %[[AT:.*]] = arith.addi %[[SS]], %[[P]] : index
// CHECK:           memref.load %[[ROWPTR]][%[[AT]]] : memref<?xi64>
// CHECK:           %[[LO:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:           %[[HI:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK:           scf.for %[[J:.*]] = %[[LO]] to %[[HI]]
// CHECK:             %[[T:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK-NOT:         memref.load %[[SYN]]
// CHECK:             %[[GP:.*]] = memref.load %[[POST]][%[[C1:.*]], %[[T]]]
// CHECK:             %[[SUM:.*]] = arith.addf %[[GP]], %[[W]] : f64
// CHECK:             memref.store %[[SUM]], %[[POST]][%[[C1]], %[[T]]]


// Numerical methods. Exponential Euler: B = f(x = 0), A = f(x = 1) - B,
// x' = x + (A x + B) expm1(A dt) / A, with dt when A = 0.
neuro.network @M dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @X size(2) {
    neuro.state @x : "1"
    neuro.state @y : "1"
    neuro.ode @x method "exponential_euler" {
      %x = neuro.ref @x
      %y = neuro.ref @y
      %p = arith.mulf %x, %y : f64
      %n = arith.negf %p : f64
      neuro.yield %n : f64
    }
  }
  neuro.population @R size(2) {
    neuro.state @v : "1"
    neuro.ode @v method "rk4" {
      %v = neuro.ref @v
      %q = arith.mulf %v, %v : f64
      neuro.yield %q : f64
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_M_X(
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[DT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         scf.for %[[I:.*]] =
// CHECK:           %[[X:.*]] = memref.load %{{.*}}[%{{.*}}, %[[I]]]
// CHECK:           %[[Y:.*]] = memref.load %{{.*}}[%{{.*}}, %[[I]]]
// CHECK:           %[[P0:.*]] = arith.mulf %[[ZERO]], %[[Y]] : f64
// CHECK:           %[[B:.*]] = arith.negf %[[P0]] : f64
// CHECK:           %[[P1:.*]] = arith.mulf %[[ONE]], %[[Y]] : f64
// CHECK:           %[[AB:.*]] = arith.negf %[[P1]] : f64
// CHECK:           %[[A:.*]] = arith.subf %[[AB]], %[[B]] : f64
// CHECK:           %[[ADT:.*]] = arith.mulf %[[A]], %[[DT]] : f64
// CHECK:           %[[E:.*]] = math.expm1 %[[ADT]] : f64
// CHECK:           %[[PHI:.*]] = arith.divf %[[E]], %[[A]] : f64
// CHECK:           %[[Z:.*]] = arith.cmpf oeq, %[[A]], %[[ZERO]] : f64
// CHECK:           %[[PHI2:.*]] = arith.select %[[Z]], %[[DT]], %[[PHI]] : f64
// CHECK:           %[[AX:.*]] = arith.mulf %[[A]], %[[X]] : f64
// CHECK:           %[[S:.*]] = arith.addf %[[AX]], %[[B]] : f64
// CHECK:           %[[INC:.*]] = arith.mulf %[[S]], %[[PHI2]] : f64
// CHECK:           %[[NEW:.*]] = arith.addf %[[X]], %[[INC]] : f64
// CHECK:           memref.store %[[NEW]]

// RK4: four evaluations of v * v.
// CHECK-LABEL: func.func @neuro_step_M_R(
// CHECK-COUNT-4: arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:         memref.store

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
// CHECK-LABEL: func.func @neuro_deliver_S_A_to_B(
// CHECK-SAME:    %{{.*}}: memref<?xi32>, %{{.*}}: memref<?xi64>, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: memref<?xi32>, %[[SYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?xf64>, %[[STEP:.*]]: i64)
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[RDT:.*]] = arith.constant -5.000000e-03 : f64
// The step as f64, once per call, outside the loops.
// CHECK:         %[[NOW:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         scf.for
// CHECK:           scf.for %[[J:.*]] =
// CHECK:             %[[LU:.*]] = memref.load %[[SYN]][%[[C3]], %[[J]]]
// CHECK:             %[[N:.*]] = arith.subf %[[NOW]], %[[LU]] : f64
// apre' = apre exp(-50 dt n)
// CHECK:             %[[APRE:.*]] = memref.load %[[SYN]][%{{.*}}, %[[J]]]
// CHECK:             %[[ARG:.*]] = arith.mulf %[[N]], %[[RDT]] : f64
// CHECK:             %[[E:.*]] = math.exp %[[ARG]] : f64
// CHECK:             %[[APRE2:.*]] = arith.mulf %[[APRE]], %[[E]] : f64
// CHECK:             memref.store %[[APRE2]], %[[SYN]]
// apost' = apost + (-20 apost + 1) expm1(-20 dt n) / -20
// CHECK:             math.expm1
// CHECK:             memref.store %{{.*}}, %[[SYN]]
// CHECK:             memref.store %[[NOW]], %[[SYN]][%[[C3]], %[[J]]]
// CHECK:             arith.addf
// CHECK:             memref.store
// CHECK-LABEL: func.func @neuro_deliver_post_S_A_to_B(
// CHECK-SAME:    %[[PSP:.*]]: memref<?xi32>, %[[CP:.*]]: memref<?xi64>, %[[IDX:.*]]: memref<?xi64>, %{{.*}}: memref<?xi32>, %[[PSYN:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %[[PMODS:.*]]: memref<?xf64>, %{{.*}}: i64)
// The plasticity flag, mods[0] != 0, once per call.
// CHECK:         %[[FLAG:.*]] = memref.load %[[PMODS]][%{{.*}}] : memref<?xf64>
// CHECK:         %[[PLASTIC:.*]] = arith.cmpf une, %[[FLAG]], %{{.*}} : f64
// CHECK:         scf.for %[[K:.*]] =
// CHECK:           memref.load %[[PSP]][%[[K]]] : memref<?xi32>
// CHECK:           scf.for %[[Q:.*]] =
// CHECK:             %[[JS:.*]] = memref.load %[[IDX]][%[[Q]]] : memref<?xi64>
// CHECK:             %[[JP:.*]] = arith.index_cast %[[JS]] : i64 to index
// CHECK:             math.exp
// The weight changes only while plastic.
// CHECK:             %[[KEPT:.*]] = arith.select %[[PLASTIC]], %{{.*}}, %{{.*}} : f64
// CHECK-NEXT:        memref.store %[[KEPT]], %[[PSYN]][%{{.*}}, %[[JP]]]

// Every step, clock-driven equations and summed drives: a gap-junction-like
// drive w (v_pre - v_post) into the target's row _I_A_to_B, cleared first,
// and ds/dt = -s + d w (exponential Euler), d a modulator in mods[1].
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
// CHECK-LABEL: func.func @neuro_update_U_A_to_B(
// CHECK-SAME:    %[[SRCS:.*]]: memref<?xi32>, %[[UCOLS:.*]]: memref<?xi32>, %[[USYN:.*]]: memref<?x?xf64>, %[[UPOST:.*]]: memref<?x?xf64>, %[[UPRE:.*]]: memref<?x?xf64>, %[[UMODS:.*]]: memref<?xf64>, %{{.*}}: i64)
// CHECK-DAG:     %[[Z:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[ROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[W:.*]] = arith.constant 5.000000e-01 : f64
// CHECK:         %[[NT:.*]] = memref.dim %[[UPOST]], %[[ROW]]
// CHECK:         scf.for %[[N:.*]] = %{{.*}} to %[[NT]]
// CHECK:           memref.store %[[Z]], %[[UPOST]][%[[ROW]], %[[N]]]
// CHECK:         %[[NSYN:.*]] = memref.dim %[[UCOLS]]
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %[[NSYN]]
// CHECK:           %[[TGT:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:           %[[SI:.*]] = memref.load %[[SRCS]][%[[J]]] : memref<?xi32>
// CHECK:           %[[SRC:.*]] = arith.index_cast %[[SI]] : i32 to index
// CHECK:           %[[VPRE:.*]] = memref.load %[[UPRE]][%{{.*}}, %[[SRC]]]
// CHECK:           %[[VPOST:.*]] = memref.load %[[UPOST]][%{{.*}}, %[[TGT]]]
// CHECK:           %[[DIFF:.*]] = arith.subf %[[VPRE]], %[[VPOST]] : f64
// CHECK:           %[[DRIVE:.*]] = arith.mulf %[[W]], %[[DIFF]] : f64
// CHECK:           %[[ACC:.*]] = memref.load %[[UPOST]][%[[ROW]], %[[TGT]]]
// CHECK:           %[[SUM:.*]] = arith.addf %[[ACC]], %[[DRIVE]] : f64
// CHECK:           memref.store %[[SUM]], %[[UPOST]][%[[ROW]], %[[TGT]]]
// CHECK:           memref.load %[[UMODS]][%{{.*}}] : memref<?xf64>
// CHECK:           math.expm1
// CHECK:           memref.store %{{.*}}, %[[USYN]]

// Expressions evaluated when the network is built: a population's initial
// value from the index, a connection rule from the pair, a weight from the
// source's row.
neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(4) {
    neuro.state @x : "m"
    neuro.init_expr @x {
      %i = neuro.index "self"
      %c = arith.constant 1.000000e-05 : f64
      %r = arith.mulf %i, %c : f64
      neuro.yield %r : f64
    }
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
// CHECK-LABEL: func.func @neuro_init_X_P(
// CHECK-SAME:    %[[IST:.*]]: memref<?x?xf64>, %{{.*}}: i64)
// CHECK:         scf.for %[[IN:.*]] =
// CHECK:           %[[I64:.*]] = arith.index_cast %[[IN]] : index to i64
// CHECK:           %[[IF:.*]] = arith.sitofp %[[I64]] : i64 to f64
// CHECK:           %[[X:.*]] = arith.mulf %[[IF]], %{{.*}} : f64
// CHECK:           memref.store %[[X]], %[[IST]][%{{.*}}, %[[IN]]]
// CHECK-LABEL: func.func @neuro_connect_X_P_to_P(
// CHECK-SAME:    %[[CI:.*]]: i64, %[[CJ:.*]]: i64, %{{.*}}: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %{{.*}}: i64) -> f64
// CHECK:         %[[FI:.*]] = arith.sitofp %[[CI]] : i64 to f64
// CHECK:         %[[FJ:.*]] = arith.sitofp %[[CJ]] : i64 to f64
// CHECK:         %[[LT:.*]] = arith.cmpf olt, %[[FI]], %[[FJ]] : f64
// CHECK:         %[[P:.*]] = arith.select %[[LT]]
// CHECK:         return %[[P]] : f64
// The weight's draw uses the projection's init stream 2048 + 3 (kind 2,
// object 0): 2^31 + 2051.
// CHECK-LABEL: func.func @neuro_syninit_X_P_to_P(
// CHECK-SAME:    %[[SRCS:.*]]: memref<?xi32>, %[[SCOLS:.*]]: memref<?xi32>, %[[SSYN:.*]]: memref<?x?xf64>, %[[SPRE:.*]]: memref<?x?xf64>, %{{.*}}: memref<?x?xf64>, %[[SEED:.*]]: i64)
// CHECK:         scf.for %[[S:.*]] =
// CHECK:           %[[SRC:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:           %[[XP:.*]] = memref.load %[[SPRE]][%{{.*}}, %[[SRC]]]
// CHECK:           %[[STREAM:.*]] = arith.constant -2147481597 : i32
// CHECK:           %[[U:.*]] = func.call @neuro_rt_uniform(%[[SEED]], %[[STREAM]], %{{.*}}, %{{.*}})
// CHECK:           %[[W:.*]] = arith.addf %[[XP]], %[[U]] : f64
// CHECK:           memref.store %[[W]], %[[SSYN]][%{{.*}}, %[[S]]]

// Exact integration with a coefficient per neuron: the init kernel probes
// the equation for the generator, the runtime exponentiates it, and the
// entries become rows (_P0_0, _P0_1) that the step kernel applies. The
// coefficient h is derived from the parameter k (h = 2 k): the init kernel
// computes it from k's row before the propagator, and the derive kernel
// computes both again when the host changes k.
neuro.network @E dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.state @k : "1" {neuro.constant}
    neuro.state @h : "1" {neuro.constant}
    neuro.init_const @v = 1.000000e+00
    neuro.init_const @k = 2.000000e+00
    neuro.init_expr @h derived {
      %k = neuro.ref @k
      %two = arith.constant 2.000000e+00 : f64
      %h = arith.mulf %k, %two : f64
      neuro.yield %h : f64
    }
    neuro.ode @v method "exact" {
      %v = neuro.ref @v
      %k = neuro.ref @h
      %m = arith.mulf %k, %v : f64
      %r = arith.negf %m : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_E_P(
// CHECK-SAME:    %[[EST:.*]]: memref<?x?xf64>
// CHECK:         scf.for %[[EI:.*]] =
// CHECK:           %[[V:.*]] = memref.load %[[EST]][%{{.*}}, %[[EI]]]
// CHECK-NEXT:      %[[C:.*]] = memref.load %[[EST]][%{{.*}}, %[[EI]]]
// CHECK-NEXT:      %[[P00:.*]] = memref.load %[[EST]][%{{.*}}, %[[EI]]]
// CHECK-NEXT:      %[[T:.*]] = arith.mulf %[[V]], %[[P00]] : f64
// CHECK-NEXT:      %[[NV:.*]] = arith.addf %[[C]], %[[T]] : f64
// CHECK-NEXT:      memref.store %[[NV]], %[[EST]][%{{.*}}, %[[EI]]]
// CHECK-LABEL: func.func @neuro_init_E_P(
// CHECK-SAME:    %[[IEST:[^:]*]]: memref<?x?xf64>
// The scratch buffers live once per call, outside the neuron loop.
// CHECK:         memref.alloca() : memref<4xf64>
// CHECK-DAG:     %[[KROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[HROW:.*]] = arith.constant 2 : index
// CHECK:         scf.for %[[IEI:.*]] =
// CHECK:           %[[K:.*]] = memref.load %[[IEST]][%[[KROW]], %[[IEI]]]
// CHECK:           %[[H:.*]] = arith.mulf %[[K]], %{{.*}} : f64
// CHECK:           memref.store %[[H]], %[[IEST]][%[[HROW]], %[[IEI]]]
// CHECK:           memref.extract_aligned_pointer_as_index
// CHECK:           call @neuro_rt_expm(
// CHECK:           memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<?x?xf64>
// CHECK-LABEL: func.func @neuro_derive_E_P(
// CHECK:         scf.for
// CHECK:           arith.mulf
// CHECK:           call @neuro_rt_expm(

// Refractoriness: the threshold clamps v (`unless refractory`), so a write
// of `on pre` to v is discarded while the target is refractory (now -
// _lastspike < 20 steps): `v + w` becomes `v + select(not refractory, w, 0)`,
// still an accumulation. A plain assignment keeps the old value instead.
// `neuro.not_refractory` reads the same test in the step kernel (before the
// threshold: from the last spike), the reset (constant false: the neuron
// just spiked) and synapse code (`post`).
neuro.network @R dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @x : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @x = 0.000000e+00
    neuro.ode @v unless_refractory method "euler" {
      %v = neuro.ref @v
      %nr = neuro.not_refractory
      %k = arith.constant -5.000000e+01 : f64
      %z = arith.constant 0.000000e+00 : f64
      %r = arith.mulf %v, %k : f64
      %d = arith.select %nr, %r, %z : f64
      neuro.yield %d : f64
    }
    neuro.threshold refractory(2.000000e-03) clamped [@v] {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
    neuro.reset {
      %nr = neuro.not_refractory
      %a = arith.constant 1.000000e-02 : f64
      %b = arith.constant 5.000000e-03 : f64
      %r = arith.select %nr, %a, %b : f64
      neuro.assign @v = %r
      neuro.yield
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
      %nr = neuro.not_refractory post
      %x = neuro.ref post @x
      %z = arith.constant 0.000000e+00 : f64
      %k = arith.select %nr, %w, %z : f64
      %t = arith.addf %x, %k : f64
      neuro.assign post @x = %t
      neuro.yield
    }
    neuro.on_post {
      %c = arith.constant 1.000000e-02 : f64
      neuro.assign post @v = %c
      neuro.yield
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_R_P(
// CHECK-SAME:    %[[RST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?xi8>, %[[RSTEP:[^:]*]]: i64
// CHECK:         %[[RSTEPF:.*]] = arith.sitofp %[[RSTEP]] : i64 to f64
// CHECK:         scf.for %[[RI:.*]] =
// CHECK:           %[[RLAST:.*]] = memref.load %[[RST]][%{{.*}}, %[[RI]]]
// CHECK:           %[[RSINCE:.*]] = arith.subf %[[RSTEPF]], %[[RLAST]] : f64
// CHECK:           %[[RCAN:.*]] = arith.cmpf oge, %[[RSINCE]], %{{.*}} : f64
// CHECK:           arith.select %[[RCAN]]
// CHECK-LABEL: func.func @neuro_reset_R_P(
// CHECK:           %[[NEVER:.*]] = arith.constant false
// CHECK:           arith.select %[[NEVER]]
// CHECK-LABEL: func.func @neuro_deliver_R_P_to_P(
// CHECK-SAME:    %[[RSP:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[RCOLS:[^:]*]]: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %[[RPOST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?x?xf64>, %{{[^:]*}}: memref<?xf64>, %[[RNOW:[^:]*]]: i64)
// CHECK-DAG:     %[[REFR:.*]] = arith.constant 2.000000e+01 : f64
// CHECK-DAG:     %[[RZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[RW:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[NOWF:.*]] = arith.sitofp %[[RNOW]] : i64 to f64
// CHECK:             %[[TI:.*]] = memref.load %[[RCOLS]]
// CHECK-NEXT:        %[[TGT:.*]] = arith.index_cast %[[TI]] : i32 to index
// CHECK:             %[[OLD:.*]] = memref.load %[[RPOST]][%{{.*}}, %[[TGT]]]
// CHECK:             %[[LAST:.*]] = memref.load %[[RPOST]][%{{.*}}, %[[TGT]]]
// CHECK:             %[[SINCE:.*]] = arith.subf %[[NOWF]], %[[LAST]] : f64
// CHECK:             %[[KEEP:.*]] = arith.cmpf oge, %[[SINCE]], %[[REFR]] : f64
// CHECK:             %[[D:.*]] = arith.select %[[KEEP]], %[[RW]], %[[RZERO]] : f64
// CHECK:             %[[NEW:.*]] = arith.addf %[[OLD]], %[[D]] : f64
// CHECK:             memref.store %[[NEW]], %[[RPOST]][%{{.*}}, %[[TGT]]]
// x is not clamped: written as computed, with the user's own test.
// CHECK:             %[[XK:.*]] = arith.select %{{.*}}, %[[RW]], %{{.*}} : f64
// CHECK:             %[[XN:.*]] = arith.addf %{{.*}}, %[[XK]] : f64
// CHECK:             memref.store %[[XN]], %[[RPOST]]
// CHECK-LABEL: func.func @neuro_deliver_post_R_P_to_P(
// CHECK-SAME:    %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: memref<?xi64>, %{{[^:]*}}: memref<?xi32>, %{{[^:]*}}: memref<?x?xf64>, %[[PPOST:[^:]*]]: memref<?x?xf64>
// CHECK:             %[[PKEEP:.*]] = arith.cmpf oge
// CHECK:             %[[POLD:.*]] = memref.load %[[PPOST]]
// CHECK:             %[[PV:.*]] = arith.select %[[PKEEP]], %{{.*}}, %[[POLD]] : f64
// CHECK:             memref.store %[[PV]], %[[PPOST]]

// One ABI version function per module.
// CHECK-LABEL: func.func @neuro_abi_version() -> i64
// CHECK:         %[[VER:.*]] = arith.constant 10 : i64
// CHECK:         return %[[VER]] : i64
