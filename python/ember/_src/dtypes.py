"""Ember's dtypes and PyTorch's type-promotion rules."""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np


class dtype:  # noqa: N801  (PyTorch's spelling: ember.dtype, ember.float32)
    """An element type: ``ember.float32``, ``ember.int64``, ``ember.bool``, ..."""

    __slots__ = ("name", "mlir", "np", "is_floating_point", "itemsize", "_rank")

    def __init__(self, name: str, mlir: str, np_dtype, is_floating_point: bool, rank: int):
        self.name = name
        self.mlir = mlir
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.itemsize = self.np.itemsize
        self._rank = rank

    @property
    def is_signed(self) -> bool:
        return self.name != "bool"

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


bool_ = dtype("bool", "i1", np.bool_, False, 0)
int8 = dtype("int8", "i8", np.int8, False, 1)
int32 = dtype("int32", "i32", np.int32, False, 3)
int64 = dtype("int64", "i64", np.int64, False, 4)
float16 = dtype("float16", "f16", np.float16, True, 5)
bfloat16 = dtype("bfloat16", "bf16", ml_dtypes.bfloat16, True, 5)
float32 = dtype("float32", "f32", np.float32, True, 7)
float64 = dtype("float64", "f64", np.float64, True, 8)

ALL = (bool_, int8, int32, int64, float16, bfloat16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}
_ALIASES = {"float": float32, "double": float64, "half": float16, "int": int32,
            "long": int64, "bool": bool_}

_default_float = float32


def from_name(name: str) -> dtype:
    return _BY_NAME[name]


def get_default_dtype() -> dtype:
    """The dtype of Python floats and of float tensor factories (float32)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating types, got {d}")
    _default_float = d


def as_dtype(value) -> dtype:
    """An ember dtype from an ember dtype, a NumPy dtype, a name or a Python type."""
    if isinstance(value, dtype):
        return value
    if value is builtins.float:
        return _default_float
    if value is builtins.int:
        return int64
    if value is builtins.bool:
        return bool_
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if isinstance(value, str) and value in _ALIASES:
        return _ALIASES[value]
    try:
        npd = np.dtype(value)
    except TypeError:
        npd = None
    if npd is not None and npd in _BY_NP:
        return _BY_NP[npd]
    if npd is not None and npd.kind == "u" and npd.itemsize == 1:
        raise TypeError("ember has no uint8 dtype; use int32 or int64")
    raise TypeError(f"ember: unsupported dtype {value!r}; supported: "
                    f"{', '.join(d.name for d in ALL)}")


def _category(d: dtype) -> int:
    return 2 if d.is_floating_point else (1 if d is not bool_ else 0)


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's ``promote_types``: float16 and bfloat16 together give float32."""
    if a is b:
        return a
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a._rank >= b._rank else b


def scalar_dtype(value) -> dtype:
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.float):
        return _default_float
    raise TypeError(f"ember: unsupported scalar {value!r} of type {type(value).__name__}")


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type`` over tensors (with ``.ndim``/``.dtype``) and Python
    scalars: dimensioned tensors first, then zero-dim tensors, then scalars, each
    later group mattering only when it is of a higher category (bool < int < float)."""
    groups: list[dtype | None] = [None, None, None]
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim"):
            g, d = (0 if x.ndim else 1), x.dtype
        else:
            g = 2
            d = scalar_dtype(x)
        groups[g] = d if groups[g] is None else promote_types(groups[g], d)
    result = None
    for i, d in enumerate(groups):
        if d is None:
            continue
        if result is None:
            result = d
        elif _category(d) > _category(result):
            # A Python float with an int tensor gives the default float dtype.
            result = _default_float if (i == 2 and d.is_floating_point) else (
                d if i == 1 else promote_types(result, d))
    return result
