"""Ember against PyTorch eager, torch.compile and JAX jit: same workloads, one run.

    python bench/compare.py                       # everything (a few minutes)
    python bench/compare.py --only matmul,mlp     # some workloads
    python bench/compare.py --skip-compile        # without torch.compile (slow to compile)

Every framework gets the same inputs (NumPy, fixed seeds), the same initial weights
(PyTorch's, copied), the same shapes and the same number of threads (PyTorch:
``torch.set_num_threads``; JAX: ``XLA_FLAGS``, set before JAX is imported; Ember:
``ember.set_num_threads``). Each workload first checks that the frameworks agree
with PyTorch eager (outputs, losses, gradients), then times warmup + the median of
``--repeat`` samples. The table gives each framework's number, its ratio to PyTorch
eager (> 1: faster than eager) and the fraction of the machine limit (peak FP32 FLOP/s
from the ISA, or a NumPy STREAM-triad bandwidth) reached by Ember and by the best
framework. See bench/README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

FRAMEWORKS = ("ember", "eager", "compile", "jax")
TITLES = {"ember": "ember", "eager": "torch eager", "compile": "torch.compile", "jax": "jax jit"}
WORKLOADS = ("matmul", "fused", "softmax", "layernorm", "mlp", "transformer", "cnn",
             "first_call")

ember = torch = jax = jnp = None  # imported by _import_frameworks once XLA_FLAGS is set
JAX_MISSING = ""
ALL_CPUS: list[int] = []


# -- machine limits -------------------------------------------------------------------


@dataclass
class Limits:
    peak_flops: float
    peak_note: str
    stream_bw: float
    stream_note: str


def _cpuinfo() -> tuple[set[str], int, float, str, bool]:
    """Flags, physical cores, nominal GHz, where the GHz came from (/proc/cpuinfo), and
    whether the CPU is an AMD Zen 4: family 25 (Zen 3 / Zen 4) with AVX-512, whose FMA
    units are 256 bits wide (an AVX-512 instruction takes two passes)."""
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return set(), os.cpu_count() or 1, 0.0, "no /proc/cpuinfo", False
    flags = set(re.search(r"^flags\s*:(.*)$", text, re.M).group(1).split())
    cores = {(m.group(1), m.group(2)) for m in re.finditer(
        r"physical id\s*:\s*(\d+).*?core id\s*:\s*(\d+)", text, re.S)}
    ncores = len(cores) or text.count("processor\t:") or os.cpu_count() or 1
    vendor = re.search(r"^vendor_id\s*:\s*(\S+)", text, re.M)
    family = re.search(r"^cpu family\s*:\s*(\d+)", text, re.M)
    zen4 = bool(vendor and family and vendor.group(1) == "AuthenticAMD"
                and family.group(1) == "25" and "avx512f" in flags)
    model = re.search(r"^model name\s*:(.*)$", text, re.M)
    ghz = re.search(r"@\s*([\d.]+)\s*GHz", model.group(1)) if model else None
    if ghz:
        return flags, ncores, float(ghz.group(1)), "model name", zen4
    mhz = re.search(r"^cpu MHz\s*:\s*([\d.]+)", text, re.M)
    return flags, ncores, (float(mhz.group(1)) / 1e3 if mhz else 0.0), "'cpu MHz'", zen4


def peak_flops() -> tuple[float, str]:
    """lanes x 2 FMA units x 2 flops x cores x GHz, the ISA from /proc/cpuinfo's flags."""
    flags, cores, ghz, source, zen4 = _cpuinfo()
    if zen4:
        isa, lanes, fma = "AVX-512 on AMD Zen 4 (256-bit FMA units, two passes each)", 8, 2
    elif "avx512f" in flags:
        isa, lanes, fma = "AVX-512 FMA", 16, 2
    elif "avx2" in flags and "fma" in flags:
        isa, lanes, fma = "AVX2 FMA", 8, 2
    elif "avx" in flags:
        isa, lanes, fma = "AVX (no FMA: add + mul ports)", 8, 1
    else:
        isa, lanes, fma = "SSE (no FMA: add + mul ports)", 4, 1
    peak = lanes * 2 * fma * cores * ghz * 1e9
    note = (f"{isa}: {lanes} f32 lanes x 2 units x {2 if fma == 2 else 1} flops x {cores} "
            f"cores x {ghz:.2f} GHz ({source}, nominal) = {peak / 1e9:.0f} GFLOP/s; assumes "
            f"2 FMA units of that width per core at the nominal clock (a boost clock can "
            f"take a row past 100%)")
    return peak, note


