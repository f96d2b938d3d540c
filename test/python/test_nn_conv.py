"""Convolutions (``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d`` and the ``nn.Conv*`` /
``nn.ConvTranspose*`` layers) against PyTorch on the CPU.

Each numeric case runs the same input, weight and bias in both libraries, backpropagates
the same random cotangent and compares the output and the gradients of input, weight and
bias (Ember's backward realizes the forward in the same region: one compile per case).
Tolerances are relative to the reference's scale: float32 2e-5, float64 1e-10; float16 and
bfloat16 compare values only, against PyTorch's float32 result on the same rounded inputs.
A second-order check is left out: ``ember.func.grad`` does not nest yet.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-nn-conv-"))

import math  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")

TOL = {np.float32: 2e-5, np.float64: 1e-10}


def _np(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.numpy())


def _close(out, ref, what: str, tol: float) -> None:
    out, ref = _np(out), _np(ref)
    assert out.shape == ref.shape, f"{what}: shape {out.shape}, expected {ref.shape}"
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64), rtol=tol,
                               atol=tol * scale, err_msg=what)


def _check(name: str, kwargs: dict, shapes: tuple, bias: bool, dtype=np.float32,
           seed: int = 0, requires: tuple = (True, True, True)) -> None:
    """``F.<name>`` vs ``torch.nn.functional.<name>``: output and the gradient of each
    argument flagged in ``requires`` (the others must get none)."""
    rng = np.random.default_rng(seed)
    x_shape, w_shape = shapes
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    if bias:
        transposed = "transpose" in name
        c_out = w_shape[1] * kwargs.get("groups", 1) if transposed else w_shape[0]
        arrays.append(rng.standard_normal(c_out))
    arrays = [a.astype(dtype) for a in arrays]
    es = [ember.tensor(a, requires_grad=r) for a, r in zip(arrays, requires, strict=False)]
    ts = [torch.tensor(a, requires_grad=r) for a, r in zip(arrays, requires, strict=False)]
    eo, to = getattr(F, name)(*es, **kwargs), getattr(TF, name)(*ts, **kwargs)
    assert eo.dtype == getattr(ember, str(to.dtype).removeprefix("torch."))
    g = rng.standard_normal(tuple(to.shape)).astype(dtype)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    tol = TOL[dtype]
    _close(eo, to, f"{name} output", tol)
    for what, e, t in zip(("input", "weight", "bias")[:len(es)], es, ts, strict=True):
        if t.grad is None:
            assert e.grad is None, what
        else:
            _close(e.grad, t.grad, f"{name} gradient of {what}", tol)


# (id, functional, x shape, weight shape, bias, kwargs)
CONV_CASES = [
    ("1d-plain", "conv1d", (2, 3, 9), (4, 3, 3), True, {}),
    ("1d-stride-pad-dilation", "conv1d", (2, 3, 11), (4, 3, 3), True,
     dict(stride=2, padding=2, dilation=2)),
    ("1d-same-even-kernel-depthwise-x2", "conv1d", (2, 3, 8), (6, 1, 4), True,
     dict(padding="same", groups=3)),
    ("1d-unbatched-valid-nobias", "conv1d", (3, 9), (4, 3, 5), False, dict(padding="valid")),
    ("2d-nonsquare-groups", "conv2d", (2, 4, 7, 6), (6, 2, 3, 2), True,
     dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    ("2d-same-dilated-even-kernel", "conv2d", (1, 3, 6, 7), (4, 3, 2, 3), True,
     dict(padding="same", dilation=2)),
    ("2d-depthwise-strided", "conv2d", (2, 4, 8, 8), (4, 1, 3, 3), True,
     dict(stride=2, padding=1, groups=4)),
    ("2d-unbatched-nobias", "conv2d", (3, 5, 6), (2, 3, 3, 3), False, dict(padding=1)),
    ("2d-stride-over-kernel", "conv2d", (1, 2, 9, 8), (3, 2, 2, 2), True, dict(stride=3)),
    ("2d-1x1-len1-tuples", "conv2d", (2, 5, 4, 3), (3, 5, 1, 1), True,
     dict(stride=(2,), padding=(1,))),
    ("2d-kernel-equals-input", "conv2d", (2, 3, 4, 5), (2, 3, 4, 5), True, {}),
    ("3d-mixed", "conv3d", (1, 2, 5, 4, 6), (4, 2, 2, 3, 2), True,
     dict(stride=(1, 2, 1), padding=(1, 0, 1))),
    ("3d-unbatched-groups-dilation", "conv3d", (4, 5, 5, 4), (2, 2, 2, 2, 2), False,
     dict(dilation=2, groups=2, padding=1)),
]

TRANSPOSE_CASES = [
    ("t1d-stride-pad-outpad", "conv_transpose1d", (2, 4, 5), (4, 3, 3), True,
     dict(stride=2, padding=1, output_padding=1)),
    ("t1d-groups-dilation", "conv_transpose1d", (2, 4, 6), (4, 2, 3), True,
     dict(groups=2, dilation=2, padding=2)),
    ("t1d-unbatched-stride-over-kernel", "conv_transpose1d", (4, 5), (4, 2, 2), False,
     dict(stride=3)),
    ("t2d-all", "conv_transpose2d", (2, 4, 3, 4), (4, 2, 3, 2), True,
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2)),
    ("t2d-unbatched-dilation-outpad", "conv_transpose2d", (3, 4, 5), (3, 2, 2, 3), False,
     dict(dilation=2, output_padding=1, padding=(0, 1))),
    ("t2d-depthwise", "conv_transpose2d", (1, 3, 4, 4), (3, 1, 3, 3), True,
     dict(stride=2, padding=1, groups=3)),
    ("t3d", "conv_transpose3d", (1, 2, 3, 2, 3), (2, 3, 2, 2, 2), True,
     dict(stride=2, padding=(0, 1, 0), output_padding=(1, 0, 1))),
]


# Ungrouped float convolutions whose matmul form a register tile fits (after padding at
# most doubles the work) run as an im2col gather plus the tiled matmul: the forward, the
# filter gradient and the input gradient (a transposed convolution) each take that path
# in at least one of these cases, some with zero-padded matmul sizes.
MATMUL_CASES = [
    ("mm-2d-pad1", "conv2d", (4, 16, 10, 10), (32, 16, 3, 3), True, dict(padding=1)),
    ("mm-2d-stride-dilation", "conv2d", (2, 8, 11, 11), (16, 8, 3, 3), True,
     dict(stride=2, dilation=2, padding=2)),
    ("mm-2d-one-channel", "conv2d", (8, 1, 12, 12), (16, 1, 3, 3), True, dict(padding=1)),
    ("mm-1d", "conv1d", (8, 16, 20), (32, 16, 5), False, {}),
    ("mm-3d", "conv3d", (2, 4, 6, 6, 6), (16, 4, 2, 2, 2), True, {}),
    ("mm-t2d-stride-outpad", "conv_transpose2d", (2, 32, 5, 5), (32, 16, 3, 3), True,
     dict(stride=2, padding=1, output_padding=1)),
    # One image: no per-image slice for ember-tile-matmul to fuse the gather through.
    ("mm-2d-one-image", "conv2d", (1, 16, 14, 14), (32, 16, 3, 3), True, dict(padding=1)),
    # 14 x 14 positions: no tile divides one image's 196, so the forward and the
    # (cropped) input gradient compute 14 x 16 per image and slice the extra off.
    ("mm-2d-batch-positions", "conv2d", (4, 16, 14, 14), (32, 16, 3, 3), True,
     dict(padding=1)),
]


def _params(cases):
    return [pytest.param(*c[1:], id=c[0]) for c in cases]


@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs", _params(CONV_CASES))
def test_conv_float32(name, x_shape, w_shape, bias, kwargs):
    _check(name, kwargs, (x_shape, w_shape), bias)


@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs",
                         _params(TRANSPOSE_CASES))
def test_conv_transpose_float32(name, x_shape, w_shape, bias, kwargs):
    _check(name, kwargs, (x_shape, w_shape), bias)


@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs", _params(MATMUL_CASES))
def test_conv_through_tiled_matmul(name, x_shape, w_shape, bias, kwargs):
    _check(name, kwargs, (x_shape, w_shape), bias)


@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs",
                         _params([MATMUL_CASES[0], MATMUL_CASES[5]]))
def test_conv_through_tiled_matmul_float64(name, x_shape, w_shape, bias, kwargs):
    _check(name, kwargs, (x_shape, w_shape), bias, np.float64, seed=2)


@pytest.mark.parametrize("name, x_shape, w_shape, bias, kwargs",
                         _params([CONV_CASES[4], CONV_CASES[5], TRANSPOSE_CASES[3]]))
def test_float64(name, x_shape, w_shape, bias, kwargs):
    _check(name, kwargs, (x_shape, w_shape), bias, np.float64, seed=1)


@pytest.mark.parametrize("name, requires", [
    ("conv2d", (False, True, True)),
    ("conv2d", (True, False, False)),
    ("conv_transpose2d", (False, True, False)),
])
def test_gradient_subsets(name, requires):
    """Only some arguments require grad: each VJP (conv, conv_transpose, conv_weight_grad)
    on its own."""
    shapes = ((2, 4, 6, 5), (4, 2, 3, 2))
    _check(name, dict(stride=2, padding=(1, 0), dilation=(1, 2), groups=2), shapes, True,
           requires=requires)


def test_small_cnn_end_to_end():
    """Several convolutions in one region: Conv2d -> relu -> Conv2d(depthwise, strided)
    -> ConvTranspose2d -> squared mean; every parameter's gradient."""
    torch.manual_seed(0)
    tnet = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding="same"), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8),
        torch.nn.ConvTranspose2d(8, 2, 2, stride=2))
    enet = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8),
        nn.ConvTranspose2d(8, 2, 2, stride=2))
    enet.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tnet.state_dict().items()})
    a = np.random.default_rng(6).standard_normal((2, 3, 8, 8)).astype(np.float32)
    eloss, tloss = (enet(ember.tensor(a)) ** 2).mean(), (tnet(torch.tensor(a)) ** 2).mean()
    eloss.backward()
    tloss.backward()
    assert eloss.item() == pytest.approx(tloss.item(), rel=1e-5)
    tparams = dict(tnet.named_parameters())
    for n, p in enet.named_parameters():
        _close(p.grad, tparams[n].grad, f"gradient of {n}", 1e-4)


