// RUN: ember-opt %s --split-input-file --ember-fusion | FileCheck %s

// Softmax is one "rows" region over the leading dim: the reductions over the
// last dim, the broadcasts of their keepdim results back along it, and the
// elementwise ops around them. The sum without keepdim that a reshape gives
// its unit dim back becomes a keepdim sum first.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:.*]]: tensor<64x128xf32>
// CHECK: %[[R:.*]] = ember.fusion "rows" -> (tensor<64x128xf32>) attributes {parallel_dims = 1 : i64} {
// CHECK-NEXT: %[[M:.*]] = ember.max %[[X]] [1] keepdim
// CHECK-NEXT: ember.broadcast %[[M]]
// CHECK-NEXT: ember.sub
// CHECK-NEXT: %[[E:.*]] = ember.exp
// CHECK-NEXT: %[[S:.*]] = ember.sum %[[E]] [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
// CHECK-NEXT: ember.broadcast %[[S]]
// CHECK-NEXT: %[[Y:.*]] = ember.div
// CHECK-NEXT: ember.yield %[[Y]] : tensor<64x128xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]
func.func @softmax(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %m = ember.max %x [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
  %mb = ember.broadcast %m : tensor<64x1xf32> to tensor<64x128xf32>
  %d = ember.sub %x, %mb : tensor<64x128xf32>
  %e = ember.exp %d : tensor<64x128xf32>
  %s = ember.sum %e [1] : tensor<64x128xf32> -> tensor<64xf32>
  %s2 = ember.reshape %s : tensor<64xf32> to tensor<64x1xf32>
  %sb = ember.broadcast %s2 : tensor<64x1xf32> to tensor<64x128xf32>
  %y = ember.div %e, %sb : tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// Layer norm over the last dim of a (4, 8, 32) tensor: two leading parallel
// dims. The weight's broadcast adds leading dims, but its input comes from
// outside, so it joins; the region yields the output and the statistics the
// backward pass reads.
// CHECK-LABEL: func.func @layer_norm(
// CHECK: %[[R:.*]]:2 = ember.fusion "rows" -> (tensor<4x8x1xf32>, tensor<4x8x32xf32>) attributes {parallel_dims = 2 : i64} {
// CHECK: ember.mean
// CHECK: ember.mean
// CHECK: ember.rsqrt
// CHECK: ember.broadcast %{{.*}} : tensor<32xf32> to tensor<4x8x32xf32>
// CHECK: ember.yield
// CHECK: return %[[R]]#1, %[[R]]#0
func.func @layer_norm(%x: tensor<4x8x32xf32>, %w: tensor<32xf32>) -> (tensor<4x8x32xf32>, tensor<4x8x1xf32>) {
  %mu = ember.mean %x [2] keepdim : tensor<4x8x32xf32> -> tensor<4x8x1xf32>
  %mub = ember.broadcast %mu : tensor<4x8x1xf32> to tensor<4x8x32xf32>
  %c = ember.sub %x, %mub : tensor<4x8x32xf32>
  %c2 = ember.mul %c, %c : tensor<4x8x32xf32>
  %var = ember.mean %c2 [2] keepdim : tensor<4x8x32xf32> -> tensor<4x8x1xf32>
  %eps = ember.full 1.0e-5 : f32 -> tensor<4x8x1xf32>
  %ve = ember.add %var, %eps : tensor<4x8x1xf32>
  %r = ember.rsqrt %ve : tensor<4x8x1xf32>
  %rb = ember.broadcast %r : tensor<4x8x1xf32> to tensor<4x8x32xf32>
  %n = ember.mul %c, %rb : tensor<4x8x32xf32>
  %wb = ember.broadcast %w : tensor<32xf32> to tensor<4x8x32xf32>
  %y = ember.mul %n, %wb : tensor<4x8x32xf32>
  return %y, %r : tensor<4x8x32xf32>, tensor<4x8x1xf32>
}

// -----

// A reduction over a leading dim (a bias gradient) ends a rows region; the
// column sums are left outside it.
// CHECK-LABEL: func.func @column_sum_stays_out(
// CHECK: ember.fusion "rows"
// CHECK: ember.yield
// CHECK-NEXT: }
// CHECK-NEXT: ember.sum %{{.*}} [0] : tensor<16x32xf32> -> tensor<32xf32>
func.func @column_sum_stays_out(%x: tensor<16x32xf32>) -> (tensor<16x32xf32>, tensor<32xf32>) {
  %m = ember.max %x [1] keepdim : tensor<16x32xf32> -> tensor<16x1xf32>
  %mb = ember.broadcast %m : tensor<16x1xf32> to tensor<16x32xf32>
  %d = ember.sub %x, %mb : tensor<16x32xf32>
  %e = ember.exp %d : tensor<16x32xf32>
  %c = ember.sum %e [0] : tensor<16x32xf32> -> tensor<32xf32>
  return %e, %c : tensor<16x32xf32>, tensor<32xf32>
}

// -----

// An optimizer update: one "elementwise" region yielding the three new
// tensors, with the splat constant and the broadcast learning rate in it.
// CHECK-LABEL: func.func @update(
// CHECK: %[[R:.*]]:3 = ember.fusion "elementwise" -> (tensor<256xf32>, tensor<256xf32>, tensor<256xf32>) {
// CHECK: ember.full
// CHECK: ember.broadcast
// CHECK: ember.yield
// CHECK: return %[[R]]#2, %[[R]]#0, %[[R]]#1
func.func @update(%p: tensor<256xf32>, %g: tensor<256xf32>, %m: tensor<256xf32>, %v: tensor<256xf32>, %lr: tensor<f32>) -> (tensor<256xf32>, tensor<256xf32>, tensor<256xf32>) {
  %b1 = ember.full 0.9 : f32 -> tensor<256xf32>
  %m1 = ember.mul %m, %b1 : tensor<256xf32>
  %m2 = ember.add %m1, %g : tensor<256xf32>
  %gg = ember.mul %g, %g : tensor<256xf32>
  %v2 = ember.add %v, %gg : tensor<256xf32>
  %sq = ember.sqrt %v2 : tensor<256xf32>
  %u = ember.div %m2, %sq : tensor<256xf32>
  %lrb = ember.broadcast %lr : tensor<f32> to tensor<256xf32>
  %u2 = ember.mul %u, %lrb : tensor<256xf32>
  %p2 = ember.sub %p, %u2 : tensor<256xf32>
  return %p2, %m2, %v2 : tensor<256xf32>, tensor<256xf32>, tensor<256xf32>
}

// -----

// exp and mul are connected through a sum outside any region (it reduces
// every dim): putting both in one region would make a cycle through it, so
// neither region forms.
// CHECK-LABEL: func.func @no_cycle(
// CHECK-NOT: ember.fusion
// CHECK: return
func.func @no_cycle(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %a = ember.exp %x : tensor<8x16xf32>
  %s = ember.sum %a [0, 1] : tensor<8x16xf32> -> tensor<f32>
  %b = ember.broadcast %s : tensor<f32> to tensor<8x16xf32>
  %c = ember.mul %a, %b : tensor<8x16xf32>
  return %c : tensor<8x16xf32>
}

// -----

// An op between the region's first and last op that reads the region (the
// transpose) moves below it; one that does not (the matmul) stays above.
// CHECK-LABEL: func.func @movers(
// CHECK: %[[MM:.*]] = ember.matmul
// CHECK: %[[R:.*]]:2 = ember.fusion "elementwise"
// CHECK: ember.exp
// CHECK: ember.neg
// CHECK: ember.yield
// CHECK: %[[T:.*]] = ember.transpose %[[R]]#0
// CHECK: return
func.func @movers(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = ember.exp %x : tensor<4x4xf32>
  %t = ember.transpose %a [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %mm = ember.matmul %y, %y : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  %b = ember.neg %a : tensor<4x4xf32>
  return %t, %b, %mm : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A single elementwise op is not a region.
// CHECK-LABEL: func.func @single(
// CHECK-NOT: ember.fusion
func.func @single(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ember.exp %x : tensor<4xf32>
  return %a : tensor<4xf32>
}
