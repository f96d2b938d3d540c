"""Ember's PyTorch-style Tensor API (``ember.Tensor`` ops, operators, methods and
``ember.nn.functional``) against PyTorch on the CPU.

Every comparison runs the same inputs through ember and torch and checks the
result's dtype, shape and values. Integer and bool results are compared
exactly; float results at the tolerances of ``TOL`` (one or two roundings of
the result type; f16 / bf16 looser, since PyTorch computes them in float32 and
rounds once). The values of a test are realized a few at a time (one compiled
region each; ``test_chain_realized_once`` realizes one large region), and shapes
are reused so that the compile cache is hit.

Type promotion is checked two ways: the result dtype of every op over a grid of
operand kinds (dimensioned tensors, 0-d tensors, Python scalars) is compared
with torch without realizing anything, and the values of a subset of mixed
pairs are computed.
"""

from __future__ import annotations

import atexit
import operator
import os
import shutil
import sys
import tempfile
import zlib

_CACHE_DIR = tempfile.mkdtemp(prefix="ember-test-tensor-ops-")
atexit.register(shutil.rmtree, _CACHE_DIR, True)
os.environ.setdefault("EMBER_CACHE_DIR", _CACHE_DIR)

import ember  # noqa: E402
import ember.nn.functional as F  # noqa: E402
import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

DTYPES = ["bool", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["int8", "int32", "int64"]

EMBER_DT = {n: getattr(ember, n) for n in DTYPES}
TORCH_DT = {n: getattr(torch, n) for n in DTYPES}
NP_DT = {"bool": np.bool_, "int8": np.int8, "int32": np.int32, "int64": np.int64,
         "float16": np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": np.float32,
         "float64": np.float64}

# (rtol, atol) by result dtype.
TOL = {
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
    "float32": (1e-5, 1e-6),
    "float64": (1e-12, 1e-12),
}

FILE = os.path.basename(__file__)


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def rand(shape, dt, rng, low=-3.0, high=3.0, nonzero=False):
    """Random NumPy values of dtype ``dt`` (integers in [low, high])."""
    shape = tuple(shape)
    if dt == "bool":
        a = rng.random(shape) < 0.5
        return np.ones(shape, np.bool_) if nonzero else a
    if dt in INTS:
        a = rng.integers(int(low), int(high) + 1, size=shape)
        if nonzero:
            a = np.where(a == 0, 1, a)
        return a.astype(NP_DT[dt])
    a = rng.uniform(low, high, size=shape)
    if nonzero:
        a = np.where(np.abs(a) < 0.5, np.copysign(0.5, a) + a, a)
    return a.astype(np.float32).astype(NP_DT[dt])


def to_torch(a: np.ndarray) -> torch.Tensor:
    if a.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.array(a))


def both(a: np.ndarray):
    """``(ember tensor, torch tensor)`` holding the values of ``a``."""
    return ember.tensor(a), to_torch(a)


def torch_dtype(d) -> torch.dtype:
    return TORCH_DT[d.name]


def compare(name, e, t, rtol=None, atol=None, scale=1.0):
    """An error message, or None when ember's ``e`` matches torch's ``t``."""
    if not isinstance(t, torch.Tensor):
        t = torch.tensor(t)
    if not isinstance(e, ember.Tensor):
        return f"{name}: ember returned {type(e).__name__}, not a Tensor"
    if torch_dtype(e.dtype) != t.dtype:
        return f"{name}: dtype {e.dtype} != torch {t.dtype}"
    if tuple(e.shape) != tuple(t.shape):
        return f"{name}: shape {tuple(e.shape)} != torch {tuple(t.shape)}"
    got = np.asarray(e.numpy())
    if got.shape != tuple(t.shape):
        return f"{name}: realized shape {got.shape} != torch {tuple(t.shape)}"
    want = (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    if t.dtype.is_floating_point:
        r, a = TOL[e.dtype.name]
        r, a = (rtol if rtol is not None else r * scale), (atol if atol is not None else a * scale)
        try:
            np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                       rtol=r, atol=a, equal_nan=True)
        except AssertionError as err:
            return f"{name}: values differ\n{err}"
    elif not np.array_equal(got, want):
        return f"{name}: values differ\n ember: {got.tolist()}\n torch: {want.tolist()}"
    return None


REGION = 6  # results realized together (compile time grows faster than region size)


def check(cases, **tol):
    """Realizes the ember results of ``cases`` ((name, ember, torch) triples), a few
    per region, and compares each with torch."""
    tensors = [e for _, e, _ in cases if isinstance(e, ember.Tensor)]
    for i in range(0, len(tensors), REGION):
        ember.realize(*tensors[i:i + REGION])
    errors = [m for m in (compare(n, e, t, **tol) for n, e, t in cases) if m]
    assert not errors, "\n".join(errors)


def check_one(e, t, **tol):
    check([("result", e, t)], **tol)


# --------------------------------------------------------------------------
# Type promotion (dtypes only: nothing is realized)
# --------------------------------------------------------------------------

SCALARS = [True, 3, 2.5]


def _grid_operands(kind, dt):
    if kind == "scalar":
        return dt, dt
    shape = (2,) if kind == "tensor" else ()
    a = np.ones(shape, NP_DT[dt])
    return ember.tensor(a), to_torch(a)


def _grid():
    kinds = [("tensor", d) for d in DTYPES] + [("0d", d) for d in DTYPES] + \
        [("scalar", s) for s in SCALARS]
    for ka, da in kinds[:16]:
        for kb, db in kinds:
            yield (ka, da), (kb, db)
    for ka, da in kinds[16:]:  # scalar on the left, tensor on the right
        for kb, db in kinds[:16]:
            yield (ka, da), (kb, db)


_COND_E, _COND_T = ember.tensor(np.array([True, False])), torch.tensor([True, False])

