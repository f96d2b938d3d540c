//===- Conv.cpp - ember convolutions to linalg contractions ---------------===//
//
// Each convolution op becomes one linalg.generic over grouped views of its
// operands: input (N, G, C, S...), filter (G, O, C, K...) and output
// (N, G, O, P...), reshaped from and to the ops' (N, G*C, S...) layouts. The
// input index of a tap is the affine `p * stride + k * dilation`, so padding
// (a separate ember.pad) and groups need no special code. conv_transpose
// scatters its operand into a stride-dilated, zero-bordered buffer first and
// then correlates it with the spatially reversed filter. f16 / bf16 accumulate
// in f32. Ungrouped f32 / f64 convolutions that a register tile divides in
// their matmul form (im2col) use the tiled matmul instead.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

/// `t` (N-or-G*X, Y, spatial...) viewed with its dim `splitDim` split into
/// (groups, size / groups).
RankedTensorType grouped(RankedTensorType t, int64_t splitDim, int64_t groups) {
  SmallVector<int64_t> shape(t.getShape());
  int64_t size = shape[splitDim];
  shape[splitDim] = size / groups;
  shape.insert(shape.begin() + splitDim, groups);
  return t.clone(shape);
}

/// A sum-of-products linalg.generic computing `resultType` (in the compute
/// type, then converted back).
Value contract(PatternRewriter &rewriter, Location loc,
               RankedTensorType resultType, ValueRange inputs,
               ArrayRef<AffineMap> maps,
               ArrayRef<utils::IteratorType> iterators) {
  Type elementType = resultType.getElementType();
  Type accType = computeType(elementType);
  auto accTensor = resultType.clone(accType);
  Value init = filledTensor(rewriter, loc, accTensor,
                            scalarConstant(rewriter, loc, accType, 0));
  auto generic = linalg::GenericOp::create(
      rewriter, loc, accTensor, inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], y = args[1];
        if (x.getType() != accType) {
          x = arith::ExtFOp::create(nb, nl, accType, x);
          y = arith::ExtFOp::create(nb, nl, accType, y);
        }
        Value r = arith::AddFOp::create(nb, nl, args[2],
                                        arith::MulFOp::create(nb, nl, x, y));
        linalg::YieldOp::create(nb, nl, r);
      });
  Value result = generic.getResult(0);
  if (accType == elementType)
    return result;
  return elementwiseGeneric(rewriter, loc, resultType, result,
                            [&](OpBuilder &nb, Location nl, ValueRange v) {
                              return convertScalar(nb, nl, v[0], elementType);
                            });
}

/// Below this many channels in the innermost loop, the channels-last form
/// (innermost loop over channels, like a matmul's n) has too little to
/// vectorize and the spatial-innermost form is used.
constexpr int64_t kMinChannelLanes = 4;

/// Shared setup of the three patterns: grouped types and affine helpers.
struct ConvShapes {
  RankedTensorType input, filter, output;    // the ops' layouts
  RankedTensorType inputG, filterG, outputG; // grouped views
  int64_t groups, spatial;

  ConvShapes(RankedTensorType in, RankedTensorType f, RankedTensorType out,
             int64_t groups)
      : input(in), filter(f), output(out), groups(groups),
        spatial(in.getRank() - 2) {
    inputG = grouped(in, 1, groups);
    filterG = grouped(f, 0, groups);
    outputG = grouped(out, 1, groups);
  }
};

/// A gather `result[outer..., inner...] = source[...]` (an im2col) as an
/// all-parallel linalg.generic with `sourceExprs` indexing `source`.
Value gatherGeneric(OpBuilder &b, Location loc, Value source,
                    RankedTensorType resultType,
                    ArrayRef<AffineExpr> sourceExprs) {
  int64_t loops = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  Value init = emptyTensor(b, loc, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, source, init,
      {AffineMap::get(loops, 0, sourceExprs, ctx),
       AffineMap::getMultiDimIdentityMap(loops, ctx)},
      SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, args[0]);
      });
  return generic.getResult(0);
}

int64_t product(ArrayRef<int64_t> v) {
  int64_t p = 1;
  for (int64_t x : v)
    p *= x;
  return p;
}

SmallVector<int64_t> concat(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  SmallVector<int64_t> v(a);
  v.append(b.begin(), b.end());
  return v;
}