def test_func_grad_through_conv():
    """First order only: ``ember.func.grad`` does not nest yet."""

    def f(lib, x, w):
        return (lib.nn.functional.conv2d(x, w, stride=2, padding=1) ** 2).sum()

    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((3, 2, 3, 3))
    gx, gw = ember.func.grad(lambda x, w: f(ember, x, w), argnums=(0, 1))(
        ember.tensor(x), ember.tensor(w))
    tx, tw = torch.func.grad(lambda x, w: f(torch, x, w), argnums=(0, 1))(
        torch.tensor(x), torch.tensor(w))
    _close(gx, tx, "gradient of x", TOL[np.float64])
    _close(gw, tw, "gradient of w", TOL[np.float64])


@pytest.mark.parametrize("dtype, tol", [("float16", 1e-2), ("bfloat16", 4e-2)])
def test_half_precision_values(dtype, tol):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 4, 6, 5)), rng.standard_normal((6, 2, 3, 3))
    b = rng.standard_normal(6)
    tx, tw, tb = (torch.tensor(a, dtype=getattr(torch, dtype)) for a in (x, w, b))
    ex, ew, eb = (ember.tensor(t.float().numpy()).to(getattr(ember, dtype))
                  for t in (tx, tw, tb))
    out = F.conv2d(ex, ew, eb, stride=(1, 2), padding=1, groups=2)
    assert out.dtype == getattr(ember, dtype)
    ref = TF.conv2d(tx.float(), tw.float(), tb.float(), stride=(1, 2), padding=1, groups=2)
    _close(out.float(), ref, f"conv2d {dtype}", tol)


