"""``ember.func.grad`` / ``grad_and_value`` / ``vjp`` against ``torch.func``."""

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402


def loss_fn(lib):
    def f(w, x):
        return (lib.tanh(x @ w) ** 2).mean()

    return f


def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 2)), rng.standard_normal((5, 3))


def test_grad_matches_torch_func():
    w, x = data()
    got = ember.func.grad(loss_fn(ember))(ember.tensor(w), ember.tensor(x))
    ref = torch.func.grad(loss_fn(torch))(torch.tensor(w), torch.tensor(x))
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-12, atol=1e-14)


def test_grad_argnums_tuple_and_value():
    w, x = data()
    (gw, gx), value = ember.func.grad_and_value(loss_fn(ember), argnums=(0, 1))(
        ember.tensor(w), ember.tensor(x))
    (tw, tx), tvalue = torch.func.grad_and_value(loss_fn(torch), argnums=(0, 1))(
        torch.tensor(w), torch.tensor(x))
    np.testing.assert_allclose(gw.numpy(), tw.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gx.numpy(), tx.numpy(), rtol=1e-12, atol=1e-14)
    assert value.item() == pytest.approx(tvalue.item(), rel=1e-12)


def test_grad_has_aux_and_leaves_inputs_alone():
    w, x = data()
    ew = ember.tensor(w)

    def f(w, x):
        y = loss_fn(ember)(w, x)
        return y, y * 2

    g, aux = ember.func.grad(f, has_aux=True)(ew, ember.tensor(x))
    assert aux.item() == pytest.approx(2 * loss_fn(np_lib())(w, x), rel=1e-12)
    assert g.shape == (3, 2)
    assert not ew.requires_grad and ew.grad is None


def np_lib():
    class N:
        tanh = staticmethod(np.tanh)

    return N


def test_vjp_matches_torch_func():
    w, x = data()
    cot = np.random.default_rng(1).standard_normal((5, 2))

    def f(lib):
        return lambda w, x: lib.tanh(x @ w) * 3.0

    out, fn = ember.func.vjp(f(ember), ember.tensor(w), ember.tensor(x))
    tout, tfn = torch.func.vjp(f(torch), torch.tensor(w), torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), tout.numpy(), rtol=1e-12)
    for a, b in zip(fn(ember.tensor(cot)), tfn(torch.tensor(cot)), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    # The vjp function can be called again (the graph is retained).
    again = fn(ember.tensor(cot * 2))
    np.testing.assert_allclose(again[0].numpy(), 2 * tfn(torch.tensor(cot))[0].numpy(),
                               rtol=1e-12, atol=1e-14)


def test_grad_errors():
    with pytest.raises(ember.EmberError, match="one element"):
        ember.func.grad(lambda x: x * 2)(ember.ones(3))
    with pytest.raises(TypeError, match="floating point"):
        ember.func.grad(lambda x: x.sum())(ember.tensor([1, 2]))


def test_unused_argument_gets_zeros():
    g = ember.func.grad(lambda a, b: (a * 2).sum(), argnums=(0, 1))(ember.ones(2),
                                                                     ember.ones(3))
    np.testing.assert_array_equal(g[0].numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(g[1].numpy(), [0.0, 0.0, 0.0])
