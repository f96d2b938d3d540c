"""Loss functions (``ember.nn.functional`` and the ``ember.nn`` loss modules) against
PyTorch on the same inputs and weights.

Each gradient case evaluates the loss under every reduction, compares the values, and
compares the gradients of one scalar mixing them (``sum(c * none) + a * mean + b * sum``
with fixed random ``c, a, b``) with respect to the input (and the target where PyTorch
differentiates it). One case per configuration keeps the compile count small; the module
tests reuse the same graph structures, so they hit the compile cache.
"""

from __future__ import annotations

import warnings

import ember
import ember.nn as nn
import ember.nn.functional as F
import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

REDUCTIONS = ("none", "mean", "sum")
TOL = {np.float32: dict(rtol=2e-5, atol=2e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}


def _both(kw: dict) -> tuple[dict, dict]:
    """Keyword arguments with arrays as ember and torch tensors."""
    e = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    t = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return e, t


def _check(name: str, arrays: list[np.ndarray], grad=(0,), reductions=REDUCTIONS, **kw):
    """Values of ``F.<name>`` and ``torch.nn.functional.<name>`` for each reduction, and
    gradients of a random mix of them w.r.t. the arrays listed in ``grad``."""
    dt = arrays[0].dtype.type
    rng = np.random.default_rng(7)
    e_in = [ember.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
    e_kw, t_kw = _both(kw)
    e_out = [getattr(F, name)(*e_in, reduction=r, **e_kw) for r in reductions]
    t_out = [getattr(TF, name)(*t_in, reduction=r, **t_kw) for r in reductions]
    coefs = [rng.uniform(0.5, 1.5, tuple(o.shape)).astype(dt) for o in t_out]
    e_total = sum((o * ember.tensor(c)).sum() for o, c in zip(e_out, coefs, strict=True))
    t_total = sum((o * torch.tensor(c)).sum() for o, c in zip(t_out, coefs, strict=True))
    e_grads = ember.autograd.grad(e_total, [e_in[i] for i in grad])
    t_grads = torch.autograd.grad(t_total, [t_in[i] for i in grad])
    ember.realize(*e_out, *e_grads)
    for r, e, t in zip(reductions, e_out, t_out, strict=True):
        assert tuple(e.shape) == tuple(t.shape), r
        assert e.dtype.name == str(t.dtype).removeprefix("torch."), r
        np.testing.assert_allclose(e.numpy(), t.detach().numpy(), **TOL[dt], err_msg=r)
    for i, e, t in zip(grad, e_grads, t_grads, strict=True):
        np.testing.assert_allclose(e.numpy(), t.numpy(), **TOL[dt], err_msg=f"grad {i}")


def _logits(shape, dt=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dt) * 2


def _classes(shape, n, seed=1, ignore=(), ignore_index=-100):
    t = np.random.default_rng(seed).integers(0, n, shape)
    t.reshape(-1)[list(ignore)] = ignore_index
    return t


# -- cross entropy and nll -----------------------------------------------------------------

@pytest.mark.parametrize("case", ["weight_ignore", "smoothing_f64"])
def test_cross_entropy_class_indices(case):
    if case == "weight_ignore":
        _check("cross_entropy", [_logits((6, 5)), _classes(6, 5, ignore=(1, 4))],
               weight=np.linspace(0.5, 2, 5, dtype=np.float32))
    else:  # ignore_index is a real class here; weights scale the smoothing term too
        x = _logits((6, 5), np.float64)
        t = np.array([2, 0, 4, 2, 1, 3])
        _check("cross_entropy", [x, t], weight=np.linspace(0.5, 2, 5), ignore_index=2,
               label_smoothing=0.15)


def test_cross_entropy_kdim():
    x = _logits((3, 4, 2, 3))
    t = _classes((3, 2, 3), 4, ignore=(0, 7, 11))
    _check("cross_entropy", [x, t], label_smoothing=0.2)


@pytest.mark.parametrize("kdim", [False, True])
def test_cross_entropy_probabilities(kdim):
    shape = (2, 4, 3) if kdim else (5, 4)
    probs = np.random.default_rng(3).dirichlet(np.ones(4), size=np.prod(shape) // 4)
    probs = probs.reshape(shape[0], *shape[2:], 4)
    probs = np.moveaxis(probs, -1, 1).astype(np.float32)
    kw = dict(weight=np.array([1.0, 0.5, 2.0, 1.5], np.float32), label_smoothing=0.1) \
        if kdim else {}
    _check("cross_entropy", [_logits(shape), probs], grad=(0, 1), **kw)


def test_cross_entropy_unbatched():
    _check("cross_entropy", [_logits((5,)), np.array(3)], label_smoothing=0.1)
    probs = np.random.default_rng(0).dirichlet(np.ones(5)).astype(np.float32)
    _check("cross_entropy", [_logits((5,)), probs], grad=(0, 1))


@pytest.mark.parametrize("case", ["weight_ignore_class", "kdim"])
def test_nll_loss(case):
    if case == "weight_ignore_class":
        logp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), 5)).astype(np.float32)
        _check("nll_loss", [logp, np.array([1, 0, 3, 1, 2])], ignore_index=1,
               weight=np.array([0.3, 1.0, 2.0, 0.7], np.float32))
    else:
        _check("nll_loss", [_logits((3, 4, 5)), _classes((3, 5), 4, ignore=(2,))])


