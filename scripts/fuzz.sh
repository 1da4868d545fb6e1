#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) into ./build-fuzz and runs each for a
# bounded time: ./scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
# Fails on any crash, sanitizer report, leak, timeout, or allocation over -malloc_limit_mb.
# The seeds in fuzz/corpus/<target>/ are read, never written; what the fuzzer finds goes to
# build-fuzz/corpus/<target>/, and a failing input to build-fuzz/artifacts/<target>/.
# Reproduce a failure with: ./build-fuzz/fuzz/<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) || targets=(fuzz_npy fuzz_array_file fuzz_cli_arguments fuzz_scene_json fuzz_settings)

./scripts/install_deps.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNORMVIZ_BUILD_APP=OFF \
    -DNORMVIZ_BUILD_TESTS=OFF \
    -DNORMVIZ_SANITIZE=ON \
    -DNORMVIZ_BUILD_FUZZERS=ON >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in "${targets[@]}"; do
    work="build-fuzz/corpus/$target"
    artifacts="build-fuzz/artifacts/$target/"
    mkdir -p "$work" "$artifacts"
    echo "fuzz.sh: $target for ${seconds}s"
    # -malloc_limit_mb: a single allocation over 512 MB from an input of at most 64 KB is a
    # size the input did not justify. -timeout: one input taking 10 s is a hang.
    if ! "./build-fuzz/fuzz/$target" "$work" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -max_len=65536 -timeout=10 -detect_leaks=1 -print_final_stats=1 \
        -artifact_prefix="$artifacts" 2>"build-fuzz/$target.log"; then
        tail -n 60 "build-fuzz/$target.log" >&2
        echo "fuzz.sh: $target FAILED; the input is in $artifacts" >&2
        exit 1
    fi
    grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
        "build-fuzz/$target.log" || true
done
echo "fuzz.sh: all targets ran ${seconds}s each without a finding"
