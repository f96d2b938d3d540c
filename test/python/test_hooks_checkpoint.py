"""Gradient hooks on non-leaf tensors, ``retain_grad`` and ``ember.utils.checkpoint``
against PyTorch.

Each case is one function written against a library (``lib`` is ``ember`` or
``torch``), run on the same values in both; it returns what the hooks saw and the
gradients, compared value by value. Tolerances are relative to the reference's
scale (``max(1, max |ref|)``): float64 to 1e-10, float32 to 1e-5. Hooks and
checkpoints split the backward into several compiled regions (one per span
between boundaries); the last tests count those regions in the compile cache.
Shapes are tiny: every distinct graph structure compiles once.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-hooks-"))

import warnings  # noqa: E402

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.utils.checkpoint as tcp  # noqa: E402
from ember.utils import checkpoint as ecp  # noqa: E402

TOL = {np.float32: 1e-5, np.float64: 1e-10}
RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal((4, 2))
S = RNG.standard_normal((3, 2))  # a fixed tensor a hook multiplies the gradient by
C = RNG.standard_normal((3, 4))
W4 = RNG.standard_normal((4, 4))


def npy(t) -> np.ndarray:
    return t.detach().numpy().copy()


def close(got, ref, tol: float, what: str = "") -> None:
    """``got`` (ember's) equals ``ref`` (torch's): arrays, or lists / tuples / dicts
    of them, compared element by element."""
    if isinstance(ref, dict):
        assert got.keys() == ref.keys(), what
        for k in ref:
            close(got[k], ref[k], tol, f"{what}[{k!r}]")
        return
    if isinstance(ref, (list, tuple)) and not (ref and isinstance(ref[0], (int, float))):
        assert len(got) == len(ref), (what, len(got), len(ref))
        for i, (g, r) in enumerate(zip(got, ref, strict=True)):
            close(g, r, tol, f"{what}[{i}]")
        return
    if isinstance(ref, str) or ref is None:
        assert got == ref, (what, got, ref)
        return
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.shape == ref.shape, (what, got.shape, ref.shape)
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * scale, err_msg=what)


def both(case, *args, tol: float = TOL[np.float64]) -> None:
    """Runs ``case(lib, *args)`` with ember and with torch and compares the results."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: .grad of a non-leaf, create_graph cycles
        close(case(ember, *args), case(torch, *args), tol, case.__name__)


def leaves(lib, dt=np.float64):
    return (lib.tensor(X.astype(dt), requires_grad=True),
            lib.tensor(W.astype(dt), requires_grad=True))


# torch asks for ``use_reentrant``; ember accepts it and always behaves as False.
NO_REENTRANT = {"use_reentrant": False}


# --------------------------------------------------------------------------
# register_hook on non-leaf tensors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_hooks_see_and_replace_the_gradient_in_order(dt):
    """Two hooks on one intermediate run in registration order: the first sees
    the gradient and returns a replacement, the second sees the replacement, and
    the replacement is what reaches the leaves."""
    def case(lib):
        x, w = leaves(lib, dt)
        h = lib.tanh(x @ w)
        seen = []
        h.register_hook(lambda g: (seen.append(("a", npy(g))), g * lib.tensor(S.astype(dt)))[1])
        h.register_hook(lambda g: seen.append(("b", npy(g))))  # None: observes only
        (h * h * 0.5 + h).sum().backward()
        assert [s[0] for s in seen] == ["a", "b"]
        return [s[1] for s in seen], npy(x.grad), npy(w.grad), h.grad

    both(case, tol=TOL[dt])


def test_hook_handle_remove():
    def case(lib):
        x, w = leaves(lib)
        h = x * 2.0
        calls = []
        first = h.register_hook(lambda g: (calls.append(1), g * 10.0)[1])
        h.register_hook(lambda g: (calls.append(2), g + 1.0)[1])
        first.remove()
        (h * h).sum().backward()
        return calls, npy(x.grad)

    both(case)


