// RUN: not ember-opt %s -split-input-file -convert-ember-to-linalg 2>&1 | FileCheck %s

// Dynamic (`?`) dimensions are not lowered yet: every op family rejects them
// with an error at the op that says so and a non-zero exit, not a crash
// (`not` without --crash fails when ember-opt crashes). full and iota with a
// `?` result are already invalid IR (nothing gives the size).

func.func @elementwise_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.add' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.add %x, %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @broadcast_dynamic(%x: tensor<?xf32>) -> tensor<2x?xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.broadcast' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.broadcast %x : tensor<?xf32> to tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @cast_dynamic(%x: tensor<?xf32>) -> tensor<?xi32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.cast' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.cast %x : tensor<?xf32> to tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// A static result does not help when the operand is dynamic.
func.func @sum_dynamic(%x: tensor<?x3xf32>) -> tensor<3xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.sum' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.sum %x [0] : tensor<?x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @argmax_dynamic(%x: tensor<?x3xf32>) -> tensor<?xi64> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.argmax' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.argmax %x 1 : tensor<?x3xf32> -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @matmul_dynamic(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>) -> tensor<?x4xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.matmul' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.matmul %a, %b : tensor<?x3xf32>, tensor<3x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @reshape_dynamic(%x: tensor<?x2xf32>) -> tensor<?xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.reshape' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.reshape %x : tensor<?x2xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @transpose_dynamic(%x: tensor<?x2xf32>) -> tensor<2x?xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.transpose' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.transpose %x [1, 0] : tensor<?x2xf32> -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @slice_dynamic(%x: tensor<?x2xf32>) -> tensor<1x2xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.slice' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.slice %x start [0, 0] stop [1, 2] step [1, 1] : tensor<?x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @concat_dynamic(%a: tensor<?x2xf32>, %b: tensor<3x2xf32>) -> tensor<?x2xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.concat' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.concat %a, %b dim 0 : (tensor<?x2xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @pad_dynamic(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.pad' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.pad %x low [1, 0] high [0, 0] value(0.0 : f32) : tensor<?x2xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @gather_dynamic(%x: tensor<?x2xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.gather' op has a dynamic shape; convert-ember-to-linalg lowers static shapes only
  %0 = ember.gather %x, %i dim 0 : (tensor<?x2xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @full_dynamic() -> tensor<?xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.full' op result must have a static shape
  %0 = ember.full 1.0 : f32 -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @iota_dynamic() -> tensor<?xf32> {
  // CHECK: dynamic.mlir:[[@LINE+1]]:8: error: 'ember.iota' op result must have a static shape
  %0 = ember.iota 0 : tensor<?xf32>
  return %0 : tensor<?xf32>
}
