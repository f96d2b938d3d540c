// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// Each conv op is one linalg.generic over grouped views (N, G, C, S...),
// (G, O, C, K...), (N, G, O, P...): the tap index p * stride + k * dilation
// is affine, groups are a split channel dim. With few channels per group the
// loops are (n, g, o, c, k..., p...), the spatial dim innermost.

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

// With at least 4 channels in the innermost loop (and sizes that the matmul
// form would have to pad to more than twice the work), the channels-last form:
// the filter is transposed to (G, C, K..., O), the loops are (n, g, p..., c,
// k..., o) like a matmul's (m, k, n), and the channels-last result is
// transposed back.

// CHECK-DAG: #[[$CIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[$CW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d5, d6, d7)>
// CHECK-DAG: #[[$COUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d7)>
// CHECK-LABEL: func.func @conv_channels_last(
// CHECK: %[[WC:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3, 4]] : tensor<1x8x3x3x3xf32> into tensor<1x8x27xf32>
// CHECK: %[[WTC:.*]] = linalg.transpose ins(%[[WC]] : tensor<1x8x27xf32>) outs(%{{.*}} : tensor<1x27x8xf32>) permutation = [0, 2, 1]
// CHECK: %[[WT:.*]] = tensor.expand_shape %[[WTC]] {{\[}}[0], [1, 2, 3], [4]] output_shape [1, 3, 3, 3, 8]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$CIN]], #[[$CW]], #[[$COUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%{{.*}}, %[[WT]] : tensor<1x1x3x5x5xf32>, tensor<1x3x3x3x8xf32>) outs(%{{.*}} : tensor<1x1x3x3x8xf32>)
// CHECK: %[[RC:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2, 3], [4]] : tensor<1x1x3x3x8xf32> into tensor<1x9x8xf32>
// CHECK: linalg.transpose ins(%[[RC]] : tensor<1x9x8xf32>) outs(%{{.*}} : tensor<1x8x9xf32>) permutation = [0, 2, 1]
func.func @conv_channels_last(%x: tensor<1x3x5x5xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<1x3x5x5xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x3x3xf32>
  return %y : tensor<1x8x3x3xf32>
}

// -----

// The filter gradient reduces over the batch and the output positions, the
// output gradient transposed channels-last; f16 accumulates in f32.

// CHECK-LABEL: func.func @weight_grad_f16(
// CHECK: %[[GC:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x4x3xf16>) outs(%{{.*}} : tensor<2x3x4xf16>) permutation = [0, 2, 1]
// CHECK: %[[GT:.*]] = tensor.expand_shape %[[GC]] {{\[}}[0, 1], [2], [3]] output_shape [2, 1, 3, 4]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%{{.*}}, %[[GT]] : tensor<2x1x1x5xf16>, tensor<2x1x3x4xf16>) outs(%{{.*}} : tensor<1x1x3x4xf32>)
// CHECK: arith.extf
// CHECK: arith.truncf {{.*}} : f32 to f16
// CHECK: linalg.transpose {{.*}} : tensor<1x3x4xf16>) outs({{.*}} : tensor<1x4x3xf16>) permutation = [0, 2, 1]
// CHECK: tensor.expand_shape {{.*}} into tensor<1x4x1x3xf16>
// CHECK: tensor.collapse_shape {{.*}} into tensor<4x1x3xf16>
func.func @weight_grad_f16(%x: tensor<2x1x5xf16>, %g: tensor<2x4x3xf16>) -> tensor<4x1x3xf16> {
  %w = ember.conv_weight_grad %x, %g stride [1] dilation [1] groups 1
      : tensor<2x1x5xf16>, tensor<2x4x3xf16> -> tensor<4x1x3xf16>
  return %w : tensor<4x1x3xf16>
}

// -----

// The input gradient channels-last: the filter transposed to (G, O, K..., C),
// loops (n, g, s..., o, k..., c), the zero-bordered operand read at
// s + (K - 1 - k) * dilation.

