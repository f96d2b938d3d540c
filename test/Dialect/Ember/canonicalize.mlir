// RUN: ember-opt %s -split-input-file -canonicalize | FileCheck %s

// Folders of the ember ops: identities that hold bit for bit, no-op and
// composed shape ops, and constant folding of elementwise arithmetic.

// x + -0.0 is x for every x (also -0.0 and NaN).
// CHECK-LABEL: func.func @add_neg_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]] : tensor<4xf32>
func.func @add_neg_zero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = ember.constant dense<-0.0> : tensor<4xf32>
  %0 = ember.add %x, %z : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// add is commutative: the constant moves to the right and folds the same way.
// CHECK-LABEL: func.func @neg_zero_add
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xbf16>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xbf16>
func.func @neg_zero_add(%x: tensor<2x3xbf16>) -> tensor<2x3xbf16> {
  %z = ember.constant dense<-0.0> : tensor<2x3xbf16>
  %0 = ember.add %z, %x : tensor<2x3xbf16>
  return %0 : tensor<2x3xbf16>
}

// -----

// x + 0.0 is not x on floats: -0.0 + 0.0 is +0.0.
// CHECK-LABEL: func.func @add_pos_zero_float
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[Z:.*]] = ember.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK: %[[R:.*]] = ember.add %[[X]], %[[Z]] : tensor<4xf32>
// CHECK: return %[[R]]
func.func @add_pos_zero_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = ember.constant dense<0.0> : tensor<4xf32>
  %0 = ember.add %x, %z : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @add_int_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3xi32>, %[[Y:.*]]: tensor<i8>)
// CHECK-NEXT: return %[[X]], %[[Y]] : tensor<3xi32>, tensor<i8>
func.func @add_int_zero(%x: tensor<3xi32>, %y: tensor<i8>) -> (tensor<3xi32>, tensor<i8>) {
  %z = ember.constant dense<0> : tensor<3xi32>
  %0 = ember.add %x, %z : tensor<3xi32>
  %z8 = ember.constant dense<0> : tensor<i8>
  %1 = ember.add %z8, %y : tensor<i8>
  return %0, %1 : tensor<3xi32>, tensor<i8>
}

// -----

// x - 0 is x (x - +0.0 is x bit for bit on floats).
// CHECK-LABEL: func.func @sub_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3xf16>, %[[Y:.*]]: tensor<2xi64>)
// CHECK-NEXT: return %[[X]], %[[Y]] : tensor<3xf16>, tensor<2xi64>
func.func @sub_zero(%x: tensor<3xf16>, %y: tensor<2xi64>) -> (tensor<3xf16>, tensor<2xi64>) {
  %z = ember.constant dense<0.0> : tensor<3xf16>
  %0 = ember.sub %x, %z : tensor<3xf16>
  %zi = ember.constant dense<0> : tensor<2xi64>
  %1 = ember.sub %y, %zi : tensor<2xi64>
  return %0, %1 : tensor<3xf16>, tensor<2xi64>
}

// -----

// x - -0.0 is x + 0.0, not x; 0 - x is not x.
// CHECK-LABEL: func.func @sub_no_fold
// CHECK-SAME: (%[[X:.*]]: tensor<3xf16>, %[[Y:.*]]: tensor<3xi8>)
// CHECK-DAG: %[[NZ:.*]] = ember.constant dense<-0.000000e+00> : tensor<3xf16>
// CHECK-DAG: %[[Z:.*]] = ember.constant dense<0> : tensor<3xi8>
// CHECK-DAG: %[[A:.*]] = ember.sub %[[X]], %[[NZ]] : tensor<3xf16>
// CHECK-DAG: %[[B:.*]] = ember.sub %[[Z]], %[[Y]] : tensor<3xi8>
// CHECK: return %[[A]], %[[B]]
func.func @sub_no_fold(%x: tensor<3xf16>, %y: tensor<3xi8>) -> (tensor<3xf16>, tensor<3xi8>) {
  %nz = ember.constant dense<-0.0> : tensor<3xf16>
  %0 = ember.sub %x, %nz : tensor<3xf16>
  %z = ember.constant dense<0> : tensor<3xi8>
  %1 = ember.sub %z, %y : tensor<3xi8>
  return %0, %1 : tensor<3xf16>, tensor<3xi8>
}

