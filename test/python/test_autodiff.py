"""Gradients from ``ember-autodiff`` (``compiler.vjp``) against ``torch.autograd``
on the CPU.

Every differentiable op is built with the ODS builders, differentiated, and run
on random inputs with a random cotangent; the gradients are compared with
``torch.autograd.grad`` of the same op evaluated in float64 on the same values.
Tolerances: float64 gradients agree to 1e-10 of the gradient's scale, float32
to 2e-5 (a few roundings of the chain rule). Beyond single ops: float64
central differences of composite functions, Hessian-vector products through
``ember-autodiff`` applied twice (against torch double backward), fan-out,
unused and integer arguments. Edge cases where torch defines a finite
gradient (pow at a zero base, prod with a zero, gather's negative indices)
are asserted against torch too.
"""

from __future__ import annotations

import mlir.ir as ir
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from ember import compiler
from ember.dialects import ember as E
from ember_testing import MATMUL_CASES, np_dtype

DTYPES = ["f32", "f64"]

# Gradient tolerance, relative to max(1, max |reference|), by element type.
TOL = {"f32": 2e-5, "f64": 1e-10}

def _ember_dtype(dt: np.dtype) -> str:
    return {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64", np.dtype(np.bool_): "i1",
            np.dtype(np.int32): "i32", np.dtype(np.int64): "i64"}[np.dtype(dt)]


def _is_float(a: np.ndarray) -> bool:
    return np.issubdtype(a.dtype, np.floating)


def _assert_close(out: np.ndarray, ref, *, scale_tol: float | None = None, what: str = "") -> None:
    """``out`` equals ``ref`` (a float64 reference) to the tolerance of out's type."""
    ref = np.asarray(ref, np.float64)
    assert out.shape == ref.shape, f"{what}: shape {out.shape}, expected {ref.shape}"
    t = scale_tol if scale_tol is not None else TOL[_ember_dtype(out.dtype)]
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(out.astype(np.float64), ref, rtol=t, atol=t * scale,
                               err_msg=what)


# --- types and builders ------------------------------------------------------

def _type(v: ir.Value, shape=None, dtype: str | None = None) -> ir.RankedTensorType:
    """``v``'s tensor type, with another shape and / or element type."""
    t = ir.RankedTensorType(v.type)
    elt = t.element_type if dtype is None else compiler.tensor_type((), dtype).element_type
    return ir.RankedTensorType.get(list(t.shape) if shape is None else list(shape), elt)


def _full(v: ir.Value, value: float, shape=None) -> ir.Value:
    t = _type(v, shape)
    return E.full(t, ir.FloatAttr.get(t.element_type, value))


def _bcast(v: ir.Value, shape) -> ir.Value:
    return E.broadcast(_type(v, shape), v)


def _shape(v: ir.Value) -> list[int]:
    return list(ir.RankedTensorType(v.type).shape)


# --- the check ---------------------------------------------------------------

_cache: dict = {}


def _vjp(fn, arrays, key) -> compiler.CompiledFunction:
    specs = tuple((a.shape, _ember_dtype(a.dtype)) for a in arrays)
    full_key = (key, specs)
    if full_key not in _cache:
        _cache[full_key] = compiler.vjp(fn, *specs)
    return _cache[full_key]


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _torch_inputs(arrays) -> list[torch.Tensor]:
    """float64 leaves that require grad for float arrays; others as they are."""
    return [torch.tensor(a.astype(np.float64), requires_grad=True) if _is_float(a)
            else torch.from_numpy(np.asarray(a)) for a in arrays]


