// RUN: ember-opt %s -split-input-file --ember-cpu-pipeline | FileCheck %s
// RUN: ember-opt %s -split-input-file --ember-cpu-pipeline=parallel=false | FileCheck %s --check-prefix=SEQ
// RUN: ember-opt %s -split-input-file --convert-ember-to-linalg --one-shot-bufferize=bufferize-function-boundaries --convert-linalg-to-parallel-loops --ember-parallel-loops --convert-scf-to-openmp --ember-omp-nowait | FileCheck %s --check-prefix=OMP

// A large elementwise op runs on the thread pool: an OpenMP parallel region
// with one statically scheduled worksharing loop over the rows, without a
// barrier (the region's end joins the threads), each row a plain inner loop.
// The OpenMPIRBuilder outlines it when the module is translated to LLVM IR.
// OMP-LABEL: func.func @large(
// OMP: omp.parallel {
// OMP-NEXT: omp.wsloop nowait {
// OMP-NEXT: omp.loop_nest (%{{.*}}) : index = (%c0) to (%c1024) step (%c1) {
// OMP-NEXT: scf.for
// OMP-NOT: memref.alloca_scope
// OMP: omp.terminator
// CHECK-LABEL: llvm.func @large(
// CHECK: omp.parallel
// CHECK: omp.wsloop nowait
// SEQ-LABEL: llvm.func @large(
// SEQ-NOT: omp.
// SEQ: llvm.return
func.func @large(%x: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = ember.exp %x : tensor<1024x1024xf32>
  return %0 : tensor<1024x1024xf32>
}

// -----

// A small one stays a plain loop.
// CHECK-LABEL: llvm.func @small(
// CHECK-NOT: omp.
// CHECK: llvm.return
func.func @small(%x: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %0 = ember.exp %x : tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}
