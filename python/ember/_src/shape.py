"""Shape ops and views: reshape, permute, expand, cat, split, pad, gather."""

from __future__ import annotations

import builtins

from ember._src import dtypes
from ember._src.dtypes import int64, promote_types
from ember._src.errors import EmberError, op_error
from ember._src.record import (
    _attr_value,
    _check_tensor,
    _expand,
    _numel,
    _record,
    broadcast_shapes,
    cast,
)
from ember._src.tensor import Tensor, View, _norm_dim


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _infer_shape(x: Tensor, shape, op: str) -> tuple[int, ...]:
    shape = tuple(builtins.int(s) for s in shape)
    n = x.numel()
    if shape.count(-1) > 1:
        raise op_error(op, f"only one dimension can be -1, got {shape}")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or n % known:
            raise op_error(op, f"shape {shape} is invalid for input of size {n}")
        shape = tuple(n // known if s == -1 else s for s in shape)
    if builtins.any(s < 0 for s in shape) or _numel(shape) != n:
        raise op_error(op, f"shape {shape} is invalid for input of size {n}")
    return shape


def reshape(x, *shape) -> Tensor:
    x = _check_tensor(x, "reshape")
    shape = _infer_shape(x, _shape_arg(shape), "reshape")
    return x._make_view(View("reshape", (tuple(x.shape), shape)))


view = reshape


def flatten(x, start_dim=0, end_dim=-1) -> Tensor:
    x = _check_tensor(x, "flatten")
    if x.ndim == 0:
        return reshape(x, (1,))
    s, e = _norm_dim(start_dim, x.ndim, "flatten"), _norm_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise op_error("flatten", f"start_dim {start_dim} comes after end_dim {end_dim}")
    shape = tuple(x.shape)
    return reshape(x, shape[:s] + (_numel(shape[s:e + 1]),) + shape[e + 1:])


def unsqueeze(x, dim: int) -> Tensor:
    x = _check_tensor(x, "unsqueeze")
    d = _norm_dim(dim, x.ndim + 1, "unsqueeze")
    shape = tuple(x.shape)
    return reshape(x, shape[:d] + (1,) + shape[d:])


def squeeze(x, dim=None) -> Tensor:
    x = _check_tensor(x, "squeeze")
    if dim is None:
        dims = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        dims = tuple(_norm_dim(d, x.ndim, "squeeze") for d in
                     ((dim,) if isinstance(dim, builtins.int) else dim))
    shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return reshape(x, shape)


def permute(x, *dims) -> Tensor:
    x = _check_tensor(x, "permute")
    dims = tuple(_norm_dim(d, x.ndim, "permute") for d in _shape_arg(dims))
    if sorted(dims) != list(range(x.ndim)):
        raise op_error("permute", f"dims {dims} are not a permutation of the "
                                  f"{x.ndim} dimensions")
    return x._make_view(View("permute", (dims,)))


def transpose(x, dim0: int, dim1: int) -> Tensor:
    x = _check_tensor(x, "transpose")
    if x.ndim == 0:
        return x
    perm = list(range(x.ndim))
    a, b = _norm_dim(dim0, x.ndim, "transpose"), _norm_dim(dim1, x.ndim, "transpose")
    perm[a], perm[b] = perm[b], perm[a]
    return permute(x, perm)


swapaxes = transpose


def t(x) -> Tensor:
    if x.ndim > 2:
        raise op_error("t", f"expects a tensor with <= 2 dimensions, got {x.ndim}")
    return transpose(x, 0, 1) if x.ndim == 2 else x


def expand(x, *sizes) -> Tensor:
    x = _check_tensor(x, "expand")
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise op_error("expand", f"the number of sizes ({len(sizes)}) must be at least the "
                                 f"tensor's rank ({x.ndim})")
    offset = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        cur = x.shape[i - offset] if i >= offset else None
        if s == -1:
            if cur is None:
                raise op_error("expand", "-1 is not allowed for a new leading dimension")
            s = cur
        if cur is not None and cur != 1 and cur != s:
            raise op_error("expand", f"cannot expand size {cur} to {s} at dimension {i} "
                                     f"(shape {tuple(x.shape)} to {tuple(sizes)})")
        shape.append(builtins.int(s))
    shape = tuple(shape)
    if shape == tuple(x.shape):
        return x
    return x._make_view(View("expand", (shape,)))


def expand_as(x, other) -> Tensor:
    return expand(x, other.shape)


def broadcast_to(x, shape) -> Tensor:
    return expand(x, tuple(shape))


def repeat(x, *repeats) -> Tensor:
    x = _check_tensor(x, "repeat")
    reps = _shape_arg(repeats)
    if len(reps) < x.ndim:
        raise op_error("repeat", f"needs at least {x.ndim} repeat counts, got {len(reps)}")
    shape = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
    # (s0, s1) -> (1, s0, 1, s1) -> (r0, s0, r1, s1) -> (r0*s0, r1*s1)
    inter = tuple(v for s in shape for v in (1, s))
    big = tuple(v for r, s in zip(reps, shape, strict=True) for v in (r, s))
    out = _expand(reshape(x, inter).contiguous(), big)
    return reshape(out, tuple(r * s for r, s in zip(reps, shape, strict=True)))


def contiguous(x) -> Tensor:
    """A tensor with its own value (no view of another); values are unchanged."""
    x = _check_tensor(x, "contiguous")
    return Tensor._wrap(x._node) if x._base is not None else x


def clone(x) -> Tensor:
    """A new tensor with the same value (a new node: not a leaf, not a view)."""
    x = _check_tensor(x, "clone")
    return _record("reshape", (), (x,), tuple(x.shape), x.dtype)


def detach(x) -> Tensor:
    """The same value, sharing in-place updates both ways (no autograd history)."""
    x = _check_tensor(x, "detach")
    t = x._make_view(View("reshape", (tuple(x.shape), tuple(x.shape))))
    t._detached = True
    t._node_.requires_grad = False
    return t


def cat(tensors, dim=0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise op_error("cat", "expected a non-empty list of tensors", ValueError)
    for i, t_ in enumerate(tensors):
        _check_tensor(t_, "cat", f"tensors[{i}]")
    # PyTorch skips 1-D empty tensors in cat.
    nonempty = [t_ for t_ in tensors if not (t_.ndim == 1 and t_.shape[0] == 0)]
    if not nonempty:
        return tensors[0]
    ref = nonempty[0]
    d = _norm_dim(dim, ref.ndim, "cat")
    dt = ref.dtype
    for t_ in nonempty[1:]:
        dt = promote_types(dt, t_.dtype)
    for i, t_ in enumerate(nonempty):
        if t_.ndim != ref.ndim or builtins.any(
                a != b for j, (a, b) in enumerate(zip(t_.shape, ref.shape, strict=True))
                if j != d):
            raise op_error("cat", f"sizes of tensors must match except in dimension {d}: "
                                  f"{tuple(ref.shape)} vs {tuple(t_.shape)} (tensor {i})")
    if len(nonempty) == 1:
        return cast(nonempty[0], dt)
    shape = list(ref.shape)
    shape[d] = builtins.sum(t_.shape[d] for t_ in nonempty)
    return _record("concat", (d,), [cast(t_, dt) for t_ in nonempty], tuple(shape), dt)


concat = cat


def stack(tensors, dim=0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise op_error("stack", "expected a non-empty list of tensors", ValueError)
    for i, t_ in enumerate(tensors):
        if tuple(_check_tensor(t_, "stack").shape) != tuple(tensors[0].shape):
            raise op_error("stack", f"stack expects each tensor to be equal size, but got "
                                    f"{tuple(tensors[0].shape)} at entry 0 and "
                                    f"{tuple(t_.shape)} at entry {i}")
    d = _norm_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t_, d) for t_ in tensors], d)


