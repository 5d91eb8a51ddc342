// RUN: neuro-opt %s --neuro-select-rows | FileCheck %s
// RUN: neuro-opt %s --neuro-select-rows="tunable=A.E_L" | FileCheck %s --check-prefix=ROW
// RUN: neuro-opt %s --neuro-select-rows="tunable=*" | FileCheck %s --check-prefix=ALL
// RUN: neuro-opt %s --neuro-select-rows="tunable=A.V_th,A.v" | FileCheck %s --check-prefix=NAMED
// RUN: not neuro-opt %s --neuro-select-rows="tunable=A.t_ref" 2>&1 | FileCheck %s --check-prefix=REFRACTORY

// V_th = E_L + 15 mV and v = E_L + 1 mV as the model writes them (the
// neuro.defaults), with the values Sema computed for A's E_L in `params`
// and init_const; B's tau is set per neuron; A_to_B's weight reads a row
// of the target (tau_post) and a parameter of the source (E_L_pre).
neuro.neuron @Cell {
  neuro.param @E_L = -6.500000e-02 : "V"
  neuro.param @V_th = -5.000000e-02 : "V"
  neuro.param @tau = 1.000000e-02 : "s"
  neuro.param @t_ref = 2.000000e-03 : "s"
  neuro.state @v : "V"
  neuro.ode @v {
    %0 = neuro.ref @E_L
    %1 = neuro.ref @v
    %2 = arith.subf %0, %1 : f64
    %3 = neuro.ref @tau
    %4 = arith.divf %2, %3 : f64
    neuro.yield %4 : f64
  }
  neuro.threshold refractory(2.000000e-03) {
    %0 = neuro.ref @v
    %1 = neuro.ref @V_th
    %2 = arith.cmpf ogt, %0, %1 : f64
    neuro.yield %2 : i1
  }
  neuro.reset {
    %0 = neuro.ref @E_L
    neuro.assign @v = %0
    neuro.yield
  }
}
neuro.synapse @Syn {
  neuro.weight @w : "V"
  neuro.post_var @v : "V"
  neuro.on_pre {
    %0 = neuro.ref @w
    %1 = neuro.ref post @v
    %2 = arith.addf %1, %0 : f64
    neuro.assign post @v = %2
    neuro.yield
  }
}
neuro.network @N dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @A of @Cell size(10) params {E_L = -7.000000e-02 : f64, V_th = -0.055000000000000007 : f64, t_ref = 2.000000e-03 : f64, tau = 1.000000e-02 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
    neuro.init_const @v = -6.900000e-02
    neuro.default @V_th {
      %0 = neuro.ref @E_L
      %cst = arith.constant 1.500000e-02 : f64
      %1 = arith.addf %0, %cst : f64
      neuro.yield %1 : f64
    }
    neuro.default @v {
      %0 = neuro.ref @E_L
      %cst = arith.constant 1.000000e-03 : f64
      %1 = arith.addf %0, %cst : f64
      neuro.yield %1 : f64
    }
  }
  neuro.population @B of @Cell size(5) params {E_L = -6.500000e-02 : f64, V_th = -5.000000e-02 : f64, t_ref = 2.000000e-03 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
    neuro.init_expr @tau {
      %cst = arith.constant 5.000000e-03 : f64
      %0 = neuro.index "self"
      %cst_0 = arith.constant 1.000000e-03 : f64
      %1 = arith.mulf %0, %cst_0 : f64
      %2 = arith.addf %cst, %1 : f64
      neuro.yield %2 : f64
    }
    neuro.init_const @v = -6.400000e-02
    neuro.default @V_th {
      %0 = neuro.ref @E_L
      %cst = arith.constant 1.500000e-02 : f64
      %1 = arith.addf %0, %cst : f64
      neuro.yield %1 : f64
    }
    neuro.default @v {
      %0 = neuro.ref @E_L
      %cst = arith.constant 1.000000e-03 : f64
      %1 = arith.addf %0, %cst : f64
      neuro.yield %1 : f64
    }
  }
  neuro.projection @A_to_B @A -> @B with @Syn p(5.000000e-01) delay(0.000000e+00) {
    neuro.init_expr @w {
      %cst = arith.constant 1.000000e-04 : f64
      %0 = neuro.ref post @tau
      %1 = arith.mulf %cst, %0 : f64
      %cst_0 = arith.constant 1.000000e-03 : f64
      %2 = arith.divf %1, %cst_0 : f64
      %3 = neuro.ref pre @E_L
      %cst_1 = arith.constant 1.000000e+02 : f64
      %4 = arith.divf %3, %cst_1 : f64
      %5 = arith.addf %2, %4 : f64
      neuro.yield %5 : f64
    }
  }
}

