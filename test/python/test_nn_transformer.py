"""``F.scaled_dot_product_attention``, ``nn.MultiheadAttention`` and the Transformer
layers against PyTorch with the same weights (eval mode): outputs, attention weights
and the gradients of every parameter and input, with bool and float masks, both
``norm_first`` settings, ``batch_first`` and unbatched inputs."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

TOL = dict(rtol=1e-4, atol=1e-5)
# PyTorch's warnings on mixed bool / float masks (mixed on purpose) and its fast path.
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")]


def _port(tm: torch.nn.Module, em: nn.Module) -> None:
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _pair(tcls, ecls, *args, **kwargs):
    torch.manual_seed(0)
    tm = tcls(*args, **kwargs).eval()
    em = ecls(*args, **kwargs).eval()
    _port(tm, em)
    return tm, em


def _compare(call, inputs: list[np.ndarray], tm=None, em=None, seed: int = 0, tol=TOL):
    """Runs ``call(lib, module, *inputs)`` (``lib`` is ``torch`` or ``ember``) on both
    sides, puts random cotangents on every output that is not None, and compares the
    outputs and the gradients of the inputs and of the module's parameters."""
    rng = np.random.default_rng(seed)
    tin = [torch.tensor(a, requires_grad=True) for a in inputs]
    ein = [ember.tensor(a, requires_grad=True) for a in inputs]
    touts, eouts = call(torch, tm, *tin), call(ember, em, *ein)
    touts = touts if isinstance(touts, tuple) else (touts,)
    eouts = eouts if isinstance(eouts, tuple) else (eouts,)
    assert [t is None for t in touts] == [e is None for e in eouts]
    pairs = [(t, e) for t, e in zip(touts, eouts, strict=True) if t is not None]
    cots = [rng.standard_normal(tuple(t.shape)).astype(inputs[0].dtype) for t, _ in pairs]
    torch.autograd.backward([t for t, _ in pairs], [torch.tensor(c) for c in cots])
    ember.autograd.backward([e for _, e in pairs], [ember.tensor(c) for c in cots])
    for t, e in pairs:
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(e.numpy(), t.detach().numpy(), **tol)
    for i, (t, e) in enumerate(zip(tin, ein, strict=True)):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), **tol, err_msg=f"input {i}")
    if tm is not None:
        eparams = dict(em.named_parameters())
        assert list(eparams) == [n for n, _ in tm.named_parameters()]
        for name, p in tm.named_parameters():
            np.testing.assert_allclose(eparams[name].grad.numpy(), p.grad.numpy(), **tol,
                                       err_msg=name)


