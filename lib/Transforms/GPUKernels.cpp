//===- GPUKernels.cpp - mapping loops to GPU kernels ----------------------===//
//
// The target-independent part of Ember's GPU lowering:
//
//  - ember-gpu-split-reductions splits a long reduction with few outputs into
//    parallel partial reductions and a reduction of the partials;
//  - ember-gpu-map-parallel-loops tiles every outermost scf.parallel into
//    blocks of threads and maps it so that the innermost (contiguous)
//    dimension runs along thread x: neighbouring threads touch neighbouring
//    elements;
//  - ember-spirv-prepare-kernels gives each kernel the SPIR-V entry-point ABI
//    (its workgroup size) and each gpu.module its target environment, where
//    the SPIR-V conversions look them up, and turns the LLVM intrinsics the
//    CPU-minded lowering uses into arith ops;
//  - ember-spirv-nest-modules moves each spirv.module into the gpu.module it
//    was converted from, where gpu-module-to-binary serializes it.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/MathExtras.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERGPUMAPPARALLELLOOPS
#define GEN_PASS_DEF_EMBERGPUSPLITREDUCTIONS
#define GEN_PASS_DEF_EMBERSPIRVPREPAREKERNELS
#define GEN_PASS_DEF_EMBERSPIRVNESTMODULES
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// The threads of one block per loop dimension. From the innermost dimension
/// out, up to three dimensions get the next power of two at or above their trip
/// count, while `threads` last (a dimension of unknown trip count takes all
/// that is left); the others get 1.
SmallVector<int64_t> blockShape(scf::ParallelOp loop, int64_t threads) {
  unsigned rank = loop.getNumLoops();
  SmallVector<int64_t> sizes(rank, 1);
  int64_t left = threads;
  for (unsigned k = 0; k < rank && k < 3 && left > 1; ++k) {
    unsigned d = rank - 1 - k;
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()[d]),
                           ub = getConstantIntValue(loop.getUpperBound()[d]),
                           step = getConstantIntValue(loop.getStep()[d]);
    int64_t size = left;
    if (lb && ub && step && *step > 0)
      size = std::min<int64_t>(left, llvm::PowerOf2Ceil(std::max<int64_t>(
                                         (*ub - *lb + *step - 1) / *step, 1)));
    sizes[d] = size;
    left /= size;
  }
  return sizes;
}

gpu::ParallelLoopDimMappingAttr dimMapping(MLIRContext *ctx, gpu::Processor p) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  return gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id);
}

/// Maps the loop's dimensions, innermost first, onto x, y, z of `first`
/// (BlockX or ThreadX); the dimensions beyond three run sequentially.
void mapLoop(scf::ParallelOp loop, gpu::Processor first) {
  MLIRContext *ctx = loop.getContext();
  unsigned rank = loop.getNumLoops();
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping;
  for (unsigned d = 0; d < rank; ++d) {
    unsigned fromInner = rank - 1 - d;
    auto p = fromInner < 3 ? static_cast<gpu::Processor>(
                                 static_cast<int64_t>(first) + fromInner)
                           : gpu::Processor::Sequential;
    mapping.push_back(dimMapping(ctx, p));
  }
  (void)gpu::setMappingAttr(loop, mapping);
}

/// A perfect nest of scf.for loops around one scf.parallel (a reduction over
/// a leading dimension: column sums) becomes the scf.parallel around the
/// nest, so that threads split the parallel dimensions instead of one thread
/// running everything. Valid for the loops linalg lowering makes: iterations
/// of a parallel dimension never touch each other's elements.
void hoistParallelLoops(func::FuncOp f) {
  Block &body = f.getBody().front();
  auto onlyOp = [](Block *b) -> Operation * {
    return llvm::hasSingleElement(b->without_terminator()) ? &b->front()
                                                           : nullptr;
  };
  SmallVector<scf::ForOp> tops(body.getOps<scf::ForOp>());
  for (scf::ForOp top : tops) {
    SmallVector<scf::ForOp> nest = {top};
    Operation *inner = onlyOp(top.getBody());
    while (auto next = dyn_cast_or_null<scf::ForOp>(inner)) {
      nest.push_back(next);
      inner = onlyOp(next.getBody());
    }
    auto par = dyn_cast_or_null<scf::ParallelOp>(inner);
    if (!par || par.getNumResults() != 0 ||
        llvm::any_of(nest, [](scf::ForOp l) { return l.getNumResults(); }) ||
        llvm::any_of(par->getOperands(), [&](Value v) {
          return top.getRegion().isAncestor(v.getParentRegion());
        }))
      continue;
    OpBuilder b(top);
    auto hoisted = scf::ParallelOp::create(b, par.getLoc(), par.getLowerBound(),
                                           par.getUpperBound(), par.getStep());
    IRMapping map;
    map.map(par.getInductionVars(), hoisted.getInductionVars());
    b.setInsertionPoint(hoisted.getBody()->getTerminator());
    for (scf::ForOp l : nest) {
      auto copy = scf::ForOp::create(b, l.getLoc(),
                                     map.lookupOrDefault(l.getLowerBound()),
                                     map.lookupOrDefault(l.getUpperBound()),
                                     map.lookupOrDefault(l.getStep()));
      map.map(l.getInductionVar(), copy.getInductionVar());
      b.setInsertionPoint(copy.getBody()->getTerminator());
    }
    for (Operation &op : par.getBody()->without_terminator())
      b.clone(op, map);
    top.erase();
  }
}

