//===- Reduction.cpp - ember reductions to linalg -------------------------===//
//
// A reduction is one linalg.generic with reduction iterators over the reduced
// dims, accumulating in f32 for f16 / bf16; a mean divides afterwards; keepdim
// re-inserts unit dims with tensor.expand_shape.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include <limits>

using namespace mlir;
using namespace mlir::ember;

namespace {

using CombineFn = function_ref<Value(OpBuilder &, Location, Value, Value)>;

/// Reduces `input` over `dims` into a tensor without the reduced dims, whose
/// elements start at `init` and are combined with `combine(element, acc)`.
/// The loops of a reduction of `inType` over `dims`: the kept dims' sizes,
/// the map from the loops to the accumulator, and the iterator types.
struct ReductionLoops {
  SmallVector<int64_t> shape;
  AffineMap outMap;
  SmallVector<utils::IteratorType> iterators;

  ReductionLoops(OpBuilder &b, RankedTensorType inType,
                 ArrayRef<int64_t> dims) {
    int64_t rank = inType.getRank();
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i) {
      bool reduced = llvm::is_contained(dims, i);
      iterators.push_back(reduced ? utils::IteratorType::reduction
                                  : utils::IteratorType::parallel);
      if (!reduced) {
        shape.push_back(inType.getDimSize(i));
        outExprs.push_back(b.getAffineDimExpr(i));
      }
    }
    outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
  }
};

Value reduceGeneric(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> dims, Value init, CombineFn combine) {
  auto inType = cast<RankedTensorType>(input.getType());
  ReductionLoops loops(b, inType, dims);
  auto outType = RankedTensorType::get(loops.shape, init.getType());
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(inType.getRank()),
                                 loops.outMap};
  Type accType = init.getType();
  auto generic = linalg::GenericOp::create(
      b, loc, outType, input, filledTensor(b, loc, outType, init), maps,
      loops.iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value element = args[0];
        if (element.getType() != accType)
          element = arith::ExtFOp::create(nb, nl, accType, element);
        linalg::YieldOp::create(nb, nl, combine(nb, nl, element, args[1]));
      });
  return generic.getResult(0);
}

/// Maps the accumulator tensor to the result: `finish` per element (if any),
/// rounding back to the result's element type, then keepdim's unit dims.
template <typename OpTy>
Value finishReduction(
    OpBuilder &b, Location loc, OpTy op, Value acc,
    function_ref<Value(OpBuilder &, Location, Value)> finish) {
  RankedTensorType resultType = op.getType();
  Type elementType = resultType.getElementType();
  auto accType = cast<RankedTensorType>(acc.getType());
  if (finish || accType.getElementType() != elementType) {
    acc = elementwiseGeneric(
        b, loc, accType.clone(elementType), acc,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value v = finish ? finish(nb, nl, a[0]) : a[0];
          return convertScalar(nb, nl, v, elementType);
        });
  }
  return reshapeTensor(b, loc, acc, resultType);
}

/// Float sums and products may be reassociated: LLVM then vectorizes a
/// reduction along the innermost dim with vector partial accumulators (the
/// order of the additions changes within float rounding, as in PyTorch's own
/// vectorized kernels).
constexpr arith::FastMathFlags kReassoc = arith::FastMathFlags::reassoc;

Value addValues(OpBuilder &b, Location l, Value x, Value acc) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, l, x, acc, kReassoc);
  return arith::AddIOp::create(b, l, x, acc);
}

// Identity element and combiner per reduction.
Value reduceInit(SumOp, OpBuilder &b, Location l, Type t) {
  return scalarConstant(b, l, t, 0);
}
Value reduceInit(MeanOp, OpBuilder &b, Location l, Type t) {
  return scalarConstant(b, l, t, 0);
}
Value reduceInit(ProdOp, OpBuilder &b, Location l, Type t) {
  return scalarConstant(b, l, t, 1);
}
Value reduceInit(MaxOp, OpBuilder &b, Location l, Type t) {
  return extremeConstant(b, l, t, /*lowest=*/true);
}
Value reduceInit(MinOp, OpBuilder &b, Location l, Type t) {
  return extremeConstant(b, l, t, /*lowest=*/false);
}
Value combine(SumOp, OpBuilder &b, Location l, Value x, Value acc) {
  return addValues(b, l, x, acc);
}
Value combine(MeanOp, OpBuilder &b, Location l, Value x, Value acc) {
  return addValues(b, l, x, acc);
}
Value combine(ProdOp, OpBuilder &b, Location l, Value x, Value acc) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, l, x, acc, kReassoc);
  return arith::MulIOp::create(b, l, x, acc);
}
// Integer max / min; float ones are floatExtreme's.
Value combine(MaxOp, OpBuilder &b, Location l, Value x, Value acc) {
  return arith::MaxSIOp::create(b, l, x, acc);
}
Value combine(MinOp, OpBuilder &b, Location l, Value x, Value acc) {
  return arith::MinSIOp::create(b, l, x, acc);
}