def test_hooks_on_a_chain_and_a_tensor_used_twice():
    """``h1`` feeds both ``h2`` and ``h3``: its hook runs once, with both
    contributions summed, after the hooks of the tensors computed from it (h3,
    then h2) have replaced theirs."""
    def case(lib):
        x, w = leaves(lib)
        h1 = x @ w
        h2 = lib.sin(h1)
        h3 = h2 * h1
        seen = []
        h1.register_hook(lambda g: (seen.append(("h1", npy(g))), g * 0.5)[1])
        h2.register_hook(lambda g: (seen.append(("h2", npy(g))), g + 1.0)[1])
        h3.register_hook(lambda g: (seen.append(("h3", npy(g))), g * lib.tensor(S))[1])
        (h3 ** 2).sum().backward()
        assert [s[0] for s in seen] == ["h3", "h2", "h1"]
        return [s[1] for s in seen], npy(x.grad), npy(w.grad)

    both(case)


def test_leaf_and_nonleaf_hooks_and_hooks_on_views():
    """A non-leaf's hook runs before the leaf's behind it; a hook on a view
    (reshape + slice) replaces the view's gradient."""
    def case(lib):
        x, w = leaves(lib)
        seen = []
        x.register_hook(lambda g: (seen.append(("x", npy(g))), g + 1.0)[1])
        v = (x * x).reshape(6, 2)[:, :1]
        v.register_hook(lambda g: (seen.append(("v", npy(g))), g * 5.0)[1])
        h = lib.exp(x @ w)
        h.register_hook(lambda g: (seen.append(("h", npy(g))), g * 2.0)[1])
        ((v ** 2).sum() + h.sum()).backward()
        assert sorted(s[0] for s in seen[:2]) == ["h", "v"] and seen[2][0] == "x"
        return sorted(seen, key=lambda s: s[0]), npy(x.grad), npy(w.grad)

    both(case)


def test_hook_on_a_tensor_off_the_path_is_not_called():
    def case(lib):
        x, _ = leaves(lib)
        calls = []
        (x * 3.0).register_hook(lambda g: calls.append(1))
        (x * 2.0).sum().backward()
        return calls, npy(x.grad)

    both(case)


def test_hooks_run_in_autograd_grad():
    """``autograd.grad`` w.r.t. the leaves calls an intermediate's hooks (as
    torch does) and uses their replacement, with several outputs summed; it
    leaves ``.grad`` alone."""
    def case(lib):
        x, w = leaves(lib)
        h = lib.sin(x @ w)
        seen = []
        h.register_hook(lambda g: (seen.append(npy(g)), g * 2.0)[1])
        a, b = (h * h).sum(), (lib.exp(h) * lib.tensor(S)).sum()
        gx, gw = lib.autograd.grad([a, b], [x, w])
        assert x.grad is None and w.grad is None
        return seen, npy(gx), npy(gw)

    both(case)


@pytest.mark.parametrize("how", ["grad", "backward"])
def test_hooks_with_create_graph_and_a_second_backward(how):
    """With ``create_graph=True`` the hook's replacement (here ``g * h``, itself a
    function of the inputs) is part of the recorded gradient, and the second
    backward differentiates through it."""
    def case(lib):
        x, w = leaves(lib)
        h = lib.tanh(x @ w)
        seen = []
        h.register_hook(lambda g: (seen.append(g.requires_grad), g * h)[1])
        loss = (h ** 3).sum()
        if how == "grad":
            (gx,) = lib.autograd.grad(loss, x, create_graph=True)
        else:
            loss.backward(create_graph=True)
            gx = x.grad
            x.grad = w.grad = None
        assert gx.requires_grad and seen == [True]
        (gx ** 2).sum().backward()
        return npy(gx), npy(x.grad), npy(w.grad)

    both(case)


