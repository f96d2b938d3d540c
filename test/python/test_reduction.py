"""Numerics of ember's reductions (sum, mean, prod, max, min, argmax, argmin)
against PyTorch on the CPU.

References are computed exactly (float64 / int64) and then rounded or wrapped
to the element type, which is what the ops promise: f16 / bf16 accumulate in
f32 and round once; integers wrap in their own width. Tolerances grow with the
number of reduced terms.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ember.dialects import ember as E
from ember_testing import FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, np_dtype, rand, run, tol

REDUCE_OPS = ["sum", "mean", "prod", "max", "min"]
ARG_OPS = ["argmax", "argmin"]

# Machine epsilon of the accumulator: f16 / bf16 / f32 accumulate in f32.
_ACC_EPS = {"f16": 2.0**-23, "bf16": 2.0**-23, "f32": 2.0**-23, "f64": 2.0**-52}


def _ops_for(dtype: str) -> list[str]:
    return [op for op in REDUCE_OPS if op != "mean" or dtype in FLOAT_DTYPES]


def _reduce(op: str, x: np.ndarray, dims: list[int], keepdim: bool) -> np.ndarray:
    builder = getattr(E, op)
    return run(lambda v: builder(v, dims, keepdim=keepdim), x,
               key=(op, tuple(dims), keepdim))


def _exact(x: np.ndarray, dtype: str) -> torch.Tensor:
    """x as float64 (floats) or int64 (integers): the reference's precision."""
    return torch.from_numpy(np.asarray(x).astype(np.float64 if dtype in FLOAT_DTYPES
                                                 else np.int64))


def _reference(op: str, x: np.ndarray, dtype: str, dims: list[int],
               keepdim: bool) -> np.ndarray:
    """The exact result rounded (floats) or wrapped (integers) to ``dtype``."""
    t = _exact(x, dtype)
    if not dims:  # an empty dim list reduces nothing (torch would reduce all)
        ref = t
    elif op == "sum":
        ref = t.sum(dim=dims, keepdim=keepdim)
    elif op == "mean":
        ref = t.mean(dim=dims, keepdim=keepdim)
    elif op == "prod":  # torch.prod takes one dim at a time
        ref = t
        for d in sorted(dims, reverse=True):
            ref = ref.prod(d, keepdim=keepdim)
    elif op == "max":
        ref = t.amax(dim=dims, keepdim=keepdim)
    else:
        ref = t.amin(dim=dims, keepdim=keepdim)
    return ref.numpy().astype(np_dtype(dtype))


def _tolerance(op: str, dtype: str, x: np.ndarray, dims: list[int]) -> dict:
    """Result rounding (tol) plus accumulation error over the reduced terms."""
    if dtype not in FLOAT_DTYPES or op in ("max", "min"):
        return dict(rtol=0, atol=0)  # exact: integers wrap, max / min pick an input
    n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    base, eps = tol(dtype), _ACC_EPS[dtype]
    if op == "prod":
        return dict(rtol=base["rtol"] + 2 * n * eps, atol=base["atol"])
    scale = float(np.abs(x.astype(np.float64)).max()) if x.size else 0.0
    return dict(rtol=base["rtol"], atol=base["atol"] + 2 * n * eps * scale)


def _inputs(op: str, shape, dtype: str, rng: np.random.Generator) -> np.ndarray:
    if op != "prod":
        return rand(shape, dtype, rng)
    if dtype in INT_DTYPES:  # no zeros, so wrapping products stay interesting
        return rng.choice(np.array([-2, -1, 1, 2]), size=shape).astype(np_dtype(dtype))
    # Magnitudes around 1 keep products of dozens of terms in f16 range.
    mag = rng.uniform(0.6, 1.6, size=shape)
    return (mag * rng.choice([-1.0, 1.0], size=shape)).astype(np_dtype(dtype))


def _check(op, x, dtype, dims, keepdim):
    out = _reduce(op, x, dims, keepdim)
    ref = _reference(op, x, dtype, dims, keepdim)
    assert out.shape == ref.shape
    assert out.dtype == np_dtype(dtype)
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64),
                               **_tolerance(op, dtype, x, dims))


# (3, 4, 5): single dims, pairs (also unsorted), all dims (rank-0 result) and
# the empty list.
DIMS_3D = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [2, 0], [0, 1, 2], []]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dims", DIMS_3D, ids=str)
@pytest.mark.parametrize("op", REDUCE_OPS)
def test_reduce_dims(op, dims, keepdim):
    rng = np.random.default_rng(0)
    _check(op, _inputs(op, (3, 4, 5), "f32", rng), "f32", dims, keepdim)



