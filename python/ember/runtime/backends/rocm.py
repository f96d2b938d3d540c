"""The ``rocm`` device: AMD GPUs through the HIP runtime (``libamdhip64``).

The runtime is loaded with :mod:`ctypes` on first use; nothing ROCm is needed to
import Ember, and a machine without it or a GPU gets a :class:`RocmError`
naming what is missing. Kernels are the AMDGPU code objects that
``ember-rocdl-pipeline`` and Debian's ``llc-22`` / ``ld.lld-22`` make for the
device's ``gfx`` architecture.

Buffers are managed memory (``hipMallocManaged``), NumPy views for the rest of
the runtime, as on the ``cuda`` and ``vulkan`` devices; a run waits for its
kernels (``hipDeviceSynchronize``) before the host reads anything. Kernels take
one device pointer per buffer (``use-bare-ptr-memref-call-conv``). The buffers,
kernels and launches are :mod:`ember.runtime.backends._memory`'s, shared with
the ``cuda`` device.

``EMBER_ROCM_DEVICE`` picks a GPU by ordinal (default 0).
"""

from __future__ import annotations

import ctypes
import os
import re
import threading

import numpy as np

from ember.runtime.backends._memory import (
    DriverCalls,
    DriverDevice,
    ManagedBuffer,
    declare,
    whole_buffer,
)


class RocmError(RuntimeError):
    """The HIP runtime is missing, has no device, or failed a call."""


_LIBRARY = "libamdhip64.so"
_CALLS = DriverCalls(alloc_managed="hipMallocManaged", free="hipFree",
                     load_module="hipModuleLoadData", unload_module="hipModuleUnload",
                     get_function="hipModuleGetFunction", launch="hipModuleLaunchKernel",
                     synchronize="hipDeviceSynchronize")
_HIP_ERROR_NO_DEVICE = 100
_PROPERTIES_BYTES = 1 << 13  # more than any hipDeviceProp_t so far


def _load():
    try:
        lib = ctypes.CDLL(_LIBRARY)
    except OSError as e:
        raise RocmError(f"{_LIBRARY} (the HIP runtime, ROCm) was not found: {e}") from None
    c = ctypes
    for name, args in {
        "hipInit": [c.c_uint],
        "hipGetDeviceCount": [c.POINTER(c.c_int)],
        "hipSetDevice": [c.c_int],
        "hipDeviceGetName": [c.c_char_p, c.c_int, c.c_int],
    }.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, c.c_int
    lib.hipGetErrorString.argtypes, lib.hipGetErrorString.restype = [c.c_int], c.c_char_p
    declare(lib, _CALLS)
    return lib


def _architecture(lib, ordinal: int) -> str:
    """The device's gfx architecture (``gfx90a``), read from its properties: the
    ``gcnArchName`` string, wherever this runtime's struct layout puts it."""
    for name in ("hipGetDevicePropertiesR0600", "hipGetDeviceProperties"):
        fn = getattr(lib, name, None)
        if fn is None:
            continue
        props = ctypes.create_string_buffer(_PROPERTIES_BYTES)
        fn.argtypes, fn.restype = [ctypes.c_void_p, ctypes.c_int], ctypes.c_int
        if fn(props, ordinal) == 0:
            m = re.search(rb"gfx[0-9a-f]+", props.raw)
            if m:
                return m.group().decode()
    raise RocmError("could not read the device's gfx architecture from hipGetDeviceProperties")


class RocmDevice(DriverDevice):
    """One GPU, made current on the threads that use it."""

    calls = _CALLS

    def __init__(self, ordinal: int = 0):
        self._lib = _load()
        result = self._lib.hipInit(0)
        if result == _HIP_ERROR_NO_DEVICE:
            raise RocmError("the HIP runtime is loaded but sees no ROCm device")
        self._check(result, "hipInit")
        count = ctypes.c_int()
        self._call("hipGetDeviceCount", ctypes.byref(count))
        if not 0 <= ordinal < count.value:
            raise RocmError(f"no ROCm device {ordinal} (this machine has {count.value})")
        self._ordinal = ordinal
        name = ctypes.create_string_buffer(256)
        self._call("hipDeviceGetName", name, 256, ordinal)
        self.name = name.value.decode(errors="replace")
        self.chip = _architecture(self._lib, ordinal)  # what ember-rocdl-pipeline targets

    def _check(self, result: int, what: str) -> None:
        if result:
            text = self._lib.hipGetErrorString(result)
            detail = text.decode() if text else f"error {result}"
            raise RocmError(f"{what} failed: {detail}")

    def _current(self) -> None:
        self._call("hipSetDevice", self._ordinal)


_device: RocmDevice | None = None
_singleton_lock = threading.Lock()


def device() -> RocmDevice:
    """The process's ROCm device, opened on first use; raises :class:`RocmError`
    naming what is missing."""
    global _device
    with _singleton_lock:
        if _device is None:
            _device = RocmDevice(int(os.environ.get("EMBER_ROCM_DEVICE", "0")))
        return _device


def buffer_of(a: np.ndarray) -> ManagedBuffer | None:
    """The buffer of this device ``a`` is the whole of, from its first byte, else
    None."""
    buffer = whole_buffer(a, ManagedBuffer)
    return buffer if buffer is not None and isinstance(buffer._device, RocmDevice) else None
