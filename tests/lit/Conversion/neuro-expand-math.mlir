// RUN: neuro-opt %s --neuro-expand-math | FileCheck %s

// exp: NaN kept aside, clamp, n = x log2e rounded to an integer by adding
// 1.5 2^52 in one FMA (the sum minus 1.5 2^52 is n, its bits minus those of
// 1.5 2^52 are n as an integer), Cody-Waite reduction (x - n ln2_hi - n
// ln2_lo in two FMAs), the polynomial q = 1/2! + r q' with q' = 1/3! + r/4!
// + ... + r^10/13! by Estrin's scheme (pairs a_2j + a_2j+1 r, then pairs in
// r^2, r^4 and r^8: four FMAs deep), r + r^2 q, 1 + p, times 2^(n/2) twice.
// CHECK-LABEL: func.func @exp_vector(
// CHECK-SAME:    %[[X:.*]]: vector<4xf64>
// CHECK-NOT:     math.exp
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : vector<4xf64>
// CHECK:         %[[XS:.*]] = arith.select %[[NAN]], %{{.*}}, %[[X]]
// CHECK:         arith.maximumf %[[XS]], %{{.*}} : vector<4xf64>
// CHECK:         %[[XC:.*]] = arith.minimumf
// CHECK:         %[[LOG2E:.*]] = arith.constant dense<1.4426950408889634> : vector<4xf64>
// CHECK:         %[[SHIFTER:.*]] = arith.constant dense<0x4338000000000000> : vector<4xf64>
// CHECK:         %[[SHIFTED:.*]] = math.fma %[[XC]], %[[LOG2E]], %[[SHIFTER]] : vector<4xf64>
// CHECK:         %[[N:.*]] = arith.subf %[[SHIFTED]], %[[SHIFTER]] : vector<4xf64>
// CHECK:         %[[BITS:.*]] = arith.bitcast %[[SHIFTED]] : vector<4xf64> to vector<4xi64>
// CHECK:         %[[SBITS:.*]] = arith.constant dense<4843621399236968448> : vector<4xi64>
// CHECK:         %[[NI:.*]] = arith.subi %[[BITS]], %[[SBITS]] : vector<4xi64>
// CHECK:         %[[HI:.*]] = arith.constant dense<-0.69314718036912382> : vector<4xf64>
// CHECK:         %[[RHI:.*]] = math.fma %[[N]], %[[HI]], %[[XC]] : vector<4xf64>
// CHECK:         %[[LO:.*]] = arith.constant dense<-1.9082149292705877E-10> : vector<4xf64>
// CHECK:         %[[R:.*]] = math.fma %[[N]], %[[LO]], %[[RHI]] : vector<4xf64>
// CHECK:         %[[A1:.*]] = arith.constant dense<0.16666666666666666> : vector<4xf64>
// CHECK:         %[[A2:.*]] = arith.constant dense<0.041666666666666664> : vector<4xf64>
// CHECK:         %[[A3:.*]] = arith.constant dense<0.0083333333333333332> : vector<4xf64>
// CHECK-COUNT-6: arith.constant
// CHECK:         %[[A10:.*]] = arith.constant dense<2.08767569878681E-9> : vector<4xf64>
// CHECK:         %[[A11:.*]] = arith.constant dense<1.6059043836821613E-10> : vector<4xf64>
// CHECK:         %[[HALF:.*]] = arith.constant dense<5.000000e-01> : vector<4xf64>
// CHECK:         %[[R2:.*]] = arith.mulf %[[R]], %[[R]] : vector<4xf64>
// CHECK:         %[[B0:.*]] = math.fma %[[A2]], %[[R]], %[[A1]] : vector<4xf64>
// CHECK:         %[[B1:.*]] = math.fma %{{.*}}, %[[R]], %[[A3]] : vector<4xf64>
// CHECK:         %[[B2:.*]] = math.fma %{{.*}}, %[[R]], %{{.*}} : vector<4xf64>
// CHECK:         %[[B3:.*]] = math.fma %{{.*}}, %[[R]], %{{.*}} : vector<4xf64>
// CHECK:         %[[B4:.*]] = math.fma %[[A10]], %[[R]], %{{.*}} : vector<4xf64>
// CHECK:         %[[C0:.*]] = math.fma %[[B1]], %[[R2]], %[[B0]] : vector<4xf64>
// CHECK:         %[[C1:.*]] = math.fma %[[B3]], %[[R2]], %[[B2]] : vector<4xf64>
// CHECK:         %[[C2:.*]] = math.fma %[[A11]], %[[R2]], %[[B4]] : vector<4xf64>
// CHECK:         %[[R4:.*]] = arith.mulf %[[R2]], %[[R2]] : vector<4xf64>
// CHECK:         %[[D0:.*]] = math.fma %[[C1]], %[[R4]], %[[C0]] : vector<4xf64>
// CHECK:         %[[R8:.*]] = arith.mulf %[[R4]], %[[R4]] : vector<4xf64>
// CHECK:         %[[QP:.*]] = math.fma %[[C2]], %[[R8]], %[[D0]] : vector<4xf64>
// CHECK:         %[[Q:.*]] = math.fma %[[QP]], %[[R]], %[[HALF]] : vector<4xf64>
// CHECK:         %[[P:.*]] = math.fma %[[R2]], %[[Q]], %[[R]] : vector<4xf64>
// CHECK:         arith.addf %{{.*}}, %[[P]] : vector<4xf64>
// CHECK:         %[[N1:.*]] = arith.shrsi %[[NI]], %{{.*}} : vector<4xi64>
// CHECK:         %[[N2:.*]] = arith.subi %[[NI]], %[[N1]] : vector<4xi64>
// CHECK:         arith.shli {{.*}} : vector<4xi64>
// CHECK:         arith.bitcast {{.*}} : vector<4xi64> to vector<4xf64>
// CHECK:         %[[R:.*]] = arith.select %[[NAN]], %[[X]], %{{.*}} : vector<4xi1>, vector<4xf64>
// CHECK:         return %[[R]]
func.func @exp_vector(%x: vector<4xf64>) -> vector<4xf64> {
  %e = math.exp %x : vector<4xf64>
  return %e : vector<4xf64>
}

