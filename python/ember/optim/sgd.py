"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and
weight decay, as PyTorch's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ember._src.autograd import no_grad
from ember.optim.optimizer import (
    Optimizer,
    _assign,
    _check_flags,
    _grad,
    _state_zeros,
    _use_closure,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    """``p -= lr * g`` where ``g`` is the gradient (negated with ``maximize``) plus
    ``weight_decay * p``, or with ``momentum`` the buffer ``b = momentum * b +
    (1 - dampening) * g`` (``b = g`` on the first step; ``g + momentum * b`` with
    ``nesterov``)."""

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags("SGD", differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (one compiled region)."""
        loss = _use_closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, momentum = group["lr"], group["momentum"]
                wd, dampening = group["weight_decay"], group["dampening"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = _grad(p, group["maximize"])
                    if wd != 0:
                        g = g + p * wd
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        # The first step's b = g is 0 * 0 + 1 * g: one structure for all.
                        if buf is None:
                            buf = state["momentum_buffer"] = _state_zeros(p)
                            keep, take = 0.0, 1.0
                        else:
                            keep, take = momentum, 1 - dampening
                        _assign(buf, buf * keep + g * take)
                        g = g + buf * momentum if group["nesterov"] else buf
                    _assign(p, p + g * -lr)
        return loss
