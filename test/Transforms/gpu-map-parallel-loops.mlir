// RUN: ember-opt %s --pass-pipeline='builtin.module(func.func(ember-gpu-map-parallel-loops{threads=128}))' | FileCheck %s

// Each outermost scf.parallel becomes a loop over blocks around a loop over
// the threads of a block, mapped innermost dimension first onto x, y, z. The
// innermost dimension gets the power of two at or above its trip count while
// the 128 threads last; a dimension beyond the third runs sequentially.

// CHECK-LABEL: func.func @map
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[STEP:.*]] = arith.muli %{{.*}}, %[[C128]] : index
// CHECK: scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%{{.*}}) step (%[[STEP]]) {
// CHECK:   scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[STEP]]) step
// CHECK:     %[[I:.*]] = arith.addi %[[T]], %[[B]] : index
// CHECK:     scf.if
// CHECK:       memref.store %{{.*}}, %{{.*}}[%[[I]]] : memref<100xf32>
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}

// 64x100: 128 threads along the rows' 100 elements, one row per block row.
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:       memref.store %{{.*}} : memref<64x100xf32>
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_y, {{.*}}>, #gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_y, {{.*}}>, #gpu.loop_dim_map<processor = block_x, {{.*}}>]}

// 2x3x4x5: blocks of 4x4x8 threads; the outermost dimension is sequential.
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:       memref.store %{{.*}} : memref<2x3x4x5xf32>
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = sequential, {{.*}}>, #gpu.loop_dim_map<processor = thread_z, {{.*}}>, #gpu.loop_dim_map<processor = thread_y, {{.*}}>, #gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = sequential, {{.*}}>, #gpu.loop_dim_map<processor = block_z, {{.*}}>, #gpu.loop_dim_map<processor = block_y, {{.*}}>, #gpu.loop_dim_map<processor = block_x, {{.*}}>]}
func.func @map(%a: memref<100xf32>, %b: memref<64x100xf32>, %c: memref<2x3x4x5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c64 = arith.constant 64 : index
  %c100 = arith.constant 100 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c100) step (%c1) {
    memref.store %f, %a[%i] : memref<100xf32>
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c100) step (%c1, %c1) {
    memref.store %f, %b[%i, %j] : memref<64x100xf32>
  }
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%c2, %c3, %c4, %c5) step (%c1, %c1, %c1, %c1) {
    memref.store %f, %c[%i, %j, %k, %l] : memref<2x3x4x5xf32>
  }
  return
}

// A reduction over the leading dimension (the scf.for around the scf.parallel
// that linalg lowering makes) turns inside out: threads split the 512
// columns, each loops over the 128 rows. A store outside any loop (filling a
// 0-d buffer) becomes a one-thread loop.
// CHECK-LABEL: func.func @inside_out
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:       scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:         memref.load %{{.*}} : memref<128x512xf32>
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x, {{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, {{.*}}>]}
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:       memref.store %{{.*}}[] : memref<f32>
// CHECK-NOT: scf.for
// CHECK: return
func.func @inside_out(%x: memref<128x512xf32>, %s: memref<512xf32>, %z: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c512 = arith.constant 512 : index
  %f = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c128 step %c1 {
    scf.parallel (%j) = (%c0) to (%c512) step (%c1) {
      %a = memref.load %x[%i, %j] : memref<128x512xf32>
      %b = memref.load %s[%j] : memref<512xf32>
      %c = arith.addf %a, %b : f32
      memref.store %c, %s[%j] : memref<512xf32>
    }
  }
  memref.store %f, %z[] : memref<f32>
  return
}
