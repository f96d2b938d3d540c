//===- Passes.h - ember conversion passes -----------------------*- C++ -*-===//
#ifndef EMBER_CONVERSION_PASSES_H
#define EMBER_CONVERSION_PASSES_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace ember {

#define GEN_PASS_DECL
#include "ember/Conversion/Passes.h.inc"

/// Patterns that lower each op family to linalg / tensor / arith / math.
void populateEmberElementwiseToLinalgPatterns(RewritePatternSet &patterns);
void populateEmberReductionToLinalgPatterns(RewritePatternSet &patterns);
void populateEmberMatmulToLinalgPatterns(RewritePatternSet &patterns,
                                         bool registerTiles = true);
void populateEmberConvToLinalgPatterns(RewritePatternSet &patterns,
                                       bool registerTiles = true);
void populateEmberShapeToLinalgPatterns(RewritePatternSet &patterns);
void populateEmberCreationToLinalgPatterns(RewritePatternSet &patterns);
/// cumsum (scf.for) and sort (two linalg.generics).
void populateEmberScanToLinalgPatterns(RewritePatternSet &patterns);
/// All of the above.
void populateEmberToLinalgPatterns(RewritePatternSet &patterns,
                                   bool registerTiles = true);

#define GEN_PASS_REGISTRATION
#include "ember/Conversion/Passes.h.inc"

} // namespace ember
} // namespace mlir

#endif // EMBER_CONVERSION_PASSES_H