@pytest.mark.parametrize("op,dtype", [(op, dt) for dt in NUMERIC_DTYPES for op in _ops_for(dt)])
def test_reduce_dtypes(op, dtype):
    rng = np.random.default_rng(1)
    for shape, dims, keepdim in [((6, 7), [1], False),
                                 ((6, 7), [0], True),
                                 ((2, 3, 1, 4), [1, 3], True),
                                 ((2, 3, 1, 4), [0, 2], False),
                                 ((3, 4, 5), [0, 1, 2], False),
                                 ((3, 4), [], True)]:
        _check(op, _inputs(op, shape, dtype, rng), dtype, dims, keepdim)


@pytest.mark.parametrize("op,dtype", [(op, dt) for dt in ["f32", "i32"] for op in _ops_for(dt)])
def test_reduce_size1_dims(op, dtype):
    rng = np.random.default_rng(2)
    x = _inputs(op, (1, 4, 1), dtype, rng)
    for dims, keepdim in [([0], False), ([2], True), ([0, 2], False), ([0, 1, 2], True)]:
        _check(op, x, dtype, dims, keepdim)


@pytest.mark.parametrize("op,dtype", [(op, dt) for dt in ["f16", "f32", "i64"]
                                      for op in ["sum", "mean", "prod"] if op in _ops_for(dt)])
def test_reduce_empty_dims(op, dtype):
    """Reducing a size-0 dim gives the identity (sum 0, prod 1) or NaN (mean)."""
    x = np.zeros((3, 0, 2), np_dtype(dtype))
    expected = {"sum": 0, "prod": 1, "mean": np.nan}[op]
    for dims, keepdim, shape in [([1], False, (3, 2)), ([1], True, (3, 1, 2)),
                                 ([0, 1, 2], False, ()), ([0], False, (0, 2))]:
        out = _reduce(op, x, dims, keepdim)
        assert out.shape == shape and out.dtype == np_dtype(dtype)
        np.testing.assert_array_equal(out.astype(np.float64), np.full(shape, expected))
        np.testing.assert_array_equal(out.astype(np.float64),
                                      _reference(op, x, dtype, dims, keepdim).astype(np.float64))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_nonempty_reduce_of_empty_tensor(op):
    """max / min over a non-empty dim of a tensor that has a size-0 dim."""
    x = np.zeros((3, 0, 2), np.float32)
    for dims, shape in [([0], (0, 2)), ([2], (3, 0))]:
        out = _reduce(op, x, dims, False)
        assert out.shape == shape
        assert _reference(op, x, "f32", dims, False).shape == shape


@pytest.mark.parametrize("dtype,n", [("f16", 4096), ("bf16", 1024)])
def test_half_precision_accumulates_in_f32(dtype, n):
    """n ones: an f16 (bf16) accumulator stalls at 2048 (256); f32 reaches n."""
    x = np.ones((2, n), np_dtype(dtype))
    np.testing.assert_array_equal(_reduce("sum", x, [1], False).astype(np.float64), [n, n])
    np.testing.assert_array_equal(_reduce("mean", x, [1], False).astype(np.float64), [1, 1])
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(2, n)).astype(np_dtype(dtype))
    _check("sum", x, dtype, [1], False)
    _check("mean", x, dtype, [1], False)


def test_f16_mean_divides_before_rounding():
    """The f16 sum of 40000 twos overflows to inf, but their mean is 2."""
    x = np.full((1, 40000), 2.0, np.float16)
    np.testing.assert_array_equal(_reduce("sum", x, [1], False).astype(np.float64), [np.inf])
    np.testing.assert_array_equal(_reduce("mean", x, [1], False).astype(np.float64), [2.0])
    _check("mean", x, "f16", [1], False)


@pytest.mark.parametrize("dtype", ["f32", "i32"])
@pytest.mark.parametrize("op", ["sum", "max", "min"])
def test_reduce_odd_sizes(op, dtype):
    """Sizes that leave remainders after any vectorization of the reduction."""
    rng = np.random.default_rng(7)
    x = _inputs(op, (33, 67), dtype, rng)
    for dims, keepdim in [([0], False), ([1], True), ([0, 1], False)]:
        _check(op, x, dtype, dims, keepdim)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_nan_and_inf(op, dtype):
    """NaN propagates (as torch.amax / amin); infinities and all-inf rows."""
    inf, nan = np.inf, np.nan
    x = np.array([[1.0, nan, 3.0, -2.0],
                  [nan, 2.0, 1.0, 0.0],
                  [-inf, -inf, -inf, -inf],
                  [inf, inf, inf, inf],
                  [-inf, 5.0, inf, 0.0],
                  [0.5, -0.5, 2.0, nan]]).astype(np_dtype(dtype))
    for dims in ([1], [0], [0, 1]):
        _check(op, x, dtype, dims, False)
    expected = {"max": [nan, nan, -inf, inf, inf, nan], "min": [nan, nan, -inf, inf, -inf, nan]}
    np.testing.assert_array_equal(_reduce(op, x, [1], False).astype(np.float64), expected[op])


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_integer_extremes(op, dtype):
    info = np.iinfo(np_dtype(dtype))
    x = np.array([[info.min] * 3, [info.max] * 3, [info.min, info.max, 0],
                  [-1, info.min, info.min]], np_dtype(dtype))
    expected = {"max": [info.min, info.max, info.max, -1],
                "min": [info.min, info.max, info.min, info.min]}[op]
    np.testing.assert_array_equal(_reduce(op, x, [1], False), np.array(expected, x.dtype))
    _check(op, x, dtype, [0], True)


