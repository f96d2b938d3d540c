// RUN: ember-opt %s -split-input-file -ember-vectorize-row-copies | FileCheck %s

// An im2col gather's rows: the innermost loop copies 16 consecutive elements
// from a row at an offset (sw - kw + 2) into a row of the patch matrix. It
// becomes one 16-element read and one write; the outer loops stay, and the
// offset is computed once per row (moved out of the loop).
// CHECK-LABEL: func.func @gather_rows(
// CHECK: scf.for %[[KW:.*]] = %c0 to %c3
// CHECK: scf.for %[[SH:.*]] = %c0 to %c16
// CHECK: %[[START:.*]] = affine.apply #{{.*}}(%[[KW]], %{{.*}})
// CHECK: %[[ROW:.*]] = vector.transfer_read %arg0[%[[SH]], %[[START]]], %{{.*}} {in_bounds = [true]} : memref<18x18xf32>, vector<16xf32>
// CHECK: vector.transfer_write %[[ROW]], %arg1[%[[KW]], %[[SH]], %{{.*}}] {in_bounds = [true]} : vector<16xf32>, memref<3x16x16xf32>
// CHECK-NOT: memref.load
func.func @gather_rows(%src: memref<18x18xf32>, %dst: memref<3x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  scf.for %kw = %c0 to %c3 step %c1 {
    scf.for %sh = %c0 to %c16 step %c1 {
      scf.for %sw = %c0 to %c16 step %c1 {
        %i = affine.apply affine_map<(d0, d1) -> (-d0 + d1 + 2)>(%kw, %sw)
        %v = memref.load %src[%sh, %i] : memref<18x18xf32>
        memref.store %v, %dst[%kw, %sh, %sw] : memref<3x16x16xf32>
      }
    }
  }
  return
}

// -----

// A fill of a row with a loop-invariant value: a broadcast and one write,
// also into a strided view whose rows are contiguous.
// CHECK-LABEL: func.func @fill_rows(
// CHECK: scf.for %[[R:.*]] =
// CHECK: %[[V:.*]] = vector.broadcast %arg1 : f32 to vector<14xf32>
// CHECK: vector.transfer_write %[[V]], %arg0[%[[R]], %{{.*}}] {in_bounds = [true]}
func.func @fill_rows(%dst: memref<14x14xf32, strided<[18, 1], offset: 38>>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c14 = arith.constant 14 : index
  scf.for %r = %c0 to %c14 step %c1 {
    scf.for %c = %c0 to %c14 step %c1 {
      memref.store %x, %dst[%r, %c] : memref<14x14xf32, strided<[18, 1], offset: 38>>
    }
  }
  return
}

// -----

// Left alone: a column copy (the row index varies), a copy within one
// buffer (also through a view of it), a row longer than 256 elements, a
// strided row.
// CHECK-LABEL: func.func @not_rows(
// CHECK-NOT: vector.transfer
// CHECK-COUNT-5: memref.store
func.func @not_rows(%a: memref<16x16xf32>, %b: memref<16x16xf32>, %c: memref<512xf32>,
                    %d: memref<512xf32>, %e: memref<16x16xf32, strided<[1, 16]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i, %c2] : memref<16x16xf32>
    memref.store %v, %b[%c2, %i] : memref<16x16xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %a[%c2, %j] : memref<16x16xf32>
    memref.store %v, %a[%c2, %i] : memref<16x16xf32>
  }
  %view = memref.subview %a[1, 0] [15, 16] [1, 1] : memref<16x16xf32> to memref<15x16xf32, strided<[16, 1], offset: 16>>
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %view[%c2, %i] : memref<15x16xf32, strided<[16, 1], offset: 16>>
    memref.store %v, %a[%c2, %i] : memref<16x16xf32>
  }
  scf.for %i = %c0 to %c512 step %c1 {
    %v = memref.load %c[%i] : memref<512xf32>
    memref.store %v, %d[%i] : memref<512xf32>
  }
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%c2, %i] : memref<16x16xf32>
    memref.store %v, %e[%c2, %i] : memref<16x16xf32, strided<[1, 16]>>
  }
  return
}

