"""Vulkan compute: buffers, kernels, and synchronous runs of dispatches on one device.

The SPIR-V target of the GPU backend runs here. A kernel is a SPIR-V module
with one ``GLCompute`` entry point, its workgroup size baked in, whose
arguments are storage buffers in descriptor set 0, bindings ``0..n-1``. A
region is a list of dispatches over shared buffers: :meth:`VulkanDevice.run`
records them into one command buffer, with a compute -> compute memory barrier
between consecutive dispatches (a later kernel reads what an earlier one
wrote), submits it and waits.

Buffers are host-visible, host-coherent memory, mapped once when created, so
:meth:`VulkanBuffer.array` is a zero-copy NumPy view: inputs are written and
outputs read in place, with no staging copies. That is the right layout for
lavapipe (Mesa's CPU driver), integrated GPUs and resizable-BAR discrete ones.

Setup goes through the wrappers of the ``vulkan`` package (cffi); ``run()`` and
the destructors call the C functions (``vk.lib``) directly: a wrapper call
costs several microseconds of Python, and the C functions, held by the device
object, stay callable while the interpreter tears modules down at exit.

    >>> from ember.runtime.backends import vulkan
    >>> dev = vulkan.device()                                   # doctest: +SKIP
    >>> buf = dev.buffer(4 * 1024)                              # doctest: +SKIP
    >>> buf.array((1024,), "float32")[:] = 1.0                  # doctest: +SKIP
    >>> k = dev.kernel(spirv, "main_kernel", num_bindings=1)   # doctest: +SKIP
    >>> dev.run([(k, [buf], (4, 1, 1))])                        # doctest: +SKIP

Environment: ``EMBER_VULKAN_DEVICE=<part of a name>`` picks a device (else a
discrete GPU, then an integrated one, then a virtual one, then a CPU driver);
``EMBER_VULKAN_VALIDATION=1`` turns on ``VK_LAYER_KHRONOS_validation``.
"""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from ember.runtime.backends._memory import HostVisibleBuffer, whole_buffer


class VulkanError(RuntimeError):
    """Vulkan is missing (the package, the loader, a driver) or a Vulkan call failed."""


_VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation"
_NO_DRIVER = ("no Vulkan driver or device (Debian: apt install mesa-vulkan-drivers "
              "for lavapipe, the CPU driver)")
# VkPhysicalDeviceType -> preference: discrete, integrated, virtual GPU, CPU, other.
_TYPE_RANK = {2: 0, 1: 1, 3: 2, 4: 3}
# Features Ember's kernels may use, by the struct that holds them; each is
# enabled where the device supports it (see VulkanDevice.features).
_FEATURES = {
    "core": ("shaderInt64", "shaderFloat64", "shaderInt16"),
    "v11": ("storageBuffer16BitAccess",),
    "v12": ("storageBuffer8BitAccess", "shaderFloat16", "shaderInt8"),
}
_WHOLE_SIZE = (1 << 64) - 1  # VK_WHOLE_SIZE (the binding spells it -1)
_NO_TIMEOUT = (1 << 64) - 1
_SPIRV_MAGIC = 0x07230203


def _import_vk():
    """The ``vulkan`` module, or a VulkanError naming what to install."""
    try:
        import vulkan as vk
    except ImportError as e:
        raise VulkanError("the `vulkan` Python package is missing (pip install vulkan)") from e
    except OSError as e:  # raised by the package when it cannot dlopen the loader
        raise VulkanError("the Vulkan loader library libvulkan.so.1 is missing "
                          "(Debian: apt install libvulkan1)") from e
    return vk


def _check(vk, result: int, what: str) -> None:
    """Raises VulkanError unless ``result`` is VK_SUCCESS."""
    if result != 0:
        error = vk.exception_codes.get(result)
        raise VulkanError(f"{what} failed: VkResult {result}"
                          + (f" ({error.__name__})" if error else ""))


def _wrapped(what: str, call, *args):
    """``call(*args)`` through the ``vulkan`` package, its errors as VulkanError."""
    import vulkan as vk
    try:
        return call(*args)
    except (vk.VkError, vk.VkException) as e:
        raise VulkanError(f"{what} failed: {type(e).__name__}") from e