// -----

// x * 1 is x, with the constant on either side.
// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<2xbf16>, %[[Y:.*]]: tensor<2x2xi64>)
// CHECK-NEXT: return %[[X]], %[[Y]] : tensor<2xbf16>, tensor<2x2xi64>
func.func @mul_one(%x: tensor<2xbf16>, %y: tensor<2x2xi64>) -> (tensor<2xbf16>, tensor<2x2xi64>) {
  %one = ember.constant dense<1.0> : tensor<2xbf16>
  %0 = ember.mul %one, %x : tensor<2xbf16>
  %onei = ember.constant dense<1> : tensor<2x2xi64>
  %1 = ember.mul %y, %onei : tensor<2x2xi64>
  return %0, %1 : tensor<2xbf16>, tensor<2x2xi64>
}

// -----

// x / 1 is x; 1 / x is not.
// CHECK-LABEL: func.func @div_one
// CHECK-SAME: (%[[X:.*]]: tensor<2xf64>, %[[Y:.*]]: tensor<2xi8>)
// CHECK: %[[ONE:.*]] = ember.constant dense<1> : tensor<2xi8>
// CHECK: %[[R:.*]] = ember.div %[[ONE]], %[[Y]] : tensor<2xi8>
// CHECK: return %[[X]], %[[Y]], %[[R]] : tensor<2xf64>, tensor<2xi8>, tensor<2xi8>
func.func @div_one(%x: tensor<2xf64>, %y: tensor<2xi8>) -> (tensor<2xf64>, tensor<2xi8>, tensor<2xi8>) {
  %onef = ember.constant dense<1.0> : tensor<2xf64>
  %0 = ember.div %x, %onef : tensor<2xf64>
  %one = ember.constant dense<1> : tensor<2xi8>
  %1 = ember.div %y, %one : tensor<2xi8>
  %2 = ember.div %one, %y : tensor<2xi8>
  return %0, %1, %2 : tensor<2xf64>, tensor<2xi8>, tensor<2xi8>
}

// -----

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<?xi32>)
// CHECK-NEXT: return %[[X]], %[[Y]] : tensor<3xf32>, tensor<?xi32>
func.func @neg_neg(%x: tensor<3xf32>, %y: tensor<?xi32>) -> (tensor<3xf32>, tensor<?xi32>) {
  %0 = ember.neg %x : tensor<3xf32>
  %1 = ember.neg %0 : tensor<3xf32>
  %2 = ember.neg %y : tensor<?xi32>
  %3 = ember.neg %2 : tensor<?xi32>
  return %1, %3 : tensor<3xf32>, tensor<?xi32>
}

// -----

// A single neg stays.
// CHECK-LABEL: func.func @neg_once
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK: %[[R:.*]] = ember.neg %[[X]] : tensor<3xf32>
// CHECK: return %[[R]]
func.func @neg_once(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = ember.neg %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<2x?xi1>)
// CHECK-NEXT: return %[[X]], %[[B]] : tensor<3xf32>, tensor<2x?xi1>
func.func @cast_same_type(%x: tensor<3xf32>, %b: tensor<2x?xi1>) -> (tensor<3xf32>, tensor<2x?xi1>) {
  %0 = ember.cast %x : tensor<3xf32> to tensor<3xf32>
  %1 = ember.cast %b : tensor<2x?xi1> to tensor<2x?xi1>
  return %0, %1 : tensor<3xf32>, tensor<2x?xi1>
}

// -----

