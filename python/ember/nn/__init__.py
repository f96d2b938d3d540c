"""``ember.nn``: for now the stateless ``ember.nn.functional``."""

from ember.nn import functional

__all__ = ["functional"]
