"""``DataLoader``: batches from a dataset, in the main process or in worker processes."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ember._src.random import Generator, get_generator
from ember.utils.data import _worker
from ember.utils.data._collate import default_collate, default_convert
from ember.utils.data.dataset import Dataset, IterableDataset
from ember.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
)

__all__ = ["DataLoader"]


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the index stream of an iterable dataset."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterates over ``dataset`` in batches (``torch.utils.data.DataLoader``).

    With ``num_workers > 0`` forked worker processes fetch and collate batches; they come
    back in order through shared memory, ``prefetch_factor`` batches ahead per worker.
    Lazy tensors a dataset returns are realized in the workers, each compiling (or
    loading from the disk cache) with its own MLIR context (see ``_worker.py``).
    """

    _initialized = False

    def __init__(self, dataset: Dataset, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            if isinstance(shuffle, bool) and shuffle:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            self._dataset_kind = "map"
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if self._dataset_kind == "iterable":
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._initialized = True

    def __setattr__(self, attr: str, val) -> None:
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _context(self):
        ctx = self.multiprocessing_context
        if ctx is None:
            return multiprocessing.get_context("fork")
        if isinstance(ctx, str):
            if ctx != "fork":
                raise ValueError(f"multiprocessing_context={ctx!r}: ember DataLoader workers "
                                 f"are forked (ember tensors cannot be pickled); use 'fork'")
            return multiprocessing.get_context(ctx)
        if ctx.get_start_method() != "fork":
            raise ValueError("multiprocessing_context: ember DataLoader workers are forked "
                             "(ember tensors cannot be pickled); use 'fork'")
        return ctx

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _MultiProcessIter(self)

    def __len__(self) -> int:
        if self._dataset_kind == "iterable":
            length = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseIter:
    def __init__(self, loader: DataLoader):
        self._dataset = loader.dataset
        self._iterable = loader._dataset_kind == "iterable"
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        self._num_yielded = 0
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(get_generator(loader.generator)._numpy().integers(0, 2**63))

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def _reset(self, loader: DataLoader) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader: DataLoader):
        super().__init__(loader)
        self._fetcher = _worker._Fetcher(self._dataset, self._iterable, self._auto_collation,
                                         self._collate_fn, self._drop_last)

    def __next__(self):
        index = next(self._sampler_iter)
        data = self._fetcher.fetch(index)
        self._num_yielded += 1
        return data


class _MultiProcessIter(_BaseIter):
    """Workers, each with its index queue, and one result queue; batches come back by
    task number and are delivered in order (or as they arrive, ``in_order=False``)."""

    def __init__(self, loader: DataLoader):
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor * self._num_workers
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        ctx = loader._context()
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()  # one tracker for the workers' segments
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        self._shutdown = False
        for i in range(self._num_workers):
            iq = ctx.Queue()
            iq.cancel_join_thread()
            w = ctx.Process(target=_worker.worker_loop, daemon=True,
                            args=(self._dataset, self._iterable, iq, self._result_queue,
                                  self._done_event, self._auto_collation, self._collate_fn,
                                  self._drop_last, self._base_seed, loader.worker_init_fn, i,
                                  self._num_workers, os.getpid()))
            w.start()
            self._index_queues.append(iq)
            self._workers.append(w)
        self._reset(loader, first=True)

    def _reset(self, loader: DataLoader, first: bool = False) -> None:
        super()._reset(loader)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info: dict[int, int] = {}
        self._reorder: dict[int, Any] = {}
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first:
            for iq in self._index_queues:
                iq.put(_worker.ResumeIteration())
            acks = 0
            while acks < self._num_workers:
                idx, data = self._get()
                if isinstance(idx, _worker.ResumeIteration):
                    acks += 1
                else:
                    _worker.release(data)
        for _ in range(self._prefetch):
            self._put_index()

    def _put_index(self) -> None:
        if self._outstanding >= self._prefetch:
            return
        for _ in range(self._num_workers):
            worker = next(self._worker_cycle)
            if self._active[worker]:
                break
        else:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = worker
        self._outstanding += 1
        self._send_idx += 1

    def _get(self):
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            try:
                return self._result_queue.get(timeout=max(wait, 0.0))
            except queue.Empty:
                pass
            dead = [w.pid for w in self._workers if w.exitcode is not None]
            if dead:
                self._shutdown_workers()
                pids = ", ".join(str(p) for p in dead)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def __next__(self):
        while True:
            while self._rcvd_idx < self._send_idx:
                r = self._rcvd_idx
                if r in self._reorder:
                    break
                worker = self._task_info.get(r)
                if worker is not None and self._active[worker]:
                    break
                if worker is not None:  # sent to a worker whose stream ended: no answer
                    del self._task_info[r]
                    self._outstanding -= 1
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if self._rcvd_idx in self._reorder:
                data = self._reorder.pop(self._rcvd_idx)
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(data)
            idx, data = self._get()
            self._outstanding -= 1
            if isinstance(data, _worker.IterableStop):
                self._active[data.worker_id] = False
                del self._task_info[idx]
                self._put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                del self._task_info[idx]
                return self._process(data)
            self._reorder[idx] = self._receive(data)

    def _receive(self, data):
        """A result off the queue, its shared memory copied out and freed."""
        if isinstance(data, _worker._Packed):
            return _worker.unpack(data)
        return data

    def _process(self, data):
        self._put_index()
        data = self._receive(data)
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        self._num_yielded += 1
        return data

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        self._done_event.set()
        for iq in self._index_queues:
            iq.put(None)
        deadline = time.monotonic() + 10.0
        while any(w.is_alive() for w in self._workers) and time.monotonic() < deadline:
            self._drain()
            for w in self._workers:
                w.join(timeout=0.05)
        for w in self._workers:
            if w.is_alive():
                w.terminate()
                w.join()
        self._drain()
        for v in self._reorder.values():
            _worker.release(v)
        self._reorder.clear()
        for w in self._workers:  # a worker that died may have left a batch unsent
            _worker.release_orphans(w.pid)
        for iq in self._index_queues:
            iq.close()
        self._result_queue.close()
        self._result_queue.join_thread()

    def _drain(self) -> None:
        while True:
            try:
                _, data = self._result_queue.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return
            _worker.release(data)

    def __del__(self):
        if not getattr(self, "_shutdown", True):
            try:
                self._shutdown_workers()
            except Exception:
                pass
