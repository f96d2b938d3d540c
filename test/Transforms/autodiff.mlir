// RUN: ember-opt %s -split-input-file -ember-autodiff -verify-diagnostics | FileCheck %s
// RUN: ember-opt %s -split-input-file -ember-autodiff=suffix=_vjp -verify-diagnostics | FileCheck %s --check-prefix=SUFFIX
// RUN: ember-opt %s -split-input-file -ember-autodiff -ember-autodiff=suffix=_grad2 -verify-diagnostics | FileCheck %s --check-prefix=GRAD2
// RUN: ember-opt %s -split-input-file -ember-autodiff -ember-autodiff=suffix=_grad2 --ember-cpu-pipeline -verify-diagnostics | FileCheck %s --check-prefix=LOWERED
// RUN: not ember-opt %s -split-input-file -ember-autodiff 2>&1 | FileCheck %s --check-prefix=ERR

// For every public @f(args) -> (results), ember-autodiff adds
// @f_grad(args, one cotangent per result) -> (results, one gradient per float
// tensor argument): the forward ops are copied, then each op's VJP rule runs
// in reverse order. The cases go by rule family; the last ones are errors
// (an op without a rule, an op without the interface), which must be
// diagnostics naming the op, not crashes.

// Elementwise: tanh reuses the forward result (1 - y * y), not a second tanh.
// CHECK-LABEL: func.func @tanh_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[Y:.*]] = ember.tanh %[[X]] : tensor<3xf32>
// CHECK-NOT: ember.tanh
// CHECK: %[[YY:.*]] = ember.mul %[[Y]], %[[Y]] : tensor<3xf32>
// CHECK: %[[ONE:.*]] = ember.full 1.000000e+00 : f32 -> tensor<3xf32>
// CHECK: %[[D:.*]] = ember.sub %[[ONE]], %[[YY]] : tensor<3xf32>
// CHECK: %[[DX:.*]] = ember.mul %[[G]], %[[D]] : tensor<3xf32>
// CHECK: return %[[Y]], %[[DX]] : tensor<3xf32>, tensor<3xf32>

// GRAD2-LABEL: func.func @tanh_grad_grad2(
// GRAD2-SAME: %{{.*}}: tensor<3xf32>, %{{.*}}: tensor<3xf32>, %{{.*}}: tensor<3xf32>, %{{.*}}: tensor<3xf32>)
// GRAD2-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// LOWERED: llvm.func @tanh_grad_grad2(
// LOWERED-NOT: ember.

