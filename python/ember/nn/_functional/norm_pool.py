"""nn.functional: normalization, embedding, pooling and the clamp-style activations,
composed from ember primitives (host-built index and weight arrays enter as data)."""

from __future__ import annotations

import builtins
import math

import numpy as np

from ember._src import dtypes, ops
from ember._src.autograd import is_grad_enabled, no_grad
from ember._src.creation import arange, tensor
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d",
           "batch_norm", "embedding", "group_norm", "hardtanh", "max_pool1d", "max_pool2d",
           "mish", "normalize", "one_hot", "relu6"]


def _check(x, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise op_error(op, f"input must be an ember.Tensor, got {type(x).__name__}", TypeError)
    return x


def _float_input(x, op: str) -> Tensor:
    _check(x, op)
    if not x.dtype.is_floating_point:
        raise op_error(op, f"needs a floating point input, got {x.dtype!r}", TypeError)
    return x


# -- activations -------------------------------------------------------------------------

def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """Clamps to ``[min_val, max_val]``; the gradient is zero at and beyond the bounds
    (PyTorch's rule, unlike ``clamp`` which passes it at the bounds)."""
    _check(input, "hardtanh")
    if min_val > max_val:
        raise op_error("hardtanh", f"min_val ({min_val}) cannot be greater than max_val "
                                   f"({max_val})", ValueError)
    out = ops.where(input <= min_val, ops.zeros_like(input) + min_val,
                    ops.where(input >= max_val, ops.zeros_like(input) + max_val, input))
    return input.copy_(out) if inplace else out


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    _float_input(input, "mish")
    sp = ops.where(input > 20.0, input, ops.log1p(ops.exp(ops.minimum(input, 20.0))))
    out = input * ops.tanh(sp)
    return input.copy_(out) if inplace else out


# -- normalization -----------------------------------------------------------------------

def _channel_shape(x: Tensor) -> tuple[int, ...]:
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float | Tensor = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalizes each channel (dim 1) by the batch statistics (``training``) or by the
    running ones; in training the running estimates, when given, are updated in place
    with the unbiased batch variance: ``r = (1 - momentum) * r + momentum * stat``."""
    x = _float_input(input, "batch_norm")
    if x.ndim < 2:
        raise op_error("batch_norm", f"expected an input with at least 2 dims (N, C, ...), "
                                     f"got shape {tuple(x.shape)}", ValueError)
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise op_error("batch_norm", f"{name} should contain {c} elements (the input's "
                                         f"channels) not {t.numel()}")
    shape = _channel_shape(x)
    if training:
        dims = (0,) + tuple(range(2, x.ndim))
        n = x.numel() // c if c else 0
        if n <= 1:
            raise op_error("batch_norm", f"Expected more than 1 value per channel when "
                                         f"training, got input size {tuple(x.shape)}",
                           ValueError)
        mean = ops.mean(x, dims, keepdim=True)
        centered = x - mean
        var = ops.mean(centered * centered, dims, keepdim=True)
        out = centered * ops.rsqrt(var + eps)
        with no_grad():
            if running_mean is not None:
                m = ops.reshape(mean, (c,)).to(running_mean.dtype)
                running_mean.copy_(running_mean * (1.0 - momentum) + m * momentum)
            if running_var is not None:
                v = ops.reshape(var, (c,)).to(running_var.dtype) * (n / (n - 1))
                running_var.copy_(running_var * (1.0 - momentum) + v * momentum)
    else:
        if running_mean is None or running_var is None:
            raise op_error("batch_norm", "running_mean and running_var must be defined in "
                                         "evaluation mode (training=False)")
        rm = ops.reshape(running_mean, shape)
        rv = ops.reshape(running_var, shape)
        out = (x - rm) * ops.rsqrt(rv + eps)
    if weight is not None:
        out = out * ops.reshape(weight, shape)
    if bias is not None:
        out = out + ops.reshape(bias, shape)
    return out


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalizes over each group of ``C / num_groups`` channels and all spatial dims
    (biased variance), then scales and shifts per channel."""
    x = _float_input(input, "group_norm")
    if x.ndim < 2:
        raise op_error("group_norm", f"expected an input with at least 2 dims (N, C, ...), "
                                     f"got shape {tuple(x.shape)}", ValueError)
    n, c = x.shape[0], x.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise op_error("group_norm", f"Expected number of channels in input to be divisible "
                                     f"by num_groups, but got input of shape "
                                     f"{tuple(x.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise op_error("group_norm", f"Expected {name} to be a vector of size equal to "
                                         f"the number of channels in input, but got {name} "
                                         f"of shape {tuple(t.shape)} and input of shape "
                                         f"{tuple(x.shape)}")
    g = ops.reshape(x, (n, num_groups, -1))
    mean = ops.mean(g, 2, keepdim=True)
    centered = g - mean
    var = ops.mean(centered * centered, 2, keepdim=True)
    out = ops.reshape(centered * ops.rsqrt(var + eps), tuple(x.shape))
    shape = _channel_shape(x)
    if weight is not None:
        out = out * ops.reshape(weight, shape)
    if bias is not None:
        out = out + ops.reshape(bias, shape)
    return out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    x = _float_input(input, "normalize")
    if out is not None:
        raise op_error("normalize", "out= is not supported", NotImplementedError)
    if p == math.inf:
        norm = ops.clamp_min(ops.amax(ops.abs(x), dim, keepdim=True), eps)
    elif p == 1:
        norm = ops.clamp_min(ops.sum(ops.abs(x), dim, keepdim=True), eps)
    elif p > 0:
        s = ops.sum(x * x if p == 2 else ops.pow(ops.abs(x), p), dim, keepdim=True)
        # A zero vector's norm is 0 with a zero gradient (not 0 * inf from s ** (1/p)).
        nonzero = s > 0
        root = ops.sqrt(ops.where(nonzero, s, 1.0)) if p == 2 else \
            ops.pow(ops.where(nonzero, s, 1.0), 1.0 / p)
        norm = ops.clamp_min(ops.where(nonzero, root, 0.0), eps)
    else:
        raise op_error("normalize", f"p must be positive, got {p}", ValueError)
    return x / norm


# -- embedding ---------------------------------------------------------------------------

def _index_array(x: Tensor, op: str) -> np.ndarray:
    if x.dtype not in (dtypes.int64, dtypes.int32):
        raise op_error(op, f"expected an index tensor of dtype int64 or int32, got "
                           f"{x.dtype!r}", TypeError)
    return x.numpy()


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor with a trailing dim of ``num_classes``: 1 at each index, else 0."""
    _check(tensor, "one_hot")
    if tensor.dtype is not dtypes.int64:
        raise op_error("one_hot", f"one_hot is only applicable to index tensor of type "
                                  f"int64, got {tensor.dtype!r}")
    a = tensor.numpy()
    if num_classes == -1:
        if a.size == 0:
            raise op_error("one_hot", "Can not infer total number of classes from empty "
                                      "tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise op_error("one_hot", "Class values must be non-negative.")
        if a.max() >= num_classes:
            raise op_error("one_hot", "Class values must be smaller than num_classes.")
    classes = arange(num_classes, dtype=dtypes.int64)
    return (ops.unsqueeze(tensor, -1) == classes).to(dtypes.int64)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the indices ``input`` (any shape): shape ``input.shape +
    (embedding_dim,)``. ``padding_idx``'s row gets no gradient; ``max_norm`` renormalizes
    the referenced rows of ``weight`` in place; ``scale_grad_by_freq`` divides each row's
    gradient by its count in ``input``."""
    _check(input, "embedding")
    _check(weight, "embedding")
    if weight.ndim != 2:
        raise op_error("embedding", f"weight must be 2-D, got shape {tuple(weight.shape)}")
    if sparse:
        raise op_error("embedding", "sparse gradients are not supported", NotImplementedError)
    v, d = weight.shape
    idx = _index_array(input, "embedding")
    if idx.size and (idx.min() < 0 or idx.max() >= v):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise op_error("embedding", f"index {bad} is out of range for an embedding table "
                                    f"of {v} rows", IndexError)
    if padding_idx is not None:
        if not -v <= padding_idx < v:
            raise op_error("embedding", f"padding_idx must be within num_embeddings ({v}), "
                                        f"got {padding_idx}", ValueError)
        padding_idx %= v
    flat = idx.reshape(-1).astype(np.int64)
    if max_norm is not None:
        rows = np.unique(flat)
        with no_grad():
            sel = tensor(rows)
            picked = ops.index_select(weight, 0, sel)
            norms = ops.pow(ops.sum(ops.pow(ops.abs(picked), norm_type), 1, keepdim=True),
                            1.0 / norm_type)
            scale = ops.where(norms > max_norm, max_norm / (norms + 1e-7),
                              ops.zeros_like(norms) + 1.0)
            mask = np.zeros(v, dtype=bool)
            mask[rows] = True
            pos = np.zeros(v, dtype=np.int64)
            pos[rows] = np.arange(rows.size)
            full_scale = ops.index_select(scale, 0, tensor(pos))
            weight.copy_(ops.where(ops.unsqueeze(tensor(mask), 1), weight * full_scale,
                                   weight))
    row_scale = None
    if scale_grad_by_freq or padding_idx is not None:
        row_scale = np.ones(v, dtype=weight.dtype.np)
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=v)
            row_scale[counts > 0] = 1.0 / counts[counts > 0]
        if padding_idx is not None:
            row_scale[padding_idx] = 0.0
    w = weight
    if w.requires_grad and is_grad_enabled():
        if row_scale is not None:
            # The value of weight, the gradient scaled per row.
            fixed = w.detach()
            w = fixed + (w - fixed) * ops.unsqueeze(tensor(row_scale), 1)
        # A one-hot matmul, built in the region: its gradient is a matmul too, where
        # gather's is an O(n * V * D) one-hot reduction.
        hot = ops.unsqueeze(tensor(flat), 1) == arange(v, dtype=dtypes.int64)
        out = ops.matmul(hot.to(weight.dtype), w)
    else:
        out = ops.index_select(w, 0, tensor(flat))
    return ops.reshape(out, tuple(input.shape) + (d,))