def stream_triad(threads: int, n: int = 1 << 24, block: int = 1 << 15,
                 tries: int = 5) -> tuple[float, float]:
    """STREAM triad ``a = b + s*c`` in float64 with NumPy, blocked so that ``s*c`` stays
    in cache; best of ``tries``, bytes counted as 3 arrays. Returns (GB/s with 1 thread,
    GB/s with ``threads`` threads, one slice each)."""
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    s = 3.0

    def triad(lo: int, hi: int) -> None:
        tmp = np.empty(block)
        for i in range(lo, hi, block):
            j = min(i + block, hi)
            t = tmp[: j - i]
            np.multiply(c[i:j], s, out=t)
            np.add(b[i:j], t, out=a[i:j])

    def best(nthreads: int) -> float:
        bounds = np.linspace(0, n, nthreads + 1).astype(int)
        times = []
        with concurrent.futures.ThreadPoolExecutor(nthreads) as pool:
            for _ in range(tries):
                t0 = time.perf_counter()
                list(pool.map(triad, bounds[:-1], bounds[1:]))
                times.append(time.perf_counter() - t0)
        return 3 * 8 * n / min(times) / 1e9

    one = best(1)
    many = best(threads) if threads > 1 else one
    assert np.all(a == 7.0)
    return one, many


def machine_limits() -> Limits:
    """The whole machine's limits (measured on every usable CPU, even when the
    frameworks are pinned to fewer)."""
    peak, peak_note = peak_flops()
    pinned = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if pinned is not None and ALL_CPUS:
        os.sched_setaffinity(0, ALL_CPUS)
    threads = len(ALL_CPUS) or os.cpu_count() or 1
    try:
        one, many = stream_triad(threads)
    finally:
        if pinned is not None and ALL_CPUS:
            os.sched_setaffinity(0, pinned)
    note = (f"NumPy estimate: triad a = b + s*c on 3 x 128 MiB float64 arrays, best of 5, "
            f"3 arrays counted; {one:.1f} GB/s on 1 thread, {many:.1f} GB/s on {threads}")
    return Limits(peak, peak_note, max(one, many) * 1e9, note)


# -- timing and checks ----------------------------------------------------------------


def timeit(fn: Callable[[], object], repeat: int, min_time: float = 0.1) -> float:
    """Seconds per call: one warmup call, calls per sample grown until a sample takes
    ``min_time``, then the median of ``repeat`` samples."""
    fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= min_time or number >= 1 << 12:
            break
        number *= 2
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def rel_err(got: list[np.ndarray], ref: list[np.ndarray]) -> float:
    """The largest ``max|got - ref| / max|ref|`` over pairs of arrays."""
    if len(got) != len(ref):
        return math.inf
    err = 0.0
    for g, r in zip(got, ref, strict=True):
        g, r = np.asarray(g, np.float64), np.asarray(r, np.float64)
        if g.shape != r.shape:
            return math.inf
        err = max(err, float(np.max(np.abs(g - r))) / max(float(np.max(np.abs(r))), 1e-30))
    return err


@dataclass
class Row:
    name: str
    metric: str
    higher_better: bool
    values: dict[str, float | str] = field(default_factory=dict)
    check: str = ""
    fraction: Callable[[float], float] | None = None
    working_set: int = 0  # bytes, for rows measured against the DRAM bandwidth


Setup = Callable[[], tuple[Callable[[], object], list[np.ndarray]]]


def run_row(row: Row, setups: dict[str, Setup], convert: Callable[[float], float],
            disabled: dict[str, str], repeat: int, tol: float) -> Row:
    """Sets up each framework (which returns its timed function and the arrays to check),
    checks them against PyTorch eager's, times them."""
    outs: dict[str, list[np.ndarray]] = {}
    for fw in FRAMEWORKS:
        if fw in disabled:
            row.values[fw] = f"n/a: {disabled[fw]}"
            continue
        if fw not in setups:
            continue
        time.sleep(0.2)  # let the previous framework's spinning worker threads go idle
        try:
            fn, outs[fw] = setups[fw]()
            row.values[fw] = convert(timeit(fn, repeat))
        except Exception as e:  # a framework failing a workload is reported, not fatal
            msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
            row.values[fw] = f"n/a: {type(e).__name__}: {msg[:120]}"
        print(f"  {row.name:28} {TITLES[fw]:14} {_fmt(row.values[fw]):>9}", file=sys.stderr)
    ref = outs.get("eager")
    errs = {fw: rel_err(o, ref) for fw, o in outs.items() if fw != "eager" and ref is not None}
    bad = {fw: e for fw, e in errs.items() if not e <= tol}
    worst = max(errs.values(), default=0.0)
    if ref is None:
        row.check = "no ref"
    elif bad:
        row.check = "DIFF " + ",".join(f"{fw}:{e:.0e}" for fw, e in bad.items())
    else:
        row.check = f"ok {worst:.0e}"
    return row


