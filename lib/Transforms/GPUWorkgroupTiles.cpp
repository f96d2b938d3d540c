//===- GPUWorkgroupTiles.cpp - kernels that share workgroup memory --------===//
//
// Two passes that turn linalg ops on buffers into gpu.launch ops whose
// threads cooperate through workgroup memory (the other loop nests of a
// region are mapped onto threads one iteration each by
// ember-gpu-map-parallel-loops).
//
// ember-gpu-tile-matmul turns each linalg contraction on buffers (matmul,
// batch_matmul, or a linalg.generic with one m, one n and one k loop and any
// batch loops) into a gpu.launch of its own: a block computes a BM x BN tile
// of one batch's product, stepping through k in TK-deep slices that its
// threads first copy into workgroup memory together (one A slice of
// BM x TK and one B slice of TK x BN, behind a barrier); each thread then
// accumulates an RM x RN register tile from workgroup memory. Edges are
// bounds-checked: a slice element outside the operand reads as zero, a result
// element outside the product is not stored. Operands are read through the
// op's indexing maps, so transposed and broadcast operands need no copy.
//
// ember-gpu-tile-reductions turns each reduction (a linalg.generic with one
// reduction loop whose results each combine into their accumulator with one
// associative op) into a gpu.launch where several threads share each result:
// each accumulates a strided part of the reduction from the combiner's
// identity with the op's own body, then the block combines the partials in
// workgroup memory as a tree, between barriers.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/MathExtras.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERGPUTILEMATMUL
#define GEN_PASS_DEF_EMBERGPUTILEREDUCTIONS
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// Depth of the k slice held in workgroup memory.
constexpr int64_t kSliceK = 16;
/// Threads per block of a reduction.
constexpr int64_t kThreads = 256;
/// Largest grid dimension every target accepts (CUDA's y and z, Vulkan's
/// guaranteed minimum).
constexpr int64_t kMaxGrid = 65535;

/// How one contraction is split: threads (tm x tn) per block, each computing
/// rm x rn results, the rows strided by tm and the columns by tn, so that
/// neighbouring threads store neighbouring columns.
struct BlockTile {
  int64_t tm, tn, rm, rn;
  int64_t rows() const { return tm * rm; }
  int64_t cols() const { return tn * rn; }
};

/// Up to 16 threads along a dimension of `size` (the power of two at or
/// above it), then up to 4 results per thread.
std::pair<int64_t, int64_t> split(int64_t size) {
  int64_t threads = std::min<int64_t>(16, llvm::PowerOf2Ceil(size));
  int64_t results =
      std::min<int64_t>(4, llvm::PowerOf2Ceil(llvm::divideCeil(size, threads)));
  return {threads, results};
}

/// The sizes of `op`'s loops where all are static and non-zero and its
/// operands are indexed by loop dims and constants only (what the kernels
/// compute indices from), else failure.
FailureOr<SmallVector<int64_t>> staticLoops(linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic) ||
      llvm::is_contained(sizes, 0))
    return failure();
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr e : map.getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(e))
        return failure();
  return sizes;
}

/// The loops of a contraction this pass takes, or failure: static sizes, one
/// k loop, m and n the result's last two dims, any number of other (batch)
/// loops; operands indexed by loop dims and constants only.
struct Contraction {
  SmallVector<int64_t> sizes;
  SmallVector<unsigned> batch;
  unsigned m, n, k;
};

FailureOr<Contraction> analyse(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1)
    return failure();
  // m and n are the result's last two dims; every other loop (batch dims,
  // and the batch of an operand broadcast over it, which counts as an m or
  // n dim of the other) runs over blocks z.
  AffineMap outMap = op.getIndexingMapsArray()[2];
  if (outMap.getNumResults() < 2)
    return failure();
  auto nDim = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  auto mDim = dyn_cast<AffineDimExpr>(outMap.getResults().drop_back().back());
  if (!mDim || !nDim || !llvm::is_contained(dims->m, mDim.getPosition()) ||
      !llvm::is_contained(dims->n, nDim.getPosition()))
    return failure();
  Contraction c;
  FailureOr<SmallVector<int64_t>> sizes = staticLoops(op);
  if (failed(sizes))
    return failure();
  c.sizes = std::move(*sizes);
  for (OpOperand &operand : op->getOpOperands()) {
    Type t = getElementTypeOrSelf(operand.get().getType());
    if (!t.isIntOrFloat() || t.getIntOrFloatBitWidth() < 8)
      return failure();
  }
  c.m = mDim.getPosition();
  c.n = nDim.getPosition();
  c.k = dims->k.front();
  for (unsigned d = 0; d < c.sizes.size(); ++d)
    if (d != c.m && d != c.n && d != c.k)
      c.batch.push_back(d);
  return c;
}

