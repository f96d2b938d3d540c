// RUN: ember-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ember-gpu-tile-matmul,canonicalize,cse))' | FileCheck %s

// A 100x70 by 70x50 matmul: blocks of 16x16 threads, each thread a 4x4
// register tile (rows strided by 16, columns by 16), so a block computes 64x64
// results and the grid is 1 x 2. Each 16-deep k slice is copied into
// workgroup memory by all 256 threads (4 elements each per operand) with
// bounds checks, then accumulated between two barriers. The zero fill
// before the matmul becomes the accumulators' start.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<100x70xf32>, %[[B:.*]]: memref<70x50xf32>)
// CHECK-NOT: linalg
// CHECK: %[[C:.*]] = memref.alloc() : memref<100x50xf32>
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c2, {{.*}} = %c1) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in ({{.*}} = %c16, {{.*}} = %c16, {{.*}} = %c1) workgroup(%[[SA:.*]] : memref<64x16xf32, #gpu.address_space<workgroup>>, %[[SB:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>)
// CHECK: %{{.*}}:16 = scf.for %[[K0:.*]] = %c0 to %c70 step %c16 iter_args(%{{.*}} = %cst, {{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK:   scf.for %{{.*}} = %c0 to %c1024 step %c256
// CHECK:     arith.divui %{{.*}}, %c16
// CHECK:     scf.if %{{.*}} -> (f32)
// CHECK:       memref.load %[[A]]
// CHECK:     memref.store %{{.*}}, %[[SA]]
// CHECK:   scf.for %{{.*}} = %c0 to %c1024 step %c256
// CHECK:     arith.divui %{{.*}}, %c64
// CHECK:       memref.load %[[B]]
// CHECK:     memref.store %{{.*}}, %[[SB]]
// CHECK:   gpu.barrier
// CHECK:   scf.for %[[KK:.*]] = %c0 to %c16 step %c1 iter_args
// CHECK:     memref.load %[[SA]][%[[TY]], %[[KK]]]
// CHECK:     memref.load %[[SB]][%[[KK]], %[[TX]]]
// CHECK-COUNT-16: arith.addf
// CHECK:   gpu.barrier
// CHECK: scf.if
// CHECK-NEXT: memref.store %{{.*}}, %[[C]]
// CHECK-COUNT-15: memref.store %{{.*}}, %[[C]]
// CHECK: gpu.terminator
// CHECK: return %[[C]]
func.func @matmul(%a: memref<100x70xf32>, %b: memref<70x50xf32>) -> memref<100x50xf32> {
  %cst = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<100x50xf32>
  linalg.fill ins(%cst : f32) outs(%c : memref<100x50xf32>)
  linalg.matmul ins(%a, %b : memref<100x70xf32>, memref<70x50xf32>) outs(%c : memref<100x50xf32>)
  return %c : memref<100x50xf32>
}

// -----

// Small sizes take fewer threads (4 x 8 for 3 x 7) and one result each. The
// f16 product accumulates in f32 with the op's own body (extf). Without a
// fill, the accumulators start from the result buffer.

// CHECK-LABEL: func.func @mixed_precision
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c8, {{.*}} = %c4, {{.*}} = %c1) workgroup({{.*}} : memref<4x16xf16, #gpu.address_space<workgroup>>, {{.*}} : memref<16x8xf16, #gpu.address_space<workgroup>>)
// CHECK: scf.if %{{.*}} -> (f32)
// CHECK-NEXT: memref.load %arg2
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: arith.mulf
// CHECK: arith.addf
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @mixed_precision(%a: memref<3x5xf16>, %b: memref<5x7xf16>, %c: memref<3x7xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<3x5xf16>, memref<5x7xf16>) outs(%c : memref<3x7xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %0 = arith.extf %x : f16 to f32
    %1 = arith.extf %y : f16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %acc, %2 : f32
    linalg.yield %3 : f32
  }
  return
}

// -----

// A convolution's per-image product: one filter (its map broadcasts over the
// batch) times each image's patches. Block z is the image; the filter is read
// through its map, with no batch index.

// CHECK-LABEL: func.func @broadcast_lhs
// CHECK-SAME: (%[[W:.*]]: memref<8x27xf32>, %[[P:.*]]: memref<5x27x100xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[BZ:.*]]) in ({{.*}} = %c2, {{.*}} = %c1, {{.*}} = %c5) threads({{.*}}) in ({{.*}} = %c16, {{.*}} = %c8, {{.*}} = %c1)
// CHECK: memref.load %[[W]][%{{.*}}, %{{.*}}] : memref<8x27xf32>
// CHECK: memref.load %[[P]][%[[BZ]], %{{.*}}, %{{.*}}] : memref<5x27x100xf32>
// CHECK-NOT: arith.remui %[[BZ]]
// CHECK: memref.store %{{.*}}, %arg2[%[[BZ]], %{{.*}}, %{{.*}}] : memref<5x8x100xf32>
#w = affine_map<(b, m, n, k) -> (m, k)>
#p = affine_map<(b, m, n, k) -> (b, k, n)>
#o = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @broadcast_lhs(%w: memref<8x27xf32>, %p: memref<5x27x100xf32>, %o: memref<5x8x100xf32>) {
  linalg.batch_matmul indexing_maps = [#w, #p, #o] ins(%w, %p : memref<8x27xf32>, memref<5x27x100xf32>) outs(%o : memref<5x8x100xf32>)
  return
}

// -----

// A transposed lhs is read in place: its slice loads index it (k, m).

