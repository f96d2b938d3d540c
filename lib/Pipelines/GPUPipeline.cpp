//===- GPUPipeline.cpp - ember-{spirv,nvvm,rocdl}-pipeline ----------------===//
//
// One GPU lowering, three targets. The shared part takes ember to bufferized
// parallel loops, tiles and maps them onto blocks and threads, and outlines
// every loop nest into a kernel of its own gpu.module; the host function is
// left as a straight line of allocations and gpu.launch_func ops, which the
// runtime executes (ember.runtime.backends.gpu reads it as a launch plan).
// What differs between targets is all in one `GPUTarget` each (kSPIRV,
// kNVVM, kROCDL): how a gpu.module is attached to its target, converted, and
// serialized.
//
//===----------------------------------------------------------------------===//
#include "ember/Conversion/Passes.h"
#include "ember/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace {

/// What one target needs; `%chip` and `%format` in a string are replaced by
/// the pipeline options.
struct GPUTarget {
  StringRef name;
  StringRef defaultChip;
  /// Attaches the target to every gpu.module.
  StringRef attach;
  /// Converts the kernels of a gpu.module (nested under gpu.module unless it
  /// starts at the module).
  StringRef convert;
  /// Serializes gpu.modules into gpu.binary ops (empty: the gpu.modules stay,
  /// in the LLVM dialect, for an external code generator).
  StringRef serialize;
};

// SPIR-V 1.3 for Vulkan: later versions fail spirv-val after
// spirv-update-vce with this LLVM. The capabilities are what Ember's element
// types may need; spirv-update-vce keeps only those a module uses.
constexpr GPUTarget kSPIRV = {
    "spirv", "vulkan",
    "spirv-attach-target{ver=v1.3 client_api=Vulkan "
    "caps=Shader,Int64,Int16,Int8,Float64,Float16,"
    "StorageBuffer16BitAccess,StorageBuffer8BitAccess "
    "exts=SPV_KHR_storage_buffer_storage_class,SPV_KHR_16bit_storage,"
    "SPV_KHR_8bit_storage},"
    "ember-spirv-prepare-kernels",
    "gpu.module(convert-math-to-spirv),"
    "convert-gpu-to-spirv{use-64bit-index=false},"
    "spirv.module(spirv-lower-abi-attrs,spirv-update-vce),"
    "ember-spirv-nest-modules",
    "gpu-module-to-binary{format=bin}"};

// Bare pointers at the kernel boundary: a kernel argument is one device
// pointer per buffer, what cuLaunchKernel takes (Ember has no CUDA runtime
// yet: the PTX is checked by ptxas).
constexpr GPUTarget kNVVM = {
    "nvvm", "sm_80", "nvvm-attach-target{chip=%chip features=+ptx80 O=3}",
    "gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{"
    "use-bare-ptr-memref-call-conv=true},canonicalize,cse,"
    "reconcile-unrealized-casts)",
    "gpu-module-to-binary{format=%format}"};

// This LLVM has no AMDGPU backend: the gpu.modules stay in the LLVM dialect
// and ember.runtime.backends.gpu translates them to LLVM IR for Debian's
// llc / ld.lld (same LLVM version), which produce the code object. Math goes
// to ocml first (the host function has none): left to convert-gpu-to-rocdl,
// a context that registers the math dialect's LLVM conversion (Python's)
// picks llvm.intr.tanh for f64, which the AMDGPU backend cannot lower.
constexpr GPUTarget kROCDL = {
    "rocdl", "gfx90a", "rocdl-attach-target{chip=%chip O=3}",
    "convert-math-to-rocdl{chipset=%chip},"
    "gpu.module(convert-scf-to-cf,convert-gpu-to-rocdl{"
    "use-bare-ptr-memref-call-conv=true runtime=HIP},canonicalize,cse,"
    "reconcile-unrealized-casts)",
    ""};

