//===- VectorizeRowCopies.cpp - the ember-vectorize-row-copies pass -------===//
//
// Short innermost copy loops (an im2col gather's rows, a padded buffer's
// interior, a fill) become one vector transfer per row. LLVM would fully
// unroll them first and then vectorize the loop around them, across rows,
// with gathers and scatters.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERVECTORIZEROWCOPIES
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kMaxRow = 256;

/// True if `type`'s last dim has unit stride.
bool unitInnerStride(MemRefType type) {
  if (type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// True if `v` is defined outside `loop` (or is not `loop`'s to change).
bool invariant(Value v, scf::ForOp loop) {
  return !loop.getBodyRegion().isAncestor(v.getParentRegion());
}

/// An index that advances by one per iteration of a loop: the induction
/// variable itself, `arith.addi` of it and a loop-invariant `offset`, or an
/// `affine.apply` whose single result is the induction variable (operand
/// `ivPosition`) plus `atZero`, an expression of the other, loop-invariant
/// operands.
struct RowIndex {
  Value offset;                // for arith.addi
  affine::AffineApplyOp apply; // for affine.apply
  int64_t ivPosition = -1;
  AffineExpr atZero;
};

/// `index` as a RowIndex of `loop`, if it is one.
std::optional<RowIndex> rowIndex(Value index, scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  if (index == iv)
    return RowIndex{};
  if (auto add = index.getDefiningOp<arith::AddIOp>()) {
    Value other = add.getLhs() == iv   ? add.getRhs()
                  : add.getRhs() == iv ? add.getLhs()
                                       : Value();
    if (!other || !invariant(other, loop))
      return std::nullopt;
    return RowIndex{other, {}, -1, {}};
  }
  auto apply = index.getDefiningOp<affine::AffineApplyOp>();
  if (!apply || apply.getAffineMap().getNumResults() != 1)
    return std::nullopt;
  AffineMap map = apply.getAffineMap();
  int64_t ivPosition = -1;
  for (auto [i, operand] : llvm::enumerate(apply.getMapOperands())) {
    if (operand == iv) {
      if (ivPosition >= 0)
        return std::nullopt;
      ivPosition = i;
    } else if (!invariant(operand, loop)) {
      return std::nullopt;
    }
  }
  if (ivPosition < 0 || static_cast<unsigned>(ivPosition) >= map.getNumDims())
    return std::nullopt;
  // The result must be iv + f(others): its derivative in iv is exactly 1,
  // and f does not depend on iv in another way (e.g. through a floordiv).
  MLIRContext *ctx = loop.getContext();
  AffineExpr expr = map.getResult(0);
  AffineExpr ivExpr = getAffineDimExpr(ivPosition, ctx);
  AffineExpr one = getAffineConstantExpr(1, ctx);
  AffineExpr atZero = expr.replace(ivExpr, getAffineConstantExpr(0, ctx));
  AffineExpr step = simplifyAffineExpr(expr.replace(ivExpr, one) - atZero,
                                       map.getNumDims(), map.getNumSymbols());
  if (step != one || !atZero.isPureAffine() ||
      atZero.isFunctionOfDim(ivPosition))
    return std::nullopt;
  return RowIndex{{}, apply, ivPosition, atZero};
}

/// The first element's index of `row`, built at `b` (before the loop).
Value rowStart(OpBuilder &b, Location loc, RowIndex row) {
  if (row.offset)
    return row.offset;
  if (!row.apply)
    return arith::ConstantIndexOp::create(b, loc, 0);
  AffineMap map = row.apply.getAffineMap();
  SmallVector<Value> operands(row.apply.getMapOperands());
  operands[row.ivPosition] = arith::ConstantIndexOp::create(b, loc, 0);
  return affine::AffineApplyOp::create(
      b, loc, AffineMap::get(map.getNumDims(), map.getNumSymbols(), row.atZero),
      operands);
}

/// The buffer `v` is a view of (through subviews, reshapes, casts).
Value baseBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// True if every index of an access but the last one is loop-invariant.
bool rowAccess(ValueRange indices, scf::ForOp loop) {
  if (indices.empty())
    return false;
  for (Value v : indices.drop_back())
    if (!invariant(v, loop))
      return false;
  return true;
}

/// A scalar of a type the vector dialect takes (not index).
bool vectorizableScalar(Type t) {
  return (isa<FloatType>(t) || isa<IntegerType>(t)) &&
         VectorType::isValidElementType(t);
}

/// What one iteration of an innermost loop (from 0 to a constant count of at
/// least 2, step 1, no results) does, when it computes elements of rows:
/// loads of rows (unit inner stride, the last index advancing with the
/// induction variable, the others loop-invariant), loads of scalars at
/// loop-invariant indices, elementwise arith / math ops on them and on
/// loop-invariant values, and stores of rows at the induction variable into
/// distinct buffers that no scalar is read from.
struct RowLoop {
  int64_t n = 0;
  SmallVector<memref::LoadOp> loads, scalars;
  SmallVector<RowIndex> rows; // of each row load's last index
  SmallVector<Operation *> compute;
  SmallVector<memref::StoreOp> stores;
  int64_t widest = 8; // bits of the widest scalar type involved
};

std::optional<RowLoop> analyzeRowLoop(scf::ForOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound());
  auto ub = getConstantIntValue(loop.getUpperBound());
  auto step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *lb != 0 || *step != 1 || *ub < 2 ||
      loop.getNumResults() != 0)
    return std::nullopt;
  RowLoop body;
  body.n = *ub;
  Value iv = loop.getInductionVar();
  DenseSet<Value> rowValues; // values with one element per iteration
  auto isScalar = [&](Value v) {
    return llvm::is_contained(body.scalars, v.getDefiningOp());
  };
  auto widen = [&](Type t) {
    body.widest = std::max<int64_t>(body.widest, t.getIntOrFloatBitWidth());
  };
  auto isIndexOp = [](Operation &op) {
    return isa<affine::AffineApplyOp>(op) ||
           (isa<arith::AddIOp, arith::ConstantOp>(op) &&
            llvm::all_of(op.getResultTypes(), llvm::IsaPred<IndexType>));
  };
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto s = dyn_cast<memref::StoreOp>(op)) {
      if (!rowAccess(s.getIndices(), loop) || s.getIndices().back() != iv ||
          !unitInnerStride(s.getMemRefType()) ||
          !vectorizableScalar(s.getMemRefType().getElementType()))
        return std::nullopt;
      widen(s.getMemRefType().getElementType());
      body.stores.push_back(s);
    } else if (auto l = dyn_cast<memref::LoadOp>(op)) {
      if (!vectorizableScalar(l.getType()))
        return std::nullopt;
      widen(l.getType());
      if (llvm::all_of(l.getIndices(),
                       [&](Value v) { return invariant(v, loop); })) {
        body.scalars.push_back(l);
        continue;
      }
      if (!rowAccess(l.getIndices(), loop) ||
          !unitInnerStride(l.getMemRefType()))
        return std::nullopt;
      std::optional<RowIndex> row = rowIndex(l.getIndices().back(), loop);
      if (!row)
        return std::nullopt;
      body.loads.push_back(l);
      body.rows.push_back(*row);
      rowValues.insert(l.getResult());
    } else if (isIndexOp(op)) {
      continue;
    } else if (OpTrait::hasElementwiseMappableTraits(&op) &&
               isMemoryEffectFree(&op) && op.getNumRegions() == 0 &&
               isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) &&
               llvm::all_of(op.getResultTypes(), vectorizableScalar)) {
      for (Type t : op.getResultTypes())
        widen(t);
      for (Value operand : op.getOperands())
        if (!rowValues.contains(operand) && !isScalar(operand) &&
            !(invariant(operand, loop) &&
              vectorizableScalar(operand.getType())))
          return std::nullopt;
      body.compute.push_back(&op);
      for (Value r : op.getResults())
        rowValues.insert(r);
    } else {
      return std::nullopt;
    }
  }
  if (body.stores.empty())
    return std::nullopt;
  // Stores go to distinct buffers, which no scalar is read from. A load of
  // a buffer the loop writes must read exactly the element the same
  // iteration writes (an in-place update); any other one might read an
  // element an earlier iteration wrote.
  DenseSet<Value> written;
  for (memref::StoreOp store : body.stores) {
    if (!written.insert(baseBuffer(store.getMemRef())).second)
      return std::nullopt;
    Value value = store.getValueToStore();
    if (!rowValues.contains(value) && !invariant(value, loop) &&
        !isScalar(value))
      return std::nullopt;
  }
  for (memref::LoadOp scalar : body.scalars)
    if (written.contains(baseBuffer(scalar.getMemRef())))
      return std::nullopt;
  for (memref::LoadOp load : body.loads)
    for (memref::StoreOp store : body.stores)
      if (baseBuffer(load.getMemRef()) == baseBuffer(store.getMemRef()) &&
          (load.getMemRef() != store.getMemRef() ||
           load.getIndices() != store.getIndices()))
        return std::nullopt;
  // Index computations feeding the loads only: nothing else may use them.
  for (Operation &op : loop.getBody()->without_terminator())
    if (isIndexOp(op))
      for (Operation *user : op.getUsers())
        if (!isa<memref::LoadOp, memref::StoreOp>(user) && !isIndexOp(*user))
          return std::nullopt;
  return body;
}

