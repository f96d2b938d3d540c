"""``ember.nn.Module``, ``Parameter``, the containers, ``nn.init`` and ``Linear``
against ``torch.nn``.

Most cases are written once against a library namespace ``L`` (``L.m`` is ``ember``
or ``torch``) and run on both: the two runs must produce the same names, orders,
reprs, error types and (with ``torch`` written as ``ember``) error messages. Values
and gradients are compared with the same weights copied into both models, float32
to 1e-5 and float64 to 1e-12 (relative to the reference's scale). Initializer
statistics are checked on 10^5 draws, within a few standard errors.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from types import SimpleNamespace

import ember
import ember.nn as enn
import ember.nn.functional as F
import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

EMBER = SimpleNamespace(name="ember", m=ember, nn=enn, F=F)
TORCH = SimpleNamespace(name="torch", m=torch, nn=tnn, F=TF)
BOTH = [EMBER, TORCH]


def _t(a, dtype=None) -> ember.Tensor:
    return ember.tensor(np.asarray(a) if dtype is None else np.asarray(a, dtype))


def close(ours, ref, tol=1e-5):
    ref = ref.detach().numpy() if isinstance(ref, torch.Tensor) else np.asarray(ref)
    ours = np.asarray(ours.numpy() if isinstance(ours, ember.Tensor) else ours)
    assert ours.shape == ref.shape
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(ours, ref, rtol=0, atol=tol * scale)


def copy_weights(ours: enn.Module, ref: tnn.Module) -> None:
    """Loads ``ref``'s state into ``ours`` (the keys must match)."""
    ours.load_state_dict({k: _t(v.numpy()) for k, v in ref.state_dict().items()})


def both(fn):
    """``fn(L)`` on ember and torch; returns (ember's result, torch's)."""
    return fn(EMBER), fn(TORCH)


def same_error(fn):
    """``fn(L)`` raises the same exception type with the same message on both."""
    errs = []
    for lib in BOTH:
        with pytest.raises(Exception) as info:  # noqa: PT011 - compared below
            fn(lib)
        errs.append(info.value)
    ours, ref = errs
    assert type(ours).__name__ == type(ref).__name__, (ours, ref)
    assert str(ours) == str(ref).replace("torch", "ember"), (str(ours), str(ref))


class _Act(enn.Module):
    def forward(self, x):
        return F.tanh(x)


def act(L):
    return _Act() if L is EMBER else tnn.Tanh()


def net(L):
    """A module with every kind of member: parameters (one ``None``), persistent and
    non-persistent buffers (one ``None``), children, a shared child and a tied
    parameter."""
    nn = L.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.register_buffer("running", L.m.zeros(3))
            self.register_buffer("scratch", L.m.ones(2), persistent=False)
            self.register_buffer("nothing", None)
            self.register_parameter("absent", None)
            self.scale = nn.Parameter(L.m.ones(1))
            self.block = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2, bias=False))
            self.again = self.fc1
            self.head = nn.Linear(2, 2, bias=False)
            self.alias = self.scale
            self.count = 0

        def forward(self, x):
            return self.head(self.block(self.fc1(x) * self.scale))

    return Net()


# --------------------------------------------------------------------------
# Registration and attributes
# --------------------------------------------------------------------------


def test_registration_orders_and_names():
    def names(L):
        m = net(L)
        return dict(
            params=[n for n, _ in m.named_parameters()],
            params_dup=[n for n, _ in m.named_parameters(remove_duplicate=False)],
            params_local=[n for n, _ in m.named_parameters(recurse=False)],
            prefixed=[n for n, _ in m.named_parameters(prefix="model")],
            buffers=[n for n, _ in m.named_buffers()],
            children=[n for n, _ in m.named_children()],
            modules=[n for n, _ in m.named_modules()],
            modules_dup=[n for n, _ in m.named_modules(remove_duplicate=False)],
            modules_prefixed=[n for n, _ in m.named_modules(prefix="net")],
            state=list(m.state_dict()),
            state_prefixed=list(m.state_dict(prefix="a.")),
            n_params=len(list(m.parameters())),
            n_modules=len(list(m.modules())),
            attrs=(m.count, m.absent, m.nothing, isinstance(m.fc1, L.nn.Linear)),
            dir=[k for k in dir(m) if k in ("fc1", "running", "scale", "count", "absent")],
        )

    ours, ref = both(names)
    assert ours == ref


def test_shared_parameter_is_listed_once():
    def run(L):
        m = L.nn.Module()
        m.a = L.nn.Linear(2, 2)
        m.b = L.nn.Linear(2, 2)
        m.b.weight = m.a.weight
        return ([n for n, _ in m.named_parameters()],
                [n for n, _ in m.named_parameters(remove_duplicate=False)],
                list(m.state_dict()), m.a.weight is m.b.weight)

    ours, ref = both(run)
    assert ours == ref


