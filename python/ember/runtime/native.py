"""``libEmberRuntime.so``, the native runtime every compiled region links against.

It holds the thread pool compiled regions run their parallel loops on (they call
the OpenMP runtime ABI, which it implements; one pool per process, of
``EMBER_NUM_THREADS`` threads if set, else as many as the CPUs this process may
use) and the cache of large heap blocks their temporaries come from.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path


def runtime_library() -> Path:
    """``libEmberRuntime.so``, the library every compiled region links against."""
    from ember import _ember_ext

    return Path(_ember_ext.__file__).parent / "libEmberRuntime.so"


@functools.cache
def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(runtime_library()))
    lib.emberRuntimeGetNumThreads.restype = ctypes.c_int
    lib.emberRuntimeSetNumThreads.argtypes = [ctypes.c_int]
    lib.emberRuntimeSetNumThreads.restype = None
    lib.emberRuntimeCachedBytes.restype = ctypes.c_uint64
    lib.emberRuntimeEmptyCache.restype = None
    return lib


def get_num_threads() -> int:
    """The number of threads a compiled region may use (``torch.get_num_threads``)."""
    return int(_lib().emberRuntimeGetNumThreads())


def set_num_threads(n: int) -> None:
    """Sets the number of threads compiled regions use (``torch.set_num_threads``).

    Takes effect for the next region that runs; already compiled regions adapt,
    nothing is recompiled. ``1`` runs every loop on the calling thread. Do not
    call it while another Python thread is running a region.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: the number of threads must be >= 1, got {n}")
    _lib().emberRuntimeSetNumThreads(n)


def cached_bytes() -> int:
    """Bytes of freed temporaries that compiled regions keep for reuse (at most 2 GiB;
    blocks of 64 KiB and more are cached, smaller ones go back to ``malloc``)."""
    return int(_lib().emberRuntimeCachedBytes())


def empty_cache() -> None:
    """Returns the cached blocks to the system (as ``torch.cuda.empty_cache``)."""
    _lib().emberRuntimeEmptyCache()
