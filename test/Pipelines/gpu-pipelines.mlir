// RUN: ember-opt %s --split-input-file --ember-spirv-pipeline=fusion=false | FileCheck %s --check-prefixes=HOST,SPIRV
// RUN: ember-opt %s --split-input-file --ember-nvvm-pipeline=fusion=false | FileCheck %s --check-prefixes=HOST,NVVM
// RUN: ember-opt %s --split-input-file --ember-rocdl-pipeline=fusion=false | FileCheck %s --check-prefixes=HOST,ROCDL
// RUN: ember-opt %s --split-input-file --ember-rocdl-pipeline=chip=gfx942 | FileCheck %s --check-prefix=GFX942
// RUN: ember-opt %s --split-input-file --ember-spirv-pipeline | FileCheck %s --check-prefixes=FUSED,FUSED-SPIRV
// RUN: ember-opt %s --split-input-file --ember-nvvm-pipeline | FileCheck %s --check-prefix=FUSED

// One GPU lowering, three targets. The host function is a straight line of
// launches over the region's buffers (results are out-parameters). Without
// ember-fusion each loop nest is a kernel of its own: the fused broadcast +
// add + exp over 64x100 (blocks of 128x2 threads, thread x along the rows),
// and the row sums (ember-gpu-tile-reductions: 128 threads share each row,
// two rows per block, the zero fill folded in).

// HOST-LABEL: func.func @main(%arg0: memref<64x100xf32>, %arg1: memref<100xf32>, %arg2: memref<64x100xf32>, %arg3: memref<64xf32>) {
// HOST-NOT: memref.alloc
// HOST: gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c32, %c1) threads in (%c128, %c2, %c1) args(%arg0 : memref<64x100xf32>, %arg1 : memref<100xf32>, %arg2 : memref<64x100xf32>)
// HOST: gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c32, %c1, %c1) threads in (%c128, %c2, %c1) args(%arg2 : memref<64x100xf32>, %arg3 : memref<64xf32>)
// HOST-NEXT: return

// With ember-fusion (the default) the function is one "rows" region: one
// kernel with a thread per row, which computes its row of exp straight into
// the result and sums it.
// FUSED-LABEL: func.func @main(%arg0: memref<64x100xf32>, %arg1: memref<100xf32>, %arg2: memref<64x100xf32>, %arg3: memref<64xf32>) {
// FUSED-NOT: memref.alloc
// FUSED: gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1) args(%arg0 : memref<64x100xf32>, %arg1 : memref<100xf32>, %arg2 : memref<64x100xf32>, %arg3 : memref<64xf32>)
// FUSED-NEXT: return
// FUSED-SPIRV: gpu.binary @main_kernel [#gpu.object<#spirv.target_env
// FUSED-SPIRV-NOT: gpu.binary

// For SPIR-V, serialized modules for Vulkan with SPIR-V 1.3 capabilities.
// SPIRV: gpu.binary @main_kernel [#gpu.object<#spirv.target_env<#spirv.vce<v1.3, [Shader, {{.*}}]>, api=Vulkan, {{.*}}>, bin = "
// SPIRV: gpu.binary @main_kernel_0

// For NVVM, PTX with one entry per kernel and buffers as bare pointers.
// NVVM: gpu.binary @main_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_80{{.*}}.visible .entry main_kernel({{.*}}.param .u64 .ptr .align 1 main_kernel_param_0,{{.*}}.param .u64 .ptr .align 1 main_kernel_param_2
// NVVM: gpu.binary @main_kernel_0
// NVVM-SAME: .shared .align 4 .b8 __wg_main_kernel_0[1024]
// NVVM-SAME: bar.sync

// For ROCDL, kernels in the LLVM dialect for an external llc; exp's floor is
// ocml's.
// ROCDL: gpu.module @main_kernel [#rocdl.target<O = 3, chip = "gfx90a">]
// ROCDL: llvm.func @__ocml_floor_f32(f32) -> f32
// ROCDL: llvm.func @main_kernel(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr) attributes {{{.*}}rocdl.kernel
// ROCDL: rocdl.workitem.id.x range <i32, 0, 128>
// ROCDL: gpu.module @main_kernel_0
// ROCDL: llvm.mlir.global internal @__wg_main_kernel_0() {addr_space = 3 : i32} : !llvm.array<256 x f32>
// ROCDL: rocdl.barrier

// GFX942: gpu.module @main_kernel [#rocdl.target<O = 3, chip = "gfx942">]
func.func @main(%x: tensor<64x100xf32>, %b: tensor<100xf32>) -> (tensor<64x100xf32>, tensor<64xf32>) {
  %0 = ember.broadcast %b : tensor<100xf32> to tensor<64x100xf32>
  %1 = ember.add %x, %0 : tensor<64x100xf32>
  %2 = ember.exp %1 : tensor<64x100xf32>
  %3 = ember.sum %2 [1] : tensor<64x100xf32> -> tensor<64xf32>
  return %2, %3 : tensor<64x100xf32>, tensor<64xf32>
}

// -----

// Softmax with ember-fusion: one kernel, a thread per row, and no allocation
// inside it (the row max, exp and row sum live in buffers of the host).
// FUSED-LABEL: func.func @softmax(
// FUSED-COUNT-4: memref.alloc()
// FUSED: gpu.launch_func @softmax_kernel::@softmax_kernel blocks in (%c1, %c1, %c1) threads in (%c64, %c1, %c1)
// FUSED-NEXT: return
// FUSED-SPIRV: gpu.binary @softmax_kernel [#gpu.object<#spirv.target_env
// FUSED-SPIRV-NOT: gpu.binary
func.func @softmax(%x: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %m = ember.max %x [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
  %mb = ember.broadcast %m : tensor<64x1xf32> to tensor<64x128xf32>
  %d = ember.sub %x, %mb : tensor<64x128xf32>
  %e = ember.exp %d : tensor<64x128xf32>
  %s = ember.sum %e [1] keepdim : tensor<64x128xf32> -> tensor<64x1xf32>
  %sb = ember.broadcast %s : tensor<64x1xf32> to tensor<64x128xf32>
  %y = ember.div %e, %sb : tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
