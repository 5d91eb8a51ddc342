// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file | FileCheck %s

// The step and reset kernels of populations (PopulationKernels.cpp).

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
  neuro.record_spikes @P
}

// What the runtime reads stays; the refractory row is appended after the
// states, never spiked at first.
// CHECK-LABEL: neuro.network @Net
// CHECK:       neuro.population @P size(4) {
// CHECK-NEXT:    neuro.state @v : "V"
// CHECK-NEXT:    neuro.state @g : "V"
// CHECK-NEXT:    neuro.state @_lastspike : "1"
// CHECK-NEXT:    neuro.init_uniform @v = uniform(-6.000000e-02, -5.000000e-02)
// CHECK-NEXT:    neuro.init_const @g = 0.000000e+00
// CHECK-NEXT:    neuro.init_const @_lastspike = -1.000000e+15
// CHECK-NEXT:  }
// CHECK-NEXT:  neuro.record_spikes @P
// CHECK-NEXT: }

// Step kernel: one loop over the neurons [begin, end) the runtime hands this
// call; the refractory period is 20 steps, `_lastspike` is row 2. The seed
// is for kernels that draw random numbers (none here).
// CHECK-LABEL: func.func @neuro_step_Net_P(
// CHECK-SAME:    %[[STATE:.*]]: memref<?x?xf64>, %[[SPIKED:.*]]: memref<?xi8>, %[[STEP:.*]]: i64, %[[SEED:.*]]: i64, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<step, "P">}
// Constants are created once, at the kernel's entry.
// CHECK-DAG:     %[[ROW2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[R:.*]] = arith.constant 2.000000e+01 : f64
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : index
// CHECK:         %[[STEPF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         %[[LO:.*]] = arith.index_cast %[[BEGIN]] : i64 to index
// CHECK-NEXT:    %[[HI:.*]] = arith.index_cast %[[END]] : i64 to index
// CHECK-NEXT:    scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[ONE]] {
// CHECK-NEXT:      arith.index_cast %[[I]] : index to i64
// CHECK-NEXT:      %[[LAST:.*]] = memref.load %[[STATE]][%[[ROW2]], %[[I]]] : memref<?x?xf64>
// CHECK-NEXT:      %[[SINCE:.*]] = arith.subf %[[STEPF]], %[[LAST]] : f64
// CHECK-NEXT:      %[[CAN:.*]] = arith.cmpf oge, %[[SINCE]], %[[R]] : f64
// CHECK-NEXT:      %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT:      %[[INREF:.*]] = arith.xori %[[CAN]], %[[TRUE]] : i1
// The equations (NumericalMethods.cpp), then the threshold on the new v.
// CHECK:           %[[VSEL:.*]] = arith.select %[[INREF]], %{{.*}}, %{{.*}} : f64
// CHECK:           memref.store %[[VSEL]], %[[STATE]]
// CHECK:           %[[TH:.*]] = arith.constant -5.000000e-02 : f64
// CHECK-NEXT:      %[[ABOVE:.*]] = arith.cmpf ogt, %[[VSEL]], %[[TH]] : f64
// CHECK-NEXT:      %[[SPIKE:.*]] = arith.andi %[[ABOVE]], %[[CAN]] : i1
// CHECK-NEXT:      %[[FLAG:.*]] = arith.extui %[[SPIKE]] : i1 to i8
// CHECK-NEXT:      scf.if %[[SPIKE]] {
// CHECK-NEXT:        memref.store %[[STEPF]], %[[STATE]][%[[ROW2]], %[[I]]] : memref<?x?xf64>
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.store %[[FLAG]], %[[SPIKED]][%[[I]]] : memref<?xi8>
// CHECK-NEXT:    } {neuro.neuron_loop}
// CHECK-NEXT:    return

// Reset kernel: over the spike list.
// CHECK-LABEL: func.func @neuro_reset_Net_P(
// CHECK-SAME:    %[[SPIKES:.*]]: memref<?xi32>, %[[ST:.*]]: memref<?x?xf64>, %{{.*}}: i64, %{{.*}}: i64) attributes {llvm.emit_c_interface, neuro.kernel = #neuro.kernel<reset, "P">}
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[M:.*]] = memref.dim %[[SPIKES]], %[[C0]] : memref<?xi32>
// CHECK-NEXT:    scf.for %[[K:.*]] = %[[C0]] to %[[M]] step %[[C1]] {
// CHECK-NEXT:      %[[IDX:.*]] = memref.load %[[SPIKES]][%[[K]]] : memref<?xi32>
// CHECK-NEXT:      %[[I2:.*]] = arith.index_cast %[[IDX]] : i32 to index
// CHECK-NEXT:      %[[VR:.*]] = arith.constant -6.000000e-02 : f64
// CHECK-NEXT:      memref.store %[[VR]], %[[ST]][%[[C0]], %[[I2]]] : memref<?x?xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    return

