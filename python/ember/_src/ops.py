"""Tensor ops: argument checks, type promotion, broadcasting, then one node each.

Composite ops are written from primitives in a few lines; the methods and
operators of ``Tensor`` are bound at the end of this file.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from collections.abc import Sequence

import numpy as np

from ember._src import dtypes
from ember._src.dtypes import bool_, int64, promote_types, result_type
from ember._src.errors import EmberError, op_error
from ember._src.tensor import Tensor, View, _norm_dim, _record_node
from ember.runtime import Node

Number = (builtins.int, builtins.float, builtins.bool)
values_indices = namedtuple("values_indices", ["values", "indices"])


def _numel(shape) -> int:
    return math.prod(shape)


# -- recording -----------------------------------------------------------------


def _record(op: str, attrs: tuple, inputs: Sequence[Tensor], shape, dt) -> Tensor:
    return Tensor._wrap(_record_node(op, attrs, tuple(t._node for t in inputs), shape, dt))


def _scalar_tensor(value, dt: dtypes.dtype) -> Tensor:
    """A Python number as a 0-d input buffer: its value is data, not structure."""
    return Tensor._wrap(Node.from_array(np.array(value, dtype=dt.np), dt))


def _const(value, shape, dt: dtypes.dtype) -> Tensor:
    """A library constant (part of the structure, e.g. 0.5 in gelu)."""
    return _record("full", (_attr_value(value, dt),), (), tuple(shape), dt)


def _attr_value(value, dt):
    if dt.is_floating_point:
        return float(value)
    if dt is bool_:
        return int(bool(value))
    return int(value)


def _check_tensor(x, op: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise op_error(op, f"{name} must be an ember.Tensor, got {type(x).__name__}", TypeError)
    return x


def cast(x: Tensor, dt: dtypes.dtype) -> Tensor:
    if x.dtype is dt:
        return x
    return _record("cast", (), (x,), x.shape, dt)


def broadcast_shapes(*shapes, op: str = "broadcast") -> tuple[int, ...]:
    rank = builtins.max((len(s) for s in shapes), default=0)
    out = [1] * rank
    for s in shapes:
        for i, d in enumerate(s):
            j = rank - len(s) + i
            if d == out[j] or d == 1:
                continue
            if out[j] == 1:
                out[j] = d
                continue
            listed = " and ".join(str(tuple(x)) for x in shapes)
            raise op_error(op, f"shapes {listed} cannot broadcast: size {d} vs {out[j]} at "
                               f"dimension {j - rank}")
    return tuple(out)


def _expand(x: Tensor, shape) -> Tensor:
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    return _record("broadcast", (), (x,), shape, x.dtype)


def _fast_dtype(args) -> dtypes.dtype | None:
    """The result dtype when it is plainly the first tensor's (the common case)."""
    first = args[0]
    if not isinstance(first, Tensor):
        return None
    dt = first._node.dtype
    for a in args[1:]:
        if isinstance(a, Tensor):
            if a._node.dtype is not dt:
                return None
        elif isinstance(a, builtins.bool) or (isinstance(a, builtins.float)
                                                and not dt.is_floating_point):
            return None
        elif not isinstance(a, (builtins.int, builtins.float)) or dt is bool_:
            return None
    return dt


def _operands(op: str, *args, dt=None):
    """Tensors and scalars promoted to one dtype (``dt`` or PyTorch's result type),
    and the shape they broadcast to. Elementwise nodes broadcast their inputs
    implicitly; ``runtime/emit.py`` makes it explicit with ``ember.broadcast``."""
    if dt is None:
        dt = _fast_dtype(args) or result_type(*args)
    ts = [a if isinstance(a, Tensor) else _scalar_tensor(_check_scalar(a, op), dt) for a in args]
    shapes = [t._node.shape for t in ts]
    shape = shapes[0] if all_same(shapes) else broadcast_shapes(*shapes, op=op)
    return [cast(t, dt) for t in ts], shape, dt


def all_same(items) -> bool:
    first = items[0]
    return builtins.all(i == first for i in items[1:])


def _check_scalar(a, op):
    if isinstance(a, Number):
        return a
    if isinstance(a, np.generic):
        return a.item()
    raise op_error(op, f"expected a tensor or a number, got {type(a).__name__}", TypeError)


# -- elementwise -----------------------------------------------------------------


def _binary(op: str, a, b, *, dt=None, out_dt=None) -> Tensor:
    (x, y), shape, dt = _operands(op, a, b, dt=dt)
    return _record(op, (), (x, y), shape, out_dt or dt)


def _require(op: str, x: Tensor, *, floating=False, numeric=False):
    if floating and not x.dtype.is_floating_point:
        raise op_error(op, f"expected a floating-point tensor, got {x.dtype!r}", TypeError)
    if numeric and x.dtype is bool_:
        raise op_error(op, "expected a numeric tensor, got ember.bool", TypeError)


def add(a, b, *, alpha=1) -> Tensor:
    if alpha != 1:
        b = mul(b, alpha)
    dt = _dtype_of(a, b)
    if dt is bool_:
        return logical_or(a, b)
    return _binary("add", a, b, dt=dt)


def sub(a, b, *, alpha=1) -> Tensor:
    dt = _dtype_of(a, b)
    if dt is bool_:
        raise op_error("sub", "subtraction of two bool tensors is not supported; use "
                              "logical_xor or ~", TypeError)
    if alpha != 1:
        b = mul(b, alpha)
        dt = None
    return _binary("sub", a, b, dt=dt)