/// Work at the top level of the function outside any parallel loop (the
/// loops of a reduction to a scalar, the store filling a 0-d buffer) runs on
/// the device too: each run of such ops moves into a one-iteration
/// scf.parallel, a kernel of one thread.
void wrapSequentialWork(func::FuncOp f) {
  auto isWork = [](Operation &op) {
    return !isa<scf::ParallelOp, gpu::LaunchOp, memref::AllocOp,
                memref::DeallocOp, memref::GetGlobalOp, func::ReturnOp,
                ViewLikeOpInterface>(op) &&
           !op.hasTrait<OpTrait::ConstantLike>();
  };
  Block &body = f.getBody().front();
  // Constants first, so that they split no run of work.
  SmallVector<Operation *> constants;
  for (Operation &op : body)
    if (op.hasTrait<OpTrait::ConstantLike>())
      constants.push_back(&op);
  for (Operation *op : constants)
    op->moveBefore(&body, body.begin());
  for (auto it = body.begin(); it != body.end();) {
    if (!isWork(*it)) {
      ++it;
      continue;
    }
    SmallVector<Operation *> run;
    for (; it != body.end() && isWork(*it); ++it)
      run.push_back(&*it);
    llvm::SmallPtrSet<Operation *, 8> inRun(run.begin(), run.end());
    // Values the rest of the function uses (index arithmetic for later
    // loops) stay outside; the others move into the one-thread loop.
    auto usedOutside = [&](Operation *op) {
      return llvm::any_of(op->getUsers(), [&](Operation *user) {
        return !inRun.contains(body.findAncestorOpInBlock(*user));
      });
    };
    SmallVector<Operation *> moved;
    for (Operation *op : run)
      if (!usedOutside(op))
        moved.push_back(op);
    if (llvm::none_of(moved, [](Operation *op) {
          return !isMemoryEffectFree(op) || op->getNumRegions() != 0;
        }))
      continue; // only pure values: nothing to run
    OpBuilder b(moved.front());
    Location loc = moved.front()->getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{one}, ValueRange{one});
    for (Operation *op : moved)
      op->moveBefore(loop.getBody()->getTerminator());
  }
}

/// Integer powers by squaring over the exponent's bits (SPIR-V has no integer
/// pow): x^e for e >= 0; for e < 0, 1 / x^-e in integers: 1 for x = 1, +-1 for
/// x = -1, 0 otherwise (PyTorch raises for it; Ember's CPU code gives the
/// same).
void expandIPowI(math::IPowIOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getLhs(), e = op.getRhs();
  auto type = cast<IntegerType>(x.getType());
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, type, v);
  };
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, type.getWidth());
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, ValueRange{c(1), x, e},
      [&](OpBuilder &nb, Location l, Value, ValueRange acc) {
        Value bit = arith::AndIOp::create(nb, l, acc[2], c(1));
        Value set =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ne, bit, c(0));
        Value times = arith::MulIOp::create(nb, l, acc[0], acc[1]);
        Value result = arith::SelectOp::create(nb, l, set, times, acc[0]);
        Value square = arith::MulIOp::create(nb, l, acc[1], acc[1]);
        Value rest = arith::ShRUIOp::create(nb, l, acc[2], c(1));
        scf::YieldOp::create(nb, l, ValueRange{result, square, rest});
      });
  Value power = loop.getResult(0);
  auto eq = [&](Value l, Value r) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, l, r);
  };
  Value odd = eq(arith::AndIOp::create(b, loc, e, c(1)), c(1));
  Value inverse = arith::SelectOp::create(
      b, loc, eq(x, c(1)), c(1),
      arith::SelectOp::create(b, loc, eq(x, c(-1)),
                              arith::SelectOp::create(b, loc, odd, c(-1), c(1)),
                              c(0)));
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e, c(0));
  op.replaceAllUsesWith(
      arith::SelectOp::create(b, loc, negative, inverse, power).getResult());
  op.erase();
}

