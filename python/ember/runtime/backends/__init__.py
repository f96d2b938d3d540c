"""Runtime backends, one file per target, behind one small interface:

``target_id() -> str`` (what compiled code depends on), ``compile(module, dest)``
(a compiled region written to ``dest``, or ``None`` without a disk format) and
``load(path_or_module, signature) -> Executable`` whose ``run(arrays)`` returns
the output arrays.
"""

from ember.runtime.backends.cpu import CPUBackend

__all__ = ["CPUBackend"]
