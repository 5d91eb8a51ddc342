// RUN: neuro-opt %s --neuro-integrate --split-input-file --verify-diagnostics

neuro.network @Quadratic dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exact" {
    neuro.state @x : "1"
    // expected-error @+1 {{cannot integrate dx/dt exactly: the equation is not linear with constant coefficients in the states}}
    neuro.ode @x {
      %x = neuro.ref @x
      // expected-note @+1 {{nonlinear term here}}
      %r = arith.mulf %x, %x : f64
      neuro.yield %r : f64
    }
  }
}

// -----

neuro.network @Exp dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exact" {
    neuro.state @x : "1"
    // expected-error @+1 {{cannot integrate dx/dt exactly}}
    neuro.ode @x {
      %x = neuro.ref @x
      // expected-note @+1 {{nonlinear term here}}
      %r = math.exp %x : f64
      neuro.yield %r : f64
    }
  }
}

// -----

neuro.network @Unelaborated dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  // expected-error @+1 {{must be elaborated (run neuro-elaborate) before integration}}
  neuro.population @P of @LIF size(1) {
  }
}
neuro.neuron @LIF {
}

// -----

neuro.network @ZeroTau dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    // expected-error @+1 {{division by zero in dx/dt: the divisor is 0 (check the parameter values)}}
    neuro.ode @x {
      %x = neuro.ref @x
      %z = arith.constant 0.0 : f64
      // expected-note @+1 {{division here}}
      %r = arith.divf %x, %z : f64
      neuro.yield %r : f64
    }
  }
}

// -----

neuro.network @NotConditionallyLinear dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exponential_euler" {
    neuro.state @x : "1"
    // expected-error @+1 {{exponential Euler needs dx/dt to be linear in x (its coefficients may depend on other states, and on x inside functions)}}
    neuro.ode @x {
      %x = neuro.ref @x
      // expected-note @+1 {{nonlinear term here}}
      %q = arith.mulf %x, %x : f64
      neuro.yield %q : f64
    }
  }
}

// -----

// A power of x by a natural number is a polynomial in x (Brian2 refuses
// x**3 too), even inside a coefficient-free product.
neuro.network @CubeNotConditionallyLinear dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exponential_euler" {
    neuro.state @x : "1"
    // expected-error @+1 {{exponential Euler needs dx/dt to be linear in x}}
    neuro.ode @x {
      %x = neuro.ref @x
      %three = arith.constant 3.0 : f64
      %e = math.exp %x : f64
      // expected-note @+1 {{nonlinear term here}}
      %c = math.powf %x, %three : f64
      %q = arith.mulf %e, %c : f64
      neuro.yield %q : f64
    }
  }
}

// -----

// The synapse's @method(exponential_euler) on a clock-driven equation
// that is not conditionally linear is refused there too.
neuro.network @SynapseNotConditionallyLinear dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 0.000000e+00
    // expected-error @+1 {{exponential Euler needs dw/dt to be linear in w}}
    neuro.ode @w method "exponential_euler" {
      %w = neuro.ref @w
      // expected-note @+1 {{nonlinear term here}}
      %q = arith.mulf %w, %w : f64
      neuro.yield %q : f64
    }
  }
}

// -----

neuro.network @ExactAsked dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exact" {
    neuro.state @x : "1"
    // expected-error @+1 {{cannot integrate dx/dt exactly}}
    neuro.ode @x {
      %x = neuro.ref @x
      // expected-note @+1 {{nonlinear term here}}
      %q = arith.mulf %x, %x : f64
      neuro.yield %q : f64
    }
  }
}

// -----

neuro.network @NoisyRK4 dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "rk4" {
    neuro.state @v : "1"
    // expected-error @+1 {{equations with noise 'xi' are integrated with euler_maruyama (Ito), heun or milstein (Stratonovich) or exactly, not rk4}}
    neuro.ode @v {
      %xi = neuro.xi
      neuro.yield %xi : f64
    }
  }
}

// -----

neuro.network @NoiseSquared dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "1"
    // expected-error @+1 {{the noise must enter dv/dt linearly, as in f + g * xi}}
    neuro.ode @v {
      %xi = neuro.xi
      // expected-note @+1 {{nonlinear in xi here}}
      %q = arith.mulf %xi, %xi : f64
      neuro.yield %q : f64
    }
  }
}

// -----

neuro.network @SynapseDivByZero dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @x : "1"
    // expected-error @+1 {{division by zero in dx/dt: the divisor is 0 (check the parameter values)}}
    neuro.ode @x {
      %x = neuro.ref @x
      %z = arith.constant 0.000000e+00 : f64
      // expected-note @+1 {{division here}}
      %r = arith.divf %x, %z : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// Brian2's euler takes additive noise only: here the noise is scaled by v.
// The error is at the equation with the noise.
neuro.network @EulerMultiplicative dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "euler" {
    neuro.state @w : "1"
    neuro.state @v : "1"
    neuro.ode @w {
      %w = neuro.ref @w
      neuro.yield %w : f64
    }
    // expected-error @+1 {{equations with noise 'xi' are integrated with euler_maruyama (Ito), heun or milstein (Stratonovich) or exactly, not euler (euler takes additive noise only, as Brian2's)}}
    neuro.ode @v {
      %v = neuro.ref @v
      %xi = neuro.xi
      %n = arith.mulf %xi, %v : f64
      neuro.yield %n : f64
    }
  }
}
