//===- HoistLoopBuffers.cpp - the ember-hoist-loop-buffers pass -----------===//
//
// A rows region's tile runs every op of the region on a few rows, each into a
// temporary of the tile's size, which bufferization allocates and frees in
// every iteration of the tile loop. The tiles are sized to stay in the L1
// cache, so there are many of them, and a heap call per temporary per tile
// would cost more than the tile's work. This pass allocates such a buffer
// once: before an scf.for loop, or, for an OpenMP worksharing loop, once per
// thread in the parallel region that every thread runs. An iteration's
// buffer is fresh (its contents undefined) and dead after the iteration, and
// a thread runs its iterations one after another, so reusing one buffer is
// the same program.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERHOISTLOOPBUFFERS
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// Moves every statically shaped buffer that `body` allocates and frees
/// (both at its top level) to before `allocAt`, its free to before `freeAt`.
void hoistBuffers(Block &body, Operation *allocAt, Operation *freeAt) {
  for (auto alloc :
       llvm::make_early_inc_range(body.getOps<memref::AllocOp>())) {
    if (!alloc.getType().hasStaticShape() || alloc->getNumOperands() != 0)
      continue;
    memref::DeallocOp free;
    int frees = 0;
    for (Operation *user : alloc->getUsers())
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        free = dealloc;
        ++frees;
      }
    if (frees != 1 || free->getBlock() != &body)
      continue;
    alloc->moveBefore(allocAt);
    free->moveBefore(freeAt);
  }
}

struct EmberHoistLoopBuffers
    : public ember::impl::EmberHoistLoopBuffersBase<EmberHoistLoopBuffers> {
  void runOnOperation() override {
    // Innermost loops first: a buffer moves out as far as its loops allow.
    SmallVector<Operation *> loops;
    getOperation().walk([&](Operation *op) {
      if (isa<scf::ForOp, omp::LoopNestOp>(op))
        loops.push_back(op);
    });
    for (Operation *op : loops) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        hoistBuffers(*loop.getBody(), loop, loop->getNextNode());
        continue;
      }
      // omp.parallel { omp.wsloop { omp.loop_nest { ... } } ... }
      auto nest = cast<omp::LoopNestOp>(op);
      auto wsloop = dyn_cast<omp::WsloopOp>(nest->getParentOp());
      if (!wsloop || !isa<omp::ParallelOp>(wsloop->getParentOp()) ||
          !nest.getRegion().hasOneBlock())
        continue;
      hoistBuffers(nest.getRegion().front(), wsloop,
                   wsloop->getBlock()->getTerminator());
    }
  }
};

} // namespace