def _pick(candidates: list[tuple[str, int, bool]], wanted: str | None) -> int:
    """The index of the device to use among ``(name, VkPhysicalDeviceType, usable)``.

    ``wanted`` (EMBER_VULKAN_DEVICE) keeps the devices whose name contains it,
    ignoring case; among those left, the first of the most preferred type.

    >>> _pick([("llvmpipe", 4, True), ("Radeon", 2, True)], None)
    1
    """
    usable = [(i, name, kind) for i, (name, kind, ok) in enumerate(candidates) if ok]
    if wanted:
        usable = [c for c in usable if wanted.lower() in c[1].lower()]
        if not usable:
            names = ", ".join(repr(name) for name, _, ok in candidates if ok) or "none"
            raise VulkanError(f"EMBER_VULKAN_DEVICE={wanted!r} names no usable Vulkan "
                              f"device (Vulkan 1.2 with a compute queue); there are: {names}")
    if not usable:
        raise VulkanError(f"no Vulkan 1.2 device with a compute queue: {_NO_DRIVER}")
    return min(usable, key=lambda c: (_TYPE_RANK.get(c[2], 4), c[0]))[0]


def _entry_points(spirv: bytes) -> list[str]:
    """The names of the OpEntryPoints of a little-endian SPIR-V module."""
    if len(spirv) % 4 or len(spirv) < 20:
        raise VulkanError(f"not a SPIR-V module: {len(spirv)} bytes")
    words = np.frombuffer(spirv, "<u4")
    if words[0] != _SPIRV_MAGIC:
        raise VulkanError(f"not a SPIR-V module: magic number {int(words[0]):#010x}")
    names, i = [], 5  # instructions follow the 5-word header
    while i < len(words):
        count, opcode = int(words[i]) >> 16, int(words[i]) & 0xFFFF
        if count == 0:
            raise VulkanError(f"malformed SPIR-V: an instruction of 0 words at word {i}")
        if opcode == 15:  # OpEntryPoint model id "name" interface...
            names.append(bytes(words[i + 3:i + count]).split(b"\0")[0].decode())
        elif opcode == 54:  # OpFunction: entry points all come before it
            break
        i += count
    return names


