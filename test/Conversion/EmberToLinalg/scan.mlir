// RUN: ember-opt %s -split-input-file -convert-ember-to-linalg | FileCheck %s

// Order-dependent ops. cumsum: the first slice along `dim` is copied, then an
// scf.for over 1..n carries the result and the running sum of one slice (f32
// for f16 / bf16), extracting and inserting the slice at the loop index.
// sort: a linalg.generic with a reduction over a second walk of `dim` counts
// the rank of every element (elements that sort before it, plus equal ones at
// smaller indices), then a second one selects, for every output position, the
// element of that rank and its index.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum_f32(
// CHECK-SAME: %[[X:.*]]: tensor<3x5xf32>) -> tensor<3x5xf32>
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[X]][0, 0] [3, 1] [1, 1] : tensor<3x5xf32> to tensor<3x1xf32>
// CHECK: %[[ACC0:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[FIRST]] : tensor<3x1xf32>) outs(%{{.*}} : tensor<3x1xf32>)
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK: %[[INIT:.*]] = tensor.insert_slice %[[FIRST]] into %[[EMPTY]][0, 0] [3, 1] [1, 1] : tensor<3x1xf32> into tensor<3x5xf32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[K:.*]] = %[[C1]] to %[[C5]] step %{{.*}} iter_args(%[[OUT:.*]] = %[[INIT]], %[[ACC:.*]] = %[[ACC0]]) -> (tensor<3x5xf32>, tensor<3x1xf32>) {
// CHECK-NEXT: %[[CUR:.*]] = tensor.extract_slice %[[X]][0, %[[K]]] [3, 1] [1, 1] : tensor<3x5xf32> to tensor<3x1xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[CUR]] : tensor<3x1xf32>) outs(%[[ACC]] : tensor<3x1xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[PREV:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[PREV]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NEXT: } -> tensor<3x1xf32>
// CHECK-NEXT: %[[NEXT:.*]] = tensor.insert_slice %[[SUM]] into %[[OUT]][0, %[[K]]] [3, 1] [1, 1] : tensor<3x1xf32> into tensor<3x5xf32>
// CHECK-NEXT: scf.yield %[[NEXT]], %[[SUM]] : tensor<3x5xf32>, tensor<3x1xf32>
// CHECK: return %[[LOOP]]#0 : tensor<3x5xf32>
func.func @cumsum_f32(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = ember.cumsum %x dim 1 : tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// bf16 sums in an f32 slice: extf on the way in, truncf of every output slice.
// CHECK-LABEL: func.func @cumsum_bf16(
// CHECK-SAME: %[[X:.*]]: tensor<4x2xbf16>) -> tensor<4x2xbf16>
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[X]][0, 0] [1, 2] [1, 1] : tensor<4x2xbf16> to tensor<1x2xbf16>
// CHECK: %[[ACC0:.*]] = linalg.generic {{.*}} ins(%[[FIRST]] : tensor<1x2xbf16>) outs(%{{.*}} : tensor<1x2xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: bf16, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT: linalg.yield %[[E]] : f32
// The first output slice is the input's, unrounded.
// CHECK: %[[INIT:.*]] = tensor.insert_slice %[[FIRST]] into %{{.*}}[0, 0] [1, 2] [1, 1] : tensor<1x2xbf16> into tensor<4x2xbf16>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[K:.*]] = %[[C1]] to %[[C4]] step %{{.*}} iter_args(%[[OUT:.*]] = %[[INIT]], %[[ACC:.*]] = %[[ACC0]]) -> (tensor<4x2xbf16>, tensor<1x2xf32>) {
// CHECK-NEXT: %[[CUR:.*]] = tensor.extract_slice %[[X]][%[[K]], 0] [1, 2] [1, 1] : tensor<4x2xbf16> to tensor<1x2xbf16>
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[CUR]] : tensor<1x2xbf16>) outs(%[[ACC]] : tensor<1x2xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: bf16, %[[PREV:.*]]: f32):
// CHECK-NEXT: %[[INF:.*]] = arith.extf %[[IN]] : bf16 to f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[PREV]], %[[INF]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NEXT: } -> tensor<1x2xf32>
// CHECK-NEXT: %[[TE:.*]] = tensor.empty() : tensor<1x2xbf16>
// CHECK-NEXT: %[[T:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x2xf32>) outs(%[[TE]] : tensor<1x2xbf16>) {
// CHECK-NEXT: ^bb0(%[[SF:.*]]: f32, %{{.*}}: bf16):
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[SF]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[R]] : bf16
// CHECK-NEXT: } -> tensor<1x2xbf16>
// CHECK-NEXT: %[[NEXT:.*]] = tensor.insert_slice %[[T]] into %[[OUT]][%[[K]], 0] [1, 2] [1, 1] : tensor<1x2xbf16> into tensor<4x2xbf16>
// The carried sum stays f32.
// CHECK-NEXT: scf.yield %[[NEXT]], %[[SUM]] : tensor<4x2xbf16>, tensor<1x2xf32>
// CHECK: return %[[LOOP]]#0 : tensor<4x2xbf16>
func.func @cumsum_bf16(%x: tensor<4x2xbf16>) -> tensor<4x2xbf16> {
  %0 = ember.cumsum %x dim 0 : tensor<4x2xbf16>
  return %0 : tensor<4x2xbf16>
}