// expm1: 2^n p + (2^n - 1), or exp(x) where n > 53.
// CHECK-LABEL: func.func @expm1_scalar(
// CHECK-NOT:     math.expm1
// CHECK:         %[[N:.*]] = arith.subf %{{.*}}, %{{.*}} : f64
// CHECK:         %[[C53:.*]] = arith.constant 5.300000e+01 : f64
// CHECK:         %[[BIG:.*]] = arith.cmpf ogt, %[[N]], %[[C53]] : f64
// CHECK:         arith.select %[[BIG]]
// CHECK:         return
func.func @expm1_scalar(%x: f64) -> f64 {
  %e = math.expm1 %x : f64
  return %e : f64
}

// log1p: x log(u) / (u - 1), u = 1 + x; x where u == 1, log(u) where u is
// infinite.
// CHECK-LABEL: func.func @log1p_scalar(
// CHECK-SAME:    %[[X:.*]]: f64
// CHECK-NOT:     math.log1p
// CHECK:         %[[U:.*]] = arith.addf %{{.*}}, %[[X]] : f64
// CHECK:         %[[L:.*]] = math.log %[[U]] : f64
// CHECK:         %[[LX:.*]] = arith.mulf %[[L]], %[[X]] : f64
// CHECK:         %[[D:.*]] = arith.subf %[[U]], %{{.*}} : f64
// CHECK:         %[[Q:.*]] = arith.divf %[[LX]], %[[D]] : f64
// CHECK:         %[[ONE:.*]] = arith.cmpf oeq, %[[U]], %{{.*}} : f64
// CHECK:         %[[INF:.*]] = arith.cmpf oeq, %[[U]], %{{.*}} : f64
// CHECK:         %[[R:.*]] = arith.select %[[INF]], %[[L]], %[[Q]] : f64
// CHECK:         %[[S:.*]] = arith.select %[[ONE]], %[[X]], %[[R]] : f64
// CHECK:         return %[[S]]
func.func @log1p_scalar(%x: f64) -> f64 {
  %l = math.log1p %x : f64
  return %l : f64
}

// f32 (single precision): the same steps with f32 bounds, ln2 split for
// an exact n ln2_hi in f32, the polynomial up to 1/7! and the exponent
// built in i32 (bias 127, 23 fraction bits).
// CHECK-LABEL: func.func @exp_f32(
// CHECK-SAME:    %[[X:.*]]: vector<16xf32>
// CHECK-NOT:     math.exp
// CHECK:         arith.constant dense<-1.040000e+02> : vector<16xf32>
// CHECK:         arith.constant dense<8.880000e+01> : vector<16xf32>
// CHECK:         arith.constant dense<0x4B400000> : vector<16xf32>
// CHECK:         arith.bitcast %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK:         %[[SBITS:.*]] = arith.constant dense<1262485504> : vector<16xi32>
// CHECK:         %[[NI:.*]] = arith.subi %{{.*}}, %[[SBITS]] : vector<16xi32>
// CHECK:         arith.constant dense<-0.693145751> : vector<16xf32>
// CHECK:         arith.constant dense<-1.42860677E-6> : vector<16xf32>
// CHECK:         arith.constant dense<0.166666672> : vector<16xf32>
// CHECK:         arith.constant dense<1.98412701E-4> : vector<16xf32>
// CHECK-NOT:     dense<2.48015876E-5>
// CHECK:         arith.constant dense<5.000000e-01> : vector<16xf32>
// CHECK:         math.fma
// CHECK:         arith.shrsi %[[NI]], %{{.*}} : vector<16xi32>
// CHECK:         arith.constant dense<127> : vector<16xi32>
// CHECK:         arith.constant dense<23> : vector<16xi32>
// CHECK:         arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK:         return
func.func @exp_f32(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.exp %x : vector<16xf32>
  return %e : vector<16xf32>
}

// expm1 in f32: exp(x) itself where n > 24.
// CHECK-LABEL: func.func @expm1_f32(
// CHECK-NOT:     math.expm1
// CHECK:         arith.constant -3.000000e+01 : f32
// CHECK:         %[[N:.*]] = arith.subf %{{.*}}, %{{.*}} : f32
// CHECK:         %[[C24:.*]] = arith.constant 2.400000e+01 : f32
// CHECK:         %[[BIG:.*]] = arith.cmpf ogt, %[[N]], %[[C24]] : f32
// CHECK:         arith.select %[[BIG]]
func.func @expm1_f32(%x: f32) -> f32 {
  %e = math.expm1 %x : f32
  return %e : f32
}

// Other float types are left to the default lowering.
// CHECK-LABEL: func.func @exp_f16(
// CHECK:         math.exp %{{.*}} : f16
func.func @exp_f16(%x: f16) -> f16 {
  %e = math.exp %x : f16
  return %e : f16
}