def _fmt(v: float | str) -> str:
    if isinstance(v, str):
        return "n/a"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


# -- the frameworks --------------------------------------------------------------------


def _import_frameworks(threads: int) -> None:
    """Imports Ember, PyTorch and (if installed) JAX with ``threads`` threads each."""
    global ember, torch, jax, jnp, JAX_MISSING
    flags = os.environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags:
        os.environ["XLA_FLAGS"] = (f"{flags} --xla_cpu_multi_thread_eigen=true "
                                   f"intra_op_parallelism_threads={threads}").strip()
    import ember as _ember
    import torch as _torch

    ember, torch = _ember, _torch
    torch.set_num_threads(threads)
    ember.set_num_threads(threads)
    try:
        import jax as _jax
        import jax.numpy as _jnp

        jax, jnp = _jax, _jnp
    except ImportError as e:
        JAX_MISSING = f"jax not installed ({e})"


def _pin_cpus(threads: int) -> str:
    """With fewer threads than usable CPUs, pins this process (and its workers) to
    ``threads`` CPUs: XLA's CPU runtime sizes its thread pool from the CPUs it may use
    and does not honour ``intra_op_parallelism_threads``."""
    if not hasattr(os, "sched_setaffinity"):
        return ""
    cpus = sorted(os.sched_getaffinity(0))
    ALL_CPUS[:] = cpus
    if threads >= len(cpus):
        return ""
    os.sched_setaffinity(0, cpus[:threads])
    return f"; process pinned to CPUs {cpus[:threads]} (XLA ignores the thread flag)"


def _ember_sync(*trees) -> None:
    ember.realize(*[t for t in trees if isinstance(t, ember.Tensor)])


def _jax_block(tree) -> None:
    jax.tree_util.tree_map(lambda a: a.block_until_ready(), tree)


def _torch_compile(fn):
    return torch.compile(fn, dynamic=False)


# -- 1-3: kernels ------------------------------------------------------------------------


def _op_setups(np_inputs: list[np.ndarray], ember_fn, torch_fn, jax_fn) -> dict[str, Setup]:
    """Setups for a function of arrays written once per framework."""

    def ember_setup():
        xs = [ember.from_numpy(a) for a in np_inputs]
        fn = lambda: ember_fn(*xs).numpy()  # noqa: E731
        return fn, [fn()]

    def torch_setup(compiled: bool):
        xs = [torch.from_numpy(a) for a in np_inputs]
        f = _torch_compile(torch_fn) if compiled else torch_fn
        fn = lambda: f(*xs)  # noqa: E731
        return fn, [fn().numpy()]

    def jax_setup():
        xs = [jnp.asarray(a) for a in np_inputs]
        f = jax.jit(jax_fn)
        fn = lambda: f(*xs).block_until_ready()  # noqa: E731
        return fn, [np.asarray(fn())]

    return {"ember": ember_setup, "eager": lambda: torch_setup(False),
            "compile": lambda: torch_setup(True), "jax": jax_setup}


def matmul_rows(n: int, ctx: Context) -> Row:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    setups = _op_setups([a, b], lambda x, y: x @ y, lambda x, y: x @ y, lambda x, y: x @ y)
    row = Row(f"matmul {n}^3 f32", "GFLOP/s", True,
              fraction=lambda v: v * 1e9 / ctx.limits.peak_flops)
    return ctx.run(row, setups, lambda s: 2 * n**3 / s / 1e9, tol=1e-5)


def _gelu_torch(x, w, b):
    return torch.nn.functional.gelu(x * w + b) * torch.sigmoid(x)


