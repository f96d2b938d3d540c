// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// A reduction is one linalg.generic with reduction iterators over the reduced
// dims into a filled accumulator (f32 for f16 / bf16); mean divides after;
// keepdim re-inserts the unit dims with tensor.expand_shape.

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @sum_f32(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>) -> tensor<3xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[ACC]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]] : tensor<3xf32>
func.func @sum_f32(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = ember.sum %x [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @sum_keepdim_i32(
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%{{.*}} : tensor<3xi32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x3x4xi32>) outs(%[[INIT]] : tensor<3xi32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[A]], %[[ACC]] : i32
// CHECK-NEXT: linalg.yield %[[S]] : i32
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]] {{\[}}[0, 1, 2]] output_shape [1, 3, 1] : tensor<3xi32> into tensor<1x3x1xi32>
// CHECK: return %[[E]] : tensor<1x3x1xi32>
func.func @sum_keepdim_i32(%x: tensor<2x3x4xi32>) -> tensor<1x3x1xi32> {
  %0 = ember.sum %x [0, 2] keepdim : tensor<2x3x4xi32> -> tensor<1x3x1xi32>
  return %0 : tensor<1x3x1xi32>
}

// -----

// All dims reduced: a rank-0 accumulator.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @sum_all(
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<f32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<f32>) -> tensor<f32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "reduction"]} ins(%{{.*}} : tensor<2x3xf32>) outs(%[[INIT]] : tensor<f32>)
// CHECK: arith.addf
// CHECK: } -> tensor<f32>
// CHECK-NOT: tensor.expand_shape
// CHECK: return %[[R]] : tensor<f32>
func.func @sum_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = ember.sum %x [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @sum_all_keepdim(
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<f32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: return %[[E]] : tensor<1x1xf32>
func.func @sum_all_keepdim(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = ember.sum %x [0, 1] keepdim : tensor<2x3xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// An empty dim list reduces nothing: all loops parallel.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @sum_no_dims(
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3xi64>)
// CHECK: arith.addi
// CHECK: -> tensor<2x3xi64>
func.func @sum_no_dims(%x: tensor<2x3xi64>) -> tensor<2x3xi64> {
  %0 = ember.sum %x [] : tensor<2x3xi64> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// f16 accumulates in f32 and is rounded once at the end.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @sum_f16(
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<2xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x3xf16>) outs(%[[INIT]] : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f16, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[W]], %[[OUT]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: %[[EMPTY2:.*]] = tensor.empty() : tensor<2xf16>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[ACC]] : tensor<2xf32>) outs(%[[EMPTY2]] : tensor<2xf16>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
// CHECK: return %[[R]] : tensor<2xf16>
func.func @sum_f16(%x: tensor<2x3xf16>) -> tensor<2xf16> {
  %0 = ember.sum %x [1] : tensor<2x3xf16> -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// mean = sum / (number of reduced elements), then keepdim.
// CHECK-LABEL: func.func @mean_keepdim_f32(
// CHECK: %[[ACC:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.addf
// CHECK: %[[M:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[ACC]] : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[N:.*]] = arith.constant 1.200000e+01 : f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[V]], %[[N]] : f32
// CHECK-NEXT: linalg.yield %[[D]] : f32
// CHECK: %[[E:.*]] = tensor.expand_shape %[[M]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: return %[[E]]
func.func @mean_keepdim_f32(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = ember.mean %x [1, 2] keepdim : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @mean_f16(
// CHECK: %[[ACC:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f16, %[[OUT:.*]]: f32):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: arith.addf %[[W]], %[[OUT]] fastmath<reassoc> : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[ACC]] : tensor<2xf32>) outs(%{{.*}} : tensor<2xf16>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f16):
// CHECK-NEXT: %[[N:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[V]], %[[N]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[D]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[T]] : f16
func.func @mean_f16(%x: tensor<2x3xf16>) -> tensor<2xf16> {
  %0 = ember.mean %x [1] : tensor<2x3xf16> -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// CHECK-LABEL: func.func @prod(
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ONE]] : f32)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: outs(%[[INIT]] : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[ACC]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[P]] : f32
// CHECK: %[[IONE:.*]] = arith.constant 1 : i64
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%[[IONE]] : i64)
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[IINIT]] : tensor<3xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: i64, %[[ACC:.*]]: i64):
// CHECK-NEXT: %[[P:.*]] = arith.muli %[[A]], %[[ACC]] : i64
// CHECK-NEXT: linalg.yield %[[P]] : i64
func.func @prod(%x: tensor<2x3xf32>, %y: tensor<2x3xi64>) -> (tensor<3xf32>, tensor<3xi64>) {
  %0 = ember.prod %x [0] : tensor<2x3xf32> -> tensor<3xf32>
  %1 = ember.prod %y [0] : tensor<2x3xi64> -> tensor<3xi64>
  return %0, %1 : tensor<3xf32>, tensor<3xi64>
}

