"""The lazy graph: one node per recorded op, turned into a buffer when realized.

A node is what the frontend hands the runtime: an op name (an ``ember``
dialect op, see ``runtime/emit.py``), hashable attributes, input nodes, the
result shape and dtype, and the user's source location. Realizing a node
replaces its op with ``"buffer"``, stores the NumPy array and drops its inputs,
so the graph behind it can be freed.
"""

from __future__ import annotations

import numpy as np

from ember._src.dtypes import dtype
from ember.runtime.devices import device_of_array


class Node:
    __slots__ = ("op", "attrs", "inputs", "shape", "dtype", "loc", "buffer", "requires_grad",
                 "leaf", "boundary", "device", "__weakref__")

    def __init__(self, op: str, attrs: tuple, inputs: tuple[Node, ...], shape: tuple[int, ...],
                 dt: dtype, loc: tuple[str, int]):
        self.op = op
        self.attrs = attrs
        self.inputs = inputs
        self.shape = shape
        self.dtype = dt
        self.loc = loc
        self.buffer: np.ndarray | None = None
        # Autograd bookkeeping, opaque to the runtime: whether a gradient flows
        # through this node, and the leaf tensor it belongs to (a weakref).
        self.requires_grad = False
        self.leaf = None
        # Where a backward splits into regions (gradient hooks on a non-leaf,
        # checkpoint boundaries): None, or the hooks to call with its gradient.
        self.boundary = None
        # Where the value lives and its region runs ("cpu", "vulkan"); None for a
        # value that follows its consumers (a library constant, a Python scalar).
        self.device: str | None = "cpu"

    @classmethod
    def from_array(cls, array: np.ndarray, dt: dtype, loc=("<data>", 0)) -> Node:
        node = cls("buffer", (), (), tuple(array.shape), dt, loc)
        node.buffer = array
        node.device = device_of_array(array)
        return node

    @property
    def realized(self) -> bool:
        return self.buffer is not None

    def set_buffer(self, array: np.ndarray) -> None:
        """Stores the value. The history is dropped (so it can be freed) unless a
        gradient will flow through this node later."""
        self.buffer = array
        if not self.requires_grad or self.leaf is not None:
            self.drop_history()

    def drop_history(self) -> None:
        self.op = "buffer"
        self.attrs = ()
        self.inputs = ()

    def __repr__(self) -> str:
        state = "realized" if self.realized else self.op
        return f"<Node {state} {self.shape} {self.dtype.name}>"