GRID_OPS = {
    "add": (ember.add, torch.add, True),
    "sub": (ember.sub, torch.sub, True),
    "mul": (ember.mul, torch.mul, True),
    "div": (ember.div, torch.div, True),
    "div_trunc": (lambda a, b: ember.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc"), True),
    "floor_divide": (ember.floor_divide, torch.floor_divide, True),
    "remainder": (ember.remainder, torch.remainder, True),
    "fmod": (ember.fmod, torch.fmod, True),
    "pow": (ember.pow, torch.pow, True),
    "maximum": (ember.maximum, torch.maximum, False),
    "minimum": (ember.minimum, torch.minimum, False),
    "eq": (ember.eq, torch.eq, True),
    "lt": (ember.lt, torch.lt, True),
    "logical_and": (ember.logical_and, torch.logical_and, False),
    "where": (lambda a, b: ember.where(_COND_E, a, b), lambda a, b: torch.where(_COND_T, a, b),
              True),
    "op+": (operator.add, operator.add, True),
    "op/": (operator.truediv, operator.truediv, True),
    "op**": (operator.pow, operator.pow, True),
}


@pytest.mark.parametrize("op", list(GRID_OPS))
def test_promotion_grid_dtypes(op):
    """The result dtype of ``op`` for every pair of operand kinds and dtypes is torch's
    (where torch accepts the pair)."""
    fe, ft, takes_scalars = GRID_OPS[op]
    mismatches, compared = [], 0
    for (ka, da), (kb, db) in _grid():
        if not takes_scalars and "scalar" in (ka, kb):
            continue
        if ka == "scalar" and not op.startswith("op") and op != "where":
            continue  # torch functions take a tensor first
        ea, ta = _grid_operands(ka, da)
        eb, tb = _grid_operands(kb, db)
        try:
            want = ft(ta, tb)
        except (RuntimeError, TypeError, NotImplementedError):
            continue  # torch rejects the pair (bool pow, ...)
        label = f"{ka}[{da}] {op} {kb}[{db}]"
        compared += 1
        try:
            got = fe(ea, eb)
        except Exception as err:  # noqa: BLE001
            mismatches.append(f"{label}: ember raised {type(err).__name__}: {err}")
            continue
        if torch_dtype(got.dtype) != want.dtype or tuple(got.shape) != tuple(want.shape):
            mismatches.append(f"{label}: ember {got.dtype} {tuple(got.shape)}, torch "
                              f"{want.dtype} {tuple(want.shape)}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:40])
    assert compared >= 100, compared


def test_result_type_and_promote_types():
    mismatches = []
    for (ka, da), (kb, db) in _grid():
        ea, ta = _grid_operands(ka, da)
        eb, tb = _grid_operands(kb, db)
        if ka == "scalar" and kb == "scalar":
            continue
        got = ember.result_type(ea, eb)
        want = torch.result_type(ta, tb) if ka != "scalar" else torch.result_type(tb, ta)
        if torch_dtype(got) != want:
            mismatches.append(f"result_type({ka}[{da}], {kb}[{db}]): {got} vs {want}")
    for da in DTYPES:
        for db in DTYPES:
            got = ember.promote_types(EMBER_DT[da], EMBER_DT[db])
            want = torch.promote_types(TORCH_DT[da], TORCH_DT[db])
            if torch_dtype(got) != want:
                mismatches.append(f"promote_types({da}, {db}): {got} vs {want}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("a_dt, b_dt, b_kind", [
    ("int32", "float32", "scalar"),  # int32 tensor + 2.5 -> float32
    ("int32", "int32", "tensor"),  # int / int -> float32
    ("float16", "float32", "0d"),  # float16 + float32 0-d -> float16
    ("bool", "int8", "tensor"),
    ("int8", "int32", "tensor"),
    ("int32", "int64", "tensor"),
    ("int32", "float16", "tensor"),
    ("int64", "bfloat16", "tensor"),
    ("float16", "bfloat16", "tensor"),  # -> float32
    ("bfloat16", "float64", "tensor"),
    ("bool", "float32", "tensor"),
    ("int8", "int64", "0d"),  # -> int8
    ("int32", "float64", "0d"),
    ("float32", "int64", "0d"),
    ("bool", "int32", "0d"),
    ("float32", "float64", "0d"),  # -> float32
    ("bool", "int64", "scalar"),
    ("int8", "int64", "scalar"),
    ("bfloat16", "float32", "scalar"),
    ("int64", "bool", "scalar"),
])
def test_mixed_dtype_values(rng, a_dt, b_dt, b_kind):
    a = rand((3, 4), a_dt, rng, -5, 5)
    ea, ta = both(a)
    if b_kind == "scalar":
        eb = tb = {"float32": -1.5, "int64": 3, "bool": True}[b_dt]
    else:
        b = rand((3, 4) if b_kind == "tensor" else (), b_dt, rng, 1, 5)
        eb, tb = both(b)
    cases = [
        ("add", ea + eb, ta + tb),
        ("mul", ea * eb, ta * tb),
        ("div", ea / eb, ta / tb),
        ("radd", eb + ea, tb + ta),
        ("eq", ea == eb, ta == tb),
        ("lt", ea < eb, ta < tb),
        ("where", ember.where(ea > 0, ea, eb), torch.where(ta > 0, ta, tb)),
    ]
    if "bool" not in (a_dt, b_dt):
        cases += [("sub", ea - eb, ta - tb), ("rsub", eb - ea, tb - ta)]
    if b_kind != "scalar":
        cases += [("maximum", ember.maximum(ea, eb), torch.maximum(ta, tb)),
                  ("minimum", ember.minimum(eb, ea), torch.minimum(tb, ta))]
    check(cases, scale=2)


@pytest.mark.parametrize("dt", DTYPES)
def test_python_scalar_promotion_values(rng, dt):
    a = rand((2, 3), dt, rng, -4, 4)
    ea, ta = both(a)
    cases = [
        ("+int", ea + 2, ta + 2), ("+float", ea + 2.5, ta + 2.5), ("+bool", ea + True, ta + True),
        ("*float", ea * -1.5, ta * -1.5), ("/int", ea / 2, ta / 2),
        ("int*", 3 * ea, 3 * ta), ("float+", 0.25 + ea, 0.25 + ta),
        ("==int", ea == 1, ta == 1), ("<float", ea < 0.5, ta < 0.5),
    ]
    if dt != "bool":
        cases += [("-int", ea - 2, ta - 2), ("float-", 1.5 - ea, 1.5 - ta)]
    check(cases)


# --------------------------------------------------------------------------
# Binary arithmetic: tensor-tensor (broadcast), tensor-scalar, scalar-tensor
# --------------------------------------------------------------------------

BINARY = {
    "add": (ember.add, torch.add),
    "sub": (ember.sub, torch.sub),
    "mul": (ember.mul, torch.mul),
    "div": (ember.div, torch.div),
    "div_trunc": (lambda a, b: ember.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc")),
    "floor_divide": (ember.floor_divide, torch.floor_divide),
    "remainder": (ember.remainder, torch.remainder),
    "fmod": (ember.fmod, torch.fmod),
    "pow": (ember.pow, torch.pow),
    "maximum": (ember.maximum, torch.maximum),
    "minimum": (ember.minimum, torch.minimum),
}
OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
             "div": operator.truediv, "floor_divide": operator.floordiv,
             "remainder": operator.mod, "pow": operator.pow}
METHODS = {"add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "maximum",
           "minimum"}
DIVISION = {"div", "div_trunc", "floor_divide", "remainder", "fmod"}


def _binary_inputs(op, dt, rng):
    """``(x, y, right_scalars, left_scalars)`` in the op's domain for dtype ``dt``."""
    if op == "pow":
        if dt in INTS:
            return (rand((3, 1, 5), dt, rng, -3, 3), rand((4, 5), dt, rng, 0, 3),
                    [2, 3, 0.5], [2, 3, 1.5])
        return (rand((3, 1, 5), dt, rng, 0.25, 3), rand((4, 5), dt, rng, -2, 2),
                [2, 3, 0.5, -1.5], [2, 0.5, 1.5])
    x = rand((3, 1, 5), dt, rng, -7, 7)
    if op in DIVISION:
        return x, rand((4, 5), dt, rng, -7, 7, nonzero=True), [3, -2, 2.5, -1.5], [7, -7, 2.5]
    right = [3, -2, 2.5] + ([True] if op in ("add", "mul") else [])  # torch: no bool in sub
    return x, rand((4, 5), dt, rng, -7, 7), right, [3, -2.5]


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "bfloat16", "int8", "int32",
                                "int64"])
