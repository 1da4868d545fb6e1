// Parallel loops: OpenMP's thread pool when the compiler has it, plain std::threads otherwise.
#include "core/parallel.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace normviz::core {

int hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

namespace {

// The size in /sys/devices/system/cpu/cpu0/cache/index2/size ("1024K"), or 0.
int64_t l2_from_sysfs() {
    std::FILE* f = std::fopen("/sys/devices/system/cpu/cpu0/cache/index2/size", "r");
    if (f == nullptr) return 0;
    long long value = 0;
    char unit = 0;
    const int got = std::fscanf(f, "%lld%c", &value, &unit);
    std::fclose(f);
    if (got < 1 || value <= 0) return 0;
    if (got == 2 && (unit == 'K' || unit == 'k')) return value << 10;
    if (got == 2 && (unit == 'M' || unit == 'm')) return value << 20;
    return value;
}

int64_t read_l2_cache_bytes() {
    int64_t bytes = 0;
#if defined(_SC_LEVEL2_CACHE_SIZE)
    bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    if (bytes <= 0) bytes = l2_from_sysfs();
    if (bytes <= 0) bytes = int64_t{1} << 20;
    return std::clamp<int64_t>(bytes, int64_t{256} << 10, int64_t{16} << 20);
}

}  // namespace

int64_t l2_cache_bytes() {
    static const int64_t bytes = read_l2_cache_bytes();
    return bytes;
}

int max_threads() {
    static const int most = std::max(64, 4 * hardware_threads());
    return most;
}

int resolve_threads(int requested, int64_t work_elements, int64_t grain_elements) {
    if (work_elements < grain_elements) return 1;
    return requested > 0 ? std::min(requested, max_threads()) : hardware_threads();
}

namespace detail {

void parallel_for_impl(int64_t count, int threads, RangeBody body, void* context) {
    if (count <= 0) return;
    const int t = static_cast<int>(std::min<int64_t>(std::clamp(threads, 1, max_threads()), count));
    if (t == 1) {
        body(context, 0, count);
        return;
    }
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(t)
    for (int64_t i = 0; i < count; ++i) body(context, i, i + 1);
#else
    std::atomic<int64_t> next{0};
    auto worker = [&] {
        for (int64_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) body(context, i, i + 1);
    };
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(t - 1));
    for (int i = 1; i < t; ++i) pool.emplace_back(worker);
    worker();
    for (std::thread& th : pool) th.join();
#endif
}

void parallel_for_static_impl(int64_t count, int threads, RangeBody body, void* context) {
#if defined(_OPENMP)
    if (count <= 0) return;
    const int t = static_cast<int>(std::min<int64_t>(std::clamp(threads, 1, max_threads()), count));
    if (t == 1) {
        body(context, 0, count);
        return;
    }
#pragma omp parallel for schedule(static, 1) num_threads(t)
    for (int64_t i = 0; i < count; ++i) body(context, i, i + 1);
#else
    parallel_for_impl(count, threads, body, context);
#endif
}

}  // namespace detail
}  // namespace normviz::core
