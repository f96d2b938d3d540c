"""The CPU backend: ``ember-cpu-pipeline``, LLVM code for this host, a shared object.

A region is lowered to the LLVM dialect, compiled by MLIR's ExecutionEngine
(-O3, position independent, host CPU), dumped as an object file and linked
into a shared library with the system C compiler, against the libraries the
JIT resolved it with (libEmberRuntime: the thread pool and heap block cache,
see ``ember.runtime.native``; MLIR's C runner utilities); the library is what
the disk cache keeps, and loading it takes well under a millisecond. Calls go
straight to the C interface ``_mlir_ciface_main(inputs..., outputs...)``.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import mlir.ir as ir
import numpy as np
from mlir.execution_engine import ExecutionEngine

from ember.compiler._jit import Descriptors, _runtime_libs, run_pipeline


class Executable:
    """A loaded region: ``run(inputs) -> outputs`` on contiguous NumPy arrays."""

    __slots__ = ("_descriptors", "_fn", "_lib", "out_specs")

    def __init__(self, lib: ctypes.CDLL, out_specs: list[tuple[tuple[int, ...], np.dtype]]):
        self._lib = lib
        self._fn = lib._mlir_ciface_main
        self._fn.restype = None
        self._descriptors: Descriptors | None = None
        self.out_specs = out_specs

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        outputs = [np.empty(shape, dt) for shape, dt in self.out_specs]
        arrays = [*inputs, *outputs]
        descriptors = self._descriptors
        if descriptors is None or not descriptors.matches(arrays):
            descriptors = self._descriptors = Descriptors(arrays)
            self._fn.argtypes = [ctypes.c_void_p] * len(arrays)
        block, addresses = descriptors.pack(arrays)
        self._fn(*addresses)
        del block  # the descriptors lived through the call
        return outputs


class CPUBackend:
    name = "cpu"

    def __init__(self):
        self._cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
        self._target = None

    def target_id(self) -> str:
        """The host CPU (model and feature flags): compiled code depends on it."""
        if self._target is None:
            info = ""
            try:
                with open("/proc/cpuinfo") as f:
                    lines = [ln for ln in f.read().splitlines()
                             if ln.startswith(("model name", "flags"))]
                info = "\n".join(sorted(set(lines)))
            except OSError:
                pass
            digest = hashlib.sha256(info.encode()).hexdigest()[:16]
            self._target = f"cpu-{platform.machine()}-{digest}"
        return self._target

    @property
    def has_disk_format(self) -> bool:
        return self._cc is not None

    def compile(self, module: ir.Module, dest: Path, dump_dir: str | None = None) -> None:
        """Lowers ``module`` (``@main``) and writes a shared library to ``dest``."""
        with module.context:
            main = next(op for op in module.body.operations
                        if ir.StringAttr(op.attributes["sym_name"]).value == "main")
            main.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        lowered = run_pipeline(module, "ember-cpu-pipeline", dump_dir=dump_dir)
        shared = _runtime_libs()
        engine = ExecutionEngine(lowered, opt_level=3, shared_libs=shared,
                                 enable_object_dump=True, enable_pic=True)
        engine.raw_lookup("_mlir_ciface_main")  # compile now
        with tempfile.TemporaryDirectory(prefix="ember-") as tmp:
            obj = os.path.join(tmp, "region.o")
            engine.dump_to_object_file(obj)
            cmd = [self._cc, "-shared", "-o", str(dest), obj, "-lm"]
            for lib in map(Path, shared):  # linked as the JIT resolved them
                name = lib.name.removeprefix("lib").removesuffix(".so")
                cmd += [f"-L{lib.parent}", f"-l{name}", f"-Wl,-rpath,{lib.parent}"]
            subprocess.run(cmd, check=True, capture_output=True)

    def load(self, path: Path, out_specs) -> Executable:
        return Executable(ctypes.CDLL(str(path)), out_specs)