@pytest.mark.parametrize("op", list(BINARY))
def test_binary(rng, op, dt):
    fe, ft = BINARY[op]
    x, y, right, left = _binary_inputs(op, dt, rng)
    ex, tx = both(x)
    ey, ty = both(y)
    cases = [("tensor-tensor", fe(ex, ey), ft(tx, ty))]
    if op in METHODS:
        cases.append(("tensor-tensor (method)", getattr(ex, op)(ey), getattr(tx, op)(ty)))
    if op in OPERATORS:  # scalars through the operators (they call the same functions)
        f = OPERATORS[op]
        cases.append(("operator", f(ex, ey), f(tx, ty)))
        for s in right:
            cases.append((f"operator tensor-scalar {s!r}", f(ex, s), f(tx, s)))
        for s in left:
            cases.append((f"reflected scalar-tensor {s!r}", f(s, ey), f(s, ty)))
    elif op not in ("maximum", "minimum"):  # torch.maximum takes no scalars
        for s in right:
            cases.append((f"tensor-scalar {s!r}", fe(ex, s), ft(tx, s)))
    if op == "floor_divide":
        cases.append(("div rounding_mode=floor", ember.div(ex, ey, rounding_mode="floor"),
                      torch.div(tx, ty, rounding_mode="floor")))
        cases.append(("div rounding_mode=floor scalar", ember.div(ex, -2.5, rounding_mode="floor"),
                      torch.div(tx, -2.5, rounding_mode="floor")))
    # Rounding differences between an op's formulas stay within a few ulps of the
    # operands' magnitude (7); integer results are exact.
    check(cases, scale=4)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "remainder", "pow", "maximum"])
@pytest.mark.parametrize("sa, sb", [
    ((), (3, 4)), ((3, 1), (1, 4)), ((2, 0, 3), (1, 3)), ((0,), (1,)), ((), ()),
    ((1,), ()), ((5, 1, 1), (2, 1)), ((2, 3), (0, 1, 3)),
], ids=str)
def test_binary_broadcast_shapes(rng, op, sa, sb):
    fe, ft = BINARY[op]
    lo = 0.5 if op == "pow" else -3
    x = rand(sa, "float32", rng, lo, 3)
    y = rand(sb, "float32", rng, -3, 3, nonzero=True)
    ex, tx = both(x)
    ey, ty = both(y)
    check([("a,b", fe(ex, ey), ft(tx, ty)), ("b,a", fe(ey.abs(), ex), ft(ty.abs(), tx))],
          scale=2)


def test_add_sub_alpha_kinds(rng):
    x, y = rand((3, 4), "float32", rng), rand((3, 4), "float32", rng)
    i, j = rand((3, 4), "int32", rng, -9, 9), rand((3, 4), "int32", rng, -9, 9)
    h, r = rand((3, 1), "float16", rng), rand((4,), "bfloat16", rng)
    (ex, tx), (ey, ty), (ei, ti), (ej, tj) = both(x), both(y), both(i), both(j)
    (eh, th), (er, tr) = both(h), both(r)
    check([
        ("f16 broadcast alpha", ember.add(eh, ex, alpha=3), torch.add(th, tx, alpha=3)),
        ("bf16 sub alpha", ember.sub(er, eh, alpha=0.5), torch.sub(tr, th, alpha=0.5)),
        ("int8 method alpha", ei.to(ember.int8).add(2, alpha=3), ti.to(torch.int8).add(2, alpha=3)),
        ("add alpha=0.5", ember.add(ex, ey, alpha=0.5), torch.add(tx, ty, alpha=0.5)),
        ("sub alpha=-2", ember.sub(ex, ey, alpha=-2), torch.sub(tx, ty, alpha=-2)),
        ("add scalar alpha", ember.add(ex, 3, alpha=2), torch.add(tx, 3, alpha=2)),
        ("int add alpha", ember.add(ei, ej, alpha=4), torch.add(ti, tj, alpha=4)),
        ("int sub alpha", ei.sub(ej, alpha=-3), ti.sub(tj, alpha=-3)),
        ("int + float alpha", ember.add(ei, ex, alpha=0.5), torch.add(ti, tx, alpha=0.5)),
    ], scale=2)


def test_float_alpha_with_integer_result_raises():
    """torch: "For integral input tensors, argument alpha must not be a floating point
    number" (the result would silently become float)."""
    a = np.array([1, 2, 3], np.int64)
    with pytest.raises(RuntimeError):
        torch.add(torch.from_numpy(a), torch.from_numpy(a), alpha=0.5)
    with pytest.raises((TypeError, ValueError, ember.EmberError)):
        ember.add(ember.tensor(a), ember.tensor(a), alpha=0.5)
    with pytest.raises((TypeError, ValueError, ember.EmberError)):
        ember.sub(ember.tensor(a), 1, alpha=1.5)


