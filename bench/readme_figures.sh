#!/usr/bin/env bash
# README's performance figures on this machine, from one run of the built code (./build):
#   - statistics + normalization of (32, 256, 56, 56) beside PyTorch, 2 threads, 5 alternating
#     rounds (bench/compare_pytorch.py, Debian's python3-torch)
#   - bench-render of the six-norm view (sidebar shown, the focus moving) at 640x480 and
#     1920x1080, (2, 4, 3, 3) against (32, 256, 56, 56) and (64, 512, 56, 56), 5 rounds, off
#     screen through EGL (Mesa's llvmpipe where there is no GPU); the cube view at 1920x1080
#   - bench --load of a (32, 256, 56, 56) post-ReLU activation saved as float32 .npy, float16
#     .npy, float32 NHWC .npy, an np.savez member, and the float32 .npy memory-mapped
# Usage: bench/readme_figures.sh [OUT.txt]   (default build/readme_figures.txt; about 5 min)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/readme_figures.txt}
python=/usr/bin/python3  # Debian's, with numpy and torch
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
{
    date -u
    echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo || true); load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== statistics beside PyTorch"
    "$python" bench/compare_pytorch.py build/bench/normviz_bench --threads 2 --rounds 5
    for size in 640x480 1920x1080; do
        frames=40
        [[ $size == 1920x1080 ]] && frames=30
        echo "== bench-render $size"
        env -u DISPLAY -u WAYLAND_DISPLAY build/app/normviz bench-render --size "$size" --frames "$frames" --rounds 5 \
            --shape "2,4,3,3;32,256,56,56;64,512,56,56"
    done
    echo "== bench-render 1920x1080, cube view"
    env -u DISPLAY -u WAYLAND_DISPLAY build/app/normviz bench-render --size 1920x1080 --view cube --frames 30 \
        --rounds 5 --shape "2,4,3,3;32,256,56,56;64,512,56,56"
    echo "== bench --load"
    "$python" - "$data" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(0)
x = np.maximum(rng.standard_normal((32, 256, 56, 56), dtype=np.float32), 0)  # post-ReLU
np.save(f"{d}/act.npy", x)
np.save(f"{d}/act16.npy", x.astype(np.float16))
np.save(f"{d}/act_nhwc.npy", np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
np.savez(f"{d}/act.npz", act=x)
EOF
    for args in "$data/act.npy" "$data/act16.npy" "$data/act_nhwc.npy --layout NHWC" "$data/act.npz:act"; do
        echo "-- $args"
        # shellcheck disable=SC2086  # args holds a path and options
        build/app/normviz bench --load $args
    done
    echo "-- $data/act.npy, memory-mapped"
    NORMVIZ_MAP_NPY_ABOVE=1 build/app/normviz bench --load "$data/act.npy"
} 2>&1 | tee "$out"
echo "saved $out"
