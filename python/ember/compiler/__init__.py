"""Build, compile and call ember functions on the CPU.

Three steps, each usable on its own:

* :func:`build` turns a Python function over MLIR values into an ember module;
* :func:`compile` runs ``ember-cpu-pipeline`` and JIT-compiles the module with
  MLIR's ExecutionEngine, giving a :class:`CompiledFunction`;
* calling the :class:`CompiledFunction` on NumPy arrays returns NumPy arrays.

Example::

    import numpy as np
    from ember import compiler
    from ember.dialects import ember as E

    def gelu_ish(x, b):
        return E.mul(x, E.sigmoid(E.add(x, E.broadcast(x.type, b))))

    module = compiler.build(gelu_ish, ((4, 3), "f32"), ((3,), "f32"))
    f = compiler.compile(module)
    y = f(np.ones((4, 3), np.float32), np.arange(3, dtype=np.float32))

:func:`jit` does the first two steps at once; :func:`compile_source` compiles
MLIR text (a ``.mlir`` file's contents).
"""

from ember.compiler._jit import (
    CompiledFunction,
    EmberCompileError,
    build,
    compile,
    compile_source,
    jit,
    run_pipeline,
    vjp,
)
from ember.compiler._types import element_type, numpy_dtype, tensor_type


def cache_stats():
    """Counters of the runtime's compile cache: hits (memory), disk_hits, misses,
    compile_seconds, entries, corrupt."""
    from ember.runtime import CACHE

    return CACHE.stats

__all__ = [
    "CompiledFunction",
    "EmberCompileError",
    "build",
    "cache_stats",
    "compile",
    "compile_source",
    "element_type",
    "jit",
    "numpy_dtype",
    "run_pipeline",
    "tensor_type",
    "vjp",
]