@pytest.mark.parametrize("dt", ["int8", "int32", "int64"])
def test_integer_division_signs(dt):
    """Every sign combination, exact and inexact: trunc rounds toward zero, floor
    toward -inf; remainder takes the divisor's sign, fmod the dividend's."""
    a = np.array([7, -7, 7, -7, 6, -6, 6, -6, 0, 1, -1, 5], NP_DT[dt])
    b = np.array([2, 2, -2, -2, 3, 3, -3, -3, 5, -5, 5, 1], NP_DT[dt])
    (ea, ta), (eb, tb) = both(a), both(b)
    check([
        ("trunc", ember.div(ea, eb, rounding_mode="trunc"),
         torch.div(ta, tb, rounding_mode="trunc")),
        ("floor", ember.div(ea, eb, rounding_mode="floor"),
         torch.div(ta, tb, rounding_mode="floor")),
        ("//", ea // eb, ta // tb),
        ("%", ea % eb, ta % tb),
        ("fmod", ember.fmod(ea, eb), torch.fmod(ta, tb)),
        ("/", ea / eb, ta / tb),
        ("// scalar", ea // -4, ta // -4),
        ("% scalar", ea % -4, ta % -4),
        ("fmod scalar", ea.fmod(-4), ta.fmod(-4)),
    ])


def test_float_division_special_values():
    a = np.array([1.0, -1.0, 0.0, np.inf, -np.inf, np.nan, 5.5, -5.5, 1e-30, 3.0],
                 np.float32)
    b = np.array([0.0, 0.0, 0.0, 2.0, np.inf, 1.0, np.inf, 2.0, 1e30, -np.inf], np.float32)
    (ea, ta), (eb, tb) = both(a), both(b)
    check([
        ("/", ea / eb, ta / tb),
        ("//", ea // eb, ta // tb),
        ("trunc", ember.div(ea, eb, rounding_mode="trunc"),
         torch.div(ta, tb, rounding_mode="trunc")),
        ("%", ea % eb, ta % tb),
        ("fmod", ember.fmod(ea, eb), torch.fmod(ta, tb)),
    ])


def test_bool_arithmetic(rng):
    a, b = rand((3, 4), "bool", rng), rand((3, 4), "bool", rng)
    (ea, ta), (eb, tb) = both(a), both(b)
    check([
        ("add", ea + eb, ta + tb), ("mul", ea * eb, ta * tb), ("div", ea / eb, ta / tb),
        ("sign", ember.sign(ea), torch.sign(ta)),
        ("+int", ea + 3, ta + 3), ("*float", ea * 1.5, ta * 1.5),
    ])


def test_bool_maximum_minimum(rng):
    a, b = rand((3, 4), "bool", rng), rand((3, 4), "bool", rng)
    (ea, ta), (eb, tb) = both(a), both(b)
    check([("maximum", ember.maximum(ea, eb), torch.maximum(ta, tb)),
           ("minimum", ember.minimum(ea, eb), torch.minimum(ta, tb))])


@pytest.mark.parametrize("make", [
    lambda b, i: b - b, lambda b, i: b - i, lambda b, i: 2 - b, lambda b, i: -b,
], ids=["bool-bool", "bool-int tensor", "int scalar-bool", "neg"])
def test_bool_subtraction_and_negation_raise(make):
    """PyTorch rejects ``-`` with any bool tensor operand, and unary minus on bool."""
    b = np.array([True, False])
    i = np.array([1, 2], np.int64)
    with pytest.raises(RuntimeError):
        make(torch.from_numpy(b), torch.from_numpy(i))
    with pytest.raises((TypeError, ember.EmberError)):
        make(ember.tensor(b), ember.tensor(i))


# --------------------------------------------------------------------------
# Unary arithmetic and clamp
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "bfloat16", "int8", "int32",
                                "int64"])
def test_unary_arithmetic_and_clamp(rng, dt):
    x = rand((4, 5), dt, rng, -6, 6, nonzero=True)
    lo = rand((1, 5), dt, rng, -3, 0)
    hi = rand((4, 1), dt, rng, 0, 3)
    (ex, tx), (elo, tlo), (ehi, thi) = both(x), both(lo), both(hi)
    cases = [
        ("neg", ember.neg(ex), torch.neg(tx)), ("-x", -ex, -tx), ("abs", ember.abs(ex), tx.abs()),
        ("abs()", abs(ex), abs(tx)), ("reciprocal", ember.reciprocal(ex), torch.reciprocal(tx)),
        ("square", ember.square(ex), torch.square(tx)), ("x.square", ex.square(), tx.square()),
        ("clamp min", ember.clamp(ex, min=-2), torch.clamp(tx, min=-2)),
        ("clamp max", ember.clamp(ex, max=2), torch.clamp(tx, max=2)),
        ("clamp both", ember.clamp(ex, -2, 3), torch.clamp(tx, -2, 3)),
        ("clip", ember.clip(ex, min=-1, max=1), torch.clip(tx, min=-1, max=1)),
        ("x.clamp float", ex.clamp(min=-1.5, max=2.5), tx.clamp(min=-1.5, max=2.5)),
        ("clamp tensors", ember.clamp(ex, elo, ehi), torch.clamp(tx, tlo, thi)),
        ("clamp tensor min", ex.clamp(min=elo), tx.clamp(min=tlo)),
        ("clamp tensor max", ex.clip(max=ehi), tx.clip(max=thi)),
    ]
    check(cases)


def test_clamp_and_min_max_nan():
    """NaN propagates through maximum, minimum, clamp, amax and amin (as in torch)."""
    a = np.array([np.nan, 1.0, -np.inf, np.inf, -0.0, 2.0], np.float32)
    b = np.array([1.0, np.nan, 0.0, 5.0, 0.0, np.nan], np.float32)
    (ea, ta), (eb, tb) = both(a), both(b)
    check([
        ("maximum", ember.maximum(ea, eb), torch.maximum(ta, tb)),
        ("minimum", ember.minimum(ea, eb), torch.minimum(ta, tb)),
        ("clamp", ember.clamp(ea, -1, 1), torch.clamp(ta, -1, 1)),
        ("amax", ea.amax(), ta.amax()), ("amin", eb.amin(), tb.amin()),
        ("max dim", ea.reshape(2, 3).max(1).values, ta.reshape(2, 3).max(1).values),
        ("relu", ember.relu(ea), torch.relu(ta)),
        ("max(x, y)", ember.max(ea, eb), torch.max(ta, tb)),
        ("argmax", ea.argmax(), ta.argmax()), ("argmin", eb.argmin(), tb.argmin()),
        ("max dim indices", eb.reshape(2, 3).max(1).indices, tb.reshape(2, 3).max(1).indices),
        ("logical_and", ember.logical_and(ea, eb), torch.logical_and(ta, tb)),
        ("logical_not", ember.logical_not(ea), torch.logical_not(ta)),
    ])


# --------------------------------------------------------------------------
# Unary math
# --------------------------------------------------------------------------

UNARY_ANY = ["exp", "tanh", "sigmoid", "erf", "sin", "cos", "floor", "ceil", "trunc", "exp2",
             "sign", "isnan", "isinf", "isfinite"]
UNARY_POS = ["log", "log1p", "sqrt", "rsqrt", "log2", "log10"]


API_NAMES = """add sub mul div true_divide floor_divide remainder fmod pow maximum minimum neg abs
    sign exp log log1p sqrt rsqrt tanh sigmoid erf sin cos floor ceil trunc exp2 log2 log10
    reciprocal square relu clamp clip eq ne lt le gt ge logical_and logical_or logical_not
    logical_xor isnan isinf isfinite masked_fill sum mean prod amax amin argmax argmin max min
    all any var std logsumexp softmax log_softmax matmul mm bmm dot""".split()


def test_api_names_as_in_torch():
    """Each op tested here is a function of the module and a method, as in torch (the
    unary tests below fall back to the method where the function is missing)."""
    assert all(hasattr(torch, n) and hasattr(torch.Tensor, n) for n in API_NAMES)
    x = ember.ones(2)
    missing = [f"ember.{n}" for n in API_NAMES + ["where"] if not hasattr(ember, n)]
    missing += [f"Tensor.{n}" for n in API_NAMES if not hasattr(x, n)]
    assert not missing, missing


def _unary_cases(ex, tx, ep, tp, skip=()):
    cases = [(op, getattr(ember, op)(ex) if hasattr(ember, op) else getattr(ex, op)(),
              getattr(torch, op)(tx)) for op in UNARY_ANY if op not in skip]
    cases += [(op, getattr(ember, op)(ep) if hasattr(ember, op) else getattr(ep, op)(),
               getattr(torch, op)(tp)) for op in UNARY_POS]
    cases += [(f"method {op}", getattr(ex, op)(), getattr(tx, op)()) for op in
              ["exp", "sigmoid", "floor", "sign", "isnan"] if op not in skip]
    return cases


@pytest.mark.parametrize("dt", FLOATS)
def test_unary_math_float(rng, dt):
    x = rand((3, 1, 40), dt, rng, -4, 4)
    p = rand((3, 1, 40), dt, rng, 0.05, 6)
    (ex, tx), (ep, tp) = both(x), both(p)
    scale = {"float32": 2, "float64": 10}.get(dt, 1)
    check(_unary_cases(ex, tx, ep, tp), scale=scale)


@pytest.mark.parametrize("dt", ["int8", "int32", "int64", "bool"])
def test_unary_math_integer_inputs(rng, dt):
    """Integer and bool inputs: transcendental ops compute in float32, rounding ops and
    sign keep the dtype, the is* predicates give bool, like torch."""
    x = rand((3, 8), dt, rng, -5, 5)
    p = rand((3, 8), dt, rng, 1, 9) if dt != "bool" else rand((3, 8), dt, rng)
    (ex, tx), (ep, tp) = both(x), both(p)
    # torch has no bool floor / ceil / trunc kernels
    skip = ("floor", "ceil", "trunc") if dt == "bool" else ()
    cases = _unary_cases(ex, tx, ep, tp, skip)
    if dt != "bool":
        cases += [("reciprocal", ember.reciprocal(ep), torch.reciprocal(tp)),
                  ("relu", ember.relu(ex), torch.relu(tx))]
    check(cases, scale=2)


@pytest.mark.parametrize("dt", ["float32", "float16", "bfloat16"])
def test_unary_math_special_values(dt):
    with np.errstate(over="ignore"):  # 3e38 is inf in float16
        v = np.array([0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.0, -2.0, 1e-30, -1e-30, 20.0, -20.0,
                      88.0, -88.0, 100.0, -100.0, 3e38, -3e38, np.inf, -np.inf, np.nan],
                     np.float32).astype(NP_DT[dt])
    ex, tx = both(v)
    ops = ["exp", "log", "log1p", "sqrt", "rsqrt", "tanh", "sigmoid", "erf", "floor", "ceil",
           "trunc", "exp2", "log2", "log10", "sign", "abs", "neg", "isnan", "isinf",
           "isfinite", "reciprocal", "square"]
    cases = [(op, getattr(ember, op)(ex) if hasattr(ember, op) else getattr(ex, op)(),
              getattr(torch, op)(tx)) for op in ops]
    check(cases, **({"rtol": 1e-5, "atol": 1e-6} if dt == "float32" else {}))


def test_sin_cos_large_arguments():
    """Range reduction keeps sin / cos accurate for arguments up to thousands of radians
    (positional encodings reach them)."""
    v = np.array([-3.0, -0.5, 0.0, 3.0, 10.0, 100.0, 1000.0, -1000.0, 4096.0], np.float32)
    ev, tv = both(v)
    check([("sin", ember.sin(ev), torch.sin(tv)), ("cos", ember.cos(ev), torch.cos(tv))],
          rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# Comparisons, logical ops, where, masked_fill
# --------------------------------------------------------------------------

COMPARE = [("==", operator.eq, "eq"), ("!=", operator.ne, "ne"), ("<", operator.lt, "lt"),
           ("<=", operator.le, "le"), (">", operator.gt, "gt"), (">=", operator.ge, "ge")]


@pytest.mark.parametrize("dt", ["float32", "float16", "bfloat16", "int8", "int32", "int64",
                                "bool"])
def test_comparisons(rng, dt):
    x, y = rand((3, 1, 5), dt, rng, -2, 2), rand((4, 5), dt, rng, -2, 2)
    (ex, tx), (ey, ty) = both(x), both(y)
    cases = []
    for sym, f, _ in COMPARE:
        cases += [(sym, f(ex, ey), f(tx, ty)),
                  (f"{sym} float", f(ex, 0.5), f(tx, 0.5)),
                  (f"int {sym}", f(1, ey), f(1, ty))]
    cases += [("eq", ember.eq(ex, ey), torch.eq(tx, ty)),
              ("ge", ember.ge(ey, ex), torch.ge(ty, tx)), ("x.lt int", ex.lt(1), tx.lt(1))]
    check(cases)


def test_comparisons_mixed_dtypes_and_nan(rng):
    i = rand((6,), "int32", rng, -3, 3)
    f = np.array([np.nan, 1.0, -np.inf, 0.5, 2.0, -3.0], np.float32)
    h = np.array([1.0, np.nan, 0.0, 0.5, 2.0, -3.0], np.float16)
    (ei, ti), (ef, tf), (eh, th) = both(i), both(f), both(h)
    cases = []
    for sym, op, _ in COMPARE:
        cases += [(f"int {sym} float", op(ei, ef), op(ti, tf)),
                  (f"half {sym} float", op(eh, ef), op(th, tf)),
                  (f"float {sym} float", op(ef, ef), op(tf, tf))]
    check(cases)


@pytest.mark.parametrize("dt", ["bool", "float32", "int32"])
def test_logical_ops(rng, dt):
    a, b = rand((3, 1, 4), dt, rng, -1, 1), rand((2, 4), dt, rng, -1, 1)
    (ea, ta), (eb, tb) = both(a), both(b)
    cases = [(op, getattr(ember, op)(ea, eb), getattr(torch, op)(ta, tb))
             for op in ["logical_and", "logical_or", "logical_xor"]]
    cases += [("logical_not", ember.logical_not(ea), torch.logical_not(ta)),
              ("method", ea.logical_or(eb), ta.logical_or(tb))]
    if dt == "bool":
        cases += [("&", ea & eb, ta & tb), ("|", ea | eb, ta | tb), ("^", ea ^ eb, ta ^ tb),
                  ("~", ~ea, ~ta), ("& True", ea & True, ta & True),
                  ("False |", False | eb, False | tb)]
    check(cases)


def test_where(rng):
    c = rand((3, 1, 4), "bool", rng)
    x = rand((2, 4), "float32", rng)
    y = rand((3, 2, 1), "float32", rng)
    i = rand((2, 4), "int32", rng, -5, 5)
    h = rand((2, 4), "float16", rng)
    (ec, tc), (ex, tx), (ey, ty), (ei, ti), (eh, th) = both(c), both(x), both(y), both(i), \
        both(h)
    check([
        ("tensors", ember.where(ec, ex, ey), torch.where(tc, tx, ty)),
        ("x.where", ex.where(ec, ey), tx.where(tc, ty)),
        ("scalar other", ember.where(ec, ex, 0.0), torch.where(tc, tx, 0.0)),
        ("scalar input", ember.where(ec, -1.5, ey), torch.where(tc, -1.5, ty)),
        ("int scalars", ember.where(ec, 1, 0), torch.where(tc, 1, 0)),
        ("float scalars", ember.where(ec, 1.0, 0.0), torch.where(tc, 1.0, 0.0)),
        ("int, float", ember.where(ec, ei, 0.5), torch.where(tc, ti, 0.5)),
        ("int, f32", ember.where(ec, ei, ex), torch.where(tc, ti, tx)),
        ("f16, scalar", ember.where(ec, eh, 2), torch.where(tc, th, 2)),
        ("f16, f32", ember.where(ec, eh, ex), torch.where(tc, th, tx)),
        ("cond from compare", ember.where(ex > 0, ex, ex * 0.5), torch.where(tx > 0, tx, tx * 0.5)),
    ])


def test_masked_fill(rng):
    x = rand((3, 4), "float32", rng)
    i = rand((3, 4), "int64", rng, -5, 5)
    m = rand((3, 4), "bool", rng)
    mb = rand((1, 4), "bool", rng)
    (ex, tx), (ei, ti), (em, tm), (emb, tmb) = both(x), both(i), both(m), both(mb)
    ev, tv = both(np.array(7.5, np.float64))
    check([
        ("float", ember.masked_fill(ex, em, -1.25), torch.masked_fill(tx, tm, -1.25)),
        ("-inf", ex.masked_fill(em, float("-inf")), tx.masked_fill(tm, float("-inf"))),
        ("broadcast mask", ex.masked_fill(emb, 0), tx.masked_fill(tmb, 0)),
        ("int", ei.masked_fill(em, 9), ti.masked_fill(tm, 9)),
        ("0-d tensor value", ex.masked_fill(em, ev), tx.masked_fill(tm, tv)),
    ])


# --------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------

DIMS = [None, 1, -1, (0, 2), (-1, -3), (0, 1, 2)]


def _reduction_cases(name, fe, ft, ex, tx, dims=DIMS):
    cases = []
    for d in dims:
        for keep in (False, True):
            if d is None and keep:
                continue
            args = () if d is None else (d,)
            kw = {} if d is None else {"keepdim": keep}
            cases.append((f"{name}(dim={d}, keepdim={keep})", fe(ex, *args, **kw),
                          ft(tx, *args, **kw)))
    return cases


@pytest.mark.parametrize("op", ["sum", "mean", "prod", "amax", "amin", "logsumexp"])
def test_float_reductions(rng, op):
    lo, hi = (0.5, 1.5) if op == "prod" else (-3, 3)
    x = rand((3, 4, 5), "float32", rng, lo, hi)
    ex, tx = both(x)
    dims = {"logsumexp": DIMS[1:], "prod": [None, 1, -1]}.get(op, DIMS)  # torch.prod: int dim
    cases = _reduction_cases(op, getattr(ember, op), getattr(torch, op), ex, tx, dims)
    cases.append(("method", getattr(ex, op)(1), getattr(tx, op)(1)))
    check(cases, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", ["argmax", "argmin", "max", "min"])
def test_arg_and_value_index_reductions(rng, op):
    x = rand((3, 4, 5), "float32", rng)
    ex, tx = both(x)
    fe, ft = getattr(ember, op), getattr(torch, op)
    cases = [("no dim", fe(ex), ft(tx))]
    for d in (0, 1, -1):
        for keep in (False, True):
            e, t = fe(ex, d, keepdim=keep), ft(tx, d, keepdim=keep)
            if op in ("max", "min"):
                assert isinstance(e, tuple) and len(e) == 2
                cases += [(f"values({d},{keep})", e.values, t.values),
                          (f"indices({d},{keep})", e.indices, t.indices),
                          (f"[0]({d},{keep})", e[0], t[0])]
            else:
                cases.append((f"dim={d} keepdim={keep}", e, t))
    if op in ("argmax", "argmin"):
        cases.append(("no dim keepdim", fe(ex, keepdim=True), ft(tx, keepdim=True)))
    cases.append(("method", getattr(ex, op)(dim=2)[0] if op in ("max", "min") else
                  getattr(ex, op)(dim=2), getattr(tx, op)(dim=2)[0] if op in ("max", "min")
                  else getattr(tx, op)(dim=2)))
    check(cases)


def test_arg_reductions_ties_and_integers():
    """Ties give the first index (as documented by torch)."""
    a = np.array([[1, 3, 3, 0], [2, 2, 1, 2], [0, 0, 0, 0]], np.int32)
    (ea, ta), (ef, tf) = both(a), both(a.astype(np.float32))
    check([
        ("argmax", ea.argmax(1), ta.argmax(1)), ("argmin", ea.argmin(1), ta.argmin(1)),
        ("argmax dim0", ea.argmax(0), ta.argmax(0)), ("argmin flat", ea.argmin(), ta.argmin()),
        ("argmax flat", ef.argmax(), tf.argmax()),
        ("max int", ea.max(1).indices, ta.max(1).indices),
        ("max int values", ea.max(1).values, ta.max(1).values),
        ("min float", ef.min(0).indices, tf.min(0).indices),
        ("amax int", ea.amax(), ta.amax()), ("amin int", ea.amin(0), ta.amin(0)),
    ])


@pytest.mark.parametrize("dt", ["int8", "int32", "int64", "bool"])
def test_integer_reductions(rng, dt):
    """Integer and bool sum / prod accumulate in int64, like torch."""
    # Sums of int8 values this large overflow int8 (torch accumulates in int64).
    x = rand((3, 4, 5), dt, rng, -3, 3)
    big = rand((3, 4, 5), dt, rng, -120, 120)
    ex, tx = both(x)
    eb, tb = both(big)
    cases = _reduction_cases("sum", ember.sum, torch.sum, eb, tb, [None, 1, (0, 2)])
    cases += [
        ("prod", ember.prod(ex[:, :2]), torch.prod(tx[:, :2])),
        ("prod dim", ex.prod(2), tx.prod(2)),
        ("sum dtype f32", ex.sum(1, dtype=ember.float32), tx.sum(1, dtype=torch.float32)),
        ("mean dtype f32", ex.mean(dtype=ember.float32), tx.mean(dtype=torch.float32)),
        ("amax", ex.amax(1), tx.amax(1)), ("amin", ember.amin(ex, (0, 2)), torch.amin(tx, (0, 2))),
        ("max", ex.max(), tx.max()), ("all", ex.all(1), tx.all(1)), ("any", ex.any(), tx.any()),
    ]
    if dt != "bool":  # torch: argmax does not support bool
        cases += [("argmax", ex.argmax(-1), tx.argmax(-1)), ("max dim", ex.max(0)[1], tx.max(0)[1])]
    check(cases)


def test_low_precision_reductions(rng):
    x = rand((4, 64), "float32", rng)
    h, b = x.astype(np.float16), x.astype(ml_dtypes.bfloat16)
    (eh, th), (eb, tb), (ex, tx) = both(h), both(b), both(x)
    check([
        ("f16 sum", eh.sum(1), th.sum(1)), ("bf16 sum", eb.sum(1), tb.sum(1)),
        ("f16 mean", eh.mean(), th.mean()), ("bf16 amax", eb.amax(0), tb.amax(0)),
        ("f16 softmax", eh.softmax(-1), th.softmax(-1)),
        ("bf16 log_softmax", eb.log_softmax(-1), tb.log_softmax(-1)),
        ("f32 sum dtype f64", ex.sum(1, dtype=ember.float64), tx.sum(1, dtype=torch.float64)),
        ("f64 var", ember.var(ex.double(), 1), torch.var(tx.double(), 1)),
    ], scale=4)


def test_all_any(rng):
    b = rand((3, 4, 5), "bool", rng)
    f = np.where(rand((3, 4, 5), "bool", rng), 0.0, 1.5).astype(np.float32)
    (eb, tb), (ef, tf) = both(b), both(f)
    ones, tones = both(np.ones((2, 3), np.bool_))
    cases = _reduction_cases("all", ember.all, torch.all, eb, tb, [None, 1, -1])
    cases += _reduction_cases("any", ember.any, torch.any, eb, tb, [None, 0, 2])
    cases += [("all float", ef.all(1), tf.all(1)), ("any float", ember.any(ef, 0),
                                                    torch.any(tf, 0)),
              ("all ones", ones.all(), tones.all()), ("any ones dim", ones.any(1), tones.any(1))]
    check(cases)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
def test_var_std(rng):
    x = rand((3, 4, 5), "float32", rng)
    ex, tx = both(x)
    cases = []
    for op in ("var", "std"):
        fe, ft = getattr(ember, op), getattr(torch, op)
        cases += [
            (f"{op}()", fe(ex), ft(tx)),
            (f"{op}(1)", fe(ex, 1), ft(tx, 1)),
            (f"{op}((0,2), keepdim)", fe(ex, (0, 2), keepdim=True), ft(tx, (0, 2), keepdim=True)),
            (f"{op} correction=0", fe(ex, -1, correction=0), ft(tx, -1, correction=0)),
            (f"{op} correction=2", fe(ex, 1, correction=2), ft(tx, 1, correction=2)),
            (f"{op} unbiased=False", fe(ex, 0, unbiased=False), ft(tx, 0, unbiased=False)),
            (f"{op} unbiased=True", fe(ex, unbiased=True), ft(tx, unbiased=True)),
            (f"method {op}", getattr(ex, op)(2), getattr(tx, op)(2)),
        ]
    one, tone = both(rand((4, 1), "float32", rng))
    cases += [("var of one element", one.var(1), tone.var(1)),
              ("std correction=n", one.std(0, correction=4), tone.std(0, correction=4))]
    check(cases, rtol=1e-5, atol=1e-5)


def test_logsumexp_special_and_integer(rng):
    a = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0],
                  [1000.0, 1000.0, -1000.0]], np.float32)
    ea, ta = both(a)
    i = rand((3, 4), "int64", rng, -5, 5)
    ei, ti = both(i)
    check([("special", ember.logsumexp(ea, 1), torch.logsumexp(ta, 1)),
           ("keepdim", ea.logsumexp(1, keepdim=True), ta.logsumexp(1, keepdim=True)),
           ("int", ember.logsumexp(ei, 0), torch.logsumexp(ti, 0))])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax(rng, dim):
    x = rand((3, 4, 5), "float32", rng, -8, 8)
    ex, tx = both(x)
    check([
        ("softmax", ember.softmax(ex, dim), torch.softmax(tx, dim)),
        ("log_softmax", ember.log_softmax(ex, dim), torch.log_softmax(tx, dim)),
        ("F.softmax", F.softmax(ex, dim=dim), TF.softmax(tx, dim=dim)),
        ("F.log_softmax", F.log_softmax(ex, dim=dim), TF.log_softmax(tx, dim=dim)),
        ("method", ex.softmax(dim), tx.softmax(dim)),
        ("dtype=float64", ex.softmax(dim, dtype=ember.float64),
         tx.softmax(dim, dtype=torch.float64)),
        ("log dtype=float64", F.log_softmax(ex, dim, dtype=ember.float64),
         TF.log_softmax(tx, dim, dtype=torch.float64)),
    ], rtol=1e-5, atol=1e-6)