// -----

// max starts at -inf (the lowest integer) and propagates NaN. For floats it
// is one pass with two accumulators LLVM vectorizes, maxnum assuming no NaN
// and a count of the NaNs, then a select that makes the result NaN where the
// count is not 0.
// CHECK-LABEL: func.func @max(
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32)
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: outs(%[[INIT]], %[[ZERO]] : tensor<2xf32>, tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32, %[[CNT:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = llvm.intr.maxnum(%[[A]], %[[ACC]]) {fastmathFlags = #llvm.fastmath<nnan, nsz>} : (f32, f32) -> f32
// CHECK-NEXT: %[[U:.*]] = arith.cmpf uno, %[[A]], %[[A]]
// CHECK: %[[N:.*]] = arith.addf %[[CNT]], %{{.*}} fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[M]], %[[N]] : f32, f32
// CHECK: linalg.generic {{.*}} ins(%[[R]]#0, %[[R]]#1 : tensor<2xf32>, tensor<2xf32>)
// CHECK: %[[ANY:.*]] = arith.cmpf ogt
// CHECK: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: arith.select %[[ANY]], %[[NAN]], %{{.*}} : f32
// CHECK: %[[IMIN:.*]] = arith.constant -2147483648 : i32
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%[[IMIN]] : i32)
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[IINIT]] : tensor<2xi32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK-NEXT: %[[M:.*]] = arith.maxsi %[[A]], %[[ACC]] : i32
// CHECK-NEXT: linalg.yield %[[M]] : i32
func.func @max(%x: tensor<2x3xf32>, %y: tensor<2x3xi32>) -> (tensor<2xf32>, tensor<2xi32>) {
  %0 = ember.max %x [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = ember.max %y [1] : tensor<2x3xi32> -> tensor<2xi32>
  return %0, %1 : tensor<2xf32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @max_bf16(
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[ACC:.*]]:2 = linalg.generic
// CHECK-SAME: outs(%[[INIT]], %{{.*}} : tensor<2xf32>, tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: bf16, %[[OUT:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT: %[[M:.*]] = llvm.intr.maxnum(%[[W]], %[[OUT]]) {{.*}} : (f32, f32) -> f32
// CHECK: %[[SEL:.*]] = linalg.generic {{.*}} ins(%[[ACC]]#0, %[[ACC]]#1 : tensor<2xf32>, tensor<2xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SEL]] : tensor<2xf32>) outs(%{{.*}} : tensor<2xbf16>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: bf16):
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[V]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[T]] : bf16
func.func @max_bf16(%x: tensor<2x3xbf16>) -> tensor<2xbf16> {
  %0 = ember.max %x [1] : tensor<2x3xbf16> -> tensor<2xbf16>
  return %0 : tensor<2xbf16>
}

// -----

// min starts at +inf (the highest integer) and propagates NaN (minnum and a
// NaN count, as max).
// CHECK-LABEL: func.func @min(
// CHECK: %[[PINF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[PINF]] : f32)
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[INIT]], %{{.*}} : tensor<3xf32>, tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[M:.*]] = llvm.intr.minnum(%[[A]], %[[ACC]]) {fastmathFlags = #llvm.fastmath<nnan, nsz>} : (f32, f32) -> f32
// CHECK: %[[IMAX:.*]] = arith.constant 127 : i8
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%[[IMAX]] : i8)
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[IINIT]] : tensor<3xi8>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: i8, %[[ACC:.*]]: i8):
// CHECK-NEXT: %[[M:.*]] = arith.minsi %[[A]], %[[ACC]] : i8
// CHECK-NEXT: linalg.yield %[[M]] : i8
func.func @min(%x: tensor<2x3xf32>, %y: tensor<2x3xi8>) -> (tensor<3xf32>, tensor<3xi8>) {
  %0 = ember.min %x [0] : tensor<2x3xf32> -> tensor<3xf32>
  %1 = ember.min %y [0] : tensor<2x3xi8> -> tensor<3xi8>
  return %0, %1 : tensor<3xf32>, tensor<3xi8>
}

//===----------------------------------------------------------------------===//
// argmax / argmin
//===----------------------------------------------------------------------===//

// -----

