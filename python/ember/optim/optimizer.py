"""``Optimizer``: PyTorch's base class, with each step compiled as one region.

A step records its updates lazily (in-place ops under ``no_grad`` on parameters and
state tensors) and the wrapper around every subclass's ``step`` realizes all of them
at the end with one ``realize``: parameters, state and pending gradients come out of
a single compiled function. Hyperparameters that change between steps (the lr a
scheduler sets, bias corrections from the step count) enter as Python numbers, which
are data, so a repeated step hits the compile cache. Step counts are Python floats in
``state``; ``state_dict()`` stores them as 0-d float32 tensors, as PyTorch does.
"""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from ember._src import dtypes, location, record
from ember._src.autograd import enable_grad, no_grad
from ember._src.creation import from_dlpack, tensor
from ember._src.tensor import Tensor
from ember.runtime import Node, realize
from ember.runtime.devices import to_device

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks an optimizer default that every param group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _wrap_step(step: Callable) -> Callable:
    @functools.wraps(step)
    def wrapper(self: Optimizer, *args, **kwargs):
        for hook in list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                args, kwargs = result
        self._opt_called = True
        closure = args[0] if args else kwargs.get("closure")
        if closure is None:
            with _StepScope():
                out = step(self, *args, **kwargs)
        else:  # the closure's ops keep their own lines
            out = step(self, *args, **kwargs)
        self._realize_step()
        for hook in list(self._step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    wrapper._ember_step = True
    return wrapper


class _StepScope:
    """While a step without a closure records its updates (on this thread): every
    op takes the line that called ``step`` (found once, not per op) and equal Python
    numbers share one input (see ``record.shared``)."""

    __slots__ = ("_saved",)

    def __enter__(self) -> None:
        self._saved = (location.state.pinned, record.shared.scalars)
        location.state.pinned = location.user_location()
        record.shared.scalars = {}

    def __exit__(self, *exc) -> None:
        location.state.pinned, record.shared.scalars = self._saved


class _Handle:
    """``handle.remove()`` for a registered hook."""

    _next_id = 0

    def __init__(self, hooks: OrderedDict):
        self._hooks = hooks
        self.id = _Handle._next_id
        _Handle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def _state_zeros(p: Tensor, value: float = 0.0) -> Tensor:
    """A state tensor shaped like ``p`` held as an input buffer (so the first step
    has the same structure as every later one)."""
    state = np.full(tuple(p.shape), value, p.dtype.np)
    return Tensor._wrap(Node.from_array(to_device(state, p._node.device or "cpu"), p.dtype))


def _snapshot(value: Any) -> Any:
    """``value`` with every tensor replaced by a new tensor holding its current value
    (values are versions: nothing is copied, later updates do not reach it)."""
    if isinstance(value, Tensor):
        return Tensor._wrap(value._node)
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_snapshot(v) for v in value)
    return value


def _as_tensor(value: Any) -> Tensor:
    """An ember tensor from an ember tensor, a NumPy array or any DLPack producer."""
    if isinstance(value, Tensor):
        return Tensor._wrap(value._node)
    if isinstance(value, np.ndarray):
        return tensor(value)
    if hasattr(value, "__dlpack__"):
        return Tensor._wrap(from_dlpack(value)._node)
    raise TypeError(f"optimizer state holds a {type(value).__name__}, expected a tensor")