/// `count` consecutive integers from `from`.
SmallVector<int64_t> iota(int64_t from, int64_t count) {
  SmallVector<int64_t> v;
  for (int64_t i = 0; i < count; ++i)
    v.push_back(from + i);
  return v;
}

/// conv_transpose's operand (lead..., P...) written every stride-th position
/// at offset dilation * (K - 1) into zeros of shape (lead..., S + d(K-1)...):
/// correlating it with the reversed filter gives the transposed convolution.
Value zeroBordered(OpBuilder &b, Location loc, Value operand,
                   ArrayRef<int64_t> resultSpatial, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t sp = resultSpatial.size(), lead = type.getRank() - sp;
  SmallVector<int64_t> zShape(type.getShape().take_front(lead));
  SmallVector<OpFoldResult> offsets(lead, b.getIndexAttr(0)), sizes,
      strides(lead, b.getIndexAttr(1));
  for (int64_t v : type.getShape())
    sizes.push_back(b.getIndexAttr(v));
  for (int64_t i = 0; i < sp; ++i) {
    int64_t border = dilation[i] * (kernel[i] - 1);
    zShape.push_back(resultSpatial[i] + border);
    offsets.push_back(b.getIndexAttr(border));
    strides.push_back(b.getIndexAttr(stride[i]));
  }
  auto zType = type.clone(zShape);
  Value z = filledTensor(b, loc, zType,
                         scalarConstant(b, loc, zType.getElementType(), 0));
  if (type.getNumElements() == 0)
    return z;
  return tensor::InsertSliceOp::create(b, loc, operand, z, offsets, sizes,
                                       strides);
}

/// The im2col patches of `source` (N, C, ...): entry source[n, c, p * stride
/// + k * dilation], or with `reversed` taps (conv_transpose on its
/// zero-bordered operand) source[n, c, p + (K - 1 - k) * dilation]. As one
/// matrix, rows (C, K...) and columns (N, P...), the loops running (c,
/// k..., n, p...); with `perImage`, one such matrix per image, (N, (C, K...),
/// P...), the loops running (n, c, k..., p...). Positions are innermost
/// either way, so the gather copies rows.
Value patchMatrix(OpBuilder &b, Location loc, Value source,
                  ArrayRef<int64_t> kernel, ArrayRef<int64_t> positions,
                  ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
                  bool reversed, bool perImage) {
  auto type = cast<RankedTensorType>(source.getType());
  Type et = type.getElementType();
  int64_t sp = kernel.size(), n = type.getDimSize(0), c = type.getDimSize(1);
  auto d = [&](int64_t i) { return b.getAffineDimExpr(i); };
  // Loop dims: n, c, the first kernel dim, the first position dim.
  int64_t nDim = perImage ? 0 : 1 + sp, cDim = perImage ? 1 : 0,
          k0 = perImage ? 2 : 1, p0 = 2 + sp;
  SmallVector<AffineExpr> src = {d(nDim), d(cDim)};
  for (int64_t i = 0; i < sp; ++i)
    src.push_back(reversed ? d(p0 + i) + (kernel[i] - 1) * dilation[i] -
                                 d(k0 + i) * dilation[i]
                           : d(p0 + i) * stride[i] + d(k0 + i) * dilation[i]);
  SmallVector<int64_t> loops =
      perImage ? concat(concat({n, c}, kernel), positions)
               : concat(concat({c}, kernel), concat({n}, positions));
  Value patches =
      gatherGeneric(b, loc, source, RankedTensorType::get(loops, et), src);
  SmallVector<int64_t> shape =
      perImage
          ? SmallVector<int64_t>{n, c * product(kernel), product(positions)}
          : SmallVector<int64_t>{c * product(kernel), n * product(positions)};
  return reshapeTensor(b, loc, patches, RankedTensorType::get(shape, et));
}

/// The spatial window of a conv_transpose result that its only user, an
/// ember.slice with unit steps that keeps the batch and channels, reads:
/// a padded convolution's input gradient (the adjoint of its ember.pad).
struct Crop {
  SliceOp slice;
  SmallVector<int64_t> lo, size;
};

