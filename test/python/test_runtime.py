"""The lazy runtime: one region per realization, the compile cache (memory and
disk), debugging switches, errors at the user's line, and freeing."""

import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import weakref
from pathlib import Path

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from ember import compiler  # noqa: E402
from ember.runtime import CACHE  # noqa: E402
from ember_testing import run_in_forked_child  # noqa: E402


def stats():
    s = compiler.cache_stats()
    return s.hits, s.disk_hits, s.misses


def test_ops_are_lazy_and_a_chain_is_one_region():
    x = ember.randn(64, 32)
    before = stats()
    y = ((x * 2 + 1).exp() - x.tanh()).sum(dim=1)
    assert stats() == before  # recording compiles nothing
    assert not y._node.realized
    out = y.numpy()
    after = stats()
    assert after[1] + after[2] - before[1] - before[2] + after[0] - before[0] == 1
    ref = (np.exp(x.numpy() * 2 + 1) - np.tanh(x.numpy())).sum(axis=1)
    np.testing.assert_allclose(out, ref, rtol=1e-5)


def test_a_loop_of_identical_steps_compiles_once():
    w = ember.randn(16, 16)
    x = ember.randn(8, 16)
    CACHE.clear_memory()
    h0, d0, m0 = stats()
    for step in range(100):
        # A Python scalar that changes every step is data, not structure.
        x = (x @ w * (1.0 / (step + 1))).tanh()
        x.numpy()
    h1, d1, m1 = stats()
    assert (d1 - d0) + (m1 - m0) == 1
    assert h1 - h0 == 99


def test_distinct_structures_get_distinct_entries():
    a = ember.ones(3, 4)
    CACHE.clear_memory()
    _, d0, m0 = stats()
    (a + 1).numpy()
    (a * 1).numpy()
    (ember.ones(4, 3) + 1).numpy()
    _, d1, m1 = stats()
    assert (d1 - d0) + (m1 - m0) == 3


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=full_env, timeout=300)


PROGRAM = """
    import ember, numpy as np
    x = ember.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    y = (x.sigmoid() * 3 - x.mean(dim=0)).amax(dim=1)
    print(y.tolist())
    s = ember.compiler.cache_stats()
    print(s.hits, s.disk_hits, s.misses)
"""


