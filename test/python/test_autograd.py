"""Autograd on ``ember.Tensor`` (``requires_grad``, ``backward``, ``.grad``, hooks,
``ember.autograd.grad``, grad modes) against ``torch.autograd`` on the CPU.

Every gradient case builds the same function of the same values in ember and in
torch, backpropagates (a scalar output with ``backward()``, any other output
with the same random ``gradient=``), and compares the forward value and the
gradient of every float leaf. Tolerances are relative to the reference's scale
(``max(1, max |ref|)``): float32 to 1e-5 (a few roundings of the chain rule,
reductions included), float64 to 1e-10. Data avoid the points where a
derivative is undefined (x = 0 for abs / relu / leaky_relu / sqrt, ties of
maximum / clamp) except in the tests about those points, which assert torch's
convention.

The semantics tests follow PyTorch's: leaves and ``is_leaf``, accumulation,
``gradient=``, the errors torch raises, grad modes, ``detach`` /
``requires_grad_``, hooks, ``autograd.grad``, in-place rules, an SGD loop whose
parameter trajectory matches torch's, and the compile cache of a repeated
training step.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-autograd-"))

import zlib  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

# The library a case function is written against: ``L.m`` the module, ``L.F``
# its nn.functional, ``L.t`` makes an index tensor, ``L.name``.
EMBER = SimpleNamespace(name="ember", m=ember, F=F, t=lambda a: ember.tensor(a))
TORCH = SimpleNamespace(name="torch", m=torch, F=TF, t=lambda a: torch.tensor(a))

DTYPES = ["float32", "float64"]
TOL = {"float32": 1e-5, "float64": 1e-10}
NP = {"float32": np.float32, "float64": np.float64}
EDT = {"float32": ember.float32, "float64": ember.float64}
TDT = {"float32": torch.float32, "float64": torch.float64}


@pytest.fixture(autouse=True)
def _grad_mode_enabled():
    """Each test starts with gradients enabled (a failed test cannot leak a mode)."""
    yield
    if not ember.is_grad_enabled():
        ember.set_grad_enabled(True)


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _np(t) -> np.ndarray:
    if isinstance(t, np.ndarray):
        return t
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.numpy())


def _close(out, ref, dtype: str, what: str = "") -> None:
    out, ref = _np(out), _np(ref)
    assert out.shape == ref.shape, f"{what}: shape {out.shape}, expected {ref.shape}"
    t = TOL[dtype]
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(out.astype(np.float64), ref.astype(np.float64), rtol=t,
                               atol=t * scale, err_msg=what)


def _leaf(lib, a: np.ndarray, dtype: str):
    """A leaf that requires grad (float data) or a plain index tensor (integers)."""
    if np.issubdtype(a.dtype, np.integer):
        return lib.t(a)
    if lib is EMBER:
        return ember.tensor(a.astype(NP[dtype]), requires_grad=True)
    return torch.tensor(a.astype(NP[dtype]), requires_grad=True)


def check_grads(fn, arrays, dtype: str, rng: np.random.Generator) -> None:
    """``fn(L, *leaves)`` in ember and torch: same value, same gradients."""
    outs, leaves = {}, {}
    cot = None
    for lib in (TORCH, EMBER):
        xs = [_leaf(lib, a, dtype) for a in arrays]
        out = fn(lib, *xs)
        if out.ndim == 0:
            out.backward()
        else:
            if cot is None:
                cot = rng.standard_normal(tuple(out.shape)).astype(NP[dtype])
            out.backward(gradient=lib.t(cot))
        outs[lib.name], leaves[lib.name] = out, xs
    _close(outs["ember"], outs["torch"], dtype, "forward value")
    for k, (e, t) in enumerate(zip(leaves["ember"], leaves["torch"], strict=True)):
        if not t.is_floating_point():
            continue
        if t.grad is None:  # only used through a comparison (test_comparison_only_leaf)
            assert e.grad is None or not np.any(_np(e.grad)), f"argument {k}"
            continue
        assert e.grad is not None, f"argument {k}: ember left .grad None"
        assert e.grad.dtype is EDT[dtype], f"argument {k}: grad dtype {e.grad.dtype}"
        _close(e.grad, t.grad, dtype, f"gradient of argument {k}")


# Input makers: ``rng -> array`` (float64 data, cast to the case's dtype).
def U(*shape, lo=-2.0, hi=2.0):
    return lambda rng: rng.uniform(lo, hi, shape)


def P(*shape, lo=0.5, hi=2.0):  # positive
    return U(*shape, lo=lo, hi=hi)


def NZ(*shape):  # away from zero, both signs
    return lambda rng: rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def A(values):  # fixed data
    return lambda rng: np.array(values, dtype=np.float64)


def I(values):  # noqa: E743  (an index tensor)
    return lambda rng: np.array(values, dtype=np.int64)


def cases(*entries):
    return [pytest.param(fn, makers, id=name) for name, fn, makers in entries]


def _run_case(fn, makers, dtype, name):
    rng = _rng(name, dtype)
    check_grads(fn, [m(rng) for m in makers], dtype, rng)


# --------------------------------------------------------------------------
# Gradients, op family by op family
# --------------------------------------------------------------------------

ARITHMETIC = cases(
    ("add_bcast_row", lambda L, a, b: a + b, [U(3, 4), U(4)]),
    ("add_bcast_size1", lambda L, a, b: a + b, [U(2, 1, 4), U(3, 1)]),
    ("sub_outer", lambda L, a, b: a - b, [U(3, 1), U(1, 4)]),
    ("mul_bcast_0d", lambda L, a, b: a * b, [U(3, 4), U()]),
    ("div_bcast", lambda L, a, b: a / b, [U(2, 3, 4), NZ(3, 1)]),
    ("scalar_ops", lambda L, a: (3.0 - a) * 2.5 + a / 4.0 - 1.0, [U(5)]),
    ("rsub_rdiv", lambda L, a: 1.0 - 2.0 / a, [NZ(2, 3)]),
    ("pow_int", lambda L, a: a ** 3, [U(4)]),
    ("pow_frac", lambda L, a: a ** 0.5 + a ** -1.5, [P(4)]),
    ("pow_tensor", lambda L, a, b: a ** b, [P(3, 4), U(4)]),
    ("rpow", lambda L, a: 2.0 ** a, [U(6)]),
    ("maximum_minimum", lambda L, a, b: L.m.maximum(a, b) * 2 + L.m.minimum(a, b),
     [A([1.0, -2.0, 3.0, 0.5]), A([[0.0, 1.0, 2.5, 1.5], [2.0, -3.0, 4.0, 0.25]])]),
    ("fanout", lambda L, a, b: (a * b + a * a - b / (a * a + 1.0)).sum(), [U(3, 4), U(4)]),
    ("lerp", lambda L, a, b: L.m.lerp(a, b, 0.3), [U(3), U(2, 3)]),
    ("square_reciprocal", lambda L, a: L.m.square(a) + L.m.reciprocal(a), [NZ(5)]),
    ("size1_both", lambda L, a, b: (a * b).sum(), [U(1, 3, 1), U(2, 1, 4)]),
)

UNARY = cases(
    ("neg", lambda L, a: -a, [U(5)]),
    ("abs", lambda L, a: a.abs(), [NZ(2, 3)]),
    ("exp", lambda L, a: a.exp(), [U(5)]),
    ("log", lambda L, a: a.log(), [P(5)]),
    ("log1p", lambda L, a: a.log1p(), [P(5, lo=-0.5)]),
    ("sqrt", lambda L, a: a.sqrt(), [P(5)]),
    ("rsqrt", lambda L, a: a.rsqrt(), [P(5)]),
    ("tanh", lambda L, a: a.tanh(), [U(5)]),
    ("sigmoid", lambda L, a: a.sigmoid(), [U(5)]),
    ("erf", lambda L, a: L.m.erf(a), [U(5)]),
    ("sin_cos", lambda L, a: a.sin() * a.cos(), [U(5)]),
    ("exp2_log2_log10", lambda L, a: L.m.exp2(a) + L.m.log2(a) + L.m.log10(a), [P(5)]),
    ("relu", lambda L, a: a.relu(), [NZ(3, 4)]),
    ("sign_floor_ceil_trunc", lambda L, a: a * (a.sign() + a.floor() + a.ceil() + a.trunc()),
     [A([-1.7, -0.4, 0.3, 1.2, 2.5])]),
    ("chain", lambda L, a: (a.sin().exp() * a.tanh() + (a * a + 1.0).log()).sum(), [U(3, 4)]),
)

SELECT = cases(
    ("where", lambda L, a, b: L.m.where(a > 0, a * 2.0, b), [NZ(3, 4), U(4)]),
    ("where_bcast_cond", lambda L, a, b: L.m.where(b > 0, a, -a), [U(3, 4), NZ(3, 1)]),
    ("where_scalar_other", lambda L, a: L.m.where(a > 0, a, 0.0), [NZ(6)]),
    ("masked_fill", lambda L, a: a.masked_fill(a < 0.5, -1.0) * a, [NZ(3, 4)]),
    ("masked_fill_inf_softmax", lambda L, a, b: a.masked_fill(b < 0, float("-inf"))
     .softmax(-1), [U(3, 4), A([[1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, -1.0],
                               [-1.0, 1.0, 1.0, 1.0]])]),
    ("clamp_no_ties", lambda L, a: a.clamp(-0.5, 1.0), [A([-1.0, -0.7, 0.2, 0.9, 1.5])]),
    ("clamp_min_max_only", lambda L, a: a.clamp(min=0.1) + a.clamp(max=-0.3),
     [A([-1.0, -0.7, 0.2, 0.9, 1.5])]),
    ("clamp_tensor_bounds", lambda L, a, lo, hi: L.m.clamp(a, lo, hi),
     [A([-1.0, 0.3, 0.6, 2.0]), A([-0.5, 0.0, 0.7, 0.0]), A([1.0, 1.0, 1.0, 1.5])]),
    # torch: clamp passes the gradient where min <= x <= max (ties included).
    ("clamp_ties", lambda L, a: a.clamp(-1.0, 1.0), [A([-2.0, -1.0, 0.0, 1.0, 3.0])]),
    # torch: relu'(0) = 0.
    ("relu_at_zero", lambda L, a: a.relu(), [A([-1.0, 0.0, 2.0])]),
)

REDUCTIONS = cases(
    ("sum_all", lambda L, a: a.sum(), [U(3, 4)]),
    ("sum_dim", lambda L, a: a.sum(1), [U(3, 4, 2)]),
    ("sum_dims_keepdim", lambda L, a: a.sum((0, 2), keepdim=True), [U(3, 4, 2)]),
    ("sum_negdim", lambda L, a: a.sum(-1), [U(2, 1, 5)]),
    ("mean", lambda L, a: a.mean(), [U(3, 4)]),
    ("mean_dims", lambda L, a: a.mean((0, 1)), [U(2, 3, 4)]),
    ("amax_ties", lambda L, a: a.amax(1), [A([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 1.0]])]),
    ("amin_ties", lambda L, a: a.amin(0, keepdim=True),
     [A([[1.0, -3.0, 3.0], [1.0, -3.0, 0.5], [4.0, 0.0, 0.5]])]),
    ("amax_all", lambda L, a: a.amax(), [A([[1.0, 4.0], [4.0, 0.0]])]),
    ("max_all_ties", lambda L, a: a.max() + a.min(), [A([[1.0, 4.0, -2.0], [4.0, 0.0, -2.0]])]),
    # torch: max(dim) / min(dim) send the gradient to the one returned index.
    ("max_dim_values_ties", lambda L, a: a.max(1).values + a.min(1).values,
     [A([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, 1.0, 1.0, 4.0]])]),
    ("prod", lambda L, a: a.prod(), [NZ(2, 3)]),
    ("prod_dim", lambda L, a: a.prod(1, keepdim=True), [NZ(3, 4)]),
    ("var", lambda L, a: a.var(), [U(3, 4)]),
    ("var_dim_unbiased0", lambda L, a: a.var(0, unbiased=False), [U(5, 3)]),
    ("std_dim", lambda L, a: a.std(1, keepdim=True), [U(3, 5)]),
    ("logsumexp", lambda L, a: a.logsumexp(1), [U(3, 5, lo=-5, hi=5)]),
    ("logsumexp_dims", lambda L, a: L.m.logsumexp(a, (0, 2)), [U(2, 3, 4)]),
    ("cumsum0", lambda L, a: a.cumsum(0), [U(4, 3)]),
    ("cumsum_last", lambda L, a: a.cumsum(-1) * a, [U(2, 5)]),
)

SOFTMAX = cases(
    ("softmax_last", lambda L, a: a.softmax(-1), [U(3, 5, lo=-4, hi=4)]),
    ("softmax_dim0", lambda L, a: L.m.softmax(a, 0), [U(4, 3)]),
    ("log_softmax_last", lambda L, a: a.log_softmax(-1), [U(3, 5, lo=-4, hi=4)]),
    ("log_softmax_dim1_3d", lambda L, a: L.F.log_softmax(a, dim=1), [U(2, 3, 4)]),
    ("softmax_loss", lambda L, a, b: (a.softmax(1) * b).sum(), [U(4, 6), U(4, 6)]),
)

MATMUL = cases(
    ("mm", lambda L, a, b: a @ b, [U(3, 4), U(4, 5)]),
    ("mv", lambda L, a, b: a @ b, [U(3, 4), U(4)]),
    ("vm", lambda L, a, b: a @ b, [U(4), U(4, 5)]),
    ("dot", lambda L, a, b: a @ b, [U(6), U(6)]),
    ("dot_fn", lambda L, a, b: L.m.dot(a, b) * 2.0, [U(5), U(5)]),
    ("batched", lambda L, a, b: a @ b, [U(2, 3, 4), U(2, 4, 5)]),
    ("batched_bcast_rhs", lambda L, a, b: a @ b, [U(2, 3, 4), U(4, 5)]),
    ("batched_bcast_both", lambda L, a, b: a @ b, [U(2, 1, 3, 4), U(5, 4, 2)]),
    ("batched_mv", lambda L, a, b: a @ b, [U(2, 3, 4), U(4)]),
    ("vec_batched", lambda L, a, b: a @ b, [U(4), U(2, 4, 3)]),
    ("bmm", lambda L, a, b: L.m.bmm(a, b), [U(2, 3, 4), U(2, 4, 2)]),
    ("mm_fn_T", lambda L, a, b: L.m.mm(a, b.T), [U(3, 4), U(5, 4)]),
    ("mT", lambda L, a, b: a.mT @ b, [U(2, 4, 3), U(2, 4, 2)]),
    ("linear", lambda L, x, w, b: (x @ w.t() + b).tanh(), [U(5, 3), U(4, 3), U(4)]),
    ("size1_dims", lambda L, a, b: a @ b, [U(1, 4), U(4, 1)]),
)

SHAPE = cases(
    ("reshape", lambda L, a: a.reshape(4, 3) * L.t(np.arange(12.0).reshape(4, 3)), [U(3, 4)]),
    ("view_flatten", lambda L, a: a.view(2, 6).flatten() ** 2, [U(3, 4)]),
    ("reshape_minus1", lambda L, a: a.reshape(-1, 2).sum(1), [U(2, 3, 2)]),
    ("permute", lambda L, a: a.permute(2, 0, 1), [U(2, 3, 4)]),
    ("transpose", lambda L, a: a.transpose(0, 2) ** 2, [U(2, 3, 4)]),
    ("T", lambda L, a: a.T * 3.0, [U(3, 2)]),
    ("expand", lambda L, a: a.expand(2, 3, 4) * L.t(np.arange(24.0).reshape(2, 3, 4)),
     [U(3, 1)]),
    ("expand_as", lambda L, a, b: a.expand_as(b) * b, [U(1, 4), U(3, 4)]),
    ("broadcast_to", lambda L, a: L.m.broadcast_to(a, (2, 3)) ** 2, [U(3)]),
    ("unsqueeze_squeeze", lambda L, a: a.unsqueeze(1).squeeze(0).unsqueeze(-1) * 2.0,
     [U(1, 3)]),
    ("slice_step", lambda L, a: a[1:, ::2] * 3.0, [U(4, 5)]),
    ("slice_negative", lambda L, a: a[-2:, :-1] ** 2, [U(4, 5)]),
    ("index_int", lambda L, a: a[1] * a[-1, 2], [U(3, 4)]),
    ("index_int_middle", lambda L, a: a[:, 2, 1:3], [U(2, 4, 5)]),
    ("index_ellipsis_none", lambda L, a: a[..., 0][None], [U(2, 3, 4)]),
    ("index_tensor_repeated", lambda L, a, i: a[i] * 2.0, [U(4, 3), I([2, 0, 2, 2])]),
    ("index_list_cols", lambda L, a: a[:, [2, 0, 2]], [U(3, 4)]),
    ("index_mask", lambda L, a: a[a > 0].sum(), [NZ(3, 4)]),
    ("select_narrow", lambda L, a: a.select(1, 2) + a.narrow(1, 0, 1).squeeze(1), [U(3, 4)]),
    ("cat", lambda L, a, b: L.m.cat([a, b * 2.0, a], 1), [U(2, 3), U(2, 1)]),
    ("cat_dim0", lambda L, a, b: L.m.cat([a, b], 0) ** 2, [U(2, 3), U(1, 3)]),
    ("stack", lambda L, a, b: L.m.stack([a, b, a * b], -1), [U(2, 3), U(2, 3)]),
    ("split", lambda L, a: (lambda p: p[0] * 2.0 + p[1])(a.split(2, dim=1)), [U(3, 4)]),
    ("split_sections", lambda L, a: (lambda p: p[0].sum() + (p[1] ** 2).sum())(
        a.split([1, 3], dim=0)), [U(4, 2)]),
    ("chunk_unbind", lambda L, a: a.chunk(2, 0)[1].sum() + a.unbind(1)[0].sum(), [U(4, 3)]),
    ("pad", lambda L, a: L.F.pad(a, (1, 2, 0, 1)) * 2.0, [U(2, 3)]),
    ("pad_value", lambda L, a: L.F.pad(a, (2, 0), value=1.5) ** 2, [U(3, 2)]),
    ("repeat", lambda L, a: a.repeat(2, 3) * L.t(np.arange(24.0).reshape(4, 6)), [U(2, 2)]),
    ("contiguous_clone", lambda L, a: a.t().contiguous().clone() * 2.0, [U(2, 3)]),
    ("dtype_cast", lambda L, a: (a.double() * 2.0).float().sum() if a.dtype == L.m.float32
     else (a.float() * 2.0).double().sum(), [U(4)]),
)

INDEXING = cases(
    ("gather_dim1", lambda L, a, i: a.gather(1, i), [U(3, 5), I([[0, 4], [2, 2], [1, 0]])]),
    ("gather_dim0", lambda L, a, i: L.m.gather(a, 0, i) ** 2,
     [U(4, 3), I([[3, 0, 1], [3, 3, 0]])]),
    ("index_select", lambda L, a, i: a.index_select(0, i) * 2.0, [U(4, 3), I([1, 1, 3])]),
    ("index_select_dim1", lambda L, a, i: L.m.index_select(a, 1, i), [U(2, 5), I([4, 0, 4])]),
    ("take_along_dim", lambda L, a, i: L.m.take_along_dim(a, i, 1), [U(3, 4), I([[1], [3], [0]])]),
    ("cross_entropy", lambda L, a, y: -a.log_softmax(1).gather(1, y).mean(),
     [U(6, 5, lo=-3, hi=3), I([[0], [4], [2], [2], [1], [3]])]),
    ("cross_entropy_mlp", lambda L, x, w, y: -(x @ w).log_softmax(1).gather(1, y).mean(),
     [U(4, 3), U(3, 5), I([[1], [4], [0], [1]])]),
)

NN = cases(
    ("gelu", lambda L, a: L.F.gelu(a), [U(8, lo=-4, hi=4)]),
    ("gelu_tanh", lambda L, a: L.F.gelu(a, approximate="tanh"), [U(8, lo=-4, hi=4)]),
    ("silu", lambda L, a: L.F.silu(a), [U(8, lo=-4, hi=4)]),
    ("softplus", lambda L, a: L.F.softplus(a), [U(8, lo=-4, hi=4)]),
    ("softplus_beta_threshold", lambda L, a: L.F.softplus(a, beta=2.0, threshold=3.0),
     [A([-3.0, -0.5, 0.2, 1.0, 1.4, 1.6, 4.0])]),
    ("leaky_relu", lambda L, a: L.F.leaky_relu(a, 0.1), [NZ(3, 4)]),
    ("elu", lambda L, a: L.F.elu(a, 0.7), [NZ(3, 4)]),
    ("F_relu_sigmoid_tanh", lambda L, a: L.F.relu(a) + L.F.sigmoid(a) * L.F.tanh(a), [NZ(6)]),
    ("layer_norm_by_hand", lambda L, a, g: (a - a.mean(-1, keepdim=True))
     / (a.var(-1, keepdim=True, unbiased=False) + 1e-5).sqrt() * g, [U(3, 6), U(6)]),
)

EMPTY = cases(
    ("empty_sum", lambda L, a: a.sum() + 1.0, [U(0, 3)]),
    ("empty_bcast", lambda L, a, b: (a * b).sum(0), [U(0, 3), U(3)]),
    ("empty_matmul", lambda L, a, b: a @ b, [U(2, 0), U(0, 3)]),
)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", ARITHMETIC)
def test_arithmetic(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", UNARY)
def test_unary(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", SELECT)
def test_where_masked_fill_clamp(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", REDUCTIONS)
def test_reductions(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", SOFTMAX)
def test_softmax(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", MATMUL)
def test_matmul(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", SHAPE)
def test_shape_and_views(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", INDEXING)
def test_gather_index_select(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,makers", NN)
def test_nn_functional(fn, makers, dtype, request):
    _run_case(fn, makers, dtype, request.node.name)


@pytest.mark.parametrize("fn,makers", EMPTY)
def test_empty_dims(fn, makers, request):
    _run_case(fn, makers, "float32", request.node.name)


def test_non_differentiable_ops_on_constants():
    """Ops without a rule (rem, sort, argmax, compares) are fine on values that do not
    require grad, realized or not (torch only differentiates what requires grad)."""
    a = np.array([3.5, -1.25, 4.5, 0.75])
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, 2.0, -1.0, 0.5]), "float64")
        c = lib.t(a)
        k = (c % 2.0) + c.sort().values + c.argmax().to(c.dtype) + (c > 1.0).to(c.dtype)
        (x * k).sum().backward()
        res["grad", lib.name] = x.grad
    _close(res["grad", "ember"], res["grad", "torch"], "float64")


def test_comparison_only_leaf_gets_no_grad():
    """torch: a leaf reached only through a comparison is not in the graph (.grad None)."""
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    b = ember.tensor([1.0, -1.0], requires_grad=True)
    ember.where(b > 0, x, -x).sum().backward()
    assert x.grad.tolist() == [1.0, -1.0]
    assert b.grad is None


def test_integer_branch_of_a_float_graph():
    x_np = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.25]])
    grads = []
    for lib in (TORCH, EMBER):
        x = _leaf(lib, x_np, "float64")
        i = x.argmax(1)  # int64, carries no gradient
        (x.sum(1) * i + x.amax(1)).sum().backward()
        grads.append(x.grad)
    _close(grads[1], grads[0], "float64")


# --------------------------------------------------------------------------
# Leaves, flags, .grad
# --------------------------------------------------------------------------


def test_leaves_and_is_leaf():
    x = ember.randn(3, requires_grad=True)
    c = ember.ones(3)
    y = x * 2.0
    z = c * 2.0
    assert (x.requires_grad, x.is_leaf, x.grad) == (True, True, None)
    assert (c.requires_grad, c.is_leaf) == (False, True)
    assert (y.requires_grad, y.is_leaf) == (True, False)
    assert (z.requires_grad, z.is_leaf) == (False, True)
    v = x.view(3)
    assert (v.requires_grad, v.is_leaf) == (True, False)
    (y * c).sum().backward()
    assert y.grad is None  # non-leaf: no .grad, as torch
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.0, np.float32))


@pytest.mark.parametrize("make", [
    lambda: ember.zeros(2, 3, requires_grad=True),
    lambda: ember.ones(2, 3, requires_grad=True),
    lambda: ember.full((2, 3), 1.5, requires_grad=True),
    lambda: ember.empty(2, 3, requires_grad=True),
    lambda: ember.rand(2, 3, requires_grad=True),
    lambda: ember.randn(2, 3, requires_grad=True),
    lambda: ember.tensor([[1.0, 2.0, 3.0]] * 2, requires_grad=True),
    lambda: ember.tensor(np.ones((2, 3)), dtype=ember.float64, requires_grad=True),
], ids=["zeros", "ones", "full", "empty", "rand", "randn", "tensor", "tensor_f64"])
def test_factory_requires_grad(make):
    x = make()
    assert x.requires_grad and x.is_leaf and x.grad is None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy(), rtol=1e-6)
    assert x.grad.dtype is x.dtype


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.zeros(3, dtype=ember.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.arange(3).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([True, False]).requires_grad = True
    # Integer results of float inputs do not require grad.
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert not x.argmax().requires_grad
    assert not (x > 1).requires_grad
    assert not x.long().requires_grad


def test_grad_accumulates_with_retain_graph():
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, -2.0, 3.0]), "float32")
        loss = (x * x * x).sum()
        loss.backward(retain_graph=True)
        first = _np(x.grad).copy()
        loss.backward()
        res["first", lib.name], res["second", lib.name] = first, _np(x.grad)
    _close(res["first", "ember"], res["first", "torch"], "float32")
    _close(res["second", "ember"], res["second", "torch"], "float32")
    _close(res["second", "ember"], 2 * res["first", "ember"], "float32")


def test_grad_accumulates_across_rebuilt_graphs():
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([[1.0, -2.0], [0.5, 3.0]]), "float64")
        w = _leaf(lib, np.array([0.25, -1.0]), "float64")
        (x * w).sum().backward()
        (x.exp() * w).sum().backward()
        (x @ w).tanh().sum().backward()
        res["grads", lib.name] = (_np(x.grad), _np(w.grad))
    for e, t in zip(res["grads", "ember"], res["grads", "torch"], strict=True):
        _close(e, t, "float64")


def test_grad_set_to_none_and_zeroed():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    x.grad = None
    (x * 5.0).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad.zero_()
    (x * 2.0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="shape"):
        x.grad = ember.zeros(3)


def test_backward_with_gradient_for_non_scalar():
    g = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], np.float32)
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([[0.5, 1.0, -1.5], [2.0, -0.5, 1.0]]), "float32")
        y = x * x + x
        y.backward(gradient=lib.t(g))
        res["grad", lib.name] = x.grad
    _close(res["grad", "ember"], res["grad", "torch"], "float32")


def test_backward_non_scalar_without_gradient_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2.0).backward()
    # A one-element non-0-d output is fine (as torch).
    (x.sum().reshape(1, 1)).backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_backward_gradient_shape_mismatch_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2.0).backward(gradient=ember.ones(3))


def test_backward_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        (ember.ones(3) * 2.0).sum().backward()
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        y = (x * 2.0).sum()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.backward()


def test_backward_twice_without_retain_graph_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="(?i)backward through the graph a second time"):
        loss.backward()
    assert x.grad.tolist() == [2.0, 4.0]  # the failed call accumulated nothing


def test_reusing_freed_intermediate_raises():
    """torch: a realized intermediate whose graph was freed by backward() cannot be
    backpropagated through again (never a silently missing gradient)."""
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.numpy()  # realized: its value is kept, its history is kept for backward
    y.sum().backward()
    with pytest.raises(RuntimeError, match="(?i)backward through the graph a second time"):
        (y * 3.0).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_backward_of_leaf_itself():
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array(2.0), "float32")
        x.backward()
        res["grad", lib.name] = _np(x.grad)
    _close(res["grad", "ember"], res["grad", "torch"], "float32")


def test_backward_inputs_only_accumulates_into_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0]
    assert w.grad is None  # torch: only the given inputs accumulate


def test_autograd_backward_function_multiple_outputs():
    ga, gb = np.array([1.0, -1.0]), np.array(2.0)
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([0.5, 1.5]), "float64")
        a = x.exp()
        b = (x * x).sum()
        lib.m.autograd.backward([a, b], [lib.t(ga), lib.t(gb)])
        res["grad", lib.name] = x.grad
    _close(res["grad", "ember"], res["grad", "torch"], "float64")


# --------------------------------------------------------------------------
# Grad modes
# --------------------------------------------------------------------------


def test_no_grad_context_and_decorator():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = x * 2.0
        assert not y.requires_grad and y.is_leaf
    assert ember.is_grad_enabled()

    @ember.no_grad()
    def f(t):
        assert not ember.is_grad_enabled()
        return t.exp()

    z = f(x)
    assert not z.requires_grad
    assert ember.is_grad_enabled()
    assert f.__name__ == "f"
    # A factory asked for requires_grad=True still makes a leaf that requires grad.
    with ember.no_grad():
        w = ember.ones(2, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        with ember.enable_grad():
            y = x * x
        z = x * x
    assert y.requires_grad and not z.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]

    @ember.enable_grad()
    def f(t):
        return t * 3.0

    with ember.no_grad():
        assert f(x).requires_grad


def test_inference_mode():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.inference_mode():
        y = x * 2.0
        assert not ember.is_grad_enabled()
    assert not y.requires_grad
    with ember.inference_mode(False):
        assert (x * 2.0).requires_grad
    assert ember.is_grad_enabled()


def test_set_grad_enabled():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.set_grad_enabled(False):
        assert not (x * 2.0).requires_grad
    assert ember.is_grad_enabled()  # torch restores the previous mode
    try:
        ember.set_grad_enabled(False)  # as a function: sets the mode
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()
    with ember.no_grad():
        with ember.set_grad_enabled(True):
            assert (x * 2.0).requires_grad
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


# --------------------------------------------------------------------------
# detach, requires_grad_, clone
# --------------------------------------------------------------------------


def test_detach():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    (x * d).sum().backward()  # d is a constant: d(x * d)/dx = d
    assert x.grad.tolist() == [1.0, 2.0, 3.0]
    y = (x * x).detach()
    assert not y.requires_grad and y.is_leaf


def test_detach_then_requires_grad_():
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, 2.0]), "float32")
        y = (x * 3.0).detach().requires_grad_()
        assert y.requires_grad and y.is_leaf
        (y * y).sum().backward()
        assert x.grad is None
        res["grad", lib.name] = y.grad
    _close(res["grad", "ember"], res["grad", "torch"], "float32")


def test_detached_in_place_update_keeps_the_leaf():
    """torch: ``x.detach().add_(1)`` changes x's value; x stays a leaf requiring grad."""
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    x.detach().add_(1.0)
    assert x.tolist() == [2.0, 3.0]
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0]


