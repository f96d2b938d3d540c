"""Autograd with PyTorch's surface, computed by the compiler.

``backward()`` takes the graph behind the outputs down to the leaves (or the
requested inputs), builds it as one ember function, runs ``ember-autodiff`` on
it and compiles forward + VJP as one region through the compile cache, so a
repeated training step compiles once. Gradients accumulate into ``.grad`` of
leaf tensors.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np
from mlir.passmanager import PassManager

from ember._mlir import context
from ember._src.errors import op_error
from ember._src.tensor import GradMode, Tensor, _record_node
from ember.runtime import Node, realize
from ember.runtime.devices import cache_for
from ember.runtime.emit import build_module
from ember.runtime.realize import _contiguous


class _GradContext:
    """``with ember.no_grad():`` / ``@ember.no_grad()`` and friends."""

    def __init__(self, enabled: bool):
        self._enabled = enabled
        self._prev: list[bool] = []

    def __enter__(self):
        self._prev.append(GradMode.enabled)
        GradMode.enabled = self._enabled
        return self

    def __exit__(self, *exc):
        GradMode.enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _GradContext(self._enabled):
                return fn(*args, **kwargs)

        return wrapper


def no_grad() -> _GradContext:
    """Ops record no gradient history inside this context."""
    return _GradContext(False)


def enable_grad() -> _GradContext:
    return _GradContext(True)


def inference_mode(mode: bool = True) -> _GradContext:
    return _GradContext(not mode)


class set_grad_enabled:  # noqa: N801  (PyTorch's spelling)
    """Sets grad mode now; as a context manager, restores the previous mode on exit."""

    def __init__(self, mode: bool):
        self._prev = GradMode.enabled
        GradMode.enabled = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        GradMode.enabled = self._prev
        return False


def is_grad_enabled() -> bool:
    return GradMode.enabled


# -- Tensor surface ----------------------------------------------------------------


def _get_requires_grad(self: Tensor) -> bool:
    return self._node.requires_grad


def _set_requires_grad(self: Tensor, flag: bool) -> None:
    node = self._node
    if node.requires_grad and node.inputs and node.leaf is None:
        raise op_error("requires_grad_", "you can only change requires_grad of leaf tensors; "
                                         "use detach() to get a leaf")
    if flag and not self.dtype.is_floating_point:
        raise op_error("requires_grad_", f"only tensors of floating point dtype can require "
                                         f"gradients, got {self.dtype!r}")
    node.requires_grad = bool(flag)
    node.leaf = weakref.ref(self) if flag else None


def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    _set_requires_grad(self, requires_grad)
    return self


def _is_leaf(self: Tensor) -> bool:
    node = self._node
    return not node.requires_grad or node.leaf is not None


def _get_grad(self: Tensor):
    return self._grad


def _set_grad(self: Tensor, value) -> None:
    if value is not None and tuple(value.shape) != tuple(self.shape):
        raise op_error("grad", f"assigned grad has shape {tuple(value.shape)}, but the tensor "
                               f"has shape {tuple(self.shape)}")
    self._grad = value


def register_hook(self: Tensor, hook):
    """Calls ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
    replaces the gradient (for a non-leaf, also what flows on to its inputs: the
    backward splits there into two regions). Returns a handle with ``remove()``."""
    if not self.requires_grad:
        raise op_error("register_hook", "cannot register a hook on a tensor that doesn't "
                                        "require gradient")
    if _is_leaf(self):
        self._hooks = self._hooks + (hook,)

        class _LeafHandle:
            def remove(_self):  # noqa: N805
                self._hooks = tuple(h for h in self._hooks if h is not hook)

        return _LeafHandle()
    node = self._node
    add_boundary(node, hook)

    class _Handle:
        def remove(_self):  # noqa: N805
            rest = tuple(h for h in node.boundary or () if h is not hook)
            node.boundary = rest or None

    return _Handle()


def retain_grad(self: Tensor) -> None:
    """Keeps the gradient of this non-leaf tensor in ``.grad`` after ``backward()``
    (a no-op on leaves, which always keep theirs)."""
    if not self.requires_grad:
        raise op_error("retain_grad", "can't retain_grad on Tensor that has "
                                      "requires_grad=False")
    if _is_leaf(self) or self._node in _RETAINING:
        return
    ref = weakref.ref(self)

    def keep(grad):
        t = ref()
        if t is not None:
            with no_grad():
                t._grad = grad if t._grad is None else t._grad + grad

    keep._ember_retain = True  # runs after the other hooks
    add_boundary(self._node, keep)
    _RETAINING.add(self._node)


_RETAINING: weakref.WeakSet = weakref.WeakSet()


def backward(self: Tensor, gradient=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Accumulates d(self)/d(leaf) into ``leaf.grad`` for every leaf behind ``self``."""
    run_backward([self], [gradient], retain_graph, create_graph, inputs)


