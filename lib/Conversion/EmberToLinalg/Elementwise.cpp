//===- Elementwise.cpp - ember elementwise ops and broadcast to linalg ----===//
//
// Every elementwise op becomes one all-parallel linalg.generic whose payload
// is the op's scalar rule below (`scalar(OpTy, ...)`). f16 / bf16 operands of
// float math are extended to f32, computed, and rounded once.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

/// Applies `fn` to f32 copies of f16 / bf16 operands and rounds the result
/// back to the operands' type when `roundBack` is set.
template <typename Fn>
Value inComputeType(OpBuilder &b, Location loc, ValueRange args, bool roundBack,
                    Fn fn) {
  Type t = args.front().getType();
  if (!isLowPrecisionFloat(t))
    return fn(args);
  SmallVector<Value> wide;
  for (Value a : args)
    wide.push_back(arith::ExtFOp::create(b, loc, b.getF32Type(), a));
  Value r = fn(ValueRange(wide));
  return roundBack ? arith::TruncFOp::create(b, loc, t, r).getResult() : r;
}

/// Float math with f32 compute for f16 / bf16.
template <typename FloatOp>
Value floatUnary(OpBuilder &b, Location loc, ValueRange a) {
  return inComputeType(b, loc, a, true, [&](ValueRange w) -> Value {
    return FloatOp::create(b, loc, w[0]);
  });
}

/// Binary arithmetic choosing the float or integer op.
template <typename FloatOp, typename IntOp>
Value arithBinary(OpBuilder &b, Location loc, ValueRange a) {
  if (!isFloat(a[0]))
    return IntOp::create(b, loc, a[0], a[1]);
  return inComputeType(b, loc, a, true, [&](ValueRange w) -> Value {
    return FloatOp::create(b, loc, w[0], w[1]);
  });
}

Value compare(OpBuilder &b, Location loc, ValueRange a, arith::CmpFPredicate fp,
              arith::CmpIPredicate sp, arith::CmpIPredicate up) {
  if (!isFloat(a[0]))
    return arith::CmpIOp::create(b, loc, a[0].getType().isInteger(1) ? up : sp,
                                 a[0], a[1]);
  return inComputeType(b, loc, a, false, [&](ValueRange w) -> Value {
    return arith::CmpFOp::create(b, loc, fp, w[0], w[1]);
  });
}

// Scalar rules, one per op.

Value scalar(AddOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<arith::AddFOp, arith::AddIOp>(b, l, a);
}
Value scalar(SubOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<arith::SubFOp, arith::SubIOp>(b, l, a);
}
Value scalar(MulOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<arith::MulFOp, arith::MulIOp>(b, l, a);
}
/// Integer division and remainder never trap: a zero divisor gives 0, and
/// `INT_MIN / -1` wraps (a -1 divisor is computed as a negation).
Value safeIntDivRem(OpBuilder &b, Location l, Value x, Value y, bool rem) {
  Type t = x.getType();
  Value zero = scalarConstant(b, l, t, 0), one = scalarConstant(b, l, t, 1);
  Value isZero = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, y, zero);
  Value isMinusOne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, y,
                                           scalarConstant(b, l, t, -1));
  Value special = arith::OrIOp::create(b, l, isZero, isMinusOne);
  Value safe = arith::SelectOp::create(b, l, special, one, y);
  if (rem) {
    Value r = arith::RemSIOp::create(b, l, x, safe);
    return arith::SelectOp::create(b, l, special, zero, r);
  }
  Value q = arith::DivSIOp::create(b, l, x, safe);
  Value negated = arith::SubIOp::create(b, l, zero, x);
  q = arith::SelectOp::create(b, l, isMinusOne, negated, q);
  return arith::SelectOp::create(b, l, isZero, zero, q);
}

