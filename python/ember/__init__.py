"""Ember: a PyTorch-style deep-learning framework whose engine is an MLIR compiler.

This release holds the compiler foundation: the ``ember`` MLIR dialect
(:mod:`ember.dialects.ember`), its passes and the ``ember-cpu-pipeline``, and
:mod:`ember.compiler`, which JIT-compiles an ember function for the CPU and
calls it on NumPy arrays::

    import numpy as np
    from ember import compiler
    from ember.dialects import ember as E

    f = compiler.jit(lambda x, y: E.tanh(E.add(x, y)), ((2, 3), "f32"), ((2, 3), "f32"))
    out = f(np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32))
"""

from ember._mlir import context, register_dialect, register_passes

__version__ = "0.1.0"
__all__ = ["context", "register_dialect", "register_passes", "__version__"]
