"""``ember.nn.functional``: activations, softmax and dropout, written from primitives."""

from __future__ import annotations

import math

from ember._src import dtypes as ember_dtypes
from ember._src import ops
from ember._src.creation import rand
from ember._src.errors import op_error
from ember._src.ops import log_softmax, pad, relu, sigmoid, softmax, tanh
from ember._src.tensor import Tensor

__all__ = ["dropout", "elu", "gelu", "leaky_relu", "log_softmax", "pad", "relu", "sigmoid",
           "silu", "softmax", "softplus", "tanh"]


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``; ``approximate="tanh"`` uses the tanh form."""
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * 0.5 * (ops.tanh(inner) + 1.0)
    if approximate != "none":
        raise op_error("gelu", f"approximate must be 'none' or 'tanh', got {approximate!r}",
                       ValueError)
    return x * 0.5 * (ops.erf(x * (1.0 / math.sqrt(2.0))) + 1.0)


def silu(x: Tensor) -> Tensor:
    return x * ops.sigmoid(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return ops.where(x > 0, x, x * negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return ops.where(x > 0, x, (ops.exp(x) - 1.0) * alpha)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log1p(exp(beta * x)) / beta``, linear above ``threshold``; float16 and
    bfloat16 compute in float32 (exp(20) overflows float16)."""
    low = x.dtype in (ember_dtypes.float16, ember_dtypes.bfloat16)
    v = ops.cast(x, ember_dtypes.float32) if low else x
    bv = v * beta
    out = ops.where(bv > threshold, v, ops.log1p(ops.exp(ops.minimum(bv, threshold))) / beta)
    return ops.cast(out, x.dtype) if low else out


def dropout(x: Tensor, p: float = 0.5, training: bool = True, *, generator=None) -> Tensor:
    """Zeroes elements with probability ``p`` and scales the rest by ``1 / (1 - p)``."""
    if not 0.0 <= p <= 1.0:
        raise op_error("dropout", f"p must be in [0, 1], got {p}", ValueError)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = rand(*x.shape, generator=generator, dtype=x.dtype) >= p
    return ops.where(keep, x * (1.0 / (1.0 - p)), ops.zeros_like(x))