// -----

// f16 as bf16: f32 sum, truncf per output slice.
// CHECK-LABEL: func.func @cumsum_f16(
// CHECK: scf.for {{.*}} -> (tensor<6xf16>, tensor<1xf32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: scf.yield %{{.*}}, %{{.*}} : tensor<6xf16>, tensor<1xf32>
func.func @cumsum_f16(%x: tensor<6xf16>) -> tensor<6xf16> {
  %0 = ember.cumsum %x dim 0 : tensor<6xf16>
  return %0 : tensor<6xf16>
}

// -----

// Integers sum in their own type, with no conversion; a middle dim of a 3-D
// tensor is sliced at the loop index.
// CHECK-LABEL: func.func @cumsum_i32_middle_dim(
// CHECK-SAME: %[[X:.*]]: tensor<2x4x3xi32>) -> tensor<2x4x3xi32>
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[X]][0, 0, 0] [2, 1, 3] [1, 1, 1] : tensor<2x4x3xi32> to tensor<2x1x3xi32>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[K:.*]] = %[[C1]] to %[[C4]] step %{{.*}} iter_args(%[[OUT:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (tensor<2x4x3xi32>, tensor<2x1x3xi32>) {
// CHECK-NEXT: %[[CUR:.*]] = tensor.extract_slice %[[X]][0, %[[K]], 0] [2, 1, 3] [1, 1, 1] : tensor<2x4x3xi32> to tensor<2x1x3xi32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[CUR]] : tensor<2x1x3xi32>) outs(%[[ACC]] : tensor<2x1x3xi32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i32, %[[PREV:.*]]: i32):
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[PREV]], %[[IN]] : i32
// CHECK-NEXT: linalg.yield %[[S]] : i32
// CHECK-NEXT: } -> tensor<2x1x3xi32>
// CHECK-NEXT: %[[NEXT:.*]] = tensor.insert_slice %[[SUM]] into %[[OUT]][0, %[[K]], 0] [2, 1, 3] [1, 1, 1] : tensor<2x1x3xi32> into tensor<2x4x3xi32>
// CHECK-NEXT: scf.yield %[[NEXT]], %[[SUM]] : tensor<2x4x3xi32>, tensor<2x1x3xi32>
// CHECK-NOT: arith.extsi
// CHECK-NOT: arith.trunci
// CHECK: return %[[LOOP]]#0 : tensor<2x4x3xi32>
func.func @cumsum_i32_middle_dim(%x: tensor<2x4x3xi32>) -> tensor<2x4x3xi32> {
  %0 = ember.cumsum %x dim 1 : tensor<2x4x3xi32>
  return %0 : tensor<2x4x3xi32>
}

// -----

// A size-1 dim: the loop runs from 1 to 1 (no iterations).
// CHECK-LABEL: func.func @cumsum_size1(
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C1B:.*]] = arith.constant 1 : index
// CHECK: scf.for %{{.*}} = %[[C1]] to %[[C1B]] step
func.func @cumsum_size1(%x: tensor<3x1xi64>) -> tensor<3x1xi64> {
  %0 = ember.cumsum %x dim 1 : tensor<3x1xi64>
  return %0 : tensor<3x1xi64>
}

// -----

// No elements (a size-0 dim, scanned or not): the result is the input.
// CHECK-LABEL: func.func @cumsum_empty(
// CHECK-SAME: %[[X:.*]]: tensor<2x0xf32>, %[[Y:.*]]: tensor<0x3xbf16>)
// CHECK-NOT: scf.for
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]], %[[Y]] : tensor<2x0xf32>, tensor<0x3xbf16>
func.func @cumsum_empty(%x: tensor<2x0xf32>, %y: tensor<0x3xbf16>) -> (tensor<2x0xf32>, tensor<0x3xbf16>) {
  %0 = ember.cumsum %x dim 0 : tensor<2x0xf32>
  %1 = ember.cumsum %y dim 0 : tensor<0x3xbf16>
  return %0, %1 : tensor<2x0xf32>, tensor<0x3xbf16>
}

