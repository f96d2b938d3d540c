#!/usr/bin/env bash
# Sets up Ember (scripts/setup.sh) and runs the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck disable=SC1091
. "${EMBER_VENV:-.venv}/bin/activate"
python examples/demo.py
