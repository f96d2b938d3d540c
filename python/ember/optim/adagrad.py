"""``Adagrad``: per-element learning rates from the sum of squared gradients, as
PyTorch's."""

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
    _state_zeros,
    _use_closure,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """``s += g * g``; ``p -= clr * g / (sqrt(s) + eps)`` with ``clr = lr / (1 + (t - 1)
    * lr_decay)``; ``s`` starts at ``initial_accumulator_value``."""

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_flags("Adagrad", differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = 0.0
            state["sum"] = _state_zeros(p, group["initial_accumulator_value"])
        return state

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (one compiled region)."""
        loss = _use_closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, lr_decay = group["lr"], group["lr_decay"]
                wd, eps = group["weight_decay"], group["eps"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self._init_state(p, group)
                    state["step"] = step = float(state["step"]) + 1
                    g = _grad(p, group["maximize"])
                    if wd != 0:
                        g = g + p * wd
                    clr = lr / (1 + (step - 1) * lr_decay)
                    total = state["sum"]
                    _assign(total, _addcmul(total, g, g, 1))
                    _assign(p, _addcdiv(p, g, total.sqrt() + eps, -clr))
        return loss