def mul(a, b) -> Tensor:
    dt = _dtype_of(a, b)
    if dt is bool_:
        return logical_and(a, b)
    return _binary("mul", a, b, dt=dt)


def _dtype_of(*args) -> dtypes.dtype:
    return _fast_dtype(args) or result_type(*args)


def _float_type(*args) -> dtypes.dtype:
    dt = result_type(*args)
    return dt if dt.is_floating_point else dtypes.get_default_dtype()


def div(a, b, *, rounding_mode=None) -> Tensor:
    if rounding_mode is None:
        return _binary("div", a, b, dt=_float_type(a, b))
    if rounding_mode == "trunc":
        dt = result_type(a, b)
        if dt.is_floating_point:
            return trunc(_binary("div", a, b, dt=dt))
        return _binary("div", a, b, dt=int64 if dt is bool_ else dt)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    raise op_error("div", f"rounding_mode must be None, 'trunc' or 'floor', got "
                          f"{rounding_mode!r}", ValueError)


true_divide = div


def floor_divide(a, b) -> Tensor:
    dt = result_type(a, b)
    if dt.is_floating_point:
        return floor(_binary("div", a, b, dt=dt))
    (x, y), _, dt = _operands("floor_divide", a, b, dt=int64 if dt is bool_ else dt)
    q = _binary("div", x, y)
    # Truncation rounds toward zero; step down where the signs differ and it was inexact.
    inexact = ne(mul(q, y), x)
    signs_differ = ne(lt(x, 0), lt(y, 0))
    return where(logical_and(inexact, signs_differ), sub(q, 1), q)


def remainder(a, b) -> Tensor:
    """Python's modulo: the result has the divisor's sign."""
    (x, y), _, _ = _operands("remainder", a, b)
    return sub(x, mul(floor_divide(x, y), y))


def fmod(a, b) -> Tensor:
    """C's fmod: the result has the dividend's sign."""
    (x, y), _, _ = _operands("fmod", a, b)
    return sub(x, mul(div(x, y, rounding_mode="trunc"), y))


def pow(a, b) -> Tensor:  # noqa: A001
    return _binary("pow", a, b)


def maximum(a, b) -> Tensor:
    return _binary("maximum", a, b)


def minimum(a, b) -> Tensor:
    return _binary("minimum", a, b)


def _unary(op: str, x, *, floating=False, numeric=False) -> Tensor:
    x = _check_tensor(x, op)
    if floating and not x.dtype.is_floating_point:
        x = cast(x, dtypes.get_default_dtype())
    if numeric:
        _require(op, x, numeric=True)
    return _record(op, (), (x,), x.shape, x.dtype)


def neg(x) -> Tensor:
    if _check_tensor(x, "neg").dtype is bool_:
        raise op_error("neg", "negation of a bool tensor is not supported; use ~ or "
                              "logical_not", TypeError)
    return _unary("neg", x, numeric=True)


def abs(x) -> Tensor:  # noqa: A001
    x = _check_tensor(x, "abs")
    return x if x.dtype is bool_ else _unary("abs", x)


def sign(x) -> Tensor:
    x = _check_tensor(x, "sign")
    return x if x.dtype is bool_ else _unary("sign", x)


def _float_unary(op):
    def fn(x) -> Tensor:
        return _unary(op, x, floating=True)

    fn.__name__ = op
    fn.__doc__ = f"Elementwise ``{op}``; integer inputs compute in the default float dtype."
    return fn


exp = _float_unary("exp")
log = _float_unary("log")
log1p = _float_unary("log1p")
sqrt = _float_unary("sqrt")
rsqrt = _float_unary("rsqrt")
tanh = _float_unary("tanh")
sigmoid = _float_unary("sigmoid")
erf = _float_unary("erf")
sin = _float_unary("sin")
cos = _float_unary("cos")


def floor(x) -> Tensor:
    x = _check_tensor(x, "floor")
    return _unary("floor", x) if x.dtype.is_floating_point else x


def ceil(x) -> Tensor:
    x = _check_tensor(x, "ceil")
    return neg(floor(neg(x))) if x.dtype.is_floating_point else x


def trunc(x) -> Tensor:
    x = _check_tensor(x, "trunc")
    if not x.dtype.is_floating_point:
        return x
    return where(lt(x, 0), ceil(x), floor(x))


def exp2(x) -> Tensor:
    return exp(mul(x, math.log(2.0)))


def log2(x) -> Tensor:
    return div(log(x), math.log(2.0))


def log10(x) -> Tensor:
    return div(log(x), math.log(10.0))


def reciprocal(x) -> Tensor:
    return div(1.0, x)


def square(x) -> Tensor:
    return mul(x, x)


def relu(x) -> Tensor:
    x = _check_tensor(x, "relu")
    return maximum(x, _const(0, (), x.dtype))


def clamp(x, min=None, max=None) -> Tensor:  # noqa: A002
    x = _check_tensor(x, "clamp")
    if min is None and max is None:
        raise op_error("clamp", "at least one of min and max must be given", ValueError)
    if min is not None:
        x = maximum(x, min)
    if max is not None:
        x = minimum(x, max)
    return x


clip = clamp


def clamp_min(x, min) -> Tensor:  # noqa: A002
    return clamp(x, min=min)


def clamp_max(x, max) -> Tensor:  # noqa: A002
    return clamp(x, max=max)


def _compare(op):
    def fn(a, b) -> Tensor:
        return _binary(op, a, b, out_dt=bool_)

    fn.__name__ = op
    return fn


eq = _compare("eq")
ne = _compare("ne")
lt = _compare("lt")
le = _compare("le")
gt = _compare("gt")
ge = _compare("ge")


