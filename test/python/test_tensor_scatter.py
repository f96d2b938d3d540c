"""``scatter`` / ``scatter_`` against PyTorch."""

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402


def perm_index(rng, shape, dim, size):
    """Distinct indices along ``dim`` (scatter with duplicates is unordered in torch)."""
    idx = np.empty(shape, np.int64)
    for pos in np.ndindex(*[s for i, s in enumerate(shape) if i != dim]):
        line = rng.permutation(size)[: shape[dim]]
        full = list(pos)
        full.insert(dim, slice(None))
        idx[tuple(full)] = line
    return idx


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.float64])
def test_scatter_src(dim, dtype):
    rng = np.random.default_rng(dim + 3)
    x = rng.standard_normal((4, 5)).astype(dtype)
    d = dim % 2
    index_shape = (3, 5) if d == 0 else (4, 3)
    idx = perm_index(rng, index_shape, d, x.shape[d])
    src = (rng.standard_normal((4, 5)) * 10).astype(dtype)
    out = ember.tensor(x).scatter(dim, ember.tensor(idx), ember.tensor(src))
    ref = torch.from_numpy(x).scatter(dim, torch.from_numpy(idx), torch.from_numpy(src))
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert out.dtype.name == str(ref.dtype).removeprefix("torch.")


def test_scatter_value_and_inplace():
    x = ember.zeros(3, 4)
    idx = ember.tensor([[0, 1, 2, 0]])
    out = x.scatter(0, idx, 5.0)
    ref = torch.zeros(3, 4).scatter(0, torch.tensor([[0, 1, 2, 0]]), 5.0)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    x.scatter_(1, ember.tensor([[3], [2], [1]]), ember.ones(3, 1) * 7)
    ref = torch.zeros(3, 4).scatter_(1, torch.tensor([[3], [2], [1]]), torch.ones(3, 1) * 7)
    np.testing.assert_array_equal(x.numpy(), ref.numpy())


def test_scatter_one_hot():
    labels = ember.tensor([2, 0, 3])
    one_hot = ember.zeros(3, 4).scatter(1, labels.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(4, dtype=np.float32)[[2, 0, 3]])


def test_scatter_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(ember.EmberError, match=r"ember.scatter: index 4 is out of bounds.*"
                                               r"test_tensor_scatter.py:\d+"):
        x.scatter(1, ember.tensor([[4]]), 1.0)
    with pytest.raises(ember.EmberError, match="index has rank 1"):
        x.scatter(0, ember.tensor([0]), 1.0)
    with pytest.raises(TypeError, match="exactly one of src and value"):
        ember.scatter(x, 0, ember.tensor([[0]]))
