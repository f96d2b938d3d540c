"""``ember.utils.data`` against ``torch.utils.data``: collation, batching, samplers,
splits, and worker processes (same batches as in-process, errors with the worker's
traceback, no leaked processes or shared-memory segments)."""

from __future__ import annotations

import collections
import gc
import glob
import os
import pickle
import signal
import time

import ember
import numpy as np
import pytest
import torch
import torch.utils.data as tud
from ember.utils import data as eud

Point = collections.namedtuple("Point", ["x", "y"])


def _leaf(obj):
    """Tensors of either framework as ``(dtype name, array)``; containers recursed."""
    if isinstance(obj, torch.Tensor):
        return (str(obj.dtype).removeprefix("torch."), obj.numpy())
    if isinstance(obj, ember.Tensor):
        return (obj.dtype.name, obj.numpy())
    if isinstance(obj, dict):
        return {k: _leaf(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [_leaf(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_leaf(v) for v in obj])
    return obj


def assert_same(a, b):
    """Same structure, dtypes and values (float32 within 1e-6)."""
    a, b = _leaf(a), _leaf(b)
    _compare(a, b)


def _compare(a, b):
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _compare(a[k], b[k])
    elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], np.ndarray):
        assert isinstance(b, tuple) and a[0] == b[0], (a[0], b[0])
        assert a[1].shape == b[1].shape
        np.testing.assert_allclose(a[1], b[1], rtol=1e-6, atol=0)
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and a[0] == b[0] and len(a[1]) == len(b[1])
        for x, y in zip(a[1], b[1], strict=True):
            _compare(x, y)
    else:
        assert a == b


class Samples:
    """Map-style samples of mixed types, one class serving both frameworks."""

    def __init__(self, n: int, tensor):
        rng = np.random.default_rng(0)
        self.feat = rng.standard_normal((n, 3)).astype(np.float32)
        self.f64 = rng.standard_normal((n, 2))
        self.n, self.tensor = n, tensor

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {
            "feat": self.feat[i],
            "f64": self.tensor(self.f64[i]),
            "pair": (float(i) / 2, i),
            "pt": Point(self.tensor(self.feat[i, :2]), np.int64(i)),
            "flag": i % 2 == 0,
            "name": f"s{i}",
            "lst": [np.int32(i), self.tensor(np.array(i, np.float32))],
        }


class EmberSamples(Samples, eud.Dataset):
    pass


class TorchSamples(Samples, tud.Dataset):
    pass


def test_collation_matches_torch_sequential():
    ref = list(tud.DataLoader(TorchSamples(7, torch.from_numpy), batch_size=3))
    got = list(eud.DataLoader(EmberSamples(7, ember.from_numpy), batch_size=3))
    assert len(got) == len(ref) == 3
    for g, r in zip(got, ref, strict=True):
        assert_same(g, r)
    # batch_size=None: default_convert, one sample at a time.
    ref = list(tud.DataLoader(TorchSamples(2, torch.from_numpy), batch_size=None))
    got = list(eud.DataLoader(EmberSamples(2, ember.from_numpy), batch_size=None))
    for g, r in zip(got, ref, strict=True):
        assert_same(g, r)


def test_default_collate_leaves_and_errors():
    assert_same(eud.default_collate([1.5, 2.0]), tud.default_collate([1.5, 2.0]))
    assert_same(eud.default_collate([True, False]), tud.default_collate([True, False]))
    assert_same(eud.default_collate([np.float32(1), np.float32(2)]),
                tud.default_collate([np.float32(1), np.float32(2)]))
    assert eud.default_collate(["a", "b"]) == ["a", "b"]
    # Narrow integer arrays widen losslessly (ember has no uint8 / int16).
    u8 = [np.array([1, 255], np.uint8), np.array([0, 7], np.uint8)]
    got = eud.default_collate(u8)
    assert got.dtype == ember.int32 and got.tolist() == [[1, 255], [0, 7]]
    with pytest.raises(TypeError, match="found object"):
        eud.default_collate([np.array([None]), np.array([None])])
    with pytest.raises(TypeError, match="batch must contain"):
        eud.default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        eud.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        eud.default_collate([ember.zeros(2), ember.zeros(3)])
    # Lazy tensors (and ones that need grad) are stacked by ember.stack, grads flow.
    w = ember.ones(2, requires_grad=True)
    batch = eud.default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [5.0, 5.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_and_len(dtype, drop_last):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((10, 2, 3)).astype(dtype), rng.integers(0, 5, 10)
    ref = tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                         batch_size=4, drop_last=drop_last)
    got = eud.DataLoader(eud.TensorDataset(ember.from_numpy(x), ember.from_numpy(y)),
                         batch_size=4, drop_last=drop_last)
    assert len(got) == len(ref) == (2 if drop_last else 3)
    batches = list(got)
    assert len(batches) == len(got)
    for g, r in zip(batches, ref, strict=True):
        assert_same(g, r)