/// `buffer` and the views of it.
llvm::SmallPtrSet<Value, 8> aliasesOf(Value buffer) {
  llvm::SmallPtrSet<Value, 8> aliases = {buffer};
  SmallVector<Value> work = {buffer};
  while (!work.empty())
    for (Operation *user : work.pop_back_val().getUsers())
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (aliases.insert(view->getResult(0)).second)
          work.push_back(view->getResult(0));
  return aliases;
}

/// Whether `op` (or an op nested in it) may write one of `aliases`: uses
/// other than as a linalg input, through memref.load, or by a view.
bool mayWrite(Operation *op, const llvm::SmallPtrSetImpl<Value> &aliases) {
  auto writes = [&](Operation *nested) {
    if (isa<memref::LoadOp, ViewLikeOpInterface>(nested))
      return false;
    ValueRange operands = nested->getOperands();
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(nested))
      operands = linalgOp.getDpsInits();
    return llvm::any_of(operands, [&](Value v) { return aliases.contains(v); });
  };
  return op
      ->walk([&](Operation *nested) {
        return writes(nested) ? WalkResult::interrupt() : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Whether no op strictly between `from` and `to` (in one block) may write
/// (with `readsToo`, use at all) `buffer` or a view of it.
bool untouchedBetween(Operation *from, Operation *to, Value buffer,
                      bool readsToo = false) {
  llvm::SmallPtrSet<Value, 8> aliases = aliasesOf(buffer);
  auto uses = [&](Operation *op) {
    return op
        ->walk([&](Operation *nested) {
          return llvm::any_of(nested->getOperands(),
                              [&](Value v) { return aliases.contains(v); })
                     ? WalkResult::interrupt()
                     : WalkResult::advance();
        })
        .wasInterrupted();
  };
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode())
    if (readsToo ? uses(op) : mayWrite(op, aliases))
      return false;
  return true;
}

/// The linalg op with `buffer` (an allocation or an argument: the region's
/// results are fresh buffers) as its only init that last wrote it before
/// `op` in its block, with nothing in between writing `buffer` or a view of
/// it; null otherwise.
linalg::LinalgOp lastWriter(Operation *op, Value buffer) {
  if (!buffer.getDefiningOp<memref::AllocOp>() && !isa<BlockArgument>(buffer))
    return nullptr;
  llvm::SmallPtrSet<Value, 8> aliases = aliasesOf(buffer);
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto writer = dyn_cast<linalg::LinalgOp>(prev);
    if (writer && writer.hasPureBufferSemantics() &&
        writer.getNumDpsInits() == 1 && writer.getDpsInits()[0] == buffer)
      return writer;
    if (mayWrite(prev, aliases))
      return nullptr;
  }
  return nullptr;
}

/// The value all of `buffer` holds at `op`, where that is a constant fill:
/// a linalg.fill of it, or a linalg.copy of a buffer filled so and not
/// written since. The fill or copy goes into `unneeded`: nothing else reads
/// what it wrote, so `op` starting from the value makes it dead.
Value filledWith(Operation *op, Value buffer,
                 SmallVectorImpl<Operation *> &unneeded) {
  auto fillOf = [](linalg::LinalgOp writer) {
    return writer ? dyn_cast<linalg::FillOp>(writer.getOperation()) : nullptr;
  };
  Type element = getElementTypeOrSelf(buffer.getType());
  linalg::LinalgOp writer = lastWriter(op, buffer);
  if (!writer || !untouchedBetween(writer, op, buffer, /*readsToo=*/true))
    return nullptr;
  if (auto copy = dyn_cast<linalg::CopyOp>(writer.getOperation())) {
    Value source = copy.getDpsInputs()[0];
    linalg::FillOp fill = fillOf(lastWriter(copy, source));
    if (!fill || fill.getDpsInputs()[0].getType() != element ||
        !untouchedBetween(copy, op, source))
      return nullptr;
    unneeded.push_back(copy);
    return fill.getDpsInputs()[0];
  }
  linalg::FillOp fill = fillOf(writer);
  if (!fill || fill.getDpsInputs()[0].getType() != element)
    return nullptr;
  unneeded.push_back(fill);
  return fill.getDpsInputs()[0];
}

