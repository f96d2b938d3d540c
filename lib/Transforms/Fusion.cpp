//===- Fusion.cpp - ember-fusion and ember-lower-fusion -------------------===//
//
// `ember-fusion` groups ember ops into `ember.fusion` regions, one kernel
// each; `ember-lower-fusion` turns each region (by then linalg on tensors)
// into that kernel and inlines it.
//
// Grouping (ember level, static shapes only):
//
//  - "rows" regions grow from a reduction over trailing dims `[k, rank)`:
//    they take the elementwise ops, broadcasts, splat fills and other such
//    reductions around it whose results all start with the same `k` dims
//    (softmax, layer norm, cross-entropy and their gradients).
//  - "elementwise" regions are the connected elementwise ops of one result
//    shape left over, with the broadcasts and fills feeding them.
//
//  A region never creates a cycle: an op joins only if no path through ops
//  outside the region leads from the region to it or from it to the region.
//  Ops outside that depend on the region move below it.
//
// Lowering (linalg on tensors, after convert-ember-to-linalg):
//
//  - Inside a region, elementwise producers fuse into their consumers also
//    when the region yields them (the fused op then has one more result), so
//    an optimizer update of three tensors is one loop, not three.
//  - A "rows" region becomes one `scf.forall` over tiles of its `k` leading
//    dims: every op is tiled to the tile's rows, in order, each reading its
//    in-region operands as the tiles computed before it, so a tile's rows
//    are read from memory once and the intermediates stay in cache.
//
//===----------------------------------------------------------------------===//
#include "ember/Dialect/Ember/IR/EmberOps.h"
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERFUSION
#define GEN_PASS_DEF_EMBERLOWERFUSION
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;
using namespace mlir::ember;

namespace {

//===----------------------------------------------------------------------===//
// ember-fusion: grouping
//===----------------------------------------------------------------------===//

bool isStaticTensor(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.hasStaticShape();
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The reduced dims of a reduction that may join a region, if `op` is one.
std::optional<ArrayRef<int64_t>> reducedDims(Operation *op) {
  return TypeSwitch<Operation *, std::optional<ArrayRef<int64_t>>>(op)
      .Case<SumOp, MeanOp, MaxOp, MinOp, ProdOp>(
          [](auto r) -> std::optional<ArrayRef<int64_t>> {
            return r.getDims();
          })
      .Default([](Operation *) { return std::nullopt; });
}

enum class Role { None, Elementwise, Broadcast, Reduce, Fill };

Role roleOf(Operation *op) {
  if (!isa_and_present<EmberDialect>(op->getDialect()) ||
      op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      !llvm::all_of(op->getOperandTypes(), isStaticTensor) ||
      !isStaticTensor(op->getResult(0).getType()))
    return Role::None;
  // Empty tensors have no work to fuse (and no rows to tile).
  auto hasNoElements = [](Type t) {
    return cast<RankedTensorType>(t).getNumElements() == 0;
  };
  if (llvm::any_of(op->getOperandTypes(), hasNoElements) ||
      hasNoElements(op->getResult(0).getType()))
    return Role::None;
  if (op->hasTrait<OpTrait::Elementwise>())
    return Role::Elementwise;
  if (isa<BroadcastOp>(op))
    return Role::Broadcast;
  if (isa<FullOp>(op))
    return Role::Fill;
  if (auto dims = reducedDims(op); dims && !dims->empty())
    return Role::Reduce;
  return Role::None;
}

/// Ops that do work in a kernel (broadcasts and fills fold into them).
bool isCompute(Operation *op) {
  Role role = roleOf(op);
  return role == Role::Elementwise || role == Role::Reduce;
}

/// One region being grown in a block.
class Group {
public:
  Group(Block *block, Operation *seed, bool rows, int64_t k,
        ArrayRef<int64_t> shape)
      : block(block), rows(rows), k(k), shape(shape) {
    add(seed);
  }

  bool contains(Operation *op) const { return members.contains(op); }
  ArrayRef<Operation *> ops() const { return members.getArrayRef(); }
  bool isRows() const { return rows; }
  int64_t parallelDims() const { return k; }

  /// The op in this block that holds `op` (itself, or the region it is in).
  Operation *inBlock(Operation *op) const {
    return op ? block->findAncestorOpInBlock(*op) : nullptr;
  }

  /// Whether `op` may join: its kind and shape fit, the edges between it and
  /// the members keep every tile's rows aligned, and no path outside the
  /// group connects it to the group both ways.
  bool accepts(Operation *op) {
    if (op->getBlock() != block || contains(op) || !fits(op))
      return false;
    for (Value operand : op->getOperands())
      if (contains(operand.getDefiningOp()) && !alignedEdge(op))
        return false;
    for (Operation *user : op->getUsers())
      if (contains(user) && !alignedEdge(user))
        return false;
    // One memo per question: the group does not change while it is asked.
    DenseMap<Operation *, bool> depends, reaches;
    for (Value operand : op->getOperands()) {
      Operation *def = inBlock(operand.getDefiningOp());
      if (def && !contains(def) && dependsOnGroup(def, depends))
        return false;
    }
    for (Operation *user : op->getUsers()) {
      Operation *u = inBlock(user);
      if (u && !contains(u) && reachesGroup(u, reaches))
        return false;
    }
    return true;
  }

  void add(Operation *op) {
    members.insert(op);
    if (!first || op->isBeforeInBlock(first))
      first = op;
    if (!last || last->isBeforeInBlock(op))
      last = op;
  }

  /// Grows the group from its members until nothing more joins.
  void grow() {
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t i = 0; i < members.size(); ++i) {
        Operation *member = members[i];
        for (Value operand : member->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (def && accepts(def)) {
            add(def);
            changed = true;
          }
        }
        for (Operation *user : member->getUsers()) {
          if (accepts(user)) {
            add(user);
            changed = true;
          }
        }
      }
    }
  }

