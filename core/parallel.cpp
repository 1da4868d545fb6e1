// Parallel loops: OpenMP's thread pool when the compiler has it, plain std::threads otherwise.
#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace normviz::core {

int hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int resolve_threads(int requested, int64_t work_elements, int64_t grain_elements) {
    if (work_elements < grain_elements) return 1;
    return requested > 0 ? requested : hardware_threads();
}

namespace detail {

void parallel_for_impl(int64_t count, int threads, RangeBody body, void* context) {
    if (count <= 0) return;
    const int t = static_cast<int>(std::min<int64_t>(std::max(threads, 1), count));
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

}  // namespace detail
}  // namespace normviz::core
