#!/usr/bin/env bash
# Rewrites the generated table "Run, not written" of docs/bad_inputs.md from what the built
# program prints for each case of tests/adversarial/adversarial.py (ctest's
# bad_inputs_doc_is_current fails until the table matches): ./scripts/update_bad_inputs_doc.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target normviz
python3 tests/adversarial/adversarial.py --binary "$build/app/normviz" --write-doc docs/bad_inputs.md
