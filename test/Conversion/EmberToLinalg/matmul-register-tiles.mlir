// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s --check-prefix=CPU
// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg=register-tiles=false | FileCheck %s --check-prefix=GPU

// On the CPU a 2-D f32 matmul gets ember-tile-matmul's register tile (8 x 16 x
// 8 here): its operands are zero-padded to multiples of it and the result
// sliced back. The GPU pipelines (register-tiles=false) keep the named op
// unpadded and unmarked: their tiled kernels check the edges.

// CPU-LABEL: func.func @matmul
// CPU: tensor.pad %arg0 low[0, 0] high[4, 2]
// CPU: tensor.pad %arg1 low[0, 0] high[2, 14]
// CPU: linalg.matmul {ember.tile = array<i64: {{.*}}, 8, 16, 8>} ins({{.*}} : tensor<104x72xf32>, tensor<72x64xf32>)
// CPU: tensor.extract_slice {{.*}} [100, 50] [1, 1] : tensor<104x64xf32> to tensor<100x50xf32>

// GPU-LABEL: func.func @matmul
// GPU-NOT: tensor.pad
// GPU: linalg.matmul ins(%arg0, %arg1 : tensor<100x70xf32>, tensor<70x50xf32>) outs(%{{.*}} : tensor<100x50xf32>)
// GPU-NOT: ember.tile
// GPU-NOT: tensor.extract_slice
func.func @matmul(%a: tensor<100x70xf32>, %b: tensor<70x50xf32>) -> tensor<100x50xf32> {
  %0 = ember.matmul %a, %b : tensor<100x70xf32>, tensor<70x50xf32> -> tensor<100x50xf32>
  return %0 : tensor<100x50xf32>
}

// -----

// A convolution's per-image product, likewise: padded on the CPU, as it is on
// GPUs (8 filters x 27 patch rows x 100 positions, per image).

// CPU-LABEL: func.func @conv
// CPU: linalg.batch_matmul {{.*}}ember.tile = array<i64: 8, 16, 8>
// GPU-LABEL: func.func @conv
// GPU: linalg.batch_matmul {{.*}}ins(%{{.*}}, %{{.*}} : tensor<8x27xf32>, tensor<2x27x100xf32>)
// GPU-NOT: ember.tile
func.func @conv(%x: tensor<2x3x12x12xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<2x8x10x10xf32> {
  %0 = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<2x3x12x12xf32>, tensor<8x3x3x3xf32> -> tensor<2x8x10x10xf32>
  return %0 : tensor<2x8x10x10xf32>
}

// -----

// Batched products with one batch shape (attention's q k^T): the batch dims
// collapsed into one, a linalg.batch_matmul with the register tile for
// ember-tile-matmul, expanded back. The GPU pipelines keep it unmarked.

// CPU-LABEL: func.func @batched
// CPU: %[[L:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x4x128x64xf32> into tensor<8x128x64xf32>
// CPU: %[[R:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2], [3]] : tensor<2x4x64x128xf32> into tensor<8x64x128xf32>
// CPU: %[[P:.*]] = linalg.batch_matmul {ember.tile = array<i64: 8, 32, 8>} ins(%[[L]], %[[R]] : tensor<8x128x64xf32>, tensor<8x64x128xf32>)
// CPU: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 4, 128, 128]
// GPU-LABEL: func.func @batched
// GPU-NOT: ember.tile
// GPU: linalg.generic
func.func @batched(%a: tensor<2x4x128x64xf32>, %b: tensor<2x4x64x128xf32>) -> tensor<2x4x128x128xf32> {
  %0 = ember.matmul %a, %b : tensor<2x4x128x64xf32>, tensor<2x4x64x128xf32> -> tensor<2x4x128x128xf32>
  return %0 : tensor<2x4x128x128xf32>
}
