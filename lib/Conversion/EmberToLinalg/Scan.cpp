//===- Scan.cpp - order-dependent ember ops (cumsum, sort) to linalg/scf
//---===//
//
// cumsum: an scf.for along the dim carrying the running sum of one slice.
// sort: two linalg.generics without n x n temporaries: the rank of every
// element (how many elements sort before it; ties by index, so ranks are a
// permutation), then, for every output position k, the element of rank k.
// That is O(n^2) compute per sorted row, fine for the row lengths of
// top-k / argsort in models; a merge-sort lowering is future work.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

/// offsets (0 except `dim` = `at`), sizes (`shape` with 1 at `dim`), strides.
void sliceAt(OpBuilder &b, ArrayRef<int64_t> shape, int64_t dim,
             OpFoldResult at, SmallVectorImpl<OpFoldResult> &offsets,
             SmallVectorImpl<OpFoldResult> &sizes,
             SmallVectorImpl<OpFoldResult> &strides) {
  for (auto [i, s] : llvm::enumerate(shape)) {
    offsets.push_back(static_cast<int64_t>(i) == dim ? at : b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(static_cast<int64_t>(i) == dim ? 1 : s));
    strides.push_back(b.getIndexAttr(1));
  }
}

struct CumsumToLoop : public OpRewritePattern<CumsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CumsumOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t dim = static_cast<int64_t>(op.getDim());
    int64_t n = type.getDimSize(dim);
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Type elem = type.getElementType(), acc = computeType(elem);
    SmallVector<int64_t> sliceShape(type.getShape());
    sliceShape[dim] = 1;
    auto sliceType = RankedTensorType::get(sliceShape, elem);
    auto accType = RankedTensorType::get(sliceShape, acc);
    auto slice = [&](OpBuilder &b, Value src, OpFoldResult at) -> Value {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      sliceAt(b, type.getShape(), dim, at, offsets, sizes, strides);
      return tensor::ExtractSliceOp::create(b, loc, sliceType, src, offsets,
                                            sizes, strides);
    };
    auto insert = [&](OpBuilder &b, Value v, Value dest,
                      OpFoldResult at) -> Value {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      sliceAt(b, type.getShape(), dim, at, offsets, sizes, strides);
      return tensor::InsertSliceOp::create(b, loc, v, dest, offsets, sizes,
                                           strides);
    };
    auto toAcc = [&](OpBuilder &b, Location l, ValueRange a) {
      return convertScalar(b, l, a[0], acc);
    };
    auto toElem = [&](OpBuilder &b, Location l, ValueRange a) {
      return convertScalar(b, l, a[0], elem);
    };

    Value first = slice(rewriter, op.getInput(), rewriter.getIndexAttr(0));
    Value firstAcc = elementwiseGeneric(rewriter, loc, accType, first, toAcc);
    Value result = insert(rewriter, first, emptyTensor(rewriter, loc, type),
                          rewriter.getIndexAttr(0));
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, n);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, lb, ub, step, ValueRange{result, firstAcc},
        [&](OpBuilder &b, Location l, Value k, ValueRange iter) {
          Value cur = slice(b, op.getInput(), k);
          // Accumulate in place into the carried slice (destination style,
          // so bufferization keeps one buffer for the running sum).
          unsigned r = sliceType.getRank();
          SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(r));
          SmallVector<utils::IteratorType> its(r,
                                               utils::IteratorType::parallel);
          Value sum =
              linalg::GenericOp::create(
                  b, l, accType, cur, iter[1], maps, its,
                  [&](OpBuilder &nb, Location nl, ValueRange a) {
                    Value c = convertScalar(nb, nl, a[0], acc);
                    Value s =
                        isa<FloatType>(acc)
                            ? arith::AddFOp::create(nb, nl, a[1], c).getResult()
                            : arith::AddIOp::create(nb, nl, a[1], c)
                                  .getResult();
                    linalg::YieldOp::create(nb, nl, s);
                  })
                  .getResult(0);
          Value out = acc == elem
                          ? sum
                          : elementwiseGeneric(b, l, sliceType, sum, toElem);
          scf::YieldOp::create(b, l,
                               ValueRange{insert(b, out, iter[0], k), sum});
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

