"""Devices: where a buffer lives and where the regions that compute it run.

``cpu`` buffers are NumPy arrays in host memory. The GPU devices' buffers are
NumPy views of memory the host addresses directly: host-visible Vulkan memory
on ``vulkan`` (``ember.runtime.backends.vulkan``), managed memory on ``cuda``
(NVIDIA, ``ember.runtime.backends.cuda``) and ``rocm`` (AMD,
``ember.runtime.backends.rocm``). So the rest of the runtime handles them all
the same way, and a region on one device reads the others' buffers (a GPU
region copies other inputs into its device's buffers first). Each device has
its own compile cache.
"""

from __future__ import annotations

import numpy as np

from ember.runtime.backends import cuda, rocm, vulkan

# Each GPU device's backend module and the error it raises when it is missing.
_GPUS = {"vulkan": (vulkan, vulkan.VulkanError), "cuda": (cuda, cuda.CudaError),
         "rocm": (rocm, rocm.RocmError)}
DEVICES = ("cpu", *_GPUS)

_in_use: dict = {}  # kind -> GPU module, once it has made a buffer: until then all is cpu


def check(name: str) -> str:
    """``name`` ("cpu", "vulkan", "cuda:0"...) as a device type, or an error naming
    what is missing."""
    kind = name.split(":")[0]
    if kind not in DEVICES:
        raise RuntimeError(f"ember: device {name!r} is not available in this build "
                           f"(available: {', '.join(DEVICES)})")
    if kind in _GPUS:
        module, error = _GPUS[kind]
        try:
            module.device()
        except error as e:
            raise RuntimeError(f"ember: device '{kind}' is not available: {e}") from None
    return kind


def device_of_array(a: np.ndarray) -> str:
    """The GPU device whose memory ``a`` views, else "cpu"."""
    for kind, module in _in_use.items():
        if module.buffer_of(a) is not None:
            return kind
    return "cpu"


def _use(kind: str):
    module = _in_use[kind] = _GPUS[kind][0]
    return module


def to_device(a: np.ndarray, kind: str) -> np.ndarray:
    """A copy of ``a`` in ``kind``'s memory (``a`` itself when it is there already)."""
    if device_of_array(a) == kind:
        return a
    if kind == "cpu":
        return np.array(a, copy=True)
    out = _use(kind).device().buffer(a.nbytes).array(a.shape, a.dtype)
    out[...] = a
    return out


_caches: dict = {}


def cache_for(kind: str | None):
    """The compile cache of a device's regions."""
    kind = kind or "cpu"
    cache = _caches.get(kind)
    if cache is None:
        if kind == "cpu":
            from ember.runtime.realize import CACHE as cache
        else:
            from ember.runtime.backends.gpu import BACKENDS
            from ember.runtime.cache import CompileCache

            _use(kind)
            cache = CompileCache(BACKENDS[kind]())
        _caches[kind] = cache
    return cache
