// RUN: ember-opt %s -split-input-file -ember-expand-math | FileCheck %s

// f32 transcendental math becomes polynomial code built from arith ops and
// math.fma (which LLVM lowers to an instruction, not a libm call); f64 is
// left to libm.

// CHECK-LABEL: func.func @erf_f32(
// CHECK-SAME: %[[X:.*]]: f32) -> f32
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK-NOT: math.erf
// CHECK: arith.divf
// CHECK-NOT: math.erf
// CHECK: return %{{.*}} : f32
func.func @erf_f32(%x: f32) -> f32 {
  %0 = math.erf %x : f32
  return %0 : f32
}

// -----

// exp builds 2^n from the exponent bits.
// CHECK-LABEL: func.func @exp_f32(
// CHECK-NOT: math.exp
// CHECK: math.fma
// CHECK-NOT: math.exp
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK-NOT: math.exp
// CHECK: return %{{.*}} : f32
func.func @exp_f32(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func.func @tanh_f32(
// CHECK-NOT: math.tanh
// CHECK: math.fma
// CHECK-NOT: math.tanh
// CHECK: arith.divf
// CHECK-NOT: math.tanh
// CHECK: return %{{.*}} : f32
func.func @tanh_f32(%x: f32) -> f32 {
  %0 = math.tanh %x : f32
  return %0 : f32
}

// -----

// log1p expands into the log polynomial; no math.log is left either.
// CHECK-LABEL: func.func @log1p_f32(
// CHECK-NOT: math.log
// CHECK: math.fma
// CHECK-NOT: math.log
// CHECK: return %{{.*}} : f32
func.func @log1p_f32(%x: f32) -> f32 {
  %0 = math.log1p %x : f32
  return %0 : f32
}

// -----

// Vectors of f32 are expanded elementwise in the same way.
// CHECK-LABEL: func.func @erf_vector_f32(
// CHECK-NOT: math.erf
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT: math.erf
// CHECK: return %{{.*}} : vector<8xf32>
func.func @erf_vector_f32(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.erf %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// A chain: every op is expanded, none is left behind.
// CHECK-LABEL: func.func @chain_f32(
// CHECK-NOT: math.{{(erf|exp|tanh|log1p)}}
// CHECK: return %{{.*}} : f32
func.func @chain_f32(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  %1 = math.tanh %0 : f32
  %2 = math.log1p %1 : f32
  %3 = math.erf %2 : f32
  return %3 : f32
}

// -----

// f64 is left alone.
// CHECK-LABEL: func.func @f64_untouched(
// CHECK-SAME: %[[X:.*]]: f64) -> f64
// CHECK-NEXT: %[[E:.*]] = math.erf %[[X]] : f64
// CHECK-NEXT: %[[X1:.*]] = math.exp %[[E]] : f64
// CHECK-NEXT: %[[T:.*]] = math.tanh %[[X1]] : f64
// CHECK-NEXT: %[[L:.*]] = math.log1p %[[T]] : f64
// CHECK-NEXT: return %[[L]] : f64
func.func @f64_untouched(%x: f64) -> f64 {
  %0 = math.erf %x : f64
  %1 = math.exp %0 : f64
  %2 = math.tanh %1 : f64
  %3 = math.log1p %2 : f64
  return %3 : f64
}

// -----

// Ops that are cheap already are not rewritten.
// CHECK-LABEL: func.func @sqrt_untouched(
// CHECK-SAME: %[[X:.*]]: f32) -> f32
// CHECK-NEXT: %[[S:.*]] = math.sqrt %[[X]] : f32
// CHECK-NEXT: return %[[S]] : f32
func.func @sqrt_untouched(%x: f32) -> f32 {
  %0 = math.sqrt %x : f32
  return %0 : f32
}

// -----

// Vectors (rows from ember-vectorize-row-copies) are expanded alike, except
// rsqrt: its 8-lane approximation is an x86vector AVX intrinsic, which the
// JIT does not translate, so it stays math.rsqrt (LLVM's sqrt and divide).
// CHECK-LABEL: func.func @vector_rows(
// CHECK-NOT: math.exp
// CHECK-NOT: x86vector
// CHECK: math.rsqrt %{{.*}} : vector<8xf32>
// CHECK-NOT: x86vector
func.func @vector_rows(%x: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>) {
  %0 = math.exp %x : vector<8xf32>
  %1 = math.rsqrt %x : vector<8xf32>
  return %0, %1 : vector<8xf32>, vector<8xf32>
}