def test_all_targets_ignored():
    """'mean' over no targets is 0 / 0 = nan, 'sum' is 0, 'none' is zeros (as PyTorch)."""
    x = _logits((3, 4))
    t = np.full(3, -100)
    w = np.ones(4, np.float32)
    cases, refs = [], []
    for name in ("nll_loss", "cross_entropy"):
        for kw in ({}, {"weight": w}, {"label_smoothing": 0.1}):
            if name == "nll_loss" and "label_smoothing" in kw:
                continue
            ekw, tkw = _both(kw)
            for r in REDUCTIONS:
                cases.append(getattr(F, name)(ember.tensor(x), ember.tensor(t), reduction=r,
                                              **ekw))
                refs.append(getattr(TF, name)(torch.tensor(x), torch.tensor(t), reduction=r,
                                              **tkw))
    ember.realize(*cases)
    assert np.isnan(refs[1].item())
    for e, ref in zip(cases, refs, strict=True):
        np.testing.assert_array_equal(e.numpy(), ref.numpy())


# -- regression losses ---------------------------------------------------------------------

REGRESSION = {
    "mse": ("mse_loss", {}),
    "mse_weight": ("mse_loss", {"weight": True}),
    "l1_weight": ("l1_loss", {"weight": True}),
    "smooth_l1": ("smooth_l1_loss", {"beta": 0.5}),
    "smooth_l1_beta0": ("smooth_l1_loss", {"beta": 0.0}),
    "huber": ("huber_loss", {"delta": 0.7}),
    "huber_weight": ("huber_loss", {"delta": 1.3, "weight": True}),
}


@pytest.mark.parametrize("case", list(REGRESSION))
def test_regression_losses(case):
    name, kw = REGRESSION[case]
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    y = rng.standard_normal((4, 6)).astype(np.float32)
    if kw.pop("weight", False):
        kw = dict(kw, weight=rng.uniform(0.1, 2.0, (4, 6)).astype(np.float32))
    _check(name, [x, y], grad=(0, 1), **kw)


def test_l1_loss_float64_and_promotion():
    rng = np.random.default_rng(5)
    _check("l1_loss", [rng.standard_normal((3, 4)), rng.standard_normal((3, 4))], grad=(0, 1))
    x, y = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4))
    e = F.mse_loss(ember.tensor(x), ember.tensor(y))
    assert e.dtype is ember.float64
    np.testing.assert_allclose(e.item(), TF.mse_loss(torch.tensor(x), torch.tensor(y)).item(),
                               rtol=1e-12)


def test_regression_broadcast_warns():
    x = np.random.default_rng(6).standard_normal((3, 4)).astype(np.float32)
    y = np.ones((3, 1), np.float32)
    with pytest.warns(UserWarning, match="different to the input size"):
        e = F.mse_loss(ember.tensor(x), ember.tensor(y))
    np.testing.assert_allclose(e.item(), ((x - 1) ** 2).mean(), rtol=1e-6)


# -- binary and distribution losses --------------------------------------------------------

def test_binary_cross_entropy():
    rng = np.random.default_rng(8)
    p = rng.uniform(0.02, 0.98, (5, 3)).astype(np.float32)
    t = rng.uniform(0, 1, (5, 3)).astype(np.float32)
    _check("binary_cross_entropy", [p, t], grad=(0, 1),
           weight=np.array([0.5, 1.0, 2.0], np.float32))


def test_binary_cross_entropy_clamps_log():
    """log(0) counts as -100, as in PyTorch: saturated probabilities give finite losses."""
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.3], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5], np.float32)
    e = F.binary_cross_entropy(ember.tensor(p), ember.tensor(t), reduction="none").numpy()
    ref = TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(e, ref, rtol=1e-6)
    pe = ember.tensor(p, requires_grad=True)
    F.binary_cross_entropy(pe, ember.tensor(t)).backward()
    assert np.isfinite(pe.grad.numpy()).all()