// -----

// Ascending f32 sort along the last dim: loops (d0, d1, d2), d2 walking dim 1
// a second time.
// CHECK-DAG: #[[$SELF:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$OTHER:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sort_f32(
// CHECK-SAME: %[[X:.*]]: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<3x5xi64>) -> tensor<3x5xi64>
// rank(i) = #{j : x_j before x_i, or x_j == x_i and j < i}
// CHECK: %[[RANKS:.*]] = linalg.generic {indexing_maps = [#[[$SELF]], #[[$OTHER]], #[[$SELF]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[X]] : tensor<3x5xf32>, tensor<3x5xf32>) outs(%[[ZEROS]] : tensor<3x5xi64>) {
// CHECK-NEXT: ^bb0(%[[XI:.*]]: f32, %[[XJ:.*]]: f32, %[[CNT:.*]]: i64):
// CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[J:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[EARLIER:.*]] = arith.cmpi ult, %[[J]], %[[I]] : index
// Equal for sorting: oeq, or both NaN.
// CHECK-NEXT: %[[OEQ:.*]] = arith.cmpf oeq, %[[XJ]], %[[XI]] : f32
// CHECK-NEXT: %[[INAN:.*]] = arith.cmpf uno, %[[XI]], %[[XI]] : f32
// CHECK-NEXT: %[[JNAN:.*]] = arith.cmpf uno, %[[XJ]], %[[XJ]] : f32
// CHECK-NEXT: %[[BOTHNAN:.*]] = arith.andi %[[JNAN]], %[[INAN]] : i1
// CHECK-NEXT: %[[EQ:.*]] = arith.ori %[[OEQ]], %[[BOTHNAN]] : i1
// CHECK-NEXT: %[[TIE:.*]] = arith.andi %[[EQ]], %[[EARLIER]] : i1
// Before: x_j < x_i, or x_i is NaN and x_j is not (NaN last).
// CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[XJ]], %[[XI]] : f32
// CHECK-NEXT: %[[JNAN2:.*]] = arith.cmpf uno, %[[XJ]], %[[XJ]] : f32
// CHECK-NEXT: %[[INAN2:.*]] = arith.cmpf uno, %[[XI]], %[[XI]] : f32
// CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT: %[[JNUM:.*]] = arith.xori %[[JNAN2]], %[[TRUE]] : i1
// CHECK-NEXT: %[[NANLAST:.*]] = arith.andi %[[INAN2]], %[[JNUM]] : i1
// CHECK-NEXT: %[[BEFORE:.*]] = arith.ori %[[LT]], %[[NANLAST]] : i1
// CHECK-NEXT: %[[COUNTS:.*]] = arith.ori %[[BEFORE]], %[[TIE]] : i1
// CHECK-NEXT: %[[ONE:.*]] = arith.extui %[[COUNTS]] : i1 to i64
// CHECK-NEXT: %[[ADD:.*]] = arith.addi %[[CNT]], %[[ONE]] : i64
// CHECK-NEXT: linalg.yield %[[ADD]] : i64
// CHECK-NEXT: } -> tensor<3x5xi64>
// out(k) = the element of rank k, and its index: two outputs, two selects.
// CHECK-NEXT: %[[VINIT:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK-NEXT: %[[OUT:.*]]:2 = linalg.generic {indexing_maps = [#[[$OTHER]], #[[$OTHER]], #[[$SELF]], #[[$SELF]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[RANKS]] : tensor<3x5xf32>, tensor<3x5xi64>) outs(%[[VINIT]], %[[ZEROS]] : tensor<3x5xf32>, tensor<3x5xi64>) {
// CHECK-NEXT: ^bb0(%[[XV:.*]]: f32, %[[R:.*]]: i64, %[[VACC:.*]]: f32, %[[IACC:.*]]: i64):
// CHECK-NEXT: %[[KIDX:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[K:.*]] = arith.index_cast %[[KIDX]] : index to i64
// CHECK-NEXT: %[[SRCIDX:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[SRC:.*]] = arith.index_cast %[[SRCIDX]] : index to i64
// CHECK-NEXT: %[[HIT:.*]] = arith.cmpi eq, %[[R]], %[[K]] : i64
// CHECK-NEXT: %[[V:.*]] = arith.select %[[HIT]], %[[XV]], %[[VACC]] : f32
// CHECK-NEXT: %[[IDX:.*]] = arith.select %[[HIT]], %[[SRC]], %[[IACC]] : i64
// CHECK-NEXT: linalg.yield %[[V]], %[[IDX]] : f32, i64
// CHECK-NEXT: } -> (tensor<3x5xf32>, tensor<3x5xi64>)
// CHECK-NEXT: return %[[OUT]]#0, %[[OUT]]#1 : tensor<3x5xf32>, tensor<3x5xi64>
func.func @sort_f32(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>) {
  %v, %i = ember.sort %x dim 1 : tensor<3x5xf32> -> tensor<3x5xf32>, tensor<3x5xi64>
  return %v, %i : tensor<3x5xf32>, tensor<3x5xi64>
}

