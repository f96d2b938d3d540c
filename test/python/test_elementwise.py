"""Numerics of ember's elementwise ops (unary, binary, compare, select, cast,
broadcast) through ``ember-cpu-pipeline``, against PyTorch on the CPU.

References are computed in float64 from the (exactly representable) inputs;
f16 / bf16 results are compared with that reference rounded to their type,
at the one-rounding tolerances of ``tol()``. Integer and bool results, and
float ops that are exact (neg, abs, sign, floor, maximum, minimum, select,
cast), are compared exactly. Every test also checks the result's dtype and
shape.
"""

from __future__ import annotations

import zlib

import ml_dtypes
import numpy as np
import pytest
import torch
from ember import compiler
from ember.dialects import ember as E
from ember_testing import (
    ALL_DTYPES,
    FLOAT_DTYPES,
    INT_DTYPES,
    NUMERIC_DTYPES,
    as_f64,
    np_dtype,
    rand,
    run,
    tol,
)

# Rank 0, a size-1 dim, a general shape with a size-1 dim (big enough for the
# special values written at its start) and a size-0 dim.
SHAPES = [(), (1,), (3, 1, 40), (2, 0, 3)]
SHAPE_IDS = ["rank0", "1", "3x1x40", "2x0x3"]

NAN, INF = float("nan"), float("inf")

TORCH_DTYPES = {
    "f16": torch.float16,
    "bf16": torch.bfloat16,
    "f32": torch.float32,
    "f64": torch.float64,
    "i1": torch.bool,
    "i8": torch.int8,
    "i32": torch.int32,
    "i64": torch.int64,
}

# Integer ranges that keep neg / abs / add / sub / mul free of overflow
# (i8 excepted where wrapping is the point).
INT_RANGES = {"i8": (-127, 127), "i32": (-30000, 30000), "i64": (-2_000_000_000, 2_000_000_000)}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _rng(*parts) -> np.random.Generator:
    """A generator seeded from the test's parameters (reproducible per case)."""
    return np.random.default_rng(zlib.crc32(repr(parts).encode()))


def _rand(shape, dtype: str, rng: np.random.Generator, low=-3.0, high=3.0) -> np.ndarray:
    """``rand`` as an ndarray (rank 0 included)."""
    return np.asarray(rand(shape, dtype, rng, low, high))


def _put(a: np.ndarray, values) -> np.ndarray:
    """Writes ``values`` over the first elements of ``a`` (as many as fit)."""
    a = np.asarray(a)
    flat = a.reshape(-1)
    k = min(len(values), flat.size)
    if k and a.dtype.kind in "biu":
        flat[:k] = np.asarray(values[:k]).astype(a.dtype)
    elif k:  # via float64: bf16 takes no Python floats; 70000 in f16 overflows to inf
        with np.errstate(over="ignore"):
            flat[:k] = np.asarray(values[:k], np.float64).astype(a.dtype)
    return a


def _torch(a: np.ndarray, dtype: str) -> torch.Tensor:
    """``a`` as a torch tensor of ember element type ``dtype`` (bf16 via f64, exactly)."""
    if dtype == "bf16":
        return torch.from_numpy(as_f64(a)).to(torch.bfloat16)
    return torch.from_numpy(np.array(a))  # a copy; keeps rank 0


def _numpy(t: torch.Tensor, dtype: str) -> np.ndarray:
    if dtype == "bf16":
        return t.to(torch.float64).numpy().astype(ml_dtypes.bfloat16)
    return t.numpy()


