//===- Creation.cpp - ember creation ops to arith / linalg ----------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

// constant -> arith.constant.
struct ConstantToArith : public OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

// full -> linalg.fill.
struct FullToLinalg : public OpRewritePattern<FullOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FullOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Value value =
        arith::ConstantOp::create(rewriter, op.getLoc(), op.getValue());
    rewriter.replaceOp(
        op, filledTensor(rewriter, op.getLoc(), op.getType(), value));
    return success();
  }
};

// iota -> linalg.generic yielding linalg.index(dim), converted.
struct IotaToLinalg : public OpRewritePattern<IotaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IotaOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    int64_t dim = static_cast<int64_t>(op.getDim());
    Type elementType = op.getType().getElementType();
    rewriter.replaceOp(
        op, elementwiseGeneric(
                rewriter, op.getLoc(), op.getType(), ValueRange{},
                [&](OpBuilder &b, Location l, ValueRange) {
                  Value i = arith::IndexCastOp::create(
                      b, l, b.getI64Type(), linalg::IndexOp::create(b, l, dim));
                  return convertScalar(b, l, i, elementType);
                }));
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberCreationToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConstantToArith, FullToLinalg, IotaToLinalg>(
      patterns.getContext());
}
