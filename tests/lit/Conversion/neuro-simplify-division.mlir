// RUN: neuro-opt %s --neuro-simplify-division | FileCheck %s

// A division by a constant becomes a multiplication by its reciprocal,
// rounded to the element type: 1/1e-3 rounds to 1000 in f64, 1/3 to
// 0.33333333333333331 (f64) and 0.333333343 (f32); by 4, 0.25 exactly.
// CHECK-LABEL: func.func @constants(
// CHECK-SAME:    %[[X:.*]]: f64, %[[Y:.*]]: f32, %[[V:.*]]: vector<8xf64>
// CHECK-NOT:     arith.divf
// CHECK:         %[[MS:.*]] = arith.constant 1.000000e+03 : f64
// CHECK:         %[[A:.*]] = arith.mulf %[[X]], %[[MS]] : f64
// CHECK:         %[[THIRD:.*]] = arith.constant 0.33333333333333331 : f64
// CHECK:         %[[B:.*]] = arith.mulf %[[X]], %[[THIRD]] : f64
// CHECK:         %[[THIRD32:.*]] = arith.constant 0.333333343 : f32
// CHECK:         %[[C:.*]] = arith.mulf %[[Y]], %[[THIRD32]] : f32
// CHECK:         %[[QUARTER:.*]] = arith.constant dense<2.500000e-01> : vector<8xf64>
// CHECK:         %[[D:.*]] = arith.mulf %[[V]], %[[QUARTER]] : vector<8xf64>
// CHECK:         return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @constants(%x: f64, %y: f32, %v: vector<8xf64>)
    -> (f64, f64, f32, vector<8xf64>) {
  %ms = arith.constant 1.0e-3 : f64
  %three = arith.constant 3.0 : f64
  %three32 = arith.constant 3.0 : f32
  %four = arith.constant dense<4.0> : vector<8xf64>
  %a = arith.divf %x, %ms : f64
  %b = arith.divf %x, %three : f64
  %c = arith.divf %y, %three32 : f32
  %d = arith.divf %v, %four : vector<8xf64>
  return %a, %b, %c, %d : f64, f64, f32, vector<8xf64>
}

// Divisions by a variable, by 0, infinity or NaN, and by constants whose
// reciprocal is not a normal number (1e-310 is subnormal; 1/1e308 is
// subnormal) stay divisions, as does a vector whose lanes differ.
// CHECK-LABEL: func.func @kept(
// CHECK-NOT:     arith.mulf
// CHECK-COUNT-6: arith.divf
// CHECK-NOT:     arith.mulf
// CHECK:         return
func.func @kept(%x: f64, %y: f64, %v: vector<2xf64>)
    -> (f64, f64, f64, f64, f64, vector<2xf64>) {
  %zero = arith.constant 0.0 : f64
  %inf = arith.constant 0x7FF0000000000000 : f64
  %tiny = arith.constant 1.0e-310 : f64
  %huge = arith.constant 1.0e308 : f64
  %mixed = arith.constant dense<[2.0, 3.0]> : vector<2xf64>
  %a = arith.divf %x, %y : f64
  %b = arith.divf %x, %zero : f64
  %c = arith.divf %x, %inf : f64
  %d = arith.divf %x, %tiny : f64
  %e = arith.divf %x, %huge : f64
  %f = arith.divf %v, %mixed : vector<2xf64>
  return %a, %b, %c, %d, %e, %f : f64, f64, f64, f64, f64, vector<2xf64>
}

