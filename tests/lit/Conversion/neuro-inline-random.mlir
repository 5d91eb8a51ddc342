// RUN: neuro-opt %s --neuro-inline-random | FileCheck %s

// Calls of the runtime's random functions become the computation itself
// (Philox4x32-10, 53-bit uniforms, Box-Muller with log and cos of Neuro's
// own); the declarations go once unused.
// CHECK-NOT:   func.func private @neuro_rt_uniform
// CHECK-NOT:   func.func private @neuro_rt_normal
// CHECK-LABEL: func.func @draws(
// CHECK-SAME:    %[[SEED:.*]]: i64, %[[I:.*]]: i64, %[[K:.*]]: i64)
// CHECK-NOT:     func.call
// The uniform: ten Philox rounds, the block's words 0-1 or 2-3 by the
// draw's parity, the top 53 bits times 2^-53.
// CHECK-COUNT-20: arith.mului_extended
// CHECK:         arith.uitofp %{{.*}} : i64 to f64
// CHECK:         arith.constant 1.1102230246251565E-16 : f64
// CHECK:         %[[U:.*]] = arith.select
// The normal: draws 2k and 2k + 1, the halves of one Philox block (ten
// rounds), then Box-Muller.
// CHECK-COUNT-20: arith.mului_extended
// CHECK-NOT:     arith.mului_extended
// CHECK:         arith.divf
// CHECK:         math.sqrt
// CHECK:         math.roundeven
// CHECK:         return %[[U]], %{{.*}} : f64, f64
func.func private @neuro_rt_uniform(i64, i32, i64, i64) -> f64
func.func private @neuro_rt_normal(i64, i32, i64, i64) -> f64
func.func @draws(%seed: i64, %i: i64, %k: i64) -> (f64, f64) {
  %c3 = arith.constant 3 : i32
  %u = func.call @neuro_rt_uniform(%seed, %c3, %i, %k) : (i64, i32, i64, i64) -> f64
  %g = func.call @neuro_rt_normal(%seed, %c3, %i, %k) : (i64, i32, i64, i64) -> f64
  return %u, %g : f64, f64
}

// Other calls stay.
// CHECK-LABEL: func.func @other(
// CHECK:         call @neuro_rt_expm
func.func private @neuro_rt_expm(memref<?x?xf64>, memref<?x?xf64>)
func.func @other(%a: memref<?x?xf64>) {
  func.call @neuro_rt_expm(%a, %a) : (memref<?x?xf64>, memref<?x?xf64>) -> ()
  return
}