def test_hook_returning_a_wrong_shape_raises():
    x, _ = leaves(ember)
    h = x * 2.0
    h.register_hook(lambda g: g.sum(0))
    with pytest.raises(RuntimeError, match=r"changed the size of value.*\(3, 4\).*\(4,\)"):
        h.sum().backward()
    th = torch.tensor(X, requires_grad=True) * 2.0
    th.register_hook(lambda g: g.sum(0))
    with pytest.raises(RuntimeError):
        th.sum().backward()


# --------------------------------------------------------------------------
# retain_grad
# --------------------------------------------------------------------------


def test_retain_grad_values_flags_and_accumulation():
    """Retained intermediates get torch's ``.grad`` (others keep None),
    ``retains_grad`` says which, leaves ignore ``retain_grad()``, and a second
    backward with ``retain_graph=True`` accumulates."""
    def case(lib):
        x, w = leaves(lib)
        h = x @ w
        g = lib.sigmoid(h)
        o = (g * h).sum(1)
        before = (h.retains_grad, x.retains_grad)
        h.retain_grad()
        h.retain_grad()  # twice: still counted once
        o.retain_grad()
        x.retain_grad()
        flags = (h.retains_grad, o.retains_grad, g.retains_grad, x.retains_grad, h.is_leaf)
        loss = (o ** 2).sum()
        loss.backward(retain_graph=True)
        first = (npy(h.grad), npy(o.grad), g.grad)
        loss.backward()
        return before, flags, first, npy(h.grad), npy(o.grad), npy(x.grad), npy(w.grad)

    both(case)


def test_retain_grad_sees_the_hooked_gradient():
    """A hook registered before ``retain_grad()`` changes what ``.grad`` keeps."""
    def case(lib):
        x, _ = leaves(lib)
        h = x * 2.0
        h.register_hook(lambda g: g * 10.0)
        h.retain_grad()
        (h ** 2).sum().backward()
        return npy(h.grad), npy(x.grad)

    both(case)


def test_retain_grad_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has "
                                           "requires_grad=False"):
        ember.ones(2).retain_grad()
    with pytest.raises(RuntimeError, match="can't retain_grad"):
        torch.ones(2).retain_grad()


# --------------------------------------------------------------------------
# ember.utils.checkpoint
# --------------------------------------------------------------------------


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.GELU(),
                         nn.Linear(8, 3))


def ported(dt=torch.float64):
    """The same MLP in torch and ember, with torch's initial weights."""
    torch.manual_seed(0)
    tm = mlp(torch).to(dt)
    em = mlp(ember).to(ember.float64 if dt == torch.float64 else ember.float32)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return em, tm


@pytest.mark.parametrize("dt", [np.float64, np.float32])
def test_checkpoint_mlp_matches_torch(dt):
    """A checkpointed middle block (and a retained, hooked checkpoint output):
    ember's gradients equal torch's with ``torch.utils.checkpoint`` and without."""
    em, tm = ported(torch.float64 if dt == np.float64 else torch.float32)
    x_in = RNG.standard_normal((5, 6)).astype(dt)

    def case(lib, m, cp):
        x = lib.tensor(x_in, requires_grad=True)
        h = m[0](x)

        def block(a):
            return m[3](m[2](m[1](a)))

        h = cp.checkpoint(block, h, **NO_REENTRANT) if cp else block(h)
        h.register_hook(lambda g: g * 1.5)
        h.retain_grad()
        out = m[4](h)
        (out ** 2).sum().backward()
        return [npy(out), npy(h.grad), npy(x.grad)] + [npy(p.grad) for p in m.parameters()]

    got = case(ember, em, ecp)
    close(got, case(torch, tm, tcp), TOL[dt], "checkpointed")
    tm.zero_grad()
    close(got, case(torch, tm, None), TOL[dt], "plain")


