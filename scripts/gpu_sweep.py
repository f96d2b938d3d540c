"""Compiles every region the CPU test suite compiles for the GPU targets.

    python scripts/gpu_sweep.py [--targets spirv,nvvm,rocdl] [--limit N] [pytest args]

Runs pytest (default: test/python without the GPU tests) with a hook that keeps the
ember module of each distinct region it compiles, then lowers every one of them
for each target and checks the result with the vendor tool: spirv-val for SPIR-V,
ptxas (sm_80) for NVVM, an AMDGPU ELF from llc-22 / ld.lld-22 for ROCDL. Prints how
many compile for each target and the distinct first errors of those that do not,
with one region that shows each (kept under --keep, default a temporary folder).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class Capture:
    """A pytest plugin: the ember module of every region lowered for the CPU (through
    the runtime's cache or ``ember.compiler``), once, as a file."""

    def __init__(self, folder: Path):
        self.folder = folder

    def pytest_configure(self, config):
        from ember.compiler import _jit
        from ember.runtime.backends import cpu

        real, folder = _jit.run_pipeline, self.folder

        def run_pipeline(module, pipeline="ember-cpu-pipeline", dump_dir=None):
            if pipeline.startswith("ember-cpu-pipeline"):
                text = str(module)
                name = hashlib.sha256(text.encode()).hexdigest()[:16]
                (folder / f"{name}.mlir").write_text(text)
            return real(module, pipeline, dump_dir)

        _jit.run_pipeline = cpu.run_pipeline = run_pipeline


def _first_error(message: str) -> str:
    for line in message.splitlines():
        if "error" in line:
            return re.sub(r'"-":\d+:\d+: ', "", line.strip())[:160]
    return (message.strip().splitlines() or ["?"])[-1][:160]


def _check(target: str, program, tmp: Path) -> None:
    for name, code in program.kernels.items():
        if target == "spirv":
            path = tmp / f"{name}.spv"
            path.write_bytes(code)
            cmd = ["spirv-val", "--target-env", "vulkan1.1", str(path)]
        elif target == "nvvm":
            path = tmp / f"{name}.ptx"
            path.write_bytes(code)
            cmd = ["ptxas", "-arch=sm_80", str(path), "-o", os.devnull]
        else:
            if code[:4] != b"\x7fELF":
                raise RuntimeError(f"{name}: not an ELF object")
            continue
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{cmd[0]}: {r.stderr}")


def _run_on_vulkan(path: Path, rng) -> None:
    """Runs the region on the CPU and on the vulkan device with the same random inputs
    (floats normal, booleans random, integers 0: always valid indices) and compares."""
    import mlir.ir as ir
    import numpy as np
    from ember import compiler
    from ember._mlir import context
    from ember.compiler._types import numpy_dtype
    from ember.runtime.backends.gpu import VulkanBackend

    with context():
        module = ir.Module.parse(path.read_text())
        main = next(op for op in module.body.operations
                    if ir.StringAttr(op.attributes["sym_name"]).value == "main")
        ftype = ir.FunctionType(ir.TypeAttr(main.attributes["function_type"]).value)
        inputs = []
        for t in ftype.inputs:
            t = ir.RankedTensorType(t)
            dt = np.dtype(bool) if str(t.element_type) == "i1" else numpy_dtype(t.element_type)
            shape = tuple(t.shape)
            if dt.kind == "f":
                inputs.append(rng.standard_normal(shape).astype(dt))
            elif dt.kind == "b":
                inputs.append(rng.random(shape) < 0.5)
            else:
                inputs.append(np.zeros(shape, dt))
        outs = [ir.RankedTensorType(t) for t in ftype.results]
        specs = [(tuple(t.shape), np.dtype(bool) if str(t.element_type) == "i1"
                  else numpy_dtype(t.element_type)) for t in outs]
        want = compiler.compile(module)(*inputs)
        want = list(want) if isinstance(want, tuple) else [want]
        with tempfile.TemporaryDirectory() as tmp:
            backend = VulkanBackend()
            backend.compile(module, Path(tmp, "r.json"))
            got = backend.load(Path(tmp, "r.json"), specs).run(inputs)
    for g, w in zip(got, want, strict=True):
        w = np.asarray(w)
        if w.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-4, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default="spirv,nvvm,rocdl",
                    help="any of spirv, nvvm, rocdl, and vulkan: run on the vulkan "
                         "device and compare with the CPU")
    ap.add_argument("--limit", type=int, default=0, help="compile only the first N regions")
    ap.add_argument("--keep", type=Path, help="folder for the captured regions")
    ap.add_argument("--regions", type=Path,
                    help="compile the regions a previous run kept there; no pytest")
    args, pytest_args = ap.parse_known_args()

    folder = args.regions or args.keep or Path(tempfile.mkdtemp(prefix="ember-sweep-"))
    if args.regions is None:
        # A fresh disk cache, so that every region is lowered (and seen).
        os.environ["EMBER_CACHE_DIR"] = tempfile.mkdtemp(prefix="ember-sweep-cache-")
        folder.mkdir(parents=True, exist_ok=True)
        import pytest

        tests = Path(__file__).resolve().parent.parent / "test" / "python"
        pytest.main(["-q", "-p", "no:cacheprovider", *(pytest_args or [
            str(tests), f"--ignore={tests / 'test_gpu.py'}",
            f"--ignore={tests / 'test_vulkan_device.py'}"])], plugins=[Capture(folder)])

    import mlir.ir as ir
    import numpy as np
    from ember._mlir import context
    from ember.runtime.backends.gpu import compile_region

    rng = np.random.default_rng(0)
    files = sorted(folder.glob("*.mlir"))[: args.limit or None]
    print(f"\n{len(files)} distinct regions, kept in {folder}")
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.targets.split(","):
            failures, example = collections.Counter(), {}
            t0 = time.perf_counter()
            for path in files:
                try:
                    if target == "vulkan":
                        _run_on_vulkan(path, rng)
                        continue
                    with context():
                        program = compile_region(ir.Module.parse(path.read_text()), target)
                    _check(target, program, Path(tmp))
                except Exception as e:  # every failure is counted and shown
                    error = _first_error(str(e))
                    failures[error] += 1
                    example.setdefault(error, path.name)
            bad = sum(failures.values())
            print(f"{target}: {len(files) - bad} of {len(files)} compile "
                  f"({time.perf_counter() - t0:.0f} s)")
            for error, n in failures.most_common(20):
                print(f"  {n:5d}  {error}  (e.g. {example[error]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