class VulkanDevice:
    """One Vulkan device, its compute queue and command pool. Use :func:`device`.

    ``features`` is the set of optional features enabled (those of ``_FEATURES``
    the device supports), ``limits`` its ``VkPhysicalDeviceLimits``.
    """

    def __init__(self, wanted: str | None = None):
        vk = _import_vk()
        # Held for run() and the destructors (see the module docstring).
        self._vk, self._lib, self._ffi = vk, vk.lib, vk.ffi
        self._lock = threading.Lock()
        self._instance = self._device = self._pool = None
        try:
            self._open(wanted)
        except BaseException:
            self._close()
            raise

    def _open(self, wanted: str | None) -> None:
        vk = self._vk
        layers = []
        if os.environ.get("EMBER_VULKAN_VALIDATION") == "1":
            present = {layer.layerName for layer in vk.vkEnumerateInstanceLayerProperties()}
            if _VALIDATION_LAYER in present:
                layers.append(_VALIDATION_LAYER)
            else:
                warnings.warn(f"EMBER_VULKAN_VALIDATION=1 but {_VALIDATION_LAYER} is not "
                              "installed (Debian: vulkan-validationlayers)", stacklevel=3)
        app = vk.VkApplicationInfo(pApplicationName="ember", pEngineName="ember",
                                   apiVersion=vk.VK_MAKE_VERSION(1, 2, 0))
        try:
            self._instance = vk.vkCreateInstance(
                vk.VkInstanceCreateInfo(pApplicationInfo=app, ppEnabledLayerNames=layers), None)
            physical = list(vk.vkEnumeratePhysicalDevices(self._instance))
        except (vk.VkError, vk.VkException) as e:
            raise VulkanError(f"{_NO_DRIVER}: {type(e).__name__}") from e

        candidates, families = [], []
        for pd in physical:
            props = vk.vkGetPhysicalDeviceProperties(pd)
            family = next((i for i, q in enumerate(vk.vkGetPhysicalDeviceQueueFamilyProperties(pd))
                           if q.queueFlags & vk.VK_QUEUE_COMPUTE_BIT and q.queueCount > 0), None)
            ok = family is not None and props.apiVersion >= vk.VK_MAKE_VERSION(1, 2, 0)
            candidates.append((props.deviceName, props.deviceType, ok))
            families.append(family)
        index = _pick(candidates, wanted)
        self._physical, family = physical[index], families[index]
        props = vk.vkGetPhysicalDeviceProperties(self._physical)
        self.name: str = props.deviceName
        self.limits = self._ffi.new("VkPhysicalDeviceLimits *", props.limits)[0]  # a copy
        self._max_grid = tuple(props.limits.maxComputeWorkGroupCount)

        query, structs = self._feature_chain()
        self._lib.vkGetPhysicalDeviceFeatures2(self._physical, query)
        self.features = frozenset(name for key, names in _FEATURES.items() for name in names
                                  if getattr(structs[key], name))
        enabled, structs = self._feature_chain(self.features)  # structs: kept alive
        queue = vk.VkDeviceQueueCreateInfo(queueFamilyIndex=family, queueCount=1,
                                           pQueuePriorities=[1.0])
        self._device = _wrapped("vkCreateDevice", vk.vkCreateDevice, self._physical,
                                vk.VkDeviceCreateInfo(pNext=enabled, pQueueCreateInfos=[queue]),
                                None)
        self._queue = vk.vkGetDeviceQueue(self._device, family, 0)
        self._pool = _wrapped("vkCreateCommandPool", vk.vkCreateCommandPool, self._device,
                              vk.VkCommandPoolCreateInfo(
                                  flags=vk.VK_COMMAND_POOL_CREATE_TRANSIENT_BIT,
                                  queueFamilyIndex=family), None)

        # Host-visible, host-coherent memory types, device-local ones first.
        mem = vk.vkGetPhysicalDeviceMemoryProperties(self._physical)
        host = vk.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | vk.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
        flags = [mem.memoryTypes[i].propertyFlags for i in range(mem.memoryTypeCount)]
        self._memory_types = sorted(
            (i for i, f in enumerate(flags) if f & host == host),
            key=lambda i: not flags[i] & vk.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)

    def _feature_chain(self, enable: frozenset[str] = frozenset()):
        """``VkPhysicalDeviceFeatures2 -> Vulkan12Features -> Vulkan11Features`` with
        the features named in ``enable`` on: the head, and the structs by ``_FEATURES``
        key (keep them alive as long as the head)."""
        vk, ffi = self._vk, self._ffi
        v11 = ffi.new("VkPhysicalDeviceVulkan11Features *",
                      {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES})
        v12 = ffi.new("VkPhysicalDeviceVulkan12Features *",
                      {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
                       "pNext": v11})
        head = ffi.new("VkPhysicalDeviceFeatures2 *",
                       {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, "pNext": v12})
        structs = {"core": head.features, "v11": v11, "v12": v12}
        for key, names in _FEATURES.items():
            for name in names:
                setattr(structs[key], name, name in enable)
        return head, structs

    def buffer(self, nbytes: int) -> VulkanBuffer:
        """A storage buffer of ``nbytes`` in host-visible memory, mapped.

        At most ``limits.maxStorageBufferRange`` bytes (128 MiB on lavapipe, 4 GiB
        on most GPUs), as kernels bind each buffer whole.
        """
        if nbytes > self.limits.maxStorageBufferRange:
            raise VulkanError(f"a storage buffer of {nbytes} bytes: {self.name} binds at "
                              f"most {self.limits.maxStorageBufferRange} (maxStorageBufferRange)")
        return VulkanBuffer(self, nbytes)

    def kernel(self, spirv: bytes, entry: str, num_bindings: int) -> Kernel:
        """The compute pipeline of ``entry`` in ``spirv``, taking ``num_bindings`` buffers."""
        return Kernel(self, spirv, entry, num_bindings)

    def run(self, dispatches: list[tuple[Kernel, list[VulkanBuffer], tuple[int, int, int]]]
            ) -> None:
        """Runs ``(kernel, buffers, grid)`` dispatches in order, and waits for them.

        One command buffer: a descriptor set per dispatch, a memory barrier
        between consecutive dispatches, and one to the host after the last, so
        that the buffers' views show the results when this returns.
        """
        if not dispatches:
            return
        vk, lib, ffi, dev = self._vk, self._lib, self._ffi, self._device
        for kernel, buffers, grid in dispatches:
            if len(buffers) != kernel.num_bindings:
                raise VulkanError(f"kernel {kernel.entry!r} takes {kernel.num_bindings} "
                                  f"buffers, given {len(buffers)}")
            if any(g > m for g, m in zip(grid, self._max_grid, strict=True)):
                raise VulkanError(f"grid {tuple(grid)} of kernel {kernel.entry!r} exceeds "
                                  f"{self._max_grid} (maxComputeWorkGroupCount)")
        n = len(dispatches)
        infos = ffi.new("VkDescriptorBufferInfo[]",
                        [(b._buffer, 0, _WHOLE_SIZE) for _, bufs, _ in dispatches for b in bufs])
        compute = vk.VK_PIPELINE_BIND_POINT_COMPUTE
        stage = vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT
        storage = vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
        shader_write = vk.VK_ACCESS_SHADER_WRITE_BIT
        between = ffi.new("VkMemoryBarrier *", {
            "sType": vk.VK_STRUCTURE_TYPE_MEMORY_BARRIER, "srcAccessMask": shader_write,
            "dstAccessMask": vk.VK_ACCESS_SHADER_READ_BIT | shader_write})
        to_host = ffi.new("VkMemoryBarrier *", {
            "sType": vk.VK_STRUCTURE_TYPE_MEMORY_BARRIER, "srcAccessMask": shader_write,
            "dstAccessMask": vk.VK_ACCESS_HOST_READ_BIT})
        sizes = ffi.new("VkDescriptorPoolSize *", {"type": storage,
                                                   "descriptorCount": max(len(infos), 1)})
        pool_info = ffi.new("VkDescriptorPoolCreateInfo *", {
            "sType": vk.VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, "maxSets": n,
            "poolSizeCount": 1, "pPoolSizes": sizes})
        layouts = ffi.new("VkDescriptorSetLayout[]", [k._set_layout for k, _, _ in dispatches])
        cmd_info = ffi.new("VkCommandBufferAllocateInfo *", {
            "sType": vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
            "level": vk.VK_COMMAND_BUFFER_LEVEL_PRIMARY, "commandBufferCount": 1})
        begin = ffi.new("VkCommandBufferBeginInfo *", {
            "sType": vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
            "flags": vk.VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT})
        fence_info = ffi.new("VkFenceCreateInfo *",
                             {"sType": vk.VK_STRUCTURE_TYPE_FENCE_CREATE_INFO})
        pool, sets = ffi.new("VkDescriptorPool *"), ffi.new("VkDescriptorSet[]", n)
        cmd, fence = ffi.new("VkCommandBuffer *"), ffi.new("VkFence *")

        with self._lock:
            try:
                _check(vk, lib.vkCreateDescriptorPool(dev, pool_info, ffi.NULL, pool),
                       "vkCreateDescriptorPool")
                set_info = ffi.new("VkDescriptorSetAllocateInfo *", {
                    "sType": vk.VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                    "descriptorPool": pool[0], "descriptorSetCount": n, "pSetLayouts": layouts})
                _check(vk, lib.vkAllocateDescriptorSets(dev, set_info, sets),
                       "vkAllocateDescriptorSets")
                writes = ffi.new("VkWriteDescriptorSet[]", [
                    {"sType": vk.VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, "dstSet": sets[i],
                     "dstBinding": b, "descriptorCount": 1, "descriptorType": storage}
                    for i, (_, bufs, _) in enumerate(dispatches) for b in range(len(bufs))])
                for j in range(len(writes)):
                    writes[j].pBufferInfo = infos + j
                lib.vkUpdateDescriptorSets(dev, len(writes), writes, 0, ffi.NULL)

                cmd_info.commandPool = self._pool
                _check(vk, lib.vkAllocateCommandBuffers(dev, cmd_info, cmd),
                       "vkAllocateCommandBuffers")
                c = cmd[0]
                _check(vk, lib.vkBeginCommandBuffer(c, begin), "vkBeginCommandBuffer")
                for i, (kernel, _, grid) in enumerate(dispatches):
                    if i:
                        lib.vkCmdPipelineBarrier(c, stage, stage, 0, 1, between,
                                                 0, ffi.NULL, 0, ffi.NULL)
                    lib.vkCmdBindPipeline(c, compute, kernel._pipeline)
                    lib.vkCmdBindDescriptorSets(c, compute, kernel._layout, 0, 1, sets + i,
                                                0, ffi.NULL)
                    lib.vkCmdDispatch(c, *grid)
                lib.vkCmdPipelineBarrier(c, stage, vk.VK_PIPELINE_STAGE_HOST_BIT, 0, 1, to_host,
                                         0, ffi.NULL, 0, ffi.NULL)
                _check(vk, lib.vkEndCommandBuffer(c), "vkEndCommandBuffer")

                _check(vk, lib.vkCreateFence(dev, fence_info, ffi.NULL, fence), "vkCreateFence")
                submit = ffi.new("VkSubmitInfo *", {
                    "sType": vk.VK_STRUCTURE_TYPE_SUBMIT_INFO, "commandBufferCount": 1,
                    "pCommandBuffers": cmd})
                _check(vk, lib.vkQueueSubmit(self._queue, 1, submit, fence[0]), "vkQueueSubmit")
                _check(vk, lib.vkWaitForFences(dev, 1, fence, 1, _NO_TIMEOUT), "vkWaitForFences")
            finally:
                if fence[0]:
                    lib.vkDestroyFence(dev, fence[0], ffi.NULL)
                if cmd[0]:
                    lib.vkFreeCommandBuffers(dev, self._pool, 1, cmd)
                if pool[0]:  # frees the descriptor sets with it
                    lib.vkDestroyDescriptorPool(dev, pool[0], ffi.NULL)

    def _allocate(self, requirements):
        """Device memory for ``requirements``: the first host-coherent type that fits."""
        vk = self._vk
        types = [i for i in self._memory_types if requirements.memoryTypeBits >> i & 1]
        if not types:
            raise VulkanError(f"{self.name} has no host-visible, host-coherent memory "
                              "for storage buffers")
        for i in types:
            info = vk.VkMemoryAllocateInfo(allocationSize=requirements.size, memoryTypeIndex=i)
            try:
                return vk.vkAllocateMemory(self._device, info, None)
            except (vk.VkErrorOutOfDeviceMemory, vk.VkErrorOutOfHostMemory) as e:
                error = e
        raise VulkanError(f"vkAllocateMemory of {requirements.size} bytes failed: "
                          f"{type(error).__name__}") from error

    def _close(self) -> None:
        """Destroys the command pool, device and instance (children must be gone)."""
        lib, ffi = self._lib, self._ffi
        if self._device is not None:
            lib.vkDeviceWaitIdle(self._device)
            if self._pool is not None:
                lib.vkDestroyCommandPool(self._device, self._pool, ffi.NULL)
            lib.vkDestroyDevice(self._device, ffi.NULL)
        if self._instance is not None:
            lib.vkDestroyInstance(self._instance, ffi.NULL)
        self._instance = self._device = self._pool = None

    def __del__(self):
        if getattr(self, "_lib", None) is not None:
            self._close()

    def __repr__(self) -> str:
        return f"VulkanDevice({self.name!r})"


