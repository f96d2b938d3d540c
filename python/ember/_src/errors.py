"""Errors raised at the user's line."""

from __future__ import annotations

from ember._src.location import format_location, user_location


class EmberError(RuntimeError):
    """A tensor op was called with arguments it cannot take (shapes, dtypes, dims).

    The message names the op, what did not fit, and the user's ``file:line``.
    """


def op_error(op: str, message: str, exc: type[Exception] = EmberError) -> Exception:
    return exc(f"ember.{op}: {message} (at {format_location(user_location())})")
