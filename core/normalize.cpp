// Normalization of every element with its group's statistics: y = (x - shift) * scale
// (* gamma[c] + beta[c]), with shift = mean (0 when uncentred) and scale = 1 / sqrt(var + eps)
// (mean_sq + eps when uncentred), by one of two routes chosen per group (below: in float from
// a two-float shift, or in double and rounded once). Work items are the same fixed pieces as
// compute_group_stats (stats_kernels.h), so that the fused and the separate paths give the
// same bits for any thread count.
#include "core/normalize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "core/assert.h"
#include "core/parallel.h"
#include "core/stats_kernels.h"

namespace normviz::core {

namespace {

using detail::RowLayout;
using detail::RowMode;

// Outputs at least this large are written with streaming (non-temporal) stores: they cannot
// stay in cache anyway, and streaming saves the read-for-ownership of every output line,
// a third of the memory traffic of a normalization (the `copy` floor in bench/ gets the same
// from memcpy).
constexpr int64_t kStreamBytes = int64_t{16} << 20;

bool use_streaming(int64_t numel) {
#if defined(__SSE__)
    return numel * static_cast<int64_t>(sizeof(float)) >= kStreamBytes;
#else
    (void)numel;
    return false;
#endif
}

using detail::Double4;
using detail::Double8;
using detail::FloatLanes;
using detail::kWidth;
using detail::Quad2;
using detail::quad_load;
using detail::quad_splat;

// Stores a vector of floats at y; kStream: as streaming stores, y 16-byte aligned: one store
// of the whole vector where y is aligned to its width (AVX-512 then writes whole cache lines:
// LayerNorm, InstanceNorm and GroupNorm 5 % faster than four 16-byte stores), else 16-byte
// ones. The store never changes a value; where vector loops start does (the double route's
// NaN signs, below), so that follows 16-byte alignment, the same for every allocation.
template <bool kStream, class F>
NORMVIZ_INLINE void store_float_lanes(float* y, F v) {
#if defined(__SSE__)
    if constexpr (kStream) {
        if constexpr (sizeof(F) == 16) {
            _mm_stream_ps(y, reinterpret_cast<const __m128&>(v));
        } else if ((reinterpret_cast<uintptr_t>(y) & (sizeof(F) - 1)) == 0) {
            // Not the AVX intrinsics: they cannot be inlined into this template, which is
            // compiled for the baseline and inlined into the AVX2 and AVX-512 kernels. Clang
            // has a generic builtin; GCC checks the assembly's register after inlining.
#if defined(__clang__)
            __builtin_nontemporal_store(v, reinterpret_cast<F*>(y));
#else
            asm volatile("vmovntps %1, %0" : "=m"(*reinterpret_cast<F*>(y)) : "v"(v));
#endif
        } else if constexpr (sizeof(F) == 32) {
            store_float_lanes<true>(y, __builtin_shufflevector(v, v, 0, 1, 2, 3));
            store_float_lanes<true>(y + 4, __builtin_shufflevector(v, v, 4, 5, 6, 7));
        } else {
            store_float_lanes<true>(y, __builtin_shufflevector(v, v, 0, 1, 2, 3));
            store_float_lanes<true>(y + 4, __builtin_shufflevector(v, v, 4, 5, 6, 7));
            store_float_lanes<true>(y + 8, __builtin_shufflevector(v, v, 8, 9, 10, 11));
            store_float_lanes<true>(y + 12, __builtin_shufflevector(v, v, 12, 13, 14, 15));
        }
        return;
    }
#endif
    std::memcpy(y, &v, sizeof v);
}

// Stores kWidth<Q> lanes of double as floats at y (16-byte aligned when kStream).
template <bool kStream, class Q>
NORMVIZ_INLINE void store_floats(float* y, Q v) {
    if constexpr (kWidth<Q> == 8) store_float_lanes<kStream>(y, detail::to_float8(v));
    else store_float_lanes<kStream>(y, detail::quad_to_float4(v));
}

NORMVIZ_INLINE bool aligned16(const float* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }
// The float route's vector loops start where y is aligned to the vector's width (FloatBuffer's
// values start on a cache line, so every store is whole): its values cannot be NaN (a group
// with NaN or Inf takes the double route), and without NaN the scalar and the vector code give
// the same bits.
template <class F>
NORMVIZ_INLINE bool aligned_for(const float* p) {
    return (reinterpret_cast<uintptr_t>(p) & (sizeof(F) - 1)) == 0;
}

// Orders streaming stores before whatever the caller does next (other threads may read).
void finish_streaming(bool stream) {
#if defined(__SSE__)
    if (stream) _mm_sfence();
#else
    (void)stream;
#endif
}

// Two routes, chosen per group (and channel) from the statistics alone, so never by the
// thread count, the instruction set or where a work item starts:
// - the float route, y = ((x - hi) - lo) * scale (* gamma + beta) in float, with hi + lo the
//   double shift split into two floats (x - hi is exact near the shift, by Sterbenz's lemma,
//   so 1e4 + noise keeps its digits) and scale rounded once: four roundings of half an ulp,
//   so x-hat within 2 float ulps of the exact value (the double formula: half an ulp; gamma
//   and beta add a rounding each, as in PyTorch's float32), for a subtraction pair and a
//   multiplication on 16 lanes where the double formula needs two conversions each way on 8
//   (which made the pass compute-bound on one core);
// - the double formula, (x - shift) * scale (* gamma + beta) rounded once, where float32
//   itself cannot hold the group's statistic (var + eps, or mean_sq + eps uncentred, beyond
//   float's normal range: values whose squares overflow or underflow, where PyTorch's float32
//   fails too), where the scale with gamma leaves that range, and for NaN or Inf statistics.
//   Within float's range |x - mean| <= sqrt(count * var) stays far below FLT_MAX.
struct GroupScale {
    double shift = 0, scale = 1;
    bool in_float = false;  // the float route fits the group's values
};

// Whether v rounds to a normal finite float (not 0, subnormal, Inf or NaN).
bool normal_float(double v) {
    const double a = std::fabs(v);
    return a >= static_cast<double>(FLT_MIN) && a <= static_cast<double>(FLT_MAX);
}

GroupScale group_scale(const GroupStats& g, bool centered, double eps) {
    const double statistic = (centered ? g.var : g.mean_sq) + eps;
    return {centered ? g.mean : 0.0, 1.0 / std::sqrt(statistic), normal_float(statistic)};
}

// The float route's coefficients of a run: y = ((x - hi) - lo) * scale (+ beta).
struct FloatScale {
    float hi = 0, lo = 0, scale = 1, beta = 0;
};

FloatScale float_scale(double shift, double scale, double beta) {
    FloatScale f;
    f.hi = static_cast<float>(shift);
    f.lo = static_cast<float>(shift - static_cast<double>(f.hi));
    f.scale = static_cast<float>(scale);
    f.beta = static_cast<float>(beta);
    return f;
}

// What to apply to one run of values of one group and one channel; scale includes gamma.
struct RunScale {
    double shift, scale, beta;
    bool in_float;  // the float route, with f
    FloatScale f;
};

RunScale run_scale(const GroupScale& g, double gamma, double beta) {
    RunScale s{g.shift, g.scale * gamma, beta, false, {}};
    s.in_float = g.in_float && normal_float(s.scale) && std::fabs(beta) <= static_cast<double>(FLT_MAX);
    if (s.in_float) s.f = float_scale(s.shift, s.scale, beta);
    return s;
}

template <bool kBeta>
NORMVIZ_INLINE float float_one(float x, FloatScale s) {
    float v = ((x - s.hi) - s.lo) * s.scale;
    if constexpr (kBeta) v += s.beta;
    return v;
}

template <bool kBeta>
NORMVIZ_INLINE double normalize_one(float x, const RunScale& s) {
    double v = (static_cast<double>(x) - s.shift) * s.scale;
    if constexpr (kBeta) v += s.beta;
    return v;
}

// Every element is computed alone, so the bits do not depend on how the run is split between
// the vector loop and the scalar ends (or on the vector width).
template <class Q, bool kBeta, bool kStream>
NORMVIZ_INLINE void float_run_as(const float* x, float* y, int64_t n, FloatScale s) {
    using F = FloatLanes<Q>;
    constexpr int64_t W = sizeof(F) / sizeof(float);
    int64_t i = 0;
    if constexpr (kStream)
        for (; i < n && !aligned_for<F>(y + i); ++i) y[i] = float_one<kBeta>(x[i], s);
    for (; i + W <= n; i += W) {
        F v;
        std::memcpy(&v, x + i, sizeof v);
        v = ((v - s.hi) - s.lo) * s.scale;
        if constexpr (kBeta) v = v + s.beta;
        store_float_lanes<kStream>(y + i, v);
    }
    for (; i < n; ++i) y[i] = float_one<kBeta>(x[i], s);
}

template <class Q, bool kBeta, bool kStream>
NORMVIZ_INLINE void normalize_run_as(const float* x, float* y, int64_t n, const RunScale& s) {
    if (s.in_float) return float_run_as<Q, kBeta, kStream>(x, y, n, s.f);
    int64_t i = 0;
    if constexpr (kStream)
        for (; i < n && !aligned16(y + i); ++i) y[i] = static_cast<float>(normalize_one<kBeta>(x[i], s));
    const Q shift = quad_splat<Q>(s.shift), scale = quad_splat<Q>(s.scale), beta = quad_splat<Q>(s.beta);
    for (; i + kWidth<Q> <= n; i += kWidth<Q>) {
        Q u = (quad_load<Q>(x + i) - shift) * scale;
        if constexpr (kBeta) u = u + beta;
        store_floats<kStream>(y + i, u);
    }
    for (; i < n; ++i) y[i] = static_cast<float>(normalize_one<kBeta>(x[i], s));
}

template <class Q>
NORMVIZ_INLINE void normalize_run_q(const float* x, float* y, int64_t n, const RunScale& s, bool beta, bool stream) {
    if (beta) {
        if (stream) normalize_run_as<Q, true, true>(x, y, n, s);
        else normalize_run_as<Q, true, false>(x, y, n, s);
    } else {
        if (stream) normalize_run_as<Q, false, true>(x, y, n, s);
        else normalize_run_as<Q, false, false>(x, y, n, s);
    }
}

#if NORMVIZ_SIMD_DISPATCH
NORMVIZ_TARGET_AVX2 void normalize_run_avx2(const float* x, float* y, int64_t n, const RunScale& s, bool beta,
                                            bool stream) {
    normalize_run_q<Double4>(x, y, n, s, beta, stream);
}
NORMVIZ_TARGET_AVX512 void normalize_run_avx512(const float* x, float* y, int64_t n, const RunScale& s, bool beta,
                                                bool stream) {
    normalize_run_q<Double8>(x, y, n, s, beta, stream);
}
#endif

// y[i] = (x[i] - shift) * scale (+ beta), i < n, by the run's route.
void normalize_run(const float* x, float* y, int64_t n, const RunScale& s, bool beta, bool stream) {
#if NORMVIZ_SIMD_DISPATCH
    switch (detail::simd_path()) {
        case detail::SimdPath::Avx512: return normalize_run_avx512(x, y, n, s, beta, stream);
        case detail::SimdPath::Avx2: return normalize_run_avx2(x, y, n, s, beta, stream);
        case detail::SimdPath::Baseline: break;
    }
#endif
    normalize_run_q<Quad2>(x, y, n, s, beta, stream);
}

// Whole mode: normalizes elements [begin, end) of group k.
void normalize_whole(const RowLayout& layout, const float* x, float* y, int64_t k, int64_t begin, int64_t end,
                     const GroupScale& g, const Affine& affine, bool stream) {
    const int64_t c0 = layout.first_channel(k);
    detail::for_each_segment(layout, k, begin, end, [&](int64_t j, int64_t offset, int64_t n) {
        const size_t c = static_cast<size_t>(c0 + layout.row_channel[static_cast<size_t>(j)]);
        const RunScale s =
            run_scale(g, affine.gamma.empty() ? 1.0 : affine.gamma[c], affine.beta.empty() ? 0.0 : affine.beta[c]);
        normalize_run(x + offset, y + offset, n, s, !affine.beta.empty(), stream);
    });
}

// Per-group coefficients of Lanes mode (and of Generic partitions), both routes, group g at
// index g; a lane tile reads them from its first group on.
struct LaneScales {
    std::vector<double> shift, scale;
    std::vector<float> hi, lo, fscale;
    std::vector<uint8_t> in_float;  // the float route fits the group (gamma and beta aside)

