// RUN: ember-opt %s | ember-opt | FileCheck %s

// Round trip of every ember op: parse, print, parse the printed form again and
// check it. Element types, rank-0, size-1, size-0 and dynamic dimensions are
// spread across the ops.

// CHECK-LABEL: func.func @unary_float
// CHECK-SAME: (%[[F16:.*]]: tensor<2x3xf16>, %[[BF16:.*]]: tensor<?x4xbf16>, %[[F32:.*]]: tensor<f32>, %[[F64:.*]]: tensor<0x5xf64>)
func.func @unary_float(%f16: tensor<2x3xf16>, %bf16: tensor<?x4xbf16>,
                       %f32: tensor<f32>, %f64: tensor<0x5xf64>) {
  // CHECK: ember.exp %[[F16]] : tensor<2x3xf16>
  %0 = ember.exp %f16 : tensor<2x3xf16>
  // CHECK: ember.log %[[BF16]] : tensor<?x4xbf16>
  %1 = ember.log %bf16 : tensor<?x4xbf16>
  // CHECK: ember.log1p %[[F32]] : tensor<f32>
  %2 = ember.log1p %f32 : tensor<f32>
  // CHECK: ember.sqrt %[[F64]] : tensor<0x5xf64>
  %3 = ember.sqrt %f64 : tensor<0x5xf64>
  // CHECK: ember.rsqrt %[[F16]] : tensor<2x3xf16>
  %4 = ember.rsqrt %f16 : tensor<2x3xf16>
  // CHECK: ember.tanh %[[BF16]] : tensor<?x4xbf16>
  %5 = ember.tanh %bf16 : tensor<?x4xbf16>
  // CHECK: ember.sigmoid %[[F32]] : tensor<f32>
  %6 = ember.sigmoid %f32 : tensor<f32>
  // CHECK: ember.erf %[[F64]] : tensor<0x5xf64>
  %7 = ember.erf %f64 : tensor<0x5xf64>
  // CHECK: ember.sin %[[F16]] : tensor<2x3xf16>
  %8 = ember.sin %f16 : tensor<2x3xf16>
  // CHECK: ember.cos %[[BF16]] : tensor<?x4xbf16>
  %9 = ember.cos %bf16 : tensor<?x4xbf16>
  // CHECK: ember.floor %[[F32]] : tensor<f32>
  %10 = ember.floor %f32 : tensor<f32>
  return
}

// CHECK-LABEL: func.func @unary_numeric
// CHECK-SAME: (%[[I8:.*]]: tensor<1xi8>, %[[I32:.*]]: tensor<3x?xi32>, %[[I64:.*]]: tensor<i64>, %[[F32:.*]]: tensor<0xf32>, %[[B:.*]]: tensor<4x1xi1>)
func.func @unary_numeric(%i8: tensor<1xi8>, %i32: tensor<3x?xi32>,
                         %i64: tensor<i64>, %f32: tensor<0xf32>,
                         %b: tensor<4x1xi1>) {
  // CHECK: ember.neg %[[I8]] : tensor<1xi8>
  %0 = ember.neg %i8 : tensor<1xi8>
  // CHECK: ember.neg %[[F32]] : tensor<0xf32>
  %1 = ember.neg %f32 : tensor<0xf32>
  // CHECK: ember.abs %[[I32]] : tensor<3x?xi32>
  %2 = ember.abs %i32 : tensor<3x?xi32>
  // CHECK: ember.sign %[[I64]] : tensor<i64>
  %3 = ember.sign %i64 : tensor<i64>
  // CHECK: ember.sign %[[F32]] : tensor<0xf32>
  %4 = ember.sign %f32 : tensor<0xf32>
  // CHECK: ember.logical_not %[[B]] : tensor<4x1xi1>
  %5 = ember.logical_not %b : tensor<4x1xi1>
  return
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[F16:.*]]: tensor<2x3xf16>, %[[BF16:.*]]: tensor<?xbf16>, %[[F64:.*]]: tensor<f64>, %[[I8:.*]]: tensor<0x2xi8>, %[[I32:.*]]: tensor<1x1xi32>, %[[I64:.*]]: tensor<5xi64>, %[[B:.*]]: tensor<2x?xi1>)
func.func @binary(%f16: tensor<2x3xf16>, %bf16: tensor<?xbf16>,
                  %f64: tensor<f64>, %i8: tensor<0x2xi8>,
                  %i32: tensor<1x1xi32>, %i64: tensor<5xi64>,
                  %b: tensor<2x?xi1>) {
  // CHECK: ember.add %[[F16]], %[[F16]] : tensor<2x3xf16>
  %0 = ember.add %f16, %f16 : tensor<2x3xf16>
  // CHECK: ember.sub %[[BF16]], %[[BF16]] : tensor<?xbf16>
  %1 = ember.sub %bf16, %bf16 : tensor<?xbf16>
  // CHECK: ember.mul %[[F64]], %[[F64]] : tensor<f64>
  %2 = ember.mul %f64, %f64 : tensor<f64>
  // CHECK: ember.div %[[I8]], %[[I8]] : tensor<0x2xi8>
  %3 = ember.div %i8, %i8 : tensor<0x2xi8>
  // CHECK: ember.div %[[F16]], %[[F16]] : tensor<2x3xf16>
  %4 = ember.div %f16, %f16 : tensor<2x3xf16>
  // CHECK: ember.rem %[[F16]], %[[F16]] : tensor<2x3xf16>
  %rem0 = ember.rem %f16, %f16 : tensor<2x3xf16>
  // CHECK: ember.rem %[[I32]], %[[I32]] : tensor<1x1xi32>
  %rem1 = ember.rem %i32, %i32 : tensor<1x1xi32>
  // CHECK: ember.pow %[[I32]], %[[I32]] : tensor<1x1xi32>
  %5 = ember.pow %i32, %i32 : tensor<1x1xi32>
  // CHECK: ember.pow %[[F64]], %[[F64]] : tensor<f64>
  %6 = ember.pow %f64, %f64 : tensor<f64>
  // CHECK: ember.maximum %[[I64]], %[[I64]] : tensor<5xi64>
  %7 = ember.maximum %i64, %i64 : tensor<5xi64>
  // CHECK: ember.minimum %[[BF16]], %[[BF16]] : tensor<?xbf16>
  %8 = ember.minimum %bf16, %bf16 : tensor<?xbf16>
  // CHECK: ember.logical_and %[[B]], %[[B]] : tensor<2x?xi1>
  %9 = ember.logical_and %b, %b : tensor<2x?xi1>
  // CHECK: ember.logical_or %[[B]], %[[B]] : tensor<2x?xi1>
  %10 = ember.logical_or %b, %b : tensor<2x?xi1>
  return
}

// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[F32:.*]]: tensor<2x3xf32>, %[[I8:.*]]: tensor<?xi8>, %[[B:.*]]: tensor<i1>, %[[F16:.*]]: tensor<0xf16>)
func.func @compare(%f32: tensor<2x3xf32>, %i8: tensor<?xi8>, %b: tensor<i1>,
                   %f16: tensor<0xf16>)
    -> (tensor<2x3xi1>, tensor<?xi1>, tensor<i1>, tensor<0xi1>) {
  // CHECK: %[[EQ:.*]] = ember.eq %[[F32]], %[[F32]] : tensor<2x3xf32>
  %0 = ember.eq %f32, %f32 : tensor<2x3xf32>
  // CHECK: %[[NE:.*]] = ember.ne %[[I8]], %[[I8]] : tensor<?xi8>
  %1 = ember.ne %i8, %i8 : tensor<?xi8>
  // CHECK: %[[LT:.*]] = ember.lt %[[B]], %[[B]] : tensor<i1>
  %2 = ember.lt %b, %b : tensor<i1>
  // CHECK: %[[LE:.*]] = ember.le %[[F16]], %[[F16]] : tensor<0xf16>
  %3 = ember.le %f16, %f16 : tensor<0xf16>
  // CHECK: ember.gt %[[F32]], %[[F32]] : tensor<2x3xf32>
  %4 = ember.gt %f32, %f32 : tensor<2x3xf32>
  // CHECK: ember.ge %[[I8]], %[[I8]] : tensor<?xi8>
  %5 = ember.ge %i8, %i8 : tensor<?xi8>
  // CHECK: return %[[EQ]], %[[NE]], %[[LT]], %[[LE]] : tensor<2x3xi1>, tensor<?xi1>, tensor<i1>, tensor<0xi1>
  return %0, %1, %2, %3 : tensor<2x3xi1>, tensor<?xi1>, tensor<i1>, tensor<0xi1>
}

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[CD:.*]]: tensor<?x2xi1>, %[[ID:.*]]: tensor<?x2xi64>, %[[C0:.*]]: tensor<i1>)
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>,
                  %cd: tensor<?x2xi1>, %id: tensor<?x2xi64>, %c0: tensor<i1>) {
  // CHECK: ember.select %[[C]], %[[A]], %[[B]] : tensor<4xf32>
  %0 = ember.select %c, %a, %b : tensor<4xf32>
  // CHECK: ember.select %[[CD]], %[[ID]], %[[ID]] : tensor<?x2xi64>
  %1 = ember.select %cd, %id, %id : tensor<?x2xi64>
  // CHECK: ember.select %[[C0]], %[[C0]], %[[C0]] : tensor<i1>
  %2 = ember.select %c0, %c0, %c0 : tensor<i1>
  return
}

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[F32:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<2x?xi1>, %[[I8:.*]]: tensor<i8>, %[[BF16:.*]]: tensor<0x3xbf16>)
func.func @cast(%f32: tensor<4xf32>, %b: tensor<2x?xi1>, %i8: tensor<i8>,
                %bf16: tensor<0x3xbf16>) {
  // CHECK: ember.cast %[[F32]] : tensor<4xf32> to tensor<4xi32>
  %0 = ember.cast %f32 : tensor<4xf32> to tensor<4xi32>
  // CHECK: ember.cast %[[F32]] : tensor<4xf32> to tensor<4xi1>
  %1 = ember.cast %f32 : tensor<4xf32> to tensor<4xi1>
  // CHECK: ember.cast %[[B]] : tensor<2x?xi1> to tensor<2x?xf16>
  %2 = ember.cast %b : tensor<2x?xi1> to tensor<2x?xf16>
  // CHECK: ember.cast %[[I8]] : tensor<i8> to tensor<i64>
  %3 = ember.cast %i8 : tensor<i8> to tensor<i64>
  // CHECK: ember.cast %[[BF16]] : tensor<0x3xbf16> to tensor<0x3xf64>
  %4 = ember.cast %bf16 : tensor<0x3xbf16> to tensor<0x3xf64>
  return
}

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<3x1xf32>, %[[S:.*]]: tensor<i8>, %[[D:.*]]: tensor<?x4xi1>, %[[E:.*]]: tensor<1xf64>)
func.func @broadcast(%x: tensor<3x1xf32>, %s: tensor<i8>, %d: tensor<?x4xi1>,
                     %e: tensor<1xf64>) {
  // CHECK: ember.broadcast %[[X]] : tensor<3x1xf32> to tensor<2x3x4xf32>
  %0 = ember.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
  // CHECK: ember.broadcast %[[S]] : tensor<i8> to tensor<2x3xi8>
  %1 = ember.broadcast %s : tensor<i8> to tensor<2x3xi8>
  // CHECK: ember.broadcast %[[D]] : tensor<?x4xi1> to tensor<5x3x4xi1>
  %2 = ember.broadcast %d : tensor<?x4xi1> to tensor<5x3x4xi1>
  // CHECK: ember.broadcast %[[E]] : tensor<1xf64> to tensor<0xf64>
  %3 = ember.broadcast %e : tensor<1xf64> to tensor<0xf64>
  // CHECK: ember.broadcast %[[X]] : tensor<3x1xf32> to tensor<?x3x?xf32>
  %4 = ember.broadcast %x : tensor<3x1xf32> to tensor<?x3x?xf32>
  // CHECK: ember.broadcast %[[X]] : tensor<3x1xf32> to tensor<3x1xf32>
  %5 = ember.broadcast %x : tensor<3x1xf32> to tensor<3x1xf32>
  return
}

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[F32:.*]]: tensor<2x3x4xf32>, %[[I32:.*]]: tensor<?x5xi32>, %[[F16:.*]]: tensor<f16>, %[[I8:.*]]: tensor<0x2xi8>, %[[BF16:.*]]: tensor<1x?xbf16>, %[[F64:.*]]: tensor<3xf64>, %[[I64:.*]]: tensor<2x2xi64>)
func.func @reductions(%f32: tensor<2x3x4xf32>, %i32: tensor<?x5xi32>,
                      %f16: tensor<f16>, %i8: tensor<0x2xi8>,
                      %bf16: tensor<1x?xbf16>, %f64: tensor<3xf64>,
                      %i64: tensor<2x2xi64>) {
  // CHECK: ember.sum %[[F32]] [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %0 = ember.sum %f32 [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  // CHECK: ember.sum %[[F32]] [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = ember.sum %f32 [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: ember.sum %[[I32]] [0] : tensor<?x5xi32> -> tensor<5xi32>
  %2 = ember.sum %i32 [0] : tensor<?x5xi32> -> tensor<5xi32>
  // CHECK: ember.sum %[[F16]] [] : tensor<f16> -> tensor<f16>
  %3 = ember.sum %f16 [] : tensor<f16> -> tensor<f16>
  // CHECK: ember.mean %[[BF16]] [1] keepdim : tensor<1x?xbf16> -> tensor<1x1xbf16>
  %4 = ember.mean %bf16 [1] keepdim : tensor<1x?xbf16> -> tensor<1x1xbf16>
  // CHECK: ember.mean %[[F64]] [0] : tensor<3xf64> -> tensor<f64>
  %5 = ember.mean %f64 [0] : tensor<3xf64> -> tensor<f64>
  // CHECK: ember.prod %[[I8]] [0] : tensor<0x2xi8> -> tensor<2xi8>
  %6 = ember.prod %i8 [0] : tensor<0x2xi8> -> tensor<2xi8>
  // CHECK: ember.prod %[[I8]] [0, 1] keepdim : tensor<0x2xi8> -> tensor<1x1xi8>
  %7 = ember.prod %i8 [0, 1] keepdim : tensor<0x2xi8> -> tensor<1x1xi8>
  // CHECK: ember.max %[[I64]] [1] : tensor<2x2xi64> -> tensor<2xi64>
  %8 = ember.max %i64 [1] : tensor<2x2xi64> -> tensor<2xi64>
  // CHECK: ember.max %[[I32]] [1] keepdim : tensor<?x5xi32> -> tensor<?x1xi32>
  %9 = ember.max %i32 [1] keepdim : tensor<?x5xi32> -> tensor<?x1xi32>
  // CHECK: ember.min %[[F32]] [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %10 = ember.min %f32 [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: ember.min %[[F16]] [] keepdim : tensor<f16> -> tensor<f16>
  %11 = ember.min %f16 [] keepdim : tensor<f16> -> tensor<f16>
  return
}

