"""Numerics of ember's shape ops (reshape, transpose, slice, concat, pad,
gather) against NumPy / PyTorch on the CPU.

Shape ops move elements without arithmetic, so every comparison is exact,
bool (i1) and bf16 included.
"""

from __future__ import annotations

import itertools

import ember
import mlir.ir as ir
import numpy as np
import pytest
import torch
from ember.dialects import ember as E
from ember_testing import ALL_DTYPES, np_dtype, rand, run

# Element types the layout-only ops are run over: a float of each width class,
# bf16 (through ml_dtypes), bool and integers of one and eight bytes.
DTYPES = ["f32", "bf16", "f16", "i1", "i8", "i64"]


def _assert_same(out: np.ndarray, ref: np.ndarray) -> None:
    """Exact equality of shape, dtype and values."""
    ref = np.asarray(ref)
    assert out.shape == ref.shape
    assert out.dtype == ref.dtype
    if out.dtype == np.bool_:
        # numpy bools must be stored as bytes 0 / 1.
        assert out.size == 0 or int(out.view(np.uint8).max()) <= 1
    if out.dtype == np_dtype("bf16"):
        out, ref = out.astype(np.float64), ref.astype(np.float64)
    np.testing.assert_array_equal(out, ref)


def _rand(shape, dtype: str, seed: int) -> np.ndarray:
    return rand(shape, dtype, np.random.default_rng(seed))


# --- reshape ---------------------------------------------------------------

