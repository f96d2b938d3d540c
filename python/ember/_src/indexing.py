"""``__getitem__`` / ``__setitem__``: basic, integer-tensor and boolean-mask indices."""

from __future__ import annotations

import builtins

import numpy as np

from ember._src.dtypes import bool_, int64
from ember._src.elementwise import add, lt, mul, where
from ember._src.errors import op_error
from ember._src.record import (
    _check_scalar,
    _expand,
    _numel,
    _record,
    _scalar_tensor,
    broadcast_shapes,
    cast,
)
from ember._src.shape import _check_indices, _slice_view, index_select, reshape, squeeze, unsqueeze
from ember._src.tensor import Tensor


def _normalize_key(x: Tensor, key):
    if not isinstance(key, tuple):
        key = (key,)
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis and
                          not (isinstance(k, Tensor) and k.dtype is bool_))
    n_real += builtins.sum(k.ndim for k in key if isinstance(k, Tensor) and k.dtype is bool_)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise op_error("__getitem__", "an index can only have a single ellipsis", IndexError)
    if n_real > x.ndim:
        raise op_error("__getitem__", f"too many indices for a tensor of rank {x.ndim} "
                                      f"({n_real} given)", IndexError)
    out = []
    for k in key:
        if k is Ellipsis:
            out.extend([builtins.slice(None)] * (x.ndim - n_real))
        else:
            out.append(k)
    if not builtins.any(k is Ellipsis for k in key):
        out.extend([builtins.slice(None)] * (x.ndim - n_real))
    return out


def getitem(x: Tensor, key) -> Tensor:
    key = _normalize_key(x, key)
    if builtins.any(isinstance(k, (Tensor, list, np.ndarray)) for k in key):
        return _advanced_getitem(x, key)
    ranges, squeeze_dims, new_axes = {}, [], []
    dim = 0
    out_pos = 0
    for k in key:
        if k is None:
            new_axes.append(out_pos)
            out_pos += 1
            continue
        size = x.shape[dim]
        if isinstance(k, builtins.slice):
            start, stop, step = k.indices(size)
            if step <= 0:
                raise op_error("__getitem__", "step must be greater than zero", ValueError)
            stop = builtins.max(stop, start)
            ranges[dim] = (start, stop, step)
            out_pos += 1
        elif isinstance(k, (builtins.int, np.integer)) and not isinstance(k, builtins.bool):
            k = builtins.int(k)
            if not -size <= k < size:
                raise op_error("__getitem__", f"index {k} is out of bounds for dimension "
                                              f"{dim} with size {size}", IndexError)
            k %= size
            ranges[dim] = (k, k + 1, 1)
            squeeze_dims.append(dim)
        else:
            raise op_error("__getitem__", f"unsupported index {k!r}", TypeError)
        dim += 1
    y = _slice_view(x, ranges)
    if squeeze_dims:
        y = squeeze(y, squeeze_dims) if y.ndim else y
    for p in new_axes:
        y = unsqueeze(y, p)
    return y


def _advanced_getitem(x: Tensor, key) -> Tensor:
    """Integer-tensor and boolean-mask indexing (advanced indices must be adjacent)."""
    from ember._src.creation import tensor as make_tensor

    parts = []
    for k in key:
        if isinstance(k, (list, np.ndarray)):
            k = make_tensor(k)
        if isinstance(k, Tensor) and k.dtype is bool_:
            # A mask's True positions are data: find them (a sync, as in PyTorch).
            parts.extend(make_tensor(c) for c in np.nonzero(k.numpy()))
        else:
            parts.append(k)
    tensor_pos = [i for i, k in enumerate(parts) if isinstance(k, Tensor)]
    if tensor_pos != list(range(tensor_pos[0], tensor_pos[-1] + 1)):
        raise op_error("__getitem__", "non-adjacent advanced indices are not supported",
                       NotImplementedError)
    if builtins.any(p is None for p in parts):
        raise op_error("__getitem__", "None together with advanced indexing is not supported",
                       NotImplementedError)
    # Basic indices first (slices keep their dims), then the advanced block.
    basic = [k if i not in tensor_pos else builtins.slice(None) for i, k in enumerate(parts)]
    y = getitem(x, tuple(basic))
    # Dims of y: one per entry of `parts` that is a slice or a tensor (ints removed).
    kept = [i for i, k in enumerate(parts) if not isinstance(k, builtins.int)]
    adv_dims = [kept.index(i) for i in tensor_pos]
    idx = [cast(parts[i], int64) for i in tensor_pos]
    bshape = broadcast_shapes(*(i.shape for i in idx), op="__getitem__")
    for j, d in enumerate(adv_dims):
        _check_indices(idx[j], y.shape[d], "__getitem__", exc=IndexError)
    # Flatten the advanced dims into one linear index.
    sizes = [y.shape[d] for d in adv_dims]
    linear = None
    for j, i in enumerate(idx):
        i = where(lt(i, 0), add(i, sizes[j]), i)
        linear = i if linear is None else add(mul(linear, sizes[j]), i)
    linear = _expand(linear, bshape)
    a0 = adv_dims[0]
    shp = list(y.shape)
    merged = shp[:a0] + [_numel(sizes)] + shp[a0 + len(adv_dims):]
    flat = reshape(y.contiguous(), merged)
    out = index_select(flat, a0, reshape(linear, (-1,)))
    return reshape(out, tuple(merged[:a0]) + bshape + tuple(merged[a0 + 1:]))