Value scalar(DivOp, OpBuilder &b, Location l, ValueRange a) {
  if (!isFloat(a[0]))
    return safeIntDivRem(b, l, a[0], a[1], /*rem=*/false);
  return arithBinary<arith::DivFOp, arith::DivSIOp>(b, l, a);
}
Value scalar(RemOp, OpBuilder &b, Location l, ValueRange a) {
  if (!isFloat(a[0]))
    return safeIntDivRem(b, l, a[0], a[1], /*rem=*/true);
  return arithBinary<arith::RemFOp, arith::RemSIOp>(b, l, a);
}
Value scalar(PowOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<math::PowFOp, math::IPowIOp>(b, l, a);
}
Value scalar(MaximumOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<arith::MaximumFOp, arith::MaxSIOp>(b, l, a);
}
Value scalar(MinimumOp, OpBuilder &b, Location l, ValueRange a) {
  return arithBinary<arith::MinimumFOp, arith::MinSIOp>(b, l, a);
}
Value scalar(LogicalAndOp, OpBuilder &b, Location l, ValueRange a) {
  return arith::AndIOp::create(b, l, a[0], a[1]);
}
Value scalar(LogicalOrOp, OpBuilder &b, Location l, ValueRange a) {
  return arith::OrIOp::create(b, l, a[0], a[1]);
}
Value scalar(LogicalNotOp, OpBuilder &b, Location l, ValueRange a) {
  return arith::XOrIOp::create(b, l, a[0],
                               scalarConstant(b, l, a[0].getType(), 1));
}
Value scalar(NegOp, OpBuilder &b, Location l, ValueRange a) {
  if (isFloat(a[0]))
    return arith::NegFOp::create(b, l, a[0]);
  return arith::SubIOp::create(b, l, scalarConstant(b, l, a[0].getType(), 0),
                               a[0]);
}
Value scalar(AbsOp, OpBuilder &b, Location l, ValueRange a) {
  if (isFloat(a[0]))
    return math::AbsFOp::create(b, l, a[0]);
  return math::AbsIOp::create(b, l, a[0]);
}
// sign(x) = x > 0 ? 1 : (x < 0 ? -1 : 0); NaN gives 0 (as torch.sign).
Value scalar(SignOp, OpBuilder &b, Location l, ValueRange a) {
  Type t = a[0].getType();
  Value zero = scalarConstant(b, l, t, 0);
  Value gt = compare(b, l, {a[0], zero}, arith::CmpFPredicate::OGT,
                     arith::CmpIPredicate::sgt, arith::CmpIPredicate::ugt);
  Value lt = compare(b, l, {a[0], zero}, arith::CmpFPredicate::OLT,
                     arith::CmpIPredicate::slt, arith::CmpIPredicate::ult);
  Value neg =
      arith::SelectOp::create(b, l, lt, scalarConstant(b, l, t, -1), zero);
  return arith::SelectOp::create(b, l, gt, scalarConstant(b, l, t, 1), neg);
}
Value scalar(ExpOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::ExpOp>(b, l, a);
}
Value scalar(LogOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::LogOp>(b, l, a);
}
Value scalar(Log1pOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::Log1pOp>(b, l, a);
}
Value scalar(SqrtOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::SqrtOp>(b, l, a);
}
Value scalar(RsqrtOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::RsqrtOp>(b, l, a);
}
Value scalar(TanhOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::TanhOp>(b, l, a);
}
Value scalar(ErfOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::ErfOp>(b, l, a);
}
Value scalar(SinOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::SinOp>(b, l, a);
}
Value scalar(CosOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::CosOp>(b, l, a);
}
Value scalar(FloorOp, OpBuilder &b, Location l, ValueRange a) {
  return floatUnary<math::FloorOp>(b, l, a);
}
// sigmoid(x) = 1 / (1 + exp(-x)); exp overflows to inf for very negative x
// and the quotient is then exactly 0.
Value scalar(SigmoidOp, OpBuilder &b, Location l, ValueRange a) {
  return inComputeType(b, l, a, true, [&](ValueRange w) -> Value {
    Value one = scalarConstant(b, l, w[0].getType(), 1.0);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, w[0]));
    return arith::DivFOp::create(b, l, one,
                                 arith::AddFOp::create(b, l, one, e));
  });
}
Value scalar(EqOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq,
                 arith::CmpIPredicate::eq);
}
Value scalar(NeOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::UNE, arith::CmpIPredicate::ne,
                 arith::CmpIPredicate::ne);
}
Value scalar(LtOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                 arith::CmpIPredicate::ult);
}
Value scalar(LeOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle,
                 arith::CmpIPredicate::ule);
}
Value scalar(GtOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                 arith::CmpIPredicate::ugt);
}
Value scalar(GeOp, OpBuilder &b, Location l, ValueRange a) {
  return compare(b, l, a, arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge,
                 arith::CmpIPredicate::uge);
}
Value scalar(SelectOp, OpBuilder &b, Location l, ValueRange a) {
  return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
}

