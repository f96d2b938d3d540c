"""ember.save / ember.load: safetensors round trips, interop with the safetensors package
and PyTorch, clear errors for bad files, and atomic writes that survive SIGKILL."""

from __future__ import annotations

import io
import json
import math
import os
import select
import signal
import subprocess
import sys
import textwrap
from collections import OrderedDict, namedtuple
from pathlib import Path

import ember
import ember.nn as enn
import ml_dtypes
import numpy as np
import pytest
import safetensors.torch
import torch
from ember.serialization import CheckpointError

RNG = np.random.default_rng(0)


def _t(a: np.ndarray) -> ember.Tensor:
    return ember.from_numpy(np.ascontiguousarray(a))


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint8)


def assert_same(a, b, where="obj") -> None:
    """Identical structure (container types, key order and types) and bit-identical tensors."""
    assert type(a) is type(b), f"{where}: {type(a)} vs {type(b)}"
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        np.testing.assert_array_equal(_bits(a.numpy()), _bits(b.numpy()), err_msg=where)
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        assert [type(k) for k in a] == [type(k) for k in b], where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b and str(a) == str(b), f"{where}: {a!r} vs {b!r}"


def _all_dtypes() -> dict[str, ember.Tensor]:
    f = RNG.standard_normal((2, 3, 4))
    special = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-30])
    return {
        "f64": _t(f), "f32": _t(f.astype(np.float32)),
        "f16": _t(special.astype(np.float16)),
        "bf16": _t(f.astype(ml_dtypes.bfloat16)),
        "i64": _t(np.array([-(2**63), 2**63 - 1, 0], np.int64)),
        "i32": _t(RNG.integers(-(2**31), 2**31 - 1, (3, 2), dtype=np.int32)),
        "i8": _t(np.array([-128, 127, 5], np.int8)),
        "bool": _t(np.array([[True, False], [False, True]])),
        "scalar": _t(np.array(2.5, np.float32)),
        "scalar_i": _t(np.array(7, np.int64)),
        "empty": _t(np.zeros((0, 3), np.float32)),
        "empty_bf16": _t(np.zeros((2, 0), ml_dtypes.bfloat16)),
    }


class _Block(enn.Module):
    def __init__(self):
        super().__init__()
        self.proj = enn.Linear(3, 4)
        self.norm = enn.LayerNorm(4)
        self.register_buffer("steps", ember.tensor(5))
        self.register_buffer("scratch", ember.zeros(2), persistent=False)


class _TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(3, 4)
        self.norm = torch.nn.LayerNorm(4)
        self.register_buffer("steps", torch.tensor(5))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)


def _optimizer_state() -> dict:
    return {
        "state": {0: {"step": 3, "exp_avg": _t(RNG.standard_normal((4, 3)).astype(np.float32)),
                      "exp_avg_sq": _t(RNG.random(4).astype(np.float32))},
                  1: {"step": 3, "momentum_buffer": None}},
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                          "weight_decay": 0.0, "foreach": None, "name": "base",
                          "params": [0, 1], "inf": float("inf"), "nan": float("nan")}],
    }


# -- round trips ----------------------------------------------------------------------


def test_model_state_dict_keys_values_and_torch_interop(tmp_path):
    model = enn.Sequential(_Block(), enn.Linear(4, 2))
    sd = model.state_dict()
    path = tmp_path / "model.safetensors"
    ember.save(sd, path)

    ref = torch.nn.Sequential(_TorchBlock(), torch.nn.Linear(4, 2))
    with safetensors.safe_open(str(path), "pt") as f:
        assert sorted(f.keys()) == sorted(ref.state_dict().keys())
        assert f.metadata()["format"] == "pt"
    ref.load_state_dict(safetensors.torch.load_file(str(path)))
    for k, v in ref.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy(), err_msg=k)
    assert ref.state_dict()["0.steps"].dtype == torch.int64

    loaded = ember.load(path)
    assert_same(loaded, OrderedDict(sd))
    fresh = enn.Sequential(_Block(), enn.Linear(4, 2))
    fresh.load_state_dict(ember.load(str(path)))
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy(), err_msg=k)


def test_optimizer_state_round_trips_exactly(tmp_path):
    state = _optimizer_state()
    ember.save(state, tmp_path / "opt.safetensors")
    loaded = ember.load(tmp_path / "opt.safetensors")
    assert_same(loaded, state)
    assert list(loaded["state"]) == [0, 1]
    assert isinstance(loaded["param_groups"][0]["betas"], tuple)


