"""nn.functional: losses, composed from primitives with PyTorch's semantics.

Class-index losses pick the target's log-probability with a one-hot mask
(``target == arange(C)``) rather than ``gather``: the graph stays lazy (no sync on the
target) and ``ignore_index`` is one more mask. Targets are range-checked when their values
are already on the host (a realized tensor or a view of one)."""

from __future__ import annotations

import warnings

import numpy as np

from ember._src import dtypes, ops
from ember._src.creation import arange
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "huber_loss", "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss"]

_REDUCTIONS = ("none", "mean", "sum")


# -- helpers -----------------------------------------------------------------------------

def _legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's deprecated ``size_average`` / ``reduce`` pair as a ``reduction``."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction: str, allowed=_REDUCTIONS) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return ops.mean(loss)
    if reduction == "sum":
        return ops.sum(loss)
    return loss


def _tensor(x, op: str, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise op_error(op, f"{name} must be an ember.Tensor, got {type(x).__name__}", TypeError)
    return x


def _float_input(x, op: str, name: str = "input") -> Tensor:
    x = _tensor(x, op, name)
    if not x.dtype.is_floating_point:
        raise op_error(op, f"{name} must be a floating-point tensor, got {x.dtype!r}")
    return x


def _host_value(t: Tensor) -> np.ndarray | None:
    """``t``'s value if it is on the host without compiling anything (a realized tensor,
    or reshapes / permutes / slices / expands of one), else None."""
    chain = []
    node = t._node
    while node.buffer is None:
        if node.op not in ("reshape", "transpose", "slice", "broadcast") or \
                len(node.inputs) != 1:
            return None
        chain.append(node)
        node = node.inputs[0]
    a = node.buffer
    for n in reversed(chain):
        if n.op == "reshape":
            a = a.reshape(n.shape)
        elif n.op == "transpose":
            a = a.transpose(n.attrs[0])
        elif n.op == "slice":
            a = a[tuple(slice(*s) for s in zip(*n.attrs, strict=True))]
        else:
            a = np.broadcast_to(a, n.shape)
    return a


def _broadcast_weight(weight, input: Tensor, op: str, name: str = "weight") -> Tensor:
    """A weight that broadcasts to the input's shape (without enlarging it)."""
    weight = _tensor(weight, op, name)
    if ops.broadcast_shapes(weight.shape, input.shape, op=op) != tuple(input.shape):
        raise op_error(op, f"{name} of shape {tuple(weight.shape)} does not broadcast to the "
                           f"input shape {tuple(input.shape)}")
    return weight


def _size(shape) -> str:
    return str(list(shape))


def _same_size_warning(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=3)


def _sample_weight(weight, input: Tensor, op: str) -> Tensor | None:
    if weight is None:
        return None
    weight = _tensor(weight, op, "weight")
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    return weight


# -- class-index losses --------------------------------------------------------------------

def _check_class_target(op: str, input: Tensor, target: Tensor,
                        weight: Tensor | None, ignore_index: int) -> None:
    if input.ndim < 1:
        raise op_error(op, f"Expected 1 or more dimensions (got {input.ndim})", ValueError)
    if target.dtype is not dtypes.int64:
        raise op_error(op, f"expected target dtype to be int64 (class indices), but got "
                           f"{target.dtype!r}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise op_error(op, f"a 1-D input (one sample of {input.shape[0]} classes) takes a "
                               f"0-D target, got shape {tuple(target.shape)}")
    else:
        if target.ndim == 0 or target.shape[0] != input.shape[0]:
            tb = target.shape[0] if target.ndim else 0
            raise op_error(op, f"Expected input batch_size ({input.shape[0]}) to match target "
                               f"batch_size ({tb}).", ValueError)
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            raise op_error(op, f"Expected target size {_size(want)}, got "
                               f"{_size(target.shape)}")
    classes = input.shape[0 if input.ndim == 1 else 1]
    if weight is not None:
        _tensor(weight, op, "weight")
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != classes):
        raise op_error(op, f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{_size(weight.shape)}")
    if weight is not None and weight.dtype is not input.dtype:
        raise op_error(op, f"weight has dtype {weight.dtype!r} but the input has "
                           f"{input.dtype!r}")
    values = _host_value(target)
    if values is not None and values.size:
        bad = (values < 0) | (values >= classes)
        bad &= values != ignore_index
        if bad.any():
            raise op_error(op, f"Target {int(values[bad].flat[0])} is out of bounds.",
                           IndexError)


def _class_nll(logp: Tensor, target: Tensor, weight: Tensor | None,
               ignore_index: int, reduction: str, label_smoothing: float = 0.0) -> Tensor:
    """Negative log-likelihood of class indices over dim 1 of ``logp`` ``(N, C, d1, ...)``,
    with PyTorch's label smoothing (the uniform part weighted by ``weight`` too)."""
    classes = logp.shape[1]
    view = (1, classes) + (1,) * (logp.ndim - 2)
    ids = ops.reshape(arange(classes), view)
    hit = ops.eq(ops.unsqueeze(target, 1), ids)
    if 0 <= ignore_index < classes:
        hit = ops.logical_and(hit, ops.ne(ids, ignore_index))
    weighted = logp if weight is None else logp * ops.reshape(weight, view)
    loss = -ops.sum(ops.where(hit, weighted, 0.0), dim=1)
    if label_smoothing > 0.0:
        smooth = -ops.sum(weighted, dim=1)
        keep = ops.ne(target, ignore_index)
        smooth = ops.where(keep, smooth, 0.0)
        loss = loss * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)
    if reduction == "none":
        return loss
    total = ops.sum(loss)
    if reduction == "sum":
        return total
    if weight is None:
        count = ops.sum(ops.cast(hit, logp.dtype))
    else:
        count = ops.sum(ops.where(hit, ops.reshape(weight, view), 0.0))
    return total / count


