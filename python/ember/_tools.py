"""Console entry points of the ``ember`` package."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ember_opt_path() -> Path:
    """The ``ember-opt`` binary shipped inside the package."""
    return Path(__file__).resolve().parent / "bin" / "ember-opt"


def ember_opt() -> None:
    """``ember-opt``: MlirOptMain with the ember dialect, passes and pipelines."""
    binary = ember_opt_path()
    if not binary.exists():
        sys.exit(f"ember-opt: the binary is missing at {binary}; reinstall ember")
    os.execv(binary, [str(binary), *sys.argv[1:]])
