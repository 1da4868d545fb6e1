#!/usr/bin/env bash
# Frame times and statistics timings on a GPU server without a display, where the GPU's EGL
# driver is installed but X and normviz's libraries are not.
#   on the build machine:  ./bench/gpu_bundle.sh pack  -> .gpu_bundle/: normviz (from ./build)
#                          and the shared libraries it loads beyond glibc, plus glvnd's EGL and
#                          GL loaders; copy the repository's bench/ and .gpu_bundle/ to the server
#   on the GPU server:     ./bench/gpu_bundle.sh run [OUT.txt]  -> everything below, printed
#                          and saved in OUT.txt (default .gpu_bundle/results.txt), with two
#                          pictures beside it, gpu_render_grid.png and gpu_render_cube.png,
#                          to check by eye:
#     - render: the six-norm picture of (32, 256, 56, 56), grid and cube, through EGL
#     - bench-render: grid and cube views at 1920x1080 and 3840x2160, (2, 4, 3, 3) against
#       (32, 256, 56, 56), (64, 512, 56, 56) and (256, 1024, 28, 28), 5 alternating rounds
#     - bench: statistics and normalization of (32, 256, 56, 56) on all cores, 5 runs
# `run` also works on the build machine (Mesa's llvmpipe), which checks the bundle itself;
# QUICK=1 runs one round of 10 frames of two small shapes for that.
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
    out=${2:-$bundle/results.txt}
    pictures=$(dirname "$out")
    rounds=5 frames=60
    shapes="2,4,3,3;32,256,56,56;64,512,56,56;256,1024,28,28"
    if [[ -n ${QUICK:-} ]]; then rounds=1 frames=10 shapes="2,4,3,3;8,64,28,28"; fi
    norms=batch,layer,instance,group,layer-token,rms
    {
        date -u
        echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo || true)"
        if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; fi
        for view in grid cube; do
            echo "== render, view $view"
            "$bundle/normviz" render --shape 32,256,56,56 --norm "$norms" --focus 1,2,3,4 --size 1920x1080 \
                --view "$view" --out "$pictures/gpu_render_$view.png" && echo "wrote $pictures/gpu_render_$view.png" ||
                echo "render failed"
        done
        for view in grid cube; do
            for size in 1920x1080 3840x2160; do
                echo "== bench-render, view $view, $size"
                "$bundle/normviz" bench-render --size "$size" --view "$view" --frames "$frames" --rounds "$rounds" \
                    --shape "$shapes" || echo "bench-render failed"
            done
        done
        for run in $(seq "$rounds"); do
            echo "== bench (all cores), run $run"
            "$bundle/normviz" bench || echo "bench failed"
        done
    } 2>&1 | tee "$out"
    echo "saved $out"
    ;;
*)
    echo "usage: bench/gpu_bundle.sh pack | run [OUT.txt]" >&2
    exit 2
    ;;
esac
