#!/usr/bin/env bash
# Installs the Debian packages normviz needs to build, run and test; skips what is present.
set -euo pipefail
packages=(
    build-essential cmake pkg-config
    libimgui-dev libglfw3-dev libglm-dev libstb-dev libepoxy-dev
    libgtest-dev
    fonts-dejavu-core
    xvfb xauth xdotool x11-utils
    libgl1-mesa-dri
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install_deps: installing ${missing[*]}"
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