// CHECK-DAG: #[[$TZ:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d2 - d4 + 2)>
// CHECK-LABEL: func.func @conv_transpose_channels_last(
// CHECK: %[[Z:.*]] = tensor.insert_slice
// CHECK: %[[WTC:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x4x3xf32>) outs(%{{.*}} : tensor<3x3x4xf32>) permutation = [0, 2, 1]
// CHECK: %[[WT:.*]] = tensor.expand_shape %[[WTC]] {{\[}}[0, 1], [2], [3]] output_shape [1, 3, 3, 4]
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$TZ]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[Z]], %[[WT]] : tensor<1x1x3x11xf32>, tensor<1x3x3x4xf32>) outs(%{{.*}} : tensor<1x1x9x4xf32>)
// CHECK: %[[RC:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2], [3]] : tensor<1x1x9x4xf32> into tensor<1x9x4xf32>
// CHECK: linalg.transpose ins(%[[RC]] : tensor<1x9x4xf32>) outs(%{{.*}} : tensor<1x4x9xf32>) permutation = [0, 2, 1]
func.func @conv_transpose_channels_last(%g: tensor<1x3x4xf32>, %w: tensor<3x4x3xf32>) -> tensor<1x4x9xf32> {
  %x = ember.conv_transpose %g, %w stride [2] dilation [1] groups 1
      : tensor<1x3x4xf32>, tensor<3x4x3xf32> -> tensor<1x4x9xf32>
  return %x : tensor<1x4x9xf32>
}

// -----

// An ungrouped f32 convolution whose matmul form a register tile fits goes
// through the tiled matmul, one image at a time: an im2col gather of each
// image's patches with the positions innermost, (N, C, K..., P...) -> (N,
// C*K, P), the filter as (O, C*K) on the left of one linalg.batch_matmul (the
// filter's map broadcasts it over the batch) for ember-tile-matmul, whose
// result (N, O, P) is already the output's layout.
// CHECK-DAG: #[[$PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[$P:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[$O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv_im2col(
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<32x16x3x3xf32> into tensor<32x144xf32>
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[$PATCH]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<8x16x10x10xf32>) outs(%{{.*}} : tensor<8x16x3x3x8x8xf32>)
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<8x16x3x3x8x8xf32> into tensor<8x144x64xf32>
// CHECK: %[[R:.*]] = linalg.batch_matmul indexing_maps = [#[[$W]], #[[$P]], #[[$O]]] {ember.tile = array<i64: 8, 32, 8>} ins(%[[W]], %[[B]] : tensor<32x144xf32>, tensor<8x144x64xf32>)
// CHECK: tensor.expand_shape %[[R]] {{\[\[}}0], [1], [2, 3]] output_shape [8, 32, 8, 8]
// CHECK-NOT: linalg.transpose
func.func @conv_im2col(%x: tensor<8x16x10x10xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<8x32x8x8xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<8x16x10x10xf32>, tensor<32x16x3x3xf32> -> tensor<8x32x8x8xf32>
  return %y : tensor<8x32x8x8xf32>
}

// -----

// When the tile does not fit one image's positions (here 2 x 2, padding them
// to 16 columns would be 4 times the work) but fits the whole batch's, one
// 2-D matmul over all of them: (C, K..., N, P...) -> (C*K, N*P), the filter
// on the left (in column blocks: it has few rows), the result transposed back
// to (N, O, P...).
// CHECK-DAG: #[[$PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>
// CHECK-LABEL: func.func @conv_im2col_batch(
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[$PATCH]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<16x16x4x4xf32>) outs(%{{.*}} : tensor<16x3x3x16x2x2xf32>)
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<16x3x3x16x2x2xf32> into tensor<144x64xf32>
// CHECK: linalg.matmul {ember.tile = array<i64: 8, 0, 8, 32, 8>} ins(%{{.*}}, %[[B]] : tensor<32x144xf32>, tensor<144x64xf32>)
// CHECK: linalg.transpose ins(%{{.*}} : tensor<32x16x4xf32>) outs(%{{.*}} : tensor<16x32x4xf32>) permutation = [1, 0, 2]
func.func @conv_im2col_batch(%x: tensor<16x16x4x4xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<16x32x2x2xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<16x16x4x4xf32>, tensor<32x16x3x3xf32> -> tensor<16x32x2x2xf32>
  return %y : tensor<16x32x2x2xf32>
}

// -----

// One image's 14 x 14 = 196 positions, which no 32- or 16-column tile
// divides, are widened to 14 x 16 = 224: the input is zero-padded two
// columns to the right, the per-image patch matrices (144, 224) need no
// padded copy (so ember-tile-matmul can fuse their gather into the loop over
// images), and the extra columns are sliced off the result.
// CHECK-LABEL: func.func @conv_im2col_widened(
// CHECK: %[[X:.*]] = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 0, 2]
// CHECK: %[[COLS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4x16x16x18xf32>) outs(%{{.*}} : tensor<4x16x3x3x14x16xf32>)
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[COLS]] {{.*}} into tensor<4x144x224xf32>
// CHECK: %[[R:.*]] = linalg.batch_matmul {{.*}} {ember.tile = array<i64: 8, 32, 8>} ins(%{{.*}}, %[[B]] : tensor<32x144xf32>, tensor<4x144x224xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]] {{.*}} into tensor<4x32x14x16xf32>
// CHECK: tensor.extract_slice %[[E]][0, 0, 0, 0] [4, 32, 14, 14] [1, 1, 1, 1]
func.func @conv_im2col_widened(%x: tensor<4x16x16x16xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<4x32x14x14xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<4x16x16x16xf32>, tensor<32x16x3x3xf32> -> tensor<4x32x14x14xf32>
  return %y : tensor<4x32x14x14xf32>
}

