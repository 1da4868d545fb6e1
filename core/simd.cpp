// Which instruction set the statistics and normalization kernels run (core/simd.h).
#include "core/simd.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace normviz::core::detail {

namespace {

SimdPath limit_from_environment() {
    const char* v = std::getenv("NORMVIZ_SIMD");
    if (v == nullptr) return SimdPath::Avx512;
    if (std::strcmp(v, "baseline") == 0) return SimdPath::Baseline;
    if (std::strcmp(v, "avx2") == 0) return SimdPath::Avx2;
    return SimdPath::Avx512;
}

std::atomic<SimdPath> g_limit{limit_from_environment()};

SimdPath widest_supported() {
#if NORMVIZ_SIMD_DISPATCH
    if (__builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
    if (__builtin_cpu_supports("avx2")) return SimdPath::Avx2;
#endif
    return SimdPath::Baseline;
}

}  // namespace

const char* simd_path_name(SimdPath path) {
    switch (path) {
        case SimdPath::Baseline: return "baseline";
        case SimdPath::Avx2: return "avx2";
        case SimdPath::Avx512: return "avx512";
    }
    return "baseline";
}

bool simd_path_supported(SimdPath path) {
    static const SimdPath widest = widest_supported();
    return path <= widest;
}

SimdPath simd_path() {
    static const SimdPath widest = widest_supported();
    const SimdPath limit = g_limit.load(std::memory_order_relaxed);
    return limit < widest ? limit : widest;
}

void set_simd_path_limit(SimdPath limit) { g_limit.store(limit); }

SimdPath simd_path_limit() { return g_limit.load(); }

}  // namespace normviz::core::detail
