"""The ``cuda`` and ``rocm`` devices.

Where there is no such GPU (this project's CI), the backends run against a stand-in
driver (``fakes/fake_gpu_driver.c``, built here with the C compiler): real PTX and
code objects are compiled for the device it reports, loaded, and launched, and the
launches it records (kernel, grid, block, buffer pointers) are checked against the
launch plan; nothing computes. On a machine with an NVIDIA or AMD GPU, the
``needs_cuda`` / ``needs_rocm`` tests run the regions for real against the CPU
(``EMBER_REQUIRE_CUDA=1`` / ``EMBER_REQUIRE_ROCM=1`` make them fail instead of
skipping)."""

import ctypes
import os
import shutil
import subprocess
from pathlib import Path

import ember
import ember.nn.functional as F
import numpy as np
import pytest
from ember.runtime import devices
from ember.runtime.backends import cuda, rocm
from ember.runtime.backends.gpu import compile_region
from ember.runtime.cache import captured_regions

FAKE_SOURCE = Path(__file__).parent / "fakes" / "fake_gpu_driver.c"


@pytest.fixture(scope="module")
def fake_library(tmp_path_factory):
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler (cc) to build the stand-in GPU driver")
    path = tmp_path_factory.mktemp("fake-gpu") / "libfakegpu.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", str(FAKE_SOURCE), "-o", str(path)],
                   check=True)
    return path


@pytest.fixture
def fake(fake_library, monkeypatch):
    """Both devices on the stand-in driver, with fresh device singletons and caches."""
    for module in (cuda, rocm):
        monkeypatch.setattr(module, "_LIBRARY", str(fake_library))
        monkeypatch.setattr(module, "_device", None)
    monkeypatch.setattr(devices, "_caches", {})
    monkeypatch.setattr(devices, "_in_use", {})
    lib = ctypes.CDLL(str(fake_library))  # the same handle as the backends'
    ctypes.c_int.in_dll(lib, "fake_num_launches").value = 0
    ctypes.c_int.in_dll(lib, "fake_num_synchronizations").value = 0
    return lib


class _Launch(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_char * 128), ("grid", ctypes.c_uint * 3),
                ("block", ctypes.c_uint * 3), ("num_params", ctypes.c_int),
                ("params", ctypes.c_uint64 * 32)]


def _recorded(lib):
    n = ctypes.c_int.in_dll(lib, "fake_num_launches").value
    return list((_Launch * 1024).in_dll(lib, "fake_launches")[:n])


def _linear_relu(kind):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((100, 70)).astype(np.float32)).to(kind)
    w = ember.tensor(rng.standard_normal((50, 70)).astype(np.float32)).to(kind)
    with captured_regions() as modules, ember.no_grad():
        y = F.relu(x @ w.T).sum(1)
        out = y.numpy()
    return x, modules, y, out


@pytest.mark.parametrize("kind, target, chip", [("cuda", "nvvm", "sm_80"),
                                                ("rocm", "rocdl", "gfx942")])
def test_a_region_launches_its_plan_on_the_driver(fake, kind, target, chip):
    backend = {"cuda": cuda, "rocm": rocm}[kind]
    dev = ember.device(kind)
    assert dev.type == kind and backend.device().chip == chip
    x, modules, y, out = _linear_relu(kind)
    assert y.device == kind and out.shape == (100,) and out.dtype == np.float32
    (module,) = modules
    plan = compile_region(module, target, chip=chip)
    launches = _recorded(fake)
    assert len(launches) == len(plan.launches) >= 2
    assert ctypes.c_int.in_dll(fake, "fake_num_synchronizations").value == 1
    x_address = backend.buffer_of(x.numpy())._address
    for got, want in zip(launches, plan.launches, strict=True):
        assert got.entry.decode() == want.entry
        assert tuple(got.grid) == want.grid and tuple(got.block) == want.block
        if kind == "cuda":  # the stand-in counts a PTX entry's parameters
            assert got.num_params == len(want.args)
        if want.args[0] == 0:  # the region's first input, bound in place
            assert got.params[0] == x_address
    # The matmul's kernel shares its work through workgroup memory.
    if kind == "cuda":
        assert any(b".shared" in code for code in plan.kernels.values())


def test_transfers_to_and_from_the_driver_memory(fake):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    for kind, backend in (("cuda", cuda), ("rocm", rocm)):
        t = ember.tensor(a).to(kind)
        assert t.device == kind and backend.buffer_of(t.numpy()) is not None
        np.testing.assert_array_equal(t.cpu().numpy(), a)
        assert t.cpu().device == "cpu"
    z = ember.zeros(2, 3, device="cuda")
    assert z.device == "cuda"
    np.testing.assert_array_equal(z.numpy(), np.zeros((2, 3), np.float32))


def test_missing_drivers_are_named(monkeypatch):
    for module, kind, library in ((cuda, "cuda", "NVIDIA driver"), (rocm, "rocm", "HIP runtime")):
        monkeypatch.setattr(module, "_LIBRARY", "libember-no-such-driver.so")
        monkeypatch.setattr(module, "_device", None)
        with pytest.raises(RuntimeError, match=f"device '{kind}' is not available: "
                                               f"libember-no-such-driver.so \\(the {library}"):
            ember.device(kind)


def _why_not(module, error) -> str | None:
    try:
        module.device()
    except error as e:
        return str(e)
    return None


def _needs(kind, module, error):
    why = _why_not(module, error)
    return pytest.mark.skipif(
        why is not None and os.environ.get(f"EMBER_REQUIRE_{kind.upper()}") != "1",
        reason=f"no {kind} device: {why}")


needs_cuda = _needs("cuda", cuda, cuda.CudaError)
needs_rocm = _needs("rocm", rocm, rocm.RocmError)


def _mlp_steps(kind, steps=3):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(20, 16), ember.nn.ReLU(), ember.nn.Linear(16, 4))
    model.to(kind)
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((8, 20)).astype(np.float32)).to(kind)
    y = ember.tensor(rng.integers(0, 4, 8)).to(kind)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return [p.detach().cpu().numpy() for p in model.parameters()]


@pytest.mark.parametrize("kind", [pytest.param("cuda", marks=needs_cuda),
                                  pytest.param("rocm", marks=needs_rocm)])
def test_results_and_training_match_the_cpu_on_a_real_gpu(kind):
    _, _, _, got = _linear_relu(kind)
    _, _, _, want = _linear_relu("cpu")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    rng = np.random.default_rng(2)
    a = rng.standard_normal((64, 1000)).astype(np.float32)
    t = ember.tensor(a).to(kind)
    np.testing.assert_allclose(t.softmax(-1).numpy(), ember.tensor(a).softmax(-1).numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.sum().numpy(), a.sum(dtype=np.float64), rtol=1e-4)
    for p, q in zip(_mlp_steps(kind), _mlp_steps("cpu"), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-6)
