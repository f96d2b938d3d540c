//===- Passes.td - ember transform passes ----------------------*- tablegen -*-===//
#ifndef EMBER_TRANSFORMS_PASSES_TD
#define EMBER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmberExpandMath : Pass<"ember-expand-math"> {
  let summary = "Replace f32 transcendental math with polynomial approximations";
  let description = [{
    Rewrites `math` ops that LLVM would otherwise turn into scalar libm calls
    (`erf`, `tanh`, `exp`, `log`, `log1p`, ...) on `f32` scalars and vectors into polynomial approximations built from arith ops, so that
    they vectorize and JIT without libm. `f64` is left to libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def EmberWidenBoolMemrefs : Pass<"ember-widen-bool-memrefs", "::mlir::ModuleOp"> {
  let summary = "Store i1 memrefs as one byte per element (i8)";
  let description = [{
    Booleans live in memory as bytes, as in NumPy and PyTorch, so `i1` buffers
    cross the call boundary unchanged and LLVM never sees sub-byte memory.
    Runs on loops over memrefs (after `convert-linalg-to-loops`): every
    `memref<...xi1>` becomes `memref<...xi8>` (function signatures, allocs,
    views, globals), loads are followed by `arith.trunci` and stores preceded
    by `arith.extui`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EmberCopyDuplicateResults : Pass<"ember-copy-duplicate-results",
                                      "::mlir::func::FuncOp"> {
  let summary = "Give every returned tensor its own value";
  let description = [{
    A value returned more than once is copied (`linalg.copy` into a new
    tensor) for each extra use, so that after bufferization every result is
    its own out-parameter and no two outputs alias.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // EMBER_TRANSFORMS_PASSES_TD
