//===- Passes.td - ember transform passes ----------------------*- tablegen -*-===//
#ifndef EMBER_TRANSFORMS_PASSES_TD
#define EMBER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmberExpandMath : Pass<"ember-expand-math"> {
  let summary = "Replace f32 transcendental math with polynomial approximations";
  let description = [{
    Rewrites `math` ops that LLVM would otherwise turn into scalar libm calls
    (`erf`, `tanh`, `exp`, `log`, `log1p`, `sin`, `cos`, ...) on `f32` scalars
    and vectors into polynomial approximations built from arith ops, so that
    they vectorize and JIT without libm. `f64` is left to libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // EMBER_TRANSFORMS_PASSES_TD