// CHECK-LABEL: func.func @arg_reductions
// CHECK-SAME: (%[[F32:.*]]: tensor<2x3xf32>, %[[I8:.*]]: tensor<?x4xi8>, %[[F16:.*]]: tensor<5xf16>, %[[I64:.*]]: tensor<1x0xi64>)
func.func @arg_reductions(%f32: tensor<2x3xf32>, %i8: tensor<?x4xi8>,
                          %f16: tensor<5xf16>, %i64: tensor<1x0xi64>) {
  // CHECK: ember.argmax %[[F32]] 1 : tensor<2x3xf32> -> tensor<2xi64>
  %0 = ember.argmax %f32 1 : tensor<2x3xf32> -> tensor<2xi64>
  // CHECK: ember.argmax %[[I8]] 1 keepdim : tensor<?x4xi8> -> tensor<?x1xi64>
  %1 = ember.argmax %i8 1 keepdim : tensor<?x4xi8> -> tensor<?x1xi64>
  // CHECK: ember.argmax %[[F16]] 0 : tensor<5xf16> -> tensor<i64>
  %2 = ember.argmax %f16 0 : tensor<5xf16> -> tensor<i64>
  // CHECK: ember.argmin %[[F32]] 0 keepdim : tensor<2x3xf32> -> tensor<1x3xi64>
  %3 = ember.argmin %f32 0 keepdim : tensor<2x3xf32> -> tensor<1x3xi64>
  // CHECK: ember.argmin %[[I64]] 0 : tensor<1x0xi64> -> tensor<0xi64>
  %4 = ember.argmin %i64 0 : tensor<1x0xi64> -> tensor<0xi64>
  return
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[V:.*]]: tensor<3xf32>, %[[M23:.*]]: tensor<2x3xf32>, %[[M34:.*]]: tensor<3x4xf32>, %[[VH:.*]]: tensor<3xf16>, %[[MH:.*]]: tensor<3x4xf16>, %[[B:.*]]: tensor<5x1x2x3xf16>, %[[C:.*]]: tensor<7x3x4xf16>, %[[D:.*]]: tensor<?x3xi32>, %[[E:.*]]: tensor<3x?xi32>, %[[F:.*]]: tensor<2x0xf64>, %[[G:.*]]: tensor<0x4xf64>, %[[P:.*]]: tensor<?x1x2x3xbf16>, %[[Q:.*]]: tensor<1x3x1xbf16>, %[[R:.*]]: tensor<1xi8>)
func.func @matmul(%v: tensor<3xf32>, %m23: tensor<2x3xf32>,
                  %m34: tensor<3x4xf32>, %vh: tensor<3xf16>,
                  %mh: tensor<3x4xf16>, %b: tensor<5x1x2x3xf16>,
                  %c: tensor<7x3x4xf16>, %d: tensor<?x3xi32>,
                  %e: tensor<3x?xi32>, %f: tensor<2x0xf64>,
                  %g: tensor<0x4xf64>, %p: tensor<?x1x2x3xbf16>,
                  %q: tensor<1x3x1xbf16>, %r: tensor<1xi8>) {
  // 1-D x 1-D: dot product, rank-0 result.
  // CHECK: ember.matmul %[[V]], %[[V]] : tensor<3xf32>, tensor<3xf32> -> tensor<f32>
  %0 = ember.matmul %v, %v : tensor<3xf32>, tensor<3xf32> -> tensor<f32>
  // CHECK: ember.matmul %[[R]], %[[R]] : tensor<1xi8>, tensor<1xi8> -> tensor<i8>
  %1 = ember.matmul %r, %r : tensor<1xi8>, tensor<1xi8> -> tensor<i8>
  // 2-D x 1-D: matrix-vector.
  // CHECK: ember.matmul %[[M23]], %[[V]] : tensor<2x3xf32>, tensor<3xf32> -> tensor<2xf32>
  %2 = ember.matmul %m23, %v : tensor<2x3xf32>, tensor<3xf32> -> tensor<2xf32>
  // 1-D x 2-D: vector-matrix.
  // CHECK: ember.matmul %[[V]], %[[M34]] : tensor<3xf32>, tensor<3x4xf32> -> tensor<4xf32>
  %3 = ember.matmul %v, %m34 : tensor<3xf32>, tensor<3x4xf32> -> tensor<4xf32>
  // 2-D x 2-D.
  // CHECK: ember.matmul %[[M23]], %[[M34]] : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %4 = ember.matmul %m23, %m34 : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  // Batched with broadcast batch dims: 5x1 and 7 give 5x7.
  // CHECK: ember.matmul %[[B]], %[[C]] : tensor<5x1x2x3xf16>, tensor<7x3x4xf16> -> tensor<5x7x2x4xf16>
  %5 = ember.matmul %b, %c : tensor<5x1x2x3xf16>, tensor<7x3x4xf16> -> tensor<5x7x2x4xf16>
  // Batched x 2-D: the 2-D operand broadcasts over the batch.
  // CHECK: ember.matmul %[[B]], %[[MH]] : tensor<5x1x2x3xf16>, tensor<3x4xf16> -> tensor<5x1x2x4xf16>
  %6 = ember.matmul %b, %mh : tensor<5x1x2x3xf16>, tensor<3x4xf16> -> tensor<5x1x2x4xf16>
  // Batched x 1-D and 1-D x batched.
  // CHECK: ember.matmul %[[B]], %[[VH]] : tensor<5x1x2x3xf16>, tensor<3xf16> -> tensor<5x1x2xf16>
  %7 = ember.matmul %b, %vh : tensor<5x1x2x3xf16>, tensor<3xf16> -> tensor<5x1x2xf16>
  // CHECK: ember.matmul %[[VH]], %[[C]] : tensor<3xf16>, tensor<7x3x4xf16> -> tensor<7x4xf16>
  %8 = ember.matmul %vh, %c : tensor<3xf16>, tensor<7x3x4xf16> -> tensor<7x4xf16>
  // Dynamic dims, in the batch and in the matrix dims.
  // CHECK: ember.matmul %[[D]], %[[E]] : tensor<?x3xi32>, tensor<3x?xi32> -> tensor<?x?xi32>
  %9 = ember.matmul %d, %e : tensor<?x3xi32>, tensor<3x?xi32> -> tensor<?x?xi32>
  // CHECK: ember.matmul %[[P]], %[[Q]] : tensor<?x1x2x3xbf16>, tensor<1x3x1xbf16> -> tensor<?x1x2x1xbf16>
  %10 = ember.matmul %p, %q : tensor<?x1x2x3xbf16>, tensor<1x3x1xbf16> -> tensor<?x1x2x1xbf16>
  // Empty contraction.
  // CHECK: ember.matmul %[[F]], %[[G]] : tensor<2x0xf64>, tensor<0x4xf64> -> tensor<2x4xf64>
  %11 = ember.matmul %f, %g : tensor<2x0xf64>, tensor<0x4xf64> -> tensor<2x4xf64>
  return
}

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[S:.*]]: tensor<i64>, %[[D:.*]]: tensor<?x4xi1>, %[[Z:.*]]: tensor<0x3xbf16>)
func.func @reshape(%x: tensor<2x3xf32>, %s: tensor<i64>, %d: tensor<?x4xi1>,
                   %z: tensor<0x3xbf16>) {
  // CHECK: ember.reshape %[[X]] : tensor<2x3xf32> to tensor<3x1x2xf32>
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<3x1x2xf32>
  // CHECK: ember.reshape %[[X]] : tensor<2x3xf32> to tensor<6xf32>
  %1 = ember.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  // Rank 0 to size-1 dims and back.
  // CHECK: %[[U:.*]] = ember.reshape %[[S]] : tensor<i64> to tensor<1x1xi64>
  %2 = ember.reshape %s : tensor<i64> to tensor<1x1xi64>
  // CHECK: ember.reshape %[[U]] : tensor<1x1xi64> to tensor<i64>
  %3 = ember.reshape %2 : tensor<1x1xi64> to tensor<i64>
  // CHECK: ember.reshape %[[D]] : tensor<?x4xi1> to tensor<?xi1>
  %4 = ember.reshape %d : tensor<?x4xi1> to tensor<?xi1>
  // CHECK: ember.reshape %[[Z]] : tensor<0x3xbf16> to tensor<3x0x5xbf16>
  %5 = ember.reshape %z : tensor<0x3xbf16> to tensor<3x0x5xbf16>
  return
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x?x4xi8>, %[[S:.*]]: tensor<f16>, %[[Z:.*]]: tensor<0x1xi1>)
func.func @transpose(%x: tensor<2x3xf32>, %y: tensor<2x?x4xi8>, %s: tensor<f16>,
                     %z: tensor<0x1xi1>) {
  // CHECK: ember.transpose %[[X]] [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %0 = ember.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: ember.transpose %[[Y]] [2, 0, 1] : tensor<2x?x4xi8> -> tensor<4x2x?xi8>
  %1 = ember.transpose %y [2, 0, 1] : tensor<2x?x4xi8> -> tensor<4x2x?xi8>
  // CHECK: ember.transpose %[[S]] [] : tensor<f16> -> tensor<f16>
  %2 = ember.transpose %s [] : tensor<f16> -> tensor<f16>
  // CHECK: ember.transpose %[[Z]] [1, 0] : tensor<0x1xi1> -> tensor<1x0xi1>
  %3 = ember.transpose %z [1, 0] : tensor<0x1xi1> -> tensor<1x0xi1>
  // CHECK: ember.transpose %[[X]] [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = ember.transpose %x [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf32>, %[[D:.*]]: tensor<?x5xi32>, %[[S:.*]]: tensor<f64>, %[[B:.*]]: tensor<3xi1>)
func.func @slice(%x: tensor<4x4xf32>, %d: tensor<?x5xi32>, %s: tensor<f64>,
                 %b: tensor<3xi1>) {
  // CHECK: ember.slice %[[X]] start [0, 1] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  // Empty and size-1 slices; a step that leaves a partial last stride.
  // CHECK: ember.slice %[[X]] start [2, 3] stop [2, 4] step [1, 3] : tensor<4x4xf32> -> tensor<0x1xf32>
  %1 = ember.slice %x start [2, 3] stop [2, 4] step [1, 3] : tensor<4x4xf32> -> tensor<0x1xf32>
  // CHECK: ember.slice %[[X]] start [0, 0] stop [4, 4] step [3, 3] : tensor<4x4xf32> -> tensor<2x2xf32>
  %2 = ember.slice %x start [0, 0] stop [4, 4] step [3, 3] : tensor<4x4xf32> -> tensor<2x2xf32>
  // A dynamic dimension: any stop is accepted there.
  // CHECK: ember.slice %[[D]] start [1, 0] stop [7, 5] step [2, 5] : tensor<?x5xi32> -> tensor<3x1xi32>
  %3 = ember.slice %d start [1, 0] stop [7, 5] step [2, 5] : tensor<?x5xi32> -> tensor<3x1xi32>
  // CHECK: ember.slice %[[S]] start [] stop [] step [] : tensor<f64> -> tensor<f64>
  %4 = ember.slice %s start [] stop [] step [] : tensor<f64> -> tensor<f64>
  // CHECK: ember.slice %[[B]] start [3] stop [3] step [1] : tensor<3xi1> -> tensor<0xi1>
  %5 = ember.slice %b start [3] stop [3] step [1] : tensor<3xi1> -> tensor<0xi1>
  // A step near INT64_MAX takes one element (no overflow in the size).
  // CHECK: ember.slice %[[X]] start [0, 0] stop [2, 4] step [9223372036854775807, 1] : tensor<4x4xf32> -> tensor<1x4xf32>
  %6 = ember.slice %x start [0, 0] stop [2, 4] step [9223372036854775807, 1] : tensor<4x4xf32> -> tensor<1x4xf32>
  return
}

// CHECK-LABEL: func.func @insert_slice
// CHECK-SAME: (%[[V:.*]]: tensor<2x3xf32>, %[[X:.*]]: tensor<4x4xf32>, %[[E:.*]]: tensor<0xi1>, %[[B:.*]]: tensor<3xi1>)
func.func @insert_slice(%v: tensor<2x3xf32>, %x: tensor<4x4xf32>, %e: tensor<0xi1>,
                        %b: tensor<3xi1>) {
  // CHECK: ember.insert_slice %[[V]] into %[[X]] start [0, 1] stop [4, 4] step [2, 1] : tensor<2x3xf32> into tensor<4x4xf32>
  %0 = ember.insert_slice %v into %x start [0, 1] stop [4, 4] step [2, 1] : tensor<2x3xf32> into tensor<4x4xf32>
  // CHECK: ember.insert_slice %[[E]] into %[[B]] start [3] stop [3] step [1] : tensor<0xi1> into tensor<3xi1>
  %1 = ember.insert_slice %e into %b start [3] stop [3] step [1] : tensor<0xi1> into tensor<3xi1>
  return
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<1x3xf32>, %[[C:.*]]: tensor<0x3xf32>, %[[D:.*]]: tensor<?x3xf32>, %[[E:.*]]: tensor<2x?xi8>, %[[F:.*]]: tensor<2x4xi8>, %[[G:.*]]: tensor<5xi1>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %c: tensor<0x3xf32>,
                  %d: tensor<?x3xf32>, %e: tensor<2x?xi8>, %f: tensor<2x4xi8>,
                  %g: tensor<5xi1>) {
  // CHECK: ember.concat %[[A]], %[[B]] dim 0 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  %0 = ember.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  // CHECK: ember.concat %[[A]], %[[C]], %[[B]] dim 0 : (tensor<2x3xf32>, tensor<0x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  %1 = ember.concat %a, %c, %b dim 0 : (tensor<2x3xf32>, tensor<0x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  // CHECK: ember.concat %[[A]], %[[D]] dim 0 : (tensor<2x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = ember.concat %a, %d dim 0 : (tensor<2x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  // CHECK: ember.concat %[[E]], %[[F]] dim 0 : (tensor<2x?xi8>, tensor<2x4xi8>) -> tensor<4x4xi8>
  %3 = ember.concat %e, %f dim 0 : (tensor<2x?xi8>, tensor<2x4xi8>) -> tensor<4x4xi8>
  // CHECK: ember.concat %[[F]], %[[E]] dim 1 : (tensor<2x4xi8>, tensor<2x?xi8>) -> tensor<2x?xi8>
  %4 = ember.concat %f, %e dim 1 : (tensor<2x4xi8>, tensor<2x?xi8>) -> tensor<2x?xi8>
  // CHECK: ember.concat %[[G]] dim 0 : (tensor<5xi1>) -> tensor<5xi1>
  %5 = ember.concat %g dim 0 : (tensor<5xi1>) -> tensor<5xi1>
  return
}

// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x2xf32>, %[[D:.*]]: tensor<?x3xi64>, %[[S:.*]]: tensor<bf16>, %[[B:.*]]: tensor<0xi1>, %[[I:.*]]: tensor<1xi8>)
func.func @pad(%x: tensor<2x2xf32>, %d: tensor<?x3xi64>, %s: tensor<bf16>,
               %b: tensor<0xi1>, %i: tensor<1xi8>) {
  // CHECK: ember.pad %[[X]] low [0, 1] high [1, 1] value(0.000000e+00 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  %0 = ember.pad %x low [0, 1] high [1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  // CHECK: ember.pad %[[D]] low [1, 0] high [2, 0] value(-7 : i64) : tensor<?x3xi64> -> tensor<?x3xi64>
  %1 = ember.pad %d low [1, 0] high [2, 0] value(-7 : i64) : tensor<?x3xi64> -> tensor<?x3xi64>
  // CHECK: ember.pad %[[S]] low [] high [] value(1.000000e+00 : bf16) : tensor<bf16> -> tensor<bf16>
  %2 = ember.pad %s low [] high [] value(1.0 : bf16) : tensor<bf16> -> tensor<bf16>
  // CHECK: ember.pad %[[B]] low [2] high [1] value(true) : tensor<0xi1> -> tensor<3xi1>
  %3 = ember.pad %b low [2] high [1] value(true) : tensor<0xi1> -> tensor<3xi1>
  // CHECK: ember.pad %[[I]] low [0] high [0] value(5 : i8) : tensor<1xi8> -> tensor<1xi8>
  %4 = ember.pad %i low [0] high [0] value(5 : i8) : tensor<1xi8> -> tensor<1xi8>
  return
}

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>, %[[J:.*]]: tensor<5x4xi32>, %[[D:.*]]: tensor<?x4xf16>, %[[K:.*]]: tensor<2x?xi64>, %[[V:.*]]: tensor<6xi1>, %[[W:.*]]: tensor<0xi32>)
func.func @gather(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %j: tensor<5x4xi32>,
                  %d: tensor<?x4xf16>, %k: tensor<2x?xi64>, %v: tensor<6xi1>,
                  %w: tensor<0xi32>) {
  // CHECK: ember.gather %[[X]], %[[I]] dim 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // Along `dim` the index may be larger than the input.
  // CHECK: ember.gather %[[X]], %[[J]] dim 0 : (tensor<3x4xf32>, tensor<5x4xi32>) -> tensor<5x4xf32>
  %1 = ember.gather %x, %j dim 0 : (tensor<3x4xf32>, tensor<5x4xi32>) -> tensor<5x4xf32>
  // CHECK: ember.gather %[[D]], %[[K]] dim 0 : (tensor<?x4xf16>, tensor<2x?xi64>) -> tensor<2x?xf16>
  %2 = ember.gather %d, %k dim 0 : (tensor<?x4xf16>, tensor<2x?xi64>) -> tensor<2x?xf16>
  // CHECK: ember.gather %[[V]], %[[W]] dim 0 : (tensor<6xi1>, tensor<0xi32>) -> tensor<0xi1>
  %3 = ember.gather %v, %w dim 0 : (tensor<6xi1>, tensor<0xi32>) -> tensor<0xi1>
  return
}

