"""``ember.Tensor``: a lazy value with PyTorch's surface.

A tensor holds a node of the lazy graph. Ops record nodes and return new
tensors; nothing is computed until a value is needed (``numpy()``, ``item()``,
``print``, ``bool()``, ``ember.realize``), when the runtime compiles and runs
everything pending behind the requested tensors as one region.

In-place ops rebind the tensor to a new node (a new version). Views
(``view``/``reshape``, ``permute``/``transpose``, ``unsqueeze``/``squeeze``,
basic indexing) remember their base and the view ops leading to them: reading
a view after its base changed replays those ops on the base's current node,
and writing a view writes through to the base (``insert_slice`` for slices,
the inverse reshape / permutation otherwise).
"""

from __future__ import annotations

import os

import numpy as np

from ember._src import dtypes
from ember._src.errors import op_error
from ember._src.location import user_location
from ember.runtime import Node, devices, realize

EAGER = os.environ.get("EMBER_EAGER", "0") not in ("", "0")


class Size(tuple):
    """A tensor's shape: a tuple of ints, as ``torch.Size``."""

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"


class device:  # noqa: N801  (PyTorch's spelling)
    """Where a tensor lives: ``cpu``, or ``vulkan`` (any Vulkan device: a GPU, or
    Mesa's lavapipe on the CPU), which raises naming what is missing when there is
    none."""

    __slots__ = ("type",)

    def __init__(self, spec="cpu"):
        spec = spec.type if isinstance(spec, device) else str(spec)
        self.type = devices.check(spec)

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = other.split(":")[0]
        elif isinstance(other, device):
            other = other.type
        else:
            return False
        return other == self.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __str__(self) -> str:
        return self.type


CPU = device("cpu")


class View:
    """One view step: how to read it from a base node and write a value back."""

    __slots__ = ("kind", "params")

    def __init__(self, kind: str, params: tuple):
        self.kind = kind
        self.params = params


class GradMode:
    """Whether ops record gradient history (``ember.no_grad`` turns it off)."""

    enabled = True


