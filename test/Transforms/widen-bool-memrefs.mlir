// RUN: ember-opt %s -split-input-file -ember-widen-bool-memrefs | FileCheck %s

// Every memref of i1 becomes a memref of i8 (one byte per bool); loads are
// followed by arith.trunci to i1, stores preceded by arith.extui to i8.

// CHECK-LABEL: func.func @signature(
// CHECK-SAME: %[[A:.*]]: memref<4xi8>, %[[B:.*]]: memref<4xf32>, %[[C:.*]]: i1) -> memref<4xi8>
// CHECK-NEXT: return %[[A]] : memref<4xi8>
func.func @signature(%a: memref<4xi1>, %b: memref<4xf32>, %c: i1) -> memref<4xi1> {
  return %a : memref<4xi1>
}

// -----

// CHECK-LABEL: func.func @load_store(
// CHECK-SAME: %[[A:.*]]: memref<4xi8>, %[[B:.*]]: memref<4xi8>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: %[[BYTE:.*]] = memref.load %[[A]][%[[I]]] : memref<4xi8>
// CHECK-NEXT: %[[BIT:.*]] = arith.trunci %[[BYTE]] : i8 to i1
// CHECK-NEXT: %[[NOT:.*]] = arith.xori %[[BIT]], %{{.*}} : i1
// CHECK-NEXT: %[[OUT:.*]] = arith.extui %[[NOT]] : i1 to i8
// CHECK-NEXT: memref.store %[[OUT]], %[[B]][%[[I]]] : memref<4xi8>
func.func @load_store(%a: memref<4xi1>, %b: memref<4xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %true = arith.constant true
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %a[%i] : memref<4xi1>
    %n = arith.xori %v, %true : i1
    memref.store %n, %b[%i] : memref<4xi1>
  }
  return
}

// -----

// A loaded bool used several times is truncated once; a stored constant is
// extended.
// CHECK-LABEL: func.func @multi_use(
// CHECK-SAME: %[[A:.*]]: memref<2xi8>
// CHECK: %[[BYTE:.*]] = memref.load %[[A]][%{{.*}}] : memref<2xi8>
// CHECK-NEXT: %[[BIT:.*]] = arith.trunci %[[BYTE]] : i8 to i1
// CHECK-NEXT: %[[AND:.*]] = arith.andi %[[BIT]], %[[BIT]] : i1
// CHECK: %[[T:.*]] = arith.extui %{{.*}} : i1 to i8
// CHECK-NEXT: memref.store %[[T]], %[[A]][%{{.*}}] : memref<2xi8>
// CHECK: return %[[AND]] : i1
func.func @multi_use(%a: memref<2xi1>) -> i1 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %true = arith.constant true
  %v = memref.load %a[%c0] : memref<2xi1>
  %w = arith.andi %v, %v : i1
  memref.store %true, %a[%c1] : memref<2xi1>
  return %w : i1
}

// -----

// Allocs and views are retyped, layouts kept.
// CHECK-LABEL: func.func @alloc_subview(
// CHECK-SAME: %[[A:.*]]: memref<4x4xi8>) -> memref<2x2xi8, strided<[4, 1], offset: 5>>
// CHECK: %[[ALLOC:.*]] = memref.alloc() : memref<8xi8>
// CHECK: %[[ALLOCA:.*]] = memref.alloca() : memref<2xi8>
// CHECK: %[[VIEW:.*]] = memref.subview %[[A]][1, 1] [2, 2] [1, 1] : memref<4x4xi8> to memref<2x2xi8, strided<[4, 1], offset: 5>>
// CHECK: memref.copy %[[ALLOC]], %{{.*}} : memref<8xi8> to memref<8xi8>
// CHECK: memref.dealloc %[[ALLOC]] : memref<8xi8>
// CHECK: return %[[VIEW]] : memref<2x2xi8, strided<[4, 1], offset: 5>>
func.func @alloc_subview(%a: memref<4x4xi1>) -> memref<2x2xi1, strided<[4, 1], offset: 5>> {
  %0 = memref.alloc() : memref<8xi1>
  %1 = memref.alloca() : memref<2xi1>
  %2 = memref.subview %a[1, 1] [2, 2] [1, 1] : memref<4x4xi1> to memref<2x2xi1, strided<[4, 1], offset: 5>>
  %3 = memref.alloc() : memref<8xi1>
  memref.copy %0, %3 : memref<8xi1> to memref<8xi1>
  memref.dealloc %0 : memref<8xi1>
  memref.dealloc %3 : memref<8xi1>
  return %2 : memref<2x2xi1, strided<[4, 1], offset: 5>>
}

