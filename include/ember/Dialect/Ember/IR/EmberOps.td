//===- EmberOps.td - ember dialect operations ------------------*- tablegen -*-===//
//
// Op families, in the order the lowering splits them: elementwise (unary,
// binary, compare, logical, select, cast), broadcast, reductions, matmul,
// shape ops and creation ops. Elementwise ops take operands of one type;
// `ember.broadcast` makes numpy/PyTorch broadcasting explicit.
//
//===----------------------------------------------------------------------===//

#ifndef EMBER_OPS_TD
#define EMBER_OPS_TD

include "ember/Dialect/Ember/IR/EmberDialect.td"
include "ember/Dialect/Ember/IR/EmberInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Ember_Op<string mnemonic, list<Trait> traits = []>
    : Op<Ember_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Elementwise: unary
//===----------------------------------------------------------------------===//

class Ember_UnaryOp<string mnemonic, Type tensorType, string what,
                    list<Trait> traits = []>
    : Ember_Op<mnemonic, !listconcat([Pure, Elementwise,
                                      SameOperandsAndResultType,
                                      DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>], traits)> {
  let summary = "elementwise " # what;
  let description = "Computes " # what # " of each element; the result has the "
    # "operand's type.\n\nExample:\n\n```mlir\n%y = ember." # mnemonic
    # " %x : tensor<2x3xf32>\n```";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Ember_NegOp : Ember_UnaryOp<"neg", Ember_NumericTensor, "`-x`"> {
  let hasFolder = 1;
}
def Ember_AbsOp : Ember_UnaryOp<"abs", Ember_NumericTensor, "`|x|`">;
def Ember_SignOp : Ember_UnaryOp<"sign", Ember_NumericTensor,
                                 "the sign (-1, 0 or 1; NaN gives 0, as `torch.sign`)">;
def Ember_ExpOp : Ember_UnaryOp<"exp", Ember_FloatTensor, "`e^x`">;
def Ember_LogOp : Ember_UnaryOp<"log", Ember_FloatTensor, "the natural log">;
def Ember_Log1pOp : Ember_UnaryOp<"log1p", Ember_FloatTensor, "`log(1 + x)`">;
def Ember_SqrtOp : Ember_UnaryOp<"sqrt", Ember_FloatTensor, "the square root">;
def Ember_RsqrtOp : Ember_UnaryOp<"rsqrt", Ember_FloatTensor,
                                  "`1 / sqrt(x)`">;
def Ember_TanhOp : Ember_UnaryOp<"tanh", Ember_FloatTensor,
                                 "the hyperbolic tangent">;
def Ember_SigmoidOp : Ember_UnaryOp<"sigmoid", Ember_FloatTensor,
                                    "`1 / (1 + e^-x)`">;
def Ember_ErfOp : Ember_UnaryOp<"erf", Ember_FloatTensor, "the error function">;
def Ember_SinOp : Ember_UnaryOp<"sin", Ember_FloatTensor, "the sine">;
def Ember_CosOp : Ember_UnaryOp<"cos", Ember_FloatTensor, "the cosine">;
def Ember_FloorOp : Ember_UnaryOp<"floor", Ember_FloatTensor,
                                  "the largest integer not above x">;
def Ember_LogicalNotOp : Ember_UnaryOp<"logical_not", Ember_BoolTensor,
                                       "logical negation">;

//===----------------------------------------------------------------------===//
// Elementwise: binary
//===----------------------------------------------------------------------===//

