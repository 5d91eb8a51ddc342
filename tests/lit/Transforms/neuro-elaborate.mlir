// RUN: neuro-opt %s --neuro-elaborate | FileCheck %s

// A neuron with an input, a synapse driving it, two projections into the
// same population with different parameters.
neuro.neuron @LIF {
  neuro.param @tau_m = 2.000000e-02 : "s"
  neuro.param @v_rest = -4.900000e-02 : "V"
  neuro.state @v : "V"
  neuro.input @I : "V"
  neuro.ode @v unless_refractory {
    %0 = neuro.ref @v_rest
    %1 = neuro.ref @v
    %2 = arith.subf %0, %1 : f64
    %3 = neuro.ref @I
    %4 = arith.addf %2, %3 : f64
    %5 = neuro.ref @tau_m
    %6 = arith.divf %4, %5 : f64
    neuro.yield %6 : f64
  }
  neuro.threshold refractory(5.000000e-03) {
    %0 = neuro.ref @v
    %cst = arith.constant -5.000000e-02 : f64
    %1 = arith.cmpf ogt, %0, %cst : f64
    neuro.yield %1 : i1
  }
}
neuro.synapse @Exp {
  neuro.param @tau = 5.000000e-03 : "s"
  neuro.weight @w : "V"
  neuro.post_state @g : "V"
  neuro.ode @g {
    %0 = neuro.ref post @g
    %1 = arith.negf %0 : f64
    %2 = neuro.ref @tau
    %3 = arith.divf %1, %2 : f64
    neuro.yield %3 : f64
  }
  neuro.on_pre {
    %0 = neuro.ref @w
    %1 = neuro.ref post @g
    %2 = arith.addf %1, %0 : f64
    neuro.assign post @g = %2
    neuro.yield
  }
  neuro.drives @I {
    %0 = neuro.ref post @g
    neuro.yield %0 : f64
  }
}
neuro.network @Net dt(1.000000e-04) duration(1.000000e+00) seed(7) {
  neuro.population @P of @LIF size(10) params {tau_m = 1.000000e-02 : f64, v_rest = -4.900000e-02 : f64} {
    neuro.init_const @v = -6.000000e-02
  }
  neuro.projection @P_to_P @P -> @P with @Exp p(1.000000e-01) delay(0.000000e+00) params {tau = 5.000000e-03 : f64} {
    neuro.init_const @w = 1.000000e-03
    neuro.init_const @g = 0.000000e+00
  }
  neuro.projection @P_to_P_1 @P -> @P with @Exp p(1.000000e-01) delay(1.000000e-04) params {tau = 1.000000e-02 : f64} {
    neuro.init_const @w = -2.000000e-03
    neuro.init_const @g = 0.000000e+00
  }
  neuro.record_spikes @P
}