def setitem(x: Tensor, key, value) -> None:
    if isinstance(value, Tensor):
        v = cast(value, x.dtype)
    else:
        v = _scalar_tensor(_check_scalar(value, "__setitem__"), x.dtype)
    keys = key if isinstance(key, tuple) else (key,)
    if builtins.any(isinstance(k, (Tensor, list, np.ndarray)) for k in keys):
        return _advanced_setitem(x, key, v)
    target = getitem(x, key)
    shape = tuple(target.shape)
    if v.ndim > len(shape) or broadcast_shapes(v.shape, shape, op="__setitem__") != shape:
        raise op_error("__setitem__", f"value of shape {tuple(v.shape)} does not broadcast to "
                                      f"the indexed shape {shape}")
    new = _expand(v, shape).contiguous()._node
    (x if target is x else target)._assign(new, "__setitem__")


def _advanced_setitem(x: Tensor, key, v: Tensor) -> None:
    """Assignment through integer-tensor / boolean-mask indices.

    The indices are data: they are realized (a sync, as in PyTorch) and NumPy
    indexing of a position map gives the flat positions written. The new value is
    then ``where(written, values[source position], x)``, a gather and a select, so
    duplicate positions take the last value.
    """

    def to_numpy(k):
        if isinstance(k, Tensor):
            return k.numpy()
        if isinstance(k, list):
            return np.asarray(k)
        return k

    np_key = tuple(to_numpy(k) for k in key) if isinstance(key, tuple) else to_numpy(key)
    positions = np.arange(x.numel(), dtype=np.int64).reshape(tuple(x.shape))
    try:
        written = positions[np_key]
    except IndexError as e:
        raise op_error("__setitem__", str(e), IndexError) from None
    shape = written.shape
    if v.ndim > len(shape) or broadcast_shapes(v.shape, shape, op="__setitem__") != shape:
        raise op_error("__setitem__", f"value of shape {tuple(v.shape)} does not broadcast to "
                                      f"the indexed shape {shape}")
    if written.size == 0:
        return
    x._assign(_write_positions(x, written, _expand(v, shape))._node, "__setitem__")


def _write_positions(x: Tensor, written: np.ndarray, values: Tensor) -> Tensor:
    """``x`` with flat position ``written[i]`` set to ``values.flatten()[i]`` (later
    entries win): a gather of the values and a select, from a host position map."""
    from ember._src.creation import tensor as make_tensor

    source = np.full(x.numel(), -1, dtype=np.int64)
    source[written.reshape(-1)] = np.arange(written.size, dtype=np.int64)
    mask = make_tensor(source.reshape(tuple(x.shape)) >= 0)
    flat_values = reshape(values.contiguous(), (-1,))
    src = make_tensor(np.maximum(source, 0))
    gathered = reshape(_record("gather", (0,), (flat_values, src), (x.numel(),), x.dtype),
                       tuple(x.shape))
    return where(mask, gathered, x)


def scatter(x: Tensor, dim: int, index: Tensor, src=None, *, value=None) -> Tensor:
    """``torch.scatter``: ``out[index[i][j]][j] = src[i][j]`` for ``dim = 0`` (and
    likewise for other ranks). The index is data: it is realized (a sync)."""
    from ember._src.shape import _check_tensor

    x = _check_tensor(x, "scatter")
    index = _check_tensor(index, "scatter", "index")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(dim, index, 2.0)
    if (src is None) == (value is None):
        raise op_error("scatter", "give exactly one of src and value", TypeError)
    d = _norm(dim, x.ndim)
    if index.ndim != x.ndim:
        raise op_error("scatter", f"index has rank {index.ndim} but the input has rank "
                                  f"{x.ndim}")
    idx = index.numpy().astype(np.int64)
    size = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise op_error("scatter", f"index {bad} is out of bounds for dimension {d} with size "
                                  f"{size}")
    if src is not None:
        src = _check_tensor(src, "scatter", "src")
        if src.ndim != x.ndim or builtins.any(a > b for a, b in zip(index.shape, src.shape,
                                                                      strict=True)):
            raise op_error("scatter", f"src of shape {tuple(src.shape)} is smaller than the "
                                      f"index shape {tuple(index.shape)}")
        values = cast(_slice_view(src, {i: (0, s, 1) for i, s in enumerate(index.shape)}),
                      x.dtype)
    else:
        values = _scalar_tensor(_check_scalar(value, "scatter"), x.dtype)
        values = _expand(values, tuple(index.shape))
    for i, (a, b) in enumerate(zip(index.shape, x.shape, strict=True)):
        if i != d and a > b:
            raise op_error("scatter", f"index shape {tuple(index.shape)} is larger than the "
                                      f"input shape {tuple(x.shape)} at dimension {i}")
    coords = list(np.indices(idx.shape, dtype=np.int64)) if idx.ndim else []
    if idx.ndim:
        coords[d] = idx
    written = np.ravel_multi_index(tuple(coords), tuple(x.shape)) if idx.ndim else \
        np.zeros((), np.int64)
    if idx.size == 0:
        return x
    return _write_positions(x, np.asarray(written), values)


def _norm(dim: int, ndim: int) -> int:
    from ember._src.tensor import _norm_dim

    return _norm_dim(dim, ndim, "scatter")
