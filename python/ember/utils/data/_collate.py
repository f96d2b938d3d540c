"""``default_collate`` / ``default_convert``: samples to batched ember tensors."""

from __future__ import annotations

import collections.abc
import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from ember._src import dtypes
from ember._src.tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _host_array(a: np.ndarray) -> np.ndarray:
    """``a`` in a dtype ember has: narrow integers (uint8, int16, uint16) widen to int32,
    uint32 to int64, losslessly."""
    if a.dtype in dtypes._BY_NP:
        return a
    if a.dtype.kind in "iu" and a.dtype.itemsize <= 2:
        return a.astype(np.int32)
    if a.dtype.kind == "u" and a.dtype.itemsize == 4:
        return a.astype(np.int64)
    dtypes.as_dtype(a.dtype)  # raises, naming the dtype
    return a


def _from_numpy(a: np.ndarray) -> Tensor:
    from ember._src.creation import from_numpy

    a = np.asarray(a)
    return from_numpy(_host_array(a if a.flags.c_contiguous else a.copy(order="C")))


def _collate_tensor(batch, *, collate_fn_map=None) -> Tensor:
    shape = tuple(batch[0].shape)
    for i, t in enumerate(batch):
        if tuple(t.shape) != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t.shape)} at entry {i}")
    nodes = [t._node for t in batch]
    dt = nodes[0].dtype
    if all(n.buffer is not None and not n.requires_grad and n.dtype is dt for n in nodes):
        # Realized values stack on the host: nothing to compile.
        from ember._src.creation import from_numpy

        return from_numpy(np.stack([n.buffer for n in nodes]))
    from ember._src.ops import stack

    return stack(list(batch))


def _collate_numpy_array(batch, *, collate_fn_map=None) -> Tensor:
    if batch[0].dtype.kind in "USO":
        raise TypeError(_ERR.format(batch[0].dtype))
    shape = batch[0].shape
    for i, a in enumerate(batch):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(a.shape)} at entry {i}")
    return _from_numpy(np.stack(batch))


def _collate_numpy_scalar(batch, *, collate_fn_map=None) -> Tensor:
    return _from_numpy(np.array(batch))


def _collate_float(batch, *, collate_fn_map=None) -> Tensor:
    return _from_numpy(np.array(batch, dtype=np.float64))


def _collate_int(batch, *, collate_fn_map=None) -> Tensor:
    from ember._src.creation import tensor

    return tensor(batch)


def _collate_str(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: _collate_tensor,
    np.ndarray: _collate_numpy_array,
    np.generic: _collate_numpy_scalar,
    float: _collate_float,
    int: _collate_int,
    (str, bytes): _collate_str,
}


def collate(batch, *, collate_fn_map: dict | None = None) -> Any:
    """Collates a list of samples by the type of the first one, recursing into dicts,
    named tuples and sequences; leaves are handled by ``collate_fn_map[type]``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                if collate_type is np.generic and elem.dtype.kind in "USO":
                    continue
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                  for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        try:
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(list(s), collate_fn_map=collate_fn_map)
                           for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if not all(len(e) == n for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [list(s) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, s in enumerate(transposed):
                    clone[i] = collate(s, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch: list) -> Any:
    """Stacks a list of samples into a batch (``torch.utils.data.default_collate``).

    Tensors and NumPy arrays are stacked along a new dimension 0, Python floats become
    float64 tensors and ints int64 tensors, strings stay lists; dicts, named tuples and
    sequences are collated field by field (tuples come back as lists, as in PyTorch).
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """NumPy arrays and scalars in ``data`` become ember tensors (used when automatic
    batching is off, ``batch_size=None``); everything else is left as it is."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind in "USO":
            return data
        return _from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(fields)
            return clone
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, d in enumerate(converted):
                clone[i] = d
            return clone
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data