/// |x| for integers, which no GPU lowering handles.
void expandAbsI(math::AbsIOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getOperand();
  Value zero = arith::ConstantIntOp::create(b, loc, x.getType(), 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  Value r = arith::SelectOp::create(b, loc, negative,
                                    arith::SubIOp::create(b, loc, zero, x), x);
  op.replaceAllUsesWith(r);
  op.erase();
}

struct EmberGPUSplitReductions
    : public ember::impl::EmberGPUSplitReductionsBase<EmberGPUSplitReductions> {
  using Base::Base;

  /// The static size of each loop of `op`, or nothing.
  static std::optional<SmallVector<int64_t>> loopSizes(linalg::LinalgOp op) {
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    if (llvm::any_of(sizes, ShapedType::isDynamic))
      return std::nullopt;
    return sizes;
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp generic : generics) {
      linalg::LinalgOp op = generic;
      if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
        continue;
      auto sizes = loopSizes(op);
      SmallVector<unsigned> reductionDims;
      op.getReductionDims(reductionDims);
      if (!sizes || reductionDims.empty())
        continue;
      int64_t reduced = 1, outputs = 1;
      for (auto [d, size] : llvm::enumerate(*sizes))
        (llvm::is_contained(reductionDims, d) ? reduced : outputs) *= size;
      if (reduced < minSize || outputs > maxOutputs)
        continue;
      // Several reduction dimensions (a sum over a whole matrix) become one
      // where the indexing maps allow.
      if (reductionDims.size() > 1) {
        ReassociationIndices group(reductionDims.begin(), reductionDims.end());
        bool contiguous = reductionDims.back() - reductionDims.front() + 1 ==
                          reductionDims.size();
        if (!contiguous || !linalg::areDimSequencesPreserved(
                               op.getIndexingMapsArray(), {group}))
          continue;
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::CollapseResult> collapsed =
            linalg::collapseOpIterationDims(op, {group}, rewriter);
        if (failed(collapsed))
          continue;
        rewriter.replaceOp(op, collapsed->results);
        op = collapsed->collapsedOp;
      }
      // Split the reduction into `ratio` parallel partial reductions of at
      // least 64 elements each, then a reduction of the partials.
      int64_t ratio = 0;
      for (int64_t r = 1024; r >= 2; r /= 2)
        if (reduced % r == 0 && reduced / r >= 64) {
          ratio = r;
          break;
        }
      if (!ratio)
        continue;
      rewriter.setInsertionPoint(op);
      (void)linalg::splitReduction(rewriter, op, [&](linalg::LinalgOp) {
        SmallVector<unsigned> dims;
        op.getReductionDims(dims);
        return linalg::SplitReductionOptions{ratio, dims.front(),
                                             /*innerParallel=*/false};
      });
    }
  }
};

struct EmberGPUMapParallelLoops
    : public ember::impl::EmberGPUMapParallelLoopsBase<
          EmberGPUMapParallelLoops> {
  using Base::Base;
  void runOnOperation() override {
    // Integer math no GPU lowering handles.
    SmallVector<math::IPowIOp> ipows;
    getOperation().walk([&](math::IPowIOp op) { ipows.push_back(op); });
    for (math::IPowIOp op : ipows)
      expandIPowI(op);
    SmallVector<math::AbsIOp> absis;
    getOperation().walk([&](math::AbsIOp op) { absis.push_back(op); });
    for (math::AbsIOp op : absis)
      expandAbsI(op);
    hoistParallelLoops(getOperation());
    wrapSequentialWork(getOperation());
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost) {
      // Parallel loops nested in this one (a convolution's output channels
      // inside its window loops) run sequentially in each thread.
      SmallVector<scf::ParallelOp> nested;
      loop.getBody()->walk(
          [&](scf::ParallelOp inner) { nested.push_back(inner); });
      for (scf::ParallelOp inner : nested) // innermost first
        ember::rebuildParallelLoop(inner, std::nullopt);
      auto tiled = scf::tileParallelLoop(loop, blockShape(loop, threads),
                                         /*noMinMaxBounds=*/true);
      mapLoop(tiled.first, gpu::Processor::BlockX);
      mapLoop(tiled.second, gpu::Processor::ThreadX);
    }
  }
};

