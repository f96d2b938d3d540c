"""Saving and loading state dicts as safetensors (never pickle).

``ember.save`` writes one safetensors file: the tensors under their dotted key paths
(``0.weight``, ``state.0.exp_avg``) and the rest of the structure (nesting, int keys,
numbers, strings, tuples) as JSON in ``__metadata__["ember"]``. Writes to a path are
atomic. ``ember.load`` validates the whole header against the file size before reading
any data, so a truncated, corrupted or foreign file raises ``CheckpointError``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import socket
import stat
import sys
import tempfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from ember._src import dtypes
from ember._src.creation import from_numpy
from ember._src.errors import EmberError
from ember._src.tensor import Tensor, device

__all__ = ["CheckpointError", "load", "save"]

FORMAT_VERSION = 1
_META_KEY = "ember"
_MAX_HEADER = 100_000_000  # the safetensors reference implementation's limit
_TMP_SUFFIX = ".tmp"

_TO_ST = {dtypes.float64: "F64", dtypes.float32: "F32", dtypes.float16: "F16",
          dtypes.bfloat16: "BF16", dtypes.int64: "I64", dtypes.int32: "I32",
          dtypes.int8: "I8", dtypes.bool_: "BOOL"}
_FROM_ST = {v: k for k, v in _TO_ST.items()}
_NO_EMBER_DTYPE = {"U8", "I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0",
                   "F4", "F6_E2M3", "F6_E3M2", "C64"}

PathLike = str | bytes | os.PathLike


class CheckpointError(EmberError, ValueError):
    """A file that is not a valid safetensors checkpoint: truncated, corrupted or foreign."""


# -- save -----------------------------------------------------------------------------


def save(obj: Any, f: PathLike | IO[bytes]) -> None:
    """Writes ``obj`` (a nested state dict) to ``f`` as a safetensors file.

    ``obj`` holds dicts (str or int keys), lists, tuples, ember tensors, numbers, strings,
    bools and None. A path is written atomically: a crash leaves the previous file intact.
    """
    arrays, header = _serialize(obj)
    if isinstance(f, (str, bytes, os.PathLike)):
        _atomic_write(os.fsdecode(f), header, arrays)
    elif hasattr(f, "write"):
        f.write(header)
        _write_data(f, arrays)
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise TypeError(f"ember.save: f must be a path or a binary file object, "
                        f"got {type(f).__name__}")


def _serialize(obj: Any) -> tuple[list[np.ndarray], bytes]:
    """The tensors' arrays in file order and the padded header that describes them."""
    named: list[tuple[str, Tensor]] = []
    used: set[str] = {"__metadata__"}
    tree = _encode(obj, (), named, used, set())

    from ember.runtime import realize

    realize([t._node for _, t in named])
    entries = []
    for name, t in named:
        a = t.numpy()
        if not a.flags.c_contiguous:
            a = a.copy(order="C")
        if sys.byteorder == "big":
            a = a.byteswap()
        entries.append((name, _TO_ST[t.dtype], a))
    # Largest items first, so every tensor is aligned to its itemsize in the file.
    entries.sort(key=lambda e: -e[2].dtype.itemsize)
    meta = {"format": "pt",
            _META_KEY: json.dumps({"version": FORMAT_VERSION, "root": tree},
                                  separators=(",", ":"), allow_nan=False)}
    offsets, pos = {}, 0
    for name, st, a in entries:
        offsets[name] = (st, list(a.shape), [pos, pos + a.nbytes])
        pos += a.nbytes
    header: dict[str, Any] = {"__metadata__": meta}
    for name, _ in named:
        st, shape, span = offsets[name]
        header[name] = {"dtype": st, "shape": shape, "data_offsets": span}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return [a for _, _, a in entries], len(text).to_bytes(8, "little") + text


