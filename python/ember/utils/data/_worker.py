"""DataLoader worker processes: the worker loop, shared-memory batches, host realization.

Workers are forked. A dataset may return lazy ember tensors: a worker realizes them
with its own MLIR context (``ember._mlir.context`` makes a fresh one after ``fork``)
and the shared disk cache, so a region compiled by one process is loaded by the others.

Batches travel as NumPy arrays packed into one ``multiprocessing.shared_memory`` segment
per batch; only their layout (and non-array leaves) is pickled through the queue. The
main process copies the arrays out, unlinks the segment and rebuilds ember tensors.
"""

from __future__ import annotations

import itertools
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Any

import numpy as np

from ember._src.tensor import Tensor

__all__ = ["WorkerInfo", "get_worker_info"]

SHM_PREFIX = "ember_dl_"
_ALIGN = 64
_worker_info: WorkerInfo | None = None
_segment_ids = itertools.count()


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself (``get_worker_info()`` in a worker)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo``; ``None`` in the main process."""
    return _worker_info



# -- batches through shared memory --------------------------------------------------


class _Array:
    """A placeholder for an array in a packed batch."""

    __slots__ = ("dtype", "offset", "shape", "tensor")

    def __init__(self, offset: int, shape: tuple, dtype: str, tensor: bool):
        self.offset, self.shape, self.dtype, self.tensor = offset, shape, dtype, tensor


class _Packed:
    """A batch's layout (with ``_Array`` leaves) and its shared-memory segment."""

    __slots__ = ("layout", "segment")

    def __init__(self, layout, segment: str | None):
        self.layout, self.segment = layout, segment


def _layout(obj, arrays: list) -> Any:
    if isinstance(obj, Tensor):
        a = obj.numpy()
        arrays.append(a)
        return _Array(-1, a.shape, a.dtype, True)
    if isinstance(obj, np.ndarray) and obj.dtype.kind not in "OV" and obj.size:
        arrays.append(obj)
        return _Array(-1, obj.shape, obj.dtype, False)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_layout(o, arrays) for o in obj))
    if isinstance(obj, (tuple, list)):
        return type(obj)(_layout(o, arrays) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _layout(v, arrays)) for k, v in obj.items())
    return obj


def _leaves(layout):
    if isinstance(layout, _Array):
        yield layout
    elif isinstance(layout, (tuple, list)):
        for o in layout:
            yield from _leaves(o)
    elif isinstance(layout, dict):
        for o in layout.values():
            yield from _leaves(o)


def pack(batch: Any) -> _Packed:
    """The batch with its arrays (ember tensors as NumPy) copied into one new segment."""
    arrays: list[np.ndarray] = []
    layout = _layout(batch, arrays)
    placeholders = list(_leaves(layout))
    offset = 0
    for p, a in zip(placeholders, arrays, strict=True):
        p.offset = offset
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    if offset == 0:
        return _Packed(layout, None)
    name = f"{SHM_PREFIX}{os.getpid()}_{next(_segment_ids)}"
    shm = shared_memory.SharedMemory(name=name, create=True, size=offset)
    try:
        for p, a in zip(placeholders, arrays, strict=True):
            dst = np.ndarray(a.shape, a.dtype, buffer=shm.buf, offset=p.offset)
            dst[...] = a
            del dst
    except BaseException:
        shm.close()
        shm.unlink()
        raise
    shm.close()
    return _Packed(layout, name)


def unpack(packed: _Packed) -> Any:
    """The batch back in the main process; the segment is copied out and unlinked."""
    if packed.segment is None:
        return _rebuild(packed.layout, None)
    shm = shared_memory.SharedMemory(name=packed.segment)
    try:
        return _rebuild(packed.layout, shm.buf)
    finally:
        shm.close()
        shm.unlink()


def release(packed: Any) -> None:
    """Unlinks the segment of a batch that will not be delivered."""
    if isinstance(packed, _Packed) and packed.segment is not None:
        try:
            shm = shared_memory.SharedMemory(name=packed.segment)
        except FileNotFoundError:
            return
        shm.close()
        shm.unlink()


