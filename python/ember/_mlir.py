"""The one MLIR in the process: loads the bindings, then Ember's extension.

``mlir.ir`` is imported before the extension so that the shared libraries it
links against (``libMLIRPythonCAPI.so``, ``libLLVM.so``) are already loaded.
"""

from __future__ import annotations

import threading

import mlir.ir as ir

from ember import _ember_ext

_lock = threading.Lock()
_default_context: ir.Context | None = None


def register_passes() -> None:
    """Registers Ember's passes and pipelines in MLIR's global registry (idempotent)."""
    _ember_ext.register_passes()


def register_dialect(ctx: ir.Context, load: bool = True) -> None:
    """Registers (and by default loads) the ``ember`` dialect in ``ctx``.

    >>> import mlir.ir as ir, ember
    >>> ctx = ir.Context(); ember.register_dialect(ctx)
    """
    _ember_ext.register_dialect(ctx, load)


def new_context() -> ir.Context:
    """A fresh MLIR context with the ember dialect loaded and passes registered."""
    register_passes()
    ctx = ir.Context()
    register_dialect(ctx)
    return ctx


def context() -> ir.Context:
    """The process-wide default context used by :mod:`ember.compiler`."""
    global _default_context
    with _lock:
        if _default_context is None:
            _default_context = new_context()
        return _default_context


register_passes()
