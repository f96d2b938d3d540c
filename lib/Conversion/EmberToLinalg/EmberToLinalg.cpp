//===- EmberToLinalg.cpp - the convert-ember-to-linalg pass ---------------===//
#include "Utils.h"
#include "ember/Conversion/Passes.h"
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_CONVERTEMBERTOLINALG
#include "ember/Conversion/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;
using namespace mlir::ember;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

LogicalResult mlir::ember::requireStaticShapes(PatternRewriter &rewriter,
                                               Operation *op) {
  auto isStatic = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.hasStaticShape();
  };
  if (llvm::all_of(op->getOperandTypes(), isStatic) &&
      llvm::all_of(op->getResultTypes(), isStatic))
    return success();
  return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered yet");
}

Value mlir::ember::emptyTensor(OpBuilder &b, Location loc,
                               RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value mlir::ember::filledTensor(OpBuilder &b, Location loc,
                                RankedTensorType type, Value value) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value mlir::ember::scalarConstant(OpBuilder &b, Location loc, Type type,
                                  double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value mlir::ember::extremeConstant(OpBuilder &b, Location loc, Type type,
                                   bool lowest) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), lowest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = width == 1 ? (lowest ? APInt(1, 0) : APInt(1, 1))
                       : (lowest ? APInt::getSignedMinValue(width)
                                 : APInt::getSignedMaxValue(width));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value mlir::ember::convertScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  Type f32 = b.getF32Type();
  if (auto fromF = dyn_cast<FloatType>(from)) {
    if (auto toF = dyn_cast<FloatType>(to)) {
      if (isLowPrecisionFloat(from) && isLowPrecisionFloat(to))
        return arith::TruncFOp::create(b, loc, to,
                                       arith::ExtFOp::create(b, loc, f32, v));
      if (fromF.getWidth() < toF.getWidth())
        return arith::ExtFOp::create(b, loc, to, v);
      return arith::TruncFOp::create(b, loc, to, v);
    }
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   scalarConstant(b, loc, from, 0.0));
    if (isLowPrecisionFloat(from))
      v = arith::ExtFOp::create(b, loc, f32, v);
    return arith::FPToSIOp::create(b, loc, to, v);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  if (auto toF = dyn_cast<FloatType>(to)) {
    Type wide = isLowPrecisionFloat(to) ? f32 : to;
    Value r = fromWidth == 1
                  ? arith::UIToFPOp::create(b, loc, wide, v).getResult()
                  : arith::SIToFPOp::create(b, loc, wide, v).getResult();
    return wide == to ? r : arith::TruncFOp::create(b, loc, to, r);
  }
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (toWidth == 1)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                 scalarConstant(b, loc, from, 0));
  if (fromWidth == 1)
    return arith::ExtUIOp::create(b, loc, to, v);
  if (fromWidth < toWidth)
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

Value mlir::ember::elementwiseGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  unsigned rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

Value mlir::ember::reshapeTensor(OpBuilder &b, Location loc, Value input,
                                 RankedTensorType resultType) {
  auto inType = cast<RankedTensorType>(input.getType());
  if (inType == resultType)
    return input;
  if (inType.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, resultType, input,
                                         ArrayRef<ReassociationIndices>{});
  if (resultType.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                           ArrayRef<ReassociationIndices>{});
  // One step when the shapes nest (unit dims added or removed, groups
  // merged or split); otherwise through a 1-D tensor.
  if (inType.getNumElements() != 0) {
    if (inType.getRank() > resultType.getRank()) {
      if (auto re = getReassociationIndicesForCollapse(inType.getShape(),
                                                       resultType.getShape()))
        return tensor::CollapseShapeOp::create(b, loc, resultType, input, *re);
    } else if (inType.getRank() < resultType.getRank()) {
      if (auto re = getReassociationIndicesForCollapse(resultType.getShape(),
                                                       inType.getShape()))
        return tensor::ExpandShapeOp::create(b, loc, resultType, input, *re);
    }
  }
  Value flat = input;
  if (inType.getRank() != 1) {
    auto flatType = RankedTensorType::get({inType.getNumElements()},
                                          inType.getElementType());
    ReassociationIndices all(llvm::seq<int64_t>(0, inType.getRank()).begin(),
                             llvm::seq<int64_t>(0, inType.getRank()).end());
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, input,
                                           ArrayRef<ReassociationIndices>{all});
  }
  if (resultType.getRank() == 1)
    return flat;
  ReassociationIndices all(llvm::seq<int64_t>(0, resultType.getRank()).begin(),
                           llvm::seq<int64_t>(0, resultType.getRank()).end());
  return tensor::ExpandShapeOp::create(b, loc, resultType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void mlir::ember::populateEmberToLinalgPatterns(RewritePatternSet &patterns,
                                                bool registerTiles) {
  populateEmberElementwiseToLinalgPatterns(patterns);
  populateEmberReductionToLinalgPatterns(patterns);
  populateEmberMatmulToLinalgPatterns(patterns, registerTiles);
  populateEmberConvToLinalgPatterns(patterns, registerTiles);
  populateEmberShapeToLinalgPatterns(patterns);
  populateEmberCreationToLinalgPatterns(patterns);
  populateEmberScanToLinalgPatterns(patterns);
}

namespace {
struct ConvertEmberToLinalg
    : public ember::impl::ConvertEmberToLinalgBase<ConvertEmberToLinalg> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Say why, rather than "failed to legalize".
    WalkResult dynamic = getOperation()->walk([](Operation *op) {
      if (!isa<EmberDialect>(op->getDialect()))
        return WalkResult::advance();
      auto isDynamic = [](Type t) {
        auto ranked = dyn_cast<RankedTensorType>(t);
        return ranked && !ranked.hasStaticShape();
      };
      if (llvm::any_of(op->getOperandTypes(), isDynamic) ||
          llvm::any_of(op->getResultTypes(), isDynamic)) {
        op->emitOpError("has a dynamic shape; convert-ember-to-linalg lowers "
                        "static shapes only (dynamic shapes are not lowered "
                        "yet)");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (dynamic.wasInterrupted())
      return signalPassFailure();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<EmberDialect>();
    // Fusion regions stay; the ops in them are converted
    // (ember-lower-fusion lowers the regions).
    target.addLegalOp<FusionOp, YieldOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateEmberToLinalgPatterns(patterns, registerTiles);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
