// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// Shape ops: reshape -> tensor.collapse_shape / tensor.expand_shape,
// transpose -> linalg.transpose, slice -> tensor.extract_slice, concat and
// pad -> tensor.insert_slice, gather -> linalg.generic with tensor.extract.

// CHECK-LABEL: func.func @reshape_collapse(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<6x4xf32>
func.func @reshape_collapse(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = ember.reshape %x : tensor<2x3x4xf32> to tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_expand(
// CHECK-SAME: %[[X:.*]]: tensor<6xi64>
// CHECK: %[[R:.*]] = tensor.expand_shape %[[X]] {{\[}}[0, 1, 2]] output_shape [2, 1, 3] : tensor<6xi64> into tensor<2x1x3xi64>
// CHECK-NEXT: return %[[R]] : tensor<2x1x3xi64>
func.func @reshape_expand(%x: tensor<6xi64>) -> tensor<2x1x3xi64> {
  %0 = ember.reshape %x : tensor<6xi64> to tensor<2x1x3xi64>
  return %0 : tensor<2x1x3xi64>
}

// -----

// Squeeze / unsqueeze are single collapses / expands of the unit dims.
// CHECK-LABEL: func.func @reshape_squeeze(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x1x3x1xf32>
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2, 3, 4]] : tensor<1x2x1x3x1xf32> into tensor<2x3xf32>
// CHECK-NEXT: return %[[S]] : tensor<2x3xf32>
func.func @reshape_squeeze(%x: tensor<1x2x1x3x1xf32>) -> tensor<2x3xf32> {
  %0 = ember.reshape %x : tensor<1x2x1x3x1xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_unsqueeze(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK: %[[U:.*]] = tensor.expand_shape %[[X]] {{\[}}[0, 1], [2, 3, 4]] output_shape [1, 2, 1, 3, 1] : tensor<2x3xf32> into tensor<1x2x1x3x1xf32>
// CHECK-NEXT: return %[[U]] : tensor<1x2x1x3x1xf32>
func.func @reshape_unsqueeze(%x: tensor<2x3xf32>) -> tensor<1x2x1x3x1xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<1x2x1x3x1xf32>
  return %0 : tensor<1x2x1x3x1xf32>
}

// -----

// Shapes that do not nest go through a 1-D tensor.
// CHECK-LABEL: func.func @reshape_through_1d(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x2xf32>
func.func @reshape_through_1d(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_through_1d_rank_change(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x2xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<2x3x2xf32> into tensor<12xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x4xf32>
func.func @reshape_through_1d_rank_change(%x: tensor<2x3x2xf32>) -> tensor<3x4xf32> {
  %0 = ember.reshape %x : tensor<2x3x2xf32> to tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Zero elements: through 1-D as well.
// CHECK-LABEL: func.func @reshape_empty(
// CHECK-SAME: %[[X:.*]]: tensor<0x3xf32>
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<0x3xf32> into tensor<0xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 0] : tensor<0xf32> into tensor<3x0xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x0xf32>
func.func @reshape_empty(%x: tensor<0x3xf32>) -> tensor<3x0xf32> {
  %0 = ember.reshape %x : tensor<0x3xf32> to tensor<3x0xf32>
  return %0 : tensor<3x0xf32>
}

// -----

// Rank 0 <-> all-unit shapes use an empty reassociation.
// CHECK-LABEL: func.func @reshape_to_rank0(
// CHECK-SAME: %[[X:.*]]: tensor<1x1xf32>
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[X]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK-NEXT: return %[[S]] : tensor<f32>
func.func @reshape_to_rank0(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = ember.reshape %x : tensor<1x1xf32> to tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @reshape_from_rank0(
// CHECK-SAME: %[[X:.*]]: tensor<i64>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[X]] [] output_shape [1, 1, 1] : tensor<i64> into tensor<1x1x1xi64>
// CHECK-NEXT: return %[[E]] : tensor<1x1x1xi64>
func.func @reshape_from_rank0(%x: tensor<i64>) -> tensor<1x1x1xi64> {
  %0 = ember.reshape %x : tensor<i64> to tensor<1x1x1xi64>
  return %0 : tensor<1x1x1xi64>
}

// -----

// Dims that stay adjacent and in order move as one: [2, 0, 1] on (2, 3, 4)
// is a 2-D transpose of (6, 4).
// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<4x6xf32>
// CHECK-NEXT: %[[T:.*]] = linalg.transpose ins(%[[C]] : tensor<6x4xf32>) outs(%[[EMPTY]] : tensor<4x6xf32>) permutation = [1, 0]
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[T]] {{\[}}[0], [1, 2]] output_shape [4, 2, 3] : tensor<4x6xf32> into tensor<4x2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<4x2x3xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = ember.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Nothing to collapse: the transpose as it is.
// CHECK-LABEL: func.func @transpose_uncollapsed(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x3x2xf32>
// CHECK-NEXT: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[EMPTY]] : tensor<4x3x2xf32>) permutation = [2, 1, 0]
// CHECK-NEXT: return %[[T]] : tensor<4x3x2xf32>
func.func @transpose_uncollapsed(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = ember.transpose %x [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// NCHW -> NHWC is a transpose of the last two dims of (N, C, H*W), which the
// tiled schedule takes (f32, both multiples of 16).
// CHECK-LABEL: func.func @transpose_nchw_nhwc(
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<2x16x8x4xf32> into tensor<2x16x32xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x16x32xf32>) outs(%{{.*}} : tensor<2x32x16xf32>) permutation = [0, 2, 1] {ember.tile = array<i64: 32, 16>}
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3]] output_shape [2, 8, 4, 16] : tensor<2x32x16xf32> into tensor<2x8x4x16xf32>
func.func @transpose_nchw_nhwc(%x: tensor<2x16x8x4xf32>) -> tensor<2x8x4x16xf32> {
  %0 = ember.transpose %x [0, 2, 3, 1] : tensor<2x16x8x4xf32> -> tensor<2x8x4x16xf32>
  return %0 : tensor<2x8x4x16xf32>
}

// -----

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[X:.*]]: tensor<4x5xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][0, 1] [2, 3] [2, 1] : tensor<4x5xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[S]] : tensor<2x3xf32>
func.func @slice(%x: tensor<4x5xf32>) -> tensor<2x3xf32> {
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [2, 1] : tensor<4x5xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The size is ceil((stop - start) / step): 1:5:3 takes elements 1 and 4.
// CHECK-LABEL: func.func @slice_step(
// CHECK-SAME: %[[X:.*]]: tensor<8xi32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][1] [2] [3] : tensor<8xi32> to tensor<2xi32>
// CHECK-NEXT: return %[[S]] : tensor<2xi32>
func.func @slice_step(%x: tensor<8xi32>) -> tensor<2xi32> {
  %0 = ember.slice %x start [1] stop [5] step [3] : tensor<8xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// An empty slice is just an empty tensor (its offset may equal the size).
// CHECK-LABEL: func.func @slice_empty(
// CHECK: %[[E:.*]] = tensor.empty() : tensor<0xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: return %[[E]] : tensor<0xf32>
func.func @slice_empty(%x: tensor<4xf32>) -> tensor<0xf32> {
  %0 = ember.slice %x start [4] stop [4] step [1] : tensor<4xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// insert_slice -> tensor.insert_slice with the slice's offsets, sizes and
// strides.
// CHECK-LABEL: func.func @insert_slice(
// CHECK-SAME: %[[V:.*]]: tensor<2x3xf32>, %[[X:.*]]: tensor<4x4xf32>
// CHECK: %[[R:.*]] = tensor.insert_slice %[[V]] into %[[X]][0, 1] [2, 3] [2, 1] : tensor<2x3xf32> into tensor<4x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<4x4xf32>
func.func @insert_slice(%v: tensor<2x3xf32>, %x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = ember.insert_slice %v into %x start [0, 1] stop [4, 4] step [2, 1] : tensor<2x3xf32> into tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Inserting nothing leaves the destination.
// CHECK-LABEL: func.func @insert_slice_empty(
// CHECK-SAME: %[[V:.*]]: tensor<0xf32>, %[[X:.*]]: tensor<4xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: return %[[X]] : tensor<4xf32>
func.func @insert_slice_empty(%v: tensor<0xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.insert_slice %v into %x start [4] stop [4] step [1] : tensor<0xf32> into tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// concat: each input goes in at the running offset along `dim`.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x1xf32>, %[[C:.*]]: tensor<2x4xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK-NEXT: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK-NEXT: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 3] [2, 1] [1, 1] : tensor<2x1xf32> into tensor<2x8xf32>
// CHECK-NEXT: %[[R2:.*]] = tensor.insert_slice %[[C]] into %[[R1]][0, 4] [2, 4] [1, 1] : tensor<2x4xf32> into tensor<2x8xf32>
// CHECK-NEXT: return %[[R2]] : tensor<2x8xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>, %c: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %0 = ember.concat %a, %b, %c dim 1 : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @concat_dim0(
// CHECK-SAME: %[[A:.*]]: tensor<1x3xi1>, %[[B:.*]]: tensor<2x3xi1>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3x3xi1>
// CHECK-NEXT: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0, 0] [1, 3] [1, 1] : tensor<1x3xi1> into tensor<3x3xi1>
// CHECK-NEXT: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][1, 0] [2, 3] [1, 1] : tensor<2x3xi1> into tensor<3x3xi1>
// CHECK-NEXT: return %[[R1]] : tensor<3x3xi1>
func.func @concat_dim0(%a: tensor<1x3xi1>, %b: tensor<2x3xi1>) -> tensor<3x3xi1> {
  %0 = ember.concat %a, %b dim 0 : (tensor<1x3xi1>, tensor<2x3xi1>) -> tensor<3x3xi1>
  return %0 : tensor<3x3xi1>
}

// -----

// An empty input is skipped.
// CHECK-LABEL: func.func @concat_empty_input(
// CHECK-SAME: %[[A:.*]]: tensor<2xf32>, %[[B:.*]]: tensor<0xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[A]] into %[[EMPTY]][0] [2] [1] : tensor<2xf32> into tensor<2xf32>
// CHECK-NEXT: return %[[R]] : tensor<2xf32>
func.func @concat_empty_input(%a: tensor<2xf32>, %b: tensor<0xf32>) -> tensor<2xf32> {
  %0 = ember.concat %a, %b dim 0 : (tensor<2xf32>, tensor<0xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// pad: a tensor filled with the value, the input inserted at `low`.
// CHECK-LABEL: func.func @pad(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>
// CHECK: %[[V:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK-NEXT: %[[FILL:.*]] = linalg.fill ins(%[[V]] : f32) outs(%[[EMPTY]] : tensor<3x5xf32>) -> tensor<3x5xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][0, 1] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<3x5xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x5xf32>
func.func @pad(%x: tensor<2x2xf32>) -> tensor<3x5xf32> {
  %0 = ember.pad %x low [0, 1] high [1, 2] value(0.5 : f32) : tensor<2x2xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// CHECK-LABEL: func.func @pad_i32(
// CHECK-SAME: %[[X:.*]]: tensor<3xi32>
// CHECK: %[[V:.*]] = arith.constant -7 : i32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[V]] : i32) outs(%{{.*}} : tensor<6xi32>)
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][2] [3] [1] : tensor<3xi32> into tensor<6xi32>
// CHECK-NEXT: return %[[R]] : tensor<6xi32>
func.func @pad_i32(%x: tensor<3xi32>) -> tensor<6xi32> {
  %0 = ember.pad %x low [2] high [1] value(-7 : i32) : tensor<3xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

// Padding an empty tensor is only the fill.
// CHECK-LABEL: func.func @pad_empty_input(
// CHECK: %[[V:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: return %[[FILL]] : tensor<3xf32>
func.func @pad_empty_input(%x: tensor<0xf32>) -> tensor<3xf32> {
  %0 = ember.pad %x low [3] high [0] value(1.0 : f32) : tensor<0xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// gather: a generic over the index tensor that extracts from the input.
// Negative indices wrap once (+ size) and are then clamped to [0, size - 1];
// the other coordinates are the loop indices.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_dim1(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[I]] : tensor<3x2xi64>) outs(%[[EMPTY]] : tensor<3x2xf32>)
// CHECK-NEXT: ^bb0(%[[IDX:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[J:.*]] = arith.index_cast %[[IDX]] : i64 to index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[N:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[NEG:.*]] = arith.cmpi slt, %[[J]], %[[C0]] : index
// CHECK-DAG: %[[WRAPPED:.*]] = arith.addi %[[J]], %[[N]] : index
// CHECK: %[[J1:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[J]] : index
// CHECK: %[[LAST:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[J2:.*]] = arith.minsi %[[J1]], %[[LAST]] : index
// CHECK-NEXT: %[[J3:.*]] = arith.maxsi %[[J2]], %[[C0]] : index
// CHECK-NEXT: %[[ROW:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[V:.*]] = tensor.extract %[[X]][%[[ROW]], %[[J3]]] : tensor<3x4xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK: return %[[R]] : tensor<3x2xf32>
func.func @gather_dim1(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @gather_dim0_i32(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<2x4xi32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[I]] : tensor<2x4xi32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[IDX:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[J:.*]] = arith.index_cast %[[IDX]] : i32 to index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[N:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[NEG:.*]] = arith.cmpi slt, %[[J]], %[[C0]] : index
// CHECK-DAG: %[[WRAPPED:.*]] = arith.addi %[[J]], %[[N]] : index
// CHECK: %[[J1:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[J]] : index
// CHECK: %[[LAST:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[J2:.*]] = arith.minsi %[[J1]], %[[LAST]] : index
// CHECK-NEXT: %[[J3:.*]] = arith.maxsi %[[J2]], %[[C0]] : index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[V:.*]] = tensor.extract %[[X]][%[[J3]], %[[COL]]] : tensor<3x4xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @gather_dim0_i32(%x: tensor<3x4xf32>, %i: tensor<2x4xi32>) -> tensor<2x4xf32> {
  %0 = ember.gather %x, %i dim 0 : (tensor<3x4xf32>, tensor<2x4xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
