"""nn.functional: attention (``scaled_dot_product_attention`` and the computation behind
``nn.MultiheadAttention``), written from matmuls, masks and a softmax."""

from __future__ import annotations

import math

from ember._src import dtypes, ops
from ember._src.creation import arange
from ember._src.errors import op_error
from ember._src.tensor import Tensor

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


def _causal_keep(rows: int, cols: int) -> Tensor:
    """The (rows, cols) bool mask that keeps ``j <= i`` (lower triangle)."""
    return ops.ge(ops.unsqueeze(arange(rows), 1), ops.unsqueeze(arange(cols), 0))


def _softmax(scores: Tensor, safe: bool) -> Tensor:
    """Softmax over the last dim; the row max is a constant for the gradient (softmax
    does not depend on it), which keeps the backward small. ``safe`` gives zeros (not
    NaN) on rows masked entirely with ``-inf``, as PyTorch's attention does."""
    m = ops.detach(ops.amax(scores, -1, keepdim=True))
    if safe:
        m = ops.where(ops.isfinite(m), m, 0.0)
    e = ops.exp(scores - m)
    s = ops.sum(e, -1, keepdim=True)
    return e / (ops.where(s > 0, s, 1.0) if safe else s)


def _attend(q: Tensor, k_t: Tensor, v: Tensor, mask: Tensor | None, is_causal: bool,
            scale: float, dropout_p: float, safe: bool = True) -> tuple[Tensor, Tensor]:
    """``softmax(q @ k_t * scale + mask) @ v`` for q (..., L, E), k_t (..., E, S) and
    v (..., S, Ev); ``mask`` is bool (True = keep) or float (added). Returns the output
    and the attention weights."""
    scores = ops.matmul(q, k_t) * scale
    if is_causal:
        scores = ops.where(_causal_keep(q.shape[-2], k_t.shape[-1]), scores, -math.inf)
    if mask is not None:
        if mask.dtype is dtypes.bool_:
            scores = ops.where(mask, scores, -math.inf)
        else:
            scores = scores + mask
    weights = _softmax(scores, safe and mask is not None)
    if dropout_p > 0.0:
        from ember.nn.functional import dropout

        weights = dropout(weights, dropout_p, training=True)
    return ops.matmul(weights, v), weights


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key.mT * scale + mask) @ value`` over (..., L, E) queries and
    (..., S, E) keys. A bool ``attn_mask`` marks the positions that take part, a float
    one is added to the scores; ``is_causal`` keeps ``j <= i``. Rows with every
    position masked give zeros. ``dropout_p`` applies dropout to the weights."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise op_error("scaled_dot_product_attention",
                           f"{name} must be a Tensor, got {type(t).__name__}", TypeError)
        if t.ndim < 2:
            raise op_error("scaled_dot_product_attention",
                           f"{name} must have at least 2 dims, got shape {tuple(t.shape)}")
    if not (query.dtype == key.dtype == value.dtype) or not query.dtype.is_floating_point:
        raise op_error("scaled_dot_product_attention",
                       f"expected query, key and value to have the same floating point dtype, "
                       f"got {query.dtype!r}, {key.dtype!r} and {value.dtype!r}")
    if query.shape[-1] != key.shape[-1]:
        raise op_error("scaled_dot_product_attention",
                       f"query of shape {tuple(query.shape)} and key of shape "
                       f"{tuple(key.shape)} differ in their last (embedding) dim")
    if key.shape[-2] != value.shape[-2]:
        raise op_error("scaled_dot_product_attention",
                       f"key of shape {tuple(key.shape)} and value of shape "
                       f"{tuple(value.shape)} differ in their sequence dim (-2)")
    if is_causal and attn_mask is not None:
        raise op_error("scaled_dot_product_attention",
                       "explicit attn_mask should not be set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise op_error("scaled_dot_product_attention",
                       f"dropout_p must be in [0, 1], got {dropout_p}", ValueError)
    if attn_mask is not None and not (attn_mask.dtype is dtypes.bool_
                                      or attn_mask.dtype.is_floating_point):
        raise op_error("scaled_dot_product_attention",
                       f"attn_mask must be bool or floating point, got {attn_mask.dtype!r}",
                       TypeError)
    if enable_gqa:
        key, value = _repeat_kv(query, key), _repeat_kv(query, value)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    return _attend(query, ops.transpose(key, -2, -1), value, attn_mask, is_causal, scale,
                   dropout_p)[0]


