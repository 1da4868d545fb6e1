#!/usr/bin/env bash
# Builds normviz (installing what is missing) and runs every test: ./scripts/test.sh [ctest args]
# The end-to-end tests start their own Xvfb, so no display is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec ctest --test-dir build --output-on-failure -j2 "$@"