    explicit LaneScales(size_t n) : shift(n), scale(n), hi(n), lo(n), fscale(n), in_float(n) {}
    void set(size_t g, const GroupScale& s) {
        shift[g] = s.shift;
        scale[g] = s.scale;
        in_float[g] = s.in_float;  // then the scale, 1 / sqrt of a normal float, is one too
        // Only then: a double beyond float's range has no float value to round to.
        const FloatScale f = s.in_float ? float_scale(s.shift, s.scale, 0.0) : FloatScale{};
        hi[g] = f.hi, lo[g] = f.lo, fscale[g] = f.scale;
    }
};

struct LaneView {
    const double *shift, *scale;
    const float *hi, *lo, *fscale;
    const uint8_t* in_float;
};

LaneView lane_view(const LaneScales& s, size_t g0) {
    return {&s.shift[g0], &s.scale[g0], &s.hi[g0], &s.lo[g0], &s.fscale[g0], &s.in_float[g0]};
}

// Lane p's output of x by its route; in_float: the float route (the lane's and the row's
// gamma and beta fit).
template <bool kAffine>
NORMVIZ_INLINE float lane_value(float x, const LaneView& c, int64_t p, bool in_float, float gamma, float beta) {
    if (in_float) {
        float v = ((x - c.hi[p]) - c.lo[p]) * c.fscale[p];
        if constexpr (kAffine) v = v * gamma + beta;
        return v;
    }
    double v = (static_cast<double>(x) - c.shift[p]) * c.scale[p];
    if constexpr (kAffine) v = v * gamma + beta;
    return static_cast<float>(v);
}

// One row of a lane tile whose lanes all take the float route:
// y[p] = ((x[p] - hi[p]) - lo[p]) * scale[p] (* gamma + beta).
template <class Q, bool kAffine, bool kStream>
NORMVIZ_INLINE void float_lanes_as(const float* x, float* y, int64_t n, const LaneView& c, float gamma, float beta) {
    using F = FloatLanes<Q>;
    constexpr int64_t W = sizeof(F) / sizeof(float);
    int64_t p = 0;
    if constexpr (kStream)
        for (; p < n && !aligned_for<F>(y + p); ++p) y[p] = lane_value<kAffine>(x[p], c, p, true, gamma, beta);
    for (; p + W <= n; p += W) {
        F v, hi, lo, sc;
        std::memcpy(&v, x + p, sizeof v);
        std::memcpy(&hi, c.hi + p, sizeof hi);
        std::memcpy(&lo, c.lo + p, sizeof lo);
        std::memcpy(&sc, c.fscale + p, sizeof sc);
        v = ((v - hi) - lo) * sc;
        if constexpr (kAffine) v = v * gamma + beta;
        store_float_lanes<kStream>(y + p, v);
    }
    for (; p < n; ++p) y[p] = lane_value<kAffine>(x[p], c, p, true, gamma, beta);
}

// Four rows of a lane tile at once (the coefficients loaded once for the four); float route,
// no affine, no streaming.
template <class Q>
NORMVIZ_INLINE void float_4_rows_as(const float* const* x, float* const* y, int64_t n, const LaneView& c) {
    using F = FloatLanes<Q>;
    constexpr int64_t W = sizeof(F) / sizeof(float);
    for (int64_t p = 0; p + W <= n; p += W) {
        F hi, lo, sc;
        std::memcpy(&hi, c.hi + p, sizeof hi);
        std::memcpy(&lo, c.lo + p, sizeof lo);
        std::memcpy(&sc, c.fscale + p, sizeof sc);
        for (int r = 0; r < 4; ++r) {
            F v;
            std::memcpy(&v, x[r] + p, sizeof v);
            v = ((v - hi) - lo) * sc;
            std::memcpy(y[r] + p, &v, sizeof v);
        }
    }
    for (int64_t p = n / W * W; p < n; ++p)
        for (int r = 0; r < 4; ++r) y[r][p] = lane_value<false>(x[r][p], c, p, true, 1.0f, 0.0f);
}

// Lanes mode: normalizes lanes [lane0, lane0 + lanes) of every row of row group k, lane p
// with the coefficients c at p. Rows whose every lane takes the float route are vectorized;
// any other row (NaN, Inf or extreme values, rare) goes element by element.
template <class Q>
NORMVIZ_INLINE void normalize_lane_tile_q(const RowLayout& layout, const float* x, float* y, int64_t k, int64_t lane0,
                                          int64_t lanes, const LaneView& c, const Affine& affine, bool stream) {
    const int64_t base = layout.first_offset(k) + lane0;
    const int64_t c0 = layout.first_channel(k);
    const bool has_affine = !affine.gamma.empty() || !affine.beta.empty();
    const bool all_in_float = std::all_of(c.in_float, c.in_float + lanes, [](uint8_t v) { return v != 0; });
    int64_t j = 0;
    // Without affine, four rows share each load of the coefficients, where the outputs stay in
    // cache. Not for streamed outputs: four rows streamed at once made LayerNorm over C and
    // RMSNorm 1.5x slower on a 2-core Xeon (3.2x a copy against 2.1x one row at a time).
    if (!has_affine && !stream && all_in_float) {
        for (; j + 4 <= layout.rows_per_group; j += 4) {
            const float* xs[4];
            float* ys[4];
            for (int r = 0; r < 4; ++r) {
                const int64_t offset = base + layout.row_offset[static_cast<size_t>(j + r)];
                xs[r] = x + offset;
                ys[r] = y + offset;
            }
            float_4_rows_as<Q>(xs, ys, lanes, c);
        }
    }
    for (; j < layout.rows_per_group; ++j) {
        const int64_t offset = base + layout.row_offset[static_cast<size_t>(j)];
        const size_t ch = static_cast<size_t>(c0 + layout.row_channel[static_cast<size_t>(j)]);
        const float gamma = affine.gamma.empty() ? 1.0f : affine.gamma[ch];
        const float beta = affine.beta.empty() ? 0.0f : affine.beta[ch];
        const bool row_fits = std::isfinite(gamma) && std::isfinite(beta);
        const float* xr = x + offset;
        float* yr = y + offset;
        if (!(all_in_float && row_fits)) {
            for (int64_t p = 0; p < lanes; ++p)
                yr[p] = has_affine ? lane_value<true>(xr[p], c, p, c.in_float[p] && row_fits, gamma, beta)
                                   : lane_value<false>(xr[p], c, p, c.in_float[p] != 0, gamma, beta);
        } else if (has_affine) {
            if (stream) float_lanes_as<Q, true, true>(xr, yr, lanes, c, gamma, beta);
            else float_lanes_as<Q, true, false>(xr, yr, lanes, c, gamma, beta);
        } else {
            if (stream) float_lanes_as<Q, false, true>(xr, yr, lanes, c, gamma, beta);
            else float_lanes_as<Q, false, false>(xr, yr, lanes, c, gamma, beta);
        }
    }
}

#if NORMVIZ_SIMD_DISPATCH
NORMVIZ_TARGET_AVX2 void normalize_lane_tile_avx2(const RowLayout& layout, const float* x, float* y, int64_t k,
                                                  int64_t lane0, int64_t lanes, const LaneView& c, const Affine& affine,
                                                  bool stream) {
    normalize_lane_tile_q<Double4>(layout, x, y, k, lane0, lanes, c, affine, stream);
}
NORMVIZ_TARGET_AVX512 void normalize_lane_tile_avx512(const RowLayout& layout, const float* x, float* y, int64_t k,
                                                      int64_t lane0, int64_t lanes, const LaneView& c,
                                                      const Affine& affine, bool stream) {
    normalize_lane_tile_q<Double8>(layout, x, y, k, lane0, lanes, c, affine, stream);
}
#endif

void normalize_lane_tile(const RowLayout& layout, const float* x, float* y, int64_t k, int64_t lane0, int64_t lanes,
                         const LaneView& c, const Affine& affine, bool stream) {
#if NORMVIZ_SIMD_DISPATCH
    switch (detail::simd_path()) {
        case detail::SimdPath::Avx512:
            return normalize_lane_tile_avx512(layout, x, y, k, lane0, lanes, c, affine, stream);
        case detail::SimdPath::Avx2: return normalize_lane_tile_avx2(layout, x, y, k, lane0, lanes, c, affine, stream);
        case detail::SimdPath::Baseline: break;
    }
#endif
    normalize_lane_tile_q<Quad2>(layout, x, y, k, lane0, lanes, c, affine, stream);
}

// Partitions that stats_kernels.h calls Generic: one thread, element by element, each by its
// group's route as in Lanes mode.
void normalize_generic(const Tensor& input, const Partition& partition, const LaneScales& scales, const Affine& affine,
                       Tensor& output) {
    const int64_t numel = input.shape.numel();
    const bool has_affine = !affine.gamma.empty() || !affine.beta.empty();
    const LaneView c = lane_view(scales, 0);
    for (int64_t f = 0; f < numel; ++f) {
        const int64_t g = partition.group_of_flat(f);
        const float x = input.data[static_cast<size_t>(f)];
        float& y = output.data[static_cast<size_t>(f)];
        if (!has_affine) {
            y = lane_value<false>(x, c, g, c.in_float[static_cast<size_t>(g)] != 0, 1.0f, 0.0f);
            continue;
        }
        const size_t ch = static_cast<size_t>(unflat_index(input.shape, f).c);
        const float gamma = affine.gamma.empty() ? 1.0f : affine.gamma[ch];
        const float beta = affine.beta.empty() ? 0.0f : affine.beta[ch];
        const bool in_float = c.in_float[static_cast<size_t>(g)] && std::isfinite(gamma) && std::isfinite(beta);
        y = lane_value<true>(x, c, g, in_float, gamma, beta);
    }
}

void check_and_shape(const Tensor& input, const Partition& partition, const Affine& affine, Tensor& output) {
    const Shape& s = input.shape;
    NORMVIZ_ASSERT(partition.shape == s, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(input.data.size()) == s.numel(), "tensor data size does not match its shape");
    NORMVIZ_ASSERT(&input != &output, "normalize_into cannot work in place");
    NORMVIZ_ASSERT(affine.gamma.empty() || static_cast<int64_t>(affine.gamma.size()) == s.C,
                   "gamma must have C values");
    NORMVIZ_ASSERT(affine.beta.empty() || static_cast<int64_t>(affine.beta.size()) == s.C, "beta must have C values");
    output.shape = s;
    output.layout = input.layout;
    output.data.resize(input.data.size());
}

}  // namespace

double normalize_value(double x, const GroupStats& stats, bool centered, double eps) {
    if (centered) return (x - stats.mean) / std::sqrt(stats.var + eps);
    return x / std::sqrt(stats.mean_sq + eps);
}

namespace {

// A float64 input: every output in double from the exact values, kept in output.data64 and
// rounded once into output.data. One thread, memory order (float64 files are small).
void normalize_exact64(const Tensor& input, const NormSpec& spec, const Partition& partition,
                       const std::vector<GroupStats>& stats, const Affine& affine, Tensor& output) {
    const bool centered = is_centered(spec);
    const Shape& s = input.shape;
    const int64_t plane = s.H * s.W;
    output.data64.resize(input.data64.size());
    for (int64_t f = 0; f < s.numel(); ++f) {
        const size_t i = static_cast<size_t>(f);
        const size_t c = static_cast<size_t>((f / plane) % s.C);
        double y = normalize_value(input.data64[i], stats[static_cast<size_t>(partition.group_of_flat(f))], centered,
                                   spec.eps);
        if (!affine.gamma.empty()) y *= affine.gamma[c];
        if (!affine.beta.empty()) y += affine.beta[c];
        output.data64[i] = y;
        output.data[i] = static_cast<float>(y);
    }
}

}  // namespace

void normalize_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                    const std::vector<GroupStats>& stats, const Affine& affine, Tensor& output, int threads) {
    NORMVIZ_ASSERT(static_cast<int64_t>(stats.size()) == partition.group_count(), "stats size");
    check_and_shape(input, partition, affine, output);
    if (input.has_exact64()) return normalize_exact64(input, spec, partition, stats, affine, output);
    output.data64.clear();
    const bool centered = is_centered(spec);
    const RowLayout layout = detail::make_row_layout(partition);
    const int64_t numel = input.shape.numel();
    const int t = resolve_threads(threads, numel);
    const bool stream = use_streaming(numel);
    const float* x = input.data.data();
    float* y = output.data.data();

    if (layout.mode == RowMode::Whole) {
        std::vector<GroupScale> scales(stats.size());
        for (size_t g = 0; g < stats.size(); ++g) scales[g] = group_scale(stats[g], centered, spec.eps);
        const int64_t pieces = layout.whole_pieces(), size = layout.group_size();
        parallel_for(layout.row_groups * pieces, t, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) {
                const int64_t k = i / pieces, q = i % pieces;
                normalize_whole(layout, x, y, k, q * detail::kPieceLength,
                                std::min(size, (q + 1) * detail::kPieceLength), scales[static_cast<size_t>(k)], affine,
                                stream);
            }
            finish_streaming(stream);
        });
        return;
    }
    LaneScales lane_scales(stats.size());
    for (size_t g = 0; g < stats.size(); ++g) lane_scales.set(g, group_scale(stats[g], centered, spec.eps));
    if (layout.mode == RowMode::Generic) return normalize_generic(input, partition, lane_scales, affine, output);
    const int64_t tile = layout.lane_tile(t), tiles = layout.lane_tiles(t);
    parallel_for(layout.row_groups * tiles, t, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const int64_t k = i / tiles, lane0 = (i % tiles) * tile;
            const size_t g0 = static_cast<size_t>(k * layout.row_length + lane0);
            normalize_lane_tile(layout, x, y, k, lane0, std::min(tile, layout.row_length - lane0),
                                lane_view(lane_scales, g0), affine, stream);
        }
        finish_streaming(stream);
    });
}