def test_setattr_rules():
    def run(L):
        nn = L.nn
        m = nn.Module()
        m.p = nn.Parameter(L.m.zeros(2))
        m.q = nn.Parameter(L.m.zeros(2))
        m.p = nn.Parameter(L.m.ones(3))         # replaced in place: order kept
        m.register_buffer("b", L.m.zeros(1))
        m.b = L.m.ones(4)                        # a tensor assigned to a buffer stays one
        m.c = nn.Linear(1, 1)
        m.d = nn.Linear(1, 1)
        m.c = nn.Linear(2, 2)                    # module order kept too
        m.p = None                               # a parameter can be None
        m.b = None
        m.x = 3
        m.x = nn.Parameter(L.m.zeros(1))         # plain attribute becomes a parameter
        m.d = nn.Parameter(L.m.zeros(1))         # a module becomes a parameter
        del m.c
        del m.x
        return (list(m._parameters), list(m._buffers), list(m._modules),
                m.p, m.b, "x" in m.__dict__, tuple(m.d.shape))

    ours, ref = both(run)
    assert ours == ref


@pytest.mark.parametrize("case", [
    "plain_tensor_as_param", "int_as_buffer", "int_as_module", "dotted_param",
    "empty_buffer", "existing_attr", "not_module", "buffer_not_tensor", "missing_attr",
    "del_missing", "param_not_param", "name_not_str", "before_init",
])
def test_registration_errors(case):
    def run(L):
        nn = L.nn
        m = nn.Module()
        m.w = nn.Parameter(L.m.zeros(1))
        m.register_buffer("buf", L.m.zeros(1))
        m.sub = nn.Linear(1, 1)
        m.attr = 1
        if case == "plain_tensor_as_param":
            m.w = L.m.zeros(1)
        elif case == "int_as_buffer":
            m.buf = 3
        elif case == "int_as_module":
            m.sub = 3
        elif case == "dotted_param":
            m.register_parameter("a.b", None)
        elif case == "empty_buffer":
            m.register_buffer("", None)
        elif case == "existing_attr":
            m.register_buffer("attr", L.m.zeros(1))
        elif case == "not_module":
            m.add_module("x", 3)
        elif case == "buffer_not_tensor":
            m.register_buffer("x", [1.0])
        elif case == "missing_attr":
            return m.nope
        elif case == "del_missing":
            del m.nope
        elif case == "param_not_param":
            m.register_parameter("x", L.m.zeros(1))
        elif case == "name_not_str":
            m.register_parameter(3, None)
        elif case == "before_init":
            class Early(nn.Module):
                def __init__(self):
                    self.w = nn.Parameter(L.m.zeros(1))

            Early()

    same_error(run)


def test_buffer_class():
    m = enn.Module()
    m.kept = enn.parameter.Buffer(ember.ones(2))
    m.temp = enn.parameter.Buffer(ember.zeros(1), persistent=False)
    assert list(m._buffers) == ["kept", "temp"]
    assert list(m.state_dict()) == ["kept"]
    assert not m.kept.requires_grad and isinstance(m.kept, ember.Tensor)


def test_get_submodule_parameter_buffer():
    def run(L):
        m = net(L)
        out = [type(m.get_submodule("block.1")).__name__, m.get_submodule("") is m,
               tuple(m.get_parameter("block.0.bias").shape),
               tuple(m.get_buffer("running").shape)]
        for fn, target in [(m.get_submodule, "block.7"), (m.get_submodule, "count"),
                           (m.get_parameter, "fc1.nope"), (m.get_parameter, "running"),
                           (m.get_buffer, "scale"), (m.get_submodule, "fc1.weight")]:
            try:
                fn(target)
            except AttributeError as e:
                out.append(str(e))
        m.set_submodule("block.0", L.nn.Linear(3, 3, bias=False))
        out.append(m.block[0].bias is None)
        return out

    ours, ref = both(run)
    assert ours == ref


# --------------------------------------------------------------------------
# Modes, grads, apply, dtype conversion
# --------------------------------------------------------------------------


def test_train_eval_requires_grad_apply():
    def run(L):
        m = net(L)
        out = [m.training]
        m.eval()
        out.append([s.training for s in m.modules()])
        m.block.train()
        out.append([s.training for s in m.modules()])
        m.requires_grad_(False)
        out.append([p.requires_grad for p in m.parameters()])
        m.block.requires_grad_()
        out.append([p.requires_grad for p in m.parameters()])
        seen = []
        assert m.apply(lambda s: seen.append(type(s).__name__)) is m
        out.append(seen)
        out.append(m.train() is m and m.eval() is m)
        return out

    ours, ref = both(run)
    assert ours == ref
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net(EMBER).train(1)