// CHECK-LABEL: func.func @constant
func.func @constant() {
  // CHECK: ember.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = ember.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: ember.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xbf16>
  %1 = ember.constant dense<[1.5, -2.0]> : tensor<2xbf16>
  // CHECK: ember.constant dense<3.000000e+00> : tensor<f64>
  %2 = ember.constant dense<3.0> : tensor<f64>
  // CHECK: ember.constant dense<> : tensor<0x3xf16>
  %3 = ember.constant dense<> : tensor<0x3xf16>
  // CHECK: ember.constant dense<[true, false]> : tensor<2xi1>
  %4 = ember.constant dense<[true, false]> : tensor<2xi1>
  // CHECK: ember.constant dense<-128> : tensor<2x2xi8>
  %5 = ember.constant dense<-128> : tensor<2x2xi8>
  // CHECK: ember.constant dense<{{\[}}[1, 2, 3]]> : tensor<1x3xi32>
  %6 = ember.constant dense<[[1, 2, 3]]> : tensor<1x3xi32>
  // CHECK: ember.constant dense<9223372036854775807> : tensor<1xi64>
  %7 = ember.constant dense<9223372036854775807> : tensor<1xi64>
  return
}

// CHECK-LABEL: func.func @full
func.func @full() {
  // CHECK: ember.full 1.500000e+00 : f32 -> tensor<2x3xf32>
  %0 = ember.full 1.5 : f32 -> tensor<2x3xf32>
  // CHECK: ember.full true -> tensor<2xi1>
  %1 = ember.full true -> tensor<2xi1>
  // CHECK: ember.full -3 : i8 -> tensor<i8>
  %2 = ember.full -3 : i8 -> tensor<i8>
  // CHECK: ember.full 0.000000e+00 : f16 -> tensor<0x4xf16>
  %3 = ember.full 0.0 : f16 -> tensor<0x4xf16>
  // CHECK: ember.full 7 : i64 -> tensor<1x1xi64>
  %4 = ember.full 7 : i64 -> tensor<1x1xi64>
  // CHECK: ember.full -2.500000e-01 : bf16 -> tensor<3xbf16>
  %5 = ember.full -0.25 : bf16 -> tensor<3xbf16>
  // CHECK: ember.full 1.000000e+00 : f64 -> tensor<2x2xf64>
  %6 = ember.full 1.0 : f64 -> tensor<2x2xf64>
  // CHECK: ember.full 42 : i32 -> tensor<4xi32>
  %7 = ember.full 42 : i32 -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @iota
func.func @iota() {
  // CHECK: ember.iota 1 : tensor<2x3xi64>
  %0 = ember.iota 1 : tensor<2x3xi64>
  // CHECK: ember.iota 0 : tensor<5xf32>
  %1 = ember.iota 0 : tensor<5xf32>
  // CHECK: ember.iota 0 : tensor<0xi32>
  %2 = ember.iota 0 : tensor<0xi32>
  // CHECK: ember.iota 2 : tensor<1x1x4xbf16>
  %3 = ember.iota 2 : tensor<1x1x4xbf16>
  // CHECK: ember.iota 0 : tensor<3x2xi8>
  %4 = ember.iota 0 : tensor<3x2xi8>
  // CHECK: ember.iota 1 : tensor<3x1xf64>
  %5 = ember.iota 1 : tensor<3x1xf64>
  // CHECK: ember.iota 0 : tensor<4xf16>
  %6 = ember.iota 0 : tensor<4xf16>
  return
}

// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[F32:.*]]: tensor<2x5xf32>, %[[I32:.*]]: tensor<7xi32>, %[[BF16:.*]]: tensor<3x?x4xbf16>, %[[F16:.*]]: tensor<0x3xf16>, %[[I8:.*]]: tensor<1xi8>, %[[F64:.*]]: tensor<2x2xf64>, %[[I64:.*]]: tensor<4x1xi64>)
func.func @cumsum(%f32: tensor<2x5xf32>, %i32: tensor<7xi32>,
                  %bf16: tensor<3x?x4xbf16>, %f16: tensor<0x3xf16>,
                  %i8: tensor<1xi8>, %f64: tensor<2x2xf64>,
                  %i64: tensor<4x1xi64>) {
  // CHECK: ember.cumsum %[[F32]] dim 1 : tensor<2x5xf32>
  %0 = ember.cumsum %f32 dim 1 : tensor<2x5xf32>
  // CHECK: ember.cumsum %[[F32]] dim 0 : tensor<2x5xf32>
  %1 = ember.cumsum %f32 dim 0 : tensor<2x5xf32>
  // CHECK: ember.cumsum %[[I32]] dim 0 : tensor<7xi32>
  %2 = ember.cumsum %i32 dim 0 : tensor<7xi32>
  // CHECK: ember.cumsum %[[BF16]] dim 2 : tensor<3x?x4xbf16>
  %3 = ember.cumsum %bf16 dim 2 : tensor<3x?x4xbf16>
  // CHECK: ember.cumsum %[[BF16]] dim 1 : tensor<3x?x4xbf16>
  %4 = ember.cumsum %bf16 dim 1 : tensor<3x?x4xbf16>
  // CHECK: ember.cumsum %[[F16]] dim 0 : tensor<0x3xf16>
  %5 = ember.cumsum %f16 dim 0 : tensor<0x3xf16>
  // CHECK: ember.cumsum %[[I8]] dim 0 : tensor<1xi8>
  %6 = ember.cumsum %i8 dim 0 : tensor<1xi8>
  // The generic form prints in the custom syntax.
  // CHECK: ember.cumsum %[[F64]] dim 0 : tensor<2x2xf64>
  %7 = "ember.cumsum"(%f64) {dim = 0 : i64} : (tensor<2x2xf64>) -> tensor<2x2xf64>
  // CHECK: ember.cumsum %[[I64]] dim 1 : tensor<4x1xi64>
  %8 = ember.cumsum %i64 dim 1 : tensor<4x1xi64>
  return
}

// CHECK-LABEL: func.func @sort
// CHECK-SAME: (%[[F32:.*]]: tensor<5xf32>, %[[I32:.*]]: tensor<2x?x4xi32>, %[[BF16:.*]]: tensor<2x3x4xbf16>, %[[I8:.*]]: tensor<0xi8>, %[[F16:.*]]: tensor<1x6xf16>, %[[F64:.*]]: tensor<3x2xf64>, %[[I64:.*]]: tensor<4xi64>)
func.func @sort(%f32: tensor<5xf32>, %i32: tensor<2x?x4xi32>,
                %bf16: tensor<2x3x4xbf16>, %i8: tensor<0xi8>,
                %f16: tensor<1x6xf16>, %f64: tensor<3x2xf64>,
                %i64: tensor<4xi64>) {
  // CHECK: %{{.*}}, %{{.*}} = ember.sort %[[F32]] dim 0 : tensor<5xf32> -> tensor<5xf32>, tensor<5xi64>
  %0:2 = ember.sort %f32 dim 0 : tensor<5xf32> -> tensor<5xf32>, tensor<5xi64>
  // CHECK: ember.sort %[[F32]] dim 0 descending : tensor<5xf32> -> tensor<5xf32>, tensor<5xi64>
  %1:2 = ember.sort %f32 dim 0 descending : tensor<5xf32> -> tensor<5xf32>, tensor<5xi64>
  // CHECK: ember.sort %[[I32]] dim 1 : tensor<2x?x4xi32> -> tensor<2x?x4xi32>, tensor<2x?x4xi64>
  %2:2 = ember.sort %i32 dim 1 : tensor<2x?x4xi32> -> tensor<2x?x4xi32>, tensor<2x?x4xi64>
  // CHECK: ember.sort %[[I32]] dim 2 descending : tensor<2x?x4xi32> -> tensor<2x?x4xi32>, tensor<2x?x4xi64>
  %3:2 = ember.sort %i32 dim 2 descending : tensor<2x?x4xi32> -> tensor<2x?x4xi32>, tensor<2x?x4xi64>
  // CHECK: ember.sort %[[BF16]] dim 0 descending : tensor<2x3x4xbf16> -> tensor<2x3x4xbf16>, tensor<2x3x4xi64>
  %4:2 = ember.sort %bf16 dim 0 descending : tensor<2x3x4xbf16> -> tensor<2x3x4xbf16>, tensor<2x3x4xi64>
  // CHECK: ember.sort %[[I8]] dim 0 : tensor<0xi8> -> tensor<0xi8>, tensor<0xi64>
  %5:2 = ember.sort %i8 dim 0 : tensor<0xi8> -> tensor<0xi8>, tensor<0xi64>
  // CHECK: ember.sort %[[F16]] dim 1 : tensor<1x6xf16> -> tensor<1x6xf16>, tensor<1x6xi64>
  %6:2 = ember.sort %f16 dim 1 : tensor<1x6xf16> -> tensor<1x6xf16>, tensor<1x6xi64>
  // `descending` as an attribute in the dictionary, and the generic form.
  // CHECK: ember.sort %[[F64]] dim 0 descending : tensor<3x2xf64> -> tensor<3x2xf64>, tensor<3x2xi64>
  %7:2 = ember.sort %f64 dim 0 {descending} : tensor<3x2xf64> -> tensor<3x2xf64>, tensor<3x2xi64>
  // CHECK: ember.sort %[[I64]] dim 0 descending : tensor<4xi64> -> tensor<4xi64>, tensor<4xi64>
  %8:2 = "ember.sort"(%i64) <{descending, dim = 0 : i64}> : (tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>)
  // CHECK: ember.sort %[[I64]] dim 0 : tensor<4xi64> -> tensor<4xi64>, tensor<4xi64>
  %9:2 = "ember.sort"(%i64) {dim = 0 : i64} : (tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>)
  return
}

// CHECK-LABEL: func.func @convolutions(
func.func @convolutions(%x: tensor<2x4x7x9xf32>, %w: tensor<6x2x3x2xf32>, %g: tensor<2x6x3x3xf32>) {
  // CHECK: ember.conv %{{.*}}, %{{.*}} stride [2, 2] dilation [1, 3] groups 2 : tensor<2x4x7x9xf32>, tensor<6x2x3x2xf32> -> tensor<2x6x3x3xf32>
  %0 = ember.conv %x, %w stride [2, 2] dilation [1, 3] groups 2 : tensor<2x4x7x9xf32>, tensor<6x2x3x2xf32> -> tensor<2x6x3x3xf32>
  // CHECK: ember.conv_transpose %{{.*}}, %{{.*}} stride [2, 2] dilation [1, 3] groups 2 : tensor<2x6x3x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x7x9xf32>
  %1 = ember.conv_transpose %g, %w stride [2, 2] dilation [1, 3] groups 2 : tensor<2x6x3x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x7x9xf32>
  // CHECK: ember.conv_weight_grad %{{.*}}, %{{.*}} stride [2, 2] dilation [1, 3] groups 2 : tensor<2x4x7x9xf32>, tensor<2x6x3x3xf32> -> tensor<6x2x3x2xf32>
  %2 = ember.conv_weight_grad %x, %g stride [2, 2] dilation [1, 3] groups 2 : tensor<2x4x7x9xf32>, tensor<2x6x3x3xf32> -> tensor<6x2x3x2xf32>
  return
}
