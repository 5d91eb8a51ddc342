// RUN: neuro-opt %s | neuro-opt | FileCheck %s
// RUN: neuro-opt %s --mlir-print-op-generic | neuro-opt | FileCheck %s

// Every op of the dialect prints in a form that parses back to itself.

// CHECK-LABEL: neuro.neuron @LIF {
// CHECK-NEXT:    neuro.param @tau_m = 2.000000e-02 : "s"
// CHECK-NEXT:    neuro.state @v : "V"
// CHECK-NEXT:    neuro.input @I : "V"
// CHECK-NEXT:    neuro.ode @v unless_refractory {
// CHECK-NEXT:      %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:      %[[I:.*]] = neuro.ref @I
// CHECK-NEXT:      %[[T:.*]] = neuro.ref @tau_m
// CHECK-NEXT:      %[[S:.*]] = arith.subf %[[I]], %[[V]] : f64
// CHECK-NEXT:      %[[D:.*]] = arith.divf %[[S]], %[[T]] : f64
// CHECK-NEXT:      neuro.yield %[[D]] : f64
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.threshold refractory(5.000000e-03) clamped [@v] {
// CHECK:           %[[NR:.*]] = neuro.not_refractory
// CHECK-NEXT:      %[[B:.*]] = arith.andi %{{.*}}, %[[NR]] : i1
// CHECK-NEXT:      neuro.yield %[[B]] : i1
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.reset {
// CHECK-NEXT:      %[[C:.*]] = arith.constant
// CHECK-NEXT:      neuro.assign @v = %[[C]]
// CHECK-NEXT:      neuro.yield
// CHECK-NEXT:    }
// CHECK-NEXT:  }
neuro.neuron @LIF {
  neuro.param @tau_m = 2.000000e-02 : "s"
  neuro.state @v : "V"
  neuro.input @I : "V"
  neuro.ode @v unless_refractory {
    %v = neuro.ref @v
    %i = neuro.ref @I
    %t = neuro.ref @tau_m
    %s = arith.subf %i, %v : f64
    %d = arith.divf %s, %t : f64
    neuro.yield %d : f64
  }
  neuro.threshold refractory(5.000000e-03) clamped [@v] {
    %v = neuro.ref @v
    %c = arith.constant -5.000000e-02 : f64
    %a = arith.cmpf ogt, %v, %c : f64
    %nr = neuro.not_refractory
    %b = arith.andi %a, %nr : i1
    neuro.yield %b : i1
  }
  neuro.reset {
    %r = arith.constant -6.000000e-02 : f64
    neuro.assign @v = %r
    neuro.yield
  }
}

// A refractory period per neuron: the `period` region.
// CHECK-LABEL: neuro.neuron @PerNeuron {
// CHECK:         neuro.threshold refractory(0.000000e+00) {
// CHECK:           neuro.yield %{{.*}} : i1
// CHECK-NEXT:    } period {
// CHECK-NEXT:      %[[P:.*]] = neuro.ref @t_ref
// CHECK-NEXT:      neuro.yield %[[P]] : f64
// CHECK-NEXT:    }
// CHECK-NEXT:  }
neuro.neuron @PerNeuron {
  neuro.param @t_ref = 2.000000e-03 : "s"
  neuro.state @v : "V"
  neuro.threshold refractory(0.000000e+00) {
    %v = neuro.ref @v
    %c = arith.constant -5.000000e-02 : f64
    %a = arith.cmpf ogt, %v, %c : f64
    neuro.yield %a : i1
  } period {
    %t = neuro.ref @t_ref
    neuro.yield %t : f64
  }
}

// CHECK-LABEL: neuro.synapse @Exp {
// CHECK-NEXT:    neuro.param @tau = 5.000000e-03 : "s"
// CHECK-NEXT:    neuro.weight @w : "V"
// CHECK-NEXT:    neuro.post_state @g : "V"
// CHECK-NEXT:    neuro.ode @g {
// CHECK-NEXT:      neuro.ref post @g
// CHECK:         neuro.on_pre {
// CHECK:           %[[NRP:.*]] = neuro.not_refractory post
// CHECK:           arith.select %[[NRP]]
// CHECK:           neuro.assign post @g = %{{.*}}
// CHECK:         neuro.drives @I {
// CHECK-NEXT:      %[[G:.*]] = neuro.ref post @g
// CHECK-NEXT:      neuro.yield %[[G]] : f64
neuro.synapse @Exp {
  neuro.param @tau = 5.000000e-03 : "s"
  neuro.weight @w : "V"
  neuro.post_state @g : "V"
  neuro.ode @g {
    %g = neuro.ref post @g
    %t = neuro.ref @tau
    %n = arith.negf %g : f64
    %d = arith.divf %n, %t : f64
    neuro.yield %d : f64
  }
  neuro.on_pre {
    %w = neuro.ref @w
    %g = neuro.ref post @g
    %nr = neuro.not_refractory post
    %z = arith.constant 0.000000e+00 : f64
    %k = arith.select %nr, %w, %z : f64
    %s = arith.addf %g, %k : f64
    neuro.assign post @g = %s
    neuro.yield
  }
  neuro.drives @I {
    %g = neuro.ref post @g
    neuro.yield %g : f64
  }
}

// CHECK-LABEL: neuro.network @Net dt(1.000000e-04) duration(2.500000e-01) seed(42) {
// CHECK-NEXT:    neuro.population @E of @LIF size(8) params {tau_m = 1.000000e-02 : f64} {
// CHECK-NEXT:      neuro.init_uniform @v = uniform(-6.000000e-02, -5.000000e-02)
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.projection @E_to_E @E -> @E with @Exp p(2.000000e-02) delay(1.000000e-03) params {tau = 5.000000e-03 : f64} {
// CHECK-NEXT:      neuro.init_const @w = 1.620000e-03
// CHECK-NEXT:      neuro.init_const @g = 0.000000e+00
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.population @F size(2) {
// CHECK-NEXT:      neuro.state @x : "1"
// CHECK-NEXT:      neuro.propagate [@x] method "exact" matrix dense<{{\[\[}}5.000000e-01, 2.500000e-01]]> : tensor<1x2xf64> refractory dense<{{\[\[}}1.000000e+00, 0.000000e+00]]> : tensor<1x2xf64>
// CHECK-NEXT:      neuro.state @y : "1"
// CHECK-NEXT:      neuro.init_timed @y every(2) values dense<{{\[\[}}1.000000e+00], [2.000000e+00]]> : tensor<2x1xf64>
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.projection @E_to_F @E -> @F p(1.000000e+00) delay(0.000000e+00) {
// CHECK-NEXT:      neuro.weight @w : "1"
// CHECK-NEXT:      neuro.state @a : "1"
// CHECK-NEXT:      neuro.init_const @w = 0.000000e+00
// CHECK-NEXT:      neuro.init_const @a = 0.000000e+00
// CHECK-NEXT:      neuro.decay @a rate(-5.000000e+01) offset(0.000000e+00)
// CHECK-NEXT:      neuro.on_post {
// CHECK-NEXT:        %[[A:.*]] = neuro.ref @a
// CHECK-NEXT:        neuro.assign @w = %[[A]]
// CHECK-NEXT:        neuro.yield
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.population @S size(2) spike_times dense<[1.000000e-03, 2.000000e-03]> : tensor<2xf64> spike_indices [1, 0] spike_period(5.000000e-03) {
// CHECK-NEXT:    }
// CHECK-NEXT:    neuro.record_spikes @E
// CHECK-NEXT:    neuro.record_spikes @F neurons(1, 2)
// CHECK-NEXT:  }
neuro.network @Net dt(1.000000e-04) duration(2.500000e-01) seed(42) {
  neuro.population @E of @LIF size(8) params {tau_m = 1.000000e-02 : f64} {
    neuro.init_uniform @v = uniform(-6.000000e-02, -5.000000e-02)
  }
  neuro.projection @E_to_E @E -> @E with @Exp p(2.000000e-02) delay(1.000000e-03) params {tau = 5.000000e-03 : f64} {
    neuro.init_const @w = 1.620000e-03
    neuro.init_const @g = 0.000000e+00
  }
  neuro.population @F size(2) {
    neuro.state @x : "1"
    neuro.propagate [@x] method "exact" matrix dense<[[0.5, 0.25]]> : tensor<1x2xf64> refractory dense<[[1.0, 0.0]]> : tensor<1x2xf64>
    neuro.state @y : "1"
    neuro.init_timed @y every(2) values dense<[[1.0], [2.0]]> : tensor<2x1xf64>
  }
  neuro.projection @E_to_F @E -> @F p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.init_const @w = 0.000000e+00
    neuro.init_const @a = 0.000000e+00
    neuro.decay @a rate(-5.000000e+01) offset(0.000000e+00)
    neuro.on_post {
      %a = neuro.ref @a
      neuro.assign @w = %a
      neuro.yield
    }
  }
  neuro.population @S size(2) spike_times dense<[1.0e-03, 2.0e-03]> : tensor<2xf64> spike_indices [1, 0] spike_period(5.0e-03) {
  }
  neuro.record_spikes @E
  neuro.record_spikes @F neurons(1, 2)
}

// Kernels of the runtime contract carry their kind and owner (ABI.h).
// CHECK-LABEL: func.func @neuro_deliver_Net_E_to_E()
// CHECK-SAME:    attributes {neuro.kernel = #neuro.kernel<deliver, "E_to_E">}
func.func @neuro_deliver_Net_E_to_E() attributes {neuro.kernel = #neuro.kernel<deliver, "E_to_E">} {
  return
}
// Every kind.
// CHECK-LABEL: func.func @kinds()
// CHECK-SAME:    #neuro.kernel<step, "E">, #neuro.kernel<reset, "E">, #neuro.kernel<init, "E">, #neuro.kernel<derive, "E">
// CHECK-SAME:    #neuro.kernel<deliver, "E_to_I">, #neuro.kernel<deliver_post, "E_to_I">, #neuro.kernel<sum, "E_to_I">, #neuro.kernel<update, "E_to_I">, #neuro.kernel<connect, "E_to_I">, #neuro.kernel<syninit, "E_to_I">
func.func @kinds() attributes {kinds = [#neuro.kernel<step, "E">, #neuro.kernel<reset, "E">, #neuro.kernel<init, "E">, #neuro.kernel<derive, "E">, #neuro.kernel<deliver, "E_to_I">, #neuro.kernel<deliver_post, "E_to_I">, #neuro.kernel<sum, "E_to_I">, #neuro.kernel<update, "E_to_I">, #neuro.kernel<connect, "E_to_I">, #neuro.kernel<syninit, "E_to_I">]} {
  return
}

// The time of the last spike: the neuron's own, the target's and the
// source's.
// CHECK-LABEL: neuro.neuron @Last {
// CHECK:         neuro.reset {
// CHECK-NEXT:      %[[L:.*]] = neuro.last_spike
// CHECK-NEXT:      neuro.assign @tl = %[[L]]
// CHECK-LABEL: neuro.synapse @LastPair {
// CHECK:         neuro.on_pre {
// CHECK-NEXT:      %{{.*}} = neuro.last_spike post
// CHECK-NEXT:      %{{.*}} = neuro.last_spike pre
neuro.neuron @Last {
  neuro.state @v : "V"
  neuro.state @tl : "s"
  neuro.threshold refractory(0.0) {
    %c = arith.constant true
    neuro.yield %c : i1
  }
  neuro.reset {
    %l = neuro.last_spike
    neuro.assign @tl = %l
    neuro.yield
  }
}
neuro.synapse @LastPair {
  neuro.weight @w : "s"
  neuro.on_pre {
    %a = neuro.last_spike post
    %b = neuro.last_spike pre
    %d = arith.subf %a, %b : f64
    neuro.assign @w = %d
    neuro.yield
  }
}

// CHECK-LABEL: neuro.neuron @Recorded {
// CHECK-NEXT:    neuro.state @v : "V"
// CHECK-NEXT:    neuro.let @twice : "V" {
// CHECK-NEXT:      %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:      %[[D:.*]] = arith.addf %[[V]], %[[V]] : f64
// CHECK-NEXT:      neuro.yield %[[D]] : f64
// CHECK-NEXT:    }
neuro.neuron @Recorded {
  neuro.state @v : "V"
  neuro.let @twice : "V" {
    %0 = neuro.ref @v
    %1 = arith.addf %0, %0 : f64
    neuro.yield %1 : f64
  }
}
