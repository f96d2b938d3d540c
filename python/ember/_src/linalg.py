"""Matrix products with ``torch.matmul`` semantics."""

from __future__ import annotations

from ember._src.dtypes import bool_, promote_types
from ember._src.errors import op_error
from ember._src.record import _check_tensor, _record, broadcast_shapes, cast
from ember._src.tensor import Tensor


def matmul(a, b, *, _name: str = "matmul") -> Tensor:
    a, b = _check_tensor(a, _name), _check_tensor(b, _name, "other")
    if a.ndim == 0 or b.ndim == 0:
        raise op_error(_name, f"both arguments need at least 1 dimension, got shapes "
                                 f"{tuple(a.shape)} and {tuple(b.shape)}")
    dt = promote_types(a.dtype, b.dtype)
    if dt is bool_:
        raise op_error(_name, "bool tensors are not supported", TypeError)
    a, b = cast(a, dt), cast(b, dt)
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise op_error(_name, f"shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                                 f"multiplied ({k_a} != {k_b})")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2], op=_name)
    shape = batch + ((a.shape[-2],) if a.ndim >= 2 else ()) + \
        ((b.shape[-1],) if b.ndim >= 2 else ())
    return _record("matmul", (), (a, b), shape, dt)


def mm(a, b) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise op_error("mm", f"expected 2-D tensors, got shapes {tuple(a.shape)} and "
                             f"{tuple(b.shape)}")
    return matmul(a, b, _name="mm")


def bmm(a, b) -> Tensor:
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise op_error("bmm", f"expected 3-D tensors with one batch size, got shapes "
                              f"{tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b, _name="bmm")


def dot(a, b) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise op_error("dot", f"expected 1-D tensors, got shapes {tuple(a.shape)} and "
                              f"{tuple(b.shape)}")
    return matmul(a, b, _name="dot")