def release_orphans(pid: int) -> None:
    """Unlinks the segments a worker (``pid``, now exited) made that were never received."""
    prefix = f"{SHM_PREFIX}{pid}_"
    try:
        names = [n for n in os.listdir("/dev/shm") if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        release(_Packed(None, name))


def _rebuild(layout, buf):
    if isinstance(layout, _Array):
        a = np.array(np.ndarray(layout.shape, layout.dtype, buffer=buf,
                                offset=layout.offset), copy=True)
        if layout.tensor:
            from ember._src.creation import from_numpy

            return from_numpy(a)
        return a
    if isinstance(layout, tuple) and hasattr(layout, "_fields"):
        return type(layout)(*(_rebuild(o, buf) for o in layout))
    if isinstance(layout, (tuple, list)):
        return type(layout)(_rebuild(o, buf) for o in layout)
    if isinstance(layout, dict):
        return type(layout)((k, _rebuild(v, buf)) for k, v in layout.items())
    return layout


# -- the worker loop ----------------------------------------------------------------


class ExceptionWrapper:
    """An exception raised in a worker, with its formatted traceback."""

    def __init__(self, exc_info, where: str):
        exc_type = exc_info[0]
        self.exc_type_name = exc_type.__name__
        self.exc_type = exc_type if _picklable(exc_type) else RuntimeError
        self.msg = (f"Caught {exc_type.__name__} in {where}.\nOriginal "
                    + "".join(traceback.format_exception(*exc_info)))

    def reraise(self):
        msg = self.msg
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _KeyErrorMessage(str):
    """KeyError ``repr()``s its argument; this keeps the traceback readable."""

    def __repr__(self) -> str:
        return str(self)


def _picklable(cls) -> bool:
    import pickle

    try:
        return pickle.loads(pickle.dumps(cls)) is cls
    except Exception:
        return False


class IterableStop:
    """A worker's iterable dataset is exhausted."""

    def __init__(self, worker_id: int):
        self.worker_id = worker_id


class ResumeIteration:
    """Persistent workers: start a new epoch (and acknowledge it)."""


class _Fetcher:
    def __init__(self, dataset, iterable: bool, auto_collation: bool, collate_fn, drop_last):
        self.dataset, self.iterable = dataset, iterable
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, \
            drop_last
        self.it = iter(dataset) if iterable else None
        self.ended = False

    def fetch(self, index):
        if self.iterable:
            if self.ended:
                raise StopIteration
            if self.auto_collation:
                data = []
                for _ in index:
                    try:
                        data.append(next(self.it))
                    except StopIteration:
                        self.ended = True
                        break
                if not data or (self.drop_last and len(data) < len(index)):
                    raise StopIteration
            else:
                data = next(self.it)
        elif self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(list(index)) if callable(getitems) else \
                [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


def worker_loop(dataset, iterable: bool, index_queue, result_queue, done_event,
                auto_collation: bool, collate_fn, drop_last: bool, base_seed: int,
                init_fn, worker_id: int, num_workers: int, parent_pid: int) -> None:
    """Fetches, collates and packs the batches asked for on ``index_queue``."""
    global _worker_info
    try:
        seed = (base_seed + worker_id) % 2**64
        random.seed(seed)
        from ember._src.random import manual_seed

        manual_seed(seed)
        np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _Fetcher(dataset, iterable, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(),
                                          f"DataLoader worker process {worker_id}")
        stopped = False
        while True:
            try:
                task = index_queue.get(timeout=0.5)
            except queue.Empty:
                if done_event.is_set() or os.getppid() != parent_pid:
                    break
                continue
            if task is None:
                break
            if isinstance(task, ResumeIteration):
                result_queue.put((task, None))
                stopped = False
                if init_error is None:
                    fetcher = _Fetcher(dataset, iterable, auto_collation, collate_fn,
                                       drop_last)
                continue
            if done_event.is_set() or stopped:
                continue
            idx, index = task
            if init_error is not None:
                result_queue.put((idx, init_error))
                init_error = None
                continue
            try:
                payload = pack(fetcher.fetch(index))
            except StopIteration:
                payload = IterableStop(worker_id)
                stopped = iterable
            except Exception:
                payload = ExceptionWrapper(sys.exc_info(),
                                           f"DataLoader worker process {worker_id}")
            result_queue.put((idx, payload))
            del payload
    except KeyboardInterrupt:
        pass
    if os.getppid() != parent_pid:
        result_queue.cancel_join_thread()
    result_queue.close()