# Modules: (ember class, torch class, args, kwargs, input shape)
MODULES = [
    (nn.Conv1d, torch.nn.Conv1d, (4, 6, 3), dict(padding="same", groups=2), (2, 4, 7)),
    (nn.Conv2d, torch.nn.Conv2d, (3, 4, (3, 2)),
     dict(stride=2, padding=(1, 2), dilation=(2, 1)), (2, 3, 7, 6)),
    (nn.Conv3d, torch.nn.Conv3d, (2, 3, 2), dict(bias=False, padding="valid"),
     (1, 2, 3, 4, 3)),
    (nn.ConvTranspose1d, torch.nn.ConvTranspose1d, (4, 2, 3),
     dict(stride=2, output_padding=1, groups=2), (2, 4, 5)),
    (nn.ConvTranspose2d, torch.nn.ConvTranspose2d, (3, 4, (2, 3)),
     dict(stride=(2, 1), padding=(0, 1), dilation=(1, 2), bias=False), (3, 4, 5)),
    (nn.ConvTranspose3d, torch.nn.ConvTranspose3d, (2, 2, 2),
     dict(stride=2, padding=1, output_padding=1), (1, 2, 2, 3, 2)),
]


def _pair(ecls, tcls, args, kwargs):
    em, tm = ecls(*args, **kwargs), tcls(*args, **kwargs)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                        tm.state_dict().items()})
    return em, tm