def test_every_dtype_and_shape_round_trips_and_loads_in_torch(tmp_path):
    tensors = _all_dtypes()
    pending = (ember.arange(6, dtype=ember.float32).reshape(2, 3) * 2).T
    obj = {"weights": tensors, "nested": [tensors["f32"], (tensors["scalar"], 3)],
           "pending": pending,
           "big": 2**70, "neg0": -0.0, "text": "naïve \"quoted\"\n", "none": None}
    path = tmp_path / "all.safetensors"
    ember.save(obj, path)
    assert_same(ember.load(path), obj)

    theirs = safetensors.torch.load_file(str(path))
    assert set(theirs) == {f"weights.{k}" for k in tensors} | {"nested.0", "nested.1.0",
                                                               "pending"}
    np.testing.assert_array_equal(theirs["pending"].numpy(), [[0, 6], [2, 8], [4, 10]])
    to_torch = {ember.bfloat16: torch.bfloat16, ember.float16: torch.float16}
    for k, v in tensors.items():
        got = theirs[f"weights.{k}"]
        assert tuple(got.shape) == tuple(v.shape), k
        want = to_torch.get(v.dtype) or torch.from_numpy(v.numpy()).dtype
        assert got.dtype == want, k
        if v.dtype == ember.bfloat16:
            got = got.view(torch.int16)  # compare bits: numpy has no bfloat16
        np.testing.assert_array_equal(_bits(got.numpy()), _bits(v.numpy()), err_msg=k)


def test_file_layout_follows_the_spec(tmp_path):
    path = tmp_path / "layout.safetensors"
    ember.save({"a": _t(np.ones(3, np.int8)), "b": _t(np.ones(5, np.float64)),
                "c": _t(np.ones(3, np.float16))}, path)
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    assert (8 + n) % 8 == 0 and raw[8:9] == b"{"
    header = json.loads(raw[8:8 + n])
    spans = sorted(v["data_offsets"] for k, v in header.items() if k != "__metadata__")
    assert spans[0][0] == 0 and spans[-1][1] == len(raw) - 8 - n
    for k, v in header.items():
        if k != "__metadata__":
            size = {"F64": 8, "F16": 2, "I8": 1}[v["dtype"]]
            assert v["data_offsets"][0] % size == 0, k


def test_file_written_by_safetensors_torch_loads_flat(tmp_path):
    g = torch.Generator().manual_seed(0)
    ref = {
        "model.embed.weight": torch.randn(5, 3, generator=g),
        "f64": torch.randn(2, 2, generator=g, dtype=torch.float64),
        "f16": torch.randn(4, generator=g).half(),
        "bf16": torch.randn(3, 2, generator=g).bfloat16(),
        "i64": torch.tensor([1, -2, 2**40]),
        "i32": torch.tensor([[3, -4]], dtype=torch.int32),
        "i8": torch.tensor([-7, 7], dtype=torch.int8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(1.5),
        "empty": torch.zeros(0, 4),
    }
    path = tmp_path / "hf.safetensors"
    safetensors.torch.save_file(ref, str(path), metadata={"format": "pt"})
    got = ember.load(path)
    assert type(got) is dict and set(got) == set(ref)
    for k, v in ref.items():
        g_ = got[k]
        assert tuple(g_.shape) == tuple(v.shape), k
        if v.dtype == torch.bfloat16:
            assert g_.dtype == ember.bfloat16
            v = v.view(torch.int16)
        else:
            assert g_.dtype.np == v.numpy().dtype, k
        np.testing.assert_array_equal(_bits(g_.numpy()), _bits(v.numpy()), err_msg=k)


@pytest.mark.parametrize("tdtype, name", [(torch.uint8, "U8"), (torch.int16, "I16")])
def test_dtype_ember_lacks_is_named(tmp_path, tdtype, name):
    path = tmp_path / "u.safetensors"
    safetensors.torch.save_file({"pixels": torch.zeros(3, dtype=tdtype)}, str(path))
    with pytest.raises(CheckpointError, match=rf"u\.safetensors.*'pixels' has dtype {name}"):
        ember.load(path)


def test_file_objects_and_map_location(tmp_path):
    state = _optimizer_state()
    buf = io.BytesIO()
    ember.save(state, buf)
    buf.seek(0)
    assert_same(ember.load(buf, map_location="cpu"), state)
    buf.seek(0)
    assert_same(ember.load(buf, map_location=ember.device("cpu"), weights_only=True), state)
    buf.seek(0)
    seen = []
    ember.load(buf, map_location=lambda t, loc: seen.append(loc) or t)
    assert seen == ["cpu", "cpu"]
    with pytest.raises(RuntimeError, match="cuda"):
        ember.load(buf, map_location="cuda")

    class Pipe(io.RawIOBase):
        def readable(self):
            return True

        def seekable(self):
            return False

    with pytest.raises(ValueError, match="seekable"):
        ember.load(Pipe())


def test_file_permissions_like_open_and_overwrite(tmp_path):
    path = tmp_path / "perm.safetensors"
    (tmp_path / "plain").write_bytes(b"")
    ember.save({"x": 1}, path)
    assert path.stat().st_mode == (tmp_path / "plain").stat().st_mode
    path.chmod(0o600)
    ember.save({"x": 2}, path)
    assert ember.load(path) == {"x": 2}
    assert path.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "latest"
    link.symlink_to(path.name)
    ember.save({"x": 3}, link)
    assert link.is_symlink() and ember.load(path) == {"x": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "perm.safetensors",
                                                          "plain"]


# -- errors ---------------------------------------------------------------------------


def test_unsaveable_objects_name_the_key_path(tmp_path):
    path = tmp_path / "bad.safetensors"
    ember.save({"ok": 1}, path)
    cases = [
        ({"a": [1, lambda x: x]}, r"function .* at obj\['a'\]\[1\]"),
        ({"state": {0: {"opt": object()}}}, r"object .* at obj\['state'\]\[0\]\['opt'\]"),
        ({(1, 2): 3}, r"tuple key \(1, 2\) at obj"),
        ({"t": torch.zeros(2)}, r"Tensor .* at obj\['t'\]"),
        ({"p": namedtuple("P", "x")(1)}, r"namedtuple P at obj\['p'\]"),
        ({"s": {1, 2}}, r"set .* at obj\['s'\]"),
    ]
    for obj, pattern in cases:
        with pytest.raises(TypeError, match=pattern):
            ember.save(obj, path)
    loop: list = [1]
    loop.append({"back": loop})
    with pytest.raises(ValueError, match=r"circular reference at obj\['l'\]\[1\]\['back'\]"):
        ember.save({"x": ember.zeros(2), "l": loop}, path)
    assert ember.load(path) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["bad.safetensors"]


def test_failure_during_write_keeps_old_file_and_no_temp(tmp_path, monkeypatch):
    import ember.serialization as ser

    path = tmp_path / "ckpt.safetensors"
    ember.save({"v": 1}, path)

    def boom(fh, arrays):
        fh.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ser, "_write_data", boom)
    with pytest.raises(OSError, match="No space"):
        ember.save({"w": ember.ones(4)}, path)
    assert ember.load(path) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.safetensors"]