  Operation *firstOp() const { return first; }
  Operation *lastOp() const { return last; }

private:
  bool hasPrefix(ArrayRef<int64_t> s) const {
    return static_cast<int64_t>(s.size()) >= k &&
           s.take_front(k) == ArrayRef<int64_t>(shape).take_front(k);
  }

  bool fits(Operation *op) const {
    Role role = roleOf(op);
    if (role == Role::None)
      return false;
    ArrayRef<int64_t> result = shapeOf(op->getResult(0));
    if (!rows)
      return role != Role::Reduce && result == ArrayRef<int64_t>(shape);
    if (!hasPrefix(result))
      return false;
    if (role == Role::Reduce) {
      if (!hasPrefix(shapeOf(op->getOperand(0))))
        return false;
      return llvm::all_of(*reducedDims(op), [&](int64_t d) { return d >= k; });
    }
    return true;
  }

  /// A broadcast inside a rows group keeps the leading dims in place only if
  /// it does not add dims (dims align from the right).
  bool alignedEdge(Operation *consumer) const {
    if (!rows || !isa<BroadcastOp>(consumer))
      return true;
    Value input = consumer->getOperand(0);
    return shapeOf(input).size() == shapeOf(consumer->getResult(0)).size() &&
           hasPrefix(shapeOf(input));
  }

public:
  /// Whether `op` (in the block) is a member or depends on one; `memo`
  /// remembers the answers while the group stays the same.
  bool dependsOnGroup(Operation *op, DenseMap<Operation *, bool> &memo) {
    if (contains(op))
      return true;
    if (op->isBeforeInBlock(first))
      return false;
    auto [it, inserted] = memo.try_emplace(op, false);
    if (!inserted)
      return it->second;
    bool result = false;
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands()) {
        Operation *def = inBlock(operand.getDefiningOp());
        if (def && def != op && dependsOnGroup(def, memo)) {
          result = true;
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    memo[op] = result;
    return result;
  }

private:
  /// Whether `op` (in the block) is a member or some member depends on it.
  bool reachesGroup(Operation *op, DenseMap<Operation *, bool> &memo) {
    if (contains(op))
      return true;
    if (last->isBeforeInBlock(op))
      return false;
    auto [it, inserted] = memo.try_emplace(op, false);
    if (!inserted)
      return it->second;
    bool result = false;
    for (Value v : op->getResults()) {
      for (Operation *user : v.getUsers()) {
        Operation *u = inBlock(user);
        if (u && u != op && reachesGroup(u, memo)) {
          result = true;
          break;
        }
      }
      if (result)
        break;
    }
    memo[op] = result;
    return result;
  }

  Block *block;
  bool rows;
  int64_t k;
  SmallVector<int64_t> shape;
  llvm::SetVector<Operation *> members;
  Operation *first = nullptr;
  Operation *last = nullptr;
};

/// Wraps the group's ops into an `ember.fusion` right after its last op.
/// Ops between its first and last op that depend on it move below it.
FusionOp materialize(Group &group, OpBuilder &b) {
  SmallVector<Operation *> movers;
  DenseMap<Operation *, bool> depends;
  for (Operation *op = group.firstOp()->getNextNode(); op != group.lastOp();
       op = op->getNextNode())
    if (!group.contains(op) && group.dependsOnGroup(op, depends))
      movers.push_back(op);

  // Values the rest of the function uses, in op order.
  SmallVector<Operation *> ordered(group.ops());
  llvm::sort(ordered,
             [](Operation *a, Operation *c) { return a->isBeforeInBlock(c); });
  SmallVector<Value> yielded;
  for (Operation *op : ordered)
    for (Value v : op->getResults())
      if (llvm::any_of(v.getUsers(), [&](Operation *user) {
            return !group.contains(group.inBlock(user));
          }))
        yielded.push_back(v);

  Operation *last = group.lastOp();
  b.setInsertionPointAfter(last);
  auto fusion = FusionOp::create(
      b, last->getLoc(), ValueRange(yielded).getTypes(),
      b.getStringAttr(group.isRows() ? "rows" : "elementwise"),
      group.isRows() ? b.getI64IntegerAttr(group.parallelDims())
                     : IntegerAttr());
  Block *body = b.createBlock(&fusion.getBody());
  for (Operation *op : ordered)
    op->moveBefore(body, body->end());
  b.setInsertionPointToEnd(body);
  YieldOp::create(b, last->getLoc(), yielded);
  for (auto [v, r] : llvm::zip(yielded, fusion.getResults()))
    v.replaceUsesWithIf(r, [&](OpOperand &use) {
      return use.getOwner()->getParentOp() != fusion.getOperation() &&
             !fusion->isProperAncestor(use.getOwner());
    });
  Operation *anchor = fusion;
  for (Operation *op : movers) {
    op->moveAfter(anchor);
    anchor = op;
  }
  return fusion;
}

/// `reshape(reduce(x, dims))` that only re-inserts the reduced unit dims is
/// `reduce(x, dims, keepdim)`: the shape rows regions can tile through.
template <typename ReduceOpTy>
struct KeepdimThroughReshape : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern<ReshapeOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto reduce = op.getInput().getDefiningOp<ReduceOpTy>();
    if (!reduce || reduce.getKeepdim() || !reduce->hasOneUse())
      return failure();
    auto inType = cast<RankedTensorType>(reduce.getInput().getType());
    SmallVector<int64_t> kept(inType.getShape());
    for (int64_t d : reduce.getDims())
      kept[d] = 1;
    if (ArrayRef<int64_t>(kept) != op.getType().getShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReduceOpTy>(op, op.getType(), reduce.getInput(),
                                            reduce.getDimsAttr(),
                                            rewriter.getUnitAttr());
    rewriter.eraseOp(reduce);
    return success();
  }
};

