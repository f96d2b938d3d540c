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

struct MatmulToLinalg : public OpRewritePattern<MatmulOp> {
  MatmulToLinalg(MLIRContext *ctx, bool registerTiles)
      : OpRewritePattern(ctx), registerTiles(registerTiles) {}
  bool registerTiles;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    RankedTensorType out = op.getType();
    int64_t a = lhs.getRank(), b = rhs.getRank();
    if (a == 2 && b == 2) {
      if (auto tile =
              matmulTile(registerTiles, out.getElementType(), lhs.getDimSize(0),
                         rhs.getDimSize(1), lhs.getDimSize(1))) {
        // A plain 2-D float matmul that a register tile divides: a named
        // linalg.matmul for ember-tile-matmul to tile and vectorize. A
        // transposed lhs is read in place: the kernel broadcasts one lhs
        // element per row and k step, so its layout costs nothing.
        Value lhsValue = op.getLhs();
        auto transpose = lhsValue.getDefiningOp<TransposeOp>();
        if (transpose)
          lhsValue = transpose.getInput();
        rewriter.replaceOp(op, tiledMatmul(rewriter, loc, lhsValue, op.getRhs(),
                                           *tile,
                                           /*lhsTransposed=*/!!transpose));
        return success();
      }
    }
    if (a >= 3 && a == b && out.getNumElements() > 0 &&
        lhs.getShape().drop_back(2) == rhs.getShape().drop_back(2)) {
      int64_t m = lhs.getDimSize(a - 2), k = lhs.getDimSize(a - 1),
              n = rhs.getDimSize(a - 1);
      if (auto tile = matmulTile(registerTiles, out.getElementType(), m, n, k);
          tile && !tile->empty()) {
        // Batched float products of one batch shape (attention's q k^T and
        // p v): the batch dims as one, a linalg.batch_matmul that
        // ember-tile-matmul runs as an scf.forall over the batch with each
        // product register-tiled.
        int64_t batch = lhs.getNumElements() / (m * k);
        Type et = out.getElementType();
        Value l = reshapeTensor(rewriter, loc, op.getLhs(),
                                RankedTensorType::get({batch, m, k}, et));
        Value r = reshapeTensor(rewriter, loc, op.getRhs(),
                                RankedTensorType::get({batch, k, n}, et));
        rewriter.replaceOp(
            op,
            reshapeTensor(rewriter, loc,
                          tiledBatchMatmul(rewriter, loc, l, r, *tile), out));
        return success();
      }
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

namespace {
int64_t roundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }
} // namespace

Value mlir::ember::padWithZeros(OpBuilder &b, Location loc, Value v,
                                ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  SmallVector<OpFoldResult> low(shape.size(), b.getIndexAttr(0)), high;
  for (auto [have, want] : llvm::zip(t.getShape(), shape))
    high.push_back(b.getIndexAttr(want - have));
  return tensor::PadOp::create(b, loc, t.clone(shape), v, low, high,
                               scalarConstant(b, loc, t.getElementType(), 0))
      .getResult();
}

Value mlir::ember::leadingSlice(OpBuilder &b, Location loc, Value v,
                                ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0)), sizes,
      strides(shape.size(), b.getIndexAttr(1));
  for (int64_t size : shape)
    sizes.push_back(b.getIndexAttr(size));
  return tensor::ExtractSliceOp::create(b, loc, t.clone(shape), v, offsets,
                                        sizes, strides);
}

std::optional<SmallVector<int64_t, 3>>
mlir::ember::matmulTile(bool registerTiles, Type elementType, int64_t m,
                        int64_t n, int64_t k) {
  // k steps of 8: each k tile's 8 x n outer products are unrolled into
  // straight-line code, and 16 steps cost LLVM a third more time to compile
  // the MLP step's matmuls (0.81 -> 0.63 s) for no measurable speed.
  constexpr int64_t kTileM = 8, kTileK = 8;
  if (!(elementType.isF32() || elementType.isF64()) || m <= 0 || n <= 0 ||
      k <= 0)
    return std::nullopt;
  if (!registerTiles)
    return SmallVector<int64_t, 3>();
  int64_t tileN = n % 32 == 0 ? 32 : 16;
  // Sizes the tile does not divide are padded with zeros; worth it while the
  // padded problem is at most twice the work.
  double padded = static_cast<double>(roundUp(m, kTileM)) * roundUp(n, tileN) *
                  roundUp(k, kTileK);
  if (padded > 2.0 * static_cast<double>(m) * n * k)
    return std::nullopt;
  return SmallVector<int64_t, 3>{kTileM, tileN, kTileK};
}

