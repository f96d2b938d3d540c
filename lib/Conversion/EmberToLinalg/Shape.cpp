//===- Shape.cpp - ember shape ops to tensor / linalg ---------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

// reshape -> tensor.collapse_shape / tensor.expand_shape.
struct ReshapeToTensor : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), op.getInput(), op.getType()));
    return success();
  }
};

// transpose -> linalg.transpose, marked for ember-tile-matmul's transpose
// schedule where it applies.
struct TransposeToLinalg : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), op.getInput(), init, op.getPermutation());
    if (auto tile = transposeTile(op.getType(), op.getPermutation()))
      transpose->setAttr("ember.tile", rewriter.getDenseI64ArrayAttr(*tile));
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

// slice -> tensor.extract_slice with strides.
struct SliceToTensor : public OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    // Upstream bounds-checks offsets even of empty slices.
    if (op.getType().getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, op.getLoc(), op.getType()));
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), op.getInput(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStart(), op.getType().getShape(), op.getStep());
    return success();
  }
};

// insert_slice -> tensor.insert_slice with strides.
struct InsertSliceToTensor : public OpRewritePattern<InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    if (op.getSource().getType().getNumElements() == 0) {
      rewriter.replaceOp(op, op.getDest());
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getSource(), op.getDest(), ValueRange{}, ValueRange{},
        ValueRange{}, op.getStart(), op.getSource().getType().getShape(),
        op.getStep());
    return success();
  }
};

// concat -> tensor.empty + one tensor.insert_slice per input.
struct ConcatToTensor : public OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t dim = static_cast<int64_t>(op.getDim());
    Value result = emptyTensor(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : op.getInputs()) {
      auto inType = cast<RankedTensorType>(input.getType());
      if (inType.getNumElements() == 0)
        continue; // nothing to insert (and its offset may be out of bounds)
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, inType.getShape(), strides);
      offsets[dim] += inType.getDimSize(dim);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

// pad -> a filled tensor with the input inserted at `low`.
struct PadToTensor : public OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value value = arith::ConstantOp::create(rewriter, loc, op.getValue());
    Value filled = filledTensor(rewriter, loc, op.getType(), value);
    RankedTensorType inType = op.getInput().getType();
    if (inType.getNumElements() == 0) {
      rewriter.replaceOp(op, filled);
      return success();
    }
    SmallVector<int64_t> strides(inType.getRank(), 1);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getInput(), filled, ValueRange{}, ValueRange{}, ValueRange{},
        op.getLow(), inType.getShape(), strides);
    return success();
  }
};

// gather -> linalg.generic over the index tensor with a tensor.extract from
// the input; indices wrap once if negative and are clamped into range.
struct GatherToLinalg : public OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value input = op.getInput();
    RankedTensorType inType = op.getInput().getType();
    int64_t dim = static_cast<int64_t>(op.getDim());
    int64_t size = inType.getDimSize(dim);
    rewriter.replaceOp(
        op, elementwiseGeneric(
                rewriter, loc, op.getType(), op.getIndex(),
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value idx =
                      arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
                  Value zero = arith::ConstantIndexOp::create(b, l, 0);
                  Value n = arith::ConstantIndexOp::create(b, l, size);
                  Value isNeg = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::slt, idx, zero);
                  idx = arith::SelectOp::create(
                      b, l, isNeg, arith::AddIOp::create(b, l, idx, n), idx);
                  Value last = arith::ConstantIndexOp::create(
                      b, l, std::max<int64_t>(size - 1, 0));
                  idx = arith::MaxSIOp::create(
                      b, l, arith::MinSIOp::create(b, l, idx, last), zero);
                  SmallVector<Value> coords;
                  for (int64_t i = 0; i < inType.getRank(); ++i)
                    coords.push_back(
                        i == dim
                            ? idx
                            : linalg::IndexOp::create(b, l, i).getResult());
                  return tensor::ExtractOp::create(b, l, input, coords);
                }));
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberShapeToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns
      .add<ReshapeToTensor, TransposeToLinalg, SliceToTensor,
           InsertSliceToTensor, ConcatToTensor, PadToTensor, GatherToLinalg>(
          patterns.getContext());
}
