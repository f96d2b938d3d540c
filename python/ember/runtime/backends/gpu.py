"""GPU regions: one lowering, three targets, and a launch plan the runtime executes.

``ember-{spirv,nvvm,rocdl}-pipeline`` turn a region into kernels (one per
loop nest) and a host function that is a straight line of allocations and
``gpu.launch_func`` ops. :func:`compile_region` runs the pipeline and reads that
host function into a :class:`Program`: the buffers (the region's inputs and
outputs, temporaries, constants), the launches (kernel, grid, block, buffers)
and each kernel's code, serialized for its target:

* ``spirv``: a SPIR-V binary per kernel (Vulkan), run by :class:`VulkanBackend`;
* ``nvvm``: PTX (``fmt="isa"``) or a cubin (``fmt="bin"``, needs ``ptxas``); PTX
  runs on the ``cuda`` device (:class:`DriverBackend`);
* ``rocdl``: an AMDGPU code object (``.hsaco``), made from the kernels' LLVM IR
  by Debian's ``llc-22`` and ``ld.lld-22`` (this LLVM has no AMDGPU backend), run
  on the ``rocm`` device (:class:`DriverBackend`).

:class:`GPUExecutable` runs a program on any of the three devices.

A :class:`Program` is plain data: it round-trips through JSON, which is what
the compile cache keeps on disk.
"""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import mlir.ir as ir
import numpy as np
from mlir.dialects import gpu

from ember.compiler._jit import EmberCompileError, run_pipeline
from ember.compiler._types import numpy_dtype
from ember.runtime.backends import cuda, rocm, vulkan

TARGETS = ("spirv", "nvvm", "rocdl")


@dataclass
class Launch:
    module: str  # the kernel's gpu.binary / gpu.module
    entry: str  # its entry point
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    args: list[int]  # buffer numbers
    iterations: int = 0  # loop iterations one thread runs (SPIR-V only)


@dataclass
class Program:
    target: str
    num_inputs: int
    num_outputs: int
    # ("arg", k) for the region's k-th argument (inputs, then outputs),
    # ("alloc", nbytes) for a temporary, ("const", base64 bytes) for a constant.
    buffers: list[tuple[str, object]] = field(default_factory=list)
    launches: list[Launch] = field(default_factory=list)
    kernels: dict[str, bytes] = field(default_factory=dict)  # module -> code

    def to_json(self) -> str:
        return json.dumps({
            "target": self.target, "num_inputs": self.num_inputs,
            "num_outputs": self.num_outputs, "buffers": self.buffers,
            "launches": [[ln.module, ln.entry, ln.grid, ln.block, ln.args, ln.iterations]
                         for ln in self.launches],
            "kernels": {k: base64.b64encode(v).decode() for k, v in self.kernels.items()},
        })

    @classmethod
    def from_json(cls, text: str) -> Program:
        d = json.loads(text)
        return cls(d["target"], d["num_inputs"], d["num_outputs"],
                   [tuple(b) for b in d["buffers"]],
                   [Launch(m, e, tuple(g), tuple(b), list(a), n)
                    for m, e, g, b, a, n in d["launches"]],
                   {k: base64.b64decode(v) for k, v in d["kernels"].items()})


def _nbytes(t: ir.MemRefType) -> int:
    return math.prod(t.shape) * numpy_dtype(t.element_type).itemsize


def _main(module: ir.Module):
    for op in module.body.operations:
        if op.operation.name == "func.func" and \
                ir.StringAttr(op.attributes["sym_name"]).value == "main":
            return op
    raise EmberCompileError("the region has no @main function")


def _constant_int(value: ir.Value) -> int:
    op = value.owner
    if not isinstance(op, ir.OpView) or op.operation.name != "arith.constant":
        raise EmberCompileError(f"a launch size is not a constant: {value}")
    return ir.IntegerAttr(op.attributes["value"]).value


