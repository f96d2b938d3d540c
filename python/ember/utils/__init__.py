"""``ember.utils``: data loading (``ember.utils.data``) and activation checkpointing
(``ember.utils.checkpoint``)."""

from ember.utils import checkpoint, data

__all__ = ["checkpoint", "data"]
