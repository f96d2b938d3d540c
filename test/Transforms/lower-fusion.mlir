// RUN: ember-opt %s --split-input-file --ember-fusion --convert-ember-to-linalg --ember-lower-fusion=tile-bytes=16384 --canonicalize --cse | FileCheck %s
// RUN: ember-opt %s --split-input-file --ember-fusion --convert-ember-to-linalg --ember-lower-fusion="row-tile=1 private-tiles=false" | FileCheck %s --check-prefix=GPU

// A rows region becomes one scf.forall over tiles of rows. With 16 KiB per
// tile (the default is 256 KiB), 32 rows of 128 floats; every op is tiled to them in order,
// so the row max, exp, row sum and division all read the tile's rows while
// they are in cache. The broadcasts have folded into their consumers, and the
// result tile is computed straight into its slice of the loop's result.
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[X:.*]]: tensor<64x128xf32>
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<64x128xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]]) = (0) to (64) step (32) shared_outs(%[[ACC:.*]] = %[[OUT]])
// CHECK: %[[XT:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [32, 128] [1, 1]
// CHECK: %[[MAX:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[XT]] : tensor<32x128xf32>)
// CHECK: %[[E:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[XT]], %[[MAX]]#0, %[[MAX]]#1 : tensor<32x128xf32>, tensor<32xf32>, tensor<32xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<32x128xf32>)
// CHECK: %[[DEST:.*]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [32, 128] [1, 1]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<32x128xf32>, tensor<32xf32>) outs(%[[DEST]] : tensor<32x128xf32>)
// CHECK: arith.divf
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[Y]] into %[[ACC]][%[[I]], 0] [32, 128] [1, 1]
// CHECK: return %[[R]]

// For GPU kernels: a thread per row, and every tile is a slice of a
// full-size buffer that is a loop result too (the row max and its NaN count,
// exp, the row sum), not a temporary, since a kernel cannot allocate.
// GPU-LABEL: func.func @softmax(
// GPU: scf.forall (%[[I:.*]]) in (64) shared_outs(%[[Y:.*]] = %{{.*}}, %[[MAX:.*]] = %{{.*}}, %[[NANS:.*]] = %{{.*}}, %[[E:.*]] = %{{.*}}, %[[SUM:.*]] = %{{.*}}) -> (tensor<64x128xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64x128xf32>, tensor<64xf32>)
// GPU: tensor.extract_slice %[[MAX]][%[[I]]] [1] [1]
// GPU: tensor.extract_slice %[[NANS]][%[[I]]] [1] [1]
// GPU: tensor.extract_slice %[[E]][%[[I]], 0] [1, 128] [1, 1]
// GPU: tensor.extract_slice %[[SUM]][%[[I]]] [1] [1]
// GPU: tensor.extract_slice %[[Y]][%[[I]], 0] [1, 128] [1, 1]
// GPU: scf.forall.in_parallel
// GPU-NEXT: tensor.parallel_insert_slice %{{.*}} into %[[Y]]
// GPU-NEXT: }
func.func @softmax(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %m = ember.max %x [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
  %mb = ember.broadcast %m : tensor<64x1xf32> to tensor<64x128xf32>
  %d = ember.sub %x, %mb : tensor<64x128xf32>
  %e = ember.exp %d : tensor<64x128xf32>
  %s = ember.sum %e [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
  %sb = ember.broadcast %s : tensor<64x1xf32> to tensor<64x128xf32>
  %y = ember.div %e, %sb : tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// An elementwise region is one linalg.generic with a result per yielded
// value, each input read once: the optimizer's three tensors in one loop.
// CHECK-LABEL: func.func @update(
// CHECK-SAME: %[[P:[^:]*]]: tensor<256xf32>, %[[G:[^:]*]]: tensor<256xf32>, %[[M:[^:]*]]: tensor<256xf32>, %[[V:[^:]*]]: tensor<256xf32>, %[[LR:[^:]*]]: tensor<f32>
// CHECK: %[[R:.*]]:3 = linalg.generic {{.*}} ins(%[[M]], %[[G]], %[[V]], %[[P]], %[[LR]] : tensor<256xf32>, tensor<256xf32>, tensor<256xf32>, tensor<256xf32>, tensor<f32>)
// CHECK: %[[M1:.*]] = arith.mulf
// CHECK: %[[M2:.*]] = arith.addf %[[M1]]
// CHECK: %[[V2:.*]] = arith.addf
// CHECK: math.sqrt %[[V2]]
// CHECK: %[[P2:.*]] = arith.subf
// CHECK: linalg.yield %[[M2]], %[[V2]], %[[P2]] : f32, f32, f32
// CHECK-NOT: linalg.generic
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
