"""Nodes to ember IR, through the ODS-generated builders.

Each node becomes one ``ember`` op carrying the user's source location, so
compiler diagnostics point at the Python line that recorded the op.
"""

from __future__ import annotations

import mlir.ir as ir
from mlir.dialects import func

from ember._src.dtypes import dtype
from ember.compiler import tensor_type
from ember.dialects import ember as E

UNARY = frozenset("neg abs sign exp log log1p sqrt rsqrt tanh sigmoid erf sin cos floor "
                  "logical_not".split())
BINARY = frozenset("add sub mul div rem pow maximum minimum logical_and logical_or "
                   "eq ne lt le gt ge".split())
REDUCE = frozenset("sum mean prod max min".split())
NODE_ATTR = "ember.node"


def scalar_attr(value, dt: dtype) -> ir.Attribute:
    """A typed scalar attribute of the element type ``dt``."""
    t = ir.Type.parse(dt.mlir)
    if dt.is_floating_point:
        return ir.FloatAttr.get(t, float(value))
    return ir.IntegerAttr.get(t, int(value))


def _broadcast(node, args: list[ir.Value]) -> list[ir.Value]:
    """Elementwise nodes broadcast implicitly; the dialect wants it explicit."""
    out = []
    for v, inp in zip(args, node.inputs, strict=True):
        if inp.shape != node.shape:
            v = E.broadcast(tensor_type(node.shape, inp.dtype.mlir), v)
        out.append(v)
    return out


def _emit(node, args: list[ir.Value]) -> ir.Value:
    op, a = node.op, node.attrs
    if op in UNARY:
        return getattr(E, op)(args[0])
    if op in BINARY:
        return getattr(E, op)(*_broadcast(node, args))
    if op in REDUCE:
        return getattr(E, op)(args[0], list(a[0]), keepdim=a[1] or None)
    if op in ("argmax", "argmin"):
        return getattr(E, op)(args[0], a[0], keepdim=a[1] or None)
    rt = tensor_type(node.shape, node.dtype.mlir)
    if op in ("cast", "broadcast", "reshape"):
        return getattr(E, op)(rt, args[0])
    if op == "select":
        return E.select(*_broadcast(node, args))
    if op == "cumsum":
        return E.cumsum(args[0], a[0])
    if op in ("sort_values", "sort_indices"):
        # Two nodes, one op: CSE merges the pair when both are computed.
        results = E.SortOp(args[0], a[0], descending=a[1] or None).results
        return results[0 if op == "sort_values" else 1]
    if op == "matmul":
        return E.matmul(args[0], args[1])
    if op in ("conv", "conv_transpose", "conv_weight_grad"):
        return getattr(E, op)(rt, args[0], args[1], list(a[0]), list(a[1]), a[2])
    if op == "transpose":
        return E.transpose(args[0], list(a[0]))
    if op == "slice":
        return E.slice(args[0], list(a[0]), list(a[1]), list(a[2]))
    if op == "insert_slice":
        return E.insert_slice(args[0], args[1], list(a[0]), list(a[1]), list(a[2]))
    if op == "concat":
        return E.concat(args, a[0])
    if op == "pad":
        return E.pad(args[0], list(a[0]), list(a[1]), scalar_attr(a[2], node.dtype))
    if op == "gather":
        return E.gather(args[0], args[1], a[0])
    if op == "full":
        return E.full(rt, scalar_attr(a[0], node.dtype))
    if op == "iota":
        return E.iota(rt, a[0])
    raise NotImplementedError(f"ember runtime: no emitter for op {op!r}")


def build_module(ctx: ir.Context, inputs: list, nodes: list, refs: list[tuple[int, ...]],
                 outputs: list[int], tag: bool = False) -> ir.Module:
    """A module with ``@main(inputs...) -> outputs``.

    ``refs[i]`` lists the operands of ``nodes[i]``: ``-(k + 1)`` for input ``k``,
    ``j >= 0`` for ``nodes[j]``. With ``tag``, the op computing ``nodes[i]`` carries
    ``ember.node = i``.
    """
    with ctx, ir.Location.unknown(ctx):
        module = ir.Module.create()
        arg_types = [tensor_type(n.shape, n.dtype.mlir, ctx) for n in inputs]
        result_types = [tensor_type(nodes[i].shape, nodes[i].dtype.mlir, ctx) for i in outputs]
        with ir.InsertionPoint(module.body):
            fn = func.FuncOp("main", (arg_types, result_types))
            block = fn.add_entry_block()
            with ir.InsertionPoint(block):
                values: list[ir.Value] = []
                for node, operand_refs in zip(nodes, refs, strict=True):
                    args = [block.arguments[-r - 1] if r < 0 else values[r] for r in operand_refs]
                    with ir.Location.file(node.loc[0], node.loc[1], 0):
                        values.append(_emit(node, args))
                    if tag:  # which node an op computes (see autograd's saved values)
                        values[-1].owner.attributes[NODE_ATTR] = ir.IntegerAttr.get(
                            ir.IntegerType.get_signless(64), len(values) - 1)
                func.ReturnOp([values[i] for i in outputs])
    return module
