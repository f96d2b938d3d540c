// RUN: ember-opt %s -split-input-file --ember-cpu-pipeline | FileCheck %s
// RUN: ember-opt %s -split-input-file --ember-cpu-pipeline | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: ember-opt %s -split-input-file --ember-cpu-pipeline=expand-math=false | FileCheck %s --check-prefix=LIBM

// ember-cpu-pipeline lowers ember to the LLVM dialect only. Results become
// out-parameters: each function returns nothing and takes one more memref
// descriptor (allocated ptr, aligned ptr, offset, sizes, strides) per result,
// which the body writes through. Booleans live in memory as i8.

// Over the whole output: no op of any other dialect, no cast left over, no
// i1 loaded or stored, and f32 math expanded rather than called from libm.
// ONLY-LLVM-NOT: {{ (ember|linalg|tensor|bufferization|memref|affine|scf|cf|arith|math|vector|func|ub)\.}}
// ONLY-LLVM-NOT: unrealized_conversion_cast
// ONLY-LLVM-NOT: @erff
// ONLY-LLVM-NOT: @log1pf
// ONLY-LLVM-NOT: !llvm.ptr -> i1
// ONLY-LLVM-NOT: : i1, !llvm.ptr
// ONLY-LLVM-NOT: !llvm.ptr -> vector<{{[0-9]+}}xi1>
// ONLY-LLVM-NOT: : vector<{{[0-9]+}}xi1>, !llvm.ptr

