// Per-channel summary: corrected two-pass moments in double, one channel per work item.
#include "core/channel_summary.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"

namespace normviz::core {

namespace {

// Independent partial sums: they keep kLanes additions in flight (and let the compiler
// vectorize), and are merged in lane order, so the result depends only on the data.
constexpr int kLanes = 8;

inline bool finite(double v) { return v - v == 0; }  // v - v is NaN for NaN and +-Inf

// First-pass sums of one channel.
struct FirstPass {
    double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    int64_t finite = 0, nan = 0, zeros = 0;
};

// One run of `length` values with kLanes partial sums and no test for NaN or Inf. A sum of
// finite floats cannot overflow a double, so a run holds a NaN or an Inf exactly when `sum`
// is not finite, and the caller then reads it again with careful_run (float64 data beyond
// 1e300 may overflow too and take that path; its sum is +-Inf either way).
template <class T>
FirstPass fast_run(const T* x, int64_t length) {
    double sum[kLanes] = {};
    T lo[kLanes], hi[kLanes];
    int64_t zeros[kLanes] = {};
    for (int k = 0; k < kLanes; ++k) lo[k] = hi[k] = x[0];
    int64_t i = 0;
    for (; i + kLanes <= length; i += kLanes)
        for (int k = 0; k < kLanes; ++k) {
            const T v = x[i + k];
            sum[k] += static_cast<double>(v);
            lo[k] = v < lo[k] ? v : lo[k];
            hi[k] = v > hi[k] ? v : hi[k];
            zeros[k] += v == 0;
        }
    for (; i < length; ++i) {
        const T v = x[i];
        sum[0] += static_cast<double>(v);
        lo[0] = v < lo[0] ? v : lo[0];
        hi[0] = v > hi[0] ? v : hi[0];
        zeros[0] += v == 0;
    }
    FirstPass p;
    for (int k = 0; k < kLanes; ++k) {
        p.sum += sum[k];
        p.lo = std::min(p.lo, static_cast<double>(lo[k]));
        p.hi = std::max(p.hi, static_cast<double>(hi[k]));
        p.zeros += zeros[k];
    }
    p.finite = length;
    return p;
}

// The same run, value by value, leaving NaN and +-Inf out and counting them.
template <class T>
FirstPass careful_run(const T* x, int64_t length) {
    FirstPass p;
    for (int64_t i = 0; i < length; ++i) {
        const double v = static_cast<double>(x[i]);
        if (finite(v)) {
            p.sum += v;
            p.lo = std::min(p.lo, v);
            p.hi = std::max(p.hi, v);
            ++p.finite;
            p.zeros += v == 0;
        } else {
            p.nan += v != v;
        }
    }
    return p;
}

// Channel c's values are N runs of H·W contiguous values (NCHW), run n at (n·C + c)·H·W.
template <class T>
ChannelSummary summarize_channel(const T* data, const Shape& s, int64_t c) {
    const int64_t plane = s.H * s.W;
    ChannelSummary out;
    out.count = s.N * plane;
    FirstPass total;
    bool all_finite = true;
    for (int64_t n = 0; n < s.N; ++n) {
        const T* run = data + (n * s.C + c) * plane;
        FirstPass p = fast_run(run, plane);
        if (!finite(p.sum)) {
            p = careful_run(run, plane);
            all_finite = false;
        }
        total.sum += p.sum;
        total.lo = std::min(total.lo, p.lo);
        total.hi = std::max(total.hi, p.hi);
        total.finite += p.finite;
        total.nan += p.nan;
        total.zeros += p.zeros;
    }
    out.finite_count = total.finite;
    out.nan_count = total.nan;
    out.inf_count = out.count - total.finite - total.nan;
    out.zero_fraction = out.count > 0 ? static_cast<double>(total.zeros) / static_cast<double>(out.count) : 0;
    if (out.finite_count == 0) {
        out.mean = out.std = out.min = out.max = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    out.min = total.lo;
    out.max = total.hi;
    if (total.lo == total.hi) {  // constant: exact, with no rounding left in a summed mean
        out.mean = total.lo;
        out.std = 0;
        return out;
    }
    const double count = static_cast<double>(out.finite_count);
    const double mean = total.sum / count;
    // Second pass around the mean; `drift` (the sum of deviations, 0 in exact arithmetic)
    // removes the rounding left in the mean (the "corrected" two-pass formula). Non-finite
    // values add 0 (a select, so the loop has no branch).
    double squares[kLanes] = {}, drift[kLanes] = {};
    for (int64_t n = 0; n < s.N; ++n) {
        const T* run = data + (n * s.C + c) * plane;
        int64_t i = 0;
        if (all_finite) {
            for (; i + kLanes <= plane; i += kLanes)
                for (int k = 0; k < kLanes; ++k) {
                    const double d = static_cast<double>(run[i + k]) - mean;
                    squares[k] += d * d;
                    drift[k] += d;
                }
        }
        for (; i < plane; ++i) {
            const double v = static_cast<double>(run[i]);
            const double d = finite(v) ? v - mean : 0.0;
            squares[0] += d * d;
            drift[0] += d;
        }
    }
    double square_total = 0, drift_total = 0;
    for (int k = 0; k < kLanes; ++k) square_total += squares[k], drift_total += drift[k];
    const double var = std::max(0.0, (square_total - drift_total * drift_total / count) / count);
    out.mean = mean + drift_total / count;
    out.std = std::sqrt(var);
    return out;
}

template <class T>
std::vector<ChannelSummary> summarize_all(const T* data, const Shape& s, int threads) {
    std::vector<ChannelSummary> out(static_cast<size_t>(s.C));
    const int t = resolve_threads(threads, s.numel());
    parallel_for(s.C, t, [&](int64_t begin, int64_t end) {
        for (int64_t c = begin; c < end; ++c) out[static_cast<size_t>(c)] = summarize_channel(data, s, c);
    });
    return out;
}

double column_value(const ChannelSummary& s, ChannelColumn column, int64_t c) {
    switch (column) {
        case ChannelColumn::Channel: return static_cast<double>(c);
        case ChannelColumn::Mean: return s.mean;
        case ChannelColumn::Std: return s.std;
        case ChannelColumn::Min: return s.min;
        case ChannelColumn::Max: return s.max;
        case ChannelColumn::Zeros: return s.zero_fraction;
        case ChannelColumn::Nan: return static_cast<double>(s.nan_count);
        case ChannelColumn::Inf: return static_cast<double>(s.inf_count);
    }
    return 0;
}

}  // namespace

std::vector<ChannelSummary> summarize_channels(const Tensor& tensor, int threads) {
    if (tensor.has_exact64()) return summarize_all(tensor.data64.data(), tensor.shape, threads);
    return summarize_all(tensor.data.data(), tensor.shape, threads);
}

std::vector<int64_t> sort_channels(const std::vector<ChannelSummary>& summary, ChannelColumn column, bool descending) {
    std::vector<int64_t> order(summary.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        const double va = column_value(summary[static_cast<size_t>(a)], column, a);
        const double vb = column_value(summary[static_cast<size_t>(b)], column, b);
        if (std::isnan(va) || std::isnan(vb)) return !std::isnan(va) && std::isnan(vb);  // NaN last
        return descending ? va > vb : va < vb;
    });
    return order;
}

}  // namespace normviz::core