def read_plan(lowered: ir.Module, target: str, num_inputs: int) -> Program:
    """The launch plan of a lowered region: its buffers, launches and kernels."""
    main = _main(lowered)
    entry = main.regions[0].blocks[0]
    buffers: list[tuple[str, object]] = []
    where: dict = {}  # SSA value -> buffer number
    for k, arg in enumerate(entry.arguments):
        where[arg] = len(buffers)
        buffers.append(("arg", k))
    globals_ = {ir.StringAttr(op.attributes["sym_name"]).value: op
                for op in lowered.body.operations if op.operation.name == "memref.global"}
    plan = Program(target, num_inputs, len(entry.arguments) - num_inputs, buffers)
    for op in entry.operations:
        name = op.operation.name
        if name in ("arith.constant", "memref.dealloc", "func.return"):
            continue
        if name == "memref.alloc":
            where[op.result] = len(buffers)
            buffers.append(("alloc", _nbytes(ir.MemRefType(op.result.type))))
        elif name == "memref.get_global":
            g = globals_[ir.FlatSymbolRefAttr(op.attributes["name"]).value]
            data = np.array(ir.DenseElementsAttr(g.attributes["initial_value"]))
            where[op.result] = len(buffers)
            buffers.append(("const", base64.b64encode(data.tobytes()).decode()))
        elif name in ("memref.expand_shape", "memref.collapse_shape", "memref.cast"):
            where[op.result] = where[op.operands[0]]  # the same bytes
        elif name == "gpu.launch_func":
            launch = op.opview
            ref = ir.SymbolRefAttr(launch.attributes["kernel"])
            module_name, entry_name = ref.value
            plan.launches.append(Launch(
                module_name, entry_name,
                tuple(_constant_int(v) for v in (launch.gridSizeX, launch.gridSizeY,
                                                 launch.gridSizeZ)),
                tuple(_constant_int(v) for v in (launch.blockSizeX, launch.blockSizeY,
                                                 launch.blockSizeZ)),
                [where[v] for v in launch.kernelOperands],
                ir.IntegerAttr(launch.attributes["ember.loop_iterations"]).value
                if "ember.loop_iterations" in launch.attributes else 0))
        else:
            raise EmberCompileError(
                f"the {target} host code has an op a launch plan cannot run: {name}")
    for op in lowered.body.operations:
        if op.operation.name == "gpu.binary":
            obj = gpu.ObjectAttr(op.attributes["objects"][0])
            plan.kernels[ir.StringAttr(op.attributes["sym_name"]).value] = obj.object
    return plan


def _llvm_ir(op: ir.Operation) -> str:
    """LLVM IR text of a module in the LLVM dialect, through MLIR's C API (the Python
    bindings have no translation entry point)."""
    import ctypes

    lib = ctypes.CDLL(str(Path(ir.__file__).parent / "_mlir_libs" / "libMLIRPythonCAPI.so"))
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    ptr = get(op._CAPIPtr, b"mlir.ir.Operation._CAPIPtr")
    fn = lib.mlirTranslateModuleToLLVMIRToString
    fn.restype, fn.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
    text = fn(ptr)
    if not text:
        raise EmberCompileError("translating a kernel to LLVM IR failed")
    try:
        return ctypes.string_at(text).decode()
    finally:
        ctypes.CDLL(None).free(ctypes.c_void_p(text))


ROCM_BITCODE = Path("/usr/lib/x86_64-linux-gnu/amdgcn/bitcode")  # Debian rocm-device-libs


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise EmberCompileError(f"rocdl code objects need {name} on PATH (Debian: llvm-22, "
                                "lld-22)")
    return path


def _device_libs(chip: str) -> list[Path]:
    """ocml and the control libraries it reads (IEEE math, no fast-math flags)."""
    names = ["ocml", "oclc_finite_only_off", "oclc_daz_opt_off",
             "oclc_correctly_rounded_sqrt_on", "oclc_unsafe_math_off",
             "oclc_wavefrontsize64_on", "oclc_abi_version_500"]
    libs = [ROCM_BITCODE / f"{n}.bc" for n in names]
    missing = [p.name for p in libs if not p.exists()]
    # Only ocml's ISA queries read this one; Debian's ROCm predates some chips.
    isa = ROCM_BITCODE / f"oclc_isa_version_{chip.removeprefix('gfx')}.bc"
    if isa.exists():
        libs.append(isa)
    if missing:
        raise EmberCompileError(f"kernels for {chip} call ocml, which needs Debian's "
                                f"rocm-device-libs; missing in {ROCM_BITCODE}: "
                                f"{', '.join(missing)}")
    return libs