/// The iterations of every scf.for one thread of `kernel` runs, nested ones
/// counted each time round (saturating; an unknown trip count counts as the
/// largest).
int64_t loopIterations(gpu::GPUFuncOp kernel) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto mul = [](int64_t a, int64_t b) {
    return b != 0 && a > kMax / b ? kMax : a * b;
  };
  int64_t total = 0;
  kernel.walk([&](scf::ForOp loop) {
    int64_t n = 1;
    for (Operation *op = loop; op != kernel; op = op->getParentOp())
      if (auto l = dyn_cast<scf::ForOp>(op)) {
        std::optional<int64_t> lb = getConstantIntValue(l.getLowerBound()),
                               ub = getConstantIntValue(l.getUpperBound()),
                               step = getConstantIntValue(l.getStep());
        n = mul(n, lb && ub && step && *step > 0
                       ? std::max<int64_t>((*ub - *lb + *step - 1) / *step, 0)
                       : kMax);
      }
    total = total > kMax - n ? kMax : total + n;
  });
  return total;
}

/// powf as PyTorch (and C's pow) defines it, from SPIR-V's Pow, which is
/// undefined for a negative or zero base: pow(|x|, y), negated for a negative
/// x and an odd integer y, NaN for a finite negative x and a non-integer y and
/// where x or y is NaN; 1 where y is 0 or x is 1; for x = 0, 0 (y > 0) or
/// infinity (y < 0).
void expandPowF(math::PowFOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getLhs(), y = op.getRhs();
  Type t = x.getType();
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
  };
  auto cmp = [&](arith::CmpFPredicate p, Value l, Value r) -> Value {
    return arith::CmpFOp::create(b, loc, p, l, r);
  };
  auto select = [&](Value cond, Value l, Value r) -> Value {
    return arith::SelectOp::create(b, loc, cond, l, r);
  };
  Value zero = c(0), one = c(1);
  Value ax = math::AbsFOp::create(b, loc, x);
  Value r = math::PowFOp::create(b, loc, ax, y);
  Value yFloor = math::FloorOp::create(b, loc, y);
  Value isInt = cmp(arith::CmpFPredicate::OEQ, yFloor, y);
  Value half = arith::MulFOp::create(b, loc, y, c(0.5));
  Value isOdd =
      arith::AndIOp::create(b, loc, isInt,
                            cmp(arith::CmpFPredicate::ONE,
                                math::FloorOp::create(b, loc, half), half));
  Value negative = cmp(arith::CmpFPredicate::OLT, x, zero);
  Value signed_ = select(isOdd, arith::NegFOp::create(b, loc, r), r);
  Value nan = c(std::numeric_limits<double>::quiet_NaN());
  r = select(negative, signed_, r);
  // A finite negative base with a non-integer exponent has no real power.
  Value finite = cmp(arith::CmpFPredicate::ONE, x,
                     c(-std::numeric_limits<double>::infinity()));
  Value noPower = arith::AndIOp::create(
      b, loc, arith::AndIOp::create(b, loc, negative, finite),
      arith::XOrIOp::create(b, loc, isInt,
                            arith::ConstantIntOp::create(b, loc, 1, 1)));
  r = select(noPower, nan, r);
  r = select(cmp(arith::CmpFPredicate::UNO, x, y), nan, r);
  Value xZero = cmp(arith::CmpFPredicate::OEQ, x, zero);
  Value atZero = select(cmp(arith::CmpFPredicate::OLT, y, zero),
                        c(std::numeric_limits<double>::infinity()), zero);
  r = select(xZero, atZero, r);
  Value trivial =
      arith::OrIOp::create(b, loc, cmp(arith::CmpFPredicate::OEQ, y, zero),
                           cmp(arith::CmpFPredicate::OEQ, x, one));
  r = select(trivial, one, r);
  op.replaceAllUsesWith(r);
  op.erase();
}

