//===- EmberOps.cpp - ember op verifiers and result-type inference --------===//
//
// Each `inferReturnTypes` checks what ODS traits cannot say (dims in range,
// shapes that agree) and reports it at the op's location; dynamic (`?`)
// dimensions are accepted and propagate.
//
//===----------------------------------------------------------------------===//
#include "ember/Dialect/Ember/IR/EmberOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::ember;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// Formats a shape as `2x?x3` for diagnostics.
std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (d == kDynamic)
          os << "?";
        else
          os << d;
      },
      "x");
  return s.empty() ? "scalar" : s;
}

/// The product of static sizes, or nullopt on int64 overflow.
std::optional<int64_t> checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    std::optional<int64_t> next = llvm::checkedMul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return n;
}

/// Broadcasts two dimensions; fails on incompatible static sizes.
FailureOr<int64_t> broadcastDim(int64_t a, int64_t b) {
  if (a == 1)
    return b;
  if (b == 1)
    return a;
  if (a == kDynamic)
    return b;
  if (b == kDynamic || a == b)
    return a;
  return failure();
}

LogicalResult checkDims(std::optional<Location> loc, StringRef opName,
                        ArrayRef<int64_t> dims, int64_t rank) {
  llvm::SmallBitVector seen(std::max<int64_t>(rank, 1));
  for (int64_t d : dims) {
    if (d < 0 || d >= rank)
      return emitOptionalError(loc, "'ember.", opName, "' dimension ", d,
                               " is out of range for rank ", rank);
    if (seen.test(d))
      return emitOptionalError(loc, "'ember.", opName, "' dimension ", d,
                               " is repeated");
    seen.set(d);
  }
  return success();
}

/// Shared result type of the reductions over a list of dims.
LogicalResult inferReduce(std::optional<Location> loc, StringRef opName,
                          Value input, ArrayRef<int64_t> dims, bool keepdim,
                          SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(input.getType());
  if (failed(checkDims(loc, opName, dims, type.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, size] : llvm::enumerate(type.getShape())) {
    if (!llvm::is_contained(dims, static_cast<int64_t>(i)))
      shape.push_back(size);
    else if (keepdim)
      shape.push_back(1);
  }
  results.push_back(type.clone(shape));
  return success();
}

LogicalResult inferArgReduce(std::optional<Location> loc, StringRef opName,
                             Value input, int64_t dim, bool keepdim,
                             SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 0)
    return emitOptionalError(loc, "'ember.", opName,
                             "' needs an operand of rank >= 1");
  if (failed(checkDims(loc, opName, {dim}, type.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (auto [i, size] : llvm::enumerate(type.getShape())) {
    if (static_cast<int64_t>(i) != dim)
      shape.push_back(size);
    else if (keepdim)
      shape.push_back(1);
  }
  results.push_back(
      RankedTensorType::get(shape, IntegerType::get(type.getContext(), 64)));
  return success();
}

/// The shape of `type[start:stop:step]`, checking the ranges.
LogicalResult inferSliceShape(std::optional<Location> loc, StringRef opName,
                              RankedTensorType type, ArrayRef<int64_t> start,
                              ArrayRef<int64_t> stop, ArrayRef<int64_t> step,
                              SmallVectorImpl<int64_t> &shape) {
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(start.size()) != rank ||
      static_cast<int64_t>(stop.size()) != rank ||
      static_cast<int64_t>(step.size()) != rank)
    return emitOptionalError(loc, "'ember.", opName,
                             "' needs one start, stop and step per dimension "
                             "(rank ",
                             rank, ")");
  for (int64_t i = 0; i < rank; ++i) {
    int64_t size = type.getDimSize(i);
    if (step[i] < 1)
      return emitOptionalError(loc, "'ember.", opName, "' step ", step[i],
                               " in dimension ", i, " must be >= 1");
    if (start[i] < 0 || stop[i] < start[i] ||
        (size != kDynamic && stop[i] > size))
      return emitOptionalError(
          loc, "'ember.", opName, "' range ", start[i], ":", stop[i],
          " in dimension ", i, " is not within 0 <= start <= stop <= ",
          size == kDynamic ? std::string("?") : std::to_string(size));
    int64_t span = stop[i] - start[i];
    shape.push_back(span / step[i] + (span % step[i] != 0));
  }
  return success();
}

} // namespace

#include "ember/Dialect/Ember/IR/EmberInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "ember/Dialect/Ember/IR/EmberOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Broadcast, reshape, full, iota
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType();
  auto out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ: ")
           << in.getElementType() << " vs " << out.getElementType();
  if (in.getRank() > out.getRank())
    return emitOpError("cannot broadcast rank ")
           << in.getRank() << " to the lower rank " << out.getRank();
  int64_t offset = out.getRank() - in.getRank();
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t a = in.getDimSize(i), b = out.getDimSize(offset + i);
    if (a != 1 && a != kDynamic && b != kDynamic && a != b)
      return emitOpError("cannot broadcast shape ")
             << shapeStr(in.getShape()) << " to " << shapeStr(out.getShape())
             << ": dimension " << i << " has size " << a << ", expected 1 or "
             << b;
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType();
  auto out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ: ")
           << in.getElementType() << " vs " << out.getElementType();
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return success();
  std::optional<int64_t> inCount = checkedNumElements(in.getShape());
  std::optional<int64_t> outCount = checkedNumElements(out.getShape());
  if (!inCount || !outCount)
    return emitOpError("element count of ")
           << shapeStr((inCount ? out : in).getShape()) << " overflows int64";
  if (*inCount != *outCount)
    return emitOpError("cannot reshape ")
           << shapeStr(in.getShape()) << " (" << *inCount << " elements) to "
           << shapeStr(out.getShape()) << " (" << *outCount << " elements)";
  return success();
}