// The models are gone: everything lives in the network.
// CHECK-NOT: neuro.neuron
// CHECK-NOT: neuro.synapse
// CHECK-LABEL: neuro.network @Net
// CHECK:      neuro.population @P size(10) {
// CHECK-NEXT:   neuro.state @v : "V"
// CHECK-NEXT:   neuro.state @g_P_to_P : "V"
// CHECK-NEXT:   neuro.state @g_P_to_P_1 : "V"
// CHECK-NEXT:   neuro.init_const @v = -6.000000e-02
// CHECK-NEXT:   neuro.init_const @g_P_to_P = 0.000000e+00
// CHECK-NEXT:   neuro.init_const @g_P_to_P_1 = 0.000000e+00
// The population's tau_m (10 ms) overrides the default (20 ms); the input I
// becomes the sum of what both projections drive.
// CHECK-NEXT:   neuro.ode @v unless_refractory {
// CHECK-NEXT:     %[[REST:.*]] = arith.constant -4.900000e-02 : f64
// CHECK-NEXT:     %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:     %[[D:.*]] = arith.subf %[[REST]], %[[V]] : f64
// CHECK-NEXT:     %[[G1:.*]] = neuro.ref @g_P_to_P
// CHECK-NEXT:     %[[G2:.*]] = neuro.ref @g_P_to_P_1
// CHECK-NEXT:     %[[I:.*]] = arith.addf %[[G1]], %[[G2]] : f64
// CHECK-NEXT:     %[[S:.*]] = arith.addf %[[D]], %[[I]] : f64
// CHECK-NEXT:     %[[TAU:.*]] = arith.constant 1.000000e-02 : f64
// CHECK-NEXT:     %[[R:.*]] = arith.divf %[[S]], %[[TAU]] : f64
// CHECK-NEXT:     neuro.yield %[[R]] : f64
// CHECK:        neuro.threshold refractory(5.000000e-03)
// Each post state decays with its own projection's tau.
// CHECK:        neuro.ode @g_P_to_P {
// CHECK:          arith.constant 5.000000e-03 : f64
// CHECK:        neuro.ode @g_P_to_P_1 {
// CHECK:          arith.constant 1.000000e-02 : f64
// The projections keep the weight and the event block; post names are rows
// of the target, and the post states' initial values moved to it.
// CHECK:      neuro.projection @P_to_P @P -> @P p(1.000000e-01) delay(0.000000e+00) {
// CHECK-NEXT:   neuro.weight @w : "V"
// CHECK-NEXT:   neuro.init_const @w = 1.000000e-03
// CHECK-NEXT:   neuro.on_pre {
// CHECK-NEXT:     %[[W:.*]] = neuro.ref @w
// CHECK-NEXT:     %[[G:.*]] = neuro.ref post @g_P_to_P
// CHECK-NEXT:     %[[N:.*]] = arith.addf %[[G]], %[[W]] : f64
// CHECK-NEXT:     neuro.assign post @g_P_to_P = %[[N]]
// CHECK:      neuro.projection @P_to_P_1 @P -> @P p(1.000000e-01) delay(1.000000e-04) {
// CHECK:          neuro.assign post @g_P_to_P_1
// CHECK:      neuro.record_spikes @P