// Nothing tunable: the defaults go, the source's E_L is folded, the rest
// is as written.
// CHECK-LABEL: neuro.network @N
// CHECK-NEXT:    neuro.population @A of @Cell size(10) params {E_L = -7.000000e-02 : f64, V_th = -0.055000000000000007 : f64, t_ref = 2.000000e-03 : f64, tau = 1.000000e-02 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// CHECK-NEXT:      neuro.init_const @v = -6.900000e-02
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.population @B of @Cell size(5) params {E_L = -6.500000e-02 : f64, V_th = -5.000000e-02 : f64, t_ref = 2.000000e-03 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// CHECK-NEXT:      neuro.init_expr @tau {
// CHECK:           neuro.init_const @v = -6.400000e-02
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.projection @A_to_B @A -> @B with @Syn p(5.000000e-01) delay(0.000000e+00) {
// CHECK-NEXT:      neuro.init_expr @w {
// CHECK-NEXT:        %cst = arith.constant 1.000000e-04 : f64
// CHECK-NEXT:        %0 = neuro.ref post @tau
// CHECK-NEXT:        %1 = arith.mulf %cst, %0 : f64
// CHECK-NEXT:        %cst_0 = arith.constant 1.000000e-03 : f64
// CHECK-NEXT:        %2 = arith.divf %1, %cst_0 : f64
// CHECK-NEXT:        %cst_1 = arith.constant -7.000000e-02 : f64
// CHECK-NEXT:        %cst_2 = arith.constant 1.000000e+02 : f64
// CHECK-NEXT:        %3 = arith.divf %cst_1, %cst_2 : f64
// CHECK-NOT:     neuro.default

// A.E_L a row: V_th becomes a derived row and v an expression of it, in
// declaration order; the weight reads the source's row.
// ROW-LABEL: neuro.population @A of @Cell size(10) params {t_ref = 2.000000e-03 : f64, tau = 1.000000e-02 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// ROW-NEXT:    neuro.init_const @E_L = -7.000000e-02
// ROW-NEXT:    neuro.init_expr @V_th derived {
// ROW-NEXT:      %0 = neuro.ref @E_L
// ROW-NEXT:      %cst = arith.constant 1.500000e-02 : f64
// ROW-NEXT:      %1 = arith.addf %0, %cst : f64
// ROW-NEXT:      neuro.yield %1 : f64
// ROW-NEXT:    }
// ROW-NEXT:    neuro.init_expr @v {
// ROW-NEXT:      %0 = neuro.ref @E_L
// ROW-NEXT:      %cst = arith.constant 1.000000e-03 : f64
// ROW-NEXT:      %1 = arith.addf %0, %cst : f64
// ROW-NEXT:      neuro.yield %1 : f64
// ROW-NEXT:    }
// ROW-NEXT:  }
// ROW-NEXT:  neuro.population @B of @Cell size(5) params {E_L = -6.500000e-02 : f64, V_th = -5.000000e-02 : f64, t_ref = 2.000000e-03 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// ROW:       neuro.projection @A_to_B @A -> @B with @Syn p(5.000000e-01) delay(0.000000e+00) {
// ROW:         %3 = neuro.ref pre @E_L
// ROW-NEXT:    %cst_1 = arith.constant 1.000000e+02 : f64

// Every parameter but t_ref, which the refractory period reads; every
// weight a row.
// ALL-LABEL: neuro.population @A of @Cell size(10) params {t_ref = 2.000000e-03 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// ALL-NEXT:    neuro.init_const @E_L = -7.000000e-02
// ALL-NEXT:    neuro.init_expr @V_th derived {
// ALL:         neuro.init_const @tau = 1.000000e-02
// ALL-NEXT:    neuro.init_expr @v {
// ALL:       neuro.population @B of @Cell size(5) params {t_ref = 2.000000e-03 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// ALL-NEXT:    neuro.init_const @E_L = -6.500000e-02
// ALL-NEXT:    neuro.init_expr @V_th derived {
// ALL:         neuro.init_expr @tau {
// ALL:         neuro.init_expr @v {
// ALL:       neuro.projection @A_to_B @A -> @B with @Syn p(5.000000e-01) delay(0.000000e+00) attributes {weight_row} {

// Named themselves, V_th starts at the value Sema computed for A and v
// keeps its own.
// NAMED-LABEL: neuro.population @A of @Cell size(10) params {E_L = -7.000000e-02 : f64, t_ref = 2.000000e-03 : f64, tau = 1.000000e-02 : f64} refractory(2.000000e-03) refractory_params [@t_ref] {
// NAMED-NEXT:    neuro.init_const @V_th = -0.055000000000000007
// NAMED-NEXT:    neuro.init_const @v = -6.900000e-02
// NAMED-NEXT:  }

// REFRACTORY: error: 'A.t_ref' sets the refractory period, which is compiled into the kernels; it cannot be set per run