/// The buffer a linalg.transpose copied into `operand` before `op`, left
/// alone since, with the permutation; `op` reads it in place instead.
std::optional<std::pair<Value, ArrayRef<int64_t>>>
transposedFrom(Operation *op, Value operand) {
  linalg::LinalgOp writer = lastWriter(op, operand);
  auto transpose =
      writer ? dyn_cast<linalg::TransposeOp>(writer.getOperation()) : nullptr;
  if (!transpose || !untouchedBetween(transpose, op, transpose.getInput()))
    return std::nullopt;
  return std::make_pair(transpose.getInput(), transpose.getPermutation());
}

/// Erases `buffer`, an allocation, with the ops that write it, where nothing
/// reads it any more.
void eraseIfUnread(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return;
  SmallVector<Operation *> users(alloc->getUsers());
  for (Operation *user : users) {
    auto writer = dyn_cast<linalg::LinalgOp>(user);
    if (!writer || writer.getNumDpsInits() != 1 ||
        writer.getDpsInits()[0] != buffer ||
        llvm::is_contained(writer.getDpsInputs(), buffer) ||
        writer->getNumResults() != 0)
      return;
  }
  for (Operation *user : users)
    user->erase();
  alloc->erase();
}

/// Erases the fills and copies filledWith found unneeded, and a copied
/// buffer once nothing reads it.
void eraseUnneeded(ArrayRef<Operation *> unneeded) {
  for (Operation *writer : unneeded) {
    auto copy = dyn_cast<linalg::CopyOp>(writer);
    Value source = copy ? copy.getDpsInputs()[0] : Value();
    writer->erase();
    if (source)
      eraseIfUnread(source);
  }
}

struct KernelBuilder {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value lt(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x,
                                 index(bound));
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }

  /// The indices of `map`'s results with loop `d` at `loops[d]`.
  SmallVector<Value> indices(AffineMap map, ArrayRef<Value> loops) {
    SmallVector<Value> out;
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e))
        out.push_back(loops[d.getPosition()]);
      else
        out.push_back(index(cast<AffineConstantExpr>(e).getValue()));
    }
    return out;
  }

  /// `memref[indices]` where `inBounds`, else `otherwise`.
  Value guardedLoad(Value memref, ValueRange indices, Value inBounds,
                    Value otherwise) {
    auto branch = scf::IfOp::create(b, loc, otherwise.getType(), inBounds,
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    scf::YieldOp::create(
        b, loc, memref::LoadOp::create(b, loc, memref, indices).getResult());
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(b, loc, otherwise);
    return branch.getResult(0);
  }
};