namespace {

// Fused statistics and normalization in waves of whole groups (detail::whole_in_waves): each
// wave's pieces, in (group, piece) order, are cut into one share per thread; every share's
// piece moments first, then each group's merge in piece order (as compute_group_stats), then
// every share's outputs on the thread that read it, while its input is still in that core's
// cache. Shares only decide who computes what, so the bits are those of the two sweeps.
void normalize_whole_in_waves(const RowLayout& layout, const float* x, float* y, const NormSpec& spec,
                              const Affine& affine, bool stream, int t, std::vector<GroupStats>& stats) {
    const bool centered = is_centered(spec);
    const int64_t pieces = layout.whole_pieces(), size = layout.group_size();
    const int64_t per_wave = std::max<int64_t>(1, t * detail::item_bytes() / (size * 4));
    std::vector<detail::Moments> parts(static_cast<size_t>(per_wave * pieces));
    std::vector<GroupScale> scales(static_cast<size_t>(per_wave));
    for (int64_t k0 = 0; k0 < layout.row_groups; k0 += per_wave) {
        const int64_t k1 = std::min(k0 + per_wave, layout.row_groups);
        const int64_t total = (k1 - k0) * pieces;
        parallel_for_static(t, t, [&](int64_t begin, int64_t end) {
            for (int64_t share = begin; share < end; ++share) {
                const int64_t j0 = total * share / t, j1 = total * (share + 1) / t;
                detail::whole_pieces_moments(layout, x, k0 * pieces + j0, j1 - j0, &parts[static_cast<size_t>(j0)]);
            }
        });
        for (int64_t k = k0; k < k1; ++k) {
            const GroupStats g = detail::merge_moments(&parts[static_cast<size_t>((k - k0) * pieces)], pieces, 1, size);
            stats[static_cast<size_t>(k)] = g;
            scales[static_cast<size_t>(k - k0)] = group_scale(g, centered, spec.eps);
        }
        parallel_for_static(t, t, [&](int64_t begin, int64_t end) {
            for (int64_t share = begin; share < end; ++share) {
                const int64_t j1 = total * (share + 1) / t;
                for (int64_t j = total * share / t; j < j1;) {
                    const int64_t k = j / pieces, next = std::min(j1, (k + 1) * pieces);
                    normalize_whole(layout, x, y, k0 + k, (j - k * pieces) * detail::kPieceLength,
                                    std::min(size, (next - k * pieces) * detail::kPieceLength),
                                    scales[static_cast<size_t>(k)], affine, stream);
                    j = next;
                }
            }
            finish_streaming(stream);
        });
    }
}

}  // namespace