def test_zero_grad():
    m = enn.Linear(3, 2)
    m(ember.ones(4, 3)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert g is m.weight.grad
    np.testing.assert_array_equal(g.numpy(), np.zeros((2, 3), np.float32))
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_to_double_float_with_grads():
    m = net(EMBER)
    m.register_buffer("steps", ember.zeros(2, dtype=ember.int64))
    w = m.fc1.weight
    sd = m.state_dict()
    m(ember.ones(2, 4)).sum().backward()
    assert m.double() is m
    assert m.fc1.weight is w and w.is_leaf and w.requires_grad
    assert {p.dtype for p in m.parameters()} == {ember.float64}
    assert {p.grad.dtype for p in m.parameters()} == {ember.float64}
    assert m.running.dtype == ember.float64 and m.steps.dtype == ember.int64
    assert sd["fc1.weight"].dtype == ember.float32  # earlier views keep their value
    out = m(ember.ones(2, 4, dtype=ember.float64))
    assert out.dtype == ember.float64 and out.requires_grad
    m.to(ember.float32)
    assert {p.dtype for p in m.parameters()} == {ember.float32}
    m.to(ember.zeros(1, dtype=ember.float64))
    assert m.scale.dtype == ember.float64
    m.float()
    m.to("cpu")
    m.to("cpu", ember.float64)
    assert m.scale.dtype == ember.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        m.to(ember.int32)
    with pytest.raises(RuntimeError, match="not available"):
        m.to("cuda")
    m.type(ember.float32)
    assert m.steps.dtype == ember.float32


# --------------------------------------------------------------------------
# State dicts
# --------------------------------------------------------------------------


def test_state_dict_matches_torch_and_shares_updates():
    tm = net(TORCH)
    em = net(EMBER)
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_weights(em, tm)
    for (k, v), (k2, v2) in zip(em.state_dict().items(), tm.state_dict().items(), strict=True):
        assert k == k2 and not v.requires_grad and not isinstance(v, enn.Parameter)
        close(v, v2, 0)
    sd = em.state_dict()
    kv = em.state_dict(keep_vars=True)
    assert kv["fc1.weight"] is em.fc1.weight
    with ember.no_grad():
        em.fc1.weight.mul_(2)
    close(sd["fc1.weight"], 2 * tm.fc1.weight, 0)  # a view of the parameter, as in torch


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "size", "submodule"])
def test_load_state_dict_errors_match_torch(case):
    def run(L):
        m = net(L)
        sd = dict(m.state_dict())
        if case in ("missing", "both"):
            del sd["block.0.bias"], sd["running"]
        if case in ("unexpected", "both"):
            sd["extra"] = L.m.zeros(1)
            sd["block.5.weight"] = L.m.zeros(1)
        if case == "size":
            sd["fc1.weight"] = L.m.zeros(4, 3)
            sd["scale"] = L.m.zeros(2)
            del sd["head.weight"]
        if case == "submodule":
            return m.block.load_state_dict({"0.weight": L.m.zeros(3, 3)})
        return m.load_state_dict(sd)

    same_error(run)


def test_load_state_dict_non_strict_and_result():
    def run(L):
        m = net(L)
        sd = dict(m.state_dict())
        full = m.load_state_dict(sd)
        del sd["scale"]
        sd["fc9.bias"] = L.m.zeros(1)
        sd["running.x"] = L.m.zeros(1)
        res = m.load_state_dict(sd, strict=False)
        return repr(full), res.missing_keys, res.unexpected_keys, list(res)

    ours, ref = both(run)
    assert ours == ref