// -----

// Rows computed elementwise: two loaded rows, a loop-invariant scalar
// (broadcast once), arith ops on the rows, an in-place update of the row read.
// CHECK-LABEL: func.func @elementwise_rows(
// CHECK: scf.for %[[R:.*]] =
// CHECK-DAG: %[[A:.*]] = vector.transfer_read %arg0[%[[R]], %{{.*}}]{{.*}} : memref<8x14xf32>, vector<14xf32>
// CHECK-DAG: %[[B:.*]] = vector.transfer_read %arg1[%[[R]], %{{.*}}]{{.*}} : memref<8x14xf32>, vector<14xf32>
// CHECK-DAG: %[[S:.*]] = vector.broadcast %arg2 : f32 to vector<14xf32>
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[A]], %[[S]] : vector<14xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[A]], %[[B]] fastmath<contract> : vector<14xf32>
// CHECK: %[[SEL:.*]] = arith.select %[[GT]], %[[SUM]], %[[S]] : vector<14xi1>, vector<14xf32>
// CHECK: vector.transfer_write %[[SEL]], %arg0[%[[R]], %{{.*}}] {in_bounds = [true]} : vector<14xf32>, memref<8x14xf32>
// CHECK-NOT: memref.store
func.func @elementwise_rows(%a: memref<8x14xf32>, %b: memref<8x14xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c14 = arith.constant 14 : index
  scf.for %r = %c0 to %c8 step %c1 {
    scf.for %c = %c0 to %c14 step %c1 {
      %x = memref.load %a[%r, %c] : memref<8x14xf32>
      %y = memref.load %b[%r, %c] : memref<8x14xf32>
      %gt = arith.cmpf ogt, %x, %s : f32
      %sum = arith.addf %x, %y fastmath<contract> : f32
      %v = arith.select %gt, %sum, %s : f32
      memref.store %v, %a[%r, %c] : memref<8x14xf32>
    }
  }
  return
}

// -----

// Not rows: a load of another row of the buffer the loop writes, a value
// that depends on the induction variable other than through a load.
// CHECK-LABEL: func.func @elementwise_not_rows(
// CHECK-NOT: vector.
// CHECK-COUNT-2: memref.store
func.func @elementwise_not_rows(%a: memref<8x14xf32>, %b: memref<14xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c14 = arith.constant 14 : index
  scf.for %c = %c0 to %c14 step %c1 {
    %x = memref.load %a[%c1, %c] : memref<8x14xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%c2, %c] : memref<8x14xf32>
  }
  scf.for %c = %c0 to %c14 step %c1 {
    %i = arith.index_cast %c : index to i32
    %f = arith.sitofp %i : i32 to f32
    memref.store %f, %b[%c] : memref<14xf32>
  }
  return
}

// -----