// SUFFIX-LABEL: func.func @tanh_vjp(
// SUFFIX-NOT: @tanh_grad
func.func @tanh(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.tanh %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// exp reuses its result too.
// CHECK-LABEL: func.func @exp_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4xf64>, %[[G:.*]]: tensor<4xf64>)
// CHECK: %[[Y:.*]] = ember.exp %[[X]]
// CHECK-NEXT: %[[DX:.*]] = ember.mul %[[G]], %[[Y]] : tensor<4xf64>
// CHECK-NEXT: return %[[Y]], %[[DX]]
func.func @exp(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = ember.exp %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// mul: each operand's gradient is the cotangent times the other operand.
// CHECK-LABEL: func.func @mul_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[P:.*]] = ember.mul %[[X]], %[[Y]]
// CHECK-DAG: %[[DX:.*]] = ember.mul %[[G]], %[[Y]]
// CHECK-DAG: %[[DY:.*]] = ember.mul %[[G]], %[[X]]
// CHECK: return %[[P]], %[[DX]], %[[DY]]
func.func @mul(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.mul %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// div: (g / y, -(g / y) * out), reusing the quotient.
// CHECK-LABEL: func.func @div_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK: %[[Q:.*]] = ember.div %[[X]], %[[Y]]
// CHECK: %[[GY:.*]] = ember.div %[[G]], %[[Y]]
// CHECK: %[[T:.*]] = ember.mul %[[GY]], %[[Q]]
// CHECK: %[[DY:.*]] = ember.neg %[[T]]
// CHECK: return %[[Q]], %[[GY]], %[[DY]]
func.func @div(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.div %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// maximum: the winner takes g, a tie gives each side g / 2.
// CHECK-LABEL: func.func @maximum_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[WIN:.*]] = ember.gt %[[X]], %[[Y]] : tensor<3xf32>
// CHECK-DAG: %[[TIE:.*]] = ember.eq %[[X]], %[[Y]] : tensor<3xf32>
// CHECK-DAG: %[[HALF:.*]] = ember.full 5.000000e-01 : f32 -> tensor<3xf32>
// CHECK: %[[GH:.*]] = ember.mul %[[G]], %[[HALF]]
// CHECK: %[[T:.*]] = ember.select %[[TIE]], %[[GH]], %{{.*}}
// CHECK: %[[DX:.*]] = ember.select %[[WIN]], %[[G]], %[[T]]
// CHECK: %[[DY:.*]] = ember.sub %[[G]], %[[DX]]
// CHECK: return %{{.*}}, %[[DX]], %[[DY]]
func.func @maximum(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.maximum %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// select: the i1 condition gets no gradient; each branch gets g where it was
// chosen and zeros elsewhere.
// CHECK-LABEL: func.func @select_grad(
// CHECK-SAME: %[[C:.*]]: tensor<3xi1>, %[[A:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[Z:.*]] = ember.full 0.000000e+00 : f32 -> tensor<3xf32>
// CHECK: %[[DA:.*]] = ember.select %[[C]], %[[G]], %[[Z]]
// CHECK: %[[DB:.*]] = ember.select %[[C]], %[[Z]], %[[G]]
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @select(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.select %c, %a, %b : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// cast: the cotangent is cast back to the argument's float type.
// CHECK-LABEL: func.func @cast_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf32>)
// CHECK: %[[DX:.*]] = ember.cast %[[G]] : tensor<3xf64> to tensor<3xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @cast(%x: tensor<3xf32>) -> tensor<3xf64> {
  %0 = ember.cast %x : tensor<3xf32> to tensor<3xf64>
  return %0 : tensor<3xf64>
}

// -----

// Broadcast sums the cotangent over the new leading dims and the size-1 dims,
// then reshapes to the input's shape.
// CHECK-LABEL: func.func @broadcast_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x1xf32>, %[[G:.*]]: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x1xf32>)
// CHECK: %[[S:.*]] = ember.sum %[[G]] [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK: %[[DX:.*]] = ember.reshape %[[S]] : tensor<3xf32> to tensor<3x1xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @broadcast(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = ember.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Only new leading dims: the sum already has the input's shape.
// CHECK-LABEL: func.func @broadcast_leading_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[G:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[DX:.*]] = ember.sum %[[G]] [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
// CHECK-NOT: ember.reshape
// CHECK: return %{{.*}}, %[[DX]]
func.func @broadcast_leading(%x: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = ember.broadcast %x : tensor<3x4xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Reductions broadcast the cotangent back: without keepdim it is first
// reshaped with the reduced dims as size 1.
// CHECK-LABEL: func.func @sum_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>, %[[G:.*]]: tensor<3xf32>) -> (tensor<3xf32>, tensor<2x3x4xf32>)
// CHECK: %[[R:.*]] = ember.reshape %[[G]] : tensor<3xf32> to tensor<1x3x1xf32>
// CHECK: %[[DX:.*]] = ember.broadcast %[[R]] : tensor<1x3x1xf32> to tensor<2x3x4xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @sum(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = ember.sum %x [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @sum_keepdim_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>, %[[G:.*]]: tensor<1x3x1xf32>)
// CHECK-NOT: ember.reshape
// CHECK: %[[DX:.*]] = ember.broadcast %[[G]] : tensor<1x3x1xf32> to tensor<2x3x4xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @sum_keepdim(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = ember.sum %x [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// mean: the broadcast cotangent times 1 / count.
// CHECK-LABEL: func.func @mean_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>, %[[G:.*]]: tensor<2xf32>)
// CHECK: %[[R:.*]] = ember.reshape %[[G]] : tensor<2xf32> to tensor<2x1xf32>
// CHECK: %[[B:.*]] = ember.broadcast %[[R]] : tensor<2x1xf32> to tensor<2x4xf32>
// CHECK: %[[N:.*]] = ember.full 2.500000e-01 : f32 -> tensor<2x4xf32>
// CHECK: %[[DX:.*]] = ember.mul %[[B]], %[[N]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @mean(%x: tensor<2x4xf32>) -> tensor<2xf32> {
  %0 = ember.mean %x [1] : tensor<2x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// max: the elements equal to the maximum share g evenly (as torch.amax).
// CHECK-LABEL: func.func @max_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[G:.*]]: tensor<2xf32>)
// CHECK: %[[M:.*]] = ember.max %[[X]] [1] : tensor<2x3xf32> -> tensor<2xf32>
// CHECK: %[[MR:.*]] = ember.reshape %[[M]] : tensor<2xf32> to tensor<2x1xf32>
// CHECK: %[[MB:.*]] = ember.broadcast %[[MR]] : tensor<2x1xf32> to tensor<2x3xf32>
// CHECK: %[[HIT:.*]] = ember.eq %[[X]], %[[MB]] : tensor<2x3xf32>
// CHECK: %[[ONES:.*]] = ember.select %[[HIT]], %{{.*}}, %[[ZERO:.*]] : tensor<2x3xf32>
// CHECK: %[[CNT:.*]] = ember.sum %[[ONES]] [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK: %[[CNTB:.*]] = ember.broadcast %[[CNT]] : tensor<2x1xf32> to tensor<2x3xf32>
// CHECK: %[[GR:.*]] = ember.reshape %[[G]] : tensor<2xf32> to tensor<2x1xf32>
// CHECK: %[[GB:.*]] = ember.broadcast %[[GR]] : tensor<2x1xf32> to tensor<2x3xf32>
// CHECK: %[[SHARE:.*]] = ember.div %[[GB]], %[[CNTB]]
// CHECK: %[[DX:.*]] = ember.select %[[HIT]], %[[SHARE]], %[[ZERO]]
// CHECK: return %[[M]], %[[DX]]
func.func @max(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = ember.max %x [1] : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// cumsum: the reverse cumulative sum, total - cumsum(g) + g.
// CHECK-LABEL: func.func @cumsum_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x5xf32>, %[[G:.*]]: tensor<2x5xf32>)
// CHECK: %[[T:.*]] = ember.sum %[[G]] [1] keepdim : tensor<2x5xf32> -> tensor<2x1xf32>
// CHECK: %[[TB:.*]] = ember.broadcast %[[T]]
// CHECK: %[[C:.*]] = ember.cumsum %[[G]] dim 1
// CHECK: %[[D:.*]] = ember.sub %[[TB]], %[[C]]
// CHECK: %[[DX:.*]] = ember.add %[[D]], %[[G]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @cumsum(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = ember.cumsum %x dim 1 : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// matmul: g @ b^T and a^T @ g; the right operand was broadcast over the
// batch, so its gradient sums the batch dim away.
// CHECK-LABEL: func.func @matmul_grad(
// CHECK-SAME: %[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<4x5xf32>, %[[G:.*]]: tensor<2x3x5xf32>)
// CHECK-SAME: -> (tensor<2x3x5xf32>, tensor<2x3x4xf32>, tensor<4x5xf32>)
// CHECK: %[[BT:.*]] = ember.transpose %[[B]] [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
// CHECK: %[[DA:.*]] = ember.matmul %[[G]], %[[BT]] : tensor<2x3x5xf32>, tensor<5x4xf32> -> tensor<2x3x4xf32>
// CHECK: %[[AT:.*]] = ember.transpose %[[A]] [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
// CHECK: %[[P:.*]] = ember.matmul %[[AT]], %[[G]] : tensor<2x4x3xf32>, tensor<2x3x5xf32> -> tensor<2x4x5xf32>
// CHECK: %[[DB:.*]] = ember.sum %[[P]] [0] : tensor<2x4x5xf32> -> tensor<4x5xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = ember.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A 1-D left operand is lifted to a row and its gradient reshaped back.
// CHECK-LABEL: func.func @vecmat_grad(
// CHECK-SAME: %[[A:.*]]: tensor<5xf32>, %[[B:.*]]: tensor<5x4xf32>, %[[G:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[A2:.*]] = ember.reshape %[[A]] : tensor<5xf32> to tensor<1x5xf32>
// CHECK-DAG: %[[G2:.*]] = ember.reshape %[[G]] : tensor<4xf32> to tensor<1x4xf32>
// CHECK: %[[BT:.*]] = ember.transpose %[[B]] [1, 0]
// CHECK: %[[DA2:.*]] = ember.matmul %[[G2]], %[[BT]] : tensor<1x4xf32>, tensor<4x5xf32> -> tensor<1x5xf32>
// CHECK: %[[AT:.*]] = ember.transpose %[[A2]] [1, 0] : tensor<1x5xf32> -> tensor<5x1xf32>
// CHECK: %[[DB:.*]] = ember.matmul %[[AT]], %[[G2]] : tensor<5x1xf32>, tensor<1x4xf32> -> tensor<5x4xf32>
// CHECK: %[[DA:.*]] = ember.reshape %[[DA2]] : tensor<1x5xf32> to tensor<5xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @vecmat(%a: tensor<5xf32>, %b: tensor<5x4xf32>) -> tensor<4xf32> {
  %0 = ember.matmul %a, %b : tensor<5xf32>, tensor<5x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A dot product: the rank-0 cotangent is broadcast and scales the other side.
// CHECK-LABEL: func.func @dot_grad(
// CHECK-SAME: %[[A:.*]]: tensor<5xf32>, %[[B:.*]]: tensor<5xf32>, %[[G:.*]]: tensor<f32>)
// CHECK: %[[GA:.*]] = ember.broadcast %[[G]] : tensor<f32> to tensor<5xf32>
// CHECK: %[[DA:.*]] = ember.mul %[[GA]], %[[B]]
// CHECK: %[[GB:.*]] = ember.broadcast %[[G]] : tensor<f32> to tensor<5xf32>
// CHECK: %[[DB:.*]] = ember.mul %[[GB]], %[[A]]
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @dot(%a: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<f32> {
  %0 = ember.matmul %a, %b : tensor<5xf32>, tensor<5xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Shape ops: reshape back.
// CHECK-LABEL: func.func @reshape_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>, %[[G:.*]]: tensor<6xf32>)
// CHECK: %[[DX:.*]] = ember.reshape %[[G]] : tensor<6xf32> to tensor<2x3xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @reshape(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// transpose by the inverse permutation ([2, 0, 1] -> [1, 2, 0]).
// CHECK-LABEL: func.func @transpose_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x3x4xf32>, %[[G:.*]]: tensor<4x2x3xf32>)
// CHECK: %[[DX:.*]] = ember.transpose %[[G]] [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = ember.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// slice: the cotangent is inserted into zeros at the same strided slice.
// CHECK-LABEL: func.func @slice_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4x4xf32>, %[[G:.*]]: tensor<2x3xf32>)
// CHECK: %[[Z:.*]] = ember.full 0.000000e+00 : f32 -> tensor<4x4xf32>
// CHECK: %[[DX:.*]] = ember.insert_slice %[[G]] into %[[Z]] start [0, 1] stop [4, 4] step [2, 1]
// CHECK: return %{{.*}}, %[[DX]]
func.func @slice(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// insert_slice: the source gets the slice of g, the destination g with that
// slice zeroed.
// CHECK-LABEL: func.func @insert_slice_grad(
// CHECK-SAME: %[[S:.*]]: tensor<2x3xf32>, %[[D:.*]]: tensor<4x4xf32>, %[[G:.*]]: tensor<4x4xf32>)
// CHECK: %[[DS:.*]] = ember.slice %[[G]] start [0, 1] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
// CHECK: %[[Z:.*]] = ember.full 0.000000e+00 : f32 -> tensor<2x3xf32>
// CHECK: %[[DD:.*]] = ember.insert_slice %[[Z]] into %[[G]] start [0, 1] stop [4, 4] step [2, 1]
// CHECK: return %{{.*}}, %[[DS]], %[[DD]]
func.func @insert_slice(%s: tensor<2x3xf32>, %d: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = ember.insert_slice %s into %d start [0, 1] stop [4, 4] step [2, 1] : tensor<2x3xf32> into tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// concat: one slice of g per input.
// CHECK-LABEL: func.func @concat_grad(
// CHECK-SAME: %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<1x3xf32>, %[[G:.*]]: tensor<3x3xf32>)
// CHECK: %[[DA:.*]] = ember.slice %[[G]] start [0, 0] stop [2, 3] step [1, 1] : tensor<3x3xf32> -> tensor<2x3xf32>
// CHECK: %[[DB:.*]] = ember.slice %[[G]] start [2, 0] stop [3, 3] step [1, 1] : tensor<3x3xf32> -> tensor<1x3xf32>
// CHECK: return %{{.*}}, %[[DA]], %[[DB]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<3x3xf32> {
  %0 = ember.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// pad: the cotangent sliced back to the unpadded window.
// CHECK-LABEL: func.func @pad_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>, %[[G:.*]]: tensor<3x4xf32>)
// CHECK: %[[DX:.*]] = ember.slice %[[G]] start [0, 1] stop [2, 3] step [1, 1] : tensor<3x4xf32> -> tensor<2x2xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @pad(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  %0 = ember.pad %x low [0, 1] high [1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// gather: a one-hot scatter-add. The mask compares the index with an iota
// over the gathered dim, sums the selected cotangents over `dim`, and pads
// the rows the index does not cover; the i64 index gets no gradient.
// CHECK-LABEL: func.func @gather_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<2x2xi64>, %[[G:.*]]: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<3x4xf32>)
// CHECK: %[[IR:.*]] = ember.reshape %[[I]] : tensor<2x2xi64> to tensor<2x2x1xi64>
// CHECK: %[[IB:.*]] = ember.broadcast %[[IR]] : tensor<2x2x1xi64> to tensor<2x2x4xi64>
// Negative indices count from the end, as the forward op reads them.
// CHECK: %[[Z:.*]] = ember.full 0 : i64 -> tensor<2x2x4xi64>
// CHECK: %[[N:.*]] = ember.full 4 : i64 -> tensor<2x2x4xi64>
// CHECK-DAG: %[[NEG:.*]] = ember.lt %[[IB]], %[[Z]] : tensor<2x2x4xi64>
// CHECK-DAG: %[[UP:.*]] = ember.add %[[IB]], %[[N]] : tensor<2x2x4xi64>
// CHECK: %[[W:.*]] = ember.select %[[NEG]], %[[UP]], %[[IB]] : tensor<2x2x4xi64>
// CHECK: %[[K:.*]] = ember.iota 2 : tensor<2x2x4xi64>
// CHECK: %[[M:.*]] = ember.eq %[[W]], %[[K]] : tensor<2x2x4xi64>
// CHECK: %[[GR:.*]] = ember.reshape %[[G]] : tensor<2x2xf32> to tensor<2x2x1xf32>
// CHECK: %[[GB:.*]] = ember.broadcast %[[GR]] : tensor<2x2x1xf32> to tensor<2x2x4xf32>
// CHECK: %[[P:.*]] = ember.select %[[M]], %[[GB]], %{{.*}} : tensor<2x2x4xf32>
// CHECK: %[[S:.*]] = ember.sum %[[P]] [1] : tensor<2x2x4xf32> -> tensor<2x4xf32>
// CHECK: %[[DX:.*]] = ember.pad %{{.*}} low [0, 0] high [1, 0] value(0.000000e+00 : f32) : tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK: return %{{.*}}, %[[DX]] : tensor<2x2xf32>, tensor<3x4xf32>
func.func @gather(%x: tensor<3x4xf32>, %i: tensor<2x2xi64>) -> tensor<2x2xf32> {
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Fan-out: x is used twice, so its two cotangents add up.
// CHECK-LABEL: func.func @fanout_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK: %[[A:.*]] = ember.mul %[[G]], %[[X]]
// CHECK: %[[B:.*]] = ember.mul %[[G]], %[[X]]
// CHECK: %[[DX:.*]] = ember.add %[[A]], %[[B]]
// CHECK: return %{{.*}}, %[[DX]]
func.func @fanout(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.mul %x, %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A value returned twice adds the two result cotangents; the i1 result's
// cotangent is an argument but carries nothing.
// CHECK-LABEL: func.func @two_results_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[G0:.*]]: tensor<3xf32>, %[[G1:.*]]: tensor<3xf32>, %[[G2:.*]]: tensor<3xi1>)
// CHECK-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi1>, tensor<3xf32>)
// CHECK: %[[Y:.*]] = ember.exp %[[X]]
// CHECK: %[[G:.*]] = ember.add %[[G0]], %[[G1]]
// CHECK: %[[DX:.*]] = ember.mul %[[G]], %[[Y]]
// CHECK: return %[[Y]], %[[Y]], %{{.*}}, %[[DX]]
func.func @two_results(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi1>) {
  %0 = ember.exp %x : tensor<3xf32>
  %1 = ember.gt %x, %0 : tensor<3xf32>
  return %0, %0, %1 : tensor<3xf32>, tensor<3xf32>, tensor<3xi1>
}

// -----

// An unused float argument gets zeros; the integer argument gets no gradient
// (three arguments, two gradients). Private functions are left alone.
// CHECK-LABEL: func.func @unused_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<2xf64>, %[[I:.*]]: tensor<3xi64>, %[[G:.*]]: tensor<3xf32>)
// CHECK-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<2xf64>) {
// CHECK: %[[DY:.*]] = ember.full 0.000000e+00 : f64 -> tensor<2xf64>
// CHECK: return %{{.*}}, %{{.*}}, %[[DY]] : tensor<3xf32>, tensor<3xf32>, tensor<2xf64>
// CHECK-NOT: @helper_grad
func.func @unused(%x: tensor<3xf32>, %y: tensor<2xf64>, %i: tensor<3xi64>) -> tensor<3xf32> {
  %0 = ember.exp %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// -----

// An integer argument that feeds the computation through a cast still gets
// no gradient, and the cast of an integer passes nothing back.
// CHECK-LABEL: func.func @int_arg_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[I:.*]]: tensor<3xi32>, %[[G:.*]]: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
// CHECK: %[[F:.*]] = ember.cast %[[I]] : tensor<3xi32> to tensor<3xf32>
// CHECK: %[[DX:.*]] = ember.mul %[[G]], %[[F]]
// CHECK-NOT: ember.cast {{.*}} to tensor<3xi32>
// CHECK: return %{{.*}}, %[[DX]] : tensor<3xf32>, tensor<3xf32>
func.func @int_arg(%x: tensor<3xf32>, %i: tensor<3xi32>) -> tensor<3xf32> {
  %f = ember.cast %i : tensor<3xi32> to tensor<3xf32>
  %0 = ember.mul %x, %f : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Grad of grad on a composite: the second pass differentiates both @f and
// @f_grad, and the result lowers.
// GRAD2: func.func @composite_grad2(
// GRAD2-LABEL: func.func @composite_grad_grad2(
// GRAD2-SAME: %{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>)
// GRAD2-SAME: -> (tensor<f32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<f32>)
// LOWERED-DAG: llvm.func @composite_grad2(
// LOWERED-DAG: llvm.func @composite_grad_grad2(
func.func @composite(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %0 = ember.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = ember.tanh %0 : tensor<2x4xf32>
  %2 = ember.max %1 [1] keepdim : tensor<2x4xf32> -> tensor<2x1xf32>
  %3 = ember.broadcast %2 : tensor<2x1xf32> to tensor<2x4xf32>
  %4 = ember.sub %1, %3 : tensor<2x4xf32>
  %5 = ember.exp %4 : tensor<2x4xf32>
  %6 = ember.sum %5 [0, 1] : tensor<2x4xf32> -> tensor<f32>
  return %6 : tensor<f32>
}

// -----

// rem (C fmod): the dividend's cotangent passes through, the divisor's is
// -g * trunc(x / y); sort: the values' cotangent is scattered back to the
// positions the indices name.
// CHECK-LABEL: func.func @rem_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>, %[[G:.*]]: tensor<3xf32>)
// CHECK: %[[Q:.*]] = ember.div %[[X]], %[[Y]]
// CHECK: %[[T:.*]] = ember.select {{.*}} : tensor<3xf32>
// CHECK: %[[P:.*]] = ember.mul %[[G]], %[[T]]
// CHECK: %[[DY:.*]] = ember.neg %[[P]]
// CHECK: return %{{.*}}, %[[G]], %[[DY]]
func.func @rem(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.rem %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @sort_grad(
// CHECK: %[[V:.*]], %[[I:.*]] = ember.sort
// CHECK: ember.eq {{.*}} : tensor<3x4x4xi64>
// CHECK: ember.sum {{.*}} [1] : tensor<3x4x4xf32> -> tensor<3x4xf32>
// LOWERED-DAG: llvm.func @sort_grad_grad2(
func.func @sort(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %v, %i = ember.sort %x dim 1 : tensor<3x4xf32> -> tensor<3x4xf32>, tensor<3x4xi64>
  return %v : tensor<3x4xf32>
}

// -----

// An op without the interface (here a foreign one) whose float result reaches
// a differentiated output is an error naming it.
// ERR: error: 'math.exp' op is not differentiable
func.func @no_interface(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'math.exp' op is not differentiable}}
  %0 = math.exp %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Ops without the interface are fine where only their integer results reach
// an output: argmax, and sort whose float values are unused.
// CHECK-LABEL: func.func @no_gradient_needed_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[G0:.*]]: tensor<3x4xf32>, %[[G1:.*]]: tensor<3xi64>, %[[G2:.*]]: tensor<3x4xi64>)
// CHECK-SAME: -> (tensor<3x4xf32>, tensor<3xi64>, tensor<3x4xi64>, tensor<3x4xf32>)
// CHECK: ember.argmax
// CHECK: ember.sort
// CHECK: return %[[X]], %{{.*}}, %{{.*}}, %[[G0]]
func.func @no_gradient_needed(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3xi64>, tensor<3x4xi64>) {
  %0 = ember.argmax %x 1 : tensor<3x4xf32> -> tensor<3xi64>
  %v, %i = ember.sort %x dim 1 : tensor<3x4xf32> -> tensor<3x4xf32>, tensor<3x4xi64>
  return %x, %0, %i : tensor<3x4xf32>, tensor<3xi64>, tensor<3x4xi64>
}

// -----

// The three convolution ops are each other's VJPs: conv's input gradient is a
// conv_transpose, its filter gradient a conv_weight_grad, so differentiating
// twice stays in the dialect and lowers.
// CHECK-LABEL: func.func @conv_grad(
// CHECK-SAME: %[[X:.*]]: tensor<2x4x6x6xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>, %[[G:.*]]: tensor<2x6x2x2xf32>)
// CHECK: %[[DX:.*]] = ember.conv_transpose %[[G]], %[[W]] stride [2, 2] dilation [1, 1] groups 2 : tensor<2x6x2x2xf32>, tensor<6x2x3x3xf32> -> tensor<2x4x6x6xf32>
// CHECK: %[[DW:.*]] = ember.conv_weight_grad %[[X]], %[[G]] stride [2, 2] dilation [1, 1] groups 2 : tensor<2x4x6x6xf32>, tensor<2x6x2x2xf32> -> tensor<6x2x3x3xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]]
// GRAD2-LABEL: func.func @conv_grad_grad2(
// GRAD2-DAG: ember.conv %{{.*}}, %{{.*}} stride [2, 2] dilation [1, 1] groups 2
// GRAD2-DAG: ember.conv_transpose
// GRAD2-DAG: ember.conv_weight_grad
// LOWERED-DAG: llvm.func @conv_grad_grad2(
func.func @conv(%x: tensor<2x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x2x2xf32> {
  %y = ember.conv %x, %w stride [2, 2] dilation [1, 1] groups 2
      : tensor<2x4x6x6xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x2x2xf32>
  return %y : tensor<2x6x2x2xf32>
}

// -----

// An argument marked {ember.no_grad} gets no gradient, and nothing is computed
// for values that depend only on it (activity analysis): here the data input
// of a matmul, whose gradient would be a second matmul.
// CHECK-LABEL: func.func @linear_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4x3xf32>, %[[W:.*]]: tensor<3x2xf32>, %[[G:.*]]: tensor<4x2xf32>)
// CHECK-SAME: -> (tensor<4x2xf32>, tensor<3x2xf32>)
// CHECK: %[[Y:.*]] = ember.matmul %[[X]], %[[W]]
// CHECK: %[[XT:.*]] = ember.transpose %[[X]] [1, 0]
// CHECK: %[[DW:.*]] = ember.matmul %[[XT]], %[[G]]
// CHECK: return %[[Y]], %[[DW]]
// LOWERED-DAG: llvm.func @linear_grad_grad2(
func.func @linear(%x: tensor<4x3xf32> {ember.no_grad}, %w: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %0 = ember.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