def test_load_state_dict_copies_and_assign():
    em, tm = net(EMBER), net(TORCH)
    w = em.fc1.weight
    copy_weights(em, tm)
    assert em.fc1.weight is w and w.is_leaf and w.requires_grad  # copied into place
    close(w, tm.fc1.weight, 0)
    # 0-d buffers load from 1-element 1-d values, as torch allows.
    em.register_buffer("step", ember.tensor(0.0))
    em.load_state_dict({"step": _t([5.0], np.float32)}, strict=False)
    assert em.step.item() == 5.0

    src = ember.arange(12, dtype=ember.float64).reshape(3, 4)
    res = em.load_state_dict({"fc1.weight": src, "running": ember.ones(3)}, strict=False,
                             assign=True)
    assert "fc1.bias" in res.missing_keys
    assert em.fc1.weight is not w and isinstance(em.fc1.weight, enn.Parameter)
    assert em.fc1.weight.dtype == ember.float64 and em.fc1.weight.requires_grad
    assert [n for n, _ in em.fc1.named_parameters()] == ["weight", "bias"]
    close(em.fc1.weight, np.arange(12.0).reshape(3, 4), 0)
    buf = ember.full((3,), 7.0)
    em.load_state_dict({"running": buf}, strict=False, assign=True)
    assert em.running is buf

    em.fc1.weight.requires_grad_(False)
    p = enn.Parameter(ember.zeros(3, 4))
    em.load_state_dict({"fc1.weight": p}, strict=False, assign=True)
    assert em.fc1.weight is p and not p.requires_grad   # takes the module's flag

    lin, tlin = enn.Linear(2, 3), tnn.Linear(2, 3)
    assert repr(lin.load_state_dict(tlin.state_dict())) == "<All keys matched successfully>"
    close(lin.weight, tlin.weight, 0)                   # torch tensors and arrays load too
    lin.load_state_dict({"weight": np.ones((3, 2)), "bias": np.zeros(3)})
    assert lin.weight.dtype == ember.float32 and lin.weight.is_leaf
    close(lin.weight, np.ones((3, 2)), 0)

    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        em.load_state_dict([("a", 1)])
    with pytest.raises(RuntimeError, match='While copying the parameter named "scale"'):
        em.load_state_dict({"scale": "x"}, strict=False)


def test_extra_state():
    class Counter(enn.Module):
        def __init__(self):
            super().__init__()
            self.n = 0
            self.w = enn.Parameter(ember.zeros(1))

        def get_extra_state(self):
            return {"n": self.n}

        def set_extra_state(self, state):
            self.n = state["n"]

    a, b = Counter(), Counter()
    a.n = 4
    sd = a.state_dict()
    assert list(sd) == ["w", "_extra_state"]
    b.load_state_dict(sd)
    assert b.n == 4
    with pytest.raises(RuntimeError, match='Missing key.*"_extra_state"'):
        b.load_state_dict({"w": ember.zeros(1)})


# --------------------------------------------------------------------------
# Calling, hooks, repr, deepcopy
# --------------------------------------------------------------------------


def test_forward_hooks():
    def run(L):
        m = L.nn.Linear(2, 2)
        log = []

        def pre(mod, args):
            log.append(("pre", len(args)))
            return args[0] * 0 + 1                      # a single value: wrapped in a tuple

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))
            return args, {}

        def post(mod, args, out):
            log.append(("post", tuple(out.shape)))
            return out * 0 + 3

        def post_kw(mod, args, kwargs, out):
            log.append(("post_kw", tuple(out.shape)))

        def first(mod, args):
            log.append(("first",))

        h1 = m.register_forward_pre_hook(pre)
        h2 = m.register_forward_pre_hook(pre_kw, with_kwargs=True)
        h3 = m.register_forward_hook(post)
        m.register_forward_hook(post_kw, with_kwargs=True)
        m.register_forward_pre_hook(first, prepend=True)
        x = L.m.zeros(3, 2)
        y = m(x)
        y = y.detach().numpy().tolist()
        for h in (h1, h2, h3):
            h.remove()
        h3.remove()
        z = m(L.m.zeros(1, 2))
        with m.register_forward_hook(lambda mod, a, o: o.sum()):
            s = tuple(m(L.m.zeros(1, 2)).shape)
        return log, y, tuple(z.shape), s, tuple(m(L.m.zeros(1, 2)).shape)

    ours, ref = both(run)
    assert ours == ref


def test_forward_hook_errors_and_always_call():
    def run(L):
        m = L.nn.Linear(2, 2)
        log = []
        m.register_forward_hook(lambda mod, a, o: log.append("always"), always_call=True)
        m.register_forward_hook(lambda mod, a, o: log.append("normal"))
        with pytest.raises(RuntimeError):
            m(L.m.zeros(3, 5))
        m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError) as info:
            m(L.m.zeros(3, 2))
        return log, str(info.value)

    ours, ref = both(run)
    assert ours == ref


def test_missing_forward():
    same_error(lambda L: L.nn.Module()(1))


def test_repr_matches_torch():
    def run(L):
        nn = L.nn
        m = net(L)
        ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 2),
                            nn.Linear(2, 3), nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1)),
                            nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1))])
        seq = nn.Sequential(OrderedDict([("inp", nn.Linear(3, 3)), ("none", None)]))
        plist = nn.ParameterList([nn.Parameter(L.m.zeros(2, 3)), L.m.zeros(1), "s"])
        return [repr(m), repr(ml), repr(nn.ModuleList()), repr(seq), repr(nn.Module()),
                repr(plist), repr(nn.Identity(3, k=1)), repr(nn.Sequential())]

    ours, ref = both(run)
    assert ours == [r.replace("torch", "ember") for r in ref]


