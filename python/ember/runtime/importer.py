"""Ember IR back to graph nodes: the inverse of ``emit.py``.

``create_graph=True`` (and nested ``ember.func.grad``) needs gradients that are
themselves recorded values, so they can be differentiated again. The backward
function that ``ember-autodiff`` builds is therefore read back op by op into
nodes, with its arguments bound to the nodes they came from; nothing is compiled
until a value is read.
"""

from __future__ import annotations

from collections.abc import Callable

import mlir.ir as ir
import numpy as np

from ember._src import dtypes
from ember.runtime.emit import BINARY, REDUCE, UNARY
from ember.runtime.graph import Node

_BY_MLIR = {d.mlir: d for d in dtypes.ALL}


def _ints(attr) -> tuple[int, ...]:
    return tuple(int(v) for v in ir.DenseI64ArrayAttr(attr))


def _int(attr) -> int:
    return int(ir.IntegerAttr(attr).value)


def _scalar(attr, dt: dtypes.dtype):
    if dt.is_floating_point:
        return float(ir.FloatAttr(attr).value)
    return int(ir.IntegerAttr(attr).value)


def _type(value: ir.Value) -> tuple[tuple[int, ...], dtypes.dtype]:
    t = ir.RankedTensorType(value.type)
    return tuple(t.shape), _BY_MLIR[str(t.element_type)]


def _attrs(name: str, op, dt: dtypes.dtype) -> tuple:
    a = op.attributes
    if name in UNARY or name in BINARY or name in ("cast", "broadcast", "reshape", "select",
                                                    "matmul"):
        return ()
    if name in REDUCE:
        return (_ints(a["dims"]), "keepdim" in a)
    if name in ("argmax", "argmin"):
        return (_int(a["dim"]), "keepdim" in a)
    if name in ("cumsum", "concat", "gather", "iota"):
        return (_int(a["dim"]),)
    if name == "transpose":
        return (_ints(a["permutation"]),)
    if name in ("slice", "insert_slice"):
        return (_ints(a["start"]), _ints(a["stop"]), _ints(a["step"]))
    if name == "pad":
        return (_ints(a["low"]), _ints(a["high"]), _scalar(a["value"], dt))
    if name == "full":
        return (_scalar(a["value"], dt),)
    if name in ("conv", "conv_transpose", "conv_weight_grad"):
        return (_ints(a["stride"]), _ints(a["dilation"]), _int(a["groups"]))
    raise NotImplementedError(f"ember: cannot record '{op.name}' as a graph node")


def record_function(fn_op, arguments: list[Node],
                    make_node: Callable[[str, tuple, tuple, tuple, tuple, dtypes.dtype], Node]
                    ) -> list[Node]:
    """The results of ``fn_op`` (a ``func.func`` of ember ops) as nodes over
    ``arguments``. ``make_node(op, attrs, inputs, sources, shape, dtype)`` records
    one node (or returns an existing equal one); ``sources`` are the inputs with
    explicit ``ember.broadcast`` ops looked through, as recorded elementwise nodes
    broadcast implicitly."""
    block = fn_op.regions[0].blocks[0]
    values: dict = {}
    origin: dict[int, Node] = {}  # broadcast node -> what it broadcasts
    for arg, node in zip(block.arguments, arguments, strict=True):
        values[arg] = node
    for op in block.operations:
        name = op.operation.name
        if name == "func.return":
            return [values[v] for v in op.operands]
        short = name.removeprefix("ember.")
        inputs = tuple(values[v] for v in op.operands)
        sources = tuple(origin.get(id(i), i) for i in inputs)
        if short == "constant":
            shape, dt = _type(op.results[0])
            array = np.array(ir.DenseElementsAttr(op.attributes["value"]), dtype=dt.np)
            values[op.results[0]] = Node.from_array(np.broadcast_to(array, shape).copy(), dt)
            continue
        if short == "sort":
            for kind, result in zip(("sort_values", "sort_indices"), op.results, strict=True):
                shape, dt = _type(result)
                attrs = (_int(op.attributes["dim"]), "descending" in op.attributes)
                values[result] = make_node(kind, attrs, inputs, sources, shape, dt)
            continue
        shape, dt = _type(op.results[0])
        node = make_node(short, _attrs(short, op, dt), inputs, sources, shape, dt)
        if short == "broadcast":
            origin[id(node)] = sources[0]
        values[op.results[0]] = node
    raise ValueError("ember: function without a return")