struct EmberSPIRVPrepareKernels
    : public ember::impl::EmberSPIRVPrepareKernelsBase<
          EmberSPIRVPrepareKernels> {
  void runOnOperation() override {
    // The target environment spirv-attach-target put among the gpu.module's
    // targets, also where the math and arith conversions look it up.
    getOperation().walk([](gpu::GPUModuleOp m) {
      if (!m.getTargets())
        return;
      for (Attribute target : *m.getTargets())
        if (auto env = dyn_cast<spirv::TargetEnvAttr>(target))
          m->setAttr(spirv::getTargetEnvAttrName(), env);
    });
    SmallVector<math::PowFOp> pows;
    getOperation().walk([&](math::PowFOp op) {
      if (op->getParentOfType<gpu::GPUModuleOp>())
        pows.push_back(op);
    });
    for (math::PowFOp op : pows)
      expandPowF(op);

    // Float max / min reductions use LLVM's maxnum / minnum (which
    // arith-expand leaves alone on the CPU); SPIR-V has arith's.
    getOperation().walk([](Operation *op) {
      if (!isa<LLVM::MaxNumOp, LLVM::MinNumOp>(op) ||
          !op->getParentOfType<gpu::GPUModuleOp>())
        return;
      OpBuilder b(op);
      Value lhs = op->getOperand(0), rhs = op->getOperand(1);
      Value r =
          isa<LLVM::MaxNumOp>(op)
              ? Value(arith::MaxNumFOp::create(b, op->getLoc(), lhs, rhs))
              : Value(arith::MinNumFOp::create(b, op->getLoc(), lhs, rhs));
      op->replaceAllUsesWith(ValueRange{r});
      op->erase();
    });
    // What one thread of each kernel loops (lavapipe stops a shader after
    // 65535 loop iterations): recorded on its launches for the runtime.
    getOperation().walk([](gpu::LaunchFuncOp launch) {
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      if (kernel)
        launch->setAttr(
            "ember.loop_iterations",
            IntegerAttr::get(IntegerType::get(launch.getContext(), 64),
                             loopIterations(kernel)));
    });
    // Workgroup memory: the SPIR-V conversions take allocations in the
    // Workgroup storage class (global variables of the module), not a
    // kernel's workgroup attributions.
    getOperation().walk([](gpu::GPUFuncOp f) {
      unsigned n = f.getNumWorkgroupAttributions();
      if (n == 0)
        return;
      Block &entry = f.getBody().front();
      OpBuilder b = OpBuilder::atBlockBegin(&entry);
      MLIRContext *ctx = f.getContext();
      for (BlockArgument arg : f.getWorkgroupAttributions()) {
        auto type = cast<MemRefType>(arg.getType());
        auto workgroup =
            spirv::StorageClassAttr::get(ctx, spirv::StorageClass::Workgroup);
        Value alloc = memref::AllocOp::create(
            b, arg.getLoc(),
            MemRefType::get(type.getShape(), type.getElementType(),
                            type.getLayout(), workgroup));
        arg.replaceAllUsesWith(alloc);
      }
      entry.eraseArguments(f.getFirstWorkgroupAttributionIndex(), n);
      f->removeAttr(f.getNumWorkgroupAttributionsAttrName());
    });
    WalkResult result = getOperation().walk([&](gpu::GPUFuncOp f) {
      if (!f.isKernel())
        return WalkResult::advance();
      std::optional<ArrayRef<int32_t>> size = f.getKnownBlockSize();
      if (!size) {
        f.emitError("kernel has no known block size; the SPIR-V entry point "
                    "needs its workgroup size");
        return WalkResult::interrupt();
      }
      f->setAttr(spirv::getEntryPointABIAttrName(),
                 spirv::getEntryPointABIAttr(&getContext(), *size));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

struct EmberSPIRVNestModules
    : public ember::impl::EmberSPIRVNestModulesBase<EmberSPIRVNestModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<spirv::ModuleOp> spirvModules(
        module.getBody()->getOps<spirv::ModuleOp>());
    for (spirv::ModuleOp spv : spirvModules) {
      // convert-gpu-to-spirv names the module after its gpu.module.
      std::optional<StringRef> name = spv.getName();
      auto gpuName =
          name ? name->drop_front(StringRef("__spv__").size()) : StringRef();
      auto gpuModule = module.lookupSymbol<gpu::GPUModuleOp>(gpuName);
      if (!name || !name->starts_with("__spv__") || !gpuModule) {
        spv.emitError("no gpu.module this spirv.module was converted from");
        return signalPassFailure();
      }
      // Its gpu.funcs stay until serialization: launches refer to them.
      spv->moveBefore(gpuModule.getBody(), gpuModule.getBody()->end());
    }
  }
};

} // namespace
