"""nn layers: recurrent (``RNN``, ``LSTM``, ``GRU`` and their cells).

The sequence layers unroll over time into the recorded graph: the input projection of
each layer and direction is one matmul over the whole sequence, then one cell step per
time step; forward and backward compile as one region per structure."""

from __future__ import annotations

import math
import numbers
import warnings

from ember._src import ops
from ember._src.creation import empty, zeros
from ember._src.tensor import Tensor
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    out = ops.matmul(x, ops.t(w))
    return out if b is None else out + b


def _rnn_step(act, xw: Tensor, h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None) -> Tensor:
    """``xw`` is the input's projection (with ``b_ih``); ``w_hh_t`` is ``W_hh^T``."""
    return act(_add(xw + ops.matmul(h, w_hh_t), b_hh))


def _lstm_step(xw: Tensor, h: Tensor, c: Tensor, w_hh_t: Tensor, b_hh: Tensor | None,
               w_hr_t: Tensor | None) -> tuple[Tensor, Tensor]:
    i, f, g, o = ops.chunk(_add(xw + ops.matmul(h, w_hh_t), b_hh), 4, -1)
    c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
    h = ops.sigmoid(o) * ops.tanh(c)
    return (h if w_hr_t is None else ops.matmul(h, w_hr_t)), c


def _gru_step(xw: Tensor, h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None) -> Tensor:
    x_r, x_z, x_n = ops.chunk(xw, 3, -1)
    h_r, h_z, h_n = ops.chunk(_add(ops.matmul(h, w_hh_t), b_hh), 3, -1)
    r = ops.sigmoid(x_r + h_r)
    z = ops.sigmoid(x_z + h_z)
    n = ops.tanh(x_n + r * h_n)
    return n + z * (h - n)


def _add(x: Tensor, b: Tensor | None) -> Tensor:
    return x if b is None else x + b


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU``: PyTorch's parameters
    (``weight_ih_l{k}[_reverse]``, ``weight_hh_...``, ``bias_ih_...``, ``bias_hh_...``,
    ``weight_hr_...`` with ``proj_size``), shapes and initialization."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size),
                        ("num_layers", num_layers), ("proj_size", proj_size)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{name} should be of type int, got: {type(v).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        kw = dict(dtype=dtype, device=device)
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_in = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(empty(gate_size, layer_in, **kw)),
                          Parameter(empty(gate_size, real_hidden, **kw))]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(empty(gate_size, **kw)),
                               Parameter(empty(gate_size, **kw))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(empty(proj_size, hidden_size, **kw)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params, strict=True):
                    setattr(self, name, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op, as in PyTorch on the CPU (there is no fused weight buffer)."""

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _layer_weights(self, layer: int, direction: int):
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        w = {n.split("_l")[0]: getattr(self, n) for n in names}
        return w["weight_ih"], w["weight_hh"], w.get("bias_ih"), w.get("bias_hh"), \
            w.get("weight_hr")

    def _check_input(self, x: Tensor) -> bool:
        """Checks the input's rank and feature size; returns whether it is batched."""
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        return x.ndim == 3

    def _initial(self, hx: Tensor | None, batched: bool, batch: int, size: int, what: str,
                 x: Tensor) -> Tensor:
        """``hx`` (or zeros) as (layers * directions, N, size), checked."""
        rows = self.num_layers * (2 if self.bidirectional else 1)
        if hx is None:
            return zeros(rows, batch, size, dtype=x.dtype)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{type(self).__name__}: {what} must be a Tensor, got "
                            f"{type(hx).__name__}")
        if batched and hx.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, {what} should also be 3-D but got "
                               f"{hx.ndim}-D tensor")
        if not batched and hx.ndim != 2:
            raise RuntimeError(f"For unbatched 2-D input, {what} should also be 2-D but got "
                               f"{hx.ndim}-D tensor")
        if not batched:
            hx = ops.unsqueeze(hx, 1)
        if tuple(hx.shape) != (rows, batch, size):
            raise RuntimeError(f"Expected {what} size {(rows, batch, size)}, got "
                               f"{list(hx.shape if batched else ops.squeeze(hx, 1).shape)}")
        if hx.dtype != x.dtype:
            raise RuntimeError(f"{what} dtype {hx.dtype!r} does not match the input's "
                               f"{x.dtype!r}")
        return hx

    def _run(self, x: Tensor, h0: Tensor, c0: Tensor | None):
        """Runs every layer and direction over the (L, N, H_in) input; returns the
        output (L, N, D * H_out) and the final states, each (layers * D, N, .)."""
        directions = 2 if self.bidirectional else 1
        act = ops.relu if self.mode == "RNN_RELU" else ops.tanh
        hs, cs = [], []
        length = x.shape[0]
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, d)
                row = layer * directions + d
                h = h0[row]
                c = c0[row] if c0 is not None else None
                if b_hh is not None and self.mode != "GRU":
                    b_ih, b_hh = b_ih + b_hh, None
                xw = _linear(x, w_ih, b_ih)
                w_hh_t = ops.t(w_hh)
                w_hr_t = ops.t(w_hr) if w_hr is not None else None
                steps = range(length - 1, -1, -1) if d == 1 else range(length)
                seq = [None] * length
                for t in steps:
                    if self.mode == "LSTM":
                        h, c = _lstm_step(xw[t], h, c, w_hh_t, b_hh, w_hr_t)
                    elif self.mode == "GRU":
                        h = _gru_step(xw[t], h, w_hh_t, b_hh)
                    else:
                        h = _rnn_step(act, xw[t], h, w_hh_t, b_hh)
                    seq[t] = h
                outs.append(ops.stack(seq, 0))
                hs.append(h)
                cs.append(c)
            x = outs[0] if directions == 1 else ops.cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, ops.stack(hs, 0), (ops.stack(cs, 0) if c0 is not None else None)

    def _forward(self, x: Tensor, hx, lstm: bool):
        batched = self._check_input(x)
        if not batched:
            x = ops.unsqueeze(x, 1)
        elif self.batch_first:
            x = ops.transpose(x, 0, 1)
        batch = x.shape[1]
        h_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if lstm:
            if hx is None:
                h0 = c0 = None
            elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM: hx must be a tuple (h_0, c_0) of two tensors")
            else:
                h0, c0 = hx
            h0 = self._initial(h0, batched, batch, h_size, "hidden", x)
            c0 = self._initial(c0, batched, batch, self.hidden_size, "cell", x)
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{type(self).__name__}: hx must be a Tensor, got a "
                                f"{type(hx).__name__}")
            h0 = self._initial(hx, batched, batch, h_size, "hidden", x)
            c0 = None
        out, h, c = self._run(x, h0, c0)
        if not batched:
            out, h = ops.squeeze(out, 1), ops.squeeze(h, 1)
            c = ops.squeeze(c, 1) if c is not None else None
        elif self.batch_first:
            out = ops.transpose(out, 0, 1)
        return out, ((h, c) if lstm else h)


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with ``act``
    tanh or relu (``nonlinearity``). Returns ``(output, h_n)``."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None):  # noqa: A002
        return self._forward(input, hx, lstm=False)


