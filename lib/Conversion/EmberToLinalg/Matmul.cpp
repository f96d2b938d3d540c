//===- Matmul.cpp - ember.matmul to a linalg contraction ------------------===//
//
// Every torch.matmul case is one linalg.generic over (batch..., [m], [n], k):
// a 1-D operand simply has no m (or n) dim, and batch dims that broadcast read
// index 0 (size 1) or are absent (missing leading dims) in that operand's map.
// f16 / bf16 accumulate in f32.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

/// The register tile of ember-tile-matmul (m, n, k): matmuls of 2-D f32 / f64
/// operands whose sizes it divides are left to that pass as linalg.matmul.
constexpr int64_t kTileM = 8, kTileN = 32, kTileK = 16;

bool isTileable(RankedTensorType lhs, RankedTensorType rhs) {
  Type t = lhs.getElementType();
  if (lhs.getRank() != 2 || rhs.getRank() != 2 || !(t.isF32() || t.isF64()))
    return false;
  int64_t m = lhs.getDimSize(0), k = lhs.getDimSize(1), n = rhs.getDimSize(1);
  return m > 0 && n > 0 && k > 0 && m % kTileM == 0 && n % kTileN == 0 &&
         k % kTileK == 0;
}

struct MatmulToLinalg : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    RankedTensorType out = op.getType();
    int64_t a = lhs.getRank(), b = rhs.getRank();
    if (isTileable(lhs, rhs)) {
      // A plain 2-D float matmul that the register tile divides: a named
      // linalg.matmul for ember-tile-matmul to tile and vectorize.
      Value init =
          filledTensor(rewriter, loc, out,
                       scalarConstant(rewriter, loc, out.getElementType(), 0));
      auto mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{out},
                                         ValueRange{op.getLhs(), op.getRhs()},
                                         ValueRange{init});
      mm->setAttr("ember.tile", rewriter.getUnitAttr());
      rewriter.replaceOp(op, mm->getResults());
      return success();
    }
    bool hasM = a >= 2, hasN = b >= 2;
    int64_t nb = out.getRank() - hasM - hasN;
    // Loop dims: batch [0, nb), then m, k, n: with n innermost the loops
    // lowered from this generic read B and write C contiguously, which LLVM
    // vectorizes (k innermost would stride through B).
    int64_t mDim = nb, kDim = nb + hasM, nDim = kDim + 1;
    int64_t numLoops = nb + hasM + 1 + hasN;
    auto d = [&](int64_t i) { return rewriter.getAffineDimExpr(i); };

    auto batchExprs = [&](RankedTensorType t, int64_t batchRank) {
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < batchRank; ++i) {
        int64_t loop = nb - batchRank + i;
        bool expands = t.getDimSize(i) == 1 && out.getDimSize(loop) != 1;
        exprs.push_back(expands ? rewriter.getAffineConstantExpr(0) : d(loop));
      }
      return exprs;
    };
    SmallVector<AffineExpr> lhsExprs = batchExprs(lhs, hasM ? a - 2 : 0);
    if (hasM)
      lhsExprs.push_back(d(mDim));
    lhsExprs.push_back(d(kDim));
    SmallVector<AffineExpr> rhsExprs = batchExprs(rhs, hasN ? b - 2 : 0);
    rhsExprs.push_back(d(kDim));
    if (hasN)
      rhsExprs.push_back(d(nDim));
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < nb; ++i)
      outExprs.push_back(d(i));
    if (hasM)
      outExprs.push_back(d(mDim));
    if (hasN)
      outExprs.push_back(d(nDim));

    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, lhsExprs, ctx),
                                   AffineMap::get(numLoops, 0, rhsExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    iterators[kDim] = utils::IteratorType::reduction;

    Type elementType = out.getElementType();
    Type accType = computeType(elementType);
    auto accTensor = out.clone(accType);
    Value init = filledTensor(rewriter, loc, accTensor,
                              scalarConstant(rewriter, loc, accType, 0));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, accTensor, ValueRange{op.getLhs(), op.getRhs()}, init,
        maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value x = args[0], y = args[1], acc = args[2];
          Value r;
          if (isa<FloatType>(accType)) {
            if (x.getType() != accType) {
              x = arith::ExtFOp::create(nb, nl, accType, x);
              y = arith::ExtFOp::create(nb, nl, accType, y);
            }
            r = arith::AddFOp::create(nb, nl, acc,
                                      arith::MulFOp::create(nb, nl, x, y));
          } else {
            r = arith::AddIOp::create(nb, nl, acc,
                                      arith::MulIOp::create(nb, nl, x, y));
          }
          linalg::YieldOp::create(nb, nl, r);
        });
    Value result = generic.getResult(0);
    if (accType != elementType)
      result =
          elementwiseGeneric(rewriter, loc, out, result,
                             [&](OpBuilder &nb, Location nl, ValueRange v) {
                               return convertScalar(nb, nl, v[0], elementType);
                             });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberMatmulToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MatmulToLinalg>(patterns.getContext());
}
