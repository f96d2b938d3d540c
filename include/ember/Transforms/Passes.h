//===- Passes.h - ember transform passes and pipelines ----------*- C++ -*-===//
#ifndef EMBER_TRANSFORMS_PASSES_H
#define EMBER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace ember {

#define GEN_PASS_DECL
#include "ember/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "ember/Transforms/Passes.h.inc"

/// Appends a textual pass pipeline of upstream passes; their names are
/// checked when the pipeline is built, which every ember-opt and Python test
/// does (a bad one is a fatal error).
void addPipelineText(OpPassManager &pm, StringRef pipeline);

/// Tensors to buffers for a region: the caller's arguments are read-only and
/// every result becomes an out-parameter the caller owns.
void addRegionBufferization(OpPassManager &pm);

/// Replaces a result-less scf.parallel by a nest of scf.for loops, in the
/// same order, except dimension `keep` (if any), which stays a 1-D
/// scf.parallel at its place in the nest.
void rebuildParallelLoop(scf::ParallelOp loop, std::optional<unsigned> keep);

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
  Option<bool> fusion{
      *this, "fusion",
      llvm::cl::desc("Group ops into ember.fusion regions (ember-fusion) and "
                     "lower each to one kernel"),
      llvm::cl::init(true)};
  Option<int64_t> rowTileBytes{
      *this, "row-tile-bytes",
      llvm::cl::desc("Bytes of the widest row a rows region's tile holds "
                     "(ember-lower-fusion tile-bytes)"),
      llvm::cl::init(4096)};
};

/// ember -> linalg -> bufferized loops -> LLVM dialect, ready for the JIT.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Options of `ember-spirv-pipeline`, `ember-nvvm-pipeline` and
/// `ember-rocdl-pipeline`.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target chip (nvvm: sm_80 by default, rocdl: gfx90a)"),
      llvm::cl::init("")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("nvvm: isa (PTX) or bin (cubin, through ptxas)"),
      llvm::cl::init("isa")};
  Option<int64_t> threads{*this, "threads", llvm::cl::desc("Threads per block"),
                          llvm::cl::init(256)};
  Option<bool> fusion{
      *this, "fusion",
      llvm::cl::desc("Group ops into ember.fusion regions (ember-fusion): a "
                     "rows region is one kernel with a thread per row"),
      llvm::cl::init(true)};
};

/// ember -> bufferized loops -> outlined GPU kernels for each target, and a
/// host function of allocations and launches.
void buildSPIRVPipeline(OpPassManager &pm, const GPUPipelineOptions &options);
void buildNVVMPipeline(OpPassManager &pm, const GPUPipelineOptions &options);
void buildROCDLPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers the three GPU pipelines.
void registerEmberGPUPipelines();

/// Registers `ember-cpu-pipeline`.
void registerEmberPipelines();

/// Registers every ember pass and pipeline.
void registerEmberPasses();

} // namespace ember
} // namespace mlir

#endif // EMBER_TRANSFORMS_PASSES_H