def _logical(op):
    def fn(a, b) -> Tensor:
        return _binary(op, a, b, dt=bool_)

    fn.__name__ = op
    return fn


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")


def logical_not(x) -> Tensor:
    return _record("logical_not", (), (cast(_check_tensor(x, "logical_not"), bool_),),
                   x.shape, bool_)


def logical_xor(a, b) -> Tensor:
    return _binary("ne", a, b, dt=bool_, out_dt=bool_)


def isnan(x) -> Tensor:
    x = _check_tensor(x, "isnan")
    if not x.dtype.is_floating_point:
        return zeros_like(x, dtype=bool_)
    return ne(x, x)


def isinf(x) -> Tensor:
    x = _check_tensor(x, "isinf")
    if not x.dtype.is_floating_point:
        return zeros_like(x, dtype=bool_)
    return eq(abs(x), math.inf)


def isfinite(x) -> Tensor:
    return logical_not(logical_or(isnan(x), isinf(x)))


def where(condition, input, other) -> Tensor:  # noqa: A002
    c = _check_tensor(condition, "where", "condition")
    if c.dtype is not bool_:
        raise op_error("where", f"condition must be a bool tensor, got {c.dtype!r}", TypeError)
    dt = result_type(input, other)
    (x, y), shape, dt = _operands("where", input, other, dt=dt)
    shape = broadcast_shapes(c.shape, shape, op="where")
    return _record("select", (), (c, x, y), shape, dt)


def masked_fill(x, mask, value) -> Tensor:
    x = _check_tensor(x, "masked_fill")
    shape = broadcast_shapes(x.shape, mask.shape, op="masked_fill")
    if shape != tuple(x.shape):
        raise op_error("masked_fill", f"mask of shape {tuple(mask.shape)} does not broadcast "
                                      f"to the input's shape {tuple(x.shape)}")
    if isinstance(value, Tensor):
        value = cast(value, x.dtype)
    else:
        value = _scalar_tensor(value, x.dtype)
    return where(mask, value, x)


def lerp(start, end, weight) -> Tensor:
    return add(start, mul(weight, sub(end, start)))


# -- reductions --------------------------------------------------------------------


def _dims(x: Tensor, dim, op: str) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(x.ndim))
    if isinstance(dim, builtins.int):
        dim = (dim,)
    dims = tuple(_norm_dim(d, x.ndim, op) for d in dim)
    if x.ndim == 0:
        return ()
    if len(set(dims)) != len(dims):
        raise op_error(op, f"dimension list {tuple(dim)} repeats a dimension")
    return tuple(sorted(dims))


def _reduced_shape(x: Tensor, dims, keepdim: bool):
    return tuple(1 if i in dims else s for i, s in enumerate(x.shape)
                 if keepdim or i not in dims)


def _reduce(op: str, x: Tensor, dim, keepdim: bool, dt=None) -> Tensor:
    x = _check_tensor(x, op)
    if dt is not None:
        x = cast(x, dt)
    dims = _dims(x, dim, op)
    return _record(op, (dims, builtins.bool(keepdim)), (x,), _reduced_shape(x, dims, keepdim),
                   x.dtype)


def sum(x, dim=None, keepdim=False, *, dtype=None) -> Tensor:  # noqa: A001
    x = _check_tensor(x, "sum")
    if dtype is None and not x.dtype.is_floating_point:
        dtype = int64
    return _reduce("sum", x, dim, keepdim, dtypes.as_dtype(dtype) if dtype else None)


