"""DataLoader worker processes: the worker loop, shared-memory batches, host realization.

Workers are forked. A forked process cannot run the MLIR compiler (its thread pools do
not survive ``fork``), so a worker never compiles: regions already compiled in memory
or on disk run as usual, regions of data-movement and exactly rounded elementwise ops
(indexing, reshapes, ``stack``/``cat``, casts, ``+ - * /``, comparisons, ``where``) are
evaluated with NumPy, and anything else raises an error that says so.

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

from ember._src import dtypes
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


# -- host realization in workers --------------------------------------------------


class _HostRegionError(RuntimeError):
    pass


def _host_eval(op: str, attrs: tuple, shape: tuple, dt, args: list[np.ndarray]) -> np.ndarray:
    if op == "reshape":
        return args[0].reshape(shape)
    if op == "transpose":
        return np.transpose(args[0], attrs[0])
    if op == "slice":
        return args[0][tuple(slice(s, e, k) for s, e, k in zip(*attrs, strict=True))]
    if op == "broadcast":
        return np.broadcast_to(args[0], shape)
    if op == "cast":
        return args[0].astype(dt.np)
    if op == "concat":
        return np.concatenate(args, axis=attrs[0])
    if op == "gather":
        x, idx = args
        d = attrs[0]
        x = x[tuple(slice(None) if i == d else slice(0, s) for i, s in enumerate(idx.shape))]
        return np.take_along_axis(x, idx.astype(np.int64), axis=d)
    if op == "insert_slice":
        out = np.array(args[1], copy=True)
        out[tuple(slice(s, e, k) for s, e, k in zip(*attrs, strict=True))] = args[0]
        return out
    if op == "full":
        return np.full(shape, attrs[0], dtype=dt.np)
    if op == "iota":
        n = shape[attrs[0]]
        view = [1] * len(shape)
        view[attrs[0]] = n
        return np.broadcast_to(np.arange(n, dtype=dt.np).reshape(view), shape)
    if op == "select":
        return np.where(args[0], args[1], args[2])
    if op in _EXACT and (op != "div" or dt.is_floating_point):
        with np.errstate(all="ignore"):
            return _EXACT[op](*args)
    raise _HostRegionError(op)


_EXACT = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "neg": np.negative, "abs": np.abs, "sqrt": np.sqrt, "floor": np.floor,
    "maximum": np.maximum, "minimum": np.minimum,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_not": np.logical_not,
}


class _HostExecutable:
    """Runs a region's key with NumPy: same signature as a compiled executable."""

    def __init__(self, key, out_specs):
        self.nodes, _, self.outputs = key
        self.out_specs = out_specs

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        values: list[np.ndarray] = []
        for op, attrs, shape, dt_name, refs in self.nodes:
            dt = dtypes.from_name(dt_name)
            args = [inputs[-r - 1] if r < 0 else values[r] for r in refs]
            values.append(np.asarray(_host_eval(op, attrs, tuple(shape), dt, args)))
        return [np.array(np.broadcast_to(values[i], shape), dtype=dt, order="C", copy=True)
                for i, (shape, dt) in zip(self.outputs, self.out_specs, strict=True)]


def _install_compile_guard(worker_id: int) -> None:
    """In a forked worker: regions that miss the compile cache run on the host or raise."""
    from ember.runtime import CACHE

    load_or_compile = CACHE._load_or_compile

    def guarded(key, out_specs, build_module):
        def refuse():
            ops = sorted({n[0] for n in key[0]} - _HOST_OPS)
            raise RuntimeError(
                f"DataLoader worker {worker_id} cannot compile ember code (a forked process "
                f"cannot run the MLIR compiler), and the region needs ops {ops} that it "
                f"cannot evaluate on the host. Return NumPy arrays or realized tensors from "
                f"the dataset, compute the values in the dataset's __init__ (ember.realize), "
                f"or run that code once in the main process so it is compiled and cached.")

        if all(n[0] in _HOST_OPS for n in key[0]):
            try:
                return load_or_compile(key, out_specs, _no_build)
            except _NoBuild:
                return _HostExecutable(key, out_specs)
        return load_or_compile(key, out_specs, refuse)

    CACHE._load_or_compile = guarded


class _NoBuild(Exception):
    pass


def _no_build():
    raise _NoBuild


_HOST_OPS = frozenset(_EXACT) | {"reshape", "transpose", "slice", "broadcast", "cast",
                                 "concat", "gather", "insert_slice", "full", "iota", "select"}


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
        _install_compile_guard(worker_id)
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
