"""Optimizers, LR schedulers and gradient clipping against PyTorch.

Each trajectory runs 20 steps of the same small model (same initial weights, same
deterministic loss) in ember and in PyTorch and compares the parameters after every
step.
"""

from __future__ import annotations

import math
import warnings

import ember
import numpy as np
import pytest
import torch
from ember import optim
from ember.nn import utils as nn_utils
from ember.optim import lr_scheduler

STEPS = 20
RNG = np.random.default_rng(0)
SHAPES = {"w1": (8, 4), "b1": (8,), "w2": (3, 8), "b2": (3,)}
INIT = {k: RNG.normal(0, 0.5, s) for k, s in SHAPES.items()}
X = RNG.normal(size=(6, 4))
Y = RNG.normal(size=(6, 3))
TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}


def ember_params(dtype=np.float32, init=None):
    init = init or INIT
    return [ember.tensor(init[k].astype(dtype), requires_grad=True) for k in SHAPES]


def torch_params(dtype=np.float32, init=None):
    init = init or INIT
    return [torch.tensor(init[k].astype(dtype), requires_grad=True) for k in SHAPES]


def loss_fn(lib, params, dtype):
    w1, b1, w2, b2 = params
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    return (((x @ w1.T + b1).tanh() @ w2.T + b2 - y) ** 2).mean()


def train(lib, make_opt, make_sched=None, steps=STEPS, dtype=np.float32, params=None,
          every=None):
    """Parameters after every step and the lr each step used."""
    params = params if params is not None else (
        ember_params(dtype) if lib is ember else torch_params(dtype))
    opt = make_opt(params)
    sched = make_sched(opt) if make_sched else None
    traj, lrs = [], []
    for i in range(steps):
        opt.zero_grad()
        loss_fn(lib, params, dtype).backward()
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        if sched is not None:
            sched.step()
        if every is not None:
            every(i, opt, params)
        traj.append([np.array(p.detach().numpy()) for p in params])
    return traj, lrs


def assert_same(traj_e, traj_t, dtype=np.float32):
    for step, (pe, pt) in enumerate(zip(traj_e, traj_t, strict=True)):
        for a, b in zip(pe, pt, strict=True):
            np.testing.assert_allclose(a, b, **TOL[dtype], err_msg=f"step {step + 1}")


def both(name, **kw):
    return (lambda ps: getattr(optim, name)(ps, **kw),
            lambda ps: getattr(torch.optim, name)(ps, **kw))


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.005, momentum=0.8, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.002, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                     weight_decay=0.01)),
]


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in
                                                  enumerate(CONFIGS)])
def test_trajectory_matches_pytorch(name, kw):
    make_e, make_t = both(name, **kw)
    traj_e, _ = train(ember, make_e)
    traj_t, _ = train(torch, make_t)
    assert_same(traj_e, traj_t)


def test_trajectory_float64():
    make_e, make_t = both("Adam", lr=0.05, amsgrad=True)
    traj_e, _ = train(ember, make_e, dtype=np.float64)
    traj_t, _ = train(torch, make_t, dtype=np.float64)
    assert traj_e[0][0].dtype == np.float64
    assert_same(traj_e, traj_t, np.float64)


def test_param_groups_with_own_options_and_add_param_group():
    def groups(lib):
        def make(ps):
            return lib.optim.SGD([{"params": ps[:2]}, {"params": [ps[2]], "lr": 0.02,
                                                       "weight_decay": 0.1}],
                                 lr=0.1, momentum=0.9)
        return make

    def add_later(lib):
        def every(i, opt, ps):
            if i == 4:
                opt.add_param_group({"params": [ps[3]], "momentum": 0.5})
        return every

    traj_e, _ = train(ember, groups(ember), every=add_later(ember))
    traj_t, _ = train(torch, groups(torch), every=add_later(torch))
    assert_same(traj_e, traj_t)
    # b2 stays put until its group is added after the fifth step.
    np.testing.assert_array_equal(traj_e[4][3], INIT["b2"].astype(np.float32))
    assert not np.array_equal(traj_e[6][3], traj_e[5][3])


def test_one_step_is_one_region_compiled_once():
    rng = np.random.default_rng(1)
    w = ember.tensor(rng.normal(size=(5, 7)).astype(np.float32), requires_grad=True)
    b = ember.tensor(rng.normal(size=(7,)).astype(np.float32), requires_grad=True)
    x = ember.tensor(rng.normal(size=(3, 5)).astype(np.float32))
    opt = optim.Adam([w, b], lr=0.1, amsgrad=True, weight_decay=0.01)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)

    def compiles():
        s = ember.compiler.cache_stats()
        return s.misses + s.disk_hits, s.hits

    counts = []
    for _ in range(6):
        opt.zero_grad()
        (x @ w + b).tanh().sum().backward()
        before = compiles()
        opt.step()
        after = compiles()
        counts.append((after[0] - before[0], after[1] - before[1]))
        sched.step()
    # One compiled region per step: compiled by the first, reused by every later one
    # although lr and beta1 change each step.
    assert counts == [(1, 0)] + [(0, 1)] * 5
    for t in (w, b, opt.state[w]["exp_avg"], opt.state[b]["max_exp_avg_sq"]):
        assert t._node.buffer is not None
    assert opt.state[w]["step"] == 6.0


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=6)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1.0 / (1 + e))),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=25, anneal_strategy="linear")),
    ("OneCycleLR", dict(max_lr=0.5, epochs=3, steps_per_epoch=8, three_phase=True)),
]


