"""Realization: compile and run, as one region, what the requested nodes need."""

from __future__ import annotations

import numpy as np

from ember._mlir import context
from ember.runtime.cache import CompileCache
from ember.runtime.devices import cache_for
from ember.runtime.emit import build_module
from ember.runtime.graph import Node

CACHE = CompileCache()


def _schedule(targets: list[Node]):
    """Topological order of the pending nodes behind ``targets`` and the realized
    nodes they read (the region's inputs), with operand references."""
    inputs = []
    nodes = []
    refs = []
    ref = {}  # id(node) -> -(k+1) for input k, j for nodes[j]
    stack = list(reversed(targets))
    expanded = set()
    push, pop = stack.append, stack.pop
    while stack:
        node = stack[-1]
        nid = id(node)
        if nid in ref:
            pop()
            continue
        if node.buffer is not None:
            pop()
            ref[nid] = -len(inputs) - 1
            inputs.append(node)
            continue
        if nid not in expanded:
            expanded.add(nid)
            for i in reversed(node.inputs):
                if id(i) not in ref:
                    push(i)
            continue
        pop()
        ref[nid] = len(nodes)
        nodes.append(node)
        refs.append(tuple([ref[id(i)] for i in node.inputs]))
    return inputs, nodes, refs, ref


def realize(targets: list[Node]) -> None:
    """Computes every node of ``targets`` that is not yet realized, in one region."""
    pending: list[Node] = []
    seen = set()
    for t in targets:
        if t.buffer is None and id(t) not in seen:
            seen.add(id(t))
            pending.append(t)
    if not pending:
        return
    kinds = {t.device or "cpu" for t in pending}
    if len(kinds) > 1:  # one region per device
        for kind in kinds:
            _realize_region([t for t in pending if (t.device or "cpu") == kind], kind)
    else:
        _realize_region(pending, kinds.pop())


def _realize_region(pending: list[Node], kind: str | None) -> None:
    inputs, nodes, refs, ref = _schedule(pending)
    outputs = [ref[id(t)] for t in pending]
    key = (
        tuple((n.op, n.attrs, n.shape, n.dtype.name, r) for n, r in zip(nodes, refs, strict=True)),
        tuple((n.shape, n.dtype.name) for n in inputs),
        tuple(outputs),
    )
    out_specs = [(t.shape, t.dtype.np) for t in pending]
    exe = cache_for(kind).get(key, out_specs,
                    lambda: build_module(context(), inputs, nodes, refs, outputs))
    arrays = [_contiguous(n.buffer) for n in inputs]
    results = exe.run(arrays)
    for t, r in zip(pending, results, strict=True):
        t.set_buffer(r)


def _contiguous(a: np.ndarray) -> np.ndarray:
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)