def fused_row(ctx: Context) -> Row:
    n = 4 * 1024 * 1024
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(n, dtype=np.float32) for _ in range(3)]
    import ember.nn.functional as F

    setups = _op_setups(xs, lambda x, w, b: F.gelu(x * w + b) * x.sigmoid(), _gelu_torch,
                        lambda x, w, b: jax.nn.gelu(x * w + b, approximate=False)
                        * jax.nn.sigmoid(x))
    row = Row("gelu(x*w+b)*sigmoid(x) 4M f32", "GB/s", True,
              fraction=lambda v: v * 1e9 / ctx.limits.stream_bw, working_set=4 * 4 * n)
    return ctx.run(row, setups, lambda s: 4 * 4 * n / s / 1e9, tol=1e-5)


def _jax_layer_norm(x, weight=None, bias=None, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    y = (x - mean) / jnp.sqrt(var + eps)
    return y if weight is None else y * weight + bias


def norm_row(kind: str, ctx: Context) -> Row:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4096, 1024), dtype=np.float32)
    import ember.nn.functional as F

    if kind == "softmax":
        fns = (lambda t: F.softmax(t, dim=-1), lambda t: torch.softmax(t, dim=-1),
               lambda t: jax.nn.softmax(t, axis=-1))
    else:
        fns = (lambda t: F.layer_norm(t, (1024,)),
               lambda t: torch.nn.functional.layer_norm(t, (1024,)), _jax_layer_norm)
    row = Row(f"{kind} (4096,1024) f32", "GB/s", True,
              fraction=lambda v: v * 1e9 / ctx.limits.stream_bw, working_set=2 * x.nbytes)
    return ctx.run(row, _op_setups([x], *fns), lambda s: 2 * x.nbytes / s / 1e9, tol=1e-5)


# -- 4, 6, 7: training steps -----------------------------------------------------------


def mlp_model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def cnn_model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def _jax_mlp(p, x):
    h = jax.nn.relu(x @ p["0.weight"].T + p["0.bias"])
    h = jax.nn.relu(h @ p["2.weight"].T + p["2.bias"])
    return h @ p["4.weight"].T + p["4.bias"]


def _jax_cnn(p, x):
    def conv(h, i):
        dn = ("NCHW", "OIHW", "NCHW")
        out = jax.lax.conv_general_dilated(h, p[f"{i}.weight"], (1, 1), ((1, 1), (1, 1)),
                                           dimension_numbers=dn)
        return jax.nn.relu(out + p[f"{i}.bias"][None, :, None, None])

    def pool(h):
        b, c, hh, ww = h.shape
        return h.reshape(b, c, hh // 2, 2, ww // 2, 2).max(axis=(3, 5))

    h = pool(conv(pool(conv(x, 0)), 3))
    return h.reshape(h.shape[0], -1) @ p["7.weight"].T + p["7.bias"]


@dataclass
class TrainSpec:
    """A classifier training step: model builder, JAX forward, data, optimizer."""
    make: Callable
    jax_forward: Callable
    x: np.ndarray
    y: np.ndarray
    optimizer: str  # "adam" (lr 1e-3) or "sgd" (lr 0.01, momentum 0.9)
    init: dict[str, np.ndarray] = field(default_factory=dict)

    def build_init(self) -> None:
        torch.manual_seed(0)
        self.init = {k: v.detach().numpy().copy() for k, v in self.make(torch).state_dict().items()}

    def optim(self, lib, params):
        if self.optimizer == "adam":
            return lib.optim.Adam(params, lr=1e-3)
        return lib.optim.SGD(params, lr=0.01, momentum=0.9)


def mlp_spec() -> TrainSpec:
    rng = np.random.default_rng(0)
    return TrainSpec(mlp_model, _jax_mlp, rng.standard_normal((128, 784), dtype=np.float32),
                     rng.integers(0, 10, 128), "adam")


def cnn_spec() -> TrainSpec:
    rng = np.random.default_rng(1)
    return TrainSpec(cnn_model, _jax_cnn, rng.standard_normal((64, 1, 28, 28), dtype=np.float32),
                     rng.integers(0, 10, 64), "sgd")


def train_ember(spec: TrainSpec):
    """(step, sync): ``step()`` trains once and returns the loss; ``sync()`` realizes the
    parameters and optimizer state (the update is otherwise folded into the next step)."""
    from ember import nn

    model = spec.make(ember)
    model.load_state_dict({k: ember.tensor(v) for k, v in spec.init.items()})
    opt = spec.optim(ember, model.parameters())
    x, y = ember.tensor(spec.x), ember.tensor(spec.y)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def sync():
        _ember_sync(*model.parameters(), *[v for s in opt.state.values() for v in s.values()])

    return step, sync


def train_torch(spec: TrainSpec, compiled: bool):
    """(step, sync) for PyTorch; compiled: the model + loss under ``torch.compile`` (its
    backward is compiled by AOTAutograd), the optimizer eager."""
    model = spec.make(torch)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in spec.init.items()})
    opt = spec.optim(torch, model.parameters())
    x, y = torch.from_numpy(spec.x), torch.from_numpy(spec.y)

    def loss_fn(a, b):
        return torch.nn.functional.cross_entropy(model(a), b)

    loss_fn = _torch_compile(loss_fn) if compiled else loss_fn

    def step():
        opt.zero_grad()
        loss = loss_fn(x, y)
        loss.backward()
        opt.step()
        return loss.item()

    return step, lambda: None


