"""Tensor factories: from data, filled, ranges, identity, random."""

from __future__ import annotations

import builtins
import math

import numpy as np

from ember._src import dtypes
from ember._src.dtypes import bool_, int64
from ember._src.errors import op_error
from ember._src.ops import _const, _record, _shape_arg, cast, eq, unsqueeze
from ember._src.random import get_generator
from ember._src.tensor import Tensor, device
from ember.runtime import Node
from ember.runtime.devices import to_device


def _device_kind(dev) -> str | None:
    """The device type ``dev`` names (None for None); raises for one that is not here."""
    return None if dev is None else device(dev).type


def _place(t: Tensor, kind: str | None) -> Tensor:
    """``t`` on the device type ``kind`` (None: where it is). A lazy value is
    computed there; a buffer is copied."""
    if kind is None:
        return t
    node = t._node
    if node.buffer is None:
        node.device = kind
        return t
    return t if node.device == kind else _wrap_array(to_device(node.buffer, kind), t.dtype)


def _leaf(t: Tensor, requires_grad: bool) -> Tensor:
    return t.requires_grad_(True) if requires_grad else t


def _wrap_array(a: np.ndarray, dt: dtypes.dtype) -> Tensor:
    return Tensor._wrap(Node.from_array(a, dt))


def tensor(data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    kind = _device_kind(device)
    if isinstance(data, Tensor):
        a = data.numpy()
        dt = dtypes.as_dtype(dtype) if dtype is not None else data.dtype
        return _leaf(_place(_wrap_array(np.array(a, dtype=dt.np), dt), kind), requires_grad)
    a = np.array(data)
    if isinstance(data, np.generic):
        data = a  # a NumPy scalar keeps its dtype, as an array does
    if dtype is not None:
        dt = dtypes.as_dtype(dtype)
    elif a.dtype.kind == "f":
        dt = dtypes.get_default_dtype() if not isinstance(data, np.ndarray) else \
            dtypes.as_dtype(a.dtype)
    elif a.dtype.kind in "iu":
        dt = int64 if not isinstance(data, np.ndarray) else dtypes.as_dtype(
            a.dtype if a.dtype.kind == "i" else np.int64)
    elif a.dtype.kind == "b":
        dt = bool_
    elif a.size == 0 and a.dtype.kind == "f":
        dt = dtypes.get_default_dtype()
    else:
        dt = dtypes.as_dtype(a.dtype)
    return _leaf(_place(_wrap_array(np.array(a, dtype=dt.np, copy=True), dt), kind),
                 requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.as_dtype(dtype) is data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or
                                         dtypes.as_dtype(dtype).np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``a`` (zero-copy; writes to ``a`` are seen)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(a).__name__}")
    return _wrap_array(a, dtypes.as_dtype(a.dtype))


def from_dlpack(obj) -> Tensor:
    """A tensor sharing memory with any DLPack producer (NumPy, PyTorch, JAX on CPU)."""
    return from_numpy(np.from_dlpack(obj))


def _shape(size) -> tuple[int, ...]:
    shape = _shape_arg(size)
    if builtins.any(not isinstance(s, (builtins.int, np.integer)) or s < 0 for s in shape):
        raise op_error("zeros", f"sizes must be non-negative integers, got {shape}")
    return tuple(builtins.int(s) for s in shape)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    kind = _device_kind(device)
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.scalar_dtype(fill_value)
    return _leaf(_place(_const(fill_value, _shape(size), dt), kind), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(_shape(size), 0, dtype=dtype or dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return full(_shape(size), 1, dtype=dtype or dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uninitialized in PyTorch; zeros here (a region never reads garbage)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _device_of(x: Tensor):
    """A tensor's device, None where it follows its consumers."""
    return x._node.device


def _like(x: Tensor, dtype):
    return x.shape, (dtypes.as_dtype(dtype) if dtype is not None else x.dtype)


def zeros_like(x, *, dtype=None, device=None) -> Tensor:
    shape, dt = _like(x, dtype)
    return full(shape, 0, dtype=dt, device=device if device is not None else _device_of(x))


def ones_like(x, *, dtype=None, device=None) -> Tensor:
    shape, dt = _like(x, dtype)
    return full(shape, 1, dtype=dt, device=device if device is not None else _device_of(x))


def full_like(x, fill_value, *, dtype=None, device=None) -> Tensor:
    shape, dt = _like(x, dtype)
    return full(shape, fill_value, dtype=dt, device=device if device is not None else _device_of(x))


def empty_like(x, *, dtype=None, device=None) -> Tensor:
    return zeros_like(x, dtype=dtype, device=device)


def arange(start, end=None, step=1, *, dtype=None, device=None) -> Tensor:
    kind = _device_kind(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise op_error("arange", "step must be nonzero")
    if (end - start) * step < 0:
        raise op_error("arange", f"upper bound and lower bound inconsistent with step sign "
                                 f"(start={start}, end={end}, step={step})")
    n = builtins.max(0, math.ceil((end - start) / step))
    if dtype is None:
        is_int = builtins.all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dt = int64 if is_int else dtypes.get_default_dtype()
    else:
        dt = dtypes.as_dtype(dtype)
    # Computed in float64 / int64, then cast: start + i * step.
    wide = int64 if not dt.is_floating_point else dtypes.float64
    i = _record("iota", (0,), (), (n,), wide)
    if step != 1:
        i = i * step
    if start != 0:
        i = i + start
    return _place(cast(i, dt), kind)


def linspace(start, end, steps: int, *, dtype=None, device=None) -> Tensor:
    kind = _device_kind(device)
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    if steps < 0:
        raise op_error("linspace", f"steps must be non-negative, got {steps}", ValueError)
    i = _record("iota", (0,), (), (steps,), dtypes.float64)
    if steps > 1:
        i = i * ((end - start) / (steps - 1))
    return _place(cast(i + start, dt), kind)


def eye(n: int, m: int | None = None, *, dtype=None, device=None) -> Tensor:
    kind = _device_kind(device)
    m = n if m is None else m
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    rows = _record("iota", (0,), (), (n, m), int64)
    cols = _record("iota", (1,), (), (n, m), int64)
    return _place(cast(eq(rows, cols), dt), kind)


# -- random ------------------------------------------------------------------------


def _random(values: np.ndarray, dt: dtypes.dtype) -> Tensor:
    return _wrap_array(np.ascontiguousarray(values.astype(dt.np)), dt)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform on [0, 1)."""
    kind = _device_kind(device)
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return _leaf(_place(_random(get_generator(generator)._numpy().random(_shape(size)), dt),
                        kind), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal."""
    kind = _device_kind(device)
    dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    values = get_generator(generator)._numpy().standard_normal(_shape(size))
    return _leaf(_place(_random(values, dt), kind), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise op_error("randint", "size is required", TypeError)
    if low >= high:
        raise op_error("randint", f"low ({low}) must be below high ({high})", ValueError)
    dt = dtypes.as_dtype(dtype) if dtype is not None else int64
    vals = get_generator(generator)._numpy().integers(low, high, size=_shape(size))
    return _place(_random(vals, dt), _device_kind(device))


def randperm(n: int, *, generator=None, dtype=None, device=None) -> Tensor:
    dt = dtypes.as_dtype(dtype) if dtype is not None else int64
    return _place(_random(get_generator(generator)._numpy().permutation(n), dt),
                  _device_kind(device))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        shape = (mean if isinstance(mean, Tensor) else std).shape
        return randn(*shape, generator=generator) * std + mean
    if size is None:
        raise op_error("normal", "size is required with scalar mean and std", ValueError)
    return randn(*_shape(size), generator=generator, dtype=dtype) * std + mean


def bernoulli(p, *, generator=None) -> Tensor:
    """Draws 1 with probability ``p`` (a tensor of probabilities), else 0."""
    if not isinstance(p, Tensor):
        raise op_error("bernoulli", "p must be a tensor of probabilities", TypeError)
    u = rand(*p.shape, generator=generator, dtype=p.dtype if p.is_floating_point() else None)
    return cast(u < p, p.dtype if p.is_floating_point() else dtypes.get_default_dtype())


__all__ = ["arange", "as_tensor", "bernoulli", "empty", "empty_like", "eye", "from_dlpack",
           "from_numpy", "full", "full_like", "linspace", "normal", "ones", "ones_like", "rand",
           "randint", "randn", "randperm", "tensor", "unsqueeze", "zeros", "zeros_like"]