// CHECK-LABEL: func.func @transposed_lhs
// CHECK: scf.for %[[K0:.*]] = %c0 to %c40 step %c16
// CHECK: %[[E:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[M:.*]] = arith.divui %[[E]], %c16 : index
// CHECK: %[[C:.*]] = arith.remui %[[E]], %c16 : index
// CHECK: %[[K:.*]] = arith.addi %[[K0]], %[[C]] : index
// CHECK: memref.load %arg0[%[[K]], %[[M]]] : memref<40x30xf32>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @transposed_lhs(%a: memref<40x30xf32>, %b: memref<40x20xf32>, %c: memref<30x20xf32>) {
  linalg.matmul indexing_maps = [#km, #kn, #mn] ins(%a, %b : memref<40x30xf32>, memref<40x20xf32>) outs(%c : memref<30x20xf32>)
  return
}

// -----

// Left alone: a matrix-vector product (no n loop), a contraction inside a
// loop (the host function stays a straight line), and a fill another op
// reads before the matmul.

// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matvec
// CHECK: scf.for
// CHECK:   linalg.matmul
// CHECK: linalg.fill
// CHECK: linalg.copy
// CHECK: gpu.launch
// CHECK-NOT: linalg.matmul
func.func @left_alone(%a: memref<8x8xf32>, %v: memref<8xf32>, %r: memref<8xf32>, %c: memref<8x8xf32>, %d: memref<8x8xf32>) {
  linalg.matvec ins(%a, %v : memref<8x8xf32>, memref<8xf32>) outs(%r : memref<8xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.matmul ins(%a, %a : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  }
  %cst = arith.constant 0.0 : f32
  %e = memref.alloc() : memref<8x8xf32>
  linalg.fill ins(%cst : f32) outs(%e : memref<8x8xf32>)
  linalg.copy ins(%e : memref<8x8xf32>) outs(%d : memref<8x8xf32>)
  linalg.matmul ins(%a, %a : memref<8x8xf32>, memref<8x8xf32>) outs(%e : memref<8x8xf32>)
  return
}

// -----

// A transpose into a temporary is read in place: the kernel loads the
// transpose's input through the permuted map, and the transpose and its
// buffer go. A copy of a zero-filled buffer into the result (bufferization
// copies a fill that several products share) is the accumulators' start too;
// the copy goes, and the fill with its buffer once nothing reads it.

// CHECK-LABEL: func.func @transposed_rhs_and_copied_fill
// CHECK-NOT: linalg
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: scf.for %[[K0:.*]] = %c0 to %c40 step %c16
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[E:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[R:.*]] = arith.divui %[[E]], %c32 : index
// CHECK: %[[N:.*]] = arith.remui %[[E]], %c32 : index
// CHECK: %[[K:.*]] = arith.addi %[[K0]], %[[R]] : index
// CHECK: memref.load %arg1[%[[N]], %[[K]]] : memref<20x40xf32>
// CHECK-NOT: linalg
func.func @transposed_rhs_and_copied_fill(%a: memref<30x40xf32>, %w: memref<20x40xf32>, %c: memref<30x20xf32>) {
  %cst = arith.constant 0.0 : f32
  %zero = memref.alloc() : memref<30x20xf32>
  linalg.fill ins(%cst : f32) outs(%zero : memref<30x20xf32>)
  %wt = memref.alloc() : memref<40x20xf32>
  linalg.transpose ins(%w : memref<20x40xf32>) outs(%wt : memref<40x20xf32>) permutation = [1, 0]
  linalg.copy ins(%zero : memref<30x20xf32>) outs(%c : memref<30x20xf32>)
  linalg.matmul ins(%a, %wt : memref<30x40xf32>, memref<40x20xf32>) outs(%c : memref<30x20xf32>)
  return
}

// -----

// Kept: a transpose whose buffer is also read elsewhere (the product still
// reads its input in place), and a fill whose buffer another op reads before
// the product (left_alone above); a transpose whose input is written in
// between is read from its buffer.

// CHECK-LABEL: func.func @transposes_kept
// CHECK: linalg.transpose ins(%arg1 {{.*}} outs(%[[T1:.*]] :
// CHECK: linalg.copy ins(%[[T1]]
// CHECK: linalg.transpose ins(%arg0 {{.*}} outs(%[[T2:.*]] :
// CHECK: linalg.fill {{.*}} outs(%arg0
// CHECK: gpu.launch
// CHECK-DAG: memref.load %arg1[{{.*}}] : memref<20x40xf32>
// CHECK-DAG: memref.load %[[T2]][{{.*}}] : memref<40x30xf32>
func.func @transposes_kept(%a: memref<30x40xf32>, %w: memref<20x40xf32>, %c: memref<30x20xf32>, %d: memref<40x20xf32>) {
  %cst = arith.constant 1.0 : f32
  %wt = memref.alloc() : memref<40x20xf32>
  linalg.transpose ins(%w : memref<20x40xf32>) outs(%wt : memref<40x20xf32>) permutation = [1, 0]
  linalg.copy ins(%wt : memref<40x20xf32>) outs(%d : memref<40x20xf32>)
  %at = memref.alloc() : memref<40x30xf32>
  linalg.transpose ins(%a : memref<30x40xf32>) outs(%at : memref<40x30xf32>) permutation = [1, 0]
  linalg.fill ins(%cst : f32) outs(%a : memref<30x40xf32>)
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
    ins(%at, %wt : memref<40x30xf32>, memref<40x20xf32>) outs(%c : memref<30x20xf32>)
  return
}
