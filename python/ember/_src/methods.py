"""Binds the ops to ``Tensor`` as methods, operators and in-place variants."""

from __future__ import annotations

from ember._src import dtypes, ops
from ember._src.errors import op_error
from ember._src.tensor import Tensor
from ember.runtime import realize


def _method(fn):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    m.__name__ = fn.__name__
    m.__doc__ = fn.__doc__
    return m


for _name in """addcmul addcdiv add sub mul div true_divide floor_divide remainder fmod pow
        maximum minimum
        neg abs sign exp log log1p sqrt rsqrt tanh sigmoid erf sin cos floor ceil trunc exp2
        log2 log10 reciprocal square relu clamp clip clamp_min clamp_max eq ne lt le gt ge
        logical_and logical_or logical_not logical_xor isnan isinf isfinite masked_fill lerp
        sum mean prod amax amin argmax argmin max min all any var std logsumexp softmax
        log_softmax matmul mm bmm dot reshape view flatten unsqueeze squeeze permute transpose
        swapaxes t expand expand_as broadcast_to repeat contiguous clone detach narrow split
        chunk unbind select gather index_select take_along_dim cumsum sort argsort
        topk scatter""".split():
    setattr(Tensor, _name, _method(getattr(ops, _name)))

Tensor.T = property(lambda self: ops.permute(self, tuple(reversed(range(self.ndim)))))
Tensor.mT = property(lambda self: ops.transpose(self, -2, -1))
Tensor.where = lambda self, condition, other: ops.where(condition, self, other)


def _to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``."""
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    for a in args:
        if isinstance(a, Tensor):
            dt, dev = a.dtype, a.device
        elif isinstance(a, dtypes.dtype) or a in (float, int, bool):
            dt = a
        else:
            dev = a
    if kwargs:
        raise TypeError(f"to() got unexpected arguments {sorted(kwargs)}")
    out = self if dt is None else ops.cast(self, dtypes.as_dtype(dt))
    return out if dev is None else _transfer(out, dev)


def _transfer(t: Tensor, dev) -> Tensor:
    """A copy of ``t`` in ``dev``'s memory (``t`` itself when it is there)."""
    from ember._src.tensor import GradMode, device

    kind = device(dev).type
    node = t._node
    if (node.device or "cpu") == kind:
        return t
    if node.requires_grad and GradMode.enabled:
        raise op_error("to", f"moving a tensor that requires grad to {kind} is not "
                             "differentiable yet: move the leaves first (model.to(device), "
                             "x.detach().to(device).requires_grad_())", NotImplementedError)
    from ember._src.creation import _wrap_array
    from ember.runtime.devices import to_device

    return _wrap_array(to_device(t.numpy(), kind), t.dtype)


Tensor.to = _to
Tensor.cpu = lambda self: _transfer(self, "cpu")
Tensor.type = lambda self, dtype=None: self.dtype if dtype is None else _to(self, dtype)
for _name, _dt in [("float", dtypes.float32), ("double", dtypes.float64),
                   ("half", dtypes.float16), ("bfloat16", dtypes.bfloat16),
                   ("int", dtypes.int32), ("long", dtypes.int64), ("bool", dtypes.bool_)]:
    setattr(Tensor, _name, (lambda d: lambda self: ops.cast(self, d))(_dt))
def _realize(self):
    """Computes this tensor now (``ember.realize(self)``) and returns it."""
    realize([self._node])
    return self


Tensor.realize = _realize
Tensor.__getitem__ = ops.getitem
Tensor.__setitem__ = ops.setitem


