"""Training steps with ember.nn + ember.optim against PyTorch eager, same run:

- an MLP 784-512-512-10 with Adam at batch 128 (issue 5's MLP workload);
- the digits CNN of examples/demo.py (two 3x3 convs with pooling, 1x8x8 input) with
  Adam at batch 64;
- the first call of each step (compiles included) and the steady state.

    python bench/bench_training.py

Both frameworks start from the same weights (copied through state_dict) and compute
the same loss; PyTorch runs on as many threads as this machine has cores; Ember's
kernels are single-threaded today. Prints milliseconds per step and ratios
(> 1: Ember faster).
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
from ember import nn  # noqa: E402


def median_time(fn, repeat=7):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(784, 512), lib.nn.ReLU(), lib.nn.Linear(512, 512),
                             lib.nn.ReLU(), lib.nn.Linear(512, 10))


def cnn(lib):
    return lib.nn.Sequential(
        lib.nn.Conv2d(1, 16, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
        lib.nn.Conv2d(16, 32, 3, padding=1), lib.nn.ReLU(), lib.nn.MaxPool2d(2),
        lib.nn.Flatten(), lib.nn.Linear(128, 64), lib.nn.ReLU(), lib.nn.Linear(64, 10))


def run(name, make, x_shape, batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, *x_shape), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    tmodel = make(torch)
    emodel = make(ember)
    emodel.load_state_dict({k: ember.tensor(v.detach().numpy())
                            for k, v in tmodel.state_dict().items()})
    topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
    eopt = ember.optim.Adam(emodel.parameters(), lr=1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ex, ey = ember.tensor(x), ember.tensor(y)

    def torch_step():
        topt.zero_grad()
        loss = torch.nn.functional.cross_entropy(tmodel(tx), ty)
        loss.backward()
        topt.step()
        return loss.item()

    def ember_step():
        eopt.zero_grad()
        loss = nn.functional.cross_entropy(emodel(ex), ey)
        loss.backward()
        eopt.step()
        return loss.item()

    t0 = time.perf_counter()
    le = ember_step()
    first = time.perf_counter() - t0
    lt = torch_step()
    assert abs(le - lt) < 1e-3 * max(1.0, abs(lt)), (le, lt)
    te = median_time(ember_step)
    tt = median_time(torch_step)
    print(f"{name:34s} ember {1e3 * te:7.2f} ms   torch eager {1e3 * tt:7.2f} ms   "
          f"ratio {tt / te:5.2f}   ember first call {first:5.2f} s")


def main():
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ember "
          f"single-threaded kernels")
    run("MLP 784-512-512-10 Adam, b128", mlp, (784,), 128)
    run("digits CNN (8x8) Adam, b64", cnn, (1, 8, 8), 64)


if __name__ == "__main__":
    main()
