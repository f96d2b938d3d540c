//===- PrepareFunctionBoundaries.cpp - ember-prepare-function-boundaries -===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERPREPAREFUNCTIONBOUNDARIES
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {
struct EmberPrepareFunctionBoundaries
    : public ember::impl::EmberPrepareFunctionBoundariesBase<
          EmberPrepareFunctionBoundaries> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    // The caller owns the arguments' buffers: never write into them.
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      if (isa<TensorType>(f.getArgument(i).getType()))
        f.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                     BoolAttr::get(&getContext(), false));
    f.walk([](func::ReturnOp ret) {
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