def test_shuffle_is_a_seeded_permutation():
    ds = eud.TensorDataset(ember.arange(20))

    def epoch(loader):
        return np.concatenate([b[0].numpy() for b in loader]).tolist()

    a = eud.DataLoader(ds, batch_size=6, shuffle=True, generator=ember.Generator().manual_seed(3))
    b = eud.DataLoader(ds, batch_size=6, shuffle=True, generator=ember.Generator().manual_seed(3))
    a1, a2, b1 = epoch(a), epoch(a), epoch(b)
    assert a1 == b1 and sorted(a1) == list(range(20)) and a1 != list(range(20))
    assert a2 != a1 and sorted(a2) == list(range(20))
    ember.manual_seed(7)
    c = epoch(eud.DataLoader(ds, batch_size=6, shuffle=True))
    ember.manual_seed(7)
    assert epoch(eud.DataLoader(ds, batch_size=6, shuffle=True)) == c


def test_samplers_statistics():
    g = ember.Generator().manual_seed(0)
    n = 10
    draws = list(eud.RandomSampler(range(n), replacement=True, num_samples=20000, generator=g))
    counts = np.bincount(draws, minlength=n)
    assert len(draws) == 20000 and np.all(np.abs(counts - 2000) < 4 * np.sqrt(2000))
    chained = list(eud.RandomSampler(range(n), num_samples=25, generator=g))
    assert sorted(chained[:10]) == sorted(chained[10:20]) == list(range(10))
    assert len(set(chained[20:])) == 5
    w = [0.1, 0.0, 0.6, 0.3]
    wd = list(eud.WeightedRandomSampler(w, 20000, generator=g))
    np.testing.assert_allclose(np.bincount(wd, minlength=4) / 20000, w, atol=0.015)
    wr = list(eud.WeightedRandomSampler(w, 3, replacement=False, generator=g))
    assert sorted(wr) == [0, 2, 3]
    with pytest.raises(RuntimeError):
        list(eud.WeightedRandomSampler(w, 4, replacement=False))
    sub = list(eud.SubsetRandomSampler([5, 7, 9, 11], generator=g))
    assert sorted(sub) == [5, 7, 9, 11]
    assert list(eud.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for drop_last in (False, True):
        assert list(eud.BatchSampler(range(10), 3, drop_last)) == \
            list(tud.BatchSampler(range(10), 3, drop_last))
        assert len(eud.BatchSampler(range(10), 3, drop_last)) == \
            len(tud.BatchSampler(range(10), 3, drop_last))
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        eud.RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        eud.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        eud.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        eud.WeightedRandomSampler([[1.0]], 1)
    # A custom sampler and batch sampler drive the DataLoader.
    ds = eud.TensorDataset(ember.arange(6))
    got = [b[0].tolist() for b in eud.DataLoader(ds, sampler=[5, 4, 3], batch_size=2)]
    assert got == [[5, 4], [3]]
    got = [b[0].tolist() for b in eud.DataLoader(ds, batch_sampler=[[1, 2], [0]])]
    assert got == [[1, 2], [0]]


def test_random_split_sizes_and_disjointness():
    ds = list(range(10))
    for lengths in ([3, 7], [0.5, 0.3, 0.2], [0.33, 0.33, 0.34], [0.25, 0.25, 0.25, 0.25]):
        ref = tud.random_split(ds, lengths, generator=torch.Generator().manual_seed(0))
        got = eud.random_split(ds, lengths, generator=ember.Generator().manual_seed(0))
        assert [len(s) for s in got] == [len(s) for s in ref]
        items = [x for s in got for x in s]
        assert sorted(items) == ds
    again = eud.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    first = eud.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    assert list(again[0]) == list(first[0])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        eud.random_split(ds, [3, 6])
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
        assert [len(s) for s in eud.random_split(list(range(3)), [0.5, 0.5, 0.0])] == [2, 1, 0]


def test_dataset_combinators_match_torch():
    a, b = eud.TensorDataset(ember.arange(3)), eud.TensorDataset(ember.arange(10, 14))
    cat = a + b
    assert isinstance(cat, eud.ConcatDataset) and len(cat) == 7
    assert [cat[i][0].item() for i in range(-7, 7)] == [0, 1, 2, 10, 11, 12, 13] * 2
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-8]
    sub = eud.Subset(cat, [6, 0, 3])
    assert [s[0].item() for s in sub] == [13, 0, 10]
    stack = eud.StackDataset(x=a, y=a)
    assert stack[1]["x"][0].item() == 1 and len(stack) == 3
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        eud.StackDataset(a, b)
    chain = eud.ChainDataset([EmberStream(2, eud.get_worker_info)] * 2)
    assert [x.tolist() for x in chain] == [[0, 0], [1, 10]] * 2 and len(chain) == 4
    with pytest.raises(AssertionError, match="Size mismatch"):
        eud.TensorDataset(ember.zeros(3), ember.zeros(4))
    with pytest.raises(NotImplementedError):
        eud.Dataset()[0]


