"""Shared helpers for Ember's Python tests: build, compile and run an ember
function on NumPy arrays, with compiled functions cached by op and types."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