// A cast that changes the element type stays.
// CHECK-LABEL: func.func @cast_other_type
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK: %[[R:.*]] = ember.cast %[[X]] : tensor<3xf32> to tensor<3xf16>
// CHECK: return %[[R]]
func.func @cast_other_type(%x: tensor<3xf32>) -> tensor<3xf16> {
  %0 = ember.cast %x : tensor<3xf32> to tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

// CHECK-LABEL: func.func @broadcast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<3x?xf32>)
// CHECK-NEXT: return %[[X]] : tensor<3x?xf32>
func.func @broadcast_same_type(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %0 = ember.broadcast %x : tensor<3x?xf32> to tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// A splat constant broadcasts to a splat constant of the result type.
// CHECK-LABEL: func.func @broadcast_splat
// CHECK-DAG: %[[F:.*]] = ember.constant dense<2.500000e+00> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = ember.constant dense<true> : tensor<4x2xi1>
// CHECK-DAG: %[[I:.*]] = ember.constant dense<7> : tensor<5xi64>
// CHECK-NOT: ember.broadcast
// CHECK: return %[[F]], %[[B]], %[[I]]
func.func @broadcast_splat() -> (tensor<2x3xf32>, tensor<4x2xi1>, tensor<5xi64>) {
  %c = ember.constant dense<2.5> : tensor<1x3xf32>
  %0 = ember.broadcast %c : tensor<1x3xf32> to tensor<2x3xf32>
  %b = ember.constant dense<true> : tensor<i1>
  %1 = ember.broadcast %b : tensor<i1> to tensor<4x2xi1>
  %i = ember.constant dense<[7]> : tensor<1xi64>
  %2 = ember.broadcast %i : tensor<1xi64> to tensor<5xi64>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<4x2xi1>, tensor<5xi64>
}

// -----

// A non-splat constant, or a dynamic result, is not folded.
// CHECK-LABEL: func.func @broadcast_no_fold
// CHECK-DAG: %[[C:.*]] = ember.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00]]> : tensor<1x3xf32>
// CHECK-DAG: %[[S:.*]] = ember.constant dense<2.500000e+00> : tensor<1x3xf32>
// CHECK-DAG: %[[A:.*]] = ember.broadcast %[[C]] : tensor<1x3xf32> to tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = ember.broadcast %[[S]] : tensor<1x3xf32> to tensor<?x3xf32>
// CHECK: return %[[A]], %[[B]]
func.func @broadcast_no_fold() -> (tensor<2x3xf32>, tensor<?x3xf32>) {
  %c = ember.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %0 = ember.broadcast %c : tensor<1x3xf32> to tensor<2x3xf32>
  %s = ember.constant dense<2.5> : tensor<1x3xf32>
  %1 = ember.broadcast %s : tensor<1x3xf32> to tensor<?x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @reshape_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// reshape(reshape(x)) is one reshape of x.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = ember.reshape %[[X]] : tensor<2x3xf32> to tensor<3x1x2xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x1x2xf32>
func.func @reshape_reshape(%x: tensor<2x3xf32>) -> tensor<3x1x2xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  %1 = ember.reshape %0 : tensor<6xf32> to tensor<3x1x2xf32>
  return %1 : tensor<3x1x2xf32>
}

// -----

// reshape(reshape(x)) back to x's type is x.
// CHECK-LABEL: func.func @reshape_reshape_back
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xi8>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xi8>
func.func @reshape_reshape_back(%x: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %0 = ember.reshape %x : tensor<2x3xi8> to tensor<6x1xi8>
  %1 = ember.reshape %0 : tensor<6x1xi8> to tensor<2x3xi8>
  return %1 : tensor<2x3xi8>
}

// -----

// Through a dynamic shape the two reshapes do not compose into a reshape the
// verifier rejects (6 elements to 7): canonicalization keeps the IR valid.
// CHECK-LABEL: func.func @reshape_reshape_dynamic_mismatch
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[A:.*]] = ember.reshape %[[X]] : tensor<2x3xf32> to tensor<?xf32>
// CHECK: %[[B:.*]] = ember.reshape %[[A]] : tensor<?xf32> to tensor<7xf32>
// CHECK: return %[[B]]
func.func @reshape_reshape_dynamic_mismatch(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<?xf32>
  %1 = ember.reshape %0 : tensor<?xf32> to tensor<7xf32>
  return %1 : tensor<7xf32>
}

// -----

// A constant reshapes in row-major order; a scalar and an empty one too.
// CHECK-LABEL: func.func @reshape_constant
// CHECK-DAG: %[[A:.*]] = ember.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi32>
// CHECK-DAG: %[[B:.*]] = ember.constant dense<3.000000e+00> : tensor<f64>
// CHECK-DAG: %[[C:.*]] = ember.constant dense<> : tensor<0x2xf16>
// CHECK-NOT: ember.reshape
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @reshape_constant() -> (tensor<3x2xi32>, tensor<f64>, tensor<0x2xf16>) {
  %c = ember.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = ember.reshape %c : tensor<2x3xi32> to tensor<3x2xi32>
  %s = ember.constant dense<[[3.0]]> : tensor<1x1xf64>
  %1 = ember.reshape %s : tensor<1x1xf64> to tensor<f64>
  %e = ember.constant dense<> : tensor<0xf16>
  %2 = ember.reshape %e : tensor<0xf16> to tensor<0x2xf16>
  return %0, %1, %2 : tensor<3x2xi32>, tensor<f64>, tensor<0x2xf16>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[S:.*]]: tensor<i1>)
