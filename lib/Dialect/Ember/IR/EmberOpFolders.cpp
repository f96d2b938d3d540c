//===- EmberOpFolders.cpp - folders of ember ops --------------------------===//
//
// Identities that hold bit for bit (`x + -0.0`, `x - 0`, `x * 1`, `x / 1`,
// `-(-x)`), no-op shape ops, compositions of shape ops, and constant folding
// of elementwise arithmetic on constants of up to kMaxFoldElements elements.
//
//===----------------------------------------------------------------------===//
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

constexpr int64_t kMaxFoldElements = 1024;

/// True if `attr` is a constant small enough to fold through.
bool isSmallConstant(Attribute attr) {
  auto elements = dyn_cast_if_present<DenseElementsAttr>(attr);
  return elements &&
         (elements.isSplat() || elements.getNumElements() <= kMaxFoldElements);
}

bool isIntZero(Attribute a) { return a && matchPattern(a, m_Zero()); }
bool isIntOne(Attribute a) { return a && matchPattern(a, m_One()); }
bool isFloat(Attribute a, bool (*pred)(const APFloat &)) {
  auto elements = dyn_cast_if_present<DenseFPElementsAttr>(a);
  return elements && elements.isSplat() &&
         pred(elements.getSplatValue<APFloat>());
}

/// Folds a binary op over constants with a float and an integer function.
template <typename FloatFn, typename IntFn>
Attribute foldBinary(ArrayRef<Attribute> operands, FloatFn floatFn,
                     IntFn intFn) {
  if (!isSmallConstant(operands[0]) || !isSmallConstant(operands[1]))
    return {};
  if (isa<DenseFPElementsAttr>(operands[0]))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, intFn);
}

} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// x + -0.0 -> x; x + 0 -> x (integers); constants fold.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  Attribute rhs = adaptor.getRhs();
  if (isIntZero(rhs) ||
      isFloat(rhs, [](const APFloat &v) { return v.isNegZero(); }))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](APFloat a, const APFloat &b) { return a + b; },
      [](APInt a, const APInt &b) { return a + b; });
}

// x - 0 -> x; constants fold.
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  Attribute rhs = adaptor.getRhs();
  if (isIntZero(rhs) ||
      isFloat(rhs, [](const APFloat &v) { return v.isPosZero(); }))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](APFloat a, const APFloat &b) { return a - b; },
      [](APInt a, const APInt &b) { return a - b; });
}

// x * 1 -> x; constants fold.
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  Attribute rhs = adaptor.getRhs();
  if (isIntOne(rhs) ||
      isFloat(rhs, [](const APFloat &v) { return v.isExactlyValue(1.0); }))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), [](APFloat a, const APFloat &b) { return a * b; },
      [](APInt a, const APInt &b) { return a * b; });
}

// x / 1 -> x; float constants fold (integer division by zero must not fold).
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  Attribute rhs = adaptor.getRhs();
  if (isIntOne(rhs) ||
      isFloat(rhs, [](const APFloat &v) { return v.isExactlyValue(1.0); }))
    return getLhs();
  if (!isSmallConstant(adaptor.getLhs()) || !isSmallConstant(rhs) ||
      !isa<DenseFPElementsAttr>(rhs))
    return {};
  return constFoldBinaryOp<FloatAttr, APFloat, void>(
      adaptor.getOperands(), [](APFloat a, const APFloat &b) { return a / b; });
}

// -(-x) -> x; constants fold.
OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  if (!isSmallConstant(adaptor.getInput()))
    return {};
  if (isa<DenseFPElementsAttr>(adaptor.getInput()))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(
        adaptor.getOperands(), [](APFloat a) { return -a; });
  return constFoldUnaryOp<IntegerAttr, APInt, void>(adaptor.getOperands(),
                                                    [](APInt a) { return -a; });
}

// cast to the same type -> x.
OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

// broadcast to the same type -> x; a splat broadcasts to a splat.
OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      return SplatElementsAttr::get(getType(),
                                    splat.getSplatValue<Attribute>());
  return {};
}

// reshape to the same type -> x; reshape(reshape(x)) -> reshape(x); small
// constants reshape.
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    // Only through shapes that agree: x (6 elements) -> ? -> 7 must stay.
    RankedTensorType from = inner.getInput().getType();
    if (!from.hasStaticShape() || !getType().hasStaticShape() ||
        from.getNumElements() == getType().getNumElements()) {
      getInputMutable().assign(inner.getInput());
      return getResult();
    }
  }
  if (isSmallConstant(adaptor.getInput()) && getType().hasStaticShape())
    return cast<DenseElementsAttr>(adaptor.getInput()).reshape(getType());
  return {};
}

// transpose with the identity permutation -> x;
// transpose(transpose(x)) -> transpose(x) with the composed permutation.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return getInput();
    return getResult();
  }
  return {};
}

namespace {

bool isMatrixTranspose(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  return t && t.getType().getRank() == 2;
}

/// transpose(matmul(a, b)) -> matmul(transpose(b), transpose(a)) for 2-D
/// operands when one of them is itself a transpose, which then cancels. The
/// backward pass of `x @ w.T` is written this way: `dw = (x.T @ dy).T`
/// becomes `dy.T @ x`, one transpose of a smaller matrix fewer, and a
/// transposed lhs that the matmul lowering reads in place.
struct TransposeOfMatmul : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto mm = op.getInput().getDefiningOp<MatmulOp>();
    if (!mm || !mm->hasOneUse() || op.getType().getRank() != 2 ||
        mm.getLhs().getType().getRank() != 2 ||
        mm.getRhs().getType().getRank() != 2)
      return failure();
    if (!isMatrixTranspose(mm.getLhs()) && !isMatrixTranspose(mm.getRhs()))
      return failure();
    Location loc = mm.getLoc();
    auto swap = [&](Value v) -> Value {
      return TransposeOp::create(rewriter, loc, v,
                                 rewriter.getDenseI64ArrayAttr({1, 0}));
    };
    Value lhs = swap(mm.getRhs()), rhs = swap(mm.getLhs());
    rewriter.replaceOpWithNewOp<MatmulOp>(op, lhs, rhs);
    return success();
  }
};

} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<TransposeOfMatmul>(context);
}
