#!/usr/bin/env bash
# Installs missing dependencies, configures ./build (RelWithDebInfo, warnings as errors) and
# builds everything with all cores. Idempotent: a second run with no changes is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install_deps.sh
cmake -S . -B build \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNORMVIZ_WERROR=ON \
    -DNORMVIZ_BUILD_APP=ON \
    -DNORMVIZ_BUILD_TESTS=ON \
    -DNORMVIZ_SANITIZE=OFF
cmake --build build --parallel "$(nproc)"