// -----

// The filter gradient's matmul is cols^T (C*K, N*P) x dy^T (N*P, O); here
// C*K = 9 is padded to 16 rows.
// CHECK-LABEL: func.func @weight_grad_im2col(
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x3x8x8x8xf32>)
// CHECK: tensor.pad {{.*}} high[7, 0]
// CHECK: linalg.matmul {ember.tile = array<i64: 8, 0, 8, 16, 8>} {{.*}} -> tensor<16x16xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0] [9, 16] [1, 1]
func.func @weight_grad_im2col(%x: tensor<8x1x10x10xf32>, %g: tensor<8x16x8x8xf32>) -> tensor<16x1x3x3xf32> {
  %w = ember.conv_weight_grad %x, %g stride [1, 1] dilation [1, 1] groups 1
      : tensor<8x1x10x10xf32>, tensor<8x16x8x8xf32> -> tensor<16x1x3x3xf32>
  return %w : tensor<16x1x3x3xf32>
}

// -----

// A padded convolution's input gradient is a conv_transpose whose result the
// pad's adjoint slices: only the kept window is computed. Its taps are a
// window of the zero-bordered operand (offset 1), the product covers
// 14 x 14 positions per image instead of 16 x 16 (widened to 14 x 16, as
// above: z is made one column wider for it, z[1 : 1 + 16 + 2]), and the
// slice goes. Per image, the taps run forward over the window and the
// filter's are reversed instead (a gather with no negative index
// coefficient, which linalg can tile).
// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[$TAPS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-LABEL: func.func @conv_transpose_cropped(
// CHECK: %[[Z:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 0, 2, 2] [4, 32, 14, 14] [1, 1, 1, 1] : tensor<4x32x14x14xf32> into tensor<4x32x18x19xf32>
// CHECK: %[[WIN:.*]] = tensor.extract_slice %[[Z]][0, 0, 1, 1] [4, 32, 16, 18] [1, 1, 1, 1] : tensor<4x32x18x19xf32> to tensor<4x32x16x18xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], {{.*}}]{{.*}} ins(%arg1 : tensor<32x16x3x3xf32>) outs(%{{.*}} : tensor<16x32x3x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$TAPS]], {{.*}}]{{.*}} ins(%[[WIN]] : tensor<4x32x16x18xf32>) outs(%{{.*}} : tensor<4x32x3x3x14x16xf32>)
// CHECK: linalg.batch_matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x288xf32>, tensor<4x288x224xf32>)
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [4, 16, 14, 14] [1, 1, 1, 1] : tensor<4x16x14x16xf32> to tensor<4x16x14x14xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: return %[[S]] : tensor<4x16x14x14xf32>
func.func @conv_transpose_cropped(%g: tensor<4x32x14x14xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<4x16x14x14xf32> {
  %x = ember.conv_transpose %g, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<4x32x14x14xf32>, tensor<32x16x3x3xf32> -> tensor<4x16x16x16xf32>
  %s = ember.slice %x start [0, 0, 1, 1] stop [4, 16, 15, 15] step [1, 1, 1, 1]
      : tensor<4x16x16x16xf32> -> tensor<4x16x14x14xf32>
  return %s : tensor<4x16x14x14xf32>
}

// -----

// Left alone: a slice that also picks channels, or a result read elsewhere.
// CHECK-LABEL: func.func @conv_transpose_not_cropped(
// CHECK: linalg.batch_matmul
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [4, 8, 14, 14]
func.func @conv_transpose_not_cropped(%g: tensor<4x32x14x14xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<4x8x14x14xf32> {
  %x = ember.conv_transpose %g, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<4x32x14x14xf32>, tensor<32x16x3x3xf32> -> tensor<4x16x16x16xf32>
  %s = ember.slice %x start [0, 0, 1, 1] stop [4, 8, 15, 15] step [1, 1, 1, 1]
      : tensor<4x16x16x16xf32> -> tensor<4x8x14x14xf32>
  return %s : tensor<4x8x14x14xf32>
}