def test_parameter_dict_repr():
    def run(L):
        return repr(L.nn.ParameterDict({"b": L.m.zeros(2, dtype=L.m.float64),
                                        "a": L.nn.Parameter(L.m.zeros(1)), "c": 1}))

    ours, ref = both(run)
    assert ours == ref.replace("torch", "ember")


def test_deepcopy():
    m = net(EMBER)
    m(ember.ones(1, 4)).sum().backward()
    c = copy.deepcopy(m)
    assert list(c.state_dict()) == list(m.state_dict())
    assert c.again is c.fc1 and c.fc1 is not m.fc1
    for p, q in zip(m.parameters(), c.parameters(), strict=True):
        assert p is not q and type(q) is enn.Parameter and q.is_leaf and q.requires_grad
        close(q, p.numpy(), 0)
        close(q.grad, p.grad.numpy(), 0)
    assert c.scratch is not m.scratch and "scratch" in c._non_persistent_buffers_set
    with ember.no_grad():
        c.fc1.weight.add_(1)                          # the copy is independent
    close(m.fc1.weight + 1, c.fc1.weight.numpy(), 0)
    c.fc1.weight.grad = None
    c(ember.ones(1, 4)).sum().backward()
    assert c.fc1.weight.grad is not None
    tied = enn.Module()
    tied.a = enn.Linear(2, 2)
    tied.b = enn.Linear(2, 2)
    tied.b.weight = tied.a.weight
    t2 = copy.deepcopy(tied)
    assert t2.a.weight is t2.b.weight


# --------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------


def _lin_names(seq):
    return [m.out_features if hasattr(m, "out_features") else type(m).__name__ for m in seq]


def test_sequential():
    def run(L):
        nn = L.nn
        s = nn.Sequential(*[nn.Linear(i + 1, i + 2) for i in range(4)])
        out = [_lin_names(s), s[-1].out_features, _lin_names(s[1:3]), type(s[::2]).__name__,
               list(s[1:3]._modules), len(s)]
        del s[1]
        out.append((_lin_names(s), list(s._modules)))
        del s[-2:]
        out.append((_lin_names(s), list(s._modules)))
        s.append(nn.Linear(1, 9)).extend([nn.Linear(1, 8)])
        s.insert(1, nn.Linear(1, 7))
        s.insert(-1, nn.Linear(1, 6))
        s[0] = nn.Linear(1, 5)
        s[-1] = nn.Linear(1, 4)
        out.append((_lin_names(s), list(s._modules)))
        out.append(s.pop(1).out_features)
        out.append(_lin_names(s + nn.Sequential(nn.Linear(1, 3))))
        out.append(_lin_names(s * 2))
        s += nn.Sequential(nn.Linear(1, 2))
        out.append(list(s._modules))
        named = nn.Sequential(OrderedDict([("a", nn.Linear(1, 1)), ("b", nn.Linear(1, 2))]))
        out.append((list(named[1:]._modules), named[1].out_features))
        for bad in (lambda: s[10], lambda: s.insert(20, nn.Linear(1, 1)),
                    lambda: s + nn.ModuleList()):
            try:
                bad()
            except (IndexError, ValueError) as e:
                out.append((type(e).__name__, str(e).replace("torch", "ember")))
        return out

    ours, ref = both(run)
    assert ours == ref


def test_sequential_forward_matches_torch():
    tm = tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh(), tnn.Linear(4, 2))
    em = enn.Sequential(enn.Linear(3, 4), _Act(), enn.Linear(4, 2))
    copy_weights(em, tm)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    close(em(_t(x)), tm(torch.tensor(x)))


