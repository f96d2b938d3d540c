"""``nn.RNN`` / ``LSTM`` / ``GRU`` and their cells against PyTorch with the same weights:
outputs, final states and the gradients of every parameter, the input and the initial
states (random cotangents on every output, one compiled region per configuration).
Sequences are short: the layers unroll over time into the compiled graph."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

TOL = dict(rtol=1e-4, atol=1e-5)


def _port(tm: torch.nn.Module, em: nn.Module) -> None:
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _flat(out) -> list:
    """The tensors of ``output, h`` or ``output, (h, c)`` (or a cell's result), in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _compare(tm, em, inputs: list[np.ndarray], call, seed: int = 0, tol=TOL) -> None:
    """Runs ``call(module, *inputs)`` on both, with random cotangents on every output,
    and compares the outputs and the gradients of the parameters and the inputs."""
    rng = np.random.default_rng(seed)
    tin = [torch.tensor(a, requires_grad=True) for a in inputs]
    ein = [ember.tensor(a, requires_grad=True) for a in inputs]
    touts, eouts = _flat(call(tm, *tin)), _flat(call(em, *ein))
    assert len(touts) == len(eouts)
    cots = [rng.standard_normal(tuple(t.shape)).astype(inputs[0].dtype) for t in touts]
    torch.autograd.backward(touts, [torch.tensor(c) for c in cots])
    ember.autograd.backward(eouts, [ember.tensor(c) for c in cots])
    for t, e in zip(touts, eouts, strict=True):
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(e.numpy(), t.detach().numpy(), **tol)
    for t, e in zip(tin, ein, strict=True):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), **tol)
    eparams = dict(em.named_parameters())
    assert list(eparams) == [n for n, _ in tm.named_parameters()]
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(eparams[name].grad.numpy(), p.grad.numpy(), **tol,
                                   err_msg=name)


def _pair(cls: str, *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls)(*args, **kwargs).eval()
    em = getattr(nn, cls)(*args, **kwargs).eval()
    _port(tm, em)
    return tm, em


def _seq(rng, length: int, batch: int | None, size: int, batch_first: bool = False):
    if batch is None:
        return rng.standard_normal((length, size)).astype(np.float32)
    shape = (batch, length, size) if batch_first else (length, batch, size)
    return rng.standard_normal(shape).astype(np.float32)


# (constructor kwargs, sequence length, batch (None: unbatched), initial states given)
LSTM_CASES = {
    "2layer_bidir_hx": (dict(num_layers=2, bidirectional=True), 3, 2, True),
    "batch_first_nobias_proj": (dict(batch_first=True, bias=False, proj_size=3), 4, 2, False),
    "unbatched_hx": (dict(), 4, None, True),
}


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize("case", list(LSTM_CASES))
def test_lstm(case):
    kw, length, batch, with_hx = LSTM_CASES[case]
    tm, em = _pair("LSTM", 4, 5, **kw)
    rng = np.random.default_rng(1)
    d = 2 if kw.get("bidirectional") else 1
    rows = d * kw.get("num_layers", 1)
    hsize = kw.get("proj_size") or 5
    inputs = [_seq(rng, length, batch, 4, kw.get("batch_first", False))]
    if with_hx:
        lead = (rows,) if batch is None else (rows, batch)
        inputs += [rng.standard_normal(lead + (hsize,)).astype(np.float32),
                   rng.standard_normal(lead + (5,)).astype(np.float32)]
        _compare(tm, em, inputs, lambda m, x, h, c: m(x, (h, c)))
    else:
        _compare(tm, em, inputs, lambda m, x: m(x))


GRU_RNN_CASES = {
    "gru_2layer_bidir_batch_first": ("GRU", dict(num_layers=2, bidirectional=True,
                                                 batch_first=True), 3, 2, False),
    "gru_unbatched_hx": ("GRU", dict(), 4, None, True),
    "rnn_relu_2layer_bidir_hx": ("RNN", dict(num_layers=2, bidirectional=True,
                                             nonlinearity="relu"), 2, 2, True),
    "rnn_tanh_nobias": ("RNN", dict(bias=False), 4, 3, False),
}


@pytest.mark.parametrize("case", list(GRU_RNN_CASES))
def test_gru_rnn(case):
    cls, kw, length, batch, with_hx = GRU_RNN_CASES[case]
    tm, em = _pair(cls, 4, 5, **kw)
    rng = np.random.default_rng(2)
    rows = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    inputs = [_seq(rng, length, batch, 4, kw.get("batch_first", False))]
    if with_hx:
        lead = (rows,) if batch is None else (rows, batch)
        inputs.append(rng.standard_normal(lead + (5,)).astype(np.float32))
        _compare(tm, em, inputs, lambda m, x, h: m(x, h))
    else:
        _compare(tm, em, inputs, lambda m, x: m(x))