// A division by a quotient is one division: a / (b / c) = (a c) / b; a
// division by exprel's select of 1 and expm1(x) / x keeps a where x is 0.
// CHECK-LABEL: func.func @quotients(
// CHECK-SAME:    %[[A:[^:]*]]: f64, %[[B:[^:]*]]: f64, %[[C:[^:]*]]: f64, %[[X:[^:]*]]: vector<8xf64>
// CHECK:         %[[AC:.*]] = arith.mulf %[[A]], %[[C]] : f64
// CHECK:         %[[Q:.*]] = arith.divf %[[AC]], %[[B]] : f64
// CHECK:         %[[E:.*]] = math.expm1 %[[X]] : vector<8xf64>
// CHECK:         %[[ZERO:.*]] = arith.cmpf oeq, %[[X]], %{{.*}} : vector<8xf64>
// CHECK:         %[[FOUR:.*]] = arith.constant dense<4.000000e+00> : vector<8xf64>
// CHECK:         %[[FX:.*]] = arith.mulf %[[FOUR]], %[[X]] : vector<8xf64>
// CHECK:         %[[R:.*]] = arith.divf %[[FX]], %[[E]] : vector<8xf64>
// CHECK:         %[[S:.*]] = arith.select %[[ZERO]], %[[FOUR]], %[[R]] : vector<8xi1>, vector<8xf64>
// CHECK-NOT:     arith.divf
// CHECK:         return %[[Q]], %[[S]]
func.func @quotients(%a: f64, %b: f64, %c: f64, %x: vector<8xf64>)
    -> (f64, vector<8xf64>) {
  %bc = arith.divf %b, %c : f64
  %q = arith.divf %a, %bc : f64
  %e = math.expm1 %x : vector<8xf64>
  %ex = arith.divf %e, %x : vector<8xf64>
  %zero = arith.constant dense<0.0> : vector<8xf64>
  %one = arith.constant dense<1.0> : vector<8xf64>
  %isZero = arith.cmpf oeq, %x, %zero : vector<8xf64>
  %exprel = arith.select %isZero, %one, %ex : vector<8xi1>, vector<8xf64>
  %four = arith.constant dense<4.0> : vector<8xf64>
  %r = arith.divf %four, %exprel : vector<8xf64>
  return %q, %r : f64, vector<8xf64>
}

// A quotient read elsewhere too, and a select whose other value is not 1,
// keep their divisions.
// CHECK-LABEL: func.func @quotients_kept(
// CHECK-COUNT-4: arith.divf
// CHECK-NOT:     arith.divf
// CHECK:         return
func.func @quotients_kept(%a: f64, %b: f64, %c: f64, %k: i1)
    -> (f64, f64, f64) {
  %bc = arith.divf %b, %c : f64
  %q = arith.divf %a, %bc : f64
  %two = arith.constant 2.0 : f64
  %ab = arith.divf %a, %b : f64
  %s = arith.select %k, %two, %ab : f64
  %r = arith.divf %c, %s : f64
  return %q, %bc, %r : f64, f64, f64
}

// A quotient rounded to a whole number or compared keeps its division:
// 49 * RN(1/49) is below 1, so floor(49 / 49) would be 0.
// CHECK-LABEL: func.func @rounded(
// CHECK-NOT:     arith.mulf
// CHECK-COUNT-4: arith.divf
// CHECK-NOT:     arith.mulf
// CHECK:         return
func.func @rounded(%x: f64) -> (f64, i1, i64, f64) {
  %c49 = arith.constant 49.0 : f64
  %c3 = arith.constant 3.0 : f64
  %a = arith.divf %x, %c49 : f64
  %f = math.floor %a : f64
  %b = arith.divf %x, %c49 : f64
  %k = arith.cmpf oge, %b, %c3 : f64
  %c = arith.divf %x, %c49 : f64
  %n = arith.fptosi %c : f64 to i64
  %d = arith.divf %x, %c49 : f64
  %t = math.trunc %d : f64
  return %f, %k, %n, %t : f64, i1, i64, f64
}

// The walk from a rounding or a comparison goes back through arithmetic:
// floor(2 * (x / 49)) keeps its division. A comparison with 0 does not
// (the product is 0, or negative, exactly when the quotient is), nor does
// a value stored into a row (a spike condition on the new state).
// CHECK-LABEL: func.func @traced(
// CHECK:         %[[Q:.*]] = arith.divf %{{.*}}, %{{.*}} : f64
// CHECK:         arith.mulf %{{.*}}, %[[Q]] : f64
// CHECK:         math.floor
// CHECK:         arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:         arith.cmpf olt
// CHECK:         %[[N:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK:         memref.store %[[N]]
// CHECK:         arith.cmpf ogt, %[[N]]
// CHECK-NOT:     arith.divf
// CHECK:         return
func.func @traced(%x: f64, %s: memref<?xf64>) -> (f64, i1, i1) {
  %c49 = arith.constant 49.0 : f64
  %two = arith.constant 2.0 : f64
  %zero = arith.constant 0.0 : f64
  %c0 = arith.constant 0 : index
  %q = arith.divf %x, %c49 : f64
  %d = arith.mulf %two, %q : f64
  %f = math.floor %d : f64
  %z = arith.divf %x, %c49 : f64
  %neg = arith.cmpf olt, %z, %zero : f64
  %n = arith.divf %x, %c49 : f64
  memref.store %n, %s[%c0] : memref<?xf64>
  %spike = arith.cmpf ogt, %n, %two : f64
  return %f, %neg, %spike : f64, i1, i1
}