def _rev(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = Tensor.__radd__ = lambda self, other: ops.add(self, other)
Tensor.__sub__ = lambda self, other: ops.sub(self, other)
Tensor.__rsub__ = _rev(ops.sub)
Tensor.__mul__ = Tensor.__rmul__ = lambda self, other: ops.mul(self, other)
Tensor.__truediv__ = lambda self, other: ops.div(self, other)
Tensor.__rtruediv__ = _rev(ops.div)
Tensor.__floordiv__ = lambda self, other: ops.floor_divide(self, other)
Tensor.__rfloordiv__ = _rev(ops.floor_divide)
Tensor.__mod__ = lambda self, other: ops.remainder(self, other)
Tensor.__rmod__ = _rev(ops.remainder)
Tensor.__pow__ = lambda self, other: ops.pow(self, other)
Tensor.__rpow__ = _rev(ops.pow)
Tensor.__matmul__ = lambda self, other: ops.matmul(self, other)
Tensor.__rmatmul__ = _rev(ops.matmul)
Tensor.__neg__ = ops.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ops.abs
Tensor.__eq__ = lambda self, other: ops.eq(self, other)
Tensor.__ne__ = lambda self, other: ops.ne(self, other)
Tensor.__lt__ = lambda self, other: ops.lt(self, other)
Tensor.__le__ = lambda self, other: ops.le(self, other)
Tensor.__gt__ = lambda self, other: ops.gt(self, other)
Tensor.__ge__ = lambda self, other: ops.ge(self, other)


def _bool_only(op, fn):
    def m(self, other):
        dt = dtypes.result_type(self, other)
        if dt is not dtypes.bool_:
            raise op_error(op, f"bitwise ops on {dt!r} are not supported (bool only)",
                           TypeError)
        return fn(self, other)

    return m


Tensor.__and__ = Tensor.__rand__ = _bool_only("__and__", ops.logical_and)
Tensor.__or__ = Tensor.__ror__ = _bool_only("__or__", ops.logical_or)
Tensor.__xor__ = Tensor.__rxor__ = _bool_only("__xor__", ops.logical_xor)


def _invert(self):
    if self.dtype is not dtypes.bool_:
        raise op_error("__invert__", f"~ on {self.dtype!r} is not supported (bool only)",
                       TypeError)
    return ops.logical_not(self)


Tensor.__invert__ = _invert


# -- in-place variants: a new version of the same tensor -------------------------------


def _inplace(name, fn):
    def m(self, *args, **kwargs):
        out = fn(self, *args, **kwargs)
        if not _can_cast(out.dtype, self.dtype):
            raise op_error(f"{name}_", f"result type {out.dtype!r} can't be cast to the "
                                       f"desired output type {self.dtype!r}")
        return self._assign(out._node if out.dtype is self.dtype else
                            ops.cast(out, self.dtype)._node, f"{name}_")

    m.__name__ = f"{name}_"
    return m


def _can_cast(src: dtypes.dtype, dst: dtypes.dtype) -> bool:
    cat = {True: 2}
    return cat.get(src.is_floating_point, 0 if src is dtypes.bool_ else 1) <= \
        cat.get(dst.is_floating_point, 0 if dst is dtypes.bool_ else 1)


for _name in """add sub mul div pow clamp clamp_min clamp_max neg abs exp log sqrt tanh
        sigmoid floor ceil masked_fill relu remainder scatter addcmul addcdiv lerp maximum
        minimum rsqrt sin cos square reciprocal sign trunc log1p erf""".split():
    setattr(Tensor, f"{_name}_", _inplace(_name, getattr(ops, _name)))

Tensor.__iadd__ = _inplace("add", ops.add)
Tensor.__isub__ = _inplace("sub", ops.sub)
Tensor.__imul__ = _inplace("mul", ops.mul)
Tensor.__itruediv__ = _inplace("div", ops.div)


def _fill_(self, value):
    return self._assign(ops.expand(ops.cast(ops._scalar_tensor(value, self.dtype)
                                            if not isinstance(value, Tensor) else value,
                                            self.dtype), self.shape).contiguous()._node,
                        "fill_")


def _copy_(self, src):
    src = src if isinstance(src, Tensor) else ops._scalar_tensor(src, self.dtype)
    return self._assign(ops.cast(ops.expand(src, self.shape), self.dtype).contiguous()._node,
                        "copy_")


Tensor.fill_ = _fill_
Tensor.zero_ = lambda self: _fill_(self, 0)
Tensor.copy_ = _copy_


def _get_data(self):
    return ops.detach(self)


def _set_data(self, value):
    from ember.nn.modules.module import _set_value

    if not isinstance(value, Tensor):
        raise TypeError(f"data must be an ember.Tensor, got {type(value).__name__}")
    _set_value(self, value)


Tensor.data = property(_get_data, _set_data)


def _uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None):
    """Fills with values drawn uniformly from [a, b) (host-generated, see ember.Generator)."""
    from ember.nn.init import uniform_

    return uniform_(self, a, b, generator=generator)


def _normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None):
    """Fills with values drawn from N(mean, std^2)."""
    from ember.nn.init import normal_

    return normal_(self, mean, std, generator=generator)


def _detach_(self):
    """Makes this tensor a leaf that needs no gradient, keeping its value."""
    from ember.nn.modules.module import _set_value

    if self._node.inputs:
        _set_value(self, ops.detach(self))
    node = self._node
    node.requires_grad = False
    node.leaf = None
    return self


Tensor.uniform_ = _uniform_
Tensor.normal_ = _normal_
Tensor.detach_ = _detach_
