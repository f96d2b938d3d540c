//===- PipelineUtils.cpp - what Ember's pipelines share -------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

void mlir::ember::addPipelineText(OpPassManager &pm, StringRef pipeline) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    llvm::report_fatal_error(llvm::Twine("ember pipeline: ") + error);
}

void mlir::ember::addRegionBufferization(OpPassManager &pm) {
  // An empty tensor whose value is inserted into a larger one (a tile into
  // its loop's result) becomes a slice of it: the tile is computed in place.
  // (Before the boundary copies: it would take a copy's destination for the
  // copied value's own.)
  addPipelineText(pm, "eliminate-empty-tensors");
  pm.addNestedPass<func::FuncOp>(createEmberPrepareFunctionBoundaries());
  addPipelineText(pm, "one-shot-bufferize{bufferize-function-boundaries "
                      "function-boundary-type-conversion=identity-layout-map},"
                      "buffer-results-to-out-params{hoist-static-allocs "
                      "modify-public-functions},"
                      // cse merges the equal subviews a tiled loop reads and
                      // writes back, so canonicalize drops the copy of a tile
                      // onto itself.
                      "cse,canonicalize");
}
