//===- EmberDialect.td - The ember dialect and its type constraints -*- tablegen -*-===//
//
// The `ember` dialect: tensor ops at the level of a deep-learning framework.
//
//===----------------------------------------------------------------------===//

#ifndef EMBER_DIALECT_TD
#define EMBER_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Ember_Dialect : Dialect {
  let name = "ember";
  let cppNamespace = "::mlir::ember";
  let summary = "Framework-level tensor ops for the Ember deep-learning compiler.";
  let description = [{
    Ops on ranked tensors with the semantics of a PyTorch-style framework:
    elementwise math, explicit broadcasting, reductions, matmul, shape ops and
    creation ops. Elementwise ops take operands of one shape; broadcasting is
    made explicit with `ember.broadcast` so that lowering and differentiation
    stay one rule per op. Everything lowers to linalg / tensor / arith / math
    through `convert-ember-to-linalg`.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Ember_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
def Ember_Int : AnyTypeOf<[I8, I32, I64]>;
def Ember_Bool : I<1>;
def Ember_Element : AnyTypeOf<[F16, BF16, F32, F64, I1, I8, I32, I64]>;
def Ember_Numeric : AnyTypeOf<[F16, BF16, F32, F64, I8, I32, I64]>;

def Ember_Tensor : RankedTensorOf<[Ember_Element]>;
def Ember_FloatTensor : RankedTensorOf<[Ember_Float]>;
def Ember_NumericTensor : RankedTensorOf<[Ember_Numeric]>;
def Ember_BoolTensor : RankedTensorOf<[I1]>;
def Ember_IndexTensor : RankedTensorOf<[I32, I64]>;

#endif // EMBER_DIALECT_TD