class VulkanBuffer(HostVisibleBuffer):
    """A storage buffer in host-visible, host-coherent memory, mapped for its lifetime.

    Its memory is freed when neither it nor any array from :meth:`array` is left.
    """

    def __init__(self, device: VulkanDevice, nbytes: int):
        vk, ffi = device._vk, device._ffi
        if nbytes < 0:
            raise ValueError(f"a buffer of {nbytes} bytes")
        self._device, self.nbytes = device, nbytes
        self._buffer = self._memory = None
        dev = device._device
        info = vk.VkBufferCreateInfo(
            size=max(nbytes, 16),  # Vulkan buffers cannot be empty
            usage=vk.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | vk.VK_BUFFER_USAGE_TRANSFER_SRC_BIT
            | vk.VK_BUFFER_USAGE_TRANSFER_DST_BIT,
            sharingMode=vk.VK_SHARING_MODE_EXCLUSIVE)
        self._buffer = _wrapped("vkCreateBuffer", vk.vkCreateBuffer, dev, info, None)
        self._memory = device._allocate(vk.vkGetBufferMemoryRequirements(dev, self._buffer))
        _wrapped("vkBindBufferMemory", vk.vkBindBufferMemory, dev, self._buffer, self._memory, 0)
        ptr = ffi.new("void **")
        _check(vk, device._lib.vkMapMemory(dev, self._memory, 0, _WHOLE_SIZE, 0, ptr),
               "vkMapMemory")
        self._address = int(ffi.cast("uintptr_t", ptr[0]))

    def __del__(self):
        device = getattr(self, "_device", None)
        if device is None or device._device is None:
            return  # the device went first (at exit, in a reference cycle): left to the OS
        lib, ffi = device._lib, device._ffi
        if self._buffer is not None:
            lib.vkDestroyBuffer(device._device, self._buffer, ffi.NULL)
        if self._memory is not None:  # unmaps it too
            lib.vkFreeMemory(device._device, self._memory, ffi.NULL)


