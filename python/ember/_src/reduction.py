"""Reductions, softmax-class composites, scans and sorting."""

from __future__ import annotations

import builtins

from ember._src import dtypes
from ember._src.dtypes import bool_, int64
from ember._src.elementwise import (
    _require,
    add,
    div,
    exp,
    isinf,
    log,
    maximum,
    minimum,
    mul,
    sqrt,
    sub,
    where,
)
from ember._src.errors import op_error
from ember._src.record import (
    _check_tensor,
    _const,
    _record,
    cast,
    values_indices,
    zeros,
    zeros_like,
)
from ember._src.shape import narrow, reshape, squeeze
from ember._src.tensor import Tensor, _norm_dim


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
    if builtins.any(x.shape[d] == 0 for d in _dims(x, dim, op)) or (x.numel() == 0 and
                                                                    dim is None):
        raise op_error(op, "cannot reduce over a zero-size dimension (max and min have no "
                           "identity)", IndexError)
    if x.dtype is bool_:
        return cast(_reduce(op, cast(x, dtypes.int8), dim, keepdim), bool_)
    return _reduce(op, x, dim, keepdim)


def amax(x, dim=None, keepdim=False) -> Tensor:
    return _extreme("max", x, dim, keepdim)


def amin(x, dim=None, keepdim=False) -> Tensor:
    return _extreme("min", x, dim, keepdim)


def _arg(op: str, x: Tensor, dim, keepdim: bool) -> Tensor:
    x = _check_tensor(x, op)
    if (dim is None and x.numel() == 0) or (
            dim is not None and x.ndim and x.shape[_norm_dim(dim, x.ndim, op)] == 0):
        raise op_error(op, "cannot take the index of the extreme over a zero-size dimension",
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
    return _values_at(x, dim, keepdim, argmax(x, dim, True), amax)


def min(x, dim=None, keepdim=False):  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return amin(x)
    return _values_at(x, dim, keepdim, argmin(x, dim, True), amin)


def _values_at(x: Tensor, dim, keepdim: bool, index: Tensor, extreme):
    """``(values, indices)`` of max / min along ``dim``. With gradients the values are
    gathered at the index, so the whole gradient goes to that element (as PyTorch)."""
    d = _norm_dim(dim, x.ndim, "max") if x.ndim else 0
    if x.requires_grad and x.ndim:
        values = _record("gather", (d,), (x, index), tuple(index.shape), x.dtype)
    else:
        values = extreme(x, dim, True)
    if not keepdim and x.ndim:
        values, index = squeeze(values, d), squeeze(index, d)
    return values_indices(values, index)


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