LogicalResult FusionOp::verify() {
  StringRef kind = getKind();
  if (kind != "elementwise" && kind != "rows")
    return emitOpError("kind must be \"elementwise\" or \"rows\", got \"")
           << kind << "\"";
  std::optional<int64_t> dims = getParallelDims();
  if (kind == "rows" && (!dims || *dims < 1))
    return emitOpError("of kind \"rows\" needs parallel_dims >= 1");
  Block &body = getBody().front();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("region must end in ember.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes().size()
           << " values whose types differ from its results";
  if (dims) {
    for (Type t : getResultTypes())
      if (cast<RankedTensorType>(t).getRank() < *dims)
        return emitOpError("result ")
               << t << " has fewer than parallel_dims = " << *dims
               << " dimensions";
  }
  return success();
}

LogicalResult FullOp::verify() {
  if (!getResult().getType().hasStaticShape())
    return emitOpError("result must have a static shape (nothing gives the "
                       "size of a `?` dimension)");
  Type elementType = getResult().getType().getElementType();
  if (getValue().getType() != elementType)
    return emitOpError("value of type ")
           << getValue().getType() << " does not match the element type "
           << elementType;
  return success();
}

LogicalResult IotaOp::verify() {
  if (!getResult().getType().hasStaticShape())
    return emitOpError("result must have a static shape (nothing gives the "
                       "size of a `?` dimension)");
  int64_t rank = getResult().getType().getRank();
  if (static_cast<int64_t>(getDim()) < 0 ||
      static_cast<int64_t>(getDim()) >= rank)
    return emitOpError("dimension ") << static_cast<int64_t>(getDim())
                                     << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

#define EMBER_REDUCE_INFER(OP, NAME)                                           \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, OP::Adaptor adaptor,         \
      SmallVectorImpl<Type> &results) {                                        \
    return inferReduce(loc, NAME, adaptor.getInput(), adaptor.getDims(),       \
                       adaptor.getKeepdim(), results);                         \
  }
EMBER_REDUCE_INFER(SumOp, "sum")
EMBER_REDUCE_INFER(MeanOp, "mean")
EMBER_REDUCE_INFER(ProdOp, "prod")
EMBER_REDUCE_INFER(MaxOp, "max")
EMBER_REDUCE_INFER(MinOp, "min")
#undef EMBER_REDUCE_INFER

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(loc, "argmax", adaptor.getInput(),
                        static_cast<int64_t>(adaptor.getDim()),
                        adaptor.getKeepdim(), results);
}

