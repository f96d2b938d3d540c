"""libEmberRuntime: compiled regions on the thread pool (the same numbers on any number
of threads, the controls, fork safety) and the cache of their heap temporaries."""

import os
import subprocess
import sys
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from ember_testing import run_in_forked_child  # noqa: E402


@pytest.fixture
def threads():
    """Restores the thread count a test changes."""
    before = ember.get_num_threads()
    yield
    ember.set_num_threads(before)


def _workloads(rng):
    x = rng.standard_normal((512, 1024)).astype(np.float32)
    a = rng.standard_normal((256, 256)).astype(np.float32)
    b = rng.standard_normal((256, 256)).astype(np.float32)
    ex = ember.tensor(x)
    return {
        # rows in parallel, reductions inside
        "softmax": (lambda: ex.softmax(1).numpy(),
                    lambda: np.exp(x - x.max(1, keepdims=True))
                    / np.exp(x - x.max(1, keepdims=True)).sum(1, keepdims=True)),
        # one large elementwise loop
        "chain": (lambda: ((ex * 2 + 1).tanh() * ex).numpy(),
                  lambda: np.tanh(x * 2 + 1) * x),
        # a reduction over the leading dimension (its loop stays sequential)
        "sum0": (lambda: ex.sum(0).numpy(), lambda: x.sum(0)),
        # the tiled matmul: 8-row blocks on the pool
        "matmul": (lambda: (ember.tensor(a) @ ember.tensor(b)).numpy(), lambda: a @ b),
    }


@pytest.mark.parametrize("n", [1, 2, 3, 8])
def test_results_do_not_depend_on_the_thread_count(threads, n):
    ember.set_num_threads(n)
    assert ember.get_num_threads() == n
    for name, (run, ref) in _workloads(np.random.default_rng(0)).items():
        out = run()
        np.testing.assert_allclose(out, ref(), rtol=2e-5, atol=2e-5, err_msg=name)
        # Bit-identical to one thread: every block computes the same values.
        ember.set_num_threads(1)
        np.testing.assert_array_equal(run(), out, err_msg=name)
        ember.set_num_threads(n)


def test_training_step_is_the_same_on_one_and_two_threads(threads):
    def train(n):
        ember.set_num_threads(n)
        ember.manual_seed(0)
        model = ember.nn.Sequential(ember.nn.Linear(256, 512), ember.nn.ReLU(),
                                    ember.nn.Linear(512, 10))
        opt = ember.optim.Adam(model.parameters(), lr=1e-3)
        rng = np.random.default_rng(1)
        x = ember.tensor(rng.standard_normal((128, 256)).astype(np.float32))
        y = ember.tensor(rng.integers(0, 10, 128))
        for _ in range(3):
            opt.zero_grad()
            loss = ember.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return [p.numpy() for p in model.parameters()]

    for p1, p2 in zip(train(1), train(2), strict=True):
        np.testing.assert_allclose(p1, p2, rtol=1e-6, atol=1e-7)


def test_set_num_threads_rejects_bad_values():
    with pytest.raises(ValueError, match=">= 1"):
        ember.set_num_threads(0)
    with pytest.raises(TypeError, match="int"):
        ember.set_num_threads(2.0)


def test_environment_variable_sets_the_default():
    code = "import ember; print(ember.get_num_threads())"
    env = dict(os.environ, EMBER_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "3"
    env.pop("EMBER_NUM_THREADS")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert int(out.stdout) == len(os.sched_getaffinity(0))


def _row_sums_head():
    x = ember.ones(1024, 1024)
    return ((x * 3).exp().sum(1)).numpy()[:4].tolist()


def test_forked_child_runs_parallel_regions(threads):
    """The parent's workers do not exist in a forked child: it must start its own
    pool, not wait forever on the parent's."""
    ember.set_num_threads(2)
    expected = _row_sums_head()  # the parent's pool has run a parallel region
    assert run_in_forked_child(_row_sums_head, "a parallel region") == expected


def test_large_temporaries_are_cached_and_released():
    ember.runtime.empty_cache()
    assert ember.runtime.cached_bytes() == 0
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.standard_normal((256, 1001)).astype(np.float32))
    w = ember.tensor(rng.standard_normal((1001, 64)).astype(np.float32))
    # the tiled matmul pads k to 1008: a zero-padded copy of x (1 MiB) is a temporary
    first = (x @ w).numpy()
    held = ember.runtime.cached_bytes()
    assert held >= 256 * 1008 * 4
    # the next run reuses the blocks: nothing more is held, and the numbers are the same
    np.testing.assert_array_equal((x @ w).numpy(), first)
    assert ember.runtime.cached_bytes() == held
    ember.runtime.empty_cache()
    assert ember.runtime.cached_bytes() == 0
    np.testing.assert_array_equal((x @ w).numpy(), first)
