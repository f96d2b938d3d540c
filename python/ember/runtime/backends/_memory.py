"""What the GPU devices share: buffers the host addresses directly (mapped Vulkan
memory, CUDA / HIP managed memory) seen as NumPy arrays, and, for the CUDA driver
API and the HIP runtime, which have the same shape, the buffers, kernels and
launches built on their calls."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np


class HostVisibleBuffer:
    """A buffer at host address ``_address`` of ``nbytes`` bytes; subclasses
    allocate and free it."""

    nbytes: int
    _address: int

    @property
    def __array_interface__(self) -> dict:
        # np.asarray(self) is a uint8 view of the bytes whose .base is self.
        return {"version": 3, "shape": (self.nbytes,), "typestr": "|u1",
                "data": (self._address, False)}

    def array(self, shape, dtype) -> np.ndarray:
        """A zero-copy, writable view of the first bytes as an array; it keeps this alive.

        >>> device().buffer(16).array((2, 2), "float32").shape   # doctest: +SKIP
        (2, 2)
        """
        dtype = np.dtype(dtype)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size > self.nbytes:
            raise ValueError(f"an array of {size} bytes {shape} {dtype} in a buffer of "
                             f"{self.nbytes} bytes")
        return np.asarray(self)[:size].view(dtype).reshape(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nbytes} bytes)"


def whole_buffer(a: np.ndarray, cls: type) -> HostVisibleBuffer | None:
    """The ``cls`` buffer ``a`` is the whole of, from its first byte, when it is one
    (``array`` made it, or a view that covers the same bytes), else None: such an
    array is bound as it is, any other one is copied into a new buffer."""
    base = a
    while base is not None and not isinstance(base, cls):
        base = getattr(base, "base", None)
    if base is None or not a.flags.c_contiguous or a.ctypes.data != base._address:
        return None
    return base if a.nbytes <= base.nbytes else None


@dataclass(frozen=True)
class DriverCalls:
    """The names of one driver's calls, which take the same arguments in the CUDA
    driver API and the HIP runtime."""

    alloc_managed: str  # (uint64 *address, size_t bytes, unsigned flags)
    free: str  # (uint64 address)
    load_module: str  # (void **module, const void *image)
    unload_module: str  # (void *module)
    get_function: str  # (void **function, void *module, const char *name)
    launch: str  # (function, grid xyz, block xyz, shared bytes, stream, params, extra)
    synchronize: str  # ()


def declare(lib, calls: DriverCalls) -> None:
    """Gives ``lib``'s calls named in ``calls`` their C signatures (all return an
    error code)."""
    c, ptr = ctypes, ctypes.c_void_p
    for name, args in {
        calls.alloc_managed: [c.POINTER(c.c_uint64), c.c_size_t, c.c_uint],
        calls.free: [c.c_uint64],
        calls.load_module: [c.POINTER(ptr), c.c_char_p],
        calls.unload_module: [ptr],
        calls.get_function: [c.POINTER(ptr), ptr, c.c_char_p],
        calls.launch: [ptr, *[c.c_uint] * 7, ptr, c.POINTER(ptr), c.POINTER(ptr)],
        calls.synchronize: [],
    }.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, c.c_int


class DriverDevice:
    """A CUDA or HIP device. Subclasses open it, setting ``_lib`` (with
    :func:`declare` done), ``calls``, ``name`` and ``chip``, and define ``_check``
    (raise for an error code) and ``_current`` (make it current on this thread)."""

    calls: DriverCalls
    name: str
    chip: str

    def _check(self, result: int, what: str) -> None:
        raise NotImplementedError

    def _current(self) -> None:
        raise NotImplementedError

    def _call(self, name: str, *args) -> None:
        self._check(getattr(self._lib, name)(*args), name)

    def buffer(self, nbytes: int) -> ManagedBuffer:
        """``nbytes`` of managed memory."""
        return ManagedBuffer(self, nbytes)

    def kernel(self, code: bytes, entry: str, block: tuple[int, int, int]) -> ModuleKernel:
        """The kernel ``entry`` of a module (PTX, a code object), launched with
        ``block`` threads."""
        return ModuleKernel(self, code, entry, block)

    def run(self, launches: list[tuple[ModuleKernel, list[ManagedBuffer],
                                       tuple[int, int, int]]]) -> None:
        """Launches each kernel on its buffers (one device pointer each) over its grid,
        in order on the default stream, and waits for the last."""
        self._current()
        for kernel, buffers, grid in launches:
            pointers = [ctypes.c_uint64(b._address) for b in buffers]
            params = (ctypes.c_void_p * len(pointers))(
                *[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in pointers])
            self._check(getattr(self._lib, self.calls.launch)(
                kernel._function, *grid, *kernel.block, 0, None, params, None),
                f"{self.calls.launch}({kernel.entry})")
        self._call(self.calls.synchronize)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.chip})"


class ManagedBuffer(HostVisibleBuffer):
    """Managed memory (one address for the host and the device); freed when
    neither it nor any array from :meth:`array` is left."""

    _MEM_ATTACH_GLOBAL = 1  # CU_MEM_ATTACH_GLOBAL, hipMemAttachGlobal

    def __init__(self, device: DriverDevice, nbytes: int):
        if nbytes < 0:
            raise ValueError(f"a buffer of {nbytes} bytes")
        self._device, self.nbytes, self._address = device, nbytes, 0
        device._current()
        address = ctypes.c_uint64()
        device._check(getattr(device._lib, device.calls.alloc_managed)(
            ctypes.byref(address), max(nbytes, 16), self._MEM_ATTACH_GLOBAL),
            f"{device.calls.alloc_managed}({nbytes} bytes)")
        self._address = address.value

    def __del__(self):
        if getattr(self, "_address", 0):
            try:  # the device's context current on the thread that frees it
                self._device._current()
            except RuntimeError:
                return  # the driver is shutting down (at exit): left to it
            getattr(self._device._lib, self._device.calls.free)(self._address)


class ModuleKernel:
    """A loaded module and its kernel ``entry``."""

    def __init__(self, device: DriverDevice, code: bytes, entry: str,
                 block: tuple[int, int, int]):
        self._device, self.entry, self.block = device, entry, tuple(block)
        self._module = None
        device._current()
        module = ctypes.c_void_p()
        device._check(getattr(device._lib, device.calls.load_module)(
            ctypes.byref(module), bytes(code)), f"{device.calls.load_module}({entry})")
        self._module = module
        function = ctypes.c_void_p()
        device._check(getattr(device._lib, device.calls.get_function)(
            ctypes.byref(function), module, entry.encode()),
            f"{device.calls.get_function}({entry})")
        self._function = function

    def __del__(self):
        if getattr(self, "_module", None) is not None:
            getattr(self._device._lib, self._device.calls.unload_module)(self._module)

    def __repr__(self) -> str:
        return f"ModuleKernel({self.entry!r}, block={self.block})"