class Ember_BinaryOp<string mnemonic, Type tensorType, string what,
                     list<Trait> traits = []>
    : Ember_Op<mnemonic, !listconcat([Pure, Elementwise,
                                      SameOperandsAndResultType,
                                      DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>], traits)> {
  let summary = "elementwise " # what;
  let description = "Computes " # what # " elementwise. Both operands and the "
    # "result have one type; broadcast first with `ember.broadcast`.\n\n"
    # "Example:\n\n```mlir\n%z = ember." # mnemonic
    # " %x, %y : tensor<2x3xf32>\n```";
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Ember_AddOp : Ember_BinaryOp<"add", Ember_NumericTensor, "`x + y`",
                                 [Commutative]> {
  let hasFolder = 1;
}
def Ember_SubOp : Ember_BinaryOp<"sub", Ember_NumericTensor, "`x - y`"> {
  let hasFolder = 1;
}
def Ember_MulOp : Ember_BinaryOp<"mul", Ember_NumericTensor, "`x * y`",
                                 [Commutative]> {
  let hasFolder = 1;
}
def Ember_DivOp : Ember_BinaryOp<"div", Ember_NumericTensor,
    "`x / y` (true division on floats; truncating division on integers, where "
    "`x / 0` is 0 and `INT_MIN / -1` wraps; the frontend rejects zero divisors)"> {
  let hasFolder = 1;
}
def Ember_RemOp : Ember_BinaryOp<"rem", Ember_NumericTensor,
    "the remainder of truncating division, with the dividend's sign (C `fmod`; "
    "`x rem 0` is NaN on floats and 0 on integers)">;
def Ember_PowOp : Ember_BinaryOp<"pow", Ember_NumericTensor, "`x ** y`">;
def Ember_MaximumOp : Ember_BinaryOp<"maximum", Ember_NumericTensor,
    "the larger value (NaN-propagating, as `torch.maximum`)", [Commutative]>;
def Ember_MinimumOp : Ember_BinaryOp<"minimum", Ember_NumericTensor,
    "the smaller value (NaN-propagating, as `torch.minimum`)", [Commutative]>;
def Ember_LogicalAndOp : Ember_BinaryOp<"logical_and", Ember_BoolTensor,
                                        "logical and", [Commutative]>;
def Ember_LogicalOrOp : Ember_BinaryOp<"logical_or", Ember_BoolTensor,
                                       "logical or", [Commutative]>;

//===----------------------------------------------------------------------===//
// Elementwise: compare, select, cast
//===----------------------------------------------------------------------===//

class Ember_CompareOp<string mnemonic, string what>
    : Ember_Op<mnemonic, [Pure, Elementwise, SameTypeOperands,
        TypesMatchWith<"result is an i1 tensor of the operands' shape", "lhs",
          "result",
          "::llvm::cast<::mlir::RankedTensorType>($_self).clone("
          "::mlir::IntegerType::get($_self.getContext(), 1))">]> {
  let summary = "elementwise comparison `" # what # "`";
  let description = "Compares elementwise and gives an `i1` tensor. Floats use "
    # "ordered comparisons except `ne`, which is true for NaN (as PyTorch); "
    # "integers compare as signed, `i1` as unsigned.\n\nExample:\n\n```mlir\n"
    # "%m = ember." # mnemonic # " %x, %y : tensor<2x3xf32>\n```";
  let arguments = (ins Ember_Tensor:$lhs, Ember_Tensor:$rhs);
  let results = (outs Ember_BoolTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Ember_EqOp : Ember_CompareOp<"eq", "x == y">;
def Ember_NeOp : Ember_CompareOp<"ne", "x != y">;
def Ember_LtOp : Ember_CompareOp<"lt", "x < y">;
def Ember_LeOp : Ember_CompareOp<"le", "x <= y">;
def Ember_GtOp : Ember_CompareOp<"gt", "x > y">;
def Ember_GeOp : Ember_CompareOp<"ge", "x >= y">;

def Ember_SelectOp : Ember_Op<"select", [Pure, Elementwise,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>,
    AllTypesMatch<["true_value", "false_value", "result"]>,
    TypesMatchWith<"condition is an i1 tensor of the result's shape", "result",
      "condition",
      "::llvm::cast<::mlir::RankedTensorType>($_self).clone("
      "::mlir::IntegerType::get($_self.getContext(), 1))">]> {
  let summary = "elementwise choice between two tensors (`torch.where`)";
  let description = [{
    Takes `true_value` where `condition` holds and `false_value` elsewhere.
    All three operands have one shape.

    Example:

    ```mlir
    %r = ember.select %c, %a, %b : tensor<4xf32>
    ```
  }];
  let arguments = (ins Ember_BoolTensor:$condition, Ember_Tensor:$true_value,
                       Ember_Tensor:$false_value);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:` type($result)
  }];
}

def Ember_CastOp : Ember_Op<"cast", [Pure, Elementwise,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>,
                                     SameOperandsAndResultShape]> {
  let summary = "elementwise conversion of the element type";
  let description = [{
    Converts each element to the result's element type with PyTorch's rules:
    float to integer truncates toward zero, anything to `i1` is `x != 0`, `i1`
    to a number gives 0 or 1, integers widen with sign extension.

    Example:

    ```mlir
    %i = ember.cast %x : tensor<4xf32> to tensor<4xi32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Broadcast
//===----------------------------------------------------------------------===//

def Ember_BroadcastOp : Ember_Op<"broadcast", [Pure,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "numpy / PyTorch broadcasting, made explicit";
  let description = [{
    Broadcasts `input` to the result's shape. Dimensions align from the right;
    each input dimension is either 1 (repeated) or equal to the result's; the
    result may have more leading dimensions. Element types match.

    Example:

    ```mlir
    %b = ember.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Ember_ReduceOp<string mnemonic, Type tensorType, string what>
    : Ember_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                          DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "reduction: " # what # " over a list of dimensions";
  let description = "Reduces `input` with " # what # " over `dims` (each in "
    # "`[0, rank)`, no repeats; an empty list leaves the tensor unchanged). "
    # "With `keepdim` the reduced dimensions stay with size 1.\n\n"
    # "Example:\n\n```mlir\n%s = ember." # mnemonic
    # " %x [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>\n```";
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$dims,
                       UnitAttr:$keepdim);
  let results = (outs tensorType:$result);
  let assemblyFormat = [{
    $input $dims (`keepdim` $keepdim^)? attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Ember_SumOp : Ember_ReduceOp<"sum", Ember_NumericTensor, "the sum">;
def Ember_MeanOp : Ember_ReduceOp<"mean", Ember_FloatTensor, "the mean">;
def Ember_ProdOp : Ember_ReduceOp<"prod", Ember_NumericTensor, "the product">;
def Ember_MaxOp : Ember_ReduceOp<"max", Ember_NumericTensor,
                                 "the maximum (NaN-propagating)">;
def Ember_MinOp : Ember_ReduceOp<"min", Ember_NumericTensor,
                                 "the minimum (NaN-propagating)">;

class Ember_ArgReduceOp<string mnemonic, string what>
    : Ember_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "index of the " # what # " along one dimension";
  let description = "Gives the `i64` index of the first " # what # " along "
    # "`dim` (NaN counts as the " # what # ", as in PyTorch). With `keepdim` "
    # "that dimension stays with size 1.\n\nExample:\n\n```mlir\n%i = ember."
    # mnemonic # " %x 1 : tensor<2x3xf32> -> tensor<2xi64>\n```";
  let arguments = (ins Ember_NumericTensor:$input, I64Attr:$dim,
                       UnitAttr:$keepdim);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input $dim (`keepdim` $keepdim^)? attr-dict `:` type($input) `->`
    type($result)
  }];
}

def Ember_ArgmaxOp : Ember_ArgReduceOp<"argmax", "maximum">;
def Ember_ArgminOp : Ember_ArgReduceOp<"argmin", "minimum">;

def Ember_CumsumOp : Ember_Op<"cumsum", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "cumulative sum along one dimension (`torch.cumsum`)";
  let description = [{
    `result[..., k, ...] = sum(input[..., 0..k, ...])` along `dim`; `f16` /
    `bf16` accumulate in `f32`.

    Example:

    ```mlir
    %c = ember.cumsum %x dim 1 : tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Ember_NumericTensor:$input, I64Attr:$dim);
  let results = (outs Ember_NumericTensor:$result);
  let assemblyFormat = "$input `dim` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Ember_SortOp : Ember_Op<"sort", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "stable sort along one dimension, with the permutation";
  let description = [{
    Sorts along `dim`, ascending unless `descending`, and gives the sorted
    values and the `i64` indices they came from. Equal elements keep their
    order (stable); NaN sorts above every number, as in `torch.sort`.

    Example:

    ```mlir
    %v, %i = ember.sort %x dim 1 descending
        : tensor<2x5xf32> -> tensor<2x5xf32>, tensor<2x5xi64>
    ```
  }];
  let arguments = (ins Ember_NumericTensor:$input, I64Attr:$dim,
                       UnitAttr:$descending);
  let results = (outs Ember_NumericTensor:$values,
                      RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input `dim` $dim (`descending` $descending^)? attr-dict `:` type($input)
    `->` type($values) `,` type($indices)
  }];
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Ember_MatmulOp : Ember_Op<"matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "matrix product with `torch.matmul` semantics";
  let description = [{
    1-D x 1-D is a dot product (rank-0 result); a 1-D left operand is a row
    vector and a 1-D right operand a column vector, their dimension dropped
    from the result; otherwise the last two dimensions multiply and the
    leading (batch) dimensions broadcast. Element types match.

    Example:

    ```mlir
    %c = ember.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32>
                            -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Ember_NumericTensor:$lhs, Ember_NumericTensor:$rhs);
  let results = (outs Ember_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// The three convolution ops are each other's VJPs: conv's input gradient is a
// conv_transpose, its filter gradient a conv_weight_grad, and so on around the
// triangle, so grad-of-grad through a convolution stays in the dialect.
// Padding is a separate `ember.pad`; all three take unpadded operands.

class Ember_ConvOpBase<string mnemonic, list<Trait> traits = []>
    : Ember_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>])> {
  let arguments = (ins Ember_FloatTensor:$lhs, Ember_FloatTensor:$rhs,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$dilation,
                       ConfinedAttr<I64Attr, [IntMinValue<1>]>:$groups);
  let results = (outs Ember_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `stride` $stride `dilation` $dilation `groups` $groups
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Ember_ConvOp : Ember_ConvOpBase<"conv"> {
  let summary = "grouped, strided, dilated N-d convolution (cross-correlation)";
  let description = [{
    `lhs` is the input `(N, G*C, S...)`, `rhs` the filter `(G*O, C, K...)`
    with 1 to 3 spatial dims; the result `(N, G*O, P...)` has
    `P = (S - dilation * (K - 1) - 1) / stride + 1` (floor):

    `r[n, g*O+o, p] = sum_{c, k} lhs[n, g*C+c, p*stride + k*dilation] *
                                  rhs[g*O+o, c, k]`

    f16 / bf16 accumulate in f32.

    Example:

    ```mlir
    %y = ember.conv %x, %w stride [1, 1] dilation [1, 1] groups 1
        : tensor<8x1x28x28xf32>, tensor<16x1x3x3xf32> -> tensor<8x16x26x26xf32>
    ```
  }];
}

def Ember_ConvTransposeOp : Ember_ConvOpBase<"conv_transpose"> {
  let summary = "the adjoint of `ember.conv` with respect to its input";
  let description = [{
    `lhs` is `(N, G*O, P...)` (a conv's output or its cotangent), `rhs` the
    filter `(G*O, C, K...)`; the result `(N, G*C, S...)` is the conv input
    shape, which the result type fixes: `S` must satisfy
    `(S - dilation * (K - 1) - 1) / stride + 1 == P`.

    `r[n, g*C+c, s] = sum_{o, k, p : p*stride + k*dilation == s}
                      lhs[n, g*O+o, p] * rhs[g*O+o, c, k]`

    This is PyTorch's `conv_transpose` before its padding is cropped.
  }];
}

def Ember_ConvWeightGradOp : Ember_ConvOpBase<"conv_weight_grad"> {
  let summary = "the adjoint of `ember.conv` with respect to its filter";
  let description = [{
    `lhs` is the conv input `(N, G*C, S...)`, `rhs` the conv output cotangent
    `(N, G*O, P...)`; the result is the filter shape `(G*O, C, K...)`, which
    the result type fixes:

    `r[g*O+o, c, k] = sum_{n, p} lhs[n, g*C+c, p*stride + k*dilation] *
                                 rhs[n, g*O+o, p]`
  }];
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Ember_ReshapeOp : Ember_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "reshape to a shape with the same number of elements";
  let description = [{
    Reinterprets the elements, in row-major order, with the result's shape.
    Squeeze and unsqueeze are reshapes.

    Example:

    ```mlir
    %r = ember.reshape %x : tensor<2x3xf32> to tensor<3x1x2xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ember_TransposeOp : Ember_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "permute the dimensions";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`
    (`torch.permute`).

    Example:

    ```mlir
    %t = ember.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;  let hasCanonicalizer = 1;
}

def Ember_SliceOp : Ember_Op<"slice", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "strided slice, one `start:stop:step` per dimension";
  let description = [{
    Takes elements `start, start + step, ...` below `stop` in each dimension,
    with `0 <= start <= stop <= size` and `step >= 1` (the frontend
    normalizes negative and out-of-range Python indices).

    Example:

    ```mlir
    %s = ember.slice %x start [0, 1] stop [4, 4] step [2, 1]
        : tensor<4x4xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$stop, DenseI64ArrayAttr:$step);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $input `start` $start `stop` $stop `step` $step attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Ember_InsertSliceOp : Ember_Op<"insert_slice", [Pure,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>,
    AllTypesMatch<["dest", "result"]>]> {
  let summary = "write a tensor into a strided slice of another";
  let description = [{
    The result is `dest` with the slice `start:stop:step` (one triple per
    dimension, as in `ember.slice`) replaced by `source`, whose shape is that
    slice's shape. This is how a write to a view reaches its base.

    Example:

    ```mlir
    %r = ember.insert_slice %v into %x start [0, 1] stop [4, 4] step [2, 1]
        : tensor<2x3xf32> into tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$source, Ember_Tensor:$dest,
                       DenseI64ArrayAttr:$start, DenseI64ArrayAttr:$stop,
                       DenseI64ArrayAttr:$step);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $source `into` $dest `start` $start `stop` $stop `step` $step attr-dict `:`
    type($source) `into` type($dest)
  }];
  let hasVerifier = 1;
}

def Ember_ConcatOp : Ember_Op<"concat", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "concatenate tensors along one dimension";
  let description = [{
    All inputs have one rank and element type and agree on every dimension
    but `dim`.

    Example:

    ```mlir
    %c = ember.concat %a, %b dim 0
        : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Ember_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $inputs `dim` $dim attr-dict `:` functional-type($inputs, $result)
  }];
}

def Ember_PadOp : Ember_Op<"pad", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "pad with a constant value";
  let description = [{
    Adds `low[i]` elements before and `high[i]` after dimension `i` (both
    non-negative), all equal to `value`, whose type is the element type.

    Example:

    ```mlir
    %p = ember.pad %x low [0, 1] high [1, 1] value(0.0 : f32)
        : tensor<2x2xf32> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, TypedAttrInterface:$value);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $input `low` $low `high` $high `value` `(` $value `)` attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Ember_GatherOp : Ember_Op<"gather", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<Ember_DifferentiableOpInterface>]> {
  let summary = "gather along one dimension (`torch.gather`)";
  let description = [{
    `result[i][j] = input[index[i][j]][j]` for `dim = 0` (and likewise for
    other ranks and dims). `index` has the input's rank, the result has the
    index's shape, and outside `dim` the index is no larger than the input.
    Negative indices count from the end; indices are clamped to the valid
    range so a bad index cannot read out of bounds (the frontend checks them).

    Example:

    ```mlir
    %g = ember.gather %x, %i dim 1
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Ember_Tensor:$input, Ember_IndexTensor:$index,
                       I64Attr:$dim);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $index `dim` $dim attr-dict `:`
    `(` type($input) `,` type($index) `)` `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

def Ember_ConstantOp : Ember_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a tensor given by a dense attribute";
  let description = [{
    Example:

    ```mlir
    %c = ember.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def Ember_FullOp : Ember_Op<"full", [Pure]> {
  let summary = "a tensor filled with one value (`torch.full`)";
  let description = [{
    The value's type is the result's element type.

    Example:

    ```mlir
    %f = ember.full 1.5 : f32 -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins TypedAttrInterface:$value);
  let results = (outs Ember_Tensor:$result);
  let assemblyFormat = "$value attr-dict `->` type($result)";
  let hasVerifier = 1;
}

def Ember_IotaOp : Ember_Op<"iota", [Pure]> {
  let summary = "indices along one dimension (`arange`, broadcast)";
  let description = [{
    Element `(i0, ..., in)` is `i_dim`, converted to the element type.

    Example:

    ```mlir
    %i = ember.iota 1 : tensor<2x3xi64>
    ```
  }];
  let arguments = (ins I64Attr:$dim);
  let results = (outs RankedTensorOf<[Ember_Numeric]>:$result);
  let assemblyFormat = "$dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fusion regions
//===----------------------------------------------------------------------===//

def Ember_FusionOp : Ember_Op<"fusion", [RecursiveMemoryEffects, SingleBlock,
    NoRegionArguments]> {
  let summary = "one kernel's worth of ember ops";
  let description = [{
    Holds ops that `ember-fusion` grouped into one kernel; the values the rest
    of the function uses are yielded. The region is not isolated: its ops read
    values defined above it directly.

    `kind` says how the region is lowered (`ember-lower-fusion`):

    - `"elementwise"`: elementwise ops and broadcasts of one result shape;
      they become one `linalg.generic` with a result per yielded value.
    - `"rows"`: elementwise ops, broadcasts and reductions that share their
      leading `parallel_dims` dimensions and reduce only later ones
      (softmax, layer norm, cross-entropy and their gradients); the region
      becomes one loop over tiles of those dimensions, each tile computed
      from its inputs to its outputs while it is in cache.

    Example:

    ```mlir
    %r:2 = ember.fusion "rows" -> (tensor<8x16xf32>, tensor<8x1xf32>)
        attributes {parallel_dims = 1 : i64} {
      %m = ember.max %x [1] keepdim : tensor<8x16xf32> -> tensor<8x1xf32>
      %b = ember.broadcast %m : tensor<8x1xf32> to tensor<8x16xf32>
      %d = ember.sub %x, %b : tensor<8x16xf32>
      ember.yield %d, %m : tensor<8x16xf32>, tensor<8x1xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$kind, OptionalAttr<I64Attr>:$parallel_dims);
  let results = (outs Variadic<Ember_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind (`->` `(` type($results)^ `)`)? attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Ember_YieldOp : Ember_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FusionOp">]> {
  let summary = "the values an `ember.fusion` region gives back";
  let arguments = (ins Variadic<Ember_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // EMBER_OPS_TD