std::optional<Crop> spatialCrop(ConvTransposeOp op) {
  if (!op->hasOneUse())
    return std::nullopt;
  auto slice = dyn_cast<SliceOp>(*op->getUsers().begin());
  if (!slice)
    return std::nullopt;
  ArrayRef<int64_t> shape = op.getType().getShape();
  ArrayRef<int64_t> start = slice.getStart(), stop = slice.getStop(),
                    step = slice.getStep();
  Crop crop{slice, {}, {}};
  bool cropped = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (step[i] != 1)
      return std::nullopt;
    if (i < 2) {
      if (start[i] != 0 || stop[i] != shape[i])
        return std::nullopt;
      continue;
    }
    crop.lo.push_back(start[i]);
    crop.size.push_back(stop[i] - start[i]);
    cropped |= stop[i] - start[i] != shape[i];
    if (stop[i] <= start[i])
      return std::nullopt;
  }
  if (!cropped)
    return std::nullopt;
  return crop;
}

/// Whether the per-image product (`imageTile`, n = one image's positions)
/// is taken over the whole batch's (`batchTile`, n = all positions): unless
/// the tile divides the batch's product but not an image's, whose padding
/// to the tile would cost copies of the patch matrix and of the result.
bool preferImages(const std::optional<SmallVector<int64_t, 3>> &imageTile,
                  const std::optional<SmallVector<int64_t, 3>> &batchTile,
                  int64_t m, int64_t imageN, int64_t batchN, int64_t k) {
  if (!imageTile)
    return false;
  auto divides = [&](ArrayRef<int64_t> t, int64_t n) {
    return t.empty() || (m % t[0] == 0 && n % t[1] == 0 && k % t[2] == 0);
  };
  return !batchTile || divides(*imageTile, imageN) ||
         !divides(*batchTile, batchN);
}

/// One image's output positions `p`, the last dim widened (by at most a
/// quarter) so that a register tile's 32 or 16 columns divide their count
/// when they do not already: the per-image patch matrices then need no
/// padding (a copy the gather could not be fused through); the extra
/// positions are computed from zeros and sliced off the result. `p` when no
/// width qualifies.
SmallVector<int64_t> widenedPositions(ArrayRef<int64_t> p) {
  SmallVector<int64_t> w(p);
  if (p.empty() || product(p) % 16 == 0)
    return w;
  int64_t rows = product(p.drop_back()), last = p.back();
  for (int64_t lanes : {32, 16})
    for (int64_t x = last + 1; x <= last + last / 4; ++x)
      if (rows * x % lanes == 0) {
        w.back() = x;
        return w;
      }
  return w;
}

/// The per-image product `r` (N, X, prod(widened)) as (N, X, p...): the
/// widened positions' extra columns sliced off.
Value unwiden(OpBuilder &b, Location loc, Value r, int64_t n, int64_t x,
              ArrayRef<int64_t> widened, ArrayRef<int64_t> p) {
  Type et = cast<RankedTensorType>(r.getType()).getElementType();
  r = reshapeTensor(b, loc, r,
                    RankedTensorType::get(concat({n, x}, widened), et));
  return leadingSlice(b, loc, r, concat({n, x}, p));
}

