"""JIT compilation of ember modules through ``ember-cpu-pipeline``."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from pathlib import Path

import mlir
import mlir.ir as ir
import numpy as np
from mlir.dialects import func
from mlir.execution_engine import ExecutionEngine
from mlir.passmanager import PassManager

from ember import _ember_ext
from ember._mlir import context
from ember.compiler._types import numpy_dtype, tensor_type


class EmberCompileError(RuntimeError):
    """An ember module failed to verify, lower or JIT; the message has MLIR's diagnostics."""


def _runtime_libs() -> list[str]:
    """MLIR's C runner utilities (``memrefCopy`` for strided copies) and Ember's
    thread pool and heap block cache (libEmberRuntime)."""
    from ember.runtime.native import runtime_library

    libs = [str(runtime_library())]
    for prefix in mlir.__path__:
        lib = Path(prefix) / "lib" / "libmlir_c_runner_utils.so"
        if lib.exists():
            return [str(lib), *libs]
    return libs


class Descriptors:
    """The memref descriptors of a list of arrays, packed in one int64 block.

    A compiled region is called again and again on arrays of the same shapes and
    strides: only the data pointers change, so the block is built once per geometry
    and each call copies it and writes the pointers (``pack``), instead of filling
    one ctypes structure per array."""

    __slots__ = ("geometry", "_template", "_words", "_offsets")

    def __init__(self, arrays: Sequence[np.ndarray]):
        self.geometry = [(a.shape, a.strides) for a in arrays]
        words: list[int] = []
        offsets: list[int] = []
        for a in arrays:
            offsets.append(len(words) * 8)
            words += [0, 0, 0]  # allocated, aligned, offset
            if a.ndim:
                words += a.shape
                words += [s // a.itemsize if a.size else 0 for s in a.strides]
        self._template = np.array(words, dtype=np.int64)
        self._offsets = np.array(offsets, dtype=np.int64)
        self._words = [o // 8 for o in offsets]  # each allocated pointer's word

    def matches(self, arrays: Sequence[np.ndarray]) -> bool:
        return [(a.shape, a.strides) for a in arrays] == self.geometry

    def pack(self, arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, list[int]]:
        """The block (keep it alive through the call) and each descriptor's address.
        The arrays must be C-contiguous."""
        block = self._template.copy()
        base = _ember_ext.write_data_pointers(arrays, block, self._words)
        return block, (self._offsets + base).tolist()


class _Signature:
    """Shapes and dtypes of a function's tensor arguments and results."""

    def __init__(self, function_type: ir.FunctionType, name: str):
        def describe(t: ir.Type, what: str) -> tuple[tuple[int, ...], np.dtype]:
            if not isinstance(t, ir.RankedTensorType):
                raise EmberCompileError(f"@{name}: {what} has type {t}; only ranked tensors "
                                        "can cross the call boundary")
            rt = t
            if not rt.has_static_shape:
                raise EmberCompileError(f"@{name}: {what} has the dynamic shape {t}; "
                                        "dynamic shapes are not supported yet")
            return tuple(rt.shape), numpy_dtype(rt.element_type)

        self.inputs = [describe(t, f"argument {i}") for i, t in enumerate(function_type.inputs)]
        self.results = [describe(t, f"result {i}") for i, t in enumerate(function_type.results)]


class CompiledFunction:
    """A JIT-compiled ember function; call it on NumPy arrays.

    Arguments must match the function's shapes and dtypes (Python scalars and
    non-contiguous arrays are converted). Returns one array, or a tuple when
    the function has several results. ``ir`` holds the module before and after
    the pipeline (``"ember"``, ``"llvm"``).
    """

    def __init__(self, module: ir.Module, entry: str, signature: _Signature,
                 engine: ExecutionEngine, ir_text: dict[str, str]):
        self.name = entry
        self.signature = signature
        self.ir = ir_text
        self._module = module  # owns what the engine was built from
        self._engine = engine
        self._arity = len(signature.inputs) + len(signature.results)
        self._descriptors: Descriptors | None = None
        # The engine's packed wrapper of the C interface: `void(void **args)`
        # where args[i] points at argument i, a memref descriptor pointer.
        address = engine.raw_lookup(f"_mlir_ciface_{entry}")
        if not address:
            raise EmberCompileError(f"@{entry}: the JIT has no C interface for it")
        self._fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)

    def __call__(self, *args: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
        sig = self.signature
        if len(args) != len(sig.inputs):
            raise TypeError(f"@{self.name} takes {len(sig.inputs)} arguments, "
                            f"got {len(args)}")
        arrays = []
        for i, (arg, (shape, dtype)) in enumerate(zip(args, sig.inputs, strict=True)):
            a = np.asarray(arg)
            if a.shape != shape:
                raise ValueError(f"@{self.name}: argument {i} has shape {a.shape}, "
                                 f"expected {shape}")
            if a.dtype != dtype:
                if not np.can_cast(a.dtype, dtype, casting="same_kind") and a.ndim:
                    raise TypeError(f"@{self.name}: argument {i} has dtype {a.dtype}, "
                                    f"expected {dtype}")
                a = a.astype(dtype)
            arrays.append(np.ascontiguousarray(a))
        outputs = [np.empty(shape, dtype) for shape, dtype in sig.results]
        everything = arrays + outputs
        if self._descriptors is None or not self._descriptors.matches(everything):
            self._descriptors = Descriptors(everything)
        block, addresses = self._descriptors.pack(everything)
        n = self._arity
        values = (ctypes.c_void_p * n)(*addresses)
        base, size = ctypes.addressof(values), ctypes.sizeof(ctypes.c_void_p)
        packed = (ctypes.c_void_p * n)(*[base + i * size for i in range(n)])
        self._fn(packed)
        del block  # the descriptors lived through the call
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def __repr__(self) -> str:
        ins = ", ".join(f"{s}:{d}" for s, d in self.signature.inputs)
        outs = ", ".join(f"{s}:{d}" for s, d in self.signature.results)
        return f"<CompiledFunction @{self.name}({ins}) -> ({outs})>"


def _functions(module: ir.Module) -> dict[str, ir.Operation]:
    return {
        ir.StringAttr(op.attributes["sym_name"]).value: op
        for op in (o.operation for o in module.body.operations)
        if op.name == "func.func"
    }


def run_pipeline(module: ir.Module, pipeline: str = "ember-cpu-pipeline",
                 dump_dir: str | None = None) -> ir.Module:
    """Runs a registered pipeline (or any pass pipeline text) on a copy of ``module``.

    With ``dump_dir``, the IR after every pass is written below that folder.
    """
    with module.context:
        copy = ir.Module.parse(str(module))
        try:
            pm = PassManager.parse(f"builtin.module({pipeline})")
            if dump_dir is not None:
                # IR printing needs a single-threaded context.
                module.context.enable_multithreading(False)
                pm.enable_ir_printing(print_after_all=True, print_module_scope=True,
                                      tree_printing_dir_path=dump_dir)
            try:
                pm.run(copy.operation)
            finally:
                if dump_dir is not None:
                    module.context.enable_multithreading(True)
        except (ir.MLIRError, ValueError) as e:
            raise EmberCompileError(f"{pipeline} failed:\n{e}") from None
    return copy


def compile(module: ir.Module, *, entry: str | None = None, opt_level: int = 3,
            pipeline: str = "ember-cpu-pipeline") -> CompiledFunction:
    """Lowers ``module`` with ``pipeline`` and JIT-compiles ``entry`` for this CPU."""
    with module.context:
        try:
            module.operation.verify()
        except ir.MLIRError as e:
            raise EmberCompileError(f"the module does not verify:\n{e}") from None
        functions = _functions(module)
        if entry is None:
            if len(functions) != 1:
                raise EmberCompileError(
                    f"the module has {len(functions)} functions "
                    f"({', '.join(functions) or 'none'}); pass entry=")
            entry = next(iter(functions))
        if entry not in functions:
            raise EmberCompileError(f"no function @{entry} in the module "
                                    f"(has {', '.join(functions) or 'none'})")
        fn = functions[entry]
        signature = _Signature(ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value),
                               entry)
        before = str(module)
        copy = ir.Module.parse(before)
        _functions(copy)[entry].attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
        lowered = run_pipeline(copy, pipeline)
        try:
            engine = ExecutionEngine(lowered, opt_level=opt_level, shared_libs=_runtime_libs())
        except RuntimeError as e:
            raise EmberCompileError(f"@{entry}: JIT compilation failed: {e}") from None
        return CompiledFunction(lowered, entry, signature, engine,
                                {"ember": before, "llvm": str(lowered)})


TypeSpec = ir.Type | tuple[Sequence[int], str | np.dtype]


def build(fn: Callable[..., ir.Value | Sequence[ir.Value]], *arg_types: TypeSpec,
          name: str = "main", ctx: ir.Context | None = None) -> ir.Module:
    """A module with one function ``@name`` whose body ``fn`` builds from its arguments.

    ``arg_types`` are MLIR tensor types or ``(shape, dtype)`` pairs. ``fn`` is
    called with the arguments as ``mlir.ir.Value`` inside an insertion point
    and returns the result value(s).
    """
    ctx = ctx or context()
    with ctx, ir.Location.unknown():
        types = [t if isinstance(t, ir.Type) else tensor_type(t[0], t[1], ctx) for t in arg_types]
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            func.FuncOp.from_py_func(*types, name=name)(fn)
    return module


def jit(fn: Callable[..., ir.Value | Sequence[ir.Value]], *arg_types: TypeSpec,
        opt_level: int = 3) -> CompiledFunction:
    """``compile(build(fn, *arg_types))``."""
    return compile(build(fn, *arg_types), opt_level=opt_level)


def compile_source(source: str, *, entry: str | None = None, opt_level: int = 3,
                   ctx: ir.Context | None = None) -> CompiledFunction:
    """Parses MLIR text (ember and upstream dialects) and compiles it."""
    ctx = ctx or context()
    with ctx:
        try:
            module = ir.Module.parse(source)
        except ir.MLIRError as e:
            raise EmberCompileError(f"the source does not parse:\n{e}") from None
    return compile(module, entry=entry, opt_level=opt_level)


def vjp(fn: Callable[..., ir.Value | Sequence[ir.Value]], *arg_types: TypeSpec,
        opt_level: int = 3) -> CompiledFunction:
    """The reverse-mode derivative of ``fn``, through the ``ember-autodiff`` pass.

    The compiled function takes ``fn``'s arguments followed by one cotangent per
    result, and returns ``fn``'s results followed by the gradient of every
    floating-point argument::

        f = compiler.vjp(lambda x: E.tanh(x), ((3,), "f32"))
        y, dx = f(x, np.ones(3, np.float32))   # dx = 1 - tanh(x)**2
    """
    module = build(fn, *arg_types, name="main")
    return compile(run_pipeline(module, "ember-autodiff"), entry="main_grad",
                   opt_level=opt_level)