/// A float max (min) that propagates NaN, as one pass with two accumulators
/// (kept in registers by ember-promote-accumulators) that LLVM vectorizes:
/// `maxnum` assuming no NaN (nnan, nsz), and a count of the NaNs; where the
/// count is not zero the result is NaN (so the no-NaN assumption only matters
/// where its result is discarded). A NaN-propagating `maximumf` reduction
/// would stay scalar (arith-expand turns it into compare / select chains).
template <bool isMax>
Value floatExtreme(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> dims, Value init) {
  Type t = init.getType();
  auto flags = LLVM::FastmathFlagsAttr::get(
      b.getContext(), LLVM::FastmathFlags::nnan | LLVM::FastmathFlags::nsz);
  auto inType = cast<RankedTensorType>(input.getType());
  ReductionLoops loops(b, inType, dims);
  auto type = RankedTensorType::get(loops.shape, t);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type, type}, input,
      ValueRange{filledTensor(b, loc, type, init),
                 filledTensor(b, loc, type, scalarConstant(b, loc, t, 0))},
      {b.getMultiDimIdentityMap(inType.getRank()), loops.outMap, loops.outMap},
      loops.iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value x = args[0];
        if (x.getType() != t)
          x = arith::ExtFOp::create(nb, l, t, x);
        Operation *extreme = isMax ? LLVM::MaxNumOp::create(nb, l, x, args[1])
                                   : LLVM::MinNumOp::create(nb, l, x, args[1]);
        extreme->setAttr("fastmathFlags", flags);
        Value isNan =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::UNO, x, x);
        Value one =
            arith::SelectOp::create(nb, l, isNan, scalarConstant(nb, l, t, 1),
                                    scalarConstant(nb, l, t, 0));
        Value count = arith::AddFOp::create(nb, l, args[2], one, kReassoc);
        linalg::YieldOp::create(nb, l,
                                ValueRange{extreme->getResult(0), count});
      });
  return elementwiseGeneric(
      b, loc, type, generic.getResults(),
      [&](OpBuilder &nb, Location l, ValueRange v) -> Value {
        Value any = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                          v[1], scalarConstant(nb, l, t, 0));
        Value nan = arith::ConstantOp::create(
            nb, l,
            nb.getFloatAttr(t, std::numeric_limits<double>::quiet_NaN()));
        return arith::SelectOp::create(nb, l, any, nan, v[0]);
      });
}

template <typename OpTy> struct ReduceToLinalg : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    Type accType = computeType(inType.getElementType());
    Value acc;
    if constexpr (std::is_same_v<OpTy, MaxOp> || std::is_same_v<OpTy, MinOp>) {
      if (isa<FloatType>(accType))
        acc = floatExtreme<std::is_same_v<OpTy, MaxOp>>(
            rewriter, loc, op.getInput(), op.getDims(),
            reduceInit(op, rewriter, loc, accType));
    }
    if (!acc)
      acc = reduceGeneric(rewriter, loc, op.getInput(), op.getDims(),
                          reduceInit(op, rewriter, loc, accType),
                          [&](OpBuilder &b, Location l, Value x, Value a) {
                            return combine(op, b, l, x, a);
                          });
    function_ref<Value(OpBuilder &, Location, Value)> finish = nullptr;
    int64_t count = 1;
    for (int64_t d : op.getDims())
      count *= inType.getDimSize(d);
    auto divide = [&](OpBuilder &b, Location l, Value v) -> Value {
      return arith::DivFOp::create(
          b, l, v, scalarConstant(b, l, accType, static_cast<double>(count)));
    };
    if (std::is_same<OpTy, MeanOp>::value)
      finish = divide;
    rewriter.replaceOp(op, finishReduction(rewriter, loc, op, acc, finish));
    return success();
  }
};

/// argmax / argmin: one generic with a value and an index accumulator; an
/// element replaces the accumulator when strictly better or when it is the
/// first NaN, so the first extreme (or NaN) wins as in PyTorch.
template <typename OpTy, bool isMax>
struct ArgReduceToLinalg : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inType.getRank();
    int64_t dim = static_cast<int64_t>(op.getDim());
    Type accType = computeType(inType.getElementType());
    Type i64 = rewriter.getI64Type();
    ReductionLoops loops(rewriter, inType, {dim});
    auto valType = RankedTensorType::get(loops.shape, accType);
    auto idxType = RankedTensorType::get(loops.shape, i64);
    Value valInit = filledTensor(
        rewriter, loc, valType, extremeConstant(rewriter, loc, accType, isMax));
    Value idxInit = filledTensor(rewriter, loc, idxType,
                                 scalarConstant(rewriter, loc, i64, 0));
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   loops.outMap, loops.outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, op.getInput(),
        ValueRange{valInit, idxInit}, maps, loops.iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], acc = args[1], accIdx = args[2];
          if (x.getType() != accType)
            x = arith::ExtFOp::create(b, l, accType, x);
          Value better;
          if (isa<FloatType>(accType)) {
            better = arith::CmpFOp::create(b, l,
                                           isMax ? arith::CmpFPredicate::OGT
                                                 : arith::CmpFPredicate::OLT,
                                           x, acc);
            Value xNan =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value accNum = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, acc, acc);
            better = arith::OrIOp::create(
                b, l, better, arith::AndIOp::create(b, l, xNan, accNum));
          } else {
            better = arith::CmpIOp::create(b, l,
                                           isMax ? arith::CmpIPredicate::sgt
                                                 : arith::CmpIPredicate::slt,
                                           x, acc);
          }
          Value idx = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, dim));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, acc),
                         arith::SelectOp::create(b, l, better, idx, accIdx)});
        });
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, loc, generic.getResult(1), op.getType()));
    return success();
  }
};

} // namespace

void mlir::ember::populateEmberReductionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ReduceToLinalg<SumOp>, ReduceToLinalg<MeanOp>,
               ReduceToLinalg<ProdOp>, ReduceToLinalg<MaxOp>,
               ReduceToLinalg<MinOp>, ArgReduceToLinalg<ArgmaxOp, true>,
               ArgReduceToLinalg<ArgminOp, false>>(patterns.getContext());
}