/// Replaces `op` by its kernel, which reads `lhs` and `rhs` through `maps`
/// and starts its accumulators at `init` (or, if null, at the result).
void buildKernel(linalg::LinalgOp op, const Contraction &c,
                 const BlockTile &tile, Value lhs, Value rhs,
                 ArrayRef<AffineMap> maps, Value init) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  KernelBuilder kb{b, loc};
  MLIRContext *ctx = op.getContext();
  Value out = op.getDpsInits()[0];
  Type lhsType = getElementTypeOrSelf(lhs.getType()),
       rhsType = getElementTypeOrSelf(rhs.getType()),
       accType = getElementTypeOrSelf(out.getType());
  int64_t sizeM = c.sizes[c.m], sizeN = c.sizes[c.n], sizeK = c.sizes[c.k];
  int64_t batches = 1;
  for (unsigned d : c.batch)
    batches *= c.sizes[d];
  int64_t bm = tile.rows(), bn = tile.cols(), threads = tile.tm * tile.tn;

  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto sliceA = MemRefType::get({bm, kSliceK}, lhsType, AffineMap(), workgroup);
  auto sliceB = MemRefType::get({kSliceK, bn}, rhsType, AffineMap(), workgroup);
  auto launch = gpu::LaunchOp::create(
      b, loc, kb.index(llvm::divideCeil(sizeN, bn)),
      kb.index(llvm::divideCeil(sizeM, bm)), kb.index(batches),
      kb.index(tile.tn), kb.index(tile.tm), kb.index(1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, TypeRange{sliceA, sliceB});
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  Value slotA = launch.getWorkgroupAttributions()[0],
        slotB = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value rowBase = kb.mul(launch.getBlockIds().y, kb.index(bm));
  Value colBase = kb.mul(launch.getBlockIds().x, kb.index(bn));
  Value thread = kb.add(kb.mul(ty, kb.index(tile.tn)), tx);

  // The loop values of this block's batch (block z, row-major over the
  // batch loops); m, n and k are set per use.
  SmallVector<Value> loops(c.sizes.size());
  Value rest = launch.getBlockIds().z;
  for (unsigned d : llvm::reverse(c.batch)) {
    if (d == c.batch.front()) {
      loops[d] = rest;
      break;
    }
    Value size = kb.index(c.sizes[d]);
    loops[d] = arith::RemUIOp::create(b, loc, rest, size);
    rest = arith::DivUIOp::create(b, loc, rest, size);
  }
  Value zero = kb.index(0);
  auto at = [&](Value m, Value n, Value k) {
    SmallVector<Value> l = loops;
    l[c.m] = m ? m : zero;
    l[c.n] = n ? n : zero;
    l[c.k] = k ? k : zero;
    return l;
  };

  // This thread's results: rows ty + i * tm, columns tx + j * tn.
  SmallVector<Value> rows, cols;
  for (int64_t i = 0; i < tile.rm; ++i)
    rows.push_back(kb.add(rowBase, kb.add(ty, kb.index(i * tile.tm))));
  for (int64_t j = 0; j < tile.rn; ++j)
    cols.push_back(kb.add(colBase, kb.add(tx, kb.index(j * tile.tn))));
  Value accZero = arith::ConstantOp::create(b, loc, b.getZeroAttr(accType));
  SmallVector<Value> inits;
  for (Value row : rows)
    for (Value col : cols) {
      if (init) {
        inits.push_back(init);
        continue;
      }
      Value inBounds = kb.both(kb.lt(row, sizeM), kb.lt(col, sizeN));
      inits.push_back(kb.guardedLoad(
          out, kb.indices(maps[2], at(row, col, nullptr)), inBounds, accZero));
    }

  // One k slice: both operand slices into workgroup memory, then the
  // register tile's updates.
  auto kLoop = scf::ForOp::create(b, loc, zero, kb.index(sizeK),
                                  kb.index(kSliceK), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value k0 = kLoop.getInductionVar();
    // Each thread copies every `threads`-th element of a slice (the threads
    // divide both slices: rm * 16 / tn and rn * 16 / tm elements each).
    auto copySlice = [&](int64_t sliceRows, int64_t sliceCols, Value slot,
                         Value operand, AffineMap map, bool isLhs) {
      Type t = getElementTypeOrSelf(operand.getType());
      Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
      auto copy = scf::ForOp::create(
          b, loc, zero, kb.index(sliceRows * sliceCols), kb.index(threads));
      OpBuilder::InsertionGuard inCopy(b);
      b.setInsertionPoint(copy.getBody()->getTerminator());
      Value e = kb.add(copy.getInductionVar(), thread);
      Value r = arith::DivUIOp::create(b, loc, e, kb.index(sliceCols));
      Value col = arith::RemUIOp::create(b, loc, e, kb.index(sliceCols));
      SmallVector<Value> l;
      Value inBounds;
      if (isLhs) {
        Value m = kb.add(rowBase, r), k = kb.add(k0, col);
        l = at(m, nullptr, k);
        inBounds = kb.both(kb.lt(m, sizeM), kb.lt(k, sizeK));
      } else {
        Value k = kb.add(k0, r), n = kb.add(colBase, col);
        l = at(nullptr, n, k);
        inBounds = kb.both(kb.lt(k, sizeK), kb.lt(n, sizeN));
      }
      Value v = kb.guardedLoad(operand, kb.indices(map, l), inBounds, pad);
      memref::StoreOp::create(b, loc, v, slot, ValueRange{r, col});
    };
    copySlice(bm, kSliceK, slotA, lhs, maps[0], /*isLhs=*/true);
    copySlice(kSliceK, bn, slotB, rhs, maps[1], /*isLhs=*/false);
    gpu::BarrierOp::create(b, loc);
    auto inner = scf::ForOp::create(b, loc, zero, kb.index(kSliceK),
                                    kb.index(1), kLoop.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard inInner(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < tile.rm; ++i)
        as.push_back(memref::LoadOp::create(
            b, loc, slotA, ValueRange{kb.add(ty, kb.index(i * tile.tm)), kk}));
      for (int64_t j = 0; j < tile.rn; ++j)
        bs.push_back(memref::LoadOp::create(
            b, loc, slotB, ValueRange{kk, kb.add(tx, kb.index(j * tile.tn))}));
      // The op's own body, once per result of the register tile.
      Block *opBody = op.getBlock();
      SmallVector<Value> next;
      for (int64_t i = 0; i < tile.rm; ++i)
        for (int64_t j = 0; j < tile.rn; ++j) {
          IRMapping map;
          map.map(opBody->getArgument(0), as[i]);
          map.map(opBody->getArgument(1), bs[j]);
          map.map(opBody->getArgument(2),
                  inner.getRegionIterArgs()[i * tile.rn + j]);
          for (Operation &bodyOp : opBody->without_terminator())
            b.clone(bodyOp, map);
          next.push_back(
              map.lookupOrDefault(opBody->getTerminator()->getOperand(0)));
        }
      scf::YieldOp::create(b, loc, next);
    }
    // Nobody overwrites a slice another thread still reads.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, inner.getResults());
  }

  for (auto [i, row] : llvm::enumerate(rows))
    for (auto [j, col] : llvm::enumerate(cols)) {
      Value inBounds = kb.both(kb.lt(row, sizeM), kb.lt(col, sizeN));
      auto store = scf::IfOp::create(b, loc, inBounds);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(store.thenBlock());
      memref::StoreOp::create(b, loc, kLoop.getResult(i * cols.size() + j), out,
                              kb.indices(maps[2], at(row, col, nullptr)));
    }
  op->erase();
}

