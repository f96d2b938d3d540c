"""``ember.linalg``: norms (``torch.linalg`` names), written from reductions."""

from __future__ import annotations

import math

from ember._src import ops
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["norm", "vector_norm"]


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *,  # noqa: A002
                dtype=None) -> Tensor:
    """The ``ord``-norm over ``dim`` (all elements by default): ``inf``/``-inf`` are
    the largest/smallest magnitude, 0 counts the non-zeros, any other ``ord`` is
    ``sum(|x|^ord)^(1/ord)``."""
    if not isinstance(x, Tensor):
        raise op_error("linalg.vector_norm", f"expected an ember.Tensor, got "
                                             f"{type(x).__name__}", TypeError)
    if not x.dtype.is_floating_point:
        raise op_error("linalg.vector_norm", f"expected a floating point input, got "
                                             f"{x.dtype!r}")
    if dtype is not None:
        x = x.to(dtype)
    a = ops.abs(x)
    if ord == math.inf:
        return ops.amax(a, dim=dim, keepdim=keepdim) if dim is not None else ops.amax(a)
    if ord == -math.inf:
        return ops.amin(a, dim=dim, keepdim=keepdim) if dim is not None else ops.amin(a)
    if ord == 0:
        return ops.sum(ops.cast(x != 0, x.dtype), dim=dim, keepdim=keepdim)
    if ord == 1:
        return ops.sum(a, dim=dim, keepdim=keepdim)
    if ord == 2:
        return ops.sqrt(ops.sum(x * x, dim=dim, keepdim=keepdim))
    return ops.pow(ops.sum(ops.pow(a, ord), dim=dim, keepdim=keepdim), 1.0 / ord)


def norm(x: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm`` for vectors and the Frobenius norm: ``ord=None`` is the
    2-norm of all elements (or over ``dim``), ``'fro'`` likewise."""
    if ord in (None, "fro"):
        return vector_norm(x, 2, dim, keepdim, dtype=dtype)
    if isinstance(ord, str) or (dim is not None and not isinstance(dim, int) and len(dim) == 2):
        raise op_error("linalg.norm", f"matrix norm ord={ord!r} is not supported (vector "
                                      f"norms and 'fro' are)", NotImplementedError)
    return vector_norm(x, ord, dim, keepdim, dtype=dtype)


def _tensor_norm(self: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """``Tensor.norm(p='fro', dim=None, keepdim=False)``."""
    return norm(self, None if p == "fro" else p, dim, keepdim, dtype=dtype)


Tensor.norm = _tensor_norm