def test_gru_float64():
    tm, em = _pair("GRU", 3, 4)
    tm.double()
    em.double()
    x = np.random.default_rng(3).standard_normal((3, 2, 3))
    _compare(tm, em, [x], lambda m, x: m(x), tol=dict(rtol=1e-10, atol=1e-12))


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cls):
    tm, em = _pair(cls, 4, 3)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    h = rng.standard_normal((2, 3)).astype(np.float32)
    if cls == "LSTMCell":
        c = rng.standard_normal((2, 3)).astype(np.float32)
        _compare(tm, em, [x, h, c], lambda m, x, h, c: m(x, (h, c)))
    else:
        _compare(tm, em, [x, h], lambda m, x, h: m(x, h))


def test_cells_unbatched_default_state():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(4).astype(np.float32)
    for cls in ("RNNCell", "LSTMCell", "GRUCell"):
        kw = dict(nonlinearity="relu") if cls == "RNNCell" else {}
        tm, em = _pair(cls, 4, 3, bias=False, **kw)
        _compare(tm, em, [x], lambda m, x: m(x))


def test_dropout_between_layers_in_training():
    """With p = 1 the second layer sees zeros in training mode (deterministic), and the
    layers are unchanged in eval mode."""
    tm, em = _pair("GRU", 4, 5, num_layers=2, dropout=1.0)
    tm.train()
    em.train()
    x = np.random.default_rng(6).standard_normal((3, 2, 4)).astype(np.float32)
    with torch.no_grad():
        tout, th = tm(torch.tensor(x))
    eout, eh = em(ember.tensor(x))
    ember.realize(eout, eh)
    np.testing.assert_allclose(eout.numpy(), tout.numpy(), **TOL)
    np.testing.assert_allclose(eh.numpy(), th.numpy(), **TOL)


@pytest.mark.parametrize("cls,kw", [
    ("RNN", dict(num_layers=3, bidirectional=True, bias=False)),
    ("LSTM", dict(num_layers=2, proj_size=2, bidirectional=True)),
    ("GRU", dict(num_layers=2)),
    ("RNNCell", dict(nonlinearity="relu")),
    ("LSTMCell", dict()),
    ("GRUCell", dict(bias=False)),
])
def test_parameters_and_init(cls, kw):
    """Names, shapes and order as PyTorch; every weight uniform in ±1/sqrt(hidden)."""
    tm = getattr(torch.nn, cls)(3, 4, **kw)
    em = getattr(nn, cls)(3, 4, **kw)
    tp, ep = dict(tm.named_parameters()), dict(em.named_parameters())
    assert list(ep) == list(tp)
    assert all(tuple(ep[k].shape) == tuple(tp[k].shape) for k in tp)
    assert list(em.state_dict()) == list(tm.state_dict())
    values = np.concatenate([p.numpy().ravel() for p in ep.values()])
    assert np.abs(values).max() <= 0.5 and values.std() > 0.1
    if cls in ("RNN", "LSTM", "GRU"):
        assert [[tuple(w.shape) for w in ws] for ws in em.all_weights] == \
            [[tuple(w.shape) for w in ws] for ws in tm.all_weights]
        assert repr(em) == repr(tm)


def test_errors():
    lstm = nn.LSTM(4, 5, num_layers=2)
    with pytest.raises(ValueError, match="2D or 3D"):
        lstm(ember.randn(2, 3, 4, 1))
    with pytest.raises(RuntimeError, match="input_size. Expected 4, got 3"):
        lstm(ember.randn(3, 2, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 2, 5\)"):
        lstm(ember.randn(3, 2, 4), (ember.zeros(1, 2, 5), ember.zeros(2, 2, 5)))
    with pytest.raises(RuntimeError, match="should also be 3-D"):
        nn.GRU(4, 5)(ember.randn(3, 2, 4), ember.zeros(2, 5))
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(4, 5, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller"):
        nn.LSTM(4, 5, proj_size=5)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNN(4, 5, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(4, 5, num_layers=2, dropout=1.5)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(4, 5, dropout=0.5)
    with pytest.raises(ValueError, match="1D or 2D"):
        nn.GRUCell(4, 5)(ember.randn(1, 2, 4))
    with pytest.raises(RuntimeError, match="inconsistent input_size"):
        nn.RNNCell(4, 5)(ember.randn(2, 3))
