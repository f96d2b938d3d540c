"""``ember.nn.functional``: activations, softmax and dropout, written from primitives."""

from __future__ import annotations

import math

from ember._src import dtypes as ember_dtypes
from ember._src import ops
from ember._src.creation import rand
from ember._src.errors import op_error
from ember._src.ops import log_softmax, pad, relu, sigmoid, softmax, tanh
from ember._src.tensor import Tensor

__all__ = ["dropout", "elu", "gelu", "layer_norm", "leaky_relu", "linear", "log_softmax", "pad",
           "relu", "sigmoid", "silu", "softmax", "softplus", "tanh"]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias``."""
    if weight.ndim not in (1, 2):
        raise op_error("linear", f"weight must be 1-D or 2-D, got shape {tuple(weight.shape)}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise op_error("linear", f"input of shape {tuple(x.shape)} does not match weight of "
                                 f"shape {tuple(weight.shape)} (in_features "
                                 f"{weight.shape[-1]})")
    if x.ndim > 2 and weight.ndim == 2:
        # One 2-D matmul over the flattened batch: its backward needs no batch sums
        # (and compiles faster than the broadcast batched form).
        lead = tuple(x.shape[:-1])
        out = ops.matmul(ops.reshape(x, (-1, x.shape[-1])), weight.t())
        out = ops.reshape(out, lead + (weight.shape[0],))
    else:
        out = ops.matmul(x, weight.t() if weight.ndim == 2 else weight)
    return out if bias is None else out + bias


def layer_norm(x: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalizes over the trailing ``normalized_shape`` dims (biased variance)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else \
        tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape or len(shape) > x.ndim:
        raise op_error("layer_norm", f"input of shape {tuple(x.shape)} does not end with "
                                     f"normalized_shape {shape}")
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    mean = ops.mean(x, dim=dims, keepdim=True)
    centered = x - mean
    var = ops.mean(centered * centered, dim=dims, keepdim=True)
    out = centered * ops.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


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


# The larger families live in ``ember/nn/_functional/``, one file each.
from ember.nn._functional import attention as _attention  # noqa: E402
from ember.nn._functional import conv as _conv  # noqa: E402
from ember.nn._functional import losses as _losses  # noqa: E402
from ember.nn._functional import norm_pool as _norm_pool  # noqa: E402

for _family in (_attention, _conv, _losses, _norm_pool):
    globals().update({_n: getattr(_family, _n) for _n in _family.__all__})
    __all__ += _family.__all__