@pytest.mark.parametrize("pos_weight", [False, True])
def test_binary_cross_entropy_with_logits(pos_weight):
    """Stable for large logits; x = 0 gets softplus's derivative 1/2."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 3)).astype(np.float32) * 3
    x[0] = [0.0, 60.0, -60.0]
    x[1, 0] = -200.0
    t = rng.uniform(0, 1, (4, 3)).astype(np.float32)
    kw = dict(weight=rng.uniform(0.5, 1.5, (4, 1)).astype(np.float32))
    if pos_weight:
        kw["pos_weight"] = np.array([0.5, 2.0, 3.0], np.float32)
    _check("binary_cross_entropy_with_logits", [x, t], grad=(0, 1), **kw)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(log_target):
    rng = np.random.default_rng(10)
    logq = np.log(rng.dirichlet(np.ones(5), 4)).astype(np.float32)
    p = rng.dirichlet(np.ones(5), 4).astype(np.float32)
    target = np.log(p) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # reduction='mean' (both libraries)
        _check("kl_div", [logq, target], grad=(0, 1), log_target=log_target,
               reductions=REDUCTIONS + ("batchmean",))


def test_kl_div_zero_target_and_mean_warning():
    logq = np.log(np.full((2, 3), 1 / 3, np.float32))
    p = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], np.float32)
    with pytest.warns(UserWarning, match="batchmean"):
        e = F.kl_div(ember.tensor(logq), ember.tensor(p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = TF.kl_div(torch.tensor(logq), torch.tensor(p))
    np.testing.assert_allclose(e.item(), ref.item(), rtol=1e-6)


# -- modules -------------------------------------------------------------------------------

def test_loss_modules():
    """Each module against torch's, with its constructor arguments and buffers."""
    rng = np.random.default_rng(4)
    x, t = _logits((6, 5)), _classes(6, 5, ignore=(1, 4))
    a = rng.standard_normal((4, 6)).astype(np.float32)
    b = rng.standard_normal((4, 6)).astype(np.float32)
    logp = np.log(rng.dirichlet(np.ones(5), 6)).astype(np.float32)
    p = rng.uniform(0.02, 0.98, (4, 6)).astype(np.float32)
    q = rng.uniform(0, 1, (4, 6)).astype(np.float32)
    w5 = np.linspace(0.5, 2, 5, dtype=np.float32)
    w6 = np.linspace(0.5, 2, 6, dtype=np.float32)
    cases = [  # (name, constructor kwargs, input, target)
        ("CrossEntropyLoss", dict(weight=w5, reduction="sum", label_smoothing=0.1), x, t),
        ("NLLLoss", dict(weight=w5, ignore_index=1), logp, np.where(t < 0, 1, t)),
        ("MSELoss", {}, a, b),
        ("L1Loss", dict(reduction="sum"), a, b),
        ("SmoothL1Loss", dict(beta=0.5, reduction="none"), a, b),
        ("HuberLoss", dict(delta=0.7), a, b),
        ("BCELoss", dict(weight=w6), p, q),
        ("BCEWithLogitsLoss", dict(weight=w6, pos_weight=w6[::-1].copy()), a, q),
        ("KLDivLoss", dict(reduction="batchmean", log_target=True), logp, logp[::-1].copy()),
    ]
    outs, refs = [], []
    for name, kw, inp, target in cases:
        ekw, tkw = _both(kw)
        m, ref = getattr(nn, name)(**ekw), getattr(tnn, name)(**tkw)
        assert [k for k, _ in m.named_buffers()] == [k for k, _ in ref.named_buffers()], name
        assert list(m.state_dict()) == list(ref.state_dict()), name
        assert m.reduction == ref.reduction, name
        outs.append(m(ember.tensor(inp), ember.tensor(target)))
        refs.append(ref(torch.tensor(inp), torch.tensor(target)))
    ember.realize(*outs)
    for (name, *_), e, ref in zip(cases, outs, refs, strict=True):
        np.testing.assert_allclose(e.numpy(), ref.numpy(), rtol=2e-5, atol=2e-5, err_msg=name)
    assert nn.CrossEntropyLoss().ignore_index == -100
    assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_training_step_gradients():
    """``loss.backward()`` through a layer, as a training loop uses it."""
    ember.manual_seed(0)
    lin = nn.Linear(5, 4)
    tlin = tnn.Linear(5, 4)
    with torch.no_grad():
        tlin.weight.copy_(torch.tensor(lin.weight.numpy()))
        tlin.bias.copy_(torch.tensor(lin.bias.numpy()))
    x, t = _logits((6, 5)), _classes(6, 4, ignore=(2,))
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(lin(ember.tensor(x)), ember.tensor(t))
    loss.backward()
    tloss = tnn.CrossEntropyLoss(label_smoothing=0.1)(tlin(torch.tensor(x)), torch.tensor(t))
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=2e-5)
    np.testing.assert_allclose(lin.weight.grad.numpy(), tlin.weight.grad.numpy(), atol=2e-5)
    np.testing.assert_allclose(lin.bias.grad.numpy(), tlin.bias.grad.numpy(), atol=2e-5)


