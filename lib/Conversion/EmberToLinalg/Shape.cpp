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

// transpose -> linalg.transpose over collapsed dim groups, marked for
// ember-tile-matmul's transpose schedule where it applies.
struct TransposeToLinalg : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    rewriter.replaceOp(op, transposeTensor(rewriter, op.getLoc(), op.getInput(),
                                           op.getPermutation()));
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

std::optional<std::array<int64_t, 2>>
mlir::ember::transposeTile(RankedTensorType result,
                           ArrayRef<int64_t> permutation) {
  constexpr int64_t kTile = 16;
  int64_t rank = result.getRank();
  if (!result.getElementType().isF32() || !result.hasStaticShape() ||
      rank < 2 || result.getNumElements() == 0)
    return std::nullopt;
  for (int64_t i = 0; i < rank - 2; ++i)
    if (permutation[i] != i)
      return std::nullopt;
  if (permutation[rank - 2] != rank - 1 || permutation[rank - 1] != rank - 2)
    return std::nullopt;
  int64_t rows = result.getDimSize(rank - 2),
          cols = result.getDimSize(rank - 1);
  if (rows % kTile != 0 || cols % kTile != 0)
    return std::nullopt;
  // Blocks of up to 64 rows: one block reads 64 contiguous floats (a cache
  // line's worth of columns, four times over) of each row of the input.
  int64_t block = kTile;
  for (int64_t r : {64, 32})
    if (rows % r == 0) {
      block = r;
      break;
    }
  return std::array<int64_t, 2>{block, kTile};
}

Value mlir::ember::transposeTensor(OpBuilder &b, Location loc, Value v,
                                   ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  auto resultType = type.clone(shape);
  auto transpose = [&](Value input, RankedTensorType result,
                       ArrayRef<int64_t> permutation) -> Value {
    Value init = emptyTensor(b, loc, result);
    auto op = linalg::TransposeOp::create(b, loc, input, init, permutation);
    if (auto tile = transposeTile(result, permutation))
      op->setAttr("ember.tile", b.getDenseI64ArrayAttr(*tile));
    return op.getResult()[0];
  };
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return transpose(v, resultType, perm);
  // Runs of result dims whose input dims are consecutive: [start, end) of
  // result dims, each one dim of the collapsed transpose.
  SmallVector<std::pair<int64_t, int64_t>> runs;
  for (int64_t i = 0; i < rank; ++i) {
    if (i > 0 && perm[i] == perm[i - 1] + 1)
      runs.back().second = i + 1;
    else
      runs.push_back({i, i + 1});
  }
  if (runs.size() == 1) // the identity
    return v;
  if (static_cast<int64_t>(runs.size()) == rank)
    return transpose(v, resultType, perm);
  // The runs in input order give the collapsed input; the collapsed
  // permutation maps each run (result order) to its input position.
  SmallVector<int64_t> order(runs.size());
  for (int64_t j = 0, e = runs.size(); j < e; ++j)
    order[j] = j;
  llvm::sort(order, [&](int64_t x, int64_t y) {
    return perm[runs[x].first] < perm[runs[y].first];
  });
  SmallVector<int64_t> collapsedPerm(runs.size());
  SmallVector<ReassociationIndices> inGroups, outGroups;
  SmallVector<int64_t> inShape, outShape;
  for (int64_t pos = 0, e = runs.size(); pos < e; ++pos) {
    auto [start, end] = runs[order[pos]];
    collapsedPerm[order[pos]] = pos;
    ReassociationIndices group;
    int64_t size = 1;
    for (int64_t i = start; i < end; ++i) {
      group.push_back(perm[i]);
      size *= type.getDimSize(perm[i]);
    }
    inGroups.push_back(group);
    inShape.push_back(size);
  }
  for (auto [start, end] : runs) {
    ReassociationIndices group;
    int64_t size = 1;
    for (int64_t i = start; i < end; ++i) {
      group.push_back(i);
      size *= shape[i];
    }
    outGroups.push_back(group);
    outShape.push_back(size);
  }
  Value collapsed =
      tensor::CollapseShapeOp::create(b, loc, type.clone(inShape), v, inGroups);
  Value moved = transpose(collapsed, type.clone(outShape), collapsedPerm);
  return tensor::ExpandShapeOp::create(b, loc, resultType, moved, outGroups);
}
