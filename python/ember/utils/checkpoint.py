"""``ember.utils.checkpoint``: trade compute for memory in the backward pass.

``checkpoint(fn, *args)`` returns ``fn(*args)``; the backward then runs in separate
regions around it: the span after the checkpoint, then ``fn``'s span recomputed from
its inputs, then what comes before. Inside one region the compiler keeps every
forward value the gradient needs alive until it is used; across the boundary only
the checkpoint's inputs and outputs are kept, and ``fn``'s intermediates are
recomputed when its gradient is computed. Random numbers are data in ember (drawn
on the host when recorded), so the recomputation sees the same values without
saving any RNG state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ember._src.autograd import add_boundary
from ember._src.tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


def _mark(values) -> None:
    """Makes every non-leaf tensor in ``values`` (nested) a backward boundary."""
    if isinstance(values, Tensor):
        node = values._node
        if node.requires_grad and node.leaf is not None or not node.requires_grad:
            return
        if node.inputs:
            add_boundary(node)
    elif isinstance(values, (tuple, list)):
        for v in values:
            _mark(v)
    elif isinstance(values, dict):
        for v in values.values():
            _mark(v)


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None,
               preserve_rng_state: bool = True, determinism_check: str = "default",
               debug: bool = False, context_fn=None, **kwargs):
    """``function(*args, **kwargs)`` with its intermediates recomputed in the
    backward instead of kept (``torch.utils.checkpoint.checkpoint``). The PyTorch
    options are accepted; ember has one implementation, which behaves as
    ``use_reentrant=False`` (keyword arguments, inputs that need no grad, nested
    structures all work)."""
    if context_fn is not None:
        raise NotImplementedError("ember.utils.checkpoint: context_fn is not supported")
    _mark(args)
    _mark(kwargs)
    out = function(*args, **kwargs)
    _mark(out)
    return out


def checkpoint_sequential(functions: Sequence[Callable] | Callable, segments: int, input,
                          use_reentrant: bool | None = None, **kwargs):
    """Runs ``functions`` (a list or an ``nn.Sequential``) in ``segments`` chunks,
    checkpointing each but the last, as ``torch.utils.checkpoint``."""
    fns = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments < 1:
        raise ValueError(f"segments must be >= 1, got {segments}")
    size = max(1, len(fns) // segments)
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1

        def run(x, chunk=fns[start:end + 1]):
            for f in chunk:
                x = f(x)
            return x

        input = checkpoint(run, input)  # noqa: A001
    for f in fns[end + 1:]:
        input = f(input)  # noqa: A001
    return input
