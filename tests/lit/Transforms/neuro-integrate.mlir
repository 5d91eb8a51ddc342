// RUN: neuro-opt %s --neuro-integrate --split-input-file | FileCheck %s

// dx/dt = (a - x) / tau with tau = 1 ms, a = 2, dt = 0.1 ms:
//   x' = e^{-0.1} x + a (1 - e^{-0.1}), the decay exp(-0.1) correctly
// rounded (the closed form of one state, as Brian2's exp(-dt/tau)).
// CHECK-LABEL: neuro.network @Decay
// CHECK:       neuro.propagate [@x] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.90483741803595952, 0.190325163928080{{[0-9]*}}]]> : tensor<1x2xf64>
// CHECK-NOT:   refractory
// CHECK-NOT:   neuro.ode
neuro.network @Decay dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    neuro.init_const @x = 0.000000e+00
    neuro.ode @x {
      %a = arith.constant 2.000000e+00 : f64
      %x = neuro.ref @x
      %d = arith.subf %a, %x : f64
      %tau = arith.constant 1.000000e-03 : f64
      %r = arith.divf %d, %tau : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// A membrane v driven by a decaying current g (tau_m = 20 ms, tau_s = 5 ms,
// dt = 0.1 ms), v held while refractory. Row v: [e^{-h/tm},
// ts/(ts-tm) (e^{-h/ts} - e^{-h/tm}) | 0]; the state `c` without an
// equation keeps its value, so no propagator has it; in the refractory
// matrix v's row is the identity and g's row is unchanged. The decays are
// exp(-h/tau) correctly rounded (v and g feed each other without a
// cycle), the coupling to 14 digits.
// CHECK-LABEL: neuro.network @Coupled
// CHECK:       neuro.propagate [@v, @g] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.99501247919268231, 0.0049379352953090{{[0-9]*}}, 0.000000e+00],
// CHECK-SAME:      [0.000000e+00, 0.98019867330675525, 0.000000e+00]]> : tensor<2x3xf64>
// CHECK-SAME:    refractory dense<{{\[\[}}1.000000e+00, 0.000000e+00, 0.000000e+00],
// CHECK-SAME:      [0.000000e+00, 0.98019867330675{{[0-9]*}}, 0.000000e+00]]> : tensor<2x3xf64>
// CHECK-NOT:   neuro.propagate
// CHECK:       neuro.threshold
neuro.network @Coupled dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.state @c : "V"
    neuro.ode @v unless_refractory {
      %v = neuro.ref @v
      %g = neuro.ref @g
      %n = arith.negf %v : f64
      %s = arith.addf %n, %g : f64
      %tau = arith.constant 2.000000e-02 : f64
      %r = arith.divf %s, %tau : f64
      neuro.yield %r : f64
    }
    neuro.threshold refractory(2.000000e-03) {
      %v = neuro.ref @v
      %c = neuro.ref @c
      %t = arith.cmpf ogt, %v, %c : f64
      neuro.yield %t : i1
    }
    neuro.ode @g {
      %g = neuro.ref @g
      %k = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %k, %g : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// Equations that read the neuron's own not_refractory are analysed with it
// true (matrix) and false (refractory): v's factor of 1 or 0 gives the
// matrices of @Coupled, w decays at 200/s, or 100/s while refractory
// (`not not_refractory` folds). Rows to 14 digits: e^{-0.02}, e^{-0.01}.
// CHECK-LABEL: neuro.network @ReadsRefractory
// CHECK:       neuro.propagate [@v, @g] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.99501247919268{{[0-9]*}}, 0.0049379352953090{{[0-9]*}}, 0.000000e+00],
// CHECK-SAME:    refractory dense<{{\[\[}}1.000000e+00, 0.000000e+00, 0.000000e+00],
// CHECK-SAME:      [0.000000e+00, 0.98019867330675{{[0-9]*}}, 0.000000e+00]]> : tensor<2x3xf64>
// CHECK:       neuro.propagate [@w] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.98019867330675{{[0-9]*}}, 0.000000e+00]]>
// CHECK-SAME:    refractory dense<{{\[\[}}0.99004983374916{{[0-9]*}}, 0.000000e+00]]>
// CHECK-NOT:   neuro.ode
neuro.network @ReadsRefractory dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.state @w : "V"
    neuro.ode @v {
      %v = neuro.ref @v
      %g = neuro.ref @g
      %n = arith.negf %v : f64
      %s = arith.addf %n, %g : f64
      %tau = arith.constant 2.000000e-02 : f64
      %r = arith.divf %s, %tau : f64
      %nr = neuro.not_refractory
      %one = arith.constant 1.000000e+00 : f64
      %zero = arith.constant 0.000000e+00 : f64
      %f = arith.select %nr, %one, %zero : f64
      %fr = arith.mulf %f, %r : f64
      neuro.yield %fr : f64
    }
    neuro.threshold refractory(2.000000e-03) {
      %v = neuro.ref @v
      %c = arith.constant 1.000000e+00 : f64
      %t = arith.cmpf ogt, %v, %c : f64
      neuro.yield %t : i1
    }
    neuro.ode @g {
      %g = neuro.ref @g
      %k = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %k, %g : f64
      neuro.yield %r : f64
    }
    neuro.ode @w {
      %w = neuro.ref @w
      %nr = neuro.not_refractory
      %true = arith.constant true
      %ref = arith.xori %nr, %true : i1
      %slow = arith.constant -1.000000e+02 : f64
      %fast = arith.constant -2.000000e+02 : f64
      %k = arith.select %ref, %slow, %fast : f64
      %r = arith.mulf %k, %w : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// Not linear, but each equation is linear in its own state (the gate form
// of Hodgkin-Huxley): exponential Euler is chosen, the equations stay.
// CHECK-LABEL: neuro.network @Gates
// CHECK-NOT:   neuro.propagate
// CHECK:       neuro.ode @m method "exponential_euler" {
// CHECK:       neuro.ode @v method "exponential_euler" {
neuro.network @Gates dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @m : "1"
    neuro.state @v : "V"
    neuro.ode @m {
      %v = neuro.ref @v
      %m = neuro.ref @m
      %a = math.exp %v : f64
      %one = arith.constant 1.0 : f64
      %r = arith.subf %one, %m : f64
      %d = arith.mulf %a, %r : f64
      neuro.yield %d : f64
    }
    neuro.ode @v {
      %v = neuro.ref @v
      %m = neuro.ref @m
      %g = arith.mulf %m, %m : f64
      %d = arith.mulf %g, %v : f64
      %n = arith.negf %d : f64
      neuro.yield %n : f64
    }
  }
}

// -----

// Exponential Euler asked for an equation whose state is also read inside
// functions and divisors (Brian2's conditionally linear form, a gate given
// as a function of v): those reads are frozen copies, held at the start
// of the step; the read in the polynomial part (the dividend, a factor,
// the base of v^1) stays, and what only the copies read goes.
// dv/dt = (1 - v) * exp(-v) / (1 + v^2) + v^1.
// CHECK-LABEL: neuro.network @Frozen
// CHECK:       neuro.ode @v method "exponential_euler" {
// CHECK-NEXT:    %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:    %[[VF:.*]] = neuro.ref frozen @v
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1.000000e+00
// CHECK-NEXT:    %[[TWO:.*]] = arith.constant 2.000000e+00
// CHECK-NEXT:    %[[NF:.*]] = arith.negf %[[VF]]
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[NF]]
// CHECK-NEXT:    %[[R:.*]] = arith.subf %[[ONE]], %[[V]]
// CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[R]], %[[E]]
// CHECK-NEXT:    %[[SQF:.*]] = math.powf %[[VF]], %[[TWO]]
// CHECK-NEXT:    %[[DF:.*]] = arith.addf %[[ONE]], %[[SQF]]
// CHECK-NEXT:    %[[Q:.*]] = arith.divf %[[P]], %[[DF]]
// CHECK-NEXT:    %[[L:.*]] = math.powf %[[V]], %[[ONE]]
// CHECK-NEXT:    %[[S:.*]] = arith.addf %[[Q]], %[[L]]
// CHECK-NEXT:    neuro.yield %[[S]]
neuro.network @Frozen dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exponential_euler" {
    neuro.state @v : "1"
    neuro.ode @v {
      %v = neuro.ref @v
      %one = arith.constant 1.0 : f64
      %two = arith.constant 2.0 : f64
      %n = arith.negf %v : f64
      %e = math.exp %n : f64
      %r = arith.subf %one, %v : f64
      %p = arith.mulf %r, %e : f64
      %sq = math.powf %v, %two : f64
      %d = arith.addf %one, %sq : f64
      %q = arith.divf %p, %d : f64
      %l = math.powf %v, %one : f64
      %s = arith.addf %q, %l : f64
      neuro.yield %s : f64
    }
  }
}

