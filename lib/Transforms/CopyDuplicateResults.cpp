//===- CopyDuplicateResults.cpp - the ember-copy-duplicate-results pass ---===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERCOPYDUPLICATERESULTS
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {
struct EmberCopyDuplicateResults
    : public ember::impl::EmberCopyDuplicateResultsBase<
          EmberCopyDuplicateResults> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::DenseSet<Value> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        Value empty =
            tensor::EmptyOp::create(b, ret.getLoc(), type.getShape(),
                                    type.getElementType(), ValueRange{});
        operand.set(
            linalg::CopyOp::create(b, ret.getLoc(), v, empty).getResult(0));
      }
    });
  }
};
} // namespace