def check_vjp(fn, torch_fn, *arrays: np.ndarray, key, seed: int = 0) -> None:
    """Compares ``compiler.vjp(fn)`` on ``arrays`` and a random cotangent with
    ``torch.autograd.grad(torch_fn(arrays), float arrays, cotangent)`` in float64.

    ``fn`` builds the ember function from MLIR values; ``torch_fn`` computes the
    same on float64 torch tensors (integer / bool arrays are passed unchanged).
    The forward results are checked too.
    """
    arrays = [np.asarray(a) for a in arrays]
    f = _vjp(fn, arrays, key)
    n_results = len(f.signature.inputs) - len(arrays)
    floats = [a for a in arrays if _is_float(a)]
    assert len(f.signature.results) == n_results + len(floats), "one gradient per float arg"
    rng = np.random.default_rng(seed)
    cots = [rng.standard_normal(shape).astype(dtype)
            for shape, dtype in f.signature.inputs[len(arrays):]]
    # Copies: the compiled function may write into its argument buffers
    # (test_vjp_leaves_its_arguments_unchanged).
    out = _as_tuple(f(*[a.copy() for a in arrays], *[c.copy() for c in cots]))
    results, grads = out[:n_results], out[n_results:]

    tensors = _torch_inputs(arrays)
    refs = _as_tuple(torch_fn(*tensors))
    for i, (r, ref) in enumerate(zip(results, refs, strict=True)):
        _assert_close(r, ref.detach().numpy(), what=f"result {i}")
    leaves = [t for t in tensors if t.requires_grad]
    pairs = [(ref, torch.from_numpy(c.astype(np.float64)))
             for ref, c in zip(refs, cots, strict=True) if ref.dtype.is_floating_point]
    ref_grads = torch.autograd.grad([p[0] for p in pairs], leaves, [p[1] for p in pairs],
                                    allow_unused=True)
    for i, (g, a, ref) in enumerate(zip(grads, floats, ref_grads, strict=True)):
        assert g.dtype == a.dtype, f"gradient {i} has dtype {g.dtype}, argument {a.dtype}"
        ref = np.zeros(a.shape) if ref is None else ref.numpy()
        _assert_close(g, ref, what=f"gradient {i}")


def _rand(shape, dtype: str, rng, low=-2.0, high=2.0) -> np.ndarray:
    return rng.uniform(low, high, size=tuple(shape)).astype(np_dtype(dtype))


# --- elementwise: unary ------------------------------------------------------

# name -> (builder, torch reference, input range)
UNARY = {
    "neg": (E.neg, torch.neg, (-2, 2)),
    "abs": (E.abs, torch.abs, (-2, 2)),
    "exp": (E.exp, torch.exp, (-2, 2)),
    "log": (E.log, torch.log, (0.2, 3)),
    "log1p": (E.log1p, torch.log1p, (-0.8, 3)),
    "sqrt": (E.sqrt, torch.sqrt, (0.2, 3)),
    "rsqrt": (E.rsqrt, torch.rsqrt, (0.2, 3)),
    "tanh": (E.tanh, torch.tanh, (-2, 2)),
    "sigmoid": (E.sigmoid, torch.sigmoid, (-3, 3)),
    "erf": (E.erf, torch.erf, (-2, 2)),
    "sin": (E.sin, torch.sin, (-3, 3)),
    "cos": (E.cos, torch.cos, (-3, 3)),
}


