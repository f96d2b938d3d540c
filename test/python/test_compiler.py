"""The ember.compiler API: build -> compile -> call, errors, and ember-opt."""

import subprocess
import textwrap

import ember
import mlir.ir as ir
import numpy as np
import pytest
from ember import compiler
from ember._tools import ember_opt_path
from ember.dialects import ember as E

ADD_SOURCE = """
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ember.add %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
"""


def test_compile_source_and_call():
    fn = compiler.compile_source(ADD_SOURCE)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = fn(a, a)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, a + a)
    assert "ember.add" in fn.ir["ember"]
    assert "llvm.func @add" in fn.ir["llvm"]
    assert "ember." not in fn.ir["llvm"]


def test_build_multiple_results_and_repeated_calls():
    def f(x, y):
        return E.mul(x, y), E.sum(x, [0, 1])

    fn = compiler.jit(f, ((4, 5), "f64"), ((4, 5), "f64"))
    rng = np.random.default_rng(0)
    for _ in range(3):
        x, y = rng.standard_normal((2, 4, 5))
        prod, total = fn(x, y)
        np.testing.assert_allclose(prod, x * y, rtol=1e-15)
        assert total.shape == ()
        np.testing.assert_allclose(total, x.sum(), rtol=1e-12)


def test_non_contiguous_and_python_scalar_inputs_are_converted():
    fn = compiler.jit(lambda x, y: E.sub(x, E.broadcast(x.type, y)), ((3, 2), "f32"),
                      ((), "f32"))
    base = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = fn(base.T, 1.5)
    np.testing.assert_array_equal(out, base.T - np.float32(1.5))


def test_argument_errors_name_the_problem():
    fn = compiler.compile_source(ADD_SOURCE)
    a = np.zeros((2, 3), np.float32)
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        fn(a)
    with pytest.raises(ValueError, match=r"argument 1 has shape \(3, 2\), expected \(2, 3\)"):
        fn(a, np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="argument 0 has dtype complex64, expected float32"):
        fn(a.astype(np.complex64), a)


def test_module_that_does_not_verify_is_reported_with_its_location():
    source = """
    func.func @bad(%a: tensor<2x3xf32>) -> tensor<2xf32> {
      %0 = "ember.sum"(%a) <{dims = array<i64: 7>}> : (tensor<2x3xf32>) -> tensor<2xf32>
      return %0 : tensor<2xf32>
    }
    """
    with pytest.raises(compiler.EmberCompileError, match="dimension 7 is out of range for rank 2"):
        compiler.compile_source(source)


def test_unparsable_source_is_reported():
    with pytest.raises(compiler.EmberCompileError, match="does not parse"):
        compiler.compile_source("func.func @f( {")


def test_dynamic_shapes_are_rejected_clearly():
    source = """
    func.func @dyn(%a: tensor<?xf32>) -> tensor<?xf32> {
      %0 = ember.exp %a : tensor<?xf32>
      return %0 : tensor<?xf32>
    }
    """
    with pytest.raises(compiler.EmberCompileError, match="dynamic shape"):
        compiler.compile_source(source)


def test_entry_selection():
    two = ADD_SOURCE + ADD_SOURCE.replace("@add", "@add2").replace("ember.add", "ember.sub")
    with pytest.raises(compiler.EmberCompileError, match="has 2 functions"):
        compiler.compile_source(two)
    fn = compiler.compile_source(two, entry="add2")
    a = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(fn(a, a), np.zeros((2, 3), np.float32))
    with pytest.raises(compiler.EmberCompileError, match="no function @nope"):
        compiler.compile_source(two, entry="nope")


def test_run_pipeline_by_name_leaves_the_input_alone():
    with ember.context():
        module = ir.Module.parse(ADD_SOURCE)
    linalg = compiler.run_pipeline(module, "convert-ember-to-linalg")
    assert "linalg.generic" in str(linalg) and "ember.add" not in str(linalg)
    assert "ember.add" in str(module)
    with pytest.raises(compiler.EmberCompileError, match="no-such-pass"):
        compiler.run_pipeline(module, "no-such-pass")


def test_dialect_registers_into_a_fresh_context():
    ctx = ir.Context()
    ember.register_dialect(ctx)
    with ctx:
        module = ir.Module.parse(ADD_SOURCE)
    assert "ember.add" in str(module)


def test_types():
    assert str(compiler.tensor_type((2, 0, 3), "bf16")) == "tensor<2x0x3xbf16>"
    assert str(compiler.tensor_type((), np.int64)) == "tensor<i64>"
    assert compiler.numpy_dtype("i1") == np.bool_
    with pytest.raises(TypeError, match="not supported"):
        compiler.element_type(np.complex64)


def run_ember_opt(*args, stdin=None):
    return subprocess.run([str(ember_opt_path()), *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_ember_opt_lists_the_ember_passes():
    help_text = run_ember_opt("--help").stdout
    for name in ("convert-ember-to-linalg", "ember-cpu-pipeline", "ember-expand-math",
                 "ember-widen-bool-memrefs", "ember-prepare-function-boundaries",
                 "ember-autodiff", "ember-tile-matmul", "ember-parallel-loops",
                 "ember-omp-nowait", "ember-hoist-loop-buffers",
                 "ember-strided-copies-to-linalg",
                 "ember-promote-accumulators", "ember-gpu-map-parallel-loops",
                 "ember-spirv-prepare-kernels", "ember-spirv-nest-modules",
                 "ember-gpu-split-reductions", "ember-fusion", "ember-lower-fusion",
                 "ember-vectorize-row-copies", "ember-gpu-tile-matmul",
                 "ember-gpu-tile-reductions",
                 "ember-spirv-pipeline", "ember-nvvm-pipeline", "ember-rocdl-pipeline"):
        assert name in help_text


def test_ember_opt_reports_errors_with_file_line_col(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text(textwrap.dedent("""\
        func.func @f(%a: tensor<2xf32>) -> tensor<2xi32> {
          %0 = ember.add %a, %a : tensor<2xi32>
          return %0 : tensor<2xi32>
        }
        """))
    result = run_ember_opt(str(path))
    assert result.returncode == 1
    assert f"{path}:2:" in result.stderr and "error:" in result.stderr


def test_ember_opt_runs_the_cpu_pipeline():
    result = run_ember_opt("--ember-cpu-pipeline", stdin=ADD_SOURCE)
    assert result.returncode == 0, result.stderr
    assert "llvm.func @add" in result.stdout and "ember." not in result.stdout
