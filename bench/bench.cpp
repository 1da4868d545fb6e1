// The benchmark: for each norm, the statistics plus the normalized output written into a
// preallocated, already touched buffer (normalize_with_stats_into), timed against a plain
// copy of the same tensor in the same run (docs/ARCHITECTURE.md, Tests). GB/s counts the bytes read
// plus the bytes written (2 * 4 * numel) for every operation, so GB/s ratios are time ratios.
#include "bench/bench.h"
#include "bench/bench_train.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/array_file.h"
#include "core/generators.h"
#include "core/normalize.h"
#include "core/npy.h"
#include "core/parallel.h"
#include "core/simd.h"

namespace normviz::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    core::Shape shape{32, 256, 56, 56};
    int threads = 0;
    int repeat = 0;                      // 0: adaptive
    std::string load_path;               // --load: time reading this array file instead
    std::optional<core::Layout> layout;  // --layout, with --load
    bool train = false;                  // --train: the training lab's steps per second instead
};

constexpr const char* kUsage =
    "usage: normviz bench [--shape N,C,H,W] [--threads T] [--repeat R]\n"
    "       normviz bench --load FILE [--layout L] [--repeat R]\n"
    "       normviz bench --train [--threads T] [--repeat STEPS]\n"
    "  times statistics + normalization per norm against a plain copy; prints\n"
    "  '<name> <median ms> ms <GB/s> GB/s' per operation (defaults: 32,256,56,56, all\n"
    "  hardware threads, repeats until the median is stable); NORMVIZ_SIMD=baseline|avx2|avx512\n"
    "  caps the kernels' instruction set (all give the same bits). With --load: reading the\n"
    "  file's bytes ('read-file', the floor) and loading it as a tensor ('load', as the\n"
    "  program does: .npy of any dtype, x.npz:NAME, x.safetensors:NAME, --layout), in\n"
    "  alternating rounds (R, default 9); the ratio is the median of the rounds' ratios. A\n"
    "  float32 .npy over half the memory (or NORMVIZ_MAP_NPY_ABOVE bytes) is memory-mapped,\n"
    "  not copied; 'load' then touches each page once.\n";

bool parse_int(const char* text, int& out) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 1 || v > 4096) return false;
    out = static_cast<int>(v);
    return true;
}

// Returns 0 when parsed, -1 for --help, or 2 after printing the error.
int parse_options(int argc, char** argv, Options& options) {
    std::set<std::string> given;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") return -1;
        if (arg == "--train") {
            options.train = true;
            continue;
        }
        if (i + 1 >= argc ||
            (arg != "--shape" && arg != "--threads" && arg != "--repeat" && arg != "--load" && arg != "--layout")) {
            std::fprintf(stderr, "normviz bench: unknown or incomplete option '%s'; see normviz bench --help\n",
                         arg.c_str());
            return 2;
        }
        const char* value = argv[++i];
        if (!given.insert(arg).second) {
            std::fprintf(stderr, "normviz bench: %s is given twice; give it once\n", arg.c_str());
            return 2;
        }
        if (arg == "--load") {
            options.load_path = value;
        } else if (arg == "--layout") {
            core::Result<core::Layout> layout = core::parse_layout(value);
            if (!layout) {
                std::fprintf(stderr, "normviz bench: %s\n", layout.error().message.c_str());
                return 2;
            }
            options.layout = layout.value();
        } else if (arg == "--shape") {
            core::Result<core::Shape> shape = core::parse_shape(value);
            if (!shape) {
                std::fprintf(stderr, "normviz bench: %s\n", shape.error().message.c_str());
                return 2;
            }
            options.shape = shape.value();
        } else if (!parse_int(value, arg == "--threads" ? options.threads : options.repeat)) {
            std::fprintf(stderr, "normviz bench: %s wants an integer from 1 to 4096, got '%s'\n", arg.c_str(), value);
            return 2;
        }
    }
    // Options that the chosen mode would not use are refused, not ignored.
    const bool load = !options.load_path.empty();
    const char* unused = load && given.count("--shape")              ? "--shape (--load times the file's own shape)"
                         : load && options.train                     ? "--train (with --load)"
                         : load && given.count("--threads")          ? "--threads (--load reads on one thread)"
                         : !load && given.count("--layout")          ? "--layout (it says how --load's file is read)"
                         : options.train && given.count("--shape")   ? "--shape (--train times a fixed network)"
                         : nullptr;
    if (unused != nullptr) {
        std::fprintf(stderr, "normviz bench: %s is not used here; leave it out\n", unused);
        return 2;
    }
    return 0;
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Median of the timed runs of op(), after one untimed warm-up. With repeat == 0, runs at
// least 11 times and until 0.5 s have passed (at most 201 runs).
template <class Op>
double median_ms(int repeat, Op&& op) {
    op();
    std::vector<double> times;
    const Clock::time_point begin = Clock::now();
    for (;;) {
        const Clock::time_point start = Clock::now();
        op();
        times.push_back(ms_since(start));
        const int n = static_cast<int>(times.size());
        if (repeat > 0 ? n >= repeat : (n >= 11 && (ms_since(begin) >= 500 || n >= 201))) break;
    }
    std::sort(times.begin(), times.end());
    const size_t n = times.size();
    return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

void print_line(const char* name, double ms, int64_t numel) {
    const double bytes = 2.0 * static_cast<double>(numel) * sizeof(float);
    std::printf("%s %.3f ms %.2f GB/s\n", name, ms, bytes / (ms * 1e6));
    std::fflush(stdout);
}

// Reading the file's bytes into memory (the floor) against loading it as the program does,
// in alternating rounds so that a change of the machine's memory speed hits both alike.
int bench_load(const Options& options) {
    core::Result<core::Tensor> first = core::read_tensor(options.load_path, options.layout);
    if (!first) {
        std::fprintf(stderr, "normviz bench: %s\n", first.error().message.c_str());
        return 1;
    }
    const int64_t numel = first.value().shape.numel();
    const std::string reading = core::describe_reading(first.value());
    const bool mapped = first.value().data.is_mapped();
    first = core::Tensor{};  // free it before timing
    const std::string path = core::parse_array_source(options.load_path).path;
    auto read_bytes = [&] {
        // A fresh buffer each run (allocated and freed here), as loading gets one.
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) return;
        std::fseek(f, 0, SEEK_END);
        std::vector<char> bytes(static_cast<size_t>(std::ftell(f)));
        std::fseek(f, 0, SEEK_SET);
        if (std::fread(bytes.data(), 1, bytes.size(), f) != bytes.size()) bytes.clear();
        std::fclose(f);
    };
    // A mapped file's pages are read when first used: one value of each page is touched, so
    // "load" times what the first statistics pass would wait for (nothing for a read tensor).
    volatile float sink = 0;
    auto load = [&] {
        core::Result<core::Tensor> t = core::read_tensor(options.load_path, options.layout);
        if (!t) return;
        float touched = 0;
        for (size_t i = 0; i < t.value().data.size(); i += 1024) touched += t.value().data[i];
        sink = touched;
    };
    read_bytes();
    load();  // warm the page cache and the allocator
    const int rounds = options.repeat > 0 ? options.repeat : 9;
    std::vector<double> read_times, load_times, ratios;
    for (int r = 0; r < rounds; ++r) {
        Clock::time_point start = Clock::now();
        read_bytes();
        read_times.push_back(ms_since(start));
        start = Clock::now();
        load();
        load_times.push_back(ms_since(start));
        ratios.push_back(load_times.back() / read_times.back());
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    };
    std::printf("%s\n", reading.c_str());
    if (mapped) std::printf("load maps the file (over NORMVIZ_MAP_NPY_ABOVE or half the memory); it touches each page once\n");
    print_line("read-file", median(read_times), numel);
    print_line("load", median(load_times), numel);
    std::printf("ratio %.2f load / read-file (median of %d alternating rounds, min %.2f, max %.2f)\n", median(ratios),
                rounds, *std::min_element(ratios.begin(), ratios.end()),
                *std::max_element(ratios.begin(), ratios.end()));
    return std::fflush(stdout) == 0 && !std::ferror(stdout) ? 0 : 1;
}