@pytest.mark.parametrize("shape", [(), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(UNARY))
def test_unary(op, dtype, shape):
    builder, ref, (low, high) = UNARY[op]
    rng = np.random.default_rng(len(op) + len(shape))
    check_vjp(lambda x: builder(x), ref, _rand(shape, dtype, rng, low, high), key=op)


@pytest.mark.parametrize("op", ["exp", "tanh", "abs"])
def test_unary_empty(op):
    builder, ref, (low, high) = UNARY[op]
    check_vjp(lambda x: builder(x), ref, np.zeros((0, 3)), key=op)


def test_abs_at_zero():
    """d|x| at 0 is 0, as torch (sign(0))."""
    x = np.array([-1.5, 0.0, 2.0, -0.0])
    check_vjp(lambda v: E.abs(v), torch.abs, x, key="abs")


# --- elementwise: binary -----------------------------------------------------

BINARY = {
    "add": (E.add, torch.add, (-2, 2), (-2, 2)),
    "sub": (E.sub, torch.sub, (-2, 2), (-2, 2)),
    "mul": (E.mul, torch.mul, (-2, 2), (-2, 2)),
    "div": (E.div, torch.div, (-2, 2), (0.5, 2)),
    "pow": (E.pow, torch.pow, (0.3, 2), (-2, 2)),
    "maximum": (E.maximum, torch.maximum, (-2, 2), (-2, 2)),
    "minimum": (E.minimum, torch.minimum, (-2, 2), (-2, 2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(BINARY))
def test_binary(op, dtype):
    builder, ref, xr, yr = BINARY[op]
    rng = np.random.default_rng(len(op))
    x, y = _rand((2, 3), dtype, rng, *xr), _rand((2, 3), dtype, rng, *yr)
    if op == "div":  # divisors of both signs
        y = y * np.where(rng.random(y.shape) < 0.5, -1, 1).astype(y.dtype)
    check_vjp(lambda a, b: builder(a, b), ref, x, y, key=op)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_extreme_ties_split_evenly(op, dtype):
    """Where x == y each side gets half the cotangent (torch.maximum / minimum)."""
    builder, ref, _, _ = BINARY[op]
    x = np.array([[1.0, 2.0, -3.0], [0.5, 0.5, 4.0]], np_dtype(dtype))
    y = np.array([[1.0, 1.0, -3.0], [0.5, 2.0, 4.0]], np_dtype(dtype))
    check_vjp(lambda a, b: builder(a, b), ref, x, y, key=op)


def test_same_operand_twice():
    """maximum(x, x) ties everywhere: the halves add back to g; x * x gives 2 x g."""
    x = np.random.default_rng(1).standard_normal((4,))
    check_vjp(lambda v: E.maximum(v, v), lambda v: torch.maximum(v, v), x, key="max_self")
    check_vjp(lambda v: E.mul(v, v), lambda v: v * v, x, key="mul_self")


def test_pow_integer_exponent_of_negative_base():
    """x ** 2 and x ** 3 with x < 0: d/dx is y x^(y-1); d/dy is NaN there, as torch."""
    x = np.array([-1.5, -0.5, 0.7, 2.0])
    for e in (2.0, 3.0):
        check_vjp(lambda a, b: E.pow(a, b), torch.pow, x, np.full(4, e), key="pow")


def test_pow_at_zero_base():
    """torch: d/dx 0**y is 0 for y = 0, d/dy 0**y is 0 for y >= 0."""
    x = np.array([0.0, 0.0, 0.0, 1.5])
    y = np.array([0.0, 1.0, 2.5, 2.0])
    check_vjp(lambda a, b: E.pow(a, b), torch.pow, x, y, key="pow")


# --- select, cast, broadcast -------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_select(dtype):
    rng = np.random.default_rng(3)
    c = rng.random((3, 4)) < 0.5
    a, b = _rand((3, 4), dtype, rng), _rand((3, 4), dtype, rng)
    check_vjp(lambda cc, x, y: E.select(cc, x, y), torch.where, c, a, b, key="select")


@pytest.mark.parametrize("src,dst", [("f32", "f64"), ("f64", "f32")])
def test_cast(src, dst):
    x = _rand((2, 3), src, np.random.default_rng(4))
    check_vjp(lambda v: E.cast(_type(v, dtype=dst), v), lambda v: v * 1, x, key=("cast", dst))


def test_cast_round_trip():
    """f32 -> f64 -> tanh -> f32: the gradient goes back through both casts."""
    x = _rand((5,), "f32", np.random.default_rng(5))

    def fn(v):
        return E.cast(_type(v), E.tanh(E.cast(_type(v, dtype="f64"), v)))

    check_vjp(fn, torch.tanh, x, key="cast_round_trip")


BROADCASTS = [
    ((3,), (2, 3)),          # a new leading dim
    ((3, 1), (2, 3, 4)),     # new leading dim and a size-1 dim
    ((1, 1), (3, 2)),        # every dim size 1
    ((), (2, 3)),            # from rank 0
    ((2, 1, 4), (3, 2, 5, 4)),
    ((1, 3), (1, 3)),        # no change
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("src,dst", BROADCASTS, ids=str)
def test_broadcast(src, dst, dtype):
    x = _rand(src, dtype, np.random.default_rng(len(dst)))
    check_vjp(lambda v: _bcast(v, dst), lambda v: torch.broadcast_to(v, dst), x,
              key=("broadcast", dst))


def test_broadcast_binary():
    """An add with a broadcast operand: both gradients come back in their shapes."""
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 1))
    check_vjp(lambda a, b: E.mul(a, _bcast(b, (2, 3, 4))), torch.mul, x, y, key="bcast_mul")


# --- reductions --------------------------------------------------------------

def _torch_reduce(op: str, dims, keepdim: bool):
    def ref(t):
        if not dims:  # ember reduces over no dims; torch would reduce over all
            return t * 1
        if op == "prod":
            for d in sorted(dims, reverse=True):
                t = t.prod(dim=d, keepdim=keepdim)
            return t
        method = {"sum": "sum", "mean": "mean", "max": "amax", "min": "amin"}[op]
        return getattr(t, method)(dim=list(dims), keepdim=keepdim)

    return ref


REDUCTIONS = ["sum", "mean", "prod", "max", "min"]
REDUCE_DIMS = [[0], [2, 0], [0, 1, 2], []]


def _reduce_input(op: str, dtype: str, rng, shape=(2, 3, 4)) -> np.ndarray:
    if op == "prod":  # away from zero, both signs
        mag = rng.uniform(0.5, 1.5, size=shape)
        return (mag * np.where(rng.random(shape) < 0.5, -1, 1)).astype(np_dtype(dtype))
    return _rand(shape, dtype, rng)


def _check_reduce(op, x, dims, keepdim):
    builder = getattr(E, op)
    check_vjp(lambda v: builder(v, dims, keepdim=keepdim), _torch_reduce(op, dims, keepdim), x,
              key=(op, tuple(dims), keepdim))


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dims", REDUCE_DIMS, ids=str)
@pytest.mark.parametrize("op", REDUCTIONS)
def test_reduce_f64(op, dims, keepdim):
    x = _reduce_input(op, "f64", np.random.default_rng(len(dims) + 7 * keepdim))
    _check_reduce(op, x, dims, keepdim)


@pytest.mark.parametrize("dims,keepdim", [([1], False), ([0, 2], True)], ids=str)
@pytest.mark.parametrize("op", REDUCTIONS)
def test_reduce_f32(op, dims, keepdim):
    x = _reduce_input(op, "f32", np.random.default_rng(11))
    _check_reduce(op, x, dims, keepdim)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dims,keepdim", [([1], False), ([0, 2], True), ([0, 1, 2], False)],
                         ids=str)
@pytest.mark.parametrize("op", ["max", "min"])
def test_reduce_extreme_ties_share(op, dims, keepdim, dtype):
    """Values from {0, 1, 2}: most slices have several extremes, which share g
    evenly (torch.amax / amin)."""
    rng = np.random.default_rng(12)
    x = rng.integers(0, 3, size=(2, 3, 4)).astype(np_dtype(dtype))
    _check_reduce(op, x, dims, keepdim)


def test_prod_with_a_zero():
    """torch gives the product of the others where one element is 0 (not NaN)."""
    x = np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 0.5]])
    _check_reduce("prod", x, [1], False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 2)],
                         ids=str)