# -- pooling -----------------------------------------------------------------------------

def _tuple(v, n: int, name: str, op: str) -> tuple[int, ...]:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(e) for e in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise op_error(op, f"{name} must be an int or a tuple of {n} ints, got {v}", ValueError)
    return v


def _out_size(size: int, k: int, p: int, s: int, d: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_setup(x: Tensor, n: int, op: str, kernel_size, stride, padding, dilation,
                ceil_mode: bool):
    """Validates a pooling call over the last ``n`` dims; returns the per-dim kernel,
    stride, padding, dilation and output sizes."""
    _check(x, op)
    if x.ndim not in (n + 1, n + 2):
        raise op_error(op, f"expected a {n + 1}D or {n + 2}D (batch mode) input, got shape "
                           f"{tuple(x.shape)}")
    k = _tuple(kernel_size, n, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, n, "stride", op)
    p = _tuple(padding, n, "padding", op)
    d = _tuple(dilation, n, "dilation", op)
    if builtins.any(e <= 0 for e in k + s + d):
        raise op_error(op, f"kernel_size {k}, stride {s} and dilation {d} must be positive",
                       ValueError)
    if builtins.any(pi < 0 or pi > ((ki - 1) * di + 1) // 2
                    for pi, ki, di in zip(p, k, d, strict=True)):
        raise op_error(op, f"pad should be at most half of effective kernel size, but got "
                           f"padding={p}, kernel_size={k} and dilation={d}")
    spatial = tuple(x.shape[-n:])
    out = tuple(_out_size(*a, ceil_mode) for a in zip(spatial, k, p, s, d, strict=True))
    if builtins.any(o < 1 for o in out):
        raise op_error(op, f"Given input size: {tuple(x.shape)}. Calculated output size: "
                           f"{tuple(x.shape[:-n]) + out}. Output size is too small")
    return k, s, p, d, out


def _padded(x: Tensor, n: int, k, s, p, d, out, value: float) -> Tensor:
    """``x`` padded by ``p`` on both sides of each pooled dim, and on the right up to
    what the last window reaches (ceil mode)."""
    widths = []
    for i in reversed(range(n)):
        size = x.shape[x.ndim - n + i]
        need = (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1
        widths += [p[i], builtins.max(p[i], need - size - p[i])]
    if not builtins.any(widths):
        return x
    return ops.pad(x, widths, value=value)


def _windows(xp: Tensor, n: int, k, s, d, out):
    """A view per kernel offset (row-major): view[..., o] = xp[..., o * s + offset * d]."""
    for offset in np.ndindex(*k):
        key = (Ellipsis,) + tuple(builtins.slice(o * di, o * di + (m - 1) * si + 1, si)
                                  for o, di, si, m in zip(offset, d, s, out, strict=True))
        yield xp[key]


def _max_pool(x, n, op, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, p, d, out = _pool_setup(x, n, op, kernel_size, stride, padding, dilation, ceil_mode)
    if x.dtype is dtypes.bool_:
        raise op_error(op, "bool inputs are not supported", TypeError)
    low = -math.inf if x.dtype.is_floating_point else int(np.iinfo(x.dtype.np).min)
    xp = _padded(x, n, k, s, p, d, out, low)
    # A chain of elementwise selects over the window offsets (row-major): a later
    # element wins if strictly greater or NaN, so the value, the gradient and the index
    # go to the first maximum, or the last NaN (PyTorch's kernel). It fuses into one
    # vectorized loop, where a reduction over stacked windows would not.
    views = _windows(xp, n, k, s, d, out)
    best = next(views)
    which = tensor(np.int64(0)) if return_indices else None
    for j, v in enumerate(views, start=1):
        take = ops.gt(v, best)
        if x.dtype.is_floating_point:
            take = ops.logical_or(take, ops.isnan(v))
        best = ops.where(take, v, best)
        if return_indices:
            which = ops.where(take, tensor(np.int64(j)), which)
    if not return_indices:
        return best
    which = ops.broadcast_to(which, tuple(best.shape))  # a 1-element window: all 0
    # Flat index into the unpadded spatial dims: start of the window plus the offset.
    kw = k[-1]
    col = ops.remainder(which, kw) if n == 2 else which
    flat = tensor((np.arange(out[-1]) * s[-1] - p[-1]).astype(np.int64)) + col * d[-1]
    if n == 2:
        row = tensor((np.arange(out[0]) * s[0] - p[0]).astype(np.int64)[:, None]) + \
            ops.floor_divide(which, kw) * d[0]
        flat = row * x.shape[-1] + flat
    return best, flat


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over sliding windows of the last dim of an (N, C, L) or (C, L) input."""
    return _max_pool(input, 1, "max_pool1d", kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over sliding windows of the last two dims of an (N, C, H, W) or (C, H, W)
    input; ``return_indices`` gives flat ``h * W + w`` positions of the maxima."""
    return _max_pool(input, 2, "max_pool2d", kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def _avg_divisor(size: int, k: int, p: int, s: int, out: int,
                 count_include_pad: bool) -> np.ndarray:
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return (end - start).astype(np.float64)
    return (np.minimum(end, size) - np.maximum(start, 0)).astype(np.float64)


def _avg_pool(x, n, op, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    _float_input(x, op)
    k, s, p, d, out = _pool_setup(x, n, op, kernel_size, stride, padding, 1, ceil_mode)
    xp = _padded(x, n, k, s, p, d, out, 0.0)
    total = None
    for v in _windows(xp, n, k, s, d, out):
        total = v if total is None else total + v
    if divisor_override is not None:
        if divisor_override == 0:
            raise op_error(op, "divisor must be not zero")
        return total / divisor_override
    divisor = np.ones((), dtype=np.float64)
    for size, ki, pi, si, m in zip(x.shape[-n:], k, p, s, out, strict=True):
        divisor = np.multiply.outer(divisor, _avg_divisor(size, ki, pi, si, m,
                                                          count_include_pad))
    return total / tensor(divisor.astype(x.dtype.np))


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of the last dim of an (N, C, L) or (C, L) input."""
    return _avg_pool(input, 1, "avg_pool1d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over sliding windows of the last two dims of an (N, C, H, W) or (C, H, W)
    input; ``count_include_pad=False`` averages over the real elements only."""
    return _avg_pool(input, 2, "avg_pool2d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_matrix(size: int, out: int, dt) -> Tensor:
    """(out, size) matrix averaging ``[floor(i * size / out), ceil((i + 1) * size / out))``
    into output ``i`` (PyTorch's adaptive windows)."""
    a = np.zeros((out, size), dtype=np.float64)
    for i in range(out):
        lo, hi = (i * size) // out, -(-((i + 1) * size) // out)
        a[i, lo:hi] = 1.0 / (hi - lo)
    return tensor(a.astype(dt.np))


def _adaptive_sizes(x: Tensor, n: int, output_size, op: str) -> tuple[int, ...]:
    _float_input(x, op)
    if x.ndim not in (n + 1, n + 2):
        raise op_error(op, f"expected a {n + 1}D or {n + 2}D input, got shape "
                           f"{tuple(x.shape)}", ValueError)
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * n
    output_size = tuple(output_size)
    if len(output_size) != n:
        raise op_error(op, f"output_size must be an int or a tuple of {n}, got "
                           f"{output_size}", ValueError)
    sizes = tuple(x.shape[x.ndim - n + i] if o is None else int(o)
                  for i, o in enumerate(output_size))
    if builtins.any(o <= 0 for o in sizes) or builtins.any(e == 0 for e in x.shape[-n:]):
        raise op_error(op, f"output_size {sizes} must be positive and the input's pooled "
                           f"dims non-empty, got input shape {tuple(x.shape)}", ValueError)
    return sizes


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Averages the last dim into ``output_size`` windows (sizes may not divide)."""
    (o,) = _adaptive_sizes(input, 1, output_size, "adaptive_avg_pool1d")
    return ops.matmul(input, _adaptive_matrix(input.shape[-1], o, input.dtype).t())


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Averages the last two dims into an ``output_size`` grid of windows (``None`` keeps
    a dim's size); computed as ``A_h @ x @ A_w.T`` with host-built averaging matrices."""
    oh, ow = _adaptive_sizes(input, 2, output_size, "adaptive_avg_pool2d")
    h, w = input.shape[-2], input.shape[-1]
    y = ops.matmul(input, _adaptive_matrix(w, ow, input.dtype).t())
    return ops.matmul(_adaptive_matrix(h, oh, input.dtype), y)