@pytest.mark.parametrize("ecls, tcls, args, kwargs, x_shape", MODULES,
                         ids=[m[0].__name__ for m in MODULES])
def test_module_matches_torch(ecls, tcls, args, kwargs, x_shape):
    em, tm = _pair(ecls, tcls, args, kwargs)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    tparams = dict(tm.named_parameters())
    assert [n for n, _ in em.named_parameters()] == list(tparams)
    for n, p in em.named_parameters():
        assert p.shape == tuple(tparams[n].shape) and p.requires_grad, n
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                 "dilation", "groups", "padding_mode", "transposed", "output_padding"):
        assert getattr(em, attr) == getattr(tm, attr), attr
    rng = np.random.default_rng(3)
    a = rng.standard_normal(x_shape).astype(np.float32)
    ex, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    eo, to = em(ex), tm(tx)
    g = rng.standard_normal(tuple(to.shape)).astype(np.float32)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    _close(eo, to, "output", TOL[np.float32])
    _close(ex.grad, tx.grad, "input gradient", TOL[np.float32])
    for n, p in em.named_parameters():
        _close(p.grad, tparams[n].grad, f"gradient of {n}", TOL[np.float32])


@pytest.mark.parametrize("args, kwargs", [
    ((1, 1, 1), {}),
    ((16, 33, (3, 5)), dict(stride=(2, 1), padding=(4, 2), dilation=(3, 1))),
    ((4, 8, 3), dict(padding="same", groups=4, bias=False)),
    ((4, 8, 3), dict(padding="valid")),
])
def test_conv2d_repr(args, kwargs):
    assert repr(nn.Conv2d(*args, **kwargs)) == repr(torch.nn.Conv2d(*args, **kwargs))


def test_conv_transpose_repr():
    kw = dict(stride=2, output_padding=1, groups=2, bias=False, dilation=2)
    assert repr(nn.ConvTranspose2d(4, 6, (3, 2), **kw)) == \
        repr(torch.nn.ConvTranspose2d(4, 6, (3, 2), **kw))
    assert repr(nn.Sequential(nn.Conv1d(2, 3, 4), nn.ConvTranspose3d(3, 1, 2))) == \
        repr(torch.nn.Sequential(torch.nn.Conv1d(2, 3, 4), torch.nn.ConvTranspose3d(3, 1, 2)))


@pytest.mark.parametrize("ecls, tcls, args", [
    (nn.Conv2d, torch.nn.Conv2d, (8, 16, 3)),
    (nn.Conv1d, torch.nn.Conv1d, (6, 48, 5, 1, 0, 1, 3)),
    (nn.ConvTranspose2d, torch.nn.ConvTranspose2d, (8, 32, (3, 2))),
])
def test_default_init_bounds(ecls, tcls, args):
    """PyTorch's defaults: kaiming_uniform(a=sqrt(5)) weights and bias, both within
    +-1/sqrt(fan_in), where fan_in comes from the weight's dims 1.. (also transposed)."""
    ember.manual_seed(0)
    em, tm = ecls(*args), tcls(*args)
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(tm.weight)
    bound = 1 / math.sqrt(fan_in)
    for name in ("weight", "bias"):
        e, t = _np(getattr(em, name)), _np(getattr(tm, name))
        assert e.dtype == np.float32 and e.shape == t.shape
        assert np.abs(t).max() <= bound
        assert np.abs(e).max() <= bound * (1 + 1e-6), name
        assert np.abs(e).max() > 0.75 * bound, name
    w = _np(em.weight)
    assert abs(w.mean()) < 0.1 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound


def test_module_dtype_and_reset_parameters():
    m = nn.Conv2d(2, 3, 2, dtype=ember.float64)
    assert m.weight.dtype == ember.float64 and m.bias.dtype == ember.float64
    ember.manual_seed(5)
    m.reset_parameters()
    first = _np(m.weight).copy()
    ember.manual_seed(5)
    m.reset_parameters()
    np.testing.assert_array_equal(_np(m.weight), first)


def test_conv_transpose2d_output_size():
    em, tm = _pair(nn.ConvTranspose2d, torch.nn.ConvTranspose2d, (4, 3, 3),
                   dict(stride=(2, 3), padding=1))
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    for size in [(8, 7), (2, 3, 8, 9), torch.Size([7, 8])]:
        esize = tuple(size)
        eo, to = em(ember.tensor(a), output_size=esize), tm(torch.tensor(a), output_size=size)
        _close(eo, to, f"output_size={esize}", TOL[np.float32])
    with pytest.raises(ValueError, match="output size"):
        em(ember.tensor(a), output_size=(10, 7))
    with pytest.raises(ValueError):
        tm(torch.tensor(a), output_size=(10, 7))
    with pytest.raises(ValueError, match="must have 2 or 4 elements"):
        em(ember.tensor(a), output_size=(1, 8, 7))
    with pytest.raises(ValueError):
        tm(torch.tensor(a), output_size=(1, 8, 7))


