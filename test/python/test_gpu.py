"""GPU targets: the regions of a set of workloads (elementwise, reductions, matmul,
convolution and pooling, shapes, integers and booleans, float64, a backward pass)
compiled for SPIR-V (checked by spirv-val), NVVM (PTX checked by ptxas for sm_80 and
sm_90) and ROCDL (gfx90a and gfx942 code objects), and run for real on the ``vulkan``
device (Mesa's lavapipe here), against the CPU. Needs Debian's spirv-tools,
mesa-vulkan-drivers, llvm-22, lld-22 and rocm-device-libs (scripts/gpu-tools.sh) and
CUDA's ptxas; a test whose tool is missing skips, naming it."""

import os
import shutil
import subprocess
import tempfile

os.environ.setdefault("EMBER_CACHE_DIR", tempfile.mkdtemp(prefix="ember-test-cache-"))

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from ember.runtime.backends import vulkan  # noqa: E402
from ember.runtime.backends.gpu import compile_region  # noqa: E402
from ember.runtime.cache import captured_regions  # noqa: E402
from ember_testing import needs_vulkan  # noqa: E402


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not on PATH")
    return path


def _rng():
    return np.random.default_rng(0)


def _f32(*shape):
    return _rng().standard_normal(shape).astype(np.float32)


# name -> (inputs, fn(*tensors) -> tuple of tensors)
WORKLOADS = {
    "elementwise": (
        [_f32(1000), _f32(1000), _f32(1000)],
        lambda x, w, b: (F.gelu(x * w + b) * ember.sigmoid(x), (x.tanh() - 1).abs().sqrt()),
    ),
    "softmax_layer_norm": (
        [_f32(32, 100)],
        lambda x: (x.softmax(-1), F.layer_norm(x, (100,)), x.log_softmax(0)),
    ),
    # Rows longer than a "rows" region takes (4096): reductions whose threads share
    # each row through workgroup memory (ember-gpu-tile-reductions).
    "long_rows": (
        [_f32(8, 5000)],
        lambda x: (x.softmax(-1), F.layer_norm(x, (5000,)), x.var(1), x.amax(0)),
    ),
    "reductions": (
        [_f32(17, 33)],
        lambda x: (x.sum(0), x.amax(1), x.argmax(1), x.mean(), x.var(1), x.prod(0)),
    ),
    "matmul": (
        [_f32(3, 20, 30), _f32(30, 7), _f32(20)],
        lambda a, b, v: (a @ b, v @ a[0], (a.transpose(1, 2) @ a).sum(0)),
    ),
    # Products over several blocks with partial edge tiles, through workgroup
    # memory (ember-gpu-tile-matmul): a transposed operand, broadcast batches,
    # integers, and an epilogue.
    "matmul_tiles": (
        [_f32(70, 33), _f32(130, 33), _f32(2, 1, 20, 33)],
        lambda a, b, c: (a @ b.T, F.relu(a.T @ a[:, :5] + 1), c @ b[:7].T,
                         (a * 4).long() @ (b.T * 4).long()),
    ),
    "conv_pool": (
        [_f32(2, 3, 12, 12), _f32(4, 3, 3, 3), _f32(4)],
        lambda x, w, b: (F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=1)), 2),
                         F.avg_pool2d(x, 3, stride=2)),
    ),
    "shapes": (
        [_f32(4, 6), _f32(4, 6)],
        lambda x, y: (ember.cat([x, y.T.reshape(4, 6)], 1), x[1:3, ::2],
                      x.index_select(1, ember.tensor([5, 0, 2])),
                      ember.gather(x, 1, ember.tensor([[0, 5]] * 4)), x.cumsum(1)),
    ),
    "integers_booleans": (
        [_f32(50), _f32(50)],
        lambda x, y: (ember.where((x > 0) & (y < 0.5), x, y), (x * 10).long() % 7,
                      (x > y).sum(), (x > 0).any(), ember.clamp(x, -0.5, 0.5)),
    ),
    "float64": (
        [_f32(8, 5).astype(np.float64), _f32(5).astype(np.float64)],
        # GLSL.std.450 has no 64-bit exp/log/tanh: Vulkan runs f64 arithmetic only.
        lambda x, b: ((x + b).abs().sqrt().sum(1), (x @ b.unsqueeze(1)).squeeze(1),
                      x.max(0).values),
    ),
}


def _run(name, kind):
    arrays, fn = WORKLOADS[name]
    tensors = [ember.tensor(a).to(kind) for a in arrays]
    with ember.no_grad():
        outs = fn(*tensors)
    return [o.numpy() for o in outs], [o.device.type for o in outs]


@needs_vulkan
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_vulkan_results_match_the_cpu(name):
    want, _ = _run(name, "cpu")
    got, kinds = _run(name, "vulkan")
    assert set(kinds) == {"vulkan"}
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-6, err_msg=name)