struct EmberFusion : public ember::impl::EmberFusionBase<EmberFusion> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<KeepdimThroughReshape<SumOp>, KeepdimThroughReshape<MeanOp>,
                 KeepdimThroughReshape<MaxOp>, KeepdimThroughReshape<MinOp>,
                 KeepdimThroughReshape<ProdOp>>(ctx);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();

    SmallVector<Block *> blocks;
    getOperation()->walk([&](Block *block) {
      if (!isa<FusionOp>(block->getParentOp()))
        blocks.push_back(block);
    });
    for (Block *block : blocks)
      fuseBlock(block);
  }

  void fuseBlock(Block *block) {
    OpBuilder b(&getContext());
    DenseSet<Operation *> tried;
    // Rows regions first, seeded by reductions over trailing dims.
    for (bool rows : {true, false}) {
      SmallVector<Operation *> seeds;
      for (Operation &op : *block) {
        Role role = roleOf(&op);
        if (rows ? role == Role::Reduce : role == Role::Elementwise)
          seeds.push_back(&op);
      }
      for (Operation *seed : seeds) {
        if (tried.contains(seed) || seed->getBlock() != block)
          continue;
        int64_t k = 0;
        ArrayRef<int64_t> shape = shapeOf(seed->getResult(0));
        if (rows) {
          ArrayRef<int64_t> dims = *reducedDims(seed);
          k = *llvm::min_element(dims);
          shape = shapeOf(seed->getOperand(0));
          if (k == 0)
            continue;
        }
        Group group(block, seed, rows, k, shape);
        group.grow();
        for (Operation *op : group.ops())
          tried.insert(op);
        if (llvm::count_if(group.ops(), isCompute) < 2)
          continue;
        materialize(group, b);
      }
    }
  }
};