def _sched_run(lib, name, kw, opt_name="SGD", steps=24):
    ps = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    opt = getattr(lib.optim, opt_name)([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.3}],
                                       lr=0.1, momentum=0.9)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    seq = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(steps):
            opt.step()
            sched.step()
            seq.append((sched.get_last_lr(), [g.get("momentum") for g in opt.param_groups]))
    return seq, sched


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                     enumerate(SCHEDULERS)])
def test_scheduler_lr_sequence_matches_pytorch(name, kw):
    seq_e, sched_e = _sched_run(ember, name, kw)
    seq_t, sched_t = _sched_run(torch, name, kw)
    np.testing.assert_allclose(np.array([s[0] for s in seq_e]),
                               np.array([s[0] for s in seq_t]), rtol=1e-12, atol=0)
    np.testing.assert_allclose(np.array([s[1] for s in seq_e]),
                               np.array([s[1] for s in seq_t]), rtol=1e-12, atol=0)
    assert sched_e.last_epoch == sched_t.last_epoch
    if name != "LambdaLR":
        keys_t = set(sched_t.state_dict()) - {"_get_lr_called_within_step", "_is_initial"}
        assert keys_t <= set(sched_e.state_dict())


def test_onecycle_cycles_adam_beta1_and_trains_like_pytorch():
    def sched(lib):
        return lambda opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05,
                                                             total_steps=STEPS)
    make_e, make_t = both("Adam", lr=0.01)
    traj_e, lrs_e = train(ember, make_e, sched(ember))
    traj_t, lrs_t = train(torch, make_t, sched(torch))
    np.testing.assert_allclose(lrs_e, lrs_t, rtol=1e-12)
    assert_same(traj_e, traj_t)


def test_scheduler_closed_form_with_epoch_matches_pytorch():
    out = {}
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        scheds = [lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
                  lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 6]),
                  lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=9),
                  lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
                  lib.optim.lr_scheduler.LinearLR(opt, total_iters=4)]
        opt.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            out[lib] = [(s.step(7), s.get_last_lr())[1] for s in scheds]
    np.testing.assert_allclose(out[ember], out[torch], rtol=1e-12)


def test_scheduler_state_dict_round_trip():
    ps = [ember.zeros(2, requires_grad=True)]
    opt = optim.SGD(ps, lr=0.1)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4
    opt2 = optim.SGD([ember.zeros(2, requires_grad=True)], lr=0.1)
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(3):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_scheduler_warns_when_stepped_before_optimizer():
    opt = optim.SGD([ember.zeros(2, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9)),
                                     ("Adam", dict(lr=0.02, amsgrad=True, weight_decay=0.1,
                                                   maximize=True)),
                                     ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True))])
def test_state_dict_round_trip_continues_the_same_trajectory(name, kw):
    make_e, _ = both(name, **kw)
    full, _ = train(ember, make_e)
    saved = {}

    def save(i, opt, ps):
        if i == 9:
            saved["opt"] = opt.state_dict()

    train(ember, make_e, steps=10, every=save)
    sd = saved["opt"]
    assert sorted(sd) == ["param_groups", "state"]
    assert sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    if name != "SGD":
        assert isinstance(sd["state"][0]["step"], ember.Tensor)
        assert sd["state"][0]["step"].item() == 10.0
    # A fresh optimizer over parameters holding the step-10 values continues alike.
    resumed_init = {k: full[9][i].astype(np.float64) for i, k in enumerate(SHAPES)}
    params = ember_params(init=resumed_init)
    opt = getattr(optim, name)(params, **kw)
    opt.load_state_dict(sd)
    rest, _ = train(ember, lambda ps: opt, params=params, steps=10)
    assert_same(rest, full[10:])


def test_load_pytorch_state_dict():
    _, make_t = both("Adam", lr=0.02, amsgrad=True)
    tparams = torch_params()
    topt = make_t(tparams)
    train(torch, lambda ps: topt, params=tparams, steps=5)
    init = {k: p.detach().numpy().astype(np.float64) for k, p in zip(SHAPES, tparams,
                                                                       strict=True)}
    params = ember_params(init=init)
    opt = optim.Adam(params, lr=0.1)
    opt.load_state_dict(topt.state_dict())
    assert opt.param_groups[0]["lr"] == 0.02
    assert opt.state[params[0]]["step"] == 5.0
    traj_e, _ = train(ember, lambda ps: opt, params=params, steps=5)
    traj_t, _ = train(torch, lambda ps: topt, params=tparams, steps=5)
    assert_same(traj_e, traj_t)