# --- argmax / argmin ---------------------------------------------------------


def _arg(op: str, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
    builder = getattr(E, op)
    return run(lambda v: builder(v, dim, keepdim=keepdim), x, key=(op, dim, keepdim))


def _arg_reference(op: str, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
    dtype = "f64" if np.asarray(x).dtype.kind == "f" or x.dtype == np_dtype("bf16") else "i64"
    t = _exact(x, dtype)  # exact widening keeps the order, ties and NaNs
    return getattr(torch, op)(t, dim=dim, keepdim=keepdim).numpy()


def _check_arg(op, x, dim, keepdim):
    out = _arg(op, x, dim, keepdim)
    ref = _arg_reference(op, x, dim, keepdim)
    assert out.dtype == np.int64
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_dims_with_ties(op, dim, keepdim):
    """Values in {0, 1, 2}: many ties, where the first index wins."""
    x = np.random.default_rng(4).integers(0, 3, size=(3, 4, 5)).astype(np.float32)
    _check_arg(op, x, dim, keepdim)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_dtypes(op, dtype):
    rng = np.random.default_rng(5)
    ties = rng.integers(-2, 3, size=(6, 7)).astype(np_dtype(dtype))
    _check_arg(op, ties, 1, False)
    _check_arg(op, ties, 0, True)
    _check_arg(op, rand((2, 3, 1, 4), dtype, rng), 3, False)
    _check_arg(op, rand((2, 3, 1, 4), dtype, rng), 2, True)  # a size-1 dim: all 0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_nan_and_inf(op, dtype):
    """NaN counts as both the max and the min; its first index wins."""
    inf, nan = np.inf, np.nan
    x = np.array([[1.0, nan, 3.0, nan],
                  [nan, 2.0, -1.0, 0.0],
                  [0.0, 1.0, 2.0, nan],
                  [-inf, -inf, -inf, -inf],
                  [inf, inf, inf, inf],
                  [-inf, 5.0, inf, inf],
                  [0.0, -0.0, 0.0, -0.0],
                  [2.0, -inf, 2.0, -inf]]).astype(np_dtype(dtype))
    expected = {"argmax": [1, 0, 3, 0, 0, 2, 0, 0], "argmin": [1, 0, 3, 0, 0, 0, 0, 1]}[op]
    np.testing.assert_array_equal(_arg(op, x, 1, False), expected)
    _check_arg(op, x, 1, True)
    _check_arg(op, x, 0, False)


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_integer_extremes(op, dtype):
    info = np.iinfo(np_dtype(dtype))
    x = np.array([[info.min] * 3, [info.max] * 3, [0, info.min, info.max],
                  [info.max, info.min, info.max]], np_dtype(dtype))
    expected = {"argmax": [0, 0, 2, 0], "argmin": [0, 0, 1, 1]}[op]
    np.testing.assert_array_equal(_arg(op, x, 1, False), expected)
    _check_arg(op, x, 0, False)


@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_1d_and_odd_sizes(op):
    rng = np.random.default_rng(8)
    x = rng.integers(-50, 50, size=(7,)).astype(np.float32)
    for keepdim, shape in [(False, ()), (True, (1,))]:
        out = _arg(op, x, 0, keepdim)
        assert out.shape == shape
        _check_arg(op, x, 0, keepdim)
    x = rng.integers(-50, 50, size=(33, 67)).astype(np.int32)  # ties, remainders
    _check_arg(op, x, 0, False)
    _check_arg(op, x, 1, True)


@pytest.mark.parametrize("op", ARG_OPS)
def test_argreduce_size0_kept_dim(op):
    """A size-0 dim that is not reduced gives an empty result."""
    x = np.zeros((0, 4), np.float32)
    for keepdim, shape in [(False, (0,)), (True, (0, 1))]:
        out = _arg(op, x, 1, keepdim)
        assert out.shape == shape and out.dtype == np.int64