def test_legacy_size_average_and_reduce():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 6)).astype(np.float32)
    b = rng.standard_normal((4, 6)).astype(np.float32)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        e = F.mse_loss(ember.tensor(a), ember.tensor(b), size_average=False)
    np.testing.assert_allclose(e.item(), ((a - b) ** 2).sum(), rtol=1e-5)
    with pytest.warns(UserWarning, match="reduction='none'"):
        m = nn.L1Loss(reduce=False)
    assert m.reduction == "none"


# -- errors --------------------------------------------------------------------------------

def _raises(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match) as info:
        fn(*args, **kw)
    assert "test_nn_losses.py" in str(info.value)


def test_class_target_errors():
    x = ember.tensor(_logits((3, 5)))
    t = ember.tensor(np.array([1, 2, 3]))
    for fn in (F.nll_loss, F.cross_entropy):
        _raises(RuntimeError, "target dtype to be int64", fn, x,
                ember.tensor(np.array([1, 2, 3], np.int32)))
        _raises(ValueError, r"input batch_size \(3\) to match target batch_size \(4\)", fn,
                x, ember.tensor(np.array([1, 2, 3, 4])))
        _raises(IndexError, "Target 7 is out of bounds", fn, x,
                ember.tensor(np.array([1, 7, 3])))
        _raises(IndexError, "Target -1 is out of bounds", fn, x,
                ember.tensor(np.array([[1, -1, 3]])).view(-1))
        _raises(RuntimeError, "for all 5 classes", fn, x, t, weight=ember.ones(4))
        _raises(RuntimeError, "dtype", fn, x, t, weight=ember.ones(5, dtype=ember.float64))
        _raises(RuntimeError, r"Expected target size \[3, 2\], got \[3, 3\]", fn,
                ember.tensor(_logits((3, 5, 2))), ember.tensor(np.zeros((3, 3), np.int64)))
        _raises(ValueError, "1 or more dimensions", fn, ember.tensor(1.0), ember.tensor(0))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(x, t, reduction="foo")
    # the ignored index needs no range
    F.nll_loss(x, ember.tensor(np.array([1, -100, 3])))
    _raises(RuntimeError, "label_smoothing must be between 0.0 and 1.0", F.cross_entropy, x, t,
            label_smoothing=1.5)
    _raises(RuntimeError, "floating point type for target", F.cross_entropy, x,
            ember.tensor(np.zeros((3, 5), np.int64)))
    _raises(RuntimeError, "ignore_index is not supported", F.cross_entropy, x,
            ember.zeros(3, 5), ignore_index=0)


def test_pointwise_errors():
    p = ember.tensor(np.full((3,), 0.5, np.float32))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(p, ember.ones(4))
    _raises(RuntimeError, "dtype", F.binary_cross_entropy, p, ember.ones(3, dtype=ember.float64))
    _raises(RuntimeError, "between 0 and 1", F.binary_cross_entropy,
            ember.tensor(np.array([0.5, 1.5, 0.1], np.float32)), ember.ones(3))
    _raises(RuntimeError, "does not broadcast", F.binary_cross_entropy, p, p,
            weight=ember.ones(2, 3))
    _raises(RuntimeError, "cannot broadcast", F.binary_cross_entropy_with_logits, p, p,
            pos_weight=ember.ones(2))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(p, ember.ones(4))
    _raises(RuntimeError, "floating-point", F.binary_cross_entropy_with_logits, p,
            ember.ones(3, dtype=ember.int64))
    _raises(RuntimeError, "negative values for beta", F.smooth_l1_loss, p, p, beta=-1.0)
    _raises(RuntimeError, "non-positive values for delta", F.huber_loss, p, p, delta=0.0)
    with pytest.raises(ValueError, match="same size"):
        F.mse_loss(p, p, weight=ember.ones(2))
    with pytest.raises(ValueError, match="batchmean is not a valid value"):
        F.l1_loss(p, p, reduction="batchmean")