// -----

// Refractoriness: `unless refractory` holds v while refractory (now -
// _lastspike < 20 steps), and `neuro.not_refractory` is the same test in the
// step kernel (before the threshold: from the last spike); in the reset it
// is false (the neuron just spiked) unless the period is 0 steps (@Z).
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
  neuro.population @Z size(2) {
    neuro.state @v : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.threshold refractory(0.000000e+00) {
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
}
// CHECK-LABEL: neuro.network @R
// CHECK:       neuro.population @Z size(2) {
// CHECK-NEXT:    neuro.state @v : "V"
// CHECK-NEXT:    neuro.state @_lastspike : "1"
// CHECK-NEXT:    neuro.init_const @v = 0.000000e+00
// CHECK-NEXT:    neuro.init_const @_lastspike = -1.000000e+15
// CHECK-NEXT:  }
// CHECK-LABEL: func.func @neuro_step_R_P(
// CHECK-SAME:    %[[RST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?xi8>, %[[RSTEP:[^:]*]]: i64
// CHECK-DAG:     %[[RZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[RROW0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[RROW:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[RDT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK:         %[[RSTEPF:.*]] = arith.sitofp %[[RSTEP]] : i64 to f64
// CHECK:         scf.for %[[RI:.*]] =
// CHECK:           %[[RLAST:.*]] = memref.load %[[RST]][%[[RROW]], %[[RI]]]
// CHECK-NEXT:      %[[RSINCE:.*]] = arith.subf %[[RSTEPF]], %[[RLAST]] : f64
// CHECK-NEXT:      %[[RCAN:.*]] = arith.cmpf oge, %[[RSINCE]], %{{.*}} : f64
// CHECK-NEXT:      %[[RTRUE:.*]] = arith.constant true
// CHECK-NEXT:      %[[RIN:.*]] = arith.xori %[[RCAN]], %[[RTRUE]] : i1
// The equation reads every row, loaded in the map's order; v is row 0.
// CHECK:           %[[RV:.*]] = memref.load %[[RST]][%[[RROW0]], %[[RI]]]
// CHECK:           %[[RK:.*]] = arith.mulf %[[RV]], %{{.*}} : f64
// CHECK-NEXT:      %[[RD:.*]] = arith.select %[[RCAN]], %[[RK]], %{{.*}} : f64
// CHECK-NEXT:      %[[RINC:.*]] = arith.mulf %[[RD]], %[[RDT]] : f64
// CHECK-NEXT:      %[[RNEW:.*]] = arith.addf %[[RV]], %[[RINC]] : f64
// CHECK-NEXT:      %[[RHELD:.*]] = arith.select %[[RIN]], %[[RV]], %[[RNEW]] : f64
// CHECK-NEXT:      memref.store %[[RHELD]], %[[RST]][%[[RROW0]], %[[RI]]]
// CHECK-LABEL: func.func @neuro_reset_R_P(
// CHECK:           %[[NEVER:.*]] = arith.constant false
// CHECK:           %[[RR:.*]] = arith.select %[[NEVER]], %{{.*}}, %{{.*}} : f64
// CHECK-NEXT:      memref.store %[[RR]]
// CHECK-LABEL: func.func @neuro_step_R_Z(
// CHECK-DAG:     %[[ZR:.*]] = arith.constant 0.000000e+00 : f64
// CHECK:           %[[ZSINCE:.*]] = arith.subf
// CHECK-NEXT:      arith.cmpf oge, %[[ZSINCE]], %[[ZR]] : f64
// CHECK-LABEL: func.func @neuro_reset_R_Z(
// CHECK:           %[[ALWAYS:.*]] = arith.constant true
// CHECK:           arith.select %[[ALWAYS]], %{{.*}}, %{{.*}} : f64

// -----

// Without a threshold: no refractory row, the spike flag is 0; neuro.time
// is the step times dt, and rand draws from the population's generated
// stream (kind 3, population 1, site 2: 2^31 + 2^30 + 4096 + 2, as i32).
// A population given by spike times has no kernels.
neuro.network @T dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @A size(1) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @Q size(3) {
    neuro.state @x : "1"
    neuro.init_const @x = 0.000000e+00
    neuro.ode @x method "euler" {
      %t = neuro.time
      %u = neuro.rand site(2)
      %r = arith.addf %t, %u : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: neuro.network @T
// CHECK:       neuro.population @Q size(3) {
// CHECK-NEXT:    neuro.state @x : "1"
// CHECK-NEXT:    neuro.init_const @x = 0.000000e+00
// CHECK-NEXT:  }
// CHECK-NOT:   func.func @neuro_step_T_A(
// CHECK-LABEL: func.func @neuro_step_T_Q(
// CHECK-SAME:    %[[TST:[^:]*]]: memref<?x?xf64>, %[[TSP:[^:]*]]: memref<?xi8>, %[[TSTEP:[^:]*]]: i64, %[[TSEED:[^:]*]]: i64
// CHECK-DAG:     %[[TDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[TSTEPF:.*]] = arith.sitofp %[[TSTEP]] : i64 to f64
// CHECK-NEXT:    %[[TIME:.*]] = arith.mulf %[[TSTEPF]], %[[TDT]] {neuro.step_time} : f64
// CHECK:         scf.for %[[TI:.*]] =
// CHECK-NEXT:      %[[TIDX:.*]] = arith.index_cast %[[TI]] : index to i64
// CHECK-NEXT:      memref.load %[[TST]]
// CHECK-NEXT:      %[[STREAM:.*]] = arith.constant -1073737726 : i32
// CHECK-NEXT:      %[[U:.*]] = func.call @neuro_rt_uniform(%[[TSEED]], %[[STREAM]], %[[TIDX]], %[[TSTEP]]) : (i64, i32, i64, i64) -> f64
// CHECK-NEXT:      arith.addf %[[TIME]], %[[U]] : f64
// CHECK:           %[[NOSPIKE:.*]] = arith.constant 0 : i8
// CHECK-NEXT:      memref.store %[[NOSPIKE]], %[[TSP]][%[[TI]]] : memref<?xi8>
// CHECK-NEXT:    } {neuro.neuron_loop}
// CHECK-NOT:   func.func @neuro_reset_T_Q(

// -----

// A refractory period per neuron: the threshold's `period` region, read
// from the neuron's rows each step and rounded as rt::stepOf rounds
// (floor((t + 1e-3 dt) / dt)), at most 10^12 steps (a period set at run
// time past that would hold neurons that never spiked from the start); in
// the reset, not_refractory is whether that is 0 steps. Row 1 is t_ref,
// row 2 `_lastspike`.
neuro.network @V dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @t_ref : "s" {neuro.constant}
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @t_ref = 2.000000e-03
    neuro.threshold refractory(0.000000e+00) {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    } period {
      %t = neuro.ref @t_ref
      neuro.yield %t : f64
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
}
// CHECK-LABEL: func.func @neuro_step_V_P(
// CHECK-SAME:    %[[VST:[^:]*]]: memref<?x?xf64>
// CHECK-DAG:     %[[VROW1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[VROW2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[VEPS:.*]] = arith.constant 1.0000000000000001E-7 : f64
// CHECK-DAG:     %[[VDT:.*]] = arith.constant 1.000000e-04 : f64
// CHECK-DAG:     %[[VMAX:.*]] = arith.constant 1.000000e+12 : f64
// CHECK:         scf.for %[[VI:.*]] =
// CHECK:           %[[VT:.*]] = memref.load %[[VST]][%[[VROW1]], %[[VI]]]
// CHECK-NEXT:      %[[VA:.*]] = arith.addf %[[VT]], %[[VEPS]] : f64
// CHECK-NEXT:      %[[VQ:.*]] = arith.divf %[[VA]], %[[VDT]] : f64
// CHECK-NEXT:      %[[VFLOOR:.*]] = math.floor %[[VQ]] : f64
// CHECK-NEXT:      %[[VSTEPS:.*]] = arith.minnumf %[[VFLOOR]], %[[VMAX]] : f64
// CHECK-NEXT:      %[[VLAST:.*]] = memref.load %[[VST]][%[[VROW2]], %[[VI]]]
// CHECK-NEXT:      %[[VSINCE:.*]] = arith.subf %{{.*}}, %[[VLAST]] : f64
// CHECK-NEXT:      arith.cmpf oge, %[[VSINCE]], %[[VSTEPS]] : f64
// CHECK-LABEL: func.func @neuro_reset_V_P(
// CHECK:           %[[RT:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}]
// CHECK-NEXT:      %[[RA:.*]] = arith.addf %[[RT]], %{{.*}} : f64
// CHECK-NEXT:      %[[RQ:.*]] = arith.divf %[[RA]], %{{.*}} : f64
// CHECK-NEXT:      %[[RFLOOR:.*]] = math.floor %[[RQ]] : f64
// CHECK-NEXT:      %[[RSTEPS:.*]] = arith.minnumf %[[RFLOOR]], %{{.*}} : f64
// CHECK-NEXT:      %[[RNONE:.*]] = arith.cmpf ole, %[[RSTEPS]], %{{.*}} : f64
// CHECK:           arith.select %[[RNONE]], %{{.*}}, %{{.*}} : f64

// -----

// Refractoriness given by a condition: refractory from the spike (row
// `_refractory` set to 1) until the condition is false at the start of a
// step (the row back to 0); `_lastspike` keeps the spike.
neuro.network @C dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.threshold refractory(0.000000e+00) {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    } period {
      %v = neuro.ref @v
      %th = arith.constant 1.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_C_P(
// CHECK-SAME:    %[[CST:[^:]*]]: memref<?x?xf64>
// CHECK-DAG:     %[[CONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[CZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[CV:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[CLASTROW:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[CREFROW:.*]] = arith.constant 2 : index
// CHECK:         scf.for %[[CI:.*]] =
// CHECK:           %[[CVAL:.*]] = memref.load %[[CST]][%[[CV]], %[[CI]]]
// CHECK:           %[[CHELD:.*]] = arith.cmpf ogt, %[[CVAL]], %{{.*}} : f64
// CHECK-NEXT:      %[[CFLAG:.*]] = memref.load %[[CST]][%[[CREFROW]], %[[CI]]]
// CHECK-NEXT:      %[[CWAS:.*]] = arith.cmpf une, %[[CFLAG]], %[[CZERO]] : f64
// CHECK-NEXT:      %[[CSTILL:.*]] = arith.andi %[[CWAS]], %[[CHELD]] : i1
// CHECK-NEXT:      %[[CTRUE:.*]] = arith.constant true
// CHECK-NEXT:      %[[CCAN:.*]] = arith.xori %[[CSTILL]], %[[CTRUE]] : i1
// CHECK-NEXT:      %[[CNEW:.*]] = arith.uitofp %[[CSTILL]] : i1 to f64
// CHECK-NEXT:      memref.store %[[CNEW]], %[[CST]][%[[CREFROW]], %[[CI]]]
// CHECK:           %[[CSPIKE:.*]] = arith.andi %{{.*}}, %[[CCAN]] : i1
// CHECK:           scf.if %[[CSPIKE]] {
// CHECK-NEXT:        memref.store %{{.*}}, %[[CST]][%[[CLASTROW]], %[[CI]]]
// CHECK-NEXT:        memref.store %[[CONE]], %[[CST]][%[[CREFROW]], %[[CI]]]
// CHECK-NEXT:      }

// -----

// rand() in a reset: drawn for the neuron and the step the kernel gets,
// with the network's seed, from the stream of its own call site
// (population 0, site 3: 2^31 + 2^30 + 3, as i32).
neuro.network @W dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.threshold refractory(0.000000e+00) {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
    neuro.reset {
      %u = neuro.rand site(3)
      neuro.assign @v = %u
      neuro.yield
    }
  }
}
// CHECK-LABEL: func.func @neuro_reset_W_P(
// CHECK-SAME:    %[[WSPIKES:[^:]*]]: memref<?xi32>, %[[WST:[^:]*]]: memref<?x?xf64>, %[[WSTEP:[^:]*]]: i64, %[[WSEED:[^:]*]]: i64
// CHECK:         scf.for %[[WK:.*]] =
// CHECK-NEXT:      %[[WI:.*]] = memref.load %[[WSPIKES]][%[[WK]]] : memref<?xi32>
// CHECK-NEXT:      %[[WIDX:.*]] = arith.index_cast %[[WI]] : i32 to index
// CHECK-NEXT:      %[[WI64:.*]] = arith.index_cast %[[WIDX]] : index to i64
// CHECK-NEXT:      %[[WSTREAM:.*]] = arith.constant -1073741821 : i32
// CHECK-NEXT:      %[[WU:.*]] = func.call @neuro_rt_uniform(%[[WSEED]], %[[WSTREAM]], %[[WI64]], %[[WSTEP]]) : (i64, i32, i64, i64) -> f64
// CHECK-NEXT:      memref.store %[[WU]], %[[WST]][%{{.*}}, %[[WIDX]]] : memref<?x?xf64>
