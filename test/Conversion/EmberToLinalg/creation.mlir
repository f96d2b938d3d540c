// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// constant -> arith.constant, full -> linalg.fill, iota -> a generic yielding
// linalg.index converted to the element type.

// CHECK-LABEL: func.func @constant(
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.500000e+00]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]] : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = ember.constant dense<[1.0, 2.5]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @constant_splat_i1(
// CHECK: %[[C:.*]] = arith.constant dense<true> : tensor<2x2xi1>
// CHECK-NEXT: return %[[C]] : tensor<2x2xi1>
func.func @constant_splat_i1() -> tensor<2x2xi1> {
  %0 = ember.constant dense<true> : tensor<2x2xi1>
  return %0 : tensor<2x2xi1>
}

// -----

// CHECK-LABEL: func.func @constant_rank0_i64(
// CHECK: %[[C:.*]] = arith.constant dense<7> : tensor<i64>
// CHECK-NEXT: return %[[C]] : tensor<i64>
func.func @constant_rank0_i64() -> tensor<i64> {
  %0 = ember.constant dense<7> : tensor<i64>
  return %0 : tensor<i64>
}

// -----

// CHECK-LABEL: func.func @full_f32(
// CHECK: %[[V:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[EMPTY]] : tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[F]] : tensor<2x3xf32>
func.func @full_f32() -> tensor<2x3xf32> {
  %0 = ember.full 1.5 : f32 -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The fill value keeps the element type (no f32 detour for bf16).
// CHECK-LABEL: func.func @full_bf16(
// CHECK: %[[V:.*]] = arith.constant -2.000000e+00 : bf16
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<4xbf16>
// CHECK-NEXT: %[[F:.*]] = linalg.fill ins(%[[V]] : bf16) outs(%[[EMPTY]] : tensor<4xbf16>) -> tensor<4xbf16>
// CHECK-NEXT: return %[[F]] : tensor<4xbf16>
func.func @full_bf16() -> tensor<4xbf16> {
  %0 = ember.full -2.0 : bf16 -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @full_i1(
// CHECK: %[[V:.*]] = arith.constant true
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<3xi1>
// CHECK-NEXT: %[[F:.*]] = linalg.fill ins(%[[V]] : i1) outs(%[[EMPTY]] : tensor<3xi1>) -> tensor<3xi1>
// CHECK-NEXT: return %[[F]] : tensor<3xi1>
func.func @full_i1() -> tensor<3xi1> {
  %0 = ember.full true -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @full_rank0_i32(
// CHECK: %[[V:.*]] = arith.constant 42 : i32
// CHECK: linalg.fill ins(%[[V]] : i32) outs(%{{.*}} : tensor<i32>) -> tensor<i32>
func.func @full_rank0_i32() -> tensor<i32> {
  %0 = ember.full 42 : i32 -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// iota along dim 1 of a 2-D f32 tensor: index -> i64 -> sitofp.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @iota_f32(
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]]], iterator_types = ["parallel", "parallel"]} outs(%[[EMPTY]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%{{.*}}: f32):
// CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK-NEXT: linalg.yield %[[F]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @iota_f32() -> tensor<2x3xf32> {
  %0 = ember.iota 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @iota_i64(
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: outs(%{{.*}} : tensor<4xi64>)
// CHECK-NEXT: ^bb0(%{{.*}}: i64):
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: linalg.yield %[[I64]] : i64
func.func @iota_i64() -> tensor<4xi64> {
  %0 = ember.iota 0 : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @iota_i32(
// CHECK: ^bb0(%{{.*}}: i32):
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[T:.*]] = arith.trunci %[[I64]] : i64 to i32
// CHECK-NEXT: linalg.yield %[[T]] : i32
func.func @iota_i32() -> tensor<4x2xi32> {
  %0 = ember.iota 0 : tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

// f16 converts through f32.
// CHECK-LABEL: func.func @iota_f16(
// CHECK: ^bb0(%{{.*}}: f16):
// CHECK-NEXT: %[[I:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK-NEXT: %[[H:.*]] = arith.truncf %[[F]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[H]] : f16
func.func @iota_f16() -> tensor<2x2x5xf16> {
  %0 = ember.iota 2 : tensor<2x2x5xf16>
  return %0 : tensor<2x2x5xf16>
}
