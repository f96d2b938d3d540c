// RUN: ember-opt %s -split-input-file -ember-prepare-function-boundaries | FileCheck %s

// CHECK-LABEL: func.func @twice(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {bufferization.writable = false}
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK: return %[[X]], %[[C]]
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}

// -----

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct(
// CHECK-NOT: linalg.copy
// CHECK: return %arg0, %arg1
func.func @distinct(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}

// -----

// Arguments are read-only, so an in-place update of one is done on a copy.
// CHECK-LABEL: func.func @insert(
// CHECK-SAME: %{{.*}}: tensor<2xf32> {bufferization.writable = false}, %{{.*}}: tensor<4xf32> {bufferization.writable = false}
func.func @insert(%s: tensor<2xf32>, %d: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tensor.insert_slice %s into %d[0] [2] [1] : tensor<2xf32> into tensor<4xf32>
  return %0 : tensor<4xf32>
}