// -----

// Globals: the type and a dense<i1> initializer become i8 (true -> 1).
// CHECK-DAG: memref.global "private" constant @bits : memref<3xi8> = dense<[1, 0, 1]>
// CHECK-DAG: memref.global "private" constant @splat : memref<2x2xi8> = dense<1>
// CHECK-DAG: memref.global "private" @uninit : memref<2xi8> = uninitialized
// CHECK-DAG: memref.global "private" constant @floats : memref<2xf32> = dense<1.000000e+00>
// CHECK-LABEL: func.func @globals(
// CHECK: %[[G:.*]] = memref.get_global @bits : memref<3xi8>
// CHECK: %[[BYTE:.*]] = memref.load %[[G]][%{{.*}}] : memref<3xi8>
// CHECK-NEXT: %[[BIT:.*]] = arith.trunci %[[BYTE]] : i8 to i1
// CHECK-NEXT: return %[[BIT]] : i1
memref.global "private" constant @bits : memref<3xi1> = dense<[true, false, true]>
memref.global "private" constant @splat : memref<2x2xi1> = dense<true>
memref.global "private" @uninit : memref<2xi1> = uninitialized
memref.global "private" constant @floats : memref<2xf32> = dense<1.0>
func.func @globals() -> i1 {
  %c0 = arith.constant 0 : index
  %0 = memref.get_global @bits : memref<3xi1>
  %1 = memref.load %0[%c0] : memref<3xi1>
  return %1 : i1
}

// -----

// Declarations and calls are retyped together.
// CHECK: func.func private @external(memref<2xi8>) -> memref<2xi8>
// CHECK-LABEL: func.func @call(
// CHECK-SAME: %[[A:.*]]: memref<2xi8>) -> memref<2xi8>
// CHECK: %[[R:.*]] = call @external(%[[A]]) : (memref<2xi8>) -> memref<2xi8>
// CHECK-NEXT: return %[[R]] : memref<2xi8>
func.func private @external(memref<2xi1>) -> memref<2xi1>
func.func @call(%a: memref<2xi1>) -> memref<2xi1> {
  %0 = call @external(%a) : (memref<2xi1>) -> memref<2xi1>
  return %0 : memref<2xi1>
}

// -----

// Nothing else changes: i8 / i32 memrefs, i1 scalars.
// CHECK-LABEL: func.func @untouched(
// CHECK-SAME: %[[A:.*]]: memref<4xi8>, %[[B:.*]]: memref<4xi32>, %[[C:.*]]: i1) -> i1
// CHECK: %[[V:.*]] = memref.load %[[A]][%{{.*}}] : memref<4xi8>
// CHECK-NEXT: memref.store %[[V]], %[[A]][%{{.*}}] : memref<4xi8>
// CHECK-NOT: arith.trunci
// CHECK-NOT: arith.extui
// CHECK: return %[[C]] : i1
func.func @untouched(%a: memref<4xi8>, %b: memref<4xi32>, %c: i1) -> i1 {
  %c0 = arith.constant 0 : index
  %0 = memref.load %a[%c0] : memref<4xi8>
  memref.store %0, %a[%c0] : memref<4xi8>
  return %c : i1
}