//===----------------------------------------------------------------------===//
// ember-lower-fusion
//===----------------------------------------------------------------------===//

/// Fuses elementwise producers into their only consumers within each block
/// (linalg's elementwise fusion, never across a region's boundary), and
/// folds the reshape pairs a keepdim reduction and its broadcast leave.
LogicalResult fuseWithinBlocks(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  linalg::ControlFusionFn control = [](OpOperand *operand) {
    Operation *producer = operand->get().getDefiningOp();
    return producer &&
           producer->getBlock() == operand->getOwner()->getBlock() &&
           producer->hasOneUse();
  };
  linalg::populateElementwiseOpsFusionPatterns(patterns, control);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsGreedily(root, std::move(patterns));
}

/// Whether `op` is an all-parallel generic over its result's shape whose
/// payload does not read its outputs.
bool isElementwiseGeneric(Operation *op, ArrayRef<int64_t> shape) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  for (OpOperand &init : generic.getDpsInitsMutable())
    if (!generic.getMatchingIndexingMap(&init).isIdentity() ||
        shapeOf(init.get()) != shape ||
        generic.payloadUsesValueFromOperand(&init))
      return false;
  return true;
}

/// Builds an "elementwise" region as one linalg.generic with a result per
/// yielded value: every op's payload, in order, in one body, reading the
/// region's inputs once. Fails (building nothing) unless every op is an
/// elementwise generic of the region's shape, a fill, or a tensor.empty or
/// constant.
LogicalResult mergeElementwise(FusionOp fusion) {
  Block &body = fusion.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().empty())
    return failure();
  ArrayRef<int64_t> shape = shapeOf(yield.getValues()[0]);
  SmallVector<linalg::GenericOp> generics;
  DenseMap<Value, Value> fills; // fill result -> its scalar
  SmallVector<Value> inputs;
  SmallVector<AffineMap> inputMaps;
  for (Operation &op : body.without_terminator()) {
    if (isa<tensor::EmptyOp, arith::ConstantOp>(op))
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(op)) {
      if (shapeOf(fill.getResult(0)) != shape)
        return failure();
      fills[fill.getResult(0)] = fill.getInputs()[0];
      continue;
    }
    if (!isElementwiseGeneric(&op, shape))
      return failure();
    auto generic = cast<linalg::GenericOp>(op);
    for (OpOperand *in : generic.getDpsInputOperands()) {
      Value v = in->get();
      Operation *def = v.getDefiningOp();
      AffineMap map = generic.getMatchingIndexingMap(in);
      if (def && def->getBlock() == &body) {
        // Computed in the region: read element by element.
        if (!map.isIdentity() ||
            (!fills.count(v) && !isa<linalg::GenericOp>(def)))
          return failure();
        continue;
      }
      bool seen = false;
      for (auto [x, m] : llvm::zip(inputs, inputMaps))
        seen |= x == v && m == map;
      if (!seen) {
        inputs.push_back(v);
        inputMaps.push_back(map);
      }
    }
    generics.push_back(generic);
  }
  for (Value v : yield.getValues())
    if (!llvm::is_contained(generics, v.getDefiningOp()) || shapeOf(v) != shape)
      return failure();

  OpBuilder b(yield);
  Location loc = fusion.getLoc();
  SmallVector<Value> outs;
  SmallVector<AffineMap> maps(inputMaps);
  for (Value v : yield.getValues()) {
    outs.push_back(tensor::EmptyOp::create(
        b, loc, shape, cast<RankedTensorType>(v.getType()).getElementType()));
    maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  }
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto merged = linalg::GenericOp::create(
      b, loc, ValueRange(outs).getTypes(), inputs, outs, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        // The scalar of each value at the current element.
        IRMapping scalars;
        for (auto [v, fillValue] : fills)
          scalars.map(v, fillValue);
        for (linalg::GenericOp generic : generics) {
          Block &payload = generic.getRegion().front();
          IRMapping mapping;
          for (OpOperand *in : generic.getDpsInputOperands()) {
            Value arg = payload.getArgument(in->getOperandNumber());
            Value v = in->get();
            if (Value s = scalars.lookupOrNull(v)) {
              mapping.map(arg, s);
              continue;
            }
            AffineMap map = generic.getMatchingIndexingMap(in);
            for (auto [i, x] : llvm::enumerate(inputs))
              if (x == v && inputMaps[i] == map)
                mapping.map(arg, args[i]);
          }
          for (Operation &op : payload.without_terminator())
            nb.clone(op, mapping);
          auto pyield = cast<linalg::YieldOp>(payload.getTerminator());
          for (auto [res, val] :
               llvm::zip(generic.getResults(), pyield.getValues()))
            scalars.map(res, mapping.lookupOrDefault(val));
        }
        SmallVector<Value> results;
        for (Value v : yield.getValues())
          results.push_back(scalars.lookup(v));
        linalg::YieldOp::create(nb, nl, results);
      });
  yield->setOperands(merged.getResults());
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (&op != merged.getOperation() && !op.hasTrait<OpTrait::IsTerminator>() &&
        op.use_empty())
      op.erase();
  return success();
}