class _raises:  # noqa: N801
    """``pytest.raises`` that also checks the message ends with the raising line of the
    ``with`` body, as ``op_error`` attaches it."""

    def __init__(self, exc: type[Exception], match: str):
        self.info = pytest.raises(exc, match=match)

    def __enter__(self):
        return self.info.__enter__()

    def __exit__(self, exc_type, exc, tb):
        handled = self.info.__exit__(exc_type, exc, tb)
        assert str(exc).endswith(f"test_nn_conv.py:{tb.tb_lineno})"), str(exc)
        return handled


def test_errors_point_at_the_call():
    x = ember.randn(2, 4, 5, 5)
    with _raises(ember.EmberError, r"expected input\(2, 4, 5, 5\) to have 3 channels"):
        F.conv2d(x, ember.randn(6, 3, 3, 3))
    with _raises(ember.EmberError, "to have 6 channels"):
        F.conv2d(x, ember.randn(6, 2, 3, 3), groups=3)
    with _raises(ember.EmberError, r"weight must have 4 dimensions, got shape \(6, 4, 3\)"):
        F.conv2d(x, ember.randn(6, 4, 3))
    with _raises(ember.EmberError, "expected 3-D .* or 4-D"):
        F.conv2d(ember.randn(5, 5), ember.randn(6, 4, 3, 3))
    with _raises(ember.EmberError, "smaller than the dilated kernel size"):
        F.conv2d(x, ember.randn(6, 4, 7, 3))
    with _raises(ember.EmberError, "smaller than the dilated kernel size"):
        F.conv1d(ember.randn(1, 1, 5), ember.randn(1, 1, 3), dilation=3)
    with _raises(ember.EmberError, "bias must be a 1-D tensor of size 6"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), ember.randn(5))
    with _raises(ember.EmberError, "same floating point dtype"):
        F.conv2d(x.double(), ember.randn(6, 4, 3, 3))
    with _raises(ember.EmberError, r"input type \(ember.float32\) and bias type \(ember.float64\)"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), ember.randn(6, dtype=ember.float64))
    with _raises(ember.EmberError, "output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(x, ember.randn(4, 2, 3, 3), stride=2, output_padding=2)
    with _raises(ember.EmberError, "to have 3 channels"):
        F.conv_transpose1d(ember.randn(1, 4, 5), ember.randn(3, 2, 3))
    with _raises(ember.EmberError, "padding='same' is not supported for strided"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), stride=2, padding="same")
    with _raises(ember.EmberError, "padding must be 'valid', 'same'"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), padding="full")
    with _raises(ember.EmberError, "stride must be >= 1"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), stride=0)
    with _raises(ember.EmberError, "padding must be >= 0"):
        F.conv1d(ember.randn(1, 1, 5), ember.randn(1, 1, 3), padding=-1)
    with _raises(ember.EmberError, "stride must be an int or a tuple of 2 ints"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), stride=(1, 2, 3))
    with _raises(TypeError, "stride must be an int or a tuple of 2 ints"):
        F.conv2d(x, ember.randn(6, 4, 3, 3), stride=2.0)
    # NumPy ints are ints, as in PyTorch.
    assert F.conv2d(x, ember.randn(6, 4, 3, 3), stride=np.int64(2)).shape == (2, 6, 2, 2)


def test_module_errors_match_torch():
    for kwargs, match in [
        (dict(groups=4), "out_channels must be divisible by groups"),
        (dict(groups=3), "in_channels must be divisible by groups"),
        (dict(stride=2, padding="same"), "not supported for strided"),
        (dict(padding="full"), "Invalid padding string"),
    ]:
        with pytest.raises(ValueError, match=match):
            nn.Conv2d(4, 6, 3, **kwargs)
        with pytest.raises(ValueError, match=match):
            torch.nn.Conv2d(4, 6, 3, **kwargs)
    m = nn.Conv2d(4, 6, 3)
    with _raises(ember.EmberError, r"to have 4 channels .*, but got 3 channels"):
        m(ember.randn(1, 3, 5, 5))
    with _raises(ember.EmberError, "same floating point dtype"):
        m(ember.randn(1, 4, 5, 5, dtype=ember.float64))