void normalize_with_stats_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                               const Affine& affine, std::vector<GroupStats>& stats, Tensor& output, int threads) {
    const RowLayout layout = detail::make_row_layout(partition);
    const int64_t numel = input.shape.numel();
    const int t = resolve_threads(threads, numel);
    if (!input.has_exact64() && layout.mode == RowMode::Whole && detail::whole_in_waves(layout, t)) {
        check_and_shape(input, partition, affine, output);
        output.data64.clear();
        stats.resize(static_cast<size_t>(partition.group_count()));
        normalize_whole_in_waves(layout, input.data.data(), output.data.data(), spec, affine, use_streaming(numel), t,
                                 stats);
        return;
    }
    if (input.has_exact64() || layout.mode == RowMode::Generic ||
        (layout.mode == RowMode::Whole && !detail::whole_by_group(layout, t))) {
        // Too few groups to hand each thread whole groups: two sweeps, pieces in parallel.
        stats = compute_group_stats(input, partition, threads);
        normalize_into(input, spec, partition, stats, affine, output, threads);
        return;
    }
    check_and_shape(input, partition, affine, output);
    stats.resize(static_cast<size_t>(partition.group_count()));
    const bool centered = is_centered(spec);
    const bool stream = use_streaming(numel);
    const float* x = input.data.data();
    float* y = output.data.data();

    if (layout.mode == RowMode::Whole) {
        const int64_t size = layout.group_size();
        const int64_t per_item = detail::groups_per_item(layout, t);
        const int64_t items = (layout.row_groups + per_item - 1) / per_item;
        parallel_for(items, t, [&](int64_t begin, int64_t end) {
            std::vector<detail::Moments> parts;
            for (int64_t item = begin; item < end; ++item) {
                // All statistics of the item's groups first, then all their outputs: one read
                // stream from memory, then a pass over what is still in cache.
                const int64_t k0 = item * per_item, k1 = std::min(k0 + per_item, layout.row_groups);
                detail::whole_groups_stats(layout, x, k0, k1, parts, &stats[static_cast<size_t>(k0)]);
                for (int64_t k = k0; k < k1; ++k)
                    normalize_whole(layout, x, y, k, 0, size,
                                    group_scale(stats[static_cast<size_t>(k)], centered, spec.eps), affine, stream);
            }
            finish_streaming(stream);
        });
        return;
    }
    const int64_t tile = layout.lane_tile(t), tiles = layout.lane_tiles(t);
    parallel_for(layout.row_groups * tiles, t, [&](int64_t begin, int64_t end) {
        LaneScales scales(static_cast<size_t>(tile));
        for (int64_t i = begin; i < end; ++i) {
            const int64_t k = i / tiles, lane0 = (i % tiles) * tile;
            const int64_t lanes = std::min(tile, layout.row_length - lane0);
            GroupStats* g = &stats[static_cast<size_t>(k * layout.row_length + lane0)];
            detail::lane_tile_stats(layout, x, k, lane0, lanes, layout.rows_per_group, g);
            for (int64_t p = 0; p < lanes; ++p)
                scales.set(static_cast<size_t>(p), group_scale(g[p], centered, spec.eps));
            normalize_lane_tile(layout, x, y, k, lane0, lanes, lane_view(scales, 0), affine, stream);
        }
        finish_streaming(stream);
    });
}

Result<Tensor> normalize(const Tensor& input, const NormSpec& spec, const Affine& affine, int threads) {
    if (auto ok = validate(spec, input.shape); !ok) return ok.error();
    Partition partition = make_partition(spec, input.shape);
    std::vector<GroupStats> stats;
    Tensor output;
    normalize_with_stats_into(input, spec, partition, affine, stats, output, threads);
    return output;
}

}  // namespace normviz::core
