"""Ember: a PyTorch-style deep-learning framework whose engine is an MLIR compiler.

Ops on tensors are recorded lazily; reading a value (``.numpy()``, ``.item()``,
``print``, ``bool()``) or ``ember.realize(*tensors)`` compiles everything
pending behind it as one region through the ``ember`` MLIR dialect and runs it.

>>> import ember
>>> x = ember.arange(6, dtype=ember.float32).reshape(2, 3)
>>> (x * 2 + 1).sum(dim=1).tolist()
[9.0, 27.0]
"""

from ember._mlir import context, register_dialect, register_passes

__version__ = "0.1.0"

# The frontend (import order matters: methods are bound onto Tensor).
from ember import autograd, func, linalg, nn, optim, utils  # noqa: E402
from ember._src import methods as _methods  # noqa: E402,F401
from ember._src.autograd import (  # noqa: E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from ember._src.creation import (  # noqa: E402
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ember._src.dtypes import (  # noqa: E402
    bfloat16,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int32,
    int64,
    promote_types,
    set_default_dtype,
)
from ember._src.dtypes import bool_ as bool  # noqa: E402,A001
from ember._src.dtypes import result_type as _result_type  # noqa: E402
from ember._src.errors import EmberError  # noqa: E402
from ember._src.ops import (  # noqa: E402
    abs,
    add,
    addcdiv,
    addcmul,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    bmm,
    broadcast_shapes,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    concat,
    cos,
    cumsum,
    div,
    dot,
    eq,
    erf,
    exp,
    exp2,
    flatten,
    floor,
    floor_divide,
    fmod,
    gather,
    ge,
    gt,
    index_select,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    lt,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    narrow,
    ne,
    neg,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    remainder,
    repeat,
    reshape,
    rsqrt,
    scatter,
    select,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    take_along_dim,
    tanh,
    topk,
    transpose,
    true_divide,
    trunc,
    unbind,
    unsqueeze,
    var,
    where,
)
from ember._src.random import Generator, initial_seed, manual_seed  # noqa: E402
from ember._src.tensor import Size, Tensor, device  # noqa: E402
from ember.runtime.native import get_num_threads, set_num_threads  # noqa: E402
from ember.serialization import load, save  # noqa: E402


def realize(*tensors: Tensor) -> None:
    """Computes every pending value behind ``tensors`` now, as one compiled region."""
    from ember.runtime import realize as _realize

    _realize([t._node for t in tensors])


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type`` for tensors and Python numbers."""
    return _result_type(*operands)


def is_tensor(obj) -> object:
    """True for ember tensors."""
    return isinstance(obj, Tensor)




def norm(input, p="fro", dim=None, keepdim=False, dtype=None):  # noqa: A002
    """``torch.norm``: see :func:`ember.linalg.norm`."""
    return input.norm(p, dim, keepdim, dtype)
