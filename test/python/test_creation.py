"""Numerics of ember's creation ops (constant, full, iota) against NumPy and
PyTorch on the CPU. Each function takes no arguments and returns the created
tensor; comparisons are exact.
"""

from __future__ import annotations

import mlir.ir as ir
import numpy as np
import pytest
import torch
from ember import compiler
from ember.dialects import ember as E
from ember_testing import ALL_DTYPES, NUMERIC_DTYPES, np_dtype, rand, run

BF16 = np_dtype("bf16")


def _assert_same(out: np.ndarray, ref: np.ndarray) -> None:
    """Exact equality of shape, dtype and values (NaN equals NaN)."""
    ref = np.asarray(ref)
    assert out.shape == ref.shape
    assert out.dtype == ref.dtype
    if out.dtype == np.bool_:
        # numpy bools must be stored as bytes 0 / 1.
        assert out.size == 0 or int(out.view(np.uint8).max()) <= 1
    if out.dtype == BF16 or out.dtype.kind == "f":
        out, ref = out.astype(np.float64), ref.astype(np.float64)
        # -0.0 and 0.0 differ too.
        np.testing.assert_array_equal(np.signbit(out), np.signbit(ref))
    np.testing.assert_array_equal(out, ref)


# --- constant --------------------------------------------------------------


def _dense(array: np.ndarray) -> ir.DenseElementsAttr:
    """A DenseElementsAttr holding ``array`` (bf16 goes in as its bits)."""
    if array.dtype == BF16:
        return ir.DenseElementsAttr.get(array.view(np.uint16), type=ir.BF16Type.get(),
                                        shape=list(array.shape))
    return ir.DenseElementsAttr.get(array.copy(order="C"))  # ascontiguousarray makes 0-d 1-d


def _constant_values(dtype: str, shape, seed: int) -> np.ndarray:
    x = rand(shape, dtype, np.random.default_rng(seed), low=-100, high=100)
    flat = x.reshape(-1)
    if dtype in ("f16", "bf16", "f32", "f64") and flat.size >= 4:
        flat[:4] = np.array([np.nan, np.inf, -np.inf, -0.0]).astype(x.dtype)
    elif dtype not in ("f16", "bf16", "f32", "f64", "i1") and flat.size >= 2:
        info = np.iinfo(x.dtype)
        flat[:2] = [info.min, info.max]
    return x


@pytest.mark.parametrize("shape", [(2, 3), (7,), (), (2, 1, 4)], ids=str)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_constant(dtype, shape):
    values = _constant_values(dtype, shape, seed=len(shape))
    out = run(lambda: E.constant(_dense(values)), key=("constant", dtype, shape, values.tobytes()))
    _assert_same(out, values)


@pytest.mark.parametrize("dtype", ["f32", "bf16", "i1", "i64"])
def test_constant_splat(dtype):
    value = {"f32": -1.25, "bf16": 3.5, "i1": True, "i64": -(2**50)}[dtype]

    def fn():
        t = compiler.tensor_type((3, 4), dtype)
        et = t.element_type
        attr = (ir.IntegerAttr.get(et, int(value)) if isinstance(et, ir.IntegerType)
                else ir.FloatAttr.get(et, value))
        return E.constant(ir.DenseElementsAttr.get_splat(t, attr))

    _assert_same(run(fn, key=("constant_splat", dtype)),
                 np.full((3, 4), value, np_dtype(dtype)))


def test_constant_feeds_an_op():
    """A constant used as an operand, not only returned."""
    c = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = np.full((2, 3), 0.5, np.float32)
    out = run(lambda v: E.add(v, E.constant(_dense(c))), x, key=("constant_add", c.tobytes()))
    _assert_same(out, c + x)


# --- full ------------------------------------------------------------------

FULL_VALUES = {
    "f16": [0.1, -2.5, np.inf, np.nan, -0.0],
    "bf16": [0.1, 3.0, -np.inf],
    "f32": [0.1, -1e30, np.nan],
    "f64": [0.1, -1e300, -0.0],
    "i1": [True, False],
    "i8": [-128, 127, -7],
    "i32": [-(2**31), 2**31 - 1],
    "i64": [-(2**63), 2**63 - 1, 2**40 + 3],
}


def _full(shape, dtype: str, value) -> np.ndarray:
    def fn():
        t = compiler.tensor_type(shape, dtype)
        et = t.element_type
        attr = (ir.IntegerAttr.get(et, int(value)) if isinstance(et, ir.IntegerType)
                else ir.FloatAttr.get(et, float(value)))
        return E.full(t, attr)

    return run(fn, key=("full", tuple(shape), dtype, str(value)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_full(dtype):
    for value in FULL_VALUES[dtype]:
        for shape in [(2, 3), (), (1, 5, 1), (0, 4)]:
            # np.full rounds floats to the dtype as the attribute does.
            _assert_same(_full(shape, dtype, value), np.full(shape, value, np_dtype(dtype)))


def test_full_matches_torch():
    out = _full((2, 3), "bf16", 0.1)
    ref = torch.full((2, 3), 0.1, dtype=torch.bfloat16).to(torch.float64).numpy()
    np.testing.assert_array_equal(out.astype(np.float64), ref)


# --- iota ------------------------------------------------------------------


def _iota(shape, dtype: str, dim: int) -> np.ndarray:
    return run(lambda: E.iota(compiler.tensor_type(shape, dtype), dim),
               key=("iota", tuple(shape), dtype, dim))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("dim", [0, 1, 2])
def test_iota(dim, dtype):
    shape = (3, 4, 5)
    view = [1, 1, 1]
    view[dim] = shape[dim]
    ref = np.broadcast_to(np.arange(shape[dim]).reshape(view), shape).astype(np_dtype(dtype))
    _assert_same(_iota(shape, dtype, dim), ref)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_iota_1d_and_size0(dtype):
    _assert_same(_iota((100,), dtype, 0), np.arange(100).astype(np_dtype(dtype)))
    _assert_same(_iota((0, 3), dtype, 1), np.zeros((0, 3), np_dtype(dtype)))
    _assert_same(_iota((2, 1), dtype, 1), np.zeros((2, 1), np_dtype(dtype)))


@pytest.mark.parametrize("dtype,n", [("f16", 2100), ("bf16", 600)])
def test_iota_rounds_like_torch(dtype, n):
    """Past 2048 (f16) / 256 (bf16) not every integer is representable; the
    values round to nearest even as torch.arange(n).to(dtype)."""
    torch_dtype = {"f16": torch.float16, "bf16": torch.bfloat16}[dtype]
    ref = torch.arange(n).to(torch_dtype).to(torch.float64).numpy()
    np.testing.assert_array_equal(_iota((n,), dtype, 0).astype(np.float64), ref)
