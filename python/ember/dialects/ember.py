"""The ``ember`` dialect's Python op builders, generated from its ODS definitions.

Every op has a class (``AddOp``) and a function (``add``) returning its result::

    from ember.dialects import ember as E
    y = E.tanh(E.add(x, w))   # inside an ``InsertionPoint``
"""

from ember.dialects._ember_ops_gen import *  # noqa: F401,F403
from ember.dialects._ember_ops_gen import _Dialect  # noqa: F401