class Kernel:
    """A compute pipeline: shader module, descriptor set layout, pipeline layout."""

    def __init__(self, device: VulkanDevice, spirv: bytes, entry: str, num_bindings: int):
        vk = device._vk
        self._device, self.entry, self.num_bindings = device, entry, num_bindings
        self._module = self._set_layout = self._layout = self._pipeline = None
        spirv = bytes(spirv)
        entries = _entry_points(spirv)
        if entry not in entries:
            raise VulkanError(f"the SPIR-V module has no entry point {entry!r}; it has {entries}")
        dev = device._device
        self._module = _wrapped("vkCreateShaderModule", vk.vkCreateShaderModule, dev,
                                vk.VkShaderModuleCreateInfo(codeSize=len(spirv), pCode=spirv),
                                None)
        bindings = [vk.VkDescriptorSetLayoutBinding(
            binding=i, descriptorType=vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount=1,
            stageFlags=vk.VK_SHADER_STAGE_COMPUTE_BIT) for i in range(num_bindings)]
        self._set_layout = _wrapped(
            "vkCreateDescriptorSetLayout", vk.vkCreateDescriptorSetLayout, dev,
            vk.VkDescriptorSetLayoutCreateInfo(pBindings=bindings), None)
        self._layout = _wrapped("vkCreatePipelineLayout", vk.vkCreatePipelineLayout, dev,
                                vk.VkPipelineLayoutCreateInfo(pSetLayouts=[self._set_layout]),
                                None)
        stage = vk.VkPipelineShaderStageCreateInfo(
            stage=vk.VK_SHADER_STAGE_COMPUTE_BIT, module=self._module, pName=entry)
        info = vk.VkComputePipelineCreateInfo(stage=stage, layout=self._layout)
        self._pipeline = _wrapped("vkCreateComputePipelines", vk.vkCreateComputePipelines,
                                  dev, vk.VK_NULL_HANDLE, 1, [info], None)[0]

    def __del__(self):
        device = getattr(self, "_device", None)
        if device is None or device._device is None:
            return  # see VulkanBuffer.__del__
        lib, ffi, dev = device._lib, device._ffi, device._device
        if self._pipeline is not None:
            lib.vkDestroyPipeline(dev, self._pipeline, ffi.NULL)
        if self._layout is not None:
            lib.vkDestroyPipelineLayout(dev, self._layout, ffi.NULL)
        if self._set_layout is not None:
            lib.vkDestroyDescriptorSetLayout(dev, self._set_layout, ffi.NULL)
        if self._module is not None:
            lib.vkDestroyShaderModule(dev, self._module, ffi.NULL)

    def __repr__(self) -> str:
        return f"Kernel({self.entry!r}, {self.num_bindings} bindings)"


_device: VulkanDevice | None = None
_available: bool | None = None
_singleton_lock = threading.Lock()


def device() -> VulkanDevice:
    """The process's Vulkan device, opened on first use (see the module docstring).

    Raises VulkanError naming what is missing: the ``vulkan`` package, the
    loader library, or any Vulkan driver and device.
    """
    global _device
    with _singleton_lock:
        if _device is None:
            _device = VulkanDevice(os.environ.get("EMBER_VULKAN_DEVICE"))
        return _device


def available() -> bool:
    """Whether :func:`device` works here; never raises, and answers once."""
    global _available
    if _available is None:
        try:
            device()
            _available = True
        except Exception:  # any failure means "not available"
            _available = False
    return _available


def buffer_of(a: np.ndarray) -> VulkanBuffer | None:
    """The buffer ``a`` is the whole of, from its first byte, when it is one, else
    None (see :func:`~ember.runtime.backends._memory.whole_buffer`)."""
    return whole_buffer(a, VulkanBuffer)