def _encode(obj: Any, path: tuple, named: list, used: set[str], active: set[int]) -> Any:
    """The JSON tree of ``obj``; tensors are appended to ``named`` under fresh names."""
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else {"f": repr(float(obj))}
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, Tensor):
        if obj.dtype not in _TO_ST:
            raise TypeError(f"ember.save: cannot save dtype {obj.dtype} at {_fmt(path)}")
        name = ".".join(str(k) for k in path) or "tensor"
        unique, i = name, 1
        while unique in used:
            unique, i = f"{name}#{i}", i + 1
        used.add(unique)
        named.append((unique, obj))
        return {"T": unique}
    if isinstance(obj, (dict, list, tuple)):
        if id(obj) in active:
            raise ValueError(f"ember.save: circular reference at {_fmt(path)}")
        active.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = []
                for k, v in obj.items():
                    if not (k is None or isinstance(k, (str, int, float))):
                        raise TypeError(f"ember.save: cannot save the {type(k).__name__} key "
                                        f"{_short(k)} at {_fmt(path)}: keys must be str, "
                                        "int, float, bool or None")
                    key = _encode(k, path, named, used, active)
                    items.append([key, _encode(v, (*path, k), named, used, active)])
                return {"o" if isinstance(obj, OrderedDict) else "d": items}
            if isinstance(obj, tuple) and hasattr(obj, "_fields"):
                raise TypeError(f"ember.save: cannot save the namedtuple "
                                f"{type(obj).__name__} at {_fmt(path)} (classes are never "
                                "pickled); convert it to a tuple or dict")
            tag = "t" if isinstance(obj, tuple) else "l"
            return {tag: [_encode(v, (*path, i), named, used, active)
                          for i, v in enumerate(obj)]}
        finally:
            active.discard(id(obj))
    raise TypeError(f"ember.save: cannot save {type(obj).__name__} {_short(obj)} at "
                    f"{_fmt(path)}: only tensors, dicts, lists, tuples, numbers, strings, "
                    "bools and None can be saved (objects are never pickled)")


def _fmt(path: tuple) -> str:
    return "obj" + "".join(f"[{k!r}]" for k in path)


def _short(obj: Any) -> str:
    r = getattr(obj, "__qualname__", None) if callable(obj) else None
    r = r if isinstance(r, str) else repr(obj)
    return r if len(r) <= 60 else r[:57] + "..."


def _write_data(fh: IO[bytes], arrays: list[np.ndarray]) -> None:
    for a in arrays:
        if a.nbytes:
            fh.write(memoryview(a.reshape(-1).view(np.uint8)))


def _atomic_write(path: str, header: bytes, arrays: list[np.ndarray]) -> None:
    """Writes a temporary file next to ``path``, fsyncs it, renames it over ``path`` and
    fsyncs the directory: readers see the old file or the new one, never a mix."""
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, "ember.save: is a directory", path)
    folder, base = os.path.split(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, "ember.save: no such directory", folder)
    _remove_stale_temps(folder, base)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(base) + f"{_host()}.{os.getpid()}.",
                               suffix=_TMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), _file_mode(target))
            fh.write(header)
            _write_data(fh, arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _tmp_prefix(base: str) -> str:
    return f".{base}."


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "_", socket.gethostname()) or "host"


