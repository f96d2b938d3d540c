#!/usr/bin/env bash
# Sets up Ember (scripts/setup.sh) and runs every test: the lit + FileCheck
# suite over test/**/*.mlir, then pytest over test/python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. "${EMBER_VENV:-.venv}/bin/activate"
ruff check python test examples bench
lit -q test
python -m pytest -q test/python "$@"
