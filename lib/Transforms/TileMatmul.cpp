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
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERTILEMATMUL
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// The schedule: tiles of 8 x 32 x 16 (m, n, k), each vectorized into a
/// vector.contract and lowered to 8 rows of 32-lane FMAs.
constexpr StringLiteral kSchedule = R"mlir(
module attributes {transform.with_named_sequence, ember.schedule} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {
    %mm = transform.structured.match ops{["linalg.matmul"]}
        attributes {ember.tile} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1, %l2 = transform.structured.tile_using_for %mm
        tile_sizes [8, 32, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op)
    transform.structured.vectorize %tiled : !transform.any_op
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

struct EmberTileMatmul
    : public ember::impl::EmberTileMatmulBase<EmberTileMatmul> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool any = false;
    module.walk([&](linalg::MatmulOp op) {
      any |= static_cast<bool>(op->getAttr("ember.tile"));
    });
    if (!any)
      return;
    OwningOpRef<ModuleOp> schedule =
        parseSourceString<ModuleOp>(kSchedule, module.getContext());
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
