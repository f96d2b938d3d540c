"""MLP 784-512-512-10, forward + backward at batch 128: Ember against PyTorch eager.

    python bench/bench_autograd.py

Both compute the same loss (ReLU MLP, cross-entropy) and the gradients of all six
parameters; PyTorch runs on as many threads as this machine has cores; Ember's
kernels are single-threaded today. Prints milliseconds per step and the ratio.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-bench-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

SIZES = [784, 512, 512, 10]
BATCH = 128


def median_time(fn, repeat=5):
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main():
    rng = np.random.default_rng(0)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)

    eparams = [ember.tensor(w, requires_grad=True) for w in weights]
    ex, ey = ember.tensor(x), ember.tensor(y).unsqueeze(1)

    def ember_step():
        h = ex
        for i in range(0, len(eparams), 2):
            h = h @ eparams[i] + eparams[i + 1]
            if i < len(eparams) - 2:
                h = h.relu()
        loss = -h.log_softmax(dim=1).gather(1, ey).mean()
        for p in eparams:
            p.grad = None
        loss.backward()
        return loss

    tparams = [torch.tensor(w, requires_grad=True) for w in weights]
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step():
        h = tx
        for i in range(0, len(tparams), 2):
            h = h @ tparams[i] + tparams[i + 1]
            if i < len(tparams) - 2:
                h = h.relu()
        loss = torch.nn.functional.cross_entropy(h, ty)
        for p in tparams:
            p.grad = None
        loss.backward()
        return loss

    t0 = time.perf_counter()
    first = ember_step().item()
    first_call = time.perf_counter() - t0
    assert abs(first - torch_step().item()) < 1e-4
    grad_err = max(float(np.abs(e.grad.numpy() - t.grad.numpy()).max())
                   for e, t in zip(eparams, tparams, strict=True))
    te = median_time(lambda: ember_step().item())
    tt = median_time(torch_step)
    print(f"MLP {'-'.join(map(str, SIZES))} fwd+bwd, batch {BATCH}: ember {1e3 * te:.1f} ms, "
          f"torch eager ({torch.get_num_threads()} threads) {1e3 * tt:.1f} ms, "
          f"ratio {tt / te:.2f} (>1: ember faster); first call {first_call:.2f} s; "
          f"max |grad diff| {grad_err:.1e}")


if __name__ == "__main__":
    main()