# -- the engine ---------------------------------------------------------------------


def _default_cotangent(t: Tensor, given, create_graph: bool = False):
    """The cotangent of output ``t``: an array, or with ``create_graph`` a given
    tensor's node (a cotangent that requires grad is differentiated through)."""
    if given is None:
        if t.numel() != 1:
            raise op_error("backward", "grad can be implicitly created only for scalar "
                                       "outputs")
        return np.ones(tuple(t.shape), t.dtype.np)
    if create_graph and isinstance(given, Tensor):
        if tuple(given.shape) != tuple(t.shape):
            raise op_error("backward", f"gradient has shape {tuple(given.shape)}, but the "
                                       f"output has shape {tuple(t.shape)}")
        with enable_grad():
            return (given if given.dtype is t.dtype else given.to(t.dtype))._node
    g = given.numpy() if isinstance(given, Tensor) else np.asarray(given)
    if tuple(g.shape) != tuple(t.shape):
        raise op_error("backward", f"gradient has shape {tuple(g.shape)}, but the output has "
                                   f"shape {tuple(t.shape)}")
    return _contiguous(g.astype(t.dtype.np))


_FREED = ("trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed); pass retain_graph=True to backward "
          "the first time")


def _is_arg(node: Node, wrt_ids: set[int] | None, cut: frozenset = frozenset()) -> bool:
    """Whether ``node`` enters the backward region as an argument: a requested input,
    a leaf, a boundary where the backward splits (``cut``), or an already computed
    value no gradient flows through (a constant for the backward)."""
    if wrt_ids is not None and id(node) in wrt_ids:
        return True
    if id(node) in cut:
        return True
    if not node.requires_grad:
        # A pending integer or bool one (a ReLU mask, a one-hot target) is computed
        # in the region with the forward values it reads: realizing it first would run
        # them twice. A float one stays an argument: it may be a detached value, whose
        # inputs the region would otherwise differentiate through.
        return node.buffer is not None or node.dtype.is_floating_point
    if node.leaf is not None:  # requested or not, a leaf is where the graph starts
        return True
    if not node.inputs:
        if node.leaf is None:  # requires grad, but its history was freed
            raise op_error("backward", _FREED)
        return True  # a leaf that is not requested (autograd.grad)
    return False


