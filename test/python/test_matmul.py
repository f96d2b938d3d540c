"""Numerics of ``ember.matmul`` against ``torch.matmul`` on the CPU, over every
torch.matmul case: dot products, matrix-vector, vector-matrix, matrices,
batches with broadcasting (size-1 and missing leading dims), K = 0 and
M / N = 0 or 1.

The reference is torch.matmul in float64 (int64 for integers), rounded to the
element type; f16 / bf16 accumulate in f32, so the tolerance is the result's
rounding plus an accumulation bound that grows with K.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ember.dialects import ember as E
from ember_testing import FLOAT_DTYPES, MATMUL_CASES, np_dtype, rand, run, tol

DTYPES = ["f16", "bf16", "f32", "f64", "i8", "i32", "i64"]

# Machine epsilon of the accumulator: f16 / bf16 / f32 accumulate in f32.
_ACC_EPS = {"f16": 2.0**-23, "bf16": 2.0**-23, "f32": 2.0**-23, "f64": 2.0**-52}

CASES = MATMUL_CASES


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return run(lambda x, y: E.matmul(x, y), a, b, key="matmul")


def _check(a: np.ndarray, b: np.ndarray, dtype: str) -> None:
    out = _matmul(a, b)
    wide = np.float64 if dtype in FLOAT_DTYPES else np.int64
    ta, tb = (torch.from_numpy(np.asarray(v).astype(wide)) for v in (a, b))
    exact = torch.matmul(ta, tb).numpy()
    ref = exact.astype(np_dtype(dtype))
    assert out.shape == ref.shape
    assert out.dtype == np_dtype(dtype)
    if dtype in FLOAT_DTYPES:
        k = a.shape[-1]
        # |fl(sum a_k b_k) - sum a_k b_k| <= K eps sum |a_k b_k|, then one rounding.
        bound = torch.matmul(ta.abs(), tb.abs()).numpy()
        base = tol(dtype)
        atol = base["atol"] + 2 * k * _ACC_EPS[dtype] * (float(bound.max()) if bound.size else 0)
        np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64),
                                   rtol=base["rtol"], atol=atol)
    else:
        np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(CASES))
def test_matmul(case, dtype):
    rng = np.random.default_rng(sum(map(ord, case)))
    a_shape, b_shape = CASES[case]
    _check(rand(a_shape, dtype, rng), rand(b_shape, dtype, rng), dtype)


def test_matmul_k0_gives_zeros():
    for a_shape, b_shape, shape in [((3, 0), (0, 4), (3, 4)), ((0,), (0,), ()),
                                    ((2, 3, 0), (0,), (2, 3))]:
        out = _matmul(np.zeros(a_shape, np.float32), np.zeros(b_shape, np.float32))
        assert out.shape == shape
        np.testing.assert_array_equal(out, np.zeros(shape, np.float32))


@pytest.mark.parametrize("dtype,k", [("f16", 4096), ("bf16", 1024)])
def test_matmul_half_precision_accumulates_in_f32(dtype, k):
    """Ones: an f16 (bf16) accumulator stalls at 2048 (256); f32 reaches K."""
    a = np.ones((2, k), np_dtype(dtype))
    b = np.ones((k, 3), np_dtype(dtype))
    np.testing.assert_array_equal(_matmul(a, b).astype(np.float64), np.full((2, 3), k))
    rng = np.random.default_rng(6)
    _check(rand((2, k), dtype, rng), rand((k, 3), dtype, rng), dtype)


@pytest.mark.parametrize("dtype", ["f32", "f64", "i64"])
def test_matmul_larger(dtype):
    """Sizes past any small-tile special case, with a broadcast batch."""
    rng = np.random.default_rng(7)
    _check(rand((3, 1, 33, 65), dtype, rng), rand((2, 65, 17), dtype, rng), dtype)


def test_matmul_integer_wraps():
    """i32 products and sums wrap in 32 bits, as torch.matmul on int32."""
    a = np.full((2, 3), 2**20, np.int32)
    b = np.full((3, 2), 2**12 + 1, np.int32)
    # 3 * 2**20 * (2**12 + 1) = 3 * 2**32 + 3 * 2**20 == 3 * 2**20 (mod 2**32)
    expected = np.full((2, 2), 3 * 2**20, np.int32)
    np.testing.assert_array_equal(_matmul(a, b), expected)
    np.testing.assert_array_equal(torch.matmul(torch.from_numpy(a), torch.from_numpy(b)).numpy(),
                                  expected)


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("shape", [(8, 16, 32), (24, 48, 64), (64, 784, 96)])
def test_matmul_register_tiled(dtype, shape):
    """2-D float matmuls the 8 x 32 x 8 register tile divides take the tiled,
    vectorized path (ember-tile-matmul); a size one off takes the generic one."""
    m, k, n = shape
    rng = np.random.default_rng(m + k + n)
    _check(rand((m, k), dtype, rng), rand((k, n), dtype, rng), dtype)
    _check(rand((m + 1, k), dtype, rng), rand((k, n), dtype, rng), dtype)


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("shapes", [((2, 3, 16, 24), (2, 3, 24, 32)),  # the tile divides
                                    ((3, 12, 24), (3, 24, 30)),  # padded per product
                                    ((4, 2, 3), (4, 3, 5)),  # too small: generic
                                    ((0, 16, 24), (0, 24, 32))])  # no products
def test_batched_matmul_register_tiled(dtype, shapes):
    """Batched float products of one batch shape take a register-tiled batch_matmul
    (the batch as one dim, each product padded to the tile) where the tile fits."""
    rng = np.random.default_rng(sum(map(sum, shapes)))
    _check(rand(shapes[0], dtype, rng), rand(shapes[1], dtype, rng), dtype)


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("shape", [(8, 16, 32), (10, 24, 48), (64, 128, 784)])
def test_matmul_transposed_operands(dtype, shape):
    """`a.T @ b` reads `a` in place through the tiled matmul's indexing map
    (padded where the tile does not divide); `(a.T @ b).T` becomes `b.T @ a`
    (ember canonicalization); `a @ b.T` goes through the tiled transpose."""
    m, k, n = shape
    rng = np.random.default_rng(m * k + n)
    a, b, c = rand((k, m), dtype, rng), rand((k, n), dtype, rng), rand((n, k), dtype, rng)
    wide = [torch.from_numpy(v.astype(np.float64)) for v in (a, b, c)]
    atol = 2 * k * _ACC_EPS[dtype] * 9 * k + tol(dtype)["atol"]
    cases = [
        (lambda x, y, z: E.matmul(E.transpose(x, [1, 0]), y), wide[0].T @ wide[1]),
        (lambda x, y, z: E.transpose(E.matmul(E.transpose(x, [1, 0]), y), [1, 0]),
         (wide[0].T @ wide[1]).T),
        (lambda x, y, z: E.matmul(E.transpose(x, [1, 0]), E.transpose(z, [1, 0])),
         wide[0].T @ wide[2].T),
    ]
    for i, (fn, ref) in enumerate(cases):
        out = run(fn, a, b, c, key=("transposed", i))
        np.testing.assert_allclose(out.astype(np.float64), ref.numpy(), rtol=tol(dtype)["rtol"],
                                   atol=atol)
