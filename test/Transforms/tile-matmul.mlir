// RUN: ember-opt %s -convert-ember-to-linalg -ember-tile-matmul | FileCheck %s
// RUN: ember-opt %s -ember-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// A 2-D f32 matmul that the 8 x 32 x 8 (m, n, k) tile divides becomes a
// linalg.matmul marked ember.tile = [rows, cols per parallel block, m, n, k], tiled
// and vectorized: per tile, 8 rows of 32-lane FMAs (one per k step) on
// accumulators that start as a zero vector (the output's zero fill is fused
// into the tiles: no fill, no read of the output), are carried through the k
// loop as a loop value (registers) and written once after it. The row blocks
// are an scf.forall (the thread pool may split them); inside, the n tiles,
// the m tiles (here one per block: the loop folds away) and the k steps are
// scf.for loops. The schedule module is removed.
// CHECK-LABEL: func.func @tiled(
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c32
// CHECK-NOT: vector.transfer_read {{.*}} vector<8x32xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c8 iter_args(%{{.*}} = %[[ZERO]])
// CHECK-NOT: vector.transfer_write
// CHECK-COUNT-64: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: vector.transfer_write
// CHECK-NOT: linalg.fill
// CHECK-NOT: transform.
// CHECK-NOT: ember.tile
// LLVM-LABEL: llvm.func @tiled(
// LLVM-COUNT-64: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
func.func @tiled(%a: tensor<16x32xf32>, %b: tensor<32x64xf32>) -> tensor<16x64xf32> {
  %c = ember.matmul %a, %b : tensor<16x32xf32>, tensor<32x64xf32> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// Sizes the tile does not divide are zero-padded to multiples of it (here m
// 10 -> 16, n 48 -> 48 with 16-column tiles), the result sliced back.
// CHECK-LABEL: func.func @padded(
// CHECK: tensor.pad %{{.*}} low[0, 0] high[6, 0]
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c48 step %c16
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c8
// CHECK-COUNT-64: vector.fma {{.*}} : vector<16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [10, 48] [1, 1]
func.func @padded(%a: tensor<10x32xf32>, %b: tensor<32x48xf32>) -> tensor<10x48xf32> {
  %c = ember.matmul %a, %b : tensor<10x32xf32>, tensor<32x48xf32> -> tensor<10x48xf32>
  return %c : tensor<10x48xf32>
}

// A larger matmul takes blocks of up to 64 rows, keeping at least 4 blocks:
// 256 rows make 4 blocks of 64, each walking 8 row tiles per column panel.
// CHECK-LABEL: func.func @blocked(
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c32
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c8
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c8
func.func @blocked(%a: tensor<256x64xf32>, %b: tensor<64x64xf32>) -> tensor<256x64xf32> {
  %c = ember.matmul %a, %b : tensor<256x64xf32>, tensor<64x64xf32> -> tensor<256x64xf32>
  return %c : tensor<256x64xf32>
}

// With far fewer rows than columns (a convolution's filter on the left), the
// parallel blocks are column blocks (here 4 of 256), so each thread streams its
// own part of the right operand once.
// CHECK-LABEL: func.func @column_blocks(
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c256 step %c32
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c8
func.func @column_blocks(%a: tensor<8x64xf32>, %b: tensor<64x1024xf32>) -> tensor<8x1024xf32> {
  %c = ember.matmul %a, %b : tensor<8x64xf32>, tensor<64x1024xf32> -> tensor<8x1024xf32>
  return %c : tensor<8x1024xf32>
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

// A transposed lhs is read in place through the matmul's indexing map (the
// kernel broadcasts one lhs element per row and k step, whatever the layout):
// no transpose is materialized, and each k step's lhs tile is read as the
// (k, m) = 8 x 8 vector the outer products take.
// CHECK-LABEL: func.func @transposed_lhs(
// CHECK-NOT: linalg.transpose
// CHECK: scf.forall
// CHECK: vector.transfer_read {{.*}} : tensor<8x8xf32>, vector<8x8xf32>
// CHECK-NOT: vector.shuffle
// CHECK-COUNT-64: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.shuffle
// CHECK: return
func.func @transposed_lhs(%a: tensor<32x16xf32>, %b: tensor<32x64xf32>) -> tensor<16x64xf32> {
  %t = ember.transpose %a [1, 0] : tensor<32x16xf32> -> tensor<16x32xf32>
  %c = ember.matmul %t, %b : tensor<16x32xf32>, tensor<32x64xf32> -> tensor<16x64xf32>
  return %c : tensor<16x64xf32>
}

// An f32 transpose of the last two dims, both multiples of 16, is tiled:
// blocks of up to 64 result rows (here one block for each of the 3 leading
// indices) run as an scf.forall, and each 16 x 16 tile is one vector
// read, an in-register transpose of 64 shuffles (8-lane and 4-lane
// interleaves, then 128-bit lane moves) and one vector write.
// CHECK-LABEL: func.func @transpose_tiled(
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (3, 1)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c16
// CHECK: scf.for %{{.*}} = %{{.*}} to %c48 step %c16
// CHECK: vector.transfer_read {{.*}} vector<{{(1x)?}}16x16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK: vector.transfer_write {{.*}} vector<{{(1x)?}}16x16xf32>
// CHECK-NOT: linalg.transpose
// LLVM-LABEL: llvm.func @transpose_tiled(
// LLVM-COUNT-64: llvm.shufflevector
func.func @transpose_tiled(%x: tensor<3x48x64xf32>) -> tensor<3x64x48xf32> {
  %t = ember.transpose %x [0, 2, 1] : tensor<3x48x64xf32> -> tensor<3x64x48xf32>
  return %t : tensor<3x64x48xf32>
}

// Transposes of different ranks with the same tile take their own schedules
// (the pass qualifies the tile with the rank before matching).
// CHECK-LABEL: func.func @transpose_two_ranks(
// CHECK: scf.forall (%{{.*}}) in (1)
// CHECK: vector.transfer_read {{.*}} vector<16x16xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 1)
// CHECK: vector.transfer_read {{.*}} vector<{{(1x)?}}16x16xf32>
// CHECK-NOT: linalg.transpose
func.func @transpose_two_ranks(%x: tensor<32x64xf32>, %y: tensor<2x32x64xf32>)
    -> (tensor<64x32xf32>, tensor<2x64x32xf32>) {
  %0 = ember.transpose %x [1, 0] : tensor<32x64xf32> -> tensor<64x32xf32>
  %1 = ember.transpose %y [0, 2, 1] : tensor<2x32x64xf32> -> tensor<2x64x32xf32>
  return %0, %1 : tensor<64x32xf32>, tensor<2x64x32xf32>
}

// Other transposes stay linalg.transpose ops (loops): dims that 16 does not
// divide, permutations that move a leading dim, other element types.
// CHECK-LABEL: func.func @transpose_untiled(
// CHECK-NOT: scf.forall
// CHECK-COUNT-3: linalg.transpose
func.func @transpose_untiled(%x: tensor<16x10xf32>, %y: tensor<16x16x16xf32>, %z: tensor<16x16xf64>)
    -> (tensor<10x16xf32>, tensor<16x16x16xf32>, tensor<16x16xf64>) {
  %0 = ember.transpose %x [1, 0] : tensor<16x10xf32> -> tensor<10x16xf32>
  %1 = ember.transpose %y [1, 0, 2] : tensor<16x16x16xf32> -> tensor<16x16x16xf32>
  %2 = ember.transpose %z [1, 0] : tensor<16x16xf64> -> tensor<16x16xf64>
  return %0, %1, %2 : tensor<10x16xf32>, tensor<16x16x16xf32>, tensor<16x16xf64>
}

// A convolution through per-image patch matrices: the linalg.batch_matmul
// marked ember.tile = array<i64: m, n, k> runs the images as an scf.forall,
// each product tiled like a matmul's (n tiles, m tiles, k steps) with the
// accumulators in registers through the k loop, starting from zero. Its
// right operand is an im2col gather (through a collapse_shape): the gather
// is fused into the forall, each image's patches (16 x 3 x 3 x 8 x 8)
// computed where they are multiplied, no whole-batch patch tensor left.
// CHECK-LABEL: func.func @batched_images(
// CHECK-NOT: linalg.fill
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x16x10x10xf32>) outs(%{{.*}} : tensor<1x16x3x3x8x8xf32>)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64 step %c32
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c8
// CHECK: scf.for %{{.*}} = %{{.*}} to %c144 step %c8 iter_args(%{{.*}} = %cst{{.*}}) -> ({{.*}}vector<8x32xf32>)
// CHECK-COUNT-64: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: ember.tile
func.func @batched_images(%x: tensor<2x16x10x10xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<2x32x8x8xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<2x16x10x10xf32>, tensor<32x16x3x3xf32> -> tensor<2x32x8x8xf32>
  return %y : tensor<2x32x8x8xf32>
}

// A batch of one image leaves no per-image slice to fuse the gather through:
// it stays before the (single-iteration) loop, and the product is tiled as
// usual.
// CHECK-LABEL: func.func @one_image(
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x16x3x3x8x8xf32>)
// CHECK: vector.fma
// CHECK-NOT: linalg.batch_matmul
func.func @one_image(%x: tensor<1x16x10x10xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x8x8xf32> {
  %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
      : tensor<1x16x10x10xf32>, tensor<32x16x3x3xf32> -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}
