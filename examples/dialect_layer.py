"""Ember's demo: one small network layer, built in the ember dialect, lowered
through ``ember-cpu-pipeline``, JIT-compiled and checked against NumPy; then the
same layer written with ``ember.Tensor`` (recorded lazily, compiled as one
region, cached) and run in a loop that compiles once.

    y = softmax(gelu(x @ w + b), dim=-1)

Run it with ``python examples/dialect_layer.py`` after ``scripts/setup.sh``.
"""

import math
import time

import numpy as np
from ember import compiler
from ember.dialects import ember as E

BATCH, IN, OUT = 64, 256, 128


def layer(x, w, b):
    h = E.matmul(x, w)
    h = E.add(h, E.broadcast(h.type, b))
    # gelu(h) = h * 0.5 * (1 + erf(h / sqrt(2)))
    half = E.full(h.type, _f32(0.5))
    one = E.full(h.type, _f32(1.0))
    inv_sqrt2 = E.full(h.type, _f32(1 / math.sqrt(2)))
    g = E.mul(E.mul(h, half), E.add(one, E.erf(E.mul(h, inv_sqrt2))))
    # softmax over the last dim, stabilized by the row max.
    m = E.max(g, [1], keepdim=True)
    e = E.exp(E.sub(g, E.broadcast(g.type, m)))
    s = E.sum(e, [1], keepdim=True)
    return E.div(e, E.broadcast(e.type, s))


def _f32(v):
    import mlir.ir as ir

    return ir.FloatAttr.get(ir.F32Type.get(), v)


def reference(x, w, b):
    from math import erf

    h = x @ w + b
    g = h * 0.5 * (1 + np.vectorize(erf)(h / math.sqrt(2)))
    e = np.exp(g - g.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    module = compiler.build(layer, ((BATCH, IN), "f32"), ((IN, OUT), "f32"), ((OUT,), "f32"),
                            name="layer")
    print("== ember IR ==")
    print(module)
    t0 = time.perf_counter()
    fn = compiler.compile(module)
    t1 = time.perf_counter()
    print(f"compiled {fn} in {1e3 * (t1 - t0):.0f} ms "
          f"({len(fn.ir['llvm'].splitlines())} lines of LLVM dialect)")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, IN), dtype=np.float32)
    w = rng.standard_normal((IN, OUT), dtype=np.float32) / math.sqrt(IN)
    b = rng.standard_normal(OUT, dtype=np.float32)
    y = fn(x, w, b)
    t2 = time.perf_counter()
    for _ in range(10):
        fn(x, w, b)
    per_call = (time.perf_counter() - t2) / 10
    ref = reference(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64))
    err = np.abs(y - ref).max()
    print(f"output {y.shape} {y.dtype}; rows sum to {y.sum(axis=1).mean():.6f}; "
          f"max |ember - numpy(f64)| = {err:.2e}; {1e3 * per_call:.2f} ms per call")
    if not err < 1e-5:
        raise SystemExit(f"demo: mismatch against NumPy ({err})")

    print("\n== the same layer with ember.Tensor ==")
    import ember
    import ember.nn.functional as F

    tx, tw, tb = ember.from_numpy(x), ember.from_numpy(w), ember.from_numpy(b)
    t0 = time.perf_counter()
    for step in range(21):
        if step == 1:
            t1 = time.perf_counter()
        ty = F.softmax(F.gelu(tx @ tw + tb), dim=-1)
        ty.numpy()
    first, per_step = t1 - t0, (time.perf_counter() - t1) / 20
    terr = np.abs(ty.numpy() - ref).max()
    stats = ember.compiler.cache_stats()
    print(f"first step {1e3 * first:.0f} ms, then 20 steps at {1e3 * per_step:.2f} ms; "
          f"compiled {stats.misses} region(s) "
          f"({stats.compile_seconds:.2f} s), {stats.disk_hits} from the disk cache, "
          f"{stats.hits} cache hits; max |ember - numpy(f64)| = {terr:.2e}")
    if not terr < 1e-5:
        raise SystemExit(f"demo: tensor API mismatch against NumPy ({terr})")
    print("demo: OK")


if __name__ == "__main__":
    main()