// -----

// A choice's condition is a coefficient; its branches stay linear terms
// (c a + (1 - c) b): dv/dt = if v > -0.1 then -v else -2 v.
// CHECK-LABEL: neuro.network @FrozenChoice
// CHECK:       neuro.ode @v method "exponential_euler" {
// CHECK-NEXT:    %[[V:.*]] = neuro.ref @v
// CHECK-NEXT:    %[[VF:.*]] = neuro.ref frozen @v
// CHECK-NEXT:    %[[C:.*]] = arith.constant
// CHECK-NEXT:    %[[T:.*]] = arith.constant
// CHECK-NEXT:    %[[CMP:.*]] = arith.cmpf ogt, %[[VF]], %[[C]]
// CHECK-NEXT:    %[[N:.*]] = arith.negf %[[V]]
// CHECK-NEXT:    %[[M:.*]] = arith.mulf %[[T]], %[[N]]
// CHECK-NEXT:    %[[S:.*]] = arith.select %[[CMP]], %[[N]], %[[M]]
// CHECK-NEXT:    neuro.yield %[[S]]
neuro.network @FrozenChoice dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "exponential_euler" {
    neuro.state @v : "1"
    neuro.ode @v {
      %v = neuro.ref @v
      %c = arith.constant -1.000000e-01 : f64
      %two = arith.constant 2.000000e+00 : f64
      %cmp = arith.cmpf ogt, %v, %c : f64
      %n = arith.negf %v : f64
      %m = arith.mulf %two, %n : f64
      %s = arith.select %cmp, %n, %m : f64
      neuro.yield %s : f64
    }
  }
}

