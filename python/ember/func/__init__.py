"""``ember.func``: function transforms on tensors (``torch.func`` style).

>>> import ember
>>> df = ember.func.grad(lambda x: (x * x).sum())
>>> df(ember.tensor([1.0, 2.0])).tolist()
[2.0, 4.0]

They run on the autograd engine (forward + ``ember-autodiff`` compiled as one
region). Transforms nest: inside another transform, gradients are recorded
(``create_graph``: the differentiated function read back into the graph) so the
outer one differentiates them again, e.g. ``grad(grad(f))``. Not yet: ``jvp``
and ``vmap``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ember._src import ops
from ember._src.autograd import enable_grad
from ember._src.autograd import grad as _autograd_grad
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp"]


_depth = [0]  # how many transforms are running (> 1: nested)


def _tracked(args) -> bool:
    """Whether an argument carries gradient history from outside (autograd), so
    the result must stay connected to it, as ``torch.func`` results do."""
    return any(isinstance(a, Tensor) and a.requires_grad for a in args)


def _prepare(args: tuple, argnums: int | Sequence[int], name: str, nested: bool):
    """The arguments to differentiate with respect to: fresh leaves, or, inside an
    outer transform, aliases that stay connected to the outer one's inputs."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    args = list(args)
    for i in nums:
        if not isinstance(args[i], Tensor) or not args[i].is_floating_point():
            raise op_error(name, f"argument {i} must be a floating point tensor", TypeError)
        if nested and args[i].requires_grad:
            args[i] = ops.clone(args[i])
        else:
            args[i] = args[i].detach().requires_grad_(True)
    return nums, args


def grad_and_value(f: Callable, argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> Callable:
    """Like :func:`grad`, returning ``(gradients, value)``."""

    def wrapper(*args):
        _depth[0] += 1
        try:
            nested = _depth[0] > 1 or _tracked(args)
            nums, inputs = _prepare(args, argnums, "func.grad", nested)
            with enable_grad():
                out = f(*inputs)
            aux = None
            if has_aux:
                out, aux = out
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise op_error("func.grad", "the function must return a tensor with one "
                                            "element (use func.vjp for other outputs)")
            grads = _autograd_grad(out, [inputs[i] for i in nums], allow_unused=True,
                                   create_graph=nested)
            grads = tuple(g if g is not None else inputs[i].detach() * 0.0
                          for g, i in zip(grads, nums, strict=True))
        finally:
            _depth[0] -= 1
        result = grads[0] if isinstance(argnums, int) else grads
        value = out if nested else out.detach()
        return (result, (value, aux)) if has_aux else (result, value)

    return wrapper


def grad(f: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar-valued ``f`` with respect to argument(s) ``argnums``."""
    with_value = grad_and_value(f, argnums, has_aux)

    def wrapper(*args):
        result, value = with_value(*args)
        return (result, value[1]) if has_aux else result

    return wrapper


def vjp(f: Callable, *primals: Tensor):
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` gives one gradient per primal.
    Inside another transform (or on inputs that require grad) the results stay
    differentiable."""
    nested = _depth[0] > 0 or _tracked(primals)
    _, inputs = _prepare(primals, tuple(range(len(primals))), "func.vjp", nested)
    with enable_grad():
        out = f(*inputs)

    def vjp_fn(cotangent: Tensor):
        grads = _autograd_grad(out, inputs, grad_outputs=cotangent, retain_graph=True,
                               allow_unused=True, create_graph=nested)
        return tuple(g if g is not None else p.detach() * 0.0
                     for g, p in zip(grads, inputs, strict=True))

    return (out if nested else out.detach()), vjp_fn