struct EmberGPUTileMatmul
    : public ember::impl::EmberGPUTileMatmulBase<EmberGPUTileMatmul> {
  using Base::Base;
  void runOnOperation() override {
    // Only contractions at the function's top level: the host function stays
    // a straight line of launches.
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : getOperation().getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        ops.push_back(linalgOp);
    for (linalg::LinalgOp op : ops) {
      FailureOr<Contraction> c = analyse(op);
      if (failed(c))
        continue;
      auto [tm, rm] = split(c->sizes[c->m]);
      auto [tn, rn] = split(c->sizes[c->n]);
      BlockTile tile{tm, tn, rm, rn};
      int64_t batches = 1;
      for (unsigned d : c->batch)
        batches *= c->sizes[d];
      if (batches > kMaxGrid ||
          llvm::divideCeil(c->sizes[c->m], tile.rows()) > kMaxGrid ||
          llvm::divideCeil(c->sizes[c->n], tile.cols()) > kMaxGrid)
        continue;
      // Transposed operands are read in place, and a constant-filled result
      // gives the accumulators their start.
      SmallVector<Value> operands(op.getDpsInputs());
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      SmallVector<Value> transposed;
      for (int i = 0; i < 2; ++i) {
        auto from = transposedFrom(op, operands[i]);
        if (!from)
          continue;
        auto [source, permutation] = *from;
        SmallVector<AffineExpr> exprs(maps[i].getNumResults());
        for (auto [j, p] : llvm::enumerate(permutation))
          exprs[p] = maps[i].getResult(j);
        maps[i] =
            AffineMap::get(maps[i].getNumDims(), 0, exprs, op.getContext());
        transposed.push_back(operands[i]);
        operands[i] = source;
      }
      SmallVector<Operation *> unneeded;
      Value init = filledWith(op, op.getDpsInits()[0], unneeded);
      buildKernel(op, *c, tile, operands[0], operands[1], maps, init);
      eraseUnneeded(unneeded);
      for (Value buffer : transposed)
        eraseIfUnread(buffer);
    }
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The identity of `combiner` (an associative, commutative op) for values
/// of `type`, or null for an op that is not one.
TypedAttr identity(Operation *combiner, Type type) {
  OpBuilder b(combiner->getContext());
  if (auto ft = dyn_cast<FloatType>(type)) {
    auto f = [&](const APFloat &v) -> TypedAttr {
      return b.getFloatAttr(ft, v);
    };
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    if (isa<arith::AddFOp>(combiner))
      return f(APFloat::getZero(sem, /*Negative=*/true));
    if (isa<arith::MulFOp>(combiner))
      return f(APFloat::getOne(sem));
    if (isa<arith::MaxNumFOp, arith::MaximumFOp, LLVM::MaxNumOp>(combiner))
      return f(APFloat::getInf(sem, /*Negative=*/true));
    if (isa<arith::MinNumFOp, arith::MinimumFOp, LLVM::MinNumOp>(combiner))
      return f(APFloat::getInf(sem));
    return nullptr;
  }
  auto it = dyn_cast<IntegerType>(type);
  if (!it)
    return nullptr;
  unsigned w = it.getWidth();
  auto i = [&](const APInt &v) -> TypedAttr { return b.getIntegerAttr(it, v); };
  if (isa<arith::AddIOp, arith::OrIOp, arith::XOrIOp, arith::MaxUIOp>(combiner))
    return i(APInt::getZero(w));
  if (isa<arith::MulIOp>(combiner))
    return i(APInt(w, 1));
  if (isa<arith::AndIOp, arith::MinUIOp>(combiner))
    return i(APInt::getAllOnes(w));
  if (isa<arith::MaxSIOp>(combiner))
    return i(APInt::getSignedMinValue(w));
  if (isa<arith::MinSIOp>(combiner))
    return i(APInt::getSignedMaxValue(w));
  return nullptr;
}

/// A reduction this pass takes: static sizes, one reduction loop, and each
/// result yielded by a combiner (with an identity) of its accumulator, which
/// nothing else in the body uses, and of a value that depends on no
/// accumulator.
struct Reduction {
  SmallVector<int64_t> sizes;
  SmallVector<unsigned> parallel;
  unsigned r;
  SmallVector<Operation *> combiners;
  SmallVector<TypedAttr> identities;
  int64_t outputs() const {
    int64_t n = 1;
    for (unsigned d : parallel)
      n *= sizes[d];
    return n;
  }
};

FailureOr<Reduction> analyseReduction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInits() > 4)
    return failure();
  Reduction red;
  FailureOr<SmallVector<int64_t>> sizes = staticLoops(op);
  if (failed(sizes))
    return failure();
  red.sizes = std::move(*sizes);
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      red.r = d;
    else
      red.parallel.push_back(d);
  Block *body = op.getBody();
  Operation *yield = body->getTerminator();
  SmallVector<Value> accs;
  for (OpOperand &init : op.getDpsInitsMutable())
    accs.push_back(op.getMatchingBlockArgument(&init));
  // What depends on an accumulator: the combiners and what uses them.
  llvm::SmallPtrSet<Operation *, 8> tainted;
  for (Operation &bodyOp : body->without_terminator())
    if (llvm::any_of(bodyOp.getOperands(), [&](Value v) {
          return llvm::is_contained(accs, v) ||
                 (v.getDefiningOp() && tainted.contains(v.getDefiningOp()));
        }))
      tainted.insert(&bodyOp);
  for (auto [i, acc] : llvm::enumerate(accs)) {
    Type t = acc.getType();
    if (!t.isIntOrFloat() || t.getIntOrFloatBitWidth() < 8 || !acc.hasOneUse())
      return failure();
    Operation *combiner = *acc.getUsers().begin();
    if (combiner->getNumOperands() != 2 || combiner->getNumRegions() != 0 ||
        combiner->getNumResults() != 1 ||
        yield->getOperand(i) != combiner->getResult(0))
      return failure();
    Value other = combiner->getOperand(combiner->getOperand(0) == acc ? 1 : 0);
    if (other == acc ||
        (other.getDefiningOp() && tainted.contains(other.getDefiningOp())))
      return failure();
    TypedAttr id = identity(combiner, t);
    if (!id)
      return failure();
    red.combiners.push_back(combiner);
    red.identities.push_back(id);
  }
  // Only the combiners depend on accumulators (and the yield on them).
  for (Operation *op : tainted)
    if (!llvm::is_contained(red.combiners, op))
      return failure();
  return red;
}