def test_cumsum(shape, dim, dtype):
    x = _rand(shape, dtype, np.random.default_rng(dim))
    check_vjp(lambda v: E.cumsum(v, dim), lambda t: torch.cumsum(t, dim), x,
              key=("cumsum", dim))


# --- matmul ------------------------------------------------------------------



def _check_matmul(case, dtype):
    rng = np.random.default_rng(sum(map(ord, case)))
    a_shape, b_shape = MATMUL_CASES[case]
    check_vjp(lambda a, b: E.matmul(a, b), torch.matmul, _rand(a_shape, dtype, rng),
              _rand(b_shape, dtype, rng), key="matmul")


@pytest.mark.parametrize("case", list(MATMUL_CASES))
def test_matmul_f64(case):
    _check_matmul(case, "f64")


@pytest.mark.parametrize("case", ["dot", "matvec", "vec_x_batch", "bcast_size1",
                                  "bcast_missing_lhs"])
def test_matmul_f32(case):
    _check_matmul(case, "f32")


# --- shape ops ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("src,dst", [((2, 3, 4), (6, 4)), ((24,), (2, 3, 4)), ((1, 1), ()),
                                     ((), (1, 1, 1))], ids=str)
def test_reshape(src, dst, dtype):
    x = _rand(src, dtype, np.random.default_rng(13))
    check_vjp(lambda v: E.reshape(_type(v, dst), v), lambda t: t.reshape(dst), x,
              key=("reshape", dst))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,perm", [((2, 3), [1, 0]), ((2, 3, 4), [2, 0, 1]),
                                        ((2, 3, 4), [1, 2, 0]), ((2, 3, 4), [0, 2, 1])],
                         ids=str)
def test_transpose(shape, perm, dtype):
    x = _rand(shape, dtype, np.random.default_rng(14))
    check_vjp(lambda v: E.transpose(v, perm), lambda t: t.permute(perm), x,
              key=("transpose", tuple(perm)))


SLICES = [
    ((5, 6), [0, 1], [5, 6], [2, 3]),
    ((4, 4, 3), [1, 0, 0], [4, 4, 3], [2, 1, 2]),
    ((7,), [1], [6], [2]),
    ((4, 3), [2, 0], [2, 3], [1, 1]),  # empty
]