// CHECK-NEXT: return %[[X]], %[[S]] : tensor<2x3xf32>, tensor<i1>
func.func @transpose_identity(%x: tensor<2x3xf32>, %s: tensor<i1>) -> (tensor<2x3xf32>, tensor<i1>) {
  %0 = ember.transpose %x [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = ember.transpose %s [] : tensor<i1> -> tensor<i1>
  return %0, %1 : tensor<2x3xf32>, tensor<i1>
}

// -----

// transpose(transpose(x)) is one transpose with the composed permutation:
// (2x3x4) [1, 0, 2] -> (3x2x4) [0, 2, 1] -> (3x4x2), i.e. x [1, 2, 0].
// CHECK-LABEL: func.func @transpose_compose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = ember.transpose %[[X]] [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x4x2xf32>
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = ember.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = ember.transpose %0 [0, 2, 1] : tensor<3x2x4xf32> -> tensor<3x4x2xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// A non-involutive pair: [2, 0, 1] then [2, 0, 1] is [1, 2, 0].
// CHECK-LABEL: func.func @transpose_compose_cycle
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xi64>)
// CHECK-NEXT: %[[R:.*]] = ember.transpose %[[X]] [1, 2, 0] : tensor<2x3x4xi64> -> tensor<3x4x2xi64>
// CHECK-NEXT: return %[[R]] : tensor<3x4x2xi64>
func.func @transpose_compose_cycle(%x: tensor<2x3x4xi64>) -> tensor<3x4x2xi64> {
  %0 = ember.transpose %x [2, 0, 1] : tensor<2x3x4xi64> -> tensor<4x2x3xi64>
  %1 = ember.transpose %0 [2, 0, 1] : tensor<4x2x3xi64> -> tensor<3x4x2xi64>
  return %1 : tensor<3x4x2xi64>
}

// -----

