// Histograms of one group's inputs and outputs for the statistics panel, at memory speed.
#pragma once

#include <atomic>
#include <vector>

#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::core {

// Counts of values in `counts.size()` equal bins over [lo, hi]. Empty counts: the group has
// no finite value (lo and hi are then 0).
struct Histogram {
    float lo = 0, hi = 0;  // the finite values' range, widened by 0.5 each way when it is a point
    std::vector<float> counts;
};

// The focus's group in the statistics panel: its inputs x and its outputs
// y = gamma * x_hat + beta. Non-finite values are left out.
struct GroupHistograms {
    Histogram inputs, outputs;
};

// Histograms of the group whose key is `key` (Partition::key_of) in `values`, the NCHW values
// of a tensor of partition.shape (Tensor::data), `bins` bins each, in two passes straight over the group's contiguous runs of memory: the range (per channel, so the
// outputs' range follows from each channel's extremes, y being monotonic in x within a
// channel), then the counts. When `*cancel` becomes true the work stops early and the result
// is meaningless. Preconditions: `stats` is the group's (compute_group_stats), affine empty or
// of size C, bins >= 1.
GroupHistograms group_histograms(const float* values, const NormSpec& spec, const Partition& partition,
                                 const GroupStats& stats, const Affine& affine, const Index& key, int bins,
                                 const std::atomic<bool>* cancel = nullptr);

}  // namespace normviz::core
