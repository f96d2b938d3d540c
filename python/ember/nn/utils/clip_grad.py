"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_`` and their parts.

Everything stays lazy (unless ``error_if_nonfinite`` must read the norm): the norm and
the scaled gradients fold into the optimizer step's region that follows.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

from ember._src import ops
from ember._src.autograd import no_grad
from ember._src.creation import tensor
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _tensors(x: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [x] if isinstance(x, Tensor) else list(x)


def _vector_norm(x: Tensor, p: float) -> Tensor:
    """The ``p``-norm of all elements of ``x`` (``torch.linalg.vector_norm``)."""
    if p == math.inf:
        return ops.amax(ops.abs(x)) if x.numel() else ops.sum(ops.abs(x))
    if p == -math.inf:
        return ops.amin(ops.abs(x))
    if p == 0:
        return ops.sum(ops.cast(ops.ne(x, 0), x.dtype))
    if p == 1:
        return ops.sum(ops.abs(x))
    if p == 2:
        return ops.sqrt(ops.sum(x * x))
    return ops.pow(ops.sum(ops.pow(ops.abs(x), p)), 1.0 / p)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` viewed as one vector (the norm of their
    norms); ``'inf'`` for the max-norm."""
    ts = _tensors(tensors)
    norm_type = float(norm_type)
    if not ts:
        return tensor(0.0)
    with no_grad():
        dt = ts[0].dtype
        norms = [ops.cast(_vector_norm(t, norm_type), dt) for t in ts]
        total = _vector_norm(ops.stack(norms), norm_type)
        if error_if_nonfinite and not bool(ops.isfinite(total)):
            raise op_error("clip_grad_norm_",
                           f"the total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`", RuntimeError)
    return total


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scales the gradients by ``min(max_norm / (total_norm + 1e-6), 1)`` in place."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        coef = ops.clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(ops.cast(coef, g.dtype))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Rescales the parameters' gradients in place so that their total ``norm_type``-norm
    is at most ``max_norm``; returns the total norm before clipping (a 0-d tensor)."""
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=2)
    params = _tensors(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated spelling of :func:`clip_grad_norm_`."""
    warnings.warn("`ember.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`ember.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamps every gradient to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
