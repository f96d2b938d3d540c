"""``RMSprop``: gradients scaled by a running RMS (centered or not, with momentum),
as PyTorch's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ember._src.autograd import no_grad
from ember.optim.optimizer import (
    Optimizer,
    _addcdiv,
    _addcmul,
    _assign,
    _check_flags,
    _grad,
    _lerp,
    _state_zeros,
    _use_closure,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """``v = alpha * v + (1 - alpha) * g * g``; ``p -= lr * g / (sqrt(v) + eps)``.
    ``centered`` subtracts the square of the running mean of ``g`` from ``v``;
    ``momentum`` keeps ``b = momentum * b + g / (sqrt(v) + eps)`` and uses ``p -= lr * b``."""

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_flags("RMSprop", differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (one compiled region)."""
        loss = _use_closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
                wd, momentum = group["weight_decay"], group["momentum"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0.0
                        state["square_avg"] = _state_zeros(p)
                        if momentum > 0:
                            state["momentum_buffer"] = _state_zeros(p)
                        if group["centered"]:
                            state["grad_avg"] = _state_zeros(p)
                    state["step"] = float(state["step"]) + 1
                    g = _grad(p, group["maximize"])
                    if wd != 0:
                        g = g + p * wd
                    square_avg = state["square_avg"]
                    _assign(square_avg, _addcmul(square_avg * alpha, g, g, 1 - alpha))
                    if group["centered"]:
                        grad_avg = state["grad_avg"]
                        _assign(grad_avg, _lerp(grad_avg, g, 1 - alpha))
                        avg = _addcmul(square_avg, grad_avg, grad_avg, -1).sqrt()
                    else:
                        avg = square_avg.sqrt()
                    avg = avg + eps
                    if momentum > 0:
                        buf = state["momentum_buffer"]
                        _assign(buf, _addcdiv(buf * momentum, g, avg, 1))
                        _assign(p, p + buf * -lr)
                    else:
                        _assign(p, _addcdiv(p, g, avg, -lr))
        return loss