def test_checkpoint_kwargs_tuple_outputs_and_inputs_without_grad():
    """Keyword arguments reach ``fn``, tuple outputs are all differentiable, an
    input that needs no grad is a constant, and a checkpoint of constants only
    gives a result that does not require grad."""
    def block(lib, a, w, *, scale=1.0, bias=None):
        h = lib.tanh(a @ w.T) * scale
        if bias is not None:
            h = h + bias
        return h, lib.sin(h) * a

    def case(lib):
        fn = ecp.checkpoint if lib is ember else tcp.checkpoint
        x, _ = leaves(lib)
        w = lib.tensor(W4, requires_grad=True)
        c = lib.tensor(C)
        h, s = fn(block, lib, x * 2.0, w, scale=0.7, bias=c, **NO_REENTRANT)
        h2, s2 = fn(block, lib, c, w, **NO_REENTRANT)
        h3, _ = fn(block, lib, c, lib.tensor(W4), **NO_REENTRANT)
        assert not h3.requires_grad
        ((h * s).sum() + (h2 ** 2).sum() + (s2 * h).sum() + h3.sum()).backward()
        return npy(h), npy(s2), npy(x.grad), npy(w.grad)

    both(case)


def test_checkpoint_small_cnn_matches_torch():
    """Two checkpointed conv blocks (one with a hook inside) in float32."""
    def cnn(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 4, 3, padding=1), nn.Tanh(), nn.Flatten(),
                             nn.Linear(4 * 3 * 3, 5))

    torch.manual_seed(1)
    tm, em = cnn(torch), cnn(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x_in = RNG.standard_normal((2, 2, 6, 6)).astype(np.float32)

    def case(lib, m, cp):
        def second(a):
            z = m[3](a)
            z.register_hook(lambda g: g * 0.5)
            return m[4](z)

        x = lib.tensor(x_in, requires_grad=True)
        h = cp.checkpoint(lambda a: m[2](m[1](a)), m[0](x), **NO_REENTRANT)
        h = cp.checkpoint(second, h, **NO_REENTRANT)
        loss = lib.nn.functional.cross_entropy(m[6](m[5](h)), lib.tensor([1, 3]))
        loss.backward()
        return [npy(loss), npy(x.grad)] + [npy(p.grad) for p in m.parameters()]

    close(case(ember, em, ecp), case(torch, tm, tcp), TOL[np.float32])


def test_checkpoint_with_dropout_gives_the_unsplit_gradients():
    """Dropout's mask is drawn when recorded, so the recomputed block sees the same
    mask: a checkpointed (or checkpoint_sequential) block in train mode gives the
    gradients of the same block without checkpoint, seeded identically."""
    def run(how):
        ember.manual_seed(3)
        nn = ember.nn
        m = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))
        m.train()
        x = ember.randn(5, 6, requires_grad=True)
        out = {"plain": m, "checkpoint": lambda a: ecp.checkpoint(m, a),
               "sequential": lambda a: ecp.checkpoint_sequential(m, 2, a)}[how](x)
        (out ** 2).sum().backward()
        with ember.no_grad():
            m.eval()
            dropped = not np.allclose(npy(m(x)), npy(out))
        return [npy(out), npy(x.grad)] + [npy(p.grad) for p in m.parameters()], dropped

    plain, dropped = run("plain")
    assert dropped  # the mask did zero something: the test sees dropout at work
    for how in ("checkpoint", "sequential"):
        close(run(how)[0], plain, TOL[np.float32], how)


@pytest.mark.parametrize("segments", [2, 3])
def test_checkpoint_sequential_matches_torch(segments):
    em, tm = ported()
    x_in = RNG.standard_normal((4, 6))

    def case(lib, m, cp):
        x = lib.tensor(x_in, requires_grad=True)
        out = cp.checkpoint_sequential(m, segments, x, **NO_REENTRANT)
        (lib.sin(out) * out).sum().backward()
        return [npy(out), npy(x.grad)] + [npy(p.grad) for p in m.parameters()]

    close(case(ember, em, ecp), case(torch, tm, tcp), TOL[np.float64])


