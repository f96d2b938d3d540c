"""Helpers for numerics tests: run ember ops on NumPy arrays.

    from ember_testing import run, rand, FLOAT_DTYPES
    out = run(lambda x, y: E.add(x, y), a, b)          # compiles once per types
    np.testing.assert_allclose(out, a + b, **tol("f32"))
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import ml_dtypes
import numpy as np
from ember import compiler

FLOAT_DTYPES = ["f16", "bf16", "f32", "f64"]
INT_DTYPES = ["i8", "i32", "i64"]
NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES
ALL_DTYPES = NUMERIC_DTYPES + ["i1"]

# Tolerances by element type for results of one rounding (elementwise ops);
# reductions and matmul over n terms should widen them.
TOLERANCES = {
    "f16": dict(rtol=2e-3, atol=2e-3),
    "bf16": dict(rtol=1.6e-2, atol=1.6e-2),
    "f32": dict(rtol=2e-6, atol=2e-6),
    "f64": dict(rtol=1e-12, atol=1e-12),
}


def tol(dtype: str) -> dict:
    """assert_allclose tolerances for an element type (exact for integers / bool)."""
    return TOLERANCES.get(dtype, dict(rtol=0, atol=0))


def np_dtype(dtype: str) -> np.dtype:
    return compiler.numpy_dtype(dtype)


def rand(shape, dtype: str, rng: np.random.Generator, low=-3.0, high=3.0) -> np.ndarray:
    """Random values of an ember element type: uniform floats, integers in
    [low, high], and booleans."""
    shape = tuple(shape)
    if dtype == "i1":
        return rng.random(shape) < 0.5
    if dtype in INT_DTYPES:
        return rng.integers(int(low), int(high) + 1, size=shape).astype(np_dtype(dtype))
    return rng.uniform(low, high, size=shape).astype(np_dtype(dtype))


def as_f64(a: np.ndarray) -> np.ndarray:
    """A float64 copy (bf16 / f16 included) for computing references."""
    return np.asarray(a).astype(np.float64)


# (lhs shape, rhs shape) for matmul, named by the torch.matmul case they cover:
# 1-D operands, batches, broadcast batch dims (size 1 and missing), K = 0.
MATMUL_CASES = {
    "dot": ((5,), (5,)),
    "matvec": ((3, 5), (5,)),
    "vecmat": ((5,), (5, 4)),
    "mm": ((3, 5), (5, 4)),
    "bmm": ((2, 3, 5), (2, 5, 4)),
    "bmm4d": ((2, 3, 4, 5), (2, 3, 5, 2)),
    "batch_x_mat": ((2, 3, 5), (5, 4)),
    "mat_x_batch": ((3, 5), (2, 5, 4)),
    "vec_x_batch": ((5,), (2, 5, 4)),
    "batch_x_vec": ((2, 3, 5), (5,)),
    "bcast_size1": ((2, 1, 3, 5), (1, 4, 5, 2)),
    "bcast_missing": ((2, 1, 3, 5), (4, 5, 2)),
    "bcast_missing_lhs": ((5, 3), (3, 2, 3, 4)),
    "bcast_size1_both_sides": ((1, 3, 5), (2, 5, 4)),
    "batch1_x_mat": ((1, 3, 5), (5, 4)),
    "vec_x_batch4d": ((5,), (2, 1, 5, 4)),
    "k0_dot": ((0,), (0,)),
    "k0_mm": ((3, 0), (0, 4)),
    "k0_bmm": ((2, 3, 0), (1, 0, 4)),
    "m1": ((1, 5), (5, 4)),
    "n1": ((3, 5), (5, 1)),
    "m1_n1": ((1, 5), (5, 1)),
    "k1": ((3, 1), (1, 4)),
    "m0": ((0, 5), (5, 4)),
    "batch0": ((0, 3, 5), (5, 4)),
}


_cache: dict[Hashable, compiler.CompiledFunction] = {}


def compile_for(fn: Callable, arrays, key: Hashable | None = None) -> compiler.CompiledFunction:
    """Compiles ``fn`` for the shapes / dtypes of ``arrays``; cached when ``key``
    (naming everything ``fn`` closes over) is given."""
    types = tuple((a.shape, str(a.dtype) if a.dtype != ml_dtypes.bfloat16 else "bfloat16")
                  for a in arrays)
    full_key = None if key is None else (key, types)
    if full_key is not None and full_key in _cache:
        return _cache[full_key]
    specs = [(a.shape, _ember_dtype(a.dtype)) for a in arrays]
    compiled = compiler.jit(fn, *specs)
    if full_key is not None:
        _cache[full_key] = compiled
    return compiled


def run(fn: Callable, *arrays: np.ndarray, key: Hashable | None = None):
    """Compiles ``fn`` (an ember builder over MLIR values) for ``arrays`` and runs it."""
    arrays = [np.asarray(a) for a in arrays]
    return compile_for(fn, arrays, key)(*arrays)


def _ember_dtype(dt: np.dtype) -> str:
    for name in ALL_DTYPES:
        if np_dtype(name) == dt:
            return name
    raise TypeError(f"no ember element type for {dt}")


def _put_result(queue, fn) -> None:
    queue.put(fn())


def run_in_forked_child(fn: Callable[[], object], what: str, timeout: float = 120):
    """``fn()`` computed in a forked child process (as a DataLoader worker is), which
    must exit cleanly within ``timeout`` seconds; a hang fails with ``what``."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_put_result, args=(queue, fn))
    proc.start()
    proc.join(timeout=timeout)
    if proc.is_alive():
        proc.kill()
        raise AssertionError(f"{what} in a forked child hung")
    assert proc.exitcode == 0
    return queue.get(timeout=5)


def _why_no_vulkan() -> str | None:
    from ember.runtime.backends import vulkan

    try:
        vulkan.device()
    except vulkan.VulkanError as e:
        return str(e)
    return None


def needs_vulkan(fn):
    """Skips ``fn`` where there is no Vulkan device, saying why; with
    ``EMBER_REQUIRE_VULKAN=1`` it runs (and fails) instead."""
    import os

    import pytest

    why = _why_no_vulkan()
    return pytest.mark.skipif(
        why is not None and os.environ.get("EMBER_REQUIRE_VULKAN") != "1",
        reason=f"no Vulkan device: {why}")(fn)
