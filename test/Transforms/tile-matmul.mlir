// RUN: ember-opt %s -convert-ember-to-linalg -ember-tile-matmul | FileCheck %s
// RUN: ember-opt %s -ember-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// A 2-D f32 matmul that the 8 x 32 x 16 (m, n, k) tile divides becomes a
// linalg.matmul marked ember.tile, tiled with scf.for and vectorized: per tile,
// 8 rows of 32-lane FMAs (one per k step) on accumulators read once and
// written once. The schedule module is removed again.
// CHECK-LABEL: func.func @tiled(
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
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

// A size the tile does not divide keeps the generic contraction.
// CHECK-LABEL: func.func @untiled(
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @untiled(%a: tensor<10x32xf32>, %b: tensor<32x64xf32>) -> tensor<10x64xf32> {
  %c = ember.matmul %a, %b : tensor<10x32xf32>, tensor<32x64xf32> -> tensor<10x64xf32>
  return %c : tensor<10x64xf32>
}