// -----

// Quadratic in its own state: RK4.
// CHECK-LABEL: neuro.network @Quadratic
// CHECK:       neuro.ode @v method "rk4" {
neuro.network @Quadratic dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "1"
    neuro.ode @v {
      %v = neuro.ref @v
      %q = arith.mulf %v, %v : f64
      neuro.yield %q : f64
    }
  }
}

// -----

// A method asked for is applied also to a linear system.
// CHECK-LABEL: neuro.network @Asked
// CHECK:       neuro.population @P size(1) method "euler" {
// CHECK:       neuro.ode @x method "euler" {
neuro.network @Asked dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "euler" {
    neuro.state @x : "1"
    neuro.ode @x {
      %x = neuro.ref @x
      %n = arith.negf %x : f64
      neuro.yield %n : f64
    }
  }
}

// -----

// Additive noise on a linear system: exact. dv/dt = -v + 1e-3 xi (1/s
// time constant), dt = 1e-4: the noise factor is
// 1e-3 sqrt((1 - e^{-2 dt}) / 2) = 9.99950002e-6; g, independent of v and
// without noise, has a propagator of its own, without a noise factor.
// CHECK-LABEL: neuro.network @Noisy
// CHECK:       neuro.propagate [@v] method "exact"
// CHECK-SAME:    noise dense<9.99950002{{[0-9]*}}E-6> : tensor<1x1xf64>
// CHECK-NEXT:  neuro.propagate [@g] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.99990000499983{{[0-9]*}}, 0.000000e+00]]> : tensor<1x2xf64>
// CHECK-NOT:   noise
// CHECK-NOT:   neuro.ode
neuro.network @Noisy dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "V"
    neuro.state @g : "V"
    neuro.ode @v {
      %v = neuro.ref @v
      %xi = neuro.xi
      %s = arith.constant 1.0e-03 : f64
      %n = arith.mulf %s, %xi : f64
      %d = arith.subf %n, %v : f64
      neuro.yield %d : f64
    }
    neuro.ode @g {
      %g = neuro.ref @g
      %n = arith.negf %g : f64
      neuro.yield %n : f64
    }
  }
}

// -----

// Multiplicative noise (g depends on v) cannot be exact: Euler-Maruyama.
// CHECK-LABEL: neuro.network @Multiplicative
// CHECK:       neuro.ode @v method "euler_maruyama" {
neuro.network @Multiplicative dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @v : "1"
    neuro.ode @v {
      %v = neuro.ref @v
      %xi = neuro.xi
      %n = arith.mulf %v, %xi : f64
      neuro.yield %n : f64
    }
  }
}

// -----