@needs_vulkan
def test_special_values_match_the_cpu():
    """NaN, infinities, zeros and negative bases: SPIR-V's Pow is undefined for bases
    at or below zero, its max and min may drop NaN; the results must be PyTorch's."""
    x = np.array([-1.0, 0.0, 1.0, np.nan, 2.0, -0.5, np.inf, -np.inf, -3.0], np.float32)
    y = np.array([2.0, -1.0, np.nan, 0.0, 0.5, 3.0, -2.0, 0.5, 1.5], np.float32)
    ops = {
        "pow": lambda a, b: a ** b, "square": lambda a, b: a ** 2,
        "sqrt_pow": lambda a, b: a ** 0.5, "cube": lambda a, b: a ** 3,
        "log": lambda a, b: a.log(), "sqrt": lambda a, b: a.sqrt(),
        "exp": lambda a, b: a.exp(), "tanh": lambda a, b: a.tanh(),
        "maximum": lambda a, b: ember.maximum(a, b), "amax": lambda a, b: a.amax(),
        "sum": lambda a, b: a.sum(), "relu": lambda a, b: ember.relu(a),
        "sigmoid": lambda a, b: a.sigmoid(), "rsqrt": lambda a, b: a.rsqrt(),
    }
    for name, f in ops.items():
        want = f(ember.tensor(x), ember.tensor(y)).numpy()
        got = f(ember.tensor(x).to("vulkan"), ember.tensor(y).to("vulkan")).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, equal_nan=True, err_msg=name)


@needs_vulkan
def test_integer_powers_match_the_cpu():
    """SPIR-V has no integer pow: squaring over the exponent's bits, wrapping as the
    CPU does, with the CPU's results for negative exponents."""
    b = np.array([2, -3, 1, -1, 5, 0, 7, -2, 3], np.int64)
    e = np.array([3, 3, -5, -3, 0, 4, 1, -2, 20], np.int64)
    for dt in (np.int64, np.int32):
        x, y = ember.tensor(b.astype(dt)), ember.tensor(e.astype(dt))
        np.testing.assert_array_equal((x.to("vulkan") ** y.to("vulkan")).numpy(),
                                      (x ** y).numpy())


@needs_vulkan
def test_bfloat16_is_refused_on_vulkan():
    x = ember.ones(4, dtype=ember.bfloat16).to("vulkan")
    with pytest.raises(ember.compiler.EmberCompileError, match="bfloat16 is not supported"):
        (x + 1).numpy()


def _captured_regions(name):
    """The ember modules of the regions the workload compiles on the CPU."""
    with captured_regions() as modules:
        _run(name, "cpu")
    assert modules
    return modules


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_regions_compile_for_spirv_nvvm_and_rocdl(name, tmp_path):
    spirv_val, ptxas = _tool("spirv-val"), _tool("ptxas")
    _tool("llc-22")
    for module in _captured_regions(name):
        program = compile_region(module, "spirv")
        assert program.launches
        for kernel, code in program.kernels.items():
            path = tmp_path / f"{kernel}.spv"
            path.write_bytes(code)
            r = subprocess.run([spirv_val, "--target-env", "vulkan1.1", str(path)],
                               capture_output=True, text=True)
            assert r.returncode == 0, f"{name}/{kernel}: {r.stderr}"
        program = compile_region(module, "nvvm")
        for kernel, ptx in program.kernels.items():
            path = tmp_path / f"{kernel}.ptx"
            path.write_bytes(ptx)
            for arch in ("sm_80", "sm_90"):
                r = subprocess.run([ptxas, f"-arch={arch}", str(path), "-o", os.devnull],
                                   capture_output=True, text=True)
                assert r.returncode == 0, f"{name}/{kernel} ({arch}): {r.stderr}"
        for chip in ("gfx90a", "gfx942"):
            program = compile_region(module, "rocdl", chip=chip)
            for kernel, hsaco in program.kernels.items():
                # An ELF shared object for AMDGPU (e_machine 224).
                assert hsaco[:4] == b"\x7fELF", f"{name}/{kernel}"
                assert int.from_bytes(hsaco[18:20], "little") == 224, f"{name}/{kernel}"


def test_a_matmul_is_one_kernel_tiled_through_workgroup_memory():
    with captured_regions() as modules, ember.no_grad():
        (ember.tensor(_f32(100, 70)) @ ember.tensor(_f32(70, 50))).numpy()
    (module,) = modules
    # The zero fill of the product is folded into the kernel.
    (ptx,) = compile_region(module, "nvvm").kernels.values()
    assert b".shared .align 4 .b8" in ptx and b"bar.sync" in ptx
    (launch,) = compile_region(module, "spirv").launches
    assert launch.block == (16, 16, 1) and launch.grid == (1, 2, 1)


@needs_vulkan
def test_float64_math_vulkan_lacks_is_a_clear_error():
    x = ember.ones(4, dtype=ember.float64).to("vulkan")
    with pytest.raises(ember.compiler.EmberCompileError, match="float64 exp is not available"):
        x.exp().numpy()