LogicalResult ArgminOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArgReduce(loc, "argmin", adaptor.getInput(),
                        static_cast<int64_t>(adaptor.getDim()),
                        adaptor.getKeepdim(), results);
}

LogicalResult CumsumOp::verify() {
  int64_t rank = getType().getRank();
  if (rank == 0)
    return emitOpError("needs an operand of rank >= 1");
  return checkDims(getLoc(), "cumsum", {static_cast<int64_t>(getDim())}, rank);
}

LogicalResult SortOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  if (type.getRank() == 0)
    return emitOptionalError(loc, "'ember.sort' needs an operand of rank >= 1");
  if (failed(checkDims(loc, "sort", {static_cast<int64_t>(adaptor.getDim())},
                       type.getRank())))
    return failure();
  results.push_back(type);
  results.push_back(type.clone(IntegerType::get(ctx, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getElementType() != rhs.getElementType())
    return emitOptionalError(
        loc, "'ember.matmul' element types differ: ", lhs.getElementType(),
        " vs ", rhs.getElementType());
  int64_t a = lhs.getRank(), b = rhs.getRank();
  if (a == 0 || b == 0)
    return emitOptionalError(loc,
                             "'ember.matmul' operands must have rank "
                             ">= 1, got shapes ",
                             shapeStr(lhs.getShape()), " and ",
                             shapeStr(rhs.getShape()));
  int64_t lhsK = lhs.getDimSize(a - 1);
  int64_t rhsK = b == 1 ? rhs.getDimSize(0) : rhs.getDimSize(b - 2);
  if (lhsK != kDynamic && rhsK != kDynamic && lhsK != rhsK)
    return emitOptionalError(
        loc,
        "'ember.matmul' contraction sizes differ: ", shapeStr(lhs.getShape()),
        " @ ", shapeStr(rhs.getShape()), " (", lhsK, " vs ", rhsK, ")");
  ArrayRef<int64_t> lhsBatch =
      a >= 2 ? lhs.getShape().drop_back(2) : ArrayRef<int64_t>();
  ArrayRef<int64_t> rhsBatch =
      b >= 2 ? rhs.getShape().drop_back(2) : ArrayRef<int64_t>();
  size_t nb = std::max(lhsBatch.size(), rhsBatch.size());
  SmallVector<int64_t> shape(nb, 1);
  for (size_t i = 0; i < nb; ++i) {
    int64_t x =
        i + lhsBatch.size() >= nb ? lhsBatch[i + lhsBatch.size() - nb] : 1;
    int64_t y =
        i + rhsBatch.size() >= nb ? rhsBatch[i + rhsBatch.size() - nb] : 1;
    FailureOr<int64_t> d = broadcastDim(x, y);
    if (failed(d))
      return emitOptionalError(loc,
                               "'ember.matmul' batch dimensions do not "
                               "broadcast: ",
                               shapeStr(lhs.getShape()), " @ ",
                               shapeStr(rhs.getShape()));
    shape[i] = *d;
  }
  if (a >= 2)
    shape.push_back(lhs.getDimSize(a - 2));
  if (b >= 2)
    shape.push_back(rhs.getDimSize(b - 1));
  results.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// Checks the shapes of a convolution given its input `(N, G*C, S...)`, filter
/// `(G*O, C, K...)` and output `(N, G*O, P...)`, whichever operand or result
/// of `op` each of them is.
static LogicalResult verifyConv(Operation *op, RankedTensorType input,
                                RankedTensorType filter,
                                RankedTensorType output,
                                ArrayRef<int64_t> stride,
                                ArrayRef<int64_t> dilation, int64_t groups) {
  auto shapes = [&] {
    return "input " + shapeStr(input.getShape()) + ", filter " +
           shapeStr(filter.getShape()) + ", output " +
           shapeStr(output.getShape());
  };
  int64_t rank = input.getRank();
  if (rank < 3 || rank > 5 || filter.getRank() != rank ||
      output.getRank() != rank)
    return op->emitOpError("needs rank 3 to 5 (1 to 3 spatial dims) for "
                           "input, filter and output alike, got ")
           << shapes();
  if (input.getElementType() != filter.getElementType() ||
      input.getElementType() != output.getElementType())
    return op->emitOpError("element types differ: ")
           << input.getElementType() << ", " << filter.getElementType() << ", "
           << output.getElementType();
  int64_t spatial = rank - 2;
  if (static_cast<int64_t>(stride.size()) != spatial ||
      static_cast<int64_t>(dilation.size()) != spatial)
    return op->emitOpError("needs one stride and one dilation per spatial "
                           "dim (")
           << spatial << "), got " << stride.size() << " and "
           << dilation.size();
  if (llvm::any_of(stride, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(dilation, [](int64_t v) { return v < 1; }))
    return op->emitOpError("stride and dilation must be >= 1");
  auto known = [](int64_t a, int64_t b) {
    return a == ShapedType::kDynamic || b == ShapedType::kDynamic || a == b;
  };
  if (!known(input.getDimSize(0), output.getDimSize(0)))
    return op->emitOpError("batch sizes differ: ") << shapes();
  int64_t c = filter.getDimSize(1), o = filter.getDimSize(0);
  if (!known(input.getDimSize(1), c == ShapedType::kDynamic ? c : c * groups))
    return op->emitOpError("input channels must be groups (")
           << groups << ") x filter dim 1: " << shapes();
  if (o != ShapedType::kDynamic && o % groups != 0)
    return op->emitOpError("filter dim 0 (")
           << o << ") is not divisible by groups (" << groups << ")";
  if (!known(output.getDimSize(1), o))
    return op->emitOpError("output channels differ from filter dim 0: ")
           << shapes();
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t sz = input.getDimSize(2 + i), k = filter.getDimSize(2 + i),
            p = output.getDimSize(2 + i);
    if (sz == ShapedType::kDynamic || k == ShapedType::kDynamic)
      continue;
    int64_t span = dilation[i] * (k - 1) + 1;
    if (k < 1 || sz < span)
      return op->emitOpError("spatial dim ")
             << i << ": the dilated kernel (" << span
             << ") is larger than the input (" << sz << "): " << shapes();
    if (!known(p, (sz - span) / stride[i] + 1))
      return op->emitOpError("spatial dim ")
             << i << ": output size " << p << " should be "
             << (sz - span) / stride[i] + 1 << ": " << shapes();
  }
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConv(*this, getLhs().getType(), getRhs().getType(), getType(),
                    getStride(), getDilation(), getGroups());
}

LogicalResult ConvTransposeOp::verify() {
  return verifyConv(*this, getType(), getRhs().getType(), getLhs().getType(),
                    getStride(), getDilation(), getGroups());
}

LogicalResult ConvWeightGradOp::verify() {
  return verifyConv(*this, getLhs().getType(), getType(), getRhs().getType(),
                    getStride(), getDilation(), getGroups());
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (static_cast<int64_t>(perm.size()) != type.getRank())
    return emitOptionalError(loc, "'ember.transpose' permutation has ",
                             perm.size(), " entries for rank ", type.getRank());
  if (failed(checkDims(loc, "transpose", perm, type.getRank())))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  results.push_back(type.clone(shape));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  SmallVector<int64_t> shape;
  if (failed(inferSliceShape(loc, "slice", type, adaptor.getStart(),
                             adaptor.getStop(), adaptor.getStep(), shape)))
    return failure();
  results.push_back(type.clone(shape));
  return success();
}

LogicalResult InsertSliceOp::verify() {
  RankedTensorType source = getSource().getType(), dest = getDest().getType();
  if (source.getElementType() != dest.getElementType())
    return emitOpError("element types differ: ")
           << source.getElementType() << " vs " << dest.getElementType();
  SmallVector<int64_t> slice;
  if (failed(inferSliceShape(getLoc(), "insert_slice", dest, getStart(),
                             getStop(), getStep(), slice)))
    return failure();
  if (static_cast<int64_t>(slice.size()) != source.getRank())
    return emitOpError("source rank ")
           << source.getRank() << " differs from the destination rank "
           << dest.getRank();
  for (auto [a, b] : llvm::zip(slice, source.getShape()))
    if (a != b && a != kDynamic && b != kDynamic)
      return emitOpError("source shape ")
             << shapeStr(source.getShape()) << " differs from the slice shape "
             << shapeStr(slice);
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "'ember.concat' needs at least one input");
  auto first = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = first.getRank();
  int64_t dim = static_cast<int64_t>(adaptor.getDim());
  if (dim < 0 || dim >= rank)
    return emitOptionalError(loc, "'ember.concat' dimension ", dim,
                             " is out of range for rank ", rank);
  SmallVector<int64_t> shape(first.getShape());
  for (auto [n, v] : llvm::enumerate(inputs.drop_front())) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != first.getElementType() || t.getRank() != rank)
      return emitOptionalError(loc, "'ember.concat' input ", n + 1, " (", t,
                               ") does not match input 0 (", first,
                               ") in rank or element type");
    SmallVector<int64_t> before(shape);
    for (int64_t i = 0; i < rank; ++i) {
      int64_t a = shape[i], b = t.getDimSize(i);
      if (i == dim) {
        if (a == kDynamic || b == kDynamic) {
          shape[i] = kDynamic;
          continue;
        }
        std::optional<int64_t> sum = llvm::checkedAdd(a, b);
        if (!sum)
          return emitOptionalError(loc, "'ember.concat' size of dimension ",
                                   dim, " overflows");
        shape[i] = *sum;
        continue;
      }
      if (a != kDynamic && b != kDynamic && a != b)
        return emitOptionalError(loc, "'ember.concat' input ", n + 1,
                                 " has shape ", shapeStr(t.getShape()),
                                 ", which differs from the inputs before it (",
                                 shapeStr(before), ") outside dimension ", dim);
      if (a == kDynamic)
        shape[i] = b;
    }
  }
  results.push_back(first.clone(shape));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(low.size()) != rank ||
      static_cast<int64_t>(high.size()) != rank)
    return emitOptionalError(loc,
                             "'ember.pad' needs one low and one high "
                             "amount per dimension (rank ",
                             rank, ")");
  auto value = dyn_cast_if_present<TypedAttr>(adaptor.getValueAttr());
  if (!value || value.getType() != type.getElementType())
    return emitOptionalError(loc,
                             "'ember.pad' value must have the element "
                             "type ",
                             type.getElementType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (low[i] < 0 || high[i] < 0)
      return emitOptionalError(loc, "'ember.pad' amounts must be >= 0, got ",
                               low[i], " and ", high[i], " in dimension ", i);
    int64_t size = type.getDimSize(i);
    if (size == kDynamic) {
      shape.push_back(kDynamic);
      continue;
    }
    std::optional<int64_t> padded = llvm::checkedAdd(size, low[i]);
    if (padded)
      padded = llvm::checkedAdd(*padded, high[i]);
    if (!padded)
      return emitOptionalError(loc, "'ember.pad' size of dimension ", i,
                               " overflows");
    shape.push_back(*padded);
  }
  results.push_back(type.clone(shape));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto index = cast<RankedTensorType>(adaptor.getIndex().getType());
  int64_t rank = input.getRank();
  int64_t dim = static_cast<int64_t>(adaptor.getDim());
  if (index.getRank() != rank)
    return emitOptionalError(loc, "'ember.gather' index rank ", index.getRank(),
                             " differs from input rank ", rank);
  if (dim < 0 || dim >= rank)
    return emitOptionalError(loc, "'ember.gather' dimension ", dim,
                             " is out of range for rank ", rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t a = index.getDimSize(i), b = input.getDimSize(i);
    if (i != dim && a != kDynamic && b != kDynamic && a > b)
      return emitOptionalError(loc, "'ember.gather' index shape ",
                               shapeStr(index.getShape()),
                               " exceeds input shape ",
                               shapeStr(input.getShape()), " in dimension ", i);
  }
  results.push_back(index.clone(input.getElementType()));
  return success();
}