def test_requires_grad_on_constant():
    c = ember.tensor([1.0, 2.0])
    assert c.requires_grad_() is c
    assert c.requires_grad and c.is_leaf
    (c * c).sum().backward()
    assert c.grad.tolist() == [2.0, 4.0]
    c.requires_grad_(False)
    assert not (c * 2.0).requires_grad


def test_requires_grad_on_non_leaf_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_clone_of_leaf_is_not_a_leaf():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.clone()
    assert y.requires_grad and not y.is_leaf
    y.mul_(2.0)  # in-place on a non-leaf: allowed
    y[0] = 0.0
    (y * x).sum().backward()
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert x.grad.tolist() == [0.0, 8.0, 12.0]


# --------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------


def test_register_hook_doubles_gradient_and_remove():
    seen = []

    def double(g):
        seen.append(g.tolist())
        return g * 2.0

    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, -2.0, 0.5]), "float32")
        h = x.register_hook(double)
        (x * x).sum().backward()
        res["hooked", lib.name] = _np(x.grad).copy()
        h.remove()
        (x * x).sum().backward()
        res["after", lib.name] = _np(x.grad)
    assert seen[0] == seen[1] == [2.0, -4.0, 1.0]
    assert len(seen) == 2  # removed hooks are not called
    _close(res["hooked", "ember"], res["hooked", "torch"], "float32")
    _close(res["after", "ember"], res["after", "torch"], "float32")