// -----

// Descending f16: compared in f32; x_j before x_i when x_j > x_i, or x_j is
// NaN and x_i is not (NaN first). The values keep f16.
// CHECK-DAG: #[[$SELF:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$OTHER:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @sort_descending_f16(
// CHECK-SAME: %[[X:.*]]: tensor<4xf16>)
// CHECK: %[[RANKS:.*]] = linalg.generic {indexing_maps = [#[[$SELF]], #[[$OTHER]], #[[$SELF]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[X]] : tensor<4xf16>, tensor<4xf16>) outs(%{{.*}} : tensor<4xi64>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %[[CNT:.*]]: i64):
// CHECK-NEXT: %[[XI:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT: %[[XJ:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT: %[[I:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[EARLIER:.*]] = arith.cmpi ult, %[[J]], %[[I]] : index
// CHECK-NEXT: %[[OEQ:.*]] = arith.cmpf oeq, %[[XJ]], %[[XI]] : f32
// CHECK-NEXT: %[[INAN:.*]] = arith.cmpf uno, %[[XI]], %[[XI]] : f32
// CHECK-NEXT: %[[JNAN:.*]] = arith.cmpf uno, %[[XJ]], %[[XJ]] : f32
// CHECK-NEXT: %[[BOTHNAN:.*]] = arith.andi %[[JNAN]], %[[INAN]] : i1
// CHECK-NEXT: %[[EQ:.*]] = arith.ori %[[OEQ]], %[[BOTHNAN]] : i1
// CHECK-NEXT: %[[TIE:.*]] = arith.andi %[[EQ]], %[[EARLIER]] : i1
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[XJ]], %[[XI]] : f32
// CHECK-NEXT: %[[JNAN2:.*]] = arith.cmpf uno, %[[XJ]], %[[XJ]] : f32
// CHECK-NEXT: %[[INAN2:.*]] = arith.cmpf uno, %[[XI]], %[[XI]] : f32
// CHECK-NEXT: %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT: %[[INUM:.*]] = arith.xori %[[INAN2]], %[[TRUE]] : i1
// CHECK-NEXT: %[[NANFIRST:.*]] = arith.andi %[[JNAN2]], %[[INUM]] : i1
// CHECK-NEXT: %[[BEFORE:.*]] = arith.ori %[[GT]], %[[NANFIRST]] : i1
// CHECK-NEXT: %[[COUNTS:.*]] = arith.ori %[[BEFORE]], %[[TIE]] : i1
// CHECK-NEXT: %[[ONE:.*]] = arith.extui %[[COUNTS]] : i1 to i64
// CHECK-NEXT: %[[ADD:.*]] = arith.addi %[[CNT]], %[[ONE]] : i64
// CHECK-NEXT: linalg.yield %[[ADD]] : i64
// CHECK: %[[OUT:.*]]:2 = linalg.generic {indexing_maps = [#[[$OTHER]], #[[$OTHER]], #[[$SELF]], #[[$SELF]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[RANKS]] : tensor<4xf16>, tensor<4xi64>) outs(%{{.*}}, %{{.*}} : tensor<4xf16>, tensor<4xi64>) {
// CHECK-NEXT: ^bb0(%[[XV:.*]]: f16, %[[R:.*]]: i64, %[[VACC:.*]]: f16, %[[IACC:.*]]: i64):
// CHECK: arith.select %{{.*}}, %[[XV]], %[[VACC]] : f16
// CHECK: return %[[OUT]]#0, %[[OUT]]#1 : tensor<4xf16>, tensor<4xi64>
func.func @sort_descending_f16(%x: tensor<4xf16>) -> (tensor<4xf16>, tensor<4xi64>) {
  %v, %i = ember.sort %x dim 0 descending : tensor<4xf16> -> tensor<4xf16>, tensor<4xi64>
  return %v, %i : tensor<4xf16>, tensor<4xi64>
}