// Per-synapse states become event-driven exact solutions: dx/dt = a x + b.
// CHECK-LABEL: neuro.network @Traces
// CHECK:       neuro.projection @P_to_P
// CHECK:         neuro.decay @apre rate(-5.000000e+01) offset(0.000000e+00)
// CHECK:         neuro.decay @u rate(-1.000000e+01) offset(2.000000e+00)
// CHECK-NOT:     neuro.ode
neuro.network @Traces dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @apre : "1"
    neuro.state @u : "1"
    neuro.init_const @w = 0.000000e+00
    neuro.init_const @apre = 0.000000e+00
    neuro.init_const @u = 0.000000e+00
    neuro.ode @apre {
      %a = neuro.ref @apre
      %tau = arith.constant 2.000000e-02 : f64
      %n = arith.negf %a : f64
      %r = arith.divf %n, %tau : f64
      neuro.yield %r : f64
    }
    // du/dt = (0.2 - u) / 0.1 s
    neuro.ode @u {
      %u = neuro.ref @u
      %c = arith.constant 2.000000e-01 : f64
      %tau = arith.constant 1.000000e-01 : f64
      %d = arith.subf %c, %u : f64
      %r = arith.divf %d, %tau : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// A per-synapse state without an equation changes only at events: an
// equation that reads it stays event-driven, with it as an input (da/dt =
// (c - a) / 10 ms + 2 k: gains 100 and 2). States coupled at equal rates
// (db/dt = e - b reads de/dt = -e) are clock-driven: their modes would not
// be distinct (@Chains has the solved ones). Linear with constant
// coefficients, they take their exact step, P = exp(A dt) = e^-dt [1, 0;
// dt, 1]: each equation yields ((P - I) x) / dt, (e^-dt - 1) / dt and
// e^-dt at dt = 1e-4.
// CHECK-LABEL: neuro.network @Inputs
// CHECK:         neuro.decay @a rate(-1.000000e+02) offset(0.000000e+00) inputs [@c, @k] gains [1.000000e+02, 2.000000e+00]
// CHECK-NOT:     neuro.decay
// CHECK:         neuro.ode @e method "exact" {
// CHECK:           %[[E:.*]] = neuro.ref @e
// CHECK-NEXT:      %[[K:.*]] = arith.constant -0.9999500016666385 : f64
// CHECK-NEXT:      arith.mulf %[[K]], %[[E]] : f64
// CHECK:         neuro.ode @b method "exact" {
// CHECK:           %[[BE:.*]] = neuro.ref @e
// CHECK-NEXT:      %[[BK:.*]] = arith.constant 0.99990000499983333 : f64
// CHECK-NEXT:      arith.mulf %[[BK]], %[[BE]] : f64
// CHECK:           %[[BB:.*]] = neuro.ref @b
// CHECK-NEXT:      %[[BK2:.*]] = arith.constant -0.9999500016666385 : f64
// CHECK-NEXT:      arith.mulf %[[BK2]], %[[BB]] : f64
neuro.network @Inputs dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @c : "1"
    neuro.state @a : "1"
    neuro.state @k : "1"
    neuro.state @e : "1"
    neuro.state @b : "1"
    neuro.init_const @w = 0.000000e+00
    neuro.init_const @c = 1.000000e+00
    neuro.init_const @a = 0.000000e+00
    neuro.init_const @k = 1.000000e+00
    neuro.init_const @e = 0.000000e+00
    neuro.init_const @b = 0.000000e+00
    neuro.ode @a {
      %a = neuro.ref @a
      %c = neuro.ref @c
      %k = neuro.ref @k
      %tau = arith.constant 1.000000e-02 : f64
      %two = arith.constant 2.000000e+00 : f64
      %d = arith.subf %c, %a : f64
      %r = arith.divf %d, %tau : f64
      %k2 = arith.mulf %two, %k : f64
      %s = arith.addf %r, %k2 : f64
      neuro.yield %s : f64
    }
    neuro.ode @e {
      %e = neuro.ref @e
      %n = arith.negf %e : f64
      neuro.yield %n : f64
    }
    neuro.ode @b {
      %b = neuro.ref @b
      %e = neuro.ref @e
      %d = arith.subf %e, %b : f64
      neuro.yield %d : f64
    }
  }
}

// -----