def test_module_list():
    def run(L):
        nn = L.nn
        ml = nn.ModuleList([nn.Linear(1, i + 1) for i in range(4)])
        out = [_lin_names(ml), ml[-1].out_features, _lin_names(ml[::2]),
               type(ml[1:]).__name__, len(ml)]
        ml.append(nn.Linear(1, 5))
        ml.extend([nn.Linear(1, 6)])
        ml += [nn.Linear(1, 7)]
        ml.insert(1, nn.Linear(1, 10))
        ml[-1] = nn.Linear(1, 11)
        out.append((_lin_names(ml), list(ml._modules)))
        del ml[0]
        del ml[::3]
        out.append((_lin_names(ml), list(ml._modules)))
        out.append(ml.pop(-1).out_features)
        out.append(_lin_names(ml + nn.ModuleList([nn.Linear(1, 12)])))
        out.append([n for n, _ in ml.named_parameters()][:3])
        for bad in (lambda: ml[9], lambda: ml.extend(3)):
            try:
                bad()
            except (IndexError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
        return out

    ours, ref = both(run)
    assert ours == ref
    same_error(lambda L: L.nn.ModuleList()(1))


def test_module_dict():
    def run(L):
        nn = L.nn
        md = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.Linear(1, 2)})
        md["c"] = nn.Linear(1, 3)
        md.update([("d", nn.Linear(1, 4))])
        md.update(OrderedDict([("b", nn.Linear(1, 5))]))
        out = [list(md), list(md.keys()), [m.out_features for m in md.values()],
               [k for k, _ in md.items()], "a" in md, len(md)]
        del md["a"]
        out.append((md.pop("c").out_features, list(md), list(md.state_dict())))
        md.clear()
        out.append(len(md))
        for bad in (lambda: md.update(3), lambda: md.update([("x",)]), lambda: md["zz"]):
            try:
                bad()
            except (TypeError, ValueError, KeyError) as e:
                out.append((type(e).__name__, str(e)))
        return out

    ours, ref = both(run)
    assert ours == ref


def test_parameter_list():
    def run(L):
        nn = L.nn
        pl = nn.ParameterList([L.m.zeros(1), nn.Parameter(L.m.zeros(2))])
        pl.append(L.m.zeros(3))
        pl.extend([L.m.zeros(4), "not a tensor"])
        pl += [L.m.zeros(5)]
        out = [[type(p).__name__ for p in pl], [tuple(p.shape) for p in pl[:4]],
               tuple(pl[-1].shape), pl[4], len(pl), [n for n, _ in pl.named_parameters()],
               type(pl[1:3]).__name__, len(pl[::2])]
        pl[0] = L.m.ones(7)
        out.append((type(pl[0]).__name__, tuple(pl[0].shape)))
        for bad in (lambda: pl[10], lambda: pl.extend(L.m.zeros(2)), lambda: pl(1)):
            try:
                bad()
            except (IndexError, TypeError, RuntimeError) as e:
                out.append((type(e).__name__, str(e)))
        return out

    ours, ref = both(run)
    assert ours == ref


def test_parameter_dict():
    def run(L):
        nn = L.nn
        pd = nn.ParameterDict({"b": L.m.zeros(1), "a": nn.Parameter(L.m.zeros(2))})
        pd["c"] = L.m.zeros(3)
        pd.update([("e", L.m.zeros(4)), ("d", "obj")])
        pd.update(OrderedDict([("z", L.m.zeros(1)), ("y", L.m.zeros(1))]))
        out = [list(pd), [type(v).__name__ for v in pd.values()],
               [n for n, _ in pd.named_parameters()], "a" in pd, pd.get("q", 1), len(pd),
               list(reversed(pd))]
        out.append(type(pd.pop("c")).__name__)
        k, _ = pd.popitem()
        out.append((k, list(pd)))
        out.append(pd.setdefault("n", None))
        del pd["a"]
        out.append((list(pd), list(pd.copy()), list(pd | nn.ParameterDict({"w": None}))))
        out.append(list(pd.fromkeys(["u", "v"])))
        pd.clear()
        out.append(len(pd))
        for bad in (lambda: pd[3], lambda: pd.update(3), lambda: pd.update([(1, 2, 3)])):
            try:
                bad()
            except (TypeError, ValueError) as e:
                out.append((type(e).__name__, str(e)))
        return out

    ours, ref = both(run)
    assert ours == ref


# --------------------------------------------------------------------------
# Parameter and Tensor.data
# --------------------------------------------------------------------------


def test_parameter_semantics():
    t = ember.ones(2, 3)
    p = enn.Parameter(t)
    assert isinstance(p, ember.Tensor) and isinstance(p, enn.Parameter)
    assert p.is_leaf and p.requires_grad and p.shape == (2, 3) and p.dtype == ember.float32
    q = enn.Parameter(ember.ones(2), requires_grad=False)
    assert not q.requires_grad and q.is_leaf
    assert repr(q) == "Parameter containing:\n" + repr(ember.ones(2)) == str(q)
    assert enn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="floating point"):
        enn.Parameter(ember.zeros(2, dtype=ember.int64))
    ip = enn.Parameter(ember.zeros(2, dtype=ember.int64), requires_grad=False)
    assert ip.dtype == ember.int64 and not ip.requires_grad
    with pytest.raises(TypeError):
        enn.Parameter([1.0])
    y = (p * 2).sum()
    y.backward()
    close(p.grad, np.full((2, 3), 2.0), 0)
    r = enn.Parameter(ember.ones(2, requires_grad=True) * 3)   # history is dropped
    assert r.is_leaf and r.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        p.add_(1)