def _schedule(roots: list[Node], wrt: list[Node] | None, cut: frozenset = frozenset()):
    """The graph behind ``roots`` through the nodes that carry gradients: arguments
    (``wrt`` first, then every other value read), op nodes in topological order
    with operand references, and the argument nodes a gradient reaches."""
    # A requested intermediate y stays in the graph (its inputs may be requested
    # too); its consumers read y + e for a zero argument e, whose gradient is y's.
    shadow: dict[int, Node] = {}
    args: list[Node] = []
    for n in wrt or []:
        if n.requires_grad and n.inputs and n.leaf is None:
            e = Node.from_array(np.zeros(n.shape, n.dtype.np), n.dtype)
            e.requires_grad = True
            shadow[id(n)] = e
            args.append(e)
        else:
            args.append(n)
    wrt_ids = None if wrt is None else {id(n) for n in wrt if id(n) not in shadow}
    ref = {id(n): -(k + 1) for k, n in enumerate(args)}
    nodes: list[Node] = []
    refs: list[tuple[int, ...]] = []
    reached: set[int] = set()
    expanded: set[int] = set()
    stack = list(reversed(roots))
    while stack:
        node = stack[-1]
        nid = id(node)
        if nid in ref:
            stack.pop()
            continue
        if _is_arg(node, wrt_ids, cut):
            stack.pop()
            ref[nid] = -(len(args) + 1)
            args.append(node)
            continue
        if nid not in expanded:
            expanded.add(nid)
            stack.extend(i for i in reversed(node.inputs) if id(i) not in ref)
            continue
        stack.pop()
        ref[nid] = len(nodes)
        nodes.append(node)
        refs.append(tuple(ref[id(i)] for i in node.inputs))
        for i in node.inputs:  # a gradient reaches arguments that require grad
            if ref[id(i)] < 0 and i.requires_grad and node.requires_grad:
                reached.add(id(i))
        e = shadow.get(nid)
        if e is not None:
            plus = Node("add", (), (node, e), node.shape, node.dtype, node.loc)
            plus.requires_grad = True
            plus.device = node.device
            nodes.append(plus)
            refs.append((ref[nid], ref[id(e)]))
            ref[nid] = len(nodes) - 1
            reached.add(id(e))
    return args, nodes, refs, ref, reached, shadow


def _grad_module(args, nodes, refs, outputs, saved=()):
    """The forward region, differentiated: ``@main(args, cotangents, saved values) ->
    (outputs, gradients of the float args)``. ``saved`` lists the nodes whose values
    the forward already computed: they become arguments, and the ops computing them
    (and whatever only they used) drop out of the region."""
    module = build_module(context(), args, nodes, refs, outputs, tag=bool(saved))
    with module.context:
        import mlir.ir as ir

        # Arguments that need no gradient are constants for ember-autodiff.
        main = next(iter(module.body.operations))
        no_grad_attr = ir.DictAttr.get({"ember.no_grad": ir.UnitAttr.get()})
        main.arg_attrs = ir.ArrayAttr.get([ir.DictAttr.get({}) if a.requires_grad
                                           else no_grad_attr for a in args])
        try:
            PassManager.parse("builtin.module(ember-autodiff{suffix=_grad})").run(
                module.operation)
        except ir.MLIRError as e:
            raise op_error("backward", f"cannot differentiate:\n{e}") from None

        for op in list(module.body.operations):
            name = ir.StringAttr(op.attributes["sym_name"]).value
            if name == "main":
                op.operation.erase()
            else:
                op.attributes["sym_name"] = ir.StringAttr.get("main")
                if saved:
                    _pass_saved_values(op, saved)
    return module


def _pass_saved_values(fn, saved) -> None:
    """Replaces the values of the ``saved`` nodes in ``fn`` by new trailing arguments."""
    import mlir.ir as ir

    from ember.runtime.emit import NODE_ATTR

    block = fn.regions[0].blocks[0]
    found = {}
    for op in block.operations:
        if NODE_ATTR in op.attributes:
            k = ir.IntegerAttr(op.attributes[NODE_ATTR]).value
            del op.attributes[NODE_ATTR]
            if k in saved:
                found[k] = op
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    inputs = list(ftype.inputs)
    for k in saved:
        result = found[k].results[0]
        arg = block.add_argument(result.type, fn.location)
        result.replace_all_uses_with(arg)
        inputs.append(result.type)
    fn.attributes["function_type"] = ir.TypeAttr.get(
        ir.FunctionType.get(inputs, list(ftype.results)))


