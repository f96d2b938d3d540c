"""ember.fusion regions: the grouping is visible in the IR, and fused regions
(rows tiled through softmax / layer norm / cross-entropy and their gradients,
multi-result elementwise loops) give PyTorch's numbers, on shapes whose row
counts do and do not split into even tiles."""

import ember
import ember.nn.functional as F
import mlir.ir as ir
import numpy as np
import pytest
import torch
from ember import compiler
from ember.dialects import ember as E

SHAPES = [(7, 13), (1000, 300), (3, 5, 33), (2, 3, 4, 129), (1, 5000)]


def _bcast(v, shape):
    t = ir.RankedTensorType(v.type)
    return E.broadcast(ir.RankedTensorType.get(list(shape), t.element_type), v)


def _full(v, value):
    t = ir.RankedTensorType(v.type)
    return E.full(t, ir.FloatAttr.get(t.element_type, value))


def _softmax_module(shape):
    def f(x):
        m = E.max(x, [len(shape) - 1], keepdim=True)
        d = E.sub(x, _bcast(m, shape))
        e = E.exp(d)
        s = E.sum(e, [len(shape) - 1], keepdim=True)
        return E.div(e, _bcast(s, shape))

    return compiler.build(f, (shape, "f32"))


def test_fusion_regions_are_visible_in_the_ir():
    module = _softmax_module((8, 16))
    fused = str(compiler.run_pipeline(module, "ember-fusion"))
    assert 'ember.fusion "rows"' in fused
    assert "parallel_dims = 1" in fused
    lowered = str(compiler.run_pipeline(
        module, "ember-fusion,convert-ember-to-linalg,ember-lower-fusion"))
    assert "scf.forall" in lowered and "ember.fusion" not in lowered


PIPELINES = {
    "fused": "ember-cpu-pipeline",
    "unfused": "ember-cpu-pipeline{fusion=false}",
    # One row per tile (37 is prime), 4 KiB tiles.
    "small-tiles": "ember-fusion,convert-ember-to-linalg,"
                   "ember-lower-fusion{tile-bytes=4096},ember-cpu-pipeline{fusion=false}",
}


@pytest.mark.parametrize("pipeline", PIPELINES.values(), ids=PIPELINES.keys())
def test_fused_and_unfused_pipelines_agree(pipeline):
    shape = (37, 300)
    fn = compiler.compile(_softmax_module(shape), pipeline=pipeline)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32) * 5
    ref = torch.softmax(torch.from_numpy(x), -1).numpy()
    np.testing.assert_allclose(fn(x), ref, rtol=1e-5, atol=1e-6)


def _pair(a):
    return (ember.tensor(a, requires_grad=True),
            torch.tensor(a, requires_grad=True))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_row_ops_forward_and_backward_match_torch(shape):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(shape) * 3).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(shape[-1]).astype(np.float32)
    b = rng.standard_normal(shape[-1]).astype(np.float32)
    ex, tx = _pair(a)
    ew, tw = _pair(w)
    eb, tb = _pair(b)
    eg, tg = ember.tensor(g), torch.tensor(g)
    e_out = [F.softmax(ex, -1), F.log_softmax(ex, -1),
             F.layer_norm(ex, (shape[-1],), weight=ew, bias=eb)]
    t_out = [torch.softmax(tx, -1), torch.log_softmax(tx, -1),
             torch.nn.functional.layer_norm(tx, (shape[-1],), weight=tw, bias=tb)]
    sum(((o * eg).sum() for o in e_out), ember.tensor(np.float32(0))).backward()
    sum((o * tg).sum() for o in t_out).backward()
    for e, t in zip(e_out, t_out, strict=True):
        np.testing.assert_allclose(e.numpy(), t.detach().numpy(), rtol=1e-4, atol=1e-5)
    for e, t in ((ex, tx), (ew, tw), (eb, tb)):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("shape", [(7, 13), (128, 10), (33, 1000)])
def test_cross_entropy_forward_and_backward_match_torch(shape):
    rng = np.random.default_rng(2)
    a = (rng.standard_normal(shape) * 4).astype(np.float32)
    target = rng.integers(0, shape[1], size=shape[0])
    ex, tx = _pair(a)
    el = ember.nn.functional.cross_entropy(ex, ember.tensor(target))
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(target))
    el.backward()
    tl.backward()
    np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-5)
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_row_ops_keep_special_values():
    a = np.array([[0.0, -np.inf, 1.0, 2.0], [-np.inf] * 4, [np.nan, 1.0, 2.0, 3.0],
                  [1e4, 1e4, 0.0, -1e4]], np.float32)
    ex, tx = ember.tensor(a), torch.tensor(a)
    np.testing.assert_allclose(F.softmax(ex, -1).numpy(), torch.softmax(tx, -1).numpy(),
                               rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(F.log_softmax(ex, -1).numpy(),
                               torch.log_softmax(tx, -1).numpy(), rtol=1e-6, equal_nan=True)


def test_elementwise_region_with_several_results():
    # One loop writes the three results: each must still be its own buffer.
    def f(p, g, m):
        m2 = E.add(E.mul(m, _full(m, 0.9)), g)
        p2 = E.sub(p, E.mul(m2, _full(m, 0.1)))
        return p2, m2, E.exp(m2)

    module = compiler.build(f, *[((300,), "f32")] * 3)
    assert 'ember.fusion "elementwise"' in str(compiler.run_pipeline(module,
                                                                    "ember-fusion"))
    fn = compiler.compile(module)
    rng = np.random.default_rng(3)
    p, g, m = rng.standard_normal((3, 300)).astype(np.float32)
    p2, m2, e = fn(p, g, m)
    want_m2 = m * np.float32(0.9) + g
    np.testing.assert_allclose(m2, want_m2, rtol=1e-6)
    np.testing.assert_allclose(p2, p - want_m2 * np.float32(0.1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e, np.exp(want_m2), rtol=1e-5)
