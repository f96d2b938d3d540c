// RUN: ember-opt %s -split-input-file -verify-diagnostics

// Every way each ember op can be misused, one case per split, with the
// diagnostic the verifier (or, for the custom syntax, the parser) gives.

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

// Float-only op on integers.
func.func @f(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'ember.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = ember.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only op on integers.
func.func @f(%x: tensor<2x2xi64>) -> tensor<2x2xi64> {
  // expected-error @+1 {{'ember.tanh' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x2xi64>'}}
  %0 = ember.tanh %x : tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// Float-only op on i8.
func.func @f(%x: tensor<i8>) -> tensor<i8> {
  // expected-error @+1 {{'ember.floor' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<i8>'}}
  %0 = ember.floor %x : tensor<i8>
  return %0 : tensor<i8>
}

// -----

// Float-only op on i1.
func.func @f(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{'ember.sqrt' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<3xi1>'}}
  %0 = ember.sqrt %x : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Numeric op on i1.
func.func @f(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.neg' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = ember.neg %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// An element type outside the dialect's.
func.func @f(%x: tensor<4xi16>) -> tensor<4xi16> {
  // expected-error @+1 {{'ember.abs' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi16>'}}
  %0 = ember.abs %x : tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

// Unsigned integers are not ember element types.
func.func @f(%x: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @+1 {{'ember.sign' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xui8>'}}
  %0 = ember.sign %x : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Logical op on floats.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.logical_not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ember.logical_not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Logical op on i8.
func.func @f(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'ember.logical_not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = ember.logical_not %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// Result type differs from the operand's.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'ember.neg' op requires the same type for all operands and results}}
  %0 = "ember.neg"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// Result shape differs from the operand's.
func.func @f(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'ember.sigmoid' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "ember.sigmoid"(%x) : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Unranked tensors are not accepted.
func.func @f(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{custom op 'ember.abs' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %0 = ember.abs %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Unranked tensors are not accepted (generic form).
func.func @f(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'ember.erf' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %0 = "ember.erf"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

// Operand shapes differ (broadcast first with ember.broadcast).
func.func @f(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.add' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "ember.add"(%x, %y) : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Operand element types differ.
func.func @f(%x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.mul' op requires the same type for all operands and results}}
  %0 = "ember.mul"(%x, %y) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Result element type differs from the operands'.
func.func @f(%x: tensor<2x3xi32>) -> tensor<2x3xi64> {
  // expected-error @+1 {{'ember.sub' op requires the same type for all operands and results}}
  %0 = "ember.sub"(%x, %x) : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Numeric op on i1.
func.func @f(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.add' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = ember.add %x, %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Numeric op on i1.
func.func @f(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.maximum' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = ember.maximum %x, %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Logical op on integers.
func.func @f(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'ember.logical_and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = ember.logical_and %x, %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Logical op on floats.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.logical_or' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ember.logical_or %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Logical op with one i1 and one i8 operand.
func.func @f(%x: tensor<4xi1>, %y: tensor<4xi8>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.logical_and' op operand #1 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = "ember.logical_and"(%x, %y) : (tensor<4xi1>, tensor<4xi8>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Compare
//===----------------------------------------------------------------------===//

// Operand types differ.
func.func @f(%x: tensor<4xf32>, %y: tensor<4xi32>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.eq' op requires all operands to have the same type}}
  %0 = "ember.eq"(%x, %y) : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Operand shapes differ.
func.func @f(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.ne' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "ember.ne"(%x, %y) : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Result is not i1.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.lt' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = "ember.lt"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Result shape differs from the operands'.
func.func @f(%x: tensor<4xf32>) -> tensor<3xi1> {
  // expected-error @+1 {{'ember.ge' op failed to verify that result is an i1 tensor of the operands' shape}}
  %0 = "ember.ge"(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Unsupported element type.
func.func @f(%x: tensor<4xi16>) -> tensor<4xi1> {
  // expected-error @+1 {{custom op 'ember.le' 'lhs' must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi16>'}}
  %0 = ember.le %x, %x : tensor<4xi16>
  return %0 : tensor<4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Select
//===----------------------------------------------------------------------===//

// Condition shape differs from the result's.
func.func @f(%c: tensor<3xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.select' op failed to verify that condition is an i1 tensor of the result's shape}}
  %0 = "ember.select"(%c, %x, %x) : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Condition rank differs from the result's.
func.func @f(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.select' op failed to verify that condition is an i1 tensor of the result's shape}}
  %0 = "ember.select"(%c, %x, %x) : (tensor<i1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Condition is not i1.
func.func @f(%c: tensor<4xi8>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = "ember.select"(%c, %x, %x) : (tensor<4xi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The two values have different types.
func.func @f(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.select' op failed to verify that all of {true_value, false_value, result} have same type}}
  %0 = "ember.select"(%c, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Result type differs from the values'.
func.func @f(%c: tensor<4xi1>, %x: tensor<4xi32>) -> tensor<4xi64> {
  // expected-error @+1 {{'ember.select' op failed to verify that all of {true_value, false_value, result} have same type}}
  %0 = "ember.select"(%c, %x, %x) : (tensor<4xi1>, tensor<4xi32>, tensor<4xi32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

// Shape changes.
func.func @f(%x: tensor<4xf32>) -> tensor<3xi32> {
  // expected-error @+1 {{'ember.cast' op all non-scalar operands/results must have the same shape and base type}}
  %0 = ember.cast %x : tensor<4xf32> to tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Rank changes.
func.func @f(%x: tensor<4xf32>) -> tensor<4x1xi32> {
  // expected-error @+1 {{'ember.cast' op all non-scalar operands/results must have the same shape and base type}}
  %0 = ember.cast %x : tensor<4xf32> to tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

// Target element type outside the dialect's.
func.func @f(%x: tensor<4xf32>) -> tensor<4xui8> {
  // expected-error @+1 {{'ember.cast' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xui8>'}}
  %0 = ember.cast %x : tensor<4xf32> to tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

//===----------------------------------------------------------------------===//
// Broadcast
//===----------------------------------------------------------------------===//

// Incompatible shapes.
func.func @f(%x: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'ember.broadcast' op cannot broadcast shape 3 to 2x4: dimension 0 has size 3, expected 1 or 4}}
  %0 = ember.broadcast %x : tensor<3xf32> to tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Incompatible shapes (dims align from the right).
func.func @f(%x: tensor<2x1xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'ember.broadcast' op cannot broadcast shape 2x1 to 2x3x4: dimension 0 has size 2, expected 1 or 3}}
  %0 = ember.broadcast %x : tensor<2x1xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A size-0 dimension does not broadcast to size 1.
func.func @f(%x: tensor<0xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'ember.broadcast' op cannot broadcast shape 0 to 1: dimension 0 has size 0, expected 1 or 1}}
  %0 = ember.broadcast %x : tensor<0xf32> to tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Rank decreases.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'ember.broadcast' op cannot broadcast rank 2 to the lower rank 1}}
  %0 = ember.broadcast %x : tensor<2x3xf32> to tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Rank decreases to 0.
func.func @f(%x: tensor<1xi32>) -> tensor<i32> {
  // expected-error @+1 {{'ember.broadcast' op cannot broadcast rank 1 to the lower rank 0}}
  %0 = ember.broadcast %x : tensor<1xi32> to tensor<i32>
  return %0 : tensor<i32>
}

// -----

// Element type changes.
func.func @f(%x: tensor<3xf32>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'ember.broadcast' op element types differ: 'f32' vs 'f64'}}
  %0 = ember.broadcast %x : tensor<3xf32> to tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

// Element count changes.
func.func @f(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'ember.reshape' op cannot reshape 2x3 (6 elements) to 7 (7 elements)}}
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Zero elements to a scalar.
func.func @f(%x: tensor<0x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'ember.reshape' op cannot reshape 0x3 (0 elements) to scalar (1 elements)}}
  %0 = ember.reshape %x : tensor<0x3xf32> to tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Element type changes.
func.func @f(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{'ember.reshape' op element types differ: 'f32' vs 'i32'}}
  %0 = ember.reshape %x : tensor<2x3xf32> to tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// Dimension out of range.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'ember.sum' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.sum' op failed to infer returned types}}
  %0 = ember.sum %x [2] : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Negative dimension (the frontend normalizes them).
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'ember.sum' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.sum' op failed to infer returned types}}
  %0 = ember.sum %x [-1] : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Any dimension is out of range for rank 0.
func.func @f(%x: tensor<i32>) -> tensor<i32> {
  // expected-error @+2 {{'ember.prod' dimension 0 is out of range for rank 0}}
  // expected-error @+1 {{'ember.prod' op failed to infer returned types}}
  %0 = ember.prod %x [0] : tensor<i32> -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// Repeated dimension.
func.func @f(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+2 {{'ember.max' dimension 1 is repeated}}
  // expected-error @+1 {{'ember.max' op failed to infer returned types}}
  %0 = ember.max %x [1, 1] : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Result shape mismatch.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'ember.min' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'ember.min' op failed to infer returned types}}
  %0 = ember.min %x [1] : tensor<2x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// keepdim keeps the reduced dimension with size 1.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'ember.prod' op inferred type(s) 'tensor<2x1xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{'ember.prod' op failed to infer returned types}}
  %0 = ember.prod %x [1] keepdim : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Without keepdim the reduced dimension is dropped.
func.func @f(%x: tensor<2x3xf16>) -> tensor<2x1xf16> {
  // expected-error @+2 {{'ember.mean' op inferred type(s) 'tensor<2xf16>' are incompatible with return type(s) of operation 'tensor<2x1xf16>'}}
  // expected-error @+1 {{'ember.mean' op failed to infer returned types}}
  %0 = ember.mean %x [1] : tensor<2x3xf16> -> tensor<2x1xf16>
  return %0 : tensor<2x1xf16>
}

// -----

// Result element type differs.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf64> {
  // expected-error @+2 {{'ember.sum' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2xf64>'}}
  // expected-error @+1 {{'ember.sum' op failed to infer returned types}}
  %0 = ember.sum %x [1] : tensor<2x3xf32> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

// mean is float-only.
func.func @f(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{'ember.mean' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x3xi32>'}}
  %0 = ember.mean %x [1] : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// sum does not take i1.
func.func @f(%x: tensor<2x3xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{'ember.sum' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x3xi1>'}}
  %0 = ember.sum %x [1] : tensor<2x3xi1> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// dims is required.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'ember.sum' op requires attribute 'dims'}}
  %0 = "ember.sum"(%x) : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Arg reductions
//===----------------------------------------------------------------------===//

// Rank 0 has no dimension to reduce.
func.func @f(%x: tensor<f32>) -> tensor<i64> {
  // expected-error @+2 {{'ember.argmax' needs an operand of rank >= 1}}
  // expected-error @+1 {{'ember.argmax' op failed to infer returned types}}
  %0 = ember.argmax %x 0 : tensor<f32> -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// Rank 0 has no dimension to reduce.
func.func @f(%x: tensor<i32>) -> tensor<i64> {
  // expected-error @+2 {{'ember.argmin' needs an operand of rank >= 1}}
  // expected-error @+1 {{'ember.argmin' op failed to infer returned types}}
  %0 = ember.argmin %x 0 : tensor<i32> -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// Dimension out of range.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{'ember.argmin' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.argmin' op failed to infer returned types}}
  %0 = ember.argmin %x 2 : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Negative dimension.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{'ember.argmax' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.argmax' op failed to infer returned types}}
  %0 = ember.argmax %x -1 : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Result is not i64.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'ember.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = ember.argmax %x 1 : tensor<2x3xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Result shape mismatch.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3xi64> {
  // expected-error @+2 {{'ember.argmax' op inferred type(s) 'tensor<2xi64>' are incompatible with return type(s) of operation 'tensor<3xi64>'}}
  // expected-error @+1 {{'ember.argmax' op failed to infer returned types}}
  %0 = ember.argmax %x 1 : tensor<2x3xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Without keepdim the dimension is dropped.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  // expected-error @+2 {{'ember.argmin' op inferred type(s) 'tensor<2xi64>' are incompatible with return type(s) of operation 'tensor<2x1xi64>'}}
  // expected-error @+1 {{'ember.argmin' op failed to infer returned types}}
  %0 = ember.argmin %x 1 : tensor<2x3xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// argmax does not take i1.
func.func @f(%x: tensor<2x3xi1>) -> tensor<2xi64> {
  // expected-error @+1 {{'ember.argmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x3xi1>'}}
  %0 = ember.argmax %x 1 : tensor<2x3xi1> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// dim is required.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'ember.argmax' op requires attribute 'dim'}}
  %0 = "ember.argmax"(%x) : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

// Contraction sizes differ (2-D x 2-D).
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{'ember.matmul' contraction sizes differ: 2x3 @ 4x5 (3 vs 4)}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Contraction sizes differ (1-D x 1-D).
func.func @f(%a: tensor<3xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+2 {{'ember.matmul' contraction sizes differ: 3 @ 4 (3 vs 4)}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<3xf32>, tensor<4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Contraction sizes differ (2-D x 1-D).
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'ember.matmul' contraction sizes differ: 2x3 @ 4 (3 vs 4)}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Contraction sizes differ (1-D x batched).
func.func @f(%a: tensor<4xi32>, %b: tensor<2x3x5xi32>) -> tensor<2x5xi32> {
  // expected-error @+2 {{'ember.matmul' contraction sizes differ: 4 @ 2x3x5 (4 vs 3)}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<4xi32>, tensor<2x3x5xi32> -> tensor<2x5xi32>
  return %0 : tensor<2x5xi32>
}

// -----

// Batch dimensions do not broadcast.
func.func @f(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) -> tensor<3x2x4xf32> {
  // expected-error @+2 {{'ember.matmul' batch dimensions do not broadcast: 2x2x3 @ 3x3x4}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x2x3xf32>, tensor<3x3x4xf32> -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// Batch dimensions do not broadcast (aligned from the right).
func.func @f(%a: tensor<4x2x2x3xf16>, %b: tensor<3x3x4xf16>) -> tensor<4x3x2x4xf16> {
  // expected-error @+2 {{'ember.matmul' batch dimensions do not broadcast: 4x2x2x3 @ 3x3x4}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<4x2x2x3xf16>, tensor<3x3x4xf16> -> tensor<4x3x2x4xf16>
  return %0 : tensor<4x3x2x4xf16>
}

// -----

// Rank-0 left operand.
func.func @f(%a: tensor<f32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'ember.matmul' operands must have rank >= 1, got shapes scalar and 3}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<f32>, tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Rank-0 right operand.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2xf32> {
  // expected-error @+2 {{'ember.matmul' operands must have rank >= 1, got shapes 2x3 and scalar}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<f32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Element types differ.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+2 {{'ember.matmul' element types differ: 'f32' vs 'f16'}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf16> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Result shape mismatch.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{'ember.matmul' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x5xf32>'}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// 1-D x 1-D gives rank 0, not a size-1 tensor.
func.func @f(%a: tensor<3xf32>) -> tensor<1xf32> {
  // expected-error @+2 {{'ember.matmul' op inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %a : tensor<3xf32>, tensor<3xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Result element type differs from the operands'.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf16> {
  // expected-error @+2 {{'ember.matmul' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf16>'}}
  // expected-error @+1 {{'ember.matmul' op failed to infer returned types}}
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// matmul does not take i1.
func.func @f(%a: tensor<2x3xi1>, %b: tensor<3x4xi1>) -> tensor<2x4xi1> {
  // expected-error @+1 {{'ember.matmul' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x3xi1>'}}
  %0 = ember.matmul %a, %b : tensor<2x3xi1>, tensor<3x4xi1> -> tensor<2x4xi1>
  return %0 : tensor<2x4xi1>
}

// -----

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

// Repeated entry.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{'ember.transpose' dimension 1 is repeated}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Entry out of range.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.transpose' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [1, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Negative entry.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.transpose' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Too few entries.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.transpose' permutation has 1 entries for rank 2}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [1] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Too many entries.
func.func @f(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.transpose' permutation has 3 entries for rank 2}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Result shape mismatch.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'ember.transpose' op failed to infer returned types}}
  %0 = ember.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

// Step 0.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' step 0 in dimension 0 must be >= 1}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [0, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Negative step.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' step -1 in dimension 1 must be >= 1}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [2, -1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// stop past the end.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' range 0:5 in dimension 0 is not within 0 <= start <= stop <= 4}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [5, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Negative start (the frontend normalizes Python indices).
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' range -1:4 in dimension 0 is not within 0 <= start <= stop <= 4}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [-1, 1] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// start after stop.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' range 3:1 in dimension 1 is not within 0 <= start <= stop <= 4}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 3] stop [4, 1] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// start after stop in a dynamic dimension: the bound prints as `?`.
func.func @f(%x: tensor<?xf32>) -> tensor<1xf32> {
  // expected-error @+2 {{'ember.slice' range 3:1 in dimension 0 is not within 0 <= start <= stop <= ?}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [3] stop [1] step [1] : tensor<?xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Too few start entries.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' needs one start, stop and step per dimension (rank 2)}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0] stop [4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Too many stop entries.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' needs one start, stop and step per dimension (rank 2)}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [4, 4, 4] step [2, 1] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Too few step entries.
func.func @f(%x: tensor<4x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'ember.slice' needs one start, stop and step per dimension (rank 2)}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [4, 4] step [2] : tensor<4x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Entries on a rank-0 tensor.
func.func @f(%x: tensor<f32>) -> tensor<1xf32> {
  // expected-error @+2 {{'ember.slice' needs one start, stop and step per dimension (rank 0)}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0] stop [1] step [1] : tensor<f32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Result shape mismatch (a partial last stride still counts).
func.func @f(%x: tensor<4x4xf32>) -> tensor<1x3xf32> {
  // expected-error @+2 {{'ember.slice' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3xf32>'}}
  // expected-error @+1 {{'ember.slice' op failed to infer returned types}}
  %0 = ember.slice %x start [0, 1] stop [3, 4] step [2, 1] : tensor<4x4xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

// Shapes differ outside the concatenated dimension.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'ember.concat' input 1 has shape 2x4, which differs from the inputs before it (2x3) outside dimension 0}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// The third input's shape differs.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<2x4xf32>) -> tensor<6x3xf32> {
  // expected-error @+2 {{'ember.concat' input 2 has shape 2x4, which differs from the inputs before it (4x3) outside dimension 0}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %b, %c dim 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<6x3xf32>
  return %0 : tensor<6x3xf32>
}

// -----

// Ranks differ.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<5x3xf32> {
  // expected-error @+2 {{'ember.concat' input 1 ('tensor<3xf32>') does not match input 0 ('tensor<2x3xf32>') in rank or element type}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

// Element types differ.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'ember.concat' input 1 ('tensor<2x3xf16>') does not match input 0 ('tensor<2x3xf32>') in rank or element type}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %b dim 0 : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Dimension out of range.
func.func @f(%a: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'ember.concat' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %a dim 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Negative dimension.
func.func @f(%a: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{'ember.concat' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %a dim -1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Rank-0 inputs have no dimension to concatenate.
func.func @f(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+2 {{'ember.concat' dimension 0 is out of range for rank 0}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %a dim 0 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// No inputs.
func.func @f() -> tensor<0xf32> {
  // expected-error @+2 {{'ember.concat' needs at least one input}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat dim 0 : () -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

// Result shape mismatch.
func.func @f(%a: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{'ember.concat' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<2x6xf32>'}}
  // expected-error @+1 {{'ember.concat' op failed to infer returned types}}
  %0 = ember.concat %a, %a dim 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

// Negative low amount.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' amounts must be >= 0, got -1 and 1 in dimension 1}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, -1] high [1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Negative high amount.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' amounts must be >= 0, got 0 and -1 in dimension 0}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, 1] high [-1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Value of an integer type for a float tensor.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' value must have the element type 'f32'}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, 1] high [1, 1] value(0 : i32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Value of another float type.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' value must have the element type 'f32'}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, 1] high [1, 1] value(0.0 : f64) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// An untyped value.
func.func @f(%x: tensor<2xi1>) -> tensor<3xi1> {
  // expected-error @+2 {{'ember.pad' value must have the element type 'i1'}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [1] high [0] value("zero") : tensor<2xi1> -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Too few low amounts.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' needs one low and one high amount per dimension (rank 2)}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0] high [1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Too many high amounts.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.pad' needs one low and one high amount per dimension (rank 2)}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, 1] high [1, 1, 0] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Result shape mismatch.
func.func @f(%x: tensor<2x2xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{'ember.pad' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{'ember.pad' op failed to infer returned types}}
  %0 = ember.pad %x low [0, 1] high [1, 1] value(0.0 : f32) : tensor<2x2xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// value is required.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.pad' op requires attribute 'value'}}
  %0 = "ember.pad"(%x) <{low = array<i64: 0, 0>, high = array<i64: 0, 0>}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

// Index rank differs from the input's.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+2 {{'ember.gather' index rank 1 differs from input rank 2}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Index larger than the input outside dim.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<4x2xi64>) -> tensor<4x2xf32> {
  // expected-error @+2 {{'ember.gather' index shape 4x2 exceeds input shape 3x4 in dimension 0}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// Dimension out of range.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.gather' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim 2 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Negative dimension.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'ember.gather' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim -1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Float index.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'ember.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3x2xf32>'}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// i8 index.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xi8>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'ember.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3x2xi8>'}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xi8>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Result has the index's element type instead of the input's.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xi64> {
  // expected-error @+2 {{'ember.gather' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<3x2xi64>'}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// Result has the input's shape instead of the index's.
func.func @f(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'ember.gather' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'ember.gather' op failed to infer returned types}}
  %0 = ember.gather %x, %i dim 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// dim is required.
func.func @f(%x: tensor<2x3xf32>, %i: tensor<2x3xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.gather' op requires attribute 'dim'}}
  %0 = "ember.gather"(%x, %i) : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

// Value shape differs from the result's.
func.func @f() -> tensor<3xf32> {
  // expected-error @+1 {{'ember.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "ember.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Value element type differs from the result's.
func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{'ember.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "ember.constant"() <{value = dense<1.0> : tensor<2xf64>}> : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Element type outside the dialect's.
func.func @f() -> tensor<2xi16> {
  // expected-error @+1 {{'ember.constant' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 1-bit signless integer or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi16>'}}
  %0 = ember.constant dense<1> : tensor<2xi16>
  return %0 : tensor<2xi16>
}

// -----

//===----------------------------------------------------------------------===//
// Full
//===----------------------------------------------------------------------===//

// Integer value for a float tensor.
func.func @f() -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.full' op value of type 'i32' does not match the element type 'f32'}}
  %0 = ember.full 1 : i32 -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Value of another float type.
func.func @f() -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.full' op value of type 'f64' does not match the element type 'f32'}}
  %0 = ember.full 1.0 : f64 -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// i8 value for an i1 tensor.
func.func @f() -> tensor<2xi1> {
  // expected-error @+1 {{'ember.full' op value of type 'i8' does not match the element type 'i1'}}
  %0 = ember.full 1 : i8 -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// A tensor value.
func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{'ember.full' op value of type 'tensor<2xf32>' does not match the element type 'f32'}}
  %0 = ember.full dense<1.0> : tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// An untyped value.
func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{'ember.full' op value of type 'none' does not match the element type 'f32'}}
  %0 = ember.full "one" -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Iota
//===----------------------------------------------------------------------===//

// Dimension out of range.
func.func @f() -> tensor<2x3xi64> {
  // expected-error @+1 {{'ember.iota' op dimension 2 is out of range for rank 2}}
  %0 = ember.iota 2 : tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Negative dimension.
func.func @f() -> tensor<2x3xi64> {
  // expected-error @+1 {{'ember.iota' op dimension -1 is out of range for rank 2}}
  %0 = ember.iota -1 : tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Rank 0 has no dimension.
func.func @f() -> tensor<i64> {
  // expected-error @+1 {{'ember.iota' op dimension 0 is out of range for rank 0}}
  %0 = ember.iota 0 : tensor<i64>
  return %0 : tensor<i64>
}

// -----

// i1 result.
func.func @f() -> tensor<3xi1> {
  // expected-error @+1 {{'ember.iota' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xi1>'}}
  %0 = ember.iota 0 : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @insert_slice_shape(%v: tensor<2x2xf32>, %x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'ember.insert_slice' op source shape 2x2 differs from the slice shape 2x3}}
  %0 = ember.insert_slice %v into %x start [0, 1] stop [4, 4] step [2, 1] : tensor<2x2xf32> into tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @insert_slice_element_type(%v: tensor<2xf16>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.insert_slice' op element types differ: 'f16' vs 'f32'}}
  %0 = ember.insert_slice %v into %x start [0] stop [2] step [1] : tensor<2xf16> into tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @insert_slice_range(%v: tensor<2xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'ember.insert_slice' range 3:5 in dimension 0 is not within 0 <= start <= stop <= 4}}
  %0 = ember.insert_slice %v into %x start [3] stop [5] step [1] : tensor<2xf32> into tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @insert_slice_rank(%v: tensor<2xf32>, %x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'ember.insert_slice' op source rank 1 differs from the destination rank 2}}
  %0 = ember.insert_slice %v into %x start [0, 0] stop [2, 1] step [1, 1] : tensor<2xf32> into tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @full_dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{'ember.full' op result must have a static shape}}
  %0 = ember.full 1.0 : f32 -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @iota_dynamic() -> tensor<?xi64> {
  // expected-error @+1 {{'ember.iota' op result must have a static shape}}
  %0 = ember.iota 0 : tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

//===----------------------------------------------------------------------===//
// Cumsum
//===----------------------------------------------------------------------===//

// Rank 0 has no dimension to scan.
func.func @f(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'ember.cumsum' op needs an operand of rank >= 1}}
  %0 = ember.cumsum %x dim 0 : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Dimension out of range.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.cumsum' dimension 2 is out of range for rank 2}}
  %0 = ember.cumsum %x dim 2 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Negative dimension (the frontend normalizes them).
func.func @f(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'ember.cumsum' dimension -1 is out of range for rank 1}}
  %0 = ember.cumsum %x dim -1 : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Result element type differs from the operand's (generic form).
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'ember.cumsum' op requires the same type for all operands and results}}
  %0 = "ember.cumsum"(%x) {dim = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// Result shape differs from the operand's (generic form).
func.func @f(%x: tensor<2x3xi8>) -> tensor<3x2xi8> {
  // expected-error @+1 {{'ember.cumsum' op requires the same type for all operands and results}}
  %0 = "ember.cumsum"(%x) {dim = 1 : i64} : (tensor<2x3xi8>) -> tensor<3x2xi8>
  return %0 : tensor<3x2xi8>
}

// -----

// cumsum does not take i1 (the frontend sums bools in i64).
func.func @f(%x: tensor<2x3xi1>) -> tensor<2x3xi1> {
  // expected-error @+1 {{'ember.cumsum' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x3xi1>'}}
  %0 = ember.cumsum %x dim 0 : tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

// dim is required.
func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'ember.cumsum' op requires attribute 'dim'}}
  %0 = "ember.cumsum"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Sort
//===----------------------------------------------------------------------===//

// Rank 0 has no dimension to sort.
func.func @f(%x: tensor<i32>) {
  // expected-error @+2 {{'ember.sort' needs an operand of rank >= 1}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 0 : tensor<i32> -> tensor<i32>, tensor<i64>
  return
}

// -----

// Dimension out of range.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'ember.sort' dimension 2 is out of range for rank 2}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 2 : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  return
}

// -----

// Negative dimension.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'ember.sort' dimension -1 is out of range for rank 2}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim -1 descending : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  return
}

// -----

// Indices are i64.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ember.sort' op result #1 must be ranked tensor of 64-bit signless integer values, but got 'tensor<2x3xi32>'}}
  %0:2 = ember.sort %x dim 1 : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi32>
  return
}

// -----

// Values element type differs from the operand's.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'ember.sort' op inferred type(s) 'tensor<2x3xf32>', 'tensor<2x3xi64>' are incompatible with return type(s) of operation 'tensor<2x3xf16>', 'tensor<2x3xi64>'}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 1 : tensor<2x3xf32> -> tensor<2x3xf16>, tensor<2x3xi64>
  return
}

// -----

// Values shape differs from the operand's.
func.func @f(%x: tensor<2x3xi32>) {
  // expected-error @+2 {{'ember.sort' op inferred type(s) 'tensor<2x3xi32>', 'tensor<2x3xi64>' are incompatible with return type(s) of operation 'tensor<3x2xi32>', 'tensor<2x3xi64>'}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 0 : tensor<2x3xi32> -> tensor<3x2xi32>, tensor<2x3xi64>
  return
}

// -----

// Indices shape differs from the operand's.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'ember.sort' op inferred type(s) 'tensor<2x3xf32>', 'tensor<2x3xi64>' are incompatible with return type(s) of operation 'tensor<2x3xf32>', 'tensor<2x1xi64>'}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 1 : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x1xi64>
  return
}

// -----

// A `?` dimension stays `?` in the results.
func.func @f(%x: tensor<2x?xf32>) {
  // expected-error @+2 {{'ember.sort' op inferred type(s) 'tensor<2x?xf32>', 'tensor<2x?xi64>' are incompatible with return type(s) of operation 'tensor<2x3xf32>', 'tensor<2x3xi64>'}}
  // expected-error @+1 {{'ember.sort' op failed to infer returned types}}
  %0:2 = ember.sort %x dim 1 : tensor<2x?xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  return
}

// -----

// sort does not take i1 (the frontend sorts bools as i8).
func.func @f(%x: tensor<2x3xi1>) {
  // expected-error @+1 {{'ember.sort' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 8-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x3xi1>'}}
  %0:2 = ember.sort %x dim 1 : tensor<2x3xi1> -> tensor<2x3xi1>, tensor<2x3xi64>
  return
}

// -----

// Two results: values and indices.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ember.sort' op expected 2 results}}
  %0 = "ember.sort"(%x) {dim = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// dim is required.
func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'ember.sort' op requires attribute 'dim'}}
  %0:2 = "ember.sort"(%x) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return
}

// -----

func.func @rem_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'ember.rem' op operand #0 must be ranked tensor of}}
  %0 = ember.rem %a, %a : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @conv_channels(%x: tensor<1x3x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'ember.conv' op input channels must be groups (1) x filter dim 1: input 1x3x5x5, filter 4x2x3x3, output 1x4x3x3}}
  %0 = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1 : tensor<1x3x5x5xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

func.func @conv_output_size(%x: tensor<1x2x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x4xf32> {
  // expected-error @+1 {{'ember.conv' op spatial dim 0: output size 4 should be 3: input 1x2x5, filter 4x2x3, output 1x4x4}}
  %0 = ember.conv %x, %w stride [1] dilation [1] groups 1 : tensor<1x2x5xf32>, tensor<4x2x3xf32> -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x2x5xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x1xf32> {
  // expected-error @+1 {{'ember.conv' op spatial dim 0: the dilated kernel (7) is larger than the input (5)}}
  %0 = ember.conv %x, %w stride [1] dilation [3] groups 1 : tensor<1x2x5xf32>, tensor<4x2x3xf32> -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x4x5xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3xf32> {
  // expected-error @+1 {{'ember.conv' op filter dim 0 (3) is not divisible by groups (2)}}
  %0 = ember.conv %x, %w stride [1] dilation [1] groups 2 : tensor<1x4x5xf32>, tensor<3x2x3xf32> -> tensor<1x3x3xf32>
  return %0 : tensor<1x3x3xf32>
}

// -----

func.func @conv_transpose_size(%g: tensor<1x3x4xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x2x7xf32> {
  // expected-error @+1 {{'ember.conv_transpose' op spatial dim 0: output size 4 should be 3: input 1x2x7, filter 3x2x3, output 1x3x4}}
  %0 = ember.conv_transpose %g, %w stride [2] dilation [1] groups 1 : tensor<1x3x4xf32>, tensor<3x2x3xf32> -> tensor<1x2x7xf32>
  return %0 : tensor<1x2x7xf32>
}

// -----

func.func @conv_stride_count(%x: tensor<1x2x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'ember.conv' op needs one stride and one dilation per spatial dim (2), got 1 and 2}}
  %0 = ember.conv %x, %w stride [1] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}