/// Ungrouped f32 / f64 convolutions whose matmul form a register tile fits
/// go through the tiled matmul (ember-tile-matmul): an im2col gather of the
/// input patches into a 2-D matrix (positions innermost, so it copies rows),
/// one matmul, and a transpose back. `conv` and `conv_transpose` take one
/// (C*K, P) patch matrix per image instead, and one batched matmul of the
/// filter by each, whose result is already (N, O, P...), when the register
/// tile fits a single image's positions (widened, see widenedPositions): a
/// row of one image's patch matrix is P elements, not N * P, so the matmul's
/// k steps stay within a few pages instead of striding across the whole
/// batch, and ember-tile-matmul fuses each image's gather into the loop over
/// images, so the patches are multiplied while they are in cache. The gather
/// costs one pass over a matrix `prod(K)` times the input; the matmul runs at
/// the tiled kernel's speed instead of the scalar loops of the direct forms
/// below. Returns null when no tile fits.
///
///   conv:             w[O, (C, K...)]  x  patches[(C, K...), (N, P...)]
///   conv_weight_grad: patches[(C, K...), (N, P...)]  x  dy^T[(N, P...), O]
///   conv_transpose:   w^T[C, (O, K...)]  x  z-patches[(O, K...), (N, S...)]
///                     (z: the zero-bordered, stride-dilated operand below)
template <typename Op>
Value lowerThroughMatmul(Op op, PatternRewriter &rewriter, bool registerTiles,
                         const Crop *crop = nullptr) {
  if (op.getGroups() != 1)
    return nullptr;
  Location loc = op.getLoc();
  ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
  if constexpr (std::is_same_v<Op, ConvOp>) {
    RankedTensorType x = op.getLhs().getType(), w = op.getRhs().getType(),
                     out = op.getType();
    Type et = out.getElementType();
    int64_t sp = x.getRank() - 2, n = x.getDimSize(0), c = x.getDimSize(1),
            o = w.getDimSize(0);
    ArrayRef<int64_t> p = out.getShape().drop_front(2),
                      k = w.getShape().drop_front(2);
    int64_t depth = c * product(k);
    SmallVector<int64_t> pw =
        registerTiles ? widenedPositions(p) : SmallVector<int64_t>(p);
    auto imageTile = matmulTile(registerTiles, et, o, product(pw), depth);
    auto tile = matmulTile(registerTiles, et, o, n * product(p), depth);
    if (!imageTile && !tile)
      return nullptr;
    Value wm = reshapeTensor(rewriter, loc, op.getRhs(),
                             RankedTensorType::get({o, depth}, et));
    if (preferImages(imageTile, tile, o, product(pw), n * product(p), depth)) {
      // Per image: the result is already (N, O, P...). Widened positions
      // read the input zero-padded far enough to the right.
      Value input = op.getLhs();
      SmallVector<int64_t> xShape(x.getShape());
      int64_t reach = (pw.back() - 1) * stride.back() +
                      (k.back() - 1) * dilation.back() + 1;
      if (reach > xShape.back()) {
        xShape.back() = reach;
        input = padWithZeros(rewriter, loc, input, xShape);
      }
      Value patches = patchMatrix(rewriter, loc, input, k, pw, stride, dilation,
                                  /*reversed=*/false, /*perImage=*/true);
      Value r = tiledBatchMatmul(rewriter, loc, wm, patches, *imageTile);
      return reshapeTensor(rewriter, loc,
                           unwiden(rewriter, loc, r, n, o, pw, p), out);
    }
    Value patches = patchMatrix(rewriter, loc, op.getLhs(), k, p, stride,
                                dilation, /*reversed=*/false,
                                /*perImage=*/false);
    Value r = tiledMatmul(rewriter, loc, wm, patches, *tile);
    r = reshapeTensor(rewriter, loc, r,
                      RankedTensorType::get(concat({o, n}, p), et));
    return transposeTensor(rewriter, loc, r, concat({1, 0}, iota(2, sp)));
  } else if constexpr (std::is_same_v<Op, ConvWeightGradOp>) {
    RankedTensorType x = op.getLhs().getType(), dy = op.getRhs().getType(),
                     dw = op.getType();
    Type et = dw.getElementType();
    int64_t sp = x.getRank() - 2, n = x.getDimSize(0), c = x.getDimSize(1),
            o = dw.getDimSize(0);
    ArrayRef<int64_t> p = dy.getShape().drop_front(2),
                      k = dw.getShape().drop_front(2);
    int64_t depth = n * product(p);
    auto tile = matmulTile(registerTiles, et, c * product(k), o, depth);
    if (!tile)
      return nullptr;
    Value patches = patchMatrix(rewriter, loc, op.getLhs(), k, p, stride,
                                dilation, /*reversed=*/false,
                                /*perImage=*/false);
    Value g = transposeTensor(rewriter, loc, op.getRhs(),
                              concat(concat({0}, iota(2, sp)), {1}));
    g = reshapeTensor(rewriter, loc, g, RankedTensorType::get({depth, o}, et));
    Value r = tiledMatmul(rewriter, loc, patches, g, *tile);
    r = transposeTensor(rewriter, loc, r, {1, 0});
    return reshapeTensor(rewriter, loc, r, dw);
  } else {
    RankedTensorType w = op.getRhs().getType(), dx = op.getType();
    Type et = dx.getElementType();
    int64_t sp = dx.getRank() - 2, n = dx.getDimSize(0), c = dx.getDimSize(1),
            o = w.getDimSize(0);
    ArrayRef<int64_t> full = dx.getShape().drop_front(2),
                      k = w.getShape().drop_front(2);
    // With a crop, only the positions [lo, lo + size) are computed.
    ArrayRef<int64_t> s = crop ? ArrayRef<int64_t>(crop->size) : full;
    if (crop)
      dx = dx.clone(concat({n, c}, s));
    int64_t depth = o * product(k);
    SmallVector<int64_t> sw =
        registerTiles ? widenedPositions(s) : SmallVector<int64_t>(s);
    auto imageTile = matmulTile(registerTiles, et, c, product(sw), depth);
    auto tile = matmulTile(registerTiles, et, c, n * product(s), depth);
    if (!imageTile && !tile)
      return nullptr;
    bool images =
        preferImages(imageTile, tile, c, product(sw), n * product(s), depth);
    // The positions computed: per image, possibly widened (their taps read
    // the zero border, made wide enough).
    ArrayRef<int64_t> computed = images ? ArrayRef<int64_t>(sw) : s;
    SmallVector<int64_t> zSpatial(full);
    int64_t lastLo = crop ? crop->lo.back() : 0;
    zSpatial.back() = std::max(zSpatial.back(), lastLo + computed.back());
    Value z =
        zeroBordered(rewriter, loc, op.getLhs(), zSpatial, k, stride, dilation);
    if (crop || computed.back() != s.back()) {
      // The taps of the computed positions [lo, lo + size): a window of z.
      auto zType = cast<RankedTensorType>(z.getType());
      SmallVector<int64_t> offsets(2, 0), sizes(zType.getShape().take_front(2));
      for (int64_t i = 0; i < sp; ++i) {
        offsets.push_back(crop ? crop->lo[i] : 0);
        sizes.push_back(computed[i] + dilation[i] * (k[i] - 1));
      }
      z = tensor::ExtractSliceOp::create(
          rewriter, loc, z,
          getAsIndexOpFoldResult(rewriter.getContext(), offsets),
          getAsIndexOpFoldResult(rewriter.getContext(), sizes),
          getAsIndexOpFoldResult(rewriter.getContext(),
                                 SmallVector<int64_t>(zType.getRank(), 1)));
    }
    if (images) {
      // Per image: the result is already (N, C, S...). The taps run forward
      // over z and the filter's are reversed instead: the gather's indices
      // then have no negative coefficient, so ember-tile-matmul can fuse it
      // into the loop over images (linalg tiles no such index).
      auto d = [&](int64_t i) { return rewriter.getAffineDimExpr(i); };
      SmallVector<AffineExpr> taps = {d(1), d(0)};
      for (int64_t i = 0; i < sp; ++i)
        taps.push_back(rewriter.getAffineConstantExpr(k[i] - 1) - d(2 + i));
      Value reversed =
          gatherGeneric(rewriter, loc, op.getRhs(),
                        RankedTensorType::get(concat({c, o}, k), et), taps);
      Value wr = reshapeTensor(rewriter, loc, reversed,
                               RankedTensorType::get({c, depth}, et));
      Value patches = patchMatrix(rewriter, loc, z, k, sw,
                                  SmallVector<int64_t>(sp, 1), dilation,
                                  /*reversed=*/false, /*perImage=*/true);
      Value r = tiledBatchMatmul(rewriter, loc, wr, patches, *imageTile);
      return reshapeTensor(rewriter, loc,
                           unwiden(rewriter, loc, r, n, c, sw, s), dx);
    }
    // The filter as (C, O*K).
    Value wm = transposeTensor(rewriter, loc, op.getRhs(),
                               concat({1, 0}, iota(2, sp)));
    wm =
        reshapeTensor(rewriter, loc, wm, RankedTensorType::get({c, depth}, et));
    Value patches = patchMatrix(rewriter, loc, z, k, s, stride, dilation,
                                /*reversed=*/true, /*perImage=*/false);
    Value r = tiledMatmul(rewriter, loc, wm, patches, *tile);
    r = reshapeTensor(rewriter, loc, r,
                      RankedTensorType::get(concat({c, n}, s), et));
    return transposeTensor(rewriter, loc, r, concat({1, 0}, iota(2, sp)));
  }
}