/// One linalg.generic per elementwise op, with `scalar(OpTy, ...)` inside.
template <typename OpTy>
struct ElementwiseToLinalg : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    rewriter.replaceOp(
        op, elementwiseGeneric(rewriter, op.getLoc(), type, op->getOperands(),
                               [&](OpBuilder &b, Location l, ValueRange a) {
                                 return scalar(op, b, l, a);
                               }));
    return success();
  }
};

struct CastToLinalg : public OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Type to = op.getType().getElementType();
    rewriter.replaceOp(
        op,
        elementwiseGeneric(rewriter, op.getLoc(), op.getType(), op.getInput(),
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return convertScalar(b, l, a[0], to);
                           }));
    return success();
  }
};

/// broadcast -> linalg.generic whose input map drops the new leading dims.
/// The input's dims of size 1 that expand are collapsed away first, so that
/// the map is a projected permutation and elementwise fusion folds the
/// broadcast into its consumers instead of materializing it.
struct BroadcastToLinalg : public OpRewritePattern<BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    RankedTensorType in = op.getInput().getType(), out = op.getType();
    int64_t offset = out.getRank() - in.getRank();
    SmallVector<AffineExpr> exprs;
    SmallVector<int64_t> keptShape;
    // Groups of input dims: each kept dim with the expanding unit dims
    // before it (those after the last kept dim join the last group).
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices pending;
    for (int64_t i = 0; i < in.getRank(); ++i) {
      pending.push_back(i);
      if (in.getDimSize(i) == 1 && out.getDimSize(offset + i) != 1)
        continue;
      exprs.push_back(rewriter.getAffineDimExpr(offset + i));
      keptShape.push_back(in.getDimSize(i));
      groups.push_back(pending);
      pending.clear();
    }
    if (!groups.empty())
      groups.back().append(pending.begin(), pending.end());
    Value input = op.getInput();
    if (static_cast<int64_t>(keptShape.size()) != in.getRank()) {
      // (With no dim kept, the reassociation is empty: a 0-d tensor.)
      auto keptType = RankedTensorType::get(keptShape, in.getElementType());
      input = tensor::CollapseShapeOp::create(rewriter, op.getLoc(), keptType,
                                              input, groups);
    }
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps = {
        AffineMap::get(out.getRank(), 0, exprs, ctx),
        rewriter.getMultiDimIdentityMap(out.getRank())};
    SmallVector<utils::IteratorType> iterators(out.getRank(),
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), out, input,
        emptyTensor(rewriter, op.getLoc(), out), maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberElementwiseToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns
      .add<ElementwiseToLinalg<AddOp>, ElementwiseToLinalg<SubOp>,
           ElementwiseToLinalg<MulOp>, ElementwiseToLinalg<DivOp>,
           ElementwiseToLinalg<PowOp>, ElementwiseToLinalg<RemOp>,
           ElementwiseToLinalg<MaximumOp>, ElementwiseToLinalg<MinimumOp>,
           ElementwiseToLinalg<LogicalAndOp>, ElementwiseToLinalg<LogicalOrOp>,
           ElementwiseToLinalg<LogicalNotOp>, ElementwiseToLinalg<NegOp>,
           ElementwiseToLinalg<AbsOp>, ElementwiseToLinalg<SignOp>,
           ElementwiseToLinalg<ExpOp>, ElementwiseToLinalg<LogOp>,
           ElementwiseToLinalg<Log1pOp>, ElementwiseToLinalg<SqrtOp>,
           ElementwiseToLinalg<RsqrtOp>, ElementwiseToLinalg<TanhOp>,
           ElementwiseToLinalg<SigmoidOp>, ElementwiseToLinalg<ErfOp>,
           ElementwiseToLinalg<SinOp>, ElementwiseToLinalg<CosOp>,
           ElementwiseToLinalg<FloorOp>, ElementwiseToLinalg<EqOp>,
           ElementwiseToLinalg<NeOp>, ElementwiseToLinalg<LtOp>,
           ElementwiseToLinalg<LeOp>, ElementwiseToLinalg<GtOp>,
           ElementwiseToLinalg<GeOp>, ElementwiseToLinalg<SelectOp>,
           CastToLinalg, BroadcastToLinalg>(patterns.getContext());
}
