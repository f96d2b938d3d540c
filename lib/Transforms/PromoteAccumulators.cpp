//===- PromoteAccumulators.cpp - the ember-promote-accumulators pass ------===//
//
// A reduction lowered from linalg to loops loads its accumulator from memory
// and stores it back on every iteration of the reduction loop. With one
// accumulator LLVM keeps it in a register; with two (a max and a NaN count,
// a value and its index) it cannot prove the two buffers apart, so the loop
// stays scalar and goes through memory. This pass carries such accumulators
// as loop values instead: loaded once before the loop, stored once after it.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERPROMOTEACCUMULATORS
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// The buffer a memref is a view of.
Value rootOf(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

/// Buffers that never overlap another root: allocations and function
/// arguments (Ember's callers pass every input and output as its own array;
/// outputs are fresh).
bool isDistinctRoot(Value root) {
  if (auto arg = dyn_cast<BlockArgument>(root))
    return isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  return root.getDefiningOp<memref::AllocOp>() ||
         root.getDefiningOp<memref::AllocaOp>();
}

/// The memrefs `loop`'s body reads and writes; false if it has an effect
/// other than loads and stores (a call, an allocation, a copy).
bool collectAccesses(Block &body, SmallVectorImpl<Operation *> &accesses) {
  for (Operation &op : body) {
    if (isa<memref::LoadOp, memref::StoreOp>(op)) {
      accesses.push_back(&op);
      continue;
    }
    if (op.getNumRegions() == 0) {
      if (!isMemoryEffectFree(&op))
        return false;
      continue;
    }
    if (!isa<scf::ForOp, scf::IfOp, scf::ParallelOp>(op))
      return false;
    for (Region &region : op.getRegions())
      for (Block &block : region)
        if (!collectAccesses(block, accesses))
          return false;
  }
  return true;
}

Value accessedMemref(Operation *op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return load.getMemRef();
  return cast<memref::StoreOp>(op).getMemRef();
}

struct Candidate {
  memref::LoadOp load;
  memref::StoreOp store;
};

void promote(scf::ForOp loop) {
  Block &body = *loop.getBody();
  SmallVector<Operation *> accesses;
  if (!collectAccesses(body, accesses))
    return;
  SmallVector<Candidate> candidates;
  for (Operation &op : body) {
    auto store = dyn_cast<memref::StoreOp>(op);
    if (!store || !loop.isDefinedOutsideOfLoop(store.getMemRef()) ||
        !llvm::all_of(store.getIndices(),
                      [&](Value v) { return loop.isDefinedOutsideOfLoop(v); }))
      continue;
    Value root = rootOf(store.getMemRef());
    if (!isDistinctRoot(root))
      continue;
    // Exactly one load of the same element before the store, at the top
    // level of the body, and no other access to the buffer; every other
    // buffer the body touches is a distinct root.
    memref::LoadOp load;
    bool ok = true;
    for (Operation *access : accesses) {
      if (access == store.getOperation())
        continue;
      Value other = rootOf(accessedMemref(access));
      if (other != root) {
        ok &= isDistinctRoot(other);
        continue;
      }
      auto l = dyn_cast<memref::LoadOp>(access);
      if (!l || load || l->getBlock() != &body ||
          l.getMemRef() != store.getMemRef() ||
          l.getIndices() != store.getIndices() || !l->isBeforeInBlock(store)) {
        ok = false;
        break;
      }
      load = l;
    }
    if (ok && load)
      candidates.push_back({load, store});
  }
  if (candidates.empty())
    return;

  IRRewriter rewriter(loop.getContext());
  rewriter.setInsertionPoint(loop);
  SmallVector<Value> inits;
  for (Candidate &c : candidates)
    inits.push_back(memref::LoadOp::create(
        rewriter, c.load.getLoc(), c.load.getMemRef(), c.load.getIndices()));
  unsigned first = loop.getNumResults();
  FailureOr<LoopLikeOpInterface> replaced = loop.replaceWithAdditionalYields(
      rewriter, inits, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &, Location, ArrayRef<BlockArgument> args) {
        SmallVector<Value> yields;
        for (auto [c, arg] : llvm::zip(candidates, args)) {
          c.load.getResult().replaceAllUsesWith(arg);
          yields.push_back(c.store.getValueToStore());
        }
        return yields;
      });
  if (failed(replaced))
    return;
  Operation *newLoop = replaced->getOperation();
  rewriter.setInsertionPointAfter(newLoop);
  for (auto [i, c] : llvm::enumerate(candidates)) {
    memref::StoreOp::create(rewriter, c.store.getLoc(),
                            newLoop->getResult(first + i), c.store.getMemRef(),
                            c.store.getIndices());
    rewriter.eraseOp(c.store);
    rewriter.eraseOp(c.load);
  }
}

struct EmberPromoteAccumulators
    : public ember::impl::EmberPromoteAccumulatorsBase<
          EmberPromoteAccumulators> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) // inner loops first
      promote(loop);
  }
};

} // namespace
