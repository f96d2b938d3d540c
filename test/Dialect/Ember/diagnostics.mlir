// RUN: not ember-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: not ember-opt %s -split-input-file --ember-cpu-pipeline 2>&1 | FileCheck %s --check-prefixes=CHECK,PIPE

// Malformed input gives an error at its file:line:col and a non-zero exit,
// never a crash (`not` fails on a crash). The second run goes through the CPU
// pipeline: the same errors come out, and IR that parses but cannot be lowered
// is reported at its op too.

func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: custom op 'ember.frobnicate' is unknown
  %0 = ember.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unknown_op_generic(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: unregistered operation 'ember.frobnicate' found in dialect ('ember') that does not allow unknown operations
  %0 = "ember.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_comma(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:20: error: expected ','
  %0 = ember.add %x %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_type(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected ':'
  %0 = ember.transpose %x [1, 0]
  return %0 : tensor<3x2xf32>
}

// -----

func.func @bad_attribute(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected '['
  %0 = ember.sum %x 1 : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @undefined_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:22: error: use of undeclared SSA value name
  %0 = ember.add %x, %y : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @value_used_at_another_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:18: error: use of value '%x' expects different type than prior uses: 'tensor<4xf16>' vs 'tensor<4xf32>'
  %0 = ember.add %x, %x : tensor<4xf16>
  return %0 : tensor<4xf32>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:{{[0-9]+}}: error: custom op 'ember.neg' invalid kind of type specified
  %0 = ember.neg %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @verifier_type_error(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.exp' op operand #0 must be ranked tensor of {{.*}}, but got 'tensor<4xi32>'
  %0 = ember.exp %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @inferred_type_error(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.matmul' contraction sizes differ: 2x3 @ 4x5 (3 vs 4)
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Valid IR, but the CPU pipeline does not lower dynamic shapes: the pipeline
// reports it at the op.
func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // PIPE: diagnostics.mlir:[[@LINE+1]]:8: error: {{.*}}'ember.exp'
  %0 = ember.exp %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Sizes near INT64_MAX must give an error, never a crash or a silently wrong
// type. (A huge step is fine: `[0:2:INT64_MAX]` has one element; see ops.mlir.)
func.func @slice_size_overflow_dynamic(%x: tensor<?xf32>) -> tensor<1xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.slice'
  %0 = ember.slice %x start [0] stop [9223372036854775807] step [2] : tensor<?xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @pad_size_overflow(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.pad'
  %0 = ember.pad %x low [9223372036854775807] high [1] value(0.0 : f32) : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 1 + INT64_MAX wraps to the bit pattern of `?`: a static input must not pad
// to a dynamic size.
func.func @pad_size_overflow_to_dynamic(%x: tensor<1xf32>) -> tensor<?xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.pad'
  %0 = ember.pad %x low [9223372036854775807] high [0] value(0.0 : f32) : tensor<1xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @concat_size_overflow(%a: tensor<9223372036854775807xf32>) -> tensor<?xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.concat'
  %0 = ember.concat %a, %a dim 0 : (tensor<9223372036854775807xf32>, tensor<9223372036854775807xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// 2^32 * 2^32 elements wraps to 0 in int64: the element counts still differ.
func.func @reshape_count_overflow(%x: tensor<4294967296x4294967296xf32>) -> tensor<0xf32> {
  // CHECK: diagnostics.mlir:[[@LINE+1]]:8: error: 'ember.reshape'
  %0 = ember.reshape %x : tensor<4294967296x4294967296xf32> to tensor<0xf32>
  return %0 : tensor<0xf32>
}
