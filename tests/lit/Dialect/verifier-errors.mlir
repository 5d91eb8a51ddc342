// RUN: neuro-opt %s --split-input-file --verify-diagnostics

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.ode' op @w is not a state of the enclosing neuro.neuron}}
  neuro.ode @w {
    %c = arith.constant 0.0 : f64
    neuro.yield %c : f64
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.ode' op must yield one f64 derivative, yields 'i1'}}
  neuro.ode @v {
    %c = arith.constant true
    neuro.yield %c : i1
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.threshold' op must yield one i1 condition, yields 'f64'}}
  neuro.threshold refractory(0.0) {
    %v = neuro.ref @v
    neuro.yield %v : f64
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.threshold' op must yield one f64 refractory period or one i1 condition, yields 'i32'}}
  neuro.threshold refractory(0.0) {
    %c = arith.constant true
    neuro.yield %c : i1
  } period {
    %c = arith.constant 1 : i32
    neuro.yield %c : i32
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  neuro.param @p = 1.0 : "V"
  // expected-error @+1 {{'neuro.threshold' op clamps @p, which is not a state of the enclosing neuro.neuron}}
  neuro.threshold refractory(0.0) clamped [@p] {
    %c = arith.constant true
    neuro.yield %c : i1
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  neuro.threshold refractory(0.0) {
    // expected-error @+1 {{'neuro.not_refractory' op 'post' and 'pre' name neurons of a synapse}}
    %c = neuro.not_refractory post
    neuro.yield %c : i1
  }
}

// -----

neuro.synapse @S {
  neuro.weight @w : "V"
  neuro.on_pre {
    // expected-error @+1 {{'neuro.not_refractory' op without 'post' or 'pre' it must be inside a neuron or population}}
    %c = neuro.not_refractory
    neuro.yield
  }
}

// -----

neuro.synapse @S {
  neuro.weight @w : "s"
  neuro.on_pre {
    // expected-error @+1 {{'neuro.last_spike' op without 'post' or 'pre' it must be inside a neuron or population}}
    %c = neuro.last_spike
    neuro.yield
  }
}

// -----

neuro.synapse @S {
  neuro.weight @w : "s"
  neuro.on_pre {
    // expected-error @+1 {{'neuro.last_spike' op names the target ('post') or the source ('pre'), not both}}
    %c = neuro.last_spike post pre
    neuro.yield
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.threshold' op refractory period must be >= 0}}
  neuro.threshold refractory(-1.0) {
    %c = arith.constant true
    neuro.yield %c : i1
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  neuro.ode @v {
    // expected-error @+1 {{'neuro.ref' op @u is not declared in the enclosing neuro.neuron}}
    %u = neuro.ref @u
    neuro.yield %u : f64
  }
}

// -----

neuro.neuron @N {
  neuro.param @p = 1.0 : "1"
  neuro.reset {
    %c = arith.constant 0.0 : f64
    // expected-error @+1 {{'neuro.assign' op cannot assign to neuro.param @p}}
    neuro.assign @p = %c
    neuro.yield
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  neuro.ode @v {
    // expected-error @+1 {{'neuro.ref' op 'post' names a target neuron's variable, which only synapses and projections have}}
    %g = neuro.ref post @v
    neuro.yield %g : f64
  }
}

// -----

neuro.synapse @S {
  neuro.weight @w : "V"
  neuro.post_state @g : "V"
  neuro.on_pre {
    // expected-error @+1 {{'neuro.ref' op post state or variable @g must be used with 'post'}}
    %g = neuro.ref @g
    neuro.yield
  }
}

// -----

// expected-error @+1 {{'neuro.network' op dt must be positive}}
neuro.network @Net dt(0.0) duration(1.0) seed(0) {
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  // expected-error @+1 {{'neuro.population' op size must be positive}}
  neuro.population @P size(0) {
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  // expected-error @+1 {{'neuro.population' op @LIF does not name a neuron model}}
  neuro.population @P of @LIF size(1) {
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
  }
  // expected-error @+1 {{'neuro.projection' op probability must lie in [0, 1]}}
  neuro.projection @P_to_P @P -> @P p(1.5) delay(0.0) {
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
  }
  // expected-error @+1 {{'neuro.projection' op @Q does not name a population}}
  neuro.projection @P_to_Q @P -> @Q p(0.5) delay(0.0) {
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "V"
  }
  neuro.projection @P_to_P @P -> @P p(0.5) delay(0.0) {
    neuro.weight @w : "V"
    neuro.on_pre {
      %w = neuro.ref @w
      // expected-error @+1 {{'neuro.assign' op @g is not a state of target population @P}}
      neuro.assign post @g = %w
      neuro.yield
    }
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
    // expected-error @+1 {{'neuro.init_uniform' op needs low <= high}}
    neuro.init_uniform @v = uniform(1.0, 0.0)
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    // expected-error @+1 {{'neuro.propagate' op matrix must be 1 x 2 for 1 variable(s), is 'tensor<2x2xf64>'}}
    neuro.propagate [@x] method "exact" matrix dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf64>
  }
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
  }
  // expected-error @+1 {{'neuro.record_spikes' op @Q does not name a population}}
  neuro.record_spikes @Q
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(3) {
  }
  // expected-error @+1 {{'neuro.record_spikes' op neurons [1, 4) are not within the population's 3}}
  neuro.record_spikes @P neurons(1, 4)
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(3) {
  }
  // expected-error @+1 {{'neuro.record_spikes' op neurons [2, 2) are not a range}}
  neuro.record_spikes @P neurons(2, 2)
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(3) {
  }
  // expected-error @+1 {{'neuro.record_spikes' op needs both begin and end, or neither}}
  neuro.record_spikes @P {begin = 1 : i64}
}

// -----

neuro.network @Net dt(1.0e-04) duration(1.0) seed(0) {
  neuro.population @P size(1) {
  }
  neuro.projection @P_to_P @P -> @P p(0.5) delay(0.0) {
    neuro.weight @w : "1"
    // expected-error @+1 {{'neuro.decay' op @w is not a per-synapse state of the projection}}
    neuro.decay @w rate(-1.0) offset(0.0)
  }
}

// -----

neuro.synapse @S {
  neuro.weight @w : "1"
  // expected-error @+1 {{'neuro.on_post' op must yield nothing, yields 1 value(s)}}
  neuro.on_post {
    %w = neuro.ref @w
    neuro.yield %w : f64
  }
}

// -----

// A kind the runtime does not know.
// expected-error @+2 {{expected ::neuro::KernelKind to be one of: step, reset, init, derive, deliver, deliver_post, update, connect, syninit}}
// expected-error @+1 {{failed to parse Neuro_KernelAttr parameter 'kind'}}
func.func @f() attributes {neuro.kernel = #neuro.kernel<stepp, "E">} {
  return
}

// -----

// expected-error @+1 {{a kernel of kind 'step' needs the name of its population or projection}}
func.func @f() attributes {neuro.kernel = #neuro.kernel<step, "">} {
  return
}

// -----

// expected-error @+1 {{'neuro.kernel' must be a #neuro.kernel}}
func.func @f() attributes {neuro.kernel = "step"} {
  return
}

// -----

// expected-error @+1 {{'neuro.kernel' marks functions only}}
module attributes {neuro.kernel = #neuro.kernel<step, "E">} {
}



// -----

neuro.network @Periodic dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  // expected-error @+1 {{'neuro.population' op spike time 5.000000e-03 s is not below the spike period 5.000000e-03 s}}
  neuro.population @S size(1) spike_times dense<[5.0e-03]> : tensor<1xf64> spike_indices [0] spike_period(5.0e-03) {
  }
}

// -----

neuro.network @NoTimes dt(1.000000e-04) duration(1.000000e-02) seed(0) {
  // expected-error @+1 {{'neuro.population' op a spike period belongs to spike times}}
  neuro.population @S size(1) spike_period(5.0e-03) poisson(1.0e+01) {
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.init_expr @x {
      // expected-error @+1 {{'neuro.degree' op belongs to a projection's expressions}}
      %n = neuro.degree "incoming"
      neuro.yield %n : f64
    }
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_expr @w {
      // expected-error @+1 {{'neuro.degree' op which must be incoming or outgoing}}
      %n = neuro.degree "in"
      neuro.yield %n : f64
    }
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @c : "1"
    // expected-error @+1 {{'neuro.decay' op needs one gain per input}}
    neuro.decay @a rate(-1.0) offset(0.0) inputs [@c] gains [1.0, 2.0]
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    // expected-error @+1 {{'neuro.decay' op @w is not a per-synapse state of the projection}}
    neuro.decay @w rate(-1.0) offset(0.0) inputs [@a] gains [1.0]
  }
}

// -----

// A state may relax toward the weight, which only events change; not
// toward a name the projection lacks.
neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @b : "1"
    neuro.decay @a rate(-1.0) offset(0.0) inputs [@w] gains [1.0]
    // expected-error @+1 {{'neuro.decay' op @nope is not a per-synapse state or the weight of the projection}}
    neuro.decay @b rate(-1.0) offset(0.0) inputs [@nope] gains [1.0]
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @b : "1"
    // expected-error @+1 {{'neuro.decay_system' op needs k rates and offsets and k x k modes and inverse for its k states}}
    neuro.decay_system [@a, @b] rates [-1.0, -2.0] modes [1.0, 0.0, 1.0] inverse [1.0, 0.0, -1.0, 1.0] offsets [0.0, 0.0]
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @c : "1"
    // expected-error @+1 {{'neuro.decay_system' op needs a gain per state and input}}
    neuro.decay_system [@a] rates [-1.0] modes [1.0] inverse [1.0] offsets [0.0] inputs [@c] gains [1.0, 2.0]
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    // expected-error @+1 {{'neuro.decay_system' op @w is not a per-synapse state of the projection}}
    neuro.decay_system [@a, @w] rates [-1.0, -2.0] modes [1.0, 0.0, 1.0, 1.0] inverse [1.0, 0.0, -1.0, 1.0] offsets [0.0, 0.0]
  }
}

// -----

neuro.network @X dt(1.000000e-04) duration(1.000000e-03) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    // expected-error @+1 {{'neuro.let' op @I is not a row of the enclosing population}}
    neuro.let @I : "V" {
      %0 = neuro.ref @v
      neuro.yield %0 : f64
    }
  }
}

// -----

neuro.neuron @N {
  neuro.state @v : "V"
  // expected-error @+1 {{'neuro.let' op must yield one f64 value, yields 'i1'}}
  neuro.let @high : "1" {
    %0 = neuro.ref @v
    %c = arith.constant 0.0 : f64
    %1 = arith.cmpf ogt, %0, %c : f64
    neuro.yield %1 : i1
  }
}