def test_tensor_data():
    p = enn.Parameter(ember.ones(3))
    d = p.data
    assert type(d) is ember.Tensor and not d.requires_grad and p.requires_grad
    d.mul_(4)                                       # writes through, outside no_grad
    close(p, np.full(3, 4.0), 0)
    assert p.is_leaf and p.requires_grad
    p.data = ember.zeros(2, 2, dtype=ember.float64)
    assert p.shape == (2, 2) and p.dtype == ember.float64 and p.requires_grad and p.is_leaf
    (p * 3).sum().backward()
    close(p.grad, np.full((2, 2), 3.0), 0)


# --------------------------------------------------------------------------
# nn.init
# --------------------------------------------------------------------------


def test_calculate_gain_and_fans():
    from ember.nn import init as ei

    for nl, param in [("linear", None), ("conv2d", None), ("conv_transpose3d", None),
                      ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                      ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert ei.calculate_gain(nl, param) == pytest.approx(
            tnn.init.calculate_gain(nl, param), rel=1e-15)
    for bad in [("leaky_relu", True), ("leaky_relu", "x"), ("gelu", None)]:
        with pytest.raises(ValueError) as a:
            ei.calculate_gain(*bad)
        with pytest.raises(ValueError) as b:
            tnn.init.calculate_gain(*bad)
        assert str(a.value) == str(b.value)
    for shape in [(3, 4), (8, 2, 3), (5, 4, 3, 2), (2, 3, 1, 1, 4)]:
        assert ei._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            tnn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    for fn in (lambda m: m.init.xavier_uniform_, lambda m: m.init.kaiming_normal_):
        msgs = []
        for m, lib in ((enn, ember), (tnn, torch)):
            with pytest.raises(ValueError) as info:
                fn(m)(lib.empty(3))
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]
    msgs = []
    for m, lib in ((enn, ember), (tnn, torch)):
        with pytest.raises(ValueError) as info:
            m.init.kaiming_uniform_(lib.empty(3, 3), mode="fan")
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


N = 100_000


def _stats(t):
    a = t.numpy().astype(np.float64).ravel()
    return a.mean(), a.std(), a.min(), a.max()


def test_init_distributions():
    from ember.nn import init as ei

    ember.manual_seed(0)
    w = ember.empty(200, 500)                 # fan_in 500, fan_out 200
    cases = [
        (lambda: ei.uniform_(w, -2.0, 3.0), 0.5, 5 / math.sqrt(12), -2.0, 3.0),
        (lambda: ei.normal_(w, 1.0, 2.0), 1.0, 2.0, None, None),
        (lambda: ei.xavier_uniform_(w, gain=2.0), 0.0, 2 * math.sqrt(2 / 700),
         -2 * math.sqrt(6 / 700), 2 * math.sqrt(6 / 700)),
        (lambda: ei.xavier_normal_(w), 0.0, math.sqrt(2 / 700), None, None),
        (lambda: ei.kaiming_uniform_(w, a=math.sqrt(5)), 0.0, 1 / math.sqrt(3 * 500),
         -1 / math.sqrt(500), 1 / math.sqrt(500)),
        (lambda: ei.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"), 0.0,
         math.sqrt(2 / 200), -math.sqrt(6 / 200), math.sqrt(6 / 200)),
        (lambda: ei.kaiming_normal_(w, nonlinearity="relu"), 0.0, math.sqrt(2 / 500),
         None, None),
    ]
    for fn, mean, std, lo, hi in cases:
        assert fn() is w
        m, s, mn, mx = _stats(w)
        assert abs(m - mean) < 5 * std / math.sqrt(N)
        assert abs(s - std) < 0.02 * std
        if lo is not None:
            assert lo <= mn < lo + 1e-3 * (hi - lo) and hi - 1e-3 * (hi - lo) < mx <= hi
    # trunc_normal_: bounds are absolute; the std matches torch's truncated normal.
    ei.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=2.0)
    ref = tnn.init.trunc_normal_(torch.empty(N, dtype=torch.float64), 0.5, 1.0, -0.5, 2.0)
    m, s, mn, mx = _stats(w)
    assert -0.5 <= mn and mx <= 2.0
    assert abs(m - ref.mean().item()) < 0.01 and abs(s - ref.std().item()) < 0.01
    g1, g2 = ember.Generator().manual_seed(3), ember.Generator().manual_seed(3)
    a = ei.normal_(ember.empty(4), generator=g1).numpy()
    b = ei.normal_(ember.empty(4), generator=g2).numpy()
    np.testing.assert_array_equal(a, b)


