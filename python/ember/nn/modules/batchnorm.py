"""Batch normalization layers with PyTorch's parameters, buffers and running-stat rules."""

from __future__ import annotations

import weakref

from ember._src import dtypes
from ember._src.autograd import no_grad
from ember._src.creation import empty, ones, tensor, zeros
from ember._src.tensor import Tensor
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter
from ember.runtime import realize

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]

# Modules whose running statistics hold a pending update. Nothing in a training step
# reads them, so left alone each update would keep its step's graph alive and chain to
# the next; a module called again first computes all of them, in one region.
_pending: weakref.WeakSet = weakref.WeakSet()


def _flush_running_stats() -> None:
    nodes = [t._node for m in list(_pending) for t in (m.running_mean, m.running_var,
                                                       m.num_batches_tracked)
             if t is not None and not t._node.realized]
    _pending.clear()
    if nodes:
        realize(nodes)


class _BatchNorm(Module):
    """Normalizes each channel (dim 1) over the batch and spatial dims. In training the
    batch statistics are used and ``running_mean`` / ``running_var`` (unbiased) move by
    ``momentum`` (``None``: a cumulative average over ``num_batches_tracked``); in eval
    the running statistics are used, unless ``track_running_stats=False``. ``affine``
    adds a per-channel ``weight`` and (unless ``bias=False``) ``bias``."""

    _expected_dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype,
                                                       device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=dtypes.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, x: Tensor) -> None:
        if x.ndim not in self._expected_dims:
            want = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"expected {want} input (got {x.ndim}D input)")

    def forward(self, x: Tensor) -> Tensor:
        self._check_input_dim(x)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self in _pending:
            _flush_running_stats()
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            _pending.add(self)
            with no_grad():
                self.num_batches_tracked.add_(1)
                if self.momentum is None:
                    # 1 / num_batches_tracked, kept on the device (no sync).
                    momentum = 1.0 / self.num_batches_tracked.to(self.running_mean.dtype)
        use_batch_stats = self.training or (self.running_mean is None and
                                            self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs."""

    _expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) inputs."""

    _expected_dims = (5,)