/// Emits `body`'s computation on vectors of `lanes` at `b`: row `i` read
/// from `rowAt(i)`, the same ops (attributes and properties included) on
/// vectors, each row stored at `storeAt()`. Values from outside the
/// iteration, and the scalar loads through `scalars` (their copies outside),
/// are broadcast right before `broadcastAt`.
void emitVectors(OpBuilder &b, Location loc, RowLoop &body, int64_t lanes,
                 function_ref<Value(size_t)> rowAt,
                 function_ref<Value()> storeAt, Operation *broadcastAt,
                 const IRMapping &scalars) {
  IRMapping map;
  DenseMap<Value, Value> broadcasts;
  auto vectorOf = [&](Value v) -> Value {
    if (Value mapped = map.lookupOrNull(v))
      return mapped;
    Value scalar = scalars.lookupOrDefault(v);
    Value &splat = broadcasts[scalar];
    if (!splat) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(broadcastAt);
      splat = vector::BroadcastOp::create(
          b, loc, VectorType::get({lanes}, scalar.getType()), scalar);
    }
    return splat;
  };
  for (auto [i, load] : llvm::enumerate(body.loads)) {
    SmallVector<Value> indices(load.getIndices().drop_back());
    indices.push_back(rowAt(i));
    Value padding = arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(b.getZeroAttr(load.getType())));
    map.map(load.getResult(),
            vector::TransferReadOp::create(
                b, loc, VectorType::get({lanes}, load.getType()),
                load.getMemRef(), indices, padding, ArrayRef<bool>{true}));
  }
  for (Operation *op : body.compute) {
    IRMapping operands;
    for (Value operand : op->getOperands())
      operands.map(operand, vectorOf(operand));
    Operation *vectorOp = b.clone(*op, operands);
    for (Value r : vectorOp->getResults())
      r.setType(VectorType::get({lanes}, r.getType()));
    map.map(op->getResults(), vectorOp->getResults());
  }
  for (memref::StoreOp store : body.stores) {
    SmallVector<Value> indices(store.getIndices().drop_back());
    indices.push_back(storeAt());
    vector::TransferWriteOp::create(b, loc, vectorOf(store.getValueToStore()),
                                    store.getMemRef(), indices,
                                    ArrayRef<bool>{true});
  }
}