/// Replaces `op` by its kernel: a block of `threadsX` x `threadsY` threads,
/// the reduction along x when `alongX`, else along y; results along the
/// other. `starts[i]` is result i's start (null: the result buffer's value).
void buildReductionKernel(linalg::GenericOp op, const Reduction &red,
                          bool alongX, int64_t threadsX, int64_t threadsY,
                          ArrayRef<Value> starts) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  KernelBuilder kb{b, loc};
  MLIRContext *ctx = op.getContext();
  int64_t outputs = red.outputs(), size = red.sizes[red.r];
  int64_t rThreads = alongX ? threadsX : threadsY;
  int64_t perBlock = alongX ? threadsY : threadsX;
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  SmallVector<Type> partialTypes;
  for (Value init : op.getDpsInits())
    partialTypes.push_back(MemRefType::get({threadsY, threadsX},
                                           getElementTypeOrSelf(init.getType()),
                                           AffineMap(), workgroup));
  auto launch = gpu::LaunchOp::create(
      b, loc, kb.index(llvm::divideCeil(outputs, perBlock)), kb.index(1),
      kb.index(1), kb.index(threadsX), kb.index(threadsY), kb.index(1),
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, partialTypes);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value rt = alongX ? tx : ty, ot = alongX ? ty : tx;
  Value output = kb.add(kb.mul(launch.getBlockIds().x, kb.index(perBlock)), ot);
  Value valid = kb.lt(output, outputs);
  // The parallel loops' values (row-major over them) of this thread's result.
  SmallVector<Value> loops(red.sizes.size());
  Value rest = output;
  for (unsigned d : llvm::reverse(red.parallel)) {
    if (d == red.parallel.front()) {
      loops[d] = rest; // past the end only where !valid
      break;
    }
    Value dimSize = kb.index(red.sizes[d]);
    loops[d] = arith::RemUIOp::create(b, loc, rest, dimSize);
    rest = arith::DivUIOp::create(b, loc, rest, dimSize);
  }
  loops[red.r] = kb.index(0);

  SmallVector<Value> identities;
  for (TypedAttr id : red.identities)
    identities.push_back(arith::ConstantOp::create(b, loc, id));
  // This thread's partials: elements rt, rt + rThreads, ... of the reduction.
  Block *opBody = op.getBody();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto steps = scf::ForOp::create(b, loc, kb.index(0),
                                  kb.index(llvm::divideCeil(size, rThreads)),
                                  kb.index(1), identities);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(steps.getBody());
    Value r = kb.add(kb.mul(steps.getInductionVar(), kb.index(rThreads)), rt);
    Value inBounds = kb.both(valid, kb.lt(r, size));
    auto step = scf::IfOp::create(b, loc, TypeRange(identities), inBounds,
                                  /*withElseRegion=*/true);
    b.setInsertionPointToStart(step.elseBlock());
    scf::YieldOp::create(b, loc, steps.getRegionIterArgs());
    b.setInsertionPointToStart(step.thenBlock());
    SmallVector<Value> at = loops;
    at[red.r] = r;
    IRMapping map;
    for (OpOperand *input : op.getDpsInputOperands())
      map.map(op.getMatchingBlockArgument(input),
              memref::LoadOp::create(
                  b, loc, input->get(),
                  kb.indices(maps[input->getOperandNumber()], at)));
    for (auto [init, partial] :
         llvm::zip(op.getDpsInitsMutable(), steps.getRegionIterArgs()))
      map.map(op.getMatchingBlockArgument(&init), partial);
    for (Operation &bodyOp : opBody->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
        map.map(index.getResult(), at[index.getDim()]);
        continue;
      }
      b.clone(bodyOp, map);
    }
    SmallVector<Value> next;
    for (Value v : opBody->getTerminator()->getOperands())
      next.push_back(map.lookupOrDefault(v));
    scf::YieldOp::create(b, loc, next);
    b.setInsertionPointAfter(step);
    scf::YieldOp::create(b, loc, step.getResults());
  }

  // The tree over the partials of each result, in workgroup memory.
  auto slot = [&](Value rIndex) {
    return alongX ? SmallVector<Value>{ot, rIndex}
                  : SmallVector<Value>{rIndex, ot};
  };
  auto combine = [&](unsigned i, Value x, Value y) {
    IRMapping map;
    Operation *combiner = red.combiners[i];
    map.map(combiner->getOperand(0), x);
    map.map(combiner->getOperand(1), y);
    return b.clone(*combiner, map)->getResult(0);
  };
  ArrayRef<BlockArgument> partials = launch.getWorkgroupAttributions();
  for (auto [i, partial] : llvm::enumerate(steps.getResults()))
    memref::StoreOp::create(b, loc, partial, partials[i], slot(rt));
  gpu::BarrierOp::create(b, loc);
  for (int64_t half = rThreads / 2; half >= 1; half /= 2) {
    auto active = scf::IfOp::create(b, loc, kb.lt(rt, half));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(active.thenBlock());
      Value other = kb.add(rt, kb.index(half));
      for (auto [i, buffer] : llvm::enumerate(partials)) {
        Value x = memref::LoadOp::create(b, loc, buffer, slot(rt));
        Value y = memref::LoadOp::create(b, loc, buffer, slot(other));
        memref::StoreOp::create(b, loc, combine(i, x, y), buffer, slot(rt));
      }
    }
    gpu::BarrierOp::create(b, loc);
  }
  // Thread 0 of each result combines the total into the result's start.
  Value zero = kb.index(0);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rt, zero);
  auto store = scf::IfOp::create(b, loc, kb.both(valid, first));
  b.setInsertionPointToStart(store.thenBlock());
  for (auto [i, buffer] : llvm::enumerate(partials)) {
    Value init = op.getDpsInits()[i];
    SmallVector<Value> indices =
        kb.indices(maps[op.getNumDpsInputs() + i], loops);
    Value start =
        starts[i] ? starts[i]
                  : memref::LoadOp::create(b, loc, init, indices).getResult();
    Value total = memref::LoadOp::create(b, loc, buffer, slot(zero));
    memref::StoreOp::create(b, loc, combine(i, total, start), init, indices);
  }
  op->erase();
}

