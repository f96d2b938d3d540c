"""The ``cuda`` device: NVIDIA GPUs through the CUDA driver API (``libcuda``).

The driver is loaded with :mod:`ctypes` on first use; nothing CUDA is needed to
import Ember, and a machine without the driver or a GPU gets a
:class:`CudaError` naming what is missing. Kernels are the PTX that
``ember-nvvm-pipeline`` makes for the device's compute capability; the driver
compiles PTX for the GPU it runs on (``cuModuleLoadData``).

Buffers are managed memory (``cuMemAllocManaged``): the host and the GPU see the
same addresses, so a buffer is a NumPy view for the rest of the runtime, as on
the ``vulkan`` device, and a run waits for its kernels (``cuCtxSynchronize``)
before the host reads anything. Kernels take one device pointer per buffer
(``use-bare-ptr-memref-call-conv``). The buffers, kernels and launches are
:mod:`ember.runtime.backends._memory`'s, shared with the ``rocm`` device.

``EMBER_CUDA_DEVICE`` picks a GPU by ordinal (default 0).
"""

from __future__ import annotations

import ctypes
import os
import threading

import numpy as np

from ember.runtime.backends._memory import (
    DriverCalls,
    DriverDevice,
    ManagedBuffer,
    declare,
    whole_buffer,
)


class CudaError(RuntimeError):
    """The CUDA driver is missing, has no device, or failed a call."""


_LIBRARY = "libcuda.so.1"
_CALLS = DriverCalls(alloc_managed="cuMemAllocManaged", free="cuMemFree",
                     load_module="cuModuleLoadData", unload_module="cuModuleUnload",
                     get_function="cuModuleGetFunction", launch="cuLaunchKernel",
                     synchronize="cuCtxSynchronize")
_COMPUTE_CAPABILITY = (75, 76)  # CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_{MAJOR,MINOR}
_CUDA_ERROR_NO_DEVICE = 100


def _load():
    try:
        lib = ctypes.CDLL(_LIBRARY)
    except OSError as e:
        raise CudaError(f"{_LIBRARY} (the NVIDIA driver) was not found: {e}") from None
    c = ctypes
    for name, args in {
        "cuInit": [c.c_uint],
        "cuDeviceGetCount": [c.POINTER(c.c_int)],
        "cuDeviceGet": [c.POINTER(c.c_int), c.c_int],
        "cuDeviceGetName": [c.c_char_p, c.c_int, c.c_int],
        "cuDeviceGetAttribute": [c.POINTER(c.c_int), c.c_int, c.c_int],
        "cuDevicePrimaryCtxRetain": [c.POINTER(c.c_void_p), c.c_int],
        "cuDevicePrimaryCtxRelease": [c.c_int],
        "cuCtxSetCurrent": [c.c_void_p],
        "cuGetErrorString": [c.c_int, c.POINTER(c.c_char_p)],
    }.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, c.c_int
    declare(lib, _CALLS)
    return lib


class CudaDevice(DriverDevice):
    """One GPU's primary context, made current on the threads that use it."""

    calls = _CALLS

    def __init__(self, ordinal: int = 0):
        self._lib = _load()
        self._ctx = None
        result = self._lib.cuInit(0)
        if result == _CUDA_ERROR_NO_DEVICE:
            raise CudaError("the NVIDIA driver is loaded but sees no CUDA device")
        self._check(result, "cuInit")
        count = ctypes.c_int()
        self._call("cuDeviceGetCount", ctypes.byref(count))
        if not 0 <= ordinal < count.value:
            raise CudaError(f"no CUDA device {ordinal} (this machine has {count.value})")
        dev = ctypes.c_int()
        self._call("cuDeviceGet", ctypes.byref(dev), ordinal)
        self._dev = dev.value
        name = ctypes.create_string_buffer(256)
        self._call("cuDeviceGetName", name, 256, self._dev)
        self.name = name.value.decode(errors="replace")
        cc = [ctypes.c_int(), ctypes.c_int()]
        for value, attribute in zip(cc, _COMPUTE_CAPABILITY, strict=True):
            self._call("cuDeviceGetAttribute", ctypes.byref(value), attribute, self._dev)
        self.chip = f"sm_{cc[0].value}{cc[1].value}"  # what ember-nvvm-pipeline targets
        ctx = ctypes.c_void_p()
        self._call("cuDevicePrimaryCtxRetain", ctypes.byref(ctx), self._dev)
        self._ctx = ctx

    def _check(self, result: int, what: str) -> None:
        if result:
            text = ctypes.c_char_p()
            self._lib.cuGetErrorString(result, ctypes.byref(text))
            detail = text.value.decode() if text.value else f"error {result}"
            raise CudaError(f"{what} failed: {detail}")

    def _current(self) -> None:
        # A context is current per thread: the primary one, on this thread.
        self._call("cuCtxSetCurrent", self._ctx)

    def __del__(self):
        if getattr(self, "_ctx", None) is not None:
            self._lib.cuDevicePrimaryCtxRelease(self._dev)


_device: CudaDevice | None = None
_singleton_lock = threading.Lock()


def device() -> CudaDevice:
    """The process's CUDA device, opened on first use; raises :class:`CudaError`
    naming what is missing."""
    global _device
    with _singleton_lock:
        if _device is None:
            _device = CudaDevice(int(os.environ.get("EMBER_CUDA_DEVICE", "0")))
        return _device


def buffer_of(a: np.ndarray) -> ManagedBuffer | None:
    """The buffer of this device ``a`` is the whole of, from its first byte, else
    None."""
    buffer = whole_buffer(a, ManagedBuffer)
    return buffer if buffer is not None and isinstance(buffer._device, CudaDevice) else None
