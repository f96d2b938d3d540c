"""Elementwise tensor ops: arithmetic, math, comparisons, logic, where."""

from __future__ import annotations

import math

from ember._src import dtypes
from ember._src.dtypes import bool_, int64, result_type
from ember._src.errors import op_error
from ember._src.record import (
    _check_tensor,
    _const,
    _fast_dtype,
    _operands,
    _record,
    _scalar_tensor,
    broadcast_shapes,
    cast,
    zeros_like,
)
from ember._src.tensor import Tensor


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