/// The tile of one value: its shape with the leading dims replaced.
RankedTensorType tileType(Value v, ArrayRef<int64_t> tile) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  llvm::copy(tile, shape.begin());
  return type.clone(shape);
}

/// Whether `type` starts with `parallel`.
bool startsWith(Type type, ArrayRef<int64_t> parallel) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return ranked && ranked.hasStaticShape() &&
         ranked.getRank() >= static_cast<int64_t>(parallel.size()) &&
         ranked.getShape().take_front(parallel.size()) == parallel;
}

/// Whether a reshape between `from` and `to` with `reassociation` (groups of
/// the longer shape's dims) still holds with the leading dims tiled.
bool reshapeTiles(ArrayRef<int64_t> longShape, ArrayRef<int64_t> shortShape,
                  ArrayRef<ReassociationIndices> reassociation,
                  ArrayRef<int64_t> tile) {
  SmallVector<int64_t> l(longShape), s(shortShape);
  llvm::copy(tile, l.begin());
  llvm::copy(tile, s.begin());
  for (auto [j, group] : llvm::enumerate(reassociation)) {
    int64_t product = 1;
    for (int64_t d : group)
      product *= l[d];
    if (product != s[j])
      return false;
    if (static_cast<int64_t>(j) < static_cast<int64_t>(tile.size()) &&
        !llvm::is_contained(group, static_cast<int64_t>(j)))
      return false;
  }
  return true;
}

/// The tile of a reshape (of a value tiled in `tiled`) that keeps the
/// leading dims: the same reshape between the tile shapes, or null if the
/// reshape does not hold for them.
Value tileReshape(OpBuilder &b, Operation &op, const IRMapping &tiled,
                  ArrayRef<int64_t> tile) {
  Value src = tiled.lookupOrNull(op.getOperand(0));
  if (!src)
    return nullptr;
  auto srcType = cast<RankedTensorType>(op.getOperand(0).getType());
  auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
  RankedTensorType tileResult = tileType(op.getResult(0), tile);
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    if (!reshapeTiles(resultType.getShape(), srcType.getShape(),
                      expand.getReassociationIndices(), tile))
      return nullptr;
    return tensor::ExpandShapeOp::create(b, op.getLoc(), tileResult, src,
                                         expand.getReassociationIndices());
  }
  auto collapse = cast<tensor::CollapseShapeOp>(op);
  if (!reshapeTiles(srcType.getShape(), resultType.getShape(),
                    collapse.getReassociationIndices(), tile))
    return nullptr;
  return tensor::CollapseShapeOp::create(b, op.getLoc(), tileResult, src,
                                         collapse.getReassociationIndices());
}

