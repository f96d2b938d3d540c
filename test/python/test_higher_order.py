"""Higher-order gradients against PyTorch: ``create_graph=True`` through
``ember.autograd.grad`` and ``backward``, and nested ``ember.func.grad``.

Each case builds the same function of the same values in ember and in torch.
The composite cases take first gradients with ``create_graph=True``, contract
them with fixed random vectors and differentiate again: a Hessian-vector
product with respect to every input, mixed partials included. Tolerances are
relative to the reference's scale (``max(1, max |ref|)``): float32 to 1e-4,
float64 to 1e-10. Shapes are tiny: each distinct graph compiles once, and the
graphs of second and third order are several times the size of the function.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-higher-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

TOL = {np.float32: 1e-4, np.float64: 1e-10}


def close(got, ref, tol: float, what: str = "") -> None:
    got = got.detach().numpy() if hasattr(got, "detach") else np.asarray(got)
    ref = ref.detach().numpy() if hasattr(ref, "detach") else np.asarray(ref)
    assert got.shape == ref.shape, (what, got.shape, ref.shape)
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * scale, err_msg=what)


def leaves(lib, arrays: list[np.ndarray]) -> list:
    return [lib.tensor(a, requires_grad=True) for a in arrays]


def double_backward(lib, fn, arrays: list[np.ndarray], vs: list[np.ndarray]) -> tuple:
    """``(f, grad f, H v)`` with respect to every array, as NumPy arrays."""
    xs = leaves(lib, arrays)
    out = fn(lib, *xs)
    gs = lib.autograd.grad(out, xs, create_graph=True)
    assert all(g.requires_grad for g in gs)
    dot = (gs[0] * lib.tensor(vs[0])).sum()
    for g, v in zip(gs[1:], vs[1:], strict=True):
        dot = dot + (g * lib.tensor(v)).sum()
    hvs = lib.autograd.grad(dot, xs)
    return out.detach().numpy(), [g.detach().numpy() for g in gs], [h.numpy() for h in hvs]


def check_hvp(fn, arrays: list[np.ndarray], dtype=np.float32) -> None:
    """``fn(lib, *tensors)`` (a scalar): value, gradients and H v against torch."""
    arrays = [np.asarray(a, dtype) for a in arrays]
    rng = np.random.default_rng(100)
    vs = [rng.standard_normal(a.shape).astype(dtype) for a in arrays]
    tol = TOL[dtype]
    got = double_backward(ember, fn, arrays, vs)
    ref = double_backward(torch, fn, arrays, vs)
    close(got[0], ref[0], tol, "value")
    for i, (g, r) in enumerate(zip(got[1], ref[1], strict=True)):
        close(g, r, tol, f"gradient {i}")
    for i, (g, r) in enumerate(zip(got[2], ref[2], strict=True)):
        close(g, r, tol, f"Hessian-vector product {i}")


def randn(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


# --------------------------------------------------------------------------
# Second derivatives of composite functions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_matmul_mixed_partials(dtype):
    check_hvp(lambda lib, x, w: lib.tanh(x @ w).sum(), randn(1, (3, 4), (4, 2)), dtype)


def test_tanh_matmul_mixed_partial_alone():
    """d/dw of <dL/dx, v>: the mixed block of the Hessian on its own."""
    x, w = randn(2, (3, 4), (4, 2))
    (v,) = randn(3, (3, 4))
    res = []
    for lib in (ember, torch):
        xt, wt = leaves(lib, [x, w])
        (gx,) = lib.autograd.grad(lib.tanh(xt @ wt).sum(), xt, create_graph=True)
        res.append(lib.autograd.grad((gx * lib.tensor(v)).sum(), wt)[0])
    close(*res, 1e-10)


def test_cross_entropy_logits_and_weights():
    def fn(lib, x, w, b):
        target = lib.tensor([0, 2, 1, 2])
        return lib.nn.functional.cross_entropy(x @ w + b, target)

    check_hvp(fn, randn(4, (4, 3), (3, 3), (3,)))


def test_layer_norm_expression():
    def fn(lib, x, g):
        mean = x.mean(dim=-1, keepdim=True)
        var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
        y = (x - mean) / lib.sqrt(var + 1e-5) * g
        return (y * y.sigmoid()).sum()

    check_hvp(fn, randn(5, (3, 5), (5,)), np.float64)


def test_log_softmax_sigmoid_exp_log():
    def fn(lib, x, y):
        a = lib.log_softmax(x, dim=1)[:, 0].sum()
        b = lib.log(1 + lib.exp(y * 0.5)).mean()
        return a * b + lib.sigmoid(x * y).sum()

    check_hvp(fn, randn(6, (3, 4), (3, 4)))


def test_reductions_with_broadcasting():
    def fn(lib, x, r, c):
        y = (x - r) * c  # (2, 3, 4) - (3, 1) times (4,)
        return (y.sum(dim=2) ** 2).mean() + y.amax(dim=1).exp().sum() + (y * y).var()

    check_hvp(fn, randn(7, (2, 3, 4), (3, 1), (4,)))


def test_batched_matmul_broadcast():
    def fn(lib, a, b):
        return lib.sin(a @ b).pow(2).sum()

    check_hvp(fn, randn(8, (2, 1, 3, 4), (3, 4, 2)))


def test_slicing_cat_pad():
    def fn(lib, x):
        F = lib.nn.functional
        y = lib.cat([x[:, ::2] ** 3, x[:, 1:] * x[:, :-1]], dim=1)
        z = F.pad(y, (1, 2, 0, 1), value=0.5)
        return (z.cumsum(dim=1) * z).sum()

    check_hvp(fn, randn(9, (3, 5)))


def test_where_maximum():
    def fn(lib, x, y):
        a = lib.where(x > 0, x**3, lib.exp(x) * y)
        return (lib.maximum(a, y * y) * x).sum()

    x, y = randn(10, (4, 3), (4, 3))
    x[np.abs(x) < 0.1] = 0.3  # away from the kink of where
    check_hvp(fn, [x, y])


def test_conv2d_double_backward():
    def fn(lib, x, w, b):
        y = lib.nn.functional.conv2d(x, w, b, stride=2, padding=1)
        return lib.tanh(y).pow(2).sum()

    check_hvp(fn, randn(11, (2, 2, 5, 5), (3, 2, 3, 3), (3,)))


def test_gradient_penalty_through_linear():
    """WGAN-GP: the norm of d critic / d input, penalised, backpropagated to the
    parameters of an ``nn.Linear`` MLP."""
    x = randn(12, (4, 3))[0].astype(np.float32)
    ember.manual_seed(0)
    net = ember.nn.Sequential(ember.nn.Linear(3, 6), ember.nn.Tanh(), ember.nn.Linear(6, 1))
    ref = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1))
    with torch.no_grad():
        for p, q in zip(net.parameters(), ref.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.detach().numpy()))
    for lib, model in ((ember, net), (torch, ref)):
        xt = lib.tensor(x, requires_grad=True)
        out = model(xt)
        (g,) = lib.autograd.grad(out, xt, grad_outputs=lib.ones_like(out), create_graph=True)
        penalty = ((g.pow(2).sum(dim=1).sqrt() - 1) ** 2).mean()
        (out.mean() + 10 * penalty).backward()
    for (name, p), q in zip(net.named_parameters(), ref.parameters(), strict=True):
        close(p.grad, q.grad, 1e-4, name)


def test_conv_transpose_grouped_dilated():
    def fn(lib, x, w, u):
        F = lib.nn.functional
        y = F.conv2d(x, w, padding=2, dilation=2, groups=2)
        return F.conv_transpose2d(lib.tanh(y), u, stride=2, padding=1).pow(2).sum()

    check_hvp(fn, randn(26, (1, 4, 4, 4), (4, 2, 3, 3), (4, 2, 3, 3)), np.float64)


def test_activations_and_normalization():
    def fn(lib, x, w):
        F = lib.nn.functional
        a = F.gelu(x) * F.softplus(x) + F.silu(x) + lib.erf(x) * F.elu(x) + F.leaky_relu(x, 0.1)
        b = F.layer_norm(a, (4,), w) + F.batch_norm(x, None, None, w, None, training=True)
        return b.pow(3).sum() + F.group_norm(x.unsqueeze(2), 2, w).pow(3).sum()

    check_hvp(fn, randn(27, (3, 4), (4,)), np.float64)


def test_indexing_and_pooling():
    def fn(lib, x):
        F = lib.nn.functional
        rows = (x.gather(1, lib.tensor([[0], [3], [1]])) ** 3).sum()
        cols = (x.index_select(1, lib.tensor([2, 0])) ** 3).sum()
        cols = cols + (x[lib.tensor([0, 2])] ** 3).sum()
        img = x.reshape(1, 1, 3, 4)
        pools = (F.max_pool2d(img, 2) ** 3).sum() + (F.avg_pool2d(img, (1, 2)) ** 3).sum()
        return rows * cols + pools

    check_hvp(fn, randn(28, (3, 4)), np.float64)


def test_reductions_and_arithmetic():
    def fn(lib, x, y):
        a = (x.softmax(1) ** 2).sum() + x.logsumexp(1).sum() * x.std()
        b = (x.clamp(-0.5, 0.5) ** 3).sum() + (x.max(dim=1).values ** 3).sum()
        b = b + lib.prod(x, 1).sum()
        c = lib.stack([x, y * 2]).permute(2, 0, 1).reshape(4, 6).amin(0).pow(2).sum()
        d = (x / (y * y + 1)).sum() + (x.abs() + 1).pow(y).sum()
        d = d + lib.rsqrt(lib.log1p(x * x) + 1).sum()
        return a + b + c + d + lib.lerp(x, y, 0.3).pow(3).sum()

    check_hvp(fn, randn(29, (3, 4), (3, 4)), np.float64)


def test_losses():
    def fn(lib, x, y):
        F = lib.nn.functional
        a = F.mse_loss(x.tanh(), y) + F.binary_cross_entropy_with_logits(x, y.sigmoid())
        b = F.nll_loss(F.log_softmax(x * y, 1), lib.tensor([1, 0, 2]))
        c = F.kl_div(F.log_softmax(x, 1), F.softmax(y, 1), reduction="batchmean")
        return a + b * c + F.huber_loss(x * x, y)

    check_hvp(fn, randn(30, (3, 4), (3, 4)), np.float64)


# --------------------------------------------------------------------------
# Hessians
# --------------------------------------------------------------------------


def test_full_hessian_matches_torch():
    def f(lib):
        return lambda x: (lib.tanh(x) * x.cumsum(dim=0)).sum() + (x**3).prod()

    (x,) = randn(13, (4,))
    xt = ember.tensor(x, requires_grad=True)
    (g,) = ember.autograd.grad(f(ember)(xt), xt, create_graph=True)
    rows = [ember.autograd.grad(g, xt, grad_outputs=ember.tensor(e), retain_graph=True)[0]
            for e in np.eye(4)]
    hessian = ember.stack(rows)
    ref = torch.autograd.functional.hessian(f(torch), torch.tensor(x))
    close(hessian, ref, 1e-10)
    close(hessian, hessian.numpy().T, 1e-12, "symmetry")


def test_hvp_matches_torch_functional():
    """``grad_outputs=v`` on the first gradient: H v, as ``torch.autograd.functional.hvp``."""
    x, w, v = randn(14, (5, 3), (3, 2), (3, 2))

    def f(lib):
        return lambda w: lib.log_softmax(lib.tensor(x) @ w, dim=1)[:, 1].mean()

    wt = ember.tensor(w, requires_grad=True)
    (g,) = ember.autograd.grad(f(ember)(wt), wt, create_graph=True)
    (hv,) = ember.autograd.grad(g, wt, grad_outputs=ember.tensor(v))
    _, ref = torch.autograd.functional.hvp(f(torch), torch.tensor(w), torch.tensor(v))
    close(hv, ref, 1e-10)


def test_second_derivative_finite_differences():
    """H v from double backward against central differences of the gradient."""
    (x, v) = randn(15, (3, 3), (3, 3))

    def f(t):
        return (ember.exp(t @ t * 0.3) * ember.sigmoid(t)).sum()

    def gradient(a):
        t = ember.tensor(a, requires_grad=True)
        return ember.autograd.grad(f(t), t)[0].numpy()

    xt = ember.tensor(x, requires_grad=True)
    (g,) = ember.autograd.grad(f(xt), xt, create_graph=True)
    (hv,) = ember.autograd.grad((g * ember.tensor(v)).sum(), xt)
    h = 1e-5
    fd = (gradient(x + h * v) - gradient(x - h * v)) / (2 * h)
    close(hv, fd, 1e-7)


# --------------------------------------------------------------------------
# backward(create_graph=True) and .grad
# --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_backward_create_graph_grad_accumulates():
    (a,) = randn(16, (3,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = (x**3 * lib.sin(x)).sum()
        y.backward(create_graph=True)
        first = x.grad.detach().numpy().copy()
        assert x.grad.requires_grad
        x.grad.pow(2).sum().backward()  # accumulates into x.grad
        res.append((first, x.grad.detach().numpy().copy()))
    close(res[0][0], res[1][0], 1e-10, "first")
    close(res[0][1], res[1][1], 1e-10, "accumulated")


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_backward_create_graph_retains_graph_by_default():
    (a,) = randn(17, (3,))
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.exp(x).sum() * x.sum()
        y.backward(create_graph=True)
        y.backward()  # the graph was retained: retain_graph defaults to create_graph
        grads.append(x.grad.detach().numpy().copy())
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()
    close(grads[0], grads[1], 1e-10)


def test_grad_create_graph_used_in_backward_to_leaves():
    """A gradient from ``autograd.grad(create_graph=True)`` in a loss whose
    ``backward()`` fills ``.grad`` of every leaf, as in a gradient penalty."""
    x, w = randn(18, (2, 3), (3, 3))
    res = []
    for lib in (ember, torch):
        xt, wt = leaves(lib, [x, w])
        y = lib.tanh(xt @ wt)
        (gx,) = lib.autograd.grad(y.sum(), xt, create_graph=True)
        (y.pow(2).mean() + gx.pow(2).sum()).backward()
        res.append((xt.grad, wt.grad))
    close(res[0][0], res[1][0], 1e-10, "x.grad")
    close(res[0][1], res[1][1], 1e-10, "w.grad")


def test_gradient_wrt_intermediate_second_order():
    (a,) = randn(19, (4,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        h = lib.sin(x) * 2
        y = (h**3).sum()
        (gh,) = lib.autograd.grad(y, h, create_graph=True)  # 3 h^2
        res.append(lib.autograd.grad(gh.sum(), (h, x)))
    for g, r in zip(res[0], res[1], strict=True):
        close(g, r, 1e-10)


def test_reading_first_gradient_keeps_it_differentiable():
    (a,) = randn(31, (3,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad((x**3 * lib.cos(x)).sum(), x, create_graph=True)
        first = g.detach().numpy().copy()  # realized before the second backward
        res.append((first, lib.autograd.grad(g.pow(2).sum(), x)[0]))
    close(res[0][0], res[1][0], 1e-10, "first")
    close(res[0][1], res[1][1], 1e-10, "second")


def test_constant_gradient_does_not_require_grad():
    """As in torch: the gradient of a linear function is a constant, and
    differentiating it again is the usual error."""
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((2 * x).sum(), x, create_graph=True)
        assert not g.requires_grad
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.autograd.grad(g.sum(), x)


def test_in_place_ops_second_order():
    (a,) = randn(32, (3,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 3
        y[1:] = x[1:] ** 2
        y.mul_(2)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        res.append(lib.autograd.grad((g**3).sum(), x)[0])
    close(*res, 1e-10)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_hook_sees_differentiable_gradient():
    (a,) = randn(33, (3,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(g.requires_grad) or g * 2)
        (x**3).sum().backward(create_graph=True)
        g, x.grad = x.grad, None
        g.sum().backward()
        assert seen == [True, False]
        res.append(x.grad)
    close(*res, 1e-10)


def test_third_order_autograd_grad():
    (a,) = randn(20, (3,))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = (lib.tanh(x) * x**2).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        res.append((g1, g2, g3))
    for i, (g, r) in enumerate(zip(res[0], res[1], strict=True)):
        close(g, r, 1e-10, f"order {i + 1}")


# --------------------------------------------------------------------------
# Nested ember.func.grad
# --------------------------------------------------------------------------


def test_func_grad_third_order_scalar():
    def f(lib):
        return lambda x: lib.exp(x) * lib.sin(x) + x**4 * lib.tanh(x)

    x = np.array(0.7)
    got, ref = f(ember), f(torch)
    for order in (1, 2, 3):
        got, ref = ember.func.grad(got), torch.func.grad(ref)
        close(got(ember.tensor(x)), ref(torch.tensor(x)), 1e-10, f"order {order}")


def test_func_grad_nested_vectors_float32():
    def f(lib):
        def loss(w, x):
            return (lib.tanh(x @ w) ** 2).mean()

        def gnorm(w, x):
            return lib.func.grad(loss)(w, x).pow(2).sum()

        return lib.func.grad(gnorm)

    w, x = (a.astype(np.float32) for a in randn(21, (3, 2), (4, 3)))
    close(f(ember)(ember.tensor(w), ember.tensor(x)),
          f(torch)(torch.tensor(w), torch.tensor(x)), 1e-4)


def test_func_grad_argnums_tuples_nested():
    def f(lib):
        def inner(x, y):
            return (lib.sin(x) * y**2).sum() + (x * y).sum() ** 2

        def outer(x, y):
            gx, gy = lib.func.grad(inner, argnums=(0, 1))(x, y)
            return (gx * gy).sum()

        return lib.func.grad_and_value(outer, argnums=(0, 1))

    x, y = randn(22, (3,), (3,))
    (ex, ey), ev = f(ember)(ember.tensor(x), ember.tensor(y))
    (tx, ty), tv = f(torch)(torch.tensor(x), torch.tensor(y))
    close(ex, tx, 1e-10, "d/dx")
    close(ey, ty, 1e-10, "d/dy")
    close(ev, tv, 1e-10, "value")


def test_func_grad_has_aux_nested():
    def f(lib):
        def inner(x):
            y = (x**3).sum()
            return y, y * 2

        def outer(x):
            g, aux = lib.func.grad(inner, has_aux=True)(x)
            return (g * lib.cos(x)).sum(), aux

        return lib.func.grad(outer, has_aux=True)

    (x,) = randn(23, (4,))
    eg, eaux = f(ember)(ember.tensor(x))
    tg, taux = f(torch)(torch.tensor(x))
    close(eg, tg, 1e-10, "gradient")
    close(eaux, taux, 1e-10, "aux")


def test_func_grad_closures():
    def f(lib):
        grad = lib.func.grad

        def outer(x):
            inner = grad(lambda y: (x * y**2).sum())(x)  # 2 x y at y = x
            return (inner * x).sum() + grad(lambda y: (x * y).sum())(x).sum()

        return grad(outer)

    (x,) = randn(24, (3,))
    close(f(ember)(ember.tensor(x)), f(torch)(torch.tensor(x)), 1e-10)


def test_func_grad_perturbation_confusion():
    """d/dx [x * d/dy (x * y)] = 2 x: the inner derivative must not see the
    outer perturbation of x as one of y."""
    def f(lib):
        grad = lib.func.grad
        return grad(lambda x: (x * grad(lambda y: (x * y).sum())(lib.ones_like(x))).sum())

    (x,) = randn(25, (3,))
    got = f(ember)(ember.tensor(x))
    close(got, f(torch)(torch.tensor(x)), 1e-12)
    close(got, 2 * x, 1e-12)


def test_func_grad_mixed_argnums_and_maml():
    """d/dx of d/dy f, and one MAML step: the gradient through an inner
    gradient-descent update."""
    x, y = randn(34, (3,), (3,))
    X, Y, w = randn(35, (4, 3), (4, 1), (3, 1))

    def mixed(lib):
        def f(x, y):
            return (lib.sin(x) * y**3).sum()

        return lib.func.grad(lambda x, y: lib.func.grad(f, argnums=1)(x, y).sum())

    def maml(lib):
        def loss(w):
            return ((lib.tanh(lib.tensor(X) @ w) - lib.tensor(Y)) ** 2).mean()

        return lib.func.grad(lambda w: loss(w - 0.5 * lib.func.grad(loss)(w)))

    close(mixed(ember)(ember.tensor(x), ember.tensor(y)),
          mixed(torch)(torch.tensor(x), torch.tensor(y)), 1e-10, "mixed")
    close(maml(ember)(ember.tensor(w)), maml(torch)(torch.tensor(w)), 1e-10, "maml")


def test_autograd_grad_inside_func_grad():
    def f(lib):
        def inner(y):
            (g,) = lib.autograd.grad((y**3 * lib.sin(y)).sum(), y, create_graph=True)
            return (g * y).sum()

        return lib.func.grad(inner)

    (x,) = randn(36, (3,))
    close(f(ember)(ember.tensor(x)), f(torch)(torch.tensor(x)), 1e-10)


def test_func_grad_leaves_inputs_alone():
    t = ember.tensor(np.array([0.5, -1.0]))
    d2 = ember.func.grad(lambda x: ember.func.grad(lambda y: (y**3).sum())(x).sum())
    close(d2(t), 6 * np.array([0.5, -1.0]), 1e-12)
    assert not t.requires_grad and t.grad is None


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_first_gradient_without_create_graph_is_constant():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ember.autograd.grad((x**3).sum(), x)
    assert not g.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        g.sum().backward()


def test_argmax_of_gradient_is_not_differentiable():
    x = ember.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (g,) = ember.autograd.grad((x**3).sum(), x, create_graph=True)
    i = g.argmax()
    assert not i.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        ember.autograd.grad(i.double(), x)
    with pytest.raises(RuntimeError, match="only tensors of floating point dtype"):
        i.requires_grad_()


def test_cotangents_that_require_grad_are_differentiated():
    a = np.array([0.3, -1.2, 0.8])
    x = ember.tensor(a, requires_grad=True)
    (g,) = ember.autograd.grad(x ** 3, x, grad_outputs=x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    t = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad(t ** 3, t, grad_outputs=t, create_graph=True)
    (tgg,) = torch.autograd.grad(tg.sum(), t)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-12)


def test_vjp_nests_and_transforms_stay_connected_to_autograd():
    a = np.array([0.3, -1.2, 0.8])

    def ember_f(y):
        return (ember.func.vjp(lambda z: ember.sin(z) * z, y)[1](ember.ones_like(y))[0] ** 2).sum()

    def torch_f(y):
        return (torch.func.vjp(lambda z: torch.sin(z) * z, y)[1](torch.ones_like(y))[0] ** 2).sum()

    np.testing.assert_allclose(ember.func.grad(ember_f)(ember.tensor(a)).numpy(),
                               torch.func.grad(torch_f)(torch.tensor(a)).numpy(), rtol=1e-12)
    # func.grad of a tensor that requires grad: the result is differentiable further.
    x = ember.tensor(a, requires_grad=True)
    g = ember.func.grad(lambda t: (t ** 3).sum())(x)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * a, rtol=1e-12)