// A plastic synapse: its per-synapse state, the state's equation and both
// event blocks go to the projection (parameters folded); only the post
// state's equation goes to the target population.
neuro.synapse @Plastic {
  neuro.param @tau_pre = 2.000000e-02 : "s"
  neuro.param @tau = 5.000000e-03 : "s"
  neuro.weight @w : "1"
  neuro.state @apre : "1"
  neuro.post_state @g : "1"
  neuro.ode @apre {
    %a = neuro.ref @apre
    %t = neuro.ref @tau_pre
    %r = arith.divf %a, %t : f64
    neuro.yield %r : f64
  }
  neuro.ode @g {
    %g = neuro.ref post @g
    %t = neuro.ref @tau
    %r = arith.divf %g, %t : f64
    neuro.yield %r : f64
  }
  neuro.on_pre {
    %w = neuro.ref @w
    %g = neuro.ref post @g
    %s = arith.addf %g, %w : f64
    neuro.assign post @g = %s
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
neuro.network @Learn dt(1.000000e-04) duration(1.000000e+00) seed(7) {
  neuro.population @Q of @LIF size(2) {
    neuro.init_const @v = -6.000000e-02
  }
  neuro.projection @Q_to_Q @Q -> @Q with @Plastic p(1.000000e+00) delay(0.000000e+00) params {tau_pre = 1.000000e-02 : f64} {
    neuro.init_const @w = 1.000000e-03
    neuro.init_const @apre = 0.000000e+00
    neuro.init_const @g = 0.000000e+00
  }
}
// CHECK-LABEL: neuro.network @Learn
// CHECK:      neuro.population @Q size(2) {
// CHECK:        neuro.ode @g_Q_to_Q {
// CHECK-NOT:    neuro.ode @apre
// CHECK:      neuro.projection @Q_to_Q
// CHECK-NEXT:   neuro.weight @w : "1"
// CHECK-NEXT:   neuro.state @apre : "1"
// CHECK-NEXT:   neuro.init_const @w = 1.000000e-03
// CHECK-NEXT:   neuro.init_const @apre = 0.000000e+00
// CHECK-NEXT:   neuro.ode @apre {
// CHECK-NEXT:     %[[A:.*]] = neuro.ref @apre
// CHECK-NEXT:     %[[T:.*]] = arith.constant 1.000000e-02 : f64
// CHECK-NEXT:     arith.divf %[[A]], %[[T]] : f64
// CHECK:        neuro.on_pre {
// CHECK:          neuro.assign post @g_Q_to_Q
// CHECK:        neuro.on_post {
// CHECK:          neuro.ref @apre
// CHECK:          neuro.assign @w

// A synapse that reads the source's v (`pre`), a modulator and its own
// weight: its drive is summed over the synapses into the target row
// I_G_to_H, which the target's equation reads instead of the input; the
// weight's equation, the modulator and the drive stay with the projection.
neuro.neuron @Cell {
  neuro.state @v : "V"
  neuro.state @d : "1"
  neuro.input @I : "V"
  neuro.ode @v {
    %0 = neuro.ref @I
    %1 = neuro.ref @v
    %2 = arith.subf %0, %1 : f64
    neuro.yield %2 : f64
  }
}
neuro.synapse @Gap {
  neuro.weight @w : "1"
  neuro.pre_var @v_pre = "v" : "V"
  neuro.post_var @v : "V"
  neuro.modulator @m : "1"
  neuro.ode @w {
    %0 = neuro.ref @m
    neuro.yield %0 : f64
  }
  neuro.drives @I {
    %0 = neuro.ref @w
    %1 = neuro.ref @v_pre
    %2 = neuro.ref post @v
    %3 = arith.subf %1, %2 : f64
    %4 = arith.mulf %0, %3 : f64
    neuro.yield %4 : f64
  }
}
// CHECK-LABEL: neuro.network @Coupled
// CHECK:         neuro.population @H size(2) {
// CHECK:           neuro.state @v : "V"
// CHECK:           neuro.state @d : "1"
// CHECK:           neuro.state @I_G_to_H : "V"
// CHECK:           neuro.init_const @I_G_to_H = 0.000000e+00
// CHECK:           neuro.ode @v {
// CHECK-NEXT:        %[[SUM:.*]] = neuro.ref @I_G_to_H
// CHECK-NEXT:        %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:        arith.subf %[[SUM]], %[[V]] : f64
// CHECK:         neuro.projection @G_to_H @G -> @H {{.*}} modulators {m = @H::@d} {
// CHECK-NEXT:      neuro.weight @w : "1"
// CHECK-NEXT:      neuro.modulator @m : "1"
// CHECK:           neuro.ode @w {
// CHECK-NEXT:        neuro.ref @m
// CHECK:           neuro.drives @I into @I_G_to_H {
// CHECK-NEXT:        neuro.ref @w
// CHECK-NEXT:        neuro.ref pre @v
// CHECK-NEXT:        neuro.ref post @v
neuro.network @Coupled dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @G of @Cell size(2) {
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @d = 0.000000e+00
  }
  neuro.population @H of @Cell size(2) {
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @d = 0.000000e+00
  }
  neuro.projection @G_to_H @G -> @H with @Gap p(1.000000e+00)
      delay(0.000000e+00) modulators {m = @H::@d} {
    neuro.init_const @w = 1.000000e+00
  }
}

// A refractory period given by an expression: where its parameter is a row
// (set per neuron) the threshold keeps the expression, reading the row;
// where it is a constant, the expression goes and the population's period
// (Sema's value) stays.
neuro.neuron @RefCell {
  neuro.param @t_ref = 2.000000e-03 : "s"
  neuro.state @v : "V"
  neuro.threshold refractory(2.000000e-03) {
    %0 = neuro.ref @v
    %cst = arith.constant 1.000000e+00 : f64
    %1 = arith.cmpf ogt, %0, %cst : f64
    neuro.yield %1 : i1
  } period {
    %0 = neuro.ref @t_ref
    %cst = arith.constant 5.000000e-04 : f64
    %1 = arith.addf %0, %cst : f64
    neuro.yield %1 : f64
  }
}
// CHECK-LABEL: neuro.network @Refractory
// CHECK:         neuro.population @PerNeuron size(3) {
// CHECK:           neuro.state @t_ref : "s"
// CHECK:           neuro.threshold refractory(0.000000e+00) {
// CHECK:           } period {
// CHECK-NEXT:        %[[T:.*]] = neuro.ref @t_ref
// CHECK-NEXT:        %[[C:.*]] = arith.constant 5.000000e-04 : f64
// CHECK-NEXT:        %[[P:.*]] = arith.addf %[[T]], %[[C]] : f64
// CHECK-NEXT:        neuro.yield %[[P]] : f64
// CHECK-NEXT:      }
// CHECK:         neuro.population @Same size(3) {
// CHECK:           neuro.threshold refractory(3.500000e-03) {
// CHECK-NOT:       period
// CHECK:         neuro.record_spikes @Same
neuro.network @Refractory dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  neuro.population @PerNeuron of @RefCell size(3) refractory(0.000000e+00)
      refractory_params [@t_ref] {
    neuro.init_expr @t_ref {
      %0 = neuro.index "self"
      %cst = arith.constant 1.000000e-03 : f64
      %1 = arith.mulf %0, %cst : f64
      neuro.yield %1 : f64
    }
    neuro.init_const @v = 0.000000e+00
  }
  neuro.population @Same of @RefCell size(3)
      params {t_ref = 3.000000e-03 : f64} refractory(3.500000e-03)
      refractory_params [@t_ref] {
    neuro.init_const @v = 0.000000e+00
  }
  neuro.record_spikes @Same
}