// Inverse permutations cancel to x, also through a chain of three.
// CHECK-LABEL: func.func @transpose_cancel
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[Y:.*]]: tensor<?x3xf16>)
// CHECK-NEXT: %[[T:.*]] = ember.transpose %[[Y]] [1, 0] : tensor<?x3xf16> -> tensor<3x?xf16>
// CHECK-NEXT: return %[[X]], %[[T]] : tensor<2x3x4xf32>, tensor<3x?xf16>
func.func @transpose_cancel(%x: tensor<2x3x4xf32>, %y: tensor<?x3xf16>) -> (tensor<2x3x4xf32>, tensor<3x?xf16>) {
  %0 = ember.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = ember.transpose %0 [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  %2 = ember.transpose %y [1, 0] : tensor<?x3xf16> -> tensor<3x?xf16>
  %3 = ember.transpose %2 [1, 0] : tensor<3x?xf16> -> tensor<?x3xf16>
  %4 = ember.transpose %3 [1, 0] : tensor<?x3xf16> -> tensor<3x?xf16>
  return %1, %4 : tensor<2x3x4xf32>, tensor<3x?xf16>
}

// -----

// Elementwise arithmetic on constants folds.
// CHECK-LABEL: func.func @constant_fold_float
// CHECK-DAG: %[[ADD:.*]] = ember.constant dense<[5.000000e+00, 2.500000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[SUB:.*]] = ember.constant dense<[-3.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[MUL:.*]] = ember.constant dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[DIV:.*]] = ember.constant dense<[2.500000e-01, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[NEG:.*]] = ember.constant dense<[-1.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: ember.add
// CHECK-NOT: ember.sub
// CHECK-NOT: ember.mul
// CHECK-NOT: ember.div
// CHECK-NOT: ember.neg
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]], %[[NEG]]
func.func @constant_fold_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = ember.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = ember.constant dense<[4.0, 0.5]> : tensor<2xf32>
  %0 = ember.add %a, %b : tensor<2xf32>
  %1 = ember.sub %a, %b : tensor<2xf32>
  %2 = ember.mul %a, %b : tensor<2xf32>
  %3 = ember.div %a, %b : tensor<2xf32>
  %4 = ember.neg %a : tensor<2xf32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Integer constants fold with wrap-around (i8: 100 + 100 = -56, -(-128) = -128).
// CHECK-LABEL: func.func @constant_fold_int
// CHECK-DAG: %[[ADD:.*]] = ember.constant dense<[-56, 0]> : tensor<2xi8>
// CHECK-DAG: %[[SUB:.*]] = ember.constant dense<[-2, 12]> : tensor<2xi32>
// CHECK-DAG: %[[MUL:.*]] = ember.constant dense<[15, 42]> : tensor<2xi32>
// CHECK-DAG: %[[NEG:.*]] = ember.constant dense<[-100, -128]> : tensor<2xi8>
// CHECK-NOT: ember.add
// CHECK-NOT: ember.sub
// CHECK-NOT: ember.mul
// CHECK-NOT: ember.neg
// CHECK: return %[[ADD]], %[[SUB]], %[[MUL]], %[[NEG]]
func.func @constant_fold_int() -> (tensor<2xi8>, tensor<2xi32>, tensor<2xi32>, tensor<2xi8>) {
  %a8 = ember.constant dense<[100, -128]> : tensor<2xi8>
  %0 = ember.add %a8, %a8 : tensor<2xi8>
  %a = ember.constant dense<[3, 6]> : tensor<2xi32>
  %b = ember.constant dense<[5, -6]> : tensor<2xi32>
  %1 = ember.sub %a, %b : tensor<2xi32>
  %c = ember.constant dense<[3, -7]> : tensor<2xi32>
  %2 = ember.mul %c, %b : tensor<2xi32>
  %3 = ember.neg %a8 : tensor<2xi8>
  return %0, %1, %2, %3 : tensor<2xi8>, tensor<2xi32>, tensor<2xi32>, tensor<2xi8>
}

// -----

// Splat and rank-0 constants fold to splats.
// CHECK-LABEL: func.func @constant_fold_splat
// CHECK-DAG: %[[A:.*]] = ember.constant dense<3.000000e+00> : tensor<4x4xf64>
// CHECK-DAG: %[[B:.*]] = ember.constant dense<-5> : tensor<i64>
// CHECK: return %[[A]], %[[B]]
func.func @constant_fold_splat() -> (tensor<4x4xf64>, tensor<i64>) {
  %a = ember.constant dense<1.0> : tensor<4x4xf64>
  %b = ember.constant dense<2.0> : tensor<4x4xf64>
  %0 = ember.add %a, %b : tensor<4x4xf64>
  %c = ember.constant dense<5> : tensor<i64>
  %1 = ember.neg %c : tensor<i64>
  return %0, %1 : tensor<4x4xf64>, tensor<i64>
}