def _f64(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(as_f64(a))


def _round_to(ref64: np.ndarray, dtype: str) -> np.ndarray:
    """The float64 reference rounded to ``dtype`` (f16 / bf16), back in float64."""
    if dtype in ("f16", "bf16"):
        return np.asarray(ref64).astype(np_dtype(dtype)).astype(np.float64)
    return np.asarray(ref64, dtype=np.float64)


def check(out: np.ndarray, ref: np.ndarray, dtype: str, *, exact: bool = False,
          tolerance: dict | None = None) -> None:
    """Result dtype and shape, then values: exact for ints / bool / ``exact``
    ops, else ``tol(dtype)`` (or ``tolerance``) against a float64 reference."""
    assert out.dtype == np_dtype(dtype), f"result dtype {out.dtype}, expected {np_dtype(dtype)}"
    assert out.shape == np.shape(ref), f"result shape {out.shape}, expected {np.shape(ref)}"
    if dtype in FLOAT_DTYPES:
        ref = _round_to(as_f64(ref), dtype)
        if exact:
            np.testing.assert_array_equal(as_f64(out), ref)
        else:
            np.testing.assert_allclose(as_f64(out), ref, **(tolerance or tol(dtype)))
    else:
        np.testing.assert_array_equal(out, np.asarray(ref).astype(np_dtype(dtype)))


def _ttype(shape, dtype):
    """A tensor type, built inside a function body (the module's context)."""
    return compiler.tensor_type(shape, dtype)


# --------------------------------------------------------------------------
# Unary
# --------------------------------------------------------------------------

# name -> (builder, float64 torch reference, input range, special values, exact)
UNARY_FLOAT = {
    "exp": (E.exp, torch.exp, (-5, 5), [0.0, -INF, INF, NAN, 1.0], False),
    "log": (E.log, torch.log, (0.01, 10), [1.0, 0.0, INF, NAN, -1.0], False),
    "log1p": (E.log1p, torch.log1p, (-0.9, 3),
              [1e-10, -1e-10, 1e-20, 0.0, -1.0, INF, NAN], False),
    "sqrt": (E.sqrt, torch.sqrt, (0, 10), [0.0, -0.0, 4.0, INF, NAN, -1.0], False),
    "rsqrt": (E.rsqrt, torch.rsqrt, (0.01, 10), [4.0, 0.0, INF, NAN, -1.0], False),
    "tanh": (E.tanh, torch.tanh, (-5, 5), [0.0, 20.0, -20.0, INF, -INF, NAN], False),
    "sigmoid": (E.sigmoid, torch.sigmoid, (-10, 10),
                [0.0, -100.0, 100.0, -1000.0, INF, -INF, NAN], False),
    "erf": (E.erf, torch.erf, (-3, 3), [0.0, 5.0, -5.0, INF, -INF, NAN], False),
    "sin": (E.sin, torch.sin, (-6, 6), [0.0, 3.0, INF, NAN], False),
    "cos": (E.cos, torch.cos, (-6, 6), [0.0, 3.0, INF, NAN], False),
    "floor": (E.floor, torch.floor, (-10, 10),
              [-0.5, 0.5, -2.0, 2.0, -0.0, 2.5, -2.5, INF, -INF, NAN], True),
}


# name -> (builder, torch reference, exact float special values)
UNARY_NUMERIC = {
    "neg": (E.neg, torch.neg, [0.0, -0.0, 1.5, INF, -INF, NAN]),
    "abs": (E.abs, torch.abs, [0.0, -0.0, -1.5, INF, -INF, NAN]),
    "sign": (E.sign, torch.sign, [0.0, -0.0, 0.25, -0.25, INF, -INF, NAN]),
}

_UNARY_FLOAT_CASES = [(op, dt) for op in UNARY_FLOAT for dt in FLOAT_DTYPES]
_UNARY_NUMERIC_CASES = [(op, dt) for op in UNARY_NUMERIC for dt in NUMERIC_DTYPES]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op,dtype", _UNARY_FLOAT_CASES)
def test_unary_float(op, dtype, shape):
    build, ref_fn, (low, high), specials, exact = UNARY_FLOAT[op]
    x = _put(_rand(shape, dtype, _rng(op, dtype, shape), low, high), specials)
    out = run(lambda v: build(v), x, key=("unary", op))
    check(out, ref_fn(_f64(x)).numpy(), dtype, exact=exact)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op,dtype", _UNARY_NUMERIC_CASES)
def test_unary_numeric(op, dtype, shape):
    build, ref_fn, specials = UNARY_NUMERIC[op]
    rng = _rng(op, dtype, shape)
    if dtype in INT_DTYPES:
        lo, hi = INT_RANGES[dtype]
        x = _put(_rand(shape, dtype, rng, lo, hi), [0, -1, 1, hi, -hi])
        ref = ref_fn(torch.from_numpy(x)).numpy()
    else:
        x = _put(_rand(shape, dtype, rng), specials)
        ref = ref_fn(_f64(x)).numpy()
    out = run(lambda v: build(v), x, key=("unary", op))
    check(out, ref, dtype, exact=True)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_logical_not(shape):
    x = _rand(shape, "i1", _rng("not", shape))
    out = run(lambda v: E.logical_not(v), x, key="logical_not")
    check(out, torch.logical_not(torch.from_numpy(x)).numpy(), "i1")


@pytest.mark.parametrize("dtype", ["f32", "f64"])
def test_log1p_tiny_inputs_are_accurate(dtype):
    # log(1 + x) loses every digit here; a relative tolerance (no atol) holds
    # log1p to the type's one-rounding accuracy.
    x = np.array([1e-10, -1e-10, 3e-8, -3e-8, 1e-20, 1e-30, 2e-5, -2e-5], np_dtype(dtype))
    out = run(lambda v: E.log1p(v), x, key=("unary", "log1p"))
    check(out, torch.log1p(_f64(x)).numpy(), dtype,
          tolerance=dict(rtol=tol(dtype)["rtol"], atol=0))


# --------------------------------------------------------------------------
# Binary
# --------------------------------------------------------------------------


def _binary_inputs(op: str, dtype: str, shape, rng):
    """(lhs, rhs) in the op's domain, special values at the start."""
    if dtype == "i1":
        return _rand(shape, dtype, rng), _rand(shape, dtype, rng)
    is_int = dtype in INT_DTYPES
    if op == "div":
        if is_int:
            lo, hi = {"i8": (-100, 100)}.get(dtype, INT_RANGES[dtype])
            x = _rand(shape, dtype, rng, lo, hi)
            y = _rand(shape, dtype, rng, 1, 9) * np.where(rng.random(shape) < 0.5, -1, 1).astype(
                np_dtype(dtype))
            # Truncation toward zero: -7 / 2 = -3, 7 / -2 = -3, -7 / -2 = 3.
            return (_put(x, [-7, 7, -7, 7, -1, 0, 9, -9]), _put(y, [2, -2, -2, 2, 3, -5, 9, 4]))
        x = _rand(shape, dtype, rng)
        y = _rand(shape, dtype, rng, 0.5, 3) * np.where(rng.random(shape) < 0.5, -1, 1).astype(
            np_dtype(dtype))
        return _put(x, [1.0, -1.0, 0.0, 7.0]), _put(y, [0.0, 0.0, 0.0, -2.0])
    if op == "pow":
        if is_int:
            hi = 4 if dtype == "i8" else 10
            return (_put(_rand(shape, dtype, rng, -3, 3), [0, -2, -1, 3, 5]),
                    _put(_rand(shape, dtype, rng, 0, hi), [0, 3, 4, 0, 1]))
        return (_put(_rand(shape, dtype, rng, 0.1, 3), [0.0, 0.0, 2.0, 1.0]),
                _put(_rand(shape, dtype, rng, -3, 3), [0.0, 2.0, 0.5, 7.0]))
    if is_int:
        lo, hi = INT_RANGES[dtype]
        if dtype == "i8" and op in ("add", "sub", "mul"):
            lo, hi = -128, 127  # int8 arithmetic wraps, as in torch
        return _rand(shape, dtype, rng, lo, hi), _rand(shape, dtype, rng, lo, hi)
    x, y = _rand(shape, dtype, rng), _rand(shape, dtype, rng)
    if op in ("maximum", "minimum"):
        # NaN on either side (or both) propagates; infinities order normally.
        return _put(x, [NAN, 1.0, NAN, INF, -INF, 2.0]), _put(y, [1.0, NAN, NAN, 0.0, 0.0, 2.0])
    return _put(x, [INF, 1.0, NAN]), _put(y, [1.0, -INF, 2.0])


def _binary_ref(op: str, x: np.ndarray, y: np.ndarray, dtype: str) -> np.ndarray:
    if dtype in FLOAT_DTYPES:
        a, b = _f64(x), _f64(y)
    else:
        a, b = torch.from_numpy(x), torch.from_numpy(y)
    if op == "div" and dtype in INT_DTYPES:
        return torch.div(a, b, rounding_mode="trunc").numpy()
    return BINARY[op][1](a, b).numpy()


BINARY = {
    "add": (E.add, torch.add),
    "sub": (E.sub, torch.sub),
    "mul": (E.mul, torch.mul),
    "div": (E.div, torch.div),
    "pow": (E.pow, torch.pow),
    "maximum": (E.maximum, torch.maximum),
    "minimum": (E.minimum, torch.minimum),
    "logical_and": (E.logical_and, torch.logical_and),
    "logical_or": (E.logical_or, torch.logical_or),
}
_BINARY_CASES = [(op, dt) for op in BINARY for dt in
                 (["i1"] if op.startswith("logical") else NUMERIC_DTYPES)]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op,dtype", _BINARY_CASES)
def test_binary(op, dtype, shape):
    x, y = _binary_inputs(op, dtype, shape, _rng(op, dtype, shape))
    build = BINARY[op][0]
    out = run(lambda a, b: build(a, b), x, y, key=("binary", op))
    check(out, _binary_ref(op, x, y, dtype), dtype, exact=op in ("maximum", "minimum"))


# --------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------

COMPARE = {
    "eq": (E.eq, torch.eq),
    "ne": (E.ne, torch.ne),
    "lt": (E.lt, torch.lt),
    "le": (E.le, torch.le),
    "gt": (E.gt, torch.gt),
    "ge": (E.ge, torch.ge),
}


def _compare_inputs(dtype: str, shape, rng):
    if dtype == "i1":
        x, y = _rand(shape, dtype, rng), _rand(shape, dtype, rng)
        # Every pair of bools, then random ones; i1 orders False < True.
        return _put(x, [0, 0, 1, 1]), _put(y, [0, 1, 0, 1])
    if dtype in INT_DTYPES:
        lo, hi = {"i8": (-128, 127)}.get(dtype, INT_RANGES[dtype])
        x, y = _rand(shape, dtype, rng, lo, hi), _rand(shape, dtype, rng, lo, hi)
        # Signed order across the sign boundary, and ties.
        x, y = _put(x, [-1, 1, lo, hi, 0, -5]), _put(y, [1, -1, hi, lo, 0, -5])
    else:
        x, y = _rand(shape, dtype, rng), _rand(shape, dtype, rng)
        x = _put(x, [NAN, 1.0, NAN, INF, -INF, 0.0, -0.0, INF])
        y = _put(y, [1.0, NAN, NAN, INF, INF, -0.0, 0.0, 3.0])
    # A third of the remaining elements tie.
    y.reshape(-1)[8::3] = x.reshape(-1)[8::3]
    return x, y


_COMPARE_CASES = [(op, dt) for op in COMPARE for dt in ALL_DTYPES]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op,dtype", _COMPARE_CASES)
def test_compare(op, dtype, shape):
    x, y = _compare_inputs(dtype, shape, _rng(op, dtype, shape))
    build, ref_fn = COMPARE[op]
    out = run(lambda a, b: build(a, b), x, y, key=("compare", op))
    if dtype in FLOAT_DTYPES:
        ref = ref_fn(_f64(x), _f64(y))
    else:
        ref = ref_fn(torch.from_numpy(x), torch.from_numpy(y))
    check(out, ref.numpy(), "i1")


def test_compare_nan_semantics():
    # Ordered comparisons are false on NaN; ne is true (as PyTorch).
    x = np.array([NAN, NAN, 1.0], np.float32)
    y = np.array([NAN, 1.0, NAN], np.float32)
    results = {op: run(lambda a, b, f=COMPARE[op][0]: f(a, b), x, y, key=("compare", op))
               for op in COMPARE}
    for op in ("eq", "lt", "le", "gt", "ge"):
        np.testing.assert_array_equal(results[op], [False, False, False], err_msg=op)
    np.testing.assert_array_equal(results["ne"], [True, True, True])


# --------------------------------------------------------------------------
# Select
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_select(dtype, shape):
    rng = _rng("select", dtype, shape)
    c = _put(_rand(shape, "i1", rng), [1, 0])
    a, b = _rand(shape, dtype, rng, -100, 100), _rand(shape, dtype, rng, -100, 100)
    if dtype in FLOAT_DTYPES:
        # NaN is just a value: the untaken side's NaN never leaks.
        a, b = _put(a, [2.0, NAN]), _put(b, [NAN, -3.0])
    out = run(lambda cc, x, y: E.select(cc, x, y), c, a, b, key="select")
    check(out, np.where(c, a, b), dtype, exact=True)


# --------------------------------------------------------------------------
# Cast
# --------------------------------------------------------------------------

_INT_SPECIALS = {
    "i8": [127, -128, -1, 0, 1, 64, -65],
    "i32": [2**31 - 1, -(2**31), 128, -129, 255, 256, -1, 0, 1, 65536 + 3, 70000],
    "i64": [2**63 - 1, -(2**63), 2**40 + 5, -(2**33) + 7, 2**31, -(2**31) - 1, 128, -1, 0, 1],
}


def _cast_input(src: str, dst: str, shape, rng) -> np.ndarray:
    if src == "i1":
        return _put(_rand(shape, src, rng), [0, 1])
    if src in INT_DTYPES:
        info = np.iinfo(np_dtype(src))
        x = np.asarray(rng.integers(info.min, info.max, size=shape, dtype=np_dtype(src),
                                    endpoint=True))
        flat = x.reshape(-1)
        k = min(len(_INT_SPECIALS[src]), flat.size)
        flat[:k] = np.array(_INT_SPECIALS[src][:k], dtype=np_dtype(src))
        # Some small values too, so narrowing keeps values in range as well.
        flat[k::2] = rng.integers(-100, 101, size=flat[k::2].shape)
        return x
    # Floats: values in every integer type's range (float -> int is only
    # defined there), with fractions to show truncation toward zero.
    specials = [0.0, -0.0, 0.5, -0.5, 1.75, -1.75, 2.5, -2.5, 127.0, -128.0, 99.9, -99.9]
    if dst in FLOAT_DTYPES or dst == "i1":
        # NaN / inf / under- and overflow are defined only for these.
        specials += [NAN, INF, -INF, 1e-30, -1e-30, 1e-45, 70000.0, -1e6, 3.0e38, 1e-3]
    return _put(_rand(shape, src, rng, -100, 100), specials)


def _cast_ref(x: np.ndarray, src: str, dst: str) -> np.ndarray:
    return _numpy(_torch(x, src).to(TORCH_DTYPES[dst]), dst)


@pytest.mark.parametrize("dst", ALL_DTYPES)
@pytest.mark.parametrize("src", ALL_DTYPES)
def test_cast(src, dst):
    shape = (3, 1, 40)
    x = _cast_input(src, dst, shape, _rng("cast", src, dst))
    out = run(lambda v: E.cast(_ttype(shape, dst), v), x, key=("cast", dst, shape))
    check(out, _cast_ref(x, src, dst), dst, exact=True)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("src,dst", [("f32", "i32"), ("i1", "f16"), ("i64", "i8"),
                                     ("f64", "i1"), ("bf16", "f32")])
def test_cast_shapes(src, dst, shape):
    x = _cast_input(src, dst, shape, _rng("cast", src, dst, shape))
    out = run(lambda v: E.cast(_ttype(shape, dst), v), x, key=("cast", dst, shape))
    check(out, _cast_ref(x, src, dst), dst, exact=True)


def test_cast_rules():
    # The rules spelled out, independent of the oracle.
    f = np.array([-1.9, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 1.9, NAN], np.float32)
    to_i1 = run(lambda v: E.cast(_ttype(f.shape, "i1"), v), f, key=("cast", "i1", f.shape))
    np.testing.assert_array_equal(to_i1, [1, 1, 1, 0, 0, 1, 1, 1, 1])
    g = f[:-1]
    to_i32 = run(lambda v: E.cast(_ttype(g.shape, "i32"), v), g, key=("cast", "i32", g.shape))
    np.testing.assert_array_equal(to_i32, [-1, -1, 0, 0, 0, 0, 1, 1])
    b = np.array([True, False, True])
    to_f64 = run(lambda v: E.cast(_ttype(b.shape, "f64"), v), b, key=("cast", "f64", b.shape))
    np.testing.assert_array_equal(to_f64, [1.0, 0.0, 1.0])
    to_i8 = run(lambda v: E.cast(_ttype(b.shape, "i8"), v), b, key=("cast", "i8", b.shape))
    np.testing.assert_array_equal(to_i8, [1, 0, 1])
    w = np.array([300, -200, 2**31 - 1, -1], np.int32)
    to_i8 = run(lambda v: E.cast(_ttype(w.shape, "i8"), v), w, key=("cast", "i8", w.shape))
    np.testing.assert_array_equal(to_i8, [44, 56, -1, -1])
    n = np.array([-5, 127, -128], np.int8)
    to_i64 = run(lambda v: E.cast(_ttype(n.shape, "i64"), v), n, key=("cast", "i64", n.shape))
    np.testing.assert_array_equal(to_i64, [-5, 127, -128])


# --------------------------------------------------------------------------
# Broadcast
# --------------------------------------------------------------------------

# (input shape, result shape): size-1 dims expand, new leading dims appear.
BROADCASTS = [
    ((), (2, 3)),
    ((3,), (2, 3)),
    ((1, 3), (4, 3)),
    ((2, 1), (2, 5)),
    ((3, 1, 4), (2, 3, 5, 4)),
    ((1, 1), (1, 1)),
    ((4,), (4,)),
    ((1,), (0,)),
    ((2, 1), (2, 0)),
    ((0, 1), (3, 0, 4)),
]
BROADCAST_IDS = ["x".join(map(str, a)) + "->" + "x".join(map(str, b)) for a, b in BROADCASTS]


@pytest.mark.parametrize("shapes", BROADCASTS, ids=BROADCAST_IDS)
def test_broadcast(shapes):
    src, dst = shapes
    x = _rand(src, "f32", _rng("bcast", shapes))
    out = run(lambda v: E.broadcast(_ttype(dst, "f32"), v), x, key=("broadcast", dst))
    check(out, np.broadcast_to(x, dst), "f32", exact=True)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_broadcast_dtypes(dtype):
    src, dst = (3, 1, 4), (2, 3, 5, 4)
    x = _rand(src, dtype, _rng("bcast", dtype), -100, 100)
    out = run(lambda v: E.broadcast(_ttype(dst, dtype), v), x, key=("broadcast", dst))
    check(out, np.broadcast_to(x, dst), dtype, exact=True)


# dtype -> (builder, numpy reference) for an op applied after broadcasting.
_AFTER = {
    "f32": (E.add, np.add),
    "bf16": (E.sub, np.subtract),
    "i32": (E.mul, np.multiply),
    "i1": (E.logical_or, np.logical_or),
}


@pytest.mark.parametrize("shapes", BROADCASTS, ids=BROADCAST_IDS)
@pytest.mark.parametrize("dtype", list(_AFTER))
def test_broadcast_then_elementwise(dtype, shapes):
    src, dst = shapes
    rng = _rng("bcast-op", dtype, shapes)
    x, y = _rand(src, dtype, rng), _rand(dst, dtype, rng)
    build, ref_fn = _AFTER[dtype]

    def fn(a, b):
        return build(E.broadcast(b.type, a), b)

    out = run(fn, x, y, key=("broadcast-op", dtype))
    if dtype in FLOAT_DTYPES:
        ref = ref_fn(as_f64(x), as_f64(y))  # numpy broadcasting
    else:
        ref = ref_fn(x, y)
    check(out, ref, dtype)


@pytest.mark.parametrize("lhs,rhs", [((3, 1), (1, 4)), ((5, 1, 1), (2, 3)), ((), (0, 2)),
                                     ((1, 0), (3, 1))])
def test_broadcast_both_operands(lhs, rhs):
    # Mutual broadcasting: each side expands to the numpy result shape.
    dst = np.broadcast_shapes(lhs, rhs)
    rng = _rng("bcast-both", lhs, rhs)
    x, y = _rand(lhs, "f64", rng), _rand(rhs, "f64", rng)

    def fn(a, b):
        t = _ttype(dst, "f64")
        return E.sub(E.broadcast(t, a), E.broadcast(t, b))

    out = run(fn, x, y, key=("broadcast-both", dst))
    check(out, x - y, "f64")


@pytest.mark.parametrize("dtype", ["f16", "bf16", "f32", "f64", "i8", "i32", "i64"])
def test_rem_is_fmod(dtype):
    rng = np.random.default_rng(7)
    a = rand((3, 40), dtype, rng, -20, 20)
    b = rand((3, 40), dtype, rng, 1, 7) * np.where(rng.random((3, 40)) < 0.5, -1, 1).astype(
        np_dtype(dtype))
    out = run(lambda x, y: E.rem(x, y), a, b, key="rem")
    assert out.dtype == np_dtype(dtype)
    ref = torch.fmod(torch.from_numpy(as_f64(a)), torch.from_numpy(as_f64(b))).numpy()
    np.testing.assert_allclose(as_f64(out), ref.astype(np_dtype(dtype)).astype(np.float64),
                               **tol(dtype))


def test_integer_division_never_traps():
    """A zero divisor gives 0 and INT_MIN / -1 wraps, instead of SIGFPE (the
    frontend rejects zero divisors before they get here)."""
    lo = np.iinfo(np.int32).min
    a = np.array([7, -7, 7, lo, lo], np.int32)
    b = np.array([0, 0, -1, -1, 1], np.int32)
    q = run(lambda x, y: E.div(x, y), a, b, key="div")
    r = run(lambda x, y: E.rem(x, y), a, b, key="rem")
    np.testing.assert_array_equal(q, [0, 0, -7, lo, lo])
    np.testing.assert_array_equal(r, [0, 0, 0, 0, 0])


def test_float_rem_special_values():
    a = np.array([3.0, 5.5, -3.0, 7.0, np.inf], np.float32)
    b = np.array([-np.inf, np.inf, 2.0, 0.0, 2.0], np.float32)
    out = run(lambda x, y: E.rem(x, y), a, b, key="rem")
    ref = torch.fmod(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    np.testing.assert_array_equal(out, ref)
