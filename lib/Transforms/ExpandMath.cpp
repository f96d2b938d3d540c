//===- ExpandMath.cpp - the ember-expand-math pass ------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBEREXPANDMATH
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {
struct EmberExpandMath
    : public ember::impl::EmberExpandMathBase<EmberExpandMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // sin / cos stay with libm: the approximations' range reduction loses
    // accuracy for large arguments (sin(4096) off by ~1e-4). rsqrt stays
    // exact: its approximation of 8-lane vectors is an AVX intrinsic of the
    // x86vector dialect, which the JIT does not translate.
    auto approximate = [](StringRef name) {
      return !name.contains("sin") && !name.contains("cos") &&
             !name.contains("rsqrt");
    };
    populateMathF32ExpansionPatterns(patterns, approximate);
    populateMathPolynomialApproximationPatterns(patterns, approximate);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
