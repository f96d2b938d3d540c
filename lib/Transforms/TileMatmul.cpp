//===- TileMatmul.cpp - the ember-tile-matmul pass ------------------------===//
//
// The matmul schedule is data, not code: a transform-dialect script (tile,
// vectorize, lower the contraction to outer products) that the upstream
// interpreter applies. The pass injects it next to the payload, runs the
// interpreter and removes it again.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERTILEMATMUL
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// The schedule for the matmuls marked with one tile (m, n, k): 8-row blocks
/// as an scf.forall (independent, so the thread pool may split them), the n
/// and k tiles as sequential scf.for loops inside, each tile vectorized into a
/// vector.contract.
std::string tileSchedule(ArrayRef<int64_t> tile) {
  std::string attr =
      llvm::formatv("array<i64: {0}, {1}, {2}>", tile[0], tile[1], tile[2]);
  return llvm::formatv(R"mlir(
    %mm{1}{2}{3} = transform.structured.match ops{{["linalg.matmul"]}
        attributes {{ember.tile = {0}} in %root
        : (!transform.any_op) -> !transform.any_op
    %rows{1}{2}{3}, %forall{1}{2}{3} = transform.structured.tile_using_forall
        %mm{1}{2}{3} tile_sizes [{1}, 0, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %tiled{1}{2}{3}, %n{1}{2}{3}, %k{1}{2}{3} =
        transform.structured.tile_using_for %rows{1}{2}{3}
        tile_sizes [0, {2}, {3}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op)
    transform.structured.vectorize %tiled{1}{2}{3} : !transform.any_op
)mlir",
                       attr, tile[0], tile[1], tile[2])
      .str();
}

/// The whole script: every tile's schedule, then the contractions lowered to
/// outer products: per tile, `m` rows of n-lane FMAs, one per k step, on
/// accumulators that stay in registers.
std::string buildSchedule(ArrayRef<SmallVector<int64_t, 3>> tiles) {
  std::string body;
  for (ArrayRef<int64_t> tile : tiles)
    body += tileSchedule(tile);
  return R"mlir(
module attributes {transform.with_named_sequence, ember.schedule} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {)mlir" +
         body + R"mlir(
    %f = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction
          lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
    transform.yield
  }
}
)mlir";
}

struct EmberTileMatmul
    : public ember::impl::EmberTileMatmulBase<EmberTileMatmul> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<SmallVector<int64_t, 3>> tiles;
    bool bad = false;
    module.walk([&](linalg::MatmulOp op) {
      Attribute attr = op->getAttr("ember.tile");
      if (!attr)
        return;
      auto tile = dyn_cast<DenseI64ArrayAttr>(attr);
      if (!tile || tile.size() != 3 ||
          llvm::any_of(tile.asArrayRef(), [](int64_t v) { return v <= 0; })) {
        op.emitError("ember.tile must be array<i64: m, n, k> of positive "
                     "tile sizes");
        bad = true;
        return;
      }
      SmallVector<int64_t, 3> t(tile.asArrayRef());
      if (!llvm::is_contained(tiles, t))
        tiles.push_back(t);
    });
    if (bad)
      return signalPassFailure();
    if (tiles.empty())
      return;
    OwningOpRef<ModuleOp> schedule =
        parseSourceString<ModuleOp>(buildSchedule(tiles), module.getContext());
    if (!schedule) {
      module.emitError("ember-tile-matmul: the schedule does not parse");
      return signalPassFailure();
    }
    ModuleOp injected = schedule.release();
    module.getBody()->push_back(injected);
    OpPassManager pm(ModuleOp::getOperationName());
    std::string error;
    llvm::raw_string_ostream os(error);
    LogicalResult parsed = parsePassPipeline("transform-interpreter", pm, os);
    LogicalResult ran = succeeded(parsed) ? runPipeline(pm, module) : failure();
    injected.erase();
    if (failed(parsed)) {
      module.emitError("ember-tile-matmul: ") << error;
      return signalPassFailure();
    }
    if (failed(ran))
      return signalPassFailure();
    module.walk([](linalg::MatmulOp op) { op->removeAttr("ember.tile"); });
  }
};

} // namespace