class Squares(eud.Dataset):
    """numpy samples, a lazy ember tensor (host-evaluated in workers), the worker id."""

    def __len__(self):
        return 13

    def __getitem__(self, i):
        info = eud.get_worker_info()
        x = ember.arange(4, dtype=ember.float32)[1:] * float(i) - 0.5
        return np.array([i, i * i], np.int64), x, -1 if info is None else info.id


def test_batches_travel_through_shared_memory():
    from ember.utils.data import _worker

    big = np.arange(200_000, dtype=np.float32).reshape(1000, 200)
    batch = {"x": ember.from_numpy(big), "y": [big[:3].astype(np.int64), "label"], "n": 4}
    packed = _worker.pack(batch)
    assert len(pickle.dumps(packed)) < 2000 and os.path.exists(f"/dev/shm/{packed.segment}")
    out = _worker.unpack(pickle.loads(pickle.dumps(packed)))
    assert not os.path.exists(f"/dev/shm/{packed.segment}")
    assert isinstance(out["x"], ember.Tensor) and isinstance(out["y"][0], np.ndarray)
    np.testing.assert_array_equal(out["x"].numpy(), big)
    np.testing.assert_array_equal(out["y"][0], big[:3])
    assert out["y"][1] == "label" and out["n"] == 4


def _seen_workers(batches):
    return {w for b in batches for w in b[2].tolist()}


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not os.path.exists(f"/proc/{pid}/stat") or \
        open(f"/proc/{pid}/stat").read().split()[2] != "Z"


def _segments(pids):
    return [n for p in pids for n in glob.glob(f"/dev/shm/ember_dl_{p}_*")]


def test_workers_match_single_process_and_shut_down():
    ref = list(eud.DataLoader(Squares(), batch_size=3))
    inits = []
    loader = eud.DataLoader(Squares(), batch_size=3, num_workers=2, prefetch_factor=2,
                            worker_init_fn=inits.append)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    got = list(it)
    assert len(got) == len(ref) == len(loader) == 5
    for g, r in zip(got, ref, strict=True):
        assert_same(g[:2], r[:2])
    assert _seen_workers(ref) == {-1} and _seen_workers(got) == {0, 1}
    assert not any(_alive(p) for p in pids)
    # Abandoned mid-epoch: garbage collection stops the workers and frees the segments.
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    next(it)
    deadline = time.monotonic() + 5
    while not _segments(pids) and time.monotonic() < deadline:
        time.sleep(0.02)  # let prefetched batches land in shared memory
    assert _segments(pids)
    del it
    gc.collect()
    assert not any(_alive(p) for p in pids)
    assert not _segments(pids)