def test_init_deterministic_shapes():
    from ember.nn import init as ei

    e = ei.eye_(ember.empty(3, 5))
    close(e, tnn.init.eye_(torch.empty(3, 5)), 0)
    for shape, groups in [((4, 2, 3), 1), ((6, 2, 3, 3), 2)]:
        close(ei.dirac_(ember.empty(*shape), groups),
              tnn.init.dirac_(torch.empty(*shape), groups), 0)
    with pytest.raises(ValueError, match="divisible by groups"):
        ei.dirac_(ember.empty(3, 2, 3), 2)
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        ei.eye_(ember.empty(3))
    c = ei.constant_(enn.Parameter(ember.empty(2, 2)), 0.25)
    assert isinstance(c, enn.Parameter) and c.requires_grad and c.is_leaf
    close(c, np.full((2, 2), 0.25), 0)
    close(ei.ones_(ember.empty(2)), np.ones(2), 0)
    close(ei.zeros_(ember.empty(2)), np.zeros(2), 0)
    for shape in [(6, 4), (3, 2, 4)]:
        q = ei.orthogonal_(ember.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
        small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(small, 4 * np.eye(len(small)), atol=1e-5)
    s = ei.sparse_(ember.empty(10, 300), sparsity=0.25, std=0.5).numpy()
    assert ((s == 0).sum(axis=0) >= 3).all()
    assert abs(s[s != 0].std() - 0.5) < 0.03
    assert ei.kaiming_uniform_(ember.empty(0, 3)).shape == (0, 3)


# --------------------------------------------------------------------------
# Linear
# --------------------------------------------------------------------------


def test_linear_default_init():
    ember.manual_seed(1)
    m = enn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.numpy(), m.bias.numpy()
    assert m.weight.shape == (300, 400) and m.bias.shape == (300,)
    assert -bound <= w.min() < -0.99 * bound and 0.99 * bound < w.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert -bound <= b.min() and b.max() <= bound and b.std() > 0.4 * bound
    assert repr(m) == repr(tnn.Linear(400, 300))
    m2 = enn.Linear(3, 2, bias=False, dtype=ember.float64)
    assert m2.bias is None and m2.weight.dtype == ember.float64
    assert [n for n, _ in m2.named_parameters()] == ["weight"]
    assert repr(m2) == repr(tnn.Linear(3, 2, bias=False))


@pytest.mark.parametrize("shape,bias,dtype", [
    ((5, 4), True, "float32"), ((4,), True, "float32"), ((2, 3, 4), False, "float32"),
    ((2, 3, 4), True, "float64"),
])
def test_linear_forward_backward(shape, bias, dtype):
    rng = np.random.default_rng(len(shape))
    tm = tnn.Linear(4, 3, bias=bias).to(getattr(torch, dtype))
    em = enn.Linear(4, 3, bias=bias, dtype=getattr(ember, dtype))
    copy_weights(em, tm)
    x = rng.normal(size=shape).astype(dtype)
    g = rng.normal(size=shape[:-1] + (3,)).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    tol = 1e-5 if dtype == "float32" else 1e-12
    close(ey, ty, tol)
    (ty * torch.tensor(g)).sum().backward()
    (ey * ember.tensor(g)).sum().backward()
    close(ex.grad, tx.grad, tol)
    close(em.weight.grad, tm.weight.grad, tol)
    if bias:
        close(em.bias.grad, tm.bias.grad, tol)
    assert ey.dtype == getattr(ember, dtype)


def test_identity():
    x = ember.ones(2)
    assert enn.Identity(1, 2, k=3)(x) is x


def test_mlp_trained_by_hand_matches_torch():
    def make(L):
        return L.nn.Sequential(L.nn.Linear(6, 8), act(L), L.nn.Linear(8, 3))

    tm, em = make(TORCH), make(EMBER)
    copy_weights(em, tm)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=16)
    onehot = np.eye(3, dtype=np.float32)[y]
    tx, ex = torch.tensor(x), _t(x)
    toh, eoh = torch.tensor(onehot), _t(onehot)
    lr = 0.5
    for _ in range(4):
        for m, xx, oh, lib in ((tm, tx, toh, torch), (em, ex, eoh, ember)):
            m.zero_grad()
            logits = m(xx)
            loss = -(logits.log_softmax(dim=1) * oh).sum(dim=1).mean()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= lr * p.grad
    for (k, a), (k2, b) in zip(em.named_parameters(), tm.named_parameters(), strict=True):
        assert k == k2
        close(a, b, 1e-5)
    close(em(ex), tm(tx), 1e-5)
