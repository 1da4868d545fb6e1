// Histograms of a group straight over its runs of memory (compiled with -O3 for the vectorizer).
#include "core/group_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/assert.h"

namespace normviz::core {

namespace {

// Calls run(c, values, length) for each contiguous run of memory in the group of `key`: one
// run per (n, c) when the group spans whole lines (its H lines follow each other), else one
// per (n, c, h). No per-element index math.
template <class Run>
void for_each_run(const float* data, const Partition& p, const Index& key, Run&& run) {
    const Shape& s = p.shape;
    const auto& b = p.block;
    const int64_t n0 = key.n * b[0], c0 = key.c * b[1], h0 = key.h * b[2], w0 = key.w * b[3];
    for (int64_t n = n0; n < n0 + b[0]; ++n)
        for (int64_t c = c0; c < c0 + b[1]; ++c) {
            const float* plane = data + (n * s.C + c) * s.H * s.W;
            if (b[3] == s.W) {
                run(c, plane + h0 * s.W, b[2] * s.W);
            } else {
                for (int64_t h = h0; h < h0 + b[2]; ++h) run(c, plane + h * s.W + w0, b[3]);
            }
        }
}

// False for NaN and +-Inf, as one comparison without a branch, so the range loop vectorizes.
inline bool finite_value(float x) { return std::fabs(x) <= std::numeric_limits<float>::max(); }

using Float4 = float __attribute__((vector_size(16)));
using Int4 = int32_t __attribute__((vector_size(16)));

// Widens [lo, hi] to the finite values of x[0, n), four lanes at a time: the compiler does not
// vectorize a conditional minimum itself (NaN rules), so lanes are chosen with bit masks.
void finite_range(const float* x, int64_t n, float& lo, float& hi) {
    Float4 l = {lo, lo, lo, lo}, h = {hi, hi, hi, hi};
    const Int4 magnitude = {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    const Int4 largest = {0x7f7fffff, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff};  // FLT_MAX's bits
    auto pick = [](Int4 take, Float4 a, Float4 b) {
        Int4 ai, bi;
        std::memcpy(&ai, &a, sizeof ai);
        std::memcpy(&bi, &b, sizeof bi);
        const Int4 r = (take & ai) | (~take & bi);
        Float4 out;
        std::memcpy(&out, &r, sizeof out);
        return out;
    };
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        Float4 v;
        Int4 bits;
        std::memcpy(&v, x + i, sizeof v);
        std::memcpy(&bits, x + i, sizeof bits);
        const Int4 ok = (bits & magnitude) <= largest;  // not NaN or Inf
        l = pick(ok & (v < l), v, l);
        h = pick(ok & (v > h), v, h);
    }
    for (int k = 0; k < 4; ++k) {
        lo = std::min(lo, l[k]);
        hi = std::max(hi, h[k]);
    }
    for (; i < n; ++i)
        if (finite_value(x[i])) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
}

// Bins over [lo, hi] (widened around a point), with the factor that maps a value to its bin.
struct Binning {
    double lo = 0, hi = 0, per_unit = 0;
};
Binning binning(double lo, double hi, int bins) {
    if (lo == hi) lo -= 0.5, hi += 0.5;
    const double width = hi - lo;
    return {lo, hi, width > 0 && std::isfinite(width) ? bins / width : 0.0};
}

// Bin numbers of m values: x's over [x_lo, ...) at per_unit bins per unit, y's linear in x
// ((x - mu) * y_scale + y_shift), both clamped to [0, last]; `last + 1` for NaN and Inf. The
// mean is subtracted first, so a large mean costs no precision.
template <class T>
void bin_chunk(const float* v, int64_t m, double x_lo, double per_unit, double mu, double y_scale, double y_shift,
               int64_t last, int32_t* x_bin, int32_t* y_bin) {
    const T lo = static_cast<T>(x_lo), xs = static_cast<T>(per_unit), mean = static_cast<T>(mu);
    const T ys = static_cast<T>(y_scale), shift = static_cast<T>(y_shift), top = static_cast<T>(last);
    const int32_t spare = static_cast<int32_t>(last + 1);
    for (int64_t i = 0; i < m; ++i) {
        const bool ok = finite_value(v[i]);
        const T x = ok ? static_cast<T>(v[i]) : lo;
        const T tx = std::min(std::max((x - lo) * xs, T(0)), top);
        const T ty = std::min(std::max((x - mean) * ys + shift, T(0)), top);
        x_bin[i] = ok ? static_cast<int32_t>(tx) : spare;
        y_bin[i] = ok ? static_cast<int32_t>(ty) : spare;
    }
}

}  // namespace

GroupHistograms group_histograms(const float* values, const NormSpec& spec, const Partition& p, const GroupStats& stats,
                                 const Affine& affine, const Index& key, int bins, const std::atomic<bool>* cancel) {
    NORMVIZ_ASSERT(bins >= 1, "a histogram needs a bin");
    const int64_t c0 = key.c * p.block[1], channels = p.block[1];
    // Work between checks of `cancel`: a few hundred microseconds.
    constexpr int64_t kCheckEvery = int64_t{1} << 16;
    int64_t since_check = 0;
    auto cancelled = [&](int64_t length) {
        since_check += length;
        if (since_check < kCheckEvery) return false;
        since_check = 0;
        return cancel && cancel->load(std::memory_order_relaxed);
    };

    // Pass 1: each channel's finite range.
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> lo(static_cast<size_t>(channels), inf), hi(static_cast<size_t>(channels), -inf);
    bool stop = false;
    for_each_run(values, p, key, [&](int64_t c, const float* x, int64_t length) {
        if (stop || (stop = cancelled(length))) return;
        finite_range(x, length, lo[c - c0], hi[c - c0]);
    });
    GroupHistograms out;
    if (stop) return out;

    // The outputs' range from each channel's extremes: y = gamma * (x - mu) / s + beta is
    // monotonic in x, and rounding to float keeps the order. A channel whose ends give no
    // finite y (NaN or Inf in the group, 0/0) contributes no outputs at all.
    const bool centered = is_centered(spec);
    const double mu = centered ? stats.mean : 0.0;
    const double s = std::sqrt((centered ? stats.var : stats.mean_sq) + spec.eps);
    auto gamma_of = [&](int64_t c) { return affine.gamma.empty() ? 1.0 : static_cast<double>(affine.gamma[c]); };
    auto beta_of = [&](int64_t c) { return affine.beta.empty() ? 0.0 : static_cast<double>(affine.beta[c]); };
    auto y_of = [&](int64_t c, double x) {
        return static_cast<double>(static_cast<float>(gamma_of(c) * ((x - mu) / s) + beta_of(c)));
    };
    double x_lo = inf, x_hi = -inf, y_lo = inf, y_hi = -inf;
    std::vector<char> y_ok(static_cast<size_t>(channels), 0);
    for (int64_t k = 0; k < channels; ++k) {
        if (!(lo[k] <= hi[k])) continue;  // no finite value in this channel's part
        x_lo = std::min<double>(x_lo, lo[k]);
        x_hi = std::max<double>(x_hi, hi[k]);
        const double a = y_of(c0 + k, lo[k]), b = y_of(c0 + k, hi[k]);
        if (!std::isfinite(a) || !std::isfinite(b)) continue;
        y_ok[k] = 1;
        y_lo = std::min({y_lo, a, b});
        y_hi = std::max({y_hi, a, b});
    }
    const bool any_x = x_lo <= x_hi, any_y = y_lo <= y_hi;
    const Binning bx = binning(x_lo, x_hi, bins), by = binning(y_lo, y_hi, bins);

    // Pass 2: counts. A value's output bin is linear in x within a channel. Bin numbers are
    // computed a chunk at a time in a loop the compiler vectorizes (a non-finite value gets
    // the spare bin `bins`), then counted in a scalar loop.
    const int64_t last = bins - 1;
    // Four sets of counters, value i counted in set i % 4: consecutive values often share a bin,
    // and one counter would make each increment wait for the previous one.
    const int64_t stride = bins + 1;
    std::vector<int64_t> x_counts(static_cast<size_t>(4 * stride), 0), y_counts(static_cast<size_t>(4 * stride), 0);
    auto count = [stride](std::vector<int64_t>& counts, const int32_t* bin, int64_t m) {
        int64_t* c = counts.data();
        int64_t i = 0;
        for (; i + 4 <= m; i += 4) {
            ++c[bin[i]];
            ++c[stride + bin[i + 1]];
            ++c[2 * stride + bin[i + 2]];
            ++c[3 * stride + bin[i + 3]];
        }
        for (; i < m; ++i) ++c[bin[i]];
    };
    constexpr int64_t kChunk = 512;
    int32_t x_bin[kChunk], y_bin[kChunk];
    // Float vectorizes four values wide; values near the float limits (a range that overflows
    // in float) take double.
    const bool huge = !(std::fabs(bx.lo) + std::fabs(bx.hi) < 1e37);
    if (any_x) {
        for_each_run(values, p, key, [&](int64_t c, const float* x, int64_t length) {
            if (stop || (stop = cancelled(length))) return;
            const bool with_y = any_y && y_ok[c - c0];
            // Without outputs (NaN statistics, s = 0) the y bins are computed from zeros and unused.
            const double mean = with_y ? mu : 0.0;
            const double scale = with_y ? gamma_of(c) / s * by.per_unit : 0.0;
            const double shift = with_y ? (beta_of(c) - by.lo) * by.per_unit : 0.0;
            for (int64_t at = 0; at < length; at += kChunk) {
                const int64_t m = std::min(kChunk, length - at);
                if (huge) bin_chunk<double>(x + at, m, bx.lo, bx.per_unit, mean, scale, shift, last, x_bin, y_bin);
                else bin_chunk<float>(x + at, m, bx.lo, bx.per_unit, mean, scale, shift, last, x_bin, y_bin);
                count(x_counts, x_bin, m);
                if (with_y) count(y_counts, y_bin, m);
            }
        });
    }
    if (stop) return {};
    auto fill = [&](Histogram& h, bool any, const Binning& b, const std::vector<int64_t>& counts) {
        if (!any) return;
        h.lo = static_cast<float>(b.lo);
        h.hi = static_cast<float>(b.hi);
        h.counts.assign(static_cast<size_t>(bins), 0.0f);  // the four sets, without the spare bin
        for (int k = 0; k < 4; ++k)
            for (int64_t i = 0; i < bins; ++i) h.counts[i] += static_cast<float>(counts[k * stride + i]);
    };
    fill(out.inputs, any_x, bx, x_counts);
    fill(out.outputs, any_y, by, y_counts);
    return out;
}

}  // namespace normviz::core
