// RUN: ember-opt %s -convert-ember-to-linalg -ember-tile-matmul | FileCheck %s
// RUN: ember-opt %s -ember-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// A 2-D f32 matmul that the 8 x 32 x 16 (m, n, k) tile divides becomes a
// linalg.matmul marked ember.tile, tiled and vectorized: per tile, 8 rows of
// 32-lane FMAs (one per k step) on accumulators read once and written once.
// The 8-row blocks are an scf.forall (the thread pool may split them), the n
// and k tiles scf.for loops. The schedule module is removed again.
// CHECK-LABEL: func.func @tiled(
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// CHECK-COUNT-128: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: transform.
// CHECK-NOT: ember.tile
// LLVM-LABEL: llvm.func @tiled(
// LLVM-COUNT-128: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
func.func @tiled(%a: tensor<16x32xf32>, %b: tensor<32x64xf32>) -> tensor<16x64xf32> {
  %c = ember.matmul %a, %b : tensor<16x32xf32>, tensor<32x64xf32> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// Sizes the tile does not divide are zero-padded to multiples of it (here m
// 10 -> 16, n 48 -> 48 with 16-column tiles), the result sliced back.
// CHECK-LABEL: func.func @padded(
// CHECK: tensor.pad %{{.*}} low[0, 0] high[6, 0]
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// CHECK-COUNT-128: vector.fma {{.*}} : vector<16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [10, 48] [1, 1]
func.func @padded(%a: tensor<10x32xf32>, %b: tensor<32x48xf32>) -> tensor<10x48xf32> {
  %c = ember.matmul %a, %b : tensor<10x32xf32>, tensor<32x48xf32> -> tensor<10x48xf32>
  return %c : tensor<10x48xf32>
}

// Where padding would more than double the work (m 2 -> 8), the generic
// contraction stays.
// CHECK-LABEL: func.func @untiled(
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @untiled(%a: tensor<2x32xf32>, %b: tensor<32x64xf32>) -> tensor<2x64xf32> {
  %c = ember.matmul %a, %b : tensor<2x32xf32>, tensor<32x64xf32> -> tensor<2x64xf32>
  return %c : tensor<2x64xf32>
}