struct EmberGPUTileReductions
    : public ember::impl::EmberGPUTileReductionsBase<EmberGPUTileReductions> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops(
        getOperation().getBody().getOps<linalg::GenericOp>());
    for (linalg::GenericOp op : ops) {
      FailureOr<Reduction> red = analyseReduction(op);
      if (failed(red))
        continue;
      int64_t size = red->sizes[red->r], outputs = red->outputs();
      // The reduction runs along thread x where it is the contiguous dim of
      // the first input (rows), else the results do (columns).
      AffineMap first = op.getIndexingMapsArray().front();
      auto last = first.getNumResults()
                      ? dyn_cast<AffineDimExpr>(first.getResults().back())
                      : nullptr;
      bool alongX =
          !red->parallel.size() || (last && last.getPosition() == red->r);
      int64_t threadsX, threadsY;
      if (alongX) {
        threadsX = std::min<int64_t>(
            kThreads, std::max<int64_t>(32, llvm::PowerOf2Ceil(size)));
        threadsY =
            std::min<int64_t>(kThreads / threadsX, llvm::PowerOf2Ceil(outputs));
      } else {
        threadsX = std::min<int64_t>(32, llvm::PowerOf2Ceil(outputs));
        threadsY =
            std::min<int64_t>(kThreads / threadsX, llvm::PowerOf2Ceil(size));
      }
      int64_t perBlock = alongX ? threadsY : threadsX;
      if (llvm::divideCeil(outputs, perBlock) > kMaxGrid)
        continue;
      SmallVector<Operation *> unneeded;
      SmallVector<Value> starts;
      for (Value init : op.getDpsInits())
        starts.push_back(filledWith(op, init, unneeded));
      buildReductionKernel(op, *red, alongX, threadsX, threadsY, starts);
      eraseUnneeded(unneeded);
    }
  }
};

} // namespace
