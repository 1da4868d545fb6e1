// What a tensor's values span, for colour scales and the NaN/Inf count: min, max and
// percentiles of the finite values, per tensor and per channel, and where the non-finite
// values are.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::core {

// The percentiles a clipped colour scale spans (1 % and 99 %).
inline constexpr double kClipLowPercent = 1.0;
inline constexpr double kClipHighPercent = 99.0;
// How many non-finite positions ValueSummary keeps (the first ones in memory order).
inline constexpr size_t kNonFiniteKept = 512;

// Range of one set of finite values; all 0 (and count 0) when there is none.
struct ValueSpan {
    int64_t count = 0;  // finite values
    double min = 0, max = 0;
    double low = 0, high = 0;  // the kClipLowPercent and kClipHighPercent percentiles
};

struct ValueSummary {
    ValueSpan all;                    // every finite value of the tensor
    std::vector<ValueSpan> channels;  // per channel c (over n, h, w)
    int64_t nan = 0, pos_inf = 0, neg_inf = 0;
    // Flat indices (NCHW) of the first kNonFiniteKept NaN/Inf values, ascending.
    std::vector<int64_t> non_finite;

    int64_t non_finite_count() const { return nan + pos_inf + neg_inf; }
};

// The q-th percentile (q in [0, 100]) of `values` as numpy.percentile computes it by default
// (linear interpolation between the two nearest ranks: rank q/100 * (n - 1)). Reorders
// `values` (std::nth_element, expected linear time). Precondition: values non-empty and
// all finite.
double percentile_in_place(std::vector<float>& values, double q);

// The values of ranks `ranks` (0-based, ascending order of value) among the finite values of
// data[0, count): exact, by a two-level radix select on the floats' order-preserving bit
// patterns (a histogram of the high 16 bits, then of the low 16 bits inside each bucket a
// rank falls in): two passes over the data and 256 KiB of counts per pass and thread, with
// no copy of the data, so 25M values cost about two memory-speed passes, and outliers do not
// blur it as a value histogram would. Precondition: every rank < the number of finite
// values. `threads` <= 0: all hardware threads.
std::vector<float> finite_order_statistics(const float* data, int64_t count, const std::vector<int64_t>& ranks,
                                           int threads = 0);

// Min, max, percentiles and non-finite counts of `tensor` (float32 values, as drawn). The
// tensor-wide percentiles come from finite_order_statistics; each channel's from
// percentile_in_place on a copy of that channel (channels in parallel), so both are exact.
// Deterministic for any `threads` (<= 0: all hardware threads).
ValueSummary summarize_values(const Tensor& tensor, int threads = 0);

// The first NaN or +-Inf element after `after` in memory (NCHW) order, wrapping around to the
// start (so `after` itself comes last); nothing when every value is finite. `after` outside
// the shape counts as before the first element.
std::optional<Index> next_non_finite(const Tensor& tensor, const Index& after);

}  // namespace normviz::core