def _good_file(tmp_path) -> tuple[Path, bytes]:
    path = tmp_path / "good.safetensors"
    ember.save({"a": _t(np.arange(6, dtype=np.float32).reshape(2, 3)),
                "b": _t(np.arange(4, dtype=np.int64)), "n": 3}, path)
    return path, path.read_bytes()


def test_truncated_files(tmp_path):
    path, raw = _good_file(tmp_path)
    n = int.from_bytes(raw[:8], "little")
    cut = tmp_path / "cut.safetensors"
    for size in (0, 3, 8, 12, 8 + n - 1, 8 + n, 8 + n + 5, len(raw) - 1):
        cut.write_bytes(raw[:size])
        with pytest.raises(CheckpointError, match=r"cut\.safetensors.*(truncated|empty)"):
            ember.load(cut)
    cut.write_bytes(raw + b"\0" * 8)
    with pytest.raises(CheckpointError, match="8 bytes after the last tensor"):
        ember.load(cut)


def _write_raw(path: Path, header, data: bytes = b"", length: int | None = None) -> Path:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    size = len(text) if length is None else length
    path.write_bytes(size.to_bytes(8, "little") + text + data)
    return path


def test_corrupted_headers(tmp_path):
    path, raw = _good_file(tmp_path)
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    bad = tmp_path / "bad.safetensors"

    def entry(**kw):
        return {**header, "a": {**header["a"], **kw}}

    cases = [
        (raw[:8] + b"[" + raw[9:], "does not start with"),
        (raw[:9] + b"#" + raw[10:], "not valid JSON"),
        (raw[:8 + n // 2] + b"\xff" + raw[8 + n // 2 + 1:], "not valid JSON"),
        (entry(data_offsets=[0, 20]), r"needs 24 bytes but data_offsets \[0, 20\] span 20"),
        (entry(shape=[3, 3]), "needs 36 bytes"),
        (entry(shape=[2, -3]), "invalid shape"),
        (entry(data_offsets=[24, 8]), "invalid data_offsets"),
        (entry(data_offsets=[8, 32]), "overlap"),
        (entry(data_offsets=[200, 224]), "(gap|overlap)"),
        (entry(dtype="F17"), "unknown dtype 'F17'"),
        ({**header, "a": [1, 2]}, "'a' is not an object"),
        ({**header, "__metadata__": {"format": 1}}, "__metadata__"),
        ([1, 2, 3], "does not start with"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b"{" * 100_000, "(not valid JSON|nested)"),
    ]
    meta = json.loads(header["__metadata__"]["ember"])
    for root, msg in [({"d": [["a", {"T": "zzz"}]]}, "no tensor named 'zzz'"),
                      ({"d": [["a", {"T": "a"}]]}, r"\['b'\] are not part"),
                      ({"q": 1}, "unexpected node"),
                      (meta["root"], None)]:
        m = json.dumps({**meta, "root": root})
        cases.append(({**header, "__metadata__": {"ember": m}}, msg))
    cases.append(({**header, "__metadata__": {"ember": json.dumps({**meta, "version": 99})}},
                  "newer ember"))
    for content, msg in cases:
        if isinstance(content, bytes) and content[:8] == raw[:8]:
            bad.write_bytes(content)
        else:
            _write_raw(bad, content, data)
        if msg is None:
            assert ember.load(bad)["n"] == 3
            continue
        with pytest.raises(CheckpointError, match=rf"bad\.safetensors.*{msg}"):
            ember.load(bad)


def test_bogus_header_length_is_rejected_before_reading(tmp_path, monkeypatch):
    import ember.serialization as ser

    bad = tmp_path / "huge.safetensors"
    for length in (2**64 - 1, 2**40, 10**8 + 5):
        _write_raw(bad, b'{"a":1}', length=length)
        with pytest.raises(CheckpointError, match="huge.safetensors"):
            ember.load(bad)
    monkeypatch.setattr(ser, "_MAX_HEADER", 1000)
    _write_raw(bad, b"{" + b" " * 1200 + b"}")
    with pytest.raises(CheckpointError, match="exceeds the limit"):
        ember.load(bad)


def test_foreign_and_missing_files(tmp_path):
    pt = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, pt)
    with pytest.raises(CheckpointError, match=r"model\.pt.*zip archive"):
        ember.load(pt)
    legacy = tmp_path / "legacy.pt"
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match=r"legacy\.pt.*pickle"):
        ember.load(legacy)
    noise = tmp_path / "noise.bin"
    for seed in range(4):
        noise.write_bytes(np.random.default_rng(seed).bytes(1000))
        with pytest.raises(CheckpointError, match=r"noise\.bin.*not a safetensors file"):
            ember.load(noise)
    text = tmp_path / "notes.txt"
    text.write_text("hello world, this is not a checkpoint\n")
    with pytest.raises(CheckpointError, match="notes.txt"):
        ember.load(text)
    with pytest.raises(FileNotFoundError, match=r"no such checkpoint file.*missing\.safetensors"):
        ember.load(tmp_path / "missing.safetensors")
    with pytest.raises(IsADirectoryError):
        ember.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such directory"):
        ember.save({"x": 1}, tmp_path / "nodir" / "x.safetensors")


