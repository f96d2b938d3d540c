//===- ParallelLoops.cpp - the ember-parallel-loops pass ------------------===//
//
// Chooses which scf.parallel loops the thread pool runs. Every loop that
// `convert-linalg-to-parallel-loops` and the matmul schedule produce is
// parallel by construction; running each one on threads would dispatch tiny
// loops and loops nested in sequential ones. This pass keeps the outermost
// ones with enough work, one dimension each, and turns the rest into scf.for
// nests. `ember-omp-nowait` tidies what `convert-scf-to-openmp` makes of them.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERPARALLELLOOPS
#define GEN_PASS_DEF_EMBEROMPNOWAIT
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// Saturating multiply-add on work estimates.
int64_t mulSat(int64_t a, int64_t b) {
  if (a == 0 || b == 0)
    return 0;
  if (a > INT64_MAX / b)
    return INT64_MAX;
  return a * b;
}

int64_t addSat(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/// Trip count of one loop dimension; a dynamic one (the tail of a tiled
/// loop) counts as a single iteration, so unknown work is never inflated.
int64_t tripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb);
  std::optional<int64_t> u = getConstantIntValue(ub);
  std::optional<int64_t> s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return 1;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

int64_t blockWork(Block &block);

/// Scalar operations one execution of `op` performs.
int64_t opWork(Operation &op) {
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return mulSat(
        tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()),
        blockWork(*loop.getBody()));
  if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
    int64_t trips = 1;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
      trips = mulSat(trips, tripCount(lb, ub, step));
    return mulSat(trips, blockWork(*loop.getBody()));
  }
  int64_t work = 0;
  for (Region &region : op.getRegions()) // scf.if, scf.while: counted once
    for (Block &block : region)
      work = addSat(work, blockWork(block));
  int64_t lanes = 1;
  for (Type t : op.getResultTypes())
    if (auto vec = dyn_cast<VectorType>(t))
      lanes = std::max(lanes, vec.getNumElements());
  return addSat(work, lanes);
}

int64_t blockWork(Block &block) {
  int64_t work = 0;
  for (Operation &op : block)
    work = addSat(work, opWork(op));
  return work;
}

} // namespace

void mlir::ember::rebuildParallelLoop(scf::ParallelOp loop,
                                      std::optional<unsigned> keep) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IRMapping map;
  for (auto [d, iv, lb, ub, step] :
       llvm::enumerate(loop.getInductionVars(), loop.getLowerBound(),
                       loop.getUpperBound(), loop.getStep())) {
    if (keep && d == *keep) {
      auto par = scf::ParallelOp::create(b, loc, ValueRange{lb}, ValueRange{ub},
                                         ValueRange{step});
      map.map(iv, par.getInductionVars()[0]);
      b.setInsertionPoint(par.getBody()->getTerminator());
      continue;
    }
    auto inner = scf::ForOp::create(b, loc, lb, ub, step);
    map.map(iv, inner.getInductionVar());
    b.setInsertionPoint(inner.getBody()->getTerminator());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, map);
  loop.erase();
}

namespace {

/// The dimension to split among threads: the first one with more than one
/// iteration, so that the inner dimensions stay plain loops LLVM vectorizes
/// (a collapsed multi-dimensional worksharing loop recomputes every index
/// with a division).
unsigned splitDimension(scf::ParallelOp loop) {
  for (auto [d, lb, ub, step] : llvm::enumerate(
           loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
    if (tripCount(lb, ub, step) != 1 || !getConstantIntValue(ub))
      return d;
  return 0;
}

struct EmberParallelLoops
    : public ember::impl::EmberParallelLoopsBase<EmberParallelLoops> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp loop) { loops.push_back(loop); });
    // Post-order: inner loops first, so a nested one is serialized before its
    // parent is considered, and erasing never touches a visited op.
    for (scf::ParallelOp loop : loops) {
      if (loop.getNumResults() != 0)
        continue; // reductions with results are not produced on buffers
      bool outermost = !loop->getParentOfType<LoopLikeOpInterface>();
      if (!outermost || opWork(*loop) < minWork)
        ember::rebuildParallelLoop(loop, std::nullopt);
      else if (loop.getNumLoops() > 1)
        ember::rebuildParallelLoop(loop, splitDimension(loop));
    }
  }
};

} // namespace

namespace {

struct EmberOmpNowait : public ember::impl::EmberOmpNowaitBase<EmberOmpNowait> {
  void runOnOperation() override {
    getOperation().walk([](omp::WsloopOp loop) {
      // The region's end joins every member: a barrier right before it is
      // redundant.
      Operation *next = loop->getNextNode();
      if (isa_and_nonnull<omp::TerminatorOp>(next) &&
          isa<omp::ParallelOp>(loop->getParentOp()))
        loop.setNowait(true);
    });
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      if (scope->getParentOfType<omp::WsloopOp>() && scope.getNumResults() == 0)
        scopes.push_back(scope);
    });
    for (memref::AllocaScopeOp scope : scopes) {
      bool allocates =
          scope.getBodyRegion()
              .walk([](memref::AllocaOp) { return WalkResult::interrupt(); })
              .wasInterrupted();
      if (allocates)
        continue;
      Block &body = scope.getBodyRegion().front();
      body.getTerminator()->erase();
      scope->getBlock()->getOperations().splice(Block::iterator(scope),
                                                body.getOperations());
      scope.erase();
    }
  }
};

} // namespace
