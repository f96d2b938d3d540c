//===- TileMatmul.cpp - the ember-tile-matmul pass ------------------------===//
//
// The matmul schedule is data, not code: a transform-dialect script (tile,
// vectorize, lower the contraction to outer products) that the upstream
// interpreter applies. The pass injects it next to the payload, runs the
// interpreter and removes it again.
//
//===----------------------------------------------------------------------===//
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace ember {
#define GEN_PASS_DEF_EMBERTILEMATMUL
#include "ember/Transforms/Passes.h.inc"
} // namespace ember
} // namespace mlir

using namespace mlir;

namespace {

/// The schedule of one kind of product (`op` marked `ember.tile = attr`),
/// one op at a time (a fusion needs its own forall), yielding the k loops and
/// the foralls: `producers` first (handles taken before tiling), the op tiled
/// into parallel blocks (`blocks`, an scf.forall) with the output's zero fill
/// fused into them, then tiled and fused again into n and m tile loops
/// (`tiles`, `interchange`), so each tile's accumulators start as a zero
/// vector and the output is neither cleared beforehand nor read; then the k
/// steps (`steps`), each tile vectorized into a vector.contract, the fill's
/// tile into a zero write; `fusions` last.
std::string productSchedule(StringRef op, StringRef attr, StringRef id,
                            StringRef blocks, StringRef tiles,
                            StringRef interchange, StringRef steps,
                            StringRef producers = "", StringRef fusions = "") {
  return llvm::formatv(R"mlir(
    %mm{2} = transform.structured.match ops{{["{0}"]}
        attributes {{ember.tile = {1}} in %root
        : (!transform.any_op) -> !transform.any_op
    %k{2}, %forall{2} = transform.foreach %mm{2}
        : !transform.any_op -> !transform.any_op, !transform.any_op {{
    ^bb0(%one: !transform.any_op):
      %fill = transform.get_producer_of_operand %one[2]
          : (!transform.any_op) -> !transform.any_op{7}
      %blocks, %forall = transform.structured.tile_using_forall
          %one tile_sizes [{3}]
          : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      %fused, %container = transform.structured.fuse_into_containing_op
          %fill into %forall
          : (!transform.any_op, !transform.any_op)
          -> (!transform.any_op, !transform.any_op)
      %tiles, %n, %m = transform.structured.fuse %blocks
          tile_sizes [{4}] interchange [{5}]
          : (!transform.any_op)
          -> (!transform.any_op, !transform.any_op, !transform.any_op)
      %steps, %k = transform.structured.tile_using_for %tiles
          tile_sizes [{6}]
          : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
      transform.structured.vectorize %steps : !transform.any_op
      %fills = transform.structured.match ops{{["linalg.fill"]} in %container
          : (!transform.any_op) -> !transform.any_op
      transform.structured.vectorize %fills : !transform.any_op{8}
      transform.yield %k, %container : !transform.any_op, !transform.any_op
    }
)mlir",
                       op, attr, id, blocks, tiles, interchange, steps,
                       producers, fusions)
      .str();
}

/// The schedule for the matmuls marked with one tile (rows, cols, m, n, k):
/// blocks of `rows` rows or `cols` columns (the other is 0: untiled) as an
/// scf.forall (independent, so the thread pool may split them); inside,
/// sequential scf.for loops over n tiles, then m tiles, then k steps. A block
/// thus reuses one column panel of the right operand (k x n) for all its row
/// tiles while the panel is in cache.
std::string tileSchedule(ArrayRef<int64_t> tile) {
  return productSchedule("linalg.matmul",
                         llvm::formatv("array<i64: {0}, {1}, {2}, {3}, {4}>",
                                       tile[0], tile[1], tile[2], tile[3],
                                       tile[4])
                             .str(),
                         llvm::formatv("{0}_{1}_{2}_{3}_{4}", tile[0], tile[1],
                                       tile[2], tile[3], tile[4])
                             .str(),
                         llvm::formatv("{0}, {1}, 0", tile[0], tile[1]).str(),
                         llvm::formatv("{0}, {1}, 0", tile[2], tile[3]).str(),
                         "1, 0, 2", llvm::formatv("0, 0, {0}", tile[4]).str());
}

/// The schedule for the batched matmuls marked with the tile (m, n, k,
/// gathered): an scf.forall over the batch, then each product tiled as a
/// matmul's (n tiles, m tiles, k steps). With `gathered` (a convolution's
/// per-image patch matrices: the right operand is a reshaped im2col gather),
/// each image's gather is fused into the forall too, so that its patch matrix
/// is written and read while it is in cache instead of the whole batch's
/// going through memory.
std::string batchSchedule(ArrayRef<int64_t> tile) {
  std::string producers, gather;
  if (tile[3]) {
    producers = R"mlir(
      %reshape = transform.get_producer_of_operand %one[1]
          : (!transform.any_op) -> !transform.any_op
      %gather = transform.get_producer_of_operand %reshape[0]
          : (!transform.any_op) -> !transform.any_op)mlir";
    // A batch of one image has no per-image slice to fuse: then the gather
    // stays where it is (a silenced failure).
    gather = R"mlir(
      transform.sequence %container : !transform.any_op failures(suppress) {
      ^bb1(%images: !transform.any_op):
        transform.apply_patterns to %images {
          transform.apply_patterns.tensor.bubble_up_extract_slice
        } : !transform.any_op
        %gathered, %container2 = transform.structured.fuse_into_containing_op
            %gather into %images
            : (!transform.any_op, !transform.any_op)
            -> (!transform.any_op, !transform.any_op)
        transform.yield
      })mlir";
  }
  return productSchedule(
      "linalg.batch_matmul",
      llvm::formatv("array<i64: {0}, {1}, {2}, {3}>", tile[0], tile[1], tile[2],
                    tile[3])
          .str(),
      llvm::formatv("b{0}_{1}_{2}_{3}", tile[0], tile[1], tile[2], tile[3])
          .str(),
      "1, 0, 0, 0", llvm::formatv("0, {0}, {1}, 0", tile[0], tile[1]).str(),
      "0, 2, 1, 3", llvm::formatv("0, 0, 0, {0}", tile[2]).str(), producers,
      gather);
}

/// Whether `mm`'s right operand is a reshaped im2col gather that only it
/// reads: an all-parallel, single-input linalg.generic seen through a
/// tensor.collapse_shape (Conv.cpp's per-image patch matrices).
bool readsGather(linalg::BatchMatmulOp mm) {
  auto reshape = mm.getDpsInputs()[1].getDefiningOp<tensor::CollapseShapeOp>();
  if (!reshape || !reshape->hasOneUse())
    return false;
  auto gather = reshape.getSrc().getDefiningOp<linalg::GenericOp>();
  return gather && gather->hasOneUse() && gather.getNumDpsInputs() == 1 &&
         gather.getNumParallelLoops() == gather.getNumLoops();
}

/// The schedule for the transposes of rank `tile[0]` marked with the tile
/// (rows, t) = tile[1], tile[2]: an scf.forall over the leading dims and
/// blocks of `rows` result rows; inside, t x t tiles, each one vector read,
/// an in-register transpose lowered to shuffles (for t = 16: the AVX-512
/// 16 x 16 sequence) and one vector write.
std::string transposeSchedule(ArrayRef<int64_t> tile) {
  int64_t rank = tile[0], rows = tile[1], t = tile[2];
  std::string attr = llvm::formatv("array<i64: {0}, {1}, {2}>", rank, rows, t);
  std::string id = llvm::formatv("t{0}_{1}_{2}", rank, rows, t);
  std::string blocks, inner;
  for (int64_t i = 0; i < rank - 2; ++i) {
    blocks += "1, ";
    inner += "0, ";
  }
  blocks += llvm::formatv("{0}, 0", rows);
  inner += llvm::formatv("{0}, {0}", t);
  return llvm::formatv(R"mlir(
    %tr{1} = transform.structured.match ops{{["linalg.transpose"]}
        attributes {{ember.tile = {0}} in %root
        : (!transform.any_op) -> !transform.any_op
    %blocks{1}, %forall{1} = transform.structured.tile_using_forall
        %tr{1} tile_sizes [{2}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %tiles{1}, %rows{1}, %cols{1} = transform.structured.tile_using_for
        %blocks{1} tile_sizes [{3}]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
                                  !transform.any_op)
    transform.structured.vectorize %tiles{1} : !transform.any_op
    transform.apply_patterns to %rows{1} {{
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_transpose
          lowering_strategy = "shuffle_16x16"
    } : !transform.any_op
)mlir",
                       attr, id, blocks, inner)
      .str();
}

/// The whole script: every tile's schedule; the contractions as plain
/// contracts; each tile's accumulators carried through its k loop in
/// registers (read and written once per k loop, not per k step), whose
/// read of the fused zero fill then folds to a zero vector; finally the
/// contractions lowered to outer products: per tile, `m` rows of n-lane FMAs,
/// one per k step.
std::string buildSchedule(ArrayRef<SmallVector<int64_t, 5>> tiles,
                          ArrayRef<SmallVector<int64_t, 4>> batches,
                          ArrayRef<SmallVector<int64_t, 3>> transposes) {
  std::string body, hoist;
  for (ArrayRef<int64_t> tile : transposes)
    body += transposeSchedule(tile);
  auto addHoist = [&](StringRef id) {
    hoist += llvm::formatv(R"mlir(
    transform.loop.hoist_loop_invariant_subsets %k{0} : !transform.any_op
    transform.apply_patterns to %forall{0} {{
      transform.apply_patterns.canonicalization
    } : !transform.any_op
)mlir",
                           id)
                 .str();
  };
  for (ArrayRef<int64_t> tile : batches) {
    body += batchSchedule(tile);
    addHoist(
        llvm::formatv("b{0}_{1}_{2}_{3}", tile[0], tile[1], tile[2], tile[3])
            .str());
  }
  // A batched product's tile has a unit batch dim: dropped before the
  // contractions are lowered.
  std::string castAway = batches.empty()
                             ? ""
                             : "      transform.apply_patterns.vector."
                               "cast_away_vector_leading_one_dim\n";
  for (ArrayRef<int64_t> tile : tiles) {
    body += tileSchedule(tile);
    addHoist(llvm::formatv("{0}_{1}_{2}_{3}_{4}", tile[0], tile[1], tile[2],
                           tile[3], tile[4])
                 .str());
  }
  return R"mlir(
module attributes {transform.with_named_sequence, ember.schedule} {
  transform.named_sequence @__transform_main(
      %root: !transform.any_op {transform.readonly}) {)mlir" +
         body + R"mlir(
    %f = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
)mlir" + castAway +
         R"mlir(
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
)mlir" + hoist +
         R"mlir(
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction
          lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
    transform.yield
  }
}
)mlir";
}