/// `a` sorts strictly before `b` (ascending: a < b, NaN last; descending:
/// a > b, NaN first).
Value sortsBefore(OpBuilder &b, Location l, Value a, Value c, bool descending) {
  if (!isa<FloatType>(a.getType()))
    return arith::CmpIOp::create(b, l,
                                 descending ? arith::CmpIPredicate::sgt
                                            : arith::CmpIPredicate::slt,
                                 a, c);
  Value strict = arith::CmpFOp::create(
      b, l, descending ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
      a, c);
  Value aNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a);
  Value cNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, c, c);
  // Ascending: a number before NaN; descending: NaN before a number.
  Value nanOrder =
      descending
          ? arith::AndIOp::create(
                b, l, aNan,
                arith::XOrIOp::create(b, l, cNan,
                                      arith::ConstantIntOp::create(b, l, 1, 1)))
          : arith::AndIOp::create(
                b, l, cNan,
                arith::XOrIOp::create(
                    b, l, aNan, arith::ConstantIntOp::create(b, l, 1, 1)));
  return arith::OrIOp::create(b, l, strict, nanOrder);
}

/// `a` and `c` are equal for sorting (NaN equals NaN).
Value sortsEqual(OpBuilder &b, Location l, Value a, Value c) {
  if (!isa<FloatType>(a.getType()))
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a, c);
  Value eq = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a, c);
  Value bothNan = arith::AndIOp::create(
      b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, a, a),
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, c, c));
  return arith::OrIOp::create(b, l, eq, bothNan);
}

struct SortToLinalg : public OpRewritePattern<SortOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SortOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = type.getRank();
    int64_t dim = static_cast<int64_t>(op.getDim());
    bool descending = op.getDescending();
    MLIRContext *ctx = rewriter.getContext();
    Type i64 = rewriter.getI64Type();
    auto idxType = type.clone(i64);
    Type cmpType = computeType(type.getElementType());

    // Loops (d0..d{rank-1}, r): r walks the sorted dim a second time.
    SmallVector<AffineExpr> self, other;
    for (int64_t i = 0; i < rank; ++i) {
      self.push_back(rewriter.getAffineDimExpr(i));
      other.push_back(rewriter.getAffineDimExpr(i == dim ? rank : i));
    }
    AffineMap selfMap = AffineMap::get(rank + 1, 0, self, ctx);
    AffineMap otherMap = AffineMap::get(rank + 1, 0, other, ctx);
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;
    auto toCmp = [&](OpBuilder &b, Location l, Value v) -> Value {
      return v.getType() == cmpType ? v
                                    : arith::ExtFOp::create(b, l, cmpType, v);
    };

    // rank(i) = #{j : x_j before x_i, or x_j == x_i and j < i}.
    Value zeros = filledTensor(rewriter, loc, idxType,
                               scalarConstant(rewriter, loc, i64, 0));
    auto ranks = linalg::GenericOp::create(
        rewriter, loc, idxType, ValueRange{op.getInput(), op.getInput()}, zeros,
        ArrayRef<AffineMap>{selfMap, otherMap, selfMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value xi = toCmp(b, l, a[0]), xj = toCmp(b, l, a[1]);
          Value i = linalg::IndexOp::create(b, l, dim);
          Value j = linalg::IndexOp::create(b, l, rank);
          Value earlier =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, j, i);
          Value before = arith::OrIOp::create(
              b, l, sortsBefore(b, l, xj, xi, descending),
              arith::AndIOp::create(b, l, sortsEqual(b, l, xj, xi), earlier));
          Value one = arith::ExtUIOp::create(b, l, i64, before);
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddIOp::create(b, l, a[2], one)});
        });

    // out(k) = the element of rank k, and its index.
    Value valInit = emptyTensor(rewriter, loc, type);
    auto permuted = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type, idxType},
        ValueRange{op.getInput(), ranks.getResult(0)},
        ValueRange{valInit, zeros},
        ArrayRef<AffineMap>{otherMap, otherMap, selfMap, selfMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value k = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, dim));
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[1], k);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, a[0], a[2]),
                         arith::SelectOp::create(b, l, hit, i, a[3])});
        });
    rewriter.replaceOp(op, permuted.getResults());
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberScanToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<CumsumToLoop, SortToLinalg>(patterns.getContext());
}