def test_softmax_masked_rows():
    a = np.array([[0.0, -np.inf, 1.0, 2.0], [-np.inf] * 4, [1e4, 1e4, 0.0, -1e4]], np.float32)
    ea, ta = both(a)
    check([("softmax", ea.softmax(-1), ta.softmax(-1)),
           ("log_softmax", ea.log_softmax(-1), ta.log_softmax(-1))])


def test_reductions_empty_and_rank0(rng):
    z = np.zeros((2, 0, 3), np.float32)
    s = np.array(1.5, np.float32)
    ez, tz = both(z)
    es, ts = both(s)
    ei, ti = both(np.zeros((2, 0), np.int32))
    check([
        ("sum empty dim", ez.sum(1), tz.sum(1)), ("sum all", ez.sum(), tz.sum()),
        ("sum keep", ez.sum(0, keepdim=True), tz.sum(0, keepdim=True)),
        ("prod empty", ez.prod(1), tz.prod(1)), ("mean empty", ez.mean(1), tz.mean(1)),
        ("int sum empty", ei.sum(1), ti.sum(1)),
        ("all empty", ez.all(), tz.all()), ("any empty", ez.any(1), tz.any(1)),
        ("rank0 sum", es.sum(), ts.sum()), ("rank0 sum(0)", es.sum(0), ts.sum(0)),
        ("rank0 mean(-1)", es.mean(-1), ts.mean(-1)), ("rank0 amax", es.amax(0), ts.amax(0)),
        ("rank0 argmax", es.argmax(), ts.argmax()), ("rank0 argmax(0)", es.argmax(0),
                                                     ts.argmax(0)),
        ("rank0 max(0)", es.max(0).values, ts.max(0).values),
        ("rank0 softmax", es.softmax(0), ts.softmax(0)),
    ])


