"""The README's main demo runs end to end: it trains the digits CNN to >= 97% test
accuracy, and the checkpoint it saves reloads to identical predictions."""

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_digits_demo(tmp_path):
    checkpoint = tmp_path / "digits.safetensors"
    env = dict(os.environ, EMBER_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, str(DEMO), "--checkpoint", str(checkpoint)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    accuracy = float(out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy >= 97.0, out
    assert "reloaded model predicts identically" in out, out
    assert checkpoint.stat().st_size > 0
    # Training compiles a handful of regions, then every step is a cache hit.
    stats = out.split("compile cache: ")[1]
    misses = int(stats.split("misses=")[1].split(",")[0])
    assert misses <= 8, out
