"""``nn.Parameter``: a leaf tensor that a ``Module`` registers as one of its parameters."""

from __future__ import annotations

import weakref

from ember._src.autograd import no_grad
from ember._src.creation import empty
from ember._src.errors import op_error
from ember._src.tensor import Tensor, _record_node


def _fresh_leaf(cls, data: Tensor, requires_grad: bool) -> Tensor:
    """A new leaf of class ``cls`` whose value is ``data``'s (recorded, not computed)."""
    with no_grad():
        node = _record_node("reshape", (), (data._node,), tuple(data.shape), data.dtype)
    t = cls._wrap(node)
    if requires_grad:
        if not data.dtype.is_floating_point:
            raise op_error("Parameter", f"only tensors of floating point dtype can require "
                                        f"gradients, got {data.dtype!r}", RuntimeError)
        node.requires_grad = True
        node.leaf = weakref.ref(t)
    return t


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning one to a ``Module`` attribute
    registers it, and it requires grad unless told otherwise. ``Parameter(t)`` has
    ``t``'s value; like every ember value it is a version, so later in-place updates
    of ``t`` do not reach it (and the other way round)."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be an ember.Tensor, got {type(data).__name__}")
        return _fresh_leaf(cls, data, requires_grad)

    def __init__(self, *args, **kwargs):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__


class Buffer(Tensor):
    """A tensor that a ``Module`` registers as a buffer when assigned to one of its
    attributes (``persistent=False`` keeps it out of ``state_dict``). It has ``data``'s
    value and ``requires_grad``."""

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer data must be an ember.Tensor, got {type(data).__name__}")
        t = _fresh_leaf(cls, data, data.requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, *args, **kwargs):
        pass


def _deepcopy(self: Tensor, memo: dict) -> Tensor:
    """``copy.deepcopy`` of a leaf: a new leaf with the same value, class and
    ``requires_grad`` (what deep-copying a module's parameters needs)."""
    if not self.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                           "support the deepcopy protocol at the moment")
    copy = _fresh_leaf(type(self), self, self.requires_grad)
    if isinstance(self, Buffer):
        copy.persistent = self.persistent
    memo[id(self)] = copy
    if self.grad is not None:
        copy._grad = _deepcopy(self.grad, memo)
    return copy


Tensor.__deepcopy__ = _deepcopy
