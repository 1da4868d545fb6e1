#!/usr/bin/env bash
# Installs the Debian 12 packages normviz needs to build, run and test; skips what is present.
# Runs non-interactively; apt-get update only when something is missing. Root or sudo.
set -euo pipefail
packages=(
    build-essential g++ cmake pkg-config
    libimgui-dev libglfw3-dev libglm-dev libstb-dev libepoxy-dev libopengl-dev
    nlohmann-json3-dev            # scene and lesson files, .safetensors headers
    zlib1g-dev                    # .npz members (core/array_file.cpp)
    libgtest-dev
    fonts-dejavu-core
    xvfb xauth xdotool x11-utils
    libgl1-mesa-dri
    libegl1 libegl-mesa0          # render/bench-render without a display (app/platform/offscreen_context.cpp)
    clang-14 libclang-rt-14-dev   # libFuzzer and its sanitizer runtimes (scripts/fuzz.sh)
    python3                       # crafted bad inputs and the CLI soak (tests/adversarial, tests/soak)
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install_deps: installing ${missing[*]}"
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            echo "install_deps: missing packages and not root (no sudo): ${missing[*]}" >&2
            exit 1
        fi
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
