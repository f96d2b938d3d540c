"""The one MLIR in the process: loads the bindings, then Ember's extension.

``mlir.ir`` is imported before the extension so that the shared libraries it
links against (``libMLIRPythonCAPI.so``, ``libLLVM.so``) are already loaded.
"""

from __future__ import annotations

import os
import threading

import mlir.ir as ir

from ember import _ember_ext

_lock = threading.Lock()
_default_context: ir.Context | None = None
_context_pid: int | None = None
_inherited: list[ir.Context] = []


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
    global _default_context, _context_pid
    with _lock:
        pid = os.getpid()
        if _default_context is None or _context_pid != pid:
            # A forked child cannot use its parent's context: the worker threads of
            # its thread pool did not survive fork, and the first parallel pass
            # would wait for them forever. The child gets its own, single-threaded.
            forked = _default_context is not None
            if forked:  # destroying it would join the lost threads: keep it
                _inherited.append(_default_context)
            _default_context = new_context()
            if forked:
                _default_context.enable_multithreading(False)
            _context_pid = pid
        return _default_context


register_passes()
