"""The MLP training step (784-512-512-10, Adam, batch 128) on the GPU targets:

- the regions one step compiles, and for each target (SPIR-V, NVVM, ROCDL) the
  kernels and launches they lower to and the compile time;
- the step on the ``vulkan`` device against the CPU (ms per step, same weights, and
  the largest parameter difference after the steps).

    python bench/gpu_kernels.py [--steps 5]

On a machine whose only Vulkan device is Mesa's lavapipe this measures the CPU
driver, not a GPU: it shows correctness and per-dispatch overhead, not GPU speed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-bench-"))

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
from ember.runtime.backends import vulkan  # noqa: E402
from ember.runtime.backends.gpu import compile_region  # noqa: E402
from ember.runtime.cache import captured_regions  # noqa: E402


def make_step(kind: str):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(784, 512), ember.nn.ReLU(),
                                ember.nn.Linear(512, 512), ember.nn.ReLU(),
                                ember.nn.Linear(512, 10)).to(kind)
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((128, 784)).astype(np.float32)).to(kind)
    y = ember.tensor(rng.integers(0, 10, 128)).to(kind)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step, model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args()

    step, _ = make_step("cpu")
    with captured_regions() as modules:
        step()
    print(f"MLP step: {len(modules)} regions")
    print(f"{'target':8} {'kernels':>8} {'launches':>9} {'compile s':>10}")
    for target in ("spirv", "nvvm", "rocdl"):
        t0 = time.perf_counter()
        programs = [compile_region(m, target) for m in modules]
        seconds = time.perf_counter() - t0
        kernels = sum(len(p.kernels) for p in programs)
        launches = sum(len(p.launches) for p in programs)
        print(f"{target:8} {kernels:8d} {launches:9d} {seconds:10.2f}")

    if not vulkan.available():
        print("no Vulkan device: the step is not run")
        return
    print(f"vulkan device: {vulkan.device().name}")
    results = {}
    for kind in ("cpu", "vulkan"):
        step, model = make_step(kind)
        t0 = time.perf_counter()
        step()
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        results[kind] = [p.detach().cpu().numpy() for p in model.parameters()]
        print(f"{kind:8} first step {first:6.2f} s, then {1e3 * np.median(times):8.1f} ms/step")
    diff = max(float(np.abs(a - b).max()) for a, b in zip(results["cpu"], results["vulkan"],
                                                          strict=True))
    print(f"largest parameter difference after {args.steps + 1} steps: {diff:.2e}")


if __name__ == "__main__":
    main()