def _slices(start, stop, step):
    return tuple(slice(a, b, c) for a, b, c in zip(start, stop, step, strict=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,start,stop,step", SLICES, ids=str)
def test_slice(shape, start, stop, step, dtype):
    x = _rand(shape, dtype, np.random.default_rng(15))
    check_vjp(lambda v: E.slice(v, start, stop, step), lambda t: t[_slices(start, stop, step)],
              x, key=("slice", tuple(start), tuple(stop), tuple(step)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,start,stop,step", SLICES[:3], ids=str)
def test_insert_slice(shape, start, stop, step, dtype):
    rng = np.random.default_rng(16)
    dest = _rand(shape, dtype, rng)
    src = _rand(dest[_slices(start, stop, step)].shape, dtype, rng)

    def ref(s, d):
        out = d.clone()
        out[_slices(start, stop, step)] = s
        return out

    check_vjp(lambda s, d: E.insert_slice(s, d, start, stop, step), ref, src, dest,
              key=("insert_slice", tuple(start), tuple(stop), tuple(step)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes,dim", [([(2, 3), (1, 3), (4, 3)], 0), ([(2, 1), (2, 3)], 1),
                                        ([(2, 0, 4), (2, 3, 4)], 1)], ids=str)
def test_concat(shapes, dim, dtype):
    rng = np.random.default_rng(17)
    xs = [_rand(s, dtype, rng) for s in shapes]
    check_vjp(lambda *vs: E.concat(list(vs), dim), lambda *ts: torch.cat(ts, dim), *xs,
              key=("concat", dim))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,low,high", [((2, 3), [1, 0], [0, 2]),
                                            ((2, 3, 4), [0, 1, 2], [1, 0, 1])], ids=str)
def test_pad(shape, low, high, dtype):
    x = _rand(shape, dtype, np.random.default_rng(18))
    torch_pad = [p for lo, hi in zip(reversed(low), reversed(high), strict=True) for p in (lo, hi)]

    def fn(v):
        elt = ir.RankedTensorType(v.type).element_type
        return E.pad(v, low, high, ir.FloatAttr.get(elt, 1.5))

    check_vjp(fn, lambda t: F.pad(t, torch_pad, value=1.5), x,
              key=("pad", tuple(low), tuple(high)))


GATHERS = [
    ((3, 4), (3, 2), 1),     # duplicates in a row add up
    ((3, 4), (2, 2), 1),     # fewer rows than the input: padded back
    ((4, 3), (6, 3), 0),
    ((2, 3, 4), (2, 2, 5), 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,index_shape,dim", GATHERS, ids=str)
def test_gather(shape, index_shape, dim, dtype):
    rng = np.random.default_rng(34)
    x = _rand(shape, dtype, rng)
    index = rng.integers(0, shape[dim], size=index_shape)
    check_vjp(lambda v, i: E.gather(v, i, dim), lambda t, i: torch.gather(t, dim, i), x, index,
              key=("gather", dim))


def test_gather_negative_index():
    """ember.gather reads index -1 as the last element; its gradient goes there
    (torch.gather on the normalized index)."""
    x = np.random.default_rng(35).standard_normal((2, 4))
    index = np.array([[-1, 0, -4], [1, -2, -1]])
    check_vjp(lambda v, i: E.gather(v, i, 1), lambda t, i: torch.gather(t, 1, i % 4), x, index,
              key=("gather", 1))


# --- composites: finite differences -------------------------------------------

def _layernorm(x, w, b):
    """(x - mean) / sqrt(var + 1e-5) * w + b over the last dim, from primitives."""
    shape = _shape(x)
    mean = _bcast(E.mean(x, [1], keepdim=True), shape)
    d = E.sub(x, mean)
    var = E.mean(E.mul(d, d), [1], keepdim=True)
    inv = E.rsqrt(E.add(var, _full(var, 1e-5)))
    y = E.mul(d, _bcast(inv, shape))
    return E.add(E.mul(y, _bcast(w, shape)), _bcast(b, shape))


def _softmax(x):
    shape = _shape(x)
    e = E.exp(E.sub(x, _bcast(E.max(x, [1], keepdim=True), shape)))
    return E.div(e, _bcast(E.sum(e, [1], keepdim=True), shape))


def _mixer(x, w):
    """Shape ops, a scan and smooth math around a matmul."""
    h = E.sigmoid(E.matmul(x, w))                                # (3, 4)
    h = E.concat([E.sin(h), E.div(E.erf(h), E.add(_full(h, 1.0), E.mul(h, h)))], 0)  # (6, 4)
    h = E.cumsum(E.transpose(h, [1, 0]), 1)                     # (4, 6)
    h = E.pad(E.slice(h, [0, 1], [4, 6], [1, 2]), [1, 0], [0, 1],
              ir.FloatAttr.get(ir.RankedTensorType(h.type).element_type, 0.0))  # (5, 4)
    return E.log1p(E.mul(h, h)), E.prod(E.add(h, _full(h, 2.0)), [0])


COMPOSITES = {
    "layernorm": (_layernorm, [(3, 5), (5,), (5,)]),
    "softmax": (_softmax, [(3, 4)]),
    "mixer": (_mixer, [(3, 2), (2, 4)]),
}


@pytest.mark.parametrize("name", list(COMPOSITES))
def test_composite_finite_differences(name):
    """Every gradient entry against a float64 central difference of
    <cotangent, f(x)>, evaluated with the forward results of @main_grad."""
    fn, shapes = COMPOSITES[name]
    rng = np.random.default_rng(19)
    xs = [rng.standard_normal(s) for s in shapes]
    f = _vjp(fn, xs, ("composite", name))
    n_results = len(f.signature.inputs) - len(xs)
    cots = [rng.standard_normal(s) for s, _ in f.signature.inputs[len(xs):]]
    grads = _as_tuple(f(*xs, *cots))[n_results:]

    def objective(*args) -> float:
        outs = _as_tuple(f(*[a.copy() for a in args], *[c.copy() for c in cots]))[:n_results]
        return sum(float(np.sum(o * c)) for o, c in zip(outs, cots, strict=True))

    eps = 1e-6
    for i, x in enumerate(xs):
        fd = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            plus, minus = x.copy(), x.copy()
            plus[j] += eps
            minus[j] -= eps
            args_p = xs[:i] + [plus] + xs[i + 1:]
            args_m = xs[:i] + [minus] + xs[i + 1:]
            fd[j] = (objective(*args_p) - objective(*args_m)) / (2 * eps)
        _assert_close(grads[i], fd, scale_tol=1e-6, what=f"{name}: gradient {i}")


# --- second derivatives ------------------------------------------------------

def _second_order(fn, arrays, key) -> compiler.CompiledFunction:
    """@main_grad_g2: ember-autodiff applied twice."""
    full_key = ("g2", key, tuple((a.shape, a.dtype) for a in arrays))
    if full_key not in _cache:
        module = compiler.build(fn, *[(a.shape, _ember_dtype(a.dtype)) for a in arrays])
        twice = compiler.run_pipeline(module, "ember-autodiff,ember-autodiff{suffix=_g2}")
        _cache[full_key] = compiler.compile(twice, entry="main_grad_g2")
    return _cache[full_key]


def _check_double_backward(fn, torch_fn, arrays, key):
    """For scalar f: @main_grad_g2(args, ct, ct_f, v...) gives the gradient of
    ct_f * f + <ct * grad f, v>, i.e. ct_f * grad f + ct * H v per argument, and
    <grad f, v> for ct; compared with torch double backward (create_graph)."""
    f = _second_order(fn, arrays, key)
    floats = [a for a in arrays if _is_float(a)]
    rng = np.random.default_rng(20)
    ct, ct_f = np.array(rng.standard_normal()), np.array(rng.standard_normal())
    vs = [rng.standard_normal(a.shape) for a in floats]
    out = f(*arrays, ct, ct_f, *vs)
    n = len(floats)
    value, grads, second, d_ct = out[0], out[1:1 + n], out[1 + n:1 + 2 * n], out[1 + 2 * n]
    assert len(out) == 2 + 2 * n

    tensors = _torch_inputs(arrays)
    leaves = [t for t in tensors if t.requires_grad]
    ct_t = torch.tensor(float(ct), dtype=torch.float64, requires_grad=True)
    y = torch_fn(*tensors)
    g = torch.autograd.grad(y, leaves, ct_t, create_graph=True)
    objective = float(ct_f) * y + sum((gi * torch.from_numpy(v)).sum()
                                      for gi, v in zip(g, vs, strict=True))
    refs = torch.autograd.grad(objective, leaves + [ct_t])
    _assert_close(value, y.detach().numpy(), what="value")
    for i in range(n):
        _assert_close(grads[i], g[i].detach().numpy(), what=f"gradient {i}")
        _assert_close(second[i], refs[i].numpy(), scale_tol=1e-9, what=f"second order {i}")
    _assert_close(d_ct, refs[n].numpy(), scale_tol=1e-9, what="d/d cotangent")


def test_hvp_tanh_matmul():
    rng = np.random.default_rng(21)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))

    def fn(a, b):
        return E.sum(E.tanh(E.matmul(a, b)), [0, 1])

    _check_double_backward(fn, lambda a, b: torch.tanh(a @ b).sum(), [x, w], "tanh_matmul")


def _cross_entropy(x, w, labels):
    """mean over rows of logsumexp(z) - z[label], z = x @ w; the one-hot comes
    from the i64 labels with iota / eq / cast."""
    z = E.matmul(x, w)
    n, c = _shape(z)
    m = E.max(z, [1], keepdim=True)
    lse = E.add(E.log(E.sum(E.exp(E.sub(z, _bcast(m, (n, c)))), [1], keepdim=True)), m)
    classes = E.iota(_type(labels, (n, c)), 1)
    hit = E.eq(classes, E.broadcast(_type(labels, (n, c)), E.reshape(_type(labels, (n, 1)),
                                                                      labels)))
    onehot = E.cast(_type(z), hit)
    picked = E.sum(E.mul(onehot, z), [1], keepdim=True)
    return E.mean(E.sub(lse, picked), [0, 1])


def test_hvp_softmax_cross_entropy():
    """The integer labels get no gradient at either order."""
    rng = np.random.default_rng(22)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    labels = np.array([0, 4, 2, 4], np.int64)
    _check_double_backward(_cross_entropy, lambda a, b, lab: F.cross_entropy(a @ b, lab),
                           [x, w, labels], "cross_entropy")


def _zoo(x, y):
    """Every smooth elementwise rule, second order: a scalar from x, y > 0."""
    one = _full(x, 1.0)
    x2 = E.add(E.mul(x, x), one)
    y2 = E.add(E.mul(y, y), one)
    terms = [
        E.pow(E.sqrt(x2), y),
        E.mul(E.exp(E.neg(x)), E.cos(y)),
        E.mul(E.sigmoid(x), E.erf(y)),
        E.neg(E.mul(E.rsqrt(x2), E.log(y2))),
        E.mul(E.abs(x), E.sin(y)),
        E.mul(E.maximum(x, y), E.minimum(x, y)),
        E.div(E.tanh(x), y2),
        E.log1p(E.mul(x, y)),
    ]
    total = terms[0]
    for t in terms[1:]:
        total = E.add(total, t)
    return E.mean(total, [0, 1])


def _torch_zoo(x, y):
    x2, y2 = x * x + 1, y * y + 1
    total = (torch.sqrt(x2) ** y + torch.exp(-x) * torch.cos(y) + torch.sigmoid(x) * torch.erf(y)
             - torch.rsqrt(x2) * torch.log(y2) + torch.abs(x) * torch.sin(y)
             + torch.maximum(x, y) * torch.minimum(x, y) + torch.tanh(x) / y2
             + torch.log1p(x * y))
    return total.mean()


def test_hvp_elementwise_zoo():
    rng = np.random.default_rng(30)
    x, y = rng.uniform(0.2, 2, (2, 3)), rng.uniform(0.2, 2, (2, 3))
    _check_double_backward(_zoo, _torch_zoo, [x, y], "zoo")


def test_hvp_layernorm():
    rng = np.random.default_rng(31)
    x, w, b = rng.standard_normal((3, 5)), rng.standard_normal((5,)), rng.standard_normal((5,))

    def fn(*args):
        return E.sum(E.tanh(_layernorm(*args)), [0, 1])

    def ref(a, ww, bb):
        return torch.tanh(F.layer_norm(a, (5,), ww, bb, eps=1e-5)).sum()

    _check_double_backward(fn, ref, [x, w, b], "layernorm")


def test_hvp_shape_ops_and_scans():
    """Second order through concat, transpose, cumsum, slice, pad and prod."""
    rng = np.random.default_rng(32)
    x, w = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))

    def fn(a, b):
        p, q = _mixer(a, b)
        return E.add(E.sum(p, [0, 1]), E.sum(q, [0]))

    def ref(a, b):
        h = torch.sigmoid(a @ b)
        h = torch.cat([torch.sin(h), torch.erf(h) / (1 + h * h)], 0)
        h = torch.cumsum(h.T, 1)
        h = F.pad(h[0:4, 1:6:2], (0, 1, 1, 0), value=0.0)
        return torch.log1p(h * h).sum() + (h + 2).prod(0).sum()

    _check_double_backward(fn, ref, [x, w], "mixer")