def narrow(x, dim, start, length) -> Tensor:
    d = _norm_dim(dim, x.ndim, "narrow")
    if start < 0:
        start += x.shape[d]
    if not (0 <= start and start + length <= x.shape[d] and length >= 0):
        raise op_error("narrow", f"start {start} + length {length} exceeds dimension "
                                 f"{d} of size {x.shape[d]}")
    return _slice_view(x, {d: (start, start + length, 1)})


def split(x, split_size_or_sections, dim=0):
    x = _check_tensor(x, "split")
    d = _norm_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, builtins.int):
        size = split_size_or_sections
        if size <= 0:
            raise op_error("split", f"split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - i) for i in range(0, n, size)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise op_error("split", f"split sizes {sizes} do not sum to {n} (dimension {d})")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(x, d, start, s))
        start += s
    return tuple(out)


def chunk(x, chunks: int, dim=0):
    d = _norm_dim(dim, x.ndim, "chunk")
    if chunks <= 0:
        raise op_error("chunk", f"chunks must be positive, got {chunks}")
    size = -(-x.shape[d] // chunks) if x.shape[d] else 1
    return split(x, builtins.max(size, 1), d)


def unbind(x, dim=0):
    d = _norm_dim(dim, x.ndim, "unbind")
    return tuple(select(x, d, i) for i in range(x.shape[d]))


def select(x, dim, index) -> Tensor:
    d = _norm_dim(dim, x.ndim, "select")
    n = x.shape[d]
    if not -n <= index < n:
        raise op_error("select", f"index {index} is out of range for dimension {d} of size "
                                 f"{n}", IndexError)
    index %= n
    return squeeze(_slice_view(x, {d: (index, index + 1, 1)}), d)


def _slice_view(x: Tensor, ranges: dict) -> Tensor:
    start, stop, step = [], [], []
    for i, s in enumerate(x.shape):
        a, b, c = ranges.get(i, (0, s, 1))
        start.append(a)
        stop.append(b)
        step.append(c)
    if all_full(start, stop, step, x.shape):
        return x
    return x._make_view(View("slice", (tuple(start), tuple(stop), tuple(step))))


def all_full(start, stop, step, shape) -> bool:
    return builtins.all(a == 0 and b == s and c == 1
                        for a, b, c, s in zip(start, stop, step, shape, strict=True))


def pad(x, pad, mode="constant", value=0) -> Tensor:
    """``F.pad``: ``pad`` lists (left, right) amounts from the last dimension backwards."""
    x = _check_tensor(x, "pad")
    if mode != "constant":
        raise op_error("pad", f"mode {mode!r} is not supported (only 'constant')",
                       NotImplementedError)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise op_error("pad", f"padding {tuple(pad)} needs pairs for at most {x.ndim} "
                              "dimensions", ValueError)
    low, high = [0] * x.ndim, [0] * x.ndim
    for i in range(len(pad) // 2):
        low[x.ndim - 1 - i], high[x.ndim - 1 - i] = pad[2 * i], pad[2 * i + 1]
    if builtins.any(v < 0 for v in low + high):
        # Negative padding crops.
        ranges = {d: (builtins.max(-low[d], 0), x.shape[d] - builtins.max(-high[d], 0), 1)
                  for d in range(x.ndim)}
        x = _slice_view(x, ranges).contiguous()
        low = [builtins.max(v, 0) for v in low]
        high = [builtins.max(v, 0) for v in high]
    shape = tuple(s + a + b for s, a, b in zip(x.shape, low, high, strict=True))
    return _record("pad", (tuple(low), tuple(high), _attr_value(value, x.dtype)), (x,), shape,
                   x.dtype)


def gather(x, dim, index) -> Tensor:
    x = _check_tensor(x, "gather")
    index = _check_tensor(index, "gather", "index")
    if index.dtype not in (int64, dtypes.int32):
        raise op_error("gather", f"index must be an int64 or int32 tensor, got "
                                 f"{index.dtype!r}", TypeError)
    d = _norm_dim(dim, x.ndim, "gather")
    if index.ndim != x.ndim:
        raise op_error("gather", f"index has rank {index.ndim} but the input has rank "
                                 f"{x.ndim}")
    for i, (a, b) in enumerate(zip(index.shape, x.shape, strict=True)):
        if i != d and a > b:
            raise op_error("gather", f"index shape {tuple(index.shape)} is larger than the "
                                     f"input shape {tuple(x.shape)} at dimension {i}")
    _check_indices(index, x.shape[d], "gather", negative=False)
    return _record("gather", (d,), (x, index), tuple(index.shape), x.dtype)


def _check_indices(index: Tensor, size: int, op: str, *, negative=True,
                   exc: type[Exception] = EmberError) -> None:
    """Indices are data: checking them realizes the index tensor (a sync, as in PyTorch).
    ``negative`` allows ``-size <= i < 0`` (counted from the end)."""
    if index.numel() == 0:
        return
    a = index.numpy()
    lo, hi = builtins.int(a.min()), builtins.int(a.max())
    low = -size if negative else 0
    if lo < low or hi >= size:
        bad = lo if lo < low else hi
        raise op_error(op, f"index {bad} is out of bounds for dimension of size {size}", exc)


def index_select(x, dim, index) -> Tensor:
    x = _check_tensor(x, "index_select")
    index = _check_tensor(index, "index_select", "index")
    if index.ndim > 1:
        raise op_error("index_select", f"index must be 1-D, got shape {tuple(index.shape)}")
    d = _norm_dim(dim, x.ndim, "index_select")
    _check_indices(index, x.shape[d], "index_select", negative=False, exc=IndexError)
    idx = reshape(index, (-1,))
    shape = list(x.shape)
    shape[d] = idx.shape[0]
    view_shape = [1] * x.ndim
    view_shape[d] = idx.shape[0]
    full_index = _expand(reshape(idx, view_shape).contiguous(), shape)
    return gather(x, d, full_index)


def _take_along_dim(x, indices, dim) -> Tensor:
    shape = list(broadcast_shapes(tuple(x.shape[:dim]) + (1,) + tuple(x.shape[dim + 1:]),
                                  tuple(indices.shape[:dim]) + (1,) +
                                  tuple(indices.shape[dim + 1:]), op="take_along_dim"))
    xs, is_ = list(shape), list(shape)
    xs[dim], is_[dim] = x.shape[dim], indices.shape[dim]
    return gather(_expand(x, xs), dim, _expand(indices, is_))


def take_along_dim(x, indices, dim=None) -> Tensor:
    if dim is None:
        return gather(reshape(x, (-1,)), 0, reshape(indices, (-1,)))
    return _take_along_dim(x, indices, _norm_dim(dim, x.ndim, "take_along_dim"))