// One generic with a value and an index accumulator. An element wins when it
// is strictly greater, or when it is the first NaN; its index is
// linalg.index along the reduced dim.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @argmax_f32(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>) -> tensor<2xi64>
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<2xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<2x3xf32>) outs(%[[VINIT]], %[[IINIT]] : tensor<2xf32>, tensor<2xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32, %[[ACCIDX:.*]]: i64):
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[ACC]] : f32
// CHECK-NEXT: %[[ANAN:.*]] = arith.cmpf uno, %[[A]], %[[A]] : f32
// CHECK-NEXT: %[[ACCNUM:.*]] = arith.cmpf ord, %[[ACC]], %[[ACC]] : f32
// CHECK-NEXT: %[[FIRSTNAN:.*]] = arith.andi %[[ANAN]], %[[ACCNUM]] : i1
// CHECK-NEXT: %[[BETTER:.*]] = arith.ori %[[GT]], %[[FIRSTNAN]] : i1
// CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[V:.*]] = arith.select %[[BETTER]], %[[A]], %[[ACC]] : f32
// CHECK-NEXT: %[[IDX:.*]] = arith.select %[[BETTER]], %[[I64]], %[[ACCIDX]] : i64
// CHECK-NEXT: linalg.yield %[[V]], %[[IDX]] : f32, i64
// CHECK: } -> (tensor<2xf32>, tensor<2xi64>)
// CHECK: return %[[R]]#1 : tensor<2xi64>
func.func @argmax_f32(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = ember.argmax %x 1 : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @argmin_f32(
// CHECK: %[[PINF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%[[PINF]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<3xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<2x3xf32>) outs(%[[VINIT]], %[[IINIT]] : tensor<3xf32>, tensor<3xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[ACC:.*]]: f32, %{{.*}}: i64):
// CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[A]], %[[ACC]] : f32
// CHECK-NEXT: arith.cmpf uno, %[[A]], %[[A]] : f32
// CHECK-NEXT: arith.cmpf ord, %[[ACC]], %[[ACC]] : f32
// CHECK: linalg.index 0 : index
// CHECK: return %[[R]]#1 : tensor<3xi64>
func.func @argmin_f32(%x: tensor<2x3xf32>) -> tensor<3xi64> {
  %0 = ember.argmin %x 0 : tensor<2x3xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Integers compare signed and need no NaN handling; keepdim expands the index.
// CHECK-LABEL: func.func @argmin_keepdim_i32(
// CHECK: %[[IMAX:.*]] = arith.constant 2147483647 : i32
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%[[IMAX]] : i32) outs(%{{.*}} : tensor<3xi32>)
// CHECK: %[[R:.*]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: outs(%[[VINIT]], %{{.*}} : tensor<3xi32>, tensor<3xi64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: i32, %[[ACC:.*]]: i32, %[[ACCIDX:.*]]: i64):
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[A]], %[[ACC]] : i32
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK-NEXT: %[[V:.*]] = arith.select %[[LT]], %[[A]], %[[ACC]] : i32
// CHECK-NEXT: %[[IDX:.*]] = arith.select %[[LT]], %[[I64]], %[[ACCIDX]] : i64
// CHECK-NEXT: linalg.yield %[[V]], %[[IDX]] : i32, i64
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]]#1 {{\[}}[0, 1]] output_shape [1, 3] : tensor<3xi64> into tensor<1x3xi64>
// CHECK: return %[[E]] : tensor<1x3xi64>
func.func @argmin_keepdim_i32(%x: tensor<2x3xi32>) -> tensor<1x3xi64> {
  %0 = ember.argmin %x 0 keepdim : tensor<2x3xi32> -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// -----

// f16 values are compared in f32; a 1-D input gives a rank-0 index.
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @argmax_f16(
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["reduction"]} ins(%{{.*}} : tensor<5xf16>) outs(%[[VINIT]], %{{.*}} : tensor<f32>, tensor<i64>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f16, %[[ACC:.*]]: f32, %{{.*}}: i64):
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: arith.cmpf ogt, %[[W]], %[[ACC]] : f32
// CHECK-NEXT: arith.cmpf uno, %[[W]], %[[W]] : f32
// CHECK: arith.select %{{.*}}, %[[W]], %[[ACC]] : f32
// CHECK: return %[[R]]#1 : tensor<i64>
func.func @argmax_f16(%x: tensor<5xf16>) -> tensor<i64> {
  %0 = ember.argmax %x 0 : tensor<5xf16> -> tensor<i64>
  return %0 : tensor<i64>
}
