// RUN: ember-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(ember-hoist-loop-buffers))' | FileCheck %s

// A buffer each iteration of a worksharing loop allocates and frees (a rows
// region's tile temporary) is allocated once per thread: before the loop, in
// the parallel region every thread runs, and freed at the region's end.
// CHECK-LABEL: func.func @tile_buffer(
// CHECK: omp.parallel {
// CHECK-NEXT: %[[BUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
// CHECK-NEXT: omp.wsloop {
// CHECK-NEXT: omp.loop_nest
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: memref.store %{{.*}}, %[[BUF]]
// CHECK-NOT: memref.dealloc
// CHECK: omp.yield
// CHECK: memref.dealloc %[[BUF]] : memref<1024xf32>
// CHECK-NEXT: omp.terminator
func.func @tile_buffer(%out: memref<4096x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %c4096 = arith.constant 4096 : index
  %cst = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c4096) step (%c1) {
        %buf = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
        scf.for %j = %c0 to %c1024 step %c1 {
          memref.store %cst, %buf[%j] : memref<1024xf32>
        }
        scf.for %j = %c0 to %c1024 step %c1 {
          %v = memref.load %buf[%j] : memref<1024xf32>
          memref.store %v, %out[%i, %j] : memref<4096x1024xf32>
        }
        memref.dealloc %buf : memref<1024xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Out of nested scf.for loops, innermost first: the row buffer leaves both.
// CHECK-LABEL: func.func @nested_for(
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: %[[BUF:.*]] = memref.alloc() : memref<64xf32>
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: memref.load %[[BUF]]
// CHECK: }
// CHECK-NEXT: }
// CHECK-NEXT: memref.dealloc %[[BUF]] : memref<64xf32>
// CHECK-NEXT: return
func.func @nested_for(%out: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %buf = memref.alloc() : memref<64xf32>
      %v = memref.load %buf[%j] : memref<64xf32>
      memref.store %v, %out[%i, %j] : memref<8x8xf32>
      memref.dealloc %buf : memref<64xf32>
    }
  }
  return
}

// -----

// Left in the loop: a buffer whose size each iteration computes, one freed
// in a nested block, and one the iteration never frees (it is not a
// temporary of the iteration).
// CHECK-LABEL: func.func @left_alone(
// CHECK: omp.parallel {
// CHECK-NEXT: omp.wsloop {
// CHECK-NEXT: omp.loop_nest
// CHECK-NEXT: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NEXT: memref.alloc() : memref<16xf32>
// CHECK-NEXT: memref.alloc() : memref<8xf32>
// CHECK: memref.dealloc %{{.*}} : memref<?xf32>
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc %{{.*}} : memref<16xf32>
// CHECK: omp.yield
func.func @left_alone(%n: index, %keep: memref<4096xmemref<8xf32>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %true = arith.constant true
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c4096) step (%c1) {
        %dyn = memref.alloc(%n) : memref<?xf32>
        %nested = memref.alloc() : memref<16xf32>
        %kept = memref.alloc() : memref<8xf32>
        memref.store %kept, %keep[%i] : memref<4096xmemref<8xf32>>
        memref.dealloc %dyn : memref<?xf32>
        scf.if %true {
          memref.dealloc %nested : memref<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