def test_hook_returning_none_observes():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 3.0).sum().backward()
    assert seen == [[3.0, 3.0]] and x.grad.tolist() == [3.0, 3.0]


def test_register_hook_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="require"):
        ember.ones(2).register_hook(lambda g: g)


# --------------------------------------------------------------------------
# ember.autograd.grad
# --------------------------------------------------------------------------


def test_autograd_grad_leaves_grad_untouched():
    x_np, w_np = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -1.0])
    res = {}
    for lib in (TORCH, EMBER):
        x, w = _leaf(lib, x_np, "float64"), _leaf(lib, w_np, "float64")
        loss = ((x @ w).tanh() + x.sum(1)).sum()
        gx, gw = lib.m.autograd.grad(loss, (x, w))
        assert x.grad is None and w.grad is None
        res["g", lib.name] = (gx, gw)
    for e, t in zip(res["g", "ember"], res["g", "torch"], strict=True):
        _close(e, t, "float64")
    (g,) = ember.autograd.grad((ember.tensor([1.0, 2.0], requires_grad=True) ** 2).sum(),
                               [ember.tensor([3.0], requires_grad=True)], allow_unused=True)
    assert g is None


def test_autograd_grad_single_input_and_grad_outputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ember.autograd.grad(x * x, x, grad_outputs=ember.tensor([1.0, 3.0]))
    assert g.tolist() == [2.0, 12.0]