class LSTM(RNNBase):
    """Long short-term memory, gates (i, f, g, o) as PyTorch; ``proj_size`` projects the
    hidden state. Returns ``(output, (h_n, c_n))``."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):  # noqa: A002
        return self._forward(input, hx, lstm=True)


class GRU(RNNBase):
    """Gated recurrent unit, gates (r, z, n) as PyTorch. Returns ``(output, h_n)``."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None):  # noqa: A002
        return self._forward(input, hx, lstm=False)


class RNNCellBase(Module):
    """One time step: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``
    initialized uniform in ±1/sqrt(hidden_size), as PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = dict(dtype=dtype, device=device)
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, x: Tensor, hx: Tensor | None, what: str = "hidden"):
        """Checks ``x`` (N, H_in) or (H_in,) and ``hx``; returns them batched (zeros for
        a missing ``hx``) and whether the input was batched."""
        name = type(self).__name__
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[-1]} "
                               f"expected {self.input_size}")
        batched = x.ndim == 2
        if not batched:
            x = ops.unsqueeze(x, 0)
        if hx is None:
            return x, zeros(x.shape[0], self.hidden_size, dtype=x.dtype), batched
        if hx.ndim != x.ndim:
            raise ValueError(f"{name}: Expected {what} to be {1 + batched}D, got {hx.ndim}D "
                             f"instead")
        if not batched:
            hx = ops.unsqueeze(hx, 0)
        if tuple(hx.shape) != (x.shape[0], self.hidden_size):
            raise RuntimeError(f"{what} has inconsistent shape: got "
                               f"{tuple(hx.shape)}, expected {(x.shape[0], self.hidden_size)}")
        return x, hx, batched


class RNNCell(RNNCellBase):
    """``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``, ``act`` tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, h, batched = self._prepare(input, hx)
        act = ops.tanh if self.nonlinearity == "tanh" else ops.relu
        h = _rnn_step(act, _linear(x, self.weight_ih, self.bias_ih), h, ops.t(self.weight_hh),
                      self.bias_hh)
        return h if batched else ops.squeeze(h, 0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor,  # noqa: A002
                hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is None:
            x, h, batched = self._prepare(input, None)
            c = ops.zeros_like(h)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell: hx must be a tuple (h, c) of two tensors")
            x, h, batched = self._prepare(input, hx[0], "hidden")
            _, c, _ = self._prepare(input, hx[1], "cell")
        h, c = _lstm_step(_linear(x, self.weight_ih, self.bias_ih), h, c,
                          ops.t(self.weight_hh), self.bias_hh, None)
        if not batched:
            h, c = ops.squeeze(h, 0), ops.squeeze(c, 0)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step, gates (r, z, n) as PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, h, batched = self._prepare(input, hx)
        h = _gru_step(_linear(x, self.weight_ih, self.bias_ih), h, ops.t(self.weight_hh),
                      self.bias_hh)
        return h if batched else ops.squeeze(h, 0)
