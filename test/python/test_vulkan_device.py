"""The Vulkan runtime (``ember.runtime.backends.vulkan``) on whatever Vulkan device
is here (lavapipe, Mesa's CPU driver, on the CI machines).

Buffers: round trips through the mapped views, empty buffers, a view keeping
its buffer alive. Kernels: small ember functions compiled by
``ember-spirv-pipeline`` and run by reading the host function's allocations
and ``gpu.launch_func`` ops, against NumPy: one dispatch (add, over the element
types the device's features cover) and chains where a kernel reads what an
earlier one wrote (exp-sum over rows; softmax then matmul, ten dispatches).
Device selection (EMBER_VULKAN_DEVICE) and error messages.

Without a Vulkan device the device tests are skipped, saying why; with
``EMBER_REQUIRE_VULKAN=1`` (set it in CI) they run and fail instead.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

import mlir.ir as ir
import numpy as np
import pytest
from ember._mlir import context
from ember.runtime.backends import vulkan
from ember.runtime.backends.gpu import compile_region
from ember_testing import needs_vulkan

_NP = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
       "i8": np.int8, "i32": np.int32, "i64": np.int64}


def _compile(text: str, fusion: bool = True):
    """Compiles ``text`` (an ember @main) for SPIR-V; returns the buffer sizes
    (arguments first, then allocations) and launches (spirv, entry, grid, buffers)."""
    with context():
        module = ir.Module.parse(text)
        main = next(iter(module.body.operations))
        ftype = ir.FunctionType(ir.TypeAttr(main.attributes["function_type"]).value)
        program = compile_region(module, "spirv", fusion=fusion)
    args = [ir.RankedTensorType(t) for t in [*ftype.inputs, *ftype.results]]

    def nbytes(kind, value):
        assert kind in ("arg", "alloc"), kind  # these regions have no constants
        if kind == "alloc":
            return value
        return int(np.prod(args[value].shape, dtype=np.int64)) * \
            args[value].element_type.width // 8

    sizes = [nbytes(kind, value) for kind, value in program.buffers]
    launches = [(program.kernels[ln.module], ln.entry, ln.grid, ln.args)
                for ln in program.launches]
    return sizes, launches


def _run(text: str, inputs: list[np.ndarray], out_specs,
         fusion: bool = True) -> list[np.ndarray]:
    """Compiles and runs ``text`` on the Vulkan device: the outputs, copied out."""
    dev = vulkan.device()
    sizes, launches = _compile(text, fusion)
    buffers = [dev.buffer(n) for n in sizes]
    for buf, x in zip(buffers, inputs, strict=False):
        buf.array(x.shape, x.dtype)[...] = x
    dispatches = [(dev.kernel(spirv, entry, len(args)), [buffers[i] for i in args], grid)
                  for spirv, entry, grid, args in launches]
    dev.run(dispatches)
    return [buffers[len(inputs) + i].array(shape, dt).copy()
            for i, (shape, dt) in enumerate(out_specs)]


@needs_vulkan
def test_device():
    dev = vulkan.device()
    assert vulkan.available()
    assert vulkan.device() is dev
    assert dev.name
    assert dev.features <= {"shaderInt64", "shaderFloat64", "shaderInt16",
                            "storageBuffer16BitAccess", "storageBuffer8BitAccess",
                            "shaderFloat16", "shaderInt8"}


@needs_vulkan
def test_buffer_round_trip():
    buf = vulkan.device().buffer(3 * 5 * 8)
    assert buf.nbytes == 120
    x = np.random.default_rng(0).standard_normal((3, 5))
    buf.array((3, 5), np.float64)[...] = x
    np.testing.assert_array_equal(buf.array((3, 5), np.float64), x)
    # Views alias the mapped memory.
    buf.array(15, np.float64)[0] = 7.0
    assert buf.array((3, 5), "float64")[0, 0] == 7.0
    assert buf.array((2, 2), np.float32).shape == (2, 2)  # a prefix
    with pytest.raises(ValueError):
        buf.array((16,), np.float64)


@needs_vulkan
def test_zero_size_buffer():
    buf = vulkan.device().buffer(0)
    assert buf.nbytes == 0
    assert buf.array((0,), np.float32).shape == (0,)
    assert buf.array((4, 0), np.int64).shape == (4, 0)
    with pytest.raises(ValueError):
        buf.array((1,), np.int8)


@needs_vulkan
def test_view_keeps_buffer_alive():
    buf = vulkan.device().buffer(4096)
    view = buf.array((32, 32), np.float32)
    view[...] = np.arange(1024, dtype=np.float32).reshape(32, 32)
    alive = weakref.ref(buf)
    del buf
    gc.collect()
    assert alive() is not None
    np.testing.assert_array_equal(view.ravel(), np.arange(1024, dtype=np.float32))
    del view
    gc.collect()
    assert alive() is None  # freed once nothing refers to it


ADD = """
func.func @main(%x: tensor<1000xDT>, %y: tensor<1000xDT>) -> tensor<1000xDT> {
  %0 = ember.add %x, %y : tensor<1000xDT>
  return %0 : tensor<1000xDT>
}"""


@needs_vulkan
@pytest.mark.parametrize("dt", ["f32", "f64", "f16", "i32", "i64", "i8"])
def test_add(dt):
    rng = np.random.default_rng(1)
    x, y = (rng.integers(-50, 50, 1000).astype(_NP[dt]) for _ in range(2))
    (out,) = _run(ADD.replace("DT", dt), [x, y], [((1000,), _NP[dt])])
    np.testing.assert_array_equal(out, x + y)


EXP_SUM = """
func.func @main(%x: tensor<64x100xf32>, %y: tensor<64x100xf32>)
    -> (tensor<64x100xf32>, tensor<64xf32>) {
  %0 = ember.add %x, %y : tensor<64x100xf32>
  %1 = ember.exp %0 : tensor<64x100xf32>
  %2 = ember.sum %1 [1] : tensor<64x100xf32> -> tensor<64xf32>
  return %1, %2 : tensor<64x100xf32>, tensor<64xf32>
}"""


@needs_vulkan
def test_exp_sum_reads_earlier_dispatch():
    # Without fusion regions: the exp, then a reduction that reads it, wrong
    # without the barrier between them. With them: one kernel, a thread per row.
    assert len(_compile(EXP_SUM, fusion=False)[1]) == 2
    assert len(_compile(EXP_SUM)[1]) == 1
    rng = np.random.default_rng(2)
    x, y = (rng.standard_normal((64, 100), np.float32) for _ in range(2))
    for fusion in (False, True):
        for _ in range(3):  # outputs start as garbage after the first run
            e, out = _run(EXP_SUM, [x, y], [((64, 100), np.float32), ((64,), np.float32)],
                          fusion)
            np.testing.assert_allclose(e, np.exp(x + y), rtol=1e-6)
            np.testing.assert_allclose(out, np.exp(x + y).sum(1), rtol=1e-5)


SOFTMAX_MATMUL = """
func.func @main(%x: tensor<64x100xf32>, %b: tensor<100xf32>, %w: tensor<100x48xf32>)
    -> (tensor<64x100xf32>, tensor<64x48xf32>) {
  %0 = ember.broadcast %b : tensor<100xf32> to tensor<64x100xf32>
  %1 = ember.add %x, %0 : tensor<64x100xf32>
  %2 = ember.exp %1 : tensor<64x100xf32>
  %3 = ember.sum %2 [1] : tensor<64x100xf32> -> tensor<64xf32>
  %4 = ember.reshape %3 : tensor<64xf32> to tensor<64x1xf32>
  %5 = ember.broadcast %4 : tensor<64x1xf32> to tensor<64x100xf32>
  %6 = ember.div %2, %5 : tensor<64x100xf32>
  %7 = ember.matmul %6, %w : tensor<64x100xf32>, tensor<100x48xf32> -> tensor<64x48xf32>
  return %6, %7 : tensor<64x100xf32>, tensor<64x48xf32>
}"""


@needs_vulkan
def test_softmax_matmul_chain():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 100), np.float32)
    b = rng.standard_normal(100, np.float32)
    w = rng.standard_normal((100, 48), np.float32)
    p, y = _run(SOFTMAX_MATMUL, [x, b, w], [((64, 100), np.float32), ((64, 48), np.float32)])
    e = np.exp(x.astype(np.float64) + b)
    p_ref = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(p, p_ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y, p_ref @ w, rtol=1e-4, atol=1e-5)


@needs_vulkan
def test_chained_dispatches():
    # c = a + b, then a = c + b, then b = a + c: each dispatch reads the last's output.
    dev = vulkan.device()
    _, launches = _compile(ADD.replace("DT", "f32"))
    (spirv, entry, grid, args), = launches
    kernel = dev.kernel(spirv, entry, len(args))
    a, b, c = (dev.buffer(4000) for _ in range(3))
    x = np.arange(1000, dtype=np.float32)
    a.array(1000, np.float32)[:] = x
    b.array(1000, np.float32)[:] = 1
    dev.run([(kernel, [a, b, c], grid), (kernel, [c, b, a], grid), (kernel, [a, c, b], grid)])
    np.testing.assert_array_equal(c.array(1000, np.float32), x + 1)
    np.testing.assert_array_equal(a.array(1000, np.float32), x + 2)
    np.testing.assert_array_equal(b.array(1000, np.float32), 2 * x + 3)


@needs_vulkan
def test_run_errors():
    dev = vulkan.device()
    _, launches = _compile(ADD.replace("DT", "f32"))
    spirv, entry, grid, args = launches[0]
    kernel = dev.kernel(spirv, entry, len(args))
    with pytest.raises(vulkan.VulkanError, match="takes 3 buffers, given 1"):
        dev.run([(kernel, [dev.buffer(4000)], grid)])
    with pytest.raises(vulkan.VulkanError, match="no entry point 'main'"):
        dev.kernel(spirv, "main", len(args))
    with pytest.raises(vulkan.VulkanError, match="not a SPIR-V module"):
        dev.kernel(b"\0" * 64, entry, 1)
    with pytest.raises(vulkan.VulkanError, match="maxComputeWorkGroupCount"):
        dev.run([(kernel, [dev.buffer(4000)] * 3, (1 << 31, 1, 1))])
    with pytest.raises(vulkan.VulkanError, match="maxStorageBufferRange"):
        dev.buffer(dev.limits.maxStorageBufferRange + 1)
    dev.run([])  # nothing to do


def test_pick_prefers_gpus_and_honours_the_name():
    devices = [("llvmpipe (LLVM 15)", 4, True), ("Intel UHD", 1, True),
               ("Radeon RX", 2, True), ("Broken GPU", 2, False)]
    assert vulkan._pick(devices, None) == 2
    assert vulkan._pick(devices, "llvm") == 0
    assert vulkan._pick(devices, "intel") == 1
    with pytest.raises(vulkan.VulkanError, match="EMBER_VULKAN_DEVICE='Broken'"):
        vulkan._pick(devices, "Broken")
    with pytest.raises(vulkan.VulkanError, match="mesa-vulkan-drivers"):
        vulkan._pick([], None)


def test_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "vulkan", None)  # import vulkan raises ImportError
    with pytest.raises(vulkan.VulkanError, match="pip install vulkan"):
        vulkan.VulkanDevice()


@needs_vulkan
def test_no_driver():
    # A loader without drivers: unavailable, and the error says what to install.
    code = ("from ember.runtime.backends import vulkan\n"
            "assert not vulkan.available()\n"
            "vulkan.device()\n")
    env = dict(os.environ, VK_ICD_FILENAMES="/nonexistent.json",
               VK_DRIVER_FILES="/nonexistent.json")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert "VulkanError" in proc.stderr and "mesa-vulkan-drivers" in proc.stderr, proc.stderr


@needs_vulkan
def test_unknown_device_name(monkeypatch):
    dev = vulkan.device()
    monkeypatch.setenv("EMBER_VULKAN_DEVICE", "no-such-device")
    monkeypatch.setattr(vulkan, "_device", None)  # restored after the test
    with pytest.raises(vulkan.VulkanError, match="'no-such-device' names no usable"):
        vulkan.device()
    monkeypatch.undo()
    assert vulkan.device() is dev