def test_double_backward_through_a_checkpoint():
    def case(lib):
        x, _ = leaves(lib)
        w = lib.tensor(W4, requires_grad=True)
        fn = ecp.checkpoint if lib is ember else tcp.checkpoint
        h = fn(lambda u, v: lib.tanh(u @ v) * u, lib.sin(x), w, **NO_REENTRANT)
        gx, gw = lib.autograd.grad(lib.exp(h * 0.5).sum(), [x, w], create_graph=True)
        ((gx ** 2).sum() + (gw * gw).sum()).backward()
        return npy(gx), npy(gw), npy(x.grad), npy(w.grad)

    both(case)


def _regions() -> int:
    """Regions brought into memory so far (compiled, or loaded from the disk cache)."""
    stats = ember.compiler.cache_stats()
    return stats.misses + stats.disk_hits


def test_checkpoint_splits_the_backward_and_a_repeated_step_compiles_once():
    """Without a checkpoint the backward is one region; with one it is a region
    per span (after, inside, before the checkpoint). Three SGD steps compile on
    the first only and follow the unsplit model's trajectory."""
    def train(use: bool):
        torch.manual_seed(2)
        tm = torch.nn.Sequential(torch.nn.Linear(7, 9), torch.nn.Tanh(),
                                 torch.nn.Linear(9, 9), torch.nn.Tanh(),
                                 torch.nn.Linear(9, 2))
        nn = ember.nn
        m = nn.Sequential(nn.Linear(7, 9), nn.Tanh(), nn.Linear(9, 9), nn.Tanh(),
                          nn.Linear(9, 2))
        m.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
        opt = ember.optim.SGD(m.parameters(), lr=0.1)
        x, y = ember.tensor(X7), ember.tensor(Y2)
        ember.realize(x, y, *m.parameters())
        counts = []
        for _ in range(3):
            opt.zero_grad()
            h = m[0](x)
            block = lambda a: m[3](m[2](m[1](a)))  # noqa: E731
            h = ecp.checkpoint(block, h) if use else block(h)
            loss = ((m[4](h) - y) ** 2).mean()
            before = _regions()
            loss.backward()
            backward = _regions() - before
            opt.step()
            loss.item()
            counts.append((backward, _regions() - before))
        return counts, [npy(p) for p in m.parameters()]

    plain, p_plain = train(False)
    split, p_split = train(True)
    assert plain[0][0] == 1, plain
    assert split[0][0] >= 3, split
    assert all(c == (0, 0) for c in split[1:] + plain[1:]), (plain, split)
    close(p_split, p_plain, TOL[np.float32])


X7 = RNG.standard_normal((4, 7)).astype(np.float32)
Y2 = RNG.standard_normal((4, 2)).astype(np.float32)


def test_hook_fixes_match_torch():
    """A hook on the output itself; retain_grad after the other hooks; autograd.grad
    with a hooked or retained input; a hook returning a non-tensor or another dtype."""
    for lib in ("ember", "torch"):
        m = ember if lib == "ember" else torch
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.register_hook(lambda g: g * 3)
        y.backward()
        np.testing.assert_allclose(np.asarray(x.grad.tolist()), [6.0, 12.0])
        x = m.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.retain_grad()
        h.register_hook(lambda g: g * 10)
        (h * h).sum().backward()
        np.testing.assert_allclose(np.asarray(h.grad.tolist()), [40.0, 80.0])
        h = x * 3
        h.retain_grad()
        (g,) = m.autograd.grad((h * h).sum(), [h])
        np.testing.assert_allclose(np.asarray(g.tolist()), [6.0, 12.0])
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 2)
    gx, gh = ember.autograd.grad((h * h).sum(), [x, h])
    np.testing.assert_allclose(gx.numpy(), [36.0, 72.0])
    h = x * 3
    h.register_hook(lambda g: 2.0)
    with pytest.raises(TypeError, match="hook returned 'float'"):
        (h * h).sum().backward()
    h = x * 3
    h.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="changed the type of value"):
        (h * h).sum().backward()
