// RUN: ember-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(ember-parallel-loops))' | FileCheck %s
// RUN: ember-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(ember-parallel-loops{min-work=1000000000}))' | FileCheck %s --check-prefix=NONE

// An outermost loop with enough work stays parallel: 1024 x 512 iterations of
// 3 ops is far above the default 65536. Only its first dimension is split
// among threads; the inner one becomes an scf.for that LLVM vectorizes. With
// a higher threshold both become scf.for loops, in the same order.
// CHECK-LABEL: func.func @big(
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%c1024) step (%c1)
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %c512 step
// CHECK-NEXT: memref.load %{{.*}}[%[[I]], %[[J]]]
// NONE-LABEL: func.func @big(
// NONE-NOT: scf.parallel
// NONE: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// NONE-NEXT: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// NONE-NEXT: memref.load %{{.*}}[%[[I]], %[[J]]]
func.func @big(%a: memref<1024x512xf32>, %b: memref<1024x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1024, %c512) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<1024x512xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %b[%i, %j] : memref<1024x512xf32>
    scf.reduce
  }
  return
}

// -----

// Too little work (8 x 16 iterations): sequential.
// CHECK-LABEL: func.func @small(
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK-NEXT: scf.for
func.func @small(%a: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    memref.store %cst, %a[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}

// -----

// A parallel loop inside a sequential one (a reduction over the leading
// dimension) would dispatch once per outer iteration: it becomes an scf.for,
// however large. Work inside inner loops counts: 64 rows of a 4096-long
// reduction keep the outer loop parallel.
// CHECK-LABEL: func.func @nested(
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.parallel (%[[R:.*]]) =
// CHECK: scf.for
func.func @nested(%a: memref<4096x4096xf32>, %out: memref<4096xf32>, %rows: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  scf.for %i = %c0 to %c4096 step %c1 {
    scf.parallel (%j) = (%c0) to (%c4096) step (%c1) {
      %x = memref.load %a[%i, %j] : memref<4096x4096xf32>
      %acc = memref.load %out[%j] : memref<4096xf32>
      %s = arith.addf %x, %acc : f32
      memref.store %s, %out[%j] : memref<4096xf32>
      scf.reduce
    }
  }
  scf.parallel (%r) = (%c0) to (%c64) step (%c1) {
    scf.for %k = %c0 to %c4096 step %c1 {
      %x = memref.load %a[%r, %k] : memref<4096x4096xf32>
      %acc = memref.load %rows[%r] : memref<64xf32>
      %s = arith.addf %x, %acc : f32
      memref.store %s, %rows[%r] : memref<64xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A leading dimension of one iteration is not worth splitting: the next one is.
// CHECK-LABEL: func.func @leading_unit(
// CHECK: scf.for %{{.*}} = %c0 to %c1 step
// CHECK-NEXT: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c4096) step
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c64 step
func.func @leading_unit(%a: memref<1x4096x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c4096 = arith.constant 4096 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c1, %c4096, %c64) step (%c1, %c1, %c1) {
    memref.store %cst, %a[%i, %j, %k] : memref<1x4096x64xf32>
    scf.reduce
  }
  return
}