template <typename Op> struct ConvLowering : public OpRewritePattern<Op> {
  ConvLowering(MLIRContext *ctx, bool registerTiles)
      : OpRewritePattern<Op>(ctx), registerTiles(registerTiles) {}
  bool registerTiles;
  LogicalResult matchAndRewrite(Op op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    if constexpr (std::is_same_v<Op, ConvTransposeOp>) {
      // A padded convolution's input gradient: only the window the slice
      // keeps is computed, and the slice goes with it.
      if (std::optional<Crop> crop = spatialCrop(op))
        if (Value viaMatmul =
                lowerThroughMatmul(op, rewriter, registerTiles, &*crop)) {
          rewriter.replaceOp(crop->slice, viaMatmul);
          rewriter.eraseOp(op);
          return success();
        }
    }
    if (Value viaMatmul = lowerThroughMatmul(op, rewriter, registerTiles)) {
      rewriter.replaceOp(op, viaMatmul);
      return success();
    }
    Location loc = op.getLoc();
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
    int64_t groups = static_cast<int64_t>(op.getGroups());
    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](int64_t i) { return rewriter.getAffineDimExpr(i); };
    using IT = utils::IteratorType;

    Value result;
    // The channels-last forms: the innermost loop runs over the output
    // channels of a group (o for conv and its filter gradient, c for the input
    // gradient), reading the filter (or the output gradient) transposed so that
    // it is contiguous, writing a channels-last result that is transposed back,
    // and broadcasting one input element: a matmul's loop order, which LLVM
    // vectorizes.
    if constexpr (std::is_same_v<Op, ConvOp>) {
      ConvShapes s(op.getLhs().getType(), op.getRhs().getType(), op.getType(),
                   groups);
      int64_t sp = s.spatial, loops = 4 + 2 * sp;
      int64_t o = s.filterG.getDimSize(1);
      if (o >= kMinChannelLanes) {
        // Loops (n, g, p..., c, k..., o).
        int64_t p0 = 2, c = 2 + sp, k0 = 3 + sp, oDim = 3 + 2 * sp;
        SmallVector<AffineExpr> in = {d(0), d(1), d(c)}, f = {d(1), d(c)},
                                out = {d(0), d(1)};
        for (int64_t i = 0; i < sp; ++i) {
          in.push_back(d(p0 + i) * stride[i] + d(k0 + i) * dilation[i]);
          f.push_back(d(k0 + i));
          out.push_back(d(p0 + i));
        }
        f.push_back(d(oDim));
        out.push_back(d(oDim));
        SmallVector<IT> its(loops, IT::parallel);
        for (int64_t i = c; i < oDim; ++i)
          its[i] = IT::reduction;
        Value x = reshapeTensor(rewriter, loc, op.getLhs(), s.inputG);
        Value w = reshapeTensor(rewriter, loc, op.getRhs(), s.filterG);
        SmallVector<int64_t> wPerm = {0, 2};
        wPerm.append(iota(3, sp));
        wPerm.push_back(1); // (G, C, K..., O)
        w = transposeTensor(rewriter, loc, w, wPerm);
        SmallVector<int64_t> lastShape = {s.outputG.getDimSize(0), groups};
        lastShape.append(s.outputG.getShape().drop_front(3).begin(),
                         s.outputG.getShape().drop_front(3).end());
        lastShape.push_back(o);
        result = contract(rewriter, loc, s.outputG.clone(lastShape),
                          ValueRange{x, w},
                          {AffineMap::get(loops, 0, in, ctx),
                           AffineMap::get(loops, 0, f, ctx),
                           AffineMap::get(loops, 0, out, ctx)},
                          its);
        SmallVector<int64_t> back = {0, 1, 2 + sp};
        back.append(iota(2, sp)); // (N, G, O, P...)
        result = transposeTensor(rewriter, loc, result, back);
        rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, s.output));
        return success();
      }
      // Loops (n, g, o, c, k..., p...): p innermost and parallel, so the
      // innermost loop writes the output row contiguously.
      int64_t k0 = 4, p0 = 4 + sp;
      SmallVector<AffineExpr> in = {d(0), d(1), d(3)}, f = {d(1), d(2), d(3)},
                              out = {d(0), d(1), d(2)};
      for (int64_t i = 0; i < sp; ++i) {
        in.push_back(d(p0 + i) * stride[i] + d(k0 + i) * dilation[i]);
        f.push_back(d(k0 + i));
        out.push_back(d(p0 + i));
      }
      SmallVector<IT> its(loops, IT::parallel);
      for (int64_t i = 3; i < p0; ++i)
        its[i] = IT::reduction;
      Value x = reshapeTensor(rewriter, loc, op.getLhs(), s.inputG);
      Value w = reshapeTensor(rewriter, loc, op.getRhs(), s.filterG);
      result = contract(rewriter, loc, s.outputG, ValueRange{x, w},
                        {AffineMap::get(loops, 0, in, ctx),
                         AffineMap::get(loops, 0, f, ctx),
                         AffineMap::get(loops, 0, out, ctx)},
                        its);
      result = reshapeTensor(rewriter, loc, result, s.output);
    } else if constexpr (std::is_same_v<Op, ConvWeightGradOp>) {
      ConvShapes s(op.getLhs().getType(), op.getType(), op.getRhs().getType(),
                   groups);
      int64_t sp = s.spatial, loops = 4 + 2 * sp;
      int64_t o = s.filterG.getDimSize(1);
      if (o >= kMinChannelLanes) {
        // Loops (g, c, k..., n, p..., o): the filter is the small output,
        // transposed to (G, C, K..., O); batch and positions are reduced.
        int64_t k0 = 2, n = 2 + sp, p0 = 3 + sp, oDim = 3 + 2 * sp;
        SmallVector<AffineExpr> in = {d(n), d(0), d(1)}, dy = {d(n), d(0)},
                                out = {d(0), d(1)};
        for (int64_t i = 0; i < sp; ++i) {
          in.push_back(d(p0 + i) * stride[i] + d(k0 + i) * dilation[i]);
          dy.push_back(d(p0 + i));
          out.push_back(d(k0 + i));
        }
        dy.push_back(d(oDim));
        out.push_back(d(oDim));
        SmallVector<IT> its(loops, IT::parallel);
        for (int64_t i = n; i < oDim; ++i)
          its[i] = IT::reduction;
        Value x = reshapeTensor(rewriter, loc, op.getLhs(), s.inputG);
        Value g = reshapeTensor(rewriter, loc, op.getRhs(), s.outputG);
        SmallVector<int64_t> gPerm = {0, 1};
        gPerm.append(iota(3, sp));
        gPerm.push_back(2); // (N, G, P..., O)
        g = transposeTensor(rewriter, loc, g, gPerm);
        SmallVector<int64_t> lastShape = {groups, s.filterG.getDimSize(2)};
        lastShape.append(s.filterG.getShape().drop_front(3).begin(),
                         s.filterG.getShape().drop_front(3).end());
        lastShape.push_back(o);
        result = contract(rewriter, loc, s.filterG.clone(lastShape),
                          ValueRange{x, g},
                          {AffineMap::get(loops, 0, in, ctx),
                           AffineMap::get(loops, 0, dy, ctx),
                           AffineMap::get(loops, 0, out, ctx)},
                          its);
        SmallVector<int64_t> back = {0, 2 + sp, 1};
        back.append(iota(2, sp)); // (G, O, C, K...)
        result = transposeTensor(rewriter, loc, result, back);
        rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, s.filter));
        return success();
      }
      // Loops (g, o, c, k..., n, p...): the filter is the small output, the
      // batch and output positions are reduced.
      int64_t k0 = 3, n = 3 + sp, p0 = 4 + sp;
      SmallVector<AffineExpr> in = {d(n), d(0), d(2)}, dy = {d(n), d(0), d(1)},
                              out = {d(0), d(1), d(2)};
      for (int64_t i = 0; i < sp; ++i) {
        in.push_back(d(p0 + i) * stride[i] + d(k0 + i) * dilation[i]);
        dy.push_back(d(p0 + i));
        out.push_back(d(k0 + i));
      }
      SmallVector<IT> its(loops, IT::parallel);
      for (int64_t i = n; i < loops; ++i)
        its[i] = IT::reduction;
      Value x = reshapeTensor(rewriter, loc, op.getLhs(), s.inputG);
      Value g = reshapeTensor(rewriter, loc, op.getRhs(), s.outputG);
      result = contract(rewriter, loc, s.filterG, ValueRange{x, g},
                        {AffineMap::get(loops, 0, in, ctx),
                         AffineMap::get(loops, 0, dy, ctx),
                         AffineMap::get(loops, 0, out, ctx)},
                        its);
      result = reshapeTensor(rewriter, loc, result, s.filter);
    } else {
      // conv_transpose: z = zeros (N, G, O, S + d(K-1)...) with the operand
      // written at offset d(K-1), every stride-th position; then
      // r[n, g, c, s] = sum_{o, k} z[n, g, o, s + (K-1-k)*d] * w[g, o, c, k]
      // (the reversed tap index on z keeps every loop dim a plain index of
      // some operand, as linalg needs to infer the loop bounds).
      // Loops (n, g, c, o, k..., s...).
      ConvShapes s(op.getType(), op.getRhs().getType(), op.getLhs().getType(),
                   groups);
      int64_t sp = s.spatial, k0 = 4, p0 = 4 + sp, loops = 4 + 2 * sp;
      Value g = reshapeTensor(rewriter, loc, op.getLhs(), s.outputG);
      Value z =
          zeroBordered(rewriter, loc, g, s.input.getShape().drop_front(2),
                       s.filter.getShape().drop_front(2), stride, dilation);
      Value w = reshapeTensor(rewriter, loc, op.getRhs(), s.filterG);
      int64_t cCount = s.filterG.getDimSize(2);
      if (cCount >= kMinChannelLanes) {
        // Loops (n, g, s..., o, k..., c): the filter transposed to
        // (G, O, K..., C), a channels-last result (N, G, S..., C).
        int64_t s0 = 2, oDim = 2 + sp, kk0 = 3 + sp, c = 3 + 2 * sp;
        SmallVector<AffineExpr> zx = {d(0), d(1), d(oDim)}, f = {d(1), d(oDim)},
                                out = {d(0), d(1)};
        for (int64_t i = 0; i < sp; ++i) {
          int64_t k = s.filter.getDimSize(2 + i);
          zx.push_back(d(s0 + i) + (k - 1) * dilation[i] -
                       d(kk0 + i) * dilation[i]);
          f.push_back(d(kk0 + i));
          out.push_back(d(s0 + i));
        }
        f.push_back(d(c));
        out.push_back(d(c));
        SmallVector<IT> its(loops, IT::parallel);
        for (int64_t i = oDim; i < c; ++i)
          its[i] = IT::reduction;
        SmallVector<int64_t> wPerm = {0, 1};
        wPerm.append(iota(3, sp));
        wPerm.push_back(2); // (G, O, K..., C)
        Value wt = transposeTensor(rewriter, loc, w, wPerm);
        SmallVector<int64_t> lastShape = {s.inputG.getDimSize(0), groups};
        lastShape.append(s.inputG.getShape().drop_front(3).begin(),
                         s.inputG.getShape().drop_front(3).end());
        lastShape.push_back(cCount);
        result = contract(rewriter, loc, s.inputG.clone(lastShape),
                          ValueRange{z, wt},
                          {AffineMap::get(loops, 0, zx, ctx),
                           AffineMap::get(loops, 0, f, ctx),
                           AffineMap::get(loops, 0, out, ctx)},
                          its);
        SmallVector<int64_t> back = {0, 1, 2 + sp};
        back.append(iota(2, sp)); // (N, G, C, S...)
        result = transposeTensor(rewriter, loc, result, back);
        rewriter.replaceOp(op, reshapeTensor(rewriter, loc, result, s.input));
        return success();
      }
      SmallVector<AffineExpr> zx = {d(0), d(1), d(3)}, f = {d(1), d(3), d(2)},
                              out = {d(0), d(1), d(2)};
      for (int64_t i = 0; i < sp; ++i) {
        int64_t k = s.filter.getDimSize(2 + i);
        zx.push_back(d(p0 + i) + (k - 1) * dilation[i] -
                     d(k0 + i) * dilation[i]);
        f.push_back(d(k0 + i));
        out.push_back(d(p0 + i));
      }
      SmallVector<IT> its(loops, IT::parallel);
      for (int64_t i = 3; i < p0; ++i)
        its[i] = IT::reduction;
      result = contract(rewriter, loc, s.inputG, ValueRange{z, w},
                        {AffineMap::get(loops, 0, zx, ctx),
                         AffineMap::get(loops, 0, f, ctx),
                         AffineMap::get(loops, 0, out, ctx)},
                        its);
      result = reshapeTensor(rewriter, loc, result, s.input);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberConvToLinalgPatterns(RewritePatternSet &patterns,
                                                    bool registerTiles) {
  patterns.add<ConvLowering<ConvOp>, ConvLowering<ConvTransposeOp>,
               ConvLowering<ConvWeightGradOp>>(patterns.getContext(),
                                               registerTiles);
}