def train_jax(spec: TrainSpec):
    """(step, sync) for JAX: loss, gradients and the optimizer (written out as PyTorch's
    Adam / SGD with momentum) in one jitted function."""
    forward = spec.jax_forward
    tm = jax.tree_util.tree_map

    def loss_fn(p, x, y):
        logp = jax.nn.log_softmax(forward(p, x), axis=-1)
        return -jnp.take_along_axis(logp, y[:, None], axis=1).mean()

    if spec.optimizer == "adam":
        lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8

        def update(p, s, g, t):
            m = tm(lambda m, g: b1 * m + (1 - b1) * g, s[0], g)
            v = tm(lambda v, g: b2 * v + (1 - b2) * g * g, s[1], g)
            c1, c2 = 1 - b1**t, jnp.sqrt(1 - b2**t)
            p = tm(lambda p, m, v: p - lr / c1 * m / (jnp.sqrt(v) / c2 + eps), p, m, v)
            return p, (m, v)
    else:
        lr, mom = 0.01, 0.9

        def update(p, s, g, t):
            buf = tm(lambda b, g: mom * b + g, s[0], g)
            return tm(lambda p, b: p - lr * b, p, buf), (buf,)

    @jax.jit
    def train_step(p, s, t, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        p, s = update(p, s, g, t)
        return p, s, loss

    params = {k: jnp.asarray(v) for k, v in spec.init.items()}
    zeros = tm(jnp.zeros_like, params)
    st = {"p": params, "s": (zeros, zeros) if spec.optimizer == "adam" else (zeros,), "t": 0}
    x, y = jnp.asarray(spec.x), jnp.asarray(spec.y.astype(np.int32))

    def step():
        st["t"] += 1
        st["p"], st["s"], loss = train_step(st["p"], st["s"], jnp.float32(st["t"]), x, y)
        return float(loss)

    return step, lambda: _jax_block((st["p"], st["s"]))


def _train_setups(spec: TrainSpec) -> dict[str, Setup]:
    def setup(make):
        def run():
            step, _ = make()
            return step, [np.array([step() for _ in range(3)])]
        return run

    return {"ember": setup(lambda: train_ember(spec)),
            "eager": setup(lambda: train_torch(spec, False)),
            "compile": setup(lambda: train_torch(spec, True)),
            "jax": setup(lambda: train_jax(spec))}


def _dense_step_flops(batch: int, dims: list[int]) -> float:
    """Matmul FLOPs of a forward + backward of an MLP (no input gradient for layer 1)."""
    layers = [2 * batch * i * o for i, o in zip(dims, dims[1:], strict=False)]
    return 3 * sum(layers) - layers[0]


def mlp_row(ctx: Context) -> Row:
    spec = mlp_spec()
    spec.build_init()
    flops = _dense_step_flops(128, [784, 512, 512, 10])
    row = Row("MLP 784-512-512-10 Adam b128", "ms/step", False,
              fraction=lambda v: flops / (v / 1e3) / ctx.limits.peak_flops)
    return ctx.run(row, _train_setups(spec), lambda s: s * 1e3, tol=1e-4)


def cnn_row(ctx: Context) -> Row:
    spec = cnn_spec()
    spec.build_init()
    b = 64
    fwd = 2 * b * (28 * 28 * 16 * 9 + 14 * 14 * 32 * 16 * 9 + 32 * 7 * 7 * 10)
    row = Row("CNN 1x28x28 SGD b64", "ms/step", False,
              fraction=lambda v: 3 * fwd / (v / 1e3) / ctx.limits.peak_flops)
    return ctx.run(row, _train_setups(spec), lambda s: s * 1e3, tol=1e-4)


# -- 5: transformer encoder layer --------------------------------------------------------

D_MODEL, NHEAD, FFN, SEQ, BATCH = 256, 4, 1024, 128, 16


def _jax_encoder_loss(p, x, g):
    b, s, d = x.shape
    dh = d // NHEAD
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]

    def heads(t):
        return t.reshape(b, s, NHEAD, dh).transpose(0, 2, 1, 3)

    q, k, v = (heads(t) for t in jnp.split(qkv, 3, axis=-1))
    att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh), axis=-1)
    o = (att @ v).transpose(0, 2, 1, 3).reshape(b, s, d)
    o = o @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]
    h = _jax_layer_norm(x + o, p["norm1.weight"], p["norm1.bias"])
    f = jax.nn.relu(h @ p["linear1.weight"].T + p["linear1.bias"])
    f = f @ p["linear2.weight"].T + p["linear2.bias"]
    return jnp.sum(_jax_layer_norm(h + f, p["norm2.weight"], p["norm2.bias"]) * g)