// States coupled without a cycle, at distinct rates, are solved together at
// events: a filtered by b (da/dt = -200 a, db/dt = 100 (a + c - b), c an
// input): modes [1, 0; -1, 1] (b's part of a's mode: 100 / (-200 + 100)),
// their inverse [1, 0; 1, 1], the gain of c in db/dt. x and y drive each
// other (a cycle): every step, by their exact step ((exp(A dt) - I) / dt
// for A = [-1, 1; -1, -3]).
// CHECK-LABEL: neuro.network @Chains
// CHECK:         neuro.decay_system [@a, @b] rates [-2.000000e+02, -1.000000e+02]
// CHECK-SAME:      modes [1.000000e+00, 0.000000e+00, -1.000000e+00, 1.000000e+00]
// CHECK-SAME:      inverse [1.000000e+00, 0.000000e+00, 1.000000e+00, 1.000000e+00]
// CHECK-SAME:      offsets [0.000000e+00, 0.000000e+00] inputs [@c] gains [0.000000e+00, 1.000000e+02]
// CHECK-NOT:     neuro.decay
// CHECK:         neuro.ode @x method "exact"
// CHECK:           arith.constant -0.99999999333411082 : f64
// CHECK:           arith.constant 0.99980001999866674 : f64
// CHECK:         neuro.ode @y method "exact"
// CHECK:           arith.constant -0.99980001999866674 : f64
// CHECK:           arith.constant -2.9996000333309958 : f64
neuro.network @Chains dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @c : "1"
    neuro.state @b : "1"
    neuro.state @a : "1"
    neuro.state @x : "1"
    neuro.state @y : "1"
    neuro.ode @b {
      %a = neuro.ref @a
      %b = neuro.ref @b
      %c = neuro.ref @c
      %k = arith.constant 1.000000e+02 : f64
      %s = arith.addf %a, %c : f64
      %d = arith.subf %s, %b : f64
      %r = arith.mulf %k, %d : f64
      neuro.yield %r : f64
    }
    neuro.ode @a {
      %a = neuro.ref @a
      %k = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %k, %a : f64
      neuro.yield %r : f64
    }
    neuro.ode @x {
      %y = neuro.ref @y
      %x = neuro.ref @x
      %d = arith.subf %y, %x : f64
      neuro.yield %d : f64
    }
    neuro.ode @y {
      %x = neuro.ref @x
      %y = neuro.ref @y
      %k = arith.constant -3.000000e+00 : f64
      %s = arith.mulf %k, %y : f64
      %r = arith.subf %s, %x : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// Equations that are not event-driven are integrated every step, with the
// states they read: x is read by the nonlinear ds/dt, so it is clock-driven
// too; the trace a stays event-driven. Everything nonlinear: RK4.
// CHECK-LABEL: neuro.network @ClockDriven
// CHECK:         neuro.decay @a rate(-5.000000e+01) offset(0.000000e+00)
// CHECK:         neuro.ode @x method "rk4"
// CHECK:         neuro.ode @s method "rk4"
neuro.network @ClockDriven dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @x : "1"
    neuro.state @s : "1"
    neuro.ode @a {
      %a = neuro.ref @a
      %k = arith.constant -5.000000e+01 : f64
      %r = arith.mulf %a, %k : f64
      neuro.yield %r : f64
    }
    neuro.ode @x {
      %x = neuro.ref @x
      %k = arith.constant -5.000000e+02 : f64
      %r = arith.mulf %x, %k : f64
      neuro.yield %r : f64
    }
    // ds/dt = x (1 - s) - s^2 v_post
    neuro.ode @s {
      %x = neuro.ref @x
      %s = neuro.ref @s
      %v = neuro.ref post @v
      %one = arith.constant 1.000000e+00 : f64
      %open = arith.subf %one, %s : f64
      %rise = arith.mulf %x, %open : f64
      %ss = arith.mulf %s, %s : f64
      %loss = arith.mulf %ss, %v : f64
      %r = arith.subf %rise, %loss : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// A weight with an equation (dw/dt = c d, d a modulator) is clock-driven,
// and so is the eligibility c it reads; each is linear in itself:
// exponential Euler.
// CHECK-LABEL: neuro.network @WeightEquation
// CHECK-NOT:     neuro.decay
// CHECK:         neuro.ode @c method "exponential_euler"
// CHECK:         neuro.ode @w method "exponential_euler"
neuro.network @WeightEquation dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @d : "1"
    neuro.init_const @d = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00)
      modulators {d = @P::@d} {
    neuro.weight @w : "1"
    neuro.state @c : "1"
    neuro.modulator @d : "1"
    neuro.ode @c {
      %c = neuro.ref @c
      %k = arith.constant -1.000000e+00 : f64
      %r = arith.mulf %c, %k : f64
      neuro.yield %r : f64
    }
    neuro.ode @w {
      %c = neuro.ref @c
      %d = neuro.ref @d
      %r = arith.mulf %c, %d : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// Linear in the states with a coefficient that differs per neuron (the row
// tau, constant during the run): exact with one propagator per neuron, so
// the equations stay, marked exact, for the kernels.
// CHECK-LABEL: neuro.network @PerNeuron
// CHECK-NOT:     neuro.propagate
// CHECK:         neuro.ode @v method "exact"
// CHECK:         neuro.ode @g method "exact"
// A row that follows a table in time is not a constant coefficient.
// CHECK-LABEL: neuro.network @Timed
// CHECK:         neuro.ode @v method "exponential_euler"
neuro.network @PerNeuron dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @g : "1"
    neuro.state @tau : "s" {neuro.constant}
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @g = 1.000000e+00
    neuro.init_uniform @tau = uniform(1.000000e-02, 2.000000e-02)
    // dv/dt = (g - v) / tau, dg/dt = -g / 5 ms
    neuro.ode @v {
      %g = neuro.ref @g
      %v = neuro.ref @v
      %d = arith.subf %g, %v : f64
      %tau = neuro.ref @tau
      %r = arith.divf %d, %tau : f64
      neuro.yield %r : f64
    }
    neuro.ode @g {
      %g = neuro.ref @g
      %k = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %g, %k : f64
      neuro.yield %r : f64
    }
  }
}

// -----

neuro.network @Timed dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @tau : "s"
    neuro.init_const @v = 0.000000e+00
    neuro.init_timed @tau every(10) values dense<[[1.0e-02], [2.0e-02]]> : tensor<2x1xf64>
    neuro.ode @v {
      %v = neuro.ref @v
      %tau = neuro.ref @tau
      %n = arith.negf %v : f64
      %r = arith.divf %n, %tau : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// A row without an equation that an event writes (k, kicked by the
// projection's on pre) multiplies a state of a coupled system: held over
// the step as a coefficient (Brian2's exact solution takes it so), the
// equations exact per neuron and k marked for the step to recompute the
// propagator when it changes. The row j that a reset writes but that is
// only added stays a variable of the propagator.
// CHECK-LABEL: neuro.network @Held
// CHECK:         neuro.state @k : "1" {neuro.held_coefficient}
// CHECK-NEXT:    neuro.state @j : "V"{{$}}
// CHECK:         neuro.ode @v method "exact"
// CHECK:         neuro.ode @x method "exact"
// Two such coefficients in separate products (a in dx, b in dv), one of
// them written by nothing but the host (a REPL's set): both held (the
// second was missed, the search stopping at the first product again).
// CHECK-LABEL: neuro.network @HeldTwo
// CHECK:         neuro.state @a : "1" {neuro.held_coefficient}
// CHECK-NEXT:    neuro.state @b : "1" {neuro.held_coefficient}
// CHECK:         neuro.ode @v method "exact"
// CHECK:         neuro.ode @x method "exact"
// Alone, dx/dt = -k x / tau is exact with exponential Euler: nothing held.
// CHECK-LABEL: neuro.network @HeldAlone
// CHECK:         neuro.state @k : "1"{{$}}
// CHECK:         neuro.ode @x method "exponential_euler"
neuro.network @Held dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @In size(1) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @x : "V"
    neuro.state @k : "1"
    neuro.state @j : "V"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @x = 1.000000e-03
    neuro.init_const @k = 1.000000e+00
    neuro.init_const @j = 0.000000e+00
    // dv/dt = (x + j - v) / 10 ms, dx/dt = -k x / 5 ms
    neuro.ode @v {
      %x = neuro.ref @x
      %j = neuro.ref @j
      %v = neuro.ref @v
      %s = arith.addf %x, %j : f64
      %d = arith.subf %s, %v : f64
      %c = arith.constant 1.000000e+02 : f64
      %r = arith.mulf %d, %c : f64
      neuro.yield %r : f64
    }
    neuro.ode @x {
      %k = neuro.ref @k
      %x = neuro.ref @x
      %p = arith.mulf %k, %x : f64
      %c = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %p, %c : f64
      neuro.yield %r : f64
    }
    neuro.threshold refractory(0.000000e+00) {
      %v = neuro.ref @v
      %c = arith.constant 1.000000e-01 : f64
      %r = arith.cmpf ogt, %v, %c : f64
      neuro.yield %r : i1
    }
    neuro.reset {
      %c = arith.constant 1.000000e-03 : f64
      neuro.assign @j = %c
      neuro.yield
    }
  }
  neuro.projection @In_to_P @In -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
    neuro.on_pre {
      %w = neuro.ref @w
      %k = neuro.ref post @k
      %s = arith.addf %k, %w : f64
      neuro.assign post @k = %s
      neuro.yield
    }
  }
}