def _randn(rng, *shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _keep_mask(rng, rows: int, cols: int) -> np.ndarray:
    """A random bool mask (True = attend) with at least one True per row."""
    m = rng.random((rows, cols)) < 0.6
    m[np.arange(rows), rng.integers(0, cols, rows)] = True
    return m


# -- scaled_dot_product_attention -----------------------------------------------------

def _sdpa_case(name: str, rng):
    q, k, v = _randn(rng, 2, 3, 4, 8), _randn(rng, 2, 3, 5, 8), _randn(rng, 2, 3, 5, 6)
    if name == "plain":
        return [q, k, v], {}
    if name == "causal_scale":
        return [q, k, v], dict(is_causal=True, scale=0.3)
    if name == "bool_mask_masked_row":
        m = _keep_mask(rng, 4, 5)
        m[2] = False
        return [q, k, v], dict(attn_mask=m)
    if name == "float_mask_3d_f64":
        return [a.astype(np.float64) for a in (q[0], k[0], v[0])], \
            dict(attn_mask=_randn(rng, 3, 1, 5, dtype=np.float64))
    if name == "gqa":
        return [_randn(rng, 2, 4, 3, 8), k[:, :2], v[:, :2]], dict(enable_gqa=True)
    raise AssertionError(name)


@pytest.mark.parametrize("case", ["plain", "causal_scale", "bool_mask_masked_row",
                                  "float_mask_3d_f64", "gqa"])
def test_scaled_dot_product_attention(case):
    inputs, kw = _sdpa_case(case, np.random.default_rng(0))
    tol = dict(rtol=1e-10, atol=1e-12) if inputs[0].dtype == np.float64 else TOL

    def call(lib, _, q, k, v):
        kwargs = {n: lib.tensor(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
        sdpa = TF.scaled_dot_product_attention if lib is torch else \
            F.scaled_dot_product_attention
        return sdpa(q, k, v, **kwargs)

    _compare(call, inputs, tol=tol)


def test_scaled_dot_product_attention_errors():
    q, k, v = ember.randn(2, 3, 4), ember.randn(2, 5, 4), ember.randn(2, 5, 6)
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal"):
        F.scaled_dot_product_attention(q, k, v, ember.ones(3, 5, dtype=ember.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="last \\(embedding\\) dim"):
        F.scaled_dot_product_attention(q, ember.randn(2, 5, 3), v)
    with pytest.raises(RuntimeError, match="sequence dim"):
        F.scaled_dot_product_attention(q, k, ember.randn(2, 4, 6))
    with pytest.raises(RuntimeError, match="same floating point dtype"):
        F.scaled_dot_product_attention(q, k, v.double())
    with pytest.raises(RuntimeError, match="enable_gqa"):
        F.scaled_dot_product_attention(ember.randn(1, 3, 2, 4), ember.randn(1, 2, 2, 4),
                                       ember.randn(1, 2, 2, 4), enable_gqa=True)


# -- MultiheadAttention ---------------------------------------------------------------

MHA_CASES = {
    # batch_first self-attention; bool key padding and attn masks; averaged weights
    "self_batch_first_bool_masks": dict(kw=dict(batch_first=True), self_attn=True,
                                        kpm="bool", attn_mask="bool2d", need_weights=True),
    # cross-attention, sequence first, float 3-D attn mask, no weights (the SDPA path)
    "cross_float_mask_sdpa": dict(kw=dict(), kpm="float", attn_mask="float3d",
                                  need_weights=False),
    # kdim / vdim, bias_k / bias_v, a zero attention slot, per-head weights
    "kdim_vdim_bias_kv_zero_attn": dict(kw=dict(kdim=3, vdim=5, add_bias_kv=True,
                                                add_zero_attn=True), kpm="bool",
                                        attn_mask="bool2d", need_weights=True,
                                        average=False),
    # unbatched, no bias, the is_causal hint with its causal mask
    "unbatched_causal_nobias": dict(kw=dict(bias=False), unbatched=True, self_attn=True,
                                    attn_mask="causal", is_causal=True, need_weights=False),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention(case):
    c = MHA_CASES[case]
    kw = c["kw"]
    E, H, L, S, N = 8, 2, 4, 5, 2
    tm, em = _pair(torch.nn.MultiheadAttention, nn.MultiheadAttention, E, H, **kw)
    rng = np.random.default_rng(1)
    if c.get("self_attn"):
        S = L
    lead = (lambda n: (n,)) if c.get("unbatched") else \
        (lambda n: (N, n)) if kw.get("batch_first") else (lambda n: (n, N))
    q = _randn(rng, *lead(L), E)
    inputs = [q] if c.get("self_attn") else \
        [q, _randn(rng, *lead(S), kw.get("kdim", E)), _randn(rng, *lead(S), kw.get("vdim", E))]
    keep = _keep_mask(rng, N, S)
    kpm = {None: None, "bool": ~keep, "float": np.where(keep, 0.0, -1e4).astype(np.float32)
           }[c.get("kpm")]
    am = c.get("attn_mask")
    if am == "bool2d":
        attn_mask = ~_keep_mask(rng, L, S)
    elif am == "float3d":
        attn_mask = _randn(rng, N * H, L, S)
    elif am == "causal":
        attn_mask = np.triu(np.ones((L, S), bool), 1)
    if kpm is not None and am == "bool2d":
        attn_mask &= ~np.eye(L, S, dtype=bool)
        kpm[:, :L] &= ~np.eye(1, S, dtype=bool).repeat(N, 0)[:, :L]

    def call(lib, m, *xs):
        q, k, v = (xs[0],) * 3 if len(xs) == 1 else xs
        out, w = m(q, k, v, key_padding_mask=None if kpm is None else lib.tensor(kpm),
                   attn_mask=lib.tensor(attn_mask), need_weights=c["need_weights"],
                   average_attn_weights=c.get("average", True),
                   is_causal=c.get("is_causal", False))
        return out, w

    _compare(call, inputs, tm, em)


def test_multihead_attention_parameters_and_errors():
    for kw in (dict(), dict(kdim=3, vdim=4, add_bias_kv=True), dict(bias=False)):
        t, e = torch.nn.MultiheadAttention(6, 3, **kw), nn.MultiheadAttention(6, 3, **kw)
        assert list(e.state_dict()) == list(t.state_dict())
        assert all(tuple(e.state_dict()[k].shape) == tuple(v.shape)
                   for k, v in t.state_dict().items())
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="must be greater than 0"):
        nn.MultiheadAttention(0, 1)
    m = nn.MultiheadAttention(4, 2)
    x = ember.randn(3, 2, 4)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(3, 4))
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        m(ember.randn(1, 3, 2, 4), x, x)


# -- Transformer layers ---------------------------------------------------------------

D, NHEAD, FF = 8, 2, 16


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer(norm_first):
    """batch_first, a float causal mask and a bool key padding mask; gelu when
    ``norm_first``."""
    kw = dict(dim_feedforward=FF, dropout=0.1, batch_first=True, norm_first=norm_first,
              activation="gelu" if norm_first else "relu")
    tm, em = _pair(torch.nn.TransformerEncoderLayer, nn.TransformerEncoderLayer, D, NHEAD,
                   **kw)
    rng = np.random.default_rng(2)
    x = _randn(rng, 2, 4, D)
    kpm = np.zeros((2, 4), bool)
    kpm[1, 3] = True
    mask = np.triu(np.full((4, 4), -np.inf, np.float32), 1)

    def call(lib, m, x):
        return m(x, src_mask=lib.tensor(mask), src_key_padding_mask=lib.tensor(kpm))

    _compare(call, [x], tm, em)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer(norm_first):
    """Sequence first; a causal target mask (with the is_causal hint), a memory mask and
    a memory key padding mask."""
    kw = dict(dim_feedforward=FF, norm_first=norm_first)
    tm, em = _pair(torch.nn.TransformerDecoderLayer, nn.TransformerDecoderLayer, D, NHEAD,
                   **kw)
    rng = np.random.default_rng(3)
    tgt, memory = _randn(rng, 3, 2, D), _randn(rng, 5, 2, D)
    tgt_mask = np.triu(np.ones((3, 3), bool), 1)
    memory_mask = _randn(rng, 3, 5)
    mkpm = np.zeros((2, 5), bool)
    mkpm[0, 4] = True

    def call(lib, m, tgt, memory):
        return m(tgt, memory, tgt_mask=lib.tensor(tgt_mask), tgt_is_causal=True,
                 memory_mask=lib.tensor(memory_mask),
                 memory_key_padding_mask=lib.tensor(mkpm))

    _compare(call, [tgt, memory], tm, em)


def test_encoder_stack_unbatched():
    """Two deep-copied layers and a final norm over an unbatched input (forward; the
    layers' gradients are checked above)."""
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(D, NHEAD, FF, norm_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(D),
                                     enable_nested_tensor=False).eval()
    el = nn.TransformerEncoderLayer(D, NHEAD, FF, norm_first=True)
    em = nn.TransformerEncoder(el, 2, norm=nn.LayerNorm(D), enable_nested_tensor=False).eval()
    _port(tm, em)
    assert em.layers[0].linear1.weight is not em.layers[1].linear1.weight
    mask = np.triu(np.ones((4, 4), bool), 1)
    x = _randn(np.random.default_rng(4), 4, D)
    with torch.no_grad():
        expected = tm(torch.tensor(x), mask=torch.tensor(mask)).numpy()
    with ember.no_grad():
        out = em(ember.tensor(x), mask=ember.tensor(mask))
    np.testing.assert_allclose(out.numpy(), expected, **TOL)


def test_transformer():
    """batch_first, ``norm_first``, padding masks on the source and the memory and a
    causal target mask (forward; the layers' gradients are checked above)."""
    kw = dict(d_model=D, nhead=NHEAD, num_encoder_layers=1, num_decoder_layers=1,
              dim_feedforward=FF, batch_first=True, norm_first=True)
    tm, em = _pair(torch.nn.Transformer, nn.Transformer, **kw)
    assert list(em.state_dict()) == list(tm.state_dict())
    rng = np.random.default_rng(5)
    src, tgt = _randn(rng, 2, 5, D), _randn(rng, 2, 3, D)
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(3).numpy()
    skpm = np.zeros((2, 5), bool)
    skpm[1, 3:] = True

    outs = []
    for lib, m in ((torch, tm), (ember, em)):
        with lib.no_grad():
            T = lib.tensor
            out = m(T(src), T(tgt), tgt_mask=T(tgt_mask), src_key_padding_mask=T(skpm),
                    memory_key_padding_mask=T(skpm))
        outs.append(out.numpy())
    np.testing.assert_allclose(outs[1], outs[0], **TOL)


def test_transformer_helpers_and_errors():
    m = nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(m.numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4))
    t = nn.Transformer(d_model=D, nhead=NHEAD, num_encoder_layers=2, num_decoder_layers=1,
                       dim_feedforward=FF)
    assert len(t.encoder.layers) == 2 and len(t.decoder.layers) == 1
    w = t.encoder.layers[0].linear1.weight.numpy()
    bound = np.sqrt(6.0 / (D + FF))
    assert np.abs(w).max() <= bound and w.std() > bound / 4
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        t(ember.randn(3, 2, D), ember.randn(3, 1, D))
    with pytest.raises(RuntimeError, match="feature number of src and tgt must be equal"):
        t(ember.randn(3, 2, D), ember.randn(3, 2, 4))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(D, NHEAD, activation="tanh")
    layer = nn.TransformerEncoderLayer(D, NHEAD, FF, activation=nn.Identity())
    assert isinstance(layer.activation, nn.Identity)


def test_multi_head_attention_forward_functional():
    """The functional form, sequence first, with packed weights and per-head weights."""
    rng = np.random.default_rng(6)
    q, k = _randn(rng, 3, 2, 4), _randn(rng, 5, 2, 4)
    w_in, b_in = _randn(rng, 12, 4), _randn(rng, 12)
    w_out, b_out = _randn(rng, 4, 4), _randn(rng, 4)
    kpm = np.zeros((2, 5), bool)
    kpm[0, 1] = True
    outs = []
    for lib, fn in ((torch, TF.multi_head_attention_forward),
                    (ember, F.multi_head_attention_forward)):
        T = lib.tensor
        out, w = fn(T(q), T(k), T(k), 4, 2, T(w_in), T(b_in), None, None, False, 0.0, T(w_out),
                    T(b_out), training=False, key_padding_mask=T(kpm),
                    average_attn_weights=False)
        outs.append((np.asarray(out.detach() if lib is torch else out),
                     np.asarray(w.detach() if lib is torch else w)))
    for t, e in zip(*outs, strict=True):
        np.testing.assert_allclose(e, t, **TOL)
