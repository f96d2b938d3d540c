// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ember-gpu-tile-reductions,canonicalize,cse))' | FileCheck %s

// Row sums of exp over 64 rows of 100: the reduction is the rows' contiguous
// dim, so it runs along thread x (128 threads, the power of two above 100),
// two rows per block (y), 32 blocks. Each thread sums its elements with the
// op's body from the identity (-0.0), stores its partial in workgroup memory,
// and the block halves the partials 7 times, a barrier after each level;
// thread x = 0 adds the total to the fill's value (the fill is folded).

// CHECK-LABEL: func.func @row_sums
// CHECK-NOT: linalg
// CHECK-DAG: %[[NZ:.*]] = arith.constant -0.000000e+00 : f32
// CHECK-DAG: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c32, {{.*}} = %c1, {{.*}} = %c1) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in ({{.*}} = %c128, {{.*}} = %c2, {{.*}} = %c1) workgroup(%[[P:.*]] : memref<2x128xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[TY]] : index
// CHECK: %[[VALID:.*]] = arith.cmpi ult, %[[ROW]], %c64
// CHECK: scf.if %{{.*}} -> (f32)
// CHECK:   memref.load %arg0[%[[ROW]], %[[TX]]]
// CHECK:   math.exp
// CHECK: } else {
// CHECK:   scf.yield %[[NZ]]
// CHECK: memref.store %{{.*}}, %[[P]][%[[TY]], %[[TX]]]
// CHECK: gpu.barrier
// CHECK: arith.cmpi ult, %[[TX]], %c64
// CHECK: scf.if
// CHECK:   arith.addi %[[TX]], %c64
// CHECK:   arith.addf
// CHECK: gpu.barrier
// CHECK-COUNT-6: gpu.barrier
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[TX]], %c0
// CHECK: %[[STORE:.*]] = arith.andi %[[VALID]], %[[FIRST]]
// CHECK: scf.if %[[STORE]]
// CHECK:   %[[TOTAL:.*]] = memref.load %[[P]][%[[TY]], %c0]
// CHECK:   %[[SUM:.*]] = arith.addf %[[TOTAL]], %[[Z]]
// CHECK:   memref.store %[[SUM]], %arg1[%[[ROW]]]
func.func @row_sums(%x: memref<64x100xf32>, %s: memref<64xf32>) {
  %cst = arith.constant 0.0 : f32
  linalg.fill ins(%cst : f32) outs(%s : memref<64xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x100xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %e = math.exp %a : f32
    %r = arith.addf %e, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A float max over the columns as Ember lowers it: maxnum (identity -inf)
// and a count of NaNs (identity -0.0), two results, two partial buffers. The
// columns are contiguous: 16 of them (x) per block, 16 threads down each (y),
// 8 steps of 16 rows. Without a fill, the totals combine with the results'
// values.

// CHECK-LABEL: func.func @column_max
// CHECK-DAG: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[NZ:.*]] = arith.constant -0.000000e+00 : f32
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in ({{.*}} = %c16, {{.*}} = %c16, {{.*}} = %c1) workgroup(%[[M:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[N:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(%{{.*}} = %[[NINF]], %{{.*}} = %[[NZ]])
// CHECK:   memref.load %arg0[%{{.*}}, %[[TX]]]
// CHECK:   llvm.intr.maxnum
// CHECK:   arith.cmpf uno
// CHECK: memref.store %{{.*}}, %[[M]][%[[TY]], %[[TX]]]
// CHECK: memref.store %{{.*}}, %[[N]][%[[TY]], %[[TX]]]
// CHECK: arith.cmpi ult, %[[TY]], %c8
// CHECK: llvm.intr.maxnum
// CHECK: arith.addf
// CHECK: arith.cmpi eq, %[[TY]], %c0
// CHECK: memref.load %arg1[%[[TX]]]
// CHECK: llvm.intr.maxnum
// CHECK: memref.store %{{.*}}, %arg1[%[[TX]]]
// CHECK: memref.load %arg2[%[[TX]]]
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %arg2[%[[TX]]]
func.func @column_max(%x: memref<128x10xf32>, %m: memref<10xf32>, %n: memref<10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (j)>], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<128x10xf32>) outs(%m, %n : memref<10xf32>, memref<10xf32>) {
  ^bb0(%a: f32, %acc: f32, %count: f32):
    %mx = llvm.intr.maxnum(%a, %acc) {fastmathFlags = #llvm.fastmath<nnan, nsz>} : (f32, f32) -> f32
    %nan = arith.cmpf uno, %a, %a : f32
    %one = arith.constant 1.0 : f32
    %zero = arith.constant 0.0 : f32
    %inc = arith.select %nan, %one, %zero : f32
    %c = arith.addf %count, %inc : f32
    linalg.yield %mx, %c : f32, f32
  }
  return
}

// -----

// An integer product to a scalar: 256 threads (x), one result.

// CHECK-LABEL: func.func @product
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup(%{{.*}} : memref<1x256xi64, #gpu.address_space<workgroup>>)
// CHECK: scf.for %{{.*}} = %c0 to %c20 step %c1 iter_args(%{{.*}} = %c1_i64)
// CHECK: arith.muli
// CHECK-COUNT-8: gpu.barrier
// CHECK: memref.store %{{.*}}, %arg1[]
func.func @product(%x: memref<5000xi64>, %p: memref<i64>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%x : memref<5000xi64>) outs(%p : memref<i64>) {
  ^bb0(%a: i64, %acc: i64):
    %r = arith.muli %a, %acc : i64
    linalg.yield %r : i64
  }
  return
}

// -----

// Left alone: an argmax-like body (the accumulator feeds a comparison, not
// one combiner), a boolean any (i1 partials), two reduction loops (for
// ember-gpu-split-reductions to collapse first).

// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: gpu.launch
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: gpu.launch
func.func @left_alone(%x: memref<100xf32>, %best: memref<f32>, %b: memref<100xi1>, %any: memref<i1>, %y: memref<3x50xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%x : memref<100xf32>) outs(%best : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %gt = arith.cmpf ogt, %a, %acc : f32
    %r = arith.select %gt, %a, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>], iterator_types = ["reduction"]}
      ins(%b : memref<100xi1>) outs(%any : memref<i1>) {
  ^bb0(%a: i1, %acc: i1):
    %r = arith.ori %a, %acc : i1
    linalg.yield %r : i1
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]}
      ins(%y : memref<3x50xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}