// A recorded let: a row of the population that records it (after the
// states, 0 until sampled) and the let with parameters folded and the
// input replaced by what drives it; a population that does not record it
// gets neither.
neuro.neuron @Cond {
  neuro.param @E = 0.000000e+00 : "V"
  neuro.state @v : "V"
  neuro.input @I : "V"
  neuro.ode @v {
    %0 = neuro.ref @I
    neuro.yield %0 : f64
  }
  neuro.let @I_syn : "V" {
    %e = neuro.ref @E
    %v = neuro.ref @v
    %d = arith.subf %e, %v : f64
    %i = neuro.ref @I
    %s = arith.addf %d, %i : f64
    neuro.yield %s : f64
  }
}
neuro.network @Lets dt(1.000000e-04) duration(1.000000e+00) seed(7) {
  neuro.population @R of @Cond size(2) params {E = -8.000000e-02 : f64} {
    neuro.init_const @v = 0.000000e+00
  }
  neuro.population @S of @Cond size(2) {
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @R_to_R @R -> @R with @Exp p(1.000000e+00) delay(0.000000e+00) {
    neuro.init_const @w = 1.000000e-03
    neuro.init_const @g = 0.000000e+00
  }
  neuro.record_state @R [@v, @I_syn] neurons(0, 2) every(1)
}
// CHECK-LABEL: neuro.network @Lets
// CHECK:      neuro.population @R size(2) {
// CHECK-NEXT:   neuro.state @v : "V"
// CHECK-NEXT:   neuro.state @g_R_to_R : "V"
// CHECK-NEXT:   neuro.state @I_syn : "V"
// CHECK:        neuro.init_const @I_syn = 0.000000e+00
// CHECK:        neuro.let @I_syn : "V" {
// CHECK-NEXT:     %[[E:.*]] = arith.constant -8.000000e-02 : f64
// CHECK-NEXT:     %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:     %[[D:.*]] = arith.subf %[[E]], %[[V]] : f64
// CHECK-NEXT:     %[[G:.*]] = neuro.ref @g_R_to_R
// CHECK-NEXT:     %[[S:.*]] = arith.addf %[[D]], %[[G]] : f64
// CHECK-NEXT:     neuro.yield %[[S]] : f64
// CHECK:      neuro.population @S size(2) {
// CHECK-NOT:    I_syn
// CHECK:      neuro.projection @R_to_R
