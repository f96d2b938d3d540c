"""Devices: where a buffer lives and where the regions that compute it run.

``cpu`` buffers are NumPy arrays in host memory; ``vulkan`` buffers are NumPy
views of host-visible Vulkan memory (``ember.runtime.backends.vulkan``), so the
rest of the runtime handles both the same way, and a region on either device
reads the other's buffers (a Vulkan region copies CPU inputs into device
buffers first). Each device has its own compile cache.
"""

from __future__ import annotations

import numpy as np

from ember.runtime.backends import vulkan

DEVICES = ("cpu", "vulkan")

_vulkan_in_use = False  # set once a Vulkan buffer exists: until then all is cpu


def check(name: str) -> str:
    """``name`` ("cpu", "vulkan", "vulkan:0") as a device type, or an error naming
    what is missing."""
    kind = name.split(":")[0]
    if kind not in DEVICES:
        raise RuntimeError(f"ember: device {name!r} is not available in this build "
                           f"(available: {', '.join(DEVICES)})")
    if kind == "vulkan":
        try:
            vulkan.device()
        except vulkan.VulkanError as e:
            raise RuntimeError(f"ember: device 'vulkan' is not available: {e}") from None
    return kind


def device_of_array(a: np.ndarray) -> str:
    """"vulkan" for a view of Vulkan memory, else "cpu"."""
    if not _vulkan_in_use:
        return "cpu"
    return "vulkan" if vulkan.buffer_of(a) is not None else "cpu"


def to_device(a: np.ndarray, kind: str) -> np.ndarray:
    """A copy of ``a`` in ``kind``'s memory (``a`` itself when it is there already)."""
    if device_of_array(a) == kind:
        return a
    if kind == "cpu":
        return np.array(a, copy=True)
    global _vulkan_in_use
    _vulkan_in_use = True
    out = vulkan.device().buffer(a.nbytes).array(a.shape, a.dtype)
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
            global _vulkan_in_use
            from ember.runtime.backends.gpu import VulkanBackend
            from ember.runtime.cache import CompileCache

            _vulkan_in_use = True
            cache = CompileCache(VulkanBackend())
        _caches[kind] = cache
    return cache
