// Parallel loops over fixed work items for core's kernels. How items are spread over threads
// never changes a result: each item writes only its own outputs, and whatever is merged
// afterwards is merged in item order (docs/ARCHITECTURE.md, numeric contract).
#pragma once

#include <cstdint>
#include <type_traits>

namespace normviz::core {

// Threads the machine offers (std::thread::hardware_concurrency), at least 1.
int hardware_threads();

// Bytes of one core's L2 cache: sysconf(_SC_LEVEL2_CACHE_SIZE), else Linux's
// /sys/devices/system/cpu/cpu0/cache/index2/size, else 1 MiB; kept within [256 KiB, 16 MiB]
// (read once). Kernels size their work items to it (core/stats_kernels.h).
int64_t l2_cache_bytes();

// The most threads a loop starts: 4 per hardware thread, at least 64. More only add stacks
// (8 MiB each): 4096 of them did not fit a 4 GiB address space. Results never depend on it.
int max_threads();

// The thread count to use: `requested` (at most max_threads()) if > 0, else
// hardware_threads(); 1 when the work is below `grain_elements` elements (ATen's grain:
// threads cost more than they save there).
int resolve_threads(int requested, int64_t work_elements, int64_t grain_elements = 32768);

namespace detail {
using RangeBody = void (*)(void* context, int64_t begin, int64_t end);
void parallel_for_impl(int64_t count, int threads, RangeBody body, void* context);
void parallel_for_static_impl(int64_t count, int threads, RangeBody body, void* context);
}  // namespace detail

// Calls body(begin, end) on disjoint ranges that together cover [0, count), on up to
// `threads` threads (already resolved, >= 1), and returns when all are done. Ranges are handed
// out dynamically (one item at a time), so body must not depend on which thread runs it or
// in which order items run. body must not throw.
template <class Body>
void parallel_for(int64_t count, int threads, Body&& body) {
    using B = std::remove_reference_t<Body>;
    detail::parallel_for_impl(
        count, threads, [](void* context, int64_t begin, int64_t end) { (*static_cast<B*>(context))(begin, end); },
        const_cast<void*>(static_cast<const void*>(&body)));
}

// As parallel_for, but item i always runs on the pool's thread i % threads: with OpenMP, whose
// pool keeps its threads from one loop to the next, a second loop over the same items runs
// each item where the first left its data in cache. Without OpenMP, as parallel_for.
template <class Body>
void parallel_for_static(int64_t count, int threads, Body&& body) {
    using B = std::remove_reference_t<Body>;
    detail::parallel_for_static_impl(
        count, threads, [](void* context, int64_t begin, int64_t end) { (*static_cast<B*>(context))(begin, end); },
        const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace normviz::core