def _batched(input: Tensor, target: Tensor):
    """An unbatched ``(C,)`` input and 0-D target as a batch of one."""
    if input.ndim == 1:
        return ops.unsqueeze(input, 0), ops.unsqueeze(target, 0), True
    return input, target, False


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100,
             reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices: ``-input[n, target[n], ...]`` (times
    ``weight[target[n]]``); 'mean' divides by the summed weights of the non-ignored
    targets (nan when all are ignored)."""
    reduction = _reduction(size_average, reduce, reduction)
    input = _float_input(input, "nll_loss")
    target = _tensor(target, "nll_loss", "target")
    _check_class_target("nll_loss", input, target, weight, ignore_index)
    x, t, unbatched = _batched(input, target)
    out = _class_nll(x, t, weight, ignore_index, reduction)
    return ops.reshape(out, ()) if unbatched and reduction == "none" else out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; a target of the
    input's shape holds class probabilities. Class dim 1 (0 for an unbatched input)."""
    reduction = _reduction(size_average, reduce, reduction)
    input = _float_input(input, "cross_entropy")
    target = _tensor(target, "cross_entropy", "target")
    if label_smoothing > 1.0:
        raise op_error("cross_entropy", f"label_smoothing must be between 0.0 and 1.0. Got: "
                                        f"{label_smoothing}")
    if input.ndim >= 1 and tuple(input.shape) == tuple(target.shape):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing)
    _check_class_target("cross_entropy", input, target, weight, ignore_index)
    x, t, unbatched = _batched(input, target)
    out = _class_nll(ops.log_softmax(x, 1), t, weight, ignore_index, reduction,
                     label_smoothing)
    return ops.reshape(out, ()) if unbatched and reduction == "none" else out


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Tensor | None,
                         ignore_index: int, reduction: str, label_smoothing: float) -> Tensor:
    op = "cross_entropy"
    if not target.dtype.is_floating_point:
        raise op_error(op, f"Expected floating point type for target with class "
                           f"probabilities, got {target.dtype!r}")
    if ignore_index >= 0:
        raise op_error(op, "ignore_index is not supported for floating point target")
    dim = 0 if input.ndim == 1 else 1
    classes = input.shape[dim]
    if weight is not None:
        _tensor(weight, op, "weight")
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != classes):
        raise op_error(op, f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{_size(weight.shape)}")
    if label_smoothing > 0.0:
        target = target * (1.0 - label_smoothing) + label_smoothing / classes
    prod = ops.log_softmax(input, dim) * target
    if weight is not None:
        prod = prod * ops.reshape(weight, (classes,) + (1,) * (input.ndim - dim - 1))
    if reduction == "none":
        return -ops.sum(prod, dim=dim)
    total = -ops.sum(prod)
    if reduction == "sum":
        return total
    return total / (input.numel() // classes)


# -- regression losses ---------------------------------------------------------------------

def _pointwise(op: str, input: Tensor, target: Tensor) -> Tensor:
    input = _tensor(input, op, "input")
    target = _tensor(target, op, "target")
    _same_size_warning(input, target)
    diff = input - target
    if not diff.dtype.is_floating_point:
        raise op_error(op, f"needs floating-point values, got input {input.dtype!r} and "
                           f"target {target.dtype!r}")
    return diff


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """``(input - target) ** 2``; with ``weight``, 'mean' divides by ``weight.sum()``."""
    reduction = _reduction(size_average, reduce, reduction)
    diff = _pointwise("mse_loss", input, target)
    return _weighted(diff * diff, _sample_weight(weight, input, "mse_loss"), reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """``|input - target|``; with ``weight``, 'mean' divides by ``weight.sum()``."""
    reduction = _reduction(size_average, reduce, reduction)
    diff = _pointwise("l1_loss", input, target)
    return _weighted(ops.abs(diff), _sample_weight(weight, input, "l1_loss"), reduction)


def _weighted(loss: Tensor, weight: Tensor | None, reduction: str) -> Tensor:
    if weight is None:
        return _reduce(loss, reduction)
    loss = loss * weight
    if reduction == "mean":
        return ops.sum(loss) / ops.sum(weight)
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor,
                   size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise op_error("smooth_l1_loss", "smooth_l1_loss does not support negative values "
                                         "for beta.")
    diff = _pointwise("smooth_l1_loss", input, target)
    z = ops.abs(diff)
    if beta == 0.0:
        return _reduce(z, reduction)
    return _reduce(ops.where(z < beta, diff * diff * (0.5 / beta), z - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``; with
    ``weight``, 'mean' is the mean of the weighted losses (as PyTorch)."""
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise op_error("huber_loss", "huber_loss does not support non-positive values for "
                                     "delta.")
    diff = _pointwise("huber_loss", input, target)
    z = ops.abs(diff)
    loss = ops.where(z < delta, diff * diff * 0.5, (z - 0.5 * delta) * delta)
    weight = _sample_weight(weight, input, "huber_loss")
    return _reduce(loss if weight is None else loss * weight, reduction)


# -- binary and distribution losses --------------------------------------------------------

def _clamped_log(x: Tensor) -> Tensor:
    """``max(log(x), -100)``, with a zero (not nan) gradient where ``x == 0``."""
    positive = x > 0
    safe = ops.where(positive, x, 1.0)
    return ops.where(positive, ops.maximum(ops.log(safe), -100.0), -100.0)


def binary_cross_entropy(input: Tensor, target: Tensor,
                         weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``-(t * log(x) + (1 - t) * log(1 - x))`` with each log clamped at -100."""
    op = "binary_cross_entropy"
    reduction = _reduction(size_average, reduce, reduction)
    input = _float_input(input, op)
    target = _tensor(target, op, "target")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to "
                         f"the input size ({tuple(input.shape)}) is deprecated. Please "
                         "ensure they have the same size.")
    if target.dtype is not input.dtype:
        raise op_error(op, f"target has dtype {target.dtype!r} but the input has "
                           f"{input.dtype!r}")
    values = _host_value(input)
    if values is not None and values.size and not ((values >= 0) & (values <= 1)).all():
        raise op_error(op, "all elements of input should be between 0 and 1")
    loss = -(target * _clamped_log(input) + (1.0 - target) * _clamped_log(1.0 - input))
    if weight is not None:
        loss = loss * _broadcast_weight(weight, input, op)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` in the stable form
    ``(1 - t) * x + (1 + (pos_weight - 1) * t) * softplus(-x)``."""
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(size_average, reduce, reduction)
    input = _float_input(input, op)
    target = _tensor(target, op, "target")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    if not target.dtype.is_floating_point:
        raise op_error(op, f"target must be a floating-point tensor, got {target.dtype!r}")
    # softplus(-x) = max(-x, 0) + log1p(exp(-|x|)); maximum splits the gradient at 0.
    softplus_neg = ops.maximum(-input, 0.0) + ops.log1p(ops.exp(-ops.abs(input)))
    if pos_weight is not None:
        pos_weight = _broadcast_weight(pos_weight, input, op, "pos_weight")
        softplus_neg = softplus_neg * ((pos_weight - 1.0) * target + 1.0)
    loss = (1.0 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * _broadcast_weight(weight, input, op)
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """``target * (log(target) - input)`` pointwise (``input`` holds log-probabilities;
    ``log_target`` says ``target`` does too); 'batchmean' divides the sum by the batch
    size, 'mean' by the element count (with PyTorch's warning)."""
    op = "kl_div"
    if size_average is None and reduce is None and reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    reduction = _reduction(size_average, reduce, reduction, _REDUCTIONS + ("batchmean",))
    input = _float_input(input, op)
    target = _float_input(target, op, "target")
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        # xlogy(t, t): 0 where t == 0, with a finite gradient there.
        loss = target * ops.log(ops.where(target == 0, 1.0, target)) - target * input
    if reduction == "batchmean":
        total = ops.sum(loss)
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)
