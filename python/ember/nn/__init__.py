"""``ember.nn``: modules, layers, losses, initializers and ``nn.functional``."""

from ember.nn import functional, init, utils
from ember.nn.modules import (
    activation,
    attention,
    batchnorm,
    conv,
    flatten,
    loss,
    normalization,
    pooling,
    rnn,
    sparse,
    transformer,
)
from ember.nn.modules.container import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from ember.nn.modules.dropout import Dropout
from ember.nn.modules.linear import Identity, Linear
from ember.nn.modules.module import Module
from ember.nn.parameter import Buffer, Parameter

__all__ = ["Buffer", "Dropout", "Identity", "Linear", "Module", "ModuleDict",
           "ModuleList", "Parameter", "ParameterDict", "ParameterList", "Sequential",
           "functional", "init", "utils"]

# Layer families export what their ``__all__`` lists.
for _family in (activation, attention, batchnorm, conv, flatten, loss, normalization, pooling,
                rnn, sparse, transformer):
    globals().update({_n: getattr(_family, _n) for _n in _family.__all__})
    __all__ += _family.__all__
del _family