def test_extremes_of_empty_tensor_over_nonempty_dim():
    """An empty tensor reduced over a dimension of non-zero size has an empty result
    (torch); only reducing over a size-0 dimension has no identity."""
    e, t = both(np.ones((0, 3), np.float32))
    check([("amax", e.amax(1), t.amax(1)), ("amin", e.amin(-1), t.amin(-1)),
           ("max values", e.max(1).values, t.max(1).values),
           ("argmax", e.argmax(1), t.argmax(1))])
    with pytest.raises(IndexError):
        t.amax(0)
    with pytest.raises(IndexError):
        e.amax(0)


def test_mean_of_integer_raises():
    x = ember.tensor(np.arange(6, dtype=np.int32))
    with pytest.raises(RuntimeError):
        torch.arange(6, dtype=torch.int32).mean()
    with pytest.raises(TypeError):
        ember.mean(x)
    with pytest.raises(TypeError):
        x.mean(0)
    with pytest.raises(TypeError):
        ember.tensor(np.array([True])).mean()


# --------------------------------------------------------------------------
# Matmul
# --------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
    ((2, 3, 4), (2, 4, 5)), ((3, 0), (0, 5)), ((0, 4), (4, 5)), ((1, 4), (4, 1)),
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(rng, sa, sb):
    a, b = rand(sa, "float32", rng), rand(sb, "float32", rng)
    (ea, ta), (eb, tb) = both(a), both(b)
    check([("matmul", ember.matmul(ea, eb), torch.matmul(ta, tb)),
           ("@", ea @ eb, ta @ tb), ("method", ea.matmul(eb), ta.matmul(tb))],
          rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dt", ["float64", "float16", "bfloat16", "int32", "int64"])
def test_matmul_dtypes(rng, dt):
    a, b = rand((3, 16), dt, rng, -3, 3), rand((16, 5), dt, rng, -3, 3)
    (ea, ta), (eb, tb) = both(a), both(b)
    rtol, atol = {"float16": (5e-3, 5e-2), "bfloat16": (2e-2, 0.3)}.get(dt, (1e-12, 1e-12))
    check([("@", ea @ eb, ta @ tb), ("mm", ember.mm(ea, eb), torch.mm(ta, tb))],
          rtol=rtol, atol=atol)


def test_mm_bmm_dot_and_noncontiguous(rng):
    a, b = rand((5, 3), "float32", rng), rand((4, 5), "float32", rng)
    p, q = rand((2, 4, 3), "float32", rng), rand((2, 5, 4), "float32", rng)
    u, v = rand((7,), "float32", rng), rand((7,), "float32", rng)
    (ea, ta), (eb, tb), (ep, tp), (eq, tq), (eu, tu), (ev, tv) = map(both, (a, b, p, q, u, v))
    check([
        ("mm transposed", ember.mm(ea.T, eb.T), torch.mm(ta.T, tb.T)),
        ("mm method", eb.mm(ea), tb.mm(ta)),
        ("bmm transposed", ember.bmm(ep.transpose(1, 2), eq.transpose(1, 2)),
         torch.bmm(tp.transpose(1, 2), tq.transpose(1, 2))),
        ("bmm", eq.bmm(ep), tq.bmm(tp)),
        ("dot", ember.dot(eu, ev), torch.dot(tu, tv)), ("dot method", eu.dot(ev), tu.dot(tv)),
        ("sliced @", eb[:, ::2] @ ea[1:4], tb[:, ::2] @ ta[1:4]),
        ("mT @", ep.mT @ eq.mT, tp.mT @ tq.mT),
        ("vector from slice", ea[:, 0] @ eb.T, ta[:, 0] @ tb.T),
    ], rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------
# nn.functional activations
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dt", FLOATS)
def test_activations(rng, dt):
    x = rand((3, 1, 40), dt, rng, -6, 6)
    x.reshape(-1)[:8] = np.array([0, -0.0, 30, -30, 15, 11, -11, 3], np.float32).astype(NP_DT[dt])
    ex, tx = both(x)
    cases = [
        ("relu", F.relu(ex), TF.relu(tx)), ("ember.relu", ember.relu(ex), torch.relu(tx)),
        ("x.relu", ex.relu(), tx.relu()),
        ("gelu", F.gelu(ex), TF.gelu(tx)),
        ("gelu none", F.gelu(ex, approximate="none"), TF.gelu(tx, approximate="none")),
        ("gelu tanh", F.gelu(ex, approximate="tanh"), TF.gelu(tx, approximate="tanh")),
        ("silu", F.silu(ex), TF.silu(tx)),
        ("leaky_relu", F.leaky_relu(ex), TF.leaky_relu(tx)),
        ("leaky_relu 0.2", F.leaky_relu(ex, 0.2), TF.leaky_relu(tx, 0.2)),
        ("elu", F.elu(ex), TF.elu(tx)), ("elu 0.5", F.elu(ex, alpha=0.5), TF.elu(tx, alpha=0.5)),
        ("softplus", F.softplus(ex), TF.softplus(tx)),
        ("softplus beta 2", F.softplus(ex, beta=2.0), TF.softplus(tx, beta=2.0)),
        ("softplus threshold 5", F.softplus(ex, beta=0.5, threshold=5.0),
         TF.softplus(tx, beta=0.5, threshold=5.0)),
        ("sigmoid", F.sigmoid(ex), TF.sigmoid(tx)), ("tanh", F.tanh(ex), TF.tanh(tx)),
    ]
    check(cases, scale={"float32": 3, "float64": 100}.get(dt, 2))


# --------------------------------------------------------------------------
# Non-contiguous operands and chains realized once
# --------------------------------------------------------------------------


def test_noncontiguous_operands(rng):
    x = rand((4, 6), "float32", rng)
    y = rand((6, 4), "float32", rng)
    z = rand((2, 3, 4), "float32", rng)
    (ex, tx), (ey, ty), (ez, tz) = both(x), both(y), both(z)
    ent = ember.from_numpy(y.T)  # a strided NumPy array, zero-copy
    tnt = torch.from_numpy(y.T)
    check([
        ("T + y", ex.T + ey, tx.T + ty),
        ("sliced * 2", ex[:, ::2] * 2, tx[:, ::2] * 2),
        ("slice - slice", ex[1:3] - ey.T[::2], tx[1:3] - ty.T[::2]),
        ("transpose exp", ember.exp(ex.transpose(0, 1)), torch.exp(tx.transpose(0, 1))),
        ("permute sum", ez.permute(2, 0, 1).sum(1), tz.permute(2, 0, 1).sum(1)),
        ("permute amax keepdim", ez.permute(1, 2, 0).amax(-1, keepdim=True),
         tz.permute(1, 2, 0).amax(-1, keepdim=True)),
        ("expanded view", ex[:, None].expand(4, 3, 6) * ez.reshape(4, 3, 2)[..., :1],
         tx[:, None].expand(4, 3, 6) * tz.reshape(4, 3, 2)[..., :1]),
        ("from_numpy strided", ent + 1, tnt + 1),
        ("from_numpy strided matmul", ent @ ey, tnt @ ty),
        ("T.T slice softmax", ex.T.T[:, 1:].softmax(-1), tx.T.T[:, 1:].softmax(-1)),
        ("view of transposed", ex.T.reshape(3, 8).argmax(1), tx.T.reshape(3, 8).argmax(1)),
        ("where on views", ember.where(ex.T > 0, ey, ex.T), torch.where(tx.T > 0, ty, tx.T)),
        ("var of transpose", ez.transpose(0, 2).var(1), tz.transpose(0, 2).var(1)),
    ], rtol=1e-5, atol=1e-5)


def test_chain_realized_once(rng):
    x = rand((4, 6), "float32", rng)
    w = rand((6, 3), "float32", rng)
    (ex, tx), (ew, tw) = both(x), both(w)

    def chain(lib, fx, fw):
        h = (fx * 2 + 1).tanh() @ fw
        a = h.softmax(-1)
        loss = (a * h).sum(1).mean()
        m, idx = h.max(1)
        return [h, a, loss, m, idx, (fx.T[::2] - fx.mean(0)[::2, None]).abs().sqrt()]

    es, ts = chain(ember, ex, ew), chain(torch, tx, tw)
    ember.realize(*es)  # one region for all of them
    assert all(e.numpy() is not None for e in es)
    check([(f"out{i}", e, t) for i, (e, t) in enumerate(zip(es, ts, strict=True))],
          rtol=1e-5, atol=1e-5)
    # Ops on realized results start new graphs from their buffers.
    check([("after", (es[0] + es[3][:, None]).exp().sum(), (ts[0] + ts[3][:, None]).exp().sum()),
           ("reuse", es[1] @ ew.T, ts[1] @ tw.T)], rtol=1e-5, atol=1e-5)


def test_shared_inputs_read_through_operations(rng):
    """A tensor used many times in one region and a tensor read before and after
    further ops keep their values."""
    x = rand((3, 5), "float32", rng)
    ex, tx = both(x)
    e1, t1 = ex * ex + ex, tx * tx + tx
    check_one(e1, t1)
    e2, t2 = e1 - ex * ex, t1 - tx * tx
    check([("again", e1, t1), ("e2", e2, t2), ("sum", e2.sum() + e1.amax(), t2.sum() + t1.amax())],
          rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------
# Errors: op name, both shapes and the caller's file:line
# --------------------------------------------------------------------------

_A = ember.ones(2, 3)
_B = ember.ones(4)
_M, _N = ember.ones(2, 3), ember.ones(4, 5)
_P, _Q = ember.ones(2, 3, 4), ember.ones(2, 5, 6)
_U, _V = ember.ones(3), ember.ones(4)
_BA, _BB = ember.zeros(2, 3, dtype=ember.bool), ember.zeros(4, dtype=ember.bool)
_IA, _IB = ember.ones(2, 3, dtype=ember.int32), ember.ones(4, dtype=ember.int32)

# name in the message, the two shapes, the call (each on its own line).
ERROR_CASES = [
    ("add", (2, 3), (4,), lambda: ember.add(_A, _B)),
    ("add", (2, 3), (4,), lambda: _A + _B),
    ("add", (4,), (2, 3), lambda: _B.add(_A)),
    ("sub", (2, 3), (4,), lambda: _A - _B),
    ("mul", (2, 3), (4,), lambda: _A * _B),
    ("div", (2, 3), (4,), lambda: _A / _B),
    ("floor_divide", (2, 3), (4,), lambda: _A // _B),
    ("floor_divide", (2, 3), (4,), lambda: ember.floor_divide(_IA, _IB)),
    ("remainder", (2, 3), (4,), lambda: _A % _B),
    ("fmod", (2, 3), (4,), lambda: ember.fmod(_A, _B)),
    ("pow", (2, 3), (4,), lambda: _A ** _B),
    ("maximum", (2, 3), (4,), lambda: ember.maximum(_A, _B)),
    ("eq", (2, 3), (4,), lambda: _A == _B),
    ("lt", (2, 3), (4,), lambda: _A < _B),
    ("logical_and", (2, 3), (4,), lambda: _BA & _BB),
    ("logical_xor", (2, 3), (4,), lambda: ember.logical_xor(_BA, _BB)),
    ("where", (2, 3), (4,), lambda: ember.where(_BA, _A, _B)),
    ("matmul", (2, 3), (4, 5), lambda: ember.matmul(_M, _N)),
    ("matmul", (2, 3), (4, 5), lambda: _M @ _N),
    ("mm", (2, 3), (4, 5), lambda: ember.mm(_M, _N)),
    ("bmm", (2, 3, 4), (2, 5, 6), lambda: ember.bmm(_P, _Q)),
    ("dot", (3,), (4,), lambda: ember.dot(_U, _V)),
]


@pytest.mark.parametrize("name, sa, sb, call", ERROR_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ERROR_CASES)])
def test_shape_mismatch_error_message(name, sa, sb, call):
    line = call.__code__.co_firstlineno
    with pytest.raises(ember.EmberError) as info:
        call()
    msg = str(info.value)
    assert f"ember.{name}" in msg, msg
    assert str(sa) in msg and str(sb) in msg, msg
    assert f"{FILE}:{line}" in msg, msg


def test_error_location_is_the_calling_line():
    a, b = ember.ones(3, 1, 2), ember.ones(5, 3)
    line = sys._getframe().f_lineno + 2
    with pytest.raises(ember.EmberError) as info:
        (a * 2).exp() + b
    assert f"{FILE}:{line}" in str(info.value)
    assert "(3, 1, 2)" in str(info.value) and "(5, 3)" in str(info.value)