def test_persistent_workers_and_in_order_false():
    loader = eud.DataLoader(Squares(), batch_size=4, num_workers=2, persistent_workers=True)
    e1 = [b[0].numpy() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    e2 = [b[0].numpy() for b in loader]
    assert [w.pid for w in loader._iterator._workers] == pids and all(map(_alive, pids))
    for a, b in zip(e1, e2, strict=True):
        np.testing.assert_array_equal(a, b)
    del loader
    gc.collect()
    assert not any(_alive(p) for p in pids)
    loose = eud.DataLoader(Squares(), batch_size=4, num_workers=2, in_order=False)
    rows = sorted(r for b in loose for r in b[0][:, 0].tolist())
    assert rows == list(range(13))


class Stream(eud.IterableDataset):
    """Each worker reads its own share (``get_worker_info``); numpy only."""

    def __init__(self, n, framework_info):
        self.n, self.info = n, framework_info

    def __iter__(self):
        info = self.info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        for i in range(start, self.n, step):
            yield np.array([i, 10 * i], np.int64)

    def __len__(self):
        return self.n


class TorchStream(Stream, tud.IterableDataset):
    pass


class EmberStream(Stream, eud.IterableDataset):
    pass


def test_iterable_dataset_with_workers_matches_torch():
    for workers, drop_last in ((0, False), (2, False), (2, True)):
        ref = list(tud.DataLoader(TorchStream(11, tud.get_worker_info), batch_size=2,
                                  num_workers=workers, drop_last=drop_last))
        got = list(eud.DataLoader(EmberStream(11, eud.get_worker_info), batch_size=2,
                                  num_workers=workers, drop_last=drop_last))
        assert len(got) == len(ref)
        for g, r in zip(got, ref, strict=True):
            assert_same(g, r)
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        eud.DataLoader(EmberStream(3, eud.get_worker_info), shuffle=True)


class Faulty(eud.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return np.float32(i)


class Killed(eud.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 4:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class NeedsCompiler(eud.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return ember.exp(ember.full((7, 13), float(i))).sin()


def test_worker_errors_carry_the_traceback():
    loader = eud.DataLoader(Faulty(), batch_size=2, num_workers=2)
    it = iter(loader)
    pids = [w.pid for w in it._workers]
    assert next(it).tolist() == [0.0, 1.0] and next(it).tolist() == [2.0, 3.0]
    with pytest.raises(ValueError, match="bad sample 5") as e:
        next(it)
    msg = str(e.value)
    assert "Caught ValueError in DataLoader worker process 0" in msg
    assert "Original Traceback (most recent call last)" in msg and "in __getitem__" in msg
    assert next(it).tolist() == [6.0, 7.0]
    with pytest.raises(StopIteration):
        next(it)
    assert not any(_alive(p) for p in pids)
    it = iter(eud.DataLoader(Killed(), batch_size=2, num_workers=2))
    pids = [w.pid for w in it._workers]
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited"):
        list(it)
    assert not any(_alive(p) for p in pids) and not _segments(pids)
    # Lazy values that need the compiler are realized in the (forked) worker.
    got = list(eud.DataLoader(NeedsCompiler(), batch_size=2, num_workers=1))
    want = list(eud.DataLoader(NeedsCompiler(), batch_size=2, num_workers=0))
    np.testing.assert_allclose(got[0].numpy(), want[0].numpy(), rtol=1e-6)


class Slow(eud.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.8)
        return i


def test_timeout_and_argument_errors():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(eud.DataLoader(Slow(), num_workers=1, timeout=0.2))
    ds = eud.TensorDataset(ember.arange(4))
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        eud.DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        eud.DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        eud.DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        eud.DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        eud.DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="disables auto-batching"):
        eud.DataLoader(ds, batch_size=None, drop_last=True)
    loader = eud.DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