void buildGPUPipeline(OpPassManager &pm, const GPUTarget &target,
                      const ember::GPUPipelineOptions &options) {
  std::string chip = options.chip.empty() ? target.defaultChip.str()
                                          : std::string(options.chip);
  // The same ember-level simplification as on the CPU (CPUPipeline.cpp).
  ember::addPipelineText(pm, "canonicalize,cse");
  if (options.fusion)
    pm.addPass(ember::createEmberFusion());
  ember::ConvertEmberToLinalgOptions toLinalg;
  toLinalg.registerTiles = false;
  pm.addPass(ember::createConvertEmberToLinalg(toLinalg));
  ember::addPipelineText(pm, "canonicalize,cse,linalg-fuse-elementwise-ops");
  if (options.fusion) {
    // A rows region is one kernel with a thread per row; its intermediates
    // are rows of full-size buffers (results of the loop that no one reads:
    // no canonicalization may run between here and bufferization, or it
    // drops them and the kernel would allocate). Rows longer than 4096
    // elements stay untiled, for ember-gpu-split-reductions to spread.
    ember::EmberLowerFusionOptions lower;
    lower.rowTile = 1;
    lower.maxRowElements = 4096;
    lower.privateTiles = false;
    pm.addPass(ember::createEmberLowerFusion(lower));
  }
  pm.addNestedPass<func::FuncOp>(ember::createEmberGPUSplitReductions());
  if (!options.fusion)
    ember::addPipelineText(pm, "canonicalize,cse");
  // Temporaries are freed by the runtime when the region has run: no
  // deallocation pipeline, so the host function stays a straight line.
  ember::addRegionBufferization(pm);
  ember::addPipelineText(pm, "func.func(buffer-loop-hoisting)");
  // Every copy runs on the device, as a kernel.
  ember::EmberStridedCopiesToLinalgOptions copies;
  copies.all = true;
  pm.addNestedPass<func::FuncOp>(
      ember::createEmberStridedCopiesToLinalg(copies));
  // Matmuls and reductions share work through workgroup memory; all other
  // loop nests are mapped onto blocks of threads as they are.
  pm.addNestedPass<func::FuncOp>(ember::createEmberGPUTileMatmul());
  pm.addNestedPass<func::FuncOp>(ember::createEmberGPUTileReductions());
  ember::addPipelineText(
      pm, "scf-forall-to-parallel,convert-linalg-to-parallel-loops");
  pm.addPass(ember::createEmberWidenBoolMemrefs());
  // Views are folded into the loads and stores, so that kernels take whole
  // buffers.
  ember::addPipelineText(pm, "fold-memref-alias-ops,canonicalize,cse");
  ember::EmberGPUMapParallelLoopsOptions map;
  map.threads = options.threads;
  pm.addNestedPass<func::FuncOp>(ember::createEmberGPUMapParallelLoops(map));
  ember::addPipelineText(
      pm, "convert-parallel-loops-to-gpu,canonicalize,"
          "gpu-launch-sink-index-computations,gpu-kernel-outlining,"
          "canonicalize,cse,lower-affine,arith-expand");
  pm.addPass(ember::createEmberExpandMath());
  auto substitute = [&](StringRef s) {
    std::string out = s.str();
    for (auto [key, value] : {std::pair<StringRef, std::string>{"%chip", chip},
                              {"%format", std::string(options.format)}})
      for (size_t at; (at = out.find(key.str())) != std::string::npos;)
        out.replace(at, key.size(), value);
    return out;
  };
  ember::addPipelineText(pm, substitute(target.attach));
  ember::addPipelineText(pm, substitute(target.convert));
  if (!target.serialize.empty())
    ember::addPipelineText(pm, substitute(target.serialize));
}

template <const GPUTarget &T> void registerGPUPipeline(StringRef description) {
  PassPipelineRegistration<ember::GPUPipelineOptions>(
      llvm::formatv("ember-{0}-pipeline", T.name).str(), description,
      [](OpPassManager &pm, const ember::GPUPipelineOptions &options) {
        buildGPUPipeline(pm, T, options);
      });
}

} // namespace

void mlir::ember::buildSPIRVPipeline(OpPassManager &pm,
                                     const GPUPipelineOptions &options) {
  buildGPUPipeline(pm, kSPIRV, options);
}

void mlir::ember::buildNVVMPipeline(OpPassManager &pm,
                                    const GPUPipelineOptions &options) {
  buildGPUPipeline(pm, kNVVM, options);
}

void mlir::ember::buildROCDLPipeline(OpPassManager &pm,
                                     const GPUPipelineOptions &options) {
  buildGPUPipeline(pm, kROCDL, options);
}

void mlir::ember::registerEmberGPUPipelines() {
  registerGPUPipeline<kSPIRV>(
      "Lower ember to SPIR-V kernels for Vulkan (gpu.binary) and a host "
      "function of launches");
  registerGPUPipeline<kNVVM>(
      "Lower ember to NVVM kernels, serialized as PTX (format=isa) or cubin "
      "(format=bin, through ptxas), and a host function of launches");
  registerGPUPipeline<kROCDL>(
      "Lower ember to ROCDL kernels in the LLVM dialect (gpu.module) and a "
      "host function of launches");
}