Value mlir::ember::tiledMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                               ArrayRef<int64_t> tile, bool lhsTransposed) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type et = lhsType.getElementType();
  int64_t m = lhsType.getDimSize(lhsTransposed ? 1 : 0),
          k = lhsType.getDimSize(lhsTransposed ? 0 : 1),
          n = rhsType.getDimSize(1);
  bool plain = tile.empty();
  int64_t pm = plain ? m : roundUp(m, tile[0]),
          pn = plain ? n : roundUp(n, tile[1]),
          pk = plain ? k : roundUp(k, tile[2]);
  auto out = RankedTensorType::get({pm, pn}, et);
  Value init = filledTensor(b, loc, out, scalarConstant(b, loc, et, 0));
  Value paddedLhs = lhsTransposed ? padWithZeros(b, loc, lhs, {pk, pm})
                                  : padWithZeros(b, loc, lhs, {pm, pk});
  auto mm = linalg::MatmulOp::create(
      b, loc, TypeRange{out},
      ValueRange{paddedLhs, padWithZeros(b, loc, rhs, {pk, pn})},
      ValueRange{init});
  if (lhsTransposed) {
    // Loops (m, n, k); lhs read as (k, m).
    MLIRContext *ctx = b.getContext();
    AffineExpr m0 = b.getAffineDimExpr(0), n0 = b.getAffineDimExpr(1),
               k0 = b.getAffineDimExpr(2);
    mm.setIndexingMapsAttr(
        b.getAffineMapArrayAttr({AffineMap::get(3, 0, {k0, m0}, ctx),
                                 AffineMap::get(3, 0, {k0, n0}, ctx),
                                 AffineMap::get(3, 0, {m0, n0}, ctx)}));
  }
  if (plain)
    return mm.getResult(0);
  // The parallel blocks: up to 64 rows, so that one block walks every column
  // panel of rhs (k x n-tile) through several row tiles while it is in
  // cache, keeping at least 4 blocks where possible (for the threads). Each
  // row block streams all of rhs: when lhs has far fewer rows than rhs has
  // columns (a convolution's filter on the left), column blocks instead, so
  // each thread streams its own part of rhs once.
  int64_t rowBlock = 0, colBlock = 0;
  if (4 * pm >= pn) {
    rowBlock = tile[0];
    for (int64_t rows : {64, 32, 16})
      if (rows % tile[0] == 0 && pm % rows == 0 && pm / rows >= 4) {
        rowBlock = rows;
        break;
      }
  } else {
    colBlock = tile[1];
    for (int64_t f : {8, 4, 2})
      if (pn % (f * tile[1]) == 0 && pn / (f * tile[1]) >= 4) {
        colBlock = f * tile[1];
        break;
      }
  }
  mm->setAttr("ember.tile", b.getDenseI64ArrayAttr({rowBlock, colBlock, tile[0],
                                                    tile[1], tile[2]}));
  return leadingSlice(b, loc, mm.getResult(0), {m, n});
}

Value mlir::ember::tiledBatchMatmul(OpBuilder &b, Location loc, Value lhs,
                                    Value rhs, ArrayRef<int64_t> tile) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type et = lhsType.getElementType();
  bool batchedLhs = lhsType.getRank() == 3;
  int64_t batch = rhsType.getDimSize(0),
          m = lhsType.getDimSize(batchedLhs ? 1 : 0),
          k = lhsType.getDimSize(batchedLhs ? 2 : 1), n = rhsType.getDimSize(2);
  bool plain = tile.empty();
  int64_t pm = plain ? m : roundUp(m, tile[0]),
          pn = plain ? n : roundUp(n, tile[1]),
          pk = plain ? k : roundUp(k, tile[2]);
  auto out = RankedTensorType::get({batch, pm, pn}, et);
  Value init = filledTensor(b, loc, out, scalarConstant(b, loc, et, 0));
  auto mm = linalg::BatchMatmulOp::create(
      b, loc, TypeRange{out},
      ValueRange{batchedLhs ? padWithZeros(b, loc, lhs, {batch, pm, pk})
                            : padWithZeros(b, loc, lhs, {pm, pk}),
                 padWithZeros(b, loc, rhs, {batch, pk, pn})},
      ValueRange{init});
  if (!batchedLhs) {
    // Loops (batch, m, n, k); the lhs is the same matrix for every batch.
    MLIRContext *ctx = b.getContext();
    AffineExpr bd = b.getAffineDimExpr(0), md = b.getAffineDimExpr(1),
               nd = b.getAffineDimExpr(2), kd = b.getAffineDimExpr(3);
    mm.setIndexingMapsAttr(
        b.getAffineMapArrayAttr({AffineMap::get(4, 0, {md, kd}, ctx),
                                 AffineMap::get(4, 0, {bd, kd, nd}, ctx),
                                 AffineMap::get(4, 0, {bd, md, nd}, ctx)}));
  }
  if (!plain)
    mm->setAttr("ember.tile", b.getDenseI64ArrayAttr(tile));
  return leadingSlice(b, loc, mm.getResult(0), {batch, m, n});
}

void mlir::ember::populateEmberMatmulToLinalgPatterns(
    RewritePatternSet &patterns, bool registerTiles) {
  patterns.add<MatmulToLinalg>(patterns.getContext(), registerTiles);
}