// -----

// Integers: cmpi slt (ascending) / sgt (descending), no NaN terms; a middle
// dim of a 3-D tensor is walked by the extra loop d3.
// CHECK-DAG: #[[$SELF:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OTHER:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @sort_i32_middle_dim(
// CHECK-SAME: %[[X:.*]]: tensor<2x4x3xi32>)
// CHECK: linalg.generic {indexing_maps = [#[[$SELF]], #[[$OTHER]], #[[$SELF]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[X]] : tensor<2x4x3xi32>, tensor<2x4x3xi32>) outs(%{{.*}} : tensor<2x4x3xi64>) {
// CHECK-NEXT: ^bb0(%[[XI:.*]]: i32, %[[XJ:.*]]: i32, %[[CNT:.*]]: i64):
// CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[J:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[EARLIER:.*]] = arith.cmpi ult, %[[J]], %[[I]] : index
// CHECK-NEXT: %[[EQ:.*]] = arith.cmpi eq, %[[XJ]], %[[XI]] : i32
// CHECK-NEXT: %[[TIE:.*]] = arith.andi %[[EQ]], %[[EARLIER]] : i1
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[XJ]], %[[XI]] : i32
// CHECK-NEXT: %[[COUNTS:.*]] = arith.ori %[[LT]], %[[TIE]] : i1
// CHECK-NOT: arith.cmpf
// CHECK: linalg.generic {indexing_maps = [#[[$OTHER]], #[[$OTHER]], #[[$SELF]], #[[$SELF]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: %[[K:.*]] = linalg.index 1 : index
// CHECK: %[[SRC:.*]] = linalg.index 3 : index
// CHECK: arith.select %{{.*}} : i32
// CHECK: arith.select %{{.*}} : i64
func.func @sort_i32_middle_dim(%x: tensor<2x4x3xi32>) -> (tensor<2x4x3xi32>, tensor<2x4x3xi64>) {
  %v, %i = ember.sort %x dim 1 : tensor<2x4x3xi32> -> tensor<2x4x3xi32>, tensor<2x4x3xi64>
  return %v, %i : tensor<2x4x3xi32>, tensor<2x4x3xi64>
}

// -----

// CHECK-LABEL: func.func @sort_descending_i8(
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i8
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i8
// CHECK-NOT: arith.cmpf
// CHECK-NOT: arith.cmpi slt
// CHECK: return
func.func @sort_descending_i8(%x: tensor<5xi8>) -> (tensor<5xi8>, tensor<5xi64>) {
  %v, %i = ember.sort %x dim 0 descending : tensor<5xi8> -> tensor<5xi8>, tensor<5xi64>
  return %v, %i : tensor<5xi8>, tensor<5xi64>
}

// -----

// bf16 compares in f32, like f16.
// CHECK-LABEL: func.func @sort_bf16(
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.select %{{.*}} : bf16
func.func @sort_bf16(%x: tensor<2x3xbf16>) -> (tensor<2x3xbf16>, tensor<2x3xi64>) {
  %v, %i = ember.sort %x dim 0 : tensor<2x3xbf16> -> tensor<2x3xbf16>, tensor<2x3xi64>
  return %v, %i : tensor<2x3xbf16>, tensor<2x3xi64>
}