def transformer_row(ctx: Context) -> Row:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32)
    g = rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32)
    torch.manual_seed(0)
    ref_layer = torch.nn.TransformerEncoderLayer(D_MODEL, NHEAD, FFN, dropout=0.0,
                                                 batch_first=True)
    init = {k: v.detach().numpy().copy() for k, v in ref_layer.state_dict().items()}
    names = [k for k, _ in ref_layer.named_parameters()]

    def ember_setup():
        layer = ember.nn.TransformerEncoderLayer(D_MODEL, NHEAD, FFN, dropout=0.0,
                                                 batch_first=True)
        layer.load_state_dict({k: ember.tensor(v) for k, v in init.items()})
        params = dict(layer.named_parameters())
        ex, eg = ember.tensor(x), ember.tensor(g)

        def step():
            layer.zero_grad()
            loss = (layer(ex) * eg).sum()
            loss.backward()
            _ember_sync(loss, *[p.grad for p in params.values()])
            return loss.item()

        loss = step()
        return step, [np.array(loss)] + [params[k].grad.numpy() for k in names]

    def torch_setup(compiled: bool):
        layer = copy.deepcopy(ref_layer)
        params = dict(layer.named_parameters())
        tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        fwd = _torch_compile(layer) if compiled else layer

        def step():
            layer.zero_grad()
            loss = (fwd(tx) * tg).sum()
            loss.backward()
            return loss.item()

        loss = step()
        return step, [np.array(loss)] + [params[k].grad.numpy().copy() for k in names]

    def jax_setup():
        p = {k: jnp.asarray(init[k]) for k in names}
        jx, jg = jnp.asarray(x), jnp.asarray(g)
        f = jax.jit(jax.value_and_grad(_jax_encoder_loss))

        def step():
            loss, grads = f(p, jx, jg)
            _jax_block(grads)
            return float(loss), grads

        loss, grads = step()
        return step, [np.array(loss)] + [np.asarray(grads[k]) for k in names]

    tokens = BATCH * SEQ
    fwd = tokens * (2 * 4 * D_MODEL**2 + 2 * 2 * SEQ * D_MODEL + 2 * 2 * D_MODEL * FFN)
    row = Row(f"encoder layer fwd+bwd s{SEQ} b{BATCH}", "ms", False,
              fraction=lambda v: 3 * fwd / (v / 1e3) / ctx.limits.peak_flops)
    setups = {"ember": ember_setup, "eager": lambda: torch_setup(False),
              "compile": lambda: torch_setup(True), "jax": jax_setup}
    return ctx.run(row, setups, lambda s: s * 1e3, tol=1e-4)


# -- 7: first call ----------------------------------------------------------------------


def first_call_worker(fw: str) -> None:
    """In a fresh process: one MLP step + realizing parameters and optimizer state, timed
    from the first call (model building and imports excluded); prints JSON."""
    spec = mlp_spec()
    spec.build_init()
    if fw == "ember":
        step, sync = train_ember(spec)
    elif fw == "jax":
        step, sync = train_jax(spec)
    else:
        step, sync = train_torch(spec, compiled=fw == "compile")
    t0 = time.perf_counter()
    loss = step()
    sync()
    print(json.dumps({"seconds": time.perf_counter() - t0, "loss": loss}))


