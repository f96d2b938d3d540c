"""The user's source line: the first frame outside the ember package."""

from __future__ import annotations

import os
import sys
import threading

_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


_is_ember: dict = {}


class _State(threading.local):
    # While set on a thread (an optimizer step records its updates), every op it
    # records takes this location instead of walking the stack: they all come from
    # the user's one line.
    pinned: tuple[str, int] | None = None


state = _State()


def user_location(skip: int = 1) -> tuple[str, int]:
    """``(filename, line)`` of the innermost caller that is not Ember's own code,
    looking from the ``skip``-th caller out (callers known to be Ember's own code
    can be skipped: the walk costs a dict lookup per frame)."""
    pinned = state.pinned
    if pinned is not None:
        return pinned
    frame = sys._getframe(skip)
    cache = _is_ember
    while frame is not None:
        code = frame.f_code
        inside = cache.get(code)
        if inside is None:
            inside = cache[code] = code.co_filename.startswith(_EMBER_DIR)
        if not inside:
            return code.co_filename, frame.f_lineno
        frame = frame.f_back
    return "<unknown>", 0


def format_location(loc: tuple[str, int]) -> str:
    return f"{loc[0]}:{loc[1]}"
