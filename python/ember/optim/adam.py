"""``Adam``: adaptive moment estimation (with AMSGrad, L2 or decoupled weight decay),
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

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g * g``,
    ``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``; ``amsgrad``
    uses the running maximum of ``v``; ``weight_decay`` adds ``wd * p`` to the gradient
    (or, with ``decoupled_weight_decay``, scales ``p`` by ``1 - lr * wd``: AdamW)."""

    def __init__(self, params: Iterable, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_flags(type(self).__name__, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (one compiled region)."""
        loss = _use_closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, (beta1, beta2) = group["lr"], group["betas"]
                wd, eps, amsgrad = group["weight_decay"], group["eps"], group["amsgrad"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = 0.0
                        state["exp_avg"] = _state_zeros(p)
                        state["exp_avg_sq"] = _state_zeros(p)
                        if amsgrad:
                            state["max_exp_avg_sq"] = _state_zeros(p)
                    g = _grad(p, group["maximize"])
                    state["step"] = step = float(state["step"]) + 1
                    if wd != 0:
                        if group["decoupled_weight_decay"]:
                            _assign(p, p * (1 - lr * wd))
                        else:
                            g = g + p * wd
                    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                    _assign(exp_avg, _lerp(exp_avg, g, 1 - beta1))
                    _assign(exp_avg_sq, _addcmul(exp_avg_sq * beta2, g, g, 1 - beta2))
                    step_size = lr / (1 - beta1 ** step)
                    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                    if amsgrad:
                        max_sq = state["max_exp_avg_sq"]
                        _assign(max_sq, max_sq.maximum(exp_avg_sq))
                        denom = max_sq.sqrt() / bias_correction2_sqrt + eps
                    else:
                        denom = exp_avg_sq.sqrt() / bias_correction2_sqrt + eps
                    _assign(p, _addcdiv(p, exp_avg, denom, -step_size))
        return loss