def _file_mode(target: str) -> int:
    """The existing file's permissions, else what ``open`` would give (0o666 & ~umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove_stale_temps(folder: str, base: str) -> None:
    """Deletes temporary files that a killed save on this host left beside ``base``."""
    if os.name != "posix":
        return
    prefix = _tmp_prefix(base) + _host() + "."
    with contextlib.suppress(OSError):
        for entry in os.listdir(folder):
            if not (entry.startswith(prefix) and entry.endswith(_TMP_SUFFIX)):
                continue
            pid = entry[len(prefix):-len(_TMP_SUFFIX)].split(".")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, entry))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _fsync_dir(folder: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
            os.fsync(fd)
    finally:
        os.close(fd)


# -- load -----------------------------------------------------------------------------


def load(f: PathLike | IO[bytes], map_location=None, weights_only: bool = True) -> Any:
    """Reads a safetensors file written by ``ember.save`` (the saved structure) or by any
    other tool (a flat ``{name: tensor}`` dict). Nothing is unpickled, so
    ``weights_only`` is always effectively True."""
    relocate = _map_location(map_location)
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        try:
            fh = open(path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, "ember.load: no such checkpoint file",
                                    path) from None
        with fh:
            return _load(fh, path, relocate)
    if not hasattr(f, "read"):
        raise TypeError(f"ember.load: f must be a path or a binary file object, "
                        f"got {type(f).__name__}")
    if not (hasattr(f, "seekable") and f.seekable()):
        raise ValueError("ember.load: the file object must be seekable; read it into "
                         "io.BytesIO first")
    return _load(f, getattr(f, "name", repr(f)), relocate)


def _map_location(map_location):
    """A function applied to each loaded tensor (ember has only the cpu device)."""
    if map_location is None:
        return None
    if isinstance(map_location, (str, device)):
        device(map_location)
        return None
    if isinstance(map_location, dict):
        if "cpu" in map_location:
            device(map_location["cpu"])
        return None
    if callable(map_location):
        def relocate(t: Tensor) -> Tensor:
            out = map_location(t, "cpu")
            if out is None:
                return t
            if not isinstance(out, Tensor):
                raise TypeError(f"ember.load: map_location returned "
                                f"{type(out).__name__}, expected a tensor")
            return out
        return relocate
    raise TypeError(f"ember.load: map_location must be None, a str, a device, a dict or "
                    f"a callable, got {type(map_location).__name__}")


def _load(fh: IO[bytes], name: str, relocate) -> Any:
    start = fh.tell()
    size = fh.seek(0, os.SEEK_END) - start
    fh.seek(start)

    def fail(msg: str) -> CheckpointError:
        return CheckpointError(f"ember.load: {name!r}: {msg}")

    if size == 0:
        raise fail("the file is empty")
    head = _read_exact(fh, min(size, 9))
    if head.startswith(b"PK\x03\x04"):
        raise fail("not a safetensors file: this is a zip archive (a torch.save pickle "
                   "checkpoint?); ember.load reads only safetensors and never unpickles")
    if head[:1] == b"\x80":
        raise fail("not a safetensors file: this looks like a pickle; ember.load reads "
                   "only safetensors and never unpickles")
    if size < 8:
        raise fail(f"truncated: {size} bytes, shorter than the 8-byte header length")
    n = int.from_bytes(head[:8], "little")
    looks_json = head[8:9] == b"{" or size == 8
    if n > size - 8:
        if looks_json and n <= _MAX_HEADER:
            raise fail(f"truncated: the header declares {n} bytes but only {size - 8} "
                       "follow the header length")
        raise fail(f"not a safetensors file: the first 8 bytes give a header length of {n} "
                   f"but the file has {size} bytes")
    if n > _MAX_HEADER:
        raise fail(f"corrupted header: length {n} exceeds the limit of {_MAX_HEADER} bytes")
    if n < 2 or not looks_json:
        raise fail("not a safetensors file: the header does not start with '{'")
    fh.seek(start + 8)
    raw = _read_exact(fh, n)
    if len(raw) != n:
        raise fail("truncated: the file ended inside the header")
    header = _parse_header(raw, fail)
    meta = header.pop("__metadata__", None)
    data_size = size - 8 - n
    layout = _check_layout(header, data_size, fail)

    tensors: dict[str, Tensor] = {}
    fh.seek(start + 8 + n)
    for tname, st, shape, nbytes in layout:
        buf = np.empty(nbytes, np.uint8)
        if _readinto(fh, buf) != nbytes:
            raise fail(f"truncated: the file ended inside tensor {tname!r}")
        a = buf.astype(np.bool_) if st == "BOOL" else buf.view(_FROM_ST[st].np)
        if sys.byteorder == "big" and st != "BOOL":
            a = a.byteswap()
        t = from_numpy(a.reshape(shape))
        tensors[tname] = relocate(t) if relocate else t

    if meta is not None and _META_KEY in meta:
        return _rebuild(meta[_META_KEY], tensors, fail)
    return {k: tensors[k] for k in header}


def _read_exact(fh: IO[bytes], n: int) -> bytes:
    parts, left = [], n
    while left:
        b = fh.read(min(left, 1 << 24))
        if not b:
            break
        parts.append(b)
        left -= len(b)
    return b"".join(parts)


def _readinto(fh: IO[bytes], buf: np.ndarray) -> int:
    view, got = memoryview(buf), 0
    while got < len(view):
        if hasattr(fh, "readinto"):
            k = fh.readinto(view[got:])
        else:
            b = fh.read(len(view) - got)
            k = len(b)
            view[got:got + k] = b
        if not k:
            break
        got += k
    return got


def _parse_header(raw: bytes, fail) -> dict:
    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise fail(f"corrupted header: duplicate key {k!r}")
            out[k] = v
        return out

    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=pairs)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise fail(f"corrupted header: not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise fail("corrupted header: not a JSON object")
    meta = header.get("__metadata__")
    if meta is not None and not (isinstance(meta, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
        raise fail("corrupted header: __metadata__ must map strings to strings")
    return header


def _check_layout(header: dict, data_size: int, fail) -> list[tuple[str, str, tuple, int]]:
    """Validates every entry and that the offsets tile the data section exactly; returns
    (name, dtype, shape, nbytes) in file order."""
    spans = []
    for tname, info in header.items():
        if not isinstance(info, dict):
            raise fail(f"corrupted header: the entry for {tname!r} is not an object")
        st, shape, span = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if not isinstance(st, str):
            raise fail(f"corrupted header: tensor {tname!r} has no dtype")
        if not (isinstance(shape, list) and all(_is_nat(s) for s in shape)):
            raise fail(f"corrupted header: tensor {tname!r} has an invalid shape {shape!r}")
        if not (isinstance(span, list) and len(span) == 2 and all(_is_nat(x) for x in span)
                and span[0] <= span[1]):
            raise fail(f"corrupted header: tensor {tname!r} has invalid data_offsets "
                       f"{span!r}")
        if st not in _FROM_ST:
            if st in _NO_EMBER_DTYPE:
                raise fail(f"tensor {tname!r} has dtype {st}, which ember does not support "
                           f"(supported: {', '.join(_FROM_ST)})")
            raise fail(f"corrupted header: tensor {tname!r} has unknown dtype {st!r}")
        nbytes = math.prod(shape) * _FROM_ST[st].itemsize
        if nbytes != span[1] - span[0]:
            raise fail(f"corrupted header: tensor {tname!r} of shape {tuple(shape)} and dtype "
                       f"{st} needs {nbytes} bytes but data_offsets {span} span "
                       f"{span[1] - span[0]}")
        spans.append((span[0], span[1], tname, st, tuple(shape), nbytes))
    spans.sort()
    end, prev = 0, None
    for b, e, tname, *_ in spans:
        if b < end:
            raise fail(f"corrupted header: tensors {prev!r} and {tname!r} overlap")
        if b > end:
            raise fail(f"corrupted header: a gap of {b - end} bytes before tensor {tname!r}")
        end, prev = e, tname
    if end > data_size:
        raise fail(f"truncated: the header declares {end} bytes of tensor data but the "
                   f"file holds {data_size}")
    if end < data_size:
        raise fail(f"corrupted: {data_size - end} bytes after the last tensor are not "
                   "described by the header")
    return [(tname, st, shape, nbytes) for _, _, tname, st, shape, nbytes in spans]


def _is_nat(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _rebuild(text: str, tensors: dict[str, Tensor], fail) -> Any:
    """The saved structure from its JSON tree; every tensor is used exactly once."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise fail(f"corrupted ember metadata: not valid JSON ({e})") from None
    if not (isinstance(doc, dict) and "root" in doc and isinstance(doc.get("version"), int)):
        raise fail("corrupted ember metadata: no version and root")
    if doc["version"] > FORMAT_VERSION:
        raise fail(f"written by a newer ember (format version {doc['version']}; this ember "
                   f"reads up to {FORMAT_VERSION})")
    seen: set[str] = set()

    def build(node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, dict) and len(node) == 1:
            (tag, body), = node.items()
            if tag == "T" and isinstance(body, str):
                if body not in tensors:
                    raise fail(f"corrupted ember metadata: no tensor named {body!r}")
                seen.add(body)
                return tensors[body]
            if tag in ("d", "o") and isinstance(body, list):
                out = {} if tag == "d" else OrderedDict()
                for item in body:
                    if not (isinstance(item, list) and len(item) == 2):
                        raise fail("corrupted ember metadata: a dict item is not a pair")
                    key = build(item[0])
                    if not (key is None or isinstance(key, (str, int, float))):
                        raise fail("corrupted ember metadata: an invalid dict key")
                    out[key] = build(item[1])
                return out
            if tag in ("l", "t") and isinstance(body, list):
                items = [build(v) for v in body]
                return items if tag == "l" else tuple(items)
            if tag == "f" and body in ("nan", "inf", "-inf"):
                return float(body)
        raise fail(f"corrupted ember metadata: unexpected node {_short(node)}")

    try:
        root = build(doc["root"])
    except RecursionError:
        raise fail("corrupted ember metadata: nested too deeply") from None
    extra = tensors.keys() - seen
    if extra:
        raise fail(f"corrupted ember metadata: tensors {sorted(extra)[:5]} are not part of "
                   "the saved structure")
    return root