// -----

// Float division by zero folds to IEEE infinities.
// CHECK-LABEL: func.func @fold_float_div_by_zero
// CHECK: %[[R:.*]] = ember.constant dense<[0x7F800000, 0xFF800000]> : tensor<2xf32>
// CHECK-NOT: ember.div
// CHECK: return %[[R]]
func.func @fold_float_div_by_zero() -> tensor<2xf32> {
  %a = ember.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %z = ember.constant dense<0.0> : tensor<2xf32>
  %0 = ember.div %a, %z : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Integer division by a constant zero must not fold (it traps at run time or
// is undefined); neither must x / 0.
// CHECK-LABEL: func.func @no_fold_int_div_by_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2xi32>)
// CHECK-DAG: %[[A:.*]] = ember.constant dense<[7, 8]> : tensor<2xi32>
// CHECK-DAG: %[[Z:.*]] = ember.constant dense<0> : tensor<2xi32>
// CHECK-DAG: %[[Q:.*]] = ember.div %[[A]], %[[Z]] : tensor<2xi32>
// CHECK-DAG: %[[R:.*]] = ember.div %[[X]], %[[Z]] : tensor<2xi32>
// CHECK: return %[[Q]], %[[R]]
func.func @no_fold_int_div_by_zero(%x: tensor<2xi32>) -> (tensor<2xi32>, tensor<2xi32>) {
  %a = ember.constant dense<[7, 8]> : tensor<2xi32>
  %z = ember.constant dense<0> : tensor<2xi32>
  %0 = ember.div %a, %z : tensor<2xi32>
  %1 = ember.div %x, %z : tensor<2xi32>
  return %0, %1 : tensor<2xi32>, tensor<2xi32>
}

// -----

// The backward pass of `x @ w.T` gives `dw = (x.T @ dy).T`: the transposed
// product becomes a product of transposed operands, whose transposes of
// transposes cancel, `dy.T @ x`.
// CHECK-LABEL: func.func @transpose_of_matmul
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[DY:.*]]: tensor<4x5xf32>)
// CHECK-NEXT: %[[T:.*]] = ember.transpose %[[DY]] [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
// CHECK-NEXT: %[[R:.*]] = ember.matmul %[[T]], %[[X]] : tensor<5x4xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<5x3xf32>
func.func @transpose_of_matmul(%x: tensor<4x3xf32>, %dy: tensor<4x5xf32>) -> tensor<5x3xf32> {
  %0 = ember.transpose %x [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %1 = ember.matmul %0, %dy : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
  %2 = ember.transpose %1 [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
  return %2 : tensor<5x3xf32>
}

// -----

// Without a transposed operand to cancel, or with another use of the product,
// the transpose of the product stays.
// CHECK-LABEL: func.func @transpose_of_matmul_kept
// CHECK: %[[M:.*]] = ember.matmul %arg0, %arg1
// CHECK-NEXT: %[[T:.*]] = ember.transpose %[[M]] [1, 0]
// CHECK-NEXT: %[[C:.*]] = ember.transpose %arg2 [1, 0]
// CHECK-NEXT: %[[M2:.*]] = ember.matmul %[[C]], %arg1
// CHECK-NEXT: %[[T2:.*]] = ember.transpose %[[M2]] [1, 0]
// CHECK-NEXT: return %[[T]], %[[T2]], %[[M2]]
func.func @transpose_of_matmul_kept(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<4x3xf32>)
    -> (tensor<5x3xf32>, tensor<5x3xf32>, tensor<3x5xf32>) {
  %0 = ember.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
  %1 = ember.transpose %0 [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
  %2 = ember.transpose %c [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %3 = ember.matmul %2, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
  %4 = ember.transpose %3 [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
  return %1, %4, %3 : tensor<5x3xf32>, tensor<5x3xf32>, tensor<3x5xf32>
}