def _untranslated(module: ir.Module) -> list[str]:
    """The ops of a kernel module outside the LLVM and ROCDL dialects."""
    names = set()

    def visit(op):
        names.add(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return sorted(n for n in names if not n.startswith(("llvm.", "rocdl.", "builtin.")))


def _rocdl_code_objects(lowered: ir.Module, chip: str) -> dict[str, bytes]:
    """Each gpu.module (ROCDL, in the LLVM dialect) as an AMDGPU code object."""
    llc, lld = _tool("llc-22"), _tool("ld.lld-22")
    out = {}
    with tempfile.TemporaryDirectory(prefix="ember-rocdl-") as tmp:
        for op in lowered.body.operations:
            if op.operation.name != "gpu.module":
                continue
            name = ir.StringAttr(op.attributes["sym_name"]).value
            kernel = ir.Module.create(ir.Location.unknown())
            kernel.operation.attributes["llvm.target_triple"] = ir.StringAttr.get(
                "amdgcn-amd-amdhsa")
            if "llvm.data_layout" in op.attributes:
                kernel.operation.attributes["llvm.data_layout"] = op.attributes[
                    "llvm.data_layout"]
            for inner in op.regions[0].blocks[0].operations:
                kernel.body.append(inner.clone())
            # The C API's translation crashes on an op it cannot translate:
            # name it instead.
            left = _untranslated(kernel)
            if left:
                raise EmberCompileError(f"rocdl: kernel {name} still has {', '.join(left)} "
                                        "after lowering to ROCDL")
            ll = Path(tmp, f"{name}.ll")
            ll.write_text(_llvm_ir(kernel.operation))
            obj, hsaco = Path(tmp, f"{name}.o"), Path(tmp, f"{name}.hsaco")
            cmds = []
            if "__ocml_" in ll.read_text():  # math the ROCDL lowering leaves to ocml
                linked = Path(tmp, f"{name}.bc")
                cmds.append([_tool("llvm-link-22"), "--only-needed", str(ll),
                             *map(str, _device_libs(chip)), "-o", str(linked)])
                ll = linked
            cmds += [[llc, "-mtriple=amdgcn-amd-amdhsa", f"-mcpu={chip}", "-O3",
                      "-filetype=obj", str(ll), "-o", str(obj)],
                     [lld, "-shared", "--no-undefined", str(obj), "-o", str(hsaco)]]
            for cmd in cmds:
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode:
                    raise EmberCompileError(f"{Path(cmd[0]).name} failed on kernel {name}:\n"
                                            f"{r.stderr}")
            out[name] = hsaco.read_bytes()
    return out


def compile_region(module: ir.Module, target: str, *, chip: str | None = None,
                   fmt: str = "isa", dump_dir: str | None = None,
                   fusion: bool = True) -> Program:
    """Lowers the region ``@main`` of ``module`` for ``target`` (``spirv``, ``nvvm`` or
    ``rocdl``); ``chip`` picks the GPU (``sm_80``, ``gfx90a``...), ``fmt`` PTX or a
    cubin for ``nvvm``; ``fusion=False`` leaves out ``ember.fusion`` regions (one
    kernel per loop nest)."""
    if target not in TARGETS:
        raise ValueError(f"unknown GPU target {target!r} (expected one of {TARGETS})")
    options = []
    if chip:
        options.append(f"chip={chip}")
    if target == "nvvm":
        options.append(f"format={fmt}")
    if not fusion:
        options.append("fusion=false")
    pipeline = f"ember-{target}-pipeline" + (f"{{{' '.join(options)}}}" if options else "")
    with module.context:
        num_inputs = len(_main(module).regions[0].blocks[0].arguments)
        lowered = run_pipeline(module, pipeline, dump_dir=dump_dir)
        plan = read_plan(lowered, target, num_inputs)
        if target == "rocdl":
            plan.kernels = _rocdl_code_objects(lowered, chip or "gfx90a")
    return plan


# Mesa's llvmpipe counts every loop iteration of a shader invocation and leaves
# the loops after this many (gallivm's loop limiter).
LAVAPIPE_LOOP_LIMIT = 65535


class GPUExecutable:
    """A region's program on a GPU device (``vulkan``, ``cuda`` or ``rocm``, given as
    its backend module): ``run(inputs) -> outputs``.

    Inputs already in the device's memory are bound as they are, others are copied
    in; outputs are new device buffers, returned as NumPy views. Kernels, constants
    and temporaries are made on the first run and kept."""

    def __init__(self, program: Program, out_specs, backend):
        self.program = program
        self.out_specs = out_specs
        self.backend = backend
        self._kernels = None
        self._fixed: dict[int, object] = {}  # buffer number -> temporary / constant

    def _prepare(self, dev):
        p = self.program
        if self.backend is vulkan:
            if "llvmpipe" in dev.name:
                for ln in p.launches:
                    if ln.iterations > LAVAPIPE_LOOP_LIMIT:
                        raise EmberCompileError(
                            f"vulkan: kernel {ln.module} loops {ln.iterations} times in one "
                            f"thread; lavapipe ({dev.name}) stops a shader after "
                            f"{LAVAPIPE_LOOP_LIMIT} loop iterations, so its results would be "
                            "wrong (its threads share a reduction only where it combines "
                            "with one associative op, such as a sum or a max)")
            self._kernels = {ln.module: dev.kernel(p.kernels[ln.module], ln.entry,
                                                   len(ln.args)) for ln in p.launches}
        else:  # cuda, rocm: the block size is given at launch
            self._kernels = {ln.module: dev.kernel(p.kernels[ln.module], ln.entry, ln.block)
                             for ln in p.launches}
        for k, (kind, value) in enumerate(p.buffers):
            if kind == "alloc":
                self._fixed[k] = dev.buffer(value)
            elif kind == "const":
                data = base64.b64decode(value)
                buf = dev.buffer(len(data))
                buf.array((len(data),), np.uint8)[...] = np.frombuffer(data, np.uint8)
                self._fixed[k] = buf

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        dev = self.backend.device()
        if self._kernels is None:
            self._prepare(dev)
        p = self.program
        outputs = []
        bufs = []
        for k, (kind, value) in enumerate(p.buffers):
            if kind != "arg":
                bufs.append(self._fixed[k])
            elif value < p.num_inputs:
                a = inputs[value]
                buf = self.backend.buffer_of(a)
                if buf is None:
                    buf = dev.buffer(a.nbytes)
                    buf.array(a.shape, a.dtype)[...] = a
                bufs.append(buf)
            else:
                shape, dt = self.out_specs[value - p.num_inputs]
                buf = dev.buffer(math.prod(shape) * np.dtype(dt).itemsize)
                outputs.append(buf.array(shape, dt))
                bufs.append(buf)
        dev.run([(self._kernels[ln.module], [bufs[a] for a in ln.args], ln.grid)
                 for ln in p.launches])
        return outputs


class VulkanBackend:
    """Regions through ``ember-spirv-pipeline``, run on the Vulkan device."""

    name = "vulkan"
    has_disk_format = True

    def target_id(self) -> str:
        return "vulkan-" + "".join(c if c.isalnum() else "_" for c in vulkan.device().name)

    def compile(self, module: ir.Module, dest: Path, dump_dir: str | None = None) -> None:
        if "bf16" in str(module):
            raise EmberCompileError("vulkan: bfloat16 is not supported on the vulkan device "
                                    "(SPIR-V 1.3 has no bfloat16): use float32 or float16")
        try:
            program = compile_region(module, "spirv", dump_dir=dump_dir)
        except EmberCompileError as e:
            m = re.search(r"'spirv\.GL\.(\w+)' op operand #0 must be 16/32-bit float", str(e))
            if m is None:
                raise
            raise EmberCompileError(
                f"vulkan: float64 {m.group(1).lower()} is not available in SPIR-V for Vulkan "
                "(GLSL.std.450 has 16- and 32-bit versions only): compute it in float32 or "
                "on the CPU") from None
        Path(dest).write_text(program.to_json())

    def load(self, path: Path, out_specs) -> GPUExecutable:
        return GPUExecutable(Program.from_json(Path(path).read_text()), out_specs, vulkan)


class DriverBackend:
    """Regions for the ``cuda`` device (``ember-nvvm-pipeline``: PTX for its compute
    capability, which the driver compiles) or the ``rocm`` device
    (``ember-rocdl-pipeline``: code objects for its gfx architecture)."""

    has_disk_format = True

    def __init__(self, name: str, target: str, module):
        self.name, self.target, self.module = name, target, module

    def target_id(self) -> str:
        return f"{self.name}-{self.module.device().chip}"

    def compile(self, module: ir.Module, dest: Path, dump_dir: str | None = None) -> None:
        program = compile_region(module, self.target, chip=self.module.device().chip,
                                 dump_dir=dump_dir)
        Path(dest).write_text(program.to_json())

    def load(self, path: Path, out_specs) -> GPUExecutable:
        return GPUExecutable(Program.from_json(Path(path).read_text()), out_specs,
                             self.module)


# Each GPU device's backend, made when its compile cache is.
BACKENDS = {"vulkan": VulkanBackend, "cuda": lambda: DriverBackend("cuda", "nvvm", cuda),
            "rocm": lambda: DriverBackend("rocm", "rocdl", rocm)}
