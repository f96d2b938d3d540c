"""Ember's runtime: the lazy graph, realization, the compile cache and backends.

The runtime knows nodes (op, attributes, inputs, type, source location), not
tensors, modules or optimizers.
"""

from ember.runtime.cache import CacheStats, cache_dir
from ember.runtime.graph import Node
from ember.runtime.native import cached_bytes, empty_cache
from ember.runtime.realize import CACHE, realize

__all__ = ["CACHE", "CacheStats", "Node", "cache_dir", "cached_bytes", "empty_cache", "realize"]