def _spawn(fw: str, env: dict[str, str], threads: int) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(threads),
           "--first-call-worker", fw]
    proc = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=900)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"worker exited {proc.returncode}: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def first_call_rows(ctx: Context) -> list[Row]:
    """Cold: fresh processes and empty compile caches (Ember's disk cache, Inductor's,
    JAX's persistent cache); warm: a second process on the same cache directories."""
    tmp = tempfile.mkdtemp(prefix="ember-compare-")
    envs = {"ember": {"EMBER_CACHE_DIR": os.path.join(tmp, "ember")},
            "eager": {},
            "compile": {"TORCHINDUCTOR_CACHE_DIR": os.path.join(tmp, "inductor")},
            "jax": {"JAX_COMPILATION_CACHE_DIR": os.path.join(tmp, "jax"),
                    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
                    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1"}}
    cold = Row("MLP step first call, cold", "s", False)
    warm = Row("  ... 2nd process, warm cache", "s", False)
    losses = {}
    for label, row, fws in (("cold", cold, FRAMEWORKS), ("warm", warm, ("ember", "compile",
                                                                        "jax"))):
        for fw in fws:
            if fw in ctx.disabled:
                row.values[fw] = f"n/a: {ctx.disabled[fw]}"
                continue
            try:
                out = _spawn(fw, envs[fw], ctx.threads)
                row.values[fw] = out["seconds"]
                losses[(fw, label)] = out["loss"]
            except Exception as e:
                row.values[fw] = f"n/a: {type(e).__name__}: {str(e)[:120]}"
            print(f"  {row.name:28} {TITLES[fw]:14} {_fmt(row.values[fw]):>9}", file=sys.stderr)
    ref = losses.get(("eager", "cold"))
    for label, row in (("cold", cold), ("warm", warm)):
        errs = {fw: abs(v - ref) / max(abs(ref), 1e-30) for (fw, lab), v in losses.items()
                if lab == label and fw != "eager" and ref is not None}
        bad = {fw: e for fw, e in errs.items() if not e <= 1e-4}
        row.check = ("no ref" if ref is None else "DIFF " + ",".join(bad) if bad
                     else f"ok {max(errs.values(), default=0.0):.0e}")
    warm.values["eager"] = "n/a: nothing to cache"
    return [cold, warm]


# -- the table ----------------------------------------------------------------------------


@dataclass
class Context:
    threads: int
    repeat: int
    disabled: dict[str, str]
    limits: Limits | None = None

    def run(self, row: Row, setups: dict[str, Setup], convert, tol: float) -> Row:
        return run_row(row, setups, convert, self.disabled, self.repeat, tol)


def _ratio(row: Row, fw: str) -> str:
    v, e = row.values.get(fw), row.values.get("eager")
    if not isinstance(v, float) or not isinstance(e, float) or v <= 0 or e <= 0:
        return "-"
    r = v / e if row.higher_better else e / v
    return f"{r:.2f}" if r >= 0.01 else f"{r:.1e}"


def _fraction(row: Row) -> str:
    if row.fraction is None:
        return "-"
    nums = {fw: v for fw, v in row.values.items() if isinstance(v, float)}
    if not nums:
        return "-"
    best = (max if row.higher_better else min)(nums.values())
    mine = nums.get("ember")
    left = f"{100 * row.fraction(mine):.1f}%" if mine is not None else "n/a"
    return f"{left} / {100 * row.fraction(best):.1f}%"


def _l3_bytes() -> int:
    try:
        size = open("/sys/devices/system/cpu/cpu0/cache/index3/size").read().strip()
    except OSError:
        return 0
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(size[-1:], 1)
    return int(size.rstrip("KMG")) * scale


def print_table(rows: list[Row], ctx: Context) -> None:
    head = (f"{'workload':34} {'metric':8} " + " ".join(f"{TITLES[f]:>13}" for f in FRAMEWORKS)
            + f" {'ember/eager':>11} {'comp/eager':>10} {'jax/eager':>9} "
              f"{'check':>10}  {'% of limit: ember / best'}")
    print(head)
    print("-" * len(head))
    notes: list[str] = []
    for row in rows:
        cells = []
        for fw in FRAMEWORKS:
            v = row.values.get(fw, "n/a: not run")
            if isinstance(v, str):
                reason = v.removeprefix("n/a: ")
                if reason not in notes:
                    notes.append(reason)
                cells.append(f"n/a[{notes.index(reason) + 1}]")
            else:
                cells.append(_fmt(v))
        print(f"{row.name:34} {row.metric:8} " + " ".join(f"{c:>13}" for c in cells)
              + f" {_ratio(row, 'ember'):>11} {_ratio(row, 'compile'):>10} "
                f"{_ratio(row, 'jax'):>9} {row.check:>10}  {_fraction(row)}")
    for i, note in enumerate(notes, 1):
        print(f"  [{i}] {note}")
    l3 = _l3_bytes()
    for r in rows:
        if r.working_set and r.working_set <= l3:
            print(f"note: {r.name.strip()} moves {r.working_set >> 20} MiB, which fits in the "
                  f"{l3 >> 20} MiB L3 cache: its % of the DRAM bandwidth can pass 100%.")
    print("ratios: PyTorch eager's time / the framework's (or rate / eager's rate); > 1 is "
          "faster than eager.\ncheck: largest max|x - eager| / max|eager| over outputs, "
          "losses of the first 3 steps, gradients (DIFF: over tolerance).\n"
          "% of limit: GFLOP/s rows against peak FLOP/s, GB/s rows against STREAM triad, "
          "step rows as matmul/conv FLOPs (x3 for forward + backward) per second against "
          "peak FLOP/s.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="",
                        help=f"comma-separated workloads among {','.join(WORKLOADS)}")
    parser.add_argument("--repeat", type=int, default=5, help="timed samples (median)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for PyTorch and JAX (default: the number of cores)")
    parser.add_argument("--skip-compile", action="store_true", help="skip torch.compile")
    parser.add_argument("--first-call-worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.threads < 1:
        parser.error("--repeat and --threads must be at least 1")
    only = [w for w in args.only.split(",") if w] or list(WORKLOADS)
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose among "
                     f"{', '.join(WORKLOADS)}")
    if args.first_call_worker is None:
        os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-bench-"))
    pinned = _pin_cpus(args.threads)
    _import_frameworks(args.threads)
    if args.first_call_worker:
        first_call_worker(args.first_call_worker)
        return

    disabled = {}
    if args.skip_compile:
        disabled["compile"] = "skipped (--skip-compile)"
    if JAX_MISSING:
        disabled["jax"] = JAX_MISSING
    ctx = Context(args.threads, args.repeat, disabled)
    ctx.limits = machine_limits()
    jax_version = jax.__version__ if jax is not None else "not installed"
    print(f"ember {ember.__version__ if hasattr(ember, '__version__') else '?'}, torch "
          f"{torch.__version__}, jax {jax_version}, numpy {np.__version__}")
    print(f"threads: PyTorch {torch.get_num_threads()} (torch.set_num_threads), JAX "
          f"{args.threads} (XLA_FLAGS={os.environ['XLA_FLAGS']!r}){pinned}; Ember "
          f"{ember.get_num_threads()} (ember.set_num_threads)")
    print(f"peak FP32: {ctx.limits.peak_flops / 1e9:.0f} GFLOP/s -- {ctx.limits.peak_note}")
    print(f"memory bandwidth: {ctx.limits.stream_bw / 1e9:.1f} GB/s -- "
          f"{ctx.limits.stream_note}")
    load = os.getloadavg()[0]
    print(f"timing: 1 warmup call, then the median of {args.repeat} samples of >= 0.1 s; "
          f"load average before the run {load:.2f}"
          + (" (busy machine: multi-threaded numbers suffer most, an OpenMP thread waits "
             "for a descheduled sibling; compare with --threads 1)" if load >= 0.5 else "")
          + "\n", flush=True)

    rows: list[Row] = []
    for name in WORKLOADS:
        if name not in only:
            continue
        print(f"[{name}]", file=sys.stderr, flush=True)
        if name == "matmul":
            rows += [matmul_rows(256, ctx), matmul_rows(1024, ctx)]
        elif name == "fused":
            rows.append(fused_row(ctx))
        elif name in ("softmax", "layernorm"):
            rows.append(norm_row(name, ctx))
        elif name == "mlp":
            rows.append(mlp_row(ctx))
        elif name == "transformer":
            rows.append(transformer_row(ctx))
        elif name == "cnn":
            rows.append(cnn_row(ctx))
        else:
            rows += first_call_rows(ctx)
    print_table(rows, ctx)


if __name__ == "__main__":
    main()
