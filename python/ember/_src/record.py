"""Recording ops: nodes, scalars, casts, broadcasting and dtype promotion."""

from __future__ import annotations

import builtins
import math
import threading
from collections import namedtuple
from collections.abc import Sequence

import numpy as np

from ember._src import dtypes
from ember._src.dtypes import bool_, result_type
from ember._src.errors import op_error
from ember._src.tensor import Tensor, _record_node
from ember.runtime import Node

Number = (builtins.int, builtins.float, builtins.bool)


values_indices = namedtuple("values_indices", ["values", "indices"])


def _numel(shape) -> int:
    return math.prod(shape)


def _record(op: str, attrs: tuple, inputs: Sequence[Tensor], shape, dt) -> Tensor:
    return Tensor._wrap(_record_node(op, attrs, tuple([t._node for t in inputs]), shape, dt))


class _Shared(threading.local):
    # While set on a thread (an optimizer step records its updates), equal Python
    # numbers of one dtype share one 0-d input: a step over many parameters passes
    # each of its few hyperparameters once instead of once per parameter and use.
    scalars: dict | None = None


shared = _Shared()


def _scalar_tensor(value, dt: dtypes.dtype) -> Tensor:
    """A Python number as a 0-d input buffer: its value is data, not structure."""
    memo = shared.scalars
    if memo is None or not value:  # 0.0 and -0.0 compare equal: never shared
        return Tensor._wrap(Node.from_array(np.array(value, dtype=dt.np), dt))
    key = (value, type(value), dt)
    node = memo.get(key)
    if node is None:
        node = memo[key] = Node.from_array(np.array(value, dtype=dt.np), dt)
    return Tensor._wrap(node)


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
    ts = []
    shape = None
    uniform = True
    for a in args:
        t = a if isinstance(a, Tensor) else _scalar_tensor(_check_scalar(a, op), dt)
        s = t._node.shape
        if s:  # rank-0 operands broadcast to anything
            if shape is None:
                shape = s
            elif s != shape:
                uniform = False
        ts.append(t if t._node.dtype is dt else cast(t, dt))
    if not uniform:
        shape = broadcast_shapes(*(t._node.shape for t in ts), op=op)
    return ts, shape if shape is not None else (), dt


def _check_scalar(a, op):
    if isinstance(a, Number):
        return a
    if isinstance(a, np.generic):
        return a.item()
    raise op_error(op, f"expected a tensor or a number, got {type(a).__name__}", TypeError)


def zeros_like(x, *, dtype=None) -> Tensor:
    from ember._src.creation import zeros

    return zeros(x.shape, dtype=dtype or x.dtype)


def zeros(*shape, dtype=None) -> Tensor:
    from ember._src.creation import zeros as z

    return z(*shape, dtype=dtype)
