"""``ember.linalg`` norms and ``Tensor.norm`` against PyTorch, values and gradients."""

import math

import ember
import numpy as np
import pytest
import torch


@pytest.mark.parametrize("ord", [2, 1, math.inf, -math.inf, 0, 3, 0.5])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 1), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim):
    a = np.random.default_rng(0).standard_normal((3, 4, 2))
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    eo = ember.linalg.vector_norm(e, ord, dim, keepdim)
    to = torch.linalg.vector_norm(t, ord, dim, keepdim)
    np.testing.assert_allclose(eo.numpy(), to.detach().numpy(), rtol=1e-12)
    if ord != 0:
        (eo * eo).sum().backward()
        (to * to).sum().backward()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_tensor_norm_and_errors():
    a = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ember.tensor(a).norm().item(), torch.tensor(a).norm().item(),
                               rtol=1e-6)
    np.testing.assert_allclose(ember.tensor(a).norm(1, dim=0).numpy(),
                               torch.tensor(a).norm(1, dim=0).numpy(), rtol=1e-6)
    np.testing.assert_allclose(ember.norm(ember.tensor(a), dim=1, keepdim=True).numpy(),
                               torch.norm(torch.tensor(a), dim=1, keepdim=True).numpy(),
                               rtol=1e-6)
    with pytest.raises(ember.EmberError, match="floating point"):
        ember.linalg.vector_norm(ember.arange(4))
    with pytest.raises(NotImplementedError, match="matrix norm"):
        ember.linalg.norm(ember.tensor(a), "nuc")
