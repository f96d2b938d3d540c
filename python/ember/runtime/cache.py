"""The compile cache: memory, then disk, then the compiler.

A region's structural key (ops, attributes, shapes, dtypes, topology; never
the data) is looked up in memory first. On a miss, its SHA-256 together with
the compiler's identity (Ember's version and a digest of its compiled core)
and the backend's target names a directory entry on disk: ``<sha>.so`` plus
``<sha>.json`` recording the key and the library's checksum. Entries that do
not match (corrupt, truncated, another key) are rebuilt; writes are atomic
(temporary file, then rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import ember
from ember.runtime.backends import CPUBackend


@dataclass
class CacheStats:
    """Counters of the compile cache since the process started (or ``reset``)."""

    hits: int = 0  # found in memory
    disk_hits: int = 0  # loaded from the disk cache
    misses: int = 0  # compiled
    compile_seconds: float = 0.0
    entries: int = 0  # regions held in memory
    corrupt: int = 0  # disk entries found bad and rebuilt


def _compiler_identity() -> str:
    # The compiled core next to the extension module this process loaded (in an
    # editable install it is not next to the Python sources).
    from ember import _ember_ext

    h = hashlib.sha256(ember.__version__.encode())
    for lib in ("libEmberCompiler.so", "libEmberRuntime.so"):
        try:
            h.update((Path(_ember_ext.__file__).parent / lib).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """``$EMBER_CACHE_DIR``, else ``~/.cache/ember``."""
    env = os.environ.get("EMBER_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "ember"


class CompileCache:
    def __init__(self, backend=None):
        self.backend = backend or CPUBackend()
        self.stats = CacheStats()
        self._memory: dict = {}
        self._lock = threading.Lock()
        self._identity: str | None = None

    def _entry_dir(self) -> Path:
        if self._identity is None:
            self._identity = _compiler_identity()
        d = cache_dir() / f"{self._identity}-{self.backend.target_id()}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def get(self, key, out_specs, build_module):
        """The executable for ``key``; ``build_module()`` makes the ember module on a miss."""
        exe = self._memory.get(key)
        if exe is not None:
            self.stats.hits += 1
            return exe
        with self._lock:
            exe = self._memory.get(key)
            if exe is None:
                exe = self._load_or_compile(key, out_specs, build_module)
                self._memory[key] = exe
                self.stats.entries = len(self._memory)
            return exe

    def _load_or_compile(self, key, out_specs, build_module):
        key_text = repr(key)
        sha = hashlib.sha256(key_text.encode()).hexdigest()
        disk = self.backend.has_disk_format and os.environ.get("EMBER_DISK_CACHE", "1") != "0"
        if disk:
            d = self._entry_dir()
            lib, meta = d / f"{sha}.so", d / f"{sha}.json"
            if lib.exists() and meta.exists():
                exe = self._try_load(lib, meta, key_text, out_specs)
                if exe is not None:
                    self.stats.disk_hits += 1
                    return exe
                self.stats.corrupt += 1
        t0 = time.perf_counter()
        module = build_module()
        dump_dir = os.environ.get("EMBER_DUMP_IR")
        if dump_dir:
            dump_dir = str(Path(dump_dir) / sha[:16])
            _write_dump(dump_dir, module)
        if not disk:
            from ember.compiler import compile as jit_compile

            fn = jit_compile(module)
            exe = _JitExecutable(fn)
        else:
            tmp = d / f".{sha}.{os.getpid()}.tmp.so"
            self.backend.compile(module, tmp, dump_dir=dump_dir)
            blob = tmp.read_bytes()
            os.replace(tmp, lib)
            _atomic_write(meta, json.dumps({
                "key": key_text, "sha256": hashlib.sha256(blob).hexdigest(),
                "ember": ember.__version__, "target": self.backend.target_id(),
            }))
            exe = self.backend.load(lib, out_specs)
        self.stats.misses += 1
        self.stats.compile_seconds += time.perf_counter() - t0
        return exe

    def _try_load(self, lib: Path, meta: Path, key_text: str, out_specs):
        try:
            info = json.loads(meta.read_text())
            if info.get("key") != key_text:
                return None
            if hashlib.sha256(lib.read_bytes()).hexdigest() != info.get("sha256"):
                return None
            return self.backend.load(lib, out_specs)
        except (OSError, ValueError, AttributeError):
            return None

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()
            self.stats.entries = 0


@contextlib.contextmanager
def captured_regions():
    """Collects the ember module of every region realized while the block runs
    (cache hits included) into the list it yields: to compile the regions a
    workload uses for another target, or to print them."""
    modules = []
    real_get = CompileCache.get

    def get(self, key, out_specs, build_module):
        modules.append(build_module())
        return real_get(self, key, out_specs, build_module)

    CompileCache.get = get
    try:
        yield modules
    finally:
        CompileCache.get = real_get


class _JitExecutable:
    """A region held by MLIR's ExecutionEngine (no C compiler for a disk format)."""

    def __init__(self, fn):
        self._fn = fn

    def run(self, inputs):
        out = self._fn(*inputs)
        return list(out) if isinstance(out, tuple) else [out]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_dump(dump_dir: str, module) -> None:
    os.makedirs(dump_dir, exist_ok=True)
    src = os.path.join(dump_dir, "00-ember.mlir")
    with open(src, "w") as f:
        f.write(module.operation.get_asm(enable_debug_info=True))
    with open(os.path.join(dump_dir, "reproduce.sh"), "w") as f:
        f.write("#!/bin/sh\n# Re-runs the CPU pipeline on this region, printing every stage.\n"
                f"ember-opt {src} --ember-cpu-pipeline --mlir-print-ir-after-all\n")