def test_cross_entropy_first_order_f32():
    rng = np.random.default_rng(23)
    x, w = _rand((4, 3), "f32", rng), _rand((3, 5), "f32", rng)
    labels = np.array([1, 0, 3, 3], np.int64)
    check_vjp(_cross_entropy, lambda a, b, lab: F.cross_entropy(a @ b, lab), x, w, labels,
              key="cross_entropy")


# --- the pass's bookkeeping ---------------------------------------------------

def test_fan_out_accumulates():
    """x used three times: x * x + exp(x), gradient (2 x + exp x) g."""
    x = np.random.default_rng(24).standard_normal((2, 3))
    check_vjp(lambda v: E.add(E.mul(v, v), E.exp(v)), lambda t: t * t + torch.exp(t), x,
              key="fan_out")


def test_piecewise_constant_ops_pass_zero():
    """floor and sign have zero derivative (as torch): x * floor(x) + sign(x)
    gives floor(x) g."""
    x = np.random.default_rng(33).uniform(-3, 3, (2, 4))
    check_vjp(lambda v: E.add(E.mul(v, E.floor(v)), E.sign(v)),
              lambda t: t * torch.floor(t) + torch.sign(t), x, key="floor_sign")


def test_several_results():
    """Two results and the input itself returned: their cotangents add up."""
    x = np.random.default_rng(25).standard_normal((3,))
    check_vjp(lambda v: (E.sin(v), E.exp(v), v), lambda t: (torch.sin(t), torch.exp(t), t * 1),
              x, key="several_results")


