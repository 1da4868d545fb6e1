#!/usr/bin/env bash
# Builds everything (core, app, tests) with AddressSanitizer + UndefinedBehaviorSanitizer into
# ./build-asan and runs every test there: ./scripts/test_sanitized.sh [ctest args]
# Any ASan/UBSan/LSan report aborts the test that hit it, so CTest fails. Two passes:
#   1. every test but those that open a GL context, with the leak check (tests/lsan.supp may
#      name third-party libraries only);
#   2. the GL tests (ctest labels gui, e2e: normviz under Xvfb), leaks checked too: Mesa's
#      DRI driver is preloaded into the program (NORMVIZ_TEST_APP_LD_PRELOAD, read by the test
#      harnesses, with libasan first as ASan requires) so it is never dlclose'd and its
#      one-time allocations stay reachable; without the driver file, leaks go unchecked.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install_deps.sh
cmake -S . -B build-asan \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNORMVIZ_WERROR=ON \
    -DNORMVIZ_BUILD_APP=ON \
    -DNORMVIZ_BUILD_TESTS=ON \
    -DNORMVIZ_SANITIZE=ON
cmake --build build-asan --parallel "$(nproc)"

# detect_leaks: LeakSanitizer at exit; abort_on_error: a report is a failing exit status even
# in a process whose exit code a test does not check (children of e2e tests are checked too).
asan_common="abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
[[ -n $symbolizer ]] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
gl_labels='^(gui|e2e|soak)$'
# Sanitized code is 2-5x slower; give each test more time than ctest's default.
echo "test_sanitized.sh: pass 1/2, all tests but the GL ones, leaks checked"
ASAN_OPTIONS="detect_leaks=1:$asan_common" \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -LE "$gl_labels" "$@"
# The soak test (label soak) runs in ./scripts/test.sh only: its timed random input is
# calibrated for an optimized build, and it would add minutes here.
dri=/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so
gl_leaks=0
if [[ -f $dri ]]; then
    export NORMVIZ_TEST_APP_LD_PRELOAD="$(gcc -print-file-name=libasan.so) $dri"
    gl_leaks=1
fi
echo "test_sanitized.sh: pass 2/2, GL tests under Xvfb (labels gui, e2e), detect_leaks=$gl_leaks"
ASAN_OPTIONS="detect_leaks=$gl_leaks:$asan_common" \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -L '^(gui|e2e)$' \
    --no-tests=ignore "$@"