def _repeat_kv(query: Tensor, kv: Tensor) -> Tensor:
    """Repeats each of ``kv``'s heads (dim -3) for the group of query heads sharing it."""
    if query.ndim < 3 or kv.ndim < 3 or query.shape[-3] % kv.shape[-3]:
        raise op_error("scaled_dot_product_attention",
                       f"enable_gqa needs (..., heads, L, E) inputs whose query heads are a "
                       f"multiple of the key/value heads, got query {tuple(query.shape)} and "
                       f"key/value {tuple(kv.shape)}")
    groups = query.shape[-3] // kv.shape[-3]
    if groups == 1:
        return kv
    *lead, h, s, e = kv.shape
    out = ops.expand(ops.unsqueeze(kv, -3), (*lead, h, groups, s, e))
    return ops.reshape(out, (*lead, h * groups, s, e))


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the inputs are batched (3-D) or unbatched (2-D); PyTorch's checks."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 2-D but found {key_padding_mask.ndim}-D tensor "
                                 f"instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be "
                                 f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                 f"instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to "
                                 f"be 2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` "
                                 f"to be `None` or 1-D but found {key_padding_mask.ndim}-D "
                                 f"tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                     f"instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _proj(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``x @ w.T + b`` over the last dim as one 2-D matmul (a smaller backward than a
    batched one: no sum over broadcast batch dims)."""
    out = ops.matmul(ops.reshape(x, (-1, x.shape[-1])), ops.t(w))
    if b is not None:
        out = out + b
    return ops.reshape(out, (*x.shape[:-1], w.shape[0]))


def _split_heads(t: Tensor, n: int, heads: int, batch_first: bool, keys_last: bool):
    """(A, B, n * E) projections, (A, B) = (L, N) or (N, L), as ``n`` tensors
    (N, heads, L, head_dim), or (N, heads, head_dim, L) with ``keys_last``."""
    a, b, e = t.shape
    t = ops.reshape(t, (a, b, n, heads, e // (n * heads)))
    seq, batch = (1, 0) if batch_first else (0, 1)
    dims = (2, batch, 3, 4, seq) if keys_last else (2, batch, 3, seq, 4)
    return ops.unbind(ops.permute(t, dims), 0)


def _float_mask(mask: Tensor | None, dtype) -> Tensor | None:
    """A bool mask (True = masked out) as a float one: ``-inf`` there, 0 elsewhere."""
    if mask is None or mask.dtype is not dtypes.bool_:
        return mask
    return ops.where(mask, -math.inf, ops.zeros(tuple(mask.shape), dtype=dtype))


def _check_mask_dtype(mask: Tensor | None, name: str) -> None:
    if mask is not None and not (mask.dtype is dtypes.bool_ or mask.dtype.is_floating_point):
        raise AssertionError(f"only bool and floating types of {name} are supported")


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention over sequence-first (L, N, E) inputs (or unbatched (L, E)),
    as ``nn.MultiheadAttention`` computes it: in-projection, per-head scaled dot-product
    attention with the merged ``attn_mask`` / ``key_padding_mask`` (bool: True = masked
    out; float: added), out-projection. Returns the output and, with ``need_weights``,
    the attention weights (averaged over heads with ``average_attn_weights``)."""
    return _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                out_proj_bias, training, key_padding_mask, need_weights, attn_mask,
                use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight,
                static_k, static_v, average_attn_weights, is_causal, batch_first=False)


