"""Elementwise tensor ops: arithmetic, math, comparisons, logic, where."""

from __future__ import annotations

import builtins
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


def _binary(op: str, a, b, *, dt=None, out_dt=None, name=None) -> Tensor:
    """One node of dialect op ``op``; errors name ``name`` (the op the user called)."""
    (x, y), shape, dt = _operands(name or op, a, b, dt=dt)
    return _record(op, (), (x, y), shape, out_dt or dt)


def _no_bool_tensor(op: str, *args) -> None:
    if builtins.any(isinstance(a, Tensor) and a.dtype is bool_ for a in args):
        raise op_error(op, "subtraction with a bool tensor is not supported; use "
                           "logical_xor or ~", TypeError)


def _check_alpha(op: str, alpha, *args) -> None:
    if isinstance(alpha, builtins.float) and not result_type(*args).is_floating_point:
        raise op_error(op, "for integral input tensors, alpha must not be a floating point "
                           "number", TypeError)


def _check_divisor(op: str, b) -> None:
    """Integer division by zero raises (as PyTorch); a tensor divisor is realized."""
    if isinstance(b, Tensor):
        zero = builtins.bool((b.numpy() == 0).any()) if b.numel() else False
    else:
        zero = b == 0
    if zero:
        raise op_error(op, "integer division by zero", ZeroDivisionError)


def _require(op: str, x: Tensor, *, floating=False, numeric=False):
    if floating and not x.dtype.is_floating_point:
        raise op_error(op, f"expected a floating-point tensor, got {x.dtype!r}", TypeError)
    if numeric and x.dtype is bool_:
        raise op_error(op, "expected a numeric tensor, got ember.bool", TypeError)


def add(a, b, *, alpha=1) -> Tensor:
    _check_alpha("add", alpha, a, b)
    if alpha != 1:
        b = mul(b, alpha)
    dt = _dtype_of(a, b)
    if dt is bool_:
        return logical_or(a, b)
    return _binary("add", a, b, dt=dt)


def sub(a, b, *, alpha=1) -> Tensor:
    _no_bool_tensor("sub", a, b)
    _check_alpha("sub", alpha, a, b)
    dt = _dtype_of(a, b)
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
        _check_divisor("div", b)
        return _binary("div", a, b, dt=int64 if dt is bool_ else dt)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    raise op_error("div", f"rounding_mode must be None, 'trunc' or 'floor', got "
                          f"{rounding_mode!r}", ValueError)


true_divide = div


def floor_divide(a, b) -> Tensor:
    dt = result_type(a, b)
    if dt is bool_:
        dt = int64
    (x, y), _, dt = _operands("floor_divide", a, b, dt=dt)
    r = _binary("rem", x, y)
    # Step down where the remainder's sign differs from the divisor's.
    adjust = logical_and(ne(r, 0), ne(lt(r, 0), lt(y, 0)))
    if not dt.is_floating_point:
        _check_divisor("floor_divide", b)
        q = _binary("div", x, y)
        return where(adjust, sub(q, 1), q)
    # PyTorch's float rule: exact quotient of (x - fmod) / y, then floor, with a
    # rounding fix-up; x / 0 stays x / 0.
    q = div(sub(x, r), y)
    q = where(adjust, sub(q, 1.0), q)
    f = floor(q)
    f = where(gt(sub(q, f), 0.5), add(f, 1.0), f)
    return where(eq(y, 0), div(x, y), f)


def remainder(a, b) -> Tensor:
    """Python's modulo: the result has the divisor's sign."""
    (x, y), _, dt = _operands("remainder", a, b, dt=_int64_for_bool(a, b))
    if not dt.is_floating_point:
        _check_divisor("remainder", b)
    r = _binary("rem", x, y)
    return where(logical_and(ne(r, 0), ne(lt(r, 0), lt(y, 0))), add(r, y), r)


def fmod(a, b) -> Tensor:
    """C's fmod: the result has the dividend's sign."""
    (x, y), _, dt = _operands("fmod", a, b, dt=_int64_for_bool(a, b))
    if not dt.is_floating_point:
        _check_divisor("fmod", b)
    return _binary("rem", x, y)


def _int64_for_bool(a, b) -> dtypes.dtype:
    dt = result_type(a, b)
    return int64 if dt is bool_ else dt


def pow(a, b) -> Tensor:  # noqa: A001
    return _binary("pow", a, b)


def maximum(a, b) -> Tensor:
    if _dtype_of(a, b) is bool_:
        return logical_or(a, b)
    return _binary("maximum", a, b)


def minimum(a, b) -> Tensor:
    if _dtype_of(a, b) is bool_:
        return logical_and(a, b)
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


def _in_f32(fn, x) -> Tensor:
    """Runs a composite in float32 for float16 / bfloat16 inputs (one rounding)."""
    x = _check_tensor(x, fn.__name__)
    if x.dtype in (dtypes.float16, dtypes.bfloat16):
        return cast(fn(cast(x, dtypes.float32)), x.dtype)
    return fn(x)


def exp2(x) -> Tensor:
    return _in_f32(lambda v: exp(mul(v, math.log(2.0))), x)


def log2(x) -> Tensor:
    return _in_f32(lambda v: div(log(v), math.log(2.0)), x)


def log10(x) -> Tensor:
    return _in_f32(lambda v: div(log(v), math.log(10.0)), x)


def reciprocal(x) -> Tensor:
    return div(1.0, x)


def square(x) -> Tensor:
    return mul(x, x)


def relu(x) -> Tensor:
    # where, not maximum: the gradient at 0 is 0 (as PyTorch), not split as for a tie.
    # NaN stays NaN.
    x = _check_tensor(x, "relu")
    zero = _const(0, (), x.dtype)
    rest = where(ne(x, x), x, zero) if x.dtype.is_floating_point else zero
    return where(gt(x, zero), x, rest)


def clamp(x, min=None, max=None) -> Tensor:  # noqa: A002
    x = _check_tensor(x, "clamp")
    if min is None and max is None:
        raise op_error("clamp", "at least one of min and max must be given", ValueError)
    # where, not maximum / minimum: inside [min, max] (bounds included) the gradient
    # passes through, as PyTorch's clamp; NaN stays NaN.
    if min is not None:
        x = where(lt(x, min), _bound(min, x), x)
    if max is not None:
        x = where(gt(x, max), _bound(max, x), x)
    return x


def _bound(b, x: Tensor):
    return cast(b, x.dtype) if isinstance(b, Tensor) else b


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
    return _binary("ne", a, b, dt=bool_, out_dt=bool_, name="logical_xor")


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


def addcmul(x, tensor1, tensor2, *, value=1) -> Tensor:
    """``x + value * tensor1 * tensor2`` (``value`` is data: changing it does not
    recompile)."""
    return add(x, mul(mul(tensor1, tensor2), value))


def addcdiv(x, tensor1, tensor2, *, value=1) -> Tensor:
    """``x + value * tensor1 / tensor2``."""
    return add(x, mul(div(tensor1, tensor2), value))
