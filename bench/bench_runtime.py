"""Ember's lazy runtime against PyTorch eager, in one run on this machine.

    python bench/bench_runtime.py            # prints a table; --json for machine output

Workloads (issue: tensors and the lazy runtime):
- record: the cost of recording one op (`y = x + 1`), µs/op, against one
  PyTorch eager op on the same small tensor;
- hit: one eager step of 10 ops on a (64,) tensor: recording them plus a cache-hit
  realization (schedule, key, lookup, call), against the same 10 ops in PyTorch eager;
- fused: gelu(x * w + b) * sigmoid(x) on 4M floats, GB/s (one read of x, w, b and
  one write), against PyTorch eager.
Threads: PyTorch is pinned to one thread per core of this machine as Ember's
code is single-threaded today; the ratio column is Ember / PyTorch (>1 is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-bench-"))

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402


def timeit(fn, *, repeat=7, number=None, min_time=0.2):
    fn()
    if number is None:
        number, t = 1, 0.0
        while t < min_time:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            t = time.perf_counter() - t0
            number *= 2
        number //= 2
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def bench_record():
    x = ember.ones(64)
    tx = torch.ones(64)

    def ember_record():
        y = x
        for _ in range(100):
            y = y + 1.0
        return y

    def torch_ops():
        y = tx
        for _ in range(100):
            y = y + 1.0
        return y

    return timeit(ember_record) / 100 * 1e6, timeit(torch_ops) / 100 * 1e6


def bench_hit():
    x = ember.randn(64)
    tx = torch.from_numpy(x.numpy().copy())

    def chain(v):
        for _ in range(5):
            v = (v * 0.5).tanh()
        return v

    def ember_hit():
        chain(x).numpy()

    def torch_eager():
        chain(tx)

    return timeit(ember_hit) * 1e6, timeit(torch_eager) * 1e6


def bench_fused(n=4 * 1024 * 1024):
    rng = np.random.default_rng(0)
    xs, ws, bs = (rng.standard_normal(n, dtype=np.float32) for _ in range(3))
    x, w, b = (ember.from_numpy(a) for a in (xs, ws, bs))
    tx, tw, tb = (torch.from_numpy(a) for a in (xs, ws, bs))

    def ember_fused():
        (F.gelu(x * w + b) * x.sigmoid()).numpy()

    def torch_fused():
        torch.nn.functional.gelu(tx * tw + tb) * tx.sigmoid()

    ref = (torch.nn.functional.gelu(tx * tw + tb) * tx.sigmoid()).numpy()
    got = (F.gelu(x * w + b) * x.sigmoid()).numpy()
    err = float(np.abs(got - ref).max())
    assert err < 1e-5, err
    bytes_moved = 4 * n * 4  # three inputs, one output
    te, tt = timeit(ember_fused, repeat=5), timeit(torch_fused, repeat=5)
    return bytes_moved / te / 1e9, bytes_moved / tt / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    e, t = bench_record()
    rows.append(("record one op (µs/op, lower is better)", e, t, t / e))
    e, t = bench_hit()
    rows.append(("10 ops recorded + cache-hit realize (µs, lower is better)", e, t, t / e))
    e, t = bench_fused()
    rows.append(("gelu(x*w+b)*sigmoid(x), 4M f32 (GB/s)", e, t, e / t))
    if args.json:
        print(json.dumps([dict(zip(("workload", "ember", "torch_eager", "ratio"), r, strict=True))
                          for r in rows], indent=1))
        return
    print(f"{'workload':56} {'ember':>10} {'torch':>10} {'ratio':>7}")
    for name, e, t, r in rows:
        print(f"{name:56} {e:10.2f} {t:10.2f} {r:7.2f}")
    print(f"(PyTorch {torch.__version__}, 1 thread; ratio > 1 means Ember is faster; "
          f"compile cache: {ember.compiler.cache_stats()})")


if __name__ == "__main__":
    main()