RESHAPES = [
    ((2, 3, 4), (6, 4)),
    ((2, 3, 4), (4, 6)),
    ((2, 3, 4), (24,)),
    ((2, 3, 4), (1, 24, 1)),
    ((2, 3, 4), (3, 1, 2, 4)),
    ((24,), (2, 3, 4)),
    ((1, 1), ()),        # to rank 0
    ((), (1, 1, 1)),     # from rank 0
    ((1,), ()),
    ((0, 3), (3, 0)),    # size 0
    ((0, 3), (0,)),
    ((2, 0, 4), (4, 0, 2, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("src,dst", RESHAPES, ids=str)
def test_reshape(src, dst, dtype):
    x = _rand(src, dtype, 0)

    def fn(v):
        return E.reshape(ir.RankedTensorType.get(list(dst), v.type.element_type), v)

    _assert_same(run(fn, x, key=("reshape", dst)), x.reshape(dst))


# --- transpose -------------------------------------------------------------

PERMUTATIONS = ([[1, 0]] + [list(p) for p in itertools.permutations(range(3))]
                + [[0, 1, 2, 3], [3, 2, 1, 0], [0, 2, 3, 1], [2, 0, 3, 1], [1, 3, 0, 2]])
SHAPES = {2: (3, 5), 3: (2, 3, 4), 4: (2, 3, 1, 5)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("perm", PERMUTATIONS, ids=str)
def test_transpose(perm, dtype):
    x = _rand(SHAPES[len(perm)], dtype, 1)
    out = run(lambda v: E.transpose(v, perm), x, key=("transpose", tuple(perm)))
    _assert_same(out, np.transpose(x, perm))


@pytest.mark.parametrize("dtype", ["f32", "i1", "f16"])
def test_transpose_odd_sizes(dtype):
    """Sizes that leave remainders after any tiling of the transpose."""
    x = _rand((17, 33), dtype, 9)
    _assert_same(run(lambda v: E.transpose(v, [1, 0]), x, key=("transpose", (1, 0))), x.T)
    x = _rand((5, 17, 9), dtype, 10)
    _assert_same(run(lambda v: E.transpose(v, [2, 0, 1]), x, key=("transpose", (2, 0, 1))),
                 np.transpose(x, [2, 0, 1]))


@pytest.mark.parametrize("shape", [(16, 16), (48, 784), (784, 32), (2, 3, 64, 48), (5, 0, 16)],
                         ids=str)
def test_transpose_tiled(shape):
    """f32 transposes of the last two dims, both multiples of 16: blocks of rows
    on the thread pool, 16 x 16 tiles transposed in registers by shuffles."""
    x = _rand(shape, "f32", 11)
    perm = [*range(len(shape) - 2), len(shape) - 1, len(shape) - 2]
    out = run(lambda v: E.transpose(v, perm), x, key=("transpose", tuple(perm)))
    _assert_same(out, np.transpose(x, perm))


def test_transpose_tiled_ranks_in_one_region():
    """Tiled transposes of different ranks in one compiled region (attention's
    q/k/v split and k.T next to a weight's transpose) each get their own
    schedule."""
    rng = np.random.default_rng(12)
    a = rng.standard_normal((32, 64)).astype(np.float32)
    b = rng.standard_normal((2, 3, 32, 64)).astype(np.float32)
    x, y = ember.tensor(a), ember.tensor(b)
    xt, yt = x.T + 1, y.transpose(2, 3) + 1
    ember.realize(xt, yt)
    _assert_same(xt.numpy(), a.T + 1)
    _assert_same(yt.numpy(), np.swapaxes(b, 2, 3) + 1)


def test_transpose_size0():
    x = np.zeros((2, 0, 3), np.float32)
    out = run(lambda v: E.transpose(v, [2, 0, 1]), x, key=("transpose", (2, 0, 1)))
    _assert_same(out, np.zeros((3, 2, 0), np.float32))


# --- slice -----------------------------------------------------------------

# (input shape, start, stop, step): full, offsets, steps > 1 (also past the
# end and larger than the dim), an empty result (start == stop) and 3-D.
SLICES = [
    ((6, 7), [0, 0], [6, 7], [1, 1]),
    ((6, 7), [1, 2], [5, 7], [1, 1]),
    ((6, 7), [0, 1], [6, 7], [2, 3]),
    ((6, 7), [1, 0], [6, 6], [2, 4]),
    ((6, 7), [5, 6], [6, 7], [1, 1]),
    ((6, 7), [0, 3], [6, 4], [10, 1]),
    ((6, 7), [2, 0], [2, 7], [1, 1]),
    ((4, 5, 6), [1, 0, 2], [4, 5, 6], [2, 2, 3]),
    ((4, 5, 6), [0, 4, 0], [4, 5, 6], [3, 1, 5]),
]
# Empty results at the end of a dim (start == stop == size) and slices of a
# tensor with a size-0 dim.
EMPTY_SLICES = [
    ((6, 7), [6, 7], [6, 7], [1, 2]),
    ((6, 7), [0, 7], [6, 7], [1, 1]),
    ((4, 0, 6), [1, 0, 1], [3, 0, 6], [1, 1, 2]),
    ((0,), [0], [0], [1]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,start,stop,step", SLICES, ids=str)
def test_slice(shape, start, stop, step, dtype):
    x = _rand(shape, dtype, 2)
    out = run(lambda v: E.slice(v, start, stop, step), x,
              key=("slice", tuple(start), tuple(stop), tuple(step)))
    ref = x[tuple(slice(a, b, s) for a, b, s in zip(start, stop, step, strict=True))]
    _assert_same(out, ref)


@pytest.mark.parametrize("dtype", ["f32", "i1"])
@pytest.mark.parametrize("shape,start,stop,step", EMPTY_SLICES, ids=str)
def test_slice_empty(shape, start, stop, step, dtype):
    test_slice(shape, start, stop, step, dtype)


# --- concat ----------------------------------------------------------------

# (input shapes, dim): two and more inputs along each dim, a size-0 input
# between non-empty ones, and a single input.
CONCATS = [
    ([(2, 3, 4), (5, 3, 4)], 0),
    ([(2, 3, 4), (2, 1, 4)], 1),
    ([(2, 3, 4), (2, 3, 2)], 2),
    ([(1, 3), (2, 3), (3, 3)], 0),
    ([(2, 1), (2, 4), (2, 2)], 1),
    ([(2, 1, 4), (2, 5, 4), (2, 2, 4), (2, 1, 4)], 1),
    ([(0, 3), (2, 3)], 0),
    ([(2, 3), (0, 3), (1, 3)], 0),
    ([(3, 4)], 1),
]
# A size-0 input last along dim, and results with a size-0 dim.
SIZE0_CONCATS = [
    ([(2, 3), (0, 3)], 0),
    ([(2, 0), (2, 3), (2, 0)], 1),
    ([(0, 3), (0, 3)], 1),
    ([(0, 4), (0, 4)], 0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes,dim", CONCATS, ids=str)
def test_concat(shapes, dim, dtype):
    xs = [_rand(s, dtype, 3 + i) for i, s in enumerate(shapes)]
    out = run(lambda *vs: E.concat(list(vs), dim), *xs, key=("concat", dim))
    _assert_same(out, np.concatenate(xs, axis=dim))


@pytest.mark.parametrize("dtype", ["f32", "i1"])
@pytest.mark.parametrize("shapes,dim", SIZE0_CONCATS, ids=str)
def test_concat_size0(shapes, dim, dtype):
    test_concat(shapes, dim, dtype)


# --- pad -------------------------------------------------------------------

PAD_VALUES = {"f16": -1.5, "bf16": 2.5, "f32": 0.25, "f64": -3.125,
              "i1": True, "i8": -7, "i32": 123456, "i64": -(2**40) - 3}


def _scalar_attr(element_type: ir.Type, value) -> ir.Attribute:
    if isinstance(element_type, ir.IntegerType):
        return ir.IntegerAttr.get(element_type, int(value))
    return ir.FloatAttr.get(element_type, float(value))


def _pad(x, low, high, value):
    def fn(v):
        return E.pad(v, low, high, _scalar_attr(v.type.element_type, value))

    return run(fn, x, key=("pad", tuple(low), tuple(high), value))


PADS = [
    ((2, 3), [1, 0], [0, 0]),
    ((2, 3), [0, 0], [2, 0]),
    ((2, 3), [0, 2], [0, 0]),
    ((2, 3), [0, 0], [0, 1]),
    ((2, 3), [1, 2], [3, 1]),
    ((2, 3), [0, 0], [0, 0]),
    ((2, 3, 4), [1, 0, 2], [0, 3, 1]),
    ((0, 3), [1, 0], [1, 2]),
    ((), [], []),
]
# Size-0 inputs placed at the end of a dim, or padded to a size-0 result.
SIZE0_PADS = [
    ((0, 3), [2, 0], [0, 1]),
    ((2, 0), [0, 0], [1, 0]),
    ((0,), [0], [0]),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape,low,high", PADS, ids=str)
def test_pad(shape, low, high, dtype):
    x = _rand(shape, dtype, 4)
    value = PAD_VALUES[dtype]
    ref = (np.pad(x, list(zip(low, high, strict=True)), constant_values=np.array(value, x.dtype))
           if x.ndim else x)
    _assert_same(_pad(x, low, high, value), ref)


@pytest.mark.parametrize("dtype", ["f32", "i1"])
@pytest.mark.parametrize("shape,low,high", SIZE0_PADS, ids=str)
def test_pad_size0(shape, low, high, dtype):
    test_pad(shape, low, high, dtype)


def test_pad_bool_false():
    x = np.ones((2, 2), np.bool_)
    _assert_same(_pad(x, [1, 0], [0, 1], False),
                 np.pad(x, [(1, 0), (0, 1)], constant_values=False))


# --- gather ----------------------------------------------------------------

def _gather_reference(x: np.ndarray, index: np.ndarray, dim: int) -> np.ndarray:
    """torch.gather on the input's flat positions (so any dtype works), with
    negative indices counted from the end."""
    positions = torch.arange(x.size).reshape(x.shape)
    wrapped = torch.from_numpy(index.astype(np.int64) % x.shape[dim])
    return x.reshape(-1)[torch.gather(positions, dim, wrapped).numpy()]


# (input shape, index shape, dim): index sizes along dim above and below the
# input's; other dims no larger than the input's.
GATHERS = [
    ((4, 5), (7, 5), 0),
    ((4, 5), (2, 3), 0),
    ((4, 5), (4, 9), 1),
    ((4, 5), (3, 1), 1),
    ((3, 4, 5), (6, 4, 5), 0),
    ((3, 4, 5), (2, 2, 5), 1),
    ((3, 4, 5), (3, 4, 8), 2),
    ((3, 4, 5), (1, 3, 2), 2),
    ((6,), (10,), 0),
    ((4, 5), (0, 5), 0),
    ((4, 5), (4, 0), 1),
]


@pytest.mark.parametrize("index_dtype", ["i32", "i64"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,index_shape,dim", GATHERS, ids=str)
def test_gather(shape, index_shape, dim, dtype, index_dtype):
    rng = np.random.default_rng(5)
    x = rand(shape, dtype, rng)
    n = shape[dim]
    index = rng.integers(-n, n, size=index_shape).astype(np_dtype(index_dtype))
    out = run(lambda v, i: E.gather(v, i, dim), x, index, key=("gather", dim))
    _assert_same(out, _gather_reference(x, index, dim))


@pytest.mark.parametrize("dim", [0, 1])
def test_gather_matches_torch(dim):
    """Non-negative indices: exactly torch.gather on the same tensors."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    index = rng.integers(0, x.shape[dim], size=(3, 4))
    out = run(lambda v, i: E.gather(v, i, dim), x, index, key=("gather", dim))
    ref = torch.gather(torch.from_numpy(x), dim, torch.from_numpy(index)).numpy()
    _assert_same(out, ref)


def test_gather_negative_indices():
    """-1 is the last element, -n the first."""
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    index = np.array([[-1, -4, 0, 3], [-2, -3, 1, 2]], np.int64)
    out = run(lambda v, i: E.gather(v, i, 1), x[:2], index, key=("gather", 1))
    _assert_same(out, np.array([[3, 0, 0, 3], [6, 5, 5, 6]], np.int32))