# -- crash safety ---------------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import ember
    import ember.serialization as ser

    path, mode = sys.argv[1], sys.argv[2]
    big = {"w": ember.from_numpy(np.full(1 << 20, 7.0, np.float32)), "step": 2}

    def hang(*args):
        print("HANG", flush=True)
        time.sleep(120)

    if mode == "write":
        def half(fh, arrays):
            a = arrays[0].reshape(-1).view(np.uint8)
            fh.write(memoryview(a[: a.size // 2]))
            fh.flush()
            hang()
        ser._write_data = half
        ember.save(big, path)
    elif mode == "replace":
        os.replace = hang
        ember.save(big, path)
    else:
        versions = [{"v": ember.from_numpy(np.full(1 << 21, float(i), np.float32)), "i": i}
                    for i in range(2)]
        i = 0
        while True:
            ember.save(versions[i % 2], path)
            i += 1
            if i == 2:
                print("HANG", flush=True)
""")


def _start_child(path: Path, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline() if ready else b""
    if line.strip() != b"HANG":
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"child did not reach the save: {err.decode()[-2000:]}")
    return proc


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("mode", ["write", "replace"])
def test_sigkill_during_save_leaves_previous_checkpoint(tmp_path, mode):
    path = tmp_path / "ckpt.safetensors"
    previous = {"w": _t(np.arange(10, dtype=np.float32)), "step": 1}
    ember.save(previous, path)
    _kill(_start_child(path, mode))

    stray = [p.name for p in tmp_path.iterdir() if p.name != "ckpt.safetensors"]
    assert len(stray) == 1 and stray[0].startswith(".ckpt.safetensors.")
    assert_same(ember.load(path), previous)

    ember.save({"step": 3}, path)  # the next save clears the dead process's temp file
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.safetensors"]
    assert ember.load(path) == {"step": 3}


def test_sigkill_at_random_points_of_a_save_loop(tmp_path):
    path = tmp_path / "loop.safetensors"
    delays = np.random.default_rng(1).uniform(0.0, 0.3, 3)
    for delay in delays:
        proc = _start_child(path, "loop")
        select.select([], [], [], delay)
        _kill(proc)
        got = ember.load(path)
        assert set(got) == {"v", "i"} and got["i"] in (0, 1)
        v = got["v"].numpy()
        assert v.shape == (1 << 21,) and (v == got["i"]).all()