def test_a_second_process_hits_the_disk_cache(tmp_path):
    first = run_python(PROGRAM, EMBER_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    second = run_python(PROGRAM, EMBER_CACHE_DIR=str(tmp_path))
    assert second.returncode == 0, second.stderr
    values1, counts1 = first.stdout.splitlines()
    values2, counts2 = second.stdout.splitlines()
    assert values1 == values2
    assert counts1.split()[1:] == ["0", "1"]  # compiled
    assert counts2.split()[1:] == ["1", "0"]  # loaded from disk
    assert list(tmp_path.rglob("*.so")) and list(tmp_path.rglob("*.json"))


def test_a_corrupt_disk_entry_is_detected_and_rebuilt(tmp_path):
    first = run_python(PROGRAM, EMBER_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    (lib,) = tmp_path.rglob("*.so")
    lib.write_bytes(lib.read_bytes()[:100])  # truncated
    second = run_python(textwrap.dedent(PROGRAM) + "print(s.corrupt)\n",
                        EMBER_CACHE_DIR=str(tmp_path))
    assert second.returncode == 0, second.stderr
    lines = second.stdout.splitlines()
    assert lines[0] == first.stdout.splitlines()[0]
    assert lines[1].split()[1:] == ["0", "1"] and lines[2] == "1"
    third = run_python(PROGRAM, EMBER_CACHE_DIR=str(tmp_path))
    assert third.stdout.splitlines()[1].split()[1:] == ["1", "0"]


def test_dump_ir_writes_each_region_and_a_reproducer(tmp_path):
    out = run_python(PROGRAM, EMBER_CACHE_DIR=str(tmp_path / "cache"),
                     EMBER_DUMP_IR=str(tmp_path / "dump"))
    assert out.returncode == 0, out.stderr
    (region,) = (tmp_path / "dump").iterdir()
    source = (region / "00-ember.mlir").read_text()
    assert "ember.sigmoid" in source and "ember.max" in source
    assert "ember-opt" in (region / "reproduce.sh").read_text()
    stages = [p for p in region.rglob("*.mlir") if p.name != "00-ember.mlir"]
    assert len(stages) > 10  # one file per pass of the pipeline
    assert any("llvm.func" in p.read_text() for p in stages)


def test_eager_mode_realizes_every_op():
    out = run_python("""
        import ember
        x = ember.ones(3)
        y = x + 1
        print(y._node.realized, x._node.realized)
    """, EMBER_EAGER="1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]


def test_source_locations_reach_the_ir(tmp_path):
    out = run_python("""
        import ember
        x = ember.ones(2, 2)
        y = x.exp()
        y.numpy()
    """, EMBER_CACHE_DIR=str(tmp_path / "c"), EMBER_DUMP_IR=str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    (region,) = (tmp_path / "d").iterdir()
    text = (region / "00-ember.mlir").read_text()
    # `y = x.exp()` is line 4 of the program (after the leading newline).
    exp_line = next(ln for ln in text.splitlines() if "ember.exp" in ln)
    assert 'loc("<string>":4:0)' in exp_line or "#loc" in exp_line
    if "#loc" in exp_line:
        alias = exp_line.rsplit("loc(", 1)[1].rstrip(")")
        assert f'{alias} = loc("<string>":4:0)' in text


def test_errors_point_at_the_users_line():
    a, b = ember.ones(2, 3), ember.ones(4)
    with pytest.raises(ember.EmberError) as info:
        a + b  # noqa: B018
    message = str(info.value)
    line = info.tb.tb_lineno
    assert "ember.add" in message and "(2, 3)" in message and "(4,)" in message
    assert f"test_runtime.py:{line}" in message


def test_node_locations_are_the_users_line():
    x = ember.ones(2)
    y = x * 3
    assert y._node.loc[0] == __file__
    assert y._node.loc[1] == sys._getframe().f_lineno - 2


def test_unreachable_graphs_and_buffers_are_freed():
    x = ember.randn(1000)
    y = (x * 2).exp()
    node = weakref.ref(y._node)
    y.numpy()
    del y
    gc.collect()
    assert node() is None


def test_realized_nodes_drop_their_inputs():
    x = ember.randn(10)
    y = x + 1
    z = y * 2
    inner = weakref.ref(y._node)
    del y
    z.numpy()
    assert z._node.inputs == ()
    gc.collect()
    assert inner() is None


def test_realize_computes_several_tensors_in_one_region():
    x = ember.randn(5, 5)
    a, b = x.sum(0), x.amax(1)
    CACHE.clear_memory()
    _, d0, m0 = stats()
    ember.realize(a, b)
    _, d1, m1 = stats()
    assert (d1 - d0) + (m1 - m0) == 1
    assert a._node.realized and b._node.realized


def test_cache_dir_default(monkeypatch):
    monkeypatch.delenv("EMBER_CACHE_DIR")
    from ember.runtime import cache_dir

    assert cache_dir() == Path.home() / ".cache" / "ember"


def _child_compiles():
    # A structure the parent never compiled: the child compiles it itself.
    return (ember.full((3, 7), 0.5).exp() * 3 - 1).amax().item()


def test_forked_child_compiles(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path))
    assert (ember.ones(4, 5) * 2 + 1).sum().item() == 60.0  # the parent's context is live
    value = run_in_forked_child(_child_compiles, "compiling")
    assert abs(value - (3 * np.exp(0.5) - 1)) < 1e-5


def test_backward_without_disk_cache_takes_0d_values(monkeypatch):
    """The JIT path (EMBER_DISK_CACHE=0) checks argument shapes: 0-d leaves, saved
    values and cotangents stay 0-d."""
    monkeypatch.setenv("EMBER_DISK_CACHE", "0")
    ember.runtime.CACHE.clear_memory()
    x = ember.tensor(3.0, requires_grad=True)
    y = x * x
    assert y.item() == 9.0  # a saved (realized) 0-d value
    (y * x).backward()
    assert x.grad.item() == 27.0


def test_descriptors_pack_pointers_into_one_block_per_geometry():
    """A region's memref descriptors: built once per (shape, strides) list, each call
    only writes the data pointers; sizes and strides in elements, 0 for empty arrays."""
    from ember.compiler._jit import Descriptors

    arrays = [np.zeros((3, 4), np.float32), np.zeros((), np.int64), np.zeros((0, 5), np.float64)]
    d = Descriptors(arrays)
    assert d.matches(arrays)
    assert not d.matches([np.zeros((4, 3), np.float32), *arrays[1:]])
    assert not d.matches([np.zeros((3, 8), np.float32)[:, ::2], *arrays[1:]])
    block, addresses = d.pack(arrays)
    words = [w.tolist() for w in np.split(block, [7, 10])]
    ptrs = [a.ctypes.data for a in arrays]
    assert words[0] == [ptrs[0], ptrs[0], 0, 3, 4, 4, 1]
    assert words[1] == [ptrs[1], ptrs[1], 0]
    assert words[2] == [ptrs[2], ptrs[2], 0, 0, 5, 0, 0]
    base = block.ctypes.data
    assert addresses == [base, base + 7 * 8, base + 10 * 8]
    # Read-only arrays are fine; a non-contiguous one is refused, never misread.
    frozen = np.ones((3, 4), np.float32)
    frozen.flags.writeable = False
    block, _ = d.pack([frozen, *arrays[1:]])
    assert block[0] == block[1] == frozen.ctypes.data
    strided = np.zeros((3, 8), np.float32)[:, ::2]
    with pytest.raises(ValueError, match="not C-contiguous"):
        d.pack([strided, *arrays[1:]])