// -----

neuro.network @HeldTwo dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @In size(1) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @P size(2) {
    neuro.state @v : "V"
    neuro.state @x : "V"
    neuro.state @a : "1"
    neuro.state @b : "1"
    neuro.init_const @v = 0.000000e+00
    neuro.init_const @x = 1.000000e-03
    neuro.init_const @a = 1.000000e+00
    neuro.init_const @b = 1.000000e+00
    // dv/dt = (x - b v) / 10 ms, dx/dt = -a x / 5 ms
    neuro.ode @v {
      %x = neuro.ref @x
      %b = neuro.ref @b
      %v = neuro.ref @v
      %bv = arith.mulf %b, %v : f64
      %d = arith.subf %x, %bv : f64
      %c = arith.constant 1.000000e+02 : f64
      %r = arith.mulf %d, %c : f64
      neuro.yield %r : f64
    }
    neuro.ode @x {
      %a = neuro.ref @a
      %x = neuro.ref @x
      %p = arith.mulf %a, %x : f64
      %c = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %p, %c : f64
      neuro.yield %r : f64
    }
  }
  neuro.projection @In_to_P @In -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
    neuro.on_pre {
      %w = neuro.ref @w
      %a = neuro.ref post @a
      %s = arith.addf %a, %w : f64
      neuro.assign post @a = %s
      neuro.yield
    }
  }
}

