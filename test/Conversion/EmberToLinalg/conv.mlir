// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// Each conv op is one linalg.generic over grouped views (N, G, C, S...),
// (G, O, C, K...), (N, G, O, P...): the tap index p * stride + k * dilation
// is affine, groups are a split channel dim, loops (n, g, o, c, k..., p...).

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d3, d6 * 2 + d4, d7 * 2 + d5 * 3)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d6, d7)>
// CHECK-LABEL: func.func @conv2d_grouped(
// CHECK-SAME: %[[X:.*]]: tensor<2x4x7x9xf32>, %[[W:.*]]: tensor<6x2x3x2xf32>)
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [2, 2, 2, 7, 9]
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 2]
// CHECK: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<2x2x3x3x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%[[XG]], %[[WG]] : {{.*}}) outs(%[[INIT]] : tensor<2x2x3x3x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<2x2x3x3x3xf32> into tensor<2x6x3x3xf32>
func.func @conv2d_grouped(%x: tensor<2x4x7x9xf32>, %w: tensor<6x2x3x2xf32>) -> tensor<2x6x3x3xf32> {
  %y = ember.conv %x, %w stride [2, 2] dilation [1, 3] groups 2
      : tensor<2x4x7x9xf32>, tensor<6x2x3x2xf32> -> tensor<2x6x3x3xf32>
  return %y : tensor<2x6x3x3xf32>
}

// -----

// conv_transpose writes its operand every stride-th element into a zero
// buffer bordered by dilation * (K - 1), then correlates with the reversed
// filter (tap index s + (K - 1 - k) * dilation).

// CHECK-DAG: #[[$Z:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5 - d4 + 2)>
// CHECK-LABEL: func.func @conv_transpose1d(
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<1x1x3x11xf32>
// CHECK: %[[Z:.*]] = tensor.insert_slice %{{.*}} into %[[ZERO]][0, 0, 0, 2] [1, 1, 3, 4] [1, 1, 1, 2]
// CHECK: linalg.generic {indexing_maps = [#[[$Z]], {{.*}}]{{.*}} ins(%[[Z]], %{{.*}} : tensor<1x1x3x11xf32>, tensor<1x3x2x3xf32>)
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x9xf32>
func.func @conv_transpose1d(%g: tensor<1x3x4xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x2x9xf32> {
  %x = ember.conv_transpose %g, %w stride [2] dilation [1] groups 1
      : tensor<1x3x4xf32>, tensor<3x2x3xf32> -> tensor<1x2x9xf32>
  return %x : tensor<1x2x9xf32>
}

// -----

// The filter gradient reduces over the batch and the output positions; f16
// accumulates in f32.

// CHECK-LABEL: func.func @weight_grad_f16(
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<1x4x1x3xf32>)
// CHECK: arith.extf
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: tensor.collapse_shape {{.*}} into tensor<4x1x3xf16>
func.func @weight_grad_f16(%x: tensor<2x1x5xf16>, %g: tensor<2x4x3xf16>) -> tensor<4x1x3xf16> {
  %w = ember.conv_weight_grad %x, %g stride [1] dilation [1] groups 1
      : tensor<2x1x5xf16>, tensor<2x4x3xf16> -> tensor<4x1x3xf16>
  return %w : tensor<4x1x3xf16>
}