def mean(x, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    x = _check_tensor(x, "mean")
    dt = dtypes.as_dtype(dtype) if dtype else x.dtype
    if not dt.is_floating_point:
        raise op_error("mean", f"mean needs a floating-point input or dtype, got {dt!r}; "
                               "pass dtype=ember.float32", TypeError)
    return _reduce("mean", x, dim, keepdim, dt)


def prod(x, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    x = _check_tensor(x, "prod")
    if dtype is None and not x.dtype.is_floating_point:
        dtype = int64
    return _reduce("prod", x, dim, keepdim, dtypes.as_dtype(dtype) if dtype else None)


def _extreme(op: str, x: Tensor, dim, keepdim: bool) -> Tensor:
    x = _check_tensor(x, op)
    if x.numel() == 0:
        raise op_error(op, "cannot take the extreme of an empty tensor (no identity)",
                       IndexError)
    if x.dtype is bool_:
        return cast(_reduce(op, cast(x, dtypes.int8), dim, keepdim), bool_)
    return _reduce(op, x, dim, keepdim)


def amax(x, dim=None, keepdim=False) -> Tensor:
    return _extreme("max", x, dim, keepdim)


def amin(x, dim=None, keepdim=False) -> Tensor:
    return _extreme("min", x, dim, keepdim)


def _arg(op: str, x: Tensor, dim, keepdim: bool) -> Tensor:
    x = _check_tensor(x, op)
    if x.numel() == 0:
        raise op_error(op, "cannot take the index of the extreme of an empty tensor",
                       IndexError)
    if x.dtype is bool_:
        x = cast(x, dtypes.int8)
    if dim is None:
        flat = reshape(x, (-1,))
        out = _record(op, (0, False), (flat,), (), int64)
        return reshape(out, (1,) * x.ndim) if keepdim else out
    if x.ndim == 0:
        return zeros((), dtype=int64)
    d = _norm_dim(dim, x.ndim, op)
    return _record(op, (d, builtins.bool(keepdim)), (x,), _reduced_shape(x, (d,), keepdim),
                   int64)


def argmax(x, dim=None, keepdim=False) -> Tensor:
    return _arg("argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim=False) -> Tensor:
    return _arg("argmin", x, dim, keepdim)


def max(x, dim=None, keepdim=False):  # noqa: A001
    """``max(x)`` -> the maximum; ``max(x, dim)`` -> ``(values, indices)``;
    ``max(x, y)`` -> ``maximum(x, y)``."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    if dim is None:
        return amax(x)
    return values_indices(amax(x, dim, keepdim), argmax(x, dim, keepdim))


def min(x, dim=None, keepdim=False):  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return amin(x)
    return values_indices(amin(x, dim, keepdim), argmin(x, dim, keepdim))


def all(x, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    x = cast(_check_tensor(x, "all"), bool_)
    return cast(_reduce("min", cast(x, dtypes.int8), dim, keepdim), bool_) if x.numel() else \
        _const(1, _reduced_shape(x, _dims(x, dim, "all"), keepdim), bool_)


def any(x, dim=None, keepdim=False) -> Tensor:  # noqa: A001
    x = cast(_check_tensor(x, "any"), bool_)
    return cast(_reduce("max", cast(x, dtypes.int8), dim, keepdim), bool_) if x.numel() else \
        _const(0, _reduced_shape(x, _dims(x, dim, "any"), keepdim), bool_)


def var(x, dim=None, *, correction=1, keepdim=False, unbiased=None) -> Tensor:
    x = _check_tensor(x, "var")
    _require("var", x, floating=True)
    if unbiased is not None:
        correction = 1 if unbiased else 0
    dims = _dims(x, dim, "var")
    n = 1
    for d in dims:
        n *= x.shape[d]
    centered = sub(x, mean(x, dims, keepdim=True))
    total = sum(mul(centered, centered), dims, keepdim)
    return div(total, builtins.max(n - correction, 0))


def std(x, dim=None, *, correction=1, keepdim=False, unbiased=None) -> Tensor:
    return sqrt(var(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased))


def logsumexp(x, dim, keepdim=False) -> Tensor:
    x = _check_tensor(x, "logsumexp")
    if not x.dtype.is_floating_point:
        x = cast(x, dtypes.get_default_dtype())
    m = amax(x, dim, keepdim=True)
    m = where(isinf(m), zeros_like(m), m)  # all -inf rows stay -inf, not NaN
    out = add(log(sum(exp(sub(x, m)), dim, keepdim=True)), m)
    return out if keepdim else squeeze(out, _dims(x, dim, "logsumexp"))


def softmax(x, dim, dtype=None) -> Tensor:
    x = _check_tensor(x, "softmax")
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    elif not x.dtype.is_floating_point:
        x = cast(x, dtypes.get_default_dtype())
    e = exp(sub(x, amax(x, dim, keepdim=True)))
    return div(e, sum(e, dim, keepdim=True))


def log_softmax(x, dim, dtype=None) -> Tensor:
    x = _check_tensor(x, "log_softmax")
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    elif not x.dtype.is_floating_point:
        x = cast(x, dtypes.get_default_dtype())
    shifted = sub(x, amax(x, dim, keepdim=True))
    return sub(shifted, log(sum(exp(shifted), dim, keepdim=True)))


def cumsum(x, dim, *, dtype=None) -> Tensor:
    """Cumulative sum along ``dim``; integer and bool inputs sum in int64 (as PyTorch)."""
    x = _check_tensor(x, "cumsum")
    if dtype is not None:
        x = cast(x, dtypes.as_dtype(dtype))
    elif not x.dtype.is_floating_point:
        x = cast(x, int64)
    if x.ndim == 0:
        _norm_dim(dim, 0, "cumsum")
        return x
    d = _norm_dim(dim, x.ndim, "cumsum")
    return _record("cumsum", (d,), (x,), x.shape, x.dtype)


def sort(x, dim=-1, descending=False, stable=True):
    """``(values, indices)`` sorted along ``dim``; stable; NaN sorts as the largest.
    (Lowered in O(n^2) per row: fine for the row lengths of argsort / top-k.)"""
    x = _check_tensor(x, "sort")
    if x.ndim == 0:
        _norm_dim(dim, 0, "sort")
        return values_indices(x, zeros((), dtype=int64))
    d = _norm_dim(dim, x.ndim, "sort")
    src = cast(x, dtypes.int8) if x.dtype is bool_ else x
    attrs = (d, builtins.bool(descending))
    values = _record("sort_values", attrs, (src,), src.shape, src.dtype)
    indices = _record("sort_indices", attrs, (src,), src.shape, int64)
    return values_indices(cast(values, x.dtype), indices)


def argsort(x, dim=-1, descending=False, stable=True) -> Tensor:
    return sort(x, dim, descending).indices


def topk(x, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    x = _check_tensor(x, "topk")
    d = _norm_dim(dim, x.ndim, "topk")
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise op_error("topk", f"k ({k}) is out of range for dimension {d} of size {n}")
    values, indices = sort(x, d, descending=largest)
    if x.ndim == 0:
        return values_indices(values, indices)
    return values_indices(narrow(values, d, 0, k).contiguous(),
                          narrow(indices, d, 0, k).contiguous())


# -- linear algebra ----------------------------------------------------------------


def matmul(a, b) -> Tensor:
    a, b = _check_tensor(a, "matmul"), _check_tensor(b, "matmul", "other")
    if a.ndim == 0 or b.ndim == 0:
        raise op_error("matmul", f"both arguments need at least 1 dimension, got shapes "
                                 f"{tuple(a.shape)} and {tuple(b.shape)}")
    dt = promote_types(a.dtype, b.dtype)
    if dt is bool_:
        raise op_error("matmul", "bool tensors are not supported", TypeError)
    a, b = cast(a, dt), cast(b, dt)
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise op_error("matmul", f"shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                                 f"multiplied ({k_a} != {k_b})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2], op="matmul")
    shape = batch + ((a.shape[-2],) if a.ndim >= 2 else ()) + \
        ((b.shape[-1],) if b.ndim >= 2 else ())
    return _record("matmul", (), (a, b), shape, dt)


def mm(a, b) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise op_error("mm", f"expected 2-D tensors, got shapes {tuple(a.shape)} and "
                             f"{tuple(b.shape)}")
    return matmul(a, b)


def bmm(a, b) -> Tensor:
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise op_error("bmm", f"expected 3-D tensors with one batch size, got shapes "
                              f"{tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def dot(a, b) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise op_error("dot", f"expected 1-D tensors, got shapes {tuple(a.shape)} and "
                              f"{tuple(b.shape)}")
    return matmul(a, b)


# -- shape ops -----------------------------------------------------------------------


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _infer_shape(x: Tensor, shape, op: str) -> tuple[int, ...]:
    shape = tuple(builtins.int(s) for s in shape)
    n = x.numel()
    if shape.count(-1) > 1:
        raise op_error(op, f"only one dimension can be -1, got {shape}")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or n % known:
            raise op_error(op, f"shape {shape} is invalid for input of size {n}")
        shape = tuple(n // known if s == -1 else s for s in shape)
    if builtins.any(s < 0 for s in shape) or _numel(shape) != n:
        raise op_error(op, f"shape {shape} is invalid for input of size {n}")
    return shape


def reshape(x, *shape) -> Tensor:
    x = _check_tensor(x, "reshape")
    shape = _infer_shape(x, _shape_arg(shape), "reshape")
    return x._make_view(View("reshape", (tuple(x.shape), shape)))


view = reshape


def flatten(x, start_dim=0, end_dim=-1) -> Tensor:
    x = _check_tensor(x, "flatten")
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = _norm_dim(start_dim, x.ndim, "flatten"), _norm_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise op_error("flatten", f"start_dim {start_dim} comes after end_dim {end_dim}")
    shape = tuple(x.shape)
    return reshape(x, shape[:s] + (_numel(shape[s:e + 1]),) + shape[e + 1:])


def unsqueeze(x, dim: int) -> Tensor:
    x = _check_tensor(x, "unsqueeze")
    d = _norm_dim(dim, x.ndim + 1, "unsqueeze")
    shape = tuple(x.shape)
    return reshape(x, shape[:d] + (1,) + shape[d:])


def squeeze(x, dim=None) -> Tensor:
    x = _check_tensor(x, "squeeze")
    if dim is None:
        dims = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        dims = tuple(_norm_dim(d, x.ndim, "squeeze") for d in
                     ((dim,) if isinstance(dim, builtins.int) else dim))
    shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return reshape(x, shape)


def permute(x, *dims) -> Tensor:
    x = _check_tensor(x, "permute")
    dims = tuple(_norm_dim(d, x.ndim, "permute") for d in _shape_arg(dims))
    if sorted(dims) != list(range(x.ndim)):
        raise op_error("permute", f"dims {dims} are not a permutation of the "
                                  f"{x.ndim} dimensions")
    return x._make_view(View("permute", (dims,)))


def transpose(x, dim0: int, dim1: int) -> Tensor:
    x = _check_tensor(x, "transpose")
    if x.ndim == 0:
        return x
    perm = list(range(x.ndim))
    a, b = _norm_dim(dim0, x.ndim, "transpose"), _norm_dim(dim1, x.ndim, "transpose")
    perm[a], perm[b] = perm[b], perm[a]
    return permute(x, perm)


swapaxes = transpose


def t(x) -> Tensor:
    if x.ndim > 2:
        raise op_error("t", f"expects a tensor with <= 2 dimensions, got {x.ndim}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def expand(x, *sizes) -> Tensor:
    x = _check_tensor(x, "expand")
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise op_error("expand", f"the number of sizes ({len(sizes)}) must be at least the "
                                 f"tensor's rank ({x.ndim})")
    offset = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        cur = x.shape[i - offset] if i >= offset else None
        if s == -1:
            if cur is None:
                raise op_error("expand", "-1 is not allowed for a new leading dimension")
            s = cur
        if cur is not None and cur != 1 and cur != s:
            raise op_error("expand", f"cannot expand size {cur} to {s} at dimension {i} "
                                     f"(shape {tuple(x.shape)} to {tuple(sizes)})")
        shape.append(builtins.int(s))
    shape = tuple(shape)
    if shape == tuple(x.shape):
        return x
    return x._make_view(View("expand", (shape,)))


def expand_as(x, other) -> Tensor:
    return expand(x, other.shape)


def broadcast_to(x, shape) -> Tensor:
    return expand(x, tuple(shape))


def repeat(x, *repeats) -> Tensor:
    x = _check_tensor(x, "repeat")
    reps = _shape_arg(repeats)
    if len(reps) < x.ndim:
        raise op_error("repeat", f"needs at least {x.ndim} repeat counts, got {len(reps)}")
    shape = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
    # (s0, s1) -> (1, s0, 1, s1) -> (r0, s0, r1, s1) -> (r0*s0, r1*s1)
    inter = tuple(v for s in shape for v in (1, s))
    big = tuple(v for r, s in zip(reps, shape, strict=True) for v in (r, s))
    out = _expand(reshape(x, inter).contiguous(), big)
    return reshape(out, tuple(r * s for r, s in zip(reps, shape, strict=True)))


def contiguous(x) -> Tensor:
    """A tensor with its own value (no view of another); values are unchanged."""
    x = _check_tensor(x, "contiguous")
    return Tensor._wrap(x._node) if x._base is not None else x


def clone(x) -> Tensor:
    return Tensor._wrap(_check_tensor(x, "clone")._node)


def detach(x) -> Tensor:
    """The same value, sharing in-place updates both ways (no autograd history)."""
    x = _check_tensor(x, "detach")
    return x._make_view(View("reshape", (tuple(x.shape), tuple(x.shape))))


def cat(tensors, dim=0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise op_error("cat", "expected a non-empty list of tensors", ValueError)
    for i, t_ in enumerate(tensors):
        _check_tensor(t_, "cat", f"tensors[{i}]")
    # PyTorch skips 1-D empty tensors in cat.
    nonempty = [t_ for t_ in tensors if not (t_.ndim == 1 and t_.shape[0] == 0)]
    if not nonempty:
        return tensors[0]
    ref = nonempty[0]
    d = _norm_dim(dim, ref.ndim, "cat")
    dt = ref.dtype
    for t_ in nonempty[1:]:
        dt = promote_types(dt, t_.dtype)
    for i, t_ in enumerate(nonempty):
        if t_.ndim != ref.ndim or builtins.any(
                a != b for j, (a, b) in enumerate(zip(t_.shape, ref.shape, strict=True))
                if j != d):
            raise op_error("cat", f"sizes of tensors must match except in dimension {d}: "
                                  f"{tuple(ref.shape)} vs {tuple(t_.shape)} (tensor {i})")
    if len(nonempty) == 1:
        return cast(nonempty[0], dt)
    shape = list(ref.shape)
    shape[d] = builtins.sum(t_.shape[d] for t_ in nonempty)
    return _record("concat", (d,), [cast(t_, dt) for t_ in nonempty], tuple(shape), dt)


concat = cat


def stack(tensors, dim=0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise op_error("stack", "expected a non-empty list of tensors", ValueError)
    for i, t_ in enumerate(tensors):
        if tuple(_check_tensor(t_, "stack").shape) != tuple(tensors[0].shape):
            raise op_error("stack", f"stack expects each tensor to be equal size, but got "
                                    f"{tuple(tensors[0].shape)} at entry 0 and "
                                    f"{tuple(t_.shape)} at entry {i}")
    d = _norm_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t_, d) for t_ in tensors], d)


def narrow(x, dim, start, length) -> Tensor:
    d = _norm_dim(dim, x.ndim, "narrow")
    if start < 0:
        start += x.shape[d]
    if not (0 <= start and start + length <= x.shape[d] and length >= 0):
        raise op_error("narrow", f"start {start} + length {length} exceeds dimension "
                                 f"{d} of size {x.shape[d]}")
    return _slice_view(x, {d: (start, start + length, 1)})


def split(x, split_size_or_sections, dim=0):
    x = _check_tensor(x, "split")
    d = _norm_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, builtins.int):
        size = split_size_or_sections
        if size <= 0:
            raise op_error("split", f"split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise op_error("split", f"split sizes {sizes} do not sum to {n} (dimension {d})")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x, chunks: int, dim=0):
    d = _norm_dim(dim, x.ndim, "chunk")
    if chunks <= 0:
        raise op_error("chunk", f"chunks must be positive, got {chunks}")
    size = -(-x.shape[d] // chunks) if x.shape[d] else 1
    return split(x, builtins.max(size, 1), d)


def unbind(x, dim=0):
    d = _norm_dim(dim, x.ndim, "unbind")
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def select(x, dim, index) -> Tensor:
    d = _norm_dim(dim, x.ndim, "select")
    n = x.shape[d]
    if not -n <= index < n:
        raise op_error("select", f"index {index} is out of range for dimension {d} of size "
                                 f"{n}", IndexError)
    index %= n
    return squeeze(_slice_view(x, {d: (index, index + 1, 1)}), d)


def _slice_view(x: Tensor, ranges: dict) -> Tensor:
    start, stop, step = [], [], []
    for i, s in enumerate(x.shape):
        a, b, c = ranges.get(i, (0, s, 1))
        start.append(a)
        stop.append(b)
        step.append(c)
    if all_full(start, stop, step, x.shape):
        return x
    return x._make_view(View("slice", (tuple(start), tuple(stop), tuple(step))))


def all_full(start, stop, step, shape) -> bool:
    return builtins.all(a == 0 and b == s and c == 1
                        for a, b, c, s in zip(start, stop, step, shape, strict=True))


def pad(x, pad, mode="constant", value=0) -> Tensor:
    """``F.pad``: ``pad`` lists (left, right) amounts from the last dimension backwards."""
    x = _check_tensor(x, "pad")
    if mode != "constant":
        raise op_error("pad", f"mode {mode!r} is not supported (only 'constant')",
                       NotImplementedError)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise op_error("pad", f"padding {tuple(pad)} needs pairs for at most {x.ndim} "
                              "dimensions", ValueError)
    low, high = [0] * x.ndim, [0] * x.ndim
    for i in range(len(pad) // 2):
        low[x.ndim - 1 - i], high[x.ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
    if builtins.any(v < 0 for v in low + high):
        # Negative padding crops.
        ranges = {d: (builtins.max(-low[d], 0), x.shape[d] - builtins.max(-high[d], 0), 1)
                  for d in range(x.ndim)}
        x = _slice_view(x, ranges).contiguous()
        low = [builtins.max(v, 0) for v in low]
        high = [builtins.max(v, 0) for v in high]
    shape = tuple(s + a + b for s, a, b in zip(x.shape, low, high, strict=True))
    return _record("pad", (tuple(low), tuple(high), _attr_value(value, x.dtype)), (x,), shape,
                   x.dtype)


def gather(x, dim, index) -> Tensor:
    x = _check_tensor(x, "gather")
    index = _check_tensor(index, "gather", "index")
    if index.dtype not in (int64, dtypes.int32):
        raise op_error("gather", f"index must be an int64 or int32 tensor, got "
                                 f"{index.dtype!r}", TypeError)
    d = _norm_dim(dim, x.ndim, "gather")
    if index.ndim != x.ndim:
        raise op_error("gather", f"index has rank {index.ndim} but the input has rank "
                                 f"{x.ndim}")
    for i, (a, b) in enumerate(zip(index.shape, x.shape, strict=True)):
        if i != d and a > b:
            raise op_error("gather", f"index shape {tuple(index.shape)} is larger than the "
                                     f"input shape {tuple(x.shape)} at dimension {i}")
    _check_indices(index, x.shape[d], "gather", negative=False)
    return _record("gather", (d,), (x, index), tuple(index.shape), x.dtype)


def _check_indices(index: Tensor, size: int, op: str, *, negative=True,
                   exc: type[Exception] = EmberError) -> None:
    """Indices are data: checking them realizes the index tensor (a sync, as in PyTorch).
    ``negative`` allows ``-size <= i < 0`` (counted from the end)."""
    if index.numel() == 0:
        return
    a = index.numpy()
    lo, hi = builtins.int(a.min()), builtins.int(a.max())
    low = -size if negative else 0
    if lo < low or hi >= size:
        bad = lo if lo < low else hi
        raise op_error(op, f"index {bad} is out of bounds for dimension of size {size}", exc)


def index_select(x, dim, index) -> Tensor:
    x = _check_tensor(x, "index_select")
    index = _check_tensor(index, "index_select", "index")
    if index.ndim > 1:
        raise op_error("index_select", f"index must be 1-D, got shape {tuple(index.shape)}")
    d = _norm_dim(dim, x.ndim, "index_select")
    _check_indices(index, x.shape[d], "index_select", negative=False, exc=IndexError)
    idx = reshape(index, (-1,))
    shape = list(x.shape)
    shape[d] = idx.shape[0]
    view_shape = [1] * x.ndim
    view_shape[d] = idx.shape[0]
    full_index = _expand(reshape(idx, view_shape).contiguous(), shape)
    return gather(x, d, full_index)


def _take_along_dim(x, indices, dim) -> Tensor:
    shape = list(broadcast_shapes(tuple(x.shape[:dim]) + (1,) + tuple(x.shape[dim + 1:]),
                                  tuple(indices.shape[:dim]) + (1,) +
                                  tuple(indices.shape[dim + 1:]), op="take_along_dim"))
    xs, is_ = list(shape), list(shape)
    xs[dim], is_[dim] = x.shape[dim], indices.shape[dim]
    return gather(_expand(x, xs), dim, _expand(indices, is_))


def take_along_dim(x, indices, dim=None) -> Tensor:
    if dim is None:
        return gather(reshape(x, (-1,)), 0, reshape(indices, (-1,)))
    return _take_along_dim(x, indices, _norm_dim(dim, x.ndim, "take_along_dim"))


# -- indexing --------------------------------------------------------------------------


def _normalize_key(x: Tensor, key):
    if not isinstance(key, tuple):
        key = (key,)
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis and
                          not (isinstance(k, Tensor) and k.dtype is bool_))
    n_real += builtins.sum(k.ndim for k in key if isinstance(k, Tensor) and k.dtype is bool_)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise op_error("__getitem__", "an index can only have a single ellipsis", IndexError)
    if n_real > x.ndim:
        raise op_error("__getitem__", f"too many indices for a tensor of rank {x.ndim} "
                                      f"({n_real} given)", IndexError)
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([builtins.slice(None)] * (x.ndim - n_real))
        else:
            out.append(k)
    if not builtins.any(k is Ellipsis for k in key):
        out.extend([builtins.slice(None)] * (x.ndim - n_real))
    return out


def getitem(x: Tensor, key) -> Tensor:
    key = _normalize_key(x, key)
    if builtins.any(isinstance(k, (Tensor, list, np.ndarray)) for k in key):
        return _advanced_getitem(x, key)
    ranges, squeeze_dims, new_axes = {}, [], []
    dim = 0
    out_pos = 0
    for k in key:
        if k is None:
            new_axes.append(out_pos)
            out_pos += 1
            continue
        size = x.shape[dim]
        if isinstance(k, builtins.slice):
            start, stop, step = k.indices(size)
            if step <= 0:
                raise op_error("__getitem__", "step must be greater than zero", ValueError)
            stop = builtins.max(stop, start)
            ranges[dim] = (start, stop, step)
            out_pos += 1
        elif isinstance(k, (builtins.int, np.integer)) and not isinstance(k, builtins.bool):
            k = builtins.int(k)
            if not -size <= k < size:
                raise op_error("__getitem__", f"index {k} is out of bounds for dimension "
                                              f"{dim} with size {size}", IndexError)
            k %= size
            ranges[dim] = (k, k + 1, 1)
            squeeze_dims.append(dim)
        else:
            raise op_error("__getitem__", f"unsupported index {k!r}", TypeError)
        dim += 1
    y = _slice_view(x, ranges)
    if squeeze_dims:
        y = squeeze(y, squeeze_dims) if y.ndim else y
    for p in new_axes:
        y = unsqueeze(y, p)
    return y


def _advanced_getitem(x: Tensor, key) -> Tensor:
    """Integer-tensor and boolean-mask indexing (advanced indices must be adjacent)."""
    from ember._src.creation import tensor as make_tensor

    parts = []
    for k in key:
        if isinstance(k, (list, np.ndarray)):
            k = make_tensor(k)
        if isinstance(k, Tensor) and k.dtype is bool_:
            # A mask's True positions are data: find them (a sync, as in PyTorch).
            parts.extend(make_tensor(c) for c in np.nonzero(k.numpy()))
        else:
            parts.append(k)
    tensor_pos = [i for i, k in enumerate(parts) if isinstance(k, Tensor)]
    if tensor_pos != list(range(tensor_pos[0], tensor_pos[-1] + 1)):
        raise op_error("__getitem__", "non-adjacent advanced indices are not supported",
                       NotImplementedError)
    if builtins.any(p is None for p in parts):
        raise op_error("__getitem__", "None together with advanced indexing is not supported",
                       NotImplementedError)
    # Basic indices first (slices keep their dims), then the advanced block.
    basic = [k if i not in tensor_pos else builtins.slice(None) for i, k in enumerate(parts)]
    y = getitem(x, tuple(basic))
    # Dims of y: one per entry of `parts` that is a slice or a tensor (ints removed).
    kept = [i for i, k in enumerate(parts) if not isinstance(k, builtins.int)]
    adv_dims = [kept.index(i) for i in tensor_pos]
    idx = [cast(parts[i], int64) for i in tensor_pos]
    bshape = broadcast_shapes(*(i.shape for i in idx), op="__getitem__")
    for j, d in enumerate(adv_dims):
        _check_indices(idx[j], y.shape[d], "__getitem__", exc=IndexError)
    # Flatten the advanced dims into one linear index.
    sizes = [y.shape[d] for d in adv_dims]
    linear = None
    for j, i in enumerate(idx):
        i = where(lt(i, 0), add(i, sizes[j]), i)
        linear = i if linear is None else add(mul(linear, sizes[j]), i)
    linear = _expand(linear, bshape)
    a0 = adv_dims[0]
    shp = list(y.shape)
    merged = shp[:a0] + [_numel(sizes)] + shp[a0 + len(adv_dims):]
    flat = reshape(y.contiguous(), merged)
    out = index_select(flat, a0, reshape(linear, (-1,)))
    return reshape(out, tuple(merged[:a0]) + bshape + tuple(merged[a0 + 1:]))


def setitem(x: Tensor, key, value) -> None:
    if isinstance(value, Tensor):
        v = cast(value, x.dtype)
    else:
        v = _scalar_tensor(_check_scalar(value, "__setitem__"), x.dtype)
    keys = key if isinstance(key, tuple) else (key,)
    if builtins.any(isinstance(k, (Tensor, list, np.ndarray)) for k in keys):
        return _advanced_setitem(x, key, v)
    target = getitem(x, key)
    shape = tuple(target.shape)
    if v.ndim > len(shape) or broadcast_shapes(v.shape, shape, op="__setitem__") != shape:
        raise op_error("__setitem__", f"value of shape {tuple(v.shape)} does not broadcast to "
                                      f"the indexed shape {shape}")
    new = _expand(v, shape).contiguous()._node
    (x if target is x else target)._assign(new, "__setitem__")


def _advanced_setitem(x: Tensor, key, v: Tensor) -> None:
    """Assignment through integer-tensor / boolean-mask indices.

    The indices are data: they are realized (a sync, as in PyTorch) and NumPy
    indexing of a position map gives the flat positions written. The new value is
    then ``where(written, values[source position], x)``, a gather and a select, so
    duplicate positions take the last value.
    """
    from ember._src.creation import tensor as make_tensor

    def to_numpy(k):
        if isinstance(k, Tensor):
            return k.numpy()
        if isinstance(k, list):
            return np.asarray(k)
        return k

    np_key = tuple(to_numpy(k) for k in key) if isinstance(key, tuple) else to_numpy(key)
    positions = np.arange(x.numel(), dtype=np.int64).reshape(tuple(x.shape))
    try:
        written = positions[np_key]
    except IndexError as e:
        raise op_error("__setitem__", str(e), IndexError) from None
    shape = written.shape
    if v.ndim > len(shape) or broadcast_shapes(v.shape, shape, op="__setitem__") != shape:
        raise op_error("__setitem__", f"value of shape {tuple(v.shape)} does not broadcast to "
                                      f"the indexed shape {shape}")
    source = np.full(x.numel(), -1, dtype=np.int64)
    source[written.reshape(-1)] = np.arange(written.size, dtype=np.int64)
    mask = make_tensor(source.reshape(tuple(x.shape)) >= 0)
    if written.size == 0:
        return
    flat_values = reshape(_expand(v, shape).contiguous(), (-1,))
    src = make_tensor(np.maximum(source, 0))
    gathered = reshape(_record("gather", (0,), (flat_values, src), (x.numel(),), x.dtype),
                       tuple(x.shape))
    x._assign(where(mask, gathered, x)._node, "__setitem__")


def zeros_like(x, *, dtype=None) -> Tensor:
    from ember._src.creation import zeros

    return zeros(x.shape, dtype=dtype or x.dtype)


def zeros(*shape, dtype=None) -> Tensor:
    from ember._src.creation import zeros as z

    return z(*shape, dtype=dtype)
