// RUN: neuro-opt %s --convert-neuro-to-kernels --split-input-file --verify-diagnostics

// What convert-neuro-to-kernels refuses, where the dialect's verifiers let
// it through.

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.state @y : "1"
    neuro.ode @x method "euler" {
      %x = neuro.ref @x
      neuro.yield %x : f64
    }
    // expected-error @+1 {{'neuro.ode' op has no integration method (run neuro-integrate) or one that differs from the population's other equations}}
    neuro.ode @y method "rk4" {
      %y = neuro.ref @y
      neuro.yield %y : f64
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "euler" {
      // expected-error @+1 {{'neuro.xi' op noise is only available in equations integrated with euler_maruyama}}
      %xi = neuro.xi
      neuro.yield %xi : f64
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.ode @x method "euler" {
      // expected-error @+1 {{'neuro.not_refractory' op refractoriness is not available here}}
      %nr = neuro.not_refractory
      %z = arith.constant 0.000000e+00 : f64
      %r = arith.select %nr, %z, %z : f64
      neuro.yield %r : f64
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.init_expr @x {
      // expected-error @+1 {{'neuro.time' op the time is not available here}}
      %t = neuro.time
      neuro.yield %t : f64
    }
  }
}

// -----

// Draws are keyed by neuron or by event: not in a summed drive.
neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.state @_I : "1"
    neuro.init_const @x = 0.000000e+00
    neuro.init_const @_I = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
    neuro.drives @I into @_I {
      // expected-error @+1 {{'neuro.rand' op random numbers are not available here}}
      %u = neuro.rand site(0)
      neuro.yield %u : f64
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
    neuro.threshold refractory(0.000000e+00) {
      %x = neuro.ref @x
      %c = arith.cmpf ogt, %x, %x : f64
      // expected-error @+1 {{'neuro.assign' op cannot assign in a threshold}}
      neuro.assign @x = %x
      neuro.yield %c : i1
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
    // expected-error @+1 {{'neuro.drives' op has no row of the target population to sum into (run neuro-elaborate)}}
    neuro.drives @I into @_I {
      %w = neuro.ref @w
      neuro.yield %w : f64
    }
  }
}

// -----

neuro.network @N dt(1.000000e-03) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @x : "1"
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @s : "1"
    neuro.init_const @w = 1.000000e+00
    neuro.ode @w method "euler" {
      %w = neuro.ref @w
      neuro.yield %w : f64
    }
    // expected-error @+1 {{'neuro.ode' op has no integration method (run neuro-integrate) or one that differs from the projection's other equations}}
    neuro.ode @s method "rk4" {
      %s = neuro.ref @s
      neuro.yield %s : f64
    }
  }
}