// -----

neuro.network @HeldAlone dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @In size(1) spike_times dense<[1.0e-03]> : tensor<1xf64> spike_indices [0] {
  }
  neuro.population @P size(2) {
    neuro.state @x : "V"
    neuro.state @k : "1"
    neuro.init_const @x = 1.000000e-03
    neuro.init_const @k = 1.000000e+00
    neuro.ode @x {
      %k = neuro.ref @k
      %x = neuro.ref @x
      %p = arith.mulf %k, %x : f64
      %c = arith.constant -2.000000e+02 : f64
      %r = arith.mulf %p, %c : f64
      neuro.yield %r : f64
    }
  }
  neuro.projection @In_to_P @In -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.init_const @w = 1.000000e+00
    neuro.on_pre {
      %w = neuro.ref @w
      %k = neuro.ref post @k
      %s = arith.addf %k, %w : f64
      neuro.assign post @k = %s
      neuro.yield
    }
  }
}

// -----

// A synapse's @method(...) arrives on its equations: the clock-driven ones
// all take it (x as well as s), the event-driven trace a is still solved
// between events.
// CHECK-LABEL: neuro.network @Requested
// CHECK:         neuro.decay @a rate(-5.000000e+01) offset(0.000000e+00)
// CHECK:         neuro.ode @x method "euler"
// CHECK:         neuro.ode @s method "euler"
neuro.network @Requested dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(2) {
    neuro.state @v : "1"
    neuro.init_const @v = 0.000000e+00
  }
  neuro.projection @P_to_P @P -> @P p(1.000000e+00) delay(0.000000e+00) {
    neuro.weight @w : "1"
    neuro.state @a : "1"
    neuro.state @x : "1"
    neuro.state @s : "1"
    neuro.ode @a method "euler" {
      %a = neuro.ref @a
      %k = arith.constant -5.000000e+01 : f64
      %r = arith.mulf %a, %k : f64
      neuro.yield %r : f64
    }
    neuro.ode @x method "euler" {
      %x = neuro.ref @x
      %k = arith.constant -5.000000e+02 : f64
      %r = arith.mulf %x, %k : f64
      neuro.yield %r : f64
    }
    neuro.ode @s method "euler" {
      %x = neuro.ref @x
      %s = neuro.ref @s
      %v = neuro.ref post @v
      %ss = arith.mulf %s, %s : f64
      %loss = arith.mulf %ss, %v : f64
      %r = arith.subf %x, %loss : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// States coupled in either direction share a propagator; independent
// groups get one each, in the order of their first state: x drives y
// (dx/dt = -x, dy/dt = x - y, 1/s), z decays alone (dz/dt = -2 z + 1), and
// w, without an equation and read by none, needs none. Row y of the first:
// [h e^{-h}, e^{-h} | 0] with h = dt = 1e-4; z's: [e^{-2h} | (1 - e^{-2h})
// / 2]. u has no equation either, but v reads it: they share a propagator.
// CHECK-LABEL: neuro.network @Parts
// CHECK:       neuro.propagate [@x, @y] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.99990000499983{{[0-9]*}}, 0.000000e+00, 0.000000e+00],
// CHECK-SAME:      [9.9990000499983{{[0-9]*}}E-5, 0.99990000499983{{[0-9]*}}, 0.000000e+00]]> : tensor<2x3xf64>
// CHECK-NEXT:  neuro.propagate [@z] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.99980001999866{{[0-9]*}}, 9.9990000666{{[0-9]*}}E-5]]> : tensor<1x2xf64>
// CHECK-NEXT:  neuro.propagate [@u, @v] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}1.000000e+00, 0.000000e+00, 0.000000e+00],
// CHECK-SAME:      [9.9995000166{{[0-9]*}}E-5, 0.99990000499983{{[0-9]*}}, 0.000000e+00]]> : tensor<2x3xf64>
// CHECK-NOT:   neuro.propagate
// CHECK-NOT:   neuro.ode
neuro.network @Parts dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    neuro.state @w : "1"
    neuro.state @z : "1"
    neuro.state @y : "1"
    neuro.state @u : "1"
    neuro.state @v : "1"
    neuro.ode @v {
      %u = neuro.ref @u
      %v = neuro.ref @v
      %d = arith.subf %u, %v : f64
      neuro.yield %d : f64
    }
    neuro.ode @y {
      %x = neuro.ref @x
      %y = neuro.ref @y
      %d = arith.subf %x, %y : f64
      neuro.yield %d : f64
    }
    neuro.ode @z {
      %z = neuro.ref @z
      %m = arith.constant -2.000000e+00 : f64
      %a = arith.mulf %m, %z : f64
      %one = arith.constant 1.000000e+00 : f64
      %d = arith.addf %a, %one : f64
      neuro.yield %d : f64
    }
    neuro.ode @x {
      %x = neuro.ref @x
      %n = arith.negf %x : f64
      neuro.yield %n : f64
    }
  }
}

