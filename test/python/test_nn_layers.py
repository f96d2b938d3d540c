"""nn layers (activations, Flatten, BatchNorm, GroupNorm, Embedding, pooling) and their
functional forms against PyTorch on the CPU.

Each case builds the layer in both libraries with the same weights (ember's loaded from
torch's ``state_dict``), runs the same input, backpropagates the same random cotangent
and compares the output, the input gradient and every parameter gradient (each case
its own small regions: compile time grows faster than linearly with a region's size).
Tolerances: float32 1e-5 and float64 1e-10, relative to the reference's scale.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-nn-layers-"))

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from ember.nn.modules.normalization import GroupNorm  # noqa: E402

TOL = {np.float32: 1e-5, np.float64: 1e-10}


def _np(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.numpy())


def _close(out, ref, what: str, tol: float = 1e-5) -> None:
    out, ref = _np(out), _np(ref)
    assert out.shape == ref.shape, f"{what}: shape {out.shape}, expected {ref.shape}"
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64), rtol=tol,
                               atol=tol * scale, err_msg=what)


def _load(em: nn.Module, tm: torch.nn.Module) -> None:
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                        tm.state_dict().items()})


def _run_all(cases, rng, dtype=np.float32) -> None:
    """``cases``: (name, ember fn, torch fn, input array). Each case: same output and
    the same input gradient for a random cotangent."""
    tol = TOL[dtype]
    for name, ef, tf, a in cases:
        a = a.astype(dtype)
        ex, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        eo, to = ef(ex), tf(tx)
        _close(eo, to, f"{name}: output", tol)
        g = rng.standard_normal(tuple(to.shape)).astype(dtype)
        eo.backward(ember.tensor(g))
        to.backward(torch.tensor(g))
        _close(ex.grad, tx.grad, f"{name}: input gradient", tol)


def _check_module(em, tm, a, rng, *, train=True, tol=1e-5):
    """Same output, input gradient and parameter gradients for one module call."""
    em.train(train), tm.train(train)
    ex, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    eo, to = em(ex), tm(tx)
    _close(eo, to, "output", tol)
    g = rng.standard_normal(tuple(to.shape)).astype(a.dtype)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    _close(ex.grad, tx.grad, "input gradient", tol)
    tparams = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        if tparams[name].grad is None:
            assert p.grad is None, name
        else:
            _close(p.grad, tparams[name].grad, f"gradient of {name}", tol)
    assert list(em.state_dict()) == list(tm.state_dict())


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -- activations -------------------------------------------------------------------------

def test_activations(rng):
    a = rng.uniform(-3, 3, (4, 5, 6))
    # Exact bound values: hardtanh / relu6 pass no gradient there (PyTorch's rule).
    a[0, 0, :6] = [-1.0, 1.0, 0.0, 6.0, 7.0, -0.5]
    pairs = [
        ("ReLU", nn.ReLU(), torch.nn.ReLU()),
        ("GELU", nn.GELU(), torch.nn.GELU()),
        ("GELU-tanh", nn.GELU("tanh"), torch.nn.GELU("tanh")),
        ("SiLU", nn.SiLU(), torch.nn.SiLU()),
        ("Tanh", nn.Tanh(), torch.nn.Tanh()),
        ("Sigmoid", nn.Sigmoid(), torch.nn.Sigmoid()),
        ("Softmax", nn.Softmax(dim=-1), torch.nn.Softmax(dim=-1)),
        ("LogSoftmax", nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
        ("LeakyReLU", nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        ("ELU", nn.ELU(alpha=0.7), torch.nn.ELU(alpha=0.7)),
        ("Softplus", nn.Softplus(beta=2.0, threshold=3.0),
         torch.nn.Softplus(beta=2.0, threshold=3.0)),
        ("Hardtanh", nn.Hardtanh(), torch.nn.Hardtanh()),
        ("Hardtanh-range", nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)),
        ("ReLU6", nn.ReLU6(), torch.nn.ReLU6()),
        ("Mish", nn.Mish(), torch.nn.Mish()),
    ]
    _run_all([(n, e, t, a * (3 if n == "ReLU6" else 1)) for n, e, t in pairs], rng)
    _run_all([(n, e, t, a) for n, e, t in pairs[6:8]], rng, np.float64)


def test_activation_inplace_and_implicit_dim(rng):
    a = rng.standard_normal((3, 4, 5)).astype(np.float32)
    ex, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    eh, th = ex * 2.0, tx * 2.0
    eo, to = nn.ReLU(inplace=True)(eh), torch.nn.ReLU(inplace=True)(th)
    assert eo is eh
    _close(eh, th, "ReLU(inplace=True) writes its input")
    (eo * eo).sum().backward()
    (to * to).sum().backward()
    _close(ex.grad, tx.grad, "gradient through the in-place ReLU")
    with pytest.raises(RuntimeError):
        nn.ReLU(inplace=True)(ember.tensor(a, requires_grad=True))
    with pytest.warns(UserWarning, match="Implicit dimension"):
        e = nn.Softmax()(ember.tensor(a))
    with pytest.warns(UserWarning):
        t = torch.nn.Softmax()(torch.tensor(a))
    _close(e, t, "Softmax() on a 3-D input (dim 0)")
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == repr(torch.nn.LeakyReLU(0.2, inplace=True))
    assert repr(nn.GELU("tanh")) == repr(torch.nn.GELU("tanh"))
    with pytest.raises(ValueError):
        nn.GELU("fast")


def test_flatten_unflatten():
    a = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    for args in [(), (0,), (1, 2), (-3, -2), (2, -1)]:
        _close(nn.Flatten(*args)(ember.tensor(a)), torch.nn.Flatten(*args)(torch.tensor(a)),
               f"Flatten{args}")
    for dim, size in [(1, (3, 1)), (-1, (5, 1)), (2, (2, -1))]:
        _close(nn.Unflatten(dim, size)(ember.tensor(a)),
               torch.nn.Unflatten(dim, size)(torch.tensor(a)), f"Unflatten({dim}, {size})")
    with pytest.raises(RuntimeError):
        nn.Unflatten(1, (2, 2))(ember.tensor(a))


# -- normalization -----------------------------------------------------------------------

@pytest.mark.parametrize("kind,shape,kwargs", [
    ("1d", (6, 3), {}),
    ("1d", (4, 3, 5), dict(momentum=None)),
    ("2d", (4, 3, 5, 6), dict(momentum=0.3, eps=1e-3)),
    ("2d", (2, 3, 4, 4), dict(affine=False)),
])
def test_batchnorm_train_eval(kind, shape, kwargs, rng):
    em = getattr(nn, f"BatchNorm{kind}")(3, **kwargs)
    tm = getattr(torch.nn, f"BatchNorm{kind}")(3, **kwargs)
    if tm.affine:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5), tm.bias.uniform_(-0.5, 0.5)
    _load(em, tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.num_batches_tracked.dtype is ember.int64
    for _ in range(3):
        a = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        _check_module(em, tm, a, rng, train=True)
    for name, buf in tm.named_buffers():
        _close(getattr(em, name), buf, f"{name} after 3 steps")
    _check_module(em, tm, rng.standard_normal(shape).astype(np.float32), rng, train=False)
    assert repr(em) == repr(tm)


def test_batchnorm_no_running_stats_and_float64(rng):
    em, tm = nn.BatchNorm2d(3, track_running_stats=False), \
        torch.nn.BatchNorm2d(3, track_running_stats=False)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["weight", "bias"]
    a = rng.standard_normal((2, 3, 3, 4)).astype(np.float32)
    _check_module(em, tm, a, rng, train=False)  # batch statistics in eval mode too
    em, tm = nn.BatchNorm1d(4).double(), torch.nn.BatchNorm1d(4).double()
    _check_module(em, tm, rng.standard_normal((5, 4)), rng, tol=1e-10)
    _close(em.running_var, tm.running_var, "float64 running_var", 1e-10)
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ember.tensor(a[0, 0]))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ember.ones(1, 3))


def test_batchnorm_bias_false_and_pending_stats(rng):
    em, tm = nn.BatchNorm1d(3, bias=False), torch.nn.BatchNorm1d(3, bias=False)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    _check_module(em, tm, rng.standard_normal((4, 3)).astype(np.float32), rng)
    # A step's running-stat update is computed when the module runs again (it does not
    # chain pending graphs from step to step).
    before = [em.running_mean._node, em.running_var._node, em.num_batches_tracked._node]
    assert not any(n.realized for n in before)
    em(ember.tensor(rng.standard_normal((4, 3)).astype(np.float32)))
    assert all(n.realized for n in before)
    assert em.num_batches_tracked.item() == 2


def test_batch_norm_functional(rng):
    a = rng.standard_normal((4, 3, 5)).astype(np.float32)
    rm, rv = rng.standard_normal(3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)
    erm, erv = ember.tensor(rm), ember.tensor(rv)
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    w, b = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    _close(F.batch_norm(ember.tensor(a), erm, erv, ember.tensor(w), ember.tensor(b)),
           TF.batch_norm(torch.tensor(a), trm, trv, torch.tensor(w), torch.tensor(b)),
           "batch_norm eval")
    _close(F.batch_norm(ember.tensor(a), erm, erv, training=True, momentum=0.25),
           TF.batch_norm(torch.tensor(a), trm, trv, training=True, momentum=0.25),
           "batch_norm train")
    _close(erm, trm, "running_mean updated in place")
    _close(erv, trv, "running_var updated in place")
    with pytest.raises(RuntimeError, match="running_mean"):
        F.batch_norm(ember.tensor(a), None, None)


def test_group_norm(rng):
    em, tm = GroupNorm(2, 6), torch.nn.GroupNorm(2, 6)
    with torch.no_grad():
        tm.weight.uniform_(0.5, 1.5), tm.bias.uniform_(-0.5, 0.5)
    _load(em, tm)
    _check_module(em, tm, rng.standard_normal((3, 6, 4, 5)).astype(np.float32) * 3, rng)
    em, tm = GroupNorm(3, 6, affine=False, eps=1e-3), torch.nn.GroupNorm(3, 6, affine=False,
                                                                          eps=1e-3)
    _check_module(em, tm, rng.standard_normal((2, 6, 7)), rng, tol=1e-10)
    assert repr(em) == repr(tm)
    with pytest.raises(ValueError):
        GroupNorm(4, 6)
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(ember.ones(2, 6, 3), 4)


def test_normalize(rng):
    a = rng.standard_normal((4, 5))
    a[1] = 0.0  # a zero row: divided by eps, with a finite gradient
    _run_all([(f"p={p},dim={d}", lambda x, p=p, d=d: F.normalize(x, p, d),
               lambda x, p=p, d=d: TF.normalize(x, p, d), a)
              for p, d in [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)]], rng)


# -- embedding ---------------------------------------------------------------------------

def test_embedding(rng):
    tm = torch.nn.Embedding(10, 4, padding_idx=2)
    em = nn.Embedding(10, 4, padding_idx=2)
    assert not np.any(em.weight.numpy()[2]), "the padding row starts at zero"
    with torch.no_grad():
        tm.weight[2] = 1.5  # a nonzero padding row still gets no gradient
    _load(em, tm)
    idx = np.array([[1, 2, 3], [2, 9, 1]])
    ex, tx = ember.tensor(idx), torch.tensor(idx)
    g = rng.standard_normal((2, 3, 4)).astype(np.float32)
    eo, to = em(ex), tm(tx)
    _close(eo, to, "embedding output")
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    _close(em.weight.grad, tm.weight.grad, "embedding weight gradient")
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == ["weight"]

    w = rng.standard_normal((6, 3)).astype(np.float32) * 3
    et, tt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    i = np.array([0, 4, 4, 1, 4])
    eo = F.embedding(ember.tensor(i), et, scale_grad_by_freq=True, padding_idx=-5)
    to = TF.embedding(torch.tensor(i), tt, scale_grad_by_freq=True, padding_idx=1)
    (eo * eo).sum().backward()
    (to * to).sum().backward()
    _close(et.grad, tt.grad, "scale_grad_by_freq gradient")

    et, tt = ember.tensor(w), torch.tensor(w)
    _close(F.embedding(ember.tensor(i), et, max_norm=1.0),
           TF.embedding(torch.tensor(i), tt, max_norm=1.0), "max_norm output")
    _close(et, tt, "max_norm renormalizes the referenced rows in place")
    with pytest.raises(IndexError):
        F.embedding(ember.tensor([6]), et)


def test_embedding_from_pretrained():
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    e = nn.Embedding.from_pretrained(ember.tensor(w))
    assert not e.weight.requires_grad
    np.testing.assert_array_equal(e(ember.tensor([3, 0])).numpy(), w[[3, 0]])
    e = nn.Embedding.from_pretrained(ember.tensor(w), freeze=False, padding_idx=0)
    assert e.weight.requires_grad and e.padding_idx == 0
    np.testing.assert_array_equal(e.weight.numpy()[0], w[0])
    with pytest.raises(ValueError):
        nn.Embedding.from_pretrained(ember.tensor(w[0]))


def test_one_hot():
    i = np.array([[0, 3], [2, 1]])
    e, t = F.one_hot(ember.tensor(i)), TF.one_hot(torch.tensor(i))
    assert e.dtype is ember.int64
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    np.testing.assert_array_equal(F.one_hot(ember.tensor(i), 6).numpy(),
                                  TF.one_hot(torch.tensor(i), 6).numpy())
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ember.tensor([1, -1]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ember.tensor([1, 3]), 3)
    with pytest.raises(RuntimeError):
        F.one_hot(ember.tensor([1.0]))


# -- pooling -----------------------------------------------------------------------------

def test_max_pool_nan_and_ties_match_torch():
    """NaN propagates; the gradient goes to the first maximum, or the last NaN."""
    a = np.array([[[[1.0, 1.0, 0.0, np.nan], [1.0, 0.0, np.nan, 2.0]],
                   [[0.0, 0.0, np.nan, np.nan], [0.0, 0.0, 3.0, np.nan]]]])
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    ev, tv = F.max_pool2d(e, 2), TF.max_pool2d(t, 2)
    np.testing.assert_array_equal(ev.detach().numpy(), tv.detach().numpy())
    g = np.arange(1.0, 1.0 + tv.numel()).reshape(tv.shape)
    ev.backward(ember.tensor(g))
    tv.backward(torch.tensor(g))
    np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())
    for k in (2, 1, (1, 2)):  # the indices too, also for windows of one element
        ei = F.max_pool2d(ember.tensor(a), k, return_indices=True)[1]
        ti = TF.max_pool2d(torch.tensor(a), k, return_indices=True)[1]
        np.testing.assert_array_equal(ei.numpy(), ti.numpy(), err_msg=str(k))


def test_max_pool(rng):
    a2 = rng.standard_normal((2, 3, 7, 9))
    a2[0, 0, :2, :2] = 1.0  # a tie inside one window: the first maximum gets the gradient
    a1 = rng.standard_normal((2, 3, 11))
    a1[1, 1, 3:6] = 0.5
    cases = [
        ("2d k2", dict(kernel_size=2), a2),
        ("2d k3 s2 p1 ceil", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), a2),
        ("2d (2,3) s(1,2) dil2", dict(kernel_size=(2, 3), stride=(1, 2), dilation=2), a2),
        ("2d unbatched", dict(kernel_size=3, stride=1, padding=1), a2[0]),
    ]
    c1 = [
        ("1d k3", dict(kernel_size=3), a1),
        ("1d k4 s3 p2 ceil", dict(kernel_size=4, stride=3, padding=2, ceil_mode=True), a1),
    ]
    _run_all([(n, lambda x, k=k: nn.MaxPool2d(**k)(x), lambda x, k=k: torch.nn.MaxPool2d(**k)(x),
               a) for n, k, a in cases] +
             [(n, lambda x, k=k: nn.MaxPool1d(**k)(x), lambda x, k=k: torch.nn.MaxPool1d(**k)(x),
               a) for n, k, a in c1], rng)
    results = []
    for name, k, a in cases + c1:
        fn = F.max_pool2d if name.startswith("2d") else F.max_pool1d
        tfn = TF.max_pool2d if name.startswith("2d") else TF.max_pool1d
        results.append((name, fn(ember.tensor(a), **k, return_indices=True),
                        tfn(torch.tensor(a), **k, return_indices=True)))
    ember.realize(*(t for _, pair, _ in results for t in pair))
    for name, (ev, ei), (tv, ti) in results:
        _close(ev, tv, f"{name}: values")
        assert ei.dtype is ember.int64
        np.testing.assert_array_equal(ei.numpy(), ti.numpy(), err_msg=f"{name}: indices")
    assert repr(nn.MaxPool2d(3, 2, 1)) == repr(torch.nn.MaxPool2d(3, 2, 1))
    i = rng.integers(-5, 5, (1, 2, 5, 5))
    np.testing.assert_array_equal(F.max_pool2d(ember.tensor(i), 2, padding=1).numpy(),
                                  TF.max_pool2d(torch.tensor(i), 2, padding=1).numpy())
    with pytest.raises(RuntimeError, match="half of effective kernel size"):
        F.max_pool2d(ember.ones(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="too small"):
        F.max_pool2d(ember.ones(1, 1, 4, 4), 3, dilation=3)
    with pytest.raises(RuntimeError, match="3D or 4D"):
        F.max_pool2d(ember.ones(4, 4), 2)


def test_avg_pool(rng):
    a2 = rng.standard_normal((2, 3, 7, 8))
    a1 = rng.standard_normal((2, 3, 10))
    c2 = [
        ("2d k2", dict(kernel_size=2), a2),
        ("2d k3 s2 p1", dict(kernel_size=3, stride=2, padding=1), a2),
        ("2d k3 s2 p1 no-pad-count ceil", dict(kernel_size=3, stride=2, padding=1,
                                               ceil_mode=True, count_include_pad=False), a2),
        ("2d (3,2) ceil", dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0),
                               ceil_mode=True), a2),
        ("2d divisor_override", dict(kernel_size=2, padding=1, divisor_override=3), a2[0]),
    ]
    c1 = [
        ("1d k3 s2 p1 ceil", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), a1),
        ("1d k4 s3 p2 no-pad-count", dict(kernel_size=4, stride=3, padding=2,
                                          count_include_pad=False), a1),
    ]
    _run_all([(n, lambda x, k=k: nn.AvgPool2d(**k)(x), lambda x, k=k: torch.nn.AvgPool2d(**k)(x),
               a) for n, k, a in c2] +
             [(n, lambda x, k=k: nn.AvgPool1d(**k)(x), lambda x, k=k: torch.nn.AvgPool1d(**k)(x),
               a) for n, k, a in c1], rng)
    assert repr(nn.AvgPool2d(3, 2, 1)) == repr(torch.nn.AvgPool2d(3, 2, 1))
    assert repr(nn.AvgPool1d(3, 2, 1)) == repr(torch.nn.AvgPool1d(3, 2, 1))
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(ember.ones(1, 1, 4, 4), 2, divisor_override=0)


def test_adaptive_avg_pool(rng):
    a2 = rng.standard_normal((2, 3, 7, 10))
    a1 = rng.standard_normal((2, 3, 10))
    cases = [(f"2d {o}", lambda x, o=o: nn.AdaptiveAvgPool2d(o)(x),
              lambda x, o=o: torch.nn.AdaptiveAvgPool2d(o)(x), a2)
             for o in [1, (3, 4), (5, None)]]
    cases += [("2d unbatched", lambda x: F.adaptive_avg_pool2d(x, (4, 3)),
               lambda x: TF.adaptive_avg_pool2d(x, (4, 3)), a2[0])]
    cases += [(f"1d {o}", lambda x, o=o: nn.AdaptiveAvgPool1d(o)(x),
               lambda x, o=o: torch.nn.AdaptiveAvgPool1d(o)(x), a1) for o in [3]]
    _run_all(cases, rng)
    _run_all(cases[1:2], rng, np.float64)


def test_small_cnn_trains_like_torch(rng):
    """Conv-free CNN-style stack (pool, norm, activation, flatten, linear) over a few SGD
    steps: same losses and the same running statistics as PyTorch."""
    def build(lib):
        return lib.Sequential(lib.BatchNorm2d(2), lib.ReLU(), lib.MaxPool2d(2),
                              lib.AvgPool2d(2, 1, 1, count_include_pad=False),
                              lib.AdaptiveAvgPool2d((2, 3)), lib.Flatten(),
                              lib.Linear(12, 3), lib.GELU())

    tm, em = build(torch.nn), build(nn)
    _load(em, tm)
    a = rng.standard_normal((4, 2, 8, 8)).astype(np.float32)
    for _ in range(3):
        el, tl = (em(ember.tensor(a)) ** 2).mean(), (tm(torch.tensor(a)) ** 2).mean()
        em.zero_grad(), tm.zero_grad()
        el.backward(), tl.backward()
        _close(el, tl, "loss")
        with ember.no_grad():
            for p in em.parameters():
                p -= 0.1 * p.grad
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
    for k, v in tm.state_dict().items():
        _close(em.state_dict()[k], v, k)
