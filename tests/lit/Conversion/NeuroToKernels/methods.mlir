// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file | FileCheck %s

// One step of the equations in the kernels, by method (NumericalMethods.cpp).

// Exponential Euler (@X): B = f(x = 0), A = f(x = 1) - B, x' = x + (A x + B)
// expm1(A dt) / A, with dt when A = 0. Euler (@F): x' = x + f dt. RK4 (@R):
// four evaluations of v t at the stage times t, t + dt/2, t + dt/2, t + dt.
// Euler-Maruyama (@N): f and g from the right-hand side at xi = 0 and
// xi = 1, x' = x + f dt + g sqrt(dt) N(0, 1), one normal draw per equation
// from the population's generated streams 2048 + k (kind 3, population 3:
// 2^31 + 2^30 + 3 * 4096 + 2048 + k, as i32).
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
  neuro.population @F size(2) {
    neuro.state @v : "1"
    neuro.ode @v method "euler" {
      %v = neuro.ref @v
      %q = arith.mulf %v, %v : f64
      neuro.yield %q : f64
    }
  }
  neuro.population @R size(2) {
    neuro.state @v : "1"
    neuro.ode @v method "rk4" {
      %v = neuro.ref @v
      %t = neuro.time
      %q = arith.mulf %v, %t : f64
      neuro.yield %q : f64
    }
  }
  neuro.population @N size(2) {
    neuro.state @v : "1"
    neuro.state @w : "1"
    neuro.ode @v method "euler_maruyama" {
      %v = neuro.ref @v
      %xi = neuro.xi
      %s = arith.constant 3.000000e-01 : f64
      %g = arith.mulf %s, %xi : f64
      %n = arith.negf %v : f64
      %r = arith.addf %n, %g : f64
      neuro.yield %r : f64
    }
    neuro.ode @w method "euler_maruyama" {
      %w = neuro.ref @w
      %xi = neuro.xi
      %r = arith.addf %w, %xi : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_M_X(
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[X0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[DT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         scf.for %[[I:.*]] =
// CHECK-NEXT:      arith.index_cast %[[I]] : index to i64
// CHECK-NEXT:      %[[X:.*]] = memref.load %{{.*}}[%[[X0]], %[[I]]]
// CHECK-NEXT:      %[[Y:.*]] = memref.load %{{.*}}[%{{.*}}, %[[I]]]
// CHECK-NEXT:      %[[P0:.*]] = arith.mulf %[[ZERO]], %[[Y]] : f64
// CHECK-NEXT:      %[[B:.*]] = arith.negf %[[P0]] : f64
// CHECK-NEXT:      %[[P1:.*]] = arith.mulf %[[ONE]], %[[Y]] : f64
// CHECK-NEXT:      %[[AB:.*]] = arith.negf %[[P1]] : f64
// CHECK-NEXT:      %[[A:.*]] = arith.subf %[[AB]], %[[B]] : f64
// CHECK-NEXT:      %[[ADT:.*]] = arith.mulf %[[A]], %[[DT]] : f64
// CHECK-NEXT:      %[[E:.*]] = math.expm1 %[[ADT]] : f64
// CHECK-NEXT:      %[[PHI:.*]] = arith.divf %[[E]], %[[A]] : f64
// CHECK-NEXT:      %[[Z:.*]] = arith.cmpf oeq, %[[A]], %[[ZERO]] : f64
// CHECK-NEXT:      %[[PHI2:.*]] = arith.select %[[Z]], %[[DT]], %[[PHI]] : f64
// CHECK-NEXT:      %[[AX:.*]] = arith.mulf %[[A]], %[[X]] : f64
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[AX]], %[[B]] : f64
// CHECK-NEXT:      %[[INC:.*]] = arith.mulf %[[S]], %[[PHI2]] : f64
// CHECK-NEXT:      %[[NEW:.*]] = arith.addf %[[X]], %[[INC]] : f64
// CHECK-NEXT:      memref.store %[[NEW]], %{{.*}}[%[[X0]], %[[I]]]

// CHECK-LABEL: func.func @neuro_step_M_F(
// CHECK-DAG:     %[[FDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         scf.for %[[FI:.*]] =
// CHECK:           %[[FV:.*]] = memref.load %{{.*}}[%{{.*}}, %[[FI]]]
// CHECK-NEXT:      %[[FF:.*]] = arith.mulf %[[FV]], %[[FV]] : f64
// CHECK-NEXT:      %[[FINC:.*]] = arith.mulf %[[FF]], %[[FDT]] : f64
// CHECK-NEXT:      %[[FNEW:.*]] = arith.addf %[[FV]], %[[FINC]] : f64
// CHECK-NEXT:      memref.store %[[FNEW]]

// CHECK-LABEL: func.func @neuro_step_M_R(
// CHECK-DAG:     %[[SIXTH:.*]] = arith.constant 1.6666666666666666E-4 : f64
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-DAG:     %[[HALF:.*]] = arith.constant 5.000000e-04 : f64
// CHECK-DAG:     %[[RDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[T:.*]] = arith.mulf %{{.*}}, %[[RDT]] {neuro.step_time} : f64
// CHECK:         scf.for %[[RI:.*]] =
// CHECK:           %[[V:.*]] = memref.load %{{.*}}[%{{.*}}, %[[RI]]]
// CHECK-NEXT:      %[[K1:.*]] = arith.mulf %[[V]], %[[T]] : f64
// CHECK-NEXT:      %[[TH:.*]] = arith.addf %[[T]], %[[HALF]] : f64
// CHECK-NEXT:      %[[D1:.*]] = arith.mulf %[[K1]], %[[HALF]] : f64
// CHECK-NEXT:      %[[V1:.*]] = arith.addf %[[V]], %[[D1]] : f64
// CHECK-NEXT:      %[[K2:.*]] = arith.mulf %[[V1]], %[[TH]] : f64
// CHECK-NEXT:      %[[D2:.*]] = arith.mulf %[[K2]], %[[HALF]] : f64
// CHECK-NEXT:      %[[V2:.*]] = arith.addf %[[V]], %[[D2]] : f64
// CHECK-NEXT:      %[[K3:.*]] = arith.mulf %[[V2]], %[[TH]] : f64
// CHECK-NEXT:      %[[TE:.*]] = arith.addf %[[T]], %[[RDT]] : f64
// CHECK-NEXT:      %[[D3:.*]] = arith.mulf %[[K3]], %[[RDT]] : f64
// CHECK-NEXT:      %[[V3:.*]] = arith.addf %[[V]], %[[D3]] : f64
// CHECK-NEXT:      %[[K4:.*]] = arith.mulf %[[V3]], %[[TE]] : f64
// CHECK-NEXT:      %[[K23:.*]] = arith.addf %[[K2]], %[[K3]] : f64
// CHECK-NEXT:      %[[K23X2:.*]] = arith.mulf %[[TWO]], %[[K23]] : f64
// CHECK-NEXT:      %[[K123:.*]] = arith.addf %[[K1]], %[[K23X2]] : f64
// CHECK-NEXT:      %[[KS:.*]] = arith.addf %[[K123]], %[[K4]] : f64
// CHECK-NEXT:      %[[RINC:.*]] = arith.mulf %[[KS]], %[[SIXTH]] : f64
// CHECK-NEXT:      %[[RNEW:.*]] = arith.addf %[[V]], %[[RINC]] : f64
// CHECK-NEXT:      memref.store %[[RNEW]]

// CHECK-LABEL: func.func @neuro_step_M_N(
// CHECK-SAME:    %[[NST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?xi8>, %[[NSTEP:[^:]*]]: i64, %[[NSEED:[^:]*]]: i64
// CHECK-DAG:     %[[NONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[SQDT:.*]] = arith.constant 0.031622776601683791 : f64
// CHECK-DAG:     %[[NZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[NDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         scf.for %[[NI:.*]] =
// CHECK-NEXT:      %[[NIDX:.*]] = arith.index_cast %[[NI]] : index to i64
// CHECK-NEXT:      %[[NV:.*]] = memref.load %[[NST]]
// CHECK-NEXT:      %[[NW:.*]] = memref.load %[[NST]]
// CHECK-NEXT:      arith.constant 3.000000e-01 : f64
// CHECK-NEXT:      %[[G0:.*]] = arith.mulf %{{.*}}, %[[NZERO]] : f64
// CHECK-NEXT:      arith.negf %[[NV]] : f64
// CHECK-NEXT:      %[[F:.*]] = arith.addf %{{.*}}, %[[G0]] : f64
// CHECK-NEXT:      arith.constant 3.000000e-01 : f64
// CHECK-NEXT:      %[[G1:.*]] = arith.mulf %{{.*}}, %[[NONE]] : f64
// CHECK-NEXT:      arith.negf %[[NV]] : f64
// CHECK-NEXT:      %[[FG:.*]] = arith.addf %{{.*}}, %[[G1]] : f64
// CHECK-NEXT:      %[[G:.*]] = arith.subf %[[FG]], %[[F]] : f64
// CHECK-NEXT:      %[[STREAM:.*]] = arith.constant -1073727488 : i32
// CHECK-NEXT:      %[[NORMAL:.*]] = func.call @neuro_rt_normal(%[[NSEED]], %[[STREAM]], %[[NIDX]], %[[NSTEP]]) : (i64, i32, i64, i64) -> f64
// CHECK-NEXT:      %[[DRIFT:.*]] = arith.mulf %[[F]], %[[NDT]] : f64
// CHECK-NEXT:      %[[SN:.*]] = arith.mulf %[[SQDT]], %[[NORMAL]] : f64
// CHECK-NEXT:      %[[DIFF:.*]] = arith.mulf %[[G]], %[[SN]] : f64
// CHECK-NEXT:      %[[DD:.*]] = arith.addf %[[DRIFT]], %[[DIFF]] : f64
// CHECK-NEXT:      %[[VN:.*]] = arith.addf %[[NV]], %[[DD]] : f64
// CHECK:           %[[STREAM2:.*]] = arith.constant -1073727487 : i32
// CHECK-NEXT:      func.call @neuro_rt_normal(%[[NSEED]], %[[STREAM2]], %[[NIDX]], %[[NSTEP]])
// CHECK:           %[[WN:.*]] = arith.addf %[[NW]], %{{.*}} : f64
// CHECK-NEXT:      memref.store %[[VN]], %[[NST]]
// CHECK-NEXT:      memref.store %[[WN]], %[[NST]]

// -----

// Exact integration with constant coefficients (neuro.propagate): x' = M x
// + c without the terms of coefficient 0 or 1, v held while refractory
// (the refractory matrix); the noise L z with one standard normal z_j per
// direction that carries noise (here only z_1, from the generated stream
// 2048 + 1 of population 0), L' while refractory.
neuro.network @L dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(4) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.propagate [@v, @g] method "exact"
      matrix dense<[[0.5, 0.25, 1.0], [0.0, 0.75, 0.0]]> : tensor<2x3xf64>
      refractory dense<[[1.0, 0.0, 0.0], [0.0, 0.75, 0.0]]> : tensor<2x3xf64>
      noise dense<[[0.0, 0.5], [0.0, 2.0]]> : tensor<2x2xf64>
      refractory_noise dense<[[0.0, 0.0], [0.0, 2.0]]> : tensor<2x2xf64>
    neuro.threshold refractory(2.000000e-03) {
      %v = neuro.ref @v
      %th = arith.constant -5.000000e-02 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_L_P(
// CHECK-SAME:    %[[LST:[^:]*]]: memref<?x?xf64>, %{{[^:]*}}: memref<?xi8>, %[[LSTEP:[^:]*]]: i64, %[[LSEED:[^:]*]]: i64
// CHECK-DAG:     %[[L2:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-DAG:     %[[L075:.*]] = arith.constant 7.500000e-01 : f64
// CHECK-DAG:     %[[L0:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[L1:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[L025:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-DAG:     %[[L05:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-DAG:     %[[VROW:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[GROW:.*]] = arith.constant 1 : index
// CHECK:         scf.for %[[LI:.*]] =
// CHECK-NEXT:      %[[LIDX:.*]] = arith.index_cast %[[LI]] : index to i64
// CHECK:           %[[INREF:.*]] = arith.xori
// CHECK-NEXT:      %[[V:.*]] = memref.load %[[LST]][%[[VROW]], %[[LI]]]
// CHECK-NEXT:      %[[G:.*]] = memref.load %[[LST]][%[[GROW]], %[[LI]]]
// CHECK-NEXT:      %[[ZS:.*]] = arith.constant -1073739775 : i32
// CHECK-NEXT:      %[[Z1:.*]] = func.call @neuro_rt_normal(%[[LSEED]], %[[ZS]], %[[LIDX]], %[[LSTEP]])
// CHECK-NEXT:      %[[A:.*]] = arith.mulf %[[V]], %[[L05]] : f64
// CHECK-NEXT:      %[[B:.*]] = arith.mulf %[[G]], %[[L025]] : f64
// CHECK-NEXT:      %[[AB:.*]] = arith.addf %[[A]], %[[B]] : f64
// CHECK-NEXT:      %[[VD:.*]] = arith.addf %[[AB]], %[[L1]] : f64
// CHECK-NEXT:      %[[VZ:.*]] = arith.mulf %[[Z1]], %[[L05]] : f64
// CHECK-NEXT:      %[[VN:.*]] = arith.addf %[[VD]], %[[VZ]] : f64
// CHECK-NEXT:      %[[VH:.*]] = arith.addf %[[V]], %[[L0]] : f64
// CHECK-NEXT:      %[[VSEL:.*]] = arith.select %[[INREF]], %[[VH]], %[[VN]] : f64
// g' = 0.75 g + 2 z_1 whether refractory or not.
// CHECK-NEXT:      %[[GD:.*]] = arith.mulf %[[G]], %[[L075]] : f64
// CHECK-NEXT:      %[[GZ:.*]] = arith.mulf %[[Z1]], %[[L2]] : f64
// CHECK-NEXT:      %[[GN:.*]] = arith.addf %[[GD]], %[[GZ]] : f64
// CHECK-NEXT:      memref.store %[[VSEL]], %[[LST]][%[[VROW]], %[[LI]]]
// CHECK-NEXT:      memref.store %[[GN]], %[[LST]][%[[GROW]], %[[LI]]]

// -----

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
// CHECK-LABEL: neuro.network @E
// CHECK:         neuro.state @h : "1" {neuro.constant}
// CHECK-NEXT:    neuro.state @_P0_0 : "1"
// CHECK-NEXT:    neuro.state @_P0_1 : "1"
// CHECK:         neuro.init_const @_P0_0 = 0.000000e+00
// CHECK-NEXT:    neuro.init_const @_P0_1 = 0.000000e+00
// CHECK-NEXT:  }
// CHECK-LABEL: func.func @neuro_step_E_P(
// CHECK-SAME:    %[[EST:.*]]: memref<?x?xf64>
// CHECK-DAG:     %[[P00:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[P01:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[EV:.*]] = arith.constant 0 : index
// CHECK:         scf.for %[[EI:.*]] =
// CHECK:           %[[V:.*]] = memref.load %[[EST]][%[[EV]], %[[EI]]]
// CHECK-NEXT:      %[[C:.*]] = memref.load %[[EST]][%[[P01]], %[[EI]]]
// CHECK-NEXT:      %[[P:.*]] = memref.load %[[EST]][%[[P00]], %[[EI]]]
// CHECK-NEXT:      %[[T:.*]] = arith.mulf %[[V]], %[[P]] : f64
// CHECK-NEXT:      %[[NV:.*]] = arith.addf %[[C]], %[[T]] : f64
// CHECK-NEXT:      memref.store %[[NV]], %[[EST]][%[[EV]], %[[EI]]]
// The generator [[f(e_0) - f(0)) dt, f(0) dt], [0, 0]], as a 2 x 2 matrix in
// scratch buffers allocated once per call, outside the neuron loop.
// CHECK-LABEL: func.func @neuro_init_E_P(
// CHECK-SAME:    %[[IEST:[^:]*]]: memref<?x?xf64>
// CHECK-NEXT:    %[[IN:.*]] = memref.alloca() : memref<4xf64>
// CHECK-NEXT:    %[[OUT:.*]] = memref.alloca() : memref<4xf64>
// CHECK-DAG:     %[[IDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK-DAG:     %[[IONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[IZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[R3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[R4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[HROW:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[R0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[KROW:.*]] = arith.constant 1 : index
// CHECK:         scf.for %[[IEI:.*]] =
// CHECK:           %[[K:.*]] = memref.load %[[IEST]][%[[KROW]], %[[IEI]]]
// CHECK-NEXT:      arith.constant 2.000000e+00 : f64
// CHECK-NEXT:      %[[H:.*]] = arith.mulf %[[K]], %{{.*}} : f64
// CHECK-NEXT:      memref.store %[[H]], %[[IEST]][%[[HROW]], %[[IEI]]]
// CHECK:           %[[HV:.*]] = memref.load %[[IEST]][%[[HROW]], %[[IEI]]]
// CHECK-NEXT:      memref.load %[[IEST]][%[[KROW]], %[[IEI]]]
// CHECK-NEXT:      %[[M0:.*]] = arith.mulf %[[HV]], %[[IZERO]] : f64
// CHECK-NEXT:      %[[F0:.*]] = arith.negf %[[M0]] : f64
// CHECK-NEXT:      %[[G01:.*]] = arith.mulf %[[F0]], %[[IDT]] : f64
// CHECK-NEXT:      %[[M1:.*]] = arith.mulf %[[HV]], %[[IONE]] : f64
// CHECK-NEXT:      %[[F1:.*]] = arith.negf %[[M1]] : f64
// CHECK-NEXT:      %[[DF:.*]] = arith.subf %[[F1]], %[[F0]] : f64
// CHECK-NEXT:      %[[G00:.*]] = arith.mulf %[[DF]], %[[IDT]] : f64
// CHECK-NEXT:      memref.store %[[G00]], %[[IN]][%[[R0]]] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[G01]], %[[IN]][%[[KROW]]] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[IZERO]], %[[IN]][%[[HROW]]] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[IZERO]], %[[IN]][%[[R3]]] : memref<4xf64>
// CHECK-NEXT:      %[[SIZE:.*]] = arith.constant 2 : i64
// CHECK-NEXT:      %[[INP:.*]] = memref.extract_aligned_pointer_as_index %[[IN]] : memref<4xf64> -> index
// CHECK-NEXT:      %[[INA:.*]] = arith.index_cast %[[INP]] : index to i64
// CHECK-NEXT:      %[[OUTP:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]] : memref<4xf64> -> index
// CHECK-NEXT:      %[[OUTA:.*]] = arith.index_cast %[[OUTP]] : index to i64
// CHECK-NEXT:      func.call @neuro_rt_expm(%[[SIZE]], %[[INA]], %[[OUTA]]) : (i64, i64, i64) -> ()
// CHECK-NEXT:      %[[E00:.*]] = memref.load %[[OUT]][%[[R0]]] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[E00]], %[[IEST]][%[[R3]], %[[IEI]]]
// CHECK-NEXT:      %[[E01:.*]] = memref.load %[[OUT]][%[[KROW]]] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[E01]], %[[IEST]][%[[R4]], %[[IEI]]]
// CHECK-NEXT:    }
// CHECK-LABEL: func.func @neuro_derive_E_P(
// CHECK:         scf.for
// CHECK:           arith.mulf
// CHECK:           call @neuro_rt_expm(
// CHECK-NOT:       call @neuro_rt_expm(
// CHECK:         return

// -----

// A per-neuron propagator with `unless refractory`: a second one, Q, from
// the generator with the held equation's row zeroed; the step kernel takes
// Q's entries (_Q0_0, _Q0_1: rows 5, 6) while refractory.
neuro.network @Q dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.state @k : "1" {neuro.constant}
    neuro.init_const @v = 1.000000e+00
    neuro.init_const @k = 2.000000e+00
    neuro.ode @v unless_refractory method "exact" {
      %v = neuro.ref @v
      %k = neuro.ref @k
      %m = arith.mulf %k, %v : f64
      %r = arith.negf %m : f64
      neuro.yield %r : f64
    }
    neuro.threshold refractory(2.000000e-03) {
      %v = neuro.ref @v
      %th = arith.constant 2.000000e+00 : f64
      %c = arith.cmpf ogt, %v, %th : f64
      neuro.yield %c : i1
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_Q_P(
// CHECK-SAME:    %[[QST:[^:]*]]: memref<?x?xf64>
// CHECK-DAG:     %[[Q00:.*]] = arith.constant 5 : index
// CHECK-DAG:     %[[Q01:.*]] = arith.constant 6 : index
// CHECK-DAG:     %[[QP00:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[QP01:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[QV:.*]] = arith.constant 0 : index
// CHECK:         scf.for %[[QI:.*]] =
// CHECK:           %[[QIN:.*]] = arith.xori
// CHECK-NEXT:      %[[V:.*]] = memref.load %[[QST]][%[[QV]], %[[QI]]]
// CHECK-NEXT:      %[[PC:.*]] = memref.load %[[QST]][%[[QP01]], %[[QI]]]
// CHECK-NEXT:      %[[PP:.*]] = memref.load %[[QST]][%[[QP00]], %[[QI]]]
// CHECK-NEXT:      %[[PT:.*]] = arith.mulf %[[V]], %[[PP]] : f64
// CHECK-NEXT:      %[[PV:.*]] = arith.addf %[[PC]], %[[PT]] : f64
// CHECK-NEXT:      %[[QC:.*]] = memref.load %[[QST]][%[[Q01]], %[[QI]]]
// CHECK-NEXT:      %[[QQ:.*]] = memref.load %[[QST]][%[[Q00]], %[[QI]]]
// CHECK-NEXT:      %[[QT:.*]] = arith.mulf %[[V]], %[[QQ]] : f64
// CHECK-NEXT:      %[[QVAL:.*]] = arith.addf %[[QC]], %[[QT]] : f64
// CHECK-NEXT:      %[[SEL:.*]] = arith.select %[[QIN]], %[[QVAL]], %[[PV]] : f64
// CHECK-NEXT:      memref.store %[[SEL]], %[[QST]][%[[QV]], %[[QI]]]
// CHECK-LABEL: func.func @neuro_init_Q_P(
// CHECK-SAME:    %[[QIST:[^:]*]]: memref<?x?xf64>
// CHECK-NEXT:    %[[QBUF:.*]] = memref.alloca() : memref<4xf64>
// CHECK-DAG:     %[[QZ:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:     %[[QR5:.*]] = arith.constant 5 : index
// CHECK-DAG:     %[[QR6:.*]] = arith.constant 6 : index
// CHECK:           call @neuro_rt_expm(
// CHECK:           memref.store %{{.*}}, %[[QIST]][%{{.*}}, %{{.*}}]
// CHECK:           memref.store %{{.*}}, %[[QIST]][%{{.*}}, %{{.*}}]
// Q: the same generator (no equation reads not_refractory), the row of v
// zeroed.
// CHECK-NEXT:      memref.store %[[QZ]], %[[QBUF]][%{{.*}}] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[QZ]], %[[QBUF]][%{{.*}}] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[QZ]], %[[QBUF]][%{{.*}}] : memref<4xf64>
// CHECK-NEXT:      memref.store %[[QZ]], %[[QBUF]][%{{.*}}] : memref<4xf64>
// CHECK:           call @neuro_rt_expm(
// CHECK-NEXT:      memref.load
// CHECK-NEXT:      memref.store %{{.*}}, %[[QIST]][%[[QR5]], %{{.*}}]
// CHECK-NEXT:      memref.load
// CHECK-NEXT:      memref.store %{{.*}}, %[[QIST]][%[[QR6]], %{{.*}}]
// CHECK-NEXT:    }

// -----

// A coefficient that events write (neuro.held_coefficient): the init
// kernel stores the value its propagator was computed from in a stamp row
// (_H0, row 4) after the entries; the step kernel computes the propagator
// again, in the kernel (no runtime call: the GPU runs the same code),
// where k no longer equals its stamp: halvings to a norm of at most 1/2,
// Taylor's polynomial of exp(A) - I (a loop of 15 Horner steps), the
// squarings of that (F <- 2 F + F^2), the entries (1 + F on the diagonal)
// and the stamp stored, then the propagator applied as always.
neuro.network @H dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.state @k : "1" {neuro.held_coefficient}
    neuro.init_const @v = 1.000000e+00
    neuro.init_const @k = 2.000000e+00
    neuro.ode @v method "exact" {
      %v = neuro.ref @v
      %k = neuro.ref @k
      %m = arith.mulf %k, %v : f64
      %r = arith.negf %m : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: neuro.network @H
// CHECK:         neuro.state @k : "1" {neuro.held_coefficient}
// CHECK-NEXT:    neuro.state @_P0_0 : "1"
// CHECK-NEXT:    neuro.state @_P0_1 : "1"
// CHECK-NEXT:    neuro.state @_H0 : "1"
// CHECK-LABEL: func.func @neuro_step_H_P(
// CHECK-SAME:    %[[HST:[^:]*]]: memref<?x?xf64>
// CHECK-DAG:     %[[HV:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[HP00:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[HP01:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[HSTAMP:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[HK:.*]] = arith.constant 1 : index
// CHECK:         scf.for %[[HI:.*]] =
// CHECK:           %[[KNOW:.*]] = memref.load %[[HST]][%[[HK]], %[[HI]]]
// CHECK-NEXT:      %[[KTHEN:.*]] = memref.load %[[HST]][%[[HSTAMP]], %[[HI]]]
// CHECK-NEXT:      %[[CHANGED:.*]] = arith.cmpf une, %[[KNOW]], %[[KTHEN]] : f64
// CHECK-NEXT:      scf.if %[[CHANGED]] {
// CHECK:             %[[HALF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK:             %[[S:.*]]:3 = scf.while
// CHECK:               arith.cmpf ogt, %{{.*}}, %[[HALF]] : f64
// CHECK:             %[[FIFTEEN:.*]] = arith.constant 15 : index
// CHECK:             scf.for %{{.*}} = %{{.*}} to %[[FIFTEEN]] step %{{.*}} iter_args
// CHECK:               arith.divf
// CHECK:             %[[F:.*]]:2 = scf.for %{{.*}} to %[[S]]#2 step %{{.*}} iter_args(%[[F00:.*]] = %{{.*}}, %[[F01:.*]] = %{{.*}})
// CHECK:               arith.addf %[[F00]], %[[F00]] : f64
// CHECK:             %[[E00:.*]] = arith.addf %{{.*}}, %[[F]]#0 : f64
// CHECK-NEXT:        memref.store %[[E00]], %[[HST]][%[[HP00]], %[[HI]]]
// CHECK-NEXT:        memref.store %[[F]]#1, %[[HST]][%[[HP01]], %[[HI]]]
// CHECK-NEXT:        %[[KSTAMP:.*]] = memref.load %[[HST]][%[[HK]], %[[HI]]]
// CHECK-NEXT:        memref.store %[[KSTAMP]], %[[HST]][%[[HSTAMP]], %[[HI]]]
// CHECK-NEXT:      }
// CHECK:           memref.load %[[HST]][%[[HV]], %[[HI]]]
// CHECK-LABEL: func.func @neuro_init_H_P(
// CHECK:         call @neuro_rt_expm(
// CHECK-NEXT:    memref.load
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    memref.load
// CHECK-NEXT:    memref.store
// CHECK-NEXT:    %[[IK:.*]] = memref.load %{{.*}}[%[[IKR:.*]], %[[II:.*]]]
// CHECK-NEXT:    memref.store %[[IK]], %{{.*}}[%[[ISTAMP:.*]], %[[II]]]
// CHECK-NEXT:  }
// -----

// The midpoint method (@M): x' = x + f(x + f(x) dt/2, t + dt/2) dt. Heun's
// rule without noise is Euler (@E); with noise (@H, dx = x xi), a support
// point s = x + g dW and x' = x + f dt + (g + g(s)) dW / 2, g(s) the
// difference of the right-hand side at xi = 1 and xi = 0 at s. Milstein
// (@S, dx = x xi): s = x + f dt + g sqrt(dt), x' = x + f dt + g dW +
// (g(s) - g) dW^2 / (2 sqrt(dt)).
neuro.network @R2 dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @M size(2) {
    neuro.state @v : "1"
    neuro.ode @v method "rk2" {
      %v = neuro.ref @v
      %t = neuro.time
      %q = arith.mulf %v, %t : f64
      neuro.yield %q : f64
    }
  }
  neuro.population @E size(2) {
    neuro.state @v : "1"
    neuro.ode @v method "heun" {
      %v = neuro.ref @v
      %q = arith.mulf %v, %v : f64
      neuro.yield %q : f64
    }
  }
  neuro.population @H size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "heun" {
      %x = neuro.ref @x
      %xi = neuro.xi
      %r = arith.mulf %x, %xi : f64
      neuro.yield %r : f64
    }
  }
  neuro.population @S size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "milstein" {
      %x = neuro.ref @x
      %xi = neuro.xi
      %r = arith.mulf %x, %xi : f64
      neuro.yield %r : f64
    }
  }
}
// CHECK-LABEL: func.func @neuro_step_R2_M(
// CHECK-DAG:     %[[MHALF:.*]] = arith.constant 5.000000e-04 : f64
// CHECK-DAG:     %[[MDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         %[[MT:.*]] = arith.mulf %{{.*}}, %[[MDT]] {neuro.step_time} : f64
// CHECK:         scf.for %[[MI:.*]] =
// CHECK:           %[[MV:.*]] = memref.load %{{.*}}[%{{.*}}, %[[MI]]]
// CHECK-NEXT:      %[[MK1:.*]] = arith.mulf %[[MV]], %[[MT]] : f64
// CHECK-NEXT:      %[[MTH:.*]] = arith.addf %[[MT]], %[[MHALF]] : f64
// CHECK-NEXT:      %[[MD1:.*]] = arith.mulf %[[MK1]], %[[MHALF]] : f64
// CHECK-NEXT:      %[[MV1:.*]] = arith.addf %[[MV]], %[[MD1]] : f64
// CHECK-NEXT:      %[[MK2:.*]] = arith.mulf %[[MV1]], %[[MTH]] : f64
// CHECK-NEXT:      %[[MD2:.*]] = arith.mulf %[[MK2]], %[[MDT]] : f64
// CHECK-NEXT:      %[[MNEW:.*]] = arith.addf %[[MV]], %[[MD2]] : f64
// CHECK-NEXT:      memref.store %[[MNEW]]
// CHECK-LABEL: func.func @neuro_step_R2_E(
// CHECK:           %[[EV:.*]] = memref.load
// CHECK-NEXT:      %[[EF:.*]] = arith.mulf %[[EV]], %[[EV]] : f64
// CHECK-NEXT:      %[[ED:.*]] = arith.mulf %[[EF]], %{{.*}} : f64
// CHECK-NEXT:      %[[ENEW:.*]] = arith.addf %[[EV]], %[[ED]] : f64
// CHECK-NEXT:      memref.store %[[ENEW]]
// CHECK-LABEL: func.func @neuro_step_R2_H(
// CHECK-DAG:     %[[HSQ:.*]] = arith.constant 0.031622776601683791 : f64
// CHECK-DAG:     %[[HHALF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK:           %[[HX:.*]] = memref.load
// CHECK:           %[[HF:.*]] = arith.mulf %[[HX]], %{{.*}} : f64
// CHECK:           %[[HF1:.*]] = arith.mulf %[[HX]], %{{.*}} : f64
// CHECK:           %[[HG:.*]] = arith.subf %[[HF1]], %[[HF]] : f64
// CHECK:           call @neuro_rt_normal(
// CHECK:           %[[HDW:.*]] = arith.mulf %[[HSQ]], %{{.*}} : f64
// CHECK:           %[[HGDW:.*]] = arith.mulf %[[HG]], %[[HDW]] : f64
// CHECK:           %[[HS:.*]] = arith.addf %[[HX]], %[[HGDW]] : f64
// CHECK:           %[[HSF:.*]] = arith.mulf %[[HS]], %{{.*}} : f64
// CHECK:           %[[HSF1:.*]] = arith.mulf %[[HS]], %{{.*}} : f64
// CHECK:           %[[HGS:.*]] = arith.subf %[[HSF1]], %[[HSF]] : f64
// CHECK:           %[[HGG:.*]] = arith.addf %[[HG]], %[[HGS]] : f64
// CHECK:           %[[HHDW:.*]] = arith.mulf %[[HHALF]], %[[HDW]] : f64
// CHECK:           %[[HN:.*]] = arith.mulf %[[HHDW]], %[[HGG]] : f64
// CHECK:           %[[HFDT:.*]] = arith.mulf %[[HF]], %{{.*}} : f64
// CHECK:           %[[HI:.*]] = arith.addf %[[HFDT]], %[[HN]] : f64
// CHECK:           %[[HNEW:.*]] = arith.addf %[[HX]], %[[HI]] : f64
// CHECK:           memref.store %[[HNEW]]
// CHECK-LABEL: func.func @neuro_step_R2_S(
// CHECK-DAG:     %[[SHALF:.*]] = arith.constant 15.811388300841898 : f64
// CHECK-DAG:     %[[SSQ:.*]] = arith.constant 0.031622776601683791 : f64
// CHECK-DAG:     %[[SDT:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:           %[[SX:.*]] = memref.load
// CHECK:           %[[SF:.*]] = arith.mulf %[[SX]], %{{.*}} : f64
// CHECK:           %[[SF1:.*]] = arith.mulf %[[SX]], %{{.*}} : f64
// CHECK:           %[[SG:.*]] = arith.subf %[[SF1]], %[[SF]] : f64
// CHECK:           call @neuro_rt_normal(
// CHECK:           %[[SDW:.*]] = arith.mulf %[[SSQ]], %{{.*}} : f64
// CHECK:           %[[SFDT:.*]] = arith.mulf %[[SF]], %[[SDT]] : f64
// CHECK:           %[[SGSQ:.*]] = arith.mulf %[[SG]], %[[SSQ]] : f64
// CHECK:           %[[SSTEP:.*]] = arith.addf %[[SFDT]], %[[SGSQ]] : f64
// CHECK:           %[[SS:.*]] = arith.addf %[[SX]], %[[SSTEP]] : f64
// CHECK:           %[[SSF:.*]] = arith.mulf %[[SS]], %{{.*}} : f64
// CHECK:           %[[SSF1:.*]] = arith.mulf %[[SS]], %{{.*}} : f64
// CHECK:           %[[SGS:.*]] = arith.subf %[[SSF1]], %[[SSF]] : f64
// CHECK-DAG:       %[[SDW2:.*]] = arith.mulf %[[SDW]], %[[SDW]] : f64
// CHECK-DAG:       %[[SDG:.*]] = arith.subf %[[SGS]], %[[SG]] : f64
// CHECK:           %[[SDGH:.*]] = arith.mulf %[[SDG]], %[[SHALF]] : f64
// CHECK:           %[[SCORR:.*]] = arith.mulf %[[SDGH]], %[[SDW2]] : f64
// CHECK:           %[[SGDW:.*]] = arith.mulf %[[SG]], %[[SDW]] : f64
// CHECK:           %[[SN:.*]] = arith.addf %[[SGDW]], %[[SCORR]] : f64
// CHECK:           %[[SI:.*]] = arith.addf %[[SFDT]], %[[SN]] : f64
// CHECK:           %[[SNEW:.*]] = arith.addf %[[SX]], %[[SI]] : f64
// CHECK:           memref.store %[[SNEW]]
