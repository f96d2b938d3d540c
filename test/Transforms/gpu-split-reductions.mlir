// RUN: ember-opt %s --pass-pipeline='builtin.module(func.func(ember-gpu-split-reductions))' | FileCheck %s

// A sum of a 128x512 matrix to a scalar: the two reduction dimensions become
// one of 65536 elements, split into 1024 parallel partial sums of 64, then a
// sum of the partials.
// CHECK-LABEL: func.func @sum_all
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<128x512xf32> into tensor<65536xf32>
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [1024, 64] : tensor<65536xf32> into tensor<1024x64xf32>
// CHECK: %[[PARTIAL:.*]] = linalg.generic {{{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[SPLIT]] : tensor<1024x64xf32>) outs(%{{.*}} : tensor<1024xf32>)
// CHECK: linalg.generic {{{.*}}iterator_types = ["reduction"]} ins(%[[PARTIAL]] : tensor<1024xf32>) outs(%{{.*}} : tensor<f32>)
#all = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
func.func @sum_all(%x: tensor<128x512xf32>, %init: tensor<f32>) -> tensor<f32> {
  %0 = linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<128x512xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}

// Rows of 1024 with 4096 of them: enough outputs for the threads, unchanged.
// CHECK-LABEL: func.func @row_sums
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{{.*}}iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4096x1024xf32>)
#rows = affine_map<(d0, d1) -> (d0)>
func.func @row_sums(%x: tensor<4096x1024xf32>, %init: tensor<4096xf32>) -> tensor<4096xf32> {
  %0 = linalg.generic {indexing_maps = [#all, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4096x1024xf32>) outs(%init : tensor<4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<4096xf32>
  return %0 : tensor<4096xf32>
}

// 65537 elements (a prime): no divisor to split by, unchanged.
// CHECK-LABEL: func.func @prime
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{{.*}}iterator_types = ["reduction"]} ins(%{{.*}} : tensor<65537xf32>)
#vec = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
func.func @prime(%x: tensor<65537xf32>, %init: tensor<f32>) -> tensor<f32> {
  %0 = linalg.generic {indexing_maps = [#vec, #scalar], iterator_types = ["reduction"]}
      ins(%x : tensor<65537xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %0 : tensor<f32>
}
