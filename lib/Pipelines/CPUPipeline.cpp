//===- CPUPipeline.cpp - ember-cpu-pipeline -------------------------------===//
//
// ember -> linalg on tensors -> bufferized loops -> the LLVM dialect, ready
// for MLIR's ExecutionEngine. Results become out-parameters (the caller owns
// every output buffer); temporaries are freed by the ownership-based
// deallocation pipeline.
//
//===----------------------------------------------------------------------===//
#include "ember/Conversion/Passes.h"
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void mlir::ember::buildCPUPipeline(OpPassManager &pm,
                                   const CPUPipelineOptions &options) {
  // The recorded program as the frontend wrote it, simplified at the ember
  // level first: the autodiff's transposes of transposes cancel, and
  // transposed matmul results become matmuls of transposed operands.
  addPipelineText(pm, "canonicalize,cse");
  if (options.fusion)
    pm.addPass(createEmberFusion());
  pm.addPass(createConvertEmberToLinalg());
  // Matmuls are tiled before elementwise fusion: its reshape propagation would
  // turn a named matmul between reshapes back into a generic with the
  // reduction innermost.
  pm.addPass(createEmberTileMatmul());
  // Fusion regions become their kernels: one multi-result generic, or a loop
  // over tiles of rows (an scf.forall, run on the thread pool).
  if (options.fusion) {
    EmberLowerFusionOptions lower;
    lower.tileBytes = options.rowTileBytes;
    pm.addPass(createEmberLowerFusion(lower));
  }
  addPipelineText(pm, "canonicalize,cse,linalg-fuse-elementwise-ops");
  addRegionBufferization(pm);
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addNestedPass<func::FuncOp>(createEmberStridedCopiesToLinalg());
  if (options.parallel)
    addPipelineText(pm,
                    "scf-forall-to-parallel,convert-linalg-to-parallel-loops");
  else
    addPipelineText(pm, "scf-forall-to-for,convert-linalg-to-loops");
  addPipelineText(pm, "convert-vector-to-scf{full-unroll=true}");
  pm.addPass(createEmberWidenBoolMemrefs());
  pm.addNestedPass<func::FuncOp>(createEmberPromoteAccumulators());
  // Short row copies become vector transfers (after ember-parallel-loops has
  // made the inner dims of parallel loops scf.for loops).
  if (!options.parallel)
    pm.addNestedPass<func::FuncOp>(createEmberVectorizeRowCopies());
  if (options.parallel) {
    // Large outermost parallel loops become OpenMP parallel regions with one
    // statically scheduled worksharing loop; LLVM's OpenMPIRBuilder outlines
    // them into calls of the OpenMP runtime ABI, which libEmberRuntime
    // implements on its thread pool.
    pm.addNestedPass<func::FuncOp>(createEmberParallelLoops());
    pm.addNestedPass<func::FuncOp>(createEmberVectorizeRowCopies());
    addPipelineText(pm, "convert-scf-to-openmp");
    pm.addNestedPass<func::FuncOp>(createEmberOmpNowait());
  }
  pm.addNestedPass<func::FuncOp>(createEmberHoistLoopBuffers());
  addPipelineText(pm, "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
                      "lower-affine");
  if (options.expandMath)
    pm.addPass(createEmberExpandMath());
  addPipelineText(
      pm, "convert-math-to-funcs,convert-math-to-llvm{approximate-log1p=false},"
          // Before the vector lowering: math ops on vectors with no LLVM
          // intrinsic become one libm call per lane, extracted from and
          // inserted into vectors.
          "convert-math-to-libm,"
          "arith-expand{include-bf16},convert-vector-to-llvm,"
          // Heap blocks come from libEmberRuntime's cache.
          "finalize-memref-to-llvm{use-generic-functions},"
          "convert-arith-to-llvm,convert-openmp-to-llvm,"
          "convert-func-to-llvm,convert-cf-to-llvm,convert-ub-to-llvm,"
          "reconcile-unrealized-casts");
}

void mlir::ember::registerEmberPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "ember-cpu-pipeline",
      "Lower ember to the LLVM dialect for the CPU (linalg, bufferization, "
      "loops, LLVM)",
      buildCPUPipeline);
}

void mlir::ember::registerEmberPasses() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerEmberConversionPasses();
  registerEmberTransformsPasses();
  registerEmberPipelines();
  registerEmberGPUPipelines();
}
