// Per-channel summary of a tensor (mean, std, min, max, zeros, NaN and Inf per channel c,
// over N, H and W): the table an engineer reads first to find a dead or exploding channel.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace normviz::core {

// One channel c of a tensor, over its N·H·W values.
//
// NaN and +-Inf are counted (nan_count, inf_count) and left out of mean, std, min and max,
// which describe the finite values only, so one bad value does not hide the rest of the
// channel. A channel without a finite value has finite_count 0 and mean, std, min, max NaN.
// zero_fraction is the share of exact zeros (-0 included) among ALL count values of the
// channel, NaN and Inf included, so it reads as "this share of the channel is 0".
struct ChannelSummary {
    int64_t count = 0;         // N·H·W
    int64_t finite_count = 0;  // count - nan_count - inf_count
    double mean = 0;           // of the finite values
    double std = 0;            // biased (divide by finite_count), as PyTorch's forward pass
    double min = 0, max = 0;   // of the finite values
    double zero_fraction = 0;  // zeros / count, in [0, 1]
    int64_t nan_count = 0;
    int64_t inf_count = 0;  // +Inf and -Inf together
};

// The summary of every channel, indexed by c. Accumulates in double with the corrected
// two-pass algorithm (mean first, then sum((x - mean)^2) minus the rounding term
// sum(x - mean)^2 / n; Chan, Golub and LeVeque 1983), so 1e4 + N(0, 1) keeps its variance and
// a constant channel has std exactly 0. Reads Tensor::data64 when the source held float64
// (Tensor::has_exact64), else data. Channels run in parallel on up to `threads` threads
// (<= 0: all hardware threads; small tensors use one); each channel is summed by one thread in
// memory order, so the result is the same for every thread count.
std::vector<ChannelSummary> summarize_channels(const Tensor& tensor, int threads = 0);

// Columns of the summary table, in the order the desktop program shows them.
enum class ChannelColumn { Channel, Mean, Std, Min, Max, Zeros, Nan, Inf };

// Channel indices ordered by `column` (ascending, or descending), ties broken by c ascending
// so the order is stable. Channels whose value in that column is NaN (no finite value) come
// last in both directions.
std::vector<int64_t> sort_channels(const std::vector<ChannelSummary>& summary, ChannelColumn column, bool descending);

}  // namespace normviz::core