/// Builds the rows region's loop: one `scf.forall` over tiles of the leading
/// dims, computing every yielded value's tile. Fails (building nothing) if an
/// op cannot be tiled so.
LogicalResult tileRows(FusionOp fusion, int64_t rowTile, int64_t tileBytes,
                       int64_t maxRowElements, bool privateTiles) {
  int64_t k = *fusion.getParallelDims();
  Block &body = fusion.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().empty())
    return failure();
  ArrayRef<int64_t> parallel = shapeOf(yield.getValues()[0]).take_front(k);
  if (ShapedType::getNumElements(parallel) == 0)
    return failure();

  // Every op must tile along the leading dims; size the tile from the
  // widest row.
  int64_t rowBytes = 1;
  for (Operation &op : body.without_terminator()) {
    if (isa<tensor::EmptyOp, arith::ConstantOp>(op))
      continue;
    if (!isa<TilingInterface, tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
            op))
      return failure();
    for (Type t :
         llvm::concat<Type>(op.getOperandTypes(), op.getResultTypes())) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      if (!ranked)
        continue;
      if (ranked.getNumElements() == 0)
        return failure();
      if (!startsWith(t, parallel)) {
        // Inputs from above may have any shape (a bias, a scalar).
        continue;
      }
      int64_t row =
          ranked.getNumElements() / ShapedType::getNumElements(parallel);
      if (maxRowElements > 0 && row > maxRowElements)
        return failure();
      rowBytes = std::max<int64_t>(
          rowBytes,
          row * std::max<int64_t>(1, ranked.getElementTypeBitWidth() / 8));
    }
    for (Type t : op.getResultTypes())
      if (!startsWith(t, parallel))
        return failure();
  }
  SmallVector<int64_t> tile(k, 1);
  int64_t want =
      rowTile > 0 ? rowTile : std::max<int64_t>(1, tileBytes / rowBytes);
  int64_t inner = parallel.back();
  for (int64_t t = std::min(want, inner); t >= 1; --t)
    if (inner % t == 0) {
      tile.back() = t;
      break;
    }

  // A fill that initializes several reductions (cse merges equal fills) is
  // one fill per reduction again, so that each computes in its own buffer.
  OpBuilder fillBuilder(fusion.getContext());
  for (Operation &op : llvm::make_early_inc_range(body.without_terminator())) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (!fill)
      continue;
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : fill->getResult(0).getUses())
      uses.push_back(&use);
    for (OpOperand *use : llvm::drop_begin(uses)) {
      fillBuilder.setInsertionPoint(use->getOwner());
      use->set(fillBuilder.clone(op)->getResult(0));
    }
  }
  // The region's ops, before the loop and its results join them.
  SmallVector<Operation *> regionOps;
  for (Operation &op : body.without_terminator())
    regionOps.push_back(&op);
  OpBuilder b(yield);
  Location loc = fusion.getLoc();
  // The loop's results: the yielded values first, then (GPU) the
  // intermediates' full-size buffers.
  SmallVector<Value> outs;
  auto newOut = [&](Value like) {
    auto type = cast<RankedTensorType>(like.getType());
    outs.push_back(tensor::EmptyOp::create(b, loc, type.getShape(),
                                           type.getElementType()));
    return outs.size() - 1;
  };
  for (Value v : yield.getValues())
    newOut(v);
  auto chainedFill = [&](Operation &op) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    if (!fill || !fill->hasOneUse())
      return false;
    OpOperand &use = *fill->getUses().begin();
    auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
    return user && user.isDpsInit(&use);
  };
  // Where each op computes its tile: an init that is an empty tensor (or a
  // fill of one) becomes a slice of one of the loop's results when the op's
  // result is yielded (its first use), and with `privateTiles` off also when
  // it is an intermediate (a full-size buffer: GPU kernels cannot allocate).
  // Other tiles are temporaries of the tile's size.
  // (op, init number) -> the loop result its tile is a slice of.
  DenseMap<std::pair<Operation *, unsigned>, size_t> destinations;
  DenseSet<Value> placed;
  for (Operation *opPtr : regionOps) {
    Operation &op = *opPtr;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    // A fill that initializes one op (its init) is placed with that op.
    if (!linalgOp || chainedFill(op))
      continue;
    for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
      unsigned j = init.getOperandNumber() - linalgOp.getNumDpsInputs();
      Value result = op.getResult(j);
      // The op whose init is the empty tensor: this one, or its fill.
      std::pair<Operation *, unsigned> key = {&op, j};
      if (auto fill = init.get().getDefiningOp<linalg::FillOp>()) {
        if (!fill->hasOneUse() || fill->getBlock() != &body)
          continue;
        key = {fill, 0};
        if (!fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
          continue;
      } else if (!init.get().getDefiningOp<tensor::EmptyOp>()) {
        continue;
      }
      auto yielded = llvm::find(yield.getValues(), result);
      if (yielded != yield.getValues().end() && placed.insert(result).second)
        destinations[key] = yielded - yield.getValues().begin();
      else if (!privateTiles)
        destinations[key] = newOut(result);
    }
  }
  SmallVector<OpFoldResult> ubs, steps;
  for (int64_t i = 0; i < k; ++i) {
    ubs.push_back(b.getIndexAttr(parallel[i]));
    steps.push_back(b.getIndexAttr(tile[i]));
  }
  SmallVector<OpFoldResult> lbs(k, b.getIndexAttr(0));
  auto forall =
      scf::ForallOp::create(b, loc, lbs, ubs, steps, outs, std::nullopt);
  auto fail = [&]() {
    forall->erase();
    for (Value v : outs)
      v.getDefiningOp()->erase();
    return failure();
  };

  IRRewriter rewriter(b);
  rewriter.setInsertionPoint(forall.getBody()->getTerminator());
  SmallVector<Value> ivs(forall.getInductionVars());
  // The offsets and sizes of the tile of a value with the leading dims.
  // The offsets, sizes and (unit) strides of a value's tile.
  struct Slice {
    SmallVector<OpFoldResult> offsets, sizes, strides;
  };
  auto tileOf = [&](Value v) {
    Slice slice;
    for (auto [i, size] : llvm::enumerate(shapeOf(v))) {
      bool lead = static_cast<int64_t>(i) < k;
      slice.offsets.push_back(lead ? OpFoldResult(ivs[i]) : b.getIndexAttr(0));
      slice.sizes.push_back(b.getIndexAttr(lead ? tile[i] : size));
      slice.strides.push_back(b.getIndexAttr(1));
    }
    return slice;
  };
  IRMapping tiled;
  for (Operation *opPtr : regionOps) {
    Operation &op = *opPtr;
    if (isa<tensor::EmptyOp, arith::ConstantOp>(op))
      continue;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)) {
      Value result = tileReshape(rewriter, op, tiled, tile);
      if (!result)
        return fail();
      tiled.map(op.getResult(0), result);
      continue;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || linalgOp.getNumDpsInits() == 0)
      return fail();
    // The loops that run along the leading dims: the first results of the
    // output's indexing map.
    AffineMap outMap =
        linalgOp.getMatchingIndexingMap(linalgOp.getDpsInitOperand(0));
    SmallVector<unsigned> leadLoops;
    for (int64_t i = 0; i < k; ++i) {
      auto dim = dyn_cast<AffineDimExpr>(outMap.getResult(i));
      if (!dim)
        return fail();
      leadLoops.push_back(dim.getPosition());
    }
    auto tileable = cast<TilingInterface>(op);
    SmallVector<Range> domain = tileable.getIterationDomain(rewriter);
    SmallVector<OpFoldResult> offsets, sizes;
    for (Range r : domain) {
      offsets.push_back(r.offset);
      sizes.push_back(r.size);
    }
    for (auto [i, loop] : llvm::enumerate(leadLoops)) {
      offsets[loop] = ivs[i];
      sizes[loop] = rewriter.getIndexAttr(tile[i]);
    }
    FailureOr<TilingResult> result =
        tileable.getTiledImplementation(rewriter, offsets, sizes);
    if (failed(result) || result->tiledValues.size() != op.getNumResults())
      return fail();
    // Operands computed in the region read the tiles computed before.
    for (Operation *slice : result->generatedSlices) {
      auto extract = dyn_cast<tensor::ExtractSliceOp>(slice);
      if (!extract)
        return fail();
      Value source = extract.getSource();
      Operation *def = source.getDefiningOp();
      if (!def || def->getBlock() != &body || isa<tensor::EmptyOp>(def))
        continue;
      Value tileValue = tiled.lookupOrNull(source);
      if (!tileValue || tileValue.getType() != extract.getType())
        return fail();
      for (auto [i, off] : llvm::enumerate(extract.getMixedOffsets())) {
        bool ok = static_cast<int64_t>(i) < k
                      ? (isa<Value>(off) && cast<Value>(off) == ivs[i])
                      : isZeroInteger(off);
        if (!ok)
          return fail();
      }
      rewriter.replaceOp(extract, tileValue);
    }
    // Tiles computed straight into a slice of a loop result.
    Operation *tiledOp = result->tiledOps.front();
    auto dps = cast<DestinationStyleOpInterface>(tiledOp);
    for (unsigned j = 0; j < dps.getNumDpsInits(); ++j) {
      auto it = destinations.find({&op, j});
      if (it == destinations.end())
        continue;
      OpOperand *init = dps.getDpsInitOperand(j);
      Slice slice = tileOf(outs[it->second]);
      rewriter.setInsertionPoint(tiledOp);
      Value dest = tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), cast<RankedTensorType>(init->get().getType()),
          forall.getRegionIterArgs()[it->second], slice.offsets, slice.sizes,
          slice.strides);
      rewriter.modifyOpInPlace(tiledOp, [&] { init->set(dest); });
      rewriter.setInsertionPoint(forall.getBody()->getTerminator());
    }
    for (auto [orig, value] : llvm::zip(op.getResults(), result->tiledValues))
      tiled.map(orig, value);
  }

  // Insert every yielded tile into its loop result. (An intermediate's tile
  // is already a slice of its loop result; inserting it too would conflict
  // with the ops that update it in place, such as a reduction into its fill.)
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [v, arg] :
       llvm::zip(yield.getValues(), forall.getRegionIterArgs())) {
    Value t = tiled.lookupOrNull(v);
    if (!t)
      return fail();
    Slice slice = tileOf(v);
    tensor::ParallelInsertSliceOp::create(rewriter, loc, t, arg, slice.offsets,
                                          slice.sizes, slice.strides);
  }
  rewriter.modifyOpInPlace(yield, [&] {
    yield->setOperands(
        forall.getResults().take_front(yield.getValues().size()));
  });
  // The untiled ops are dead now.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body))) {
    if (&op != forall.getOperation() && !op.hasTrait<OpTrait::IsTerminator>() &&
        op.use_empty())
      op.erase();
  }
  return success();
}

/// Moves the region's ops in front of it and replaces its results.
void inlineFusion(FusionOp fusion) {
  Block &body = fusion.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> values(yield.getValues());
  yield->erase();
  fusion->getBlock()->getOperations().splice(fusion->getIterator(),
                                             body.getOperations());
  fusion->replaceAllUsesWith(values);
  fusion->erase();
}

struct EmberLowerFusion
    : public ember::impl::EmberLowerFusionBase<EmberLowerFusion> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<FusionOp> regions;
    getOperation()->walk([&](FusionOp f) { regions.push_back(f); });
    if (regions.empty())
      return;
    if (failed(fuseWithinBlocks(getOperation())))
      return signalPassFailure();
    for (FusionOp fusion : regions) {
      if (fusion.getKind() == "elementwise") {
        (void)mergeElementwise(fusion);
      } else {
        if (tileRowsOption)
          (void)tileRows(fusion, rowTile, tileBytes, maxRowElements,
                         privateTiles);
      }
      inlineFusion(fusion);
    }
  }
};

} // namespace
