#!/usr/bin/env bash
# Frame times of the comparison view on a GPU server without a display, where the GPU's EGL
# driver is installed but X and normviz's libraries are not.
#   on the build machine:  ./bench/gpu_bundle.sh pack  -> .gpu_bundle/: normviz (from ./build)
#                          and the shared libraries it loads beyond glibc, plus glvnd's EGL and
#                          GL loaders; copy the repository's bench/ and .gpu_bundle/ to the server
#   on the GPU server:     ./bench/gpu_bundle.sh run   -> bench-render at 1920x1080, grid and
#                          cube views, through EGL with no display
# `run` also works on the build machine (Mesa's llvmpipe), which checks the bundle itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=.gpu_bundle
case "${1:-}" in
pack)
    rm -rf "$bundle"
    mkdir -p "$bundle/lib"
    cp build/app/normviz "$bundle/"
    strip "$bundle/normviz"  # debug info is 26 of its MB
    # glibc stays the server's own (programs built on an older glibc run on a newer one).
    ldd build/app/normviz | awk '$3 ~ /^\// {print $3}' |
        grep -vE '/(libc|libm|libdl|libpthread|librt)\.so' | xargs -I{} cp -L {} "$bundle/lib/"
    # glvnd's dispatch libraries, which libepoxy opens at run time (so ldd does not list them).
    for lib in libEGL.so.1 libOpenGL.so.0 libGL.so.1 libGLX.so.0 libGLdispatch.so.0; do
        cp -L "/usr/lib/x86_64-linux-gnu/$lib" "$bundle/lib/"
    done
    du -sh "$bundle"
    ;;
run)
    # NVIDIA's EGL vendor file, where container installs of the driver put it; elsewhere glvnd
    # finds the vendor itself (or set __EGL_VENDOR_LIBRARY_FILENAMES before running).
    vendor=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    if [[ -f $vendor && -z ${__EGL_VENDOR_LIBRARY_FILENAMES:-} ]]; then
        export __EGL_VENDOR_LIBRARY_FILENAMES=$vendor
    fi
    export LD_LIBRARY_PATH="$PWD/$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    unset DISPLAY WAYLAND_DISPLAY
    if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; fi
    for view in grid cube; do
        echo "view $view"
        "$bundle/normviz" bench-render --size 1920x1080 --view "$view" --frames 120
    done
    ;;
*)
    echo "usage: bench/gpu_bundle.sh pack|run" >&2
    exit 2
    ;;
esac