// -----

// Brian2's euler with additive noise is Euler-Maruyama: the noise's
// coefficient reads no state; the other equation,
// without noise, gets the same method.
// CHECK-LABEL: neuro.network @EulerAdditive
// CHECK:       neuro.ode @v method "euler_maruyama" {
// CHECK:       neuro.ode @w method "euler_maruyama" {
neuro.network @EulerAdditive dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) method "euler" {
    neuro.state @v : "1"
    neuro.state @w : "1"
    neuro.ode @v {
      %v = neuro.ref @v
      %w = neuro.ref @w
      %s = arith.constant 2.000000e+00 : f64
      %xi = neuro.xi
      %n = arith.mulf %s, %xi : f64
      %vw = arith.mulf %v, %w : f64
      %d = arith.addf %vw, %n : f64
      neuro.yield %d : f64
    }
    neuro.ode @w {
      %v = neuro.ref @v
      neuro.yield %v : f64
    }
  }
}

// -----

// Functions of constants fold (sin, expm1, ...), and a select on a constant
// condition needs only its branch: exprel(0) of a parameter, select(0 ==
// 0, 1, expm1(0) / 0), is 1, not a division by zero. dx/dt = (exprel(0) +
// sin(0) - x) / tau, tau = 1 ms: exact, x' = e^{-0.1} x + 1 - e^{-0.1}.
// CHECK-LABEL: neuro.network @Folded
// CHECK:       neuro.propagate [@x] method "exact"
// CHECK-SAME:    matrix dense<{{\[\[}}0.90483741803595952, 0.0951625819640404{{[0-9]*}}]]> : tensor<1x2xf64>
// CHECK-NOT:   neuro.ode
neuro.network @Folded dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    neuro.init_const @x = 0.000000e+00
    neuro.ode @x {
      %zero = arith.constant 0.000000e+00 : f64
      %one = arith.constant 1.000000e+00 : f64
      %e = math.expm1 %zero : f64
      %q = arith.divf %e, %zero : f64
      %is0 = arith.cmpf oeq, %zero, %zero : f64
      %exprel = arith.select %is0, %one, %q : f64
      %s = math.sin %zero : f64
      %a = arith.addf %exprel, %s : f64
      %x = neuro.ref @x
      %d = arith.subf %a, %x : f64
      %tau = arith.constant 1.000000e-03 : f64
      %r = arith.divf %d, %tau : f64
      neuro.yield %r : f64
    }
  }
}

// -----

// The branch a constant condition chooses is nonlinear (-x^2 / tau), the
// other divides by a zero parameter: no division-by-zero error (it was
// reported though the branch is never taken), the numerical method for
// the nonlinear equation.
// CHECK-LABEL: neuro.network @ChosenNonlinear
// CHECK:       neuro.ode @x method "rk4"
neuro.network @ChosenNonlinear dt(1.000000e-04) duration(1.000000e+00) seed(0) {
  neuro.population @P size(1) {
    neuro.state @x : "1"
    neuro.init_const @x = 1.000000e+00
    neuro.ode @x {
      %zero = arith.constant 0.000000e+00 : f64
      %p = arith.constant -1.000000e+00 : f64
      %x = neuro.ref @x
      %n = arith.negf %x : f64
      %q = arith.divf %n, %zero : f64
      %xx = arith.mulf %n, %x : f64
      %tau = arith.constant 1.000000e-02 : f64
      %s = arith.divf %xx, %tau : f64
      %pos = arith.cmpf ogt, %p, %zero : f64
      %r = arith.select %pos, %q, %s : f64
      neuro.yield %r : f64
    }
  }
}
