// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// Elementwise ops become one all-parallel linalg.generic with identity maps
// and the op's scalar rule as payload; f16 / bf16 float math runs in f32.

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @add_f32(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[EMPTY]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @add_f32(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ember.add %x, %y : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @add_i32(
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[A]], %[[B]] : i32
// CHECK-NEXT: linalg.yield %[[S]] : i32
func.func @add_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = ember.add %x, %y : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// f16 is extended to f32, computed, and rounded once.
// CHECK-LABEL: func.func @add_f16(
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<4xf16>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[WA:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[WB:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[WA]], %[[WB]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[S]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
// CHECK: -> tensor<4xf16>
func.func @add_f16(%x: tensor<4xf16>, %y: tensor<4xf16>) -> tensor<4xf16> {
  %0 = ember.add %x, %y : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @mul_bf16(
// CHECK: ^bb0(%[[A:.*]]: bf16, %[[B:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT: %[[WA:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT: %[[WB:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[WA]], %[[WB]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[P]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[T]] : bf16
func.func @mul_bf16(%x: tensor<4xbf16>, %y: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = ember.mul %x, %y : tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// f64 is computed as is.
// CHECK-LABEL: func.func @sub_f64(
// CHECK: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[A]], %[[B]] : f64
// CHECK-NEXT: linalg.yield %[[D]] : f64
func.func @sub_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = ember.sub %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @int_binary(
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.subi %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.muli %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
// Integer division never traps: a zero divisor gives 0, -1 negates.
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[M1:.*]] = arith.constant -1 : i64
// CHECK-DAG: %[[ISZ:.*]] = arith.cmpi eq, %[[B]], %[[ZERO]] : i64
// CHECK-DAG: %[[ISM1:.*]] = arith.cmpi eq, %[[B]], %[[M1]] : i64
// CHECK: %[[SPECIAL:.*]] = arith.ori %[[ISZ]], %[[ISM1]] : i1
// CHECK: %[[SAFE:.*]] = arith.select %[[SPECIAL]], %[[ONE]], %[[B]] : i64
// CHECK: %[[Q:.*]] = arith.divsi %[[A]], %[[SAFE]] : i64
// CHECK: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[A]] : i64
// CHECK: %[[Q1:.*]] = arith.select %[[ISM1]], %[[NEG]], %[[Q]] : i64
// CHECK: %[[R:.*]] = arith.select %[[ISZ]], %[[ZERO]], %[[Q1]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = math.ipowi %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.maxsi %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: i64, %[[B:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.minsi %[[A]], %[[B]] : i64
// CHECK-NEXT: linalg.yield %[[R]]
func.func @int_binary(%x: tensor<4xi64>, %y: tensor<4xi64>) -> tensor<4xi64> {
  %0 = ember.sub %x, %y : tensor<4xi64>
  %1 = ember.mul %0, %y : tensor<4xi64>
  %2 = ember.div %1, %y : tensor<4xi64>
  %3 = ember.pow %2, %y : tensor<4xi64>
  %4 = ember.maximum %3, %y : tensor<4xi64>
  %5 = ember.minimum %4, %y : tensor<4xi64>
  return %5 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @float_binary(
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.powf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.minimumf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @float_binary(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.div %x, %y : tensor<4xf32>
  %1 = ember.pow %0, %y : tensor<4xf32>
  %2 = ember.maximum %1, %y : tensor<4xf32>
  %3 = ember.minimum %2, %y : tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow_f16(
// CHECK: ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[WA:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[WB:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT: %[[P:.*]] = math.powf %[[WA]], %[[WB]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[P]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
func.func @pow_f16(%x: tensor<4xf16>, %y: tensor<4xf16>) -> tensor<4xf16> {
  %0 = ember.pow %x, %y : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Unary float math: one math op each.
// CHECK-LABEL: func.func @float_unary(
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.exp %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.log %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.log1p %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.sqrt %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.rsqrt %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.tanh %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.erf %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.sin %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.cos %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.floor %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.absf %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.negf %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
func.func @float_unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.exp %x : tensor<4xf32>
  %1 = ember.log %0 : tensor<4xf32>
  %2 = ember.log1p %1 : tensor<4xf32>
  %3 = ember.sqrt %2 : tensor<4xf32>
  %4 = ember.rsqrt %3 : tensor<4xf32>
  %5 = ember.tanh %4 : tensor<4xf32>
  %6 = ember.erf %5 : tensor<4xf32>
  %7 = ember.sin %6 : tensor<4xf32>
  %8 = ember.cos %7 : tensor<4xf32>
  %9 = ember.floor %8 : tensor<4xf32>
  %10 = ember.abs %9 : tensor<4xf32>
  %11 = ember.neg %10 : tensor<4xf32>
  return %11 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @erf_f16(
// CHECK: ^bb0(%[[A:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[E:.*]] = math.erf %[[W]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
func.func @erf_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = ember.erf %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @exp_f64(
// CHECK: ^bb0(%[[A:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[E:.*]] = math.exp %[[A]] : f64
// CHECK-NEXT: linalg.yield %[[E]] : f64
func.func @exp_f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = ember.exp %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// sigmoid(x) = 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @sigmoid_f32(
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = arith.negf %[[A]] : f32
// CHECK: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT: linalg.yield %[[Q]] : f32
func.func @sigmoid_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sigmoid_bf16(
// CHECK: ^bb0(%[[A:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = arith.negf %[[W]] : f32
// CHECK: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[Q]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[T]] : bf16
func.func @sigmoid_bf16(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = ember.sigmoid %x : tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Integer neg is 0 - x; abs is math.absi.
// CHECK-LABEL: func.func @int_unary(
// CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[R:.*]] = arith.subi %[[Z]], %[[A]] : i32
// CHECK-NEXT: linalg.yield %[[R]] : i32
// CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[R:.*]] = math.absi %[[A]] : i32
// CHECK-NEXT: linalg.yield %[[R]] : i32
func.func @int_unary(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = ember.neg %x : tensor<4xi32>
  %1 = ember.abs %0 : tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// sign(x) = x > 0 ? 1 : (x < 0 ? -1 : 0); NaN gives 0 as in torch.sign, so
// the input must not pass through the inner select.
// CHECK-LABEL: func.func @sign_f32(
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-DAG: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[Z]] : f32
// CHECK-DAG: %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[Z]] : f32
// CHECK-DAG: %[[M1:.*]] = arith.constant -1.000000e+00 : f32
// CHECK-DAG: %[[P1:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[NEG:.*]] = arith.select %[[LT]], %[[M1]], %[[Z]] : f32
// CHECK: %[[R:.*]] = arith.select %[[GT]], %[[P1]], %[[NEG]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sign_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.sign %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integers: signed compares (for them `x` and `0` agree when neither
// compare holds).
// CHECK-LABEL: func.func @sign_i8(
// CHECK: ^bb0(%[[A:.*]]: i8, %{{.*}}: i8):
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : i8
// CHECK-DAG: %[[GT:.*]] = arith.cmpi sgt, %[[A]], %[[Z]] : i8
// CHECK-DAG: %[[LT:.*]] = arith.cmpi slt, %[[A]], %[[Z]] : i8
// CHECK-DAG: %[[M1:.*]] = arith.constant -1 : i8
// CHECK-DAG: %[[P1:.*]] = arith.constant 1 : i8
// CHECK-DAG: %[[NEG:.*]] = arith.select %[[LT]], %[[M1]], %{{.*}} : i8
// CHECK: %[[R:.*]] = arith.select %[[GT]], %[[P1]], %[[NEG]] : i8
// CHECK-NEXT: linalg.yield %[[R]] : i8
func.func @sign_i8(%x: tensor<4xi8>) -> tensor<4xi8> {
  %0 = ember.sign %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Float compares are ordered except ne, which is une (true for NaN).
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @compare_f32(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4xi1>
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[X]], %[[Y]] : tensor<4xf32>, tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xi1>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: i1):
// CHECK-NEXT: %[[R:.*]] = arith.cmpf oeq, %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : i1
// CHECK: -> tensor<4xi1>
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf ole, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
func.func @compare_f32(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = ember.eq %x, %y : tensor<4xf32>
  %1 = ember.ne %x, %y : tensor<4xf32>
  %2 = ember.lt %x, %y : tensor<4xf32>
  %3 = ember.le %x, %y : tensor<4xf32>
  %4 = ember.gt %x, %y : tensor<4xf32>
  %5 = ember.ge %x, %y : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// f16 compares extend both sides to f32 and give i1 (no truncf).
// CHECK-LABEL: func.func @ne_f16(
// CHECK: ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %{{.*}}: i1):
// CHECK-NEXT: %[[WA:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[WB:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT: %[[R:.*]] = arith.cmpf une, %[[WA]], %[[WB]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : i1
func.func @ne_f16(%x: tensor<4xf16>, %y: tensor<4xf16>) -> tensor<4xi1> {
  %0 = ember.ne %x, %y : tensor<4xf16>
  return %0 : tensor<4xi1>
}

// -----

// Integers compare as signed.
// CHECK-LABEL: func.func @compare_i32(
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i1):
// CHECK-NEXT: arith.cmpi eq, %[[A]], %[[B]] : i32
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i32
// CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : i32
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i32
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i32
func.func @compare_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = ember.eq %x, %y : tensor<4xi32>
  %1 = ember.ne %x, %y : tensor<4xi32>
  %2 = ember.lt %x, %y : tensor<4xi32>
  %3 = ember.le %x, %y : tensor<4xi32>
  %4 = ember.gt %x, %y : tensor<4xi32>
  %5 = ember.ge %x, %y : tensor<4xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// i1 compares as unsigned (false < true).
// CHECK-LABEL: func.func @compare_i1(
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: %[[R:.*]] = arith.cmpi ult, %[[A]], %[[B]] : i1
// CHECK-NEXT: linalg.yield %[[R]] : i1
// CHECK: arith.cmpi ule, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi uge, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i1
func.func @compare_i1(%x: tensor<4xi1>, %y: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = ember.lt %x, %y : tensor<4xi1>
  %1 = ember.le %x, %y : tensor<4xi1>
  %2 = ember.gt %x, %y : tensor<4xi1>
  %3 = ember.ge %x, %y : tensor<4xi1>
  %4 = ember.eq %x, %y : tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @logical(
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: %[[R:.*]] = arith.andi %[[A]], %[[B]] : i1
// CHECK-NEXT: linalg.yield %[[R]] : i1
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: %[[R:.*]] = arith.ori %[[A]], %[[B]] : i1
// CHECK-NEXT: linalg.yield %[[R]] : i1
// CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: %[[T:.*]] = arith.constant true
// CHECK-NEXT: %[[R:.*]] = arith.xori %[[A]], %[[T]] : i1
// CHECK-NEXT: linalg.yield %[[R]] : i1
func.func @logical(%x: tensor<4xi1>, %y: tensor<4xi1>) -> tensor<4xi1> {
  %0 = ember.logical_and %x, %y : tensor<4xi1>
  %1 = ember.logical_or %0, %y : tensor<4xi1>
  %2 = ember.logical_not %1 : tensor<4xi1>
  return %2 : tensor<4xi1>
}

// -----

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @select(
// CHECK-SAME: %[[C:.*]]: tensor<2x3xi1>, %[[X:.*]]: tensor<2x3xf16>, %[[Y:.*]]: tensor<2x3xf16>
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]], #[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[C]], %[[X]], %[[Y]] : tensor<2x3xi1>, tensor<2x3xf16>, tensor<2x3xf16>)
// CHECK-NEXT: ^bb0(%[[P:.*]]: i1, %[[A:.*]]: f16, %[[B:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[R:.*]] = arith.select %[[P]], %[[A]], %[[B]] : f16
// CHECK-NEXT: linalg.yield %[[R]] : f16
func.func @select(%c: tensor<2x3xi1>, %x: tensor<2x3xf16>, %y: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = ember.select %c, %x, %y : tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// Rank 0: a generic with no loops.
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @add_rank0(
// CHECK: linalg.generic {indexing_maps = [#[[$SCALAR]], #[[$SCALAR]], #[[$SCALAR]]], iterator_types = []}
// CHECK: arith.addf
// CHECK: -> tensor<f32>
func.func @add_rank0(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %0 = ember.add %x, %y : tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

// -----

// Float to int truncates toward zero.
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @cast_f32_i32(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4xi32>
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[X]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<4xi32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: i32):
// CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[A]] : f32 to i32
// CHECK-NEXT: linalg.yield %[[R]] : i32
func.func @cast_f32_i32(%x: tensor<4xf32>) -> tensor<4xi32> {
  %0 = ember.cast %x : tensor<4xf32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @cast_f16_i64(
// CHECK: ^bb0(%[[A:.*]]: f16, %{{.*}}: i64):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[R:.*]] = arith.fptosi %[[W]] : f32 to i64
// CHECK-NEXT: linalg.yield %[[R]] : i64
func.func @cast_f16_i64(%x: tensor<4xf16>) -> tensor<4xi64> {
  %0 = ember.cast %x : tensor<4xf16> to tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Anything to i1 is `x != 0` (une, so NaN is true).
// CHECK-LABEL: func.func @cast_f32_i1(
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: i1):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[R:.*]] = arith.cmpf une, %[[A]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : i1
func.func @cast_f32_i1(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = ember.cast %x : tensor<4xf32> to tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @cast_i32_i1(
// CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: i1):
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[R:.*]] = arith.cmpi ne, %[[A]], %[[Z]] : i32
// CHECK-NEXT: linalg.yield %[[R]] : i1
func.func @cast_i32_i1(%x: tensor<4xi32>) -> tensor<4xi1> {
  %0 = ember.cast %x : tensor<4xi32> to tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// i1 to a number is 0 or 1: zero extension, unsigned conversion.
// CHECK-LABEL: func.func @cast_i1_i64(
// CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.extui %[[A]] : i1 to i64
// CHECK-NEXT: linalg.yield %[[R]] : i64
func.func @cast_i1_i64(%x: tensor<4xi1>) -> tensor<4xi64> {
  %0 = ember.cast %x : tensor<4xi1> to tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @cast_i1_f32(
// CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.uitofp %[[A]] : i1 to f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @cast_i1_f32(%x: tensor<4xi1>) -> tensor<4xf32> {
  %0 = ember.cast %x : tensor<4xi1> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_i1_bf16(
// CHECK: ^bb0(%[[A:.*]]: i1, %{{.*}}: bf16):
// CHECK-NEXT: %[[F:.*]] = arith.uitofp %[[A]] : i1 to f32
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[F]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[R]] : bf16
func.func @cast_i1_bf16(%x: tensor<4xi1>) -> tensor<4xbf16> {
  %0 = ember.cast %x : tensor<4xi1> to tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Integers widen with sign extension and narrow by truncation.
// CHECK-LABEL: func.func @cast_i8_i64(
// CHECK: ^bb0(%[[A:.*]]: i8, %{{.*}}: i64):
// CHECK-NEXT: %[[R:.*]] = arith.extsi %[[A]] : i8 to i64
// CHECK-NEXT: linalg.yield %[[R]] : i64
func.func @cast_i8_i64(%x: tensor<4xi8>) -> tensor<4xi64> {
  %0 = ember.cast %x : tensor<4xi8> to tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @cast_i64_i32(
// CHECK: ^bb0(%[[A:.*]]: i64, %{{.*}}: i32):
// CHECK-NEXT: %[[R:.*]] = arith.trunci %[[A]] : i64 to i32
// CHECK-NEXT: linalg.yield %[[R]] : i32
func.func @cast_i64_i32(%x: tensor<4xi64>) -> tensor<4xi32> {
  %0 = ember.cast %x : tensor<4xi64> to tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @cast_i32_f32(
// CHECK: ^bb0(%[[A:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.sitofp %[[A]] : i32 to f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @cast_i32_f32(%x: tensor<4xi32>) -> tensor<4xf32> {
  %0 = ember.cast %x : tensor<4xi32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_i64_f16(
// CHECK: ^bb0(%[[A:.*]]: i64, %{{.*}}: f16):
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[A]] : i64 to f32
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[F]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[R]] : f16
func.func @cast_i64_f16(%x: tensor<4xi64>) -> tensor<4xf16> {
  %0 = ember.cast %x : tensor<4xi64> to tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// f16 <-> bf16 goes through f32.
// CHECK-LABEL: func.func @cast_f16_bf16(
// CHECK: ^bb0(%[[A:.*]]: f16, %{{.*}}: bf16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[W]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[R]] : bf16
func.func @cast_f16_bf16(%x: tensor<4xf16>) -> tensor<4xbf16> {
  %0 = ember.cast %x : tensor<4xf16> to tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @cast_bf16_f16(
// CHECK: ^bb0(%[[A:.*]]: bf16, %{{.*}}: f16):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[W]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[R]] : f16
func.func @cast_bf16_f16(%x: tensor<4xbf16>) -> tensor<4xf16> {
  %0 = ember.cast %x : tensor<4xbf16> to tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Other float casts are one extf / truncf.
// CHECK-LABEL: func.func @cast_float_widths(
// CHECK: ^bb0(%[[A:.*]]: f32, %{{.*}}: f64):
// CHECK-NEXT: %[[R:.*]] = arith.extf %[[A]] : f32 to f64
// CHECK-NEXT: linalg.yield %[[R]] : f64
// CHECK: ^bb0(%[[A:.*]]: f64, %{{.*}}: f16):
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[A]] : f64 to f16
// CHECK-NEXT: linalg.yield %[[R]] : f16
func.func @cast_float_widths(%x: tensor<4xf32>) -> tensor<4xf16> {
  %0 = ember.cast %x : tensor<4xf32> to tensor<4xf64>
  %1 = ember.cast %0 : tensor<4xf64> to tensor<4xf16>
  return %1 : tensor<4xf16>
}

//===----------------------------------------------------------------------===//
// Broadcast
//===----------------------------------------------------------------------===//

// -----

// New leading dims are dropped from the input map; an input dim of size 1
// that expands is collapsed away, so the map stays a projected permutation
// (which elementwise fusion needs to fold the broadcast into its consumers).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast(
// CHECK-SAME: %[[X:.*]]: tensor<3x1xf32>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[C]] : tensor<3xf32>) outs(%[[EMPTY]] : tensor<2x3x4xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[A]] : f32
// CHECK: return %[[R]] : tensor<2x3x4xf32>
func.func @broadcast(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = ember.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A size-1 dim that stays size 1 keeps its loop dim.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_keep_unit(
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x3xi1>) outs(%{{.*}} : tensor<5x1x3xi1>)
func.func @broadcast_keep_unit(%x: tensor<1x3xi1>) -> tensor<5x1x3xi1> {
  %0 = ember.broadcast %x : tensor<1x3xi1> to tensor<5x1x3xi1>
  return %0 : tensor<5x1x3xi1>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_leading_unit(
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x3xi64> into tensor<3xi64>
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<3xi64>) outs(%{{.*}} : tensor<4x3xi64>)
func.func @broadcast_leading_unit(%x: tensor<1x3xi64>) -> tensor<4x3xi64> {
  %0 = ember.broadcast %x : tensor<1x3xi64> to tensor<4x3xi64>
  return %0 : tensor<4x3xi64>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_scalar(
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<bf16>) outs(%{{.*}} : tensor<2x3xbf16>)
func.func @broadcast_scalar(%x: tensor<bf16>) -> tensor<2x3xbf16> {
  %0 = ember.broadcast %x : tensor<bf16> to tensor<2x3xbf16>
  return %0 : tensor<2x3xbf16>
}

// -----

// rem: C fmod on floats (arith.remf), a truncating remainder on integers that
// gives 0 for a zero or -1 divisor instead of trapping.
// CHECK-LABEL: func.func @rem(
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = arith.remf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[R]]
// CHECK: ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[Y]] : i32
// CHECK: %[[REM:.*]] = arith.remsi %[[X]], %[[SAFE]] : i32
// CHECK: %[[OUT:.*]] = arith.select %{{.*}}, %{{.*}}, %[[REM]] : i32
// CHECK-NEXT: linalg.yield %[[OUT]]
func.func @rem(%a: tensor<4xf32>, %b: tensor<4xf32>, %x: tensor<4xi32>, %y: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = ember.rem %a, %b : tensor<4xf32>
  %1 = ember.rem %x, %y : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}