def test_unused_argument_gets_zeros():
    rng = np.random.default_rng(26)
    x, y = rng.standard_normal((3,)), rng.standard_normal((2, 2)).astype(np.float32)
    f = _vjp(lambda a, b: E.exp(a), [x, y], "unused")
    out, dx, dy = f(x, y, np.ones(3))
    _assert_close(dx, np.exp(x))
    assert dy.shape == (2, 2) and dy.dtype == np.float32
    np.testing.assert_array_equal(dy, np.zeros((2, 2), np.float32))


def test_integer_argument_gets_no_gradient():
    """f(x, i) = x * i: the signature has one gradient, for x."""
    rng = np.random.default_rng(27)
    x, i = rng.standard_normal((4,)), np.array([1, -2, 3, 0], np.int32)
    f = _vjp(lambda a, b: E.mul(a, E.cast(_type(a), b)), [x, i], "int_arg")
    assert [d for _, d in f.signature.inputs] == [np.float64, np.int32, np.float64]
    assert [d for _, d in f.signature.results] == [np.float64, np.float64]
    g = rng.standard_normal(4)
    y, dx = f(x, i, g)
    _assert_close(y, x * i)
    _assert_close(dx, g * i)


def test_integer_result_cotangent_is_ignored():
    """An i64 result (argmax) takes a cotangent argument that changes nothing."""
    x = np.random.default_rng(28).standard_normal((3, 4))
    f = _vjp(lambda v: (E.tanh(v), E.argmax(v, 1)), [x], "int_result")
    g = np.ones((3, 4))
    a = f(x, g, np.zeros(3, np.int64))
    b = f(x, g, np.full(3, 7, np.int64))
    np.testing.assert_array_equal(a[1], np.argmax(x, 1))
    np.testing.assert_array_equal(a[2], b[2])
    _assert_close(a[2], 1 - np.tanh(x) ** 2)


def test_vjp_leaves_its_arguments_unchanged():
    """The insert_slice rule inserts zeros into the cotangent; the caller's
    cotangent array must not change (nor the inputs)."""
    rng = np.random.default_rng(29)
    src, dest = rng.standard_normal((3,)), rng.standard_normal((7,))
    g = rng.standard_normal((7,))
    f = _vjp(lambda s, d: E.insert_slice(s, d, [1], [6], [2]), [src, dest], "insert_slice_args")
    args = [src.copy(), dest.copy(), g.copy()]
    out, d_src, d_dest = f(*args)
    for before, after in zip([src, dest, g], args, strict=True):
        np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(d_src, g[1:6:2])
    np.testing.assert_array_equal(d_dest, np.where(np.arange(7) % 2 == 1, 0.0, g))