def test_zero_grad_and_step_closure():
    params = ember_params()
    opt = optim.SGD(params, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_fn(ember, params, np.float32)
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert isinstance(loss, ember.Tensor) and params[0].grad is not None
    opt.zero_grad(set_to_none=False)
    assert all(np.array_equal(p.grad.numpy(), np.zeros(p.shape)) for p in params)
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_custom_optimizer_subclass_step_is_realized():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=optim.optimizer.required):
            super().__init__(params, dict(lr=lr))

        @ember.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad.sign() * group["lr"])
                        self.state[p]["count"] = self.state[p].get("count", 0) + 1

    with pytest.raises(ValueError, match="required optimization parameter lr"):
        SignSGD([ember.zeros(2, requires_grad=True)])
    p = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    opt = SignSGD([p], lr=0.5)
    (p * p).sum().backward()
    opt.step()
    assert p._node.buffer is not None and p.requires_grad and p.is_leaf
    np.testing.assert_array_equal(p.numpy(), [0.5, -1.5, 2.5])
    assert opt.state_dict()["state"] == {0: {"count": 1}}


def test_step_shares_hyperparameters_and_points_at_the_step_line():
    """A step's equal Python numbers (betas, eps, bias corrections) enter its region
    once, not once per parameter and use; its ops carry the line that called step."""
    from ember.runtime.cache import captured_regions

    rng = np.random.default_rng(3)
    params = [ember.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True)
              for s in [(4, 3), (3,), (3, 2), (2,)]]
    opt = optim.Adam(params, lr=0.01)
    for p in params:
        p.grad = ember.ones_like(p)
    with captured_regions() as modules:
        opt.step(); line = _this_line()  # noqa: E702
    (module,) = modules
    text = str(module)
    scalars = text.split("func.func @main(")[1].split(")")[0].count("tensor<f32>")
    # lerp weight, beta2, 1 - beta2, bias correction, eps, -step size: 6, not 6 * 4.
    assert scalars == 6
    located = module.operation.get_asm(enable_debug_info=True)
    assert f'test_optim.py":{line}' in located
    # Outside a step, each number is its own input again (nothing left shared).
    x = ember.ones(3)
    with captured_regions() as modules:
        (x * 0.5 + x * 0.5).numpy()
    main = str(modules[0]).split("func.func @main(")[1].split(")")[0]
    assert main.count("tensor<f32>") == 2


def test_step_scope_is_per_thread():
    """Another thread recording while a step runs keeps its own lines and scalars."""
    import threading

    from ember.optim.optimizer import _StepScope

    seen = {}

    def record():
        x = ember.ones(2)
        seen["line"] = _this_line() + 1
        y = x * 0.25
        seen["loc"] = y._node.loc
        seen["scalar"] = y._node.inputs[1]

    with _StepScope():
        mine = (ember.ones(2) * 0.25)._node.inputs[1]
        worker = threading.Thread(target=record)
        worker.start()
        worker.join()
        again = (ember.ones(2) * 0.25)._node.inputs[1]
    assert seen["loc"][1] == seen["line"]
    assert mine is again and seen["scalar"] is not mine


def _this_line() -> int:
    import inspect

    return inspect.currentframe().f_back.f_lineno


def test_optimizer_errors():
    p = ember.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.Adam(p)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=1)
    with pytest.raises(ValueError, match="total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(NotImplementedError, match="differentiable"):
        optim.Adam([p], differentiable=True)


def _grads(lib, dtype=np.float32):
    params = ember_params(dtype) if lib is ember else torch_params(dtype)
    loss_fn(lib, params, dtype).backward()
    return params


@pytest.mark.parametrize("norm_type,max_norm", [(2.0, 0.05), (math.inf, 0.02), (1.5, 100.0)])
def test_clip_grad_norm_matches_pytorch(norm_type, max_norm):
    pe, pt = _grads(ember), _grads(torch)
    total_e = nn_utils.clip_grad_norm_(pe, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    assert isinstance(total_e, ember.Tensor) and total_e.shape == ()
    np.testing.assert_allclose(total_e.item(), total_t.item(), rtol=1e-5)
    for a, b in zip(pe, pt, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_then_step_and_nonfinite():
    pe, pt = _grads(ember), _grads(torch)
    nn_utils.clip_grad_norm_(pe, 0.05)
    torch.nn.utils.clip_grad_norm_(pt, 0.05)
    optim.SGD(pe, lr=0.5, momentum=0.9).step()
    torch.optim.SGD(pt, lr=0.5, momentum=0.9).step()
    for a, b in zip(pe, pt, strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5,
                                   atol=1e-7)
    p = ember.zeros(2, requires_grad=True)
    p.grad = ember.tensor([1.0, float("inf")])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn_utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_pytorch():
    pe, pt = _grads(ember), _grads(torch)
    nn_utils.clip_grad_value_(pe, 0.01)
    torch.nn.utils.clip_grad_value_(pt, 0.01)
    for a, b in zip(pe, pt, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert max(np.abs(p.grad.numpy()).max() for p in pe) == np.float32(0.01)
