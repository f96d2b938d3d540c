"""Numerics of ember's order-dependent ops (cumsum, sort) and of insert_slice
against PyTorch / NumPy on the CPU, through the compiler API (``ember.dialects``
ops compiled with ``ember_testing.run``) and through the Tensor API
(``ember.cumsum``, ``Tensor.sort`` / ``argsort`` / ``topk``).

cumsum: f16 / bf16 accumulate in f32 and round every output once, so they are
compared with a float64 cumsum rounded to the type; integers wrap in their own
width. sort: values and indices are compared exactly with
``torch.sort(stable=True)`` (equal elements keep their order, NaN sorts as the
largest), on inputs with many ties.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from ember.dialects import ember as E  # noqa: E402
from ember_testing import (  # noqa: E402
    FLOAT_DTYPES,
    INT_DTYPES,
    NUMERIC_DTYPES,
    np_dtype,
    rand,
    run,
    tol,
)

BF16 = np_dtype("bf16")
TORCH_DTYPE = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32,
               "f64": torch.float64, "i8": torch.int8, "i32": torch.int32,
               "i64": torch.int64, "i1": torch.bool}

# (shape, dim): every dim of 1-D..3-D inputs, size-1 and size-0 dims along the
# scanned / sorted dim and across it.
SHAPE_DIMS = [
    ((7,), 0),
    ((1,), 0),
    ((0,), 0),
    ((3, 4), 0),
    ((3, 4), 1),
    ((2, 3, 5), 0),
    ((2, 3, 5), 1),
    ((2, 3, 5), 2),
    ((2, 1, 3), 1),
    ((4, 0), 0),
    ((3, 0, 2), 1),
    ((3, 0, 2), 2),
]


def _to_torch(a: np.ndarray) -> torch.Tensor:
    a = np.asarray(a)
    if a.dtype == BF16:
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a.copy())


def _from_torch(t: torch.Tensor) -> np.ndarray:
    if t.dtype == torch.bfloat16:
        return t.float().numpy().astype(BF16)
    return t.numpy()


def _f64(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).astype(np.float64)


def _assert_exact(out: np.ndarray, ref: np.ndarray) -> None:
    """Same shape, dtype and values (NaN equal to NaN)."""
    ref = np.asarray(ref)
    assert out.shape == ref.shape
    assert out.dtype == ref.dtype
    if out.dtype.kind == "f" or out.dtype == BF16:
        np.testing.assert_array_equal(_f64(out), _f64(ref))  # NaN == NaN here
    else:
        np.testing.assert_array_equal(out, ref)


def _ties(shape, dtype: str, rng: np.random.Generator) -> np.ndarray:
    """Values with many repeats: integers in [-2, 2], floats on a 0.5 grid
    (exact in every float type)."""
    if dtype in INT_DTYPES:
        return rng.integers(-2, 3, size=shape).astype(np_dtype(dtype))
    return (rng.integers(-4, 5, size=shape) / 2).astype(np_dtype(dtype))


def _cumsum(x: np.ndarray, dim: int) -> np.ndarray:
    return run(lambda v: E.cumsum(v, dim), x, key=("cumsum", dim))


def _sort(x: np.ndarray, dim: int, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    def fn(v):
        return E.SortOp(v, dim, descending=descending or None).results

    return run(fn, x, key=("sort", dim, descending))


def _torch_sort(x: np.ndarray, dim: int, descending: bool):
    v, i = torch.sort(_to_torch(x), dim=dim, descending=descending, stable=True)
    return _from_torch(v), i.numpy()


# --- cumsum ----------------------------------------------------------------

def _cumsum_reference(x: np.ndarray, dim: int, dtype: str) -> np.ndarray:
    """Exact cumsum (float64 / int64) rounded or wrapped to the element type."""
    if dtype in FLOAT_DTYPES:
        return np.cumsum(_f64(x), axis=dim).astype(x.dtype)
    return np.cumsum(x.astype(np.int64), axis=dim).astype(x.dtype)  # wraps


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("shape,dim", SHAPE_DIMS, ids=str)
def test_cumsum(shape, dim, dtype):
    x = rand(shape, dtype, np.random.default_rng(0))
    out = _cumsum(x, dim)
    assert out.shape == x.shape and out.dtype == x.dtype
    ref = _cumsum_reference(x, dim, dtype)
    t = torch.cumsum(_to_torch(x), dim, dtype=TORCH_DTYPE[dtype])
    if dtype in INT_DTYPES:
        _assert_exact(out, ref)
        _assert_exact(out, t.numpy())
        return
    if dtype in ("f16", "bf16"):
        # Partial sums of a few f16 / bf16 values are exact in f32: one
        # rounding, the reference's.
        _assert_exact(out, ref)
    # f32 / f64 accumulate in their own type, a rounding per term.
    scale = 1 if dtype in ("f16", "bf16") else max(shape[dim], 1)
    base = tol(dtype)
    kw = dict(rtol=base["rtol"] * scale, atol=base["atol"] * scale * 3)
    np.testing.assert_allclose(_f64(out), _f64(ref), **kw)
    np.testing.assert_allclose(_f64(out), t.double().numpy(), **kw)


def test_cumsum_first_element_is_the_input():
    """The first slice along dim is copied, later ones are running sums."""
    x = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    for dim in range(3):
        out = _cumsum(x, dim)
        idx = [slice(None)] * 3
        idx[dim] = 0
        _assert_exact(out[tuple(idx)], x[tuple(idx)])
        _assert_exact(out, np.cumsum(x, axis=dim, dtype=np.int32))


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_cumsum_low_precision_accumulates_in_f32(dtype):
    """1 + 2^-9 + ... : each term is lost when added in bf16 / f16, not in f32."""
    n = 64
    x = np.full((n,), 2.0**-11, np.float64)
    x[0] = 1.0
    x = x.astype(np_dtype(dtype))
    out = _cumsum(x, 0)
    _assert_exact(out, np.cumsum(_f64(x)).astype(x.dtype))
    # The last sum is 1 + 63 * 2^-11 ~ 1.0308, visibly above 1 in both types.
    assert float(out[-1]) > 1.02


def test_cumsum_long_row_f32():
    x = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    out = _cumsum(x, 0)
    np.testing.assert_allclose(_f64(out), np.cumsum(_f64(x)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", ["i8", "i32"])
def test_cumsum_integer_wraps(dtype):
    """Integer sums stay in the element type (two's complement wrap-around),
    as torch.cumsum(x, dtype=x.dtype)."""
    big = {"i8": 100, "i32": 2**30}[dtype]
    x = np.array([big, big, big, -big, 1], np_dtype(dtype))
    out = _cumsum(x, 0)
    _assert_exact(out, _cumsum_reference(x, 0, dtype))
    _assert_exact(out, torch.cumsum(_to_torch(x), 0, dtype=TORCH_DTYPE[dtype]).numpy())


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cumsum_nan_inf(dtype):
    x = np.array([[1.0, np.inf, 2.0, -np.inf, 3.0],
                  [1.0, np.nan, 2.0, 3.0, 4.0],
                  [-np.inf, 1.0, -np.inf, 2.0, 5.0]]).astype(np_dtype(dtype))
    out = _cumsum(x, 1)
    ref = _from_torch(torch.cumsum(_to_torch(x), 1))
    _assert_exact(out, ref)
    assert np.isnan(_f64(out[0, 3:])).all() and np.isnan(_f64(out[1, 1:])).all()
    assert (_f64(out[2]) == -np.inf).all()


# --- sort ------------------------------------------------------------------

@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("shape,dim", SHAPE_DIMS, ids=str)
def test_sort(shape, dim, dtype, descending):
    x = _ties(shape, dtype, np.random.default_rng(2))
    values, indices = _sort(x, dim, descending)
    assert indices.dtype == np.int64
    ref_v, ref_i = _torch_sort(x, dim, descending)
    _assert_exact(values, ref_v)
    _assert_exact(indices, ref_i)
    # The indices are where the values came from.
    _assert_exact(np.take_along_axis(x, indices, dim), values)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_sort_stable_ties(descending):
    """Equal elements keep their input order, in both directions."""
    x = np.array([3, 1, 3, 2, 1, 3, 2, 1], np.int32)
    values, indices = _sort(x, 0, descending)
    if descending:
        _assert_exact(values, np.array([3, 3, 3, 2, 2, 1, 1, 1], np.int32))
        _assert_exact(indices, np.array([0, 2, 5, 3, 6, 1, 4, 7]))
    else:
        _assert_exact(values, np.array([1, 1, 1, 2, 2, 3, 3, 3], np.int32))
        _assert_exact(indices, np.array([1, 4, 7, 3, 6, 0, 2, 5]))


def test_sort_all_equal():
    x = np.full((3, 6), 1.5, np.float32)
    for descending in (False, True):
        values, indices = _sort(x, 1, descending)
        _assert_exact(values, x)
        _assert_exact(indices, np.broadcast_to(np.arange(6), (3, 6)))


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sort_nan_inf(dtype, descending):
    """NaN sorts above +inf: last ascending, first descending; NaNs, and -0.0 /
    0.0, keep their order among themselves."""
    nan, inf = np.nan, np.inf
    x = np.array([[1.0, nan, -inf, 0.0, inf, nan, -0.0, -2.0, inf, 1.0],
                  [nan, nan, nan, nan, nan, nan, nan, nan, nan, nan],
                  [-0.0, 0.0, -0.0, -inf, -inf, 3.0, nan, 2.0, -1.0, 0.0]]
                 ).astype(np_dtype(dtype))
    values, indices = _sort(x, 1, descending)
    ref_v, ref_i = _torch_sort(x, 1, descending)
    _assert_exact(values, ref_v)
    _assert_exact(indices, ref_i)
    row = _f64(values[0])
    if descending:
        assert np.isnan(row[:2]).all() and row[2] == inf and row[-1] == -inf
        _assert_exact(indices[0, :2], np.array([1, 5]))
    else:
        assert np.isnan(row[-2:]).all() and row[-3] == inf and row[0] == -inf
        _assert_exact(indices[0, -2:], np.array([1, 5]))
    _assert_exact(indices[1], np.arange(10))


def test_sort_nan_along_dim0():
    x = np.array([[np.nan, 1.0], [0.0, np.nan], [np.nan, -1.0]], np.float32)
    for descending in (False, True):
        values, indices = _sort(x, 0, descending)
        ref_v, ref_i = _torch_sort(x, 0, descending)
        _assert_exact(values, ref_v)
        _assert_exact(indices, ref_i)


@pytest.mark.parametrize("dtype", ["i8", "i32", "i64"])
def test_sort_integer_extremes(dtype):
    info = np.iinfo(np_dtype(dtype))
    x = np.array([0, info.max, -1, info.min, 1, info.max, info.min], np_dtype(dtype))
    for descending in (False, True):
        values, indices = _sort(x, 0, descending)
        ref_v, ref_i = _torch_sort(x, 0, descending)
        _assert_exact(values, ref_v)
        _assert_exact(indices, ref_i)


def test_sort_long_row_is_a_permutation():
    """A longer row of distinct values: the indices are a permutation and the
    values increase."""
    x = np.random.default_rng(3).permutation(300).astype(np.float32) - 150
    values, indices = _sort(x, 0, False)
    _assert_exact(values, np.sort(x))
    _assert_exact(indices, np.argsort(x, kind="stable"))
    values, indices = _sort(x, 0, True)
    _assert_exact(values, np.sort(x)[::-1])


# --- insert_slice ------------------------------------------------------------

# (dest shape, start, stop, step): offsets, steps > 1, a step past the end, 3-D,
# the whole tensor, and empty sources (start == stop, at the end of a dim, and
# a dest with a size-0 dim).
INSERT_SLICES = [
    ((4, 4), [0, 1], [4, 4], [2, 1]),
    ((6, 7), [1, 2], [5, 7], [1, 1]),
    ((6, 7), [0, 1], [6, 7], [2, 3]),
    ((6, 7), [1, 0], [6, 6], [2, 4]),
    ((6, 7), [5, 6], [6, 7], [1, 1]),
    ((6, 7), [0, 3], [6, 4], [10, 1]),
    ((4, 5, 6), [1, 0, 2], [4, 5, 6], [2, 2, 3]),
    ((3, 4), [0, 0], [3, 4], [1, 1]),
    ((5,), [1], [5], [3]),
    ((6, 7), [2, 0], [2, 7], [1, 1]),
    ((6, 7), [6, 7], [6, 7], [1, 2]),
    ((4, 0, 6), [1, 0, 1], [3, 0, 6], [1, 1, 2]),
    ((0,), [0], [0], [1]),
]


@pytest.mark.parametrize("dtype", ["f32", "bf16", "f16", "i1", "i8", "i64"])
@pytest.mark.parametrize("shape,start,stop,step", INSERT_SLICES, ids=str)
def test_insert_slice(shape, start, stop, step, dtype):
    rng = np.random.default_rng(4)
    dest = rand(shape, dtype, rng)
    index = tuple(slice(a, b, s) for a, b, s in zip(start, stop, step, strict=True))
    src = rand(dest[index].shape, dtype, rng, low=10, high=20)
    out = run(lambda s, d: E.insert_slice(s, d, start, stop, step), src, dest,
              key=("insert_slice", tuple(start), tuple(stop), tuple(step)))
    ref = dest.copy()
    ref[index] = src
    _assert_exact(out, ref)


# --- Tensor API ------------------------------------------------------------

TENSOR_DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int32", "int64"]
NP_OF = {"float16": np.float16, "bfloat16": BF16, "float32": np.float32,
         "float64": np.float64, "int8": np.int8, "int32": np.int32, "int64": np.int64,
         "bool": np.bool_}
SHORT = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
         "int8": "i8", "int32": "i32", "int64": "i64"}


def _both(a: np.ndarray):
    return ember.tensor(a), _to_torch(a)


def _check(cases, rtol=0.0, atol=0.0):
    """Realizes every ember result of ``cases`` ((name, ember, torch)) together
    and compares dtype, shape and values with torch."""
    ember.realize(*[e for _, e, _ in cases])
    errors = []
    for name, e, t in cases:
        if str(e.dtype).replace("ember.", "") != str(t.dtype).replace("torch.", ""):
            errors.append(f"{name}: dtype {e.dtype} != torch {t.dtype}")
            continue
        if tuple(e.shape) != tuple(t.shape):
            errors.append(f"{name}: shape {tuple(e.shape)} != torch {tuple(t.shape)}")
            continue
        got = _f64(e.numpy()) if t.dtype.is_floating_point else np.asarray(e.numpy())
        want = t.double().numpy() if t.dtype.is_floating_point else t.numpy()
        try:
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        except AssertionError as err:
            errors.append(f"{name}: values differ\n{err}")
    assert not errors, "\n".join(errors)


_TOL = {"float16": 2e-3, "bfloat16": 1.6e-2, "float32": 1e-5, "float64": 1e-12}


@pytest.mark.parametrize("dt", TENSOR_DTYPES + ["bool"])
def test_tensor_cumsum(dt):
    """Integer and bool inputs sum in int64, as torch; negative dims; rank 0."""
    rng = np.random.default_rng(5)
    if dt == "bool":
        x = rng.random((3, 4, 5)) < 0.5
    elif dt.startswith("int"):
        x = rng.integers(-100, 101, size=(3, 4, 5)).astype(NP_OF[dt])
    else:
        x = rng.uniform(-3, 3, size=(3, 4, 5)).astype(np.float32).astype(NP_OF[dt])
    ex, tx = _both(x)
    cases = [(f"dim {d}", ember.cumsum(ex, d), torch.cumsum(tx, d)) for d in (0, 1, 2, -1)]
    cases.append(("method", ex.cumsum(1), tx.cumsum(1)))
    e0, t0 = _both(np.asarray(x[0, 0, 0]))
    cases.append(("rank 0", ember.cumsum(e0, 0), torch.cumsum(t0, 0)))
    if dt != "bool":
        cases.append(("dtype=float64", ember.cumsum(ex, 2, dtype=ember.float64),
                      torch.cumsum(tx, 2, dtype=torch.float64)))
    r = _TOL.get(dt, 0.0) * 5
    _check(cases, rtol=r, atol=r)


def test_tensor_cumsum_int8_promotes():
    """int8 sums that overflow int8 are exact (torch sums integers in int64)."""
    x = np.full((40,), 100, np.int8)
    ex, tx = _both(x)
    _check([("int8", ember.cumsum(ex, 0), torch.cumsum(tx, 0))])


@pytest.mark.parametrize("dt", TENSOR_DTYPES + ["bool"])
def test_tensor_sort_argsort(dt):
    rng = np.random.default_rng(6)
    if dt == "bool":
        x = rng.random((3, 4, 5)) < 0.5
    else:
        x = _ties((3, 4, 5), SHORT[dt], rng)
    ex, tx = _both(x)
    cases = []
    for d in (0, 1, -1):
        for desc in (False, True):
            e = ex.sort(dim=d, descending=desc)
            t = torch.sort(tx, dim=d, descending=desc, stable=True)
            cases += [(f"values({d},{desc})", e.values, t.values),
                      (f"indices({d},{desc})", e.indices, t.indices),
                      (f"argsort({d},{desc})", ex.argsort(dim=d, descending=desc),
                       torch.argsort(tx, dim=d, descending=desc, stable=True))]
    ev, ei = ember.sort(ex)  # default: last dim, ascending; unpacks
    tv, ti = torch.sort(tx, stable=True)
    cases += [("default values", ev, tv), ("default indices", ei, ti)]
    _check(cases)


def test_tensor_sort_nan_and_rank0():
    x = np.array([[2.0, np.nan, -np.inf, 1.0, np.nan], [0.0, 1.0, np.inf, 1.0, -1.0]],
                 np.float32)
    ex, tx = _both(x)
    e0, t0 = _both(np.array(3.5, np.float32))
    cases = []
    for desc in (False, True):
        e, t = ex.sort(1, desc), torch.sort(tx, dim=1, descending=desc, stable=True)
        cases += [(f"values {desc}", e.values, t.values),
                  (f"indices {desc}", e.indices, t.indices)]
    e, t = e0.sort(), torch.sort(t0, stable=True)
    cases += [("rank-0 values", e.values, t.values), ("rank-0 indices", e.indices, t.indices)]
    _check(cases)


def test_tensor_sort_noncontiguous():
    """Sorting a transposed view sorts the view's rows."""
    x = _ties((4, 6), "f32", np.random.default_rng(7))
    ex, tx = _both(x)
    e, t = ex.t().sort(1), torch.sort(tx.t(), dim=1, stable=True)
    _check([("values", e.values, t.values), ("indices", e.indices, t.indices)])


@pytest.mark.parametrize("dt", TENSOR_DTYPES)
def test_tensor_topk(dt):
    """Values against torch.topk (ties included); indices on distinct values."""
    rng = np.random.default_rng(8)
    x = _ties((3, 4, 6), SHORT[dt], rng)
    # Distinct values: a permutation of 0..71 (exact in every dtype).
    distinct = rng.permutation(72).reshape(3, 4, 6).astype(NP_OF[dt])
    ex, tx = _both(x)
    dx, dtx = _both(distinct)
    cases = []
    for k, d, largest in [(2, -1, True), (3, 1, False), (1, 0, True), (6, 2, False),
                          (0, -1, True), (4, 1, True)]:
        e, t = ex.topk(k, d, largest), torch.topk(tx, k, d, largest)
        cases.append((f"values k={k} dim={d} largest={largest}", e.values, t.values))
        e, t = dx.topk(k, d, largest), torch.topk(dtx, k, d, largest)
        cases += [(f"distinct values k={k} dim={d} largest={largest}", e.values, t.values),
                  (f"distinct indices k={k} dim={d} largest={largest}", e.indices, t.indices)]
    _check(cases)


def test_tensor_empty_and_chained():
    """Size-0 dims, -0.0 / 0.0 ties, and cumsum -> sort -> topk in one region."""
    z = np.zeros((0, 3), np.float32)
    ez, tz = _both(z)
    zeros = np.array([0.0, -0.0, 0.0, -0.0, 1.0], np.float32)
    e0, t0 = _both(zeros)
    y = np.random.default_rng(9).standard_normal((5, 7)).astype(np.float32)
    ey, ty = _both(y)
    _check([
        ("sort size-0 dim", ez.sort(0).indices, torch.sort(tz, dim=0, stable=True).indices),
        ("sort across size-0", ez.sort(1).values, torch.sort(tz, dim=1, stable=True).values),
        ("topk k=0", ez.topk(0, 0).values, torch.topk(tz, 0, 0).values),
        ("topk size-0 rows", ez.topk(2, 1).indices, torch.topk(tz, 2, 1).indices),
        ("cumsum size-0", ez.cumsum(1), torch.cumsum(tz, 1)),
        ("signed zeros", e0.sort(descending=True).indices,
         torch.sort(t0, descending=True, stable=True).indices),
        ("chain", ey.cumsum(1).sort(0).values.topk(3, 1).indices,
         ty.cumsum(1).sort(dim=0, stable=True).values.topk(3, 1).indices),
        ("expanded cumsum", ember.arange(3.0).expand(4, 3).cumsum(0),
         torch.arange(3.0).expand(4, 3).cumsum(0)),
    ], rtol=1e-5, atol=1e-5)


def test_tensor_errors_match_torch():
    """Out-of-range dims are IndexErrors and out-of-range k RuntimeErrors, as in torch."""
    x = ember.tensor(np.zeros((2, 3), np.float32))
    s = ember.tensor(np.array(1.0, np.float32))
    for call in (lambda: ember.cumsum(x, 2), lambda: x.sort(-3), lambda: x.argsort(2),
                 lambda: s.cumsum(1), lambda: s.sort(1), lambda: x.topk(1, 2)):
        with pytest.raises(IndexError, match="out of range"):
            call()
    for call in (lambda: x.topk(4), lambda: x.topk(-1), lambda: x.topk(3, 0), lambda: s.topk(2)):
        with pytest.raises(RuntimeError, match="out of range"):
            call()