def _compute_grads(root_nodes: list[Node], cotangents: list, wrt: list[Node] | None,
                   retain_graph: bool, create_graph: bool = False, op: str = "backward",
                   cut: frozenset = frozenset()):
    """The gradients of ``roots`` (given their cotangents) with respect to the float
    arguments of the graph behind them: NumPy arrays, computed now; or, with
    ``create_graph``, recorded nodes (the differentiated function read back into
    the graph), so they can be differentiated again. One region: the graph stops at
    the ``cut`` boundaries, which are arguments with gradients like leaves."""
    for n in root_nodes:
        if not n.requires_grad:
            raise op_error(op, "element 0 of tensors does not require grad and does not "
                               "have a grad_fn")
        if n.buffer is not None and not n.inputs and n.leaf is None:
            raise op_error(op, _FREED)
    args, nodes, refs, ref, reached, shadow = _schedule(root_nodes, wrt, cut)
    if not create_graph:
        # Arguments not computed yet (leaves, boundaries, values that need no
        # gradient, requested inputs) are realized first, in their own region.
        realize([a for a in args if a.buffer is None])
    outputs = []
    for n in root_nodes:
        if ref[id(n)] < 0:  # an output that is itself an argument: no ops to run
            raise op_error("backward", "an output is a leaf; its gradient is the given "
                                       "gradient", NotImplementedError)
        outputs.append(ref[id(n)])
    float_args = [a for a in args if a.dtype.is_floating_point and a.requires_grad]
    if create_graph:
        grads = _record_grads(args, nodes, refs, outputs, root_nodes, cotangents, float_args)
        for e in shadow.values():  # a zero constant in the recorded graph from now on
            e.requires_grad = False
        return _shadowed(args, grads, reached, shadow)
    # Values the forward already computed are passed in, not recomputed.
    saved = tuple(k for k, n in enumerate(nodes)
                  if n.buffer is not None and n.op not in ("sort_values", "sort_indices"))
    key = ("autograd",
           tuple((n.op, n.attrs, n.shape, n.dtype.name, r) for n, r in zip(nodes, refs,
                                                                           strict=True)),
           tuple((a.shape, a.dtype.name, a.requires_grad) for a in args), tuple(outputs),
           saved)
    out_specs = [(n.shape, n.dtype.np) for n in root_nodes]
    out_specs += [(a.shape, a.dtype.np) for a in float_args]
    kind = next((n.device for n in root_nodes if n.device is not None), None)
    exe = cache_for(kind).get(key, out_specs,
                              lambda: _grad_module(args, nodes, refs, outputs, saved))
    results = exe.run([_contiguous(a.buffer) for a in args] + cotangents +
                      [_contiguous(nodes[k].buffer) for k in saved])
    for n, r in zip(root_nodes, results[:len(root_nodes)], strict=True):
        if n.buffer is None:
            n.buffer = r
    grads = dict(zip([id(a) for a in float_args], results[len(root_nodes):], strict=True))
    if not retain_graph:
        for n in nodes:
            if n.buffer is not None:
                n.drop_history()
    return _shadowed(args, grads, reached, shadow)


def _shadowed(args, grads, reached, shadow):
    """A requested intermediate's gradient is its shadow argument's."""
    for nid, e in shadow.items():
        if id(e) in grads:
            grads[nid] = grads[id(e)]
        if id(e) in reached:
            reached.add(nid)
    return args, grads, reached


def _record_grads(args, nodes, refs, outputs, root_nodes, cotangents, float_args):
    """``create_graph``: the differentiated region recorded as graph nodes over the
    region's arguments, keyed like the computed gradients."""
    from ember.runtime.importer import record_function

    module = _grad_module(args, nodes, refs, outputs)
    main = next(iter(module.body.operations))
    cots = [c if isinstance(c, Node) else Node.from_array(c, n.dtype)
            for c, n in zip(cotangents, root_nodes, strict=True)]
    # The differentiated function recomputes the forward values; they are the
    # graph's own nodes again (so a gradient w.r.t. an intermediate still finds
    # it, at any order), found by operation and operands.
    forward = {(n.op, n.attrs, n.shape, n.dtype.name, tuple(id(i) for i in n.inputs)): n
               for n in nodes}

    def make_node(op, attrs, inputs, sources, shape, dt):
        known = forward.get((op, attrs, shape, dt.name, tuple(id(i) for i in sources)))
        return known if known is not None else _record_node(op, attrs, inputs, shape, dt)

    with enable_grad():
        results = record_function(main, list(args) + cots, make_node)
    return dict(zip([id(a) for a in float_args], results[len(root_nodes):], strict=True))