/// The distinct schedule keys of the `OpT` ops marked `ember.tile`: `key`
/// maps an op and its tile to the key its schedule matches, which replaces
/// the attribute, or to none for a malformed tile, reported with `expected`
/// (and `bad` set).
template <typename OpT, unsigned N>
SmallVector<SmallVector<int64_t, N>> collectTiles(
    ModuleOp module, bool &bad, StringRef expected,
    function_ref<std::optional<SmallVector<int64_t, N>>(OpT, ArrayRef<int64_t>)>
        key) {
  SmallVector<SmallVector<int64_t, N>> keys;
  module.walk([&](OpT op) {
    Attribute attr = op->getAttr("ember.tile");
    if (!attr)
      return;
    auto tile = dyn_cast<DenseI64ArrayAttr>(attr);
    std::optional<SmallVector<int64_t, N>> k =
        tile ? key(op, tile.asArrayRef()) : std::nullopt;
    if (!k) {
      op.emitError(expected);
      bad = true;
      return;
    }
    op->setAttr("ember.tile", DenseI64ArrayAttr::get(op.getContext(), *k));
    if (!llvm::is_contained(keys, *k))
      keys.push_back(*k);
  });
  return keys;
}

struct EmberTileMatmul
    : public ember::impl::EmberTileMatmulBase<EmberTileMatmul> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool bad = false;
    SmallVector<SmallVector<int64_t, 5>> tiles =
        collectTiles<linalg::MatmulOp, 5>(
            module, bad,
            "ember.tile must be array<i64: rows, cols, m, n, k>: positive "
            "tile sizes m, n, k and exactly one of rows (a multiple of m) and "
            "cols (a multiple of n) nonzero",
            [](linalg::MatmulOp,
               ArrayRef<int64_t> t) -> std::optional<SmallVector<int64_t, 5>> {
              if (t.size() != 5 || t[2] <= 0 || t[3] <= 0 || t[4] <= 0 ||
                  t[0] < 0 || t[1] < 0 || (t[0] == 0) == (t[1] == 0) ||
                  (t[0] ? t[0] % t[2] : t[1] % t[3]) != 0)
                return std::nullopt;
              return SmallVector<int64_t, 5>(t);
            });
    // A batched product whose right operand is an im2col gather fuses the
    // gather: matched by the tile qualified with that (m, n, k, gathered).
    SmallVector<SmallVector<int64_t, 4>> batches =
        collectTiles<linalg::BatchMatmulOp, 4>(
            module, bad,
            "ember.tile of a batch_matmul must be array<i64: m, n, k>, "
            "positive tile sizes",
            [](linalg::BatchMatmulOp op,
               ArrayRef<int64_t> t) -> std::optional<SmallVector<int64_t, 4>> {
              if (t.size() != 3 || t[0] <= 0 || t[1] <= 0 || t[2] <= 0)
                return std::nullopt;
              return SmallVector<int64_t, 4>{t[0], t[1], t[2],
                                             readsGather(op) ? 1 : 0};
            });
    // Transposes of different ranks take different schedules: they are
    // matched by the rank-qualified tile (rank, rows, t).
    SmallVector<SmallVector<int64_t, 3>> transposes =
        collectTiles<linalg::TransposeOp, 3>(
            module, bad,
            "ember.tile of a transpose must be array<i64: rows, 16>, rows a "
            "positive multiple of 16",
            [](linalg::TransposeOp op,
               ArrayRef<int64_t> t) -> std::optional<SmallVector<int64_t, 3>> {
              int64_t rank = op.getInit().getType().getRank();
              if (t.size() != 2 || t[1] != 16 || t[0] <= 0 ||
                  t[0] % t[1] != 0 || rank < 2)
                return std::nullopt;
              return SmallVector<int64_t, 3>{rank, t[0], t[1]};
            });
    if (bad)
      return signalPassFailure();
    if (tiles.empty() && batches.empty() && transposes.empty())
      return;
    OwningOpRef<ModuleOp> schedule = parseSourceString<ModuleOp>(
        buildSchedule(tiles, batches, transposes), module.getContext());
    if (!schedule) {
      module.emitError("ember-tile-matmul: the schedule does not parse");
      return signalPassFailure();
    }
    ModuleOp injected = schedule.release();
    module.getBody()->push_back(injected);
    OpPassManager pm(ModuleOp::getOperationName());
    std::string error;
    llvm::raw_string_ostream os(error);
    LogicalResult parsed = parsePassPipeline("transform-interpreter", pm, os);
    LogicalResult ran = succeeded(parsed) ? runPipeline(pm, module) : failure();
    injected.erase();
    if (failed(parsed)) {
      module.emitError("ember-tile-matmul: ") << error;
      return signalPassFailure();
    }
    if (failed(ran))
      return signalPassFailure();
    module.walk([](Operation *op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::TransposeOp>(op))
        op->removeAttr("ember.tile");
    });
  }
};

} // namespace
