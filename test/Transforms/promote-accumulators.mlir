// RUN: ember-opt %s -split-input-file --ember-promote-accumulators | FileCheck %s

// Two accumulators (a value and its index) of a row reduction: each is loaded
// once before the inner loop, carried through it and stored once after it.
// CHECK-LABEL: func.func @argmax_rows(
// CHECK: scf.for %[[I:.*]] =
// CHECK-NEXT: %[[V0:.*]] = memref.load %arg1[%[[I]]]
// CHECK-NEXT: %[[I0:.*]] = memref.load %arg2[%[[I]]]
// CHECK-NEXT: %[[R:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[V:.*]] = %[[V0]], %[[X:.*]] = %[[I0]]) -> (f32, i64) {
// CHECK-NOT: memref.store
// CHECK: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[R]]#0, %arg1[%[[I]]]
// CHECK-NEXT: memref.store %[[R]]#1, %arg2[%[[I]]]
func.func @argmax_rows(%x: memref<8x16xf32>, %best: memref<8xf32>, %idx: memref<8xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %x[%i, %j] : memref<8x16xf32>
      %b = memref.load %best[%i] : memref<8xf32>
      %k = memref.load %idx[%i] : memref<8xi64>
      %gt = arith.cmpf ogt, %v, %b : f32
      %jj = arith.index_cast %j : index to i64
      %nb = arith.select %gt, %v, %b : f32
      %nk = arith.select %gt, %jj, %k : i64
      memref.store %nb, %best[%i] : memref<8xf32>
      memref.store %nk, %idx[%i] : memref<8xi64>
    }
  }
  return
}

// -----

// The accumulator's buffer is also read elsewhere in the loop (another
// element): not promoted.
// CHECK-LABEL: func.func @other_access(
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: memref.store
func.func @other_access(%x: memref<16xf32>, %acc: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %j = %c0 to %c16 step %c1 {
    %v = memref.load %acc[%j] : memref<16xf32>
    %a = memref.load %acc[%c0] : memref<16xf32>
    %s = arith.addf %a, %v : f32
    memref.store %s, %acc[%c0] : memref<16xf32>
  }
  return
}

// -----

// A view of an unknown buffer (here a memref.get_global is fine, but a
// function call in the body is not): a loop with a call keeps its memory
// accesses.
// CHECK-LABEL: func.func @with_call(
// CHECK: scf.for
// CHECK-NOT: iter_args
func.func private @effect()
func.func @with_call(%x: memref<16xf32>, %acc: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %j = %c0 to %c16 step %c1 {
    %v = memref.load %x[%j] : memref<16xf32>
    %a = memref.load %acc[%c0] : memref<1xf32>
    %s = arith.addf %a, %v : f32
    memref.store %s, %acc[%c0] : memref<1xf32>
    func.call @effect() : () -> ()
  }
  return
}
