"""nn.functional: convolutions, recorded as ``ember.conv`` / ``ember.conv_transpose``
(whose gradients are the dialect's own conv ops, see ``EmberVJPs.cpp``)."""

from __future__ import annotations

import builtins
import operator

from ember._src import ops
from ember._src.errors import op_error
from ember._src.record import _record
from ember._src.tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


def _tuple(v, nd: int, name: str, op: str, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of ints (NumPy ints included) as ``nd`` Python ints."""
    try:
        vals = (operator.index(v),) * nd if not isinstance(v, (tuple, list)) else \
            tuple(operator.index(i) for i in v)
    except TypeError:
        raise op_error(op, f"{name} must be an int or a tuple of {nd} ints, got {v!r}",
                       TypeError) from None
    if len(vals) == 1 and nd > 1:
        vals = vals * nd
    if len(vals) != nd:
        raise op_error(op, f"{name} must be an int or a tuple of {nd} ints, got {v!r}")
    if builtins.any(i < minimum for i in vals):
        raise op_error(op, f"{name} must be >= {minimum}, got {v!r}")
    return vals


def _check(x, weight, bias, nd: int, op: str) -> tuple[Tensor, bool]:
    for name, t in (("input", x), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise op_error(op, f"{name} must be an ember.Tensor, got {type(t).__name__}",
                           TypeError)
    if weight.ndim != nd + 2:
        raise op_error(op, f"weight must have {nd + 2} dimensions, got shape "
                           f"{tuple(weight.shape)}")
    if x.ndim not in (nd + 1, nd + 2):
        raise op_error(op, f"expected {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
                           f"got shape {tuple(x.shape)}")
    if not x.dtype.is_floating_point or x.dtype is not weight.dtype:
        raise op_error(op, f"input ({x.dtype}) and weight ({weight.dtype}) must have the "
                           f"same floating point dtype")
    _check_bias(bias, weight.shape[0], x.dtype, op)
    unbatched = x.ndim == nd + 1
    return (ops.unsqueeze(x, 0) if unbatched else x), unbatched


def _check_bias(bias, size: int, dt, op: str) -> None:
    if bias is None:
        return
    if not isinstance(bias, Tensor) or tuple(bias.shape) != (size,):
        raise op_error(op, f"bias must be a 1-D tensor of size {size}, got "
                           f"{getattr(bias, 'shape', bias)}")
    if bias.dtype is not dt:
        raise op_error(op, f"input type ({dt}) and bias type ({bias.dtype}) should be the "
                           f"same")


def _bias(out: Tensor, bias: Tensor | None, nd: int) -> Tensor:
    if bias is None:
        return out
    return out + ops.reshape(bias, (1, -1) + (1,) * nd)


def _conv(x, weight, bias, stride, padding, dilation, groups, nd, op):
    x, unbatched = _check(x, weight, bias, nd, op)
    stride = _tuple(stride, nd, "stride", op, 1)
    dilation = _tuple(dilation, nd, "dilation", op, 1)
    if not isinstance(groups, int) or groups < 1:
        raise op_error(op, f"groups must be a positive int, got {groups!r}")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
            pairs = [(0, 0)] * nd
        elif padding == "same":
            if builtins.any(s != 1 for s in stride):
                raise op_error(op, "padding='same' is not supported for strided convolutions")
            pairs = []
            for k, d in zip(kernel, dilation, strict=True):
                total = d * (k - 1)
                pairs.append((total // 2, total - total // 2))
        else:
            raise op_error(op, f"padding must be 'valid', 'same', an int or a tuple, got "
                               f"{padding!r}")
    else:
        pairs = [(p, p) for p in _tuple(padding, nd, "padding", op, 0)]
    c_in, c_out = x.shape[1], weight.shape[0]
    if c_out % groups:
        raise op_error(op, f"out_channels ({c_out}) must be divisible by groups ({groups})")
    if c_in != weight.shape[1] * groups:
        raise op_error(op, f"expected input{tuple(x.shape)} to have "
                           f"{weight.shape[1] * groups} channels (weight "
                           f"{tuple(weight.shape)}, groups {groups}), but got {c_in} channels")
    if builtins.any(p for pair in pairs for p in pair):
        flat = [v for pair in reversed(pairs) for v in pair]
        x = ops.pad(x, flat)
    out_sizes = []
    for s, k, d, st in zip(x.shape[2:], kernel, dilation, stride, strict=True):
        span = d * (k - 1) + 1
        if s < span:
            raise op_error(op, f"calculated padded input size per channel {tuple(x.shape[2:])} "
                               f"is smaller than the dilated kernel size {kernel} (dilation "
                               f"{dilation})")
        out_sizes.append((s - span) // st + 1)
    shape = (x.shape[0], c_out, *out_sizes)
    out = _bias(_record("conv", (stride, dilation, groups), (x, weight), shape, x.dtype),
                bias, nd)
    return ops.squeeze(out, 0) if unbatched else out


def _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                    op):
    x, unbatched = _check(x, weight, None, nd, op)
    stride = _tuple(stride, nd, "stride", op, 1)
    dilation = _tuple(dilation, nd, "dilation", op, 1)
    padding = _tuple(padding, nd, "padding", op, 0)
    output_padding = _tuple(output_padding, nd, "output_padding", op, 0)
    if not isinstance(groups, int) or groups < 1:
        raise op_error(op, f"groups must be a positive int, got {groups!r}")
    for o, s, d in zip(output_padding, stride, dilation, strict=True):
        if o >= builtins.max(s, d):
            raise op_error(op, f"output padding must be smaller than either stride or "
                               f"dilation, got output_padding={output_padding}, "
                               f"stride={stride}, dilation={dilation}")
    c_in = x.shape[1]
    if weight.shape[0] != c_in:
        raise op_error(op, f"expected input{tuple(x.shape)} to have {weight.shape[0]} "
                           f"channels (weight {tuple(weight.shape)}), but got {c_in} channels")
    if c_in % groups:
        raise op_error(op, f"in_channels ({c_in}) must be divisible by groups ({groups})")
    c_out = weight.shape[1] * groups
    _check_bias(bias, c_out, x.dtype, op)
    kernel = tuple(weight.shape[2:])
    full = tuple((p - 1) * s + d * (k - 1) + 1 for p, s, d, k in
                 zip(x.shape[2:], stride, dilation, kernel, strict=True))
    final = tuple(f + o - 2 * p for f, o, p in zip(full, output_padding, padding, strict=True))
    if builtins.any(f <= 0 for f in final):
        raise op_error(op, f"the output size {final} is too small (input "
                           f"{tuple(x.shape)}, padding {padding})")
    out = _record("conv_transpose", (stride, dilation, groups), (x, weight),
                  (x.shape[0], c_out, *full), x.dtype)
    if builtins.any(padding) or builtins.any(output_padding):
        crop = []
        for p, o in zip(reversed(padding), reversed(output_padding), strict=True):
            crop += [-p, o - p]
        out = ops.pad(out, crop)
    out = _bias(out, bias, nd)
    return ops.squeeze(out, 0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """1-D cross-correlation over (N, C, L) or (C, L) input; weight (O, C/groups, K)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """2-D cross-correlation over (N, C, H, W) or (C, H, W); weight (O, C/groups, KH, KW).
    ``padding`` is an int, a pair, ``'valid'`` or ``'same'``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """3-D cross-correlation over (N, C, D, H, W) or (C, D, H, W)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0,  # noqa: A002
                     output_padding=0, groups=1, dilation=1):
    """The adjoint of conv1d (a "deconvolution"); weight (C_in, C_out/groups, K)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0,  # noqa: A002
                     output_padding=0, groups=1, dilation=1):
    """The adjoint of conv2d; weight (C_in, C_out/groups, KH, KW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0,  # noqa: A002
                     output_padding=0, groups=1, dilation=1):
    """The adjoint of conv3d; weight (C_in, C_out/groups, KD, KH, KW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")
