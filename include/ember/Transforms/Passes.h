//===- Passes.h - ember transform passes and pipelines ----------*- C++ -*-===//
#ifndef EMBER_TRANSFORMS_PASSES_H
#define EMBER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace ember {

#define GEN_PASS_DECL
#include "ember/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ember/Transforms/Passes.h.inc"

/// Options of `ember-cpu-pipeline`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> expandMath{
      *this, "expand-math",
      llvm::cl::desc("Use polynomial approximations for f32 math functions"),
      llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run large outermost parallel loops on the thread pool "
                     "(async runtime calls into libEmberRuntime)"),
      llvm::cl::init(true)};
};

/// ember -> linalg -> bufferized loops -> LLVM dialect, ready for the JIT.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `ember-cpu-pipeline`.
void registerEmberPipelines();

/// Registers every ember pass and pipeline.
void registerEmberPasses();

} // namespace ember
} // namespace mlir

#endif // EMBER_TRANSFORMS_PASSES_H
