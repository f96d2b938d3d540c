"""Element types: MLIR <-> NumPy."""

from __future__ import annotations

from collections.abc import Sequence

import ml_dtypes
import mlir.ir as ir
import numpy as np

from ember._mlir import context

# MLIR element type spelling -> NumPy dtype (bf16 through ml_dtypes).
_DTYPES: dict[str, np.dtype] = {
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(ml_dtypes.bfloat16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "i1": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}
_NAMES = {dt: name for name, dt in _DTYPES.items()}


def numpy_dtype(t: ir.Type | str) -> np.dtype:
    """The NumPy dtype of an MLIR element type (``f32`` -> ``float32``)."""
    name = str(t)
    if name not in _DTYPES:
        raise TypeError(f"ember: element type {name} has no NumPy equivalent; "
                        f"supported: {', '.join(_DTYPES)}")
    return _DTYPES[name]


def element_type(dtype: np.dtype | str | ir.Type, ctx: ir.Context | None = None) -> ir.Type:
    """The MLIR element type for a NumPy dtype or an MLIR spelling (``"f32"``)."""
    if isinstance(dtype, ir.Type):
        return dtype
    if isinstance(dtype, str) and dtype in _DTYPES:
        name = dtype
    else:
        dt = np.dtype(dtype)
        if dt not in _NAMES:
            raise TypeError(f"ember: NumPy dtype {dt} is not supported; "
                            f"supported: {', '.join(str(d) for d in _NAMES)}")
        name = _NAMES[dt]
    return ir.Type.parse(name, ctx or context())


def tensor_type(shape: Sequence[int], dtype: np.dtype | str | ir.Type,
                ctx: ir.Context | None = None) -> ir.RankedTensorType:
    """``tensor_type((2, 3), "f32")`` -> ``tensor<2x3xf32>``."""
    ctx = ctx or context()
    with ctx, ir.Location.unknown(ctx):
        return ir.RankedTensorType.get(list(shape), element_type(dtype, ctx))