/// Rewrites `loop` if it computes one short row (at most kMaxRow elements)
/// from rows and loop-invariant values: one store, no scalar loads. The
/// whole row becomes one vector of its length. Returns true if it did.
bool vectorizeRow(scf::ForOp loop) {
  std::optional<RowLoop> body = analyzeRowLoop(loop);
  if (!body || body->n > kMaxRow || body->stores.size() != 1 ||
      !body->scalars.empty())
    return false;
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  emitVectors(
      b, loc, *body, body->n,
      [&](size_t i) { return rowStart(b, loc, body->rows[i]); },
      [&] { return arith::ConstantIndexOp::create(b, loc, 0); }, loop,
      IRMapping());
  loop.erase();
  return true;
}

/// Bits of the vectors `vectorizeStrips` computes on: one AVX-512 register.
constexpr int64_t kStripBits = 512;

/// Rewrites `loop` if each iteration computes one element of several rows,
/// or reads loop-invariant scalars from memory (see RowLoop). The loop
/// becomes a loop over strips of one 512-bit vector each (the same
/// computation on vectors, the scalars loaded once before it; a row shorter
/// than that is one vector), followed by the original loop for the elements
/// left over. LLVM's loop vectorizer leaves such loops scalar: it cannot
/// hoist the scalar loads past the stores, and it would need a run time
/// check per pair of buffers (an optimizer update: 10 loads, 3 stores).
/// Ember's regions never write a buffer they read through another argument,
/// which is what makes the strips safe. Returns true if it rewrote the loop.
bool vectorizeStrips(scf::ForOp loop) {
  std::optional<RowLoop> body = analyzeRowLoop(loop);
  if (!body || (body->stores.size() < 2 && body->scalars.empty()))
    return false;
  int64_t n = body->n;
  // A row shorter than a register is one vector of its length.
  int64_t lanes = std::min(kStripBits / body->widest, n);
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  // The scalars, loaded once.
  IRMapping hoisted;
  for (memref::LoadOp scalar : body->scalars)
    hoisted.map(scalar.getResult(), b.clone(*scalar)->getResult(0));
  SmallVector<Value> starts;
  for (RowIndex row : body->rows)
    starts.push_back(rowStart(b, loc, row));
  int64_t full = n - n % lanes;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto strips = scf::ForOp::create(
      b, loc, zero, arith::ConstantIndexOp::create(b, loc, full),
      arith::ConstantIndexOp::create(b, loc, lanes));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(strips.getBody()->getTerminator());
    Value j = strips.getInductionVar();
    emitVectors(
        b, loc, *body, lanes,
        [&](size_t i) { return arith::AddIOp::create(b, loc, starts[i], j); },
        [&] { return j; }, strips, hoisted);
  }
  // The elements left over: the original loop from `full`.
  if (full == n) {
    loop.erase();
  } else {
    loop.setLowerBound(arith::ConstantIndexOp::create(b, loc, full));
  }
  return true;
}

struct EmberVectorizeRowCopies
    : public ember::impl::EmberVectorizeRowCopiesBase<EmberVectorizeRowCopies> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      bool innermost = true;
      loop.getBody()->walk([&](LoopLikeOpInterface) { innermost = false; });
      if (innermost)
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      // Index computations of the outer loops' variables move out first.
      moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
      if (!vectorizeRow(loop))
        vectorizeStrips(loop);
    }
  }
};

} // namespace