// Broadcast + add + exp + mul fuse into one loop nest writing the 2-D
// out-parameter (%arg12 to %arg18) directly; exp is a polynomial, not a call.
// Each row of 3 is one vector (ember-vectorize-row-copies).
// CHECK-LABEL: llvm.func @elementwise_chain(
// CHECK-SAME: %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64, %arg3: i64, %arg4: i64, %arg5: i64, %arg6: i64,
// CHECK-SAME: %arg7: !llvm.ptr, %arg8: !llvm.ptr, %arg9: i64, %arg10: i64, %arg11: i64,
// CHECK-SAME: %arg12: !llvm.ptr, %arg13: !llvm.ptr, %arg14: i64, %arg15: i64, %arg16: i64, %arg17: i64, %arg18: i64) {
// CHECK: %[[OUT:.*]] = llvm.insertvalue %arg18, %{{.*}}[4, 1]
// CHECK-NOT: llvm.call
// CHECK: llvm.fadd %{{.*}}, %{{.*}} : vector<3xf32>
// CHECK-NOT: llvm.call
// CHECK: llvm.intr.fma
// CHECK-NOT: llvm.call
// CHECK: llvm.fmul %{{.*}}, %{{.*}} : vector<3xf32>
// CHECK: %[[P:.*]] = llvm.extractvalue %[[OUT]][1]
// CHECK: %[[ADDR:.*]] = llvm.getelementptr {{.*}}%[[P]][%{{.*}}]
// CHECK-NEXT: llvm.store %{{.*}}, %[[ADDR]] {alignment = 4 : i64} : vector<3xf32>, !llvm.ptr
// CHECK-NOT: llvm.call
// CHECK: llvm.return{{$}}
func.func @elementwise_chain(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = ember.broadcast %b : tensor<3xf32> to tensor<2x3xf32>
  %1 = ember.add %x, %0 : tensor<2x3xf32>
  %2 = ember.exp %1 : tensor<2x3xf32>
  %3 = ember.mul %2, %x : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// -----

// The sum accumulates in a register carried through the reduction loop (a
// block argument after lowering, ember-promote-accumulators) and is stored
// once per row into the 1-D out-parameter (%arg7 to %arg11).
// CHECK-LABEL: llvm.func @reduce(
// CHECK-SAME: %arg7: !llvm.ptr, %arg8: !llvm.ptr, %arg9: i64, %arg10: i64, %arg11: i64) {
// CHECK: %[[OUT:.*]] = llvm.insertvalue %arg11, %{{.*}}[4, 0]
// CHECK: ^bb{{[0-9]+}}(%{{.*}}: i64, %[[ACC:.*]]: f32):
// CHECK: %[[A:.*]] = llvm.fadd %{{.*}}, %[[ACC]] {{.*}} : f32
// CHECK-NOT: llvm.store
// CHECK: llvm.br ^bb{{[0-9]+}}(%{{.*}}, %[[A]] : i64, f32)
// CHECK: %[[P:.*]] = llvm.extractvalue %[[OUT]][1]
// CHECK-NEXT: %[[ADDR:.*]] = llvm.getelementptr {{.*}}%[[P]][%{{.*}}]
// CHECK-NEXT: llvm.store %[[ACC]], %[[ADDR]] : f32, !llvm.ptr
// CHECK: llvm.return{{$}}
func.func @reduce(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = ember.sum %x [1] : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A product too small to tile: loops (m, k, n), n innermost, which
// ember-vectorize-row-copies makes one 4-lane strip per (m, k): the lhs
// element loaded once and broadcast, a row of the rhs and of the result.
// CHECK-LABEL: llvm.func @matmul(
// CHECK-SAME: %arg14: !llvm.ptr, %arg15: !llvm.ptr, %arg16: i64, %arg17: i64, %arg18: i64, %arg19: i64, %arg20: i64) {
// CHECK: %[[OUT:.*]] = llvm.insertvalue %arg20, %{{.*}}[4, 1]
// CHECK: %[[S:.*]] = llvm.shufflevector %{{.*}}, %{{.*}} [0, 0, 0, 0] : vector<4xf32>
// CHECK: %[[M:.*]] = llvm.fmul %[[S]], %{{.*}} : vector<4xf32>
// CHECK-NEXT: %[[A:.*]] = llvm.fadd %{{.*}}, %[[M]] : vector<4xf32>
// CHECK-NEXT: %[[P:.*]] = llvm.extractvalue %[[OUT]][1]
// CHECK: %[[ADDR:.*]] = llvm.getelementptr {{.*}}%[[P]][%{{.*}}]
// CHECK-NEXT: llvm.store %[[A]], %[[ADDR]] {{.*}} : vector<4xf32>, !llvm.ptr
// CHECK: llvm.return{{$}}
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = ember.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A rank-0 result is a 3-field descriptor (allocated, aligned, offset).
// CHECK-LABEL: llvm.func @dot(
// CHECK-SAME: %arg10: !llvm.ptr, %arg11: !llvm.ptr, %arg12: i64) {
// CHECK: llvm.fmul
// CHECK: llvm.fadd
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK: llvm.return{{$}}
func.func @dot(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %0 = ember.matmul %a, %b : tensor<3xf32>, tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Two results, two out-parameters after the input.
// CHECK-LABEL: llvm.func @two_results(
// CHECK-SAME: %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64, %arg3: i64, %arg4: i64,
// CHECK-SAME: %arg5: !llvm.ptr, %arg6: !llvm.ptr, %arg7: i64, %arg8: i64, %arg9: i64,
// CHECK-SAME: %arg10: !llvm.ptr, %arg11: !llvm.ptr, %arg12: i64) {
// CHECK: llvm.return{{$}}
func.func @two_results(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
  %0 = ember.neg %x : tensor<4xf32>
  %1 = ember.max %x [0] : tensor<4xf32> -> tensor<f32>
  return %0, %1 : tensor<4xf32>, tensor<f32>
}

// -----

// Bool buffers are bytes: an i1 input is loaded as i8 and truncated, the i1
// result is zero-extended and stored as i8; no i1 touches memory. (The row of
// 4 is one vector: ember-vectorize-row-copies.)
// CHECK-LABEL: llvm.func @bool_in_out(
// CHECK-SAME: %arg15: !llvm.ptr, %arg16: !llvm.ptr, %arg17: i64, %arg18: i64, %arg19: i64) {
// CHECK: %[[OUT:.*]] = llvm.insertvalue %arg19, %{{.*}}[4, 0]
// CHECK-NOT: -> vector<4xi1>
// CHECK: %[[BYTE:.*]] = llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> vector<4xi8>
// CHECK: %[[C:.*]] = llvm.trunc %[[BYTE]] : vector<4xi8> to vector<4xi1>
// CHECK-NEXT: %[[GT:.*]] = llvm.fcmp "ogt" %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK-NEXT: %[[AND:.*]] = llvm.and %[[C]], %[[GT]] : vector<4xi1>
// CHECK-NEXT: %[[EXT:.*]] = llvm.zext %[[AND]] : vector<4xi1> to vector<4xi8>
// CHECK-NEXT: %[[P:.*]] = llvm.extractvalue %[[OUT]][1]
// CHECK-NEXT: %[[ADDR:.*]] = llvm.getelementptr {{.*}}%[[P]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK-NEXT: llvm.store %[[EXT]], %[[ADDR]] {alignment = 1 : i64} : vector<4xi8>, !llvm.ptr
// CHECK-NOT: : vector<4xi1>, !llvm.ptr
// CHECK: llvm.return{{$}}
func.func @bool_in_out(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xi1> {
  %0 = ember.gt %a, %b : tensor<4xf32>
  %1 = ember.logical_and %c, %0 : tensor<4xi1>
  return %1 : tensor<4xi1>
}

// -----

// A bool constant becomes a global array of bytes.
// CHECK: llvm.mlir.global private constant @[[G:.*]](dense<[1, 0, 1]> : tensor<3xi8>) {{.*}} : !llvm.array<3 x i8>
// CHECK-LABEL: llvm.func @bool_constant(
// CHECK: llvm.mlir.addressof @[[G]] : !llvm.ptr
// CHECK: %[[BYTE:.*]] = llvm.load %{{.*}} : !llvm.ptr -> vector<3xi8>
// CHECK: llvm.trunc %[[BYTE]] : vector<3xi8> to vector<3xi1>
// CHECK: llvm.store %{{.*}}, %{{.*}} : vector<3xi8>, !llvm.ptr
// CHECK: llvm.return{{$}}
func.func @bool_constant(%c: tensor<3xi1>) -> tensor<3xi1> {
  %0 = ember.constant dense<[true, false, true]> : tensor<3xi1>
  %1 = ember.logical_or %c, %0 : tensor<3xi1>
  return %1 : tensor<3xi1>
}

// -----

// bf16 is loaded and stored as bf16 and computed in f32; the conversions are
// expanded to integer ops (no fpext / fptrunc from / to bf16), tanh to a
// polynomial.
// CHECK-LABEL: llvm.func @bf16(
// CHECK-SAME: %arg10: !llvm.ptr, %arg11: !llvm.ptr, %arg12: i64, %arg13: i64, %arg14: i64) {
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: %[[X:.*]] = llvm.load %{{.*}} : !llvm.ptr -> vector<4xbf16>
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: llvm.bitcast %[[X]] : vector<4xbf16> to vector<4xi16>
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: llvm.fmul %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: llvm.intr.fma
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: llvm.bitcast %{{.*}} : vector<4xi16> to vector<4xbf16>
// CHECK-NOT: llvm.fp{{(ext|trunc)}}
// CHECK: llvm.store %{{.*}}, %{{.*}} : vector<4xbf16>, !llvm.ptr
// CHECK-NOT: llvm.{{(fpext|fptrunc|call)}}
// CHECK: llvm.return{{$}}
func.func @bf16(%a: tensor<4xbf16>, %b: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = ember.mul %a, %b : tensor<4xbf16>
  %1 = ember.tanh %0 : tensor<4xbf16>
  return %1 : tensor<4xbf16>
}

// -----

// f32 erf and log1p: polynomials by default, libm calls with expand-math=false.
// CHECK-LABEL: llvm.func @gelu_parts(
// CHECK-NOT: llvm.call
// CHECK: llvm.return{{$}}
// LIBM-DAG: llvm.func @erff(f32) -> f32
// LIBM-DAG: llvm.func @log1pf(f32) -> f32
// LIBM-LABEL: llvm.func @gelu_parts(
// LIBM: %[[E:.*]] = llvm.call @erff(%{{.*}}) : (f32) -> f32
// LIBM: llvm.call @log1pf(%[[E]]) : (f32) -> f32
// LIBM: llvm.return{{$}}
func.func @gelu_parts(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ember.erf %x : tensor<4xf32>
  %1 = ember.log1p %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// f64 erf always goes to libm.
// CHECK: llvm.func @erf(f64) -> f64
// CHECK-LABEL: llvm.func @erf_f64(
// CHECK: llvm.call @erf(%{{.*}}) : (f64) -> f64
// CHECK: llvm.return{{$}}
// LIBM-LABEL: llvm.func @erf_f64(
// LIBM: llvm.call @erf(%{{.*}}) : (f64) -> f64
func.func @erf_f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = ember.erf %x : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// One value returned twice still gives two out-parameters, both written.
// CHECK-LABEL: llvm.func @same_result_twice(
// CHECK-SAME: %arg5: !llvm.ptr, %arg6: !llvm.ptr, %arg7: i64, %arg8: i64, %arg9: i64,
// CHECK-SAME: %arg10: !llvm.ptr, %arg11: !llvm.ptr, %arg12: i64, %arg13: i64, %arg14: i64) {
// CHECK: llvm.intr.fma
// CHECK: llvm.return{{$}}
func.func @same_result_twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = ember.exp %x : tensor<4xf32>
  return %0, %0 : tensor<4xf32>, tensor<4xf32>
}
