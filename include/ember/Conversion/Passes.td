//===- Passes.td - ember conversion passes ---------------------*- tablegen -*-===//
#ifndef EMBER_CONVERSION_PASSES_TD
#define EMBER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEmberToLinalg : Pass<"convert-ember-to-linalg"> {
  let summary = "Lower ember ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `ember` op into upstream ops on tensors: elementwise ops
    and broadcasts into `linalg.generic`, reductions into `linalg.generic`
    with reduction iterators, matmul into a `linalg.generic` contraction with
    the `torch.matmul` batch broadcasting in its indexing maps, shape ops into
    `tensor` ops and creation ops into `arith.constant` / `linalg.fill`.
    `f16` and `bf16` math is computed in `f32` and rounded once.
  }];
  let options = [
    Option<"registerTiles", "register-tiles", "bool", /*default=*/"true",
           "Give 2-D float matmuls (and the matmuls of convolutions) the CPU "
           "register tile of ember-tile-matmul, zero-padding their operands "
           "to its multiples; off, they stay unpadded named ops (GPUs, whose "
           "tiled kernels check their edges)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::LLVM::LLVMDialect"
  ];
}

#endif // EMBER_CONVERSION_PASSES_TD