def _load_value(param: Tensor, key: Any, value: Any) -> Any:
    """A loaded state entry: step counts become Python floats, floating-point state
    takes the parameter's dtype."""
    if key == "step":
        if isinstance(value, (int, float)):
            return float(value)
        return float(_as_tensor(value).item())
    if isinstance(value, dict):
        return {k: _load_value(param, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_load_value(param, None, v) for v in value)
    if isinstance(value, (Tensor, np.ndarray)) or hasattr(value, "__dlpack__"):
        t = _as_tensor(value)
        if param.dtype.is_floating_point and t.dtype is not param.dtype:
            t = t.to(param.dtype)
        return t
    return value


class Optimizer:
    """Base class of optimizers: ``param_groups`` (a list of dicts holding ``params``
    and that group's options), per-parameter ``state``, ``zero_grad``, ``step``,
    ``state_dict`` / ``load_state_dict`` and ``add_param_group``, as PyTorch's.

    Subclasses implement ``step(closure=None)``; every subclass's ``step`` is wrapped
    so that what it recorded is realized as one compiled region when it returns.
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: OrderedDict = OrderedDict()
        self._step_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_step", False):
            cls.step = _wrap_step(step)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_step_post_hooks", OrderedDict())

    def __repr__(self) -> str:
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"

    # -- groups -----------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters (with its own options; missing ones take the
        optimizer's defaults), e.g. to train layers that were frozen so far."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ---------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Sets every parameter's ``grad`` to None (default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    with no_grad():
                        p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Performs one optimization step (implemented by subclasses)."""
        raise NotImplementedError

    def _realize_step(self) -> None:
        """Computes every pending parameter, gradient and state tensor as one region."""
        nodes = []
        for group in self.param_groups:
            for p in group["params"]:
                nodes.append(p._node)
                if p.grad is not None:
                    nodes.append(p.grad._node)
                for v in self.state.get(p, {}).values():
                    if isinstance(v, Tensor):
                        nodes.append(v._node)
        realize(nodes)

    def register_step_pre_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; it may return
        new ``(args, kwargs)``."""
        handle = _Handle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> _Handle:
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        handle = _Handle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # -- saving and loading ----------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``
        with PyTorch's layout: parameters are numbered in group order; step counts
        are 0-d float32 tensors. Tensors are snapshots of the current values."""
        mapping: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            key = mapping[id(p)] if isinstance(p, Tensor) else p
            state[key] = {k: _step_tensor(v) if k == "step" else _snapshot(v)
                          for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Loads what ``state_dict()`` returned (also PyTorch's, whose tensors come in
        through DLPack): state by parameter index, then each group's options."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups, strict=True):
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups), strict=True))
        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = {key: _load_value(param, key, val) for key, val in v.items()}
            else:
                state[k] = v
        new_groups = []
        for g, s in zip(groups, saved_groups, strict=True):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.__setstate__({"state": state, "param_groups": new_groups})


def _step_tensor(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return tensor(float(value), dtype=dtypes.float32)
    return _snapshot(value)


def _use_closure(closure: Callable[[], Any] | None) -> Any:
    """Calls ``closure`` with gradients enabled (it reevaluates the loss and calls
    ``backward``) and returns its result."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _check_flags(name: str, differentiable: bool) -> None:
    if differentiable:
        raise NotImplementedError(f"ember.optim.{name}: differentiable=True (gradients through "
                                  "the optimizer step) is not supported")


# -- update arithmetic shared by the optimizers (PyTorch's rounding order) ---------------


def _assign(t: Tensor, value: Tensor) -> None:
    """Gives ``t`` (a parameter or state tensor) the new version ``value``."""
    t._assign(value._node, "step")


def _grad(p: Tensor, maximize: bool) -> Tensor:
    return -p.grad if maximize else p.grad


def _lerp(start: Tensor, end: Tensor, weight: float) -> Tensor:
    """``start.lerp(end, weight)`` computed as PyTorch's CPU kernel does."""
    if weight < 0.5:
        return start + (end - start) * weight
    return end - (end - start) * (1 - weight)


def _addcmul(x: Tensor, a: Tensor, b: Tensor, value: float) -> Tensor:
    """``x.addcmul(a, b, value=value)``: ``x + value * a * b``."""
    return x + a * value * b


def _addcdiv(x: Tensor, a: Tensor, b: Tensor, value: float) -> Tensor:
    """``x.addcdiv(a, b, value=value)``: ``x + value * a / b``."""
    return x + a * value / b