class Tensor:
    __slots__ = ("_node_", "_base", "_views", "_base_node", "_grad", "_hooks", "_detached",
                 "__weakref__")

    def __init__(self, *args, **kwargs):
        raise TypeError("use ember.tensor(...), ember.zeros(...) and friends to make tensors")

    @classmethod
    def _wrap(cls, node: Node) -> Tensor:
        t = object.__new__(cls)
        t._node_ = node
        t._base = None
        t._views = ()
        t._base_node = None
        t._grad = None
        t._hooks = ()
        t._detached = False
        if EAGER:
            realize([node])
        return t

    # -- the current node, views and versions ---------------------------------

    @property
    def _node(self) -> Node:
        base = self._base
        if base is not None and base._node_ is not self._base_node:
            node = base._node_
            old = self._base_node
            if node.shape != old.shape or node.dtype is not old.dtype:
                # The base was rebound to another shape or dtype (``p.data = t``):
                # this view keeps the value it had, as PyTorch's keeps its storage.
                self._base = None
                self._views = ()
                return self._node_
            for v in self._views:
                node = _apply_view(v, node)
            if self._detached:
                node.requires_grad = False
            self._node_ = node
            self._base_node = base._node_
        return self._node_

    def _make_view(self, view: View) -> Tensor:
        node = _apply_view(view, self._node)
        t = Tensor._wrap(node)
        root = self._base if self._base is not None else self
        t._base = root
        t._views = self._views + (view,) if self._base is not None else (view,)
        t._base_node = root._node_
        return t

    def _assign(self, node: Node, op: str) -> Tensor:
        """Rebinds this tensor to ``node`` (an in-place update), writing through views."""
        if tuple(node.shape) != tuple(self.shape):
            raise op_error(op, f"in-place result has shape {tuple(node.shape)}, but the "
                               f"tensor has shape {tuple(self.shape)}")
        if node.dtype is not self.dtype:
            node = _record_node("cast", (), (node,), node.shape, self.dtype)
        # The leaf being written: this tensor, or the base a view writes through.
        owner = (self._base if self._base is not None else self)._node
        leaf = owner.leaf if owner.requires_grad else None
        if leaf is not None and GradMode.enabled and not self._detached:
            raise op_error(op, "a leaf tensor that requires grad (or a view of one) is being "
                               "used in an in-place operation; wrap it in "
                               "`with ember.no_grad():`")
        base = self._base
        if base is None:
            self._node_ = node
        else:
            base_node = base._node
            # Reads of each view prefix from the base, then writes back outward.
            chain = [base_node]
            for v in self._views[:-1]:
                chain.append(_apply_view(v, chain[-1]))
            value = node
            for v, src in zip(reversed(self._views), reversed(chain), strict=True):
                value = _write_view(v, src, value, op)
            base._node_ = value
            self._node_ = node
            self._base_node = value
        if leaf is not None:  # still the same leaf, a new version
            new = (self._base if self._base is not None else self)._node_
            new.requires_grad = True
            new.leaf = leaf
        if EAGER:
            realize([self._node_])
        return self

    # -- metadata ----------------------------------------------------------------

    @property
    def shape(self) -> Size:
        return Size(self._node.shape)

    @property
    def dtype(self) -> dtypes.dtype:
        return self._node.dtype

    @property
    def device(self) -> device:
        kind = self._node.device
        return CPU if kind is None or kind == "cpu" else device(kind)

    @property
    def ndim(self) -> int:
        return len(self._node.shape)

    def dim(self) -> int:
        return self.ndim

    def size(self, dim: int | None = None):
        if dim is None:
            return self.shape
        return self.shape[_norm_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        return Size(self._node.shape).numel()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def __len__(self) -> int:
        if not self.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # -- realization and interop ----------------------------------------------

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (realizes; shares memory with the tensor)."""
        node = self._node
        realize([node])
        return node.buffer

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def item(self):
        if self.numel() != 1:
            raise op_error("item", f"a tensor with {self.numel()} elements cannot be "
                                   "converted to a Python scalar")
        return self.numpy().reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise op_error("__bool__", f"the truth value of a tensor with {self.numel()} "
                                       "elements is ambiguous", RuntimeError)
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be an index")
        return int(self.item())

    def __dlpack__(self, *args, **kwargs):
        return self.numpy().__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU

    def __repr__(self) -> str:
        a = self.numpy()
        if self.dtype is dtypes.bfloat16:
            a = a.astype(np.float32)
        body = np.array2string(a, separator=", ", prefix="tensor(",
                               floatmode="maxprec", precision=4)
        suffix = ""
        if self.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            suffix = f", dtype={self.dtype!r}"
        node = self._node
        if node.requires_grad:
            suffix += ", requires_grad=True" if node.leaf is not None or not node.inputs \
                else ", grad_fn=<" + node.op + ">"
        return f"tensor({body}{suffix})"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):
        if not self.ndim:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __reduce__(self):
        raise TypeError("ember tensors are not pickled; save them with ember.save "
                        "(safetensors) or convert with .numpy()")


def _norm_dim(dim: int, ndim: int, op: str) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise op_error(op, f"dimension {dim} is out of range for a tensor of rank {ndim} "
                           f"(expected in [{-n}, {n - 1}])", IndexError)
    return dim % n


def _record_node(op: str, attrs: tuple, inputs: tuple, shape, dt) -> Node:
    # This function and its caller are Ember's: the user's line is further out.
    node = Node(op, attrs, inputs, tuple(shape), dt, user_location(3))
    # The inputs' device: an accelerator's when any input is on one (CPU inputs
    # are copied into its region), else cpu, else None (only values that follow
    # their consumers: library constants, Python scalars).
    kind = None
    grad = False
    for i in inputs:
        d = i.device
        if d is not None and d != kind:
            if kind is None or kind == "cpu":
                kind = d
            elif d != "cpu":
                raise op_error(op, f"expected all tensors to be on the same device, but "
                                   f"found at least two devices, {kind} and {d}")
        if i.requires_grad:
            grad = True
    node.device = kind
    if grad and GradMode.enabled and dt.is_floating_point:
        node.requires_grad = True
    return node


def _apply_view(v: View, node: Node) -> Node:
    if v.kind == "reshape":
        return _record_node("reshape", (), (node,), v.params[1], node.dtype)
    if v.kind == "permute":
        perm = v.params[0]
        shape = tuple(node.shape[p] for p in perm)
        return _record_node("transpose", (perm,), (node,), shape, node.dtype)
    if v.kind == "slice":
        start, stop, step = v.params
        shape = tuple(max(0, -(-(e - s) // k)) for s, e, k in zip(start, stop, step, strict=True))
        return _record_node("slice", (start, stop, step), (node,), shape, node.dtype)
    if v.kind == "expand":
        return _record_node("broadcast", (), (node,), v.params[0], node.dtype)
    raise AssertionError(v.kind)


def _write_view(v: View, base: Node, value: Node, op: str) -> Node:
    """The base node after writing ``value`` into the view ``v`` of ``base``."""
    if v.kind == "reshape":
        return _record_node("reshape", (), (value,), v.params[0], base.dtype)
    if v.kind == "permute":
        perm = v.params[0]
        inverse = tuple(sorted(range(len(perm)), key=lambda i: perm[i]))
        return _record_node("transpose", (inverse,), (value,), base.shape, base.dtype)
    if v.kind == "slice":
        return _record_node("insert_slice", v.params, (value, base), base.shape, base.dtype)
    raise op_error(op, "cannot write to an expanded tensor (more than one element of it "
                       "refers to a single memory location); clone() it first")