def _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
         bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
         key_padding_mask, need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
         k_proj_weight, v_proj_weight, static_k, static_v, average_attn_weights, is_causal,
         batch_first):
    """``multi_head_attention_forward`` on (L, N, E) inputs, or (N, L, E) ones with
    ``batch_first`` (no transposes of the inputs). Heads are laid out (N, H, L, hd)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        batch_first = False
        query, key, value = (ops.unsqueeze(t, 1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
    seq_dim = 1 if batch_first else 0
    tgt_len, bsz, embed_dim = query.shape[seq_dim], query.shape[1 - seq_dim], query.shape[2]
    src_len = key.shape[seq_dim]
    _check_mask_dtype(key_padding_mask, "key_padding_mask")
    _check_mask_dtype(attn_mask, "attn_mask")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight, "
                                 "k_proj_weight or v_proj_weight is None")
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                                 f"{tuple(value.shape)}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w_q, w_k, w_v = ops.chunk(in_proj_weight, 3)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = ops.chunk(in_proj_bias, 3)
    if attn_mask is not None:
        if attn_mask.ndim == 2 and tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                               f"but should be {(tgt_len, src_len)}.")
        if attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(bsz * num_heads, tgt_len, src_len)}.")
            attn_mask = ops.reshape(attn_mask, (bsz, num_heads, tgt_len, src_len))
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        key_padding_mask = ops.reshape(key_padding_mask, (bsz, 1, 1, src_len))
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    if bias_k is not None and (static_k is not None or static_v is not None):
        raise AssertionError("bias cannot be added to static key/value.")

    packed = not use_separate_proj_weight and bias_k is None and static_k is None \
        and static_v is None
    if packed and query is key and key is value:
        q, k_t, v = _qkv_heads(query, in_proj_weight, in_proj_bias, num_heads, batch_first)
    elif packed and key is value:
        (q,) = _split_heads(_proj(query, w_q, b_q), 1, num_heads, batch_first, False)
        kv = _proj(key, in_proj_weight[embed_dim:],
                   None if in_proj_bias is None else in_proj_bias[embed_dim:])
        k, v = _split_heads(kv, 2, num_heads, batch_first, False)
        k_t = ops.transpose(k, -2, -1)
    else:
        (q,) = _split_heads(_proj(query, w_q, b_q), 1, num_heads, batch_first, False)
        k = _proj(key, w_k, b_k) if static_k is None else None
        v = _proj(value, w_v, b_v) if static_v is None else None
        if bias_k is not None:
            rep = (bsz, 1, embed_dim) if batch_first else (1, bsz, embed_dim)
            k = ops.cat([k, ops.expand(ops.reshape(bias_k, (1, 1, embed_dim)), rep)], seq_dim)
            v = ops.cat([v, ops.expand(ops.reshape(bias_v, (1, 1, embed_dim)), rep)], seq_dim)
            attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
        k_t = _static(static_k, "k", bsz, num_heads, head_dim, True) if k is None else \
            _split_heads(k, 1, num_heads, batch_first, True)[0]
        v = _static(static_v, "v", bsz, num_heads, head_dim, False) if v is None else \
            _split_heads(v, 1, num_heads, batch_first, False)[0]
    if add_zero_attn:
        k_t = ops.cat([k_t, ops.zeros((*k_t.shape[:-1], 1), dtype=k_t.dtype)], -1)
        v = ops.cat([v, ops.zeros((*v.shape[:-2], 1, v.shape[-1]), dtype=v.dtype)], -2)
        attn_mask, key_padding_mask = _pad_masks(attn_mask, key_padding_mask)
    mask = _merge_masks(attn_mask, key_padding_mask, q.dtype)
    out, weights = _attend(q, k_t, v, mask, is_causal, 1.0 / math.sqrt(head_dim),
                           dropout_p if training else 0.0, safe=not need_weights)
    perm = (0, 2, 1, 3) if batch_first else (2, 0, 1, 3)
    out = ops.reshape(ops.permute(out, perm), (out.shape[perm[0]], out.shape[perm[1]],
                                                embed_dim))
    out = _proj(out, out_proj_weight, out_proj_bias)
    if not need_weights:
        weights = None
    elif average_attn_weights:
        weights = ops.mean(weights, 1)
    if not batched:
        out = ops.squeeze(out, 1)
        weights = None if weights is None else ops.squeeze(weights, 0)
    return out, weights


def _qkv_heads(x: Tensor, w: Tensor, b: Tensor | None, heads: int, batch_first: bool):
    """Self-attention's packed projection: q, k transposed (N, H, hd, L) and v."""
    q, k, v = _split_heads(_proj(x, w, b), 3, heads, batch_first, False)
    return q, ops.transpose(k, -2, -1), v


def _pad_masks(attn_mask: Tensor | None, key_padding_mask: Tensor | None):
    """One more key position (a bias or zero slot) that no mask hides."""
    return tuple(None if m is None else ops.pad(m, (0, 1))
                 for m in (attn_mask, key_padding_mask))


def _merge_masks(attn_mask: Tensor | None, key_padding_mask: Tensor | None, dtype):
    """One mask for ``_attend``: bool (True = keep) when both masks are bool, else float
    (added), broadcasting to (N, H, L, S)."""
    masks = [m for m in (attn_mask, key_padding_mask) if m is not None]
    if not masks:
        return None
    if all(m.dtype is dtypes.bool_ for m in masks):
        hidden = masks[0] if len(masks) == 1 else ops.logical_or(masks[0], masks[1])
        return ops.logical_not(hidden)
    out = _float_mask(masks[0], dtype)
    return out if len(masks) == 1 else out + _float_mask(masks[1], dtype)


def _static(t: Tensor, name: str, bsz: int, heads: int, head_dim: int,
            keys_last: bool) -> Tensor:
    """A given ``static_k`` / ``static_v`` (N * heads, S, head_dim) in the head layout."""
    if t.ndim != 3 or t.shape[0] != bsz * heads or t.shape[2] != head_dim:
        raise AssertionError(f"expecting static_{name} of shape ({bsz * heads}, S, {head_dim}), "
                             f"but got {tuple(t.shape)}")
    t = ops.reshape(t, (bsz, heads, t.shape[1], head_dim))
    return ops.transpose(t, -2, -1) if keys_last else t
