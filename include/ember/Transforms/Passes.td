//===- Passes.td - ember transform passes ----------------------*- tablegen -*-===//
#ifndef EMBER_TRANSFORMS_PASSES_TD
#define EMBER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmberExpandMath : Pass<"ember-expand-math"> {
  let summary = "Replace f32 transcendental math with polynomial approximations";
  let description = [{
    Rewrites `math` ops that LLVM would otherwise turn into scalar libm calls
    (`erf`, `tanh`, `exp`, `log`, `log1p`, ...) on `f32` scalars and vectors into polynomial approximations built from arith ops, so that
    they vectorize and JIT without libm. `f64` is left to libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def EmberWidenBoolMemrefs : Pass<"ember-widen-bool-memrefs", "::mlir::ModuleOp"> {
  let summary = "Store i1 memrefs as one byte per element (i8)";
  let description = [{
    Booleans live in memory as bytes, as in NumPy and PyTorch, so `i1` buffers
    cross the call boundary unchanged and LLVM never sees sub-byte memory.
    Runs on loops over memrefs (after `convert-linalg-to-loops`): every
    `memref<...xi1>` becomes `memref<...xi8>` (function signatures, allocs,
    views, globals), loads are followed by `arith.trunci` and stores preceded
    by `arith.extui`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EmberPrepareFunctionBoundaries : Pass<"ember-prepare-function-boundaries",
                                           "::mlir::func::FuncOp"> {
  let summary = "Make function boundaries safe for bufferization";
  let description = [{
    Runs on tensors right before one-shot bufferization. Arguments are marked
    `bufferization.writable = false`: the caller owns those buffers (a user's
    NumPy array, a realized tensor), so the function never writes into them.
    A value returned more than once is copied (`linalg.copy` into a new
    tensor) for each extra use, so that every result is its own
    out-parameter and no two outputs alias.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EmberTileMatmul : Pass<"ember-tile-matmul", "::mlir::ModuleOp"> {
  let summary = "Register-tile and vectorize the matmuls marked `ember.tile`";
  let description = [{
    Runs on tensors. Every `linalg.matmul` carrying the `ember.tile` attribute
    (2-D float matmuls whose sizes the tile divides, see the ember.matmul
    lowering) is tiled 8 x 32 x 16 (m, n, k) with `scf.for` and vectorized:
    each tile becomes a `vector.contract` lowered to outer products, 8 rows of
    32-lane `vector.fma` accumulators that stay in registers across the 16 k
    steps. The schedule is a transform-dialect script run by the upstream
    `transform-interpreter` (injected into the module, then removed).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::transform::TransformDialect",
    "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect"
  ];
}

def EmberParallelLoops : Pass<"ember-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Keep an scf.parallel parallel only where threads pay off";
  let description = [{
    Runs on loops over memrefs, before `async-parallel-for` turns every
    `scf.parallel` into tasks for the thread pool. A parallel loop stays
    parallel only if it is outermost (no loop around it: dispatching once per
    iteration of an enclosing loop costs more than it gains) and its
    estimated work, the number of scalar operations it executes (a vector op
    counts its lanes; loop trip counts multiply), reaches `min-work`. Every
    other `scf.parallel` becomes a nest of `scf.for`, in the same order.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Smallest estimated work (scalar operations) run on threads">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def EmberStridedCopiesToLinalg : Pass<"ember-strided-copies-to-linalg",
                                      "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy ops that are not one memcpy into linalg.copy";
  let description = [{
    Runs on buffers, before linalg is lowered to loops. A `memref.copy`
    between two contiguous buffers stays (it becomes a memcpy); any other one
    (into a padded buffer's interior, out of a strided view) becomes a
    `linalg.copy`, hence loops that vectorize and may run on threads, instead
    of a call to the runner utilities' element-at-a-time `memrefCopy`.
    With `all`, contiguous copies become loops too: GPU targets run every
    copy as a kernel.
  }];
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Also turn contiguous copies into linalg.copy">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def EmberVectorizeRowCopies : Pass<"ember-vectorize-row-copies",
                                   "::mlir::func::FuncOp"> {
  let summary = "Turn short innermost loops that compute one row into vector "
                "ops";
  let description = [{
    Runs on loops over memrefs (after `ember-parallel-loops`, before affine
    and scf are lowered). An innermost `scf.for` from 0 to a constant count
    `n` (2 to 256) with step 1 whose body loads rows (unit inner stride, the
    last index the induction variable plus a loop-invariant offset through
    `affine.apply` or `arith.addi`, the other indices loop-invariant),
    applies elementwise `arith` / `math` ops to them and to loop-invariant
    scalars, and stores one row at the induction variable, becomes the same
    computation on `vector<n x T>`: one `vector.transfer_read` per loaded
    row, `vector.broadcast` of the scalars, the ops on vectors and one
    `vector.transfer_write`. A load of the buffer the loop writes must read
    the very element the same iteration writes.

    Why: LLVM fully unrolls such short loops before its loop vectorizer runs
    and then vectorizes the enclosing loop instead, across rows, with
    gathers and scatters (an im2col gather of 16-element rows ran at a
    fraction of the memory bandwidth).

    Loops of any length from 0 to a constant with step 1 that store several
    rows (into distinct buffers), or read scalars from memory at
    loop-invariant indices (from buffers the loop does not write), become
    strips: a loop over one 512-bit vector per iteration (or one vector of
    the row's length when shorter), the scalars loaded once before it, and
    the original loop for the elements left over. LLVM keeps those scalar:
    the scalar loads cannot move past the stores, and vectorizing needs a
    run-time check per pair of buffers (an optimizer update reads ten and
    writes three). Ember's regions never write a buffer that another of
    their arguments reads, which is what makes both rewrites safe.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def EmberPromoteAccumulators : Pass<"ember-promote-accumulators",
                                    "::mlir::func::FuncOp"> {
  let summary = "Carry reduction accumulators in registers across scf.for";
  let description = [{
    Runs on loops over memrefs. In an `scf.for` whose body loads an element
    at loop-invariant indices and stores it back (a reduction's
    accumulator), and touches that buffer no other way, the load moves before
    the loop, the value becomes a loop-carried value and the store moves after
    the loop. Only buffers that cannot overlap the others the loop touches
    qualify (allocations and function arguments: Ember passes every input
    and output as its own array), and only loops whose bodies do nothing
    but loads, stores and side-effect-free ops. LLVM does this itself for
    one accumulator, but not for two (a max and its NaN count, a value and
    its index), which it cannot prove apart.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EmberHoistLoopBuffers : Pass<"ember-hoist-loop-buffers",
                                 "::mlir::func::FuncOp"> {
  let summary = "Allocate a loop body's temporaries once, not per iteration";
  let description = [{
    Runs on loops over buffers, after deallocation is placed. A buffer of
    static shape that a loop body allocates and frees, both at the body's top
    level, is allocated before the loop and freed after it: before an
    `scf.for`, and for an OpenMP worksharing loop, once per thread at the
    start of its `omp.parallel` region (freed at its end). Each iteration's
    buffer is fresh and dead after the iteration, and a thread runs its
    iterations in turn, so one buffer serves them all. Rows regions' tiles,
    sized to stay in the L1 cache, are many; this takes the heap out of them.
    Buffers sized per iteration, or freed in a nested block, stay.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def EmberOmpNowait : Pass<"ember-omp-nowait", "::mlir::func::FuncOp"> {
  let summary = "Tidy the OpenMP loops convert-scf-to-openmp makes";
  let description = [{
    Runs right after `convert-scf-to-openmp`. A worksharing loop that ends its
    `omp.parallel` region becomes `nowait`: the end of the region joins every
    thread, so the loop's own barrier is redundant (and Ember's runtime has
    none). The `memref.alloca_scope` wrapped around each loop body is inlined
    when the body allocates nothing on the stack, so that later passes see
    plain loops.
  }];
  let dependentDialects = ["::mlir::omp::OpenMPDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EmberAutodiff : Pass<"ember-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of ember functions";
  let description = [{
    For every public `func.func @f(args) -> (results)` made of ember ops, adds
    `@f_grad(args, cotangents) -> (results, gradients)`: one cotangent
    argument per result and one gradient per floating-point tensor argument
    (in order; integer and bool arguments, and arguments marked
    `{ember.no_grad}`, get none). Only values that depend on a differentiated
    argument take cotangents (activity analysis), so constants cost nothing. The body is the forward
    computation followed by a generic reverse walk that calls each op's
    `DifferentiableOpInterface::buildVJP`: cotangents add up at fan-out,
    broadcasts reduce back to their input shapes, integer / bool values carry
    none, unused arguments get zeros, and forward values are reused. The
    gradient is itself ember IR, so the pass composes (grad of grad).
  }];
  let options = [
    Option<"suffix", "suffix", "std::string", /*default=*/"\"_grad\"",
           "Name suffix of the gradient functions">
  ];
  let dependentDialects = ["::mlir::ember::EmberDialect",
                           "::mlir::func::FuncDialect"];
}

def EmberGPUSplitReductions : Pass<"ember-gpu-split-reductions",
                                   "::mlir::func::FuncOp"> {
  let summary = "Split long reductions with few outputs for GPU threads";
  let description = [{
    Runs on linalg on tensors. A `linalg.generic` reducing at least
    `min-size` elements into at most `max-outputs` outputs (a sum to a
    scalar, a mean over a batch) would run as one thread per output looping
    over all of them. Its reduction dimensions are collapsed into one where the
    indexing maps allow, and `linalg::splitReduction` splits that into a
    parallel dimension of up to 1024 partial reductions (a power of two that
    divides it, at least 64 elements each) and a reduction of the partials.
    Reductions it cannot split (no such divisor, several results) stay.
  }];
  let options = [
    Option<"minSize", "min-size", "int64_t", /*default=*/"4096",
           "Smallest reduced size to split">,
    Option<"maxOutputs", "max-outputs", "int64_t", /*default=*/"4096",
           "Most outputs of a reduction to split">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EmberGPUMapParallelLoops : Pass<"ember-gpu-map-parallel-loops",
                                    "::mlir::func::FuncOp"> {
  let summary = "Tile outermost scf.parallel loops into GPU blocks of threads";
  let description = [{
    Each outermost `scf.parallel` is tiled into a loop over blocks and a loop
    over the `threads` threads of a block, with bounds checks instead of
    partial tiles. From the innermost dimension out, up to three dimensions get
    the power of two at or above their trip count while threads last. Both loops are mapped innermost dimension first
    onto x, y and z, so that thread x walks contiguous memory; further
    dimensions, and parallel loops nested inside, run sequentially. A perfect
    nest of `scf.for` loops around one `scf.parallel` (a reduction over a
    leading dimension) is turned inside out first, so that threads split the
    parallel dimensions (valid for the loops linalg lowering makes). Work at
    the function's top level outside any parallel loop (a reduction to a
    scalar, the store filling a 0-d buffer) becomes a one-thread loop first.
    Integer `math.ipowi` (squaring over the exponent's bits) and
    `math.absi`, which no GPU lowering handles, are expanded into arith ops.
    `convert-parallel-loops-to-gpu` then turns each into a `gpu.launch`.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"256",
           "Threads per block">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def EmberGPUTileMatmul : Pass<"ember-gpu-tile-matmul",
                              "::mlir::func::FuncOp"> {
  let summary = "Contractions on buffers as GPU kernels tiled through "
                "workgroup memory";
  let description = [{
    Runs after bufferization. Each linalg contraction at the function's top
    level (`linalg.matmul`, `linalg.batch_matmul`, or a `linalg.generic` with
    one m, one n and one k loop, any batch loops, static sizes) becomes a
    `gpu.launch` of its own. A block of up to 16 x 16 threads computes a
    tile of up to 64 x 64 results of one batch's product (block z runs over
    the batches); for each 16-deep slice of k its threads copy the lhs slice
    (rows x 16) and the rhs slice (16 x columns) into workgroup memory
    together, wait at a barrier, and each accumulates a register tile of up
    to 4 x 4 results (rows strided by the block's thread rows, columns by its
    thread columns, so that neighbouring threads read and store neighbouring
    columns) from workgroup memory with the op's own body. Elements past the
    edges read as zero and are not stored. Operands are read through the
    op's indexing maps: a transposed or broadcast operand is not copied. A
    `linalg.fill` of the result buffer right before the op becomes the
    accumulators' initial value.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def EmberGPUTileReductions : Pass<"ember-gpu-tile-reductions",
                                  "::mlir::func::FuncOp"> {
  let summary = "Reductions on buffers as GPU kernels whose threads share "
                "each result through workgroup memory";
  let description = [{
    Runs after bufferization. Each `linalg.generic` at the function's top
    level with static sizes and one reduction loop, whose results (up to 4)
    each combine into their accumulator with one associative, commutative op
    that has an identity (`addf`, `mulf`, float max / min, integer add, mul,
    max / min, and, or, xor) and depends on no other accumulator, becomes a
    `gpu.launch` of its own with 256 threads per block. Where the reduction
    loop is the contiguous dim of the first input (row sums) it runs along
    thread x (up to 256 threads, at least 32) and the block's results along
    y; otherwise (column sums) up to 32 results run along x, so that
    neighbouring threads read neighbouring elements, and the reduction along
    y. Each thread accumulates a strided part of the reduction from the
    identity with the op's own body; the block then combines the partials in
    workgroup memory as a tree, a barrier after each level, and one thread
    per result combines the total into the result's start: a constant fill
    before the op (folded, as in ember-gpu-tile-matmul) or the buffer's
    value.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def EmberSPIRVPrepareKernels : Pass<"ember-spirv-prepare-kernels",
                                    "::mlir::ModuleOp"> {
  let summary = "Prepare outlined GPU kernels for the SPIR-V conversions";
  let description = [{
    Runs after `spirv-attach-target`. Sets `spirv.entry_point_abi` (the
    workgroup size) on every `gpu.func` kernel from its `known_block_size`,
    as `convert-gpu-to-spirv` requires; copies the `#spirv.target_env` among
    a gpu.module's targets into its `spirv.target_env` attribute, where
    `convert-math-to-spirv` looks it up (else it assumes a minimal
    environment: no Float64, no Int64); turns `llvm.intr.maxnum` /
    `minnum`, which float max / min reductions use on the CPU, into
    `arith.maxnumf` / `minnumf`; rewrites `math.powf` for SPIR-V's `Pow`,
    which is undefined for bases at or below zero (PyTorch's results: odd
    integer exponents keep the sign, other exponents of a negative base give
    NaN); and records on each `gpu.launch_func` the
    loop iterations one thread of its kernel runs (`ember.loop_iterations`),
    which Mesa's lavapipe caps at 65535 per invocation.
  }];
  let dependentDialects = ["::mlir::spirv::SPIRVDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def EmberSPIRVNestModules : Pass<"ember-spirv-nest-modules",
                                 "::mlir::ModuleOp"> {
  let summary = "Move each spirv.module into the gpu.module it came from";
  let description = [{
    `convert-gpu-to-spirv` puts the `spirv.module` of `gpu.module @k` next to
    it as `@__spv__k`. This pass moves it into `@k`, so that
    `gpu-module-to-binary` (through the `#spirv.target_env` in the
    gpu.module's targets) serializes it into a `gpu.binary`.
  }];
}

def EmberFusion : Pass<"ember-fusion"> {
  let summary = "Group ember ops into ember.fusion regions, one kernel each";
  let description = [{
    Runs on ember ops with static shapes, after autodiff. First a reduction
    that only `ember.reshape` gives its unit dims back becomes a `keepdim`
    reduction. Then:

    - `"rows"` regions grow from each reduction over trailing dims
      `[k, rank)`: the elementwise ops, broadcasts, splat `ember.full`s and
      reductions connected to it whose results start with the same `k` dims
      and that keep them in place (softmax, layer norm, cross-entropy and
      their gradients);
    - `"elementwise"` regions hold the connected elementwise ops of one result
      shape that are left, with the broadcasts and fills feeding them.

    A region holds at least two elementwise ops or reductions. An op joins
    only if no path through ops outside the region leads both from the region
    to the op and back; ops outside that depend on the region move below it.
  }];
  let dependentDialects = ["::mlir::ember::EmberDialect"];
}

def EmberLowerFusion : Pass<"ember-lower-fusion"> {
  let summary = "Turn each ember.fusion region (linalg on tensors) into its kernel";
  let description = [{
    Runs after `convert-ember-to-linalg`. In each region, elementwise
    producers fuse into their consumers also when the region yields them as
    well. A `"rows"` region then becomes one `scf.forall` over tiles of its
    leading `parallel_dims` dims (a tile of `row-tile` rows, or with 0 as
    many rows as fit in `tile-bytes` for the widest value, a divisor of the
    innermost leading dim), every op tiled to the tile's rows and reading the
    tiles computed before it. A region whose ops cannot be tiled so, or with
    rows longer than `max-row-elements` (0: no limit), stays untiled. Every
    region is then inlined. A yielded value is computed straight into its
    slice of the loop's result; intermediates are tile-sized temporaries, or
    with `private-tiles=false` slices of full-size buffers.
  }];
  let options = [
    Option<"tileRowsOption", "tile-rows", "bool", /*default=*/"true",
           "Tile rows regions (false: only fuse inside them)">,
    Option<"rowTile", "row-tile", "int64_t", /*default=*/"0",
           "Rows per tile (0: from tile-bytes)">,
    Option<"tileBytes", "tile-bytes", "int64_t", /*default=*/"262144",
           "Bytes of the widest value per tile when row-tile is 0 (the "
           "default: a share of a 2 MiB L2 cache)">,
    Option<"maxRowElements", "max-row-elements", "int64_t", /*default=*/"0",
           "Leave rows regions with longer rows untiled (0: no limit)">,
    Option<"privateTiles", "private-tiles", "bool", /*default=*/"true",
           "Intermediate tiles are temporaries of the tile's size (false: "
           "slices of full-size buffers, for GPU kernels, which cannot "
           "allocate)">,
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // EMBER_TRANSFORMS_PASSES_TD
