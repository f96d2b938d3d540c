#!/usr/bin/env bash
# Sets up Ember in a virtual environment (default .venv, or $EMBER_VENV):
# the pinned LLVM/MLIR build requirements, then Ember itself with its test
# extras. Re-running it rebuilds incrementally (build/ is kept).
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools for the GPU targets (Debian packages; quick when present).
bash scripts/gpu-tools.sh

venv="${EMBER_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# shellcheck disable=SC1091
. "$venv/bin/activate"

quiet=(-q --disable-pip-version-check)
# The build requirements, read from pyproject.toml so they are pinned once.
mapfile -t build_reqs < <(python - <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["build-system"]["requires"]))
PY
)
pip install "${quiet[@]}" "${build_reqs[@]}"
# Non-isolated so build/ is reused between runs (an isolated build would
# rebuild everything each time).
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
  pip install "${quiet[@]}" --no-build-isolation ".[test]"
echo "ember: installed into $venv ($(python -c 'import ember; print(ember.__version__)'))"