// An optimizer update: three rows written per iteration and scalars read
// from memory (hyperparameters). LLVM leaves this loop scalar (the scalar
// loads cannot pass the stores; a run-time check per pair of buffers); it
// becomes strips of one 512-bit vector (16 f32 lanes), the scalars loaded
// once and broadcast, and the original loop for the 4 elements left over.
// CHECK-LABEL: func.func @strips(
// CHECK: %[[LR:.*]] = memref.load %arg3[] : memref<f32>
// CHECK: %[[B:.*]] = vector.broadcast %[[LR]] : f32 to vector<16xf32>
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c32{{.*}} step %c16
// CHECK: %[[P:.*]] = vector.transfer_read %arg0[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : memref<4x36xf32>, vector<16xf32>
// CHECK: %[[G:.*]] = vector.transfer_read %arg1[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : memref<4x36xf32>, vector<16xf32>
// CHECK: %[[M:.*]] = arith.mulf %[[G]], %[[B]] : vector<16xf32>
// CHECK: %[[NP:.*]] = arith.subf %[[P]], %[[M]] : vector<16xf32>
// CHECK: vector.transfer_write %[[NP]], %arg0[%{{.*}}, %[[J]]] {in_bounds = [true]}
// CHECK: vector.transfer_write %[[M]], %arg2[%{{.*}}, %[[J]]] {in_bounds = [true]}
// CHECK: scf.for %{{.*}} = %c32{{.*}} to %c36 step %c1
// CHECK: memref.load %arg3[] : memref<f32>
// CHECK: memref.store
func.func @strips(%p: memref<4x36xf32>, %g: memref<4x36xf32>, %m: memref<4x36xf32>, %lr: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c36 = arith.constant 36 : index
  scf.for %r = %c0 to %c4 step %c1 {
    scf.for %c = %c0 to %c36 step %c1 {
      %x = memref.load %p[%r, %c] : memref<4x36xf32>
      %y = memref.load %g[%r, %c] : memref<4x36xf32>
      %a = memref.load %lr[] : memref<f32>
      %d = arith.mulf %y, %a : f32
      %n = arith.subf %x, %d : f32
      memref.store %n, %p[%r, %c] : memref<4x36xf32>
      memref.store %d, %m[%r, %c] : memref<4x36xf32>
    }
  }
  return
}

// -----

// A row shorter than a register is one vector of its length (a ReLU and its
// mask for the backward pass: 14 lanes, f32 and i8 rows).
// CHECK-LABEL: func.func @short_strip(
// CHECK: vector.transfer_read %arg0{{.*}} : memref<8x14xf32>, vector<14xf32>
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : vector<14xf32>
// CHECK: arith.extui %{{.*}} : vector<14xi1> to vector<14xi8>
// CHECK: vector.transfer_write %{{.*}}, %arg1{{.*}} : vector<14xi8>, memref<8x14xi8>
// CHECK: vector.transfer_write %{{.*}}, %arg2{{.*}} : vector<14xf32>, memref<8x14xf32>
// CHECK-NOT: memref.store
func.func @short_strip(%x: memref<8x14xf32>, %mask: memref<8x14xi8>, %y: memref<8x14xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c14 = arith.constant 14 : index
  %zero = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c8 step %c1 {
    scf.for %c = %c0 to %c14 step %c1 {
      %v = memref.load %x[%r, %c] : memref<8x14xf32>
      %gt = arith.cmpf ogt, %v, %zero : f32
      %relu = arith.select %gt, %v, %zero : f32
      %m = arith.extui %gt : i1 to i8
      memref.store %m, %mask[%r, %c] : memref<8x14xi8>
      memref.store %relu, %y[%r, %c] : memref<8x14xf32>
    }
  }
  return
}

// -----

// Left alone: a scalar read from a buffer the loop writes, and two stores
// into one buffer.
// CHECK-LABEL: func.func @strips_left_alone(
// CHECK-NOT: vector.
// CHECK-COUNT-4: memref.store
func.func @strips_left_alone(%p: memref<36xf32>, %q: memref<2x36xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c36 = arith.constant 36 : index
  scf.for %c = %c0 to %c36 step %c1 {
    %a = memref.load %s[] : memref<f32>
    %x = memref.load %p[%c] : memref<36xf32>
    %y = arith.addf %x, %a : f32
    memref.store %y, %p[%c] : memref<36xf32>
    memref.store %y, %s[] : memref<f32>
  }
  scf.for %c = %c0 to %c36 step %c1 {
    %x = memref.load %p[%c] : memref<36xf32>
    memref.store %x, %q[%c0, %c] : memref<2x36xf32>
    memref.store %x, %q[%c1, %c] : memref<2x36xf32>
  }
  return
}
