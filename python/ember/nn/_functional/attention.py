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


def _masked_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim that gives zeros (not NaN) on rows masked entirely
    with ``-inf``, as PyTorch's attention does. The row max is a constant for the
    gradient (softmax does not depend on it)."""
    m = ops.detach(ops.amax(scores, -1, keepdim=True))
    m = ops.where(ops.isfinite(m), m, ops.zeros_like(m))
    e = ops.exp(scores - m)
    s = ops.sum(e, -1, keepdim=True)
    return e / ops.where(s > 0, s, 1.0)


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
    if enable_gqa:
        key, value = _repeat_kv(query, key), _repeat_kv(query, value)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = ops.matmul(query, ops.transpose(key, -2, -1)) * scale
    if is_causal:
        scores = ops.masked_fill(scores, ops.logical_not(_causal_keep(L, S)), -math.inf)
    if attn_mask is None:
        weights = ops.softmax(scores, -1)
    else:
        if attn_mask.dtype is dtypes.bool_:
            scores = ops.where(attn_mask, scores, -math.inf)
        elif attn_mask.dtype.is_floating_point:
            scores = scores + attn_mask
        else:
            raise op_error("scaled_dot_product_attention",
                           f"attn_mask must be bool or floating point, got {attn_mask.dtype!r}",
                           TypeError)
        weights = _masked_softmax(scores)
    if dropout_p > 0.0:
        from ember.nn.functional import dropout

        weights = dropout(weights, dropout_p, training=True)
    return ops.matmul(weights, value)


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


def _canonical_mask(mask: Tensor | None, name: str, dtype) -> Tensor | None:
    """A bool mask (True = masked out) as a float one (``-inf`` there, 0 elsewhere);
    float masks pass through."""
    if mask is None:
        return None
    if mask.dtype is dtypes.bool_:
        return ops.where(mask, -math.inf, ops.zeros(tuple(mask.shape), dtype=dtype))
    if not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


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


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    out = ops.matmul(x, ops.t(w))
    return out if b is None else out + b


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
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = (ops.unsqueeze(t, 1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = ops.unsqueeze(key_padding_mask, 0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
        if key_padding_mask is not None:
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
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = ops.chunk(in_proj_bias, 3)
        q = _linear(query, q_proj_weight, b_q)
        k = _linear(key, k_proj_weight, b_k)
        v = _linear(value, v_proj_weight, b_v)
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
        if key is value and query is key:
            q, k, v = ops.chunk(_linear(query, in_proj_weight, in_proj_bias), 3, -1)
        elif key is value:
            q = _linear(query, w_q, b_q)
            b_kv = None if in_proj_bias is None else in_proj_bias[embed_dim:]
            k, v = ops.chunk(_linear(key, in_proj_weight[embed_dim:], b_kv), 2, -1)
        else:
            q, k, v = (_linear(query, w_q, b_q), _linear(key, w_k, b_k),
                       _linear(value, w_v, b_v))
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(tgt_len, src_len)}.")
            attn_mask = ops.unsqueeze(attn_mask, 0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = ops.cat([k, ops.repeat(bias_k, 1, bsz, 1)])
        v = ops.cat([v, ops.repeat(bias_v, 1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = ops.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = ops.pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    q = ops.transpose(ops.reshape(q, (tgt_len, bsz * num_heads, head_dim)), 0, 1)
    k = _heads(k, static_k, "key", bsz, num_heads, head_dim)
    v = _heads(v, static_v, "value", bsz, num_heads, head_dim)
    if add_zero_attn:
        zero = ops.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = ops.cat([k, zero], 1), ops.cat([v, zero], 1)
        if attn_mask is not None:
            attn_mask = ops.pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = ops.pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = ops.expand(ops.reshape(key_padding_mask, (bsz, 1, 1, src_len)),
                         (bsz, num_heads, 1, src_len))
        kpm = ops.reshape(kpm, (bsz * num_heads, 1, src_len))
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = ops.matmul(q * (1.0 / math.sqrt(head_dim)), ops.transpose(k, -2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = ops.softmax(scores, -1)
        if dropout_p > 0.0:
            from ember.nn.functional import dropout

            weights = dropout(weights, dropout_p)
        out = ops.matmul(weights, v)
        out = ops.reshape(ops.transpose(out, 0, 1), (tgt_len * bsz, embed_dim))
        out = ops.reshape(_linear(out, out_proj_weight, out_proj_bias), (tgt_len, bsz, -1))
        weights = ops.reshape(weights, (bsz, num_heads, tgt_len, src_len))
        if average_attn_weights:
            weights = ops.mean(weights, 1)
        if not batched:
            out, weights = ops.squeeze(out, 1), ops.squeeze(weights, 0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1:
            attn_mask = ops.unsqueeze(attn_mask, 0)
        else:
            attn_mask = ops.reshape(attn_mask, (bsz, num_heads, -1, src_len))
    q = ops.reshape(q, (bsz, num_heads, tgt_len, head_dim))
    k = ops.reshape(k, (bsz, num_heads, src_len, head_dim))
    v = ops.reshape(v, (bsz, num_heads, src_len, head_dim))
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = ops.reshape(ops.permute(out, (2, 0, 1, 3)), (bsz * tgt_len, embed_dim))
    out = ops.reshape(_linear(out, out_proj_weight, out_proj_bias), (tgt_len, bsz, -1))
    if not batched:
        out = ops.squeeze(out, 1)
    return out, None


def _heads(t: Tensor, static: Tensor | None, name: str, bsz: int, num_heads: int,
           head_dim: int) -> Tensor:
    """(S, N, E) -> (N * heads, S, head_dim), or the given ``static_k`` / ``static_v``."""
    if static is None:
        return ops.transpose(ops.reshape(t, (t.shape[0], bsz * num_heads, head_dim)), 0, 1)
    if static.ndim != 3 or static.shape[0] != bsz * num_heads or static.shape[2] != head_dim:
        raise AssertionError(f"expecting static_{name[0]} of shape "
                             f"({bsz * num_heads}, S, {head_dim}), but got {tuple(static.shape)}")
    return static