@needs_vulkan
def test_long_reductions_share_threads_or_are_refused_on_lavapipe():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((128, 512)).astype(np.float32)
    v = ember.tensor(a).to("vulkan")
    # A column sum: 32 columns per block, 8 threads down each, partials combined in
    # workgroup memory.
    np.testing.assert_allclose(v.sum(0).numpy(), a.sum(0), rtol=1e-4, atol=1e-4)
    # A sum of 65536 elements: 1024 partial sums in parallel, then their sum.
    np.testing.assert_allclose(v.sum().numpy(), a.sum(dtype=np.float64), rtol=1e-4)
    np.testing.assert_allclose(v.mean(1).numpy(), a.mean(1), rtol=1e-4, atol=1e-6)
    # 65537 (a prime) elements cannot be split; 256 threads share them.
    b = rng.standard_normal(65537).astype(np.float32)
    vb = ember.tensor(b).to("vulkan")
    np.testing.assert_allclose(vb.sum().numpy(), b.sum(dtype=np.float64), rtol=1e-4)
    np.testing.assert_allclose(vb.amax().numpy(), b.max())
    if "llvmpipe" not in vulkan.device().name:
        return
    # An argmax (a comparison, not one associative op) stays one thread per result,
    # which would loop over all 65537, and lavapipe stops a shader after 65535
    # iterations. An error, not wrong numbers.
    with pytest.raises(ember.compiler.EmberCompileError, match="65535 loop iterations"):
        vb.argmax().numpy()


def test_a_program_round_trips_through_json():
    from ember.runtime.backends.gpu import Program

    (module, *_) = _captured_regions("softmax_layer_norm")
    program = compile_region(module, "spirv")
    again = Program.from_json(program.to_json())
    assert again == program


def _mlp_steps(kind, steps=3):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(20, 16), ember.nn.ReLU(),
                                ember.nn.Linear(16, 4))
    model.to(kind)
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((8, 20)).astype(np.float32)).to(kind)
    y = ember.tensor(rng.integers(0, 4, 8)).to(kind)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().cpu().numpy() for p in model.parameters()], model


@needs_vulkan
def test_training_an_mlp_on_vulkan_gives_the_cpu_parameters():
    cpu_losses, cpu_params, _ = _mlp_steps("cpu")
    losses, params, model = _mlp_steps("vulkan")
    assert all(p.device == "vulkan" for p in model.parameters())
    np.testing.assert_allclose(losses, cpu_losses, rtol=1e-5)
    for p, q in zip(params, cpu_params, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-6)


@needs_vulkan
def test_devices_and_transfers():
    x = ember.arange(6, dtype=ember.float32).reshape(2, 3)
    v = x.to("vulkan")
    assert v.device == ember.device("vulkan") and x.device == "cpu"
    assert str(v.device) == "vulkan" and repr(v.device) == "device(type='vulkan')"
    np.testing.assert_array_equal(v.cpu().numpy(), x.numpy())
    assert v.cpu().device == "cpu"
    z = ember.zeros(2, 3, device="vulkan")
    assert z.device == "vulkan"
    # Python scalars and 0-d tensors go with any device, as in PyTorch.
    np.testing.assert_array_equal((v * 2 + ember.tensor(1.0)).numpy(), x.numpy() * 2 + 1)
    assert (v * 2).device == "vulkan"


@needs_vulkan
def test_cpu_tensors_join_a_vulkan_region():
    """An op with a vulkan operand runs on vulkan; CPU operands are copied in."""
    x = ember.arange(4, dtype=ember.float32)
    v = ember.ones(4).to("vulkan")
    y = x * v + 1
    assert y.device == "vulkan"
    np.testing.assert_array_equal(y.numpy(), np.arange(4) + 1)


def test_a_missing_device_names_what_is_missing(monkeypatch):
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        ember.device("cuda")

    def no_device():
        raise vulkan.VulkanError("no Vulkan device found (Debian: mesa-vulkan-drivers)")

    monkeypatch.setattr(vulkan, "device", no_device)
    with pytest.raises(RuntimeError, match="'vulkan' is not available: no Vulkan device"):
        ember.ones(3, device="vulkan")


def test_rocdl_float64_math_calls_ocml():
    """float64 tanh went to llvm.intr.tanh in Python's context, which the AMDGPU
    backend cannot lower ("no libcall available for ftanh"); math goes to ocml
    first now."""
    _tool("llc-22")
    x = ember.tensor(_f32(3, 5).astype(np.float64))
    with captured_regions() as modules, ember.no_grad():
        (x.tanh() * x.exp() + x.sin()).numpy()
    (module,) = modules
    (hsaco,) = compile_region(module, "rocdl").kernels.values()
    assert hsaco[:4] == b"\x7fELF"


def test_rocdl_names_an_op_it_cannot_translate():
    """MLIR's C translation crashes on an untranslatable op; Ember raises instead."""
    import mlir.ir as ir
    from ember._mlir import context
    from ember.compiler import EmberCompileError
    from ember.runtime.backends.gpu import _rocdl_code_objects

    _tool("llc-22")
    with context():
        lowered = ir.Module.parse("""
            module attributes {gpu.container_module} {
              gpu.module @k {
                llvm.func @f(%a: i32) -> i32 {
                  %0 = math.absi %a : i32
                  llvm.return %0 : i32
                }
              }
            }""")
        with pytest.raises(EmberCompileError, match="kernel k still has math.absi"):
            _rocdl_code_objects(lowered, "gfx90a")