// Everything run_bench does; it turns an allocation failure into one sentence.
int run_bench_unguarded(int argc, char** argv) {
    Options options;
    if (const int status = parse_options(argc, argv, options); status != 0) {
        if (status == -1) std::fputs(kUsage, stdout);
        return status == -1 ? 0 : status;
    }
    if (!options.load_path.empty()) return bench_load(options);
    if (options.train)
        return bench_train(options.threads > 0 ? options.threads : core::hardware_threads(), options.repeat);
    if (core::Status ok = core::validate_shape(options.shape); !ok) {
        std::fprintf(stderr, "normviz bench: %s\n", ok.error().message.c_str());
        return 2;
    }
    const int threads = std::min(options.threads > 0 ? options.threads : core::hardware_threads(), core::max_threads());
    const core::Tensor input = core::generate(options.shape, core::Generator::Normal, 1);
    core::Tensor output = core::make_tensor(options.shape);  // zero-filled: touched
    const int64_t numel = options.shape.numel();
    // The header and skipped norms go with the figures on stdout: stderr carries one line, the error.
    std::printf(
        "normviz bench: shape %s, %d threads%s, %s repeats, median of each; %s kernels, "
        "L2 %lld KiB\n",
        core::to_string(options.shape).c_str(), threads, threads < options.threads ? " (the most normviz starts)" : "",
        options.repeat > 0 ? std::to_string(options.repeat).c_str() : "adaptive",
        core::detail::simd_path_name(core::detail::simd_path()), static_cast<long long>(core::l2_cache_bytes() >> 10));

    // The floor: each thread copies one contiguous slice (memcpy, as a framework's copy).
    const int copy_threads = core::resolve_threads(threads, numel);
    const double copy_ms = median_ms(options.repeat, [&] {
        core::parallel_for(copy_threads, copy_threads, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t from = numel * i / copy_threads, to = numel * (i + 1) / copy_threads;
                std::memcpy(output.data.data() + from, input.data.data() + from,
                            static_cast<size_t>(to - from) * sizeof(float));
            }
        });
    });
    print_line("copy", copy_ms, numel);

    for (core::NormKind kind : {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                                core::NormKind::Group, core::NormKind::LayerToken, core::NormKind::Rms}) {
        core::NormSpec spec;
        spec.kind = kind;
        spec.groups = 32;
        if (core::Status ok = core::validate(spec, options.shape); !ok) {
            std::printf("normviz bench: skipping %s: %s\n", core::norm_name(kind), ok.error().message.c_str());
            continue;
        }
        const core::Partition partition = core::make_partition(spec, options.shape);
        std::vector<core::GroupStats> stats(static_cast<size_t>(partition.group_count()));
        const double ms = median_ms(options.repeat, [&] {
            core::normalize_with_stats_into(input, spec, partition, {}, stats, output, threads);
        });
        print_line(core::norm_name(kind), ms, numel);
    }
    // A full disk or a closed pipe on stdout: the figures are lost, so say so.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "normviz bench: cannot write the results to standard output\n");
        return 1;
    }
    return 0;
}

}  // namespace

int run_bench(int argc, char** argv) {
    try {
        return run_bench_unguarded(argc, argv);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "normviz bench: out of memory; choose a smaller --shape\n");
        return 1;
    }
}

}  // namespace normviz::bench
