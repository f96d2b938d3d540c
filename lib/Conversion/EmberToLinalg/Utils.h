//===- Utils.h - helpers shared by the ember-to-linalg patterns -*- C++ -*-===//
#ifndef EMBER_LIB_CONVERSION_EMBERTOLINALG_UTILS_H
#define EMBER_LIB_CONVERSION_EMBERTOLINALG_UTILS_H

#include <array>
#include <optional>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace ember {

/// True for the float types that are computed in f32 (f16, bf16).
inline bool isLowPrecisionFloat(Type t) { return t.isF16() || t.isBF16(); }

/// The type a value is computed or accumulated in: f32 for f16 / bf16.
inline Type computeType(Type t) {
  return isLowPrecisionFloat(t) ? Float32Type::get(t.getContext()) : t;
}

/// Fails the match unless every type is a statically shaped tensor.
LogicalResult requireStaticShapes(PatternRewriter &rewriter, Operation *op);

/// An uninitialized tensor of `type` (tensor.empty).
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);

/// A tensor of `type` filled with the scalar `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value);

/// Converts a scalar with PyTorch's cast rules (float to int truncates,
/// anything to i1 is `!= 0`, i1 to a number is 0 / 1, ints sign-extend).
Value convertScalar(OpBuilder &b, Location loc, Value v, Type to);

/// A scalar constant of `type` (float or integer) holding `value`.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);

/// The identity element of a max (lowest) or min (highest) reduction.
Value extremeConstant(OpBuilder &b, Location loc, Type type, bool lowest);

/// A linalg.generic over `resultType`'s shape with all-parallel iterators,
/// identity maps for `inputs` and the output, and `body` as payload.
Value elementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body);

/// Reshapes a statically shaped tensor (tensor.collapse_shape and / or
/// tensor.expand_shape).
Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    RankedTensorType resultType);

/// The tile a 2-D matmul of `elementType` (f32 or f64) with these sizes gets
/// for tiledMatmul / tiledBatchMatmul. With `registerTiles` (the CPU), the
/// register tile (m, n, k) ember-tile-matmul gives it: 8 rows, 32 columns (16
/// when 32 does not divide n), 8 steps of k; none when padding the sizes to
/// multiples of the tile would more than double the work. Without (GPUs,
/// whose kernels check their edges), an empty tile: the named op as it is,
/// unpadded and unmarked.
std::optional<SmallVector<int64_t, 3>> matmulTile(bool registerTiles,
                                                  Type elementType, int64_t m,
                                                  int64_t n, int64_t k);

/// `v` (statically shaped) with its dims permuted (`result[i] = v[perm[i]]`):
/// dims that stay adjacent and in order are collapsed into one first, so the
/// linalg.transpose moves the fewest, largest blocks (NCHW -> NHWC is a
/// transpose of the last two dims of (N, C, H*W), and (C, N, H, W) -> (N, C,
/// H, W) one of contiguous H*W rows), then expanded back. The transpose is
/// marked for ember-tile-matmul where transposeTile gives it a tile.
Value transposeTensor(OpBuilder &b, Location loc, Value v,
                      ArrayRef<int64_t> perm);

/// `lhs` (m, k) times each `rhs[b]` (k, n) of a (batch, k, n) tensor, or
/// with a (batch, m, k) `lhs` each `lhs[b]` times `rhs[b]`: a
/// zero-initialized linalg.batch_matmul (a 2-D lhs's map broadcasts it over
/// the batch) marked `ember.tile = array<i64: m, n, k>` for ember-tile-matmul,
/// which runs the batch as an scf.forall and tiles each product like a
/// matmul; operands zero-padded to multiples of the tile, the result
/// (batch, m, n) sliced back. An empty tile: unpadded and unmarked.
Value tiledBatchMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                       ArrayRef<int64_t> tile);

/// The schedule ember-tile-matmul gives a transpose of f32 to `result` by
/// `permutation`, as (rows, t): blocks of `rows` result rows, transposed in
/// t x t register tiles. Only for permutations that swap the last two dims
/// (the others stay), both multiples of t = 16; none otherwise.
std::optional<std::array<int64_t, 2>>
transposeTile(RankedTensorType result, ArrayRef<int64_t> permutation);

/// `lhs` (m, k) times `rhs` (k, n) as a zero-initialized linalg.matmul marked
/// `ember.tile = array<i64: rows, cols, m, n, k>` for ember-tile-matmul: the
/// parallel blocks are `rows` rows (up to 64) or, with too few rows for 4 of
/// them, `cols` columns (the other is 0); operands are zero-padded to
/// multiples of the tile and the result sliced back (an empty tile:
/// unpadded and unmarked). With `lhsTransposed`,
/// `lhs` is given as (k, m) and read through the matmul's indexing map.
Value tiledMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  ArrayRef<int64_t> tile, bool lhsTransposed = false);

/// `v` zero-padded at the high end of each dim to `shape` (`v` if equal).
Value padWithZeros(OpBuilder &b, Location loc, Value v,
                   ArrayRef<int64_t> shape);

/// The leading `shape` part of `v` (`v` if equal): a padded result sliced
/// back.
Value leadingSlice(OpBuilder &b, Location loc, Value v,
                   ArrayRef<int64_t> shape);

} // namespace ember
} // namespace mlir

#endif // EMBER_LIB_CONVERSION_EMBERTOLINALG_UTILS_H