def test_autograd_grad_wrt_non_leaf():
    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, 2.0, -1.0]), "float64")
        y = x * x
        z = (y.exp() * 3.0 + x).sum()
        gy, gx = lib.m.autograd.grad(z, [y, x])
        assert x.grad is None
        res["g", lib.name] = (gy, gx)
    for e, t in zip(res["g", "ember"], res["g", "torch"], strict=True):
        _close(e, t, "float64")


def test_autograd_grad_allow_unused():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    u = ember.tensor([5.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="(?i)appears to not have been used in the graph"):
        ember.autograd.grad((x * x).sum(), [x, u], retain_graph=True)
    gx, gu = ember.autograd.grad((x * x).sum(), [x, u], allow_unused=True)
    assert gu is None and gx.tolist() == [2.0, 4.0]


def test_autograd_grad_input_without_requires_grad_raises():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    c = ember.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        ember.autograd.grad((x * c).sum(), [c])


# --------------------------------------------------------------------------
# In-place updates
# --------------------------------------------------------------------------


@pytest.mark.parametrize("update", [
    lambda x: x.add_(1.0),
    lambda x: x.mul_(2.0),
    lambda x: x.zero_(),
    lambda x: x.copy_(ember.ones(3)),
    lambda x: x.__iadd__(1.0),
    lambda x: x.__setitem__(0, 5.0),
    lambda x: x.__setitem__(slice(1, 3), 0.0),
    lambda x: x[1:].add_(1.0),
], ids=["add_", "mul_", "zero_", "copy_", "iadd", "setitem_int", "setitem_slice",
        "view_add_"])
def test_in_place_on_leaf_requiring_grad_raises(update):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        update(x)
    # Nothing changed: still the same leaf with the same value.
    assert x.is_leaf and x.requires_grad and x.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("update", [
    lambda x: x.sub_(0.5 * x.grad),
    lambda x: x.__isub__(0.5 * x.grad),
    lambda x: x.copy_(x - 0.5 * x.grad),
    lambda x: x.__setitem__(slice(None), x - 0.5 * x.grad),
    lambda x: (x.__setitem__(slice(0, 2), 0.0), x.__setitem__(2, 0.0)),
], ids=["sub_", "isub", "copy_", "setitem_all", "setitem_parts"])
def test_in_place_on_leaf_under_no_grad(update):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    with ember.no_grad():
        update(x)
    assert x.is_leaf and x.requires_grad
    assert x.tolist() == [0.0, 0.0, 0.0]
    x.grad = None
    (x * x * x + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_in_place_on_non_leaf():
    def f(lib, x):
        y = x * 1.0
        y.add_(3.0)
        y.mul_(x)
        y[1:] = y[1:].exp()
        return y.sum()

    res = {}
    for lib in (TORCH, EMBER):
        x = _leaf(lib, np.array([1.0, -2.0, 0.5]), "float64")
        f(lib, x).backward()
        res["grad", lib.name] = x.grad
    _close(res["grad", "ember"], res["grad", "torch"], "float64")


# --------------------------------------------------------------------------
# Training: an SGD loop and the compile cache
# --------------------------------------------------------------------------


def _mlp_data(seed=0, sizes=(6, 8, 8, 4), batch=5):
    rng = np.random.default_rng(seed)
    params = []
    for fi, fo in zip(sizes[:-1], sizes[1:], strict=True):
        params.append(rng.uniform(-1, 1, (fi, fo)) / np.sqrt(fi))
        params.append(rng.uniform(-0.1, 0.1, fo))
    x = rng.standard_normal((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], (batch, 1))
    return [p.astype(np.float32) for p in params], x.astype(np.float32), y


def _mlp_loss(lib, params, x, y):
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = lib.F.gelu(h) if i == 0 else h.relu()
    return -h.log_softmax(1).gather(1, y).mean()


def test_sgd_loop_matches_torch_trajectory():
    params, x, y = _mlp_data()
    lr, steps = 0.5, 20
    trajectories = {}
    for lib in (TORCH, EMBER):
        ps = [_leaf(lib, p, "float32") for p in params]
        xt, yt = lib.t(x), lib.t(y)
        losses, snapshots = [], []
        for _ in range(steps):
            for p in ps:
                p.grad = None
            loss = _mlp_loss(lib, ps, xt, yt)
            loss.backward()
            with lib.m.no_grad():
                for p in ps:
                    p -= lr * p.grad
            losses.append(loss.item())
            snapshots.append([_np(p).copy() for p in ps])
        assert all(p.is_leaf and p.requires_grad for p in ps)
        trajectories[lib.name] = (losses, snapshots)
    (el, es), (tl, ts) = trajectories["ember"], trajectories["torch"]
    assert tl[-1] < 0.5 * tl[0]  # the loop does learn
    np.testing.assert_allclose(el, tl, rtol=1e-4, atol=1e-5)
    for step, (e, t) in enumerate(zip(es, ts, strict=True)):
        for k, (ep, tp) in enumerate(zip(e, t, strict=True)):
            np.testing.assert_allclose(ep, tp, rtol=1e-4, atol=1e-5,
                                       err_msg=f"step {step}, parameter {k}")


def test_repeated_training_step_compiles_once():
    params, x, y = _mlp_data(seed=1, sizes=(5, 7, 3), batch=4)
    ps = [ember.tensor(p, requires_grad=True) for p in params]
    xt, yt = ember.tensor(x), ember.tensor(y)

    def step():
        for p in ps:
            p.grad = None
        loss = _mlp_loss(EMBER, ps, xt, yt)
        loss.backward()
        with ember.no_grad():
            for p in ps:
                p.sub_(0.1 * p.grad)
        return loss.item()

    first = step()
    misses = ember.compiler.cache_stats().misses
    later = [step() for _ in range(4)]
    # The same step on new values of the same shapes hits the cache too.
    xt = ember.tensor(x * 0.5)
    later.append(step())
    assert ember.compiler.cache_stats().misses - misses <= 1
    assert later[3] < first


@pytest.mark.parametrize("name", ["sort", "sort_desc", "topk", "fmod", "remainder", "mod"])
def test_sort_and_remainder_gradients(name):
    """sort's values are the input gathered at the indices (so are topk's and max over
    a dim); fmod / remainder pass the dividend's gradient and -g * trunc / floor(x / y)
    to the divisor, as PyTorch."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 5)) * 3
    b = rng.uniform(0.5, 2.0, (3, 5)) * np.sign(rng.standard_normal((3, 5)))
    grads = {}
    for lib in (TORCH, EMBER):
        x, y = _leaf(lib, a, "float64"), _leaf(lib, b, "float64")
        w = lib.t(np.arange(15.0).reshape(3, 5) / 7)
        if name == "sort":
            out = x.sort(dim=1).values * w + (y * 0).sum()
        elif name == "sort_desc":
            out = x.sort(dim=0, descending=True).values * w + (y * 0).sum()
        elif name == "topk":
            out = x.topk(3, dim=1).values * w[:, :3] + (y * 0).sum()
        elif name == "fmod":
            out = lib.m.fmod(x, y) * w
        elif name == "remainder":
            out = lib.m.remainder(x, y) * w
        else:
            out = (x % y) * w
        out.sum().backward()
        grads[lib.name] = (x.grad, y.grad)
    for got, want in zip(grads["ember"], grads["torch"], strict=True):
        _close(got, want, "float64")


def test_realized_forward_values_are_passed_in(monkeypatch):
    """Values the forward already computed enter the backward region as arguments
    (the ops computing them drop out), and the gradients are PyTorch's."""
    import ember._src.autograd as A

    built = []
    real = A._grad_module
    monkeypatch.setattr(A, "_grad_module",
                        lambda *a: built.append([a[1][k].op for k in a[4]]) or real(*a))
    monkeypatch.setenv("EMBER_DISK_CACHE", "0")
    ember.runtime.CACHE.clear_memory()
    a, b = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.3, -0.7])
    grads = {}
    for lib in (TORCH, EMBER):
        x, w = _leaf(lib, a, "float64"), _leaf(lib, b, "float64")
        h = lib.m.tanh(x * w)
        h_value = (h.detach() if lib is TORCH else h).numpy().copy()  # realizes h
        (h * h * x).sum().backward()
        grads[lib.name] = (x.grad, w.grad, h_value)
    for got, want in zip(grads["ember"], grads["torch"], strict=True):
        _close(got, want, "float64")
    assert built == [["tanh"]]