_CUT = object()  # a boundary without hooks (a checkpoint)
_BOUNDARIES: weakref.WeakSet = weakref.WeakSet()  # live nodes with a boundary


def add_boundary(node: Node, hook=_CUT) -> None:
    """Makes ``node`` a place where the backward splits, calling ``hook`` with its
    gradient there (``_CUT``: split only, once)."""
    if hook is _CUT and _CUT in (node.boundary or ()):
        return
    node.boundary = (node.boundary or ()) + (hook,)
    _BOUNDARIES.add(node)


def _boundaries(roots: list[Node]) -> list[Node]:
    """The boundary nodes behind ``roots`` (not the roots themselves), each before the
    nodes it depends on: the order their gradients are complete in."""
    order, seen, stack = [], set(), [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if node.requires_grad and node.leaf is None:
            stack.extend((i, False) for i in node.inputs)
    root_ids = {id(r) for r in roots}
    return [n for n in reversed(order) if n.boundary is not None and id(n) not in root_ids]


def _accumulate(into: dict, key: int, value) -> None:
    if key not in into:
        into[key] = value
    elif isinstance(value, Node):
        with enable_grad():
            into[key] = _record_node("add", (), (into[key], value), value.shape, value.dtype)
    else:
        into[key] = into[key] + value


def _run_backward_regions(root_nodes: list[Node], cotangents: list, wrt: list[Node] | None,
                          retain_graph: bool, create_graph: bool, op: str):
    """The gradients of ``root_nodes`` w.r.t. the leaves (or ``wrt``): one region, or,
    where the graph has boundaries (hooks on non-leaf tensors, checkpoints), one
    region per span between boundaries, from the outputs backwards. A boundary's
    value is computed first (forward only) and its gradient, once complete and
    passed through its hooks, is the cotangent of the next region, which recomputes
    its span from the boundaries before it."""
    bounds = _boundaries(root_nodes) if _BOUNDARIES else []
    # Hooks on an output see (and may replace) its given gradient.
    cotangents = [_apply_hooks(n, c, create_graph) if n.boundary else c
                  for n, c in zip(root_nodes, cotangents, strict=True)]
    if not bounds:
        return _compute_grads(root_nodes, cotangents, wrt, retain_graph, create_graph, op)
    cut = frozenset(id(b) for b in bounds)
    # A requested input that is a boundary gets its gradient as a boundary does.
    wrt_here = None if wrt is None else [n for n in wrt if id(n) not in cut]
    pending: dict[int, object] = {}
    grads: dict[int, object] = {}
    reached: set[int] = set()
    args_by_id: dict[int, Node] = {}

    def region(roots, cots):
        args, g, r = _compute_grads(roots, cots, wrt_here, retain_graph, create_graph, op,
                                    cut - {id(n) for n in roots})
        for a in args:
            if id(a) not in g or id(a) not in r:
                continue
            if id(a) in cut and id(a) not in {id(n) for n in roots}:
                _accumulate(pending, id(a), g[id(a)])
            else:
                args_by_id[id(a)] = a
                _accumulate(grads, id(a), g[id(a)])
                reached.add(id(a))
        for key in r:  # requested intermediates (autograd.grad w.r.t. a non-leaf)
            if key not in cut and key in g and key not in args_by_id:
                _accumulate(grads, key, g[key])
                reached.add(key)

    region(root_nodes, cotangents)
    for b in bounds:
        if id(b) not in pending:
            continue
        g = _apply_hooks(b, pending.pop(id(b)), create_graph)
        if wrt is not None and id(b) in {id(n) for n in wrt}:
            _accumulate(grads, id(b), g)
            reached.add(id(b))
        region([b], [g])
    return list(args_by_id.values()), grads, reached


def _apply_hooks(node: Node, grad, create_graph: bool):
    """``grad`` (an array, or a node with ``create_graph``) passed through the hooks
    of ``node`` in registration order, ``retain_grad`` last, as in PyTorch."""
    hooks = [h for h in node.boundary if h is not _CUT]
    hooks.sort(key=lambda h: getattr(h, "_ember_retain", False))
    for hook in hooks:
        replaced = hook(_grad_tensor(grad, node.dtype))
        if replaced is None:
            continue
        if not isinstance(replaced, Tensor):
            raise op_error("backward", f"expected Tensor, but hook returned "
                                       f"'{type(replaced).__name__}'", TypeError)
        if tuple(replaced.shape) != tuple(node.shape):
            raise op_error("backward", f"hook {getattr(hook, '__name__', hook)!r} has changed "
                                       f"the size of value: the gradient has shape "
                                       f"{tuple(node.shape)}, the hook returned "
                                       f"{tuple(replaced.shape)}")
        if replaced.dtype is not node.dtype:
            raise op_error("backward", f"hook {getattr(hook, '__name__', hook)!r} has changed "
                                       f"the type of value: expected {node.dtype!r}, got "
                                       f"{replaced.dtype!r}")
        grad = replaced._node if create_graph else _contiguous(replaced.numpy())
    return grad


def _grad_tensor(value, dt) -> Tensor:
    """A computed gradient (an array) or a recorded one (a node, ``create_graph``)."""
    if isinstance(value, Node):
        return Tensor._wrap(value)
    return Tensor._wrap(Node.from_array(value, dt))


def run_backward(tensors, grad_tensors, retain_graph=None, create_graph=False,
                 inputs=None) -> None:
    if retain_graph is None:
        retain_graph = create_graph
    tensors = list(tensors)
    cots = [_default_cotangent(t, g, create_graph)
            for t, g in zip(tensors, grad_tensors, strict=True)]
    if len(tensors) == 1 and tensors[0].requires_grad and tensors[0].is_leaf:
        leaf = tensors[0]  # d(leaf)/d(leaf): the given gradient itself
        g = _grad_tensor(cots[0], leaf.dtype)
        with no_grad():
            leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    wrt = None if inputs is None else [t._node for t in inputs]
    args, grads, reached = _run_backward_regions([t._node for t in tensors], cots, wrt,
                                                 bool(retain_graph), create_graph, "backward")
    only = None if wrt is None else {id(n) for n in wrt}
    for a in args:
        owner = a.leaf() if a.leaf is not None else None
        if owner is None or id(a) not in grads or id(a) not in reached:
            continue
        if only is not None and id(a) not in only:
            continue
        g = _grad_tensor(grads[id(a)], a.dtype)
        for hook in owner._hooks:
            replaced = hook(g)
            if replaced is not None:
                g = replaced
        with _GradContext(create_graph):
            owner._grad = g if owner._grad is None else owner._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """``torch.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``
    (a tuple), without touching ``.grad``."""
    if retain_graph is None:
        retain_graph = create_graph
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for t in inputs:
        if not t.requires_grad:
            raise op_error("grad", "one of the differentiated tensors does not require grad")
    cots = [_default_cotangent(t, g, create_graph)
            for t, g in zip(outputs, grad_outputs, strict=True)]
    wrt = [t._node for t in inputs]
    _, grads, reached = _run_backward_regions([t._node for t in outputs], cots, wrt,
                                              bool(retain_graph), create_graph, "grad")
    result = []
    for n in wrt:
        if id(n) not in reached:
            if not allow_unused:
                raise op_error("grad", "one of the differentiated tensors appears to not have "
                                       "been used in the graph; set allow_unused=True")
            result.append(None)
        else:
            result.append(_grad_tensor(grads[id(n)], n.dtype))
    return tuple(result)


Tensor.requires_grad = property(_get_requires_grad, _set_requires_grad)
Tensor.requires_grad_ = requires_grad_
Tensor.is_leaf = property(_is_leaf)
Tensor.grad = property(_get_grad, _set_grad)
Tensor.register_hook = register_hook
Tensor.retain_grad = retain_grad
Tensor.retains_grad = property(lambda self: not _is_leaf(self) and self._node in _RETAINING)
Tensor.backward = backward
