//===- EmberInterfaces.td - ember op interfaces ----------------*- tablegen -*-===//
#ifndef EMBER_INTERFACES_TD
#define EMBER_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Ember_DifferentiableOpInterface
    : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::ember";
  let description = [{
    An op that knows its vector-Jacobian product: given the cotangents of its
    results, it builds (with ember ops, so the result is differentiable
    again) the cotangents of its operands. `ember-autodiff` is a generic
    reverse walk over this interface.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the operand cotangents at `b`'s insertion point. `cotangents`
        has one entry per result (a null Value where a result has none);
        `operandCotangents` receives one entry per operand (null where the
        operand gets no gradient, e.g. an integer or a condition). Fails,
        with a diagnostic, where a rule does not exist.
      }], "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$b, "::mlir::ValueRange":$cotangents,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCotangents)>
  ];
}

#endif // EMBER_INTERFACES_TD
